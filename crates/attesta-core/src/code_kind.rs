//! The two kinds of attesta code, and their prefixes.

/// Which attesta code a prefix announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeKind {
    /// A first-level attestation, prefix [`CodeKind::FIRST_LEVEL_PREFIX`].
    FirstLevel,
    /// A second-level token, prefix [`CodeKind::SECOND_LEVEL_PREFIX`].
    SecondLevel,
}

impl CodeKind {
    /// Prefix of first-level codes: "AT" (attesta), format version 1.
    pub const FIRST_LEVEL_PREFIX: &'static str = "AT1:";
    /// Prefix of second-level tokens: "AD" (attesta dettagli), format version 1.
    pub const SECOND_LEVEL_PREFIX: &'static str = "AD1:";

    /// The prefix, colon included.
    pub fn prefix(self) -> &'static str {
        match self {
            CodeKind::FirstLevel => Self::FIRST_LEVEL_PREFIX,
            CodeKind::SecondLevel => Self::SECOND_LEVEL_PREFIX,
        }
    }
}
