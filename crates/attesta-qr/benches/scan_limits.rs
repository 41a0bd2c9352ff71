//! How fast an oversized image is refused (security review, finding 7):
//! a genuine, fully encoded 100-megapixel PNG (10 000 × 10 000, grey,
//! white) must be refused from its header, before any pixel is decoded.
//!
//! ```text
//! cargo bench -p attesta-qr --bench scan_limits
//! ```

use attesta_qr::scan::{ScanError, scan_image_bytes};
use std::hint::black_box;

use attesta_test_support::white_png;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let png = white_png(10_000, 10_000);
    println!("100-megapixel white PNG: {} bytes", png.len());
    let mut g = c.benchmark_group("scan_limits");
    g.sample_size(20);
    g.bench_function("png_100_megapixels", |b| {
        b.iter(|| {
            let r = scan_image_bytes(black_box(&png));
            assert!(
                matches!(r, Err(ScanError::TooLarge { .. } | ScanError::NoCodeFound)),
                "{r:?}"
            );
            r
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
