//! Trust lists: a fixed root, `TrustList::verify_signature`,
//! `TrustList::from_unverified_payload` (what `attesta trust show` reads),
//! and `TrustState::accept`. The fuzzed bytes are also signed by the root,
//! as a payload, so the claim parser is reached behind a valid signature.
#![no_main]

use attesta_core::cose;
use attesta_verify::trust::{TRUST_LIST_TYP, TrustList, TrustPolicy, TrustState};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let root = attesta_fuzz::root();
    let pk = root.public_key();
    let _ = TrustList::verify_signature(data, &pk);
    let _ = TrustList::from_unverified_payload(data);
    let signed = cose::sign(&root, data.to_vec(), Some(TRUST_LIST_TYP));
    let mut state = TrustState::default();
    if let Ok(list) = state.accept(&signed, &pk, attesta_fuzz::now(), &TrustPolicy::default()) {
        // An accepted list re-signs and reads back the same.
        let again = list.sign(&root, list.issued_at.unwrap(), list.expires_at.unwrap());
        let back = TrustList::verify_signature(&again, &pk).expect("re-signed list");
        assert_eq!(back, list);
    }
});
