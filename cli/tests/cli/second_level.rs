//! Second-level tokens through the CLI: operator keys, accreditation,
//! issuing a token for one operator, and every refusal an operator meets.

use crate::common::{CF, Env, FAST_KDF, OTHER_CF, verify_args};

/// Root, issuer, trust list with the issuer, two accredited operators, a
/// first-level code `l1.txt` with a status-list index, and a token for
/// `comune-bo` in `token.txt`.
fn setup() -> Env {
    let env = Env::new();
    env.setup();
    for id in ["comune-bo", "museo-x"] {
        let key = format!("{id}.key");
        let r = env.run(&["keygen", "--operator", "--out", &key]).ok();
        assert_eq!(r.stdout.trim().len(), 64, "prints the public key in hex");
        env.run(&[
            "trust",
            "add-operator",
            "--root-key",
            "root.key",
            "--trust",
            "trust.cwt",
            "--operator",
            id,
            "--key",
            &format!("{key}.pub"),
        ])
        .ok();
    }
    env.issue(
        "l1.txt",
        &[
            "--status-list",
            "sl.cwt",
            "--handicap",
            "grave",
            "--disabilita",
        ],
    );
    issue_token(&env, "token.txt", "comune-bo", CF).ok();
    env
}

fn issue_token(env: &Env, out: &str, operator: &str, cf: &str) -> crate::common::Run {
    issue_token_with(env, out, operator, cf, &[])
}

fn issue_token_with(
    env: &Env,
    out: &str,
    operator: &str,
    cf: &str,
    extra: &[&str],
) -> crate::common::Run {
    let mut a = vec![
        "issue",
        "--level",
        "2",
        "--operator",
        operator,
        "--key",
        "issuer.key",
        "--issuer",
        "INPS",
        "--cf",
        cf,
        "--invalidita",
        "75.5",
        "--handicap",
        "grave",
        "--l68-percent",
        "80",
        "--credential",
        "l1.txt",
        "--trust",
        "trust.cwt",
        "--root",
        "root.key.pub",
        "--out",
        out,
    ];
    a.extend(FAST_KDF);
    a.extend(extra);
    env.run(&a)
}

fn verify_token(
    env: &Env,
    input: &str,
    operator_key: &str,
    extra: &[&str],
) -> (i32, serde_json::Value) {
    let mut a = vec!["--operator-key", operator_key, "--cf", CF];
    a.extend(extra);
    env.verify_json(input, &a)
}

#[test]
fn the_addressee_opens_the_details() {
    let env = setup();
    let text = env.read_text("token.txt");
    assert!(text.starts_with("AD1:"));
    let (code, v) = verify_token(
        &env,
        "token.txt",
        "comune-bo.key",
        &["--status-list", "sl.cwt"],
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["level"], 2);
    assert_eq!(v["operator"], "comune-bo");
    assert_eq!(v["details"]["invalidity_percent"], 7550);
    assert_eq!(v["details"]["l68_percent"], 8000);
    assert_eq!(v["details"]["handicap"], "comma3_grave");
    // Human output too.
    env.run(&verify_args(
        "token.txt",
        &["--cf", CF, "--operator-key", "comune-bo.key"],
    ))
    .ok()
    .stdout_has("75.50 %");
}

#[test]
fn another_operator_is_refused_with_wrong_audience() {
    let env = setup();
    let (code, v) = verify_token(&env, "token.txt", "museo-x.key", &[]);
    assert_eq!(
        (code, v["reason"].as_str()),
        (1, Some("wrong_audience")),
        "{v}"
    );
}

#[test]
fn an_unaccredited_operator_key_is_refused() {
    let env = setup();
    env.run(&["keygen", "--operator", "--out", "rogue.key"])
        .ok();
    let (code, v) = verify_token(&env, "token.txt", "rogue.key", &[]);
    assert_eq!(
        (code, v["reason"].as_str()),
        (4, Some("operator_not_accredited")),
        "{v}"
    );
}

#[test]
fn the_wrong_cf_does_not_open_the_inner_layer() {
    let env = setup();
    let mut a = crate::common::verify_args(
        "token.txt",
        &["--operator-key", "comune-bo.key", "--cf", OTHER_CF],
    );
    a.push("--json");
    let r = env.run(&a).code(1);
    assert_eq!(r.json()["reason"], "cf_mismatch");
}

#[test]
fn revoking_the_first_level_revokes_the_token() {
    let env = setup();
    env.run(&[
        "status",
        "revoke",
        "--key",
        "issuer.key",
        "--list",
        "sl.cwt",
        "--credential",
        "l1.txt",
    ])
    .ok();
    let (code, v) = verify_token(
        &env,
        "token.txt",
        "comune-bo.key",
        &["--status-list", "sl.cwt"],
    );
    assert_eq!((code, v["reason"].as_str()), (1, Some("revoked")), "{v}");
}

#[test]
fn an_expired_token_is_refused() {
    let env = setup();
    issue_token_with(&env, "short.txt", "comune-bo", CF, &["--valid-days", "1"]).ok();
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 3)).to_string();
    let (code, v) = verify_token(&env, "short.txt", "comune-bo.key", &["--at", &at]);
    assert_eq!((code, v["reason"].as_str()), (1, Some("expired")), "{v}");
}

#[test]
fn a_tampered_token_is_refused() {
    let env = setup();
    let text = env.read_text("token.txt");
    let text = text.trim();
    // Change one base45 character near the end: the last 64 bytes (about
    // 96 characters) are the signature, so the structure stays readable.
    let mid = text.len() - 10;
    let c = text.as_bytes()[mid];
    let repl = if c == b'0' { '1' } else { '0' };
    let tampered = format!("{}{}{}", &text[..mid], repl, &text[mid + 1..]);
    env.write("bad.txt", tampered);
    let (code, v) = verify_token(&env, "bad.txt", "comune-bo.key", &[]);
    assert_eq!(code, 1, "{v}");
    let reason = v["reason"].as_str().unwrap();
    assert!(
        [
            "bad_signature",
            "bad_base45",
            "malformed_cose",
            "malformed_cbor"
        ]
        .contains(&reason),
        "{reason}"
    );
}

#[test]
fn levels_are_not_confused() {
    let env = setup();
    // A token without --operator-key.
    let (code, v) = env.verify_json("token.txt", &["--cf", CF]);
    assert_eq!(
        (code, v["reason"].as_str()),
        (4, Some("wrong_level")),
        "{v}"
    );
    // A first-level code with --operator-key.
    let (code, v) = verify_token(&env, "l1.txt", "comune-bo.key", &[]);
    assert_eq!(
        (code, v["reason"].as_str()),
        (4, Some("wrong_level")),
        "{v}"
    );
}

#[test]
fn issuing_checks_the_operator_and_the_holder() {
    let env = setup();
    // Not accredited.
    issue_token(&env, "t2.txt", "nobody", CF).usage_error(&["not accredited"]);
    // The CF must be the holder's of the first-level code.
    issue_token(&env, "t3.txt", OTHER_CF, OTHER_CF);
    issue_token(&env, "t4.txt", "comune-bo", OTHER_CF).usage_error(&["codice fiscale"]);
    assert!(!env.exists("t4.txt"));
    // Without the trust list the operator's key is unknown.
    let mut a = vec![
        "issue",
        "--level",
        "2",
        "--operator",
        "comune-bo",
        "--key",
        "issuer.key",
        "--issuer",
        "INPS",
        "--cf",
        CF,
        "--invalidita",
        "75",
        "--credential",
        "l1.txt",
        "--out",
        "t5.txt",
    ];
    a.extend(FAST_KDF);
    env.run(&a).usage_error(&["--trust"]);
}

#[test]
fn operator_keys_are_shown_and_protected() {
    let env = setup();
    env.run(&["key", "show", "comune-bo.key"])
        .ok()
        .stdout_has("X25519");
    env.run(&["key", "show", "comune-bo.key.pub"])
        .ok()
        .stdout_has("X25519");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("comune-bo.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn refresh_resigns_trust_and_status_lists_unchanged() {
    let env = setup();
    let before = env
        .run(&[
            "trust",
            "show",
            "trust.cwt",
            "--root",
            "root.key.pub",
            "--json",
        ])
        .ok()
        .json();
    env.run(&[
        "trust",
        "refresh",
        "--root-key",
        "root.key",
        "--trust",
        "trust.cwt",
    ])
    .ok();
    let after = env
        .run(&[
            "trust",
            "show",
            "trust.cwt",
            "--root",
            "root.key.pub",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(after["seq"].as_u64(), before["seq"].as_u64().map(|s| s + 1));
    assert_eq!(after["issuers"], before["issuers"]);
    assert_eq!(after["operators"], before["operators"]);
    env.run(&[
        "status",
        "refresh",
        "--key",
        "issuer.key",
        "--list",
        "sl.cwt",
    ])
    .ok();
    assert!(env.exists("sl.cwt"));
    // Still verifies against the refreshed lists.
    let (code, v) = verify_token(
        &env,
        "token.txt",
        "comune-bo.key",
        &["--status-list", "sl.cwt"],
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["revocation"]["status"], "checked");
    // Another issuer's key cannot refresh the list.
    env.keygen("other.key");
    env.run(&[
        "status",
        "refresh",
        "--key",
        "other.key",
        "--list",
        "sl.cwt",
    ])
    .usage_error(&["signed by another key"]);
}
