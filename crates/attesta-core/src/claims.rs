//! CWT claims (RFC 8392) with integer keys, written deterministically and
//! read strictly (no duplicate keys, integer dates only).
//!
//! We parse claims ourselves with ciborium rather than through coset's
//! `ClaimsSet` because the status claim (65535) and our private claims need
//! exact control of the bytes, and every byte counts in a QR code.

use ciborium::Value;
use jiff::Timestamp;

use crate::cbor_guard::{self, CborLimits};
use crate::error::FormatError;
use crate::rules::{Rule, enforced};

/// `iss` (RFC 8392).
pub const ISS: i64 = 1;
/// `sub` (RFC 8392).
pub const SUB: i64 = 2;
/// `aud` (RFC 8392).
pub const AUD: i64 = 3;
/// `exp` (RFC 8392).
pub const EXP: i64 = 4;
/// `nbf` (RFC 8392).
pub const NBF: i64 = 5;
/// `iat` (RFC 8392).
pub const IAT: i64 = 6;
/// `cti` (RFC 8392).
pub const CTI: i64 = 7;
/// `ttl` of a Status List Token (draft-ietf-oauth-status-list).
pub const TTL: i64 = 65534;
/// `status_list` of a Status List Token (draft-ietf-oauth-status-list).
pub const STATUS_LIST: i64 = 65533;
/// `status` of a Referenced Token (draft-ietf-oauth-status-list).
pub const STATUS: i64 = 65535;
/// Private claim: the sealed first-level attestation.
pub const ATTESTA_ENVELOPE: i64 = -65537;
/// Private claim: the cti of the first-level credential a second-level token belongs to.
pub const ATTESTA_L1_CTI: i64 = -65538;
/// Private claim: the second-level details sealed to the operator.
pub const ATTESTA_SEALED_DETAILS: i64 = -65539;
/// Private claim: the payload of an attesta trust list.
pub const ATTESTA_TRUST_LIST: i64 = -65540;

/// A reference into an issuer's Token Status List: `{"status_list": {"idx": idx, "uri": uri}}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct StatusRef {
    /// The credential's index in the list.
    pub idx: u64,
    /// The list's identifier (its `sub`). Kept short: it travels in every code.
    pub uri: String,
}

/// The latest NumericDate of the format: 2³² − 1 seconds,
/// 2106-02-07T06:28:15Z. Dates are unsigned integers that fit 32 bits
/// (docs/format.md §5): one range every implementation represents, five
/// bytes at most.
pub const MAX_NUMERIC_DATE: u64 = u32::MAX as u64;

/// A NumericDate from a CBOR value: an unsigned integer from 0 to
/// [`MAX_NUMERIC_DATE`]; `None` otherwise (negative, larger, or not an
/// integer).
///
/// ```
/// use attesta_core::claims::numeric_date;
/// use ciborium::Value;
/// assert_eq!(numeric_date(&Value::Integer(0.into())).unwrap().to_string(), "1970-01-01T00:00:00Z");
/// assert_eq!(numeric_date(&Value::Integer(4_294_967_295u64.into())).unwrap().to_string(), "2106-02-07T06:28:15Z");
/// assert!(numeric_date(&Value::Integer(4_294_967_296u64.into())).is_none());
/// assert!(numeric_date(&Value::Integer((-1).into())).is_none());
/// ```
pub fn numeric_date(v: &Value) -> Option<Timestamp> {
    let Value::Integer(i) = v else { return None };
    let secs = i128::from(*i);
    if !(0..=i128::from(MAX_NUMERIC_DATE)).contains(&secs) && enforced(Rule::DateRange) {
        return None;
    }
    Timestamp::from_second(i64::try_from(secs).ok()?).ok()
}

/// Whether `t` can be written as a NumericDate: from 0 to
/// [`MAX_NUMERIC_DATE`] seconds (issuers refuse other dates; a fraction of
/// a second is dropped).
pub fn is_numeric_date(t: Timestamp) -> bool {
    u64::try_from(t.as_second()).is_ok_and(|s| s <= MAX_NUMERIC_DATE)
}

/// A claims set as an ordered list of integer-keyed values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimSet {
    entries: Vec<(i64, Value)>,
}

/// Deterministic order of CBOR integer keys: by encoded bytes, which for
/// integers means non-negative ascending, then negative by magnitude.
fn key_order(k: i64) -> (u8, u64) {
    if k >= 0 {
        (0, k as u64)
    } else {
        (1, (-1 - k) as u64)
    }
}

impl ClaimSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a claim.
    pub fn set(&mut self, key: i64, v: Value) {
        self.entries.retain(|(k, _)| *k != key);
        self.entries.push((key, v));
    }

    /// Sets a NumericDate claim.
    pub fn set_time(&mut self, key: i64, t: Timestamp) {
        self.set(key, Value::Integer(t.as_second().into()));
    }

    /// Sets the status claim.
    pub fn set_status(&mut self, s: &StatusRef) {
        let inner = Value::Map(vec![
            (Value::Text("idx".into()), Value::Integer(s.idx.into())),
            (Value::Text("uri".into()), Value::Text(s.uri.clone())),
        ]);
        self.set(
            STATUS,
            Value::Map(vec![(Value::Text("status_list".into()), inner)]),
        );
    }

    /// Deterministic CBOR encoding (keys in canonical order).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut e = self.entries.clone();
        e.sort_by_key(|(k, _)| key_order(*k));
        let map = Value::Map(
            e.into_iter()
                .map(|(k, v)| (Value::Integer(k.into()), v))
                .collect(),
        );
        let mut out = Vec::with_capacity(256);
        // Writing to a Vec cannot fail.
        let _ = ciborium::into_writer(&map, &mut out);
        out
    }

    /// Parses a claims set: a map with integer keys, no duplicates.
    pub fn parse(bytes: &[u8], limits: CborLimits) -> Result<Self, FormatError> {
        cbor_guard::check(bytes, limits)?;
        let v: Value =
            ciborium::from_reader(bytes).map_err(|_| FormatError::MalformedClaims("not CBOR"))?;
        let Value::Map(m) = v else {
            return Err(FormatError::MalformedClaims("claims are not a map"));
        };
        let mut entries: Vec<(i64, Value)> = Vec::with_capacity(m.len());
        // A set, not a scan of `entries`: a trust list may hold 100,000 claims.
        let mut seen = std::collections::HashSet::with_capacity(m.len());
        for (k, v) in m {
            let k = match k {
                Value::Integer(i) => i64::try_from(i128::from(i))
                    .map_err(|_| FormatError::MalformedClaims("claim key out of range"))?,
                // Text keys are legal in CWT; we use none, so keep them out of the way.
                Value::Text(_) if enforced(Rule::ClaimsTextKeysIgnored) => continue,
                _ => return Err(FormatError::MalformedClaims("claim key is not an integer")),
            };
            if !seen.insert(k) {
                return Err(FormatError::MalformedClaims("duplicate claim key"));
            }
            entries.push((k, v));
        }
        Ok(ClaimSet { entries })
    }

    /// The raw value of a claim.
    pub fn get(&self, key: i64) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// All entries in received order.
    pub fn entries(&self) -> &[(i64, Value)] {
        &self.entries
    }

    /// A NumericDate claim ([`numeric_date`]: an unsigned integer up to
    /// [`MAX_NUMERIC_DATE`]; floats are refused).
    pub fn time(&self, key: i64, name: &'static str) -> Result<Option<Timestamp>, FormatError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => numeric_date(v)
                .map(Some)
                .ok_or(FormatError::MalformedClaims(name)),
        }
    }

    /// A required NumericDate claim.
    pub fn required_time(&self, key: i64, name: &'static str) -> Result<Timestamp, FormatError> {
        self.time(key, name)?.ok_or(FormatError::MissingClaim(name))
    }

    /// A text claim.
    pub fn text(&self, key: i64, name: &'static str) -> Result<Option<&str>, FormatError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t)),
            Some(_) => Err(FormatError::MalformedClaims(name)),
        }
    }

    /// A byte-string claim.
    pub fn bytes(&self, key: i64, name: &'static str) -> Result<Option<&[u8]>, FormatError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bytes(b)) => Ok(Some(b)),
            Some(_) => Err(FormatError::MalformedClaims(name)),
        }
    }

    /// The status claim, if present.
    pub fn status(&self) -> Result<Option<StatusRef>, FormatError> {
        let Some(v) = self.get(STATUS) else {
            return Ok(None);
        };
        let read = || {
            let sl = map_get(v, "status_list")?;
            let idx = match map_get(sl, "idx") {
                Some(Value::Integer(i)) => u64::try_from(i128::from(*i)).ok()?,
                _ => return None,
            };
            let uri = match map_get(sl, "uri") {
                Some(Value::Text(t)) => t.clone(),
                _ => return None,
            };
            Some(StatusRef { idx, uri })
        };
        match read() {
            Some(s) => Ok(Some(s)),
            None if !enforced(Rule::StatusClaimShape) => Ok(None),
            None => Err(FormatError::MalformedClaims("status")),
        }
    }
}

/// Looks a text key up in a CBOR map value.
pub fn map_get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Map(m) => m
            .iter()
            .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// An unsigned integer from a CBOR value.
pub fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Integer(i) => u64::try_from(i128::from(*i)).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_order_and_round_trip() {
        let mut c = ClaimSet::new();
        c.set(ATTESTA_ENVELOPE, Value::Bytes(vec![1]));
        c.set_status(&StatusRef {
            idx: 5,
            uri: "1".into(),
        });
        c.set(CTI, Value::Bytes(vec![0; 8]));
        c.set_time(EXP, Timestamp::from_second(2_000_000_000).unwrap());
        let bytes = c.to_vec();
        // exp (0x04) first, then cti (0x07), status (0x19ffff), envelope (0x3a00010000).
        assert_eq!(&bytes[..2], &[0xa4, 0x04]);
        let back = ClaimSet::parse(&bytes, CborLimits::STRICT).unwrap();
        assert_eq!(
            back.status().unwrap(),
            Some(StatusRef {
                idx: 5,
                uri: "1".into()
            })
        );
        assert_eq!(
            back.required_time(EXP, "exp").unwrap().as_second(),
            2_000_000_000
        );
        assert_eq!(
            back.required_time(IAT, "iat"),
            Err(FormatError::MissingClaim("iat"))
        );
    }

    #[test]
    fn duplicates_and_bad_types() {
        // {4: 1, 4: 2}
        let dup = [0xa2, 0x04, 0x01, 0x04, 0x02];
        // Caught by the guard before any value is built.
        assert_eq!(
            ClaimSet::parse(&dup, CborLimits::STRICT)
                .unwrap_err()
                .code(),
            "cbor_duplicate_key"
        );
        assert_eq!(
            ClaimSet::parse(&dup, CborLimits::GENERIC),
            Err(FormatError::MalformedClaims("duplicate claim key"))
        );
        // {4: 1.5}: no float in our own documents; a foreign code's float
        // time is not a NumericDate we accept either.
        let float = [0xa1, 0x04, 0xf9, 0x3e, 0x00];
        assert_eq!(
            ClaimSet::parse(&float, CborLimits::STRICT)
                .unwrap_err()
                .code(),
            "cbor_float_or_simple"
        );
        let c = ClaimSet::parse(&float, CborLimits::GENERIC).unwrap();
        assert!(c.time(EXP, "exp").is_err());
        assert!(ClaimSet::parse(&[0x80], CborLimits::STRICT).is_err());
    }
}
