//! docs/format.md against the code and the vectors: its tables of
//! examples give what the library gives, every vector it names exists
//! and, in a table row naming one reason code, expects that code, and
//! every reason code has its rule written down.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use attesta_core::cbor_guard::{self, CborLimits};
use attesta_core::cf::{personal_check_char, temporary_check_digit};
use attesta_core::error::FormatError;
use attesta_core::keys::{KeyError, PublicKey};
use attesta_core::text;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn format_md() -> String {
    read("docs/format.md")
}

/// The rows of the table whose header row starts with `header`, as cells.
fn table(doc: &str, header: &str) -> Vec<Vec<String>> {
    let start = doc
        .find(header)
        .unwrap_or_else(|| panic!("no table {header:?} in docs/format.md"));
    doc[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

/// The text between the first pair of backticks.
fn ticked(cell: &str) -> &str {
    cell.split('`').nth(1).unwrap_or(cell)
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn base45_examples() {
    let doc = format_md();
    let rows = table(&doc, "| Body | Bytes (hex) or error |");
    assert!(rows.len() >= 6);
    for r in rows {
        let body = if r[0] == "(empty)" { "" } else { ticked(&r[0]) };
        let want = ticked(&r[1]);
        let got = match text::decode_body(body, text::MAX_PAYLOAD_LEN) {
            Ok(b) => hex::encode(b),
            Err(e) => e.code().to_owned(),
        };
        assert_eq!(got, want, "base45 body {body:?}");
    }
}

#[test]
fn cbor_examples() {
    let doc = format_md();
    let rows = table(&doc, "| CBOR (hex) | Result |");
    assert!(rows.len() >= 10);
    for r in rows {
        let bytes = unhex(ticked(&r[0]));
        let got = match cbor_guard::check(&bytes, CborLimits::STRICT) {
            Ok(()) => "passes".to_owned(),
            Err(e) => FormatError::from(e).code().to_owned(),
        };
        let want = if r[1].starts_with("passes") {
            "passes"
        } else {
            ticked(&r[1])
        };
        assert_eq!(got, want, "CBOR {}", r[0]);
    }
}

#[test]
fn small_order_and_non_canonical_keys() {
    let doc = format_md();
    let rows = table(&doc, "| Encoding (hex) | Point | Refused as |");
    let mut small = BTreeSet::new();
    let mut non_canonical = BTreeSet::new();
    for r in &rows {
        let b: [u8; 32] = unhex(ticked(&r[0])).try_into().expect("32 bytes");
        let (want, set) = match r[2].as_str() {
            "small order" => (KeyError::SmallOrderKey, &mut small),
            "not canonical" => (KeyError::NonCanonicalKey, &mut non_canonical),
            other => panic!("unknown result {other}"),
        };
        assert_eq!(PublicKey::from_bytes(&b), Err(want), "{}", r[0]);
        set.insert(b);
    }
    // The tables are complete: 8 points of small order; every encoding
    // with y >= p (y = p + k, k < 19, either sign) or x = 0 with the sign
    // bit that decodes to a point is listed, and nothing else.
    assert_eq!(small.len(), 8);
    for b in &small {
        let k = ed25519_dalek::VerifyingKey::from_bytes(b).expect("a point");
        assert!(k.is_weak() && k.to_edwards().compress().to_bytes() == *b);
    }
    let mut candidates = Vec::new();
    for k in 0u8..19 {
        for sign in [0u8, 0x80] {
            let mut b = [0xffu8; 32];
            b[0] = 0xed + k;
            b[31] = 0x7f | sign;
            candidates.push(b);
        }
    }
    for y in [1u8, 0] {
        // y = 1 and y = p - 1 (= -1): the points with x = 0, sign bit set.
        let mut b = if y == 1 { [0u8; 32] } else { [0xffu8; 32] };
        b[0] = if y == 1 { 1 } else { 0xec };
        b[31] = if y == 1 { 0x80 } else { 0xff };
        candidates.push(b);
    }
    let decoding: BTreeSet<[u8; 32]> = candidates
        .into_iter()
        .filter(|b| ed25519_dalek::VerifyingKey::from_bytes(b).is_ok())
        .collect();
    assert_eq!(decoding, non_canonical);
    assert_eq!(
        non_canonical.len(),
        26,
        "the count docs/format.md §4.1 gives"
    );
}

#[test]
fn codice_fiscale_tables_and_examples() {
    let doc = format_md();
    let start = doc.find("| Character | 0 A |").expect("the odd table");
    let mut lines = doc[start..].lines();
    let header: Vec<&str> = lines.next().unwrap().trim_matches('|').split('|').collect();
    lines.next();
    let values: Vec<&str> = lines.next().unwrap().trim_matches('|').split('|').collect();
    let mut odd = BTreeMap::new();
    for (h, v) in header.iter().zip(&values).skip(1) {
        let v: u32 = v.trim().parse().expect("a value");
        for c in h.split_whitespace() {
            odd.insert(c.chars().next().unwrap(), v);
        }
    }
    assert_eq!(odd.len(), 36);
    // c at position 1 and fourteen A's: A is worth 1 at the seven odd
    // positions and 0 at the seven even ones.
    for (c, v) in &odd {
        let first15 = format!("{c}{}", "A".repeat(14));
        let want = char::from(b'A' + u8::try_from((v + 7) % 26).unwrap());
        assert_eq!(
            personal_check_char(&first15),
            Some(want),
            "odd value of {c}"
        );
    }
    // Even positions: digits their value, letters their index (c at 2).
    for (i, c) in ('0'..='9').chain('A'..='Z').enumerate() {
        let v = if i < 10 { i } else { i - 10 };
        let first15 = format!("A{c}{}", "A".repeat(13));
        // A at position 1 is 1, the seven odd A's from position 3 are 7,
        // the six even A's 0.
        let want = char::from(b'A' + u8::try_from((v + 8) % 26).unwrap());
        assert_eq!(
            personal_check_char(&first15),
            Some(want),
            "even value of {c}"
        );
    }
    for r in table(&doc, "| First characters | Check |") {
        let first = ticked(&r[0]);
        let want = ticked(&r[1]).chars().next().unwrap();
        let got = if first.len() == 15 {
            personal_check_char(first)
        } else {
            temporary_check_digit(first)
        };
        assert_eq!(got, Some(want), "check of {first}");
    }
}

/// Every `positive/NNN` and `negative/NNN` (with or without its name) in
/// `doc`, and the bare `` `NNN` `` that follow one in the same paragraph.
fn vector_refs(doc: &str) -> Vec<(String, String)> {
    let mut refs = Vec::new();
    for para in doc.split("\n\n").flat_map(|p| p.split("\n|")) {
        let mut dir: Option<&str> = None;
        let mut rest = para;
        while let Some(i) = rest.find(['`', 'p', 'n']) {
            let tail = &rest[i..];
            let found = ["positive/", "negative/"]
                .into_iter()
                .find(|d| tail.starts_with(d));
            if let Some(d) = found {
                let after = &tail[d.len()..];
                let num: String = after.chars().take_while(char::is_ascii_digit).collect();
                if num.len() == 3 {
                    let name: String = after[3..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect();
                    let d = d.trim_end_matches('/');
                    dir = Some(d);
                    refs.push((d.to_owned(), format!("{num}{name}")));
                    rest = &after[3..];
                    continue;
                }
            }
            let b = tail.as_bytes();
            if b.first() == Some(&b'`')
                && let Some(d) = dir
                && b.len() > 4
                && b[1..4].iter().all(u8::is_ascii_digit)
                && b[4] == b'`'
            {
                refs.push((d.to_owned(), tail[1..4].to_owned()));
                rest = &tail[5..];
                continue;
            }
            rest = &tail[1..];
        }
    }
    refs
}

fn vector_file(dir: &str, r: &str) -> Option<PathBuf> {
    let d = root().join("test-vectors").join(dir);
    let num = &r[..3];
    let entries = std::fs::read_dir(&d).ok()?;
    entries.filter_map(|e| e.ok().map(|e| e.path())).find(|p| {
        let f = p.file_name().and_then(|f| f.to_str()).unwrap_or("");
        if r.len() > 3 {
            f == format!("{r}.json") || f == r
        } else {
            f.starts_with(num) && f.as_bytes().get(3) == Some(&b'-')
        }
    })
}

#[test]
fn every_vector_named_exists() {
    for doc in ["docs/format.md", "test-vectors/README.md"] {
        let text = read(doc);
        let refs = vector_refs(&text);
        assert!(refs.len() > 20, "{doc}: {} references", refs.len());
        let missing: Vec<String> = refs
            .iter()
            .filter(|(d, r)| vector_file(d, r.trim_end_matches(".json")).is_none())
            .map(|(d, r)| format!("{d}/{r}"))
            .collect();
        assert!(
            missing.is_empty(),
            "{doc} names vectors that do not exist: {missing:?}"
        );
    }
}

/// Every reason code a verification can end with (the verdict table of
/// docs/verifier-guide.md, which `verdicts.rs` checks against the code).
fn reason_codes() -> BTreeSet<String> {
    let guide = read("docs/verifier-guide.md");
    table(&guide, "| reason | verdict |")
        .into_iter()
        .map(|r| ticked(&r[0]).to_owned())
        .collect()
}

#[test]
fn every_reason_code_has_its_rule_in_the_spec() {
    let doc = format_md();
    // Problems of the application around the verifier, not of the format.
    let outside = [
        "no_readable_code",
        "input_unreadable",
        "list_unreadable",
        "cf_not_checked",
    ];
    let mut codes = reason_codes();
    codes.extend(
        [
            "cf_empty",
            "cf_wrong_length",
            "cf_invalid_character",
            "cf_bad_month",
            "cf_bad_day",
            "cf_wrong_check_character",
            "cf_wrong_check_digit",
        ]
        .map(str::to_owned),
    );
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !outside.contains(&c.as_str()) && !doc.contains(&format!("`{c}`")))
        .collect();
    assert!(missing.is_empty(), "docs/format.md never names {missing:?}");
}

/// In a table row of docs/format.md that names exactly one reason code,
/// every negative vector the row names expects that code.
#[test]
fn table_rows_agree_with_their_vectors() {
    let doc = format_md();
    let codes = reason_codes();
    let mut checked = 0;
    for line in doc.lines().filter(|l| l.starts_with('|')) {
        let named: BTreeSet<&str> = line
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|t| codes.contains(*t))
            .collect();
        if named.len() != 1 {
            continue;
        }
        let code = *named.iter().next().unwrap();
        for (dir, r) in vector_refs(line) {
            if dir != "negative" {
                continue;
            }
            let f = vector_file(&dir, &r).unwrap_or_else(|| panic!("negative/{r}"));
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            assert_eq!(
                v["expected"]["expected_error"],
                code,
                "docs/format.md says {} gives {code}: {line}",
                f.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} rows checked");
}
