//! The photo corpus: real attestation codes, drawn as a camera or scanner
//! would see them under fourteen kinds of distortion.
//!
//! Every image is a pure function of its kind, its index and the code's
//! text, so the corpus is the same on every machine. Each recipe states its
//! parameter ranges; index `i` of 10 spreads them evenly (`spread`) with a
//! seeded jitter, so the ten images of a kind cover the whole range.
//!
//! Shared with `crates/attesta-qr/tests/photos.rs` through `#[path]`,
//! together with `distort.rs`, which must be declared next to this module
//! as `mod distort;`.

#![allow(dead_code)]

use attesta_core::cf::CodiceFiscale;
use attesta_core::claims::StatusRef;
use attesta_core::credential::{Cti, FirstLevelRequest, issue_first_level_with_cti};
use attesta_core::envelope::KdfParams;
use attesta_core::keys::SigningKey;
use attesta_core::model::{Attestation, HandicapGrade, InvalidityAssessment};
use attesta_qr::render::{EcLevel, QrSymbol};
use image::{GrayImage, Luma};

use crate::distort::{self, Homography, Rng, ValueNoise};

/// The distortion kinds, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Clean,
    Rotation,
    Blur,
    Noise,
    SmallModules,
    Perspective,
    Jpeg,
    LowContrast,
    Inverted,
    Cluttered,
    Phone,
    Frame12Mp,
    Printed,
    Occluded,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Clean,
        Kind::Rotation,
        Kind::Blur,
        Kind::Noise,
        Kind::SmallModules,
        Kind::Perspective,
        Kind::Jpeg,
        Kind::LowContrast,
        Kind::Inverted,
        Kind::Cluttered,
        Kind::Phone,
        Kind::Frame12Mp,
        Kind::Printed,
        Kind::Occluded,
    ];

    /// Short name, used in file names and the report.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Clean => "clean",
            Kind::Rotation => "rotation",
            Kind::Blur => "blur",
            Kind::Noise => "noise",
            Kind::SmallModules => "small",
            Kind::Perspective => "perspective",
            Kind::Jpeg => "jpeg",
            Kind::LowContrast => "lowcontrast",
            Kind::Inverted => "inverted",
            Kind::Cluttered => "cluttered",
            Kind::Phone => "phone",
            Kind::Frame12Mp => "12mp",
            Kind::Printed => "printed",
            Kind::Occluded => "occluded",
        }
    }

    fn number(self) -> u64 {
        Kind::ALL.iter().position(|&k| k == self).unwrap_or(0) as u64
    }
}

/// One generated picture: the encoded file and its extension.
pub struct Sample {
    pub bytes: Vec<u8>,
    pub ext: &'static str,
}

/// How big the frames are. The corpus uses [`Size::Full`]; the tests,
/// which run unoptimised, [`Size::Test`], which keeps every distortion
/// but draws the large frames smaller (the 12 MP kind then has a
/// 2200 × 1650 frame, still above the scanner's downscaling threshold,
/// the phone and cluttered ones 1000 × 750, the printed one 800 × 600).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    Full,
    Test,
}

/// A real first-level attestation code, different for every `seed`:
/// issued by a fixed test key with the insecure test KDF (the payload's
/// size and alphabet are what matter here, not its secrecy).
pub fn payload(seed: u64) -> String {
    let mut rng = Rng::new(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0xa77e57a);
    let key = SigningKey::from_seed(&[7; 32]);
    let cf = CodiceFiscale::parse("RSSMRA85T10A562S").expect("valid test CF");
    let invalidity = [
        InvalidityAssessment::From33,
        InvalidityAssessment::From46,
        InvalidityAssessment::From67,
        InvalidityAssessment::From74,
        InvalidityAssessment::Total,
    ][rng.int(0, 5) as usize];
    let mut builder = Attestation::builder()
        .invalidity(invalidity)
        .reduced_walking(rng.unit() < 0.5);
    if rng.unit() < 0.6 {
        builder = builder.handicap(if rng.unit() < 0.5 {
            HandicapGrade::Comma1
        } else {
            HandicapGrade::Comma3Grave
        });
    }
    let issued_at = jiff::Timestamp::from_second(1_780_000_000 + i64::from(rng.int(0, 20_000_000)))
        .expect("in range");
    let req = FirstLevelRequest {
        attestation: builder.build().expect("consistent attestation"),
        issued_at,
        not_before: None,
        expires_at: issued_at + jiff::SignedDuration::from_hours(24 * 365 * 3),
        status: Some(StatusRef {
            idx: u64::from(rng.int(0, 5_000_000)),
            uri: "1".into(),
        }),
        issuer: None,
        kdf: KdfParams::INSECURE_TEST,
    };
    let cti = Cti::from_bytes(rng.next_u64().to_be_bytes());
    issue_first_level_with_cti(&key, &cf, &req, cti)
        .expect("issuing a test code")
        .text()
        .to_owned()
}

/// The corpus payload of image `index` of `kind`.
pub fn payload_for(kind: Kind, index: u32) -> String {
    payload(kind.number() * 1000 + u64::from(index))
}

/// The code drawn crisply at `px` pixels per module with `margin` light
/// modules around it (4 is the standard quiet zone): 0 for dark, 255 for
/// light.
pub fn code_image(symbol: &QrSymbol, px: u32, margin: u32) -> GrayImage {
    let w = symbol.width() as u32;
    let side = (w + 2 * margin) * px;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / px, y / px);
        let dark = mx >= margin
            && my >= margin
            && symbol.is_dark((mx - margin) as usize, (my - margin) as usize);
        Luma([if dark { 0 } else { 255 }])
    })
}

/// Evenly spread in [lo, hi] over the 10 indices, with a jitter of a
/// fraction of a step.
fn spread(index: u32, lo: f64, hi: f64, rng: &mut Rng) -> f64 {
    let t = (f64::from(index % 10) + rng.range(0.15, 0.85)) / 10.0;
    lo + (hi - lo) * t
}

/// Maps source values (0 dark, 255 light) to `ink` and `paper` levels.
fn levels(ink: f64, paper: f64) -> impl Fn(f64) -> f64 {
    move |v| ink + (paper - ink) * v / 255.0
}

/// Draws the code (with `margin` modules of paper) centred at `center`
/// with `module_px` pixels per module along its top edge, and returns the
/// transform from module coordinates (0..width of the symbol, without
/// margin) to frame pixels.
#[allow(clippy::too_many_arguments)]
fn draw_code(
    frame: &mut GrayImage,
    symbol: &QrSymbol,
    margin: u32,
    center: (f64, f64),
    module_px: f64,
    angle: f64,
    tilt: (f64, f64),
    ss: u32,
    ink: f64,
    paper: f64,
) -> Homography {
    const SRC_PX: u32 = 8;
    let src = code_image(symbol, SRC_PX, margin);
    draw_source(
        frame,
        &src,
        SRC_PX,
        margin,
        center,
        module_px,
        angle,
        tilt,
        ss,
        levels(ink, paper),
    )
}

/// [`draw_code`] for an already drawn source at `src_px` per module.
#[allow(clippy::too_many_arguments)]
fn draw_source(
    frame: &mut GrayImage,
    src: &GrayImage,
    src_px: u32,
    margin: u32,
    center: (f64, f64),
    module_px: f64,
    angle: f64,
    tilt: (f64, f64),
    ss: u32,
    levels: impl Fn(f64) -> f64,
) -> Homography {
    let side = f64::from(src.width());
    let h = distort::placement(
        side,
        side,
        center,
        side / f64::from(src_px) * module_px,
        angle,
        tilt.0,
        tilt.1,
    );
    distort::warp_into(frame, src, &h, ss, levels);
    // Module (mx, my) of the symbol is at source pixel (mx + margin) * src_px.
    let m = f64::from(margin * src_px);
    let p = f64::from(src_px);
    let scale = Homography([p, 0.0, m, 0.0, p, m, 0.0, 0.0, 1.0]);
    compose(&h, &scale)
}

/// `a ∘ b` (apply `b` first).
fn compose(a: &Homography, b: &Homography) -> Homography {
    let (a, b) = (&a.0, &b.0);
    let mut out = [0.0; 9];
    for r in 0..3 {
        for c in 0..3 {
            out[r * 3 + c] = (0..3).map(|k| a[r * 3 + k] * b[k * 3 + c]).sum();
        }
    }
    Homography(out)
}

/// Supersampling factor for drawing at `module_px` from an 8 px source.
fn ss_for(module_px: f64) -> u32 {
    ((8.0 / module_px).ceil() as u32).clamp(2, 6)
}

/// A textured surface (a desk, a table): value noise around `base`.
fn surface(w: u32, h: u32, base: f64, amp: f64, rng: &mut Rng) -> GrayImage {
    // Drawn at a quarter of the size and scaled up: it is smooth anyway,
    // and 12 MP frames would otherwise take seconds.
    let (sw, sh) = (w.div_ceil(4).max(1), h.div_ceil(4).max(1));
    let noise = ValueNoise::new(rng.range(20.0, 60.0), 4, rng);
    let small = GrayImage::from_fn(sw, sh, |x, y| {
        Luma([distort::to_u8(
            base + amp * noise.at(f64::from(x), f64::from(y)),
        )])
    });
    image::imageops::resize(&small, w, h, image::imageops::FilterType::Triangle)
}

/// Random clutter of a desk or a page: boxes, blobs, lines, lines of
/// "text", checkerboards and a few square logos.
fn clutter(img: &mut GrayImage, count: u32, keep_out: [f64; 4], rng: &mut Rng) {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let outside = |x: f64, y: f64, r: f64| {
        x + r < keep_out[0] || x - r > keep_out[2] || y + r < keep_out[1] || y - r > keep_out[3]
    };
    let mut placed = 0;
    let mut tries = 0;
    while placed < count && tries < count * 20 {
        tries += 1;
        let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
        let size = rng.range(20.0, 260.0);
        if !outside(x, y, size) {
            continue;
        }
        placed += 1;
        let v = rng.range(0.0, 255.0);
        match rng.int(0, 6) {
            0 => distort::fill_rect(
                img,
                [
                    x as i64,
                    y as i64,
                    (x + size) as i64,
                    (y + size * rng.range(0.3, 1.5)) as i64,
                ],
                v as u8,
            ),
            1 => distort::fill_ellipse(
                img,
                (x, y),
                (size / 2.0, size * rng.range(0.2, 0.6)),
                rng.range(0.0, std::f64::consts::PI),
                |_, _| v,
            ),
            2 => {
                let a = rng.range(0.0, std::f64::consts::TAU);
                distort::draw_line(
                    img,
                    (x, y),
                    (x + size * 2.0 * a.cos(), y + size * 2.0 * a.sin()),
                    rng.range(1.0, 6.0),
                    v,
                )
            }
            3 => {
                // Lines of text: words of glyph-sized dark boxes.
                let glyph = rng.range(5.0, 14.0);
                let ink = rng.range(0.0, 80.0) as u8;
                for line in 0..rng.int(3, 10) {
                    let mut cx = x;
                    let cy = y + f64::from(line) * glyph * 1.8;
                    while cx < x + size * 2.0 {
                        let word = rng.int(2, 9);
                        for _ in 0..word {
                            let gw = glyph * rng.range(0.4, 0.8);
                            let gh = glyph * rng.range(0.6, 1.0);
                            distort::fill_rect(
                                img,
                                [
                                    cx as i64,
                                    (cy + glyph - gh) as i64,
                                    (cx + gw) as i64,
                                    (cy + glyph) as i64,
                                ],
                                ink,
                            );
                            cx += gw + glyph * 0.25;
                        }
                        cx += glyph * 0.8;
                    }
                }
            }
            4 => {
                // Checkerboard (fabric, tiles).
                let cell = rng.range(4.0, 20.0);
                let (a, b) = (v as u8, rng.range(0.0, 255.0) as u8);
                let n = (size / cell) as i64;
                for j in 0..n {
                    for i in 0..n {
                        let c = if (i + j) % 2 == 0 { a } else { b };
                        let (px, py) = (x as i64 + i * cell as i64, y as i64 + j * cell as i64);
                        distort::fill_rect(img, [px, py, px + cell as i64, py + cell as i64], c);
                    }
                }
            }
            _ => {
                // A square logo with a nested square: finder-like.
                let s = size / 3.0;
                let (x, y) = (x as i64, y as i64);
                let s = s as i64;
                distort::fill_rect(img, [x, y, x + s, y + s], 20);
                distort::fill_rect(
                    img,
                    [x + s / 7, y + s / 7, x + s - s / 7, y + s - s / 7],
                    235,
                );
                distort::fill_rect(
                    img,
                    [
                        x + 2 * s / 7,
                        y + 2 * s / 7,
                        x + s - 2 * s / 7,
                        y + s - 2 * s / 7,
                    ],
                    20,
                );
            }
        }
    }
}

/// The box around the symbol (module coordinates 0..width) in the frame,
/// grown by `grow` modules.
fn symbol_box(to_frame: &Homography, width: usize, grow: f64) -> [f64; 4] {
    let w = width as f64;
    let pts = [
        (-grow, -grow),
        (w + grow, -grow),
        (w + grow, w + grow),
        (-grow, w + grow),
    ]
    .map(|(x, y)| to_frame.apply(x, y));
    [
        pts.iter().map(|p| p.0).fold(f64::MAX, f64::min),
        pts.iter().map(|p| p.1).fold(f64::MAX, f64::min),
        pts.iter().map(|p| p.0).fold(f64::MIN, f64::max),
        pts.iter().map(|p| p.1).fold(f64::MIN, f64::max),
    ]
}

fn clamp_box(b: [f64; 4], img: &GrayImage) -> [u32; 4] {
    let cx = |v: f64| v.clamp(0.0, f64::from(img.width())) as u32;
    let cy = |v: f64| v.clamp(0.0, f64::from(img.height())) as u32;
    [cx(b[0]), cy(b[1]), cx(b[2]), cy(b[3])]
}

/// Generates image `index` (0–9) of `kind` for the code `text`.
pub fn make(kind: Kind, index: u32, text: &str, size: Size) -> Sample {
    let symbol = QrSymbol::encode(text, EcLevel::Q).expect("payload fits a QR code");
    let n = symbol.width();
    let mut rng = Rng::new(kind.number() * 7919 + u64::from(index) * 104_729 + 1);
    let png = |img: &GrayImage| Sample {
        bytes: distort::png_gray(img),
        ext: "png",
    };
    match kind {
        Kind::Clean => {
            // Straight renders, 3–8 px per module, white margins of 0–40 px
            // beyond the quiet zone.
            let px = 3 + index % 6;
            let code = code_image(&symbol, px, 4);
            let pad = rng.int(0, 40);
            let side = code.width() + 2 * pad;
            let mut frame = GrayImage::from_pixel(side, side, Luma([255]));
            image::imageops::replace(&mut frame, &code, i64::from(pad), i64::from(pad));
            png(&frame)
        }
        Kind::Rotation => {
            // 0–45°, 4–6 px per module, on a near-white page.
            let angle = spread(index, 0.0, 45.0, &mut rng).to_radians();
            let mp = rng.range(4.0, 6.0);
            let side = ((n + 16) as f64 * mp * 1.45) as u32;
            let paper = rng.range(225.0, 250.0);
            let mut frame = GrayImage::from_pixel(side, side, Luma([paper as u8]));
            let c = f64::from(side) / 2.0;
            draw_code(
                &mut frame,
                &symbol,
                4,
                (c, c),
                mp,
                angle,
                (0.0, 0.0),
                3,
                20.0,
                paper,
            );
            distort::add_noise(&mut frame, 2.0, &mut rng);
            png(&frame)
        }
        Kind::Blur => {
            // Out of focus: Gaussian σ of 0.3–0.6 module, 5–7 px modules.
            let mp = rng.range(5.0, 7.0);
            let sigma = spread(index, 0.3, 0.6, &mut rng) * mp;
            let angle = rng.range(0.0, 10.0).to_radians();
            let side = ((n + 14) as f64 * mp * 1.2) as u32;
            let mut frame = GrayImage::from_pixel(side, side, Luma([240]));
            let c = f64::from(side) / 2.0;
            draw_code(
                &mut frame,
                &symbol,
                4,
                (c, c),
                mp,
                angle,
                (0.0, 0.0),
                3,
                25.0,
                240.0,
            );
            let mut frame = distort::gaussian_blur(&frame, sigma);
            distort::add_noise(&mut frame, 2.0, &mut rng);
            png(&frame)
        }
        Kind::Noise => {
            // Sensor noise: Gaussian σ 25–55 levels, 4–6 px modules, plus
            // 0–2 % salt and pepper.
            let mp = rng.range(4.0, 6.0);
            let sigma = spread(index, 25.0, 55.0, &mut rng);
            let angle = rng.range(0.0, 15.0).to_radians();
            let side = ((n + 14) as f64 * mp * 1.25) as u32;
            let mut frame = GrayImage::from_pixel(side, side, Luma([225]));
            let c = f64::from(side) / 2.0;
            draw_code(
                &mut frame,
                &symbol,
                4,
                (c, c),
                mp,
                angle,
                (0.0, 0.0),
                3,
                35.0,
                225.0,
            );
            distort::add_noise(&mut frame, sigma, &mut rng);
            let salt = rng.range(0.0, 0.02);
            for v in frame.iter_mut() {
                if rng.unit() < salt {
                    *v = if rng.unit() < 0.5 { 0 } else { 255 };
                }
            }
            png(&frame)
        }
        Kind::SmallModules => {
            // 1.4–3 px per module, area-sampled as a sensor does, slight
            // optical blur and noise, up to 4° off axis.
            let mp = spread(index, 1.4, 3.0, &mut rng);
            let angle = if index.is_multiple_of(2) {
                0.0
            } else {
                rng.range(1.0, 4.0).to_radians()
            };
            let side = ((n + 8) as f64 * mp * 1.3 + 20.0) as u32;
            let mut frame = GrayImage::from_pixel(side, side, Luma([245]));
            let c = f64::from(side) / 2.0 + rng.range(-0.5, 0.5);
            draw_code(
                &mut frame,
                &symbol,
                4,
                (c, c),
                mp,
                angle,
                (0.0, 0.0),
                6,
                15.0,
                245.0,
            );
            let mut frame = distort::gaussian_blur(&frame, 0.35);
            distort::add_noise(&mut frame, 2.0, &mut rng);
            png(&frame)
        }
        Kind::Perspective => {
            // The far edge 5–30 % shorter than the near one, sideways or
            // up/down, with up to 15 % on the other axis and ±10° roll.
            let main = spread(index, 0.05, 0.30, &mut rng) * rng.sign();
            let other = rng.range(0.0, 0.15) * rng.sign();
            let tilt = if index.is_multiple_of(2) {
                (main, other)
            } else {
                (other, main)
            };
            let mp = rng.range(5.0, 7.0);
            let angle = rng.range(-10.0, 10.0).to_radians();
            let side = ((n + 12) as f64 * mp * 1.3) as u32;
            let mut frame = GrayImage::from_pixel(side, side, Luma([200]));
            let c = f64::from(side) / 2.0;
            draw_code(
                &mut frame,
                &symbol,
                6,
                (c, c),
                mp,
                angle,
                tilt,
                3,
                25.0,
                235.0,
            );
            let mut frame = distort::gaussian_blur(&frame, 0.5);
            distort::add_noise(&mut frame, 2.5, &mut rng);
            png(&frame)
        }
        Kind::Jpeg => {
            // JPEG quality 20–40 (colour, 4:2:0), 3–6 px modules.
            let quality = spread(index, 20.0, 40.99, &mut rng) as u8;
            let mp = rng.range(3.0, 6.0);
            let angle = rng.range(0.0, 10.0).to_radians();
            let side = ((n + 12) as f64 * mp * 1.2) as u32;
            let mut frame = GrayImage::from_pixel(side, side, Luma([235]));
            let c = f64::from(side) / 2.0;
            draw_code(
                &mut frame,
                &symbol,
                4,
                (c, c),
                mp,
                angle,
                (0.0, 0.0),
                3,
                30.0,
                235.0,
            );
            let frame = distort::gaussian_blur(&frame, 0.4);
            let rgb = distort::colorize(&frame, [1.0, 0.98, 0.95], 1.5, &mut rng);
            Sample {
                bytes: distort::jpeg_rgb(&rgb, quality),
                ext: "jpg",
            }
        }
        Kind::LowContrast => {
            // 18–45 gray levels between ink and paper, dim or washed out.
            let contrast = spread(index, 18.0, 45.0, &mut rng);
            let ink = rng.range(70.0, 170.0);
            let paper = ink + contrast;
            let mp = rng.range(4.0, 6.0);
            let angle = rng.range(0.0, 8.0).to_radians();
            let side = ((n + 12) as f64 * mp * 1.25) as u32;
            let mut frame = GrayImage::from_pixel(side, side, Luma([paper as u8]));
            let c = f64::from(side) / 2.0;
            draw_code(
                &mut frame,
                &symbol,
                4,
                (c, c),
                mp,
                angle,
                (0.0, 0.0),
                3,
                ink,
                paper,
            );
            let mut frame = distort::gaussian_blur(&frame, 0.4);
            distort::add_noise(&mut frame, 1.5, &mut rng);
            png(&frame)
        }
        Kind::Inverted => {
            // Light modules on a dark screen (dark mode), 4–7 px, up to 20°.
            let mp = rng.range(4.0, 7.0);
            let angle = rng.range(0.0, 20.0).to_radians();
            let side = ((n + 12) as f64 * mp * 1.35) as u32;
            let (dark, light) = (rng.range(10.0, 45.0), rng.range(200.0, 250.0));
            let mut frame = GrayImage::from_pixel(side, side, Luma([dark as u8]));
            let c = f64::from(side) / 2.0;
            draw_code(
                &mut frame,
                &symbol,
                4,
                (c, c),
                mp,
                angle,
                (0.0, 0.0),
                3,
                light,
                dark,
            );
            let mut frame = distort::gaussian_blur(&frame, 0.5);
            distort::add_noise(&mut frame, 3.0, &mut rng);
            if index.is_multiple_of(2) {
                png(&frame)
            } else {
                Sample {
                    bytes: distort::jpeg_gray(&frame, 80),
                    ext: "jpg",
                }
            }
        }
        Kind::Cluttered => {
            // A 3 MP desk full of objects, text and finder-like logos; the
            // code on a paper label covers 15–30 % of the frame's width.
            let (w, h) = match size {
                Size::Full => (2000, 1500),
                Size::Test => (1000, 750),
            };
            let mut frame = surface(w, h, rng.range(90.0, 170.0), 40.0, &mut rng);
            let side = spread(index, 0.15, 0.30, &mut rng) * f64::from(w);
            let mp = side / (n + 8) as f64;
            let center = (
                rng.range(side, f64::from(w) - side),
                rng.range(side * 0.8, f64::from(h) - side * 0.8),
            );
            let keep = [
                center.0 - side * 0.8,
                center.1 - side * 0.8,
                center.0 + side * 0.8,
                center.1 + side * 0.8,
            ];
            clutter(&mut frame, 140, keep, &mut rng);
            let angle = rng.range(-30.0, 30.0).to_radians();
            let tilt = (rng.range(-0.1, 0.1), rng.range(-0.1, 0.1));
            let to_frame = draw_code(
                &mut frame,
                &symbol,
                5,
                center,
                mp,
                angle,
                tilt,
                ss_for(mp),
                25.0,
                235.0,
            );
            let region = clamp_box(symbol_box(&to_frame, n, 8.0), &frame);
            distort::gaussian_blur_region(&mut frame, 0.6, region);
            let light = distort::lighting_field(w, h, 0.8, 1.05, 0.15, &mut rng);
            distort::light(&mut frame, |x, y, v| v * light(x, y));
            let rgb = distort::colorize(&frame, [1.0, 0.97, 0.92], 3.0, &mut rng);
            Sample {
                bytes: distort::jpeg_rgb(&rgb, 85),
                ext: "jpg",
            }
        }
        Kind::Phone => photo(
            Subject::Symbol(&symbol),
            match size {
                Size::Full => (1600, 1200),
                Size::Test => (1000, 750),
            },
            index,
            &mut rng,
            PhotoStyle::Phone,
        ),
        Kind::Frame12Mp => {
            let frame = match size {
                Size::Full => (4000, 3000),
                Size::Test => (2200, 1650),
            };
            photo(
                Subject::Symbol(&symbol),
                frame,
                index,
                &mut rng,
                PhotoStyle::TwelveMp,
            )
        }
        Kind::Printed => printed(
            &symbol,
            index,
            &mut rng,
            match size {
                Size::Full => (1280, 960),
                Size::Test => (800, 600),
            },
        ),
        Kind::Occluded => occluded(&symbol, index, &mut rng),
    }
}

enum PhotoStyle {
    Phone,
    TwelveMp,
}

/// A sheet of paper on a table, photographed by hand: perspective, roll,
/// uneven light with vignetting, slight defocus, sensor noise, colour cast,
/// JPEG.
/// What [`photo`] photographs.
pub enum Subject<'a> {
    /// A symbol, drawn crisply.
    Symbol(&'a QrSymbol),
    /// An existing picture of a code (a rendered PNG), black on white:
    /// `module_px` pixels per module, `quiet` light modules around it.
    Picture {
        img: &'a GrayImage,
        module_px: u32,
        quiet: u32,
    },
}

/// A 12-megapixel photo (4000 × 3000, [`Kind::Frame12Mp`]'s recipe) of an
/// existing rendering of a code, e.g. `attesta demo`'s `attestazione.png`
/// (8 px per module, 4 modules of quiet zone).
pub fn rephotograph(img: &GrayImage, module_px: u32, quiet: u32, seed: u32) -> Sample {
    let mut rng = Rng::new(u64::from(seed) * 6151 + 17);
    photo(
        Subject::Picture {
            img,
            module_px,
            quiet,
        },
        (4000, 3000),
        seed % 10,
        &mut rng,
        PhotoStyle::TwelveMp,
    )
}

fn photo(
    subject: Subject<'_>,
    (w, h): (u32, u32),
    index: u32,
    rng: &mut Rng,
    style: PhotoStyle,
) -> Sample {
    let n = match &subject {
        Subject::Symbol(symbol) => symbol.width(),
        Subject::Picture {
            img,
            module_px,
            quiet,
        } => (img.width() / module_px - 2 * quiet) as usize,
    };
    let (cover, tilt_max, angle_max, blur, noise, quality) = match style {
        // Code 30–55 % of the frame height, ≤ 15 % perspective, ±20°.
        PhotoStyle::Phone => (
            spread(index, 0.30, 0.55, rng),
            0.15,
            20.0,
            rng.range(0.8, 1.5),
            rng.range(3.0, 7.0),
            rng.int(80, 91) as u8,
        ),
        // Code 14–32 % of the frame height (6–14 px modules), ≤ 12 %
        // perspective, ±25°, defocus scaled to the resolution.
        PhotoStyle::TwelveMp => (
            spread(index, 0.14, 0.32, rng),
            0.12,
            25.0,
            rng.range(1.0, 2.5),
            rng.range(3.0, 6.0),
            rng.int(85, 93) as u8,
        ),
    };
    let side = cover * f64::from(h);
    let mp = side / (n + 8) as f64;
    let mut frame = surface(w, h, rng.range(50.0, 130.0), 35.0, rng);
    let center = (
        f64::from(w) / 2.0 + rng.range(-0.15, 0.15) * f64::from(w),
        f64::from(h) / 2.0 + rng.range(-0.1, 0.1) * f64::from(h),
    );
    let angle = rng.range(-angle_max, angle_max).to_radians();
    let tilt = (
        rng.range(-tilt_max, tilt_max),
        rng.range(-tilt_max, tilt_max),
    );
    let margin = rng.int(7, 14);
    let (src, src_px) = match subject {
        Subject::Symbol(symbol) => (code_image(symbol, 8, margin), 8),
        Subject::Picture {
            img,
            module_px,
            quiet,
        } => {
            // The picture on a sheet with `margin` modules of paper.
            let pad = (margin.saturating_sub(quiet)) * module_px;
            let mut sheet =
                GrayImage::from_pixel(img.width() + 2 * pad, img.height() + 2 * pad, Luma([255]));
            image::imageops::replace(&mut sheet, img, i64::from(pad), i64::from(pad));
            (sheet, module_px)
        }
    };
    let ss = ((f64::from(src_px) / mp).ceil() as u32).clamp(2, 6);
    let to_frame = draw_source(
        &mut frame,
        &src,
        src_px,
        margin,
        center,
        mp,
        angle,
        tilt,
        ss,
        levels(30.0, 230.0),
    );
    let region = clamp_box(symbol_box(&to_frame, n, f64::from(margin) + 2.0), &frame);
    distort::gaussian_blur_region(&mut frame, blur, region);
    let lo = rng.range(0.5, 0.8);
    let light = distort::lighting_field(w, h, lo, rng.range(1.0, 1.1), rng.range(0.2, 0.4), rng);
    distort::light(&mut frame, |x, y, v| v * light(x, y));
    let tint = if rng.unit() < 0.5 {
        [1.0, 0.94, 0.82]
    } else {
        [0.9, 0.96, 1.0]
    };
    let rgb = distort::colorize(&frame, tint, noise, rng);
    Sample {
        bytes: distort::jpeg_rgb(&rgb, quality),
        ext: "jpg",
    }
}

/// A printout photographed: textured paper with fibres, toner laid down as
/// a 45° halftone screen whose period the camera nearly resolves (moiré
/// beats), point-sampled, slight defocus, uneven light, JPEG.
fn printed(symbol: &QrSymbol, index: u32, rng: &mut Rng, (w, h): (u32, u32)) -> Sample {
    const SRC_PX: u32 = 12;
    let n = symbol.width();
    let margin = 6;
    let code = code_image(symbol, SRC_PX, margin);
    let texture = ValueNoise::new(rng.range(30.0, 70.0), 5, rng);
    let grain = ValueNoise::new(2.0, 1, rng);
    let period = rng.range(2.6, 3.4);
    let coverage = rng.range(0.75, 0.92);
    let (sin, cos) = std::f64::consts::FRAC_PI_4.sin_cos();
    let paper_base = rng.range(225.0, 245.0);
    let ink_level = rng.range(25.0, 60.0);
    let mut sheet = GrayImage::from_fn(code.width(), code.height(), |x, y| {
        let (fx, fy) = (f64::from(x), f64::from(y));
        let paper = paper_base + 7.0 * texture.at(fx, fy) + 5.0 * grain.at(fx, fy);
        if code.get_pixel(x, y).0[0] < 128 {
            let (u, v) = (
                (fx * cos + fy * sin) / period,
                (-fx * sin + fy * cos) / period,
            );
            let spot =
                0.5 - ((std::f64::consts::TAU * u).cos() + (std::f64::consts::TAU * v).cos()) / 4.0;
            Luma([distort::to_u8(if spot < coverage {
                ink_level
            } else {
                paper
            })])
        } else {
            Luma([distort::to_u8(paper)])
        }
    });
    // Paper fibres.
    for _ in 0..(code.width() / 3) {
        let (x, y) = (
            rng.range(0.0, f64::from(code.width())),
            rng.range(0.0, f64::from(code.height())),
        );
        let a = rng.range(0.0, std::f64::consts::TAU);
        let len = rng.range(5.0, 30.0);
        distort::draw_line(
            &mut sheet,
            (x, y),
            (x + len * a.cos(), y + len * a.sin()),
            1.0,
            paper_base - 18.0,
        );
    }
    // The camera resolves 4–6 px per module, so the screen period lands
    // near one pixel: aliasing, not averaging (one sample per pixel).
    let mp = spread(index, 4.0, 6.0, rng);
    let mut frame = surface(w, h, rng.range(60.0, 120.0), 30.0, rng);
    let center = (
        f64::from(w) / 2.0 + rng.range(-100.0, 100.0),
        f64::from(h) / 2.0 + rng.range(-60.0, 60.0),
    );
    let angle = rng.range(-15.0, 15.0).to_radians();
    let tilt = (rng.range(-0.1, 0.1), rng.range(-0.1, 0.1));
    let to_frame = draw_source(
        &mut frame,
        &sheet,
        SRC_PX,
        margin,
        center,
        mp,
        angle,
        tilt,
        1,
        |v| v,
    );
    let region = clamp_box(symbol_box(&to_frame, n, f64::from(margin) + 2.0), &frame);
    distort::gaussian_blur_region(&mut frame, rng.range(0.4, 0.7), region);
    let light = distort::lighting_field(w, h, rng.range(0.7, 0.9), 1.05, 0.2, rng);
    distort::light(&mut frame, |x, y, v| v * light(x, y));
    let rgb = distort::colorize(&frame, [1.0, 0.97, 0.9], 3.0, rng);
    Sample {
        bytes: distort::jpeg_rgb(&rgb, 85),
        ext: "jpg",
    }
}

/// A code partly covered (a thumb, a sticker, a stain: 4–8 % of the
/// symbol, away from the finder patterns) or folded (a crease across it
/// that shifts one half by a fraction of a module and shades it), within
/// what level Q error correction recovers.
fn occluded(symbol: &QrSymbol, index: u32, rng: &mut Rng) -> Sample {
    let n = symbol.width();
    let mp = rng.range(5.0, 7.0);
    let side = ((n + 14) as f64 * mp * 1.25) as u32;
    let mut frame = GrayImage::from_pixel(side, side, Luma([225]));
    let c = f64::from(side) / 2.0;
    let angle = rng.range(-12.0, 12.0).to_radians();
    let symbol_px = n as f64 * mp;
    let to_frame = if index.is_multiple_of(2) {
        let to_frame = draw_code(
            &mut frame,
            symbol,
            4,
            (c, c),
            mp,
            angle,
            (0.0, 0.0),
            3,
            25.0,
            235.0,
        );
        // One occluder in the data area, between the finder patterns.
        let area = spread(index, 0.04, 0.08, rng) * symbol_px * symbol_px;
        let aspect = rng.range(1.3, 2.2);
        let ry = (area / std::f64::consts::PI / aspect).sqrt();
        let rx = ry * aspect;
        let lo = 12.0 + rx / mp;
        let hi = n as f64 - 12.0 - rx / mp;
        let (mx, my) = (
            rng.range(lo, hi.max(lo + 1.0)),
            rng.range(lo, hi.max(lo + 1.0)),
        );
        let at = to_frame.apply(mx, my);
        let base = rng.range(110.0, 190.0);
        let style = index / 2 % 3;
        distort::fill_ellipse(
            &mut frame,
            at,
            (rx, ry),
            rng.range(0.0, std::f64::consts::PI),
            |u, v| match style {
                // A thumb: shaded towards its edge.
                0 => base * (1.0 - 0.35 * (u * u + v * v)),
                // A sticker: flat.
                1 => base,
                // A coffee stain: translucent ring, darker at the rim.
                _ => 200.0 - 60.0 * (u * u + v * v),
            },
        );
        to_frame
    } else {
        // A fold through the middle: one half drawn through a transform
        // turned 0.3–0.8° about a point of the crease, and shaded.
        let src = code_image(symbol, 8, 4);
        let full = f64::from(src.width());
        let h = distort::placement(full, full, (c, c), full / 8.0 * mp, angle, 0.0, 0.0);
        let fold_angle = rng.range(0.0, std::f64::consts::PI);
        let (fs, fc) = fold_angle.sin_cos();
        let offset = rng.range(-0.1, 0.1) * symbol_px;
        let turn = spread(index, 0.3, 0.8, rng).to_radians() * rng.sign();
        let pivot = (c + offset * fc, c + offset * fs);
        let (ts, tc) = turn.sin_cos();
        let rotate_back = |x: f64, y: f64| {
            let (dx, dy) = (x - pivot.0, y - pivot.1);
            (pivot.0 + dx * tc + dy * ts, pivot.1 - dx * ts + dy * tc)
        };
        let side_of = |x: f64, y: f64| (x - pivot.0) * -fs + (y - pivot.1) * fc;
        let inv = h.inverse();
        let shade = rng.range(0.72, 0.9);
        let area = distort::bounding_box(&src, &h, &frame);
        distort::warp_with(&mut frame, &src, 3, levels(25.0, 235.0), area, |x, y| {
            let (x, y) = if side_of(x, y) > 0.0 {
                rotate_back(x, y)
            } else {
                (x, y)
            };
            Some(inv.apply(x, y))
        });
        distort::light(&mut frame, |x, y, v| {
            let d = side_of(x, y);
            let crease = (-(d * d) / 2.0).exp();
            let gain = if d > 0.0 { shade } else { 1.0 };
            v * gain * (1.0 - 0.3 * crease)
        });
        let m = f64::from(4 * 8);
        compose(&h, &Homography([8.0, 0.0, m, 0.0, 8.0, m, 0.0, 0.0, 1.0]))
    };
    let _ = to_frame;
    let mut frame = distort::gaussian_blur(&frame, 0.5);
    distort::add_noise(&mut frame, 2.5, rng);
    Sample {
        bytes: distort::png_gray(&frame),
        ext: "png",
    }
}
