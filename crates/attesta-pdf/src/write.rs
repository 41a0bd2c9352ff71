//! Turns a [`Layout`] into PDF bytes with krilla: the pages with their
//! marked content, the structure tree, the outline and the metadata.

use krilla::configure::{Accessibility, ConfigurationBuilder, Validator};
use krilla::destination::XyzDestination;
use krilla::geom::{Path, PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ContentTag, Identifier, Node, SpanTag, TagGroup, TagKind, TagTree,
};
use krilla::text::Font;
use krilla::{Document, SerializeSettings};

use crate::layout::{
    BLACK, BOLD_STROKE_EM, Heading, Item, Layout, MARGIN_X, Mark, PAGE_H, PAGE_W, Placed, Rgb,
    Spec, TextStyle,
};
use crate::qr::qr_rects;
use crate::text::Shaped;
use crate::wording::{LANG_IT, document_title, normalize};
use crate::{AttestationPdf, PdfError};

/// Write `layout` as a tagged PDF/UA-1 document, drawing text in `font`.
pub(crate) fn write(
    font: &Font,
    doc: &AttestationPdf,
    layout: Layout,
) -> Result<Vec<u8>, PdfError> {
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
        items,
        blocks,
        spec,
        headings,
        pages,
    } = layout;
    let ids = write_pages(&mut document, font, items, blocks.len(), pages)?;
    document.set_tag_tree(tag_tree(blocks, spec, &ids));
    document.set_outline(outline(headings));
    document.set_metadata(metadata(doc));
    let mut pdf = document
        .finish()
        .map_err(|e| PdfError::Writer(format!("{e:?}")))?;
    drop_suspects(&mut pdf);
    Ok(pdf)
}

/// Draw the items page by page; returns the marked-content identifiers of
/// each block, by block index.
fn write_pages(
    document: &mut Document,
    font: &Font,
    mut items: Vec<Placed>,
    blocks: usize,
    pages: usize,
) -> Result<Vec<Vec<Identifier>>, PdfError> {
    items.sort_by_key(|p| p.page);
    let mut ids: Vec<Vec<Identifier>> = vec![Vec::new(); blocks];
    let mut rest = items.as_slice();
    for page_index in 0..pages {
        let split = rest.iter().take_while(|p| p.page == page_index).count();
        let (on_page, after) = rest.split_at(split);
        rest = after;
        let page_settings =
            PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::Writer("page size".into()))?;
        let mut page = document.start_page_with(page_settings);
        let mut surface = page.surface();
        for placed in on_page {
            draw_marked(&mut surface, font, placed, &mut ids);
        }
        surface.finish();
        page.finish();
    }
    Ok(ids)
}

/// Draw one item inside its marked content: a span or figure content of
/// its block (its identifier recorded in `ids`), or an artifact.
fn draw_marked(
    surface: &mut Surface<'_>,
    font: &Font,
    placed: &Placed,
    ids: &mut [Vec<Identifier>],
) {
    match placed.mark {
        Mark::Content { block, lang } => {
            let tag = match placed.item {
                Item::Text { .. } => ContentTag::Span(SpanTag::empty().with_lang(lang)),
                _ => ContentTag::Other,
            };
            let id = surface.start_tagged(tag);
            draw(surface, font, &placed.item);
            surface.end_tagged();
            if let Some(slot) = ids.get_mut(block) {
                slot.push(id);
            }
        }
        Mark::Artifact(kind) => {
            surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
            draw(surface, font, &placed.item);
            surface.end_tagged();
        }
    }
}

fn draw(surface: &mut Surface<'_>, font: &Font, item: &Item) {
    match item {
        Item::Text {
            x,
            baseline,
            size,
            style,
            shaped,
        } => draw_text(
            surface,
            font,
            Point::from_xy(*x, *baseline),
            *size,
            *style,
            shaped,
        ),
        Item::Qr {
            x,
            y,
            module,
            width,
            dark,
        } => draw_qr(surface, (*x, *y), *module, *width, dark),
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
            stroke(surface, pb.finish(), *width, *color);
        }
        Item::Frame { rect, width, color } => {
            let mut pb = PathBuilder::new();
            pb.push_rect(*rect);
            stroke(surface, pb.finish(), *width, *color);
        }
    }
}

/// Text in the regular face; bold text is also stroked in its colour.
fn draw_text(
    surface: &mut Surface<'_>,
    font: &Font,
    at: Point,
    size: f32,
    style: TextStyle,
    shaped: &Shaped,
) {
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
    surface.draw_glyphs(at, &shaped.glyphs, font.clone(), &shaped.text, size, false);
    surface.set_stroke(None);
}

/// The dark modules as one filled path, its top-left module at `(x, y)`.
fn draw_qr(
    surface: &mut Surface<'_>,
    (x, y): (f32, f32),
    module: f32,
    width: usize,
    dark: &[bool],
) {
    // Drawn in module units (one unit = one module) so that the content
    // stream holds small integers: shorter to write and to compress.
    let mut pb = PathBuilder::new();
    for (col, row, w, h) in qr_rects(dark, width) {
        if let Some(rect) = Rect::from_xywh(col as f32, row as f32, w as f32, h as f32) {
            pb.push_rect(rect);
        }
    }
    if let Some(path) = pb.finish() {
        surface.push_transform(&Transform::from_row(module, 0.0, 0.0, module, x, y));
        surface.set_stroke(None);
        surface.set_fill(Some(fill(BLACK)));
        surface.draw_path(&path);
        surface.pop();
    }
}

/// Stroke `path` (a rule or a frame), unfilled.
fn stroke(surface: &mut Surface<'_>, path: Option<Path>, width: f32, color: Rgb) {
    if let Some(path) = path {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: color.krilla().into(),
            width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: color.krilla().into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

/// The structure tree in `spec`, its leaves the marked content of each
/// block; blocks that drew nothing are left out.
fn tag_tree(blocks: Vec<TagKind>, spec: Vec<Spec>, ids: &[Vec<Identifier>]) -> TagTree {
    let mut blocks: Vec<Option<TagKind>> = blocks.into_iter().map(Some).collect();
    let mut tree = TagTree::new().with_lang(Some(LANG_IT.into()));
    for s in spec {
        if let Some(node) = build_node(s, &mut blocks, ids) {
            tree.push(node);
        }
    }
    tree
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

/// The outline: each level-1 heading, open, with the headings after it
/// as children.
fn outline(headings: Vec<Heading>) -> Outline {
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
    outline
}

fn metadata(doc: &AttestationPdf) -> Metadata {
    let metadata = Metadata::new()
        .title(document_title(doc))
        .language(LANG_IT.into())
        .creator(concat!("attesta-pdf ", env!("CARGO_PKG_VERSION")).into());
    let issuer = normalize(&doc.issuer);
    if issuer.is_empty() {
        metadata
    } else {
        metadata.authors(vec![issuer])
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
