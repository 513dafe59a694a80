//! Repeatable synthetic traffic and a heap-counting allocator, shared by
//! `tests/native_windows.rs` and `benches/windows.rs` (`mod traffic;`): what an hour of calls
//! costs is measured the same way in both.
#![allow(dead_code)] // each includer uses a different subset

use apiscope::core::sketch::mapping::{MAX_SCALE, MIN_SCALE, Mapping};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the bytes this thread holds, and the most it held, so that what the registry says
/// it holds can be compared with what the allocator handed out (tests run on many threads).
pub struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn moved(delta: isize) {
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        moved(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        moved(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        moved(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes this thread holds now; resets the peak to it. The sketches' per-scale lookup tables
/// are built first, every scale's (a sketch that downscales step by step visits several):
/// they are process-wide statics, not anything a registry holds.
pub fn live_bytes() -> isize {
    for scale in MIN_SCALE..=MAX_SCALE {
        Mapping::new(scale);
    }
    let live = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(live));
    live
}

/// The most this thread held since the last [`live_bytes`].
pub fn peak_bytes() -> isize {
    PEAK.with(Cell::get)
}

/// Fixed-seed xorshift: repeatable traffic without a dependency.
pub struct Rng(pub u64);

impl Rng {
    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Lognormal around `median` (Box-Muller).
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let (a, b) = (self.uniform(), self.uniform());
        let normal = (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos();
        median * (sigma * normal).exp()
    }
}

/// Where the hour of [`an_hour`] starts, epoch ms.
pub const START: f64 = 1.7e12;

/// An hour of calls on `routes` routes (`/api/v1/r<i>/:id`) in time order: `per_slot` per
/// route every 10 s, spread evenly, lognormal (sigma 0.5) around a median from 50 to 200 ms
/// across the routes. `call(route, duration, time)`.
pub fn an_hour(routes: usize, per_slot: usize, mut call: impl FnMut(&str, f64, f64)) {
    let names: Vec<String> = (0..routes).map(route).collect();
    let medians: Vec<f64> = (0..routes)
        .map(|i| 50.0 + 150.0 * i as f64 / routes as f64)
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for slot in 0..360 {
        for k in 0..per_slot {
            let t = START + slot as f64 * 10_000.0 + (k as f64 + 0.5) * 10_000.0 / per_slot as f64;
            for (name, &median) in names.iter().zip(&medians) {
                call(name, rng.lognormal(median, 0.5), t);
            }
        }
    }
}

/// The name of route `i` in [`an_hour`].
pub fn route(i: usize) -> String {
    format!("/api/v1/r{i}/:id")
}
