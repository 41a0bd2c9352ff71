//! Every documented cap of the format layer holds (docs/limits.md): input
//! length, decompressed size, CBOR depth and item count, KDF parameters.
//!
//! Memory is measured two ways: the counting global allocator of
//! attesta-test-support gives the exact peak of heap bytes live during the
//! call, and /proc/self/statm the growth of the resident set. The tests take one lock, so no other test of
//! this file allocates while one is measuring. Set ATTESTA_LIMITS_VERBOSE=1
//! (and pass --nocapture) to see the figures.

use std::io::Write;
use std::time::Duration;

use attesta_core::cbor_guard::{self, CborGuardError, CborLimits};
use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::{self, ClaimSet};
use attesta_core::cose::{self, UnverifiedSign1};
use attesta_core::credential::{FirstLevelClaims, FirstLevelCode, OpenError};
use attesta_core::envelope::KdfLimits;
use attesta_core::error::FormatError;
use attesta_core::inspect::inspect;
use attesta_core::keys::SigningKey;
use attesta_core::second_level::SecondLevelCode;
use attesta_core::text::{self, MAX_GENERIC_PAYLOAD_LEN, MAX_PAYLOAD_LEN, MAX_TEXT_LEN};
use attesta_test_support::{CountingAllocator, MIB, measure, serial, zlib_zeros};
use ciborium::Value;
use flate2::Compression;
use flate2::write::ZlibEncoder;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(bytes).unwrap();
    z.finish().unwrap()
}

fn key() -> SigningKey {
    SigningKey::from_seed(&[0x22; 32])
}

// ---------------------------------------------------------------------------
// Input length
// ---------------------------------------------------------------------------

#[test]
fn text_longer_than_a_qr_code_is_refused_by_every_decoder() {
    let _g = serial();
    let at_cap = format!("AT1:{}", "0".repeat(MAX_TEXT_LEN - 4));
    assert_eq!(at_cap.len(), MAX_TEXT_LEN);
    // At the cap the length check passes and base45 decides.
    assert!(!matches!(
        FirstLevelCode::parse(&at_cap),
        Err(FormatError::TooLong { .. })
    ));
    for prefix in ["AT1:", "AD1:", "HC1:"] {
        let over = format!("{prefix}{}", "0".repeat(MAX_TEXT_LEN + 1 - prefix.len()));
        assert_eq!(over.len(), MAX_TEXT_LEN + 1);
        let huge = format!("{prefix}{}", "0".repeat(10 * MIB));
        for t in [&over, &huge] {
            let (errs, cost) = measure(|| {
                [
                    FirstLevelCode::parse(t).err(),
                    SecondLevelCode::parse(t).err(),
                    inspect(t).err(),
                ]
            });
            for e in errs {
                assert_eq!(e.unwrap().code(), "text_too_long");
            }
            // Refused from the length alone: nothing is copied or decoded.
            assert!(cost.peak_heap < 4096, "{} bytes", cost.peak_heap);
            assert!(cost.time < Duration::from_millis(100), "{:?}", cost.time);
        }
    }
}

// ---------------------------------------------------------------------------
// Decompressed size
// ---------------------------------------------------------------------------

#[test]
fn zlib_bomb_of_10_mib_is_refused_quickly_with_bounded_memory() {
    let _g = serial();
    let bomb = zlib_zeros(10 * MIB);
    assert!(bomb.len() < 16 * 1024, "{} bytes", bomb.len());
    let body = base45::encode(&bomb);
    for (cap, code) in [
        (MAX_PAYLOAD_LEN, "decompressed_too_large"),
        (MAX_GENERIC_PAYLOAD_LEN, "decompressed_too_large"),
    ] {
        let (r, cost) = measure(|| text::decode_body(&body, cap));
        assert_eq!(r.unwrap_err().code(), code);
        assert!(
            cost.peak_heap < cap * 2 + 128 * 1024,
            "peak heap {} bytes for a cap of {cap}",
            cost.peak_heap
        );
        assert!(
            cost.rss_growth < 16 * MIB,
            "RSS grew {} bytes",
            cost.rss_growth
        );
        assert!(cost.time < Duration::from_secs(1), "{:?}", cost.time);
    }
}

#[test]
fn largest_bomb_that_fits_a_qr_code_is_refused_by_every_decoder() {
    let _g = serial();
    // About 2.8 MiB of zeros compress to under 2,864 bytes, the most a
    // 4,296-character text carries.
    let bomb = zlib_zeros(2_800_000);
    let body = base45::encode(&bomb);
    assert!(body.len() + 4 <= MAX_TEXT_LEN, "{} chars", body.len());
    for prefix in ["AT1:", "AD1:", "HC1:"] {
        let t = format!("{prefix}{body}");
        let (errs, cost) = measure(|| {
            [
                FirstLevelCode::parse(&t).err(),
                SecondLevelCode::parse(&t).err(),
                inspect(&t).err(),
            ]
        });
        // Foreign prefixes are refused by the attesta parsers before decoding.
        let skip = if prefix == "HC1:" { 2 } else { 0 };
        for e in errs.into_iter().skip(skip) {
            assert_eq!(e.unwrap().code(), "decompressed_too_large");
        }
        assert!(cost.peak_heap < 512 * 1024, "{} bytes", cost.peak_heap);
        assert!(cost.rss_growth < 16 * MIB, "{} bytes", cost.rss_growth);
        assert!(cost.time < Duration::from_secs(1), "{:?}", cost.time);
    }
}

#[test]
fn decompressed_size_cap_is_exact() {
    let _g = serial();
    let mut at_cap = vec![0xd2u8];
    at_cap.resize(MAX_PAYLOAD_LEN, 0);
    assert_eq!(
        text::decode_body(&base45::encode(zlib(&at_cap)), MAX_PAYLOAD_LEN).unwrap(),
        at_cap
    );
    at_cap.push(0);
    assert_eq!(
        text::decode_body(&base45::encode(zlib(&at_cap)), MAX_PAYLOAD_LEN),
        Err(FormatError::TooLarge {
            max: MAX_PAYLOAD_LEN
        })
    );
    // Uncompressed bodies have the same cap.
    assert_eq!(
        text::decode_body(&base45::encode(&at_cap), MAX_PAYLOAD_LEN),
        Err(FormatError::TooLarge {
            max: MAX_PAYLOAD_LEN
        })
    );
}

// ---------------------------------------------------------------------------
// CBOR depth
// ---------------------------------------------------------------------------

/// Runs `f` on a thread with a 64 KiB stack: a parser that recursed once
/// per nesting level would overflow it long before 100,000 levels.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow")
}

fn nested_arrays(levels: usize) -> Vec<u8> {
    let mut b = vec![0x81u8; levels];
    b.push(0x00);
    b
}

#[test]
fn cbor_depth_is_capped_without_recursing_at_100000_levels() {
    let _g = serial();
    let deep = nested_arrays(100_000);
    let mut tags = vec![0xc6u8; 100_000];
    tags.push(0x00);
    let mut maps = Vec::new();
    for _ in 0..50_000 {
        maps.extend([0xa1, 0x00]);
    }
    maps.push(0x00);
    let (results, cost) =
        measure(move || {
            on_small_stack(move || {
                let mut out = Vec::new();
                for b in [&deep, &tags, &maps] {
                    out.push(cbor_guard::check(b, CborLimits::STRICT));
                    out.push(cbor_guard::check(b, CborLimits::GENERIC));
                    out.push(ClaimSet::parse(b, CborLimits::STRICT).map(|_| ()).map_err(
                        |e| match e {
                            FormatError::Cbor(c) => c,
                            other => panic!("{other:?}"),
                        },
                    ));
                    out.push(
                        UnverifiedSign1::parse(b, CborLimits::GENERIC)
                            .map(|_| ())
                            .map_err(|e| match e {
                                FormatError::Cbor(c) => c,
                                other => panic!("{other:?}"),
                            }),
                    );
                }
                out
            })
        });
    for r in results {
        assert!(
            matches!(r, Err(CborGuardError::TooDeep { max: 8 | 24 })),
            "{r:?}"
        );
    }
    assert!(cost.time < Duration::from_secs(1), "{:?}", cost.time);
}

#[test]
fn deep_nesting_inside_codes_is_refused() {
    let _g = serial();
    // Fits an uncompressed QR text: refused by the strict limits (8).
    let t = text::encode("AT1:", &nested_arrays(2_000));
    assert!(t.len() <= MAX_TEXT_LEN);
    assert_eq!(
        FirstLevelCode::parse(&t).unwrap_err().code(),
        "cbor_too_deep"
    );
    // 60,000 levels compress to a few hundred bytes and stay under the
    // generic 64 KiB cap: the generic decoder refuses them at depth 24.
    let mut deep = vec![0xd2u8];
    deep.extend(nested_arrays(60_000));
    let t = format!("HC1:{}", base45::encode(zlib(&deep)));
    assert!(t.len() <= MAX_TEXT_LEN);
    let r = on_small_stack(move || inspect(&t).map(|_| ()));
    assert_eq!(r.unwrap_err().code(), "cbor_too_deep");
    // Exactly at the strict depth is fine for the guard.
    assert!(cbor_guard::check(&nested_arrays(7), CborLimits::STRICT).is_ok());
    assert!(cbor_guard::check(&nested_arrays(8), CborLimits::STRICT).is_err());
}

// ---------------------------------------------------------------------------
// Item count
// ---------------------------------------------------------------------------

#[test]
fn huge_announced_lengths_are_refused_without_allocating() {
    let _g = serial();
    let announced: [&[u8]; 6] = [
        &[0x9a, 0xff, 0xff, 0xff, 0xff], // array, 2^32-1 items
        &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // array, 2^64-1 items
        &[0xba, 0xff, 0xff, 0xff, 0xff], // map
        &[0x5a, 0xff, 0xff, 0xff, 0xff], // byte string
        &[0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // text string
        &[0xd2, 0x9a, 0x7f, 0xff, 0xff, 0xff], // tagged array
    ];
    for b in announced {
        let (r, cost) = measure(|| {
            (
                cbor_guard::check(b, CborLimits::GENERIC).is_err(),
                ClaimSet::parse(b, CborLimits::STRICT).is_err(),
                UnverifiedSign1::parse(b, CborLimits::GENERIC).is_err(),
                FirstLevelCode::parse(&text::encode("AT1:", b)).is_err(),
                inspect(&text::encode("HC1:", b)).is_err(),
            )
        });
        assert_eq!(r, (true, true, true, true, true), "{b:02x?}");
        assert!(
            cost.peak_heap < 8 * 1024,
            "{b:02x?}: {} bytes",
            cost.peak_heap
        );
        assert!(cost.time < Duration::from_millis(100), "{:?}", cost.time);
    }
}

#[test]
fn item_count_is_capped() {
    let _g = serial();
    let array = |n: u16| {
        let mut b = vec![0x99];
        b.extend(n.to_be_bytes());
        b.extend(std::iter::repeat_n(0u8, usize::from(n)));
        b
    };
    // The array itself counts as one item.
    assert!(cbor_guard::check(&array(511), CborLimits::STRICT).is_ok());
    assert_eq!(
        cbor_guard::check(&array(512), CborLimits::STRICT),
        Err(CborGuardError::TooManyItems { max: 512 })
    );
    assert!(cbor_guard::check(&array(16_383), CborLimits::GENERIC).is_ok());
    assert_eq!(
        cbor_guard::check(&array(16_384), CborLimits::GENERIC),
        Err(CborGuardError::TooManyItems { max: 16_384 })
    );
    // Through a code: 600 items fit a QR text and are refused.
    let t = text::encode("AT1:", &array(600));
    assert_eq!(
        FirstLevelCode::parse(&t).unwrap_err().code(),
        "cbor_too_many_items"
    );
    // Indefinite-length items can announce nothing: they are counted as read.
    let mut indef = vec![0x9f];
    indef.extend(std::iter::repeat_n(0u8, 20_000));
    indef.push(0xff);
    assert_eq!(
        cbor_guard::check(&indef, CborLimits::GENERIC),
        Err(CborGuardError::TooManyItems { max: 16_384 })
    );
    assert!(matches!(
        cbor_guard::check(&indef, CborLimits::STRICT),
        Err(CborGuardError::Indefinite { .. })
    ));
}

// ---------------------------------------------------------------------------
// KDF parameters
// ---------------------------------------------------------------------------

/// A first-level code signed by `key` whose envelope declares `[m, t, p]`.
fn code_with_kdf(m: u64, t: u64, p: u64) -> String {
    let mut c = ClaimSet::new();
    c.set_time(claims::IAT, "2026-11-01T00:00:00Z".parse().unwrap());
    c.set_time(claims::EXP, "2027-11-01T00:00:00Z".parse().unwrap());
    c.set(claims::CTI, Value::Bytes(vec![7; 8]));
    c.set(
        claims::ATTESTA_ENVELOPE,
        Value::Array(vec![
            Value::Integer(m.into()),
            Value::Integer(t.into()),
            Value::Integer(p.into()),
            Value::Bytes(vec![0; 23]),
        ]),
    );
    text::encode("AT1:", &cose::sign(&key(), c.to_vec(), None))
}

fn open(text: &str, limits: &KdfLimits) -> Result<(), OpenError> {
    let code = FirstLevelCode::parse(text).unwrap();
    let payload = code.sign1().verify(&key().public_key()).unwrap();
    let claims = FirstLevelClaims::from_verified(&payload).unwrap();
    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
    claims
        .envelope()
        .open(&cf, claims.cti(), limits)
        .map(|_| ())
}

#[test]
fn kdf_parameters_above_the_limits_are_refused_before_argon2_runs() {
    let _g = serial();
    let limits = KdfLimits::default();
    for (m, t, p) in [
        (4096, 2, 1),                // 4 GiB
        (4 * 1024 * 1024 - 1, 1, 1), // just under 4 TiB, the format's own bound
        (19, u64::from(u32::MAX), 1),
        (19, 2, 255),
        (65, 1, 1),
        (64, 9, 1),
        (64, 8, 5),
    ] {
        let code = code_with_kdf(m, t, p);
        let (r, cost) = measure(|| open(&code, &limits));
        assert!(
            matches!(r, Err(OpenError::KdfParamsOutOfBounds { .. })),
            "({m}, {t}, {p}): {r:?}"
        );
        assert!(
            cost.time < Duration::from_millis(50),
            "({m}, {t}, {p}): {:?}",
            cost.time
        );
        assert!(
            cost.peak_heap < 64 * 1024,
            "({m}, {t}, {p}): {} bytes",
            cost.peak_heap
        );
    }
    // Parameters Argon2 itself cannot take are malformed claims.
    for (m, t, p) in [
        (0, 1, 1),
        (1, 0, 1),
        (1, 1, 0),
        (1, 1, 256),
        (4 * 1024 * 1024, 1, 1),
    ] {
        let code = code_with_kdf(m, t, p);
        let payload = FirstLevelCode::parse(&code)
            .unwrap()
            .sign1()
            .verify(&key().public_key())
            .unwrap();
        assert_eq!(
            FirstLevelClaims::from_verified(&payload)
                .unwrap_err()
                .code(),
            "malformed_claims",
            "({m}, {t}, {p})"
        );
    }
    // Within tight limits the KDF runs (and the zero ciphertext does not open).
    let tight = KdfLimits {
        max_memory_mib: 1,
        max_iterations: 1,
        max_parallelism: 1,
        min_memory_mib: 1,
        min_iterations: 1,
    };
    assert_eq!(
        open(&code_with_kdf(1, 1, 1), &tight),
        Err(OpenError::CfMismatch)
    );
    assert!(matches!(
        open(&code_with_kdf(2, 1, 1), &tight),
        Err(OpenError::KdfParamsOutOfBounds { m: 2, t: 1, p: 1 })
    ));
}

/// Security review, finding 4: a code with KDF [1 MiB, t=1, p=1] verified
/// as valid, and a CF guess against it cost 2.8 ms. Parameters below the
/// default are refused before Argon2id runs, cheaply.
#[test]
fn finding_4_weak_kdf_code_is_refused_before_argon2_runs() {
    let _g = serial();
    let limits = KdfLimits::default();
    for (m, t, p) in [(1, 1, 1), (18, 2, 1), (19, 1, 1), (46, 1, 1), (8, 4, 1)] {
        let code = code_with_kdf(m, t, p);
        let (r, cost) = measure(|| open(&code, &limits));
        assert_eq!(
            r,
            Err(OpenError::KdfBelowFloor {
                m: m as u32,
                t: t as u32,
                p: p as u32
            }),
            "({m}, {t}, {p})"
        );
        assert!(cost.time < Duration::from_millis(50), "{:?}", cost.time);
        assert!(cost.peak_heap < 64 * 1024, "{} bytes", cost.peak_heap);
    }
    // At the floor the KDF runs (and the zero ciphertext does not open).
    assert_eq!(
        open(&code_with_kdf(19, 2, 1), &limits),
        Err(OpenError::CfMismatch)
    );
}

/// Regression: the guard's repeated-key check compared each map key with
/// every earlier one, and `ClaimSet::parse` did the same, so one map of
/// 100,000 distinct keys (allowed in a trust list, whose guard runs before
/// the signature is checked) took minutes.
#[test]
fn regression_quadratic_duplicate_key_check() {
    let _g = serial();
    let n: u32 = 100_000;
    let mut map = vec![0xba];
    map.extend(n.to_be_bytes());
    for k in 0..n {
        map.extend(uint(k));
        map.push(0x00);
    }
    let limits = CborLimits {
        max_depth: 8,
        max_items: 250_000,
        allow_indefinite: false,
        allow_duplicate_keys: false,
    };
    let (r, cost) = measure(|| {
        (
            cbor_guard::check(&map, limits),
            ClaimSet::parse(&map, limits).map(|c| c.entries().len()),
        )
    });
    assert_eq!(r, (Ok(()), Ok(100_000)));
    assert!(cost.time < Duration::from_secs(2), "{:?}", cost.time);
    // A repeat at the very end is still found.
    let mut dup = map.clone();
    dup[1..5].copy_from_slice(&(n + 1).to_be_bytes());
    dup.extend([0x07, 0x00]);
    assert!(matches!(
        cbor_guard::check(&dup, limits),
        Err(CborGuardError::DuplicateKey { .. })
    ));
}

#[test]
fn second_level_judgement_is_capped_at_120_characters() {
    use attesta_core::credential::{Cti, IssueError};
    use attesta_core::envelope::KdfParams;
    use attesta_core::model::{ModelError, SecondLevelDetails};
    use attesta_core::operator_key::OperatorSecretKey;
    use attesta_core::second_level::{SecondLevelRequest, issue_second_level};
    let _g = serial();
    let op = OperatorSecretKey::from_bytes(&[0x77; 32]).unwrap();
    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
    let iat: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
    let req = |judgement: String| SecondLevelRequest {
        details: SecondLevelDetails {
            judgement: Some(judgement),
            ..SecondLevelDetails::default()
        },
        audience: "comune-bo".into(),
        operator_key: op.public_key(),
        first_level_cti: Cti::from_bytes([1; 8]),
        status: None,
        issued_at: iat,
        expires_at: iat + jiff::SignedDuration::from_hours(24),
        kdf: KdfParams::INSECURE_TEST,
    };
    // The longest judgement, in four-byte characters, is still a code.
    let t = issue_second_level(&key(), &cf, &req("\u{1F600}".repeat(120))).unwrap();
    assert!(t.text().len() <= MAX_TEXT_LEN, "{} chars", t.text().len());
    assert!(SecondLevelCode::parse(t.text()).is_ok());
    assert_eq!(
        issue_second_level(&key(), &cf, &req("a".repeat(121))).err(),
        Some(IssueError::Model(ModelError::JudgementTooLong { max: 120 }))
    );
}

/// The shortest CBOR encoding of an unsigned integer.
fn uint(k: u32) -> Vec<u8> {
    match k {
        0..=23 => vec![k as u8],
        24..=0xff => vec![0x18, k as u8],
        0x100..=0xffff => [&[0x19][..], &(k as u16).to_be_bytes()].concat(),
        _ => [&[0x1a][..], &k.to_be_bytes()].concat(),
    }
}

/// Regression (found by the claims_roundtrip fuzz target): repeated keys
/// were found by comparing their bytes, so a key written in a longer form
/// (`0x18 0x01` for 1, `0x78 0x01 'a'` for "a") passed as a new key and two
/// readers could take different values; the claims set then failed to
/// parse once written back. Where keys must be unique, integers, lengths
/// and tags must now take their shortest form.
#[test]
fn regression_duplicate_key_in_a_longer_form() {
    let _g = serial();
    for (bytes, offset) in [
        // {1: 0, 1 (as 0x18 0x01): 1}
        (&[0xa2, 0x01, 0x00, 0x18, 0x01, 0x01][..], 3),
        // {4: {"a": 1, "a" (length as 0x78 0x01): 2}}
        (
            &[0xa1, 0x04, 0xa2, 0x61, b'a', 0x01, 0x78, 0x01, b'a', 0x02][..],
            6,
        ),
        // A length in a longer form anywhere: h'00' as 0x58 0x01 0x00.
        (&[0xa1, 0x04, 0x58, 0x01, 0x00][..], 2),
        // A tag: 1(0) as 0xd8 0x01 0x00.
        (&[0xa1, 0x04, 0xd8, 0x01, 0x00][..], 2),
    ] {
        assert_eq!(
            cbor_guard::check(bytes, CborLimits::STRICT),
            Err(CborGuardError::NotShortest { offset }),
            "{bytes:02x?}"
        );
        assert_eq!(
            ClaimSet::parse(bytes, CborLimits::STRICT)
                .unwrap_err()
                .code(),
            "cbor_not_shortest_form"
        );
        // Foreign codes may use any form.
        assert!(cbor_guard::check(bytes, CborLimits::GENERIC).is_ok());
    }
    // Shortest forms at each boundary pass.
    for ok in [
        &[0x17][..],
        &[0x18, 0x18],
        &[0x19, 0x01, 0x00],
        &[0x1a, 0x00, 0x01, 0x00, 0x00],
        &[0x1b, 0, 0, 0, 1, 0, 0, 0, 0],
        &[0x38, 0x18],
    ] {
        assert!(
            cbor_guard::check(ok, CborLimits::STRICT).is_ok(),
            "{ok:02x?}"
        );
    }
    // The fuzzer's input, reduced: written back, the claims parse again.
    let crash = [
        0xa2, 0x04, 0xa2, 0x61, b'a', 0x01, 0x78, 0x01, b'a', 0x02, 0x05, 0x00,
    ];
    if let Ok(c) = ClaimSet::parse(&crash, CborLimits::STRICT) {
        assert!(ClaimSet::parse(&c.to_vec(), CborLimits::STRICT).is_ok());
    }
}

/// Regression (found by the claims_roundtrip fuzz target): ciborium reads
/// a bignum `3(h'')` as the integer -1, another encoding of one value, so
/// a claims set changed on a write-and-read round trip. Where keys must be
/// unique, bignums are refused.
#[test]
fn regression_bignum_is_a_second_encoding() {
    let _g = serial();
    // {4: 3(h'')} and {4: 2(h'01')}
    for bytes in [
        &[0xa1, 0x04, 0xc3, 0x40][..],
        &[0xa1, 0x04, 0xc2, 0x41, 0x01],
    ] {
        assert_eq!(
            cbor_guard::check(bytes, CborLimits::STRICT),
            Err(CborGuardError::Bignum { offset: 2 })
        );
        assert!(ClaimSet::parse(bytes, CborLimits::STRICT).is_err());
        assert!(cbor_guard::check(bytes, CborLimits::GENERIC).is_ok());
    }
    // Other tags are not bignums.
    assert!(cbor_guard::check(&[0xa1, 0x04, 0xc1, 0x00], CborLimits::STRICT).is_ok());
}

/// Regression (found by the claims_roundtrip fuzz target in the 2026-11-29
/// run): ciborium reads `undefined` (0xf7) as null and writes a 64-bit
/// float in its shortest form, so `{undefined: 1, null: 2}` and
/// `{1.0 (f64): 1, 1.0 (f16): 2}` passed the repeated-key check and became
/// maps with a repeated key once written back; a claims set no longer
/// parsed after a round trip. Where keys must be unique, only false, true
/// and null are accepted of major type 7.
#[test]
fn regression_undefined_and_floats_are_second_encodings() {
    let _g = serial();
    for (bytes, offset) in [
        // {4: {undefined: 1, null: 2}}
        (&[0xa1, 0x04, 0xa2, 0xf7, 0x01, 0xf6, 0x02][..], 3),
        // {4: {1.0 as f64: 1, 1.0 as f16: 2}}
        (
            &[
                0xa1, 0x04, 0xa2, 0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x01, 0xf9, 0x3c, 0x00, 0x02,
            ][..],
            3,
        ),
        // Any float or simple value, key or not.
        (&[0xa1, 0x04, 0xf9, 0x3c, 0x00][..], 2),
        (&[0xa1, 0x04, 0xfa, 0x3f, 0x80, 0, 0][..], 2),
        (&[0xa1, 0x04, 0xf0][..], 2),
        (&[0xa1, 0x04, 0xf8, 0x20][..], 2),
    ] {
        assert_eq!(
            cbor_guard::check(bytes, CborLimits::STRICT),
            Err(CborGuardError::FloatOrSimple { offset }),
            "{bytes:02x?}"
        );
        assert_eq!(
            ClaimSet::parse(bytes, CborLimits::STRICT)
                .unwrap_err()
                .code(),
            "cbor_float_or_simple"
        );
        // Foreign codes (display only) may hold them.
        assert!(
            cbor_guard::check(bytes, CborLimits::GENERIC).is_ok(),
            "{bytes:02x?}"
        );
    }
    // false, true and null stay.
    let ok = [0xa1, 0x04, 0x83, 0xf4, 0xf5, 0xf6];
    let c = ClaimSet::parse(&ok, CborLimits::STRICT).unwrap();
    assert_eq!(c.to_vec(), ok);
    // The fuzzer's input (a claims map with `{undefined: undefined,
    // null: "b\0"}` inside) is refused, so nothing reaches the writer.
    let crash = [
        0xa7, 0x03, 0x69, b'c', b'o', b'm', b'u', b'n', b'e', b'-', b'b', b'o', 0x1a, 0x24, 0x6a,
        0xf1, 0x0d, 0xa4, 0x1a, 0x04, 0x6c, 0xc7, 0xb4, 0x80, 0x06, 0x1a, 0x6a, 0xe6, 0x41, 0x62,
        0xf7, 0xf7, 0xf6, 0x62, 0x62, 0x00, 0x06, 0x80, 0x1a, 0xc9, 0x69, 0x64, 0x78, 0x11, 0x63,
        0x75, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, 0x82, 0x58, 0x20, 0xbb, 0x21, 0x86, 0xc2, 0x47,
        0xbc, 0x7f, 0x06, 0x1b, 0x9c, 0x68, 0xd5, 0x01, 0x40, 0, 0, 0, 0, 0, 0, 0xc3, 0xc8, 0xb2,
        0xbc, 0x3b, 0x1a, 0xc9, 0xaa, 0x66, 0x70, 0x15, 0x00, 0x01,
    ];
    assert_eq!(
        cbor_guard::check(&crash, CborLimits::STRICT),
        Err(CborGuardError::FloatOrSimple { offset: 30 })
    );
}
