//! Second-level tokens: operator keys, issuing a token addressed to an
//! accredited operator, and opening it with the operator key and the CF.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use attesta_core::credential::{FirstLevelClaims, FirstLevelCode};
use attesta_core::model::{BlindnessClass, HandicapGrade, Percent, SecondLevelDetails};
use attesta_core::operator_key::{OperatorPublicKey, OperatorSecretKey};
use attesta_core::qr::{EcLevel, QrSymbol};
use attesta_core::second_level::{DEFAULT_VALID_DAYS, SecondLevelRequest, issue_second_level};
use attesta_verify::Verifier;
use attesta_verify::trust::TrustList;
use attesta_verify::verifier::VerifiedDetails;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::cli::{IssueArgs, PassphraseArgs, VerifyArgs};
use crate::cmd::verify::{Failure, Outcome};
use crate::files;
use crate::output::{DocMeta, Renderer, format_of};

/// What second-level verification established.
pub struct SecondOutcome(VerifiedDetails);

pub fn keygen_operator(out: &Path, force: bool, pass: &PassphraseArgs) -> Result<()> {
    let pubp = files::pub_path(out);
    files::ensure_absent(out, force)?;
    files::ensure_absent(&pubp, force)?;
    let key = OperatorSecretKey::generate();
    let p = files::passphrase(
        pass,
        Some("Passphrase to protect the key (empty for none): "),
    )?;
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

pub fn issue(args: &IssueArgs) -> Result<ExitCode> {
    if args.batch.is_some() {
        bail!("batches of second-level tokens are not supported yet; issue them one at a time");
    }
    let op_id = args
        .operator
        .as_deref()
        .context("--level 2 needs --operator ID: the accredited operator the details are for")?;
    let out = args.out.as_deref().context("--out is required")?;
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
    let key = files::read_signing_key(&args.key, &args.pass)?;
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
    // The CF must open the first-level credential too: details go only with their own holder's code.
    l1.envelope()
        .open(&cf, l1.cti(), &attesta_core::envelope::KdfLimits::default())
        .with_context(|| format!("the codice fiscale does not match {}", code.source))?;
    let days = args
        .fields
        .valid_days
        .unwrap_or(DEFAULT_VALID_DAYS)
        .clamp(1, 365);
    let req = SecondLevelRequest {
        details: details(args)?,
        audience: op.id.clone(),
        operator_key: OperatorPublicKey::from_bytes(op.sealing_key),
        first_level_cti: *l1.cti(),
        status: l1.status().cloned(),
        issued_at: now,
        expires_at: (now + SignedDuration::from_hours(24 * i64::from(days))).min(l1.expires_at()),
        kdf: crate::cmd::issue::kdf_params(args)?,
    };
    let token = issue_second_level(&key, &cf, &req)?;
    let version = QrSymbol::encode(token.text(), EcLevel::M)?.version();
    match format {
        None => println!("{}", token.text()),
        Some(f) => {
            let m = DocMeta {
                issuer: args.issuer.clone(),
                issued_on: now.strftime("%Y-%m-%d").to_string(),
                valid_until: req.expires_at.strftime("%Y-%m-%d").to_string(),
                reference: token.cti().short_ref(),
                details: None,
                second_level: true,
            };
            files::atomic_write(
                Path::new(out),
                &Renderer::new(f)?.render(f, token.text(), &m)?,
            )?;
        }
    }
    eprintln!(
        "issued second-level token {} for operator {} ({} characters, QR version {version} at level M), valid until {}",
        token.cti(),
        op.id,
        token.text().len(),
        req.expires_at.strftime("%Y-%m-%d")
    );
    Ok(ExitCode::SUCCESS)
}

pub fn verify(
    v: &Verifier,
    text: &str,
    args: &VerifyArgs,
    at: Timestamp,
) -> Result<Result<Outcome, Failure>> {
    let Some(kp) = &args.operator_key else {
        return Ok(Err(Failure {
            code: "wrong_level".into(),
            message: "this is a second-level token (AD1:) for an accredited operator; verify it with --operator-key FILE".into(),
        }));
    };
    let op = read_operator_secret(kp, &PassphraseArgs::default())?;
    let checked = match v.check_second_level(text, &op, at) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e.into())),
    };
    let Some(cf) = &args.cf else {
        return Ok(Err(Failure {
            code: "cf_not_checked".into(),
            message: "the token is genuine and addressed to you, but the details open only with the holder's codice fiscale; repeat with --cf".into(),
        }));
    };
    Ok(checked
        .open_str(&op, cf)
        .map(|d| Outcome::Second(SecondOutcome(d)))
        .map_err(Failure::from))
}

fn detail_lines(d: &SecondLevelDetails) -> Vec<(String, String)> {
    let mut v = Vec::new();
    if let Some(p) = d.invalidity_percent {
        v.push((
            "Invalidità civile / Civil invalidity".into(),
            format!("{p} %"),
        ));
    }
    if let Some(b) = d.blindness_class {
        let s = match b {
            BlindnessClass::Assoluta => "cieco assoluto / totally blind",
            BlindnessClass::Ventesimista => {
                "cieco parziale (ventesimista) / partially blind (≤ 1/20)"
            }
            BlindnessClass::Decimista => "decimista / ≤ 1/10 (legacy class)",
        };
        v.push(("Cecità civile / Civil blindness".into(), s.into()));
    }
    if d.deafness {
        v.push(("Sordità civile / Civil deafness".into(), "sì / yes".into()));
    }
    if let Some(h) = d.handicap {
        let s = match h {
            HandicapGrade::Comma1 => "art. 3 c. 1",
            HandicapGrade::Comma3Grave => "art. 3 c. 3 (grave / severe)",
        };
        v.push(("Handicap L. 104/92".into(), s.into()));
    }
    if let Some(p) = d.l68_percent {
        v.push((
            "Disabilità L. 68/99 / Disability L. 68/99".into(),
            format!("{p} %"),
        ));
    }
    if let Some(j) = &d.judgement {
        v.push(("Giudizio / Judgement".into(), j.clone()));
    }
    v
}

pub fn report(s: SecondOutcome, as_json: bool) -> ExitCode {
    let c = s.0.checked();
    let d = s.0.details();
    if as_json {
        let v = json!({
            "valid": true,
            "reason": null,
            "message": "valid second-level token for this operator and codice fiscale",
            "level": 2,
            "cf_checked": true,
            "issuer": c.issuer_id(),
            "kid": c.kid().to_string(),
            "operator": c.operator_id(),
            "cti": c.claims().cti().to_string(),
            "first_level_cti": c.first_level_cti().to_string(),
            "issued_at": c.claims().issued_at().to_string(),
            "expires_at": c.claims().expires_at().to_string(),
            "details": d,
            "revocation": crate::cmd::verify::revocation_json(c.revocation()),
        });
        println!("{v}");
    } else {
        println!(
            "✔ VALID / VALIDO — dettagli di secondo livello per {} / second-level details for {}",
            c.operator_id(),
            c.operator_id()
        );
        println!(
            "  Issuer / Emittente: {} (key {}) · valid until {} · for credential {}",
            c.issuer_id(),
            c.kid(),
            c.claims().expires_at().strftime("%Y-%m-%d"),
            c.first_level_cti().short_ref()
        );
        println!(
            "  Revocation / Revoca: {}",
            crate::cmd::verify::revocation_text(c.revocation())
        );
        for (k, v) in detail_lines(d) {
            println!("   • {k}: {v}");
        }
        println!("  Keep these details confidential; they were released to you by the holder.");
    }
    ExitCode::SUCCESS
}
