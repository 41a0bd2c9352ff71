//! Finder patterns (the three large squares in a code's corners): a capped,
//! deadline-bound search, and what a pair of them tells about a code that
//! was seen but not read.

use rxing::Point;
use rxing::common::BitMatrix;
use rxing::common::cpp_essentials::{
    ConcentricPattern, FindLeftGuardBy, FixedPattern, GetPatternRowTP, IsPattern,
    LocateConcentricPattern, PatternRow, PatternView,
};
use web_time::Instant;

/// A code seen but not read: two finder patterns that could belong to one
/// code, and what they tell about the failure.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sighting {
    /// Module width in the original image's pixels.
    pub(super) module_px: f32,
    /// No placement of the code that these patterns allow fits inside the
    /// picture.
    pub(super) cut_off: bool,
}

/// At most this many finder patterns are collected per binarized image.
/// rxing's search checks each candidate against every pattern already
/// found (quadratic), and its grouping tries 105 triples per pattern: a
/// picture tiled with finder-like squares has tens of thousands of them and
/// would take seconds. Real photos show a few dozen.
pub const MAX_FINDER_PATTERNS: usize = 600;

/// The fast test of a finder's 1:1:3:1:1 proportions on five run lengths,
/// before rxing's exact one. Runs are u16 and a picture may be 65,535
/// pixels wide, so they are widened before doubling (a fuzzed JPEG 61,708
/// pixels wide overflowed here).
pub(super) fn plausible_finder_runs(runs: [u16; 5]) -> bool {
    let [a, b, c, d, e] = runs.map(u32::from);
    let (outer, inner) = (a.max(e), b.max(d));
    c >= 3 && c >= 2 * outer && c >= inner
}

/// rxing's `FindFinderPatterns` (ZXing-C++'s, "try harder": every third
/// row), with a cap on the patterns and a deadline checked per row.
///
/// Each row is cut into runs; a 1:1:3:1:1 dark-light-dark-light-dark run
/// sequence is confirmed as a concentric square (rings checked in both
/// directions) unless it lies inside a pattern found already.
pub(super) fn finder_patterns(image: &BitMatrix, deadline: Instant) -> Vec<ConcentricPattern> {
    const PATTERN: FixedPattern<5, 7, false> = FixedPattern::new([1, 1, 3, 1, 1]);
    const SKIP: u32 = 3;
    let is_finder = |view: &PatternView, space: Option<f32>| {
        plausible_finder_runs([view[0], view[1], view[2], view[3], view[4]])
            && IsPattern::<true, 5, 7, false>(view, &PATTERN, space, 0.1, 0.0, 0.0) != 0.0
    };
    let mut found: Vec<ConcentricPattern> = Vec::new();
    let mut row = PatternRow::default();
    let mut y = SKIP - 1;
    while y < image.height() && found.len() < MAX_FINDER_PATTERNS && Instant::now() < deadline {
        GetPatternRowTP(image, y, &mut row, false);
        let mut next = PatternView::new(&row);
        while let Ok(view) = FindLeftGuardBy::<5, _>(next, 5, is_finder) {
            next = view;
            if !next.isValid() {
                break;
            }
            let p = Point::new(
                f32::from(next.pixelsInFront())
                    + f32::from(next[0_usize])
                    + f32::from(next[1_usize])
                    + f32::from(next[2_usize]) / 2.0,
                y as f32 + 0.5,
            );
            // Not inside a pattern found already.
            if !found
                .iter()
                .any(|old| Point::distance(p, old.p) < old.size as f32 / 2.0)
            {
                // 3 × the run for very skewed samples.
                let range = next.iter().map(i32::from).sum::<i32>() * 3;
                if let Some(pattern) =
                    LocateConcentricPattern::<true, 5, 7>(image, &PATTERN.into(), p, range)
                {
                    found.push(pattern);
                }
            }
            next.skipPair();
            next.skipPair();
            next.extend();
        }
        y += SKIP;
    }
    found
}

/// Whether two of the finder patterns could be corners of one QR code: a
/// code that is cut off or blurred often still shows two of its three
/// finder patterns, and then "unreadable" is more helpful than "not found".
/// Tiny codes are judged by [`small_corner`].
///
/// Two patterns qualify when they have about the same size, are big enough
/// not to be texture (random noise yields patterns of a few pixels), and lie
/// about as far apart as corners of a version 1 to 40 symbol: 14 to 170
/// modules between centres, 2 to 24 pattern widths (7 modules each).
///
/// The code is judged cut off when none of the places the pair allows for
/// it (the pair as a side of the code, on either hand, or as its diagonal)
/// fits in the picture, or when a third pattern completes the corner and
/// the code it outlines does not fit.
pub(super) fn sighting(patterns: &[ConcentricPattern], matrix: &BitMatrix) -> Option<Sighting> {
    let (width, height) = (matrix.width(), matrix.height());
    const MIN_PATTERN_PX: i32 = 14;
    // Pairs are quadratic; a crafted image can hold thousands of patterns.
    const MAX_PATTERNS: usize = 200;
    let mut big: Vec<&ConcentricPattern> = patterns
        .iter()
        .filter(|p| p.size >= MIN_PATTERN_PX)
        .collect();
    big.sort_by_key(|p| std::cmp::Reverse(p.size));
    big.truncate(MAX_PATTERNS);
    let similar = |a: f32, b: f32| a.max(b) <= a.min(b) * 1.3;
    for (i, a) in big.iter().enumerate() {
        for b in &big[i + 1..] {
            let mean = (a.size + b.size) as f32 / 2.0;
            let (ax, ay, bx, by) = (a.p.x, a.p.y, b.p.x, b.p.y);
            let distance = (ax - bx).hypot(ay - by);
            let module = mean / 7.0;
            if !similar(a.size as f32, b.size as f32)
                || !(1.8 * mean..=26.0 * mean).contains(&distance)
                || !busy_between(matrix, (ax, ay), (bx, by), module)
            {
                continue;
            }
            // The code's finder centres for each placement: the corner
            // pattern, then the two others.
            let (px, py) = (-(by - ay), bx - ax);
            let placements = [
                [(ax, ay), (bx, by), (ax + px, ay + py)],
                [(ax, ay), (bx, by), (ax - px, ay - py)],
                [(bx, by), (ax, ay), (bx + px, by + py)],
                [(bx, by), (ax, ay), (bx - px, by - py)],
                [
                    ((ax + bx + px) / 2.0, (ay + by + py) / 2.0),
                    (ax, ay),
                    (bx, by),
                ],
                [
                    ((ax + bx - px) / 2.0, (ay + by - py) / 2.0),
                    (ax, ay),
                    (bx, by),
                ],
            ];
            // The placement whose missing pattern was seen, if any.
            let seen = placements.iter().find(|[corner, p, q]| {
                let missing = [*corner, *p, *q]
                    .into_iter()
                    .find(|&(x, y)| (x, y) != (ax, ay) && (x, y) != (bx, by));
                missing.is_some_and(|(mx, my)| {
                    big.iter().any(|c| {
                        similar(c.size as f32, mean) && (c.p.x - mx).hypot(c.p.y - my) < mean
                    })
                })
            });
            let fits = |placement: &[(f32, f32); 3]| fits(placement, module, width, height);
            let cut_off = match seen {
                Some(placement) => !fits(placement),
                None => !placements.iter().any(fits),
            };
            return Some(Sighting {
                module_px: module,
                cut_off,
            });
        }
    }
    small_corner(patterns, matrix)
}

/// Whether the line between two finder centres crosses code-like modules:
/// in a code it runs through data, where about every other module changes
/// colour; between two square logos on a page it crosses blank paper.
/// Counts colour changes at half-module steps, the 4 modules of each finder
/// pattern and its separator left out, and wants one change per 8 modules.
pub(super) fn busy_between(matrix: &BitMatrix, a: (f32, f32), b: (f32, f32), module: f32) -> bool {
    let length = (b.0 - a.0).hypot(b.1 - a.1);
    let inner = length - 8.0 * module;
    if inner < 2.0 * module {
        // Too close to tell (a tiny code): do not hold it against them.
        return true;
    }
    let steps = ((2.0 * inner / module).ceil() as usize).min(4096);
    let (dx, dy) = ((b.0 - a.0) / length, (b.1 - a.1) / length);
    let mut previous = None;
    let mut changes = 0;
    for i in 0..=steps {
        let t = 4.0 * module + inner * i as f32 / steps as f32;
        let (x, y) = (a.0 + dx * t, a.1 + dy * t);
        if x < 0.0 || y < 0.0 {
            continue;
        }
        let Some(dark) = matrix.try_get(x as u32, y as u32) else {
            continue;
        };
        if previous.is_some_and(|p| p != dark) {
            changes += 1;
        }
        previous = Some(dark);
    }
    changes as f32 >= inner / module / 8.0
}

/// A code with modules of one to two pixels, for [`sighting`]: patterns
/// that small are common in texture, so only a complete corner counts,
/// three patterns of one size with two at right angles and equal distances
/// from the third.
pub(super) fn small_corner(patterns: &[ConcentricPattern], matrix: &BitMatrix) -> Option<Sighting> {
    let (width, height) = (matrix.width(), matrix.height());
    const SIZES: std::ops::Range<i32> = 7..14;
    // Triples are cubic: at most 60 patterns, 34 220 triples.
    const MAX_PATTERNS: usize = 60;
    let small: Vec<&ConcentricPattern> = patterns
        .iter()
        .filter(|p| SIZES.contains(&p.size))
        .take(MAX_PATTERNS)
        .collect();
    for (i, a) in small.iter().enumerate() {
        for (j, b) in small.iter().enumerate().skip(i + 1) {
            for c in &small[j + 1..] {
                let sizes = [a.size, b.size, c.size].map(|s| s as f32);
                let (lo, hi) = sizes
                    .iter()
                    .fold((f32::MAX, 0f32), |(l, h), &s| (l.min(s), h.max(s)));
                if hi > lo * 1.3 {
                    continue;
                }
                let mean = sizes.iter().sum::<f32>() / 3.0;
                for [corner, p, q] in [[a, b, c], [b, a, c], [c, a, b]] {
                    let (u, v) = (
                        (p.p.x - corner.p.x, p.p.y - corner.p.y),
                        (q.p.x - corner.p.x, q.p.y - corner.p.y),
                    );
                    let (du, dv) = (u.0.hypot(u.1), v.0.hypot(v.1));
                    let cos = (u.0 * v.0 + u.1 * v.1) / (du * dv);
                    let module = mean / 7.0;
                    let placement = [corner, p, q].map(|f| (f.p.x, f.p.y));
                    if (2.0 * mean..=26.0 * mean).contains(&du)
                        && (du - dv).abs() <= 0.15 * du.max(dv)
                        && cos.abs() <= 0.26
                        && busy_between(matrix, placement[1], placement[2], module)
                    {
                        return Some(Sighting {
                            module_px: module,
                            cut_off: !fits(&placement, module, width, height),
                        });
                    }
                }
            }
        }
    }
    None
}

/// Whether the code whose finder centres are `placement` (the corner one
/// first) lies within the picture: the fourth corner of the finder grid,
/// then 3.5 modules beyond the centres, with a module of tolerance.
pub(super) fn fits([corner, p, q]: &[(f32, f32); 3], module: f32, width: u32, height: u32) -> bool {
    let fourth = (p.0 + q.0 - corner.0, p.1 + q.1 - corner.1);
    let xs = [corner.0, p.0, q.0, fourth.0];
    let ys = [corner.1, p.1, q.1, fourth.1];
    let margin = 3.5 * module;
    let lowest = |vs: [f32; 4]| vs.iter().fold(f32::MAX, |m, &v| m.min(v));
    let highest = |vs: [f32; 4]| vs.iter().fold(f32::MIN, |m, &v| m.max(v));
    lowest(xs) - margin >= -module
        && lowest(ys) - margin >= -module
        && highest(xs) + margin <= width as f32 + module
        && highest(ys) + margin <= height as f32 + module
}
