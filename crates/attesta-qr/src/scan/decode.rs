//! PNG and JPEG files to pixels (the `codecs` feature), refusing oversized
//! images from their header.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder as _, ImageFormat, ImageReader, Limits};

use super::error::{ScanError, guarded};
use super::frame::check_size;

/// Memory the image decoder may allocate: a 65-megapixel RGB JPEG decodes
/// to 195 MB; 16-bit or alpha PNGs near the pixel cap are refused through
/// this.
pub(super) const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Decodes PNG or JPEG bytes, refusing oversized images before their pixel
/// buffer is allocated.
pub(super) fn decode_image(bytes: &[u8]) -> Result<DynamicImage, ScanError> {
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
pub(super) fn too_large_from_header(bytes: &[u8]) -> ScanError {
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
