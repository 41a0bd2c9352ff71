//! The verdict of every reason, the table in docs/verifier-guide.md, and the
//! messages in both languages.

use std::collections::BTreeMap;

use attesta_core::cbor_guard::CborGuardError;
use attesta_core::cf::CodiceFiscale;
use attesta_core::error::FormatError;
use attesta_core::keys::Kid;
use attesta_core::lang::Lang;
use attesta_core::model::ModelError;
use attesta_core::status_list::StatusListError;
use attesta_core::text::CodeKind;
use attesta_core::trust_list::TrustError;
use attesta_verify::report::{Failure, VerificationReport};
use attesta_verify::{Verdict, VerifyError};
use jiff::Timestamp;

/// One instance of every reason a verification can end with.
fn every_failure() -> Vec<Failure> {
    let t = Timestamp::from_second(1_800_000_000).unwrap();
    let kid = Kid::from_slice(&[1, 2, 3, 4]).unwrap();
    let fp = attesta_core::keys::KeyFingerprint::from_slice(&[7; 32]).unwrap();
    let cf_err = CodiceFiscale::parse("RSSMRA85T10A562T").unwrap_err();
    let f = |e: FormatError| Failure::Verify(VerifyError::Format(e));
    let mut v = vec![
        f(FormatError::BadPrefix),
        f(FormatError::UnsupportedVersion {
            found: "AT2:".into(),
        }),
        f(FormatError::WrongLevel {
            found: CodeKind::SecondLevel,
        }),
        f(FormatError::TooLong { len: 5000 }),
        f(FormatError::Lowercase),
        f(FormatError::BadBase45),
        f(FormatError::BadCompression),
        f(FormatError::TooLarge { max: 4096 }),
        f(FormatError::Cbor(CborGuardError::TooDeep { max: 8 })),
        f(FormatError::Cbor(CborGuardError::TooManyItems { max: 8 })),
        f(FormatError::Cbor(CborGuardError::Indefinite { offset: 0 })),
        f(FormatError::Cbor(CborGuardError::TrailingBytes {
            extra: 1,
        })),
        f(FormatError::Cbor(CborGuardError::DuplicateKey {
            offset: 0,
        })),
        f(FormatError::Cbor(CborGuardError::NotShortest { offset: 0 })),
        f(FormatError::Cbor(CborGuardError::FloatOrSimple {
            offset: 0,
        })),
        f(FormatError::Cbor(CborGuardError::InvalidUtf8 { offset: 0 })),
        f(FormatError::Cbor(CborGuardError::Malformed { offset: 0 })),
        f(FormatError::MalformedCose("x")),
        f(FormatError::UnsupportedAlgorithm),
        f(FormatError::AlgorithmInUnprotectedHeader),
        f(FormatError::MissingKid),
        f(FormatError::MalformedClaims("x")),
        f(FormatError::MissingClaim("exp")),
        f(FormatError::Model(ModelError::UnknownFlags)),
        f(FormatError::Model(ModelError::NoStatus)),
    ];
    let e = |e: VerifyError| Failure::Verify(e);
    v.extend([
        e(VerifyError::UnknownKid(kid)),
        e(VerifyError::DeniedKid(kid)),
        e(VerifyError::BadSignature),
        e(VerifyError::KeyNotValidAtIssuance { issued: t }),
        e(VerifyError::IssuerMismatch {
            claimed: "A".into(),
            actual: "B".into(),
        }),
        e(VerifyError::NotYetValid { from: t }),
        e(VerifyError::Expired { on: t }),
        e(VerifyError::Revoked),
        e(VerifyError::Suspended),
        e(VerifyError::StatusIndexOutOfRange { idx: 9 }),
        e(VerifyError::RevocationNotChecked {
            list_uri: "1".into(),
            kid,
        }),
        e(VerifyError::StatusListUntrusted),
        e(VerifyError::StatusListWrongIssuer {
            uri: "1".into(),
            list_issuer: "A".into(),
            code_issuer: "B".into(),
        }),
        e(VerifyError::StatusListStale {
            uri: "1".into(),
            issued: t,
        }),
        e(VerifyError::StatusListIssuedInFuture {
            uri: "1".into(),
            issued: t,
        }),
        e(VerifyError::CfMalformed(cf_err)),
        e(VerifyError::CfMismatch),
        e(VerifyError::SecretRequired),
        e(VerifyError::SecretMalformed(
            attesta_core::secret::SecretError::CheckCharacter,
        )),
        e(VerifyError::SecretMalformed(
            attesta_core::secret::SecretError::Malformed,
        )),
        e(VerifyError::CfOrSecretMismatch),
        e(VerifyError::WrongAudience {
            audience: "x".into(),
        }),
        e(VerifyError::OperatorNotAccredited),
        e(VerifyError::NotForThisOperator),
        e(VerifyError::KdfParamsOutOfBounds { m: 99, t: 1, p: 1 }),
        e(VerifyError::KdfBelowFloor {
            m: 1,
            t: 1,
            min_m: 19,
            min_t: 2,
        }),
        e(VerifyError::Trust(TrustError::Malformed("x".into()))),
        e(VerifyError::Trust(TrustError::BadKey {
            id: "ACME".into(),
            error: attesta_core::keys::KeyError::SmallOrderKey,
        })),
        e(VerifyError::Trust(TrustError::BadSignature)),
        e(VerifyError::Trust(TrustError::Rollback {
            found: 1,
            accepted: 2,
        })),
        e(VerifyError::Trust(TrustError::Stale {
            issued: "x".into(),
            why: "y".into(),
        })),
        e(VerifyError::Trust(TrustError::IssuedInFuture {
            issued: "x".into(),
            now: "y".into(),
        })),
        e(VerifyError::Trust(TrustError::DeniedKidReinstated(kid))),
        e(VerifyError::Trust(TrustError::DenylistShrunk(kid))),
        e(VerifyError::Trust(TrustError::DeniedKeyReinstated(fp))),
        e(VerifyError::Trust(TrustError::DeniedKeyDropped(fp))),
        e(VerifyError::StatusList(StatusListError::WrongType {
            found: None,
        })),
        e(VerifyError::StatusList(StatusListError::Malformed("x"))),
        e(VerifyError::StatusList(StatusListError::MissingClaim(
            "sub",
        ))),
        e(VerifyError::StatusList(StatusListError::UnsupportedBits {
            bits: 4,
        })),
        e(VerifyError::StatusList(StatusListError::BadCompression)),
        e(VerifyError::StatusList(StatusListError::TooLarge {
            max_bytes: 1,
        })),
        Failure::NoReadableCode,
        Failure::InputUnreadable,
        Failure::ListUnreadable,
        Failure::CfNotChecked,
        Failure::WrongLevel {
            second_level: false,
        },
    ]);
    v
}

fn docs_table() -> BTreeMap<String, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/verifier-guide.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("| reason | verdict |").expect("verdict table");
    text[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
            (cells[1].to_owned(), cells[2].to_owned())
        })
        .collect()
}

#[test]
fn verdict_table_in_the_docs_matches_the_code() {
    let table = docs_table();
    let mut seen = std::collections::BTreeSet::new();
    for f in every_failure() {
        let code = f.code();
        let want = table
            .get(code)
            .unwrap_or_else(|| panic!("{code} is missing from the docs' verdict table"));
        assert_eq!(f.verdict().code(), want, "{code}");
        seen.insert(code.to_owned());
    }
    for code in table.keys() {
        assert!(
            seen.contains(code),
            "the docs list {code}, which no test builds"
        );
    }
}

#[test]
fn the_issue_s_cases_get_the_right_verdict() {
    use Verdict::*;
    for (f, v) in [
        (Failure::NoReadableCode, CannotVerify),
        (
            Failure::Verify(VerifyError::Format(FormatError::BadPrefix)),
            CannotVerify,
        ),
        (
            Failure::Verify(VerifyError::CfMalformed(
                CodiceFiscale::parse("RSSMRA85T10A562T").unwrap_err(),
            )),
            CannotVerify,
        ),
        (
            Failure::Verify(VerifyError::Trust(TrustError::Stale {
                issued: "x".into(),
                why: "y".into(),
            })),
            CannotVerify,
        ),
        (Failure::InputUnreadable, CannotVerify),
        (Failure::Verify(VerifyError::BadSignature), NotValid),
        (Failure::Verify(VerifyError::Revoked), NotValid),
        (
            Failure::Verify(VerifyError::Expired {
                on: Timestamp::UNIX_EPOCH,
            }),
            NotValid,
        ),
        (Failure::Verify(VerifyError::CfMismatch), NotValid),
        (
            Failure::Verify(VerifyError::DeniedKid(Kid::from_slice(&[0; 4]).unwrap())),
            NotValid,
        ),
    ] {
        assert_eq!(f.verdict(), v, "{}", f.code());
        assert_eq!(
            v.exit_code(),
            match v {
                Valid => 0,
                NotValid => 1,
                CannotVerify => 4,
            }
        );
    }
}

#[test]
fn every_message_exists_in_both_languages_on_one_line_without_flags() {
    for f in every_failure() {
        let (it, en) = (f.message(Lang::It), f.message(Lang::En));
        for m in [&it, &en] {
            assert!(!m.is_empty() && !m.contains('\n'), "{}: {m:?}", f.code());
            assert!(!m.contains("--"), "{}: names a flag: {m}", f.code());
        }
        assert_ne!(it, en, "{}: no Italian", f.code());
        let r = serde_json::to_value(VerificationReport::failure(&f, Lang::It)).unwrap();
        assert_eq!(r["verdict"], f.verdict().code());
        assert_eq!(r["valid"], false);
        assert_eq!(r["reason"], f.code());
        assert_eq!(r["message"], it.as_str());
    }
}

#[test]
fn italian_messages_use_italian_dates() {
    let t: Timestamp = "2028-06-30T10:00:00Z".parse().unwrap();
    let m = VerifyError::Expired { on: t }.message(Lang::It);
    assert!(m.contains("30/06/2028"), "{m}");
    let m = VerifyError::Expired { on: t }.message(Lang::En);
    assert!(m.contains("2028-06-30"), "{m}");
}
