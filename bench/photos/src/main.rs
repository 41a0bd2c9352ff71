//! The photo benchmark's Rust side (driven by `bench/photos/run.sh`):
//!
//! - `attesta-photo-bench generate DIR` writes the corpus: 10 images per
//!   distortion kind, each carrying a real attestation code, plus
//!   `DIR/manifest.tsv` (`file`, `kind`, expected `text`); with
//!   `test-size`, the smaller frames `tests/photos.rs` uses; with
//!   `held-out`, images 10–19 of each kind (same severities, other random
//!   draws and codes), to check that the scanner is not tuned to images
//!   0–9;
//! - `attesta-photo-bench scan DIR [REPEAT]` reads every file of the
//!   manifest with `attesta_qr::scan::scan_image_bytes` and prints one
//!   TSV line per file: `file`, `kind`, `ok` (1 when the expected text is
//!   among the codes read), `ms` (the fastest of REPEAT runs, default 3,
//!   file bytes to texts) and what was read or the error;
//! - `attesta-photo-bench read FILE...` reads single files and prints the
//!   time and the codes or the error message;
//! - `attesta-photo-bench photo IN.png OUT.jpg [SEED]` takes a code
//!   rendered by attesta (8 px per module, 4 modules of quiet zone, as
//!   `attesta demo` writes `attestazione.png`) and "photographs" it in a
//!   12-megapixel frame with the corpus's 12 MP recipe, for timing
//!   `attesta verify` on a full-size photo.

mod corpus;
mod distort;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use corpus::{Kind, Size};

const PER_KIND: u32 = 10;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["generate", dir, ref flags @ ..]
            if flags.iter().all(|f| ["test-size", "held-out"].contains(f)) =>
        {
            let size = if flags.contains(&"test-size") {
                Size::Test
            } else {
                Size::Full
            };
            // The held-out corpus: indices 10–19, the same severities with
            // other random draws and other codes.
            let first = if flags.contains(&"held-out") { PER_KIND } else { 0 };
            generate(Path::new(dir), size, first)
        }
        ["scan", dir] => scan(Path::new(dir), 3),
        ["scan", dir, repeat] => match repeat.parse() {
            Ok(r) if r > 0 => scan(Path::new(dir), r),
            _ => Err(format!("REPEAT must be a positive number, not {repeat}")),
        },
        ["read", ref files @ ..] if !files.is_empty() => read(files),
        ["photo", input, output] => photo(Path::new(input), Path::new(output), 0),
        ["photo", input, output, seed] => match seed.parse() {
            Ok(seed) => photo(Path::new(input), Path::new(output), seed),
            _ => Err(format!("SEED must be a number, not {seed}")),
        },
        _ => Err(
            "usage: attesta-photo-bench generate DIR [test-size] [held-out] | scan DIR [REPEAT] | read FILE... | photo IN.png OUT.jpg [SEED]"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("attesta-photo-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(dir: &Path, size: Size, first: u32) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let jobs: Vec<(Kind, u32)> = Kind::ALL
        .iter()
        .flat_map(|&k| (first..first + PER_KIND).map(move |i| (k, i)))
        .collect();
    // Two workers: the machines this runs on have two cores.
    let rows: Vec<Result<String, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|w| {
                let jobs = &jobs;
                s.spawn(move || {
                    jobs.iter()
                        .enumerate()
                        .filter(|(j, _)| j % 2 == w)
                        .map(|(j, &(kind, i))| (j, make_one(dir, kind, i, size)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(usize, Result<String, String>)> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("generator thread"))
            .collect();
        all.sort_by_key(|(j, _)| *j);
        all.into_iter().map(|(_, r)| r).collect()
    });
    let mut manifest = String::from("file\tkind\ttext\n");
    for row in rows {
        manifest.push_str(&row?);
    }
    let path = dir.join("manifest.tsv");
    std::fs::write(&path, manifest).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote {} images and {}", jobs.len(), path.display());
    Ok(())
}

fn make_one(dir: &Path, kind: Kind, index: u32, size: Size) -> Result<String, String> {
    let text = corpus::payload_for(kind, index);
    let sample = corpus::make(kind, index, &text, size);
    let name = format!("{}-{index:02}.{}", kind.name(), sample.ext);
    let path = dir.join(&name);
    std::fs::write(&path, &sample.bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(format!("{name}\t{}\t{text}\n", kind.name()))
}

fn scan(dir: &Path, repeat: u32) -> Result<(), String> {
    let manifest_path = dir.join("manifest.tsv");
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    println!("file\tkind\tok\tms\tresult");
    for line in manifest.lines().skip(1) {
        let [file, kind, text] = line.splitn(3, '\t').collect::<Vec<_>>()[..] else {
            return Err(format!("bad manifest line: {line}"));
        };
        let bytes =
            std::fs::read(dir.join(file)).map_err(|e| format!("cannot read {file}: {e}"))?;
        let mut best = f64::MAX;
        let mut outcome = None;
        for _ in 0..repeat {
            let start = Instant::now();
            let result = attesta_qr::scan::scan_image_bytes(&bytes);
            best = best.min(start.elapsed().as_secs_f64() * 1000.0);
            outcome = Some(result);
        }
        let (ok, detail) = match outcome.expect("repeat > 0") {
            Ok(texts) => (
                texts.iter().any(|t| t == text),
                if texts.iter().any(|t| t == text) {
                    "read".to_owned()
                } else {
                    format!("wrong: {texts:?}")
                },
            ),
            Err(e) => (false, format!("{e:?}")),
        };
        println!("{file}\t{kind}\t{}\t{best:.3}\t{detail}", u8::from(ok));
    }
    Ok(())
}

fn read(files: &[&str]) -> Result<(), String> {
    for file in files {
        let bytes = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        let start = Instant::now();
        let result = attesta_qr::scan::scan_image_bytes(&bytes);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(texts) => println!("{file}: {ms:.2} ms, {} code(s): {texts:?}", texts.len()),
            Err(e) => println!("{file}: {ms:.2} ms, {e}"),
        }
    }
    Ok(())
}

fn photo(input: &Path, output: &Path, seed: u32) -> Result<(), String> {
    let img = image::open(input)
        .map_err(|e| format!("cannot read {}: {e}", input.display()))?
        .into_luma8();
    let sample = corpus::rephotograph(&img, 8, 4, seed);
    std::fs::write(output, &sample.bytes)
        .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    eprintln!("wrote {} (4000 × 3000 JPEG)", output.display());
    Ok(())
}
