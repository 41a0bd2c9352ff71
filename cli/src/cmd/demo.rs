//! `attesta demo`: the whole flow with throwaway keys, through the same
//! code paths as the real commands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use attesta_core::credential::{FirstLevelRequest, issue_first_level_with_secret};
use attesta_core::envelope::KdfParams;
use attesta_core::keys::SigningKey;
use attesta_core::lang::Lang;
use attesta_core::secret::HolderSecret;
use attesta_core::text::VerifyUrl;
use attesta_core::trust_list::TrustList;
use attesta_qr::render::{EcLevel, QrSymbol};
use attesta_verify::Verdict;
use jiff::{SignedDuration, Timestamp};

use crate::cli::{OutFormat, VerifyArgs};
use crate::cmd::issue::fields::Fields;
use crate::cmd::issue::request::meta;
use crate::cmd::verify;
use crate::files;
use crate::issuer_list::IssuerList;
use crate::output::Renderer;
use crate::report::{self, Outcome};

const DEMO_CF: &str = "RSSMRA85T10A562S";
const WRONG_CF: &str = "MRTMTT25D09F205Z";
/// The demo holder's code with its last letter mistyped.
const TYPO_CF: &str = "RSSMRA85T10A562T";
const ISSUER: &str = "INPS-DEMO";
/// Where `attesta web serve` listens by default.
const DEMO_VERIFY_URL: &str = "http://127.0.0.1:8080/";

fn demo_dir(dir: Option<PathBuf>) -> Result<PathBuf> {
    let d = match dir {
        Some(d) => d,
        None => {
            let mut r = [0u8; 4];
            getrandom::fill(&mut r).ok();
            std::env::temp_dir().join(format!("attesta-demo-{}", hex::encode(r)))
        }
    };
    std::fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
    Ok(d)
}

fn write_key(dir: &Path, name: &str, key: &SigningKey) -> Result<PathBuf> {
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    files::write_private(&p, key.to_pkcs8_pem(None)?.as_bytes())?;
    files::atomic_write(&files::pub_path(&p), key.public_key().to_pem().as_bytes())?;
    Ok(p)
}

fn step(n: u32, s: &str) {
    println!("\n[{n}] {s}");
}

pub fn run(dir: Option<PathBuf>, lang: Lang) -> Result<ExitCode> {
    let dir = demo_dir(dir)?;
    println!("attesta demo — files in {}", dir.display());

    step(
        1,
        "Keys: a root key (signs the trust list) and an issuer key (signs attestations)",
    );
    let root = SigningKey::generate()?;
    let issuer = SigningKey::generate()?;
    let root_path = write_key(&dir, "root.key", &root)?;
    let issuer_path = write_key(&dir, "issuer.key", &issuer)?;
    println!("    root.key   kid {}", root.kid());
    println!("    issuer.key kid {}", issuer.kid());

    step(2, "Trust list: the root key vouches for the issuer key");
    let now = Timestamp::now();
    let mut list = TrustList::default();
    list.add_issuer(
        ISSUER,
        issuer.public_key(),
        Some(now - SignedDuration::from_mins(5)),
    )?;
    list.next_version();
    let trust_path = dir.join("trust.cwt");
    files::atomic_write(
        &trust_path,
        &list.sign(&root, now, now + SignedDuration::from_hours(24 * 30)),
    )?;
    println!("    trust.cwt: issuer {ISSUER}, sequence {}", list.seq);

    step(
        3,
        "Issue an attestation: civil invalidity 75 %, handicap grave, reduced walking, revision 2028-06-30, \
         with a holder's secret (the holder asked for one: the code then opens only with the codice fiscale AND the secret)",
    );
    let list_path = dir.join("status-1.cwt");
    let _ = std::fs::remove_file(&list_path);
    let _ = std::fs::remove_file(crate::issuer_list::alloc_path(&list_path));
    let mut status = IssuerList::open_or_create(
        &list_path,
        &issuer,
        &crate::issuer_list::default_list_uri(&issuer),
        65_536,
    )?;
    let fields = Fields {
        cf: Some(DEMO_CF.into()),
        invalidita: Some("75".into()),
        handicap: Some("grave".into()),
        deambulazione_ridotta: true,
        rivedibile: Some("2028-06-30".into()),
        ..Fields::default()
    };
    let parsed = fields.parse(now, lang).map_err(|e| anyhow::anyhow!(e))?;
    let sref = status.allocate()?;
    status.save(&issuer)?;
    let secret = HolderSecret::generate()?;
    let cred = issue_first_level_with_secret(
        &issuer,
        &parsed.cf,
        &secret,
        &FirstLevelRequest {
            attestation: parsed.attestation.clone(),
            issued_at: now,
            not_before: None,
            expires_at: parsed.expires_at,
            status: Some(sref),
            issuer: None,
            kdf: KdfParams::DEFAULT,
        },
    )?;
    let sym = QrSymbol::encode(cred.text(), EcLevel::Q)?;
    println!(
        "    credential {} — {} characters, QR version {} ({}×{} modules) at error correction Q",
        cred.cti(),
        cred.text().len(),
        sym.version(),
        sym.width(),
        sym.width()
    );
    let secret_text = secret.to_text();
    println!(
        "    holder's secret: {} — printed at the foot of attestazione.pdf below a cut line, and in attestazione.pdf.segreto (mode 0600)",
        secret_text.as_str()
    );
    let m = meta(ISSUER, &cred, &parsed, now, false, Some(&secret));
    for f in [OutFormat::Pdf, OutFormat::Png, OutFormat::Txt] {
        let p = dir.join(format!("attestazione.{}", f.ext()));
        let _ = std::fs::remove_file(crate::output::secret_path(&p));
        let bytes = Renderer::new(f)?.render(f, cred.text(), &m)?;
        let with_secret = (f == OutFormat::Pdf).then_some(&secret);
        crate::cmd::issue::request::write_with_secret(&p, &bytes, m.is_private(f), with_secret)?;
        println!("    wrote {}", p.display());
    }
    println!("{}", sym.to_terminal());
    // The same code wrapped in the address of the web verifier that
    // `attesta web serve` starts: any phone camera opens it.
    let url = VerifyUrl::parse(DEMO_VERIFY_URL)?;
    let wrapped = url.wrap(cred.text());
    let wrapped_sym = QrSymbol::encode(&wrapped, EcLevel::Q)?;
    let web_png = dir.join("attestazione-web.png");
    files::atomic_write(
        &web_png,
        &Renderer::new(OutFormat::Png)?.render(OutFormat::Png, &wrapped, &m)?,
    )?;
    println!(
        "    wrote {} (issue --verify-url {DEMO_VERIFY_URL}): {} characters, QR version {} instead of {}",
        web_png.display(),
        wrapped.len(),
        wrapped_sym.version(),
        sym.version()
    );

    step(4, "Read the PNG back as an image, as a scanner would");
    let png = dir.join("attestazione.png");
    let scanned = files::read_code(&png.to_string_lossy())?;
    if scanned.text != cred.text() {
        bail!("the code read from the PNG differs from the one issued");
    }
    println!(
        "    read {} characters from attestazione.png: identical to the issued code",
        scanned.text.len()
    );

    let verify_args = |cf: &str, secret: Option<&str>| VerifyArgs {
        input: png.to_string_lossy().into_owned(),
        cf: Some(cf.to_owned()),
        segreto: secret.map(str::to_owned),
        trust: trust_path.clone(),
        root: files::pub_path(&root_path),
        status_list: vec![list_path.clone()],
        at: None,
        json: false,
        require_revocation: false,
        state: Some(dir.join("verifier-state.json")),
        no_state: false,
        operator_key: None,
        min_kdf_memory_mib: KdfParams::DEFAULT.memory_mib(),
        min_kdf_iterations: KdfParams::DEFAULT.iterations(),
    };

    step(
        5,
        &format!(
            "Verify with the holder's codice fiscale {DEMO_CF} and secret {}",
            secret_text.as_str()
        ),
    );
    let right = verify::evaluate(&verify_args(DEMO_CF, Some(&secret_text)))?;
    let right_ok = matches!(right, Ok(Outcome::Verified(_)));
    report::report(right, false, lang);
    println!(
        "    Cost of the secret for the operator: 9 more characters to type (or the holder shows the cut-off part);\n    \
         the check takes as long as without it (one Argon2id derivation)."
    );

    step(
        6,
        "Verify with the codice fiscale alone (a photo of the code and a CF that anyone who knows the holder can work out): must ask for the secret",
    );
    let no_secret = verify::evaluate(&verify_args(DEMO_CF, None))?;
    let secret_asked = matches!(&no_secret, Err(f) if f.code() == "secret_required");
    report::report(no_secret, false, lang);
    println!("  Another codice fiscale {WRONG_CF}, with the right secret: must be refused");
    let wrong = verify::evaluate(&verify_args(WRONG_CF, Some(&secret_text)))?;
    let wrong_refused = matches!(&wrong, Err(f) if f.code() == "cf_or_secret_mismatch");
    report::report(wrong, false, lang);

    step(
        7,
        &format!(
            "Verify with a mistyped codice fiscale {TYPO_CF}: cannot verify, and nothing is said against the holder"
        ),
    );
    let typo = verify::evaluate(&verify_args(TYPO_CF, Some(&secret_text)))?;
    let typo_cannot = matches!(&typo, Err(f) if f.failure.verdict() == Verdict::CannotVerify);
    report::report(typo, false, lang);

    step(
        8,
        "Second level: the holder releases the medical details to one accredited operator",
    );
    let second_ok = second_level(
        lang,
        &dir,
        &root,
        &mut list,
        &trust_path,
        &png,
        &list_path,
        &secret_text,
    )?;

    println!("\nTry it yourself:");
    println!(
        "  attesta verify {} --cf {DEMO_CF} --segreto {} --trust {} --root {} --status-list {} --state {}",
        png.display(),
        secret_text.as_str(),
        trust_path.display(),
        files::pub_path(&root_path).display(),
        list_path.display(),
        dir.join("verifier-state.json").display()
    );
    println!("  attesta decode {}", png.display());
    println!(
        "  (issuer key: {}, open attestazione.pdf to see the printable document)",
        issuer_path.display()
    );
    println!(
        "\nVerify at the counter, in a browser (the app is built once with web/build.sh):\n  attesta web serve --dir {}",
        dir.display()
    );
    if right_ok && secret_asked && wrong_refused && typo_cannot && second_ok {
        println!(
            "\ndemo OK: the right codice fiscale and secret verified (VALIDO), the codice fiscale alone was not enough (NON VERIFICABILE: the secret was asked for), another one was refused (NON VALIDO), a mistyped one could not be verified (NON VERIFICABILE)"
        );
        Ok(ExitCode::SUCCESS)
    } else {
        bail!(
            "demo failed: right CF and secret verified = {right_ok}, secret asked for = {secret_asked}, wrong CF refused = {wrong_refused}, typo cannot verify = {typo_cannot}, second level = {second_ok}"
        )
    }
}

/// Accredits two operators, issues a token for one, and shows it opened by
/// that operator and refused by the other.
#[allow(clippy::too_many_arguments)]
fn second_level(
    lang: Lang,
    dir: &Path,
    root: &SigningKey,
    list: &mut TrustList,
    trust_path: &Path,
    first_level: &Path,
    status_list: &Path,
    secret: &str,
) -> Result<bool> {
    use attesta_core::operator_key::OperatorSecretKey;
    use attesta_core::trust_list::OperatorEntry;

    let mut keys = Vec::new();
    for (id, name) in [("comune-bo", "Comune di Bologna"), ("museo-x", "Museo X")] {
        let k = OperatorSecretKey::generate();
        let p = dir.join(format!("{id}.key"));
        let _ = std::fs::remove_file(&p);
        files::write_private(&p, k.to_pkcs8_pem(None)?.as_bytes())?;
        files::atomic_write(&files::pub_path(&p), k.public_key().to_pem().as_bytes())?;
        list.add_operator(OperatorEntry {
            id: id.into(),
            name: name.into(),
            sealing_key: k.public_key().to_bytes(),
            valid_from: None,
            valid_until: None,
        })?;
        keys.push(p);
    }
    list.next_version();
    let now = Timestamp::now();
    files::atomic_write(
        trust_path,
        &list.sign(root, now, now + SignedDuration::from_hours(24 * 30)),
    )?;
    println!(
        "    trust list sequence {}: operators comune-bo and museo-x accredited",
        list.seq
    );
    let token_path = dir.join("dettagli-comune-bo.txt");
    let _ = std::fs::remove_file(&token_path);
    let args = crate::cli::IssueArgs {
        key: dir.join("issuer.key"),
        issuer: ISSUER.into(),
        fields: crate::cli::FieldArgs {
            cf: Some(DEMO_CF.into()),
            invalidita: Some("75.5".into()),
            handicap: Some("grave".into()),
            ..Default::default()
        },
        out: Some(token_path.to_string_lossy().into_owned()),
        batch: None,
        out_dir: None,
        strict_columns: false,
        encoding: None,
        format: OutFormat::Txt,
        resume: false,
        shard: None,
        quiet: true,
        jobs: None,
        status_list: None,
        level: 2,
        operator: Some("comune-bo".into()),
        credential: Some(first_level.to_string_lossy().into_owned()),
        trust: Some(trust_path.to_owned()),
        root: Some(files::pub_path(&dir.join("root.key"))),
        l68_percent: None,
        giudizio: Some("Invalido con riduzione permanente della capacità lavorativa".into()),
        include_iss: false,
        verify_url: None,
        pdf_show_details: false,
        con_segreto: false,
        segreto: Some(secret.to_owned()),
        readable_outputs: false,
        kdf_memory_mib: 19,
        kdf_iterations: 2,
        pass: Default::default(),
    };
    crate::cmd::issue::run(&args, lang)?;
    let verify_as = |op: &Path| VerifyArgs {
        input: token_path.to_string_lossy().into_owned(),
        cf: Some(DEMO_CF.to_owned()),
        segreto: None,
        trust: trust_path.to_owned(),
        root: files::pub_path(&dir.join("root.key")),
        status_list: vec![status_list.to_owned()],
        at: None,
        json: false,
        require_revocation: false,
        state: Some(dir.join("verifier-state.json")),
        no_state: false,
        operator_key: Some(op.to_owned()),
        min_kdf_memory_mib: KdfParams::DEFAULT.memory_mib(),
        min_kdf_iterations: KdfParams::DEFAULT.iterations(),
    };
    println!("    opened by comune-bo (the addressee):");
    let right = verify::evaluate(&verify_as(&keys[0]))?;
    let right_ok = matches!(right, Ok(Outcome::Second(_)));
    report::report(right, false, lang);
    println!("    tried by museo-x (another operator):");
    let wrong = verify::evaluate(&verify_as(&keys[1]))?;
    let wrong_refused = matches!(&wrong, Err(f) if f.code() == "wrong_audience");
    report::report(wrong, false, lang);
    Ok(right_ok && wrong_refused)
}
