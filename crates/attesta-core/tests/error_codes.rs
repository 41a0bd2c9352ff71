//! Every library error has a stable machine-readable `code()`: what apps
//! and scripts match on, and what translations are keyed by. These tests
//! hold the codes to one shape (lowercase snake case, one code per way of
//! failing within a type) and check that wrapped errors answer with the
//! inner error's code rather than a second name for it.

use std::collections::BTreeMap;

use attesta_core::cbor_guard::CborGuardError;
use attesta_core::credential::{IssueError, OpenError};
use attesta_core::envelope::EnvelopeError;
use attesta_core::error::FormatError;
use attesta_core::keys::KeyError;
use attesta_core::model::{ModelError, ModelRule};
use attesta_core::text::VerifyUrlError;

fn well_formed(kind: &str, codes: &[(&'static str, String)]) {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (code, variant) in codes {
        assert!(
            !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && !code.starts_with('_')
                && !code.ends_with('_'),
            "{kind}: {variant} has the code {code:?}, not lowercase snake case"
        );
        if let Some(other) = seen.insert(code, variant) {
            panic!("{kind}: {other} and {variant} share the code {code}");
        }
    }
}

macro_rules! codes {
    ($($e:expr),* $(,)?) => {
        [$(($e.code(), format!("{:?}", $e))),*]
    };
}

#[test]
fn key_errors() {
    well_formed(
        "KeyError",
        &codes![
            KeyError::NotPem {
                expected: "PRIVATE KEY"
            },
            KeyError::NotEd25519,
            KeyError::NonCanonicalKey,
            KeyError::SmallOrderKey,
            KeyError::PassphraseNeeded,
            KeyError::WrongPassphrase,
            KeyError::NotX25519,
            KeyError::PublicWherePrivateExpected,
            KeyError::PrivateWherePublicExpected,
            KeyError::EncryptionTooCostly,
            KeyError::Encode,
            KeyError::Rng,
        ],
    );
}

#[test]
fn model_errors() {
    well_formed(
        "ModelError",
        &codes![
            ModelError::PercentOutOfRange {
                input: "101".into()
            },
            ModelError::BelowStatusThreshold,
            ModelError::NoStatus,
            ModelError::Inconsistent(ModelRule::Accompaniment),
            ModelError::Inconsistent(ModelRule::L68),
            ModelError::Inconsistent(ModelRule::ClassWithoutBlindness),
            ModelError::Inconsistent(ModelRule::VehicleWithoutAdaptation),
            ModelError::Inconsistent(ModelRule::StatusOnlyWithClass),
            ModelError::UnknownValue {
                field: "cecita",
                expected: "assoluta, ventesimista"
            },
            ModelError::UnknownFlags,
            ModelError::JudgementTooLong { max: 100 },
            ModelError::EmptyJudgement,
            ModelError::ContradictsFirstLevel {
                field: "invalidita"
            },
        ],
    );
}

#[test]
fn envelope_open_and_issue_errors() {
    well_formed(
        "EnvelopeError",
        &codes![
            EnvelopeError::BadKdfParams,
            EnvelopeError::KdfParamsTooCostly,
            EnvelopeError::DoesNotOpen,
        ],
    );
    well_formed(
        "OpenError",
        &codes![
            OpenError::KdfParamsOutOfBounds { m: 1, t: 1, p: 1 },
            OpenError::KdfBelowFloor { m: 1, t: 1, p: 1 },
            OpenError::CfMismatch,
            OpenError::SecretRequired,
            OpenError::CfOrSecretMismatch,
            OpenError::NotForThisOperator,
            OpenError::Content(FormatError::MissingKid),
        ],
    );
    // One refusal, one code, whichever layer reports it.
    assert_eq!(
        EnvelopeError::KdfParamsTooCostly.code(),
        OpenError::KdfParamsOutOfBounds { m: 1, t: 1, p: 1 }.code()
    );
    well_formed(
        "IssueError",
        &codes![
            IssueError::Model(ModelError::NoStatus),
            IssueError::ValidityOrder,
            IssueError::DateOutOfRange,
            IssueError::RevisionDate,
            IssueError::Kdf(EnvelopeError::BadKdfParams),
            IssueError::Rng,
            IssueError::OperatorKey,
        ],
    );
    // Wrapped errors answer with their own code.
    assert_eq!(IssueError::Model(ModelError::NoStatus).code(), "no_status");
    assert_eq!(
        IssueError::Kdf(EnvelopeError::BadKdfParams).code(),
        EnvelopeError::BadKdfParams.code()
    );
    assert_eq!(
        OpenError::Content(FormatError::MissingKid).code(),
        FormatError::MissingKid.code()
    );
}

#[test]
fn cbor_and_address_errors() {
    let cbor = [
        CborGuardError::Malformed { offset: 0 },
        CborGuardError::TooDeep { max: 8 },
        CborGuardError::TooManyItems { max: 64 },
        CborGuardError::Indefinite { offset: 0 },
        CborGuardError::DuplicateKey { offset: 0 },
        CborGuardError::NotShortest { offset: 0 },
        CborGuardError::Bignum { offset: 0 },
        CborGuardError::FloatOrSimple { offset: 0 },
        CborGuardError::InvalidUtf8 { offset: 0 },
        CborGuardError::TrailingBytes { extra: 1 },
    ];
    for e in &cbor {
        // The verifier reports the CBOR rule's own code.
        assert_eq!(FormatError::Cbor(e.clone()).code(), e.code());
    }
    // A bignum is malformed CBOR for this format (vector negative/179).
    assert_eq!(
        CborGuardError::Bignum { offset: 0 }.code(),
        "malformed_cbor"
    );
    // Every other way of failing has a code of its own.
    let distinct: Vec<_> = cbor
        .iter()
        .filter(|e| !matches!(e, CborGuardError::Bignum { .. }))
        .map(|e| (e.code(), format!("{e:?}")))
        .collect();
    well_formed("CborGuardError", &distinct);
    well_formed(
        "VerifyUrlError",
        &codes![VerifyUrlError::Scheme, VerifyUrlError::Malformed],
    );
}

#[test]
fn library_messages_name_no_command_line_flag() {
    // An app embedding the crates shows these to its users; the CLI adds
    // its flags as hints of its own.
    let messages = [
        KeyError::PassphraseNeeded.to_string(),
        KeyError::NotX25519.to_string(),
        KeyError::WrongPassphrase.to_string(),
        EnvelopeError::KdfParamsTooCostly.to_string(),
        IssueError::ValidityOrder.to_string(),
        IssueError::DateOutOfRange.to_string(),
    ];
    for m in messages {
        assert!(!m.contains("--"), "a flag in a library message: {m}");
    }
}
