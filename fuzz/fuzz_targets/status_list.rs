//! Status List Tokens: `StatusListToken::parse_unverified`,
//! `StatusListToken::from_unverified_payload`, and the verifier's
//! `add_status_list` on the fuzzed bytes signed by the trusted issuer
//! (so the claims and the zlib list are parsed behind a valid signature).
#![no_main]

use attesta_core::cose;
use attesta_verify::status_list::{MEDIA_TYPE, StatusListToken};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = StatusListToken::parse_unverified(data);
    if let Ok(t) = StatusListToken::from_unverified_payload(data) {
        let _ = t.list.get(0);
        let _ = t.list.get(t.list.capacity());
        let _ = format!("{:?}", t.list);
    }
    let signed = cose::sign(&attesta_fuzz::ISSUER, data.to_vec(), Some(MEDIA_TYPE));
    let mut v = attesta_fuzz::verifier();
    let _ = v.add_status_list(data, attesta_fuzz::now());
    let _ = v.add_status_list(&signed, attesta_fuzz::now());
});
