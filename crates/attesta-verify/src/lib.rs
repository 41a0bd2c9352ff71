//! # attesta-verify
//!
//! Offline verification of attesta codes: signed trust lists pinned to a
//! root key, validity with explicit clock skew and a clock floor,
//! revocation through IETF Token Status Lists, the codice fiscale binding,
//! and (feature `image`, on by default) reading codes from photos and
//! camera frames, and the codice fiscale from a tessera sanitaria's barcode.
//!
//! Start with [`verifier::Verifier`]. Every outcome has one of three
//! [`verdict::Verdict`]s, a message in Italian and English
//! ([`messages`]), and a JSON form ([`report::VerificationReport`]) that is
//! the same object `attesta verify --json` prints.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "image")]
pub mod barcode;
pub mod messages;
pub mod report;
#[cfg(feature = "image")]
pub mod scan;
pub mod status_list;
pub mod trust;
pub mod verdict;
pub mod verifier;

pub use verdict::Verdict;
pub use verifier::{
    CheckedCredential, CheckedToken, Policy, Revocation, VerifiedAttestation, VerifiedDetails,
    Verifier, VerifyError,
};
