//! §12: second-level details at their edges.

use attesta_core::claims;
use attesta_core::model::SecondLevelDetails;
use ciborium::Value;

use crate::craft::{cbor, claims_of, int, resigned};
use crate::token::{pct, tok, typical_details};
use crate::vector::V;
use crate::world::{OP_A, World};

pub(crate) fn exact_details(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let crafted = |name: &'static str, desc: &str, details: Value, code: &'static str| {
        let t = tok(w, name, typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(
            claims::ATTESTA_SEALED_DETAILS,
            t.sealed_claim(&cbor(&details)),
        );
        V::token_crafted(w, name, desc, resigned(w, &c), code, "open")
    };
    let map = |entries: Vec<(i64, Value)>| {
        Value::Map(entries.into_iter().map(|(k, v)| (int(k), v)).collect())
    };
    {
        let t = tok(
            w,
            "l2-details-zero-percent",
            SecondLevelDetails {
                invalidity_percent: pct("0"),
                ..SecondLevelDetails::default()
            },
        );
        out.push(V::token_valid(
            w,
            "l2-details-zero-percent",
            "A token whose details are {1: 0}: an invalidity percentage of 0.00 % states \
             something (a member other than 3), so the details are valid.",
            t,
            w.op_a,
            OP_A,
        ));
    }
    {
        let t = tok(
            w,
            "l2-judgement-120-characters",
            SecondLevelDetails {
                judgement: Some("è".repeat(120)),
                ..SecondLevelDetails::default()
            },
        );
        out.push(V::token_valid(
            w,
            "l2-judgement-120-characters",
            "A token whose judgement is 120 times \"è\": 120 characters (Unicode scalar \
             values), 240 bytes of UTF-8. At the limit, valid.",
            t,
            w.op_a,
            OP_A,
        ));
    }
    for (name, desc, details, code) in [
        (
            "l2-details-percent-above-100",
            "Details {1: 10001}: an invalidity percentage of 100.01 %, out of 0–10000 \
             hundredths.",
            map(vec![(1, int(10_001))]),
            "malformed_claims",
        ),
        (
            "l2-details-class-4",
            "Details {1: 7550, 2: 4}: blindness class 4 does not exist (1–3).",
            map(vec![(1, int(7550)), (2, int(4))]),
            "malformed_claims",
        ),
        (
            "l2-details-handicap-3",
            "Details {1: 7550, 4: 3}: handicap article 3 does not exist (1 or 2).",
            map(vec![(1, int(7550)), (4, int(3))]),
            "malformed_claims",
        ),
        (
            "l2-details-deafness-not-bool",
            "Details {1: 7550, 3: 1}: deafness must be a boolean; a known key with a value of \
             the wrong type is malformed (not an unknown detail).",
            map(vec![(1, int(7550)), (3, int(1))]),
            "malformed_claims",
        ),
        (
            "l2-details-judgement-not-text",
            "Details {1: 7550, 6: 5}: the judgement must be a text string.",
            map(vec![(1, int(7550)), (6, int(5))]),
            "malformed_claims",
        ),
        (
            "l2-details-unknown-key",
            "Details {1: 7550, 7: 1}: key 7 is a detail of a later version, which this \
             version cannot show: update the software.",
            map(vec![(1, int(7550)), (7, int(1))]),
            "unknown_flags",
        ),
        (
            "l2-details-deafness-false-only",
            "Details {3: false}: the only member says nothing (deafness false), so the details \
             state nothing.",
            map(vec![(3, Value::Bool(false))]),
            "invalid_attestation",
        ),
        (
            "l2-judgement-121-characters",
            "Details whose judgement is 121 times \"è\" (242 bytes): one character past the \
             limit of 120.",
            map(vec![(6, Value::Text("è".repeat(121)))]),
            "invalid_attestation",
        ),
        (
            "l2-judgement-unicode-blank",
            "Details whose judgement is an ideographic space, a no-break space and an em space \
             (U+3000, U+00A0, U+2003): Unicode White_Space only, so blank.",
            map(vec![
                (1, int(7550)),
                (6, Value::Text("\u{3000}\u{a0}\u{2003}".into())),
            ]),
            "invalid_attestation",
        ),
    ] {
        out.push(crafted(name, desc, details, code));
    }
    out
}
