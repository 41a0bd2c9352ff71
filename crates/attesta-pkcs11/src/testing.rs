//! A throwaway SoftHSM2 for tests and benchmarks (hidden from the docs:
//! not part of the API).
//!
//! Each [`SoftHsm`] is a fresh token directory in a temporary directory
//! with its own configuration file; point `SOFTHSM2_CONF` at
//! [`SoftHsm::conf`] in the process that loads the module (SoftHSM2 reads
//! it once, at `C_Initialize`). Tokens and keys are made with Debian's
//! `softhsm2-util`, as an operator would.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian, Ubuntu and source builds put the SoftHSM2 module.
const MODULES: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

/// The SoftHSM2 module, if installed (with `softhsm2-util` on the PATH).
pub fn module() -> Option<PathBuf> {
    let util = Command::new("softhsm2-util").arg("--version").output();
    if !util.is_ok_and(|o| o.status.success()) {
        return None;
    }
    MODULES.iter().map(PathBuf::from).find(|p| p.exists())
}

/// The module, or a panic that says how to install it.
pub fn require_module() -> PathBuf {
    module().unwrap_or_else(|| {
        panic!("SoftHSM2 is not installed; run `apt-get install -y softhsm2` (CI's .ci/run does)")
    })
}

/// Whether tests that need SoftHSM2 can run. In CI (`CI` set) SoftHSM2
/// must be there (`.ci/run` installs it), so its absence panics; on a
/// developer's machine without it they are skipped with a message, so
/// that `cargo test --workspace` still runs everything else.
pub fn available(test: &str) -> bool {
    if module().is_some() {
        return true;
    }
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{test}: SoftHSM2 is not installed in CI; .ci/run must install Debian's softhsm2");
    }
    eprintln!("SKIPPED {test}: SoftHSM2 is not installed (apt-get install -y softhsm2 to run it)");
    false
}

/// A temporary SoftHSM2 token directory and configuration, removed on drop.
#[derive(Debug)]
pub struct SoftHsm {
    dir: PathBuf,
    module: PathBuf,
}

/// The SO PIN of every token made here.
pub const SO_PIN: &str = "so-pin-1234";

impl Default for SoftHsm {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftHsm {
    /// A new, empty SoftHSM2 store under the system temporary directory.
    pub fn new() -> SoftHsm {
        let module = require_module();
        let mut r = [0u8; 8];
        getrandom::fill(&mut r).expect("random");
        let dir = std::env::temp_dir().join(format!("attesta-softhsm-{}", hex::encode(r)));
        std::fs::create_dir_all(dir.join("tokens")).expect("create the token directory");
        std::fs::write(
            dir.join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                dir.join("tokens").display()
            ),
        )
        .expect("write softhsm2.conf");
        SoftHsm { dir, module }
    }

    /// The configuration file, for `SOFTHSM2_CONF`.
    pub fn conf(&self) -> PathBuf {
        self.dir.join("softhsm2.conf")
    }

    /// The module path, for `ATTESTA_PKCS11_MODULE`.
    pub fn module(&self) -> &Path {
        &self.module
    }

    /// The directory (a place for other test files, removed with it).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn util(&self, args: &[&str]) -> String {
        let out = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", self.conf())
            .args(args)
            .output()
            .expect("run softhsm2-util");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "softhsm2-util {args:?} failed: {text}"
        );
        text
    }

    /// Initialises a token with `label` and user PIN `pin` in the next free slot.
    pub fn init_token(&self, label: &str, pin: &str) {
        self.util(&[
            "--init-token",
            "--free",
            "--label",
            label,
            "--so-pin",
            SO_PIN,
            "--pin",
            pin,
        ]);
    }

    /// Imports a PKCS#8 PEM private key (any type SoftHSM2 reads: Ed25519,
    /// EC, RSA) as a private and a public key object labelled `label`,
    /// with CKA_ID `id` (hex), as `softhsm2-util --import` does.
    pub fn import_pem(&self, token: &str, pin: &str, label: &str, id_hex: &str, pem: &str) {
        let path = self.dir.join(format!("{label}.import.pem"));
        std::fs::write(&path, pem).expect("write the key to import");
        let p = path.to_string_lossy().into_owned();
        self.util(&[
            "--import", &p, "--token", token, "--label", label, "--id", id_hex, "--pin", pin,
        ]);
        let _ = std::fs::remove_file(&path);
    }
}

impl SoftHsm {
    /// Imports the Ed25519 key with this 32-byte seed (a key migrated from
    /// a file) from the PEM file attesta writes for it, with
    /// `softhsm2-util --import`: this proves that tool reads attesta's key
    /// files (PKCS#8 version 1; it refuses version 2).
    pub fn import_ed25519_seed(
        &self,
        token: &str,
        pin: &str,
        label: &str,
        id_hex: &str,
        seed: &[u8; 32],
    ) {
        let pem = attesta_core::keys::SigningKey::from_seed(seed)
            .to_pkcs8_pem(None)
            .expect("encode the key file");
        self.import_pem(token, pin, label, id_hex, &pem);
    }
}

impl Drop for SoftHsm {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A P-256 ECDSA private key (PKCS#8 PEM), a fixture for "not an Ed25519
/// key" errors. Generated once with `openssl genpkey -algorithm EC
/// -pkeyopt ec_paramgen_curve:P-256`; it signs nothing real.
pub const P256_PKCS8_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgXLMHIUy3EMPM2nuR
3rmljiF3EWjBSa5XYX/qwChJQvChRANCAAQMado2vCf6KwGcIDTP8YbD4H2iEWXg
tC96SM6vYagyZq134S8WQFbuwkOqRGOkeQELOeyoXK+IE7Mt6eeyFshe
-----END PRIVATE KEY-----
";
