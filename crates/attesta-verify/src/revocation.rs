//! Revocation, written once: which loaded status lists answer for a
//! credential (docs/format.md §11.3-11.4) and what they say.
//!
//! A list answers only for credentials signed by the very key that signed
//! the list, the newest list wins, and ties go to the most severe answer,
//! whatever the order lists were loaded in. `attesta_core::status_list`
//! only reads and writes the format.

use attesta_core::claims::StatusRef;
use attesta_core::keys::Kid;
use attesta_core::rules::{Rule, enforced};
use attesta_core::status_list::{CredentialStatus, StatusListToken};
use attesta_core::trust_list::{IssuerEntry, TrustList};
use jiff::Timestamp;

use crate::error::VerifyError;
use crate::policy::{Policy, RevocationPolicy, shift};
use crate::trusted_key::signers;

/// Whether revocation was checked.
///
/// A credential's status is read only from a list signed by the very key
/// that signed the credential: lists of the issuer's other keys (after a
/// key rotation) never answer for it, whatever their uri.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Revocation {
    /// Checked against a current list: not revoked.
    Checked {
        /// The list's uri.
        list_uri: String,
        /// The kid of the key that signed both the list and the credential.
        list_kid: Kid,
        /// When the list was issued.
        list_issued_at: Timestamp,
    },
    /// The code has a status reference but no list for it was loaded:
    /// revocation explicitly not checked, which the lax default policy
    /// ([`crate::verifier::RevocationPolicy::ReportNotChecked`]) accepts
    /// and reports.
    NotChecked {
        /// The list's uri the code refers to.
        list_uri: String,
        /// The kid of the key whose list is needed (the credential's).
        list_kid: Kid,
    },
    /// The code carries no status reference (its issuer does not revoke).
    NotRevocable,
}

struct LoadedStatusList {
    /// The key whose signature verified: the list answers only for
    /// credentials signed by this same key.
    signer: attesta_core::keys::PublicKey,
    /// Every trust-list issuer id under which that key is listed (for the
    /// message when a list of another issuer is loaded).
    issuer_ids: Vec<String>,
    token: StatusListToken,
}

/// The status lists a verifier has loaded.
#[derive(Default)]
pub(crate) struct StatusLists {
    lists: Vec<LoadedStatusList>,
}

impl StatusLists {
    /// Loads a status list: signed by a trusted, not denied, issuer key, and
    /// current at `now` (already past the clock floor).
    ///
    /// The list will answer only for credentials signed by the same key.
    /// A retired key (one whose validity window has closed) may still sign
    /// lists: retirement limits the `iat` of new credentials, while the
    /// key's earlier credentials stay valid and must stay revocable.
    /// A compromised key is denied, and its lists are then refused.
    pub(crate) fn add(
        &mut self,
        trust: &TrustList,
        policy: &Policy,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<(), VerifyError> {
        let u = StatusListToken::parse_unverified(bytes)?;
        let (signers, payload) = signers(trust, &u).map_err(|e| {
            if enforced(Rule::StatusListTrusted) {
                VerifyError::StatusListUntrusted
            } else {
                e
            }
        })?;
        let token = StatusListToken::from_verified(&payload)?;
        let Some(first) = signers.first() else {
            return Err(VerifyError::StatusListUntrusted);
        };
        let signer = first.key;
        // Security review, finding 7: a list "issued" in the future is not
        // a list anybody could have fetched yet; it would also outlive its
        // maximum age.
        if shift(now, policy.clock_skew) < token.issued_at && enforced(Rule::StatusListNotFuture) {
            return Err(VerifyError::StatusListIssuedInFuture {
                uri: token.uri.clone(),
                issued: token.issued_at,
            });
        }
        let stale = (token
            .expires_at
            .is_some_and(|e| now > shift(e, policy.clock_skew))
            && enforced(Rule::StatusListExp))
            || (now.duration_since(token.issued_at) > policy.status_list_max_age
                && enforced(Rule::StatusListAge));
        if stale {
            return Err(VerifyError::StatusListStale {
                uri: token.uri.clone(),
                issued: token.issued_at,
            });
        }
        let mut issuer_ids: Vec<String> = Vec::new();
        for e in signers.iter().filter(|e| e.key == signer) {
            if !issuer_ids.contains(&e.id) {
                issuer_ids.push(e.id.clone());
            }
        }
        self.lists.push(LoadedStatusList {
            signer,
            issuer_ids,
            token,
        });
        Ok(())
    }

    /// Whether the credential signed by `issuer` with `status` is revoked:
    /// the one place where a list answers for a credential. `Ok` is the
    /// proof value step 1 keeps: checked, or explicitly not checked.
    pub(crate) fn check(
        &self,
        status: Option<&StatusRef>,
        issuer: &IssuerEntry,
        policy: &Policy,
    ) -> Result<Revocation, VerifyError> {
        let Some(s) = status else {
            return Ok(Revocation::NotRevocable);
        };
        let same_uri = || self.lists.iter().filter(|l| l.token.uri == s.uri);
        // Only a list signed by the credential's own key answers for it: an
        // issuer's keys each keep their own lists, and after a rotation the
        // new key's list "1" says nothing about the old key's entry 17.
        let own: Vec<&LoadedStatusList> = same_uri()
            .filter(|l| {
                l.signer == issuer.key
                    || (!enforced(Rule::StatusSameKey) && l.issuer_ids.contains(&issuer.id))
            })
            .collect();
        // Lists still tied after `iat` and `exp` each answer; the most
        // severe answer stands, whatever the order they were loaded in.
        let mut answers = newest_lists(&own)
            .into_iter()
            .map(|l| (l, list_answer(l, s.idx)));
        let chosen = if enforced(Rule::StatusTieSeverity) {
            answers.max_by_key(|(_, a)| a.severity())
        } else {
            answers.next_back()
        };
        let Some((list, answer)) = chosen else {
            // A list of another issuer under this uri is a misconfiguration
            // worth naming (one issuer must never answer for another's codes).
            if let Some(other) = same_uri().find(|l| !l.issuer_ids.contains(&issuer.id))
                && enforced(Rule::StatusWrongIssuer)
            {
                return Err(VerifyError::StatusListWrongIssuer {
                    uri: s.uri.clone(),
                    list_issuer: other.issuer_ids.join(", "),
                    code_issuer: issuer.id.clone(),
                });
            }
            return match policy.revocation {
                RevocationPolicy::Require if enforced(Rule::StatusRequired) => {
                    Err(VerifyError::RevocationNotChecked {
                        list_uri: s.uri.clone(),
                        kid: issuer.kid(),
                    })
                }
                _ => Ok(Revocation::NotChecked {
                    list_uri: s.uri.clone(),
                    list_kid: issuer.kid(),
                }),
            };
        };
        match answer {
            ListAnswer::OutOfRange => Err(VerifyError::StatusIndexOutOfRange { idx: s.idx }),
            ListAnswer::Valid => Ok(Revocation::Checked {
                list_uri: s.uri.clone(),
                list_kid: issuer.kid(),
                list_issued_at: list.token.issued_at,
            }),
            ListAnswer::Suspended => Err(VerifyError::Suspended),
            ListAnswer::Revoked => Err(VerifyError::Revoked),
        }
    }
}

/// What one status list says about one entry (docs/format.md §11.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListAnswer {
    Valid,
    OutOfRange,
    Suspended,
    /// Value 1, and value 3, which has no meaning in attesta: refusing is
    /// the safe side.
    Revoked,
}

impl ListAnswer {
    /// The order in which tied lists are judged: revoked, then suspended,
    /// then out of range, then valid.
    fn severity(self) -> u8 {
        match self {
            ListAnswer::Valid => 0,
            ListAnswer::OutOfRange => 1,
            ListAnswer::Suspended => 2,
            ListAnswer::Revoked => 3,
        }
    }
}

fn list_answer(l: &LoadedStatusList, idx: u64) -> ListAnswer {
    match l.token.list.get(idx) {
        None if enforced(Rule::StatusIndexInRange) => ListAnswer::OutOfRange,
        None | Some(CredentialStatus::Valid) => ListAnswer::Valid,
        Some(CredentialStatus::Suspended) if enforced(Rule::StatusSuspended) => {
            ListAnswer::Suspended
        }
        Some(CredentialStatus::Suspended) => ListAnswer::Valid,
        Some(CredentialStatus::Other(3)) if !enforced(Rule::StatusValue3) => ListAnswer::Valid,
        Some(_) => ListAnswer::Revoked,
    }
}

/// The lists that answer among a credential's own lists (docs/format.md
/// §11.4): those with the newest `iat`, and among them those with the
/// latest `exp` (a list without `exp` counts as later than any); none
/// when there are none. An older copy may predate a revocation; the rule
/// never depends on the order the lists were loaded in.
fn newest_lists<'a>(lists: &[&'a LoadedStatusList]) -> Vec<&'a LoadedStatusList> {
    if !enforced(Rule::StatusNewest) {
        return lists.iter().take(1).copied().collect();
    }
    let rank = |l: &LoadedStatusList| {
        let exp = if enforced(Rule::StatusTieExp) {
            Some((l.token.expires_at.is_none(), l.token.expires_at))
        } else {
            None
        };
        (l.token.issued_at, exp)
    };
    let best = lists.iter().map(|l| rank(l)).max();
    lists
        .iter()
        .copied()
        .filter(|l| Some(rank(l)) == best)
        .collect()
}
