//! `attesta keygen` and `attesta key show`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use attesta_core::keys::{PublicKey, SigningKey};
use attesta_core::operator_key::{OperatorPublicKey, OperatorSecretKey, is_operator_key_pem};
use zeroize::Zeroizing;

use crate::cli::PassphraseArgs;
use crate::files;

pub fn keygen(out: &Path, force: bool, operator: bool, pass: &PassphraseArgs) -> Result<()> {
    if operator {
        return keygen_operator(out, force, pass);
    }
    let pubp = files::pub_path(out);
    files::ensure_absent(out, force)?;
    files::ensure_absent(&pubp, force)?;
    let key = SigningKey::generate()?;
    let p = files::new_passphrase(pass)?;
    let pem = key.to_pkcs8_pem(p.as_ref().map(|s| s.as_bytes()))?;
    files::write_key_pair(
        out,
        force,
        pem.as_bytes(),
        key.public_key().to_pem().as_bytes(),
    )?;
    println!("{}", key.kid());
    eprintln!(
        "wrote private key {} (mode 0600{}) and public key {}",
        out.display(),
        if p.is_some() {
            ", passphrase-protected"
        } else {
            ""
        },
        pubp.display()
    );
    Ok(())
}

pub fn show(file: &Path, pass: &PassphraseArgs) -> Result<()> {
    if crate::signing::as_uri(file)?.is_some() {
        return crate::signing::show(file, pass, print_public);
    }
    let text = Zeroizing::new(files::read_text(file)?);
    if text.contains("-----BEGIN PUBLIC KEY-----") {
        if let Ok(k) = PublicKey::from_pem(&text) {
            print_public(&k, "public key");
            return Ok(());
        }
        return show_operator_public(file, &text);
    }
    if text.contains("PRIVATE KEY-----") {
        return show_private(file, pass);
    }
    bail!(
        "{} is not a PEM key file; give a file written by `attesta keygen`",
        file.display()
    )
}

/// A private key of either kind, with the checks every command that uses
/// it makes: the file's mode, then the passphrase.
fn show_private(file: &Path, pass: &PassphraseArgs) -> Result<()> {
    let (text, p) = files::read_private_pem(file, pass)?;
    let (text, p) = (text.as_str(), p.as_ref().map(|s| s.as_bytes()));
    // Both kinds are PKCS#8 and, encrypted, look alike until decrypted:
    // try the signing key, then the operator key.
    let signing = match SigningKey::from_pkcs8_pem(text, p) {
        Ok(k) => {
            print_public(&k.public_key(), "private key (private part not shown)");
            return Ok(());
        }
        Err(e) => e,
    };
    match OperatorSecretKey::from_pkcs8_pem(text, p) {
        Ok(k) => {
            print_private(&k);
            Ok(())
        }
        Err(operator) if is_operator_key_pem(text) => Err(operator)
            .with_context(|| format!("cannot use {} as an operator private key", file.display())),
        Err(_) => Err(signing).with_context(|| format!("cannot use the key {}", file.display())),
    }
}

pub fn print_public(k: &PublicKey, what: &str) {
    println!("file:       {what}");
    println!("algorithm:  Ed25519 (COSE EdDSA)");
    println!("kid:        {}", k.kid());
    println!("fingerprint: {}", k.fingerprint());
    println!("public key: {}", hex::encode(k.to_bytes()));
}

// ---- operator keys (X25519): the second level's sealing keys

pub fn keygen_operator(out: &Path, force: bool, pass: &PassphraseArgs) -> Result<()> {
    let pubp = files::pub_path(out);
    files::ensure_absent(out, force)?;
    files::ensure_absent(&pubp, force)?;
    let key = OperatorSecretKey::generate();
    let p = files::new_passphrase(pass)?;
    let pem = key.to_pkcs8_pem(p.as_ref().map(|s| s.as_bytes()))?;
    files::write_key_pair(
        out,
        force,
        pem.as_bytes(),
        key.public_key().to_pem().as_bytes(),
    )?;
    println!("{}", hex::encode(key.public_key().to_bytes()));
    eprintln!(
        "wrote operator sealing key {} (X25519, mode 0600) and public key {}; accredit it with `attesta trust add-operator`",
        out.display(),
        pubp.display()
    );
    Ok(())
}

pub fn show_operator_public(file: &Path, text: &str) -> Result<()> {
    let k = OperatorPublicKey::from_pem(text).with_context(|| {
        format!(
            "{} is neither an Ed25519 nor an X25519 public key",
            file.display()
        )
    })?;
    println!("file:       operator public key");
    println!("algorithm:  X25519 (HPKE sealing key)");
    println!("public key: {}", hex::encode(k.to_bytes()));
    Ok(())
}

/// Prints an operator private key's public facts (for `attesta key show`).
pub fn print_private(k: &OperatorSecretKey) {
    println!("file:       operator private key (private part not shown)");
    println!("algorithm:  X25519 (HPKE sealing key)");
    println!("public key: {}", hex::encode(k.public_key().to_bytes()));
}

pub fn read_operator_public(p: &Path) -> Result<[u8; 32]> {
    Ok(OperatorPublicKey::from_pem(&files::read_text(p)?)
        .with_context(|| format!("cannot use {} as an operator public key", p.display()))?
        .to_bytes())
}

pub fn read_operator_secret(p: &Path, pass: &PassphraseArgs) -> Result<OperatorSecretKey> {
    let (text, pp) = files::read_private_pem(p, pass)?;
    OperatorSecretKey::from_pkcs8_pem(&text, pp.as_ref().map(|s| s.as_bytes()))
        .with_context(|| format!("cannot use {} as an operator private key", p.display()))
}
