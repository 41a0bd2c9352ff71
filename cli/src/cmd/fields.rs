//! The first-level fields of one credential, from flags or from a batch row.

use anyhow::Result;
use attesta_core::cf::CodiceFiscale;
use attesta_core::model::{
    Attestation, BlindnessClass, HandicapGrade, InvalidityAssessment, Percent,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use serde::Deserialize;

use crate::cli::FieldArgs;

/// Default validity of a first-level code.
pub const DEFAULT_VALID_DAYS: u32 = 365;

/// One credential's fields as text, the way flags and CSV cells give them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    pub cf: Option<String>,
    #[serde(default)]
    pub invalidita: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub minore: bool,
    #[serde(default, deserialize_with = "flag")]
    pub over65: bool,
    #[serde(default)]
    pub cecita: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub sordita: bool,
    #[serde(default)]
    pub handicap: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub disabilita: bool,
    #[serde(default, deserialize_with = "flag")]
    pub accompagnamento: bool,
    #[serde(
        default,
        deserialize_with = "flag",
        alias = "deambulazione_ridotta",
        rename = "deambulazione-ridotta"
    )]
    pub deambulazione_ridotta: bool,
    #[serde(default)]
    pub rivedibile: Option<String>,
    #[serde(default, alias = "valid_until", rename = "valid-until")]
    pub valid_until: Option<String>,
    #[serde(
        default,
        alias = "valid_days",
        rename = "valid-days",
        deserialize_with = "opt_u32"
    )]
    pub valid_days: Option<u32>,
}

/// Booleans in CSV cells and JSON: empty/0/false/no and 1/true/yes/si/x.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        Bool(bool),
        Num(u8),
        Text(String),
    }
    match Option::<B>::deserialize(d)? {
        None => Ok(false),
        Some(B::Bool(b)) => Ok(b),
        Some(B::Num(n)) => Ok(n != 0),
        Some(B::Text(t)) => match t.trim().to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" | "n" => Ok(false),
            "1" | "true" | "yes" | "y" | "si" | "sì" | "s" | "x" => Ok(true),
            other => Err(serde::de::Error::custom(format!(
                "'{other}' is not yes/no (use 1/0, true/false, si/no)"
            ))),
        },
    }
}

fn opt_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Num(u32),
        Text(String),
    }
    match Option::<N>::deserialize(d)? {
        None => Ok(None),
        Some(N::Num(n)) => Ok(Some(n)),
        Some(N::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(N::Text(t)) => t
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("'{t}' is not a number of days"))),
    }
}

impl From<&FieldArgs> for Fields {
    fn from(a: &FieldArgs) -> Self {
        Fields {
            cf: a.cf.clone(),
            invalidita: a.invalidita.clone(),
            minore: a.minore,
            over65: a.over65,
            cecita: a.cecita.clone(),
            sordita: a.sordita,
            handicap: a.handicap.clone(),
            disabilita: a.disabilita,
            accompagnamento: a.accompagnamento,
            deambulazione_ridotta: a.deambulazione_ridotta,
            rivedibile: a.rivedibile.clone(),
            valid_until: a.valid_until.clone(),
            valid_days: a.valid_days,
        }
    }
}

/// A row turned into what the core needs.
#[derive(Debug)]
pub struct Parsed {
    pub cf: CodiceFiscale,
    pub attestation: Attestation,
    pub expires_at: Timestamp,
}

fn date(s: &str, what: &str) -> Result<Date, String> {
    s.trim()
        .parse::<Date>()
        .map_err(|_| format!("{what} '{s}' is not a date; write it as YYYY-MM-DD"))
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Fields {
    /// Validates everything; the error says which field is wrong and how.
    pub fn parse(&self, now: Timestamp) -> Result<Parsed, String> {
        let cf = nonempty(&self.cf).ok_or("the codice fiscale (cf) is missing")?;
        let cf = CodiceFiscale::parse(cf).map_err(|e| format!("cf: {e}"))?;
        let mut b = Attestation::builder();
        if let Some(p) = nonempty(&self.invalidita) {
            let p: Percent = p.parse().map_err(|e| format!("invalidita: {e}"))?;
            b = b
                .invalidity_percent(p)
                .map_err(|e| format!("invalidita: {e}"))?;
        }
        if self.minore && self.over65 {
            return Err("minore and over65 exclude each other".into());
        }
        if (self.minore || self.over65) && nonempty(&self.invalidita).is_some() {
            return Err(
                "minore/over65 replace the percentage: give either invalidita or minore/over65"
                    .into(),
            );
        }
        if self.minore {
            b = b.invalidity(InvalidityAssessment::MinorPersistentDifficulties);
        }
        if self.over65 {
            b = b.invalidity(InvalidityAssessment::Over65PersistentDifficulties);
        }
        // The class is a second-level detail; the first level states the status.
        let blind = match nonempty(&self.cecita) {
            Some(c) => c
                .parse::<BlindnessClass>()
                .map(|_| true)
                .map_err(|e| e.to_string())?,
            None => false,
        };
        b = b.blindness(blind).deafness(self.sordita);
        if let Some(h) = nonempty(&self.handicap) {
            b = b.handicap(h.parse::<HandicapGrade>().map_err(|e| e.to_string())?);
        }
        b = b
            .disability_l68(self.disabilita)
            .accompaniment(self.accompagnamento)
            .reduced_walking(self.deambulazione_ridotta);
        if let Some(r) = nonempty(&self.rivedibile) {
            b = b.revision(date(r, "rivedibile")?);
        }
        let attestation = b.build().map_err(|e| e.to_string())?;
        let expires_at = match (nonempty(&self.valid_until), self.valid_days) {
            (Some(_), Some(_)) => return Err("give valid-until or valid-days, not both".into()),
            (Some(d), None) => {
                let d = date(d, "valid-until")?;
                // Valid through the whole last day, Italian time.
                let tz = TimeZone::get("Europe/Rome").unwrap_or(TimeZone::UTC);
                let end = tz
                    .to_timestamp(d.at(23, 59, 59, 0))
                    .map_err(|_| "valid-until is out of range".to_owned())?;
                if end <= now {
                    return Err(format!("valid-until {d} is in the past"));
                }
                end
            }
            (None, days) => {
                let days = days.unwrap_or(DEFAULT_VALID_DAYS);
                if days == 0 || days > 3650 {
                    return Err("valid-days must be between 1 and 3650".into());
                }
                now + SignedDuration::from_hours(24 * i64::from(days))
            }
        };
        Ok(Parsed {
            cf,
            attestation,
            expires_at,
        })
    }
}

/// The statuses in clear, for a PDF the holder chose to show them on.
pub fn detail_lines(a: &Attestation) -> Vec<String> {
    attesta_core::benefits::statuses(a)
        .into_iter()
        .map(|b| format!("{} / {}", b.it, b.en))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::from_second(1_795_000_000).unwrap()
    }

    #[test]
    fn good_and_bad_rows() {
        let f = Fields {
            cf: Some("RSSMRA85T10A562S".into()),
            invalidita: Some("75".into()),
            handicap: Some("grave".into()),
            ..Fields::default()
        };
        let p = f.parse(now()).unwrap();
        assert_eq!(
            p.attestation.invalidity(),
            Some(InvalidityAssessment::From74)
        );
        let bad = Fields {
            cf: Some("RSSMRA85T10A562T".into()),
            ..f.clone()
        };
        assert!(bad.parse(now()).unwrap_err().contains("check character"));
        let bad = Fields {
            invalidita: Some("120".into()),
            ..f.clone()
        };
        assert!(bad.parse(now()).unwrap_err().starts_with("invalidita"));
        let bad = Fields {
            valid_until: Some("2020-01-01".into()),
            ..f
        };
        assert!(bad.parse(now()).unwrap_err().contains("past"));
    }
}
