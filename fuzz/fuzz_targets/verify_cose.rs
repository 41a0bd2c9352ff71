//! COSE/CWT parsing through the verifier: the fuzzed bytes are the COSE
//! structure (or zlib stream) itself, wrapped as `AT1:`/`AD1:` + base45,
//! so that every input gets past the text layer. Also the COSE layer on
//! its own with both CBOR limit sets.
#![no_main]

use attesta_core::cbor_guard::CborLimits;
use attesta_core::cose::UnverifiedSign1;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for limits in [CborLimits::STRICT, CborLimits::GENERIC] {
        if let Ok(u) = UnverifiedSign1::parse(data, limits) {
            let _ = u.verify(&attesta_fuzz::ISSUER.public_key());
        }
    }
    let body = base45::encode(data);
    attesta_fuzz::verify_all(&format!("AT1:{body}"));
    attesta_fuzz::verify_all(&format!("AD1:{body}"));
});
