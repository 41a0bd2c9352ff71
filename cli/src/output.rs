//! Writing an issued code as PDF, PNG, SVG or text.

use anyhow::{Context, Result};
use attesta_pdf::{AttestationPdf, ErrorCorrection, Level, PdfRenderer, Shows};
use attesta_qr::render::{EcLevel, QrOptions, QrSymbol};

use crate::cli::OutFormat;

/// What a printed document shows besides the code.
#[derive(Clone, Debug, Default)]
pub struct DocMeta {
    pub issuer: String,
    pub issued_on: String,
    pub valid_until: String,
    pub reference: String,
    pub details: Option<Vec<String>>,
    pub second_level: bool,
    /// Italian and English title; `None` for the level's default.
    pub title: Option<(String, String)>,
    /// The operator a second-level token is for.
    pub operator: Option<String>,
    /// First level: whether the code shows statuses only (`--mostra stati`).
    pub shows: Option<Shows>,
    /// The holder's secret, printed on the PDF apart from the code.
    pub holder_secret: Option<zeroize::Zeroizing<String>>,
}

impl DocMeta {
    /// Whether the rendered output carries something private: statuses in
    /// clear or the holder's secret, which only PDFs print. It is then
    /// written 0600.
    pub fn is_private(&self, format: OutFormat) -> bool {
        format == OutFormat::Pdf && (self.details.is_some() || self.holder_secret.is_some())
    }
}

/// Where the holder's secret of the output `out` goes: `OUT.segreto`
/// beside it (a contract: issuers' mailing scripts look for it).
pub fn secret_path(out: &std::path::Path) -> std::path::PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".segreto");
    std::path::PathBuf::from(s)
}

/// The content of an `OUT.segreto` file: the secret as printed, one line.
pub fn secret_file(secret: &attesta_core::secret::HolderSecret) -> zeroize::Zeroizing<Vec<u8>> {
    let mut b = zeroize::Zeroizing::new(secret.to_text().as_bytes().to_vec());
    b.push(b'\n');
    b
}

/// Picks the format from an output path's extension.
pub fn format_of(path: &str) -> Result<OutFormat> {
    let ext = std::path::Path::new(path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    Ok(match ext.as_str() {
        "pdf" => OutFormat::Pdf,
        "png" => OutFormat::Png,
        "svg" => OutFormat::Svg,
        "txt" => OutFormat::Txt,
        _ => anyhow::bail!(
            "cannot tell the output format of '{path}'; end the name with .pdf, .png, .svg or .txt, or use - for the text on stdout"
        ),
    })
}

/// Renders outputs; holds the parsed PDF font so batches do not reload it.
pub struct Renderer {
    pdf: Option<PdfRenderer>,
}

impl Renderer {
    pub fn new(format: OutFormat) -> Result<Self> {
        Ok(Renderer {
            pdf: match format {
                OutFormat::Pdf => {
                    Some(PdfRenderer::new().context("cannot prepare the PDF renderer")?)
                }
                _ => None,
            },
        })
    }

    pub fn render(&self, format: OutFormat, text: &str, meta: &DocMeta) -> Result<Vec<u8>> {
        // First-level codes at Q survive creased paper; second-level tokens
        // are longer and shown briefly, so M keeps them a size that scans.
        let ec = if meta.second_level {
            EcLevel::M
        } else {
            EcLevel::Q
        };
        Ok(match format {
            OutFormat::Txt => format!("{text}\n").into_bytes(),
            OutFormat::Png => QrSymbol::encode(text, ec)?.to_png(&QrOptions::default())?,
            OutFormat::Svg => QrSymbol::encode(text, ec)?
                .to_svg(&QrOptions::default())
                .into_bytes(),
            OutFormat::Pdf => {
                let doc = AttestationPdf::new(text)
                    .issuer(meta.issuer.clone())
                    .issued_on(meta.issued_on.clone())
                    .valid_until(meta.valid_until.clone())
                    .reference(meta.reference.clone())
                    .details(meta.details.clone())
                    .title(meta.title.clone())
                    .operator(meta.operator.clone())
                    .shows(meta.shows)
                    .holder_secret(meta.holder_secret.as_ref().map(|s| s.as_str().to_owned()))
                    .level(if meta.second_level {
                        Level::Second
                    } else {
                        Level::First
                    });
                match (&self.pdf, meta.second_level) {
                    (Some(r), false) => r.render(&doc)?,
                    (_, true) => PdfRenderer::new()?
                        .with_error_correction(ErrorCorrection::Medium)
                        .render(&doc)?,
                    (None, false) => PdfRenderer::new()?.render(&doc)?,
                }
            }
        })
    }
}
