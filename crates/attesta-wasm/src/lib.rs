//! # attesta-wasm
//!
//! The attesta verifier and scanner for browsers: `attesta-verify` compiled
//! to WebAssembly behind a small JavaScript API (wasm-bindgen). The web app
//! in `web/` is its user; `web/build.sh` builds it.
//!
//! Results cross the boundary as JSON text, the same objects as `attesta
//! verify --json` (docs/verifier-guide.md), so that one schema serves the
//! command line, scripts and the page.
//!
//! ```js
//! import init, { WebVerifier, scanLive } from "./attesta_wasm.js";
//! await init();
//! const v = new WebVerifier(rootPem, savedStateJson);
//! v.useTrustList(trustBytes, Date.now());
//! v.addStatusList(statusBytes, Date.now());
//! const frame = ctx.getImageData(0, 0, w, h);
//! const { codes, cf } = JSON.parse(scanLive(w, h, frame.data));
//! const report = JSON.parse(v.verify(codes[0], cf, Date.now()));
//! // report.verdict: "valid" | "not_valid" | "cannot_verify"
//! ```
//!
//! A panic cannot be caught in `wasm32-unknown-unknown` (it aborts): the
//! library does not panic on input, and the page treats a trap as a
//! broken instance and loads a fresh one (see `web/engine.js`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod frames;
pub mod session;

use attesta_core::cf::CodiceFiscale;
use attesta_core::lang::Lang;
use attesta_verify::report::{Failure, VerificationReport};
use serde_json::json;
use wasm_bindgen::prelude::*;

use crate::frames::Effort;
use crate::session::{Level, Session};

/// A verifier held by the page. Times are milliseconds since the Unix
/// epoch (`Date.now()`); byte arguments are `Uint8Array`s; results are JSON
/// text.
#[wasm_bindgen]
pub struct WebVerifier(Session);

/// `"it"` or `"en"` (anything else: Italian, the default at the counter).
fn lang(tag: Option<String>) -> Lang {
    match tag.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::It,
    }
}

/// A list check: its summary with `"ok": true`, or the failure's report
/// with `"ok": false`.
fn json_result(r: Result<serde_json::Value, Failure>, lang: Lang) -> String {
    match r {
        Ok(mut v) => {
            v["ok"] = json!(true);
            v.to_string()
        }
        Err(f) => {
            let mut v =
                serde_json::to_value(VerificationReport::failure(&f, lang)).unwrap_or_default();
            v["ok"] = json!(false);
            v.to_string()
        }
    }
}

fn report_json(r: &VerificationReport) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

#[wasm_bindgen]
impl WebVerifier {
    /// Pins the root key (`root.key.pub`, PEM) and restores the state saved
    /// by [`WebVerifier::state`] (empty string on a new device).
    #[wasm_bindgen(constructor)]
    pub fn new(root_pem: &str, state_json: &str) -> Result<WebVerifier, JsError> {
        Ok(WebVerifier(Session::new(root_pem, state_json)?))
    }

    /// The state to persist after every call (rollback protection, denied
    /// keys, clock floor).
    pub fn state(&self) -> String {
        self.0.state_json()
    }

    /// The kid of the pinned root key.
    #[wasm_bindgen(js_name = rootKid)]
    pub fn root_kid(&self) -> String {
        self.0.root_kid()
    }

    /// Refuse codes whose revocation cannot be checked.
    #[wasm_bindgen(js_name = setRequireRevocation)]
    pub fn set_require_revocation(&mut self, require: bool) {
        self.0.set_require_revocation(require);
    }

    /// Would this trust list be accepted now? `{"ok": true, "sequence", …}`
    /// or `{"ok": false, "reason", "message", …}`. Changes nothing.
    #[wasm_bindgen(js_name = checkTrustList)]
    pub fn check_trust_list(&self, bytes: &[u8], now_ms: f64, lang_tag: Option<String>) -> String {
        json_result(self.0.check_trust_list(bytes, now_ms), lang(lang_tag))
    }

    /// Makes this the trust list (kept even when refused, so that
    /// verifications say why).
    #[wasm_bindgen(js_name = useTrustList)]
    pub fn use_trust_list(
        &mut self,
        bytes: &[u8],
        now_ms: f64,
        lang_tag: Option<String>,
    ) -> String {
        json_result(self.0.use_trust_list(bytes, now_ms), lang(lang_tag))
    }

    /// Would this status list load now? Changes nothing.
    #[wasm_bindgen(js_name = checkStatusList)]
    pub fn check_status_list(&self, bytes: &[u8], now_ms: f64, lang_tag: Option<String>) -> String {
        json_result(self.0.check_status_list(bytes, now_ms), lang(lang_tag))
    }

    /// Adds a status list (kept even when refused).
    #[wasm_bindgen(js_name = addStatusList)]
    pub fn add_status_list(
        &mut self,
        bytes: &[u8],
        now_ms: f64,
        lang_tag: Option<String>,
    ) -> String {
        json_result(self.0.add_status_list(bytes, now_ms), lang(lang_tag))
    }

    /// Forgets every status list.
    #[wasm_bindgen(js_name = clearStatusLists)]
    pub fn clear_status_lists(&mut self) {
        self.0.clear_status_lists();
    }

    /// The lists and whether each is usable now (reasons in `lang`).
    pub fn lists(&self, now_ms: f64, lang_tag: Option<String>) -> String {
        self.0.lists(now_ms, lang(lang_tag)).to_string()
    }

    /// The KDF floor in MiB and passes (default 19 and 2, the issuing
    /// default). For the published test vectors, which mostly use cheap
    /// parameters; the app never lowers it.
    #[wasm_bindgen(js_name = setKdfFloor)]
    pub fn set_kdf_floor(&mut self, min_memory_mib: u32, min_iterations: u32) {
        self.0.set_kdf_floor(min_memory_mib, min_iterations);
    }

    /// Verifies a code (bare, or wrapped in a verifier address) with the
    /// holder's codice fiscale as typed (`undefined`: only the checks that
    /// need none, which also tell whether the code needs the holder's
    /// secret) and secret (`undefined` when the code needs none). Returns
    /// the object of `attesta verify --json --lang LANG`. `level`: 0 (or
    /// `undefined`) follows the code's prefix, 1 insists on an
    /// attestation, 2 on a second-level token.
    pub fn verify(
        &mut self,
        text: &str,
        cf: Option<String>,
        secret: Option<String>,
        now_ms: f64,
        level: Option<u8>,
        lang_tag: Option<String>,
    ) -> String {
        let level = match level {
            Some(1) => Level::First,
            Some(2) => Level::Second,
            _ => Level::Auto,
        };
        let outcome = self
            .0
            .verify(text, cf.as_deref(), secret.as_deref(), now_ms, level);
        report_json(&outcome.report(lang(lang_tag)))
    }

    /// The last verification's report again, in `lang` (for the language
    /// switch: no second verification).
    #[wasm_bindgen(js_name = lastReport)]
    pub fn last_report(&self, lang_tag: Option<String>) -> Option<String> {
        self.0.last_report(lang(lang_tag)).map(|r| report_json(&r))
    }

    /// Forgets the last verification.
    #[wasm_bindgen(js_name = forgetLast)]
    pub fn forget_last(&mut self) {
        self.0.forget_last();
    }

    /// Unlocks the stored operator key (from [`wrap_operator_key`]) for
    /// second-level tokens: `{"public_key", "accredited_as": [{id, name}]}`.
    #[wasm_bindgen(js_name = unlockOperatorKey)]
    pub fn unlock_operator_key(
        &mut self,
        wrapped_pem: &str,
        passphrase: &str,
        now_ms: f64,
    ) -> Result<String, JsError> {
        Ok(self
            .0
            .unlock_operator_key(wrapped_pem, passphrase, now_ms)?
            .to_string())
    }

    /// Forgets the operator key.
    #[wasm_bindgen(js_name = forgetOperatorKey)]
    pub fn forget_operator_key(&mut self) {
        self.0.forget_operator_key();
    }

    /// Whether an operator key is loaded.
    #[wasm_bindgen(js_name = hasOperatorKey)]
    pub fn has_operator_key(&self) -> bool {
        self.0.has_operator_key()
    }
}

/// Scans one live camera frame (RGBA): QR codes with the fast steps, and
/// the codice fiscale from a tessera sanitaria's Code 39 barcode.
/// `{"codes": [...], "cf": "…" | null, "error": null | {"reason", "message"}}`.
#[wasm_bindgen(js_name = scanLive)]
pub fn scan_live(width: u32, height: u32, rgba: &[u8]) -> String {
    frames::scan_rgba(width, height, rgba, Effort::Live).to_string()
}

/// Scans a photo the browser decoded (RGBA) with the whole pipeline.
#[wasm_bindgen(js_name = scanPhoto)]
pub fn scan_photo(width: u32, height: u32, rgba: &[u8]) -> String {
    frames::scan_rgba(width, height, rgba, Effort::Photo).to_string()
}

/// Checks a codice fiscale as typed: `{"valid": true, "cf": normalised}`
/// or `{"valid": false, "reason": "cf_…", "message": "…"}`, the message in
/// `lang` from the verifier's catalog (it says which position is wrong).
#[wasm_bindgen(js_name = checkCf)]
pub fn check_cf(text: &str, lang_tag: Option<String>) -> String {
    match CodiceFiscale::parse(text) {
        Ok(cf) => json!({"valid": true, "cf": cf.as_str()}),
        Err(e) => json!({
            "valid": false,
            "reason": e.code(),
            "message": e.message(lang(lang_tag)),
        }),
    }
    .to_string()
}

/// Re-wraps an operator key file (PKCS#8 PEM; `file_passphrase` empty for
/// an unencrypted file) under `storage_passphrase` (at least 8
/// characters) as encrypted PKCS#8 (PBES2: scrypt and AES-256), for the
/// page to store. The raw key never leaves the WebAssembly.
#[wasm_bindgen(js_name = wrapOperatorKey)]
pub fn wrap_operator_key(
    pem: &str,
    file_passphrase: &str,
    storage_passphrase: &str,
) -> Result<String, JsError> {
    Ok(session::wrap_operator_key(pem, file_passphrase, storage_passphrase)?.to_string())
}

/// Checks a holder's secret as typed (9 symbols with a check character):
/// `{"valid": true}` or `{"valid": false, "reason", "message"}` in `lang`.
#[wasm_bindgen(js_name = checkSecret)]
pub fn check_secret(text: &str, lang_tag: Option<String>) -> String {
    match attesta_core::secret::HolderSecret::parse(text) {
        Ok(_) => json!({"valid": true}),
        Err(e) => json!({"valid": false, "reason": e.code(), "message": e.message(lang(lang_tag))}),
    }
    .to_string()
}

/// The report for a device without lists (no root key or trust list yet):
/// cannot verify, `list_unreadable`, in `lang`.
#[wasm_bindgen(js_name = noListsReport)]
pub fn no_lists_report(lang_tag: Option<String>) -> String {
    report_json(&VerificationReport::failure(
        &Failure::ListUnreadable,
        lang(lang_tag),
    ))
}
