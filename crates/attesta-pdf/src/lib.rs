//! Printable, tagged and accessible A4 PDF for an attesta credential.
//!
//! The holder of an attestation of civil disability status downloads this
//! PDF and prints it, or shows it on a screen. It holds:
//!
//! - a bilingual title (Italian and English);
//! - the QR code, drawn as vector rectangles with the 4-module quiet zone;
//! - the issuer, issue date, validity and credential reference;
//! - a short explanation for the holder and for the operator;
//! - the statuses in clear **only** when [`AttestationPdf::details`] is
//!   `Some` (the holder chose that version); by default the sheet shows no
//!   health data;
//! - when the code was issued with a holder's secret
//!   ([`AttestationPdf::holder_secret`]), the secret below a dashed cut
//!   line, at the foot of the last page or, when it does not fit there
//!   (the usual case), on a second page: the holder cuts it off or keeps
//!   that page apart from the code, so that a photo of the code alone is
//!   useless even to someone who knows the holder's codice fiscale.
//!
//! # Printed size of the QR code
//!
//! Each QR module is printed [`MODULE_SIZE_MM`] = 1.2 mm wide. A
//! ~254-character `AT1:` code at the default error-correction level Q is a
//! version 11 symbol (61 modules): **73.2 mm** wide, 82.8 mm with its quiet
//! zone. The EU Digital COVID Certificate recommends at least 35 mm; a
//! larger code scans more reliably from worn or badly printed paper. The
//! printed side *including* the quiet zone is kept between
//! [`MIN_QR_SIDE_MM`] = 80 mm and [`MAX_QR_SIDE_MM`] = 100 mm: a
//! short text gets larger modules, a very long one (version 15 and above)
//! smaller ones.
//!
//! # Accessibility
//!
//! The holders are people with disabilities, so the PDF is written for
//! screen readers and exported with krilla's **PDF/UA-1** validator on: it
//! is tagged (H1/H2 headings, paragraphs, a table for the data, a list for
//! the statuses, the QR code as a `Figure` with alternate text and a
//! bounding box, followed by a `Caption`), its language is `it-IT` (English
//! passages are marked `en`), it has a title that viewers show and an
//! outline, and all text is real text in an embedded font (DejaVu Sans, see
//! `fonts/LICENSE-DejaVu.txt`), not outlines. Decorative rules and the footer
//! are artifacts. Headings are set in a heavier weight by stroking the
//! regular face, so only one font is shipped. krilla checks what a program
//! can check (alt text, heading titles, language, title, fonts, outline);
//! the semantic requirements (reading order, correct tags) are met by the
//! layout code and covered by the tests.
//!
//! # Speed
//!
//! [`PdfRenderer`] parses the embedded font once; reuse one renderer (it is
//! `Send + Sync`) to print many attestations. The free function [`render`]
//! uses a shared renderer created on first use. A release build renders
//! about 230 PDFs per second per core (≈30 KB each); about half of the time
//! is Deflate compression of the font subset and content stream, a quarter
//! is QR mask selection (`examples/throughput.rs` measures it).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod layout;
mod qr;
mod text;
mod wording;
mod write;

use attesta_qr::render::EcLevel;
use std::fmt;
use std::sync::OnceLock;

use krilla::text::Font;

use crate::layout::Layout;
use crate::qr::encode_qr;
use crate::text::Metrics;

/// The embedded font: DejaVu Sans (Bitstream Vera licence, see
/// `fonts/LICENSE-DejaVu.txt`).
static FONT_DATA: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Printed width of one QR module, in millimetres.
///
/// A version 11 symbol (61 modules) is 73.2 mm wide at this size.
pub const MODULE_SIZE_MM: f32 = 1.2;

/// Width of the quiet zone around the QR code, in modules (ISO/IEC 18004).
pub const QUIET_ZONE_MODULES: usize = 4;

/// Largest printed side of the QR code including its quiet zone, in
/// millimetres; beyond it modules are made smaller than [`MODULE_SIZE_MM`].
pub const MAX_QR_SIDE_MM: f32 = 100.0;

/// Smallest printed side of the QR code including its quiet zone, in
/// millimetres; below it modules are made larger than [`MODULE_SIZE_MM`].
pub const MIN_QR_SIDE_MM: f32 = 80.0;

/// Longest accepted issuer, in characters.
pub const MAX_ISSUER_CHARS: usize = 300;
/// Longest accepted date, validity or reference text, in characters.
pub const MAX_SHORT_FIELD_CHARS: usize = 64;
/// Longest accepted status line in [`AttestationPdf::details`], in characters.
pub const MAX_DETAIL_CHARS: usize = 500;
/// Largest accepted number of status lines in [`AttestationPdf::details`].
pub const MAX_DETAILS: usize = 100;

/// Which credential the PDF carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Level {
    /// The attestation the holder shows anywhere (default).
    #[default]
    First,
    /// The "dettagli" token, for an accredited operator only.
    Second,
}

/// What a first-level code shows, as the holder chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shows {
    /// The statuses with the invalidity band and blindness class, from
    /// which the verifier lists benefits (the default).
    Benefits,
    /// The statuses only, without the band (`--mostra stati`).
    StatusesOnly,
}

/// What to print. Every text is printed as given (runs of white space are
/// collapsed); nothing is translated or reformatted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttestationPdf {
    /// The text of the QR code, e.g. `"AT1:..."`.
    pub qr_text: String,
    /// The issuer, e.g. `"INPS — Istituto Nazionale della Previdenza Sociale"`.
    pub issuer: String,
    /// Issue date, already formatted, e.g. `"2026-11-23"`.
    pub issued_on: String,
    /// End of validity, already formatted.
    pub valid_until: String,
    /// Short credential reference, e.g. `"A1B2-C3D4"`.
    pub reference: String,
    /// Statuses shown in clear, only when the holder chose that version.
    /// `None` (the default) prints no health data at all.
    pub details: Option<Vec<String>>,
    /// First level (default) or second level ("dettagli" token).
    pub level: Level,
    /// Italian and English title; `None` gives the level's default, which
    /// names no status (the sheet shows no health data by default).
    pub title: Option<(String, String)>,
    /// Second level: the accredited operator the token is for.
    pub operator: Option<String>,
    /// First level: what the code shows (said in the holder's section).
    pub shows: Option<Shows>,
    /// The holder's secret as printed (e.g. `"ABCD-EFGH-J"`), when the code
    /// opens only with it and the codice fiscale. Printed below a cut line.
    pub holder_secret: Option<HolderSecretText>,
}

/// A holder's secret as text, kept out of `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HolderSecretText(pub String);

impl fmt::Debug for HolderSecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HolderSecretText(…)")
    }
}

impl AttestationPdf {
    /// A first-level attestation for `qr_text`, other fields empty.
    pub fn new(qr_text: impl Into<String>) -> Self {
        Self {
            qr_text: qr_text.into(),
            ..Self::default()
        }
    }

    /// Set [`AttestationPdf::issuer`].
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// Set [`AttestationPdf::issued_on`].
    pub fn issued_on(mut self, date: impl Into<String>) -> Self {
        self.issued_on = date.into();
        self
    }

    /// Set [`AttestationPdf::valid_until`].
    pub fn valid_until(mut self, date: impl Into<String>) -> Self {
        self.valid_until = date.into();
        self
    }

    /// Set [`AttestationPdf::reference`].
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = reference.into();
        self
    }

    /// Set [`AttestationPdf::details`] (statuses shown in clear).
    pub fn details(mut self, details: Option<Vec<String>>) -> Self {
        self.details = details;
        self
    }

    /// Set [`AttestationPdf::level`].
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Set [`AttestationPdf::title`] (Italian, English).
    pub fn title(mut self, title: Option<(String, String)>) -> Self {
        self.title = title;
        self
    }

    /// Set [`AttestationPdf::operator`].
    pub fn operator(mut self, operator: Option<String>) -> Self {
        self.operator = operator;
        self
    }

    /// Set [`AttestationPdf::shows`].
    pub fn shows(mut self, shows: Option<Shows>) -> Self {
        self.shows = shows;
        self
    }

    /// Set [`AttestationPdf::holder_secret`].
    pub fn holder_secret(mut self, secret: Option<String>) -> Self {
        self.holder_secret = secret.map(HolderSecretText);
        self
    }
}

/// QR error-correction level used to draw the code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ErrorCorrection {
    /// About 7 % of the code can be damaged.
    Low,
    /// About 15 %.
    Medium,
    /// About 25 % (default: paper gets folded and smudged).
    #[default]
    Quartile,
    /// About 30 %.
    High,
}

impl ErrorCorrection {
    fn to_qr(self) -> EcLevel {
        match self {
            Self::Low => EcLevel::L,
            Self::Medium => EcLevel::M,
            Self::Quartile => EcLevel::Q,
            Self::High => EcLevel::H,
        }
    }
}

impl fmt::Display for ErrorCorrection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Low => "L",
            Self::Medium => "M",
            Self::Quartile => "Q",
            Self::High => "H",
        })
    }
}

/// Why a PDF could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// [`AttestationPdf::qr_text`] is empty.
    #[error(
        "the QR text is empty: pass the credential string produced by attesta (it starts with \"AT1:\")"
    )]
    EmptyQrText,
    /// [`AttestationPdf::qr_text`] does not fit in a QR code.
    #[error(
        "the QR text ({len} bytes) does not fit in a QR code at error-correction level {level}: \
         check that it is the credential string produced by attesta, or choose a lower level \
         with PdfRenderer::with_error_correction"
    )]
    QrTooLong {
        /// Length of the text, in bytes.
        len: usize,
        /// The error-correction level that was asked for.
        level: ErrorCorrection,
    },
    /// The QR encoder refused the text for another reason.
    #[error(
        "the QR text cannot be encoded ({reason}): pass the credential string exactly as produced by attesta"
    )]
    QrEncoding {
        /// The encoder's message.
        reason: String,
    },
    /// A field holds a character the embedded font cannot draw (or a
    /// control character).
    #[error(
        "field `{field}` contains {ch:?} (U+{code:04X}), which the embedded font cannot draw: \
         remove or transliterate it",
        code = u32::from(*ch)
    )]
    UnsupportedCharacter {
        /// Name of the field in [`AttestationPdf`].
        field: &'static str,
        /// The offending character.
        ch: char,
    },
    /// A field is longer than this crate accepts.
    #[error("field `{field}` is too long ({len}, at most {max}): shorten it")]
    FieldTooLong {
        /// Name of the field in [`AttestationPdf`].
        field: &'static str,
        /// Its length (characters, or items for `details`).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The embedded font could not be read.
    #[error("the embedded font could not be loaded: the attesta-pdf build is damaged, rebuild it")]
    Font,
    /// The PDF writer (krilla) failed, including a failed PDF/UA-1 check.
    #[error(
        "the PDF writer failed ({0}): this is a bug in attesta-pdf, please report it with the input that caused it"
    )]
    Writer(String),
}

impl PdfError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            PdfError::EmptyQrText => "pdf_empty_qr_text",
            PdfError::QrTooLong { .. } => "pdf_qr_too_long",
            PdfError::QrEncoding { .. } => "pdf_qr_encoding",
            PdfError::UnsupportedCharacter { .. } => "pdf_unsupported_character",
            PdfError::FieldTooLong { .. } => "pdf_field_too_long",
            PdfError::Font => "pdf_font",
            PdfError::Writer(_) => "pdf_writer",
        }
    }
}

/// Render `doc` into an A4 PDF with a renderer shared by the whole process.
///
/// The output is a tagged PDF/UA-1 document; see the [crate] documentation
/// for the layout and the printed size of the code.
///
/// # Example
///
/// ```
/// use attesta_pdf::{render, AttestationPdf};
///
/// let doc = AttestationPdf::new("AT1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH")
///     .issuer("INPS — Istituto Nazionale della Previdenza Sociale")
///     .issued_on("2026-11-23")
///     .valid_until("2027-11-23")
///     .reference("A1B2-C3D4");
/// let pdf: Vec<u8> = render(&doc)?;
/// assert!(pdf.starts_with(b"%PDF-"));
/// # Ok::<(), attesta_pdf::PdfError>(())
/// ```
///
/// # Errors
///
/// See [`PdfError`]: an empty or too long QR text, a character the font
/// cannot draw, a field over its limit.
pub fn render(doc: &AttestationPdf) -> Result<Vec<u8>, PdfError> {
    static SHARED: OnceLock<Result<PdfRenderer, ()>> = OnceLock::new();
    match SHARED.get_or_init(|| PdfRenderer::new().map_err(|_| ())) {
        Ok(renderer) => renderer.render(doc),
        Err(()) => Err(PdfError::Font),
    }
}

/// Renders attestations, keeping the parsed font between calls.
///
/// ```
/// use attesta_pdf::{AttestationPdf, ErrorCorrection, PdfRenderer};
///
/// let renderer = PdfRenderer::new()?.with_error_correction(ErrorCorrection::Medium);
/// for reference in ["A1B2-C3D4", "E5F6-G7H8"] {
///     let pdf = renderer.render(&AttestationPdf::new("AT1:EXAMPLE").reference(reference))?;
///     assert!(!pdf.is_empty());
/// }
/// # Ok::<(), attesta_pdf::PdfError>(())
/// ```
pub struct PdfRenderer {
    font: Font,
    metrics: Metrics,
    ec_level: ErrorCorrection,
}

impl fmt::Debug for PdfRenderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PdfRenderer")
            .field("font", &"DejaVu Sans")
            .field("ec_level", &self.ec_level)
            .finish()
    }
}

impl PdfRenderer {
    /// Load the embedded font.
    ///
    /// # Errors
    ///
    /// [`PdfError::Font`] if the embedded font cannot be parsed (a damaged build).
    pub fn new() -> Result<Self, PdfError> {
        let font = Font::new(FONT_DATA.into(), 0).ok_or(PdfError::Font)?;
        let metrics = Metrics::new(FONT_DATA).ok_or(PdfError::Font)?;
        Ok(Self {
            font,
            metrics,
            ec_level: ErrorCorrection::default(),
        })
    }

    /// Use `level` for the QR code (default [`ErrorCorrection::Quartile`]).
    pub fn with_error_correction(mut self, level: ErrorCorrection) -> Self {
        self.ec_level = level;
        self
    }

    /// Render `doc` into an A4 PDF; see [`render`].
    ///
    /// # Errors
    ///
    /// See [`PdfError`].
    pub fn render(&self, doc: &AttestationPdf) -> Result<Vec<u8>, PdfError> {
        check_fields(doc)?;
        let qr = encode_qr(&doc.qr_text, self.ec_level)?;
        let layout = Layout::build(&self.metrics, doc, qr)?;
        write::write(&self.font, doc, layout)
    }
}

/// Every field within its limit, checked before any layout work.
fn check_fields(doc: &AttestationPdf) -> Result<(), PdfError> {
    fn limit(field: &'static str, value: &str, max: usize) -> Result<(), PdfError> {
        let len = value.chars().count();
        if len > max {
            return Err(PdfError::FieldTooLong { field, len, max });
        }
        Ok(())
    }
    if doc.qr_text.is_empty() {
        return Err(PdfError::EmptyQrText);
    }
    limit("issuer", &doc.issuer, MAX_ISSUER_CHARS)?;
    limit("issued_on", &doc.issued_on, MAX_SHORT_FIELD_CHARS)?;
    limit("valid_until", &doc.valid_until, MAX_SHORT_FIELD_CHARS)?;
    limit("reference", &doc.reference, MAX_SHORT_FIELD_CHARS)?;
    if let Some((it, en)) = &doc.title {
        limit("title", it, MAX_DETAIL_CHARS)?;
        limit("title", en, MAX_DETAIL_CHARS)?;
    }
    if let Some(op) = &doc.operator {
        limit("operator", op, MAX_ISSUER_CHARS)?;
    }
    if let Some(s) = &doc.holder_secret {
        limit("holder_secret", &s.0, MAX_SHORT_FIELD_CHARS)?;
    }
    if let Some(details) = &doc.details {
        if details.len() > MAX_DETAILS {
            return Err(PdfError::FieldTooLong {
                field: "details",
                len: details.len(),
                max: MAX_DETAILS,
            });
        }
        for d in details {
            limit("details", d, MAX_DETAIL_CHARS)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderer_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<PdfRenderer>();
    }

    #[test]
    fn no_suspects_key() {
        let doc = AttestationPdf::new(format!(
            "AT1:{}",
            "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3".repeat(7)
        ))
        .issuer("INPS — Istituto Nazionale della Previdenza Sociale")
        .issued_on("2026-11-23")
        .valid_until("2027-11-23")
        .reference("A1B2-C3D4");
        let pdf = render(&doc).unwrap();
        assert!(!pdf.windows(9).any(|w| w == b"/Suspects"));
        assert!(pdf.windows(12).any(|w| w == b"/Marked true"));
    }

    #[test]
    fn module_size_gives_70_to_80_mm_for_version_11() {
        let side = 61.0 * MODULE_SIZE_MM;
        assert!((70.0..=80.0).contains(&side), "{side}");
    }
}
