//! Working copies of a picture at other sizes or sharpness: box-filter
//! reduction, halving, bilinear enlargement, unsharp masking.

use image::GrayImage;

use super::binarize::Integral;
use super::frame::Picture;

/// Long side up to which a picture is also scanned enlarged twice (the
/// enlarged copy has four times the pixels, so this bounds its cost).
pub(super) const ENLARGE_UP_TO_PX: u32 = 1000;

/// Twice the size, bilinear: each new pixel weighs its nearest original
/// pixel 3/4 and the next one 1/4, along each axis.
pub(super) fn enlarged(luma: &GrayImage) -> GrayImage {
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let src = luma.as_raw();
    // Horizontal pass, in quarters.
    let mut wide = vec![0u16; 2 * w * h];
    for (row, out) in src
        .chunks_exact(w.max(1))
        .zip(wide.chunks_exact_mut(2 * w.max(1)))
    {
        for x in 0..w {
            let (left, centre, right) = (row[x.saturating_sub(1)], row[x], row[(x + 1).min(w - 1)]);
            out[2 * x] = 3 * u16::from(centre) + u16::from(left);
            out[2 * x + 1] = 3 * u16::from(centre) + u16::from(right);
        }
    }
    // Vertical pass, in sixteenths.
    let stride = 2 * w;
    let mut out = vec![0u8; 4 * w * h];
    for y in 0..h {
        let (up, centre, down) = (y.saturating_sub(1), y, (y + 1).min(h - 1));
        for x in 0..stride {
            let c = 3 * u32::from(wide[centre * stride + x]);
            let top = c + u32::from(wide[up * stride + x]);
            let bottom = c + u32::from(wide[down * stride + x]);
            out[2 * y * stride + x] = ((top + 8) / 16) as u8;
            out[(2 * y + 1) * stride + x] = ((bottom + 8) / 16) as u8;
        }
    }
    GrayImage::from_raw(2 * luma.width(), 2 * luma.height(), out).unwrap_or_else(|| luma.clone())
}

/// Unsharp masking: each pixel pushed away from its 5 × 5 mean.
pub(super) fn sharpened(luma: &GrayImage) -> GrayImage {
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let integral = Integral::new(luma);
    let r = 2;
    let mut out = luma.clone();
    for (i, v) in out.iter_mut().enumerate() {
        let (x, y) = (i % w.max(1), i / w.max(1));
        let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        let mean = integral.sum(x0, y0, x1, y1) as f32 / ((x1 - x0) * (y1 - y0)) as f32;
        let value = f32::from(*v);
        *v = (value + 1.5 * (value - mean)).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Half size, each pixel the mean of a 2 × 2 block.
pub(super) fn halve(luma: &GrayImage) -> GrayImage {
    let (w, h) = (luma.width() / 2, luma.height() / 2);
    let src = luma.as_raw();
    let stride = luma.width() as usize;
    GrayImage::from_fn(w.max(1), h.max(1), |x, y| {
        let (x, y) = (2 * x as usize, 2 * y as usize);
        let i = y * stride + x;
        let sum = u16::from(src[i])
            + u16::from(src[i + 1])
            + u16::from(src[i + stride])
            + u16::from(src[i + stride + 1]);
        image::Luma([((sum + 2) / 4) as u8])
    })
}

/// A gray copy whose long side is `target` px, each pixel the mean of the
/// source area it covers (a box filter: what a sensor with bigger pixels
/// would see, and faster than a resampling kernel on 12-megapixel photos).
/// RGB is converted row by row on the way, so the full-size gray image is
/// never built unless a later step needs it.
pub(super) fn shrink(picture: &Picture<'_>, target: u32) -> GrayImage {
    let (w, h) = picture.dimensions();
    let scale = f64::from(target) / f64::from(w.max(h));
    let (nw, nh) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    let (xs, ys) = (BoxWeights::new(w, nw), BoxWeights::new(h, nh));
    let (w, nw) = (w as usize, nw as usize);
    // Horizontal pass: value·2⁸ per sample (16.16 weights shifted by 8).
    let mut rows = vec![0u32; nw * h as usize];
    let mut line = vec![0u8; w];
    for (y, out) in rows.chunks_exact_mut(nw).enumerate() {
        picture.luma_row(y, &mut line);
        for (o, acc) in out.iter_mut().enumerate() {
            *acc = xs.of(o).map(|(i, wt)| (u32::from(line[i]) * wt) >> 8).sum();
        }
    }
    // Vertical pass, adding another 2¹⁶.
    let mut out = vec![0u8; nw * nh as usize];
    let mut acc = vec![0u64; nw];
    for (o, px) in out.chunks_exact_mut(nw).enumerate() {
        acc.fill(0);
        for (i, wt) in ys.of(o) {
            for (a, &r) in acc.iter_mut().zip(&rows[i * nw..(i + 1) * nw]) {
                *a += u64::from(r) * u64::from(wt);
            }
        }
        for (p, a) in px.iter_mut().zip(&acc) {
            *p = ((a + (1 << 23)) >> 24).min(255) as u8;
        }
    }
    GrayImage::from_raw(nw as u32, nh, out).unwrap_or_else(|| GrayImage::new(1, 1))
}

/// Which source samples make up each output sample of a box-filter
/// reduction along one axis, and their weights (summing to 2¹⁶).
pub(super) struct BoxWeights {
    /// For output `o`: `starts[o]..starts[o + 1]` indexes `taps`.
    starts: Vec<usize>,
    taps: Vec<(usize, u32)>,
}

impl BoxWeights {
    fn new(from: u32, to: u32) -> BoxWeights {
        let step = f64::from(from) / f64::from(to);
        let mut starts = vec![0];
        let mut taps = Vec::new();
        for o in 0..to {
            let (start, end) = (
                f64::from(o) * step,
                (f64::from(o + 1) * step).min(f64::from(from)),
            );
            let mut i = start.floor() as usize;
            while (i as f64) < end {
                let cover = (end.min(i as f64 + 1.0) - start.max(i as f64)) / step;
                taps.push((i, (cover * 65536.0).round() as u32));
                i += 1;
            }
            starts.push(taps.len());
        }
        BoxWeights { starts, taps }
    }

    fn of(&self, o: usize) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.taps[self.starts[o]..self.starts[o + 1]]
            .iter()
            .copied()
    }
}
