//! Errors of the format layer: a text that is not a well-formed code.

use crate::cbor_guard::CborGuardError;

/// A QR text that is not a well-formed attesta (or COSE/CWT) code.
///
/// Each variant has a stable machine-readable [`FormatError::code`], the
/// same string the test vectors name in `expected_error` and the CLI prints
/// as `reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The text does not start with a known prefix.
    #[error(
        "this is not an attesta code (unknown prefix); scan the QR code of an attestation, or use `attesta decode` to look at other codes"
    )]
    BadPrefix,
    /// An attesta prefix of a version this build does not read.
    #[error("the code is attesta format {found}, which this version does not read; update attesta")]
    UnsupportedVersion {
        /// The prefix found.
        found: String,
    },
    /// A first-level code where a second-level token was expected, or the reverse.
    #[error("{0}")]
    WrongLevel(&'static str),
    /// Longer than any QR code can hold.
    #[error(
        "the text is {len} characters, longer than any QR code holds; it is not a scanned code"
    )]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// Lowercase letters where base45 has only capitals.
    #[error(
        "the code contains lowercase letters; QR codes of this kind are all capitals, so it was retyped or altered: scan it again"
    )]
    Lowercase,
    /// Not valid base45 (RFC 9285).
    #[error(
        "the code is damaged (invalid base45 text); scan it again, or check that the whole text was copied"
    )]
    BadBase45,
    /// zlib data that does not inflate.
    #[error("the code is damaged (its compressed data is corrupt); scan it again")]
    BadCompression,
    /// Inflates beyond the size cap.
    #[error(
        "the code inflates to more than {max} bytes, far beyond any genuine code; it was crafted to exhaust memory"
    )]
    TooLarge {
        /// The cap.
        max: usize,
    },
    /// CBOR beyond the limits or malformed.
    #[error("the code is damaged or crafted ({0}); scan it again")]
    Cbor(#[from] CborGuardError),
    /// Not a COSE_Sign1 structure.
    #[error(
        "the code is not a signed COSE_Sign1 structure ({0}); it is damaged or of another kind"
    )]
    MalformedCose(&'static str),
    /// The signature algorithm is not the one this format allows.
    #[error(
        "the code is signed with an algorithm attesta does not accept (only EdDSA/Ed25519 in the protected header); do not accept it"
    )]
    UnsupportedAlgorithm,
    /// An algorithm in the unprotected header, where an attacker could change it.
    #[error(
        "the code names its algorithm in the unprotected header, where it could be altered; do not accept it"
    )]
    AlgorithmInUnprotectedHeader,
    /// No key identifier in the protected header.
    #[error(
        "the code does not say which key signed it (no kid in the protected header); do not accept it"
    )]
    MissingKid,
    /// Claims that are not a valid CWT claims set for this format.
    #[error("the code's content is malformed ({0}); do not accept it")]
    MalformedClaims(&'static str),
    /// A required claim is absent.
    #[error("the code lacks the required claim '{0}'; do not accept it")]
    MissingClaim(&'static str),
    /// The attestation content breaks the model's rules.
    #[error("the attestation content is invalid: {0}")]
    Model(#[from] crate::model::ModelError),
}

impl FormatError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            FormatError::BadPrefix => "bad_prefix",
            FormatError::UnsupportedVersion { .. } => "unsupported_version",
            FormatError::WrongLevel(_) => "wrong_level",
            FormatError::TooLong { .. } => "text_too_long",
            FormatError::Lowercase => "lowercase_text",
            FormatError::BadBase45 => "bad_base45",
            FormatError::BadCompression => "bad_compression",
            FormatError::TooLarge { .. } => "decompressed_too_large",
            FormatError::Cbor(CborGuardError::TooDeep { .. }) => "cbor_too_deep",
            FormatError::Cbor(CborGuardError::TooManyItems { .. }) => "cbor_too_many_items",
            FormatError::Cbor(CborGuardError::Indefinite { .. }) => "cbor_indefinite_length",
            FormatError::Cbor(CborGuardError::TrailingBytes { .. }) => "cbor_trailing_bytes",
            FormatError::Cbor(CborGuardError::DuplicateKey { .. }) => "cbor_duplicate_key",
            FormatError::Cbor(CborGuardError::NotShortest { .. }) => "cbor_not_shortest_form",
            FormatError::Cbor(CborGuardError::FloatOrSimple { .. }) => "cbor_float_or_simple",
            FormatError::Cbor(_) => "malformed_cbor",
            FormatError::MalformedCose(_) => "malformed_cose",
            FormatError::UnsupportedAlgorithm => "unsupported_alg",
            FormatError::AlgorithmInUnprotectedHeader => "alg_in_unprotected_header",
            FormatError::MissingKid => "missing_kid",
            FormatError::MalformedClaims(_) => "malformed_claims",
            FormatError::MissingClaim(_) => "missing_claim",
            FormatError::Model(crate::model::ModelError::UnknownFlags) => "unknown_flags",
            FormatError::Model(_) => "invalid_attestation",
        }
    }
}
