//! `attesta issue`: one credential from flags; `--batch` rows
//! ([`batch`]) and second-level tokens ([`second_level`]) branch off here.
//! The flags are judged together first ([`plan`]); the pieces every way of
//! issuing shares are in [`request`](mod@request).

pub mod batch;
pub mod batch_input;
pub mod fields;
pub mod plan;
pub mod request;
pub mod second_level;

use std::io::Write;

use anyhow::Result;
use attesta_core::credential::{issue_first_level, issue_first_level_with_secret};
use attesta_core::lang::Lang;
use attesta_core::secret::HolderSecret;
use attesta_qr::render::{EcLevel, QrSymbol};
use jiff::Timestamp;

use self::fields::Fields;
use self::plan::{IssuePlan, Output, Shared};
use self::request::{DEFAULT_LIST_CAPACITY, meta, qr_text, request, write_with_secret};
use crate::cli::IssueArgs;
use crate::issuer_list::IssuerList;
use crate::output::{Renderer, secret_path};

pub fn run(args: &IssueArgs, lang: Lang) -> Result<std::process::ExitCode> {
    match IssuePlan::from_args(args)? {
        IssuePlan::Single {
            out,
            with_secret,
            shared,
        } => single(args, &out, with_secret, &shared, lang),
        IssuePlan::Batch {
            input,
            out_dir,
            shared,
        } => batch::run(args, &input, &out_dir, &shared, lang),
        IssuePlan::SecondLevel(plan, shared) => second_level::issue(args, &plan, &shared, lang),
    }
}

/// One first-level code from flags.
fn single(
    args: &IssueArgs,
    out: &Output,
    with_secret: bool,
    shared: &Shared,
    lang: Lang,
) -> Result<std::process::ExitCode> {
    let url = shared.verify_url.as_ref();
    let key = crate::signing::open(&args.key, &args.pass)?;
    let now = Timestamp::now();
    let parsed = Fields::from(&args.fields)
        .parse(now, lang)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let kdf = shared.kdf;
    let mut list = match &args.status_list {
        Some(p) => Some(IssuerList::open_or_create(
            p,
            &key,
            &crate::issuer_list::default_list_uri(&key),
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
    let secret = with_secret.then(HolderSecret::generate).transpose()?;
    let req = request(&parsed, now, status, iss, kdf);
    let cred = match &secret {
        Some(s) => issue_first_level_with_secret(&key, &parsed.cf, s, &req)?,
        None => issue_first_level(&key, &parsed.cf, &req)?,
    };
    let text = qr_text(cred.text(), url);
    let version = QrSymbol::encode(&text, EcLevel::Q)?.version();
    match out {
        Output::Stdout => {
            let mut so = std::io::stdout().lock();
            writeln!(so, "{text}")?;
        }
        Output::File { path, format: f } => {
            let f = *f;
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
            write_with_secret(path, &bytes, private, secret.as_ref())?;
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
        out.path()
            .map(|p| format!(" -> {}", p.display()))
            .unwrap_or_default()
    );
    if let (Some(_), Some(path)) = (&secret, out.path()) {
        eprintln!(
            "holder's secret written to {} (mode 0600){}: give it to the holder apart from the code",
            secret_path(path).display(),
            if matches!(
                out,
                Output::File {
                    format: crate::cli::OutFormat::Pdf,
                    ..
                }
            ) {
                " and printed on the PDF in a part to cut off"
            } else {
                ""
            }
        );
    }
    Ok(std::process::ExitCode::SUCCESS)
}
