//! `attesta status …`: create, revoke, refresh and show an issuer's status list
//! (the list file itself is [`crate::issuer_list`]).

use std::path::Path;

use anyhow::{Context, Result, bail};
use attesta_core::claims::StatusRef;
use attesta_core::credential::FirstLevelCode;
use attesta_core::signer::Signer;
use attesta_core::status_list::{CredentialStatus, StatusListToken};
use serde_json::json;

use crate::cli::StatusCommand;
use crate::files;
use crate::issuer_list::{IssuerList, LIST_VALIDITY, default_list_uri};

/// The credential's status reference, read from a code (signature checked
/// against the issuer key).
fn status_ref_of(input: &str, key: &dyn Signer) -> Result<StatusRef> {
    let code = files::read_code(input)?;
    let parsed = FirstLevelCode::parse(&code.text)
        .with_context(|| format!("{} is not a first-level attestation", code.source))?;
    // The issuer reads back its own code: no verifier policy applies.
    let claims = parsed
        .danger_read_back(&key.public_key())
        .with_context(|| format!("{} cannot be revoked with this key", code.source))?;
    claims.status().cloned().with_context(|| {
        format!(
            "{} was issued without a status list index, so it cannot be revoked; deny its signing key if you must stop it",
            code.source
        )
    })
}

pub fn run(cmd: &StatusCommand) -> Result<()> {
    match cmd {
        StatusCommand::Create {
            key,
            list,
            uri,
            capacity,
            force,
            pass,
        } => {
            if let Some(uri) = uri
                && (uri.trim().is_empty() || uri.len() > 64 || uri.chars().any(char::is_control))
            {
                bail!(
                    "--uri '{uri}' is not usable: give a short identifier such as 1 or inps-2026 (it is written into every code), or leave --uri out to use the key's kid"
                );
            }
            files::ensure_absent(list, *force)?;
            if *force {
                let _ = std::fs::remove_file(list);
            }
            let key = crate::signing::open(key, pass)?;
            let uri = uri.clone().unwrap_or_else(|| default_list_uri(&key));
            IssuerList::open_or_create(list, &key, &uri, *capacity)?;
            Ok(())
        }
        StatusCommand::Revoke {
            key,
            list,
            credential,
            pass,
        } => {
            let key = crate::signing::open(key, pass)?;
            let mut l = IssuerList::open(list, &key)?;
            let s = status_ref_of(credential, &key)?;
            if s.uri != l.token.uri {
                bail!(
                    "the credential uses status list \"{}\" but {} is list \"{}\"; give the right --list",
                    s.uri,
                    list.display(),
                    l.token.uri
                );
            }
            let was = l.token.list.get(s.idx).context("index outside the list")?;
            l.token.list.set(s.idx, CredentialStatus::Revoked)?;
            l.save(&key)?;
            if was == CredentialStatus::Revoked {
                eprintln!(
                    "credential (index {}) was already revoked; list re-signed",
                    s.idx
                );
            } else {
                eprintln!(
                    "revoked credential (index {}) in {}; publish the new list to verifiers",
                    s.idx,
                    list.display()
                );
            }
            Ok(())
        }
        StatusCommand::Refresh { key, list, pass } => {
            let key = crate::signing::open(key, pass)?;
            let l = IssuerList::open(list, &key)?;
            l.save(&key)?;
            eprintln!(
                "re-signed {} (valid for {} days); publish it to verifiers",
                list.display(),
                LIST_VALIDITY.as_hours() / 24
            );
            Ok(())
        }
        StatusCommand::Show { file, json } => show(file, *json),
    }
}

fn show(file: &Path, as_json: bool) -> Result<()> {
    let bytes = files::read(file)?;
    let u = StatusListToken::parse_unverified(&bytes)
        .with_context(|| format!("{} is not a status list", file.display()))?;
    // Display only: the signature is checked by `verify`, against the trust list.
    let t = StatusListToken::from_unverified_payload(u.payload_unverified())?;
    let revoked = t.list.count(CredentialStatus::Revoked);
    if as_json {
        let v = json!({
            "uri": t.uri,
            "kid": u.kid().to_string(),
            "issued_at": t.issued_at.to_string(),
            "expires_at": t.expires_at.map(|e| e.to_string()),
            "ttl": t.ttl.map(|x| x.get()),
            "bits": t.list.bits().width(),
            "capacity": t.list.capacity(),
            "revoked": revoked,
            "suspended": t.list.count(CredentialStatus::Suspended),
            "size_bytes": bytes.len(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "status list {} (signature not checked here)",
            file.display()
        );
        println!("uri:       {}", t.uri);
        println!("signed by: kid {}", u.kid());
        println!("issued:    {}", t.issued_at);
        println!(
            "expires:   {}",
            t.expires_at.map_or("-".into(), |e| e.to_string())
        );
        println!(
            "entries:   {} ({} bit each)",
            t.list.capacity(),
            t.list.bits().width()
        );
        println!("revoked:   {revoked}");
        println!("size:      {} bytes", bytes.len());
    }
    Ok(())
}
