//! The reproductions of the outside security review (issue 12), each as a
//! test named after its finding, run with the CLI as the reviewer ran them.
//! Each one failed before the fix; the assertions are the behaviour the
//! fix gives.

use crate::common::*;
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
    env.issue("old.txt", &["--status-list", "status-1.cwt"]);
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
    env.issue("a.txt", &["--status-list", "s.cwt"]);
    env.issue("b.txt", &["--status-list", "s.cwt"]);
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

/// The seeds of test vector 026: two Ed25519 keys whose kids collide
/// (`65987590`), found by a birthday search.
const COLLIDING_SEEDS: [&str; 2] = [
    "7f97dbcdfe999fda80ab4b374cf9d8d8f81e2c8ab8c8f9cd94aebbce951c0ecc",
    "e44bd1440c18681341da1acc07a6a064dffa578b2c6740308164a6f67bfd44df",
];

fn write_seed_key(env: &Env, name: &str, seed_hex: &str) -> attesta_core::keys::SigningKey {
    let seed: [u8; 32] = hex_bytes(seed_hex).try_into().unwrap();
    let k = attesta_core::keys::SigningKey::from_seed(&seed);
    env.write(name, k.to_pkcs8_pem(None).unwrap().as_bytes());
    std::fs::set_permissions(
        env.path(name),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    env.write(&format!("{name}.pub"), k.public_key().to_pem());
    k
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Finding 2 (MEDIUM): a key made to share another issuer's 4-byte kid was
/// accepted by `trust add-issuer`, and `trust deny --kid` then removed both
/// keys and denied the kid for ever, killing every genuine code of the
/// victim.
#[test]
fn finding_2_kid_collision_cannot_kill_another_issuers_key() {
    let env = Env::new();
    env.keygen("root.key");
    let victim = write_seed_key(&env, "victim.key", COLLIDING_SEEDS[0]);
    let evil = write_seed_key(&env, "evil.key", COLLIDING_SEEDS[1]);
    let kid = victim.kid().to_string();
    assert_eq!(kid, evil.kid().to_string());
    trust(
        &env,
        &["add-issuer", "--issuer", ISSUER, "--key", "victim.key.pub"],
    )
    .ok();
    // The colliding key is refused, under any issuer id.
    let msg = trust(
        &env,
        &["add-issuer", "--issuer", "EVIL", "--key", "evil.key.pub"],
    )
    .usage_error(&[&kid, "generate a new key"]);
    assert!(msg.contains("same kid"), "{msg}");

    // A list written before this check may hold both keys: build one.
    let root =
        attesta_core::keys::SigningKey::from_pkcs8_pem(&env.read_text("root.key"), None).unwrap();
    let mut list = attesta_core::trust_list::TrustList::verify_signature(
        &env.read("trust.cwt"),
        &root.public_key(),
    )
    .unwrap();
    list.issuers.push(attesta_core::trust_list::IssuerEntry {
        id: "EVIL".into(),
        key: evil.public_key(),
        valid_from: None,
        valid_until: None,
    });
    list.next_version();
    let now = jiff::Timestamp::now();
    env.write(
        "trust.cwt",
        list.sign(&root, now, now + jiff::SignedDuration::from_hours(24)),
    );
    issue_with(&env, "victim.key", "genuine.txt", &[]);
    issue_with(&env, "evil.key", "evil.txt", &[]);

    // Denying by kid would hit both: refused, naming both entries.
    let msg = trust(&env, &["deny", "--kid", &kid]).usage_error(&["--all-with-kid"]);
    assert!(msg.contains("'INPS'") && msg.contains("'EVIL'"), "{msg}");
    // Denying the evil key itself removes it alone, and says so.
    let r = trust(&env, &["deny", "--key", "evil.key.pub"]).ok();
    assert!(r.stderr.contains("removed issuer 'EVIL'"), "{}", r.stderr);
    assert!(!r.stderr.contains("removed issuer 'INPS'"), "{}", r.stderr);

    let (code, v) = env.verify_json("genuine.txt", &["--cf", CF]);
    assert_eq!(code, 0, "the victim's codes must stay valid: {v}");
    let (code, v) = env.verify_json("evil.txt", &["--cf", CF]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(reason(&v), "denied_kid", "{v}");
    // The denylist holds the fingerprint; the victim is still listed.
    let t = env
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
    assert_eq!(
        t["denied_keys"],
        serde_json::json!([evil.public_key().fingerprint().to_string()])
    );
    assert_eq!(t["issuers"][0]["id"], ISSUER);
    assert_eq!(t["issuers"].as_array().unwrap().len(), 1);
    // And a new key with the victim's kid still cannot be added (it would be
    // the denied key's kid too).
    trust(
        &env,
        &["add-issuer", "--issuer", "EVIL2", "--key", "evil.key.pub"],
    )
    .usage_error(&["denylist", "generate a new key"]);
}

/// `trust deny --all-with-kid` is the explicit way to deny every key of a kid.
#[test]
fn trust_deny_all_with_kid_names_every_entry_it_removes() {
    let env = Env::new();
    env.keygen("root.key");
    let a = write_seed_key(&env, "a.key", COLLIDING_SEEDS[0]);
    let b = write_seed_key(&env, "b.key", COLLIDING_SEEDS[1]);
    trust(
        &env,
        &["add-issuer", "--issuer", ISSUER, "--key", "a.key.pub"],
    )
    .ok();
    let root =
        attesta_core::keys::SigningKey::from_pkcs8_pem(&env.read_text("root.key"), None).unwrap();
    let mut list = attesta_core::trust_list::TrustList::verify_signature(
        &env.read("trust.cwt"),
        &root.public_key(),
    )
    .unwrap();
    list.issuers.push(attesta_core::trust_list::IssuerEntry {
        id: "B".into(),
        key: b.public_key(),
        valid_from: None,
        valid_until: None,
    });
    list.next_version();
    let now = jiff::Timestamp::now();
    env.write(
        "trust.cwt",
        list.sign(&root, now, now + jiff::SignedDuration::from_hours(24)),
    );
    let kid = a.kid().to_string();
    let r = trust(&env, &["deny", "--kid", &kid, "--all-with-kid"]).ok();
    assert!(r.stderr.contains("removed issuer 'INPS'"), "{}", r.stderr);
    assert!(r.stderr.contains("removed issuer 'B'"), "{}", r.stderr);
    let t = env
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
    assert_eq!(t["denied_keys"].as_array().unwrap().len(), 2, "{t}");
    assert_eq!(t["issuers"].as_array().unwrap().len(), 0, "{t}");
    // Unknown kid: nothing to deny by kid.
    trust(&env, &["deny", "--kid", "00000000"]).usage_error(&["--fingerprint"]);
}

/// Finding 4 (LOW): a code with envelope KDF [1 MiB, t=1, p=1] verified as
/// valid, and guessing its CF cost 2.8 ms a try. Without the hidden test
/// flags, `verify` applies the default floor (19 MiB, 2 passes).
#[test]
fn finding_4_code_with_a_weak_kdf_is_refused() {
    let env = Env::new();
    env.setup();
    env.issue("weak.txt", &[]);
    for extra in [&["--cf", CF][..], &[][..]] {
        let mut a = vec![
            "verify",
            "weak.txt",
            "--trust",
            "trust.cwt",
            "--root",
            "root.key.pub",
            "--state",
            "state.json",
            "--json",
        ];
        a.extend(extra);
        let r = env.run(&a).code(1);
        let v = r.json();
        assert_eq!(reason(&v), "kdf_below_floor", "{v}");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains("19 MiB and 2 passes"),
            "{v}"
        );
    }
    // A code at the default parameters passes the same floor.
    let mut a = issue_args(CF, "strong.txt", &[]);
    a.retain(|x| !FAST_KDF.contains(x));
    env.run(&a).ok();
    env.run(&[
        "verify",
        "strong.txt",
        "--cf",
        CF,
        "--trust",
        "trust.cwt",
        "--root",
        "root.key.pub",
        "--state",
        "state.json",
    ])
    .ok();
}

fn file_mode(env: &Env, name: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(env.path(name))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

/// Finding 3 (MEDIUM, privacy): the codice fiscale is not a secret; with a
/// photo of a code and the holder's name, birth year and town there are
/// 732 candidate CFs, tried in under a minute. A code issued with
/// `--con-segreto` cannot be opened with the CF alone: the verifier asks
/// for the holder's secret, which is not in the QR code.
#[test]
fn finding_3_photo_and_cf_are_useless_without_the_holders_secret() {
    let env = Env::new();
    env.setup();
    env.issue("holder.pdf", &["--con-segreto"])
        .stderr_has("holder.pdf.segreto");
    // OUT.segreto beside the output, 0600; the PDF carries the secret too.
    let secret = env.read_text("holder.pdf.segreto");
    let secret = secret.trim();
    assert_eq!(secret.len(), 11, "{secret:?}");
    assert_eq!(file_mode(&env, "holder.pdf.segreto"), 0o600);
    assert_eq!(file_mode(&env, "holder.pdf"), 0o600);
    // A PNG output: the secret goes only to its .segreto file.
    env.issue("holder.png", &["--con-segreto"]);
    let png_secret = env.read_text("holder.png.segreto");
    assert_eq!(file_mode(&env, "holder.png.segreto"), 0o600);

    // The CF alone: the verifier asks for the secret (before any KDF).
    // Cannot verify (exit 4) until the operator has the secret.
    let (code, v) = env.verify_json("holder.png", &["--cf", CF]);
    assert_eq!(
        (code, v["verdict"].as_str()),
        (4, Some("cannot_verify")),
        "{v}"
    );
    assert_eq!(reason(&v), "secret_required", "{v}");
    // Without --cf the step-1 answer says a secret is needed.
    let (_, v) = env.verify_json("holder.png", &[]);
    assert_eq!(reason(&v), "cf_not_checked");
    assert_eq!(v["secret_required"], true, "{v}");
    // The right CF and secret, as printed or typed loosely.
    let (code, v) = env.verify_json("holder.png", &["--cf", CF, "--segreto", png_secret.trim()]);
    assert_eq!(code, 0, "{v}");
    let loose = png_secret.trim().to_lowercase().replace('-', " ");
    let (code, v) = env.verify_json("holder.png", &["--cf", CF, "--segreto", &loose]);
    assert_eq!(code, 0, "{v}");
    // A typo in the secret is reported as a typo.
    let mut typo: Vec<char> = png_secret.trim().chars().collect();
    typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let (code, v) = env.verify_json("holder.png", &["--cf", CF, "--segreto", &typo]);
    assert_eq!((code, reason(&v)), (4, "secret_malformed"), "{v}");
    // Another holder's secret, or another CF: does not open (not valid).
    let (code, v) = env.verify_json("holder.png", &["--cf", CF, "--segreto", secret]);
    assert_eq!((code, reason(&v)), (1, "cf_or_secret_mismatch"), "{v}");
    let (code, v) = env.verify_json(
        "holder.png",
        &["--cf", OTHER_CF, "--segreto", png_secret.trim()],
    );
    assert_eq!((code, reason(&v)), (1, "cf_or_secret_mismatch"), "{v}");

    // --con-segreto needs a file output, and never overwrites.
    env.run(&issue_args(CF, "-", &["--con-segreto"]))
        .usage_error(&["--con-segreto", "--out"]);
    std::fs::remove_file(env.path("holder.png")).unwrap();
    env.run(&issue_args(CF, "holder.png", &["--con-segreto"]))
        .usage_error(&["holder.png.segreto already exists"]);
    // A code without a secret ignores --segreto, with a note.
    env.issue("plain.txt", &[]);
    let r = env.run(&verify_args(
        "plain.txt",
        &["--cf", CF, "--segreto", secret],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("not needed"), "{}", r.stderr);
}

/// A batch with `--con-segreto` writes one secret per row beside each
/// output; a `con-segreto` column chooses per row.
#[test]
fn batch_writes_one_secret_per_row_beside_each_output() {
    let env = Env::new();
    env.setup();
    env.write(
        "rows.csv",
        format!("cf,invalidita,con-segreto\n{CF},75,si\n{OTHER_CF},80,\n"),
    );
    let mut a = vec![
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        ISSUER,
        "--batch",
        "rows.csv",
        "--out-dir",
        "out",
        "--format",
        "txt",
        "--quiet",
    ];
    a.extend(FAST_KDF);
    env.run(&a).ok();
    assert!(env.exists("out/000000002.txt.segreto"));
    assert!(!env.exists("out/000000003.txt.segreto"));
    assert_eq!(file_mode(&env, "out/000000002.txt.segreto"), 0o600);
    let s = env.read_text("out/000000002.txt.segreto");
    let (code, v) = env.verify_json("out/000000002.txt", &["--cf", CF, "--segreto", s.trim()]);
    assert_eq!(code, 0, "{v}");
    let (code, v) = env.verify_json("out/000000003.txt", &["--cf", OTHER_CF]);
    assert_eq!(code, 0, "{v}");

    // --con-segreto: every row.
    a[8] = "out2";
    a.push("--con-segreto");
    env.run(&a).ok();
    for line in [2, 3] {
        let name = format!("out2/{line:09}.txt.segreto");
        assert!(env.exists(&name), "{name}");
        assert_eq!(file_mode(&env, &name), 0o600);
    }
    let s = env.read_text("out2/000000003.txt.segreto");
    let (code, v) = env.verify_json(
        "out2/000000003.txt",
        &["--cf", OTHER_CF, "--segreto", s.trim()],
    );
    assert_eq!(code, 0, "{v}");
}

/// A second-level token for a code with a holder's secret: the issuer opens
/// the first-level code to check the CF, which needs the secret too.
#[test]
fn second_level_for_a_code_with_a_secret_needs_the_secret() {
    let env = Env::new();
    env.setup();
    env.run(&["keygen", "--operator", "--out", "op.key"]).ok();
    trust(
        &env,
        &[
            "add-operator",
            "--operator",
            "comune-bo",
            "--key",
            "op.key.pub",
        ],
    )
    .ok();
    env.issue("l1.txt", &["--con-segreto"]);
    let secret = env.read_text("l1.txt.segreto");
    let token = |out: &str, extra: &[&str]| {
        let mut a = vec![
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
            "75.5",
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
    };
    token("t1.txt", &[]).usage_error(&["holder's secret", "--segreto"]);
    token("t2.txt", &["--segreto", "0410-6105-X"]).usage_error(&["do not open"]);
    token("t3.txt", &["--segreto", secret.trim()]).ok();
    let (code, v) = env.verify_json("t3.txt", &["--cf", CF, "--operator-key", "op.key"]);
    assert_eq!(code, 0, "{v}");
}

/// Finding 5 (LOW): with no state path (no ATTESTA_STATE_DIR,
/// XDG_STATE_HOME or HOME, as in many services and containers), rollback
/// and denylist protection vanished silently: an old trust list re-admitted
/// a denied key. Now `verify` refuses (exit 2) until told where the state
/// goes, or that there is none.
#[test]
fn finding_5_verify_without_a_state_path_is_a_usage_error() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &[]);
    let base = with_fast_kdf_floor(&[
        "verify",
        "a.txt",
        "--cf",
        CF,
        "--trust",
        "trust.cwt",
        "--root",
        "root.key.pub",
    ]);
    let no_state_env = |args: &[&str]| {
        let mut c = env.cmd();
        c.env_remove("ATTESTA_STATE_DIR")
            .env_remove("XDG_STATE_HOME")
            .env_remove("HOME")
            .args(args);
        let o = c.output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, _, err) = no_state_env(&base);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--state FILE") && err.contains("--no-state"),
        "{err}"
    );
    // An empty HOME is no place either.
    let mut c = env.cmd();
    c.env_remove("ATTESTA_STATE_DIR")
        .env("HOME", "")
        .args(&base);
    assert_eq!(c.output().unwrap().status.code(), Some(2));
    // With --json the usage error is one JSON object too.
    let mut json = base.clone();
    json.push("--json");
    let (code, out, _) = no_state_env(&json);
    assert_eq!(code, Some(2));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["reason"], "usage_error", "{v}");
    // --no-state verifies, says the protection is off, and writes nothing.
    let mut ns = base.clone();
    ns.push("--no-state");
    let (code, _, err) = no_state_env(&ns);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("rollback and denylist protection is off"),
        "{err}"
    );
    assert!(!env.exists("state-dir") && !env.exists("home"));
    // --state FILE works without any of the variables.
    let mut st = base.clone();
    st.extend(["--state", "s.json"]);
    let (code, _, err) = no_state_env(&st);
    assert_eq!(code, Some(0), "{err}");
    assert!(env.exists("s.json"));
    // --state and --no-state exclude each other.
    ns.extend(["--state", "s.json"]);
    assert_eq!(no_state_env(&ns).0, Some(2));
}

fn batch_cmd<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        ISSUER,
        "--batch",
        "rows.csv",
        "--out-dir",
        out,
        "--quiet",
    ];
    a.extend(FAST_KDF);
    if !extra.contains(&"--format") {
        a.extend(["--format", "txt"]);
    }
    a.extend(extra);
    a
}

/// Finding 6 (LOW): the batch `manifest.csv` followed a symbolic link
/// planted in `--out-dir` (opened create+append without O_NOFOLLOW), so a
/// batch could append to any file the issuer can write.
#[test]
fn finding_6_planted_symlinks_in_the_out_dir_are_refused() {
    use std::os::unix::fs::symlink;
    let env = Env::new();
    env.setup();
    env.write("rows.csv", format!("cf,invalidita\n{CF},75\n"));
    env.write("victim.txt", "do not touch\n");
    for name in ["manifest.csv", "errors.csv"] {
        let dir = format!("out-{name}");
        std::fs::create_dir(env.path(&dir)).unwrap();
        symlink(env.path("victim.txt"), env.path(&format!("{dir}/{name}"))).unwrap();
        let msg = env
            .run(&batch_cmd(&dir, &[]))
            .usage_error(&["symbolic link", name]);
        assert!(msg.contains("remove it"), "{msg}");
        // With --resume too (the manifest is read, then appended to).
        env.run(&batch_cmd(&dir, &["--resume"]))
            .usage_error(&["symbolic link"]);
        assert_eq!(env.read_text("victim.txt"), "do not touch\n");
    }
    // A dangling link would have been created through: refused as well.
    std::fs::create_dir(env.path("out-dangling")).unwrap();
    symlink(
        env.path("new-file.csv"),
        env.path("out-dangling/manifest.csv"),
    )
    .unwrap();
    env.run(&batch_cmd("out-dangling", &[]))
        .usage_error(&["symbolic link"]);
    assert!(!env.exists("new-file.csv"));
}

/// Finding 6, second part: outputs were created 0644 even when
/// `--pdf-show-details` put health statuses in them. Now the output
/// directory is created 0700, outputs with statuses (or a holder's secret)
/// are 0600, and `--readable-outputs` is the issuer's explicit choice.
#[test]
fn finding_6_outputs_with_details_are_private() {
    let env = Env::new();
    env.setup();
    env.write("rows.csv", format!("cf,invalidita\n{CF},75\n"));
    env.run(&batch_cmd(
        "out",
        &["--pdf-show-details", "--format", "pdf"],
    ))
    .ok();
    assert_eq!(file_mode(&env, "out"), 0o700);
    assert_eq!(file_mode(&env, "out/000000002.pdf"), 0o600);
    assert_eq!(file_mode(&env, "out/manifest.csv"), 0o600);
    assert_eq!(file_mode(&env, "out/errors.csv"), 0o600);
    // PDFs with details, single issue.
    env.issue("details.pdf", &["--pdf-show-details"]);
    assert_eq!(file_mode(&env, "details.pdf"), 0o600);
    env.issue("plain.pdf", &[]);
    assert_eq!(
        file_mode(&env, "plain.pdf") & 0o044,
        0o044,
        "readable without details"
    );
    // The issuer may ask for readable outputs; the secret file stays 0600.
    env.issue(
        "open.pdf",
        &["--pdf-show-details", "--con-segreto", "--readable-outputs"],
    );
    assert_eq!(file_mode(&env, "open.pdf") & 0o044, 0o044);
    assert_eq!(file_mode(&env, "open.pdf.segreto"), 0o600);
    env.run(&batch_cmd(
        "out2",
        &[
            "--pdf-show-details",
            "--readable-outputs",
            "--format",
            "pdf",
        ],
    ))
    .ok();
    assert_eq!(file_mode(&env, "out2/000000002.pdf") & 0o044, 0o044);
    // Text outputs never show statuses: not private.
    env.run(&batch_cmd("out3", &["--pdf-show-details"])).ok();
    assert_eq!(file_mode(&env, "out3/000000002.txt") & 0o044, 0o044);
}

/// Finding 7 (unverified in the review, closed): a trust list or status
/// list dated in the future was accepted; the trust list then moved the
/// verifier's clock floor ahead and made every code look expired.
#[test]
fn finding_7_lists_from_the_future_are_refused() {
    let env = Env::new();
    env.setup();
    env.issue("a.txt", &["--status-list", "s.cwt"]);
    // The device clock is a day behind the lists: both are refused, and
    // the refused trust list leaves the state (and its clock floor) alone.
    let yesterday = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24)).to_string();
    let r = env.run(&verify_args("a.txt", &["--cf", CF, "--at", &yesterday]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!env.exists("state.json"));
    // A status list signed "tomorrow" by a skewed issuer clock is refused
    // by a verifier whose clock is right.
    let issuer =
        attesta_core::keys::SigningKey::from_pkcs8_pem(&env.read_text("issuer.key"), None).unwrap();
    let sl = attesta_core::status_list::StatusList::new(1024, Default::default()).unwrap();
    let tomorrow = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24);
    let token = attesta_core::status_list::StatusListToken::new("x", tomorrow, sl).sign(&issuer);
    env.write("future.cwt", token);
    let (code, v) = env.verify_json("a.txt", &["--cf", CF, "--status-list", "future.cwt"]);
    assert_eq!(
        (code, v["verdict"].as_str()),
        (4, Some("cannot_verify")),
        "{v}"
    );
    assert_eq!(reason(&v), "status_list_issued_in_future", "{v}");
}
