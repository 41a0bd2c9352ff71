//! # attesta-pkcs11
//!
//! Ed25519 signing keys that never leave a hardware security module:
//! a [`Pkcs11Key`] implements attesta-core's
//! [`Signer`](attesta_core::signer::Signer), so first-level codes,
//! second-level tokens, trust lists and status lists are signed in the
//! token through PKCS#11 (`C_Sign`, CKM_EDDSA) exactly as they are with a
//! key file, byte for byte.
//!
//! Keys are named by RFC 7512 URIs ([`Pkcs11Uri`]); the module (the
//! vendor's `.so`) comes from `module-path=` in the URI or the
//! `ATTESTA_PKCS11_MODULE` environment variable ([`MODULE_ENV`]); the PIN
//! is given by the caller (the `attesta` CLI reads it from `pin-source=`,
//! `ATTESTA_PKCS11_PIN` or a prompt, never from an argument).
//!
//! ```no_run
//! use attesta_core::cf::CodiceFiscale;
//! use attesta_core::credential::{issue_first_level, FirstLevelRequest};
//! use attesta_core::envelope::KdfParams;
//! use attesta_core::model::{Attestation, HandicapGrade};
//! use attesta_pkcs11::{Pin, Pkcs11Key, Pkcs11Uri};
//! use jiff::{Timestamp, ToSpan};
//!
//! // ATTESTA_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so
//! let uri: Pkcs11Uri = "pkcs11:token=attesta;object=issuer-2026".parse()?;
//! let key = Pkcs11Key::open(&uri, Some(Pin::new(std::env::var("ATTESTA_PKCS11_PIN")?.into())))?;
//! let now = Timestamp::now();
//! let code = issue_first_level(&key, &CodiceFiscale::parse("RSSMRA85T10A562S")?, &FirstLevelRequest {
//!     attestation: Attestation::builder().handicap(HandicapGrade::Comma3Grave).build()?,
//!     issued_at: now,
//!     not_before: None,
//!     expires_at: now + 24.hours() * 365,
//!     status: None,
//!     issuer: None,
//!     kdf: KdfParams::DEFAULT,
//! })?;
//! println!("{}", code.text());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
mod key;
#[doc(hidden)]
pub mod testing;
mod token;
pub mod uri;

pub use error::{Pkcs11Error, TriesLeft};
pub use key::{Generated, Pkcs11Key, generate};
#[doc(hidden)]
pub use key::{LOGOUT_EVERY_ENV, LOSE_SIGNATURE_ENV};
pub use token::{MODULE_ENV, Pin, finalize_modules, module_path};
pub use uri::{Pkcs11Uri, is_pkcs11_uri};
