//! First-level credentials both ways: issue (seal, sign, encode) and parse
//! (decode, then, once a verifier has checked the signature, read claims and
//! open the envelope with the holder's CF).
//!
//! Issuing:
//!
//! ```
//! use attesta_core::cf::CodiceFiscale;
//! use attesta_core::credential::{issue_first_level, FirstLevelRequest, FirstLevelCode};
//! use attesta_core::envelope::{KdfParams, KdfLimits};
//! use attesta_core::keys::SigningKey;
//! use attesta_core::model::{Attestation, InvalidityAssessment};
//! use jiff::{Timestamp, ToSpan};
//!
//! let key = SigningKey::generate()?;
//! let cf = CodiceFiscale::parse("RSSMRA85T10A562S")?;
//! let now = Timestamp::now();
//! let req = FirstLevelRequest {
//!     attestation: Attestation::builder().invalidity(InvalidityAssessment::From67).build()?,
//!     issued_at: now,
//!     not_before: None,
//!     expires_at: now + 24.hours() * 365,
//!     status: None,
//!     issuer: None,
//!     kdf: KdfParams::INSECURE_TEST, // tests only: real codes use KdfParams::DEFAULT
//! };
//! let issued = issue_first_level(&key, &cf, &req)?;
//! assert!(issued.text().starts_with("AT1:"));
//!
//! // Reading back (a verifier does this after its trust checks).
//! let code = FirstLevelCode::parse(issued.text())?;
//! let payload = code.sign1().verify(&key.public_key()).expect("signature");
//! let claims = attesta_core::credential::FirstLevelClaims::from_verified(&payload)?;
//! // Test parameters are below the verifier's floor: lower it, for tests only.
//! let limits = KdfLimits::default().without_floor();
//! let att = claims.envelope().open(&cf, claims.cti(), &limits)?;
//! assert_eq!(att.invalidity(), Some(InvalidityAssessment::From67));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use ciborium::Value;
use jiff::civil::Date;
use jiff::{Span, Timestamp};

use crate::cbor_guard::CborLimits;
use crate::cf::CodiceFiscale;
use crate::claims::{self, ClaimSet, StatusRef};
use crate::cose::{self, UnverifiedSign1, VerifiedPayload};
use crate::envelope::{
    EnvelopeError, EnvelopeKey, EnvelopeLabel, KdfLimits, KdfParams, KdfVerdict,
};
use crate::error::FormatError;
use crate::keys::{Kid, PublicKey};
use crate::model::{Attestation, ModelError};
use crate::rules::{Rule, enforced};
use crate::secret::HolderSecret;
use crate::signer::Signer;
use crate::text::{self, CodeKind};

/// Length of a credential id.
pub const CTI_LEN: usize = 8;

/// A credential id (`cti`): 8 random bytes, also the envelope's salt.
/// 64 bits keep collisions negligible for tens of millions of credentials.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cti([u8; CTI_LEN]);

impl Cti {
    /// A fresh random id.
    pub fn random() -> Result<Cti, IssueError> {
        let mut b = [0u8; CTI_LEN];
        getrandom::fill(&mut b).map_err(|_| IssueError::Rng)?;
        Ok(Cti(b))
    }
    /// From bytes (test vectors, manifests).
    pub fn from_bytes(b: [u8; CTI_LEN]) -> Cti {
        Cti(b)
    }
    /// From a slice; `None` unless it is [`CTI_LEN`] bytes.
    pub fn from_slice(b: &[u8]) -> Option<Cti> {
        Some(Cti(b.try_into().ok()?))
    }
    /// From hex.
    pub fn from_hex(s: &str) -> Option<Cti> {
        Cti::from_slice(&hex::decode(s.trim()).ok()?)
    }
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8; CTI_LEN] {
        &self.0
    }
    /// A short reference for printed documents and support calls: the
    /// first four bytes as `XXXX-XXXX`.
    pub fn short_ref(&self) -> String {
        let h = hex::encode_upper(&self.0[..4]);
        format!("{}-{}", &h[..4], &h[4..])
    }
}

impl fmt::Display for Cti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Cti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cti({self})")
    }
}

/// What to issue, apart from the holder's CF and the key.
#[derive(Clone, Debug)]
pub struct FirstLevelRequest {
    /// What the code attests.
    pub attestation: Attestation,
    /// `iat`.
    pub issued_at: Timestamp,
    /// `nbf`, only when validity starts later than issuance.
    pub not_before: Option<Timestamp>,
    /// `exp`.
    pub expires_at: Timestamp,
    /// The credential's entry in the issuer's status list.
    pub status: Option<StatusRef>,
    /// `iss`. Usually left out: the kid already names the issuer through the
    /// trust list, and the 6+ bytes would push a typical code past a
    /// version 11 QR.
    pub issuer: Option<String>,
    /// Argon2id parameters of the envelope.
    pub kdf: KdfParams,
}

/// A signed first-level code.
#[derive(Clone, Debug)]
pub struct IssuedCredential {
    text: String,
    cti: Cti,
}

impl IssuedCredential {
    pub(crate) fn new(text: String, cti: Cti) -> Self {
        IssuedCredential { text, cti }
    }

    /// The QR text (`AT1:…`).
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The credential id.
    pub fn cti(&self) -> Cti {
        self.cti
    }
}

/// Why a credential could not be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The attestation is invalid.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Validity dates out of order.
    #[error("the validity ends before it starts; check the end of validity")]
    ValidityOrder,
    /// A date the format cannot carry (docs/format.md §5).
    #[error(
        "dates must be between 1970-01-01 and 2106-02-07 (the range of the format's dates); check the validity dates"
    )]
    DateOutOfRange,
    /// The revision date cannot be encoded.
    #[error("the revision date must be between 1970-01-02 and 2149-06-06")]
    RevisionDate,
    /// Bad KDF parameters.
    #[error(transparent)]
    Kdf(#[from] EnvelopeError),
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Rng,
    /// The operator's sealing key is unusable.
    #[error(
        "the operator's sealing key in the trust list is not a valid X25519 key; check the trust list"
    )]
    OperatorKey,
    /// The signing key (a file, an HSM) could not sign.
    #[error(transparent)]
    Sign(#[from] crate::signer::SignError),
}

impl IssueError {
    /// The stable machine-readable code of this error, for issuers'
    /// scripts (wrapped errors give their own code).
    pub fn code(&self) -> &'static str {
        match self {
            IssueError::Model(e) => e.code(),
            IssueError::ValidityOrder => "validity_order",
            IssueError::DateOutOfRange => "date_out_of_range",
            IssueError::RevisionDate => "revision_date_out_of_range",
            IssueError::Kdf(e) => e.code(),
            IssueError::Rng => "rng_failed",
            IssueError::OperatorKey => "operator_key_invalid",
            IssueError::Sign(e) => e.code(),
        }
    }
}

fn epoch() -> Date {
    Date::constant(1970, 1, 1)
}

pub(crate) fn date_to_days(d: Date) -> Option<u64> {
    let days = d.since(epoch()).ok()?.get_days();
    u64::try_from(days).ok()
}

pub(crate) fn days_to_date(days: u64) -> Option<Date> {
    let d = i64::try_from(days).ok()?;
    if d > 2_932_896 {
        return None; // beyond 9999-12-31
    }
    epoch().checked_add(Span::new().try_days(d).ok()?).ok()
}

/// Length of the first-level plaintext. It is fixed so that the length of
/// the ciphertext (and of the QR text) says nothing about the content.
pub const PLAINTEXT_LEN: usize = 7;

/// `[flags, revision_days]` with both integers always in their two-byte
/// form (CBOR `0x19`), and 0 for "no revision date": 7 bytes whatever the
/// attestation says.
fn attestation_plaintext(a: &Attestation) -> Result<[u8; PLAINTEXT_LEN], IssueError> {
    let flags = u16::try_from(a.to_flags()).map_err(|_| IssueError::RevisionDate)?;
    let days = match a.revision() {
        None => 0,
        Some(r) => date_to_days(r)
            .and_then(|d| u16::try_from(d).ok())
            .filter(|d| *d > 0)
            .ok_or(IssueError::RevisionDate)?,
    };
    let [f0, f1] = flags.to_be_bytes();
    let [d0, d1] = days.to_be_bytes();
    Ok([0x82, 0x19, f0, f1, 0x19, d0, d1])
}

fn attestation_from_plaintext(b: &[u8]) -> Result<Attestation, FormatError> {
    let bad = || FormatError::MalformedClaims("attestation");
    let (flags, days) = match *b {
        [0x82, 0x19, f0, f1, 0x19, d0, d1] => {
            (u16::from_be_bytes([f0, f1]), u16::from_be_bytes([d0, d1]))
        }
        _ if !enforced(Rule::PlaintextForm) => lenient_plaintext(b).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    let rev = match days {
        0 => None,
        d => Some(days_to_date(u64::from(d)).ok_or_else(bad)?),
    };
    Ok(Attestation::from_flags(u64::from(flags), rev)?)
}

/// The mistake [`Rule::PlaintextForm`] stands for: any CBOR array of two
/// unsigned integers that fit 16 bits (mutation check only).
fn lenient_plaintext(b: &[u8]) -> Option<(u16, u16)> {
    let Ok(Value::Array(a)) = ciborium::from_reader::<Value, _>(b) else {
        return None;
    };
    let [f, d] = a.as_slice() else { return None };
    let n = |v: &Value| claims::as_u64(v).and_then(|x| u16::try_from(x).ok());
    Some((n(f)?, n(d)?))
}

/// Issues a first-level code with a fresh random cti.
pub fn issue_first_level(
    key: &(impl Signer + ?Sized),
    cf: &CodiceFiscale,
    req: &FirstLevelRequest,
) -> Result<IssuedCredential, IssueError> {
    issue_first_level_with_cti(key, cf, req, Cti::random()?)
}

/// Issues a first-level code that opens only with the holder's CF **and**
/// `secret` ([`crate::secret`]): the code says so in its signed envelope,
/// and the secret goes to the holder apart from the QR code.
///
/// ```
/// # use attesta_core::{cf::CodiceFiscale, credential::*, envelope::{KdfLimits, KdfParams}, keys::SigningKey, model::*};
/// use attesta_core::secret::HolderSecret;
/// # let key = SigningKey::generate()?;
/// # let cf = CodiceFiscale::parse("RSSMRA85T10A562S")?;
/// # let now = jiff::Timestamp::now();
/// # let req = FirstLevelRequest { attestation: Attestation::builder().deafness(true).build()?,
/// #     issued_at: now, not_before: None, expires_at: now + jiff::SignedDuration::from_hours(24),
/// #     status: None, issuer: None, kdf: KdfParams::INSECURE_TEST };
/// let secret = HolderSecret::generate()?;
/// let issued = issue_first_level_with_secret(&key, &cf, &secret, &req)?;
/// println!("give the holder {}", secret.to_text().as_str());
///
/// let payload = FirstLevelCode::parse(issued.text())?.sign1().verify(&key.public_key()).unwrap();
/// let claims = FirstLevelClaims::from_verified(&payload)?;
/// let sealed = claims.envelope();
/// let limits = KdfLimits::default().without_floor(); // test parameters: tests only
/// assert!(sealed.requires_secret());
/// assert_eq!(sealed.open(&cf, claims.cti(), &limits), Err(OpenError::SecretRequired));
/// assert!(sealed.open_with_secret(&cf, Some(&secret), claims.cti(), &limits).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn issue_first_level_with_secret(
    key: &(impl Signer + ?Sized),
    cf: &CodiceFiscale,
    secret: &HolderSecret,
    req: &FirstLevelRequest,
) -> Result<IssuedCredential, IssueError> {
    issue_first_level_with_cti_and_secret(key, cf, Some(secret), req, Cti::random()?)
}

/// Issues a first-level code with a given cti. Everything else about Ed25519
/// and the envelope is deterministic, so this reproduces test vectors.
/// Never reuse a cti for real credentials.
pub fn issue_first_level_with_cti(
    key: &(impl Signer + ?Sized),
    cf: &CodiceFiscale,
    req: &FirstLevelRequest,
    cti: Cti,
) -> Result<IssuedCredential, IssueError> {
    issue_first_level_with_cti_and_secret(key, cf, None, req, cti)
}

/// [`issue_first_level_with_cti`] with an optional holder's secret (test
/// vectors).
pub fn issue_first_level_with_cti_and_secret(
    key: &(impl Signer + ?Sized),
    cf: &CodiceFiscale,
    secret: Option<&HolderSecret>,
    req: &FirstLevelRequest,
    cti: Cti,
) -> Result<IssuedCredential, IssueError> {
    let ekey = EnvelopeKey::derive_with_secret(
        cf,
        secret,
        cti.as_bytes(),
        &req.kdf,
        EnvelopeLabel::FirstLevel,
        &mut crate::envelope::KdfMemory::default(),
    )?;
    issue_first_level_with_key(key, &ekey, req, cti)
}

/// [`issue_first_level`] (or, with `secret`,
/// [`issue_first_level_with_secret`]) reusing the caller's Argon2id working
/// memory: for batches, one [`crate::envelope::KdfMemory`] per thread keeps
/// memory flat.
pub fn issue_first_level_reusing(
    key: &(impl Signer + ?Sized),
    cf: &CodiceFiscale,
    secret: Option<&HolderSecret>,
    req: &FirstLevelRequest,
    memory: &mut crate::envelope::KdfMemory,
) -> Result<IssuedCredential, IssueError> {
    let cti = Cti::random()?;
    let ekey = EnvelopeKey::derive_with_secret(
        cf,
        secret,
        cti.as_bytes(),
        &req.kdf,
        EnvelopeLabel::FirstLevel,
        memory,
    )?;
    issue_first_level_with_key(key, &ekey, req, cti)
}

/// The issuing pipeline after the KDF: seal, build claims, sign, encode.
/// Public so that benchmarks can measure it apart from Argon2id; `ekey`
/// must come from [`EnvelopeKey::derive`] (or
/// [`EnvelopeKey::derive_with_secret`]) for the same cti and `req.kdf`.
/// The envelope says whether a holder's secret went into `ekey`.
pub fn issue_first_level_with_key(
    key: &(impl Signer + ?Sized),
    ekey: &EnvelopeKey,
    req: &FirstLevelRequest,
    cti: Cti,
) -> Result<IssuedCredential, IssueError> {
    if req.expires_at <= req.issued_at || req.not_before.is_some_and(|n| n >= req.expires_at) {
        return Err(IssueError::ValidityOrder);
    }
    let dates = [Some(req.issued_at), req.not_before, Some(req.expires_at)];
    if !dates.into_iter().flatten().all(claims::is_numeric_date) {
        return Err(IssueError::DateOutOfRange);
    }
    let ct = ekey.seal(cti.as_bytes(), &attestation_plaintext(&req.attestation)?);
    debug_assert_eq!(ct.len(), PLAINTEXT_LEN + 16);
    let envelope = envelope_to_value(&req.kdf, ct, ekey.with_secret());
    let mut c = ClaimSet::new();
    if let Some(iss) = &req.issuer {
        c.set(claims::ISS, Value::Text(iss.clone()));
    }
    c.set_time(claims::IAT, req.issued_at);
    if let Some(nbf) = req.not_before {
        c.set_time(claims::NBF, nbf);
    }
    c.set_time(claims::EXP, req.expires_at);
    c.set(claims::CTI, Value::Bytes(cti.as_bytes().to_vec()));
    if let Some(s) = &req.status {
        c.set_status(s);
    }
    c.set(claims::ATTESTA_ENVELOPE, envelope);
    let cose = cose::sign_with(key, c.to_vec(), None)?;
    Ok(IssuedCredential {
        text: text::encode(CodeKind::FirstLevel.prefix(), &cose),
        cti,
    })
}

/// A first-level code, decoded but not verified.
#[derive(Clone, Debug)]
pub struct FirstLevelCode {
    sign1: UnverifiedSign1,
}

impl FirstLevelCode {
    /// Decodes the text: prefix, base45, optional zlib, COSE_Sign1 header rules.
    pub fn parse(text: &str) -> Result<Self, FormatError> {
        let (kind, cose) = text::decode(text)?;
        if kind != CodeKind::FirstLevel && enforced(Rule::PrefixLevel) {
            return Err(FormatError::WrongLevel {
                found: CodeKind::SecondLevel,
            });
        }
        Ok(FirstLevelCode {
            sign1: UnverifiedSign1::parse(&cose, CborLimits::STRICT)?,
        })
    }

    /// The kid that the code claims signed it.
    pub fn kid(&self) -> Kid {
        self.sign1.kid()
    }

    /// The COSE layer, to verify the signature.
    pub fn sign1(&self) -> &UnverifiedSign1 {
        &self.sign1
    }

    /// The issuer's read-back of a code it signed itself: its claims, if
    /// `key` signed them.
    ///
    /// **Not a verification**, hence the name: the key is the caller's
    /// choice, and none of a verifier's checks runs (no trust list, key
    /// window, denylist, dates, revocation or KDF floor). It is for an
    /// issuer's own tools: revoking one of its codes, issuing second-level
    /// details for it. Whether a code is valid is
    /// `attesta_verify::Verifier::check`'s to say.
    ///
    /// ```
    /// # use attesta_core::{cf::CodiceFiscale, credential::*, envelope::KdfParams, keys::SigningKey, model::*};
    /// # use jiff::{Timestamp, ToSpan};
    /// # let (key, other) = (SigningKey::generate()?, SigningKey::generate()?);
    /// # let now = Timestamp::now();
    /// # let cf = CodiceFiscale::parse("RSSMRA85T10A562S")?;
    /// # let issued = issue_first_level(&key, &cf, &FirstLevelRequest {
    /// #     attestation: Attestation::builder().deafness(true).build()?, issued_at: now, not_before: None,
    /// #     expires_at: now + 24.hours(), status: None, issuer: None, kdf: KdfParams::INSECURE_TEST })?;
    /// let code = FirstLevelCode::parse(issued.text())?;
    /// assert_eq!(code.danger_read_back(&key.public_key())?.cti(), &issued.cti());
    /// assert!(matches!(
    ///     code.danger_read_back(&other.public_key()),
    ///     Err(ReadBackError::NotSignedByThisKey { .. })
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn danger_read_back(&self, key: &PublicKey) -> Result<FirstLevelClaims, ReadBackError> {
        let payload = self
            .sign1
            .verify(key)
            .ok_or(ReadBackError::NotSignedByThisKey {
                code_kid: self.kid(),
                key_kid: key.kid(),
            })?;
        FirstLevelClaims::from_verified(&payload).map_err(ReadBackError::Malformed)
    }
}

/// Why an issuer could not read back one of its own codes
/// ([`FirstLevelCode::danger_read_back`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadBackError {
    /// Another key signed the code.
    #[error(
        "the code was signed by another key (kid {code_kid}), not by this issuer key (kid {key_kid}); use the key that issued it"
    )]
    NotSignedByThisKey {
        /// The kid the code names.
        code_kid: Kid,
        /// The kid of the key given.
        key_kid: Kid,
    },
    /// The signature is right but the claims are not a first-level code's.
    #[error("the code's claims are malformed: {0}")]
    Malformed(FormatError),
}

impl ReadBackError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ReadBackError::NotSignedByThisKey { .. } => "not_signed_by_this_key",
            ReadBackError::Malformed(e) => e.code(),
        }
    }
}

/// The claims of a first-level code whose signature was checked.
#[derive(Clone, Debug)]
pub struct FirstLevelClaims {
    issuer: Option<String>,
    issued_at: Timestamp,
    not_before: Option<Timestamp>,
    expires_at: Timestamp,
    cti: Cti,
    status: Option<StatusRef>,
    envelope: SealedAttestation,
}

impl FirstLevelClaims {
    /// Reads the claims of a verified payload.
    pub fn from_verified(p: &VerifiedPayload) -> Result<Self, FormatError> {
        let c = ClaimSet::parse(p.bytes(), CborLimits::STRICT)?;
        if !enforced(Rule::ClaimsUnknownIgnored) {
            let known = [
                claims::ISS,
                claims::EXP,
                claims::NBF,
                claims::IAT,
                claims::CTI,
                claims::STATUS,
                claims::ATTESTA_ENVELOPE,
            ];
            if c.entries().iter().any(|(k, _)| !known.contains(k)) {
                return Err(FormatError::MalformedClaims("unknown claim"));
            }
        }
        let cti = c
            .bytes(claims::CTI, "cti")?
            .ok_or(FormatError::MissingClaim("cti"))?;
        let cti = Cti::from_slice(cti).ok_or(FormatError::MalformedClaims("cti length"))?;
        let env = c
            .get(claims::ATTESTA_ENVELOPE)
            .ok_or(FormatError::MissingClaim("attestation envelope (-65537)"))?;
        Ok(FirstLevelClaims {
            issuer: c.text(claims::ISS, "iss")?.map(str::to_owned),
            issued_at: c.required_time(claims::IAT, "iat")?,
            not_before: c.time(claims::NBF, "nbf")?,
            expires_at: c.required_time(claims::EXP, "exp")?,
            cti,
            status: c.status()?,
            envelope: SealedAttestation::from_value(env)?,
        })
    }

    /// `iss`, when the issuer included it.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
    /// `iat`.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
    /// `nbf`.
    pub fn not_before(&self) -> Option<Timestamp> {
        self.not_before
    }
    /// `exp`.
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }
    /// `cti`.
    pub fn cti(&self) -> &Cti {
        &self.cti
    }
    /// The status-list reference.
    pub fn status(&self) -> Option<&StatusRef> {
        self.status.as_ref()
    }
    /// The sealed attestation.
    pub fn envelope(&self) -> &SealedAttestation {
        &self.envelope
    }
}

/// The first-level attestation, still sealed under the holder's CF (and,
/// when [`SealedAttestation::requires_secret`], the holder's secret).
#[derive(Clone, Debug)]
pub struct SealedAttestation {
    kdf: KdfParams,
    ciphertext: Vec<u8>,
    holder_secret: bool,
}

/// Why a sealed attestation did not open.
///
/// Not `non_exhaustive` on purpose: a verifier matches every variant, so a
/// new way of failing to open cannot fall into a catch-all answer (such as
/// "not this holder's code") without a compile error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The KDF parameters exceed the limits; the KDF was not run.
    #[error(
        "the code asks for key-derivation parameters ({m} MiB, {t} passes, {p} lanes) above this verifier's limits; a crafted or foreign code: do not accept it"
    )]
    KdfParamsOutOfBounds {
        /// Memory in MiB.
        m: u32,
        /// Passes.
        t: u32,
        /// Lanes.
        p: u32,
    },
    /// The KDF parameters are below the floor; the KDF was not run.
    #[error(
        "the code's key derivation ({m} MiB, {t} passes) is below the minimum this verifier accepts; its content would be too cheap to guess: do not accept it"
    )]
    KdfBelowFloor {
        /// Memory in MiB.
        m: u32,
        /// Passes.
        t: u32,
        /// Lanes.
        p: u32,
    },
    /// The CF does not open the envelope.
    #[error("the code does not belong to this codice fiscale")]
    CfMismatch,
    /// The code needs the holder's secret, and none was given.
    #[error("the code can only be opened with the holder's secret as well as the codice fiscale")]
    SecretRequired,
    /// The CF and the holder's secret together do not open the envelope.
    #[error("the code does not open with this codice fiscale and this holder's secret")]
    CfOrSecretMismatch,
    /// The operator key does not open a second-level token (sealed to
    /// another operator, or altered).
    #[error("the token is not sealed to this operator key")]
    NotForThisOperator,
    /// Opened, but the content is malformed (an issuer bug).
    #[error(transparent)]
    Content(#[from] FormatError),
}

impl OpenError {
    /// The stable machine-readable code of this error: the `reason` a
    /// verifier reports for it (content errors give their own
    /// [`FormatError::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            OpenError::KdfParamsOutOfBounds { .. } => "kdf_params_out_of_bounds",
            OpenError::KdfBelowFloor { .. } => "kdf_below_floor",
            OpenError::CfMismatch => "cf_mismatch",
            OpenError::SecretRequired => "secret_required",
            OpenError::CfOrSecretMismatch => "cf_or_secret_mismatch",
            OpenError::NotForThisOperator => "not_for_this_operator",
            OpenError::Content(f) => f.code(),
        }
    }
}

/// The value of the envelope's fifth member for a holder's secret of 40
/// bits used as Argon2id's secret input (docs/format.md §6.1).
pub const HOLDER_SECRET_V1: u64 = 1;

/// Reads `[m_mib, t, p, ciphertext]`, the envelope layout shared by both
/// levels; the second level's inner layer has no other form.
pub(crate) fn envelope_from_value(v: &Value) -> Result<(KdfParams, Vec<u8>), FormatError> {
    match envelope_parts(v, false)? {
        (kdf, ct, false) => Ok((kdf, ct)),
        _ => Err(FormatError::MalformedClaims("envelope")),
    }
}

/// Reads `[m, t, p, ciphertext]` or, when `secret_allowed`,
/// `[m, t, p, ciphertext, 1]` (a holder's secret went into the key).
fn envelope_parts(
    v: &Value,
    secret_allowed: bool,
) -> Result<(KdfParams, Vec<u8>, bool), FormatError> {
    let bad = || FormatError::MalformedClaims("envelope");
    let Value::Array(a) = v else {
        return Err(bad());
    };
    let (m, t, p, ct, secret) = match a.as_slice() {
        [m, t, p, Value::Bytes(ct)] => (m, t, p, ct, false),
        [m, t, p, Value::Bytes(ct), kind] if secret_allowed => {
            // One kind of secret exists; another value is a later format
            // whose key this build cannot derive.
            if claims::as_u64(kind) != Some(HOLDER_SECRET_V1) {
                return Err(FormatError::MalformedClaims(
                    "envelope: unknown holder-secret kind",
                ));
            }
            (m, t, p, ct, true)
        }
        _ => return Err(bad()),
    };
    let num = |v: &Value| {
        claims::as_u64(v)
            .and_then(|x| u32::try_from(x).ok())
            .ok_or_else(bad)
    };
    let kdf = KdfParams::new(num(m)?, num(t)?, num(p)?).map_err(|_| bad())?;
    if ct.len() < 16 {
        return Err(bad());
    }
    Ok((kdf, ct.clone(), secret))
}

/// Writes `[m_mib, t, p, ciphertext]`, plus the holder-secret member when
/// one went into the key.
pub(crate) fn envelope_to_value(kdf: &KdfParams, ct: Vec<u8>, holder_secret: bool) -> Value {
    let mut a = vec![
        Value::Integer(kdf.memory_mib().into()),
        Value::Integer(kdf.iterations().into()),
        Value::Integer(kdf.parallelism().into()),
        Value::Bytes(ct),
    ];
    if holder_secret {
        a.push(Value::Integer(HOLDER_SECRET_V1.into()));
    }
    Value::Array(a)
}

/// Checks KDF limits, derives the key from the CF (and the holder's
/// secret, when given) and opens an envelope.
pub(crate) fn open_envelope(
    kdf: &KdfParams,
    ct: &[u8],
    cf: &CodiceFiscale,
    secret: Option<&HolderSecret>,
    cti: &Cti,
    limits: &KdfLimits,
    label: EnvelopeLabel,
) -> Result<zeroize::Zeroizing<Vec<u8>>, OpenError> {
    let (m, t, p) = (kdf.memory_mib(), kdf.iterations(), kdf.parallelism());
    match limits.judge(kdf) {
        KdfVerdict::Allowed => {}
        KdfVerdict::AboveCaps => return Err(OpenError::KdfParamsOutOfBounds { m, t, p }),
        KdfVerdict::BelowFloor => return Err(OpenError::KdfBelowFloor { m, t, p }),
    }
    let key = EnvelopeKey::derive_with_secret(
        cf,
        secret,
        cti.as_bytes(),
        kdf,
        label,
        &mut crate::envelope::KdfMemory::default(),
    )
    .map_err(|_| OpenError::Content(FormatError::MalformedClaims("kdf")))?;
    key.open(cti.as_bytes(), ct).map_err(|_| {
        if secret.is_some() {
            OpenError::CfOrSecretMismatch
        } else {
            OpenError::CfMismatch
        }
    })
}

impl SealedAttestation {
    fn from_value(v: &Value) -> Result<Self, FormatError> {
        let (kdf, ciphertext, holder_secret) = envelope_parts(v, true)?;
        Ok(SealedAttestation {
            kdf,
            ciphertext,
            holder_secret,
        })
    }

    /// The KDF parameters the issuer chose.
    pub fn kdf(&self) -> &KdfParams {
        &self.kdf
    }

    /// Whether the code opens only with the holder's secret as well as the
    /// CF (the signed envelope says so).
    pub fn requires_secret(&self) -> bool {
        self.holder_secret
    }

    /// Opens with the holder's CF: checks the KDF parameters against
    /// `limits` first, then runs Argon2id and the AEAD. A code that needs
    /// the holder's secret is [`OpenError::SecretRequired`]; use
    /// [`SealedAttestation::open_with_secret`].
    pub fn open(
        &self,
        cf: &CodiceFiscale,
        cti: &Cti,
        limits: &KdfLimits,
    ) -> Result<Attestation, OpenError> {
        self.open_with_secret(cf, None, cti, limits)
    }

    /// Opens with the holder's CF and, for a code that needs one, the
    /// holder's secret. A secret given for a code that has none is not
    /// used (the code opens with the CF alone).
    pub fn open_with_secret(
        &self,
        cf: &CodiceFiscale,
        secret: Option<&HolderSecret>,
        cti: &Cti,
        limits: &KdfLimits,
    ) -> Result<Attestation, OpenError> {
        let secret = match (self.holder_secret, secret) {
            (true, None) => return Err(OpenError::SecretRequired),
            (true, s) => s,
            (false, _) => None,
        };
        let pt = open_envelope(
            &self.kdf,
            &self.ciphertext,
            cf,
            secret,
            cti,
            limits,
            EnvelopeLabel::FirstLevel,
        )?;
        Ok(attestation_from_plaintext(&pt)?)
    }

    /// Opens with a key already derived (benchmarks; callers who cache).
    pub fn open_with_key(&self, key: &EnvelopeKey, cti: &Cti) -> Result<Attestation, OpenError> {
        let pt = key
            .open(cti.as_bytes(), &self.ciphertext)
            .map_err(|_| OpenError::CfMismatch)?;
        Ok(attestation_from_plaintext(&pt)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningKey;
    use crate::model::{HandicapGrade, InvalidityAssessment};

    fn typical() -> FirstLevelRequest {
        let iat = Timestamp::from_second(1_795_000_000).unwrap();
        FirstLevelRequest {
            attestation: Attestation::builder()
                .invalidity(InvalidityAssessment::From74)
                .handicap(HandicapGrade::Comma3Grave)
                .reduced_walking(true)
                .revision(Date::constant(2028, 6, 30))
                .build()
                .unwrap(),
            issued_at: iat,
            not_before: None,
            expires_at: iat + Span::new().hours(24 * 365),
            status: Some(StatusRef {
                idx: 4_123_456,
                uri: "1".into(),
            }),
            issuer: None,
            kdf: KdfParams::INSECURE_TEST,
        }
    }

    #[test]
    fn typical_credential_fits_version_11_q() {
        let key = SigningKey::from_seed(&[5u8; 32]);
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
        let c = issue_first_level_with_cti(&key, &cf, &typical(), Cti::from_bytes([9; 8])).unwrap();
        assert!(c.text().len() <= 259, "{} chars", c.text().len());
    }

    #[test]
    fn round_trip_and_wrong_cf() {
        let key = SigningKey::from_seed(&[5u8; 32]);
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
        let req = typical();
        let c = issue_first_level(&key, &cf, &req).unwrap();
        let code = FirstLevelCode::parse(c.text()).unwrap();
        assert_eq!(code.kid(), key.kid());
        let p = code.sign1().verify(&key.public_key()).unwrap();
        let claims = FirstLevelClaims::from_verified(&p).unwrap();
        assert_eq!(claims.cti(), &c.cti());
        assert_eq!(claims.status(), req.status.as_ref());
        assert_eq!(claims.expires_at(), req.expires_at);
        let test_limits = KdfLimits::default().without_floor();
        let att = claims
            .envelope()
            .open(&cf, claims.cti(), &test_limits)
            .unwrap();
        assert_eq!(att, req.attestation);
        let other = CodiceFiscale::parse("MRTMTT25D09F205Z").unwrap();
        assert_eq!(
            claims
                .envelope()
                .open(&other, claims.cti(), &test_limits)
                .err(),
            Some(OpenError::CfMismatch)
        );
        // The default floor refuses the test parameters before any KDF runs.
        assert_eq!(
            claims
                .envelope()
                .open(&cf, claims.cti(), &KdfLimits::default())
                .err(),
            Some(OpenError::KdfBelowFloor { m: 1, t: 1, p: 1 })
        );
        let tight = KdfLimits {
            max_memory_mib: 0,
            ..test_limits
        };
        assert!(matches!(
            claims.envelope().open(&cf, claims.cti(), &tight),
            Err(OpenError::KdfParamsOutOfBounds { .. })
        ));
    }

    #[test]
    fn code_length_does_not_depend_on_the_content() {
        let key = SigningKey::from_seed(&[5u8; 32]);
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
        let mut lens = std::collections::BTreeSet::new();
        for a in [
            Attestation::builder().deafness(true).build().unwrap(),
            typical().attestation,
            Attestation::builder()
                .invalidity(InvalidityAssessment::Total)
                .blindness(true)
                .deafness(true)
                .handicap(HandicapGrade::Comma3Grave)
                .accompaniment(true)
                .reduced_walking(true)
                .revision(Date::constant(2149, 6, 6))
                .build()
                .unwrap(),
        ] {
            let req = FirstLevelRequest {
                attestation: a,
                ..typical()
            };
            let c = issue_first_level_with_cti(&key, &cf, &req, Cti::from_bytes([9; 8])).unwrap();
            lens.insert(c.text().len());
        }
        assert_eq!(lens.len(), 1, "{lens:?}");
        let mut req = typical();
        req.attestation = Attestation::builder()
            .deafness(true)
            .revision(Date::constant(2149, 6, 7))
            .build()
            .unwrap();
        assert_eq!(
            issue_first_level(&key, &cf, &req).err(),
            Some(IssueError::RevisionDate)
        );
    }

    #[test]
    fn holder_secret_round_trip_and_refusals() {
        let key = SigningKey::from_seed(&[5u8; 32]);
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
        let secret = HolderSecret::from_bytes([1, 2, 3, 4, 5]);
        let cti = Cti::from_bytes([9; 8]);
        let with = issue_first_level_with_cti_and_secret(&key, &cf, Some(&secret), &typical(), cti)
            .unwrap();
        let without = issue_first_level_with_cti(&key, &cf, &typical(), cti).unwrap();
        // One byte more in the COSE structure: the envelope's fifth member.
        let cose_len = |t: &str| text::decode(t).unwrap().1.len();
        assert_eq!(cose_len(with.text()), cose_len(without.text()) + 1);
        let p = FirstLevelCode::parse(with.text())
            .unwrap()
            .sign1()
            .verify(&key.public_key())
            .unwrap();
        let c = FirstLevelClaims::from_verified(&p).unwrap();
        let sealed = c.envelope();
        let lim = KdfLimits::default().without_floor();
        assert!(sealed.requires_secret());
        assert_eq!(
            sealed.open(&cf, c.cti(), &lim),
            Err(OpenError::SecretRequired)
        );
        assert_eq!(
            sealed
                .open_with_secret(&cf, Some(&secret), c.cti(), &lim)
                .unwrap(),
            typical().attestation
        );
        let wrong = HolderSecret::from_bytes([1, 2, 3, 4, 6]);
        assert_eq!(
            sealed.open_with_secret(&cf, Some(&wrong), c.cti(), &lim),
            Err(OpenError::CfOrSecretMismatch)
        );
        let other = CodiceFiscale::parse("MRTMTT25D09F205Z").unwrap();
        assert_eq!(
            sealed.open_with_secret(&other, Some(&secret), c.cti(), &lim),
            Err(OpenError::CfOrSecretMismatch)
        );
        // A secret given for a code without one is not used.
        let p = FirstLevelCode::parse(without.text())
            .unwrap()
            .sign1()
            .verify(&key.public_key())
            .unwrap();
        let c = FirstLevelClaims::from_verified(&p).unwrap();
        assert!(!c.envelope().requires_secret());
        assert!(
            c.envelope()
                .open_with_secret(&cf, Some(&wrong), c.cti(), &lim)
                .is_ok()
        );
        // The fifth member is 1 or nothing; the second level's inner layer
        // never has one.
        let env = |kind: u64| {
            Value::Array(vec![
                Value::Integer(1.into()),
                Value::Integer(1.into()),
                Value::Integer(1.into()),
                Value::Bytes(vec![0; 23]),
                Value::Integer(kind.into()),
            ])
        };
        assert!(
            SealedAttestation::from_value(&env(1))
                .unwrap()
                .requires_secret()
        );
        assert_eq!(
            SealedAttestation::from_value(&env(2)).unwrap_err().code(),
            "malformed_claims"
        );
        assert!(envelope_from_value(&env(1)).is_err());
    }

    #[test]
    fn dates() {
        let d = Date::constant(2028, 6, 30);
        assert_eq!(days_to_date(date_to_days(d).unwrap()), Some(d));
        assert_eq!(days_to_date(u64::MAX), None);
        assert_eq!(date_to_days(Date::constant(1969, 12, 31)), None);
    }

    #[test]
    fn validity_order() {
        let key = SigningKey::from_seed(&[5u8; 32]);
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
        let mut req = typical();
        req.expires_at = req.issued_at;
        assert_eq!(
            issue_first_level(&key, &cf, &req).err(),
            Some(IssueError::ValidityOrder)
        );
    }
}
