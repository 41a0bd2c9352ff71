//! The layout engine: places the sheet's text, QR code and rules on A4
//! pages, and records the structure tree and outline that go with them.
//!
//! [`Layout::build`] runs the sheet from top to bottom with a [`Builder`]:
//! title, QR code with its caption, data table, explanations, statuses,
//! the holder's secret, footers. Nothing here writes PDF; `write.rs` turns
//! the placed items into krilla calls.

use std::num::NonZeroU16;

use krilla::color::rgb;
use krilla::geom::Rect;
use krilla::tagging::{ArtifactType, BBox, ListNumbering, TableHeaderScope, Tag, TagKind};

use crate::qr::QrMatrix;
use crate::text::{Metrics, Shaped};
use crate::wording::{
    CUT_LINE, LANG_EN, SECRET_EN, SECRET_IT, SECRET_TITLE, alt_text, data_rows, holder_text,
    normalize, operator_text, or_dash, titles,
};
use crate::{
    AttestationPdf, MAX_QR_SIDE_MM, MIN_QR_SIDE_MM, MODULE_SIZE_MM, PdfError, QUIET_ZONE_MODULES,
};

pub(crate) const MM: f32 = 72.0 / 25.4;
pub(crate) const PAGE_W: f32 = 210.0 * MM;
pub(crate) const PAGE_H: f32 = 297.0 * MM;
pub(crate) const MARGIN_X: f32 = 20.0 * MM;
const MARGIN_TOP: f32 = 18.0 * MM;
/// Lowest point of the flowing content.
const CONTENT_BOTTOM: f32 = PAGE_H - 24.0 * MM;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const COLUMN_GAP: f32 = 9.0 * MM;
const MIN_SIDE_COLUMN: f32 = 55.0 * MM;
/// Space below each row of the data table.
const ROW_GAP: f32 = 4.5 * MM;
/// Indent of a status's text after its bullet.
const LIST_INDENT: f32 = 6.0 * MM;

/// Stroke width, in em, that turns the regular face into a heading weight.
pub(crate) const BOLD_STROKE_EM: f32 = 0.045;
/// Extra letter spacing for stroked text, so letters do not touch.
const BOLD_TRACKING_EM: f32 = 0.03;

/// An sRGB colour (krilla's colour type has no `const` constructor).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rgb(u8, u8, u8);

impl Rgb {
    pub(crate) fn krilla(self) -> rgb::Color {
        rgb::Color::new(self.0, self.1, self.2)
    }
}

const NAVY: Rgb = Rgb(0x1F, 0x3A, 0x5F);
const INK: Rgb = Rgb(0x1A, 0x1A, 0x1A);
/// Secondary text; 8.9:1 contrast on white (WCAG AAA).
const MUTED: Rgb = Rgb(0x4A, 0x4A, 0x4A);
const RULE: Rgb = Rgb(0xA8, 0xB3, 0xC2);
pub(crate) const BLACK: Rgb = Rgb(0, 0, 0);

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
pub(crate) struct TextStyle {
    pub(crate) bold: bool,
    pub(crate) color: Rgb,
}

/// One thing drawn on a page, in PDF points from the top left.
pub(crate) enum Item {
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
pub(crate) enum Mark {
    /// Real content belonging to structure block `block`.
    Content {
        block: usize,
        lang: Option<&'static str>,
    },
    /// Decoration or pagination, not read aloud.
    Artifact(ArtifactType),
}

pub(crate) struct Placed {
    pub(crate) page: usize,
    pub(crate) mark: Mark,
    pub(crate) item: Item,
}

/// Structure tree to build once the content identifiers are known.
pub(crate) enum Spec {
    /// A structure element whose content is the block's marked content.
    Block(usize),
    /// A grouping element.
    Group(TagKind, Vec<Spec>),
}

/// An outline entry.
pub(crate) struct Heading {
    pub(crate) title: String,
    pub(crate) level: u8,
    pub(crate) page: usize,
    pub(crate) y: f32,
}

/// The laid-out sheet: what to draw where, and the structure over it.
pub(crate) struct Layout {
    pub(crate) items: Vec<Placed>,
    /// The structure element of each block, by block index.
    pub(crate) blocks: Vec<TagKind>,
    pub(crate) spec: Vec<Spec>,
    pub(crate) headings: Vec<Heading>,
    pub(crate) pages: usize,
}

/// Where the next flowing line goes.
#[derive(Clone, Copy)]
struct Cursor {
    page: usize,
    y: f32,
}

/// Where the QR code went: the data table is placed against it.
struct QrPlacement {
    x: f32,
    y: f32,
    side: f32,
    quiet: f32,
    /// The cursor below the code's caption.
    below: Cursor,
}

struct Builder<'a> {
    metrics: &'a Metrics,
    items: Vec<Placed>,
    blocks: Vec<TagKind>,
    spec: Vec<Spec>,
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

impl Layout {
    pub(crate) fn build(
        metrics: &Metrics,
        doc: &AttestationPdf,
        qr: QrMatrix,
    ) -> Result<Self, PdfError> {
        let mut b = Builder::new(metrics);
        b.title(doc)?;
        let code = b.qr_code(doc, qr)?;
        b.data_table(doc, &code)?;
        b.space(8.0 * MM);
        b.explanations(doc)?;
        if let Some(details) = &doc.details {
            b.statuses(details)?;
        }
        if let Some(secret) = &doc.holder_secret {
            b.holder_secret_section(&secret.0)?;
        }
        let pages = b.cursor.page + 1;
        b.footers(doc, pages)?;
        Ok(Layout {
            items: b.items,
            blocks: b.blocks,
            spec: b.spec,
            headings: b.headings,
            pages,
        })
    }
}

/// The primitives: wrap, flow over pages, mark structure.
impl<'a> Builder<'a> {
    fn new(metrics: &'a Metrics) -> Self {
        Builder {
            metrics,
            items: Vec::new(),
            blocks: Vec::new(),
            spec: Vec::new(),
            headings: Vec::new(),
            cursor: Cursor {
                page: 0,
                y: MARGIN_TOP,
            },
        }
    }

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

    /// A block of kind `kind` holding `para` across the text column.
    fn paragraph(
        &mut self,
        para: Para,
        kind: impl Into<TagKind>,
        centred: bool,
        lang: Option<&'static str>,
    ) {
        let block = self.block(kind);
        self.place(para, MARGIN_X, CONTENT_W, centred, block, lang);
        self.spec.push(Spec::Block(block));
    }

    /// A horizontal rule, drawn as decoration.
    fn rule(
        &mut self,
        page: usize,
        kind: ArtifactType,
        (x1, x2, y): (f32, f32, f32),
        width: f32,
        color: Rgb,
    ) {
        self.items.push(Placed {
            page,
            mark: Mark::Artifact(kind),
            item: Item::Rule {
                x1,
                y1: y,
                x2,
                y2: y,
                width,
                color,
            },
        });
    }

    /// A heading placed at the cursor, with its outline entry.
    fn place_heading(&mut self, level: u8, title: String, para: Para) {
        let level16 = NonZeroU16::new(u16::from(level)).unwrap_or(NonZeroU16::MIN);
        let block = self.block(Tag::Hn(level16, Some(title.clone())));
        self.headings.push(Heading {
            title,
            level,
            page: self.cursor.page,
            y: self.cursor.y,
        });
        self.place(para, MARGIN_X, CONTENT_W, false, block, None);
        self.spec.push(Spec::Block(block));
    }

    fn heading(&mut self, level: u8, it: &str, en: &str) -> Result<(), PdfError> {
        let title = format!("{it} / {en}");
        let para = self.para(&title, H2, CONTENT_W, "heading")?;
        // Keep the heading with the first line that follows it.
        self.ensure(para.height() + BODY.line_height() * 2.0);
        self.place_heading(level, title, para);
        self.space(1.5 * MM);
        Ok(())
    }

    /// An Italian paragraph followed by its English version.
    fn bilingual(&mut self, it: &str, en: &str) -> Result<(), PdfError> {
        let p = self.para(it, BODY, CONTENT_W, "text")?;
        self.paragraph(p, Tag::P, false, None);
        self.space(1.2 * MM);
        let p = self.para(en, BODY_EN, CONTENT_W, "text")?;
        self.paragraph(p, Tag::P.with_lang(Some(LANG_EN.into())), false, None);
        Ok(())
    }
}

/// The sections of the sheet, top to bottom.
impl Builder<'_> {
    /// Title: one H1, Italian line then English line, and a rule below.
    fn title(&mut self, doc: &AttestationPdf) -> Result<(), PdfError> {
        let (title_it, title_en) = titles(doc);
        let h1_title = format!("{title_it} / {title_en}");
        let h1 = self.block(Tag::Hn(NonZeroU16::MIN, Some(h1_title.clone())));
        self.headings.push(Heading {
            title: h1_title,
            level: 1,
            page: 0,
            y: MARGIN_TOP,
        });
        let p = self.para(&title_it, TITLE, CONTENT_W, "title")?;
        self.place(p, MARGIN_X, CONTENT_W, false, h1, None);
        self.space(0.5 * MM);
        let p = self.para(&title_en, SUBTITLE, CONTENT_W, "title")?;
        self.place(p, MARGIN_X, CONTENT_W, false, h1, Some(LANG_EN));
        self.spec.push(Spec::Block(h1));
        self.space(3.0 * MM);
        let y = self.cursor.y;
        let span = (MARGIN_X, PAGE_W - MARGIN_X, y);
        self.rule(0, ArtifactType::Layout, span, 1.5, NAVY);
        self.space(8.0 * MM);
        Ok(())
    }

    /// The QR code with its quiet zone, a frame and the reference below.
    fn qr_code(&mut self, doc: &AttestationPdf, qr: QrMatrix) -> Result<QrPlacement, PdfError> {
        let total_modules = qr.width + 2 * QUIET_ZONE_MODULES;
        let module = module_size(total_modules);
        let side = module * total_modules as f32;
        let (x, y) = (MARGIN_X, self.cursor.y);
        let rect = Rect::from_xywh(x, y, side, side).ok_or(PdfError::Writer("QR frame".into()))?;
        self.items.push(Placed {
            page: 0,
            mark: Mark::Artifact(ArtifactType::Layout),
            item: Item::Frame {
                rect,
                width: 0.75,
                color: RULE,
            },
        });
        let figure =
            self.block(Tag::Figure(Some(alt_text(doc))).with_bbox(Some(BBox::new(0, rect))));
        let quiet = QUIET_ZONE_MODULES as f32 * module;
        self.items.push(Placed {
            page: 0,
            mark: Mark::Content {
                block: figure,
                lang: None,
            },
            item: Item::Qr {
                x: x + quiet,
                y: y + quiet,
                module,
                width: qr.width,
                dark: qr.dark,
            },
        });
        self.spec.push(Spec::Block(figure));
        self.cursor.y = y + side + 2.5 * MM;
        let caption = self.block(Tag::Caption);
        let caption_text = format!("Rif. / Ref. {}", or_dash(&doc.reference));
        let p = self.para(&caption_text, CAPTION, side, "reference")?;
        self.place(p, x, side, true, caption, None);
        self.spec.push(Spec::Block(caption));
        let below = self.cursor;
        Ok(QrPlacement {
            x,
            y,
            side,
            quiet,
            below,
        })
    }

    /// The data, as a two-column table (label, value), beside the code
    /// when it fits there, otherwise below it.
    fn data_table(&mut self, doc: &AttestationPdf, code: &QrPlacement) -> Result<(), PdfError> {
        let rows = data_rows(doc);
        let side_x = code.x + code.side + COLUMN_GAP;
        let side_w = PAGE_W - MARGIN_X - side_x;
        let mut side_by_side = side_w >= MIN_SIDE_COLUMN;
        let col_w = if side_by_side { side_w } else { CONTENT_W };
        let mut cells = self.table_cells(&rows, col_w)?;
        let table_h: f32 = cells
            .iter()
            .map(|(l, v)| l.height() + v.height() + 0.8 * MM + ROW_GAP)
            .sum();
        if side_by_side && code.y + code.quiet + table_h > CONTENT_BOTTOM {
            side_by_side = false;
            cells = self.table_cells(&rows, CONTENT_W)?;
        }
        let (table_x, table_w) = if side_by_side {
            self.cursor = Cursor {
                page: 0,
                y: code.y + code.quiet * 0.5,
            };
            (side_x, side_w)
        } else {
            self.space(6.0 * MM);
            (MARGIN_X, CONTENT_W)
        };
        let table_rows = self.place_table(cells, table_x, table_w);
        self.spec.push(Spec::Group(Tag::Table.into(), table_rows));
        let below = code.below;
        if side_by_side && self.cursor.page == below.page && self.cursor.y < below.y {
            self.cursor = below;
        }
        Ok(())
    }

    fn table_cells(
        &self,
        rows: &[(&str, String, &'static str)],
        width: f32,
    ) -> Result<Vec<(Para, Para)>, PdfError> {
        rows.iter()
            .map(|(label, value, field)| {
                Ok((
                    self.para(label, LABEL, width, field)?,
                    self.para(value, VALUE, width, field)?,
                ))
            })
            .collect()
    }

    /// Place the table's rows (header cell above data cell); returns the
    /// rows' structure.
    fn place_table(&mut self, cells: Vec<(Para, Para)>, x: f32, width: f32) -> Vec<Spec> {
        let mut rows = Vec::with_capacity(cells.len());
        for (label, value) in cells {
            self.ensure(label.height() + value.height());
            let th = self.block(Tag::TH(TableHeaderScope::Row));
            self.place(label, x, width, false, th, None);
            self.space(0.8 * MM);
            let td = self.block(Tag::TD);
            self.place(value, x, width, false, td, None);
            self.space(ROW_GAP);
            rows.push(Spec::Group(
                Tag::TR.into(),
                vec![Spec::Block(th), Spec::Block(td)],
            ));
        }
        rows
    }

    /// What the holder and the operator do with the sheet.
    fn explanations(&mut self, doc: &AttestationPdf) -> Result<(), PdfError> {
        self.heading(2, "Per il titolare", "For the holder")?;
        let (holder_it, holder_en) = holder_text(doc);
        self.bilingual(&holder_it, &holder_en)?;
        self.space(6.0 * MM);
        self.heading(2, "Per l’operatore", "For the operator")?;
        let (operator_it, operator_en) = operator_text(doc);
        self.bilingual(operator_it, operator_en)
    }

    /// Statuses in clear, only when the holder asked for them: a bulleted
    /// list, or "none" when all are blank.
    fn statuses(&mut self, details: &[String]) -> Result<(), PdfError> {
        self.space(6.0 * MM);
        self.heading(2, "Stati riportati in chiaro", "Statuses shown in clear")?;
        if details.iter().all(|d| normalize(d).is_empty()) {
            let p = self.para("Nessuno / None", BODY, CONTENT_W, "details")?;
            self.paragraph(p, Tag::P, false, None);
            return Ok(());
        }
        let mut items = Vec::new();
        for d in details {
            let text = normalize(d);
            if !text.is_empty() {
                items.push(self.list_item(&text)?);
            }
        }
        self.spec
            .push(Spec::Group(Tag::L(ListNumbering::Disc).into(), items));
        Ok(())
    }

    /// One status: a bullet, and the text beside it kept on one page.
    fn list_item(&mut self, text: &str) -> Result<Spec, PdfError> {
        let body = self.para(text, BODY, CONTENT_W - LIST_INDENT, "details")?;
        let bullet = self.para("•", BODY, LIST_INDENT, "details")?;
        if body.height() <= CONTENT_BOTTOM - MARGIN_TOP {
            self.ensure(body.height());
        }
        let lbl = self.block(Tag::Lbl);
        let start = self.cursor;
        self.place(bullet, MARGIN_X + 1.0 * MM, LIST_INDENT, false, lbl, None);
        self.cursor = start;
        let lbody = self.block(Tag::LBody);
        let (x, width) = (MARGIN_X + LIST_INDENT, CONTENT_W - LIST_INDENT);
        self.place(body, x, width, false, lbody, None);
        self.space(1.2 * MM);
        Ok(Spec::Group(
            Tag::LI.into(),
            vec![Spec::Block(lbl), Spec::Block(lbody)],
        ))
    }

    /// The holder's secret below a dashed cut line, all on one page: at the
    /// foot of the last page when it fits there (a strip the holder cuts
    /// off), else at the top of a page of its own (one the holder keeps
    /// apart).
    fn holder_secret_section(&mut self, secret: &str) -> Result<(), PdfError> {
        let cut = self.para(CUT_LINE, CAPTION, CONTENT_W, "text")?;
        let heading = self.para(SECRET_TITLE, H2, CONTENT_W, "holder_secret")?;
        let value = self.para(secret, SECRET, CONTENT_W, "holder_secret")?;
        let it = self.para(SECRET_IT, CAPTION, CONTENT_W, "text")?;
        let en = self.para(SECRET_EN, CAPTION, CONTENT_W, "text")?;
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
        self.space(6.0 * MM);
        let page = self.cursor.page;
        self.ensure(height);
        // At the foot of the page, so that the cut leaves the rest whole; on
        // a page of its own (the usual case: the code and the explanations
        // fill the first), at the top.
        if self.cursor.page == page {
            self.cursor.y = self.cursor.y.max(CONTENT_BOTTOM - height);
        }
        self.cut_line();
        self.space(gap_cut);
        self.paragraph(cut, Tag::P, false, None);
        self.space(gap_head);
        self.place_heading(2, SECRET_TITLE.to_owned(), heading);
        self.space(gap_value);
        self.paragraph(value, Tag::P, true, None);
        self.space(gap_value);
        self.paragraph(it, Tag::P, false, None);
        self.space(gap_text);
        let english = Tag::P.with_lang(Some(LANG_EN.into()));
        self.paragraph(en, english, false, Some(LANG_EN));
        Ok(())
    }

    /// The cut line at the cursor: short dashes across the page,
    /// decoration only.
    fn cut_line(&mut self) {
        let y = self.cursor.y;
        let dash = 3.0 * MM;
        let mut x = MARGIN_X;
        while x < PAGE_W - MARGIN_X {
            let span = (x, (x + dash).min(PAGE_W - MARGIN_X), y);
            self.rule(self.cursor.page, ArtifactType::Layout, span, 0.75, MUTED);
            x += 2.0 * dash;
        }
    }

    /// Footer on every page: artifacts, not read aloud.
    fn footers(&mut self, doc: &AttestationPdf, pages: usize) -> Result<(), PdfError> {
        let reference = or_dash(&doc.reference);
        for page in 0..pages {
            self.footer(page, pages, &reference)?;
        }
        Ok(())
    }

    fn footer(&mut self, page: usize, pages: usize, reference: &str) -> Result<(), PdfError> {
        let rule_y = PAGE_H - 16.0 * MM;
        let baseline = PAGE_H - 11.5 * MM;
        let span = (MARGIN_X, PAGE_W - MARGIN_X, rule_y);
        self.rule(page, ArtifactType::Footer, span, 0.5, RULE);
        let left = self.metrics.shape(
            &format!("attesta · Rif. / Ref. {reference}"),
            0.0,
            "reference",
        )?;
        let right = self.metrics.shape(
            &format!("Pagina {n} di {pages} / Page {n} of {pages}", n = page + 1),
            0.0,
            "page",
        )?;
        let right_x = PAGE_W - MARGIN_X - right.width(FOOTER.size);
        for (x, shaped) in [(MARGIN_X, left), (right_x, right)] {
            self.items.push(Placed {
                page,
                mark: Mark::Artifact(ArtifactType::Footer),
                item: Item::Text {
                    x,
                    baseline,
                    size: FOOTER.size,
                    style: TextStyle {
                        bold: false,
                        color: FOOTER.color,
                    },
                    shaped,
                },
            });
        }
        Ok(())
    }
}

/// The printed size of one module: [`MODULE_SIZE_MM`], unless the whole
/// symbol with its quiet zone would fall outside [`MIN_QR_SIDE_MM`] to
/// [`MAX_QR_SIDE_MM`].
fn module_size(total_modules: usize) -> f32 {
    (MODULE_SIZE_MM * total_modules as f32).clamp(MIN_QR_SIDE_MM, MAX_QR_SIDE_MM) * MM
        / total_modules as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::encode_qr;
    use crate::{ErrorCorrection, Level, PdfRenderer, Shows};

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
}
