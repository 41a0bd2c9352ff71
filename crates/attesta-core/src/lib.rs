//! # attesta-core
//!
//! The attesta credential format: the domain model of Italian civil
//! disability statuses, the validated [`cf::CodiceFiscale`], Ed25519 keys,
//! the signed (COSE_Sign1) and sealed (Argon2id + ChaCha20-Poly1305)
//! first-level payload, its QR text (`AT1:` + base45), generic decoding of
//! any COSE/CWT QR code. Pixels (drawing and reading QR
//! codes) are in `attesta-qr`.
//!
//! Verification policy (trust lists, validity, revocation) lives in the
//! `attesta-verify` crate; this crate only knows the format.
//!
//! ```
//! use attesta_core::cf::CodiceFiscale;
//! use attesta_core::credential::{issue_first_level, FirstLevelRequest};
//! use attesta_core::envelope::KdfParams;
//! use attesta_core::keys::SigningKey;
//! use attesta_core::model::{Attestation, HandicapGrade};
//! use jiff::{Timestamp, ToSpan};
//!
//! let key = SigningKey::generate()?;
//! let cf = CodiceFiscale::parse("RSSMRA85T10A562S")?;
//! let now = Timestamp::now();
//! let code = issue_first_level(&key, &cf, &FirstLevelRequest {
//!     attestation: Attestation::builder().handicap(HandicapGrade::Comma3Grave).build()?,
//!     issued_at: now,
//!     not_before: None,
//!     expires_at: now + 24.hours() * 365,
//!     status: None,
//!     issuer: None,
//!     kdf: KdfParams::DEFAULT,
//! })?;
//! println!("{}", code.text()); // AT1:…
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod benefits;
pub mod cbor_guard;
pub mod cf;
pub mod claims;
mod code_kind;
pub mod cose;
pub mod credential;
pub mod details_issuing;
pub mod envelope;
pub mod error;
pub mod inspect;
pub mod keys;
pub mod lang;
pub mod model;
pub mod operator_key;
pub mod rules;
pub mod second_level;
pub mod secret;
pub mod signer;
pub mod status_list;
pub mod text;
pub mod trust_list;

pub use error::FormatError;
