//! The CBOR pre-parse guard against ciborium: whatever the guard lets
//! through must be parsed by ciborium without a panic or a stack overflow
//! (ciborium's own recursion limit is not relied on), and never yield
//! more than one item.
#![no_main]

use attesta_core::cbor_guard::{CborLimits, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for limits in [CborLimits::STRICT, CborLimits::GENERIC] {
        if check(data, limits).is_ok() {
            let mut r = data;
            let v = ciborium::de::from_reader_with_recursion_limit::<ciborium::Value, _>(
                &mut r,
                limits.max_depth + 2,
            );
            if v.is_ok() {
                assert!(r.is_empty(), "guard accepted trailing bytes");
            }
        }
    }
});
