//! `attesta issue`: one credential from flags (batches are in `batch.rs`).

use std::io::Write;

use anyhow::{Context, Result, bail};
use attesta_core::benefits::title;
use attesta_core::credential::{
    FirstLevelRequest, IssuedCredential, issue_first_level, issue_first_level_with_secret,
};
use attesta_core::envelope::KdfParams;
use attesta_core::lang::{Lang, day_of};
use attesta_core::secret::HolderSecret;
use attesta_core::text::VerifyUrl;
use attesta_pdf::Shows;
use attesta_qr::render::{EcLevel, QrSymbol};
use jiff::Timestamp;

use crate::cli::IssueArgs;
use crate::cmd::fields::{Fields, Parsed, detail_lines};
use crate::cmd::status::IssuerList;
use crate::files;
use crate::output::{DocMeta, Renderer, format_of, secret_file, secret_path};

/// Default capacity of a status list created on the fly.
pub const DEFAULT_LIST_CAPACITY: u64 = 1_048_576;

/// The `--verify-url` address, checked.
pub fn verify_url(args: &IssueArgs) -> Result<Option<VerifyUrl>> {
    args.verify_url
        .as_deref()
        .map(|u| VerifyUrl::parse(u).with_context(|| format!("--verify-url '{u}'")))
        .transpose()
}

/// The text that goes into the QR code: the code, or the code wrapped in
/// the verifier address.
pub fn qr_text(code: &str, url: Option<&VerifyUrl>) -> String {
    url.map_or_else(|| code.to_owned(), |u| u.wrap(code))
}

pub fn kdf_params(args: &IssueArgs) -> Result<KdfParams> {
    KdfParams::new(args.kdf_memory_mib, args.kdf_iterations, 1)
        .context("invalid --kdf-memory-mib/--kdf-iterations")
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

pub fn run(args: &IssueArgs, lang: Lang) -> Result<std::process::ExitCode> {
    if args.level == 2 {
        return crate::cmd::second_level::issue(args, lang);
    }
    if args.segreto.is_some() {
        bail!(
            "--segreto gives the secret of a first-level code to `issue --level 2`; to give a new code a holder's secret, use --con-segreto"
        );
    }
    if args.batch.is_some() {
        return crate::cmd::batch::run(args, lang);
    }
    let out = args.out.as_deref().context("--out is required")?;
    if args.con_segreto && out == "-" {
        bail!(
            "--con-segreto writes the holder's secret to OUT.segreto beside the output; give a file with --out (e.g. holder.pdf), not -"
        );
    }
    if args.con_segreto && secret_path(std::path::Path::new(out)).exists() {
        bail!(
            "{} already exists; choose another --out (outputs are never overwritten)",
            secret_path(std::path::Path::new(out)).display()
        );
    }
    let format = if out == "-" {
        None
    } else {
        Some(format_of(out)?)
    };
    if out != "-" && std::path::Path::new(out).exists() {
        bail!("{out} already exists; choose another --out (outputs are never overwritten)");
    }
    let url = verify_url(args)?;
    let key = crate::signing::open(&args.key, &args.pass)?;
    let now = Timestamp::now();
    let parsed = Fields::from(&args.fields)
        .parse(now, lang)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let kdf = kdf_params(args)?;
    let mut list = match &args.status_list {
        Some(p) => Some(IssuerList::open_or_create(
            p,
            &key,
            &crate::cmd::status::default_list_uri(&key),
            DEFAULT_LIST_CAPACITY,
        )?),
        None => None,
    };
    let status = match list.as_mut() {
        Some(l) => {
            let s = l.allocate()?;
            // Persist the allocation before the code exists, so a crash can
            // only waste an index, never hand it out twice.
            l.save(&key)?;
            Some(s)
        }
        None => None,
    };
    let iss = args.include_iss.then(|| args.issuer.clone());
    let secret = args.con_segreto.then(HolderSecret::generate).transpose()?;
    let req = request(&parsed, now, status, iss, kdf);
    let cred = match &secret {
        Some(s) => issue_first_level_with_secret(&key, &parsed.cf, s, &req)?,
        None => issue_first_level(&key, &parsed.cf, &req)?,
    };
    let text = qr_text(cred.text(), url.as_ref());
    let version = QrSymbol::encode(&text, EcLevel::Q)?.version();
    match format {
        None => {
            let mut so = std::io::stdout().lock();
            writeln!(so, "{text}")?;
        }
        Some(f) => {
            let m = meta(
                &args.issuer,
                &cred,
                &parsed,
                now,
                args.pdf_show_details,
                secret.as_ref(),
            );
            let bytes = Renderer::new(f)?.render(f, &text, &m)?;
            let private = m.is_private(f) && !args.readable_outputs;
            write_with_secret(std::path::Path::new(out), &bytes, private, secret.as_ref())?;
        }
    }
    eprintln!(
        "issued credential {} ({} characters{}, QR version {version} at level Q){}",
        cred.cti(),
        text.len(),
        if url.is_some() {
            format!(
                ": the code's {} and {} for the address and the escaped spaces and %",
                cred.text().len(),
                text.len() - cred.text().len()
            )
        } else {
            String::new()
        },
        if out == "-" {
            String::new()
        } else {
            format!(" -> {out}")
        }
    );
    if secret.is_some() {
        eprintln!(
            "holder's secret written to {} (mode 0600){}: give it to the holder apart from the code",
            secret_path(std::path::Path::new(out)).display(),
            if format == Some(crate::cli::OutFormat::Pdf) {
                " and printed on the PDF in a part to cut off"
            } else {
                ""
            }
        );
    }
    Ok(std::process::ExitCode::SUCCESS)
}
