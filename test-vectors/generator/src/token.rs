//! Second-level tokens a vector is issued from (`Tok`), their details, and
//! sealing raw details as issuance seals them (for details issuance
//! refuses).

use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::StatusRef;
use attesta_core::credential::Cti;
use attesta_core::envelope::{EnvelopeKey, EnvelopeLabel, KdfParams};
use attesta_core::model::{BlindnessClass, HandicapGrade, SecondLevelDetails};
use attesta_core::second_level::{SecondLevelRequest, issue_second_level_deterministic};
use ciborium::Value;
use jiff::Timestamp;

use crate::craft::{cbor, int};
use crate::cred::{cti_for, envelope_value, status};
use crate::reference_hpke::hpke_seal;
use crate::world::{CF, Key, L2_EXP, L2_IAT, OP_A, OpKey, World, sha256, ts};

/// A second-level token's inputs.
#[derive(Clone)]
pub(crate) struct Tok {
    pub(crate) cf: String,
    pub(crate) details: SecondLevelDetails,
    pub(crate) audience: String,
    /// The key the details are sealed to (normally the audience's).
    pub(crate) sealed_to: OpKey,
    pub(crate) first_level_cti: Cti,
    pub(crate) status: Option<StatusRef>,
    pub(crate) iat: Timestamp,
    pub(crate) exp: Timestamp,
    pub(crate) cti: Cti,
    pub(crate) ephemeral_seed: [u8; 32],
    pub(crate) kdf: KdfParams,
}

/// A token for `comune-bo`, sealed to its key, issued 2026-11-12 for 30
/// days, belonging to a first-level credential with status index 17 in
/// INPS's list "1" (never revoked).
pub(crate) fn tok(w: &World, name: &str, details: SecondLevelDetails) -> Tok {
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
    pub(crate) fn request(&self) -> SecondLevelRequest {
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
    pub(crate) fn issue(&self, key: &Key) -> String {
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

pub(crate) fn pct(s: &str) -> Option<attesta_core::model::Percent> {
    Some(s.parse().expect("percent"))
}

/// Invalidity 75.5 %, handicap grave, L. 68/99 80 %.
pub(crate) fn typical_details() -> SecondLevelDetails {
    SecondLevelDetails {
        invalidity_percent: pct("75.5"),
        handicap: Some(HandicapGrade::Comma3Grave),
        l68_percent: pct("80"),
        ..SecondLevelDetails::default()
    }
}

/// Every field set.
pub(crate) fn every_detail() -> SecondLevelDetails {
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

pub(crate) fn deaf_details() -> SecondLevelDetails {
    SecondLevelDetails {
        deafness: true,
        ..SecondLevelDetails::default()
    }
}

// --- Sealing by hand ---------------------------------------------------------
//
// Issuance refuses details that break the model rules, so a token whose
// sealed details do (an empty judgement) has to be sealed here, with the
// HPKE of `reference_hpke` (an implementation independent of the
// library's). `second_level_review` checks once that it seals a genuine
// token's details byte for byte as the library does.

/// The details map (docs/format.md, section 12), keys 1 to 6 in order, as
/// issuance writes it, but without the model checks.
pub(crate) fn details_cbor(d: &SecondLevelDetails) -> Vec<u8> {
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
    pub(crate) fn sealed_claim(&self, details: &[u8]) -> Value {
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
