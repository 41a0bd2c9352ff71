//! The signing seam: every attesta signature (first-level codes,
//! second-level tokens, trust lists, status lists) is made through a
//! [`Signer`].
//!
//! A [`SigningKey`] read from a PKCS#8 file is one; a key held in a
//! hardware security module is another (the `attesta-pkcs11` crate), and a
//! cloud KMS could be a third, without touching the format code. Ed25519 is
//! deterministic, so the same key signs the same bytes into the same
//! signature wherever it lives: a code signed in an HSM is byte for byte
//! the code signed with a file holding the same key.
//!
//! ```
//! use attesta_core::keys::SigningKey;
//! use attesta_core::signer::Signer;
//!
//! fn sign_twice(s: &dyn Signer) -> Result<bool, attesta_core::signer::SignError> {
//!     Ok(s.sign(b"tbs")? == s.sign(b"tbs")?)
//! }
//! let key = SigningKey::generate()?;
//! assert!(sign_twice(&key)?);
//! assert_eq!(Signer::kid(&key), key.public_key().kid());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use crate::keys::{Kid, PublicKey, SigningKey};

/// An Ed25519 signature (64 bytes, RFC 8032).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; 64]);

impl Signature {
    /// From the 64 bytes; `None` for any other length.
    pub fn from_slice(b: &[u8]) -> Option<Signature> {
        Some(Signature(b.try_into().ok()?))
    }

    /// The 64 bytes.
    pub fn to_bytes(&self) -> [u8; 64] {
        self.0
    }

    /// The 64 bytes, borrowed.
    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}

/// Something that signs with an Ed25519 private key.
///
/// Implementations must produce plain Ed25519 (RFC 8032, no context, no
/// pre-hash) under the key whose public half [`Signer::public_key`]
/// returns; the kid written into every signed document is computed from
/// that public key.
pub trait Signer {
    /// The public half of the signing key.
    fn public_key(&self) -> PublicKey;

    /// The key identifier, from the public key (as for file keys).
    fn kid(&self) -> Kid {
        self.public_key().kid()
    }

    /// Signs `msg`.
    fn sign(&self, msg: &[u8]) -> Result<Signature, SignError>;
}

impl Signer for SigningKey {
    fn public_key(&self) -> PublicKey {
        SigningKey::public_key(self)
    }

    fn kid(&self) -> Kid {
        SigningKey::kid(self)
    }

    /// A key in memory cannot fail to sign.
    fn sign(&self, msg: &[u8]) -> Result<Signature, SignError> {
        Ok(Signature(SigningKey::sign(self, msg)))
    }
}

impl<S: Signer + ?Sized> Signer for &S {
    fn public_key(&self) -> PublicKey {
        (**self).public_key()
    }
    fn kid(&self) -> Kid {
        (**self).kid()
    }
    fn sign(&self, msg: &[u8]) -> Result<Signature, SignError> {
        (**self).sign(msg)
    }
}

impl<S: Signer + ?Sized> Signer for Box<S> {
    fn public_key(&self) -> PublicKey {
        (**self).public_key()
    }
    fn kid(&self) -> Kid {
        (**self).kid()
    }
    fn sign(&self, msg: &[u8]) -> Result<Signature, SignError> {
        (**self).sign(msg)
    }
}

/// Checks a signature that a back end returned before it is used: a device
/// that signs with another key than the one whose public half it reported,
/// or that returns damaged bytes, would otherwise put codes into circulation
/// that no verifier accepts. Costs one `verify_strict` (about 30 µs).
pub fn checked(public: &PublicKey, msg: &[u8], signature: &[u8]) -> Result<Signature, SignError> {
    match Signature::from_slice(signature) {
        Some(s) if public.verify_strict(msg, s.as_bytes()) => Ok(s),
        _ => Err(SignError::BadSignature { kid: public.kid() }),
    }
}

/// Why a [`Signer`] could not sign.
///
/// Back ends say what went wrong and what to do in the message, and give
/// a stable machine-readable code (e.g. `pkcs11_session_lost`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The signing device or service could not be reached, or lost the
    /// connection or session: the same request may succeed if retried.
    #[error("{message}")]
    Unavailable {
        /// Stable code of the back end's condition.
        code: &'static str,
        /// What went wrong and what to do.
        message: String,
    },
    /// The back end refused or failed to sign; retrying will not help.
    #[error("{message}")]
    Failed {
        /// Stable code of the back end's condition.
        code: &'static str,
        /// What went wrong and what to do.
        message: String,
    },
    /// The back end returned a signature that does not verify under the
    /// public key it reported.
    #[error(
        "the signing device returned a signature that does not verify under key {kid}: the device is faulty, or its public key object does not belong to the private key; stop issuing and check the key"
    )]
    BadSignature {
        /// The kid of the public key the signature was checked with.
        kid: Kid,
    },
}

impl SignError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            SignError::Unavailable { code, .. } | SignError::Failed { code, .. } => code,
            SignError::BadSignature { .. } => "signature_does_not_verify",
        }
    }

    /// Whether retrying the same signature later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, SignError::Unavailable { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_key_signs_through_the_trait_as_directly() {
        let k = SigningKey::from_seed(&[3; 32]);
        let via: &dyn Signer = &k;
        assert_eq!(via.sign(b"m").unwrap().to_bytes(), k.sign(b"m"));
        assert_eq!(via.kid(), k.kid());
        assert_eq!(via.public_key(), k.public_key());
    }

    #[test]
    fn checked_refuses_a_signature_by_another_key() {
        let k = SigningKey::from_seed(&[3; 32]);
        let other = SigningKey::from_seed(&[4; 32]);
        let good = k.sign(b"m");
        assert!(checked(&k.public_key(), b"m", &good).is_ok());
        let e = checked(&k.public_key(), b"m", &other.sign(b"m")).unwrap_err();
        assert_eq!(e.code(), "signature_does_not_verify");
        assert!(!e.is_transient());
        assert!(checked(&k.public_key(), b"m", &good[..63]).is_err());
    }
}
