//! Offline verification of codes of both levels, in two steps.
//!
//! 1. [`Verifier::check`], without the CF: format, signature by a trusted
//!    issuer key valid at issuance, validity dates, revocation (one
//!    function for both levels, `step_one`, whose proof values the
//!    results below are built from).
//! 2. [`CheckedCredential::open`], with the holder's CF: the CF is
//!    validated, then it opens the envelope; a wrong CF is
//!    [`VerifyError::CfMismatch`]. A code the holder asked to protect with
//!    a secret ([`CheckedCredential::requires_secret`]) opens with
//!    [`CheckedCredential::open_with_secret_str`] and the CF together.
//!
//! Second-level tokens take the same road: [`Verifier::check_second_level`]
//! (step 1, then the operator's accreditation and the audience) and
//! [`CheckedToken::open_str`].
//!
//! Results can only be built here: [`CheckedCredential`] and
//! [`VerifiedAttestation`] have private fields and no public constructor,
//! so holding one proves the checks ran.

use attesta_core::cf::CodiceFiscale;
use attesta_core::cose::{UnverifiedSign1, VerifiedPayload};
use attesta_core::credential::{Cti, FirstLevelClaims, FirstLevelCode};
use attesta_core::envelope::KdfLimits;
use attesta_core::error::FormatError;
use attesta_core::keys::Kid;
use attesta_core::model::Attestation;
use attesta_core::model::SecondLevelDetails;
use attesta_core::operator_key::OperatorSecretKey;
use attesta_core::rules::{Rule, enforced};
use attesta_core::second_level::{SecondLevelClaims, SecondLevelCode};
use attesta_core::secret::HolderSecret;
use attesta_core::trust_list::TrustList;
use jiff::Timestamp;

pub use crate::error::VerifyError;
use crate::error::open_error;
pub use crate::policy::{Policy, RevocationPolicy};
pub use crate::revocation::Revocation;
use crate::revocation::StatusLists;
use crate::step_one::{SignedClaims, StepOne, step_one};
use crate::trust::TrustState;

/// An offline verifier: a trust list, status lists and a policy.
///
/// ```
/// # use attesta_core::{cf::CodiceFiscale, credential::*, envelope::KdfParams, keys::SigningKey, model::*};
/// # use attesta_core::trust_list::*;
/// # use attesta_verify::{trust::*, verifier::*};
/// # use jiff::{Timestamp, ToSpan};
/// # let (root, issuer) = (SigningKey::generate()?, SigningKey::generate()?);
/// # let now = Timestamp::now();
/// # let mut list = TrustList::default();
/// # list.add_issuer("INPS", issuer.public_key(), None)?;
/// # let trust_bytes = list.sign(&root, now, now + 30 * 24.hours());
/// # let cf = CodiceFiscale::parse("RSSMRA85T10A562S")?;
/// # let code = issue_first_level(&issuer, &cf, &FirstLevelRequest {
/// #     attestation: Attestation::builder().deafness(true).build()?, issued_at: now, not_before: None,
/// #     expires_at: now + 24.hours(), status: None, issuer: None, kdf: KdfParams::DEFAULT })?;
/// let mut state = TrustState::default(); // persisted by the application
/// let verifier = Verifier::new(&trust_bytes, &root.public_key(), &mut state, Policy::default(), now)?;
///
/// // Step 1: no CF needed.
/// let checked = verifier.check(code.text(), now)?;
/// // Step 2: the operator types the CF.
/// let verified = checked.open(&CodiceFiscale::parse("rssmra85t10a562s")?)?;
/// assert!(verified.attestation().deafness());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Verifier {
    trust: TrustList,
    floor: Option<Timestamp>,
    status_lists: StatusLists,
    policy: Policy,
}

impl Verifier {
    /// Accepts the trust list (signature under `root`, rollback and age
    /// checks against `state`, which is updated) and builds a verifier.
    pub fn new(
        trust_list: &[u8],
        root: &attesta_core::keys::PublicKey,
        state: &mut TrustState,
        policy: Policy,
        now: Timestamp,
    ) -> Result<Self, VerifyError> {
        let trust = state.accept(trust_list, root, now, &policy.trust)?;
        Ok(Verifier {
            trust,
            floor: state.clock_floor(),
            status_lists: StatusLists::default(),
            policy,
        })
    }

    /// The accepted trust list.
    pub fn trust_list(&self) -> &TrustList {
        &self.trust
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The time checks use: `at`, but never before the clock floor, so a
    /// device clock wound back does not revive expired codes.
    pub fn effective_time(&self, at: Timestamp) -> Timestamp {
        match self.floor {
            Some(f) if enforced(Rule::ClockFloor) => at.max(f),
            _ => at,
        }
    }

    /// Loads a status list: signed by a trusted, not denied, issuer key, and
    /// current at `now`.
    ///
    /// The list will answer only for credentials signed by the same key.
    /// A retired key (one whose validity window has closed) may still sign
    /// lists: retirement limits the `iat` of new credentials, while the
    /// key's earlier credentials stay valid and must stay revocable.
    /// A compromised key is denied, and its lists are then refused.
    pub fn add_status_list(&mut self, bytes: &[u8], now: Timestamp) -> Result<(), VerifyError> {
        let now = self.effective_time(now);
        self.status_lists.add(&self.trust, &self.policy, bytes, now)
    }

    /// Step 1 of either level, at `at` after the clock floor.
    fn step_one<C: SignedClaims>(
        &self,
        sign1: &UnverifiedSign1,
        read_claims: impl FnOnce(&VerifiedPayload) -> Result<C, FormatError>,
        at: Timestamp,
    ) -> Result<StepOne<C>, VerifyError> {
        let now = self.effective_time(at);
        step_one(
            &self.trust,
            &self.status_lists,
            &self.policy,
            sign1,
            read_claims,
            now,
        )
    }

    /// Step 1: everything that does not need the CF.
    pub fn check(&self, text: &str, at: Timestamp) -> Result<CheckedCredential, VerifyError> {
        let code = FirstLevelCode::parse(text)?;
        let step1 = self.step_one(code.sign1(), FirstLevelClaims::from_verified, at)?;
        // The envelope's cost is part of the code's validity: below the
        // floor, anyone who can guess the CF reads the content cheaply.
        // Checked here, without the CF, so the operator learns it at once.
        let kdf = step1.claims().envelope().kdf();
        let limits = &self.policy.kdf_limits;
        if limits.below_floor(kdf) {
            return Err(VerifyError::KdfBelowFloor {
                m: kdf.memory_mib(),
                t: kdf.iterations(),
                min_m: limits.min_memory_mib,
                min_t: limits.min_iterations,
            });
        }
        Ok(CheckedCredential {
            step1,
            kdf_limits: self.policy.kdf_limits,
        })
    }

    /// Step 1 for a second-level token, as the operator holding
    /// `operator`: signature, validity, revocation of the first-level
    /// credential, accreditation and audience.
    pub fn check_second_level(
        &self,
        text: &str,
        operator: &OperatorSecretKey,
        at: Timestamp,
    ) -> Result<CheckedToken, VerifyError> {
        let code = SecondLevelCode::parse(text)?;
        let step1 = self.step_one(code.sign1(), SecondLevelClaims::from_verified, at)?;
        let now = step1.checked_at();
        let audience = step1.claims().audience();
        // Which accredited operators does this key belong to?
        let ours = operator.public_key().to_bytes();
        let mine: Vec<_> = self
            .trust
            .operators
            .iter()
            .filter(|o| o.sealing_key == ours && o.valid_at(now))
            .collect();
        if mine.is_empty() && enforced(Rule::OperatorAccredited) {
            return Err(VerifyError::OperatorNotAccredited);
        }
        let op = mine
            .iter()
            .find(|o| o.id == audience)
            .or_else(|| mine.first().filter(|_| !enforced(Rule::AudienceMatches)));
        let Some(op) = op else {
            return Err(VerifyError::WrongAudience {
                audience: audience.to_owned(),
            });
        };
        Ok(CheckedToken {
            operator_key: operator.public_key(),
            operator_id: op.id.clone(),
            step1,
            kdf_limits: self.policy.kdf_limits,
        })
    }
}

/// A second-level token that passed every check that does not need the CF.
#[derive(Clone, Debug)]
pub struct CheckedToken {
    step1: StepOne<SecondLevelClaims>,
    /// The accredited key the checks were made for: step 2 must use it.
    operator_key: attesta_core::operator_key::OperatorPublicKey,
    operator_id: String,
    kdf_limits: KdfLimits,
}

impl CheckedToken {
    /// Step 2: opens the sealed details with the operator key and the holder's CF.
    pub fn open_str(
        &self,
        operator: &OperatorSecretKey,
        cf: &str,
    ) -> Result<VerifiedDetails, VerifyError> {
        if operator.public_key() != self.operator_key {
            return Err(VerifyError::NotForThisOperator);
        }
        let cf = CodiceFiscale::parse(cf).map_err(VerifyError::CfMalformed)?;
        let details = self
            .step1
            .claims()
            .sealed()
            .open(
                operator,
                &cf,
                self.step1.claims().cti(),
                self.step1.claims().audience(),
                &self.kdf_limits,
            )
            .map_err(|e| open_error(e, &self.kdf_limits))?;
        Ok(VerifiedDetails {
            checked: self.clone(),
            details,
        })
    }
    /// The issuer id.
    pub fn issuer_id(&self) -> &str {
        &self.step1.issuer().id
    }
    /// The kid of the signing key.
    pub fn kid(&self) -> Kid {
        self.step1.issuer().kid()
    }
    /// The operator id the token is addressed to (yours).
    pub fn operator_id(&self) -> &str {
        &self.operator_id
    }
    /// The claims.
    pub fn claims(&self) -> &SecondLevelClaims {
        self.step1.claims()
    }
    /// The first-level credential it belongs to.
    pub fn first_level_cti(&self) -> &Cti {
        self.step1.claims().first_level_cti()
    }
    /// Whether revocation was checked.
    pub fn revocation(&self) -> &Revocation {
        self.step1.revocation()
    }
    /// The time the checks used.
    pub fn checked_at(&self) -> Timestamp {
        self.step1.checked_at()
    }
}

/// Fully verified second-level details: genuine, current, addressed to
/// this operator, and opened with the holder's CF.
#[derive(Clone, Debug)]
pub struct VerifiedDetails {
    checked: CheckedToken,
    details: SecondLevelDetails,
}

impl VerifiedDetails {
    /// The details.
    pub fn details(&self) -> &SecondLevelDetails {
        &self.details
    }
    /// The checks of step 1.
    pub fn checked(&self) -> &CheckedToken {
        &self.checked
    }
}

/// A code that passed every check that does not need the CF.
#[derive(Clone, Debug)]
pub struct CheckedCredential {
    step1: StepOne<FirstLevelClaims>,
    kdf_limits: KdfLimits,
}

impl CheckedCredential {
    /// Step 2: opens the envelope with the holder's CF (given as typed;
    /// it is validated first so that a typo is reported as a typo). A code
    /// protected by the holder's secret is [`VerifyError::SecretRequired`]:
    /// see [`CheckedCredential::requires_secret`] and
    /// [`CheckedCredential::open_with_secret_str`].
    pub fn open_str(&self, cf: &str) -> Result<VerifiedAttestation, VerifyError> {
        self.open_with_secret_str(cf, None)
    }

    /// Step 2 with the holder's secret as typed, for a code that needs one
    /// (a secret given for a code that has none is not used). The CF is
    /// validated first, then the secret's check character, so that typos
    /// are reported as typos before any key derivation.
    ///
    /// ```no_run
    /// # fn f(checked: attesta_verify::CheckedCredential) -> Result<(), attesta_verify::VerifyError> {
    /// let secret = checked.requires_secret().then_some("0410-6105-X");
    /// let verified = checked.open_with_secret_str("RSSMRA85T10A562S", secret)?;
    /// # Ok(()) }
    /// ```
    pub fn open_with_secret_str(
        &self,
        cf: &str,
        secret: Option<&str>,
    ) -> Result<VerifiedAttestation, VerifyError> {
        let cf = CodiceFiscale::parse(cf).map_err(VerifyError::CfMalformed)?;
        let secret = match (self.requires_secret(), secret) {
            (true, None) => return Err(VerifyError::SecretRequired),
            (true, Some(s)) => Some(HolderSecret::parse(s).map_err(VerifyError::SecretMalformed)?),
            (false, _) => None,
        };
        self.open_with_secret(&cf, secret.as_ref())
    }

    /// Step 2 with a validated CF.
    pub fn open(&self, cf: &CodiceFiscale) -> Result<VerifiedAttestation, VerifyError> {
        self.open_with_secret(cf, None)
    }

    /// Step 2 with a validated CF and, for a code that needs one, the
    /// holder's secret.
    pub fn open_with_secret(
        &self,
        cf: &CodiceFiscale,
        secret: Option<&HolderSecret>,
    ) -> Result<VerifiedAttestation, VerifyError> {
        let attestation = self
            .step1
            .claims()
            .envelope()
            .open_with_secret(cf, secret, self.step1.claims().cti(), &self.kdf_limits)
            .map_err(|e| open_error(e, &self.kdf_limits))?;
        Ok(VerifiedAttestation {
            checked: self.clone(),
            attestation,
        })
    }

    /// Whether the code opens only with the holder's secret as well as the
    /// CF: ask the holder for it before step 2.
    pub fn requires_secret(&self) -> bool {
        self.step1.claims().envelope().requires_secret()
    }

    /// The issuer id from the trust list.
    pub fn issuer_id(&self) -> &str {
        &self.step1.issuer().id
    }
    /// The kid of the key that signed.
    pub fn kid(&self) -> Kid {
        self.step1.issuer().kid()
    }
    /// The claims.
    pub fn claims(&self) -> &FirstLevelClaims {
        self.step1.claims()
    }
    /// Whether revocation was checked.
    pub fn revocation(&self) -> &Revocation {
        self.step1.revocation()
    }
    /// The time the checks used.
    pub fn checked_at(&self) -> Timestamp {
        self.step1.checked_at()
    }
}

/// A fully verified first-level attestation: genuine, current, trusted,
/// not known to be revoked, and belonging to the CF given.
#[derive(Clone, Debug)]
pub struct VerifiedAttestation {
    checked: CheckedCredential,
    attestation: Attestation,
}

impl VerifiedAttestation {
    /// What the code attests.
    pub fn attestation(&self) -> &Attestation {
        &self.attestation
    }
    /// The checks of step 1 (issuer, dates, revocation).
    pub fn checked(&self) -> &CheckedCredential {
        &self.checked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attesta_core::envelope::KdfParams;
    use attesta_core::keys::SigningKey;
    use attesta_core::second_level::{SecondLevelRequest, issue_second_level};
    use attesta_core::trust_list::OperatorEntry;
    use jiff::SignedDuration;

    #[test]
    fn step_two_must_use_the_key_that_passed_step_one() {
        let (root, issuer) = (
            SigningKey::from_seed(&[1; 32]),
            SigningKey::from_seed(&[2; 32]),
        );
        let (op, other) = (OperatorSecretKey::generate(), OperatorSecretKey::generate());
        let now = Timestamp::from_second(1_795_000_000).unwrap();
        let mut list = TrustList::default();
        list.add_issuer("INPS", issuer.public_key(), None).unwrap();
        list.add_operator(OperatorEntry {
            id: "comune-bo".into(),
            name: "Comune di Bologna".into(),
            sealing_key: op.public_key().to_bytes(),
            valid_from: None,
            valid_until: None,
        })
        .unwrap();
        let trust = list.sign(&root, now, now + SignedDuration::from_hours(24));
        let v = Verifier::new(
            &trust,
            &root.public_key(),
            &mut TrustState::default(),
            Policy {
                kdf_limits: KdfLimits::default().without_floor(),
                ..Policy::default()
            },
            now,
        )
        .unwrap();
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
        let token = issue_second_level(
            &issuer,
            &cf,
            &SecondLevelRequest {
                details: SecondLevelDetails {
                    deafness: true,
                    ..Default::default()
                },
                audience: "comune-bo".into(),
                operator_key: op.public_key(),
                first_level_cti: Cti::from_bytes([3; 8]),
                status: None,
                issued_at: now,
                expires_at: now + SignedDuration::from_hours(24),
                kdf: KdfParams::INSECURE_TEST,
            },
        )
        .unwrap();
        let checked = v.check_second_level(token.text(), &op, now).unwrap();
        assert!(
            checked
                .open_str(&op, cf.as_str())
                .unwrap()
                .details()
                .deafness
        );
        assert_eq!(
            checked.open_str(&other, cf.as_str()).err(),
            Some(VerifyError::NotForThisOperator)
        );
        assert_eq!(
            v.check_second_level(token.text(), &other, now).err(),
            Some(VerifyError::OperatorNotAccredited)
        );
    }
}
