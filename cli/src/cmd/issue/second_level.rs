//! `attesta issue --level 2`: a token of second-level details addressed to
//! an accredited operator, for a first-level code this issuer signed.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use attesta_core::credential::{FirstLevelClaims, FirstLevelCode};
use attesta_core::lang::{Lang, day_of};
use attesta_core::model::{BlindnessClass, HandicapGrade, Percent, SecondLevelDetails};
use attesta_core::operator_key::OperatorPublicKey;
use attesta_core::second_level::{DEFAULT_VALID_DAYS, SecondLevelRequest, issue_second_level};
use attesta_core::signer::Signer;
use attesta_core::trust_list::TrustList;
use attesta_qr::render::{EcLevel, QrSymbol};
use jiff::{SignedDuration, Timestamp};

use super::request::{kdf_params, qr_text, verify_url};
use crate::cli::IssueArgs;
use crate::files;
use crate::output::{DocMeta, Renderer, format_of};

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
    d.validate()?;
    Ok(d)
}

pub fn issue(args: &IssueArgs, lang: Lang) -> Result<ExitCode> {
    if args.batch.is_some() {
        bail!("batches of second-level tokens are not supported yet; issue them one at a time");
    }
    if args.con_segreto {
        bail!(
            "--con-segreto is for first-level codes; a second-level token is sealed to the operator's key and the holder's codice fiscale"
        );
    }
    let op_id = args
        .operator
        .as_deref()
        .context("--level 2 needs --operator ID: the accredited operator the details are for")?;
    let out = args.out.as_deref().context("--out is required")?;
    let url = verify_url(args)?;
    let format = (out != "-").then(|| format_of(out)).transpose()?;
    if out != "-" && Path::new(out).exists() {
        bail!("{out} already exists; choose another --out (outputs are never overwritten)");
    }
    let (Some(trust), Some(root)) = (&args.trust, &args.root) else {
        bail!(
            "--level 2 needs --trust FILE and --root ROOT.pub (or ATTESTA_TRUST/ATTESTA_ROOT): the operator's sealing key is taken from the signed trust list"
        );
    };
    let list = TrustList::verify_signature(&files::read(trust)?, &files::read_public_key(root)?)
        .with_context(|| {
            format!(
                "{} is not a trust list signed by {}",
                trust.display(),
                root.display()
            )
        })?;
    let now = Timestamp::now();
    let op = list
        .operator(op_id)
        .filter(|o| o.valid_until.is_none_or(|u| now <= u))
        .with_context(|| {
            format!(
                "operator '{op_id}' is not accredited in {}; see `attesta trust show`",
                trust.display()
            )
        })?;
    let key = crate::signing::open(&args.key, &args.pass)?;
    let cf_text = args.fields.cf.as_deref().context("--cf is required")?;
    let cf = attesta_core::cf::CodiceFiscale::parse(cf_text)?;
    let input = args.credential.as_deref().context(
        "--level 2 needs --credential INPUT: the holder's first-level code the details belong to",
    )?;
    let code = files::read_code(input)?;
    let l1 = FirstLevelCode::parse(&code.text)
        .with_context(|| format!("{} is not a first-level attestation", code.source))?;
    let payload = l1.sign1().verify(&key.public_key()).with_context(|| {
        format!(
            "{} was not issued with this key; use the issuer key that signed it",
            code.source
        )
    })?;
    let l1 = FirstLevelClaims::from_verified(&payload)?;
    // The CF must open the first-level credential too: details go only with
    // their own holder's code. The issuer checks its own code here, so the
    // verifiers' floor on KDF cost does not apply (the caps do).
    let secret = match (l1.envelope().requires_secret(), args.segreto.as_deref()) {
        (true, None) => bail!(
            "{} is protected by the holder's secret: the holder gives it with the request; repeat with --segreto CODE",
            code.source
        ),
        (true, Some(s)) => Some(attesta_core::secret::HolderSecret::parse(s).context("--segreto")?),
        (false, _) => None,
    };
    let first = l1
        .envelope()
        .open_with_secret(
            &cf,
            secret.as_ref(),
            l1.cti(),
            &attesta_core::envelope::KdfLimits::default().without_floor(),
        )
        .with_context(|| {
            if secret.is_some() {
                format!(
                    "the codice fiscale and the secret do not open {}",
                    code.source
                )
            } else {
                format!("the codice fiscale does not match {}", code.source)
            }
        })?;
    let details = details(args)?;
    // Details that contradict the first level would give the operator two
    // answers about one person.
    details
        .check_against(&first)
        .map_err(|e| anyhow::anyhow!("{} ({})", e.message(lang), code.source))?;
    let days = args
        .fields
        .valid_days
        .unwrap_or(DEFAULT_VALID_DAYS)
        .clamp(1, 365);
    let req = SecondLevelRequest {
        details,
        audience: op.id.clone(),
        operator_key: OperatorPublicKey::from_bytes(op.sealing_key),
        first_level_cti: *l1.cti(),
        status: l1.status().cloned(),
        issued_at: now,
        expires_at: (now + SignedDuration::from_hours(24 * i64::from(days))).min(l1.expires_at()),
        kdf: kdf_params(args)?,
    };
    let token = issue_second_level(&key, &cf, &req)?;
    let text = qr_text(token.text(), url.as_ref());
    let version = QrSymbol::encode(&text, EcLevel::M)?.version();
    match format {
        None => println!("{text}"),
        Some(f) => {
            let m = DocMeta {
                issuer: args.issuer.clone(),
                issued_on: day_of(now, Lang::It),
                valid_until: day_of(req.expires_at, Lang::It),
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
            files::atomic_write(Path::new(out), &Renderer::new(f)?.render(f, &text, &m)?)?;
        }
    }
    eprintln!(
        "issued second-level token {} for operator {} ({} characters, QR version {version} at level M), valid until {}",
        token.cti(),
        op.id,
        text.len(),
        req.expires_at.strftime("%Y-%m-%d")
    );
    Ok(ExitCode::SUCCESS)
}
