//! First-level vectors (`AT1:` codes), by where they came from.

pub(crate) mod negative;
pub(crate) mod negative_rules;
pub(crate) mod positive;
pub(crate) mod review;
pub(crate) mod security;
