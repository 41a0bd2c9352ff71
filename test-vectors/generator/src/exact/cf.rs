//! Appendix C: the codice fiscale.

use attesta_core::cf::{CodiceFiscale, personal_check_char, temporary_check_digit};

use crate::cred::{cred, deaf};
use crate::vector::V;
use crate::world::{World, sha256};

/// A personal CF from its first 15 characters and the check character.
pub(crate) fn cf_of(first15: &str) -> String {
    format!(
        "{first15}{}",
        personal_check_char(first15).expect("15 characters")
    )
}

/// Personal CFs that together put every letter and digit at an odd and at
/// an even position, so that every entry of the check-character tables
/// counts in some vector. Picked greedily from a deterministic stream of
/// well-formed candidates.
pub(crate) fn cf_table_coverage() -> Vec<String> {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const MONTHS: &[u8] = b"ABCDEHLMPRST";
    const NUMERIC: &[u8] = b"0123456789LMNPQRSTUV";
    let mut stream = (0u64..).map(|i| sha256(format!("attesta test vector cf {i}").as_bytes()));
    let mut candidates = Vec::new();
    while candidates.len() < 4000 {
        let h = stream.next().expect("endless");
        let pick = |i: usize, set: &[u8]| char::from(set[usize::from(h[i]) % set.len()]);
        let mut s: Vec<char> = (0..15)
            .map(|i| match i {
                0..=5 | 11 => pick(i, LETTERS),
                8 => pick(i, MONTHS),
                _ => pick(i, NUMERIC),
            })
            .collect();
        // Day 01-28 (or 41-68) so that every month has it.
        let day = 1 + usize::from(h[20]) % 28 + if h[21] % 2 == 0 { 0 } else { 40 };
        let digit = |d: usize| {
            let c = char::from(b'0' + d as u8);
            if h[22] % 3 == 0 {
                char::from(NUMERIC[10 + d])
            } else {
                c
            }
        };
        s[9] = digit(day / 10);
        s[10] = digit(day % 10);
        let cf = cf_of(&s.iter().collect::<String>());
        CodiceFiscale::parse(&cf).expect("well formed");
        candidates.push(cf);
    }
    let cover = |cf: &str| -> Vec<(usize, char)> {
        cf.chars()
            .take(15)
            .enumerate()
            .map(|(i, c)| (i % 2, c))
            .collect()
    };
    let mut covered = std::collections::BTreeSet::new();
    let mut chosen = Vec::new();
    while covered.len() < 72 {
        let best = candidates
            .iter()
            .max_by_key(|cf| {
                cover(cf)
                    .into_iter()
                    .filter(|p| !covered.contains(p))
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            })
            .expect("candidates")
            .clone();
        let gain = cover(&best);
        assert!(
            gain.iter().any(|p| !covered.contains(p)),
            "no candidate adds coverage"
        );
        covered.extend(gain);
        chosen.push(best);
    }
    chosen
}

pub(crate) fn exact_cf(w: &World) -> Vec<V> {
    let mut out = Vec::new();
    let refused = |name: &'static str, desc: &str, typed: String, cf_error: &'static str| {
        let mut v = V::negative_issued(w, name, desc, cred(name, deaf()), "cf_malformed", "open");
        v.cf_for_verify = typed;
        v.set_cf_error(cf_error);
        v
    };
    let holder = |name: &'static str, desc: &str, cf: String| {
        let mut c = cred(name, deaf());
        c.cf = cf;
        V::positive(w, name, desc, c)
    };
    {
        let c = cred("cf-unicode-white-space", deaf());
        let mut v = V::positive(
            w,
            "cf-unicode-white-space",
            "The holder's codice fiscale typed with a no-break space, an ideographic space and an \
             em space inside: every Unicode White_Space character is removed before checking.",
            c,
        );
        v.cf_for_verify = "RSS\u{a0}MRA\u{3000}85T10\u{2003}A562S".into();
        out.push(v);
    }
    out.push(holder(
        "cf-29-february",
        "A holder born on 29 February (month B, day 29) of a year the code does not say: 29 \
         February is a day of birth.",
        cf_of("RSSMRA84B29A562"),
    ));
    out.push(holder(
        "cf-female-day-71",
        "A holder born on 31 January, a woman: day 31 + 40 = 71, the largest day.",
        cf_of("RSSMRA85A71A562"),
    ));
    out.push(holder(
        "cf-omocodia-every-digit",
        "A holder whose code has all seven digits replaced by omocodia letters (8→U, 5→R, \
         1→M, 0→L, 5→R, 6→S, 2→N), kept as given: the Argon2id password is the code as typed.",
        cf_of("RSSMRAURTMLARSN"),
    ));
    for (i, cf) in cf_table_coverage().into_iter().enumerate() {
        let name: &'static str =
            Box::leak(format!("cf-check-table-coverage-{}", i + 1).into_boxed_str());
        out.push(holder(
            name,
            "One of a set of holders whose codes put every letter and digit at an odd and at an \
             even position among their first 15 characters, so that every entry of the \
             check-character tables (docs/format.md, appendix C) decides some vector.",
            cf,
        ));
    }
    for (name, digits) in [
        ("cf-temporary-digits-1", "0123456789"),
        ("cf-temporary-digits-2", "1234567890"),
    ] {
        let cf = format!(
            "{digits}{}",
            temporary_check_digit(digits).expect("10 digits")
        );
        out.push(holder(
            name,
            "A temporary 11-digit code; with its companion vector, every digit appears at an \
             odd and at an even position, so every step of the check digit counts.",
            cf,
        ));
    }
    out.push(refused(
        "cf-digit-where-letter",
        "The codice fiscale typed with a digit in the surname (position 2), its check \
         character recomputed: positions 1–6 and 12 hold letters.",
        cf_of("R5SMRA85T10A562"),
        "cf_invalid_character",
    ));
    out.push(refused(
        "cf-bad-month-letter",
        "A codice fiscale whose month letter is F (not one of ABCDEHLMPRST), its check \
         character recomputed.",
        cf_of("RSSMRA85F10A562"),
        "cf_bad_month",
    ));
    out.push(refused(
        "cf-day-00",
        "A codice fiscale whose day is 00, its check character recomputed: days are 01–31 \
         and 41–71.",
        cf_of("RSSMRA85T00A562"),
        "cf_bad_day",
    ));
    out.push(refused(
        "cf-30-february",
        "A codice fiscale for 30 February, its check character recomputed.",
        cf_of("RSSMRA85B30A562"),
        "cf_bad_day",
    ));
    out.push(refused(
        "cf-31-april",
        "A codice fiscale for 31 April, its check character recomputed.",
        cf_of("RSSMRA85D31A562"),
        "cf_bad_day",
    ));
    out.push(refused(
        "cf-female-day-72",
        "A codice fiscale with day 72 (a woman born on the 32nd), its check character \
         recomputed.",
        cf_of("RSSMRA85A72A562"),
        "cf_bad_day",
    ));
    out.push(refused(
        "cf-non-ascii-letter",
        "The codice fiscale typed with À in the name: only the ASCII letters A–Z exist in a \
         codice fiscale, and only ASCII letters are uppercased.",
        "RSSMRÀ85T10A562S".into(),
        "cf_invalid_character",
    ));
    out
}
