//! Signing keys as the commands take them: a PKCS#8 file, or an RFC 7512
//! PKCS#11 URI (`pkcs11:token=attesta;object=issuer-2026`) for a key that
//! stays in an HSM. Whatever it is, it signs through attesta-core's
//! `Signer`, so the documents are the same.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, bail};
use attesta_core::keys::{Kid, PublicKey, SigningKey};
use attesta_core::signer::{SignError, Signature, Signer};
use attesta_pkcs11::{Pin, Pkcs11Key, Pkcs11Uri, is_pkcs11_uri};
use zeroize::Zeroizing;

use crate::cli::PassphraseArgs;
use crate::files;

/// Environment variable holding the token's user PIN.
pub const PIN_ENV: &str = "ATTESTA_PKCS11_PIN";

/// A private signing key: in a file (decrypted in memory) or in a token.
// One per command, opened once and never moved about: its size is no cost.
#[allow(clippy::large_enum_variant)]
pub enum PrivateKey {
    /// A PKCS#8 file.
    File(SigningKey),
    /// A key in a PKCS#11 token.
    Pkcs11(Pkcs11Key),
}

impl PrivateKey {
    /// How many lost HSM sessions were replaced (None for a file key).
    pub fn sessions_reopened(&self) -> Option<u64> {
        match self {
            PrivateKey::File(_) => None,
            PrivateKey::Pkcs11(k) => Some(k.sessions_reopened()),
        }
    }
}

impl Signer for PrivateKey {
    fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::File(k) => k.public_key(),
            PrivateKey::Pkcs11(k) => k.public_key(),
        }
    }

    fn kid(&self) -> Kid {
        match self {
            PrivateKey::File(k) => k.kid(),
            PrivateKey::Pkcs11(k) => k.kid(),
        }
    }

    fn sign(&self, msg: &[u8]) -> Result<Signature, SignError> {
        match self {
            PrivateKey::File(k) => Signer::sign(k, msg),
            PrivateKey::Pkcs11(k) => k.sign(msg),
        }
    }
}

/// The `--key` / `--root-key` value as a URI, if it is one.
pub fn as_uri(arg: &Path) -> Result<Option<Pkcs11Uri>> {
    match arg.to_str() {
        Some(s) if is_pkcs11_uri(s) => Ok(Some(s.parse()?)),
        _ => Ok(None),
    }
}

/// Opens a private signing key: a PKCS#11 URI (PIN from `pin-source=`,
/// `ATTESTA_PKCS11_PIN` or a prompt), or a key file (mode check and
/// passphrase as for every private key file).
pub fn open(arg: &Path, pass: &PassphraseArgs) -> Result<PrivateKey> {
    match as_uri(arg)? {
        Some(uri) => {
            let pin = pin(&uri, pass)?;
            let key =
                Pkcs11Key::open(&uri, pin).with_context(|| format!("cannot use the key {uri}"))?;
            Ok(PrivateKey::Pkcs11(key))
        }
        None => files::read_signing_key(arg, pass).map(PrivateKey::File),
    }
}

/// `attesta key show URI`: the public facts of a key in a token.
pub fn show(arg: &Path, pass: &PassphraseArgs, print: fn(&PublicKey, &str)) -> Result<()> {
    if let PrivateKey::Pkcs11(k) = open(arg, pass)? {
        print(
            &k.public_key(),
            &format!(
                "PKCS#11 private key \"{}\" in token \"{}\" (the private part stays in the token)",
                k.object_label(),
                k.token_label()
            ),
        );
    }
    Ok(())
}

/// The user PIN: the `pin-source=` file, else `ATTESTA_PKCS11_PIN`, else
/// a prompt on a terminal. Never a command-line argument (a URI with
/// `pin-value=` is refused when parsed).
pub fn pin(uri: &Pkcs11Uri, pass: &PassphraseArgs) -> Result<Option<Pin>> {
    if let Some(f) = &uri.pin_source {
        check_pin_file(f, pass)?;
        let text = Zeroizing::new(
            files::read_text(f)
                .with_context(|| format!("cannot read the PIN file {}", f.display()))?,
        );
        let line = Zeroizing::new(text.lines().next().unwrap_or("").to_owned());
        if line.is_empty() {
            bail!(
                "the PIN file {} is empty; put the user PIN on its first line",
                f.display()
            );
        }
        return Ok(Some(Pin::new(line)));
    }
    if let Ok(p) = std::env::var(PIN_ENV)
        && !p.is_empty()
    {
        return Ok(Some(Pin::new(Zeroizing::new(p))));
    }
    if std::io::stdin().is_terminal() {
        let token = uri.token.as_deref().unwrap_or("the token");
        let p = Zeroizing::new(
            rpassword::prompt_password(format!("User PIN for {token}: "))
                .context("cannot read the PIN")?,
        );
        return Ok((!p.is_empty()).then(|| Pin::new(p)));
    }
    Ok(None)
}

/// A PIN file is as secret as a key file: refused when others can read it.
#[cfg(unix)]
fn check_pin_file(f: &Path, pass: &PassphraseArgs) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(f)
        .with_context(|| {
            format!(
                "the PIN file {} (pin-source=) does not exist; check the path",
                f.display()
            )
        })?
        .permissions()
        .mode();
    if mode & 0o077 != 0 && !pass.insecure_permissions {
        bail!(
            "the PIN file {} can be read by other users (mode {:o}); run `chmod 600 {}` (or pass --insecure-permissions)",
            f.display(),
            mode & 0o777,
            f.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_pin_file(_: &Path, _: &PassphraseArgs) -> Result<()> {
    Ok(())
}

/// `attesta keygen --pkcs11 URI`: a key pair generated in the token; only
/// the public key is written, to `out` (default `OBJECT.pub`).
pub fn keygen(
    uri_text: &str,
    out: Option<&Path>,
    force: bool,
    pass: &PassphraseArgs,
) -> Result<()> {
    let uri: Pkcs11Uri = uri_text.parse()?;
    let object = uri
        .object
        .clone()
        .context("the URI names no object=LABEL for the new key; write e.g. pkcs11:token=attesta;object=issuer-2026")?;
    let out = match out {
        Some(o) => o.to_owned(),
        None => Path::new(&format!("{object}.pub")).to_owned(),
    };
    // Before the key exists: a refusal afterwards would leave a key in the
    // token whose public half was never written.
    files::ensure_absent(&out, force)?;
    let pin = pin(&uri, pass)?;
    let g = attesta_pkcs11::generate(&uri, pin)
        .with_context(|| format!("cannot generate a key at {uri}"))?;
    if force {
        let _ = std::fs::remove_file(&out);
    }
    files::atomic_write(&out, g.public.to_pem().as_bytes())?;
    println!("{}", g.public.kid());
    eprintln!(
        "generated Ed25519 key \"{}\" in token \"{}\" ({}); wrote only its public key {}; sign with --key '{}'",
        g.object,
        g.token,
        if g.non_extractable {
            "sensitive, never extractable: the private key stays in the token"
        } else {
            "WARNING: the token does not report it as sensitive and non-extractable"
        },
        out.display(),
        Pkcs11Uri {
            token: Some(g.token.clone()),
            object: Some(g.object.clone()),
            ..Pkcs11Uri::default()
        }
    );
    Ok(())
}
