//! Offline verification of first-level codes, in two steps.
//!
//! 1. [`Verifier::check`], without the CF: format, signature by a trusted
//!    issuer key valid at issuance, validity dates, revocation.
//! 2. [`CheckedCredential::open`], with the holder's CF: the CF is
//!    validated, then it opens the envelope; a wrong CF is
//!    [`VerifyError::CfMismatch`]. A code the holder asked to protect with
//!    a secret ([`CheckedCredential::requires_secret`]) opens with
//!    [`CheckedCredential::open_with_secret_str`] and the CF together.
//!
//! Results can only be built here: [`CheckedCredential`] and
//! [`VerifiedAttestation`] have private fields and no public constructor,
//! so holding one proves the checks ran.

use attesta_core::cf::{CfError, CodiceFiscale};
use attesta_core::claims::StatusRef;
use attesta_core::cose::{UnverifiedSign1, VerifiedPayload};
use attesta_core::credential::{Cti, FirstLevelClaims, FirstLevelCode, OpenError};
use attesta_core::envelope::KdfLimits;
use attesta_core::error::FormatError;
use attesta_core::keys::Kid;
use attesta_core::model::Attestation;
use attesta_core::model::SecondLevelDetails;
use attesta_core::operator_key::OperatorSecretKey;
use attesta_core::rules::{Rule, enforced};
use attesta_core::second_level::{SecondLevelClaims, SecondLevelCode};
use attesta_core::secret::{HolderSecret, SecretError};
use jiff::{SignedDuration, Timestamp};

use crate::status_list::{CredentialStatus, StatusListError, StatusListToken};
use crate::trust::{IssuerEntry, TrustError, TrustList, TrustPolicy, TrustState};

/// What to do when a code has a status-list reference but no current list
/// for it was loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RevocationPolicy {
    /// Accept, and say in the result that revocation was not checked.
    #[default]
    ReportNotChecked,
    /// Refuse with [`VerifyError::RevocationNotChecked`].
    Require,
}

/// Verification policy. The defaults are documented in docs/verifier-guide.md.
///
/// `kdf_limits` holds the caps on a code's KDF parameters and their floor
/// (the issuing default, 19 MiB and 2 passes): first-level codes below
/// the floor are refused in step 1 (`kdf_below_floor`), the inner layer of
/// second-level tokens when it is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Tolerance for clock differences between issuer and verifier,
    /// applied to `iat`, `nbf` and `exp` of codes and to the `iat` and
    /// `exp` of status lists. Default ±5 minutes. (Trust lists have their
    /// own, [`TrustPolicy::clock_skew`].)
    pub clock_skew: SignedDuration,
    /// Trust-list age limits.
    pub trust: TrustPolicy,
    /// Status lists issued longer ago than this are stale even without
    /// `exp`. Default 30 days.
    pub status_list_max_age: SignedDuration,
    /// Limits on the KDF parameters a code may ask for.
    pub kdf_limits: KdfLimits,
    /// Missing revocation information.
    pub revocation: RevocationPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            clock_skew: SignedDuration::from_mins(5),
            trust: TrustPolicy::default(),
            status_list_max_age: SignedDuration::from_hours(24 * 30),
            kdf_limits: KdfLimits::default(),
            revocation: RevocationPolicy::default(),
        }
    }
}

/// Whether revocation was checked.
///
/// A credential's status is read only from a list signed by the very key
/// that signed the credential: lists of the issuer's other keys (after a
/// key rotation) never answer for it, whatever their uri.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Revocation {
    /// Checked against a current list: not revoked.
    Checked {
        /// The list's uri.
        list_uri: String,
        /// The kid of the key that signed both the list and the credential.
        list_kid: Kid,
        /// When the list was issued.
        list_issued_at: Timestamp,
    },
    /// The code has a status reference but no list for it was loaded.
    NotChecked {
        /// The list's uri the code refers to.
        list_uri: String,
        /// The kid of the key whose list is needed (the credential's).
        list_kid: Kid,
    },
    /// The code carries no status reference (its issuer does not revoke).
    NotRevocable,
}

/// Why a code is not valid, or could not be verified. Each variant has a
/// stable [`VerifyError::code`], one [`VerifyError::verdict`] and a message
/// in Italian and English ([`VerifyError::message`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(attesta_core::lang::Lang::En))]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a well-formed code.
    Format(#[from] FormatError),
    /// No trusted key has the code's kid.
    UnknownKid(Kid),
    /// The signing key was revoked (denied in the trust list).
    DeniedKid(Kid),
    /// No trusted key with the kid verifies the signature.
    BadSignature,
    /// The key was not valid when the code says it was issued.
    KeyNotValidAtIssuance {
        /// The code's iat.
        issued: Timestamp,
    },
    /// `iss` does not match the trust list's issuer of the key.
    IssuerMismatch {
        /// iss claim.
        claimed: String,
        /// Trust-list issuer.
        actual: String,
    },
    /// Not valid yet.
    NotYetValid {
        /// Start of validity.
        from: Timestamp,
    },
    /// Expired.
    Expired {
        /// Expiry.
        on: Timestamp,
    },
    /// Revoked by the issuer.
    Revoked,
    /// Suspended by the issuer.
    Suspended,
    /// The status index is outside the loaded list.
    StatusIndexOutOfRange {
        /// The index.
        idx: u64,
    },
    /// Revocation could not be checked and policy requires it.
    RevocationNotChecked {
        /// The uri needed.
        list_uri: String,
        /// The kid of the key whose list is needed.
        kid: Kid,
    },
    /// A status list that cannot be used.
    StatusList(#[from] StatusListError),
    /// A status list not signed by a trusted issuer key.
    StatusListUntrusted,
    /// A status list of another issuer.
    StatusListWrongIssuer {
        /// uri.
        uri: String,
        /// The list's signer.
        list_issuer: String,
        /// The code's signer.
        code_issuer: String,
    },
    /// A status list issued after the verification time (beyond the skew).
    StatusListIssuedInFuture {
        /// uri.
        uri: String,
        /// Its `iat`.
        issued: Timestamp,
    },
    /// A status list past its expiry or maximum age.
    StatusListStale {
        /// uri.
        uri: String,
        /// Issue time.
        issued: Timestamp,
    },
    /// The trust list was refused.
    Trust(#[from] TrustError),
    /// The CF typed is not a valid codice fiscale.
    CfMalformed(CfError),
    /// The CF does not open the code.
    CfMismatch,
    /// The code is protected by the holder's secret, and none was given.
    SecretRequired,
    /// The holder's secret typed is not well formed (its check character
    /// catches typos before any key derivation).
    SecretMalformed(SecretError),
    /// The CF and the holder's secret together do not open the code.
    CfOrSecretMismatch,
    /// A second-level token addressed to another operator.
    WrongAudience {
        /// The token's audience.
        audience: String,
    },
    /// The operator key is not accredited in the trust list.
    OperatorNotAccredited,
    /// The operator key does not open the token.
    NotForThisOperator,
    /// KDF parameters below the floor: the envelope is too cheap to guess.
    KdfBelowFloor {
        /// Memory.
        m: u32,
        /// Passes.
        t: u32,
        /// The floor's memory.
        min_m: u32,
        /// The floor's passes.
        min_t: u32,
    },
    /// KDF parameters beyond limits.
    KdfParamsOutOfBounds {
        /// Memory.
        m: u32,
        /// Passes.
        t: u32,
        /// Lanes.
        p: u32,
    },
}

impl VerifyError {
    /// The stable machine-readable code (`reason` in `attesta verify --json`).
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Format(e) => e.code(),
            VerifyError::UnknownKid(_) => "unknown_kid",
            VerifyError::DeniedKid(_) => "denied_kid",
            VerifyError::BadSignature => "bad_signature",
            VerifyError::KeyNotValidAtIssuance { .. } => "key_not_valid_at_issuance",
            VerifyError::IssuerMismatch { .. } => "issuer_mismatch",
            VerifyError::NotYetValid { .. } => "not_yet_valid",
            VerifyError::Expired { .. } => "expired",
            VerifyError::Revoked => "revoked",
            VerifyError::Suspended => "suspended",
            VerifyError::StatusIndexOutOfRange { .. } => "status_index_out_of_range",
            VerifyError::RevocationNotChecked { .. } => "revocation_not_checked",
            VerifyError::StatusList(e) => e.code(),
            VerifyError::StatusListUntrusted => "status_list_untrusted",
            VerifyError::StatusListWrongIssuer { .. } => "status_list_wrong_issuer",
            VerifyError::StatusListStale { .. } => "status_list_stale",
            VerifyError::StatusListIssuedInFuture { .. } => "status_list_issued_in_future",
            VerifyError::Trust(e) => e.code(),
            VerifyError::CfMalformed(_) => "cf_malformed",
            VerifyError::CfMismatch => "cf_mismatch",
            VerifyError::SecretRequired => "secret_required",
            VerifyError::SecretMalformed(_) => "secret_malformed",
            VerifyError::CfOrSecretMismatch => "cf_or_secret_mismatch",
            VerifyError::KdfParamsOutOfBounds { .. } => "kdf_params_out_of_bounds",
            VerifyError::KdfBelowFloor { .. } => "kdf_below_floor",
            VerifyError::WrongAudience { .. } => "wrong_audience",
            VerifyError::OperatorNotAccredited => "operator_not_accredited",
            VerifyError::NotForThisOperator => "not_for_this_operator",
        }
    }
}

/// `t + d`, saturating at the ends of time instead of panicking: dates
/// come from untrusted codes.
fn shift(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

struct LoadedStatusList {
    /// The key whose signature verified: the list answers only for
    /// credentials signed by this same key.
    signer: attesta_core::keys::PublicKey,
    /// Every trust-list issuer id under which that key is listed (for the
    /// message when a list of another issuer is loaded).
    issuer_ids: Vec<String>,
    token: StatusListToken,
}

/// An offline verifier: a trust list, status lists and a policy.
///
/// ```
/// # use attesta_core::{cf::CodiceFiscale, credential::*, envelope::KdfParams, keys::SigningKey, model::*};
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
    status_lists: Vec<LoadedStatusList>,
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
            status_lists: Vec::new(),
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
        let u = StatusListToken::parse_unverified(bytes)?;
        let (signers, payload) = self.signers(&u).map_err(|e| {
            if enforced(Rule::StatusListTrusted) {
                VerifyError::StatusListUntrusted
            } else {
                e
            }
        })?;
        let token = StatusListToken::from_verified(&payload)?;
        let Some(first) = signers.first() else {
            return Err(VerifyError::StatusListUntrusted);
        };
        let signer = first.key;
        let now = self.effective_time(now);
        // Security review, finding 7: a list "issued" in the future is not
        // a list anybody could have fetched yet; it would also outlive its
        // maximum age.
        if shift(now, self.policy.clock_skew) < token.issued_at
            && enforced(Rule::StatusListNotFuture)
        {
            return Err(VerifyError::StatusListIssuedInFuture {
                uri: token.uri.clone(),
                issued: token.issued_at,
            });
        }
        let stale = (token
            .expires_at
            .is_some_and(|e| now > shift(e, self.policy.clock_skew))
            && enforced(Rule::StatusListExp))
            || (now.duration_since(token.issued_at) > self.policy.status_list_max_age
                && enforced(Rule::StatusListAge));
        if stale {
            return Err(VerifyError::StatusListStale {
                uri: token.uri.clone(),
                issued: token.issued_at,
            });
        }
        let mut issuer_ids: Vec<String> = Vec::new();
        for e in signers.iter().filter(|e| e.key == signer) {
            if !issuer_ids.contains(&e.id) {
                issuer_ids.push(e.id.clone());
            }
        }
        self.status_lists.push(LoadedStatusList {
            signer,
            issuer_ids,
            token,
        });
        Ok(())
    }

    /// The trust-list entries whose key verifies `sign1`, and its payload.
    /// Every key sharing the kid is tried (kids are 4 bytes and may
    /// collide), and every entry is returned, so that the choice among them
    /// (by validity window) does not depend on the order of the list.
    fn signers(
        &self,
        sign1: &UnverifiedSign1,
    ) -> Result<(Vec<&IssuerEntry>, VerifiedPayload), VerifyError> {
        let kid = sign1.kid();
        if self.trust.denied.contains(&kid) && enforced(Rule::DeniedKid) {
            return Err(VerifyError::DeniedKid(kid));
        }
        // Denied keys are left out; keys that merely share their kid are
        // still tried.
        let mut candidates: Vec<&IssuerEntry> = self.trust.issuers_with_kid(kid).collect();
        if !enforced(Rule::KidTriesEveryKey) {
            candidates.truncate(1);
        }
        if candidates.is_empty() {
            return Err(if self.trust.denies_kid(kid) {
                VerifyError::DeniedKid(kid)
            } else {
                VerifyError::UnknownKid(kid)
            });
        }
        let mut payload = None;
        let mut signers = Vec::new();
        let mut checked: Vec<(&attesta_core::keys::PublicKey, bool)> = Vec::new();
        for e in candidates {
            let ok = match checked.iter().find(|(k, _)| **k == e.key) {
                Some((_, ok)) => *ok,
                None => {
                    let p = sign1.verify(&e.key);
                    let ok = p.is_some();
                    if payload.is_none() {
                        payload = p;
                    }
                    checked.push((&e.key, ok));
                    ok
                }
            };
            if ok {
                signers.push(e);
            }
        }
        match payload {
            Some(p) => Ok((signers, p)),
            // The denied key itself is gone from the list, so its signature
            // cannot be checked; with its kid denied, that is the likely
            // signer, and the answer is the same: do not accept.
            None if self.trust.denies_kid(kid) => Err(VerifyError::DeniedKid(kid)),
            None => Err(VerifyError::BadSignature),
        }
    }

    /// Among the entries that verified, one whose window contains `iat`
    /// (preferring the one named by `iss`).
    fn signer_at<'a>(
        signers: &[&'a IssuerEntry],
        iat: Timestamp,
        iss: Option<&str>,
    ) -> Result<&'a IssuerEntry, VerifyError> {
        let valid: Vec<&IssuerEntry> = signers
            .iter()
            .copied()
            .filter(|e| e.valid_at(iat) || !enforced(Rule::KeyWindow))
            .collect();
        let chosen = iss
            .and_then(|i| valid.iter().find(|e| e.id == i))
            .or(valid.first())
            .copied()
            .ok_or(VerifyError::KeyNotValidAtIssuance { issued: iat })?;
        if let Some(i) = iss
            && i != chosen.id
            && enforced(Rule::IssuerMatches)
        {
            return Err(VerifyError::IssuerMismatch {
                claimed: i.to_owned(),
                actual: chosen.id.clone(),
            });
        }
        Ok(chosen)
    }

    /// Step 1: everything that does not need the CF.
    pub fn check(&self, text: &str, at: Timestamp) -> Result<CheckedCredential, VerifyError> {
        let now = self.effective_time(at);
        let code = FirstLevelCode::parse(text)?;
        let (signers, payload) = self.signers(code.sign1())?;
        // Nothing in the payload is read before a trusted key verified it.
        let claims = FirstLevelClaims::from_verified(&payload)?;
        let issuer = Self::signer_at(&signers, claims.issued_at(), claims.issuer())?;
        self.check_dates(
            claims.issued_at(),
            claims.not_before(),
            claims.expires_at(),
            now,
        )?;
        let revocation = self.check_revocation(claims.status(), issuer)?;
        // The envelope's cost is part of the code's validity: below the
        // floor, anyone who can guess the CF reads the content cheaply.
        // Checked here, without the CF, so the operator learns it at once.
        let kdf = claims.envelope().kdf();
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
            issuer: issuer.clone(),
            claims,
            revocation,
            checked_at: now,
            kdf_limits: self.policy.kdf_limits,
        })
    }

    fn check_dates(
        &self,
        iat: Timestamp,
        nbf: Option<Timestamp>,
        exp: Timestamp,
        now: Timestamp,
    ) -> Result<(), VerifyError> {
        let mut skew = self.policy.clock_skew;
        if !enforced(Rule::ClockSkew) {
            skew += SignedDuration::from_secs(1);
        }
        let start = nbf.unwrap_or(iat).max(iat);
        if shift(now, skew) < start && enforced(Rule::NotYetValid) {
            return Err(VerifyError::NotYetValid { from: start });
        }
        if shift(now, -skew) > exp && enforced(Rule::Expired) {
            return Err(VerifyError::Expired { on: exp });
        }
        Ok(())
    }

    fn check_revocation(
        &self,
        status: Option<&StatusRef>,
        issuer: &IssuerEntry,
    ) -> Result<Revocation, VerifyError> {
        let Some(s) = status else {
            return Ok(Revocation::NotRevocable);
        };
        let same_uri = || self.status_lists.iter().filter(|l| l.token.uri == s.uri);
        // Only a list signed by the credential's own key answers for it: an
        // issuer's keys each keep their own lists, and after a rotation the
        // new key's list "1" says nothing about the old key's entry 17.
        let own: Vec<&LoadedStatusList> = same_uri()
            .filter(|l| {
                l.signer == issuer.key
                    || (!enforced(Rule::StatusSameKey) && l.issuer_ids.contains(&issuer.id))
            })
            .collect();
        // Lists still tied after `iat` and `exp` each answer; the most
        // severe answer stands, whatever the order they were loaded in.
        let mut answers = newest_lists(&own)
            .into_iter()
            .map(|l| (l, list_answer(l, s.idx)));
        let chosen = if enforced(Rule::StatusTieSeverity) {
            answers.max_by_key(|(_, a)| a.severity())
        } else {
            answers.next_back()
        };
        let Some((list, answer)) = chosen else {
            // A list of another issuer under this uri is a misconfiguration
            // worth naming (one issuer must never answer for another's codes).
            if let Some(other) = same_uri().find(|l| !l.issuer_ids.contains(&issuer.id))
                && enforced(Rule::StatusWrongIssuer)
            {
                return Err(VerifyError::StatusListWrongIssuer {
                    uri: s.uri.clone(),
                    list_issuer: other.issuer_ids.join(", "),
                    code_issuer: issuer.id.clone(),
                });
            }
            return match self.policy.revocation {
                RevocationPolicy::Require if enforced(Rule::StatusRequired) => {
                    Err(VerifyError::RevocationNotChecked {
                        list_uri: s.uri.clone(),
                        kid: issuer.kid(),
                    })
                }
                _ => Ok(Revocation::NotChecked {
                    list_uri: s.uri.clone(),
                    list_kid: issuer.kid(),
                }),
            };
        };
        match answer {
            ListAnswer::OutOfRange => Err(VerifyError::StatusIndexOutOfRange { idx: s.idx }),
            ListAnswer::Valid => Ok(Revocation::Checked {
                list_uri: s.uri.clone(),
                list_kid: issuer.kid(),
                list_issued_at: list.token.issued_at,
            }),
            ListAnswer::Suspended => Err(VerifyError::Suspended),
            ListAnswer::Revoked => Err(VerifyError::Revoked),
        }
    }
}

/// What one status list says about one entry (docs/format.md §11.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListAnswer {
    Valid,
    OutOfRange,
    Suspended,
    /// Value 1, and value 3, which has no meaning in attesta: refusing is
    /// the safe side.
    Revoked,
}

impl ListAnswer {
    /// The order in which tied lists are judged: revoked, then suspended,
    /// then out of range, then valid.
    fn severity(self) -> u8 {
        match self {
            ListAnswer::Valid => 0,
            ListAnswer::OutOfRange => 1,
            ListAnswer::Suspended => 2,
            ListAnswer::Revoked => 3,
        }
    }
}

fn list_answer(l: &LoadedStatusList, idx: u64) -> ListAnswer {
    match l.token.list.get(idx) {
        None if enforced(Rule::StatusIndexInRange) => ListAnswer::OutOfRange,
        None | Some(CredentialStatus::Valid) => ListAnswer::Valid,
        Some(CredentialStatus::Suspended) if enforced(Rule::StatusSuspended) => {
            ListAnswer::Suspended
        }
        Some(CredentialStatus::Suspended) => ListAnswer::Valid,
        Some(CredentialStatus::Other(3)) if !enforced(Rule::StatusValue3) => ListAnswer::Valid,
        Some(_) => ListAnswer::Revoked,
    }
}

/// The lists that answer among a credential's own lists (docs/format.md
/// §11.4): those with the newest `iat`, and among them those with the
/// latest `exp` (a list without `exp` counts as later than any); none
/// when there are none. An older copy may predate a revocation; the rule
/// never depends on the order the lists were loaded in.
fn newest_lists<'a>(lists: &[&'a LoadedStatusList]) -> Vec<&'a LoadedStatusList> {
    if !enforced(Rule::StatusNewest) {
        return lists.iter().take(1).copied().collect();
    }
    let rank = |l: &LoadedStatusList| {
        let exp = if enforced(Rule::StatusTieExp) {
            Some((l.token.expires_at.is_none(), l.token.expires_at))
        } else {
            None
        };
        (l.token.issued_at, exp)
    };
    let best = lists.iter().map(|l| rank(l)).max();
    lists
        .iter()
        .copied()
        .filter(|l| Some(rank(l)) == best)
        .collect()
}

impl Verifier {
    /// Step 1 for a second-level token, as the operator holding
    /// `operator`: signature, validity, revocation of the first-level
    /// credential, accreditation and audience.
    pub fn check_second_level(
        &self,
        text: &str,
        operator: &OperatorSecretKey,
        at: Timestamp,
    ) -> Result<CheckedToken, VerifyError> {
        let now = self.effective_time(at);
        let code = SecondLevelCode::parse(text)?;
        let (signers, payload) = self.signers(code.sign1())?;
        let claims = SecondLevelClaims::from_verified(&payload)?;
        let issuer = Self::signer_at(&signers, claims.issued_at(), claims.issuer())?;
        self.check_dates(
            claims.issued_at(),
            claims.not_before(),
            claims.expires_at(),
            now,
        )?;
        let revocation = self.check_revocation(claims.status(), issuer)?;
        // Which accredited operators does this key belong to?
        let ours = operator.public_key().to_bytes();
        let mine: Vec<_> = self
            .trust
            .operators
            .iter()
            .filter(|o| {
                o.sealing_key == ours
                    && o.valid_from.is_none_or(|f| now >= f)
                    && o.valid_until.is_none_or(|u| now <= u)
            })
            .collect();
        if mine.is_empty() && enforced(Rule::OperatorAccredited) {
            return Err(VerifyError::OperatorNotAccredited);
        }
        let op = mine
            .iter()
            .find(|o| o.id == claims.audience())
            .or_else(|| mine.first().filter(|_| !enforced(Rule::AudienceMatches)));
        let Some(op) = op else {
            return Err(VerifyError::WrongAudience {
                audience: claims.audience().to_owned(),
            });
        };
        Ok(CheckedToken {
            issuer: issuer.clone(),
            operator_key: operator.public_key(),
            operator_id: op.id.clone(),
            claims,
            revocation,
            checked_at: now,
            kdf_limits: self.policy.kdf_limits,
        })
    }
}

/// A second-level token that passed every check that does not need the CF.
#[derive(Clone, Debug)]
pub struct CheckedToken {
    issuer: IssuerEntry,
    /// The accredited key the checks were made for: step 2 must use it.
    operator_key: attesta_core::operator_key::OperatorPublicKey,
    operator_id: String,
    claims: SecondLevelClaims,
    revocation: Revocation,
    checked_at: Timestamp,
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
            .claims
            .sealed()
            .open(
                operator,
                &cf,
                self.claims.cti(),
                self.claims.audience(),
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
        &self.issuer.id
    }
    /// The kid of the signing key.
    pub fn kid(&self) -> Kid {
        self.issuer.kid()
    }
    /// The operator id the token is addressed to (yours).
    pub fn operator_id(&self) -> &str {
        &self.operator_id
    }
    /// The claims.
    pub fn claims(&self) -> &SecondLevelClaims {
        &self.claims
    }
    /// The first-level credential it belongs to.
    pub fn first_level_cti(&self) -> &Cti {
        self.claims.first_level_cti()
    }
    /// Whether revocation was checked.
    pub fn revocation(&self) -> &Revocation {
        &self.revocation
    }
    /// The time the checks used.
    pub fn checked_at(&self) -> Timestamp {
        self.checked_at
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

fn open_error(e: OpenError, limits: &KdfLimits) -> VerifyError {
    match e {
        OpenError::KdfBelowFloor { m, t, .. } => VerifyError::KdfBelowFloor {
            m,
            t,
            min_m: limits.min_memory_mib,
            min_t: limits.min_iterations,
        },
        OpenError::CfMismatch => VerifyError::CfMismatch,
        OpenError::SecretRequired => VerifyError::SecretRequired,
        OpenError::CfOrSecretMismatch => VerifyError::CfOrSecretMismatch,
        OpenError::NotForThisOperator => VerifyError::NotForThisOperator,
        OpenError::KdfParamsOutOfBounds { m, t, p } => {
            VerifyError::KdfParamsOutOfBounds { m, t, p }
        }
        OpenError::Content(f) => VerifyError::Format(f),
    }
}

/// A code that passed every check that does not need the CF.
#[derive(Clone, Debug)]
pub struct CheckedCredential {
    issuer: IssuerEntry,
    claims: FirstLevelClaims,
    revocation: Revocation,
    checked_at: Timestamp,
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
            .claims
            .envelope()
            .open_with_secret(cf, secret, self.claims.cti(), &self.kdf_limits)
            .map_err(|e| open_error(e, &self.kdf_limits))?;
        Ok(VerifiedAttestation {
            checked: self.clone(),
            attestation,
        })
    }

    /// Whether the code opens only with the holder's secret as well as the
    /// CF: ask the holder for it before step 2.
    pub fn requires_secret(&self) -> bool {
        self.claims.envelope().requires_secret()
    }

    /// The issuer id from the trust list.
    pub fn issuer_id(&self) -> &str {
        &self.issuer.id
    }
    /// The kid of the key that signed.
    pub fn kid(&self) -> Kid {
        self.issuer.kid()
    }
    /// The claims.
    pub fn claims(&self) -> &FirstLevelClaims {
        &self.claims
    }
    /// Whether revocation was checked.
    pub fn revocation(&self) -> &Revocation {
        &self.revocation
    }
    /// The time the checks used.
    pub fn checked_at(&self) -> Timestamp {
        self.checked_at
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
    use crate::trust::{OperatorEntry, TrustList};
    use attesta_core::credential::Cti;
    use attesta_core::envelope::KdfParams;
    use attesta_core::keys::SigningKey;
    use attesta_core::second_level::{SecondLevelRequest, issue_second_level};

    #[test]
    fn every_way_of_not_opening_keeps_its_own_reason() {
        use attesta_core::error::FormatError;
        // Before, a variant the verifier did not list answered cf_mismatch:
        // "not this holder's code" for any other failure.
        let every = [
            OpenError::KdfParamsOutOfBounds { m: 1, t: 1, p: 1 },
            OpenError::KdfBelowFloor { m: 1, t: 1, p: 1 },
            OpenError::CfMismatch,
            OpenError::SecretRequired,
            OpenError::CfOrSecretMismatch,
            OpenError::NotForThisOperator,
            OpenError::Content(FormatError::MissingKid),
        ];
        for e in every {
            let code = e.code();
            assert_eq!(open_error(e, &KdfLimits::default()).code(), code);
        }
    }

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
