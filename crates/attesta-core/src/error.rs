//! Errors of the format layer: a text that is not a well-formed code.

use crate::cbor_guard::CborGuardError;
use crate::code_kind::CodeKind;
use crate::lang::Lang;

/// A QR text that is not a well-formed attesta (or COSE/CWT) code.
///
/// Each variant has a stable machine-readable [`FormatError::code`], the
/// same string the test vectors name in `expected_error` and the CLI prints
/// as `reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Lang::En))]
#[non_exhaustive]
pub enum FormatError {
    /// The text does not start with a known prefix.
    BadPrefix,
    /// An attesta prefix of a version this build does not read.
    UnsupportedVersion {
        /// The prefix found.
        found: String,
    },
    /// A first-level code where a second-level token was expected, or the reverse.
    WrongLevel {
        /// The kind of code found.
        found: CodeKind,
    },
    /// Longer than any QR code can hold.
    TooLong {
        /// Its length.
        len: usize,
    },
    /// Lowercase letters where base45 has only capitals.
    Lowercase,
    /// Not valid base45 (RFC 9285).
    BadBase45,
    /// zlib data that does not inflate.
    BadCompression,
    /// Inflates beyond the size cap.
    TooLarge {
        /// The cap.
        max: usize,
    },
    /// CBOR beyond the limits or malformed.
    Cbor(#[from] CborGuardError),
    /// Not a COSE_Sign1 structure.
    MalformedCose(&'static str),
    /// The signature algorithm is not the one this format allows.
    UnsupportedAlgorithm,
    /// An algorithm in the unprotected header, where an attacker could change it.
    AlgorithmInUnprotectedHeader,
    /// No key identifier in the protected header.
    MissingKid,
    /// Claims that are not a valid CWT claims set for this format.
    MalformedClaims(&'static str),
    /// A required claim is absent.
    MissingClaim(&'static str),
    /// The attestation content breaks the model's rules.
    Model(#[from] crate::model::ModelError),
}

impl FormatError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            FormatError::BadPrefix => "bad_prefix",
            FormatError::UnsupportedVersion { .. } => "unsupported_version",
            FormatError::WrongLevel { .. } => "wrong_level",
            FormatError::TooLong { .. } => "text_too_long",
            FormatError::Lowercase => "lowercase_text",
            FormatError::BadBase45 => "bad_base45",
            FormatError::BadCompression => "bad_compression",
            FormatError::TooLarge { .. } => "decompressed_too_large",
            FormatError::Cbor(e) => e.code(),
            FormatError::MalformedCose(_) => "malformed_cose",
            FormatError::UnsupportedAlgorithm => "unsupported_alg",
            FormatError::AlgorithmInUnprotectedHeader => "alg_in_unprotected_header",
            FormatError::MissingKid => "missing_kid",
            FormatError::MalformedClaims(_) => "malformed_claims",
            FormatError::MissingClaim(_) => "missing_claim",
            // The content rules answer as one code (the model's own codes
            // are for issuers); unknown flags are a version question.
            FormatError::Model(crate::model::ModelError::UnknownFlags) => "unknown_flags",
            FormatError::Model(_) => "invalid_attestation",
        }
    }

    /// The message in `lang`: what is wrong, then what to do. Technical
    /// details (which CBOR rule, which claim) stay in [`FormatError::code`]
    /// and the English text.
    pub fn message(&self, lang: Lang) -> String {
        use FormatError as E;
        let it = lang == Lang::It;
        match self {
            E::BadPrefix => lang.pick(
                "questo non è un codice attesta; inquadrare il codice QR di un'attestazione",
                "this is not an attesta code (unknown prefix); scan the QR code of an attestation",
            ).into(),
            E::UnsupportedVersion { found } if it => format!("il codice è nel formato attesta {found}, che questa versione non legge; aggiornare l'app o attesta"),
            E::UnsupportedVersion { found } => format!("the code is attesta format {found}, which this version does not read; update attesta"),
            E::WrongLevel { found: CodeKind::SecondLevel } => lang.pick(
                "questo è un codice di secondo livello (dettagli per un operatore accreditato), non un'attestazione; va aperto con la chiave dell'operatore",
                "this is a second-level token (details for an accredited operator), not a first-level attestation; open it with the operator's key",
            ).into(),
            E::WrongLevel { found: CodeKind::FirstLevel } => lang.pick(
                "questo è un'attestazione di primo livello, non un codice di secondo livello; verificarla senza la chiave dell'operatore",
                "this is a first-level attestation, not a second-level token; verify it without an operator key",
            ).into(),
            E::TooLong { len } if it => format!("il testo ha {len} caratteri, più di quanti ne contenga un codice QR; non è un codice scansionato"),
            E::TooLong { len } => format!("the text is {len} characters, longer than any QR code holds; it is not a scanned code"),
            E::Lowercase => lang.pick(
                "il codice contiene lettere minuscole, che questi codici QR non hanno: è stato ricopiato o alterato; scansionarlo di nuovo",
                "the code contains lowercase letters; QR codes of this kind are all capitals, so it was retyped or altered: scan it again",
            ).into(),
            E::BadBase45 => lang.pick(
                "il codice è danneggiato (testo base45 non valido); scansionarlo di nuovo, o controllare che sia stato copiato per intero",
                "the code is damaged (invalid base45 text); scan it again, or check that the whole text was copied",
            ).into(),
            E::BadCompression => lang.pick(
                "il codice è danneggiato (i dati compressi sono corrotti); scansionarlo di nuovo",
                "the code is damaged (its compressed data is corrupt); scan it again",
            ).into(),
            E::TooLarge { max } if it => format!("il codice si espande oltre {max} byte, ben oltre un codice autentico: è costruito per esaurire la memoria; non accettarlo"),
            E::TooLarge { max } => format!("the code inflates to more than {max} bytes, far beyond any genuine code; it was crafted to exhaust memory: do not accept it"),
            E::Cbor(_) if it => "il codice è danneggiato o costruito ad arte (struttura CBOR non ammessa); scansionarlo di nuovo".into(),
            E::Cbor(e) => format!("the code is damaged or crafted ({e}); scan it again"),
            E::MalformedCose(_) if it => "il codice non è una struttura firmata COSE_Sign1; è danneggiato o di un altro tipo".into(),
            E::MalformedCose(d) => format!("the code is not a signed COSE_Sign1 structure ({d}); it is damaged or of another kind"),
            E::UnsupportedAlgorithm => lang.pick(
                "il codice è firmato con un algoritmo che attesta non accetta (solo EdDSA/Ed25519 nell'intestazione protetta); non accettarlo",
                "the code is signed with an algorithm attesta does not accept (only EdDSA/Ed25519 in the protected header); do not accept it",
            ).into(),
            E::AlgorithmInUnprotectedHeader => lang.pick(
                "il codice indica l'algoritmo nell'intestazione non protetta, dove potrebbe essere alterato; non accettarlo",
                "the code names its algorithm in the unprotected header, where it could be altered; do not accept it",
            ).into(),
            E::MissingKid => lang.pick(
                "il codice non dice quale chiave lo ha firmato (manca il kid nell'intestazione protetta); non accettarlo",
                "the code does not say which key signed it (no kid in the protected header); do not accept it",
            ).into(),
            E::MalformedClaims(_) if it => "il contenuto del codice è malformato; non accettarlo".into(),
            E::MalformedClaims(d) => format!("the code's content is malformed ({d}); do not accept it"),
            E::MissingClaim(_) if it => "al codice manca un dato obbligatorio; non accettarlo".into(),
            E::MissingClaim(c) => format!("the code lacks the required claim '{c}'; do not accept it"),
            E::Model(crate::model::ModelError::UnknownFlags) => crate::model::ModelError::UnknownFlags.message(lang),
            E::Model(m) if it => format!("il contenuto dell'attestazione non è valido: {}", m.message(lang)),
            E::Model(m) => format!("the attestation content is invalid: {}", m.message(lang)),
        }
    }
}
