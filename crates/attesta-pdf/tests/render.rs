//! Structure checks on the produced PDF bytes.

use std::io::Read;

use attesta_pdf::{AttestationPdf, ErrorCorrection, Level, PdfError, PdfRenderer, render};

/// "AT1:" and 250 characters of the base45 alphabet, like a real credential.
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

fn sample() -> AttestationPdf {
    AttestationPdf::new(qr_text(7))
        .issuer("INPS — Istituto Nazionale della Previdenza Sociale")
        .issued_on("2026-11-23")
        .valid_until("2027-11-23")
        .reference("A1B2-C3D4")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every PDF text string (literal or UTF-16 hex) that follows `key`.
fn text_strings(pdf: &[u8], key: &str) -> Vec<String> {
    let key = key.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + key.len() < pdf.len() {
        if &pdf[i..i + key.len()] != key {
            i += 1;
            continue;
        }
        let mut j = i + key.len();
        while pdf.get(j) == Some(&b' ') {
            j += 1;
        }
        match pdf.get(j) {
            Some(b'(') => {
                let mut s = Vec::new();
                let mut depth = 0;
                j += 1;
                while let Some(&c) = pdf.get(j) {
                    match c {
                        b'\\' => {
                            j += 1;
                            if let Some(&e) = pdf.get(j) {
                                s.push(e);
                            }
                        }
                        b'(' => {
                            depth += 1;
                            s.push(c);
                        }
                        b')' if depth == 0 => break,
                        b')' => {
                            depth -= 1;
                            s.push(c);
                        }
                        _ => s.push(c),
                    }
                    j += 1;
                }
                out.push(String::from_utf8_lossy(&s).into_owned());
            }
            Some(b'<') if pdf.get(j + 1) != Some(&b'<') => {
                let end = pdf[j..]
                    .iter()
                    .position(|&c| c == b'>')
                    .map_or(pdf.len(), |p| j + p);
                let hex = std::str::from_utf8(&pdf[j + 1..end]).unwrap_or("");
                let bytes: Vec<u8> = (0..hex.len() / 2)
                    .filter_map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).ok())
                    .collect();
                let units: Vec<u16> = bytes
                    .chunks(2)
                    .skip(1) // byte-order mark FE FF
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                out.push(String::from_utf16_lossy(&units));
            }
            _ => {}
        }
        i += key.len();
    }
    out
}

/// All streams, inflated when they are compressed.
fn streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = pdf[i..].windows(7).position(|w| w == b"stream\n") {
        let start = i + p + 7;
        let Some(len) = pdf[start..].windows(9).position(|w| w == b"endstream") else {
            break;
        };
        let raw = &pdf[start..start + len];
        let mut inflated = Vec::new();
        if flate2::read::ZlibDecoder::new(raw)
            .read_to_end(&mut inflated)
            .is_ok()
        {
            out.push(inflated);
        } else {
            out.push(raw.to_vec());
        }
        i = start + len + b"endstream".len();
    }
    out
}

#[test]
fn output_is_a_one_page_a4_pdf() {
    let pdf = render(&sample()).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(contains(&pdf, b"/MediaBox[0 0 595.27563 841.8898]"));
    assert!(contains(&pdf, b"/Type/Pages/Count 1"));
}

#[test]
fn pdf_is_tagged_with_language_title_and_alt_text() {
    let pdf = render(&sample()).unwrap();
    for key in [
        &b"/StructTreeRoot"[..],
        b"/MarkInfo<</Marked true",
        b"/Lang(it-IT)",
        b"/Lang(en)",
        b"/DisplayDocTitle true",
        b"/S/H1",
        b"/S/H2",
        b"/S/P",
        b"/S/Figure",
        b"/S/Caption",
        b"/S/Table",
        b"/S/TH",
        b"/S/TD",
        b"/Outlines",
        b"pdfuaid:part",
    ] {
        assert!(
            contains(&pdf, key),
            "missing {}",
            String::from_utf8_lossy(key)
        );
    }
    let alt = text_strings(&pdf, "/Alt");
    assert_eq!(alt.len(), 1, "{alt:?}");
    assert!(alt[0].contains("Codice QR dell’attestazione, riferimento A1B2-C3D4"));
    assert!(alt[0].contains("QR code of the attestation, reference A1B2-C3D4"));
    let titles = text_strings(&pdf, "/T");
    assert!(
        titles
            .iter()
            .any(|t| t == "Attestazione di stato di disabilità / Disability status attestation"),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t == "Per il titolare / For the holder")
    );
    let doc_title = text_strings(&pdf, "/Title");
    assert!(
        doc_title.iter().any(
            |t| t.starts_with("Attestazione di stato di disabilità") && t.contains("A1B2-C3D4")
        ),
        "{doc_title:?}"
    );
}

#[test]
fn content_is_marked_and_decorations_are_artifacts() {
    let pdf = render(&sample()).unwrap();
    let content: Vec<u8> = streams(&pdf).concat();
    assert!(contains(&content, b"/Span<</MCID 0>>BDC"));
    assert!(
        contains(&content, b"/Lang(en)>>BDC"),
        "English line not marked"
    );
    assert!(contains(&content, b"/Artifact<</Type/Layout>>BDC"));
    assert!(contains(
        &content,
        b"/Artifact<</Attached[/Bottom]/Subtype/Footer/Type/Pagination>>BDC"
    ));
    // Text is real text (a font and text operators), not outlines.
    assert!(contains(&content, b"Tf"));
    assert!(contains(&content, b"TJ"));
    assert!(contains(&pdf, b"/FontFile2"));
    assert!(contains(&pdf, b"/ToUnicode"));
}

#[test]
fn details_appear_only_when_asked_for() {
    let without = render(&sample()).unwrap();
    assert!(sample().details.is_none(), "details must default to None");
    assert!(!contains(&without, b"Statuses shown in clear"));
    assert!(!contains(&without, b"/S/L"));

    let with = render(&sample().details(Some(vec![
        "Indennità di accompagnamento".into(),
        "Legge 104/1992, art. 3 comma 3".into(),
    ])))
    .unwrap();
    assert!(contains(
        &with,
        b"Stati riportati in chiaro / Statuses shown in clear"
    ));
    for key in [
        &b"/S/L/"[..],
        b"/S/LI",
        b"/S/Lbl",
        b"/S/LBody",
        b"/ListNumbering/Disc",
    ] {
        assert!(
            contains(&with, key),
            "missing {}",
            String::from_utf8_lossy(key)
        );
    }
}

#[test]
fn second_level_has_its_own_title() {
    let pdf = render(&sample().level(Level::Second)).unwrap();
    let titles = text_strings(&pdf, "/T");
    assert!(
        titles
            .iter()
            .any(|t| t == "Dettagli per operatore accreditato / Details for an accredited operator"),
        "{titles:?}"
    );
    let alt = text_strings(&pdf, "/Alt");
    assert!(
        alt[0].contains("details for an accredited operator"),
        "{alt:?}"
    );
}

#[test]
fn output_is_deterministic() {
    let renderer = PdfRenderer::new().unwrap();
    assert_eq!(
        renderer.render(&sample()).unwrap(),
        renderer.render(&sample()).unwrap()
    );
}

#[test]
fn empty_and_overlong_qr_texts_are_errors() {
    assert!(matches!(
        render(&AttestationPdf::default()),
        Err(PdfError::EmptyQrText)
    ));
    let long = format!("AT1:{}", "A".repeat(5000));
    let err = render(&sample_with_qr(long)).unwrap_err();
    assert!(
        matches!(
            err,
            PdfError::QrTooLong {
                len: 5004,
                level: ErrorCorrection::Quartile
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("does not fit in a QR code"));
    // Binary-mode text just over the version 40 capacity.
    let err = render(&sample_with_qr("a".repeat(3000))).unwrap_err();
    assert!(matches!(err, PdfError::QrTooLong { .. }), "{err:?}");
}

fn sample_with_qr(qr: String) -> AttestationPdf {
    AttestationPdf {
        qr_text: qr,
        ..sample()
    }
}

#[test]
fn largest_qr_still_renders_within_the_page() {
    // Version 40 at level L holds 4296 alphanumeric characters.
    let text = format!("AT1:{}", "A".repeat(4200));
    let renderer = PdfRenderer::new()
        .unwrap()
        .with_error_correction(ErrorCorrection::Low);
    let pdf = renderer.render(&sample_with_qr(text)).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn characters_the_font_cannot_draw_are_errors() {
    let err = render(&sample().issuer("漢字")).unwrap_err();
    assert!(
        matches!(
            err,
            PdfError::UnsupportedCharacter {
                field: "issuer",
                ch: '漢'
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("U+6F22"), "{err}");
    let err = render(&sample().reference("A1\u{7}B2")).unwrap_err();
    assert!(matches!(
        err,
        PdfError::UnsupportedCharacter {
            field: "reference",
            ..
        }
    ));
    let err = render(&sample().details(Some(vec!["\u{FEFF}x".into()]))).unwrap_err();
    assert!(matches!(
        err,
        PdfError::UnsupportedCharacter {
            field: "details",
            ..
        }
    ));
}

#[test]
fn oversized_fields_are_errors() {
    let err = render(&sample().issuer("x".repeat(301))).unwrap_err();
    assert!(matches!(
        err,
        PdfError::FieldTooLong {
            field: "issuer",
            len: 301,
            max: 300
        }
    ));
    let err = render(&sample().details(Some(vec!["x".into(); 101]))).unwrap_err();
    assert!(matches!(
        err,
        PdfError::FieldTooLong {
            field: "details",
            ..
        }
    ));
}

#[test]
fn long_inputs_wrap_and_flow_onto_more_pages() {
    let word = "Lunghissimaparolasenzaspazi".repeat(11); // 297 characters
    let details: Vec<String> = (0..100)
        .map(|i| format!("Stato {i}: {}", "parola ".repeat(70).trim_end()))
        .collect();
    let doc = sample()
        .issuer(&word[..300.min(word.len())])
        .reference("R".repeat(64))
        .issued_on("  2026-11-23\n\t")
        .details(Some(details));
    let pdf = render(&doc).unwrap();
    let count = pdf
        .windows(b"/Type/Page/".len())
        .filter(|w| *w == b"/Type/Page/")
        .count();
    assert!(count > 1, "expected several pages, got {count}");
}

#[test]
fn one_renderer_serves_several_threads() {
    let renderer = PdfRenderer::new().unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let renderer = &renderer;
                s.spawn(move || renderer.render(&sample_with_qr(qr_text(i))).unwrap())
            })
            .collect();
        for h in handles {
            assert!(h.join().unwrap().starts_with(b"%PDF"));
        }
    });
}
