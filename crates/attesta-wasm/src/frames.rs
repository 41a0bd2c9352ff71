//! Camera frames and photos in, code texts out.
//!
//! The page draws a video frame (or a photo the browser decoded with
//! `createImageBitmap`) on a canvas and passes its RGBA pixels here: no
//! image codec is compiled into the WebAssembly.

use attesta_qr::barcode::read_cf_barcode;
use attesta_qr::scan::{Frame, ScanError, scan_frame, scan_live_frame};
use serde_json::{Value, json};

/// How hard to look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effort {
    /// A live camera frame: the fast steps only, and the tessera
    /// sanitaria's barcode.
    Live,
    /// A photo the user picked: the whole pipeline, QR codes only.
    Photo,
}

/// Scans RGBA pixels. The result:
/// `{"codes": [texts…], "cf": "RSSMRA85T10A562S" | null, "error": null | {"reason", "message"}}`
/// where `error` says why no code was read (`no_code_found`,
/// `code_too_small`, `code_cut_off`, `code_blurred`, …: [`ScanError::code`]) for advice on
/// screen.
pub fn scan_rgba(width: u32, height: u32, rgba: &[u8], effort: Effort) -> Value {
    let frame = match Frame::from_rgba(width, height, rgba) {
        Ok(f) => f,
        Err(e) => return json!({"codes": [], "cf": null, "error": error_json(&e)}),
    };
    let scanned = match effort {
        Effort::Live => scan_live_frame(&frame),
        Effort::Photo => scan_frame(&frame),
    };
    let cf = match effort {
        Effort::Live => read_cf_barcode(&frame).map(|cf| cf.as_str().to_owned()),
        Effort::Photo => None,
    };
    match scanned {
        Ok(codes) => json!({"codes": codes, "cf": cf, "error": null}),
        Err(e) => json!({"codes": [], "cf": cf, "error": error_json(&e)}),
    }
}

fn error_json(e: &ScanError) -> Value {
    json!({"reason": e.code(), "message": e.to_string()})
}
