//! Second-level tokens: operator keys, issuing a token addressed to an
//! accredited operator, and opening it with the operator key and the CF.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use attesta_core::credential::{FirstLevelClaims, FirstLevelCode};
use attesta_core::lang::{Lang, day_of, percent};
use attesta_core::model::{BlindnessClass, HandicapGrade, Percent, SecondLevelDetails};
use attesta_core::operator_key::{OperatorPublicKey, OperatorSecretKey};
use attesta_core::second_level::{DEFAULT_VALID_DAYS, SecondLevelRequest, issue_second_level};
use attesta_core::signer::Signer;
use attesta_qr::render::{EcLevel, QrSymbol};
use attesta_verify::Verifier;
use attesta_verify::report::Failure;
use attesta_verify::trust::TrustList;
use attesta_verify::verifier::VerifiedDetails;
use jiff::{SignedDuration, Timestamp};

use crate::cli::{IssueArgs, PassphraseArgs, VerifyArgs};
use crate::cmd::verify::{Failed, Outcome};
use crate::files;
use crate::output::{DocMeta, Renderer, format_of};

pub fn keygen_operator(out: &Path, force: bool, pass: &PassphraseArgs) -> Result<()> {
    let pubp = files::pub_path(out);
    files::ensure_absent(out, force)?;
    files::ensure_absent(&pubp, force)?;
    let key = OperatorSecretKey::generate();
    let p = files::new_passphrase(pass)?;
    let pem = key.to_pkcs8_pem(p.as_ref().map(|s| s.as_bytes()))?;
    files::write_key_pair(
        out,
        force,
        pem.as_bytes(),
        key.public_key().to_pem().as_bytes(),
    )?;
    println!("{}", hex::encode(key.public_key().to_bytes()));
    eprintln!(
        "wrote operator sealing key {} (X25519, mode 0600) and public key {}; accredit it with `attesta trust add-operator`",
        out.display(),
        pubp.display()
    );
    Ok(())
}

pub fn show_operator_public(file: &Path, text: &str) -> Result<()> {
    let k = OperatorPublicKey::from_pem(text).with_context(|| {
        format!(
            "{} is neither an Ed25519 nor an X25519 public key",
            file.display()
        )
    })?;
    println!("file:       operator public key");
    println!("algorithm:  X25519 (HPKE sealing key)");
    println!("public key: {}", hex::encode(k.to_bytes()));
    Ok(())
}

/// Prints an operator private key's public facts (for `attesta key show`).
pub fn print_private(k: &OperatorSecretKey) {
    println!("file:       operator private key (private part not shown)");
    println!("algorithm:  X25519 (HPKE sealing key)");
    println!("public key: {}", hex::encode(k.public_key().to_bytes()));
}

pub fn read_operator_public(p: &Path) -> Result<[u8; 32]> {
    Ok(OperatorPublicKey::from_pem(&files::read_text(p)?)
        .with_context(|| format!("cannot use {} as an operator public key", p.display()))?
        .to_bytes())
}

pub fn read_operator_secret(p: &Path, pass: &PassphraseArgs) -> Result<OperatorSecretKey> {
    let (text, pp) = files::read_private_pem(p, pass)?;
    OperatorSecretKey::from_pkcs8_pem(&text, pp.as_ref().map(|s| s.as_bytes()))
        .with_context(|| format!("cannot use {} as an operator private key", p.display()))
}

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
    let url = crate::cmd::issue::verify_url(args)?;
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
        kdf: crate::cmd::issue::kdf_params(args)?,
    };
    let token = issue_second_level(&key, &cf, &req)?;
    let text = crate::cmd::issue::qr_text(token.text(), url.as_ref());
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

pub fn verify(
    v: &Verifier,
    text: &str,
    args: &VerifyArgs,
    at: Timestamp,
) -> Result<std::result::Result<Outcome, Failed>> {
    let Some(kp) = &args.operator_key else {
        return Ok(Err(Failure::WrongLevel { second_level: true }.into()));
    };
    let op = read_operator_secret(kp, &PassphraseArgs::default())?;
    let checked = match v.check_second_level(text, &op, at) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e.into())),
    };
    let Some(cf) = &args.cf else {
        return Ok(Err(Failure::CfNotChecked.into()));
    };
    Ok(checked
        .open_str(&op, cf)
        .map(|d| Outcome::Second(Box::new(d)))
        .map_err(Failed::from))
}

fn detail_lines(d: &SecondLevelDetails, lang: Lang) -> Vec<(String, String)> {
    let mut v = Vec::new();
    let yes = lang.pick("sì", "yes");
    if let Some(p) = d.invalidity_percent {
        v.push((
            lang.pick("Invalidità civile", "Civil invalidity").into(),
            percent(p.hundredths(), lang),
        ));
    }
    if let Some(b) = d.blindness_class {
        let s = match b {
            BlindnessClass::Assoluta => lang.pick("cieco assoluto", "totally blind"),
            BlindnessClass::Ventesimista => lang.pick(
                "cieco parziale (ventesimista)",
                "partially blind (ventesimista, at most 1/20)",
            ),
            BlindnessClass::Decimista => {
                lang.pick("decimista", "decimista (at most 1/10, legacy class)")
            }
        };
        v.push((
            lang.pick("Cecità civile", "Civil blindness").into(),
            s.into(),
        ));
    }
    if d.deafness {
        v.push((
            lang.pick("Sordità civile", "Civil deafness").into(),
            yes.into(),
        ));
    }
    if let Some(h) = d.handicap {
        let s = match h {
            HandicapGrade::Comma1 => "art. 3 c. 1",
            HandicapGrade::Comma3Grave => lang.pick("art. 3 c. 3 (grave)", "art. 3 c. 3 (severe)"),
        };
        v.push(("Handicap L. 104/92".into(), s.into()));
    }
    if let Some(p) = d.l68_percent {
        v.push((
            lang.pick("Disabilità L. 68/99", "Disability L. 68/99")
                .into(),
            percent(p.hundredths(), lang),
        ));
    }
    if let Some(j) = &d.judgement {
        v.push((lang.pick("Giudizio", "Judgement").into(), j.clone()));
    }
    v
}

pub fn print_details(
    out: &mut impl std::io::Write,
    d: &VerifiedDetails,
    lang: Lang,
) -> std::io::Result<()> {
    let c = d.checked();
    match lang {
        Lang::It => writeln!(
            out,
            "✔ VALIDO — dettagli di secondo livello per {}",
            c.operator_id()
        )?,
        Lang::En => writeln!(
            out,
            "✔ VALID — second-level details for {}",
            c.operator_id()
        )?,
    }
    match lang {
        Lang::It => writeln!(
            out,
            "  Emittente: {} (chiave {}) · valido fino al {} · per l'attestazione {}",
            c.issuer_id(),
            c.kid(),
            day_of(c.claims().expires_at(), lang),
            c.first_level_cti().short_ref()
        )?,
        Lang::En => writeln!(
            out,
            "  Issuer: {} (key {}) · valid until {} · for credential {}",
            c.issuer_id(),
            c.kid(),
            day_of(c.claims().expires_at(), lang),
            c.first_level_cti().short_ref()
        )?,
    }
    for (k, v) in detail_lines(d.details(), lang) {
        writeln!(out, "   • {k}: {v}")?;
    }
    writeln!(
        out,
        "  {}",
        lang.pick(
            "Mantenere riservati questi dati: il titolare li ha rilasciati a voi.",
            "Keep these details confidential; they were released to you by the holder."
        )
    )
}
