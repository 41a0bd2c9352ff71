//! First-level codes a verifier must refuse for what they say rather
//! than how they are encoded: validity dates, revocation, trust lists, the
//! holder's CF, KDF parameters, claims and the sealed content.

use attesta_core::cf::personal_check_char;
use attesta_core::claims::{self, ClaimSet};
use attesta_core::envelope::{EnvelopeLabel, KdfParams};
use attesta_core::status_list::{CredentialStatus, StatusBits};
use ciborium::Value;
use jiff::SignedDuration;

use crate::craft::{at1, cbor, eddsa, int, protected, sign1_items, std_cose, tagged, zlib};
use crate::cred::{
    cred, cti_for, deaf, envelope_value, good_credential, plaintext_of, raw_plaintext, status,
};
use crate::vector::V;
use crate::world::{
    OTHER_CF, SL_IAT, SlSpec, TL_EXP, TL_IAT, VERIFY_AT, World, base_list, default_trust,
    inps_list_1, issuer_entry, sign_list, ts,
};

/// The second half of `negatives`, in the same order.
pub(crate) fn refused_by_rules(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let (good, good_text) = good_credential(w);
    let std_claims = good.claims().to_vec();
    let neg =
        |name, desc: &str, text: String, code, stage| V::negative(w, name, desc, text, code, stage);

    // --- validity dates -----------------------------------------------------------
    {
        let mut c = cred("expired", deaf());
        c.iat = ts("2025-11-01T00:00:00Z");
        c.exp = ts("2026-11-01T00:00:00Z");
        out.push(V::negative_issued(
            w,
            "expired",
            "Expired two weeks before verification.",
            c,
            "expired",
            "check",
        ));
    }
    {
        let mut c = cred("expired-past-skew", deaf());
        c.exp = ts(VERIFY_AT) - SignedDuration::from_secs(301);
        out.push(V::negative_issued(
            w,
            "expired-just-past-skew",
            "exp is 5 minutes and 1 second before verification: beyond the clock skew.",
            c,
            "expired",
            "check",
        ));
    }
    {
        let mut c = cred("nbf-future", deaf());
        c.nbf = Some(ts("2026-12-01T00:00:00Z"));
        out.push(V::negative_issued(
            w,
            "not-yet-valid-nbf",
            "nbf is 2026-12-01, after the verification time.",
            c,
            "not_yet_valid",
            "check",
        ));
    }
    {
        let mut c = cred("iat-future", deaf());
        c.iat = ts(VERIFY_AT) + SignedDuration::from_secs(301);
        out.push(V::negative_issued(
            w,
            "not-yet-valid-iat-past-skew",
            "iat is 5 minutes and 1 second after the verification time: beyond the clock skew.",
            c,
            "not_yet_valid",
            "check",
        ));
    }
    {
        let mut c = cred("clock-floor", deaf());
        c.exp = ts("2026-11-18T00:00:00Z");
        // Until the security review (issue 12, finding 7) this list was
        // accepted and moved the clock floor to 2026-11-20, so the code came
        // out `expired`: a list from the future could lock verifiers out.
        // Same name and number, new answer; the clock floor itself is
        // exercised by lists accepted in earlier runs (unit tests of
        // `TrustState`, `attesta verify --at`).
        let mut v = V::negative_issued(
            w,
            "expired-by-clock-floor",
            "The device clock says 2026-11-15, but the trust list says it was issued \
             2026-11-20, beyond the 5-minute skew: refused, so that a list from the future \
             cannot move the clock floor ahead and make codes (this one expires 2026-11-18) \
             look expired. (Until issue 12 the list was accepted and the code came out \
             expired.)",
            c,
            "trust_list_issued_in_future",
            "trust_list",
        );
        v.trust_lists = vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-11-20T00:00:00Z",
            "2026-12-20T00:00:00Z",
        )];
        out.push(v);
    }

    // --- revocation ---------------------------------------------------------------
    let with_status = |name: &'static str, idx: u64, uri: &str| {
        let mut c = cred(name, deaf());
        c.status = status(idx, uri);
        c
    };
    {
        let mut v = V::negative_issued(
            w,
            "revoked",
            "Entry 77 of INPS's 1-bit list \"1\" is revoked.",
            with_status("revoked", 77, "1"),
            "revoked",
            "check",
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        out.push(v);
    }
    let two_bit = SlSpec {
        signer: &w.inps,
        uri: "2",
        iat: SL_IAT,
        exp: None,
        bits: StatusBits::Two,
        capacity: 64,
        entries: &[
            (5, CredentialStatus::Suspended),
            (6, CredentialStatus::Revoked),
            (7, CredentialStatus::Other(3)),
        ],
    }
    .sign();
    {
        let mut v = V::negative_issued(
            w,
            "suspended",
            "Entry 5 of INPS's 2-bit list \"2\" is suspended (value 2).",
            with_status("suspended", 5, "2"),
            "suspended",
            "check",
        );
        v.status_lists = vec![two_bit.clone()];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "revoked-two-bit",
            "Entry 6 of INPS's 2-bit list \"2\" is revoked (value 1).",
            with_status("revoked-two-bit", 6, "2"),
            "revoked",
            "check",
        );
        v.status_lists = vec![two_bit.clone()];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-value-3",
            "Entry 7 of INPS's 2-bit list \"2\" has the application-specific value 3, which \
             attesta gives no meaning: refused as revoked.",
            with_status("status-value-3", 7, "2"),
            "revoked",
            "check",
        );
        v.status_lists = vec![two_bit.clone()];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-index-out-of-range",
            "The code's index 1024 is just past the end of INPS's list \"1\" (1024 entries).",
            with_status("status-index-out-of-range", 1024, "1"),
            "status_index_out_of_range",
            "check",
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-wrong-issuer",
            "The only list \"1\" loaded is ASL-BO's (a trusted issuer), while the code is \
             INPS's: one issuer's list cannot answer for another's codes.",
            with_status("status-list-wrong-issuer", 17, "1"),
            "status_list_wrong_issuer",
            "check",
        );
        v.other_keys = vec![w.asl];
        v.status_lists = vec![
            SlSpec {
                signer: &w.asl,
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-untrusted",
            "The status list is signed by a key in no trust list.",
            with_status("status-list-untrusted", 17, "1"),
            "status_list_untrusted",
            "status_list",
        );
        v.other_keys = vec![w.stranger];
        v.status_lists = vec![
            SlSpec {
                signer: &w.stranger,
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-too-old",
            "The status list (no exp) was issued 2026-10-01, more than the 30 days ago the \
             default policy allows.",
            with_status("status-list-too-old", 17, "1"),
            "status_list_stale",
            "status_list",
        );
        v.status_lists = vec![
            SlSpec {
                iat: "2026-10-01T00:00:00Z",
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-expired",
            "The status list expired at 2026-11-14T23:54:59Z, 5 minutes and 1 second before \
             verification (beyond the clock skew).",
            with_status("status-list-expired", 17, "1"),
            "status_list_stale",
            "status_list",
        );
        v.status_lists = vec![
            SlSpec {
                exp: Some("2026-11-14T23:54:59Z"),
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-wrong-type",
            "A trust list given where a status list is expected (content type \
             application/attesta-trust+cwt).",
            with_status("status-list-wrong-type", 17, "1"),
            "status_list_wrong_typ",
            "status_list",
        );
        v.status_lists = vec![default_trust(w)];
        out.push(v);
    }
    let crafted_list = |sl: Value| {
        let mut c = ClaimSet::new();
        c.set(claims::SUB, Value::Text("1".into()));
        c.set_time(claims::IAT, ts(SL_IAT));
        c.set(claims::STATUS_LIST, sl);
        let payload = c.to_vec();
        let prot = protected(
            eddsa(),
            Some(w.inps.kid().as_bytes().to_vec()),
            vec![(
                int(16),
                Value::Text(attesta_core::status_list::MEDIA_TYPE.into()),
            )],
        );
        tagged(sign1_items(&w.inps, prot, vec![], payload))
    };
    {
        let lst = zlib(&[0u8; 64]);
        let mut v = V::negative_issued(
            w,
            "status-list-four-bits",
            "INPS's signed status list uses 4 bits per entry, which the draft allows but \
             attesta does not read.",
            with_status("status-list-four-bits", 17, "1"),
            "status_list_unsupported_bits",
            "status_list",
        );
        v.status_lists = vec![crafted_list(Value::Map(vec![
            (Value::Text("lst".into()), Value::Bytes(lst)),
            (Value::Text("bits".into()), int(4)),
        ]))];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-bad-compression",
            "INPS's signed status list whose lst is not a zlib stream.",
            with_status("status-list-bad-compression", 17, "1"),
            "status_list_bad_compression",
            "status_list",
        );
        v.status_lists = vec![crafted_list(Value::Map(vec![
            (
                Value::Text("lst".into()),
                Value::Bytes(vec![0x78, 0x9c, 0xff, 0xff, 0x00]),
            ),
            (Value::Text("bits".into()), int(1)),
        ]))];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "revocation-not-checked-required",
            "The policy requires revocation checking (policy.revocation = \"require\"), the \
             code has a status reference, and no list for it is loaded.",
            with_status("revocation-not-checked-required", 17, "1"),
            "revocation_not_checked",
            "check",
        );
        v.require_revocation = true;
        out.push(v);
    }

    // --- trust lists ----------------------------------------------------------------
    let tl_vector = |name, desc: &str, lists: Vec<Vec<u8>>, code| {
        let mut v = V::negative(w, name, desc, good_text.clone(), code, "trust_list");
        v.inputs = Some(good.clone());
        v.trust_lists = lists;
        v
    };
    {
        let mut v = tl_vector(
            "trust-list-wrong-root",
            "The trust list is signed by another root key than the one the verifier pins.",
            vec![sign_list(&base_list(w), &w.other_root, TL_IAT, TL_EXP)],
            "trust_list_bad_signature",
        );
        v.other_keys = vec![w.other_root];
        out.push(v);
    }
    out.push(tl_vector(
        "trust-list-expired",
        "The trust list expired on 2026-11-01.",
        vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-10-02T00:00:00Z",
            "2026-11-01T00:00:00Z",
        )],
        "trust_list_stale",
    ));
    out.push(tl_vector(
        "trust-list-too-old",
        "The trust list was issued on 2026-10-01 (45 days before verification, beyond the \
         30-day maximum age) although its exp is a year later.",
        vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-10-01T00:00:00Z",
            "2027-10-01T00:00:00Z",
        )],
        "trust_list_stale",
    ));
    {
        let l1 = base_list(w);
        let mut l2 = l1.clone();
        l2.seq = 2;
        out.push(tl_vector(
            "trust-list-rollback",
            "Two trust lists in order: sequence 2 is accepted, then sequence 1 (older, still \
             fresh) is refused as a rollback.",
            vec![
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
                sign_list(&l1, &w.root, "2026-11-08T00:00:00Z", "2026-12-08T00:00:00Z"),
            ],
            "trust_list_rollback",
        ));
    }
    {
        let mut l1 = base_list(w);
        l1.denied.insert(w.compromised.kid());
        let mut l2 = base_list(w);
        l2.seq = 2;
        l2.issuers
            .push(issuer_entry("ROGUE", &w.compromised, None, None));
        l2.denied.insert(w.compromised.kid());
        let mut v = tl_vector(
            "trust-list-denied-kid-reinstated",
            "Sequence 1 denies the compromised kid; sequence 2 (validly signed) lists that \
             key as an issuer again. A denied kid never returns.",
            vec![
                sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
            ],
            "trust_list_denied_kid_reinstated",
        );
        v.other_keys = vec![w.compromised];
        out.push(v);
    }
    {
        let mut l1 = base_list(w);
        l1.denied.insert(w.compromised.kid());
        let mut l2 = base_list(w);
        l2.seq = 2;
        let mut v = tl_vector(
            "trust-list-denylist-shrunk",
            "Sequence 1 denies the compromised kid; sequence 2 no longer does. Every later \
             list must keep the denylist.",
            vec![
                sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
            ],
            "trust_list_denylist_shrunk",
        );
        v.other_keys = vec![w.compromised];
        out.push(v);
    }
    out.push(tl_vector(
        "trust-list-is-a-status-list",
        "A status list token given where the trust list is expected (wrong content type).",
        vec![inps_list_1(w).sign()],
        "trust_list_malformed",
    ));

    // --- the holder's CF ---------------------------------------------------------------
    let cf_vector = |name, desc: &str, cf: &str, code, cf_error: Option<&'static str>| {
        let mut v = V::negative(w, name, desc, good_text.clone(), code, "open");
        v.inputs = Some(good.clone());
        v.cf_for_verify = cf.to_owned();
        if let Some(e) = cf_error {
            v.set_cf_error(e);
        }
        v
    };
    out.push(cf_vector(
        "cf-mismatch",
        "Another person's valid CF: the envelope does not open.",
        OTHER_CF,
        "cf_mismatch",
        None,
    ));
    out.push(cf_vector(
        "cf-typo-check-character",
        "The holder's CF with its last character mistyped (T for S): caught by the check \
         character before any key derivation.",
        "RSSMRA85T10A562T",
        "cf_malformed",
        Some("cf_wrong_check_character"),
    ));
    out.push(cf_vector(
        "cf-wrong-length",
        "The holder's CF with a character missing.",
        "RSSMRA85T10A62S",
        "cf_malformed",
        Some("cf_wrong_length"),
    ));
    out.push(cf_vector(
        "cf-empty",
        "No CF typed (spaces only).",
        "   ",
        "cf_malformed",
        Some("cf_empty"),
    ));
    out.push(cf_vector(
        "cf-temporary-wrong-check-digit",
        "An 11-digit temporary CF with a wrong check digit.",
        "00743110158",
        "cf_malformed",
        Some("cf_wrong_check_digit"),
    ));
    {
        let omocode = format!(
            "RSSMRA85T10A56N{}",
            personal_check_char("RSSMRA85T10A56N").expect("check")
        );
        out.push(cf_vector(
            "cf-omocode-variant",
            "A valid omocode variant of the holder's CF: a different code, so the envelope \
             does not open (the envelope binds the exact code).",
            &omocode,
            "cf_mismatch",
            None,
        ));
    }

    // --- KDF parameters ------------------------------------------------------------------
    for (name, m, t, p, desc) in [
        (
            "kdf-memory-above-limit",
            65,
            1,
            1,
            "A genuinely sealed code asking for 65 MiB of Argon2id memory, above the default \
             limit of 64 MiB: refused before running the KDF.",
        ),
        (
            "kdf-passes-above-limit",
            1,
            9,
            1,
            "A genuinely sealed code asking for 9 Argon2id passes, above the default limit of 8.",
        ),
        (
            "kdf-lanes-above-limit",
            1,
            1,
            5,
            "A genuinely sealed code asking for 5 Argon2id lanes, above the default limit of 4.",
        ),
    ] {
        let mut c = cred(name, deaf());
        c.kdf = KdfParams::new(m, t, p).expect("params");
        out.push(V::negative_issued(
            w,
            name,
            desc,
            c,
            "kdf_params_out_of_bounds",
            "open",
        ));
    }
    {
        // 4194303 MiB: the largest value whose KiB count fits Argon2's u32.
        let env = envelope_value(
            &KdfParams::new(4_194_303, 1, 1).expect("params"),
            vec![0x42; 17],
        );
        out.push(neg(
            "kdf-huge-memory",
            "A signed code asking for 4194303 MiB (4 TiB) of Argon2id memory; its ciphertext \
             is junk. A verifier must refuse from the parameters alone, never run the KDF.",
            at1(&std_cose(&w.inps, good.claims_with(env).to_vec())),
            "kdf_params_out_of_bounds",
            "open",
        ));
    }
    {
        let env = Value::Array(vec![int(0), int(1), int(1), Value::Bytes(vec![0x42; 17])]);
        out.push(neg(
            "kdf-zero-memory",
            "A signed code whose envelope asks for 0 MiB of memory: not valid Argon2id \
             parameters.",
            at1(&std_cose(&w.inps, good.claims_with(env).to_vec())),
            "malformed_claims",
            "check",
        ));
    }

    // --- claims ------------------------------------------------------------------------------
    let signed_claims = |map: Vec<(Value, Value)>| at1(&std_cose(&w.inps, cbor(&Value::Map(map))));
    let base_entries = || -> Vec<(Value, Value)> {
        let v: Value = ciborium::from_reader(std_claims.as_slice()).expect("claims");
        let Value::Map(m) = v else { panic!("map") };
        m
    };
    let without = |key: i64| {
        base_entries()
            .into_iter()
            .filter(|(k, _)| *k != int(key))
            .collect::<Vec<_>>()
    };
    let replaced = |key: i64, val: Value| {
        base_entries()
            .into_iter()
            .map(|(k, v)| {
                if k == int(key) {
                    (k, val.clone())
                } else {
                    (k, v)
                }
            })
            .collect::<Vec<_>>()
    };
    {
        let mut m = base_entries();
        m.insert(1, (int(claims::EXP), int(2_000_000_000)));
        out.push(neg(
            "duplicate-claim-key",
            "Signed claims with exp (4) twice, the second far in the future: refused by the \
             CBOR guard (no map may repeat a key).",
            signed_claims(m),
            "cbor_duplicate_key",
            "check",
        ));
    }
    for (name, key, desc) in [
        ("missing-exp", claims::EXP, "Signed claims without exp (4)."),
        ("missing-iat", claims::IAT, "Signed claims without iat (6)."),
        ("missing-cti", claims::CTI, "Signed claims without cti (7)."),
        (
            "missing-envelope",
            claims::ATTESTA_ENVELOPE,
            "Signed claims without the sealed attestation (-65537).",
        ),
    ] {
        out.push(neg(
            name,
            desc,
            signed_claims(without(key)),
            "missing_claim",
            "check",
        ));
    }
    out.push(neg(
        "exp-float",
        "Signed claims whose exp is a float (1.8e9) instead of an integer: attesta's formats \
         hold no floats (a float has several encodings of one value).",
        signed_claims(replaced(claims::EXP, Value::Float(1.8e9))),
        "cbor_float_or_simple",
        "check",
    ));
    out.push(neg(
        "cti-wrong-length",
        "Signed claims whose cti has 9 bytes instead of 8.",
        signed_claims(replaced(claims::CTI, Value::Bytes(vec![7; 9]))),
        "malformed_claims",
        "check",
    ));
    {
        let mut m = base_entries();
        m.insert(0, (int(claims::ISS), int(1)));
        out.push(neg(
            "iss-not-text",
            "Signed claims whose iss is an integer.",
            signed_claims(m),
            "malformed_claims",
            "check",
        ));
    }
    {
        let mut m = base_entries();
        m.push((
            int(claims::STATUS),
            Value::Map(vec![(
                Value::Text("status_list".into()),
                Value::Map(vec![(Value::Text("idx".into()), int(17))]),
            )]),
        ));
        out.push(neg(
            "status-claim-without-uri",
            "Signed claims whose status reference has an idx but no uri.",
            signed_claims(m),
            "malformed_claims",
            "check",
        ));
    }
    out.push(neg(
        "claims-not-a-map",
        "A correctly signed payload that is a CBOR array, not a claims map.",
        at1(&std_cose(
            &w.inps,
            cbor(&Value::Array(vec![int(1), int(2)])),
        )),
        "malformed_claims",
        "check",
    ));
    out.push(neg(
        "envelope-not-an-array",
        "Signed claims whose sealed attestation is a byte string, not [m, t, p, ciphertext].",
        signed_claims(replaced(
            claims::ATTESTA_ENVELOPE,
            Value::Bytes(vec![0x42; 20]),
        )),
        "malformed_claims",
        "check",
    ));

    // --- the sealed content ---------------------------------------------------------------------
    let sealed = |name: &'static str, desc: &str, plaintext: Vec<u8>, code| {
        let c = cred(name, deaf());
        let text = at1(&std_cose(
            &w.inps,
            c.claims_with(c.envelope_with(&plaintext)).to_vec(),
        ));
        neg(name, desc, text, code, "open")
    };
    out.push(sealed(
        "unknown-flag-bit",
        "Correctly sealed and signed content with flag bit 11 set (unknown to format v1), \
         besides deafness.",
        raw_plaintext((1 << 11) | (1 << 5), None),
        "unknown_flags",
    ));
    out.push(sealed(
        "unknown-invalidity-code",
        "Correctly sealed content with invalidity code 9 (codes go up to 8).",
        raw_plaintext(9, None),
        "unknown_flags",
    ));
    out.push(sealed(
        "unknown-handicap-code",
        "Correctly sealed content with handicap code 3 (only 1 and 2 exist), besides deafness.",
        raw_plaintext((3 << 7) | (1 << 5), None),
        "unknown_flags",
    ));
    out.push(sealed(
        "accompaniment-with-46",
        "Correctly sealed content stating indennità di accompagnamento with civil invalidity \
         >= 46 % only: a combination the law does not produce.",
        raw_plaintext(2 | (1 << 9), None),
        "invalid_attestation",
    ));
    out.push(sealed(
        "l68-with-33",
        "Correctly sealed content stating L. 68/99 disability with civil invalidity >= 33.34 % \
         only (L. 68/99 needs 46 %).",
        raw_plaintext(1 | (1 << 6), None),
        "invalid_attestation",
    ));
    out.push(sealed(
        "no-status",
        "Correctly sealed content with no status at all (flags 0).",
        raw_plaintext(0, None),
        "invalid_attestation",
    ));
    out.push(sealed(
        "plaintext-not-an-array",
        "Correctly sealed content that is a bare integer (deafness flags), not [flags, revision].",
        cbor(&int(1 << 5)),
        "malformed_claims",
    ));
    out.push(sealed(
        "plaintext-three-items",
        "Correctly sealed content with three items [flags, revision, 0].",
        cbor(&Value::Array(vec![int(1 << 5), int(20_000), int(0)])),
        "malformed_claims",
    ));
    {
        let c = cred("ciphertext-altered", deaf());
        let Value::Array(mut env) = c.envelope_with(&plaintext_of(&c.att)) else {
            panic!("envelope")
        };
        if let Some(Value::Bytes(ct)) = env.get_mut(3) {
            ct[0] ^= 1;
        }
        out.push(neg(
            "ciphertext-altered",
            "The issuer signed a ciphertext with one bit flipped: the AEAD fails, which the \
             verifier cannot tell from a wrong CF.",
            at1(&std_cose(
                &w.inps,
                c.claims_with(Value::Array(env)).to_vec(),
            )),
            "cf_mismatch",
            "open",
        ));
    }
    {
        let c = cred("second-level-label", deaf());
        let pt = plaintext_of(&c.att);
        let ct = c
            .ekey(EnvelopeLabel::SecondLevelInner, c.cti.as_bytes())
            .seal(c.cti.as_bytes(), &pt);
        out.push(neg(
            "envelope-wrong-label",
            "The content is sealed under the second-level inner label \
             (attesta/v1/level-2-inner) instead of attesta/v1/level-1.",
            at1(&std_cose(
                &w.inps,
                c.claims_with(envelope_value(&c.kdf, ct)).to_vec(),
            )),
            "cf_mismatch",
            "open",
        ));
    }
    {
        let c = cred("other-cti", deaf());
        let other = cti_for("another credential");
        let pt = plaintext_of(&c.att);
        let ct = c
            .ekey(EnvelopeLabel::FirstLevel, other.as_bytes())
            .seal(other.as_bytes(), &pt);
        out.push(neg(
            "envelope-of-another-cti",
            "An envelope sealed for another credential id (KDF salt and AAD use a different \
             cti) moved into this code's claims and re-signed.",
            at1(&std_cose(
                &w.inps,
                c.claims_with(envelope_value(&c.kdf, ct)).to_vec(),
            )),
            "cf_mismatch",
            "open",
        ));
    }
    out
}
