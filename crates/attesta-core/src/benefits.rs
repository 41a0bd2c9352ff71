//! What an attestation means for an operator: its statuses in plain Italian
//! and English, and the benefits it opens, from one reviewed table.
//!
//! [`BENEFITS`] is the single place where the model meets benefits, so that
//! the CLI, apps and printed documents say the same thing. Each row states
//! its condition in terms of the model, its legal basis and where the rule
//! is explained (the Emilia-Romagna disability vademecum, or the Agenzia
//! delle Entrate guide for tax benefits). docs/benefits.md lists the table
//! and what attesta does not claim (income limits, ages, regional rules).
//! It is a guide for operators, not legal advice.
//!
//! ```
//! use attesta_core::benefits::{benefits_for, statuses};
//! use attesta_core::lang::Lang;
//! use attesta_core::model::{Attestation, InvalidityAssessment};
//! let a = Attestation::builder().invalidity(InvalidityAssessment::From74).build()?;
//! assert!(benefits_for(&a).any(|b| b.id == "monthly_allowance"));
//! let total = Attestation::builder().invalidity(InvalidityAssessment::Total).build()?;
//! assert!(!benefits_for(&total).any(|b| b.id == "monthly_allowance"));
//! assert_eq!(statuses(&a, Lang::En)[0], "Civil invalidity, 74 to 99 %");
//! assert_eq!(statuses(&a, Lang::It)[0], "Invalidità civile dal 74 % al 99 %");
//! # Ok::<(), attesta_core::model::ModelError>(())
//! ```

use crate::lang::{self, Lang};
use crate::model::{
    Attestation, BlindnessClass, HandicapGrade, InvalidityAssessment, Percent, VehicleRequirement,
};

/// A statement in Italian and English.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Bilingual {
    /// Italian.
    pub it: String,
    /// English.
    pub en: String,
}

impl Bilingual {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.it, &self.en)
    }
}

fn bi(it: impl Into<String>, en: impl Into<String>) -> Bilingual {
    Bilingual {
        it: it.into(),
        en: en.into(),
    }
}

/// One benefit an attestation can open.
#[derive(Debug, serde::Serialize)]
pub struct Benefit {
    /// Stable identifier.
    pub id: &'static str,
    /// Italian wording.
    pub it: &'static str,
    /// English wording.
    pub en: &'static str,
    /// Legal basis (law and article).
    pub basis: &'static str,
    /// Where the rule is explained for people: the vademecum section, or the
    /// official guide.
    pub source: &'static str,
    /// The condition, in terms of the model (for docs/benefits.md).
    #[serde(skip)]
    pub condition: &'static str,
    /// Whether the attestation opens it.
    #[serde(skip)]
    pub applies: fn(&Attestation) -> bool,
}

impl Benefit {
    /// The wording in `lang`.
    pub fn text(&self, lang: Lang) -> &'static str {
        lang.pick(self.it, self.en)
    }
}

fn reaches(a: &Attestation, hundredths: u16) -> bool {
    let p = Percent::from_hundredths(hundredths).unwrap_or(Percent::FULL);
    a.invalidity().is_some_and(|i| i.reaches(p))
}

fn is(a: &Attestation, i: InvalidityAssessment) -> bool {
    a.invalidity() == Some(i)
}

fn ticket_as_invalid(a: &Attestation) -> bool {
    reaches(a, 6700) || (a.accompaniment() && a.invalidity().is_some())
}

fn ticket_as_blind(a: &Attestation) -> bool {
    a.blindness() && !ticket_as_invalid(a)
}

fn ticket_as_deaf(a: &Attestation) -> bool {
    a.deafness() && !ticket_as_invalid(a) && !a.blindness()
}

fn vehicle_without_adaptation(a: &Attestation) -> bool {
    a.blindness() || a.deafness() || a.vehicle() == Some(VehicleRequirement::WithoutAdaptation)
}

#[cfg(test)]
const VADEMECUM: &str = "Vademecum disabilità Emilia-Romagna";
const ADE_GUIDE: &str =
    "Agenzia delle Entrate, Guida alle agevolazioni fiscali per le persone con disabilità";

/// The table, in the order benefits are shown.
pub const BENEFITS: &[Benefit] = &[
    Benefit {
        id: "prostheses_aids",
        it: "Protesi e ausili a carico del Servizio sanitario nazionale (con prescrizione)",
        en: "Prostheses and aids paid by the national health service (on prescription)",
        basis: "D.P.C.M. 12/1/2017 art. 18 c. 1",
        source: "Vademecum disabilità Emilia-Romagna, «Assistenza protesica»",
        condition: "civil invalidity (any band or wording), civil blindness or civil deafness",
        applies: |a| a.invalidity().is_some() || a.blindness() || a.deafness(),
    },
    Benefit {
        id: "targeted_employment",
        it: "Collocamento mirato: rientra nelle categorie della L. 68/99 (iscrizione al centro per l'impiego, in età lavorativa)",
        en: "Targeted employment: belongs to the L. 68/99 categories (registration at the job centre, working age)",
        basis: "L. 68/99 art. 1 c. 1 lett. a (invalidità oltre il 45 %) e lett. c (non vedenti e sordi)",
        source: "Vademecum disabilità Emilia-Romagna, «Lavoro: collocamento mirato»",
        condition: "L. 68/99 disability, an invalidity band of at least 46 %, civil blindness or civil deafness",
        applies: |a| a.disability_l68() || reaches(a, 4600) || a.blindness() || a.deafness(),
    },
    Benefit {
        id: "treatment_leave",
        it: "Congedo per cure fino a 30 giorni l'anno (lavoratori dipendenti)",
        en: "Leave for treatment, up to 30 days a year (employees)",
        basis: "D.Lgs. 119/2011 art. 7 (invalidità oltre il 50 %)",
        source: "Vademecum disabilità Emilia-Romagna, «Lavoro: congedo per cure»",
        condition: "an invalidity band of at least 51 %",
        applies: |a| reaches(a, 5100),
    },
    Benefit {
        id: "ticket_exemption_invalidity",
        it: "Esenzione dal ticket per le prestazioni specialistiche (invalidi civili oltre i 2/3 o con indennità di accompagnamento)",
        en: "Exemption from prescription charges for specialist care (civil invalids above 2/3, or with attendance allowance)",
        basis: "D.M. 1/2/1991 art. 6 (codici di esenzione C01, C02, C03)",
        source: "Vademecum disabilità Emilia-Romagna, «Esenzione dal ticket»",
        condition: "an invalidity band of at least 67 %, or civil invalidity with accompaniment",
        applies: ticket_as_invalid,
    },
    Benefit {
        id: "ticket_exemption_blindness",
        it: "Esenzione dal ticket per le prestazioni specialistiche (ciechi civili)",
        en: "Exemption from prescription charges for specialist care (civil blindness)",
        basis: "D.M. 1/2/1991 art. 6 (codice di esenzione C05)",
        source: "Vademecum disabilità Emilia-Romagna, «Esenzione dal ticket»",
        condition: "civil blindness, when the row above does not apply",
        applies: ticket_as_blind,
    },
    Benefit {
        id: "ticket_exemption_deafness",
        it: "Esenzione dal ticket per le prestazioni specialistiche (sordi)",
        en: "Exemption from prescription charges for specialist care (civil deafness)",
        basis: "D.M. 1/2/1991 art. 6 (codice di esenzione C06)",
        source: "Vademecum disabilità Emilia-Romagna, «Esenzione dal ticket»",
        condition: "civil deafness, when neither row above applies",
        applies: ticket_as_deaf,
    },
    Benefit {
        id: "ticket_exemption_minor",
        it: "Esenzione dal ticket per i minori titolari dell'indennità di frequenza",
        en: "Exemption from prescription charges for minors who receive the attendance-at-school allowance",
        basis: "D.Lgs. 124/1998 art. 5 (codice di esenzione C04); L. 289/90 art. 1",
        source: "Vademecum disabilità Emilia-Romagna, «Esenzione dal ticket»",
        condition: "the minor wording, without accompaniment, blindness or deafness",
        applies: |a| {
            is(a, InvalidityAssessment::MinorPersistentDifficulties)
                && !a.accompaniment()
                && !a.blindness()
                && !a.deafness()
        },
    },
    Benefit {
        id: "monthly_allowance",
        it: "Assegno mensile di assistenza (invalidità dal 74 % al 99 %, età 18–67 anni, limiti di reddito)",
        en: "Monthly allowance (invalidity 74 to 99 %, age 18–67, income limits)",
        basis: "L. 118/71 art. 13",
        source: "Vademecum disabilità Emilia-Romagna, «Invalidità civile: assegno mensile» (invalidità dal 74 % al 99 %)",
        condition: "the 74–99 % band (not 100 %)",
        applies: |a| is(a, InvalidityAssessment::From74),
    },
    Benefit {
        id: "inability_pension",
        it: "Pensione di inabilità (invalidità 100 %, età 18–67 anni, limiti di reddito)",
        en: "Inability pension (100 % invalidity, age 18–67, income limits)",
        basis: "L. 118/71 art. 12",
        source: "Vademecum disabilità Emilia-Romagna, «Invalidità civile: pensione di inabilità»",
        condition: "total invalidity (100 %)",
        applies: |a| is(a, InvalidityAssessment::Total),
    },
    Benefit {
        id: "accompaniment_allowance",
        it: "Indennità di accompagnamento (senza limiti di reddito)",
        en: "Attendance allowance (indennità di accompagnamento, no income limits)",
        basis: "L. 18/80 art. 1 (invalidi civili); L. 406/68 art. 1 e L. 508/88 art. 1 (ciechi assoluti)",
        source: "Vademecum disabilità Emilia-Romagna, «Indennità di accompagnamento»",
        condition: "accompaniment",
        applies: |a| a.accompaniment(),
    },
    Benefit {
        id: "frequency_allowance",
        it: "Indennità mensile di frequenza (minori che frequentano la scuola o centri di cura e riabilitazione, limiti di reddito; non si somma all'indennità di accompagnamento)",
        en: "Monthly attendance allowance for minors attending school or therapy (income limits; not with the attendance allowance)",
        basis: "L. 289/90 art. 1",
        source: "Vademecum disabilità Emilia-Romagna, «Minori: indennità di frequenza»",
        condition: "the minor wording, without accompaniment",
        applies: |a| is(a, InvalidityAssessment::MinorPersistentDifficulties) && !a.accompaniment(),
    },
    Benefit {
        id: "special_allowance_partially_blind",
        it: "Indennità speciale per ciechi parziali (ventesimisti), senza limiti di reddito",
        en: "Special allowance for the partially blind (ventesimisti), no income limits",
        basis: "L. 508/88 art. 3",
        source: "Vademecum disabilità Emilia-Romagna, «Cecità civile»",
        condition: "civil blindness of class ventesimista",
        applies: |a| a.blindness_class() == Some(BlindnessClass::Ventesimista),
    },
    Benefit {
        id: "communication_allowance",
        it: "Indennità di comunicazione (sordi), senza limiti di reddito",
        en: "Communication allowance (deaf holders), no income limits",
        basis: "L. 508/88 art. 4",
        source: "Vademecum disabilità Emilia-Romagna, «Sordità civile»",
        condition: "civil deafness",
        applies: |a| a.deafness(),
    },
    Benefit {
        id: "work_permits_104",
        it: "Permessi lavorativi retribuiti (3 giorni al mese) e congedo biennale per i familiari",
        en: "Paid work permits (3 days a month) and two-year leave for family carers",
        basis: "L. 104/92 art. 33 c. 3 e 6; D.Lgs. 151/2001 art. 42 c. 5",
        source: "Vademecum disabilità Emilia-Romagna, «Handicap grave: permessi e congedi»",
        condition: "handicap grave (art. 3 c. 3)",
        applies: |a| a.handicap_grave(),
    },
    Benefit {
        id: "technical_aids_tax",
        it: "Sussidi tecnici e informatici: IVA al 4 % e detrazione IRPEF del 19 % (con prescrizione medica)",
        en: "Technical and computer aids: 4 % VAT and 19 % income-tax deduction (on prescription)",
        basis: "D.M. 14/3/1998; D.P.R. 917/86 (TUIR) art. 15 c. 1 lett. c; L. 104/92 art. 3",
        source: ADE_GUIDE,
        condition: "any status: handicap of either grade, civil invalidity, blindness or deafness",
        applies: |a| {
            a.handicap().is_some() || a.invalidity().is_some() || a.blindness() || a.deafness()
        },
    },
    Benefit {
        id: "vehicle_tax_benefits",
        it: "Agevolazioni fiscali per l'auto: IVA al 4 %, detrazione IRPEF del 19 %, esenzione dal bollo, anche senza adattamento del veicolo (limiti di cilindrata)",
        en: "Vehicle tax benefits: 4 % VAT, 19 % income-tax deduction, road-tax exemption, without adapting the vehicle (engine-size limits)",
        basis: "L. 449/97 art. 8; L. 342/2000 art. 50 (non vedenti e sordi); L. 388/2000 art. 30 c. 7; D.L. 5/2012 art. 4 c. 1",
        source: "Vademecum disabilità Emilia-Romagna, «Agevolazioni per il settore auto»; Agenzia delle Entrate, Guida alle agevolazioni fiscali per le persone con disabilità",
        condition: "civil blindness, civil deafness, or the verbale's requirements without adaptation (vehicle = without_adaptation)",
        applies: vehicle_without_adaptation,
    },
    Benefit {
        id: "vehicle_tax_benefits_adapted",
        it: "Agevolazioni fiscali per l'auto solo su veicolo adattato alla disabilità motoria: IVA al 4 %, detrazione IRPEF del 19 %, esenzione dal bollo",
        en: "Vehicle tax benefits only for a vehicle adapted to the motor disability: 4 % VAT, 19 % income-tax deduction, road-tax exemption",
        basis: "L. 449/97 art. 8; D.L. 5/2012 art. 4 c. 1",
        source: "Vademecum disabilità Emilia-Romagna, «Agevolazioni per il settore auto»; Agenzia delle Entrate, Guida alle agevolazioni fiscali per le persone con disabilità",
        condition: "the verbale's requirements with an adapted vehicle (vehicle = adapted_vehicle), when the row above does not apply",
        applies: |a| {
            a.vehicle() == Some(VehicleRequirement::AdaptedVehicle)
                && !vehicle_without_adaptation(a)
        },
    },
    Benefit {
        id: "dopo_di_noi",
        it: "Misure «Dopo di noi» (disabilità grave non dovuta all'invecchiamento, senza sostegno familiare)",
        en: "\"Dopo di noi\" support (severe disability not due to ageing, without family support)",
        basis: "L. 112/2016 art. 1 c. 2",
        source: "Vademecum disabilità Emilia-Romagna, «Dopo di noi»",
        condition: "handicap grave (art. 3 c. 3)",
        applies: |a| a.handicap_grave(),
    },
    Benefit {
        id: "parking_badge",
        it: "Contrassegno di parcheggio per disabili, senza ulteriore visita medica",
        en: "Disabled parking badge, without a further medical visit",
        basis: "D.P.R. 495/92 art. 381; D.P.R. 503/96 art. 12; D.L. 5/2012 art. 4 c. 1",
        source: "Vademecum disabilità Emilia-Romagna, «Contrassegno di parcheggio»",
        condition: "reduced walking capacity stated in the verbale",
        applies: |a| a.reduced_walking(),
    },
];

/// The benefits an attestation opens, in table order.
pub fn benefits_for(a: &Attestation) -> impl Iterator<Item = &'static Benefit> + '_ {
    BENEFITS.iter().filter(move |b| (b.applies)(a))
}

fn band_line(i: InvalidityAssessment) -> Bilingual {
    let at_least = |p: &str| {
        bi(
            format!("Invalidità civile, almeno {p} %"),
            format!("Civil invalidity, at least {} %", p.replace(',', ".")),
        )
    };
    match i {
        InvalidityAssessment::From33 => at_least("33,34"),
        InvalidityAssessment::From46 => at_least("46"),
        InvalidityAssessment::From51 => at_least("51"),
        InvalidityAssessment::From67 => at_least("67"),
        InvalidityAssessment::From74 => bi(
            "Invalidità civile dal 74 % al 99 %",
            "Civil invalidity, 74 to 99 %",
        ),
        InvalidityAssessment::Total => bi(
            "Invalidità civile totale (100 %)",
            "Total civil invalidity (100 %)",
        ),
        InvalidityAssessment::MinorPersistentDifficulties => bi(
            "Invalidità civile: minore con difficoltà persistenti a svolgere i compiti e le funzioni proprie dell'età",
            "Civil invalidity: minor with persistent difficulties in the tasks and functions of their age",
        ),
        InvalidityAssessment::Over65PersistentDifficulties => bi(
            "Invalidità civile: ultrasessantacinquenne con difficoltà persistenti a svolgere i compiti e le funzioni proprie dell'età",
            "Civil invalidity: over 65 with persistent difficulties in the tasks and functions of their age",
        ),
        InvalidityAssessment::StatusOnly => bi(
            "Invalidità civile (il titolare ha scelto di non mostrare la percentuale)",
            "Civil invalidity (the holder chose not to show the band)",
        ),
    }
}

/// The statuses and facts of an attestation, one line each, in both languages.
pub fn status_lines(a: &Attestation) -> Vec<Bilingual> {
    let mut out = Vec::new();
    if let Some(i) = a.invalidity() {
        out.push(band_line(i));
    }
    if a.blindness() {
        out.push(match a.blindness_class() {
            None => bi("Cecità civile", "Civil blindness"),
            Some(BlindnessClass::Assoluta) => {
                bi("Cecità civile assoluta", "Civil blindness, total")
            }
            Some(BlindnessClass::Ventesimista) => bi(
                "Cecità civile parziale (ventesimista)",
                "Civil blindness, partial (ventesimista, at most 1/20)",
            ),
            Some(BlindnessClass::Decimista) => bi(
                "Cecità civile (decimista)",
                "Civil blindness (decimista, at most 1/10)",
            ),
        });
    }
    if a.deafness() {
        out.push(bi("Sordità civile", "Civil deafness"));
    }
    if a.disability_l68() {
        out.push(bi(
            "Disabilità ai fini del collocamento mirato (L. 68/99)",
            "Disability for targeted employment (L. 68/99)",
        ));
    }
    match a.handicap() {
        Some(HandicapGrade::Comma3Grave) => out.push(bi(
            "Handicap in situazione di gravità (L. 104/92, art. 3 c. 3)",
            "Severe handicap (L. 104/92, art. 3 c. 3)",
        )),
        Some(HandicapGrade::Comma1) => out.push(bi(
            "Handicap (L. 104/92, art. 3 c. 1)",
            "Handicap (L. 104/92, art. 3 c. 1)",
        )),
        None => {}
    }
    if a.accompaniment() {
        out.push(bi(
            "Indennità di accompagnamento",
            "Attendance allowance (indennità di accompagnamento)",
        ));
    }
    if a.reduced_walking() {
        out.push(bi(
            "Capacità deambulatorie sensibilmente ridotte",
            "Significantly reduced walking capacity",
        ));
    }
    match a.vehicle() {
        Some(VehicleRequirement::WithoutAdaptation) => out.push(bi(
            "Requisiti per le agevolazioni auto senza adattamento del veicolo (L. 388/2000 art. 30 c. 7)",
            "Meets the requirements for vehicle benefits without adaptation (L. 388/2000 art. 30 c. 7)",
        )),
        Some(VehicleRequirement::AdaptedVehicle) => out.push(bi(
            "Requisiti per le agevolazioni auto con veicolo adattato (L. 449/97 art. 8)",
            "Meets the requirements for vehicle benefits with an adapted vehicle (L. 449/97 art. 8)",
        )),
        None => {}
    }
    if let Some(r) = a.revision() {
        out.push(bi(
            format!(
                "Rivedibile dal {}: i diritti restano validi fino alla nuova visita (L. 114/2014)",
                lang::date(r, Lang::It)
            ),
            format!(
                "Subject to review from {}: rights remain until INPS reassesses (L. 114/2014)",
                lang::date(r, Lang::En)
            ),
        ));
    }
    out
}

/// The statuses and facts of an attestation in one language.
pub fn statuses(a: &Attestation, lang: Lang) -> Vec<String> {
    status_lines(a)
        .into_iter()
        .map(|b| b.get(lang).to_owned())
        .collect()
}

/// The title of a printed attestation. Without the statuses (`None`, the
/// default sheet, which shows no health data) it names no status; with
/// them it names the statuses attested, so that a blind or deaf holder, who
/// is not an invalido civile, is not called one.
///
/// ```
/// use attesta_core::benefits::title;
/// use attesta_core::model::Attestation;
/// let deaf = Attestation::builder().deafness(true).build()?;
/// assert_eq!(title(Some(&deaf)).it, "Attestazione di sordità civile");
/// assert_eq!(title(None).it, "Attestazione di stato di disabilità");
/// # Ok::<(), attesta_core::model::ModelError>(())
/// ```
pub fn title(a: Option<&Attestation>) -> Bilingual {
    let Some(a) = a else {
        return bi(
            "Attestazione di stato di disabilità",
            "Disability status attestation",
        );
    };
    let mut it = Vec::new();
    let mut en = Vec::new();
    let mut add = |i: &str, e: &str| {
        it.push(i.to_owned());
        en.push(e.to_owned());
    };
    if a.invalidity().is_some() {
        add("invalidità civile", "civil invalidity");
    }
    if a.blindness() {
        add("cecità civile", "civil blindness");
    }
    if a.deafness() {
        add("sordità civile", "civil deafness");
    }
    if a.disability_l68() {
        add("disabilità (L. 68/99)", "disability (L. 68/99)");
    }
    if a.handicap().is_some() {
        add("handicap (L. 104/92)", "handicap (L. 104/92)");
    }
    let join = |v: &[String], and: &str| match v {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    };
    bi(
        format!("Attestazione di {}", join(&it, "e")),
        format!("Attestation of {}", join(&en, "and")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BlindnessClass as B, InvalidityAssessment as I, VehicleRequirement as V};

    fn ids(a: &Attestation) -> Vec<&'static str> {
        benefits_for(a).map(|b| b.id).collect()
    }
    fn inv(i: I) -> Attestation {
        Attestation::builder().invalidity(i).build().unwrap()
    }

    #[test]
    fn every_row_has_basis_source_and_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for b in BENEFITS {
            assert!(seen.insert(b.id), "duplicate id {}", b.id);
            for (what, s) in [
                ("it", b.it),
                ("en", b.en),
                ("basis", b.basis),
                ("source", b.source),
                ("condition", b.condition),
            ] {
                assert!(!s.trim().is_empty(), "{} has no {what}", b.id);
            }
            assert!(
                b.basis.chars().any(|c| c.is_ascii_digit()),
                "{}: basis names no article",
                b.id
            );
            assert!(
                b.source.contains(VADEMECUM) || b.source == ADE_GUIDE,
                "{}",
                b.id
            );
        }
    }

    // One test per row: the row applies exactly where its condition says.

    #[test]
    fn row_prostheses_aids() {
        for i in I::ALL {
            assert!(ids(&inv(i)).contains(&"prostheses_aids"), "{i:?}");
        }
        let h = Attestation::builder()
            .handicap(HandicapGrade::Comma1)
            .build()
            .unwrap();
        assert!(!ids(&h).contains(&"prostheses_aids"));
        let deaf = Attestation::builder().deafness(true).build().unwrap();
        assert!(ids(&deaf).contains(&"prostheses_aids"));
    }

    #[test]
    fn row_targeted_employment() {
        assert!(!ids(&inv(I::From33)).contains(&"targeted_employment"));
        assert!(ids(&inv(I::From46)).contains(&"targeted_employment"));
        assert!(!ids(&inv(I::MinorPersistentDifficulties)).contains(&"targeted_employment"));
        // Regression: blind and deaf are L. 68/99 categories by law.
        for a in [
            Attestation::builder()
                .blindness_class(B::Decimista)
                .build()
                .unwrap(),
            Attestation::builder().deafness(true).build().unwrap(),
        ] {
            assert!(ids(&a).contains(&"targeted_employment"), "{a:?}");
        }
    }

    #[test]
    fn row_treatment_leave() {
        assert!(!ids(&inv(I::From46)).contains(&"treatment_leave"));
        assert!(ids(&inv(I::From51)).contains(&"treatment_leave"));
        assert!(!ids(&inv(I::StatusOnly)).contains(&"treatment_leave"));
    }

    #[test]
    fn ticket_rows_are_exclusive_and_cite_the_right_category() {
        let ticket = |a: &Attestation| {
            ids(a)
                .into_iter()
                .filter(|i| i.starts_with("ticket_"))
                .collect::<Vec<_>>()
        };
        assert!(ticket(&inv(I::From51)).is_empty());
        assert_eq!(ticket(&inv(I::From67)), ["ticket_exemption_invalidity"]);
        assert_eq!(ticket(&inv(I::Total)), ["ticket_exemption_invalidity"]);
        // Regression: blind, deaf and minors were cited under "≥ 67 %".
        let blind = Attestation::builder()
            .blindness_class(B::Ventesimista)
            .build()
            .unwrap();
        assert_eq!(ticket(&blind), ["ticket_exemption_blindness"]);
        let deaf = Attestation::builder().deafness(true).build().unwrap();
        assert_eq!(ticket(&deaf), ["ticket_exemption_deafness"]);
        assert_eq!(
            ticket(&inv(I::MinorPersistentDifficulties)),
            ["ticket_exemption_minor"]
        );
        let over65_acc = Attestation::builder()
            .invalidity(I::Over65PersistentDifficulties)
            .accompaniment(true)
            .build()
            .unwrap();
        assert_eq!(ticket(&over65_acc), ["ticket_exemption_invalidity"]);
        assert!(ticket(&inv(I::Over65PersistentDifficulties)).is_empty());
        for b in BENEFITS.iter().filter(|b| b.id.starts_with("ticket_")) {
            assert!(!b.basis.contains("67"), "{}: {}", b.id, b.basis);
        }
    }

    #[test]
    fn row_monthly_allowance_is_74_to_99_only() {
        assert!(ids(&inv(I::From74)).contains(&"monthly_allowance"));
        // Regression: shown beside the pensione di inabilità at 100 %.
        assert!(!ids(&inv(I::Total)).contains(&"monthly_allowance"));
        assert!(!ids(&inv(I::From67)).contains(&"monthly_allowance"));
        let row = BENEFITS
            .iter()
            .find(|b| b.id == "monthly_allowance")
            .unwrap();
        assert!(
            row.it.contains("18–67") && !row.it.contains("65"),
            "{}",
            row.it
        );
    }

    #[test]
    fn row_inability_pension() {
        assert!(ids(&inv(I::Total)).contains(&"inability_pension"));
        assert!(!ids(&inv(I::From74)).contains(&"inability_pension"));
    }

    #[test]
    fn row_accompaniment_allowance() {
        let a = Attestation::builder()
            .invalidity(I::Total)
            .accompaniment(true)
            .build()
            .unwrap();
        assert!(ids(&a).contains(&"accompaniment_allowance"));
        assert!(!ids(&inv(I::Total)).contains(&"accompaniment_allowance"));
    }

    #[test]
    fn row_frequency_allowance() {
        // Regression: minors had no indennità di frequenza line.
        assert!(ids(&inv(I::MinorPersistentDifficulties)).contains(&"frequency_allowance"));
        let with_acc = Attestation::builder()
            .invalidity(I::MinorPersistentDifficulties)
            .accompaniment(true)
            .build()
            .unwrap();
        assert!(!ids(&with_acc).contains(&"frequency_allowance"));
        assert!(!ids(&inv(I::Over65PersistentDifficulties)).contains(&"frequency_allowance"));
    }

    #[test]
    fn row_special_allowance_partially_blind() {
        let v = Attestation::builder()
            .blindness_class(B::Ventesimista)
            .build()
            .unwrap();
        assert!(ids(&v).contains(&"special_allowance_partially_blind"));
        let a = Attestation::builder()
            .blindness_class(B::Assoluta)
            .build()
            .unwrap();
        assert!(!ids(&a).contains(&"special_allowance_partially_blind"));
    }

    #[test]
    fn row_communication_allowance() {
        // Regression: deaf holders had no indennità di comunicazione line.
        let d = Attestation::builder().deafness(true).build().unwrap();
        assert!(ids(&d).contains(&"communication_allowance"));
        assert!(!ids(&inv(I::Total)).contains(&"communication_allowance"));
    }

    #[test]
    fn rows_for_handicap() {
        let g = Attestation::builder()
            .handicap(HandicapGrade::Comma3Grave)
            .build()
            .unwrap();
        let c1 = Attestation::builder()
            .handicap(HandicapGrade::Comma1)
            .build()
            .unwrap();
        for id in ["work_permits_104", "dopo_di_noi"] {
            assert!(ids(&g).contains(&id));
            assert!(!ids(&c1).contains(&id));
        }
        // Regression: art. 3 c. 1 got an empty list.
        assert_eq!(ids(&c1), ["technical_aids_tax"]);
        assert!(ids(&g).contains(&"technical_aids_tax"));
    }

    #[test]
    fn vehicle_rows_follow_the_categories() {
        let has = |a: &Attestation, id| ids(a).contains(&id);
        // Regression: handicap grave alone, or over 65 with accompaniment,
        // showed the vehicle benefits.
        let g = Attestation::builder()
            .handicap(HandicapGrade::Comma3Grave)
            .build()
            .unwrap();
        let o = Attestation::builder()
            .invalidity(I::Over65PersistentDifficulties)
            .accompaniment(true)
            .build()
            .unwrap();
        for a in [&g, &o] {
            assert!(!has(a, "vehicle_tax_benefits") && !has(a, "vehicle_tax_benefits_adapted"));
        }
        // Regression: blind and deaf holders were not shown them.
        let blind = Attestation::builder().blindness(true).build().unwrap();
        let deaf = Attestation::builder().deafness(true).build().unwrap();
        for a in [&blind, &deaf] {
            assert!(has(a, "vehicle_tax_benefits"));
        }
        let grave = Attestation::builder()
            .handicap(HandicapGrade::Comma3Grave)
            .vehicle(V::WithoutAdaptation)
            .build()
            .unwrap();
        assert!(
            has(&grave, "vehicle_tax_benefits") && !has(&grave, "vehicle_tax_benefits_adapted")
        );
        let motor = Attestation::builder()
            .invalidity(I::From46)
            .vehicle(V::AdaptedVehicle)
            .build()
            .unwrap();
        assert!(
            !has(&motor, "vehicle_tax_benefits") && has(&motor, "vehicle_tax_benefits_adapted")
        );
    }

    #[test]
    fn row_parking_badge() {
        let w = Attestation::builder()
            .invalidity(I::From74)
            .reduced_walking(true)
            .build()
            .unwrap();
        assert!(ids(&w).contains(&"parking_badge"));
        assert!(!ids(&inv(I::Total)).contains(&"parking_badge"));
    }

    #[test]
    fn statuses_only_shows_no_band() {
        let full = Attestation::builder()
            .invalidity(I::From74)
            .handicap(HandicapGrade::Comma3Grave)
            .build()
            .unwrap();
        let s = full.statuses_only();
        let text = statuses(&s, Lang::It).join(" ");
        assert!(
            !text.contains("74") && text.contains("Invalidità civile"),
            "{text}"
        );
        for id in ids(&s) {
            assert!(
                ![
                    "monthly_allowance",
                    "ticket_exemption_invalidity",
                    "treatment_leave",
                    "targeted_employment"
                ]
                .contains(&id),
                "{id} reveals the band"
            );
        }
    }

    #[test]
    fn italian_lines_use_italian_dates() {
        let a = Attestation::builder()
            .deafness(true)
            .revision(jiff::civil::Date::constant(2028, 6, 30))
            .build()
            .unwrap();
        assert!(
            statuses(&a, Lang::It)
                .last()
                .unwrap()
                .contains("30/06/2028")
        );
        assert!(
            statuses(&a, Lang::En)
                .last()
                .unwrap()
                .contains("2028-06-30")
        );
    }

    #[test]
    fn titles_fit_the_statuses() {
        let blind = Attestation::builder().blindness(true).build().unwrap();
        assert_eq!(title(Some(&blind)).it, "Attestazione di cecità civile");
        let both = Attestation::builder()
            .invalidity(I::From46)
            .handicap(HandicapGrade::Comma1)
            .build()
            .unwrap();
        assert_eq!(
            title(Some(&both)).it,
            "Attestazione di invalidità civile e handicap (L. 104/92)"
        );
        assert!(!title(None).it.contains("invalidità civile"));
    }
}
