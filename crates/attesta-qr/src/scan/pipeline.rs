//! The steps of a scan, cheapest first, and the evidence that becomes the
//! error when no step reads a code.

use std::borrow::Cow;

use image::GrayImage;
use rxing::common::{BitMatrix, DetectorRXingResult as _};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{GenerateFinderPatternSets, SampleQR};
use web_time::Instant;

use super::binarize::{hybrid_matrix, inverted, local_mean_matrix, local_radius};
use super::error::{ScanError, Unreadable, guarded};
use super::finder::{Sighting, finder_patterns, sighting};
use super::frame::Picture;
use super::resample::{ENLARGE_UP_TO_PX, enlarged, halve, sharpened, shrink};

/// Above this long side, the pipeline works on a scaled-down copy first.
pub(super) const DOWNSCALE_ABOVE_PX: u32 = 2000;
/// Long side of the scaled-down copy: a code filling a third of the frame
/// still gets 4 px or more per module up to version 25 or so.
pub(super) const DOWNSCALE_TO_PX: u32 = 1600;

/// Candidate codes (triples of finder patterns, most plausible first)
/// sampled per binarized image. A cluttered photo yields a few dozen; a
/// crafted one could yield millions.
pub const MAX_PATTERN_SETS: usize = 250;

/// Modules narrower than this (in the photo's pixels) are too small to read
/// reliably: such a failure is reported as [`Unreadable::TooSmall`].
pub(super) const SMALL_MODULE_PX: f32 = 2.5;

/// read from.
#[derive(Debug)]
pub(super) struct Found {
    text: String,
    center: (f32, f32),
    /// Rough side length, to tell rows of codes apart.
    size: f32,
}

impl Found {
    fn new(text: String, points: impl IntoIterator<Item = (f32, f32)>) -> Found {
        let points: Vec<(f32, f32)> = points
            .into_iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        let n = points.len().max(1) as f32;
        let center = (
            points.iter().map(|p| p.0).sum::<f32>() / n,
            points.iter().map(|p| p.1).sum::<f32>() / n,
        );
        let extent = |coord: fn(&(f32, f32)) -> f32| {
            let (lo, hi) = points
                .iter()
                .map(coord)
                .fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
            (hi - lo).max(0.0)
        };
        let size = extent(|p| p.0).max(extent(|p| p.1));
        Found { text, center, size }
    }
}

/// Sorts codes top to bottom, then left to right within a row, and drops
/// repeated texts (one code can be read twice, e.g. in both polarities).
pub(super) fn reading_order(mut found: Vec<Found>) -> Vec<String> {
    found.sort_by(|a, b| a.center.1.total_cmp(&b.center.1));
    // Codes whose centres are within half a code height of the row's first
    // code share its row, so a slight tilt does not reorder a row.
    let mut rows: Vec<Vec<Found>> = Vec::new();
    for f in found {
        match rows.last_mut() {
            Some(row) if (f.center.1 - row[0].center.1).abs() <= row[0].size.max(f.size) / 2.0 => {
                row.push(f)
            }
            _ => rows.push(vec![f]),
        }
    }
    let mut texts: Vec<String> = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.center.0.total_cmp(&b.center.0));
        for f in row {
            if !texts.contains(&f.text) {
                texts.push(f.text);
            }
        }
    }
    texts
}

/// What the steps saw besides codes, for the error when none is read.
#[derive(Debug, Default)]
pub(super) struct Evidence {
    /// The first sighting, normally from the first step, which sees the
    /// picture as it is.
    sighting: Option<Sighting>,
    /// Message of the first decoder panic.
    pub(super) panic: Option<String>,
}

impl Evidence {
    fn into_error(self) -> ScanError {
        match (self.sighting, self.panic) {
            (Some(s), _) => ScanError::CodeUnreadable(if s.cut_off {
                Unreadable::CutOff
            } else if s.module_px < SMALL_MODULE_PX {
                Unreadable::TooSmall
            } else {
                Unreadable::Blurred
            }),
            (None, Some(message)) => ScanError::DecoderFailed(message),
            (None, None) => ScanError::NoCodeFound,
        }
    }
}

/// A grayscale working copy and its scale: original pixels per pixel.
pub(super) struct View<'a> {
    img: Cow<'a, GrayImage>,
    scale: f32,
}

/// The pipeline: steps in order of cost, each stopping the scan when it
/// reads a code.
pub(super) struct Scanner {
    deadline: Instant,
    pub(super) evidence: Evidence,
    /// The most finder patterns any step saw, to keep rqrr, whose
    /// grouping of patterns is cubic, away from pattern-filled pictures.
    most_patterns: usize,
    /// Stop after the first two steps (live camera frames).
    pub(super) quick: bool,
}

impl Scanner {
    pub(super) fn new(deadline: Instant) -> Scanner {
        Scanner {
            deadline,
            evidence: Evidence::default(),
            most_patterns: 0,
            quick: false,
        }
    }

    fn time_left(&self) -> bool {
        Instant::now() < self.deadline
    }

    /// Runs `f` under [`guarded`], keeping the first panic as evidence.
    fn guard<T>(&mut self, f: impl FnOnce() -> T) -> Option<T> {
        match guarded(f) {
            Ok(value) => Some(value),
            Err(message) => {
                self.evidence.panic.get_or_insert(message);
                None
            }
        }
    }

    pub(super) fn run(mut self, picture: &Picture<'_>) -> Result<Vec<String>, ScanError> {
        let (width, height) = picture.dimensions();
        let long = width.max(height);
        let large = long > DOWNSCALE_ABOVE_PX;
        let base = if large {
            let small = shrink(picture, DOWNSCALE_TO_PX);
            let scale = long as f32 / small.width().max(small.height()) as f32;
            View {
                img: Cow::Owned(small),
                scale,
            }
        } else {
            View {
                img: picture.luma(),
                scale: 1.0,
            }
        };

        // 1. The picture as it is, dark on light.
        // 2. Half size: noise, halftone and JPEG blocks averaged away.
        // A grainy picture (a dim room, a cheap sensor) goes the other way
        // round: at full size its noise breaks every run of pixels into
        // pieces, which only costs time.
        let half_img = (base.img.width().min(base.img.height()) >= 2 * MIN_SIDE_PX
            && self.time_left())
        .then(|| halve(&base.img));
        let grainy = half_img.is_some() && is_grainy(&base.img);
        let mut hybrid = None;
        let mut half = None;
        for halved in if grainy { [true, false] } else { [false, true] } {
            if !self.time_left() {
                break;
            }
            let (step, matrix, scale) = if halved {
                let Some(img) = &half_img else { continue };
                half = self.guard(|| hybrid_matrix(img)).flatten();
                ("half", &half, base.scale * 2.0)
            } else {
                hybrid = self.guard(|| hybrid_matrix(&base.img)).flatten();
                ("hybrid", &hybrid, base.scale)
            };
            if let Some(matrix) = matrix
                && let Some(found) = self.detect(step, matrix, scale)
            {
                return Ok(found);
            }
        }
        if self.quick {
            return Err(self.evidence.into_error());
        }
        // 3. Both light on dark (a dark-mode screen), which is rarer.
        for (step, matrix, scale) in [
            ("hybrid~", &hybrid, base.scale),
            ("half~", &half, base.scale * 2.0),
        ] {
            if let Some(matrix) = matrix
                && self.time_left()
                && let Some(found) = self.detect(step, &inverted(matrix), scale)
            {
                return Ok(found);
            }
        }
        // 4. Local mean threshold: no minimum contrast, follows gradients.
        if self.time_left() {
            let radius = local_radius(&base.img);
            if let Some(matrix) = self
                .guard(|| local_mean_matrix(&base.img, radius))
                .flatten()
                && let Some(found) = self.detect_both("local", matrix, base.scale)
            {
                return Ok(found);
            }
        }
        // 5. Sharpened, for codes slightly out of focus: at half size
        //    first, where the 5 × 5 mask suits modules of 2 to 4 px, then
        //    as is.
        for (step, halved, scale) in [
            ("sharp½", true, base.scale * 2.0),
            ("sharp", false, base.scale),
        ] {
            let source = if halved {
                half_img.as_ref()
            } else {
                Some(&*base.img)
            };
            let Some(source) = source.filter(|_| self.time_left()) else {
                continue;
            };
            let sharp = sharpened(source);
            if let Some(matrix) = self.guard(|| hybrid_matrix(&sharp)).flatten()
                && let Some(found) = self.detect_both(step, matrix, scale)
            {
                return Ok(found);
            }
        }
        // 6. Enlarged twice (bilinear) when small: the thresholds then fall
        //    between the original pixels, which places module edges to half
        //    a pixel, for tiny modules and blurred edges.
        if base.img.width().max(base.img.height()) <= ENLARGE_UP_TO_PX && self.time_left() {
            let large = enlarged(&base.img);
            for (step, sharpen) in [("enlarged", false), ("enlarged+sharp", true)] {
                if !self.time_left() {
                    break;
                }
                let img = if sharpen {
                    sharpened(&large)
                } else {
                    large.clone()
                };
                if let Some(matrix) = self.guard(|| hybrid_matrix(&img)).flatten()
                    && let Some(found) = self.detect_both(step, matrix, base.scale / 2.0)
                {
                    return Ok(found);
                }
            }
        }
        // 7. Full resolution of a large photo: a code small in the frame.
        if large && self.time_left() {
            let luma = picture.luma();
            if let Some(matrix) = self.guard(|| hybrid_matrix(&luma)).flatten()
                && let Some(found) = self.detect_both("full", matrix, 1.0)
            {
                return Ok(found);
            }
        }
        // 8. An independent decoder.
        if self.time_left()
            && self.most_patterns <= RQRR_MAX_PATTERNS
            && let Some(found) = self.rqrr(&base.img)
        {
            return Ok(found);
        }
        Err(self.evidence.into_error())
    }

    /// The ZXing-C++ detector on `matrix` (dark modules set). `scale`
    /// converts pixels of `matrix` to original pixels.
    ///
    /// Only the plain binarizations (the picture as it is, halved or at full
    /// size) count as evidence that a code was there: thresholding without a
    /// minimum contrast, sharpening or enlarging can shape noise into
    /// finder-like rings.
    fn detect(&mut self, step: &str, matrix: &BitMatrix, scale: f32) -> Option<Vec<String>> {
        const PLAIN_STEPS: [&str; 5] = ["hybrid", "half", "hybrid~", "half~", "full"];
        let deadline = self.deadline;
        let (found, sighting, patterns) = self.guard(|| all_codes(matrix, deadline))?;
        self.most_patterns = self.most_patterns.max(patterns);
        if self.evidence.sighting.is_none()
            && PLAIN_STEPS.contains(&step)
            && let Some(mut s) = sighting
        {
            s.module_px *= scale;
            self.evidence.sighting = Some(s);
        }
        (!found.is_empty()).then(|| reading_order(found))
    }

    /// [`Scanner::detect`] dark on light, then light on dark.
    pub(super) fn detect_both(
        &mut self,
        step: &str,
        mut matrix: BitMatrix,
        scale: f32,
    ) -> Option<Vec<String>> {
        if let Some(found) = self.detect(step, &matrix, scale) {
            return Some(found);
        }
        matrix.flip_self();
        self.detect(step, &matrix, scale)
    }

    /// rqrr, dark on light then light on dark.
    pub(super) fn rqrr(&mut self, luma: &GrayImage) -> Option<Vec<String>> {
        let (width, height) = (luma.width() as usize, luma.height() as usize);
        for inverted in [false, true] {
            if !self.time_left() {
                break;
            }
            let read = self.guard(|| {
                let raw = luma.as_raw();
                let mut prepared =
                    rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
                        let v = raw[y * width + x];
                        if inverted { 255 - v } else { v }
                    });
                let mut found = Vec::new();
                let mut unreadable = false;
                for grid in prepared.detect_grids() {
                    match grid.decode() {
                        Ok((_, text)) => found.push(Found::new(
                            text,
                            grid.bounds.iter().map(|p| (p.x as f32, p.y as f32)),
                        )),
                        Err(rqrr::DeQRError::DataEcc) => unreadable = true,
                        Err(_) => {}
                    }
                }
                (found, unreadable)
            });
            let Some((found, unreadable)) = read else {
                continue;
            };
            if unreadable && self.evidence.sighting.is_none() {
                // rqrr found a grid whose error correction failed: a code
                // at a readable size, so most likely blur or damage.
                self.evidence.sighting = Some(Sighting {
                    module_px: f32::MAX,
                    cut_off: false,
                });
            }
            if !found.is_empty() {
                return Some(reading_order(found));
            }
        }
        None
    }
}

/// rqrr runs only when no step saw more finder patterns than this: it
/// tries every pair of neighbours of every pattern and copies the whole
/// image for each, so a picture tiled with finder-like squares would take
/// minutes. A few codes and some texture stay well below.
pub(super) const RQRR_MAX_PATTERNS: usize = 40;

/// Whether the picture is grainy: the median difference between
/// horizontal neighbours (on every fourth row) is above [`GRAINY_LEVEL`]
/// gray levels. In a sharp or smooth picture most neighbours are alike,
/// whatever the content; sensor noise of σ levels makes the median about σ.
pub(super) fn is_grainy(luma: &GrayImage) -> bool {
    /// Median neighbour difference above which a picture counts as grainy.
    const GRAINY_LEVEL: usize = 12;
    let mut histogram = [0u32; 256];
    let w = luma.width() as usize;
    for row in luma.as_raw().chunks_exact(w.max(1)).step_by(4) {
        for pair in row.windows(2) {
            histogram[usize::from(pair[0].abs_diff(pair[1]))] += 1;
        }
    }
    let total: u32 = histogram.iter().sum();
    let mut seen = 0;
    for (level, &count) in histogram.iter().enumerate() {
        seen += count;
        if 2 * seen >= total {
            return level > GRAINY_LEVEL;
        }
    }
    false
}

/// Smallest side worth scanning at half size: a version 11 code with its
/// quiet zone is 69 modules, 1.5 px each at the least.
pub(super) const MIN_SIDE_PX: u32 = 100;

/// Every QR code the ZXing-C++ detector finds in `matrix`: rxing's own
/// multi-symbol reader, which its `multi_barcode_readers` feature would
/// expose, with a cap and a deadline on the candidates, and what was seen
/// when nothing decodes.
pub(super) fn all_codes(
    matrix: &BitMatrix,
    deadline: Instant,
) -> (Vec<Found>, Option<Sighting>, usize) {
    let mut patterns = finder_patterns(matrix, deadline);
    let count = patterns.len();
    let mut used = Vec::new();
    let mut found = Vec::new();
    for set in GenerateFinderPatternSets(&mut patterns)
        .into_iter()
        .take(MAX_PATTERN_SETS)
    {
        if Instant::now() > deadline {
            break;
        }
        if [set.bl, set.tl, set.tr].iter().any(|p| used.contains(p)) {
            continue;
        }
        let Ok(detected) = SampleQR(matrix, &set) else {
            continue;
        };
        // A failed decode is no evidence of a code by itself: format and
        // version information are short BCH codes that texture often passes.
        if let Ok(decoded) = Decode(detected.getBits())
            && decoded.isValid()
        {
            used.extend([set.bl, set.tl, set.tr]);
            found.push(Found::new(
                decoded.text(),
                detected.getPoints().iter().map(|p| (p.x, p.y)),
            ));
        }
    }
    // Only worth judging when nothing was read (the sets reorder the
    // patterns, which does not matter to it).
    let seen = found
        .is_empty()
        .then(|| sighting(&patterns, matrix))
        .flatten();
    (found, seen, count)
}
