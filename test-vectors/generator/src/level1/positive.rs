//! First-level codes a verifier must accept.

use attesta_core::cf::{personal_check_char, temporary_check_digit};
use attesta_core::envelope::KdfParams;
use attesta_core::model::{HandicapGrade, InvalidityAssessment};
use attesta_core::status_list::{CredentialStatus, StatusBits};
use jiff::SignedDuration;
use jiff::civil::Date;

use crate::annotate::annotate;
use crate::cred::{att, cred, deaf, status, typical};
use crate::vector::V;
use crate::world::{
    ASL, INPS, SL_IAT, SlSpec, TL_EXP, TL_IAT, VERIFY_AT, World, base_list, inps_list_1,
    issuer_entry, sign_list, ts,
};

pub(crate) fn positives(w: &World) -> Vec<V> {
    let mut out = Vec::new();

    // The worked example of docs/format.md, with the real KDF parameters.
    {
        let mut c = cred("worked-example", typical());
        c.kdf = KdfParams::DEFAULT;
        c.status = status(4_123_456, "1");
        let mut v = V::positive(
            w,
            "worked-example-default-kdf",
            "The worked example of docs/format.md: a typical credential (civil invalidity \
             >= 74 % from a 75 % verbale, handicap grave, reduced walking, revision date \
             2028-06-30, one-year validity, status index 4123456 in list \"1\") sealed with \
             the default KDF parameters (19 MiB, 2 passes, 1 lane). No status list is loaded, \
             so revocation is not checked. `annotated` gives every intermediate value.",
            c.clone(),
        );
        v.annotated = Some(annotate(&c, &v.qr_text));
        out.push(v);
    }
    out.push(V::positive(
        w,
        "deafness-only",
        "Minimal credential: civil deafness only, no status-list reference (not revocable).",
        cred("deafness-only", deaf()),
    ));
    let bands = [
        (
            "invalidity-33",
            InvalidityAssessment::From33,
            "Civil invalidity band >= 33.34 %.",
        ),
        (
            "invalidity-46",
            InvalidityAssessment::From46,
            "Civil invalidity band >= 46 %.",
        ),
        (
            "invalidity-51-handicap-c1",
            InvalidityAssessment::From51,
            "Civil invalidity band >= 51 % with handicap art. 3 c. 1 (not grave).",
        ),
        (
            "invalidity-67",
            InvalidityAssessment::From67,
            "Civil invalidity band >= 67 %.",
        ),
        (
            "invalidity-74",
            InvalidityAssessment::From74,
            "Civil invalidity band >= 74 %.",
        ),
        (
            "invalidity-total-accompaniment",
            InvalidityAssessment::Total,
            "Total civil invalidity (100 %) with indennità di accompagnamento and handicap grave.",
        ),
        (
            "minor-persistent-difficulties",
            InvalidityAssessment::MinorPersistentDifficulties,
            "A minor with persistent difficulties (the wording that replaces a percentage), \
             with indennità di accompagnamento.",
        ),
        (
            "over65-persistent-difficulties",
            InvalidityAssessment::Over65PersistentDifficulties,
            "A person over 65 with persistent difficulties, with reduced walking capacity.",
        ),
    ];
    for (name, band, desc) in bands {
        let mut b = att().invalidity(band);
        match band {
            InvalidityAssessment::From51 => b = b.handicap(HandicapGrade::Comma1),
            InvalidityAssessment::Total => {
                b = b.accompaniment(true).handicap(HandicapGrade::Comma3Grave)
            }
            InvalidityAssessment::MinorPersistentDifficulties => b = b.accompaniment(true),
            InvalidityAssessment::Over65PersistentDifficulties => b = b.reduced_walking(true),
            _ => {}
        }
        out.push(V::positive(
            w,
            name,
            desc,
            cred(name, b.build().expect("valid")),
        ));
    }
    out.push(V::positive(
        w,
        "blindness-accompaniment",
        "Civil blindness with indennità di accompagnamento (no invalidity percentage).",
        cred(
            "blindness-accompaniment",
            att()
                .blindness(true)
                .accompaniment(true)
                .build()
                .expect("valid"),
        ),
    ));
    out.push(V::positive(
        w,
        "l68-with-46",
        "L. 68/99 disability with civil invalidity >= 46 %.",
        cred(
            "l68-with-46",
            att()
                .invalidity(InvalidityAssessment::From46)
                .disability_l68(true)
                .build()
                .expect("valid"),
        ),
    ));
    out.push(V::positive(
        w,
        "handicap-c1-revision-date",
        "Handicap art. 3 c. 1 only, with a revision date (2027-03-31): the revision date is \
         not an expiry and does not affect validity.",
        cred(
            "handicap-c1-revision-date",
            att()
                .handicap(HandicapGrade::Comma1)
                .revision(Date::constant(2027, 3, 31))
                .build()
                .expect("valid"),
        ),
    ));
    out.push(V::positive(
        w,
        "every-flag",
        "Every flag at once: total invalidity, blindness, deafness, L. 68/99, handicap grave, \
         accompaniment, reduced walking, revision date 2030-01-01.",
        cred(
            "every-flag",
            att()
                .invalidity(InvalidityAssessment::Total)
                .blindness(true)
                .deafness(true)
                .disability_l68(true)
                .handicap(HandicapGrade::Comma3Grave)
                .accompaniment(true)
                .reduced_walking(true)
                .revision(Date::constant(2030, 1, 1))
                .build()
                .expect("valid"),
        ),
    ));
    {
        let mut c = cred("status-not-checked", deaf());
        c.status = status(17, "1");
        out.push(V::positive(
            w,
            "status-not-checked",
            "A status-list reference (idx 17, uri \"1\") but no status list loaded: valid under \
             the default policy, revocation reported as not_checked.",
            c,
        ));
    }
    {
        let mut c = cred("revocation-checked", deaf());
        c.status = status(17, "1");
        let mut v = V::positive(
            w,
            "revocation-checked",
            "INPS's 1-bit status list \"1\" (1024 entries, entries 3, 77 and 500 revoked) is \
             loaded; the code's entry 17 is valid: revocation checked.",
            c,
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut c = cred("two-bit-list-valid", deaf());
        c.status = status(42, "9");
        let mut v = V::positive(
            w,
            "two-bit-list-valid",
            "A 2-bit status list \"9\" where entry 41 is suspended and 43 revoked; the code's \
             entry 42 is valid.",
            c,
        );
        v.status_lists = vec![
            SlSpec {
                signer: &w.inps,
                uri: "9",
                iat: SL_IAT,
                exp: Some("2026-11-21T00:00:00Z"),
                bits: StatusBits::Two,
                capacity: 64,
                entries: &[
                    (41, CredentialStatus::Suspended),
                    (43, CredentialStatus::Revoked),
                ],
            }
            .sign(),
        ];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut c = cred("same-uri-two-issuers", deaf());
        c.status = status(17, "1");
        let mut v = V::positive(
            w,
            "same-uri-two-issuers",
            "Two issuers publish a list with the same uri \"1\": ASL-BO's (loaded first, where \
             entry 17 is revoked) and INPS's (entry 17 valid). The code is INPS's, so only \
             INPS's list counts: valid, revocation checked.",
            c,
        );
        v.other_keys = vec![w.asl];
        v.status_lists = vec![
            SlSpec {
                signer: &w.asl,
                uri: "1",
                iat: SL_IAT,
                exp: None,
                bits: StatusBits::One,
                capacity: 64,
                entries: &[(17, CredentialStatus::Revoked)],
            }
            .sign(),
            inps_list_1(w).sign(),
        ];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut c = cred("revocation-required-and-checked", deaf());
        c.status = status(17, "1");
        let mut v = V::positive(
            w,
            "revocation-required-and-checked",
            "Policy requires revocation checking (policy.revocation = \"require\") and the \
             list is loaded: valid.",
            c,
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        v.require_revocation = true;
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut c = cred("iss-matching", deaf());
        c.iss = Some(INPS.into());
        out.push(V::positive(
            w,
            "iss-matching",
            "The optional iss claim is present and names the trust-list issuer of the signing \
             key (\"INPS\").",
            c,
        ));
    }
    {
        let c = cred("cf-lowercase-spaces", deaf());
        let mut v = V::positive(
            w,
            "cf-lowercase-spaces",
            "The CF is typed in lowercase with spaces; it is normalised before opening.",
            c,
        );
        v.cf_for_verify = "rss mra 85t10 a562s".into();
        out.push(v);
    }
    {
        let omocode = format!(
            "RSSMRA85T10A56N{}",
            personal_check_char("RSSMRA85T10A56N").expect("check")
        );
        let mut c = cred("omocodia-cf", deaf());
        c.cf = omocode;
        out.push(V::positive(
            w,
            "omocodia-cf",
            "The holder has an omocode CF (digit 2 at position 15 replaced by N); the \
             envelope is bound to that exact code.",
            c,
        ));
    }
    {
        let temp = format!(
            "0123456789{}",
            temporary_check_digit("0123456789").expect("digit")
        );
        let mut c = cred("temporary-cf", deaf());
        c.cf = temp;
        out.push(V::positive(
            w,
            "temporary-cf",
            "The holder has an 11-digit temporary CF.",
            c,
        ));
    }
    {
        let mut c = cred("kdf-two-lanes", deaf());
        c.kdf = KdfParams::new(2, 1, 2).expect("params");
        out.push(V::positive(
            w,
            "kdf-two-lanes",
            "KDF parameters 2 MiB, 1 pass, 2 lanes: unusual but within the verifier limits.",
            c,
        ));
    }
    {
        let mut c = cred("kdf-at-limits", deaf());
        c.kdf = KdfParams::new(1, 8, 4).expect("params");
        out.push(V::positive(
            w,
            "kdf-at-pass-and-lane-limits",
            "KDF parameters 1 MiB, 8 passes, 4 lanes: exactly at the default limits for passes \
             and lanes (8 and 4).",
            c,
        ));
    }
    {
        // Key A and key B share a kid; the list holds A first, the code is B's.
        let c = cred("kid-collision", deaf());
        let mut list = base_list(w);
        list.issuers.push(issuer_entry(INPS, &w.col_a, None, None));
        list.issuers.push(issuer_entry(INPS, &w.col_b, None, None));
        let mut v = V::positive(
            w,
            "kid-collision",
            "Two different INPS keys (A then B in the trust list) share the 4-byte kid \
             65987590. The code is signed by B: a verifier must try every trusted key with the \
             kid, not only the first.",
            c.clone(),
        );
        v.issuer = w.col_b;
        v.other_keys = vec![w.col_a];
        v.qr_text = c.issue(&w.col_b);
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut c = cred("iat-at-skew-limit", deaf());
        c.iat = ts(VERIFY_AT) + SignedDuration::from_mins(5);
        out.push(V::positive(
            w,
            "iat-at-skew-limit",
            "iat is exactly 5 minutes after the verification time: inside the default clock \
             skew of 5 minutes (the limit is inclusive).",
            c,
        ));
    }
    {
        let mut c = cred("exp-at-skew-limit", deaf());
        c.exp = ts(VERIFY_AT) - SignedDuration::from_mins(5);
        out.push(V::positive(
            w,
            "exp-at-skew-limit",
            "exp is exactly 5 minutes before the verification time: still accepted with the \
             default clock skew of 5 minutes (the limit is inclusive).",
            c,
        ));
    }
    {
        let mut c = cred("nbf-passed", deaf());
        c.nbf = Some(ts("2026-11-10T00:00:00Z"));
        out.push(V::positive(
            w,
            "nbf-passed",
            "A not-before (nbf) date later than iat, already passed at verification.",
            c,
        ));
    }
    {
        let c = cred("retired-key-signed-before", deaf());
        let mut list = base_list(w);
        list.issuers[0].valid_from = Some(ts("2026-01-01T00:00:00Z"));
        list.issuers[0].valid_until = Some(ts("2026-11-05T00:00:00Z"));
        let mut v = V::positive(
            w,
            "retired-key-signed-before",
            "The INPS key was retired on 2026-11-05 (window 2026-01-01 .. 2026-11-05); the code \
             was issued on 2026-11-01, inside the window, so it stays valid.",
            c,
        );
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let c = cred("trust-list-update", deaf());
        let mut l1 = base_list(w);
        l1.denied.insert(w.compromised.kid());
        let mut l2 = l1.clone();
        l2.seq = 2;
        let mut v = V::positive(
            w,
            "trust-list-update",
            "Two trust lists accepted in order into one trust state: sequence 1 (issued \
             2026-11-01) and sequence 2 (issued 2026-11-10), both denying the compromised kid. \
             The code is verified under the second.",
            c,
        );
        v.other_keys = vec![w.compromised];
        v.trust_lists = vec![
            sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
            sign_list(&l2, &w.root, TL_IAT, TL_EXP),
        ];
        out.push(v);
    }
    {
        let mut c = cred("asl-issuer", deaf());
        c.iss = Some(ASL.into());
        let mut v = V::positive(
            w,
            "second-issuer",
            "A code of the second trusted issuer, ASL-BO, with a matching iss claim.",
            c.clone(),
        );
        v.issuer = w.asl;
        v.qr_text = c.issue(&w.asl);
        v.set_issuer_id(ASL);
        out.push(v);
    }
    out
}
