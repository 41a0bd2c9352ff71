//! Writing one attestation PDF (the issuer's per-holder cost besides the KDF).
//!
//! `cargo bench -p attesta-pdf --bench pdf`

use attesta_pdf::{AttestationPdf, PdfRenderer};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    // A 258-character code, the size of a typical first-level attestation.
    let text = format!(
        "AT1:{}",
        "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDE".repeat(6)
    )[..258]
        .to_owned();
    let doc = AttestationPdf::new(text)
        .issuer("INPS")
        .issued_on("2026-11-23")
        .valid_until("2027-11-23")
        .reference("A1B2-C3D4");
    let r = PdfRenderer::new().unwrap();
    let mut g = c.benchmark_group("pdf");
    g.bench_function("render_first_level", |b| {
        b.iter(|| r.render(black_box(&doc)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
