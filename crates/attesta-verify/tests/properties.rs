//! End-to-end property tests through the [`Verifier`]: arbitrary valid
//! credentials verify and open to what was issued; any single-bit flip or
//! truncation of a valid code is refused; and verification never panics,
//! whatever follows the prefix.

use attesta_core::cf::{self, CodiceFiscale};
use attesta_core::claims::StatusRef;
use attesta_core::credential::{Cti, FirstLevelRequest, issue_first_level_with_cti};
use attesta_core::envelope::KdfParams;
use attesta_core::keys::SigningKey;
use attesta_core::model::{
    Attestation, BlindnessClass, HandicapGrade, InvalidityAssessment, Percent, SecondLevelDetails,
};
use attesta_core::operator_key::OperatorSecretKey;
use attesta_core::second_level::{SecondLevelRequest, issue_second_level_deterministic};
use attesta_core::status_list::{CredentialStatus, StatusBits, StatusList, StatusListToken};
use attesta_core::text;
use attesta_core::trust_list::{OperatorEntry, TrustList};
use attesta_verify::trust::TrustState;
use attesta_verify::verifier::{Policy, Revocation, Verifier, VerifyError};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

const REVOKED: [u64; 4] = [3, 5, 100, 1000];
const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn now() -> Timestamp {
    "2026-11-15T00:00:00Z".parse().unwrap()
}

fn issuer() -> SigningKey {
    SigningKey::from_seed(&[0x22; 32])
}

fn operator() -> OperatorSecretKey {
    OperatorSecretKey::from_bytes(&[0x77; 32]).unwrap()
}

/// The verifier of the test vectors: root 0x11, issuer INPS 0x22,
/// operator comune-bo 0x77, INPS's status list "1" with [`REVOKED`].
fn verifier() -> Verifier {
    let root = SigningKey::from_seed(&[0x11; 32]);
    let mut list = TrustList {
        seq: 1,
        ..TrustList::default()
    };
    list.add_issuer("INPS", issuer().public_key(), None)
        .unwrap();
    list.add_operator(OperatorEntry {
        id: "comune-bo".into(),
        name: "Comune di Bologna".into(),
        sealing_key: operator().public_key().to_bytes(),
        valid_from: None,
        valid_until: None,
    })
    .unwrap();
    let tl = list.sign(
        &root,
        "2026-11-10T00:00:00Z".parse().unwrap(),
        "2026-12-10T00:00:00Z".parse().unwrap(),
    );
    let mut v = Verifier::new(
        &tl,
        &root.public_key(),
        &mut TrustState::default(),
        // Codes here use the test KDF parameters, below the real floor.
        Policy {
            kdf_limits: attesta_core::envelope::KdfLimits::default().without_floor(),
            ..Policy::default()
        },
        now(),
    )
    .unwrap();
    let mut sl = StatusList::new(1024, StatusBits::One).unwrap();
    for i in REVOKED {
        sl.set(i, CredentialStatus::Revoked).unwrap();
    }
    let t = StatusListToken::new("1", "2026-11-14T00:00:00Z".parse().unwrap(), sl);
    v.add_status_list(&t.sign(&issuer()), now()).unwrap();
    v
}

const MONTHS: &[u8] = b"ABCDEHLMPRST";
const OMOCODIA: &[u8] = b"LMNPQRSTUV";
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

fn any_cf() -> impl Strategy<Value = CodiceFiscale> {
    let personal = (
        "[A-Z]{6}",
        0u8..100,
        0usize..12,
        prop_oneof![1u8..=31, 41u8..=71],
        "[A-Z][0-9]{3}",
        proptest::bits::u8::masked(0x7f),
    )
        .prop_map(|(names, year, month, day, place, omocodia)| {
            // Only days that exist in the month (29 February always does).
            let max = match month {
                1 => 29,
                3 | 5 | 8 | 10 => 30,
                _ => 31,
            };
            let base = if day > 40 { 40 } else { 0 };
            let day = base + (day - base).min(max);
            let mut s =
                format!("{names}{year:02}{}{day:02}{place}", MONTHS[month] as char).into_bytes();
            for (bit, &pos) in DIGIT_POSITIONS.iter().enumerate() {
                if omocodia & (1 << bit) != 0 {
                    s[pos] = OMOCODIA[usize::from(s[pos] - b'0')];
                }
            }
            let first15 = String::from_utf8(s).unwrap();
            format!("{first15}{}", cf::personal_check_char(&first15).unwrap())
        });
    let temporary =
        "[0-9]{10}".prop_map(|d| format!("{d}{}", cf::temporary_check_digit(&d).unwrap()));
    prop_oneof![4 => personal, 1 => temporary].prop_map(|s| CodiceFiscale::parse(&s).unwrap())
}

fn any_attestation() -> impl Strategy<Value = Attestation> {
    (
        proptest::option::of(proptest::sample::select(InvalidityAssessment::ALL.to_vec())),
        any::<[bool; 5]>(),
        proptest::option::of(prop_oneof![
            Just(HandicapGrade::Comma1),
            Just(HandicapGrade::Comma3Grave)
        ]),
        proptest::option::of(1i64..65_000),
    )
        .prop_filter_map(
            "combination the model refuses",
            |(inv, [blind, deaf, l68, acc, walk], handicap, revision)| {
                let mut b = Attestation::builder()
                    .blindness(blind)
                    .deafness(deaf)
                    .disability_l68(l68)
                    .accompaniment(acc)
                    .reduced_walking(walk);
                if let Some(a) = inv {
                    b = b.invalidity(a);
                }
                if let Some(h) = handicap {
                    b = b.handicap(h);
                }
                if let Some(d) = revision {
                    let d = Date::constant(1970, 1, 1)
                        .checked_add(SignedDuration::from_hours(24 * d))
                        .ok()?;
                    b = b.revision(d);
                }
                b.build().ok()
            },
        )
}

/// A credential valid at [`now`]: issued up to ten years before, not
/// before some time up to now, expiring up to ten years after.
fn any_request() -> impl Strategy<Value = FirstLevelRequest> {
    (
        any_attestation(),
        0i64..315_360_000,
        proptest::option::of(0i64..=100),
        1i64..315_360_000,
        prop_oneof![
            Just(None),
            (0u64..1024).prop_map(|idx| Some(StatusRef {
                idx,
                uri: "1".into()
            })),
            any::<u64>().prop_map(|idx| Some(StatusRef {
                idx,
                uri: "2".into()
            })),
        ],
        any::<bool>(),
    )
        .prop_map(|(attestation, age, nbf_pct, left, status, iss)| {
            let iat = now() - SignedDuration::from_secs(age);
            FirstLevelRequest {
                attestation,
                issued_at: iat,
                not_before: nbf_pct.map(|p| iat + SignedDuration::from_secs(age * p / 100)),
                expires_at: now() + SignedDuration::from_secs(left),
                status,
                issuer: iss.then(|| "INPS".to_owned()),
                kdf: KdfParams::INSECURE_TEST,
            }
        })
}

fn any_details() -> impl Strategy<Value = SecondLevelDetails> {
    (
        proptest::option::of((0u16..=10_000).prop_map(|h| Percent::from_hundredths(h).unwrap())),
        proptest::option::of(prop_oneof![
            Just(BlindnessClass::Assoluta),
            Just(BlindnessClass::Ventesimista),
            Just(BlindnessClass::Decimista)
        ]),
        any::<bool>(),
        proptest::option::of(prop_oneof![
            Just(HandicapGrade::Comma1),
            Just(HandicapGrade::Comma3Grave)
        ]),
        proptest::option::of((0u16..=10_000).prop_map(|h| Percent::from_hundredths(h).unwrap())),
        proptest::option::of(".{0,120}"),
    )
        .prop_map(
            |(invalidity_percent, blindness_class, deafness, handicap, l68_percent, judgement)| {
                SecondLevelDetails {
                    invalidity_percent,
                    blindness_class,
                    deafness,
                    handicap,
                    l68_percent,
                    judgement,
                }
            },
        )
        .prop_filter("nothing to say", |d| d.validate().is_ok())
}

fn issue(req: &FirstLevelRequest, cf: &CodiceFiscale, cti: [u8; 8]) -> String {
    issue_first_level_with_cti(&issuer(), cf, req, Cti::from_bytes(cti))
        .unwrap()
        .text()
        .to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any valid credential verifies and opens, end to end, to what was
    /// issued; revoked entries are refused, missing lists reported.
    #[test]
    fn first_level_round_trip_through_the_verifier(
        req in any_request(), cf in any_cf(), cti in any::<[u8; 8]>(),
    ) {
        let v = verifier();
        let t = issue(&req, &cf, cti);
        let revoked = req.status.as_ref().is_some_and(|s| s.uri == "1" && REVOKED.contains(&s.idx));
        let checked = match v.check(&t, now()) {
            Err(VerifyError::Revoked) if revoked => return Ok(()),
            other => other.unwrap(),
        };
        prop_assert!(!revoked);
        prop_assert_eq!(checked.issuer_id(), "INPS");
        prop_assert_eq!(checked.claims().cti().as_bytes(), &cti);
        prop_assert_eq!(checked.claims().expires_at(), req.expires_at);
        match (&req.status, checked.revocation()) {
            (None, Revocation::NotRevocable) => {}
            (Some(s), Revocation::Checked { list_uri, .. }) if s.uri == "1" => prop_assert_eq!(list_uri, "1"),
            (Some(s), Revocation::NotChecked { list_uri, .. }) if s.uri == "2" => prop_assert_eq!(list_uri, "2"),
            (s, r) => prop_assert!(false, "status {:?} gave {:?}", s, r),
        }
        let opened = checked.open_str(&format!(" {} ", cf.as_str().to_lowercase())).unwrap();
        prop_assert_eq!(opened.attestation(), &req.attestation);
    }

    /// Second-level tokens: any details, sealed to the accredited
    /// operator, open to the same details with the operator key and CF.
    #[test]
    fn second_level_round_trip_through_the_verifier(
        details in any_details(), cf in any_cf(), cti in any::<[u8; 8]>(), seed in any::<[u8; 32]>(),
        age in 0i64..1_000_000, left in 1i64..3_000_000,
    ) {
        let v = verifier();
        let req = SecondLevelRequest {
            details: details.clone(),
            audience: "comune-bo".into(),
            operator_key: operator().public_key(),
            first_level_cti: Cti::from_bytes([9; 8]),
            status: None,
            issued_at: now() - SignedDuration::from_secs(age),
            expires_at: now() + SignedDuration::from_secs(left),
            kdf: KdfParams::INSECURE_TEST,
        };
        let t = issue_second_level_deterministic(&issuer(), &cf, &req, Cti::from_bytes(cti), seed).unwrap();
        prop_assert!(t.text().len() <= text::MAX_TEXT_LEN);
        let op = operator();
        let checked = v.check_second_level(t.text(), &op, now()).unwrap();
        let opened = checked.open_str(&op, cf.as_str()).unwrap();
        prop_assert_eq!(opened.details(), &details);
        // The same token is no first-level code.
        prop_assert_eq!(v.check(t.text(), now()).unwrap_err().code(), "wrong_level");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Every single-bit flip of the COSE bytes of a valid code, re-encoded
    /// as a text, is refused by the verifier: exhaustively, bit by bit.
    #[test]
    fn every_bit_flip_is_refused_by_the_verifier(req in any_request(), cf in any_cf()) {
        let v = verifier();
        let t = issue(&req, &cf, [4; 8]);
        let (_, cose) = text::decode(&t).unwrap();
        for bit in 0..cose.len() * 8 {
            let mut b = cose.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            let flipped = text::encode("AT1:", &b);
            prop_assert!(v.check(&flipped, now()).is_err(), "bit {} accepted", bit);
        }
    }

    /// The same for second-level tokens: every single-bit flip of the
    /// COSE bytes is refused by step 1 for the accredited operator.
    #[test]
    fn every_bit_flip_of_a_token_is_refused_by_the_verifier(
        details in any_details(), cf in any_cf(), seed in any::<[u8; 32]>(),
    ) {
        let v = verifier();
        let op = operator();
        let req = SecondLevelRequest {
            details,
            audience: "comune-bo".into(),
            operator_key: op.public_key(),
            first_level_cti: Cti::from_bytes([9; 8]),
            status: None,
            issued_at: now() - SignedDuration::from_hours(1),
            expires_at: now() + SignedDuration::from_hours(24),
            kdf: KdfParams::INSECURE_TEST,
        };
        let t = issue_second_level_deterministic(&issuer(), &cf, &req, Cti::from_bytes([6; 8]), seed).unwrap();
        prop_assert!(v.check_second_level(t.text(), &op, now()).is_ok());
        let (_, cose) = text::decode(t.text()).unwrap();
        for bit in 0..cose.len() * 8 {
            let mut b = cose.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            let flipped = text::encode("AD1:", &b);
            prop_assert!(v.check_second_level(&flipped, &op, now()).is_err(), "bit {} accepted", bit);
        }
    }

    /// Every truncation of a valid text, and every one-character change,
    /// is refused.
    #[test]
    fn every_truncation_and_character_change_is_refused(
        req in any_request(), cf in any_cf(), shift in 1usize..45,
    ) {
        let v = verifier();
        let t = issue(&req, &cf, [5; 8]);
        prop_assert!(v.check(&t, now()).is_ok() || req.status.as_ref().is_some_and(|s| s.uri == "1" && REVOKED.contains(&s.idx)));
        for end in 0..t.len() {
            prop_assert!(v.check(&t[..end], now()).is_err(), "prefix of {} accepted", end);
        }
        let bytes = t.as_bytes();
        for i in 4..bytes.len() {
            let pos = B45.iter().position(|c| *c == bytes[i]).unwrap();
            let mut b = bytes.to_vec();
            b[i] = B45[(pos + shift) % 45];
            let changed = String::from_utf8(b).unwrap();
            prop_assert!(v.check(&changed, now()).is_err(), "change at {} accepted", i);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Verification never panics on arbitrary text, arbitrary base45 or
    /// arbitrary bytes after either prefix, at either level.
    #[test]
    fn verification_never_panics(
        raw in ".{0,200}",
        b45 in "[0-9A-Z $%*+./:-]{0,400}",
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let v = verifier();
        let op = operator();
        let texts = [
            raw.clone(),
            format!("AT1:{raw}"),
            format!("AT1:{b45}"),
            format!("AD1:{b45}"),
            format!("AT1:{}", base45::encode(&bytes)),
            format!("AD1:{}", base45::encode(&bytes)),
        ];
        for t in &texts {
            prop_assert!(v.check(t, now()).is_err());
            prop_assert!(v.check_second_level(t, &op, now()).is_err());
        }
    }
}
