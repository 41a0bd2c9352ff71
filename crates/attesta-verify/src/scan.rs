//! Reading QR codes from photos and scans (PNG, JPEG).
//!
//! Verifiers get whatever a phone or office scanner produced: rotated,
//! dim, re-compressed, huge, sometimes with several attestations on one page.
//! The pipeline tries cheap readings first and stronger ones only when the
//! earlier ones find nothing:
//!
//! 1. rxing (a port of ZXing-C++) on the grayscale image, finding every code
//!    in the picture, in normal and inverted polarity (codes shown on a
//!    dark-mode screen are light on dark);
//! 2. the same on a contrast-stretched copy, for dim or washed-out photos;
//! 3. the same on a copy scaled down to about 1600 px, for very large
//!    photos in which the binarizer's blocks are too small for the modules;
//! 4. rqrr, an independent decoder (quirc's algorithm), normal and inverted.
//!
//! Every decoder call runs under [`std::panic::catch_unwind`]: the decoders
//! are large ports that have panicked on crafted images, and a verifier must
//! answer with an error, not crash. (This needs the default `panic =
//! "unwind"`; the default panic hook still prints the panic to stderr.)
//!
//! ```no_run
//! use attesta_verify::scan::{scan_image_bytes, ScanError};
//!
//! let bytes = std::fs::read("photo-of-attestation.jpg").unwrap();
//! match scan_image_bytes(&bytes) {
//!     Ok(texts) => texts.iter().for_each(|t| println!("{t}")),
//!     Err(e @ (ScanError::NoCodeFound | ScanError::CodeUnreadable)) => eprintln!("{e}"),
//!     Err(e) => eprintln!("cannot use this file: {e}"),
//! }
//! ```

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::{DynamicImage, GrayImage, ImageDecoder as _, ImageFormat, ImageReader, Limits};
use rxing::common::DetectorRXingResult as _;
use rxing::common::cpp_essentials::ConcentricPattern;
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{FindFinderPatterns, GenerateFinderPatternSets, SampleQR};
use rxing::{
    BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, MultiFormatReader, RXingResult,
    Reader as _,
};

/// Largest image accepted, in pixels (100 megapixels, well above any phone
/// camera). Decoding a bigger one could take gigabytes of memory.
pub const MAX_PIXELS: u64 = 100_000_000;

/// Memory the image decoder may allocate: a 100-megapixel RGB JPEG decodes
/// to 300 MB; 16-bit or alpha PNGs of that size are refused through this.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Above this long side, step 3 of the pipeline scales the image down.
const DOWNSCALE_ABOVE_PX: u32 = 2000;
/// Long side of the scaled-down copy: a code filling a third of the frame
/// still gets 4 px or more per module up to version 25 or so.
const DOWNSCALE_TO_PX: u32 = 1600;

/// Why no code text could be read from an image.
///
/// Each message says what is wrong and what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The bytes are not a PNG or JPEG image, or the file is damaged.
    #[error(
        "the file is not a readable PNG or JPEG image ({0}); save or photograph the code again as PNG or JPEG"
    )]
    UnsupportedImage(String),
    /// The image exceeds [`MAX_PIXELS`], or would need more than 512 MiB to
    /// decode (possible below 100 megapixels for 16-bit or alpha images).
    #[error(
        "the image is {width}×{height} pixels, too large to scan (the limit is 100 megapixels, \
         less for 16-bit images); crop it around the code or scale it down"
    )]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// No QR code was seen at all.
    #[error(
        "no QR code found in the image; photograph the code straight on, \
         filling at least a third of the frame, with even light"
    )]
    NoCodeFound,
    /// Something shaped like a QR code was seen, but its data could not be
    /// read.
    #[error(
        "a QR code was found but its data could not be read (blurred, too small, damaged or cut off); \
         take a sharp photo of the whole code, including its white margin, closer and with even light"
    )]
    CodeUnreadable,
    /// A decoder failed internally (it panicked) and no other reading
    /// succeeded.
    #[error(
        "the QR decoder failed on this image ({0}); try another photo or scan, \
         and report the file if this keeps happening"
    )]
    DecoderFailed(String),
}

/// Reads all QR codes in an encoded image file (PNG or JPEG).
///
/// The EXIF orientation of photos is applied first. Returns the text of each
/// code found, without duplicates, in reading order (top to bottom, then
/// left to right).
///
/// ```
/// use attesta_core::qr::{EcLevel, QrOptions, QrSymbol};
/// use attesta_verify::scan::scan_image_bytes;
///
/// let text = "AT1:NCFOXN%TS3DH";
/// let png = QrSymbol::encode(text, EcLevel::Q)?.to_png(&QrOptions::default())?;
/// assert_eq!(scan_image_bytes(&png)?, vec![text.to_string()]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ScanError::UnsupportedImage`] for anything but a readable PNG or JPEG;
/// [`ScanError::TooLarge`] above [`MAX_PIXELS`]; otherwise as
/// [`scan_image`].
pub fn scan_image_bytes(bytes: &[u8]) -> Result<Vec<String>, ScanError> {
    scan_image(&decode_image(bytes)?)
}

/// Reads all QR codes in an already decoded image.
///
/// Like [`scan_image_bytes`], without file decoding; the caller is
/// responsible for orientation.
///
/// ```
/// use attesta_core::qr::{EcLevel, QrOptions, QrSymbol};
/// use attesta_verify::scan::{scan_image, ScanError};
///
/// let png = QrSymbol::encode("AT1:NCFOXN%TS3DH", EcLevel::Q)?.to_png(&QrOptions::default())?;
/// let mut img = image::load_from_memory(&png)?;
/// img.invert(); // light on dark, as on a phone in dark mode
/// assert_eq!(scan_image(&img)?, ["AT1:NCFOXN%TS3DH"]);
///
/// let blank = image::DynamicImage::new_luma8(300, 300);
/// assert_eq!(scan_image(&blank), Err(ScanError::NoCodeFound));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ScanError::TooLarge`] above [`MAX_PIXELS`];
/// [`ScanError::NoCodeFound`] when nothing like a QR code is in the image;
/// [`ScanError::CodeUnreadable`] when a code was seen but could not be
/// read; [`ScanError::DecoderFailed`] when a decoder crashed and nothing
/// else was read.
pub fn scan_image(img: &DynamicImage) -> Result<Vec<String>, ScanError> {
    let (width, height) = (img.width(), img.height());
    check_size(width, height)?;
    if width == 0 || height == 0 {
        return Err(ScanError::NoCodeFound);
    }
    let luma = luma_on_white(img);
    let mut outcome = Outcome::default();

    if let Some(found) = outcome.stage(rxing_pass(&luma)) {
        return Ok(found);
    }
    if let Some(stretched) = contrast_stretched(&luma)
        && let Some(found) = outcome.stage(rxing_pass(&stretched))
    {
        return Ok(found);
    }
    let small = (width.max(height) > DOWNSCALE_ABOVE_PX).then(|| downscaled(&luma));
    if let Some(small) = &small
        && let Some(found) = outcome.stage(rxing_pass(small))
    {
        return Ok(found);
    }
    // rqrr's thresholding window scales with the image, so it copes with
    // large images itself; the small copy is only its second chance.
    if let Some(found) = outcome.stage(rqrr_pass(&luma)) {
        return Ok(found);
    }
    if let Some(small) = &small
        && let Some(found) = outcome.stage(rqrr_pass(small))
    {
        return Ok(found);
    }
    Err(outcome.into_error())
}

/// Grayscale with transparency flattened onto white: codes exported with a
/// transparent background usually have transparent *black* pixels there,
/// which a plain conversion would turn into a black-on-black code.
fn luma_on_white(img: &DynamicImage) -> GrayImage {
    if !img.color().has_alpha() {
        return img.to_luma8();
    }
    let with_alpha = img.to_luma_alpha8();
    let (width, height) = with_alpha.dimensions();
    let flattened = with_alpha
        .pixels()
        .map(|p| {
            let [luma, alpha] = p.0.map(u32::from);
            // Integer blend towards white; at most 255, so the cast is exact.
            ((luma * alpha + 255 * (255 - alpha) + 127) / 255) as u8
        })
        .collect();
    GrayImage::from_raw(width, height, flattened).unwrap_or_else(|| img.to_luma8())
}

fn check_size(width: u32, height: u32) -> Result<(), ScanError> {
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ScanError::TooLarge { width, height });
    }
    Ok(())
}

/// Decodes PNG or JPEG bytes, refusing oversized images before their pixel
/// buffer is allocated.
fn decode_image(bytes: &[u8]) -> Result<DynamicImage, ScanError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ScanError::UnsupportedImage(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg) => {}
        Some(other) => {
            return Err(ScanError::UnsupportedImage(format!(
                "{other:?} files are not supported"
            )));
        }
        None => return Err(ScanError::UnsupportedImage("not an image file".into())),
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);

    let decoder_panicked =
        |p: String| ScanError::UnsupportedImage(format!("the image decoder failed: {p}"));
    // The header is parsed here, so the size is known before any pixel is.
    let mut decoder = match guarded(|| reader.into_decoder()).map_err(decoder_panicked)? {
        Ok(decoder) => decoder,
        // PNG checks the memory limit against the header already.
        Err(image::ImageError::Limits(_)) => return Err(too_large_from_header(bytes)),
        Err(e) => return Err(ScanError::UnsupportedImage(e.to_string())),
    };
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(ScanError::TooLarge { width, height });
    }
    // A broken EXIF block must not cost the scan: ignore it.
    let orientation = guarded(|| decoder.orientation())
        .ok()
        .and_then(Result::ok)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = match guarded(|| DynamicImage::from_decoder(decoder)).map_err(decoder_panicked)? {
        Ok(img) => img,
        Err(image::ImageError::Limits(_)) => return Err(ScanError::TooLarge { width, height }),
        Err(e) => return Err(ScanError::UnsupportedImage(e.to_string())),
    };
    img.apply_orientation(orientation);
    Ok(img)
}

/// [`ScanError::TooLarge`] with the size from the file header, read without
/// limits (the header alone is small).
fn too_large_from_header(bytes: &[u8]) -> ScanError {
    let dimensions = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|mut reader| {
            reader.no_limits();
            guarded(|| reader.into_dimensions()).ok()?.ok()
        })
        .unwrap_or((0, 0));
    ScanError::TooLarge {
        width: dimensions.0,
        height: dimensions.1,
    }
}

/// Runs `f`, turning a panic into `Err` with its message.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned())
    })
}

/// A decoded code and where it is, in the coordinates of the image it was
/// read from.
#[derive(Debug)]
struct Found {
    text: String,
    center: (f32, f32),
    /// Rough side length, to tell rows of codes apart.
    size: f32,
}

impl Found {
    fn new(text: String, points: impl IntoIterator<Item = (f32, f32)>) -> Found {
        let points: Vec<(f32, f32)> = points
            .into_iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        let n = points.len().max(1) as f32;
        let center = (
            points.iter().map(|p| p.0).sum::<f32>() / n,
            points.iter().map(|p| p.1).sum::<f32>() / n,
        );
        let extent = |coord: fn(&(f32, f32)) -> f32| {
            let (lo, hi) = points
                .iter()
                .map(coord)
                .fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
            (hi - lo).max(0.0)
        };
        let size = extent(|p| p.0).max(extent(|p| p.1));
        Found { text, center, size }
    }
}

/// What one pipeline stage saw.
#[derive(Debug, Default)]
struct Pass {
    found: Vec<Found>,
    /// A code-like structure was located but its data failed to decode.
    unreadable: bool,
    /// Message of the first decoder panic.
    panic: Option<String>,
}

impl Pass {
    fn run<T>(&mut self, f: impl FnOnce() -> T) -> Option<T> {
        match guarded(f) {
            Ok(value) => Some(value),
            Err(message) => {
                self.panic.get_or_insert(message);
                None
            }
        }
    }
}

/// Evidence gathered over the stages, for the final error.
#[derive(Debug, Default)]
struct Outcome {
    unreadable: bool,
    panic: Option<String>,
}

impl Outcome {
    /// Records a stage; returns its texts in reading order if it found any.
    fn stage(&mut self, pass: Pass) -> Option<Vec<String>> {
        self.unreadable |= pass.unreadable;
        if self.panic.is_none() {
            self.panic = pass.panic;
        }
        (!pass.found.is_empty()).then(|| reading_order(pass.found))
    }

    fn into_error(self) -> ScanError {
        if self.unreadable {
            ScanError::CodeUnreadable
        } else if let Some(message) = self.panic {
            ScanError::DecoderFailed(message)
        } else {
            ScanError::NoCodeFound
        }
    }
}

/// Sorts codes top to bottom, then left to right within a row, and drops
/// repeated texts (one code can be read twice, e.g. in both polarities).
fn reading_order(mut found: Vec<Found>) -> Vec<String> {
    found.sort_by(|a, b| a.center.1.total_cmp(&b.center.1));
    // Codes whose centres are within half a code height of the row's first
    // code share its row, so a slight tilt does not reorder a row.
    let mut rows: Vec<Vec<Found>> = Vec::new();
    for f in found {
        match rows.last_mut() {
            Some(row) if (f.center.1 - row[0].center.1).abs() <= row[0].size.max(f.size) / 2.0 => {
                row.push(f)
            }
            _ => rows.push(vec![f]),
        }
    }
    let mut texts: Vec<String> = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.center.0.total_cmp(&b.center.0));
        for f in row {
            if !texts.contains(&f.text) {
                texts.push(f.text);
            }
        }
    }
    texts
}

/// rxing on one grayscale image: all codes by the ZXing-C++ detector in
/// both polarities, then, if none, rxing's general single-code reader.
fn rxing_pass(luma: &GrayImage) -> Pass {
    let mut pass = Pass::default();
    let (width, height) = luma.dimensions();
    let bitmap = || {
        Luma8Source::new_with_slice(luma.as_raw(), width, height)
            .map(|source| BinaryBitmap::new(rxing::common::HybridBinarizer::new(source)))
    };

    if let Some(Ok(mut bitmap)) = pass.run(bitmap) {
        for inverted in [false, true] {
            if inverted {
                // Flipping can panic like any other step on a hostile image.
                if pass.run(|| bitmap.invert()).is_none() {
                    break;
                }
            }
            if let Some((found, unreadable)) = pass.run(|| rxing_all_codes(&bitmap)) {
                pass.found.extend(found);
                pass.unreadable |= unreadable;
            }
            if !pass.found.is_empty() {
                return pass;
            }
        }
    }

    // rxing's general entry point adds the classic ZXing detector, which
    // locates some codes (e.g. strongly tilted ones) the other misses.
    let hints = DecodeHints {
        TryHarder: Some(true),
        AlsoInverted: Some(true),
        PossibleFormats: Some([BarcodeFormat::QR_CODE].into()),
        ..DecodeHints::default()
    };
    if let Some(Ok(mut bitmap)) = pass.run(bitmap)
        && let Some(Ok(result)) =
            pass.run(|| MultiFormatReader::default().decode_with_hints(&mut bitmap, &hints))
    {
        pass.found.push(found_from_rxing(&result));
    }
    pass
}

/// Every QR code rxing's ZXing-C++ port finds in `bitmap`: the body of
/// rxing's own multi-symbol reader, which its `multi_barcode_readers`
/// feature would expose, but with failed decodes reported instead of
/// dropped. Returns the codes and whether something code-like was seen.
fn rxing_all_codes<B: rxing::Binarizer>(bitmap: &BinaryBitmap<B>) -> (Vec<Found>, bool) {
    let matrix = bitmap.get_black_matrix();
    let mut patterns = FindFinderPatterns(matrix, true, 0);
    let unreadable = looks_like_part_of_a_code(&patterns);
    let mut used = Vec::new();
    let mut found = Vec::new();
    for set in GenerateFinderPatternSets(&mut patterns) {
        if [set.bl, set.tl, set.tr].iter().any(|p| used.contains(p)) {
            continue;
        }
        let Ok(detected) = SampleQR(matrix, &set) else {
            continue;
        };
        // A failed decode is no evidence of a code by itself: format and
        // version information are short BCH codes that texture often passes.
        if let Ok(decoded) = Decode(detected.getBits())
            && decoded.isValid()
        {
            used.extend([set.bl, set.tl, set.tr]);
            let result = RXingResult::with_decoder_result(
                decoded,
                detected.getPoints(),
                BarcodeFormat::QR_CODE,
            );
            found.push(found_from_rxing(&result));
        }
    }
    (found, unreadable)
}

/// Whether two of the finder patterns could be corners of one QR code: a
/// code that is cut off or blurred often still shows two of its three
/// finder patterns, and then "unreadable" is more helpful than "not found".
///
/// Two patterns qualify when they have about the same size, are big enough
/// not to be texture (random noise yields patterns of a few pixels), and lie
/// about as far apart as corners of a version 1 to 40 symbol: 14 to 170
/// modules between centres, 2 to 24 pattern widths (7 modules each).
fn looks_like_part_of_a_code(patterns: &[ConcentricPattern]) -> bool {
    const MIN_PATTERN_PX: i32 = 14;
    // Pairs are quadratic; a crafted image can hold thousands of patterns.
    const MAX_PATTERNS: usize = 200;
    let big: Vec<&ConcentricPattern> = patterns
        .iter()
        .filter(|p| p.size >= MIN_PATTERN_PX)
        .take(MAX_PATTERNS)
        .collect();
    big.iter().enumerate().any(|(i, a)| {
        big[i + 1..].iter().any(|b| {
            let (small, large) = (a.size.min(b.size) as f32, a.size.max(b.size) as f32);
            let mean = (small + large) / 2.0;
            let distance = (a.p.x - b.p.x).hypot(a.p.y - b.p.y);
            large <= small * 1.3 && (1.8 * mean..=26.0 * mean).contains(&distance)
        })
    })
}

fn found_from_rxing(result: &RXingResult) -> Found {
    Found::new(
        result.getText().to_owned(),
        result.getPoints().iter().map(|p| (p.x, p.y)),
    )
}

/// rqrr on one grayscale image, normal then inverted.
fn rqrr_pass(luma: &GrayImage) -> Pass {
    let mut pass = Pass::default();
    let (width, height) = (luma.width() as usize, luma.height() as usize);
    for inverted in [false, true] {
        let read = pass.run(|| {
            let raw = luma.as_raw();
            let mut prepared =
                rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
                    let v = raw[y * width + x];
                    if inverted { 255 - v } else { v }
                });
            let mut found = Vec::new();
            let mut unreadable = false;
            for grid in prepared.detect_grids() {
                match grid.decode() {
                    Ok((_, text)) => found.push(Found::new(
                        text,
                        grid.bounds.iter().map(|p| (p.x as f32, p.y as f32)),
                    )),
                    Err(rqrr::DeQRError::DataEcc) => unreadable = true,
                    Err(_) => {}
                }
            }
            (found, unreadable)
        });
        if let Some((found, unreadable)) = read {
            pass.found.extend(found);
            pass.unreadable |= unreadable;
        }
        if !pass.found.is_empty() {
            break;
        }
    }
    pass
}

/// A copy with the 1st–99th percentile of gray levels spread over 0–255,
/// or `None` when the image already spans (almost) the full range or is
/// flat, where stretching would not change what the binarizer sees.
fn contrast_stretched(luma: &GrayImage) -> Option<GrayImage> {
    let mut histogram = [0u64; 256];
    for &v in luma.as_raw() {
        histogram[usize::from(v)] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let cut = total / 100;
    let percentile = |levels: &mut dyn Iterator<Item = usize>| {
        let mut seen = 0;
        for v in levels {
            seen += histogram[v];
            if seen > cut {
                return Some(v);
            }
        }
        None
    };
    let lo = percentile(&mut (0..256))?;
    let hi = percentile(&mut (0..256).rev())?;
    if hi <= lo + 4 || (lo <= 16 && hi >= 239) {
        return None;
    }
    let span = (hi - lo) as f32;
    let lut: Vec<u8> = (0..256)
        .map(|v| {
            ((v as f32 - lo as f32) * 255.0 / span)
                .round()
                .clamp(0.0, 255.0) as u8
        })
        .collect();
    let mut out = luma.clone();
    for v in out.iter_mut() {
        *v = lut[usize::from(*v)];
    }
    Some(out)
}

/// A copy whose long side is [`DOWNSCALE_TO_PX`].
fn downscaled(luma: &GrayImage) -> GrayImage {
    let (w, h) = luma.dimensions();
    let scale = DOWNSCALE_TO_PX as f32 / w.max(h) as f32;
    let (nw, nh) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    image::imageops::resize(luma, nw, nh, image::imageops::FilterType::Triangle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use attesta_core::qr::{EcLevel, QrOptions, QrSymbol};
    use image::{ImageEncoder as _, Luma};

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
        let small =
            image::imageops::resize(&big, side, side, image::imageops::FilterType::Triangle);
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
            Err(ScanError::CodeUnreadable)
        );
    }

    #[test]
    fn blurred_code_is_unreadable() {
        let img = image::imageops::blur(&gray_of(&attestation_text(31), 6), 4.0);
        assert_eq!(
            scan_image_bytes(&encode_png(&img)),
            Err(ScanError::CodeUnreadable)
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
    fn each_stage_reads_a_clean_code() {
        let text = attestation_text(47);
        let img = gray_of(&text, 4);
        let mut inverted = img.clone();
        image::imageops::invert(&mut inverted);
        for pass in [
            rxing_pass(&img),
            rxing_pass(&inverted),
            rqrr_pass(&img),
            rqrr_pass(&inverted),
        ] {
            assert_eq!(pass.found.len(), 1);
            assert_eq!(pass.found[0].text, text);
            assert!(pass.panic.is_none());
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
        // 81 megapixels, under the pixel cap, but 648 MB decoded as RGBA16.
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

    #[test]
    fn truncated_png_is_an_error() {
        let png = png_of(&attestation_text(23), 8);
        for cut in [8, 33, png.len() / 2, png.len() - 12] {
            assert!(scan_image_bytes(&png[..cut]).is_err(), "cut at {cut}");
        }
    }
}
