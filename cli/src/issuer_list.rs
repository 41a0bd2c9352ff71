//! An issuer's status list on disk: the signed list it publishes and,
//! beside it, the private allocation state (`LIST.alloc`). Used by
//! `issue --status-list`, batches, `status …` and the demo.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use attesta_core::claims::StatusRef;
use attesta_core::signer::Signer;
use attesta_core::status_list::{IndexAllocator, StatusBits, StatusList, StatusListToken};
use jiff::{SignedDuration, Timestamp};

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
