//! `generate_vectors [--check] [DIR]`: writes the test vectors into DIR
//! (default `test-vectors`), or with `--check` proves that the files there
//! are exactly what it would write (exit code 1 if not).

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: generate_vectors [--check] [DIR (default test-vectors)]";

fn main() -> ExitCode {
    let mut dir = PathBuf::from("test-vectors");
    let mut check = false;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') => {
                eprintln!("unknown option {s}\n{USAGE}");
                return ExitCode::from(2);
            }
            s => dir = PathBuf::from(s),
        }
    }
    let files = attesta_vectors::files();
    if check {
        match attesta_vectors::check(&dir, &files) {
            Ok(()) => {
                println!(
                    "{} vectors under {} are up to date",
                    files.len(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        }
    } else {
        match attesta_vectors::write(&dir, &files) {
            Ok(()) => {
                let np = files
                    .iter()
                    .filter(|f| f.path.starts_with("positive"))
                    .count();
                println!(
                    "wrote {np} positive and {} negative vectors under {}",
                    files.len() - np,
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("cannot write the vectors under {}: {e}", dir.display());
                ExitCode::FAILURE
            }
        }
    }
}
