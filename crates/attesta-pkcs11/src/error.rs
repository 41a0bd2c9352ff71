//! Why a key in a token cannot be opened, generated or used: each error
//! says what is wrong and what to do, and has a stable [`Pkcs11Error::code`].

use std::path::PathBuf;

use crate::uri::UriError;

/// How many PIN tries the token says are left after a wrong PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriesLeft {
    /// The token does not say (most do not count down in their flags).
    Unknown,
    /// `CKF_USER_PIN_COUNT_LOW`: an incorrect PIN was entered recently.
    Low,
    /// `CKF_USER_PIN_FINAL_TRY`: one more wrong PIN locks it.
    FinalTry,
}

impl TriesLeft {
    fn describe(self) -> &'static str {
        match self {
            TriesLeft::Unknown => "the token does not report how many tries are left",
            TriesLeft::Low => "the token reports that few tries are left",
            TriesLeft::FinalTry => {
                "the token reports ONE try left: another wrong PIN locks it (only the security officer can unlock it)"
            }
        }
    }
}

/// A PKCS#11 key that cannot be opened, generated or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The URI does not parse.
    #[error(transparent)]
    Uri(#[from] UriError),
    /// Neither `module-path=` nor the environment names a module.
    #[error(
        "no PKCS#11 module given: set ATTESTA_PKCS11_MODULE to the HSM vendor's PKCS#11 library (SoftHSM2 on Debian: /usr/lib/softhsm/libsofthsm2.so), or add ?module-path=/path/to/module.so to the URI"
    )]
    ModuleNotSet,
    /// The module file does not exist.
    #[error(
        "the PKCS#11 module {} does not exist; install the HSM vendor's PKCS#11 library (SoftHSM2: apt-get install softhsm2), or correct ATTESTA_PKCS11_MODULE / module-path=",
        path.display()
    )]
    ModuleNotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The module exists but is not a loadable PKCS#11 library.
    #[error(
        "cannot load {} as a PKCS#11 module ({detail}); give the vendor's PKCS#11 .so file (not a configuration file or a tool)",
        path.display()
    )]
    ModuleLoad {
        /// The path given.
        path: PathBuf,
        /// The loader's message.
        detail: String,
    },
    /// No token matches the URI.
    #[error("no token matches {wanted}; {}", seen_tokens(seen))]
    TokenNotFound {
        /// The URI's token selection.
        wanted: String,
        /// Tokens the module shows, as `label (serial …)`.
        seen: Vec<String>,
    },
    /// Several tokens match the URI.
    #[error(
        "several tokens match {wanted} ({}); add serial= or slot-id= to the URI to choose one",
        seen.join(", ")
    )]
    TokenAmbiguous {
        /// The URI's token selection.
        wanted: String,
        /// The matching tokens.
        seen: Vec<String>,
    },
    /// The token does not offer CKM_EDDSA.
    #[error(
        "token \"{token}\" does not offer CKM_EDDSA (Ed25519 signatures), the only algorithm attesta signs with; use an HSM or firmware with PKCS#11 3.0 EdDSA support (SoftHSM2 2.6 has it)"
    )]
    NoEddsa {
        /// The token label.
        token: String,
    },
    /// The token needs a PIN and none was given.
    #[error(
        "token \"{token}\" needs the user PIN: add ?pin-source=FILE to the URI, set ATTESTA_PKCS11_PIN, or run the command on a terminal to be asked"
    )]
    PinNeeded {
        /// The token label.
        token: String,
    },
    /// The PIN was refused.
    #[error(
        "wrong PIN for token \"{token}\"; {}. Check the PIN source (pin-source=, ATTESTA_PKCS11_PIN) before trying again",
        tries.describe()
    )]
    WrongPin {
        /// The token label.
        token: String,
        /// What the token says about tries left.
        tries: TriesLeft,
    },
    /// The PIN is locked.
    #[error(
        "the user PIN of token \"{token}\" is locked after too many wrong tries; the token's security officer must unlock it (softhsm2-util / the vendor's tool) before anyone can sign"
    )]
    PinLocked {
        /// The token label.
        token: String,
    },
    /// No private key matches the URI.
    #[error(
        "no private key matching {wanted} on token \"{token}\"; {}",
        seen_keys(seen)
    )]
    ObjectNotFound {
        /// The token label.
        token: String,
        /// The URI's object selection.
        wanted: String,
        /// Private key labels seen on the token.
        seen: Vec<String>,
    },
    /// Several private keys match.
    #[error(
        "{count} private keys match {wanted} on token \"{token}\"; add id= to the URI to choose one"
    )]
    ObjectAmbiguous {
        /// The token label.
        token: String,
        /// The URI's object selection.
        wanted: String,
        /// How many matched.
        count: usize,
    },
    /// The URI asks for an object that is not a private key.
    #[error(
        "the URI asks for type={found}, but signing needs the private key: drop type= or write type=private"
    )]
    NotPrivateKeyType {
        /// The type asked for.
        found: &'static str,
    },
    /// The key is not Ed25519.
    #[error(
        "key \"{object}\" is {found}, not Ed25519; attesta signs only with Ed25519: create a key with `attesta keygen --pkcs11 URI`"
    )]
    NotEd25519 {
        /// The key's label.
        object: String,
        /// What it is.
        found: String,
    },
    /// The key may not sign (CKA_SIGN false).
    #[error(
        "key \"{object}\" is not allowed to sign on this token (CKA_SIGN is false); use a key created for signing"
    )]
    KeyCannotSign {
        /// The key's label.
        object: String,
    },
    /// No public key to compute the kid from.
    #[error(
        "the token has no public key object for \"{object}\" (same label/id) and the private key does not expose its public key; import the public half next to it (e.g. `pkcs11-tool --write-object FILE.pub --type pubkey --label {object}`)"
    )]
    PublicKeyNotFound {
        /// The key's label.
        object: String,
    },
    /// The public key object does not belong to the private key.
    #[error(
        "the public key object labelled \"{object}\" does not belong to the private key with that label (a test signature does not verify); the kid would be wrong: fix the objects on the token (labels/ids)"
    )]
    KeyMismatch {
        /// The key's label.
        object: String,
    },
    /// `keygen` would overwrite.
    #[error(
        "token \"{token}\" already holds a key labelled \"{object}\"; keys are never overwritten: choose another object= (e.g. issuer-2027)"
    )]
    ObjectExists {
        /// The token label.
        token: String,
        /// The label.
        object: String,
    },
    /// `keygen` needs a label.
    #[error(
        "the URI names no object=LABEL for the new key; write e.g. pkcs11:token=attesta;object=issuer-2026"
    )]
    NoObjectLabel,
    /// Anything else the module reports.
    #[error(
        "the PKCS#11 module failed in {operation} ({ckr}); check the HSM (its logs, its connection, free space) and try again"
    )]
    Device {
        /// The PKCS#11 function.
        operation: String,
        /// The return value's name (`CKR_…`).
        ckr: String,
    },
}

fn seen_tokens(seen: &[String]) -> String {
    if seen.is_empty() {
        "the module shows no initialised token at all: create one (SoftHSM2: softhsm2-util --init-token --free --label attesta) or check that the HSM is connected".to_owned()
    } else {
        format!(
            "tokens seen: {}; correct token= in the URI",
            seen.join(", ")
        )
    }
}

fn seen_keys(seen: &[String]) -> String {
    if seen.is_empty() {
        "the token holds no private key visible after login: create one with `attesta keygen --pkcs11 URI`".to_owned()
    } else {
        format!(
            "private keys on it: {}; correct object= (or id=) in the URI",
            seen.join(", ")
        )
    }
}

impl Pkcs11Error {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Pkcs11Error::Uri(e) => e.code(),
            Pkcs11Error::ModuleNotSet => "pkcs11_module_not_set",
            Pkcs11Error::ModuleNotFound { .. } => "pkcs11_module_not_found",
            Pkcs11Error::ModuleLoad { .. } => "pkcs11_module_load_failed",
            Pkcs11Error::TokenNotFound { .. } => "pkcs11_token_not_found",
            Pkcs11Error::TokenAmbiguous { .. } => "pkcs11_token_ambiguous",
            Pkcs11Error::NoEddsa { .. } => "pkcs11_no_eddsa",
            Pkcs11Error::PinNeeded { .. } => "pkcs11_pin_needed",
            Pkcs11Error::WrongPin { .. } => "pkcs11_wrong_pin",
            Pkcs11Error::PinLocked { .. } => "pkcs11_pin_locked",
            Pkcs11Error::ObjectNotFound { .. } => "pkcs11_object_not_found",
            Pkcs11Error::ObjectAmbiguous { .. } => "pkcs11_object_ambiguous",
            Pkcs11Error::NotPrivateKeyType { .. } => "pkcs11_not_private_key",
            Pkcs11Error::NotEd25519 { .. } => "pkcs11_not_ed25519",
            Pkcs11Error::KeyCannotSign { .. } => "pkcs11_key_cannot_sign",
            Pkcs11Error::PublicKeyNotFound { .. } => "pkcs11_public_key_not_found",
            Pkcs11Error::KeyMismatch { .. } => "pkcs11_key_mismatch",
            Pkcs11Error::ObjectExists { .. } => "pkcs11_object_exists",
            Pkcs11Error::NoObjectLabel => "pkcs11_no_object_label",
            Pkcs11Error::Device { .. } => "pkcs11_device_error",
        }
    }
}

/// `CKR_PIN_INCORRECT` from cryptoki's `PinIncorrect`.
pub(crate) fn ckr_name(rv: cryptoki::error::RvError) -> String {
    let camel = format!("{rv:?}");
    let mut s = String::from("CKR");
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            s.push('_');
        }
        s.push(c.to_ascii_uppercase());
    }
    s
}

/// A cryptoki error as a [`Pkcs11Error::Device`].
pub(crate) fn device(e: &cryptoki::error::Error) -> Pkcs11Error {
    match e {
        cryptoki::error::Error::Pkcs11(rv, f) => Pkcs11Error::Device {
            operation: format!("{f}"),
            ckr: ckr_name(*rv),
        },
        other => Pkcs11Error::Device {
            operation: "a call".to_owned(),
            ckr: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ckr_names() {
        use cryptoki::error::RvError;
        assert_eq!(ckr_name(RvError::PinIncorrect), "CKR_PIN_INCORRECT");
        assert_eq!(
            ckr_name(RvError::SessionHandleInvalid),
            "CKR_SESSION_HANDLE_INVALID"
        );
    }

    #[test]
    fn messages_say_what_to_do() {
        let e = Pkcs11Error::TokenNotFound {
            wanted: "token=atesta".into(),
            seen: vec!["\"attesta\" (serial 1234)".into()],
        };
        assert!(e.to_string().contains("tokens seen: \"attesta\""));
        let e = Pkcs11Error::WrongPin {
            token: "attesta".into(),
            tries: TriesLeft::FinalTry,
        };
        assert!(e.to_string().contains("ONE try left"));
        assert_eq!(e.code(), "pkcs11_wrong_pin");
    }
}
