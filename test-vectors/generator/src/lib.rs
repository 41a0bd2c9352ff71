//! The generator of the published test vectors under `test-vectors/`:
//!
//! ```text
//! cargo run -p attesta-vectors -- test-vectors          # rewrite them
//! cargo run -p attesta-vectors -- --check test-vectors  # prove they are current
//! ```
//!
//! Everything is deterministic: fixed key seeds, fixed times, fixed ctis
//! (derived from the vector's name), deterministic Ed25519, so running it
//! again rewrites byte-identical files. The layout is described in
//! `test-vectors/README.md`; `crates/attesta-verify/tests/vectors.rs`
//! checks every file against the library, and this crate's
//! `tests/check.rs` checks that the files are exactly what [`files`] makes.
//!
//! Crafted codes are built with the real building blocks (the library's
//! `EnvelopeKey`, `ClaimSet`, Ed25519 keys, ciborium, base45, flate2; for
//! second-level details that issuance refuses, HPKE from an independent
//! implementation, checked against the library's), never by constructing
//! error values: each negative vector is an input, and the expected error
//! is what a correct verifier must answer.
//!
//! Modules, from the bottom up: `world` (fixed inputs, keys, lists),
//! `cred` and `token` (what codes are issued from), `craft` (COSE, CBOR,
//! base45, zlib by hand), `reference_hpke`, `vector` (one vector and its
//! expected answer), `annotate` and `schema` (the JSON written); above them
//! the groups of vectors, `level1`, `level2` and `exact`, which import only
//! from below.

#![forbid(unsafe_code)]

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

mod annotate;
mod craft;
mod cred;
mod exact;
mod level1;
mod level2;
mod reference_hpke;
mod schema;
mod token;
mod vector;
mod world;

use crate::exact::exact_format;
use crate::level1::negative::negatives;
use crate::level1::positive::positives;
use crate::level1::review::{fuzz_regressions, issue13_facts, regressions, review_rules};
use crate::level1::security::security_review;
use crate::level2::{second_level, second_level_regressions, second_level_review};
use crate::schema::render;
use crate::vector::V;
use crate::world::{WORLD_ROOT, World};

/// One vector file: its path under the vectors directory
/// (`positive/001-name.json`) and its contents.
pub struct VectorFile {
    pub path: PathBuf,
    pub json: String,
}

/// Every vector file, in order: the positives, then the negatives, each
/// numbered from 1.
///
/// # Panics
///
/// If two vectors share a name or a positive vector has no inputs: a bug
/// in the generator, not in its input (it has none).
pub fn files() -> Vec<VectorFile> {
    let w = World::new();
    assert_eq!(w.root.seed, WORLD_ROOT.seed);
    let (mut pos, mut neg) = (positives(&w), negatives(&w));
    // Appended after the first-level sets, so that numbering stays stable.
    for v in regressions(&w)
        .into_iter()
        .chain(review_rules(&w))
        .chain(second_level(&w))
        .chain(second_level_regressions(&w))
        .chain(second_level_review(&w))
        .chain(fuzz_regressions(&w))
        .chain(issue13_facts(&w))
        .chain(security_review(&w))
        .chain(exact_format(&w))
    {
        if v.is_positive() {
            pos.push(v);
        } else {
            neg.push(v);
        }
    }
    let all: Vec<V> = pos.into_iter().chain(neg).collect();
    let mut names = BTreeSet::new();
    for v in &all {
        assert!(names.insert(v.name), "duplicate vector name {}", v.name);
        let has_inputs = match &v.l2 {
            None => v.inputs.is_some() || v.crafted_from.is_some(),
            Some(l) => l.inputs.is_some() || l.crafted_from.is_some(),
        };
        assert!(!v.is_positive() || has_inputs, "{}", v.name);
    }
    render_all(&all)
}

fn render_all(all: &[V]) -> Vec<VectorFile> {
    let (mut np, mut nn) = (0, 0);
    all.iter()
        .map(|v| {
            let (sub, n) = if v.is_positive() {
                np += 1;
                ("positive", np)
            } else {
                nn += 1;
                ("negative", nn)
            };
            let mut json = serde_json::to_string_pretty(&render(v)).expect("json");
            json.push('\n');
            VectorFile {
                path: Path::new(sub).join(format!("{n:03}-{}.json", v.name)),
                json,
            }
        })
        .collect()
}

/// The vector files under `dir` (`positive/*.json`, `negative/*.json`),
/// sorted.
fn existing_vectors(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for sub in ["positive", "negative"] {
        let rd = match std::fs::read_dir(dir.join(sub)) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for e in rd {
            let p = e?.path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// How the files under a directory differ from the generated ones.
#[derive(Debug)]
pub struct OutOfDate {
    /// One line per file: "positive/001-x.json differs", "… is missing",
    /// "… is not generated".
    pub problems: Vec<String>,
}

impl fmt::Display for OutOfDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "test vectors out of date:\n  {}",
            self.problems.join("\n  ")
        )
    }
}

/// `--check`: the vector files under `dir` are exactly `files`, no more,
/// no fewer, byte for byte.
pub fn check(dir: &Path, files: &[VectorFile]) -> Result<(), OutOfDate> {
    let mut problems = Vec::new();
    for f in files {
        match std::fs::read_to_string(dir.join(&f.path)) {
            Ok(s) if s == f.json => {}
            Ok(_) => problems.push(format!("{} differs", f.path.display())),
            Err(_) => problems.push(format!("{} is missing", f.path.display())),
        }
    }
    match existing_vectors(dir) {
        Ok(existing) => {
            for p in existing {
                let rel = p.strip_prefix(dir).unwrap_or(&p);
                if !files.iter().any(|f| f.path == rel) {
                    problems.push(format!("{} is not generated", rel.display()));
                }
            }
        }
        Err(e) => problems.push(format!("cannot list {}: {e}", dir.display())),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OutOfDate { problems })
    }
}

/// Replaces the vector files under `dir` with `files` (removing vectors no
/// longer generated).
pub fn write(dir: &Path, files: &[VectorFile]) -> std::io::Result<()> {
    for sub in ["positive", "negative"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    for p in existing_vectors(dir)? {
        std::fs::remove_file(&p)?;
    }
    for f in files {
        std::fs::write(dir.join(&f.path), &f.json)?;
    }
    Ok(())
}
