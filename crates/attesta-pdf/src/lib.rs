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

mod text;

use attesta_qr::render::{EcLevel, QrError, QrSymbol};
use std::fmt;
use std::num::NonZeroU16;
use std::sync::OnceLock;

use krilla::color::rgb;
use krilla::configure::{Accessibility, ConfigurationBuilder, Validator};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, BBox, ContentTag, Identifier, ListNumbering, Node, SpanTag,
    TableHeaderScope, Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::Font;
use krilla::{Document, SerializeSettings};

use crate::text::{Metrics, Shaped};

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
        self.write(doc, layout)
    }

    fn write(&self, doc: &AttestationPdf, layout: Layout) -> Result<Vec<u8>, PdfError> {
        let configuration = ConfigurationBuilder::new()
            .set_validator(Validator::Ua(Accessibility::UA1))
            .finish()
            .map_err(|e| PdfError::Writer(format!("{e:?}")))?;
        let settings = SerializeSettings {
            configuration,
            enable_tagging: true,
            compress_content_streams: true,
            ..SerializeSettings::default()
        };
        let mut document = Document::new_with(settings);

        let Layout {
            mut items,
            blocks,
            spec,
            headings,
            pages,
        } = layout;
        items.sort_by_key(|p| p.page);

        let mut ids: Vec<Vec<Identifier>> = vec![Vec::new(); blocks.len()];
        let mut rest = items.as_slice();
        for page_index in 0..pages {
            let split = rest.iter().take_while(|p| p.page == page_index).count();
            let (on_page, after) = rest.split_at(split);
            rest = after;
            let page_settings = PageSettings::from_wh(PAGE_W, PAGE_H)
                .ok_or(PdfError::Writer("page size".into()))?;
            let mut page = document.start_page_with(page_settings);
            let mut surface = page.surface();
            for placed in on_page {
                match placed.mark {
                    Mark::Content { block, lang } => {
                        let tag = match placed.item {
                            Item::Text { .. } => ContentTag::Span(SpanTag::empty().with_lang(lang)),
                            _ => ContentTag::Other,
                        };
                        let id = surface.start_tagged(tag);
                        self.draw(&mut surface, &placed.item);
                        surface.end_tagged();
                        if let Some(slot) = ids.get_mut(block) {
                            slot.push(id);
                        }
                    }
                    Mark::Artifact(kind) => {
                        surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
                        self.draw(&mut surface, &placed.item);
                        surface.end_tagged();
                    }
                }
            }
            surface.finish();
            page.finish();
        }

        let mut blocks: Vec<Option<TagKind>> = blocks.into_iter().map(Some).collect();
        let mut tree = TagTree::new().with_lang(Some(LANG_IT.into()));
        for s in spec {
            if let Some(node) = build_node(s, &mut blocks, &ids) {
                tree.push(node);
            }
        }
        document.set_tag_tree(tree);

        let mut outline = Outline::new();
        let mut top: Option<OutlineNode> = None;
        for h in headings {
            let node = OutlineNode::new(
                h.title,
                XyzDestination::new(h.page, Point::from_xy(MARGIN_X, h.y)),
            );
            match (h.level, top.as_mut()) {
                (1, _) | (_, None) => {
                    if let Some(done) = top.take() {
                        outline.push_child(done);
                    }
                    top = Some(node.with_open(true));
                }
                (_, Some(parent)) => parent.push_child(node),
            }
        }
        if let Some(done) = top {
            outline.push_child(done);
        }
        document.set_outline(outline);

        let mut metadata = Metadata::new()
            .title(document_title(doc))
            .language(LANG_IT.into())
            .creator(concat!("attesta-pdf ", env!("CARGO_PKG_VERSION")).into());
        let issuer = normalize(&doc.issuer);
        if !issuer.is_empty() {
            metadata = metadata.authors(vec![issuer]);
        }
        document.set_metadata(metadata);

        let mut pdf = document
            .finish()
            .map_err(|e| PdfError::Writer(format!("{e:?}")))?;
        drop_suspects(&mut pdf);
        Ok(pdf)
    }

    fn draw(&self, surface: &mut Surface<'_>, item: &Item) {
        match item {
            Item::Text {
                x,
                baseline,
                size,
                style,
                shaped,
            } => {
                surface.set_fill(Some(fill(style.color)));
                if style.bold {
                    surface.set_stroke(Some(Stroke {
                        paint: style.color.krilla().into(),
                        width: size * BOLD_STROKE_EM,
                        line_join: LineJoin::Round,
                        line_cap: LineCap::Round,
                        ..Stroke::default()
                    }));
                } else {
                    surface.set_stroke(None);
                }
                surface.draw_glyphs(
                    Point::from_xy(*x, *baseline),
                    &shaped.glyphs,
                    self.font.clone(),
                    &shaped.text,
                    *size,
                    false,
                );
                surface.set_stroke(None);
            }
            Item::Qr {
                x,
                y,
                module,
                width,
                dark,
            } => {
                // Drawn in module units (one unit = one module) so that the
                // content stream holds small integers: shorter to write and
                // to compress.
                let mut pb = PathBuilder::new();
                for (col, row, w, h) in qr_rects(dark, *width) {
                    if let Some(rect) = Rect::from_xywh(col as f32, row as f32, w as f32, h as f32)
                    {
                        pb.push_rect(rect);
                    }
                }
                if let Some(path) = pb.finish() {
                    surface
                        .push_transform(&Transform::from_row(*module, 0.0, 0.0, *module, *x, *y));
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(BLACK)));
                    surface.draw_path(&path);
                    surface.pop();
                }
            }
            Item::Rule {
                x1,
                y1,
                x2,
                y2,
                width,
                color,
            } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x1, *y1);
                pb.line_to(*x2, *y2);
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: color.krilla().into(),
                        width: *width,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
            Item::Frame { rect, width, color } => {
                let mut pb = PathBuilder::new();
                pb.push_rect(*rect);
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: color.krilla().into(),
                        width: *width,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
        }
    }
}

/// krilla writes `/Suspects false` in the catalog's MarkInfo, which poppler
/// reports as a syntax error. The key is optional and false by default, so
/// it is blanked out with spaces of the same length: every byte offset in
/// the cross-reference table stays right.
fn drop_suspects(pdf: &mut [u8]) {
    const KEY: &[u8] = b"/Suspects false";
    if let Some(at) = pdf.windows(KEY.len()).position(|w| w == KEY) {
        pdf[at..at + KEY.len()].fill(b' ');
    }
}

/// Cover the dark modules of a `width`×`width` matrix with rectangles
/// `(column, row, width, height)`: horizontal runs, merged downwards with an
/// identical run in the next row.
fn qr_rects(dark: &[bool], width: usize) -> Vec<(usize, usize, usize, usize)> {
    let mut done = Vec::new();
    // Rectangles still open at the previous row, keyed by (start, end).
    let mut open: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (row, cells) in dark.chunks(width.max(1)).enumerate() {
        let mut next = Vec::with_capacity(open.len());
        let mut col = 0;
        while col < cells.len() {
            if !cells[col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < cells.len() && cells[col] {
                col += 1;
            }
            let run = col - start;
            match open.iter().position(|r| r.0 == start && r.2 == run) {
                Some(i) => {
                    let mut r = open.swap_remove(i);
                    r.3 += 1;
                    next.push(r);
                }
                None => next.push((start, row, run, 1)),
            }
        }
        done.append(&mut open);
        open = next;
    }
    done.append(&mut open);
    done
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: color.krilla().into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn build_node(spec: Spec, blocks: &mut [Option<TagKind>], ids: &[Vec<Identifier>]) -> Option<Node> {
    match spec {
        Spec::Block(i) => {
            let kind = blocks.get_mut(i)?.take()?;
            let leaves = ids.get(i)?;
            if leaves.is_empty() {
                return None;
            }
            let children = leaves.iter().map(|id| Node::Leaf(*id)).collect();
            Some(TagGroup::with_children(kind, children).into())
        }
        Spec::Group(kind, children) => {
            let children: Vec<Node> = children
                .into_iter()
                .filter_map(|c| build_node(c, blocks, ids))
                .collect();
            if children.is_empty() {
                return None;
            }
            Some(TagGroup::with_children(kind, children).into())
        }
    }
}

// ---------------------------------------------------------------------------
// Input checks and QR encoding

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

struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

/// The same symbol as attesta-qr renders for screens (alphanumeric mode,
/// same mask), so paper and screen carry identical codes.
fn encode_qr(text: &str, level: ErrorCorrection) -> Result<QrMatrix, PdfError> {
    let code = QrSymbol::encode(text, level.to_qr()).map_err(|e| match e {
        QrError::TooLong { .. } => PdfError::QrTooLong {
            len: text.len(),
            level,
        },
        other => PdfError::QrEncoding {
            reason: other.to_string(),
        },
    })?;
    let width = code.width();
    Ok(QrMatrix {
        width,
        dark: (0..width * width)
            .map(|i| code.is_dark(i % width, i / width))
            .collect(),
    })
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn or_dash(s: &str) -> String {
    let n = normalize(s);
    if n.is_empty() { "—".to_owned() } else { n }
}

// ---------------------------------------------------------------------------
// Wording

const LANG_IT: &str = "it-IT";
const LANG_EN: &str = "en";

/// The title: the one given, or the level's default. The first-level
/// default names no status: a blind or deaf holder is not an invalido
/// civile, and the default sheet shows no health data.
fn titles(doc: &AttestationPdf) -> (String, String) {
    if let Some((it, en)) = &doc.title {
        return (normalize(it), normalize(en));
    }
    let (it, en) = match doc.level {
        Level::First => (
            "Attestazione di stato di disabilità",
            "Disability status attestation",
        ),
        Level::Second => (
            "Dettagli per operatore accreditato",
            "Details for an accredited operator",
        ),
    };
    (it.to_owned(), en.to_owned())
}

fn document_title(doc: &AttestationPdf) -> String {
    let (it, en) = titles(doc);
    let reference = normalize(&doc.reference);
    if reference.is_empty() {
        format!("{it} / {en}")
    } else {
        format!("{it} / {en} ({reference})")
    }
}

fn alt_text(doc: &AttestationPdf) -> String {
    let reference = or_dash(&doc.reference);
    match doc.level {
        Level::First => format!(
            "Codice QR dell’attestazione, riferimento {reference} / QR code of the attestation, reference {reference}"
        ),
        Level::Second => format!(
            "Codice QR dei dettagli per operatore accreditato, riferimento {reference} / \
             QR code of the details for an accredited operator, reference {reference}"
        ),
    }
}

// ---------------------------------------------------------------------------
// Layout

const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const MARGIN_X: f32 = 20.0 * MM;
const MARGIN_TOP: f32 = 18.0 * MM;
/// Lowest point of the flowing content.
const CONTENT_BOTTOM: f32 = PAGE_H - 24.0 * MM;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const COLUMN_GAP: f32 = 9.0 * MM;
const MIN_SIDE_COLUMN: f32 = 55.0 * MM;

/// Stroke width, in em, that turns the regular face into a heading weight.
const BOLD_STROKE_EM: f32 = 0.045;
/// Extra letter spacing for stroked text, so letters do not touch.
const BOLD_TRACKING_EM: f32 = 0.03;

/// An sRGB colour (krilla's colour type has no `const` constructor).
#[derive(Clone, Copy, Debug)]
struct Rgb(u8, u8, u8);

impl Rgb {
    fn krilla(self) -> rgb::Color {
        rgb::Color::new(self.0, self.1, self.2)
    }
}

const NAVY: Rgb = Rgb(0x1F, 0x3A, 0x5F);
const INK: Rgb = Rgb(0x1A, 0x1A, 0x1A);
/// Secondary text; 8.9:1 contrast on white (WCAG AAA).
const MUTED: Rgb = Rgb(0x4A, 0x4A, 0x4A);
const RULE: Rgb = Rgb(0xA8, 0xB3, 0xC2);
const BLACK: Rgb = Rgb(0, 0, 0);

#[derive(Clone, Copy, Debug)]
struct Style {
    size: f32,
    bold: bool,
    color: Rgb,
    /// Line height as a multiple of the size.
    leading: f32,
}

impl Style {
    const fn new(size: f32, bold: bool, color: Rgb) -> Self {
        Self {
            size,
            bold,
            color,
            leading: 1.35,
        }
    }

    fn tracking(self) -> f32 {
        if self.bold { BOLD_TRACKING_EM } else { 0.0 }
    }

    fn line_height(self) -> f32 {
        self.size * self.leading
    }
}

const TITLE: Style = Style::new(19.0, true, NAVY);
const SUBTITLE: Style = Style::new(13.5, false, MUTED);
const H2: Style = Style::new(13.0, true, NAVY);
const BODY: Style = Style::new(11.5, false, INK);
const BODY_EN: Style = Style::new(11.5, false, MUTED);
const LABEL: Style = Style::new(9.5, false, MUTED);
const VALUE: Style = Style::new(12.5, true, INK);
const CAPTION: Style = Style::new(10.0, false, MUTED);
const SECRET: Style = Style::new(22.0, true, INK);
const FOOTER: Style = Style::new(8.5, false, MUTED);

#[derive(Clone, Copy, Debug)]
struct TextStyle {
    bold: bool,
    color: Rgb,
}

enum Item {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        style: TextStyle,
        shaped: Shaped,
    },
    Qr {
        x: f32,
        y: f32,
        module: f32,
        width: usize,
        dark: Vec<bool>,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
    Frame {
        rect: Rect,
        width: f32,
        color: Rgb,
    },
}

#[derive(Clone, Copy)]
enum Mark {
    /// Real content belonging to structure block `block`.
    Content {
        block: usize,
        lang: Option<&'static str>,
    },
    /// Decoration or pagination, not read aloud.
    Artifact(ArtifactType),
}

struct Placed {
    page: usize,
    mark: Mark,
    item: Item,
}

/// Structure tree to build once the content identifiers are known.
enum Spec {
    /// A structure element whose content is the block's marked content.
    Block(usize),
    /// A grouping element.
    Group(TagKind, Vec<Spec>),
}

struct Heading {
    title: String,
    level: u8,
    page: usize,
    y: f32,
}

struct Layout {
    items: Vec<Placed>,
    blocks: Vec<TagKind>,
    spec: Vec<Spec>,
    headings: Vec<Heading>,
    pages: usize,
}

/// Where the next flowing line goes.
#[derive(Clone, Copy)]
struct Cursor {
    page: usize,
    y: f32,
}

struct Builder<'a> {
    metrics: &'a Metrics,
    items: Vec<Placed>,
    blocks: Vec<TagKind>,
    headings: Vec<Heading>,
    cursor: Cursor,
}

/// One wrapped text: its lines and style, ready to place.
struct Para {
    lines: Vec<Shaped>,
    style: Style,
}

impl Para {
    fn height(&self) -> f32 {
        self.lines.len() as f32 * self.style.line_height()
    }
}

impl<'a> Builder<'a> {
    fn block(&mut self, kind: impl Into<TagKind>) -> usize {
        self.blocks.push(kind.into());
        self.blocks.len() - 1
    }

    fn para(
        &self,
        text: &str,
        style: Style,
        width: f32,
        field: &'static str,
    ) -> Result<Para, PdfError> {
        Ok(Para {
            lines: self
                .metrics
                .wrap(text, style.size, style.tracking(), width, field)?,
            style,
        })
    }

    /// Start a new page if `height` does not fit under the cursor.
    fn ensure(&mut self, height: f32) {
        if self.cursor.y + height > CONTENT_BOTTOM && self.cursor.y > MARGIN_TOP + 1.0 {
            self.cursor = Cursor {
                page: self.cursor.page + 1,
                y: MARGIN_TOP,
            };
        }
    }

    /// Place `para` at the cursor (flowing over pages), left-aligned at `x`
    /// or centred in `[x, x + width]` when `centred`.
    fn place(
        &mut self,
        para: Para,
        x: f32,
        width: f32,
        centred: bool,
        block: usize,
        lang: Option<&'static str>,
    ) {
        let style = para.style;
        let lh = style.line_height();
        // Keep a paragraph on one page when it fits on one.
        if para.height() <= CONTENT_BOTTOM - MARGIN_TOP {
            self.ensure(para.height());
        }
        for line in para.lines {
            self.ensure(lh);
            let w = line.width(style.size);
            let lx = if centred {
                x + (width - w).max(0.0) / 2.0
            } else {
                x
            };
            let baseline =
                self.cursor.y + (lh - style.size) / 2.0 + self.metrics.ascent * style.size;
            self.items.push(Placed {
                page: self.cursor.page,
                mark: Mark::Content { block, lang },
                item: Item::Text {
                    x: lx,
                    baseline,
                    size: style.size,
                    style: TextStyle {
                        bold: style.bold,
                        color: style.color,
                    },
                    shaped: line,
                },
            });
            self.cursor.y += lh;
        }
    }

    fn space(&mut self, h: f32) {
        self.cursor.y += h;
    }

    fn heading(
        &mut self,
        level: u8,
        it: &str,
        en: &str,
        spec: &mut Vec<Spec>,
    ) -> Result<(), PdfError> {
        let title = format!("{it} / {en}");
        let para = self.para(&title, H2, CONTENT_W, "heading")?;
        // Keep the heading with the first line that follows it.
        self.ensure(para.height() + BODY.line_height() * 2.0);
        let level16 = NonZeroU16::new(u16::from(level)).unwrap_or(NonZeroU16::MIN);
        let block = self.block(Tag::Hn(level16, Some(title.clone())));
        self.headings.push(Heading {
            title,
            level,
            page: self.cursor.page,
            y: self.cursor.y,
        });
        self.place(para, MARGIN_X, CONTENT_W, false, block, None);
        spec.push(Spec::Block(block));
        self.space(1.5 * MM);
        Ok(())
    }

    /// An Italian paragraph followed by its English version.
    fn bilingual(&mut self, it: &str, en: &str, spec: &mut Vec<Spec>) -> Result<(), PdfError> {
        let p = self.para(it, BODY, CONTENT_W, "text")?;
        let block = self.block(Tag::P);
        self.place(p, MARGIN_X, CONTENT_W, false, block, None);
        spec.push(Spec::Block(block));
        self.space(1.2 * MM);
        let p = self.para(en, BODY_EN, CONTENT_W, "text")?;
        let block = self.block(Tag::P.with_lang(Some(LANG_EN.into())));
        self.place(p, MARGIN_X, CONTENT_W, false, block, None);
        spec.push(Spec::Block(block));
        Ok(())
    }
}

impl Layout {
    fn build(metrics: &Metrics, doc: &AttestationPdf, qr: QrMatrix) -> Result<Self, PdfError> {
        let mut b = Builder {
            metrics,
            items: Vec::new(),
            blocks: Vec::new(),
            headings: Vec::new(),
            cursor: Cursor {
                page: 0,
                y: MARGIN_TOP,
            },
        };
        let mut spec = Vec::new();

        // Title: one H1, Italian line then English line.
        let (title_it, title_en) = titles(doc);
        let (title_it, title_en) = (title_it.as_str(), title_en.as_str());
        let h1_title = format!("{title_it} / {title_en}");
        let h1 = b.block(Tag::Hn(NonZeroU16::MIN, Some(h1_title.clone())));
        b.headings.push(Heading {
            title: h1_title,
            level: 1,
            page: 0,
            y: MARGIN_TOP,
        });
        let p = b.para(title_it, TITLE, CONTENT_W, "title")?;
        b.place(p, MARGIN_X, CONTENT_W, false, h1, None);
        b.space(0.5 * MM);
        let p = b.para(title_en, SUBTITLE, CONTENT_W, "title")?;
        b.place(p, MARGIN_X, CONTENT_W, false, h1, Some(LANG_EN));
        spec.push(Spec::Block(h1));
        b.space(3.0 * MM);
        let rule_y = b.cursor.y;
        b.items.push(Placed {
            page: 0,
            mark: Mark::Artifact(ArtifactType::Layout),
            item: Item::Rule {
                x1: MARGIN_X,
                y1: rule_y,
                x2: PAGE_W - MARGIN_X,
                y2: rule_y,
                width: 1.5,
                color: NAVY,
            },
        });
        b.space(8.0 * MM);

        // QR code with its quiet zone.
        let total_modules = qr.width + 2 * QUIET_ZONE_MODULES;
        let module = (MODULE_SIZE_MM * total_modules as f32).clamp(MIN_QR_SIDE_MM, MAX_QR_SIDE_MM)
            * MM
            / total_modules as f32;
        let side = module * total_modules as f32;
        let qr_x = MARGIN_X;
        let qr_y = b.cursor.y;
        let qr_rect =
            Rect::from_xywh(qr_x, qr_y, side, side).ok_or(PdfError::Writer("QR frame".into()))?;
        b.items.push(Placed {
            page: 0,
            mark: Mark::Artifact(ArtifactType::Layout),
            item: Item::Frame {
                rect: qr_rect,
                width: 0.75,
                color: RULE,
            },
        });
        let figure =
            b.block(Tag::Figure(Some(alt_text(doc))).with_bbox(Some(BBox::new(0, qr_rect))));
        let quiet = QUIET_ZONE_MODULES as f32 * module;
        b.items.push(Placed {
            page: 0,
            mark: Mark::Content {
                block: figure,
                lang: None,
            },
            item: Item::Qr {
                x: qr_x + quiet,
                y: qr_y + quiet,
                module,
                width: qr.width,
                dark: qr.dark,
            },
        });
        spec.push(Spec::Block(figure));
        b.cursor.y = qr_y + side + 2.5 * MM;
        let caption = b.block(Tag::Caption);
        let caption_text = format!("Rif. / Ref. {}", or_dash(&doc.reference));
        let p = b.para(&caption_text, CAPTION, side, "reference")?;
        b.place(p, qr_x, side, true, caption, None);
        spec.push(Spec::Block(caption));
        let below_qr = b.cursor;

        // The data, as a two-column table (label, value), beside the code
        // when it fits there, otherwise below it.
        let mut rows: Vec<(&str, String)> = vec![
            ("Ente emittente / Issuer", or_dash(&doc.issuer)),
            ("Data di rilascio / Issued on", or_dash(&doc.issued_on)),
            ("Valida fino al / Valid until", or_dash(&doc.valid_until)),
            ("Riferimento / Reference", or_dash(&doc.reference)),
        ];
        let mut fields = vec!["issuer", "issued_on", "valid_until", "reference"];
        if doc.level == Level::Second {
            rows.push((
                "Per l’operatore accreditato / For the accredited operator",
                doc.operator
                    .as_deref()
                    .map_or_else(|| "—".to_owned(), or_dash),
            ));
            fields.push("operator");
        }
        let side_x = qr_x + side + COLUMN_GAP;
        let side_w = PAGE_W - MARGIN_X - side_x;
        let row_gap = 4.5 * MM;
        let mut side_by_side = side_w >= MIN_SIDE_COLUMN;
        let mut cells = Vec::with_capacity(rows.len());
        let col_w = if side_by_side { side_w } else { CONTENT_W };
        for ((label, value), field) in rows.iter().zip(fields.iter().copied()) {
            cells.push((
                b.para(label, LABEL, col_w, field)?,
                b.para(value, VALUE, col_w, field)?,
            ));
        }
        let table_h: f32 = cells
            .iter()
            .map(|(l, v)| l.height() + v.height() + 0.8 * MM + row_gap)
            .sum();
        if side_by_side && qr_y + quiet + table_h > CONTENT_BOTTOM {
            side_by_side = false;
            cells.clear();
            for ((label, value), field) in rows.iter().zip(fields.iter().copied()) {
                cells.push((
                    b.para(label, LABEL, CONTENT_W, field)?,
                    b.para(value, VALUE, CONTENT_W, field)?,
                ));
            }
        }
        let table_x = if side_by_side {
            b.cursor = Cursor {
                page: 0,
                y: qr_y + quiet * 0.5,
            };
            side_x
        } else {
            b.space(6.0 * MM);
            MARGIN_X
        };
        let table_w = if side_by_side { side_w } else { CONTENT_W };
        let mut table_rows = Vec::with_capacity(cells.len());
        for (label, value) in cells {
            b.ensure(label.height() + value.height());
            let th = b.block(Tag::TH(TableHeaderScope::Row));
            b.place(label, table_x, table_w, false, th, None);
            b.space(0.8 * MM);
            let td = b.block(Tag::TD);
            b.place(value, table_x, table_w, false, td, None);
            b.space(row_gap);
            table_rows.push(Spec::Group(
                Tag::TR.into(),
                vec![Spec::Block(th), Spec::Block(td)],
            ));
        }
        spec.push(Spec::Group(Tag::Table.into(), table_rows));
        if side_by_side && b.cursor.page == below_qr.page && b.cursor.y < below_qr.y {
            b.cursor = below_qr;
        }
        b.space(8.0 * MM);

        // Explanations.
        b.heading(2, "Per il titolare", "For the holder", &mut spec)?;
        // Honest about the limit (security review, finding 3): the codice
        // fiscale is computed from name, birth date and place, so it keeps
        // the content from strangers, not from people who know the holder.
        let (mut holder_it, mut holder_en) = if doc.level == Level::Second {
            // A token opens only with the operator's key and the CF.
            (
                String::from("Mostrare questo codice insieme al proprio codice fiscale."),
                String::from("Show this code together with your codice fiscale."),
            )
        } else if doc.holder_secret.is_some() {
            (
                String::from(
                    "Mostrare questo codice insieme al proprio codice fiscale e al codice \
                     segreto stampato a parte (in fondo o nella pagina seguente). Senza il codice \
                     segreto il codice non rivela i vostri stati, nemmeno a chi conosce il \
                     vostro codice fiscale: ritagliatelo e conservatelo separato dal codice.",
                ),
                String::from(
                    "Show this code together with your codice fiscale and the secret code \
                     printed apart (at the foot or on the next page). Without the secret code \
                     the code does not reveal your statuses, not even to someone who knows \
                     your codice fiscale: cut it off and keep it apart from the code.",
                ),
            )
        } else {
            (
                String::from(
                    "Mostrare questo codice insieme al proprio codice fiscale. Senza il codice \
                     fiscale il codice non rivela i vostri stati; ma il codice fiscale si ricava \
                     da nome, data e luogo di nascita, quindi chi vi conosce e ha una foto del \
                     codice può leggerli. Non condividete foto del codice.",
                ),
                String::from(
                    "Show this code together with your codice fiscale. Without the codice \
                     fiscale the code does not reveal your statuses; but the codice fiscale \
                     follows from name, date and place of birth, so someone who knows you and \
                     has a photo of the code can read them. Do not share photos of the code.",
                ),
            )
        };
        if doc.level == Level::Second {
            match doc.operator.as_deref().map(normalize) {
                Some(op) if !op.is_empty() => {
                    holder_it.push_str(&format!(
                        " Mostrarlo solo a {op}: è sigillato per questo operatore."
                    ));
                    holder_en.push_str(&format!(
                        " Show it only to {op}: it is sealed for this operator."
                    ));
                }
                _ => {
                    holder_it.push_str(" Mostrarlo solo a un operatore accreditato.");
                    holder_en.push_str(" Show it only to an accredited operator.");
                }
            }
        }
        match doc.shows {
            Some(Shows::StatusesOnly) => {
                holder_it.push_str(
                    " Per scelta del titolare il codice mostra solo gli stati, senza la fascia di invalidità né la classe di cecità e senza i benefici che ne dipendono.",
                );
                holder_en.push_str(
                    " By the holder’s choice the code shows the statuses only, without the invalidity band or blindness class and the benefits that depend on them.",
                );
            }
            Some(Shows::Benefits) => {
                holder_it.push_str(
                    " Il codice mostra gli stati con la fascia di invalidità o la classe di cecità, da cui l’operatore vede i benefici.",
                );
                holder_en.push_str(
                    " The code shows the statuses with the invalidity band or blindness class, from which the operator sees the benefits.",
                );
            }
            None => {}
        }
        if doc.details.is_none() {
            holder_it.push_str(" Questo foglio non riporta dati sanitari in chiaro.");
            holder_en.push_str(" This sheet shows no health data in clear.");
        }
        b.bilingual(&holder_it, &holder_en, &mut spec)?;
        b.space(6.0 * MM);

        b.heading(2, "Per l’operatore", "For the operator", &mut spec)?;
        if doc.holder_secret.is_some() {
            b.bilingual(
                "Inquadri il codice con l’app di verifica o con attesta; \
                 inserisca o scansioni il codice fiscale dalla tessera sanitaria del titolare \
                 e digiti il suo codice segreto; controlli un documento d’identità.",
                "Scan the code with the verification app or with attesta; \
                 type or scan the codice fiscale from the holder’s health card \
                 and type the holder’s secret code; check an identity document.",
                &mut spec,
            )?;
        } else {
            b.bilingual(
                "Inquadri il codice con l’app di verifica o con attesta; \
                 inserisca o scansioni il codice fiscale dalla tessera sanitaria del titolare; \
                 controlli un documento d’identità.",
                "Scan the code with the verification app or with attesta; \
                 type or scan the codice fiscale from the holder’s health card; \
                 check an identity document.",
                &mut spec,
            )?;
        }

        // Statuses in clear, only when the holder asked for them.
        if let Some(details) = &doc.details {
            b.space(6.0 * MM);
            b.heading(
                2,
                "Stati riportati in chiaro",
                "Statuses shown in clear",
                &mut spec,
            )?;
            if details.iter().all(|d| normalize(d).is_empty()) {
                let block = b.block(Tag::P);
                let p = b.para("Nessuno / None", BODY, CONTENT_W, "details")?;
                b.place(p, MARGIN_X, CONTENT_W, false, block, None);
                spec.push(Spec::Block(block));
            } else {
                let indent = 6.0 * MM;
                let mut items = Vec::new();
                for d in details {
                    let text = normalize(d);
                    if text.is_empty() {
                        continue;
                    }
                    let body = b.para(&text, BODY, CONTENT_W - indent, "details")?;
                    let bullet = b.para("•", BODY, indent, "details")?;
                    if body.height() <= CONTENT_BOTTOM - MARGIN_TOP {
                        b.ensure(body.height());
                    }
                    let lbl = b.block(Tag::Lbl);
                    let start = b.cursor;
                    b.place(bullet, MARGIN_X + 1.0 * MM, indent, false, lbl, None);
                    b.cursor = start;
                    let lbody = b.block(Tag::LBody);
                    b.place(
                        body,
                        MARGIN_X + indent,
                        CONTENT_W - indent,
                        false,
                        lbody,
                        None,
                    );
                    b.space(1.2 * MM);
                    items.push(Spec::Group(
                        Tag::LI.into(),
                        vec![Spec::Block(lbl), Spec::Block(lbody)],
                    ));
                }
                spec.push(Spec::Group(Tag::L(ListNumbering::Disc).into(), items));
            }
        }

        if let Some(secret) = &doc.holder_secret {
            holder_secret_section(&mut b, &secret.0, &mut spec)?;
        }

        // Footer on every page: artifacts, not read aloud.
        let pages = b.cursor.page + 1;
        let footer_rule = PAGE_H - 16.0 * MM;
        let footer_base = PAGE_H - 11.5 * MM;
        let reference = or_dash(&doc.reference);
        for page in 0..pages {
            b.items.push(Placed {
                page,
                mark: Mark::Artifact(ArtifactType::Footer),
                item: Item::Rule {
                    x1: MARGIN_X,
                    y1: footer_rule,
                    x2: PAGE_W - MARGIN_X,
                    y2: footer_rule,
                    width: 0.5,
                    color: RULE,
                },
            });
            let left = metrics.shape(
                &format!("attesta · Rif. / Ref. {reference}"),
                0.0,
                "reference",
            )?;
            let right = metrics.shape(
                &format!("Pagina {n} di {pages} / Page {n} of {pages}", n = page + 1),
                0.0,
                "page",
            )?;
            let right_x = PAGE_W - MARGIN_X - right.width(FOOTER.size);
            for (x, shaped) in [(MARGIN_X, left), (right_x, right)] {
                b.items.push(Placed {
                    page,
                    mark: Mark::Artifact(ArtifactType::Footer),
                    item: Item::Text {
                        x,
                        baseline: footer_base,
                        size: FOOTER.size,
                        style: TextStyle {
                            bold: false,
                            color: FOOTER.color,
                        },
                        shaped,
                    },
                });
            }
        }

        Ok(Layout {
            items: b.items,
            blocks: b.blocks,
            spec,
            headings: b.headings,
            pages,
        })
    }
}

/// The holder's secret below a dashed cut line, all on one page: at the
/// foot of the last page when it fits there (a strip the holder cuts off),
/// else at the top of a page of its own (one the holder keeps apart).
fn holder_secret_section(
    b: &mut Builder<'_>,
    secret: &str,
    spec: &mut Vec<Spec>,
) -> Result<(), PdfError> {
    let title = "Codice segreto del titolare / Holder’s secret code".to_owned();
    let cut = b.para(CUT_LINE, CAPTION, CONTENT_W, "text")?;
    let heading = b.para(&title, H2, CONTENT_W, "holder_secret")?;
    let value = b.para(secret, SECRET, CONTENT_W, "holder_secret")?;
    let it = b.para(SECRET_IT, CAPTION, CONTENT_W, "text")?;
    let en = b.para(SECRET_EN, CAPTION, CONTENT_W, "text")?;
    let (gap_cut, gap_head, gap_value, gap_text) = (1.5 * MM, 2.5 * MM, 1.5 * MM, 1.0 * MM);
    let height = gap_cut
        + cut.height()
        + gap_head
        + heading.height()
        + gap_value
        + value.height()
        + gap_value
        + it.height()
        + gap_text
        + en.height();
    b.space(6.0 * MM);
    let page = b.cursor.page;
    b.ensure(height);
    // At the foot of the page, so that the cut leaves the rest whole; on
    // a page of its own (the usual case: the code and the explanations
    // fill the first), at the top.
    if b.cursor.page == page {
        b.cursor.y = b.cursor.y.max(CONTENT_BOTTOM - height);
    }
    // The cut line: short dashes across the page, decoration only.
    let y = b.cursor.y;
    let dash = 3.0 * MM;
    let mut x = MARGIN_X;
    while x < PAGE_W - MARGIN_X {
        b.items.push(Placed {
            page: b.cursor.page,
            mark: Mark::Artifact(ArtifactType::Layout),
            item: Item::Rule {
                x1: x,
                y1: y,
                x2: (x + dash).min(PAGE_W - MARGIN_X),
                y2: y,
                width: 0.75,
                color: MUTED,
            },
        });
        x += 2.0 * dash;
    }
    b.space(gap_cut);
    let block = b.block(Tag::P);
    b.place(cut, MARGIN_X, CONTENT_W, false, block, None);
    spec.push(Spec::Block(block));
    b.space(gap_head);
    let h = b.block(Tag::Hn(
        NonZeroU16::new(2).unwrap_or(NonZeroU16::MIN),
        Some(title.clone()),
    ));
    b.headings.push(Heading {
        title,
        level: 2,
        page: b.cursor.page,
        y: b.cursor.y,
    });
    b.place(heading, MARGIN_X, CONTENT_W, false, h, None);
    spec.push(Spec::Block(h));
    b.space(gap_value);
    let block = b.block(Tag::P);
    b.place(value, MARGIN_X, CONTENT_W, true, block, None);
    spec.push(Spec::Block(block));
    b.space(gap_value);
    let block = b.block(Tag::P);
    b.place(it, MARGIN_X, CONTENT_W, false, block, None);
    spec.push(Spec::Block(block));
    b.space(gap_text);
    let block = b.block(Tag::P.with_lang(Some(LANG_EN.into())));
    b.place(en, MARGIN_X, CONTENT_W, false, block, Some(LANG_EN));
    spec.push(Spec::Block(block));
    Ok(())
}

const CUT_LINE: &str =
    "✂ Ritagliare lungo la linea e conservare a parte / Cut along the line and keep apart";
const SECRET_IT: &str = "Chi verifica l’attestazione chiede questo codice insieme al codice \
     fiscale. Senza di esso una foto del codice QR non rivela nulla, nemmeno a chi conosce il \
     vostro codice fiscale: non tenetelo insieme al codice QR.";
const SECRET_EN: &str = "Whoever checks the attestation asks for this code together with \
     your codice fiscale. Without it a photo of the QR code reveals nothing, not even to \
     someone who knows your codice fiscale: do not keep it with the QR code.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderer_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<PdfRenderer>();
    }

    fn sample() -> AttestationPdf {
        AttestationPdf::new(format!(
            "AT1:{}",
            "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3".repeat(7)
        ))
        .issuer("INPS — Istituto Nazionale della Previdenza Sociale")
        .issued_on("2026-11-23")
        .valid_until("2027-11-23")
        .reference("A1B2-C3D4")
    }

    /// The text drawn on the pages, one line per drawn line.
    fn drawn_text(doc: &AttestationPdf) -> String {
        let renderer = PdfRenderer::new().unwrap();
        let qr = encode_qr(&doc.qr_text, ErrorCorrection::Quartile).unwrap();
        let layout = Layout::build(&renderer.metrics, doc, qr).unwrap();
        let lines: Vec<&str> = layout
            .items
            .iter()
            .filter_map(|p| match &p.item {
                Item::Text { shaped, .. } => Some(shaped.text.as_str()),
                _ => None,
            })
            .collect();
        lines.join("\n")
    }

    #[test]
    fn default_sheet_shows_no_statuses() {
        let text = drawn_text(&sample()).replace('\n', " ");
        for expected in [
            "Attestazione di stato di disabilità",
            "Disability status attestation",
            "INPS — Istituto Nazionale della Previdenza Sociale",
            "2026-11-23",
            "2027-11-23",
            "A1B2-C3D4",
            "Show this code together with your codice fiscale. Without the codice fiscale the code does not reveal your statuses; but the codice fiscale follows from name, date and place of birth",
            "Scan the code with the verification app or with attesta; type or scan the codice fiscale from the holder’s health card; check an identity document.",
            "This sheet shows no health data in clear.",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in {text}");
        }
        assert!(!text.contains("Stati riportati"), "{text}");
        assert!(!text.contains("Statuses shown"), "{text}");
        // Plain words for the operator, no command names.
        assert!(!text.contains("attesta verify"), "{text}");
        assert!(text.contains("controlli un documento d’identità"), "{text}");

        let statuses = vec![
            "Indennità di accompagnamento".to_owned(),
            "Legge 104/1992".to_owned(),
        ];
        let with = drawn_text(&sample().details(Some(statuses.clone()))).replace('\n', " ");
        assert!(with.contains("Stati riportati in chiaro / Statuses shown in clear"));
        assert!(!with.contains("no health data"));
        for s in &statuses {
            assert!(with.contains(s.as_str()), "{with}");
            assert!(!text.contains(s.as_str()));
        }
    }

    #[test]
    fn title_operator_and_what_the_code_shows() {
        let text = drawn_text(
            &sample()
                .title(Some((
                    "Attestazione di sordità civile".into(),
                    "Attestation of civil deafness".into(),
                )))
                .shows(Some(Shows::StatusesOnly)),
        )
        .replace('\n', " ");
        assert!(text.contains("Attestazione di sordità civile"), "{text}");
        assert!(!text.contains("invalidità civile"), "{text}");
        assert!(text.contains("mostra solo gli stati"), "{text}");
        let second = drawn_text(
            &sample()
                .level(Level::Second)
                .operator(Some("Comune di Bologna (comune-bo)".into())),
        )
        .replace('\n', " ");
        assert!(second.contains("Comune di Bologna (comune-bo)"), "{second}");
        assert!(second.contains("For the accredited operator"), "{second}");
    }

    #[test]
    fn no_suspects_key() {
        let pdf = render(&sample()).unwrap();
        assert!(!pdf.windows(9).any(|w| w == b"/Suspects"));
        assert!(pdf.windows(12).any(|w| w == b"/Marked true"));
    }

    #[test]
    fn holder_secret_is_printed_below_a_cut_line_only_when_given() {
        let plain = drawn_text(&sample()).replace('\n', " ");
        assert!(!plain.contains("Codice segreto"), "{plain}");
        assert!(
            plain.contains("Do not share photos of the code."),
            "{plain}"
        );
        let doc = sample().holder_secret(Some("0410-6105-X".into()));
        let with = drawn_text(&doc).replace('\n', " ");
        for expected in [
            "✂ Ritagliare lungo la linea e conservare a parte / Cut along the line and keep apart",
            "Codice segreto del titolare / Holder’s secret code",
            "0410-6105-X",
            "the secret code printed apart",
        ] {
            assert!(with.contains(expected), "missing {expected:?} in {with}");
        }
        // The secret's part stays on one page: cut line, title, secret.
        let renderer = PdfRenderer::new().unwrap();
        let qr = encode_qr(&doc.qr_text, ErrorCorrection::Quartile).unwrap();
        let layout = Layout::build(&renderer.metrics, &doc, qr).unwrap();
        let pages: std::collections::BTreeSet<usize> = layout
            .items
            .iter()
            .filter(|p| match &p.item {
                Item::Text { shaped, .. } => {
                    shaped.text.contains("✂") || shaped.text.contains("0410-6105-X")
                }
                _ => false,
            })
            .map(|p| p.page)
            .collect();
        assert_eq!(pages.len(), 1, "{pages:?}");
        assert!(renderer.render(&doc).unwrap().starts_with(b"%PDF"));
        assert_eq!(
            format!("{:?}", doc.holder_secret),
            "Some(HolderSecretText(…))"
        );
    }

    #[test]
    fn qr_rectangles_cover_exactly_the_dark_modules() {
        let qr = encode_qr(&sample().qr_text, ErrorCorrection::Quartile).unwrap();
        let mut covered = vec![false; qr.dark.len()];
        for (x, y, w, h) in qr_rects(&qr.dark, qr.width) {
            for yy in y..y + h {
                for xx in x..x + w {
                    assert!(!covered[yy * qr.width + xx], "overlap at {xx},{yy}");
                    covered[yy * qr.width + xx] = true;
                }
            }
        }
        assert_eq!(covered, qr.dark);
    }

    #[test]
    fn module_size_gives_70_to_80_mm_for_version_11() {
        let side = 61.0 * MODULE_SIZE_MM;
        assert!((70.0..=80.0).contains(&side), "{side}");
    }
}
