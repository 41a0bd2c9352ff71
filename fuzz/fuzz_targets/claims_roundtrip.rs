//! ClaimSet: whatever parses under the strict limits of attesta's own
//! documents writes back deterministically, and the written bytes parse
//! to the same entries (same keys, same values). Under the generic limits
//! (foreign codes, display only) parsing must merely not panic: there
//! ciborium reads a bignum `3(h'')` as -1, so a round trip may change the
//! bytes.
#![no_main]

use attesta_core::cbor_guard::CborLimits;
use attesta_core::claims::ClaimSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for limits in [CborLimits::STRICT, CborLimits::GENERIC] {
        let Ok(c) = ClaimSet::parse(data, limits) else {
            continue;
        };
        if limits == CborLimits::GENERIC {
            let _ = c.to_vec();
            continue;
        }
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
