//! The two languages every message exists in, and how Italian text writes
//! dates and numbers.
//!
//! Messages are typed tables (a `match` per error type, both languages side
//! by side), not runtime-parsed files: a missing translation does not
//! compile, and the same tables work in WebAssembly. Library messages never
//! name command-line flags; the CLI adds those hints.
//!
//! ```
//! use attesta_core::lang::{Lang, date, percent};
//! use jiff::civil::Date;
//! let d = Date::constant(2028, 6, 30);
//! assert_eq!(date(d, Lang::It), "30/06/2028");
//! assert_eq!(date(d, Lang::En), "2028-06-30");
//! assert_eq!(percent(7550, Lang::It), "75,50 %");
//! assert_eq!(percent(7500, Lang::En), "75 %");
//! assert_eq!(Lang::from_locale("it_IT.UTF-8"), Lang::It);
//! ```

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// A language of the messages.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Italian, the default for people at the counter.
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// Both languages, Italian first.
    pub const ALL: [Lang; 2] = [Lang::It, Lang::En];

    /// The language of a POSIX locale name (`it_IT.UTF-8`, `en_GB`, `C`):
    /// Italian when it starts with `it`; Italian too for the locales that
    /// express no language (`C`, `C.UTF-8`, `POSIX`, empty), which is what
    /// servers, containers and kiosks run with; English otherwise.
    pub fn from_locale(locale: &str) -> Lang {
        let l = locale.trim().to_ascii_lowercase();
        let language = l.split(['.', '@', '_', '-']).next().unwrap_or("");
        match language {
            "it" | "" | "c" | "posix" => Lang::It,
            _ => Lang::En,
        }
    }

    /// Picks one of two texts.
    pub fn pick<'a>(self, it: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::It => it,
            Lang::En => en,
        }
    }

    /// The BCP 47 tag (`it`, `en`).
    pub fn tag(self) -> &'static str {
        self.pick("it", "en")
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "it" | "ita" | "italiano" => Ok(Lang::It),
            "en" | "eng" | "english" => Ok(Lang::En),
            _ => Err(format!("'{s}' is not a language: use it or en")),
        }
    }
}

/// A calendar date: `30/06/2028` in Italian, ISO `2028-06-30` in English.
pub fn date(d: Date, lang: Lang) -> String {
    match lang {
        Lang::It => format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year()),
        Lang::En => d.to_string(),
    }
}

/// The calendar date of a timestamp in Italy (Europe/Rome), as [`date`].
pub fn day_of(t: Timestamp, lang: Lang) -> String {
    let tz = TimeZone::get("Europe/Rome").unwrap_or(TimeZone::UTC);
    date(tz.to_datetime(t).date(), lang)
}

/// Date and time in Italy: `30/06/2028 14:05` or `2028-06-30 14:05`.
pub fn day_time_of(t: Timestamp, lang: Lang) -> String {
    let tz = TimeZone::get("Europe/Rome").unwrap_or(TimeZone::UTC);
    let z = tz.to_datetime(t);
    format!("{} {:02}:{:02}", date(z.date(), lang), z.hour(), z.minute())
}

/// A percentage given in hundredths: `75,50 %` in Italian, `75.50 %` in
/// English; whole numbers without decimals.
pub fn percent(hundredths: u16, lang: Lang) -> String {
    let (whole, frac) = (hundredths / 100, hundredths % 100);
    if frac == 0 {
        format!("{whole} %")
    } else {
        format!("{whole}{}{frac:02} %", lang.pick(",", "."))
    }
}

/// A whole number with Italian thousands separators (`1.048.576`) or
/// English ones (`1,048,576`).
pub fn number(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = lang.pick(".", ",");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales() {
        for (l, want) in [
            ("it_IT.UTF-8", Lang::It),
            ("it", Lang::It),
            ("IT_ch", Lang::It),
            ("en_GB.UTF-8", Lang::En),
            ("C", Lang::It),
            ("C.UTF-8", Lang::It),
            ("", Lang::It),
            ("POSIX", Lang::It),
            ("de_DE.UTF-8", Lang::En),
        ] {
            assert_eq!(Lang::from_locale(l), want, "{l}");
        }
        assert_eq!("IT".parse::<Lang>(), Ok(Lang::It));
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn italian_formats() {
        assert_eq!(percent(3334, Lang::It), "33,34 %");
        assert_eq!(percent(10_000, Lang::It), "100 %");
        assert_eq!(percent(7505, Lang::En), "75.05 %");
        assert_eq!(number(1_048_576, Lang::It), "1.048.576");
        assert_eq!(number(999, Lang::En), "999");
        assert_eq!(number(1000, Lang::En), "1,000");
        // Midnight UTC on 30 June is already 02:00 in Rome.
        let t: Timestamp = "2028-06-29T23:30:00Z".parse().unwrap();
        assert_eq!(day_of(t, Lang::It), "30/06/2028");
        assert_eq!(day_time_of(t, Lang::It), "30/06/2028 01:30");
    }
}
