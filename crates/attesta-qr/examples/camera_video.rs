//! Writes a camera video (YUV4MPEG2, 1280×720) of a QR code and/or a
//! tessera sanitaria's Code 39 barcode, for Chromium's fake camera
//! (`--use-file-for-fake-video-capture=FILE.y4m`) in the web app's
//! end-to-end tests.
//!
//! ```sh
//! cargo run -p attesta-qr --example camera_video -- OUT.y4m SCENE [QR_TEXT] [CF]
//! ```
//!
//! Scenes:
//! - `still`: the QR code held still, slightly turned, on a sheet of paper;
//! - `moving`: the code tilted in perspective and drifting across the frame,
//!   with a few frames at the start where it is still out of view;
//! - `card`: the code for 2 seconds, then a tessera sanitaria whose barcode
//!   holds CF (the verifier must read the code, then the codice fiscale).
//!
//! Pictures are drawn by inverse mapping through a homography, with a
//! little blur and sensor noise, so that the scanner works on something
//! like a camera picture rather than perfect squares.

use std::io::Write;

use attesta_qr::barcode::code39_modules;
use attesta_qr::render::{EcLevel, QrSymbol};

const W: usize = 1280;
const H: usize = 720;
const FPS: usize = 10;

/// A 3×3 homography from output pixels to source-plane coordinates.
#[derive(Clone, Copy)]
struct Homography([f64; 9]);

impl Homography {
    /// The map from the unit square's corners to `quad` (clockwise from top
    /// left), inverted: output pixel → unit square.
    fn square_to_quad(q: [(f64, f64); 4]) -> Homography {
        // Heckbert's closed form.
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q;
        let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
        let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
        let den = dx1 * dy2 - dx2 * dy1;
        let g = (dx3 * dy2 - dx2 * dy3) / den;
        let h = (dx1 * dy3 - dx3 * dy1) / den;
        let a = x1 - x0 + g * x1;
        let b = x3 - x0 + h * x3;
        let d = y1 - y0 + g * y1;
        let e = y3 - y0 + h * y3;
        Homography([a, b, x0, d, e, y0, g, h, 1.0])
    }

    fn inverse(self) -> Homography {
        let [a, b, c, d, e, f, g, h, i] = self.0;
        let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        Homography(
            [
                e * i - f * h,
                c * h - b * i,
                b * f - c * e,
                f * g - d * i,
                a * i - c * g,
                c * d - a * f,
                d * h - e * g,
                b * g - a * h,
                a * e - b * d,
            ]
            .map(|v| v / det),
        )
    }

    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f, g, h, i] = self.0;
        let w = g * x + h * y + i;
        ((a * x + b * y + c) / w, (d * x + e * y + f) / w)
    }
}

/// A flat thing in view: where its unit square lands in the frame, and its
/// gray level at each point of the unit square (`None` outside it).
struct Object<'a> {
    to_unit: Homography,
    shade: &'a dyn Fn(f64, f64) -> Option<u8>,
}

/// Corners of a `w × h` rectangle centred at (cx, cy), turned by `angle`
/// (radians), with its top edge `tilt` (fraction) narrower: a perspective.
fn quad(cx: f64, cy: f64, w: f64, h: f64, angle: f64, tilt: f64) -> [(f64, f64); 4] {
    let (s, c) = angle.sin_cos();
    let top = 1.0 - tilt;
    [
        (-w / 2.0 * top, -h / 2.0),
        (w / 2.0 * top, -h / 2.0),
        (w / 2.0, h / 2.0),
        (-w / 2.0, h / 2.0),
    ]
    .map(|(x, y)| (cx + x * c - y * s, cy + x * s + y * c))
}

fn render(objects: &[Object<'_>], seed: &mut u64) -> Vec<u8> {
    let mut y_plane = vec![0u8; W * H];
    for py in 0..H {
        for px in 0..W {
            // Background: a desk, darker at the edges.
            let dx = (px as f64 - W as f64 / 2.0) / W as f64;
            let dy = (py as f64 - H as f64 / 2.0) / H as f64;
            let mut v = 120.0 - 80.0 * (dx * dx + dy * dy);
            for o in objects {
                let (u, w) = o.to_unit.apply(px as f64 + 0.5, py as f64 + 0.5);
                if let Some(s) = (o.shade)(u, w) {
                    v = f64::from(s);
                }
            }
            y_plane[py * W + px] = v.clamp(0.0, 255.0) as u8;
        }
    }
    // A camera's softness: a 3-tap blur both ways, then noise.
    let mut soft = y_plane.clone();
    for py in 1..H - 1 {
        for px in 1..W - 1 {
            let i = py * W + px;
            let sum: u32 = [
                i - W - 1,
                i - W,
                i - W + 1,
                i - 1,
                i,
                i + 1,
                i + W - 1,
                i + W,
                i + W + 1,
            ]
            .iter()
            .map(|&j| u32::from(y_plane[j]))
            .sum::<u32>()
                + 3 * u32::from(y_plane[i]);
            soft[i] = (sum / 12) as u8;
        }
    }
    for v in &mut soft {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let noise = ((*seed >> 33) % 13) as i16 - 6;
        *v = (i16::from(*v) + noise).clamp(0, 255) as u8;
    }
    soft
}

fn qr_shade(symbol: &QrSymbol) -> impl Fn(f64, f64) -> Option<u8> + '_ {
    // The unit square is the sheet: the code with a wide white margin.
    let n = symbol.width() as f64;
    let margin = 8.0;
    move |u, v| {
        if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
            return None;
        }
        let (mx, my) = (
            u * (n + 2.0 * margin) - margin,
            v * (n + 2.0 * margin) - margin,
        );
        let dark =
            mx >= 0.0 && my >= 0.0 && symbol.is_dark(mx as usize, my as usize) && mx < n && my < n;
        Some(if dark { 35 } else { 225 })
    }
}

fn card_shade(bars: &[bool]) -> impl Fn(f64, f64) -> Option<u8> + '_ {
    // An ID-1 card (85.6 × 54 mm): a coloured band at the top, the barcode
    // across the lower middle with its quiet zones.
    move |u, v| {
        if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
            return None;
        }
        if v < 0.2 {
            return Some(150);
        }
        let (x0, x1, y0, y1) = (0.08, 0.92, 0.55, 0.78);
        if (y0..y1).contains(&v) && (x0..x1).contains(&u) {
            let k = ((u - x0) / (x1 - x0) * bars.len() as f64) as usize;
            return Some(if bars.get(k).copied().unwrap_or(false) {
                30
            } else {
                235
            });
        }
        if (0.3..0.36).contains(&v) && (0.08..0.6).contains(&u) {
            return Some(90); // a printed line of text
        }
        Some(235)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, scene) = match args.as_slice() {
        [out, scene, ..] => (out.clone(), scene.clone()),
        _ => return Err("usage: camera_video OUT.y4m still|moving|card [QR_TEXT] [CF]".into()),
    };
    let text = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "AT1:NCFOXN%TS3DH".into());
    let cf = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| "RSSMRA85T10A562S".into());
    let symbol = QrSymbol::encode(&text, EcLevel::Q)?;
    let bars = code39_modules(&cf).ok_or("the CF has characters Code 39 cannot hold")?;
    let qr = qr_shade(&symbol);
    let card = card_shade(&bars);
    let frames = match scene.as_str() {
        "still" | "moving" => 30,
        "card" => 40,
        other => return Err(format!("unknown scene {other}").into()),
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
    writeln!(file, "YUV4MPEG2 W{W} H{H} F{FPS}:1 Ip A1:1 C420jpeg")?;
    let chroma = vec![128u8; (W / 2) * (H / 2)];
    let mut seed = 0x5eed_u64;
    for f in 0..frames {
        let t = f as f64 / frames as f64;
        let side = 520.0;
        let objects: Vec<Object<'_>> = match scene.as_str() {
            "still" => vec![Object {
                to_unit: Homography::square_to_quad(quad(640.0, 360.0, side, side, 0.06, 0.0))
                    .inverse(),
                shade: &qr,
            }],
            "moving" if f < 4 => vec![],
            "moving" => vec![Object {
                to_unit: Homography::square_to_quad(quad(
                    520.0 + 240.0 * t,
                    340.0 + 30.0 * (t * 6.0).sin(),
                    side * 0.95,
                    side * 0.95,
                    -0.18 + 0.1 * t,
                    0.12,
                ))
                .inverse(),
                shade: &qr,
            }],
            _ if f < 20 => vec![Object {
                to_unit: Homography::square_to_quad(quad(640.0, 360.0, side, side, -0.04, 0.0))
                    .inverse(),
                shade: &qr,
            }],
            _ => vec![Object {
                to_unit: Homography::square_to_quad(quad(640.0, 360.0, 1100.0, 694.0, 0.03, 0.02))
                    .inverse(),
                shade: &card,
            }],
        };
        let luma = render(&objects, &mut seed);
        file.write_all(b"FRAME\n")?;
        file.write_all(&luma)?;
        file.write_all(&chroma)?;
        file.write_all(&chroma)?;
    }
    file.flush()?;
    eprintln!("wrote {out}: {frames} frames of {W}x{H} at {FPS} fps ({scene})");
    Ok(())
}
