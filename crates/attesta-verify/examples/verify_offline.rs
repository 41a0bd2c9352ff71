//! Verify a first-level attesta code offline, as a kiosk or back office would.
//!
//! Usage: verify_offline DIR CF
//!
//! DIR holds what the issuer publishes and what the operator scanned, under
//! the names `attesta demo --dir DIR` writes: root.key.pub (the pinned root
//! key), trust.cwt (the trust list), status-1.cwt (a status list) and
//! attestazione.txt (the QR text). The verifier state is kept in
//! DIR/verifier-state.json between runs.

use std::error::Error;
use std::path::Path;
use std::process::ExitCode;

use attesta_core::benefits::{benefits_for, statuses};
use attesta_core::keys::PublicKey;
use attesta_verify::trust::TrustState;
use attesta_verify::{Policy, Revocation, Verifier};
use jiff::Timestamp;

fn main() -> Result<ExitCode, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(cf)) = (args.next(), args.next()) else {
        return Err("usage: verify_offline DIR CF".into());
    };
    let dir = Path::new(&dir);
    let now = Timestamp::now();

    // Pinned at installation, never taken from the network with the lists.
    let root = PublicKey::from_pem(&std::fs::read_to_string(dir.join("root.key.pub"))?)?;

    // What the verifier remembers between runs: the highest trust-list
    // sequence, the clock floor and every denied key.
    let state_path = dir.join("verifier-state.json");
    let mut state: TrustState = match std::fs::read(&state_path) {
        Ok(bytes) => serde_json::from_slice(&bytes)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => TrustState::default(),
        Err(e) => return Err(e.into()),
    };

    let trust_list = std::fs::read(dir.join("trust.cwt"))?;
    let mut verifier = Verifier::new(&trust_list, &root, &mut state, Policy::default(), now)?;
    // The list was accepted and the state updated: persist it (atomically).
    let tmp = dir.join("verifier-state.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&state)?)?;
    std::fs::rename(&tmp, &state_path)?;

    // A status list that cannot be loaded (stale, untrusted) is reported;
    // codes that point into it then come out as "revocation not checked".
    let status_list = std::fs::read(dir.join("status-1.cwt"))?;
    if let Err(e) = verifier.add_status_list(&status_list, now) {
        eprintln!("status list not loaded ({}): {e}", e.code());
    }

    let text = std::fs::read_to_string(dir.join("attestazione.txt"))?;

    // Step 1, without the CF: format, signature, trust, dates, revocation.
    let checked = match verifier.check(&text, now) {
        Ok(c) => c,
        Err(e) => {
            println!("NOT VALID ({}): {e}", e.code());
            return Ok(ExitCode::from(1));
        }
    };
    if let Revocation::NotChecked { list_uri, list_kid } = checked.revocation() {
        println!(
            "warning: revocation NOT checked (no current status list \"{list_uri}\" of key {list_kid})"
        );
    }

    // Step 2, with the CF as the operator typed it (validated first).
    let verified = match checked.open_str(&cf) {
        Ok(v) => v,
        Err(e) => {
            println!("NOT VALID ({}): {e}", e.code());
            return Ok(ExitCode::from(1));
        }
    };
    let claims = verified.checked().claims();
    println!(
        "VALID: issuer {}, reference {}, valid until {}",
        verified.checked().issuer_id(),
        claims.cti().short_ref(),
        claims.expires_at().strftime("%Y-%m-%d"),
    );
    for s in statuses(verified.attestation(), attesta_core::lang::Lang::En) {
        println!("  status:  {s}");
    }
    for b in benefits_for(verified.attestation()) {
        println!("  benefit: {} [{}]", b.en, b.id);
    }
    Ok(ExitCode::SUCCESS)
}
