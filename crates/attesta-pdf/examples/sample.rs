//! Write sample PDFs to the paths given on the command line:
//! `cargo run -p attesta-pdf --example sample -- out.pdf [details.pdf] [second.pdf]`.

use attesta_pdf::{AttestationPdf, Level, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let qr = sample_qr_text();
    let doc = AttestationPdf::new(qr)
        .issuer("INPS — Istituto Nazionale della Previdenza Sociale")
        .issued_on("2026-11-23")
        .valid_until("2027-11-23")
        .reference("A1B2-C3D4");
    if let Some(path) = args.next() {
        std::fs::write(&path, render(&doc)?)?;
    }
    if let Some(path) = args.next() {
        let with_details = doc.clone().details(Some(vec![
            "Invalido civile con riduzione della capacità lavorativa del 100% / Civil invalid, 100% reduced working capacity".into(),
            "Indennità di accompagnamento / Attendance allowance".into(),
            "Legge 104/1992, art. 3 comma 3 (situazione di gravità) / Law 104/1992, art. 3(3) (severe disability)".into(),
        ]));
        std::fs::write(&path, render(&with_details)?)?;
    }
    if let Some(path) = args.next() {
        std::fs::write(&path, render(&doc.clone().level(Level::Second))?)?;
    }
    Ok(())
}

/// A realistic-length code: "AT1:" and 250 characters of the base45 alphabet.
fn sample_qr_text() -> String {
    const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut s = String::from("AT1:");
    let mut x: u32 = 0x1234_5678;
    for _ in 0..250 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        s.push(char::from(B45[(x % 45) as usize]));
    }
    s
}
