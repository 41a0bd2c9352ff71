//! The QR symbol as a module matrix, and the rectangles that draw it.

use attesta_qr::render::{QrError, QrSymbol};

use crate::{ErrorCorrection, PdfError};

/// The modules of a QR symbol, row by row, without the quiet zone.
pub(crate) struct QrMatrix {
    pub(crate) width: usize,
    pub(crate) dark: Vec<bool>,
}

/// The same symbol as attesta-qr renders for screens (alphanumeric mode,
/// same mask), so paper and screen carry identical codes.
pub(crate) fn encode_qr(text: &str, level: ErrorCorrection) -> Result<QrMatrix, PdfError> {
    let code = QrSymbol::encode(text, level.to_qr()).map_err(|e| match e {
        QrError::TooLong { .. } => PdfError::QrTooLong {
            len: text.len(),
            level,
        },
        other => PdfError::QrEncoding {
            reason: other.to_string(),
        },
    })?;
    let width = code.width();
    Ok(QrMatrix {
        width,
        dark: (0..width * width)
            .map(|i| code.is_dark(i % width, i / width))
            .collect(),
    })
}

/// Cover the dark modules of a `width`×`width` matrix with rectangles
/// `(column, row, width, height)`: horizontal runs, merged downwards with an
/// identical run in the next row.
pub(crate) fn qr_rects(dark: &[bool], width: usize) -> Vec<(usize, usize, usize, usize)> {
    let mut done = Vec::new();
    // Rectangles still open at the previous row, keyed by (start, end).
    let mut open: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (row, cells) in dark.chunks(width.max(1)).enumerate() {
        let mut next = Vec::with_capacity(open.len());
        let mut col = 0;
        while col < cells.len() {
            if !cells[col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < cells.len() && cells[col] {
                col += 1;
            }
            let run = col - start;
            match open.iter().position(|r| r.0 == start && r.2 == run) {
                Some(i) => {
                    let mut r = open.swap_remove(i);
                    r.3 += 1;
                    next.push(r);
                }
                None => next.push((start, row, run, 1)),
            }
        }
        done.append(&mut open);
        open = next;
    }
    done.append(&mut open);
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_rectangles_cover_exactly_the_dark_modules() {
        let text = format!("AT1:{}", "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3".repeat(7));
        let qr = encode_qr(&text, ErrorCorrection::Quartile).unwrap();
        let mut covered = vec![false; qr.dark.len()];
        for (x, y, w, h) in qr_rects(&qr.dark, qr.width) {
            for yy in y..y + h {
                for xx in x..x + w {
                    assert!(!covered[yy * qr.width + xx], "overlap at {xx},{yy}");
                    covered[yy * qr.width + xx] = true;
                }
            }
        }
        assert_eq!(covered, qr.dark);
    }
}
