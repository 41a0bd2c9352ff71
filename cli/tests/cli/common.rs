//! Helpers shared by the modules of the CLI integration tests.
//!
//! Every command runs in its own temporary directory, with the verifier
//! state, `$HOME` and `$ATTESTA_STATE_DIR` pointed inside it and the other
//! `ATTESTA_*` variables removed, so no test reads or writes the real home
//! directory or depends on the caller's environment. Issuing uses cheap
//! KDF parameters ([`FAST_KDF`]) unless a test says otherwise.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tempfile::TempDir;

/// A valid codice fiscale (the holder's).
pub const CF: &str = "RSSMRA85T10A562S";
/// The same with a wrong check character (expected S).
pub const CF_TYPO: &str = "RSSMRA85T10A562T";
/// Another valid codice fiscale (not the holder's).
pub const OTHER_CF: &str = "MRTMTT25D09F205Z";
/// The issuer id the helpers put in trust lists and on documents.
pub const ISSUER: &str = "INPS";
/// Hidden `issue` flags that make Argon2id cheap, for fast tests.
pub const FAST_KDF: [&str; 4] = ["--kdf-memory-mib", "1", "--kdf-iterations", "1"];
/// Hidden `verify` flags that lower the KDF floor to [`FAST_KDF`], so that
/// codes issued with it verify. Every test that verifies such codes passes
/// them (the helpers below do); real codes meet the default floor.
pub const FAST_KDF_FLOOR: [&str; 4] = ["--min-kdf-memory-mib", "1", "--min-kdf-iterations", "1"];

/// The result of one run of the binary, with the output as text.
#[derive(Debug)]
pub struct Run {
    /// What was run, for failure messages.
    pub args: Vec<String>,
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub raw_stdout: Vec<u8>,
}

impl Run {
    fn from_output(args: Vec<String>, o: Output) -> Run {
        Run {
            args,
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            raw_stdout: o.stdout,
        }
    }

    fn describe(&self) -> String {
        format!(
            "attesta {}\n--- exit code: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    /// Asserts the exit code.
    #[track_caller]
    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.code,
            expected,
            "unexpected exit code\n{}",
            self.describe()
        );
        self
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn ok(self) -> Run {
        self.code(0)
    }

    /// Asserts exit code 2 and a one-line `error: …` message on stderr that
    /// contains every one of `needles`; returns the message.
    #[track_caller]
    pub fn usage_error(self, needles: &[&str]) -> String {
        let r = self.code(2);
        let msg = r.one_line_error();
        for n in needles {
            assert!(
                msg.contains(n),
                "error message lacks {n:?}\n{}",
                r.describe()
            );
        }
        msg
    }

    /// Asserts stderr holds exactly one line, `error: …`, with a hint of what
    /// to do after a `;`, and returns it.
    #[track_caller]
    pub fn one_line_error(&self) -> String {
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "expected a one-line error message\n{}",
            self.describe()
        );
        let l = lines[0];
        assert!(
            l.starts_with("error: "),
            "error message should start with 'error: '\n{}",
            self.describe()
        );
        assert!(
            !l.contains("panicked") && !l.contains("RUST_BACKTRACE"),
            "the command panicked\n{}",
            self.describe()
        );
        l.to_owned()
    }

    /// Parses stdout as exactly one JSON value.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e})\n{}", self.describe()))
    }

    /// The credential id from the `issued credential <cti> (…)` line of `issue`.
    #[track_caller]
    pub fn issued_cti(&self) -> String {
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix("issued credential "))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no 'issued credential' line\n{}", self.describe()))
            .to_owned()
    }

    /// Asserts stdout contains `s`.
    #[track_caller]
    pub fn stdout_has(self, s: &str) -> Run {
        assert!(
            self.stdout.contains(s),
            "stdout lacks {s:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts stderr contains `s`.
    #[track_caller]
    pub fn stderr_has(self, s: &str) -> Run {
        assert!(
            self.stderr.contains(s),
            "stderr lacks {s:?}\n{}",
            self.describe()
        );
        self
    }
}

/// A `Command` for the `attesta` binary, isolated in `dir`.
pub fn attesta(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_attesta"));
    c.current_dir(dir)
        .env("ATTESTA_STATE_DIR", dir.join("state-dir"))
        .env("HOME", dir.join("home"))
        .env_remove("XDG_STATE_HOME")
        .env_remove("ATTESTA_PASSPHRASE")
        .env_remove("ATTESTA_TRUST")
        .env_remove("ATTESTA_ROOT")
        .env_remove("ATTESTA_PKCS11_MODULE")
        .env_remove("ATTESTA_PKCS11_PIN")
        .env_remove("ATTESTA_PKCS11_TEST_LOGOUT_EVERY")
        .env_remove("ATTESTA_PKCS11_TEST_LOSE_SIGNATURE")
        .env_remove("SOFTHSM2_CONF")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        // Messages in English unless a test asks for Italian (--lang it or
        // an Italian LANG): most assertions read English text.
        .env("LANG", "en_GB.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

/// A temporary working directory in which commands run; file names given
/// to the helpers are relative to it.
pub struct Env {
    dir: TempDir,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::Builder::new()
                .prefix("attesta-cli-test-")
                .tempdir()
                .expect("temporary directory"),
        }
    }

    /// The working directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the working directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Reads a file of the working directory.
    #[track_caller]
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
    }

    /// Reads a text file of the working directory.
    #[track_caller]
    pub fn read_text(&self, name: &str) -> String {
        String::from_utf8(self.read(name)).expect("UTF-8 file")
    }

    /// Writes a file in the working directory.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.path(name), bytes).expect("write test file");
    }

    /// Writes a file only its owner can read (0600), as passphrase files
    /// must be.
    pub fn write_secret(&self, name: &str, bytes: impl AsRef<[u8]>) {
        use std::os::unix::fs::PermissionsExt;
        self.write(name, bytes);
        std::fs::set_permissions(self.path(name), std::fs::Permissions::from_mode(0o600))
            .expect("chmod test file");
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path(name).exists()
    }

    /// A command in the working directory (see [`attesta`]).
    pub fn cmd(&self) -> Command {
        attesta(self.dir())
    }

    /// Runs `attesta ARGS`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[], None)
    }

    /// Runs `attesta ARGS` with `stdin` as standard input.
    pub fn run_stdin(&self, args: &[&str], stdin: impl Into<Vec<u8>>) -> Run {
        self.run_with(args, &[], Some(stdin.into()))
    }

    /// Runs `attesta ARGS` with extra environment variables.
    pub fn run_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        self.run_with(args, envs, None)
    }

    pub fn run_with(&self, args: &[&str], envs: &[(&str, &str)], stdin: Option<Vec<u8>>) -> Run {
        let mut c = self.cmd();
        c.args(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        if let Some(s) = stdin {
            c.write_stdin(s);
        }
        let o = c.output().expect("run attesta");
        Run::from_output(args.iter().map(|s| (*s).to_owned()).collect(), o)
    }

    /// `attesta keygen --out NAME`; returns the kid it printed.
    #[track_caller]
    pub fn keygen(&self, name: &str) -> String {
        let r = self.run(&["keygen", "--out", name]).ok();
        let kid = r.stdout.trim().to_owned();
        assert!(is_kid(&kid), "keygen printed {kid:?}, not a kid");
        kid
    }

    /// Makes `root.key`, `issuer.key` and `trust.cwt` trusting `issuer.key`
    /// as [`ISSUER`]; returns (root kid, issuer kid).
    #[track_caller]
    pub fn setup(&self) -> (String, String) {
        let root = self.keygen("root.key");
        let issuer = self.keygen("issuer.key");
        self.run(&[
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
        (root, issuer)
    }

    /// `attesta issue` with `issuer.key`, [`ISSUER`], [`CF`], 75 %, the
    /// fast KDF, `--out OUT` and `extra` flags; asserts success. For another
    /// holder or failing cases, run [`issue_args`] with [`Env::run`].
    #[track_caller]
    pub fn issue(&self, out: &str, extra: &[&str]) -> Run {
        self.run(&issue_args(CF, out, extra)).ok()
    }

    /// `attesta verify INPUT --trust trust.cwt --root root.key.pub --state
    /// state.json EXTRA --json`; returns the exit code and the JSON object.
    #[track_caller]
    pub fn verify_json(&self, input: &str, extra: &[&str]) -> (i32, Value) {
        let mut a = verify_args(input, extra);
        a.push("--json");
        let r = self.run(&a);
        assert!(
            r.stdout.trim().lines().count() == 1,
            "verify --json must print one JSON object on one line\n{}",
            r.describe()
        );
        let v = r.json();
        assert!(v.is_object(), "verify --json printed {v}");
        let code = r.code;
        assert!(
            code == 0 || code == 1 || code == 4,
            "verify exited {code}, expected 0, 1 or 4\n{}",
            r.describe()
        );
        let verdict = match code {
            0 => "valid",
            1 => "not_valid",
            _ => "cannot_verify",
        };
        assert_eq!(
            v["verdict"],
            verdict,
            "\"verdict\" disagrees with the exit code\n{}",
            r.describe()
        );
        assert_eq!(
            v["valid"].as_bool(),
            Some(code == 0),
            "\"valid\" disagrees with the exit code\n{}",
            r.describe()
        );
        (code, v)
    }

    /// Lists leftover temporary files (`.NAME.XXXX.tmp`) of atomic writes.
    pub fn temp_leftovers(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![self.dir().to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let n = e.file_name().to_string_lossy().into_owned();
                    if n.starts_with('.') && n.ends_with(".tmp") {
                        out.push(p.display().to_string());
                    }
                }
            }
        }
        out
    }
}

/// Arguments of a single `issue` with `issuer.key`, the holder `cf`, 75 %
/// and the fast KDF.
pub fn issue_args<'a>(cf: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "issue",
        "--key",
        "issuer.key",
        "--issuer",
        ISSUER,
        "--cf",
        cf,
        "--invalidita",
        "75",
    ];
    a.extend(FAST_KDF);
    a.extend(["--out", out]);
    a.extend(extra);
    a
}

/// Arguments of `verify INPUT` against `trust.cwt`/`root.key.pub`, with the
/// verifier state in `state.json` of the working directory.
pub fn verify_args<'a>(input: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "verify",
        input,
        "--trust",
        "trust.cwt",
        "--root",
        "root.key.pub",
        "--state",
        "state.json",
    ];
    a.extend(FAST_KDF_FLOOR);
    a.extend(extra);
    a
}

/// `args` followed by [`FAST_KDF_FLOOR`], for `verify` commands written
/// out in full.
pub fn with_fast_kdf_floor<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut a = args.to_vec();
    a.extend(FAST_KDF_FLOOR);
    a
}

/// Whether `s` looks like a kid: 8 lowercase hex digits.
pub fn is_kid(s: &str) -> bool {
    s.len() == 8
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether an external program can be run (`prog ARG` spawns).
pub fn have_tool(prog: &str, arg: &str) -> bool {
    std::process::Command::new(prog)
        .arg(arg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

/// The base64 body of a PEM file (between the BEGIN and END lines).
pub fn pem_body_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && !l.trim().is_empty())
        .map(|l| l.trim().to_owned())
        .collect()
}

/// Decodes standard base64 (padding optional); panics on bad input.
pub fn base64_decode(s: &str) -> Vec<u8> {
    fn val(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c:?}"),
        }
    }
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        acc = (acc << 6) | val(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- helpers of the command tests

pub fn mode(env: &Env, name: &str) -> u32 {
    std::fs::metadata(env.path(name))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

pub fn chmod(env: &Env, name: &str, m: u32) {
    std::fs::set_permissions(env.path(name), std::fs::Permissions::from_mode(m)).unwrap();
}

#[track_caller]
pub fn assert_reason(v: &Value, reason: &str) {
    assert_eq!(v["valid"], Value::Bool(false), "{v}");
    assert_eq!(v["reason"], reason, "{v}");
    let msg = v["message"].as_str().expect("message");
    assert!(
        !msg.is_empty() && !msg.contains('\n'),
        "message must be one line: {msg:?}"
    );
}

#[track_caller]
pub fn assert_valid(v: &Value) {
    assert_eq!(v["valid"], Value::Bool(true), "{v}");
    assert_eq!(v["reason"], Value::Null, "{v}");
}

pub fn trust_json(env: &Env, file: &str) -> Value {
    env.run(&["trust", "show", file, "--root", "root.key.pub", "--json"])
        .ok()
        .json()
}

pub fn rfc3339_in(hours: i64) -> String {
    (Timestamp::now() + SignedDuration::from_hours(hours)).to_string()
}

/// Lines and decoded seed of an unencrypted Ed25519 PKCS#8 key: the
/// 32-byte seed follows the OCTET STRING header 04 20 inside 04 22.
pub fn private_material(pem: &str) -> (Vec<String>, Option<String>) {
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
pub fn assert_no_private_material(r: &Run, pem: &str) {
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
