//! Image decoding and QR scanning: `scan_image_bytes` on arbitrary bytes
//! (PNG/JPEG headers, dimensions, the decoders). Seeds are small PNG and
//! JPEG renderings of real codes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(texts) = attesta_qr::scan::scan_image_bytes(data) {
        for t in texts {
            attesta_fuzz::verify_all(&t);
        }
    }
});
