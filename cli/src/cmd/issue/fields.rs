//! The first-level fields of one credential, from flags or from a batch row.

use anyhow::Result;
use attesta_core::cf::CodiceFiscale;
use attesta_core::lang::Lang;
use attesta_core::model::{
    Attestation, BlindnessClass, HandicapGrade, InvalidityAssessment, ModelError, Percent,
    VehicleRequirement,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use serde::Deserialize;

use crate::cli::FieldArgs;

/// Default validity of a first-level code.
pub const DEFAULT_VALID_DAYS: u32 = 365;

/// The columns a batch file may have (the long option names; `_` and `-`
/// are both accepted where the name has a dash).
pub const COLUMNS: &[&str] = &[
    "cf",
    "invalidita",
    "minore",
    "over65",
    "cecita",
    "sordita",
    "handicap",
    "disabilita",
    "accompagnamento",
    "deambulazione-ridotta",
    "deambulazione_ridotta",
    "auto",
    "mostra",
    "rivedibile",
    "valid-until",
    "valid_until",
    "valid-days",
    "valid_days",
];

/// One credential's fields as text, the way flags and CSV cells give them.
/// Unknown columns are ignored here; the batch reader reports them.
#[derive(Debug, Default, Clone, Deserialize)]
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
    pub auto: Option<String>,
    #[serde(default)]
    pub mostra: Option<String>,
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
    /// The holder asked for a secret (batch column; `--con-segreto` for
    /// single codes and whole batches).
    #[serde(
        default,
        deserialize_with = "flag",
        alias = "con_segreto",
        rename = "con-segreto"
    )]
    pub con_segreto: bool,
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
            auto: a.auto.clone(),
            mostra: a.mostra.clone(),
            rivedibile: a.rivedibile.clone(),
            valid_until: a.valid_until.clone(),
            valid_days: a.valid_days,
            con_segreto: false,
        }
    }
}

/// A row turned into what the core needs.
#[derive(Debug)]
pub struct Parsed {
    pub cf: CodiceFiscale,
    pub attestation: Attestation,
    pub expires_at: Timestamp,
    /// The row asks for a holder's secret.
    pub with_secret: bool,
}

/// A date as spreadsheets set to Italian write it (30/06/2028, also
/// 30-06-2028 and 30.06.2028) or in ISO form (2028-06-30).
pub fn parse_date(s: &str) -> Option<Date> {
    let t = s.trim();
    if let Ok(d) = t.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

fn date(s: &str, what: &str, lang: Lang) -> Result<Date, String> {
    parse_date(s).ok_or_else(|| match lang {
        Lang::It => format!(
            "{what}: '{s}' non è una data; scriverla come GG/MM/AAAA (30/06/2028) o AAAA-MM-GG"
        ),
        Lang::En => format!(
            "{what}: '{s}' is not a date; write it as DD/MM/YYYY (30/06/2028) or YYYY-MM-DD"
        ),
    })
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Fields {
    /// Validates everything; the error names the column and says how to fix it.
    pub fn parse(&self, now: Timestamp, lang: Lang) -> Result<Parsed, String> {
        let it = lang == Lang::It;
        let cf = nonempty(&self.cf).ok_or(if it {
            "cf: manca il codice fiscale"
        } else {
            "cf: the codice fiscale is missing"
        })?;
        let cf = CodiceFiscale::parse(cf).map_err(|e| format!("cf: {}", e.message(lang)))?;
        let mut b = Attestation::builder();
        if let Some(p) = nonempty(&self.invalidita) {
            let p: Percent = p
                .parse()
                .map_err(|e: ModelError| format!("invalidita: {}", e.message(lang)))?;
            b = b
                .invalidity_percent(p)
                .map_err(|e| format!("invalidita: {}", e.message(lang)))?;
        }
        if self.minore && self.over65 {
            return Err(lang
                .pick(
                    "minore, over65: si escludono a vicenda",
                    "minore, over65: they exclude each other",
                )
                .into());
        }
        if (self.minore || self.over65) && nonempty(&self.invalidita).is_some() {
            return Err(lang
                .pick(
                    "invalidita, minore/over65: la dicitura per minori o ultrasessantacinquenni sostituisce la percentuale; indicare l'una o l'altra",
                    "invalidita, minore/over65: the minor/over-65 wording replaces the percentage; give one or the other",
                )
                .into());
        }
        if self.minore {
            b = b.invalidity(InvalidityAssessment::MinorPersistentDifficulties);
        }
        if self.over65 {
            b = b.invalidity(InvalidityAssessment::Over65PersistentDifficulties);
        }
        if let Some(c) = nonempty(&self.cecita) {
            let c = c
                .parse::<BlindnessClass>()
                .map_err(|e| format!("cecita: {}", e.message(lang)))?;
            b = b.blindness_class(c);
        }
        b = b.deafness(self.sordita);
        if let Some(h) = nonempty(&self.handicap) {
            b = b.handicap(
                h.parse::<HandicapGrade>()
                    .map_err(|e| format!("handicap: {}", e.message(lang)))?,
            );
        }
        if let Some(v) = nonempty(&self.auto) {
            b = b.vehicle(
                v.parse::<VehicleRequirement>()
                    .map_err(|e| format!("auto: {}", e.message(lang)))?,
            );
        }
        b = b
            .disability_l68(self.disabilita)
            .accompaniment(self.accompagnamento)
            .reduced_walking(self.deambulazione_ridotta);
        if let Some(r) = nonempty(&self.rivedibile) {
            b = b.revision(date(r, "rivedibile", lang)?);
        }
        let statuses_only = match nonempty(&self.mostra)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("benefici") => false,
            Some("stati") => true,
            Some(_) => {
                return Err(lang
                    .pick(
                        "mostra: valori ammessi: stati, benefici",
                        "mostra: accepted values: stati, benefici",
                    )
                    .into());
            }
        };
        let full = b.build().map_err(|e| e.message(lang))?;
        let attestation = if statuses_only {
            full.statuses_only()
        } else {
            full
        };
        let expires_at = match (nonempty(&self.valid_until), self.valid_days) {
            (Some(_), Some(_)) => {
                return Err(lang
                    .pick(
                        "valid-until, valid-days: indicare l'una o l'altra, non entrambe",
                        "valid-until, valid-days: give one or the other, not both",
                    )
                    .into());
            }
            (Some(d), None) => {
                let d = date(d, "valid-until", lang)?;
                // Valid through the whole last day, Italian time.
                let tz = TimeZone::get("Europe/Rome").unwrap_or(TimeZone::UTC);
                let end = tz
                    .to_timestamp(d.at(23, 59, 59, 0))
                    .map_err(|_| "valid-until: out of range".to_owned())?;
                if end <= now {
                    return Err(match lang {
                        Lang::It => format!(
                            "valid-until: il {} è già passato",
                            attesta_core::lang::date(d, lang)
                        ),
                        Lang::En => format!("valid-until: {d} is in the past"),
                    });
                }
                end
            }
            (None, days) => {
                let days = days.unwrap_or(DEFAULT_VALID_DAYS);
                if days == 0 || days > 3650 {
                    return Err(lang
                        .pick(
                            "valid-days: deve essere tra 1 e 3650",
                            "valid-days: must be between 1 and 3650",
                        )
                        .into());
                }
                now + SignedDuration::from_hours(24 * i64::from(days))
            }
        };
        Ok(Parsed {
            cf,
            attestation,
            expires_at,
            with_secret: self.con_segreto,
        })
    }
}

/// The statuses in clear, for a PDF the holder chose to show them on.
pub fn detail_lines(a: &Attestation) -> Vec<String> {
    attesta_core::benefits::status_lines(a)
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
        let p = f.parse(now(), Lang::En).unwrap();
        assert_eq!(
            p.attestation.invalidity(),
            Some(InvalidityAssessment::From74)
        );
        let bad = Fields {
            cf: Some("RSSMRA85T10A562T".into()),
            ..f.clone()
        };
        assert!(bad.parse(now(), Lang::En).unwrap_err().starts_with("cf: "));
        let bad = Fields {
            invalidita: Some("120".into()),
            ..f.clone()
        };
        assert!(
            bad.parse(now(), Lang::En)
                .unwrap_err()
                .starts_with("invalidita")
        );
        let bad = Fields {
            valid_until: Some("2020-01-01".into()),
            ..f
        };
        assert!(bad.parse(now(), Lang::En).unwrap_err().contains("past"));
    }

    #[test]
    fn italian_and_iso_dates() {
        for s in [
            "30/06/2028",
            "30-06-2028",
            "30.06.2028",
            "2028-06-30",
            " 30/6/2028 ",
        ] {
            assert_eq!(parse_date(s), Some(Date::constant(2028, 6, 30)), "{s}");
        }
        for s in ["31/06/2028", "06/30/2028x", "30/06/28", "2028/06/30", ""] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn row_errors_name_the_column_not_a_flag() {
        let f = Fields {
            cf: Some("RSSMRA85T10A562S".into()),
            invalidita: Some("20".into()),
            ..Fields::default()
        };
        for lang in Lang::ALL {
            let e = f.parse(now(), lang).unwrap_err();
            assert!(e.starts_with("invalidita: ") && !e.contains("--"), "{e}");
        }
    }

    #[test]
    fn mostra_stati_hides_the_band_and_keeps_the_length() {
        let f = Fields {
            cf: Some("RSSMRA85T10A562S".into()),
            invalidita: Some("75".into()),
            mostra: Some("stati".into()),
            ..Fields::default()
        };
        let p = f.parse(now(), Lang::It).unwrap();
        assert!(p.attestation.is_statuses_only());
    }
}
