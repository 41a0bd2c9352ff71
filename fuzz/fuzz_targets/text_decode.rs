//! QR text decoding: prefix, base45, zlib, COSE header rules, and the
//! generic decoder of `attesta decode` (any COSE/CWT-in-QR family).
#![no_main]

use attesta_core::credential::FirstLevelCode;
use attesta_core::inspect::inspect;
use attesta_core::second_level::SecondLevelCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = FirstLevelCode::parse(&text);
    let _ = SecondLevelCode::parse(&text);
    if let Ok(i) = inspect(&text) {
        // The JSON view is what `attesta decode --json` prints.
        let _ = serde_json::to_string(&i);
    }
});
