//! Ed25519 signing keys in standard files, and key identifiers.
//!
//! Private keys are PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), optionally
//! passphrase-encrypted with PKCS#5 PBES2 (`-----BEGIN ENCRYPTED PRIVATE
//! KEY-----`, scrypt + AES-256-CBC, as OpenSSL reads and writes them); public
//! keys are SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
//! A [`SigningKey`] is zeroized on drop, has no `Clone`, and its `Debug`
//! shows only the kid.

use std::fmt;

use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey,
    spki::der::pem::LineEnding,
};
use ed25519_dalek::{Signer, Verifier as _};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::rules::{Rule, enforced};

/// Length in bytes of a [`Kid`].
pub const KID_LEN: usize = 4;

/// A key identifier: the first [`KID_LEN`] bytes of the SHA-256 of the
/// key's SubjectPublicKeyInfo DER encoding.
///
/// It is short because it travels in every QR code. Two keys may share a
/// kid; verifiers try every key with the kid, so a collision costs one more
/// signature check, never a wrong answer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kid([u8; KID_LEN]);

impl Kid {
    /// The kid of a SubjectPublicKeyInfo DER encoding.
    pub fn of_spki_der(der: &[u8]) -> Kid {
        let h = Sha256::digest(der);
        let mut k = [0u8; KID_LEN];
        k.copy_from_slice(&h[..KID_LEN]);
        Kid(k)
    }

    /// From bytes; `None` if the length is not [`KID_LEN`].
    pub fn from_slice(b: &[u8]) -> Option<Kid> {
        Some(Kid(b.try_into().ok()?))
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8; KID_LEN] {
        &self.0
    }

    /// Parses the lowercase or uppercase hex form.
    pub fn from_hex(s: &str) -> Option<Kid> {
        Kid::from_slice(&hex::decode(s.trim()).ok()?)
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({self})")
    }
}

/// Length in bytes of a [`KeyFingerprint`].
pub const FINGERPRINT_LEN: usize = 32;

/// A key's full fingerprint: the SHA-256 of its SubjectPublicKeyInfo DER.
/// Its first [`KID_LEN`] bytes are the [`Kid`].
///
/// Kids are short enough to collide, by chance or on purpose (a key with
/// a chosen kid takes about 2³² tries and no private key), so anything
/// that must name **one** key for ever, such as a trust list's denylist,
/// uses the fingerprint.
///
/// ```
/// use attesta_core::keys::SigningKey;
/// let key = SigningKey::from_seed(&[0x22; 32]);
/// let fp = key.public_key().fingerprint();
/// assert_eq!(fp.kid(), key.kid());
/// assert_eq!(fp.to_string().len(), 64);
/// assert_eq!(attesta_core::keys::KeyFingerprint::from_hex(&fp.to_string()), Some(fp));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyFingerprint([u8; FINGERPRINT_LEN]);

impl KeyFingerprint {
    /// The fingerprint of a SubjectPublicKeyInfo DER encoding.
    pub fn of_spki_der(der: &[u8]) -> KeyFingerprint {
        KeyFingerprint(Sha256::digest(der).into())
    }

    /// From bytes; `None` if the length is not [`FINGERPRINT_LEN`].
    pub fn from_slice(b: &[u8]) -> Option<KeyFingerprint> {
        Some(KeyFingerprint(b.try_into().ok()?))
    }

    /// Parses the hex form (64 digits).
    pub fn from_hex(s: &str) -> Option<KeyFingerprint> {
        KeyFingerprint::from_slice(&hex::decode(s.trim()).ok()?)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8; FINGERPRINT_LEN] {
        &self.0
    }

    /// The kid of the key: the first [`KID_LEN`] bytes.
    pub fn kid(&self) -> Kid {
        let mut k = [0u8; KID_LEN];
        k.copy_from_slice(&self.0[..KID_LEN]);
        Kid(k)
    }
}

impl fmt::Display for KeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for KeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyFingerprint({self})")
    }
}

/// An Ed25519 public key: the canonical encoding of a curve point that is
/// not of small order (docs/format.md §4.1).
///
/// Every key a key generator makes is such a point. The others are refused
/// on the way in, because verifiers disagree about them (RFC 8032 §5.1.3
/// refuses a non-canonical encoding, many libraries accept it), and a
/// small-order key verifies forged signatures under a plain
/// (non-strict) verifier: one such key in a trust list would split
/// verifiers, or fool the lenient ones.
///
/// ```
/// use attesta_core::keys::{KeyError, PublicKey};
/// // The identity point (small order) and y = p + 3 (not canonical).
/// let mut identity = [0u8; 32];
/// identity[0] = 1;
/// assert_eq!(PublicKey::from_bytes(&identity), Err(KeyError::SmallOrderKey));
/// let mut non_canonical = [0xff; 32];
/// non_canonical[0] = 0xf0;
/// non_canonical[31] = 0x7f;
/// assert_eq!(PublicKey::from_bytes(&non_canonical), Err(KeyError::NonCanonicalKey));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl PublicKey {
    /// From the raw 32 bytes: refuses bytes that are not a curve point
    /// ([`KeyError::NotEd25519`]), a non-canonical encoding
    /// ([`KeyError::NonCanonicalKey`]: y ≥ p, or x = 0 with the sign bit
    /// set) and a point of small order ([`KeyError::SmallOrderKey`]).
    pub fn from_bytes(b: &[u8]) -> Result<Self, KeyError> {
        let arr: &[u8; 32] = b.try_into().map_err(|_| KeyError::NotEd25519)?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(arr).map_err(|_| KeyError::NotEd25519)?;
        Self::checked(key)
    }

    /// The rules of docs/format.md §4.1 on a decoded key.
    fn checked(key: ed25519_dalek::VerifyingKey) -> Result<Self, KeyError> {
        // Decoding reduces y modulo p and ignores the sign bit of x = 0, so
        // a canonical encoding is exactly one that encodes back the same.
        if key.to_edwards().compress().to_bytes() != key.to_bytes()
            && enforced(Rule::Ed25519KeyCanonical)
        {
            return Err(KeyError::NonCanonicalKey);
        }
        if key.is_weak() && enforced(Rule::Ed25519KeyNotSmallOrder) {
            return Err(KeyError::SmallOrderKey);
        }
        Ok(PublicKey(key))
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    ///
    /// ```
    /// use attesta_core::keys::{PublicKey, SigningKey};
    /// let key = SigningKey::generate()?;
    /// let pem = key.public_key().to_pem();
    /// assert_eq!(PublicKey::from_pem(&pem)?, key.public_key());
    /// # Ok::<(), attesta_core::keys::KeyError>(())
    /// ```
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        if pem.contains("PRIVATE KEY-----") {
            return Err(KeyError::PrivateWherePublicExpected);
        }
        if !pem.contains("-----BEGIN PUBLIC KEY-----") {
            return Err(KeyError::NotPem {
                expected: "PUBLIC KEY",
            });
        }
        let key = ed25519_dalek::VerifyingKey::from_public_key_pem(pem.trim())
            .map_err(|_| KeyError::NotEd25519)?;
        Self::checked(key)
    }

    /// SubjectPublicKeyInfo DER.
    pub fn to_spki_der(&self) -> Vec<u8> {
        // Encoding a valid key into a Vec cannot fail.
        self.0
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// SubjectPublicKeyInfo PEM, with a trailing newline.
    pub fn to_pem(&self) -> String {
        self.0.to_public_key_pem(LineEnding::LF).unwrap_or_default()
    }

    /// The key's [`Kid`].
    pub fn kid(&self) -> Kid {
        Kid::of_spki_der(&self.to_spki_der())
    }

    /// The key's full [`KeyFingerprint`].
    pub fn fingerprint(&self) -> KeyFingerprint {
        KeyFingerprint::of_spki_der(&self.to_spki_der())
    }

    /// Ed25519 verification with the rules of docs/format.md §4.2 (RFC 8032
    /// §5.1.7, strict): the signature is 64 bytes R ‖ S; S < L; R decodes
    /// to a point that is not of small order; the key is not of small order;
    /// and the cofactorless equation holds with R compared as bytes:
    /// encode(\[S\]B − \[k\]A) = R, k = SHA-512(R ‖ A ‖ M) mod L. This is
    /// ed25519-dalek's `verify_strict`. So a signature is never malleable,
    /// and a signature some verifiers accept and others refuse (the cases of
    /// "Taming the many EdDSAs") is refused.
    pub fn verify_strict(&self, msg: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
            return false;
        };
        #[cfg(feature = "mutants")]
        if let Some(ok) = mutants::verify(&self.0, msg, signature) {
            return ok;
        }
        self.0.verify_strict(msg, &sig).is_ok()
    }

    /// Plain (non-strict) verification, exposed for comparison only.
    #[doc(hidden)]
    pub fn verify_lenient(&self, msg: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
            return false;
        };
        self.0.verify(msg, &sig).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(kid {})", self.kid())
    }
}

/// An Ed25519 private key. Zeroized on drop; never printed.
pub struct SigningKey {
    inner: ed25519_dalek::SigningKey,
    kid: Kid,
}

impl SigningKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<Self, KeyError> {
        let mut rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
        Ok(Self::from_inner(ed25519_dalek::SigningKey::generate(
            &mut rng,
        )))
    }

    /// A key from a 32-byte seed. For test vectors and reproducible fixtures;
    /// real keys come from [`SigningKey::generate`].
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self::from_inner(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    fn from_inner(inner: ed25519_dalek::SigningKey) -> Self {
        let kid = PublicKey(inner.verifying_key()).kid();
        SigningKey { inner, kid }
    }

    /// Reads a PKCS#8 PEM private key; `passphrase` is needed when the file
    /// is encrypted (`-----BEGIN ENCRYPTED PRIVATE KEY-----`).
    ///
    /// ```
    /// use attesta_core::keys::SigningKey;
    /// let key = SigningKey::generate()?;
    /// let pem = key.to_pkcs8_pem(Some(b"correct horse"))?;
    /// let back = SigningKey::from_pkcs8_pem(&pem, Some(b"correct horse"))?;
    /// assert_eq!(back.kid(), key.kid());
    /// assert!(SigningKey::from_pkcs8_pem(&pem, Some(b"wrong")).is_err());
    /// # Ok::<(), attesta_core::keys::KeyError>(())
    /// ```
    pub fn from_pkcs8_pem(pem: &str, passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        let pem = pem.trim();
        if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            let pass = passphrase.ok_or(KeyError::PassphraseNeeded)?;
            if let Ok((_, der)) = pkcs8::der::pem::decode_vec(pem.as_bytes()) {
                check_encryption_cost(&der)?;
            }
            return ed25519_dalek::SigningKey::from_pkcs8_encrypted_pem(pem, pass)
                .map(Self::from_inner)
                .map_err(|e| match e {
                    // A wrong passphrase surfaces as a decryption or padding
                    // error, or as garbage that does not parse as a key.
                    ed25519_dalek::pkcs8::Error::EncryptedPrivateKey(_)
                    | ed25519_dalek::pkcs8::Error::Asn1(_)
                    | ed25519_dalek::pkcs8::Error::KeyMalformed(_) => KeyError::WrongPassphrase,
                    _ => KeyError::NotEd25519,
                });
        }
        if pem.contains("-----BEGIN PUBLIC KEY-----") {
            return Err(KeyError::PublicWherePrivateExpected);
        }
        if !pem.contains("-----BEGIN PRIVATE KEY-----") {
            return Err(KeyError::NotPem {
                expected: "PRIVATE KEY",
            });
        }
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map(Self::from_inner)
            .map_err(|_| KeyError::NotEd25519)
    }

    /// Writes PKCS#8 PEM, encrypted when a passphrase is given.
    ///
    /// The key is written in PKCS#8 version 1 (RFC 8410: the 32-byte seed,
    /// no public key), the form OpenSSL 3 (`openssl pkey`), SoftHSM2's
    /// `softhsm2-util --import` and HSM vendors' import tools read; they
    /// refuse version 2 (with the public key), which attesta wrote before
    /// and still reads.
    ///
    /// ```
    /// use attesta_core::keys::SigningKey;
    /// let pem = SigningKey::from_seed(&[7; 32]).to_pkcs8_pem(None)?;
    /// // 16 bytes of ASN.1 around the seed: version 1, no public key.
    /// assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"));
    /// # Ok::<(), attesta_core::keys::KeyError>(())
    /// ```
    pub fn to_pkcs8_pem(&self, passphrase: Option<&[u8]>) -> Result<Zeroizing<String>, KeyError> {
        let v1 = ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: self.inner.to_bytes(),
            public_key: None,
        };
        match passphrase {
            Some(p) => v1
                .to_pkcs8_encrypted_pem(p, LineEnding::LF)
                .map_err(|_| KeyError::Encode),
            None => v1
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|_| KeyError::Encode),
        }
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.inner.verifying_key())
    }

    /// The kid of the public half.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// Signs a message (deterministic Ed25519).
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.inner.sign(msg).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey(kid {}, private part hidden)", self.kid)
    }
}

/// Most memory scrypt may use to open an encrypted key file: 256 MiB
/// (128·r·N bytes). Files written by attesta and OpenSSL use 16 MiB
/// (N = 2^14, r = 8, p = 1).
const MAX_SCRYPT_MEMORY: u64 = 1 << 28;
/// Most scrypt work (N·r·p) to open a key file: 32× what attesta writes,
/// about a second or two on one core.
const MAX_SCRYPT_WORK: u64 = 1 << 22;
/// Most PBKDF2 iterations to open a key file: 16× the 600,000 that
/// RustCrypto writes (OpenSSL writes 2,048).
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// Refuses an encrypted PKCS#8 file whose passphrase hashing would cost
/// more than any genuine file needs, before running it: the parameters are
/// read from the file, and scrypt with N = 2^22 and r = 255 would allocate
/// 128 GiB (the allocation failure aborts the process), PBKDF2 with 2^32
/// iterations would run for an hour. Other malformations are left to the
/// decryption, which reports them as usual.
pub(crate) fn check_encryption_cost(der: &[u8]) -> Result<(), KeyError> {
    use pkcs8::pkcs5::{EncryptionScheme, pbes2::Kdf};
    let Ok(info) = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der) else {
        return Ok(());
    };
    let EncryptionScheme::Pbes2(params) = &info.encryption_algorithm else {
        return Ok(());
    };
    let ok = match &params.kdf {
        Kdf::Pbkdf2(p) => p.iteration_count <= MAX_PBKDF2_ITERATIONS,
        Kdf::Scrypt(p) => {
            let n = u128::from(p.cost_parameter);
            let r = u128::from(p.block_size);
            let par = u128::from(p.parallelization);
            128 * r * n <= u128::from(MAX_SCRYPT_MEMORY)
                && 128 * r * par <= u128::from(MAX_SCRYPT_MEMORY)
                && n * r * par <= u128::from(MAX_SCRYPT_WORK)
        }
        // Unknown KDFs do not decrypt anyway.
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(KeyError::EncryptionTooCostly)
    }
}

/// A key file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not a PEM file of the expected kind.
    #[error("not a PEM {expected} file; give the file written by `attesta keygen`")]
    NotPem {
        /// The PEM label expected.
        expected: &'static str,
    },
    /// PEM, but not a valid Ed25519 key.
    #[error(
        "the file is not a valid Ed25519 key (wrong algorithm or corrupted); give a key written by `attesta keygen`"
    )]
    NotEd25519,
    /// A public key that is not the canonical encoding of its point (y ≥ p,
    /// or x = 0 with the sign bit set): no key generator writes one.
    #[error(
        "the public key is not the canonical encoding of an Ed25519 point (RFC 8032 §5.1.3); no key generator writes one: do not trust it, and give a key written by `attesta keygen`"
    )]
    NonCanonicalKey,
    /// A public key of small order: it would verify forged signatures
    /// under a plain Ed25519 verifier.
    #[error(
        "the public key is a point of small order, under which forged signatures verify; no key generator makes one: do not trust it, and give a key written by `attesta keygen`"
    )]
    SmallOrderKey,
    /// The key is encrypted and no passphrase was given.
    #[error("the private key is passphrase-protected; give its passphrase")]
    PassphraseNeeded,
    /// The passphrase does not open the key.
    #[error(
        "wrong passphrase for the private key (or the file is corrupted); check the passphrase and try again"
    )]
    WrongPassphrase,
    /// Not an X25519 operator key.
    #[error(
        "the file is not an X25519 operator key; give an operator's sealing key, not an issuer's signing key"
    )]
    NotX25519,
    /// A public key was given where a private key is needed.
    #[error("this is a public key; signing needs the private key file (the one without .pub)")]
    PublicWherePrivateExpected,
    /// A private key was given where a public key is needed.
    #[error(
        "this is a private key; give the public key file (FILE.pub) instead, and keep the private key secret"
    )]
    PrivateWherePublicExpected,
    /// An encrypted key file whose passphrase hashing parameters are beyond
    /// anything genuine (a crafted file meant to exhaust memory or time).
    #[error(
        "the key file asks for far more costly passphrase hashing than any key tool writes; it is damaged or crafted: do not use it"
    )]
    EncryptionTooCostly,
    /// Encoding failed.
    #[error("could not encode the key")]
    Encode,
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Rng,
}

impl KeyError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::NotPem { .. } => "key_not_pem",
            KeyError::NotEd25519 => "key_not_ed25519",
            KeyError::NonCanonicalKey => "key_not_canonical",
            KeyError::SmallOrderKey => "key_small_order",
            KeyError::PassphraseNeeded => "passphrase_needed",
            KeyError::WrongPassphrase => "wrong_passphrase",
            KeyError::NotX25519 => "key_not_x25519",
            KeyError::PublicWherePrivateExpected => "public_key_where_private_expected",
            KeyError::PrivateWherePublicExpected => "private_key_where_public_expected",
            KeyError::EncryptionTooCostly => "key_encryption_too_costly",
            KeyError::Encode => "key_encode_failed",
            KeyError::Rng => "rng_failed",
        }
    }
}

/// Ed25519 verification with one rule of docs/format.md §4.2 broken, for
/// the mutation check only (feature `mutants`).
#[cfg(feature = "mutants")]
mod mutants {
    use super::{Rule, enforced};
    use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
    use curve25519_dalek::scalar::Scalar;
    use curve25519_dalek::traits::IsIdentity;
    use sha2::{Digest, Sha512};

    /// `None` unless one of the Ed25519 rules is switched off; then the
    /// verification written out with that rule broken.
    pub(super) fn verify(
        key: &ed25519_dalek::VerifyingKey,
        msg: &[u8],
        sig: &[u8],
    ) -> Option<bool> {
        let rules = [
            Rule::Ed25519CanonicalS,
            Rule::Ed25519RNotSmallOrder,
            Rule::Ed25519Cofactorless,
            Rule::Ed25519KeyNotSmallOrder,
        ];
        if rules.iter().all(|r| enforced(*r)) {
            return None;
        }
        Some(written_out(key, msg, sig))
    }

    fn written_out(key: &ed25519_dalek::VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
        let (Ok(r_bytes), Ok(s_bytes)) = (
            <[u8; 32]>::try_from(&sig[..32]),
            <[u8; 32]>::try_from(&sig[32..]),
        ) else {
            return false;
        };
        let s = if enforced(Rule::Ed25519CanonicalS) {
            match Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) {
                Some(s) => s,
                None => return false,
            }
        } else {
            Scalar::from_bytes_mod_order(s_bytes)
        };
        let Some(r) = CompressedEdwardsY(r_bytes).decompress() else {
            return false;
        };
        let a = key.to_edwards();
        if (r.is_small_order() && enforced(Rule::Ed25519RNotSmallOrder))
            || (a.is_small_order() && enforced(Rule::Ed25519KeyNotSmallOrder))
        {
            return false;
        }
        let mut h = Sha512::new();
        h.update(r_bytes);
        h.update(key.to_bytes());
        h.update(msg);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        let sb_minus_ka = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a, &s);
        if enforced(Rule::Ed25519Cofactorless) {
            sb_minus_ka.compress().to_bytes() == r_bytes
        } else {
            (sb_minus_ka - r).mul_by_cofactor().is_identity()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_and_kid() {
        let k = SigningKey::from_seed(&[7u8; 32]);
        let pem = k.to_pkcs8_pem(None).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = SigningKey::from_pkcs8_pem(&pem, None).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        let pubpem = k.public_key().to_pem();
        assert_eq!(PublicKey::from_pem(&pubpem).unwrap().kid(), k.kid());
        assert_eq!(Kid::from_hex(&k.kid().to_string()), Some(k.kid()));
        assert!(!format!("{k:?}").contains(&hex::encode([7u8; 32])));
    }

    #[test]
    fn key_files_are_pkcs8_v1_and_v2_files_written_before_are_still_read() {
        let k = SigningKey::from_seed(&[7u8; 32]);
        for pass in [None, Some(&b"pw"[..])] {
            let pem = k.to_pkcs8_pem(pass).unwrap();
            let back = SigningKey::from_pkcs8_pem(&pem, pass).unwrap();
            assert_eq!(back.kid(), k.kid());
        }
        let (_, der) =
            pkcs8::der::pem::decode_vec(k.to_pkcs8_pem(None).unwrap().as_bytes()).unwrap();
        // SEQUENCE { INTEGER 0 (v1), id-Ed25519, OCTET STRING { seed } }, no public key.
        assert_eq!(der.len(), 48);
        assert_eq!(&der[..5], &[0x30, 0x2e, 0x02, 0x01, 0x00]);
        // Earlier versions wrote v2, with the public key.
        let v2 = k.inner.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert_ne!(v2.as_str(), k.to_pkcs8_pem(None).unwrap().as_str());
        assert_eq!(
            SigningKey::from_pkcs8_pem(&v2, None).unwrap().kid(),
            k.kid()
        );
        let v2_enc = k
            .inner
            .to_pkcs8_encrypted_pem(b"pw", LineEnding::LF)
            .unwrap();
        assert_eq!(
            SigningKey::from_pkcs8_pem(&v2_enc, Some(b"pw"))
                .unwrap()
                .kid(),
            k.kid()
        );
    }

    #[test]
    fn wrong_inputs_are_named() {
        let k = SigningKey::from_seed(&[9u8; 32]);
        let enc = k.to_pkcs8_pem(Some(b"pw")).unwrap();
        assert_eq!(
            SigningKey::from_pkcs8_pem(&enc, None).err(),
            Some(KeyError::PassphraseNeeded)
        );
        assert_eq!(
            SigningKey::from_pkcs8_pem(&enc, Some(b"nope")).err(),
            Some(KeyError::WrongPassphrase)
        );
        assert_eq!(
            SigningKey::from_pkcs8_pem(&k.public_key().to_pem(), None).err(),
            Some(KeyError::PublicWherePrivateExpected)
        );
        assert_eq!(
            PublicKey::from_pem(&k.to_pkcs8_pem(None).unwrap()).err(),
            Some(KeyError::PrivateWherePublicExpected)
        );
        assert!(matches!(
            SigningKey::from_pkcs8_pem("hello", None),
            Err(KeyError::NotPem { .. })
        ));
        let corrupted = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VxBCIEIAAAAAAA\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::from_pkcs8_pem(corrupted, None).err(),
            Some(KeyError::NotEd25519)
        );
    }

    /// The written-out verification of the mutation check, with every
    /// rule on, is ed25519-dalek's `verify_strict`.
    #[cfg(feature = "mutants")]
    #[test]
    fn written_out_verification_is_verify_strict() {
        let k = SigningKey::from_seed(&[1u8; 32]);
        let sig = k.sign(b"msg");
        let rule = Rule::Ed25519CanonicalS;
        crate::rules::mutation::break_rule(Some(rule));
        // With one Ed25519 rule off the written-out path runs; S < L holds
        // here, so it must agree with verify_strict on these inputs.
        let ok = k.public_key().verify_strict(b"msg", &sig);
        let bad = k.public_key().verify_strict(b"msh", &sig);
        crate::rules::mutation::break_rule(None);
        assert!(ok && !bad);
        assert!(k.public_key().verify_strict(b"msg", &sig));
    }

    #[test]
    fn strict_verification() {
        let k = SigningKey::from_seed(&[1u8; 32]);
        let sig = k.sign(b"msg");
        assert!(k.public_key().verify_strict(b"msg", &sig));
        assert!(!k.public_key().verify_strict(b"msh", &sig));
        assert!(!k.public_key().verify_strict(b"msg", &sig[..63]));
    }
}
