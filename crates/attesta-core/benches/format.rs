//! Issuing-side costs: the pipeline without the KDF against a bare Ed25519
//! signature and the KDF itself (QR rendering: attesta-qr's `render_scan`
//! bench).
//!
//! `cargo bench -p attesta-core --bench format`

use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::StatusRef;
use attesta_core::credential::{Cti, FirstLevelRequest, issue_first_level_with_key};
use attesta_core::envelope::{EnvelopeKey, EnvelopeLabel, KdfParams};
use attesta_core::keys::SigningKey;
use attesta_core::model::{Attestation, HandicapGrade, InvalidityAssessment};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;

fn typical(kdf: KdfParams) -> FirstLevelRequest {
    let iat = Timestamp::from_second(1_795_000_000).unwrap();
    FirstLevelRequest {
        attestation: Attestation::builder()
            .invalidity(InvalidityAssessment::From74)
            .handicap(HandicapGrade::Comma3Grave)
            .reduced_walking(true)
            .revision(Date::constant(2028, 6, 30))
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
        kdf,
    }
}

fn bench(c: &mut Criterion) {
    let key = SigningKey::from_seed(&[5; 32]);
    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
    let cti = Cti::from_bytes([9; 8]);
    let req = typical(KdfParams::DEFAULT);
    let ekey =
        EnvelopeKey::derive(&cf, cti.as_bytes(), &req.kdf, EnvelopeLabel::FirstLevel).unwrap();
    let text = issue_first_level_with_key(&key, &ekey, &req, cti)
        .unwrap()
        .text()
        .to_owned();
    // The Sig_structure of a real code: the bare signature signs the same bytes.
    let code = attesta_core::credential::FirstLevelCode::parse(&text).unwrap();
    let tbs = code.sign1().signed_bytes().to_vec();

    let mut g = c.benchmark_group("issue");
    g.bench_function("pipeline_without_kdf", |b| {
        b.iter(|| issue_first_level_with_key(&key, &ekey, black_box(&req), cti).unwrap())
    });
    g.bench_function("bare_ed25519_sign", |b| {
        b.iter(|| key.sign(black_box(&tbs)))
    });
    g.finish();

    let mut g = c.benchmark_group("kdf");
    g.sample_size(20);
    for (name, p) in [
        ("default_19MiB_t2", KdfParams::DEFAULT),
        ("test_1MiB_t1", KdfParams::INSECURE_TEST),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                EnvelopeKey::derive(&cf, cti.as_bytes(), &p, EnvelopeLabel::FirstLevel).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
