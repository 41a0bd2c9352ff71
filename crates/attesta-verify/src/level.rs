//! Which level to check a code at: decided here once for every verifier
//! (`attesta verify`, the web app), from the code's prefix, the level the
//! caller insists on, and whether the operator has a key.

use attesta_core::text::CodeKind;

use crate::report::Failure;

/// The level to verify `text` at (a bare code, already unwrapped from a
/// verifier address).
///
/// - Without `asked`, the prefix decides: `AD1:` is a second-level token,
///   anything else is checked as a first-level code (whose parser names
///   what is wrong with it).
/// - A first-level code where a token is asked for is
///   [`Failure::WrongLevel`] `{ second_level: false }`.
/// - A token needs the operator's key: without one it is
///   [`Failure::WrongLevel`] `{ second_level: true }`.
///
/// ```
/// use attesta_core::text::CodeKind;
/// use attesta_verify::level::level_for;
/// use attesta_verify::report::Failure;
///
/// assert_eq!(level_for("AT1:ABC", None, false), Ok(CodeKind::FirstLevel));
/// assert_eq!(level_for("AD1:ABC", None, true), Ok(CodeKind::SecondLevel));
/// assert_eq!(
///     level_for("AD1:ABC", None, false),
///     Err(Failure::WrongLevel { second_level: true })
/// );
/// assert_eq!(
///     level_for("AT1:ABC", Some(CodeKind::SecondLevel), true),
///     Err(Failure::WrongLevel { second_level: false })
/// );
/// ```
pub fn level_for(
    text: &str,
    asked: Option<CodeKind>,
    operator_key: bool,
) -> Result<CodeKind, Failure> {
    let by_prefix = if text.starts_with(CodeKind::SECOND_LEVEL_PREFIX) {
        CodeKind::SecondLevel
    } else {
        CodeKind::FirstLevel
    };
    match asked.unwrap_or(by_prefix) {
        CodeKind::SecondLevel if text.starts_with(CodeKind::FIRST_LEVEL_PREFIX) => {
            Err(Failure::WrongLevel {
                second_level: false,
            })
        }
        CodeKind::SecondLevel if !operator_key => Err(Failure::WrongLevel { second_level: true }),
        level => Ok(level),
    }
}
