//! Times native verification of one code, for the WebAssembly-to-native
//! ratio that `web/tests/bench.mjs` reports (it runs this and the same
//! verification in headless Chromium, in one run).
//!
//! ```sh
//! cargo run --release -p attesta-verify --example verify_time -- DIR CODE_FILE CF [SECRET] [RUNS]
//! ```
//!
//! DIR holds `root.key.pub` and `trust.cwt`. Prints one JSON line with the
//! median and the quartiles, in milliseconds, of the whole verification
//! (trust list, signature, dates, then the codice fiscale: Argon2id at the
//! code's parameters, HKDF, ChaCha20-Poly1305), and of step 2 alone.

use std::time::Instant;

use attesta_core::keys::PublicKey;
use attesta_verify::trust::TrustState;
use attesta_verify::{Policy, Verifier};
use jiff::Timestamp;

fn quartiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, code_file, cf, rest @ ..] = args.as_slice() else {
        return Err("usage: verify_time DIR CODE_FILE CF [SECRET] [RUNS]".into());
    };
    let secret = rest.first().filter(|s| !s.is_empty()).map(String::as_str);
    let runs: usize = rest.get(1).map_or(Ok(21), |r| r.parse())?;
    let dir = std::path::Path::new(dir);
    let root = PublicKey::from_pem(&std::fs::read_to_string(dir.join("root.key.pub"))?)?;
    let trust = std::fs::read(dir.join("trust.cwt"))?;
    let code = std::fs::read_to_string(code_file)?.trim().to_owned();
    let (mut whole, mut open) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let now = Timestamp::now();
        let start = Instant::now();
        let verifier = Verifier::new(
            &trust,
            &root,
            &mut TrustState::default(),
            Policy::default(),
            now,
        )?;
        let checked = verifier.check(&code, now)?;
        let opening = Instant::now();
        checked.open_with_secret_str(cf, secret)?;
        let end = Instant::now();
        whole.push((end - start).as_secs_f64() * 1e3);
        open.push((end - opening).as_secs_f64() * 1e3);
    }
    let (w25, w50, w75) = quartiles(whole);
    let (o25, o50, o75) = quartiles(open);
    println!(
        "{{\"runs\": {runs}, \"verify_ms\": {{\"p25\": {w25:.2}, \"median\": {w50:.2}, \"p75\": {w75:.2}}}, \"open_ms\": {{\"p25\": {o25:.2}, \"median\": {o50:.2}, \"p75\": {o75:.2}}}}}"
    );
    Ok(())
}
