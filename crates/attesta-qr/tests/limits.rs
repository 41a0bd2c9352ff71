//! The image-size cap of the scanner holds (docs/limits.md): oversized
//! PNGs are refused from their header, before any pixel is decoded. Memory
//! is measured with the counting global allocator of attesta-test-support
//! and /proc/self/statm; the tests take one lock so that they do not
//! measure each other. Set ATTESTA_LIMITS_VERBOSE=1 (and pass --nocapture)
//! to see the figures.
#![cfg(feature = "codecs")]

use std::time::Duration;

use attesta_qr::scan::{MAX_PIXELS, ScanError, scan_image_bytes};
use attesta_test_support::{CountingAllocator, MIB, measure, png_header, serial, white_png};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Security review, finding 7: a 100-megapixel PNG was accepted (the cap
/// was 100 megapixels, inclusive), decoded and scanned before being turned
/// down: 35 s and 693 MB in a debug build. A genuine, fully encoded one is
/// now refused from its header: no pixel decoded, under 1 MiB of memory.
/// (Release figures: `cargo bench -p attesta-qr --bench scan_limits`.)
#[test]
fn finding_7_100_megapixel_png_is_refused_from_its_header() {
    let png = white_png(10_000, 10_000);
    let _g = serial();
    let (r, cost) = measure(|| scan_image_bytes(&png));
    assert_eq!(
        r,
        Err(ScanError::TooLarge {
            width: 10_000,
            height: 10_000
        })
    );
    assert!(cost.peak_heap < MIB, "{} bytes", cost.peak_heap);
    assert!(cost.time < Duration::from_millis(200), "{:?}", cost.time);
}

#[test]
fn images_above_65_megapixels_are_refused_from_the_header() {
    let _g = serial();
    assert_eq!(MAX_PIXELS, 65_000_000);
    for (w, h) in [
        (65_001, 1_000),
        (10_000, 10_000),
        (100_000, 100_000),
        (u32::MAX >> 1, 2),
    ] {
        let png = png_header(w, h);
        let (r, cost) = measure(|| scan_image_bytes(&png));
        assert!(
            matches!(r, Err(ScanError::TooLarge { .. })),
            "{w}x{h}: {r:?}"
        );
        assert!(cost.peak_heap < MIB, "{w}x{h}: {} bytes", cost.peak_heap);
        assert!(cost.time < Duration::from_millis(200), "{:?}", cost.time);
    }
}
