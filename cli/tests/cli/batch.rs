//! `attesta issue --batch`: outputs, errors.csv, manifest.csv, resume after
//! a clean end and after kills.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use predicates::str::contains;
use tempfile::TempDir;

use crate::common::verify_args;

const BIN: &str = env!("CARGO_BIN_EXE_attesta");

/// The binary, with English messages whatever the machine's locale (the
/// assertions read English text; Italian batches are tested where asked).
fn attesta() -> Command {
    let mut c = Command::new(BIN);
    c.env("LANG", "en_GB.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

/// A valid codice fiscale, different for each `i` below 2800.
fn cf(i: usize) -> String {
    let first = format!("RSSMRA{:02}T{:02}A562", i % 100, 1 + (i / 100) % 28);
    let check = attesta_core::cf::personal_check_char(&first).unwrap();
    format!("{first}{check}")
}

/// An issuer key trusted by a root: `issuer.key`, `root.key`, `trust.cwt`.
fn setup() -> TempDir {
    let t = TempDir::new().unwrap();
    for k in ["issuer.key", "root.key"] {
        attesta()
            .current_dir(&t)
            .args(["keygen", "--out", k])
            .assert()
            .success();
    }
    attesta()
        .current_dir(&t)
        .args([
            "trust",
            "add-issuer",
            "--root-key",
            "root.key",
            "--trust",
            "trust.cwt",
        ])
        .args(["--issuer", "INPS", "--key", "issuer.key.pub"])
        .assert()
        .success();
    t
}

fn batch_args(rows: &str, out: &str) -> Vec<String> {
    let a =
        "issue --key issuer.key --issuer INPS --format txt --kdf-memory-mib 1 --kdf-iterations 1";
    let mut v: Vec<String> = a.split(' ').map(String::from).collect();
    v.extend(["--batch", rows, "--out-dir", out].map(String::from));
    v
}

fn batch(t: &TempDir, rows: &str, out: &str) -> Command {
    let mut c = attesta();
    c.current_dir(t).args(batch_args(rows, out));
    c
}

/// `(line, reason)` pairs of errors.csv.
fn errors(dir: &Path) -> BTreeMap<u64, String> {
    let mut r = csv::Reader::from_path(dir.join("errors.csv")).unwrap();
    assert_eq!(r.headers().unwrap(), vec!["line", "reason"]);
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].parse().unwrap(), rec[1].to_owned())
        })
        .collect()
}

struct Entry {
    line: u64,
    file: String,
    idx: Option<u64>,
}

/// Checks manifest.csv against the directory: no repeated line, one file
/// per entry and no other output, no temporary file; returns the entries.
fn manifest(dir: &Path) -> Vec<Entry> {
    let text = fs::read_to_string(dir.join("manifest.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("line,cti,file,status_idx"));
    let entries: Vec<Entry> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 4, "{l}");
            Entry {
                line: f[0].parse().unwrap(),
                file: f[2].to_owned(),
                idx: (!f[3].is_empty()).then(|| f[3].parse().unwrap()),
            }
        })
        .collect();
    let names: BTreeSet<&str> = entries.iter().map(|e| e.file.as_str()).collect();
    let lines: BTreeSet<u64> = entries.iter().map(|e| e.line).collect();
    assert_eq!(names.len(), entries.len(), "a file twice in the manifest");
    assert_eq!(lines.len(), entries.len(), "a line twice in the manifest");
    let mut on_disk = BTreeSet::new();
    for e in fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(!name.ends_with(".tmp"), "leftover {name}");
        if name != "manifest.csv" && name != "errors.csv" {
            on_disk.insert(name);
        }
    }
    assert_eq!(
        on_disk.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        names
    );
    for e in &entries {
        assert_eq!(e.file, format!("{:09}.txt", e.line));
        assert!(
            fs::read_to_string(dir.join(&e.file))
                .unwrap()
                .starts_with("AT")
        );
    }
    entries
}

#[test]
fn csv_good_and_bad_rows() {
    let t = setup();
    let rows = format!(
        "cf,invalidita,handicap,deambulazione-ridotta\n\
         {},75,grave,si\n\
         RSSMRA85T10A562T,75,grave,\n\
         {},120,,\n\
         {},50,mild,\n\
         {},75,grave,no,extra\n\
         {},,non-grave,1\n\
         {},33.34,,maybe\n\
         \"{}\",100,grave,x\n",
        cf(1),
        cf(2),
        cf(3),
        cf(4),
        cf(5),
        cf(6),
        cf(7)
    );
    fs::write(t.path().join("rows.csv"), rows).unwrap();
    batch(&t, "rows.csv", "out")
        .args(["--status-list", "list.cwt"])
        .assert()
        .code(3)
        .stderr(contains("issued 3, skipped 0 already done, rejected 5"));
    let out = t.path().join("out");
    let e = errors(&out);
    assert_eq!(e.keys().copied().collect::<Vec<_>>(), [3, 4, 5, 6, 8]);
    assert!(e[&3].contains("check character"), "{}", e[&3]);
    assert!(e[&4].starts_with("invalidita"), "{}", e[&4]);
    assert!(e[&5].contains("handicap"), "{}", e[&5]);
    assert!(e[&6].starts_with("malformed CSV record"), "{}", e[&6]);
    assert!(
        e[&8].starts_with("deambulazione-ridotta: 'maybe'"),
        "{}",
        e[&8]
    );
    let m = manifest(&out);
    assert_eq!(
        m.iter().map(|e| e.line).collect::<BTreeSet<_>>(),
        [2, 7, 9].into()
    );
    assert!(m.iter().all(|e| e.idx.is_some()));

    for (line, i) in [(2, 1), (9, 7)] {
        let (code, holder) = (format!("out/{line:09}.txt"), cf(i));
        attesta()
            .current_dir(&t)
            .args(verify_args(
                &code,
                &["--cf", &holder, "--status-list", "list.cwt"],
            ))
            .assert()
            .success();
    }
    // Sealed under its own holder's CF, not another row's.
    attesta()
        .current_dir(&t)
        .args(verify_args("out/000000002.txt", &["--cf", &cf(7)]))
        .assert()
        .code(1);
}

#[test]
fn jsonl_rows() {
    let t = setup();
    let rows = format!(
        "{{\"cf\":\"{}\",\"invalidita\":75,\"handicap\":\"grave\",\"deambulazione_ridotta\":true}}\n\
         \n\
         {{\"cf\":\"{}\",\"minore\":\"si\",\"valid-days\":30}}\n\
         not json\n\
         {{\"cf\":\"{}\",\"colour\":\"blue\"}}\n\
         [1]\n\
         {{\"invalidita\":75}}\n\
         {{\"cf\":\"{}\",\"over65\":1}}",
        cf(1),
        cf(2),
        cf(3),
        cf(4)
    );
    fs::write(t.path().join("rows.jsonl"), rows).unwrap();
    batch(&t, "rows.jsonl", "out").assert().code(3);
    let out = t.path().join("out");
    let e = errors(&out);
    assert_eq!(e.keys().copied().collect::<Vec<_>>(), [4, 5, 6, 7]);
    assert!(e[&4].starts_with("invalid JSON"), "{}", e[&4]);
    assert!(e[&5].contains("colour"), "{}", e[&5]);
    assert!(e[&7].contains("cf"), "{}", e[&7]);
    let m = manifest(&out);
    assert_eq!(m.len(), 3);
    assert!(m.iter().all(|e| e.idx.is_none()));
    attesta()
        .current_dir(&t)
        .args(verify_args("out/000000008.txt", &["--cf", &cf(4)]))
        .assert()
        .success();
}

#[test]
fn fatal_input_problems() {
    let t = setup();
    let p = t.path();
    let row = format!("{},75\n", cf(1));
    fs::write(p.join("unknown.csv"), format!("cf,percentuale\n{row}")).unwrap();
    // Unknown columns are ignored with a warning, refused only under
    // --strict-columns.
    batch(&t, "unknown.csv", "strict")
        .arg("--strict-columns")
        .assert()
        .code(2)
        .stderr(contains("unknown columns percentuale"));
    assert!(!p.join("strict").exists());
    fs::write(p.join("nocf.csv"), "codice,invalidita\nX,75\n").unwrap();
    fs::write(p.join("empty.csv"), "").unwrap();
    fs::write(p.join("header-only.csv"), "cf,invalidita\n").unwrap();
    for (file, msg) in [
        ("nocf.csv", "no `cf` column"),
        ("empty.csv", "empty.csv is empty"),
        ("header-only.csv", "no rows"),
        ("missing.csv", "missing.csv"),
    ] {
        batch(&t, file, "out")
            .assert()
            .code(2)
            .stderr(contains(msg));
        assert!(!p.join("out").exists(), "{file} left output");
    }
}

#[test]
fn resume_after_a_complete_run() {
    let t = setup();
    let rows: String = (0..10).map(|i| format!("{},80\n", cf(i))).collect();
    fs::write(
        t.path().join("rows.csv"),
        format!("cf,invalidita\n{rows}x,80\n"),
    )
    .unwrap();
    batch(&t, "rows.csv", "out").assert().code(3);
    let out = t.path().join("out");
    let before = fs::read(out.join("manifest.csv")).unwrap();
    batch(&t, "rows.csv", "out")
        .assert()
        .code(2)
        .stderr(contains(
            "use --resume to continue, or choose an empty directory",
        ));
    batch(&t, "rows.csv", "out")
        .arg("--resume")
        .assert()
        .code(3)
        .stderr(contains("issued 0, skipped 10 already done, rejected 1"));
    assert_eq!(fs::read(out.join("manifest.csv")).unwrap(), before);
    assert_eq!(manifest(&out).len(), 10);
    assert_eq!(errors(&out).keys().copied().collect::<Vec<_>>(), [12]);
}

/// A random number below `n` (0 when `n` is 0).
fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b) % n.max(1)
}

#[test]
fn killed_and_resumed() {
    let t = setup();
    let good = 400;
    let mut rows = String::from("cf,invalidita,handicap\n");
    for i in 0..good {
        rows += &format!("{},{},grave\n", cf(i), 34 + i % 60);
        if i % 100 == 50 {
            rows += "RSSMRA85T10A562T,75,grave\n";
        }
    }
    fs::write(t.path().join("rows.csv"), rows).unwrap();
    let run = |resume: bool| {
        let mut c = std::process::Command::new(BIN);
        c.current_dir(&t)
            .args(batch_args("rows.csv", "out"))
            .args(["--jobs", "2", "--status-list", "list.cwt"])
            .stderr(std::process::Stdio::null());
        if resume {
            c.arg("--resume");
        }
        c
    };
    let out: PathBuf = t.path().join("out");
    let done = || {
        let m = fs::read_to_string(out.join("manifest.csv")).unwrap_or_default();
        m.lines().count().saturating_sub(1)
    };
    // The first kill may land while the run is still starting; the others
    // at a random point of the remaining work.
    let mut child = run(false).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(random_below(30)));
    let _ = child.kill(); // SIGKILL
    child.wait().unwrap();
    for _ in 0..3 {
        let target = done() + 1 + random_below(((good - done()) / 2) as u64) as usize;
        let mut child = run(true).spawn().unwrap();
        while done() < target && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = child.kill();
        child.wait().unwrap();
        eprintln!("killed at {} of {good} (target {target})", done());
    }
    // What a kill during a write leaves behind.
    fs::write(out.join(".000000002.txt.0123456789ab.tmp"), "AT…").unwrap();
    let status = run(true).status().unwrap();
    assert_eq!(status.code(), Some(3));

    let m = manifest(&out);
    assert_eq!(m.len(), good);
    let idx: BTreeSet<u64> = m.iter().map(|e| e.idx.expect("status index")).collect();
    assert_eq!(idx.len(), good, "a status index given twice");
    assert_eq!(errors(&out).len(), 4);
}

#[test]
fn shards_partition_the_rows_without_coordination() {
    let t = setup();
    let rows: String = (0..20).map(|i| format!("{},80\n", cf(i))).collect();
    fs::write(t.path().join("rows.csv"), format!("cf,invalidita\n{rows}")).unwrap();
    let mut all = BTreeSet::new();
    for i in 1..=3 {
        let out = format!("out{i}");
        batch(&t, "rows.csv", &out)
            .args(["--shard", &format!("{i}/3")])
            .assert()
            .success();
        for e in manifest(&t.path().join(&out)) {
            assert_eq!(e.line % 3, i - 1, "line {} in shard {i}", e.line);
            assert!(all.insert(e.line), "line {} issued twice", e.line);
        }
    }
    // Every data row (lines 2..=21) in exactly one shard.
    assert_eq!(all, (2..=21).collect::<BTreeSet<u64>>());
    batch(&t, "rows.csv", "bad")
        .args(["--shard", "4/3"])
        .assert()
        .code(2)
        .stderr(contains("is not a shard I/N"));
}

/// Opens an issued first-level code with the issuer's public key and a CF:
/// whether the code belongs to that person.
fn belongs_to(t: &TempDir, code: &str, cf: &str) -> bool {
    use attesta_core::credential::{FirstLevelClaims, FirstLevelCode};
    let pem = fs::read_to_string(t.path().join("issuer.key.pub")).unwrap();
    let key = attesta_core::keys::PublicKey::from_pem(&pem).unwrap();
    let code = FirstLevelCode::parse(code.trim()).unwrap();
    let payload = code.sign1().verify(&key).unwrap();
    let claims = FirstLevelClaims::from_verified(&payload).unwrap();
    let cf = attesta_core::cf::CodiceFiscale::parse(cf).unwrap();
    claims
        .envelope()
        .open(
            &cf,
            claims.cti(),
            // The batches here use the test KDF, below the real floor.
            &attesta_core::envelope::KdfLimits::default().without_floor(),
        )
        .is_ok()
}

/// Every output, joined back to its row through the manifest, belongs to
/// the CF written on the line the manifest names (as an editor numbers it).
fn join_back(t: &TempDir, out: &str, text: &str, expected_lines: &[u64]) {
    let dir = t.path().join(out);
    let entries = manifest(&dir);
    let mut lines: Vec<u64> = entries.iter().map(|e| e.line).collect();
    lines.sort_unstable();
    assert_eq!(lines, expected_lines, "{text:?}");
    // Lines as a text editor shows them: CRLF, CR and LF each end one.
    let editor_lines: Vec<&str> = text
        .split("\r\n")
        .flat_map(|l| l.split(['\r', '\n']))
        .collect();
    for e in entries {
        let line = editor_lines[e.line as usize - 1];
        let cf = line
            .trim_start_matches('"')
            .split([',', ';'])
            .next()
            .unwrap();
        let code = fs::read_to_string(dir.join(&e.file)).unwrap();
        assert!(
            belongs_to(t, &code, cf),
            "{} holds the code of another person than line {} ({cf})",
            e.file,
            e.line
        );
        for other in editor_lines
            .iter()
            .filter(|l| l.starts_with("RSS") && !l.starts_with(cf))
        {
            let other_cf = other.split(',').next().unwrap();
            assert!(!belongs_to(t, &code, other_cf));
        }
    }
}

// Regression: with Windows line endings (what Excel writes) every output
// was numbered one line off, so a clerk joining outputs back to rows
// mailed codes to the wrong people.
#[test]
fn crlf_rows_are_numbered_as_an_editor_shows_them() {
    let t = setup();
    let text = format!(
        "cf,invalidita\r\n{},75\r\n{},80\r\n{},90\r\n",
        cf(1),
        cf(2),
        cf(3)
    );
    fs::write(t.path().join("rows.csv"), &text).unwrap();
    batch(&t, "rows.csv", "out").assert().success();
    join_back(&t, "out", &text, &[2, 3, 4]);
}

#[test]
fn cr_only_rows() {
    let t = setup();
    let text = format!("cf,invalidita\r{},75\r{},80\r", cf(4), cf(5));
    fs::write(t.path().join("rows.csv"), &text).unwrap();
    batch(&t, "rows.csv", "out").assert().success();
    join_back(&t, "out", &text, &[2, 3]);
}

#[test]
fn blank_lines_keep_the_numbering() {
    let t = setup();
    for (name, nl) in [("lf", "\n"), ("crlf", "\r\n")] {
        let text = format!(
            "cf,invalidita{nl}{nl}{},75{nl}{nl}{nl}{},80{nl}{},90{nl}",
            cf(6),
            cf(7),
            cf(8)
        );
        let file = format!("{name}.csv");
        fs::write(t.path().join(&file), &text).unwrap();
        batch(&t, &file, name).assert().success();
        join_back(&t, name, &text, &[3, 6, 7]);
    }
}

#[test]
fn quoted_line_breaks_number_the_record_by_its_first_line() {
    let t = setup();
    // A cell with a line break (Excel's Alt+Enter) in an ignored column.
    let text = format!(
        "cf,invalidita,note\r\n{},75,\"primo\r\nsecondo\"\r\n{},80,x\r\n{},90,\"a\nb\nc\"\r\n{},95,\r\n",
        cf(9),
        cf(10),
        cf(11),
        cf(12)
    );
    fs::write(t.path().join("rows.csv"), &text).unwrap();
    batch(&t, "rows.csv", "out")
        .assert()
        .success()
        .stderr(contains("ignoring columns attesta does not use: note"));
    join_back(&t, "out", &text, &[2, 4, 5, 8]);
}

#[test]
fn errors_csv_uses_the_editor_line_and_names_the_column() {
    let t = setup();
    let text = format!(
        "cf;invalidita;rivedibile\r\n{};75;30/06/2028\r\n\r\n{};120;\r\n{};75;31/06/2028\r\n",
        cf(13),
        cf(14),
        cf(15)
    );
    fs::write(t.path().join("rows.csv"), &text).unwrap();
    batch(&t, "rows.csv", "out").assert().code(3);
    let e = errors(&t.path().join("out"));
    assert_eq!(e.keys().copied().collect::<Vec<_>>(), [4, 5], "{e:?}");
    assert!(e[&4].starts_with("invalidita: "), "{}", e[&4]);
    assert!(e[&5].starts_with("rivedibile: "), "{}", e[&5]);
    for r in e.values() {
        assert!(!r.contains("--"), "a row error names a flag: {r}");
    }
    // The Italian date of line 2 was accepted.
    assert_eq!(
        manifest(&t.path().join("out"))
            .iter()
            .map(|e| e.line)
            .collect::<Vec<_>>(),
        [2]
    );
}

#[test]
fn windows_1252_input_is_detected_or_named() {
    let t = setup();
    // "nome" holds "Niccolò" in Windows-1252 (0xF2): not UTF-8.
    let mut bytes = b"cf;nome;invalidita\r\n".to_vec();
    bytes.extend_from_slice(cf(16).as_bytes());
    bytes.extend_from_slice(b";Niccol\xf2;75\r\n");
    fs::write(t.path().join("rows.csv"), &bytes).unwrap();
    batch(&t, "rows.csv", "auto")
        .assert()
        .success()
        .stderr(contains("Windows-1252"));
    assert_eq!(manifest(&t.path().join("auto")).len(), 1);
    batch(&t, "rows.csv", "named")
        .args(["--encoding", "windows-1252"])
        .assert()
        .success();
    // Told it is UTF-8, the row is refused and says why.
    batch(&t, "rows.csv", "utf8")
        .args(["--encoding", "utf-8"])
        .assert()
        .code(3);
    let e = errors(&t.path().join("utf8"));
    assert!(e[&2].contains("UTF-8"), "{e:?}");
}
