//! `attesta trust …`: create, edit, show trust lists.

use std::path::Path;

use anyhow::{Context, Result, bail};
use attesta_core::keys::{KeyFingerprint, Kid};
use attesta_core::signer::Signer;
use attesta_core::trust_list::{IssuerEntry, OperatorEntry, TrustList};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::cli::{TrustCommand, TrustEdit};
use crate::files;

fn parse_kid(s: &str) -> Result<Kid> {
    Kid::from_hex(s).with_context(|| {
        format!("'{s}' is not a kid (8 hex digits, as printed by `attesta key show`)")
    })
}

/// Loads the list (checking the root's signature) or starts a new one,
/// applies `change`, bumps the sequence and re-signs atomically.
fn edit(e: &TrustEdit, change: impl FnOnce(&mut TrustList) -> Result<String>) -> Result<()> {
    let root = crate::signing::open(&e.root_key, &e.pass)?;
    let mut list = if e.trust.exists() {
        let bytes = files::read(&e.trust)?;
        TrustList::verify_signature(&bytes, &root.public_key()).with_context(|| {
            format!(
                "{} is not a trust list signed by this root key",
                e.trust.display()
            )
        })?
    } else {
        TrustList::default()
    };
    let what = change(&mut list)?;
    list.next_version();
    let now = Timestamp::now();
    let exp = now
        .checked_add(SignedDuration::from_hours(
            24 * i64::from(e.valid_days.max(1)),
        ))
        .map_err(|_| {
            anyhow::anyhow!(
                "--valid-days {} is too far in the future; give a number of days such as 30",
                e.valid_days
            )
        })?;
    let signed = list
        .sign_with(&root, now, exp)
        .with_context(|| format!("cannot sign {}", e.trust.display()))?;
    files::atomic_write(&e.trust, &signed)?;
    eprintln!(
        "{what}; {} signed as sequence {} (valid until {})",
        e.trust.display(),
        list.seq,
        exp.strftime("%Y-%m-%d")
    );
    Ok(())
}

pub fn run(cmd: &TrustCommand) -> Result<()> {
    match cmd {
        TrustCommand::AddIssuer {
            edit: e,
            issuer,
            key,
        } => {
            let k = files::read_public_key(key)?;
            edit(e, |l| {
                l.add_issuer(
                    issuer,
                    k,
                    Some(Timestamp::now() - SignedDuration::from_mins(5)),
                )?;
                Ok(format!("added issuer {issuer} key {}", k.kid()))
            })
        }
        TrustCommand::RetireIssuer { edit: e, kid } => {
            let kid = parse_kid(kid)?;
            edit(e, |l| {
                l.retire_issuer_key(kid, Timestamp::now())?;
                Ok(format!(
                    "retired key {kid}: codes it signed until now stay valid"
                ))
            })
        }
        TrustCommand::Deny {
            edit: e,
            kid,
            key,
            fingerprint,
            all_with_kid,
        } => {
            let key = key.as_deref().map(files::read_public_key).transpose()?;
            let fingerprint = fingerprint
                .as_deref()
                .map(|f| {
                    KeyFingerprint::from_hex(f).with_context(|| {
                        format!(
                            "'{f}' is not a key fingerprint (64 hex digits, as printed by `attesta key show`)"
                        )
                    })
                })
                .transpose()?;
            let kid = kid.as_deref().map(parse_kid).transpose()?;
            edit(e, |l| {
                deny(
                    l,
                    kid,
                    key.map(|k| k.fingerprint()).or(fingerprint),
                    *all_with_kid,
                )
            })
        }
        TrustCommand::AddOperator {
            edit: e,
            operator,
            key,
            name,
        } => {
            let sealing_key = crate::cmd::keys::read_operator_public(key)?;
            edit(e, |l| {
                l.add_operator(OperatorEntry {
                    id: operator.clone(),
                    name: name.clone().unwrap_or_else(|| operator.clone()),
                    sealing_key,
                    valid_from: Some(Timestamp::now()),
                    valid_until: None,
                })?;
                Ok(format!("accredited operator {operator}"))
            })
        }
        TrustCommand::RemoveOperator { edit: e, operator } => edit(e, |l| {
            l.remove_operator(operator)?;
            Ok(format!("removed operator {operator}"))
        }),
        TrustCommand::Refresh { edit: e } => edit(e, |_| Ok("refreshed".to_owned())),
        TrustCommand::Show { file, root, json } => show(file, root.as_deref(), *json),
    }
}

/// Denies by fingerprint: the key given, or the listed key(s) with `kid`.
/// Names every entry removed; refuses to remove keys of more than one
/// fingerprint by kid unless `all`.
fn deny(
    l: &mut TrustList,
    kid: Option<Kid>,
    fingerprint: Option<KeyFingerprint>,
    all: bool,
) -> Result<String> {
    let targets: Vec<KeyFingerprint> = match (fingerprint, kid) {
        (Some(f), _) => vec![f],
        (None, Some(kid)) => {
            let entries: Vec<&IssuerEntry> = l.issuers.iter().filter(|e| e.kid() == kid).collect();
            let mut fps: Vec<KeyFingerprint> =
                entries.iter().map(|e| e.key.fingerprint()).collect();
            fps.dedup();
            if fps.is_empty() {
                bail!(
                    "no key with kid {kid} is in the trust list; to deny a key that is not listed, give its public key (--key FILE.pub) or its fingerprint (--fingerprint HEX)"
                );
            }
            if entries.len() > 1 && !all {
                bail!(
                    "{} entries have kid {kid}: {}; deny one key with --key FILE.pub or --fingerprint HEX, or every one of them with --all-with-kid",
                    entries.len(),
                    entries
                        .iter()
                        .map(|e| describe(e))
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
            fps
        }
        (None, None) => bail!("give --kid, --key or --fingerprint"),
    };
    let mut removed = Vec::new();
    for f in &targets {
        for e in l.deny_key(*f) {
            eprintln!("removed {}", describe(&e));
            removed.push(e);
        }
    }
    let keys = targets
        .iter()
        .map(|f| format!("{} (fingerprint {f})", f.kid()))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(if removed.is_empty() {
        format!("denied key {keys} for ever (it was not listed)")
    } else {
        format!(
            "denied key {keys} for ever, removing {} entr{}",
            removed.len(),
            if removed.len() == 1 { "y" } else { "ies" }
        )
    })
}

fn describe(e: &IssuerEntry) -> String {
    format!(
        "issuer '{}' key {} (fingerprint {})",
        e.id,
        e.kid(),
        e.key.fingerprint()
    )
}

fn ts(t: Option<Timestamp>) -> serde_json::Value {
    t.map_or(serde_json::Value::Null, |t| json!(t.to_string()))
}

fn show(file: &Path, root: Option<&Path>, as_json: bool) -> Result<()> {
    let bytes = files::read(file)?;
    let (list, verified) = match root {
        Some(r) => (
            TrustList::verify_signature(&bytes, &files::read_public_key(r)?).with_context(
                || format!("{} does not verify under {}", file.display(), r.display()),
            )?,
            true,
        ),
        None => (unverified(&bytes)?, false),
    };
    if as_json {
        let v = json!({
            "verified": verified,
            "seq": list.seq,
            "issued_at": ts(list.issued_at),
            "expires_at": ts(list.expires_at),
            "issuers": list.issuers.iter().map(|e| json!({
                "id": e.id, "kid": e.kid().to_string(), "key": hex::encode(e.key.to_bytes()),
                "fingerprint": e.key.fingerprint().to_string(),
                "valid_from": ts(e.valid_from), "valid_until": ts(e.valid_until),
            })).collect::<Vec<_>>(),
            "operators": list.operators.iter().map(|o| json!({
                "id": o.id, "name": o.name, "key": hex::encode(o.sealing_key),
                "valid_from": ts(o.valid_from), "valid_until": ts(o.valid_until),
            })).collect::<Vec<_>>(),
            "denied": list.denied.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            "denied_keys": list.denied_keys.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "trust list {} — {}",
        file.display(),
        if verified {
            "signature verified"
        } else {
            "signature NOT checked (give --root ROOT.pub)"
        }
    );
    println!("sequence:   {}", list.seq);
    println!("issued:     {}", ts(list.issued_at));
    println!("expires:    {}", ts(list.expires_at));
    println!("issuers:");
    for e in &list.issuers {
        println!(
            "  {:<12} kid {}  from {}  until {}",
            e.id,
            e.kid(),
            e.valid_from.map_or("-".into(), |t| t.to_string()),
            e.valid_until.map_or("-".into(), |t| t.to_string())
        );
    }
    println!("operators:");
    for o in &list.operators {
        println!("  {:<12} {}", o.id, o.name);
    }
    if !list.denied.is_empty() {
        println!(
            "denied kids (every key with them): {}",
            list.denied
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if list.denied_keys.is_empty() {
        println!("denied keys: none");
    } else {
        println!("denied keys:");
        for f in &list.denied_keys {
            println!("  kid {}  fingerprint {f}", f.kid());
        }
    }
    Ok(())
}

/// Reads a list without a root key, for display only: its own signature is
/// not checked against anything trusted.
fn unverified(bytes: &[u8]) -> Result<TrustList> {
    let u = attesta_core::cose::UnverifiedSign1::parse(
        bytes,
        attesta_core::cbor_guard::CborLimits::GENERIC,
    )
    .context("not a trust list")?;
    if u.typ() != Some(attesta_core::trust_list::TRUST_LIST_TYP) {
        bail!("not a trust list (wrong content type)");
    }
    TrustList::from_unverified_payload(u.payload_unverified()).context("malformed trust list")
}
