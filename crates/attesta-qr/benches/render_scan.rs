//! QR rendering (symbol, PNG, SVG) and scanning the PNG back, on a typical
//! attestation code (moved here from attesta-core's `format` and
//! attesta-verify's `verify` benches with the code they measure).
//!
//! `cargo bench -p attesta-qr --bench render_scan`

use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::StatusRef;
use attesta_core::credential::{Cti, FirstLevelRequest, issue_first_level_with_key};
use attesta_core::envelope::{EnvelopeKey, EnvelopeLabel, KdfParams};
use attesta_core::keys::SigningKey;
use attesta_core::model::{Attestation, HandicapGrade, InvalidityAssessment};
use attesta_qr::render::{EcLevel, QrOptions, QrSymbol};
use attesta_qr::scan::scan_image_bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;

/// The same code as attesta-core's `format` bench: every claim set, 259
/// characters, version 11-Q.
fn typical_text() -> String {
    let iat = Timestamp::from_second(1_795_000_000).unwrap();
    let req = FirstLevelRequest {
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
        kdf: KdfParams::DEFAULT,
    };
    let key = SigningKey::from_seed(&[5; 32]);
    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
    let cti = Cti::from_bytes([9; 8]);
    let ekey =
        EnvelopeKey::derive(&cf, cti.as_bytes(), &req.kdf, EnvelopeLabel::FirstLevel).unwrap();
    issue_first_level_with_key(&key, &ekey, &req, cti)
        .unwrap()
        .text()
        .to_owned()
}

fn bench(c: &mut Criterion) {
    let text = typical_text();
    let sym = QrSymbol::encode(&text, EcLevel::Q).unwrap();
    let opts = QrOptions::default();
    let mut g = c.benchmark_group("qr");
    g.bench_function("encode_symbol", |b| {
        b.iter(|| QrSymbol::encode(black_box(&text), EcLevel::Q).unwrap())
    });
    g.bench_function("png", |b| b.iter(|| sym.to_png(&opts).unwrap()));
    g.bench_function("svg", |b| b.iter(|| sym.to_svg(&opts)));
    g.finish();

    let png = sym.to_png(&opts).unwrap();
    let mut g = c.benchmark_group("scan");
    g.bench_function("png_render_8px", |b| {
        b.iter(|| scan_image_bytes(black_box(&png)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
