//! Integration tests of the `attesta` command: every command, every exit
//! code of the contract (issue 4), and the messages users see.
//!
//! Exit codes: 0 success / valid, 1 not valid / not decodable, 2 usage or
//! I/O error (3, batch with rejected rows, is covered in `batch.rs`).
//!
//! Each test runs in its own temporary directory with the verifier state
//! inside it (see `common`), and issues with cheap KDF parameters except
//! `issue_with_default_kdf_parameters_verifies`.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

/// A real EU Digital COVID Certificate test code: Italy's vaccination
/// example `IT/2DCode/raw/1.json` ("PREFIX") of the public test data in
/// eu-digital-green-certificates/dgc-testdata.
const EU_DCC_IT: &str = "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY:GQ3TE2I+-CPHN6D7LLK*2HG%89UV-0LZ 2ZJJ524-LH/CJTK96L6SR9MU9DHGZ%P WUQRENS431T1XCNCF+47AY0-IFO0500TGPN8F5G.41Q2E4T8ALW.INSV$ 07UV5SR+BNQHNML7 /KD3TU 4V*CAT3ZGLQMI/XI%ZJNSBBXK2:UG%UJMI:TU+MMPZ5$/PMX19UE:-PSR3/$NU44CBE6DQ3D7B0FBOFX0DV2DGMB$YPF62I$60/F$Z2I6IFX21XNI-LM%3/DF/U6Z9FEOJVRLVW6K$UG+BKK57:1+D10%4K83F+1VWD1NE";

fn mode(env: &Env, name: &str) -> u32 {
    std::fs::metadata(env.path(name))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn chmod(env: &Env, name: &str, m: u32) {
    std::fs::set_permissions(env.path(name), std::fs::Permissions::from_mode(m)).unwrap();
}

#[track_caller]
fn assert_reason(v: &Value, reason: &str) {
    assert_eq!(v["valid"], Value::Bool(false), "{v}");
    assert_eq!(v["reason"], reason, "{v}");
    let msg = v["message"].as_str().expect("message");
    assert!(
        !msg.is_empty() && !msg.contains('\n'),
        "message must be one line: {msg:?}"
    );
}

#[track_caller]
fn assert_valid(v: &Value) {
    assert_eq!(v["valid"], Value::Bool(true), "{v}");
    assert_eq!(v["reason"], Value::Null, "{v}");
}

fn trust_json(env: &Env, file: &str) -> Value {
    env.run(&["trust", "show", file, "--root", "root.key.pub", "--json"])
        .ok()
        .json()
}

fn rfc3339_in(hours: i64) -> String {
    (Timestamp::now() + SignedDuration::from_hours(hours)).to_string()
}

/// Lines and decoded seed of an unencrypted Ed25519 PKCS#8 key: the
/// 32-byte seed follows the OCTET STRING header 04 20 inside 04 22.
fn private_material(pem: &str) -> (Vec<String>, Option<String>) {
    let body = pem_body_lines(pem);
    let der = base64_decode(&body.concat());
    let seed = der
        .windows(4)
        .position(|w| w == [0x04, 0x22, 0x04, 0x20])
        .and_then(|i| der.get(i + 4..i + 36))
        .map(hex);
    (body, seed)
}

#[track_caller]
fn assert_no_private_material(r: &Run, pem: &str) {
    let (lines, seed) = private_material(pem);
    for l in &lines {
        assert!(
            !r.stdout.contains(l.as_str()) && !r.stderr.contains(l.as_str()),
            "private key PEM line printed: {l}"
        );
    }
    if let Some(seed) = seed {
        for out in [&r.stdout, &r.stderr] {
            assert!(
                !out.to_ascii_lowercase().contains(&seed),
                "private key seed printed"
            );
        }
    }
}

// ---------------------------------------------------------------- demo

#[test]
fn demo_runs_the_whole_flow_and_writes_its_files() {
    let env = Env::new();
    let r = env
        .run(&["demo", "--dir", "demo"])
        .ok()
        .stdout_has("demo OK")
        .stdout_has("VALID")
        .stdout_has("secret_required")
        .stdout_has("cf_or_secret_mismatch")
        // Both were given: re-check them, not "give the secret".
        .stdout_has("re-check the values given with --cf and --segreto");
    // The demo's code has a holder's secret: printed, and in its file.
    let secret = env.read_text("demo/attestazione.pdf.segreto");
    let secret = secret.trim().to_owned();
    assert!(
        r.stdout.contains(&format!("holder's secret: {secret}")),
        "{}",
        r.stdout
    );
    assert_eq!(mode(&env, "demo/attestazione.pdf.segreto"), 0o600);
    for f in [
        "attestazione.pdf",
        "attestazione.png",
        "attestazione.txt",
        "trust.cwt",
        "root.key",
        "root.key.pub",
        "issuer.key",
        "issuer.key.pub",
    ] {
        assert!(env.exists(&format!("demo/{f}")), "demo did not write {f}");
    }
    assert_eq!(mode(&env, "demo/root.key"), 0o600);
    assert_eq!(mode(&env, "demo/issuer.key"), 0o600);
    assert!(env.read("demo/attestazione.pdf").starts_with(b"%PDF"));
    assert!(env.read_text("demo/attestazione.txt").starts_with("AT1:"));
    // What the demo tells the user to try works as printed.
    env.run(&[
        "verify",
        "demo/attestazione.png",
        "--cf",
        CF,
        "--segreto",
        &secret,
        "--trust",
        "demo/trust.cwt",
        "--root",
        "demo/root.key.pub",
        "--status-list",
        "demo/status-1.cwt",
        "--state",
        "state.json",
    ])
    .ok()
    .stdout_has("VALID");
    assert!(
        env.temp_leftovers().is_empty(),
        "{:?}",
        env.temp_leftovers()
    );
}

// ---------------------------------------------------------------- keys

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

#[test]
fn trust_add_issuer_creates_the_list_then_resigns_with_a_higher_sequence() {
    let env = Env::new();
    env.keygen("root.key");
    let k1 = env.keygen("issuer.key");
    let k2 = env.keygen("issuer2.key");
    let add = |id: &str, key: &str| {
        env.run(&[
            "trust",
            "add-issuer",
            "--root-key",
            "root.key",
            "--trust",
            "trust.cwt",
            "--issuer",
            id,
            "--key",
            key,
        ])
    };
    assert!(!env.exists("trust.cwt"));
    add("INPS", "issuer.key.pub").ok().stderr_has("sequence 1");
    let v1 = trust_json(&env, "trust.cwt");
    assert_eq!(v1["verified"], true);
    let seq1 = v1["seq"].as_u64().unwrap();
    assert_eq!(v1["issuers"].as_array().unwrap().len(), 1);

    add("INPS-2", "issuer2.key.pub").ok();
    let v2 = trust_json(&env, "trust.cwt");
    assert!(v2["seq"].as_u64().unwrap() > seq1, "{v1}\n{v2}");
    let issuers = v2["issuers"].as_array().unwrap();
    let kids: Vec<&str> = issuers.iter().map(|i| i["kid"].as_str().unwrap()).collect();
    let ids: Vec<&str> = issuers.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(kids, [k1.as_str(), k2.as_str()]);
    assert_eq!(ids, ["INPS", "INPS-2"]);

    // The same key twice is refused, and the list is left as it was.
    let before = env.read("trust.cwt");
    add("INPS", "issuer.key.pub").usage_error(&["already in the trust list"]);
    assert_eq!(env.read("trust.cwt"), before);
    assert!(env.temp_leftovers().is_empty());
}

#[test]
fn trust_valid_days_out_of_range_is_a_usage_error_not_a_panic() {
    let env = Env::new();
    env.keygen("root.key");
    env.keygen("issuer.key");
    // Regression: a validity beyond the year 9999 used to panic (exit 101).
    env.run(&[
        "trust",
        "add-issuer",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
        "--issuer",
        ISSUER,
        "--key",
        "issuer.key.pub",
        "--valid-days",
        "4000000000",
    ])
    .usage_error(&["--valid-days 4000000000", "such as 30"]);
    assert!(!env.exists("trust.cwt"));
    env.run(&[
        "trust",
        "add-issuer",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
        "--issuer",
        ISSUER,
        "--key",
        "issuer.key.pub",
        "--valid-days",
        "7",
    ])
    .ok();
    let v = trust_json(&env, "trust.cwt");
    let iat: Timestamp = v["issued_at"].as_str().unwrap().parse().unwrap();
    let exp: Timestamp = v["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(exp.duration_since(iat), SignedDuration::from_hours(7 * 24));
}

#[test]
fn trust_show_without_root_says_the_signature_was_not_checked() {
    let env = Env::new();
    let (_, issuer) = env.setup();
    env.run(&["trust", "show", "trust.cwt"])
        .ok()
        .stdout_has("signature NOT checked")
        .stdout_has("--root")
        .stdout_has(&issuer);
    let v = env
        .run(&["trust", "show", "trust.cwt", "--json"])
        .ok()
        .json();
    assert_eq!(v["verified"], false);
    env.run(&["trust", "show", "trust.cwt", "--root", "root.key.pub"])
        .ok()
        .stdout_has("signature verified");
    // Under another root key it does not verify: exit 2, not a display.
    env.keygen("other-root.key");
    env.run(&["trust", "show", "trust.cwt", "--root", "other-root.key.pub"])
        .usage_error(&["does not verify"]);
    env.run(&["trust", "show", "missing.cwt"])
        .usage_error(&["missing.cwt does not exist"]);
}

#[test]
fn trust_add_issuer_with_a_root_key_that_did_not_sign_the_list_fails() {
    let env = Env::new();
    env.setup();
    env.keygen("other-root.key");
    env.keygen("issuer2.key");
    let before = env.read("trust.cwt");
    env.run(&[
        "trust",
        "add-issuer",
        "--root-key",
        "other-root.key",
        "--trust",
        "trust.cwt",
        "--issuer",
        "X",
        "--key",
        "issuer2.key.pub",
    ])
    .usage_error(&["trust.cwt is not a trust list signed by this root key"]);
    assert_eq!(env.read("trust.cwt"), before, "the list was rewritten");
}

#[test]
fn trust_deny_makes_codes_of_that_key_fail_with_denied_kid() {
    let env = Env::new();
    let (_, issuer_kid) = env.setup();
    env.issue("a.txt", &[]);
    let (code, v) = env.verify_json("a.txt", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");

    env.run(&[
        "trust",
        "deny",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
        "--kid",
        &issuer_kid,
    ])
    .ok()
    .stderr_has(&format!("removed issuer '{ISSUER}' key {issuer_kid}"));
    // The denylist names the key by its full fingerprint, not its kid.
    let t = trust_json(&env, "trust.cwt");
    assert_eq!(t["denied"], serde_json::json!([]), "{t}");
    let fp = t["denied_keys"][0].as_str().expect("a denied fingerprint");
    assert!(fp.len() == 64 && fp.starts_with(&issuer_kid), "{t}");
    let (code, v) = env.verify_json("a.txt", &["--cf", CF]);
    assert_eq!(code, 1);
    assert_reason(&v, "denied_kid");
    // Without --cf too: the key check comes first.
    let (_, v) = env.verify_json("a.txt", &[]);
    assert_reason(&v, "denied_kid");
    // A denied key can never be added back.
    env.run(&[
        "trust",
        "add-issuer",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
        "--issuer",
        ISSUER,
        "--key",
        "issuer.key.pub",
    ])
    .usage_error(&["denylist"]);
    // Not a kid.
    env.run(&[
        "trust",
        "deny",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
        "--kid",
        "xyz",
    ])
    .usage_error(&["'xyz' is not a kid", "attesta key show"]);
}

#[test]
fn trust_retire_issuer_keeps_earlier_codes_valid_and_refuses_later_ones() {
    let env = Env::new();
    let (_, issuer_kid) = env.setup();
    // Issued while the key is current.
    env.issue("before.txt", &[]);
    env.run(&[
        "trust",
        "retire-issuer",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
        "--kid",
        &issuer_kid,
    ])
    .ok()
    .stderr_has("stay valid");
    let t = trust_json(&env, "trust.cwt");
    assert!(t["issuers"][0]["valid_until"].is_string(), "{t}");
    // Times are whole seconds: be sure the next code is issued after the
    // retirement time.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    env.issue("after.txt", &[]);

    // Verified now, i.e. after the retirement (and with the retiring list's
    // issue time as the verifier's clock floor).
    let (code, v) = env.verify_json("before.txt", &["--cf", CF]);
    assert_eq!(code, 0, "{v}");
    assert_valid(&v);
    let (code, v) = env.verify_json("after.txt", &["--cf", CF]);
    assert_eq!(code, 1);
    assert_reason(&v, "key_not_valid_at_issuance");
    // The retired key cannot be retired twice or unknown kids retired.
    env.run(&[
        "trust",
        "retire-issuer",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
        "--kid",
        "00000000",
    ])
    .usage_error(&["00000000", "not in the trust list"]);
}

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
fn decode_reads_png_text_and_stdin() {
    let env = Env::new();
    env.setup();
    env.issue("a.png", &[]);
    env.issue("a.txt", &["--status-list", "s.cwt"]);
    for input in ["a.png", "a.txt"] {
        env.run(&["decode", input])
            .ok()
            .stdout_has("NOT VERIFIED")
            .stdout_has("prefix:      AT1:")
            .stdout_has("claims:")
            .stdout_has("cti (7)")
            .stdout_has("exp (4)");
        let v = env.run(&["decode", input, "--json"]).ok().json();
        assert_eq!(v["decoded"], true);
        assert_eq!(v["verified"], false);
        assert_eq!(v["prefix"], "AT1:");
        assert!(v["claims"]["iat (6)"].is_i64(), "{v}");
    }
    let text = env.read_text("a.txt");
    env.run_stdin(&["decode", "-"], text.clone())
        .ok()
        .stdout_has("prefix:      AT1:")
        .stdout_has("status (65535)");
    // The claims never include the holder's data in clear.
    let r = env.run_stdin(&["decode", "-", "--json"], text).ok();
    assert!(!r.stdout.contains(CF));
    assert!(!r.stdout.contains("invalidity"));
}

#[test]
fn decode_refuses_text_that_is_not_a_code() {
    let env = Env::new();
    env.write("random.txt", "hello world, not a code\n");
    let msg = env.run(&["decode", "random.txt"]).code(1).one_line_error();
    assert!(msg.contains("random.txt"), "{msg}");
    assert!(msg.contains("AT1:") && msg.contains("HC1:"), "{msg}");
    // Regression: it used to advise `attesta decode`, the command being run.
    assert!(!msg.contains("attesta decode"), "{msg}");
    let r = env
        .run_stdin(&["decode", "-", "--json"], "hello world")
        .code(1);
    let v = r.json();
    assert_eq!(v["decoded"], false);
    assert_eq!(v["reason"], "bad_prefix");
    assert!(v["message"].is_string());
    // A damaged attestation.
    env.run_stdin(&["decode", "-"], "AT1:NOT*BASE45~").code(1);
    env.write("empty.txt", "");
    env.run(&["decode", "empty.txt"]).code(1).one_line_error();
    env.write("two.txt", "AT1:ABC\nAT1:DEF\n");
    env.run(&["decode", "two.txt"]).code(1).one_line_error();
}

#[test]
fn decode_shows_an_eu_dcc_hcert() {
    let env = Env::new();
    env.write("dcc.txt", format!("{EU_DCC_IT}\n"));
    env.run(&["decode", "dcc.txt"])
        .ok()
        .stdout_has("prefix:      HC1:")
        .stdout_has("EU Digital COVID Certificate")
        .stdout_has("zlib-compressed")
        .stdout_has("hcert (-260)")
        .stdout_has("ES256");
    let v = env
        .run_stdin(&["decode", "-", "--json"], EU_DCC_IT)
        .ok()
        .json();
    assert_eq!(v["decoded"], true);
    assert_eq!(v["prefix"], "HC1:");
    assert_eq!(v["compressed"], true);
    let hcert = &v["claims"]["hcert (-260)"]["1"];
    assert_eq!(hcert["ver"], "1.0.0", "{v}");
    assert_eq!(hcert["v"][0]["co"], "IT");
    assert_eq!(v["claims"]["iss (1)"], "IT");
}

#[test]
fn decode_an_image_without_a_qr_code_exits_1() {
    let env = Env::new();
    image::GrayImage::from_pixel(200, 200, image::Luma([255u8]))
        .save(env.path("blank.png"))
        .unwrap();
    env.run(&["decode", "blank.png"]).code(1).one_line_error();
    let v = env.run(&["decode", "blank.png", "--json"]).code(1).json();
    assert_eq!(v["decoded"], false);
    assert_eq!(v["reason"], "no_readable_code");
    // A damaged PNG is not a code either.
    env.write("broken.png", b"\x89PNG\r\n\x1a\nbroken");
    env.run(&["decode", "broken.png"]).code(1).one_line_error();
}

#[test]
fn decode_a_missing_file_exits_2() {
    let env = Env::new();
    env.run(&["decode", "missing.png"])
        .usage_error(&["missing.png does not exist", "check the path"]);
    env.run(&["decode", "missing.png", "--json"]).code(2);
}

// ---------------------------------------------------------------- verify

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
            .contains("2 attestation codes"),
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

#[test]
fn completions_and_man_page() {
    let env = Env::new();
    let r = env.run(&["completions", "bash"]).ok();
    assert!(r.stdout.len() > 1000, "{}", r.stdout);
    assert!(r.stdout.contains("attesta"));
    for shell in ["zsh", "fish"] {
        let r = env.run(&["completions", shell]).ok();
        assert!(!r.stdout.is_empty());
    }
    env.run(&["completions", "cmd.exe"]).code(2);
    let r = env.run(&["man"]).ok();
    assert!(
        r.stdout.contains(".TH"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    assert!(r.stdout.contains("attesta"));
    env.run(&["man", "--out-dir", "man"]).ok();
    assert!(env.exists("man/attesta.1"));
    assert!(env.exists("man/attesta-verify.1"));
}

/// The subcommand names listed under "Commands:" in a help text.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_help_shows_an_example() {
    let env = Env::new();
    let top = env.run(&["--help"]).ok();
    let mut queue: Vec<Vec<String>> = subcommands(&top.stdout)
        .into_iter()
        .map(|c| vec![c])
        .collect();
    assert!(queue.len() >= 10, "{}", top.stdout);
    let mut seen = 0;
    let mut missing = Vec::new();
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = env.run(&args).ok();
        if !r.stdout.contains("Example") {
            missing.push(path.join(" "));
        }
        for sub in subcommands(&r.stdout) {
            let mut p = path.clone();
            p.push(sub);
            queue.push(p);
        }
        seen += 1;
    }
    assert!(seen >= 20, "only {seen} commands found");
    assert!(missing.is_empty(), "--help without an example: {missing:?}");
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.run(&[]).code(2);
    env.run(&["frobnicate"]).code(2);
    env.run(&["verify"]).code(2);
    env.run(&["--version"]).ok().stdout_has("attesta");
}

// ---------------------------------------------------------------- PDF render and scan

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
