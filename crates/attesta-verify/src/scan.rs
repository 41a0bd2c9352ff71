//! Reading QR codes from photos and scans (PNG, JPEG).
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
//!     Err(e @ (ScanError::NoCodeFound | ScanError::CodeUnreadable(_))) => eprintln!("{e}"),
//!     Err(e) => eprintln!("cannot use this file: {e}"),
//! }
//! ```

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

// std's Instant panics in browsers (wasm32-unknown-unknown); web-time is
// std's own type elsewhere.
use web_time::Instant;

use image::{DynamicImage, GrayImage, ImageDecoder as _, ImageFormat, ImageReader, Limits};
use rxing::common::cpp_essentials::{
    ConcentricPattern, FindLeftGuardBy, FixedPattern, GetPatternRowTP, IsPattern,
    LocateConcentricPattern, PatternRow, PatternView,
};
use rxing::common::{
    BIT_FIELD_BASE_BITS, BitArray, BitFieldBaseType, BitMatrix, DetectorRXingResult as _,
    HybridBinarizer,
};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{GenerateFinderPatternSets, SampleQR};
use rxing::{BinaryBitmap, Luma8Source, Point};

/// Largest image accepted, in pixels: 65 megapixels, the full resolution
/// of 64-megapixel phone cameras (9248 × 6936); phones save 12 megapixels
/// by default. Larger images are refused from their header, before any
/// pixel is decoded (security review, finding 7: a 100-megapixel PNG,
/// then accepted, took 35 s and 693 MB to be turned down in a debug build,
/// 1.08 s in release; refused from its header it takes microseconds).
pub const MAX_PIXELS: u64 = 65_000_000;

/// Memory the image decoder may allocate: a 65-megapixel RGB JPEG decodes
/// to 195 MB; 16-bit or alpha PNGs near the pixel cap are refused through
/// this.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Above this long side, the pipeline works on a scaled-down copy first.
const DOWNSCALE_ABOVE_PX: u32 = 2000;
/// Long side of the scaled-down copy: a code filling a third of the frame
/// still gets 4 px or more per module up to version 25 or so.
const DOWNSCALE_TO_PX: u32 = 1600;

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

/// Candidate codes (triples of finder patterns, most plausible first)
/// sampled per binarized image. A cluttered photo yields a few dozen; a
/// crafted one could yield millions.
pub const MAX_PATTERN_SETS: usize = 250;

/// Modules narrower than this (in the photo's pixels) are too small to read
/// reliably: such a failure is reported as [`Unreadable::TooSmall`].
const SMALL_MODULE_PX: f32 = 2.5;

/// Why no code text could be read from an image.
///
/// Each message says what is wrong and then what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The bytes are not a PNG or JPEG image, or the file is damaged.
    #[error(
        "the file is not a readable PNG or JPEG image ({0}); save or photograph the code again as PNG or JPEG"
    )]
    UnsupportedImage(String),
    /// The image exceeds [`MAX_PIXELS`], or would need more than 512 MiB to
    /// decode (possible below 65 megapixels for 16-bit images).
    #[error(
        "the image is {width}×{height} pixels, too large to scan (the limit is 65 megapixels, \
         less for 16-bit images); take the photo at the camera's normal resolution, or crop it around the code"
    )]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// No QR code was seen at all.
    #[error(
        "no QR code found in the image; photograph the code straight on and in focus, \
         filling at least a third of the frame, with even light"
    )]
    NoCodeFound,
    /// Something shaped like a QR code was seen, but its data could not be
    /// read; the reason says what to change in the next photo.
    #[error("{0}")]
    CodeUnreadable(Unreadable),
    /// Codes were read, but more than one could be the one wanted (see
    /// [`pick_code`]).
    #[error("{count} codes were read in one image; photograph or crop one code at a time")]
    SeveralCodes {
        /// How many candidate codes were read.
        count: usize,
    },
    /// Codes were read, but none is of the kind wanted (see [`pick_code`]).
    #[error(
        "the image holds {count} QR code(s), none of the kind expected here; \
         photograph the code printed on the attestation itself"
    )]
    OtherKind {
        /// How many codes were read.
        count: usize,
    },
    /// A decoder failed internally (it panicked) and no other reading
    /// succeeded.
    #[error(
        "the QR decoder failed on this image ({0}); try another photo or scan, \
         and report the file if this keeps happening"
    )]
    DecoderFailed(String),
}

/// Why a QR code that was seen could not be read, judged from its finder
/// patterns (the three large squares in its corners).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unreadable {
    /// Its modules are only a pixel or two wide.
    #[error(
        "a QR code was found but it is too small in the picture to be read; \
         move closer (or zoom in) so that the code fills at least a third of the frame"
    )]
    TooSmall,
    /// Part of it lies outside the picture.
    #[error(
        "a QR code was found but part of it is outside the picture; \
         take the photo again with the whole code, including its white margin, inside the frame"
    )]
    CutOff,
    /// Seen at a readable size, yet its data did not decode: usually blur,
    /// glare, a crease or something covering it.
    #[error(
        "a QR code was found but its data could not be read (blurred, creased, covered or with glare); \
         hold the camera still and let it focus, flatten the page, and use even light without reflections"
    )]
    Blurred,
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

/// A picture as raw 8-bit gray levels, row by row: a camera frame or a photo
/// the caller decoded (a browser's canvas gives RGBA, see
/// [`Frame::from_rgba`]). This is the scanner's input without any image
/// file format, so that embedded and browser builds need no codecs.
#[derive(Clone, Debug)]
pub struct Frame {
    luma: GrayImage,
}

impl Frame {
    /// A frame from gray levels (`width × height` bytes, row-major).
    ///
    /// # Errors
    /// [`ScanError::TooLarge`] above [`MAX_PIXELS`];
    /// [`ScanError::UnsupportedImage`] when `luma` is not `width × height`
    /// bytes.
    pub fn from_luma(width: u32, height: u32, luma: Vec<u8>) -> Result<Frame, ScanError> {
        check_size(width, height)?;
        let len = luma.len();
        GrayImage::from_raw(width, height, luma)
            .filter(|_| len == width as usize * height as usize)
            .map(|luma| Frame { luma })
            .ok_or_else(|| bad_frame(width, height, 1, len))
    }

    /// A frame from RGBA pixels (`width × height × 4` bytes, as a canvas's
    /// `getImageData` gives them). Transparent pixels count as white.
    ///
    /// ```
    /// use attesta_verify::scan::Frame;
    /// let white = Frame::from_rgba(2, 1, &[255, 255, 255, 255, 0, 0, 0, 0])?;
    /// assert_eq!(white.luma(), &[255, 255]);
    /// # Ok::<(), attesta_verify::scan::ScanError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Frame::from_luma`].
    pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Frame, ScanError> {
        check_size(width, height)?;
        if rgba.len() != 4 * width as usize * height as usize {
            return Err(bad_frame(width, height, 4, rgba.len()));
        }
        let luma = rgba
            .chunks_exact(4)
            .map(|p| {
                let (v, a) = (u32::from(rgb_luma(p[0], p[1], p[2])), u32::from(p[3]));
                ((v * a + 255 * (255 - a) + 127) / 255) as u8
            })
            .collect();
        Frame::from_luma(width, height, luma)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.luma.width()
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.luma.height()
    }

    /// The gray levels, row-major.
    pub fn luma(&self) -> &[u8] {
        self.luma.as_raw()
    }

    pub(crate) fn gray(&self) -> &GrayImage {
        &self.luma
    }
}

fn bad_frame(width: u32, height: u32, channels: usize, len: usize) -> ScanError {
    ScanError::UnsupportedImage(format!(
        "a {width}×{height} frame needs {} bytes, {len} were given",
        channels * width as usize * height as usize
    ))
}

/// Reads all QR codes in a frame with the whole pipeline of
/// [`scan_image`] (for a photo the user picked, decoded by the caller).
///
/// ```
/// use attesta_core::qr::{EcLevel, QrOptions, QrSymbol};
/// use attesta_verify::scan::{scan_frame, Frame};
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
/// use attesta_verify::scan::{pick_code, ScanError};
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

/// The picture to scan: 8-bit gray or RGB as decoded (what cameras and
/// scanners produce), anything else converted to gray.
enum Picture<'a> {
    Gray(Cow<'a, GrayImage>),
    Rgb(&'a image::RgbImage),
}

impl<'a> Picture<'a> {
    fn of(img: &'a DynamicImage) -> Picture<'a> {
        match img {
            DynamicImage::ImageLuma8(gray) => Picture::Gray(Cow::Borrowed(gray)),
            DynamicImage::ImageRgb8(rgb) => Picture::Rgb(rgb),
            other => Picture::Gray(Cow::Owned(luma_on_white(other))),
        }
    }

    fn dimensions(&self) -> (u32, u32) {
        match self {
            Picture::Gray(gray) => gray.dimensions(),
            Picture::Rgb(rgb) => rgb.dimensions(),
        }
    }

    /// Fills `out` with the gray levels of row `y`.
    fn luma_row(&self, y: usize, out: &mut [u8]) {
        let w = out.len();
        match self {
            Picture::Gray(gray) => out.copy_from_slice(&gray.as_raw()[y * w..(y + 1) * w]),
            Picture::Rgb(rgb) => {
                let row = &rgb.as_raw()[3 * y * w..3 * (y + 1) * w];
                for (v, p) in out.iter_mut().zip(row.chunks_exact(3)) {
                    *v = rgb_luma(p[0], p[1], p[2]);
                }
            }
        }
    }

    /// The whole picture in gray levels. `DynamicImage::to_luma8` goes
    /// through floating point and takes as long as decoding a JPEG (35 ms
    /// on a 12-megapixel photo, against 5 ms here).
    fn luma(&self) -> Cow<'_, GrayImage> {
        match self {
            Picture::Gray(gray) => Cow::Borrowed(gray),
            Picture::Rgb(rgb) => {
                let (w, h) = rgb.dimensions();
                let mut out = GrayImage::new(w, h);
                for (y, row) in out.chunks_exact_mut(w.max(1) as usize).enumerate() {
                    self.luma_row(y, row);
                }
                Cow::Owned(out)
            }
        }
    }
}

/// ITU-R BT.601 weights in 8-bit fixed point, as ZXing uses.
fn rgb_luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
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

/// A code seen but not read: two finder patterns that could belong to one
/// code, and what they tell about the failure.
#[derive(Debug, Clone, Copy)]
struct Sighting {
    /// Module width in the original image's pixels.
    module_px: f32,
    /// No placement of the code that these patterns allow fits inside the
    /// picture.
    cut_off: bool,
}

/// What the steps saw besides codes, for the error when none is read.
#[derive(Debug, Default)]
struct Evidence {
    /// The first sighting, normally from the first step, which sees the
    /// picture as it is.
    sighting: Option<Sighting>,
    /// Message of the first decoder panic.
    panic: Option<String>,
}

impl Evidence {
    fn into_error(self) -> ScanError {
        match (self.sighting, self.panic) {
            (Some(s), _) => ScanError::CodeUnreadable(if s.cut_off {
                Unreadable::CutOff
            } else if s.module_px < SMALL_MODULE_PX {
                Unreadable::TooSmall
            } else {
                Unreadable::Blurred
            }),
            (None, Some(message)) => ScanError::DecoderFailed(message),
            (None, None) => ScanError::NoCodeFound,
        }
    }
}

/// A grayscale working copy and its scale: original pixels per pixel.
struct View<'a> {
    img: Cow<'a, GrayImage>,
    scale: f32,
}

/// The pipeline: steps in order of cost, each stopping the scan when it
/// reads a code.
struct Scanner {
    deadline: Instant,
    evidence: Evidence,
    /// The most finder patterns any step saw, to keep rqrr, whose
    /// grouping of patterns is cubic, away from pattern-filled pictures.
    most_patterns: usize,
    /// Stop after the first two steps (live camera frames).
    quick: bool,
}

impl Scanner {
    fn new(deadline: Instant) -> Scanner {
        Scanner {
            deadline,
            evidence: Evidence::default(),
            most_patterns: 0,
            quick: false,
        }
    }

    fn time_left(&self) -> bool {
        Instant::now() < self.deadline
    }

    /// Runs `f` under [`guarded`], keeping the first panic as evidence.
    fn guard<T>(&mut self, f: impl FnOnce() -> T) -> Option<T> {
        match guarded(f) {
            Ok(value) => Some(value),
            Err(message) => {
                self.evidence.panic.get_or_insert(message);
                None
            }
        }
    }

    fn run(mut self, picture: &Picture<'_>) -> Result<Vec<String>, ScanError> {
        let (width, height) = picture.dimensions();
        let long = width.max(height);
        let large = long > DOWNSCALE_ABOVE_PX;
        let base = if large {
            let small = shrink(picture, DOWNSCALE_TO_PX);
            let scale = long as f32 / small.width().max(small.height()) as f32;
            View {
                img: Cow::Owned(small),
                scale,
            }
        } else {
            View {
                img: picture.luma(),
                scale: 1.0,
            }
        };

        // 1. The picture as it is, dark on light.
        // 2. Half size: noise, halftone and JPEG blocks averaged away.
        // A grainy picture (a dim room, a cheap sensor) goes the other way
        // round: at full size its noise breaks every run of pixels into
        // pieces, which only costs time.
        let half_img = (base.img.width().min(base.img.height()) >= 2 * MIN_SIDE_PX
            && self.time_left())
        .then(|| halve(&base.img));
        let grainy = half_img.is_some() && is_grainy(&base.img);
        let mut hybrid = None;
        let mut half = None;
        for halved in if grainy { [true, false] } else { [false, true] } {
            if !self.time_left() {
                break;
            }
            let (step, matrix, scale) = if halved {
                let Some(img) = &half_img else { continue };
                half = self.guard(|| hybrid_matrix(img)).flatten();
                ("half", &half, base.scale * 2.0)
            } else {
                hybrid = self.guard(|| hybrid_matrix(&base.img)).flatten();
                ("hybrid", &hybrid, base.scale)
            };
            if let Some(matrix) = matrix
                && let Some(found) = self.detect(step, matrix, scale)
            {
                return Ok(found);
            }
        }
        if self.quick {
            return Err(self.evidence.into_error());
        }
        // 3. Both light on dark (a dark-mode screen), which is rarer.
        for (step, matrix, scale) in [
            ("hybrid~", &hybrid, base.scale),
            ("half~", &half, base.scale * 2.0),
        ] {
            if let Some(matrix) = matrix
                && self.time_left()
                && let Some(found) = self.detect(step, &inverted(matrix), scale)
            {
                return Ok(found);
            }
        }
        // 4. Local mean threshold: no minimum contrast, follows gradients.
        if self.time_left() {
            let radius = local_radius(&base.img);
            if let Some(matrix) = self
                .guard(|| local_mean_matrix(&base.img, radius))
                .flatten()
                && let Some(found) = self.detect_both("local", matrix, base.scale)
            {
                return Ok(found);
            }
        }
        // 5. Sharpened, for codes slightly out of focus: at half size
        //    first, where the 5 × 5 mask suits modules of 2 to 4 px, then
        //    as is.
        for (step, halved, scale) in [
            ("sharp½", true, base.scale * 2.0),
            ("sharp", false, base.scale),
        ] {
            let source = if halved {
                half_img.as_ref()
            } else {
                Some(&*base.img)
            };
            let Some(source) = source.filter(|_| self.time_left()) else {
                continue;
            };
            let sharp = sharpened(source);
            if let Some(matrix) = self.guard(|| hybrid_matrix(&sharp)).flatten()
                && let Some(found) = self.detect_both(step, matrix, scale)
            {
                return Ok(found);
            }
        }
        // 6. Enlarged twice (bilinear) when small: the thresholds then fall
        //    between the original pixels, which places module edges to half
        //    a pixel, for tiny modules and blurred edges.
        if base.img.width().max(base.img.height()) <= ENLARGE_UP_TO_PX && self.time_left() {
            let large = enlarged(&base.img);
            for (step, sharpen) in [("enlarged", false), ("enlarged+sharp", true)] {
                if !self.time_left() {
                    break;
                }
                let img = if sharpen {
                    sharpened(&large)
                } else {
                    large.clone()
                };
                if let Some(matrix) = self.guard(|| hybrid_matrix(&img)).flatten()
                    && let Some(found) = self.detect_both(step, matrix, base.scale / 2.0)
                {
                    return Ok(found);
                }
            }
        }
        // 7. Full resolution of a large photo: a code small in the frame.
        if large && self.time_left() {
            let luma = picture.luma();
            if let Some(matrix) = self.guard(|| hybrid_matrix(&luma)).flatten()
                && let Some(found) = self.detect_both("full", matrix, 1.0)
            {
                return Ok(found);
            }
        }
        // 8. An independent decoder.
        if self.time_left()
            && self.most_patterns <= RQRR_MAX_PATTERNS
            && let Some(found) = self.rqrr(&base.img)
        {
            return Ok(found);
        }
        Err(self.evidence.into_error())
    }

    /// The ZXing-C++ detector on `matrix` (dark modules set). `scale`
    /// converts pixels of `matrix` to original pixels.
    ///
    /// Only the plain binarizations (the picture as it is, halved or at full
    /// size) count as evidence that a code was there: thresholding without a
    /// minimum contrast, sharpening or enlarging can shape noise into
    /// finder-like rings.
    fn detect(&mut self, step: &str, matrix: &BitMatrix, scale: f32) -> Option<Vec<String>> {
        const PLAIN_STEPS: [&str; 5] = ["hybrid", "half", "hybrid~", "half~", "full"];
        let deadline = self.deadline;
        let (found, sighting, patterns) = self.guard(|| all_codes(matrix, deadline))?;
        self.most_patterns = self.most_patterns.max(patterns);
        if self.evidence.sighting.is_none()
            && PLAIN_STEPS.contains(&step)
            && let Some(mut s) = sighting
        {
            s.module_px *= scale;
            self.evidence.sighting = Some(s);
        }
        (!found.is_empty()).then(|| reading_order(found))
    }

    /// [`Scanner::detect`] dark on light, then light on dark.
    fn detect_both(
        &mut self,
        step: &str,
        mut matrix: BitMatrix,
        scale: f32,
    ) -> Option<Vec<String>> {
        if let Some(found) = self.detect(step, &matrix, scale) {
            return Some(found);
        }
        matrix.flip_self();
        self.detect(step, &matrix, scale)
    }

    /// rqrr, dark on light then light on dark.
    fn rqrr(&mut self, luma: &GrayImage) -> Option<Vec<String>> {
        let (width, height) = (luma.width() as usize, luma.height() as usize);
        for inverted in [false, true] {
            if !self.time_left() {
                break;
            }
            let read = self.guard(|| {
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
            let Some((found, unreadable)) = read else {
                continue;
            };
            if unreadable && self.evidence.sighting.is_none() {
                // rqrr found a grid whose error correction failed: a code
                // at a readable size, so most likely blur or damage.
                self.evidence.sighting = Some(Sighting {
                    module_px: f32::MAX,
                    cut_off: false,
                });
            }
            if !found.is_empty() {
                return Some(reading_order(found));
            }
        }
        None
    }
}

/// Long side up to which a picture is also scanned enlarged twice (the
/// enlarged copy has four times the pixels, so this bounds its cost).
const ENLARGE_UP_TO_PX: u32 = 1000;

/// Twice the size, bilinear: each new pixel weighs its nearest original
/// pixel 3/4 and the next one 1/4, along each axis.
fn enlarged(luma: &GrayImage) -> GrayImage {
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let src = luma.as_raw();
    // Horizontal pass, in quarters.
    let mut wide = vec![0u16; 2 * w * h];
    for (row, out) in src
        .chunks_exact(w.max(1))
        .zip(wide.chunks_exact_mut(2 * w.max(1)))
    {
        for x in 0..w {
            let (left, centre, right) = (row[x.saturating_sub(1)], row[x], row[(x + 1).min(w - 1)]);
            out[2 * x] = 3 * u16::from(centre) + u16::from(left);
            out[2 * x + 1] = 3 * u16::from(centre) + u16::from(right);
        }
    }
    // Vertical pass, in sixteenths.
    let stride = 2 * w;
    let mut out = vec![0u8; 4 * w * h];
    for y in 0..h {
        let (up, centre, down) = (y.saturating_sub(1), y, (y + 1).min(h - 1));
        for x in 0..stride {
            let c = 3 * u32::from(wide[centre * stride + x]);
            let top = c + u32::from(wide[up * stride + x]);
            let bottom = c + u32::from(wide[down * stride + x]);
            out[2 * y * stride + x] = ((top + 8) / 16) as u8;
            out[(2 * y + 1) * stride + x] = ((bottom + 8) / 16) as u8;
        }
    }
    GrayImage::from_raw(2 * luma.width(), 2 * luma.height(), out).unwrap_or_else(|| luma.clone())
}

/// A copy with dark and light swapped.
fn inverted(matrix: &BitMatrix) -> BitMatrix {
    let mut flipped = matrix.clone();
    flipped.flip_self();
    flipped
}

/// rqrr runs only when no step saw more finder patterns than this: it
/// tries every pair of neighbours of every pattern and copies the whole
/// image for each, so a picture tiled with finder-like squares would take
/// minutes. A few codes and some texture stay well below.
const RQRR_MAX_PATTERNS: usize = 40;

/// Whether the picture is grainy: the median difference between
/// horizontal neighbours (on every fourth row) is above [`GRAINY_LEVEL`]
/// gray levels. In a sharp or smooth picture most neighbours are alike,
/// whatever the content; sensor noise of σ levels makes the median about σ.
fn is_grainy(luma: &GrayImage) -> bool {
    /// Median neighbour difference above which a picture counts as grainy.
    const GRAINY_LEVEL: usize = 12;
    let mut histogram = [0u32; 256];
    let w = luma.width() as usize;
    for row in luma.as_raw().chunks_exact(w.max(1)).step_by(4) {
        for pair in row.windows(2) {
            histogram[usize::from(pair[0].abs_diff(pair[1]))] += 1;
        }
    }
    let total: u32 = histogram.iter().sum();
    let mut seen = 0;
    for (level, &count) in histogram.iter().enumerate() {
        seen += count;
        if 2 * seen >= total {
            return level > GRAINY_LEVEL;
        }
    }
    false
}

/// Smallest side worth scanning at half size: a version 11 code with its
/// quiet zone is 69 modules, 1.5 px each at the least.
const MIN_SIDE_PX: u32 = 100;

/// Every QR code the ZXing-C++ detector finds in `matrix`: rxing's own
/// multi-symbol reader, which its `multi_barcode_readers` feature would
/// expose, with a cap and a deadline on the candidates, and what was seen
/// when nothing decodes.
fn all_codes(matrix: &BitMatrix, deadline: Instant) -> (Vec<Found>, Option<Sighting>, usize) {
    let mut patterns = finder_patterns(matrix, deadline);
    let count = patterns.len();
    let mut used = Vec::new();
    let mut found = Vec::new();
    for set in GenerateFinderPatternSets(&mut patterns)
        .into_iter()
        .take(MAX_PATTERN_SETS)
    {
        if Instant::now() > deadline {
            break;
        }
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
            found.push(Found::new(
                decoded.text(),
                detected.getPoints().iter().map(|p| (p.x, p.y)),
            ));
        }
    }
    // Only worth judging when nothing was read (the sets reorder the
    // patterns, which does not matter to it).
    let seen = found
        .is_empty()
        .then(|| sighting(&patterns, matrix))
        .flatten();
    (found, seen, count)
}

/// At most this many finder patterns are collected per binarized image.
/// rxing's search checks each candidate against every pattern already
/// found (quadratic), and its grouping tries 105 triples per pattern: a
/// picture tiled with finder-like squares has tens of thousands of them and
/// would take seconds. Real photos show a few dozen.
pub const MAX_FINDER_PATTERNS: usize = 600;

/// The fast test of a finder's 1:1:3:1:1 proportions on five run lengths,
/// before rxing's exact one. Runs are u16 and a picture may be 65,535
/// pixels wide, so they are widened before doubling (a fuzzed JPEG 61,708
/// pixels wide overflowed here).
fn plausible_finder_runs(runs: [u16; 5]) -> bool {
    let [a, b, c, d, e] = runs.map(u32::from);
    let (outer, inner) = (a.max(e), b.max(d));
    c >= 3 && c >= 2 * outer && c >= inner
}

/// rxing's `FindFinderPatterns` (ZXing-C++'s, "try harder": every third
/// row), with a cap on the patterns and a deadline checked per row.
///
/// Each row is cut into runs; a 1:1:3:1:1 dark-light-dark-light-dark run
/// sequence is confirmed as a concentric square (rings checked in both
/// directions) unless it lies inside a pattern found already.
fn finder_patterns(image: &BitMatrix, deadline: Instant) -> Vec<ConcentricPattern> {
    const PATTERN: FixedPattern<5, 7, false> = FixedPattern::new([1, 1, 3, 1, 1]);
    const SKIP: u32 = 3;
    let is_finder = |view: &PatternView, space: Option<f32>| {
        plausible_finder_runs([view[0], view[1], view[2], view[3], view[4]])
            && IsPattern::<true, 5, 7, false>(view, &PATTERN, space, 0.1, 0.0, 0.0) != 0.0
    };
    let mut found: Vec<ConcentricPattern> = Vec::new();
    let mut row = PatternRow::default();
    let mut y = SKIP - 1;
    while y < image.height() && found.len() < MAX_FINDER_PATTERNS && Instant::now() < deadline {
        GetPatternRowTP(image, y, &mut row, false);
        let mut next = PatternView::new(&row);
        while let Ok(view) = FindLeftGuardBy::<5, _>(next, 5, is_finder) {
            next = view;
            if !next.isValid() {
                break;
            }
            let p = Point::new(
                f32::from(next.pixelsInFront())
                    + f32::from(next[0_usize])
                    + f32::from(next[1_usize])
                    + f32::from(next[2_usize]) / 2.0,
                y as f32 + 0.5,
            );
            // Not inside a pattern found already.
            if !found
                .iter()
                .any(|old| Point::distance(p, old.p) < old.size as f32 / 2.0)
            {
                // 3 × the run for very skewed samples.
                let range = next.iter().map(i32::from).sum::<i32>() * 3;
                if let Some(pattern) =
                    LocateConcentricPattern::<true, 5, 7>(image, &PATTERN.into(), p, range)
                {
                    found.push(pattern);
                }
            }
            next.skipPair();
            next.skipPair();
            next.extend();
        }
        y += SKIP;
    }
    found
}

/// Whether two of the finder patterns could be corners of one QR code: a
/// code that is cut off or blurred often still shows two of its three
/// finder patterns, and then "unreadable" is more helpful than "not found".
/// Tiny codes are judged by [`small_corner`].
///
/// Two patterns qualify when they have about the same size, are big enough
/// not to be texture (random noise yields patterns of a few pixels), and lie
/// about as far apart as corners of a version 1 to 40 symbol: 14 to 170
/// modules between centres, 2 to 24 pattern widths (7 modules each).
///
/// The code is judged cut off when none of the places the pair allows for
/// it (the pair as a side of the code, on either hand, or as its diagonal)
/// fits in the picture, or when a third pattern completes the corner and
/// the code it outlines does not fit.
fn sighting(patterns: &[ConcentricPattern], matrix: &BitMatrix) -> Option<Sighting> {
    let (width, height) = (matrix.width(), matrix.height());
    const MIN_PATTERN_PX: i32 = 14;
    // Pairs are quadratic; a crafted image can hold thousands of patterns.
    const MAX_PATTERNS: usize = 200;
    let mut big: Vec<&ConcentricPattern> = patterns
        .iter()
        .filter(|p| p.size >= MIN_PATTERN_PX)
        .collect();
    big.sort_by_key(|p| std::cmp::Reverse(p.size));
    big.truncate(MAX_PATTERNS);
    let similar = |a: f32, b: f32| a.max(b) <= a.min(b) * 1.3;
    for (i, a) in big.iter().enumerate() {
        for b in &big[i + 1..] {
            let mean = (a.size + b.size) as f32 / 2.0;
            let (ax, ay, bx, by) = (a.p.x, a.p.y, b.p.x, b.p.y);
            let distance = (ax - bx).hypot(ay - by);
            let module = mean / 7.0;
            if !similar(a.size as f32, b.size as f32)
                || !(1.8 * mean..=26.0 * mean).contains(&distance)
                || !busy_between(matrix, (ax, ay), (bx, by), module)
            {
                continue;
            }
            // The code's finder centres for each placement: the corner
            // pattern, then the two others.
            let (px, py) = (-(by - ay), bx - ax);
            let placements = [
                [(ax, ay), (bx, by), (ax + px, ay + py)],
                [(ax, ay), (bx, by), (ax - px, ay - py)],
                [(bx, by), (ax, ay), (bx + px, by + py)],
                [(bx, by), (ax, ay), (bx - px, by - py)],
                [
                    ((ax + bx + px) / 2.0, (ay + by + py) / 2.0),
                    (ax, ay),
                    (bx, by),
                ],
                [
                    ((ax + bx - px) / 2.0, (ay + by - py) / 2.0),
                    (ax, ay),
                    (bx, by),
                ],
            ];
            // The placement whose missing pattern was seen, if any.
            let seen = placements.iter().find(|[corner, p, q]| {
                let missing = [*corner, *p, *q]
                    .into_iter()
                    .find(|&(x, y)| (x, y) != (ax, ay) && (x, y) != (bx, by));
                missing.is_some_and(|(mx, my)| {
                    big.iter().any(|c| {
                        similar(c.size as f32, mean) && (c.p.x - mx).hypot(c.p.y - my) < mean
                    })
                })
            });
            let fits = |placement: &[(f32, f32); 3]| fits(placement, module, width, height);
            let cut_off = match seen {
                Some(placement) => !fits(placement),
                None => !placements.iter().any(fits),
            };
            return Some(Sighting {
                module_px: module,
                cut_off,
            });
        }
    }
    small_corner(patterns, matrix)
}

/// Whether the line between two finder centres crosses code-like modules:
/// in a code it runs through data, where about every other module changes
/// colour; between two square logos on a page it crosses blank paper.
/// Counts colour changes at half-module steps, the 4 modules of each finder
/// pattern and its separator left out, and wants one change per 8 modules.
fn busy_between(matrix: &BitMatrix, a: (f32, f32), b: (f32, f32), module: f32) -> bool {
    let length = (b.0 - a.0).hypot(b.1 - a.1);
    let inner = length - 8.0 * module;
    if inner < 2.0 * module {
        // Too close to tell (a tiny code): do not hold it against them.
        return true;
    }
    let steps = ((2.0 * inner / module).ceil() as usize).min(4096);
    let (dx, dy) = ((b.0 - a.0) / length, (b.1 - a.1) / length);
    let mut previous = None;
    let mut changes = 0;
    for i in 0..=steps {
        let t = 4.0 * module + inner * i as f32 / steps as f32;
        let (x, y) = (a.0 + dx * t, a.1 + dy * t);
        if x < 0.0 || y < 0.0 {
            continue;
        }
        let Some(dark) = matrix.try_get(x as u32, y as u32) else {
            continue;
        };
        if previous.is_some_and(|p| p != dark) {
            changes += 1;
        }
        previous = Some(dark);
    }
    changes as f32 >= inner / module / 8.0
}

/// A code with modules of one to two pixels, for [`sighting`]: patterns
/// that small are common in texture, so only a complete corner counts,
/// three patterns of one size with two at right angles and equal distances
/// from the third.
fn small_corner(patterns: &[ConcentricPattern], matrix: &BitMatrix) -> Option<Sighting> {
    let (width, height) = (matrix.width(), matrix.height());
    const SIZES: std::ops::Range<i32> = 7..14;
    // Triples are cubic: at most 60 patterns, 34 220 triples.
    const MAX_PATTERNS: usize = 60;
    let small: Vec<&ConcentricPattern> = patterns
        .iter()
        .filter(|p| SIZES.contains(&p.size))
        .take(MAX_PATTERNS)
        .collect();
    for (i, a) in small.iter().enumerate() {
        for (j, b) in small.iter().enumerate().skip(i + 1) {
            for c in &small[j + 1..] {
                let sizes = [a.size, b.size, c.size].map(|s| s as f32);
                let (lo, hi) = sizes
                    .iter()
                    .fold((f32::MAX, 0f32), |(l, h), &s| (l.min(s), h.max(s)));
                if hi > lo * 1.3 {
                    continue;
                }
                let mean = sizes.iter().sum::<f32>() / 3.0;
                for [corner, p, q] in [[a, b, c], [b, a, c], [c, a, b]] {
                    let (u, v) = (
                        (p.p.x - corner.p.x, p.p.y - corner.p.y),
                        (q.p.x - corner.p.x, q.p.y - corner.p.y),
                    );
                    let (du, dv) = (u.0.hypot(u.1), v.0.hypot(v.1));
                    let cos = (u.0 * v.0 + u.1 * v.1) / (du * dv);
                    let module = mean / 7.0;
                    let placement = [corner, p, q].map(|f| (f.p.x, f.p.y));
                    if (2.0 * mean..=26.0 * mean).contains(&du)
                        && (du - dv).abs() <= 0.15 * du.max(dv)
                        && cos.abs() <= 0.26
                        && busy_between(matrix, placement[1], placement[2], module)
                    {
                        return Some(Sighting {
                            module_px: module,
                            cut_off: !fits(&placement, module, width, height),
                        });
                    }
                }
            }
        }
    }
    None
}

/// Whether the code whose finder centres are `placement` (the corner one
/// first) lies within the picture: the fourth corner of the finder grid,
/// then 3.5 modules beyond the centres, with a module of tolerance.
fn fits([corner, p, q]: &[(f32, f32); 3], module: f32, width: u32, height: u32) -> bool {
    let fourth = (p.0 + q.0 - corner.0, p.1 + q.1 - corner.1);
    let xs = [corner.0, p.0, q.0, fourth.0];
    let ys = [corner.1, p.1, q.1, fourth.1];
    let margin = 3.5 * module;
    let lowest = |vs: [f32; 4]| vs.iter().fold(f32::MAX, |m, &v| m.min(v));
    let highest = |vs: [f32; 4]| vs.iter().fold(f32::MIN, |m, &v| m.max(v));
    lowest(xs) - margin >= -module
        && lowest(ys) - margin >= -module
        && highest(xs) + margin <= width as f32 + module
        && highest(ys) + margin <= height as f32 + module
}

/// ZXing's hybrid binarization (its `HybridBinarizer`, the default of
/// rxing and ZXing-C++), with the same output as rxing's but three to four
/// times faster, which matters on the fast path.
///
/// Each 8 × 8 block gets a black point: its mean or, for a flat block
/// (range of 24 levels or less), half its minimum raised to its
/// neighbours' black point. A pixel is dark when at most the mean black
/// point of the 5 × 5 blocks around its own (blocks at the right and
/// bottom edges overlap the previous ones, and a pixel in both is dark if
/// either says so).
fn hybrid_matrix(luma: &GrayImage) -> Option<BitMatrix> {
    const BLOCK: usize = 8;
    const MIN_DYNAMIC_RANGE: u8 = 24;
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    if w < 5 * BLOCK || h < 5 * BLOCK {
        // Too small for 5 × 5 blocks: rxing falls back to a global
        // histogram threshold.
        let source =
            Luma8Source::new_with_slice(luma.as_raw(), luma.width(), luma.height()).ok()?;
        let bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
        return Some(bitmap.get_black_matrix().clone());
    }
    let raw = luma.as_raw();
    let (sw, sh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let (max_x, max_y) = (w - BLOCK, h - BLOCK);
    let mut black = vec![0u32; sw * sh];
    for by in 0..sh {
        let y0 = (by * BLOCK).min(max_y);
        for bx in 0..sw {
            let x0 = (bx * BLOCK).min(max_x);
            let (mut sum, mut lo, mut hi) = (0u32, u8::MAX, u8::MIN);
            for row in raw[y0 * w..].chunks(w).take(BLOCK) {
                for &v in &row[x0..x0 + BLOCK] {
                    sum += u32::from(v);
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            let mut point = sum >> 6;
            if hi - lo <= MIN_DYNAMIC_RANGE {
                // A flat block: assume light (half its minimum), unless
                // its neighbours say it lies inside something dark.
                point = u32::from(lo) / 2;
                if by > 0 && bx > 0 {
                    let neighbours = (black[(by - 1) * sw + bx]
                        + 2 * black[by * sw + bx - 1]
                        + black[(by - 1) * sw + bx - 1])
                        / 4;
                    if u32::from(lo) < neighbours {
                        point = neighbours;
                    }
                }
            }
            black[by * sw + bx] = point;
        }
    }
    let mut threshold = vec![0u32; sw * sh];
    for by in 0..sh {
        let top = by.clamp(2, sh - 3);
        for bx in 0..sw {
            let left = bx.clamp(2, sw - 3);
            let sum: u32 = (top - 2..=top + 2)
                .map(|y| {
                    black[y * sw + left - 2..=y * sw + left + 2]
                        .iter()
                        .sum::<u32>()
                })
                .sum();
            threshold[by * sw + bx] = sum / 25;
        }
    }
    let threshold = &threshold;
    // Per column, the threshold of the current band of rows (the most
    // lenient of the blocks covering the pixel).
    let mut band = vec![0u32; w];
    matrix_from_rows(w, h, |y, dark| {
        if y % BLOCK == 0 || y == max_y {
            let rows = [
                (y / BLOCK).min(sh - 1),
                if y >= max_y {
                    sh - 1
                } else {
                    (y / BLOCK).min(sh - 1)
                },
            ];
            for (x, t) in band.iter_mut().enumerate() {
                let cols = [
                    (x / BLOCK).min(sw - 1),
                    if x >= max_x {
                        sw - 1
                    } else {
                        (x / BLOCK).min(sw - 1)
                    },
                ];
                *t = rows
                    .iter()
                    .flat_map(|r| cols.iter().map(move |c| threshold[r * sw + c]))
                    .max()
                    .unwrap_or(0);
            }
        }
        for ((d, &v), &t) in dark.iter_mut().zip(&raw[y * w..(y + 1) * w]).zip(&band) {
            *d = u8::from(u32::from(v) <= t);
        }
    })
}

/// A matrix built row by row: `dark(y, row)` sets `row[x]` to 1 where
/// pixel (x, y) is dark, 0 elsewhere. Packing whole words avoids a
/// mispredicted branch per pixel on noisy pictures.
fn matrix_from_rows(
    w: usize,
    h: usize,
    mut dark: impl FnMut(usize, &mut [u8]),
) -> Option<BitMatrix> {
    let mut matrix = BitMatrix::new(u32::try_from(w).ok()?, u32::try_from(h).ok()?).ok()?;
    let mut row = vec![0u8; w];
    let mut bits = BitArray::with_size(w);
    for y in 0..h {
        dark(y, &mut row);
        for (k, chunk) in row.chunks(BIT_FIELD_BASE_BITS).enumerate() {
            let word = chunk
                .iter()
                .enumerate()
                .fold(0, |acc: BitFieldBaseType, (j, &d)| {
                    acc | (BitFieldBaseType::from(d) << j)
                });
            bits.setBulk(k * BIT_FIELD_BASE_BITS, word);
        }
        matrix.setRow(y as u32, &bits);
    }
    Some(matrix)
}

/// Window radius for [`local_mean_matrix`]: an eighth of the short side,
/// so that the window spans several modules of any code filling a good part
/// of the picture, while following uneven light.
fn local_radius(luma: &GrayImage) -> u32 {
    (luma.width().min(luma.height()) / 8).clamp(8, 128)
}

/// Dark where the 3 × 3 mean is more than [`LOCAL_OFFSET`] levels below the
/// mean of the (2·`radius` + 1)² window around it (an integral image makes
/// both constant-time).
fn local_mean_matrix(luma: &GrayImage, radius: u32) -> Option<BitMatrix> {
    /// Levels below the local mean for a pixel to count as dark: enough to
    /// keep flat paper from speckling, small enough for dim codes.
    const LOCAL_OFFSET: u64 = 2;
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let integral = Integral::new(luma);
    let r = radius as usize;
    matrix_from_rows(w, h, |y, dark| {
        let (wy0, wy1) = (y.saturating_sub(r), (y + r + 1).min(h));
        let (sy0, sy1) = (y.saturating_sub(1), (y + 2).min(h));
        for (x, d) in dark.iter_mut().enumerate() {
            let (wx0, wx1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let (sx0, sx1) = (x.saturating_sub(1), (x + 2).min(w));
            let window = u64::from(integral.sum(wx0, wy0, wx1, wy1));
            let window_area = ((wx1 - wx0) * (wy1 - wy0)) as u64;
            let small = u64::from(integral.sum(sx0, sy0, sx1, sy1));
            let small_area = ((sx1 - sx0) * (sy1 - sy0)) as u64;
            // small / small_area + offset < window / window_area
            *d = u8::from((small + LOCAL_OFFSET * small_area) * window_area < window * small_area);
        }
    })
}

/// Summed-area table of a grayscale image, in wrapping `u32` arithmetic:
/// box sums come out exact as long as a box holds less than 2³² / 255
/// (16 million) pixels, whatever the total.
struct Integral {
    stride: usize,
    sums: Vec<u32>,
}

impl Integral {
    fn new(luma: &GrayImage) -> Integral {
        let (w, h) = (luma.width() as usize, luma.height() as usize);
        let stride = w + 1;
        let mut sums = vec![0u32; stride * (h + 1)];
        for (y, row) in luma.as_raw().chunks_exact(w.max(1)).enumerate().take(h) {
            let mut acc = 0u32;
            for (x, &v) in row.iter().enumerate() {
                acc = acc.wrapping_add(u32::from(v));
                sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1].wrapping_add(acc);
            }
        }
        Integral { stride, sums }
    }

    /// Sum over `[x0, x1) × [y0, y1)`.
    fn sum(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> u32 {
        let s = &self.sums;
        s[y1 * self.stride + x1]
            .wrapping_sub(s[y0 * self.stride + x1])
            .wrapping_sub(s[y1 * self.stride + x0])
            .wrapping_add(s[y0 * self.stride + x0])
    }
}

/// Unsharp masking: each pixel pushed away from its 5 × 5 mean.
fn sharpened(luma: &GrayImage) -> GrayImage {
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let integral = Integral::new(luma);
    let r = 2;
    let mut out = luma.clone();
    for (i, v) in out.iter_mut().enumerate() {
        let (x, y) = (i % w.max(1), i / w.max(1));
        let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        let mean = integral.sum(x0, y0, x1, y1) as f32 / ((x1 - x0) * (y1 - y0)) as f32;
        let value = f32::from(*v);
        *v = (value + 1.5 * (value - mean)).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Half size, each pixel the mean of a 2 × 2 block.
fn halve(luma: &GrayImage) -> GrayImage {
    let (w, h) = (luma.width() / 2, luma.height() / 2);
    let src = luma.as_raw();
    let stride = luma.width() as usize;
    GrayImage::from_fn(w.max(1), h.max(1), |x, y| {
        let (x, y) = (2 * x as usize, 2 * y as usize);
        let i = y * stride + x;
        let sum = u16::from(src[i])
            + u16::from(src[i + 1])
            + u16::from(src[i + stride])
            + u16::from(src[i + stride + 1]);
        image::Luma([((sum + 2) / 4) as u8])
    })
}

/// A gray copy whose long side is `target` px, each pixel the mean of the
/// source area it covers (a box filter: what a sensor with bigger pixels
/// would see, and faster than a resampling kernel on 12-megapixel photos).
/// RGB is converted row by row on the way, so the full-size gray image is
/// never built unless a later step needs it.
fn shrink(picture: &Picture<'_>, target: u32) -> GrayImage {
    let (w, h) = picture.dimensions();
    let scale = f64::from(target) / f64::from(w.max(h));
    let (nw, nh) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    let (xs, ys) = (BoxWeights::new(w, nw), BoxWeights::new(h, nh));
    let (w, nw) = (w as usize, nw as usize);
    // Horizontal pass: value·2⁸ per sample (16.16 weights shifted by 8).
    let mut rows = vec![0u32; nw * h as usize];
    let mut line = vec![0u8; w];
    for (y, out) in rows.chunks_exact_mut(nw).enumerate() {
        picture.luma_row(y, &mut line);
        for (o, acc) in out.iter_mut().enumerate() {
            *acc = xs.of(o).map(|(i, wt)| (u32::from(line[i]) * wt) >> 8).sum();
        }
    }
    // Vertical pass, adding another 2¹⁶.
    let mut out = vec![0u8; nw * nh as usize];
    let mut acc = vec![0u64; nw];
    for (o, px) in out.chunks_exact_mut(nw).enumerate() {
        acc.fill(0);
        for (i, wt) in ys.of(o) {
            for (a, &r) in acc.iter_mut().zip(&rows[i * nw..(i + 1) * nw]) {
                *a += u64::from(r) * u64::from(wt);
            }
        }
        for (p, a) in px.iter_mut().zip(&acc) {
            *p = ((a + (1 << 23)) >> 24).min(255) as u8;
        }
    }
    GrayImage::from_raw(nw as u32, nh, out).unwrap_or_else(|| GrayImage::new(1, 1))
}

/// Which source samples make up each output sample of a box-filter
/// reduction along one axis, and their weights (summing to 2¹⁶).
struct BoxWeights {
    /// For output `o`: `starts[o]..starts[o + 1]` indexes `taps`.
    starts: Vec<usize>,
    taps: Vec<(usize, u32)>,
}

impl BoxWeights {
    fn new(from: u32, to: u32) -> BoxWeights {
        let step = f64::from(from) / f64::from(to);
        let mut starts = vec![0];
        let mut taps = Vec::new();
        for o in 0..to {
            let (start, end) = (
                f64::from(o) * step,
                (f64::from(o + 1) * step).min(f64::from(from)),
            );
            let mut i = start.floor() as usize;
            while (i as f64) < end {
                let cover = (end.min(i as f64 + 1.0) - start.max(i as f64)) / step;
                taps.push((i, (cover * 65536.0).round() as u32));
                i += 1;
            }
            starts.push(taps.len());
        }
        BoxWeights { starts, taps }
    }

    fn of(&self, o: usize) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.taps[self.starts[o]..self.starts[o + 1]]
            .iter()
            .copied()
    }
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
        let tiny =
            image::imageops::resize(&code, side, side, image::imageops::FilterType::Triangle);
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
}
