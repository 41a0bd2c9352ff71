//! `attesta status …` and the issuer-side status list used by `issue --status-list`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use attesta_core::claims::StatusRef;
use attesta_core::credential::FirstLevelCode;
use attesta_core::signer::Signer;
use attesta_core::status_list::{
    CredentialStatus, IndexAllocator, StatusBits, StatusList, StatusListToken,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::cli::StatusCommand;
use crate::files;

/// How long a signed status list stays usable: verifiers refuse older ones,
/// so issuers re-sign (any `issue --status-list`, `status revoke` or
/// `status refresh` does) well within it.
pub const LIST_VALIDITY: SignedDuration = SignedDuration::from_hours(24 * 30);
/// How often verifiers should fetch a new copy.
pub const LIST_TTL_SECS: u64 = 24 * 3600;

/// The uri of a list created without `--uri`: the signing key's kid in
/// hex. Kids are unique in a trust list (`trust add-issuer` refuses a key
/// whose kid is already there), so two keys never make lists with the
/// same uri, and files or caches named after the uri never collide.
/// Verifiers look a credential up in lists of its own key only, so the
/// uri needs no other meaning.
pub fn default_list_uri(key: &dyn Signer) -> String {
    key.kid().to_string()
}

/// The allocation state kept beside a list (issuer only; never publish it:
/// it tells which indices are in use).
pub fn alloc_path(list: &Path) -> PathBuf {
    let mut s = list.as_os_str().to_owned();
    s.push(".alloc");
    PathBuf::from(s)
}

/// An issuer's status list with its allocation state.
pub struct IssuerList {
    pub path: PathBuf,
    pub token: StatusListToken,
    pub alloc: IndexAllocator,
}

impl IssuerList {
    /// Opens the list at `path` (checking it is signed by `key`), or creates it.
    pub fn open_or_create(path: &Path, key: &dyn Signer, uri: &str, capacity: u64) -> Result<Self> {
        if path.exists() {
            return Self::open(path, key);
        }
        let list = StatusList::new(capacity, StatusBits::One)?;
        let token = StatusListToken::new(uri, Timestamp::now(), list);
        let alloc = IndexAllocator::new(capacity)?;
        let me = IssuerList {
            path: path.to_owned(),
            token,
            alloc,
        };
        me.save(key)?;
        eprintln!(
            "created status list {} (uri \"{uri}\", {capacity} entries); keep {} private",
            path.display(),
            alloc_path(path).display()
        );
        Ok(me)
    }

    /// Opens an existing list signed by `key`.
    pub fn open(path: &Path, key: &dyn Signer) -> Result<Self> {
        let bytes = files::read(path)?;
        let u = StatusListToken::parse_unverified(&bytes)
            .with_context(|| format!("{} is not a status list", path.display()))?;
        let payload = u.verify(&key.public_key()).with_context(|| {
            format!(
                "{} is signed by another key (kid {}), not by this issuer key (kid {}); use the key that created the list, or another list file",
                path.display(),
                u.kid(),
                key.kid()
            )
        })?;
        let token = StatusListToken::from_verified(&payload)?;
        let ap = alloc_path(path);
        let alloc = if ap.exists() {
            IndexAllocator::from_bytes(&files::read(&ap)?)
                .with_context(|| format!("{} is corrupt", ap.display()))?
        } else {
            bail!(
                "{} is missing: without it new credentials could reuse revocation indices; restore it from backup",
                ap.display()
            );
        };
        Ok(IssuerList {
            path: path.to_owned(),
            token,
            alloc,
        })
    }

    /// A fresh random index for a new credential.
    pub fn allocate(&mut self) -> Result<StatusRef> {
        let idx = self.alloc.allocate().with_context(|| {
            format!(
                "{}: make a new list with `attesta status create --capacity N` and issue into it",
                self.path.display()
            )
        })?;
        Ok(StatusRef {
            idx,
            uri: self.token.uri.clone(),
        })
    }

    /// Saves the allocation state first (so an index is never handed out
    /// twice), then re-signs the list with a fresh issue time.
    pub fn save(&self, key: &dyn Signer) -> Result<()> {
        files::write_private(&alloc_path(&self.path), &self.alloc.to_bytes())?;
        self.sign_and_write(key)
    }

    fn sign_and_write(&self, key: &dyn Signer) -> Result<()> {
        let mut t = self.token.clone();
        t.issued_at = Timestamp::now();
        t.expires_at = Some(t.issued_at + LIST_VALIDITY);
        t.ttl = std::num::NonZeroU64::new(LIST_TTL_SECS);
        let signed = t
            .sign_with(key)
            .with_context(|| format!("cannot sign the status list {}", self.path.display()))?;
        files::atomic_write(&self.path, &signed)
    }
}

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
