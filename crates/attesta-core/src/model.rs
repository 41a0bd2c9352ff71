//! The domain model: what a first-level attestation states, and the
//! second-level details that only an accredited operator may read.
//!
//! The types follow the Italian rules (see the Emilia-Romagna disability
//! vademecum) closely enough that a combination the law does not produce
//! cannot be built: a 100 % threshold is one [`InvalidityAssessment`] value
//! that implies the lower ones, a percentage above 100 is not a [`Percent`],
//! and [`AttestationBuilder::build`] refuses the remaining impossible mixes.
//!
//! **No diagnosis ever enters these types.** The judgement wording of the
//! second level is the final assessment of the reduced verbale, nothing more.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::rules::{Rule, enforced};

/// A percentage with two decimals, stored in hundredths (`3334` is 33.34 %).
///
/// Only values from 0 to 100 % exist.
///
/// ```
/// use attesta_core::model::Percent;
/// let p: Percent = "33,34".parse()?;
/// assert_eq!(p.hundredths(), 3334);
/// assert_eq!(p.to_string(), "33.34");
/// assert!("100.5".parse::<Percent>().is_err());
/// # Ok::<(), attesta_core::model::ModelError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Percent(u16);

impl Percent {
    /// 100 %.
    pub const FULL: Percent = Percent(10_000);

    /// A percentage from hundredths of a percent (`0..=10000`).
    pub fn from_hundredths(hundredths: u16) -> Result<Self, ModelError> {
        if hundredths > 10_000 {
            return Err(ModelError::PercentOutOfRange {
                input: format!("{}.{:02}", hundredths / 100, hundredths % 100),
            });
        }
        Ok(Percent(hundredths))
    }

    /// The value in hundredths of a percent.
    pub fn hundredths(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for Percent {
    type Error = ModelError;
    fn try_from(v: u16) -> Result<Self, Self::Error> {
        Percent::from_hundredths(v)
    }
}

impl From<Percent> for u16 {
    fn from(p: Percent) -> u16 {
        p.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(100) {
            write!(f, "{}", self.0 / 100)
        } else {
            write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
        }
    }
}

impl FromStr for Percent {
    type Err = ModelError;

    /// Accepts `67`, `67%`, `33.34` and the Italian `33,34`; at most two decimals.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ModelError::PercentOutOfRange {
            input: s.chars().take(16).collect(),
        };
        let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t.as_str(), ""),
        };
        if int.is_empty()
            || int.len() > 3
            || frac.len() > 2
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: u32 = int.parse().map_err(|_| bad())?;
        let cents: u32 = match frac.len() {
            0 => 0,
            1 => frac.parse::<u32>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let h = whole * 100 + cents;
        if h > 10_000 {
            return Err(bad());
        }
        Percent::from_hundredths(h as u16)
    }
}

/// How civil invalidity was assessed: a band of the percentage (the highest
/// legal threshold reached), or, for minors and people over 65, the
/// "difficoltà persistenti" wording that replaces a percentage.
///
/// A band implies every lower threshold, so "100 % without the lower ones"
/// cannot be expressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InvalidityAssessment {
    /// ≥ 33.34 %: status of invalido civile, prostheses and aids.
    From33,
    /// ≥ 46 %: targeted-employment lists (L. 68/99).
    From46,
    /// ≥ 51 %: paid leave for treatment.
    From51,
    /// ≥ 67 %: prescription-charge exemption (ticket).
    From67,
    /// 74–99 %: monthly allowance (assegno mensile di assistenza, L. 118/71
    /// art. 13, ages 18–67).
    From74,
    /// 100 %: total inability (inabilità totale, pensione di inabilità).
    Total,
    /// A minor with persistent difficulties in carrying out the tasks and functions of their age.
    MinorPersistentDifficulties,
    /// A person over 65 with persistent difficulties in carrying out the tasks and functions of their age.
    Over65PersistentDifficulties,
    /// Civil invalidity whose band the holder chose not to show (`--mostra
    /// stati`): it reaches 33.34 % or the minor/over-65 wording, nothing more
    /// is said. Built only by [`Attestation::statuses_only`].
    StatusOnly,
}

impl InvalidityAssessment {
    /// All values, in wire-code order.
    pub const ALL: [InvalidityAssessment; 9] = [
        Self::From33,
        Self::From46,
        Self::From51,
        Self::From67,
        Self::From74,
        Self::Total,
        Self::MinorPersistentDifficulties,
        Self::Over65PersistentDifficulties,
        Self::StatusOnly,
    ];

    /// The band reached by a percentage; `None` below 33.34 %, where no
    /// civil-invalidity status exists.
    ///
    /// ```
    /// use attesta_core::model::{InvalidityAssessment, Percent};
    /// let p: Percent = "70".parse().unwrap();
    /// assert_eq!(InvalidityAssessment::from_percent(p), Some(InvalidityAssessment::From67));
    /// ```
    pub fn from_percent(p: Percent) -> Option<Self> {
        Some(match p.hundredths() {
            10_000 => Self::Total,
            7400.. => Self::From74,
            6700.. => Self::From67,
            5100.. => Self::From51,
            4600.. => Self::From46,
            3334.. => Self::From33,
            _ => return None,
        })
    }

    /// The lowest percentage of the band; `None` for the age-based wordings.
    pub fn threshold(self) -> Option<Percent> {
        let h = match self {
            Self::From33 => 3334,
            Self::From46 => 4600,
            Self::From51 => 5100,
            Self::From67 => 6700,
            Self::From74 => 7400,
            Self::Total => 10_000,
            _ => return None,
        };
        Some(Percent(h))
    }

    /// Whether the assessment is known to reach at least `p` (age-based
    /// wordings and an undisclosed band reach no percentage).
    pub fn reaches(self, p: Percent) -> bool {
        self.threshold().is_some_and(|t| t >= p)
    }

    /// A band of the percentage (33.34 % to 100 %), as opposed to the
    /// age-based wordings or an undisclosed band.
    pub fn is_band(self) -> bool {
        self.threshold().is_some()
    }

    pub(crate) fn code(self) -> u32 {
        match self {
            Self::From33 => 1,
            Self::From46 => 2,
            Self::From51 => 3,
            Self::From67 => 4,
            Self::From74 => 5,
            Self::Total => 6,
            Self::MinorPersistentDifficulties => 7,
            Self::Over65PersistentDifficulties => 8,
            // 15, not 9: the first release's verifiers and test vector
            // negative/097 refuse code 9 as unknown; 9–14 stay refused.
            Self::StatusOnly => 15,
        }
    }

    pub(crate) fn from_code(c: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == c)
    }
}

/// Handicap under L. 104/92, art. 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandicapGrade {
    /// Art. 3 comma 1.
    Comma1,
    /// Art. 3 comma 3, "in situazione di gravità": work permits, two-year
    /// leave, car tax benefits, "Dopo di noi".
    Comma3Grave,
}

impl FromStr for HandicapGrade {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "grave" | "comma3" | "c3" | "3" => Ok(Self::Comma3Grave),
            "non-grave" | "nongrave" | "comma1" | "c1" | "1" => Ok(Self::Comma1),
            _ => Err(ModelError::UnknownValue {
                field: "handicap",
                expected: "grave (art. 3 c. 3), non-grave (art. 3 c. 1)",
            }),
        }
    }
}

/// Civil-blindness class. On the first level it is a benefit fact (the
/// indennità di accompagnamento goes to ciechi assoluti, the indennità
/// speciale to ventesimisti); codes of format v1 issued before it was
/// carried say only "civil blindness".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlindnessClass {
    /// Cieco assoluto.
    Assoluta,
    /// Cieco parziale, residual sight ≤ 1/20 ("ventesimista").
    Ventesimista,
    /// The legacy "decimista" class (residual sight ≤ 1/10).
    Decimista,
}

impl BlindnessClass {
    pub(crate) fn code(self) -> u32 {
        match self {
            Self::Assoluta => 1,
            Self::Ventesimista => 2,
            Self::Decimista => 3,
        }
    }
    pub(crate) fn from_code(c: u32) -> Option<Self> {
        [Self::Assoluta, Self::Ventesimista, Self::Decimista]
            .into_iter()
            .find(|b| b.code() == c)
    }
}

impl FromStr for BlindnessClass {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "assoluta" | "assoluto" => Ok(Self::Assoluta),
            "ventesimista" | "parziale" => Ok(Self::Ventesimista),
            "decimista" => Ok(Self::Decimista),
            _ => Err(ModelError::UnknownValue {
                field: "cecita",
                expected: "assoluta, ventesimista, decimista",
            }),
        }
    }
}

/// The requirements for the vehicle tax benefits (IVA 4 %, IRPEF 19 %
/// deduction, road-tax exemption) that the verbale states under D.L. 5/2012
/// art. 4 c. 1. A fact of the verbale, never inferred from other statuses.
///
/// Blind and deaf holders qualify by their status (L. 342/2000 art. 50) and
/// need neither value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VehicleRequirement {
    /// Ridotte o impedite capacità motorie permanenti (L. 449/97 art. 8):
    /// the benefits apply only to a vehicle adapted to the disability.
    AdaptedVehicle,
    /// Grave limitazione della capacità di deambulazione, pluriamputazioni,
    /// or a psychic or mental disability with indennità di accompagnamento,
    /// with handicap grave (L. 388/2000 art. 30 c. 7): no adaptation needed.
    /// The two grounds share one value so that the code does not say which.
    WithoutAdaptation,
}

impl VehicleRequirement {
    pub(crate) fn code(self) -> u32 {
        match self {
            Self::AdaptedVehicle => 1,
            Self::WithoutAdaptation => 2,
        }
    }
}

impl FromStr for VehicleRequirement {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "con-adattamento" | "adattato" | "adattamento" | "adapted" => Ok(Self::AdaptedVehicle),
            "senza-adattamento" | "non-adattato" | "without-adaptation" => {
                Ok(Self::WithoutAdaptation)
            }
            _ => Err(ModelError::UnknownValue {
                field: "auto",
                expected: "con-adattamento (L. 449/97 art. 8), senza-adattamento (L. 388/2000 art. 30 c. 7)",
            }),
        }
    }
}

/// What a first-level code attests: the five statuses and the
/// benefit-relevant facts, never a percentage and never a diagnosis.
///
/// ```
/// use attesta_core::model::{Attestation, HandicapGrade, InvalidityAssessment};
/// let a = Attestation::builder()
///     .invalidity(InvalidityAssessment::From74)
///     .handicap(HandicapGrade::Comma3Grave)
///     .reduced_walking(true)
///     .build()?;
/// assert!(a.handicap_grave());
/// // The holder may show the statuses without the band (`--mostra stati`).
/// let s = a.statuses_only();
/// assert_eq!(s.invalidity(), Some(InvalidityAssessment::StatusOnly));
/// # Ok::<(), attesta_core::model::ModelError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AttestationBuilder")]
pub struct Attestation {
    invalidity: Option<InvalidityAssessment>,
    blindness: bool,
    // Absent from the JSON when not stated, so that the JSON of codes issued
    // before these facts existed is unchanged (test vectors pin it).
    #[serde(skip_serializing_if = "Option::is_none")]
    blindness_class: Option<BlindnessClass>,
    deafness: bool,
    disability_l68: bool,
    handicap: Option<HandicapGrade>,
    accompaniment: bool,
    reduced_walking: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    vehicle: Option<VehicleRequirement>,
    revision: Option<Date>,
}

/// Builder for [`Attestation`]; [`AttestationBuilder::build`] checks the
/// combination. It is also the serde form, so that deserializing checks it too.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttestationBuilder {
    invalidity: Option<InvalidityAssessment>,
    blindness: bool,
    blindness_class: Option<BlindnessClass>,
    deafness: bool,
    disability_l68: bool,
    handicap: Option<HandicapGrade>,
    accompaniment: bool,
    reduced_walking: bool,
    vehicle: Option<VehicleRequirement>,
    revision: Option<Date>,
}

impl AttestationBuilder {
    /// Civil invalidity with its assessment.
    pub fn invalidity(mut self, a: InvalidityAssessment) -> Self {
        self.invalidity = Some(a);
        self
    }
    /// Civil invalidity from a percentage (the band follows from it).
    pub fn invalidity_percent(mut self, p: Percent) -> Result<Self, ModelError> {
        self.invalidity =
            Some(InvalidityAssessment::from_percent(p).ok_or(ModelError::BelowStatusThreshold)?);
        Ok(self)
    }
    /// Civil blindness (cecità civile), class not stated.
    pub fn blindness(mut self, yes: bool) -> Self {
        self.blindness = yes;
        if !yes {
            self.blindness_class = None;
        }
        self
    }
    /// Civil blindness with its class.
    pub fn blindness_class(mut self, c: BlindnessClass) -> Self {
        self.blindness = true;
        self.blindness_class = Some(c);
        self
    }
    /// Civil deafness (sordità civile).
    pub fn deafness(mut self, yes: bool) -> Self {
        self.deafness = yes;
        self
    }
    /// Disability for targeted employment (L. 68/99, collocamento mirato).
    pub fn disability_l68(mut self, yes: bool) -> Self {
        self.disability_l68 = yes;
        self
    }
    /// Handicap (L. 104/92) with its grade.
    pub fn handicap(mut self, g: HandicapGrade) -> Self {
        self.handicap = Some(g);
        self
    }
    /// Indennità di accompagnamento.
    pub fn accompaniment(mut self, yes: bool) -> Self {
        self.accompaniment = yes;
        self
    }
    /// "Capacità deambulatorie sensibilmente ridotte": the verbale states the
    /// requirements for the parking badge (D.L. 5/2012 art. 4 c. 1).
    pub fn reduced_walking(mut self, yes: bool) -> Self {
        self.reduced_walking = yes;
        self
    }
    /// The vehicle tax-benefit requirements the verbale states (D.L. 5/2012
    /// art. 4 c. 1).
    pub fn vehicle(mut self, v: VehicleRequirement) -> Self {
        self.vehicle = Some(v);
        self
    }
    /// Revision date (rivedibilità). Not an expiry: by L. 114/2014 rights
    /// persist after it until INPS reassesses.
    pub fn revision(mut self, d: Date) -> Self {
        self.revision = Some(d);
        self
    }

    /// Checks the combination and builds the attestation.
    pub fn build(self) -> Result<Attestation, ModelError> {
        let a = Attestation {
            invalidity: self.invalidity,
            blindness: self.blindness,
            blindness_class: self.blindness_class,
            deafness: self.deafness,
            disability_l68: self.disability_l68,
            handicap: self.handicap,
            accompaniment: self.accompaniment,
            reduced_walking: self.reduced_walking,
            vehicle: self.vehicle,
            revision: self.revision,
        };
        a.check()?;
        Ok(a)
    }
}

impl TryFrom<AttestationBuilder> for Attestation {
    type Error = ModelError;
    fn try_from(b: AttestationBuilder) -> Result<Self, ModelError> {
        b.build()
    }
}

impl Attestation {
    /// Starts a builder.
    pub fn builder() -> AttestationBuilder {
        AttestationBuilder::default()
    }

    /// The model rules (docs/format.md, section 8).
    fn check(&self) -> Result<(), ModelError> {
        let any_status = self.invalidity.is_some()
            || self.blindness
            || self.deafness
            || self.disability_l68
            || self.handicap.is_some();
        if !any_status && enforced(Rule::ModelAnyStatus) {
            return Err(ModelError::NoStatus);
        }
        if self.blindness_class.is_some()
            && !self.blindness
            && enforced(Rule::ModelClassNeedsBlindness)
        {
            return Err(ModelError::Inconsistent(ModelRule::ClassWithoutBlindness));
        }
        // The indennità di accompagnamento goes to total invalids, to minors
        // and over-65s with persistent difficulties (L. 18/80 art. 1), and to
        // the absolutely blind (L. 406/68); ventesimisti get the indennità
        // speciale instead (L. 508/88 art. 3).
        if self.accompaniment {
            let as_invalid = matches!(
                self.invalidity,
                Some(
                    InvalidityAssessment::Total
                        | InvalidityAssessment::MinorPersistentDifficulties
                        | InvalidityAssessment::Over65PersistentDifficulties
                        | InvalidityAssessment::StatusOnly
                )
            );
            let as_blind = self.blindness
                && matches!(self.blindness_class, None | Some(BlindnessClass::Assoluta));
            if !as_invalid && !as_blind && enforced(Rule::ModelAccompaniment) {
                return Err(ModelError::Inconsistent(ModelRule::Accompaniment));
            }
        }
        // L. 68/99 art. 1 c. 1: civil invalids above 45 %, the blind and the deaf.
        if self.disability_l68 && !self.blindness && !self.deafness {
            let ok = self
                .invalidity
                .is_some_and(|a| a.reaches(Percent(4600)) || a == InvalidityAssessment::StatusOnly);
            if !ok && enforced(Rule::ModelL68) {
                return Err(ModelError::Inconsistent(ModelRule::L68));
            }
        }
        // L. 388/2000 art. 30 c. 7 needs handicap grave (art. 3 c. 3).
        if self.vehicle == Some(VehicleRequirement::WithoutAdaptation)
            && !self.handicap_grave()
            && enforced(Rule::ModelVehicleNeedsGrave)
        {
            return Err(ModelError::Inconsistent(
                ModelRule::VehicleWithoutAdaptation,
            ));
        }
        // StatusOnly exists only in the statuses-only form, which carries no
        // blindness class either.
        if self.invalidity == Some(InvalidityAssessment::StatusOnly)
            && self.blindness_class.is_some()
            && enforced(Rule::ModelStatusOnlyNoClass)
        {
            return Err(ModelError::Inconsistent(ModelRule::StatusOnlyWithClass));
        }
        Ok(())
    }

    /// The statuses-only form the holder may choose (`--mostra stati`): the
    /// invalidity band (or minor/over-65 wording) becomes "civil invalidity",
    /// the blindness class is dropped; the statuses, accompaniment, reduced
    /// walking, the vehicle requirements and the revision date stay. Its
    /// wire form has the same length.
    pub fn statuses_only(&self) -> Attestation {
        Attestation {
            invalidity: self.invalidity.map(|_| InvalidityAssessment::StatusOnly),
            blindness_class: None,
            ..self.clone()
        }
    }

    /// Whether this is the statuses-only form (the holder chose not to show
    /// the invalidity band or the blindness class). Only a code with civil
    /// invalidity can tell; for the others the two forms coincide.
    pub fn is_statuses_only(&self) -> bool {
        self.invalidity == Some(InvalidityAssessment::StatusOnly)
    }

    /// Civil invalidity and how it was assessed.
    pub fn invalidity(&self) -> Option<InvalidityAssessment> {
        self.invalidity
    }
    /// Civil blindness.
    pub fn blindness(&self) -> bool {
        self.blindness
    }
    /// The blindness class, when the code states it.
    pub fn blindness_class(&self) -> Option<BlindnessClass> {
        self.blindness_class
    }
    /// Civil deafness.
    pub fn deafness(&self) -> bool {
        self.deafness
    }
    /// Disability for targeted employment (L. 68/99).
    pub fn disability_l68(&self) -> bool {
        self.disability_l68
    }
    /// Handicap (L. 104/92) and its grade.
    pub fn handicap(&self) -> Option<HandicapGrade> {
        self.handicap
    }
    /// Handicap in situazione di gravità (art. 3 c. 3).
    pub fn handicap_grave(&self) -> bool {
        self.handicap == Some(HandicapGrade::Comma3Grave)
    }
    /// Indennità di accompagnamento.
    pub fn accompaniment(&self) -> bool {
        self.accompaniment
    }
    /// Reduced walking capacity (parking badge).
    pub fn reduced_walking(&self) -> bool {
        self.reduced_walking
    }
    /// The vehicle tax-benefit requirements stated in the verbale.
    pub fn vehicle(&self) -> Option<VehicleRequirement> {
        self.vehicle
    }
    /// Revision date, if the verbale is "rivedibile". Rights persist after it
    /// until INPS reassesses (L. 114/2014).
    pub fn revision(&self) -> Option<Date> {
        self.revision
    }

    // Wire form: see docs/format.md, "First-level plaintext". Bit 11 stays
    // reserved: codes of the first release that set it must keep failing
    // as `unknown_flags` (test vector negative/096).
    const BLIND: u32 = 1 << 4;
    const DEAF: u32 = 1 << 5;
    const L68: u32 = 1 << 6;
    const HANDICAP_SHIFT: u32 = 7;
    const ACCOMP: u32 = 1 << 9;
    const WALK: u32 = 1 << 10;
    const CLASS_SHIFT: u32 = 12;
    const VEHICLE_SHIFT: u32 = 14;
    const KNOWN_BITS: u32 = 0xF7FF;

    pub(crate) fn to_flags(&self) -> u32 {
        let mut f = self.invalidity.map_or(0, |a| a.code());
        if self.blindness {
            f |= Self::BLIND;
        }
        if self.deafness {
            f |= Self::DEAF;
        }
        if self.disability_l68 {
            f |= Self::L68;
        }
        f |= match self.handicap {
            None => 0,
            Some(HandicapGrade::Comma1) => 1 << Self::HANDICAP_SHIFT,
            Some(HandicapGrade::Comma3Grave) => 2 << Self::HANDICAP_SHIFT,
        };
        if self.accompaniment {
            f |= Self::ACCOMP;
        }
        if self.reduced_walking {
            f |= Self::WALK;
        }
        f |= self.blindness_class.map_or(0, |c| c.code()) << Self::CLASS_SHIFT;
        f |= self.vehicle.map_or(0, |v| v.code()) << Self::VEHICLE_SHIFT;
        f
    }

    pub(crate) fn from_flags(flags: u64, revision: Option<Date>) -> Result<Self, ModelError> {
        let flags = u32::try_from(flags).map_err(|_| ModelError::UnknownFlags)?;
        if flags & !Self::KNOWN_BITS != 0 && enforced(Rule::FlagsReservedBit) {
            return Err(ModelError::UnknownFlags);
        }
        let inv = flags & 0xF;
        let invalidity = match inv {
            0 => None,
            c => match InvalidityAssessment::from_code(c) {
                Some(a) => Some(a),
                None if !enforced(Rule::FlagsInvalidityCode) => None,
                None => return Err(ModelError::UnknownFlags),
            },
        };
        let handicap = match (flags >> Self::HANDICAP_SHIFT) & 3 {
            0 => None,
            1 => Some(HandicapGrade::Comma1),
            2 => Some(HandicapGrade::Comma3Grave),
            _ if !enforced(Rule::FlagsHandicapValue) => None,
            _ => return Err(ModelError::UnknownFlags),
        };
        let blindness_class = match (flags >> Self::CLASS_SHIFT) & 3 {
            0 => None,
            c => Some(BlindnessClass::from_code(c).ok_or(ModelError::UnknownFlags)?),
        };
        let vehicle = match (flags >> Self::VEHICLE_SHIFT) & 3 {
            0 => None,
            1 => Some(VehicleRequirement::AdaptedVehicle),
            2 => Some(VehicleRequirement::WithoutAdaptation),
            _ if !enforced(Rule::FlagsVehicleValue) => None,
            _ => return Err(ModelError::UnknownFlags),
        };
        let a = Attestation {
            invalidity,
            blindness: flags & Self::BLIND != 0,
            blindness_class,
            deafness: flags & Self::DEAF != 0,
            disability_l68: flags & Self::L68 != 0,
            handicap,
            accompaniment: flags & Self::ACCOMP != 0,
            reduced_walking: flags & Self::WALK != 0,
            vehicle,
            revision,
        };
        a.check()?;
        Ok(a)
    }
}

/// The second-level details: medical judgement and percentages, for an
/// accredited operator only. Never diagnoses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondLevelDetails {
    /// Civil-invalidity percentage, to hundredths.
    pub invalidity_percent: Option<Percent>,
    /// Blindness class.
    pub blindness_class: Option<BlindnessClass>,
    /// Civil deafness.
    pub deafness: bool,
    /// Handicap article (L. 104/92 art. 3 c. 1 or c. 3).
    pub handicap: Option<HandicapGrade>,
    /// L. 68/99 disability percentage.
    pub l68_percent: Option<Percent>,
    /// The final-assessment wording of the reduced verbale (at most
    /// [`SecondLevelDetails::MAX_JUDGEMENT_CHARS`] characters); never a diagnosis.
    pub judgement: Option<String>,
}

impl SecondLevelDetails {
    /// Checks that the details say nothing the first-level attestation
    /// they belong to contradicts: the percentage falls in its band, the
    /// statuses are its statuses.
    ///
    /// ```
    /// use attesta_core::model::{Attestation, InvalidityAssessment, SecondLevelDetails};
    /// let first = Attestation::builder().invalidity(InvalidityAssessment::From74).build()?;
    /// let details = SecondLevelDetails { invalidity_percent: Some("60".parse()?), ..Default::default() };
    /// assert!(details.check_against(&first).is_err());
    /// # Ok::<(), attesta_core::model::ModelError>(())
    /// ```
    pub fn check_against(&self, first: &Attestation) -> Result<(), ModelError> {
        let bad = |field| Err(ModelError::ContradictsFirstLevel { field });
        if let Some(p) = self.invalidity_percent {
            let band = InvalidityAssessment::from_percent(p);
            let ok = match (first.invalidity(), band) {
                // Below 33.34 % there is no status, and none is attested.
                (None, None) => true,
                (None, Some(_)) | (Some(_), None) => false,
                (Some(i), Some(b)) if i.is_band() => i == b,
                // Minor/over-65 wording or an undisclosed band: any band.
                (Some(_), Some(_)) => true,
            };
            if !ok {
                return bad("invalidita");
            }
        }
        if let Some(c) = self.blindness_class
            && (!first.blindness() || first.blindness_class().is_some_and(|f| f != c))
        {
            return bad("cecita");
        }
        if self.deafness && !first.deafness() {
            return bad("sordita");
        }
        if let Some(h) = self.handicap
            && first.handicap() != Some(h)
        {
            return bad("handicap");
        }
        if self.l68_percent.is_some() && !first.disability_l68() {
            return bad("l68-percent");
        }
        Ok(())
    }

    /// Longest judgement wording accepted, to keep the token scannable.
    pub const MAX_JUDGEMENT_CHARS: usize = 120;

    /// Checks the details (docs/format.md §12.3): something to say (a
    /// percentage, a class, deafness, a handicap article or a judgement;
    /// `deafness: false` alone says nothing), and a judgement wording that
    /// is not blank (made only of Unicode White_Space characters, the
    /// characters `char::is_whitespace` and `str::trim` know) and has at
    /// most [`SecondLevelDetails::MAX_JUDGEMENT_CHARS`] characters, counted
    /// as Unicode scalar values (not bytes: "è" is one character).
    ///
    /// ```
    /// use attesta_core::model::SecondLevelDetails;
    /// let d = |j: &str| SecondLevelDetails { judgement: Some(j.into()), ..Default::default() };
    /// assert!(d(&"è".repeat(120)).validate().is_ok()); // 240 bytes
    /// assert!(d(&"è".repeat(121)).validate().is_err());
    /// assert!(d("\u{3000}\u{a0}").validate().is_err()); // ideographic and no-break spaces only
    /// assert!(SecondLevelDetails::default().validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.invalidity_percent.is_none()
            && self.blindness_class.is_none()
            && !self.deafness
            && self.handicap.is_none()
            && self.l68_percent.is_none()
            && self.judgement.is_none()
            && enforced(Rule::DetailsNotEmpty)
        {
            return Err(ModelError::NoStatus);
        }
        if let Some(j) = self.judgement.as_deref() {
            let blank = if enforced(Rule::JudgementBlank) {
                j.trim().is_empty()
            } else {
                j.trim_ascii().is_empty()
            };
            if blank {
                return Err(ModelError::EmptyJudgement);
            }
            let len = if enforced(Rule::JudgementCountsChars) {
                j.chars().count()
            } else {
                j.len()
            };
            let max = if enforced(Rule::JudgementMaxChars) {
                Self::MAX_JUDGEMENT_CHARS
            } else {
                Self::MAX_JUDGEMENT_CHARS + 1
            };
            if len > max {
                return Err(ModelError::JudgementTooLong {
                    max: Self::MAX_JUDGEMENT_CHARS,
                });
            }
        }
        Ok(())
    }
}

/// A rule of the model that a combination breaks (docs/format.md, section 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelRule {
    /// The indennità di accompagnamento needs 100 %, the minor/over-65
    /// wording, or absolute blindness.
    Accompaniment,
    /// L. 68/99 needs more than 45 %, blindness or deafness.
    L68,
    /// A blindness class without civil blindness.
    ClassWithoutBlindness,
    /// Vehicle benefits without adaptation need handicap grave.
    VehicleWithoutAdaptation,
    /// The statuses-only form carries no blindness class.
    StatusOnlyWithClass,
}

impl ModelRule {
    /// The rule in words.
    pub fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Accompaniment, Lang::It) => {
                "l'indennità di accompagnamento spetta con invalidità civile al 100 %, ai minori e agli ultrasessantacinquenni con difficoltà persistenti, o ai ciechi assoluti (i ciechi ventesimisti hanno l'indennità speciale)"
            }
            (Self::Accompaniment, Lang::En) => {
                "the indennità di accompagnamento needs 100 % civil invalidity, the minor/over-65 wording, or absolute blindness (partially blind ventesimisti get the indennità speciale instead)"
            }
            (Self::L68, Lang::It) => {
                "la disabilità L. 68/99 richiede invalidità civile superiore al 45 %, cecità civile o sordità civile"
            }
            (Self::L68, Lang::En) => {
                "L. 68/99 disability needs civil invalidity above 45 %, civil blindness or civil deafness"
            }
            (Self::ClassWithoutBlindness, Lang::It) => {
                "una classe di cecità senza lo stato di cecità civile"
            }
            (Self::ClassWithoutBlindness, Lang::En) => "a blindness class without civil blindness",
            (Self::VehicleWithoutAdaptation, Lang::It) => {
                "i requisiti per le agevolazioni auto senza adattamento del veicolo (L. 388/2000 art. 30 c. 7) richiedono l'handicap grave (L. 104/92 art. 3 c. 3)"
            }
            (Self::VehicleWithoutAdaptation, Lang::En) => {
                "the vehicle benefits without adaptation (L. 388/2000 art. 30 c. 7) need handicap grave (L. 104/92 art. 3 c. 3)"
            }
            (Self::StatusOnlyWithClass, Lang::It) => {
                "la forma con i soli stati non riporta la classe di cecità"
            }
            (Self::StatusOnlyWithClass, Lang::En) => {
                "the statuses-only form carries no blindness class"
            }
        }
    }
}

/// An attestation or details that cannot exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Lang::En))]
#[non_exhaustive]
pub enum ModelError {
    /// Not a percentage between 0 and 100 with at most two decimals.
    PercentOutOfRange {
        /// The input, shortened.
        input: String,
    },
    /// A civil-invalidity percentage below 33.34 % gives no status.
    BelowStatusThreshold,
    /// No status at all.
    NoStatus,
    /// A combination the law does not produce.
    Inconsistent(ModelRule),
    /// A value not in the list of accepted ones.
    UnknownValue {
        /// The field (its CSV column name).
        field: &'static str,
        /// The accepted values.
        expected: &'static str,
    },
    /// The flags carry values this version does not know.
    UnknownFlags,
    /// The judgement wording is too long.
    JudgementTooLong {
        /// The limit.
        max: usize,
    },
    /// A judgement wording that is only white space.
    EmptyJudgement,
    /// Second-level details that contradict the first-level credential
    /// they belong to.
    ContradictsFirstLevel {
        /// The detail (its column name: invalidita, cecita, sordita,
        /// handicap, l68-percent).
        field: &'static str,
    },
}

impl ModelError {
    /// The stable machine-readable code of this error, for issuers' scripts
    /// and translations: unlike the message, it does not change between
    /// releases. A verifier reports content errors as
    /// [`FormatError::code`](crate::error::FormatError::code) answers them
    /// (`invalid_attestation`, `unknown_flags`); these finer codes are for
    /// the issuing side.
    ///
    /// ```
    /// use attesta_core::model::{ModelError, ModelRule};
    /// assert_eq!(ModelError::Inconsistent(ModelRule::L68).code(), "inconsistent_l68");
    /// assert_eq!(ModelError::NoStatus.code(), "no_status");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::PercentOutOfRange { .. } => "percent_out_of_range",
            Self::BelowStatusThreshold => "below_status_threshold",
            Self::NoStatus => "no_status",
            Self::Inconsistent(r) => match r {
                ModelRule::Accompaniment => "inconsistent_accompaniment",
                ModelRule::L68 => "inconsistent_l68",
                ModelRule::ClassWithoutBlindness => "inconsistent_class_without_blindness",
                ModelRule::VehicleWithoutAdaptation => "inconsistent_vehicle_without_adaptation",
                ModelRule::StatusOnlyWithClass => "inconsistent_statuses_only_with_class",
            },
            Self::UnknownValue { .. } => "unknown_value",
            Self::UnknownFlags => "unknown_flags",
            Self::JudgementTooLong { .. } => "judgement_too_long",
            Self::EmptyJudgement => "empty_judgement",
            Self::ContradictsFirstLevel { .. } => "contradicts_first_level",
        }
    }

    /// The message in `lang`: what is wrong, then what to do.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::PercentOutOfRange { input }, Lang::It) => format!(
                "'{input}' non è una percentuale tra 0 e 100 con al massimo due decimali; scriverla come nel verbale, per esempio 67 o 33,34"
            ),
            (Self::PercentOutOfRange { input }, Lang::En) => format!(
                "'{input}' is not a percentage between 0 and 100 with at most two decimals; write it as in the verbale, e.g. 67 or 33.34"
            ),
            (Self::BelowStatusThreshold, Lang::It) => "una percentuale di invalidità civile sotto il 33,34 % non dà alcuno stato; ometterla, oppure usare la dicitura per minori o ultrasessantacinquenni".into(),
            (Self::BelowStatusThreshold, Lang::En) => "a civil-invalidity percentage below 33.34 % gives no status; leave it out, or use the minor/over-65 wording".into(),
            (Self::NoStatus, Lang::It) => "l'attestazione non riporta alcuno stato; indicare almeno uno tra invalidità civile, cecità civile, sordità civile, disabilità L. 68/99 o handicap".into(),
            (Self::NoStatus, Lang::En) => "the attestation states no status; give at least one of invalidity, blindness, deafness, L. 68/99 disability or handicap".into(),
            (Self::Inconsistent(r), Lang::It) => format!("combinazione impossibile: {}", r.message(lang)),
            (Self::Inconsistent(r), Lang::En) => format!("impossible combination: {}", r.message(lang)),
            (Self::UnknownValue { field, expected }, Lang::It) => {
                format!("valore non riconosciuto per {field}; valori ammessi: {expected}")
            }
            (Self::UnknownValue { field, expected }, Lang::En) => {
                format!("unknown value for {field}; accepted values: {expected}")
            }
            (Self::UnknownFlags, Lang::It) => "l'attestazione usa campi che questa versione di attesta non conosce; aggiornare attesta".into(),
            (Self::UnknownFlags, Lang::En) => "the attestation uses fields this version of attesta does not know; update attesta".into(),
            (Self::JudgementTooLong { max }, Lang::It) => format!(
                "il giudizio supera i {max} caratteri; ridurlo alla valutazione conclusiva"
            ),
            (Self::JudgementTooLong { max }, Lang::En) => format!(
                "the judgement wording is longer than {max} characters; shorten it to the final assessment"
            ),
            (Self::EmptyJudgement, Lang::It) => "il giudizio è vuoto; scriverlo, oppure ometterlo".into(),
            (Self::EmptyJudgement, Lang::En) => "the judgement wording is empty; write it, or leave it out".into(),
            (Self::ContradictsFirstLevel { field }, Lang::It) => format!(
                "il dettaglio {field} contraddice l'attestazione di primo livello a cui il codice è legato; correggerlo secondo il verbale, o riemettere prima l'attestazione"
            ),
            (Self::ContradictsFirstLevel { field }, Lang::En) => format!(
                "the detail {field} contradicts the first-level attestation the token is tied to; correct it from the verbale, or reissue the attestation first"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_parsing() {
        assert_eq!("67".parse::<Percent>().unwrap().hundredths(), 6700);
        assert_eq!("33,34".parse::<Percent>().unwrap().hundredths(), 3334);
        assert_eq!("33.3".parse::<Percent>().unwrap().hundredths(), 3330);
        assert_eq!("100%".parse::<Percent>().unwrap(), Percent::FULL);
        for bad in ["", "abc", "100.01", "101", "-5", "1.234", "1e2", "٣٣"] {
            assert!(bad.parse::<Percent>().is_err(), "{bad}");
        }
    }

    #[test]
    fn bands_follow_thresholds() {
        let band = |s: &str| InvalidityAssessment::from_percent(s.parse().unwrap());
        assert_eq!(band("33.33"), None);
        assert_eq!(band("33.34"), Some(InvalidityAssessment::From33));
        assert_eq!(band("45.99"), Some(InvalidityAssessment::From33));
        assert_eq!(band("46"), Some(InvalidityAssessment::From46));
        assert_eq!(band("66.99"), Some(InvalidityAssessment::From51));
        assert_eq!(band("67"), Some(InvalidityAssessment::From67));
        assert_eq!(band("99.99"), Some(InvalidityAssessment::From74));
        assert_eq!(band("100"), Some(InvalidityAssessment::Total));
        assert!(InvalidityAssessment::Total.reaches("67".parse().unwrap()));
        assert!(!InvalidityAssessment::MinorPersistentDifficulties.reaches(Percent(3334)));
    }

    #[test]
    fn impossible_combinations_are_refused() {
        assert_eq!(Attestation::builder().build(), Err(ModelError::NoStatus));
        assert!(matches!(
            Attestation::builder()
                .invalidity(InvalidityAssessment::From74)
                .accompaniment(true)
                .build(),
            Err(ModelError::Inconsistent(_))
        ));
        assert!(matches!(
            Attestation::builder()
                .invalidity(InvalidityAssessment::From33)
                .disability_l68(true)
                .build(),
            Err(ModelError::Inconsistent(_))
        ));
        assert!(
            Attestation::builder()
                .deafness(true)
                .disability_l68(true)
                .build()
                .is_ok()
        );
        assert_eq!(
            Attestation::builder()
                .invalidity_percent("20".parse().unwrap())
                .err(),
            Some(ModelError::BelowStatusThreshold)
        );
    }

    #[test]
    fn deserializing_checks_the_combination() {
        let ok: Attestation =
            serde_json::from_str(r#"{"invalidity":"total","accompaniment":true}"#).unwrap();
        assert!(ok.accompaniment());
        // Regression: serde used to build impossible combinations unchecked.
        assert!(
            serde_json::from_str::<Attestation>(r#"{"invalidity":"from46","accompaniment":true}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<Attestation>("{}").is_err());
        let a = Attestation::builder().deafness(true).build().unwrap();
        let back: Attestation = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(a, back);
    }

    #[test]
    fn flags_round_trip_and_reject_unknown_bits() {
        let a = Attestation::builder()
            .invalidity(InvalidityAssessment::Total)
            .blindness(true)
            .handicap(HandicapGrade::Comma3Grave)
            .accompaniment(true)
            .reduced_walking(true)
            .build()
            .unwrap();
        let back = Attestation::from_flags(a.to_flags() as u64, None).unwrap();
        assert_eq!(a, back);
        assert_eq!(
            Attestation::from_flags(1 << 11 | 1, None),
            Err(ModelError::UnknownFlags)
        );
        // Code 15 is the statuses-only form; 9–14 stay unknown.
        assert_eq!(
            Attestation::from_flags(15, None).unwrap().invalidity(),
            Some(InvalidityAssessment::StatusOnly)
        );
        for c in 9..15 {
            assert_eq!(
                Attestation::from_flags(c, None),
                Err(ModelError::UnknownFlags)
            );
        }
        assert_eq!(
            Attestation::from_flags(3 << 7, None),
            Err(ModelError::UnknownFlags)
        );
        // Vehicle value 3 is refused.
        assert_eq!(
            Attestation::from_flags(2 << 7 | 3 << 14, None),
            Err(ModelError::UnknownFlags)
        );
        assert_eq!(Attestation::from_flags(0, None), Err(ModelError::NoStatus));
    }

    #[test]
    fn new_facts_round_trip_in_the_reserved_bits() {
        for a in [
            Attestation::builder()
                .blindness_class(BlindnessClass::Assoluta)
                .accompaniment(true)
                .build()
                .unwrap(),
            Attestation::builder()
                .blindness_class(BlindnessClass::Decimista)
                .handicap(HandicapGrade::Comma3Grave)
                .vehicle(VehicleRequirement::WithoutAdaptation)
                .build()
                .unwrap(),
            Attestation::builder()
                .invalidity(InvalidityAssessment::From46)
                .vehicle(VehicleRequirement::AdaptedVehicle)
                .build()
                .unwrap()
                .statuses_only(),
        ] {
            let f = a.to_flags();
            assert!(f <= 0xFFFF && f & (1 << 11) == 0, "{f:#x}");
            assert_eq!(Attestation::from_flags(u64::from(f), None).unwrap(), a);
        }
    }

    #[test]
    fn blindness_class_rules() {
        // Regression: `--cecita ventesimista --accompagnamento` was issued.
        assert_eq!(
            Attestation::builder()
                .blindness_class(BlindnessClass::Ventesimista)
                .accompaniment(true)
                .build(),
            Err(ModelError::Inconsistent(ModelRule::Accompaniment))
        );
        // With 100 % invalidity the accompaniment comes from the invalidity.
        assert!(
            Attestation::builder()
                .blindness_class(BlindnessClass::Ventesimista)
                .invalidity(InvalidityAssessment::Total)
                .accompaniment(true)
                .build()
                .is_ok()
        );
        // Codes of the first release carry no class: still accepted.
        assert!(
            Attestation::builder()
                .blindness(true)
                .accompaniment(true)
                .build()
                .is_ok()
        );
        // A class without blindness (bits 12–13 without bit 4).
        assert_eq!(
            Attestation::from_flags(1 << 5 | 1 << 12, None),
            Err(ModelError::Inconsistent(ModelRule::ClassWithoutBlindness))
        );
    }

    #[test]
    fn vehicle_without_adaptation_needs_handicap_grave() {
        assert_eq!(
            Attestation::builder()
                .invalidity(InvalidityAssessment::Total)
                .vehicle(VehicleRequirement::WithoutAdaptation)
                .build(),
            Err(ModelError::Inconsistent(
                ModelRule::VehicleWithoutAdaptation
            ))
        );
        assert!(
            Attestation::builder()
                .invalidity(InvalidityAssessment::From51)
                .vehicle(VehicleRequirement::AdaptedVehicle)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn statuses_only_keeps_statuses_and_drops_bands() {
        let a = Attestation::builder()
            .invalidity(InvalidityAssessment::From74)
            .blindness_class(BlindnessClass::Assoluta)
            .disability_l68(true)
            .accompaniment(true)
            .reduced_walking(true)
            .build()
            .unwrap();
        let s = a.statuses_only();
        assert!(s.is_statuses_only() && !a.is_statuses_only());
        assert_eq!(s.blindness_class(), None);
        assert!(s.blindness() && s.disability_l68() && s.accompaniment() && s.reduced_walking());
        // The model accepts it as it is (the rules were checked on `a`).
        assert_eq!(
            Attestation::from_flags(u64::from(s.to_flags()), None),
            Ok(s)
        );
    }

    #[test]
    fn second_level_must_agree_with_first_level() {
        let first = Attestation::builder()
            .invalidity(InvalidityAssessment::From74)
            .handicap(HandicapGrade::Comma3Grave)
            .build()
            .unwrap();
        let pct = |s: &str| SecondLevelDetails {
            invalidity_percent: Some(s.parse().unwrap()),
            ..Default::default()
        };
        // Regression: a 60 % token was issued for a "at least 74 %" credential.
        assert_eq!(
            pct("60").check_against(&first),
            Err(ModelError::ContradictsFirstLevel {
                field: "invalidita"
            })
        );
        assert!(pct("100").check_against(&first).is_err());
        assert!(pct("75.5").check_against(&first).is_ok());
        assert!(pct("99.99").check_against(&first).is_ok());
        let c1 = SecondLevelDetails {
            handicap: Some(HandicapGrade::Comma1),
            ..Default::default()
        };
        assert!(c1.check_against(&first).is_err());
        let deaf = SecondLevelDetails {
            deafness: true,
            ..Default::default()
        };
        assert!(deaf.check_against(&first).is_err());
        // An undisclosed band accepts any band.
        assert!(pct("40").check_against(&first.statuses_only()).is_ok());
        assert!(pct("20").check_against(&first.statuses_only()).is_err());
    }

    #[test]
    fn messages_exist_in_both_languages_and_name_no_flags() {
        let all = [
            ModelError::PercentOutOfRange { input: "x".into() },
            ModelError::BelowStatusThreshold,
            ModelError::NoStatus,
            ModelError::Inconsistent(ModelRule::Accompaniment),
            ModelError::Inconsistent(ModelRule::L68),
            ModelError::Inconsistent(ModelRule::ClassWithoutBlindness),
            ModelError::Inconsistent(ModelRule::VehicleWithoutAdaptation),
            ModelError::Inconsistent(ModelRule::StatusOnlyWithClass),
            ModelError::UnknownValue {
                field: "f",
                expected: "a, b",
            },
            ModelError::UnknownFlags,
            ModelError::JudgementTooLong { max: 1 },
            ModelError::EmptyJudgement,
            ModelError::ContradictsFirstLevel {
                field: "invalidita",
            },
        ];
        for e in all {
            let (it, en) = (e.message(Lang::It), e.message(Lang::En));
            assert_ne!(it, en);
            assert_eq!(e.to_string(), en);
            assert!(!it.contains("--") && !en.contains("--"), "{en}");
        }
    }
}
