//! The holder's secret: an optional second input to the envelope key,
//! kept apart from the QR code.
//!
//! The codice fiscale is not a secret: it is computed from surname, name,
//! sex, birth date and birthplace, so whoever knows who the holder is can
//! guess it in a few hundred tries and open a photographed code
//! (docs/threat-model.md §3.1). A holder who wants more asks for a code
//! with a secret: 40 random bits, printed on the PDF apart from the QR code
//! (a part the holder can cut off) and given to the operator together with
//! the CF. It is mixed into Argon2id as its secret input, so every guess of
//! it costs a full key derivation: at 25 ms a guess, 2⁴⁰ guesses are about
//! 870 core-years.
//!
//! Text form: 8 symbols of Crockford's base32 (`0-9 A-Z` without `I L O
//! U`), then a check symbol, written `ABCD-EFGH-J`. Reading accepts lower
//! case, spaces and hyphens anywhere, and the look-alikes Crockford maps
//! (`O` → `0`, `I`/`L` → `1`). The check symbol catches every single
//! wrong symbol and every swap of two neighbours before the KDF runs, so a
//! typo is reported as a typo, not as a wrong code.
//!
//! ```
//! use attesta_core::secret::{HolderSecret, SecretError};
//!
//! let s = HolderSecret::from_bytes([1, 2, 3, 4, 5]);
//! assert_eq!(s.to_text().as_str(), "0410-6105-X");
//! // Typed by an operator: case, spaces and look-alikes do not matter.
//! assert_eq!(HolderSecret::parse("o4lo 61o5 x")?, s);
//! // One wrong symbol is caught by the check symbol.
//! assert_eq!(HolderSecret::parse("0410-6106-X"), Err(SecretError::CheckCharacter));
//! # Ok::<(), SecretError>(())
//! ```

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

use crate::rules::{Rule, enforced};

/// Bytes of entropy in a [`HolderSecret`].
pub const SECRET_LEN: usize = 5;

/// Symbols of a secret's text form, check symbol included.
pub const SECRET_SYMBOLS: usize = 9;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A holder's secret: 40 random bits. Zeroized on drop; its `Debug` shows
/// nothing of it. The text form is [`HolderSecret::to_text`].
#[derive(PartialEq, Eq)]
pub struct HolderSecret([u8; SECRET_LEN]);

impl Drop for HolderSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for HolderSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HolderSecret(…)")
    }
}

/// A holder's secret that cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// Not 9 symbols of the secret alphabet.
    #[error(
        "the holder's secret must be 9 letters and digits, as printed on the holder's attestation (e.g. ABCD-EFGH-J); check what was typed"
    )]
    Malformed,
    /// The check symbol does not match: a typo.
    #[error(
        "the holder's secret has a typo (its check character does not match); read it again from the holder's sheet"
    )]
    CheckCharacter,
    /// The system random generator failed.
    #[error("the system random generator failed; no secret was made")]
    Rng,
}

/// Multiplies by α (the element `2`) in GF(32) = GF(2)[x] / (x⁵ + x² + 1).
fn times_alpha(v: u8) -> u8 {
    let v = v << 1;
    if v & 0x20 != 0 { v ^ 0x25 } else { v }
}

/// The check symbol of 8 data symbols: the value `c` with
/// Σ vᵢ·α^(8−i) + c = 0 over GF(32). Every single error changes the sum by
/// a non-zero multiple of a power of α, and a swap of neighbours `a`, `b`
/// by (a + b)·α^k·(1 + α), never zero for a ≠ b.
fn check_symbol(data: &[u8]) -> u8 {
    times_alpha(data.iter().fold(0u8, |acc, &v| times_alpha(acc) ^ v))
}

fn symbol_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

impl HolderSecret {
    /// A fresh secret from the operating system's generator.
    pub fn generate() -> Result<Self, SecretError> {
        let mut b = [0u8; SECRET_LEN];
        getrandom::fill(&mut b).map_err(|_| SecretError::Rng)?;
        let s = HolderSecret(b);
        b.zeroize();
        Ok(s)
    }

    /// A secret from its 5 bytes (test vectors, fixtures).
    pub fn from_bytes(b: [u8; SECRET_LEN]) -> Self {
        HolderSecret(b)
    }

    /// The 5 bytes, as they enter Argon2id (its secret input `K`).
    pub fn expose_secret(&self) -> &[u8; SECRET_LEN] {
        &self.0
    }

    fn symbols(&self) -> [u8; SECRET_SYMBOLS] {
        let n = self.0.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
        let mut s = [0u8; SECRET_SYMBOLS];
        for (i, slot) in s.iter_mut().take(8).enumerate() {
            *slot = ((n >> (35 - 5 * i)) & 0x1f) as u8;
        }
        s[8] = check_symbol(&s[..8]);
        s
    }

    /// The text to print and type: `ABCD-EFGH-J` (8 symbols in two groups
    /// of 4, then the check symbol).
    pub fn to_text(&self) -> Zeroizing<String> {
        let s = self.symbols();
        let mut out = Zeroizing::new(String::with_capacity(11));
        for (i, v) in s.iter().enumerate() {
            if i == 4 || i == 8 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[usize::from(*v)]));
        }
        out
    }

    /// Reads a secret as typed: case, spaces, hyphens and Crockford's
    /// look-alikes are accepted; the check symbol must match.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let mut values = Zeroizing::new(Vec::with_capacity(SECRET_SYMBOLS));
        for c in text.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            if values.len() == SECRET_SYMBOLS {
                return Err(SecretError::Malformed);
            }
            values.push(symbol_value(c).ok_or(SecretError::Malformed)?);
        }
        if values.len() != SECRET_SYMBOLS {
            return Err(SecretError::Malformed);
        }
        if check_symbol(&values[..8]) != values[8] && enforced(Rule::SecretCheckSymbol) {
            return Err(SecretError::CheckCharacter);
        }
        let n = values[..8]
            .iter()
            .fold(0u64, |n, &v| (n << 5) | u64::from(v));
        let mut b = [0u8; SECRET_LEN];
        for (i, byte) in b.iter_mut().enumerate() {
            *byte = (n >> (32 - 8 * i)) as u8;
        }
        Ok(HolderSecret(b))
    }
}

impl SecretError {
    /// The message in `lang` (the English one is `Display`).
    pub fn message(&self, lang: crate::lang::Lang) -> String {
        match (self, lang) {
            (_, crate::lang::Lang::En) => self.to_string(),
            (SecretError::Malformed, _) => "il codice segreto del titolare è di 9 lettere e cifre, come stampato sul foglio del titolare (per esempio ABCD-EFGH-J); controllare quanto inserito".into(),
            (SecretError::CheckCharacter, _) => "il codice segreto del titolare contiene un errore di battitura (il carattere di controllo non corrisponde); rileggerlo dal foglio del titolare".into(),
            (SecretError::Rng, _) => "il generatore di numeri casuali del sistema non funziona; nessun codice segreto è stato creato".into(),
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SecretError::Malformed | SecretError::CheckCharacter => "secret_malformed",
            SecretError::Rng => "rng_failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_format() {
        for b in [
            [0u8; 5],
            [0xff; 5],
            [1, 2, 3, 4, 5],
            [0x8c, 0x63, 0x19, 0xa4, 0x42],
        ] {
            let s = HolderSecret::from_bytes(b);
            let t = s.to_text();
            assert_eq!(t.len(), 11, "{}", t.as_str());
            assert_eq!(&t[4..5], "-");
            assert_eq!(&t[9..10], "-");
            assert_eq!(HolderSecret::parse(&t).unwrap(), s);
            assert_eq!(HolderSecret::parse(&t.to_lowercase()).unwrap(), s);
            assert_eq!(HolderSecret::parse(&t.replace('-', " ")).unwrap(), s);
        }
        let g = HolderSecret::generate().unwrap();
        assert_eq!(HolderSecret::parse(&g.to_text()).unwrap(), g);
        assert_eq!(format!("{g:?}"), "HolderSecret(…)");
    }

    /// Every single substitution and every swap of two different
    /// neighbours is caught by the check symbol, on many secrets.
    #[test]
    fn check_symbol_catches_single_errors_and_swaps() {
        for seed in 0u64..300 {
            let x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let b: [u8; 5] = x.to_be_bytes()[..5].try_into().unwrap();
            let s = HolderSecret::from_bytes(b).symbols();
            for i in 0..SECRET_SYMBOLS {
                for v in 0..32u8 {
                    if v == s[i] {
                        continue;
                    }
                    let mut t = s;
                    t[i] = v;
                    assert_ne!(check_symbol(&t[..8]), t[8], "substitution at {i}");
                }
                if i + 1 < SECRET_SYMBOLS && s[i] != s[i + 1] {
                    let mut t = s;
                    t.swap(i, i + 1);
                    assert_ne!(check_symbol(&t[..8]), t[8], "swap at {i}");
                }
            }
        }
    }

    #[test]
    fn malformed_inputs() {
        for bad in [
            "",
            "ABCD-EFGH",
            "ABCD-EFGH-JK",
            "ABCD-EFGH-U",
            "ABCD!EFGH-J",
            "ÀBCD-EFGH-J",
        ] {
            assert_eq!(
                HolderSecret::parse(bad),
                Err(SecretError::Malformed),
                "{bad}"
            );
        }
        let t = HolderSecret::from_bytes([9; 5]).to_text();
        let mut typo: Vec<char> = t.chars().collect();
        typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert_eq!(HolderSecret::parse(&typo), Err(SecretError::CheckCharacter));
    }
}
