//! The privacy envelope: content encrypted under a key derived from the
//! holder's codice fiscale.
//!
//! ```text
//! ikm   = Argon2id(password = CF (16 or 11 ASCII chars, uppercase),
//!                  salt = label || cti, m = m_mib·1024 KiB, t, p, out = 32,
//!                  secret K = the holder's secret (5 bytes) when the code has one)
//! key   = HKDF-SHA256(salt = none, ikm, info = label, L = 32)
//! ct    = ChaCha20-Poly1305(key, nonce = 0^96, aad = cti, plaintext)
//! ```
//!
//! The key is unique per credential (the cti is random and in the salt), so
//! the all-zero nonce is never reused under one key. The label separates the
//! first-level envelope from the inner layer of the second level.
//!
//! Argon2id makes each CF guess cost memory and time; the CF is not a
//! secret, so this stops bulk harvesting, not a person who already knows
//! who the holder is (name, birth year and town leave 732 candidates, under
//! a minute: docs/threat-model.md §3.1). The optional holder's secret
//! ([`crate::secret`]) closes that gap for holders who want it.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::cf::CodiceFiscale;
use crate::rules::{Rule, enforced};
use crate::secret::HolderSecret;

/// Which envelope a key is for (domain separation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeLabel {
    /// The first-level content.
    FirstLevel,
    /// The inner, CF-bound layer of a second-level token.
    SecondLevelInner,
}

impl EnvelopeLabel {
    fn bytes(self) -> &'static [u8] {
        match self {
            EnvelopeLabel::FirstLevel => b"attesta/v1/level-1",
            EnvelopeLabel::SecondLevelInner => b"attesta/v1/level-2-inner",
        }
    }
}

/// Argon2id cost parameters, carried in each credential.
///
/// ```
/// use attesta_core::envelope::KdfParams;
/// let p = KdfParams::DEFAULT;
/// assert_eq!((p.memory_mib(), p.iterations(), p.parallelism()), (19, 2, 1));
/// assert!(KdfParams::new(0, 1, 1).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KdfParams {
    m_mib: u32,
    t: u32,
    p: u32,
}

impl KdfParams {
    /// The default: 19 MiB, 2 passes, 1 lane (the OWASP Argon2id
    /// recommendation), about 30 ms per guess on one core here.
    pub const DEFAULT: KdfParams = KdfParams {
        m_mib: 19,
        t: 2,
        p: 1,
    };

    /// Cheap parameters for tests and benchmarks of everything but the KDF.
    /// **Never issue real credentials with these**: a CF guess costs ~1 ms.
    pub const INSECURE_TEST: KdfParams = KdfParams {
        m_mib: 1,
        t: 1,
        p: 1,
    };

    /// Parameters, checked against Argon2's own bounds (memory ≥ 1 MiB and
    /// ≥ 8 KiB per lane, 1–255 lanes, ≥ 1 pass).
    pub fn new(m_mib: u32, t: u32, p: u32) -> Result<Self, EnvelopeError> {
        let k = KdfParams { m_mib, t, p };
        if m_mib == 0 || t == 0 || p == 0 || p > 255 || m_mib >= 4 * 1024 * 1024 {
            return Err(EnvelopeError::BadKdfParams);
        }
        k.argon2_params()?;
        Ok(k)
    }

    /// Memory in MiB.
    pub fn memory_mib(&self) -> u32 {
        self.m_mib
    }
    /// Passes over memory.
    pub fn iterations(&self) -> u32 {
        self.t
    }
    /// Lanes.
    pub fn parallelism(&self) -> u32 {
        self.p
    }

    fn argon2_params(&self) -> Result<Params, EnvelopeError> {
        let m_kib = self
            .m_mib
            .checked_mul(1024)
            .ok_or(EnvelopeError::BadKdfParams)?;
        Params::new(m_kib, self.t, self.p, Some(32)).map_err(|_| EnvelopeError::BadKdfParams)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Bounds a verifier puts on the KDF parameters of a code before running
/// the KDF: caps, so that a crafted code cannot exhaust memory or time,
/// and a floor, so that a code whose envelope is cheap to guess is not
/// accepted (the CF is not a secret: the KDF cost is what protects it).
///
/// ```
/// use attesta_core::envelope::{KdfLimits, KdfParams, KdfVerdict};
/// let l = KdfLimits::default();
/// assert_eq!(l.judge(&KdfParams::DEFAULT), KdfVerdict::Allowed);
/// assert_eq!(l.judge(&KdfParams::INSECURE_TEST), KdfVerdict::BelowFloor);
/// assert_eq!(l.judge(&KdfParams::new(65, 2, 1)?), KdfVerdict::AboveCaps);
/// // Tests of everything but the KDF lower the floor explicitly:
/// assert_eq!(l.without_floor().judge(&KdfParams::INSECURE_TEST), KdfVerdict::Allowed);
/// # Ok::<(), attesta_core::envelope::EnvelopeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfLimits {
    /// Most memory, in MiB.
    pub max_memory_mib: u32,
    /// Most passes.
    pub max_iterations: u32,
    /// Most lanes.
    pub max_parallelism: u32,
    /// Least memory, in MiB (the floor).
    pub min_memory_mib: u32,
    /// Fewest passes (the floor).
    pub min_iterations: u32,
}

impl Default for KdfLimits {
    /// Caps 64 MiB, 8 passes, 4 lanes: room for issuers to raise the cost
    /// about 3× above the default, while a phone can still open any code.
    /// Floor: the issuing default, 19 MiB and 2 passes
    /// ([`KdfParams::DEFAULT`]); below it a CF guess costs less than the
    /// threat model assumes (at 1 MiB and 1 pass, about 3 ms).
    fn default() -> Self {
        KdfLimits {
            max_memory_mib: 64,
            max_iterations: 8,
            max_parallelism: 4,
            min_memory_mib: KdfParams::DEFAULT.m_mib,
            min_iterations: KdfParams::DEFAULT.t,
        }
    }
}

/// What [`KdfLimits::judge`] says of a code's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfVerdict {
    /// Within the caps and at or above the floor.
    Allowed,
    /// Above a cap: running the KDF would cost too much.
    AboveCaps,
    /// Below the floor: the envelope is too cheap to guess.
    BelowFloor,
}

impl KdfLimits {
    /// Whether `p` is within the caps and at or above the floor.
    pub fn allows(&self, p: &KdfParams) -> bool {
        self.judge(p) == KdfVerdict::Allowed
    }

    /// Compares `p` with the caps first, then with the floor.
    pub fn judge(&self, p: &KdfParams) -> KdfVerdict {
        let slack = u32::from(!enforced(Rule::KdfCaps));
        if p.m_mib > self.max_memory_mib + slack
            || p.t > self.max_iterations + slack
            || p.p > self.max_parallelism + slack
        {
            KdfVerdict::AboveCaps
        } else if self.below_floor(p) {
            KdfVerdict::BelowFloor
        } else {
            KdfVerdict::Allowed
        }
    }

    /// Whether `p` is below the floor (whatever the caps say).
    pub fn below_floor(&self, p: &KdfParams) -> bool {
        (p.m_mib < self.min_memory_mib || p.t < self.min_iterations) && enforced(Rule::KdfFloor)
    }

    /// The same caps with no floor. **Only** for tests and benchmarks of
    /// codes issued with [`KdfParams::INSECURE_TEST`]; a verifier of real
    /// codes keeps the default floor.
    pub fn without_floor(self) -> Self {
        KdfLimits {
            min_memory_mib: 1,
            min_iterations: 1,
            ..self
        }
    }
}

/// Argon2id working memory kept between derivations. Issuing many
/// credentials on one thread reuses it instead of allocating (and zeroing,
/// and returning to the allocator) 19 MiB per credential, which on glibc
/// keeps over 100 MB per thread resident. Zeroized on drop.
#[derive(Default)]
pub struct KdfMemory(Vec<argon2::Block>);

impl Drop for KdfMemory {
    fn drop(&mut self) {
        // The blocks hold values derived from a CF; `zeroize` writes them
        // with volatile stores the optimiser cannot drop before the free.
        self.0.zeroize();
    }
}

/// The symmetric key of one envelope. Zeroized on drop.
pub struct EnvelopeKey {
    key: Zeroizing<[u8; 32]>,
    /// Whether a holder's secret went into the derivation (the credential
    /// must then say so, in its signed envelope).
    with_secret: bool,
}

impl EnvelopeKey {
    /// Runs the KDF: the expensive step (tens of milliseconds at default parameters).
    pub fn derive(
        cf: &CodiceFiscale,
        cti: &[u8],
        params: &KdfParams,
        label: EnvelopeLabel,
    ) -> Result<Self, EnvelopeError> {
        Self::derive_reusing(cf, cti, params, label, &mut KdfMemory::default())
    }

    /// [`EnvelopeKey::derive`] with working memory kept by the caller, for
    /// batches (one [`KdfMemory`] per thread).
    pub fn derive_reusing(
        cf: &CodiceFiscale,
        cti: &[u8],
        params: &KdfParams,
        label: EnvelopeLabel,
        memory: &mut KdfMemory,
    ) -> Result<Self, EnvelopeError> {
        Self::derive_with_secret(cf, None, cti, params, label, memory)
    }

    /// The key from the CF and, when the holder has one, the holder's
    /// secret, which is Argon2id's secret input `K` (RFC 9106 §3.1): with
    /// it, knowing the CF is not enough, and each guess of the secret costs
    /// a whole derivation.
    pub fn derive_with_secret(
        cf: &CodiceFiscale,
        secret: Option<&HolderSecret>,
        cti: &[u8],
        params: &KdfParams,
        label: EnvelopeLabel,
        memory: &mut KdfMemory,
    ) -> Result<Self, EnvelopeError> {
        let ap = params.argon2_params()?;
        memory.0.resize(ap.block_count(), argon2::Block::default());
        let argon = match secret {
            None => Argon2::new(Algorithm::Argon2id, Version::V0x13, ap),
            Some(s) => {
                Argon2::new_with_secret(s.expose_secret(), Algorithm::Argon2id, Version::V0x13, ap)
                    .map_err(|_| EnvelopeError::BadKdfParams)?
            }
        };
        let mut salt = Vec::with_capacity(label.bytes().len() + cti.len());
        salt.extend_from_slice(label.bytes());
        salt.extend_from_slice(cti);
        let mut ikm = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into_with_memory(
                cf.as_str().as_bytes(),
                &salt,
                ikm.as_mut(),
                &mut memory.0,
            )
            .map_err(|_| EnvelopeError::BadKdfParams)?;
        let mut key = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, ikm.as_ref())
            .expand(label.bytes(), key.as_mut())
            .map_err(|_| EnvelopeError::BadKdfParams)?;
        Ok(EnvelopeKey {
            key,
            with_secret: secret.is_some(),
        })
    }

    /// Whether a holder's secret went into this key.
    pub fn with_secret(&self) -> bool {
        self.with_secret
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        // Borrowed, not copied: a `Key::from(*self.0)` temporary would leave
        // the key on the stack. The cipher wipes its own copy on drop
        // (chacha20poly1305's `zeroize` feature).
        let key: &chacha20poly1305::Key = (&*self.key).into();
        ChaCha20Poly1305::new(key)
    }

    /// Encrypts `plaintext`, bound to `cti`.
    pub fn seal(&self, cti: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce = chacha20poly1305::Nonce::from([0u8; 12]);
        // Encryption with a 32-byte key and short inputs cannot fail.
        self.cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: cti,
                },
            )
            .unwrap_or_default()
    }

    /// Decrypts; fails when the key (so the CF) is wrong or the bytes were changed.
    pub fn open(&self, cti: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
        let nonce = chacha20poly1305::Nonce::from([0u8; 12]);
        self.cipher()
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: cti,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| EnvelopeError::DoesNotOpen)
    }
}

/// An envelope that cannot be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The KDF parameters are not valid Argon2id parameters.
    #[error("the key-derivation parameters are not valid Argon2id parameters")]
    BadKdfParams,
    /// The KDF parameters exceed the verifier's limits.
    #[error(
        "the code asks for key-derivation parameters above this verifier's limits (a crafted or foreign code); do not accept it"
    )]
    KdfParamsTooCostly,
    /// Authentication failed: wrong CF, or altered bytes.
    #[error("the envelope does not open with this codice fiscale")]
    DoesNotOpen,
}

impl EnvelopeError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            EnvelopeError::BadKdfParams => "bad_kdf_params",
            EnvelopeError::KdfParamsTooCostly => "kdf_params_out_of_bounds",
            EnvelopeError::DoesNotOpen => "envelope_does_not_open",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cf(s: &str) -> CodiceFiscale {
        CodiceFiscale::parse(s).unwrap()
    }

    #[test]
    fn seal_open_and_wrong_cf() {
        let cti = [1u8; 8];
        let p = KdfParams::INSECURE_TEST;
        let k = EnvelopeKey::derive(&cf("RSSMRA85T10A562S"), &cti, &p, EnvelopeLabel::FirstLevel)
            .unwrap();
        let ct = k.seal(&cti, b"hello");
        assert_eq!(ct.len(), 5 + 16);
        assert_eq!(&k.open(&cti, &ct).unwrap()[..], b"hello");
        assert_eq!(
            k.open(&[2u8; 8], &ct).err(),
            Some(EnvelopeError::DoesNotOpen)
        );
        let other =
            EnvelopeKey::derive(&cf("12345678903"), &cti, &p, EnvelopeLabel::FirstLevel).unwrap();
        assert_eq!(
            other.open(&cti, &ct).err(),
            Some(EnvelopeError::DoesNotOpen)
        );
        let l2 = EnvelopeKey::derive(
            &cf("RSSMRA85T10A562S"),
            &cti,
            &p,
            EnvelopeLabel::SecondLevelInner,
        )
        .unwrap();
        assert_eq!(l2.open(&cti, &ct).err(), Some(EnvelopeError::DoesNotOpen));
    }

    #[test]
    fn the_secret_changes_the_key() {
        let cti = [1u8; 8];
        let p = KdfParams::INSECURE_TEST;
        let c = cf("RSSMRA85T10A562S");
        let mut mem = KdfMemory::default();
        let s1 = HolderSecret::from_bytes([1, 2, 3, 4, 5]);
        let s2 = HolderSecret::from_bytes([1, 2, 3, 4, 6]);
        let k = EnvelopeKey::derive_with_secret(
            &c,
            Some(&s1),
            &cti,
            &p,
            EnvelopeLabel::FirstLevel,
            &mut mem,
        )
        .unwrap();
        assert!(k.with_secret());
        let ct = k.seal(&cti, b"hello");
        for other in [
            EnvelopeKey::derive(&c, &cti, &p, EnvelopeLabel::FirstLevel).unwrap(),
            EnvelopeKey::derive_with_secret(
                &c,
                Some(&s2),
                &cti,
                &p,
                EnvelopeLabel::FirstLevel,
                &mut mem,
            )
            .unwrap(),
        ] {
            assert_eq!(
                other.open(&cti, &ct).err(),
                Some(EnvelopeError::DoesNotOpen)
            );
        }
        assert_eq!(&k.open(&cti, &ct).unwrap()[..], b"hello");
    }

    #[test]
    fn reused_memory_gives_the_same_key() {
        let cti = [1u8; 8];
        let c = cf("RSSMRA85T10A562S");
        let mut mem = KdfMemory::default();
        for p in [
            KdfParams::INSECURE_TEST,
            KdfParams::new(2, 1, 1).unwrap(),
            KdfParams::INSECURE_TEST,
        ] {
            let a = EnvelopeKey::derive(&c, &cti, &p, EnvelopeLabel::FirstLevel).unwrap();
            let b = EnvelopeKey::derive_reusing(&c, &cti, &p, EnvelopeLabel::FirstLevel, &mut mem)
                .unwrap();
            assert_eq!(*a.key, *b.key);
        }
    }

    #[test]
    fn params_are_checked() {
        assert!(KdfParams::new(1, 1, 1).is_ok());
        assert!(KdfParams::new(0, 1, 1).is_err());
        assert!(KdfParams::new(1, 0, 1).is_err());
        assert!(KdfParams::new(1, 1, 0).is_err());
        assert!(KdfParams::new(1, 1, 256).is_err());
        // Regression: 4 TiB declared in MiB overflowed u32 when turned into KiB.
        assert!(KdfParams::new(4 * 1024 * 1024, 1, 1).is_err());
        assert!(KdfParams::new(u32::MAX, 1, 1).is_err());
        assert!(KdfLimits::default().allows(&KdfParams::DEFAULT));
        assert!(!KdfLimits::default().allows(&KdfParams::new(65, 1, 1).unwrap()));
        // The floor is the default: one MiB or one pass less is refused.
        let l = KdfLimits::default();
        assert_eq!(
            l.judge(&KdfParams::new(18, 2, 1).unwrap()),
            KdfVerdict::BelowFloor
        );
        assert_eq!(
            l.judge(&KdfParams::new(46, 1, 1).unwrap()),
            KdfVerdict::BelowFloor
        );
        assert_eq!(
            l.judge(&KdfParams::new(19, 3, 2).unwrap()),
            KdfVerdict::Allowed
        );
        assert_eq!(
            l.judge(&KdfParams::new(64, 8, 4).unwrap()),
            KdfVerdict::Allowed
        );
    }
}
