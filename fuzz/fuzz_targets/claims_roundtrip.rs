//! ClaimSet: whatever parses writes back deterministically, and the
//! written bytes parse to the same entries (same keys, same values).
#![no_main]

use attesta_core::cbor_guard::CborLimits;
use attesta_core::claims::ClaimSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for limits in [CborLimits::STRICT, CborLimits::GENERIC] {
        let Ok(c) = ClaimSet::parse(data, limits) else {
            continue;
        };
        let bytes = c.to_vec();
        let back = ClaimSet::parse(&bytes, limits).expect("written claims parse");
        // Compared as encoded CBOR: a NaN value is not equal to itself.
        let enc = |c: &ClaimSet| {
            let mut e: Vec<(i64, Vec<u8>)> = c
                .entries()
                .iter()
                .map(|(k, v)| {
                    let mut b = Vec::new();
                    ciborium::into_writer(v, &mut b).expect("encode");
                    (*k, b)
                })
                .collect();
            e.sort();
            e
        };
        assert_eq!(enc(&c), enc(&back));
        // Deterministic: writing again gives the same bytes.
        assert_eq!(back.to_vec(), bytes);
        let _ = c.status();
        let _ = c.time(4, "exp");
    }
});
