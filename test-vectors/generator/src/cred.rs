//! First-level credentials a vector is issued from (`Cred`), the
//! attestations they carry and the plaintext and envelope bytes issuance
//! would write.

use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::{self, ClaimSet, StatusRef};
use attesta_core::credential::{Cti, FirstLevelRequest, issue_first_level_with_cti_and_secret};
use attesta_core::envelope::{EnvelopeKey, EnvelopeLabel, KdfMemory, KdfParams};
use attesta_core::model::{
    Attestation, BlindnessClass, HandicapGrade, InvalidityAssessment, VehicleRequirement,
};
use attesta_core::secret::HolderSecret;
use ciborium::Value;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::craft::int;
use crate::world::{CF, EXP, IAT, Key, World, sha256, ts};

#[derive(Clone)]
pub(crate) struct Cred {
    pub(crate) cf: String,
    pub(crate) att: Attestation,
    pub(crate) iat: Timestamp,
    pub(crate) nbf: Option<Timestamp>,
    pub(crate) exp: Timestamp,
    pub(crate) status: Option<StatusRef>,
    pub(crate) iss: Option<String>,
    pub(crate) cti: Cti,
    pub(crate) kdf: KdfParams,
    /// The holder's secret, when the code has one.
    pub(crate) secret: Option<[u8; 5]>,
}

pub(crate) fn cti_for(name: &str) -> Cti {
    let h = sha256(format!("attesta test vector cti {name}").as_bytes());
    Cti::from_slice(&h[..8]).expect("8 bytes")
}

pub(crate) fn cred(name: &str, att: Attestation) -> Cred {
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
pub(crate) fn secret_for(name: &str) -> [u8; 5] {
    let h = sha256(format!("attesta test vector secret {name}").as_bytes());
    h[..5].try_into().expect("5 bytes")
}

pub(crate) fn secret_text(b: [u8; 5]) -> String {
    HolderSecret::from_bytes(b).to_text().as_str().to_owned()
}

pub(crate) fn status(idx: u64, uri: &str) -> Option<StatusRef> {
    Some(StatusRef {
        idx,
        uri: uri.to_owned(),
    })
}

impl Cred {
    pub(crate) fn request(&self) -> FirstLevelRequest {
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

    pub(crate) fn holder(&self) -> CodiceFiscale {
        CodiceFiscale::parse(&self.cf).expect("valid CF")
    }

    /// Issued by the library.
    pub(crate) fn issue(&self, key: &Key) -> String {
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

    pub(crate) fn ekey(&self, label: EnvelopeLabel, cti: &[u8]) -> EnvelopeKey {
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
    pub(crate) fn envelope_with(&self, plaintext: &[u8]) -> Value {
        let ct = self
            .ekey(EnvelopeLabel::FirstLevel, self.cti.as_bytes())
            .seal(self.cti.as_bytes(), plaintext);
        envelope_value(&self.kdf, ct)
    }

    /// The claims exactly as issuance writes them, with `envelope`.
    pub(crate) fn claims_with(&self, envelope: Value) -> ClaimSet {
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

    pub(crate) fn claims(&self) -> ClaimSet {
        self.claims_with(self.envelope_with(&plaintext_of(&self.att)))
    }
}

pub(crate) fn envelope_value(kdf: &KdfParams, ct: Vec<u8>) -> Value {
    Value::Array(vec![
        int(kdf.memory_mib().into()),
        int(kdf.iterations().into()),
        int(kdf.parallelism().into()),
        Value::Bytes(ct),
    ])
}

/// The first-level plaintext `[flags, revision_days]` (docs/format.md, section 7).
pub(crate) fn plaintext_of(a: &Attestation) -> Vec<u8> {
    raw_plaintext(flags_of(a), a.revision())
}

/// The flags word of docs/format.md, "First-level plaintext".
pub(crate) fn flags_of(a: &Attestation) -> i64 {
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

pub(crate) fn days_since_epoch(d: Date) -> i64 {
    d.since(Date::constant(1970, 1, 1))
        .expect("date")
        .get_days()
        .into()
}

/// `82 19 hh ll 19 hh ll`: both integers always in their two-byte form,
/// revision 0 for none, so that every plaintext is 7 bytes.
pub(crate) fn raw_plaintext(flags: i64, revision: Option<Date>) -> Vec<u8> {
    let two = |x: i64| u16::try_from(x).expect("fits two bytes").to_be_bytes();
    let [f0, f1] = two(flags);
    let [d0, d1] = two(revision.map_or(0, days_since_epoch));
    vec![0x82, 0x19, f0, f1, 0x19, d0, d1]
}

// ---------------------------------------------------------------------------
// The attestations most vectors carry
// ---------------------------------------------------------------------------

pub(crate) fn att() -> attesta_core::model::AttestationBuilder {
    Attestation::builder()
}

pub(crate) fn deaf() -> Attestation {
    att().deafness(true).build().expect("valid")
}

pub(crate) fn typical() -> Attestation {
    att()
        .invalidity_percent("75".parse().expect("percent"))
        .expect("band")
        .handicap(HandicapGrade::Comma3Grave)
        .reduced_walking(true)
        .revision(Date::constant(2028, 6, 30))
        .build()
        .expect("valid")
}

/// The genuine code most negative vectors alter, and its text.
pub(crate) fn good_credential(w: &World) -> (Cred, String) {
    let good = cred("genuine", deaf());
    let text = good.issue(&w.inps);
    (good, text)
}
