//! `attesta keygen` and `attesta key show`.

use std::path::Path;

use anyhow::{Result, bail};
use attesta_core::keys::{PublicKey, SigningKey};

use crate::cli::PassphraseArgs;
use crate::files;

pub fn keygen(out: &Path, force: bool, operator: bool, pass: &PassphraseArgs) -> Result<()> {
    if operator {
        return crate::cmd::second_level::keygen_operator(out, force, pass);
    }
    let pubp = files::pub_path(out);
    files::ensure_absent(out, force)?;
    files::ensure_absent(&pubp, force)?;
    let key = SigningKey::generate()?;
    let p = files::passphrase(
        pass,
        Some("Passphrase to protect the key (empty for none): "),
    )?;
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
    let text = files::read_text(file)?;
    if text.contains("-----BEGIN PUBLIC KEY-----") {
        if let Ok(k) = PublicKey::from_pem(&text) {
            print_public(&k, "public key");
            return Ok(());
        }
        return crate::cmd::second_level::show_operator_public(file, &text);
    }
    if text.contains("PRIVATE KEY-----") {
        if let Some(shown) = crate::cmd::second_level::show_operator_private(file, &text)? {
            return Ok(shown);
        }
        let k = files::read_signing_key(file, pass)?;
        print_public(&k.public_key(), "private key (private part not shown)");
        return Ok(());
    }
    bail!(
        "{} is not a PEM key file; give a file written by `attesta keygen`",
        file.display()
    )
}

fn print_public(k: &PublicKey, what: &str) {
    println!("file:       {what}");
    println!("algorithm:  Ed25519 (COSE EdDSA)");
    println!("kid:        {}", k.kid());
    println!("public key: {}", hex::encode(k.to_bytes()));
}
