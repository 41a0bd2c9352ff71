//! `attesta issue --level 2`: a token of second-level details addressed to
//! an accredited operator, for a first-level code this issuer signed.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use attesta_core::details_issuing::{
    DetailsError, DetailsForCredential, issue_details_for_credential,
};
use attesta_core::lang::{Lang, day_of};
use attesta_core::model::{BlindnessClass, HandicapGrade, Percent, SecondLevelDetails};
use attesta_core::second_level::DEFAULT_VALID_DAYS;
use attesta_core::trust_list::TrustList;
use attesta_qr::render::{EcLevel, QrSymbol};
use jiff::Timestamp;

use super::plan::{Output, SecondLevelPlan, Shared};
use super::request::qr_text;
use crate::cli::IssueArgs;
use crate::files;
use crate::output::{DocMeta, Renderer};

fn details(args: &IssueArgs) -> Result<SecondLevelDetails> {
    let f = &args.fields;
    let pct = |s: &Option<String>, what: &str| -> Result<Option<Percent>> {
        s.as_deref()
            .map(|v| v.parse::<Percent>().with_context(|| format!("--{what}")))
            .transpose()
    };
    let d = SecondLevelDetails {
        invalidity_percent: pct(&f.invalidita, "invalidita")?,
        blindness_class: f
            .cecita
            .as_deref()
            .map(str::parse::<BlindnessClass>)
            .transpose()?,
        deafness: f.sordita,
        handicap: f
            .handicap
            .as_deref()
            .map(str::parse::<HandicapGrade>)
            .transpose()?,
        l68_percent: pct(&args.l68_percent, "l68-percent")?,
        judgement: args.giudizio.clone(),
    };
    if d.invalidity_percent.is_none() && (f.minore || f.over65) {
        bail!("second-level details carry a percentage; give --invalidita PERCENT");
    }
    Ok(d)
}

/// The library's reason, with the file it is about and the flag that
/// fixes it.
fn details_error(e: &DetailsError, source: &str, trust: &Path, lang: Lang) -> anyhow::Error {
    match e {
        DetailsError::OperatorNotAccredited { id } => anyhow::anyhow!(
            "operator '{id}' is not accredited in {} at this time; see `attesta trust show`",
            trust.display()
        ),
        DetailsError::NotFirstLevel(f) => {
            anyhow::anyhow!("{source} is not a first-level attestation ({f})")
        }
        DetailsError::SecretRequired => anyhow::anyhow!(
            "{source} is protected by the holder's secret: the holder gives it with the request; repeat with --segreto CODE"
        ),
        DetailsError::CfMismatch => {
            anyhow::anyhow!("the codice fiscale does not match {source}")
        }
        DetailsError::CfOrSecretMismatch => anyhow::anyhow!(
            "the codice fiscale and the secret do not open {source}; re-check --cf and --segreto"
        ),
        DetailsError::Details(_) => anyhow::anyhow!("{} ({source})", e.message(lang)),
        e => anyhow::anyhow!("{source}: {e}"),
    }
}

pub fn issue(
    args: &IssueArgs,
    plan: &SecondLevelPlan,
    shared: &Shared,
    lang: Lang,
) -> Result<ExitCode> {
    let (trust, root) = (&plan.trust, &plan.root);
    let list = TrustList::verify_signature(&files::read(trust)?, &files::read_public_key(root)?)
        .with_context(|| {
            format!(
                "{} is not a trust list signed by {}",
                trust.display(),
                root.display()
            )
        })?;
    let key = crate::signing::open(&args.key, &args.pass)?;
    let cf_text = args.fields.cf.as_deref().context("--cf is required")?;
    let cf = attesta_core::cf::CodiceFiscale::parse(cf_text)?;
    let code = files::read_code(&plan.credential)?;
    let now = Timestamp::now();
    let request = DetailsForCredential {
        credential: &code.text,
        details: details(args)?,
        operator_id: &plan.operator,
        valid_days: args.fields.valid_days.unwrap_or(DEFAULT_VALID_DAYS),
        issued_at: now,
        kdf: shared.kdf,
    };
    let issued = issue_details_for_credential(&key, &list, &cf, plan.secret.as_ref(), &request)
        .map_err(|e| details_error(&e, &code.source, trust, lang))?;
    let (token, op) = (&issued.token, &issued.operator);
    let text = qr_text(token.text(), shared.verify_url.as_ref());
    let version = QrSymbol::encode(&text, EcLevel::M)?.version();
    match &plan.out {
        Output::Stdout => println!("{text}"),
        Output::File { path, format: f } => {
            let f = *f;
            let m = DocMeta {
                issuer: args.issuer.clone(),
                issued_on: day_of(now, Lang::It),
                valid_until: day_of(issued.expires_at, Lang::It),
                reference: token.cti().short_ref(),
                details: None,
                second_level: true,
                operator: Some(if op.name == op.id {
                    op.id.clone()
                } else {
                    format!("{} ({})", op.name, op.id)
                }),
                ..DocMeta::default()
            };
            files::atomic_write(path, &Renderer::new(f)?.render(f, &text, &m)?)?;
        }
    }
    eprintln!(
        "issued second-level token {} for operator {} ({} characters, QR version {version} at level M), valid until {}",
        token.cti(),
        op.id,
        text.len(),
        issued.expires_at.strftime("%Y-%m-%d")
    );
    Ok(ExitCode::SUCCESS)
}
