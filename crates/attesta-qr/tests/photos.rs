//! Reading codes from photos, one distortion kind at a time: each test
//! generates a picture of the photo benchmark's corpus (see
//! `bench/photos` and docs/photo-benchmark.md) with a real attestation code
//! and requires `scan_image_bytes` to read that code.
//!
//! The pictures come from the benchmark's own generator, included below,
//! at the test size (the 12 MP and cluttered kinds draw smaller frames, so
//! that the unoptimised test build stays fast); each test takes the middle
//! of its kind's range of severity, index 5 of 0–9, unless said otherwise.

#![cfg(feature = "codecs")]

#[path = "../../../bench/photos/src/distort.rs"]
mod distort;

#[path = "../../../bench/photos/src/corpus.rs"]
mod corpus;

use attesta_qr::scan::{ScanError, Unreadable, scan_image_bytes};
use corpus::{Kind, Size};

/// Generates picture `index` of `kind` and checks that its code is read.
fn reads(kind: Kind, index: u32) {
    let text = corpus::payload_for(kind, index);
    assert!(text.starts_with("AT1:"), "{text}");
    let sample = corpus::make(kind, index, &text, Size::Test);
    let name = format!("{}-{index:02}.{}", kind.name(), sample.ext);
    match scan_image_bytes(&sample.bytes) {
        Ok(codes) => assert_eq!(codes, [text], "{name}"),
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn clean() {
    // 3 px per module, the smallest of the clean renders.
    reads(Kind::Clean, 0);
}

#[test]
fn rotation() {
    // About 40°.
    reads(Kind::Rotation, 9);
}

#[test]
fn blur() {
    reads(Kind::Blur, 5);
}

#[test]
fn noise() {
    reads(Kind::Noise, 5);
}

#[test]
fn small_modules() {
    // About 1.6 px per module.
    reads(Kind::SmallModules, 1);
}

#[test]
fn perspective() {
    // The far edge about 20 % shorter.
    reads(Kind::Perspective, 6);
}

#[test]
fn jpeg() {
    // Quality about 21.
    reads(Kind::Jpeg, 0);
}

#[test]
fn low_contrast() {
    // About 22 gray levels between ink and paper.
    reads(Kind::LowContrast, 1);
}

#[test]
fn inverted() {
    reads(Kind::Inverted, 5);
}

#[test]
fn cluttered_background() {
    reads(Kind::Cluttered, 5);
}

#[test]
fn phone_photo() {
    reads(Kind::Phone, 5);
}

#[test]
fn large_frame() {
    // A 2200 × 1650 frame at the test size: above the scanner's 2000 px
    // threshold, so it goes through the scaled-down copy like 12 MP photos.
    reads(Kind::Frame12Mp, 5);
}

#[test]
fn printed_then_photographed() {
    reads(Kind::Printed, 5);
}

#[test]
fn occluded() {
    reads(Kind::Occluded, 4);
}

#[test]
fn creased() {
    // Odd indices of the kind are folds across the code.
    reads(Kind::Occluded, 5);
}

#[test]
fn photo_of_a_blank_desk_has_no_code() {
    // The phone recipe's table, light and noise, without a code.
    let mut rng = distort::Rng::new(5);
    let mut frame = image::GrayImage::from_pixel(800, 600, image::Luma([90]));
    let light = distort::lighting_field(800, 600, 0.6, 1.1, 0.3, &mut rng);
    distort::light(&mut frame, |x, y, v| v * light(x, y));
    distort::add_noise(&mut frame, 5.0, &mut rng);
    assert_eq!(
        scan_image_bytes(&distort::jpeg_gray(&frame, 85)),
        Err(ScanError::NoCodeFound)
    );
}

#[test]
fn covered_code_is_reported_as_unreadable() {
    let text = corpus::payload(1);
    let symbol =
        attesta_qr::render::QrSymbol::encode(&text, attesta_qr::render::EcLevel::Q).unwrap();
    let mut code = corpus::code_image(&symbol, 6, 4);
    // A thumb over the middle half of the code, beyond what error
    // correction recovers; the three finder patterns stay in view.
    let c = f64::from(code.width()) / 2.0;
    distort::fill_ellipse(&mut code, (c, c), (120.0, 90.0), 0.5, |u, v| {
        150.0 * (1.0 - 0.3 * (u * u + v * v))
    });
    let err = scan_image_bytes(&distort::png_gray(&code)).unwrap_err();
    assert_eq!(err, ScanError::CodeUnreadable(Unreadable::Blurred));
    // Two parts: what is wrong, then what to do.
    let message = err.to_string();
    assert!(
        message.contains("could not be read") && message.contains("flatten the page"),
        "{message}"
    );
}
