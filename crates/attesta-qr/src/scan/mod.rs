//! Reading QR codes from photos, scans and camera frames.
//!
//! Verifiers get whatever a phone or office scanner produced: rotated,
//! dim, noisy, blurred, re-compressed, huge, sometimes with several
//! attestations on one page. The pipeline tries the cheap reading first and
//! stronger ones only when the earlier ones read nothing. It works on a
//! grayscale copy, scaled down (box filter) to 1600 px for photos above
//! 2000 px: the binarizer's 8-pixel blocks then suit the modules, and it is
//! several times faster.
//!
//! 1. ZXing's hybrid (block-average) binarization, then rxing's port of the
//!    ZXing-C++ detector, which finds every code in the picture;
//! 2. the same on a copy at half size, whose 2 × 2 averaging removes
//!    sensor noise, print halftone and JPEG blocking (grainy pictures take
//!    this step first);
//! 3. steps 1 and 2 light on dark (codes on a dark-mode screen);
//! 4. a local-mean threshold of our own (integral image), which, unlike
//!    the hybrid binarizer, has no minimum contrast: dim, washed-out and
//!    unevenly lit codes;
//! 5. sharpened copies (unsharp mask) at half and full size, for codes out
//!    of focus;
//! 6. for pictures up to 1000 px, a copy enlarged twice (bilinear), plain
//!    and sharpened: thresholds between the original pixels place module
//!    edges to half a pixel, for modules under 2 px and blurred ones;
//! 7. for large photos, step 1 at full resolution, for a code that is small
//!    in the frame;
//! 8. rqrr, an independent decoder (quirc's algorithm), both polarities.
//!
//! Steps 4 to 7 try both polarities. The photo benchmark
//! (`bench/photos`, docs/photo-benchmark.md) measures the pipeline against
//! ZXing-C++ and ZBar; most pictures are read by step 1 in about a
//! millisecond.
//!
//! A scan has a time budget ([`TIME_BUDGET`]): later steps are skipped
//! when it runs out, the finder-pattern search checks it on every row, and
//! a step collects at most [`MAX_FINDER_PATTERNS`] patterns and samples at
//! most [`MAX_PATTERN_SETS`] candidate codes. A picture tiled with
//! finder-like squares, which used to keep rxing's and rqrr's pattern
//! searches (quadratic to cubic in the number of patterns) busy for
//! minutes, costs under half a second.
//!
//! Inside, one module per job, each depending only on those listed before
//! it: `error` (what the user is told), `frame` (pixels in, the size cap),
//! `decode` (PNG/JPEG files, feature `codecs`), `binarize` (gray to dark
//! and light), `resample` (other sizes and sharpness), `finder` (finder
//! patterns, and what they say about a code not read), `pipeline` (the
//! steps above in order of cost).
//!
//! Every decoder call runs under [`std::panic::catch_unwind`]: the decoders
//! are large ports that have panicked on crafted images, and a verifier must
//! answer with an error, not crash. (This needs the default `panic =
//! "unwind"`; the default panic hook still prints the panic to stderr.)
//!
//! ```no_run
//! use attesta_qr::scan::{scan_image_bytes, ScanError};
//!
//! let bytes = std::fs::read("photo-of-attestation.jpg").unwrap();
//! match scan_image_bytes(&bytes) {
//!     Ok(texts) => texts.iter().for_each(|t| println!("{t}")),
//!     Err(e @ (ScanError::NoCodeFound | ScanError::CodeUnreadable(_))) => eprintln!("{e}"),
//!     Err(e) => eprintln!("cannot use this file: {e}"),
//! }
//! ```

use std::borrow::Cow;
use std::time::Duration;

use image::DynamicImage;
use web_time::Instant;

mod binarize;
#[cfg(feature = "codecs")]
mod decode;
mod error;
mod finder;
mod frame;
mod pipeline;
mod resample;
#[cfg(all(test, feature = "codecs"))]
mod tests;

pub use error::{ScanError, Unreadable};
pub use finder::MAX_FINDER_PATTERNS;
pub use frame::{Frame, MAX_PIXELS};
pub use pipeline::MAX_PATTERN_SETS;

use frame::{Picture, check_size};
use pipeline::Scanner;

/// Time a scan may take, file decoding excluded. Steps not started by then
/// are skipped (the running one stops at its next row or candidate), so a
/// hostile or hopeless picture costs about this much at most. Unoptimised
/// (debug) builds run the pipeline ten times slower and get ten times the
/// budget, so that tests read the same codes as release builds.
pub const TIME_BUDGET: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(15)
} else {
    Duration::from_millis(1500)
};

/// Reads all QR codes in an encoded image file (PNG or JPEG).
///
/// The EXIF orientation of photos is applied first. Returns the text of each
/// code found, without duplicates, in reading order (top to bottom, then
/// left to right).
///
/// ```
/// use attesta_qr::render::{EcLevel, QrOptions, QrSymbol};
/// use attesta_qr::scan::scan_image_bytes;
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
#[cfg(feature = "codecs")]
pub fn scan_image_bytes(bytes: &[u8]) -> Result<Vec<String>, ScanError> {
    scan_image(&decode::decode_image(bytes)?)
}

/// Reads all QR codes in an already decoded image.
///
/// Like [`scan_image_bytes`], without file decoding; the caller is
/// responsible for orientation.
///
/// ```
/// use attesta_qr::render::{EcLevel, QrOptions, QrSymbol};
/// use attesta_qr::scan::{scan_image, ScanError};
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
    let deadline = Instant::now() + TIME_BUDGET;
    Scanner::new(deadline).run(&Picture::of(img))
}

/// Time a live camera frame may take ([`scan_live_frame`]): the next
/// frame is a better chance than a long search in this one.
pub const FRAME_TIME_BUDGET: Duration = if cfg!(debug_assertions) {
    Duration::from_millis(1000)
} else {
    Duration::from_millis(100)
};

/// Reads all QR codes in a frame with the whole pipeline of
/// [`scan_image`] (for a photo the user picked, decoded by the caller).
///
/// ```
/// use attesta_qr::render::{EcLevel, QrOptions, QrSymbol};
/// use attesta_qr::scan::{scan_frame, Frame};
///
/// let symbol = QrSymbol::encode("AT1:NCFOXN%TS3DH", EcLevel::Q)?;
/// let side = (symbol.width() + 8) * 4;
/// let luma = (0..side * side)
///     .map(|i| if symbol.is_dark((i % side / 4).wrapping_sub(4), (i / side / 4).wrapping_sub(4)) { 0 } else { 255 })
///     .collect();
/// let frame = Frame::from_luma(side as u32, side as u32, luma)?;
/// assert_eq!(scan_frame(&frame)?, ["AT1:NCFOXN%TS3DH"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`scan_image`].
pub fn scan_frame(frame: &Frame) -> Result<Vec<String>, ScanError> {
    if frame.width() == 0 || frame.height() == 0 {
        return Err(ScanError::NoCodeFound);
    }
    let picture = Picture::Gray(Cow::Borrowed(frame.gray()));
    Scanner::new(Instant::now() + TIME_BUDGET).run(&picture)
}

/// Reads the QR codes in one live camera frame: only the first, fast steps
/// of the pipeline (the picture as it is, then at half size), within
/// [`FRAME_TIME_BUDGET`]. A camera delivers the next frame in a few tens of
/// milliseconds, so a frame that does not read at once is dropped rather
/// than searched.
///
/// # Errors
/// As [`scan_image`]; a code seen but not read is
/// [`ScanError::CodeUnreadable`], which a camera view can turn into advice
/// ("move closer").
pub fn scan_live_frame(frame: &Frame) -> Result<Vec<String>, ScanError> {
    if frame.width() == 0 || frame.height() == 0 {
        return Err(ScanError::NoCodeFound);
    }
    let picture = Picture::Gray(Cow::Borrowed(frame.gray()));
    let mut scanner = Scanner::new(Instant::now() + FRAME_TIME_BUDGET);
    scanner.quick = true;
    scanner.run(&picture)
}

/// Picks the one code of interest among those [`scan_image_bytes`] read:
/// the only one for which `wanted` holds (say, a prefix check), so that a
/// page with a second, unrelated code (a link, a payment code) still works.
///
/// ```
/// use attesta_qr::scan::{pick_code, ScanError};
///
/// let ours = |t: &str| t.starts_with("AT1:");
/// let codes = vec!["https://example.org".to_string(), "AT1:ABC".to_string()];
/// assert_eq!(pick_code(codes, ours)?, "AT1:ABC");
/// let two = vec!["AT1:A".to_string(), "AT1:B".to_string()];
/// assert_eq!(pick_code(two, ours), Err(ScanError::SeveralCodes { count: 2 }));
/// # Ok::<(), ScanError>(())
/// ```
///
/// # Errors
/// [`ScanError::NoCodeFound`] for no codes; [`ScanError::SeveralCodes`]
/// when `wanted` holds for several; [`ScanError::OtherKind`] when it holds
/// for none.
pub fn pick_code(codes: Vec<String>, wanted: impl Fn(&str) -> bool) -> Result<String, ScanError> {
    let count = codes.len();
    let mut matching: Vec<String> = codes.iter().filter(|c| wanted(c)).cloned().collect();
    match (matching.len(), count) {
        (1, _) => Ok(matching.remove(0)),
        (0, 0) => Err(ScanError::NoCodeFound),
        (0, _) => Err(ScanError::OtherKind { count }),
        (n, _) => Err(ScanError::SeveralCodes { count: n }),
    }
}
