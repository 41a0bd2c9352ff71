//! `attesta verify`: the operator's command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::io::Write;

use anyhow::{Context, Result, bail};
use attesta_core::benefits::{benefits_for, statuses};
use attesta_core::lang::{Lang, day_of, day_time_of, percent};
use attesta_core::model::{BlindnessClass, HandicapGrade, SecondLevelDetails};
use attesta_core::text::CodeKind;
use attesta_core::trust_list::TrustError;
use attesta_verify::report::{Failure, VerificationReport};
use attesta_verify::trust::TrustState;
use attesta_verify::verifier::{RevocationPolicy, VerifiedAttestation, VerifiedDetails};
use attesta_verify::{CheckedCredential, Policy, Revocation, Verdict, Verifier, VerifyError};
use jiff::Timestamp;
use serde_json::json;

use crate::cli::{PassphraseArgs, VerifyArgs};
use crate::files;

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

/// A verification that did not end with "valid", as the operator sees it:
/// the library's failure (reason, verdict, message), plus what the CLI
/// knows (which file) and the flag that would help.
pub struct Failed {
    pub failure: Failure,
    /// Context such as the file name or the scanner's words.
    pub detail: Option<String>,
}

impl Failed {
    pub fn code(&self) -> &'static str {
        self.failure.code()
    }
}

impl From<VerifyError> for Failed {
    fn from(e: VerifyError) -> Self {
        Failed {
            failure: Failure::Verify(e),
            detail: None,
        }
    }
}

impl From<Failure> for Failed {
    fn from(failure: Failure) -> Self {
        Failed {
            failure,
            detail: None,
        }
    }
}

/// The command-line hint for a reason: the library's messages name no
/// flags, the CLI does.
fn flag_hint(reason: &str, lang: Lang) -> Option<&'static str> {
    Some(match reason {
        "cf_not_checked" => lang.pick(
            "ripetere con --cf CODICE_FISCALE",
            "repeat with --cf CODICE_FISCALE",
        ),
        "revocation_not_checked"
        | "status_list_stale"
        | "status_index_out_of_range"
        | "status_list_wrong_issuer"
        | "status_list_untrusted" => lang.pick(
            "indicare la lista aggiornata con --status-list FILE",
            "give the current list with --status-list FILE",
        ),
        "trust_list_stale" | "trust_list_rollback" | "trust_list_malformed" => lang.pick(
            "indicare la lista aggiornata con --trust FILE",
            "give the current list with --trust FILE",
        ),
        "secret_required" | "secret_malformed" => lang.pick(
            "dare il codice segreto del titolare con --segreto CODICE",
            "give the holder's secret with --segreto CODE",
        ),
        // Both were given: the hint is to re-read them, not to add a flag.
        "cf_or_secret_mismatch" => lang.pick(
            "ricontrollare i valori dati con --cf e --segreto",
            "re-check the values given with --cf and --segreto",
        ),
        "trust_list_bad_signature" => lang.pick(
            "controllare la chiave radice data con --root",
            "check the root key given with --root",
        ),
        "bad_prefix" => lang.pick(
            "`attesta decode` mostra cosa contiene il codice",
            "`attesta decode` shows what the code contains",
        ),
        "wrong_level" => lang.pick(
            "i codici AD1: si aprono con --operator-key FILE, i codici AT1: senza",
            "AD1: tokens open with --operator-key FILE, AT1: codes without it",
        ),
        "unknown_flags" | "unsupported_version" => {
            lang.pick("aggiornare attesta", "update attesta")
        }
        _ => return None,
    })
}

/// The language of messages: --lang, else LC_ALL, LC_MESSAGES or LANG
/// (see `Lang::from_locale`), else Italian.
pub fn language(explicit: Option<Lang>) -> Lang {
    explicit.unwrap_or_else(|| {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .map_or(Lang::It, |l| Lang::from_locale(&l))
    })
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
            Err(e) if is_io(&e) => return Ok(Err(io_detail(&e))),
            Err(e) => {
                return Ok(Err(Failed {
                    failure: Failure::NoReadableCode,
                    detail: Some(format!("{e:#}")),
                }));
            }
        };
        if code.text.starts_with(CodeKind::SECOND_LEVEL_PREFIX) {
            return verify_second_level(&verifier, &code.text, args, at);
        }
        if args.operator_key.is_some() && code.text.starts_with(CodeKind::FIRST_LEVEL_PREFIX) {
            return Ok(Err(Failure::WrongLevel {
                second_level: false,
            }
            .into()));
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

fn is_io(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some())
}

/// What verification established.
pub enum Outcome {
    Verified(Box<VerifiedAttestation>),
    CfNotChecked(Box<CheckedCredential>),
    Second(Box<VerifiedDetails>),
}

fn revocation_text(r: &Revocation, lang: Lang) -> String {
    match r {
        Revocation::Checked {
            list_uri,
            list_kid,
            list_issued_at,
        } => match lang {
            Lang::It => format!(
                "controllata: non revocata (lista «{list_uri}» della chiave {list_kid}, del {})",
                day_time_of(*list_issued_at, lang)
            ),
            Lang::En => format!(
                "checked: not revoked (list \"{list_uri}\" of key {list_kid}, {})",
                day_time_of(*list_issued_at, lang)
            ),
        },
        Revocation::NotChecked { list_uri, list_kid } => match lang {
            Lang::It => format!(
                "NON controllata: nessuna lista di revoca «{list_uri}» aggiornata della chiave {list_kid} (aggiungere --status-list FILE)"
            ),
            Lang::En => format!(
                "NOT checked: no current status list \"{list_uri}\" of key {list_kid} loaded (add --status-list FILE)"
            ),
        },
        _ => lang
            .pick(
                "non prevista (il codice non ha una posizione in una lista di revoca)",
                "not applicable (the code carries no status-list index)",
            )
            .to_owned(),
    }
}

fn print_issuer(
    out: &mut impl Write,
    issuer: &str,
    kid: &str,
    issued: Timestamp,
    until: Timestamp,
    reference: &str,
    lang: Lang,
) -> std::io::Result<()> {
    match lang {
        Lang::It => writeln!(
            out,
            "  Emittente: {issuer} (chiave {kid}) · emessa il {} · valida fino al {} · rif. {reference}",
            day_of(issued, lang),
            day_of(until, lang)
        ),
        Lang::En => writeln!(
            out,
            "  Issuer: {issuer} (key {kid}) · issued {} · valid until {} · ref {reference}",
            day_of(issued, lang),
            day_of(until, lang)
        ),
    }
}

fn print_checked(out: &mut impl Write, c: &CheckedCredential, lang: Lang) -> std::io::Result<()> {
    let cl = c.claims();
    print_issuer(
        out,
        c.issuer_id(),
        &c.kid().to_string(),
        cl.issued_at(),
        cl.expires_at(),
        &cl.cti().short_ref(),
        lang,
    )?;
    writeln!(
        out,
        "  {}: {}",
        lang.pick("Revoca", "Revocation"),
        revocation_text(c.revocation(), lang)
    )
}

fn verdict_line(v: Verdict, lang: Lang) -> String {
    let mark = match v {
        Verdict::Valid => "✔",
        Verdict::NotValid => "✘",
        Verdict::CannotVerify => "⚠",
    };
    format!("{mark} {}", v.label(lang))
}

/// Prints the outcome and returns the exit code (0 valid, 1 not valid,
/// 4 cannot verify). A closed pipe ends the output quietly.
pub fn report(
    outcome: std::result::Result<Outcome, Failed>,
    as_json: bool,
    lang: Lang,
) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let (verdict, written) = match outcome {
        Err(f) => {
            let mut r = VerificationReport::failure(&f.failure, lang);
            let verdict = r.verdict;
            let hint = flag_hint(f.code(), lang);
            let text = (|| -> std::io::Result<()> {
                if as_json {
                    if let Some(d) = &f.detail {
                        r.message = format!("{} ({d})", r.message);
                    }
                    return writeln!(out, "{}", serde_json::to_string(&r).unwrap_or_default());
                }
                writeln!(out, "{} — {}", verdict_line(verdict, lang), r.message)?;
                if let Some(d) = &f.detail {
                    writeln!(out, "  {d}")?;
                }
                if let Some(h) = hint {
                    writeln!(out, "  {h}")?;
                }
                writeln!(out, "  {}: {}", lang.pick("motivo", "reason"), f.code())
            })();
            (verdict, text)
        }
        Ok(Outcome::CfNotChecked(c)) => {
            let r = VerificationReport::cf_not_checked(&c, lang);
            let text = (|| -> std::io::Result<()> {
                if as_json {
                    return writeln!(out, "{}", serde_json::to_string(&r).unwrap_or_default());
                }
                writeln!(out, "{} — {}", verdict_line(r.verdict, lang), r.message)?;
                if let Some(h) = flag_hint("cf_not_checked", lang) {
                    writeln!(out, "  {h}")?;
                }
                print_checked(&mut out, &c, lang)?;
                if c.requires_secret() {
                    writeln!(
                        out,
                        "  {}",
                        lang.pick(
                            "Segreto del titolare: richiesto (--segreto CODICE)",
                            "Holder's secret: required (--segreto CODE)"
                        )
                    )?;
                }
                Ok(())
            })();
            (r.verdict, text)
        }
        Ok(Outcome::Verified(v)) => {
            let r = VerificationReport::valid(&v, lang);
            let a = v.attestation();
            let text = (|| -> std::io::Result<()> {
                if as_json {
                    return writeln!(out, "{}", serde_json::to_string(&r).unwrap_or_default());
                }
                writeln!(
                    out,
                    "{} — {}",
                    verdict_line(Verdict::Valid, lang),
                    r.message
                )?;
                print_checked(&mut out, v.checked(), lang)?;
                if v.checked().requires_secret() {
                    writeln!(
                        out,
                        "  {}",
                        lang.pick(
                            "Segreto del titolare: verificato",
                            "Holder's secret: checked"
                        )
                    )?;
                }
                writeln!(out, "  {}:", lang.pick("Stato", "Status"))?;
                for s in statuses(a, lang) {
                    writeln!(out, "   • {s}")?;
                }
                if a.is_statuses_only() {
                    writeln!(
                        out,
                        "  {}",
                        lang.pick(
                            "Il titolare ha scelto di mostrare solo gli stati: i benefici legati alla percentuale non sono indicati.",
                            "The holder chose to show the statuses only: benefits that depend on the percentage are not listed."
                        )
                    )?;
                }
                let b: Vec<_> = benefits_for(a).collect();
                if !b.is_empty() {
                    writeln!(out, "  {}:", lang.pick("Benefici", "Benefits"))?;
                    for b in b {
                        writeln!(out, "   • {} [{}]", b.text(lang), b.basis)?;
                    }
                }
                Ok(())
            })();
            (Verdict::Valid, text)
        }
        Ok(Outcome::Second(d)) => {
            let r = VerificationReport::valid_second_level(&d, lang);
            let text = if as_json {
                writeln!(out, "{}", serde_json::to_string(&r).unwrap_or_default())
            } else {
                print_details(&mut out, &d, lang)
            };
            (Verdict::Valid, text)
        }
    };
    // A closed pipe (`attesta verify … | head -1`) is not an error; the
    // verdict's exit code still tells the script what happened.
    let _ = written;
    ExitCode::from(verdict.exit_code())
}

// ---- second-level tokens, opened with the operator's key

fn verify_second_level(
    v: &Verifier,
    text: &str,
    args: &VerifyArgs,
    at: Timestamp,
) -> Result<std::result::Result<Outcome, Failed>> {
    let Some(kp) = &args.operator_key else {
        return Ok(Err(Failure::WrongLevel { second_level: true }.into()));
    };
    let op = crate::cmd::keys::read_operator_secret(kp, &PassphraseArgs::default())?;
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

fn second_level_lines(d: &SecondLevelDetails, lang: Lang) -> Vec<(String, String)> {
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

fn print_details(
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
    for (k, v) in second_level_lines(d.details(), lang) {
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
