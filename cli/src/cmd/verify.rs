//! `attesta verify`: the operator's command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use attesta_core::benefits::{benefits_for, statuses};
use attesta_core::text::CodeKind;
use attesta_verify::trust::TrustState;
use attesta_verify::verifier::{RevocationPolicy, VerifiedAttestation};
use attesta_verify::{CheckedCredential, Policy, Revocation, Verifier, VerifyError};
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::cli::VerifyArgs;
use crate::files;

/// Where the verifier keeps its trust state for a given root key.
pub fn state_path(explicit: Option<&Path>, root_kid: &str) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_owned());
    }
    let dir = std::env::var_os("ATTESTA_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_STATE_HOME").map(|d| PathBuf::from(d).join("attesta")))
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state/attesta"))
        })?;
    Some(dir.join(format!("verifier-{root_kid}.json")))
}

fn load_state(p: Option<&Path>) -> Result<TrustState> {
    match p {
        Some(p) if p.exists() => serde_json::from_slice(&files::read(p)?).with_context(|| {
            format!(
                "verifier state {} is corrupt; delete it only if you trust your current trust list",
                p.display()
            )
        }),
        _ => Ok(TrustState::default()),
    }
}

fn save_state(p: Option<&Path>, s: &TrustState) -> Result<()> {
    if let Some(p) = p {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
        }
        files::atomic_write(p, &serde_json::to_vec_pretty(s)?)?;
    }
    Ok(())
}

/// A failed verification as the operator sees it.
pub struct Failure {
    pub code: String,
    pub message: String,
}

impl From<VerifyError> for Failure {
    fn from(e: VerifyError) -> Self {
        Failure {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

pub fn run(args: &VerifyArgs) -> Result<ExitCode> {
    match evaluate(args) {
        Ok(outcome) => Ok(report(outcome, args.json)),
        Err(e) => {
            // A script reading --json gets one object for every exit code;
            // the error also goes to stderr (exit 2) as for every command.
            if args.json {
                println!(
                    "{}",
                    json!({"valid": false, "reason": "usage_error", "message": format!("{e:#}")})
                );
            }
            Err(e)
        }
    }
}

/// Runs the verification; the outer error is usage/I-O (exit 2), the inner
/// one a verification failure (exit 1).
pub fn evaluate(args: &VerifyArgs) -> Result<Result<Outcome, Failure>> {
    let at = match &args.at {
        Some(t) => t.parse::<Timestamp>().with_context(|| {
            format!(
                "--at '{t}' is not an RFC 3339 time between years 0001 and 9999 (e.g. 2026-11-23T10:00:00Z)"
            )
        })?,
        None => Timestamp::now(),
    };
    let root = files::read_public_key(&args.root)?;
    let trust = files::read(&args.trust)?;
    let sp = state_path(args.state.as_deref(), &root.kid().to_string());
    let mut state = load_state(sp.as_deref())?;
    let mut policy = Policy::default();
    if args.require_revocation {
        policy.revocation = RevocationPolicy::Require;
    }
    let code = files::read_code(&args.input);
    let outcome = (|| -> Result<Result<Outcome, Failure>> {
        let mut verifier = match Verifier::new(&trust, &root, &mut state, policy, at) {
            Ok(v) => v,
            Err(e) => return Ok(Err(e.into())),
        };
        let effective = verifier.effective_time(at);
        if effective != at {
            if args.at.is_some() {
                // An audit question about a time the trust list cannot
                // answer: answering as of the floor would mislead.
                bail!(
                    "--at {at} is before the newest trust list this verifier has accepted (issued {effective}); \
                     to audit an earlier time, use a new --state file and the trust list in force then"
                );
            }
            eprintln!(
                "warning: this device's clock ({at}) is behind the newest trust list accepted (issued {effective}); checking as of {effective}: set the clock right"
            );
        }
        save_state(sp.as_deref(), &state)?;
        for l in &args.status_list {
            let bytes = files::read(l)?;
            if let Err(e) = verifier.add_status_list(&bytes, at) {
                let mut f = Failure::from(e);
                f.message = format!("{}: {}", l.display(), f.message);
                return Ok(Err(f));
            }
        }
        let code = match code {
            Ok(c) => c,
            Err(e) if is_io(&e) => return Err(e),
            Err(e) => {
                return Ok(Err(Failure {
                    code: "no_readable_code".into(),
                    message: format!("{e:#}"),
                }));
            }
        };
        if code.text.starts_with(CodeKind::SECOND_LEVEL_PREFIX) {
            return crate::cmd::second_level::verify(&verifier, &code.text, args, at);
        }
        if args.operator_key.is_some() {
            return Ok(Err(Failure {
                code: "wrong_level".into(),
                message: "this is a first-level code (AT1:); --operator-key is for second-level tokens (AD1:). Verify it without --operator-key".into(),
            }));
        }
        let checked = match verifier.check(&code.text, at) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e.into())),
        };
        Ok(match &args.cf {
            None => Ok(Outcome::CfNotChecked(checked)),
            Some(cf) => checked
                .open_str(cf)
                .map(Outcome::Verified)
                .map_err(Failure::from),
        })
    })()?;
    Ok(outcome)
}

fn is_io(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some())
}

/// What verification established.
pub enum Outcome {
    Verified(VerifiedAttestation),
    CfNotChecked(CheckedCredential),
    Second(crate::cmd::second_level::SecondOutcome),
}

pub fn revocation_json(r: &Revocation) -> Value {
    match r {
        Revocation::Checked {
            list_uri,
            list_issued_at,
        } => {
            json!({"status": "checked", "list_uri": list_uri, "list_issued_at": list_issued_at.to_string()})
        }
        Revocation::NotChecked { list_uri } => {
            json!({"status": "not_checked", "list_uri": list_uri})
        }
        _ => json!({"status": "not_revocable"}),
    }
}

pub fn revocation_text(r: &Revocation) -> String {
    match r {
        Revocation::Checked {
            list_uri,
            list_issued_at,
        } => format!(
            "checked: not revoked (list \"{list_uri}\" of {})",
            list_issued_at.strftime("%Y-%m-%d %H:%M")
        ),
        Revocation::NotChecked { list_uri } => format!(
            "NOT checked: no current status list \"{list_uri}\" loaded (add --status-list FILE)"
        ),
        _ => "not applicable (the code carries no status-list index)".to_owned(),
    }
}

fn checked_json(c: &CheckedCredential) -> Value {
    let cl = c.claims();
    json!({
        "issuer": c.issuer_id(),
        "kid": c.kid().to_string(),
        "cti": cl.cti().to_string(),
        "reference": cl.cti().short_ref(),
        "issued_at": cl.issued_at().to_string(),
        "expires_at": cl.expires_at().to_string(),
        "checked_at": c.checked_at().to_string(),
        "revocation": revocation_json(c.revocation()),
    })
}

fn print_checked(c: &CheckedCredential) {
    let cl = c.claims();
    println!(
        "  Issuer / Emittente: {} (key {}) · issued {} · valid until {} · ref {}",
        c.issuer_id(),
        c.kid(),
        cl.issued_at().strftime("%Y-%m-%d"),
        cl.expires_at().strftime("%Y-%m-%d"),
        cl.cti().short_ref()
    );
    println!("  Revocation / Revoca: {}", revocation_text(c.revocation()));
}

pub fn report(outcome: Result<Outcome, Failure>, as_json: bool) -> ExitCode {
    match outcome {
        Err(f) => {
            if as_json {
                println!(
                    "{}",
                    json!({"valid": false, "reason": f.code, "message": f.message})
                );
            } else {
                println!("✘ NOT VALID / NON VALIDO — {}", f.message);
                println!("  reason: {}", f.code);
            }
            ExitCode::from(1)
        }
        Ok(Outcome::CfNotChecked(c)) => {
            let msg = "signature, trust, validity and revocation checks passed, but the codice fiscale was not checked: the code is not shown to belong to the person; repeat with --cf";
            if as_json {
                let mut v = checked_json(&c);
                v["valid"] = json!(false);
                v["reason"] = json!("cf_not_checked");
                v["message"] = json!(msg);
                v["cf_checked"] = json!(false);
                println!("{v}");
            } else {
                println!("? CODICE FISCALE NOT CHECKED / CODICE FISCALE NON VERIFICATO");
                println!("  {msg}");
                print_checked(&c);
            }
            ExitCode::from(1)
        }
        Ok(Outcome::Verified(v)) => {
            let a = v.attestation();
            if as_json {
                let mut j = checked_json(v.checked());
                j["valid"] = json!(true);
                j["reason"] = Value::Null;
                j["message"] = json!("valid attestation for this codice fiscale");
                j["cf_checked"] = json!(true);
                j["level"] = json!(1);
                j["attestation"] = serde_json::to_value(a).unwrap_or(Value::Null);
                j["statuses"] = json!(statuses(a));
                j["benefits"] = json!(benefits_for(a).collect::<Vec<_>>());
                println!("{j}");
            } else {
                println!(
                    "✔ VALID / VALIDO — attestazione valida per questo codice fiscale / valid attestation for this codice fiscale"
                );
                print_checked(v.checked());
                println!("  Stato / Status:");
                for s in statuses(a) {
                    println!("   • {} — {}", s.it, s.en);
                }
                let b: Vec<_> = benefits_for(a).collect();
                if !b.is_empty() {
                    println!("  Benefici / Benefits:");
                    for b in b {
                        println!("   • {} — {} [{}]", b.it, b.en, b.basis);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Ok(Outcome::Second(s)) => crate::cmd::second_level::report(s, as_json),
    }
}
