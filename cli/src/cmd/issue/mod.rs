//! `attesta issue`: one credential from flags; `--batch` rows
//! ([`batch`]) and second-level tokens ([`second_level`]) branch off here.
//! The pieces every way of issuing shares are in [`request`](mod@request).

pub mod batch;
pub mod batch_input;
pub mod fields;
pub mod request;
pub mod second_level;

use std::io::Write;

use anyhow::{Context, Result, bail};
use attesta_core::credential::{issue_first_level, issue_first_level_with_secret};
use attesta_core::lang::Lang;
use attesta_core::secret::HolderSecret;
use attesta_qr::render::{EcLevel, QrSymbol};
use jiff::Timestamp;

use self::fields::Fields;
use self::request::{
    DEFAULT_LIST_CAPACITY, kdf_params, meta, qr_text, request, verify_url, write_with_secret,
};
use crate::cli::IssueArgs;
use crate::cmd::status::IssuerList;
use crate::output::{Renderer, format_of, secret_path};

pub fn run(args: &IssueArgs, lang: Lang) -> Result<std::process::ExitCode> {
    if args.level == 2 {
        return second_level::issue(args, lang);
    }
    if args.segreto.is_some() {
        bail!(
            "--segreto gives the secret of a first-level code to `issue --level 2`; to give a new code a holder's secret, use --con-segreto"
        );
    }
    if args.batch.is_some() {
        return batch::run(args, lang);
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
