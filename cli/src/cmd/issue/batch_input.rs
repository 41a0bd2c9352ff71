//! Reading batch files as clerks have them: Excel's CSV with Windows line
//! endings, blank lines, quoted line breaks, Windows-1252 text, extra
//! columns. Every record is numbered by the line where it starts, as a text
//! editor shows it (CRLF, CR and LF each end one line), because outputs,
//! errors.csv and the manifest are named by that number and a clerk joins
//! them back to the rows with it.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

/// The text encoding of a batch file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (a byte-order mark is skipped).
    Utf8,
    /// Windows-1252, what Excel writes on Italian Windows ("CSV (delimitato
    /// dal separatore di elenco)").
    Windows1252,
}

impl std::str::FromStr for Encoding {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" => {
                Ok(Encoding::Windows1252)
            }
            _ => bail!("--encoding '{s}' is not supported; use utf-8 or windows-1252"),
        }
    }
}

/// Whether the whole file is UTF-8, read in chunks (the file may be larger
/// than memory should hold).
pub fn is_utf8(path: &Path) -> Result<bool> {
    let mut f = BufReader::with_capacity(
        1 << 16,
        File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
    );
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let buf = f.fill_buf()?;
        if buf.is_empty() {
            return Ok(carry.is_empty());
        }
        let n = buf.len();
        carry.extend_from_slice(buf);
        f.consume(n);
        match std::str::from_utf8(&carry) {
            Ok(_) => carry.clear(),
            // An incomplete sequence at the end of the chunk: keep it.
            Err(e) if e.error_len().is_none() => {
                let keep = carry.split_off(e.valid_up_to());
                carry = keep;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// Decodes Windows-1252 to UTF-8 as it is read. A single-byte encoding, so
/// chunk boundaries need no care.
pub struct Windows1252Reader<R> {
    inner: R,
    out: Vec<u8>,
    pos: usize,
}

impl<R: Read> Windows1252Reader<R> {
    pub fn new(inner: R) -> Self {
        Windows1252Reader {
            inner,
            out: Vec::new(),
            pos: 0,
        }
    }
}

impl<R: Read> Read for Windows1252Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.out.len() {
            let mut raw = [0u8; 8192];
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                return Ok(0);
            }
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&raw[..n]);
            self.out.clear();
            self.out.extend_from_slice(text.as_bytes());
            self.pos = 0;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The line breaks of the text, recorded as the bytes pass through to the
/// CSV parser; [`LineIndex::line_of`] turns a record's byte offset into the
/// line a text editor shows.
///
/// The parser's offset of a record may point at the line break that ends
/// the previous record (the LF of a CRLF) or at blank lines before it, so
/// the record is taken to start at the first byte after the breaks found
/// there.
#[derive(Clone, Default)]
pub struct LineIndex(Arc<Mutex<LineState>>);

#[derive(Default)]
struct LineState {
    /// Line-break bytes not yet passed by a record: (offset, whether it
    /// ends a line; the LF of a CRLF does not end another one).
    breaks: VecDeque<(u64, bool)>,
    /// Bytes seen so far.
    offset: u64,
    /// The previous byte was a CR.
    after_cr: bool,
    /// Lines ended before the last record's start.
    ended: u64,
}

impl LineIndex {
    fn record(&self, bytes: &[u8]) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for &b in bytes {
            let at = s.offset;
            s.offset += 1;
            match b {
                b'\n' => {
                    let new_line = !s.after_cr;
                    s.breaks.push_back((at, new_line));
                    s.after_cr = false;
                }
                b'\r' => {
                    s.breaks.push_back((at, true));
                    s.after_cr = true;
                }
                _ => s.after_cr = false,
            }
        }
    }

    /// The 1-based line on which the record found at `offset` starts.
    /// Offsets must not decrease from call to call (records come in file
    /// order).
    pub fn line_of(&self, offset: u64) -> u64 {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut start = offset;
        while let Some(&(at, new_line)) = s.breaks.front() {
            if at < start {
            } else if at == start {
                // A break where the record seems to start: it starts after.
                start += 1;
            } else {
                break;
            }
            s.breaks.pop_front();
            if new_line {
                s.ended += 1;
            }
        }
        s.ended + 1
    }
}

/// A reader that tells a [`LineIndex`] every byte it passes on.
pub struct Indexed<R> {
    inner: R,
    index: LineIndex,
}

impl<R: Read> Read for Indexed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.index.record(&buf[..n]);
        Ok(n)
    }
}

/// Opens a CSV file decoded to UTF-8, without its byte-order mark, with
/// its line index. Returns the reader, the index and the encoding used.
pub fn open_text(
    path: &Path,
    encoding: Option<Encoding>,
) -> Result<(Box<dyn BufRead + Send>, LineIndex, Encoding)> {
    let encoding = match encoding {
        Some(e) => e,
        None if is_utf8(path)? => Encoding::Utf8,
        None => Encoding::Windows1252,
    };
    let mut file = BufReader::new(
        File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
    );
    let index = LineIndex::default();
    let source: Box<dyn Read + Send> = match encoding {
        Encoding::Utf8 => {
            // Skip a byte-order mark (it ends no line, so the numbering holds).
            if file.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
                file.consume(3);
            }
            Box::new(file)
        }
        Encoding::Windows1252 => Box::new(Windows1252Reader::new(file)),
    };
    let indexed = Indexed {
        inner: source,
        index: index.clone(),
    };
    Ok((Box::new(BufReader::new(indexed)), index, encoding))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[u8], offsets: &[u64]) -> Vec<u64> {
        let idx = LineIndex::default();
        idx.record(text);
        offsets.iter().map(|&o| idx.line_of(o)).collect()
    }

    #[test]
    fn line_breaks_of_every_kind() {
        // a\r\nb\rc\nd: lines start at 0, 3, 5, 7.
        assert_eq!(lines(b"a\r\nb\rc\nd", &[0, 3, 5, 7]), [1, 2, 3, 4]);
        // An offset at the LF of a CRLF, or at blank lines before the
        // record, still gives the record's own line.
        assert_eq!(lines(b"a\r\nb\r\nc", &[0, 2, 5]), [1, 2, 3]);
        assert_eq!(lines(b"h\n\n\nx\n", &[0, 2]), [1, 4]);
        assert_eq!(lines(b"h\r\n\r\nx\r\n", &[0, 1]), [1, 3]);
        // A quoted line break inside a record belongs to it.
        assert_eq!(lines(b"h\n\"a\nb\"\nc\n", &[0, 2, 8]), [1, 2, 4]);
    }

    #[test]
    fn windows_1252_is_decoded() {
        let mut out = String::new();
        Windows1252Reader::new(&b"citt\xe0 \x80"[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "città €");
    }
}
