//! An Ed25519 private key inside a token, as a [`Signer`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use attesta_core::keys::{Kid, PublicKey};
use attesta_core::signer::{SignError, Signature, Signer, checked};
use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;

use crate::error::{Pkcs11Error, ckr_name, device};
use crate::token::{self, Pin, Token};
use crate::uri::{ObjectType, Pkcs11Uri};

/// Test hook: log the token out before every Nth signature, so that the
/// session is lost and must be reopened. Not for production use.
#[doc(hidden)]
pub const LOGOUT_EVERY_ENV: &str = "ATTESTA_PKCS11_TEST_LOGOUT_EVERY";
/// Test hook: the Nth signature (`N`), or every signature from the Nth on
/// (`N+`), loses its session at every try, so it fails after the retries.
/// Not for production use.
#[doc(hidden)]
pub const LOSE_SIGNATURE_ENV: &str = "ATTESTA_PKCS11_TEST_LOSE_SIGNATURE";

/// How many times one signature is tried when the session is lost.
const ATTEMPTS: u32 = 4;

/// DER of the Ed25519 curve as CKA_EC_PARAMS: the OID 1.3.101.112 …
const ED25519_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
/// … the PrintableString "edwards25519" that PKCS#11 3.0 also allows …
const ED25519_NAME: &[u8] = b"\x13\x0cedwards25519";
/// … and the older OID 1.3.6.1.4.1.11591.15.1 some tools write.
const ED25519_GNU_OID: &[u8] = &[
    0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01,
];
const ED448_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x71];
const ED448_NAME: &[u8] = b"\x13\x0aedwards448";

/// A fixed message signed once when a key is opened or generated, to prove
/// that the public key read from the token belongs to the private key. It
/// is not CBOR, so its signature can never pass for a document.
const SELF_TEST_MSG: &[u8] = b"attesta/v1/pkcs11-self-test";

fn eddsa() -> Mechanism<'static> {
    Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure))
}

/// A session with the key's handle in it (object handles may differ
/// between sessions, so they travel together).
struct Pooled {
    session: Session,
    key: ObjectHandle,
}

/// An Ed25519 signing key held in a PKCS#11 token.
///
/// The private key never leaves the token: [`Signer::sign`] sends the bytes
/// to be signed (`C_Sign`, CKM_EDDSA) and checks the returned signature
/// against the public key before handing it out. The kid is computed from
/// the public key read from the token, as for a file key, so a code signed
/// here is byte for byte the code a file holding the same key signs.
///
/// Sessions are not shared between threads: each concurrent signer takes
/// an idle session from a pool or opens one, so a batch with N workers
/// holds N sessions. A session that the token dropped (closed, logged out,
/// device reset) is discarded and a fresh one opened and logged in again,
/// up to four tries per signature; a wrong PIN is never retried.
///
/// ```no_run
/// use attesta_core::signer::Signer;
/// use attesta_pkcs11::{Pin, Pkcs11Key, Pkcs11Uri};
/// let uri: Pkcs11Uri = "pkcs11:token=attesta;object=issuer-2026".parse()?;
/// let pin = Pin::new(std::env::var("ATTESTA_PKCS11_PIN")?.into());
/// let key = Pkcs11Key::open(&uri, Some(pin))?;
/// println!("kid {}", key.kid());
/// let signature = key.sign(b"to be signed")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Pkcs11Key {
    ctx: Pkcs11,
    token: Token,
    /// What found the private key: label and/or id.
    template: Vec<Attribute>,
    object: String,
    public: PublicKey,
    kid: Kid,
    pin: Option<Pin>,
    /// Held while logging in again; holds the token's answer once it has
    /// refused the PIN, so that no thread tries it again: a batch that
    /// retried a PIN changed under it would lock the token.
    relogin: Mutex<Option<Pkcs11Error>>,
    idle: Mutex<Vec<Pooled>>,
    signatures: AtomicU64,
    reopened: AtomicU64,
    logins: AtomicU64,
    logout_every: Option<u64>,
    /// (N, and every later one too).
    lose_signature: Option<(u64, bool)>,
}

impl std::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Pkcs11Key(token \"{}\", object \"{}\", kid {})",
            self.token.label, self.object, self.kid
        )
    }
}

fn object_desc(uri: &Pkcs11Uri) -> String {
    match (&uri.object, &uri.id) {
        (Some(o), _) => o.clone(),
        (None, Some(id)) => format!("id {}", hex::encode(id)),
        (None, None) => "(any)".to_owned(),
    }
}

fn selection(uri: &Pkcs11Uri) -> Vec<Attribute> {
    let mut t = Vec::new();
    if let Some(o) = &uri.object {
        t.push(Attribute::Label(o.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        t.push(Attribute::Id(id.clone()));
    }
    t
}

fn wanted(uri: &Pkcs11Uri) -> String {
    let mut s = Pkcs11Uri {
        object: uri.object.clone(),
        id: uri.id.clone(),
        ..Pkcs11Uri::default()
    }
    .to_string();
    if s == "pkcs11:" {
        s = "any key (the URI names no object= or id=)".to_owned();
    }
    s
}

fn label_of(session: &Session, h: ObjectHandle) -> String {
    match session.get_attributes(h, &[AttributeType::Label]) {
        Ok(a) => a
            .into_iter()
            .find_map(|a| match a {
                Attribute::Label(l) => Some(String::from_utf8_lossy(&l).into_owned()),
                _ => None,
            })
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The Ed25519 public key in a CKA_EC_POINT: a DER OCTET STRING (what the
/// standard says) or, from some tokens, the 32 raw bytes.
fn point_to_key(p: &[u8]) -> Option<PublicKey> {
    let raw = match p {
        [0x04, 0x20, rest @ ..] if rest.len() == 32 => rest,
        _ if p.len() == 32 => p,
        _ => return None,
    };
    PublicKey::from_bytes(raw).ok()
}

/// The Ed25519 public key in a SubjectPublicKeyInfo (CKA_PUBLIC_KEY_INFO).
fn spki_to_key(der: &[u8]) -> Option<PublicKey> {
    const PREFIX: &[u8] = &[
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.strip_prefix(PREFIX)
        .and_then(|k| PublicKey::from_bytes(k).ok())
}

impl Pkcs11Key {
    /// Opens the private key a URI names, on the module from
    /// `module-path=` or `ATTESTA_PKCS11_MODULE`, logging in with `pin`
    /// when the token needs it.
    ///
    /// Checks, in this order, so that the first problem is the one
    /// reported: the module loads; exactly one token matches (the error
    /// lists the tokens seen); it offers CKM_EDDSA; the PIN is accepted
    /// (one attempt; the error says what the token reports about tries
    /// left); exactly one private key matches; it is an Ed25519 key that
    /// may sign; its public key is on the token and belongs to it (a test
    /// signature verifies).
    pub fn open(uri: &Pkcs11Uri, pin: Option<Pin>) -> Result<Pkcs11Key, Pkcs11Error> {
        if let Some(t) = uri.object_type
            && t != ObjectType::Private
        {
            return Err(Pkcs11Error::NotPrivateKeyType {
                found: match t {
                    ObjectType::Public => "public",
                    ObjectType::Cert => "cert",
                    ObjectType::SecretKey => "secret-key",
                    _ => "data",
                },
            });
        }
        let ctx = token::load(&token::module_path(uri)?)?;
        let token = token::find(&ctx, uri)?;
        token::check_eddsa(&ctx, &token)?;
        let session = ctx.open_ro_session(token.slot).map_err(|e| device(&e))?;
        token::login(&ctx, &session, &token, pin.as_ref())?;

        let template = selection(uri);
        let object = object_desc(uri);
        let key = find_private(&session, &token, uri, &template)?;
        let object = match &uri.object {
            Some(_) => object,
            None => label_of(&session, key),
        };
        check_private(&session, key, &object)?;
        let public = find_public(&session, key, &template, &object)?;

        let hook = |name| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|n| *n > 0)
        };
        let k = Pkcs11Key {
            ctx,
            token,
            template,
            object,
            kid: public.kid(),
            public,
            pin,
            relogin: Mutex::new(None),
            idle: Mutex::new(Vec::new()),
            signatures: AtomicU64::new(0),
            reopened: AtomicU64::new(0),
            logins: AtomicU64::new(0),
            logout_every: hook(LOGOUT_EVERY_ENV),
            lose_signature: std::env::var(LOSE_SIGNATURE_ENV).ok().and_then(|v| {
                let (n, later) = match v.strip_suffix('+') {
                    Some(n) => (n, true),
                    None => (v.as_str(), false),
                };
                n.parse().ok().filter(|n| *n > 0).map(|n| (n, later))
            }),
        };
        let sig = session
            .sign(&eddsa(), key, SELF_TEST_MSG)
            .map_err(|e| device(&e))?;
        if checked(&k.public, SELF_TEST_MSG, &sig).is_err() {
            return Err(Pkcs11Error::KeyMismatch { object: k.object });
        }
        k.idle_pool().push(Pooled { session, key });
        Ok(k)
    }

    /// The token's label.
    pub fn token_label(&self) -> &str {
        &self.token.label
    }

    /// The key's label (CKA_LABEL).
    pub fn object_label(&self) -> &str {
        &self.object
    }

    /// Test hook: log the token out (every session of the process loses
    /// its login) before every `n`th signature. Not for production use.
    #[doc(hidden)]
    pub fn inject_logout_every(&mut self, n: u64) {
        self.logout_every = (n > 0).then_some(n);
    }

    /// How many new sessions checked their login (and logged in when the
    /// token had logged the process out). For tests.
    #[doc(hidden)]
    pub fn login_checks(&self) -> u64 {
        self.logins.load(Relaxed)
    }

    /// How many times a lost session was replaced by a new one.
    pub fn sessions_reopened(&self) -> u64 {
        self.reopened.load(Relaxed)
    }

    fn idle_pool(&self) -> std::sync::MutexGuard<'_, Vec<Pooled>> {
        // A panic while holding the lock leaves a Vec, still consistent.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new logged-in session with the key found in it.
    fn open_session(&self) -> Result<Pooled, Pkcs11Error> {
        let session = self
            .ctx
            .open_ro_session(self.token.slot)
            .map_err(|e| device(&e))?;
        {
            let mut refused = self.relogin.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(e) = &*refused {
                return Err(e.clone());
            }
            self.logins.fetch_add(1, Relaxed);
            match token::login(&self.ctx, &session, &self.token, self.pin.as_ref()) {
                Ok(()) => {}
                Err(e @ (Pkcs11Error::WrongPin { .. } | Pkcs11Error::PinLocked { .. })) => {
                    *refused = Some(e.clone());
                    return Err(e);
                }
                Err(e) => return Err(e),
            }
        }
        let mut t = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
        t.extend(self.template.iter().cloned());
        let handles = session.find_objects(&t).map_err(|e| device(&e))?;
        // The key was there when opened. Not seeing it now most likely
        // means the login was lost again in between (private objects are
        // invisible to a public session): worth another try.
        let [key] = handles[..] else {
            return Err(Pkcs11Error::Device {
                operation: "C_FindObjects".to_owned(),
                ckr: format!(
                    "{} keys labelled \"{}\" visible in a new session",
                    handles.len(),
                    self.object
                ),
            });
        };
        Ok(Pooled { session, key })
    }

    /// The test hooks: log the application out of the token, which ends
    /// the login of every session this process has on it, as an HSM
    /// restart or a dropped network connection does.
    fn maybe_inject_fault(&self, p: &Pooled, n: u64, attempt: u32) {
        let every = self
            .logout_every
            .is_some_and(|e| attempt == 0 && n.is_multiple_of(e));
        let lose = self
            .lose_signature
            .is_some_and(|(at, later)| n == at || (later && n > at));
        if every || lose {
            let _ = p.session.logout();
        }
    }
}

/// Conditions after which the session is no longer usable but a new one
/// may be: the session or the login is gone, or the device was reset.
/// CKR_GENERAL_ERROR and CKR_FUNCTION_FAILED are here too: SoftHSM2
/// answers a signature whose login vanished mid-call with the former, and
/// network HSMs report a dropped connection with either. Retrying is
/// bounded and signs the same bytes, so it cannot issue anything twice.
fn session_lost(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::UserNotLoggedIn
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid
                | RvError::DeviceRemoved
                | RvError::DeviceError
                | RvError::TokenNotPresent
                | RvError::FunctionFailed
                | RvError::GeneralError
                | RvError::CryptokiNotInitialized,
            _
        )
    )
}

fn lost_error(key: &Pkcs11Key, last: &str) -> SignError {
    SignError::Unavailable {
        code: "pkcs11_session_lost",
        message: format!(
            "the HSM session for key \"{}\" on token \"{}\" was lost and could not be restored after {ATTEMPTS} tries (last: {last}); check the HSM and its connection, then sign again",
            key.object, key.token.label
        ),
    }
}

impl Signer for Pkcs11Key {
    fn public_key(&self) -> PublicKey {
        self.public
    }

    fn kid(&self) -> Kid {
        self.kid
    }

    fn sign(&self, msg: &[u8]) -> Result<Signature, SignError> {
        let n = self.signatures.fetch_add(1, Relaxed) + 1;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                // Give a restarting device or a reconnecting network HSM
                // a moment: 0.1 s, 0.2 s, 0.4 s.
                std::thread::sleep(Duration::from_millis(50 << attempt));
            }
            let pooled = self.idle_pool().pop();
            let p = match pooled {
                Some(p) => p,
                None => match self.open_session() {
                    Ok(p) => p,
                    Err(Pkcs11Error::Device { operation, ckr }) => {
                        last = format!("{operation}: {ckr}");
                        continue;
                    }
                    Err(e) => {
                        return Err(SignError::Failed {
                            code: e.code(),
                            message: e.to_string(),
                        });
                    }
                },
            };
            self.maybe_inject_fault(&p, n, attempt);
            match p.session.sign(&eddsa(), p.key, msg) {
                Ok(sig) => {
                    self.idle_pool().push(p);
                    return checked(&self.public, msg, &sig);
                }
                Err(e) if session_lost(&e) => {
                    last = match &e {
                        CkError::Pkcs11(rv, _) => ckr_name(*rv),
                        other => other.to_string(),
                    };
                    // Dropping closes it (or finds it closed already).
                    drop(p);
                    self.reopened.fetch_add(1, Relaxed);
                }
                Err(e) => {
                    self.idle_pool().push(p);
                    let d = device(&e);
                    return Err(SignError::Failed {
                        code: "pkcs11_sign_failed",
                        message: format!(
                            "the HSM refused to sign with key \"{}\": {d}",
                            self.object
                        ),
                    });
                }
            }
        }
        Err(lost_error(self, &last))
    }
}

fn find_private(
    session: &Session,
    token: &Token,
    uri: &Pkcs11Uri,
    template: &[Attribute],
) -> Result<ObjectHandle, Pkcs11Error> {
    let mut t = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
    t.extend(template.iter().cloned());
    let found = session.find_objects(&t).map_err(|e| device(&e))?;
    match found[..] {
        [one] => Ok(one),
        [] => {
            let all = session
                .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
                .unwrap_or_default();
            Err(Pkcs11Error::ObjectNotFound {
                token: token.label.clone(),
                wanted: wanted(uri),
                seen: all
                    .into_iter()
                    .map(|h| format!("\"{}\"", label_of(session, h)))
                    .collect(),
            })
        }
        _ => Err(Pkcs11Error::ObjectAmbiguous {
            token: token.label.clone(),
            wanted: wanted(uri),
            count: found.len(),
        }),
    }
}

fn curve_of(params: &[u8]) -> Option<&'static str> {
    match params {
        p if p == ED25519_OID || p == ED25519_NAME || p == ED25519_GNU_OID => Some("Ed25519"),
        p if p == ED448_OID || p == ED448_NAME => Some("an Ed448 key"),
        _ => None,
    }
}

/// The key is Ed25519 and may sign.
fn check_private(session: &Session, key: ObjectHandle, object: &str) -> Result<(), Pkcs11Error> {
    let attrs = session
        .get_attributes(
            key,
            &[
                AttributeType::KeyType,
                AttributeType::EcParams,
                AttributeType::Sign,
            ],
        )
        .map_err(|e| device(&e))?;
    let mut key_type = None;
    let mut params = None;
    let mut sign = true;
    for a in attrs {
        match a {
            Attribute::KeyType(t) => key_type = Some(t),
            Attribute::EcParams(p) => params = Some(p),
            Attribute::Sign(s) => sign = s,
            _ => {}
        }
    }
    let not = |found: String| Pkcs11Error::NotEd25519 {
        object: object.to_owned(),
        found,
    };
    match key_type {
        Some(KeyType::EC_EDWARDS) => match params.as_deref().map(curve_of) {
            Some(Some("Ed25519")) | None => {}
            Some(Some(other)) => return Err(not(other.to_owned())),
            Some(None) => return Err(not("an Edwards key on an unknown curve".to_owned())),
        },
        Some(KeyType::RSA) => return Err(not("an RSA key".to_owned())),
        Some(KeyType::EC) => return Err(not("an elliptic-curve (ECDSA) key".to_owned())),
        Some(other) => return Err(not(format!("a {other} key"))),
        None => return Err(not("a key of unknown type".to_owned())),
    }
    if !sign {
        return Err(Pkcs11Error::KeyCannotSign {
            object: object.to_owned(),
        });
    }
    Ok(())
}

/// The public key: the public key object with the same label/id, or the
/// private key's CKA_PUBLIC_KEY_INFO (PKCS#11 3.0) when there is none.
fn find_public(
    session: &Session,
    private: ObjectHandle,
    template: &[Attribute],
    object: &str,
) -> Result<PublicKey, Pkcs11Error> {
    let mut t = vec![
        Attribute::Class(ObjectClass::PUBLIC_KEY),
        Attribute::KeyType(KeyType::EC_EDWARDS),
    ];
    if template.is_empty() {
        t.push(Attribute::Label(object.as_bytes().to_vec()));
    } else {
        t.extend(template.iter().cloned());
    }
    let found = session.find_objects(&t).map_err(|e| device(&e))?;
    let keys: Vec<PublicKey> = found
        .into_iter()
        .filter_map(|h| {
            let a = session.get_attributes(h, &[AttributeType::EcPoint]).ok()?;
            a.into_iter().find_map(|a| match a {
                Attribute::EcPoint(p) => point_to_key(&p),
                _ => None,
            })
        })
        .collect();
    if let [one] = keys[..] {
        return Ok(one);
    }
    let info = session
        .get_attributes(private, &[AttributeType::PublicKeyInfo])
        .ok()
        .and_then(|a| {
            a.into_iter().find_map(|a| match a {
                Attribute::PublicKeyInfo(d) => spki_to_key(&d),
                _ => None,
            })
        });
    info.ok_or_else(|| Pkcs11Error::PublicKeyNotFound {
        object: object.to_owned(),
    })
}

/// A key pair made by [`generate`].
#[derive(Debug)]
pub struct Generated {
    /// The public key (to write to `FILE.pub` and add to the trust list).
    pub public: PublicKey,
    /// The token's label.
    pub token: String,
    /// The key's label.
    pub object: String,
    /// Whether the token reports the private key as sensitive and never
    /// extractable.
    pub non_extractable: bool,
}

/// Generates an Ed25519 key pair inside the token (`attesta keygen
/// --pkcs11`): the private key is a token object that is private,
/// sensitive, not extractable and may only sign; the public key object
/// carries the same label and, as CKA_ID, the kid (unless the URI gives an
/// `id=`). Refuses if a key with the label exists. The new key is checked
/// with a test signature before this returns.
pub fn generate(uri: &Pkcs11Uri, pin: Option<Pin>) -> Result<Generated, Pkcs11Error> {
    let label = uri.object.clone().ok_or(Pkcs11Error::NoObjectLabel)?;
    let ctx = token::load(&token::module_path(uri)?)?;
    let token = token::find(&ctx, uri)?;
    token::check_eddsa(&ctx, &token)?;
    let session = ctx.open_rw_session(token.slot).map_err(|e| device(&e))?;
    token::login(&ctx, &session, &token, pin.as_ref())?;
    let existing = session
        .find_objects(&[Attribute::Label(label.as_bytes().to_vec())])
        .map_err(|e| device(&e))?;
    if !existing.is_empty() {
        return Err(Pkcs11Error::ObjectExists {
            token: token.label,
            object: label,
        });
    }
    let mut common = vec![
        Attribute::Token(true),
        Attribute::Label(label.as_bytes().to_vec()),
    ];
    if let Some(id) = &uri.id {
        common.push(Attribute::Id(id.clone()));
    }
    let private_t = |c: &[Attribute]| {
        let mut t = c.to_vec();
        t.extend([
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Decrypt(false),
            Attribute::Derive(false),
            Attribute::Unwrap(false),
        ]);
        t
    };
    let public_t = |c: &[Attribute], params: &[u8]| {
        let mut t = c.to_vec();
        t.extend([
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::EcParams(params.to_vec()),
        ]);
        t
    };
    // The OID first; a token that wants the curve by name gets the name.
    let mut result = Err(CkError::NotSupported);
    for params in [ED25519_OID, ED25519_NAME] {
        result = session.generate_key_pair(
            &Mechanism::EccEdwardsKeyPairGen,
            &public_t(&common, params),
            &private_t(&common),
        );
        match &result {
            Err(CkError::Pkcs11(
                RvError::CurveNotSupported
                | RvError::DomainParamsInvalid
                | RvError::AttributeValueInvalid
                | RvError::TemplateInconsistent,
                _,
            )) => continue,
            _ => break,
        }
    }
    let (pub_h, priv_h) = result.map_err(|e| device(&e))?;
    let point = session
        .get_attributes(pub_h, &[AttributeType::EcPoint])
        .map_err(|e| device(&e))?
        .into_iter()
        .find_map(|a| match a {
            Attribute::EcPoint(p) => point_to_key(&p),
            _ => None,
        });
    let Some(public) = point else {
        return Err(Pkcs11Error::PublicKeyNotFound { object: label });
    };
    if uri.id.is_none() {
        // Best effort: CKA_ID = kid pairs the objects and shows the kid in
        // the vendor's tools; a token that refuses keeps the label only.
        let id = Attribute::Id(public.kid().as_bytes().to_vec());
        let _ = session.update_attributes(pub_h, std::slice::from_ref(&id));
        let _ = session.update_attributes(priv_h, &[id]);
    }
    let sig = session
        .sign(&eddsa(), priv_h, SELF_TEST_MSG)
        .map_err(|e| device(&e))?;
    if checked(&public, SELF_TEST_MSG, &sig).is_err() {
        return Err(Pkcs11Error::KeyMismatch { object: label });
    }
    let flags = session
        .get_attributes(
            priv_h,
            &[AttributeType::Sensitive, AttributeType::Extractable],
        )
        .unwrap_or_default();
    let non_extractable = flags.contains(&Attribute::Sensitive(true))
        && flags.contains(&Attribute::Extractable(false));
    Ok(Generated {
        public,
        token: token.label,
        object: label,
        non_extractable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_point_forms() {
        let k = attesta_core::keys::SigningKey::from_seed(&[1; 32]).public_key();
        let raw = k.to_bytes();
        let mut der = vec![0x04, 0x20];
        der.extend_from_slice(&raw);
        assert_eq!(point_to_key(&der), Some(k));
        assert_eq!(point_to_key(&raw), Some(k));
        assert_eq!(point_to_key(&der[..33]), None);
        assert_eq!(spki_to_key(&k.to_spki_der()), Some(k));
        assert_eq!(curve_of(ED25519_NAME), Some("Ed25519"));
        assert_eq!(curve_of(ED448_OID), Some("an Ed448 key"));
        assert_eq!(curve_of(b"\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"), None);
    }
}
