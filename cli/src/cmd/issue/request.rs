//! What every way of issuing shares once its flags are checked
//! ([`super::plan`]): the request for one row, the QR text, the printed
//! sheet's metadata, and writing an output beside the holder's secret.

use anyhow::Result;
use attesta_core::benefits::title;
use attesta_core::credential::{FirstLevelRequest, IssuedCredential};
use attesta_core::envelope::KdfParams;
use attesta_core::lang::{Lang, day_of};
use attesta_core::secret::HolderSecret;
use attesta_core::text::VerifyUrl;
use attesta_pdf::Shows;
use jiff::Timestamp;

use super::fields::{Parsed, detail_lines};
use crate::files;
use crate::output::{DocMeta, secret_file, secret_path};

/// Default capacity of a status list created on the fly.
pub const DEFAULT_LIST_CAPACITY: u64 = 1_048_576;

/// The text that goes into the QR code: the code, or the code wrapped in
/// the verifier address.
pub fn qr_text(code: &str, url: Option<&VerifyUrl>) -> String {
    url.map_or_else(|| code.to_owned(), |u| u.wrap(code))
}

/// Builds the request for one parsed row.
pub fn request(
    p: &Parsed,
    now: Timestamp,
    status: Option<attesta_core::claims::StatusRef>,
    issuer: Option<String>,
    kdf: KdfParams,
) -> FirstLevelRequest {
    FirstLevelRequest {
        attestation: p.attestation.clone(),
        issued_at: now,
        not_before: None,
        expires_at: p.expires_at,
        status,
        issuer,
        kdf,
    }
}

/// Document metadata for an issued credential.
pub fn meta(
    issuer: &str,
    c: &IssuedCredential,
    p: &Parsed,
    now: Timestamp,
    show: bool,
    secret: Option<&HolderSecret>,
) -> DocMeta {
    // Printed dates are Italian (30/06/2028): the sheet is Italian first.
    let t = title(show.then_some(&p.attestation));
    DocMeta {
        issuer: issuer.to_owned(),
        issued_on: day_of(now, Lang::It),
        valid_until: day_of(p.expires_at, Lang::It),
        reference: c.cti().short_ref(),
        details: show.then(|| detail_lines(&p.attestation)),
        second_level: false,
        title: Some((t.it, t.en)),
        operator: None,
        // Only a band or a class can be hidden: without either the two
        // forms are the same and the sheet says nothing about it.
        shows: (p.attestation.invalidity().is_some() || p.attestation.blindness()).then_some(
            if p.attestation.is_statuses_only() {
                Shows::StatusesOnly
            } else {
                Shows::Benefits
            },
        ),
        holder_secret: secret.map(HolderSecret::to_text),
    }
}

/// Writes the holder's secret to `OUT.segreto` (0600), then the output;
/// if the output cannot be written the secret file is removed again, so
/// that a secret never exists without its code.
pub fn write_with_secret(
    out: &std::path::Path,
    bytes: &[u8],
    private: bool,
    secret: Option<&HolderSecret>,
) -> Result<()> {
    let sp = secret_path(out);
    if let Some(s) = secret {
        files::write_private(&sp, &secret_file(s))?;
    }
    let written = files::write_output(out, bytes, private);
    if written.is_err() && secret.is_some() {
        let _ = std::fs::remove_file(&sp);
    }
    written
}
