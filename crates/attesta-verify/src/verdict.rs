//! The three verdicts a person at the counter is told, and which reason
//! leads to which.
//!
//! - **valid** (VALIDO): the attestation is genuine, current, trusted, not
//!   known to be revoked, and belongs to the codice fiscale given.
//! - **not valid** (NON VALIDO): the code itself is bad: forged, altered,
//!   revoked, expired, not yet valid, issued by an untrusted or denied key,
//!   or it belongs to another codice fiscale.
//! - **cannot verify** (NON VERIFICABILE): the check could not be made, and
//!   that says nothing against the holder: no readable code, not an attesta
//!   code, a mistyped codice fiscale, the operator's trust or status list
//!   too old or missing, an unreadable file, a code of a newer format.
//!
//! Each reason code maps to exactly one verdict ([`VerifyError::verdict`]);
//! docs/verifier-guide.md has the table.
//!
//! ```
//! use attesta_verify::verdict::Verdict;
//! use attesta_verify::VerifyError;
//! assert_eq!(VerifyError::CfMismatch.verdict(), Verdict::NotValid);
//! assert_eq!(serde_json::to_string(&Verdict::CannotVerify)?, "\"cannot_verify\"");
//! # Ok::<(), serde_json::Error>(())
//! ```

use attesta_core::error::FormatError;
use attesta_core::lang::Lang;

use crate::error::VerifyError;

/// The answer of a verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The attestation is valid for this codice fiscale.
    Valid,
    /// The code is not valid.
    NotValid,
    /// The verification could not be made; nothing is said against the holder.
    CannotVerify,
}

impl Verdict {
    /// The stable name used in JSON (`valid`, `not_valid`, `cannot_verify`).
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::NotValid => "not_valid",
            Verdict::CannotVerify => "cannot_verify",
        }
    }

    /// What the screen says in capitals: VALIDO / NON VALIDO / NON VERIFICABILE.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Verdict::Valid => lang.pick("VALIDO", "VALID"),
            Verdict::NotValid => lang.pick("NON VALIDO", "NOT VALID"),
            Verdict::CannotVerify => lang.pick("NON VERIFICABILE", "CANNOT VERIFY"),
        }
    }

    /// The exit code of `attesta verify`: 0, 1 or 4 (2 is a usage error).
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Valid => 0,
            Verdict::NotValid => 1,
            Verdict::CannotVerify => 4,
        }
    }
}

fn format_verdict(e: &FormatError) -> Verdict {
    use FormatError as F;
    match e {
        // Properties a damaged scan cannot produce: a code built this way
        // was made to get past a verifier.
        F::UnsupportedAlgorithm
        | F::AlgorithmInUnprotectedHeader
        | F::MissingKid
        | F::TooLarge { .. } => Verdict::NotValid,
        // Read only after a trusted signature checked: the issuer signed a
        // code that is not a valid attestation.
        F::MalformedClaims(_) | F::MissingClaim(_) => Verdict::NotValid,
        F::Model(attesta_core::model::ModelError::UnknownFlags) => Verdict::CannotVerify,
        F::Model(_) => Verdict::NotValid,
        // Not an attesta code, a newer format, the wrong level, or a scan
        // too damaged to read: scan again, or use the right tool.
        F::BadPrefix
        | F::UnsupportedVersion { .. }
        | F::WrongLevel { .. }
        | F::TooLong { .. }
        | F::Lowercase
        | F::BadBase45
        | F::BadCompression
        | F::Cbor(_)
        | F::MalformedCose(_) => Verdict::CannotVerify,
        _ => Verdict::CannotVerify,
    }
}

impl VerifyError {
    /// The verdict this reason leads to (one per reason code).
    pub fn verdict(&self) -> Verdict {
        use VerifyError as E;
        match self {
            E::Format(f) => format_verdict(f),
            E::UnknownKid(_)
            | E::DeniedKid(_)
            | E::BadSignature
            | E::KeyNotValidAtIssuance { .. }
            | E::IssuerMismatch { .. }
            | E::NotYetValid { .. }
            | E::Expired { .. }
            | E::Revoked
            | E::Suspended
            | E::CfMismatch
            | E::WrongAudience { .. }
            | E::NotForThisOperator
            | E::KdfParamsOutOfBounds { .. }
            | E::KdfBelowFloor { .. } => Verdict::NotValid,
            E::StatusIndexOutOfRange { .. }
            | E::RevocationNotChecked { .. }
            | E::StatusListUntrusted
            | E::StatusListWrongIssuer { .. }
            | E::StatusListStale { .. }
            | E::StatusListIssuedInFuture { .. }
            | E::OperatorNotAccredited
            | E::CfMalformed(_)
            // The holder's secret is missing or mistyped: ask for it again;
            // nothing is said against the holder.
            | E::SecretRequired
            | E::SecretMalformed(_) => Verdict::CannotVerify,
            // The codice fiscale and the secret do not open the code.
            E::CfOrSecretMismatch => Verdict::NotValid,
            // Every trust-list and status-list problem is the operator's.
            E::StatusList(_) | E::Trust(_) => Verdict::CannotVerify,
        }
    }
}
