//! Measure how many PDFs per second are rendered, with one shared renderer:
//! `cargo run --release -p attesta-pdf --example throughput -- [count] [threads]`.

use std::time::Instant;

use attesta_pdf::{AttestationPdf, PdfRenderer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(500);
    let threads: usize = std::env::args()
        .nth(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1)
        .max(1);
    let renderer = PdfRenderer::new()?;
    let base = AttestationPdf::new("")
        .issuer("INPS — Istituto Nazionale della Previdenza Sociale")
        .issued_on("2026-11-23")
        .valid_until("2027-11-23");
    // Warm up.
    renderer.render(&base.clone().qr_text_for(0).reference("WARM-UP0"))?;
    let start = Instant::now();
    let bytes: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (renderer, base) = (&renderer, &base);
                s.spawn(move || {
                    let mut bytes = 0;
                    for i in (t..count).step_by(threads) {
                        let doc = base.clone().qr_text_for(i).reference(format!(
                            "{:04X}-{:04X}",
                            i >> 16,
                            i & 0xFFFF
                        ));
                        bytes += renderer.render(&doc).expect("render").len();
                    }
                    bytes
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("worker")).sum()
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{count} PDFs in {secs:.2} s on {threads} thread(s): {:.0} PDFs/s, {:.1} KB each",
        count as f64 / secs,
        bytes as f64 / count as f64 / 1024.0
    );
    Ok(())
}

trait WithQr {
    fn qr_text_for(self, i: usize) -> Self;
}

impl WithQr for AttestationPdf {
    /// "AT1:" and 250 pseudo-random base45 characters, different for each `i`.
    fn qr_text_for(mut self, i: usize) -> Self {
        const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        let mut s = String::from("AT1:");
        let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for _ in 0..250 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push(char::from(B45[(x % 45) as usize]));
        }
        self.qr_text = s;
        self
    }
}
