//! `attesta status`: creating, showing and revoking in status lists.

use crate::common::*;

#[test]
fn status_revoke_reads_images_and_stdin_and_checks_the_key() {
    let env = Env::new();
    env.setup();
    env.issue("a.png", &["--status-list", "s.cwt"]);
    env.issue("b.txt", &["--status-list", "s.cwt"]);
    env.issue("plain.txt", &[]);
    let revoke = |cred: &'static str, key: &'static str| {
        vec![
            "status",
            "revoke",
            "--key",
            key,
            "--list",
            "s.cwt",
            "--credential",
            cred,
        ]
    };
    env.run(&revoke("a.png", "issuer.key")).ok();
    env.run_stdin(&revoke("-", "issuer.key"), env.read_text("b.txt"))
        .ok();
    let v = env.run(&["status", "show", "s.cwt", "--json"]).ok().json();
    assert_eq!(v["revoked"], 2);
    for f in ["a.png", "b.txt"] {
        let (_, v) = env.verify_json(f, &["--cf", CF, "--status-list", "s.cwt"]);
        assert_reason(&v, "revoked");
    }
    // A code without an index cannot be revoked; say what to do instead.
    env.run(&revoke("plain.txt", "issuer.key"))
        .usage_error(&["without a status list index", "deny"]);
    // Another issuer key neither signs this list nor issued the code.
    env.keygen("other.key");
    env.run(&revoke("b.txt", "other.key"))
        .usage_error(&["s.cwt is signed by another key"]);
}

#[test]
fn status_create_and_show() {
    let env = Env::new();
    let (_, issuer_kid) = env.setup();
    env.run(&[
        "status",
        "create",
        "--key",
        "issuer.key",
        "--list",
        "s.cwt",
        "--uri",
        "7",
        "--capacity",
        "1024",
    ])
    .ok();
    assert!(env.exists("s.cwt.alloc"));
    let r = env.run(&["status", "show", "s.cwt"]).ok();
    for s in [
        "signature not checked",
        "uri:       7",
        &format!("kid {issuer_kid}"),
        "entries:   1024",
        "revoked:   0",
    ] {
        assert!(r.stdout.contains(s), "stdout lacks {s:?}:\n{}", r.stdout);
    }
    let v = env.run(&["status", "show", "s.cwt", "--json"]).ok().json();
    assert_eq!(v["uri"], "7");
    assert_eq!(v["capacity"], 1024);
    assert_eq!(v["bits"], 1);
    assert_eq!(v["revoked"], 0);
    assert!(v["expires_at"].is_string());
    // Codes issued with it carry its uri.
    env.issue("a.txt", &["--status-list", "s.cwt"]);
    let d = env.run(&["decode", "a.txt", "--json"]).ok().json();
    assert_eq!(d["claims"]["status (65535)"]["status_list"]["uri"], "7");
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");

    // No overwrite without --force.
    let create = ["status", "create", "--key", "issuer.key", "--list", "s.cwt"];
    env.run(&create).usage_error(&["already exists", "--force"]);
    let mut forced = create.to_vec();
    forced.push("--force");
    env.run(&forced).ok();
    // Errors.
    env.run(&["status", "show", "trust.cwt"])
        .usage_error(&["trust.cwt is not a status list"]);
    env.run(&["status", "show", "missing.cwt"])
        .usage_error(&["missing.cwt does not exist"]);
}

// ---------------------------------------------------------------- completions, man, help
