//! The worked example of docs/format.md: a genuine code taken apart layer
//! by layer and written beside the vector (`annotated`).

use attesta_core::claims::{self, ClaimSet};
use attesta_core::envelope::EnvelopeLabel;
use ciborium::Value;
use serde::Serialize;
use sha2::Sha256;

use crate::craft::{body, sig_structure};
use crate::cred::{Cred, days_since_epoch, flags_of, plaintext_of};

#[derive(Serialize, Clone)]
pub(crate) struct Annotated {
    pub(crate) note: &'static str,
    pub(crate) protected_header_hex: String,
    pub(crate) claims_hex: String,
    pub(crate) envelope_plaintext_hex: String,
    pub(crate) plaintext_flags: i64,
    pub(crate) plaintext_revision_days: Option<i64>,
    pub(crate) argon2_password: String,
    pub(crate) argon2_salt_hex: String,
    pub(crate) argon2_output_hex: String,
    pub(crate) envelope_key_hex: String,
    pub(crate) aead_nonce_hex: String,
    pub(crate) aead_aad_hex: String,
    pub(crate) ciphertext_hex: String,
    pub(crate) sig_structure_hex: String,
    pub(crate) signature_hex: String,
    pub(crate) cose_hex: String,
    pub(crate) cose_len: usize,
    pub(crate) char_count: usize,
}

// ---------------------------------------------------------------------------
// The worked example (docs/format.md)
// ---------------------------------------------------------------------------

pub(crate) fn annotate(c: &Cred, text: &str) -> Annotated {
    let cose = base45::decode(body(text)).expect("base45");
    let v: Value = ciborium::from_reader(cose.as_slice()).expect("cbor");
    let Value::Tag(18, inner) = v else {
        panic!("not tagged")
    };
    let Value::Array(items) = *inner else {
        panic!("not an array")
    };
    let [
        Value::Bytes(prot),
        Value::Map(_),
        Value::Bytes(payload),
        Value::Bytes(sig),
    ] = items.as_slice()
    else {
        panic!("not a COSE_Sign1")
    };
    let claims =
        ClaimSet::parse(payload, attesta_core::cbor_guard::CborLimits::STRICT).expect("claims");
    let Some(Value::Array(env)) = claims.get(claims::ATTESTA_ENVELOPE) else {
        panic!("envelope")
    };
    let Some(Value::Bytes(ct)) = env.get(3) else {
        panic!("ciphertext")
    };
    // The KDF of docs/format.md, step by step, with the crates directly.
    let label = b"attesta/v1/level-1";
    let mut salt = label.to_vec();
    salt.extend_from_slice(c.cti.as_bytes());
    let params = argon2::Params::new(
        c.kdf.memory_mib() * 1024,
        c.kdf.iterations(),
        c.kdf.parallelism(),
        Some(32),
    )
    .expect("params");
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut ikm = [0u8; 32];
    argon
        .hash_password_into(c.cf.as_bytes(), &salt, &mut ikm)
        .expect("argon2");
    let mut key = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(None, &ikm)
        .expand(label, &mut key)
        .expect("hkdf");
    let plaintext = plaintext_of(&c.att);
    // The library's envelope opens to the same plaintext.
    let opened = c
        .ekey(EnvelopeLabel::FirstLevel, c.cti.as_bytes())
        .open(c.cti.as_bytes(), ct)
        .expect("opens");
    assert_eq!(&opened[..], &plaintext[..]);
    Annotated {
        note: "Intermediate values of this vector's code, for docs/format.md. \
               argon2_output = Argon2id(password, salt, m, t, p, 32); \
               envelope_key = HKDF-SHA256(salt none, ikm argon2_output, info 'attesta/v1/level-1', 32); \
               ciphertext = ChaCha20-Poly1305(envelope_key, nonce, aad, plaintext) (tag included); \
               signature = Ed25519(issuer, sig_structure).",
        protected_header_hex: hex::encode(prot),
        claims_hex: hex::encode(payload),
        envelope_plaintext_hex: hex::encode(&plaintext),
        plaintext_flags: flags_of(&c.att),
        plaintext_revision_days: c.att.revision().map(days_since_epoch),
        argon2_password: c.cf.clone(),
        argon2_salt_hex: hex::encode(&salt),
        argon2_output_hex: hex::encode(ikm),
        envelope_key_hex: hex::encode(key),
        aead_nonce_hex: hex::encode([0u8; 12]),
        aead_aad_hex: hex::encode(c.cti.as_bytes()),
        ciphertext_hex: hex::encode(ct),
        sig_structure_hex: hex::encode(sig_structure(prot, payload)),
        signature_hex: hex::encode(sig),
        cose_hex: hex::encode(&cose),
        cose_len: cose.len(),
        char_count: text.len(),
    }
}
