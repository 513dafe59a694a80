//! Properties of the percentile engine: the error bound on many distributions, lossless
//! merges, exact byte round trips, panic-free decoding, OTLP shape and OTel index exactness.
//! The rolling windows and route registry built on top are tested in `native_windows.rs`.
#![cfg(not(target_arch = "wasm32"))]

use apiscope::core::sketch::mapping::Mapping;
use apiscope::core::sketch::{OtlpBuckets, OtlpExponentialHistogram, Sketch, SketchConfig};
use proptest::prelude::*;
use serde_json::json;

const QS: [f64; 10] = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];
/// 1 µs .. 1 h in milliseconds: the range the default must cover at full accuracy.
const LO: f64 = 0.001;
const HI: f64 = 3_600_000.0;

fn sketch_of(config: SketchConfig, values: &[f64]) -> Sketch {
    let mut sketch = Sketch::new(config).unwrap();
    sketch.record_many(values).unwrap();
    sketch
}

/// Every quantile of `values` is within the sketch's relative error of the exact value at the
/// same rank, `floor(q * (n - 1))`.
fn assert_bound(values: &[f64]) {
    let sketch = sketch_of(SketchConfig::default(), values);
    assert_eq!(sketch.scale(), 6, "no downscaling within 1 µs .. 1 h");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let alpha = sketch.relative_error();
    assert!(alpha <= 0.01);
    for q in QS.into_iter().chain([0.0, 1.0]) {
        let exact = sorted[(q * (sorted.len() - 1) as f64).floor() as usize];
        let estimate = sketch.quantile(q).unwrap();
        assert!(
            (estimate - exact).abs() <= alpha * exact * (1.0 + 1e-12),
            "q {q}: estimate {estimate} vs exact {exact}"
        );
    }
    assert_eq!(sketch.quantile(0.0).unwrap(), sorted[0]);
    assert_eq!(sketch.quantile(1.0).unwrap(), sorted[sorted.len() - 1]);
}

fn in_range(v: f64) -> f64 {
    v.clamp(LO, HI)
}

/// Standard normal from two uniforms (Box-Muller).
fn normal(u1: f64, u2: f64) -> f64 {
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn uniforms() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((f64::EPSILON..1.0, 0.0..1.0), 1..1500)
}

fn lognormal() -> impl Strategy<Value = Vec<f64>> {
    (-3.0..10.0f64, 0.05..3.0f64, uniforms()).prop_map(|(mu, sigma, us)| {
        us.into_iter()
            .map(|(u1, u2)| in_range((mu + sigma * normal(u1, u2)).exp()))
            .collect()
    })
}

fn bimodal() -> impl Strategy<Value = Vec<f64>> {
    (0.5..50.0f64, 200.0..5_000.0f64, 0.05..0.95f64, uniforms()).prop_map(|(a, b, share, us)| {
        us.into_iter()
            .map(|(u1, u2)| {
                let mode = if u2 < share { a } else { b };
                in_range(mode * (0.3 * normal(u1, u2)).exp())
            })
            .collect()
    })
}

fn pareto() -> impl Strategy<Value = Vec<f64>> {
    (0.3..3.0f64, 0.01..100.0f64, uniforms()).prop_map(|(alpha, scale, us)| {
        us.into_iter()
            .map(|(u, _)| in_range(scale * u.powf(-1.0 / alpha)))
            .collect()
    })
}

/// A number as error messages write it (JavaScript's `String(n)`).
fn js_number(v: f64) -> String {
    let mut out = String::new();
    apiscope::core::error::push_number(&mut out, v);
    out
}

fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo.ln()..hi.ln()).prop_map(f64::exp)
}

proptest! {
    #[test]
    fn bound_holds_on_lognormal(values in lognormal()) {
        assert_bound(&values);
    }

    #[test]
    fn bound_holds_on_bimodal(values in bimodal()) {
        assert_bound(&values);
    }

    #[test]
    fn bound_holds_on_heavy_tails(values in pareto()) {
        assert_bound(&values);
    }

    #[test]
    fn bound_holds_on_constants(v in log_uniform(LO, HI), n in 1..500usize) {
        assert_bound(&vec![v; n]);
    }

    #[test]
    fn bound_holds_on_tiny_inputs(
        values in prop::collection::vec(prop_oneof![Just(0.0), log_uniform(LO, HI)], 1..=10)
    ) {
        assert_bound(&values);
    }

    #[test]
    fn merge_is_lossless_and_order_independent(
        values in prop::collection::vec(prop_oneof![Just(0.0), log_uniform(1e-6, 1e9)], 0..400),
        split in prop::collection::vec(any::<bool>(), 400),
        max_buckets in 2..300usize,
    ) {
        let config = SketchConfig { max_buckets, ..SketchConfig::default() };
        let (a, b): (Vec<(f64, bool)>, _) = values.iter().copied().zip(split).partition(|p| p.1);
        let a = sketch_of(config, &a.into_iter().map(|p| p.0).collect::<Vec<_>>());
        let b = sketch_of(config, &b.into_iter().map(|p| p.0).collect::<Vec<_>>());
        let all = sketch_of(config, &values);
        let (mut ab, mut ba) = (a.clone(), b.clone());
        ab.merge(&b);
        ba.merge(&a);
        for merged in [ab, ba] {
            assert_same_values(&merged, &all);
        }
    }

    #[test]
    fn merge_across_scales_takes_the_coarser(
        fine in prop::collection::vec(log_uniform(0.01, 1e5), 1..200),
        coarse in prop::collection::vec(log_uniform(0.01, 1e5), 1..200),
    ) {
        let coarse_config = SketchConfig { max_relative_error: 0.03, ..SketchConfig::default() };
        let mut merged = sketch_of(SketchConfig::default(), &fine);
        merged.merge(&sketch_of(coarse_config, &coarse));
        let all = sketch_of(coarse_config, &[fine, coarse].concat());
        prop_assert_eq!(merged.scale(), 4);
        assert_same_values(&merged, &all);
    }

    #[test]
    fn bytes_round_trip_exactly(
        values in prop::collection::vec(prop_oneof![Just(0.0), log_uniform(1e-300, 1e300)], 0..300),
        max_buckets in 2..3000usize,
        error in 1e-5..0.5f64,
    ) {
        let config = SketchConfig { max_relative_error: error, max_buckets };
        let sketch = sketch_of(config, &values);
        let bytes = sketch.to_bytes();
        prop_assert_eq!(Sketch::from_bytes(&bytes).unwrap(), sketch);
        for len in 0..bytes.len() {
            prop_assert!(Sketch::from_bytes(&bytes[..len]).is_err(), "prefix of {} bytes", len);
        }
    }

    #[test]
    fn decoding_random_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        exercise_decoded(&bytes);
    }

    #[test]
    fn decoding_corrupted_encodings_never_panics(
        values in prop::collection::vec(log_uniform(0.001, 1e6), 0..100),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 0..8u8), 1..4),
    ) {
        let mut bytes = sketch_of(SketchConfig::default(), &values).to_bytes();
        for (at, bit) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        exercise_decoded(&bytes);
    }

    #[test]
    fn quantiles_match_one_walk_per_quantile(
        values in prop::collection::vec(prop_oneof![Just(0.0), log_uniform(1e-6, 1e9)], 0..600),
        repeat in 1..300u64,
        qs in prop::collection::vec(prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64], 0..12),
        max_buckets in 2..3000usize,
        error in 1e-4..0.5f64,
    ) {
        let config = SketchConfig { max_relative_error: error, max_buckets };
        let mut sketch = sketch_of(config, &values);
        // Merging copies multiplies the counts, so wider counters get walked too.
        let copy = sketch.clone();
        for _ in 1..repeat {
            sketch.merge(&copy);
        }
        let all = sketch.quantiles(&qs).unwrap();
        for (&q, &estimate) in qs.iter().zip(&all) {
            let expected = reference_quantile(&sketch, q);
            prop_assert_eq!(estimate.to_bits(), expected.to_bits(), "q {}", q);
            prop_assert_eq!(sketch.quantile(q).unwrap().to_bits(), expected.to_bits(), "q {}", q);
        }
    }

    #[test]
    fn record_many_equals_recording_one_by_one(
        values in prop::collection::vec(
            prop_oneof![Just(0.0), Just(-0.0), Just(5e-324), log_uniform(1e-300, 1e300)],
            0..600,
        ),
        cuts in prop::collection::vec(0..600usize, 0..6),
        max_buckets in 2..3000usize,
        error in 1e-4..0.5f64,
    ) {
        let config = SketchConfig { max_relative_error: error, max_buckets };
        let mut one_by_one = Sketch::new(config).unwrap();
        for &v in &values {
            one_by_one.record(v).unwrap();
        }
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(values.len())).collect();
        cuts.extend([0, values.len()]);
        cuts.sort_unstable();
        let mut batched = Sketch::new(config).unwrap();
        for pair in cuts.windows(2) {
            batched.record_many(&values[pair[0]..pair[1]]).unwrap();
        }
        assert_same_values(&batched, &one_by_one);
        prop_assert_eq!(batched.scale(), one_by_one.scale());
        // A batch sums in record order: the same bits however the values were cut.
        prop_assert_eq!(batched.sum().to_bits(), one_by_one.sum().to_bits());
    }

    #[test]
    fn a_bad_value_anywhere_records_nothing(
        values in prop::collection::vec(log_uniform(1e-3, 1e6), 1..300),
        bad in prop::collection::vec(
            (any::<prop::sample::Index>(), prop_oneof![
                Just(f64::NAN), Just(-f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY),
                -1e9..-1e-300,
            ]),
            1..4,
        ),
    ) {
        let mut sketch = sketch_of(SketchConfig::default(), &values[..values.len() / 2]);
        let before = sketch.clone();
        let mut batch = values.clone();
        for (at, v) in &bad {
            let i = at.index(batch.len());
            batch[i] = *v;
        }
        let first = batch.iter().position(|v| !(v.is_finite() && *v >= 0.0)).unwrap();
        let err = sketch.record_many(&batch).unwrap_err();
        prop_assert_eq!(
            err.to_string(),
            format!("values[{first}]: must be a finite number >= 0, got {}", js_number(batch[first]))
        );
        prop_assert_eq!(sketch, before);
    }

    #[test]
    fn boundaries_are_exact(scale in -10..=20i32, e in -1000..1000i32, sub in any::<u32>()) {
        let m = Mapping::new(scale);
        let index = if scale > 0 { (e << scale) + (sub & ((1 << scale) - 1)) as i32 } else { e / (1 << -scale) };
        let boundary = m.lower_boundary(index);
        prop_assert_eq!(m.index(boundary), index - 1);
        prop_assert_eq!(m.index(f64::from_bits(boundary.to_bits() + 1)), index);
        prop_assert_eq!(m.index(f64::from_bits(boundary.to_bits() - 1)), index - 1);
    }
}

/// Counts of every width a store holds: a counter of each sketch lands in u8, u16, u32 or wider.
fn counts_of_every_width() -> impl Strategy<Value = Vec<u64>> {
    let count = prop_oneof![
        Just(0u64),
        1..=255u64,
        200..=65_535u64,
        60_000..=u64::from(u32::MAX),
        u64::from(u32::MAX) - 5..=1u64 << 56,
    ];
    prop::collection::vec(count, 1..60)
}

/// A sketch at the default scale holding `counts` from bucket `offset` on, and `zeros` zeros.
fn sketch_with_counts(offset: i32, counts: &[u64], zeros: u64) -> Sketch {
    let point = OtlpExponentialHistogram {
        count: counts.iter().sum::<u64>() + zeros,
        sum: 1.0,
        scale: 6,
        zero_count: zeros,
        positive: OtlpBuckets {
            offset,
            bucket_counts: counts.to_vec(),
        },
        min: None,
        max: None,
        zero_threshold: 0.0,
    };
    Sketch::from_otlp(&point, SketchConfig::default()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn same_scale_merges_add_counters_in_place(
        (a_offset, a_counts, a_zeros) in (-300..300i32, counts_of_every_width(), 0..3u64),
        (b_offset, b_counts, b_zeros) in (-300..300i32, counts_of_every_width(), 0..3u64),
    ) {
        let (a, b) = (
            sketch_with_counts(a_offset, &a_counts, a_zeros),
            sketch_with_counts(b_offset, &b_counts, b_zeros),
        );
        // The definition: per bucket index, the two counts added.
        let mut expected = std::collections::BTreeMap::new();
        for (offset, counts) in [(a_offset, &a_counts), (b_offset, &b_counts)] {
            for (i, &count) in counts.iter().enumerate() {
                *expected.entry(offset + i as i32).or_insert(0u64) += count;
            }
        }
        expected.retain(|_, count| *count > 0);
        for (mut into, from) in [(a.clone(), &b), (b.clone(), &a)] {
            into.merge(from);
            prop_assert_eq!(into.scale(), 6, "no downscaling: the in-place path");
            let point = into.to_otlp();
            let got: std::collections::BTreeMap<i32, u64> = (point.positive.offset..)
                .zip(point.positive.bucket_counts)
                .filter(|&(_, count)| count > 0)
                .collect();
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(into.zero_count(), a_zeros + b_zeros);
            prop_assert_eq!(into.count(), a.count() + b.count());
            let same = |x: f64, y: f64| x == y || (x.is_nan() && y.is_nan());
            prop_assert!(same(into.min(), a.min().min(b.min())));
            prop_assert!(same(into.max(), a.max().max(b.max())));
            prop_assert_eq!(Sketch::from_bytes(&into.to_bytes()).unwrap(), into);
        }
    }
}

/// Same buckets, count, zero count, min and max; sum equal up to rounding.
fn assert_same_values(a: &Sketch, b: &Sketch) {
    let (mut pa, mut pb) = (a.to_otlp(), b.to_otlp());
    assert!((pa.sum - pb.sum).abs() <= 1e-9 * pa.sum.abs().max(1.0));
    pa.sum = 0.0;
    pb.sum = 0.0;
    assert_eq!(pa, pb);
    assert_eq!(a.buckets(), b.buckets());
}

/// The quantile by its definition: the first bucket, counting up from the zero bucket, whose
/// cumulative count passes the rank, read at its representative `2lu / (l + u)`.
fn reference_quantile(sketch: &Sketch, q: f64) -> f64 {
    if sketch.count() == 0 {
        return f64::NAN;
    }
    let (min, max) = (sketch.min(), sketch.max());
    if q == 0.0 || q == 1.0 {
        return if q == 0.0 { min } else { max };
    }
    let rank = (q * (sketch.count() - 1) as f64).floor() as u64;
    let mut seen = 0u64;
    let bucket = sketch.buckets().into_iter().find(|b| {
        seen = seen.saturating_add(b.count);
        rank < seen
    });
    let estimate = match bucket {
        Some(b) if b.upper == 0.0 => 0.0,
        Some(b) => 2.0 * b.lower / (1.0 + b.lower / b.upper),
        None => max,
    };
    estimate.clamp(min, max)
}

#[test]
fn quantiles_walk_wide_counters() {
    let mut sketch = sketch_of(SketchConfig::default(), &[0.0, 1.0, 2.0, 3.0, 1e4]);
    let mut big = vec![2.5; 70_000];
    big.extend(vec![0.0; 300]);
    sketch.record_many(&big).unwrap();
    let copy = sketch.clone();
    for _ in 0..70_000 {
        sketch.merge(&copy);
    }
    assert!(sketch.count() > u64::from(u32::MAX));
    let qs: Vec<f64> = (0..=200).map(|i| f64::from(i) / 200.0).collect();
    let all = sketch.quantiles(&qs).unwrap();
    for (&q, &estimate) in qs.iter().zip(&all) {
        assert_eq!(
            estimate.to_bits(),
            reference_quantile(&sketch, q).to_bits(),
            "q {q}"
        );
    }
}

/// Whatever decodes must behave: quantiles, merges and re-encoding never panic.
fn exercise_decoded(bytes: &[u8]) {
    if let Ok(sketch) = Sketch::from_bytes(bytes) {
        let qs = sketch.quantiles(&QS).unwrap();
        assert!(qs.iter().all(|q| q.is_nan() == (sketch.count() == 0)));
        assert_eq!(Sketch::from_bytes(&sketch.to_bytes()).unwrap(), sketch);
        let mut merged = Sketch::default();
        merged.merge(&sketch);
        merged.record(1.0).unwrap();
        let _ = (sketch.buckets().len(), sketch.to_otlp());
    }
}

#[test]
fn powers_of_two_land_as_in_the_otel_spec() {
    let m = Mapping::new(0);
    assert_eq!((m.index(1.0), m.index(2.0), m.index(1024.0)), (-1, 0, 9));
    assert_eq!(m.index(1.5), 0);
    assert_eq!(Mapping::new(6).index(1024.0), (10 << 6) - 1);
    assert_eq!(Mapping::new(-2).index(1024.0), 2); // 1024 = 16^2.5 -> (16^2, 16^3]
    let coarse = SketchConfig {
        max_relative_error: 0.34,
        ..SketchConfig::default()
    };
    let sketch = sketch_of(coarse, &[1.0, 2.0]);
    assert_eq!(sketch.scale(), 0);
    assert_eq!(sketch.to_otlp().positive.offset, -1);
    assert_eq!(sketch.to_otlp().positive.bucket_counts, [1, 1]);
}

#[test]
fn otlp_json_field_by_field() {
    let sketch = sketch_of(SketchConfig::default(), &[0.0, 1.0, 1.0, 2.0]);
    let json = serde_json::to_value(sketch.to_otlp()).unwrap();
    assert_eq!(json["count"], json!("4"));
    assert_eq!(json["sum"], json!(4.0));
    assert_eq!(json["scale"], json!(6));
    assert_eq!(json["zeroCount"], json!("1"));
    assert_eq!(json["positive"]["offset"], json!(-1));
    let counts = json["positive"]["bucketCounts"].as_array().unwrap();
    assert_eq!(counts.len(), 65);
    assert_eq!(
        (&counts[0], &counts[1], &counts[64]),
        (&json!("2"), &json!("0"), &json!("1"))
    );
    assert_eq!(json["min"], json!(0.0));
    assert_eq!(json["max"], json!(2.0));
    assert_eq!(json["zeroThreshold"], json!(0.0));
    assert_eq!(json.as_object().unwrap().len(), 8);

    let empty = serde_json::to_value(Sketch::default().to_otlp()).unwrap();
    assert_eq!(
        empty,
        json!({"count": "0", "sum": 0.0, "scale": 6, "zeroCount": "0",
               "positive": {"offset": 0, "bucketCounts": []}, "zeroThreshold": 0.0})
    );
}

#[test]
fn default_budget_covers_a_microsecond_to_an_hour() {
    let sketch = sketch_of(SketchConfig::default(), &[LO, HI]);
    let point = sketch.to_otlp();
    assert_eq!(sketch.scale(), 6);
    assert!(point.positive.bucket_counts.len() <= 2048);
    assert!(point.positive.bucket_counts.len() > 2000);
}

#[test]
fn empty_sketch_reads_nan() {
    let sketch = Sketch::default();
    assert!(sketch.quantile(0.5).unwrap().is_nan());
    assert!(sketch.min().is_nan() && sketch.max().is_nan() && sketch.mean().is_nan());
    assert_eq!((sketch.count(), sketch.sum()), (0, 0.0));
}

#[test]
fn bad_values_change_nothing() {
    let mut sketch = sketch_of(SketchConfig::default(), &[3.0]);
    let before = sketch.clone();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1e-9] {
        assert!(sketch.record(bad).is_err());
        assert!(sketch.record_many(&[1.0, bad]).is_err());
    }
    assert!(sketch.quantile(-0.1).is_err() && sketch.quantile(f64::NAN).is_err());
    assert_eq!(sketch, before);
}
