//! What can go wrong in a scan, worded for the person holding the camera,
//! and the guard that turns a decoder's panic into an error.

use std::panic::{AssertUnwindSafe, catch_unwind};

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
    /// The image exceeds [`MAX_PIXELS`](super::MAX_PIXELS), or would need more than 512 MiB to
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
    /// [`pick_code`](super::pick_code)).
    #[error("{count} codes were read in one image; photograph or crop one code at a time")]
    SeveralCodes {
        /// How many candidate codes were read.
        count: usize,
    },
    /// Codes were read, but none is of the kind wanted (see [`pick_code`](super::pick_code)).
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

/// Runs `f`, turning a panic into `Err` with its message.
impl ScanError {
    /// The stable machine-readable code of this error: what the web app
    /// keys its advice to the person holding the camera on.
    ///
    /// ```
    /// use attesta_qr::scan::{ScanError, Unreadable};
    /// assert_eq!(ScanError::CodeUnreadable(Unreadable::TooSmall).code(), "code_too_small");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ScanError::UnsupportedImage(_) => "unsupported_image",
            ScanError::TooLarge { .. } => "image_too_large",
            ScanError::NoCodeFound => "no_code_found",
            ScanError::CodeUnreadable(u) => u.code(),
            ScanError::SeveralCodes { .. } => "several_codes",
            ScanError::OtherKind { .. } => "other_kind_of_code",
            ScanError::DecoderFailed(_) => "decoder_failed",
        }
    }
}

impl Unreadable {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Unreadable::TooSmall => "code_too_small",
            Unreadable::CutOff => "code_cut_off",
            Unreadable::Blurred => "code_blurred",
        }
    }
}

pub(super) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned())
    })
}
