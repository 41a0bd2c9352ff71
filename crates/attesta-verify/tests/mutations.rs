//! The mutation check: every rule of docs/format.md that the verifier
//! enforces (`attesta_core::rules::Rule`) is pinned by a published vector.
//!
//! Only in a build with the `mutants` feature (`test-vectors/mutate.sh`):
//!
//! ```text
//! cargo test -p attesta-verify --features mutants --test mutations -- --nocapture
//! ```
//!
//! For each rule in turn, the rule is switched off (the verifier makes the
//! mistake its `Rule` variant describes) and every vector runs; the vectors
//! that test-vectors/README.md names for the rule ("Rules and the vectors
//! that pin them") must be among those that fail. With every rule on, every
//! vector passes. The README table must list every rule, and only rules.
#![cfg(feature = "mutants")]

#[allow(dead_code)]
mod runner;

use std::collections::BTreeMap;
use std::path::Path;

use attesta_core::rules::{Rule, mutation};

/// The README's table: rule id → the vectors that pin it
/// (`positive/055-trim-listed-characters`, without `.json`).
fn readme_table() -> BTreeMap<String, Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/README.md");
    let text = std::fs::read_to_string(&path).expect("test-vectors/README.md");
    let start = text
        .find("## Rules and the vectors that pin them")
        .expect("the README's rule table");
    let mut table = BTreeMap::new();
    for line in text[start..].lines().skip(1) {
        if line.starts_with("## ") {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, id, _, _, _, pins, ..] = cells.as_slice() else {
            continue;
        };
        let Some(id) = id.strip_prefix('`').and_then(|i| i.strip_suffix('`')) else {
            continue;
        };
        let pins: Vec<String> = pins
            .split('`')
            .filter(|p| p.starts_with("positive/") || p.starts_with("negative/"))
            .map(str::to_owned)
            .collect();
        assert!(
            table.insert(id.to_owned(), pins).is_none(),
            "{id} is twice in the README's rule table"
        );
    }
    table
}

#[test]
fn every_rule_is_pinned_by_a_vector() {
    let dir = runner::vectors_dir();
    let files = runner::vector_files(&dir);
    let name = |f: &Path| {
        f.strip_prefix(&dir)
            .unwrap_or(f)
            .with_extension("")
            .display()
            .to_string()
    };
    let failing = || -> Vec<String> {
        files
            .iter()
            .filter(|f| runner::run_file(f).is_err())
            .map(|f| name(f))
            .collect()
    };
    // Switched-off rules make the library panic on purpose-built inputs now
    // and then; each panic is a failing vector, not noise on the terminal.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    mutation::break_rule(None);
    let baseline = failing();
    let table = readme_table();
    let mut problems = Vec::new();
    if !baseline.is_empty() {
        problems.push(format!("with every rule on, vectors fail: {baseline:?}"));
    }
    for id in table.keys() {
        if Rule::from_id(id).is_none() {
            problems.push(format!("the README names {id}, which is not a rule"));
        }
    }
    let started = std::time::Instant::now();
    let mut report = Vec::new();
    for rule in Rule::ALL {
        mutation::break_rule(Some(*rule));
        let fails = failing();
        mutation::break_rule(None);
        let id = rule.id();
        match table.get(id) {
            None => problems.push(format!("{id} is not in the README's rule table")),
            Some(pins) if pins.is_empty() => {
                problems.push(format!("{id}: the README names no vector"));
            }
            Some(pins) => {
                for p in pins.iter().filter(|p| !fails.contains(p)) {
                    problems.push(format!(
                        "{id} switched off, {p} still passes (failing: {fails:?})"
                    ));
                }
            }
        }
        report.push(format!(
            "{id:<32} {:>3} vectors fail: {}",
            fails.len(),
            fails.join(" ")
        ));
    }
    std::panic::set_hook(hook);
    println!("{}", report.join("\n"));
    println!(
        "{} rules switched off one at a time over {} vectors in {:.1} s",
        Rule::ALL.len(),
        files.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
