//! Regenerates the published test vectors under `test-vectors/`:
//!
//! ```text
//! cargo run -p attesta-verify --example generate_vectors -- test-vectors
//! ```
//!
//! Everything is deterministic: fixed key seeds, fixed times, fixed ctis
//! (derived from the vector's name), deterministic Ed25519, so running it
//! again rewrites byte-identical files. The layout is described in
//! `test-vectors/README.md`; `crates/attesta-verify/tests/vectors.rs`
//! checks every file against the library.
//!
//! Crafted codes are built with the real building blocks (the library's
//! `EnvelopeKey`, `ClaimSet`, Ed25519 keys, ciborium, base45, flate2; for
//! second-level details that issuance refuses, HPKE written out here and
//! checked against the library's), never by constructing error values: each
//! negative vector is an input, and the expected error is what a correct
//! verifier must answer.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use attesta_core::cbor_guard::CborLimits;
use attesta_core::cf::{CodiceFiscale, personal_check_char, temporary_check_digit};
use attesta_core::claims::{self, ClaimSet, StatusRef};
use attesta_core::credential::{Cti, FirstLevelRequest, issue_first_level_with_cti_and_secret};
use attesta_core::envelope::{EnvelopeKey, EnvelopeLabel, KdfMemory, KdfParams};
use attesta_core::inspect::inspect;
use attesta_core::keys::{Kid, SigningKey};
use attesta_core::model::{
    Attestation, BlindnessClass, HandicapGrade, InvalidityAssessment, SecondLevelDetails,
    VehicleRequirement,
};
use attesta_core::operator_key::{OperatorPublicKey, OperatorSecretKey};
use attesta_core::second_level::{SecondLevelRequest, issue_second_level_deterministic};
use attesta_core::secret::HolderSecret;
use attesta_core::status_list::{CredentialStatus, StatusBits, StatusList, StatusListToken};
use attesta_core::trust_list::{IssuerEntry, OperatorEntry, TrustList};
use ciborium::Value;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------
// Fixed inputs
// ---------------------------------------------------------------------------

/// The holder's CF in most vectors (the classic example code).
const CF: &str = "RSSMRA85T10A562S";
/// Another valid CF (the Italian Wikipedia example).
const OTHER_CF: &str = "MRTMTT25D09F205Z";

/// Credential `iat` of most vectors.
const IAT: &str = "2026-11-01T00:00:00Z";
/// One year later: `exp` of most vectors.
const EXP: &str = "2027-11-01T00:00:00Z";
/// Verification time of most vectors.
const VERIFY_AT: &str = "2026-11-15T00:00:00Z";
/// The default trust list is issued at this time and expires 30 days later.
const TL_IAT: &str = "2026-11-10T00:00:00Z";
const TL_EXP: &str = "2026-12-10T00:00:00Z";
/// Status lists are issued the day before verification.
const SL_IAT: &str = "2026-11-14T00:00:00Z";

/// The main issuer id and a second trusted issuer.
const INPS: &str = "INPS";
const ASL: &str = "ASL-BO";

fn ts(s: &str) -> Timestamp {
    s.parse().expect("fixed timestamp")
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A key known by its seed, so it can be written into the vector.
#[derive(Clone, Copy)]
struct Key {
    role: &'static str,
    seed: [u8; 32],
}

impl Key {
    fn sk(&self) -> SigningKey {
        SigningKey::from_seed(&self.seed)
    }
    fn kid(&self) -> Kid {
        self.sk().kid()
    }
    fn pem(&self) -> String {
        self.sk().public_key().to_pem()
    }
}

struct World {
    root: Key,
    other_root: Key,
    inps: Key,
    /// INPS's second key, after a key rotation (issuer guide §2.5).
    inps2: Key,
    asl: Key,
    stranger: Key,
    compromised: Key,
    col_a: Key,
    col_b: Key,
    /// Accredited operator `comune-bo`: most tokens are addressed to it.
    op_a: OpKey,
    /// Accredited operator `tper-bo`.
    op_b: OpKey,
    /// An X25519 key accredited nowhere.
    op_stranger: OpKey,
}

impl World {
    fn new() -> Self {
        // Two seeds whose public keys share a 4-byte kid, found by a birthday
        // search over sha256("attesta test vectors kid collision N").
        let col = |n: u32| sha256(format!("attesta test vectors kid collision {n}").as_bytes());
        let w = World {
            root: Key {
                role: "root",
                seed: [0x11; 32],
            },
            other_root: Key {
                role: "other root (not pinned by the verifier)",
                seed: [0x12; 32],
            },
            inps: Key {
                role: "issuer INPS",
                seed: [0x22; 32],
            },
            inps2: Key {
                role: "issuer INPS, second key (after a rotation)",
                seed: [0x23; 32],
            },
            asl: Key {
                role: "issuer ASL-BO",
                seed: [0x33; 32],
            },
            stranger: Key {
                role: "untrusted key (in no trust list)",
                seed: [0x44; 32],
            },
            compromised: Key {
                role: "compromised key (denied)",
                seed: [0x66; 32],
            },
            col_a: Key {
                role: "issuer INPS, key A (its kid collides with key B)",
                seed: col(82065),
            },
            col_b: Key {
                role: "issuer INPS, key B (its kid collides with key A)",
                seed: col(150427),
            },
            op_a: OpKey { secret: [0x77; 32] },
            op_b: OpKey { secret: [0x78; 32] },
            op_stranger: OpKey { secret: [0x79; 32] },
        };
        assert_eq!(w.col_a.kid(), w.col_b.kid(), "the kid collision seeds");
        assert_ne!(w.col_a.pem(), w.col_b.pem());
        w
    }
}

// ---------------------------------------------------------------------------
// Trust lists and status lists
// ---------------------------------------------------------------------------

fn issuer_entry(id: &str, k: &Key, from: Option<&str>, until: Option<&str>) -> IssuerEntry {
    IssuerEntry {
        id: id.to_owned(),
        key: k.sk().public_key(),
        valid_from: from.map(ts),
        valid_until: until.map(ts),
    }
}

/// Sequence 1: INPS and ASL-BO, no windows, nothing denied.
fn base_list(w: &World) -> TrustList {
    TrustList {
        seq: 1,
        issuers: vec![
            issuer_entry(INPS, &w.inps, None, None),
            issuer_entry(ASL, &w.asl, None, None),
        ],
        ..TrustList::default()
    }
}

fn sign_list(list: &TrustList, root: &Key, iat: &str, exp: &str) -> Vec<u8> {
    list.sign(&root.sk(), ts(iat), ts(exp))
}

fn default_trust(w: &World) -> Vec<u8> {
    sign_list(&base_list(w), &w.root, TL_IAT, TL_EXP)
}

struct SlSpec<'a> {
    signer: &'a Key,
    uri: &'a str,
    iat: &'a str,
    exp: Option<&'a str>,
    bits: StatusBits,
    capacity: u64,
    entries: &'a [(u64, CredentialStatus)],
}

impl SlSpec<'_> {
    fn sign(&self) -> Vec<u8> {
        let mut list = StatusList::new(self.capacity, self.bits).expect("capacity");
        for (i, s) in self.entries {
            list.set(*i, *s).expect("entry");
        }
        let mut t = StatusListToken::new(self.uri, ts(self.iat), list);
        t.expires_at = self.exp.map(ts);
        t.ttl = std::num::NonZeroU64::new(86_400);
        t.sign(&self.signer.sk())
    }
}

/// INPS's list "1": 1024 one-bit entries, a few revoked (never 17 or 42).
fn inps_list_1(w: &World) -> SlSpec<'_> {
    SlSpec {
        signer: &w.inps,
        uri: "1",
        iat: SL_IAT,
        exp: None,
        bits: StatusBits::One,
        capacity: 1024,
        entries: &[
            (3, CredentialStatus::Revoked),
            (77, CredentialStatus::Revoked),
            (500, CredentialStatus::Revoked),
        ],
    }
}

// ---------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------

#[derive(Clone)]
struct Cred {
    cf: String,
    att: Attestation,
    iat: Timestamp,
    nbf: Option<Timestamp>,
    exp: Timestamp,
    status: Option<StatusRef>,
    iss: Option<String>,
    cti: Cti,
    kdf: KdfParams,
    /// The holder's secret, when the code has one.
    secret: Option<[u8; 5]>,
}

fn cti_for(name: &str) -> Cti {
    let h = sha256(format!("attesta test vector cti {name}").as_bytes());
    Cti::from_slice(&h[..8]).expect("8 bytes")
}

fn cred(name: &str, att: Attestation) -> Cred {
    Cred {
        cf: CF.to_owned(),
        att,
        iat: ts(IAT),
        nbf: None,
        exp: ts(EXP),
        status: None,
        iss: None,
        cti: cti_for(name),
        kdf: KdfParams::INSECURE_TEST,
        secret: None,
    }
}

/// A holder's secret derived from the vector's name.
fn secret_for(name: &str) -> [u8; 5] {
    let h = sha256(format!("attesta test vector secret {name}").as_bytes());
    h[..5].try_into().expect("5 bytes")
}

fn secret_text(b: [u8; 5]) -> String {
    HolderSecret::from_bytes(b).to_text().as_str().to_owned()
}

fn status(idx: u64, uri: &str) -> Option<StatusRef> {
    Some(StatusRef {
        idx,
        uri: uri.to_owned(),
    })
}

impl Cred {
    fn request(&self) -> FirstLevelRequest {
        FirstLevelRequest {
            attestation: self.att.clone(),
            issued_at: self.iat,
            not_before: self.nbf,
            expires_at: self.exp,
            status: self.status.clone(),
            issuer: self.iss.clone(),
            kdf: self.kdf,
        }
    }

    fn holder(&self) -> CodiceFiscale {
        CodiceFiscale::parse(&self.cf).expect("valid CF")
    }

    /// Issued by the library.
    fn issue(&self, key: &Key) -> String {
        let secret = self.secret.map(HolderSecret::from_bytes);
        issue_first_level_with_cti_and_secret(
            &key.sk(),
            &self.holder(),
            secret.as_ref(),
            &self.request(),
            self.cti,
        )
        .expect("issue")
        .text()
        .to_owned()
    }

    fn ekey(&self, label: EnvelopeLabel, cti: &[u8]) -> EnvelopeKey {
        let secret = self.secret.map(HolderSecret::from_bytes);
        EnvelopeKey::derive_with_secret(
            &self.holder(),
            secret.as_ref(),
            cti,
            &self.kdf,
            label,
            &mut KdfMemory::default(),
        )
        .expect("kdf")
    }

    /// The envelope claim value around a given plaintext, sealed as the issuer would.
    fn envelope_with(&self, plaintext: &[u8]) -> Value {
        let ct = self
            .ekey(EnvelopeLabel::FirstLevel, self.cti.as_bytes())
            .seal(self.cti.as_bytes(), plaintext);
        envelope_value(&self.kdf, ct)
    }

    /// The claims exactly as issuance writes them, with `envelope`.
    fn claims_with(&self, envelope: Value) -> ClaimSet {
        let mut c = ClaimSet::new();
        if let Some(iss) = &self.iss {
            c.set(claims::ISS, Value::Text(iss.clone()));
        }
        c.set_time(claims::IAT, self.iat);
        if let Some(nbf) = self.nbf {
            c.set_time(claims::NBF, nbf);
        }
        c.set_time(claims::EXP, self.exp);
        c.set(claims::CTI, Value::Bytes(self.cti.as_bytes().to_vec()));
        if let Some(s) = &self.status {
            c.set_status(s);
        }
        c.set(claims::ATTESTA_ENVELOPE, envelope);
        c
    }

    fn claims(&self) -> ClaimSet {
        self.claims_with(self.envelope_with(&plaintext_of(&self.att)))
    }
}

fn envelope_value(kdf: &KdfParams, ct: Vec<u8>) -> Value {
    Value::Array(vec![
        int(kdf.memory_mib().into()),
        int(kdf.iterations().into()),
        int(kdf.parallelism().into()),
        Value::Bytes(ct),
    ])
}

/// The first-level plaintext `[flags, revision_days]` (docs/format.md, section 7).
fn plaintext_of(a: &Attestation) -> Vec<u8> {
    raw_plaintext(flags_of(a), a.revision())
}

/// The flags word of docs/format.md, "First-level plaintext".
fn flags_of(a: &Attestation) -> i64 {
    let inv = match a.invalidity() {
        None => 0,
        Some(InvalidityAssessment::From33) => 1,
        Some(InvalidityAssessment::From46) => 2,
        Some(InvalidityAssessment::From51) => 3,
        Some(InvalidityAssessment::From67) => 4,
        Some(InvalidityAssessment::From74) => 5,
        Some(InvalidityAssessment::Total) => 6,
        Some(InvalidityAssessment::MinorPersistentDifficulties) => 7,
        Some(InvalidityAssessment::Over65PersistentDifficulties) => 8,
        Some(InvalidityAssessment::StatusOnly) => 15,
        Some(other) => panic!("unknown assessment {other:?}"),
    };
    let mut f: i64 = inv;
    if a.blindness() {
        f |= 1 << 4;
    }
    if a.deafness() {
        f |= 1 << 5;
    }
    if a.disability_l68() {
        f |= 1 << 6;
    }
    f |= match a.handicap() {
        None => 0,
        Some(HandicapGrade::Comma1) => 1 << 7,
        Some(HandicapGrade::Comma3Grave) => 2 << 7,
    };
    if a.accompaniment() {
        f |= 1 << 9;
    }
    if a.reduced_walking() {
        f |= 1 << 10;
    }
    f |= match a.blindness_class() {
        None => 0,
        Some(BlindnessClass::Assoluta) => 1 << 12,
        Some(BlindnessClass::Ventesimista) => 2 << 12,
        Some(BlindnessClass::Decimista) => 3 << 12,
    };
    f |= match a.vehicle() {
        None => 0,
        Some(VehicleRequirement::AdaptedVehicle) => 1 << 14,
        Some(VehicleRequirement::WithoutAdaptation) => 2 << 14,
    };
    f
}

fn days_since_epoch(d: Date) -> i64 {
    d.since(Date::constant(1970, 1, 1))
        .expect("date")
        .get_days()
        .into()
}

/// `82 19 hh ll 19 hh ll`: both integers always in their two-byte form,
/// revision 0 for none, so that every plaintext is 7 bytes.
fn raw_plaintext(flags: i64, revision: Option<Date>) -> Vec<u8> {
    let two = |x: i64| u16::try_from(x).expect("fits two bytes").to_be_bytes();
    let [f0, f1] = two(flags);
    let [d0, d1] = two(revision.map_or(0, days_since_epoch));
    vec![0x82, 0x19, f0, f1, 0x19, d0, d1]
}

// ---------------------------------------------------------------------------
// Raw CBOR / COSE building
// ---------------------------------------------------------------------------

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).expect("cbor");
    out
}

/// `{1: alg, 4: kid}` as the library writes it, or any variation.
fn protected(alg: Option<Value>, kid: Option<Vec<u8>>, extra: Vec<(Value, Value)>) -> Vec<u8> {
    let mut m = Vec::new();
    if let Some(a) = alg {
        m.push((int(1), a));
    }
    if let Some(k) = kid {
        m.push((int(4), Value::Bytes(k)));
    }
    m.extend(extra);
    if m.is_empty() {
        return Vec::new();
    }
    cbor(&Value::Map(m))
}

fn eddsa() -> Option<Value> {
    Some(int(-8))
}

fn std_protected(k: &Key) -> Vec<u8> {
    protected(eddsa(), Some(k.kid().as_bytes().to_vec()), vec![])
}

/// The Sig_structure of RFC 9052 §4.4 for COSE_Sign1 without external AAD.
fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    cbor(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.to_vec()),
        Value::Bytes(vec![]),
        Value::Bytes(payload.to_vec()),
    ]))
}

/// The four COSE_Sign1 items, signed by `signer` over `protected` and `payload`.
fn sign1_items(
    signer: &Key,
    protected: Vec<u8>,
    unprotected: Vec<(Value, Value)>,
    payload: Vec<u8>,
) -> Vec<Value> {
    let sig = signer.sk().sign(&sig_structure(&protected, &payload));
    vec![
        Value::Bytes(protected),
        Value::Map(unprotected),
        Value::Bytes(payload),
        Value::Bytes(sig.to_vec()),
    ]
}

fn tagged(items: Vec<Value>) -> Vec<u8> {
    cbor(&Value::Tag(18, Box::new(Value::Array(items))))
}

/// A standard COSE_Sign1 of `payload` by `signer`.
fn std_cose(signer: &Key, payload: Vec<u8>) -> Vec<u8> {
    tagged(sign1_items(signer, std_protected(signer), vec![], payload))
}

/// `AT1:` + base45 of the raw bytes (never compressed).
fn at1(cose: &[u8]) -> String {
    format!("AT1:{}", base45::encode(cose))
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(data).expect("zlib");
    z.finish().expect("zlib")
}

fn body(text: &str) -> &str {
    text.split_once(':').expect("prefix").1
}

// ---------------------------------------------------------------------------
// Vectors
// ---------------------------------------------------------------------------

enum Outcome {
    Valid {
        attestation: Attestation,
        issuer_id: &'static str,
        revocation: &'static str,
    },
    /// A second-level token that opens.
    ValidToken {
        details: SecondLevelDetails,
        issuer_id: &'static str,
        operator_id: &'static str,
        revocation: &'static str,
    },
    Invalid {
        code: &'static str,
        stage: &'static str,
        cf_error: Option<&'static str>,
    },
}

struct V {
    name: &'static str,
    description: String,
    /// The key that signed the credential (re-issues positive vectors).
    issuer: Key,
    other_keys: Vec<Key>,
    trust_lists: Vec<Vec<u8>>,
    status_lists: Vec<Vec<u8>>,
    require_revocation: bool,
    /// `policy.kdf_floor` (m MiB, t): absent, vectors run without a floor.
    kdf_floor: Option<(u32, u32)>,
    inputs: Option<Cred>,
    qr_text: String,
    verify_at: Timestamp,
    cf_for_verify: String,
    /// The holder's secret the operator types, if any.
    secret_for_verify: Option<String>,
    outcome: Outcome,
    annotated: Option<Annotated>,
    /// Second-level vectors only (`kind: "second_level"`).
    l2: Option<L2>,
    /// A crafted first-level code that must be accepted: the credential it
    /// was made from, whose attestation, cti and dates it keeps. Not
    /// written as `inputs`: re-issuing would not give the crafted code.
    crafted_from: Option<Cred>,
    /// `qr_text_variant`: how `qr_text` differs from the reference
    /// encoder's text of the same COSE bytes (runners compare the COSE).
    text_variant: Option<&'static str>,
    /// Keys no seed makes (small order, non-canonical, mixed order): in
    /// `other_keys` with their raw bytes only.
    raw_keys: Vec<RawKey>,
    /// The kid of the key that signed, when it is not `issuer`'s (a raw key).
    signer_kid: Option<Kid>,
}

/// A public key given by its 32 bytes, with no private key.
#[derive(Clone, Copy)]
struct RawKey {
    role: &'static str,
    bytes: [u8; 32],
}

impl V {
    fn positive(w: &World, name: &'static str, description: &str, c: Cred) -> V {
        let revocation = if c.status.is_some() {
            "not_checked"
        } else {
            "not_revocable"
        };
        V {
            name,
            description: description.to_owned(),
            issuer: w.inps,
            other_keys: vec![],
            trust_lists: vec![default_trust(w)],
            status_lists: vec![],
            require_revocation: false,
            kdf_floor: None,
            qr_text: c.issue(&w.inps),
            verify_at: ts(VERIFY_AT),
            cf_for_verify: c.cf.clone(),
            secret_for_verify: c.secret.map(secret_text),
            outcome: Outcome::Valid {
                attestation: c.att.clone(),
                issuer_id: INPS,
                revocation,
            },
            inputs: Some(c),
            annotated: None,
            l2: None,
            crafted_from: None,
            text_variant: None,
            raw_keys: vec![],
            signer_kid: None,
        }
    }

    /// A negative vector around a crafted text.
    fn negative(
        w: &World,
        name: &'static str,
        description: &str,
        qr_text: String,
        code: &'static str,
        stage: &'static str,
    ) -> V {
        V {
            name,
            description: description.to_owned(),
            issuer: w.inps,
            other_keys: vec![],
            trust_lists: vec![default_trust(w)],
            status_lists: vec![],
            require_revocation: false,
            kdf_floor: None,
            inputs: None,
            qr_text,
            verify_at: ts(VERIFY_AT),
            cf_for_verify: CF.to_owned(),
            secret_for_verify: None,
            outcome: Outcome::Invalid {
                code,
                stage,
                cf_error: None,
            },
            annotated: None,
            l2: None,
            crafted_from: None,
            text_variant: None,
            raw_keys: vec![],
            signer_kid: None,
        }
    }

    /// A negative vector around a code issued normally from `c`.
    fn negative_issued(
        w: &World,
        name: &'static str,
        description: &str,
        c: Cred,
        code: &'static str,
        stage: &'static str,
    ) -> V {
        let mut v = V::negative(w, name, description, c.issue(&w.inps), code, stage);
        v.cf_for_verify = c.cf.clone();
        v.secret_for_verify = c.secret.map(secret_text);
        v.inputs = Some(c);
        v
    }

    fn is_positive(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Valid { .. } | Outcome::ValidToken { .. }
        )
    }

    fn set_revocation(&mut self, r: &'static str) {
        if let Outcome::Valid { revocation, .. } | Outcome::ValidToken { revocation, .. } =
            &mut self.outcome
        {
            *revocation = r;
        }
    }

    fn set_issuer_id(&mut self, id: &'static str) {
        if let Outcome::Valid { issuer_id, .. } = &mut self.outcome {
            *issuer_id = id;
        }
    }

    fn set_cf_error(&mut self, e: &'static str) {
        if let Outcome::Invalid { cf_error, .. } = &mut self.outcome {
            *cf_error = Some(e);
        }
    }
}

// --- JSON output -----------------------------------------------------------

#[derive(Serialize)]
struct KeysOut {
    root_seed_hex: String,
    issuer_seed_hex: String,
    root_public_pem: String,
    issuer_public_pem: String,
    issuer_kid: String,
}

#[derive(Serialize)]
struct OtherKeyOut {
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_pem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
}

#[derive(Serialize)]
struct PolicyOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kdf_floor: Option<FloorOut>,
}

#[derive(Serialize)]
struct FloorOut {
    m_mib: u32,
    t: u32,
}

#[derive(Serialize)]
struct KdfOut {
    m_mib: u32,
    t: u32,
    p: u32,
}

#[derive(Serialize)]
#[serde(untagged)]
enum InputsOut {
    First(FirstInputsOut),
    Second(TokenInputsOut),
}

#[derive(Serialize)]
struct FirstInputsOut {
    cf: String,
    attestation: Attestation,
    issued_at: String,
    not_before: Option<String>,
    expires_at: String,
    status: Option<StatusRef>,
    iss: Option<String>,
    cti_hex: String,
    kdf: KdfOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    holder_secret: Option<String>,
}

#[derive(Serialize)]
struct DecodedOut {
    prefix: String,
    family: &'static str,
    compressed: bool,
    cose_len: usize,
    tags: Vec<u64>,
    protected: Json,
    claims_keys: Vec<String>,
}

#[derive(Serialize)]
struct ValidOut {
    valid: bool,
    attestation: Attestation,
    issuer: &'static str,
    kid: String,
    revocation: &'static str,
    cti_hex: String,
    issued_at: String,
    expires_at: String,
    decoded: DecodedOut,
}

#[derive(Serialize)]
struct InvalidOut {
    valid: bool,
    expected_error: &'static str,
    stage: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cf_error: Option<&'static str>,
}

#[derive(Serialize)]
struct TokenInputsOut {
    cf: String,
    details: SecondLevelDetails,
    audience: String,
    /// The X25519 key the details are sealed to.
    operator_public_hex: String,
    first_level_cti_hex: String,
    status: Option<StatusRef>,
    issued_at: String,
    expires_at: String,
    cti_hex: String,
    ephemeral_seed_hex: String,
    kdf: KdfOut,
}

#[derive(Serialize)]
struct ValidTokenOut {
    valid: bool,
    details: SecondLevelDetails,
    issuer: &'static str,
    kid: String,
    operator_id: &'static str,
    revocation: &'static str,
    cti_hex: String,
    first_level_cti_hex: String,
    issued_at: String,
    expires_at: String,
    decoded: DecodedOut,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ExpectedOut {
    Valid(Box<ValidOut>),
    ValidToken(Box<ValidTokenOut>),
    Invalid(InvalidOut),
}

#[derive(Serialize, Clone)]
struct Annotated {
    note: &'static str,
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

#[derive(Serialize)]
struct VectorOut {
    description: String,
    kind: &'static str,
    keys: KeysOut,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    other_keys: Vec<OtherKeyOut>,
    trust_lists_hex: Vec<String>,
    status_lists_hex: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<PolicyOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operator_secret_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operator_public_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verify_as: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inputs: Option<InputsOut>,
    qr_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    qr_text_variant: Option<&'static str>,
    verify_at: String,
    cf_for_verify: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_for_verify: Option<String>,
    expected: ExpectedOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotated: Option<Annotated>,
}

fn decoded(text: &str) -> DecodedOut {
    let i = inspect(text).expect("a positive vector decodes");
    let mut claims_keys: Vec<String> = i
        .claims
        .as_object()
        .expect("claims map")
        .keys()
        .cloned()
        .collect();
    claims_keys.sort();
    DecodedOut {
        prefix: i.prefix,
        family: i.family,
        compressed: i.compressed,
        cose_len: i.cose_len,
        tags: i.tags,
        protected: i.protected,
        claims_keys,
    }
}

fn render(v: &V) -> VectorOut {
    let expected = match &v.outcome {
        Outcome::Valid {
            attestation,
            issuer_id,
            revocation,
        } => {
            let c = v
                .inputs
                .as_ref()
                .or(v.crafted_from.as_ref())
                .expect("positive vectors have inputs or are crafted from a credential");
            ExpectedOut::Valid(Box::new(ValidOut {
                valid: true,
                attestation: attestation.clone(),
                issuer: issuer_id,
                kid: v.signer_kid.unwrap_or_else(|| v.issuer.kid()).to_string(),
                revocation,
                cti_hex: c.cti.to_string(),
                issued_at: c.iat.to_string(),
                expires_at: c.exp.to_string(),
                decoded: decoded(&v.qr_text),
            }))
        }
        Outcome::ValidToken {
            details,
            issuer_id,
            operator_id,
            revocation,
        } => {
            let t =
                v.l2.as_ref()
                    .and_then(|l| l.inputs.as_ref().or(l.crafted_from.as_ref()))
                    .expect("positive tokens have inputs or are crafted from a token");
            ExpectedOut::ValidToken(Box::new(ValidTokenOut {
                valid: true,
                details: details.clone(),
                issuer: issuer_id,
                kid: v.issuer.kid().to_string(),
                operator_id,
                revocation,
                cti_hex: t.cti.to_string(),
                first_level_cti_hex: t.first_level_cti.to_string(),
                issued_at: t.iat.to_string(),
                expires_at: t.exp.to_string(),
                decoded: decoded(&v.qr_text),
            }))
        }
        Outcome::Invalid {
            code,
            stage,
            cf_error,
        } => ExpectedOut::Invalid(InvalidOut {
            valid: false,
            expected_error: code,
            stage,
            cf_error: *cf_error,
        }),
    };
    let l2 = v.l2.as_ref();
    let first_inputs = v.inputs.as_ref().map(|c| {
        InputsOut::First(FirstInputsOut {
            cf: c.cf.clone(),
            attestation: c.att.clone(),
            issued_at: c.iat.to_string(),
            not_before: c.nbf.map(|t| t.to_string()),
            expires_at: c.exp.to_string(),
            status: c.status.clone(),
            iss: c.iss.clone(),
            cti_hex: c.cti.to_string(),
            kdf: kdf_out(&c.kdf),
            holder_secret: c.secret.map(secret_text),
        })
    });
    let token_inputs = l2.and_then(|l| l.inputs.as_ref()).map(|t| {
        InputsOut::Second(TokenInputsOut {
            cf: t.cf.clone(),
            details: t.details.clone(),
            audience: t.audience.clone(),
            operator_public_hex: t.sealed_to.public_hex(),
            first_level_cti_hex: t.first_level_cti.to_string(),
            status: t.status.clone(),
            issued_at: t.iat.to_string(),
            expires_at: t.exp.to_string(),
            cti_hex: t.cti.to_string(),
            ephemeral_seed_hex: hex::encode(t.ephemeral_seed),
            kdf: kdf_out(&t.kdf),
        })
    });
    assert!(
        l2.is_none() || v.inputs.is_none(),
        "{}: tokens have token inputs",
        v.name
    );
    VectorOut {
        description: v.description.clone(),
        kind: if l2.is_some() {
            "second_level"
        } else {
            "first_level"
        },
        keys: KeysOut {
            root_seed_hex: hex::encode(WORLD_ROOT.seed),
            issuer_seed_hex: hex::encode(v.issuer.seed),
            root_public_pem: WORLD_ROOT.pem(),
            issuer_public_pem: v.issuer.pem(),
            issuer_kid: v.issuer.kid().to_string(),
        },
        other_keys: v
            .other_keys
            .iter()
            .map(|k| OtherKeyOut {
                role: k.role,
                seed_hex: Some(hex::encode(k.seed)),
                public_pem: Some(k.pem()),
                public_hex: None,
                kid: Some(k.kid().to_string()),
            })
            .chain(v.raw_keys.iter().map(|k| OtherKeyOut {
                role: k.role,
                seed_hex: None,
                public_pem: None,
                public_hex: Some(hex::encode(k.bytes)),
                kid: None,
            }))
            .collect(),
        trust_lists_hex: v.trust_lists.iter().map(hex::encode).collect(),
        status_lists_hex: v.status_lists.iter().map(hex::encode).collect(),
        policy: (v.require_revocation || v.kdf_floor.is_some()).then(|| PolicyOut {
            revocation: v.require_revocation.then_some("require"),
            kdf_floor: v.kdf_floor.map(|(m_mib, t)| FloorOut { m_mib, t }),
        }),
        operator_secret_hex: l2.map(|l| hex::encode(l.operator.secret)),
        operator_public_hex: l2.map(|l| l.operator.public_hex()),
        verify_as: l2.and_then(|l| l.as_first_level.then_some("first_level")),
        inputs: first_inputs.or(token_inputs),
        qr_text: v.qr_text.clone(),
        qr_text_variant: v.text_variant,
        verify_at: v.verify_at.to_string(),
        cf_for_verify: v.cf_for_verify.clone(),
        secret_for_verify: v.secret_for_verify.clone(),
        expected,
        annotated: v.annotated.clone(),
    }
}

fn kdf_out(k: &KdfParams) -> KdfOut {
    KdfOut {
        m_mib: k.memory_mib(),
        t: k.iterations(),
        p: k.parallelism(),
    }
}

/// The verifier's pinned root in every vector.
const WORLD_ROOT: Key = Key {
    role: "root",
    seed: [0x11; 32],
};

// ---------------------------------------------------------------------------
// The worked example (docs/format.md)
// ---------------------------------------------------------------------------

fn annotate(c: &Cred, text: &str) -> Annotated {
    let cose = base45::decode(body(text)).expect("base45");
    let v: Value = ciborium::from_reader(cose.as_slice()).expect("cbor");
    let Value::Tag(18, inner) = v else {
        panic!("not tagged")
    };
    let Value::Array(items) = *inner else {
        panic!("not an array")
    };
    let [
        Value::Bytes(prot),
        Value::Map(_),
        Value::Bytes(payload),
        Value::Bytes(sig),
    ] = items.as_slice()
    else {
        panic!("not a COSE_Sign1")
    };
    let claims =
        ClaimSet::parse(payload, attesta_core::cbor_guard::CborLimits::STRICT).expect("claims");
    let Some(Value::Array(env)) = claims.get(claims::ATTESTA_ENVELOPE) else {
        panic!("envelope")
    };
    let Some(Value::Bytes(ct)) = env.get(3) else {
        panic!("ciphertext")
    };
    // The KDF of docs/format.md, step by step, with the crates directly.
    let label = b"attesta/v1/level-1";
    let mut salt = label.to_vec();
    salt.extend_from_slice(c.cti.as_bytes());
    let params = argon2::Params::new(
        c.kdf.memory_mib() * 1024,
        c.kdf.iterations(),
        c.kdf.parallelism(),
        Some(32),
    )
    .expect("params");
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut ikm = [0u8; 32];
    argon
        .hash_password_into(c.cf.as_bytes(), &salt, &mut ikm)
        .expect("argon2");
    let mut key = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(None, &ikm)
        .expand(label, &mut key)
        .expect("hkdf");
    let plaintext = plaintext_of(&c.att);
    // The library's envelope opens to the same plaintext.
    let opened = c
        .ekey(EnvelopeLabel::FirstLevel, c.cti.as_bytes())
        .open(c.cti.as_bytes(), ct)
        .expect("opens");
    assert_eq!(&opened[..], &plaintext[..]);
    Annotated {
        note: "Intermediate values of this vector's code, for docs/format.md. \
               argon2_output = Argon2id(password, salt, m, t, p, 32); \
               envelope_key = HKDF-SHA256(salt none, ikm argon2_output, info 'attesta/v1/level-1', 32); \
               ciphertext = ChaCha20-Poly1305(envelope_key, nonce, aad, plaintext) (tag included); \
               signature = Ed25519(issuer, sig_structure).",
        protected_header_hex: hex::encode(prot),
        claims_hex: hex::encode(payload),
        envelope_plaintext_hex: hex::encode(&plaintext),
        plaintext_flags: flags_of(&c.att),
        plaintext_revision_days: c.att.revision().map(days_since_epoch),
        argon2_password: c.cf.clone(),
        argon2_salt_hex: hex::encode(&salt),
        argon2_output_hex: hex::encode(ikm),
        envelope_key_hex: hex::encode(key),
        aead_nonce_hex: hex::encode([0u8; 12]),
        aead_aad_hex: hex::encode(c.cti.as_bytes()),
        ciphertext_hex: hex::encode(ct),
        sig_structure_hex: hex::encode(sig_structure(prot, payload)),
        signature_hex: hex::encode(sig),
        cose_hex: hex::encode(&cose),
        cose_len: cose.len(),
        char_count: text.len(),
    }
}

// ---------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------

fn att() -> attesta_core::model::AttestationBuilder {
    Attestation::builder()
}

fn deaf() -> Attestation {
    att().deafness(true).build().expect("valid")
}

fn typical() -> Attestation {
    att()
        .invalidity_percent("75".parse().expect("percent"))
        .expect("band")
        .handicap(HandicapGrade::Comma3Grave)
        .reduced_walking(true)
        .revision(Date::constant(2028, 6, 30))
        .build()
        .expect("valid")
}

fn positives(w: &World) -> Vec<V> {
    let mut out = Vec::new();

    // The worked example of docs/format.md, with the real KDF parameters.
    {
        let mut c = cred("worked-example", typical());
        c.kdf = KdfParams::DEFAULT;
        c.status = status(4_123_456, "1");
        let mut v = V::positive(
            w,
            "worked-example-default-kdf",
            "The worked example of docs/format.md: a typical credential (civil invalidity \
             >= 74 % from a 75 % verbale, handicap grave, reduced walking, revision date \
             2028-06-30, one-year validity, status index 4123456 in list \"1\") sealed with \
             the default KDF parameters (19 MiB, 2 passes, 1 lane). No status list is loaded, \
             so revocation is not checked. `annotated` gives every intermediate value.",
            c.clone(),
        );
        v.annotated = Some(annotate(&c, &v.qr_text));
        out.push(v);
    }
    out.push(V::positive(
        w,
        "deafness-only",
        "Minimal credential: civil deafness only, no status-list reference (not revocable).",
        cred("deafness-only", deaf()),
    ));
    let bands = [
        (
            "invalidity-33",
            InvalidityAssessment::From33,
            "Civil invalidity band >= 33.34 %.",
        ),
        (
            "invalidity-46",
            InvalidityAssessment::From46,
            "Civil invalidity band >= 46 %.",
        ),
        (
            "invalidity-51-handicap-c1",
            InvalidityAssessment::From51,
            "Civil invalidity band >= 51 % with handicap art. 3 c. 1 (not grave).",
        ),
        (
            "invalidity-67",
            InvalidityAssessment::From67,
            "Civil invalidity band >= 67 %.",
        ),
        (
            "invalidity-74",
            InvalidityAssessment::From74,
            "Civil invalidity band >= 74 %.",
        ),
        (
            "invalidity-total-accompaniment",
            InvalidityAssessment::Total,
            "Total civil invalidity (100 %) with indennità di accompagnamento and handicap grave.",
        ),
        (
            "minor-persistent-difficulties",
            InvalidityAssessment::MinorPersistentDifficulties,
            "A minor with persistent difficulties (the wording that replaces a percentage), \
             with indennità di accompagnamento.",
        ),
        (
            "over65-persistent-difficulties",
            InvalidityAssessment::Over65PersistentDifficulties,
            "A person over 65 with persistent difficulties, with reduced walking capacity.",
        ),
    ];
    for (name, band, desc) in bands {
        let mut b = att().invalidity(band);
        match band {
            InvalidityAssessment::From51 => b = b.handicap(HandicapGrade::Comma1),
            InvalidityAssessment::Total => {
                b = b.accompaniment(true).handicap(HandicapGrade::Comma3Grave)
            }
            InvalidityAssessment::MinorPersistentDifficulties => b = b.accompaniment(true),
            InvalidityAssessment::Over65PersistentDifficulties => b = b.reduced_walking(true),
            _ => {}
        }
        out.push(V::positive(
            w,
            name,
            desc,
            cred(name, b.build().expect("valid")),
        ));
    }
    out.push(V::positive(
        w,
        "blindness-accompaniment",
        "Civil blindness with indennità di accompagnamento (no invalidity percentage).",
        cred(
            "blindness-accompaniment",
            att()
                .blindness(true)
                .accompaniment(true)
                .build()
                .expect("valid"),
        ),
    ));
    out.push(V::positive(
        w,
        "l68-with-46",
        "L. 68/99 disability with civil invalidity >= 46 %.",
        cred(
            "l68-with-46",
            att()
                .invalidity(InvalidityAssessment::From46)
                .disability_l68(true)
                .build()
                .expect("valid"),
        ),
    ));
    out.push(V::positive(
        w,
        "handicap-c1-revision-date",
        "Handicap art. 3 c. 1 only, with a revision date (2027-03-31): the revision date is \
         not an expiry and does not affect validity.",
        cred(
            "handicap-c1-revision-date",
            att()
                .handicap(HandicapGrade::Comma1)
                .revision(Date::constant(2027, 3, 31))
                .build()
                .expect("valid"),
        ),
    ));
    out.push(V::positive(
        w,
        "every-flag",
        "Every flag at once: total invalidity, blindness, deafness, L. 68/99, handicap grave, \
         accompaniment, reduced walking, revision date 2030-01-01.",
        cred(
            "every-flag",
            att()
                .invalidity(InvalidityAssessment::Total)
                .blindness(true)
                .deafness(true)
                .disability_l68(true)
                .handicap(HandicapGrade::Comma3Grave)
                .accompaniment(true)
                .reduced_walking(true)
                .revision(Date::constant(2030, 1, 1))
                .build()
                .expect("valid"),
        ),
    ));
    {
        let mut c = cred("status-not-checked", deaf());
        c.status = status(17, "1");
        out.push(V::positive(
            w,
            "status-not-checked",
            "A status-list reference (idx 17, uri \"1\") but no status list loaded: valid under \
             the default policy, revocation reported as not_checked.",
            c,
        ));
    }
    {
        let mut c = cred("revocation-checked", deaf());
        c.status = status(17, "1");
        let mut v = V::positive(
            w,
            "revocation-checked",
            "INPS's 1-bit status list \"1\" (1024 entries, entries 3, 77 and 500 revoked) is \
             loaded; the code's entry 17 is valid: revocation checked.",
            c,
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut c = cred("two-bit-list-valid", deaf());
        c.status = status(42, "9");
        let mut v = V::positive(
            w,
            "two-bit-list-valid",
            "A 2-bit status list \"9\" where entry 41 is suspended and 43 revoked; the code's \
             entry 42 is valid.",
            c,
        );
        v.status_lists = vec![
            SlSpec {
                signer: &w.inps,
                uri: "9",
                iat: SL_IAT,
                exp: Some("2026-11-21T00:00:00Z"),
                bits: StatusBits::Two,
                capacity: 64,
                entries: &[
                    (41, CredentialStatus::Suspended),
                    (43, CredentialStatus::Revoked),
                ],
            }
            .sign(),
        ];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut c = cred("same-uri-two-issuers", deaf());
        c.status = status(17, "1");
        let mut v = V::positive(
            w,
            "same-uri-two-issuers",
            "Two issuers publish a list with the same uri \"1\": ASL-BO's (loaded first, where \
             entry 17 is revoked) and INPS's (entry 17 valid). The code is INPS's, so only \
             INPS's list counts: valid, revocation checked.",
            c,
        );
        v.other_keys = vec![w.asl];
        v.status_lists = vec![
            SlSpec {
                signer: &w.asl,
                uri: "1",
                iat: SL_IAT,
                exp: None,
                bits: StatusBits::One,
                capacity: 64,
                entries: &[(17, CredentialStatus::Revoked)],
            }
            .sign(),
            inps_list_1(w).sign(),
        ];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut c = cred("revocation-required-and-checked", deaf());
        c.status = status(17, "1");
        let mut v = V::positive(
            w,
            "revocation-required-and-checked",
            "Policy requires revocation checking (policy.revocation = \"require\") and the \
             list is loaded: valid.",
            c,
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        v.require_revocation = true;
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut c = cred("iss-matching", deaf());
        c.iss = Some(INPS.into());
        out.push(V::positive(
            w,
            "iss-matching",
            "The optional iss claim is present and names the trust-list issuer of the signing \
             key (\"INPS\").",
            c,
        ));
    }
    {
        let c = cred("cf-lowercase-spaces", deaf());
        let mut v = V::positive(
            w,
            "cf-lowercase-spaces",
            "The CF is typed in lowercase with spaces; it is normalised before opening.",
            c,
        );
        v.cf_for_verify = "rss mra 85t10 a562s".into();
        out.push(v);
    }
    {
        let omocode = format!(
            "RSSMRA85T10A56N{}",
            personal_check_char("RSSMRA85T10A56N").expect("check")
        );
        let mut c = cred("omocodia-cf", deaf());
        c.cf = omocode;
        out.push(V::positive(
            w,
            "omocodia-cf",
            "The holder has an omocode CF (digit 2 at position 15 replaced by N); the \
             envelope is bound to that exact code.",
            c,
        ));
    }
    {
        let temp = format!(
            "0123456789{}",
            temporary_check_digit("0123456789").expect("digit")
        );
        let mut c = cred("temporary-cf", deaf());
        c.cf = temp;
        out.push(V::positive(
            w,
            "temporary-cf",
            "The holder has an 11-digit temporary CF.",
            c,
        ));
    }
    {
        let mut c = cred("kdf-two-lanes", deaf());
        c.kdf = KdfParams::new(2, 1, 2).expect("params");
        out.push(V::positive(
            w,
            "kdf-two-lanes",
            "KDF parameters 2 MiB, 1 pass, 2 lanes: unusual but within the verifier limits.",
            c,
        ));
    }
    {
        let mut c = cred("kdf-at-limits", deaf());
        c.kdf = KdfParams::new(1, 8, 4).expect("params");
        out.push(V::positive(
            w,
            "kdf-at-pass-and-lane-limits",
            "KDF parameters 1 MiB, 8 passes, 4 lanes: exactly at the default limits for passes \
             and lanes (8 and 4).",
            c,
        ));
    }
    {
        // Key A and key B share a kid; the list holds A first, the code is B's.
        let c = cred("kid-collision", deaf());
        let mut list = base_list(w);
        list.issuers.push(issuer_entry(INPS, &w.col_a, None, None));
        list.issuers.push(issuer_entry(INPS, &w.col_b, None, None));
        let mut v = V::positive(
            w,
            "kid-collision",
            "Two different INPS keys (A then B in the trust list) share the 4-byte kid \
             65987590. The code is signed by B: a verifier must try every trusted key with the \
             kid, not only the first.",
            c.clone(),
        );
        v.issuer = w.col_b;
        v.other_keys = vec![w.col_a];
        v.qr_text = c.issue(&w.col_b);
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut c = cred("iat-at-skew-limit", deaf());
        c.iat = ts(VERIFY_AT) + SignedDuration::from_mins(5);
        out.push(V::positive(
            w,
            "iat-at-skew-limit",
            "iat is exactly 5 minutes after the verification time: inside the default clock \
             skew of 5 minutes (the limit is inclusive).",
            c,
        ));
    }
    {
        let mut c = cred("exp-at-skew-limit", deaf());
        c.exp = ts(VERIFY_AT) - SignedDuration::from_mins(5);
        out.push(V::positive(
            w,
            "exp-at-skew-limit",
            "exp is exactly 5 minutes before the verification time: still accepted with the \
             default clock skew of 5 minutes (the limit is inclusive).",
            c,
        ));
    }
    {
        let mut c = cred("nbf-passed", deaf());
        c.nbf = Some(ts("2026-11-10T00:00:00Z"));
        out.push(V::positive(
            w,
            "nbf-passed",
            "A not-before (nbf) date later than iat, already passed at verification.",
            c,
        ));
    }
    {
        let c = cred("retired-key-signed-before", deaf());
        let mut list = base_list(w);
        list.issuers[0].valid_from = Some(ts("2026-01-01T00:00:00Z"));
        list.issuers[0].valid_until = Some(ts("2026-11-05T00:00:00Z"));
        let mut v = V::positive(
            w,
            "retired-key-signed-before",
            "The INPS key was retired on 2026-11-05 (window 2026-01-01 .. 2026-11-05); the code \
             was issued on 2026-11-01, inside the window, so it stays valid.",
            c,
        );
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let c = cred("trust-list-update", deaf());
        let mut l1 = base_list(w);
        l1.denied.insert(w.compromised.kid());
        let mut l2 = l1.clone();
        l2.seq = 2;
        let mut v = V::positive(
            w,
            "trust-list-update",
            "Two trust lists accepted in order into one trust state: sequence 1 (issued \
             2026-11-01) and sequence 2 (issued 2026-11-10), both denying the compromised kid. \
             The code is verified under the second.",
            c,
        );
        v.other_keys = vec![w.compromised];
        v.trust_lists = vec![
            sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
            sign_list(&l2, &w.root, TL_IAT, TL_EXP),
        ];
        out.push(v);
    }
    {
        let mut c = cred("asl-issuer", deaf());
        c.iss = Some(ASL.into());
        let mut v = V::positive(
            w,
            "second-issuer",
            "A code of the second trusted issuer, ASL-BO, with a matching iss claim.",
            c.clone(),
        );
        v.issuer = w.asl;
        v.qr_text = c.issue(&w.asl);
        v.set_issuer_id(ASL);
        out.push(v);
    }
    out
}

fn negatives(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let good = cred("genuine", deaf());
    let good_text = good.issue(&w.inps);
    let good_body = body(&good_text).to_owned();
    let good_cose = base45::decode(&good_body).expect("base45");
    let neg =
        |name, desc: &str, text: String, code, stage| V::negative(w, name, desc, text, code, stage);

    // --- the text layer ----------------------------------------------------
    out.push(neg(
        "bad-prefix",
        "An unknown prefix (XY1:) before a genuine body.",
        format!("XY1:{good_body}"),
        "bad_prefix",
        "check",
    ));
    out.push(neg(
        "missing-colon",
        "The prefix without its colon (AT1 directly followed by the body).",
        format!("AT1{good_body}"),
        "bad_prefix",
        "check",
    ));
    {
        // An EU DCC-like code: ES256, kid of 8 bytes, hcert claim, zlib.
        let claims = Value::Map(vec![
            (int(1), Value::Text("IT".into())),
            (int(4), int(1_830_000_000)),
            (int(6), int(1_790_000_000)),
            (
                int(-260),
                Value::Map(vec![(
                    int(1),
                    Value::Map(vec![(
                        Value::Text("ver".into()),
                        Value::Text("1.3.0".into()),
                    )]),
                )]),
            ),
        ]);
        let items = vec![
            Value::Bytes(protected(Some(int(-7)), Some(vec![0xd9; 8]), vec![])),
            Value::Map(vec![]),
            Value::Bytes(cbor(&claims)),
            Value::Bytes(vec![0x5a; 64]),
        ];
        let cose = tagged(items);
        out.push(neg(
            "hc1-other-family",
            "A code of another family (EU Digital COVID Certificate, HC1:, zlib-compressed \
             COSE_Sign1 with ES256): not an attesta code.",
            format!("HC1:{}", base45::encode(zlib(&cose))),
            "bad_prefix",
            "check",
        ));
    }
    out.push(neg(
        "empty-text",
        "An empty text.",
        String::new(),
        "bad_prefix",
        "check",
    ));
    out.push(neg(
        "whitespace-only",
        "Whitespace and line breaks only (trimmed to nothing).",
        " \r\n\t ".into(),
        "bad_prefix",
        "check",
    ));
    out.push(neg(
        "unsupported-version-at2",
        "A later format version (AT2:) this verifier does not read.",
        format!("AT2:{good_body}"),
        "unsupported_version",
        "check",
    ));
    out.push(neg(
        "unsupported-version-at10",
        "A later format version with two digits (AT10:).",
        format!("AT10:{good_body}"),
        "unsupported_version",
        "check",
    ));
    out.push(neg(
        "second-level-prefix",
        "A second-level prefix (AD1:) given to first-level verification.",
        format!("AD1:{good_body}"),
        "wrong_level",
        "check",
    ));
    out.push(neg(
        "lowercase-prefix",
        "The prefix in lowercase (at1:).",
        format!("at1:{good_body}"),
        "lowercase_text",
        "check",
    ));
    out.push(neg(
        "lowercase-body",
        "The whole code lowercased after the prefix (retyped by hand).",
        format!("AT1:{}", good_body.to_lowercase()),
        "lowercase_text",
        "check",
    ));
    {
        let mut b = good_body.clone().into_bytes();
        b[10] = b'#';
        out.push(neg(
            "invalid-base45-char",
            "A character outside the base45 alphabet (#) in the body.",
            format!("AT1:{}", String::from_utf8(b).expect("ascii")),
            "bad_base45",
            "check",
        ));
    }
    out.push(neg(
        "base45-triple-overflow",
        "A base45 triple (\"GGW\") worth more than 65535.",
        "AT1:GGW".into(),
        "bad_base45",
        "check",
    ));
    out.push(neg(
        "prefix-only",
        "The prefix alone, with an empty body.",
        "AT1:".into(),
        "bad_base45",
        "check",
    ));
    {
        // Cut so that the remaining length is 1 mod 3: never valid base45.
        let mut t = good_body.clone();
        while t.len() % 3 != 1 {
            t.pop();
        }
        out.push(neg(
            "truncated-mid-group",
            "A genuine code truncated in the middle of a base45 group (a partial copy).",
            format!("AT1:{t}"),
            "bad_base45",
            "check",
        ));
    }
    {
        let cut = &good_cose[..good_cose.len() - 20];
        out.push(neg(
            "truncated-cbor",
            "A genuine code missing the last 20 bytes of its COSE structure (re-encoded in \
             base45): incomplete CBOR.",
            at1(cut),
            "malformed_cbor",
            "check",
        ));
    }
    out.push(neg(
        "text-too-long",
        "A text longer than any QR code holds (4301 characters).",
        format!("AT1:{}", "0".repeat(4297)),
        "text_too_long",
        "check",
    ));
    {
        let bomb = zlib(&vec![0u8; 1_000_000]);
        out.push(neg(
            "zlib-bomb",
            "A zlib stream of about 1 KB that inflates to 1 MB, far beyond the 4096-byte cap.",
            format!("AT1:{}", base45::encode(&bomb)),
            "decompressed_too_large",
            "check",
        ));
    }
    {
        let mut z = zlib(&good_cose);
        z[2] = 0xff; // first deflate byte: BFINAL=1, BTYPE=11 (reserved)
        out.push(neg(
            "corrupt-zlib",
            "A zlib stream (header 78 DA) whose deflate data uses the reserved block type.",
            format!("AT1:{}", base45::encode(&z)),
            "bad_compression",
            "check",
        ));
    }

    // --- CBOR limits ---------------------------------------------------------
    let std_claims = good.claims().to_vec();
    assert_eq!(
        at1(&std_cose(&w.inps, std_claims.clone())),
        good_text,
        "the hand-built COSE reproduces issuance"
    );
    {
        let mut deep = int(0);
        for _ in 0..10 {
            deep = Value::Array(vec![deep]);
        }
        let items = sign1_items(
            &w.inps,
            std_protected(&w.inps),
            vec![(int(99), deep)],
            std_claims.clone(),
        );
        out.push(neg(
            "cbor-too-deep",
            "A genuine signature, with ten nested arrays in the unprotected header: deeper \
             than the 8 levels allowed.",
            at1(&tagged(items)),
            "cbor_too_deep",
            "check",
        ));
    }
    {
        let many = Value::Array(vec![int(0); 600]);
        let items = sign1_items(
            &w.inps,
            std_protected(&w.inps),
            vec![(int(99), many)],
            std_claims.clone(),
        );
        out.push(neg(
            "cbor-too-many-items",
            "A genuine signature, with an array of 600 items in the unprotected header: more \
             than the 512 CBOR items allowed.",
            at1(&tagged(items)),
            "cbor_too_many_items",
            "check",
        ));
    }
    {
        // d2 9f <four items> ff: an indefinite-length COSE array.
        let mut cose = vec![0xd2, 0x9f];
        for item in sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone()) {
            cose.extend(cbor(&item));
        }
        cose.push(0xff);
        out.push(neg(
            "cbor-indefinite-cose-array",
            "The COSE_Sign1 array is encoded with indefinite length (9F ... FF).",
            at1(&cose),
            "cbor_indefinite_length",
            "check",
        ));
    }
    {
        let mut claims = std_claims.clone();
        assert_eq!(claims[0], 0xa4, "a map of four claims");
        claims[0] = 0xbf;
        claims.push(0xff);
        out.push(neg(
            "cbor-indefinite-claims",
            "Correctly signed claims encoded as an indefinite-length map (BF ... FF).",
            at1(&std_cose(&w.inps, claims)),
            "cbor_indefinite_length",
            "check",
        ));
    }
    {
        let mut cose = good_cose.clone();
        cose.push(0x00);
        out.push(neg(
            "cbor-trailing-bytes",
            "A genuine COSE_Sign1 followed by one extra byte.",
            at1(&cose),
            "cbor_trailing_bytes",
            "check",
        ));
    }
    {
        let mut claims = std_claims.clone();
        claims.push(0x00);
        out.push(neg(
            "cbor-trailing-bytes-in-claims",
            "Correctly signed claims followed by one extra byte inside the payload.",
            at1(&std_cose(&w.inps, claims)),
            "cbor_trailing_bytes",
            "check",
        ));
    }

    // --- COSE structure and headers -------------------------------------------
    {
        let items = sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone());
        out.push(neg(
            "cose-untagged",
            "A correctly signed COSE_Sign1 array without tag 18.",
            at1(&cbor(&Value::Array(items))),
            "malformed_cose",
            "check",
        ));
    }
    {
        let items = sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone());
        out.push(neg(
            "cose-wrong-tag",
            "The four COSE_Sign1 items under tag 17 (COSE_Mac0) instead of 18.",
            at1(&cbor(&Value::Tag(17, Box::new(Value::Array(items))))),
            "malformed_cose",
            "check",
        ));
    }
    {
        let mut items = sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone());
        items.pop();
        out.push(neg(
            "cose-three-items",
            "A tag-18 array of three items (the signature is missing).",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let items = sign1_items(
            &w.inps,
            std_protected(&w.inps),
            vec![(int(1), int(-8))],
            std_claims.clone(),
        );
        out.push(neg(
            "alg-in-unprotected-header",
            "alg EdDSA in the protected header and again in the unprotected header, where it \
             is not covered by the signature.",
            at1(&tagged(items)),
            "alg_in_unprotected_header",
            "check",
        ));
    }
    {
        let prot = protected(None, Some(w.inps.kid().as_bytes().to_vec()), vec![]);
        let items = sign1_items(&w.inps, prot, vec![(int(1), int(-8))], std_claims.clone());
        out.push(neg(
            "alg-only-in-unprotected-header",
            "alg only in the unprotected header (none in the protected one).",
            at1(&tagged(items)),
            "alg_in_unprotected_header",
            "check",
        ));
    }
    let alg_vector = |name: &'static str, desc: &str, alg: Value| {
        let prot = protected(Some(alg), Some(w.inps.kid().as_bytes().to_vec()), vec![]);
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        neg(name, desc, at1(&tagged(items)), "unsupported_alg", "check")
    };
    out.push(alg_vector(
        "alg-es256",
        "alg ES256 (-7) in the protected header (the bytes are an Ed25519 signature).",
        int(-7),
    ));
    out.push(alg_vector(
        "alg-reserved-zero",
        "alg 0 (IANA \"Reserved\"), the closest COSE has to \"none\".",
        int(0),
    ));
    out.push(alg_vector(
        "alg-text-none",
        "alg as the text \"none\".",
        Value::Text("none".into()),
    ));
    out.push(alg_vector(
        "alg-private-use",
        "alg -65537, a private-use value.",
        int(-65537),
    ));
    {
        let prot = protected(None, Some(w.inps.kid().as_bytes().to_vec()), vec![]);
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        out.push(neg(
            "alg-missing",
            "No alg anywhere.",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let prot = protected(eddsa(), None, vec![]);
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        out.push(neg(
            "kid-missing",
            "No kid in the protected header.",
            at1(&tagged(items)),
            "missing_kid",
            "check",
        ));
    }
    {
        let mut kid = w.inps.kid().as_bytes().to_vec();
        kid.extend([0, 0, 0, 0]);
        let prot = protected(eddsa(), Some(kid), vec![]);
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        out.push(neg(
            "kid-wrong-length",
            "An 8-byte kid (the INPS kid followed by four zero bytes): kids are 4 bytes.",
            at1(&tagged(items)),
            "missing_kid",
            "check",
        ));
    }
    {
        let prot = protected(eddsa(), None, vec![]);
        let items = sign1_items(
            &w.inps,
            prot,
            vec![(int(4), Value::Bytes(w.inps.kid().as_bytes().to_vec()))],
            std_claims.clone(),
        );
        out.push(neg(
            "kid-only-unprotected",
            "The kid only in the unprotected header, where it is not signed.",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let prot = protected(
            eddsa(),
            Some(w.inps.kid().as_bytes().to_vec()),
            vec![(int(2), Value::Array(vec![int(99)])), (int(99), int(1))],
        );
        let items = sign1_items(&w.inps, prot, vec![], std_claims.clone());
        out.push(neg(
            "crit-header",
            "A crit header parameter (label 2) marking an extension as critical: attesta \
             understands none.",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let prot = std_protected(&w.inps);
        let sig = w.inps.sk().sign(&sig_structure(&prot, &std_claims));
        let items = vec![
            Value::Bytes(prot),
            Value::Map(vec![]),
            Value::Null,
            Value::Bytes(sig.to_vec()),
        ];
        out.push(neg(
            "detached-payload",
            "A detached payload (nil in place of the claims).",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let mut items = sign1_items(&w.inps, std_protected(&w.inps), vec![], std_claims.clone());
        if let Some(Value::Bytes(sig)) = items.get_mut(3) {
            sig.pop();
        }
        out.push(neg(
            "signature-63-bytes",
            "A signature of 63 bytes (the last byte removed).",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }

    // --- keys and signatures ----------------------------------------------------
    out.push(neg(
        "unknown-kid",
        "Correctly formed and signed, by a key that is in no trust list.",
        cred("unknown-kid", deaf()).issue(&w.stranger),
        "unknown_kid",
        "check",
    ));
    out.last_mut().expect("just pushed").issuer = w.stranger;
    {
        // Change one character among the last ones (the signature's), keeping
        // the base45 valid and the change confined to the signature bytes.
        let n = good_cose.len();
        let mut found = None;
        'search: for pos in (good_body.len() - 6..good_body.len()).rev() {
            for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars() {
                let mut b = good_body.clone().into_bytes();
                if b[pos] == c as u8 {
                    continue;
                }
                b[pos] = c as u8;
                let t = String::from_utf8(b).expect("ascii");
                if let Ok(d) = base45::decode(&t)
                    && d.len() == n
                    && d[..n - 64] == good_cose[..n - 64]
                    && d != good_cose
                {
                    found = Some(t);
                    break 'search;
                }
            }
        }
        out.push(neg(
            "signature-one-char-changed",
            "A genuine code with one base45 character changed near the end, which alters only \
             the signature bytes.",
            format!("AT1:{}", found.expect("a one-character change")),
            "bad_signature",
            "check",
        ));
    }
    {
        let mut claims = good.claims();
        claims.set_time(claims::EXP, ts("2036-11-01T00:00:00Z"));
        let payload = claims.to_vec();
        // INPS's header, the stranger's signature.
        let prot = std_protected(&w.inps);
        let sig = w.stranger.sk().sign(&sig_structure(&prot, &payload));
        let items = vec![
            Value::Bytes(prot),
            Value::Map(vec![]),
            Value::Bytes(payload),
            Value::Bytes(sig.to_vec()),
        ];
        let mut v = neg(
            "forged-kid",
            "A forgery: the claims altered (exp 2036) and signed by an untrusted key that \
             puts INPS's kid in its header.",
            at1(&tagged(items)),
            "bad_signature",
            "check",
        );
        v.other_keys = vec![w.stranger];
        out.push(v);
    }
    {
        let mut claims = good.claims();
        claims.set_time(claims::EXP, ts("2036-11-01T00:00:00Z"));
        let cose = good_cose.clone();
        // Same signature, different claims: splice the new payload in.
        let v: Value = ciborium::from_reader(cose.as_slice()).expect("cbor");
        let Value::Tag(18, inner) = v else {
            panic!("tag")
        };
        let Value::Array(mut items) = *inner else {
            panic!("array")
        };
        items[2] = Value::Bytes(claims.to_vec());
        out.push(neg(
            "claims-altered",
            "A genuine code whose claims were altered (exp moved to 2036) keeping the original \
             signature.",
            at1(&tagged(items)),
            "bad_signature",
            "check",
        ));
    }
    {
        let mut list = base_list(w);
        list.deny_kid(w.inps.kid());
        let mut v = neg(
            "denied-kid",
            "The trust list denies the INPS key's kid (and no longer lists it): codes it \
             signed are refused.",
            good_text.clone(),
            "denied_kid",
            "check",
        );
        v.inputs = Some(good.clone());
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut list = base_list(w);
        list.issuers[0].valid_from = Some(ts("2026-11-05T00:00:00Z"));
        let mut v = neg(
            "key-not-yet-valid-at-iat",
            "The INPS key is trusted only for codes issued from 2026-11-05; this one was \
             issued 2026-11-01.",
            good_text.clone(),
            "key_not_valid_at_issuance",
            "check",
        );
        v.inputs = Some(good.clone());
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut list = base_list(w);
        list.issuers[0].valid_until = Some(ts("2026-10-31T23:59:59Z"));
        let mut v = neg(
            "key-retired-before-iat",
            "The INPS key was retired at 2026-10-31T23:59:59Z; the code claims to be issued \
             one second later.",
            good_text.clone(),
            "key_not_valid_at_issuance",
            "check",
        );
        v.inputs = Some(good.clone());
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut c = cred("issuer-mismatch", deaf());
        c.iss = Some(ASL.into());
        out.push(V::negative_issued(
            w,
            "issuer-mismatch",
            "The iss claim says ASL-BO, but the code is signed by a key the trust list gives \
             to INPS.",
            c,
            "issuer_mismatch",
            "check",
        ));
    }

    // --- validity dates -----------------------------------------------------------
    {
        let mut c = cred("expired", deaf());
        c.iat = ts("2025-11-01T00:00:00Z");
        c.exp = ts("2026-11-01T00:00:00Z");
        out.push(V::negative_issued(
            w,
            "expired",
            "Expired two weeks before verification.",
            c,
            "expired",
            "check",
        ));
    }
    {
        let mut c = cred("expired-past-skew", deaf());
        c.exp = ts(VERIFY_AT) - SignedDuration::from_secs(301);
        out.push(V::negative_issued(
            w,
            "expired-just-past-skew",
            "exp is 5 minutes and 1 second before verification: beyond the clock skew.",
            c,
            "expired",
            "check",
        ));
    }
    {
        let mut c = cred("nbf-future", deaf());
        c.nbf = Some(ts("2026-12-01T00:00:00Z"));
        out.push(V::negative_issued(
            w,
            "not-yet-valid-nbf",
            "nbf is 2026-12-01, after the verification time.",
            c,
            "not_yet_valid",
            "check",
        ));
    }
    {
        let mut c = cred("iat-future", deaf());
        c.iat = ts(VERIFY_AT) + SignedDuration::from_secs(301);
        out.push(V::negative_issued(
            w,
            "not-yet-valid-iat-past-skew",
            "iat is 5 minutes and 1 second after the verification time: beyond the clock skew.",
            c,
            "not_yet_valid",
            "check",
        ));
    }
    {
        let mut c = cred("clock-floor", deaf());
        c.exp = ts("2026-11-18T00:00:00Z");
        // Until the security review (issue 12, finding 7) this list was
        // accepted and moved the clock floor to 2026-11-20, so the code came
        // out `expired`: a list from the future could lock verifiers out.
        // Same name and number, new answer; the clock floor itself is
        // exercised by lists accepted in earlier runs (unit tests of
        // `TrustState`, `attesta verify --at`).
        let mut v = V::negative_issued(
            w,
            "expired-by-clock-floor",
            "The device clock says 2026-11-15, but the trust list says it was issued \
             2026-11-20, beyond the 5-minute skew: refused, so that a list from the future \
             cannot move the clock floor ahead and make codes (this one expires 2026-11-18) \
             look expired. (Until issue 12 the list was accepted and the code came out \
             expired.)",
            c,
            "trust_list_issued_in_future",
            "trust_list",
        );
        v.trust_lists = vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-11-20T00:00:00Z",
            "2026-12-20T00:00:00Z",
        )];
        out.push(v);
    }

    // --- revocation ---------------------------------------------------------------
    let with_status = |name: &'static str, idx: u64, uri: &str| {
        let mut c = cred(name, deaf());
        c.status = status(idx, uri);
        c
    };
    {
        let mut v = V::negative_issued(
            w,
            "revoked",
            "Entry 77 of INPS's 1-bit list \"1\" is revoked.",
            with_status("revoked", 77, "1"),
            "revoked",
            "check",
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        out.push(v);
    }
    let two_bit = SlSpec {
        signer: &w.inps,
        uri: "2",
        iat: SL_IAT,
        exp: None,
        bits: StatusBits::Two,
        capacity: 64,
        entries: &[
            (5, CredentialStatus::Suspended),
            (6, CredentialStatus::Revoked),
            (7, CredentialStatus::Other(3)),
        ],
    }
    .sign();
    {
        let mut v = V::negative_issued(
            w,
            "suspended",
            "Entry 5 of INPS's 2-bit list \"2\" is suspended (value 2).",
            with_status("suspended", 5, "2"),
            "suspended",
            "check",
        );
        v.status_lists = vec![two_bit.clone()];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "revoked-two-bit",
            "Entry 6 of INPS's 2-bit list \"2\" is revoked (value 1).",
            with_status("revoked-two-bit", 6, "2"),
            "revoked",
            "check",
        );
        v.status_lists = vec![two_bit.clone()];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-value-3",
            "Entry 7 of INPS's 2-bit list \"2\" has the application-specific value 3, which \
             attesta gives no meaning: refused as revoked.",
            with_status("status-value-3", 7, "2"),
            "revoked",
            "check",
        );
        v.status_lists = vec![two_bit.clone()];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-index-out-of-range",
            "The code's index 1024 is just past the end of INPS's list \"1\" (1024 entries).",
            with_status("status-index-out-of-range", 1024, "1"),
            "status_index_out_of_range",
            "check",
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-wrong-issuer",
            "The only list \"1\" loaded is ASL-BO's (a trusted issuer), while the code is \
             INPS's: one issuer's list cannot answer for another's codes.",
            with_status("status-list-wrong-issuer", 17, "1"),
            "status_list_wrong_issuer",
            "check",
        );
        v.other_keys = vec![w.asl];
        v.status_lists = vec![
            SlSpec {
                signer: &w.asl,
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-untrusted",
            "The status list is signed by a key in no trust list.",
            with_status("status-list-untrusted", 17, "1"),
            "status_list_untrusted",
            "status_list",
        );
        v.other_keys = vec![w.stranger];
        v.status_lists = vec![
            SlSpec {
                signer: &w.stranger,
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-too-old",
            "The status list (no exp) was issued 2026-10-01, more than the 30 days ago the \
             default policy allows.",
            with_status("status-list-too-old", 17, "1"),
            "status_list_stale",
            "status_list",
        );
        v.status_lists = vec![
            SlSpec {
                iat: "2026-10-01T00:00:00Z",
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-expired",
            "The status list expired at 2026-11-14T23:54:59Z, 5 minutes and 1 second before \
             verification (beyond the clock skew).",
            with_status("status-list-expired", 17, "1"),
            "status_list_stale",
            "status_list",
        );
        v.status_lists = vec![
            SlSpec {
                exp: Some("2026-11-14T23:54:59Z"),
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-wrong-type",
            "A trust list given where a status list is expected (content type \
             application/attesta-trust+cwt).",
            with_status("status-list-wrong-type", 17, "1"),
            "status_list_wrong_typ",
            "status_list",
        );
        v.status_lists = vec![default_trust(w)];
        out.push(v);
    }
    let crafted_list = |sl: Value| {
        let mut c = ClaimSet::new();
        c.set(claims::SUB, Value::Text("1".into()));
        c.set_time(claims::IAT, ts(SL_IAT));
        c.set(claims::STATUS_LIST, sl);
        let payload = c.to_vec();
        let prot = protected(
            eddsa(),
            Some(w.inps.kid().as_bytes().to_vec()),
            vec![(
                int(16),
                Value::Text(attesta_core::status_list::MEDIA_TYPE.into()),
            )],
        );
        tagged(sign1_items(&w.inps, prot, vec![], payload))
    };
    {
        let lst = zlib(&[0u8; 64]);
        let mut v = V::negative_issued(
            w,
            "status-list-four-bits",
            "INPS's signed status list uses 4 bits per entry, which the draft allows but \
             attesta does not read.",
            with_status("status-list-four-bits", 17, "1"),
            "status_list_unsupported_bits",
            "status_list",
        );
        v.status_lists = vec![crafted_list(Value::Map(vec![
            (Value::Text("lst".into()), Value::Bytes(lst)),
            (Value::Text("bits".into()), int(4)),
        ]))];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-bad-compression",
            "INPS's signed status list whose lst is not a zlib stream.",
            with_status("status-list-bad-compression", 17, "1"),
            "status_list_bad_compression",
            "status_list",
        );
        v.status_lists = vec![crafted_list(Value::Map(vec![
            (
                Value::Text("lst".into()),
                Value::Bytes(vec![0x78, 0x9c, 0xff, 0xff, 0x00]),
            ),
            (Value::Text("bits".into()), int(1)),
        ]))];
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "revocation-not-checked-required",
            "The policy requires revocation checking (policy.revocation = \"require\"), the \
             code has a status reference, and no list for it is loaded.",
            with_status("revocation-not-checked-required", 17, "1"),
            "revocation_not_checked",
            "check",
        );
        v.require_revocation = true;
        out.push(v);
    }

    // --- trust lists ----------------------------------------------------------------
    let tl_vector = |name, desc: &str, lists: Vec<Vec<u8>>, code| {
        let mut v = V::negative(w, name, desc, good_text.clone(), code, "trust_list");
        v.inputs = Some(good.clone());
        v.trust_lists = lists;
        v
    };
    {
        let mut v = tl_vector(
            "trust-list-wrong-root",
            "The trust list is signed by another root key than the one the verifier pins.",
            vec![sign_list(&base_list(w), &w.other_root, TL_IAT, TL_EXP)],
            "trust_list_bad_signature",
        );
        v.other_keys = vec![w.other_root];
        out.push(v);
    }
    out.push(tl_vector(
        "trust-list-expired",
        "The trust list expired on 2026-11-01.",
        vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-10-02T00:00:00Z",
            "2026-11-01T00:00:00Z",
        )],
        "trust_list_stale",
    ));
    out.push(tl_vector(
        "trust-list-too-old",
        "The trust list was issued on 2026-10-01 (45 days before verification, beyond the \
         30-day maximum age) although its exp is a year later.",
        vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-10-01T00:00:00Z",
            "2027-10-01T00:00:00Z",
        )],
        "trust_list_stale",
    ));
    {
        let l1 = base_list(w);
        let mut l2 = l1.clone();
        l2.seq = 2;
        out.push(tl_vector(
            "trust-list-rollback",
            "Two trust lists in order: sequence 2 is accepted, then sequence 1 (older, still \
             fresh) is refused as a rollback.",
            vec![
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
                sign_list(&l1, &w.root, "2026-11-08T00:00:00Z", "2026-12-08T00:00:00Z"),
            ],
            "trust_list_rollback",
        ));
    }
    {
        let mut l1 = base_list(w);
        l1.denied.insert(w.compromised.kid());
        let mut l2 = base_list(w);
        l2.seq = 2;
        l2.issuers
            .push(issuer_entry("ROGUE", &w.compromised, None, None));
        l2.denied.insert(w.compromised.kid());
        let mut v = tl_vector(
            "trust-list-denied-kid-reinstated",
            "Sequence 1 denies the compromised kid; sequence 2 (validly signed) lists that \
             key as an issuer again. A denied kid never returns.",
            vec![
                sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
            ],
            "trust_list_denied_kid_reinstated",
        );
        v.other_keys = vec![w.compromised];
        out.push(v);
    }
    {
        let mut l1 = base_list(w);
        l1.denied.insert(w.compromised.kid());
        let mut l2 = base_list(w);
        l2.seq = 2;
        let mut v = tl_vector(
            "trust-list-denylist-shrunk",
            "Sequence 1 denies the compromised kid; sequence 2 no longer does. Every later \
             list must keep the denylist.",
            vec![
                sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
            ],
            "trust_list_denylist_shrunk",
        );
        v.other_keys = vec![w.compromised];
        out.push(v);
    }
    out.push(tl_vector(
        "trust-list-is-a-status-list",
        "A status list token given where the trust list is expected (wrong content type).",
        vec![inps_list_1(w).sign()],
        "trust_list_malformed",
    ));

    // --- the holder's CF ---------------------------------------------------------------
    let cf_vector = |name, desc: &str, cf: &str, code, cf_error: Option<&'static str>| {
        let mut v = V::negative(w, name, desc, good_text.clone(), code, "open");
        v.inputs = Some(good.clone());
        v.cf_for_verify = cf.to_owned();
        if let Some(e) = cf_error {
            v.set_cf_error(e);
        }
        v
    };
    out.push(cf_vector(
        "cf-mismatch",
        "Another person's valid CF: the envelope does not open.",
        OTHER_CF,
        "cf_mismatch",
        None,
    ));
    out.push(cf_vector(
        "cf-typo-check-character",
        "The holder's CF with its last character mistyped (T for S): caught by the check \
         character before any key derivation.",
        "RSSMRA85T10A562T",
        "cf_malformed",
        Some("cf_wrong_check_character"),
    ));
    out.push(cf_vector(
        "cf-wrong-length",
        "The holder's CF with a character missing.",
        "RSSMRA85T10A62S",
        "cf_malformed",
        Some("cf_wrong_length"),
    ));
    out.push(cf_vector(
        "cf-empty",
        "No CF typed (spaces only).",
        "   ",
        "cf_malformed",
        Some("cf_empty"),
    ));
    out.push(cf_vector(
        "cf-temporary-wrong-check-digit",
        "An 11-digit temporary CF with a wrong check digit.",
        "00743110158",
        "cf_malformed",
        Some("cf_wrong_check_digit"),
    ));
    {
        let omocode = format!(
            "RSSMRA85T10A56N{}",
            personal_check_char("RSSMRA85T10A56N").expect("check")
        );
        out.push(cf_vector(
            "cf-omocode-variant",
            "A valid omocode variant of the holder's CF: a different code, so the envelope \
             does not open (the envelope binds the exact code).",
            &omocode,
            "cf_mismatch",
            None,
        ));
    }

    // --- KDF parameters ------------------------------------------------------------------
    for (name, m, t, p, desc) in [
        (
            "kdf-memory-above-limit",
            65,
            1,
            1,
            "A genuinely sealed code asking for 65 MiB of Argon2id memory, above the default \
             limit of 64 MiB: refused before running the KDF.",
        ),
        (
            "kdf-passes-above-limit",
            1,
            9,
            1,
            "A genuinely sealed code asking for 9 Argon2id passes, above the default limit of 8.",
        ),
        (
            "kdf-lanes-above-limit",
            1,
            1,
            5,
            "A genuinely sealed code asking for 5 Argon2id lanes, above the default limit of 4.",
        ),
    ] {
        let mut c = cred(name, deaf());
        c.kdf = KdfParams::new(m, t, p).expect("params");
        out.push(V::negative_issued(
            w,
            name,
            desc,
            c,
            "kdf_params_out_of_bounds",
            "open",
        ));
    }
    {
        // 4194303 MiB: the largest value whose KiB count fits Argon2's u32.
        let env = envelope_value(
            &KdfParams::new(4_194_303, 1, 1).expect("params"),
            vec![0x42; 17],
        );
        out.push(neg(
            "kdf-huge-memory",
            "A signed code asking for 4194303 MiB (4 TiB) of Argon2id memory; its ciphertext \
             is junk. A verifier must refuse from the parameters alone, never run the KDF.",
            at1(&std_cose(&w.inps, good.claims_with(env).to_vec())),
            "kdf_params_out_of_bounds",
            "open",
        ));
    }
    {
        let env = Value::Array(vec![int(0), int(1), int(1), Value::Bytes(vec![0x42; 17])]);
        out.push(neg(
            "kdf-zero-memory",
            "A signed code whose envelope asks for 0 MiB of memory: not valid Argon2id \
             parameters.",
            at1(&std_cose(&w.inps, good.claims_with(env).to_vec())),
            "malformed_claims",
            "check",
        ));
    }

    // --- claims ------------------------------------------------------------------------------
    let signed_claims = |map: Vec<(Value, Value)>| at1(&std_cose(&w.inps, cbor(&Value::Map(map))));
    let base_entries = || -> Vec<(Value, Value)> {
        let v: Value = ciborium::from_reader(std_claims.as_slice()).expect("claims");
        let Value::Map(m) = v else { panic!("map") };
        m
    };
    let without = |key: i64| {
        base_entries()
            .into_iter()
            .filter(|(k, _)| *k != int(key))
            .collect::<Vec<_>>()
    };
    let replaced = |key: i64, val: Value| {
        base_entries()
            .into_iter()
            .map(|(k, v)| {
                if k == int(key) {
                    (k, val.clone())
                } else {
                    (k, v)
                }
            })
            .collect::<Vec<_>>()
    };
    {
        let mut m = base_entries();
        m.insert(1, (int(claims::EXP), int(2_000_000_000)));
        out.push(neg(
            "duplicate-claim-key",
            "Signed claims with exp (4) twice, the second far in the future: refused by the \
             CBOR guard (no map may repeat a key).",
            signed_claims(m),
            "cbor_duplicate_key",
            "check",
        ));
    }
    for (name, key, desc) in [
        ("missing-exp", claims::EXP, "Signed claims without exp (4)."),
        ("missing-iat", claims::IAT, "Signed claims without iat (6)."),
        ("missing-cti", claims::CTI, "Signed claims without cti (7)."),
        (
            "missing-envelope",
            claims::ATTESTA_ENVELOPE,
            "Signed claims without the sealed attestation (-65537).",
        ),
    ] {
        out.push(neg(
            name,
            desc,
            signed_claims(without(key)),
            "missing_claim",
            "check",
        ));
    }
    out.push(neg(
        "exp-float",
        "Signed claims whose exp is a float (1.8e9) instead of an integer: attesta's formats \
         hold no floats (a float has several encodings of one value).",
        signed_claims(replaced(claims::EXP, Value::Float(1.8e9))),
        "cbor_float_or_simple",
        "check",
    ));
    out.push(neg(
        "cti-wrong-length",
        "Signed claims whose cti has 9 bytes instead of 8.",
        signed_claims(replaced(claims::CTI, Value::Bytes(vec![7; 9]))),
        "malformed_claims",
        "check",
    ));
    {
        let mut m = base_entries();
        m.insert(0, (int(claims::ISS), int(1)));
        out.push(neg(
            "iss-not-text",
            "Signed claims whose iss is an integer.",
            signed_claims(m),
            "malformed_claims",
            "check",
        ));
    }
    {
        let mut m = base_entries();
        m.push((
            int(claims::STATUS),
            Value::Map(vec![(
                Value::Text("status_list".into()),
                Value::Map(vec![(Value::Text("idx".into()), int(17))]),
            )]),
        ));
        out.push(neg(
            "status-claim-without-uri",
            "Signed claims whose status reference has an idx but no uri.",
            signed_claims(m),
            "malformed_claims",
            "check",
        ));
    }
    out.push(neg(
        "claims-not-a-map",
        "A correctly signed payload that is a CBOR array, not a claims map.",
        at1(&std_cose(
            &w.inps,
            cbor(&Value::Array(vec![int(1), int(2)])),
        )),
        "malformed_claims",
        "check",
    ));
    out.push(neg(
        "envelope-not-an-array",
        "Signed claims whose sealed attestation is a byte string, not [m, t, p, ciphertext].",
        signed_claims(replaced(
            claims::ATTESTA_ENVELOPE,
            Value::Bytes(vec![0x42; 20]),
        )),
        "malformed_claims",
        "check",
    ));

    // --- the sealed content ---------------------------------------------------------------------
    let sealed = |name: &'static str, desc: &str, plaintext: Vec<u8>, code| {
        let c = cred(name, deaf());
        let text = at1(&std_cose(
            &w.inps,
            c.claims_with(c.envelope_with(&plaintext)).to_vec(),
        ));
        neg(name, desc, text, code, "open")
    };
    out.push(sealed(
        "unknown-flag-bit",
        "Correctly sealed and signed content with flag bit 11 set (unknown to format v1), \
         besides deafness.",
        raw_plaintext((1 << 11) | (1 << 5), None),
        "unknown_flags",
    ));
    out.push(sealed(
        "unknown-invalidity-code",
        "Correctly sealed content with invalidity code 9 (codes go up to 8).",
        raw_plaintext(9, None),
        "unknown_flags",
    ));
    out.push(sealed(
        "unknown-handicap-code",
        "Correctly sealed content with handicap code 3 (only 1 and 2 exist), besides deafness.",
        raw_plaintext((3 << 7) | (1 << 5), None),
        "unknown_flags",
    ));
    out.push(sealed(
        "accompaniment-with-46",
        "Correctly sealed content stating indennità di accompagnamento with civil invalidity \
         >= 46 % only: a combination the law does not produce.",
        raw_plaintext(2 | (1 << 9), None),
        "invalid_attestation",
    ));
    out.push(sealed(
        "l68-with-33",
        "Correctly sealed content stating L. 68/99 disability with civil invalidity >= 33.34 % \
         only (L. 68/99 needs 46 %).",
        raw_plaintext(1 | (1 << 6), None),
        "invalid_attestation",
    ));
    out.push(sealed(
        "no-status",
        "Correctly sealed content with no status at all (flags 0).",
        raw_plaintext(0, None),
        "invalid_attestation",
    ));
    out.push(sealed(
        "plaintext-not-an-array",
        "Correctly sealed content that is a bare integer (deafness flags), not [flags, revision].",
        cbor(&int(1 << 5)),
        "malformed_claims",
    ));
    out.push(sealed(
        "plaintext-three-items",
        "Correctly sealed content with three items [flags, revision, 0].",
        cbor(&Value::Array(vec![int(1 << 5), int(20_000), int(0)])),
        "malformed_claims",
    ));
    {
        let c = cred("ciphertext-altered", deaf());
        let Value::Array(mut env) = c.envelope_with(&plaintext_of(&c.att)) else {
            panic!("envelope")
        };
        if let Some(Value::Bytes(ct)) = env.get_mut(3) {
            ct[0] ^= 1;
        }
        out.push(neg(
            "ciphertext-altered",
            "The issuer signed a ciphertext with one bit flipped: the AEAD fails, which the \
             verifier cannot tell from a wrong CF.",
            at1(&std_cose(
                &w.inps,
                c.claims_with(Value::Array(env)).to_vec(),
            )),
            "cf_mismatch",
            "open",
        ));
    }
    {
        let c = cred("second-level-label", deaf());
        let pt = plaintext_of(&c.att);
        let ct = c
            .ekey(EnvelopeLabel::SecondLevelInner, c.cti.as_bytes())
            .seal(c.cti.as_bytes(), &pt);
        out.push(neg(
            "envelope-wrong-label",
            "The content is sealed under the second-level inner label \
             (attesta/v1/level-2-inner) instead of attesta/v1/level-1.",
            at1(&std_cose(
                &w.inps,
                c.claims_with(envelope_value(&c.kdf, ct)).to_vec(),
            )),
            "cf_mismatch",
            "open",
        ));
    }
    {
        let c = cred("other-cti", deaf());
        let other = cti_for("another credential");
        let pt = plaintext_of(&c.att);
        let ct = c
            .ekey(EnvelopeLabel::FirstLevel, other.as_bytes())
            .seal(other.as_bytes(), &pt);
        out.push(neg(
            "envelope-of-another-cti",
            "An envelope sealed for another credential id (KDF salt and AAD use a different \
             cti) moved into this code's claims and re-signed.",
            at1(&std_cose(
                &w.inps,
                c.claims_with(envelope_value(&c.kdf, ct)).to_vec(),
            )),
            "cf_mismatch",
            "open",
        ));
    }
    out
}

/// Vectors for library bugs found while writing the vectors (now fixed),
/// written after the others so that numbering stays stable.
fn regressions(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        // The same key listed twice: an old entry retired before the code's
        // iat, then a new entry (another issuer id) valid since.
        let c = cred("same-key-two-entries", deaf());
        let mut list = base_list(w);
        list.issuers[0] = issuer_entry("INPS-OLD", &w.inps, None, Some("2026-10-01T00:00:00Z"));
        list.issuers.push(issuer_entry(
            INPS,
            &w.inps,
            Some("2026-10-01T00:00:00Z"),
            None,
        ));
        let mut v = V::positive(
            w,
            "same-key-two-entries",
            "Regression (found while writing the vectors). The INPS key appears twice in the trust list: first as \
             INPS-OLD, retired on 2026-10-01, then as INPS, valid from 2026-10-01. The code \
             (iat 2026-11-01) is valid under the second entry; the answer must not depend on \
             which entry comes first.",
            c,
        );
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut c = cred("status-list-two-versions", deaf());
        c.status = status(77, "1");
        let mut v = V::negative_issued(
            w,
            "status-list-two-versions",
            "Regression (found while writing the vectors). Two versions of INPS's list \"1\" are loaded, both current: \
             the one of 2026-11-10 (entry 77 valid), then the one of 2026-11-14 (entry 77 \
             revoked). The newer list decides: revoked, whatever the loading order.",
            c,
            "revoked",
            "check",
        );
        v.status_lists = vec![
            SlSpec {
                iat: "2026-11-10T00:00:00Z",
                entries: &[],
                ..inps_list_1(w)
            }
            .sign(),
            inps_list_1(w).sign(),
        ];
        out.push(v);
    }
    {
        let good = cred("kdf-memory-2-pow-32-kib", deaf());
        let env = Value::Array(vec![
            int(4_194_304),
            int(1),
            int(1),
            Value::Bytes(vec![0x42; 17]),
        ]);
        out.push(V::negative(
            w,
            "kdf-memory-2-pow-32-kib",
            "Regression (found while writing the vectors). A signed code asking for 4194304 MiB (2^32 KiB, one more than \
             Argon2 can express): not valid Argon2id parameters. Must be refused, not overflow.",
            at1(&std_cose(&w.inps, good.claims_with(env).to_vec())),
            "malformed_claims",
            "check",
        ));
    }
    out
}

// ---------------------------------------------------------------------------
// Second-level tokens (`AD1:`)
// ---------------------------------------------------------------------------

/// The accredited operators of the second-level trust list.
const OP_A: &str = "comune-bo";
const OP_B: &str = "tper-bo";
/// Token `iat` and `exp` of most second-level vectors (30 days).
const L2_IAT: &str = "2026-11-12T00:00:00Z";
const L2_EXP: &str = "2026-12-12T00:00:00Z";

/// An operator's X25519 key known by its secret, written into the vector.
#[derive(Clone, Copy)]
struct OpKey {
    secret: [u8; 32],
}

impl OpKey {
    fn sk(&self) -> OperatorSecretKey {
        OperatorSecretKey::from_bytes(&self.secret).expect("x25519 secret")
    }
    fn public(&self) -> OperatorPublicKey {
        self.sk().public_key()
    }
    fn public_hex(&self) -> String {
        hex::encode(self.public().to_bytes())
    }
}

/// The second-level part of a vector.
struct L2 {
    /// The operator key the verifier holds.
    operator: OpKey,
    /// Give the text to first-level verification (`Verifier::check`).
    as_first_level: bool,
    /// What the token was issued from, when it was issued normally.
    inputs: Option<Tok>,
    /// For a crafted token that must be accepted: the genuine token it was
    /// made from, whose cti, first-level cti and dates it keeps. Not
    /// written as `inputs`: re-issuing it would not give the crafted text.
    crafted_from: Option<Tok>,
}

/// A second-level token's inputs.
#[derive(Clone)]
struct Tok {
    cf: String,
    details: SecondLevelDetails,
    audience: String,
    /// The key the details are sealed to (normally the audience's).
    sealed_to: OpKey,
    first_level_cti: Cti,
    status: Option<StatusRef>,
    iat: Timestamp,
    exp: Timestamp,
    cti: Cti,
    ephemeral_seed: [u8; 32],
    kdf: KdfParams,
}

/// A token for `comune-bo`, sealed to its key, issued 2026-11-12 for 30
/// days, belonging to a first-level credential with status index 17 in
/// INPS's list "1" (never revoked).
fn tok(w: &World, name: &str, details: SecondLevelDetails) -> Tok {
    Tok {
        cf: CF.to_owned(),
        details,
        audience: OP_A.to_owned(),
        sealed_to: w.op_a,
        first_level_cti: cti_for("second-level first-level credential"),
        status: status(17, "1"),
        iat: ts(L2_IAT),
        exp: ts(L2_EXP),
        cti: cti_for(name),
        ephemeral_seed: sha256(format!("attesta test vector ephemeral {name}").as_bytes()),
        kdf: KdfParams::INSECURE_TEST,
    }
}

impl Tok {
    fn request(&self) -> SecondLevelRequest {
        SecondLevelRequest {
            details: self.details.clone(),
            audience: self.audience.clone(),
            operator_key: self.sealed_to.public(),
            first_level_cti: self.first_level_cti,
            status: self.status.clone(),
            issued_at: self.iat,
            expires_at: self.exp,
            kdf: self.kdf,
        }
    }

    /// Issued by the library, deterministically.
    fn issue(&self, key: &Key) -> String {
        let cf = CodiceFiscale::parse(&self.cf).expect("valid CF");
        issue_second_level_deterministic(
            &key.sk(),
            &cf,
            &self.request(),
            self.cti,
            self.ephemeral_seed,
        )
        .expect("issue token")
        .text()
        .to_owned()
    }
}

fn pct(s: &str) -> Option<attesta_core::model::Percent> {
    Some(s.parse().expect("percent"))
}

/// Invalidity 75.5 %, handicap grave, L. 68/99 80 %.
fn typical_details() -> SecondLevelDetails {
    SecondLevelDetails {
        invalidity_percent: pct("75.5"),
        handicap: Some(HandicapGrade::Comma3Grave),
        l68_percent: pct("80"),
        ..SecondLevelDetails::default()
    }
}

/// Every field set.
fn every_detail() -> SecondLevelDetails {
    SecondLevelDetails {
        invalidity_percent: pct("100"),
        blindness_class: Some(BlindnessClass::Ventesimista),
        deafness: true,
        handicap: Some(HandicapGrade::Comma3Grave),
        l68_percent: pct("100"),
        judgement: Some(
            "Invalido con totale e permanente inabilità lavorativa al 100% e con necessità \
             di assistenza continua"
                .into(),
        ),
    }
}

fn deaf_details() -> SecondLevelDetails {
    SecondLevelDetails {
        deafness: true,
        ..SecondLevelDetails::default()
    }
}

fn operator_entry(
    id: &str,
    name: &str,
    k: &OpKey,
    from: Option<&str>,
    until: Option<&str>,
) -> OperatorEntry {
    OperatorEntry {
        id: id.to_owned(),
        name: name.to_owned(),
        sealing_key: k.public().to_bytes(),
        valid_from: from.map(ts),
        valid_until: until.map(ts),
    }
}

/// The default list (INPS, ASL-BO) plus the operators comune-bo and tper-bo.
fn l2_list(w: &World) -> TrustList {
    let mut list = base_list(w);
    list.operators = vec![
        operator_entry(OP_A, "Comune di Bologna", &w.op_a, None, None),
        operator_entry(
            OP_B,
            "TPER, trasporto pubblico di Bologna",
            &w.op_b,
            None,
            None,
        ),
    ];
    list
}

fn l2_trust(w: &World) -> Vec<u8> {
    sign_list(&l2_list(w), &w.root, TL_IAT, TL_EXP)
}

impl V {
    /// A second-level vector: `l2_trust`, no status list, the default CF.
    fn token(
        w: &World,
        name: &'static str,
        description: &str,
        qr_text: String,
        operator: OpKey,
        inputs: Option<Tok>,
        outcome: Outcome,
    ) -> V {
        V {
            name,
            description: description.to_owned(),
            issuer: w.inps,
            other_keys: vec![],
            trust_lists: vec![l2_trust(w)],
            status_lists: vec![],
            require_revocation: false,
            kdf_floor: None,
            inputs: None,
            qr_text,
            verify_at: ts(VERIFY_AT),
            cf_for_verify: inputs.as_ref().map_or(CF, |t| t.cf.as_str()).to_owned(),
            secret_for_verify: None,
            outcome,
            annotated: None,
            l2: Some(L2 {
                operator,
                as_first_level: false,
                inputs,
                crafted_from: None,
            }),
            crafted_from: None,
            text_variant: None,
            raw_keys: vec![],
            signer_kid: None,
        }
    }

    /// A token issued by INPS from `t`, opened by `operator`.
    fn token_valid(
        w: &World,
        name: &'static str,
        description: &str,
        t: Tok,
        operator: OpKey,
        operator_id: &'static str,
    ) -> V {
        let revocation = if t.status.is_some() {
            "not_checked"
        } else {
            "not_revocable"
        };
        let outcome = Outcome::ValidToken {
            details: t.details.clone(),
            issuer_id: INPS,
            operator_id,
            revocation,
        };
        V::token(
            w,
            name,
            description,
            t.issue(&w.inps),
            operator,
            Some(t),
            outcome,
        )
    }

    /// A token issued by INPS from `t` that comune-bo's key must refuse.
    fn token_refused(
        w: &World,
        name: &'static str,
        description: &str,
        t: Tok,
        code: &'static str,
        stage: &'static str,
    ) -> V {
        let text = t.issue(&w.inps);
        V::token(
            w,
            name,
            description,
            text,
            w.op_a,
            Some(t),
            invalid(code, stage),
        )
    }

    /// A crafted text that comune-bo's key must refuse.
    fn token_crafted(
        w: &World,
        name: &'static str,
        description: &str,
        text: String,
        code: &'static str,
        stage: &'static str,
    ) -> V {
        V::token(
            w,
            name,
            description,
            text,
            w.op_a,
            None,
            invalid(code, stage),
        )
    }

    fn l2_mut(&mut self) -> &mut L2 {
        self.l2.as_mut().expect("a second-level vector")
    }
}

fn invalid(code: &'static str, stage: &'static str) -> Outcome {
    Outcome::Invalid {
        code,
        stage,
        cf_error: None,
    }
}

/// `AD1:` + base45 of the raw bytes (never compressed).
fn ad1(cose: &[u8]) -> String {
    format!("AD1:{}", base45::encode(cose))
}

/// The four COSE_Sign1 items of a code's text.
fn sign1_of(text: &str) -> Vec<Value> {
    let (_, cose) = attesta_core::text::decode(text).expect("decodes");
    let v: Value = ciborium::from_reader(cose.as_slice()).expect("cbor");
    let Value::Tag(18, inner) = v else {
        panic!("not tagged")
    };
    let Value::Array(items) = *inner else {
        panic!("not an array")
    };
    assert_eq!(items.len(), 4, "COSE_Sign1");
    items
}

/// The claims of a code's text, as signed.
fn claims_of(text: &str) -> ClaimSet {
    let Value::Bytes(payload) = &sign1_of(text)[2] else {
        panic!("payload")
    };
    ClaimSet::parse(payload, CborLimits::STRICT).expect("claims")
}

/// `c` without the claim `key`.
fn without(c: &ClaimSet, key: i64) -> ClaimSet {
    let mut out = ClaimSet::new();
    for (k, v) in c.entries() {
        if *k != key {
            out.set(*k, v.clone());
        }
    }
    out
}

/// A token with these claims, signed by INPS as issuance signs.
fn resigned(w: &World, c: &ClaimSet) -> String {
    ad1(&std_cose(&w.inps, c.to_vec()))
}

// --- Sealing by hand ---------------------------------------------------------
//
// Issuance refuses details that break the model rules, so a token whose
// sealed details do (an empty judgement) has to be sealed here. The
// generator has no HPKE library, so this is RFC 9180 base mode with
// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20-Poly1305, written
// out: X25519 from curve25519-dalek (through ed25519-dalek's Montgomery
// form), HKDF from the hkdf crate, ChaCha20-Poly1305 (RFC 8439) below.
// `second_level_review` checks once that it seals a genuine token's details
// byte for byte as the library does.

/// The details map (docs/format.md, section 12), keys 1 to 6 in order, as
/// issuance writes it, but without the model checks.
fn details_cbor(d: &SecondLevelDetails) -> Vec<u8> {
    let mut m = Vec::new();
    if let Some(p) = d.invalidity_percent {
        m.push((int(1), int(p.hundredths().into())));
    }
    if let Some(b) = d.blindness_class {
        let code = match b {
            BlindnessClass::Assoluta => 1,
            BlindnessClass::Ventesimista => 2,
            BlindnessClass::Decimista => 3,
        };
        m.push((int(2), int(code)));
    }
    if d.deafness {
        m.push((int(3), Value::Bool(true)));
    }
    if let Some(h) = d.handicap {
        let code = match h {
            HandicapGrade::Comma1 => 1,
            HandicapGrade::Comma3Grave => 2,
        };
        m.push((int(4), int(code)));
    }
    if let Some(p) = d.l68_percent {
        m.push((int(5), int(p.hundredths().into())));
    }
    if let Some(j) = &d.judgement {
        m.push((int(6), Value::Text(j.clone())));
    }
    cbor(&Value::Map(m))
}

impl Tok {
    /// The sealed-details claim (-65539) around the raw details map
    /// `details`, sealed as issuance seals: the inner `[m, t, p, ct]` CF
    /// envelope, then HPKE to `sealed_to` with aad `cti || aud` and the
    /// ephemeral key drawn from `ephemeral_seed`.
    fn sealed_claim(&self, details: &[u8]) -> Value {
        let cf = CodiceFiscale::parse(&self.cf).expect("valid CF");
        let cti = self.cti.as_bytes();
        let ct = EnvelopeKey::derive(&cf, cti, &self.kdf, EnvelopeLabel::SecondLevelInner)
            .expect("kdf")
            .seal(cti, details);
        let inner = cbor(&envelope_value(&self.kdf, ct));
        let mut aad = cti.to_vec();
        aad.extend_from_slice(self.audience.as_bytes());
        // Block 0 of the deterministic stream (test-vectors/README.md).
        let mut block = b"attesta/v1/test-vector-rng".to_vec();
        block.extend_from_slice(&self.ephemeral_seed);
        block.extend_from_slice(&0u64.to_be_bytes());
        let (enc, sealed) = hpke_seal(
            &self.sealed_to.public().to_bytes(),
            &sha256(&block),
            b"attesta/v1/level-2",
            &aad,
            &inner,
        );
        Value::Array(vec![Value::Bytes(enc.to_vec()), Value::Bytes(sealed)])
    }
}

/// X25519(scalar, u) (RFC 7748), the scalar clamped.
fn x25519(scalar: [u8; 32], u: [u8; 32]) -> [u8; 32] {
    // Any Montgomery point will do as the vessel for `u`.
    let mut p = ed25519_dalek::SigningKey::from_bytes(&[0; 32])
        .verifying_key()
        .to_montgomery();
    p.0 = u;
    p.mul_clamped(scalar).0
}

const HPKE_KEM_SUITE: &[u8] = b"KEM\x00\x20";
const HPKE_SUITE: &[u8] = b"HPKE\x00\x20\x00\x01\x00\x03";

fn labeled_extract(suite: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> [u8; 32] {
    let ikm = [b"HPKE-v1".as_slice(), suite, label, ikm].concat();
    let (prk, _) = hkdf::Hkdf::<Sha256>::extract(Some(salt), &ikm);
    prk.as_slice().try_into().expect("32 bytes")
}

fn labeled_expand(suite: &[u8], prk: &[u8], label: &[u8], info: &[u8], len: usize) -> Vec<u8> {
    let len16 = u16::try_from(len).expect("short").to_be_bytes();
    let info = [len16.as_slice(), b"HPKE-v1", suite, label, info].concat();
    let mut out = vec![0; len];
    hkdf::Hkdf::<Sha256>::from_prk(prk)
        .expect("prk")
        .expand(&info, &mut out)
        .expect("hkdf length");
    out
}

/// RFC 9180 single-shot `Seal` in base mode, the sender's ephemeral key
/// `DeriveKeyPair(ikm_e)`: returns (enc, ciphertext).
fn hpke_seal(
    pk_r: &[u8; 32],
    ikm_e: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    pt: &[u8],
) -> ([u8; 32], Vec<u8>) {
    let k = HPKE_KEM_SUITE;
    let dkp_prk = labeled_extract(k, b"", b"dkp_prk", ikm_e);
    let sk_e: [u8; 32] = labeled_expand(k, &dkp_prk, b"sk", b"", 32)
        .try_into()
        .expect("32 bytes");
    let mut base = [0u8; 32];
    base[0] = 9;
    let enc = x25519(sk_e, base);
    let dh = x25519(sk_e, *pk_r);
    let kem_context = [enc.as_slice(), pk_r].concat();
    let eae_prk = labeled_extract(k, b"", b"eae_prk", &dh);
    let shared = labeled_expand(k, &eae_prk, b"shared_secret", &kem_context, 32);
    let s = HPKE_SUITE;
    let psk_id_hash = labeled_extract(s, b"", b"psk_id_hash", b"");
    let info_hash = labeled_extract(s, b"", b"info_hash", info);
    let context = [[0u8].as_slice(), &psk_id_hash, &info_hash].concat();
    let secret = labeled_extract(s, &shared, b"secret", b"");
    let key = labeled_expand(s, &secret, b"key", &context, 32);
    let nonce = labeled_expand(s, &secret, b"base_nonce", &context, 12);
    let ct = chacha20poly1305_seal(
        &key.try_into().expect("32 bytes"),
        &nonce.try_into().expect("12 bytes"),
        aad,
        pt,
    );
    (enc, ct)
}

/// The ChaCha20 block function (RFC 8439, section 2.3).
fn chacha20_block(key: &[u8; 32], counter: u32, nonce: &[u8; 12]) -> [u8; 64] {
    let word = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes"));
    let mut s = [0u32; 16];
    s[..4].copy_from_slice(&[0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]);
    for (si, k) in s[4..12].iter_mut().zip(key.chunks_exact(4)) {
        *si = word(k);
    }
    s[12] = counter;
    for (si, n) in s[13..].iter_mut().zip(nonce.chunks_exact(4)) {
        *si = word(n);
    }
    let mut x = s;
    let qr = |x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize| {
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(16);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(12);
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(8);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(7);
    };
    for _ in 0..10 {
        qr(&mut x, 0, 4, 8, 12);
        qr(&mut x, 1, 5, 9, 13);
        qr(&mut x, 2, 6, 10, 14);
        qr(&mut x, 3, 7, 11, 15);
        qr(&mut x, 0, 5, 10, 15);
        qr(&mut x, 1, 6, 11, 12);
        qr(&mut x, 2, 7, 8, 13);
        qr(&mut x, 3, 4, 9, 14);
    }
    let mut out = [0u8; 64];
    for (o, (xi, si)) in out.chunks_exact_mut(4).zip(x.iter().zip(s)) {
        o.copy_from_slice(&xi.wrapping_add(si).to_le_bytes());
    }
    out
}

/// Poly1305 (RFC 8439, section 2.5), in 26-bit limbs.
fn poly1305(key: &[u8; 32], msg: &[u8]) -> [u8; 16] {
    const M: u64 = 0x3ff_ffff;
    let le128 = |b: &[u8]| {
        let mut a = [0u8; 16];
        a[..b.len()].copy_from_slice(b);
        u128::from_le_bytes(a)
    };
    let r = le128(&key[..16]) & 0x0fff_fffc_0fff_fffc_0fff_fffc_0fff_ffff;
    let s = le128(&key[16..]);
    let limb = |x: u128, i: u32| u64::try_from((x >> (26 * i)) & u128::from(M)).expect("26 bits");
    let r = [limb(r, 0), limb(r, 1), limb(r, 2), limb(r, 3), limb(r, 4)];
    let s5 = [0, r[1] * 5, r[2] * 5, r[3] * 5, r[4] * 5];
    let mut h = [0u64; 5];
    for block in msg.chunks(16) {
        // The block with a 1 byte appended: bit 128 for a full block.
        let (n, top) = if block.len() == 16 {
            (le128(block), 1u64 << 24)
        } else {
            (le128(block) | (1u128 << (8 * block.len())), 0)
        };
        for (i, hi) in h.iter_mut().enumerate() {
            let i = u32::try_from(i).expect("small");
            *hi += if i < 4 { limb(n, i) } else { limb(n, 4) | top };
        }
        let d = [
            h[0] * r[0] + h[1] * s5[4] + h[2] * s5[3] + h[3] * s5[2] + h[4] * s5[1],
            h[0] * r[1] + h[1] * r[0] + h[2] * s5[4] + h[3] * s5[3] + h[4] * s5[2],
            h[0] * r[2] + h[1] * r[1] + h[2] * r[0] + h[3] * s5[4] + h[4] * s5[3],
            h[0] * r[3] + h[1] * r[2] + h[2] * r[1] + h[3] * r[0] + h[4] * s5[4],
            h[0] * r[4] + h[1] * r[3] + h[2] * r[2] + h[3] * r[1] + h[4] * r[0],
        ];
        let mut c = 0;
        for (hi, di) in h.iter_mut().zip(d) {
            let v = di + c;
            *hi = v & M;
            c = v >> 26;
        }
        h[0] += c * 5;
        h[1] += h[0] >> 26;
        h[0] &= M;
    }
    // Carried, then reduced modulo p = 2^130 - 5: h + 5 reaches 2^130
    // exactly when h >= p, and then h - p is h + 5 - 2^130.
    let mut c = 0;
    for hi in h.iter_mut().skip(1) {
        *hi += c;
        c = *hi >> 26;
        *hi &= M;
    }
    h[0] += c * 5;
    h[1] += h[0] >> 26;
    h[0] &= M;
    let mut g = [0u64; 5];
    let mut c = 5;
    for (gi, hi) in g.iter_mut().zip(h) {
        *gi = hi + c;
        c = *gi >> 26;
        *gi &= M;
    }
    let h = if c == 1 { g } else { h };
    let acc = h.iter().enumerate().fold(0u128, |a, (i, &x)| {
        a.wrapping_add(u128::from(x) << (26 * i))
    });
    acc.wrapping_add(s).to_le_bytes()
}

/// ChaCha20-Poly1305 (RFC 8439, section 2.8): ciphertext || tag.
fn chacha20poly1305_seal(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], pt: &[u8]) -> Vec<u8> {
    let otk: [u8; 32] = chacha20_block(key, 0, nonce)[..32]
        .try_into()
        .expect("32 bytes");
    let mut ct = Vec::with_capacity(pt.len() + 16);
    for (i, chunk) in pt.chunks(64).enumerate() {
        let ks = chacha20_block(key, u32::try_from(i + 1).expect("short"), nonce);
        ct.extend(chunk.iter().zip(ks).map(|(p, k)| p ^ k));
    }
    let pad = |v: &mut Vec<u8>| v.resize(v.len().next_multiple_of(16), 0);
    let mut mac = aad.to_vec();
    pad(&mut mac);
    mac.extend_from_slice(&ct);
    pad(&mut mac);
    mac.extend_from_slice(&(aad.len() as u64).to_le_bytes());
    mac.extend_from_slice(&(ct.len() as u64).to_le_bytes());
    let tag = poly1305(&otk, &mac);
    ct.extend_from_slice(&tag);
    ct
}

fn second_level(w: &World) -> Vec<V> {
    let mut out = Vec::new();

    // The crafted tokens below are re-signed with the generator's own
    // COSE_Sign1; check once that it is byte-identical to the library's.
    {
        let t = tok(w, "resign-check", typical_details());
        let text = t.issue(&w.inps);
        let (_, lib) = attesta_core::text::decode(&text).expect("decodes");
        assert_eq!(std_cose(&w.inps, claims_of(&text).to_vec()), lib);
    }

    // --- positive ------------------------------------------------------------
    {
        let mut t = tok(w, "l2-typical", typical_details());
        t.kdf = KdfParams::DEFAULT;
        let chars = t.issue(&w.inps).len();
        let mut v = V::token_valid(
            w,
            "l2-typical",
            &format!(
                "A typical second-level token ({chars} characters): civil invalidity 75.5 %, \
                 handicap art. 3 c. 3 (grave), L. 68/99 80 %, for operator comune-bo, with the \
                 default KDF parameters (19 MiB, 2 passes, 1 lane) in its inner layer. The \
                 first-level credential's status entry (index 17 of INPS's list \"1\") is \
                 checked: valid."
            ),
            t,
            w.op_a,
            OP_A,
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut t = tok(w, "l2-every-detail", every_detail());
        t.status = status(42, "1");
        out.push(V::token_valid(
            w,
            "l2-every-detail",
            "A token with every detail: invalidity 100 %, blindness class ventesimista, \
             deafness, handicap grave, L. 68/99 100 % and a judgement wording (non-ASCII, \
             100 characters). No status list is loaded, so revocation is not checked.",
            t,
            w.op_a,
            OP_A,
        ));
    }
    {
        let mut t = tok(w, "l2-operator-b", deaf_details());
        t.audience = OP_B.into();
        t.sealed_to = w.op_b;
        t.status = None;
        out.push(V::token_valid(
            w,
            "l2-operator-b",
            "A minimal token (deafness only) for the second accredited operator, tper-bo, \
             opened with its key; the first-level credential has no status entry (not \
             revocable).",
            t,
            w.op_b,
            OP_B,
        ));
    }
    {
        let t = tok(w, "l2-accreditation-window", typical_details());
        let mut v = V::token_valid(
            w,
            "l2-accreditation-window",
            "comune-bo is accredited from 2026-01-01 to 2027-01-01; verification on 2026-11-15 \
             falls inside the window.",
            t,
            w.op_a,
            OP_A,
        );
        let mut list = l2_list(w);
        list.operators[0].valid_from = Some(ts("2026-01-01T00:00:00Z"));
        list.operators[0].valid_until = Some(ts("2027-01-01T00:00:00Z"));
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }

    // --- the operator --------------------------------------------------------
    {
        let t = tok(w, "l2-wrong-audience", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-wrong-audience",
            "A genuine token for comune-bo, checked by tper-bo (whose key is accredited): \
             addressed to another operator.",
            t,
            "wrong_audience",
            "check",
        );
        v.l2_mut().operator = w.op_b;
        out.push(v);
    }
    {
        let t = tok(w, "l2-operator-not-accredited", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-operator-not-accredited",
            "A genuine token for comune-bo, checked with an X25519 key that no operator of the \
             trust list has.",
            t,
            "operator_not_accredited",
            "check",
        );
        v.l2_mut().operator = w.op_stranger;
        out.push(v);
    }
    {
        let t = tok(w, "l2-no-operators-in-list", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-no-operators-in-list",
            "A genuine token checked with comune-bo's key against the default first-level \
             trust list, which accredits no operator.",
            t,
            "operator_not_accredited",
            "check",
        );
        v.trust_lists = vec![default_trust(w)];
        out.push(v);
    }
    {
        let t = tok(w, "l2-accreditation-ended", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-accreditation-ended",
            "comune-bo's accreditation ended on 2026-11-13; its key is no longer accredited on \
             2026-11-15, even for a token issued while it was.",
            t,
            "operator_not_accredited",
            "check",
        );
        let mut list = l2_list(w);
        list.operators[0].valid_until = Some(ts("2026-11-13T00:00:00Z"));
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        out.push(v);
    }
    {
        let mut t = tok(w, "l2-not-for-this-operator", typical_details());
        t.sealed_to = w.op_stranger;
        out.push(V::token_refused(
            w,
            "l2-not-for-this-operator",
            "A token whose aud is comune-bo but whose details are sealed to another X25519 key \
             (accredited nowhere): comune-bo's accredited key passes the checks but cannot \
             open it.",
            t,
            "not_for_this_operator",
            "open",
        ));
    }
    {
        // Sealed to comune-bo's key with tper-bo in the HPKE AAD, then
        // relabelled and re-signed.
        let mut t = tok(w, "l2-audience-rewritten", typical_details());
        t.audience = OP_B.into();
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(claims::AUD, Value::Text(OP_A.into()));
        out.push(V::token_crafted(
            w,
            "l2-audience-rewritten",
            "A token issued for tper-bo but sealed to comune-bo's key, whose aud was then \
             rewritten to comune-bo and re-signed by the issuer key. The HPKE AAD (cti || aud) \
             binds the audience: it does not open.",
            resigned(w, &c),
            "not_for_this_operator",
            "open",
        ));
    }
    {
        let t = tok(w, "l2-cti-rewritten", typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(
            claims::CTI,
            Value::Bytes(cti_for("another token").as_bytes().to_vec()),
        );
        out.push(V::token_crafted(
            w,
            "l2-cti-rewritten",
            "A genuine token's cti replaced and the claims re-signed by the issuer key. The \
             HPKE AAD (cti || aud) binds the cti: it does not open.",
            resigned(w, &c),
            "not_for_this_operator",
            "open",
        ));
    }

    // --- the holder's CF -------------------------------------------------------
    {
        let t = tok(w, "l2-cf-mismatch", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-cf-mismatch",
            "A genuine token opened with another person's (valid) CF: the operator layer opens, \
             the CF layer does not.",
            t,
            "cf_mismatch",
            "open",
        );
        v.cf_for_verify = OTHER_CF.into();
        out.push(v);
    }
    {
        let t = tok(w, "l2-cf-malformed", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-cf-malformed",
            "A genuine token with the holder's CF mistyped (last character T for S): caught \
             by the check character before anything is opened.",
            t,
            "cf_malformed",
            "open",
        );
        v.cf_for_verify = "RSSMRA85T10A562T".into();
        v.set_cf_error("cf_wrong_check_character");
        out.push(v);
    }
    {
        let mut t = tok(w, "l2-kdf-out-of-bounds", typical_details());
        t.kdf = KdfParams::new(1, 9, 1).expect("kdf");
        out.push(V::token_refused(
            w,
            "l2-kdf-out-of-bounds",
            "A token whose inner layer asks for 9 Argon2id passes (the default limit is 8): \
             refused before any key derivation.",
            t,
            "kdf_params_out_of_bounds",
            "open",
        ));
    }

    // --- dates and revocation ------------------------------------------------
    {
        let mut t = tok(w, "l2-expired", typical_details());
        t.iat = ts("2026-10-10T00:00:00Z");
        t.exp = ts("2026-11-09T00:00:00Z");
        out.push(V::token_refused(
            w,
            "l2-expired",
            "A token issued 2026-10-10 for 30 days (until 2026-11-09), checked on 2026-11-15.",
            t,
            "expired",
            "check",
        ));
    }
    {
        let mut t = tok(w, "l2-not-yet-valid", typical_details());
        t.iat = ts("2026-11-16T00:00:00Z");
        t.exp = ts("2026-12-16T00:00:00Z");
        out.push(V::token_refused(
            w,
            "l2-not-yet-valid",
            "A token issued 2026-11-16, checked a day earlier (beyond the 5-minute skew).",
            t,
            "not_yet_valid",
            "check",
        ));
    }
    {
        let mut t = tok(w, "l2-revoked", typical_details());
        t.status = status(77, "1");
        let mut v = V::token_refused(
            w,
            "l2-revoked",
            "A genuine token whose first-level credential (status index 77 of INPS's list \
             \"1\") has been revoked: revoking the first level revokes its tokens.",
            t,
            "revoked",
            "check",
        );
        v.status_lists = vec![inps_list_1(w).sign()];
        out.push(v);
    }
    {
        let t = tok(w, "l2-revocation-required", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-revocation-required",
            "A genuine token with a status entry, no status list loaded, and a policy that \
             requires revocation to be checked.",
            t,
            "revocation_not_checked",
            "check",
        );
        v.require_revocation = true;
        out.push(v);
    }

    // --- signature and key -----------------------------------------------------
    {
        let t = tok(w, "l2-bad-signature", typical_details());
        let text = t.issue(&w.inps);
        let mut c = claims_of(&text);
        let Some(Value::Array(sealed)) = c.get(claims::ATTESTA_SEALED_DETAILS).cloned() else {
            panic!("sealed details")
        };
        let Value::Bytes(mut ct) = sealed[1].clone() else {
            panic!("ciphertext")
        };
        ct[0] ^= 0x01;
        c.set(
            claims::ATTESTA_SEALED_DETAILS,
            Value::Array(vec![sealed[0].clone(), Value::Bytes(ct)]),
        );
        let mut items = sign1_of(&text);
        items[2] = Value::Bytes(c.to_vec());
        out.push(V::token_crafted(
            w,
            "l2-bad-signature",
            "A genuine token with one bit of the sealed details flipped and the claims \
             re-encoded, keeping the original signature.",
            ad1(&tagged(items)),
            "bad_signature",
            "check",
        ));
    }
    {
        let t = tok(w, "l2-unknown-kid", typical_details());
        let text = t.issue(&w.stranger);
        let mut v = V::token(
            w,
            "l2-unknown-kid",
            "A token signed by a key that is in no trust list.",
            text,
            w.op_a,
            Some(t),
            invalid("unknown_kid", "check"),
        );
        v.issuer = w.stranger;
        out.push(v);
    }

    // --- the level ---------------------------------------------------------------
    {
        let t = tok(w, "l2-as-first-level", typical_details());
        let mut v = V::token_refused(
            w,
            "l2-as-first-level",
            "A genuine second-level token given to first-level verification \
             (`verify_as: first_level`: Verifier::check, then the CF).",
            t,
            "wrong_level",
            "check",
        );
        v.l2_mut().as_first_level = true;
        out.push(v);
    }
    out.push(V::token_crafted(
        w,
        "l2-first-level-code",
        "A genuine first-level code (AT1:, deafness) given to second-level verification \
         with comune-bo's key.",
        cred("l2-first-level-code", deaf()).issue(&w.inps),
        "wrong_level",
        "check",
    ));

    // --- claims --------------------------------------------------------------------
    let genuine = claims_of(&tok(w, "l2-claims", typical_details()).issue(&w.inps));
    out.push(V::token_crafted(
        w,
        "l2-missing-aud",
        "A genuine token's claims without aud (3), re-signed by the issuer key.",
        resigned(w, &without(&genuine, claims::AUD)),
        "missing_claim",
        "check",
    ));
    out.push(V::token_crafted(
        w,
        "l2-missing-first-level-cti",
        "A genuine token's claims without the first-level cti (-65538), re-signed by the \
         issuer key.",
        resigned(w, &without(&genuine, claims::ATTESTA_L1_CTI)),
        "missing_claim",
        "check",
    ));
    out.push(V::token_crafted(
        w,
        "l2-missing-sealed-details",
        "A genuine token's claims without the sealed details (-65539), re-signed by the \
         issuer key.",
        resigned(w, &without(&genuine, claims::ATTESTA_SEALED_DETAILS)),
        "missing_claim",
        "check",
    ));
    {
        let mut c = genuine.clone();
        let Some(Value::Array(mut sealed)) = c.get(claims::ATTESTA_SEALED_DETAILS).cloned() else {
            panic!("sealed details")
        };
        sealed.push(Value::Bytes(vec![]));
        c.set(claims::ATTESTA_SEALED_DETAILS, Value::Array(sealed));
        out.push(V::token_crafted(
            w,
            "l2-sealed-details-three-items",
            "The sealed details (-65539) with a third element, re-signed by the issuer key: \
             [enc, ciphertext] is exactly two byte strings.",
            resigned(w, &c),
            "malformed_claims",
            "check",
        ));
    }
    {
        let mut c = genuine.clone();
        c.set(claims::AUD, Value::Array(vec![Value::Text(OP_A.into())]));
        out.push(V::token_crafted(
            w,
            "l2-aud-array",
            "aud (3) as an array holding comune-bo (JWT style), re-signed by the issuer key: \
             in a token it is one text string.",
            resigned(w, &c),
            "malformed_claims",
            "check",
        ));
    }

    out
}

/// Rules added to format v1 by the review (docs/format.md, appendix):
/// one encoding per credential, and retired keys publish no status lists.
fn review_rules(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        let c = cred("plaintext-short-integer-form", deaf());
        // [32, 0] in preferred serialization: 82 18 20 00 (4 bytes, not 7).
        let pt = cbor(&Value::Array(vec![int(1 << 5), int(0)]));
        out.push(V::negative(
            w,
            "plaintext-short-integer-form",
            "Correctly sealed content [32, 0] (deafness, no revision date) with the integers \
             in their shortest form (4 bytes) instead of the fixed 7-byte form 82 19 hh ll \
             19 hh ll: refused, so that the code's length says nothing about its content.",
            at1(&std_cose(
                &w.inps,
                c.claims_with(c.envelope_with(&pt)).to_vec(),
            )),
            "malformed_claims",
            "open",
        ));
    }
    {
        let c = cred("unprotected-header-not-empty", deaf());
        let items = sign1_items(
            &w.inps,
            std_protected(&w.inps),
            vec![(int(3), int(61))],
            c.claims().to_vec(),
        );
        out.push(V::negative(
            w,
            "unprotected-header-not-empty",
            "A genuine signature, with a content type (3: 61, application/cwt) in the \
             unprotected header, where nothing is signed: the unprotected header must be empty.",
            at1(&tagged(items)),
            "malformed_cose",
            "check",
        ));
    }
    {
        let c = cred("zlib-trailing-bytes", deaf());
        let mut z = zlib(&std_cose(&w.inps, c.claims().to_vec()));
        z.extend_from_slice(b"JUNK");
        out.push(V::negative(
            w,
            "zlib-trailing-bytes",
            "A genuine code compressed with zlib, followed by four bytes after the end of the \
             zlib stream: one code, one encoding.",
            format!("AT1:{}", base45::encode(&z)),
            "bad_compression",
            "check",
        ));
    }
    {
        let c = cred("nested-duplicate-key", deaf());
        let mut claims = c.claims();
        let text = |t: &str| Value::Text(t.into());
        claims.set(
            claims::STATUS,
            Value::Map(vec![(
                text("status_list"),
                Value::Map(vec![
                    (text("idx"), int(3)),
                    (text("idx"), int(17)),
                    (text("uri"), text("1")),
                ]),
            )]),
        );
        out.push(V::negative(
            w,
            "nested-duplicate-key",
            "Signed claims whose status reference repeats idx (3, then 17): a repeated map key \
             is refused at any depth, so that two readers cannot take different values.",
            at1(&std_cose(&w.inps, claims.to_vec())),
            "cbor_duplicate_key",
            "check",
        ));
    }
    {
        // Format review finding 7 made this `status_list_untrusted`; the
        // security review of issue 12 reversed it: refusing every list of
        // a retired key made its codes (valid for up to a year)
        // impossible to revoke. Lists now answer only for credentials of
        // the key that signed them, so a retired key can only revoke, or
        // keep valid, its own codes. Same name and number, new answer.
        let mut c = cred("status-list-by-retired-key", deaf());
        c.status = status(17, "1");
        let mut v = V::negative_issued(
            w,
            "status-list-by-retired-key",
            "The INPS key was retired on 2026-11-05; the code (issued 2026-11-01) stays valid, \
             and the list \"1\" the retired key signed on 2026-11-14 revokes its entry 17: a \
             retired key keeps signing the lists of its own codes (it can answer for nothing \
             else), so those codes stay revocable. Revoked. (Until issue 12 this list was \
             refused as status_list_untrusted.)",
            c,
            "revoked",
            "check",
        );
        let mut list = base_list(w);
        list.issuers[0].valid_until = Some(ts("2026-11-05T00:00:00Z"));
        v.trust_lists = vec![sign_list(&list, &w.root, TL_IAT, TL_EXP)];
        v.status_lists = vec![
            SlSpec {
                entries: &[(17, CredentialStatus::Revoked)],
                ..inps_list_1(w)
            }
            .sign(),
        ];
        out.push(v);
    }
    out
}

/// Library bugs found while writing the second-level vectors.
fn second_level_regressions(_w: &World) -> Vec<V> {
    Vec::new()
}

/// Rules added to second-level tokens after their first vectors: `nbf` and
/// `iss` are honoured as in first-level codes (docs/format.md, section 9,
/// steps 8 and 9), and an empty judgement wording is refused. Issuance
/// writes neither claim and refuses such a wording, so these tokens are
/// genuine ones with claims added and re-signed, or sealed by hand.
fn second_level_review(w: &World) -> Vec<V> {
    let mut out = Vec::new();

    // The hand-made sealing below must be the library's, byte for byte.
    {
        let t = tok(w, "seal-check", typical_details());
        let genuine = claims_of(&t.issue(&w.inps));
        assert_eq!(
            genuine.get(claims::ATTESTA_SEALED_DETAILS),
            Some(&t.sealed_claim(&details_cbor(&t.details))),
            "hand-made HPKE sealing differs from the library's"
        );
    }

    {
        let t = tok(w, "l2-nbf-passed-iss-matching", typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(claims::ISS, Value::Text(INPS.into()));
        c.set_time(claims::NBF, ts("2026-11-14T00:00:00Z"));
        let outcome = Outcome::ValidToken {
            details: t.details.clone(),
            issuer_id: INPS,
            operator_id: OP_A,
            revocation: "not_checked",
        };
        let mut v = V::token(
            w,
            "l2-nbf-passed-iss-matching",
            "A genuine token (issued 2026-11-12) with nbf 2026-11-14 and iss \"INPS\" added and \
             re-signed by the INPS key, checked on 2026-11-15: nbf has passed and iss is the \
             trust-list id of the signing key, so it is accepted. Issuance writes neither \
             claim, hence no inputs; cti, first-level cti and dates are the genuine token's.",
            resigned(w, &c),
            w.op_a,
            None,
            outcome,
        );
        v.l2_mut().crafted_from = Some(t);
        out.push(v);
    }
    {
        let t = tok(w, "l2-not-yet-valid-nbf", typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set_time(claims::NBF, ts("2026-11-16T00:00:00Z"));
        out.push(V::token_crafted(
            w,
            "l2-not-yet-valid-nbf",
            "A genuine token (issued 2026-11-12) with nbf 2026-11-16 added and re-signed by the \
             issuer key, checked on 2026-11-15: its validity starts a day later (beyond the \
             5-minute skew) although iat has passed.",
            resigned(w, &c),
            "not_yet_valid",
            "check",
        ));
    }
    {
        let t = tok(w, "l2-issuer-mismatch", typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(claims::ISS, Value::Text(ASL.into()));
        out.push(V::token_crafted(
            w,
            "l2-issuer-mismatch",
            "A genuine token with iss \"ASL-BO\" added and re-signed by the INPS key: ASL-BO is \
             a trusted issuer, but not the trust-list id of the key that signed.",
            resigned(w, &c),
            "issuer_mismatch",
            "check",
        ));
    }
    {
        let t = tok(w, "l2-empty-judgement", typical_details());
        let mut details = t.details.clone();
        details.judgement = Some(String::new());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(
            claims::ATTESTA_SEALED_DETAILS,
            t.sealed_claim(&details_cbor(&details)),
        );
        out.push(V::token_crafted(
            w,
            "l2-empty-judgement",
            "A token whose details (invalidity 75.5 %, handicap grave, L. 68/99 80 %) carry an \
             empty judgement wording (key 6: \"\"), correctly sealed to comune-bo and to the \
             holder's CF and signed by the issuer key: both layers open, but a judgement is a \
             non-empty wording or absent.",
            resigned(w, &c),
            "invalid_attestation",
            "open",
        ));
    }
    out
}

/// Inputs the fuzzers found, as vectors other implementations can run.
/// Issue 13: the blindness class, the vehicle requirements and the
/// statuses-only form, carried in bits 12–15 and invalidity code 15 of the
/// same 7-byte plaintext.
fn issue13_facts(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let pos =
        |name: &'static str, desc: &str, a: Attestation| V::positive(w, name, desc, cred(name, a));
    out.push(pos(
        "blindness-assoluta-accompaniment",
        "Civil blindness of class assoluta (bits 12-13 = 1) with indennità di accompagnamento.",
        att()
            .blindness_class(BlindnessClass::Assoluta)
            .accompaniment(true)
            .build()
            .expect("valid"),
    ));
    out.push(pos(
        "blindness-ventesimista",
        "Civil blindness of class ventesimista (bits 12-13 = 2): indennità speciale, no \
         accompaniment.",
        att()
            .blindness_class(BlindnessClass::Ventesimista)
            .build()
            .expect("valid"),
    ));
    out.push(pos(
        "vehicle-without-adaptation",
        "Handicap grave with the verbale's requirements for vehicle benefits without adaptation \
         (bits 14-15 = 2, L. 388/2000 art. 30 c. 7).",
        att()
            .handicap(HandicapGrade::Comma3Grave)
            .vehicle(VehicleRequirement::WithoutAdaptation)
            .build()
            .expect("valid"),
    ));
    out.push(pos(
        "vehicle-adapted",
        "Civil invalidity >= 51 % with the requirements for vehicle benefits on an adapted \
         vehicle only (bits 14-15 = 1, L. 449/97 art. 8).",
        att()
            .invalidity(InvalidityAssessment::From51)
            .vehicle(VehicleRequirement::AdaptedVehicle)
            .build()
            .expect("valid"),
    ));
    out.push(pos(
        "statuses-only",
        "The statuses-only form (attesta issue --mostra stati) of a 75 % verbale with L. 68/99 \
         and handicap grave: invalidity code 15 (band not shown).",
        att()
            .invalidity(InvalidityAssessment::From74)
            .disability_l68(true)
            .handicap(HandicapGrade::Comma3Grave)
            .build()
            .expect("valid")
            .statuses_only(),
    ));
    let sealed = |name: &'static str, desc: &str, flags: i64, code| {
        let c = cred(name, deaf());
        let text = at1(&std_cose(
            &w.inps,
            c.claims_with(c.envelope_with(&raw_plaintext(flags, None)))
                .to_vec(),
        ));
        V::negative(w, name, desc, text, code, "open")
    };
    out.push(sealed(
        "ventesimista-with-accompaniment",
        "Civil blindness of class ventesimista with indennità di accompagnamento and no \
         invalidity: the accompaniment goes to ciechi assoluti.",
        (1 << 4) | (2 << 12) | (1 << 9),
        "invalid_attestation",
    ));
    out.push(sealed(
        "vehicle-without-adaptation-no-grave",
        "Vehicle requirements without adaptation (bits 14-15 = 2) for a deaf holder without \
         handicap grave.",
        (1 << 5) | (2 << 14),
        "invalid_attestation",
    ));
    out.push(sealed(
        "vehicle-value-3",
        "Vehicle requirements value 3 (only 1 and 2 exist), besides deafness.",
        (1 << 5) | (3 << 14),
        "unknown_flags",
    ));
    out.push(sealed(
        "class-without-blindness",
        "A blindness class (bits 12-13 = 1) without civil blindness (bit 4), besides deafness.",
        (1 << 5) | (1 << 12),
        "invalid_attestation",
    ));
    out.push(sealed(
        "statuses-only-with-class",
        "The statuses-only invalidity code 15 with a blindness class: that form carries none.",
        15 | (1 << 4) | (1 << 12),
        "invalid_attestation",
    ));
    out.push(sealed(
        "invalidity-code-14",
        "Invalidity code 14 (9-14 are refused; 15 is the statuses-only form).",
        14,
        "unknown_flags",
    ));
    out
}

fn fuzz_regressions(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    // `undefined` (0xf7) has no ciborium value of its own: it reads as null,
    // so a map with keys undefined and null became a map with null twice
    // once written back. Crafted by writing null and patching the byte.
    let mut claims = cred("undefined-and-null-keys", deaf()).claims();
    let marker = [0xf6, 0x61, b'u'];
    claims.set(
        claims::STATUS,
        Value::Map(vec![
            (Value::Null, Value::Text("u".into())),
            (Value::Null, Value::Text("n".into())),
        ]),
    );
    let mut bytes = claims.to_vec();
    let at = bytes
        .windows(marker.len())
        .position(|win| win == marker)
        .expect("the null key is written");
    bytes[at] = 0xf7;
    out.push(V::negative(
        w,
        "undefined-and-null-keys",
        "Regression (found by the claims_roundtrip fuzz target): signed claims whose status \
         reference is the map {undefined: \"u\", null: \"n\"}. The keys differ in their bytes \
         but a CBOR library may read undefined as null, so two readers could see one key with \
         either value; of the simple values only false, true and null are accepted.",
        at1(&std_cose(&w.inps, bytes)),
        "cbor_float_or_simple",
        "check",
    ));
    // 1.0 as a 64-bit and as a 16-bit float: two keys, one value.
    let mut claims = cred("float-keys-one-value", deaf()).claims();
    claims.set(
        claims::STATUS,
        Value::Map(vec![
            (Value::Integer(1.into()), Value::Text("a".into())),
            (Value::Integer(2.into()), Value::Text("b".into())),
        ]),
    );
    let bytes = claims.to_vec();
    let map = [0xa2, 0x01, 0x61, b'a', 0x02, 0x61, b'b'];
    let at = bytes
        .windows(map.len())
        .position(|win| win == map)
        .expect("the status map is written");
    let floats = [
        &[0xa2, 0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x61, b'a'][..],
        &[0xf9, 0x3c, 0x00, 0x61, b'b'],
    ]
    .concat();
    let bytes = [&bytes[..at], &floats, &bytes[at + map.len()..]].concat();
    out.push(V::negative(
        w,
        "float-keys-one-value",
        "Regression (found by the claims_roundtrip fuzz target): signed claims whose status \
         reference is the map {1.0 (64-bit float): \"a\", 1.0 (16-bit float): \"b\"}: distinct \
         bytes, one value. attesta's formats hold no floats.",
        at1(&std_cose(&w.inps, bytes)),
        "cbor_float_or_simple",
        "check",
    ));
    out
}

// ---------------------------------------------------------------------------
// Issue 12: the outside security review
// ---------------------------------------------------------------------------

/// The trust list after INPS rotated keys on 2026-11-05: the first key
/// retired (codes it issued until then stay valid), the second valid from
/// then, both under the id INPS.
fn rotated_list(w: &World) -> TrustList {
    let mut list = base_list(w);
    list.issuers[0].valid_until = Some(ts("2026-11-05T00:00:00Z"));
    list.issuers.push(issuer_entry(
        INPS,
        &w.inps2,
        Some("2026-11-05T00:00:00Z"),
        None,
    ));
    list
}

/// A list "1" of `signer` with entry 17 revoked or valid.
fn list_17<'a>(signer: &'a Key, iat: &'a str, revoked: bool) -> SlSpec<'a> {
    SlSpec {
        signer,
        uri: "1",
        iat,
        exp: None,
        bits: StatusBits::One,
        capacity: 1024,
        entries: if revoked {
            &[(17, CredentialStatus::Revoked)]
        } else {
            &[]
        },
    }
}

fn security_review(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    out.extend(revocation_per_key(w));
    out.extend(denial_per_key(w));
    out.extend(kdf_floor(w));
    out.extend(holder_secret(w));
    out.extend(future_lists(w));
    out
}

/// Finding 7: lists dated after the verification time (beyond the skew).
fn future_lists(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let with_17 = |name: &str| {
        let mut c = cred(name, deaf());
        c.status = status(17, "1");
        c
    };
    {
        let name = "status-list-issued-in-future";
        let mut v = V::negative_issued(
            w,
            name,
            "Security review, finding 7. INPS's list \"1\" says it was issued 2026-11-15 at \
             00:06, six minutes after the verification time (the skew is 5): refused, like a \
             code from the future.",
            with_17(name),
            "status_list_issued_in_future",
            "status_list",
        );
        v.status_lists = vec![list_17(&w.inps, "2026-11-15T00:06:00Z", false).sign()];
        out.push(v);
    }
    {
        let name = "status-list-issued-within-skew";
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 7. INPS's list \"1\" issued 4 minutes after the \
             verification time, within the 5-minute skew: loaded; valid, revocation checked.",
            with_17(name),
        );
        v.status_lists = vec![list_17(&w.inps, "2026-11-15T00:04:00Z", false).sign()];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let name = "trust-list-issued-in-future";
        let mut v = V::negative_issued(
            w,
            name,
            "Security review, finding 7. A validly signed trust list dated a year ahead \
             (2027-11-14): accepted, it would become the clock floor and every code would look \
             expired for a year. Refused.",
            cred(name, deaf()),
            "trust_list_issued_in_future",
            "trust_list",
        );
        v.trust_lists = vec![sign_list(
            &base_list(w),
            &w.root,
            "2027-11-14T00:00:00Z",
            "2027-12-14T00:00:00Z",
        )];
        out.push(v);
    }
    out
}

/// Finding 3: codes that open only with the CF and the holder's secret.
fn holder_secret(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let with_secret = |name: &str| {
        let mut c = cred(name, typical());
        c.secret = Some(secret_for(name));
        c
    };
    {
        let name = "holder-secret";
        let c = with_secret(name);
        let desc = format!(
            "Security review, finding 3. The holder asked for a secret: the envelope ends with \
             the member 1 and its key is derived with the 5-byte secret as Argon2id's secret \
             input. With the CF and the secret {} (as printed): valid.",
            secret_text(c.secret.expect("secret"))
        );
        out.push(V::positive(w, name, &desc, c));
    }
    {
        let name = "holder-secret-default-kdf";
        let mut c = with_secret(name);
        c.kdf = KdfParams::DEFAULT;
        let desc = format!(
            "Security review, finding 3. A code with a holder's secret ({}) at the default KDF \
             (19 MiB, 2 passes), verified with the floor: the example docs/format.md \
             appendix B checks with an independent implementation.",
            secret_text(c.secret.expect("secret"))
        );
        let mut v = V::positive(w, name, &desc, c);
        v.kdf_floor = Some(FLOOR);
        out.push(v);
    }
    {
        let name = "holder-secret-typed-loosely";
        let mut c = with_secret(name);
        c.secret = Some([1, 2, 3, 4, 5]);
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 3. The secret 0410-6105-X typed as \"o4lo 61o5 x\": \
             lower case, spaces instead of hyphens, and the look-alikes O for 0 and L for 1 \
             (Crockford's base32) are read as the printed secret: valid.",
            c,
        );
        v.secret_for_verify = Some("o4lo 61o5 x".into());
        out.push(v);
    }
    {
        let name = "holder-secret-given-for-code-without-one";
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 3. A code without a holder's secret, opened with the CF \
             and a (well-formed) secret: the secret is not used, the code opens with the CF.",
            cred(name, typical()),
        );
        v.secret_for_verify = Some(secret_text(secret_for(name)));
        out.push(v);
    }
    let refused = |name: &'static str, desc: &str, secret: Option<String>, cf: &str, code| {
        let c = with_secret(name);
        let mut v = V::negative_issued(w, name, desc, c, code, "open");
        v.secret_for_verify = secret;
        v.cf_for_verify = cf.to_owned();
        v
    };
    out.push(refused(
        "holder-secret-not-given",
        "Security review, finding 3. A code with a holder's secret, opened with the right CF \
         and no secret: the code says (in its signed envelope) that the secret is needed, so \
         the verifier asks for it before any key derivation.",
        None,
        CF,
        "secret_required",
    ));
    {
        let name = "holder-secret-check-character-wrong";
        let mut typo: Vec<char> = secret_text(secret_for(name)).chars().collect();
        typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        out.push(refused(
            name,
            &format!(
                "Security review, finding 3. The secret {} typed with its first character \
                 changed ({typo}): the check character catches the typo before any key \
                 derivation.",
                secret_text(secret_for(name))
            ),
            Some(typo),
            CF,
            "secret_malformed",
        ));
    }
    out.push(refused(
        "holder-secret-too-short",
        "Security review, finding 3. A secret of 8 characters (the check character left out): \
         not a secret.",
        Some(secret_text(secret_for("holder-secret-too-short"))[..9].to_owned()),
        CF,
        "secret_malformed",
    ));
    out.push(refused(
        "holder-secret-wrong",
        "Security review, finding 3. The right CF and a well-formed secret that is not the \
         holder's: the key derivation runs and the envelope does not open.",
        Some(secret_text([0x42; 5])),
        CF,
        "cf_or_secret_mismatch",
    ));
    {
        let name = "holder-secret-wrong-cf";
        out.push(refused(
            name,
            "Security review, finding 3. The holder's secret with another person's CF: the \
             envelope does not open.",
            Some(secret_text(secret_for(name))),
            OTHER_CF,
            "cf_or_secret_mismatch",
        ));
    }
    {
        let name = "holder-secret-unknown-kind";
        let c = with_secret(name);
        let Value::Array(mut env) = c.envelope_with(&plaintext_of(&c.att)) else {
            panic!("envelope")
        };
        env.push(int(2));
        let text = at1(&std_cose(
            &w.inps,
            c.claims_with(Value::Array(env)).to_vec(),
        ));
        let mut v = V::negative(
            w,
            name,
            "Security review, finding 3. A signed envelope with a fifth member 2: version 1 \
             knows one kind of holder's secret (1), so the key cannot be derived: malformed.",
            text,
            "malformed_claims",
            "check",
        );
        v.secret_for_verify = Some(secret_text(secret_for(name)));
        out.push(v);
    }
    out
}

/// The floor every verifier applies in production: the issuing default.
const FLOOR: (u32, u32) = (19, 2);

/// Finding 4: KDF parameters below the default are refused.
fn kdf_floor(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    for (name, m, t, desc) in [
        (
            "kdf-below-floor-test-parameters",
            1,
            1,
            "Security review, finding 4. A genuine code whose envelope uses Argon2id with \
             1 MiB and 1 pass (a CF guess costs about 3 ms), verified with the default floor \
             (19 MiB, 2 passes): refused in step 1, before any CF is asked for.",
        ),
        (
            "kdf-below-floor-18-mib",
            18,
            2,
            "Security review, finding 4. KDF 18 MiB and 2 passes: one MiB under the floor.",
        ),
        (
            "kdf-below-floor-one-pass",
            46,
            1,
            "Security review, finding 4. KDF 46 MiB and 1 pass (OWASP's other setting of \
             similar cost): the floor asks for at least 2 passes as well as 19 MiB.",
        ),
    ] {
        let mut c = cred(name, deaf());
        c.kdf = KdfParams::new(m, t, 1).expect("kdf");
        let mut v = V::negative_issued(w, name, desc, c, "kdf_below_floor", "check");
        v.kdf_floor = Some(FLOOR);
        out.push(v);
    }
    {
        let name = "kdf-at-floor";
        let mut c = cred(name, deaf());
        c.kdf = KdfParams::DEFAULT;
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 4. A code at the default KDF (19 MiB, 2 passes, 1 lane), \
             verified with the floor: valid.",
            c,
        );
        v.kdf_floor = Some(FLOOR);
        out.push(v);
    }
    {
        let name = "l2-kdf-below-floor";
        let t = tok(w, name, typical_details());
        let mut v = V::token_refused(
            w,
            name,
            "Security review, finding 4. A second-level token whose inner CF layer uses \
             1 MiB and 1 pass, opened with the default floor: refused before any key \
             derivation (the floor is checked where the parameters are known, inside the \
             operator's sealed layer).",
            t,
            "kdf_below_floor",
            "open",
        );
        v.kdf_floor = Some(FLOOR);
        out.push(v);
    }
    out
}

/// Finding 2: a denial names one key by its full fingerprint, so a key
/// made to share a victim's kid cannot take the victim down with it.
fn denial_per_key(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    // Key A is INPS's; key B (same kid, found by search) was slipped in by
    // another issuer and is denied by fingerprint.
    let mut list = base_list(w);
    list.issuers[0] = issuer_entry(INPS, &w.col_a, None, None);
    list.denied_keys
        .insert(w.col_b.sk().public_key().fingerprint());
    let trust = sign_list(&list, &w.root, TL_IAT, TL_EXP);
    {
        let name = "deny-by-fingerprint-spares-colliding-key";
        let c = cred(name, deaf());
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 2. INPS's key A and a key B made to share its kid \
             65987590; the trust list denies B by its full fingerprint (denied_keys). A code \
             signed by A is valid: denying one key never touches another with the same kid.",
            c.clone(),
        );
        v.issuer = w.col_a;
        v.qr_text = c.issue(&w.col_a);
        v.other_keys = vec![w.col_b];
        v.trust_lists = vec![trust.clone()];
        out.push(v);
    }
    {
        let name = "deny-by-fingerprint-refuses-denied-key";
        let c = cred(name, deaf());
        let mut v = V::negative(
            w,
            name,
            "Security review, finding 2. As deny-by-fingerprint-spares-colliding-key, with a \
             code signed by the denied key B: refused (denied_kid), although key A with the same \
             kid is trusted.",
            c.issue(&w.col_b),
            "denied_kid",
            "check",
        );
        v.issuer = w.col_b;
        v.inputs = Some(c);
        v.other_keys = vec![w.col_a];
        v.trust_lists = vec![trust.clone()];
        out.push(v);
    }
    let good = cred("trust-list-denied-key", deaf());
    let good_text = good.issue(&w.inps);
    let tl_vector = |name, desc: &str, lists: Vec<Vec<u8>>, code| {
        let mut v = V::negative(w, name, desc, good_text.clone(), code, "trust_list");
        v.inputs = Some(good.clone());
        v.trust_lists = lists;
        v.other_keys = vec![w.compromised];
        v
    };
    let fp = w.compromised.sk().public_key().fingerprint();
    {
        let mut l1 = base_list(w);
        l1.denied_keys.insert(fp);
        let mut l2 = l1.clone();
        l2.seq = 2;
        l2.issuers
            .push(issuer_entry("ROGUE", &w.compromised, None, None));
        out.push(tl_vector(
            "trust-list-denied-key-reinstated",
            "Security review, finding 2. Sequence 1 denies the compromised key by fingerprint; \
             sequence 2 (validly signed, still denying it) lists that key as an issuer again. \
             A denied key never returns.",
            vec![
                sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
            ],
            "trust_list_denied_key_reinstated",
        ));
    }
    {
        let mut l1 = base_list(w);
        l1.denied_keys.insert(fp);
        let mut l2 = base_list(w);
        l2.seq = 2;
        out.push(tl_vector(
            "trust-list-denied-key-dropped",
            "Security review, finding 2. Sequence 1 denies the compromised key by fingerprint; \
             sequence 2 no longer does. Every later list must keep every denial.",
            vec![
                sign_list(&l1, &w.root, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                sign_list(&l2, &w.root, TL_IAT, TL_EXP),
            ],
            "trust_list_denylist_shrunk",
        ));
    }
    out
}

/// Finding 1: a status list answers only for credentials of the key that
/// signed it.
fn revocation_per_key(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let rotated = sign_list(&rotated_list(w), &w.root, TL_IAT, TL_EXP);
    let old_key_code = |name: &str| {
        let mut c = cred(name, deaf());
        c.status = status(17, "1");
        c
    };
    let other_keys = vec![w.inps2];
    // The review's reproduction, in both loading orders: the old key's
    // list revokes entry 17, the new key's newer list "1" has it valid.
    for (name, new_first) in [
        ("rotation-old-key-revoked-lists-old-then-new", false),
        ("rotation-old-key-revoked-lists-new-then-old", true),
    ] {
        let mut v = V::negative_issued(
            w,
            name,
            &format!(
                "Security review, finding 1. INPS rotated keys on 2026-11-05. The code \
                 (old key, 2026-11-01) names entry 17 of list \"1\". The old key's list \
                 \"1\" (2026-11-14) revokes it; the new key's list \"1\" (2026-11-14T12:00, \
                 newer) has entry 17 valid. Loaded {}: only the list of the code's own key \
                 answers, so the code is revoked (it was reported valid, revocation checked).",
                if new_first {
                    "new key's list first"
                } else {
                    "old key's list first"
                }
            ),
            old_key_code(name),
            "revoked",
            "check",
        );
        v.other_keys = other_keys.clone();
        v.trust_lists = vec![rotated.clone()];
        let old = list_17(&w.inps, SL_IAT, true).sign();
        let new = list_17(&w.inps2, "2026-11-14T12:00:00Z", false).sign();
        v.status_lists = if new_first {
            vec![new, old]
        } else {
            vec![old, new]
        };
        out.push(v);
    }
    {
        let name = "rotation-old-key-only-new-keys-list";
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 1. Only the new INPS key's list \"1\" is loaded (entry 17 \
             revoked there); the code is the old key's, entry 17 of its own list \"1\". \
             Another key's list never answers for it: valid, revocation not checked.",
            old_key_code(name),
        );
        v.other_keys = other_keys.clone();
        v.trust_lists = vec![rotated.clone()];
        v.status_lists = vec![list_17(&w.inps2, SL_IAT, true).sign()];
        out.push(v);
    }
    {
        let name = "rotation-old-key-only-new-keys-list-required";
        let mut v = V::negative_issued(
            w,
            name,
            "Security review, finding 1. As rotation-old-key-only-new-keys-list (the new key's \
             list \"1\" has entry 17 valid), with revocation required: the old key's list \
             is missing, so revocation cannot be checked.",
            old_key_code(name),
            "revocation_not_checked",
            "check",
        );
        v.other_keys = other_keys.clone();
        v.trust_lists = vec![rotated.clone()];
        v.status_lists = vec![list_17(&w.inps2, SL_IAT, false).sign()];
        v.require_revocation = true;
        out.push(v);
    }
    {
        let name = "rotation-new-key-code-its-own-list";
        let mut c = cred(name, deaf());
        c.iat = ts("2026-11-10T00:00:00Z");
        c.status = status(17, "1");
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 1. A code of the new INPS key (2026-11-10), entry 17 of \
             list \"1\". Both keys' lists \"1\" are loaded: the old key's revokes entry 17, \
             the new key's has it valid. Only the new key's list answers: valid, checked.",
            c.clone(),
        );
        v.issuer = w.inps2;
        v.qr_text = c.issue(&w.inps2);
        v.other_keys = vec![w.inps];
        v.trust_lists = vec![rotated.clone()];
        v.status_lists = vec![
            list_17(&w.inps, SL_IAT, true).sign(),
            list_17(&w.inps2, SL_IAT, false).sign(),
        ];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let name = "retired-key-list-answers-for-its-codes";
        let mut v = V::positive(
            w,
            name,
            "Security review, finding 1. The old INPS key, retired on 2026-11-05, signs its \
             list \"1\" on 2026-11-14 (entry 17 valid). Retirement limits the iat of new \
             codes, not the lists of the codes already issued: valid, revocation checked.",
            old_key_code(name),
        );
        v.other_keys = other_keys.clone();
        v.trust_lists = vec![rotated.clone()];
        v.status_lists = vec![list_17(&w.inps, SL_IAT, false).sign()];
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let name = "default-uri-is-the-kid";
        let uri = w.inps.kid().to_string();
        let mut c = cred(name, deaf());
        c.status = status(17, &uri);
        let mut v = V::positive(
            w,
            name,
            &format!(
                "Security review, finding 1. The reference issuer now names each key's lists \
                 after the key's kid (\"{uri}\" for INPS), so that no two keys share a uri. \
                 The list \"{uri}\" is loaded: valid, revocation checked."
            ),
            c,
        );
        let uri_static: &'static str = Box::leak(uri.into_boxed_str());
        v.status_lists = vec![
            SlSpec {
                uri: uri_static,
                ..list_17(&w.inps, SL_IAT, false)
            }
            .sign(),
        ];
        v.set_revocation("checked");
        out.push(v);
    }
    out
}

// ---------------------------------------------------------------------------
// Issue 16: the rules docs/format.md makes exact
// ---------------------------------------------------------------------------
//
// One function per part of the specification, so that each can move on its
// own. Every vector pins one rule of test-vectors/README.md's table: the
// mutation check (test-vectors/mutate.sh) breaks the rule in the verifier
// and requires the vector to fail.

fn exact_format(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    out.extend(exact_text_layer(w));
    out.extend(exact_compression(w));
    out.extend(exact_cbor(w));
    out.extend(exact_protected_header(w));
    out.extend(exact_ed25519(w));
    out.extend(exact_dates(w));
    out.extend(exact_status_ties(w));
    out.extend(exact_lists(w));
    out.extend(exact_details(w));
    out.extend(exact_cf(w));
    out.extend(exact_header_values(w));
    out.extend(exact_verify_url(w));
    out
}

/// Codes inside a web verifier's address (docs/format.md §2.2.1), added
/// with the web verifier (issue 15): unwrapped after the whole text is
/// trimmed, nothing trimmed inside the fragment.
fn exact_verify_url(w: &World) -> Vec<V> {
    use attesta_core::text::VerifyUrl;
    let url = VerifyUrl::parse("https://verifica.example.it/").expect("a verifier address");
    let mut out = Vec::new();
    {
        let c = cred("url-wrapped", deaf());
        let wrapped = url.wrap(&c.issue(&w.inps));
        assert!(
            wrapped.contains("%20") || wrapped.contains("%25"),
            "escapes to decode"
        );
        let mut v = V::positive(
            w,
            "url-wrapped",
            "A genuine code in the fragment of a web verifier's address, its spaces written \
             %20 and its % written %25 (what `attesta issue --verify-url` prints): unwrapped, \
             valid.",
            c,
        );
        v.qr_text = wrapped;
        v.text_variant = Some("in the fragment of https://verifica.example.it/");
        out.push(v);
    }
    {
        let c = cred("url-wrapped-trimmed", deaf());
        let wrapped = url.wrap(&c.issue(&w.inps)).replacen("https", "HTTPS", 1);
        let mut v = V::positive(
            w,
            "url-wrapped-trimmed",
            "The same with U+FEFF and a space before the address, CR and LF after it, and the \
             scheme in capitals: the whole text is trimmed, then unwrapped.",
            c,
        );
        v.qr_text = format!("\u{feff} {wrapped}\r\n");
        v.text_variant =
            Some("in the fragment of HTTPS://verifica.example.it/, with trimmed characters around");
        out.push(v);
    }
    let c = cred("url-fragment-leading-space", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "url-fragment-leading-space",
        "A genuine code in a verifier's address with %20 (a space) before it in the \
         fragment: nothing is trimmed inside the fragment, so it is not a code, and the \
         address itself is decoded: no prefix.",
        &c,
        url.wrap(&format!(" {text}")),
        "bad_prefix",
        "check",
    ));
    let c = cred("url-fragment-lowercase-prefix", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "url-fragment-lowercase-prefix",
        "A genuine code in a verifier's address with its prefix in lowercase (at1:): only \
         AT1:, AD1: or a later version's prefix is unwrapped, so the address itself is \
         decoded (bad_prefix, not lowercase_text).",
        &c,
        url.wrap(&text.replacen("AT1:", "at1:", 1)),
        "bad_prefix",
        "check",
    ));
    let c = cred("url-fragment-bad-escape", deaf());
    let wrapped = url.wrap(&c.issue(&w.inps));
    let bad = wrapped.replacen("%20", "%2G", 1);
    assert_ne!(bad, wrapped);
    out.push(V::altered(
        w,
        "url-fragment-bad-escape",
        "A genuine code in a verifier's address with its first escape %20 changed to %2G: \
         every % must be followed by two hexadecimal digits, so the fragment is not \
         decoded, and the address itself has no prefix.",
        &c,
        bad,
        "bad_prefix",
        "check",
    ));
    {
        let (_, text) = sized_code(w, "url-wrapped-too-long", 2862);
        assert_eq!(text.len(), 4297);
        out.push(V::negative(
            w,
            "url-wrapped-too-long",
            "A signed code of 4297 characters (2862 bytes of COSE) in a verifier's address: \
             the length limit applies to the unwrapped code.",
            url.wrap(&text),
            "text_too_long",
            "check",
        ));
    }
    out
}

/// Header values of a type the rules name by their code alone (appended
/// last, so that the numbers above stay).
fn exact_header_values(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let k = w.inps.kid();
    let k = k.as_bytes();
    let signed = |name: &str, prot: Vec<u8>| {
        let c = cred(name, deaf());
        at1(&tagged(sign1_items(
            &w.inps,
            prot,
            vec![],
            c.claims().to_vec(),
        )))
    };
    for (name, prot, desc, code) in [
        (
            "kid-empty",
            vec![0xa2, 0x01, 0x27, 0x04, 0x40],
            "A code whose protected header has an empty kid (4: h''), signed by INPS over \
             those bytes: a kid is exactly 4 bytes, anything else is missing_kid, whatever \
             its length or type.",
            "missing_kid",
        ),
        (
            "kid-text",
            [&[0xa2, 0x01, 0x27, 0x04, 0x64][..], b"abcd"].concat(),
            "A code whose protected header has a text kid (4: \"abcd\"), signed by INPS over \
             those bytes.",
            "missing_kid",
        ),
        (
            "alg-byte-string",
            [&[0xa2, 0x01, 0x41, 0xf8, 0x04, 0x44][..], k].concat(),
            "A code whose protected header has alg as a byte string (1: h'f8'), signed by INPS \
             over those bytes: any alg other than the integer -8 is unsupported_alg.",
            "unsupported_alg",
        ),
        (
            "protected-header-not-a-map",
            [&[0x82, 0x27, 0x44][..], k].concat(),
            "A code whose protected header is the array [-8, kid] instead of a map, signed by \
             INPS over those bytes.",
            "malformed_cose",
        ),
    ] {
        out.push(V::negative(
            w,
            name,
            desc,
            signed(name, prot),
            code,
            "check",
        ));
    }
    out
}

impl V {
    /// A crafted first-level code (signed by INPS) that must be accepted as
    /// the credential `from` it was made from.
    fn crafted_valid(
        w: &World,
        name: &'static str,
        description: &str,
        text: String,
        from: Cred,
    ) -> V {
        let mut v = V::negative(w, name, description, text, "", "");
        v.outcome = Outcome::Valid {
            attestation: from.att.clone(),
            issuer_id: INPS,
            revocation: if from.status.is_some() {
                "not_checked"
            } else {
                "not_revocable"
            },
        };
        v.cf_for_verify = from.cf.clone();
        v.crafted_from = Some(from);
        v
    }
}

impl V {
    /// A negative vector around a genuine code of `c` whose text was then
    /// altered: no inputs, since re-issuing gives the unaltered text.
    fn altered(
        w: &World,
        name: &'static str,
        description: &str,
        c: &Cred,
        text: String,
        code: &'static str,
        stage: &'static str,
    ) -> V {
        let mut v = V::negative(w, name, description, text, code, stage);
        v.cf_for_verify = c.cf.clone();
        v
    }
}

/// `AT1:` + base45 of a COSE_Sign1 of `claims` (bytes as given) by INPS.
fn signed_by_inps(w: &World, claims: Vec<u8>) -> String {
    at1(&std_cose(&w.inps, claims))
}

/// Deterministic filler bytes.
fn filler(label: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut i = 0u64;
    while out.len() < len {
        out.extend_from_slice(&sha256(
            format!("attesta test vector filler {label} {i}").as_bytes(),
        ));
        i += 1;
    }
    out.truncate(len);
    out
}

/// `claims` (a CBOR map of fewer than 23 entries) with one more entry, given
/// as raw bytes: for values no CBOR library writes.
fn with_raw_entry(claims: &[u8], entry: &[u8]) -> Vec<u8> {
    let head = claims[0];
    assert!((0xa0..0xb7).contains(&head), "a small map");
    [&[head + 1][..], &claims[1..], entry].concat()
}

/// `bytes` with the one occurrence of `from` replaced by `to`.
fn patched(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("the pattern occurs");
    assert!(
        bytes[at + 1..].windows(from.len()).all(|w| w != from),
        "the pattern occurs once"
    );
    [&bytes[..at], to, &bytes[at + from.len()..]].concat()
}

/// Number of CBOR data items in a value (what the guard counts).
fn items(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(items).sum(),
        Value::Map(m) => m.iter().map(|(k, v)| items(k) + items(v)).sum(),
        Value::Tag(_, inner) => items(inner),
        _ => 0,
    }
}

/// The COSE bytes of a code's text.
fn cose_of(text: &str) -> Vec<u8> {
    attesta_core::text::decode(text).expect("decodes").1
}

fn zlib_at(data: &[u8], level: u32) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::new(level));
    z.write_all(data).expect("zlib");
    z.finish().expect("zlib")
}

// --- §2 Text layer ------------------------------------------------------------

fn exact_text_layer(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        let c = cred("trim-listed-characters", deaf());
        let text = c.issue(&w.inps);
        let mut v = V::positive(
            w,
            "trim-listed-characters",
            "A genuine code with U+FEFF, space, tab, CR and LF before it and CR, LF, tab, space \
             and U+FEFF after it: exactly the five characters a decoder trims at both ends \
             (what scanners, text files and clipboards add).",
            c,
        );
        v.qr_text = format!("\u{feff} \t\r\n{text}\r\n\t \u{feff}");
        v.text_variant = Some("the reference text with the five trimmed characters around it");
        out.push(v);
    }
    let c = cred("trailing-no-break-space", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "trailing-no-break-space",
        "A genuine code followed by a no-break space (U+00A0): Unicode white space, but not one \
         of the five characters trimmed, so it is part of the body, where base45 has no such \
         character.",
        &c,
        format!("{text}\u{a0}"),
        "bad_base45",
        "check",
    ));
    let c = cred("leading-ideographic-space", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "leading-ideographic-space",
        "A genuine code preceded by an ideographic space (U+3000): not trimmed, so the text \
         does not start with a prefix.",
        &c,
        format!("\u{3000}{text}"),
        "bad_prefix",
        "check",
    ));
    let c = cred("inner-line-break", deaf());
    let text = c.issue(&w.inps);
    out.push(V::altered(
        w,
        "inner-line-break",
        "A genuine code with a line feed after its 100th character (a copy wrapped by a mail \
         program): trimming is at the ends only, and base45 has no line feed.",
        &c,
        format!("{}\n{}", &text[..100], &text[100..]),
        "bad_base45",
        "check",
    ));
    {
        // A final base45 pair is worth at most 255; 256 more decodes to the
        // same byte modulo 256 in lenient decoders.
        let c = cred("base45-final-pair-overflow", deaf());
        let text = c.issue(&w.inps);
        assert_eq!(
            cose_of(&text).len() % 2,
            1,
            "an odd COSE length ends in a pair"
        );
        const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        let (head, pair) = text.split_at(text.len() - 2);
        let val = |ch: u8| B45.iter().position(|x| *x == ch).expect("base45");
        let p = pair.as_bytes();
        let v = val(p[0]) + 45 * val(p[1]) + 256;
        let bumped = format!("{head}{}{}", B45[v % 45] as char, B45[v / 45] as char);
        out.push(V::altered(
            w,
            "base45-final-pair-overflow",
            "A genuine code whose final base45 pair is replaced by one worth 256 more (over \
             255): a decoder that keeps the value modulo 256 reads the same COSE bytes, but \
             a pair above 255 is not base45 (RFC 9285), and one code has one text.",
            &c,
            bumped,
            "bad_base45",
            "check",
        ));
    }
    {
        // 4296 characters = "AT1:" + 4292 of base45 = 2861 bytes of COSE.
        let sized = |name: &str, cose_len: usize| sized_code(w, name, cose_len);
        let (c, text) = sized("text-at-max-length", 2861);
        assert_eq!(text.len(), 4296);
        out.push(V::crafted_valid(
            w,
            "text-at-max-length",
            "A code of 4296 characters, the most a QR code holds: the credential's claims with \
             an unknown claim 99 of 2700-odd filler bytes, signed by INPS (2861 bytes of COSE, \
             not compressed). At the limit, so accepted; unknown claims are ignored.",
            text,
            c,
        ));
        let (_, text) = sized("text-one-past-max-length", 2862);
        assert_eq!(text.len(), 4297);
        out.push(V::negative(
            w,
            "text-one-past-max-length",
            "The same kind of code one byte of COSE longer: 4297 characters, one past the \
             limit, refused before decoding although its signature is genuine.",
            text,
            "text_too_long",
            "check",
        ));
    }
    out
}

/// A code signed by INPS of exactly `cose_len` bytes of COSE: the
/// credential's claims and an unknown claim 99 of filler bytes.
fn sized_code(w: &World, name: &str, cose_len: usize) -> (Cred, String) {
    let c = cred(name, deaf());
    let base = c.claims();
    let mut fill = cose_len.saturating_sub(std_cose(&w.inps, base.to_vec()).len() + 8);
    loop {
        let mut claims = base.clone();
        claims.set(99, Value::Bytes(filler(name, fill)));
        let cose = std_cose(&w.inps, claims.to_vec());
        match cose.len().cmp(&cose_len) {
            std::cmp::Ordering::Equal => return (c, at1(&cose)),
            std::cmp::Ordering::Less => fill += 1,
            std::cmp::Ordering::Greater => panic!("{name}: cannot reach {cose_len} bytes"),
        }
    }
}

// --- §2.3 Compression ---------------------------------------------------------

fn exact_compression(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    // Codes made longer by a status uri: a run of one letter compresses well.
    let with_uri = |name: &'static str, uri: String| {
        let mut c = cred(name, deaf());
        c.status = status(17, &uri);
        c
    };
    let sized = |name: &'static str, cose_len: usize| {
        for n in 1..5000 {
            let c = with_uri(name, "A".repeat(n));
            let cose = std_cose(&w.inps, c.claims().to_vec());
            if cose.len() == cose_len {
                return c;
            }
            assert!(cose.len() < cose_len, "{name}: {cose_len} bytes skipped");
        }
        panic!("{name}: no uri length gives {cose_len} bytes")
    };
    {
        let c = sized("compressed-smallest", 257);
        let text = c.issue(&w.inps);
        assert_eq!(
            base45::decode(body(&text)).expect("base45")[0],
            0x78,
            "compressed"
        );
        out.push(V::positive(
            w,
            "compressed-smallest",
            "The smallest code the reference encoder compresses: 257 bytes of COSE (a status \
             uri of repeated letters), deflated at level 9 into a much shorter zlib stream. \
             Decoders must inflate a body whose first byte is 0x78.",
            c,
        ));
    }
    {
        let c = sized("not-compressed-at-256", 256);
        let text = c.issue(&w.inps);
        assert_ne!(base45::decode(body(&text)).expect("base45")[0], 0x78, "raw");
        out.push(V::positive(
            w,
            "not-compressed-at-256",
            "A code of 256 bytes of COSE that would compress: the reference encoder tries zlib \
             only above 256 bytes, so it is sent raw. Both forms are valid; the COSE bytes are \
             the identity of a code.",
            c,
        ));
    }
    {
        // zlib at level 9 exactly one byte shorter than the COSE, and exactly
        // as long: a random uri (no gain) ending in a run (a fixed gain).
        // Printable ASCII at random (no repeats for LZ77, too many symbols
        // for a Huffman table to pay for itself) and a run of one letter;
        // zlib's choice of block kind makes the size jump, so the search
        // walks lengths and runs.
        let random: String = filler("compression edge", 300)
            .iter()
            .map(|b| char::from(0x21 + b % 94))
            .collect();
        let saving = |name: &'static str, saved: usize| {
            (150..300)
                .flat_map(|len| (0..40).map(move |run| (len, run)))
                .map(|(len, run)| with_uri(name, format!("{}{}", &random[..len], "A".repeat(run))))
                .find_map(|c| {
                    let cose = std_cose(&w.inps, c.claims().to_vec());
                    (cose.len() > 256 && zlib(&cose).len() + saved == cose.len())
                        .then_some((c, cose))
                })
                .unwrap_or_else(|| panic!("{name}: no uri where zlib saves {saved} bytes"))
        };
        let (shorter, _) = saving("compressed-one-byte-shorter", 1);
        out.push(V::positive(
            w,
            "compressed-one-byte-shorter",
            "A code whose zlib stream (level 9) is exactly one byte shorter than its COSE \
             bytes: compressed by the reference encoder, and accepted, since it is strictly \
             shorter.",
            shorter,
        ));
        let (c, cose) = saving("compressed-as-long-as-raw", 0);
        out.push(V::altered(
            w,
            "compressed-as-long-as-raw",
            "A genuine code sent in a zlib stream exactly as long as its COSE bytes (the \
             reference encoder sends it raw): compression that does not make the code strictly \
             shorter gives one code a second text, and is refused.",
            &c,
            format!("AT1:{}", base45::encode(zlib(&cose))),
            "bad_compression",
            "check",
        ));
    }
    {
        let c = sized("compressed-other-level", 300);
        let cose = cose_of(&c.issue(&w.inps));
        let level1 = zlib_at(&cose, 1);
        assert!(level1.len() < cose.len() && level1 != zlib(&cose));
        let mut v = V::positive(
            w,
            "compressed-other-level",
            "A code compressed at zlib level 1 instead of the reference encoder's level 9: \
             another stream, still shorter than the COSE bytes, so accepted. A decoder must \
             not expect one particular deflate output.",
            c,
        );
        v.qr_text = format!("AT1:{}", base45::encode(level1));
        v.text_variant = Some("compressed at zlib level 1 instead of level 9");
        out.push(v);
    }
    {
        let c = sized("zlib-trailing-bytes-shorter", 300);
        let cose = cose_of(&c.issue(&w.inps));
        let mut z = zlib(&cose);
        z.extend_from_slice(b"JUNK");
        assert!(z.len() < cose.len());
        out.push(V::altered(
            w,
            "zlib-trailing-bytes-shorter",
            "A compressible genuine code (300 bytes of COSE) whose zlib stream is followed by 4 \
             bytes (JUNK), still much shorter than the COSE bytes: bytes after the stream are \
             refused on their own.",
            &c,
            format!("AT1:{}", base45::encode(z)),
            "bad_compression",
            "check",
        ));
    }
    {
        let c = cred("compressed-stored", deaf());
        let cose = cose_of(&c.issue(&w.inps));
        let stored = zlib_at(&cose, 0);
        assert!(stored.len() > cose.len());
        out.push(V::altered(
            w,
            "compressed-stored",
            "A genuine code re-wrapped in a zlib stream of stored (uncompressed) blocks, 11 \
             bytes longer than its COSE bytes: refused, it is not compression.",
            &c,
            format!("AT1:{}", base45::encode(stored)),
            "bad_compression",
            "check",
        ));
    }
    {
        let c = sized("compressed-at-cap", 4096);
        out.push(V::positive(
            w,
            "compressed-at-cap",
            "A code that inflates to exactly 4096 bytes of COSE (a status uri of 3900-odd \
             repeated letters), the cap of attesta codes: accepted.",
            c,
        ));
        let c = sized("compressed-one-past-cap", 4097);
        out.push(V::negative_issued(
            w,
            "compressed-one-past-cap",
            "The same kind of code inflating to 4097 bytes, one past the cap: refused while \
             inflating, although its signature is genuine.",
            c,
            "decompressed_too_large",
            "check",
        ));
    }
    out
}

// --- §3 CBOR --------------------------------------------------------------------

fn exact_cbor(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    // Depth: the claims map is depth 1, claim 99's value depth 2.
    let nested = |arrays: usize| {
        let mut v = int(0);
        for _ in 0..arrays {
            v = Value::Array(vec![v]);
        }
        v
    };
    {
        let c = cred("cbor-depth-at-limit", deaf());
        let mut claims = c.claims();
        claims.set(99, nested(6));
        out.push(V::crafted_valid(
            w,
            "cbor-depth-at-limit",
            "Signed claims with an unknown claim 99 holding six nested arrays around 0: the \
             claims map is at depth 1, the arrays at depths 2 to 7, the 0 at depth 8, the \
             limit. Accepted (unknown claims are ignored).",
            signed_by_inps(w, claims.to_vec()),
            c,
        ));
        let c = cred("cbor-depth-one-past", deaf());
        let mut claims = c.claims();
        claims.set(99, nested(7));
        out.push(V::negative(
            w,
            "cbor-depth-one-past",
            "The same with seven nested arrays: the 0 is at depth 9. Depth counts every item, \
             scalars included.",
            signed_by_inps(w, claims.to_vec()),
            "cbor_too_deep",
            "check",
        ));
    }
    {
        let at = |name: &str, total: usize| {
            let c = cred(name, deaf());
            let mut claims = c.claims();
            let base: Value = ciborium::from_reader(claims.to_vec().as_slice()).expect("cbor");
            // The key and the array count 2 items; the rest are zeros.
            let zeros = total - items(&base) - 2;
            claims.set(99, Value::Array(vec![int(0); zeros]));
            let bytes = claims.to_vec();
            let v: Value = ciborium::from_reader(bytes.as_slice()).expect("cbor");
            assert_eq!(items(&v), total);
            (c, signed_by_inps(w, bytes))
        };
        let (c, text) = at("cbor-items-at-limit", 512);
        out.push(V::crafted_valid(
            w,
            "cbor-items-at-limit",
            "Signed claims of exactly 512 data items (the limit of codes): the credential's \
             claims and an unknown claim 99 holding an array of zeros. Every item counts: each \
             map key and value, each array and each element.",
            text,
            c,
        ));
        let (_, text) = at("cbor-items-one-past", 513);
        out.push(V::negative(
            w,
            "cbor-items-one-past",
            "The same with one zero more: 513 items.",
            text,
            "cbor_too_many_items",
            "check",
        ));
    }
    {
        let c = cred("cbor-integer-not-shortest", deaf());
        let claims = c.claims().to_vec();
        let exp = u32::try_from(c.exp.as_second())
            .expect("fits")
            .to_be_bytes();
        let short = [&[0x04, 0x1a][..], &exp].concat();
        let long = [&[0x04, 0x1b, 0, 0, 0, 0][..], &exp].concat();
        out.push(V::negative(
            w,
            "cbor-integer-not-shortest",
            "Signed claims whose exp is written with an 8-byte argument (1b 00000000 …) where \
             4 bytes suffice: same value, another encoding.",
            signed_by_inps(w, patched(&claims, &short, &long)),
            "cbor_not_shortest_form",
            "check",
        ));
    }
    {
        let c = cred("cbor-length-not-shortest", deaf());
        let claims = c.claims().to_vec();
        let cti = c.cti.as_bytes();
        let short = [&[0x07, 0x48][..], cti].concat();
        let long = [&[0x07, 0x58, 0x08][..], cti].concat();
        out.push(V::negative(
            w,
            "cbor-length-not-shortest",
            "Signed claims whose cti's length (8) is written in a second byte (58 08) instead \
             of the initial byte (48).",
            signed_by_inps(w, patched(&claims, &short, &long)),
            "cbor_not_shortest_form",
            "check",
        ));
    }
    let raw_claim = |name: &'static str, value: &[u8]| {
        let c = cred(name, deaf());
        let entry = [&[0x18, 0x63][..], value].concat();
        signed_by_inps(w, with_raw_entry(&c.claims().to_vec(), &entry))
    };
    out.push(V::negative(
        w,
        "cbor-bignum",
        "Signed claims with an unknown claim 99 = 2(h'01'), a bignum: a second encoding of \
         integers, refused wherever it is.",
        raw_claim("cbor-bignum", &[0xc2, 0x41, 0x01]),
        "malformed_cbor",
        "check",
    ));
    out.push(V::negative(
        w,
        "cbor-text-invalid-utf8",
        "Signed claims with an unknown claim 99 = a text string holding the byte ff: not \
         UTF-8. Readers would refuse it, replace it or pass it through.",
        raw_claim("cbor-text-invalid-utf8", &[0x61, 0xff]),
        "cbor_invalid_utf8",
        "check",
    ));
    out.push(V::negative(
        w,
        "cbor-simple-value",
        "Signed claims with an unknown claim 99 = simple(16) (f0): of major type 7 only \
         false, true and null are accepted.",
        raw_claim("cbor-simple-value", &[0xf0]),
        "cbor_float_or_simple",
        "check",
    ));
    {
        let c = cred("claims-text-key-ignored", deaf());
        let entry = [0x61, b'x', 0x01];
        out.push(V::crafted_valid(
            w,
            "claims-text-key-ignored",
            "Signed claims with a text key (\"x\": 1) beside the integer keys: legal in CWT, \
             unused by attesta, ignored.",
            signed_by_inps(w, with_raw_entry(&c.claims().to_vec(), &entry)),
            c,
        ));
    }
    out
}

// --- §3 The protected header --------------------------------------------------

fn exact_protected_header(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let kid = w.inps.kid();
    let k = kid.as_bytes();
    let header = |parts: &[&[u8]]| parts.concat();
    let signed = |name: &str, prot: Vec<u8>| {
        let c = cred(name, deaf());
        at1(&tagged(sign1_items(
            &w.inps,
            prot,
            vec![],
            c.claims().to_vec(),
        )))
    };
    for (name, prot, desc, code) in [
        (
            "protected-header-float",
            header(&[
                &[0xa3, 0x01, 0x27, 0x04, 0x44],
                k,
                &[0x18, 0x63, 0xf9, 0x3e, 0x00],
            ]),
            "A code whose protected header {1: -8, 4: kid, 99: 1.5} holds a float, signed by \
             INPS over those bytes.",
            "cbor_float_or_simple",
        ),
        (
            "protected-header-undefined",
            header(&[&[0xa3, 0x01, 0x27, 0x04, 0x44], k, &[0x18, 0x63, 0xf7]]),
            "A code whose protected header holds undefined (99: f7), which CBOR libraries read \
             as null; signed by INPS over those bytes.",
            "cbor_float_or_simple",
        ),
        (
            "protected-header-indefinite-map",
            header(&[&[0xbf, 0x01, 0x27, 0x04, 0x44], k, &[0xff]]),
            "A code whose protected header is the indefinite-length map bf 01 27 04 44 kid ff, \
             signed by INPS over those bytes.",
            "cbor_indefinite_length",
        ),
        (
            "protected-header-alg-not-shortest",
            header(&[&[0xa2, 0x01, 0x38, 0x07, 0x04, 0x44], k]),
            "A code whose protected header writes alg -8 as 38 07 instead of 27, signed by \
             INPS over those bytes.",
            "cbor_not_shortest_form",
        ),
        (
            "protected-header-duplicate-label",
            header(&[&[0xa3, 0x01, 0x27, 0x04, 0x44], k, &[0x01, 0x27]]),
            "A code whose protected header repeats alg (1: -8 twice), signed by INPS over those \
             bytes.",
            "cbor_duplicate_key",
        ),
        (
            "protected-header-trailing-bytes",
            header(&[&[0xa2, 0x01, 0x27, 0x04, 0x44], k, &[0x00]]),
            "A code whose protected header byte string holds the header map and one more byte \
             (00), signed by INPS over those bytes.",
            "cbor_trailing_bytes",
        ),
        (
            "protected-header-invalid-utf8",
            header(&[&[0xa3, 0x01, 0x27, 0x04, 0x44], k, &[0x10, 0x61, 0xff]]),
            "A code whose protected header has a content type (16) that is not UTF-8, signed by \
             INPS over those bytes.",
            "cbor_invalid_utf8",
        ),
    ] {
        out.push(V::negative(
            w,
            name,
            desc,
            signed(name, prot),
            code,
            "check",
        ));
    }
    for (name, prot, desc) in [
        (
            "protected-header-unknown-parameter",
            header(&[
                &[0xa3, 0x01, 0x27, 0x04, 0x44],
                k,
                &[0x18, 0x63, 0x61, b'x'],
            ]),
            "A code whose protected header carries an unknown parameter (99: \"x\") beside alg \
             and kid, signed by INPS: attesta's headers have alg, kid and typ only, so that no \
             two COSE libraries read a header differently.",
        ),
        (
            "protected-header-content-type",
            header(&[&[0xa3, 0x01, 0x27, 0x03, 0x61, b'x', 0x04, 0x44], k]),
            "A code whose protected header has a content type (3: \"x\"), signed by INPS: one \
             COSE library refuses \"x\" (not type/subtype), another ignores it; attesta refuses \
             every parameter but alg, kid and typ.",
        ),
        (
            "crit-known-label",
            header(&[&[0xa3, 0x01, 0x27, 0x02, 0x81, 0x04, 0x04, 0x44], k]),
            "A code whose protected header marks kid as critical (2: [4]), signed by INPS: kid \
             is understood, but version 1 defines no critical parameter, so crit is refused \
             whatever it lists.",
        ),
    ] {
        out.push(V::negative(
            w,
            name,
            desc,
            signed(name, prot),
            "malformed_cose",
            "check",
        ));
    }
    out
}

// --- §4 Ed25519 -------------------------------------------------------------------

/// L, the order of the Ed25519 base point, little-endian.
fn ed_l() -> [u8; 32] {
    let l_minus_1 = (Scalar::ZERO - Scalar::ONE).to_bytes();
    add_le(&l_minus_1, &{
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    })
}

fn add_le(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = s as u8;
        carry = s >> 8;
    }
    assert_eq!(carry, 0, "no overflow");
    out
}

/// k = SHA-512(R || A || M) mod L (RFC 8032 §5.1.7).
fn ed_challenge(r: &[u8; 32], a: &[u8; 32], msg: &[u8]) -> Scalar {
    let mut h = sha2::Sha512::new();
    h.update(r);
    h.update(a);
    h.update(msg);
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

fn ed_scalar(label: &str) -> Scalar {
    let mut wide = [0u8; 64];
    wide[..32].copy_from_slice(&sha256(
        format!("attesta test vector scalar {label} 0").as_bytes(),
    ));
    wide[32..].copy_from_slice(&sha256(
        format!("attesta test vector scalar {label} 1").as_bytes(),
    ));
    Scalar::from_bytes_mod_order_wide(&wide)
}

fn sig_of(r: &[u8; 32], s: &[u8; 32]) -> Vec<u8> {
    [&r[..], &s[..]].concat()
}

/// A COSE_Sign1 by the key with `kid` over `payload`, with the signature
/// given.
fn cose_with_signature(kid: Kid, payload: Vec<u8>, sig: Vec<u8>) -> Vec<u8> {
    let prot = protected(eddsa(), Some(kid.as_bytes().to_vec()), vec![]);
    tagged(vec![
        Value::Bytes(prot),
        Value::Map(vec![]),
        Value::Bytes(payload),
        Value::Bytes(sig),
    ])
}

/// Plain RFC 8032 verification with the cofactorless equation, as OpenSSL
/// does it: S < L, encode([S]B - [k]A) = R. No small-order check.
fn plain_verify(a: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    let (r, s): ([u8; 32], [u8; 32]) = (
        sig[..32].try_into().expect("32"),
        sig[32..].try_into().expect("32"),
    );
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
        return false;
    };
    let Some(a_pt) = CompressedEdwardsY(*a).decompress() else {
        return false;
    };
    let k = ed_challenge(&r, a, msg);
    EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a_pt, &s)
        .compress()
        .0
        == r
}

/// The cofactored equation [8][S]B = [8]R + [8][k]A, S < L.
fn cofactored_verify(a: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    let (r, s): ([u8; 32], [u8; 32]) = (
        sig[..32].try_into().expect("32"),
        sig[32..].try_into().expect("32"),
    );
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
        return false;
    };
    let (Some(a_pt), Some(r_pt)) = (
        CompressedEdwardsY(*a).decompress(),
        CompressedEdwardsY(r).decompress(),
    ) else {
        return false;
    };
    let k = ed_challenge(&r, a, msg);
    (EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a_pt, &s) - r_pt)
        .mul_by_cofactor()
        .is_identity()
}

fn strict_verify(a: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    ed25519_dalek::VerifyingKey::from_bytes(a).is_ok_and(|k| {
        k.verify_strict(
            msg,
            &ed25519_dalek::Signature::from_slice(sig).expect("64 bytes"),
        )
        .is_ok()
    })
}

fn exact_ed25519(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let a_bytes = w.inps.sk().public_key().to_bytes();
    let a_scalar = ed25519_dalek::SigningKey::from_bytes(&w.inps.seed).to_scalar();
    // The signed bytes of a first-level code of `name` by INPS.
    let signed_parts = |name: &str| {
        let c = cred(name, deaf());
        let payload = c.claims().to_vec();
        let msg = sig_structure(&std_protected(&w.inps), &payload);
        (payload, msg)
    };
    let forged = |name: &'static str, desc: &str, sig: Vec<u8>, payload: Vec<u8>| {
        V::negative(
            w,
            name,
            desc,
            at1(&cose_with_signature(w.inps.kid(), payload, sig)),
            "bad_signature",
            "check",
        )
    };
    {
        let (payload, msg) = signed_parts("ed25519-s-plus-l");
        let sig = w.inps.sk().sign(&msg);
        let (r, s) = (
            sig[..32].try_into().expect("32"),
            sig[32..].try_into().expect("32"),
        );
        let bad = sig_of(&r, &add_le(&s, &ed_l()));
        assert!(!strict_verify(&a_bytes, &msg, &bad));
        out.push(forged(
            "ed25519-s-plus-l",
            "INPS's genuine signature with L added to S (\"Taming the many EdDSAs\", case 6): \
             the same value modulo L, so a verifier that reduces S accepts it; S must be below \
             L (RFC 8032 §5.1.7), or every signature would have a second form.",
            bad,
            payload,
        ));
    }
    {
        let (payload, msg) = signed_parts("ed25519-s-plus-7l");
        let sig = w.inps.sk().sign(&msg);
        let (r, s) = (
            sig[..32].try_into().expect("32"),
            sig[32..].try_into().expect("32"),
        );
        let mut seven_l = ed_l();
        for _ in 0..6 {
            seven_l = add_le(&seven_l, &ed_l());
        }
        let bad = sig_of(&r, &add_le(&s, &seven_l));
        assert!(bad[63] & 0xe0 != 0, "S >= 2^253");
        out.push(forged(
            "ed25519-s-plus-7l",
            "INPS's genuine signature with 7·L added to S (case 7): S is then above 2^253, \
             which verifiers that only check the top three bits of S refuse too; refused.",
            bad,
            payload,
        ));
    }
    {
        let (payload, msg) = signed_parts("ed25519-r-identity");
        let mut r = [0u8; 32];
        r[0] = 1;
        let k = ed_challenge(&r, &a_bytes, &msg);
        let sig = sig_of(&r, &(k * a_scalar).to_bytes());
        assert!(plain_verify(&a_bytes, &msg, &sig) && !strict_verify(&a_bytes, &msg, &sig));
        out.push(forged(
            "ed25519-r-identity",
            "A signature made with INPS's key whose R is the identity point (01 00…00) and \
             S = k·a: it satisfies the cofactorless equation, so plain verifiers (OpenSSL, \
             Go) accept it, but R has small order (\"Taming\", case 2 with a genuine key). \
             Refused.",
            sig,
            payload,
        ));
    }
    {
        let (payload, msg) = signed_parts("ed25519-r-non-canonical");
        // p + 1: y = 1 (the identity) written with y >= p.
        let mut r = [0xffu8; 32];
        r[0] = 0xee;
        r[31] = 0x7f;
        let k = ed_challenge(&r, &a_bytes, &msg);
        let sig = sig_of(&r, &(k * a_scalar).to_bytes());
        assert!(!strict_verify(&a_bytes, &msg, &sig));
        out.push(forged(
            "ed25519-r-non-canonical",
            "A signature made with INPS's key whose R is the identity written non-canonically \
             (y = p + 1: ee ff…ff 7f) and S = k·a with k over those bytes (cases 8 and 9): a \
             verifier that compares points instead of encodings accepts it. R must be the \
             canonical encoding of [S]B − [k]A.",
            sig,
            payload,
        ));
    }
    {
        let (payload, msg) = signed_parts("ed25519-r-mixed-order");
        let t = EIGHT_TORSION[1];
        let r_scalar = ed_scalar("ed25519-r-mixed-order");
        let r_pt = EdwardsPoint::mul_base(&r_scalar) + t;
        let r = r_pt.compress().0;
        let k = ed_challenge(&r, &a_bytes, &msg);
        let sig = sig_of(&r, &(r_scalar + k * a_scalar).to_bytes());
        assert!(cofactored_verify(&a_bytes, &msg, &sig));
        assert!(!plain_verify(&a_bytes, &msg, &sig) && !strict_verify(&a_bytes, &msg, &sig));
        out.push(forged(
            "ed25519-r-mixed-order",
            "A signature made with INPS's key whose R = [r]B + T has a component of order 8 \
             and S = r + k·a (cases 4 and 5): the cofactored equation [8][S]B = [8]R + [8][k]A \
             holds, the cofactorless one does not. attesta uses the cofactorless equation: \
             refused, as by ed25519-dalek's verify_strict, OpenSSL and libsodium.",
            sig,
            payload,
        ));
    }
    {
        // A status list whose signature has S + L: every signed document
        // follows the same rules.
        let token = inps_list_1(w).sign();
        let mut bad = token.clone();
        let n = bad.len();
        let s: [u8; 32] = bad[n - 32..].try_into().expect("32");
        bad[n - 32..].copy_from_slice(&add_le(&s, &ed_l()));
        let mut c = cred("status-list-signature-s-plus-l", deaf());
        c.status = status(17, "1");
        let mut v = V::negative_issued(
            w,
            "status-list-signature-s-plus-l",
            "INPS's genuine list \"1\" with L added to S in its signature: status lists follow \
             the same Ed25519 rules as codes, so it is not signed by a trusted key.",
            c,
            "status_list_untrusted",
            "status_list",
        );
        v.status_lists = vec![bad];
        out.push(v);
    }
    // Keys a trust list must refuse. The authority's tool should never
    // list them; a verifier refuses the whole list.
    let with_key = |name: &'static str,
                    desc: &str,
                    key: [u8; 32],
                    role: &'static str,
                    text: Option<String>| {
        let c = cred(name, deaf());
        let text = text.unwrap_or_else(|| c.issue(&w.inps));
        let mut v = V::negative(w, name, desc, text, "trust_list_bad_key", "trust_list");
        let body = ciborium::from_reader::<Value, _>(
            &claims_of_trust(&sign_list(&base_list(w), &w.root, TL_IAT, TL_EXP))[..],
        )
        .expect("cbor");
        v.trust_lists = vec![trust_list_with_raw_issuer(w, body, "ACME", key)];
        v.raw_keys = vec![RawKey { role, bytes: key }];
        v
    };
    {
        let mut id = [0u8; 32];
        id[0] = 1;
        // S = 0, R = identity: [0]B - [k]A = R for any message when A is
        // the identity.
        let c = cred("trust-list-identity-key", deaf());
        let payload = c.claims().to_vec();
        let kid = Kid::of_spki_der(&spki_of(&id));
        let mut sig = vec![0u8; 64];
        sig[0] = 1;
        let msg = sig_structure(
            &protected(eddsa(), Some(kid.as_bytes().to_vec()), vec![]),
            &payload,
        );
        assert!(
            plain_verify(&id, &msg, &sig),
            "the forgery plain verifiers accept"
        );
        out.push(with_key(
            "trust-list-identity-key",
            "A trust list (signed by the root) that lists issuer ACME with the identity point \
             (01 00…00) as key, and a code \"signed\" by it with R = identity and S = 0, which \
             verifies for any message under a plain Ed25519 verifier (\"Taming\", case 0): the \
             forgery an outside implementation accepted. A key of small order is refused when \
             the trust list is loaded.",
            id,
            "issuer ACME's key: the identity point, small order",
            Some(at1(&cose_with_signature(kid, payload, sig))),
        ));
    }
    {
        let key = EIGHT_TORSION[1].compress().0;
        out.push(with_key(
            "trust-list-order-8-key",
            "A trust list that lists issuer ACME with a point of order 8 as key (canonical \
             encoding), and a genuine INPS code: the whole list is refused.",
            key,
            "issuer ACME's key: a point of order 8",
            None,
        ));
    }
    {
        // y = p + 3, a point of mixed order, written with y >= p.
        let mut key = [0xffu8; 32];
        key[0] = 0xf0;
        key[31] = 0x7f;
        assert!(ed25519_dalek::VerifyingKey::from_bytes(&key).is_ok_and(|k| !k.is_weak()));
        out.push(with_key(
            "trust-list-non-canonical-key",
            "A trust list that lists issuer ACME with the key f0 ff…ff 7f: y = p + 3, a valid \
             point (not of small order) written non-canonically (\"Taming\", cases 10 and 11). \
             RFC 8032 §5.1.3 refuses it, many libraries accept it: refused, so that no two \
             verifiers disagree about a trust list. A genuine INPS code.",
            key,
            "issuer ACME's key: y = p + 3, not canonical",
            None,
        ));
    }
    {
        let mut key = [0u8; 32];
        key[0] = 1;
        key[31] = 0x80;
        out.push(with_key(
            "trust-list-key-x-zero-sign-bit",
            "A trust list that lists issuer ACME with the key 01 00…00 80: the identity with \
             the sign bit of x = 0 set, not canonical (RFC 8032 §5.1.3) and of small order. A \
             genuine INPS code.",
            key,
            "issuer ACME's key: the identity with the sign bit set",
            None,
        ));
    }
    out.extend(exact_ed25519_mixed_key(w));
    out
}

/// The SubjectPublicKeyInfo of raw Ed25519 key bytes (RFC 8410).
fn spki_of(key: &[u8; 32]) -> Vec<u8> {
    [
        &hex::decode("302a300506032b6570032100").expect("hex")[..],
        key,
    ]
    .concat()
}

/// The claims of a signed trust list.
fn claims_of_trust(list: &[u8]) -> Vec<u8> {
    let v: Value = ciborium::from_reader(list).expect("cbor");
    let Value::Tag(18, inner) = v else {
        panic!("tag")
    };
    let Value::Array(items) = *inner else {
        panic!("array")
    };
    let Value::Bytes(p) = &items[2] else {
        panic!("payload")
    };
    p.clone()
}

/// The default trust list's claims with one more issuer `id` whose key is
/// `key` (any 32 bytes: the library refuses to list such keys), re-signed
/// by the root.
fn trust_list_with_raw_issuer(w: &World, claims: Value, id: &str, key: [u8; 32]) -> Vec<u8> {
    let Value::Map(mut entries) = claims else {
        panic!("claims map")
    };
    for (k, v) in &mut entries {
        if *k == int(claims::ATTESTA_TRUST_LIST) {
            let Value::Map(body) = v else { panic!("body") };
            for (bk, bv) in body.iter_mut() {
                if *bk == Value::Text("issuers".into()) {
                    let Value::Array(issuers) = bv else {
                        panic!("issuers")
                    };
                    issuers.push(Value::Map(vec![
                        (Value::Text("id".into()), Value::Text(id.into())),
                        (Value::Text("key".into()), Value::Bytes(key.to_vec())),
                    ]));
                }
            }
        }
    }
    let payload = cbor(&Value::Map(entries));
    let typ = (int(16), Value::Text("application/attesta-trust+cwt".into()));
    let prot = protected(eddsa(), Some(w.root.kid().as_bytes().to_vec()), vec![typ]);
    tagged(sign1_items(&w.root, prot, vec![], payload))
}

/// Taming's cases with a key of mixed order (a genuine-looking point with a
/// component of order 8), which trust lists accept: verification must
/// still give one answer.
fn exact_ed25519_mixed_key(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let t = EIGHT_TORSION[1];
    let a_scalar = ed_scalar("mixed-order key");
    let a_bytes = (EdwardsPoint::mul_base(&a_scalar) + t).compress().0;
    let kid = Kid::of_spki_der(&spki_of(&a_bytes));
    assert!(
        attesta_core::keys::PublicKey::from_bytes(&a_bytes).is_ok(),
        "trust lists accept it"
    );
    let mut list = base_list(w);
    // The key is accepted by the library, so the list is written normally.
    list.issuers.push(IssuerEntry {
        id: INPS.to_owned(),
        key: attesta_core::keys::PublicKey::from_bytes(&a_bytes).expect("accepted"),
        valid_from: None,
        valid_until: None,
    });
    let trust = sign_list(&list, &w.root, TL_IAT, TL_EXP);
    let role = "issuer INPS, a key of mixed order ([a]B + T, T of order 8)";
    let parts = |name: &str| {
        let c = cred(name, deaf());
        let payload = c.claims().to_vec();
        let msg = sig_structure(
            &protected(eddsa(), Some(kid.as_bytes().to_vec()), vec![]),
            &payload,
        );
        (c, payload, msg)
    };
    {
        // Case 3: R = [r]B + T' with T' = -[k]T, S = r + k·a: both
        // equations hold.
        let (c, payload, msg) = parts("ed25519-mixed-key-mixed-r");
        let (r, s) = (0..)
            .find_map(|i| {
                let r_scalar = ed_scalar(&format!("mixed-key mixed-r {i}"));
                EIGHT_TORSION.iter().find_map(|tp| {
                    let r = (EdwardsPoint::mul_base(&r_scalar) + tp).compress().0;
                    let k = ed_challenge(&r, &a_bytes, &msg);
                    (*tp == -(t * k)).then(|| (r, (r_scalar + k * a_scalar).to_bytes()))
                })
            })
            .expect("found");
        let sig = sig_of(&r, &s);
        assert!(strict_verify(&a_bytes, &msg, &sig) && cofactored_verify(&a_bytes, &msg, &sig));
        let mut v = V::crafted_valid(
            w,
            "ed25519-mixed-key-mixed-r",
            "A trust list that also lists, for INPS, a key of mixed order, and a code signed \
             with it whose R has a component of order 8 (\"Taming the many EdDSAs\", case 3): \
             S < L, neither R nor A of small order, and the cofactorless equation holds. Valid: \
             keys of mixed order are not refused, and every verifier agrees on this one.",
            at1(&cose_with_signature(kid, payload, sig)),
            c,
        );
        v.trust_lists = vec![trust.clone()];
        v.raw_keys = vec![RawKey {
            role,
            bytes: a_bytes,
        }];
        v.signer_kid = Some(kid);
        out.push(v);
    }
    {
        // Case 2: R of small order with S = k·a, when [k]T = -R.
        let (payload, msg, r, s) = (0..)
            .find_map(|i| {
                let name = format!("ed25519-mixed-key-small-r {i}");
                let c = cred(&name, deaf());
                let payload = c.claims().to_vec();
                let msg = sig_structure(
                    &protected(eddsa(), Some(kid.as_bytes().to_vec()), vec![]),
                    &payload,
                );
                EIGHT_TORSION.iter().find_map(|tp| {
                    let r = tp.compress().0;
                    let k = ed_challenge(&r, &a_bytes, &msg);
                    (*tp == -(t * k))
                        .then(|| (payload.clone(), msg.clone(), r, (k * a_scalar).to_bytes()))
                })
            })
            .expect("found");
        let sig = sig_of(&r, &s);
        assert!(plain_verify(&a_bytes, &msg, &sig) && !strict_verify(&a_bytes, &msg, &sig));
        let mut v = V::negative(
            w,
            "ed25519-mixed-key-small-r",
            "The mixed-order INPS key of the previous vectors, and a code whose R is a point of \
             small order with S = k·a, the cofactorless equation holding (\"Taming\", case 2): \
             R has small order, refused.",
            at1(&cose_with_signature(kid, payload, sig)),
            "bad_signature",
            "check",
        );
        v.trust_lists = vec![trust.clone()];
        v.raw_keys = vec![RawKey {
            role,
            bytes: a_bytes,
        }];
        out.push(v);
    }
    {
        // Case 4: R = [r]B, S = r + k·a with [k]T != 0: only the cofactored
        // equation holds.
        let (_, payload, msg) = parts("ed25519-mixed-key-cofactored-only");
        let (r, s) = (0..)
            .find_map(|i| {
                let r_scalar = ed_scalar(&format!("mixed-key cofactored {i}"));
                let r = EdwardsPoint::mul_base(&r_scalar).compress().0;
                let k = ed_challenge(&r, &a_bytes, &msg);
                (t * k != EdwardsPoint::default())
                    .then(|| (r, (r_scalar + k * a_scalar).to_bytes()))
            })
            .expect("found");
        let sig = sig_of(&r, &s);
        assert!(cofactored_verify(&a_bytes, &msg, &sig) && !strict_verify(&a_bytes, &msg, &sig));
        let mut v = V::negative(
            w,
            "ed25519-mixed-key-cofactored-only",
            "The mixed-order INPS key, and a code with R = [r]B and S = r + k·a (\"Taming\", \
             case 4): [S]B − [k]A differs from R by a point of order 8, so only the cofactored \
             equation holds. Refused: the cofactorless equation is the rule.",
            at1(&cose_with_signature(kid, payload, sig)),
            "bad_signature",
            "check",
        );
        v.trust_lists = vec![trust];
        v.raw_keys = vec![RawKey {
            role,
            bytes: a_bytes,
        }];
        out.push(v);
    }
    out
}

// --- §5 Dates -----------------------------------------------------------------------

fn exact_dates(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        let mut c = cred("dates-at-range-edges", deaf());
        c.iat = Timestamp::from_second(0).expect("epoch");
        c.exp = Timestamp::from_second(4_294_967_295).expect("2106");
        out.push(V::positive(
            w,
            "dates-at-range-edges",
            "A code issued at 0 (1970-01-01T00:00:00Z) and expiring at 2^32 − 1 \
             (2106-02-07T06:28:15Z): the first and the last NumericDate of the format.",
            c,
        ));
    }
    let date_claims = |name: &'static str, key: i64, val: i64| {
        let c = cred(name, deaf());
        let mut claims = c.claims();
        claims.set(key, int(val));
        signed_by_inps(w, claims.to_vec())
    };
    out.push(V::negative(
        w,
        "exp-beyond-date-range",
        "Signed claims with exp = 2^32 (2106-02-07T06:28:16Z), one past the last NumericDate \
         of the format.",
        date_claims("exp-beyond-date-range", claims::EXP, 4_294_967_296),
        "malformed_claims",
        "check",
    ));
    out.push(V::negative(
        w,
        "iat-negative",
        "Signed claims with iat = −1 (1969-12-31T23:59:59Z): NumericDates of the format are \
         unsigned.",
        date_claims("iat-negative", claims::IAT, -1),
        "malformed_claims",
        "check",
    ));
    {
        // The clock floor moves time forward by at most the skew: a trust
        // list issued 4 minutes "after" the device clock is accepted.
        let mut c = cred("expired-by-clock-floor-within-skew", deaf());
        c.exp = ts("2026-11-14T23:58:00Z");
        let mut v = V::negative_issued(
            w,
            "expired-by-clock-floor-within-skew",
            "The trust list is dated 2026-11-15T00:04:00Z, 4 minutes after the verification time \
             (within the 5-minute skew, so accepted), and becomes the clock floor. The code \
             expired at 2026-11-14T23:58:00Z: 2 minutes before the device's time, within the \
             skew, but 6 minutes before the floor. Time is max(now, floor).",
            c,
            "expired",
            "check",
        );
        v.trust_lists = vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-11-15T00:04:00Z",
            TL_EXP,
        )];
        out.push(v);
    }
    out
}

// --- §11.4 Status lists with equal iat ------------------------------------------

fn exact_status_ties(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let list = |revoked: bool, exp: Option<&'static str>| {
        let entries: &'static [(u64, CredentialStatus)] = if revoked {
            &[(17, CredentialStatus::Revoked)]
        } else {
            &[]
        };
        SlSpec {
            exp,
            entries,
            ..inps_list_1(w)
        }
        .sign()
    };
    let revoked = list(true, Some("2026-12-14T00:00:00Z"));
    let valid_same_exp = list(false, Some("2026-12-14T00:00:00Z"));
    let valid_later_exp = list(false, Some("2026-12-15T00:00:00Z"));
    let valid_no_exp = list(false, None);
    let cred17 = |name: &str| {
        let mut c = cred(name, deaf());
        c.status = status(17, "1");
        c
    };
    for (name, lists, order) in [
        (
            "status-tie-revoked-wins-revoked-first",
            vec![revoked.clone(), valid_same_exp.clone()],
            "the revoking list first",
        ),
        (
            "status-tie-revoked-wins-valid-first",
            vec![valid_same_exp.clone(), revoked.clone()],
            "the other list first",
        ),
    ] {
        let mut v = V::negative_issued(
            w,
            name,
            &format!(
                "Two lists \"1\" of INPS with the same iat (2026-11-14) and the same exp: one \
                 revokes entry 17, the other has it valid; loaded with {order}. Neither is newer, \
                 so the most severe answer stands: revoked, whatever the loading order."
            ),
            cred17(name),
            "revoked",
            "check",
        );
        v.status_lists = lists;
        out.push(v);
    }
    for (name, lists, desc) in [
        (
            "status-tie-later-exp-revoked-first",
            vec![revoked.clone(), valid_later_exp.clone()],
            "Two lists \"1\" of INPS with the same iat: the one that revokes entry 17 expires \
             2026-12-14, the one with it valid 2026-12-15; the revoking one loaded first. With \
             equal iat the later exp decides: valid, revocation checked.",
        ),
        (
            "status-tie-later-exp-valid-first",
            vec![valid_later_exp, revoked.clone()],
            "The same two lists loaded in the other order: valid, revocation checked.",
        ),
        (
            "status-tie-no-exp-is-latest",
            vec![revoked, valid_no_exp],
            "Two lists \"1\" of INPS with the same iat: the one that revokes entry 17 has an \
             exp, the one with it valid has none, which counts as later than any exp: valid.",
        ),
    ] {
        let mut v = V::positive(w, name, desc, cred17(name));
        v.status_lists = lists;
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-empty",
            "INPS's list \"1\" whose lst inflates to no bytes at all: a list of no entries is \
             malformed.",
            cred17("status-list-empty"),
            "status_list_malformed",
            "status_list",
        );
        let mut claims = claims_of_status(&inps_list_1(w).sign());
        claims.set(
            claims::STATUS_LIST,
            Value::Map(vec![
                (Value::Text("lst".into()), Value::Bytes(zlib(&[]))),
                (Value::Text("bits".into()), int(1)),
            ]),
        );
        let typ = (int(16), Value::Text("application/statuslist+cwt".into()));
        let prot = protected(eddsa(), Some(w.inps.kid().as_bytes().to_vec()), vec![typ]);
        v.status_lists = vec![tagged(sign1_items(&w.inps, prot, vec![], claims.to_vec()))];
        out.push(v);
    }
    out
}

/// Rules of trust lists and status lists that earlier vectors pinned only
/// together with another.
fn exact_lists(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        let c = cred("trust-list-expired-young", deaf());
        let mut v = V::negative_issued(
            w,
            "trust-list-expired-young",
            "A trust list issued 2026-11-14 that expired 2026-11-14T12:00:00Z, checked on \
             2026-11-15: one day old, well within the maximum age of 30 days, but past its \
             exp.",
            c,
            "trust_list_stale",
            "trust_list",
        );
        v.trust_lists = vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-11-14T00:00:00Z",
            "2026-11-14T12:00:00Z",
        )];
        out.push(v);
    }
    {
        let mut c = cred("status-list-lst-trailing-bytes", deaf());
        c.status = status(17, "1");
        let mut v = V::negative_issued(
            w,
            "status-list-lst-trailing-bytes",
            "INPS's list \"1\" whose lst is a valid zlib stream followed by 4 bytes (JUNK), \
             signed: one token, one reading.",
            c,
            "status_list_bad_compression",
            "status_list",
        );
        let mut claims = claims_of_status(&inps_list_1(w).sign());
        let mut list = StatusList::new(1024, StatusBits::One).expect("capacity");
        list.set(77, CredentialStatus::Revoked).expect("entry");
        let mut lst = list.compress();
        lst.extend_from_slice(b"JUNK");
        claims.set(
            claims::STATUS_LIST,
            Value::Map(vec![
                (Value::Text("lst".into()), Value::Bytes(lst)),
                (Value::Text("bits".into()), int(1)),
            ]),
        );
        let typ = (int(16), Value::Text("application/statuslist+cwt".into()));
        let prot = protected(eddsa(), Some(w.inps.kid().as_bytes().to_vec()), vec![typ]);
        v.status_lists = vec![tagged(sign1_items(&w.inps, prot, vec![], claims.to_vec()))];
        out.push(v);
    }
    out
}

fn claims_of_status(token: &[u8]) -> ClaimSet {
    ClaimSet::parse(&claims_of_trust(token), CborLimits::STRICT).expect("claims")
}

// --- §12 Second-level details ----------------------------------------------------

fn exact_details(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let crafted = |name: &'static str, desc: &str, details: Value, code: &'static str| {
        let t = tok(w, name, typical_details());
        let mut c = claims_of(&t.issue(&w.inps));
        c.set(
            claims::ATTESTA_SEALED_DETAILS,
            t.sealed_claim(&cbor(&details)),
        );
        V::token_crafted(w, name, desc, resigned(w, &c), code, "open")
    };
    let map = |entries: Vec<(i64, Value)>| {
        Value::Map(entries.into_iter().map(|(k, v)| (int(k), v)).collect())
    };
    {
        let t = tok(
            w,
            "l2-details-zero-percent",
            SecondLevelDetails {
                invalidity_percent: pct("0"),
                ..SecondLevelDetails::default()
            },
        );
        out.push(V::token_valid(
            w,
            "l2-details-zero-percent",
            "A token whose details are {1: 0}: an invalidity percentage of 0.00 % states \
             something (a member other than 3), so the details are valid.",
            t,
            w.op_a,
            OP_A,
        ));
    }
    {
        let t = tok(
            w,
            "l2-judgement-120-characters",
            SecondLevelDetails {
                judgement: Some("è".repeat(120)),
                ..SecondLevelDetails::default()
            },
        );
        out.push(V::token_valid(
            w,
            "l2-judgement-120-characters",
            "A token whose judgement is 120 times \"è\": 120 characters (Unicode scalar \
             values), 240 bytes of UTF-8. At the limit, valid.",
            t,
            w.op_a,
            OP_A,
        ));
    }
    for (name, desc, details, code) in [
        (
            "l2-details-percent-above-100",
            "Details {1: 10001}: an invalidity percentage of 100.01 %, out of 0–10000 \
             hundredths.",
            map(vec![(1, int(10_001))]),
            "malformed_claims",
        ),
        (
            "l2-details-class-4",
            "Details {1: 7550, 2: 4}: blindness class 4 does not exist (1–3).",
            map(vec![(1, int(7550)), (2, int(4))]),
            "malformed_claims",
        ),
        (
            "l2-details-handicap-3",
            "Details {1: 7550, 4: 3}: handicap article 3 does not exist (1 or 2).",
            map(vec![(1, int(7550)), (4, int(3))]),
            "malformed_claims",
        ),
        (
            "l2-details-deafness-not-bool",
            "Details {1: 7550, 3: 1}: deafness must be a boolean; a known key with a value of \
             the wrong type is malformed (not an unknown detail).",
            map(vec![(1, int(7550)), (3, int(1))]),
            "malformed_claims",
        ),
        (
            "l2-details-judgement-not-text",
            "Details {1: 7550, 6: 5}: the judgement must be a text string.",
            map(vec![(1, int(7550)), (6, int(5))]),
            "malformed_claims",
        ),
        (
            "l2-details-unknown-key",
            "Details {1: 7550, 7: 1}: key 7 is a detail of a later version, which this \
             version cannot show: update the software.",
            map(vec![(1, int(7550)), (7, int(1))]),
            "unknown_flags",
        ),
        (
            "l2-details-deafness-false-only",
            "Details {3: false}: the only member says nothing (deafness false), so the details \
             state nothing.",
            map(vec![(3, Value::Bool(false))]),
            "invalid_attestation",
        ),
        (
            "l2-judgement-121-characters",
            "Details whose judgement is 121 times \"è\" (242 bytes): one character past the \
             limit of 120.",
            map(vec![(6, Value::Text("è".repeat(121)))]),
            "invalid_attestation",
        ),
        (
            "l2-judgement-unicode-blank",
            "Details whose judgement is an ideographic space, a no-break space and an em space \
             (U+3000, U+00A0, U+2003): Unicode White_Space only, so blank.",
            map(vec![
                (1, int(7550)),
                (6, Value::Text("\u{3000}\u{a0}\u{2003}".into())),
            ]),
            "invalid_attestation",
        ),
    ] {
        out.push(crafted(name, desc, details, code));
    }
    out
}

// --- Appendix C: the codice fiscale ------------------------------------------------

/// A personal CF from its first 15 characters and the check character.
fn cf_of(first15: &str) -> String {
    format!(
        "{first15}{}",
        personal_check_char(first15).expect("15 characters")
    )
}

/// Personal CFs that together put every letter and digit at an odd and at
/// an even position, so that every entry of the check-character tables
/// counts in some vector. Picked greedily from a deterministic stream of
/// well-formed candidates.
fn cf_table_coverage() -> Vec<String> {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const MONTHS: &[u8] = b"ABCDEHLMPRST";
    const NUMERIC: &[u8] = b"0123456789LMNPQRSTUV";
    let mut stream = (0u64..).map(|i| sha256(format!("attesta test vector cf {i}").as_bytes()));
    let mut candidates = Vec::new();
    while candidates.len() < 4000 {
        let h = stream.next().expect("endless");
        let pick = |i: usize, set: &[u8]| char::from(set[usize::from(h[i]) % set.len()]);
        let mut s: Vec<char> = (0..15)
            .map(|i| match i {
                0..=5 | 11 => pick(i, LETTERS),
                8 => pick(i, MONTHS),
                _ => pick(i, NUMERIC),
            })
            .collect();
        // Day 01-28 (or 41-68) so that every month has it.
        let day = 1 + usize::from(h[20]) % 28 + if h[21] % 2 == 0 { 0 } else { 40 };
        let digit = |d: usize| {
            let c = char::from(b'0' + d as u8);
            if h[22] % 3 == 0 {
                char::from(NUMERIC[10 + d])
            } else {
                c
            }
        };
        s[9] = digit(day / 10);
        s[10] = digit(day % 10);
        let cf = cf_of(&s.iter().collect::<String>());
        CodiceFiscale::parse(&cf).expect("well formed");
        candidates.push(cf);
    }
    let cover = |cf: &str| -> Vec<(usize, char)> {
        cf.chars()
            .take(15)
            .enumerate()
            .map(|(i, c)| (i % 2, c))
            .collect()
    };
    let mut covered = std::collections::BTreeSet::new();
    let mut chosen = Vec::new();
    while covered.len() < 72 {
        let best = candidates
            .iter()
            .max_by_key(|cf| {
                cover(cf)
                    .into_iter()
                    .filter(|p| !covered.contains(p))
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            })
            .expect("candidates")
            .clone();
        let gain = cover(&best);
        assert!(
            gain.iter().any(|p| !covered.contains(p)),
            "no candidate adds coverage"
        );
        covered.extend(gain);
        chosen.push(best);
    }
    chosen
}

fn exact_cf(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let refused = |name: &'static str, desc: &str, typed: String, cf_error: &'static str| {
        let mut v = V::negative_issued(w, name, desc, cred(name, deaf()), "cf_malformed", "open");
        v.cf_for_verify = typed;
        v.set_cf_error(cf_error);
        v
    };
    let holder = |name: &'static str, desc: &str, cf: String| {
        let mut c = cred(name, deaf());
        c.cf = cf;
        V::positive(w, name, desc, c)
    };
    {
        let c = cred("cf-unicode-white-space", deaf());
        let mut v = V::positive(
            w,
            "cf-unicode-white-space",
            "The holder's codice fiscale typed with a no-break space, an ideographic space and an \
             em space inside: every Unicode White_Space character is removed before checking.",
            c,
        );
        v.cf_for_verify = "RSS\u{a0}MRA\u{3000}85T10\u{2003}A562S".into();
        out.push(v);
    }
    out.push(holder(
        "cf-29-february",
        "A holder born on 29 February (month B, day 29) of a year the code does not say: 29 \
         February is a day of birth.",
        cf_of("RSSMRA84B29A562"),
    ));
    out.push(holder(
        "cf-female-day-71",
        "A holder born on 31 January, a woman: day 31 + 40 = 71, the largest day.",
        cf_of("RSSMRA85A71A562"),
    ));
    out.push(holder(
        "cf-omocodia-every-digit",
        "A holder whose code has all seven digits replaced by omocodia letters (8→U, 5→R, \
         1→M, 0→L, 5→R, 6→S, 2→N), kept as given: the Argon2id password is the code as typed.",
        cf_of("RSSMRAURTMLARSN"),
    ));
    for (i, cf) in cf_table_coverage().into_iter().enumerate() {
        let name: &'static str =
            Box::leak(format!("cf-check-table-coverage-{}", i + 1).into_boxed_str());
        out.push(holder(
            name,
            "One of a set of holders whose codes put every letter and digit at an odd and at an \
             even position among their first 15 characters, so that every entry of the \
             check-character tables (docs/format.md, appendix C) decides some vector.",
            cf,
        ));
    }
    for (name, digits) in [
        ("cf-temporary-digits-1", "0123456789"),
        ("cf-temporary-digits-2", "1234567890"),
    ] {
        let cf = format!(
            "{digits}{}",
            temporary_check_digit(digits).expect("10 digits")
        );
        out.push(holder(
            name,
            "A temporary 11-digit code; with its companion vector, every digit appears at an \
             odd and at an even position, so every step of the check digit counts.",
            cf,
        ));
    }
    out.push(refused(
        "cf-digit-where-letter",
        "The codice fiscale typed with a digit in the surname (position 2), its check \
         character recomputed: positions 1–6 and 12 hold letters.",
        cf_of("R5SMRA85T10A562"),
        "cf_invalid_character",
    ));
    out.push(refused(
        "cf-bad-month-letter",
        "A codice fiscale whose month letter is F (not one of ABCDEHLMPRST), its check \
         character recomputed.",
        cf_of("RSSMRA85F10A562"),
        "cf_bad_month",
    ));
    out.push(refused(
        "cf-day-00",
        "A codice fiscale whose day is 00, its check character recomputed: days are 01–31 \
         and 41–71.",
        cf_of("RSSMRA85T00A562"),
        "cf_bad_day",
    ));
    out.push(refused(
        "cf-30-february",
        "A codice fiscale for 30 February, its check character recomputed.",
        cf_of("RSSMRA85B30A562"),
        "cf_bad_day",
    ));
    out.push(refused(
        "cf-31-april",
        "A codice fiscale for 31 April, its check character recomputed.",
        cf_of("RSSMRA85D31A562"),
        "cf_bad_day",
    ));
    out.push(refused(
        "cf-female-day-72",
        "A codice fiscale with day 72 (a woman born on the 32nd), its check character \
         recomputed.",
        cf_of("RSSMRA85A72A562"),
        "cf_bad_day",
    ));
    out.push(refused(
        "cf-non-ascii-letter",
        "The codice fiscale typed with À in the name: only the ASCII letters A–Z exist in a \
         codice fiscale, and only ASCII letters are uppercased.",
        "RSSMRÀ85T10A562S".into(),
        "cf_invalid_character",
    ));
    out
}

fn main() {
    let mut dir = PathBuf::from("test-vectors");
    let mut check = false;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--check" => check = true,
            s if s.starts_with("--") => {
                eprintln!("usage: generate_vectors [--check] [DIR (default test-vectors)]");
                std::process::exit(2);
            }
            s => dir = PathBuf::from(s),
        }
    }
    let w = World::new();
    assert_eq!(w.root.seed, WORLD_ROOT.seed);
    let (mut pos, mut neg) = (positives(&w), negatives(&w));
    // Appended after the first-level sets, so that numbering stays stable.
    for v in regressions(&w)
        .into_iter()
        .chain(review_rules(&w))
        .chain(second_level(&w))
        .chain(second_level_regressions(&w))
        .chain(second_level_review(&w))
        .chain(fuzz_regressions(&w))
        .chain(issue13_facts(&w))
        .chain(security_review(&w))
        .chain(exact_format(&w))
    {
        if v.is_positive() {
            pos.push(v);
        } else {
            neg.push(v);
        }
    }
    let all: Vec<V> = pos.into_iter().chain(neg).collect();
    let mut names = std::collections::BTreeSet::new();
    for v in &all {
        assert!(names.insert(v.name), "duplicate vector name {}", v.name);
        let has_inputs = match &v.l2 {
            None => v.inputs.is_some() || v.crafted_from.is_some(),
            Some(l) => l.inputs.is_some() || l.crafted_from.is_some(),
        };
        assert!(!v.is_positive() || has_inputs, "{}", v.name);
    }
    let files = render_all(&all);
    if check {
        check_all(&dir, &files);
    } else {
        write_all(&dir, &files);
    }
}

/// (relative path, contents) of every vector file.
fn render_all(all: &[V]) -> Vec<(PathBuf, String)> {
    let (mut np, mut nn) = (0, 0);
    all.iter()
        .map(|v| {
            let (sub, n) = if v.is_positive() {
                np += 1;
                ("positive", np)
            } else {
                nn += 1;
                ("negative", nn)
            };
            let mut json = serde_json::to_string_pretty(&render(v)).expect("json");
            json.push('\n');
            (Path::new(sub).join(format!("{n:03}-{}.json", v.name)), json)
        })
        .collect()
}

fn existing_vectors(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["positive", "negative"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in rd {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `--check`: the files on disk are exactly what this generator writes.
fn check_all(dir: &Path, files: &[(PathBuf, String)]) {
    let mut problems = Vec::new();
    for (rel, json) in files {
        match std::fs::read_to_string(dir.join(rel)) {
            Ok(s) if s == *json => {}
            Ok(_) => problems.push(format!("{} differs", rel.display())),
            Err(_) => problems.push(format!("{} is missing", rel.display())),
        }
    }
    for p in existing_vectors(dir) {
        let rel = p.strip_prefix(dir).unwrap_or(&p);
        if !files.iter().any(|(r, _)| r == rel) {
            problems.push(format!("{} is not generated", rel.display()));
        }
    }
    if problems.is_empty() {
        println!(
            "{} vectors under {} are up to date",
            files.len(),
            dir.display()
        );
    } else {
        eprintln!("test vectors out of date:\n  {}", problems.join("\n  "));
        std::process::exit(1);
    }
}

fn write_all(dir: &Path, files: &[(PathBuf, String)]) {
    for sub in ["positive", "negative"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
    }
    for p in existing_vectors(dir) {
        std::fs::remove_file(&p).expect("remove old vector");
    }
    for (rel, json) in files {
        std::fs::write(dir.join(rel), json).expect("write");
    }
    let np = files
        .iter()
        .filter(|(r, _)| r.starts_with("positive"))
        .count();
    println!(
        "wrote {np} positive and {} negative vectors under {}",
        files.len() - np,
        dir.display()
    );
}
