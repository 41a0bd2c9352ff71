//! `attesta issue` (one credential from flags): outputs, flag errors, status lists, the PDF.

use crate::common::*;

#[test]
fn issue_picks_the_output_format_from_the_extension() {
    let env = Env::new();
    env.setup();
    let r = env.issue("a.txt", &[]);
    assert!(r.stderr.contains("-> a.txt"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing on stdout: {:?}", r.stdout);
    let txt = env.read_text("a.txt");
    assert!(txt.starts_with("AT1:"));
    assert_eq!(txt.lines().count(), 1);
    env.issue("a.png", &[]);
    assert!(env.read("a.png").starts_with(b"\x89PNG\r\n\x1a\n"));
    env.issue("a.svg", &[]);
    let svg = env.read_text("a.svg");
    assert!(svg.contains("<svg"), "{svg}");
    env.issue("a.pdf", &[]);
    let pdf = env.read("a.pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.windows(5).rev().take(64).any(|w| w == b"%%EOF"));
    // Upper-case extensions are fine.
    env.issue("b.TXT", &[]);
    assert!(env.read_text("b.TXT").starts_with("AT1:"));
    assert!(
        env.temp_leftovers().is_empty(),
        "{:?}",
        env.temp_leftovers()
    );
}

#[test]
fn issue_out_dash_prints_the_qr_text_alone() {
    let env = Env::new();
    env.setup();
    let r = env.issue("-", &[]);
    assert!(r.stdout.starts_with("AT1:"), "{:?}", r.stdout);
    assert_eq!(r.stdout.lines().count(), 1, "{:?}", r.stdout);
    let text = r.stdout.trim_end_matches('\n');
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(&b)),
        "not QR alphanumeric: {text}"
    );
    // The report goes to stderr.
    assert!(r.stderr.contains("issued credential"));
    // And the text verifies from stdin.
    let mut a = verify_args("-", &["--cf", CF]);
    a.push("--json");
    let v = env.run_stdin(&a, r.stdout.clone()).ok().json();
    assert_valid(&v);
    assert_eq!(v["cti"], r.issued_cti());
}

#[test]
fn issue_refuses_an_unknown_extension() {
    let env = Env::new();
    env.setup();
    for out in ["a.doc", "noext"] {
        env.run(&issue_args(CF, out, &[]))
            .usage_error(&[out, ".pdf, .png, .svg or .txt", "-"]);
        assert!(!env.exists(out));
    }
}

#[test]
fn issue_never_overwrites_an_existing_output() {
    let env = Env::new();
    env.setup();
    env.write("a.pdf", "precious");
    env.run(&issue_args(CF, "a.pdf", &[]))
        .usage_error(&["a.pdf already exists", "--out"]);
    assert_eq!(env.read("a.pdf"), b"precious");
    // Not even with the status list: no index is spent on it.
    env.run(&issue_args(CF, "a.pdf", &["--status-list", "s.cwt"]))
        .usage_error(&["already exists"]);
    assert!(!env.exists("s.cwt"));
}

#[test]
fn issue_reports_a_codice_fiscale_typo_with_the_check_character() {
    let env = Env::new();
    env.setup();
    let msg = env
        .run(&issue_args(CF_TYPO, "a.txt", &["--status-list", "s.cwt"]))
        .usage_error(&["check character", "typo somewhere"]);
    assert!(msg.contains("cf"), "{msg}");
    assert!(!env.exists("a.txt"), "partial output left behind");
    assert!(!env.exists("s.cwt"), "status list created for a bad row");
    env.run(&issue_args("RSSMRA85T10", "a.txt", &[]))
        .usage_error(&["cf"]);
}

#[test]
fn issue_refuses_an_invalidity_percentage_over_100() {
    let env = Env::new();
    env.setup();
    env.run(&[
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        ISSUER,
        "--cf",
        CF,
        "--invalidita",
        "120",
        "--out",
        "a.txt",
    ])
    .usage_error(&["invalidita", "120", "between 0 and 100"]);
    assert!(!env.exists("a.txt"));
}

#[test]
fn issue_flag_errors_are_usage_errors() {
    let env = Env::new();
    env.setup();
    let base = |extra: &[&'static str]| {
        let mut a = vec![
            "issue",
            "--key",
            "issuer.key",
            "--issuer",
            ISSUER,
            "--cf",
            CF,
        ];
        a.extend(FAST_KDF);
        a.extend(["--out", "a.txt"]);
        a.extend_from_slice(extra);
        a
    };
    // Nothing to attest.
    env.run(&base(&[])).usage_error(&["states no status"]);
    env.run(&base(&["--sordita", "--handicap", "gravissimo"]))
        .usage_error(&["handicap", "non-grave"]);
    env.run(&base(&["--sordita", "--cecita", "tripla"]))
        .usage_error(&["cecita", "assoluta, ventesimista, decimista"]);
    // Italian dates are accepted (30/06/2028); impossible ones are not.
    env.run(&base(&["--sordita", "--rivedibile", "31/06/2028"]))
        .usage_error(&["rivedibile", "DD/MM/YYYY"]);
    env.run(&base(&["--sordita", "--valid-until", "2020-01-01"]))
        .usage_error(&["in the past"]);
    env.run(&base(&["--sordita", "--valid-days", "0"]))
        .usage_error(&["valid-days"]);
    // clap's own errors exit 2 as well.
    env.run(&base(&["--invalidita", "75", "--minore"])).code(2);
    env.run(&["issue", "--key", "issuer.key", "--issuer", ISSUER])
        .code(2);
    env.run(&[
        "issue",
        "--key",
        "missing.key",
        "--issuer",
        ISSUER,
        "--cf",
        CF,
        "--out",
        "a.txt",
    ])
    .usage_error(&["missing.key does not exist"]);
    assert!(!env.exists("a.txt"));
    // Every first-level field, at once.
    env.run(&[
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        ISSUER,
        "--cf",
        CF,
        "--invalidita",
        "100",
        "--cecita",
        "assoluta",
        "--sordita",
        "--handicap",
        "grave",
        "--disabilita",
        "--accompagnamento",
        "--deambulazione-ridotta",
        "--rivedibile",
        "2028-06-30",
        "--valid-days",
        "30",
        "--kdf-memory-mib",
        "1",
        "--kdf-iterations",
        "1",
        "--out",
        "all.txt",
    ])
    .ok();
    let (code, v) = env.verify_json("all.txt", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");
    let a = &v["attestation"];
    for k in [
        "blindness",
        "deafness",
        "disability_l68",
        "accompaniment",
        "reduced_walking",
    ] {
        assert_eq!(a[k], true, "{k} in {a}");
    }
    assert_eq!(a["revision"], "2028-06-30");
}

#[test]
fn issue_with_status_list_creates_the_list_and_its_allocation_file() {
    let env = Env::new();
    let (_, issuer_kid) = env.setup();
    assert!(!env.exists("s.cwt"));
    env.issue("a.txt", &["--status-list", "s.cwt"])
        .stderr_has("created status list s.cwt")
        .stderr_has("s.cwt.alloc");
    assert!(env.exists("s.cwt") && env.exists("s.cwt.alloc"));
    // The allocation state is the issuer's private business (which indices
    // are in use); the list itself is published.
    assert_eq!(mode(&env, "s.cwt.alloc"), 0o600);
    // The second use reuses it.
    let r = env.issue("b.txt", &["--status-list", "s.cwt"]);
    assert!(!r.stderr.contains("created status list"), "{}", r.stderr);
    assert_eq!(mode(&env, "s.cwt.alloc"), 0o600);
    let v = env.run(&["status", "show", "s.cwt", "--json"]).ok().json();
    assert_eq!(v["kid"], issuer_kid.as_str());
    assert_eq!(v["revoked"], 0);
    assert_eq!(v["capacity"], 1_048_576);
    // Each code carries an index of the list (different ones).
    let idx = |f: &str| {
        let d = env.run(&["decode", f, "--json"]).ok().json();
        d["claims"]["status (65535)"]["status_list"].clone()
    };
    let (ia, ib) = (idx("a.txt"), idx("b.txt"));
    // The default uri is the key's kid: two keys never make lists with the
    // same uri.
    assert_eq!(ia["uri"], issuer_kid.as_str());
    assert!(ia["idx"].is_u64() && ib["idx"].is_u64(), "{ia} {ib}");
    assert_ne!(ia["idx"], ib["idx"]);
    // Verified against the list: revocation checked.
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["revocation"]["status"], "checked");
    assert_eq!(v["revocation"]["list_uri"], issuer_kid.as_str());
    assert_eq!(v["revocation"]["list_kid"], issuer_kid.as_str());

    // A list signed by another issuer key is not reused.
    env.keygen("other.key");
    env.run(&[
        "issue",
        "--key",
        "other.key",
        "--issuer",
        "X",
        "--cf",
        CF,
        "--invalidita",
        "75",
        "--out",
        "c.txt",
        "--status-list",
        "s.cwt",
    ])
    .usage_error(&[
        "s.cwt is signed by another key",
        "use the key that created the list",
    ]);
    assert!(!env.exists("c.txt"));
    // Without its allocation file the list is not used either.
    std::fs::remove_file(env.path("s.cwt.alloc")).unwrap();
    env.run(&issue_args(CF, "d.txt", &["--status-list", "s.cwt"]))
        .usage_error(&["s.cwt.alloc is missing", "backup"]);
    assert!(!env.exists("d.txt"));
}

#[test]
fn issue_with_default_kdf_parameters_verifies() {
    let env = Env::new();
    env.setup();
    env.run(&[
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        ISSUER,
        "--cf",
        CF,
        "--invalidita",
        "75",
        "--handicap",
        "grave",
        "--deambulazione-ridotta",
        "--out",
        "a.png",
    ])
    .ok();
    let d = env.run(&["decode", "a.png", "--json"]).ok().json();
    let envelope = &d["claims"]["attesta_envelope (-65537)"];
    assert!(envelope.is_array(), "{d}");
    let (code, v) = env.verify_json("a.png", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");
    assert_valid(&v);
    let (_, v) = env.verify_json("a.png", &["--cf", OTHER_CF]);
    assert_reason(&v, "cf_mismatch");
}

// ---------------------------------------------------------------- decode

#[test]
fn pdf_renders_and_scans_back_to_a_valid_code() {
    if !have_tool("pdftoppm", "-v") {
        eprintln!("NOTICE: pdftoppm not installed; skipping the PDF render-and-scan check");
        return;
    }
    let env = Env::new();
    env.setup();
    let cti = env.issue("a.pdf", &["--status-list", "s.cwt"]).issued_cti();
    let st = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "a.pdf", "render"])
        .current_dir(env.dir())
        .status()
        .unwrap();
    assert!(st.success(), "pdftoppm failed");
    let page = std::fs::read_dir(env.dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("render") && n.ends_with(".png"))
        .expect("pdftoppm wrote no page");
    // attesta's own reader on the rendered page.
    let (code, v) = env.verify_json(&page, &["--cf", CF, "--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["cti"], cti.as_str());

    if !have_tool("zbarimg", "--version") {
        eprintln!("NOTICE: zbarimg not installed; skipping the independent scan of the PDF render");
        return;
    }
    let out = std::process::Command::new("zbarimg")
        .args(["-q", "--raw", &page])
        .current_dir(env.dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "zbarimg found no code in the render");
    let scanned = String::from_utf8(out.stdout).unwrap();
    let scanned = scanned.trim();
    assert!(scanned.starts_with("AT1:"), "{scanned}");
    assert_eq!(
        scanned.lines().count(),
        1,
        "one code on the page: {scanned}"
    );
    env.write("scanned.txt", scanned);
    let (code, v) = env.verify_json("scanned.txt", &["--cf", CF, "--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["cti"], cti.as_str(), "the scan is not the code issued");
}
