//! `attesta verify`: the operator's command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use attesta_core::lang::Lang;
use attesta_core::text::CodeKind;
use attesta_core::trust_list::TrustError;
use attesta_verify::level::level_for;
use attesta_verify::report::Failure;
use attesta_verify::trust::TrustState;
use attesta_verify::verifier::RevocationPolicy;
use attesta_verify::{Policy, Verifier, VerifyError};
use jiff::Timestamp;
use serde_json::json;

use crate::cli::{PassphraseArgs, VerifyArgs};
use crate::files::{self, ReadCodeError};
use crate::report::{Failed, Outcome, report};

/// Where the verifier keeps its trust state for a given root key: the
/// explicit path, else the first of `$ATTESTA_STATE_DIR`,
/// `$XDG_STATE_HOME/attesta`, `$HOME/.local/state/attesta` that is set
/// (an empty variable counts as unset). `None` when none is.
pub fn state_path(explicit: Option<&Path>, root_kid: &str) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_owned());
    }
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let dir = var("ATTESTA_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| var("XDG_STATE_HOME").map(|d| PathBuf::from(d).join("attesta")))
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".local/state/attesta")))?;
    Some(dir.join(format!("verifier-{root_kid}.json")))
}

/// The state path to use, or a usage error: without a state the verifier
/// forgets the trust lists and denials it saw, so an older list could
/// re-admit a revoked key. That is never silent (security review, finding
/// 5): `--no-state` says it on every run.
fn resolve_state(args: &VerifyArgs, root_kid: &str) -> Result<Option<PathBuf>> {
    if args.no_state {
        eprintln!(
            "warning: --no-state: rollback and denylist protection is off for this run (an older trust list, or one that re-admits a revoked key, would not be noticed); keep a state with --state FILE"
        );
        return Ok(None);
    }
    match state_path(args.state.as_deref(), root_kid) {
        Some(p) => Ok(Some(p)),
        None => bail!(
            "no place to keep the verifier state (none of ATTESTA_STATE_DIR, XDG_STATE_HOME and HOME is set); pass --state FILE to keep it (it protects against rollback to older trust lists and remembers revoked keys), or --no-state to verify without that protection"
        ),
    }
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

pub fn run(args: &VerifyArgs, lang: Lang) -> Result<ExitCode> {
    match evaluate(args) {
        Ok(outcome) => Ok(report(outcome, args.json, lang)),
        Err(e) => {
            // A script reading --json gets one object for every exit code;
            // the error also goes to stderr (exit 2) as for every command.
            if args.json {
                println!(
                    "{}",
                    json!({"valid": false, "verdict": null, "reason": "usage_error", "message": format!("{e:#}"), "lang": lang})
                );
            }
            Err(e)
        }
    }
}

fn io_detail(e: &anyhow::Error) -> Failed {
    Failed {
        failure: Failure::InputUnreadable,
        detail: Some(format!("{e:#}")),
    }
}

fn read_list(p: &Path) -> std::result::Result<Vec<u8>, Failed> {
    files::read(p).map_err(|e| Failed {
        failure: Failure::ListUnreadable,
        detail: Some(format!("{e:#}")),
    })
}

/// Runs the verification; the outer error is a usage error (exit 2), the
/// inner one a verification that did not end with "valid" (exit 1 or 4).
pub fn evaluate(args: &VerifyArgs) -> Result<std::result::Result<Outcome, Failed>> {
    let at = match &args.at {
        Some(t) => t.parse::<Timestamp>().with_context(|| {
            format!(
                "--at '{t}' is not an RFC 3339 time between years 0001 and 9999 (e.g. 2026-11-23T10:00:00Z)"
            )
        })?,
        None => Timestamp::now(),
    };
    let root = files::read_root_key(&args.root, &args.trust)?;
    let trust = match read_list(&args.trust) {
        Ok(t) => t,
        Err(f) => return Ok(Err(f)),
    };
    let sp = resolve_state(args, &root.kid().to_string())?;
    let mut state = load_state(sp.as_deref())?;
    let mut policy = Policy::default();
    if args.require_revocation {
        policy.revocation = RevocationPolicy::Require;
    }
    policy.kdf_limits.min_memory_mib = args.min_kdf_memory_mib;
    policy.kdf_limits.min_iterations = args.min_kdf_iterations;
    let code = files::read_code(&args.input);
    let outcome = (|| -> Result<std::result::Result<Outcome, Failed>> {
        let mut verifier = match Verifier::new(&trust, &root, &mut state, policy, at) {
            Ok(v) => v,
            Err(VerifyError::Trust(TrustError::IssuedInFuture { issued, .. }))
                if args.at.is_some() =>
            {
                // An audit question about a time before the list existed.
                bail!(
                    "--at {at} is before the newest trust list given (issued {issued}); \
                     to audit an earlier time, use a new --state file and the trust list in force then"
                );
            }
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
            let bytes = match read_list(l) {
                Ok(b) => b,
                Err(f) => return Ok(Err(f)),
            };
            if let Err(e) = verifier.add_status_list(&bytes, at) {
                let mut f = Failed::from(e);
                f.detail = Some(l.display().to_string());
                return Ok(Err(f));
            }
        }
        let code = match code {
            Ok(c) => c,
            Err(ReadCodeError::Unreadable(e)) => return Ok(Err(io_detail(&e))),
            Err(e) => {
                return Ok(Err(Failed {
                    failure: Failure::NoReadableCode,
                    detail: Some(e.to_string()),
                }));
            }
        };
        // With --operator-key the operator asks for a token.
        let operator_key = args.operator_key.is_some();
        let asked = operator_key.then_some(CodeKind::SecondLevel);
        match (
            level_for(&code.text, asked, operator_key),
            args.operator_key.as_deref(),
        ) {
            (Ok(CodeKind::FirstLevel), _) => {}
            (Ok(CodeKind::SecondLevel), Some(key)) => {
                return verify_second_level(&verifier, &code.text, key, args, at);
            }
            // level_for refuses a token without the operator's key.
            (Ok(CodeKind::SecondLevel), None) => {
                return Ok(Err(Failure::WrongLevel { second_level: true }.into()));
            }
            (Err(f), _) => return Ok(Err(f.into())),
        }
        let checked = match verifier.check(&code.text, at) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e.into())),
        };
        if args.segreto.is_some() && !checked.requires_secret() {
            eprintln!(
                "note: this code was issued without a holder's secret; --segreto is not needed and was not used"
            );
        }
        Ok(match &args.cf {
            None => Ok(Outcome::CfNotChecked(Box::new(checked))),
            Some(cf) => checked
                .open_with_secret_str(cf, args.segreto.as_deref())
                .map(|v| Outcome::Verified(Box::new(v)))
                .map_err(Failed::from),
        })
    })()?;
    Ok(outcome)
}

// ---- second-level tokens, opened with the operator's key

fn verify_second_level(
    v: &Verifier,
    text: &str,
    operator_key: &Path,
    args: &VerifyArgs,
    at: Timestamp,
) -> Result<std::result::Result<Outcome, Failed>> {
    let op = crate::cmd::keys::read_operator_secret(operator_key, &PassphraseArgs::default())?;
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
