//! Step 1 of verification, one function for both levels: everything that
//! does not need the holder's codice fiscale.
//!
//! Each check returns a proof value that only this module can make: the
//! signature ([`SignatureChecked`]: a trusted key, valid when the code was
//! issued, verified these claims), the dates ([`DatesChecked`]) and
//! revocation ([`Revocation`]: checked, or explicitly not checked). The
//! results of step 1 of both levels are built from a [`StepOne`], which
//! holds all three, so a check left out does not compile.

use attesta_core::claims::StatusRef;
use attesta_core::cose::{UnverifiedSign1, VerifiedPayload};
use attesta_core::credential::FirstLevelClaims;
use attesta_core::error::FormatError;
use attesta_core::rules::{Rule, enforced};
use attesta_core::second_level::SecondLevelClaims;
use attesta_core::trust_list::{IssuerEntry, TrustList};
use jiff::{SignedDuration, Timestamp};

use crate::error::VerifyError;
use crate::policy::{Policy, shift};
use crate::revocation::{Revocation, StatusLists};
use crate::trusted_key::{signer_at, signers};

/// The claims step 1 reads, the same for both levels.
pub(crate) trait SignedClaims {
    /// `iat`.
    fn issued_at(&self) -> Timestamp;
    /// `nbf`.
    fn not_before(&self) -> Option<Timestamp>;
    /// `exp`.
    fn expires_at(&self) -> Timestamp;
    /// `iss`.
    fn issuer(&self) -> Option<&str>;
    /// The status-list reference.
    fn status(&self) -> Option<&StatusRef>;
}

macro_rules! signed_claims {
    ($t:ty) => {
        impl SignedClaims for $t {
            fn issued_at(&self) -> Timestamp {
                <$t>::issued_at(self)
            }
            fn not_before(&self) -> Option<Timestamp> {
                <$t>::not_before(self)
            }
            fn expires_at(&self) -> Timestamp {
                <$t>::expires_at(self)
            }
            fn issuer(&self) -> Option<&str> {
                <$t>::issuer(self)
            }
            fn status(&self) -> Option<&StatusRef> {
                <$t>::status(self)
            }
        }
    };
}
signed_claims!(FirstLevelClaims);
signed_claims!(SecondLevelClaims);

/// Proof that a trusted key, not denied and valid when the code says it
/// was issued, signed these claims (and that `iss`, if any, names its
/// issuer).
#[derive(Clone, Debug)]
pub(crate) struct SignatureChecked<C> {
    issuer: IssuerEntry,
    claims: C,
}

/// Proof that the code's dates hold at `at`: not before `iat`/`nbf`, not
/// after `exp`, with the policy's clock skew.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DatesChecked {
    at: Timestamp,
}

/// Everything step 1 proved about one code.
#[derive(Clone, Debug)]
pub(crate) struct StepOne<C> {
    signature: SignatureChecked<C>,
    dates: DatesChecked,
    revocation: Revocation,
}

impl<C> StepOne<C> {
    /// The trust-list entry of the key that signed.
    pub(crate) fn issuer(&self) -> &IssuerEntry {
        &self.signature.issuer
    }
    /// The verified claims.
    pub(crate) fn claims(&self) -> &C {
        &self.signature.claims
    }
    /// The time the dates were checked at.
    pub(crate) fn checked_at(&self) -> Timestamp {
        self.dates.at
    }
    /// What revocation found.
    pub(crate) fn revocation(&self) -> &Revocation {
        &self.revocation
    }
}

/// Step 1 at `now` (the caller has applied the clock floor): the
/// signature, then the claims read from the verified payload only, then
/// the dates, then revocation.
pub(crate) fn step_one<C: SignedClaims>(
    trust: &TrustList,
    lists: &StatusLists,
    policy: &Policy,
    sign1: &UnverifiedSign1,
    read_claims: impl FnOnce(&VerifiedPayload) -> Result<C, FormatError>,
    now: Timestamp,
) -> Result<StepOne<C>, VerifyError> {
    let signature = check_signature(trust, sign1, read_claims)?;
    let dates = check_dates(&signature.claims, policy, now)?;
    let revocation = lists.check(signature.claims.status(), &signature.issuer, policy)?;
    Ok(StepOne {
        signature,
        dates,
        revocation,
    })
}

fn check_signature<C: SignedClaims>(
    trust: &TrustList,
    sign1: &UnverifiedSign1,
    read_claims: impl FnOnce(&VerifiedPayload) -> Result<C, FormatError>,
) -> Result<SignatureChecked<C>, VerifyError> {
    let (signers, payload) = signers(trust, sign1)?;
    // Nothing in the payload is read before a trusted key verified it.
    let claims = read_claims(&payload)?;
    let issuer = signer_at(&signers, claims.issued_at(), claims.issuer())?.clone();
    Ok(SignatureChecked { issuer, claims })
}

fn check_dates(
    claims: &impl SignedClaims,
    policy: &Policy,
    now: Timestamp,
) -> Result<DatesChecked, VerifyError> {
    let mut skew = policy.clock_skew;
    if !enforced(Rule::ClockSkew) {
        skew += SignedDuration::from_secs(1);
    }
    let iat = claims.issued_at();
    let start = claims.not_before().unwrap_or(iat).max(iat);
    if shift(now, skew) < start && enforced(Rule::NotYetValid) {
        return Err(VerifyError::NotYetValid { from: start });
    }
    let exp = claims.expires_at();
    if shift(now, -skew) > exp && enforced(Rule::Expired) {
        return Err(VerifyError::Expired { on: exp });
    }
    Ok(DatesChecked { at: now })
}
