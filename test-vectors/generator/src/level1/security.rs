//! Issue 12, the outside security review: one group of vectors per
//! finding (per-key revocation and denial, lists from the future, the
//! holder's secret, the KDF floor).

use attesta_core::envelope::KdfParams;
use attesta_core::status_list::{CredentialStatus, StatusBits};
use attesta_core::trust_list::TrustList;
use ciborium::Value;

use crate::craft::{at1, int, std_cose};
use crate::cred::{cred, deaf, plaintext_of, secret_for, secret_text, status, typical};
use crate::token::{tok, typical_details};
use crate::vector::V;
use crate::world::{
    CF, INPS, Key, OTHER_CF, SL_IAT, SlSpec, TL_EXP, TL_IAT, World, base_list, issuer_entry,
    sign_list, ts,
};

/// The trust list after INPS rotated keys on 2026-11-05: the first key
/// retired (codes it issued until then stay valid), the second valid from
/// then, both under the id INPS.
pub(crate) fn rotated_list(w: &World) -> TrustList {
    let mut list = base_list(w);
    list.issuers[0].valid_until = Some(ts("2026-11-05T00:00:00Z"));
    list.issuers.push(issuer_entry(
        INPS,
        &w.inps2,
        Some("2026-11-05T00:00:00Z"),
        None,
    ));
    list
}

/// A list "1" of `signer` with entry 17 revoked or valid.
pub(crate) fn list_17<'a>(signer: &'a Key, iat: &'a str, revoked: bool) -> SlSpec<'a> {
    SlSpec {
        signer,
        uri: "1",
        iat,
        exp: None,
        bits: StatusBits::One,
        capacity: 1024,
        entries: if revoked {
            &[(17, CredentialStatus::Revoked)]
        } else {
            &[]
        },
    }
}

pub(crate) fn security_review(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    out.extend(revocation_per_key(w));
    out.extend(denial_per_key(w));
    out.extend(kdf_floor(w));
    out.extend(holder_secret(w));
    out.extend(future_lists(w));
    out
}

/// Finding 7: lists dated after the verification time (beyond the skew).
pub(crate) fn future_lists(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let with_17 = |name: &str| {
        let mut c = cred(name, deaf());
        c.status = status(17, "1");
        c
    };
    {
        let name = "status-list-issued-in-future";
        let mut v = V::negative_issued(
            w,
            name,
            "Security review, finding 7. INPS's list \"1\" says it was issued 2026-11-15 at \
             00:06, six minutes after the verification time (the skew is 5): refused, like a \
             code from the future.",
            with_17(name),
            "status_list_issued_in_future",
            "status_list",
        );
        v.status_lists = vec![list_17(&w.inps, "2026-11-15T00:06:00Z", false).sign()];
        out.push(v);
    }
    {
        let name = "status-list-issued-within-skew";
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 7. INPS's list \"1\" issued 4 minutes after the \
             verification time, within the 5-minute skew: loaded; valid, revocation checked.",
            with_17(name),
        );
        v.status_lists = vec![list_17(&w.inps, "2026-11-15T00:04:00Z", false).sign()];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let name = "trust-list-issued-in-future";
        let mut v = V::negative_issued(
            w,
            name,
            "Security review, finding 7. A validly signed trust list dated a year ahead \
             (2027-11-14): accepted, it would become the clock floor and every code would look \
             expired for a year. Refused.",
            cred(name, deaf()),
            "trust_list_issued_in_future",
            "trust_list",
        );
        v.trust_lists = vec![sign_list(
            &base_list(w),
            &w.root,
            "2027-11-14T00:00:00Z",
            "2027-12-14T00:00:00Z",
        )];
        out.push(v);
    }
    out
}

/// Finding 3: codes that open only with the CF and the holder's secret.
pub(crate) fn holder_secret(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let with_secret = |name: &str| {
        let mut c = cred(name, typical());
        c.secret = Some(secret_for(name));
        c
    };
    {
        let name = "holder-secret";
        let c = with_secret(name);
        let desc = format!(
            "Security review, finding 3. The holder asked for a secret: the envelope ends with \
             the member 1 and its key is derived with the 5-byte secret as Argon2id's secret \
             input. With the CF and the secret {} (as printed): valid.",
            secret_text(c.secret.expect("secret"))
        );
        out.push(V::positive(w, name, &desc, c));
    }
    {
        let name = "holder-secret-default-kdf";
        let mut c = with_secret(name);
        c.kdf = KdfParams::DEFAULT;
        let desc = format!(
            "Security review, finding 3. A code with a holder's secret ({}) at the default KDF \
             (19 MiB, 2 passes), verified with the floor: the example docs/format.md \
             appendix B checks with an independent implementation.",
            secret_text(c.secret.expect("secret"))
        );
        let mut v = V::positive(w, name, &desc, c);
        v.kdf_floor = Some(FLOOR);
        out.push(v);
    }
    {
        let name = "holder-secret-typed-loosely";
        let mut c = with_secret(name);
        c.secret = Some([1, 2, 3, 4, 5]);
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 3. The secret 0410-6105-X typed as \"o4lo 61o5 x\": \
             lower case, spaces instead of hyphens, and the look-alikes O for 0 and L for 1 \
             (Crockford's base32) are read as the printed secret: valid.",
            c,
        );
        v.secret_for_verify = Some("o4lo 61o5 x".into());
        out.push(v);
    }
    {
        let name = "holder-secret-given-for-code-without-one";
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 3. A code without a holder's secret, opened with the CF \
             and a (well-formed) secret: the secret is not used, the code opens with the CF.",
            cred(name, typical()),
        );
        v.secret_for_verify = Some(secret_text(secret_for(name)));
        out.push(v);
    }
    let refused = |name: &'static str, desc: &str, secret: Option<String>, cf: &str, code| {
        let c = with_secret(name);
        let mut v = V::negative_issued(w, name, desc, c, code, "open");
        v.secret_for_verify = secret;
        v.cf_for_verify = cf.to_owned();
        v
    };
    out.push(refused(
        "holder-secret-not-given",
        "Security review, finding 3. A code with a holder's secret, opened with the right CF \
         and no secret: the code says (in its signed envelope) that the secret is needed, so \
         the verifier asks for it before any key derivation.",
        None,
        CF,
        "secret_required",
    ));
    {
        let name = "holder-secret-check-character-wrong";
        let mut typo: Vec<char> = secret_text(secret_for(name)).chars().collect();
        typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        out.push(refused(
            name,
            &format!(
                "Security review, finding 3. The secret {} typed with its first character \
                 changed ({typo}): the check character catches the typo before any key \
                 derivation.",
                secret_text(secret_for(name))
            ),
            Some(typo),
            CF,
            "secret_malformed",
        ));
    }
    out.push(refused(
        "holder-secret-too-short",
        "Security review, finding 3. A secret of 8 characters (the check character left out): \
         not a secret.",
        Some(secret_text(secret_for("holder-secret-too-short"))[..9].to_owned()),
        CF,
        "secret_malformed",
    ));
    out.push(refused(
        "holder-secret-wrong",
        "Security review, finding 3. The right CF and a well-formed secret that is not the \
         holder's: the key derivation runs and the envelope does not open.",
        Some(secret_text([0x42; 5])),
        CF,
        "cf_or_secret_mismatch",
    ));
    {
        let name = "holder-secret-wrong-cf";
        out.push(refused(
            name,
            "Security review, finding 3. The holder's secret with another person's CF: the \
             envelope does not open.",
            Some(secret_text(secret_for(name))),
            OTHER_CF,
            "cf_or_secret_mismatch",
        ));
    }
    {
        let name = "holder-secret-unknown-kind";
        let c = with_secret(name);
        let Value::Array(mut env) = c.envelope_with(&plaintext_of(&c.att)) else {
            panic!("envelope")
        };
        env.push(int(2));
        let text = at1(&std_cose(
            &w.inps,
            c.claims_with(Value::Array(env)).to_vec(),
        ));
        let mut v = V::negative(
            w,
            name,
            "Security review, finding 3. A signed envelope with a fifth member 2: version 1 \
             knows one kind of holder's secret (1), so the key cannot be derived: malformed.",
            text,
            "malformed_claims",
            "check",
        );
        v.secret_for_verify = Some(secret_text(secret_for(name)));
        out.push(v);
    }
    out
}

/// The floor every verifier applies in production: the issuing default.
pub(crate) const FLOOR: (u32, u32) = (19, 2);

/// Finding 4: KDF parameters below the default are refused.
pub(crate) fn kdf_floor(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    for (name, m, t, desc) in [
        (
            "kdf-below-floor-test-parameters",
            1,
            1,
            "Security review, finding 4. A genuine code whose envelope uses Argon2id with \
             1 MiB and 1 pass (a CF guess costs about 3 ms), verified with the default floor \
             (19 MiB, 2 passes): refused in step 1, before any CF is asked for.",
        ),
        (
            "kdf-below-floor-18-mib",
            18,
            2,
            "Security review, finding 4. KDF 18 MiB and 2 passes: one MiB under the floor.",
        ),
        (
            "kdf-below-floor-one-pass",
            46,
            1,
            "Security review, finding 4. KDF 46 MiB and 1 pass (OWASP's other setting of \
             similar cost): the floor asks for at least 2 passes as well as 19 MiB.",
        ),
    ] {
        let mut c = cred(name, deaf());
        c.kdf = KdfParams::new(m, t, 1).expect("kdf");
        let mut v = V::negative_issued(w, name, desc, c, "kdf_below_floor", "check");
        v.kdf_floor = Some(FLOOR);
        out.push(v);
    }
    {
        let name = "kdf-at-floor";
        let mut c = cred(name, deaf());
        c.kdf = KdfParams::DEFAULT;
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 4. A code at the default KDF (19 MiB, 2 passes, 1 lane), \
             verified with the floor: valid.",
            c,
        );
        v.kdf_floor = Some(FLOOR);
        out.push(v);
    }
    {
        let name = "l2-kdf-below-floor";
        let t = tok(w, name, typical_details());
        let mut v = V::token_refused(
            w,
            name,
            "Security review, finding 4. A second-level token whose inner CF layer uses \
             1 MiB and 1 pass, opened with the default floor: refused before any key \
             derivation (the floor is checked where the parameters are known, inside the \
             operator's sealed layer).",
            t,
            "kdf_below_floor",
            "open",
        );
        v.kdf_floor = Some(FLOOR);
        out.push(v);
    }
    out
}

/// Finding 2: a denial names one key by its full fingerprint, so a key
/// made to share a victim's kid cannot take the victim down with it.
pub(crate) fn denial_per_key(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    // Key A is INPS's; key B (same kid, found by search) was slipped in by
    // another issuer and is denied by fingerprint.
    let mut list = base_list(w);
    list.issuers[0] = issuer_entry(INPS, &w.col_a, None, None);
    list.denied_keys
        .insert(w.col_b.sk().public_key().fingerprint());
    let trust = sign_list(&list, &w.root, TL_IAT, TL_EXP);
    {
        let name = "deny-by-fingerprint-spares-colliding-key";
        let c = cred(name, deaf());
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 2. INPS's key A and a key B made to share its kid \
             65987590; the trust list denies B by its full fingerprint (denied_keys). A code \
             signed by A is valid: denying one key never touches another with the same kid.",
            c.clone(),
        );
        v.issuer = w.col_a;
        v.qr_text = c.issue(&w.col_a);
        v.other_keys = vec![w.col_b];
        v.trust_lists = vec![trust.clone()];
        out.push(v);
    }
    {
        let name = "deny-by-fingerprint-refuses-denied-key";
        let c = cred(name, deaf());
        let mut v = V::negative(
            w,
            name,
            "Security review, finding 2. As deny-by-fingerprint-spares-colliding-key, with a \
             code signed by the denied key B: refused (denied_kid), although key A with the same \
             kid is trusted.",
            c.issue(&w.col_b),
            "denied_kid",
            "check",
        );
        v.issuer = w.col_b;
        v.inputs = Some(c);
        v.other_keys = vec![w.col_a];
        v.trust_lists = vec![trust.clone()];
        out.push(v);
    }
    let good = cred("trust-list-denied-key", deaf());
    let good_text = good.issue(&w.inps);
    let tl_vector = |name, desc: &str, lists: Vec<Vec<u8>>, code| {
        let mut v = V::negative(w, name, desc, good_text.clone(), code, "trust_list");
        v.inputs = Some(good.clone());
        v.trust_lists = lists;
        v.other_keys = vec![w.compromised];
        v
    };
    let fp = w.compromised.sk().public_key().fingerprint();
    {
        let mut l1 = base_list(w);
        l1.denied_keys.insert(fp);
        let mut l2 = l1.clone();
        l2.seq = 2;
        l2.issuers
            .push(issuer_entry("ROGUE", &w.compromised, None, None));
        out.push(tl_vector(
            "trust-list-denied-key-reinstated",
            "Security review, finding 2. Sequence 1 denies the compromised key by fingerprint; \
             sequence 2 (validly signed, still denying it) lists that key as an issuer again. \
             A denied key never returns.",
            vec![
                sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
            ],
            "trust_list_denied_key_reinstated",
        ));
    }
    {
        let mut l1 = base_list(w);
        l1.denied_keys.insert(fp);
        let mut l2 = base_list(w);
        l2.seq = 2;
        out.push(tl_vector(
            "trust-list-denied-key-dropped",
            "Security review, finding 2. Sequence 1 denies the compromised key by fingerprint; \
             sequence 2 no longer does. Every later list must keep every denial.",
            vec![
                sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
            ],
            "trust_list_denylist_shrunk",
        ));
    }
    out
}

/// Finding 1: a status list answers only for credentials of the key that
/// signed it.
pub(crate) fn revocation_per_key(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let rotated = sign_list(&rotated_list(w), &w.root, TL_IAT, TL_EXP);
    let old_key_code = |name: &str| {
        let mut c = cred(name, deaf());
        c.status = status(17, "1");
        c
    };
    let other_keys = vec![w.inps2];
    // The review's reproduction, in both loading orders: the old key's
    // list revokes entry 17, the new key's newer list "1" has it valid.
    for (name, new_first) in [
        ("rotation-old-key-revoked-lists-old-then-new", false),
        ("rotation-old-key-revoked-lists-new-then-old", true),
    ] {
        let mut v = V::negative_issued(
            w,
            name,
            &format!(
                "Security review, finding 1. INPS rotated keys on 2026-11-05. The code \
                 (old key, 2026-11-01) names entry 17 of list \"1\". The old key's list \
                 \"1\" (2026-11-14) revokes it; the new key's list \"1\" (2026-11-14T12:00, \
                 newer) has entry 17 valid. Loaded {}: only the list of the code's own key \
                 answers, so the code is revoked (it was reported valid, revocation checked).",
                if new_first {
                    "new key's list first"
                } else {
                    "old key's list first"
                }
            ),
            old_key_code(name),
            "revoked",
            "check",
        );
        v.other_keys = other_keys.clone();
        v.trust_lists = vec![rotated.clone()];
        let old = list_17(&w.inps, SL_IAT, true).sign();
        let new = list_17(&w.inps2, "2026-11-14T12:00:00Z", false).sign();
        v.status_lists = if new_first {
            vec![new, old]
        } else {
            vec![old, new]
        };
        out.push(v);
    }
    {
        let name = "rotation-old-key-only-new-keys-list";
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 1. Only the new INPS key's list \"1\" is loaded (entry 17 \
             revoked there); the code is the old key's, entry 17 of its own list \"1\". \
             Another key's list never answers for it: valid, revocation not checked.",
            old_key_code(name),
        );
        v.other_keys = other_keys.clone();
        v.trust_lists = vec![rotated.clone()];
        v.status_lists = vec![list_17(&w.inps2, SL_IAT, true).sign()];
        out.push(v);
    }
    {
        let name = "rotation-old-key-only-new-keys-list-required";
        let mut v = V::negative_issued(
            w,
            name,
            "Security review, finding 1. As rotation-old-key-only-new-keys-list (the new key's \
             list \"1\" has entry 17 valid), with revocation required: the old key's list \
             is missing, so revocation cannot be checked.",
            old_key_code(name),
            "revocation_not_checked",
            "check",
        );
        v.other_keys = other_keys.clone();
        v.trust_lists = vec![rotated.clone()];
        v.status_lists = vec![list_17(&w.inps2, SL_IAT, false).sign()];
        v.require_revocation = true;
        out.push(v);
    }
    {
        let name = "rotation-new-key-code-its-own-list";
        let mut c = cred(name, deaf());
        c.iat = ts("2026-11-10T00:00:00Z");
        c.status = status(17, "1");
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 1. A code of the new INPS key (2026-11-10), entry 17 of \
             list \"1\". Both keys' lists \"1\" are loaded: the old key's revokes entry 17, \
             the new key's has it valid. Only the new key's list answers: valid, checked.",
            c.clone(),
        );
        v.issuer = w.inps2;
        v.qr_text = c.issue(&w.inps2);
        v.other_keys = vec![w.inps];
        v.trust_lists = vec![rotated.clone()];
        v.status_lists = vec![
            list_17(&w.inps, SL_IAT, true).sign(),
            list_17(&w.inps2, SL_IAT, false).sign(),
        ];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let name = "retired-key-list-answers-for-its-codes";
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 1. The old INPS key, retired on 2026-11-05, signs its \
             list \"1\" on 2026-11-14 (entry 17 valid). Retirement limits the iat of new \
             codes, not the lists of the codes already issued: valid, revocation checked.",
            old_key_code(name),
        );
        v.other_keys = other_keys.clone();
        v.trust_lists = vec![rotated.clone()];
        v.status_lists = vec![list_17(&w.inps, SL_IAT, false).sign()];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let name = "default-uri-is-the-kid";
        let uri = w.inps.kid().to_string();
        let mut c = cred(name, deaf());
        c.status = status(17, &uri);
        let mut v = V::positive(
            w,
            name,
            &format!(
                "Security review, finding 1. The reference issuer now names each key's lists \
                 after the key's kid (\"{uri}\" for INPS), so that no two keys share a uri. \
                 The list \"{uri}\" is loaded: valid, revocation checked."
            ),
            c,
        );
        let uri_static: &'static str = Box::leak(uri.into_boxed_str());
        v.status_lists = vec![
            SlSpec {
                uri: uri_static,
                ..list_17(&w.inps, SL_IAT, false)
            }
            .sign(),
        ];
        v.set_revocation("checked");
        out.push(v);
    }
    out
}
