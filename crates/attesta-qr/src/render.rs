//! QR rendering of attestation texts: PNG for print and mail merge, SVG for
//! documents and the web, Unicode blocks for terminals.
//!
//! An attestation text (`AT1:` followed by base45) uses only the QR
//! alphanumeric character set, so it is stored in alphanumeric mode, which
//! packs two characters in 11 bits instead of 16 in byte mode. A typical
//! 259-character attestation at level Q then fits version 11 (61 modules
//! wide) instead of 15 (77): at the same printed size, modules 25% larger
//! and easier to scan.
//!
//! ```
//! use attesta_qr::render::{EcLevel, QrOptions, QrSymbol};
//!
//! let symbol = QrSymbol::encode("AT1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3", EcLevel::Q)?;
//! let png: Vec<u8> = symbol.to_png(&QrOptions::default())?;
//! assert!(png.starts_with(b"\x89PNG"));
//! # Ok::<(), attesta_qr::render::QrError>(())
//! ```

use std::fmt::Write as _;

#[cfg(feature = "codecs")]
use image::ImageEncoder as _;
#[cfg(feature = "codecs")]
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

/// Modules of light margin around a symbol, as ISO/IEC 18004 requires for
/// (non-micro) QR codes; scanners use it to find the finder patterns.
const QUIET_ZONE_MODULES: usize = 4;

/// Largest accepted `module_px`: a version 40 symbol at this size is
/// 185 × 100 px = 18 500 px wide, already far beyond any print use, and the
/// cap keeps a mistyped option from allocating gigabytes.
pub const MAX_MODULE_PX: u32 = 100;

/// Error-correction level of a QR symbol: the share of codewords that can be
/// lost and still be recovered.
///
/// The default, [`EcLevel::Q`] (about 25%), survives creases, dirt and
/// stamps on a paper attestation; higher levels make the symbol larger.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EcLevel {
    /// About 7% recovery: smallest symbol, for clean screens only.
    L,
    /// About 15% recovery.
    M,
    /// About 25% recovery: the default, for paper.
    #[default]
    Q,
    /// About 30% recovery: largest symbol, for harsh handling.
    H,
}

impl EcLevel {
    fn to_qrcode(self) -> qrcode::EcLevel {
        match self {
            EcLevel::L => qrcode::EcLevel::L,
            EcLevel::M => qrcode::EcLevel::M,
            EcLevel::Q => qrcode::EcLevel::Q,
            EcLevel::H => qrcode::EcLevel::H,
        }
    }
}

/// The QR alphanumeric character set.
fn is_alphanumeric(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'A'..=b'Z' | b' ' | b'$' | b'%' | b'*' | b'+' | b'-' | b'.' | b'/' | b':')
}

/// The data bit stream of `data` in the smallest version that holds it.
///
/// qrcode's segment optimizer is greedy: for an attestation it may switch
/// to numeric mode for a run of digits and back, and each switch costs a
/// 15-bit header more than the digits save. A 259-character attestation
/// fills version 11-Q to the last bit in a single alphanumeric segment, so
/// one such switch would cost a whole version. For text entirely in the
/// alphanumeric set, a single segment is therefore tried in every smaller
/// version than the optimizer's choice.
///
/// A code wrapped in a verifier address (`https://…/#AT1:…`, see
/// [`attesta_core::text::VerifyUrl`]) gets two segments: the address, up to and
/// including `#`, in byte mode (lowercase letters need it), and the code
/// in alphanumeric mode, which the optimizer would not always choose.
fn data_bits(data: &[u8], ec: qrcode::EcLevel) -> qrcode::QrResult<qrcode::bits::Bits> {
    let auto = qrcode::bits::encode_auto(data, ec)?;
    let auto_version = match auto.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    };
    let (head, tail) = if data.iter().copied().all(is_alphanumeric) {
        (&data[..0], data)
    } else {
        match data.iter().position(|&b| b == b'#') {
            Some(hash) if data[hash + 1..].iter().copied().all(is_alphanumeric) => {
                data.split_at(hash + 1)
            }
            _ => return Ok(auto),
        }
    };
    let segmented = (1..=auto_version).find_map(|v| {
        let mut bits = qrcode::bits::Bits::new(qrcode::Version::Normal(v));
        if !head.is_empty() {
            bits.push_byte_data(head).ok()?;
        }
        bits.push_alphanumeric_data(tail).ok()?;
        bits.push_terminator(ec).ok()?;
        Some(bits)
    });
    Ok(segmented.unwrap_or(auto))
}

/// The module matrix (row-major, `true` = dark) and width for a data bit
/// stream.
///
/// Does what `qrcode::QrCode::with_bits` does, and picks the same mask, but
/// scores the eight masks on plain booleans: qrcode's scorer allocates a
/// boxed closure per module, and a version 11 symbol takes about 1.7 ms
/// with it against 0.45 ms here, which matters for bulk issuing.
fn modules(bits: qrcode::bits::Bits, ec: qrcode::EcLevel) -> qrcode::QrResult<(Vec<bool>, usize)> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let version = bits.version();
    let (data, ec_data) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, ec)?;
    let mut canvas = Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec_data);
    let width =
        usize::try_from(version.width()).map_err(|_| qrcode::types::QrError::InvalidVersion)?;

    let mut best: Option<(u32, Vec<bool>)> = None;
    for pattern in [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ] {
        let mut masked = canvas.clone();
        masked.apply_mask(pattern);
        let dark: Vec<bool> = masked
            .into_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        let score = mask_penalty(&dark, width);
        // Strictly lower: on a tie the earlier pattern wins, as in qrcode.
        if best
            .as_ref()
            .is_none_or(|(best_score, _)| score < *best_score)
        {
            best = Some((score, dark));
        }
    }
    let (_, dark) = best.ok_or(qrcode::types::QrError::InvalidVersion)?;
    Ok((dark, width))
}

/// The mask penalty of ISO/IEC 18004 §7.8.3, computed exactly as qrcode
/// 0.14 does (so the same mask wins) up to a constant: runs of five or more
/// equal modules, 2×2 blocks, finder-like 1:1:3:1:1 runs without four light
/// modules on one side, and dark/light imbalance.
fn mask_penalty(dark: &[bool], width: usize) -> u32 {
    let rows: Vec<&[bool]> = dark.chunks_exact(width).collect();
    let transposed: Vec<bool> = (0..width)
        .flat_map(|x| rows.iter().map(move |row| row[x]))
        .collect();
    let mut score: u32 = rows
        .iter()
        .copied()
        .chain(transposed.chunks_exact(width))
        .map(line_penalty)
        .sum();
    for pair in rows.windows(2) {
        let (top, bottom) = (pair[0], pair[1]);
        for x in 0..width - 1 {
            let c = top[x];
            if top[x + 1] == c && bottom[x] == c && bottom[x + 1] == c {
                score += 3;
            }
        }
    }
    let dark_count = dark.iter().filter(|&&d| d).count();
    let ratio = dark_count * 200 / dark.len().max(1);
    score + ratio.abs_diff(100) as u32
}

/// Run and finder-like penalties of one row or column.
fn line_penalty(line: &[bool]) -> u32 {
    /// Dark, light, dark, dark, dark, light, dark: the last seven modules
    /// as bits, newest lowest.
    const FINDER_LIKE: u8 = 0b101_1101;
    let mut score = 0;
    let mut run = 0u32;
    let mut window = 0u8;
    for (k, &dark) in line.iter().enumerate() {
        if k > 0 && dark == line[k - 1] {
            run += 1;
        } else {
            if run >= 5 {
                score += run - 2;
            }
            run = 1;
        }
        window = ((window << 1) | u8::from(dark)) & 0x7f;
        if k >= 6 && window == FINDER_LIKE {
            let j = k - 6;
            // Outside the symbol counts as light.
            let before = &line[j.saturating_sub(4)..j];
            let after = &line[(k + 1).min(line.len())..(k + 5).min(line.len())];
            if !before.contains(&true) || !after.contains(&true) {
                score += 40;
            }
        }
    }
    if run >= 5 {
        score += run - 2;
    }
    score
}

/// How to encode and draw a symbol.
///
/// `ec_level` is for the caller to pass to [`QrSymbol::encode`]; the
/// renderers only use `module_px` and `quiet_zone`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrOptions {
    /// Error-correction level to encode with (default [`EcLevel::Q`]).
    pub ec_level: EcLevel,
    /// Pixels per module side in PNG output, and the unit of the SVG's
    /// `width`/`height` (default 8: about 0.7 mm per module at 300 dpi).
    /// PNG rendering accepts 1 to [`MAX_MODULE_PX`].
    pub module_px: u32,
    /// Draw the 4-module light margin scanners need (default `true`). Turn it
    /// off only when the surrounding layout already leaves that margin white.
    pub quiet_zone: bool,
}

impl Default for QrOptions {
    fn default() -> Self {
        QrOptions {
            ec_level: EcLevel::default(),
            module_px: 8,
            quiet_zone: true,
        }
    }
}

/// Why a QR symbol could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// The text does not fit in the largest QR symbol (version 40).
    #[error(
        "the text ({len} bytes) does not fit in a QR code at error-correction level {ec_level:?}; \
         shorten the payload, or choose a lower error-correction level"
    )]
    TooLong {
        /// Length of the text in bytes.
        len: usize,
        /// The level that was asked for.
        ec_level: EcLevel,
    },
    /// `module_px` is outside 1..=[`MAX_MODULE_PX`].
    #[error(
        "a module size of {module_px} px is not usable; \
         choose 1 to {MAX_MODULE_PX} px per module (8 suits print at 300 dpi)"
    )]
    ModuleSize {
        /// The value that was given.
        module_px: u32,
    },
    /// The QR or PNG encoder failed for another reason.
    #[error(
        "the QR code could not be rendered ({0}); this is a bug, please report it with the input"
    )]
    Render(String),
}

impl QrError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            QrError::TooLong { .. } => "qr_text_too_long",
            QrError::ModuleSize { .. } => "qr_module_size",
            QrError::Render(_) => "qr_render_failed",
        }
    }
}

/// An encoded QR symbol: the module matrix of one text, ready to be drawn.
///
/// ```
/// use attesta_qr::render::{EcLevel, QrOptions, QrSymbol};
///
/// let symbol = QrSymbol::encode("AT1:NCFOXN%TS3DH", EcLevel::default())?;
/// assert_eq!(symbol.width(), 17 + 4 * symbol.version() as usize);
/// let svg = symbol.to_svg(&QrOptions { module_px: 4, ..QrOptions::default() });
/// assert!(svg.starts_with("<svg"));
/// print!("{}", symbol.to_terminal());
/// # Ok::<(), attesta_qr::render::QrError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrSymbol {
    /// Row-major, `true` = dark.
    dark: Vec<bool>,
    width: usize,
    version: i16,
}

impl QrSymbol {
    /// Encodes `text` in the smallest QR version (1 to 40) that holds it at
    /// error-correction level `ec`.
    ///
    /// A text entirely in the alphanumeric set (`0-9`, `A-Z`, space,
    /// `$%*+-./:`), such as an attestation, is stored in alphanumeric mode,
    /// as one segment unless splitting off long digit runs as numeric
    /// segments gives a smaller symbol; it never falls back to byte mode.
    /// Other texts get qrcode's mode optimization; lowercase letters or
    /// other characters force byte mode for their segment and make the
    /// symbol larger.
    ///
    /// # Errors
    /// [`QrError::TooLong`] when the text does not fit in version 40.
    pub fn encode(text: &str, ec: EcLevel) -> Result<QrSymbol, QrError> {
        let bits = data_bits(text.as_bytes(), ec.to_qrcode()).map_err(|e| match e {
            qrcode::types::QrError::DataTooLong => QrError::TooLong {
                len: text.len(),
                ec_level: ec,
            },
            other => QrError::Render(other.to_string()),
        })?;
        let version = match bits.version() {
            qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
        };
        let (dark, width) =
            modules(bits, ec.to_qrcode()).map_err(|e| QrError::Render(e.to_string()))?;
        Ok(QrSymbol {
            dark,
            width,
            version,
        })
    }

    /// The QR version, 1 to 40; the symbol is `17 + 4 × version` modules wide.
    #[must_use]
    pub fn version(&self) -> i16 {
        self.version
    }

    /// Modules per side, without the quiet zone.
    #[must_use]
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` (from the top left, quiet
    /// zone excluded) is dark. Outside the symbol every module is light, as
    /// in the quiet zone.
    #[must_use]
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// Modules per side including the quiet zone when `quiet_zone` is set,
    /// and the offset of the symbol inside that square.
    fn framed(&self, quiet_zone: bool) -> (usize, usize) {
        let margin = if quiet_zone { QUIET_ZONE_MODULES } else { 0 };
        (self.width + 2 * margin, margin)
    }

    /// Whether the module at (`x`, `y`) of the framed square is dark.
    fn framed_dark(&self, margin: usize, x: usize, y: usize) -> bool {
        match (x.checked_sub(margin), y.checked_sub(margin)) {
            (Some(x), Some(y)) => self.is_dark(x, y),
            _ => false,
        }
    }

    /// Renders an 8-bit grayscale PNG, black on white, `module_px` pixels
    /// per module.
    ///
    /// Built for volume: the pixel rows are copied from one expanded row per
    /// module row and compressed with the fastest zlib setting, which for
    /// a two-colour image costs little size.
    ///
    /// ```
    /// use attesta_qr::render::{EcLevel, QrOptions, QrSymbol};
    ///
    /// let symbol = QrSymbol::encode("AT1:NCFOXN%TS3DH", EcLevel::Q)?;
    /// let opts = QrOptions { module_px: 10, ..QrOptions::default() };
    /// let png = symbol.to_png(&opts)?;
    /// assert!(png.starts_with(b"\x89PNG"));
    /// // std::fs::write("attestation-qr.png", &png)?;
    /// # Ok::<(), attesta_qr::render::QrError>(())
    /// ```
    ///
    /// # Errors
    /// [`QrError::ModuleSize`] when `module_px` is 0 or above
    /// [`MAX_MODULE_PX`]; [`QrError::Render`] if PNG encoding fails.
    #[cfg(feature = "codecs")]
    pub fn to_png(&self, opts: &QrOptions) -> Result<Vec<u8>, QrError> {
        if !(1..=MAX_MODULE_PX).contains(&opts.module_px) {
            return Err(QrError::ModuleSize {
                module_px: opts.module_px,
            });
        }
        let px = opts.module_px as usize;
        let (modules, margin) = self.framed(opts.quiet_zone);
        let side = modules * px;
        let side_u32 =
            u32::try_from(side).map_err(|_| QrError::Render(format!("image side of {side} px")))?;

        let mut pixels = Vec::with_capacity(side * side);
        let mut row = vec![0u8; side];
        for y in 0..modules {
            for (x, chunk) in row.chunks_exact_mut(px).enumerate() {
                chunk.fill(if self.framed_dark(margin, x, y) {
                    0
                } else {
                    255
                });
            }
            for _ in 0..px {
                pixels.extend_from_slice(&row);
            }
        }

        // Measured on a version 11 code at 8 px: the adaptive filter
        // (mostly `Up`, which zeroes every repeated row) is both the fastest
        // and the smallest with the fast deflate level; a fixed `Up` is 15%
        // slower and 60% larger, `Sub` or none 2 to 5 times slower.
        let mut out = Vec::with_capacity(side * side / 16 + 128);
        PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
            .write_image(&pixels, side_u32, side_u32, image::ExtendedColorType::L8)
            .map_err(|e| QrError::Render(e.to_string()))?;
        Ok(out)
    }

    /// Renders a standalone SVG document: a white square and one black path
    /// made of horizontal runs of modules, drawn with `crispEdges` so that
    /// viewers do not blur module edges.
    ///
    /// The `viewBox` is in modules; `width` and `height` are
    /// modules × `module_px` (at least 1) in user units, so the SVG can be
    /// scaled freely by the embedding document.
    #[must_use]
    pub fn to_svg(&self, opts: &QrOptions) -> String {
        let (modules, margin) = self.framed(opts.quiet_zone);
        let size = modules as u64 * u64::from(opts.module_px.max(1));
        let mut svg = String::with_capacity(self.width * self.width * 4 + 400);
        // Writing to a String cannot fail.
        let _ = write!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{size}\" height=\"{size}\" \
             viewBox=\"0 0 {modules} {modules}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{modules}\" height=\"{modules}\" fill=\"#fff\"/><path fill=\"#000\" d=\""
        );
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                let run = x - start;
                let _ = write!(svg, "M{} {}h{run}v1h-{run}z", start + margin, y + margin);
            }
        }
        svg.push_str("\"/></svg>\n");
        svg
    }

    /// Renders the symbol with its 4-module quiet zone as Unicode half blocks,
    /// two module rows per line, each line ending in `\n`.
    ///
    /// Light modules are drawn as blocks and dark ones as spaces, as
    /// `qrencode -t UTF8` does: on the usual dark terminal the code is dark
    /// on light and reads as printed; on a light terminal it appears
    /// inverted, which `attesta_qr::scan` and most phone scanners still
    /// read (some older ones do not).
    /// The symbol is `width + 8` modules wide and `(width + 9) / 2` lines
    /// tall.
    #[must_use]
    pub fn to_terminal(&self) -> String {
        let (modules, margin) = self.framed(true);
        let lines = modules.div_ceil(2);
        let mut out = String::with_capacity(lines * (modules * 3 + 1));
        for line in 0..lines {
            let (top, bottom) = (2 * line, 2 * line + 1);
            for x in 0..modules {
                let top_light = !self.framed_dark(margin, x, top);
                // Below the last row (odd module count) continue the light
                // margin so the quiet zone keeps a straight lower edge.
                let bottom_light = bottom >= modules || !self.framed_dark(margin, x, bottom);
                out.push(match (top_light, bottom_light) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 259-character attestation-shaped text: "AT1:" and 255 characters
    /// spread over the whole base45 alphabet.
    fn attestation_text() -> String {
        const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        let mut text = String::from("AT1:");
        // Stride 7 is coprime with 45, so every symbol appears and digits
        // never form long numeric runs that would flatter the size.
        text.extend((0..255).map(|i| B45[(i * 7 + 3) % 45] as char));
        text
    }

    #[test]
    fn attestation_text_is_alphanumeric_mode_and_small() {
        let text = attestation_text();
        assert_eq!(text.len(), 259);
        let symbol = QrSymbol::encode(&text, EcLevel::Q).unwrap();
        // Version 11-Q holds exactly 259 alphanumeric characters but only
        // 177 bytes: byte mode would need version 15.
        assert!(symbol.version() <= 11, "version {}", symbol.version());
        assert_eq!(symbol.width(), 17 + 4 * symbol.version() as usize);

        // The data stream is one alphanumeric segment: mode indicator 0010,
        // then (versions 10 to 26) an 11-bit count of all 259 characters.
        let bytes = data_bits(text.as_bytes(), qrcode::EcLevel::Q)
            .unwrap()
            .into_bytes();
        assert_eq!(bytes[0] >> 4, 0b0010);
        let count = (u16::from(bytes[0] & 0x0f) << 7) | u16::from(bytes[1] >> 1);
        assert_eq!(count, 259);
    }

    #[test]
    fn wrapped_code_is_a_byte_segment_then_an_alphanumeric_one() {
        let code = attestation_text();
        let url = attesta_core::text::VerifyUrl::parse("https://verifica.example.it/").unwrap();
        let wrapped = url.wrap(&code);
        let bits = data_bits(wrapped.as_bytes(), qrcode::EcLevel::Q).unwrap();
        let version = match bits.version() {
            qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
        };
        let bytes = bits.into_bytes();
        // Byte mode (0100), an 8- or 16-bit count of the 29 address bytes.
        assert_eq!(bytes[0] >> 4, 0b0100);
        let head = "https://verifica.example.it/#";
        let count = if version < 10 {
            u16::from(((bytes[0] & 0x0f) << 4) | (bytes[1] >> 4))
        } else {
            (u16::from(bytes[0] & 0x0f) << 12)
                | (u16::from(bytes[1]) << 4)
                | u16::from(bytes[2] >> 4)
        };
        assert_eq!(usize::from(count), head.len());
        // Smaller than byte mode for the whole text, and at most two
        // versions above the bare code.
        let all_bytes = (1..=40)
            .find(|&v| {
                let mut b = qrcode::bits::Bits::new(qrcode::Version::Normal(v));
                b.push_byte_data(wrapped.as_bytes()).is_ok()
                    && b.push_terminator(qrcode::EcLevel::Q).is_ok()
            })
            .unwrap();
        assert!(version < all_bytes, "{version} vs {all_bytes}");
        let bare = QrSymbol::encode(&code, EcLevel::Q).unwrap().version();
        assert!(version <= bare + 2, "{version} vs {bare}");
        assert_eq!(
            QrSymbol::encode(&wrapped, EcLevel::Q).unwrap().version(),
            version
        );
    }

    #[test]
    fn digit_runs_do_not_cost_a_version() {
        // Runs of ten digits tempt the segment optimizer into numeric mode;
        // at 259 characters that would need version 12.
        let text =
            "AT1:".to_string() + &"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:".repeat(6)[..255];
        assert_eq!(QrSymbol::encode(&text, EcLevel::Q).unwrap().version(), 11);
        // A text outside the set still gets the optimizer's mixed modes.
        let mixed = format!("{}{}", "1".repeat(300), "é");
        assert!(QrSymbol::encode(&mixed, EcLevel::Q).unwrap().version() <= 10);
    }

    #[test]
    fn same_modules_as_qrcode() {
        let texts = [
            attestation_text(),
            "AT1:ABC".to_string(),
            "hello, world".to_string(),
            "A".repeat(1500),
        ];
        for text in &texts {
            for ec in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
                let ours = QrSymbol::encode(text, ec).unwrap();
                let bits = data_bits(text.as_bytes(), ec.to_qrcode()).unwrap();
                let theirs = qrcode::QrCode::with_bits(bits, ec.to_qrcode()).unwrap();
                assert_eq!(ours.width(), theirs.width());
                let theirs: Vec<bool> = theirs
                    .into_colors()
                    .into_iter()
                    .map(|c| c == qrcode::Color::Dark)
                    .collect();
                assert!(ours.dark == theirs, "{ec:?} {:.20}", text);
            }
        }
    }

    #[test]
    fn lowercase_needs_a_bigger_symbol() {
        let text = attestation_text();
        let upper = QrSymbol::encode(&text, EcLevel::Q).unwrap();
        let lower = QrSymbol::encode(&text.to_lowercase(), EcLevel::Q).unwrap();
        assert!(lower.version() > upper.version());
    }

    #[test]
    fn ec_levels_grow_the_symbol() {
        let text = attestation_text();
        let versions: Vec<i16> = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H]
            .into_iter()
            .map(|ec| QrSymbol::encode(&text, ec).unwrap().version())
            .collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
        assert_eq!(QrOptions::default().ec_level, EcLevel::Q);
    }

    #[test]
    fn too_long_is_reported() {
        let text = "A".repeat(5000);
        let err = QrSymbol::encode(&text, EcLevel::Q).unwrap_err();
        assert!(
            matches!(
                err,
                QrError::TooLong {
                    len: 5000,
                    ec_level: EcLevel::Q
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("shorten"));
    }

    #[test]
    fn is_dark_out_of_range_is_light() {
        let symbol = QrSymbol::encode("AT1:ABC", EcLevel::Q).unwrap();
        let w = symbol.width();
        // Top-left finder pattern corner is dark, its separator light.
        assert!(symbol.is_dark(0, 0));
        assert!(!symbol.is_dark(7, 0));
        assert!(!symbol.is_dark(w, 0));
        assert!(!symbol.is_dark(0, w));
        assert!(!symbol.is_dark(usize::MAX, usize::MAX));
    }

    #[test]
    #[cfg(feature = "codecs")]
    fn png_has_signature_and_expected_size() {
        let symbol = QrSymbol::encode(&attestation_text(), EcLevel::Q).unwrap();
        let w = symbol.width() as u32;
        for (quiet_zone, px) in [(true, 8), (false, 3), (true, 1)] {
            let opts = QrOptions {
                module_px: px,
                quiet_zone,
                ..QrOptions::default()
            };
            let png = symbol.to_png(&opts).unwrap();
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
            let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
                .unwrap()
                .into_luma8();
            let side = (w + if quiet_zone { 8 } else { 0 }) * px;
            assert_eq!(img.dimensions(), (side, side));
            let margin = if quiet_zone { 4 } else { 0 };
            for y in 0..symbol.width() + 2 * margin {
                for x in 0..symbol.width() + 2 * margin {
                    let dark = symbol.framed_dark(margin, x, y);
                    let (cx, cy) = (x as u32 * px + px / 2, y as u32 * px + px / 2);
                    assert_eq!(img.get_pixel(cx, cy).0[0], if dark { 0 } else { 255 });
                }
            }
        }
    }

    #[test]
    #[cfg(feature = "codecs")]
    fn png_is_compact() {
        let symbol = QrSymbol::encode(&attestation_text(), EcLevel::Q).unwrap();
        let png = symbol.to_png(&QrOptions::default()).unwrap();
        // 552 × 552 px raw is 305 kB; a two-colour code should deflate to a
        // small fraction of that even at the fast level.
        assert!(png.len() < 20_000, "{} bytes", png.len());
    }

    #[test]
    #[cfg(feature = "codecs")]
    fn png_rejects_bad_module_size() {
        let symbol = QrSymbol::encode("AT1:ABC", EcLevel::Q).unwrap();
        for module_px in [0, MAX_MODULE_PX + 1, u32::MAX] {
            let opts = QrOptions {
                module_px,
                ..QrOptions::default()
            };
            assert!(matches!(
                symbol.to_png(&opts),
                Err(QrError::ModuleSize { .. })
            ));
        }
    }

    #[test]
    fn svg_is_a_document_with_the_dark_modules() {
        let symbol = QrSymbol::encode(&attestation_text(), EcLevel::Q).unwrap();
        let svg = symbol.to_svg(&QrOptions::default());
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        let side = symbol.width() + 8;
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
        assert!(svg.contains(&format!("width=\"{}\"", side * 8)));
        // The top-left finder pattern's first row is a 7-module run at (4,4).
        assert!(svg.contains("M4 4h7v1h-7z"));

        // Redraw the path's runs and compare with the symbol, module by module.
        let path = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut drawn = vec![false; side * side];
        for run in path.split('z').filter(|r| !r.is_empty()) {
            let nums: Vec<usize> = run
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect();
            let [x, y, len, 1, back] = nums[..] else {
                panic!("bad run {run}")
            };
            assert_eq!(len, back);
            drawn[y * side + x..y * side + x + len]
                .iter_mut()
                .for_each(|d| *d = true);
        }
        for y in 0..side {
            for x in 0..side {
                assert_eq!(
                    drawn[y * side + x],
                    symbol.framed_dark(4, x, y),
                    "module ({x}, {y})"
                );
            }
        }

        let bare = symbol.to_svg(&QrOptions {
            quiet_zone: false,
            module_px: 0,
            ..QrOptions::default()
        });
        assert!(bare.contains("M0 0h7v1h-7z"));
        assert!(bare.contains(&format!("width=\"{}\"", symbol.width())));
    }

    #[test]
    fn terminal_has_two_rows_per_line_and_inverted_modules() {
        let symbol = QrSymbol::encode(&attestation_text(), EcLevel::Q).unwrap();
        let term = symbol.to_terminal();
        let side = symbol.width() + 8;
        let lines: Vec<&str> = term.lines().collect();
        assert_eq!(lines.len(), side.div_ceil(2));
        assert!(lines.iter().all(|l| l.chars().count() == side));
        // Quiet zone rows are light, so drawn as full blocks.
        assert!(lines[0].chars().all(|c| c == '█'));
        assert!(lines[lines.len() - 1].chars().all(|c| c == '█'));
        // Row 4 (top half of line 2) is the finder's dark top edge; row 5
        // (bottom half) is dark at column 4, light at column 5.
        let line2: Vec<char> = lines[2].chars().collect();
        assert_eq!(line2[4], ' ');
        assert_eq!(line2[5], '▄');
        assert!(term.ends_with('\n'));
    }
}
