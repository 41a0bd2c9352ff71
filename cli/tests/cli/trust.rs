//! `attesta trust`: building, signing and editing the trust list.

use crate::common::*;
use jiff::{SignedDuration, Timestamp};

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
