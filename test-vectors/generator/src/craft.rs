//! Building codes by hand: CBOR values, COSE_Sign1 structures and
//! signatures, `AT1:`/`AD1:` texts, zlib streams, and taking genuine codes
//! apart to alter them.

use std::io::Write as _;

use attesta_core::cbor_guard::CborLimits;
use attesta_core::claims::ClaimSet;
use ciborium::Value;
use flate2::Compression;
use flate2::write::ZlibEncoder;

use crate::world::{Key, World, sha256};

pub(crate) fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

pub(crate) fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).expect("cbor");
    out
}

/// `{1: alg, 4: kid}` as the library writes it, or any variation.
pub(crate) fn protected(
    alg: Option<Value>,
    kid: Option<Vec<u8>>,
    extra: Vec<(Value, Value)>,
) -> Vec<u8> {
    let mut m = Vec::new();
    if let Some(a) = alg {
        m.push((int(1), a));
    }
    if let Some(k) = kid {
        m.push((int(4), Value::Bytes(k)));
    }
    m.extend(extra);
    if m.is_empty() {
        return Vec::new();
    }
    cbor(&Value::Map(m))
}

pub(crate) fn eddsa() -> Option<Value> {
    Some(int(-8))
}

pub(crate) fn std_protected(k: &Key) -> Vec<u8> {
    protected(eddsa(), Some(k.kid().as_bytes().to_vec()), vec![])
}

/// The Sig_structure of RFC 9052 §4.4 for COSE_Sign1 without external AAD.
pub(crate) fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    cbor(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.to_vec()),
        Value::Bytes(vec![]),
        Value::Bytes(payload.to_vec()),
    ]))
}

/// The four COSE_Sign1 items, signed by `signer` over `protected` and `payload`.
pub(crate) fn sign1_items(
    signer: &Key,
    protected: Vec<u8>,
    unprotected: Vec<(Value, Value)>,
    payload: Vec<u8>,
) -> Vec<Value> {
    let sig = signer.sk().sign(&sig_structure(&protected, &payload));
    vec![
        Value::Bytes(protected),
        Value::Map(unprotected),
        Value::Bytes(payload),
        Value::Bytes(sig.to_vec()),
    ]
}

pub(crate) fn tagged(items: Vec<Value>) -> Vec<u8> {
    cbor(&Value::Tag(18, Box::new(Value::Array(items))))
}

/// A standard COSE_Sign1 of `payload` by `signer`.
pub(crate) fn std_cose(signer: &Key, payload: Vec<u8>) -> Vec<u8> {
    tagged(sign1_items(signer, std_protected(signer), vec![], payload))
}

/// `AT1:` + base45 of the raw bytes (never compressed).
pub(crate) fn at1(cose: &[u8]) -> String {
    format!("AT1:{}", base45::encode(cose))
}

pub(crate) fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(data).expect("zlib");
    z.finish().expect("zlib")
}

pub(crate) fn body(text: &str) -> &str {
    text.split_once(':').expect("prefix").1
}

/// `AD1:` + base45 of the raw bytes (never compressed).
pub(crate) fn ad1(cose: &[u8]) -> String {
    format!("AD1:{}", base45::encode(cose))
}

/// The four COSE_Sign1 items of a code's text.
pub(crate) fn sign1_of(text: &str) -> Vec<Value> {
    let (_, cose) = attesta_core::text::decode(text).expect("decodes");
    let v: Value = ciborium::from_reader(cose.as_slice()).expect("cbor");
    let Value::Tag(18, inner) = v else {
        panic!("not tagged")
    };
    let Value::Array(items) = *inner else {
        panic!("not an array")
    };
    assert_eq!(items.len(), 4, "COSE_Sign1");
    items
}

/// The claims of a code's text, as signed.
pub(crate) fn claims_of(text: &str) -> ClaimSet {
    let Value::Bytes(payload) = &sign1_of(text)[2] else {
        panic!("payload")
    };
    ClaimSet::parse(payload, CborLimits::STRICT).expect("claims")
}

/// `c` without the claim `key`.
pub(crate) fn without(c: &ClaimSet, key: i64) -> ClaimSet {
    let mut out = ClaimSet::new();
    for (k, v) in c.entries() {
        if *k != key {
            out.set(*k, v.clone());
        }
    }
    out
}

/// A token with these claims, signed by INPS as issuance signs.
pub(crate) fn resigned(w: &World, c: &ClaimSet) -> String {
    ad1(&std_cose(&w.inps, c.to_vec()))
}

/// `AT1:` + base45 of a COSE_Sign1 of `claims` (bytes as given) by INPS.
pub(crate) fn signed_by_inps(w: &World, claims: Vec<u8>) -> String {
    at1(&std_cose(&w.inps, claims))
}

/// Deterministic filler bytes.
pub(crate) fn filler(label: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut i = 0u64;
    while out.len() < len {
        out.extend_from_slice(&sha256(
            format!("attesta test vector filler {label} {i}").as_bytes(),
        ));
        i += 1;
    }
    out.truncate(len);
    out
}

/// `claims` (a CBOR map of fewer than 23 entries) with one more entry, given
/// as raw bytes: for values no CBOR library writes.
pub(crate) fn with_raw_entry(claims: &[u8], entry: &[u8]) -> Vec<u8> {
    let head = claims[0];
    assert!((0xa0..0xb7).contains(&head), "a small map");
    [&[head + 1][..], &claims[1..], entry].concat()
}

/// `bytes` with the one occurrence of `from` replaced by `to`.
pub(crate) fn patched(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("the pattern occurs");
    assert!(
        bytes[at + 1..].windows(from.len()).all(|w| w != from),
        "the pattern occurs once"
    );
    [&bytes[..at], to, &bytes[at + from.len()..]].concat()
}

/// Number of CBOR data items in a value (what the guard counts).
pub(crate) fn items(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(items).sum(),
        Value::Map(m) => m.iter().map(|(k, v)| items(k) + items(v)).sum(),
        Value::Tag(_, inner) => items(inner),
        _ => 0,
    }
}

/// The COSE bytes of a code's text.
pub(crate) fn cose_of(text: &str) -> Vec<u8> {
    attesta_core::text::decode(text).expect("decodes").1
}

pub(crate) fn zlib_at(data: &[u8], level: u32) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::new(level));
    z.write_all(data).expect("zlib");
    z.finish().expect("zlib")
}
