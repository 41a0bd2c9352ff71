//! Write stress-case PDFs (largest code, many statuses) for visual checks:
//! `cargo run -p attesta-pdf --example stress -- big.pdf many.pdf`.

use attesta_pdf::{AttestationPdf, ErrorCorrection, PdfRenderer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let renderer = PdfRenderer::new()?.with_error_correction(ErrorCorrection::Low);
    let base = AttestationPdf::new(format!("AT1:{}", "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3".repeat(120)))
        .issuer("Istituto Nazionale della Previdenza Sociale — Direzione Centrale Prestazioni di Invalidità Civile e Accertamenti Sanitari, Sede territoriale di Roma Eur")
        .issued_on("23 novembre 2026")
        .valid_until("23 novembre 2027")
        .reference("A1B2-C3D4-E5F6-G7H8");
    if let Some(path) = args.next() {
        std::fs::write(path, renderer.render(&base)?)?;
    }
    if let Some(path) = args.next() {
        let details = (1..=40)
            .map(|i| format!("Stato numero {i}: invalidità civile con riduzione permanente della capacità lavorativa, riconosciuta con verbale della commissione medica / Status {i}"))
            .collect();
        let doc = AttestationPdf {
            qr_text: "AT1:SHORT".into(),
            ..base.details(Some(details))
        };
        std::fs::write(path, PdfRenderer::new()?.render(&doc)?)?;
    }
    Ok(())
}
