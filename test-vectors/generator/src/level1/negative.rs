//! First-level codes a verifier must refuse, with the code and stage of
//! the refusal: those broken in their encoding (text layer, CBOR limits,
//! COSE structure and headers, keys and signatures).

use attesta_core::claims;
use ciborium::Value;

use crate::craft::{
    at1, body, cbor, eddsa, int, protected, sig_structure, sign1_items, std_cose, std_protected,
    tagged, zlib,
};
use crate::cred::{cred, deaf, good_credential};
use crate::level1::negative_rules::refused_by_rules;
use crate::vector::V;
use crate::world::{ASL, TL_EXP, TL_IAT, World, base_list, sign_list, ts};

/// Every first-level negative vector of the first set, in order: the
/// encoding layers here (text, CBOR, COSE, keys and signatures), then
/// `refused_by_rules`.
pub(crate) fn negatives(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let (good, good_text) = good_credential(w);
    let good_body = body(&good_text).to_owned();
    let good_cose = base45::decode(&good_body).expect("base45");
    let neg =
        |name, desc: &str, text: String, code, stage| V::negative(w, name, desc, text, code, stage);

    // --- the text layer ----------------------------------------------------
    out.push(neg(
        "bad-prefix",
        "An unknown prefix (XY1:) before a genuine body.",
        format!("XY1:{good_body}"),
        "bad_prefix",
        "check",
    ));
    out.push(neg(
        "missing-colon",
        "The prefix without its colon (AT1 directly followed by the body).",
        format!("AT1{good_body}"),
        "bad_prefix",
        "check",
    ));
    {
        // An EU DCC-like code: ES256, kid of 8 bytes, hcert claim, zlib.
        let claims = Value::Map(vec![
            (int(1), Value::Text("IT".into())),
            (int(4), int(1_830_000_000)),
            (int(6), int(1_790_000_000)),
            (
                int(-260),
                Value::Map(vec![(
                    int(1),
                    Value::Map(vec![(
                        Value::Text("ver".into()),
                        Value::Text("1.3.0".into()),
                    )]),
                )]),
            ),
        ]);
        let items = vec![
            Value::Bytes(protected(Some(int(-7)), Some(vec![0xd9; 8]), vec![])),
            Value::Map(vec![]),
            Value::Bytes(cbor(&claims)),
            Value::Bytes(vec![0x5a; 64]),
        ];
        let cose = tagged(items);
        out.push(neg(
            "hc1-other-family",
            "A code of another family (EU Digital COVID Certificate, HC1:, zlib-compressed \
             COSE_Sign1 with ES256): not an attesta code.",
            format!("HC1:{}", base45::encode(zlib(&cose))),
            "bad_prefix",
            "check",
        ));
    }
    out.push(neg(
        "empty-text",
        "An empty text.",
        String::new(),
        "bad_prefix",
        "check",
    ));
    out.push(neg(
        "whitespace-only",
        "Whitespace and line breaks only (trimmed to nothing).",
        " \r\n\t ".into(),
        "bad_prefix",
        "check",
    ));
    out.push(neg(
        "unsupported-version-at2",
        "A later format version (AT2:) this verifier does not read.",
        format!("AT2:{good_body}"),
        "unsupported_version",
        "check",
    ));
    out.push(neg(
        "unsupported-version-at10",
        "A later format version with two digits (AT10:).",
        format!("AT10:{good_body}"),
        "unsupported_version",
        "check",
    ));
    out.push(neg(
        "second-level-prefix",
        "A second-level prefix (AD1:) given to first-level verification.",
        format!("AD1:{good_body}"),
        "wrong_level",
        "check",
    ));
    out.push(neg(
        "lowercase-prefix",
        "The prefix in lowercase (at1:).",
        format!("at1:{good_body}"),
        "lowercase_text",
        "check",
    ));
    out.push(neg(
        "lowercase-body",
        "The whole code lowercased after the prefix (retyped by hand).",
        format!("AT1:{}", good_body.to_lowercase()),
        "lowercase_text",
        "check",
    ));
    {
        let mut b = good_body.clone().into_bytes();
        b[10] = b'#';
        out.push(neg(
            "invalid-base45-char",
            "A character outside the base45 alphabet (#) in the body.",
            format!("AT1:{}", String::from_utf8(b).expect("ascii")),
            "bad_base45",
            "check",
        ));
    }
    out.push(neg(
        "base45-triple-overflow",
        "A base45 triple (\"GGW\") worth more than 65535.",
        "AT1:GGW".into(),
        "bad_base45",
        "check",
    ));
    out.push(neg(
        "prefix-only",
        "The prefix alone, with an empty body.",
        "AT1:".into(),
        "bad_base45",
        "check",
    ));
    {
        // Cut so that the remaining length is 1 mod 3: never valid base45.
        let mut t = good_body.clone();
        while t.len() % 3 != 1 {
            t.pop();
        }
        out.push(neg(
            "truncated-mid-group",
            "A genuine code truncated in the middle of a base45 group (a partial copy).",
            format!("AT1:{t}"),
            "bad_base45",
            "check",
        ));
    }
    {
        let cut = &good_cose[..good_cose.len() - 20];
        out.push(neg(
            "truncated-cbor",
            "A genuine code missing the last 20 bytes of its COSE structure (re-encoded in \
             base45): incomplete CBOR.",
            at1(cut),
            "malformed_cbor",
            "check",
        ));
    }
    out.push(neg(
        "text-too-long",
        "A text longer than any QR code holds (4301 characters).",
        format!("AT1:{}", "0".repeat(4297)),
        "text_too_long",
        "check",
    ));
    {
        let bomb = zlib(&vec![0u8; 1_000_000]);
        out.push(neg(
            "zlib-bomb",
            "A zlib stream of about 1 KB that inflates to 1 MB, far beyond the 4096-byte cap.",
            format!("AT1:{}", base45::encode(&bomb)),
            "decompressed_too_large",
            "check",
        ));
    }
    {
        let mut z = zlib(&good_cose);
        z[2] = 0xff; // first deflate byte: BFINAL=1, BTYPE=11 (reserved)
        out.push(neg(
            "corrupt-zlib",
            "A zlib stream (header 78 DA) whose deflate data uses the reserved block type.",
            format!("AT1:{}", base45::encode(&z)),
            "bad_compression",
            "check",
        ));
    }

    // --- CBOR limits ---------------------------------------------------------
    let std_claims = good.claims().to_vec();
    assert_eq!(
        at1(&std_cose(&w.inps, std_claims.clone())),
        good_text,
        "the hand-built COSE reproduces issuance"
    );
    {
        let mut deep = int(0);
        for _ in 0..10 {
            deep = Value::Array(vec![deep]);
        }
        let items = sign1_items(
            &w.inps,
            std_protected(&w.inps),
            vec![(int(99), deep)],
            std_claims.clone(),
        );
        out.push(neg(
            "cbor-too-deep",
            "A genuine signature, with ten nested arrays in the unprotected header: deeper \
             than the 8 levels allowed.",
            at1(&tagged(items)),
            "cbor_too_deep",
            "check",
        ));
    }
    {
        let many = Value::Array(vec![int(0); 600]);
        let items = sign1_items(
            &w.inps,
            std_protected(&w.inps),
            vec![(int(99), many)],
            std_claims.clone(),
        );
        out.push(neg(
            "cbor-too-many-items",
            "A genuine signature, with an array of 600 items in the unprotected header: more \
             than the 512 CBOR items allowed.",
            at1(&tagged(items)),
            "cbor_too_many_items",
            "check",
        ));
    }
    {
        // d2 9f <four items> ff: an indefinite-length COSE array.
        let mut cose = vec![0xd2, 0x9f];
        for item in sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone()) {
            cose.extend(cbor(&item));
        }
        cose.push(0xff);
        out.push(neg(
            "cbor-indefinite-cose-array",
            "The COSE_Sign1 array is encoded with indefinite length (9F ... FF).",
            at1(&cose),
            "cbor_indefinite_length",
            "check",
        ));
    }
    {
        let mut claims = std_claims.clone();
        assert_eq!(claims[0], 0xa4, "a map of four claims");
        claims[0] = 0xbf;
        claims.push(0xff);
        out.push(neg(
            "cbor-indefinite-claims",
            "Correctly signed claims encoded as an indefinite-length map (BF ... FF).",
            at1(&std_cose(&w.inps, claims)),
            "cbor_indefinite_length",
            "check",
        ));
    }
    {
        let mut cose = good_cose.clone();
        cose.push(0x00);
        out.push(neg(
            "cbor-trailing-bytes",
            "A genuine COSE_Sign1 followed by one extra byte.",
            at1(&cose),
            "cbor_trailing_bytes",
            "check",
        ));
    }
    {
        let mut claims = std_claims.clone();
        claims.push(0x00);
        out.push(neg(
            "cbor-trailing-bytes-in-claims",
            "Correctly signed claims followed by one extra byte inside the payload.",
            at1(&std_cose(&w.inps, claims)),
            "cbor_trailing_bytes",
            "check",
        ));
    }

    // --- COSE structure and headers -------------------------------------------
    {
        let items = sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone());
        out.push(neg(
            "cose-untagged",
            "A correctly signed COSE_Sign1 array without tag 18.",
            at1(&cbor(&Value::Array(items))),
            "malformed_cose",
            "check",
        ));
    }
    {
        let items = sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone());
        out.push(neg(
            "cose-wrong-tag",
            "The four COSE_Sign1 items under tag 17 (COSE_Mac0) instead of 18.",
            at1(&cbor(&Value::Tag(17, Box::new(Value::Array(items))))),
            "malformed_cose",
            "check",
        ));
    }
    {
        let mut items = sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone());
        items.pop();
        out.push(neg(
            "cose-three-items",
            "A tag-18 array of three items (the signature is missing).",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let items = sign1_items(
            &w.inps,
            std_protected(&w.inps),
            vec![(int(1), int(-8))],
            std_claims.clone(),
        );
        out.push(neg(
            "alg-in-unprotected-header",
            "alg EdDSA in the protected header and again in the unprotected header, where it \
             is not covered by the signature.",
            at1(&tagged(items)),
            "alg_in_unprotected_header",
            "check",
        ));
    }
    {
        let prot = protected(None, Some(w.inps.kid().as_bytes().to_vec()), vec![]);
        let items = sign1_items(&w.inps, prot, vec![(int(1), int(-8))], std_claims.clone());
        out.push(neg(
            "alg-only-in-unprotected-header",
            "alg only in the unprotected header (none in the protected one).",
            at1(&tagged(items)),
            "alg_in_unprotected_header",
            "check",
        ));
    }
    let alg_vector = |name: &'static str, desc: &str, alg: Value| {
        let prot = protected(Some(alg), Some(w.inps.kid().as_bytes().to_vec()), vec![]);
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        neg(name, desc, at1(&tagged(items)), "unsupported_alg", "check")
    };
    out.push(alg_vector(
        "alg-es256",
        "alg ES256 (-7) in the protected header (the bytes are an Ed25519 signature).",
        int(-7),
    ));
    out.push(alg_vector(
        "alg-reserved-zero",
        "alg 0 (IANA \"Reserved\"), the closest COSE has to \"none\".",
        int(0),
    ));
    out.push(alg_vector(
        "alg-text-none",
        "alg as the text \"none\".",
        Value::Text("none".into()),
    ));
    out.push(alg_vector(
        "alg-private-use",
        "alg -65537, a private-use value.",
        int(-65537),
    ));
    {
        let prot = protected(None, Some(w.inps.kid().as_bytes().to_vec()), vec![]);
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        out.push(neg(
            "alg-missing",
            "No alg anywhere.",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let prot = protected(eddsa(), None, vec![]);
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        out.push(neg(
            "kid-missing",
            "No kid in the protected header.",
            at1(&tagged(items)),
            "missing_kid",
            "check",
        ));
    }
    {
        let mut kid = w.inps.kid().as_bytes().to_vec();
        kid.extend([0, 0, 0, 0]);
        let prot = protected(eddsa(), Some(kid), vec![]);
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        out.push(neg(
            "kid-wrong-length",
            "An 8-byte kid (the INPS kid followed by four zero bytes): kids are 4 bytes.",
            at1(&tagged(items)),
            "missing_kid",
            "check",
        ));
    }
    {
        let prot = protected(eddsa(), None, vec![]);
        let items = sign1_items(
            &w.inps,
            prot,
            vec![(int(4), Value::Bytes(w.inps.kid().as_bytes().to_vec()))],
            std_claims.clone(),
        );
        out.push(neg(
            "kid-only-unprotected",
            "The kid only in the unprotected header, where it is not signed.",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let prot = protected(
            eddsa(),
            Some(w.inps.kid().as_bytes().to_vec()),
            vec![(int(2), Value::Array(vec![int(99)])), (int(99), int(1))],
        );
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        out.push(neg(
            "crit-header",
            "A crit header parameter (label 2) marking an extension as critical: attesta \
             understands none.",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let prot = std_protected(&w.inps);
        let sig = w.inps.sk().sign(&sig_structure(&prot, &std_claims));
        let items = vec![
            Value::Bytes(prot),
            Value::Map(vec![]),
            Value::Null,
            Value::Bytes(sig.to_vec()),
        ];
        out.push(neg(
            "detached-payload",
            "A detached payload (nil in place of the claims).",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let mut items = sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone());
        if let Some(Value::Bytes(sig)) = items.get_mut(3) {
            sig.pop();
        }
        out.push(neg(
            "signature-63-bytes",
            "A signature of 63 bytes (the last byte removed).",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }

    // --- keys and signatures ----------------------------------------------------
    out.push(neg(
        "unknown-kid",
        "Correctly formed and signed, by a key that is in no trust list.",
        cred("unknown-kid", deaf()).issue(&w.stranger),
        "unknown_kid",
        "check",
    ));
    out.last_mut().expect("just pushed").issuer = w.stranger;
    {
        // Change one character among the last ones (the signature's), keeping
        // the base45 valid and the change confined to the signature bytes.
        let n = good_cose.len();
        let mut found = None;
        'search: for pos in (good_body.len() - 6..good_body.len()).rev() {
            for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars() {
                let mut b = good_body.clone().into_bytes();
                if b[pos] == c as u8 {
                    continue;
                }
                b[pos] = c as u8;
                let t = String::from_utf8(b).expect("ascii");
                if let Ok(d) = base45::decode(&t)
                    && d.len() == n
                    && d[..n - 64] == good_cose[..n - 64]
                    && d != good_cose
                {
                    found = Some(t);
                    break 'search;
                }
            }
        }
        out.push(neg(
            "signature-one-char-changed",
            "A genuine code with one base45 character changed near the end, which alters only \
             the signature bytes.",
            format!("AT1:{}", found.expect("a one-character change")),
            "bad_signature",
            "check",
        ));
    }
    {
        let mut claims = good.claims();
        claims.set_time(claims::EXP, ts("2036-11-01T00:00:00Z"));
        let payload = claims.to_vec();
        // INPS's header, the stranger's signature.
        let prot = std_protected(&w.inps);
        let sig = w.stranger.sk().sign(&sig_structure(&prot, &payload));
        let items = vec![
            Value::Bytes(prot),
            Value::Map(vec![]),
            Value::Bytes(payload),
            Value::Bytes(sig.to_vec()),
        ];
        let mut v = neg(
            "forged-kid",
            "A forgery: the claims altered (exp 2036) and signed by an untrusted key that \
             puts INPS's kid in its header.",
            at1(&tagged(items)),
            "bad_signature",
            "check",
        );
        v.other_keys = vec![w.stranger];
        out.push(v);
    }
    {
        let mut claims = good.claims();
        claims.set_time(claims::EXP, ts("2036-11-01T00:00:00Z"));
        let cose = good_cose.clone();
        // Same signature, different claims: splice the new payload in.
        let v: Value = ciborium::from_reader(cose.as_slice()).expect("cbor");
        let Value::Tag(18, inner) = v else {
            panic!("tag")
        };
        let Value::Array(mut items) = *inner else {
            panic!("array")
        };
        items[2] = Value::Bytes(claims.to_vec());
        out.push(neg(
            "claims-altered",
            "A genuine code whose claims were altered (exp moved to 2036) keeping the original \
             signature.",
            at1(&tagged(items)),
            "bad_signature",
            "check",
        ));
    }
    {
        let mut list = base_list(w);
        list.deny_kid(w.inps.kid());
        let mut v = neg(
            "denied-kid",
            "The trust list denies the INPS key's kid (and no longer lists it): codes it \
             signed are refused.",
            good_text.clone(),
            "denied_kid",
            "check",
        );
        v.inputs = Some(good.clone());
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut list = base_list(w);
        list.issuers[0].valid_from = Some(ts("2026-11-05T00:00:00Z"));
        let mut v = neg(
            "key-not-yet-valid-at-iat",
            "The INPS key is trusted only for codes issued from 2026-11-05; this one was \
             issued 2026-11-01.",
            good_text.clone(),
            "key_not_valid_at_issuance",
            "check",
        );
        v.inputs = Some(good.clone());
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut list = base_list(w);
        list.issuers[0].valid_until = Some(ts("2026-10-31T23:59:59Z"));
        let mut v = neg(
            "key-retired-before-iat",
            "The INPS key was retired at 2026-10-31T23:59:59Z; the code claims to be issued \
             one second later.",
            good_text.clone(),
            "key_not_valid_at_issuance",
            "check",
        );
        v.inputs = Some(good.clone());
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut c = cred("issuer-mismatch", deaf());
        c.iss = Some(ASL.into());
        out.push(V::negative_issued(
            w,
            "issuer-mismatch",
            "The iss claim says ASL-BO, but the code is signed by a key the trust list gives \
             to INPS.",
            c,
            "issuer_mismatch",
            "check",
        ));
    }

    out.extend(refused_by_rules(w));
    out
}
