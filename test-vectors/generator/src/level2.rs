//! Second-level tokens (`AD1:`): genuine ones, and ones altered, re-signed
//! or sealed by hand.

use attesta_core::claims;
use attesta_core::envelope::KdfParams;
use ciborium::Value;

use crate::craft::{ad1, claims_of, resigned, sign1_of, std_cose, tagged, without};
use crate::cred::{cred, cti_for, deaf, status};
use crate::token::{deaf_details, details_cbor, every_detail, tok, typical_details};
use crate::vector::{Outcome, V, invalid};
use crate::world::{
    ASL, INPS, OP_A, OP_B, OTHER_CF, TL_EXP, TL_IAT, World, default_trust, inps_list_1, l2_list,
    sign_list, ts,
};

pub(crate) fn second_level(w: &World) -> Vec<V> {
    let mut out = Vec::new();

    // The crafted tokens below are re-signed with the generator's own
    // COSE_Sign1; check once that it is byte-identical to the library's.
    {
        let t = tok(w, "resign-check", typical_details());
        let text = t.issue(&w.inps);
        let (_, lib) = attesta_core::text::decode(&text).expect("decodes");
        assert_eq!(std_cose(&w.inps, claims_of(&text).to_vec()), lib);
    }

    // --- positive ------------------------------------------------------------
    {
        let mut t = tok(w, "l2-typical", typical_details());
        t.kdf = KdfParams::DEFAULT;
        let chars = t.issue(&w.inps).len();
        let mut v = V::token_valid(
            w,
            "l2-typical",
            &format!(
                "A typical second-level token ({chars} characters): civil invalidity 75.5 %, \
                 handicap art. 3 c. 3 (grave), L. 68/99 80 %, for operator comune-bo, with the \
                 default KDF parameters (19 MiB, 2 passes, 1 lane) in its inner layer. The \
                 first-level credential's status entry (index 17 of INPS's list \"1\") is \
                 checked: valid."
            ),
            t,
            w.op_a,
            OP_A,
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut t = tok(w, "l2-every-detail", every_detail());
        t.status = status(42, "1");
        out.push(V::token_valid(
            w,
            "l2-every-detail",
            "A token with every detail: invalidity 100 %, blindness class ventesimista, \
             deafness, handicap grave, L. 68/99 100 % and a judgement wording (non-ASCII, \
             100 characters). No status list is loaded, so revocation is not checked.",
            t,
            w.op_a,
            OP_A,
        ));
    }
    {
        let mut t = tok(w, "l2-operator-b", deaf_details());
        t.audience = OP_B.into();
        t.sealed_to = w.op_b;
        t.status = None;
        out.push(V::token_valid(
            w,
            "l2-operator-b",
            "A minimal token (deafness only) for the second accredited operator, tper-bo, \
             opened with its key; the first-level credential has no status entry (not \
             revocable).",
            t,
            w.op_b,
            OP_B,
        ));
    }
    {
        let t = tok(w, "l2-accreditation-window", typical_details());
        let mut v = V::token_valid(
            w,
            "l2-accreditation-window",
            "comune-bo is accredited from 2026-01-01 to 2027-01-01; verification on 2026-11-15 \
             falls inside the window.",
            t,
            w.op_a,
            OP_A,
        );
        let mut list = l2_list(w);
        list.operators[0].valid_from = Some(ts("2026-01-01T00:00:00Z"));
        list.operators[0].valid_until = Some(ts("2027-01-01T00:00:00Z"));
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }

    // --- the operator --------------------------------------------------------
    {
        let t = tok(w, "l2-wrong-audience", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-wrong-audience",
            "A genuine token for comune-bo, checked by tper-bo (whose key is accredited): \
             addressed to another operator.",
            t,
            "wrong_audience",
            "check",
        );
        v.l2_mut().operator = w.op_b;
        out.push(v);
    }
    {
        let t = tok(w, "l2-operator-not-accredited", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-operator-not-accredited",
            "A genuine token for comune-bo, checked with an X25519 key that no operator of the \
             trust list has.",
            t,
            "operator_not_accredited",
            "check",
        );
        v.l2_mut().operator = w.op_stranger;
        out.push(v);
    }
    {
        let t = tok(w, "l2-no-operators-in-list", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-no-operators-in-list",
            "A genuine token checked with comune-bo's key against the default first-level \
             trust list, which accredits no operator.",
            t,
            "operator_not_accredited",
            "check",
        );
        v.trust_lists = vec![default_trust(w)];
        out.push(v);
    }
    {
        let t = tok(w, "l2-accreditation-ended", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-accreditation-ended",
            "comune-bo's accreditation ended on 2026-11-13; its key is no longer accredited on \
             2026-11-15, even for a token issued while it was.",
            t,
            "operator_not_accredited",
            "check",
        );
        let mut list = l2_list(w);
        list.operators[0].valid_until = Some(ts("2026-11-13T00:00:00Z"));
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut t = tok(w, "l2-not-for-this-operator", typical_details());
        t.sealed_to = w.op_stranger;
        out.push(V::token_refused(
            w,
            "l2-not-for-this-operator",
            "A token whose aud is comune-bo but whose details are sealed to another X25519 key \
             (accredited nowhere): comune-bo's accredited key passes the checks but cannot \
             open it.",
            t,
            "not_for_this_operator",
            "open",
        ));
    }
    {
        // Sealed to comune-bo's key with tper-bo in the HPKE AAD, then
        // relabelled and re-signed.
        let mut t = tok(w, "l2-audience-rewritten", typical_details());
        t.audience = OP_B.into();
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(claims::AUD, Value::Text(OP_A.into()));
        out.push(V::token_crafted(
            w,
            "l2-audience-rewritten",
            "A token issued for tper-bo but sealed to comune-bo's key, whose aud was then \
             rewritten to comune-bo and re-signed by the issuer key. The HPKE AAD (cti || aud) \
             binds the audience: it does not open.",
            resigned(w, &c),
            "not_for_this_operator",
            "open",
        ));
    }
    {
        let t = tok(w, "l2-cti-rewritten", typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(
            claims::CTI,
            Value::Bytes(cti_for("another token").as_bytes().to_vec()),
        );
        out.push(V::token_crafted(
            w,
            "l2-cti-rewritten",
            "A genuine token's cti replaced and the claims re-signed by the issuer key. The \
             HPKE AAD (cti || aud) binds the cti: it does not open.",
            resigned(w, &c),
            "not_for_this_operator",
            "open",
        ));
    }

    // --- the holder's CF -------------------------------------------------------
    {
        let t = tok(w, "l2-cf-mismatch", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-cf-mismatch",
            "A genuine token opened with another person's (valid) CF: the operator layer opens, \
             the CF layer does not.",
            t,
            "cf_mismatch",
            "open",
        );
        v.cf_for_verify = OTHER_CF.into();
        out.push(v);
    }
    {
        let t = tok(w, "l2-cf-malformed", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-cf-malformed",
            "A genuine token with the holder's CF mistyped (last character T for S): caught \
             by the check character before anything is opened.",
            t,
            "cf_malformed",
            "open",
        );
        v.cf_for_verify = "RSSMRA85T10A562T".into();
        v.set_cf_error("cf_wrong_check_character");
        out.push(v);
    }
    {
        let mut t = tok(w, "l2-kdf-out-of-bounds", typical_details());
        t.kdf = KdfParams::new(1, 9, 1).expect("kdf");
        out.push(V::token_refused(
            w,
            "l2-kdf-out-of-bounds",
            "A token whose inner layer asks for 9 Argon2id passes (the default limit is 8): \
             refused before any key derivation.",
            t,
            "kdf_params_out_of_bounds",
            "open",
        ));
    }

    // --- dates and revocation ------------------------------------------------
    {
        let mut t = tok(w, "l2-expired", typical_details());
        t.iat = ts("2026-10-10T00:00:00Z");
        t.exp = ts("2026-11-09T00:00:00Z");
        out.push(V::token_refused(
            w,
            "l2-expired",
            "A token issued 2026-10-10 for 30 days (until 2026-11-09), checked on 2026-11-15.",
            t,
            "expired",
            "check",
        ));
    }
    {
        let mut t = tok(w, "l2-not-yet-valid", typical_details());
        t.iat = ts("2026-11-16T00:00:00Z");
        t.exp = ts("2026-12-16T00:00:00Z");
        out.push(V::token_refused(
            w,
            "l2-not-yet-valid",
            "A token issued 2026-11-16, checked a day earlier (beyond the 5-minute skew).",
            t,
            "not_yet_valid",
            "check",
        ));
    }
    {
        let mut t = tok(w, "l2-revoked", typical_details());
        t.status = status(77, "1");
        let mut v = V::token_refused(
            w,
            "l2-revoked",
            "A genuine token whose first-level credential (status index 77 of INPS's list \
             \"1\") has been revoked: revoking the first level revokes its tokens.",
            t,
            "revoked",
            "check",
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        out.push(v);
    }
    {
        let t = tok(w, "l2-revocation-required", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-revocation-required",
            "A genuine token with a status entry, no status list loaded, and a policy that \
             requires revocation to be checked.",
            t,
            "revocation_not_checked",
            "check",
        );
        v.require_revocation = true;
        out.push(v);
    }

    // --- signature and key -----------------------------------------------------
    {
        let t = tok(w, "l2-bad-signature", typical_details());
        let text = t.issue(&w.inps);
        let mut c = claims_of(&text);
        let Some(Value::Array(sealed)) = c.get(claims::ATTESTA_SEALED_DETAILS).cloned() else {
            panic!("sealed details")
        };
        let Value::Bytes(mut ct) = sealed[1].clone() else {
            panic!("ciphertext")
        };
        ct[0] ^= 0x01;
        c.set(
            claims::ATTESTA_SEALED_DETAILS,
            Value::Array(vec![sealed[0].clone(), Value::Bytes(ct)]),
        );
        let mut items = sign1_of(&text);
        items[2] = Value::Bytes(c.to_vec());
        out.push(V::token_crafted(
            w,
            "l2-bad-signature",
            "A genuine token with one bit of the sealed details flipped and the claims \
             re-encoded, keeping the original signature.",
            ad1(&tagged(items)),
            "bad_signature",
            "check",
        ));
    }
    {
        let t = tok(w, "l2-unknown-kid", typical_details());
        let text = t.issue(&w.stranger);
        let mut v = V::token(
            w,
            "l2-unknown-kid",
            "A token signed by a key that is in no trust list.",
            text,
            w.op_a,
            Some(t),
            invalid("unknown_kid", "check"),
        );
        v.issuer = w.stranger;
        out.push(v);
    }

    // --- the level ---------------------------------------------------------------
    {
        let t = tok(w, "l2-as-first-level", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-as-first-level",
            "A genuine second-level token given to first-level verification \
             (`verify_as: first_level`: Verifier::check, then the CF).",
            t,
            "wrong_level",
            "check",
        );
        v.l2_mut().as_first_level = true;
        out.push(v);
    }
    out.push(V::token_crafted(
        w,
        "l2-first-level-code",
        "A genuine first-level code (AT1:, deafness) given to second-level verification \
         with comune-bo's key.",
        cred("l2-first-level-code", deaf()).issue(&w.inps),
        "wrong_level",
        "check",
    ));

    // --- claims --------------------------------------------------------------------
    let genuine = claims_of(&tok(w, "l2-claims", typical_details()).issue(&w.inps));
    out.push(V::token_crafted(
        w,
        "l2-missing-aud",
        "A genuine token's claims without aud (3), re-signed by the issuer key.",
        resigned(w, &without(&genuine, claims::AUD)),
        "missing_claim",
        "check",
    ));
    out.push(V::token_crafted(
        w,
        "l2-missing-first-level-cti",
        "A genuine token's claims without the first-level cti (-65538), re-signed by the \
         issuer key.",
        resigned(w, &without(&genuine, claims::ATTESTA_L1_CTI)),
        "missing_claim",
        "check",
    ));
    out.push(V::token_crafted(
        w,
        "l2-missing-sealed-details",
        "A genuine token's claims without the sealed details (-65539), re-signed by the \
         issuer key.",
        resigned(w, &without(&genuine, claims::ATTESTA_SEALED_DETAILS)),
        "missing_claim",
        "check",
    ));
    {
        let mut c = genuine.clone();
        let Some(Value::Array(mut sealed)) = c.get(claims::ATTESTA_SEALED_DETAILS).cloned() else {
            panic!("sealed details")
        };
        sealed.push(Value::Bytes(vec![]));
        c.set(claims::ATTESTA_SEALED_DETAILS, Value::Array(sealed));
        out.push(V::token_crafted(
            w,
            "l2-sealed-details-three-items",
            "The sealed details (-65539) with a third element, re-signed by the issuer key: \
             [enc, ciphertext] is exactly two byte strings.",
            resigned(w, &c),
            "malformed_claims",
            "check",
        ));
    }
    {
        let mut c = genuine.clone();
        c.set(claims::AUD, Value::Array(vec![Value::Text(OP_A.into())]));
        out.push(V::token_crafted(
            w,
            "l2-aud-array",
            "aud (3) as an array holding comune-bo (JWT style), re-signed by the issuer key: \
             in a token it is one text string.",
            resigned(w, &c),
            "malformed_claims",
            "check",
        ));
    }

    out
}

/// Library bugs found while writing the second-level vectors.
pub(crate) fn second_level_regressions(_w: &World) -> Vec<V> {
    Vec::new()
}

/// Rules added to second-level tokens after their first vectors: `nbf` and
/// `iss` are honoured as in first-level codes (docs/format.md, section 9,
/// steps 8 and 9), and an empty judgement wording is refused. Issuance
/// writes neither claim and refuses such a wording, so these tokens are
/// genuine ones with claims added and re-signed, or sealed by hand.
pub(crate) fn second_level_review(w: &World) -> Vec<V> {
    let mut out = Vec::new();

    // The hand-made sealing below must be the library's, byte for byte.
    {
        let t = tok(w, "seal-check", typical_details());
        let genuine = claims_of(&t.issue(&w.inps));
        assert_eq!(
            genuine.get(claims::ATTESTA_SEALED_DETAILS),
            Some(&t.sealed_claim(&details_cbor(&t.details))),
            "hand-made HPKE sealing differs from the library's"
        );
    }

    {
        let t = tok(w, "l2-nbf-passed-iss-matching", typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(claims::ISS, Value::Text(INPS.into()));
        c.set_time(claims::NBF, ts("2026-11-14T00:00:00Z"));
        let outcome = Outcome::ValidToken {
            details: t.details.clone(),
            issuer_id: INPS,
            operator_id: OP_A,
            revocation: "not_checked",
        };
        let mut v = V::token(
            w,
            "l2-nbf-passed-iss-matching",
            "A genuine token (issued 2026-11-12) with nbf 2026-11-14 and iss \"INPS\" added and \
             re-signed by the INPS key, checked on 2026-11-15: nbf has passed and iss is the \
             trust-list id of the signing key, so it is accepted. Issuance writes neither \
             claim, hence no inputs; cti, first-level cti and dates are the genuine token's.",
            resigned(w, &c),
            w.op_a,
            None,
            outcome,
        );
        v.l2_mut().crafted_from = Some(t);
        out.push(v);
    }
    {
        let t = tok(w, "l2-not-yet-valid-nbf", typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set_time(claims::NBF, ts("2026-11-16T00:00:00Z"));
        out.push(V::token_crafted(
            w,
            "l2-not-yet-valid-nbf",
            "A genuine token (issued 2026-11-12) with nbf 2026-11-16 added and re-signed by the \
             issuer key, checked on 2026-11-15: its validity starts a day later (beyond the \
             5-minute skew) although iat has passed.",
            resigned(w, &c),
            "not_yet_valid",
            "check",
        ));
    }
    {
        let t = tok(w, "l2-issuer-mismatch", typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(claims::ISS, Value::Text(ASL.into()));
        out.push(V::token_crafted(
            w,
            "l2-issuer-mismatch",
            "A genuine token with iss \"ASL-BO\" added and re-signed by the INPS key: ASL-BO is \
             a trusted issuer, but not the trust-list id of the key that signed.",
            resigned(w, &c),
            "issuer_mismatch",
            "check",
        ));
    }
    {
        let t = tok(w, "l2-empty-judgement", typical_details());
        let mut details = t.details.clone();
        details.judgement = Some(String::new());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(
            claims::ATTESTA_SEALED_DETAILS,
            t.sealed_claim(&details_cbor(&details)),
        );
        out.push(V::token_crafted(
            w,
            "l2-empty-judgement",
            "A token whose details (invalidity 75.5 %, handicap grave, L. 68/99 80 %) carry an \
             empty judgement wording (key 6: \"\"), correctly sealed to comune-bo and to the \
             holder's CF and signed by the issuer key: both layers open, but a judgement is a \
             non-empty wording or absent.",
            resigned(w, &c),
            "invalid_attestation",
            "open",
        ));
    }
    out
}
