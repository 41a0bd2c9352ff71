//! Glyph lookup, measuring and line breaking with the embedded font.
//!
//! krilla can shape text itself, but then this crate could not measure it for
//! centring and line breaking. The embedded font is Latin/Greek/Cyrillic and
//! needs no complex shaping, so a cmap lookup plus the `hmtx` advances is
//! exact (kerning is not applied, which only affects spacing, not content).

use krilla::text::{GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use crate::PdfError;

/// The parsed embedded font, kept for the lifetime of a [`crate::PdfRenderer`].
pub(crate) struct Metrics {
    charmap: skrifa::charmap::Charmap<'static>,
    glyph_metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Ascender above the baseline, in em.
    pub(crate) ascent: f32,
}

impl Metrics {
    pub(crate) fn new(data: &'static [u8]) -> Option<Self> {
        let font = FontRef::new(data).ok()?;
        let m = font.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(m.units_per_em);
        if units_per_em <= 0.0 {
            return None;
        }
        Some(Self {
            charmap: font.charmap(),
            glyph_metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
            ascent: m.ascent / units_per_em,
        })
    }

    /// Map `text` to positioned glyphs (advances in em).
    ///
    /// `field` names the input field in the error when a character cannot be
    /// drawn with the embedded font.
    /// `tracking` is extra space added after every glyph, in em.
    pub(crate) fn shape(
        &self,
        text: &str,
        tracking: f32,
        field: &'static str,
    ) -> Result<Shaped, PdfError> {
        let mut glyphs = Vec::with_capacity(text.len());
        let mut width = 0.0;
        for (start, ch) in text.char_indices() {
            let gid = match self.charmap.map(ch) {
                Some(g) if g.to_u32() != 0 && is_drawable(ch) => g,
                _ => return Err(PdfError::UnsupportedCharacter { field, ch }),
            };
            let advance =
                self.glyph_metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em + tracking;
            width += advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(gid.to_u32()),
                advance,
                0.0,
                0.0,
                0.0,
                start..start + ch.len_utf8(),
                None,
            ));
        }
        Ok(Shaped {
            text: text.to_owned(),
            glyphs,
            width_em: width,
        })
    }

    /// Break `text` into lines no wider than `max_width` points at `size`
    /// points. Runs of white space collapse into one space; a word wider
    /// than a line is broken between characters.
    pub(crate) fn wrap(
        &self,
        text: &str,
        size: f32,
        tracking: f32,
        max_width: f32,
        field: &'static str,
    ) -> Result<Vec<Shaped>, PdfError> {
        let max_em = (max_width / size).max(0.0);
        let space = self.shape(" ", tracking, field)?.width_em;
        let mut lines = Vec::new();
        let mut current = String::new();
        let mut current_em = 0.0_f32;
        for word in text.split_whitespace() {
            let word_em = self.shape(word, tracking, field)?.width_em;
            if current.is_empty() {
                if word_em <= max_em {
                    current.push_str(word);
                    current_em = word_em;
                    continue;
                }
            } else if current_em + space + word_em <= max_em {
                current.push(' ');
                current.push_str(word);
                current_em += space + word_em;
                continue;
            } else {
                lines.push(self.shape(&current, tracking, field)?);
                current.clear();
                current_em = 0.0;
                if word_em <= max_em {
                    current.push_str(word);
                    current_em = word_em;
                    continue;
                }
            }
            // The word alone is wider than a line: break it between characters.
            for ch in word.chars() {
                let mut buf = [0; 4];
                let ch_em = self
                    .shape(ch.encode_utf8(&mut buf), tracking, field)?
                    .width_em;
                if !current.is_empty() && current_em + ch_em > max_em {
                    lines.push(self.shape(&current, tracking, field)?);
                    current.clear();
                    current_em = 0.0;
                }
                current.push(ch);
                current_em += ch_em;
            }
        }
        if !current.is_empty() {
            lines.push(self.shape(&current, tracking, field)?);
        }
        Ok(lines)
    }
}

/// Whether `ch` may appear in the PDF text: no control characters and none of
/// the code points PDF/UA forbids in a `ToUnicode` map.
fn is_drawable(ch: char) -> bool {
    !ch.is_control() && !matches!(ch, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}')
}

/// A line of text mapped to glyphs.
#[derive(Clone, Debug)]
pub(crate) struct Shaped {
    pub(crate) text: String,
    pub(crate) glyphs: Vec<KrillaGlyph>,
    /// Total advance, in em.
    pub(crate) width_em: f32,
}

impl Shaped {
    /// Width in points at `size`.
    pub(crate) fn width(&self, size: f32) -> f32 {
        self.width_em * size
    }
}
