//! The image-size cap of the scanner holds (docs/limits.md): oversized
//! PNGs are refused from their header, before any pixel is decoded. Memory
//! is measured with a counting global allocator and /proc/self/statm; the
//! tests take one lock so that they do not measure each other. Set
//! ATTESTA_LIMITS_VERBOSE=1 (and pass --nocapture) to see the figures.
#![cfg(feature = "codecs")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use attesta_qr::scan::{MAX_PIXELS, ScanError, scan_image_bytes};
use flate2::Compression;
use flate2::write::ZlibEncoder;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let add = new_size - layout.size();
                let now = LIVE.fetch_add(add, Ordering::Relaxed) + add;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

const MIB: usize = 1024 * 1024;

struct Cost {
    time: Duration,
    peak_heap: usize,
    rss_growth: usize,
}

fn measure<T>(f: impl FnOnce() -> T) -> (T, Cost) {
    let rss0 = rss_bytes();
    let live0 = LIVE.load(Ordering::Relaxed);
    PEAK.store(live0, Ordering::Relaxed);
    let t0 = Instant::now();
    let out = f();
    let time = t0.elapsed();
    let cost = Cost {
        time,
        peak_heap: PEAK.load(Ordering::Relaxed).saturating_sub(live0),
        rss_growth: rss_bytes().saturating_sub(rss0),
    };
    if std::env::var_os("ATTESTA_LIMITS_VERBOSE").is_some() {
        eprintln!(
            "{}: {:?}, peak heap {} B, RSS +{} B",
            std::thread::current().name().unwrap_or("?"),
            cost.time,
            cost.peak_heap,
            cost.rss_growth
        );
    }
    (out, cost)
}

/// A PNG (signature, IHDR, a one-byte IDAT, IEND) announcing `w`×`h`
/// grey pixels and carrying none of them.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        png.extend(kind);
        png.extend(data);
        png.extend(crc.sum().to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    // The first row's filter byte only: the decoder reads up to here.
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(&[0]).unwrap();
    chunk(b"IDAT", &z.finish().unwrap());
    chunk(b"IEND", &[]);
    png
}

/// A valid grey PNG of `w`×`h` white pixels, compressed row by row (the
/// raw image is never held in memory).
fn white_png(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        png.extend(kind);
        png.extend(data);
        png.extend(crc.sum().to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
    let mut row = vec![0xffu8; w as usize + 1];
    row[0] = 0;
    for _ in 0..h {
        z.write_all(&row).unwrap();
    }
    chunk(b"IDAT", &z.finish().unwrap());
    chunk(b"IEND", &[]);
    png
}

/// Security review, finding 7: a 100-megapixel PNG was accepted (the cap
/// was 100 megapixels, inclusive), decoded and scanned before being turned
/// down: 35 s and 693 MB in a debug build. A genuine, fully encoded one is
/// now refused from its header: no pixel decoded, under 1 MiB of memory.
/// (Release figures: `cargo bench -p attesta-qr --bench scan_limits`.)
#[test]
fn finding_7_100_megapixel_png_is_refused_from_its_header() {
    let png = white_png(10_000, 10_000);
    let _g = serial();
    let (r, cost) = measure(|| scan_image_bytes(&png));
    assert_eq!(
        r,
        Err(ScanError::TooLarge {
            width: 10_000,
            height: 10_000
        })
    );
    assert!(cost.peak_heap < MIB, "{} bytes", cost.peak_heap);
    assert!(cost.time < Duration::from_millis(200), "{:?}", cost.time);
}

#[test]
fn images_above_65_megapixels_are_refused_from_the_header() {
    let _g = serial();
    assert_eq!(MAX_PIXELS, 65_000_000);
    for (w, h) in [
        (65_001, 1_000),
        (10_000, 10_000),
        (100_000, 100_000),
        (u32::MAX >> 1, 2),
    ] {
        let png = png_header(w, h);
        let (r, cost) = measure(|| scan_image_bytes(&png));
        assert!(
            matches!(r, Err(ScanError::TooLarge { .. })),
            "{w}x{h}: {r:?}"
        );
        assert!(cost.peak_heap < MIB, "{w}x{h}: {} bytes", cost.peak_heap);
        assert!(cost.time < Duration::from_millis(200), "{:?}", cost.time);
    }
}
