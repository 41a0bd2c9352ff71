//! Runs the published test vectors (`test-vectors/`, layout in its
//! README.md) against this implementation: every file must give the
//! answer it states (see `runner`), and the set must be complete.
//!
//! Regenerate with `cargo run -p attesta-vectors -- test-vectors`.

mod runner;

use std::collections::BTreeSet;

use runner::{
    MIN_L2_NEGATIVE, MIN_L2_POSITIVE, MIN_NEGATIVE, MIN_POSITIVE, REQUIRED_CODES, run_file,
    vector_files, vectors_dir,
};

#[test]
fn published_vectors() {
    let dir = vectors_dir();
    let files = vector_files(&dir);
    let (mut positive, mut negative) = (0, 0);
    let (mut l2_positive, mut l2_negative) = (0, 0);
    let mut codes = BTreeSet::new();
    let mut failures = Vec::new();
    for f in &files {
        let name = f.strip_prefix(&dir).unwrap_or(f).display().to_string();
        match run_file(f) {
            Ok(r) => {
                if r.positive {
                    positive += 1;
                    l2_positive += usize::from(r.second_level);
                } else {
                    negative += 1;
                    l2_negative += usize::from(r.second_level);
                }
                codes.extend(r.code);
            }
            Err(msg) => failures.push(format!("{name}: {msg}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    assert!(
        positive >= MIN_POSITIVE && negative >= MIN_NEGATIVE,
        "only {positive} positive and {negative} negative vectors (at least {MIN_POSITIVE} and \
         {MIN_NEGATIVE} expected): were files deleted?"
    );
    assert!(
        l2_positive >= MIN_L2_POSITIVE && l2_negative >= MIN_L2_NEGATIVE,
        "only {l2_positive} positive and {l2_negative} negative second-level vectors (at least \
         {MIN_L2_POSITIVE} and {MIN_L2_NEGATIVE} expected): were files deleted?"
    );
    let missing: Vec<_> = REQUIRED_CODES
        .iter()
        .filter(|c| !codes.contains(**c))
        .collect();
    assert!(
        missing.is_empty(),
        "no negative vector expects these codes: {missing:?}"
    );
    eprintln!(
        "{positive} positive and {negative} negative vectors passed \
         ({l2_positive} and {l2_negative} of them second-level)"
    );
}
