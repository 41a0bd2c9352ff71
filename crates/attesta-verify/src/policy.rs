//! What a verifier accepts: clock skew, list ages, KDF limits, and what to
//! do without revocation information. The defaults are documented in
//! docs/verifier-guide.md.

use attesta_core::envelope::KdfLimits;
use jiff::{SignedDuration, Timestamp};

use crate::trust::TrustPolicy;

/// What to do when a code has a status-list reference but no current list
/// for it was loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
///
/// The default is the lax one, on purpose: a counter that has not yet
/// downloaded its issuer's list still answers, and the answer says that
/// revocation was not checked ([`crate::Revocation::NotChecked`], shown to
/// the operator and in the JSON report). Verifiers that must never accept
/// without a list choose [`RevocationPolicy::Require`].
pub enum RevocationPolicy {
    /// **Lax (the default).** Accept, and say in the result that revocation
    /// was not checked.
    #[default]
    ReportNotChecked,
    /// Refuse with [`crate::VerifyError::RevocationNotChecked`].
    Require,
}

/// Verification policy. The defaults are documented in docs/verifier-guide.md.
///
/// `kdf_limits` holds the caps on a code's KDF parameters and their floor
/// (the issuing default, 19 MiB and 2 passes): first-level codes below
/// the floor are refused in step 1 (`kdf_below_floor`), the inner layer of
/// second-level tokens when it is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Tolerance for clock differences between issuer and verifier,
    /// applied to `iat`, `nbf` and `exp` of codes and to the `iat` and
    /// `exp` of status lists. Default ±5 minutes. (Trust lists have their
    /// own, [`TrustPolicy::clock_skew`].)
    pub clock_skew: SignedDuration,
    /// Trust-list age limits.
    pub trust: TrustPolicy,
    /// Status lists issued longer ago than this are stale even without
    /// `exp`. Default 30 days.
    pub status_list_max_age: SignedDuration,
    /// Limits on the KDF parameters a code may ask for.
    pub kdf_limits: KdfLimits,
    /// Missing revocation information. Default: the lax
    /// [`RevocationPolicy::ReportNotChecked`].
    pub revocation: RevocationPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            clock_skew: SignedDuration::from_mins(5),
            trust: TrustPolicy::default(),
            status_list_max_age: SignedDuration::from_hours(24 * 30),
            kdf_limits: KdfLimits::default(),
            revocation: RevocationPolicy::default(),
        }
    }
}

/// `t + d`, saturating at the ends of time instead of panicking: dates
/// come from untrusted codes.
pub(crate) fn shift(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}
