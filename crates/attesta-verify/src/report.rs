//! The verification report: the one JSON object that `attesta verify
//! --json` prints and that an embedding application (the web verifier
//! included) gives for the same input. Its schema is documented in
//! docs/verifier-guide.md.
//!
//! ```
//! use attesta_core::lang::Lang;
//! use attesta_verify::report::{Failure, VerificationReport};
//! use attesta_verify::VerifyError;
//! let r = VerificationReport::failure(&Failure::Verify(VerifyError::CfMismatch), Lang::It);
//! let j = serde_json::to_value(&r)?;
//! assert_eq!(j["valid"], false);
//! assert_eq!(j["verdict"], "not_valid");
//! assert_eq!(j["reason"], "cf_mismatch");
//! # Ok::<(), serde_json::Error>(())
//! ```

use attesta_core::benefits::{Benefit, Bilingual, benefits_for, status_lines};
use attesta_core::lang::Lang;
use attesta_core::model::{Attestation, SecondLevelDetails};
use jiff::Timestamp;
use serde::Serialize;

use crate::verdict::Verdict;
use crate::verifier::{
    CheckedCredential, Revocation, VerifiedAttestation, VerifiedDetails, VerifyError,
};

/// Why a verification did not end with "valid": a [`VerifyError`], or one
/// of the problems that arise before or around the verifier (no code in the
/// picture, no codice fiscale given, a file that cannot be read).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The verifier's answer.
    Verify(VerifyError),
    /// No QR code could be read from the input, or it holds no text.
    NoReadableCode,
    /// The file with the code cannot be read.
    InputUnreadable,
    /// The trust list or a status list file cannot be read.
    ListUnreadable,
    /// The checks without the codice fiscale passed, but none was given.
    CfNotChecked,
    /// A first-level code given with an operator key, or a second-level
    /// token without one.
    WrongLevel {
        /// Whether the code is a second-level token.
        second_level: bool,
    },
}

impl Failure {
    /// The stable reason code (`reason` in the JSON).
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Verify(e) => e.code(),
            Failure::NoReadableCode => "no_readable_code",
            Failure::InputUnreadable => "input_unreadable",
            Failure::ListUnreadable => "list_unreadable",
            Failure::CfNotChecked => "cf_not_checked",
            Failure::WrongLevel { .. } => "wrong_level",
        }
    }

    /// The verdict: every problem of this type but a [`VerifyError`] leaves
    /// the code unjudged.
    pub fn verdict(&self) -> Verdict {
        match self {
            Failure::Verify(e) => e.verdict(),
            _ => Verdict::CannotVerify,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Failure::Verify(e) => e.message(lang),
            Failure::NoReadableCode => lang.pick(
                "nessun codice leggibile: inquadrare di nuovo il codice QR, ben illuminato e a fuoco (un'immagine PNG o JPEG, o il testo del codice)",
                "no readable code: scan the QR code again, well lit and in focus (a PNG or JPEG image, or the code's text)",
            ).into(),
            Failure::InputUnreadable => lang.pick(
                "il file con il codice non si può leggere; controllare il nome del file",
                "the file with the code cannot be read; check the file name",
            ).into(),
            Failure::ListUnreadable => lang.pick(
                "la lista di fiducia o di revoca di questo dispositivo non si può leggere; scaricarla di nuovo",
                "this device's trust or status list cannot be read; download it again",
            ).into(),
            Failure::CfNotChecked => lang.pick(
                "firma, fiducia, validità e revoca sono in regola, ma il codice fiscale non è stato controllato: non risulta che il codice appartenga alla persona; inserire il codice fiscale del titolare",
                "signature, trust, validity and revocation checks passed, but the codice fiscale was not checked: the code is not shown to belong to the person; enter the holder's codice fiscale",
            ).into(),
            Failure::WrongLevel { second_level: true } => lang.pick(
                "questo è un codice di secondo livello per un operatore accreditato; va aperto con la chiave dell'operatore",
                "this is a second-level token for an accredited operator; open it with the operator's key",
            ).into(),
            Failure::WrongLevel { second_level: false } => lang.pick(
                "questa è un'attestazione di primo livello; verificarla senza la chiave dell'operatore",
                "this is a first-level attestation; verify it without an operator key",
            ).into(),
        }
    }
}

impl From<VerifyError> for Failure {
    fn from(e: VerifyError) -> Self {
        Failure::Verify(e)
    }
}

/// Revocation as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RevocationReport {
    /// Checked against a current list: not revoked.
    Checked {
        /// The list's uri.
        list_uri: String,
        /// The kid of the key that signed the list and the credential.
        list_kid: String,
        /// When the list was issued (RFC 3339).
        list_issued_at: String,
    },
    /// Not checked: no list of the credential's key loaded for it.
    NotChecked {
        /// The list's uri.
        list_uri: String,
        /// The kid of the key whose list is missing.
        list_kid: String,
    },
    /// The code carries no status-list index.
    NotRevocable,
}

impl From<&Revocation> for RevocationReport {
    fn from(r: &Revocation) -> Self {
        match r {
            Revocation::Checked {
                list_uri,
                list_kid,
                list_issued_at,
            } => RevocationReport::Checked {
                list_uri: list_uri.clone(),
                list_kid: list_kid.to_string(),
                list_issued_at: list_issued_at.to_string(),
            },
            Revocation::NotChecked { list_uri, list_kid } => RevocationReport::NotChecked {
                list_uri: list_uri.clone(),
                list_kid: list_kid.to_string(),
            },
            _ => RevocationReport::NotRevocable,
        }
    }
}

/// A benefit line in the report: its id, both wordings, basis and source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BenefitReport {
    /// Stable identifier.
    pub id: &'static str,
    /// Italian.
    pub it: &'static str,
    /// English.
    pub en: &'static str,
    /// Legal basis.
    pub basis: &'static str,
    /// Where the rule is explained.
    pub source: &'static str,
}

impl From<&Benefit> for BenefitReport {
    fn from(b: &Benefit) -> Self {
        BenefitReport {
            id: b.id,
            it: b.it,
            en: b.en,
            basis: b.basis,
            source: b.source,
        }
    }
}

/// The verification report (see docs/verifier-guide.md for the schema).
/// Fields that do not apply to an outcome are left out of the JSON.
#[derive(Clone, Debug, Serialize)]
pub struct VerificationReport {
    /// `true` exactly when `verdict` is `valid`.
    pub valid: bool,
    /// The verdict.
    pub verdict: Verdict,
    /// The stable reason code; `null` when valid.
    pub reason: Option<&'static str>,
    /// What happened and what to do, in `lang`.
    pub message: String,
    /// The language of `message`.
    pub lang: Lang,
    /// 1 or 2, once the code has been read as one or the other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// Whether the codice fiscale opened the code.
    pub cf_checked: bool,
    /// The issuer id in the trust list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The kid of the signing key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The credential id (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cti: Option<String>,
    /// The short reference printed on the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `iat` (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    /// `exp` (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The time the checks used (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// Revocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<RevocationReport>,
    /// Whether the code opens only with the holder's secret as well as the
    /// codice fiscale (level 1, once its signature checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_required: Option<bool>,
    /// The attestation (level 1, valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<Attestation>,
    /// Whether the holder chose to show only the statuses (no band).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuses_only: Option<bool>,
    /// The statuses, in both languages (level 1, valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<Bilingual>>,
    /// The benefits (level 1, valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub benefits: Option<Vec<BenefitReport>>,
    /// The operator a second-level token is addressed to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// The first-level credential a second-level token belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_level_cti: Option<String>,
    /// The second-level details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<SecondLevelDetails>,
}

fn ts(t: Timestamp) -> Option<String> {
    Some(t.to_string())
}

impl VerificationReport {
    fn empty(verdict: Verdict, reason: Option<&'static str>, message: String, lang: Lang) -> Self {
        VerificationReport {
            valid: verdict == Verdict::Valid,
            verdict,
            reason,
            message,
            lang,
            level: None,
            cf_checked: false,
            issuer: None,
            kid: None,
            cti: None,
            reference: None,
            issued_at: None,
            expires_at: None,
            checked_at: None,
            revocation: None,
            secret_required: None,
            attestation: None,
            statuses_only: None,
            statuses: None,
            benefits: None,
            operator: None,
            first_level_cti: None,
            details: None,
        }
    }

    /// A verification that did not end with "valid".
    pub fn failure(f: &Failure, lang: Lang) -> Self {
        Self::empty(f.verdict(), Some(f.code()), f.message(lang), lang)
    }

    fn with_checked(mut self, c: &CheckedCredential) -> Self {
        let cl = c.claims();
        self.level = Some(1);
        self.issuer = Some(c.issuer_id().to_owned());
        self.kid = Some(c.kid().to_string());
        self.cti = Some(cl.cti().to_string());
        self.reference = Some(cl.cti().short_ref());
        self.issued_at = ts(cl.issued_at());
        self.expires_at = ts(cl.expires_at());
        self.checked_at = ts(c.checked_at());
        self.revocation = Some(c.revocation().into());
        self.secret_required = Some(c.requires_secret());
        self
    }

    /// Step 1 passed but no codice fiscale was given: cannot verify.
    pub fn cf_not_checked(c: &CheckedCredential, lang: Lang) -> Self {
        Self::failure(&Failure::CfNotChecked, lang).with_checked(c)
    }

    /// A valid first-level attestation.
    pub fn valid(v: &VerifiedAttestation, lang: Lang) -> Self {
        let a = v.attestation();
        let mut r = Self::empty(
            Verdict::Valid,
            None,
            lang.pick(
                "attestazione valida per questo codice fiscale",
                "valid attestation for this codice fiscale",
            )
            .into(),
            lang,
        )
        .with_checked(v.checked());
        r.cf_checked = true;
        r.attestation = Some(a.clone());
        r.statuses_only = Some(a.is_statuses_only());
        r.statuses = Some(status_lines(a));
        r.benefits = Some(benefits_for(a).map(BenefitReport::from).collect());
        r
    }

    /// Valid second-level details.
    pub fn valid_second_level(d: &VerifiedDetails, lang: Lang) -> Self {
        let c = d.checked();
        let mut r = Self::empty(
            Verdict::Valid,
            None,
            lang.pick(
                "dettagli di secondo livello validi per questo operatore e questo codice fiscale",
                "valid second-level details for this operator and codice fiscale",
            )
            .into(),
            lang,
        );
        r.level = Some(2);
        r.cf_checked = true;
        r.issuer = Some(c.issuer_id().to_owned());
        r.kid = Some(c.kid().to_string());
        r.operator = Some(c.operator_id().to_owned());
        r.cti = Some(c.claims().cti().to_string());
        r.first_level_cti = Some(c.first_level_cti().to_string());
        r.issued_at = ts(c.claims().issued_at());
        r.expires_at = ts(c.claims().expires_at());
        r.checked_at = ts(c.checked_at());
        r.revocation = Some(c.revocation().into());
        r.details = Some(d.details().clone());
        r
    }
}
