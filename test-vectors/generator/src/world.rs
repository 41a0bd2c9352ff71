//! The fixed inputs every vector shares: times, CFs, keys known by their
//! seeds, the `World` of issuers, roots and operators, and the trust and
//! status list fixtures signed with them.

use attesta_core::keys::{Kid, SigningKey};
use attesta_core::operator_key::{OperatorPublicKey, OperatorSecretKey};
use attesta_core::status_list::{CredentialStatus, StatusBits, StatusList, StatusListToken};
use attesta_core::trust_list::{IssuerEntry, OperatorEntry, TrustList};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// The holder's CF in most vectors (the classic example code).
pub(crate) const CF: &str = "RSSMRA85T10A562S";
/// Another valid CF (the Italian Wikipedia example).
pub(crate) const OTHER_CF: &str = "MRTMTT25D09F205Z";

/// Credential `iat` of most vectors.
pub(crate) const IAT: &str = "2026-11-01T00:00:00Z";
/// One year later: `exp` of most vectors.
pub(crate) const EXP: &str = "2027-11-01T00:00:00Z";
/// Verification time of most vectors.
pub(crate) const VERIFY_AT: &str = "2026-11-15T00:00:00Z";
/// The default trust list is issued at this time and expires 30 days later.
pub(crate) const TL_IAT: &str = "2026-11-10T00:00:00Z";
pub(crate) const TL_EXP: &str = "2026-12-10T00:00:00Z";
/// Status lists are issued the day before verification.
pub(crate) const SL_IAT: &str = "2026-11-14T00:00:00Z";

/// The main issuer id and a second trusted issuer.
pub(crate) const INPS: &str = "INPS";
pub(crate) const ASL: &str = "ASL-BO";

pub(crate) fn ts(s: &str) -> Timestamp {
    s.parse().expect("fixed timestamp")
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A key known by its seed, so it can be written into the vector.
#[derive(Clone, Copy)]
pub(crate) struct Key {
    pub(crate) role: &'static str,
    pub(crate) seed: [u8; 32],
}

impl Key {
    pub(crate) fn sk(&self) -> SigningKey {
        SigningKey::from_seed(&self.seed)
    }
    pub(crate) fn kid(&self) -> Kid {
        self.sk().kid()
    }
    pub(crate) fn pem(&self) -> String {
        self.sk().public_key().to_pem()
    }
}

pub(crate) struct World {
    pub(crate) root: Key,
    pub(crate) other_root: Key,
    pub(crate) inps: Key,
    /// INPS's second key, after a key rotation (issuer guide §2.5).
    pub(crate) inps2: Key,
    pub(crate) asl: Key,
    pub(crate) stranger: Key,
    pub(crate) compromised: Key,
    pub(crate) col_a: Key,
    pub(crate) col_b: Key,
    /// Accredited operator `comune-bo`: most tokens are addressed to it.
    pub(crate) op_a: OpKey,
    /// Accredited operator `tper-bo`.
    pub(crate) op_b: OpKey,
    /// An X25519 key accredited nowhere.
    pub(crate) op_stranger: OpKey,
}

impl World {
    pub(crate) fn new() -> Self {
        // Two seeds whose public keys share a 4-byte kid, found by a birthday
        // search over sha256("attesta test vectors kid collision N").
        let col = |n: u32| sha256(format!("attesta test vectors kid collision {n}").as_bytes());
        let w = World {
            root: Key {
                role: "root",
                seed: [0x11; 32],
            },
            other_root: Key {
                role: "other root (not pinned by the verifier)",
                seed: [0x12; 32],
            },
            inps: Key {
                role: "issuer INPS",
                seed: [0x22; 32],
            },
            inps2: Key {
                role: "issuer INPS, second key (after a rotation)",
                seed: [0x23; 32],
            },
            asl: Key {
                role: "issuer ASL-BO",
                seed: [0x33; 32],
            },
            stranger: Key {
                role: "untrusted key (in no trust list)",
                seed: [0x44; 32],
            },
            compromised: Key {
                role: "compromised key (denied)",
                seed: [0x66; 32],
            },
            col_a: Key {
                role: "issuer INPS, key A (its kid collides with key B)",
                seed: col(82065),
            },
            col_b: Key {
                role: "issuer INPS, key B (its kid collides with key A)",
                seed: col(150427),
            },
            op_a: OpKey { secret: [0x77; 32] },
            op_b: OpKey { secret: [0x78; 32] },
            op_stranger: OpKey { secret: [0x79; 32] },
        };
        assert_eq!(w.col_a.kid(), w.col_b.kid(), "the kid collision seeds");
        assert_ne!(w.col_a.pem(), w.col_b.pem());
        w
    }
}

// ---------------------------------------------------------------------------
// Trust lists and status lists
// ---------------------------------------------------------------------------

pub(crate) fn issuer_entry(
    id: &str,
    k: &Key,
    from: Option<&str>,
    until: Option<&str>,
) -> IssuerEntry {
    IssuerEntry {
        id: id.to_owned(),
        key: k.sk().public_key(),
        valid_from: from.map(ts),
        valid_until: until.map(ts),
    }
}

/// Sequence 1: INPS and ASL-BO, no windows, nothing denied.
pub(crate) fn base_list(w: &World) -> TrustList {
    TrustList {
        seq: 1,
        issuers: vec![
            issuer_entry(INPS, &w.inps, None, None),
            issuer_entry(ASL, &w.asl, None, None),
        ],
        ..TrustList::default()
    }
}

pub(crate) fn sign_list(list: &TrustList, root: &Key, iat: &str, exp: &str) -> Vec<u8> {
    list.sign(&root.sk(), ts(iat), ts(exp))
}

pub(crate) fn default_trust(w: &World) -> Vec<u8> {
    sign_list(&base_list(w), &w.root, TL_IAT, TL_EXP)
}

pub(crate) struct SlSpec<'a> {
    pub(crate) signer: &'a Key,
    pub(crate) uri: &'a str,
    pub(crate) iat: &'a str,
    pub(crate) exp: Option<&'a str>,
    pub(crate) bits: StatusBits,
    pub(crate) capacity: u64,
    pub(crate) entries: &'a [(u64, CredentialStatus)],
}

impl SlSpec<'_> {
    pub(crate) fn sign(&self) -> Vec<u8> {
        let mut list = StatusList::new(self.capacity, self.bits).expect("capacity");
        for (i, s) in self.entries {
            list.set(*i, *s).expect("entry");
        }
        let mut t = StatusListToken::new(self.uri, ts(self.iat), list);
        t.expires_at = self.exp.map(ts);
        t.ttl = std::num::NonZeroU64::new(86_400);
        t.sign(&self.signer.sk())
    }
}

/// INPS's list "1": 1024 one-bit entries, a few revoked (never 17 or 42).
pub(crate) fn inps_list_1(w: &World) -> SlSpec<'_> {
    SlSpec {
        signer: &w.inps,
        uri: "1",
        iat: SL_IAT,
        exp: None,
        bits: StatusBits::One,
        capacity: 1024,
        entries: &[
            (3, CredentialStatus::Revoked),
            (77, CredentialStatus::Revoked),
            (500, CredentialStatus::Revoked),
        ],
    }
}

/// The verifier's pinned root in every vector.
pub(crate) const WORLD_ROOT: Key = Key {
    role: "root",
    seed: [0x11; 32],
};

// ---------------------------------------------------------------------------
// Operators: the audiences of second-level tokens
// ---------------------------------------------------------------------------

/// The accredited operators of the second-level trust list.
pub(crate) const OP_A: &str = "comune-bo";
pub(crate) const OP_B: &str = "tper-bo";
/// Token `iat` and `exp` of most second-level vectors (30 days).
pub(crate) const L2_IAT: &str = "2026-11-12T00:00:00Z";
pub(crate) const L2_EXP: &str = "2026-12-12T00:00:00Z";

/// An operator's X25519 key known by its secret, written into the vector.
#[derive(Clone, Copy)]
pub(crate) struct OpKey {
    pub(crate) secret: [u8; 32],
}

impl OpKey {
    pub(crate) fn sk(&self) -> OperatorSecretKey {
        OperatorSecretKey::from_bytes(&self.secret).expect("x25519 secret")
    }
    pub(crate) fn public(&self) -> OperatorPublicKey {
        self.sk().public_key()
    }
    pub(crate) fn public_hex(&self) -> String {
        hex::encode(self.public().to_bytes())
    }
}

pub(crate) fn operator_entry(
    id: &str,
    name: &str,
    k: &OpKey,
    from: Option<&str>,
    until: Option<&str>,
) -> OperatorEntry {
    OperatorEntry {
        id: id.to_owned(),
        name: name.to_owned(),
        sealing_key: k.public().to_bytes(),
        valid_from: from.map(ts),
        valid_until: until.map(ts),
    }
}

/// The default list (INPS, ASL-BO) plus the operators comune-bo and tper-bo.
pub(crate) fn l2_list(w: &World) -> TrustList {
    let mut list = base_list(w);
    list.operators = vec![
        operator_entry(OP_A, "Comune di Bologna", &w.op_a, None, None),
        operator_entry(
            OP_B,
            "TPER, trasporto pubblico di Bologna",
            &w.op_b,
            None,
            None,
        ),
    ];
    list
}

pub(crate) fn l2_trust(w: &World) -> Vec<u8> {
    sign_list(&l2_list(w), &w.root, TL_IAT, TL_EXP)
}
