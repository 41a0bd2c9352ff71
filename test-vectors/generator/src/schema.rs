//! The JSON written for each vector (`VectorOut` and its parts), as
//! described in test-vectors/README.md.

use attesta_core::claims::StatusRef;
use attesta_core::envelope::KdfParams;
use attesta_core::inspect::inspect;
use attesta_core::model::{Attestation, SecondLevelDetails};
use serde::Serialize;
use serde_json::Value as Json;

use crate::annotate::Annotated;
use crate::cred::secret_text;
use crate::vector::{Outcome, V};
use crate::world::WORLD_ROOT;

#[derive(Serialize)]
pub(crate) struct KeysOut {
    pub(crate) root_seed_hex: String,
    pub(crate) issuer_seed_hex: String,
    pub(crate) root_public_pem: String,
    pub(crate) issuer_public_pem: String,
    pub(crate) issuer_kid: String,
}

#[derive(Serialize)]
pub(crate) struct OtherKeyOut {
    pub(crate) role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) seed_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) public_pem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) public_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kid: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct PolicyOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) revocation: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kdf_floor: Option<FloorOut>,
}

#[derive(Serialize)]
pub(crate) struct FloorOut {
    pub(crate) m_mib: u32,
    pub(crate) t: u32,
}

#[derive(Serialize)]
pub(crate) struct KdfOut {
    pub(crate) m_mib: u32,
    pub(crate) t: u32,
    pub(crate) p: u32,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum InputsOut {
    First(FirstInputsOut),
    Second(TokenInputsOut),
}

#[derive(Serialize)]
pub(crate) struct FirstInputsOut {
    pub(crate) cf: String,
    pub(crate) attestation: Attestation,
    pub(crate) issued_at: String,
    pub(crate) not_before: Option<String>,
    pub(crate) expires_at: String,
    pub(crate) status: Option<StatusRef>,
    pub(crate) iss: Option<String>,
    pub(crate) cti_hex: String,
    pub(crate) kdf: KdfOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) holder_secret: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct DecodedOut {
    pub(crate) prefix: String,
    pub(crate) family: &'static str,
    pub(crate) compressed: bool,
    pub(crate) cose_len: usize,
    pub(crate) tags: Vec<u64>,
    pub(crate) protected: Json,
    pub(crate) claims_keys: Vec<String>,
}

#[derive(Serialize)]
pub(crate) struct ValidOut {
    pub(crate) valid: bool,
    pub(crate) attestation: Attestation,
    pub(crate) issuer: &'static str,
    pub(crate) kid: String,
    pub(crate) revocation: &'static str,
    pub(crate) cti_hex: String,
    pub(crate) issued_at: String,
    pub(crate) expires_at: String,
    pub(crate) decoded: DecodedOut,
}

#[derive(Serialize)]
pub(crate) struct InvalidOut {
    pub(crate) valid: bool,
    pub(crate) expected_error: &'static str,
    pub(crate) stage: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cf_error: Option<&'static str>,
}

#[derive(Serialize)]
pub(crate) struct TokenInputsOut {
    pub(crate) cf: String,
    pub(crate) details: SecondLevelDetails,
    pub(crate) audience: String,
    /// The X25519 key the details are sealed to.
    pub(crate) operator_public_hex: String,
    pub(crate) first_level_cti_hex: String,
    pub(crate) status: Option<StatusRef>,
    pub(crate) issued_at: String,
    pub(crate) expires_at: String,
    pub(crate) cti_hex: String,
    pub(crate) ephemeral_seed_hex: String,
    pub(crate) kdf: KdfOut,
}

#[derive(Serialize)]
pub(crate) struct ValidTokenOut {
    pub(crate) valid: bool,
    pub(crate) details: SecondLevelDetails,
    pub(crate) issuer: &'static str,
    pub(crate) kid: String,
    pub(crate) operator_id: &'static str,
    pub(crate) revocation: &'static str,
    pub(crate) cti_hex: String,
    pub(crate) first_level_cti_hex: String,
    pub(crate) issued_at: String,
    pub(crate) expires_at: String,
    pub(crate) decoded: DecodedOut,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum ExpectedOut {
    Valid(Box<ValidOut>),
    ValidToken(Box<ValidTokenOut>),
    Invalid(InvalidOut),
}

#[derive(Serialize)]
pub(crate) struct VectorOut {
    pub(crate) description: String,
    pub(crate) kind: &'static str,
    pub(crate) keys: KeysOut,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) other_keys: Vec<OtherKeyOut>,
    pub(crate) trust_lists_hex: Vec<String>,
    pub(crate) status_lists_hex: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) policy: Option<PolicyOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) operator_secret_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) operator_public_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) verify_as: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) inputs: Option<InputsOut>,
    pub(crate) qr_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) qr_text_variant: Option<&'static str>,
    pub(crate) verify_at: String,
    pub(crate) cf_for_verify: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) secret_for_verify: Option<String>,
    pub(crate) expected: ExpectedOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) annotated: Option<Annotated>,
}

pub(crate) fn decoded(text: &str) -> DecodedOut {
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

pub(crate) fn render(v: &V) -> VectorOut {
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

pub(crate) fn kdf_out(k: &KdfParams) -> KdfOut {
    KdfOut {
        m_mib: k.memory_mib(),
        t: k.iterations(),
        p: k.parallelism(),
    }
}
