//! Issue 13: what the person at the counter is told. Three verdicts and
//! their exit codes (0/1/4, 2 usage), Italian and English, the benefits of
//! a verified code, `--mostra`, `--auto`, second level against first
//! level, and the small items (key kinds, swapped lists, closed pipes).

use std::process::{Command, Stdio};

use crate::common::*;

#[test]
fn the_three_verdicts_and_their_exit_codes() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    let (code, v) = env.verify_json("a.txt", &["--cf", CF]);
    assert_eq!(
        (code, v["verdict"].as_str(), v["valid"].as_bool()),
        (0, Some("valid"), Some(true)),
        "{v}"
    );
    let (code, v) = env.verify_json("a.txt", &["--cf", OTHER_CF]);
    assert_eq!(
        (code, v["verdict"].as_str(), v["reason"].as_str()),
        (1, Some("not_valid"), Some("cf_mismatch")),
        "{v}"
    );
    // A CF typo is the operator's problem: cannot verify, not "not valid".
    let (code, v) = env.verify_json("a.txt", &["--cf", CF_TYPO]);
    assert_eq!(
        (code, v["verdict"].as_str(), v["reason"].as_str()),
        (4, Some("cannot_verify"), Some("cf_malformed")),
        "{v}"
    );
    // So is a QR that is a web link, a missing file, and no CF at all.
    env.write("link.txt", "https://www.inps.it/qr?x=1");
    let (code, v) = env.verify_json("link.txt", &["--cf", CF]);
    assert_eq!((code, v["reason"].as_str()), (4, Some("bad_prefix")), "{v}");
    let (code, v) = env.verify_json("missing.png", &["--cf", CF]);
    assert_eq!(
        (code, v["reason"].as_str()),
        (4, Some("input_unreadable")),
        "{v}"
    );
    let (code, v) = env.verify_json("a.txt", &[]);
    assert_eq!(
        (code, v["reason"].as_str()),
        (4, Some("cf_not_checked")),
        "{v}"
    );
    // The PDF given instead of an image.
    env.issue("a.pdf", &[]);
    let (code, v) = env.verify_json("a.pdf", &["--cf", CF]);
    assert_eq!(
        (code, v["reason"].as_str()),
        (4, Some("no_readable_code")),
        "{v}"
    );
    // A usage error stays 2.
    env.run(&verify_args("a.txt", &["--cf", CF, "--at", "yesterday"]))
        .code(2);
}

#[test]
fn stale_trust_list_is_cannot_verify() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 400)).to_string();
    env.write("fresh-state.json", "");
    let r = env.run(&[
        "verify",
        "a.txt",
        "--cf",
        CF,
        "--trust",
        "trust.cwt",
        "--root",
        "root.key.pub",
        "--state",
        "other-state.json",
        "--at",
        &at,
        "--json",
    ]);
    let v = r.json();
    assert_eq!(
        (r.code, v["verdict"].as_str()),
        (4, Some("cannot_verify")),
        "{v}"
    );
    assert_eq!(v["reason"], "trust_list_stale");
}

#[test]
fn text_output_in_italian_and_english() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &["--rivedibile", "30/06/2028"]);
    let it = env
        .run(&verify_args("a.txt", &["--cf", CF, "--lang", "it"]))
        .ok();
    for s in [
        "✔ VALIDO",
        "Emittente",
        "Invalidità civile dal 74 % al 99 %",
        "30/06/2028",
        "Assegno mensile di assistenza",
        "Benefici",
    ] {
        assert!(it.stdout.contains(s), "{s:?} missing\n{}", it.stdout);
    }
    let en = env
        .run(&verify_args("a.txt", &["--cf", CF, "--lang", "en"]))
        .ok();
    assert!(
        en.stdout.contains("✔ VALID") && en.stdout.contains("2028-06-30"),
        "{}",
        en.stdout
    );
    // LANG decides when --lang is absent.
    let r = env
        .run_env(
            &verify_args("a.txt", &["--cf", CF_TYPO]),
            &[("LANG", "it_IT.UTF-8")],
        )
        .code(4);
    assert!(r.stdout.contains("NON VERIFICABILE"), "{}", r.stdout);
    assert!(r.stdout.contains("errore di battitura"), "{}", r.stdout);
    // The expected check letter is never revealed.
    assert!(
        !r.stdout.contains("expected") && !r.stdout.contains(" S"),
        "{}",
        r.stdout
    );
    let r = env
        .run(&verify_args("a.txt", &["--cf", OTHER_CF, "--lang", "it"]))
        .code(1);
    assert!(
        r.stdout.contains("✘ NON VALIDO") && r.stdout.contains("non appartiene"),
        "{}",
        r.stdout
    );
    // JSON message in the chosen language, reason and verdict stable.
    let r = env
        .run(&verify_args(
            "a.txt",
            &["--cf", OTHER_CF, "--lang", "it", "--json"],
        ))
        .code(1);
    let v = r.json();
    assert_eq!(v["lang"], "it");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("il codice non appartiene"),
        "{v}"
    );
}

#[test]
fn benefits_of_a_verified_code() {
    let env = Env::new();
    env.setup();
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["benefits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Regression: 100 % listed the assegno mensile beside the pension.
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
        "--kdf-memory-mib",
        "1",
        "--kdf-iterations",
        "1",
        "--out",
        "t.txt",
    ])
    .ok();
    let (_, v) = env.verify_json("t.txt", &["--cf", CF]);
    let b = ids(&v);
    assert!(
        b.contains(&"inability_pension".into()) && !b.contains(&"monthly_allowance".into()),
        "{b:?}"
    );
    for b in v["benefits"].as_array().unwrap() {
        assert!(
            !b["basis"].as_str().unwrap().is_empty() && !b["source"].as_str().unwrap().is_empty(),
            "{b}"
        );
    }
    // Regression: a ventesimista with accompaniment was issued.
    env.run(&[
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        ISSUER,
        "--cf",
        CF,
        "--cecita",
        "ventesimista",
        "--accompagnamento",
        "--kdf-memory-mib",
        "1",
        "--kdf-iterations",
        "1",
        "--out",
        "v.txt",
    ])
    .usage_error(&["accompagnamento"]);
    // Vehicle benefits: stated by --auto, and for deaf holders by status.
    env.run(&[
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        ISSUER,
        "--cf",
        CF,
        "--handicap",
        "grave",
        "--auto",
        "senza-adattamento",
        "--kdf-memory-mib",
        "1",
        "--kdf-iterations",
        "1",
        "--out",
        "h.txt",
    ])
    .ok();
    let (_, v) = env.verify_json("h.txt", &["--cf", CF]);
    assert!(ids(&v).contains(&"vehicle_tax_benefits".into()), "{v}");
    env.run(&[
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        ISSUER,
        "--cf",
        CF,
        "--handicap",
        "grave",
        "--kdf-memory-mib",
        "1",
        "--kdf-iterations",
        "1",
        "--out",
        "g.txt",
    ])
    .ok();
    let (_, v) = env.verify_json("g.txt", &["--cf", CF]);
    assert!(!ids(&v).iter().any(|i| i.starts_with("vehicle")), "{v}");
}

#[test]
fn mostra_stati_shows_no_band_and_keeps_the_length() {
    let env = Env::new();
    env.setup();
    env.issue("b.txt", &["--handicap", "grave"]);
    env.issue("s.txt", &["--handicap", "grave", "--mostra", "stati"]);
    assert_eq!(
        env.read_text("b.txt").trim().len(),
        env.read_text("s.txt").trim().len()
    );
    let (_, v) = env.verify_json("s.txt", &["--cf", CF]);
    assert_eq!(v["statuses_only"], true, "{v}");
    assert_eq!(v["attestation"]["invalidity"], "status_only", "{v}");
    let text = v["statuses"].to_string();
    assert!(!text.contains("74"), "{text}");
    let (_, v) = env.verify_json("b.txt", &["--cf", CF]);
    assert_eq!(v["statuses_only"], false);
    env.run(&issue_args(CF, "x.txt", &["--mostra", "tutto"]))
        .usage_error(&["mostra"]);
}

#[test]
fn second_level_must_agree_with_the_first() {
    let env = Env::new();
    env.setup();
    env.run(&["keygen", "--operator", "--out", "op.key"]).ok();
    env.run(&[
        "trust",
        "add-operator",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
        "--operator",
        "comune-bo",
        "--key",
        "op.key.pub",
    ])
    .ok();
    env.issue("a.txt", &[]);
    let l2 = |pct: &'static str, out: &'static str| {
        vec![
            "issue",
            "--level",
            "2",
            "--operator",
            "comune-bo",
            "--key",
            "issuer.key",
            "--issuer",
            ISSUER,
            "--cf",
            CF,
            "--invalidita",
            pct,
            "--credential",
            "a.txt",
            "--trust",
            "trust.cwt",
            "--root",
            "root.key.pub",
            "--kdf-memory-mib",
            "1",
            "--kdf-iterations",
            "1",
            "--out",
            out,
        ]
    };
    // Regression: a 60 % token was issued for a code saying 74-99 %.
    env.run(&l2("60", "t60.txt"))
        .usage_error(&["invalidita", "contradicts"]);
    assert!(!env.exists("t60.txt"));
    env.run(&l2("75.5", "t75.txt")).ok();
}

#[test]
fn key_kind_is_checked_before_permissions() {
    let env = Env::new();
    env.setup();
    chmod_pub(&env);
    // Regression: first a permissions complaint, then "it is a public key".
    let msg = env
        .run(
            &issue_args(CF, "a.txt", &[])
                .iter()
                .map(|a| {
                    if *a == "issuer.key" {
                        "issuer.key.pub"
                    } else {
                        a
                    }
                })
                .collect::<Vec<_>>(),
        )
        .usage_error(&["is a public key"]);
    assert!(
        !msg.contains("permission") && !msg.contains("mode"),
        "{msg}"
    );
}

fn chmod_pub(env: &Env) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        env.path("issuer.key.pub"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
}

#[test]
fn swapped_trust_and_root_are_named() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    let msg = env
        .run(&[
            "verify",
            "a.txt",
            "--cf",
            CF,
            "--trust",
            "root.key.pub",
            "--root",
            "trust.cwt",
            "--state",
            "s.json",
        ])
        .usage_error(&["swapped"]);
    assert!(!msg.contains("utf-8"), "{msg}");
}

#[test]
fn a_closed_pipe_is_a_quiet_exit() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    for (args, want) in [
        (verify_args("a.txt", &["--cf", CF]), 0),
        (verify_args("a.txt", &["--cf", OTHER_CF]), 1),
        (vec!["completions", "bash"], 0),
        (vec!["man"], 0),
        (vec!["decode", "a.txt"], 0),
    ] {
        // `attesta … | head -1` where the reader has already left: every
        // write meets a closed pipe.
        let mut child = Command::new(env!("CARGO_BIN_EXE_attesta"))
            .current_dir(env.dir())
            .env("ATTESTA_STATE_DIR", env.path("state-dir"))
            .env("LANG", "en_GB.UTF-8")
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        // verify keeps its verdict's exit code; the others exit 0.
        assert_eq!(out.status.code(), Some(want), "{args:?}: {stderr}");
    }
}
