//! Which trusted keys signed a COSE_Sign1 (codes of both levels and status
//! lists): the kid looked up in the accepted trust list, every key sharing
//! it tried, denied keys refused, and the key's validity window.

use attesta_core::cose::{UnverifiedSign1, VerifiedPayload};
use attesta_core::rules::{Rule, enforced};
use attesta_core::trust_list::{IssuerEntry, TrustList};
use jiff::Timestamp;

use crate::error::VerifyError;

/// The trust-list entries whose key verifies `sign1`, and its payload.
/// Every key sharing the kid is tried (kids are 4 bytes and may
/// collide), and every entry is returned, so that the choice among them
/// (by validity window) does not depend on the order of the list.
pub(crate) fn signers<'t>(
    trust: &'t TrustList,
    sign1: &UnverifiedSign1,
) -> Result<(Vec<&'t IssuerEntry>, VerifiedPayload), VerifyError> {
    let kid = sign1.kid();
    if trust.denied.contains(&kid) && enforced(Rule::DeniedKid) {
        return Err(VerifyError::DeniedKid(kid));
    }
    // Denied keys are left out; keys that merely share their kid are
    // still tried.
    let mut candidates: Vec<&IssuerEntry> = trust.issuers_with_kid(kid).collect();
    if !enforced(Rule::KidTriesEveryKey) {
        candidates.truncate(1);
    }
    if candidates.is_empty() {
        return Err(if trust.denies_kid(kid) {
            VerifyError::DeniedKid(kid)
        } else {
            VerifyError::UnknownKid(kid)
        });
    }
    let mut payload = None;
    let mut signers = Vec::new();
    let mut checked: Vec<(&attesta_core::keys::PublicKey, bool)> = Vec::new();
    for e in candidates {
        let ok = match checked.iter().find(|(k, _)| **k == e.key) {
            Some((_, ok)) => *ok,
            None => {
                let p = sign1.verify(&e.key);
                let ok = p.is_some();
                if payload.is_none() {
                    payload = p;
                }
                checked.push((&e.key, ok));
                ok
            }
        };
        if ok {
            signers.push(e);
        }
    }
    match payload {
        Some(p) => Ok((signers, p)),
        // The denied key itself is gone from the list, so its signature
        // cannot be checked; with its kid denied, that is the likely
        // signer, and the answer is the same: do not accept.
        None if trust.denies_kid(kid) => Err(VerifyError::DeniedKid(kid)),
        None => Err(VerifyError::BadSignature),
    }
}

/// Among the entries that verified, one whose window contains `iat`
/// (preferring the one named by `iss`).
pub(crate) fn signer_at<'a>(
    signers: &[&'a IssuerEntry],
    iat: Timestamp,
    iss: Option<&str>,
) -> Result<&'a IssuerEntry, VerifyError> {
    let valid: Vec<&IssuerEntry> = signers
        .iter()
        .copied()
        .filter(|e| e.valid_at(iat) || !enforced(Rule::KeyWindow))
        .collect();
    let chosen = iss
        .and_then(|i| valid.iter().find(|e| e.id == i))
        .or(valid.first())
        .copied()
        .ok_or(VerifyError::KeyNotValidAtIssuance { issued: iat })?;
    if let Some(i) = iss
        && i != chosen.id
        && enforced(Rule::IssuerMatches)
    {
        return Err(VerifyError::IssuerMismatch {
            claimed: i.to_owned(),
            actual: chosen.id.clone(),
        });
    }
    Ok(chosen)
}
