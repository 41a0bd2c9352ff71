//! The runner of the published test vectors (`test-vectors/`, layout in
//! its README.md), shared by the `vectors` test and the mutation check.
//!
//! For each file: rebuild the verifier from the vector (trust lists in
//! order into one `TrustState`, `Policy::default()` unless the vector says
//! otherwise, status lists), run `check` and `open_str` at `verify_at`
//! (for `kind: "second_level"`, `check_second_level` and
//! `CheckedToken::open_str` with the vector's operator key), and compare
//! the outcome, the error code and the stage exactly. Vectors with
//! `inputs` are re-issued and must give the same text byte for byte (every
//! positive first-level vector has them; a positive second-level vector
//! without them is a crafted token, checked in every other respect).
//!
//! Regenerate with `cargo run -p attesta-vectors -- test-vectors`.

use std::path::{Path, PathBuf};

use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::StatusRef;
use attesta_core::credential::{Cti, FirstLevelRequest, issue_first_level_with_cti_and_secret};
use attesta_core::envelope::{EnvelopeKey, EnvelopeLabel, KdfParams};
use attesta_core::inspect::inspect;
use attesta_core::keys::SigningKey;
use attesta_core::model::{Attestation, SecondLevelDetails};
use attesta_core::operator_key::{OperatorPublicKey, OperatorSecretKey};
use attesta_core::second_level::{SecondLevelRequest, issue_second_level_deterministic};
use attesta_core::secret::HolderSecret;
use attesta_verify::trust::TrustState;
use attesta_verify::verifier::{Revocation, RevocationPolicy};
use attesta_verify::{Policy, VerifiedAttestation, VerifiedDetails, Verifier, VerifyError};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value as Json;
use sha2::Sha256;

/// At least this many vectors of each kind must be present, so that
/// deleting files does not go unnoticed.
pub const MIN_POSITIVE: usize = 10;
pub const MIN_NEGATIVE: usize = 50;
/// Of which second-level (`kind: "second_level"`).
pub const MIN_L2_POSITIVE: usize = 2;
pub const MIN_L2_NEGATIVE: usize = 8;

/// Codes that must each appear in at least one negative vector: every
/// `VerifyError` variant, and every `FormatError` code reachable from a text.
pub const REQUIRED_CODES: &[&str] = &[
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
    "cbor_duplicate_key",
    "cbor_not_shortest_form",
    "cbor_float_or_simple",
    "cbor_invalid_utf8",
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
    "status_list_issued_in_future",
    "cf_malformed",
    "cf_mismatch",
    "secret_required",
    "secret_malformed",
    "cf_or_secret_mismatch",
    "kdf_params_out_of_bounds",
    "kdf_below_floor",
    // second-level tokens
    "wrong_audience",
    "operator_not_accredited",
    "not_for_this_operator",
    // VerifyError::StatusList and VerifyError::Trust (one code each at least)
    "status_list_wrong_typ",
    "trust_list_bad_signature",
    "trust_list_stale",
    "trust_list_issued_in_future",
    "trust_list_rollback",
    "trust_list_denied_kid_reinstated",
    "trust_list_denied_key_reinstated",
    "trust_list_denylist_shrunk",
    "trust_list_malformed",
    "trust_list_bad_key",
    "status_list_malformed",
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
    /// Second-level vectors: the X25519 key the verifier holds.
    #[serde(default)]
    operator_secret_hex: Option<String>,
    #[serde(default)]
    operator_public_hex: Option<String>,
    /// Second-level vectors: `"first_level"` gives the text to `check`.
    #[serde(default)]
    verify_as: Option<String>,
    /// [`Inputs`] or [`TokenInputs`], by `kind`.
    #[serde(default)]
    inputs: Option<Json>,
    qr_text: String,
    /// Present when `qr_text` is not the reference encoder's text of its
    /// COSE bytes (trimmed characters around it, another deflate stream):
    /// re-issuing then compares the COSE bytes.
    #[serde(default)]
    qr_text_variant: Option<String>,
    verify_at: String,
    cf_for_verify: String,
    /// The holder's secret the operator types, when given.
    #[serde(default)]
    secret_for_verify: Option<String>,
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

/// A key that plays a part. Keys no seed makes (small order, not
/// canonical, mixed order) have only `public_hex`.
#[derive(Deserialize)]
struct OtherKey {
    #[serde(default)]
    seed_hex: Option<String>,
    #[serde(default)]
    public_pem: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    public_hex: Option<String>,
}

#[derive(Deserialize)]
struct PolicyJson {
    #[serde(default)]
    revocation: Option<String>,
    #[serde(default)]
    kdf_floor: Option<Floor>,
}

#[derive(Deserialize)]
struct Floor {
    m_mib: u32,
    t: u32,
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
    /// The holder's secret the code was issued with, as printed.
    #[serde(default)]
    holder_secret: Option<String>,
}

#[derive(Deserialize)]
struct TokenInputs {
    cf: String,
    details: SecondLevelDetails,
    audience: String,
    operator_public_hex: String,
    first_level_cti_hex: String,
    status: Option<StatusRef>,
    issued_at: String,
    expires_at: String,
    cti_hex: String,
    ephemeral_seed_hex: String,
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

/// A check's result: what failed, in words.
pub type R<T> = Result<T, String>;

fn ensure(cond: bool, msg: impl FnOnce() -> String) -> R<()> {
    if cond { Ok(()) } else { Err(msg()) }
}

fn unhex(s: &str, what: &str) -> R<Vec<u8>> {
    hex::decode(s).map_err(|e| format!("{what}: bad hex ({e})"))
}

fn bytes32(s: &str, what: &str) -> R<[u8; 32]> {
    unhex(s, what)?
        .try_into()
        .map_err(|_| format!("{what}: not 32 bytes"))
}

fn seed(s: &str, what: &str) -> R<SigningKey> {
    Ok(SigningKey::from_seed(&bytes32(s, what)?))
}

fn kdf_params(k: &Kdf) -> R<KdfParams> {
    KdfParams::new(k.m_mib, k.t, k.p).map_err(|e| format!("inputs.kdf: {e}"))
}

/// `inputs` read as the kind's inputs.
fn inputs_as<T: serde::de::DeserializeOwned>(v: &Vector) -> R<Option<T>> {
    v.inputs
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| format!("inputs of a {} vector: {e}", v.kind))
}

fn time(s: &str, what: &str) -> R<Timestamp> {
    s.parse()
        .map_err(|e| format!("{what}: '{s}' is not RFC 3339 ({e})"))
}

/// `test-vectors/` at the workspace root, or `$ATTESTA_TEST_VECTORS` (to
/// run, e.g., a set generated with `--include-pending` elsewhere).
pub fn vectors_dir() -> PathBuf {
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

/// Steps 1 to 3: the trust lists and the status lists.
fn verifier(v: &Vector, root: &SigningKey) -> Result<Verifier, (Stage, VerifyError)> {
    let at = time(&v.verify_at, "verify_at").expect("checked by the caller");
    let mut policy = Policy::default();
    // Vectors run without a KDF floor unless they give one: most use the
    // cheap test parameters to run fast (test-vectors/README.md).
    policy.kdf_limits = policy.kdf_limits.without_floor();
    if let Some(p) = &v.policy {
        if let Some(r) = &p.revocation {
            policy.revocation = match r.as_str() {
                "require" => RevocationPolicy::Require,
                "report_not_checked" => RevocationPolicy::ReportNotChecked,
                other => panic!("unknown policy.revocation {other:?}"),
            };
        }
        if let Some(f) = &p.kdf_floor {
            policy.kdf_limits.min_memory_mib = f.m_mib;
            policy.kdf_limits.min_iterations = f.t;
        }
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
    Ok(verifier)
}

/// A first-level verification of `qr_text`.
fn verify(v: &Vector, root: &SigningKey) -> Result<VerifiedAttestation, (Stage, VerifyError)> {
    let at = time(&v.verify_at, "verify_at").expect("checked by the caller");
    let verifier = verifier(v, root)?;
    let checked = verifier
        .check(&v.qr_text, at)
        .map_err(|e| (Stage::Check, e))?;
    checked
        .open_with_secret_str(&v.cf_for_verify, v.secret_for_verify.as_deref())
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
        let Some(seed_hex) = &k.seed_hex else {
            ensure(k.public_hex.as_ref().is_some_and(|h| h.len() == 64), || {
                "other_keys without seed_hex need public_hex (32 bytes)".into()
            })?;
            continue;
        };
        let key = seed(seed_hex, "other_keys.seed_hex")?;
        ensure(
            k.public_pem.as_ref() == Some(&key.public_key().to_pem()),
            || "other_keys.public_pem does not match its seed".into(),
        )?;
        ensure(k.kid.as_ref() == Some(&key.kid().to_string()), || {
            format!("other_keys.kid {:?} is not {}", k.kid, key.kid())
        })?;
    }
    Ok((root, issuer))
}

/// Re-issues from `inputs` with the issuer key; must give `qr_text` exactly.
fn check_reissue(v: &Vector, inputs: Option<&Inputs>, issuer: &SigningKey) -> R<()> {
    let Some(i) = inputs else { return Ok(()) };
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
        kdf: kdf_params(&i.kdf)?,
    };
    let secret = i
        .holder_secret
        .as_deref()
        .map(HolderSecret::parse)
        .transpose()
        .map_err(|e| format!("inputs.holder_secret: {e}"))?;
    let issued = issue_first_level_with_cti_and_secret(issuer, &cf, secret.as_ref(), &req, cti)
        .map_err(|e| format!("re-issuing from inputs failed: {e}"))?;
    same_code(v, issued.text())
}

/// The re-issued `text` is the vector's code: the same text, or, for a
/// `qr_text_variant`, the same COSE bytes (docs/format.md §2.3: the COSE
/// bytes are the identity of a code).
fn same_code(v: &Vector, text: &str) -> R<()> {
    if v.qr_text_variant.is_some() {
        let cose = |t: &str| attesta_core::text::decode(t).map(|(_, c)| c);
        return ensure(cose(text).is_ok() && cose(text) == cose(&v.qr_text), || {
            "re-issuing from inputs gives other COSE bytes than qr_text's".into()
        });
    }
    ensure(text == v.qr_text, || {
        format!(
            "re-issuing from inputs gives a different text:\n  got      {text}\n  expected {}",
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
    check_decoded(v)
}

/// `expected.decoded` is what `attesta decode` shows of `qr_text`.
fn check_decoded(v: &Vector) -> R<()> {
    let d = v
        .expected
        .get("decoded")
        .ok_or("expected.decoded is missing")?;
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

/// `got`: what was verified (for the message), or the error and its stage.
fn check_negative(v: &Vector, got: &Result<String, (Stage, VerifyError)>) -> R<()> {
    let e = &v.expected;
    let code = expect_str(e, "expected_error")?;
    let stage = expect_str(e, "stage")?;
    match got {
        Ok(a) => Err(format!(
            "verified as valid ({a}), expected error {code} at {stage}"
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
fn check_annotated(v: &Vector, inputs: Option<&Inputs>) -> R<()> {
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
    let i = inputs.ok_or("annotated vectors have inputs")?;
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
    // `82 19 hh ll 19 hh ll` (docs/format.md, section 7): the two-byte
    // forms always, revision 0 for none.
    let two = |x: i64| u16::try_from(x).map(u16::to_be_bytes).ok();
    let (f, d) = (
        two(a.plaintext_flags).ok_or("annotated.plaintext_flags out of range")?,
        two(a.plaintext_revision_days.unwrap_or(0))
            .ok_or("annotated.plaintext_revision_days out of range")?,
    );
    let want = [0x82, 0x19, f[0], f[1], 0x19, d[0], d[1]];
    ensure(pt[..] == want[..], || {
        "annotated.plaintext_flags / plaintext_revision_days do not encode to the plaintext".into()
    })
}

/// What one vector was: its kind, positive or not, and the error code.
pub struct Ran {
    /// A second-level vector.
    pub second_level: bool,
    /// A positive vector.
    pub positive: bool,
    /// The expected error code of a negative vector.
    pub code: Option<String>,
}

pub fn run_one(path: &Path) -> R<Ran> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("unreadable: {e}"))?;
    let v: Vector = serde_json::from_str(&text).map_err(|e| format!("not a vector: {e}"))?;
    ensure(!v.description.is_empty(), || "empty description".into())?;
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
    ensure(valid || v.expected.get("stage").is_some(), || {
        "negative vectors need expected.stage".into()
    })?;
    let second_level = match v.kind.as_str() {
        "first_level" => {
            ensure(
                v.operator_secret_hex.is_none() && v.verify_as.is_none(),
                || "operator_secret_hex / verify_as in a first-level vector".into(),
            )?;
            run_first_level(&v, valid, &root, &issuer)?;
            false
        }
        "second_level" => {
            run_second_level(&v, valid, &root, &issuer)?;
            true
        }
        other => return Err(format!("unknown kind {other:?}")),
    };
    let code = if valid {
        None
    } else {
        Some(expect_str(&v.expected, "expected_error")?.to_owned())
    };
    Ok(Ran {
        second_level,
        positive: valid,
        code,
    })
}

fn run_first_level(v: &Vector, valid: bool, root: &SigningKey, issuer: &SigningKey) -> R<()> {
    let inputs: Option<Inputs> = inputs_as(v)?;
    check_reissue(v, inputs.as_ref(), issuer)?;
    let got = verify(v, root);
    if valid {
        // A positive vector without inputs is a crafted code (claims or a
        // signature issuance does not make), checked in every other respect.
        match &got {
            Ok(a) => check_positive(v, a)?,
            Err((s, e)) => {
                return Err(format!(
                    "expected valid, got {} at {} ({e})",
                    e.code(),
                    s.name()
                ));
            }
        }
        check_annotated(v, inputs.as_ref())
    } else {
        let got = got.map(|a| format!("{:?}", a.attestation()));
        check_negative(v, &got)
    }
}

/// The operator key the verifier holds, checked against its public half.
fn operator_key(v: &Vector) -> R<OperatorSecretKey> {
    let secret = bytes32(
        v.operator_secret_hex
            .as_deref()
            .ok_or("second-level vectors need operator_secret_hex")?,
        "operator_secret_hex",
    )?;
    let op = OperatorSecretKey::from_bytes(&secret).map_err(|e| format!("operator key: {e}"))?;
    let public = v
        .operator_public_hex
        .as_deref()
        .ok_or("second-level vectors need operator_public_hex")?;
    ensure(hex::encode(op.public_key().to_bytes()) == public, || {
        "operator_public_hex does not match operator_secret_hex".into()
    })?;
    Ok(op)
}

/// Re-issues a token from its inputs; must give `qr_text` exactly.
fn check_token_reissue(v: &Vector, i: &TokenInputs, issuer: &SigningKey) -> R<()> {
    let cf = CodiceFiscale::parse(&i.cf).map_err(|e| format!("inputs.cf: {e}"))?;
    let cti = Cti::from_hex(&i.cti_hex).ok_or("inputs.cti_hex is not 8 bytes of hex")?;
    let req = SecondLevelRequest {
        details: i.details.clone(),
        audience: i.audience.clone(),
        operator_key: OperatorPublicKey::from_bytes(bytes32(
            &i.operator_public_hex,
            "inputs.operator_public_hex",
        )?),
        first_level_cti: Cti::from_hex(&i.first_level_cti_hex)
            .ok_or("inputs.first_level_cti_hex is not 8 bytes of hex")?,
        status: i.status.clone(),
        issued_at: time(&i.issued_at, "inputs.issued_at")?,
        expires_at: time(&i.expires_at, "inputs.expires_at")?,
        kdf: kdf_params(&i.kdf)?,
    };
    let seed = bytes32(&i.ephemeral_seed_hex, "inputs.ephemeral_seed_hex")?;
    let issued = issue_second_level_deterministic(issuer, &cf, &req, cti, seed)
        .map_err(|e| format!("re-issuing the token from inputs failed: {e}"))?;
    same_code(v, issued.text())
}

/// Steps 1 to 5 for a token: `check_second_level`, then `open_str`.
fn verify_token(
    v: &Vector,
    root: &SigningKey,
    op: &OperatorSecretKey,
) -> Result<VerifiedDetails, (Stage, VerifyError)> {
    let at = time(&v.verify_at, "verify_at").expect("checked by the caller");
    let checked = verifier(v, root)?
        .check_second_level(&v.qr_text, op, at)
        .map_err(|e| (Stage::Check, e))?;
    checked
        .open_str(op, &v.cf_for_verify)
        .map_err(|e| (Stage::Open, e))
}

fn run_second_level(v: &Vector, valid: bool, root: &SigningKey, issuer: &SigningKey) -> R<()> {
    ensure(v.annotated.is_none(), || {
        "annotated in a second-level vector".into()
    })?;
    let op = operator_key(v)?;
    let inputs: Option<TokenInputs> = inputs_as(v)?;
    if let Some(i) = &inputs {
        check_token_reissue(v, i, issuer)?;
    }
    let got = match v.verify_as.as_deref() {
        None | Some("second_level") => verify_token(v, root, &op),
        Some("first_level") => {
            ensure(!valid, || {
                "a second-level vector verified as first level cannot be positive".into()
            })?;
            let got = verify(v, root).map(|a| format!("{:?}", a.attestation()));
            return check_negative(v, &got);
        }
        Some(other) => return Err(format!("unknown verify_as {other:?}")),
    };
    if !valid {
        let got = got.map(|d| format!("{:?}", d.details()));
        return check_negative(v, &got);
    }
    // A positive token without inputs is crafted (claims that issuance
    // does not write, such as nbf and iss, added and re-signed): everything
    // below is still compared, only the re-issue is skipped.
    let got =
        got.map_err(|(s, e)| format!("expected valid, got {} at {} ({e})", e.code(), s.name()))?;
    check_token_positive(v, &got)
}

fn check_token_positive(v: &Vector, got: &VerifiedDetails) -> R<()> {
    let e = &v.expected;
    let want_json = e.get("details").ok_or("expected.details is missing")?;
    let want: SecondLevelDetails = serde_json::from_value(want_json.clone())
        .map_err(|err| format!("expected.details: {err}"))?;
    ensure(got.details() == &want, || {
        format!("details differ: got {:?}, expected {want:?}", got.details())
    })?;
    let got_json = serde_json::to_value(got.details()).map_err(|e| e.to_string())?;
    ensure(&got_json == want_json, || {
        format!("details JSON differs: got {got_json}")
    })?;
    let c = got.checked();
    let strs = [
        ("issuer", c.issuer_id().to_owned()),
        ("kid", c.kid().to_string()),
        ("operator_id", c.operator_id().to_owned()),
        ("revocation", revocation_name(c.revocation()).to_owned()),
        ("cti_hex", c.claims().cti().to_string()),
        ("first_level_cti_hex", c.first_level_cti().to_string()),
    ];
    for (key, got) in strs {
        let want = expect_str(e, key)?;
        ensure(got == want, || format!("{key} {got} instead of {want}"))?;
    }
    let iat = time(expect_str(e, "issued_at")?, "expected.issued_at")?;
    ensure(c.claims().issued_at() == iat, || {
        format!("iat {} instead of {iat}", c.claims().issued_at())
    })?;
    let exp = time(expect_str(e, "expires_at")?, "expected.expires_at")?;
    ensure(c.claims().expires_at() == exp, || {
        format!("exp {} instead of {exp}", c.claims().expires_at())
    })?;
    check_decoded(v)
}

/// Every vector file under `dir`, sorted.
pub fn vector_files(dir: &Path) -> Vec<PathBuf> {
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
    files
}

/// Runs one vector file; a panic in the library is a failure of the
/// vector, named as such.
pub fn run_file(f: &Path) -> R<Ran> {
    std::panic::catch_unwind(|| run_one(f)).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        Err(format!("panicked: {msg}"))
    })
}
