//! Keys in an HSM through the CLI, against SoftHSM2 in a temporary
//! directory (`SOFTHSM2_CONF` per command): keygen in the token, a trust
//! list signed by a root key in the token, single, second-level and batch
//! issuing with the issuer key in the token, status lists, verification by
//! the unchanged verifier, the errors a user meets, and a batch whose HSM
//! sessions are lost mid-run.
//!
//! SoftHSM2 must be installed (`.ci/run` installs it); without it these
//! tests are skipped with a message, except in CI where they fail.

use std::collections::BTreeSet;

use crate::common::{CF, Env, FAST_KDF, FAST_KDF_FLOOR, ISSUER, Run};
use attesta_pkcs11::testing::{self, P256_PKCS8_PEM, SoftHsm};

const PIN: &str = "246810";
const ISSUER_URI: &str = "pkcs11:token=attesta;object=issuer-2026";
const ROOT_URI: &str = "pkcs11:token=root;object=root-2026";

/// A test directory with a SoftHSM2 store holding the tokens `root` and
/// `attesta` (both with user PIN [`PIN`]).
struct Hsm {
    env: Env,
    softhsm: SoftHsm,
}

impl Hsm {
    fn new(test: &str) -> Option<Hsm> {
        if !testing::available(test) {
            return None;
        }
        let softhsm = SoftHsm::new();
        softhsm.init_token("root", PIN);
        softhsm.init_token("attesta", PIN);
        Some(Hsm {
            env: Env::new(),
            softhsm,
        })
    }

    fn module(&self) -> String {
        self.softhsm.module().display().to_string()
    }

    /// Runs with the module and the store set, the PIN from the environment.
    fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[("ATTESTA_PKCS11_PIN", PIN)])
    }

    /// Runs with the module and the store set and `extra` variables.
    fn run_env(&self, args: &[&str], extra: &[(&str, &str)]) -> Run {
        let conf = self.softhsm.conf().display().to_string();
        let module = self.module();
        let mut envs = vec![
            ("SOFTHSM2_CONF", conf.as_str()),
            ("ATTESTA_PKCS11_MODULE", module.as_str()),
        ];
        envs.extend_from_slice(extra);
        self.env.run_env(args, &envs)
    }

    /// Root and issuer keys generated in their tokens; `trust.cwt` signed
    /// in the root token, trusting the issuer. Returns (root kid, issuer kid).
    fn setup(&self) -> (String, String) {
        let root = self
            .run(&["keygen", "--pkcs11", ROOT_URI, "--out", "root.pub"])
            .ok();
        let issuer = self
            .run(&["keygen", "--pkcs11", ISSUER_URI, "--out", "issuer.pub"])
            .ok();
        self.run(&[
            "trust",
            "add-issuer",
            "--root-key",
            ROOT_URI,
            "--trust",
            "trust.cwt",
            "--issuer",
            ISSUER,
            "--key",
            "issuer.pub",
        ])
        .ok();
        (
            root.stdout.trim().to_owned(),
            issuer.stdout.trim().to_owned(),
        )
    }

    fn issue(&self, key: &str, out: &str, extra: &[&str]) -> Run {
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
        self.run(&a)
    }

    /// `verify --json` against `trust.cwt` and `root.pub`.
    fn verify(&self, input: &str, extra: &[&str]) -> (i32, serde_json::Value) {
        let mut a = vec![
            "verify",
            input,
            "--trust",
            "trust.cwt",
            "--root",
            "root.pub",
            "--state",
            "state.json",
            "--cf",
            CF,
            "--json",
        ];
        // The codes here use the test KDF, below the real floor.
        a.extend(FAST_KDF_FLOOR);
        a.extend(extra);
        let r = self.env.run(&a);
        (r.code, r.json())
    }
}

#[test]
fn keygen_in_the_token_writes_only_the_public_key_and_prints_the_kid() {
    let Some(h) = Hsm::new("keygen_in_the_token") else {
        return;
    };
    let r = h
        .run(&["keygen", "--pkcs11", ISSUER_URI, "--out", "issuer.pub"])
        .ok()
        .stderr_has("never extractable");
    let kid = r.stdout.trim();
    assert!(crate::common::is_kid(kid), "{kid:?}");
    let files: Vec<_> = std::fs::read_dir(h.env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["issuer.pub"], "only the public key is written");
    assert!(
        h.env
            .read_text("issuer.pub")
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    // The kid of the public file and of the key in the token agree.
    h.env
        .run(&["key", "show", "issuer.pub"])
        .ok()
        .stdout_has(kid);
    h.run(&["key", "show", ISSUER_URI])
        .ok()
        .stdout_has(kid)
        .stdout_has("stays in the token");
    // Default output name: OBJECT.pub.
    h.run(&[
        "keygen",
        "--pkcs11",
        "pkcs11:token=attesta;object=issuer-2027",
    ])
    .ok();
    assert!(h.env.exists("issuer-2027.pub"));
    // Never overwritten, in the token or on disk.
    h.run(&["keygen", "--pkcs11", ISSUER_URI, "--out", "other.pub"])
        .usage_error(&[
            "already holds a key labelled \"issuer-2026\"",
            "issuer-2027",
        ]);
    assert!(!h.env.exists("other.pub"));
    h.run(&[
        "keygen",
        "--pkcs11",
        "pkcs11:token=attesta;object=new",
        "--out",
        "issuer.pub",
    ])
    .usage_error(&["already exists"]);
    // The refusal came before generating: the label is still free.
    h.run(&[
        "keygen",
        "--pkcs11",
        "pkcs11:token=attesta;object=new",
        "--out",
        "new.pub",
    ])
    .ok();
}

#[test]
fn keys_in_tokens_sign_trust_lists_codes_and_status_lists_that_the_verifier_accepts() {
    let Some(h) = Hsm::new("keys_in_tokens_sign_everything") else {
        return;
    };
    let (root_kid, issuer_kid) = h.setup();
    let v = h
        .env
        .run(&["trust", "show", "trust.cwt", "--root", "root.pub", "--json"])
        .ok()
        .json();
    assert_eq!(v["verified"], true);
    assert_eq!(v["issuers"][0]["kid"], issuer_kid.as_str());
    assert_ne!(root_kid, issuer_kid);

    // Single code with a status list, both signed in the token.
    h.issue(ISSUER_URI, "a.txt", &["--status-list", "s.cwt"])
        .ok();
    h.issue(ISSUER_URI, "b.png", &["--status-list", "s.cwt"])
        .ok();
    let (code, v) = h.verify("a.txt", &["--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["kid"], issuer_kid.as_str());
    let (code, v) = h.verify("b.png", &["--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");

    // Revocation and refresh with the key in the token.
    h.run(&[
        "status",
        "revoke",
        "--key",
        ISSUER_URI,
        "--list",
        "s.cwt",
        "--credential",
        "a.txt",
    ])
    .ok()
    .stderr_has("revoked credential");
    h.run(&["status", "refresh", "--key", ISSUER_URI, "--list", "s.cwt"])
        .ok();
    let (code, v) = h.verify("a.txt", &["--status-list", "s.cwt"]);
    assert_eq!((code, v["reason"].as_str()), (1, Some("revoked")), "{v}");
    let (code, v) = h.verify("b.png", &["--status-list", "s.cwt"]);
    assert_eq!(code, 0, "{v}");
    h.run(&[
        "status", "create", "--key", ISSUER_URI, "--list", "s2.cwt", "--uri", "2",
    ])
    .ok();
    let v = h
        .env
        .run(&["status", "show", "s2.cwt", "--json"])
        .ok()
        .json();
    assert_eq!(v["kid"], issuer_kid.as_str());

    // Second level: an operator accredited by the root in the token, a
    // token signed by the issuer in the token.
    h.env
        .run(&["keygen", "--operator", "--out", "comune-bo.key"])
        .ok();
    h.run(&[
        "trust",
        "add-operator",
        "--root-key",
        ROOT_URI,
        "--trust",
        "trust.cwt",
        "--operator",
        "comune-bo",
        "--key",
        "comune-bo.key.pub",
    ])
    .ok();
    let mut a = vec![
        "issue",
        "--level",
        "2",
        "--operator",
        "comune-bo",
        "--key",
        ISSUER_URI,
        "--issuer",
        ISSUER,
        "--cf",
        CF,
        "--invalidita",
        "75.5",
        "--credential",
        "b.png",
        "--trust",
        "trust.cwt",
        "--root",
        "root.pub",
        "--out",
        "token.txt",
    ];
    a.extend(FAST_KDF);
    h.run(&a).ok();
    let (code, v) = h.verify("token.txt", &["--operator-key", "comune-bo.key"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["details"]["invalidity_percent"], 7550);

    // The other trust-list edits with the root in the token.
    h.run(&[
        "trust",
        "remove-operator",
        "--root-key",
        ROOT_URI,
        "--trust",
        "trust.cwt",
        "--operator",
        "comune-bo",
    ])
    .ok();
    h.run(&[
        "trust",
        "refresh",
        "--root-key",
        ROOT_URI,
        "--trust",
        "trust.cwt",
    ])
    .ok();
    h.run(&[
        "trust",
        "retire-issuer",
        "--root-key",
        ROOT_URI,
        "--trust",
        "trust.cwt",
        "--kid",
        &issuer_kid,
    ])
    .ok();
    let (code, v) = h.verify("b.png", &["--status-list", "s.cwt"]);
    assert_eq!(code, 0, "codes signed before retirement stay valid: {v}");
    h.run(&[
        "trust",
        "deny",
        "--root-key",
        ROOT_URI,
        "--trust",
        "trust.cwt",
        "--kid",
        &issuer_kid,
    ])
    .ok();
    let (code, v) = h.verify("b.png", &[]);
    assert_eq!((code, v["reason"].as_str()), (1, Some("denied_kid")), "{v}");
    let v = h
        .env
        .run(&["trust", "show", "trust.cwt", "--root", "root.pub", "--json"])
        .ok()
        .json();
    assert_eq!(v["seq"], 6, "six signed versions of the list");
}

#[test]
fn a_key_moved_from_a_file_into_the_token_is_the_same_key() {
    let Some(h) = Hsm::new("a_key_moved_from_a_file") else {
        return;
    };
    // A file key, trusted; its seed imported into the token.
    let kid = h.env.keygen("issuer.key");
    h.env.keygen("root.key");
    h.env
        .run(&[
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
        .ok();
    std::fs::copy(h.env.path("root.key.pub"), h.env.path("root.pub")).unwrap();
    let pem = h.env.read_text("issuer.key");
    let der = crate::common::base64_decode(
        &pem.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>(),
    );
    // RFC 8410 OneAsymmetricKey: the seed follows `04 22 04 20`.
    let at = der
        .windows(4)
        .position(|w| w == [0x04, 0x22, 0x04, 0x20])
        .unwrap()
        + 4;
    let seed: [u8; 32] = der[at..at + 32].try_into().unwrap();
    h.softhsm
        .import_ed25519_seed("attesta", PIN, "migrated", "01", &seed);
    let uri = "pkcs11:token=attesta;object=migrated";
    h.run(&["key", "show", uri]).ok().stdout_has(&kid);

    // A list the file key created is accepted as the token key's own, and
    // codes from either verify under the one trust-list entry.
    h.env.issue("file.txt", &["--status-list", "s.cwt"]);
    h.issue(uri, "hsm.txt", &["--status-list", "s.cwt"]).ok();
    for code in ["file.txt", "hsm.txt"] {
        let (c, v) = h.verify(code, &["--status-list", "s.cwt"]);
        assert_eq!(c, 0, "{code}: {v}");
        assert_eq!(v["kid"], kid.as_str());
    }
}

#[test]
fn token_errors_say_what_is_wrong_and_what_to_do() {
    let Some(h) = Hsm::new("token_errors") else {
        return;
    };
    h.setup();
    h.softhsm
        .import_pem("attesta", PIN, "ecdsa", "0a", P256_PKCS8_PEM);
    let show = |uri: &str, envs: &[(&str, &str)]| h.run_env(&["key", "show", uri], envs);
    let pin = [("ATTESTA_PKCS11_PIN", PIN)];

    show(ISSUER_URI, &[("ATTESTA_PKCS11_PIN", "000000")])
        .usage_error(&["wrong PIN for token \"attesta\"", "tries"]);
    show("pkcs11:token=attesta;object=issuer-2025", &pin).usage_error(&[
        "no private key matching",
        "\"issuer-2026\"",
        "object=",
    ]);
    show("pkcs11:token=atesta;object=issuer-2026", &pin).usage_error(&[
        "no token matches",
        "\"attesta\"",
        "\"root\"",
    ]);
    show("pkcs11:token=attesta;object=ecdsa", &pin).usage_error(&[
        "not Ed25519",
        "ECDSA",
        "keygen --pkcs11",
    ]);
    show(ISSUER_URI, &[]).usage_error(&["needs the user PIN", "ATTESTA_PKCS11_PIN"]);
    show(
        "pkcs11:token=attesta;object=issuer-2026?module-path=/nonexistent/libvendor.so",
        &pin,
    )
    .usage_error(&[
        "/nonexistent/libvendor.so does not exist",
        "ATTESTA_PKCS11_MODULE",
    ]);
    h.env
        .run_env(&["key", "show", ISSUER_URI], &pin)
        .usage_error(&["no PKCS#11 module given", "ATTESTA_PKCS11_MODULE"]);
    show(
        "pkcs11:token=attesta;object=issuer-2026?pin-value=246810",
        &[],
    )
    .usage_error(&["never takes a PIN from the command line", "pin-source"]);

    // pin-source=: a file, refused while others can read it.
    h.env.write("pin.txt", format!("{PIN}\n"));
    common_chmod(&h.env.path("pin.txt"), 0o644);
    let with_file = "pkcs11:token=attesta;object=issuer-2026?pin-source=pin.txt";
    show(with_file, &[]).usage_error(&["pin.txt can be read by other users", "chmod 600"]);
    common_chmod(&h.env.path("pin.txt"), 0o600);
    show(with_file, &[]).ok();

    // The same errors stop issuing before anything is written.
    let r = h.run_env(
        &[
            "issue",
            "--key",
            "pkcs11:token=attesta;object=ecdsa",
            "--issuer",
            ISSUER,
            "--cf",
            CF,
            "--invalidita",
            "75",
            "--out",
            "x.txt",
        ],
        &pin,
    );
    r.usage_error(&["not Ed25519"]);
    assert!(!h.env.exists("x.txt"));
}

#[cfg(unix)]
fn common_chmod(p: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn common_chmod(_: &std::path::Path, _: u32) {}

fn rows(n: usize) -> String {
    let mut s = String::from("cf,invalidita,handicap\n");
    for i in 0..n {
        s.push_str(&format!("{CF},{},grave\n", 40 + i % 60));
    }
    s
}

fn batch<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "issue",
        "--key",
        ISSUER_URI,
        "--issuer",
        ISSUER,
        "--batch",
        "rows.csv",
        "--out-dir",
        out,
        "--format",
        "txt",
        "--jobs",
        "2",
    ];
    a.extend(FAST_KDF);
    a.extend(extra);
    a
}

/// The manifest's line numbers, asserting none appears twice.
fn manifest_lines(h: &Hsm, out: &str) -> BTreeSet<u64> {
    let text = h.env.read_text(&format!("{out}/manifest.csv"));
    let mut seen = BTreeSet::new();
    for rec in text.lines().skip(1) {
        let line: u64 = rec.split(',').next().unwrap().parse().unwrap();
        assert!(seen.insert(line), "line {line} issued twice:\n{text}");
    }
    seen
}

fn outputs(h: &Hsm, out: &str) -> usize {
    std::fs::read_dir(h.env.path(out))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".txt")
        })
        .count()
}

#[test]
fn batch_with_the_key_in_the_token_survives_lost_sessions_and_issues_every_row_once() {
    let Some(h) = Hsm::new("batch_survives_lost_sessions") else {
        return;
    };
    h.setup();
    h.env.write("rows.csv", rows(30));
    // The test hook logs the token out before every 4th signature: every
    // session of the process loses its login, as when an HSM restarts.
    let r = h
        .run_env(
            &batch("out", &["--status-list", "s.cwt"]),
            &[
                ("ATTESTA_PKCS11_PIN", PIN),
                ("ATTESTA_PKCS11_TEST_LOGOUT_EVERY", "4"),
            ],
        )
        .ok()
        .stderr_has("issued 30,");
    let reopened: u64 = r
        .stderr
        .split("lost sessions reopened: ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no reopen count in {}", r.stderr));
    assert!(
        reopened >= 5,
        "the injected faults were recovered from: {reopened}"
    );
    assert_eq!(manifest_lines(&h, "out"), (2..=31).collect());
    assert_eq!(outputs(&h, "out"), 30);
    for f in [
        "out/000000002.txt",
        "out/000000017.txt",
        "out/000000031.txt",
    ] {
        let (code, v) = h.verify(f, &["--status-list", "s.cwt"]);
        assert_eq!(code, 0, "{f}: {v}");
    }
    // The status indices are distinct: one per row.
    let idx: BTreeSet<String> = h
        .env
        .read_text("out/manifest.csv")
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(idx.len(), 30);
}

#[test]
fn a_row_that_fails_to_sign_is_reported_and_issued_once_on_resume() {
    let Some(h) = Hsm::new("row_fails_to_sign") else {
        return;
    };
    h.setup();
    h.env.write("rows.csv", rows(12));
    // The 5th signature loses its session at every try.
    h.run_env(
        &batch("out", &[]),
        &[
            ("ATTESTA_PKCS11_PIN", PIN),
            ("ATTESTA_PKCS11_TEST_LOSE_SIGNATURE", "5"),
        ],
    )
    .code(3)
    .stderr_has("issued 11,")
    .stderr_has("rejected 1");
    let errors = h.env.read_text("out/errors.csv");
    assert_eq!(errors.lines().count(), 2, "{errors}");
    assert!(
        errors.contains("not signed (pkcs11_session_lost)"),
        "{errors}"
    );
    assert!(errors.contains("--resume"), "{errors}");
    let failed: u64 = errors
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let done = manifest_lines(&h, "out");
    assert_eq!(done.len(), 11);
    assert!(!done.contains(&failed), "a row in errors.csv has no output");

    h.run(&batch("out", &["--resume"]))
        .ok()
        .stderr_has("issued 1, skipped 11");
    assert_eq!(manifest_lines(&h, "out"), (2..=13).collect());
    assert_eq!(outputs(&h, "out"), 12);
    let (code, v) = h.verify(&format!("out/{failed:09}.txt"), &[]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn a_batch_whose_key_stops_signing_stops_and_loses_nothing() {
    let Some(h) = Hsm::new("batch_stops") else {
        return;
    };
    h.setup();
    h.env.write("rows.csv", rows(40));
    // From the 3rd signature on, every one fails.
    h.run_env(
        &batch("out", &[]),
        &[
            ("ATTESTA_PKCS11_PIN", PIN),
            ("ATTESTA_PKCS11_TEST_LOSE_SIGNATURE", "3+"),
        ],
    )
    .usage_error(&["rows in a row", "--resume"]);
    let before = manifest_lines(&h, "out");
    assert_eq!(before.len(), 2, "the two rows signed are recorded");
    h.run(&batch("out", &["--resume"])).ok();
    assert_eq!(manifest_lines(&h, "out"), (2..=41).collect());
    assert_eq!(outputs(&h, "out"), 40);
}

#[test]
fn help_of_every_command_that_takes_a_private_key_shows_a_pkcs11_example() {
    let env = Env::new();
    for cmd in [
        &["keygen"][..],
        &["key", "show"],
        &["issue"],
        &["trust", "add-issuer"],
        &["trust", "retire-issuer"],
        &["trust", "deny"],
        &["trust", "add-operator"],
        &["trust", "remove-operator"],
        &["trust", "refresh"],
        &["status", "create"],
        &["status", "revoke"],
        &["status", "refresh"],
    ] {
        let mut a = cmd.to_vec();
        a.push("--help");
        let r = env.run(&a).ok();
        assert!(
            r.stdout.contains("'pkcs11:token="),
            "attesta {} --help has no PKCS#11 example:\n{}",
            cmd.join(" "),
            r.stdout
        );
    }
}
