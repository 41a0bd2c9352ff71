//! What an attestation means for an operator: its statuses in plain Italian
//! and English, and the benefits it opens, from one table.
//!
//! The table is the single place where legal thresholds meet benefits, so
//! that the CLI, apps and printed documents say the same thing. It is a
//! guide for operators, not legal advice: each row names its legal basis.
//!
//! ```
//! use attesta_core::benefits::{benefits_for, statuses};
//! use attesta_core::model::{Attestation, InvalidityAssessment};
//! let a = Attestation::builder().invalidity(InvalidityAssessment::From74).build()?;
//! assert!(benefits_for(&a).any(|b| b.id == "ticket_exemption"));
//! assert_eq!(statuses(&a)[0].en, "Civil invalidity, at least 74 %");
//! # Ok::<(), attesta_core::model::ModelError>(())
//! ```

use crate::model::{Attestation, HandicapGrade, InvalidityAssessment, Percent};

/// A statement in Italian and English.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Bilingual {
    /// Italian.
    pub it: String,
    /// English.
    pub en: String,
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
    /// Legal basis.
    pub basis: &'static str,
    /// Whether the attestation opens it.
    #[serde(skip)]
    pub applies: fn(&Attestation) -> bool,
}

fn reaches(a: &Attestation, hundredths: u16) -> bool {
    let p = Percent::from_hundredths(hundredths).unwrap_or(Percent::FULL);
    a.invalidity().is_some_and(|i| i.reaches(p))
}

fn age_wording(a: &Attestation) -> bool {
    matches!(
        a.invalidity(),
        Some(
            InvalidityAssessment::MinorPersistentDifficulties
                | InvalidityAssessment::Over65PersistentDifficulties
        )
    )
}

/// The table.
pub const BENEFITS: &[Benefit] = &[
    Benefit {
        id: "prostheses_aids",
        it: "Protesi e ausili (nomenclatore tariffario)",
        en: "Prostheses and aids",
        basis: "invalidità ≥ 33,34 % / minori e over 65 con difficoltà persistenti",
        applies: |a| reaches(a, 3334) || age_wording(a),
    },
    Benefit {
        id: "targeted_employment",
        it: "Iscrizione alle liste del collocamento mirato",
        en: "Targeted-employment lists",
        basis: "L. 68/99; invalidità ≥ 46 %",
        applies: |a| a.disability_l68() || reaches(a, 4600),
    },
    Benefit {
        id: "treatment_leave",
        it: "Congedo per cure (30 giorni l'anno)",
        en: "Paid leave for treatment (30 days a year)",
        basis: "D.Lgs. 119/2011 art. 7; invalidità ≥ 51 %",
        applies: |a| reaches(a, 5100),
    },
    Benefit {
        id: "ticket_exemption",
        it: "Esenzione dal ticket sanitario",
        en: "Prescription-charge (ticket) exemption",
        basis: "D.M. 1/2/1991; invalidità ≥ 67 %",
        applies: |a| reaches(a, 6700) || age_wording(a) || a.blindness() || a.deafness(),
    },
    Benefit {
        id: "monthly_allowance",
        it: "Assegno mensile di assistenza (18–65 anni, requisiti di reddito)",
        en: "Monthly allowance (age 18–65, income limits)",
        basis: "L. 118/71 art. 13; invalidità ≥ 74 %",
        applies: |a| reaches(a, 7400),
    },
    Benefit {
        id: "inability_pension",
        it: "Pensione di inabilità (requisiti di reddito)",
        en: "Inability pension (income limits)",
        basis: "L. 118/71 art. 12; invalidità 100 %",
        applies: |a| reaches(a, 10_000),
    },
    Benefit {
        id: "accompaniment_allowance",
        it: "Indennità di accompagnamento",
        en: "Attendance allowance",
        basis: "L. 18/80",
        applies: |a| a.accompaniment(),
    },
    Benefit {
        id: "work_permits_104",
        it: "Permessi lavorativi retribuiti (3 giorni al mese) e congedo biennale per i familiari",
        en: "Paid work permits (3 days a month) and two-year leave for family carers",
        basis: "L. 104/92 art. 33; D.Lgs. 151/2001 art. 42",
        applies: |a| a.handicap_grave(),
    },
    Benefit {
        id: "vehicle_tax_benefits",
        it: "Agevolazioni fiscali sui veicoli (IVA 4 %, esenzione bollo)",
        en: "Vehicle tax benefits (4 % VAT, road-tax exemption)",
        basis: "L. 449/97 art. 8; L. 388/2000 art. 30; handicap grave o capacità deambulatorie ridotte",
        applies: |a| a.handicap_grave() || a.reduced_walking() || a.accompaniment(),
    },
    Benefit {
        id: "dopo_di_noi",
        it: "Misure \"Dopo di noi\"",
        en: "\"Dopo di noi\" (after-parents) support measures",
        basis: "L. 112/2016; handicap grave",
        applies: |a| a.handicap_grave(),
    },
    Benefit {
        id: "parking_badge",
        it: "Contrassegno di parcheggio senza ulteriore visita",
        en: "Parking badge without a further medical visit",
        basis: "D.P.R. 495/92 art. 381; D.L. 5/2012 art. 4",
        applies: |a| a.reduced_walking() || (a.blindness() && a.accompaniment()),
    },
];

/// The benefits an attestation opens, in table order.
pub fn benefits_for(a: &Attestation) -> impl Iterator<Item = &'static Benefit> + '_ {
    BENEFITS.iter().filter(move |b| (b.applies)(a))
}

/// The statuses and facts of an attestation, one line each.
pub fn statuses(a: &Attestation) -> Vec<Bilingual> {
    let mut out = Vec::new();
    if let Some(i) = a.invalidity() {
        out.push(match i {
            InvalidityAssessment::From33 => bi(
                "Invalidità civile, almeno 33,34 %",
                "Civil invalidity, at least 33.34 %",
            ),
            InvalidityAssessment::From46 => {
                bi("Invalidità civile, almeno 46 %", "Civil invalidity, at least 46 %")
            }
            InvalidityAssessment::From51 => {
                bi("Invalidità civile, almeno 51 %", "Civil invalidity, at least 51 %")
            }
            InvalidityAssessment::From67 => {
                bi("Invalidità civile, almeno 67 %", "Civil invalidity, at least 67 %")
            }
            InvalidityAssessment::From74 => {
                bi("Invalidità civile, almeno 74 %", "Civil invalidity, at least 74 %")
            }
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
        });
    }
    if a.blindness() {
        out.push(bi("Cecità civile", "Civil blindness"));
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
    if let Some(r) = a.revision() {
        out.push(bi(
            format!(
                "Rivedibile dal {r}: i diritti restano validi fino alla nuova visita (L. 114/2014)"
            ),
            format!(
                "Subject to review from {r}: rights remain until INPS reassesses (L. 114/2014)"
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_open_the_right_benefits() {
        let a = |i| Attestation::builder().invalidity(i).build().unwrap();
        let ids = |a: &Attestation| benefits_for(a).map(|b| b.id).collect::<Vec<_>>();
        assert_eq!(ids(&a(InvalidityAssessment::From33)), ["prostheses_aids"]);
        assert!(!ids(&a(InvalidityAssessment::From51)).contains(&"ticket_exemption"));
        assert!(ids(&a(InvalidityAssessment::From67)).contains(&"ticket_exemption"));
        let total = ids(&a(InvalidityAssessment::Total));
        for id in [
            "prostheses_aids",
            "targeted_employment",
            "treatment_leave",
            "ticket_exemption",
            "monthly_allowance",
            "inability_pension",
        ] {
            assert!(total.contains(&id), "{id}");
        }
        let h = Attestation::builder()
            .handicap(HandicapGrade::Comma3Grave)
            .build()
            .unwrap();
        assert!(ids(&h).contains(&"work_permits_104"));
        let h1 = Attestation::builder()
            .handicap(HandicapGrade::Comma1)
            .build()
            .unwrap();
        assert!(ids(&h1).is_empty());
    }
}
