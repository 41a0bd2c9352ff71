//! PKCS#11 URIs (RFC 7512): which module, token and key object to use.
//!
//! `pkcs11:token=attesta;object=issuer-2026?pin-source=/run/keys/pin`
//! names the private key labelled `issuer-2026` on the token labelled
//! `attesta`, with the user PIN read from a file. Path attributes
//! (`token`, `object`, `id`, …) select; query attributes say how to get
//! there (`module-path`, `pin-source`). Values are percent-encoded.
//!
//! A PIN is never taken from the URI itself: `pin-value=` is refused, since
//! a URI on a command line shows in the process list and shell history.
//!
//! ```
//! use attesta_pkcs11::uri::Pkcs11Uri;
//! let uri: Pkcs11Uri = "pkcs11:token=attesta;object=issuer%202026?pin-source=/run/pin".parse()?;
//! assert_eq!(uri.token.as_deref(), Some("attesta"));
//! assert_eq!(uri.object.as_deref(), Some("issuer 2026"));
//! assert_eq!(uri.pin_source.as_deref(), Some(std::path::Path::new("/run/pin")));
//! assert!("pkcs11:token=attesta;object=k?pin-value=1234".parse::<Pkcs11Uri>().is_err());
//! # Ok::<(), attesta_pkcs11::uri::UriError>(())
//! ```

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// The scheme prefix.
pub const SCHEME: &str = "pkcs11:";

/// Whether `s` is meant as a PKCS#11 URI rather than a file name.
pub fn is_pkcs11_uri(s: &str) -> bool {
    s.get(..SCHEME.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(SCHEME))
}

/// The object class a URI asks for (`type=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectType {
    /// `type=private`
    Private,
    /// `type=public`
    Public,
    /// `type=cert`
    Cert,
    /// `type=secret-key`
    SecretKey,
    /// `type=data`
    Data,
}

impl ObjectType {
    fn name(self) -> &'static str {
        match self {
            ObjectType::Private => "private",
            ObjectType::Public => "public",
            ObjectType::Cert => "cert",
            ObjectType::SecretKey => "secret-key",
            ObjectType::Data => "data",
        }
    }
}

/// A parsed PKCS#11 URI. Unset attributes match anything.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// `token`: the token label.
    pub token: Option<String>,
    /// `manufacturer`: the token manufacturer.
    pub manufacturer: Option<String>,
    /// `model`: the token model.
    pub model: Option<String>,
    /// `serial`: the token serial number.
    pub serial: Option<String>,
    /// `slot-id`: the slot number.
    pub slot_id: Option<u64>,
    /// `slot-description`.
    pub slot_description: Option<String>,
    /// `slot-manufacturer`.
    pub slot_manufacturer: Option<String>,
    /// `library-manufacturer`: the module's manufacturer.
    pub library_manufacturer: Option<String>,
    /// `library-description`: the module's description.
    pub library_description: Option<String>,
    /// `library-version`: `MAJOR` or `MAJOR.MINOR`.
    pub library_version: Option<(u8, u8)>,
    /// `object`: the key's label (CKA_LABEL).
    pub object: Option<String>,
    /// `id`: the key's identifier (CKA_ID), as bytes.
    pub id: Option<Vec<u8>>,
    /// `type`: the object class.
    pub object_type: Option<ObjectType>,
    /// `module-path`: the PKCS#11 library to load.
    pub module_path: Option<PathBuf>,
    /// `pin-source`: a file holding the user PIN (a path or a `file:` URI).
    pub pin_source: Option<PathBuf>,
}

/// A string that is not a usable PKCS#11 URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// Does not start with `pkcs11:`.
    #[error("'{0}' is not a PKCS#11 URI (it must start with pkcs11:)")]
    NotPkcs11(String),
    /// An attribute without `=`.
    #[error(
        "'{0}' in the PKCS#11 URI is not NAME=VALUE; write e.g. pkcs11:token=attesta;object=issuer-2026"
    )]
    NoValue(String),
    /// An attribute this parser does not know.
    #[error(
        "unknown attribute '{0}' in the PKCS#11 URI; use token=, object=, id=, serial=, slot-id= (path) and module-path=, pin-source= (after ?)"
    )]
    Unknown(String),
    /// The same attribute twice.
    #[error("attribute '{0}' appears twice in the PKCS#11 URI; give it once")]
    Repeated(String),
    /// A value that does not parse.
    #[error("bad value for '{name}' in the PKCS#11 URI: {why}")]
    BadValue {
        /// The attribute.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A PIN inside the URI.
    #[error(
        "the PKCS#11 URI holds the PIN (pin-value=): attesta never takes a PIN from the command line, where it shows in the process list and shell history; use pin-source=FILE, the ATTESTA_PKCS11_PIN environment variable, or type it when asked"
    )]
    PinValue,
    /// `pin-source=|program`.
    #[error(
        "pin-source= must name a file; attesta does not run programs to get a PIN (pipe its output to a file with mode 0600, or set ATTESTA_PKCS11_PIN)"
    )]
    PinProgram,
    /// `module-name=`, which needs a p11-kit module registry.
    #[error(
        "module-name= is not supported; give the library itself with module-path=/path/to/module.so or ATTESTA_PKCS11_MODULE"
    )]
    ModuleName,
}

impl UriError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            UriError::PinValue => "pkcs11_pin_in_uri",
            _ => "pkcs11_bad_uri",
        }
    }
}

fn decode(name: &str, raw: &str) -> Result<String, UriError> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| UriError::BadValue {
            name: name.to_owned(),
            why: "not UTF-8 once percent-decoded",
        })
}

fn set<T>(slot: &mut Option<T>, name: &str, v: T) -> Result<(), UriError> {
    if slot.is_some() {
        return Err(UriError::Repeated(name.to_owned()));
    }
    *slot = Some(v);
    Ok(())
}

impl FromStr for Pkcs11Uri {
    type Err = UriError;

    fn from_str(s: &str) -> Result<Self, UriError> {
        if !is_pkcs11_uri(s) {
            return Err(UriError::NotPkcs11(s.chars().take(80).collect()));
        }
        let rest = &s[SCHEME.len()..];
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut u = Pkcs11Uri::default();
        let attrs = path
            .split(';')
            .chain(query.split('&'))
            .filter(|a| !a.is_empty());
        for attr in attrs {
            let (name, raw) = attr
                .split_once('=')
                .ok_or_else(|| UriError::NoValue(attr.to_owned()))?;
            let name = name.trim().to_ascii_lowercase();
            let n = name.as_str();
            match n {
                "token" => set(&mut u.token, n, decode(n, raw)?)?,
                "manufacturer" => set(&mut u.manufacturer, n, decode(n, raw)?)?,
                "model" => set(&mut u.model, n, decode(n, raw)?)?,
                "serial" => set(&mut u.serial, n, decode(n, raw)?)?,
                "slot-description" => set(&mut u.slot_description, n, decode(n, raw)?)?,
                "slot-manufacturer" => set(&mut u.slot_manufacturer, n, decode(n, raw)?)?,
                "library-manufacturer" => set(&mut u.library_manufacturer, n, decode(n, raw)?)?,
                "library-description" => set(&mut u.library_description, n, decode(n, raw)?)?,
                "object" => set(&mut u.object, n, decode(n, raw)?)?,
                "id" => set(&mut u.id, n, percent_decode_str(raw).collect())?,
                "slot-id" => {
                    let v = decode(n, raw)?.parse().map_err(|_| UriError::BadValue {
                        name: name.clone(),
                        why: "not a decimal slot number",
                    })?;
                    set(&mut u.slot_id, n, v)?
                }
                "library-version" => {
                    let v = decode(n, raw)?;
                    let bad = || UriError::BadValue {
                        name: name.clone(),
                        why: "not MAJOR or MAJOR.MINOR",
                    };
                    let (maj, min) = v.split_once('.').unwrap_or((&v, "0"));
                    let v = (
                        maj.parse().map_err(|_| bad())?,
                        min.parse().map_err(|_| bad())?,
                    );
                    set(&mut u.library_version, n, v)?
                }
                "type" => {
                    let t = match decode(n, raw)?.as_str() {
                        "private" => ObjectType::Private,
                        "public" => ObjectType::Public,
                        "cert" => ObjectType::Cert,
                        "secret-key" => ObjectType::SecretKey,
                        "data" => ObjectType::Data,
                        _ => {
                            return Err(UriError::BadValue {
                                name,
                                why: "not private, public, cert, secret-key or data",
                            });
                        }
                    };
                    set(&mut u.object_type, n, t)?
                }
                // RFC 7512 puts these in the query; they are accepted in
                // the path too, where people also write them.
                "module-path" => set(&mut u.module_path, n, PathBuf::from(decode(n, raw)?))?,
                "pin-source" => {
                    let v = decode(n, raw)?;
                    if v.starts_with('|') {
                        return Err(UriError::PinProgram);
                    }
                    let path = v
                        .strip_prefix("file://")
                        .or_else(|| v.strip_prefix("file:"))
                        .unwrap_or(&v);
                    if path.is_empty() {
                        return Err(UriError::BadValue {
                            name,
                            why: "empty file name",
                        });
                    }
                    set(&mut u.pin_source, n, PathBuf::from(path))?
                }
                "pin-value" => return Err(UriError::PinValue),
                "module-name" => return Err(UriError::ModuleName),
                _ if n.starts_with("x-") => {} // vendor attributes: ignored
                _ => return Err(UriError::Unknown(name)),
            }
        }
        Ok(u)
    }
}

/// Characters written percent-encoded in values: RFC 7512 `pk-char` keeps
/// unreserved characters and a few sub-delims as they are.
const ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b';')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'&');

/// The selecting part of the URI (no module path, no PIN source), as one
/// would type it: what messages show.
impl fmt::Display for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let mut text = |n: &str, v: &Option<String>| {
            if let Some(v) = v {
                parts.push(format!("{n}={}", utf8_percent_encode(v, ENCODE)));
            }
        };
        text("token", &self.token);
        text("manufacturer", &self.manufacturer);
        text("model", &self.model);
        text("serial", &self.serial);
        text("slot-description", &self.slot_description);
        text("slot-manufacturer", &self.slot_manufacturer);
        text("library-manufacturer", &self.library_manufacturer);
        text("library-description", &self.library_description);
        text("object", &self.object);
        if let Some(s) = self.slot_id {
            parts.push(format!("slot-id={s}"));
        }
        if let Some((a, b)) = self.library_version {
            parts.push(format!("library-version={a}.{b}"));
        }
        if let Some(id) = &self.id {
            let hex: String = id.iter().map(|b| format!("%{b:02x}")).collect();
            parts.push(format!("id={hex}"));
        }
        if let Some(t) = self.object_type {
            parts.push(format!("type={}", t.name()));
        }
        write!(f, "{SCHEME}{}", parts.join(";"))
    }
}

impl fmt::Debug for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pkcs11Uri({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Pkcs11Uri, UriError> {
        s.parse()
    }

    #[test]
    fn rfc7512_examples() {
        // Examples from RFC 7512 section 3.3.
        let u = p("pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=").unwrap();
        assert_eq!(u.token.as_deref(), Some("The Software PKCS#11 Softtoken"));
        assert_eq!(u.manufacturer.as_deref(), Some("Snake Oil, Inc."));
        assert_eq!(u.object_type, Some(ObjectType::Cert));
        assert_eq!(
            u.id.as_deref(),
            Some(&[0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91][..])
        );
        assert_eq!(u.serial.as_deref(), Some(""));
        let u = p("pkcs11:object=my-pubkey;type=public").unwrap();
        assert_eq!(u.object.as_deref(), Some("my-pubkey"));
        let u = p("pkcs11:slot-description=Sun%20Metaslot").unwrap();
        assert_eq!(u.slot_description.as_deref(), Some("Sun Metaslot"));
        let u = p("pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-source=file:/etc/token_pin").unwrap();
        assert_eq!(
            u.pin_source.as_deref(),
            Some(std::path::Path::new("/etc/token_pin"))
        );
        let u = p("pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1.23").unwrap();
        assert_eq!(u.library_version, Some((1, 23)));
        let u = p("pkcs11:token=my-token;object=my-key?module-path=/mnt/libmypkcs11.so.1").unwrap();
        assert_eq!(
            u.module_path.as_deref(),
            Some(std::path::Path::new("/mnt/libmypkcs11.so.1"))
        );
        assert_eq!(p("pkcs11:").unwrap(), Pkcs11Uri::default());
        assert!(p("pkcs11:x-vendor=1;token=a").is_ok());
    }

    #[test]
    fn bad_uris_are_named() {
        assert_eq!(
            p("token=a").unwrap_err(),
            UriError::NotPkcs11("token=a".into())
        );
        assert_eq!(
            p("pkcs11:token=a;object=b?pin-value=123456").unwrap_err(),
            UriError::PinValue
        );
        assert_eq!(
            p("pkcs11:pin-value=1").unwrap_err().code(),
            "pkcs11_pin_in_uri"
        );
        assert_eq!(
            p("pkcs11:token=a;token=b").unwrap_err(),
            UriError::Repeated("token".into())
        );
        assert_eq!(
            p("pkcs11:tokn=a").unwrap_err(),
            UriError::Unknown("tokn".into())
        );
        assert_eq!(
            p("pkcs11:token").unwrap_err(),
            UriError::NoValue("token".into())
        );
        assert!(matches!(
            p("pkcs11:slot-id=abc"),
            Err(UriError::BadValue { .. })
        ));
        assert!(matches!(
            p("pkcs11:type=key"),
            Err(UriError::BadValue { .. })
        ));
        assert_eq!(
            p("pkcs11:?pin-source=|cat pin").unwrap_err(),
            UriError::PinProgram
        );
        assert_eq!(
            p("pkcs11:?module-name=softhsm2").unwrap_err(),
            UriError::ModuleName
        );
        assert!(matches!(
            p("pkcs11:object=%ff"),
            Err(UriError::BadValue { .. })
        ));
    }

    #[test]
    fn pin_source_and_module_path_also_in_the_path() {
        let u = p("pkcs11:token=attesta;object=issuer-2026;pin-source=/run/pin;module-path=/usr/lib/softhsm/libsofthsm2.so").unwrap();
        assert_eq!(
            u.pin_source.as_deref(),
            Some(std::path::Path::new("/run/pin"))
        );
        assert!(u.module_path.is_some());
        let u = p("PKCS11:token=a?pin-source=file:///run/pin").unwrap();
        assert_eq!(
            u.pin_source.as_deref(),
            Some(std::path::Path::new("/run/pin"))
        );
    }

    #[test]
    fn display_round_trips_the_selection_without_secrets_or_paths() {
        let s = "pkcs11:token=my%20token;object=issuer-2026;id=%01%ff;type=private";
        let u = p(&format!("{s}?pin-source=/run/pin")).unwrap();
        assert_eq!(u.to_string(), s);
        assert_eq!(p(&u.to_string()).unwrap().id, u.id);
        assert!(is_pkcs11_uri("pkcs11:token=a"));
        assert!(!is_pkcs11_uri("pkcs11.key"));
        assert!(!is_pkcs11_uri("pk"));
    }
}
