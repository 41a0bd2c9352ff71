//! What the operator is told: the outcome of `attesta verify` (both
//! levels) as text in the operator's language, or as one JSON object, and
//! the exit code of its verdict. Commands decide; this module only speaks.

use std::io::Write;
use std::process::ExitCode;

use attesta_core::benefits::{benefits_for, statuses};
use attesta_core::lang::{Lang, day_of, day_time_of, percent};
use attesta_core::model::{BlindnessClass, HandicapGrade, SecondLevelDetails};
use attesta_verify::report::{Failure, VerificationReport};
use attesta_verify::verifier::{VerifiedAttestation, VerifiedDetails};
use attesta_verify::{CheckedCredential, Revocation, Verdict, VerifyError};
use jiff::Timestamp;

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

/// What verification established.
pub enum Outcome {
    Verified(Box<VerifiedAttestation>),
    CfNotChecked(Box<CheckedCredential>),
    Second(Box<VerifiedDetails>),
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
