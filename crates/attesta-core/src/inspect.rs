//! Generic decoding of any code of the COSE/CWT-in-QR family, attesta's and
//! others' (EU Digital COVID Certificates, "HC1:"), without verifying.
//!
//! ```
//! use attesta_core::inspect::inspect;
//! // An EU DCC test code is decoded the same way as an attesta code.
//! let err = inspect("HELLO").unwrap_err();
//! assert_eq!(err.code(), "bad_prefix");
//! ```

use ciborium::Value;
use serde_json::{Map, Value as Json, json};

use crate::cbor_guard::{self, CborLimits};
use crate::claims;
use crate::error::FormatError;
use crate::text;

/// What a code says about itself, none of it verified.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Inspection {
    /// The prefix, colon included (`AT1:`, `HC1:`, …).
    pub prefix: String,
    /// What the prefix means, when known.
    pub family: &'static str,
    /// Whether the payload was zlib-compressed.
    pub compressed: bool,
    /// Size of the COSE structure in bytes.
    pub cose_len: usize,
    /// The CBOR tags around the COSE structure (18 = COSE_Sign1, 61 = CWT).
    pub tags: Vec<u64>,
    /// Protected header parameters.
    pub protected: Json,
    /// Unprotected header parameters.
    pub unprotected: Json,
    /// Claims, with known CWT labels named.
    pub claims: Json,
    /// Signature, hex.
    pub signature: String,
}

fn family(prefix: &str) -> &'static str {
    match prefix {
        "AT1:" => "attesta first-level attestation, format v1",
        "AD1:" => "attesta second-level token, format v1",
        "HC1:" => "EU Digital COVID Certificate (HCERT v1)",
        _ => "unknown family (COSE/CWT in base45)",
    }
}

/// Decodes a text of the family into its parts, without verifying anything.
pub fn inspect(text_in: &str) -> Result<Inspection, FormatError> {
    let t = text::unwrap_verify_url(text_in);
    let t = t.as_ref();
    if t.len() > text::MAX_TEXT_LEN {
        return Err(FormatError::TooLong { len: t.len() });
    }
    let (head, body) = t.split_once(':').ok_or(FormatError::BadPrefix)?;
    let prefix_ok = !head.is_empty()
        && head.len() <= 8
        && head
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !prefix_ok {
        return Err(FormatError::BadPrefix);
    }
    let bytes = text::decode_body(body, text::MAX_GENERIC_PAYLOAD_LEN)?;
    let compressed = body_is_compressed(body);
    cbor_guard::check(&bytes, CborLimits::GENERIC)?;
    let v: Value = ciborium::de::from_reader_with_recursion_limit(bytes.as_slice(), 64)
        .map_err(|_| FormatError::MalformedCose("not CBOR"))?;
    let mut tags = Vec::new();
    let mut v = v;
    while let Value::Tag(t, inner) = v {
        tags.push(t);
        v = *inner;
    }
    let Value::Array(parts) = v else {
        return Err(FormatError::MalformedCose("not a COSE array"));
    };
    let [Value::Bytes(prot), unprot, payload, Value::Bytes(sig)] = parts.as_slice() else {
        return Err(FormatError::MalformedCose(
            "not a COSE_Sign1 array of four items",
        ));
    };
    let protected = if prot.is_empty() {
        json!({})
    } else {
        cbor_guard::check(prot, CborLimits::GENERIC)?;
        let pv: Value = ciborium::de::from_reader_with_recursion_limit(prot.as_slice(), 64)
            .map_err(|_| FormatError::MalformedCose("protected header"))?;
        header_json(&pv)
    };
    let claims = match payload {
        Value::Bytes(p) => {
            cbor_guard::check(p, CborLimits::GENERIC)?;
            let cv: Value = ciborium::de::from_reader_with_recursion_limit(p.as_slice(), 64)
                .map_err(|_| FormatError::MalformedClaims("not CBOR"))?;
            claims_json(&cv)
        }
        Value::Null => json!(null),
        _ => return Err(FormatError::MalformedCose("payload")),
    };
    let prefix = format!("{head}:");
    Ok(Inspection {
        family: family(&prefix),
        prefix,
        compressed,
        cose_len: bytes.len(),
        tags,
        protected,
        unprotected: header_json(unprot),
        claims,
        signature: hex::encode(sig),
    })
}

fn body_is_compressed(body: &str) -> bool {
    base45::decode(body)
        .ok()
        .and_then(|b| b.first().copied())
        .is_some_and(|b| b == 0x78)
}

fn header_label(k: i128) -> Option<&'static str> {
    Some(match k {
        1 => "alg",
        2 => "crit",
        3 => "content_type",
        4 => "kid",
        5 => "iv",
        6 => "partial_iv",
        16 => "typ",
        _ => return None,
    })
}

fn claim_label(k: i128) -> Option<&'static str> {
    Some(match k as i64 {
        claims::ISS => "iss",
        claims::SUB => "sub",
        claims::AUD => "aud",
        claims::EXP => "exp",
        claims::NBF => "nbf",
        claims::IAT => "iat",
        claims::CTI => "cti",
        claims::STATUS => "status",
        claims::TTL => "ttl",
        claims::STATUS_LIST => "status_list",
        -260 => "hcert",
        claims::ATTESTA_ENVELOPE => "attesta_envelope",
        claims::ATTESTA_L1_CTI => "attesta_level1_cti",
        claims::ATTESTA_SEALED_DETAILS => "attesta_sealed_details",
        claims::ATTESTA_TRUST_LIST => "attesta_trust_list",
        _ => return None,
    })
}

fn labelled(v: &Value, label: fn(i128) -> Option<&'static str>) -> Json {
    let Value::Map(m) = v else {
        return to_json(v);
    };
    let mut out = Map::new();
    for (k, val) in m {
        let name = match k {
            Value::Integer(i) => {
                let i = i128::from(*i);
                match label(i) {
                    Some(n) => format!("{n} ({i})"),
                    None => i.to_string(),
                }
            }
            Value::Text(t) => t.clone(),
            other => to_json(other).to_string(),
        };
        let mut j = to_json(val);
        if name.starts_with("alg (")
            && let Value::Integer(a) = val
        {
            let a = i128::from(*a) as i64;
            j = json!(format!("{} ({a})", crate::cose::algorithm_name(a)));
        }
        out.insert(name, j);
    }
    Json::Object(out)
}

fn header_json(v: &Value) -> Json {
    labelled(v, header_label)
}

fn claims_json(v: &Value) -> Json {
    labelled(v, claim_label)
}

/// A JSON view of any CBOR value: byte strings as hex, tags as
/// `{"tag": n, "value": …}`, non-text map keys as their JSON text.
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::Integer(i) => {
            let i = i128::from(*i);
            i64::try_from(i)
                .map(Json::from)
                .or_else(|_| u64::try_from(i).map(Json::from))
                .unwrap_or_else(|_| Json::String(i.to_string()))
        }
        Value::Bytes(b) => Json::String(format!("h'{}'", hex::encode(b))),
        Value::Float(f) => json!(f),
        Value::Text(t) => Json::String(t.clone()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Null => Json::Null,
        Value::Tag(t, inner) => json!({"tag": t, "value": to_json(inner)}),
        Value::Array(a) => Json::Array(a.iter().map(to_json).collect()),
        Value::Map(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                let key = match k {
                    Value::Text(t) => t.clone(),
                    other => to_json(other).to_string(),
                };
                out.insert(key, to_json(val));
            }
            Json::Object(out)
        }
        _ => Json::String("undefined".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_codes() {
        assert_eq!(inspect("hello").unwrap_err(), FormatError::BadPrefix);
        assert_eq!(inspect("hc1:abc").unwrap_err(), FormatError::BadPrefix);
        assert_eq!(inspect("HC1:abc").unwrap_err(), FormatError::Lowercase);
    }

    #[test]
    fn decodes_a_foreign_sign1() {
        // COSE_Sign1 with {1: -7} (ES256), {4: h'01'}, payload {1: "XX", -260: {1: {"v": 1}}}
        let claims = Value::Map(vec![
            (Value::Integer(1.into()), Value::Text("XX".into())),
            (
                Value::Integer((-260).into()),
                Value::Map(vec![(
                    Value::Integer(1.into()),
                    Value::Map(vec![(Value::Text("v".into()), Value::Integer(1.into()))]),
                )]),
            ),
        ]);
        let mut payload = Vec::new();
        ciborium::into_writer(&claims, &mut payload).unwrap();
        let prot = vec![0xa1, 0x01, 0x26];
        let sign1 = Value::Tag(
            18,
            Box::new(Value::Array(vec![
                Value::Bytes(prot),
                Value::Map(vec![(Value::Integer(4.into()), Value::Bytes(vec![1]))]),
                Value::Bytes(payload),
                Value::Bytes(vec![0; 64]),
            ])),
        );
        let mut cose = Vec::new();
        ciborium::into_writer(&sign1, &mut cose).unwrap();
        let t = text::encode("HC1:", &cose);
        let i = inspect(&t).unwrap();
        assert_eq!(i.family, "EU Digital COVID Certificate (HCERT v1)");
        assert_eq!(i.tags, vec![18]);
        assert_eq!(i.protected["alg (1)"], json!("ES256 (-7)"));
        assert_eq!(i.claims["iss (1)"], json!("XX"));
        assert_eq!(i.claims["hcert (-260)"]["1"]["v"], json!(1));
    }
}
