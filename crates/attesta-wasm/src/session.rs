//! The verifier of the web app: the trust material a browser holds (root
//! key, trust list, status lists, the persisted [`TrustState`], an
//! operator key) and verification with exactly the steps of `attesta
//! verify`: build the [`Verifier`] from the trust list at the given time,
//! load every status list, check the code, open it with the codice fiscale.
//!
//! Plain Rust, so that it is tested natively; `lib.rs` only exposes it to
//! JavaScript.

use attesta_core::keys::PublicKey;
use attesta_core::lang::Lang;
use attesta_core::operator_key::OperatorSecretKey;
use attesta_core::status_list::StatusListToken;
use attesta_core::text::{CodeKind, unwrap_verify_url};
use attesta_core::trust_list::TrustList;
use attesta_verify::level::level_for;
use attesta_verify::report::{Failure, VerificationReport};
use attesta_verify::trust::TrustState;
use attesta_verify::verifier::{RevocationPolicy, VerifiedAttestation};
use attesta_verify::{CheckedCredential, Policy, VerifiedDetails, Verifier, VerifyError};
use jiff::Timestamp;
use serde_json::{Value, json};

/// Why the session could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The root key is not an Ed25519 public key PEM.
    #[error(
        "root.key.pub is not an Ed25519 public key in PEM ({0}); download it again from the issuer's address"
    )]
    RootKey(String),
    /// The saved state is not a verifier state.
    #[error("the saved verifier state is damaged ({0})")]
    State(String),
    /// The operator key cannot be used.
    #[error("{0}")]
    OperatorKey(String),
}

impl SetupError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            SetupError::RootKey(_) => "root_key_invalid",
            SetupError::State(_) => "state_damaged",
            SetupError::OperatorKey(_) => "operator_key_invalid",
        }
    }
}

/// A browser's verifier.
pub struct Session {
    root: PublicKey,
    state: TrustState,
    trust: Option<Vec<u8>>,
    status_lists: Vec<Vec<u8>>,
    policy: Policy,
    operator: Option<OperatorSecretKey>,
    /// The last verification, so that its report can be given again in
    /// the other language without verifying again.
    last: Option<Outcome>,
}

/// What a verification established, as `attesta verify` has it.
#[derive(Debug)]
pub enum Outcome {
    /// A valid attestation.
    Verified(Box<VerifiedAttestation>),
    /// The checks without the codice fiscale passed; none was given.
    CfNotChecked(Box<CheckedCredential>),
    /// Valid second-level details.
    Second(Box<VerifiedDetails>),
    /// Not valid, or cannot verify.
    Failed(Failure),
}

impl Outcome {
    /// The report `attesta verify --json --lang LANG` prints.
    pub fn report(&self, lang: Lang) -> VerificationReport {
        match self {
            Outcome::Verified(v) => VerificationReport::valid(v, lang),
            Outcome::CfNotChecked(c) => VerificationReport::cf_not_checked(c, lang),
            Outcome::Second(d) => VerificationReport::valid_second_level(d, lang),
            Outcome::Failed(f) => VerificationReport::failure(f, lang),
        }
    }
}

fn time(now_ms: f64) -> Timestamp {
    // A NaN or absurd clock becomes the epoch, which every check then
    // refuses as too early or raised to the clock floor.
    Timestamp::from_millisecond(now_ms as i64).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl Session {
    /// A session pinned to `root_pem`, with the state saved by an earlier
    /// session (`""` for a new device).
    pub fn new(root_pem: &str, state_json: &str) -> Result<Session, SetupError> {
        let root = PublicKey::from_pem(root_pem).map_err(|e| SetupError::RootKey(e.to_string()))?;
        let state = if state_json.trim().is_empty() {
            TrustState::default()
        } else {
            serde_json::from_str(state_json).map_err(|e| SetupError::State(e.to_string()))?
        };
        Ok(Session {
            root,
            state,
            trust: None,
            status_lists: Vec::new(),
            policy: Policy::default(),
            operator: None,
            last: None,
        })
    }

    /// The state to persist (highest trust-list sequence, denied keys,
    /// clock floor): saved after every call that may change it.
    pub fn state_json(&self) -> String {
        serde_json::to_string(&self.state).unwrap_or_default()
    }

    /// The kid of the pinned root key.
    pub fn root_kid(&self) -> String {
        self.root.kid().to_string()
    }

    /// Refuse codes whose revocation cannot be checked (`--require-revocation`).
    pub fn set_require_revocation(&mut self, require: bool) {
        self.policy.revocation = if require {
            RevocationPolicy::Require
        } else {
            RevocationPolicy::ReportNotChecked
        };
    }

    /// The KDF floor (default: the issuing default, 19 MiB and 2 passes).
    /// Lowering it is for the published test vectors only, most of which
    /// use cheap test parameters.
    pub fn set_kdf_floor(&mut self, min_memory_mib: u32, min_iterations: u32) {
        self.policy.kdf_limits.min_memory_mib = min_memory_mib;
        self.policy.kdf_limits.min_iterations = min_iterations;
    }

    /// Would `bytes` be accepted as the trust list at `now`? Changes nothing.
    pub fn check_trust_list(&self, bytes: &[u8], now_ms: f64) -> Result<Value, Failure> {
        let mut state = self.state.clone();
        let list = state
            .accept(bytes, &self.root, time(now_ms), &self.policy.trust)
            .map_err(|e| Failure::Verify(VerifyError::Trust(e)))?;
        Ok(trust_summary(&list))
    }

    /// Makes `bytes` the trust list, accepting it into the state (rollback,
    /// denylist, age). It is kept even when refused, so that verifications
    /// report why (say, `trust_list_stale`) instead of "no list".
    pub fn use_trust_list(&mut self, bytes: &[u8], now_ms: f64) -> Result<Value, Failure> {
        self.trust = Some(bytes.to_vec());
        let list = self
            .state
            .accept(bytes, &self.root, time(now_ms), &self.policy.trust)
            .map_err(|e| Failure::Verify(VerifyError::Trust(e)))?;
        Ok(trust_summary(&list))
    }

    fn verifier(&mut self, now: Timestamp) -> Result<Verifier, Failure> {
        let Some(trust) = &self.trust else {
            return Err(Failure::ListUnreadable);
        };
        let mut verifier = Verifier::new(trust, &self.root, &mut self.state, self.policy, now)?;
        for list in &self.status_lists {
            verifier.add_status_list(list, now)?;
        }
        Ok(verifier)
    }

    /// Would `bytes` load as a status list (signed by a trusted issuer key,
    /// current) at `now`? Changes nothing.
    pub fn check_status_list(&self, bytes: &[u8], now_ms: f64) -> Result<Value, Failure> {
        let now = time(now_ms);
        let Some(trust) = &self.trust else {
            return Err(Failure::ListUnreadable);
        };
        let mut state = self.state.clone();
        let mut verifier = Verifier::new(trust, &self.root, &mut state, self.policy, now)?;
        verifier.add_status_list(bytes, now)?;
        Ok(status_summary(bytes))
    }

    /// Adds a status list. Like the trust list it is kept even when refused,
    /// so that verifications fail with the reason (a missing list would
    /// instead pass as "revocation not checked").
    pub fn add_status_list(&mut self, bytes: &[u8], now_ms: f64) -> Result<Value, Failure> {
        self.status_lists.push(bytes.to_vec());
        self.check_status_list(bytes, now_ms)
    }

    /// Forgets every status list.
    pub fn clear_status_lists(&mut self) {
        self.status_lists.clear();
    }

    /// What the lists are and whether each is usable at `now`: for the
    /// header ("liste aggiornate al …") and the settings screen.
    pub fn lists(&self, now_ms: f64, lang: Lang) -> Value {
        let now = time(now_ms);
        let trust = match &self.trust {
            None => Value::Null,
            Some(bytes) => {
                let mut state = self.state.clone();
                let checked = state.accept(bytes, &self.root, now, &self.policy.trust);
                let mut v = match TrustList::verify_signature(bytes, &self.root) {
                    Ok(list) => trust_summary(&list),
                    Err(_) => json!({}),
                };
                v["usable"] = json!(checked.is_ok());
                if let Err(e) = checked {
                    let f = Failure::Verify(VerifyError::Trust(e));
                    v["reason"] = json!(f.code());
                    v["message"] = json!(f.message(lang));
                }
                v
            }
        };
        let status: Vec<Value> = self
            .status_lists
            .iter()
            .map(|bytes| {
                let mut v = status_summary(bytes);
                match self.check_status_list(bytes, now_ms) {
                    Ok(_) => v["usable"] = json!(true),
                    Err(f) => {
                        v["usable"] = json!(false);
                        v["reason"] = json!(f.code());
                        v["message"] = json!(f.message(lang));
                    }
                }
                v
            })
            .collect();
        json!({
            "root_kid": self.root_kid(),
            "trust_list": trust,
            "status_lists": status,
            "checked_at": now.to_string(),
        })
    }

    /// Unlocks the operator's X25519 key (encrypted PKCS#8 PEM, from
    /// [`wrap_operator_key`]) for second-level tokens. Returns its public
    /// key and the operator ids it is accredited as in the current trust
    /// list.
    pub fn unlock_operator_key(
        &mut self,
        wrapped_pem: &str,
        passphrase: &str,
        now_ms: f64,
    ) -> Result<Value, SetupError> {
        let key = OperatorSecretKey::from_pkcs8_pem(wrapped_pem, Some(passphrase.as_bytes()))
            .map_err(|e| {
                SetupError::OperatorKey(format!("the operator key does not unlock: {e}"))
            })?;
        let public = key.public_key().to_bytes();
        self.operator = Some(key);
        let now = time(now_ms);
        let accredited: Vec<Value> = self
            .trust
            .as_deref()
            .and_then(|t| TrustList::verify_signature(t, &self.root).ok())
            .map(|list| {
                list.operators
                    .iter()
                    .filter(|o| o.sealing_key == public && o.valid_at(now))
                    .map(|o| json!({"id": o.id, "name": o.name}))
                    .collect()
            })
            .unwrap_or_default();
        Ok(json!({"public_key": hex::encode(public), "accredited_as": accredited}))
    }

    /// Loads an operator key from its raw bytes (test vectors).
    pub fn set_operator_secret(&mut self, secret: &[u8; 32]) -> Result<(), SetupError> {
        self.operator = Some(
            OperatorSecretKey::from_bytes(secret)
                .map_err(|e| SetupError::OperatorKey(e.to_string()))?,
        );
        Ok(())
    }

    /// Forgets the operator key.
    pub fn forget_operator_key(&mut self) {
        self.operator = None;
    }

    /// Whether an operator key is loaded.
    pub fn has_operator_key(&self) -> bool {
        self.operator.is_some()
    }

    /// Verifies a code (bare or wrapped in a verifier address) with the
    /// holder's codice fiscale (`None`: step 1 only) and secret, if the
    /// code needs one, at `now`, with the steps of `attesta verify`. The
    /// level follows the code's prefix (a token needs the operator key);
    /// [`Level`] can insist on one, as `attesta verify` does with and
    /// without `--operator-key`. The outcome is kept for
    /// [`Session::last_report`].
    pub fn verify(
        &mut self,
        text: &str,
        cf: Option<&str>,
        secret: Option<&str>,
        now_ms: f64,
        level: Level,
    ) -> &Outcome {
        let now = time(now_ms);
        let text = unwrap_verify_url(text);
        let outcome = (|| {
            let verifier = self.verifier(now)?;
            let asked = match level {
                Level::Auto => None,
                Level::First => Some(CodeKind::FirstLevel),
                Level::Second => Some(CodeKind::SecondLevel),
            };
            // A token without the operator's key is refused by level_for.
            let level = level_for(&text, asked, self.operator.is_some())?;
            if let (CodeKind::SecondLevel, Some(op)) = (level, &self.operator) {
                let checked = verifier.check_second_level(&text, op, now)?;
                let Some(cf) = cf else {
                    return Err(Failure::CfNotChecked);
                };
                return Ok(Outcome::Second(Box::new(checked.open_str(op, cf)?)));
            }
            let checked = verifier.check(&text, now)?;
            Ok(match cf {
                None => Outcome::CfNotChecked(Box::new(checked)),
                Some(cf) => Outcome::Verified(Box::new(checked.open_with_secret_str(cf, secret)?)),
            })
        })();
        self.last.insert(outcome.unwrap_or_else(Outcome::Failed))
    }

    /// The report of the last verification in `lang`.
    pub fn last_report(&self, lang: Lang) -> Option<VerificationReport> {
        self.last.as_ref().map(|o| o.report(lang))
    }

    /// Forgets the last verification (the next holder's turn).
    pub fn forget_last(&mut self) {
        self.last = None;
    }
}

/// Which kind of code a verification expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Whatever the prefix says (the web app).
    Auto,
    /// A first-level attestation; a token is `wrong_level`.
    First,
    /// A second-level token; an attestation is `wrong_level`.
    Second,
}

/// Shortest storage passphrase accepted.
pub const MIN_STORAGE_PASSPHRASE: usize = 8;

/// An operator key file (PKCS#8 PEM, `file_passphrase` empty when it is
/// not encrypted) re-encrypted under `storage_passphrase` for the browser
/// to keep.
pub fn wrap_operator_key(
    pem: &str,
    file_passphrase: &str,
    storage_passphrase: &str,
) -> Result<String, SetupError> {
    if storage_passphrase.chars().count() < MIN_STORAGE_PASSPHRASE {
        return Err(SetupError::OperatorKey(format!(
            "choose a passphrase of at least {MIN_STORAGE_PASSPHRASE} characters to protect the key on this device"
        )));
    }
    let file_pass = (!file_passphrase.is_empty()).then_some(file_passphrase.as_bytes());
    let key = OperatorSecretKey::from_pkcs8_pem(pem, file_pass).map_err(|e| {
        SetupError::OperatorKey(format!(
            "this file is not an operator private key, or its passphrase is wrong ({e})"
        ))
    })?;
    key.to_pkcs8_pem(Some(storage_passphrase.as_bytes()))
        .map(|p| p.to_string())
        .map_err(|e| SetupError::OperatorKey(e.to_string()))
}

fn trust_summary(list: &TrustList) -> Value {
    json!({
        "sequence": list.seq,
        "issued_at": list.issued_at.map(|t| t.to_string()),
        "expires_at": list.expires_at.map(|t| t.to_string()),
        "issuers": list.issuers.iter().map(|e| json!({
            "id": e.id, "kid": e.kid().to_string(),
        })).collect::<Vec<_>>(),
        "operators": list.operators.iter().map(|o| json!({
            "id": o.id, "name": o.name,
        })).collect::<Vec<_>>(),
    })
}

/// What a status list says about itself, read without a signature check:
/// for display only, after (or beside) the real check.
fn status_summary(bytes: &[u8]) -> Value {
    let Ok(sign1) = StatusListToken::parse_unverified(bytes) else {
        return json!({});
    };
    match StatusListToken::from_unverified_payload(sign1.payload_unverified()) {
        Ok(t) => json!({
            "uri": t.uri,
            "issued_at": t.issued_at.to_string(),
            "expires_at": t.expires_at.map(|e| e.to_string()),
            "signer_kid": sign1.kid().to_string(),
        }),
        Err(_) => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attesta_core::cf::CodiceFiscale;
    use attesta_core::credential::{FirstLevelRequest, issue_first_level};
    use attesta_core::envelope::KdfParams;
    use attesta_core::keys::SigningKey;
    use attesta_core::model::Attestation;
    use attesta_core::text::VerifyUrl;
    use jiff::SignedDuration;

    const CF: &str = "RSSMRA85T10A562S";

    struct World {
        root: SigningKey,
        trust: Vec<u8>,
        code: String,
        now: Timestamp,
    }

    fn world() -> World {
        let (root, issuer) = (
            SigningKey::from_seed(&[1; 32]),
            SigningKey::from_seed(&[2; 32]),
        );
        let now = Timestamp::from_second(1_795_000_000).unwrap();
        let mut list = TrustList::default();
        list.add_issuer("INPS", issuer.public_key(), None).unwrap();
        let trust = list.sign(&root, now, now + SignedDuration::from_hours(24 * 30));
        let code = issue_first_level(
            &issuer,
            &CodiceFiscale::parse(CF).unwrap(),
            &FirstLevelRequest {
                attestation: Attestation::builder().deafness(true).build().unwrap(),
                issued_at: now,
                not_before: None,
                expires_at: now + SignedDuration::from_hours(24 * 365),
                status: None,
                issuer: None,
                kdf: KdfParams::DEFAULT,
            },
        )
        .unwrap();
        World {
            root,
            trust,
            code: code.text().to_owned(),
            now,
        }
    }

    fn rep(o: &Outcome) -> Value {
        serde_json::to_value(o.report(Lang::It)).unwrap()
    }

    fn ms(t: Timestamp) -> f64 {
        t.as_millisecond() as f64
    }

    #[test]
    fn verifies_bare_and_wrapped_codes_with_three_outcomes() {
        let w = world();
        let mut s = Session::new(&w.root.public_key().to_pem(), "").unwrap();
        // No list yet: cannot verify, and says why.
        let r = rep(s.verify(&w.code, Some(CF), None, ms(w.now), Level::Auto));
        assert_eq!(r["reason"], "list_unreadable");
        assert_eq!(r["verdict"], "cannot_verify");

        assert_eq!(
            s.use_trust_list(&w.trust, ms(w.now)).unwrap()["sequence"],
            0
        );
        let r = rep(s.verify(&w.code, Some(CF), None, ms(w.now), Level::Auto));
        assert_eq!(r["valid"], true, "{r}");
        assert_eq!(r["verdict"], "valid");
        assert_eq!(r["attestation"]["deafness"], true);

        let url = VerifyUrl::parse("https://verifica.example.it/").unwrap();
        let r = rep(s.verify(&url.wrap(&w.code), Some(CF), None, ms(w.now), Level::Auto));
        assert_eq!(r["valid"], true, "{r}");

        let r = rep(s.verify(
            &w.code,
            Some("MRTMTT25D09F205Z"),
            None,
            ms(w.now),
            Level::Auto,
        ));
        assert_eq!(r["reason"], "cf_mismatch");
        assert_eq!(r["verdict"], "not_valid");

        let r = rep(s.verify(&w.code, None, None, ms(w.now), Level::Auto));
        assert_eq!(r["reason"], "cf_not_checked");

        let r = rep(s.verify(
            "https://www.inps.it/",
            Some(CF),
            None,
            ms(w.now),
            Level::Auto,
        ));
        assert_eq!(r["reason"], "bad_prefix");
        assert_eq!(r["verdict"], "cannot_verify");

        // Forty days later the trust list is past its maximum age.
        let later = w.now + SignedDuration::from_hours(24 * 40);
        let r = rep(s.verify(&w.code, Some(CF), None, ms(later), Level::Auto));
        assert_eq!(r["reason"], "trust_list_stale", "{r}");
        assert_eq!(s.lists(ms(later), Lang::It)["trust_list"]["usable"], false);
        assert_eq!(s.lists(ms(w.now), Lang::It)["trust_list"]["usable"], true);
        // The last report again, in English, without verifying again.
        assert_eq!(s.last_report(Lang::En).unwrap().lang, Lang::En);
    }

    #[test]
    fn state_survives_a_restart_and_refuses_rollback() {
        let w = world();
        let pem = w.root.public_key().to_pem();
        let mut s = Session::new(&pem, "").unwrap();
        let mut list = TrustList::verify_signature(&w.trust, &w.root.public_key()).unwrap();
        list.next_version();
        let newer = list.sign(&w.root, w.now, w.now + SignedDuration::from_hours(24));
        s.use_trust_list(&newer, ms(w.now)).unwrap();
        let saved = s.state_json();
        let mut again = Session::new(&pem, &saved).unwrap();
        let refused = again.check_trust_list(&w.trust, ms(w.now)).unwrap_err();
        assert_eq!(refused.code(), "trust_list_rollback");
        // Checking changes nothing; using does not accept it either.
        assert_eq!(again.state_json(), saved);
        assert!(again.use_trust_list(&w.trust, ms(w.now)).is_err());
        let r = rep(again.verify(&w.code, Some(CF), None, ms(w.now), Level::Auto));
        assert_eq!(r["reason"], "trust_list_rollback");
        assert!(Session::new(&pem, "{not json").is_err());
        assert!(Session::new("not a key", "").is_err());
    }

    #[test]
    fn operator_keys_are_stored_wrapped() {
        let w = world();
        let op = OperatorSecretKey::generate();
        let plain = op.to_pkcs8_pem(None).unwrap();
        assert!(wrap_operator_key(&plain, "", "short").is_err());
        let wrapped = wrap_operator_key(&plain, "", "una passphrase").unwrap();
        assert!(wrapped.contains("BEGIN ENCRYPTED PRIVATE KEY"));
        let mut s = Session::new(&w.root.public_key().to_pem(), "").unwrap();
        s.use_trust_list(&w.trust, ms(w.now)).unwrap();
        assert!(
            s.unlock_operator_key(&wrapped, "wrong one", ms(w.now))
                .is_err()
        );
        assert!(!s.has_operator_key());
        let r = s
            .unlock_operator_key(&wrapped, "una passphrase", ms(w.now))
            .unwrap();
        assert_eq!(r["public_key"], hex::encode(op.public_key().to_bytes()));
        assert_eq!(r["accredited_as"], json!([]));
        assert!(s.has_operator_key());
        s.forget_operator_key();
        assert!(!s.has_operator_key());
    }
}
