//! Revocation through IETF Token Status Lists (draft-ietf-oauth-status-list),
//! in their CWT form.
//!
//! Every first-level credential names an entry of one of its issuer's lists
//! (`status: {"status_list": {"idx": N, "uri": U}}`, see
//! [`crate::claims::StatusRef`]). The issuer publishes each list as a
//! Status List Token: a COSE_Sign1 with content type
//! [`MEDIA_TYPE`], whose claims are `sub` = U, `iat`, optionally `exp` and
//! `ttl`, and `status_list` = `{"bits": 1 or 2, "lst": zlib(bitstring)}`.
//! A verifier downloads the token once and then answers offline, in O(1),
//! for every credential that points into it.
//!
//! The pieces:
//!
//! * [`StatusList`]: the decompressed bitstring, read and written entry by entry;
//! * [`StatusListToken`]: the signed document, built and signed by the issuer,
//!   parsed and read by the verifier once the signature has been checked;
//! * [`IndexAllocator`]: the issuer's private record of which entries are in
//!   use, handing out random free indices.
//!
//! Verifying a token takes four steps, the signature check being the
//! verifier's (it owns the trust list):
//! [`StatusListToken::parse_unverified`], a trust-list lookup by
//! [`UnverifiedSign1::kid`], [`UnverifiedSign1::verify`], and
//! [`StatusListToken::from_verified`]. Which lists answer for a credential
//! (the signer's key, the newest list, how long a list stays current) is
//! the verifier's to decide: `attesta_verify::Verifier::add_status_list`;
//! it is written once there.

use std::fmt;
use std::io::{Read, Write};
use std::num::NonZeroU64;

use crate::cbor_guard::CborLimits;
use crate::claims::{self, ClaimSet, EXP, IAT, STATUS_LIST, SUB, TTL};
use crate::cose::{self, UnverifiedSign1, VerifiedPayload};
use crate::error::FormatError;
use crate::keys::{Kid, SigningKey};
use crate::rules::{Rule, enforced};
use crate::signer::{SignError, Signer};
use ciborium::Value;
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use jiff::{SignedDuration, Timestamp};

/// The content type (COSE `typ`, header label 16) of a Status List Token.
pub const MEDIA_TYPE: &str = "application/statuslist+cwt";

/// Capacity of a new list unless the issuer asks otherwise: 1,048,576
/// entries (2^20). A 1-bit list of this size is 128 KiB uncompressed and a
/// few KiB to a few tens of KiB compressed, depending on how many entries are
/// revoked; it leaves room for about 940,000 credentials at the
/// [`IndexAllocator`]'s 90 % fill limit, and a holder's index hides among a
/// million others.
pub const DEFAULT_CAPACITY: u64 = 1 << 20;

/// The largest capacity accepted, in entries (2^27 = 134,217,728): 16 MiB
/// at 1 bit, 32 MiB at 2 bits. Larger lists would be slow to download and
/// to hold in memory on a verifier's phone; issue into several lists instead.
pub const MAX_CAPACITY: u64 = 1 << 27;

/// Limits for the CBOR of a Status List Token and of its claims: a handful
/// of items, whatever the list size (the list is a single byte string).
pub const TOKEN_LIMITS: CborLimits = CborLimits {
    max_depth: 8,
    max_items: 64,
    allow_indefinite: false,
    allow_duplicate_keys: false,
};

/// Share of a list's entries, in percent, that an [`IndexAllocator`] hands
/// out before it refuses with [`StatusListError::ListFull`].
pub const MAX_FILL_PERCENT: u64 = 90;

/// Bits per entry of a status list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StatusBits {
    /// One bit: valid or revoked. The default, and the most compact.
    #[default]
    One,
    /// Two bits: also suspended, and the application-specific value 3.
    Two,
}

impl StatusBits {
    /// The number of bits, as written in the token's `bits` field.
    pub fn width(self) -> u8 {
        match self {
            StatusBits::One => 1,
            StatusBits::Two => 2,
        }
    }

    /// From the token's `bits` field. The draft also allows 4 and 8; no
    /// attesta issuer writes them, so they are refused with the rest.
    pub fn from_width(bits: u64) -> Result<Self, StatusListError> {
        match bits {
            1 => Ok(StatusBits::One),
            2 => Ok(StatusBits::Two),
            4 | 8 if !enforced(Rule::StatusListBits) => Ok(StatusBits::Two),
            _ => Err(StatusListError::UnsupportedBits { bits }),
        }
    }

    fn max_value(self) -> u8 {
        (1u8 << self.width()) - 1
    }

    /// Largest list, in bytes, of this width.
    fn max_bytes(self) -> usize {
        // At most 32 MiB, which fits usize on every supported target.
        usize::try_from(MAX_CAPACITY / 8 * u64::from(self.width())).unwrap_or(usize::MAX)
    }
}

/// The status of one credential, as its list entry records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialStatus {
    /// 0: valid (not revoked).
    Valid,
    /// 1: revoked ("INVALID" in the draft), for good.
    Revoked,
    /// 2: suspended, which may be lifted; needs a 2-bit list.
    Suspended,
    /// Any other value: 3 is left to applications by the draft; attesta
    /// gives it no meaning, and verifiers should not accept the credential.
    /// `Other(0..=2)` stands for the named variants (see
    /// [`CredentialStatus::from_value`]).
    Other(u8),
}

impl CredentialStatus {
    /// The numeric value stored in the list.
    pub fn value(self) -> u8 {
        match self {
            CredentialStatus::Valid => 0,
            CredentialStatus::Revoked => 1,
            CredentialStatus::Suspended => 2,
            CredentialStatus::Other(v) => v,
        }
    }

    /// From a stored value; 0, 1 and 2 give the named variants.
    pub fn from_value(v: u8) -> Self {
        match v {
            0 => CredentialStatus::Valid,
            1 => CredentialStatus::Revoked,
            2 => CredentialStatus::Suspended,
            v => CredentialStatus::Other(v),
        }
    }

    /// Whether a verifier may accept the credential: only when it is valid.
    pub fn is_valid(self) -> bool {
        self.value() == 0
    }
}

impl fmt::Display for CredentialStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match CredentialStatus::from_value(self.value()) {
            CredentialStatus::Valid => f.write_str("valid"),
            CredentialStatus::Revoked => f.write_str("revoked"),
            CredentialStatus::Suspended => f.write_str("suspended"),
            CredentialStatus::Other(v) => write!(f, "status {v} (application-specific)"),
        }
    }
}

/// A status list, decompressed: `capacity` entries of 1 or 2 bits.
///
/// The layout is the draft's: entry `i` lives in byte `i * bits / 8`, and
/// within a byte entries fill from the least significant bit, so at 1 bit
/// entry 0 is bit 0 of byte 0. Lookups are O(1).
///
/// ```
/// use attesta_core::status_list::{CredentialStatus, StatusBits, StatusList};
///
/// let mut list = StatusList::new(16, StatusBits::One)?;
/// list.set(3, CredentialStatus::Revoked)?;
/// assert_eq!(list.get(3), Some(CredentialStatus::Revoked));
/// assert_eq!(list.get(4), Some(CredentialStatus::Valid));
/// assert_eq!(list.get(16), None); // beyond the list
/// assert_eq!(list.as_bytes(), &[0x08, 0x00]);
/// # Ok::<(), attesta_core::status_list::StatusListError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: StatusBits,
    // Always bytes.len() * 8 / bits, at most MAX_CAPACITY: every byte is
    // made of whole entries, so no padding bits need special care.
    len: u64,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `capacity` entries, all valid. `capacity` must be a
    /// multiple of 8 between 8 and [`MAX_CAPACITY`]; [`DEFAULT_CAPACITY`] is
    /// the usual choice.
    pub fn new(capacity: u64, bits: StatusBits) -> Result<Self, StatusListError> {
        check_capacity(capacity)?;
        let n = usize::try_from(capacity / 8 * u64::from(bits.width()))
            .map_err(|_| StatusListError::BadCapacity { capacity })?;
        Ok(StatusList {
            bits,
            len: capacity,
            bytes: vec![0; n],
        })
    }

    /// A list from its uncompressed bytes (the layout described on
    /// [`StatusList`]). The capacity is whatever the bytes hold.
    pub fn from_bytes(bits: StatusBits, bytes: Vec<u8>) -> Result<Self, StatusListError> {
        if bytes.is_empty() {
            return Err(StatusListError::Malformed("the list is empty"));
        }
        let max = bits.max_bytes();
        if bytes.len() > max {
            return Err(StatusListError::TooLarge { max_bytes: max });
        }
        let len = bytes.len() as u64 * 8 / u64::from(bits.width());
        Ok(StatusList { bits, len, bytes })
    }

    /// Bits per entry.
    pub fn bits(&self) -> StatusBits {
        self.bits
    }

    /// Number of entries.
    pub fn capacity(&self) -> u64 {
        self.len
    }

    /// The uncompressed bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Where entry `idx` lives: byte, shift. `None` beyond the list.
    fn locate(&self, idx: u64) -> Option<(usize, u32)> {
        if idx >= self.len {
            return None;
        }
        // idx < 2^28, so the product cannot overflow.
        let bit = idx * u64::from(self.bits.width());
        Some((usize::try_from(bit / 8).ok()?, (bit % 8) as u32))
    }

    /// The status of entry `idx`; `None` when `idx` is beyond the list
    /// (which a verifier must treat as an invalid credential, not a valid one).
    pub fn get(&self, idx: u64) -> Option<CredentialStatus> {
        let (byte, shift) = self.locate(idx)?;
        let v = (self.bytes.get(byte)? >> shift) & self.bits.max_value();
        Some(CredentialStatus::from_value(v))
    }

    /// Sets entry `idx`. Suspended and other values above 1 need a 2-bit list.
    pub fn set(&mut self, idx: u64, status: CredentialStatus) -> Result<(), StatusListError> {
        let v = status.value();
        if v > self.bits.max_value() {
            return Err(if self.bits == StatusBits::One && v <= 3 {
                StatusListError::NeedsTwoBits { status }
            } else {
                StatusListError::UnsupportedStatus { value: v }
            });
        }
        let capacity = self.len;
        let (byte, shift) = self
            .locate(idx)
            .ok_or(StatusListError::IndexOutOfRange { idx, capacity })?;
        let mask = self.bits.max_value() << shift;
        let b = self
            .bytes
            .get_mut(byte)
            .ok_or(StatusListError::IndexOutOfRange { idx, capacity })?;
        *b = (*b & !mask) | (v << shift);
        Ok(())
    }

    /// How many entries have `status`.
    pub fn count(&self, status: CredentialStatus) -> u64 {
        let v = status.value();
        if v > self.bits.max_value() {
            return 0;
        }
        // Whole bytes at a time: XOR with the value repeated in every slot
        // turns matching entries into all-zero slots, then count those.
        match self.bits {
            StatusBits::One => {
                let pattern = if v == 1 { 0xff } else { 0x00 };
                self.bytes
                    .iter()
                    .map(|b| u64::from((b ^ pattern).count_zeros()))
                    .sum()
            }
            StatusBits::Two => {
                let pattern = v * 0x55;
                self.bytes
                    .iter()
                    .map(|b| {
                        let x = b ^ pattern;
                        u64::from((!(x | (x >> 1)) & 0x55).count_ones())
                    })
                    .sum()
            }
        }
    }

    /// The list as the token's `lst` carries it: zlib (RFC 1950), best compression.
    pub fn compress(&self) -> Vec<u8> {
        let mut z = ZlibEncoder::new(
            Vec::with_capacity(self.bytes.len() / 8 + 64),
            Compression::best(),
        );
        // Writing into a Vec cannot fail.
        let _ = z.write_all(&self.bytes);
        z.finish().unwrap_or_default()
    }

    /// A list from the token's `lst`. Inflating stops one byte past the
    /// largest list of this width, so a small crafted stream (a "zlib
    /// bomb") cannot make the verifier allocate more than 32 MiB.
    pub fn decompress(bits: StatusBits, lst: &[u8]) -> Result<Self, StatusListError> {
        let max = bits.max_bytes();
        let mut dec = ZlibDecoder::new(lst);
        let mut out: Vec<u8> = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = dec
                .read(&mut buf)
                .map_err(|_| StatusListError::BadCompression)?;
            if n == 0 {
                break;
            }
            if out.len() + n > max {
                return Err(StatusListError::TooLarge { max_bytes: max });
            }
            // Grow by doubling, but never past the cap: `read_to_end`
            // would double a vector just past 32 MiB to 64 MiB.
            if out.capacity() - out.len() < n {
                let want = (out.capacity() * 2).max(out.len() + n).min(max);
                out.reserve_exact(want - out.len());
            }
            out.extend_from_slice(&buf[..n]);
        }
        // Bytes after the zlib stream would be ignored by most readers;
        // refusing them keeps one token from having two readings.
        if dec.total_in() != lst.len() as u64 && enforced(Rule::StatusListTrailing) {
            return Err(StatusListError::BadCompression);
        }
        StatusList::from_bytes(bits, out)
    }
}

impl fmt::Debug for StatusList {
    // A list can be megabytes; show its shape, not its bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusList")
            .field("bits", &self.bits.width())
            .field("capacity", &self.len)
            .field(
                "not_valid",
                &(self.len - self.count(CredentialStatus::Valid)),
            )
            .finish()
    }
}

fn check_capacity(capacity: u64) -> Result<(), StatusListError> {
    if capacity == 0 || !capacity.is_multiple_of(8) || capacity > MAX_CAPACITY {
        return Err(StatusListError::BadCapacity { capacity });
    }
    Ok(())
}

/// A Status List Token's content: the list and what the issuer says about it.
///
/// The issuer builds one with [`StatusListToken::new`] and publishes the
/// bytes of [`StatusListToken::sign`] (the `.cwt` file); a verifier reads
/// them back after checking the signature against its trust list:
///
/// ```
/// use attesta_core::keys::SigningKey;
/// use attesta_core::status_list::{
///     CredentialStatus, StatusBits, StatusList, StatusListToken, DEFAULT_CAPACITY,
/// };
/// use jiff::Timestamp;
///
/// // Issuer: revoke entry 42 and publish.
/// let key = SigningKey::generate()?;
/// let mut list = StatusList::new(DEFAULT_CAPACITY, StatusBits::One)?;
/// list.set(42, CredentialStatus::Revoked)?;
/// let mut token = StatusListToken::new("1", Timestamp::now(), list);
/// token.ttl = std::num::NonZeroU64::new(24 * 3600);
/// let cwt = token.sign(&key);
///
/// // Verifier: parse, find the key by kid in the trust list, verify, read.
/// let unverified = StatusListToken::parse_unverified(&cwt)?;
/// assert_eq!(unverified.kid(), key.kid()); // look this kid up in the trust list
/// let payload = unverified.verify(&key.public_key()).expect("signature");
/// let read = StatusListToken::from_verified(&payload)?;
/// assert_eq!(read.uri, "1");
/// assert_eq!(read.list.get(42), Some(CredentialStatus::Revoked));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusListToken {
    /// `sub`: the list's identifier, the `uri` that credentials name.
    pub uri: String,
    /// `iat`: when the issuer produced this version of the list.
    pub issued_at: Timestamp,
    /// `exp`: after this the issuer no longer vouches for the list.
    pub expires_at: Option<Timestamp>,
    /// `ttl`: how many seconds a verifier may keep using a downloaded copy
    /// before fetching a new one.
    pub ttl: Option<NonZeroU64>,
    /// The statuses.
    pub list: StatusList,
    signer: Option<Kid>,
}

impl StatusListToken {
    /// A token for `list` under `uri`, without `exp` or `ttl` (set the
    /// public fields to add them).
    pub fn new(uri: impl Into<String>, issued_at: Timestamp, list: StatusList) -> Self {
        StatusListToken {
            uri: uri.into(),
            issued_at,
            expires_at: None,
            ttl: None,
            list,
            signer: None,
        }
    }

    /// The kid of the key whose signature was checked, for a token read with
    /// [`StatusListToken::from_verified`]; `None` for one built locally.
    pub fn signer(&self) -> Option<Kid> {
        self.signer
    }

    /// The CWT claims, deterministically encoded.
    fn claims(&self) -> Vec<u8> {
        let mut c = ClaimSet::new();
        c.set(SUB, Value::Text(self.uri.clone()));
        c.set_time(IAT, self.issued_at);
        if let Some(exp) = self.expires_at {
            c.set_time(EXP, exp);
        }
        if let Some(ttl) = self.ttl {
            c.set(TTL, Value::Integer(ttl.get().into()));
        }
        // "lst" before "bits": deterministic CBOR orders map keys by their
        // encoding, and the shorter text sorts first.
        c.set(
            STATUS_LIST,
            Value::Map(vec![
                (
                    Value::Text("lst".into()),
                    Value::Bytes(self.list.compress()),
                ),
                (
                    Value::Text("bits".into()),
                    Value::Integer(self.list.bits().width().into()),
                ),
            ]),
        );
        c.to_vec()
    }

    /// Signs with the issuer's key: the COSE_Sign1 bytes to publish (the
    /// `.cwt` file). Times are written in whole seconds.
    pub fn sign(&self, key: &SigningKey) -> Vec<u8> {
        cose::sign(key, self.claims(), Some(MEDIA_TYPE))
    }

    /// [`StatusListToken::sign`] with any [`Signer`], e.g. an issuer key
    /// in an HSM.
    pub fn sign_with<S: Signer + ?Sized>(&self, key: &S) -> Result<Vec<u8>, SignError> {
        cose::sign_with(key, self.claims(), Some(MEDIA_TYPE))
    }

    /// Parses a downloaded token without checking its signature, and checks
    /// that its content type is [`MEDIA_TYPE`]. Next: look the issuer's
    /// keys up by [`UnverifiedSign1::kid`], call [`UnverifiedSign1::verify`],
    /// then [`StatusListToken::from_verified`].
    pub fn parse_unverified(bytes: &[u8]) -> Result<UnverifiedSign1, StatusListError> {
        let u = UnverifiedSign1::parse(bytes, TOKEN_LIMITS).map_err(StatusListError::Cose)?;
        if u.typ() != Some(MEDIA_TYPE) && enforced(Rule::StatusListTyp) {
            return Err(StatusListError::WrongType {
                found: u.typ().map(|t| t.chars().take(64).collect()),
            });
        }
        Ok(u)
    }

    /// Reads the claims of a payload whose signature has been checked.
    pub fn from_verified(p: &VerifiedPayload) -> Result<Self, StatusListError> {
        let mut t = Self::from_claims(p.bytes())?;
        t.signer = Some(p.kid());
        Ok(t)
    }

    /// Reads the claims **without** any signature check, for display by
    /// tools (`attesta status show`). Never base a decision on the result.
    pub fn from_unverified_payload(payload: &[u8]) -> Result<Self, StatusListError> {
        Self::from_claims(payload)
    }

    fn from_claims(bytes: &[u8]) -> Result<Self, StatusListError> {
        let c = ClaimSet::parse(bytes, TOKEN_LIMITS).map_err(StatusListError::from_claims)?;
        let uri = c
            .text(SUB, "sub")
            .map_err(StatusListError::from_claims)?
            .ok_or(StatusListError::MissingClaim("sub"))?
            .to_owned();
        let issued_at = c
            .required_time(IAT, "iat")
            .map_err(StatusListError::from_claims)?;
        let expires_at = c.time(EXP, "exp").map_err(StatusListError::from_claims)?;
        let ttl = match c.get(TTL) {
            None => None,
            Some(v) => Some(claims::as_u64(v).and_then(NonZeroU64::new).ok_or(
                StatusListError::Malformed("ttl is not a positive number of seconds"),
            )?),
        };
        let sl = c
            .get(STATUS_LIST)
            .ok_or(StatusListError::MissingClaim("status_list"))?;
        let Value::Map(entries) = sl else {
            return Err(StatusListError::Malformed("status_list is not a map"));
        };
        let (mut bits, mut lst) = (None, None);
        for (k, v) in entries {
            let slot = match k {
                Value::Text(t) if t == "bits" => &mut bits,
                Value::Text(t) if t == "lst" => &mut lst,
                // Other members (aggregation_uri, extensions) do not change
                // what the list says; skip them.
                _ => continue,
            };
            if slot.replace(v).is_some() {
                return Err(StatusListError::Malformed("duplicate key in status_list"));
            }
        }
        let bits = bits.ok_or(StatusListError::MissingClaim("status_list.bits"))?;
        let bits = match claims::as_u64(bits) {
            Some(b) => StatusBits::from_width(b)?,
            None => {
                return Err(StatusListError::Malformed(
                    "status_list.bits is not a number",
                ));
            }
        };
        let Some(Value::Bytes(lst)) = lst else {
            return Err(match lst {
                None => StatusListError::MissingClaim("status_list.lst"),
                Some(_) => StatusListError::Malformed("status_list.lst is not a byte string"),
            });
        };
        Ok(StatusListToken {
            uri,
            issued_at,
            expires_at,
            ttl,
            list: StatusList::decompress(bits, lst)?,
            signer: None,
        })
    }

    /// When a copy downloaded at `fetched_at` should be replaced: the
    /// earlier of `exp` and `fetched_at + ttl`; `None` if the token has neither.
    pub fn refresh_due(&self, fetched_at: Timestamp) -> Option<Timestamp> {
        let by_ttl = self.ttl.and_then(|t| {
            let secs = i64::try_from(t.get()).ok()?;
            fetched_at.checked_add(SignedDuration::from_secs(secs)).ok()
        });
        match (self.expires_at, by_ttl) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

const ALLOCATOR_MAGIC: &[u8; 4] = b"ATIX";
const ALLOCATOR_VERSION: u8 = 1;
const ALLOCATOR_HEADER_LEN: usize = 4 + 1 + 8 + 8;

/// The issuer's record of which indices of one list are in use, kept
/// private beside the list file.
///
/// New credentials get a uniformly random free index, so an index says
/// nothing about when a credential was issued, and neighbouring indices do
/// not belong to people issued one after the other. Indices are never
/// released: a revoked entry stays revoked, and reusing it would revoke the
/// new credential too.
///
/// ```
/// use attesta_core::status_list::{IndexAllocator, DEFAULT_CAPACITY};
///
/// let mut alloc = IndexAllocator::new(DEFAULT_CAPACITY)?;
/// let idx = alloc.allocate()?;
/// assert!(alloc.is_taken(idx));
/// let saved = alloc.to_bytes(); // write beside the list file
/// assert_eq!(IndexAllocator::from_bytes(&saved)?, alloc);
/// # Ok::<(), attesta_core::status_list::StatusListError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct IndexAllocator {
    capacity: u64,
    taken: u64,
    // One bit per index, LSB first like the status list itself.
    bitset: Vec<u8>,
}

impl IndexAllocator {
    /// An allocator for a list of `capacity` entries (the rules of
    /// [`StatusList::new`]), none taken.
    pub fn new(capacity: u64) -> Result<Self, StatusListError> {
        check_capacity(capacity)?;
        let n =
            usize::try_from(capacity / 8).map_err(|_| StatusListError::BadCapacity { capacity })?;
        Ok(IndexAllocator {
            capacity,
            taken: 0,
            bitset: vec![0; n],
        })
    }

    /// The list's number of entries.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// How many indices are in use.
    pub fn taken(&self) -> u64 {
        self.taken
    }

    /// How many more indices [`IndexAllocator::allocate`] will hand out.
    pub fn remaining(&self) -> u64 {
        self.limit().saturating_sub(self.taken)
    }

    fn limit(&self) -> u64 {
        self.capacity / 100 * MAX_FILL_PERCENT + self.capacity % 100 * MAX_FILL_PERCENT / 100
    }

    /// Whether `idx` is in use (`false` beyond the list).
    pub fn is_taken(&self, idx: u64) -> bool {
        self.bit(idx).is_some_and(|(b, m)| b & m != 0)
    }

    fn bit(&self, idx: u64) -> Option<(u8, u8)> {
        if idx >= self.capacity {
            return None;
        }
        let b = *self.bitset.get(usize::try_from(idx / 8).ok()?)?;
        Some((b, 1u8 << (idx % 8)))
    }

    fn take(&mut self, idx: u64) -> bool {
        let Ok(i) = usize::try_from(idx / 8) else {
            return false;
        };
        match self.bitset.get_mut(i) {
            Some(b) if *b & (1 << (idx % 8)) == 0 => {
                *b |= 1 << (idx % 8);
                self.taken += 1;
                true
            }
            _ => false,
        }
    }

    /// A random free index, now marked as taken. Refuses once
    /// [`MAX_FILL_PERCENT`] of the list is in use: past that, random
    /// indices would betray more and cost more draws, and it is time for
    /// a new list.
    pub fn allocate(&mut self) -> Result<u64, StatusListError> {
        if self.taken >= self.limit() {
            return Err(StatusListError::ListFull {
                taken: self.taken,
                capacity: self.capacity,
            });
        }
        // With at least 10 % free, 128 draws all hitting taken indices has
        // probability below 0.9^128 < 2e-6; the rare miss falls back to an
        // exact pick among the free indices, which keeps the choice uniform.
        let mut buf = [0u8; 64];
        for _ in 0..16 {
            getrandom::fill(&mut buf).map_err(|_| StatusListError::Rng)?;
            for chunk in buf.chunks_exact(8) {
                let idx = below(word(chunk), self.capacity);
                if self.take(idx) {
                    return Ok(idx);
                }
            }
        }
        getrandom::fill(&mut buf).map_err(|_| StatusListError::Rng)?;
        let k = below(word(&buf[..8]), self.capacity - self.taken);
        let idx = self.nth_free(k).ok_or(StatusListError::ListFull {
            taken: self.taken,
            capacity: self.capacity,
        })?;
        self.take(idx);
        Ok(idx)
    }

    /// The `k`-th free index (0-based), by a linear scan.
    fn nth_free(&self, mut k: u64) -> Option<u64> {
        for (i, b) in self.bitset.iter().enumerate() {
            let free = u64::from(b.count_zeros());
            if k >= free {
                k -= free;
                continue;
            }
            for bit in 0..8u64 {
                if b & (1 << bit) == 0 {
                    if k == 0 {
                        return Some(i as u64 * 8 + bit);
                    }
                    k -= 1;
                }
            }
        }
        None
    }

    /// Marks `idx` as taken (rebuilding the record from issued credentials,
    /// or an index assigned elsewhere). Returns whether it was free. This
    /// may exceed the [`MAX_FILL_PERCENT`] limit, which only binds
    /// [`IndexAllocator::allocate`].
    pub fn mark_taken(&mut self, idx: u64) -> Result<bool, StatusListError> {
        if idx >= self.capacity {
            return Err(StatusListError::IndexOutOfRange {
                idx,
                capacity: self.capacity,
            });
        }
        Ok(self.take(idx))
    }

    /// The record as bytes to store: a 21-byte header (`ATIX`, version 1,
    /// capacity and count, big-endian) and the zlib-compressed bitset.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ALLOCATOR_HEADER_LEN + self.bitset.len() / 4 + 64);
        out.extend_from_slice(ALLOCATOR_MAGIC);
        out.push(ALLOCATOR_VERSION);
        out.extend_from_slice(&self.capacity.to_be_bytes());
        out.extend_from_slice(&self.taken.to_be_bytes());
        let mut z = ZlibEncoder::new(out, Compression::best());
        // Writing into a Vec cannot fail.
        let _ = z.write_all(&self.bitset);
        z.finish().unwrap_or_default()
    }

    /// Reads bytes written by [`IndexAllocator::to_bytes`], checking that
    /// they are complete and self-consistent.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StatusListError> {
        use StatusListError::CorruptAllocator as Corrupt;
        let (header, body) = bytes
            .split_at_checked(ALLOCATOR_HEADER_LEN)
            .ok_or(Corrupt("the file is too short"))?;
        if &header[..4] != ALLOCATOR_MAGIC {
            return Err(Corrupt("it is not an attesta index allocator file"));
        }
        if header[4] != ALLOCATOR_VERSION {
            return Err(StatusListError::AllocatorVersion { found: header[4] });
        }
        let num = |r: std::ops::Range<usize>| {
            header
                .get(r)
                .and_then(|s| <[u8; 8]>::try_from(s).ok())
                .map(u64::from_be_bytes)
                .ok_or(Corrupt("the header is damaged"))
        };
        let capacity = num(5..13)?;
        let taken = num(13..21)?;
        check_capacity(capacity).map_err(|_| Corrupt("the recorded capacity is impossible"))?;
        let n = usize::try_from(capacity / 8)
            .map_err(|_| Corrupt("the recorded capacity is impossible"))?;
        let mut dec = ZlibDecoder::new(body);
        let mut bitset = Vec::with_capacity(n);
        (&mut dec)
            .take(n as u64 + 1)
            .read_to_end(&mut bitset)
            .map_err(|_| Corrupt("the compressed bitset is damaged"))?;
        if bitset.len() != n || dec.total_in() != body.len() as u64 {
            return Err(Corrupt("the bitset does not match the recorded capacity"));
        }
        let counted: u64 = bitset.iter().map(|b| u64::from(b.count_ones())).sum();
        if counted != taken {
            return Err(Corrupt("the recorded count does not match the bitset"));
        }
        Ok(IndexAllocator {
            capacity,
            taken,
            bitset,
        })
    }
}

impl fmt::Debug for IndexAllocator {
    // The bitset is the private issuance record; keep it out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IndexAllocator")
            .field("capacity", &self.capacity)
            .field("taken", &self.taken)
            .finish()
    }
}

fn word(b: &[u8]) -> u64 {
    b.iter().take(8).fold(0u64, |w, &x| (w << 8) | u64::from(x))
}

/// Maps a random word into `0..n` (Lemire's multiply-shift). The bias is
/// below n / 2^64, under 2^-37 for any list we accept: far below anything
/// an observer of indices could measure.
fn below(r: u64, n: u64) -> u64 {
    ((u128::from(r) * u128::from(n)) >> 64) as u64
}

/// Why a status list, its token or an allocator record cannot be used.
///
/// Each variant has a stable machine-readable [`StatusListError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusListError {
    /// Not a well-formed signed COSE_Sign1 document.
    #[error("the status list is not a valid signed document ({}); download it again from the issuer", .0.code())]
    Cose(#[source] FormatError),
    /// The content type is not [`MEDIA_TYPE`].
    #[error("this is not a status list token (content type {}, expected {MEDIA_TYPE}); give the status list file the issuer publishes", .found.as_deref().map_or("missing".to_owned(), |t| format!("{t:?}")))]
    WrongType {
        /// The content type found, if any (at most 64 characters).
        found: Option<String>,
    },
    /// The claims break the format.
    #[error(
        "the status list token is malformed ({0}); download it again, and if this persists the issuer publishes a broken list"
    )]
    Malformed(&'static str),
    /// A required claim is absent.
    #[error(
        "the status list token lacks the required '{0}'; download it again, and if this persists the issuer publishes a broken list"
    )]
    MissingClaim(&'static str),
    /// `bits` other than 1 or 2.
    #[error(
        "the status list uses {bits} bits per entry; attesta reads only 1 or 2, so this list is not from an attesta issuer"
    )]
    UnsupportedBits {
        /// The value found.
        bits: u64,
    },
    /// The list does not inflate.
    #[error("the status list's compressed data is corrupt; download it again")]
    BadCompression,
    /// The list inflates beyond the largest accepted size.
    #[error(
        "the status list inflates to more than {max_bytes} bytes, beyond any genuine list; it was crafted to exhaust memory, do not use it"
    )]
    TooLarge {
        /// The cap, in bytes, at the list's width.
        max_bytes: usize,
    },
    /// A capacity outside the accepted range.
    #[error(
        "a status list capacity of {capacity} entries is not possible; choose a multiple of 8 from 8 to {MAX_CAPACITY} (default {DEFAULT_CAPACITY})"
    )]
    BadCapacity {
        /// The capacity asked for.
        capacity: u64,
    },
    /// An index beyond the list.
    #[error(
        "index {idx} is outside the status list, which has {capacity} entries; a credential pointing there cannot be checked and must not be accepted"
    )]
    IndexOutOfRange {
        /// The index.
        idx: u64,
        /// The list's capacity.
        capacity: u64,
    },
    /// Suspended (or value 3) in a 1-bit list.
    #[error(
        "a 1-bit status list can only record valid or revoked, not {status}; revoke instead, or issue into a list created with 2 bits per entry"
    )]
    NeedsTwoBits {
        /// The status asked for.
        status: CredentialStatus,
    },
    /// A status value no list width can hold.
    #[error(
        "status value {value} does not fit a status list entry (at most 3); use valid, revoked or suspended"
    )]
    UnsupportedStatus {
        /// The value.
        value: u8,
    },
    /// The allocator has handed out its share of the list.
    #[error(
        "the status list is full: {taken} of its {capacity} indices are in use, and indices are drawn at random only while 10 % stay free; create a new list with a larger capacity and issue new credentials into it"
    )]
    ListFull {
        /// Indices in use.
        taken: u64,
        /// The list's capacity.
        capacity: u64,
    },
    /// The allocator file is damaged.
    #[error(
        "the index allocator file is damaged ({0}); restore it from a backup; without it, new credentials could reuse the indices of revoked ones"
    )]
    CorruptAllocator(&'static str),
    /// An allocator file of an unknown version.
    #[error(
        "the index allocator file has format version {found}, which this version of attesta does not read; update attesta"
    )]
    AllocatorVersion {
        /// The version found.
        found: u8,
    },
    /// The system random generator failed.
    #[error("the system random generator failed; no index was allocated")]
    Rng,
}

impl StatusListError {
    /// The stable machine-readable code of this error. COSE-level errors
    /// keep the code [`FormatError::code`] gives them.
    pub fn code(&self) -> &'static str {
        match self {
            StatusListError::Cose(e) => e.code(),
            StatusListError::WrongType { .. } => "status_list_wrong_typ",
            StatusListError::Malformed(_) => "status_list_malformed",
            StatusListError::MissingClaim(_) => "status_list_missing_claim",
            StatusListError::UnsupportedBits { .. } => "status_list_unsupported_bits",
            StatusListError::BadCompression => "status_list_bad_compression",
            StatusListError::TooLarge { .. } => "status_list_too_large",
            StatusListError::BadCapacity { .. } => "status_list_bad_capacity",
            StatusListError::IndexOutOfRange { .. } => "status_index_out_of_range",
            StatusListError::NeedsTwoBits { .. } => "status_needs_two_bits",
            StatusListError::UnsupportedStatus { .. } => "status_value_unsupported",
            StatusListError::ListFull { .. } => "status_list_full",
            StatusListError::CorruptAllocator(_) => "allocator_corrupt",
            StatusListError::AllocatorVersion { .. } => "allocator_unsupported_version",
            StatusListError::Rng => "rng_failed",
        }
    }

    /// Claims errors come from the core parser as [`FormatError`]s; give
    /// them this module's vocabulary where one exists.
    fn from_claims(e: FormatError) -> Self {
        match e {
            FormatError::MalformedClaims(s) => StatusListError::Malformed(s),
            FormatError::MissingClaim(s) => StatusListError::MissingClaim(s),
            e => StatusListError::Cose(e),
        }
    }
}

impl StatusListError {
    /// The message in `lang`. The errors of the issuer's tools (capacity,
    /// allocator, full list) are in English only.
    pub fn message(&self, lang: crate::lang::Lang) -> String {
        use StatusListError as E;
        if lang == crate::lang::Lang::En {
            return self.to_string();
        }
        match self {
            E::Cose(_) => "la lista di revoca non è un documento firmato valido; scaricarla di nuovo dall'emittente".into(),
            E::WrongType { .. } => "questo file non è una lista di revoca; usare il file della lista di revoca pubblicato dall'emittente".into(),
            E::Malformed(_) | E::MissingClaim(_) => "la lista di revoca è malformata; scaricarla di nuovo, e se il problema resta l'emittente pubblica una lista difettosa".into(),
            E::UnsupportedBits { bits } => format!("la lista di revoca usa {bits} bit per voce; attesta legge solo 1 o 2, quindi non viene da un emittente attesta"),
            E::BadCompression => "i dati compressi della lista di revoca sono corrotti; scaricarla di nuovo".into(),
            E::TooLarge { .. } => "la lista di revoca si espande oltre ogni lista autentica: è costruita per esaurire la memoria; non usarla".into(),
            E::IndexOutOfRange { idx, capacity } => format!("la posizione {} è fuori dalla lista di revoca, che ha {} voci; un codice che vi punta non può essere controllato", crate::lang::number(*idx, lang), crate::lang::number(*capacity, lang)),
            _ => self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn key() -> SigningKey {
        SigningKey::from_seed(&[11u8; 32])
    }

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    fn list_of(bits: StatusBits, values: &[u8]) -> StatusList {
        let cap = (values.len() as u64).div_ceil(8) * 8;
        let mut l = StatusList::new(cap, bits).unwrap();
        for (i, v) in values.iter().enumerate() {
            l.set(i as u64, CredentialStatus::from_value(*v)).unwrap();
        }
        l
    }

    fn verify(bytes: &[u8]) -> Result<StatusListToken, StatusListError> {
        let u = StatusListToken::parse_unverified(bytes)?;
        let p = u.verify(&key().public_key()).expect("signature");
        StatusListToken::from_verified(&p)
    }

    fn signed_claims(claims: &ClaimSet) -> Vec<u8> {
        cose::sign(&key(), claims.to_vec(), Some(MEDIA_TYPE))
    }

    fn claims_with(status_list: Value) -> ClaimSet {
        let mut c = ClaimSet::new();
        c.set(SUB, Value::Text("1".into()));
        c.set_time(IAT, ts(1_800_000_000));
        c.set(STATUS_LIST, status_list);
        c
    }

    fn sl_value(bits: u64, lst: Vec<u8>) -> Value {
        Value::Map(vec![
            (Value::Text("bits".into()), Value::Integer(bits.into())),
            (Value::Text("lst".into()), Value::Bytes(lst)),
        ])
    }

    #[test]
    fn layout_matches_the_draft() {
        let one = list_of(
            StatusBits::One,
            &[1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1],
        );
        assert_eq!(one.as_bytes(), &[0xB9, 0xA3]);
        // 12 entries at 2 bits fill three bytes.
        let mut two = StatusList::from_bytes(StatusBits::Two, vec![0; 3]).unwrap();
        for (i, v) in [1u8, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3].iter().enumerate() {
            two.set(i as u64, CredentialStatus::from_value(*v)).unwrap();
        }
        assert_eq!(two.as_bytes(), &[0xC9, 0x44, 0xF9]);
        assert_eq!(two.get(3), Some(CredentialStatus::Other(3)));
        assert_eq!(two.get(1), Some(CredentialStatus::Suspended));
        assert_eq!(two.count(CredentialStatus::Other(3)), 3);
        assert_eq!(two.count(CredentialStatus::Revoked), 4);
        assert_eq!(two.count(CredentialStatus::Suspended), 2);
        assert_eq!(two.count(CredentialStatus::Valid), 3);
        assert_eq!(one.count(CredentialStatus::Revoked), 9);
        assert_eq!(one.count(CredentialStatus::Valid), 7);
        assert_eq!(one.count(CredentialStatus::Suspended), 0);
        // Overwriting clears the old bits.
        two.set(3, CredentialStatus::Valid).unwrap();
        assert_eq!(two.as_bytes()[0], 0x09);
    }

    #[test]
    fn bounds_and_widths() {
        let mut l = StatusList::new(16, StatusBits::One).unwrap();
        assert_eq!(l.get(15), Some(CredentialStatus::Valid));
        assert_eq!(l.get(16), None);
        assert_eq!(l.get(u64::MAX), None);
        assert_eq!(
            l.set(16, CredentialStatus::Revoked),
            Err(StatusListError::IndexOutOfRange {
                idx: 16,
                capacity: 16
            })
        );
        let e = l.set(0, CredentialStatus::Suspended).unwrap_err();
        assert_eq!(e.code(), "status_needs_two_bits");
        assert!(l.set(0, CredentialStatus::Other(3)).is_err());
        assert!(
            StatusList::new(16, StatusBits::Two)
                .unwrap()
                .set(0, CredentialStatus::Other(4))
                .is_err()
        );
        for bad in [0, 7, 12, MAX_CAPACITY + 8, u64::MAX] {
            assert_eq!(
                StatusList::new(bad, StatusBits::One).unwrap_err().code(),
                "status_list_bad_capacity"
            );
            assert!(IndexAllocator::new(bad).is_err());
        }
        assert_eq!(
            StatusBits::from_width(3).unwrap_err().code(),
            "status_list_unsupported_bits"
        );
        assert_eq!(
            StatusList::new(MAX_CAPACITY, StatusBits::Two)
                .unwrap()
                .as_bytes()
                .len(),
            32 << 20
        );
    }

    #[test]
    fn sign_parse_verify_round_trip() {
        let mut list = StatusList::new(DEFAULT_CAPACITY, StatusBits::Two).unwrap();
        list.set(7, CredentialStatus::Revoked).unwrap();
        list.set(1_000_000, CredentialStatus::Suspended).unwrap();
        let mut t = StatusListToken::new("https://example.invalid/sl/1", ts(1_800_000_000), list);
        t.expires_at = Some(ts(1_800_086_400));
        t.ttl = NonZeroU64::new(3600);
        let bytes = t.sign(&key());
        let u = StatusListToken::parse_unverified(&bytes).unwrap();
        assert_eq!(u.typ(), Some(MEDIA_TYPE));
        assert!(
            u.verify(&SigningKey::from_seed(&[12; 32]).public_key())
                .is_none()
        );
        let back = verify(&bytes).unwrap();
        assert_eq!(back.signer(), Some(key().kid()));
        assert_eq!(back.uri, t.uri);
        assert_eq!(back.issued_at, t.issued_at);
        assert_eq!(back.expires_at, t.expires_at);
        assert_eq!(back.ttl, t.ttl);
        assert_eq!(back.list, t.list);

        assert_eq!(back.list.get(7), Some(CredentialStatus::Revoked));
        assert_eq!(back.list.get(1_000_000), Some(CredentialStatus::Suspended));
        assert_eq!(back.list.get(8), Some(CredentialStatus::Valid));
        assert_eq!(back.list.get(DEFAULT_CAPACITY), None);
        assert_eq!(back.refresh_due(ts(1_800_000_000)), Some(ts(1_800_003_600)));
        assert_eq!(back.refresh_due(ts(1_800_090_000)), t.expires_at);
    }

    #[test]
    fn wrong_typ_is_refused() {
        let t = StatusListToken::new(
            "1",
            ts(1_800_000_000),
            StatusList::new(8, StatusBits::One).unwrap(),
        );
        for typ in [
            None,
            Some("application/cwt"),
            Some("application/statuslist+jwt"),
        ] {
            let bytes = cose::sign(&key(), t.claims(), typ);
            let e = StatusListToken::parse_unverified(&bytes).unwrap_err();
            assert_eq!(e.code(), "status_list_wrong_typ");
            assert!(e.to_string().contains(MEDIA_TYPE));
        }
        // Not COSE at all.
        assert_eq!(
            StatusListToken::parse_unverified(b"hello")
                .unwrap_err()
                .code(),
            "malformed_cbor"
        );
        assert_eq!(
            StatusListToken::parse_unverified(&[]).unwrap_err().code(),
            "malformed_cbor"
        );
    }

    #[test]
    fn zlib_bomb_is_refused() {
        // 17 MiB of zeros: just past the 16 MiB cap of a 1-bit list, yet
        // only about 17 KiB compressed.
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&vec![0u8; 17 << 20]).unwrap();
        let bomb = z.finish().unwrap();
        assert!(bomb.len() < 64 * 1024);
        let bytes = signed_claims(&claims_with(sl_value(1, bomb.clone())));
        let e = verify(&bytes).unwrap_err();
        assert_eq!(
            e,
            StatusListError::TooLarge {
                max_bytes: 16 << 20
            }
        );
        assert_eq!(e.code(), "status_list_too_large");
        // At 2 bits the same stream is within bounds.
        assert_eq!(
            StatusList::decompress(StatusBits::Two, &bomb)
                .unwrap()
                .capacity(),
            17 << 22
        );
    }

    #[test]
    fn bad_status_list_claims_are_refused() {
        let good = StatusList::new(8, StatusBits::One).unwrap().compress();
        let code = |v: Value| verify(&signed_claims(&claims_with(v))).unwrap_err().code();
        assert_eq!(
            code(sl_value(3, good.clone())),
            "status_list_unsupported_bits"
        );
        assert_eq!(
            code(sl_value(0, good.clone())),
            "status_list_unsupported_bits"
        );
        assert_eq!(
            code(sl_value(8, good.clone())),
            "status_list_unsupported_bits"
        );
        assert_eq!(
            code(sl_value(1, vec![0x78, 0x9c, 0xff])),
            "status_list_bad_compression"
        );
        assert_eq!(
            code(sl_value(1, vec![1, 2, 3])),
            "status_list_bad_compression"
        );
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(code(sl_value(1, trailing)), "status_list_bad_compression");
        assert_eq!(
            code(sl_value(
                1,
                StatusList::compress(&StatusList {
                    bits: StatusBits::One,
                    len: 0,
                    bytes: vec![]
                })
            )),
            "status_list_malformed"
        );
        assert_eq!(code(Value::Integer(1.into())), "status_list_malformed");
        assert_eq!(
            code(Value::Map(vec![(
                Value::Text("bits".into()),
                Value::Integer(1.into())
            )])),
            "status_list_missing_claim"
        );
        assert_eq!(
            code(Value::Map(vec![
                (Value::Text("bits".into()), Value::Integer(1.into())),
                (Value::Text("lst".into()), Value::Text("x".into())),
            ])),
            "status_list_malformed"
        );
        assert_eq!(
            code(Value::Map(vec![
                (Value::Text("bits".into()), Value::Integer(1.into())),
                (Value::Text("bits".into()), Value::Integer(1.into())),
                (Value::Text("lst".into()), Value::Bytes(good.clone())),
            ])),
            // Repeated keys are refused by the CBOR guard, at any depth.
            "cbor_duplicate_key"
        );
        // Unknown members are skipped.
        let mut with_extra = match sl_value(1, good.clone()) {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        with_extra.push((
            Value::Text("aggregation_uri".into()),
            Value::Text("x".into()),
        ));
        assert!(verify(&signed_claims(&claims_with(Value::Map(with_extra)))).is_ok());

        let mut c = claims_with(sl_value(1, good.clone()));
        c.set(TTL, Value::Integer(0.into()));
        assert_eq!(
            verify(&signed_claims(&c)).unwrap_err().code(),
            "status_list_malformed"
        );
        let mut c = ClaimSet::new();
        c.set_time(IAT, ts(1_800_000_000));
        c.set(STATUS_LIST, sl_value(1, good.clone()));
        assert_eq!(
            verify(&signed_claims(&c)).unwrap_err(),
            StatusListError::MissingClaim("sub")
        );
        let mut c = ClaimSet::new();
        c.set(SUB, Value::Text("1".into()));
        c.set(STATUS_LIST, sl_value(1, good));
        assert_eq!(
            verify(&signed_claims(&c)).unwrap_err(),
            StatusListError::MissingClaim("iat")
        );
    }

    #[test]
    fn mangled_inputs_never_panic() {
        let mut list = StatusList::new(1024, StatusBits::Two).unwrap();
        list.set(5, CredentialStatus::Revoked).unwrap();
        let mut t = StatusListToken::new("1", ts(1_800_000_000), list);
        t.ttl = NonZeroU64::new(60);
        let claims = t.claims();
        let token = t.sign(&key());
        let mut alloc = IndexAllocator::new(1024).unwrap();
        for _ in 0..50 {
            alloc.allocate().unwrap();
        }
        let saved = alloc.to_bytes();
        // A small deterministic generator: reproducible failures.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..3000 {
            let mut mangle = |src: &[u8]| {
                let mut b = src.to_vec();
                for _ in 0..1 + next() % 4 {
                    let i = (next() % b.len() as u64) as usize;
                    match next() % 3 {
                        0 => b[i] ^= 1 << (next() % 8),
                        1 => b[i] = next() as u8,
                        _ => b.truncate(i),
                    }
                    if b.is_empty() {
                        break;
                    }
                }
                b
            };
            let _ = StatusListToken::parse_unverified(&mangle(&token));
            let _ = IndexAllocator::from_bytes(&mangle(&saved));
            if round % 10 == 0 {
                let p = cose::sign(&key(), mangle(&claims), Some(MEDIA_TYPE));
                if let Ok(t) = verify(&p) {
                    let _ = t.list.get(next() % 2048);
                }
            }
        }
    }

    #[test]
    fn allocator_hands_out_distinct_random_indices() {
        let mut a = IndexAllocator::new(16_384).unwrap();
        let mut seen = HashSet::new();
        let mut order = Vec::new();
        for _ in 0..10_000 {
            let i = a.allocate().unwrap();
            assert!(i < 16_384);
            assert!(seen.insert(i), "index {i} handed out twice");
            order.push(i);
        }
        assert_eq!(a.taken(), 10_000);
        // Issuance order must not show in the indices.
        assert!(order.windows(2).any(|w| w[0] > w[1]));
        assert!(order[..100].windows(2).filter(|w| w[0] < w[1]).count() < 80);

        let back = IndexAllocator::from_bytes(&a.to_bytes()).unwrap();
        assert_eq!(back, a);
        assert!(seen.iter().all(|&i| back.is_taken(i)));

        // Fill to the limit: 90 % of 16,384 is 14,745.
        while a.allocate().is_ok() {}
        assert_eq!(a.taken(), 14_745);
        assert_eq!(a.remaining(), 0);
        let e = a.allocate().unwrap_err();
        assert_eq!(
            e,
            StatusListError::ListFull {
                taken: 14_745,
                capacity: 16_384
            }
        );
        assert!(e.to_string().contains("larger capacity"));
    }

    #[test]
    fn allocator_small_lists_and_fallback() {
        let mut a = IndexAllocator::new(16).unwrap();
        let got: HashSet<u64> = (0..14).map(|_| a.allocate().unwrap()).collect();
        assert_eq!(got.len(), 14);
        assert_eq!(a.allocate().unwrap_err().code(), "status_list_full");
        // The exact fallback finds the free ones.
        let free: Vec<u64> = (0..16).filter(|i| !a.is_taken(*i)).collect();
        assert_eq!(free.len(), 2);
        assert_eq!(a.nth_free(0), Some(free[0]));
        assert_eq!(a.nth_free(1), Some(free[1]));
        assert_eq!(a.nth_free(2), None);

        let mut b = IndexAllocator::new(8).unwrap();
        assert_eq!(b.mark_taken(3), Ok(true));
        assert_eq!(b.mark_taken(3), Ok(false));
        assert_eq!(
            b.mark_taken(8).unwrap_err().code(),
            "status_index_out_of_range"
        );
        assert!(!b.is_taken(8));
        assert_eq!(b.taken(), 1);
    }

    #[test]
    fn allocator_state_is_checked() {
        let mut a = IndexAllocator::new(DEFAULT_CAPACITY).unwrap();
        for _ in 0..1000 {
            a.allocate().unwrap();
        }
        let bytes = a.to_bytes();
        assert!(bytes.len() < 8 * 1024, "{} bytes", bytes.len());
        assert_eq!(IndexAllocator::from_bytes(&bytes).unwrap(), a);

        let code = |b: &[u8]| IndexAllocator::from_bytes(b).unwrap_err().code();
        assert_eq!(code(&bytes[..10]), "allocator_corrupt");
        assert_eq!(code(&bytes[..bytes.len() - 1]), "allocator_corrupt");
        let mut wrong_magic = bytes.clone();
        wrong_magic[0] = b'X';
        assert_eq!(code(&wrong_magic), "allocator_corrupt");
        let mut v2 = bytes.clone();
        v2[4] = 2;
        assert_eq!(code(&v2), "allocator_unsupported_version");
        let mut count = bytes.clone();
        count[20] ^= 1;
        assert_eq!(code(&count), "allocator_corrupt");
        let mut cap = bytes.clone();
        cap[12] = 9;
        assert_eq!(code(&cap), "allocator_corrupt");
        let mut huge = bytes.clone();
        huge[5] = 0xff;
        assert_eq!(code(&huge), "allocator_corrupt");
    }

    #[test]
    fn error_codes_are_distinct() {
        let all = [
            StatusListError::WrongType { found: None },
            StatusListError::Malformed("x"),
            StatusListError::MissingClaim("x"),
            StatusListError::UnsupportedBits { bits: 3 },
            StatusListError::BadCompression,
            StatusListError::TooLarge { max_bytes: 1 },
            StatusListError::BadCapacity { capacity: 1 },
            StatusListError::IndexOutOfRange {
                idx: 1,
                capacity: 1,
            },
            StatusListError::NeedsTwoBits {
                status: CredentialStatus::Suspended,
            },
            StatusListError::UnsupportedStatus { value: 4 },
            StatusListError::ListFull {
                taken: 1,
                capacity: 1,
            },
            StatusListError::CorruptAllocator("x"),
            StatusListError::AllocatorVersion { found: 2 },
            StatusListError::Rng,
        ];
        let codes: HashSet<&str> = all.iter().map(StatusListError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(
            codes
                .iter()
                .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
    }

    /// Size and speed of a realistic large list. Run by hand:
    /// `cargo test -p attesta-verify --release -- --ignored --nocapture large_list_figures`
    #[test]
    #[ignore]
    fn large_list_figures() {
        use std::time::Instant;
        const N: u64 = 5_000_000;
        let mut list = StatusList::new(N, StatusBits::One).unwrap();
        let mut alloc = IndexAllocator::new(N).unwrap();
        for _ in 0..N / 100 {
            list.set(alloc.allocate().unwrap(), CredentialStatus::Revoked)
                .unwrap();
        }
        let t = StatusListToken::new("1", ts(1_800_000_000), list);
        let start = Instant::now();
        let bytes = t.sign(&key());
        let sign_time = start.elapsed();
        let start = Instant::now();
        let u = StatusListToken::parse_unverified(&bytes).unwrap();
        let parse_time = start.elapsed();
        let start = Instant::now();
        let p = u.verify(&key().public_key()).unwrap();
        let verify_time = start.elapsed();
        let start = Instant::now();
        let back = StatusListToken::from_verified(&p).unwrap();
        let load_time = start.elapsed();
        assert_eq!(back.list.count(CredentialStatus::Revoked), N / 100);

        let lookups = 10_000_000u64;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut revoked = 0u64;
        let start = Instant::now();
        for _ in 0..lookups {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let idx = below(x, N);
            if back.list.get(std::hint::black_box(idx)) == Some(CredentialStatus::Revoked) {
                revoked += 1;
            }
        }
        let get_ns = start.elapsed().as_nanos() as f64 / lookups as f64;
        let alloc_bytes = alloc.to_bytes().len();
        println!(
            "5M entries, 1 bit, 1 % revoked: signed token {} bytes; sign {sign_time:?}; parse {parse_time:?}; verify {verify_time:?}; from_verified {load_time:?}; get {get_ns:.1} ns ({revoked} hits); allocator file {alloc_bytes} bytes",
            bytes.len()
        );
    }
}
