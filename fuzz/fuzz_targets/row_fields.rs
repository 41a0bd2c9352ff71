//! The parsers a batch row's cells go through (the CLI's `Fields::parse`
//! lives in the binary crate; these are the library calls it makes): CSV
//! records, codice fiscale, percentage, handicap grade, blindness class,
//! dates. Each accepted value must survive a print-and-parse round trip.
#![no_main]

use attesta_core::cf::CodiceFiscale;
use attesta_core::model::{BlindnessClass, HandicapGrade, Percent};
use jiff::civil::Date;
use libfuzzer_sys::fuzz_target;

fn cell(s: &str) {
    if let Ok(cf) = CodiceFiscale::parse(s) {
        let again = CodiceFiscale::parse(cf.as_str()).expect("normalised CF parses");
        assert_eq!(again, cf);
        assert!(!format!("{cf:?}").contains(&cf.as_str()[3..15.min(cf.as_str().len() - 1)]));
    }
    if let Ok(p) = s.parse::<Percent>() {
        assert!(p.hundredths() <= 10_000);
        assert_eq!(
            p.to_string().parse::<Percent>().expect("printed percent"),
            p
        );
    }
    let _ = s.parse::<HandicapGrade>();
    let _ = s.parse::<BlindnessClass>();
    if let Ok(d) = s.trim().parse::<Date>() {
        let _ = d.at(23, 59, 59, 0);
    }
    let _ = s.trim().parse::<u32>();
}

fuzz_target!(|data: &[u8]| {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    if let Ok(h) = rdr.headers() {
        h.iter().for_each(cell);
    }
    for rec in rdr.records().take(64) {
        match rec {
            Ok(r) => r.iter().for_each(cell),
            Err(_) => break,
        }
    }
    // JSONL rows: each line an object of strings.
    for line in data.split(|b| *b == b'\n').take(16) {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(line) {
            for v in m.values() {
                if let serde_json::Value::String(s) = v {
                    cell(s);
                }
            }
        }
    }
});
