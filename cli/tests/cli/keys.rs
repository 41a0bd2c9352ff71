//! `attesta keygen` and `attesta key show`: key files, passphrases, permissions.

use crate::common::*;

#[test]
fn keygen_writes_a_0600_private_key_and_a_public_key_and_prints_the_kid() {
    let env = Env::new();
    let r = env.run(&["keygen", "--out", "k.key"]).ok();
    let kid = r.stdout.trim();
    assert!(
        is_kid(kid),
        "stdout should be the kid alone: {:?}",
        r.stdout
    );
    assert_eq!(r.stdout.lines().count(), 1);
    assert_eq!(mode(&env, "k.key"), 0o600);
    let pem = env.read_text("k.key");
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    assert!(
        env.read_text("k.key.pub")
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    // key show agrees on the kid, for both files.
    for f in ["k.key", "k.key.pub"] {
        env.run(&["key", "show", f])
            .ok()
            .stdout_has(&format!("kid:        {kid}"));
    }
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let env = Env::new();
    let kid = env.keygen("k.key");
    let before = env.read("k.key");
    env.run(&["keygen", "--out", "k.key"])
        .usage_error(&["k.key already exists", "--force"]);
    assert_eq!(env.read("k.key"), before, "the key was changed");
    // Also when only the .pub exists.
    env.write("p.key.pub", "x");
    env.run(&["keygen", "--out", "p.key"])
        .usage_error(&["p.key.pub", "--force"]);
    assert!(!env.exists("p.key"), "a private key was written anyway");

    let r = env.run(&["keygen", "--out", "k.key", "--force"]).ok();
    let kid2 = r.stdout.trim();
    assert!(is_kid(kid2));
    assert_ne!(kid2, kid, "--force should write a new key");
    assert_ne!(env.read("k.key"), before);
    assert_eq!(mode(&env, "k.key"), 0o600);
    env.run(&["key", "show", "k.key.pub"]).ok().stdout_has(kid2);
    assert!(env.temp_leftovers().is_empty());
}

#[test]
fn passphrase_from_the_environment_encrypts_the_key() {
    let env = Env::new();
    let pass = [("ATTESTA_PASSPHRASE", "correct horse")];
    let kid = env
        .run_env(&["keygen", "--out", "issuer.key"], &pass)
        .ok()
        .stderr_has("passphrase-protected")
        .stdout
        .trim()
        .to_owned();
    let pem = env.read_text("issuer.key");
    assert!(
        pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{pem}"
    );
    assert_eq!(mode(&env, "issuer.key"), 0o600);

    // Without the passphrase: a clear message naming both ways to give it.
    let out = issue_args(CF, "-", &[]);
    env.run(&out).usage_error(&[
        "issuer.key",
        "passphrase-protected",
        "--passphrase-file",
        "ATTESTA_PASSPHRASE",
    ]);
    env.run(&["key", "show", "issuer.key"])
        .usage_error(&["passphrase-protected"]);
    // A wrong one.
    env.run_env(&out, &[("ATTESTA_PASSPHRASE", "wrong")])
        .usage_error(&["wrong passphrase"]);
    // The right one.
    let r = env.run_env(&out, &pass).ok();
    assert!(r.stdout.starts_with("AT1:"));
    let r = env.run_env(&["key", "show", "issuer.key"], &pass).ok();
    assert!(r.stdout.contains(&kid));
    for l in pem_body_lines(&pem) {
        assert!(!r.stdout.contains(&l) && !r.stderr.contains(&l));
    }
}

#[test]
fn passphrase_file_protects_and_unlocks_the_key() {
    let env = Env::new();
    env.write_secret("pass.txt", "s3cret phrase\nignored second line\n");
    env.run(&["keygen", "--out", "k.key", "--passphrase-file", "pass.txt"])
        .ok();
    assert!(env.read_text("k.key").contains("ENCRYPTED PRIVATE KEY"));
    env.run(&["key", "show", "k.key"])
        .usage_error(&["passphrase-protected"]);
    env.run(&["key", "show", "k.key", "--passphrase-file", "pass.txt"])
        .ok()
        .stdout_has("Ed25519");
    // Only the first line is the passphrase.
    env.write_secret("first-line.txt", "s3cret phrase");
    env.run(&[
        "key",
        "show",
        "k.key",
        "--passphrase-file",
        "first-line.txt",
    ])
    .ok();
    env.write_secret("other.txt", "another phrase\n");
    env.run(&["key", "show", "k.key", "--passphrase-file", "other.txt"])
        .usage_error(&["wrong passphrase"]);
    env.run(&["key", "show", "k.key", "--passphrase-file", "missing.txt"])
        .usage_error(&["missing.txt"]);
    // A passphrase file other users can read is refused, like a key.
    chmod(&env, "pass.txt", 0o644);
    env.run(&["key", "show", "k.key", "--passphrase-file", "pass.txt"])
        .usage_error(&["passphrase file pass.txt", "other users", "chmod 600"]);
    env.run(&[
        "key",
        "show",
        "k.key",
        "--passphrase-file",
        "pass.txt",
        "--insecure-permissions",
    ])
    .ok();
    chmod(&env, "pass.txt", 0o640);
    env.run(&["keygen", "--out", "k2.key", "--passphrase-file", "pass.txt"])
        .usage_error(&["passphrase file pass.txt"]);
    assert!(!env.exists("k2.key"));
}

/// The help examples do not put a passphrase on the command line (where it
/// would stay in the shell's history): keygen asks for it twice, or reads a
/// file.
#[test]
fn keygen_help_keeps_passphrases_out_of_the_command_line() {
    let env = Env::new();
    for cmd in [&["keygen", "--help"][..], &["--help"], &["issue", "--help"]] {
        let r = env.run(cmd).ok();
        assert!(!r.stdout.contains("ATTESTA_PASSPHRASE="), "{}", r.stdout);
    }
    env.run(&["keygen", "--help"])
        .ok()
        .stdout_has("asks for a passphrase, twice")
        .stdout_has("--passphrase-file root.pass");
}

#[test]
fn key_show_prints_public_facts_never_private_material() {
    let env = Env::new();
    let kid = env.keygen("k.key");
    let pem = env.read_text("k.key");
    let (_, seed) = private_material(&pem);
    assert!(seed.is_some(), "test cannot find the seed in {pem}");
    let public_hex = {
        let r = env.run(&["key", "show", "k.key.pub"]).ok();
        assert_no_private_material(&r, &pem);
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix("public key: "))
            .unwrap()
            .to_owned()
    };
    let r = env.run(&["key", "show", "k.key"]).ok();
    assert!(r.stdout.contains("Ed25519"), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("kid:        {kid}")));
    assert!(r.stdout.contains(&public_hex));
    assert!(r.stdout.contains("private part not shown"));
    assert_no_private_material(&r, &pem);

    env.write("not-a-key.txt", "hello");
    env.run(&["key", "show", "not-a-key.txt"])
        .usage_error(&["not a PEM key file", "attesta keygen"]);
    env.run(&["key", "show", "missing.key"])
        .usage_error(&["missing.key does not exist"]);
}

#[test]
fn world_readable_private_key_is_refused_unless_insecure_permissions() {
    let env = Env::new();
    env.setup();
    chmod(&env, "issuer.key", 0o644);
    env.run(&["key", "show", "issuer.key"]).usage_error(&[
        "issuer.key",
        "chmod 600",
        "--insecure-permissions",
    ]);
    env.run(&issue_args(CF, "a.txt", &[]))
        .usage_error(&["chmod 600"]);
    assert!(!env.exists("a.txt"));
    env.run(&["key", "show", "issuer.key", "--insecure-permissions"])
        .ok();
    env.issue("a.txt", &["--insecure-permissions"]);
    // Public keys may be world-readable.
    assert_eq!(mode(&env, "issuer.key.pub") & 0o044, 0o044);
    env.run(&["key", "show", "issuer.key.pub"]).ok();
    chmod(&env, "issuer.key", 0o600);
    env.issue("b.txt", &[]);
}

#[test]
fn key_show_checks_operator_keys_like_signing_keys() {
    let env = Env::new();
    env.write_secret("pass.txt", "operator phrase\n");
    let public_hex = env
        .run(&[
            "keygen",
            "--operator",
            "--out",
            "op.key",
            "--passphrase-file",
            "pass.txt",
        ])
        .ok()
        .stdout
        .trim()
        .to_owned();
    let pem = env.read_text("op.key");
    assert!(pem.contains("ENCRYPTED PRIVATE KEY"), "{pem}");
    // Encrypted and unreadable by others: shown only with the passphrase.
    let r = env
        .run(&["key", "show", "op.key", "--passphrase-file", "pass.txt"])
        .ok()
        .stdout_has("X25519")
        .stdout_has(&public_hex);
    assert_no_private_material(&r, &pem);
    env.run(&["key", "show", "op.key"])
        .usage_error(&["passphrase-protected"]);
    env.write_secret("other.txt", "another phrase\n");
    env.run(&["key", "show", "op.key", "--passphrase-file", "other.txt"])
        .usage_error(&["wrong passphrase"]);
    // The mode is checked before any passphrase, for an encrypted key too.
    chmod(&env, "op.key", 0o640);
    env.run(&["key", "show", "op.key", "--passphrase-file", "pass.txt"])
        .usage_error(&["op.key", "chmod 600", "--insecure-permissions"]);
    env.run(&[
        "key",
        "show",
        "op.key",
        "--passphrase-file",
        "pass.txt",
        "--insecure-permissions",
    ])
    .ok()
    .stdout_has(&public_hex);

    env.run(&["keygen", "--operator", "--out", "plain.key"])
        .ok();
    chmod(&env, "plain.key", 0o604);
    env.run(&["key", "show", "plain.key"])
        .usage_error(&["chmod 600"]);
    env.run(&["key", "show", "plain.key", "--insecure-permissions"])
        .ok()
        .stdout_has("X25519");
}

// ---------------------------------------------------------------- trust
