//! The caps of the verifier's own documents hold (docs/limits.md): status
//! list decompression and item counts, trust-list item count and depth.
//! The format-layer caps are tested in attesta-core's tests/limits.rs, the
//! image-size cap in attesta-qr's. Memory is measured with the counting
//! global allocator of attesta-test-support and /proc/self/statm; the
//! tests take one lock so that they do not measure each other. Set
//! ATTESTA_LIMITS_VERBOSE=1 (and pass --nocapture) to see the figures.

use std::time::Duration;

use attesta_core::claims::{self, ClaimSet, IAT, STATUS_LIST, SUB};
use attesta_core::cose;
use attesta_core::keys::SigningKey;
use attesta_core::status_list::{
    MAX_CAPACITY, MEDIA_TYPE, StatusBits, StatusList, StatusListError, StatusListToken,
};
use attesta_core::trust_list::{TRUST_LIST_TYP, TrustError, TrustList};
use attesta_test_support::{CountingAllocator, MIB, measure, serial, zlib_zeros};
use ciborium::Value;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn issuer() -> SigningKey {
    SigningKey::from_seed(&[0x22; 32])
}

fn root() -> SigningKey {
    SigningKey::from_seed(&[0x11; 32])
}

fn status_claims(bits: u64, lst: Vec<u8>) -> ClaimSet {
    let mut c = ClaimSet::new();
    c.set(SUB, Value::Text("1".into()));
    c.set_time(IAT, "2026-11-14T00:00:00Z".parse().unwrap());
    c.set(
        STATUS_LIST,
        Value::Map(vec![
            (Value::Text("bits".into()), Value::Integer(bits.into())),
            (Value::Text("lst".into()), Value::Bytes(lst)),
        ]),
    );
    c
}

fn read_status(claims: &ClaimSet) -> Result<StatusListToken, StatusListError> {
    let bytes = cose::sign(&issuer(), claims.to_vec(), Some(MEDIA_TYPE));
    let u = StatusListToken::parse_unverified(&bytes)?;
    StatusListToken::from_verified(&u.verify(&issuer().public_key()).unwrap())
}

// ---------------------------------------------------------------------------
// Status lists
// ---------------------------------------------------------------------------

#[test]
fn status_list_decompression_is_capped_at_32_mib() {
    let _g = serial();
    // 40 MiB of zeros: past the 2-bit cap (32 MiB), about 40 KiB compressed.
    let bomb = zlib_zeros(40 * MIB);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let claims = status_claims(2, bomb);
    let (r, cost) = measure(|| read_status(&claims));
    assert_eq!(
        r.unwrap_err(),
        StatusListError::TooLarge {
            max_bytes: 32 * MIB
        }
    );
    // Inflating stops at the cap, and the output never grows past it (the
    // rest is the inflater's state and the copies of the 40 KiB token).
    assert!(
        cost.peak_heap <= 33 * MIB,
        "peak heap {} bytes",
        cost.peak_heap
    );
    assert!(
        cost.rss_growth < 48 * MIB,
        "RSS grew {} MiB",
        cost.rss_growth / MIB
    );
    assert!(cost.time < Duration::from_secs(2), "{:?}", cost.time);

    // The 1-bit cap is 16 MiB.
    let claims = status_claims(1, zlib_zeros(16 * MIB + 1));
    assert_eq!(
        read_status(&claims).unwrap_err(),
        StatusListError::TooLarge {
            max_bytes: 16 * MIB
        }
    );
    // Exactly at the cap is accepted: 2^27 entries.
    let at_cap = StatusList::decompress(StatusBits::One, &zlib_zeros(16 * MIB)).unwrap();
    assert_eq!(at_cap.capacity(), MAX_CAPACITY);
    assert!(StatusList::new(MAX_CAPACITY + 8, StatusBits::One).is_err());
}

#[test]
fn status_list_token_item_count_is_capped() {
    let _g = serial();
    let good = StatusList::new(8, StatusBits::One).unwrap().compress();
    let mut c = status_claims(1, good);
    // 64 items in all: the map, its keys and values.
    c.set(
        TTL_PADDING,
        Value::Array(std::iter::repeat_n(Value::Integer(0.into()), 60).collect()),
    );
    let e = read_status(&c).unwrap_err();
    assert_eq!(e.code(), "cbor_too_many_items", "{e}");
    // A header announcing 2^32 items is refused without allocating.
    let mut bytes = vec![0xd2, 0x84, 0x40, 0xa0, 0x5a, 0xff, 0xff, 0xff, 0xff];
    bytes.extend([0u8; 8]);
    let (r, cost) = measure(|| StatusListToken::parse_unverified(&bytes));
    assert!(r.is_err());
    assert!(cost.peak_heap < 8 * 1024, "{} bytes", cost.peak_heap);
}

/// A private claim key with no meaning, to pad claims sets.
const TTL_PADDING: i64 = -70_000;

// ---------------------------------------------------------------------------
// Trust lists
// ---------------------------------------------------------------------------

fn trust_claims(extra: Value) -> Vec<u8> {
    let body = Value::Map(vec![
        (Value::Text("seq".into()), Value::Integer(1.into())),
        (Value::Text("issuers".into()), Value::Array(vec![])),
        (Value::Text("operators".into()), Value::Array(vec![])),
        (Value::Text("denied".into()), Value::Array(vec![])),
        (Value::Text("padding".into()), extra),
    ]);
    let mut c = ClaimSet::new();
    c.set_time(claims::IAT, "2026-11-10T00:00:00Z".parse().unwrap());
    c.set_time(claims::EXP, "2026-12-10T00:00:00Z".parse().unwrap());
    c.set(claims::ATTESTA_TRUST_LIST, body);
    c.to_vec()
}

#[test]
fn trust_list_item_count_and_depth_are_capped() {
    let _g = serial();
    let zeros = |n| Value::Array(std::iter::repeat_n(Value::Integer(0.into()), n).collect());
    // Under the 200,000-item cap: accepted (the padding is ignored).
    let ok = cose::sign(&root(), trust_claims(zeros(199_000)), Some(TRUST_LIST_TYP));
    let (r, cost) = measure(|| TrustList::verify_signature(&ok, &root().public_key()));
    assert!(r.is_ok(), "{r:?}");
    assert!(cost.time < Duration::from_secs(2), "{:?}", cost.time);
    // Over it: refused, for the signed list and for display alike.
    let payload = trust_claims(zeros(200_001));
    let over = cose::sign(&root(), payload.clone(), Some(TRUST_LIST_TYP));
    for r in [
        TrustList::verify_signature(&over, &root().public_key()),
        TrustList::from_unverified_payload(&payload),
    ] {
        match r {
            Err(TrustError::Malformed(m)) => assert!(m.contains("200000 items"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    // Deeper than 8 levels: refused.
    let mut deep = Value::Integer(0.into());
    for _ in 0..8 {
        deep = Value::Array(vec![deep]);
    }
    match TrustList::from_unverified_payload(&trust_claims(deep)) {
        Err(TrustError::Malformed(m)) => assert!(m.contains("deeper than 8"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Huge announced lengths: refused without allocating.
    let bytes = [
        0xd2, 0x84, 0x40, 0xa0, 0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    let (r, cost) = measure(|| TrustList::verify_signature(&bytes, &root().public_key()));
    assert!(matches!(r, Err(TrustError::Malformed(_))));
    assert!(cost.peak_heap < 8 * 1024, "{} bytes", cost.peak_heap);
}

/// Regression (found while writing these tests): the CBOR guard looked for
/// repeated map keys by comparing each key with every earlier one, so a
/// trust list whose unprotected header (checked before the signature) was
/// one map of 66,000 distinct keys took minutes to refuse.
#[test]
fn regression_quadratic_duplicate_key_check() {
    let _g = serial();
    let n: u32 = 66_000;
    let mut map = vec![0xba];
    map.extend(n.to_be_bytes());
    for k in 0..n {
        map.extend(uint(k));
        map.push(0x00);
    }
    let mut bytes = vec![0xd2, 0x84, 0x40];
    bytes.extend(&map);
    bytes.extend([0x40, 0x40]);
    let (r, cost) = measure(|| TrustList::verify_signature(&bytes, &root().public_key()));
    assert!(matches!(r, Err(TrustError::Malformed(_))), "{r:?}");
    assert!(cost.time < Duration::from_secs(1), "{:?}", cost.time);
    // The same map as a claims set of a signed list: refused, or read, in
    // bounded time too.
    let signed = cose::sign(&root(), map, Some(TRUST_LIST_TYP));
    let (r, cost) = measure(|| TrustList::verify_signature(&signed, &root().public_key()));
    assert!(r.is_err());
    assert!(cost.time < Duration::from_secs(1), "{:?}", cost.time);
}

/// Regression: `StatusList::decompress` inflated with `read_to_end`, whose
/// vector doubles as it grows, so a list just past 16 MiB (or a bomb past
/// the 32 MiB cap) held 32 MiB (64 MiB) of capacity, twice what the
/// documentation promised. The vector now never grows past the cap.
#[test]
fn regression_status_list_inflate_doubles_past_the_cap() {
    let _g = serial();
    // Exactly at the 1-bit cap: 16 MiB, allocated once.
    let z = zlib_zeros(16 * MIB);
    let (r, cost) = measure(|| StatusList::decompress(StatusBits::One, &z).map(|l| l.capacity()));
    assert_eq!(r, Ok(MAX_CAPACITY));
    assert!(
        cost.peak_heap <= 16 * MIB + 256 * 1024,
        "peak heap {} bytes",
        cost.peak_heap
    );
    // A bomb for a 1-bit list: refused at 16 MiB, not at 32.
    let z = zlib_zeros(40 * MIB);
    let (r, cost) = measure(|| StatusList::decompress(StatusBits::One, &z).map(drop));
    assert_eq!(
        r,
        Err(StatusListError::TooLarge {
            max_bytes: 16 * MIB
        })
    );
    assert!(
        cost.peak_heap <= 16 * MIB + 256 * 1024,
        "peak heap {} bytes",
        cost.peak_heap
    );
    // Small lists stay small (the inflater's own state is about 70 KiB).
    let small = StatusList::new(1024, StatusBits::One).unwrap().compress();
    let (r, cost) =
        measure(|| StatusList::decompress(StatusBits::One, &small).map(|l| l.capacity()));
    assert_eq!(r, Ok(1024));
    assert!(
        cost.peak_heap < 128 * 1024,
        "peak heap {} bytes",
        cost.peak_heap
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
