//! §3: CBOR encoding rules and the protected header.

use ciborium::Value;

use crate::craft::{at1, int, items, patched, sign1_items, signed_by_inps, tagged, with_raw_entry};
use crate::cred::{cred, deaf};
use crate::vector::V;
use crate::world::World;

pub(crate) fn exact_cbor(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    // Depth: the claims map is depth 1, claim 99's value depth 2.
    let nested = |arrays: usize| {
        let mut v = int(0);
        for _ in 0..arrays {
            v = Value::Array(vec![v]);
        }
        v
    };
    {
        let c = cred("cbor-depth-at-limit", deaf());
        let mut claims = c.claims();
        claims.set(99, nested(6));
        out.push(V::crafted_valid(
            w,
            "cbor-depth-at-limit",
            "Signed claims with an unknown claim 99 holding six nested arrays around 0: the \
             claims map is at depth 1, the arrays at depths 2 to 7, the 0 at depth 8, the \
             limit. Accepted (unknown claims are ignored).",
            signed_by_inps(w, claims.to_vec()),
            c,
        ));
        let c = cred("cbor-depth-one-past", deaf());
        let mut claims = c.claims();
        claims.set(99, nested(7));
        out.push(V::negative(
            w,
            "cbor-depth-one-past",
            "The same with seven nested arrays: the 0 is at depth 9. Depth counts every item, \
             scalars included.",
            signed_by_inps(w, claims.to_vec()),
            "cbor_too_deep",
            "check",
        ));
    }
    {
        let at = |name: &str, total: usize| {
            let c = cred(name, deaf());
            let mut claims = c.claims();
            let base: Value = ciborium::from_reader(claims.to_vec().as_slice()).expect("cbor");
            // The key and the array count 2 items; the rest are zeros.
            let zeros = total - items(&base) - 2;
            claims.set(99, Value::Array(vec![int(0); zeros]));
            let bytes = claims.to_vec();
            let v: Value = ciborium::from_reader(bytes.as_slice()).expect("cbor");
            assert_eq!(items(&v), total);
            (c, signed_by_inps(w, bytes))
        };
        let (c, text) = at("cbor-items-at-limit", 512);
        out.push(V::crafted_valid(
            w,
            "cbor-items-at-limit",
            "Signed claims of exactly 512 data items (the limit of codes): the credential's \
             claims and an unknown claim 99 holding an array of zeros. Every item counts: each \
             map key and value, each array and each element.",
            text,
            c,
        ));
        let (_, text) = at("cbor-items-one-past", 513);
        out.push(V::negative(
            w,
            "cbor-items-one-past",
            "The same with one zero more: 513 items.",
            text,
            "cbor_too_many_items",
            "check",
        ));
    }
    {
        let c = cred("cbor-integer-not-shortest", deaf());
        let claims = c.claims().to_vec();
        let exp = u32::try_from(c.exp.as_second())
            .expect("fits")
            .to_be_bytes();
        let short = [&[0x04, 0x1a][..], &exp].concat();
        let long = [&[0x04, 0x1b, 0, 0, 0, 0][..], &exp].concat();
        out.push(V::negative(
            w,
            "cbor-integer-not-shortest",
            "Signed claims whose exp is written with an 8-byte argument (1b 00000000 …) where \
             4 bytes suffice: same value, another encoding.",
            signed_by_inps(w, patched(&claims, &short, &long)),
            "cbor_not_shortest_form",
            "check",
        ));
    }
    {
        let c = cred("cbor-length-not-shortest", deaf());
        let claims = c.claims().to_vec();
        let cti = c.cti.as_bytes();
        let short = [&[0x07, 0x48][..], cti].concat();
        let long = [&[0x07, 0x58, 0x08][..], cti].concat();
        out.push(V::negative(
            w,
            "cbor-length-not-shortest",
            "Signed claims whose cti's length (8) is written in a second byte (58 08) instead \
             of the initial byte (48).",
            signed_by_inps(w, patched(&claims, &short, &long)),
            "cbor_not_shortest_form",
            "check",
        ));
    }
    let raw_claim = |name: &'static str, value: &[u8]| {
        let c = cred(name, deaf());
        let entry = [&[0x18, 0x63][..], value].concat();
        signed_by_inps(w, with_raw_entry(&c.claims().to_vec(), &entry))
    };
    out.push(V::negative(
        w,
        "cbor-bignum",
        "Signed claims with an unknown claim 99 = 2(h'01'), a bignum: a second encoding of \
         integers, refused wherever it is.",
        raw_claim("cbor-bignum", &[0xc2, 0x41, 0x01]),
        "malformed_cbor",
        "check",
    ));
    out.push(V::negative(
        w,
        "cbor-text-invalid-utf8",
        "Signed claims with an unknown claim 99 = a text string holding the byte ff: not \
         UTF-8. Readers would refuse it, replace it or pass it through.",
        raw_claim("cbor-text-invalid-utf8", &[0x61, 0xff]),
        "cbor_invalid_utf8",
        "check",
    ));
    out.push(V::negative(
        w,
        "cbor-simple-value",
        "Signed claims with an unknown claim 99 = simple(16) (f0): of major type 7 only \
         false, true and null are accepted.",
        raw_claim("cbor-simple-value", &[0xf0]),
        "cbor_float_or_simple",
        "check",
    ));
    {
        let c = cred("claims-text-key-ignored", deaf());
        let entry = [0x61, b'x', 0x01];
        out.push(V::crafted_valid(
            w,
            "claims-text-key-ignored",
            "Signed claims with a text key (\"x\": 1) beside the integer keys: legal in CWT, \
             unused by attesta, ignored.",
            signed_by_inps(w, with_raw_entry(&c.claims().to_vec(), &entry)),
            c,
        ));
    }
    out
}

// --- §3 The protected header --------------------------------------------------

pub(crate) fn exact_protected_header(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let kid = w.inps.kid();
    let k = kid.as_bytes();
    let header = |parts: &[&[u8]]| parts.concat();
    let signed = |name: &str, prot: Vec<u8>| {
        let c = cred(name, deaf());
        at1(&tagged(sign1_items(
            &w.inps,
            prot,
            vec![],
            c.claims().to_vec(),
        )))
    };
    for (name, prot, desc, code) in [
        (
            "protected-header-float",
            header(&[
                &[0xa3, 0x01, 0x27, 0x04, 0x44],
                k,
                &[0x18, 0x63, 0xf9, 0x3e, 0x00],
            ]),
            "A code whose protected header {1: -8, 4: kid, 99: 1.5} holds a float, signed by \
             INPS over those bytes.",
            "cbor_float_or_simple",
        ),
        (
            "protected-header-undefined",
            header(&[&[0xa3, 0x01, 0x27, 0x04, 0x44], k, &[0x18, 0x63, 0xf7]]),
            "A code whose protected header holds undefined (99: f7), which CBOR libraries read \
             as null; signed by INPS over those bytes.",
            "cbor_float_or_simple",
        ),
        (
            "protected-header-indefinite-map",
            header(&[&[0xbf, 0x01, 0x27, 0x04, 0x44], k, &[0xff]]),
            "A code whose protected header is the indefinite-length map bf 01 27 04 44 kid ff, \
             signed by INPS over those bytes.",
            "cbor_indefinite_length",
        ),
        (
            "protected-header-alg-not-shortest",
            header(&[&[0xa2, 0x01, 0x38, 0x07, 0x04, 0x44], k]),
            "A code whose protected header writes alg -8 as 38 07 instead of 27, signed by \
             INPS over those bytes.",
            "cbor_not_shortest_form",
        ),
        (
            "protected-header-duplicate-label",
            header(&[&[0xa3, 0x01, 0x27, 0x04, 0x44], k, &[0x01, 0x27]]),
            "A code whose protected header repeats alg (1: -8 twice), signed by INPS over those \
             bytes.",
            "cbor_duplicate_key",
        ),
        (
            "protected-header-trailing-bytes",
            header(&[&[0xa2, 0x01, 0x27, 0x04, 0x44], k, &[0x00]]),
            "A code whose protected header byte string holds the header map and one more byte \
             (00), signed by INPS over those bytes.",
            "cbor_trailing_bytes",
        ),
        (
            "protected-header-invalid-utf8",
            header(&[&[0xa3, 0x01, 0x27, 0x04, 0x44], k, &[0x10, 0x61, 0xff]]),
            "A code whose protected header has a content type (16) that is not UTF-8, signed by \
             INPS over those bytes.",
            "cbor_invalid_utf8",
        ),
    ] {
        out.push(V::negative(
            w,
            name,
            desc,
            signed(name, prot),
            code,
            "check",
        ));
    }
    for (name, prot, desc) in [
        (
            "protected-header-unknown-parameter",
            header(&[
                &[0xa3, 0x01, 0x27, 0x04, 0x44],
                k,
                &[0x18, 0x63, 0x61, b'x'],
            ]),
            "A code whose protected header carries an unknown parameter (99: \"x\") beside alg \
             and kid, signed by INPS: attesta's headers have alg, kid and typ only, so that no \
             two COSE libraries read a header differently.",
        ),
        (
            "protected-header-content-type",
            header(&[&[0xa3, 0x01, 0x27, 0x03, 0x61, b'x', 0x04, 0x44], k]),
            "A code whose protected header has a content type (3: \"x\"), signed by INPS: one \
             COSE library refuses \"x\" (not type/subtype), another ignores it; attesta refuses \
             every parameter but alg, kid and typ.",
        ),
        (
            "crit-known-label",
            header(&[&[0xa3, 0x01, 0x27, 0x02, 0x81, 0x04, 0x04, 0x44], k]),
            "A code whose protected header marks kid as critical (2: [4]), signed by INPS: kid \
             is understood, but version 1 defines no critical parameter, so crit is refused \
             whatever it lists.",
        ),
    ] {
        out.push(V::negative(
            w,
            name,
            desc,
            signed(name, prot),
            "malformed_cose",
            "check",
        ));
    }
    out
}
