//! # attesta-verify
//!
//! Offline verification of attesta codes: signed trust lists pinned to a
//! root key, validity with explicit clock skew and a clock floor,
//! revocation through IETF Token Status Lists, the codice fiscale binding,
//! and (feature `image`, on by default) reading codes from photos.
//!
//! Start with [`verifier::Verifier`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "image")]
pub mod scan;
pub mod status_list;
pub mod trust;
pub mod verifier;

pub use verifier::{
    CheckedCredential, CheckedToken, Policy, Revocation, VerifiedAttestation, VerifiedDetails,
    Verifier, VerifyError,
};
