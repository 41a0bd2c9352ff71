//! Property tests of the format layer: what is written reads back, and
//! what is damaged is refused, for arbitrary credentials and inputs.
//! The end-to-end properties (through the verifier) are in
//! attesta-verify's tests/properties.rs.

use attesta_core::cbor_guard::{self, CborLimits};
use attesta_core::cf::{self, CodiceFiscale};
use attesta_core::claims::{ClaimSet, StatusRef};
use attesta_core::credential::{
    Cti, FirstLevelClaims, FirstLevelCode, FirstLevelRequest, issue_first_level_with_cti,
};
use attesta_core::envelope::{KdfLimits, KdfParams};
use attesta_core::inspect::inspect;
use attesta_core::keys::SigningKey;
use attesta_core::model::{
    Attestation, BlindnessClass, HandicapGrade, InvalidityAssessment, Percent, VehicleRequirement,
};
use attesta_core::second_level::SecondLevelCode;
use attesta_core::text;
use ciborium::Value;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

const MONTHS: &[u8] = b"ABCDEHLMPRST";
const OMOCODIA: &[u8] = b"LMNPQRSTUV";
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// A valid personal codice fiscale, with some digits replaced by their
/// omocodia letters, in upper or lower case.
fn personal_cf() -> impl Strategy<Value = String> {
    (
        "[A-Z]{6}",
        0u8..100,
        0usize..12,
        prop_oneof![1u8..=31, 41u8..=71],
        "[A-Z][0-9]{3}",
        proptest::bits::u8::masked(0x7f),
        any::<bool>(),
    )
        .prop_map(|(names, year, month, day, place, omocodia, lower)| {
            // Only days that exist in the month (29 February always does:
            // the code carries no century).
            let max = match month {
                1 => 29,
                3 | 5 | 8 | 10 => 30,
                _ => 31,
            };
            let base = if day > 40 { 40 } else { 0 };
            let day = base + (day - base).min(max);
            let mut s: Vec<u8> =
                format!("{names}{year:02}{}{day:02}{place}", MONTHS[month] as char).into_bytes();
            for (bit, &pos) in DIGIT_POSITIONS.iter().enumerate() {
                if omocodia & (1 << bit) != 0 {
                    s[pos] = OMOCODIA[usize::from(s[pos] - b'0')];
                }
            }
            let first15 = String::from_utf8(s).unwrap();
            let check = cf::personal_check_char(&first15).unwrap();
            let full = format!("{first15}{check}");
            if lower { full.to_lowercase() } else { full }
        })
}

/// A valid temporary (11-digit) codice fiscale.
fn temporary_cf() -> impl Strategy<Value = String> {
    "[0-9]{10}".prop_map(|d| format!("{d}{}", cf::temporary_check_digit(&d).unwrap()))
}

fn any_cf() -> impl Strategy<Value = CodiceFiscale> {
    prop_oneof![4 => personal_cf(), 1 => temporary_cf()]
        .prop_map(|s| CodiceFiscale::parse(&s).expect("generated CF is valid"))
}

fn any_date(from: Date, to: Date) -> impl Strategy<Value = Date> {
    let days = to.since(from).unwrap().get_days();
    (0..=days).prop_map(move |d| {
        from.checked_add(SignedDuration::from_hours(24 * i64::from(d)))
            .unwrap()
    })
}

/// Any attestation the model allows, built through the builder.
pub fn any_attestation() -> impl Strategy<Value = Attestation> {
    (
        proptest::option::of(proptest::sample::select(InvalidityAssessment::ALL.to_vec())),
        proptest::option::of(0u16..=10_000),
        any::<[bool; 5]>(),
        proptest::option::of(prop_oneof![
            Just(HandicapGrade::Comma1),
            Just(HandicapGrade::Comma3Grave)
        ]),
        proptest::option::of(any_date(
            Date::constant(1970, 1, 2),
            Date::constant(2149, 6, 6),
        )),
        (
            proptest::option::of(prop_oneof![
                Just(BlindnessClass::Assoluta),
                Just(BlindnessClass::Ventesimista),
                Just(BlindnessClass::Decimista)
            ]),
            proptest::option::of(prop_oneof![
                Just(VehicleRequirement::AdaptedVehicle),
                Just(VehicleRequirement::WithoutAdaptation)
            ]),
            any::<bool>(),
        ),
    )
        .prop_filter_map(
            "combination the model refuses",
            |(
                inv,
                pct,
                [blind, deaf, l68, acc, walk],
                handicap,
                revision,
                (class, vehicle, statuses_only),
            )| {
                let mut b = Attestation::builder();
                match (inv, pct) {
                    (_, Some(p)) if p % 3 == 0 => {
                        b = b
                            .invalidity_percent(Percent::from_hundredths(p).ok()?)
                            .ok()?
                    }
                    (Some(a), _) => b = b.invalidity(a),
                    _ => {}
                }
                b = b
                    .blindness(blind)
                    .deafness(deaf)
                    .disability_l68(l68)
                    .accompaniment(acc)
                    .reduced_walking(walk);
                if let Some(h) = handicap {
                    b = b.handicap(h);
                }
                if let Some(r) = revision {
                    b = b.revision(r);
                }
                if let Some(c) = class.filter(|_| blind) {
                    b = b.blindness_class(c);
                }
                if let Some(v) = vehicle {
                    b = b.vehicle(v);
                }
                let a = b.build().ok()?;
                Some(if statuses_only { a.statuses_only() } else { a })
            },
        )
}

fn any_status() -> impl Strategy<Value = Option<StatusRef>> {
    proptest::option::of(
        (any::<u64>(), "[0-9A-Za-z._-]{1,12}").prop_map(|(idx, uri)| StatusRef { idx, uri }),
    )
}

/// Seconds between 2001 and 2090, so that a validity of up to 12 years
/// stays within the format's dates (until 2106-02-07, docs/format.md §5).
fn any_time() -> impl Strategy<Value = Timestamp> {
    (1_000_000_000i64..3_800_000_000).prop_map(|s| Timestamp::from_second(s).unwrap())
}

fn any_request() -> impl Strategy<Value = FirstLevelRequest> {
    (
        any_attestation(),
        any_time(),
        proptest::option::of(1i64..1_000_000),
        1i64..400_000_000,
        any_status(),
        proptest::option::of("[A-Za-z0-9 -]{1,16}"),
    )
        .prop_map(|(attestation, iat, nbf, valid, status, issuer)| {
            let nbf = nbf.map(|d| iat + SignedDuration::from_secs(d));
            FirstLevelRequest {
                attestation,
                issued_at: iat,
                not_before: nbf,
                expires_at: nbf.unwrap_or(iat) + SignedDuration::from_secs(valid),
                status,
                issuer,
                kdf: KdfParams::INSECURE_TEST,
            }
        })
}

fn key() -> SigningKey {
    SigningKey::from_seed(&[0x22; 32])
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| Value::Integer(i.into())),
        any::<u64>().prop_map(|i| Value::Integer(i.into())),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::Bytes),
        ".{0,8}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((inner.clone(), inner), 0..4).prop_map(Value::Map),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Issue → text → parse → verify → claims → open gives back exactly
    /// what was issued, for any attestation, CF, dates and status.
    #[test]
    fn first_level_round_trip(req in any_request(), cf in any_cf(), cti in any::<[u8; 8]>()) {
        let issued = issue_first_level_with_cti(&key(), &cf, &req, Cti::from_bytes(cti)).unwrap();
        prop_assert!(issued.text().len() <= text::MAX_TEXT_LEN);
        let code = FirstLevelCode::parse(issued.text()).unwrap();
        prop_assert_eq!(code.kid(), key().kid());
        let payload = code.sign1().verify(&key().public_key()).unwrap();
        let claims = FirstLevelClaims::from_verified(&payload).unwrap();
        prop_assert_eq!(claims.cti().as_bytes(), &cti);
        prop_assert_eq!(claims.issued_at(), req.issued_at);
        prop_assert_eq!(claims.not_before(), req.not_before);
        prop_assert_eq!(claims.expires_at(), req.expires_at);
        prop_assert_eq!(claims.status(), req.status.as_ref());
        prop_assert_eq!(claims.issuer(), req.issuer.as_deref());
        let att = claims.envelope().open(&cf, claims.cti(), &KdfLimits::default().without_floor()).unwrap();
        prop_assert_eq!(att, req.attestation);
        // The CF typed in another form (lowercase, spaced) is the same CF.
        let typed = format!(" {} ", cf.as_str().to_lowercase());
        let again = CodiceFiscale::parse(&typed).unwrap();
        prop_assert!(claims.envelope().open(&again, claims.cti(), &KdfLimits::default().without_floor()).is_ok());
        // The text is also a valid input of the generic decoder.
        let i = inspect(issued.text()).unwrap();
        prop_assert_eq!(i.prefix, "AT1:");
    }

    /// Any single-bit flip of the COSE bytes is refused: by the parser, or
    /// by the signature check. Exhaustive over the bits of each credential.
    #[test]
    fn every_single_bit_flip_is_refused(req in any_request(), cf in any_cf()) {
        let issued = issue_first_level_with_cti(&key(), &cf, &req, Cti::from_bytes([1; 8])).unwrap();
        let (_, cose) = text::decode(issued.text()).unwrap();
        let pk = key().public_key();
        for bit in 0..cose.len() * 8 {
            let mut b = cose.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            let t = text::encode("AT1:", &b);
            if let Ok(code) = FirstLevelCode::parse(&t) {
                prop_assert!(code.sign1().verify(&pk).is_none(), "bit {} verifies", bit);
            }
        }
    }

    /// Every truncation of a valid text is refused before the claims.
    #[test]
    fn every_truncation_is_refused(req in any_request(), cf in any_cf()) {
        let issued = issue_first_level_with_cti(&key(), &cf, &req, Cti::from_bytes([2; 8])).unwrap();
        let t = issued.text();
        let pk = key().public_key();
        for end in 0..t.len() {
            if let Ok(code) = FirstLevelCode::parse(&t[..end]) {
                prop_assert!(code.sign1().verify(&pk).is_none(), "prefix of {} verifies", end);
            }
        }
    }

    /// ClaimSet: written claims parse back to the same entries, and
    /// writing is deterministic whatever the insertion order.
    #[test]
    fn claims_round_trip(entries in proptest::collection::vec((any::<i64>(), value()), 0..12)) {
        let mut c = ClaimSet::new();
        for (k, v) in &entries {
            c.set(*k, v.clone());
        }
        let bytes = c.to_vec();
        let limits = CborLimits { max_depth: 16, max_items: 4096, allow_indefinite: false, allow_duplicate_keys: true };
        let back = ClaimSet::parse(&bytes, limits).unwrap();
        let mut a = c.entries().to_vec();
        let mut b = back.entries().to_vec();
        a.sort_by_key(|(k, _)| *k);
        b.sort_by_key(|(k, _)| *k);
        prop_assert_eq!(&a, &b);
        let mut reversed = ClaimSet::new();
        for (k, v) in c.entries().iter().rev() {
            reversed.set(*k, v.clone());
        }
        prop_assert_eq!(reversed.to_vec(), bytes);
    }

    /// The decoders never panic on arbitrary text, with or without a
    /// known prefix, and arbitrary bytes behind a prefix.
    #[test]
    fn decoders_never_panic_on_text(s in ".{0,300}", b45 in "[0-9A-Z $%*+./:-]{0,300}") {
        for t in [s.clone(), format!("AT1:{s}"), format!("AT1:{b45}"), format!("AD1:{b45}"), format!("HC1:{b45}")] {
            let _ = FirstLevelCode::parse(&t);
            let _ = SecondLevelCode::parse(&t);
            let _ = inspect(&t);
        }
    }

    #[test]
    fn decoders_never_panic_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        for prefix in ["AT1:", "AD1:", "HC1:"] {
            let t = format!("{prefix}{}", base45::encode(&b));
            let _ = FirstLevelCode::parse(&t);
            let _ = SecondLevelCode::parse(&t);
            let _ = inspect(&t);
        }
        for limits in [CborLimits::STRICT, CborLimits::GENERIC] {
            if cbor_guard::check(&b, limits).is_ok() {
                // What the guard lets through, ciborium reads without error
                // from its own recursion limit.
                let r = ciborium::de::from_reader_with_recursion_limit::<Value, _>(b.as_slice(), limits.max_depth + 2);
                prop_assert!(!matches!(r, Err(ciborium::de::Error::RecursionLimitExceeded)));
            }
            let _ = ClaimSet::parse(&b, limits);
        }
    }
}
