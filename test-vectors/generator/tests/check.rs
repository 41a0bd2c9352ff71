//! The published vectors re-issue byte for byte: `generate_vectors --check`
//! over the repository's `test-vectors/`, run by `cargo test` so that CI
//! proves it (issue 14). A vector edited by hand, a generator change not
//! regenerated, or a library change that alters an issued code fails here.

use std::path::Path;
use std::sync::OnceLock;

use attesta_vectors::VectorFile;

/// Generating takes most of this test's time: once for both tests.
fn files() -> &'static [VectorFile] {
    static FILES: OnceLock<Vec<VectorFile>> = OnceLock::new();
    FILES.get_or_init(attesta_vectors::files)
}

#[test]
fn published_vectors_are_exactly_what_the_generator_writes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = files();
    assert!(files.len() > 300, "only {} vectors generated", files.len());
    if let Err(e) = attesta_vectors::check(&dir, files) {
        panic!(
            "{e}\nregenerate with `cargo run -p attesta-vectors -- test-vectors` \
             and review the diff"
        );
    }
}

/// The check finds a changed, a missing and an extra file: it would not
/// pass a directory that merely exists.
#[test]
fn check_reports_every_kind_of_difference() {
    let files = files();
    let dir = std::env::temp_dir().join(format!("attesta-vectors-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    attesta_vectors::write(&dir, files).expect("write");
    attesta_vectors::check(&dir, files).expect("a fresh write is up to date");

    let changed = dir.join(&files[0].path);
    std::fs::write(&changed, files[0].json.replace('"', "'")).expect("edit");
    std::fs::remove_file(dir.join(&files[1].path)).expect("remove");
    std::fs::write(dir.join("negative/999-extra.json"), "{}\n").expect("add");

    let problems = attesta_vectors::check(&dir, files)
        .expect_err("three differences")
        .problems;
    std::fs::remove_dir_all(&dir).expect("clean up");
    assert_eq!(
        problems,
        [
            format!("{} differs", files[0].path.display()),
            format!("{} is missing", files[1].path.display()),
            "negative/999-extra.json is not generated".to_owned(),
        ]
    );
}
