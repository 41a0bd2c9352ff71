//! The reproductions of the outside security review (issue 12), each as a
//! test named after its finding, run with the CLI as the reviewer ran them.
//! Each one failed before the fix; the assertions are the behaviour the
//! fix gives.

mod common;

use common::*;
use serde_json::Value;

#[track_caller]
fn reason(v: &Value) -> &str {
    v["reason"].as_str().unwrap_or("(none)")
}

fn trust(env: &Env, args: &[&str]) -> Run {
    let mut a = vec!["trust"];
    a.extend(args);
    a.extend(["--root-key", "root.key", "--trust", "trust.cwt"]);
    env.run(&a)
}

fn issue_with(env: &Env, key: &str, out: &str, extra: &[&str]) {
    let mut a = vec![
        "issue",
        "--key",
        key,
        "--issuer",
        ISSUER,
        "--cf",
        CF,
        "--invalidita",
        "75",
    ];
    a.extend(FAST_KDF);
    a.extend(["--out", out]);
    a.extend(extra);
    env.run(&a).ok();
}

/// Finding 1 (HIGH): after a key rotation, a code of the old key revoked
/// in the old key's list was reported "valid, revocation checked" because
/// the new key's newer list with the same uri answered for it.
#[test]
fn finding_1_revoked_code_of_a_rotated_key_is_not_reported_valid() {
    let env = Env::new();
    let (_, old_kid) = env.setup();
    // The issuer guide's rotation: a second key under the same issuer id.
    env.keygen("issuer2.key");
    trust(
        &env,
        &["add-issuer", "--issuer", ISSUER, "--key", "issuer2.key.pub"],
    )
    .ok();
    // The reviewer's setup: both lists with the uri "1" the CLI used to
    // write for every key.
    for (key, list) in [
        ("issuer.key", "status-1.cwt"),
        ("issuer2.key", "status-2.cwt"),
    ] {
        env.run(&[
            "status",
            "create",
            "--key",
            key,
            "--list",
            list,
            "--uri",
            "1",
            "--capacity",
            "1024",
        ])
        .ok();
    }
    issue_with(
        &env,
        "issuer.key",
        "old.txt",
        &["--status-list", "status-1.cwt"],
    );
    env.run(&[
        "status",
        "revoke",
        "--key",
        "issuer.key",
        "--list",
        "status-1.cwt",
        "--credential",
        "old.txt",
    ])
    .ok();
    issue_with(
        &env,
        "issuer2.key",
        "new.txt",
        &["--status-list", "status-2.cwt"],
    );

    let sl = |l: &str| ["--status-list".to_owned(), l.to_owned()];
    for lists in [
        ["status-1.cwt", "status-2.cwt"],
        ["status-2.cwt", "status-1.cwt"],
    ] {
        let mut extra: Vec<String> = vec!["--cf".into(), CF.into(), "--require-revocation".into()];
        for l in lists {
            extra.extend(sl(l));
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let (code, v) = env.verify_json("old.txt", &extra);
        assert_eq!(code, 1, "{lists:?}: {v}");
        assert_eq!(reason(&v), "revoked", "{lists:?}: {v}");
        // The new key's code is judged by its own list: valid.
        let (code, v) = env.verify_json("new.txt", &extra);
        assert_eq!(code, 0, "{v}");
        assert_eq!(v["revocation"]["status"], "checked");
    }
    // With only the new key's list, the old code's revocation is simply
    // not checked: refused when it is required, reported otherwise.
    let (code, v) = env.verify_json(
        "old.txt",
        &[
            "--cf",
            CF,
            "--status-list",
            "status-2.cwt",
            "--require-revocation",
        ],
    );
    // Cannot verify (exit 4): the operator lacks a list, nothing against the holder.
    assert_eq!(
        (code, v["verdict"].as_str()),
        (4, Some("cannot_verify")),
        "{v}"
    );
    assert_eq!(reason(&v), "revocation_not_checked", "{v}");
    assert!(v["message"].as_str().unwrap().contains(&old_kid), "{v}");
    let (code, v) = env.verify_json("old.txt", &["--cf", CF, "--status-list", "status-2.cwt"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["revocation"]["status"], "not_checked");
    assert_eq!(v["revocation"]["list_kid"], old_kid.as_str());
}

/// Finding 1, second part: once a key was retired, its status lists were
/// refused (`status_list_untrusted`), aborting every verification that
/// loaded them, so its codes (valid up to a year) could not be revoked.
#[test]
fn finding_1_retired_key_keeps_revoking_its_own_codes() {
    let env = Env::new();
    let (_, kid) = env.setup();
    issue_with(&env, "issuer.key", "a.txt", &["--status-list", "s.cwt"]);
    issue_with(&env, "issuer.key", "b.txt", &["--status-list", "s.cwt"]);
    trust(&env, &["retire-issuer", "--kid", &kid]).ok();
    // After the retirement, the key revokes one of its codes and re-signs.
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
    .ok();
    env.run(&[
        "status",
        "refresh",
        "--key",
        "issuer.key",
        "--list",
        "s.cwt",
    ])
    .ok();
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--status-list", "s.cwt"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(reason(&v), "revoked", "{v}");
    let (code, v) = env.verify_json(
        "b.txt",
        &["--cf", CF, "--status-list", "s.cwt", "--require-revocation"],
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["revocation"]["status"], "checked");
}

/// Default list uris are unique per key: two keys of one issuer never write
/// lists with the same uri.
#[test]
fn default_status_list_uris_differ_between_keys() {
    let env = Env::new();
    let (_, kid1) = env.setup();
    let kid2 = env.keygen("issuer2.key");
    for (key, list) in [("issuer.key", "a.cwt"), ("issuer2.key", "b.cwt")] {
        env.run(&["status", "create", "--key", key, "--list", list])
            .ok();
    }
    let uri = |l: &str| env.run(&["status", "show", l, "--json"]).ok().json()["uri"].clone();
    assert_eq!(uri("a.cwt"), kid1.as_str());
    assert_eq!(uri("b.cwt"), kid2.as_str());
}
