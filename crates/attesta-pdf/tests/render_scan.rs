//! Print-and-scan check: rasterise the PDF at 150 dpi with `pdftoppm`
//! (poppler-utils) and read the code back with `zbarimg` (zbar-tools).
//!
//! Skipped, with a notice, when those tools are not installed
//! (`apt-get install poppler-utils zbar-tools`).

use std::path::{Path, PathBuf};
use std::process::Command;

use attesta_pdf::{AttestationPdf, Level, render};

fn tool_available(name: &str) -> bool {
    Command::new(name)
        .arg("-v")
        .output()
        .map(|o| o.status.success() || !o.stderr.is_empty() || !o.stdout.is_empty())
        .unwrap_or(false)
}

/// A fresh directory under the system temporary directory.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "attesta-pdf-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// "AT1:" and 250 characters of the base45 alphabet.
fn qr_text(seed: u32) -> String {
    const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut s = String::from("AT1:");
    let mut x = seed | 1;
    for _ in 0..250 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        s.push(char::from(B45[(x % 45) as usize]));
    }
    s
}

/// Render `doc`, rasterise page 1 at 150 dpi and return what zbarimg reads.
fn print_and_scan(doc: &AttestationPdf, dir: &Path) -> String {
    let pdf_path = dir.join("out.pdf");
    std::fs::write(&pdf_path, render(doc).unwrap()).unwrap();
    let prefix = dir.join("page");
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-f", "1", "-l", "1"])
        .arg(&pdf_path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success(), "pdftoppm failed");
    let png = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .expect("pdftoppm wrote no PNG");
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(&png)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zbarimg found no code: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}

#[test]
fn printed_code_scans_back_exactly() {
    if !tool_available("pdftoppm") || !tool_available("zbarimg") {
        eprintln!(
            "render_scan: skipped, pdftoppm and zbarimg are not installed \
             (apt-get install poppler-utils zbar-tools)"
        );
        return;
    }
    let cases = [
        AttestationPdf::new(qr_text(1))
            .issuer("INPS — Istituto Nazionale della Previdenza Sociale")
            .issued_on("2026-11-23")
            .valid_until("2027-11-23")
            .reference("A1B2-C3D4"),
        AttestationPdf::new(qr_text(2))
            .reference("E5F6-G7H8")
            .level(Level::Second)
            .details(Some(vec!["Indennità di accompagnamento".into()])),
    ];
    for (i, doc) in cases.iter().enumerate() {
        let dir = scratch_dir(&format!("scan{i}"));
        let scanned = print_and_scan(doc, &dir);
        assert_eq!(scanned, doc.qr_text, "case {i}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn extracted_text_has_no_statuses_by_default() {
    if !tool_available("pdftotext") {
        eprintln!(
            "render_scan: skipped, pdftotext is not installed (apt-get install poppler-utils)"
        );
        return;
    }
    let dir = scratch_dir("text");
    let doc = AttestationPdf::new(qr_text(3)).reference("A1B2-C3D4");
    let pdf_path = dir.join("out.pdf");
    std::fs::write(&pdf_path, render(&doc).unwrap()).unwrap();
    let out = Command::new("pdftotext")
        .arg(&pdf_path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // Real, extractable text (not outlines), and no statuses.
    assert!(
        text.contains("Attestazione di stato di disabilità"),
        "{text}"
    );
    assert!(text.contains("A1B2-C3D4"), "{text}");
    assert!(!text.contains("Stati riportati"), "{text}");

    let with = doc.details(Some(vec!["Indennità di accompagnamento".into()]));
    std::fs::write(&pdf_path, render(&with).unwrap()).unwrap();
    let out = Command::new("pdftotext")
        .arg(&pdf_path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Indennità di accompagnamento"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
