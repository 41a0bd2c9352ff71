//! §4: Ed25519 signatures and keys at the edges (small order,
//! non-canonical encodings, mixed-order keys).

use attesta_core::claims;
use attesta_core::keys::Kid;
use attesta_core::trust_list::IssuerEntry;
use ciborium::Value;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use sha2::Digest as _;

use crate::craft::{
    at1, cbor, eddsa, int, protected, sig_structure, sign1_items, std_protected, tagged,
};
use crate::cred::{cred, deaf, status};
use crate::vector::{RawKey, V};
use crate::world::{INPS, TL_EXP, TL_IAT, World, base_list, inps_list_1, sha256, sign_list};

/// L, the order of the Ed25519 base point, little-endian.
pub(crate) fn ed_l() -> [u8; 32] {
    let l_minus_1 = (Scalar::ZERO - Scalar::ONE).to_bytes();
    add_le(&l_minus_1, &{
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    })
}

pub(crate) fn add_le(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = s as u8;
        carry = s >> 8;
    }
    assert_eq!(carry, 0, "no overflow");
    out
}

/// k = SHA-512(R || A || M) mod L (RFC 8032 §5.1.7).
pub(crate) fn ed_challenge(r: &[u8; 32], a: &[u8; 32], msg: &[u8]) -> Scalar {
    let mut h = sha2::Sha512::new();
    h.update(r);
    h.update(a);
    h.update(msg);
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

pub(crate) fn ed_scalar(label: &str) -> Scalar {
    let mut wide = [0u8; 64];
    wide[..32].copy_from_slice(&sha256(
        format!("attesta test vector scalar {label} 0").as_bytes(),
    ));
    wide[32..].copy_from_slice(&sha256(
        format!("attesta test vector scalar {label} 1").as_bytes(),
    ));
    Scalar::from_bytes_mod_order_wide(&wide)
}

pub(crate) fn sig_of(r: &[u8; 32], s: &[u8; 32]) -> Vec<u8> {
    [&r[..], &s[..]].concat()
}

/// A COSE_Sign1 by the key with `kid` over `payload`, with the signature
/// given.
pub(crate) fn cose_with_signature(kid: Kid, payload: Vec<u8>, sig: Vec<u8>) -> Vec<u8> {
    let prot = protected(eddsa(), Some(kid.as_bytes().to_vec()), vec![]);
    tagged(vec![
        Value::Bytes(prot),
        Value::Map(vec![]),
        Value::Bytes(payload),
        Value::Bytes(sig),
    ])
}

/// Plain RFC 8032 verification with the cofactorless equation, as OpenSSL
/// does it: S < L, encode([S]B - [k]A) = R. No small-order check.
pub(crate) fn plain_verify(a: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    let (r, s): ([u8; 32], [u8; 32]) = (
        sig[..32].try_into().expect("32"),
        sig[32..].try_into().expect("32"),
    );
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
        return false;
    };
    let Some(a_pt) = CompressedEdwardsY(*a).decompress() else {
        return false;
    };
    let k = ed_challenge(&r, a, msg);
    EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a_pt, &s)
        .compress()
        .0
        == r
}

/// The cofactored equation [8][S]B = [8]R + [8][k]A, S < L.
pub(crate) fn cofactored_verify(a: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    let (r, s): ([u8; 32], [u8; 32]) = (
        sig[..32].try_into().expect("32"),
        sig[32..].try_into().expect("32"),
    );
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
        return false;
    };
    let (Some(a_pt), Some(r_pt)) = (
        CompressedEdwardsY(*a).decompress(),
        CompressedEdwardsY(r).decompress(),
    ) else {
        return false;
    };
    let k = ed_challenge(&r, a, msg);
    (EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a_pt, &s) - r_pt)
        .mul_by_cofactor()
        .is_identity()
}

pub(crate) fn strict_verify(a: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    ed25519_dalek::VerifyingKey::from_bytes(a).is_ok_and(|k| {
        k.verify_strict(
            msg,
            &ed25519_dalek::Signature::from_slice(sig).expect("64 bytes"),
        )
        .is_ok()
    })
}

pub(crate) fn exact_ed25519(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let a_bytes = w.inps.sk().public_key().to_bytes();
    let a_scalar = ed25519_dalek::SigningKey::from_bytes(&w.inps.seed).to_scalar();
    // The signed bytes of a first-level code of `name` by INPS.
    let signed_parts = |name: &str| {
        let c = cred(name, deaf());
        let payload = c.claims().to_vec();
        let msg = sig_structure(&std_protected(&w.inps), &payload);
        (payload, msg)
    };
    let forged = |name: &'static str, desc: &str, sig: Vec<u8>, payload: Vec<u8>| {
        V::negative(
            w,
            name,
            desc,
            at1(&cose_with_signature(w.inps.kid(), payload, sig)),
            "bad_signature",
            "check",
        )
    };
    {
        let (payload, msg) = signed_parts("ed25519-s-plus-l");
        let sig = w.inps.sk().sign(&msg);
        let (r, s) = (
            sig[..32].try_into().expect("32"),
            sig[32..].try_into().expect("32"),
        );
        let bad = sig_of(&r, &add_le(&s, &ed_l()));
        assert!(!strict_verify(&a_bytes, &msg, &bad));
        out.push(forged(
            "ed25519-s-plus-l",
            "INPS's genuine signature with L added to S (\"Taming the many EdDSAs\", case 6): \
             the same value modulo L, so a verifier that reduces S accepts it; S must be below \
             L (RFC 8032 §5.1.7), or every signature would have a second form.",
            bad,
            payload,
        ));
    }
    {
        let (payload, msg) = signed_parts("ed25519-s-plus-7l");
        let sig = w.inps.sk().sign(&msg);
        let (r, s) = (
            sig[..32].try_into().expect("32"),
            sig[32..].try_into().expect("32"),
        );
        let mut seven_l = ed_l();
        for _ in 0..6 {
            seven_l = add_le(&seven_l, &ed_l());
        }
        let bad = sig_of(&r, &add_le(&s, &seven_l));
        assert!(bad[63] & 0xe0 != 0, "S >= 2^253");
        out.push(forged(
            "ed25519-s-plus-7l",
            "INPS's genuine signature with 7·L added to S (case 7): S is then above 2^253, \
             which verifiers that only check the top three bits of S refuse too; refused.",
            bad,
            payload,
        ));
    }
    {
        let (payload, msg) = signed_parts("ed25519-r-identity");
        let mut r = [0u8; 32];
        r[0] = 1;
        let k = ed_challenge(&r, &a_bytes, &msg);
        let sig = sig_of(&r, &(k * a_scalar).to_bytes());
        assert!(plain_verify(&a_bytes, &msg, &sig) && !strict_verify(&a_bytes, &msg, &sig));
        out.push(forged(
            "ed25519-r-identity",
            "A signature made with INPS's key whose R is the identity point (01 00…00) and \
             S = k·a: it satisfies the cofactorless equation, so plain verifiers (OpenSSL, \
             Go) accept it, but R has small order (\"Taming\", case 2 with a genuine key). \
             Refused.",
            sig,
            payload,
        ));
    }
    {
        let (payload, msg) = signed_parts("ed25519-r-non-canonical");
        // p + 1: y = 1 (the identity) written with y >= p.
        let mut r = [0xffu8; 32];
        r[0] = 0xee;
        r[31] = 0x7f;
        let k = ed_challenge(&r, &a_bytes, &msg);
        let sig = sig_of(&r, &(k * a_scalar).to_bytes());
        assert!(!strict_verify(&a_bytes, &msg, &sig));
        out.push(forged(
            "ed25519-r-non-canonical",
            "A signature made with INPS's key whose R is the identity written non-canonically \
             (y = p + 1: ee ff…ff 7f) and S = k·a with k over those bytes (cases 8 and 9): a \
             verifier that compares points instead of encodings accepts it. R must be the \
             canonical encoding of [S]B − [k]A.",
            sig,
            payload,
        ));
    }
    {
        let (payload, msg) = signed_parts("ed25519-r-mixed-order");
        let t = EIGHT_TORSION[1];
        let r_scalar = ed_scalar("ed25519-r-mixed-order");
        let r_pt = EdwardsPoint::mul_base(&r_scalar) + t;
        let r = r_pt.compress().0;
        let k = ed_challenge(&r, &a_bytes, &msg);
        let sig = sig_of(&r, &(r_scalar + k * a_scalar).to_bytes());
        assert!(cofactored_verify(&a_bytes, &msg, &sig));
        assert!(!plain_verify(&a_bytes, &msg, &sig) && !strict_verify(&a_bytes, &msg, &sig));
        out.push(forged(
            "ed25519-r-mixed-order",
            "A signature made with INPS's key whose R = [r]B + T has a component of order 8 \
             and S = r + k·a (cases 4 and 5): the cofactored equation [8][S]B = [8]R + [8][k]A \
             holds, the cofactorless one does not. attesta uses the cofactorless equation: \
             refused, as by ed25519-dalek's verify_strict, OpenSSL and libsodium.",
            sig,
            payload,
        ));
    }
    {
        // A status list whose signature has S + L: every signed document
        // follows the same rules.
        let token = inps_list_1(w).sign();
        let mut bad = token.clone();
        let n = bad.len();
        let s: [u8; 32] = bad[n - 32..].try_into().expect("32");
        bad[n - 32..].copy_from_slice(&add_le(&s, &ed_l()));
        let mut c = cred("status-list-signature-s-plus-l", deaf());
        c.status = status(17, "1");
        let mut v = V::negative_issued(
            w,
            "status-list-signature-s-plus-l",
            "INPS's genuine list \"1\" with L added to S in its signature: status lists follow \
             the same Ed25519 rules as codes, so it is not signed by a trusted key.",
            c,
            "status_list_untrusted",
            "status_list",
        );
        v.status_lists = vec![bad];
        out.push(v);
    }
    // Keys a trust list must refuse. The authority's tool should never
    // list them; a verifier refuses the whole list.
    let with_key = |name: &'static str,
                    desc: &str,
                    key: [u8; 32],
                    role: &'static str,
                    text: Option<String>| {
        let c = cred(name, deaf());
        let text = text.unwrap_or_else(|| c.issue(&w.inps));
        let mut v = V::negative(w, name, desc, text, "trust_list_bad_key", "trust_list");
        let body = ciborium::from_reader::<Value, _>(
            &claims_of_trust(&sign_list(&base_list(w), &w.root, TL_IAT, TL_EXP))[..],
        )
        .expect("cbor");
        v.trust_lists = vec![trust_list_with_raw_issuer(w, body, "ACME", key)];
        v.raw_keys = vec![RawKey { role, bytes: key }];
        v
    };
    {
        let mut id = [0u8; 32];
        id[0] = 1;
        // S = 0, R = identity: [0]B - [k]A = R for any message when A is
        // the identity.
        let c = cred("trust-list-identity-key", deaf());
        let payload = c.claims().to_vec();
        let kid = Kid::of_spki_der(&spki_of(&id));
        let mut sig = vec![0u8; 64];
        sig[0] = 1;
        let msg = sig_structure(
            &protected(eddsa(), Some(kid.as_bytes().to_vec()), vec![]),
            &payload,
        );
        assert!(
            plain_verify(&id, &msg, &sig),
            "the forgery plain verifiers accept"
        );
        out.push(with_key(
            "trust-list-identity-key",
            "A trust list (signed by the root) that lists issuer ACME with the identity point \
             (01 00…00) as key, and a code \"signed\" by it with R = identity and S = 0, which \
             verifies for any message under a plain Ed25519 verifier (\"Taming\", case 0): the \
             forgery an outside implementation accepted. A key of small order is refused when \
             the trust list is loaded.",
            id,
            "issuer ACME's key: the identity point, small order",
            Some(at1(&cose_with_signature(kid, payload, sig))),
        ));
    }
    {
        let key = EIGHT_TORSION[1].compress().0;
        out.push(with_key(
            "trust-list-order-8-key",
            "A trust list that lists issuer ACME with a point of order 8 as key (canonical \
             encoding), and a genuine INPS code: the whole list is refused.",
            key,
            "issuer ACME's key: a point of order 8",
            None,
        ));
    }
    {
        // y = p + 3, a point of mixed order, written with y >= p.
        let mut key = [0xffu8; 32];
        key[0] = 0xf0;
        key[31] = 0x7f;
        assert!(ed25519_dalek::VerifyingKey::from_bytes(&key).is_ok_and(|k| !k.is_weak()));
        out.push(with_key(
            "trust-list-non-canonical-key",
            "A trust list that lists issuer ACME with the key f0 ff…ff 7f: y = p + 3, a valid \
             point (not of small order) written non-canonically (\"Taming\", cases 10 and 11). \
             RFC 8032 §5.1.3 refuses it, many libraries accept it: refused, so that no two \
             verifiers disagree about a trust list. A genuine INPS code.",
            key,
            "issuer ACME's key: y = p + 3, not canonical",
            None,
        ));
    }
    {
        let mut key = [0u8; 32];
        key[0] = 1;
        key[31] = 0x80;
        out.push(with_key(
            "trust-list-key-x-zero-sign-bit",
            "A trust list that lists issuer ACME with the key 01 00…00 80: the identity with \
             the sign bit of x = 0 set, not canonical (RFC 8032 §5.1.3) and of small order. A \
             genuine INPS code.",
            key,
            "issuer ACME's key: the identity with the sign bit set",
            None,
        ));
    }
    out.extend(exact_ed25519_mixed_key(w));
    out
}

/// The SubjectPublicKeyInfo of raw Ed25519 key bytes (RFC 8410).
pub(crate) fn spki_of(key: &[u8; 32]) -> Vec<u8> {
    [
        &hex::decode("302a300506032b6570032100").expect("hex")[..],
        key,
    ]
    .concat()
}

/// The claims of a signed trust list.
pub(crate) fn claims_of_trust(list: &[u8]) -> Vec<u8> {
    let v: Value = ciborium::from_reader(list).expect("cbor");
    let Value::Tag(18, inner) = v else {
        panic!("tag")
    };
    let Value::Array(items) = *inner else {
        panic!("array")
    };
    let Value::Bytes(p) = &items[2] else {
        panic!("payload")
    };
    p.clone()
}

/// The default trust list's claims with one more issuer `id` whose key is
/// `key` (any 32 bytes: the library refuses to list such keys), re-signed
/// by the root.
pub(crate) fn trust_list_with_raw_issuer(
    w: &World,
    claims: Value,
    id: &str,
    key: [u8; 32],
) -> Vec<u8> {
    let Value::Map(mut entries) = claims else {
        panic!("claims map")
    };
    for (k, v) in &mut entries {
        if *k == int(claims::ATTESTA_TRUST_LIST) {
            let Value::Map(body) = v else { panic!("body") };
            for (bk, bv) in body.iter_mut() {
                if *bk == Value::Text("issuers".into()) {
                    let Value::Array(issuers) = bv else {
                        panic!("issuers")
                    };
                    issuers.push(Value::Map(vec![
                        (Value::Text("id".into()), Value::Text(id.into())),
                        (Value::Text("key".into()), Value::Bytes(key.to_vec())),
                    ]));
                }
            }
        }
    }
    let payload = cbor(&Value::Map(entries));
    let typ = (int(16), Value::Text("application/attesta-trust+cwt".into()));
    let prot = protected(eddsa(), Some(w.root.kid().as_bytes().to_vec()), vec![typ]);
    tagged(sign1_items(&w.root, prot, vec![], payload))
}

/// Taming's cases with a key of mixed order (a genuine-looking point with a
/// component of order 8), which trust lists accept: verification must
/// still give one answer.
pub(crate) fn exact_ed25519_mixed_key(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let t = EIGHT_TORSION[1];
    let a_scalar = ed_scalar("mixed-order key");
    let a_bytes = (EdwardsPoint::mul_base(&a_scalar) + t).compress().0;
    let kid = Kid::of_spki_der(&spki_of(&a_bytes));
    assert!(
        attesta_core::keys::PublicKey::from_bytes(&a_bytes).is_ok(),
        "trust lists accept it"
    );
    let mut list = base_list(w);
    // The key is accepted by the library, so the list is written normally.
    list.issuers.push(IssuerEntry {
        id: INPS.to_owned(),
        key: attesta_core::keys::PublicKey::from_bytes(&a_bytes).expect("accepted"),
        valid_from: None,
        valid_until: None,
    });
    let trust = sign_list(&list, &w.root, TL_IAT, TL_EXP);
    let role = "issuer INPS, a key of mixed order ([a]B + T, T of order 8)";
    let parts = |name: &str| {
        let c = cred(name, deaf());
        let payload = c.claims().to_vec();
        let msg = sig_structure(
            &protected(eddsa(), Some(kid.as_bytes().to_vec()), vec![]),
            &payload,
        );
        (c, payload, msg)
    };
    {
        // Case 3: R = [r]B + T' with T' = -[k]T, S = r + k·a: both
        // equations hold.
        let (c, payload, msg) = parts("ed25519-mixed-key-mixed-r");
        let (r, s) = (0..)
            .find_map(|i| {
                let r_scalar = ed_scalar(&format!("mixed-key mixed-r {i}"));
                EIGHT_TORSION.iter().find_map(|tp| {
                    let r = (EdwardsPoint::mul_base(&r_scalar) + tp).compress().0;
                    let k = ed_challenge(&r, &a_bytes, &msg);
                    (*tp == -(t * k)).then(|| (r, (r_scalar + k * a_scalar).to_bytes()))
                })
            })
            .expect("found");
        let sig = sig_of(&r, &s);
        assert!(strict_verify(&a_bytes, &msg, &sig) && cofactored_verify(&a_bytes, &msg, &sig));
        let mut v = V::crafted_valid(
            w,
            "ed25519-mixed-key-mixed-r",
            "A trust list that also lists, for INPS, a key of mixed order, and a code signed \
             with it whose R has a component of order 8 (\"Taming the many EdDSAs\", case 3): \
             S < L, neither R nor A of small order, and the cofactorless equation holds. Valid: \
             keys of mixed order are not refused, and every verifier agrees on this one.",
            at1(&cose_with_signature(kid, payload, sig)),
            c,
        );
        v.trust_lists = vec![trust.clone()];
        v.raw_keys = vec![RawKey {
            role,
            bytes: a_bytes,
        }];
        v.signer_kid = Some(kid);
        out.push(v);
    }
    {
        // Case 2: R of small order with S = k·a, when [k]T = -R.
        let (payload, msg, r, s) = (0..)
            .find_map(|i| {
                let name = format!("ed25519-mixed-key-small-r {i}");
                let c = cred(&name, deaf());
                let payload = c.claims().to_vec();
                let msg = sig_structure(
                    &protected(eddsa(), Some(kid.as_bytes().to_vec()), vec![]),
                    &payload,
                );
                EIGHT_TORSION.iter().find_map(|tp| {
                    let r = tp.compress().0;
                    let k = ed_challenge(&r, &a_bytes, &msg);
                    (*tp == -(t * k))
                        .then(|| (payload.clone(), msg.clone(), r, (k * a_scalar).to_bytes()))
                })
            })
            .expect("found");
        let sig = sig_of(&r, &s);
        assert!(plain_verify(&a_bytes, &msg, &sig) && !strict_verify(&a_bytes, &msg, &sig));
        let mut v = V::negative(
            w,
            "ed25519-mixed-key-small-r",
            "The mixed-order INPS key of the previous vectors, and a code whose R is a point of \
             small order with S = k·a, the cofactorless equation holding (\"Taming\", case 2): \
             R has small order, refused.",
            at1(&cose_with_signature(kid, payload, sig)),
            "bad_signature",
            "check",
        );
        v.trust_lists = vec![trust.clone()];
        v.raw_keys = vec![RawKey {
            role,
            bytes: a_bytes,
        }];
        out.push(v);
    }
    {
        // Case 4: R = [r]B, S = r + k·a with [k]T != 0: only the cofactored
        // equation holds.
        let (_, payload, msg) = parts("ed25519-mixed-key-cofactored-only");
        let (r, s) = (0..)
            .find_map(|i| {
                let r_scalar = ed_scalar(&format!("mixed-key cofactored {i}"));
                let r = EdwardsPoint::mul_base(&r_scalar).compress().0;
                let k = ed_challenge(&r, &a_bytes, &msg);
                (t * k != EdwardsPoint::default())
                    .then(|| (r, (r_scalar + k * a_scalar).to_bytes()))
            })
            .expect("found");
        let sig = sig_of(&r, &s);
        assert!(cofactored_verify(&a_bytes, &msg, &sig) && !strict_verify(&a_bytes, &msg, &sig));
        let mut v = V::negative(
            w,
            "ed25519-mixed-key-cofactored-only",
            "The mixed-order INPS key, and a code with R = [r]B and S = r + k·a (\"Taming\", \
             case 4): [S]B − [k]A differs from R by a point of order 8, so only the cofactored \
             equation holds. Refused: the cofactorless equation is the rule.",
            at1(&cose_with_signature(kid, payload, sig)),
            "bad_signature",
            "check",
        );
        v.trust_lists = vec![trust];
        v.raw_keys = vec![RawKey {
            role,
            bytes: a_bytes,
        }];
        out.push(v);
    }
    out
}
