//! Loading a module once per process, finding the token a URI names, and
//! logging in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::MechanismType;
use cryptoki::session::{Session, SessionState, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use crate::error::{Pkcs11Error, TriesLeft, device};
use crate::uri::Pkcs11Uri;

/// Environment variable naming the PKCS#11 module (a `.so` file) when the
/// URI has no `module-path=`.
pub const MODULE_ENV: &str = "ATTESTA_PKCS11_MODULE";

/// The module to load: `module-path=` in the URI, else [`MODULE_ENV`].
pub fn module_path(uri: &Pkcs11Uri) -> Result<PathBuf, Pkcs11Error> {
    if let Some(p) = &uri.module_path {
        return Ok(p.clone());
    }
    match std::env::var_os(MODULE_ENV) {
        Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
        _ => Err(Pkcs11Error::ModuleNotSet),
    }
}

/// Loads and initialises a module, once per process: PKCS#11 allows one
/// `C_Initialize` per application, and every key from the same module
/// shares it.
pub(crate) fn load(path: &Path) -> Result<Pkcs11, Pkcs11Error> {
    if !path.exists() {
        return Err(Pkcs11Error::ModuleNotFound {
            path: path.to_owned(),
        });
    }
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let mut modules = modules();
    if let Some(m) = modules.get(&canonical) {
        return Ok(m.clone());
    }
    let ctx = Pkcs11::new(&canonical).map_err(|e| Pkcs11Error::ModuleLoad {
        path: path.to_owned(),
        detail: match e {
            CkError::LibraryLoading(l) => l.to_string(),
            other => other.to_string(),
        },
    })?;
    // Sessions are used from several threads (one per batch worker): the
    // module must lock with the operating system's primitives.
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(device(&e)),
    }
    modules.insert(canonical, ctx.clone());
    Ok(ctx)
}

/// The modules this process has loaded and initialised, by canonical path.
fn modules() -> std::sync::MutexGuard<'static, HashMap<PathBuf, Pkcs11>> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    MODULES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Tells every module this process loaded that it is done (`C_Finalize`),
/// as PKCS#11 asks an application to before it exits.
///
/// Call it at the very end, once every [`Pkcs11Key`](crate::Pkcs11Key) is
/// dropped and no other thread uses one: a module finalised under a live
/// key makes that key's next call fail. A module left unfinalised cleans
/// up in its own exit-time destructors instead, which some modules
/// (SoftHSM2 with OpenSSL 3) do not survive when other threads are still
/// exiting. A later key loads and initialises the module again.
///
/// ```no_run
/// // … sign with Pkcs11Key values, drop them …
/// attesta_pkcs11::finalize_modules();
/// ```
pub fn finalize_modules() {
    let loaded = std::mem::take(&mut *modules());
    for (_, ctx) in loaded {
        // Nothing useful to do with a module that refuses at exit.
        let _ = ctx.finalize();
    }
}

/// The token a URI selects, with what messages need to name it.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub slot: Slot,
    pub label: String,
    pub login_required: bool,
}

fn describe(label: &str, serial: &str, slot: Slot) -> String {
    format!("\"{label}\" (serial {serial}, slot {})", slot.id())
}

fn matches(want: &Option<String>, have: &str) -> bool {
    want.as_deref().is_none_or(|w| w == have)
}

/// Finds the one initialised token that matches every token and slot
/// attribute of `uri`, and checks the module's library attributes.
pub(crate) fn find(ctx: &Pkcs11, uri: &Pkcs11Uri) -> Result<Token, Pkcs11Error> {
    let lib = ctx.get_library_info().map_err(|e| device(&e))?;
    let lib_ok = matches(&uri.library_manufacturer, lib.manufacturer_id())
        && matches(&uri.library_description, lib.library_description())
        && uri.library_version.is_none_or(|(a, b)| {
            let v = lib.library_version();
            (v.major(), v.minor()) == (a, b)
        });
    let wanted = {
        let mut sel = uri.clone();
        sel.object = None;
        sel.id = None;
        sel.object_type = None;
        sel.to_string()
    };
    let mut seen = Vec::new();
    let mut found = Vec::new();
    for slot in ctx.get_slots_with_token().map_err(|e| device(&e))? {
        let Ok(t) = ctx.get_token_info(slot) else {
            continue;
        };
        if !t.token_initialized() {
            continue;
        }
        let d = describe(t.label(), t.serial_number(), slot);
        seen.push(d.clone());
        let slot_ok = match (
            &uri.slot_description,
            &uri.slot_manufacturer,
            ctx.get_slot_info(slot),
        ) {
            (None, None, _) => true,
            (_, _, Ok(si)) => {
                matches(&uri.slot_description, si.slot_description())
                    && matches(&uri.slot_manufacturer, si.manufacturer_id())
            }
            (_, _, Err(_)) => false,
        };
        if lib_ok
            && slot_ok
            && uri.slot_id.is_none_or(|s| s == slot.id())
            && matches(&uri.token, t.label())
            && matches(&uri.manufacturer, t.manufacturer_id())
            && matches(&uri.model, t.model())
            && matches(&uri.serial, t.serial_number())
        {
            found.push((
                Token {
                    slot,
                    label: t.label().to_owned(),
                    login_required: t.login_required(),
                },
                d,
            ));
        }
    }
    match found.len() {
        1 => Ok(found.remove(0).0),
        0 => Err(Pkcs11Error::TokenNotFound { wanted, seen }),
        _ => Err(Pkcs11Error::TokenAmbiguous {
            wanted,
            seen: found.into_iter().map(|(_, d)| d).collect(),
        }),
    }
}

/// Refuses a token without CKM_EDDSA before asking for anything else.
pub(crate) fn check_eddsa(ctx: &Pkcs11, token: &Token) -> Result<(), Pkcs11Error> {
    let mechs = ctx.get_mechanism_list(token.slot).map_err(|e| device(&e))?;
    if mechs.contains(&MechanismType::EDDSA) {
        Ok(())
    } else {
        Err(Pkcs11Error::NoEddsa {
            token: token.label.clone(),
        })
    }
}

/// A user PIN, wiped from memory when dropped.
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Wraps a PIN read from a file, the environment or a prompt.
    pub fn new(pin: Zeroizing<String>) -> Pin {
        Pin(pin)
    }

    pub(crate) fn auth(&self) -> AuthPin {
        AuthPin::from(self.0.as_str())
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(hidden)")
    }
}

/// Logs the user in on `session` unless the application already is: login
/// state is shared by every session of the process on that token. Makes
/// one attempt, never more, so a wrong PIN costs one try of the token's
/// counter.
pub(crate) fn login(
    ctx: &Pkcs11,
    session: &Session,
    token: &Token,
    pin: Option<&Pin>,
) -> Result<(), Pkcs11Error> {
    if !token.login_required {
        return Ok(());
    }
    let state = session.get_session_info().map_err(|e| device(&e))?;
    if matches!(
        state.session_state(),
        SessionState::RoUser | SessionState::RwUser
    ) {
        return Ok(());
    }
    let info = ctx.get_token_info(token.slot).map_err(|e| device(&e))?;
    if info.user_pin_locked() {
        return Err(Pkcs11Error::PinLocked {
            token: token.label.clone(),
        });
    }
    let pin = match pin {
        Some(p) => p,
        None if info.protected_authentication_path() => {
            // A PIN pad on the device: the module asks for the PIN itself.
            return match session.login(UserType::User, None) {
                Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
                Err(e) => Err(login_error(ctx, token, &e)),
            };
        }
        None => {
            return Err(Pkcs11Error::PinNeeded {
                token: token.label.clone(),
            });
        }
    };
    match session.login(UserType::User, Some(&pin.auth())) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(e) => Err(login_error(ctx, token, &e)),
    }
}

fn login_error(ctx: &Pkcs11, token: &Token, e: &CkError) -> Pkcs11Error {
    match e {
        CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _) => {
            let tries = match ctx.get_token_info(token.slot) {
                Ok(i) if i.user_pin_locked() => {
                    return Pkcs11Error::PinLocked {
                        token: token.label.clone(),
                    };
                }
                Ok(i) if i.user_pin_final_try() => TriesLeft::FinalTry,
                Ok(i) if i.user_pin_count_low() => TriesLeft::Low,
                _ => TriesLeft::Unknown,
            };
            Pkcs11Error::WrongPin {
                token: token.label.clone(),
                tries,
            }
        }
        CkError::Pkcs11(RvError::PinLocked, _) => Pkcs11Error::PinLocked {
            token: token.label.clone(),
        },
        other => device(other),
    }
}
