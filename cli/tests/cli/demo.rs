//! `attesta demo`: the whole flow, end to end.

use crate::common::*;

#[test]
fn demo_runs_the_whole_flow_and_writes_its_files() {
    let env = Env::new();
    let r = env
        .run(&["demo", "--dir", "demo"])
        .ok()
        .stdout_has("demo OK")
        .stdout_has("VALID")
        .stdout_has("secret_required")
        .stdout_has("cf_or_secret_mismatch")
        // Both were given: re-check them, not "give the secret".
        .stdout_has("re-check the values given with --cf and --segreto");
    // The demo's code has a holder's secret: printed, and in its file.
    let secret = env.read_text("demo/attestazione.pdf.segreto");
    let secret = secret.trim().to_owned();
    assert!(
        r.stdout.contains(&format!("holder's secret: {secret}")),
        "{}",
        r.stdout
    );
    assert_eq!(mode(&env, "demo/attestazione.pdf.segreto"), 0o600);
    for f in [
        "attestazione.pdf",
        "attestazione.png",
        "attestazione.txt",
        "trust.cwt",
        "root.key",
        "root.key.pub",
        "issuer.key",
        "issuer.key.pub",
    ] {
        assert!(env.exists(&format!("demo/{f}")), "demo did not write {f}");
    }
    assert_eq!(mode(&env, "demo/root.key"), 0o600);
    assert_eq!(mode(&env, "demo/issuer.key"), 0o600);
    assert!(env.read("demo/attestazione.pdf").starts_with(b"%PDF"));
    assert!(env.read_text("demo/attestazione.txt").starts_with("AT1:"));
    // What the demo tells the user to try works as printed.
    env.run(&[
        "verify",
        "demo/attestazione.png",
        "--cf",
        CF,
        "--segreto",
        &secret,
        "--trust",
        "demo/trust.cwt",
        "--root",
        "demo/root.key.pub",
        "--status-list",
        "demo/status-1.cwt",
        "--state",
        "state.json",
    ])
    .ok()
    .stdout_has("VALID");
    assert!(
        env.temp_leftovers().is_empty(),
        "{:?}",
        env.temp_leftovers()
    );
}

// ---------------------------------------------------------------- keys
