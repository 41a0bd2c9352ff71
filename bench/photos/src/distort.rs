//! Image operations for synthetic photos of QR codes: a seeded random
//! generator, perspective warps with bilinear, supersampled sampling, blurs,
//! noise, lighting, textures and encoders.
//!
//! Plain and unoptimised on purpose: it only has to be correct and
//! deterministic. Shared by the corpus generator (`bench/photos`) and the
//! per-distortion tests of `attesta-verify` (`tests/photos.rs`, which
//! includes this file with `#[path]`), so it depends on `image` alone.

#![allow(dead_code)]

use image::{GrayImage, ImageEncoder as _, Luma, RgbImage};

/// SplitMix64: tiny, seedable, good enough for image noise.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
    /// Box–Muller yields normals in pairs: the second one, kept.
    spare: Option<f64>,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: seed ^ 0x5851_f42d_4c95_7f2d,
            spare: None,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in [lo, hi).
    pub fn int(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % u64::from((hi - lo).max(1))) as u32
    }

    /// -1 or 1.
    pub fn sign(&mut self) -> f64 {
        if self.next_u64() & 1 == 0 { -1.0 } else { 1.0 }
    }

    /// Standard normal (Box–Muller).
    pub fn gauss(&mut self) -> f64 {
        if let Some(spare) = self.spare.take() {
            return spare;
        }
        let u = self.unit().max(1e-12);
        let v = self.unit();
        let r = (-2.0 * u.ln()).sqrt();
        let (sin, cos) = (std::f64::consts::TAU * v).sin_cos();
        self.spare = Some(r * sin);
        r * cos
    }
}

/// A projective transform of the plane, row-major 3 × 3.
#[derive(Clone, Copy, Debug)]
pub struct Homography(pub [f64; 9]);

impl Homography {
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let h = &self.0;
        let w = h[6] * x + h[7] * y + h[8];
        (
            (h[0] * x + h[1] * y + h[2]) / w,
            (h[3] * x + h[4] * y + h[5]) / w,
        )
    }

    /// The transform taking the four `from` points to the four `to` points
    /// (solved as an 8 × 8 linear system with h33 = 1).
    pub fn from_points(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Homography {
        let mut a = [[0.0f64; 9]; 8];
        for (i, (&(x, y), &(u, v))) in from.iter().zip(&to).enumerate() {
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        // Gauss–Jordan with partial pivoting.
        for col in 0..8 {
            let pivot = (col..8)
                .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
                .unwrap_or(col);
            a.swap(col, pivot);
            let d = a[col][col];
            for v in &mut a[col][col..] {
                *v /= d;
            }
            let pivot_row = a[col];
            for (r, row) in a.iter_mut().enumerate() {
                if r != col {
                    let f = row[col];
                    for (v, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                        *v -= f * p;
                    }
                }
            }
        }
        let mut h = [1.0; 9];
        for (i, row) in a.iter().enumerate() {
            h[i] = row[8];
        }
        Homography(h)
    }

    pub fn inverse(&self) -> Homography {
        let m = &self.0;
        let c = [
            m[4] * m[8] - m[5] * m[7],
            m[2] * m[7] - m[1] * m[8],
            m[1] * m[5] - m[2] * m[4],
            m[5] * m[6] - m[3] * m[8],
            m[0] * m[8] - m[2] * m[6],
            m[2] * m[3] - m[0] * m[5],
            m[3] * m[7] - m[4] * m[6],
            m[1] * m[6] - m[0] * m[7],
            m[0] * m[4] - m[1] * m[3],
        ];
        let det = m[0] * c[0] + m[1] * c[3] + m[2] * c[6];
        Homography(c.map(|v| v / det))
    }
}

/// Where a rectangle of `w` × `h` source pixels lands: centred at
/// (`cx`, `cy`), `side` pixels wide along its top edge, turned by `angle`
/// radians, and foreshortened: `tilt_x` / `tilt_y` shrink the right /
/// bottom edge by that fraction (negative: the left / top edge), as a
/// camera looking at the page from the side.
pub fn placement(
    w: f64,
    h: f64,
    (cx, cy): (f64, f64),
    side: f64,
    angle: f64,
    tilt_x: f64,
    tilt_y: f64,
) -> Homography {
    let s = side / w;
    let (hw, hh) = (w * s / 2.0, h * s / 2.0);
    // Corners before rotation: TL, TR, BR, BL.
    let mut pts = [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)];
    // Perspective: shrink one edge of each pair towards the centre line.
    let shrink = |v: f64, t: f64| v * (1.0 - t.abs());
    if tilt_x > 0.0 {
        pts[1].1 = shrink(pts[1].1, tilt_x);
        pts[2].1 = shrink(pts[2].1, tilt_x);
    } else {
        pts[0].1 = shrink(pts[0].1, tilt_x);
        pts[3].1 = shrink(pts[3].1, tilt_x);
    }
    if tilt_y > 0.0 {
        pts[2].0 = shrink(pts[2].0, tilt_y);
        pts[3].0 = shrink(pts[3].0, tilt_y);
    } else {
        pts[0].0 = shrink(pts[0].0, tilt_y);
        pts[1].0 = shrink(pts[1].0, tilt_y);
    }
    let (sin, cos) = angle.sin_cos();
    let to = pts.map(|(x, y)| (cx + x * cos - y * sin, cy + x * sin + y * cos));
    Homography::from_points([(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)], to)
}

/// Bilinear sample of `img` at continuous coordinates (pixel centres at
/// +0.5), or `None` outside.
pub fn bilinear(img: &GrayImage, x: f64, y: f64) -> Option<f64> {
    let (w, h) = (img.width() as f64, img.height() as f64);
    if !(0.0..w).contains(&x) || !(0.0..h).contains(&y) {
        return None;
    }
    let (fx, fy) = ((x - 0.5).max(0.0), (y - 0.5).max(0.0));
    let (x0, y0) = (fx.floor() as u32, fy.floor() as u32);
    let (x1, y1) = (
        (x0 + 1).min(img.width() - 1),
        (y0 + 1).min(img.height() - 1),
    );
    let (tx, ty) = (fx - x0 as f64, fy - y0 as f64);
    let p = |x, y| f64::from(img.get_pixel(x, y).0[0]);
    let top = p(x0, y0) * (1.0 - tx) + p(x1, y0) * tx;
    let bottom = p(x0, y1) * (1.0 - tx) + p(x1, y1) * tx;
    Some(top * (1.0 - ty) + bottom * ty)
}

/// Draws `src` into `dst` through `to_dst` (source → destination
/// coordinates). Each destination pixel averages `ss` × `ss` bilinear
/// samples; samples falling outside the source keep the destination's
/// value, so edges are antialiased. `levels` maps a source value to the
/// drawn one (e.g. ink and paper gray levels).
pub fn warp_into(
    dst: &mut GrayImage,
    src: &GrayImage,
    to_dst: &Homography,
    ss: u32,
    levels: impl Fn(f64) -> f64,
) {
    let to_src = to_dst.inverse();
    let area = bounding_box(src, to_dst, dst);
    warp_with(dst, src, ss, levels, area, |x, y| Some(to_src.apply(x, y)))
}

/// The destination-pixel box covered by `src` through `to_dst`.
pub fn bounding_box(src: &GrayImage, to_dst: &Homography, dst: &GrayImage) -> [u32; 4] {
    let (w, h) = (src.width() as f64, src.height() as f64);
    let corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)].map(|(x, y)| to_dst.apply(x, y));
    let clampx = |v: f64| v.clamp(0.0, dst.width() as f64) as u32;
    let clampy = |v: f64| v.clamp(0.0, dst.height() as f64) as u32;
    let fold = |f: fn(f64, f64) -> f64, init, g: fn(&(f64, f64)) -> f64| {
        corners.iter().map(g).fold(init, f)
    };
    [
        clampx(fold(f64::min, f64::MAX, |p| p.0).floor() - 1.0),
        clampy(fold(f64::min, f64::MAX, |p| p.1).floor() - 1.0),
        clampx(fold(f64::max, f64::MIN, |p| p.0).ceil() + 1.0),
        clampy(fold(f64::max, f64::MIN, |p| p.1).ceil() + 1.0),
    ]
}

/// [`warp_into`] with any inverse mapping (destination → source
/// coordinates, `None` where nothing is drawn), over the destination box
/// `[x0, y0, x1, y1)`.
pub fn warp_with(
    dst: &mut GrayImage,
    src: &GrayImage,
    ss: u32,
    levels: impl Fn(f64) -> f64,
    [x0, y0, x1, y1]: [u32; 4],
    to_src: impl Fn(f64, f64) -> Option<(f64, f64)>,
) {
    let ss = ss.max(1);
    let n = f64::from(ss * ss);
    for y in y0..y1 {
        for x in x0..x1 {
            let old = f64::from(dst.get_pixel(x, y).0[0]);
            let mut sum = 0.0;
            for j in 0..ss {
                for i in 0..ss {
                    let sx = f64::from(x) + (f64::from(i) + 0.5) / f64::from(ss);
                    let sy = f64::from(y) + (f64::from(j) + 0.5) / f64::from(ss);
                    sum += to_src(sx, sy)
                        .and_then(|(u, v)| bilinear(src, u, v))
                        .map_or(old, &levels);
                }
            }
            dst.put_pixel(x, y, Luma([to_u8(sum / n)]));
        }
    }
}

pub fn to_u8(v: f64) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// Separable Gaussian blur (kernel to ±3σ, edges clamped).
pub fn gaussian_blur(img: &GrayImage, sigma: f64) -> GrayImage {
    if sigma <= 0.05 {
        return img.clone();
    }
    let r = (3.0 * sigma).ceil() as i64;
    let kernel: Vec<f64> = (-r..=r)
        .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f64 = kernel.iter().sum();
    let kernel: Vec<f32> = kernel.iter().map(|k| (k / total) as f32).collect();
    let (w, h) = (img.width() as i64, img.height() as i64);
    let src: Vec<f32> = img.as_raw().iter().map(|&v| f32::from(v)).collect();
    let mut tmp = vec![0f32; src.len()];
    for y in 0..h {
        let row = &src[(y * w) as usize..((y + 1) * w) as usize];
        for x in 0..w {
            let mut acc = 0.0;
            for (k, kv) in kernel.iter().enumerate() {
                let xx = (x + k as i64 - r).clamp(0, w - 1);
                acc += row[xx as usize] * kv;
            }
            tmp[(y * w + x) as usize] = acc;
        }
    }
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (k, kv) in kernel.iter().enumerate() {
                let yy = (y + k as i64 - r).clamp(0, h - 1);
                acc += tmp[(yy * w + x) as usize] * kv;
            }
            out[(y * w + x) as usize] = acc.round().clamp(0.0, 255.0) as u8;
        }
    }
    GrayImage::from_raw(img.width(), img.height(), out).expect("same size")
}

/// Gaussian blur of the box `[x0, y0, x1, y1)` only (plus a margin for the
/// kernel), for large frames where only part of the picture has detail.
pub fn gaussian_blur_region(img: &mut GrayImage, sigma: f64, [x0, y0, x1, y1]: [u32; 4]) {
    let m = (3.0 * sigma).ceil() as u32 + 1;
    let (bx0, by0) = (x0.saturating_sub(m), y0.saturating_sub(m));
    let (bx1, by1) = ((x1 + m).min(img.width()), (y1 + m).min(img.height()));
    if bx1 <= bx0 || by1 <= by0 {
        return;
    }
    let part = image::imageops::crop_imm(img, bx0, by0, bx1 - bx0, by1 - by0).to_image();
    let blurred = gaussian_blur(&part, sigma);
    // Paste back only the inner box, so the cut edges of the crop (blurred
    // against clamped borders) stay outside.
    for y in y0.max(by0)..y1.min(by1) {
        for x in x0.max(bx0)..x1.min(bx1) {
            img.put_pixel(x, y, *blurred.get_pixel(x - bx0, y - by0));
        }
    }
}

/// Box blur of radius `r` (a (2r+1)² mean) through an integral image.
pub fn box_blur(img: &GrayImage, r: u32) -> GrayImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut integral = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(img.as_raw()[y * w + x]);
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
        }
    }
    let r = r as usize;
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let (x, y) = (x as usize, y as usize);
        let (xa, ya) = (x.saturating_sub(r), y.saturating_sub(r));
        let (xb, yb) = ((x + r + 1).min(w), (y + r + 1).min(h));
        let sum = integral[yb * (w + 1) + xb] + integral[ya * (w + 1) + xa]
            - integral[ya * (w + 1) + xb]
            - integral[yb * (w + 1) + xa];
        Luma([(sum / ((xb - xa) * (yb - ya)) as u64) as u8])
    })
}

/// Adds Gaussian noise of standard deviation `sigma` gray levels.
pub fn add_noise(img: &mut GrayImage, sigma: f64, rng: &mut Rng) {
    for v in img.iter_mut() {
        *v = to_u8(f64::from(*v) + sigma * rng.gauss());
    }
}

/// Multiplies every pixel by `gain(x, y)` and adds `offset(x, y)`.
pub fn light(img: &mut GrayImage, f: impl Fn(f64, f64, f64) -> f64) {
    for (x, y, p) in img.enumerate_pixels_mut() {
        p.0[0] = to_u8(f(f64::from(x), f64::from(y), f64::from(p.0[0])));
    }
}

/// A smooth lighting field for a `w` × `h` frame: a linear gradient from
/// `lo` to `hi` gain in a random direction, times a vignette darkening the
/// corners by `vignette` (0–1).
pub fn lighting_field(
    w: u32,
    h: u32,
    lo: f64,
    hi: f64,
    vignette: f64,
    rng: &mut Rng,
) -> impl Fn(f64, f64) -> f64 + use<> {
    let angle = rng.range(0.0, std::f64::consts::TAU);
    let (dx, dy) = (angle.cos(), angle.sin());
    let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    let half = (cx * dx.abs() + cy * dy.abs()).max(1.0);
    let diag2 = cx * cx + cy * cy;
    move |x, y| {
        let t = (((x - cx) * dx + (y - cy) * dy) / half + 1.0) / 2.0;
        let r2 = ((x - cx).powi(2) + (y - cy).powi(2)) / diag2;
        (lo + (hi - lo) * t) * (1.0 - vignette * r2)
    }
}

/// Smooth value noise in [-1, 1] with cells of `cell` pixels (bilinear
/// interpolation of a random lattice), summed over `octaves` halvings.
pub struct ValueNoise {
    lattice: Vec<f64>,
    n: usize,
    cell: f64,
    octaves: u32,
}

impl ValueNoise {
    pub fn new(cell: f64, octaves: u32, rng: &mut Rng) -> ValueNoise {
        let n = 64;
        ValueNoise {
            lattice: (0..n * n).map(|_| rng.range(-1.0, 1.0)).collect(),
            n,
            cell,
            octaves,
        }
    }

    pub fn at(&self, x: f64, y: f64) -> f64 {
        let mut total = 0.0;
        let mut amp = 1.0;
        let mut norm = 0.0;
        let mut cell = self.cell;
        for o in 0..self.octaves {
            let (u, v) = (
                x / cell + f64::from(o) * 17.3,
                y / cell + f64::from(o) * 9.1,
            );
            let (i, j) = (u.floor(), v.floor());
            let (tx, ty) = (u - i, v - j);
            let (tx, ty) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
            let at = |a: f64, b: f64| {
                let ia = (a.rem_euclid(self.n as f64)) as usize;
                let ib = (b.rem_euclid(self.n as f64)) as usize;
                self.lattice[ib * self.n + ia]
            };
            let top = at(i, j) * (1.0 - tx) + at(i + 1.0, j) * tx;
            let bottom = at(i, j + 1.0) * (1.0 - tx) + at(i + 1.0, j + 1.0) * tx;
            total += amp * (top * (1.0 - ty) + bottom * ty);
            norm += amp;
            amp *= 0.5;
            cell = (cell / 2.0).max(1.0);
        }
        total / norm
    }
}

/// Fills `[x0, y0, x1, y1)` with `v`.
pub fn fill_rect(img: &mut GrayImage, [x0, y0, x1, y1]: [i64; 4], v: u8) {
    let (w, h) = (i64::from(img.width()), i64::from(img.height()));
    for y in y0.clamp(0, h)..y1.clamp(0, h) {
        for x in x0.clamp(0, w)..x1.clamp(0, w) {
            img.put_pixel(x as u32, y as u32, Luma([v]));
        }
    }
}

/// Fills an ellipse centred at (`cx`, `cy`) with radii `rx`, `ry`, turned
/// by `angle`, blending `shade(u, v)` (u, v in [-1, 1] across the ellipse)
/// with a one-pixel soft edge.
pub fn fill_ellipse(
    img: &mut GrayImage,
    (cx, cy): (f64, f64),
    (rx, ry): (f64, f64),
    angle: f64,
    shade: impl Fn(f64, f64) -> f64,
) {
    let r = rx.max(ry) + 2.0;
    let (sin, cos) = angle.sin_cos();
    let (w, h) = (img.width() as f64, img.height() as f64);
    let (x0, x1) = ((cx - r).max(0.0) as u32, (cx + r).min(w) as u32);
    let (y0, y1) = ((cy - r).max(0.0) as u32, (cy + r).min(h) as u32);
    for y in y0..y1 {
        for x in x0..x1 {
            let (dx, dy) = (f64::from(x) + 0.5 - cx, f64::from(y) + 0.5 - cy);
            let (u, v) = ((dx * cos + dy * sin) / rx, (-dx * sin + dy * cos) / ry);
            let d = (u * u + v * v).sqrt();
            // Distance outside the edge in pixels, roughly.
            let outside = (d - 1.0) * rx.min(ry);
            let alpha = (0.5 - outside).clamp(0.0, 1.0);
            if alpha > 0.0 {
                let old = f64::from(img.get_pixel(x, y).0[0]);
                let new = shade(u, v);
                img.put_pixel(x, y, Luma([to_u8(old * (1.0 - alpha) + new * alpha)]));
            }
        }
    }
}

/// Draws a line segment of `width` pixels with value `v`, antialiased.
pub fn draw_line(img: &mut GrayImage, a: (f64, f64), b: (f64, f64), width: f64, v: f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = (dx * dx + dy * dy).max(1e-9);
    let m = width / 2.0 + 1.0;
    let (w, h) = (img.width() as f64, img.height() as f64);
    let x0 = (a.0.min(b.0) - m).clamp(0.0, w) as u32;
    let x1 = (a.0.max(b.0) + m).clamp(0.0, w) as u32;
    let y0 = (a.1.min(b.1) - m).clamp(0.0, h) as u32;
    let y1 = (a.1.max(b.1) + m).clamp(0.0, h) as u32;
    for y in y0..y1 {
        for x in x0..x1 {
            let (px, py) = (f64::from(x) + 0.5 - a.0, f64::from(y) + 0.5 - a.1);
            let t = ((px * dx + py * dy) / len2).clamp(0.0, 1.0);
            let d = ((px - t * dx).powi(2) + (py - t * dy).powi(2)).sqrt();
            let alpha = (width / 2.0 + 0.5 - d).clamp(0.0, 1.0);
            if alpha > 0.0 {
                let old = f64::from(img.get_pixel(x, y).0[0]);
                img.put_pixel(x, y, Luma([to_u8(old * (1.0 - alpha) + v * alpha)]));
            }
        }
    }
}

/// A colour photo from a gray one: each channel scaled by `tint` plus its
/// own sensor noise of `sigma` levels.
pub fn colorize(img: &GrayImage, tint: [f64; 3], sigma: f64, rng: &mut Rng) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let g = f64::from(img.get_pixel(x, y).0[0]);
        image::Rgb(tint.map(|t| to_u8(g * t + sigma * rng.gauss())))
    })
}

pub fn png_gray(img: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .expect("PNG encoding to memory");
    out
}

pub fn jpeg_gray(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .expect("JPEG encoding to memory");
    out
}

pub fn jpeg_rgb(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("JPEG encoding to memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_its_points() {
        let from = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let to = [(3.0, 4.0), (20.0, 6.0), (18.0, 25.0), (1.0, 19.0)];
        let h = Homography::from_points(from, to);
        for (f, t) in from.iter().zip(&to) {
            let (x, y) = h.apply(f.0, f.1);
            assert!((x - t.0).abs() < 1e-9 && (y - t.1).abs() < 1e-9);
            let (u, v) = h.inverse().apply(t.0, t.1);
            assert!((u - f.0).abs() < 1e-9 && (v - f.1).abs() < 1e-9);
        }
    }
}
