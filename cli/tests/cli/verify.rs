//! `attesta verify`: verdicts, exit codes, JSON, images, trust state and revocation.

use crate::common::*;

#[test]
fn verify_with_the_wrong_root_key_is_trust_list_bad_signature() {
    let env = Env::new();
    env.setup();
    env.keygen("other-root.key");
    env.issue("a.txt", &[]);
    let r = env
        .run(&with_fast_kdf_floor(&[
            "verify",
            "a.txt",
            "--cf",
            CF,
            "--trust",
            "trust.cwt",
            "--root",
            "other-root.key.pub",
            "--state",
            "state.json",
            "--json",
        ]))
        .code(4);
    assert_reason(&r.json(), "trust_list_bad_signature");
    // The issuer's key is not the root either.
    let r = env
        .run(&with_fast_kdf_floor(&[
            "verify",
            "a.txt",
            "--cf",
            CF,
            "--trust",
            "trust.cwt",
            "--root",
            "issuer.key.pub",
            "--state",
            "state.json",
        ]))
        .code(4)
        .stdout_has("CANNOT VERIFY")
        .stdout_has("check the root key given with --root");
    assert!(r.stdout.contains("trust_list_bad_signature"));
}

#[test]
fn verify_refuses_a_rollback_to_an_older_trust_list() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    std::fs::copy(env.path("trust.cwt"), env.path("trust-v1.cwt")).unwrap();
    env.keygen("issuer2.key");
    env.run(&[
        "trust",
        "add-issuer",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
        "--issuer",
        "INPS-2",
        "--key",
        "issuer2.key.pub",
    ])
    .ok();
    let (code, v) = env.verify_json("a.txt", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");
    assert!(env.exists("state.json"), "--state was not written");
    let r = env
        .run(&with_fast_kdf_floor(&[
            "verify",
            "a.txt",
            "--cf",
            CF,
            "--trust",
            "trust-v1.cwt",
            "--root",
            "root.key.pub",
            "--state",
            "state.json",
            "--json",
        ]))
        .code(4);
    assert_reason(&r.json(), "trust_list_rollback");
    // With a fresh state the old list is still acceptable on its own.
    let r = env
        .run(&with_fast_kdf_floor(&[
            "verify",
            "a.txt",
            "--cf",
            CF,
            "--trust",
            "trust-v1.cwt",
            "--root",
            "root.key.pub",
            "--state",
            "fresh-state.json",
            "--json",
        ]))
        .ok();
    assert_valid(&r.json());
    // Nothing was written where the defaults would have put the state.
    assert!(!env.exists("home/.local"));
    assert!(!env.exists("state-dir"));
}

#[test]
fn verify_without_state_flag_uses_attesta_state_dir() {
    let env = Env::new();
    let (root_kid, _) = env.setup();
    env.issue("a.txt", &[]);
    env.run(&with_fast_kdf_floor(&[
        "verify",
        "a.txt",
        "--cf",
        CF,
        "--trust",
        "trust.cwt",
        "--root",
        "root.key.pub",
    ]))
    .ok();
    assert!(
        env.exists(&format!("state-dir/verifier-{root_kid}.json")),
        "state not kept under $ATTESTA_STATE_DIR"
    );
}

// ---------------------------------------------------------------- issue

#[test]
fn verify_valid_code_human_output() {
    let env = Env::new();
    let (_, issuer_kid) = env.setup();
    env.issue("a.txt", &["--handicap", "grave"]);
    let r = env.run(&verify_args("a.txt", &["--cf", CF])).ok();
    assert!(r.stdout.starts_with("✔ VALID —"), "{}", r.stdout);
    for s in [
        "Issuer: INPS",
        &issuer_kid,
        "Civil invalidity, 74 to 99 %",
        "Benefits:",
        "Exemption from prescription charges",
        "L. 104/92",
        "Revocation: not applicable",
    ] {
        assert!(r.stdout.contains(s), "stdout lacks {s:?}:\n{}", r.stdout);
    }
    // The CF as typed: lower case and spaces are accepted.
    env.run(&verify_args("a.txt", &["--cf", "rssmra85t10a562s"]))
        .ok();
}

#[test]
fn verify_json_is_one_object_with_verdict_statuses_and_benefits() {
    let env = Env::new();
    let (_, issuer_kid) = env.setup();
    let cti = env.issue("a.txt", &[]).issued_cti();
    let (code, v) = env.verify_json("a.txt", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");
    assert_valid(&v);
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(v["cf_checked"], true);
    assert_eq!(v["level"], 1);
    assert_eq!(v["kid"], issuer_kid.as_str());
    assert_eq!(v["issuer"], ISSUER);
    assert_eq!(v["cti"], cti.as_str());
    assert_eq!(v["attestation"]["invalidity"], "from74");
    let statuses = v["statuses"].as_array().unwrap();
    assert!(!statuses.is_empty());
    assert!(
        statuses
            .iter()
            .all(|s| s["it"].is_string() && s["en"].is_string())
    );
    let benefits: Vec<&str> = v["benefits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert!(
        benefits.contains(&"ticket_exemption_invalidity"),
        "{benefits:?}"
    );
    assert_eq!(v["revocation"]["status"], "not_revocable");
    // Never the CF itself.
    assert!(!v.to_string().contains(CF));
}

#[test]
fn verify_benefit_thresholds_follow_the_percentage() {
    let env = Env::new();
    env.setup();
    let benefits = |pct: &str, out: &str| -> Vec<String> {
        env.run(&[
            "issue",
            "--key",
            "issuer.key",
            "--issuer",
            ISSUER,
            "--cf",
            CF,
            "--invalidita",
            pct,
            "--kdf-memory-mib",
            "1",
            "--kdf-iterations",
            "1",
            "--out",
            out,
        ])
        .ok();
        let (code, v) = env.verify_json(out, &["--cf", CF]);
        assert_eq!(code, 0, "{v}");
        v["benefits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!benefits("66", "b66.txt").contains(&"ticket_exemption_invalidity".to_owned()));
    assert!(benefits("67", "b67.txt").contains(&"ticket_exemption_invalidity".to_owned()));
    assert!(benefits("33.34", "b33.txt").contains(&"prostheses_aids".to_owned()));
}

#[test]
fn verify_with_the_wrong_codice_fiscale_is_cf_mismatch() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    let (code, v) = env.verify_json("a.txt", &["--cf", OTHER_CF]);
    assert_eq!(code, 1);
    assert_reason(&v, "cf_mismatch");
    assert!(v.get("attestation").is_none(), "nothing disclosed: {v}");
    env.run(&verify_args("a.txt", &["--cf", OTHER_CF]))
        .code(1)
        .stdout_has("NOT VALID")
        .stdout_has("does not belong to this codice fiscale")
        .stdout_has("reason: cf_mismatch");
}

#[test]
fn verify_with_a_codice_fiscale_typo_is_cf_malformed() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    let (code, v) = env.verify_json("a.txt", &["--cf", CF_TYPO]);
    assert_eq!(code, 4);
    assert_reason(&v, "cf_malformed");
    assert!(v["message"].as_str().unwrap().contains("check character"));
    let (_, v) = env.verify_json("a.txt", &["--cf", "RSSMRA"]);
    assert_reason(&v, "cf_malformed");
}

#[test]
fn verify_without_cf_checks_the_rest_and_says_the_cf_was_not_checked() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &["--status-list", "s.cwt"]);
    let (code, v) = env.verify_json("a.txt", &["--status-list", "s.cwt"]);
    assert_eq!(code, 4);
    assert_reason(&v, "cf_not_checked");
    assert_eq!(v["cf_checked"], false);
    assert_eq!(v["revocation"]["status"], "checked");
    assert!(v.get("attestation").is_none());
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("codice fiscale was not checked")
    );
    env.run(&verify_args("a.txt", &[]))
        .code(4)
        .stdout_has("CANNOT VERIFY")
        .stdout_has("repeat with --cf");
}

#[test]
fn verify_after_expiry_is_expired() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &["--valid-days", "1"]);
    let at = rfc3339_in(3 * 24);
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--at", &at]);
    assert_eq!(code, 1);
    assert_reason(&v, "expired");
    // Still valid the next hour.
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--at", &rfc3339_in(1)]);
    assert_eq!(code, 0, "{v}");
    // Far in the future the trust list itself is out of date, which is
    // reported first: the verifier cannot know the key is still trusted.
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--at", "2099-01-01T00:00:00Z"]);
    assert_eq!(code, 4);
    assert_reason(&v, "trust_list_stale");
}

#[test]
fn verify_at_must_be_rfc3339() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    env.run(&verify_args("a.txt", &["--cf", CF, "--at", "yesterday"]))
        .usage_error(&["--at", "RFC 3339"]);
}

#[test]
fn verify_never_goes_back_before_the_clock_floor() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    // An --at before the trust list's issue time (the clock floor) is a
    // question the list cannot answer: refused, not answered as of
    // another time.
    let at = rfc3339_in(-24);
    let r = env
        .run(&verify_args("a.txt", &["--cf", CF, "--at", &at, "--json"]))
        .code(2)
        .stderr_has("is before the newest trust list")
        .stderr_has("new --state file");
    assert_eq!(r.json()["reason"], "usage_error");
    // The state is unchanged by the refused question: now still verifies.
    let (code, v) = env.verify_json("a.txt", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn verify_revocation_through_the_status_list() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &["--status-list", "s.cwt"]);
    env.issue("keep.txt", &["--status-list", "s.cwt"]);
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");
    env.run(&[
        "status",
        "revoke",
        "--key",
        "issuer.key",
        "--list",
        "s.cwt",
        "--credential",
        "a.txt",
    ])
    .ok()
    .stderr_has("revoked credential");
    let v = env.run(&["status", "show", "s.cwt", "--json"]).ok().json();
    assert_eq!(v["revoked"], 1);

    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--status-list", "s.cwt"]);
    assert_eq!(code, 1);
    assert_reason(&v, "revoked");
    env.run(&verify_args(
        "a.txt",
        &["--cf", CF, "--status-list", "s.cwt"],
    ))
    .code(1)
    .stdout_has("reason: revoked");
    // The other credential of the list is untouched.
    let (code, v) = env.verify_json("keep.txt", &["--cf", CF, "--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");

    // Without the list: valid, but revocation is reported as not checked.
    let (code, v) = env.verify_json("a.txt", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["revocation"]["status"], "not_checked");
    env.run(&verify_args("a.txt", &["--cf", CF]))
        .ok()
        .stdout_has("VALID")
        .stdout_has("NOT checked")
        .stdout_has("--status-list");
    // ... unless the operator requires revocation.
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--require-revocation"]);
    assert_eq!(code, 4);
    assert_reason(&v, "revocation_not_checked");

    // Revoking twice is harmless.
    env.run(&[
        "status",
        "revoke",
        "--key",
        "issuer.key",
        "--list",
        "s.cwt",
        "--credential",
        "a.txt",
    ])
    .ok()
    .stderr_has("already revoked");
}

#[test]
fn verify_a_truncated_code_is_a_format_failure() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    let text = env.read_text("a.txt");
    env.write("cut.txt", &text[..100]);
    // A truncated scan is damaged, not proof of forgery: cannot verify,
    // unless what is left happens to fail a check that only crafted codes
    // fail.
    let (code, v) = env.verify_json("cut.txt", &["--cf", CF]);
    assert!(code == 4 || code == 1, "{v}");
    let reason = v["reason"].as_str().unwrap();
    assert!(
        [
            "malformed_cbor",
            "malformed_cose",
            "bad_base45",
            "cbor_trailing_bytes",
            "malformed_claims",
            "missing_claim",
        ]
        .contains(&reason),
        "not a format reason: {v}"
    );
    assert_reason(&v, reason);
    // One character changed: the signature no longer matches (or the
    // text no longer decodes).
    let mut chars: Vec<char> = text.trim().chars().collect();
    let i = chars.len() - 20;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    env.write("altered.txt", chars.iter().collect::<String>());
    let (code, v) = env.verify_json("altered.txt", &["--cf", CF]);
    assert_eq!(code, 1, "{v}");
    // Not a code at all.
    env.write("junk.txt", "hello");
    let (_, v) = env.verify_json("junk.txt", &["--cf", CF]);
    assert_reason(&v, "bad_prefix");
}

#[test]
fn oversized_inputs_are_refused_before_reading() {
    let env = Env::new();
    env.setup();
    // Sparse: 300 MiB on paper, nothing on disk; read whole, it would cost
    // 300 MiB of memory before any check.
    for name in ["huge.png", "huge.cwt"] {
        let f = std::fs::File::create(env.path(name)).unwrap();
        f.set_len(300 << 20).unwrap();
    }
    // The code's file cannot be read: cannot verify (exit 4), with the reason.
    env.run(&verify_args("huge.png", &["--cf", CF]))
        .code(4)
        .stdout_has("huge.png is larger than 256 MiB")
        .stdout_has("input_unreadable");
    env.run(&["decode", "huge.png"])
        .usage_error(&["larger than 256 MiB"]);
    env.run(&["trust", "show", "huge.cwt"])
        .usage_error(&["huge.cwt is larger than 256 MiB"]);
}

#[test]
fn verify_missing_files_are_cannot_verify_or_usage_errors() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    // The code's file or a list cannot be read: cannot verify (exit 4).
    let r = env
        .run(&verify_args("missing.txt", &["--cf", CF]))
        .code(4)
        .stdout_has("missing.txt does not exist")
        .stdout_has("input_unreadable");
    assert!(r.stdout.contains("CANNOT VERIFY"), "{}", r.stdout);
    let v = env
        .run(&verify_args("missing.txt", &["--cf", CF, "--json"]))
        .code(4)
        .json();
    assert_eq!(v["verdict"], "cannot_verify");
    assert_eq!(v["reason"], "input_unreadable");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("missing.txt does not exist"),
        "{v}"
    );
    env.run(&with_fast_kdf_floor(&[
        "verify",
        "a.txt",
        "--cf",
        CF,
        "--trust",
        "missing.cwt",
        "--root",
        "root.key.pub",
        "--state",
        "state.json",
    ]))
    .code(4)
    .stdout_has("missing.cwt does not exist")
    .stdout_has("list_unreadable");
    env.run(&verify_args(
        "a.txt",
        &["--cf", CF, "--status-list", "missing-s.cwt"],
    ))
    .code(4)
    .stdout_has("missing-s.cwt does not exist");
    // A missing root key is a usage error (exit 2), with a JSON object too.
    let r = env
        .run(&[
            "verify",
            "a.txt",
            "--cf",
            CF,
            "--trust",
            "trust.cwt",
            "--root",
            "missing.pub",
            "--state",
            "state.json",
            "--json",
        ])
        .code(2)
        .stderr_has("missing.pub does not exist");
    assert_eq!(r.json()["reason"], "usage_error");
    // Required flags: clap's usage error.
    env.run(&["verify", "a.txt", "--cf", CF]).code(2);
    // A corrupt state file: exit 2 with advice, never silently reset.
    env.write("state.json", "{not json");
    env.run(&verify_args("a.txt", &["--cf", CF]))
        .usage_error(&["state.json is corrupt"]);
}

#[test]
fn verify_reads_the_code_from_a_png() {
    let env = Env::new();
    env.setup();
    let cti = env.issue("a.png", &["--status-list", "s.cwt"]).issued_cti();
    let (code, v) = env.verify_json("a.png", &["--cf", CF, "--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["cti"], cti.as_str());
    assert_eq!(v["revocation"]["status"], "checked");
    env.run(&verify_args("a.png", &["--cf", CF]))
        .ok()
        .stdout_has("VALID");
}

#[test]
fn verify_an_image_without_a_code_is_no_readable_code() {
    let env = Env::new();
    env.setup();
    image::GrayImage::from_pixel(300, 300, image::Luma([255u8]))
        .save(env.path("blank.png"))
        .unwrap();
    let (code, v) = env.verify_json("blank.png", &["--cf", CF]);
    assert_eq!(code, 4);
    assert_reason(&v, "no_readable_code");
}

#[test]
fn verify_an_image_with_two_attestations_asks_for_one_at_a_time() {
    let env = Env::new();
    env.setup();
    env.issue("a.png", &[]);
    env.run(&issue_args(OTHER_CF, "b.png", &[])).ok();
    let a = image::open(env.path("a.png")).unwrap().to_luma8();
    let b = image::open(env.path("b.png")).unwrap().to_luma8();
    let gap = 40;
    let mut both = image::GrayImage::from_pixel(
        a.width() + gap + b.width(),
        a.height().max(b.height()),
        image::Luma([255u8]),
    );
    image::imageops::replace(&mut both, &a, 0, 0);
    image::imageops::replace(&mut both, &b, i64::from(a.width() + gap), 0);
    both.save(env.path("both.png")).unwrap();

    let (code, v) = env.verify_json("both.png", &["--cf", CF]);
    assert_eq!(code, 4);
    assert_reason(&v, "no_readable_code");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            // attesta-qr's picker words it (issue 14: files.rs no longer
            // has its own copy of `scan::pick_code`).
            .contains("2 codes were read in one image"),
        "{v}"
    );
    env.run(&["decode", "both.png"])
        .code(1)
        .one_line_error()
        .contains("one code at a time")
        .then_some(())
        .expect("advice to photograph one code at a time");
}

#[test]
fn verify_with_operator_key_on_a_first_level_code_is_wrong_level() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--operator-key", "op.key"]);
    assert_eq!(code, 4);
    assert_reason(&v, "wrong_level");
}

// ---------------------------------------------------------------- status

/// A text file is read as every decoder reads a code (docs/format.md
/// §2.2): space, tab, CR, LF and a byte order mark around it are trimmed,
/// nothing else; a line break inside the code or another white space at
/// its end leaves a damaged code, as it would in the web verifier.
#[test]
fn text_files_are_trimmed_as_the_format_says() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    let text = env.read_text("a.txt");
    let code = text.trim_end_matches(['\r', '\n']);
    env.write("crlf.txt", format!("\u{feff} {code}\r\n\r\n"));
    let (exit, v) = env.verify_json("crlf.txt", &["--cf", CF]);
    assert_eq!(exit, 0, "{v}");
    env.write("nbsp.txt", format!("{code}\u{a0}\n"));
    let (exit, v) = env.verify_json("nbsp.txt", &["--cf", CF]);
    assert_eq!(exit, 4, "{v}");
    assert_reason(&v, "bad_base45");
    env.write("wrapped.txt", format!("{}\n{}\n", &code[..60], &code[60..]));
    let (exit, v) = env.verify_json("wrapped.txt", &["--cf", CF]);
    assert_eq!(exit, 4, "{v}");
    assert_reason(&v, "bad_base45");
}
