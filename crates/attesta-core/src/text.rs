//! The text layer: `PREFIX` + base45( zlib(COSE) or COSE ).
//!
//! Compression is used only when it makes the payload shorter; the decoder
//! tells the two apart by the first byte (`0x78` starts a zlib stream,
//! `0xD2` is COSE_Sign1's tag 18, `0x84` an untagged COSE array).
//!
//! A code may also travel wrapped in a web verifier's address, in the URL
//! fragment: `https://verifica.example.it/#AT1:…` (see [`VerifyUrl`]). Any
//! phone camera then opens the offline web verifier with the code filled
//! in, and the fragment is never sent to the server. Every decoder here
//! accepts both forms.
//!
//! ```
//! use attesta_core::text::{VerifyUrl, unwrap_verify_url};
//!
//! let url = VerifyUrl::parse("https://verifica.example.it/")?;
//! let wrapped = url.wrap("AT1:6BF 9%W");
//! assert_eq!(wrapped, "https://verifica.example.it/#AT1:6BF%209%25W");
//! assert_eq!(unwrap_verify_url(&wrapped), "AT1:6BF 9%W");
//! assert_eq!(unwrap_verify_url("AT1:6BF 9%W"), "AT1:6BF 9%W");
//! # Ok::<(), attesta_core::text::VerifyUrlError>(())
//! ```

use std::borrow::Cow;
use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;

use crate::error::FormatError;
use crate::rules::{Rule, enforced};

/// The longest text a QR code can hold (version 40, alphanumeric, level L).
pub const MAX_TEXT_LEN: usize = 4296;

/// Decompressed size cap for attesta's own codes. A genuine first-level
/// code is under 200 bytes and a second-level token under 400.
pub const MAX_PAYLOAD_LEN: usize = 4096;

/// Decompressed size cap for foreign codes in generic decoding (an EU DCC
/// is a few kilobytes at most).
pub const MAX_GENERIC_PAYLOAD_LEN: usize = 64 * 1024;

/// Payloads up to this many bytes are never compressed.
pub const COMPRESSION_MIN_LEN: usize = 256;

pub use crate::code_kind::CodeKind;

// `split` lives here, beside the text rules it applies; the kind itself is
// in its own module so that FormatError can name it without a circle.
impl CodeKind {
    /// Recognises an attesta prefix at the start of `text` and returns the kind
    /// and the rest. A later version ("AT2:") is reported as such.
    pub fn split(text: &str) -> Result<(CodeKind, &str), FormatError> {
        for kind in [CodeKind::FirstLevel, CodeKind::SecondLevel] {
            if let Some(rest) = text.strip_prefix(kind.prefix()) {
                return Ok((kind, rest));
            }
        }
        let (head, _) = text.split_once(':').ok_or(FormatError::BadPrefix)?;
        let is_ours = head.len() >= 3
            && (head.starts_with("AT") || head.starts_with("AD"))
            && head[2..].bytes().all(|b| b.is_ascii_digit());
        if is_ours && enforced(Rule::PrefixVersion) {
            return Err(FormatError::UnsupportedVersion {
                found: format!("{head}:"),
            });
        }
        if (head.eq_ignore_ascii_case("at1") || head.eq_ignore_ascii_case("ad1"))
            && enforced(Rule::PrefixLowercase)
        {
            return Err(FormatError::Lowercase);
        }
        Err(FormatError::BadPrefix)
    }
}

/// The characters trimmed around a code: space, tab, CR, LF and the byte
/// order mark U+FEFF (docs/format.md §2.2). Exactly these: what scanners,
/// text files and clipboards add. Base45 contains the space, so inner
/// spaces stay; any other character, inner line breaks and other Unicode
/// white space included, is part of the text and makes it invalid.
pub const TRIMMED: [char; 5] = [' ', '\t', '\r', '\n', '\u{feff}'];

/// Cleans a scanned or pasted text: trims the [`TRIMMED`] characters at
/// both ends.
///
/// ```
/// use attesta_core::text::clean;
/// assert_eq!(clean("\u{feff}AT1:AB C\r\n"), "AT1:AB C");
/// // A no-break space is not trimmed: it is not something a scanner adds.
/// assert_eq!(clean("AT1:ABC\u{a0}"), "AT1:ABC\u{a0}");
/// ```
pub fn clean(text: &str) -> &str {
    if !enforced(Rule::Trim) {
        return text;
    }
    if !enforced(Rule::TrimOnlyListed) {
        return text.trim();
    }
    text.trim_matches(|c: char| TRIMMED.contains(&c))
}

/// The address of a web verifier, under which codes can be wrapped: a
/// `https://` URL without fragment, query-free or not (`http://` only for
/// `localhost` and `127.0.0.1`, to try a verifier locally).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyUrl(String);

/// Why a verifier address cannot wrap codes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyUrlError {
    /// Neither `https://` nor a local `http://` address.
    #[error(
        "the verifier address must start with https:// (http:// only for localhost or 127.0.0.1), e.g. https://verifica.example.it/"
    )]
    Scheme,
    /// Has a fragment, spaces, control or non-ASCII characters, or no host.
    #[error(
        "the verifier address must be a plain URL with a host, without '#', spaces or non-ASCII characters, e.g. https://verifica.example.it/"
    )]
    Malformed,
}

impl VerifyUrlError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyUrlError::Scheme => "verify_url_scheme",
            VerifyUrlError::Malformed => "verify_url_malformed",
        }
    }
}

impl VerifyUrl {
    /// Checks a verifier address.
    pub fn parse(url: &str) -> Result<VerifyUrl, VerifyUrlError> {
        let lower = url.to_ascii_lowercase();
        let rest = if let Some(r) = lower.strip_prefix("https://") {
            r
        } else if let Some(r) = lower.strip_prefix("http://") {
            let host = r.split(['/', '?']).next().unwrap_or("");
            let host = host.rsplit_once(':').map_or(host, |(h, port)| {
                if port.bytes().all(|b| b.is_ascii_digit()) {
                    h
                } else {
                    host
                }
            });
            if host != "localhost" && host != "127.0.0.1" && host != "[::1]" {
                return Err(VerifyUrlError::Scheme);
            }
            r
        } else {
            return Err(VerifyUrlError::Scheme);
        };
        let host = rest.split(['/', '?']).next().unwrap_or("");
        if host.is_empty() || !url.bytes().all(|b| b.is_ascii_graphic()) || url.contains('#') {
            return Err(VerifyUrlError::Malformed);
        }
        Ok(VerifyUrl(url.to_owned()))
    }

    /// The address as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `code` in this address's fragment. Spaces and `%` (both in the
    /// base45 alphabet) are percent-encoded so that the address is a valid
    /// URL; every other character of a code is left as it is, so the
    /// fragment stays in the QR alphanumeric set.
    pub fn wrap(&self, code: &str) -> String {
        let mut out = String::with_capacity(self.0.len() + 1 + code.len() * 11 / 10);
        out.push_str(&self.0);
        out.push('#');
        for c in code.chars() {
            match c {
                ' ' => out.push_str("%20"),
                '%' => out.push_str("%25"),
                c => out.push(c),
            }
        }
        out
    }
}

/// The code inside a web verifier's address (`http(s)://…#AT1:…` or
/// `…#AD1:…`), percent-decoded; any other text is returned as it is
/// (cleaned of surrounding whitespace), so a web link that holds no code
/// is later refused as "not an attesta code".
pub fn unwrap_verify_url(text: &str) -> Cow<'_, str> {
    let text = clean(text);
    if !enforced(Rule::VerifyUrlUnwrap) {
        return Cow::Borrowed(text);
    }
    let is_url = text
        .get(..8)
        .is_some_and(|h| h.eq_ignore_ascii_case("https://"))
        || text
            .get(..7)
            .is_some_and(|h| h.eq_ignore_ascii_case("http://"));
    let Some((_, fragment)) = text.split_once('#').filter(|_| is_url) else {
        return Cow::Borrowed(text);
    };
    let Some(mut decoded) = percent_decode(fragment) else {
        return Cow::Borrowed(text);
    };
    if !enforced(Rule::VerifyUrlFragmentUntrimmed) {
        decoded = clean(&decoded).to_owned();
    }
    if CodeKind::split(&decoded).is_ok()
        || matches!(
            CodeKind::split(&decoded),
            Err(FormatError::UnsupportedVersion { .. })
        )
    {
        Cow::Owned(decoded)
    } else {
        Cow::Borrowed(text)
    }
}

/// `%XX` sequences decoded, each `%` followed by exactly two hexadecimal
/// digits (docs/format.md §2.2.1); `None` if one is malformed or the
/// result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let digit = |c: u8| char::from(c).to_digit(16);
            match (digit(hex[0]), digit(hex[1])) {
                (Some(h), Some(l)) => out.push(u8::try_from(h * 16 + l).ok()?),
                // The mistake of the mutation check: a malformed escape
                // kept as it is.
                _ if !enforced(Rule::VerifyUrlEscapes) => {
                    out.push(b'%');
                    i += 1;
                    continue;
                }
                _ => return None,
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Encodes a COSE structure as `prefix` + base45, compressing only if shorter.
pub fn encode(prefix: &str, cose: &[u8]) -> String {
    let mut best: &[u8] = cose;
    let compressed;
    // A COSE_Sign1 of ours is mostly signature and ciphertext, which do
    // not compress, and zlib adds 6 bytes of framing: below this size the
    // attempt never wins (see docs/format.md) and costs more than signing.
    if cose.len() > COMPRESSION_MIN_LEN {
        let mut z = ZlibEncoder::new(Vec::with_capacity(cose.len() + 16), Compression::best());
        if z.write_all(cose).is_ok()
            && let Ok(c) = z.finish()
            && c.len() < cose.len()
        {
            compressed = c;
            best = &compressed;
        }
    }
    let mut out = String::with_capacity(prefix.len() + best.len() * 3 / 2 + 2);
    out.push_str(prefix);
    out.push_str(&base45::encode(best));
    out
}

/// Decodes the base45 part (after the prefix) into COSE bytes, inflating if
/// it was compressed, never beyond `max_len` bytes.
///
/// Base45 must be canonical (RFC 9285 §4.2: a group of three encodes at
/// most 65535, a final pair at most 255), so that a text decodes to one
/// byte string and a byte string has one text. The base45 crate refuses a
/// triple beyond 65535 but would truncate a pair beyond 255; re-encoding
/// catches it.
///
/// ```
/// use attesta_core::text::decode_body;
/// assert_eq!(decode_body("%69 VD92EX0", 100).unwrap(), b"Hello!!");
/// // "GGW" is 65536, "U5" is 45·5 + 30 = 255, "V5" is 256.
/// assert_eq!(decode_body("GGW", 100).unwrap_err().code(), "bad_base45");
/// assert_eq!(decode_body("U5", 100).unwrap(), [255]);
/// assert_eq!(decode_body("V5", 100).unwrap_err().code(), "bad_base45");
/// ```
pub fn decode_body(body: &str, max_len: usize) -> Result<Vec<u8>, FormatError> {
    decode_body_parts(body, max_len).map(|(cose, _)| cose)
}

/// [`decode_body`], and the length of the zlib stream when there was one.
fn decode_body_parts(body: &str, max_len: usize) -> Result<(Vec<u8>, Option<usize>), FormatError> {
    if body.bytes().any(|b| b.is_ascii_lowercase()) {
        return Err(if enforced(Rule::Base45Lowercase) {
            FormatError::Lowercase
        } else {
            FormatError::BadBase45
        });
    }
    let raw = base45::decode(body).map_err(|_| FormatError::BadBase45)?;
    if enforced(Rule::Base45Canonical) && base45::encode(&raw) != body {
        return Err(FormatError::BadBase45);
    }
    match raw.first() {
        Some(0x78) if enforced(Rule::ZlibDetect) => {
            inflate(&raw, max_len).map(|cose| (cose, Some(raw.len())))
        }
        Some(_) if raw.len() <= max_len => Ok((raw, None)),
        Some(_) => Err(FormatError::TooLarge { max: max_len }),
        None => Err(FormatError::BadBase45),
    }
}

fn inflate(z: &[u8], max_len: usize) -> Result<Vec<u8>, FormatError> {
    let cap = if enforced(Rule::ZlibCap) {
        max_len
    } else {
        max_len + 1
    };
    let mut out = Vec::new();
    let mut dec = ZlibDecoder::new(z);
    // Read one byte past the cap to tell "exactly at the cap" from "beyond".
    (&mut dec)
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| FormatError::BadCompression)?;
    if out.len() > cap {
        return Err(FormatError::TooLarge { max: max_len });
    }
    // Bytes after the zlib stream would give one code several encodings.
    if dec.total_in() != z.len() as u64 && enforced(Rule::ZlibTrailing) {
        return Err(FormatError::BadCompression);
    }
    Ok(out)
}

/// Checks the overall length and splits an attesta code into kind and COSE bytes.
///
/// A compressed code must be strictly shorter than the COSE bytes it
/// inflates to (docs/format.md §2.3): the same COSE wrapped in a longer
/// stream (stored blocks, another level) is refused with
/// `bad_compression`. Deflate output differs between libraries and
/// levels, so the COSE bytes, not the text, are the identity of a code.
pub fn decode(text: &str) -> Result<(CodeKind, Vec<u8>), FormatError> {
    let text = unwrap_verify_url(text);
    let max_text = if enforced(Rule::MaxTextLength) {
        MAX_TEXT_LEN
    } else {
        MAX_TEXT_LEN + 1
    };
    if text.len() > max_text {
        return Err(FormatError::TooLong { len: text.len() });
    }
    let (kind, body) = CodeKind::split(&text)?;
    let (cose, zlib_len) = decode_body_parts(body, MAX_PAYLOAD_LEN)?;
    if zlib_len.is_some_and(|z| z >= cose.len()) && enforced(Rule::ZlibShorter) {
        return Err(FormatError::BadCompression);
    }
    Ok((kind, cose))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_compressed_round_trip() {
        let random: Vec<u8> = (0..150u32).map(|i| (i * 7919 % 251) as u8).collect();
        let mut cose = vec![0xd2];
        cose.extend(&random);
        let t = encode("AT1:", &cose);
        assert_eq!(decode(&t).unwrap(), (CodeKind::FirstLevel, cose.clone()));

        let mut repetitive = vec![0xd2];
        repetitive.extend(std::iter::repeat_n(b'a', 400));
        let t = encode("AD1:", &repetitive);
        assert!(t.len() < 100, "compressed: {}", t.len());
        assert_eq!(decode(&t).unwrap(), (CodeKind::SecondLevel, repetitive));
    }

    #[test]
    fn prefixes() {
        assert_eq!(CodeKind::split("AT1:X").unwrap().0, CodeKind::FirstLevel);
        assert!(matches!(
            CodeKind::split("AT2:X"),
            Err(FormatError::UnsupportedVersion { .. })
        ));
        assert_eq!(CodeKind::split("HC1:X"), Err(FormatError::BadPrefix));
        assert_eq!(CodeKind::split("at1:X"), Err(FormatError::Lowercase));
        assert_eq!(CodeKind::split("no colon"), Err(FormatError::BadPrefix));
    }

    #[test]
    fn verify_urls() {
        let url = VerifyUrl::parse("https://verifica.example.it/app/").unwrap();
        let mut cose = vec![0xd2];
        cose.extend((0..150u32).map(|i| (i * 7919 % 251) as u8));
        let code = encode("AT1:", &cose);
        assert!(code.contains(' ') || code.contains('%'), "{code}");
        let wrapped = url.wrap(&code);
        assert!(!wrapped.contains(' '));
        assert!(wrapped.starts_with("https://verifica.example.it/app/#AT1:"));
        assert_eq!(unwrap_verify_url(&wrapped), code);
        assert_eq!(decode(&wrapped).unwrap(), (CodeKind::FirstLevel, cose));
        // Other links are left alone, to be refused as not a code.
        for other in [
            "https://example.org/#section",
            "https://example.org/",
            "https://example.org/#AT1:%ZZ",
            "ftp://example.org/#AT1:ABC",
        ] {
            assert_eq!(unwrap_verify_url(other), other);
        }
        assert_eq!(decode("https://example.org/"), Err(FormatError::BadPrefix));
        assert!(matches!(
            decode("https://x.it/#AT9:ABC"),
            Err(FormatError::UnsupportedVersion { .. })
        ));
        for bad in [
            "verifica.example.it",
            "http://verifica.example.it/",
            "https://",
            "https://x.it/#frag",
            "https://x.it/a b",
        ] {
            assert!(VerifyUrl::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "http://localhost:8080/",
            "http://127.0.0.1/",
            "HTTPS://VERIFICA.EXAMPLE.IT/",
        ] {
            assert!(VerifyUrl::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn bomb_is_capped() {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&vec![0u8; 1_000_000]).unwrap();
        let bomb = z.finish().unwrap();
        // Fits a QR code, inflates 1000-fold.
        assert!(bomb.len() * 3 / 2 < MAX_TEXT_LEN);
        let t = format!("AT1:{}", base45::encode(&bomb));
        assert_eq!(
            decode(&t),
            Err(FormatError::TooLarge {
                max: MAX_PAYLOAD_LEN
            })
        );
    }

    #[test]
    fn damaged_texts() {
        assert_eq!(decode("AT1:"), Err(FormatError::BadBase45));
        assert_eq!(decode("AT1:abc"), Err(FormatError::Lowercase));
        assert_eq!(decode("AT1:GGW"), Err(FormatError::BadBase45));
        assert_eq!(
            decode("AT1:%69 VD92EX0"),
            Ok((CodeKind::FirstLevel, b"Hello!!".to_vec()))
        );
        let long = format!("AT1:{}", "0".repeat(MAX_TEXT_LEN));
        assert!(matches!(decode(&long), Err(FormatError::TooLong { .. })));
        // A valid stream followed by junk.
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&[0xd2; 300]).unwrap();
        let mut junk = z.finish().unwrap();
        assert!(decode(&format!("AT1:{}", base45::encode(&junk))).is_ok());
        junk.extend_from_slice(b"JUNK");
        assert_eq!(
            decode(&format!("AT1:{}", base45::encode(&junk))),
            Err(FormatError::BadCompression)
        );
        // zlib header followed by garbage.
        let t = format!("AT1:{}", base45::encode([0x78, 0x9c, 0xff, 0xff, 0x00]));
        assert_eq!(decode(&t), Err(FormatError::BadCompression));
    }

    #[test]
    fn compression_must_shorten() {
        let cose: Vec<u8> = (0..200u32).map(|i| (i * 7919 % 251) as u8).collect();
        let mut stored = ZlibEncoder::new(Vec::new(), Compression::none());
        stored.write_all(&cose).unwrap();
        let stored = stored.finish().unwrap();
        assert!(stored.len() > cose.len());
        let t = format!("AT1:{}", base45::encode(&stored));
        assert_eq!(decode(&t), Err(FormatError::BadCompression));
        // Generic decoding of foreign codes does not ask for it.
        assert_eq!(decode_body(&t[4..], MAX_GENERIC_PAYLOAD_LEN).unwrap(), cose);
        // The encoder never writes such a stream: this one is sent raw.
        assert_eq!(
            encode("AT1:", &cose),
            format!("AT1:{}", base45::encode(&cose))
        );
    }
}
