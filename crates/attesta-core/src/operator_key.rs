//! Operator sealing keys: X25519 for HPKE (RFC 9180), in standard files.
//!
//! The private key is PKCS#8 (RFC 8410, OID 1.3.101.110), optionally
//! passphrase-encrypted with PKCS#5 PBES2 like the signing keys; the public
//! key is SubjectPublicKeyInfo PEM. OpenSSL reads both
//! (`openssl pkey -in op.key -text`).

use std::fmt;

use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, Serializable};
use pkcs8::der::pem::{self, LineEnding};
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use zeroize::{Zeroize, Zeroizing};

use crate::keys::KeyError;

// RFC 8410 encodings with the X25519 OID; the key bytes follow.
const PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
];
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
];

/// An operator's public sealing key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperatorPublicKey([u8; 32]);

impl OperatorPublicKey {
    /// From the raw 32 bytes.
    pub fn from_bytes(b: [u8; 32]) -> Self {
        OperatorPublicKey(b)
    }
    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }
    /// Reads a SubjectPublicKeyInfo PEM with the X25519 OID.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        if text.contains("PRIVATE KEY-----") {
            return Err(KeyError::PrivateWherePublicExpected);
        }
        let (label, der) =
            pem::decode_vec(text.trim().as_bytes()).map_err(|_| KeyError::NotPem {
                expected: "PUBLIC KEY",
            })?;
        if label != "PUBLIC KEY" {
            return Err(KeyError::NotPem {
                expected: "PUBLIC KEY",
            });
        }
        let key = der
            .strip_prefix(&SPKI_PREFIX)
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .ok_or(KeyError::NotX25519)?;
        Ok(OperatorPublicKey(key))
    }
    /// SubjectPublicKeyInfo PEM.
    pub fn to_pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.0);
        pem::encode_string("PUBLIC KEY", LineEnding::LF, &der).unwrap_or_default()
    }
    pub(crate) fn hpke(&self) -> Result<<X25519HkdfSha256 as Kem>::PublicKey, KeyError> {
        <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(&self.0).map_err(|_| KeyError::NotX25519)
    }
}

impl fmt::Debug for OperatorPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OperatorPublicKey({})", hex::encode(self.0))
    }
}

/// An operator's private sealing key. Zeroized on drop; never printed.
pub struct OperatorSecretKey {
    secret: Zeroizing<[u8; 32]>,
    public: OperatorPublicKey,
}

impl OperatorSecretKey {
    /// A new random key.
    pub fn generate() -> Self {
        let (sk, pk) = X25519HkdfSha256::gen_keypair();
        let mut secret = Zeroizing::new([0u8; 32]);
        let mut bytes = sk.to_bytes();
        secret.copy_from_slice(&bytes);
        bytes.as_mut_slice().zeroize();
        OperatorSecretKey {
            secret,
            public: OperatorPublicKey(pk.to_bytes().into()),
        }
    }

    /// From raw secret bytes (test vectors).
    pub fn from_bytes(b: &[u8; 32]) -> Result<Self, KeyError> {
        let sk = <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(b)
            .map_err(|_| KeyError::NotX25519)?;
        let pk = X25519HkdfSha256::sk_to_pk(&sk);
        Ok(OperatorSecretKey {
            secret: Zeroizing::new(*b),
            public: OperatorPublicKey(pk.to_bytes().into()),
        })
    }

    /// The public half.
    pub fn public_key(&self) -> OperatorPublicKey {
        self.public
    }

    pub(crate) fn hpke(&self) -> Result<<X25519HkdfSha256 as Kem>::PrivateKey, KeyError> {
        <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(self.secret.as_ref())
            .map_err(|_| KeyError::NotX25519)
    }

    /// PKCS#8 PEM, encrypted when a passphrase is given.
    pub fn to_pkcs8_pem(&self, passphrase: Option<&[u8]>) -> Result<Zeroizing<String>, KeyError> {
        let mut der = Zeroizing::new(PKCS8_PREFIX.to_vec());
        der.extend_from_slice(self.secret.as_ref());
        match passphrase {
            None => pem::encode_string("PRIVATE KEY", LineEnding::LF, &der)
                .map(Zeroizing::new)
                .map_err(|_| KeyError::Encode),
            Some(p) => {
                let info =
                    PrivateKeyInfoRef::try_from(der.as_slice()).map_err(|_| KeyError::Encode)?;
                let enc = info.encrypt(p).map_err(|_| KeyError::Encode)?;
                pem::encode_string("ENCRYPTED PRIVATE KEY", LineEnding::LF, enc.as_bytes())
                    .map(Zeroizing::new)
                    .map_err(|_| KeyError::Encode)
            }
        }
    }

    /// Reads PKCS#8 PEM (encrypted or not).
    pub fn from_pkcs8_pem(text: &str, passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        if text.contains("-----BEGIN PUBLIC KEY-----") {
            return Err(KeyError::PublicWherePrivateExpected);
        }
        let (label, der) =
            pem::decode_vec(text.trim().as_bytes()).map_err(|_| KeyError::NotPem {
                expected: "PRIVATE KEY",
            })?;
        let der = Zeroizing::new(der);
        let plain: Zeroizing<Vec<u8>> = match label {
            "PRIVATE KEY" => der.clone(),
            "ENCRYPTED PRIVATE KEY" => {
                let pass = passphrase.ok_or(KeyError::PassphraseNeeded)?;
                crate::keys::check_encryption_cost(&der)?;
                let enc = EncryptedPrivateKeyInfoRef::try_from(der.as_slice())
                    .map_err(|_| KeyError::NotX25519)?;
                Zeroizing::new(
                    enc.decrypt(pass)
                        .map_err(|_| KeyError::WrongPassphrase)?
                        .as_bytes()
                        .to_vec(),
                )
            }
            _ => {
                return Err(KeyError::NotPem {
                    expected: "PRIVATE KEY",
                });
            }
        };
        let key = plain
            .strip_prefix(&PKCS8_PREFIX)
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .map(Zeroizing::new)
            .ok_or(KeyError::NotX25519)?;
        Self::from_bytes(&key)
    }
}

impl fmt::Debug for OperatorSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OperatorSecretKey(public {:?}, private part hidden)",
            self.public
        )
    }
}

/// Whether a PEM text is an X25519 operator key (public or private, unencrypted).
pub fn is_operator_key_pem(text: &str) -> bool {
    pem::decode_vec(text.trim().as_bytes())
        .map(|(_, der)| der.starts_with(&PKCS8_PREFIX[..12]) || der.starts_with(&SPKI_PREFIX[..9]))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trips() {
        let k = OperatorSecretKey::generate();
        let pem = k.to_pkcs8_pem(None).unwrap();
        assert!(is_operator_key_pem(&pem));
        let back = OperatorSecretKey::from_pkcs8_pem(&pem, None).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        let enc = k.to_pkcs8_pem(Some(b"pw")).unwrap();
        assert_eq!(
            OperatorSecretKey::from_pkcs8_pem(&enc, None).err(),
            Some(KeyError::PassphraseNeeded)
        );
        assert_eq!(
            OperatorSecretKey::from_pkcs8_pem(&enc, Some(b"no")).err(),
            Some(KeyError::WrongPassphrase)
        );
        assert_eq!(
            OperatorSecretKey::from_pkcs8_pem(&enc, Some(b"pw"))
                .unwrap()
                .public_key(),
            k.public_key()
        );
        let pubpem = k.public_key().to_pem();
        assert!(is_operator_key_pem(&pubpem));
        assert_eq!(
            OperatorPublicKey::from_pem(&pubpem).unwrap(),
            k.public_key()
        );
        // An Ed25519 key is not an operator key.
        let ed = crate::keys::SigningKey::from_seed(&[1; 32]);
        assert!(!is_operator_key_pem(&ed.public_key().to_pem()));
        assert_eq!(
            OperatorPublicKey::from_pem(&ed.public_key().to_pem()).err(),
            Some(KeyError::NotX25519)
        );
    }
}
