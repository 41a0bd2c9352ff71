//! The scanner's input: raw frames (gray or RGBA) and decoded images,
//! checked against the pixel cap.

use std::borrow::Cow;

use image::{DynamicImage, GrayImage};

use super::error::ScanError;

/// Largest image accepted, in pixels: 65 megapixels, the full resolution
/// of 64-megapixel phone cameras (9248 × 6936); phones save 12 megapixels
/// by default. Larger images are refused from their header, before any
/// pixel is decoded (security review, finding 7: a 100-megapixel PNG,
/// then accepted, took 35 s and 693 MB to be turned down in a debug build,
/// 1.08 s in release; refused from its header it takes microseconds).
pub const MAX_PIXELS: u64 = 65_000_000;

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
    /// use attesta_qr::scan::Frame;
    /// let white = Frame::from_rgba(2, 1, &[255, 255, 255, 255, 0, 0, 0, 0])?;
    /// assert_eq!(white.luma(), &[255, 255]);
    /// # Ok::<(), attesta_qr::scan::ScanError>(())
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

pub(super) fn bad_frame(width: u32, height: u32, channels: usize, len: usize) -> ScanError {
    ScanError::UnsupportedImage(format!(
        "a {width}×{height} frame needs {} bytes, {len} were given",
        channels * width as usize * height as usize
    ))
}

/// The picture to scan: 8-bit gray or RGB as decoded (what cameras and
/// scanners produce), anything else converted to gray.
pub(super) enum Picture<'a> {
    Gray(Cow<'a, GrayImage>),
    Rgb(&'a image::RgbImage),
}

impl<'a> Picture<'a> {
    pub(super) fn of(img: &'a DynamicImage) -> Picture<'a> {
        match img {
            DynamicImage::ImageLuma8(gray) => Picture::Gray(Cow::Borrowed(gray)),
            DynamicImage::ImageRgb8(rgb) => Picture::Rgb(rgb),
            other => Picture::Gray(Cow::Owned(luma_on_white(other))),
        }
    }

    pub(super) fn dimensions(&self) -> (u32, u32) {
        match self {
            Picture::Gray(gray) => gray.dimensions(),
            Picture::Rgb(rgb) => rgb.dimensions(),
        }
    }

    /// Fills `out` with the gray levels of row `y`.
    pub(super) fn luma_row(&self, y: usize, out: &mut [u8]) {
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
    pub(super) fn luma(&self) -> Cow<'_, GrayImage> {
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
pub(super) fn rgb_luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

/// Grayscale with transparency flattened onto white: codes exported with a
/// transparent background usually have transparent *black* pixels there,
/// which a plain conversion would turn into a black-on-black code.
pub(super) fn luma_on_white(img: &DynamicImage) -> GrayImage {
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

pub(super) fn check_size(width: u32, height: u32) -> Result<(), ScanError> {
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ScanError::TooLarge { width, height });
    }
    Ok(())
}
