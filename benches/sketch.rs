//! Native cost of the percentile engine: `cargo bench --bench sketch`. Prints figures only (no
//! assertions); the wasm figures come from the browser bench suite.
//! Targets: <= 10 ns/sample batched in wasm, <= 8 KB per sketch for 1 ms .. 10 s.

use apiscope::core::sketch::Sketch;
use std::hint::black_box;
use std::time::Instant;

const SAMPLES: usize = 1_000_000;
const ROUNDS: usize = 5;

/// Log-uniform milliseconds in 1 ms .. 10 s from a xorshift generator (no dependency).
fn latencies(n: usize) -> Vec<f64> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let (lo, hi) = (1f64.ln(), 10_000f64.ln());
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (lo + (hi - lo) * (x >> 11) as f64 / (1u64 << 53) as f64).exp()
        })
        .collect()
}

/// The best of `ROUNDS` timings of `run`, in ns per `per` operations.
fn best_ns(per: usize, mut run: impl FnMut()) -> f64 {
    (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64 / per as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let values = latencies(SAMPLES);

    let per_call = best_ns(SAMPLES, || {
        let mut sketch = Sketch::default();
        for &v in &values {
            sketch.record(black_box(v)).expect("valid sample");
        }
        black_box(&sketch);
    });
    let batched = best_ns(SAMPLES, || {
        let mut sketch = Sketch::default();
        for chunk in values.chunks(4096) {
            sketch.record_many(black_box(chunk)).expect("valid samples");
        }
        black_box(&sketch);
    });
    println!("record      {per_call:8.2} ns/sample (one call per sample)");
    println!("record_many {batched:8.2} ns/sample (batches of 4096)");

    let mut full = Sketch::default();
    full.record_many(&values).expect("valid samples");
    let quantile = best_ns(1_000, || {
        for i in 0..1_000 {
            black_box(
                full.quantile(black_box(i as f64 / 1_000.0))
                    .expect("q in [0, 1]"),
            );
        }
    });
    println!("quantile    {quantile:8.0} ns/call ({SAMPLES} samples)");
    // The dashboard's shape: ascending quantiles in one call, one walk for all.
    let qs = [0.5, 0.9, 0.99, 0.999];
    let quantiles = best_ns(1_000 * qs.len(), || {
        for _ in 0..1_000 {
            black_box(full.quantiles(black_box(&qs)).expect("qs in [0, 1]"));
        }
    });
    println!("quantiles   {quantiles:8.0} ns/quantile (4 per call: p50, p90, p99, p99.9)");

    let mut other = Sketch::default();
    other
        .record_many(&latencies(10_000))
        .expect("valid samples");
    let merge = best_ns(1_000, || {
        for _ in 0..1_000 {
            let mut target = full.clone();
            target.merge(black_box(&other));
            black_box(&target);
        }
    });
    println!("merge       {merge:8.0} ns/call (clone + merge of two 1 ms .. 10 s sketches)");

    // The browser bench's shape: many small sketches added into one, at one scale (in place).
    let sources: Vec<Sketch> = values
        .chunks(10_000)
        .take(32)
        .map(|chunk| {
            let mut source = Sketch::default();
            source.record_many(chunk).expect("valid samples");
            source
        })
        .collect();
    let merge_into = best_ns(100 * sources.len(), || {
        let mut target = Sketch::default();
        for _ in 0..100 {
            for source in &sources {
                target.merge(black_box(source));
            }
        }
        black_box(&target);
    });
    println!("merge into  {merge_into:8.0} ns/call (32 sketches of 10 000 values, 100 passes)");

    for n in [100, 10_000, SAMPLES] {
        let mut sketch = Sketch::default();
        sketch.record_many(&values[..n]).expect("valid samples");
        println!(
            "{n:>8} samples, 1 ms .. 10 s: {:5} bytes encoded, {:5} bytes in memory, scale {}",
            sketch.to_bytes().len(),
            sketch.memory_bytes(),
            sketch.scale()
        );
    }
}
