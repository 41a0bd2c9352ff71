//! A pre-parse check of untrusted CBOR: well-formed, one item, within depth
//! and item-count limits, definite lengths only.
//!
//! It runs before any CBOR library builds values, so a hostile code can
//! neither nest deep enough to exhaust the stack nor announce a huge array
//! and make a parser allocate for it: every announced length is checked
//! against the bytes actually left.

use std::collections::HashSet;

use crate::rules::{Rule, enforced};

/// Limits on an untrusted CBOR item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CborLimits {
    /// Deepest nesting of arrays, maps and tags (the top item is depth 1).
    pub max_depth: usize,
    /// Most data items in total.
    pub max_items: usize,
    /// Whether indefinite-length items are accepted (our own format: no;
    /// foreign codes for generic decoding: yes).
    pub allow_indefinite: bool,
    /// Whether a map may repeat a key (our own format: no, at any depth, so
    /// that two readers cannot take different values; foreign codes: yes,
    /// decoding only displays them). When no, the document must also have
    /// one reading and one encoding: integers, lengths and tags in their
    /// shortest form (so that equal keys are equal bytes), no bignums, of
    /// major type 7 only `false`, `true` and `null`, and text strings in
    /// valid UTF-8.
    pub allow_duplicate_keys: bool,
}

impl CborLimits {
    /// For attesta's own payloads: shallow, small, deterministic.
    pub const STRICT: CborLimits = CborLimits {
        max_depth: 8,
        max_items: 512,
        allow_indefinite: false,
        allow_duplicate_keys: false,
    };
    /// For generic decoding of foreign codes (EU DCC and others).
    pub const GENERIC: CborLimits = CborLimits {
        max_depth: 24,
        max_items: 16_384,
        allow_indefinite: true,
        allow_duplicate_keys: true,
    };
}

/// Why a CBOR item was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborGuardError {
    /// Truncated or malformed.
    #[error("malformed CBOR at byte {offset}")]
    Malformed {
        /// Where.
        offset: usize,
    },
    /// Nested deeper than allowed.
    #[error("CBOR nested deeper than {max} levels")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// More items than allowed.
    #[error("CBOR with more than {max} items")]
    TooManyItems {
        /// The limit.
        max: usize,
    },
    /// An indefinite-length item where only definite lengths are allowed.
    #[error("indefinite-length CBOR item at byte {offset}, not allowed in this format")]
    Indefinite {
        /// Where.
        offset: usize,
    },
    /// A map repeats a key.
    #[error("CBOR map with a repeated key at byte {offset}")]
    DuplicateKey {
        /// Where the repeated key starts.
        offset: usize,
    },
    /// An integer, length or tag not in its shortest form, where keys must
    /// be unique (one value, one encoding).
    #[error("CBOR integer or length not in its shortest form at byte {offset}")]
    NotShortest {
        /// Where the item starts.
        offset: usize,
    },
    /// A bignum (tag 2 or 3) where keys must be unique: integers have one
    /// encoding there.
    #[error("CBOR bignum at byte {offset}, not allowed in this format")]
    Bignum {
        /// Where the tag starts.
        offset: usize,
    },
    /// A float, `undefined` or another simple value where keys must be
    /// unique: attesta's formats hold none, and ciborium reads them lossily
    /// (`undefined` as null, a 64-bit 1.0 written back as 16 bits), so two
    /// distinct keys could become one.
    #[error("CBOR float or simple value at byte {offset}, not allowed in this format")]
    FloatOrSimple {
        /// Where the item starts.
        offset: usize,
    },
    /// A text string that is not valid UTF-8, where keys must be unique:
    /// CBOR libraries refuse it, replace the bad bytes or pass them through,
    /// so two readers could see different texts.
    #[error("CBOR text string with invalid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Where the string's bytes start (after its header).
        offset: usize,
    },
    /// Bytes after the single top-level item.
    #[error("{extra} unexpected bytes after the CBOR item")]
    TrailingBytes {
        /// How many.
        extra: usize,
    },
}

impl CborGuardError {
    /// The stable machine-readable code of this error: the `expected_error`
    /// of the test vectors, and the `reason` verifiers report. A bignum and
    /// plain malformed CBOR share `malformed_cbor`.
    pub fn code(&self) -> &'static str {
        match self {
            CborGuardError::Malformed { .. } | CborGuardError::Bignum { .. } => "malformed_cbor",
            CborGuardError::TooDeep { .. } => "cbor_too_deep",
            CborGuardError::TooManyItems { .. } => "cbor_too_many_items",
            CborGuardError::Indefinite { .. } => "cbor_indefinite_length",
            CborGuardError::DuplicateKey { .. } => "cbor_duplicate_key",
            CborGuardError::NotShortest { .. } => "cbor_not_shortest_form",
            CborGuardError::FloatOrSimple { .. } => "cbor_float_or_simple",
            CborGuardError::InvalidUtf8 { .. } => "cbor_invalid_utf8",
            CborGuardError::TrailingBytes { .. } => "cbor_trailing_bytes",
        }
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
    items: usize,
    limits: CborLimits,
}

enum Head {
    Item { major: u8, arg: Option<u64> },
    Break,
}

impl Scanner<'_> {
    fn malformed(&self) -> CborGuardError {
        CborGuardError::Malformed { offset: self.pos }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], CborGuardError> {
        let end = self.pos.checked_add(n).ok_or(self.malformed())?;
        let s = self.b.get(self.pos..end).ok_or(self.malformed())?;
        self.pos = end;
        Ok(s)
    }

    fn head(&mut self) -> Result<Head, CborGuardError> {
        let start = self.pos;
        let ib = self.take(1)?[0];
        let (major, ai) = (ib >> 5, ib & 0x1f);
        let arg = match ai {
            0..=23 => Some(u64::from(ai)),
            24 => Some(u64::from(self.take(1)?[0])),
            25 => Some(u64::from(u16::from_be_bytes(
                self.take(2)?.try_into().map_err(|_| self.malformed())?,
            ))),
            26 => Some(u64::from(u32::from_be_bytes(
                self.take(4)?.try_into().map_err(|_| self.malformed())?,
            ))),
            27 => Some(u64::from_be_bytes(
                self.take(8)?.try_into().map_err(|_| self.malformed())?,
            )),
            28..=30 => return Err(CborGuardError::Malformed { offset: start }),
            _ => {
                // ai == 31
                if major == 7 {
                    return Ok(Head::Break);
                }
                if !matches!(major, 2..=5) {
                    return Err(CborGuardError::Malformed { offset: start });
                }
                if !self.limits.allow_indefinite && enforced(Rule::CborDefinite) {
                    return Err(CborGuardError::Indefinite { offset: start });
                }
                None
            }
        };
        // Repeated keys are found by comparing bytes, which is sound only if
        // equal values have equal bytes: where keys must be unique, integers,
        // lengths and tags must take their shortest form (RFC 8949 §4.2.1),
        // or `{1: 0, 0x18 0x01: 1}` would pass with key 1 twice; and of
        // major type 7 only false, true and null, which have one encoding
        // and which ciborium reads back exactly.
        if !self.limits.allow_duplicate_keys
            && major == 7
            && !matches!(ai, 20..=22)
            && enforced(Rule::CborSimpleValues)
        {
            return Err(CborGuardError::FloatOrSimple { offset: start });
        }
        if !self.limits.allow_duplicate_keys
            && major != 7
            && let Some(v) = arg
        {
            let shortest = match ai {
                24 => v >= 24,
                25 => v > 0xff,
                26 => v > 0xffff,
                27 => v > 0xffff_ffff,
                _ => true,
            };
            if !shortest && enforced(Rule::CborShortest) {
                return Err(CborGuardError::NotShortest { offset: start });
            }
            // Bignums (tags 2 and 3) are a second encoding of integers that
            // fit 64 bits: ciborium reads `3(h'')` as -1.
            if major == 6 && matches!(v, 2 | 3) && enforced(Rule::CborNoBignum) {
                return Err(CborGuardError::Bignum { offset: start });
            }
        }
        Ok(Head::Item { major, arg })
    }

    fn item(&mut self, depth: usize) -> Result<(), CborGuardError> {
        match self.head()? {
            Head::Break => Err(self.malformed()),
            Head::Item { major, arg } => self.body(major, arg, depth),
        }
    }

    fn count(&mut self) -> Result<(), CborGuardError> {
        self.items += 1;
        let max = if enforced(Rule::CborItems) {
            self.limits.max_items
        } else {
            self.limits.max_items + 1
        };
        if self.items > max {
            return Err(CborGuardError::TooManyItems {
                max: self.limits.max_items,
            });
        }
        Ok(())
    }

    /// Every item has a depth, scalars included: the top item is 1, an
    /// item inside an array, a map (key or value) or a tag is one deeper
    /// than its container. So at most `max_depth - 1` containers can hold
    /// a scalar: with 8, `[[[[[[[0]]]]]]]` (seven arrays) passes and
    /// `[[[[[[[[0]]]]]]]]` (eight) does not.
    fn too_deep(&self, major: u8, depth: usize) -> bool {
        let max = if enforced(Rule::CborDepth) {
            self.limits.max_depth
        } else {
            self.limits.max_depth + 1
        };
        depth > max && (enforced(Rule::CborDepthCountsLeaves) || matches!(major, 4..=6))
    }

    fn body(&mut self, major: u8, arg: Option<u64>, depth: usize) -> Result<(), CborGuardError> {
        self.count()?;
        if self.too_deep(major, depth) {
            return Err(CborGuardError::TooDeep {
                max: self.limits.max_depth,
            });
        }
        match (major, arg) {
            (0 | 1 | 7, _) => Ok(()),
            (2 | 3, Some(len)) => {
                let start = self.pos;
                let strict = !self.limits.allow_duplicate_keys;
                let len = usize::try_from(len).map_err(|_| self.malformed())?;
                let s = self.take(len)?;
                if major == 3
                    && strict
                    && std::str::from_utf8(s).is_err()
                    && enforced(Rule::CborUtf8)
                {
                    return Err(CborGuardError::InvalidUtf8 { offset: start });
                }
                Ok(())
            }
            (2 | 3, None) => loop {
                // Indefinite strings: a sequence of definite chunks of the same major type.
                match self.head()? {
                    Head::Break => return Ok(()),
                    Head::Item {
                        major: m,
                        arg: Some(len),
                    } if m == major => {
                        let len = usize::try_from(len).map_err(|_| self.malformed())?;
                        self.take(len)?;
                    }
                    _ => return Err(self.malformed()),
                }
            },
            (4 | 5, Some(n)) => {
                let per = if major == 5 { 2 } else { 1 };
                // Each item takes at least one byte: refuse announced
                // lengths the remaining input cannot hold before looping.
                let remaining = (self.b.len() - self.pos) as u64;
                if n.saturating_mul(per) > remaining {
                    return Err(self.malformed());
                }
                // A set, not a list: a map of n keys must not cost n² comparisons.
                let mut keys: HashSet<&[u8]> = HashSet::new();
                let b = self.b;
                for i in 0..n * per {
                    let start = self.pos;
                    self.item(depth + 1)?;
                    if major == 5
                        && i % 2 == 0
                        && !self.limits.allow_duplicate_keys
                        && !keys.insert(&b[start..self.pos])
                        && enforced(Rule::CborUniqueKeys)
                    {
                        return Err(CborGuardError::DuplicateKey { offset: start });
                    }
                }
                Ok(())
            }
            (4 | 5, None) => {
                let mut k = 0u64;
                loop {
                    match self.head()? {
                        Head::Break => {
                            return if major == 5 && k % 2 == 1 {
                                Err(self.malformed())
                            } else {
                                Ok(())
                            };
                        }
                        Head::Item { major: m, arg: a } => self.body(m, a, depth + 1)?,
                    }
                    k += 1;
                }
            }
            (6, _) => self.item(depth + 1),
            _ => Err(self.malformed()),
        }
    }
}

/// Checks that `bytes` hold exactly one well-formed CBOR item within `limits`.
///
/// ```
/// use attesta_core::cbor_guard::{check, CborLimits, CborGuardError};
/// assert!(check(&[0x82, 0x01, 0x02], CborLimits::STRICT).is_ok());
/// // An array announcing 2^32 items in five bytes is refused without allocating.
/// assert!(check(&[0x9a, 0xff, 0xff, 0xff, 0xff], CborLimits::STRICT).is_err());
/// assert_eq!(check(&[0x01, 0x02], CborLimits::STRICT), Err(CborGuardError::TrailingBytes { extra: 1 }));
/// ```
pub fn check(bytes: &[u8], limits: CborLimits) -> Result<(), CborGuardError> {
    let mut s = Scanner {
        b: bytes,
        pos: 0,
        items: 0,
        limits,
    };
    s.item(1)?;
    if s.pos != bytes.len() && enforced(Rule::CborSingleItem) {
        return Err(CborGuardError::TrailingBytes {
            extra: bytes.len() - s.pos,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_capped() {
        // docs/format.md §3.2: a scalar inside seven arrays is at depth 8
        // and passes; inside eight it is at depth 9.
        let mut at_limit = vec![0x81u8; 7];
        at_limit.push(0x00);
        assert!(check(&at_limit, CborLimits::STRICT).is_ok());
        let mut one_past = vec![0x81u8; 8];
        one_past.push(0x00);
        assert_eq!(
            check(&one_past, CborLimits::STRICT),
            Err(CborGuardError::TooDeep { max: 8 })
        );
        // Eight nested empty arrays: the innermost is at depth 8.
        let mut empty = vec![0x81u8; 7];
        empty.push(0x80);
        assert!(check(&empty, CborLimits::STRICT).is_ok());
        let mut deep = vec![0x81u8; 9];
        deep.push(0x00);
        assert_eq!(
            check(&deep, CborLimits::STRICT),
            Err(CborGuardError::TooDeep { max: 8 })
        );
        assert!(check(&deep, CborLimits::GENERIC).is_ok());
        // Tags nest too.
        let mut tags = vec![0xc1u8; 30];
        tags.push(0x00);
        assert!(matches!(
            check(&tags, CborLimits::GENERIC),
            Err(CborGuardError::TooDeep { .. })
        ));
    }

    #[test]
    fn duplicate_keys_at_any_depth() {
        // {1: {"a": 1, "a": 2}}
        let nested = [0xa1, 0x01, 0xa2, 0x61, b'a', 0x01, 0x61, b'a', 0x02];
        assert_eq!(
            check(&nested, CborLimits::STRICT),
            Err(CborGuardError::DuplicateKey { offset: 6 })
        );
        assert!(check(&nested, CborLimits::GENERIC).is_ok());
        // Same value under different keys is fine.
        assert!(check(&[0xa2, 0x01, 0x00, 0x02, 0x00], CborLimits::STRICT).is_ok());
    }

    #[test]
    fn indefinite_items() {
        let indef = [0x9f, 0x01, 0x02, 0xff];
        assert!(matches!(
            check(&indef, CborLimits::STRICT),
            Err(CborGuardError::Indefinite { offset: 0 })
        ));
        assert!(check(&indef, CborLimits::GENERIC).is_ok());
        // Indefinite map with an odd number of items.
        assert!(check(&[0xbf, 0x01, 0xff], CborLimits::GENERIC).is_err());
        // Indefinite byte string of chunks.
        assert!(check(&[0x5f, 0x41, 0x00, 0x41, 0x01, 0xff], CborLimits::GENERIC).is_ok());
        assert!(check(&[0x5f, 0x61, 0x00, 0xff], CborLimits::GENERIC).is_err());
        // Unterminated.
        assert!(check(&[0x9f, 0x01], CborLimits::GENERIC).is_err());
    }

    #[test]
    fn lengths_beyond_input_and_item_count() {
        assert!(check(&[0x5a, 0xff, 0xff, 0xff, 0xff], CborLimits::GENERIC).is_err());
        assert!(check(&[0x1c], CborLimits::GENERIC).is_err());
        assert!(check(&[], CborLimits::GENERIC).is_err());
        assert!(check(&[0xff], CborLimits::GENERIC).is_err());
        let mut many = vec![0x99, 0x02, 0x00];
        many.extend(std::iter::repeat_n(0u8, 512));
        assert_eq!(
            check(&many, CborLimits::STRICT),
            Err(CborGuardError::TooManyItems { max: 512 })
        );
        // An array of 511 items is 512 items with the array itself.
        let mut at_limit = vec![0x99, 0x01, 0xff];
        at_limit.extend(std::iter::repeat_n(0u8, 511));
        assert!(check(&at_limit, CborLimits::STRICT).is_ok());
    }

    #[test]
    fn text_strings_are_utf8() {
        // "é" as UTF-8, then a lone continuation byte.
        assert!(check(&[0x62, 0xc3, 0xa9], CborLimits::STRICT).is_ok());
        assert_eq!(
            check(&[0x61, 0xa9], CborLimits::STRICT),
            Err(CborGuardError::InvalidUtf8 { offset: 1 })
        );
        // Byte strings may hold anything; generic decoding only displays.
        assert!(check(&[0x41, 0xa9], CborLimits::STRICT).is_ok());
        assert!(check(&[0x61, 0xa9], CborLimits::GENERIC).is_ok());
    }
}
