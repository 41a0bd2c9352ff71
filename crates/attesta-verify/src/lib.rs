//! # attesta-verify
//!
//! Offline verification of attesta codes: signed trust lists pinned to a
//! root key, validity with explicit clock skew and a clock floor,
//! revocation through IETF Token Status Lists and the codice fiscale binding.
//! It works on code texts; reading them from photos and camera frames is
//! `attesta-qr`'s job, so this crate builds for WebAssembly without any
//! image code.
//!
//! Start with [`verifier::Verifier`]. Every outcome has one of three
//! [`verdict::Verdict`]s, a message in Italian and English
//! ([`messages`]), and a JSON form ([`report::VerificationReport`]) that is
//! the same object `attesta verify --json` prints.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
pub mod level;
pub mod messages;
mod policy;
pub mod report;
mod revocation;
mod step_one;
pub mod trust;
mod trusted_key;
pub mod verdict;
pub mod verifier;

pub use verdict::Verdict;
pub use verifier::{
    CheckedCredential, CheckedToken, Policy, Revocation, VerifiedAttestation, VerifiedDetails,
    Verifier, VerifyError,
};
