//! Vectors added after the first sets: library bugs found while writing
//! them, the rules of the format review, issue 13's facts and the fuzzers'
//! findings. Appended after the others so that numbering stays stable.

use attesta_core::claims;
use attesta_core::model::{
    Attestation, BlindnessClass, HandicapGrade, InvalidityAssessment, VehicleRequirement,
};
use attesta_core::status_list::CredentialStatus;
use ciborium::Value;

use crate::craft::{at1, cbor, int, sign1_items, std_cose, std_protected, tagged, zlib};
use crate::cred::{att, cred, deaf, raw_plaintext, status};
use crate::vector::V;
use crate::world::{
    INPS, SlSpec, TL_EXP, TL_IAT, World, base_list, inps_list_1, issuer_entry, sign_list, ts,
};

/// Vectors for library bugs found while writing the vectors (now fixed),
/// written after the others so that numbering stays stable.
pub(crate) fn regressions(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        // The same key listed twice: an old entry retired before the code's
        // iat, then a new entry (another issuer id) valid since.
        let c = cred("same-key-two-entries", deaf());
        let mut list = base_list(w);
        list.issuers[0] = issuer_entry("INPS-OLD", &w.inps, None, Some("2026-10-01T00:00:00Z"));
        list.issuers.push(issuer_entry(
            INPS,
            &w.inps,
            Some("2026-10-01T00:00:00Z"),
            None,
        ));
        let mut v = V::positive(
            w,
            "same-key-two-entries",
            "Regression (found while writing the vectors). The INPS key appears twice in the trust list: first as \
             INPS-OLD, retired on 2026-10-01, then as INPS, valid from 2026-10-01. The code \
             (iat 2026-11-01) is valid under the second entry; the answer must not depend on \
             which entry comes first.",
            c,
        );
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut c = cred("status-list-two-versions", deaf());
        c.status = status(77, "1");
        let mut v = V::negative_issued(
            w,
            "status-list-two-versions",
            "Regression (found while writing the vectors). Two versions of INPS's list \"1\" are loaded, both current: \
             the one of 2026-11-10 (entry 77 valid), then the one of 2026-11-14 (entry 77 \
             revoked). The newer list decides: revoked, whatever the loading order.",
            c,
            "revoked",
            "check",
        );
        v.status_lists = vec![
            SlSpec {
                iat: "2026-11-10T00:00:00Z",
                entries: &[],
                ..inps_list_1(w)
            }
            .sign(),
            inps_list_1(w).sign(),
        ];
        out.push(v);
    }
    {
        let good = cred("kdf-memory-2-pow-32-kib", deaf());
        let env = Value::Array(vec![
            int(4_194_304),
            int(1),
            int(1),
            Value::Bytes(vec![0x42; 17]),
        ]);
        out.push(V::negative(
            w,
            "kdf-memory-2-pow-32-kib",
            "Regression (found while writing the vectors). A signed code asking for 4194304 MiB (2^32 KiB, one more than \
             Argon2 can express): not valid Argon2id parameters. Must be refused, not overflow.",
            at1(&std_cose(&w.inps, good.claims_with(env).to_vec())),
            "malformed_claims",
            "check",
        ));
    }
    out
}

/// Rules added to format v1 by the review (docs/format.md, appendix):
/// one encoding per credential, and retired keys publish no status lists.
pub(crate) fn review_rules(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        let c = cred("plaintext-short-integer-form", deaf());
        // [32, 0] in preferred serialization: 82 18 20 00 (4 bytes, not 7).
        let pt = cbor(&Value::Array(vec![int(1 << 5), int(0)]));
        out.push(V::negative(
            w,
            "plaintext-short-integer-form",
            "Correctly sealed content [32, 0] (deafness, no revision date) with the integers \
             in their shortest form (4 bytes) instead of the fixed 7-byte form 82 19 hh ll \
             19 hh ll: refused, so that the code's length says nothing about its content.",
            at1(&std_cose(
                &w.inps,
                c.claims_with(c.envelope_with(&pt)).to_vec(),
            )),
            "malformed_claims",
            "open",
        ));
    }
    {
        let c = cred("unprotected-header-not-empty", deaf());
        let items = sign1_items(
            &w.inps,
            std_protected(&w.inps),
            vec![(int(3), int(61))],
            c.claims().to_vec(),
        );
        out.push(V::negative(
            w,
            "unprotected-header-not-empty",
            "A genuine signature, with a content type (3: 61, application/cwt) in the \
             unprotected header, where nothing is signed: the unprotected header must be empty.",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let c = cred("zlib-trailing-bytes", deaf());
        let mut z = zlib(&std_cose(&w.inps, c.claims().to_vec()));
        z.extend_from_slice(b"JUNK");
        out.push(V::negative(
            w,
            "zlib-trailing-bytes",
            "A genuine code compressed with zlib, followed by four bytes after the end of the \
             zlib stream: one code, one encoding.",
            format!("AT1:{}", base45::encode(&z)),
            "bad_compression",
            "check",
        ));
    }
    {
        let c = cred("nested-duplicate-key", deaf());
        let mut claims = c.claims();
        let text = |t: &str| Value::Text(t.into());
        claims.set(
            claims::STATUS,
            Value::Map(vec![(
                text("status_list"),
                Value::Map(vec![
                    (text("idx"), int(3)),
                    (text("idx"), int(17)),
                    (text("uri"), text("1")),
                ]),
            )]),
        );
        out.push(V::negative(
            w,
            "nested-duplicate-key",
            "Signed claims whose status reference repeats idx (3, then 17): a repeated map key \
             is refused at any depth, so that two readers cannot take different values.",
            at1(&std_cose(&w.inps, claims.to_vec())),
            "cbor_duplicate_key",
            "check",
        ));
    }
    {
        // Format review finding 7 made this `status_list_untrusted`; the
        // security review of issue 12 reversed it: refusing every list of
        // a retired key made its codes (valid for up to a year)
        // impossible to revoke. Lists now answer only for credentials of
        // the key that signed them, so a retired key can only revoke, or
        // keep valid, its own codes. Same name and number, new answer.
        let mut c = cred("status-list-by-retired-key", deaf());
        c.status = status(17, "1");
        let mut v = V::negative_issued(
            w,
            "status-list-by-retired-key",
            "The INPS key was retired on 2026-11-05; the code (issued 2026-11-01) stays valid, \
             and the list \"1\" the retired key signed on 2026-11-14 revokes its entry 17: a \
             retired key keeps signing the lists of its own codes (it can answer for nothing \
             else), so those codes stay revocable. Revoked. (Until issue 12 this list was \
             refused as status_list_untrusted.)",
            c,
            "revoked",
            "check",
        );
        let mut list = base_list(w);
        list.issuers[0].valid_until = Some(ts("2026-11-05T00:00:00Z"));
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        v.status_lists = vec![
            SlSpec {
                entries: &[(17, CredentialStatus::Revoked)],
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    out
}

/// Inputs the fuzzers found, as vectors other implementations can run.
/// Issue 13: the blindness class, the vehicle requirements and the
/// statuses-only form, carried in bits 12–15 and invalidity code 15 of the
/// same 7-byte plaintext.
pub(crate) fn issue13_facts(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let pos =
        |name: &'static str, desc: &str, a: Attestation| V::positive(w, name, desc, cred(name, a));
    out.push(pos(
        "blindness-assoluta-accompaniment",
        "Civil blindness of class assoluta (bits 12-13 = 1) with indennità di accompagnamento.",
        att()
            .blindness_class(BlindnessClass::Assoluta)
            .accompaniment(true)
            .build()
            .expect("valid"),
    ));
    out.push(pos(
        "blindness-ventesimista",
        "Civil blindness of class ventesimista (bits 12-13 = 2): indennità speciale, no \
         accompaniment.",
        att()
            .blindness_class(BlindnessClass::Ventesimista)
            .build()
            .expect("valid"),
    ));
    out.push(pos(
        "vehicle-without-adaptation",
        "Handicap grave with the verbale's requirements for vehicle benefits without adaptation \
         (bits 14-15 = 2, L. 388/2000 art. 30 c. 7).",
        att()
            .handicap(HandicapGrade::Comma3Grave)
            .vehicle(VehicleRequirement::WithoutAdaptation)
            .build()
            .expect("valid"),
    ));
    out.push(pos(
        "vehicle-adapted",
        "Civil invalidity >= 51 % with the requirements for vehicle benefits on an adapted \
         vehicle only (bits 14-15 = 1, L. 449/97 art. 8).",
        att()
            .invalidity(InvalidityAssessment::From51)
            .vehicle(VehicleRequirement::AdaptedVehicle)
            .build()
            .expect("valid"),
    ));
    out.push(pos(
        "statuses-only",
        "The statuses-only form (attesta issue --mostra stati) of a 75 % verbale with L. 68/99 \
         and handicap grave: invalidity code 15 (band not shown).",
        att()
            .invalidity(InvalidityAssessment::From74)
            .disability_l68(true)
            .handicap(HandicapGrade::Comma3Grave)
            .build()
            .expect("valid")
            .statuses_only(),
    ));
    let sealed = |name: &'static str, desc: &str, flags: i64, code| {
        let c = cred(name, deaf());
        let text = at1(&std_cose(
            &w.inps,
            c.claims_with(c.envelope_with(&raw_plaintext(flags, None)))
                .to_vec(),
        ));
        V::negative(w, name, desc, text, code, "open")
    };
    out.push(sealed(
        "ventesimista-with-accompaniment",
        "Civil blindness of class ventesimista with indennità di accompagnamento and no \
         invalidity: the accompaniment goes to ciechi assoluti.",
        (1 << 4) | (2 << 12) | (1 << 9),
        "invalid_attestation",
    ));
    out.push(sealed(
        "vehicle-without-adaptation-no-grave",
        "Vehicle requirements without adaptation (bits 14-15 = 2) for a deaf holder without \
         handicap grave.",
        (1 << 5) | (2 << 14),
        "invalid_attestation",
    ));
    out.push(sealed(
        "vehicle-value-3",
        "Vehicle requirements value 3 (only 1 and 2 exist), besides deafness.",
        (1 << 5) | (3 << 14),
        "unknown_flags",
    ));
    out.push(sealed(
        "class-without-blindness",
        "A blindness class (bits 12-13 = 1) without civil blindness (bit 4), besides deafness.",
        (1 << 5) | (1 << 12),
        "invalid_attestation",
    ));
    out.push(sealed(
        "statuses-only-with-class",
        "The statuses-only invalidity code 15 with a blindness class: that form carries none.",
        15 | (1 << 4) | (1 << 12),
        "invalid_attestation",
    ));
    out.push(sealed(
        "invalidity-code-14",
        "Invalidity code 14 (9-14 are refused; 15 is the statuses-only form).",
        14,
        "unknown_flags",
    ));
    out
}

pub(crate) fn fuzz_regressions(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    // `undefined` (0xf7) has no ciborium value of its own: it reads as null,
    // so a map with keys undefined and null became a map with null twice
    // once written back. Crafted by writing null and patching the byte.
    let mut claims = cred("undefined-and-null-keys", deaf()).claims();
    let marker = [0xf6, 0x61, b'u'];
    claims.set(
        claims::STATUS,
        Value::Map(vec![
            (Value::Null, Value::Text("u".into())),
            (Value::Null, Value::Text("n".into())),
        ]),
    );
    let mut bytes = claims.to_vec();
    let at = bytes
        .windows(marker.len())
        .position(|win| win == marker)
        .expect("the null key is written");
    bytes[at] = 0xf7;
    out.push(V::negative(
        w,
        "undefined-and-null-keys",
        "Regression (found by the claims_roundtrip fuzz target): signed claims whose status \
         reference is the map {undefined: \"u\", null: \"n\"}. The keys differ in their bytes \
         but a CBOR library may read undefined as null, so two readers could see one key with \
         either value; of the simple values only false, true and null are accepted.",
        at1(&std_cose(&w.inps, bytes)),
        "cbor_float_or_simple",
        "check",
    ));
    // 1.0 as a 64-bit and as a 16-bit float: two keys, one value.
    let mut claims = cred("float-keys-one-value", deaf()).claims();
    claims.set(
        claims::STATUS,
        Value::Map(vec![
            (Value::Integer(1.into()), Value::Text("a".into())),
            (Value::Integer(2.into()), Value::Text("b".into())),
        ]),
    );
    let bytes = claims.to_vec();
    let map = [0xa2, 0x01, 0x61, b'a', 0x02, 0x61, b'b'];
    let at = bytes
        .windows(map.len())
        .position(|win| win == map)
        .expect("the status map is written");
    let floats = [
        &[0xa2, 0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x61, b'a'][..],
        &[0xf9, 0x3c, 0x00, 0x61, b'b'],
    ]
    .concat();
    let bytes = [&bytes[..at], &floats, &bytes[at + map.len()..]].concat();
    out.push(V::negative(
        w,
        "float-keys-one-value",
        "Regression (found by the claims_roundtrip fuzz target): signed claims whose status \
         reference is the map {1.0 (64-bit float): \"a\", 1.0 (16-bit float): \"b\"}: distinct \
         bytes, one value. attesta's formats hold no floats.",
        at1(&std_cose(&w.inps, bytes)),
        "cbor_float_or_simple",
        "check",
    ));
    out
}
