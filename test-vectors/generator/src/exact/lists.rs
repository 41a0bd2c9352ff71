//! §5 dates and §11 trust and status lists at their edges.

use attesta_core::cbor_guard::CborLimits;
use attesta_core::claims::{self, ClaimSet};
use attesta_core::status_list::{CredentialStatus, StatusBits, StatusList};
use ciborium::Value;
use jiff::Timestamp;

use crate::craft::{eddsa, int, protected, sign1_items, signed_by_inps, tagged, zlib};
use crate::cred::{cred, deaf, status};
use crate::exact::ed25519::claims_of_trust;
use crate::vector::V;
use crate::world::{SlSpec, TL_EXP, World, base_list, inps_list_1, sign_list, ts};

pub(crate) fn exact_dates(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        let mut c = cred("dates-at-range-edges", deaf());
        c.iat = Timestamp::from_second(0).expect("epoch");
        c.exp = Timestamp::from_second(4_294_967_295).expect("2106");
        out.push(V::positive(
            w,
            "dates-at-range-edges",
            "A code issued at 0 (1970-01-01T00:00:00Z) and expiring at 2^32 − 1 \
             (2106-02-07T06:28:15Z): the first and the last NumericDate of the format.",
            c,
        ));
    }
    let date_claims = |name: &'static str, key: i64, val: i64| {
        let c = cred(name, deaf());
        let mut claims = c.claims();
        claims.set(key, int(val));
        signed_by_inps(w, claims.to_vec())
    };
    out.push(V::negative(
        w,
        "exp-beyond-date-range",
        "Signed claims with exp = 2^32 (2106-02-07T06:28:16Z), one past the last NumericDate \
         of the format.",
        date_claims("exp-beyond-date-range", claims::EXP, 4_294_967_296),
        "malformed_claims",
        "check",
    ));
    out.push(V::negative(
        w,
        "iat-negative",
        "Signed claims with iat = −1 (1969-12-31T23:59:59Z): NumericDates of the format are \
         unsigned.",
        date_claims("iat-negative", claims::IAT, -1),
        "malformed_claims",
        "check",
    ));
    {
        // The clock floor moves time forward by at most the skew: a trust
        // list issued 4 minutes "after" the device clock is accepted.
        let mut c = cred("expired-by-clock-floor-within-skew", deaf());
        c.exp = ts("2026-11-14T23:58:00Z");
        let mut v = V::negative_issued(
            w,
            "expired-by-clock-floor-within-skew",
            "The trust list is dated 2026-11-15T00:04:00Z, 4 minutes after the verification time \
             (within the 5-minute skew, so accepted), and becomes the clock floor. The code \
             expired at 2026-11-14T23:58:00Z: 2 minutes before the device's time, within the \
             skew, but 6 minutes before the floor. Time is max(now, floor).",
            c,
            "expired",
            "check",
        );
        v.trust_lists = vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-11-15T00:04:00Z",
            TL_EXP,
        )];
        out.push(v);
    }
    out
}

// --- §11.4 Status lists with equal iat ------------------------------------------

pub(crate) fn exact_status_ties(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let list = |revoked: bool, exp: Option<&'static str>| {
        let entries: &'static [(u64, CredentialStatus)] = if revoked {
            &[(17, CredentialStatus::Revoked)]
        } else {
            &[]
        };
        SlSpec {
            exp,
            entries,
            ..inps_list_1(w)
        }
        .sign()
    };
    let revoked = list(true, Some("2026-12-14T00:00:00Z"));
    let valid_same_exp = list(false, Some("2026-12-14T00:00:00Z"));
    let valid_later_exp = list(false, Some("2026-12-15T00:00:00Z"));
    let valid_no_exp = list(false, None);
    let cred17 = |name: &str| {
        let mut c = cred(name, deaf());
        c.status = status(17, "1");
        c
    };
    for (name, lists, order) in [
        (
            "status-tie-revoked-wins-revoked-first",
            vec![revoked.clone(), valid_same_exp.clone()],
            "the revoking list first",
        ),
        (
            "status-tie-revoked-wins-valid-first",
            vec![valid_same_exp.clone(), revoked.clone()],
            "the other list first",
        ),
    ] {
        let mut v = V::negative_issued(
            w,
            name,
            &format!(
                "Two lists \"1\" of INPS with the same iat (2026-11-14) and the same exp: one \
                 revokes entry 17, the other has it valid; loaded with {order}. Neither is newer, \
                 so the most severe answer stands: revoked, whatever the loading order."
            ),
            cred17(name),
            "revoked",
            "check",
        );
        v.status_lists = lists;
        out.push(v);
    }
    for (name, lists, desc) in [
        (
            "status-tie-later-exp-revoked-first",
            vec![revoked.clone(), valid_later_exp.clone()],
            "Two lists \"1\" of INPS with the same iat: the one that revokes entry 17 expires \
             2026-12-14, the one with it valid 2026-12-15; the revoking one loaded first. With \
             equal iat the later exp decides: valid, revocation checked.",
        ),
        (
            "status-tie-later-exp-valid-first",
            vec![valid_later_exp, revoked.clone()],
            "The same two lists loaded in the other order: valid, revocation checked.",
        ),
        (
            "status-tie-no-exp-is-latest",
            vec![revoked, valid_no_exp],
            "Two lists \"1\" of INPS with the same iat: the one that revokes entry 17 has an \
             exp, the one with it valid has none, which counts as later than any exp: valid.",
        ),
    ] {
        let mut v = V::positive(w, name, desc, cred17(name));
        v.status_lists = lists;
        v.set_revocation("checked");
        out.push(v);
    }
    {
        let mut v = V::negative_issued(
            w,
            "status-list-empty",
            "INPS's list \"1\" whose lst inflates to no bytes at all: a list of no entries is \
             malformed.",
            cred17("status-list-empty"),
            "status_list_malformed",
            "status_list",
        );
        let mut claims = claims_of_status(&inps_list_1(w).sign());
        claims.set(
            claims::STATUS_LIST,
            Value::Map(vec![
                (Value::Text("lst".into()), Value::Bytes(zlib(&[]))),
                (Value::Text("bits".into()), int(1)),
            ]),
        );
        let typ = (int(16), Value::Text("application/statuslist+cwt".into()));
        let prot = protected(eddsa(), Some(w.inps.kid().as_bytes().to_vec()), vec![typ]);
        v.status_lists = vec![tagged(sign1_items(&w.inps, prot, vec![], claims.to_vec()))];
        out.push(v);
    }
    out
}

/// Rules of trust lists and status lists that earlier vectors pinned only
/// together with another.
pub(crate) fn exact_lists(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    {
        let c = cred("trust-list-expired-young", deaf());
        let mut v = V::negative_issued(
            w,
            "trust-list-expired-young",
            "A trust list issued 2026-11-14 that expired 2026-11-14T12:00:00Z, checked on \
             2026-11-15: one day old, well within the maximum age of 30 days, but past its \
             exp.",
            c,
            "trust_list_stale",
            "trust_list",
        );
        v.trust_lists = vec![sign_list(
            &base_list(w),
            &w.root,
            "2026-11-14T00:00:00Z",
            "2026-11-14T12:00:00Z",
        )];
        out.push(v);
    }
    {
        let mut c = cred("status-list-lst-trailing-bytes", deaf());
        c.status = status(17, "1");
        let mut v = V::negative_issued(
            w,
            "status-list-lst-trailing-bytes",
            "INPS's list \"1\" whose lst is a valid zlib stream followed by 4 bytes (JUNK), \
             signed: one token, one reading.",
            c,
            "status_list_bad_compression",
            "status_list",
        );
        let mut claims = claims_of_status(&inps_list_1(w).sign());
        let mut list = StatusList::new(1024, StatusBits::One).expect("capacity");
        list.set(77, CredentialStatus::Revoked).expect("entry");
        let mut lst = list.compress();
        lst.extend_from_slice(b"JUNK");
        claims.set(
            claims::STATUS_LIST,
            Value::Map(vec![
                (Value::Text("lst".into()), Value::Bytes(lst)),
                (Value::Text("bits".into()), int(1)),
            ]),
        );
        let typ = (int(16), Value::Text("application/statuslist+cwt".into()));
        let prot = protected(eddsa(), Some(w.inps.kid().as_bytes().to_vec()), vec![typ]);
        v.status_lists = vec![tagged(sign1_items(&w.inps, prot, vec![], claims.to_vec()))];
        out.push(v);
    }
    out
}

pub(crate) fn claims_of_status(token: &[u8]) -> ClaimSet {
    ClaimSet::parse(&claims_of_trust(token), CborLimits::STRICT).expect("claims")
}
