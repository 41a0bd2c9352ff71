//! # attesta-qr
//!
//! QR symbols to and from pixels: [`render`] draws an attestation text as a
//! QR code (PNG, SVG, Unicode blocks), [`scan`] reads codes back from
//! photos, scans and camera frames, and [`barcode`] reads the codice
//! fiscale from the Code 39 barcode of a tessera sanitaria.
//!
//! The format itself (what the text means, signatures, sealing) is in
//! `attesta-core`; the acceptance rules in `attesta-verify`. Neither knows
//! about pixels, so an issuer or an embedded verifier takes only what it
//! needs.
//!
//! Frames come in as raw luma or RGBA ([`scan::Frame`]). PNG and JPEG
//! files ([`render::QrSymbol::to_png`], [`scan::scan_image_bytes`]) need
//! the `codecs` feature, on by default; a WebAssembly build turns it off
//! and carries no image codecs.
//!
//! ```
//! use attesta_qr::render::{EcLevel, QrSymbol};
//! use attesta_qr::scan::{scan_frame, Frame};
//!
//! // Draw the code at 4 px per module with a 4-module quiet zone ...
//! let text = "AT1:NCFOXN%TS3DH";
//! let symbol = QrSymbol::encode(text, EcLevel::Q)?;
//! let side = (symbol.width() + 8) * 4;
//! let luma = (0..side * side)
//!     .map(|i| {
//!         let (x, y) = ((i % side / 4).wrapping_sub(4), (i / side / 4).wrapping_sub(4));
//!         if symbol.is_dark(x, y) { 0 } else { 255 }
//!     })
//!     .collect();
//! // ... and read it back.
//! let frame = Frame::from_luma(side as u32, side as u32, luma)?;
//! assert_eq!(scan_frame(&frame)?, [text]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod barcode;
pub mod render;
pub mod scan;
