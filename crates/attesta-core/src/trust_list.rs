//! Trust lists: which issuer keys and which second-level operators a
//! verifier trusts, signed by a root key that the verifier pins. This
//! module is the format, both directions: an issuer edits and signs a
//! list, a verifier parses it; which lists a verifier accepts (rollback,
//! age, the denials it remembers) is `attesta_verify::trust`.
//!
//! A trust list is a COSE_Sign1 (content type `application/attesta-trust+cwt`)
//! whose CWT claims carry `iat`, `exp` and, in the private claim -65540, a
//! map with a monotonically increasing `seq`, the issuers (id, Ed25519
//! key, validity window), the accredited operators (id, display name, X25519
//! sealing key, validity window) and the denylist: `denied_keys`, the full
//! fingerprints (SHA-256 of the SubjectPublicKeyInfo) of keys revoked for
//! ever, and `denied`, kids revoked for ever by lists written before
//! fingerprints (a kid can be shared by two keys, so new denials never use
//! it). Every later list must keep every denial; a verifier remembers every
//! denial any accepted list made, so a compromised key cannot come back
//! through an old or rogue-but-validly-signed list.
//!
//! Editing refuses a key whose kid is already in the list or denied
//! ([`TrustError::KidCollision`]): a key with a chosen kid costs about 2³²
//! hash evaluations and no private key, and must not let one issuer make
//! a denial that also hits another.
//!
//! ```
//! use attesta_core::keys::SigningKey;
//! use attesta_core::trust_list::TrustList;
//! use jiff::{Timestamp, ToSpan};
//!
//! let root = SigningKey::generate()?;
//! let issuer = SigningKey::generate()?;
//! let now = Timestamp::now();
//! let mut list = TrustList::default();
//! list.add_issuer("INPS", issuer.public_key(), Some(now))?;
//! let bytes = list.sign(&root, now, now + 30 * 24.hours());
//!
//! let back = TrustList::verify_signature(&bytes, &root.public_key())?;
//! assert_eq!(back.issuers_with_kid(issuer.kid()).count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;

use crate::cbor_guard::CborLimits;
use crate::claims::{self, ClaimSet};
use crate::cose::{self, UnverifiedSign1};
use crate::keys::{KeyError, KeyFingerprint, Kid, PublicKey, SigningKey};
use crate::lang::Lang;
use crate::rules::{Rule, enforced};
use crate::signer::{SignError, Signer};
use ciborium::Value;
use jiff::Timestamp;

/// Content type of a trust list.
pub const TRUST_LIST_TYP: &str = "application/attesta-trust+cwt";

/// Trust lists are small documents; these bounds leave room for
/// thousands of keys and operators.
const TRUST_LIMITS: CborLimits = CborLimits {
    max_depth: 8,
    max_items: 200_000,
    allow_indefinite: false,
    allow_duplicate_keys: false,
};

/// An issuer key in a trust list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuerEntry {
    /// Issuer id (e.g. "INPS", "ASL-BO").
    pub id: String,
    /// The Ed25519 public key.
    pub key: PublicKey,
    /// Credentials issued (iat) before this are not accepted.
    pub valid_from: Option<Timestamp>,
    /// Credentials issued (iat) after this are not accepted (a retired key:
    /// codes it signed before stay valid).
    pub valid_until: Option<Timestamp>,
}

impl IssuerEntry {
    /// The key's kid.
    pub fn kid(&self) -> Kid {
        self.key.kid()
    }

    /// Whether the key was allowed to sign at `t`.
    pub fn valid_at(&self, t: Timestamp) -> bool {
        self.valid_from.is_none_or(|f| t >= f) && self.valid_until.is_none_or(|u| t <= u)
    }
}

/// An accredited second-level operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorEntry {
    /// Operator id, the `aud` of tokens addressed to it.
    pub id: String,
    /// Display name.
    pub name: String,
    /// X25519 public key that tokens are sealed to (HPKE).
    pub sealing_key: [u8; 32],
    /// Start of accreditation.
    pub valid_from: Option<Timestamp>,
    /// End of accreditation.
    pub valid_until: Option<Timestamp>,
}

impl OperatorEntry {
    /// Whether the operator is accredited at `t` (both ends inclusive).
    pub fn valid_at(&self, t: Timestamp) -> bool {
        self.valid_from.is_none_or(|f| t >= f) && self.valid_until.is_none_or(|u| t <= u)
    }
}

/// The content of a trust list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustList {
    /// Sequence number; each new list has a higher one.
    pub seq: u64,
    /// When the list was signed.
    pub issued_at: Option<Timestamp>,
    /// When it stops being usable.
    pub expires_at: Option<Timestamp>,
    /// Trusted issuer keys.
    pub issuers: Vec<IssuerEntry>,
    /// Accredited operators.
    pub operators: Vec<OperatorEntry>,
    /// Kids revoked for ever, by lists written before fingerprints: every
    /// key with such a kid is untrusted. Kept (a denial never shrinks),
    /// never added to by [`TrustList::deny_key`].
    pub denied: BTreeSet<Kid>,
    /// Keys revoked for ever, by fingerprint: exactly those keys, never
    /// another key that happens to share their kid.
    pub denied_keys: BTreeSet<KeyFingerprint>,
}

/// Why a trust list was refused or could not be changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// Not a trust list.
    #[error("the trust list file is malformed ({0}); download it again from the issuer")]
    Malformed(String),
    /// An issuer key that is not a valid Ed25519 public key under
    /// docs/format.md §4.1: not a curve point, a non-canonical encoding, or
    /// a point of small order.
    #[error(
        "the trust list lists issuer '{id}' with a key that is not a valid Ed25519 public key ({}); no key generator makes such a key, so the list is broken or crafted: do not use it",
        bad_key_reason(.error, Lang::En)
    )]
    BadKey {
        /// The issuer id of the entry (at most 64 characters).
        id: String,
        /// What is wrong with the key: [`KeyError::NonCanonicalKey`],
        /// [`KeyError::SmallOrderKey`], or [`KeyError::NotEd25519`] (not a
        /// point of the curve).
        error: KeyError,
    },
    /// Signature does not verify under the pinned root key.
    #[error(
        "the trust list is not signed by the root key you gave; check you have the right root key and an untampered list"
    )]
    BadSignature,
    /// Older than one already accepted.
    #[error(
        "the trust list has sequence {found}, older than sequence {accepted} already accepted (rollback); download the current list"
    )]
    Rollback {
        /// The list's sequence.
        found: u64,
        /// The highest accepted.
        accepted: u64,
    },
    /// Issued after the verification time (beyond the clock skew).
    #[error(
        "the trust list says it was issued {issued}, after this device's time ({now}); check the device's date and time, and if it is right do not use this list (a list from the future would move this verifier's clock floor ahead and make every code look expired)"
    )]
    IssuedInFuture {
        /// Its `iat`.
        issued: String,
        /// The verification time used.
        now: String,
    },
    /// Past its expiry or the maximum age.
    #[error(
        "the trust list is out of date (issued {issued}, {why}); download a fresh one before verifying"
    )]
    Stale {
        /// Issue time.
        issued: String,
        /// What limit it passed.
        why: String,
    },
    /// A kid denied by an accepted list appears again as an issuer.
    #[error(
        "the trust list trusts key {0}, which an earlier list revoked; a revoked key never returns: do not use this list"
    )]
    DeniedKidReinstated(Kid),
    /// A key denied (by fingerprint) by an accepted list appears again as an issuer.
    #[error(
        "the trust list trusts key {kid} (fingerprint {fp}), which an earlier list revoked; a revoked key never returns: do not use this list", kid = .0.kid(), fp = .0
    )]
    DeniedKeyReinstated(KeyFingerprint),
    /// The list drops kids denied before.
    #[error(
        "the trust list no longer denies key {0}, which an earlier list revoked; every list must keep the denylist: do not use this list"
    )]
    DenylistShrunk(Kid),
    /// The list drops a key (fingerprint) denied before.
    #[error(
        "the trust list no longer denies key {kid} (fingerprint {fp}), which an earlier list revoked; every list must keep the denylist: do not use this list", kid = .0.kid(), fp = .0
    )]
    DeniedKeyDropped(KeyFingerprint),
    /// Editing: the key is denied.
    #[error("key {0} is on the denylist and can never be trusted again; generate a new key")]
    KeyDenied(Kid),
    /// Editing: another key, listed or denied, has the same kid.
    #[error(
        "key {kid} has the same kid as {with}; kids must be unique in a trust list, so that denying one key can never touch another: generate a new key (attesta keygen)"
    )]
    KidCollision {
        /// The shared kid.
        kid: Kid,
        /// What already has it.
        with: String,
    },
    /// Editing: duplicate entry.
    #[error("{0} is already in the trust list")]
    Duplicate(String),
    /// Editing: an id that cannot be used.
    #[error("'{0}' is not a usable id: use 1 to 64 printable characters, e.g. INPS or comune-bo")]
    InvalidId(String),
    /// Editing: not found.
    #[error("{0} is not in the trust list")]
    NotFound(String),
}

impl TrustError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustError::Malformed(_) => "trust_list_malformed",
            TrustError::BadKey { .. } => "trust_list_bad_key",
            TrustError::BadSignature => "trust_list_bad_signature",
            TrustError::Rollback { .. } => "trust_list_rollback",
            TrustError::Stale { .. } => "trust_list_stale",
            TrustError::IssuedInFuture { .. } => "trust_list_issued_in_future",
            TrustError::DeniedKidReinstated(_) => "trust_list_denied_kid_reinstated",
            TrustError::DeniedKeyReinstated(_) => "trust_list_denied_key_reinstated",
            TrustError::DenylistShrunk(_) | TrustError::DeniedKeyDropped(_) => {
                "trust_list_denylist_shrunk"
            }
            TrustError::KeyDenied(_) => "key_denied",
            TrustError::KidCollision { .. } => "kid_collision",
            TrustError::Duplicate(_) => "duplicate",
            TrustError::NotFound(_) => "not_found",
            TrustError::InvalidId(_) => "invalid_id",
        }
    }
}

/// What is wrong with an issuer key, in words (docs/format.md §4.1).
fn bad_key_reason(e: &KeyError, lang: Lang) -> &'static str {
    match e {
        KeyError::NonCanonicalKey => lang.pick(
            "non è la codifica canonica del suo punto",
            "not the canonical encoding of its point",
        ),
        KeyError::SmallOrderKey => {
            lang.pick("è un punto di ordine piccolo", "a point of small order")
        }
        _ => lang.pick("non è un punto della curva", "not a point of the curve"),
    }
}

fn check_id(id: &str) -> Result<(), TrustError> {
    let ok = !id.trim().is_empty() && id.chars().count() <= 64 && !id.chars().any(char::is_control);
    ok.then_some(())
        .ok_or_else(|| TrustError::InvalidId(id.chars().take(64).collect()))
}

/// A map with its text keys in deterministic order (RFC 8949 §4.2.1: by
/// encoded bytes, i.e. shorter keys first, then bytewise).
fn canonical_map(mut m: Vec<(Value, Value)>) -> Value {
    m.sort_by(|(a, _), (b, _)| match (a, b) {
        (Value::Text(a), Value::Text(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        _ => std::cmp::Ordering::Equal,
    });
    Value::Map(m)
}

fn t_val(t: Timestamp) -> Value {
    Value::Integer(t.as_second().into())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

impl TrustList {
    /// Adds an issuer key, valid for credentials issued from `valid_from`.
    ///
    /// Refuses a denied key ([`TrustError::KeyDenied`]), a key already
    /// listed ([`TrustError::Duplicate`]) and a key whose kid equals the kid
    /// of a listed or denied key ([`TrustError::KidCollision`]).
    pub fn add_issuer(
        &mut self,
        id: &str,
        key: PublicKey,
        valid_from: Option<Timestamp>,
    ) -> Result<(), TrustError> {
        check_id(id)?;
        let kid = key.kid();
        if self.is_denied(&key) {
            return Err(TrustError::KeyDenied(kid));
        }
        if self.issuers.iter().any(|e| e.key == key) {
            return Err(TrustError::Duplicate(format!("key {kid}")));
        }
        if let Some(e) = self.issuers.iter().find(|e| e.kid() == kid) {
            return Err(TrustError::KidCollision {
                kid,
                with: format!(
                    "the key of issuer '{}' (fingerprint {})",
                    e.id,
                    e.key.fingerprint()
                ),
            });
        }
        if let Some(fp) = self.denied_keys.iter().find(|f| f.kid() == kid) {
            return Err(TrustError::KidCollision {
                kid,
                with: format!("the denied key with fingerprint {fp}"),
            });
        }
        self.issuers.push(IssuerEntry {
            id: id.to_owned(),
            key,
            valid_from,
            valid_until: None,
        });
        Ok(())
    }

    /// Retires an issuer key: codes it signed up to `at` stay valid, later ones are refused.
    pub fn retire_issuer_key(&mut self, kid: Kid, at: Timestamp) -> Result<(), TrustError> {
        let mut found = false;
        for e in self.issuers.iter_mut().filter(|e| e.kid() == kid) {
            e.valid_until = Some(at);
            found = true;
        }
        found
            .then_some(())
            .ok_or_else(|| TrustError::NotFound(format!("key {kid}")))
    }

    /// Whether `key` is denied, by its fingerprint or (lists written before
    /// fingerprints) by its kid.
    pub fn is_denied(&self, key: &PublicKey) -> bool {
        (self.denied.contains(&key.kid()) && enforced(Rule::DeniedKid))
            || (self.denied_keys.contains(&key.fingerprint()) && enforced(Rule::DeniedKey))
    }

    /// Whether some denial could concern a key with `kid`: a denied kid, or
    /// a denied fingerprint that starts with it.
    pub fn denies_kid(&self, kid: Kid) -> bool {
        (self.denied.contains(&kid) && enforced(Rule::DeniedKid))
            || (self.denied_keys.iter().any(|f| f.kid() == kid) && enforced(Rule::DeniedKey))
    }

    /// Denies one key for ever, by its fingerprint: removes its entries and
    /// returns them. Keys that only share its kid are not touched.
    pub fn deny_key(&mut self, fingerprint: KeyFingerprint) -> Vec<IssuerEntry> {
        let (removed, kept) = std::mem::take(&mut self.issuers)
            .into_iter()
            .partition(|e| e.key.fingerprint() == fingerprint);
        self.issuers = kept;
        self.denied_keys.insert(fingerprint);
        removed
    }

    /// Denies every key with `kid`, as lists did before fingerprints: it
    /// also denies any future key that happens to get the kid. Kept to
    /// reproduce such lists (test vectors); use [`TrustList::deny_key`].
    pub fn deny_kid(&mut self, kid: Kid) {
        self.issuers.retain(|e| e.kid() != kid);
        self.denied.insert(kid);
    }

    /// Adds an accredited operator.
    pub fn add_operator(&mut self, op: OperatorEntry) -> Result<(), TrustError> {
        check_id(&op.id)?;
        if self.operators.iter().any(|o| o.id == op.id) {
            return Err(TrustError::Duplicate(format!("operator {}", op.id)));
        }
        self.operators.push(op);
        Ok(())
    }

    /// Removes an operator.
    pub fn remove_operator(&mut self, id: &str) -> Result<(), TrustError> {
        let before = self.operators.len();
        self.operators.retain(|o| o.id != id);
        (self.operators.len() < before)
            .then_some(())
            .ok_or_else(|| TrustError::NotFound(format!("operator {id}")))
    }

    /// Issuer entries whose key has `kid` and is not denied (there may be
    /// several: kids are short).
    pub fn issuers_with_kid(&self, kid: Kid) -> impl Iterator<Item = &IssuerEntry> {
        self.issuers
            .iter()
            .filter(move |e| e.kid() == kid && !self.is_denied(&e.key))
    }

    /// The operator with `id`.
    pub fn operator(&self, id: &str) -> Option<&OperatorEntry> {
        self.operators.iter().find(|o| o.id == id)
    }

    /// Signs the list with a root key in memory, as it is: call
    /// [`TrustList::next_version`] first when publishing an update.
    pub fn sign(&self, root: &SigningKey, issued_at: Timestamp, expires_at: Timestamp) -> Vec<u8> {
        // SigningKey's `Signer::sign` always succeeds.
        self.sign_with(root, issued_at, expires_at)
            .unwrap_or_default()
    }

    /// [`TrustList::sign`] with any [`Signer`], e.g. a root key in an HSM.
    pub fn sign_with<S: Signer + ?Sized>(
        &self,
        root: &S,
        issued_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Vec<u8>, SignError> {
        let issuers = self
            .issuers
            .iter()
            .map(|e| {
                let mut m = vec![
                    (text("id"), text(&e.id)),
                    (text("key"), Value::Bytes(e.key.to_bytes().to_vec())),
                ];
                if let Some(f) = e.valid_from {
                    m.push((text("from"), t_val(f)));
                }
                if let Some(u) = e.valid_until {
                    m.push((text("until"), t_val(u)));
                }
                canonical_map(m)
            })
            .collect();
        let operators = self
            .operators
            .iter()
            .map(|o| {
                let mut m = vec![
                    (text("id"), text(&o.id)),
                    (text("name"), text(&o.name)),
                    (text("key"), Value::Bytes(o.sealing_key.to_vec())),
                ];
                if let Some(f) = o.valid_from {
                    m.push((text("from"), t_val(f)));
                }
                if let Some(u) = o.valid_until {
                    m.push((text("until"), t_val(u)));
                }
                canonical_map(m)
            })
            .collect();
        let denied = self
            .denied
            .iter()
            .map(|k| Value::Bytes(k.as_bytes().to_vec()))
            .collect();
        let mut body = vec![
            (text("seq"), Value::Integer(self.seq.into())),
            (text("issuers"), Value::Array(issuers)),
            (text("operators"), Value::Array(operators)),
            (text("denied"), Value::Array(denied)),
        ];
        // Written only when there is one, so that lists without fingerprint
        // denials keep the bytes of format v1 (and verifiers older than
        // this member, which ignore unknown members, still read them).
        if !self.denied_keys.is_empty() {
            let keys = self
                .denied_keys
                .iter()
                .map(|f| Value::Bytes(f.as_bytes().to_vec()))
                .collect();
            body.push((text("denied_keys"), Value::Array(keys)));
        }
        let body = canonical_map(body);
        let mut c = ClaimSet::new();
        c.set_time(claims::IAT, issued_at);
        c.set_time(claims::EXP, expires_at);
        c.set(claims::ATTESTA_TRUST_LIST, body);
        cose::sign_with(root, c.to_vec(), Some(TRUST_LIST_TYP))
    }

    /// Bumps the sequence number for a new version.
    pub fn next_version(&mut self) {
        self.seq += 1;
    }

    /// Parses a signed trust list and checks it against the root key,
    /// without any policy (age, rollback). Tools that edit lists use this;
    /// verifiers use `attesta_verify::trust::TrustState::accept`.
    pub fn verify_signature(bytes: &[u8], root: &PublicKey) -> Result<TrustList, TrustError> {
        let limits = TRUST_LIMITS;
        let u = UnverifiedSign1::parse(bytes, limits)
            .map_err(|e| TrustError::Malformed(e.to_string()))?;
        if u.typ() != Some(TRUST_LIST_TYP) && enforced(Rule::TrustTyp) {
            return Err(TrustError::Malformed(
                "not a trust list (wrong content type)".into(),
            ));
        }
        let p = match u.verify(root) {
            Some(p) => p.bytes().to_vec(),
            None if !enforced(Rule::TrustSignature) => u.payload_unverified().to_vec(),
            None => return Err(TrustError::BadSignature),
        };
        Self::from_claims(&p, limits)
    }

    /// Reads the claims of a trust list **without** checking who signed it,
    /// for display by tools that have no root key. Never trust the result.
    pub fn from_unverified_payload(payload: &[u8]) -> Result<TrustList, TrustError> {
        Self::from_claims(payload, TRUST_LIMITS)
    }

    fn from_claims(bytes: &[u8], limits: CborLimits) -> Result<TrustList, TrustError> {
        let m = |s: &str| TrustError::Malformed(s.to_owned());
        let c = ClaimSet::parse(bytes, limits).map_err(|e| m(&e.to_string()))?;
        let issued_at = c.required_time(claims::IAT, "iat").map_err(|_| m("iat"))?;
        let expires_at = c.required_time(claims::EXP, "exp").map_err(|_| m("exp"))?;
        let body = c.get(claims::ATTESTA_TRUST_LIST).ok_or_else(|| m("body"))?;
        let seq = claims::map_get(body, "seq")
            .and_then(claims::as_u64)
            .ok_or_else(|| m("seq"))?;
        let arr = |k: &str| match claims::map_get(body, k) {
            Some(Value::Array(a)) => Ok(a.as_slice()),
            _ => Err(m(k)),
        };
        let time = |v: &Value, k: &str| -> Result<Option<Timestamp>, TrustError> {
            match claims::map_get(v, k) {
                None => Ok(None),
                Some(d) => claims::numeric_date(d).map(Some).ok_or_else(|| m(k)),
            }
        };
        let txt = |v: &Value, k: &str| match claims::map_get(v, k) {
            Some(Value::Text(t)) => Ok(t.clone()),
            _ => Err(m(k)),
        };
        let bytes32 = |v: &Value, k: &str| match claims::map_get(v, k) {
            Some(Value::Bytes(b)) => <[u8; 32]>::try_from(b.as_slice()).map_err(|_| m(k)),
            _ => Err(m(k)),
        };
        let mut issuers = Vec::new();
        for e in arr("issuers")? {
            let id = txt(e, "id")?;
            let key =
                PublicKey::from_bytes(&bytes32(e, "key")?).map_err(|error| TrustError::BadKey {
                    id: id.chars().take(64).collect(),
                    error,
                })?;
            issuers.push(IssuerEntry {
                id,
                key,
                valid_from: time(e, "from")?,
                valid_until: time(e, "until")?,
            });
        }
        let mut operators = Vec::new();
        for o in arr("operators")? {
            operators.push(OperatorEntry {
                id: txt(o, "id")?,
                name: txt(o, "name")?,
                sealing_key: bytes32(o, "key")?,
                valid_from: time(o, "from")?,
                valid_until: time(o, "until")?,
            });
        }
        let mut denied = BTreeSet::new();
        for d in arr("denied")? {
            match d {
                Value::Bytes(b) => {
                    denied.insert(Kid::from_slice(b).ok_or_else(|| m("denied kid"))?);
                }
                _ => return Err(m("denied")),
            }
        }
        let mut denied_keys = BTreeSet::new();
        let keys = match claims::map_get(body, "denied_keys") {
            None => &[][..],
            Some(Value::Array(a)) => a.as_slice(),
            Some(_) => return Err(m("denied_keys")),
        };
        for d in keys {
            match d {
                Value::Bytes(b) => {
                    denied_keys.insert(
                        KeyFingerprint::from_slice(b).ok_or_else(|| m("denied key fingerprint"))?,
                    );
                }
                _ => return Err(m("denied_keys")),
            }
        }
        Ok(TrustList {
            seq,
            issued_at: Some(issued_at),
            expires_at: Some(expires_at),
            issuers,
            operators,
            denied,
            denied_keys,
        })
    }
}

/// An RFC 3339 time carried as text by a [`TrustError`], as Italians read
/// it (30/11/2026, with the time when `with_time`); the text itself if it
/// is not one.
fn italian_time(rfc3339: &str, with_time: bool) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(t) if with_time => crate::lang::day_time_of(t, Lang::It),
        Ok(t) => crate::lang::day_of(t, Lang::It),
        Err(_) => rfc3339.to_owned(),
    }
}

impl TrustError {
    /// The message in `lang`. The editing errors of the issuer's tools
    /// (duplicate, unknown or denied entries, bad ids) are in English only.
    pub fn message(&self, lang: Lang) -> String {
        use TrustError as E;
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            E::Malformed(_) => "il file della lista di fiducia è malformato; scaricarlo di nuovo dall'emittente".into(),
            E::BadKey { id, error } => format!("la lista di fiducia indica per l'emittente «{id}» una chiave che non è una chiave pubblica Ed25519 valida ({}); nessun generatore di chiavi ne produce: la lista è difettosa o costruita ad arte, non usarla", bad_key_reason(error, lang)),
            E::BadSignature => "la lista di fiducia non è firmata dalla chiave radice indicata; controllare di avere la chiave radice giusta e una lista integra".into(),
            E::Rollback { found, accepted } => format!("la lista di fiducia ha il numero di sequenza {found}, più vecchio del {accepted} già accettato (ritorno a una lista precedente); scaricare la lista in vigore"),
            E::IssuedInFuture { issued, .. } => format!("la lista di fiducia risulta emessa il {}, dopo l'ora di questo dispositivo; controllare la data e l'ora del dispositivo e, se sono giuste, non usare questa lista (porterebbe avanti il limite minimo dell'orologio del verificatore e farebbe apparire scaduti tutti i codici)", italian_time(issued, true)),
            E::Stale { issued, .. } => format!("la lista di fiducia non è aggiornata (emessa il {}); scaricarne una nuova prima di verificare", italian_time(issued, false)),
            E::DeniedKidReinstated(k) => format!("la lista di fiducia considera valida la chiave {k}, revocata da una lista precedente; una chiave revocata non torna mai valida: non usare questa lista"),
            E::DenylistShrunk(k) => format!("la lista di fiducia non nega più la chiave {k}, revocata da una lista precedente; ogni lista deve mantenere le revoche: non usare questa lista"),
            E::DeniedKeyReinstated(f) => format!("la lista di fiducia considera valida la chiave {} (impronta {f}), revocata da una lista precedente; una chiave revocata non torna mai valida: non usare questa lista", f.kid()),
            E::DeniedKeyDropped(f) => format!("la lista di fiducia non nega più la chiave {} (impronta {f}), revocata da una lista precedente; ogni lista deve mantenere le revoche: non usare questa lista", f.kid()),
            _ => self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;

    fn now() -> Timestamp {
        Timestamp::from_second(1_795_000_000).unwrap()
    }

    /// Two keys with one kid (the seeds of test vector 026): the second is
    /// refused under any id, and denying one by fingerprint leaves the
    /// other trusted.
    #[test]
    fn kid_collisions_are_refused_and_denial_is_per_key() {
        use sha2::{Digest, Sha256};
        let seed = |n: u32| -> [u8; 32] {
            Sha256::digest(format!("attesta test vectors kid collision {n}").as_bytes()).into()
        };
        let (a, b) = (
            SigningKey::from_seed(&seed(82065)),
            SigningKey::from_seed(&seed(150427)),
        );
        assert_eq!(a.kid(), b.kid());
        let mut list = TrustList::default();
        list.add_issuer("INPS", a.public_key(), None).unwrap();
        assert!(matches!(
            list.add_issuer("EVIL", b.public_key(), None),
            Err(TrustError::KidCollision { kid, .. }) if kid == a.kid()
        ));
        // A list made before the refusal may hold both: deny B alone.
        list.issuers.push(IssuerEntry {
            id: "EVIL".into(),
            key: b.public_key(),
            valid_from: None,
            valid_until: None,
        });
        let removed = list.deny_key(b.public_key().fingerprint());
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].id, "EVIL");
        assert_eq!(list.issuers_with_kid(a.kid()).count(), 1);
        assert!(!list.is_denied(&a.public_key()) && list.is_denied(&b.public_key()));
        // Nor can a new key with the denied key's kid be added.
        let mut fresh = TrustList::default();
        fresh.deny_key(b.public_key().fingerprint());
        assert!(matches!(
            fresh.add_issuer("INPS", a.public_key(), None),
            Err(TrustError::KidCollision { .. })
        ));
        // The fingerprint denylist survives signing and parsing.
        let root = SigningKey::from_seed(&[1; 32]);
        let back = TrustList::verify_signature(
            &list.sign(&root, now(), now() + 1.hour()),
            &root.public_key(),
        )
        .unwrap();
        assert_eq!(back.denied_keys, list.denied_keys);
        assert!(back.denied.is_empty());
    }

    #[test]
    fn key_windows_and_operators() {
        let k = SigningKey::from_seed(&[2; 32]);
        let mut list = TrustList::default();
        list.add_issuer("INPS", k.public_key(), Some(now()))
            .unwrap();
        list.retire_issuer_key(k.kid(), now() + 10.hours()).unwrap();
        let e = list.issuers_with_kid(k.kid()).next().unwrap();
        assert!(!e.valid_at(now() - 1.second()));
        assert!(e.valid_at(now() + 1.hour()));
        assert!(!e.valid_at(now() + 11.hours()));
        let op = OperatorEntry {
            id: "comune-bo".into(),
            name: "Comune di Bologna".into(),
            sealing_key: [7; 32],
            valid_from: None,
            valid_until: None,
        };
        list.add_operator(op.clone()).unwrap();
        assert!(list.add_operator(op).is_err());
        let root = SigningKey::from_seed(&[1; 32]);
        let back = TrustList::verify_signature(
            &list.sign(&root, now(), now() + 1.hour()),
            &root.public_key(),
        )
        .unwrap();
        assert_eq!(
            back.operator("comune-bo").unwrap().name,
            "Comune di Bologna"
        );
        assert_eq!(back.issuers, list.issuers);
        list.remove_operator("comune-bo").unwrap();
        assert!(list.remove_operator("comune-bo").is_err());
    }
}
