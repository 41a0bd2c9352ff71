//! One test vector (`V`) before it is written: its inputs, the text to
//! verify, the trust and status lists, and the answer a correct verifier
//! gives (`Outcome`).

use attesta_core::keys::Kid;
use attesta_core::model::{Attestation, SecondLevelDetails};
use jiff::Timestamp;

use crate::annotate::Annotated;
use crate::cred::{Cred, secret_text};
use crate::token::Tok;
use crate::world::{CF, INPS, Key, OpKey, VERIFY_AT, World, default_trust, l2_trust, ts};

pub(crate) enum Outcome {
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

pub(crate) struct V {
    pub(crate) name: &'static str,
    pub(crate) description: String,
    /// The key that signed the credential (re-issues positive vectors).
    pub(crate) issuer: Key,
    pub(crate) other_keys: Vec<Key>,
    pub(crate) trust_lists: Vec<Vec<u8>>,
    pub(crate) status_lists: Vec<Vec<u8>>,
    pub(crate) require_revocation: bool,
    /// `policy.kdf_floor` (m MiB, t): absent, vectors run without a floor.
    pub(crate) kdf_floor: Option<(u32, u32)>,
    pub(crate) inputs: Option<Cred>,
    pub(crate) qr_text: String,
    pub(crate) verify_at: Timestamp,
    pub(crate) cf_for_verify: String,
    /// The holder's secret the operator types, if any.
    pub(crate) secret_for_verify: Option<String>,
    pub(crate) outcome: Outcome,
    pub(crate) annotated: Option<Annotated>,
    /// Second-level vectors only (`kind: "second_level"`).
    pub(crate) l2: Option<L2>,
    /// A crafted first-level code that must be accepted: the credential it
    /// was made from, whose attestation, cti and dates it keeps. Not
    /// written as `inputs`: re-issuing would not give the crafted code.
    pub(crate) crafted_from: Option<Cred>,
    /// `qr_text_variant`: how `qr_text` differs from the reference
    /// encoder's text of the same COSE bytes (runners compare the COSE).
    pub(crate) text_variant: Option<&'static str>,
    /// Keys no seed makes (small order, non-canonical, mixed order): in
    /// `other_keys` with their raw bytes only.
    pub(crate) raw_keys: Vec<RawKey>,
    /// The kid of the key that signed, when it is not `issuer`'s (a raw key).
    pub(crate) signer_kid: Option<Kid>,
}

/// A public key given by its 32 bytes, with no private key.
#[derive(Clone, Copy)]
pub(crate) struct RawKey {
    pub(crate) role: &'static str,
    pub(crate) bytes: [u8; 32],
}

impl V {
    pub(crate) fn positive(w: &World, name: &'static str, description: &str, c: Cred) -> V {
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
    pub(crate) fn negative(
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
    pub(crate) fn negative_issued(
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

    pub(crate) fn is_positive(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Valid { .. } | Outcome::ValidToken { .. }
        )
    }

    pub(crate) fn set_revocation(&mut self, r: &'static str) {
        if let Outcome::Valid { revocation, .. } | Outcome::ValidToken { revocation, .. } =
            &mut self.outcome
        {
            *revocation = r;
        }
    }

    pub(crate) fn set_issuer_id(&mut self, id: &'static str) {
        if let Outcome::Valid { issuer_id, .. } = &mut self.outcome {
            *issuer_id = id;
        }
    }

    pub(crate) fn set_cf_error(&mut self, e: &'static str) {
        if let Outcome::Invalid { cf_error, .. } = &mut self.outcome {
            *cf_error = Some(e);
        }
    }
}

/// The second-level part of a vector.
pub(crate) struct L2 {
    /// The operator key the verifier holds.
    pub(crate) operator: OpKey,
    /// Give the text to first-level verification (`Verifier::check`).
    pub(crate) as_first_level: bool,
    /// What the token was issued from, when it was issued normally.
    pub(crate) inputs: Option<Tok>,
    /// For a crafted token that must be accepted: the genuine token it was
    /// made from, whose cti, first-level cti and dates it keeps. Not
    /// written as `inputs`: re-issuing it would not give the crafted text.
    pub(crate) crafted_from: Option<Tok>,
}

impl V {
    /// A second-level vector: `l2_trust`, no status list, the default CF.
    pub(crate) fn token(
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
    pub(crate) fn token_valid(
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
    pub(crate) fn token_refused(
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
    pub(crate) fn token_crafted(
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

    pub(crate) fn l2_mut(&mut self) -> &mut L2 {
        self.l2.as_mut().expect("a second-level vector")
    }
}

pub(crate) fn invalid(code: &'static str, stage: &'static str) -> Outcome {
    Outcome::Invalid {
        code,
        stage,
        cf_error: None,
    }
}

impl V {
    /// A crafted first-level code (signed by INPS) that must be accepted as
    /// the credential `from` it was made from.
    pub(crate) fn crafted_valid(
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
    pub(crate) fn altered(
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
