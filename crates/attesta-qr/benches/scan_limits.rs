//! How fast an oversized image is refused (security review, finding 7):
//! a genuine, fully encoded 100-megapixel PNG (10 000 × 10 000, grey,
//! white) must be refused from its header, before any pixel is decoded.
//!
//! ```text
//! cargo bench -p attesta-qr --bench scan_limits
//! ```

use attesta_qr::scan::{ScanError, scan_image_bytes};
use std::hint::black_box;
use std::io::Write;

use criterion::{Criterion, criterion_group, criterion_main};
use flate2::Compression;
use flate2::write::ZlibEncoder;

/// A valid grey PNG of `w`×`h` white pixels, compressed row by row (the
/// raw image is never held in memory).
fn white_png(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        png.extend(kind);
        png.extend(data);
        png.extend(crc.sum().to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
    let mut row = vec![0xffu8; w as usize + 1];
    row[0] = 0; // filter type None
    for _ in 0..h {
        z.write_all(&row).expect("in memory");
    }
    chunk(b"IDAT", &z.finish().expect("in memory"));
    chunk(b"IEND", &[]);
    png
}

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
