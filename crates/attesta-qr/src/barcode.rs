//! Reading the holder's codice fiscale from the barcode of the tessera
//! sanitaria.
//!
//! The card carries the codice fiscale in letters and as a Code 39 barcode
//! (decree of 30 June 2004 on the tessera sanitaria). Reading it with the
//! camera that scans the attestation removes the typing errors that make a
//! legitimate holder look invalid. Only a text that is a valid codice
//! fiscale counts: any other Code 39 in view (a parcel label, a library
//! card) is ignored.
//!
//! ```
//! use attesta_qr::barcode::{read_cf_barcode, code39_modules};
//! use attesta_qr::scan::Frame;
//!
//! // A card's barcode drawn at 3 px per narrow bar, 40 px tall.
//! let bars = code39_modules("RSSMRA85T10A562S").unwrap();
//! let (w, h) = (bars.len() as u32 * 3 + 60, 40);
//! let luma = (0..w * h)
//!     .map(|i| {
//!         let x = (i % w) as usize;
//!         let dark = x >= 30 && bars.get((x - 30) / 3).copied().unwrap_or(false);
//!         if dark { 0 } else { 255 }
//!     })
//!     .collect();
//! let frame = Frame::from_luma(w, h, luma)?;
//! assert_eq!(read_cf_barcode(&frame).unwrap().as_str(), "RSSMRA85T10A562S");
//! # Ok::<(), attesta_qr::scan::ScanError>(())
//! ```

use std::panic::{AssertUnwindSafe, catch_unwind};

use attesta_core::cf::CodiceFiscale;
use rxing::common::GlobalHistogramBinarizer;
use rxing::oned::Code39Reader;
use rxing::{BinaryBitmap, DecodeHints, Luma8Source, Reader as _};

use crate::scan::Frame;

/// The codice fiscale in a Code 39 barcode in the frame, read across
/// (the card held level) or, failing that, along the frame (the card held
/// upright), either way up.
pub fn read_cf_barcode(frame: &Frame) -> Option<CodiceFiscale> {
    let (w, h) = (frame.width(), frame.height());
    if w == 0 || h == 0 {
        return None;
    }
    if let Some(cf) = code39(frame.luma(), w, h).and_then(|t| as_cf(&t)) {
        return Some(cf);
    }
    let turned = transposed(frame.luma(), w as usize, h as usize);
    code39(&turned, h, w).and_then(|t| as_cf(&t))
}

/// rxing's Code 39 reader on 15 rows around the middle (a decoder panic is
/// a failed read, not a crash).
fn code39(luma: &[u8], width: u32, height: u32) -> Option<String> {
    catch_unwind(AssertUnwindSafe(|| {
        let source = Luma8Source::new_with_slice(luma, width, height).ok()?;
        let mut bitmap = BinaryBitmap::new(GlobalHistogramBinarizer::new(source));
        Code39Reader::default()
            .decode_with_hints(&mut bitmap, &DecodeHints::default())
            .ok()
            .map(|r| r.getText().to_owned())
    }))
    .ok()
    .flatten()
}

/// A 16-character codice fiscale, optionally followed by a Code 39 mod-43
/// check character (some printers add it).
fn as_cf(text: &str) -> Option<CodiceFiscale> {
    let body = match text.len() {
        16 => text,
        17 if check_char(&text[..16]) == text[16..].chars().next() => &text[..16],
        _ => return None,
    };
    CodiceFiscale::parse(body).ok()
}

/// The Code 39 character set, in the order of its values (0–42).
const ALPHABET: &[u8; 43] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";

fn check_char(text: &str) -> Option<char> {
    let sum: usize = text
        .bytes()
        .map(|b| ALPHABET.iter().position(|&a| a == b))
        .sum::<Option<usize>>()?;
    Some(char::from(ALPHABET[sum % 43]))
}

fn transposed(luma: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![0u8; w * h];
    for (y, row) in luma.chunks_exact(w).enumerate() {
        for (x, &v) in row.iter().enumerate() {
            out[x * h + y] = v;
        }
    }
    out
}

/// Each character's nine elements (bar, space, …, bar), `true` = wide.
fn pattern(c: u8) -> Option<[bool; 9]> {
    // The standard table, as 9-bit masks (1 = wide), bars and spaces
    // alternating from the first bar.
    const WIDE: [(u8, u16); 44] = [
        (b'0', 0x034),
        (b'1', 0x121),
        (b'2', 0x061),
        (b'3', 0x160),
        (b'4', 0x031),
        (b'5', 0x130),
        (b'6', 0x070),
        (b'7', 0x025),
        (b'8', 0x124),
        (b'9', 0x064),
        (b'A', 0x109),
        (b'B', 0x049),
        (b'C', 0x148),
        (b'D', 0x019),
        (b'E', 0x118),
        (b'F', 0x058),
        (b'G', 0x00D),
        (b'H', 0x10C),
        (b'I', 0x04C),
        (b'J', 0x01C),
        (b'K', 0x103),
        (b'L', 0x043),
        (b'M', 0x142),
        (b'N', 0x013),
        (b'O', 0x112),
        (b'P', 0x052),
        (b'Q', 0x007),
        (b'R', 0x106),
        (b'S', 0x046),
        (b'T', 0x016),
        (b'U', 0x181),
        (b'V', 0x0C1),
        (b'W', 0x1C0),
        (b'X', 0x091),
        (b'Y', 0x190),
        (b'Z', 0x0D0),
        (b'-', 0x085),
        (b'.', 0x184),
        (b' ', 0x0C4),
        (b'$', 0x0A8),
        (b'/', 0x0A2),
        (b'+', 0x08A),
        (b'%', 0x02A),
        (b'*', 0x094),
    ];
    let (_, mask) = WIDE.iter().find(|(ch, _)| *ch == c)?;
    Some(std::array::from_fn(|i| mask & (1 << (8 - i)) != 0))
}

/// The bars of `text` as Code 39 (start and stop `*` added, no check
/// character), one entry per narrow module, `true` = bar, wide elements 3
/// modules, one narrow space between characters. For test pictures and
/// documentation: attesta reads these barcodes, it does not print them.
pub fn code39_modules(text: &str) -> Option<Vec<bool>> {
    let mut out = Vec::new();
    let chars = std::iter::once(b'*')
        .chain(text.bytes())
        .chain(std::iter::once(b'*'));
    for (k, c) in chars.enumerate() {
        if k > 0 {
            out.push(false);
        }
        for (i, wide) in pattern(c)?.into_iter().enumerate() {
            let bar = i % 2 == 0;
            out.extend(std::iter::repeat_n(bar, if wide { 3 } else { 1 }));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(text: &str, module_px: usize, upright: bool) -> Frame {
        let bars = code39_modules(text).unwrap();
        let (w, h) = (bars.len() * module_px + 80, 60);
        let mut luma = vec![235u8; w * h];
        for y in 0..h {
            for x in 40..40 + bars.len() * module_px {
                if bars[(x - 40) / module_px] {
                    luma[y * w + x] = 30;
                }
            }
        }
        if upright {
            Frame::from_luma(h as u32, w as u32, transposed(&luma, w, h)).unwrap()
        } else {
            Frame::from_luma(w as u32, h as u32, luma).unwrap()
        }
    }

    #[test]
    fn reads_a_card_level_or_upright() {
        for upright in [false, true] {
            let cf = read_cf_barcode(&card("RSSMRA85T10A562S", 2, upright));
            assert_eq!(cf.unwrap().as_str(), "RSSMRA85T10A562S");
        }
        // Omocodia letters are kept as printed.
        let cf = read_cf_barcode(&card("RSSMRA85T10A56NH", 3, false));
        assert_eq!(cf.unwrap().as_str(), "RSSMRA85T10A56NH");
    }

    #[test]
    fn check_character_is_accepted_and_checked() {
        let with_check = format!(
            "RSSMRA85T10A562S{}",
            check_char("RSSMRA85T10A562S").unwrap()
        );
        assert_eq!(
            read_cf_barcode(&card(&with_check, 2, false))
                .unwrap()
                .as_str(),
            "RSSMRA85T10A562S"
        );
        assert_eq!(as_cf("RSSMRA85T10A562SX"), None);
    }

    #[test]
    fn other_barcodes_are_ignored() {
        // A Code 39 that is not a codice fiscale, and one with a typo in
        // the check letter.
        assert_eq!(read_cf_barcode(&card("PARCEL-12345", 2, false)), None);
        assert_eq!(read_cf_barcode(&card("RSSMRA85T10A562T", 2, false)), None);
        assert_eq!(
            read_cf_barcode(&Frame::from_luma(100, 50, vec![255; 5000]).unwrap()),
            None
        );
    }
}
