//! RFC 9180 HPKE in base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256
//! and ChaCha20-Poly1305, used to seal second-level details that issuance
//! refuses to seal.
//!
//! The sealing is hpke-rs's with its libcrux backend: an implementation
//! written apart from the `hpke` crate that attesta-core seals with, down
//! to the primitives (libcrux's X25519, HKDF and ChaCha20-Poly1305, not
//! RustCrypto's), so a token sealed here checks the library rather than
//! repeating it. `level2::second_level_review` checks once that it seals a
//! genuine token's details byte for byte as the library does.
//!
//! Vectors are deterministic: the sender's ephemeral key is RFC 9180's
//! `DeriveKeyPair(ikm_e)` with `ikm_e` given by the caller. hpke-rs draws
//! `ikm_e` (Nsk = 32 bytes) from the PRNG it is built with, and its DHKEM
//! `Encap` derives the ephemeral key pair from them; the PRNG here is a
//! one-shot source of exactly those bytes (hpke-rs's documented way to
//! replay known-answer randomness: `HpkeLibcrux<R>` with `new_with_rng`).

use std::fmt;

use hpke_rs::hpke_types::{AeadAlgorithm, KdfAlgorithm, KemAlgorithm};
use hpke_rs::libcrux::HpkeLibcrux;
use hpke_rs::{Hpke, HpkePublicKey, Mode};
use rand_core::{TryCryptoRng, TryRng};

/// RFC 9180 single-shot `Seal` in base mode, the sender's ephemeral key
/// `DeriveKeyPair(ikm_e)`: returns (enc, ciphertext).
pub(crate) fn hpke_seal(
    pk_r: &[u8; 32],
    ikm_e: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    pt: &[u8],
) -> ([u8; 32], Vec<u8>) {
    let mut hpke = Hpke::<HpkeLibcrux<EphemeralInput>>::new_with_rng(
        Mode::Base,
        KemAlgorithm::DhKem25519,
        KdfAlgorithm::HkdfSha256,
        AeadAlgorithm::ChaCha20Poly1305,
        EphemeralInput(Some(*ikm_e)),
    );
    let (enc, ct) = hpke
        .seal(
            &HpkePublicKey::new(pk_r.to_vec()),
            info,
            aad,
            pt,
            None,
            None,
            None,
        )
        .expect("HPKE seal to an X25519 key");
    let enc = enc.try_into().expect("a 32-byte X25519 enc");
    (enc, ct)
}

/// The "randomness" of one seal: `ikm_e`, given once, then nothing. Any
/// other draw is an error, so a change in how hpke-rs draws its randomness
/// fails loudly instead of changing the vectors.
struct EphemeralInput(Option<[u8; 32]>);

#[derive(Debug)]
struct UnexpectedDraw;

impl fmt::Display for UnexpectedDraw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HPKE asked for randomness other than the one 32-byte ikm_e")
    }
}

impl std::error::Error for UnexpectedDraw {}

impl TryRng for EphemeralInput {
    type Error = UnexpectedDraw;

    fn try_next_u32(&mut self) -> Result<u32, UnexpectedDraw> {
        Err(UnexpectedDraw)
    }

    fn try_next_u64(&mut self) -> Result<u64, UnexpectedDraw> {
        Err(UnexpectedDraw)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), UnexpectedDraw> {
        match self.0.take() {
            Some(ikm) if dst.len() == ikm.len() => {
                dst.copy_from_slice(&ikm);
                Ok(())
            }
            _ => Err(UnexpectedDraw),
        }
    }
}

impl TryCryptoRng for EphemeralInput {}
