//! Runs the published test vectors (`test-vectors/`, layout in its
//! README.md) against this implementation.
//!
//! For each file: rebuild the verifier from the vector (trust lists in
//! order into one `TrustState`, `Policy::default()` unless the vector says
//! otherwise, status lists), run `check` and `open_str` at `verify_at`, and
//! compare the outcome, the error code and the stage exactly. Vectors with
//! `inputs` are re-issued and must give the same text byte for byte.
//!
//! Regenerate with `cargo run -p attesta-verify --example generate_vectors -- test-vectors`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::StatusRef;
use attesta_core::credential::{Cti, FirstLevelRequest, issue_first_level_with_cti};
use attesta_core::envelope::{EnvelopeKey, EnvelopeLabel, KdfParams};
use attesta_core::inspect::inspect;
use attesta_core::keys::SigningKey;
use attesta_core::model::Attestation;
use attesta_verify::trust::TrustState;
use attesta_verify::verifier::{Revocation, RevocationPolicy};
use attesta_verify::{Policy, VerifiedAttestation, Verifier, VerifyError};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value as Json;
use sha2::Sha256;

/// At least this many vectors of each kind must be present, so that
/// deleting files does not go unnoticed.
const MIN_POSITIVE: usize = 10;
const MIN_NEGATIVE: usize = 50;

/// Codes that must each appear in at least one negative vector: every
/// `VerifyError` variant, and every `FormatError` code reachable from a text.
const REQUIRED_CODES: &[&str] = &[
    // FormatError, through VerifyError::Format
    "bad_prefix",
    "unsupported_version",
    "wrong_level",
    "text_too_long",
    "lowercase_text",
    "bad_base45",
    "bad_compression",
    "decompressed_too_large",
    "cbor_too_deep",
    "cbor_too_many_items",
    "cbor_indefinite_length",
    "cbor_trailing_bytes",
    "malformed_cbor",
    "malformed_cose",
    "unsupported_alg",
    "alg_in_unprotected_header",
    "missing_kid",
    "malformed_claims",
    "missing_claim",
    "unknown_flags",
    "invalid_attestation",
    // the other VerifyError variants
    "unknown_kid",
    "denied_kid",
    "bad_signature",
    "key_not_valid_at_issuance",
    "issuer_mismatch",
    "not_yet_valid",
    "expired",
    "revoked",
    "suspended",
    "status_index_out_of_range",
    "revocation_not_checked",
    "status_list_untrusted",
    "status_list_wrong_issuer",
    "status_list_stale",
    "cf_malformed",
    "cf_mismatch",
    "kdf_params_out_of_bounds",
    // VerifyError::StatusList and VerifyError::Trust (one code each at least)
    "status_list_wrong_typ",
    "trust_list_bad_signature",
    "trust_list_stale",
    "trust_list_rollback",
    "trust_list_denied_kid_reinstated",
    "trust_list_denylist_shrunk",
    "trust_list_malformed",
];

#[derive(Deserialize)]
struct Vector {
    description: String,
    kind: String,
    keys: Keys,
    #[serde(default)]
    other_keys: Vec<OtherKey>,
    trust_lists_hex: Vec<String>,
    status_lists_hex: Vec<String>,
    #[serde(default)]
    policy: Option<PolicyJson>,
    #[serde(default)]
    inputs: Option<Inputs>,
    qr_text: String,
    verify_at: String,
    cf_for_verify: String,
    expected: Json,
    #[serde(default)]
    annotated: Option<Annotated>,
}

#[derive(Deserialize)]
struct Keys {
    root_seed_hex: String,
    issuer_seed_hex: String,
    root_public_pem: String,
    issuer_public_pem: String,
    issuer_kid: String,
}

#[derive(Deserialize)]
struct OtherKey {
    seed_hex: String,
    public_pem: String,
    kid: String,
}

#[derive(Deserialize)]
struct PolicyJson {
    revocation: String,
}

#[derive(Deserialize)]
struct Kdf {
    m_mib: u32,
    t: u32,
    p: u32,
}

#[derive(Deserialize)]
struct Inputs {
    cf: String,
    attestation: Attestation,
    issued_at: String,
    not_before: Option<String>,
    expires_at: String,
    status: Option<StatusRef>,
    iss: Option<String>,
    cti_hex: String,
    kdf: Kdf,
}

#[derive(Deserialize)]
struct Annotated {
    protected_header_hex: String,
    claims_hex: String,
    envelope_plaintext_hex: String,
    plaintext_flags: i64,
    plaintext_revision_days: Option<i64>,
    argon2_password: String,
    argon2_salt_hex: String,
    argon2_output_hex: String,
    envelope_key_hex: String,
    aead_nonce_hex: String,
    aead_aad_hex: String,
    ciphertext_hex: String,
    sig_structure_hex: String,
    signature_hex: String,
    cose_hex: String,
    cose_len: usize,
    char_count: usize,
}

type R<T> = Result<T, String>;

fn ensure(cond: bool, msg: impl FnOnce() -> String) -> R<()> {
    if cond { Ok(()) } else { Err(msg()) }
}

fn unhex(s: &str, what: &str) -> R<Vec<u8>> {
    hex::decode(s).map_err(|e| format!("{what}: bad hex ({e})"))
}

fn seed(s: &str, what: &str) -> R<SigningKey> {
    let b: [u8; 32] = unhex(s, what)?
        .try_into()
        .map_err(|_| format!("{what}: not 32 bytes"))?;
    Ok(SigningKey::from_seed(&b))
}

fn time(s: &str, what: &str) -> R<Timestamp> {
    s.parse()
        .map_err(|e| format!("{what}: '{s}' is not RFC 3339 ({e})"))
}

/// `test-vectors/` at the workspace root, or `$ATTESTA_TEST_VECTORS` (to
/// run, e.g., a set generated with `--include-pending` elsewhere).
fn vectors_dir() -> PathBuf {
    std::env::var_os("ATTESTA_TEST_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors"))
}

/// Where an outcome was decided: the verifier's four steps.
#[derive(Debug)]
enum Stage {
    TrustList,
    StatusList,
    Check,
    Open,
}

impl Stage {
    fn name(&self) -> &'static str {
        match self {
            Stage::TrustList => "trust_list",
            Stage::StatusList => "status_list",
            Stage::Check => "check",
            Stage::Open => "open",
        }
    }
}

fn verify(v: &Vector, root: &SigningKey) -> Result<VerifiedAttestation, (Stage, VerifyError)> {
    let at = time(&v.verify_at, "verify_at").expect("checked by the caller");
    let mut policy = Policy::default();
    if let Some(p) = &v.policy {
        policy.revocation = match p.revocation.as_str() {
            "require" => RevocationPolicy::Require,
            "report_not_checked" => RevocationPolicy::ReportNotChecked,
            other => panic!("unknown policy.revocation {other:?}"),
        };
    }
    let root = root.public_key();
    let lists: Vec<Vec<u8>> = v
        .trust_lists_hex
        .iter()
        .map(|h| hex::decode(h).expect("trust list hex"))
        .collect();
    let (last, earlier) = lists.split_last().expect("at least one trust list");
    let mut state = TrustState::default();
    for l in earlier {
        state
            .accept(l, &root, at, &policy.trust)
            .map_err(|e| (Stage::TrustList, VerifyError::Trust(e)))?;
    }
    let mut verifier =
        Verifier::new(last, &root, &mut state, policy, at).map_err(|e| (Stage::TrustList, e))?;
    for s in &v.status_lists_hex {
        let bytes = hex::decode(s).expect("status list hex");
        verifier
            .add_status_list(&bytes, at)
            .map_err(|e| (Stage::StatusList, e))?;
    }
    let checked = verifier
        .check(&v.qr_text, at)
        .map_err(|e| (Stage::Check, e))?;
    checked
        .open_str(&v.cf_for_verify)
        .map_err(|e| (Stage::Open, e))
}

fn revocation_name(r: &Revocation) -> &'static str {
    match r {
        Revocation::Checked { .. } => "checked",
        Revocation::NotChecked { .. } => "not_checked",
        Revocation::NotRevocable => "not_revocable",
        _ => "unknown",
    }
}

fn expect_str<'a>(e: &'a Json, key: &str) -> R<&'a str> {
    e.get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| format!("expected.{key} is missing or not a string"))
}

fn check_keys(v: &Vector) -> R<(SigningKey, SigningKey)> {
    let root = seed(&v.keys.root_seed_hex, "keys.root_seed_hex")?;
    let issuer = seed(&v.keys.issuer_seed_hex, "keys.issuer_seed_hex")?;
    ensure(root.public_key().to_pem() == v.keys.root_public_pem, || {
        "keys.root_public_pem does not match root_seed_hex".into()
    })?;
    ensure(
        issuer.public_key().to_pem() == v.keys.issuer_public_pem,
        || "keys.issuer_public_pem does not match issuer_seed_hex".into(),
    )?;
    ensure(issuer.kid().to_string() == v.keys.issuer_kid, || {
        format!(
            "keys.issuer_kid {} is not {}",
            v.keys.issuer_kid,
            issuer.kid()
        )
    })?;
    for k in &v.other_keys {
        let key = seed(&k.seed_hex, "other_keys.seed_hex")?;
        ensure(key.public_key().to_pem() == k.public_pem, || {
            "other_keys.public_pem does not match its seed".into()
        })?;
        ensure(key.kid().to_string() == k.kid, || {
            format!("other_keys.kid {} is not {}", k.kid, key.kid())
        })?;
    }
    Ok((root, issuer))
}

/// Re-issues from `inputs` with the issuer key; must give `qr_text` exactly.
fn check_reissue(v: &Vector, issuer: &SigningKey) -> R<()> {
    let Some(i) = &v.inputs else { return Ok(()) };
    let cf = CodiceFiscale::parse(&i.cf).map_err(|e| format!("inputs.cf: {e}"))?;
    let cti = Cti::from_hex(&i.cti_hex).ok_or("inputs.cti_hex is not 8 bytes of hex")?;
    let req = FirstLevelRequest {
        attestation: i.attestation.clone(),
        issued_at: time(&i.issued_at, "inputs.issued_at")?,
        not_before: i
            .not_before
            .as_deref()
            .map(|t| time(t, "inputs.not_before"))
            .transpose()?,
        expires_at: time(&i.expires_at, "inputs.expires_at")?,
        status: i.status.clone(),
        issuer: i.iss.clone(),
        kdf: KdfParams::new(i.kdf.m_mib, i.kdf.t, i.kdf.p)
            .map_err(|e| format!("inputs.kdf: {e}"))?,
    };
    let issued = issue_first_level_with_cti(issuer, &cf, &req, cti)
        .map_err(|e| format!("re-issuing from inputs failed: {e}"))?;
    ensure(issued.text() == v.qr_text, || {
        format!(
            "re-issuing from inputs gives a different text:\n  got      {}\n  expected {}",
            issued.text(),
            v.qr_text
        )
    })
}

fn check_positive(v: &Vector, got: &VerifiedAttestation) -> R<()> {
    let e = &v.expected;
    let want: Attestation = serde_json::from_value(
        e.get("attestation")
            .cloned()
            .ok_or("expected.attestation is missing")?,
    )
    .map_err(|err| format!("expected.attestation: {err}"))?;
    ensure(got.attestation() == &want, || {
        format!(
            "attestation differs: got {:?}, expected {want:?}",
            got.attestation()
        )
    })?;
    // The JSON form too, so that a serialisation change is noticed.
    let got_json = serde_json::to_value(got.attestation()).map_err(|e| e.to_string())?;
    ensure(Some(&got_json) == e.get("attestation"), || {
        format!("attestation JSON differs: got {got_json}")
    })?;
    let c = got.checked();
    let issuer = expect_str(e, "issuer")?;
    ensure(c.issuer_id() == issuer, || {
        format!("issuer {} instead of {issuer}", c.issuer_id())
    })?;
    let kid = expect_str(e, "kid")?;
    ensure(c.kid().to_string() == kid, || {
        format!("kid {} instead of {kid}", c.kid())
    })?;
    let rev = expect_str(e, "revocation")?;
    ensure(revocation_name(c.revocation()) == rev, || {
        format!("revocation {:?} instead of {rev}", c.revocation())
    })?;
    let cti = expect_str(e, "cti_hex")?;
    ensure(c.claims().cti().to_string() == cti, || {
        format!("cti {} instead of {cti}", c.claims().cti())
    })?;
    let iat = time(expect_str(e, "issued_at")?, "expected.issued_at")?;
    ensure(c.claims().issued_at() == iat, || {
        format!("iat {} instead of {iat}", c.claims().issued_at())
    })?;
    let exp = time(expect_str(e, "expires_at")?, "expected.expires_at")?;
    ensure(c.claims().expires_at() == exp, || {
        format!("exp {} instead of {exp}", c.claims().expires_at())
    })?;

    let d = e.get("decoded").ok_or("expected.decoded is missing")?;
    let i = inspect(&v.qr_text).map_err(|e| format!("inspect failed: {e}"))?;
    let mut claims_keys: Vec<String> = i
        .claims
        .as_object()
        .ok_or("inspect: claims are not a map")?
        .keys()
        .cloned()
        .collect();
    claims_keys.sort();
    let got_decoded = serde_json::json!({
        "prefix": i.prefix,
        "family": i.family,
        "compressed": i.compressed,
        "cose_len": i.cose_len,
        "tags": i.tags,
        "protected": i.protected,
        "claims_keys": claims_keys,
    });
    ensure(&got_decoded == d, || {
        format!("decoded differs:\n  got      {got_decoded}\n  expected {d}")
    })
}

fn check_negative(v: &Vector, got: &Result<VerifiedAttestation, (Stage, VerifyError)>) -> R<()> {
    let e = &v.expected;
    let code = expect_str(e, "expected_error")?;
    let stage = expect_str(e, "stage")?;
    match got {
        Ok(a) => Err(format!(
            "verified as valid ({:?}), expected error {code} at {stage}",
            a.attestation()
        )),
        Err((s, err)) => {
            ensure(err.code() == code && s.name() == stage, || {
                format!(
                    "got {} at {} ({err}), expected {code} at {stage}",
                    err.code(),
                    s.name()
                )
            })?;
            if let Some(want) = e.get("cf_error").and_then(Json::as_str) {
                let VerifyError::CfMalformed(cf) = err else {
                    return Err("cf_error given for a non-CF error".into());
                };
                ensure(cf.code() == want, || {
                    format!("CF error {} instead of {want}", cf.code())
                })?;
            }
            Ok(())
        }
    }
}

/// The intermediate values of the worked example are consistent with the
/// code and with the envelope construction of docs/format.md.
fn check_annotated(v: &Vector) -> R<()> {
    let Some(a) = &v.annotated else { return Ok(()) };
    let body = v
        .qr_text
        .strip_prefix("AT1:")
        .ok_or("annotated: not AT1:")?;
    let cose = base45::decode(body).map_err(|e| format!("annotated: base45 {e}"))?;
    let h = |s: &str, w: &str| unhex(s, w);
    ensure(hex::encode(&cose) == a.cose_hex, || {
        "annotated.cose_hex differs from the code".into()
    })?;
    ensure(cose.len() == a.cose_len, || "annotated.cose_len".into())?;
    ensure(v.qr_text.len() == a.char_count, || {
        "annotated.char_count".into()
    })?;
    let sig = h(&a.signature_hex, "signature_hex")?;
    ensure(cose.ends_with(&sig) && sig.len() == 64, || {
        "annotated.signature_hex is not the code's last 64 bytes".into()
    })?;
    let prot = h(&a.protected_header_hex, "protected_header_hex")?;
    let claims = h(&a.claims_hex, "claims_hex")?;
    let ct = h(&a.ciphertext_hex, "ciphertext_hex")?;
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    ensure(contains(&cose, &prot) && contains(&cose, &claims), || {
        "annotated header/claims are not in the code".into()
    })?;
    ensure(contains(&claims, &ct), || {
        "annotated ciphertext not in the claims".into()
    })?;
    // Sig_structure = ["Signature1", protected, h'', payload]
    let mut tbs = Vec::new();
    ciborium::into_writer(
        &ciborium::Value::Array(vec![
            ciborium::Value::Text("Signature1".into()),
            ciborium::Value::Bytes(prot.clone()),
            ciborium::Value::Bytes(vec![]),
            ciborium::Value::Bytes(claims.clone()),
        ]),
        &mut tbs,
    )
    .map_err(|e| e.to_string())?;
    ensure(hex::encode(&tbs) == a.sig_structure_hex, || {
        "annotated.sig_structure_hex".into()
    })?;
    let issuer = seed(&v.keys.issuer_seed_hex, "issuer seed")?;
    ensure(issuer.public_key().verify_strict(&tbs, &sig), || {
        "annotated signature does not verify".into()
    })?;
    // The KDF, step by step.
    let i = v.inputs.as_ref().ok_or("annotated vectors have inputs")?;
    let label = b"attesta/v1/level-1";
    let cti = h(&i.cti_hex, "cti")?;
    let mut salt = label.to_vec();
    salt.extend_from_slice(&cti);
    ensure(hex::encode(&salt) == a.argon2_salt_hex, || {
        "annotated.argon2_salt_hex".into()
    })?;
    ensure(
        a.argon2_password
            == CodiceFiscale::parse(&i.cf)
                .map_err(|e| e.to_string())?
                .as_str(),
        || "annotated.argon2_password".into(),
    )?;
    let params = argon2::Params::new(i.kdf.m_mib * 1024, i.kdf.t, i.kdf.p, Some(32))
        .map_err(|e| e.to_string())?;
    let mut ikm = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(a.argon2_password.as_bytes(), &salt, &mut ikm)
        .map_err(|e| e.to_string())?;
    ensure(hex::encode(ikm) == a.argon2_output_hex, || {
        "annotated.argon2_output_hex".into()
    })?;
    let mut key = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(None, &ikm)
        .expand(label, &mut key)
        .map_err(|e| e.to_string())?;
    ensure(hex::encode(key) == a.envelope_key_hex, || {
        "annotated.envelope_key_hex".into()
    })?;
    ensure(a.aead_nonce_hex == "000000000000000000000000", || {
        "annotated.aead_nonce_hex".into()
    })?;
    ensure(a.aead_aad_hex == i.cti_hex, || {
        "annotated.aead_aad_hex".into()
    })?;
    // The library's envelope key opens the ciphertext to the plaintext given.
    let cf = CodiceFiscale::parse(&i.cf).map_err(|e| e.to_string())?;
    let kdf = KdfParams::new(i.kdf.m_mib, i.kdf.t, i.kdf.p).map_err(|e| e.to_string())?;
    let pt = EnvelopeKey::derive(&cf, &cti, &kdf, EnvelopeLabel::FirstLevel)
        .map_err(|e| e.to_string())?
        .open(&cti, &ct)
        .map_err(|e| e.to_string())?;
    ensure(hex::encode(&pt[..]) == a.envelope_plaintext_hex, || {
        "annotated.envelope_plaintext_hex".into()
    })?;
    let mut items = vec![ciborium::Value::Integer(a.plaintext_flags.into())];
    items.extend(
        a.plaintext_revision_days
            .map(|d| ciborium::Value::Integer(d.into())),
    );
    let mut want = Vec::new();
    ciborium::into_writer(&ciborium::Value::Array(items), &mut want).map_err(|e| e.to_string())?;
    ensure(pt[..] == want[..], || {
        "annotated.plaintext_flags / plaintext_revision_days do not encode to the plaintext".into()
    })
}

fn run_one(path: &Path) -> R<(bool, Option<String>)> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("unreadable: {e}"))?;
    let v: Vector = serde_json::from_str(&text).map_err(|e| format!("not a vector: {e}"))?;
    ensure(!v.description.is_empty(), || "empty description".into())?;
    ensure(v.kind == "first_level", || {
        format!("kind {:?}: this runner knows only first_level", v.kind)
    })?;
    time(&v.verify_at, "verify_at")?;
    let (root, issuer) = check_keys(&v)?;
    let valid = v
        .expected
        .get("valid")
        .and_then(Json::as_bool)
        .ok_or("expected.valid is missing")?;
    let in_positive = path.parent().and_then(Path::file_name) == Some("positive".as_ref());
    ensure(valid == in_positive, || {
        "expected.valid does not match the directory (positive/ or negative/)".into()
    })?;
    check_reissue(&v, &issuer)?;
    let got = verify(&v, &root);
    if valid {
        ensure(v.inputs.is_some(), || "positive vectors need inputs".into())?;
        match &got {
            Ok(a) => check_positive(&v, a)?,
            Err((s, e)) => {
                return Err(format!(
                    "expected valid, got {} at {} ({e})",
                    e.code(),
                    s.name()
                ));
            }
        }
        check_annotated(&v)?;
        Ok((true, None))
    } else {
        check_negative(&v, &got)?;
        Ok((
            false,
            Some(expect_str(&v.expected, "expected_error")?.to_owned()),
        ))
    }
}

#[test]
fn published_vectors() {
    let dir = vectors_dir();
    let mut files = Vec::new();
    for sub in ["positive", "negative"] {
        let d = dir.join(sub);
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot read {}: {e}", d.display()));
        for e in entries {
            let p = e.expect("directory entry").path();
            if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    let (mut positive, mut negative) = (0, 0);
    let mut codes = BTreeSet::new();
    let mut failures = Vec::new();
    for f in &files {
        let name = f.strip_prefix(&dir).unwrap_or(f).display().to_string();
        // A panic in the library is a failure of this vector, named as such.
        let result = std::panic::catch_unwind(|| run_one(f)).unwrap_or_else(|p| {
            let msg = p
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| p.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            Err(format!("panicked: {msg}"))
        });
        match result {
            Ok((true, _)) => positive += 1,
            Ok((false, code)) => {
                negative += 1;
                codes.extend(code);
            }
            Err(msg) => failures.push(format!("{name}: {msg}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    assert!(
        positive >= MIN_POSITIVE && negative >= MIN_NEGATIVE,
        "only {positive} positive and {negative} negative vectors (at least {MIN_POSITIVE} and \
         {MIN_NEGATIVE} expected): were files deleted?"
    );
    let missing: Vec<_> = REQUIRED_CODES
        .iter()
        .filter(|c| !codes.contains(**c))
        .collect();
    assert!(
        missing.is_empty(),
        "no negative vector expects these codes: {missing:?}"
    );
    eprintln!("{positive} positive and {negative} negative vectors passed");
}
