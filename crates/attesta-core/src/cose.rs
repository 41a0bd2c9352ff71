//! COSE_Sign1 (RFC 9052) with Ed25519, as every attesta document uses it:
//! credentials, second-level tokens, trust lists and status lists.
//!
//! The rules that stop known attacks on signed tokens live here, once:
//! the algorithm is pinned to EdDSA and must sit in the protected header
//! (an `alg` in the unprotected header is refused, so it cannot be swapped
//! for `none` or a weaker one), the kid is read from the protected header
//! only, `crit` is refused (we understand no critical extension), and the
//! payload is reachable only through [`VerifiedPayload`], which exists only
//! after a `verify_strict` succeeded over the bytes as received.

use coset::iana::{self, EnumI64};
use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};

use crate::cbor_guard::{self, CborLimits};
use crate::error::FormatError;
use crate::keys::{Kid, PublicKey, SigningKey};
use crate::rules::{Rule, enforced};
use crate::signer::{SignError, Signer};

/// Signs `payload` with a key in memory: [`sign_with`] for a file key,
/// which cannot fail.
pub fn sign(key: &SigningKey, payload: Vec<u8>, typ: Option<&str>) -> Vec<u8> {
    // SigningKey's `Signer::sign` always succeeds.
    sign_with(key, payload, typ).unwrap_or_default()
}

/// Signs `payload` into a tagged COSE_Sign1 with `{alg: EdDSA, kid}` protected,
/// plus an optional content type (`typ`, label 16) for documents that
/// declare one (status lists, trust lists). Every attesta document is
/// signed here, whatever holds the key: the bytes depend only on the key,
/// the payload and `typ`.
pub fn sign_with<S: Signer + ?Sized>(
    signer: &S,
    payload: Vec<u8>,
    typ: Option<&str>,
) -> Result<Vec<u8>, SignError> {
    let mut hb = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(signer.kid().as_bytes().to_vec());
    if let Some(t) = typ {
        hb = hb.value(16, ciborium::Value::Text(t.to_owned()));
    }
    let sign1 = CoseSign1Builder::new()
        .protected(hb.build())
        .payload(payload)
        .try_create_signature(b"", |tbs| signer.sign(tbs).map(|s| s.to_bytes().to_vec()))?
        .build();
    // Serialising a structure we just built from valid parts cannot fail.
    Ok(sign1.to_tagged_vec().unwrap_or_default())
}

/// A parsed COSE_Sign1 whose signature has not been checked yet.
#[derive(Clone, Debug)]
pub struct UnverifiedSign1 {
    kid: Kid,
    typ: Option<String>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
    payload: Vec<u8>,
}

impl UnverifiedSign1 {
    /// Parses and applies the header rules of docs/format.md §3.1, in
    /// their order. `limits` bounds the CBOR, of the whole structure and,
    /// on its own, of the protected header.
    ///
    /// The structure is read here rather than by coset, whose header
    /// parsing has rules of its own (a non-empty kid, a content type of the
    /// form type/subtype, registered `crit` labels): every rule a verifier
    /// applies must be one the format states.
    pub fn parse(bytes: &[u8], limits: CborLimits) -> Result<Self, FormatError> {
        use ciborium::Value;
        cbor_guard::check(bytes, limits)?;
        let untagged_ok = !enforced(Rule::CoseTag) && bytes.first() == Some(&0x84);
        if bytes.first() != Some(&0xd2) && !untagged_ok {
            return Err(FormatError::MalformedCose("not tagged COSE_Sign1 (tag 18)"));
        }
        // The protected header is signed as received, so it must have one
        // encoding too: the same CBOR rules, depth counted from 1 again,
        // checked before any value is built from it.
        if let Some(p) = protected_bytes(bytes)
            && !p.is_empty()
            && enforced(Rule::CoseProtectedGuarded)
        {
            cbor_guard::check(p, limits)?;
        }
        let not_sign1 = || FormatError::MalformedCose("not a COSE_Sign1 array of four items");
        let value: Value = ciborium::from_reader(bytes).map_err(|_| not_sign1())?;
        let items = match value {
            Value::Tag(18, inner) => *inner,
            v if untagged_ok => v,
            _ => return Err(not_sign1()),
        };
        let Value::Array(items) = items else {
            return Err(not_sign1());
        };
        let [protected, unprotected, payload, signature] =
            <[Value; 4]>::try_from(items).map_err(|_| not_sign1())?;
        let (Value::Bytes(protected), Value::Map(unprotected)) = (protected, unprotected) else {
            return Err(not_sign1());
        };
        let label =
            |k: &Value, n: i64| matches!(k, Value::Integer(i) if i128::from(*i) == i128::from(n));

        // Nothing may sit where it is not signed: one credential, one
        // encoding. An alg there is the algorithm-substitution attack.
        if unprotected.iter().any(|(k, _)| label(k, 1)) && enforced(Rule::CoseAlgNotUnprotected) {
            return Err(FormatError::AlgorithmInUnprotectedHeader);
        }
        if unprotected.iter().any(|(k, _)| label(k, 4)) && enforced(Rule::CoseUnprotectedEmpty) {
            return Err(FormatError::MalformedCose("kid in the unprotected header"));
        }
        if !unprotected.is_empty() && enforced(Rule::CoseUnprotectedEmpty) {
            return Err(FormatError::MalformedCose(
                "unprotected header is not empty",
            ));
        }

        // A zero-length protected header has no parameters (RFC 9052 §3).
        let header = if protected.is_empty() {
            Vec::new()
        } else {
            match ciborium::from_reader::<Value, _>(protected.as_slice()) {
                Ok(Value::Map(m)) => m,
                _ => return Err(FormatError::MalformedCose("protected header is not a map")),
            }
        };
        let param = |n: i64| header.iter().find(|(k, _)| label(k, n)).map(|(_, v)| v);
        match param(1) {
            Some(v) if label(v, -8) => {}
            Some(_) if !enforced(Rule::CoseAlgEdDsa) => {}
            Some(_) => return Err(FormatError::UnsupportedAlgorithm),
            None => {
                return Err(FormatError::MalformedCose(
                    "no algorithm in the protected header",
                ));
            }
        }
        if param(2).is_some() && enforced(Rule::CoseNoCrit) {
            return Err(FormatError::MalformedCose("critical header parameters"));
        }
        let kid = match param(4) {
            Some(Value::Bytes(b)) => Kid::from_slice(b),
            _ => None,
        }
        .ok_or(FormatError::MissingKid)?;
        // Only alg (1), kid (4) and typ (16, a text) exist in version 1.
        let typ = match param(16) {
            Some(Value::Text(t)) => Some(t.clone()),
            _ => None,
        };
        let known = |(k, v): &(Value, Value)| {
            label(k, 1)
                || (label(k, 2) && !enforced(Rule::CoseNoCrit))
                || label(k, 4)
                || (label(k, 16) && matches!(v, Value::Text(_)))
        };
        if !header.iter().all(known) && enforced(Rule::CoseKnownParameters) {
            return Err(FormatError::MalformedCose(
                "a protected header parameter other than alg, kid and typ",
            ));
        }
        let payload = match payload {
            Value::Bytes(p) => p,
            Value::Null => return Err(FormatError::MalformedCose("detached payload")),
            _ => return Err(not_sign1()),
        };
        let signature = match signature {
            Value::Bytes(s) if s.len() == 64 => s,
            Value::Bytes(_) => return Err(FormatError::MalformedCose("signature is not 64 bytes")),
            _ => return Err(not_sign1()),
        };
        // The Sig_structure (RFC 9052 §4.4) with the protected header bytes
        // exactly as received and an empty external AAD.
        let mut tbs = Vec::with_capacity(payload.len() + protected.len() + 32);
        let sig_structure = Value::Array(vec![
            Value::Text("Signature1".into()),
            Value::Bytes(protected),
            Value::Bytes(Vec::new()),
            Value::Bytes(payload.clone()),
        ]);
        ciborium::into_writer(&sig_structure, &mut tbs).map_err(|_| not_sign1())?;
        Ok(UnverifiedSign1 {
            kid,
            typ,
            tbs,
            signature,
            payload,
        })
    }

    /// The kid from the protected header (not yet authenticated).
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// The content type from the protected header, if any.
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// Checks the signature with `key` (`verify_strict`); on success the
    /// payload becomes available.
    pub fn verify(&self, key: &PublicKey) -> Option<VerifiedPayload> {
        key.verify_strict(&self.tbs, &self.signature)
            .then(|| VerifiedPayload {
                payload: self.payload.clone(),
                kid: self.kid,
            })
    }

    /// The payload, unauthenticated. For display in `decode` only.
    pub fn payload_unverified(&self) -> &[u8] {
        &self.payload
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The exact bytes the signature covers (the Sig_structure).
    pub fn signed_bytes(&self) -> &[u8] {
        &self.tbs
    }
}

/// The protected header's bytes in a tagged COSE_Sign1 that passed the
/// CBOR guard (so every header is in its shortest form): tag 18 (`d2`), an
/// array of four (`84`), then a byte string. `None` if the structure is
/// not that; coset then says what is wrong.
fn protected_bytes(cose: &[u8]) -> Option<&[u8]> {
    let (&[0xd2, 0x84, head], rest) = cose.split_first_chunk::<3>()? else {
        return None;
    };
    let (len, rest) = match head {
        0x40..=0x57 => (usize::from(head - 0x40), rest),
        0x58 => (usize::from(*rest.first()?), rest.get(1..)?),
        0x59 => {
            let (n, rest) = rest.split_first_chunk::<2>()?;
            (usize::from(u16::from_be_bytes(*n)), rest)
        }
        _ => return None,
    };
    rest.get(..len)
}

/// A payload whose COSE signature has been checked. Only
/// [`UnverifiedSign1::verify`] creates it.
#[derive(Clone, Debug)]
pub struct VerifiedPayload {
    payload: Vec<u8>,
    kid: Kid,
}

impl VerifiedPayload {
    /// The signed payload bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.payload
    }
    /// The kid of the header that was signed.
    pub fn kid(&self) -> Kid {
        self.kid
    }
}

/// The COSE algorithm identifier name, for display.
pub fn algorithm_name(alg: i64) -> &'static str {
    match iana::Algorithm::from_i64(alg) {
        Some(iana::Algorithm::EdDSA) => "EdDSA",
        Some(iana::Algorithm::ES256) => "ES256",
        Some(iana::Algorithm::ES384) => "ES384",
        Some(iana::Algorithm::PS256) => "PS256",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_seed(&[3u8; 32])
    }

    #[test]
    fn sign_parse_verify() {
        let k = key();
        let bytes = sign(&k, b"payload".to_vec(), None);
        assert_eq!(bytes[0], 0xd2);
        let u = UnverifiedSign1::parse(&bytes, CborLimits::STRICT).unwrap();
        assert_eq!(u.kid(), k.kid());
        assert_eq!(u.verify(&k.public_key()).unwrap().bytes(), b"payload");
        let other = SigningKey::from_seed(&[4u8; 32]);
        assert!(u.verify(&other.public_key()).is_none());
    }

    fn with_headers(protected: HeaderBuilder, unprotected: HeaderBuilder) -> Vec<u8> {
        let k = key();
        CoseSign1Builder::new()
            .protected(protected.build())
            .unprotected(unprotected.build())
            .payload(b"p".to_vec())
            .create_signature(b"", |tbs| k.sign(tbs).to_vec())
            .build()
            .to_tagged_vec()
            .unwrap()
    }

    #[test]
    fn header_rules() {
        let kid = key().kid().as_bytes().to_vec();
        let ok = || {
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::EdDSA)
                .key_id(kid.clone())
        };
        let bad = |p, u| UnverifiedSign1::parse(&with_headers(p, u), CborLimits::STRICT).err();
        assert_eq!(
            bad(ok(), HeaderBuilder::new().algorithm(iana::Algorithm::EdDSA)),
            Some(FormatError::AlgorithmInUnprotectedHeader)
        );
        assert_eq!(
            bad(
                HeaderBuilder::new()
                    .algorithm(iana::Algorithm::ES256)
                    .key_id(kid.clone()),
                HeaderBuilder::new()
            ),
            Some(FormatError::UnsupportedAlgorithm)
        );
        assert_eq!(
            bad(
                HeaderBuilder::new().algorithm(iana::Algorithm::EdDSA),
                HeaderBuilder::new()
            ),
            Some(FormatError::MissingKid)
        );
        assert!(matches!(
            bad(
                HeaderBuilder::new().key_id(kid.clone()),
                HeaderBuilder::new()
            ),
            Some(FormatError::MalformedCose(_))
        ));
        assert!(matches!(
            bad(ok(), HeaderBuilder::new().key_id(kid.clone())),
            Some(FormatError::MalformedCose(_))
        ));
        assert!(matches!(
            bad(
                ok(),
                HeaderBuilder::new().value(15, ciborium::Value::Integer(1.into()))
            ),
            Some(FormatError::MalformedCose(
                "unprotected header is not empty"
            ))
        ));
        assert!(bad(ok(), HeaderBuilder::new()).is_none());
        // Parameters other than alg, kid and typ, even protected.
        assert!(matches!(
            bad(
                ok().value(99, ciborium::Value::Text("x".into())),
                HeaderBuilder::new()
            ),
            Some(FormatError::MalformedCose(_))
        ));
        assert!(matches!(
            bad(ok().content_type("text/plain".into()), HeaderBuilder::new()),
            Some(FormatError::MalformedCose(_))
        ));
        assert!(
            bad(
                ok().value(16, ciborium::Value::Text("application/x".into())),
                HeaderBuilder::new()
            )
            .is_none()
        );
    }

    #[test]
    fn protected_header_bytes_follow_the_cbor_rules() {
        let k = key();
        let kid = k.kid();
        let signed = |prot: Vec<u8>| {
            let tbs = ciborium::Value::Array(vec![
                ciborium::Value::Text("Signature1".into()),
                ciborium::Value::Bytes(prot.clone()),
                ciborium::Value::Bytes(vec![]),
                ciborium::Value::Bytes(b"p".to_vec()),
            ]);
            let mut msg = Vec::new();
            ciborium::into_writer(&tbs, &mut msg).unwrap();
            let v = ciborium::Value::Tag(
                18,
                Box::new(ciborium::Value::Array(vec![
                    ciborium::Value::Bytes(prot),
                    ciborium::Value::Map(vec![]),
                    ciborium::Value::Bytes(b"p".to_vec()),
                    ciborium::Value::Bytes(k.sign(&msg).to_vec()),
                ])),
            );
            let mut out = Vec::new();
            ciborium::into_writer(&v, &mut out).unwrap();
            UnverifiedSign1::parse(&out, CborLimits::STRICT)
                .map(|u| u.verify(&k.public_key()).is_some())
        };
        let with = |head: &[u8], tail: &[u8]| [head, kid.as_bytes(), tail].concat();
        assert_eq!(signed(with(&[0xa2, 0x01, 0x27, 0x04, 0x44], &[])), Ok(true));
        for (prot, code) in [
            (
                with(&[0xa2, 0x01, 0x38, 0x07, 0x04, 0x44], &[]),
                "cbor_not_shortest_form",
            ),
            (
                with(&[0xbf, 0x01, 0x27, 0x04, 0x44], &[0xff]),
                "cbor_indefinite_length",
            ),
            (
                with(&[0xa3, 0x01, 0x27, 0x04, 0x44], &[0x18, 0x63, 0xf7]),
                "cbor_float_or_simple",
            ),
            (
                with(&[0xa3, 0x01, 0x27, 0x04, 0x44], &[0x01, 0x27]),
                "cbor_duplicate_key",
            ),
            (
                with(&[0xa2, 0x01, 0x27, 0x04, 0x44], &[0x00]),
                "cbor_trailing_bytes",
            ),
        ] {
            assert_eq!(signed(prot).unwrap_err().code(), code);
        }
    }
}
