//! Which trust lists a verifier accepts: signature under the pinned
//! root, no rollback, not too old nor from the future, and every denial
//! any accepted list made kept for ever ([`TrustState`]). The list format
//! itself is [`attesta_core::trust_list`].
//!
//! ```
//! use attesta_core::keys::SigningKey;
//! use attesta_core::trust_list::TrustList;
//! use attesta_verify::trust::{TrustPolicy, TrustState};
//! use jiff::{Timestamp, ToSpan};
//!
//! let root = SigningKey::generate()?;
//! let issuer = SigningKey::generate()?;
//! let now = Timestamp::now();
//! let mut list = TrustList::default();
//! list.add_issuer("INPS", issuer.public_key(), Some(now))?;
//! let bytes = list.sign(&root, now, now + 30 * 24.hours());
//!
//! let mut state = TrustState::default();
//! let accepted = state.accept(&bytes, &root.public_key(), now, &TrustPolicy::default())?;
//! assert_eq!(accepted.issuers_with_kid(issuer.kid()).count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;

use attesta_core::keys::{KeyFingerprint, Kid, PublicKey};
use attesta_core::rules::{Rule, enforced};
use attesta_core::trust_list::{TrustError, TrustList};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// How old, or how new, a trust list may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustPolicy {
    /// Refuse lists issued longer ago than this, whatever their `exp`.
    /// Default 30 days: a verifier that has not synced for a month no
    /// longer knows which keys were revoked.
    pub max_age: SignedDuration,
    /// Refuse lists whose `iat` is later than the verification time by
    /// more than this. Default 5 minutes, the clock skew of codes: an
    /// accepted list's `iat` becomes the clock floor, so a list from the
    /// future would make every code look expired until that date.
    pub clock_skew: SignedDuration,
}

impl Default for TrustPolicy {
    fn default() -> Self {
        TrustPolicy {
            max_age: SignedDuration::from_hours(24 * 30),
            clock_skew: SignedDuration::from_mins(5),
        }
    }
}

/// What a verifier remembers between runs: the highest sequence accepted,
/// the newest issue time seen (the clock floor) and every denied kid.
/// Applications persist it (the CLI as JSON in its state directory).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustState {
    /// Highest accepted sequence number.
    pub highest_seq: Option<u64>,
    /// Newest trust-list issue time accepted (seconds since the epoch).
    pub newest_issued_at: Option<i64>,
    /// Every denial any accepted list made, in hex: kids (8 digits, lists
    /// written before fingerprints) and key fingerprints (64 digits).
    pub denied: BTreeSet<String>,
}

impl TrustState {
    /// The clock floor: verification never happens before this time.
    pub fn clock_floor(&self) -> Option<Timestamp> {
        self.newest_issued_at
            .and_then(|s| Timestamp::from_second(s).ok())
    }

    /// Verifies and accepts a trust list at time `now`, updating the state.
    pub fn accept(
        &mut self,
        bytes: &[u8],
        root: &PublicKey,
        now: Timestamp,
        policy: &TrustPolicy,
    ) -> Result<TrustList, TrustError> {
        let list = TrustList::verify_signature(bytes, root)?;
        if let Some(h) = self.highest_seq
            && list.seq < h
            && enforced(Rule::TrustRollback)
        {
            return Err(TrustError::Rollback {
                found: list.seq,
                accepted: h,
            });
        }
        let issued = list.issued_at.unwrap_or(Timestamp::UNIX_EPOCH);
        let now = self.clock_floor().map_or(now, |f| now.max(f));
        // Security review, finding 7: a list dated in the future would
        // become the clock floor and lock the verifier out until then.
        if now
            .checked_add(policy.clock_skew)
            .is_ok_and(|limit| issued > limit)
            && enforced(Rule::TrustNotFuture)
        {
            return Err(TrustError::IssuedInFuture {
                issued: issued.to_string(),
                now: now.to_string(),
            });
        }
        if let Some(exp) = list.expires_at
            && now > exp
            && enforced(Rule::TrustExp)
        {
            return Err(TrustError::Stale {
                issued: issued.to_string(),
                why: format!("expired {exp}"),
            });
        }
        if now.duration_since(issued) > policy.max_age && enforced(Rule::TrustAge) {
            return Err(TrustError::Stale {
                issued: issued.to_string(),
                why: format!(
                    "older than the maximum age of {} days",
                    policy.max_age.as_hours() / 24
                ),
            });
        }
        for denied_hex in &self.denied {
            if let Some(kid) = Kid::from_hex(denied_hex) {
                if list.issuers.iter().any(|e| e.kid() == kid)
                    && enforced(Rule::TrustDeniedKidNotListed)
                {
                    return Err(TrustError::DeniedKidReinstated(kid));
                }
                if !list.denied.contains(&kid) && enforced(Rule::TrustDeniedKidsKept) {
                    return Err(TrustError::DenylistShrunk(kid));
                }
            } else if let Some(fp) = KeyFingerprint::from_hex(denied_hex) {
                if list.issuers.iter().any(|e| e.key.fingerprint() == fp)
                    && enforced(Rule::TrustDeniedKeyNotListed)
                {
                    return Err(TrustError::DeniedKeyReinstated(fp));
                }
                if !list.denied_keys.contains(&fp) && enforced(Rule::TrustDeniedKeysKept) {
                    return Err(TrustError::DeniedKeyDropped(fp));
                }
            }
        }
        self.highest_seq = Some(self.highest_seq.map_or(list.seq, |h| h.max(list.seq)));
        self.newest_issued_at = Some(
            self.newest_issued_at
                .map_or(issued.as_second(), |n| n.max(issued.as_second())),
        );
        self.denied
            .extend(list.denied.iter().map(|k| k.to_string()));
        self.denied
            .extend(list.denied_keys.iter().map(|f| f.to_string()));
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attesta_core::keys::SigningKey;
    use jiff::ToSpan;

    fn now() -> Timestamp {
        Timestamp::from_second(1_795_000_000).unwrap()
    }

    fn days(n: i64) -> SignedDuration {
        SignedDuration::from_hours(24 * n)
    }

    fn signed(list: &TrustList, root: &SigningKey, at: Timestamp) -> Vec<u8> {
        list.sign(root, at, at + days(30))
    }

    #[test]
    fn accept_rollback_and_denylist() {
        let root = SigningKey::from_seed(&[1; 32]);
        let k1 = SigningKey::from_seed(&[2; 32]);
        let k2 = SigningKey::from_seed(&[3; 32]);
        let mut list = TrustList::default();
        list.add_issuer("INPS", k1.public_key(), None).unwrap();
        list.next_version();
        let v1 = signed(&list, &root, now());
        list.deny_key(k1.public_key().fingerprint());
        list.add_issuer("INPS", k2.public_key(), None).unwrap();
        list.next_version();
        let v2 = signed(&list, &root, now() + 1.hour());

        let mut st = TrustState::default();
        let p = TrustPolicy::default();
        let a = st.accept(&v1, &root.public_key(), now(), &p).unwrap();
        assert_eq!(a.issuers_with_kid(k1.kid()).count(), 1);
        let b = st
            .accept(&v2, &root.public_key(), now() + 2.hours(), &p)
            .unwrap();
        assert_eq!(b.issuers_with_kid(k1.kid()).count(), 0);
        assert!(matches!(
            st.accept(&v1, &root.public_key(), now() + 2.hours(), &p),
            Err(TrustError::Rollback {
                found: 1,
                accepted: 2
            })
        ));
        assert_eq!(st.clock_floor(), Some(now() + 1.hour()));

        // A later list that drops the denied kid or reinstates it is refused.
        let mut rogue = list.clone();
        rogue.denied_keys.clear();
        rogue.next_version();
        assert_eq!(
            st.accept(
                &signed(&rogue, &root, now() + 3.hours()),
                &root.public_key(),
                now() + 3.hours(),
                &p
            )
            .err(),
            Some(TrustError::DeniedKeyDropped(k1.public_key().fingerprint()))
        );
        assert_eq!(
            list.add_issuer("X", k1.public_key(), None),
            Err(TrustError::KeyDenied(k1.kid()))
        );
    }

    #[test]
    fn trust_list_from_the_future_is_refused() {
        let root = SigningKey::from_seed(&[1; 32]);
        let list = TrustList::default();
        let p = TrustPolicy::default();
        let ahead = signed(&list, &root, now() + 6.minutes());
        let mut st = TrustState::default();
        assert!(matches!(
            st.accept(&ahead, &root.public_key(), now(), &p),
            Err(TrustError::IssuedInFuture { .. })
        ));
        // Nothing was remembered: the clock floor did not move.
        assert_eq!(st, TrustState::default());
        // Within the skew it is accepted.
        let near = signed(&list, &root, now() + 4.minutes());
        st.accept(&near, &root.public_key(), now(), &p).unwrap();
    }

    #[test]
    fn signature_and_age() {
        let root = SigningKey::from_seed(&[1; 32]);
        let other = SigningKey::from_seed(&[9; 32]);
        let list = TrustList::default();
        let v = signed(&list, &root, now());
        let p = TrustPolicy::default();
        assert_eq!(
            TrustState::default()
                .accept(&v, &other.public_key(), now(), &p)
                .err(),
            Some(TrustError::BadSignature)
        );
        assert!(matches!(
            TrustState::default().accept(&v, &root.public_key(), now() + days(31), &p),
            Err(TrustError::Stale { .. })
        ));
        assert!(matches!(
            TrustState::default().accept(b"garbage", &root.public_key(), now(), &p),
            Err(TrustError::Malformed(_))
        ));
    }
}
