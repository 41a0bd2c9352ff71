//! The verifier end to end on arbitrary text: a fixed trust list (the
//! vectors' root and issuers), a fixed status list, both levels, and the
//! CF step when step 1 passes. Seeds are the vectors' QR texts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    attesta_fuzz::verify_all(&text);
});
