//! Second-level details for one of the issuer's own first-level codes: the
//! checks an issuer makes before it seals details to an operator.
//!
//! 1. The operator is accredited in the issuer's trust list at the time of
//!    issue (both ends of its window, as a verifier checks them).
//! 2. The first-level code was signed by this issuer's key
//!    ([`FirstLevelCode::danger_read_back`]: the issuer reads back its own
//!    code; no verifier policy applies).
//! 3. The holder's codice fiscale (and secret, if the code has one) opens
//!    it: details go only with their own holder's code.
//! 4. The details do not contradict the first level
//!    ([`SecondLevelDetails::check_against`]).
//! 5. The token expires at the earliest of the validity asked for (1 to
//!    365 days), the first-level code's expiry and the end of the
//!    operator's accreditation: it is useless after any of them.
//!
//! ```
//! # use attesta_core::{cf::CodiceFiscale, credential::*, envelope::KdfParams, keys::SigningKey, model::*};
//! # use attesta_core::operator_key::OperatorSecretKey;
//! # use attesta_core::trust_list::{OperatorEntry, TrustList};
//! use attesta_core::details_issuing::{DetailsForCredential, issue_details_for_credential};
//! # use jiff::{Timestamp, ToSpan};
//! # let key = SigningKey::generate()?;
//! # let now = Timestamp::from_second(Timestamp::now().as_second())?;
//! # let cf = CodiceFiscale::parse("RSSMRA85T10A562S")?;
//! # let issued = issue_first_level(&key, &cf, &FirstLevelRequest {
//! #     attestation: Attestation::builder().deafness(true).build()?, issued_at: now, not_before: None,
//! #     expires_at: now + 24.hours(), status: None, issuer: None, kdf: KdfParams::INSECURE_TEST })?;
//! # let operator = OperatorSecretKey::generate();
//! let mut trust = TrustList::default();
//! trust.add_operator(OperatorEntry {
//!     id: "comune-bo".into(),
//!     name: "Comune di Bologna".into(),
//!     sealing_key: operator.public_key().to_bytes(),
//!     valid_from: None,
//!     valid_until: None,
//! })?;
//! let request = DetailsForCredential {
//!     credential: issued.text(),
//!     details: SecondLevelDetails { deafness: true, ..Default::default() },
//!     operator_id: "comune-bo",
//!     valid_days: 30,
//!     issued_at: now,
//!     kdf: KdfParams::INSECURE_TEST,
//! };
//! let token = issue_details_for_credential(&key, &trust, &cf, None, &request)?;
//! // Never later than the first-level code it belongs to.
//! assert_eq!(token.expires_at, now + 24.hours());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use jiff::{SignedDuration, Timestamp};

use crate::cf::CodiceFiscale;
use crate::credential::{FirstLevelCode, IssueError, IssuedCredential, OpenError, ReadBackError};
use crate::envelope::{KdfLimits, KdfParams};
use crate::error::FormatError;
use crate::lang::Lang;
use crate::model::{ModelError, SecondLevelDetails};
use crate::operator_key::OperatorPublicKey;
use crate::second_level::{SecondLevelRequest, issue_second_level};
use crate::secret::HolderSecret;
use crate::signer::Signer;
use crate::trust_list::{OperatorEntry, TrustList};

/// Longest validity of a second-level token, in days.
pub const MAX_VALID_DAYS: u32 = 365;

/// What an issuer is asked for: details about one of its first-level codes,
/// for one accredited operator.
#[derive(Clone, Debug)]
pub struct DetailsForCredential<'a> {
    /// The holder's first-level code, as text.
    pub credential: &'a str,
    /// The details to seal (validated by [`SecondLevelDetails::validate`]).
    pub details: SecondLevelDetails,
    /// The operator's id in the trust list.
    pub operator_id: &'a str,
    /// Days of validity asked for, kept within 1 to [`MAX_VALID_DAYS`].
    pub valid_days: u32,
    /// The time of issue.
    pub issued_at: Timestamp,
    /// Argon2id parameters of the inner layer.
    pub kdf: KdfParams,
}

/// A second-level token made for a first-level code.
#[derive(Clone, Debug)]
pub struct IssuedDetails {
    /// The signed token.
    pub token: IssuedCredential,
    /// The operator it is sealed to, from the trust list.
    pub operator: OperatorEntry,
    /// Its expiry, after the clamps of step 5 (module docs).
    pub expires_at: Timestamp,
}

/// Why second-level details could not be issued for a code. Each variant
/// has a stable [`DetailsError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DetailsError {
    /// The operator is not in the trust list, or not accredited at the
    /// time of issue.
    #[error(
        "operator '{id}' is not accredited in the trust list at this time; look up the operators and their validity in the issuer's trust list"
    )]
    OperatorNotAccredited {
        /// The operator id asked for.
        id: String,
    },
    /// The credential is not a first-level code.
    #[error("the credential is not a first-level attestation ({0})")]
    NotFirstLevel(FormatError),
    /// The credential was not signed by this issuer's key, or is malformed.
    #[error(transparent)]
    ReadBack(ReadBackError),
    /// The credential is protected by the holder's secret, and none was given.
    #[error(
        "the credential is protected by the holder's secret: the holder gives it with the request"
    )]
    SecretRequired,
    /// The codice fiscale does not open the credential.
    #[error("the codice fiscale does not match the credential")]
    CfMismatch,
    /// The codice fiscale and the holder's secret do not open the credential.
    #[error("the codice fiscale and the secret do not open the credential")]
    CfOrSecretMismatch,
    /// The credential's envelope could not be opened for another reason.
    #[error("the credential cannot be opened: {0}")]
    Open(OpenError),
    /// The details are invalid, or contradict the first level.
    #[error("{}", .0.message(Lang::En))]
    Details(ModelError),
    /// Sealing or signing failed.
    #[error(transparent)]
    Issue(IssueError),
}

impl DetailsError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DetailsError::OperatorNotAccredited { .. } => "operator_not_accredited",
            DetailsError::NotFirstLevel(e) => e.code(),
            DetailsError::ReadBack(e) => e.code(),
            DetailsError::SecretRequired => "secret_required",
            DetailsError::CfMismatch => "cf_mismatch",
            DetailsError::CfOrSecretMismatch => "cf_or_secret_mismatch",
            DetailsError::Open(e) => e.code(),
            DetailsError::Details(e) => e.code(),
            DetailsError::Issue(e) => e.code(),
        }
    }

    /// The message in `lang`: the details' own errors are in both
    /// languages, the issuer's other errors in English.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            DetailsError::Details(e) => e.message(lang),
            e => e.to_string(),
        }
    }
}

/// Issues second-level details for one of the issuer's own first-level
/// codes, after the checks of the module docs.
pub fn issue_details_for_credential(
    key: &(impl Signer + ?Sized),
    trust: &TrustList,
    cf: &CodiceFiscale,
    secret: Option<&HolderSecret>,
    req: &DetailsForCredential<'_>,
) -> Result<IssuedDetails, DetailsError> {
    let operator = trust
        .operator(req.operator_id)
        .filter(|o| o.valid_at(req.issued_at))
        .ok_or_else(|| DetailsError::OperatorNotAccredited {
            id: req.operator_id.to_owned(),
        })?;
    let code = FirstLevelCode::parse(req.credential).map_err(DetailsError::NotFirstLevel)?;
    let first = code
        .danger_read_back(&key.public_key())
        .map_err(DetailsError::ReadBack)?;
    // The issuer opens its own code: the verifiers' floor on KDF cost does
    // not apply (the caps do). A code that needs the holder's secret and
    // got none is refused before any key derivation.
    let attestation = first
        .envelope()
        .open_with_secret(
            cf,
            secret,
            first.cti(),
            &KdfLimits::default().without_floor(),
        )
        .map_err(|e| match e {
            OpenError::CfMismatch => DetailsError::CfMismatch,
            OpenError::CfOrSecretMismatch => DetailsError::CfOrSecretMismatch,
            OpenError::SecretRequired => DetailsError::SecretRequired,
            e => DetailsError::Open(e),
        })?;
    req.details.validate().map_err(DetailsError::Details)?;
    // Details that contradict the first level would give the operator two
    // answers about one person.
    req.details
        .check_against(&attestation)
        .map_err(DetailsError::Details)?;
    let days = req.valid_days.clamp(1, MAX_VALID_DAYS);
    let mut expires_at =
        (req.issued_at + SignedDuration::from_hours(24 * i64::from(days))).min(first.expires_at());
    if let Some(until) = operator.valid_until {
        expires_at = expires_at.min(until);
    }
    // As signed: NumericDates are whole seconds.
    let expires_at = Timestamp::from_second(expires_at.as_second()).unwrap_or(expires_at);
    let request = SecondLevelRequest {
        details: req.details.clone(),
        audience: operator.id.clone(),
        operator_key: OperatorPublicKey::from_bytes(operator.sealing_key),
        first_level_cti: *first.cti(),
        status: first.status().cloned(),
        issued_at: req.issued_at,
        expires_at,
        kdf: req.kdf,
    };
    let token = issue_second_level(key, cf, &request).map_err(DetailsError::Issue)?;
    Ok(IssuedDetails {
        token,
        operator: operator.clone(),
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Cti, FirstLevelRequest, issue_first_level_with_cti_and_secret};
    use crate::keys::SigningKey;
    use crate::model::Attestation;
    use crate::operator_key::OperatorSecretKey;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    const DAY: i64 = 86_400;

    struct World {
        key: SigningKey,
        cf: CodiceFiscale,
        trust: TrustList,
        code: String,
    }

    fn world(secret: Option<&HolderSecret>, op_window: (Option<i64>, Option<i64>)) -> World {
        let key = SigningKey::from_seed(&[5; 32]);
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
        let req = FirstLevelRequest {
            attestation: Attestation::builder().deafness(true).build().unwrap(),
            issued_at: at(1_800_000_000),
            not_before: None,
            expires_at: at(1_800_000_000 + 100 * DAY),
            status: None,
            issuer: None,
            kdf: KdfParams::INSECURE_TEST,
        };
        let code =
            issue_first_level_with_cti_and_secret(&key, &cf, secret, &req, Cti::from_bytes([7; 8]))
                .unwrap()
                .text()
                .to_owned();
        let mut trust = TrustList::default();
        trust
            .add_operator(OperatorEntry {
                id: "comune-bo".into(),
                name: "Comune di Bologna".into(),
                sealing_key: OperatorSecretKey::generate().public_key().to_bytes(),
                valid_from: op_window.0.map(at),
                valid_until: op_window.1.map(at),
            })
            .unwrap();
        World {
            key,
            cf,
            trust,
            code,
        }
    }

    fn request<'a>(
        w: &'a World,
        details: SecondLevelDetails,
        days: u32,
    ) -> DetailsForCredential<'a> {
        DetailsForCredential {
            credential: &w.code,
            details,
            operator_id: "comune-bo",
            valid_days: days,
            issued_at: at(1_800_000_000 + DAY),
            kdf: KdfParams::INSECURE_TEST,
        }
    }

    fn deaf() -> SecondLevelDetails {
        SecondLevelDetails {
            deafness: true,
            ..Default::default()
        }
    }

    #[test]
    fn expiry_is_the_earliest_of_asked_first_level_and_accreditation() {
        let w = world(None, (None, None));
        let issue = |days| {
            issue_details_for_credential(&w.key, &w.trust, &w.cf, None, &request(&w, deaf(), days))
                .unwrap()
                .expires_at
        };
        assert_eq!(issue(30), at(1_800_000_000 + 31 * DAY));
        // 365 days asked: the first-level code ends sooner.
        assert_eq!(issue(365), at(1_800_000_000 + 100 * DAY));
        // 0 days is at least one, 10,000 at most 365 (then the first level).
        assert_eq!(issue(0), at(1_800_000_000 + 2 * DAY));
        let w = world(None, (None, Some(1_800_000_000 + 10 * DAY)));
        let t =
            issue_details_for_credential(&w.key, &w.trust, &w.cf, None, &request(&w, deaf(), 30))
                .unwrap();
        assert_eq!(t.expires_at, at(1_800_000_000 + 10 * DAY));
    }

    #[test]
    fn operator_must_be_accredited_at_both_ends() {
        for window in [
            (Some(1_800_000_000 + 2 * DAY), None),
            (None, Some(1_800_000_000)),
        ] {
            let w = world(None, window);
            let r = issue_details_for_credential(
                &w.key,
                &w.trust,
                &w.cf,
                None,
                &request(&w, deaf(), 30),
            );
            assert_eq!(r.unwrap_err().code(), "operator_not_accredited");
        }
        let w = world(None, (None, None));
        let mut req = request(&w, deaf(), 30);
        req.operator_id = "nobody";
        let r = issue_details_for_credential(&w.key, &w.trust, &w.cf, None, &req);
        assert_eq!(r.unwrap_err().code(), "operator_not_accredited");
    }

    #[test]
    fn the_credential_must_be_ours_and_the_holders() {
        let w = world(None, (None, None));
        let other = SigningKey::from_seed(&[6; 32]);
        let r =
            issue_details_for_credential(&other, &w.trust, &w.cf, None, &request(&w, deaf(), 30));
        assert_eq!(r.unwrap_err().code(), "not_signed_by_this_key");
        let wrong_cf = CodiceFiscale::parse("MRTMTT25D09F205Z").unwrap();
        let r = issue_details_for_credential(
            &w.key,
            &w.trust,
            &wrong_cf,
            None,
            &request(&w, deaf(), 30),
        );
        assert_eq!(r.unwrap_err(), DetailsError::CfMismatch);
        // Blindness the first level does not attest: a contradiction.
        let blind = SecondLevelDetails {
            blindness_class: Some(crate::model::BlindnessClass::Assoluta),
            ..Default::default()
        };
        let r =
            issue_details_for_credential(&w.key, &w.trust, &w.cf, None, &request(&w, blind, 30));
        assert!(matches!(r, Err(DetailsError::Details(_))), "{r:?}");
    }

    #[test]
    fn a_code_with_the_holders_secret_needs_it() {
        let secret = HolderSecret::from_bytes([1, 2, 3, 4, 5]);
        let w = world(Some(&secret), (None, None));
        let r =
            issue_details_for_credential(&w.key, &w.trust, &w.cf, None, &request(&w, deaf(), 30));
        assert_eq!(r.unwrap_err(), DetailsError::SecretRequired);
        let wrong = HolderSecret::from_bytes([9, 9, 9, 9, 9]);
        let r = issue_details_for_credential(
            &w.key,
            &w.trust,
            &w.cf,
            Some(&wrong),
            &request(&w, deaf(), 30),
        );
        assert_eq!(r.unwrap_err(), DetailsError::CfOrSecretMismatch);
        issue_details_for_credential(
            &w.key,
            &w.trust,
            &w.cf,
            Some(&secret),
            &request(&w, deaf(), 30),
        )
        .unwrap();
    }
}
