//! Second-level tokens (`AD1:`): the medical judgement and percentages,
//! addressed to one accredited operator and released by the holder.
//!
//! A token is a COSE_Sign1 by the issuer whose claims name the audience
//! (`aud`, the operator id), a short validity, its own `cti`, the `cti` of
//! the first-level credential it belongs to (-65538), that credential's
//! status-list entry (so revoking the first level revokes the token), and
//! the sealed details (-65539):
//!
//! ```text
//! sealed  = [enc, HPKE-Seal(operator X25519 key, info = "attesta/v1/level-2",
//!                           aad = cti || aud, inner)]        ; RFC 9180 base mode,
//!                                                            ; DHKEM(X25519, HKDF-SHA256),
//!                                                            ; HKDF-SHA256, ChaCha20-Poly1305
//! inner   = [m_mib, t, p, CF-envelope(details)]               ; as the first level, label
//!                                                            ; "attesta/v1/level-2-inner"
//! ```
//!
//! Holding the operator key is the operator's authentication; the holder
//! handing over the token (and their CF) is the consent.
//!
//! ```
//! use attesta_core::{cf::CodiceFiscale, credential::Cti, envelope::{KdfLimits, KdfParams}, keys::SigningKey};
//! use attesta_core::model::{Percent, SecondLevelDetails};
//! use attesta_core::operator_key::OperatorSecretKey;
//! use attesta_core::second_level::*;
//! use jiff::{Timestamp, ToSpan};
//!
//! let issuer = SigningKey::generate()?;
//! let operator = OperatorSecretKey::generate();
//! let cf = CodiceFiscale::parse("RSSMRA85T10A562S")?;
//! let now = Timestamp::now();
//! let details = SecondLevelDetails { invalidity_percent: Some("75".parse()?), ..Default::default() };
//! let token = issue_second_level(&issuer, &cf, &SecondLevelRequest {
//!     details: details.clone(),
//!     audience: "comune-bo".into(),
//!     operator_key: operator.public_key(),
//!     first_level_cti: Cti::from_bytes([1; 8]),
//!     status: None,
//!     issued_at: now,
//!     expires_at: now + 24.hours() * 30,
//!     kdf: KdfParams::INSECURE_TEST,
//! })?;
//! let code = SecondLevelCode::parse(token.text())?;
//! let claims = SecondLevelClaims::from_verified(&code.sign1().verify(&issuer.public_key()).unwrap())?;
//! let limits = KdfLimits::default().without_floor(); // test KDF parameters: tests only
//! assert_eq!(claims.sealed().open(&operator, &cf, claims.cti(), claims.audience(), &limits)?, details);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use ciborium::Value;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use jiff::Timestamp;

use crate::cbor_guard::{self, CborLimits};
use crate::cf::CodiceFiscale;
use crate::claims::{self, ClaimSet, StatusRef};
use crate::cose::{self, UnverifiedSign1, VerifiedPayload};
use crate::credential::{
    Cti, IssueError, IssuedCredential, OpenError, envelope_from_value, envelope_to_value,
    open_envelope,
};
use crate::envelope::{EnvelopeKey, EnvelopeLabel, KdfLimits, KdfParams};
use crate::error::FormatError;
use crate::keys::Kid;
use crate::model::{BlindnessClass, HandicapGrade, Percent, SecondLevelDetails};
use crate::operator_key::{OperatorPublicKey, OperatorSecretKey};
use crate::rules::{Rule, enforced};
use crate::signer::Signer;
use crate::text::{self, CodeKind};

/// Default validity of a second-level token: 30 days. Short, because a
/// released token cannot be recalled except by revoking the credential.
pub const DEFAULT_VALID_DAYS: u32 = 30;

const HPKE_INFO: &[u8] = b"attesta/v1/level-2";

/// What to issue.
#[derive(Clone, Debug)]
pub struct SecondLevelRequest {
    /// The details.
    pub details: SecondLevelDetails,
    /// The operator id (`aud`), as in the trust list.
    pub audience: String,
    /// The operator's sealing key, from the trust list.
    pub operator_key: OperatorPublicKey,
    /// The first-level credential this token belongs to.
    pub first_level_cti: Cti,
    /// That credential's status-list entry.
    pub status: Option<StatusRef>,
    /// `iat`.
    pub issued_at: Timestamp,
    /// `exp`.
    pub expires_at: Timestamp,
    /// KDF parameters of the inner, CF-bound layer.
    pub kdf: KdfParams,
}

// Integer keys of the details map (see docs/format.md).
const D_INVALIDITY: u64 = 1;
const D_BLINDNESS: u64 = 2;
const D_DEAFNESS: u64 = 3;
const D_HANDICAP: u64 = 4;
const D_L68: u64 = 5;
const D_JUDGEMENT: u64 = 6;

fn details_to_cbor(d: &SecondLevelDetails) -> Vec<u8> {
    let mut m = Vec::new();
    let int = |k: u64| Value::Integer(k.into());
    if let Some(p) = d.invalidity_percent {
        m.push((int(D_INVALIDITY), Value::Integer(p.hundredths().into())));
    }
    if let Some(b) = d.blindness_class {
        m.push((int(D_BLINDNESS), Value::Integer(b.code().into())));
    }
    if d.deafness {
        m.push((int(D_DEAFNESS), Value::Bool(true)));
    }
    if let Some(h) = d.handicap {
        let c: u64 = match h {
            HandicapGrade::Comma1 => 1,
            HandicapGrade::Comma3Grave => 2,
        };
        m.push((int(D_HANDICAP), Value::Integer(c.into())));
    }
    if let Some(p) = d.l68_percent {
        m.push((int(D_L68), Value::Integer(p.hundredths().into())));
    }
    if let Some(j) = &d.judgement {
        m.push((int(D_JUDGEMENT), Value::Text(j.clone())));
    }
    let mut out = Vec::new();
    let _ = ciborium::into_writer(&Value::Map(m), &mut out);
    out
}

fn details_from_cbor(b: &[u8]) -> Result<SecondLevelDetails, FormatError> {
    let bad = || FormatError::MalformedClaims("second-level details");
    cbor_guard::check(b, CborLimits::STRICT)?;
    let Value::Map(m) = ciborium::from_reader::<Value, _>(b).map_err(|_| bad())? else {
        return Err(bad());
    };
    let mut d = SecondLevelDetails::default();
    let mut seen = Vec::new();
    // docs/format.md §12.3: a key that is not an unsigned integer, a known
    // key with a value of the wrong type or out of its range, is
    // `malformed_claims`; an unknown key (0, 7 or more) is `unknown_flags`,
    // a detail of a later version.
    let lenient = !enforced(Rule::DetailsValues);
    for (k, v) in &m {
        let k = claims::as_u64(k).ok_or_else(bad)?;
        if seen.contains(&k) {
            return Err(bad());
        }
        seen.push(k);
        let pct = |v: &Value| {
            let x = claims::as_u64(v).ok_or_else(bad)?;
            let x = if lenient { x.min(10_000) } else { x };
            u16::try_from(x)
                .ok()
                .and_then(|x| Percent::from_hundredths(x).ok())
                .ok_or_else(bad)
        };
        let code = |v: &Value| claims::as_u64(v).ok_or_else(bad);
        match (k, v) {
            (D_INVALIDITY, v) => d.invalidity_percent = Some(pct(v)?),
            (D_BLINDNESS, v) => {
                let c = u32::try_from(code(v)?)
                    .ok()
                    .and_then(BlindnessClass::from_code);
                d.blindness_class = match c {
                    Some(c) => Some(c),
                    None if lenient => None,
                    None => return Err(bad()),
                };
            }
            (D_DEAFNESS, Value::Bool(b)) => d.deafness = *b,
            (D_HANDICAP, v) => {
                d.handicap = match code(v)? {
                    1 => Some(HandicapGrade::Comma1),
                    2 => Some(HandicapGrade::Comma3Grave),
                    _ if lenient => None,
                    _ => return Err(bad()),
                }
            }
            (D_L68, v) => d.l68_percent = Some(pct(v)?),
            (D_JUDGEMENT, Value::Text(t)) => d.judgement = Some(t.clone()),
            (D_DEAFNESS | D_JUDGEMENT, _) if !lenient => return Err(bad()),
            _ if !enforced(Rule::DetailsUnknownKey) => {}
            _ => return Err(FormatError::Model(crate::model::ModelError::UnknownFlags)),
        }
    }
    d.validate()?;
    Ok(d)
}

fn hpke_aad(cti: &Cti, aud: &str) -> Vec<u8> {
    let mut aad = cti.as_bytes().to_vec();
    aad.extend_from_slice(aud.as_bytes());
    aad
}

/// Issues a second-level token with a fresh random cti.
pub fn issue_second_level(
    key: &(impl Signer + ?Sized),
    cf: &CodiceFiscale,
    req: &SecondLevelRequest,
) -> Result<IssuedCredential, IssueError> {
    let cti = Cti::random()?;
    issue_with_rng(
        key,
        cf,
        req,
        cti,
        &mut getrandom::rand_core::UnwrapErr(getrandom::SysRng),
    )
}

/// **For test vectors only.** Issues a second-level token with a given cti
/// and an HPKE ephemeral key derived from `ephemeral_seed`, so that the
/// token is reproducible byte for byte (Ed25519 and the inner envelope are
/// deterministic already).
///
/// Never use it for real tokens: a reused seed reuses the ephemeral key,
/// and a reused cti breaks the inner envelope's uniqueness.
#[doc(hidden)]
pub fn issue_second_level_deterministic(
    key: &(impl Signer + ?Sized),
    cf: &CodiceFiscale,
    req: &SecondLevelRequest,
    cti: Cti,
    ephemeral_seed: [u8; 32],
) -> Result<IssuedCredential, IssueError> {
    issue_with_rng(key, cf, req, cti, &mut SeededRng::new(ephemeral_seed))
}

/// A deterministic byte stream for [`issue_second_level_deterministic`]:
/// block `i` is SHA-256("attesta/v1/test-vector-rng" || seed || i as u64
/// big-endian). Only the HPKE ephemeral key is drawn from it.
struct SeededRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl SeededRng {
    fn new(seed: [u8; 32]) -> Self {
        SeededRng {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }
}

impl getrandom::rand_core::TryRng for SeededRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        use sha2::Digest;
        for out in dst {
            if self.used == self.block.len() {
                let mut h = sha2::Sha256::new();
                h.update(b"attesta/v1/test-vector-rng");
                h.update(self.seed);
                h.update(self.counter.to_be_bytes());
                self.block = h.finalize().into();
                self.counter += 1;
                self.used = 0;
            }
            *out = self.block[self.used];
            self.used += 1;
        }
        Ok(())
    }
}

impl getrandom::rand_core::TryCryptoRng for SeededRng {}

fn issue_with_rng(
    key: &(impl Signer + ?Sized),
    cf: &CodiceFiscale,
    req: &SecondLevelRequest,
    cti: Cti,
    rng: &mut impl getrandom::rand_core::CryptoRng,
) -> Result<IssuedCredential, IssueError> {
    req.details.validate()?;
    if req.expires_at <= req.issued_at {
        return Err(IssueError::ValidityOrder);
    }
    if !claims::is_numeric_date(req.issued_at) || !claims::is_numeric_date(req.expires_at) {
        return Err(IssueError::DateOutOfRange);
    }
    let ekey = EnvelopeKey::derive(
        cf,
        cti.as_bytes(),
        &req.kdf,
        EnvelopeLabel::SecondLevelInner,
    )?;
    let inner_ct = ekey.seal(cti.as_bytes(), &details_to_cbor(&req.details));
    let mut inner = Vec::new();
    let _ = ciborium::into_writer(&envelope_to_value(&req.kdf, inner_ct, false), &mut inner);
    let pk = req
        .operator_key
        .hpke()
        .map_err(|_| IssueError::OperatorKey)?;
    let (enc, sealed) =
        hpke::single_shot_seal_with_rng::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
            &OpModeS::Base,
            &pk,
            HPKE_INFO,
            &inner,
            &hpke_aad(&cti, &req.audience),
            rng,
        )
        .map_err(|_| IssueError::OperatorKey)?;

    let mut c = ClaimSet::new();
    c.set(claims::AUD, Value::Text(req.audience.clone()));
    c.set_time(claims::IAT, req.issued_at);
    c.set_time(claims::EXP, req.expires_at);
    c.set(claims::CTI, Value::Bytes(cti.as_bytes().to_vec()));
    if let Some(s) = &req.status {
        c.set_status(s);
    }
    c.set(
        claims::ATTESTA_L1_CTI,
        Value::Bytes(req.first_level_cti.as_bytes().to_vec()),
    );
    c.set(
        claims::ATTESTA_SEALED_DETAILS,
        Value::Array(vec![
            Value::Bytes(enc.to_bytes().to_vec()),
            Value::Bytes(sealed),
        ]),
    );
    let cose = cose::sign_with(key, c.to_vec(), None)?;
    Ok(IssuedCredential::new(
        text::encode(CodeKind::SecondLevel.prefix(), &cose),
        cti,
    ))
}

/// A second-level token, decoded but not verified.
#[derive(Clone, Debug)]
pub struct SecondLevelCode {
    sign1: UnverifiedSign1,
}

impl SecondLevelCode {
    /// Decodes the text.
    pub fn parse(text: &str) -> Result<Self, FormatError> {
        let (kind, cose) = text::decode(text)?;
        if kind != CodeKind::SecondLevel && enforced(Rule::PrefixLevel) {
            return Err(FormatError::WrongLevel {
                found: CodeKind::FirstLevel,
            });
        }
        Ok(SecondLevelCode {
            sign1: UnverifiedSign1::parse(&cose, CborLimits::STRICT)?,
        })
    }
    /// The kid the token claims.
    pub fn kid(&self) -> Kid {
        self.sign1.kid()
    }
    /// The COSE layer.
    pub fn sign1(&self) -> &UnverifiedSign1 {
        &self.sign1
    }
}

/// The claims of a verified second-level token.
#[derive(Clone, Debug)]
pub struct SecondLevelClaims {
    audience: String,
    issuer: Option<String>,
    not_before: Option<Timestamp>,
    issued_at: Timestamp,
    expires_at: Timestamp,
    cti: Cti,
    first_level_cti: Cti,
    status: Option<StatusRef>,
    sealed: SealedDetails,
}

impl SecondLevelClaims {
    /// Reads the claims of a verified payload.
    pub fn from_verified(p: &VerifiedPayload) -> Result<Self, FormatError> {
        let c = ClaimSet::parse(p.bytes(), CborLimits::STRICT)?;
        let cti_of = |k, name| -> Result<Cti, FormatError> {
            let b = c.bytes(k, name)?.ok_or(FormatError::MissingClaim(name))?;
            Cti::from_slice(b).ok_or(FormatError::MalformedClaims(name))
        };
        let Some(Value::Array(s)) = c.get(claims::ATTESTA_SEALED_DETAILS) else {
            return Err(FormatError::MissingClaim("sealed details (-65539)"));
        };
        let [Value::Bytes(enc), Value::Bytes(ct)] = s.as_slice() else {
            return Err(FormatError::MalformedClaims("sealed details"));
        };
        Ok(SecondLevelClaims {
            audience: c
                .text(claims::AUD, "aud")?
                .ok_or(FormatError::MissingClaim("aud"))?
                .to_owned(),
            issuer: c.text(claims::ISS, "iss")?.map(str::to_owned),
            not_before: c.time(claims::NBF, "nbf")?,
            issued_at: c.required_time(claims::IAT, "iat")?,
            expires_at: c.required_time(claims::EXP, "exp")?,
            cti: cti_of(claims::CTI, "cti")?,
            first_level_cti: cti_of(claims::ATTESTA_L1_CTI, "first-level cti (-65538)")?,
            status: c.status()?,
            sealed: SealedDetails {
                enc: enc.clone(),
                ciphertext: ct.clone(),
            },
        })
    }
    /// The operator id the token is addressed to.
    pub fn audience(&self) -> &str {
        &self.audience
    }
    /// `iss`, if the token names its issuer.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
    /// `nbf`, if the token starts later than it was issued.
    pub fn not_before(&self) -> Option<Timestamp> {
        self.not_before
    }
    /// `iat`.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
    /// `exp`.
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }
    /// The token's own id.
    pub fn cti(&self) -> &Cti {
        &self.cti
    }
    /// The first-level credential's id.
    pub fn first_level_cti(&self) -> &Cti {
        &self.first_level_cti
    }
    /// The first-level credential's status-list entry.
    pub fn status(&self) -> Option<&StatusRef> {
        self.status.as_ref()
    }
    /// The sealed details.
    pub fn sealed(&self) -> &SealedDetails {
        &self.sealed
    }
}

/// Details sealed to an operator and to the holder's CF.
#[derive(Clone, Debug)]
pub struct SealedDetails {
    enc: Vec<u8>,
    ciphertext: Vec<u8>,
}

impl SealedDetails {
    /// Opens both layers: the operator's key, then the holder's CF.
    pub fn open(
        &self,
        operator: &OperatorSecretKey,
        cf: &CodiceFiscale,
        cti: &Cti,
        audience: &str,
        limits: &KdfLimits,
    ) -> Result<SecondLevelDetails, OpenError> {
        let sk = operator.hpke().map_err(|_| OpenError::NotForThisOperator)?;
        let enc = <X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(&self.enc)
            .map_err(|_| OpenError::NotForThisOperator)?;
        let inner = hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
            &OpModeR::Base,
            &sk,
            &enc,
            HPKE_INFO,
            &self.ciphertext,
            &hpke_aad(cti, audience),
        )
        .map_err(|_| OpenError::NotForThisOperator)?;
        cbor_guard::check(&inner, CborLimits::STRICT).map_err(FormatError::from)?;
        let v: Value = ciborium::from_reader(inner.as_slice())
            .map_err(|_| FormatError::MalformedClaims("inner envelope"))?;
        let (kdf, ct) = envelope_from_value(&v)?;
        let pt = open_envelope(
            &kdf,
            &ct,
            cf,
            None,
            cti,
            limits,
            EnvelopeLabel::SecondLevelInner,
        )?;
        Ok(details_from_cbor(&pt)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningKey;
    use jiff::SignedDuration;

    fn req(op: &OperatorSecretKey) -> SecondLevelRequest {
        let now = Timestamp::from_second(1_795_000_000).unwrap();
        SecondLevelRequest {
            details: SecondLevelDetails {
                invalidity_percent: Some("75.5".parse().unwrap()),
                blindness_class: Some(BlindnessClass::Ventesimista),
                deafness: false,
                handicap: Some(HandicapGrade::Comma3Grave),
                l68_percent: Some("80".parse().unwrap()),
                judgement: Some(
                    "Invalido con riduzione permanente della capacità lavorativa".into(),
                ),
            },
            audience: "comune-bo".into(),
            operator_key: op.public_key(),
            first_level_cti: Cti::from_bytes([7; 8]),
            status: Some(StatusRef {
                idx: 4_123_456,
                uri: "1".into(),
            }),
            issued_at: now,
            expires_at: now + SignedDuration::from_hours(24 * 30),
            kdf: KdfParams::INSECURE_TEST,
        }
    }

    #[test]
    fn deterministic_issuance_reproduces_and_opens() {
        let issuer = SigningKey::from_seed(&[4; 32]);
        let op = OperatorSecretKey::from_bytes(&[9; 32]).unwrap();
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
        let r = req(&op);
        let cti = Cti::from_bytes([5; 8]);
        let a = issue_second_level_deterministic(&issuer, &cf, &r, cti, [1; 32]).unwrap();
        let b = issue_second_level_deterministic(&issuer, &cf, &r, cti, [1; 32]).unwrap();
        assert_eq!(a.text(), b.text());
        assert_eq!(a.cti(), cti);
        // Another seed, another ephemeral key: another token, same content.
        let c = issue_second_level_deterministic(&issuer, &cf, &r, cti, [2; 32]).unwrap();
        assert_ne!(a.text(), c.text());
        for t in [&a, &c] {
            let code = SecondLevelCode::parse(t.text()).unwrap();
            let claims = SecondLevelClaims::from_verified(
                &code.sign1().verify(&issuer.public_key()).unwrap(),
            )
            .unwrap();
            assert_eq!(claims.cti(), &cti);
            assert_eq!(
                claims
                    .sealed()
                    .open(
                        &op,
                        &cf,
                        claims.cti(),
                        claims.audience(),
                        &KdfLimits::default().without_floor()
                    )
                    .unwrap(),
                r.details
            );
        }
        // The stream itself: fixed, and not the seed repeated.
        use getrandom::rand_core::Rng;
        let mut rng = SeededRng::new([0; 32]);
        let mut x = [0u8; 40];
        rng.fill_bytes(&mut x);
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"attesta/v1/test-vector-rng");
        h.update([0u8; 32]);
        h.update(0u64.to_be_bytes());
        let first: [u8; 32] = h.finalize().into();
        assert_eq!(x[..32], first);
        let mut again = SeededRng::new([0; 32]);
        let (mut p, mut q) = ([0u8; 13], [0u8; 27]);
        again.fill_bytes(&mut p);
        again.fill_bytes(&mut q);
        assert_eq!([&p[..], &q[..]].concat(), x);
    }

    #[test]
    fn round_trip_wrong_operator_wrong_cf_and_size() {
        let issuer = SigningKey::from_seed(&[4; 32]);
        let op = OperatorSecretKey::generate();
        let other = OperatorSecretKey::generate();
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").unwrap();
        let r = req(&op);
        let mut typical = r.clone();
        typical.details.judgement = None;
        let t = issue_second_level(&issuer, &cf, &typical).unwrap();
        assert!(t.text().len() <= 419, "{} chars", t.text().len());

        let t = issue_second_level(&issuer, &cf, &r).unwrap();
        let code = SecondLevelCode::parse(t.text()).unwrap();
        let c =
            SecondLevelClaims::from_verified(&code.sign1().verify(&issuer.public_key()).unwrap())
                .unwrap();
        assert_eq!(c.audience(), "comune-bo");
        assert_eq!(c.first_level_cti(), &Cti::from_bytes([7; 8]));
        let lim = KdfLimits::default().without_floor();
        assert_eq!(
            c.sealed()
                .open(&op, &cf, c.cti(), c.audience(), &lim)
                .unwrap(),
            r.details
        );
        assert_eq!(
            c.sealed()
                .open(&other, &cf, c.cti(), c.audience(), &lim)
                .err(),
            Some(OpenError::NotForThisOperator)
        );
        // The audience is bound: a token relabelled for another operator does not open.
        assert_eq!(
            c.sealed().open(&op, &cf, c.cti(), "altro", &lim).err(),
            Some(OpenError::NotForThisOperator)
        );
        let wrong = CodiceFiscale::parse("MRTMTT25D09F205Z").unwrap();
        assert_eq!(
            c.sealed()
                .open(&op, &wrong, c.cti(), c.audience(), &lim)
                .err(),
            Some(OpenError::CfMismatch)
        );
        assert!(matches!(
            crate::credential::FirstLevelCode::parse(t.text()),
            Err(FormatError::WrongLevel { .. })
        ));
    }
}
