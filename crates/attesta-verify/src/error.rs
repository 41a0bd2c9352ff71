//! Why a code is not valid, or could not be verified: one enum for every
//! step, each reason with a stable code (its verdict is in
//! [`crate::verdict`], its words in [`crate::messages`]).

use attesta_core::cf::CfError;
use attesta_core::credential::OpenError;
use attesta_core::envelope::KdfLimits;
use attesta_core::error::FormatError;
use attesta_core::keys::Kid;
use attesta_core::secret::SecretError;
use attesta_core::status_list::StatusListError;
use attesta_core::trust_list::TrustError;
use jiff::Timestamp;

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

/// The reason for an envelope that did not open, in the verifier's words.
pub(crate) fn open_error(e: OpenError, limits: &KdfLimits) -> VerifyError {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_of_not_opening_keeps_its_own_reason() {
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
}
