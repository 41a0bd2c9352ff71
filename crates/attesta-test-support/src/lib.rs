//! Test-only support for the attesta crates: measuring how much memory a
//! call takes, for the `tests/limits.rs` of attesta-core, attesta-verify
//! and attesta-qr (docs/limits.md).
//!
//! Memory is measured two ways: [`CountingAllocator`], installed as the
//! test binary's global allocator, gives the exact peak of heap bytes live
//! during the call, and `/proc/self/statm` the growth of the resident set
//! (zero where there is no `/proc`). [`measure`] does both and the time;
//! [`serial`] is the lock that keeps the tests of one binary from
//! measuring each other; [`zlib_zeros`] makes the decompression bombs,
//! [`png_header`] and [`white_png`] the oversized images.
//! Set `ATTESTA_LIMITS_VERBOSE=1` (and pass
//! `--nocapture`) to see the figures.
//!
//! ```
//! use attesta_test_support::{CountingAllocator, measure, serial};
//!
//! #[global_allocator]
//! static GLOBAL: CountingAllocator = CountingAllocator;
//!
//! fn main() {
//!     let _guard = serial();
//!     let (buffer, cost) = measure(|| vec![0u8; 64 * 1024]);
//!     assert!(cost.peak_heap >= buffer.len());
//! }
//! ```
//!
//! # Why this crate has unsafe code
//!
//! [`GlobalAlloc`] is an unsafe trait: its methods are `unsafe fn`s and the
//! only way to count allocations is to implement it. The implementation
//! forwards every call to [`System`] unchanged. The library crates keep
//! `#![forbid(unsafe_code)]`; this one is a dev-dependency only
//! (`publish = false`) and never part of what they ship.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::ZlibEncoder;

/// One mebibyte, the unit the limits are written in.
pub const MIB: usize = 1024 * 1024;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Allocations made so far: only grows, so that [`measure`] can tell
/// whether the counting allocator is installed at all.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting the heap bytes live and their peak.
///
/// Install it in each test binary that calls [`measure`] (a global
/// allocator must be declared in the final binary, so this crate cannot
/// do it for you):
///
/// ```
/// #[global_allocator]
/// static GLOBAL: attesta_test_support::CountingAllocator =
///     attesta_test_support::CountingAllocator;
/// # fn main() {}
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

impl CountingAllocator {
    fn grew(by: usize) {
        let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged, with
// the caller's arguments, and its result returned as is; the counters are
// only statistics and never affect what is allocated.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which
        // is `System.alloc`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            Self::grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `alloc`/`realloc` above, that is
        // by `System`, with this `layout` (the caller's contract).
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; `new_size` meets `realloc`'s contract
        // (the caller's).
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            if new_size >= layout.size() {
                Self::grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

static SERIAL: Mutex<()> = Mutex::new(());

/// Take the measuring lock: hold it for the whole test, so that no other
/// test of the binary allocates while this one measures. A test that
/// panicked while holding it does not poison it for the others.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The resident set size of this process, in bytes; 0 where
/// `/proc/self/statm` cannot be read.
pub fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// What a call cost.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    /// Wall-clock time of the call (informative only: the machine is
    /// shared; speed is measured in benchmarks).
    pub time: Duration,
    /// Most heap bytes live at once during the call, above those live before.
    pub peak_heap: usize,
    /// Growth of the resident set across the call.
    pub rss_growth: usize,
}

/// Run `f` and return its result with what it cost. Take [`serial`] first.
///
/// # Panics
///
/// If [`CountingAllocator`] is not the global allocator: every heap figure
/// would read 0 and a limit test could not fail.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Cost) {
    assert_counting();
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

/// A zlib stream of `n` zero bytes (a decompression bomb for the inflate
/// caps), written in chunks so that building it does not itself hold `n`
/// bytes.
///
/// # Panics
///
/// Never in practice: writing to a `Vec` does not fail.
pub fn zlib_zeros(n: usize) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    let chunk = vec![0u8; 64 * 1024];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        z.write_all(&chunk[..k]).expect("writing to a Vec");
        left -= k;
    }
    z.finish().expect("writing to a Vec")
}

/// A grey 8-bit PNG of `w`×`h` pixels whose IDAT is `idat` (zlib data):
/// signature, IHDR, IDAT, IEND, each chunk with its CRC.
fn grey_png(w: u32, h: u32, idat: &[u8]) -> Vec<u8> {
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
    chunk(b"IDAT", idat);
    chunk(b"IEND", &[]);
    png
}

/// A PNG announcing `w`×`h` grey pixels and carrying none of them: its
/// IDAT holds the first row's filter byte only, which is as far as a
/// decoder that trusts the header reads. For the image-size caps.
///
/// # Panics
///
/// Never in practice: writing to a `Vec` does not fail.
pub fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(&[0]).expect("writing to a Vec");
    grey_png(w, h, &z.finish().expect("writing to a Vec"))
}

/// A valid grey PNG of `w`×`h` white pixels, compressed row by row (the
/// raw image is never held in memory).
///
/// # Panics
///
/// Never in practice: writing to a `Vec` does not fail.
pub fn white_png(w: u32, h: u32) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
    let mut row = vec![0xffu8; w as usize + 1];
    row[0] = 0; // filter type None
    for _ in 0..h {
        z.write_all(&row).expect("writing to a Vec");
    }
    grey_png(w, h, &z.finish().expect("writing to a Vec"))
}

fn assert_counting() {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    drop(std::hint::black_box(Box::new(0u64)));
    assert!(
        ALLOCATIONS.load(Ordering::Relaxed) > before,
        "attesta_test_support::CountingAllocator is not the global allocator: \
         declare `#[global_allocator] static GLOBAL: CountingAllocator = CountingAllocator;`"
    );
}

#[cfg(test)]
mod tests {
    // This test binary keeps the system allocator: every heap figure would
    // read 0, so `measure` must refuse rather than let a limit test pass.
    #[test]
    #[should_panic(expected = "is not the global allocator")]
    fn measure_refuses_to_run_without_the_counting_allocator() {
        let _ = super::measure(|| ());
    }
}
