//! The rules of docs/format.md that a verifier enforces, each with a
//! stable name, so that every one of them can be shown to be pinned by a
//! published test vector.
//!
//! The code checks a rule through [`enforced`], which is a constant `true`
//! in every normal build. The **mutation check** (`test-vectors/mutate.sh`,
//! which runs `cargo test -p attesta-verify --features mutants --test
//! mutations`) builds the crates with the `mutants` feature, switches off
//! one rule at a time (replacing it with the mistake another
//! implementation could plausibly make, described on each variant) and
//! requires the vector that test-vectors/README.md names for the rule to
//! fail. A rule no vector notices is a rule other implementations could
//! get wrong unnoticed.
//!
//! ```
//! use attesta_core::rules::{Rule, enforced};
//! assert!(enforced(Rule::Base45Canonical)); // always, outside the mutation check
//! assert_eq!(Rule::Base45Canonical.id(), "text.base45.canonical");
//! assert!(Rule::ALL.iter().all(|r| Rule::from_id(r.id()) == Some(*r)));
//! ```

/// One rule of the format specification, as the verifier enforces it. The
/// text after each name is the mistake the mutation check substitutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    // §2 Text layer
    /// `AT<n>:`/`AD<n>:` of another version is `unsupported_version`
    /// (mistake: `bad_prefix`).
    PrefixVersion,
    /// `at1:`/`ad1:` in the wrong case is `lowercase_text` (mistake: `bad_prefix`).
    PrefixLowercase,
    /// A code of the other level is `wrong_level` (mistake: read it as this level).
    PrefixLevel,
    /// SP, HT, CR, LF and U+FEFF are trimmed at both ends (mistake: nothing is trimmed).
    Trim,
    /// Only those five are trimmed (mistake: every Unicode White_Space character is).
    TrimOnlyListed,
    /// A code in a verifier address's fragment is unwrapped (mistake: the
    /// address is read as a code).
    VerifyUrlUnwrap,
    /// Nothing is trimmed inside the fragment (mistake: it is trimmed).
    VerifyUrlFragmentUntrimmed,
    /// Every `%` of the fragment is followed by two hexadecimal digits
    /// (mistake: a malformed escape kept as it is).
    VerifyUrlEscapes,
    /// At most 4296 bytes after trimming (mistake: 4297).
    MaxTextLength,
    /// Lowercase letters in the body are `lowercase_text` (mistake: `bad_base45`).
    Base45Lowercase,
    /// Base45 is canonical: a final pair above 255 is `bad_base45`
    /// (mistake: decode it modulo 256).
    Base45Canonical,
    /// A body starting with `0x78` is inflated (mistake: never inflate).
    ZlibDetect,
    /// The zlib stream is strictly shorter than what it inflates to
    /// (mistake: any length).
    ZlibShorter,
    /// No byte after the zlib stream (mistake: ignore them).
    ZlibTrailing,
    /// Inflating stops at 4096 bytes (mistake: 4097).
    ZlibCap,
    // §3 CBOR
    /// Exactly one item, nothing after it (mistake: ignore trailing bytes).
    CborSingleItem,
    /// Depth at most 8 (mistake: 9).
    CborDepth,
    /// Depth counts every item, scalars included (mistake: only containers).
    CborDepthCountsLeaves,
    /// At most the limit's number of items (mistake: one more).
    CborItems,
    /// Definite lengths only (mistake: indefinite accepted).
    CborDefinite,
    /// No map repeats a key, at any depth (mistake: repeats accepted).
    CborUniqueKeys,
    /// Integers, lengths and tags in their shortest form (mistake: any form).
    CborShortest,
    /// No bignums, tags 2 and 3 (mistake: accepted).
    CborNoBignum,
    /// Of major type 7 only false, true, null (mistake: floats, undefined and
    /// simple values accepted).
    CborSimpleValues,
    /// Text strings are valid UTF-8 (mistake: not checked by the guard).
    CborUtf8,
    // §3 COSE
    /// Tag 18 (mistake: an untagged COSE_Sign1 accepted).
    CoseTag,
    /// The protected header passes the same CBOR check (mistake: not checked).
    CoseProtectedGuarded,
    /// An `alg` in the unprotected header is refused (mistake: not checked).
    CoseAlgNotUnprotected,
    /// `alg` is -8 (mistake: any `alg` accepted).
    CoseAlgEdDsa,
    /// The unprotected header is empty (mistake: anything accepted there).
    CoseUnprotectedEmpty,
    /// No `crit` (mistake: ignored).
    CoseNoCrit,
    /// The protected header has alg, kid and typ only (mistake: other
    /// parameters ignored).
    CoseKnownParameters,
    // §4 Ed25519
    /// S < L (mistake: S reduced modulo L).
    Ed25519CanonicalS,
    /// R is not of small order (mistake: not checked).
    Ed25519RNotSmallOrder,
    /// The cofactorless equation, R compared as bytes (mistake: the
    /// cofactored equation `[8][S]B = [8]R + [8][k]A`).
    Ed25519Cofactorless,
    /// A public key is the canonical encoding of a point (mistake: y ≥ p and
    /// x = 0 with the sign bit accepted).
    Ed25519KeyCanonical,
    /// A public key is not of small order (mistake: accepted).
    Ed25519KeyNotSmallOrder,
    /// Every trusted key with the kid is tried (mistake: only the first).
    KidTriesEveryKey,
    // §5 Claims
    /// Text claim keys are ignored (mistake: `malformed_claims`).
    ClaimsTextKeysIgnored,
    /// Unknown integer claims are ignored (mistake: `malformed_claims`).
    ClaimsUnknownIgnored,
    /// A NumericDate is an integer from 0 to 2³²−1 (mistake: any 64-bit integer).
    DateRange,
    /// A malformed `status` claim is `malformed_claims` (mistake: treated as absent).
    StatusClaimShape,
    // §6 Envelope
    /// KDF caps (mistake: each cap one higher).
    KdfCaps,
    /// KDF floor (mistake: no floor).
    KdfFloor,
    /// The holder's secret's check symbol is checked before the KDF (mistake: not checked).
    SecretCheckSymbol,
    // §7 Plaintext and flags
    /// The plaintext is exactly `82 19 hh ll 19 hh ll` (mistake: shorter
    /// integer forms accepted).
    PlaintextForm,
    /// Flag bit 11 set is `unknown_flags` (mistake: ignored).
    FlagsReservedBit,
    /// Invalidity codes 9–14 are `unknown_flags` (mistake: read as none).
    FlagsInvalidityCode,
    /// Handicap value 3 is `unknown_flags` (mistake: read as none).
    FlagsHandicapValue,
    /// Vehicle value 3 is `unknown_flags` (mistake: read as none).
    FlagsVehicleValue,
    // §8 Model rules
    /// At least one status (mistake: not checked).
    ModelAnyStatus,
    /// Accompaniment's conditions (mistake: not checked).
    ModelAccompaniment,
    /// L. 68/99's conditions (mistake: not checked).
    ModelL68,
    /// A blindness class needs civil blindness (mistake: not checked).
    ModelClassNeedsBlindness,
    /// Vehicle value 2 needs handicap grave (mistake: not checked).
    ModelVehicleNeedsGrave,
    /// The statuses-only form has no blindness class (mistake: not checked).
    ModelStatusOnlyNoClass,
    // §9 Verification
    /// A kid in `denied` (mistake: not checked).
    DeniedKid,
    /// A fingerprint in `denied_keys` (mistake: not checked).
    DeniedKey,
    /// The key's window contains `iat` (mistake: not checked).
    KeyWindow,
    /// `iss` names the key's issuer (mistake: not checked).
    IssuerMatches,
    /// Not before max(iat, nbf) − skew (mistake: not checked).
    NotYetValid,
    /// Not after exp + skew (mistake: not checked).
    Expired,
    /// The skew is exactly 5 minutes (mistake: one second more).
    ClockSkew,
    /// Time is never before the newest accepted trust list's `iat`
    /// (mistake: the device clock alone).
    ClockFloor,
    // §11 Status lists
    /// Only a list of the credential's own key answers (mistake: a list of
    /// any key of the same issuer id).
    StatusSameKey,
    /// The list with the newest `iat` answers (mistake: the first loaded).
    StatusNewest,
    /// Between equal `iat`s, the later `exp` (mistake: `exp` ignored).
    StatusTieExp,
    /// Between lists still tied, the most severe answer (mistake: the last loaded).
    StatusTieSeverity,
    /// A list of another issuer under the uri is `status_list_wrong_issuer`
    /// (mistake: "not checked").
    StatusWrongIssuer,
    /// Revocation required and not checked is an error (mistake: not checked is accepted).
    StatusRequired,
    /// An index beyond the list is `status_index_out_of_range` (mistake: valid).
    StatusIndexInRange,
    /// Value 2 is `suspended` (mistake: valid).
    StatusSuspended,
    /// Value 3 is `revoked` (mistake: valid).
    StatusValue3,
    /// A list's content type (mistake: not checked).
    StatusListTyp,
    /// A list not signed by a trusted, not denied key is
    /// `status_list_untrusted` (mistake: the code's error, e.g. `bad_signature`).
    StatusListTrusted,
    /// A list is not from the future (mistake: not checked).
    StatusListNotFuture,
    /// A list is not past `exp` + skew (mistake: not checked).
    StatusListExp,
    /// A list is at most 30 days old (mistake: not checked).
    StatusListAge,
    /// `bits` is 1 or 2 (mistake: 4 and 8 read as 2).
    StatusListBits,
    /// `lst` has no bytes after its zlib stream (mistake: ignored).
    StatusListTrailing,
    // §10 Trust lists
    /// A trust list's content type (mistake: not checked).
    TrustTyp,
    /// A trust list is signed by the pinned root (mistake: not checked).
    TrustSignature,
    /// `seq` never goes back (mistake: not checked).
    TrustRollback,
    /// A trust list is not from the future (mistake: not checked).
    TrustNotFuture,
    /// A trust list is not past `exp` (mistake: not checked).
    TrustExp,
    /// A trust list is at most 30 days old (mistake: not checked).
    TrustAge,
    /// Kids denied before stay denied (mistake: not checked).
    TrustDeniedKidsKept,
    /// A denied kid is never listed again (mistake: not checked).
    TrustDeniedKidNotListed,
    /// Fingerprints denied before stay denied (mistake: not checked).
    TrustDeniedKeysKept,
    /// A denied key is never listed again (mistake: not checked).
    TrustDeniedKeyNotListed,
    // §12 Second level
    /// The operator key is accredited (mistake: not checked).
    OperatorAccredited,
    /// `aud` is one of the key's operator ids (mistake: not checked).
    AudienceMatches,
    /// The details state something (mistake: not checked).
    DetailsNotEmpty,
    /// Known details have their types and ranges (mistake: out-of-range
    /// values clamped, wrong types read as unknown).
    DetailsValues,
    /// An unknown details key is `unknown_flags` (mistake: ignored).
    DetailsUnknownKey,
    /// The judgement is at most 120 characters (mistake: 121).
    JudgementMaxChars,
    /// Characters are Unicode scalar values (mistake: UTF-8 bytes counted).
    JudgementCountsChars,
    /// A judgement of White_Space only is blank (mistake: ASCII white space only).
    JudgementBlank,
    // Appendix C: codice fiscale
    /// Every White_Space character is removed (mistake: ASCII white space only).
    CfWhitespace,
    /// ASCII letters are uppercased (mistake: lowercase refused).
    CfUppercase,
    /// Letters where the layout has letters (mistake: not checked).
    CfLayout,
    /// Omocodia letters stand for digits (mistake: refused).
    CfOmocodia,
    /// The month letter is one of ABCDEHLMPRST (mistake: not checked).
    CfMonth,
    /// The day is 01–31 or 41–71 (mistake: not checked).
    CfDayRange,
    /// Days 41–71 are accepted (mistake: only 01–31).
    CfFemaleDays,
    /// The day exists in its month (mistake: not checked).
    CfDayInMonth,
    /// 29 February exists (mistake: February has 28 days).
    CfFebruary29,
    /// The check character (mistake: not checked).
    CfCheckCharacter,
    /// The temporary code's check digit (mistake: not checked).
    CfTemporaryCheckDigit,
}

impl Rule {
    /// Every rule, in the order of docs/format.md.
    pub const ALL: &'static [Rule] = &[
        Rule::PrefixVersion,
        Rule::PrefixLowercase,
        Rule::PrefixLevel,
        Rule::Trim,
        Rule::TrimOnlyListed,
        Rule::VerifyUrlUnwrap,
        Rule::VerifyUrlFragmentUntrimmed,
        Rule::VerifyUrlEscapes,
        Rule::MaxTextLength,
        Rule::Base45Lowercase,
        Rule::Base45Canonical,
        Rule::ZlibDetect,
        Rule::ZlibShorter,
        Rule::ZlibTrailing,
        Rule::ZlibCap,
        Rule::CborSingleItem,
        Rule::CborDepth,
        Rule::CborDepthCountsLeaves,
        Rule::CborItems,
        Rule::CborDefinite,
        Rule::CborUniqueKeys,
        Rule::CborShortest,
        Rule::CborNoBignum,
        Rule::CborSimpleValues,
        Rule::CborUtf8,
        Rule::CoseTag,
        Rule::CoseProtectedGuarded,
        Rule::CoseAlgNotUnprotected,
        Rule::CoseAlgEdDsa,
        Rule::CoseUnprotectedEmpty,
        Rule::CoseNoCrit,
        Rule::CoseKnownParameters,
        Rule::Ed25519CanonicalS,
        Rule::Ed25519RNotSmallOrder,
        Rule::Ed25519Cofactorless,
        Rule::Ed25519KeyCanonical,
        Rule::Ed25519KeyNotSmallOrder,
        Rule::KidTriesEveryKey,
        Rule::ClaimsTextKeysIgnored,
        Rule::ClaimsUnknownIgnored,
        Rule::DateRange,
        Rule::StatusClaimShape,
        Rule::KdfCaps,
        Rule::KdfFloor,
        Rule::SecretCheckSymbol,
        Rule::PlaintextForm,
        Rule::FlagsReservedBit,
        Rule::FlagsInvalidityCode,
        Rule::FlagsHandicapValue,
        Rule::FlagsVehicleValue,
        Rule::ModelAnyStatus,
        Rule::ModelAccompaniment,
        Rule::ModelL68,
        Rule::ModelClassNeedsBlindness,
        Rule::ModelVehicleNeedsGrave,
        Rule::ModelStatusOnlyNoClass,
        Rule::DeniedKid,
        Rule::DeniedKey,
        Rule::KeyWindow,
        Rule::IssuerMatches,
        Rule::NotYetValid,
        Rule::Expired,
        Rule::ClockSkew,
        Rule::ClockFloor,
        Rule::StatusSameKey,
        Rule::StatusNewest,
        Rule::StatusTieExp,
        Rule::StatusTieSeverity,
        Rule::StatusWrongIssuer,
        Rule::StatusRequired,
        Rule::StatusIndexInRange,
        Rule::StatusSuspended,
        Rule::StatusValue3,
        Rule::StatusListTyp,
        Rule::StatusListTrusted,
        Rule::StatusListNotFuture,
        Rule::StatusListExp,
        Rule::StatusListAge,
        Rule::StatusListBits,
        Rule::StatusListTrailing,
        Rule::TrustTyp,
        Rule::TrustSignature,
        Rule::TrustRollback,
        Rule::TrustNotFuture,
        Rule::TrustExp,
        Rule::TrustAge,
        Rule::TrustDeniedKidsKept,
        Rule::TrustDeniedKidNotListed,
        Rule::TrustDeniedKeysKept,
        Rule::TrustDeniedKeyNotListed,
        Rule::OperatorAccredited,
        Rule::AudienceMatches,
        Rule::DetailsNotEmpty,
        Rule::DetailsValues,
        Rule::DetailsUnknownKey,
        Rule::JudgementMaxChars,
        Rule::JudgementCountsChars,
        Rule::JudgementBlank,
        Rule::CfWhitespace,
        Rule::CfUppercase,
        Rule::CfLayout,
        Rule::CfOmocodia,
        Rule::CfMonth,
        Rule::CfDayRange,
        Rule::CfFemaleDays,
        Rule::CfDayInMonth,
        Rule::CfFebruary29,
        Rule::CfCheckCharacter,
        Rule::CfTemporaryCheckDigit,
    ];

    /// The stable name used in test-vectors/README.md and by the mutation
    /// check, e.g. `text.base45.canonical`.
    pub fn id(self) -> &'static str {
        use Rule as R;
        match self {
            R::PrefixVersion => "text.prefix.version",
            R::PrefixLowercase => "text.prefix.lowercase",
            R::PrefixLevel => "text.prefix.level",
            R::Trim => "text.trim",
            R::TrimOnlyListed => "text.trim.only_listed",
            R::VerifyUrlUnwrap => "text.url.unwrap",
            R::VerifyUrlFragmentUntrimmed => "text.url.untrimmed",
            R::VerifyUrlEscapes => "text.url.escapes",
            R::MaxTextLength => "text.max_length",
            R::Base45Lowercase => "text.base45.lowercase",
            R::Base45Canonical => "text.base45.canonical",
            R::ZlibDetect => "text.zlib.detect",
            R::ZlibShorter => "text.zlib.shorter",
            R::ZlibTrailing => "text.zlib.trailing",
            R::ZlibCap => "text.zlib.cap",
            R::CborSingleItem => "cbor.single_item",
            R::CborDepth => "cbor.depth",
            R::CborDepthCountsLeaves => "cbor.depth.leaves",
            R::CborItems => "cbor.items",
            R::CborDefinite => "cbor.definite",
            R::CborUniqueKeys => "cbor.unique_keys",
            R::CborShortest => "cbor.shortest",
            R::CborNoBignum => "cbor.bignum",
            R::CborSimpleValues => "cbor.simple",
            R::CborUtf8 => "cbor.utf8",
            R::CoseTag => "cose.tag",
            R::CoseProtectedGuarded => "cose.protected.cbor",
            R::CoseAlgNotUnprotected => "cose.alg.unprotected",
            R::CoseAlgEdDsa => "cose.alg.eddsa",
            R::CoseUnprotectedEmpty => "cose.unprotected.empty",
            R::CoseNoCrit => "cose.crit",
            R::CoseKnownParameters => "cose.protected.parameters",
            R::Ed25519CanonicalS => "ed25519.s.canonical",
            R::Ed25519RNotSmallOrder => "ed25519.r.small_order",
            R::Ed25519Cofactorless => "ed25519.equation",
            R::Ed25519KeyCanonical => "ed25519.a.canonical",
            R::Ed25519KeyNotSmallOrder => "ed25519.a.small_order",
            R::KidTriesEveryKey => "verify.kid.every_key",
            R::ClaimsTextKeysIgnored => "claims.text_keys",
            R::ClaimsUnknownIgnored => "claims.unknown",
            R::DateRange => "claims.date.range",
            R::StatusClaimShape => "claims.status",
            R::KdfCaps => "kdf.caps",
            R::KdfFloor => "kdf.floor",
            R::SecretCheckSymbol => "secret.check_symbol",
            R::PlaintextForm => "plaintext.form",
            R::FlagsReservedBit => "flags.bit11",
            R::FlagsInvalidityCode => "flags.invalidity",
            R::FlagsHandicapValue => "flags.handicap",
            R::FlagsVehicleValue => "flags.vehicle",
            R::ModelAnyStatus => "model.any_status",
            R::ModelAccompaniment => "model.accompaniment",
            R::ModelL68 => "model.l68",
            R::ModelClassNeedsBlindness => "model.class",
            R::ModelVehicleNeedsGrave => "model.vehicle",
            R::ModelStatusOnlyNoClass => "model.status_only",
            R::DeniedKid => "verify.denied.kid",
            R::DeniedKey => "verify.denied.key",
            R::KeyWindow => "verify.key_window",
            R::IssuerMatches => "verify.iss",
            R::NotYetValid => "verify.nbf",
            R::Expired => "verify.exp",
            R::ClockSkew => "verify.skew",
            R::ClockFloor => "verify.clock_floor",
            R::StatusSameKey => "status.same_key",
            R::StatusNewest => "status.newest",
            R::StatusTieExp => "status.tie.exp",
            R::StatusTieSeverity => "status.tie.severity",
            R::StatusWrongIssuer => "status.wrong_issuer",
            R::StatusRequired => "status.required",
            R::StatusIndexInRange => "status.index",
            R::StatusSuspended => "status.value.suspended",
            R::StatusValue3 => "status.value.3",
            R::StatusListTyp => "status_list.typ",
            R::StatusListTrusted => "status_list.trusted",
            R::StatusListNotFuture => "status_list.future",
            R::StatusListExp => "status_list.exp",
            R::StatusListAge => "status_list.age",
            R::StatusListBits => "status_list.bits",
            R::StatusListTrailing => "status_list.trailing",
            R::TrustTyp => "trust.typ",
            R::TrustSignature => "trust.signature",
            R::TrustRollback => "trust.rollback",
            R::TrustNotFuture => "trust.future",
            R::TrustExp => "trust.exp",
            R::TrustAge => "trust.age",
            R::TrustDeniedKidsKept => "trust.denied_kids.kept",
            R::TrustDeniedKidNotListed => "trust.denied_kids.not_listed",
            R::TrustDeniedKeysKept => "trust.denied_keys.kept",
            R::TrustDeniedKeyNotListed => "trust.denied_keys.not_listed",
            R::OperatorAccredited => "l2.operator",
            R::AudienceMatches => "l2.aud",
            R::DetailsNotEmpty => "l2.details.not_empty",
            R::DetailsValues => "l2.details.values",
            R::DetailsUnknownKey => "l2.details.unknown_key",
            R::JudgementMaxChars => "l2.judgement.max",
            R::JudgementCountsChars => "l2.judgement.chars",
            R::JudgementBlank => "l2.judgement.blank",
            R::CfWhitespace => "cf.whitespace",
            R::CfUppercase => "cf.uppercase",
            R::CfLayout => "cf.layout",
            R::CfOmocodia => "cf.omocodia",
            R::CfMonth => "cf.month",
            R::CfDayRange => "cf.day.range",
            R::CfFemaleDays => "cf.day.female",
            R::CfDayInMonth => "cf.day.in_month",
            R::CfFebruary29 => "cf.day.february_29",
            R::CfCheckCharacter => "cf.check_character",
            R::CfTemporaryCheckDigit => "cf.temporary.check_digit",
        }
    }

    /// The rule with this [`Rule::id`].
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.id() == id)
    }
}

/// Whether `rule` is enforced: always, except while the mutation check
/// has switched it off in a build with the `mutants` feature.
#[inline(always)]
pub fn enforced(rule: Rule) -> bool {
    #[cfg(feature = "mutants")]
    {
        mutation::broken() != Some(rule)
    }
    #[cfg(not(feature = "mutants"))]
    {
        let _ = rule;
        true
    }
}

/// The switch of the mutation check. Only in builds with the `mutants`
/// feature, which nothing but the mutation check enables.
#[cfg(feature = "mutants")]
pub mod mutation {
    use super::Rule;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static BROKEN: AtomicUsize = AtomicUsize::new(usize::MAX);

    /// Switches `rule` off (and every other rule on), or, with `None`,
    /// every rule on.
    pub fn break_rule(rule: Option<Rule>) {
        let i = rule
            .and_then(|r| Rule::ALL.iter().position(|x| *x == r))
            .unwrap_or(usize::MAX);
        BROKEN.store(i, Ordering::SeqCst);
    }

    /// The rule switched off, if any.
    pub fn broken() -> Option<Rule> {
        Rule::ALL.get(BROKEN.load(Ordering::Relaxed)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_all_is_complete() {
        let mut ids = std::collections::BTreeSet::new();
        for r in Rule::ALL {
            assert!(ids.insert(r.id()), "{} twice", r.id());
        }
        assert!(ids.iter().all(|id| Rule::from_id(id).is_some()));
    }
}
