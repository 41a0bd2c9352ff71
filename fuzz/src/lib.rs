//! Fixtures shared by the fuzz targets: the keys, trust list and status
//! list of the test vectors (test-vectors/README.md), so that seeds taken
//! from the vectors verify and the fuzzer starts deep inside the verifier.

use std::sync::LazyLock;

use attesta_core::cf::CodiceFiscale;
use attesta_core::envelope::KdfLimits;
use attesta_core::keys::SigningKey;
use attesta_core::operator_key::OperatorSecretKey;
use attesta_verify::status_list::{CredentialStatus, StatusBits, StatusList, StatusListToken};
use attesta_verify::trust::{OperatorEntry, TrustList, TrustState};
use attesta_verify::verifier::{Policy, Verifier};
use jiff::Timestamp;

/// The vectors' verification time.
pub fn now() -> Timestamp {
    "2026-11-15T00:00:00Z".parse().expect("fixed time")
}

/// The root key the verifier pins (vectors: seed 0x11).
pub fn root() -> SigningKey {
    SigningKey::from_seed(&[0x11; 32])
}

/// Issuer INPS (vectors: seed 0x22).
pub fn issuer() -> SigningKey {
    SigningKey::from_seed(&[0x22; 32])
}

/// Operator comune-bo (vectors: secret 0x77).
pub fn operator() -> OperatorSecretKey {
    OperatorSecretKey::from_bytes(&[0x77; 32]).expect("operator key")
}

/// The holder's CF of most vectors.
pub fn cf() -> CodiceFiscale {
    CodiceFiscale::parse("RSSMRA85T10A562S").expect("cf")
}

/// KDF limits low enough that every opening the fuzzer reaches costs at
/// most a millisecond or two of Argon2id.
pub const TINY_KDF: KdfLimits = KdfLimits {
    max_memory_mib: 1,
    max_iterations: 2,
    max_parallelism: 2,
    min_memory_mib: 1,
    min_iterations: 1,
};

/// The signed trust list: INPS (0x22) and ASL-BO (0x33), operator comune-bo.
pub fn trust_list_bytes() -> Vec<u8> {
    let mut list = TrustList {
        seq: 1,
        ..TrustList::default()
    };
    list.add_issuer("INPS", issuer().public_key(), None)
        .expect("issuer");
    list.add_issuer(
        "ASL-BO",
        SigningKey::from_seed(&[0x33; 32]).public_key(),
        None,
    )
    .expect("issuer");
    list.add_operator(OperatorEntry {
        id: "comune-bo".into(),
        name: "Comune di Bologna".into(),
        sealing_key: operator().public_key().to_bytes(),
        valid_from: None,
        valid_until: None,
    })
    .expect("operator");
    list.sign(
        &root(),
        "2026-11-10T00:00:00Z".parse().expect("t"),
        "2026-12-10T00:00:00Z".parse().expect("t"),
    )
}

/// INPS's status list "1": 1024 entries, a few revoked.
pub fn status_list_bytes() -> Vec<u8> {
    let mut l = StatusList::new(1024, StatusBits::One).expect("list");
    for i in [3, 5, 100, 1000] {
        l.set(i, CredentialStatus::Revoked).expect("set");
    }
    let t = StatusListToken::new("1", "2026-11-14T00:00:00Z".parse().expect("t"), l);
    t.sign(&issuer())
}

/// A verifier over the fixtures, with [`TINY_KDF`].
pub fn verifier() -> Verifier {
    let mut state = TrustState::default();
    let policy = Policy {
        kdf_limits: TINY_KDF,
        ..Policy::default()
    };
    let mut v = Verifier::new(
        &trust_list_bytes(),
        &root().public_key(),
        &mut state,
        policy,
        now(),
    )
    .expect("fixture trust list");
    v.add_status_list(&status_list_bytes(), now())
        .expect("fixture status list");
    v
}

/// One verifier per fuzzing process.
pub static VERIFIER: LazyLock<Verifier> = LazyLock::new(verifier);
/// The operator key, built once.
pub static OPERATOR: LazyLock<OperatorSecretKey> = LazyLock::new(operator);
/// The issuer key, built once.
pub static ISSUER: LazyLock<SigningKey> = LazyLock::new(issuer);

/// Runs the whole verification of a text as an operator would: both
/// levels, and when step 1 passes, step 2 with the fixed CF. A code that
/// passes everything must be one the issuer key really signed: the
/// caller asserts what it knows.
pub fn verify_all(text: &str) {
    let v = &*VERIFIER;
    let cf = cf();
    if let Ok(c) = v.check(text, now()) {
        let _ = c.open(&cf);
        let _ = c.open_str("MRTMTT25D09F205Z");
    }
    if let Ok(c) = v.check_second_level(text, &OPERATOR, now()) {
        let _ = c.open_str(&OPERATOR, cf.as_str());
    }
}
