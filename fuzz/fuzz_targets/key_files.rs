//! Key files: Ed25519 (PKCS#8, encrypted PKCS#8, SPKI) and X25519
//! operator keys (PKCS#8, SPKI). Accepted keys must round-trip.
#![no_main]

use attesta_core::keys::{PublicKey, SigningKey};
use attesta_core::operator_key::{OperatorPublicKey, OperatorSecretKey, is_operator_key_pem};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for pass in [None, Some(&b"pw"[..])] {
        if let Ok(k) = SigningKey::from_pkcs8_pem(&text, pass) {
            let pem = k.to_pkcs8_pem(None).expect("encode");
            let back = SigningKey::from_pkcs8_pem(&pem, None).expect("round trip");
            assert_eq!(back.public_key(), k.public_key());
        }
        if let Ok(k) = OperatorSecretKey::from_pkcs8_pem(&text, pass) {
            let pem = k.to_pkcs8_pem(None).expect("encode");
            let back = OperatorSecretKey::from_pkcs8_pem(&pem, None).expect("round trip");
            assert_eq!(back.public_key(), k.public_key());
        }
    }
    if let Ok(k) = PublicKey::from_pem(&text) {
        assert_eq!(PublicKey::from_pem(&k.to_pem()).expect("round trip"), k);
    }
    if let Ok(k) = OperatorPublicKey::from_pem(&text) {
        assert_eq!(
            OperatorPublicKey::from_pem(&k.to_pem()).expect("round trip"),
            k
        );
    }
    let _ = is_operator_key_pem(&text);
});
