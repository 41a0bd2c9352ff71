use super::binarize::*;
use super::decode::*;
use super::error::*;
use super::finder::*;
use super::pipeline::*;
use super::resample::*;
use super::*;
use crate::render::{EcLevel, QrOptions, QrSymbol};
use image::{GrayImage, ImageEncoder as _, Luma};
use rxing::common::{BitMatrix, HybridBinarizer};
use rxing::{BinaryBitmap, Luma8Source};

fn attestation_text(seed: usize) -> String {
    const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut text = String::from("AT1:");
    text.extend((0..255).map(|i| B45[(i * 7 + seed) % 45] as char));
    text
}

fn png_of(text: &str, module_px: u32) -> Vec<u8> {
    QrSymbol::encode(text, EcLevel::Q)
        .unwrap()
        .to_png(&QrOptions {
            module_px,
            ..QrOptions::default()
        })
        .unwrap()
}

fn gray_of(text: &str, module_px: u32) -> GrayImage {
    image::load_from_memory(&png_of(text, module_px))
        .unwrap()
        .into_luma8()
}

fn encode_png(img: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .unwrap();
    out
}

fn rxing_hybrid(img: &GrayImage) -> BitMatrix {
    let source = Luma8Source::new_with_slice(img.as_raw(), img.width(), img.height()).unwrap();
    BinaryBitmap::new(HybridBinarizer::new(source))
        .get_black_matrix()
        .clone()
}

#[test]
fn hybrid_binarization_is_rxings() {
    // Sizes on and off the 8-pixel block grid, with gradients, flat
    // areas and noise.
    let mut state = 0x1234_5678_9abc_def1_u64;
    for (w, h) in [(40, 40), (41, 57), (200, 123), (333, 64)] {
        let img = GrayImage::from_fn(w, h, |x, y| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let base = if (x / 9 + y / 7) % 3 == 0 { 40 } else { 200 };
            let flat = x > w / 2 && y > h / 2;
            let noise = if flat { 0 } else { (state % 41) as i32 - 20 };
            Luma([(base + noise + (x as i32 - y as i32) / 8).clamp(0, 255) as u8])
        });
        assert_eq!(hybrid_matrix(&img).unwrap(), rxing_hybrid(&img), "{w}×{h}");
    }
    let clean = gray_of(&attestation_text(2), 3);
    assert_eq!(hybrid_matrix(&clean).unwrap(), rxing_hybrid(&clean));
}

#[test]
fn finder_patterns_are_rxings() {
    use rxing::qrcode::cpp_port::detector::FindFinderPatterns;
    let later = Instant::now() + Duration::from_secs(600);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let noise = GrayImage::from_fn(300, 200, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        Luma([state as u8])
    });
    let mut page = GrayImage::from_pixel(700, 400, Luma([255]));
    image::imageops::replace(&mut page, &gray_of(&attestation_text(3), 4), 10, 20);
    image::imageops::replace(&mut page, &gray_of(&attestation_text(4), 2), 400, 50);
    for img in [noise, page, gray_of(&attestation_text(5), 1)] {
        let matrix = hybrid_matrix(&img).unwrap();
        let ours = finder_patterns(&matrix, later);
        assert_eq!(ours, FindFinderPatterns(&matrix, true, 0));
    }
}

#[test]
fn round_trip_png() {
    let text = attestation_text(3);
    assert_eq!(scan_image_bytes(&png_of(&text, 8)).unwrap(), vec![text]);
}

#[test]
fn transparent_background() {
    let text = attestation_text(59);
    // Black modules on fully transparent black, as design tools export.
    let gray = gray_of(&text, 5);
    let rgba = image::RgbaImage::from_fn(gray.width(), gray.height(), |x, y| {
        let dark = gray.get_pixel(x, y).0[0] < 128;
        image::Rgba([0, 0, 0, if dark { 255 } else { 0 }])
    });
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            rgba.as_raw(),
            rgba.width(),
            rgba.height(),
            image::ExtendedColorType::Rgba8,
        )
        .unwrap();
    assert_eq!(scan_image_bytes(&png).unwrap(), vec![text]);
}

#[test]
fn rotated_90_degrees() {
    let text = attestation_text(5);
    let rotated = image::imageops::rotate90(&gray_of(&text, 6));
    assert_eq!(scan_image_bytes(&encode_png(&rotated)).unwrap(), vec![text]);
}

#[test]
fn inverted_polarity() {
    let text = attestation_text(7);
    let mut img = gray_of(&text, 6);
    image::imageops::invert(&mut img);
    assert_eq!(scan_image_bytes(&encode_png(&img)).unwrap(), vec![text]);
}

#[test]
fn jpeg_quality_40() {
    let text = attestation_text(11);
    let img = gray_of(&text, 6);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 40)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .unwrap();
    assert_eq!(scan_image_bytes(&jpeg).unwrap(), vec![text]);
}

#[test]
fn downscaled_to_three_px_modules() {
    let text = attestation_text(13);
    let big = gray_of(&text, 8);
    let side = big.width() * 3 / 8;
    let small = image::imageops::resize(&big, side, side, image::imageops::FilterType::Triangle);
    assert_eq!(scan_image_bytes(&encode_png(&small)).unwrap(), vec![text]);
}

#[test]
fn two_codes_side_by_side_in_reading_order() {
    let (left, right) = (attestation_text(17), attestation_text(19));
    let (a, b) = (gray_of(&left, 5), gray_of(&right, 5));
    let mut page = GrayImage::from_pixel(
        a.width() + b.width() + 40,
        a.height().max(b.height()) + 40,
        Luma([255]),
    );
    image::imageops::replace(&mut page, &a, 10, 20);
    image::imageops::replace(&mut page, &b, i64::from(a.width()) + 30, 20);
    assert_eq!(
        scan_image_bytes(&encode_png(&page)).unwrap(),
        vec![left, right]
    );
}

#[test]
fn blank_image_has_no_code() {
    let blank = GrayImage::from_pixel(400, 300, Luma([255]));
    assert_eq!(
        scan_image_bytes(&encode_png(&blank)),
        Err(ScanError::NoCodeFound)
    );
}

#[test]
fn cut_off_code_is_unreadable() {
    // The right fifth, with the top-right finder pattern, is missing.
    let img = gray_of(&attestation_text(29), 6);
    let (w, h) = img.dimensions();
    let cut = image::imageops::crop_imm(&img, 0, 0, w * 4 / 5, h).to_image();
    assert_eq!(
        scan_image_bytes(&encode_png(&cut)),
        Err(ScanError::CodeUnreadable(Unreadable::CutOff))
    );
}

#[test]
fn blurred_code_is_unreadable() {
    let img = image::imageops::blur(&gray_of(&attestation_text(31), 6), 4.0);
    assert_eq!(
        scan_image_bytes(&encode_png(&img)),
        Err(ScanError::CodeUnreadable(Unreadable::Blurred))
    );
}

#[test]
fn tiny_code_in_a_large_photo_is_too_small() {
    // 1.2 px per module in a 1600 × 1200 photo: below what the steps
    // read, but its three finder patterns show.
    let code = gray_of(&attestation_text(61), 6);
    let side = code.width() / 5;
    let tiny = image::imageops::resize(&code, side, side, image::imageops::FilterType::Triangle);
    let mut photo = GrayImage::from_pixel(1600, 1200, Luma([200]));
    image::imageops::replace(&mut photo, &tiny, 700, 500);
    assert_eq!(
        scan_image(&DynamicImage::ImageLuma8(photo)),
        Err(ScanError::CodeUnreadable(Unreadable::TooSmall))
    );
}

#[test]
fn pixel_noise_has_no_code() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let noise = GrayImage::from_fn(640, 480, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        Luma([state as u8])
    });
    assert_eq!(
        scan_image_bytes(&encode_png(&noise)),
        Err(ScanError::NoCodeFound)
    );
}

#[test]
fn low_contrast_photo() {
    let text = attestation_text(37);
    let mut img = gray_of(&text, 6);
    // Dark grey on slightly lighter grey: 15 levels of contrast.
    for v in img.iter_mut() {
        *v = 110 + *v / 17;
    }
    assert_eq!(scan_image_bytes(&encode_png(&img)).unwrap(), vec![text]);
}

#[test]
fn large_photo_with_small_code() {
    let text = attestation_text(41);
    let mut photo = GrayImage::from_pixel(3000, 2200, Luma([190]));
    image::imageops::replace(&mut photo, &gray_of(&text, 7), 1700, 900);
    assert_eq!(
        scan_image(&DynamicImage::ImageLuma8(photo)).unwrap(),
        vec![text]
    );
}

#[test]
fn four_codes_in_reading_order() {
    let texts: Vec<String> = (0..4).map(|i| attestation_text(43 + i)).collect();
    let mut page = GrayImage::from_pixel(1000, 1000, Luma([255]));
    // Slightly staggered rows, as on a hand-placed scan.
    for (text, (x, y)) in texts.iter().zip([(0, 12), (500, 0), (10, 500), (500, 520)]) {
        image::imageops::replace(&mut page, &gray_of(text, 5), x, y);
    }
    assert_eq!(scan_image(&DynamicImage::ImageLuma8(page)).unwrap(), texts);
}

#[test]
fn each_step_reads_a_clean_code() {
    let text = attestation_text(47);
    let img = gray_of(&text, 4);
    let mut inverted = img.clone();
    image::imageops::invert(&mut inverted);
    let later = Instant::now() + Duration::from_secs(600);
    for picture in [&img, &inverted] {
        let matrices = [
            ("hybrid", hybrid_matrix(picture)),
            ("half", hybrid_matrix(&halve(picture))),
            ("local", local_mean_matrix(picture, local_radius(picture))),
            ("sharp", hybrid_matrix(&sharpened(picture))),
            ("enlarged", hybrid_matrix(&enlarged(picture))),
        ];
        for (step, matrix) in matrices {
            let mut scanner = Scanner::new(later);
            let found = scanner.detect_both(step, matrix.unwrap(), 1.0);
            assert_eq!(found, Some(vec![text.clone()]), "{step}");
            assert!(scanner.evidence.panic.is_none());
        }
        assert_eq!(Scanner::new(later).rqrr(picture), Some(vec![text.clone()]));
    }
}

#[test]
fn exif_orientation_is_applied() {
    let text = attestation_text(53);
    // Mirror the code (orientation 2 = flipped horizontally) and say so
    // in EXIF: without applying it the code reads mirrored.
    let img = image::imageops::flip_horizontal(&gray_of(&text, 4));
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90);
    encoder.set_exif_metadata(exif_with_orientation(2)).unwrap();
    encoder
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .unwrap();
    let decoded = decode_image(&jpeg).unwrap().into_luma8();
    let upright = gray_of(&text, 4);
    let mismatched = decoded
        .pixels()
        .zip(upright.pixels())
        .filter(|(a, b)| a.0[0].abs_diff(b.0[0]) > 100)
        .count();
    assert!(mismatched < 50, "{mismatched} pixels differ");
    assert_eq!(scan_image_bytes(&jpeg).unwrap(), vec![text]);
}

/// A minimal big-endian TIFF block with one IFD entry: Orientation.
fn exif_with_orientation(orientation: u16) -> Vec<u8> {
    let mut exif = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01".to_vec();
    exif.extend([0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
    exif.extend(orientation.to_be_bytes());
    exif.extend([0, 0, 0, 0, 0, 0]);
    exif
}

#[test]
fn oversized_images_are_refused_before_decoding() {
    // A valid PNG header claiming 20000 × 20000 pixels, with no data.
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&[0], 1, 1, image::ExtendedColorType::L8)
        .unwrap();
    let ihdr = 16;
    png[ihdr..ihdr + 4].copy_from_slice(&20_000u32.to_be_bytes());
    png[ihdr + 4..ihdr + 8].copy_from_slice(&20_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(
        scan_image_bytes(&png),
        Err(ScanError::TooLarge {
            width: 20_000,
            height: 20_000
        })
    );
}

#[test]
fn deep_images_over_the_memory_limit_are_refused() {
    // 81 megapixels, 648 MB decoded as RGBA16: over both caps (the
    // 512 MiB decoding budget is now a second line, behind the 65 MP
    // pixel cap: 65 MP of RGBA16 is 520 MB).
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&[0; 8], 1, 1, image::ExtendedColorType::Rgba16)
        .unwrap();
    let ihdr = 16;
    png[ihdr..ihdr + 4].copy_from_slice(&9_000u32.to_be_bytes());
    png[ihdr + 4..ihdr + 8].copy_from_slice(&9_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(
        scan_image_bytes(&png),
        Err(ScanError::TooLarge {
            width: 9_000,
            height: 9_000
        })
    );
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn other_formats_are_unsupported() {
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    let err = scan_image_bytes(gif).unwrap_err();
    assert!(matches!(err, ScanError::UnsupportedImage(_)), "{err:?}");
    assert!(err.to_string().contains("PNG or JPEG"));
}

#[test]
fn random_bytes_are_unsupported() {
    // A fixed xorshift stream: deterministic, no extra dependency.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    assert!(matches!(
        scan_image_bytes(&bytes),
        Err(ScanError::UnsupportedImage(_))
    ));
    assert!(matches!(
        scan_image_bytes(&[]),
        Err(ScanError::UnsupportedImage(_))
    ));
}

/// Regression (found by the image_decode fuzz target): a dark run of
/// more than 32,767 pixels, in a JPEG 61,708 pixels wide, overflowed
/// the u16 doubling of the proportion test.
#[test]
fn regression_finder_proportions_on_runs_wider_than_32767_pixels() {
    assert!(!plausible_finder_runs([40_000, 1, 1, 1, 1]));
    assert!(!plausible_finder_runs([1, 1, 40_000, 1, 40_000]));
    assert!(!plausible_finder_runs([u16::MAX; 5]));
    assert!(plausible_finder_runs([20_000, 1, 40_000, 1, 1]));
    assert!(plausible_finder_runs([1, 1, 3, 1, 1]));
    assert!(!plausible_finder_runs([1, 1, 2, 1, 1]));
    assert!(!plausible_finder_runs([1, 4, 3, 1, 1]));
}

#[test]
fn truncated_png_is_an_error() {
    let png = png_of(&attestation_text(23), 8);
    for cut in [8, 33, png.len() / 2, png.len() - 12] {
        assert!(scan_image_bytes(&png[..cut]).is_err(), "cut at {cut}");
    }
}
