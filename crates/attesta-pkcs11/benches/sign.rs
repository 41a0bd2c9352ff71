//! Signing through PKCS#11 (SoftHSM2) against signing in process, and a
//! batch at the default KDF with the issuer key in the token against the
//! same batch with the key in memory, in one run.
//!
//! `cargo bench -p attesta-pkcs11 --bench sign` (needs Debian's softhsm2;
//! the token lives in a temporary directory).

use std::hint::black_box;
use std::sync::Arc;

use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::StatusRef;
use attesta_core::credential::{FirstLevelRequest, issue_first_level_reusing};
use attesta_core::envelope::{KdfMemory, KdfParams};
use attesta_core::keys::SigningKey;
use attesta_core::model::{Attestation, HandicapGrade, InvalidityAssessment};
use attesta_core::signer::Signer;
use attesta_pkcs11::testing::{self, SoftHsm};
use attesta_pkcs11::{Pin, Pkcs11Key};
use criterion::{Criterion, Throughput};
use jiff::{SignedDuration, Timestamp};
use rayon::prelude::*;

const PIN: &str = "123456";
/// Rows per batch iteration: 8 per worker on 2 workers.
const ROWS: u64 = 16;

fn request() -> FirstLevelRequest {
    let iat = Timestamp::from_second(1_795_000_000).unwrap();
    FirstLevelRequest {
        attestation: Attestation::builder()
            .invalidity(InvalidityAssessment::From74)
            .handicap(HandicapGrade::Comma3Grave)
            .build()
            .unwrap(),
        issued_at: iat,
        not_before: None,
        expires_at: iat + SignedDuration::from_hours(24 * 365),
        status: Some(StatusRef {
            idx: 4_123_456,
            uri: "1".into(),
        }),
        issuer: None,
        kdf: KdfParams::DEFAULT,
    }
}

/// `ROWS` first-level codes at the default KDF on a 2-thread pool, each
/// worker reusing its Argon2id memory, as `attesta issue --batch` does.
fn batch(pool: &rayon::ThreadPool, key: &(dyn Signer + Sync), cf: &CodiceFiscale) {
    thread_local! {
        static MEM: std::cell::RefCell<KdfMemory> = std::cell::RefCell::default();
    }
    let req = request();
    pool.install(|| {
        (0..ROWS).into_par_iter().for_each(|_| {
            MEM.with_borrow_mut(|m| {
                black_box(issue_first_level_reusing(key, cf, None, &req, m).unwrap());
            })
        })
    });
}

fn main() {
    if !testing::available("attesta-pkcs11 sign benchmark") {
        return;
    }
    let hsm = SoftHsm::new();
    // Safety: before any thread starts.
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", hsm.conf());
        std::env::set_var(attesta_pkcs11::MODULE_ENV, hsm.module());
    }
    hsm.init_token("bench", PIN);
    let seed = [0x42; 32];
    hsm.import_ed25519_seed("bench", PIN, "issuer", "01", &seed);
    let file = SigningKey::from_seed(&seed);
    let token = Pkcs11Key::open(
        &"pkcs11:token=bench;object=issuer".parse().unwrap(),
        Some(Pin::new(PIN.to_owned().into())),
    )
    .unwrap();
    assert_eq!(token.kid(), file.kid());
    // The bytes a first-level code signs (its Sig_structure).
    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
    let code = attesta_core::credential::issue_first_level(&file, &cf, &request()).unwrap();
    let parsed = attesta_core::credential::FirstLevelCode::parse(code.text()).unwrap();
    let tbs = parsed.sign1().signed_bytes().to_vec();
    let sig = file.sign(&tbs);

    let mut c = Criterion::default().configure_from_args();
    {
        let mut g = c.benchmark_group("pkcs11_sign");
        g.bench_function("in_process", |b| {
            b.iter(|| Signer::sign(&file, black_box(&tbs)).unwrap())
        });
        g.bench_function("softhsm2", |b| {
            b.iter(|| token.sign(black_box(&tbs)).unwrap())
        });
        g.bench_function("check_of_the_returned_signature", |b| {
            b.iter(|| file.public_key().verify_strict(black_box(&tbs), &sig))
        });
        g.finish();
    }
    {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let token = Arc::new(token);
        let mut g = c.benchmark_group("pkcs11_batch_default_kdf");
        g.sample_size(20);
        g.throughput(Throughput::Elements(ROWS));
        g.bench_function("file_key", |b| b.iter(|| batch(&pool, &file, &cf)));
        g.bench_function("softhsm2", |b| b.iter(|| batch(&pool, &*token, &cf)));
        g.finish();
    }
    c.final_summary();
}
