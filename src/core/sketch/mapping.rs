//! Value <-> bucket index, exactly as the OpenTelemetry exponential histogram maps values.
//!
//! Bucket `index` at `scale` holds `(base^index, base^(index+1)]`, `base = 2^(2^-scale)`.
//! Writing a value as `m * 2^e` with `m` in `[1, 2)`, its index is `(e << scale) + j` where `j`
//! counts the boundaries `2^(k / 2^scale)` (`0 < k < 2^scale`) below `m`. Exact powers of two and
//! scales `<= 0` need only the IEEE exponent. Finer scales compare `m` against boundary floats
//! produced by one function ([`Mapping::lower_boundary`] uses the same), so a value equal to a
//! boundary always lands in the bucket it closes. Up to scale 10 a small shared table
//! finds `j` without a logarithm (the hot path); above it `log2` estimates `j` and the boundary
//! comparison corrects it.
//!
//! Values below `f64::MIN_POSITIVE` (subnormals) share the bucket of `f64::MIN_POSITIVE`, as the
//! OTel reference implementations do.

use std::sync::OnceLock;

/// The coarsest scale: `base = 2^1024`, two buckets cover every positive `f64`.
///
/// ```
/// use apiscope::core::sketch::mapping::{Mapping, MIN_SCALE};
/// let m = Mapping::new(MIN_SCALE);
/// assert_eq!(m.max_index() - m.min_index() + 1, 2);
/// ```
pub const MIN_SCALE: i32 = -10;
/// The finest scale OTel allows (`base = 2^(2^-20)`, relative error 3.3e-7).
///
/// ```
/// use apiscope::core::sketch::mapping::{relative_error_at, MAX_SCALE};
/// assert!(relative_error_at(MAX_SCALE) < 4e-7);
/// ```
pub const MAX_SCALE: i32 = 20;
/// Scales up to this one index through a lookup table instead of `log2`.
const TABLE_MAX_SCALE: i32 = 10;

const MANTISSA_BITS: u32 = 52;
const MANTISSA_MASK: u64 = (1 << MANTISSA_BITS) - 1;
const EXPONENT_BIAS: i32 = 1023;
const ONE_BITS: u64 = 0x3ff0_0000_0000_0000;

/// The worst relative error of a bucket's representative at `scale` (clamped into
/// `[MIN_SCALE, MAX_SCALE]`): `(base - 1) / (base + 1)`.
///
/// ```
/// use apiscope::core::sketch::mapping::relative_error_at;
/// assert!((relative_error_at(0) - 1.0 / 3.0).abs() < 1e-15);
/// assert!((relative_error_at(6) - 0.005415).abs() < 1e-6);
/// ```
pub fn relative_error_at(scale: i32) -> f64 {
    RELATIVE_ERRORS[(scale.clamp(MIN_SCALE, MAX_SCALE) - MIN_SCALE) as usize]
}

/// `(b - 1) / (b + 1) = tanh(ln(b) / 2)` for each scale from `MIN_SCALE` on, worked out once
/// (a test checks every entry against the formula): the formula would link `tanh` and
/// `expm1` into the wasm for these 31 numbers.
const RELATIVE_ERRORS: [f64; (MAX_SCALE - MIN_SCALE + 1) as usize] = [
    1.0,                    // -10
    1.0,                    // -9
    1.0,                    // -8
    1.0,                    // -7
    1.0,                    // -6
    0.9999999995343387,     // -5
    0.9999694828875292,     // -4
    0.9922178988326849,     // -3
    0.8823529411764706,     // -2
    0.6,                    // -1
    0.3333333333333333,     // 0
    0.1715728752538099,     // 1
    0.08642723372588978,    // 2
    0.043294617499389176,   // 3
    0.02165746232622629,    // 4
    0.010830001253373642,   // 5
    0.005415159415902569,   // 6
    0.002707599557476328,   // 7
    0.0013538022599560793,  // 8
    0.0006769014401311317,  // 9
    0.00033845075883472906, // 10
    0.00016922538426351075, // 11
    8.461269273752367e-5,   // 12
    4.2306346444482874e-5,  // 13
    2.1153173231706566e-5,  // 14
    1.0576586617036424e-5,  // 15
    5.2882933086661056e-6,  // 16
    2.6441466543515393e-6,  // 17
    1.3220733271780806e-6,  // 18
    6.610366635893291e-7,   // 19
    3.3051833179470066e-7,  // 20
];

/// The coarsest scale whose relative error is at most `max_relative_error`, if any.
///
/// ```
/// use apiscope::core::sketch::mapping::scale_for_error;
/// assert_eq!(scale_for_error(0.01), Some(6));
/// assert_eq!(scale_for_error(1e-9), None);
/// ```
pub fn scale_for_error(max_relative_error: f64) -> Option<i32> {
    (MIN_SCALE..=MAX_SCALE).find(|&scale| relative_error_at(scale) <= max_relative_error)
}

/// The value <-> index mapping of one scale. Cheap to copy; build one per batch.
///
/// ```
/// use apiscope::core::sketch::mapping::Mapping;
/// let m = Mapping::new(0);
/// assert_eq!(m.index(1.0), -1); // (0.5, 1]
/// assert_eq!(m.index(2.0), 0); // (1, 2]
/// assert_eq!(m.lower_boundary(0), 1.0);
/// ```
#[derive(Clone, Copy)]
pub struct Mapping {
    scale: i32,
    table: Option<&'static MantissaTable>,
}

/// Mappings are equal when their scales are: the table is a cache of the scale.
impl PartialEq for Mapping {
    fn eq(&self, other: &Self) -> bool {
        self.scale == other.scale
    }
}

impl std::fmt::Debug for Mapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mapping")
            .field("scale", &self.scale)
            .finish()
    }
}

impl Mapping {
    /// The mapping at `scale`, clamped into `[MIN_SCALE, MAX_SCALE]`.
    ///
    /// ```
    /// use apiscope::core::sketch::mapping::{Mapping, MAX_SCALE};
    /// assert_eq!(Mapping::new(99).scale(), MAX_SCALE);
    /// ```
    pub fn new(scale: i32) -> Self {
        let scale = scale.clamp(MIN_SCALE, MAX_SCALE);
        let table = (1..=TABLE_MAX_SCALE)
            .contains(&scale)
            .then(|| MantissaTable::get(scale));
        Self { scale, table }
    }

    /// The scale of this mapping.
    ///
    /// ```
    /// use apiscope::core::sketch::mapping::Mapping;
    /// assert_eq!(Mapping::new(6).scale(), 6);
    /// ```
    pub fn scale(&self) -> i32 {
        self.scale
    }

    /// The index of the bucket holding `value`, for positive finite `value` (other inputs give
    /// an index but no meaning).
    ///
    /// ```
    /// use apiscope::core::sketch::mapping::Mapping;
    /// let m = Mapping::new(3);
    /// assert_eq!(m.index(1024.0), (10 << 3) - 1);
    /// let b = m.lower_boundary(5);
    /// assert_eq!(m.index(b), 4); // a boundary closes the bucket below it
    /// ```
    #[inline(always)]
    pub fn index(&self, value: f64) -> i32 {
        let bits = value.to_bits();
        let biased = ((bits >> MANTISSA_BITS) & 0x7ff) as i32;
        // Subnormals: treated as f64::MIN_POSITIVE (exponent -1022, mantissa 0).
        let (exponent, mantissa) = if biased == 0 {
            (1 - EXPONENT_BIAS, 0)
        } else {
            (biased - EXPONENT_BIAS, bits & MANTISSA_MASK)
        };
        let scale = self.scale;
        if mantissa == 0 {
            // An exact power of two closes the bucket below it.
            return if scale >= 0 {
                (exponent << scale) - 1
            } else {
                (exponent - 1) >> -scale
            };
        }
        if scale <= 0 {
            return exponent >> -scale;
        }
        let sub = match self.table {
            Some(table) => table.sub_index(scale, mantissa),
            None => sub_index_by_log(scale, f64::from_bits(mantissa | ONE_BITS)),
        };
        (exponent << scale) + sub as i32
    }

    /// The exclusive lower bound of bucket `index`, `base^index` (the inclusive upper bound is
    /// `lower_boundary(index + 1)`). Overflows to infinity and underflows to 0 at the extremes.
    ///
    /// ```
    /// use apiscope::core::sketch::mapping::Mapping;
    /// assert!((Mapping::new(1).lower_boundary(1) - 2f64.sqrt()).abs() <= f64::EPSILON);
    /// assert_eq!(Mapping::new(-1).lower_boundary(1), 4.0);
    /// ```
    #[inline(never)] // called twice per bucket read; inlining it only copies it
    pub fn lower_boundary(&self, index: i32) -> f64 {
        let scale = self.scale;
        if scale <= 0 {
            return pow2(i64::from(index) << -scale);
        }
        let sub = (index & ((1 << scale) - 1)) as usize;
        // The table holds the same floats as `mantissa_boundary`, without an `exp` per call.
        let mantissa = match self.table {
            Some(table) => table.boundaries[sub],
            None => mantissa_boundary(scale, sub),
        };
        mantissa * pow2(i64::from(index >> scale))
    }

    /// The lowest index any positive value maps to (that of `f64::MIN_POSITIVE`).
    ///
    /// ```
    /// use apiscope::core::sketch::mapping::Mapping;
    /// assert_eq!(Mapping::new(0).min_index(), -1023);
    /// ```
    pub fn min_index(&self) -> i32 {
        // `index(f64::MIN_POSITIVE)`, a power of two (2^-1022), worked out.
        if self.scale >= 0 {
            (-1022 << self.scale) - 1
        } else {
            -1023 >> -self.scale
        }
    }

    /// The highest index any finite value maps to (that of `f64::MAX`).
    ///
    /// ```
    /// use apiscope::core::sketch::mapping::Mapping;
    /// assert_eq!(Mapping::new(0).max_index(), 1023);
    /// ```
    pub fn max_index(&self) -> i32 {
        // `index(f64::MAX)`, just under 2^1024: the last bucket below 2^1024, worked out.
        if self.scale >= 0 {
            (1024 << self.scale) - 1
        } else {
            1023 >> -self.scale
        }
    }
}

/// `2^(sub / 2^scale)`, the boundaries within one power of two, as OTel's reference mapping
/// computes them (`exp(sub * ln 2 / 2^scale)`, within an ulp of the exact power). Every
/// boundary float comes from here, so indexing and reporting agree to the last bit. (Not
/// `exp2`: its 4 KB table would be most of what the wasm part spends on numbers.)
fn mantissa_boundary(scale: i32, sub: usize) -> f64 {
    match sub {
        0 => 1.0,
        _ => (sub as f64 * (std::f64::consts::LN_2 / f64::from(1u32 << scale))).exp(),
    }
}

/// `2^e` exactly, including subnormal results; 0 and infinity beyond the `f64` range.
fn pow2(e: i64) -> f64 {
    match e {
        ..=-1075 => 0.0,
        -1074..=-1023 => f64::from_bits(1u64 << (e + 1074)),
        -1022..=1023 => f64::from_bits(((e + i64::from(EXPONENT_BIAS)) as u64) << MANTISSA_BITS),
        _ => f64::INFINITY,
    }
}

/// `j` for mantissa `m` in `(1, 2)`: estimated with `log2`, then corrected at the boundaries.
/// Out of line: scales this fine are rare, and `index` is inlined into every hot loop.
#[inline(never)]
fn sub_index_by_log(scale: i32, m: f64) -> usize {
    let last = (1usize << scale) - 1;
    let estimate = (m.log2() * f64::from(1u32 << scale)).ceil() - 1.0;
    let mut sub = (estimate.max(0.0) as usize).min(last);
    while sub > 0 && m <= mantissa_boundary(scale, sub) {
        sub -= 1;
    }
    while sub < last && m > mantissa_boundary(scale, sub + 1) {
        sub += 1;
    }
    sub
}

/// Per-scale lookup: the mantissa is cut into `2^(scale+1)` equal cells, narrower than the
/// narrowest bucket (`2^(2^-scale) - 1 > ln 2 / 2^scale`), so each cell holds at most one
/// boundary and one comparison settles `j`.
struct MantissaTable {
    /// `mantissa_boundary(scale, j)` for `j` in `0..=2^scale`.
    boundaries: Vec<f64>,
    /// For each cell, how many inner boundaries lie below the cell's start, and the next
    /// boundary above those: both in one entry, so that the hot path makes no dependent loads.
    cells: Vec<(usize, f64)>,
}

static TABLES: [OnceLock<MantissaTable>; TABLE_MAX_SCALE as usize] =
    [const { OnceLock::new() }; TABLE_MAX_SCALE as usize];

impl MantissaTable {
    /// The shared table for `scale` in `1..=TABLE_MAX_SCALE`, built on first use.
    fn get(scale: i32) -> &'static Self {
        TABLES[(scale - 1) as usize].get_or_init(|| Self::build(scale))
    }

    fn build(scale: i32) -> Self {
        let buckets = 1usize << scale;
        let count = 2 * buckets;
        let boundaries: Vec<f64> = (0..=buckets)
            .map(|sub| mantissa_boundary(scale, sub))
            .collect();
        let mut below = 0;
        let cells = (0..count)
            .map(|cell| {
                let start = 1.0 + cell as f64 / count as f64;
                while below + 1 < buckets && boundaries[below + 1] < start {
                    below += 1;
                }
                (below, boundaries[below + 1])
            })
            .collect();
        Self { boundaries, cells }
    }

    #[inline]
    fn sub_index(&self, scale: i32, mantissa: u64) -> usize {
        let (below, next) = self.cells[(mantissa >> (MANTISSA_BITS - scale as u32 - 1)) as usize];
        let m = f64::from_bits(mantissa | ONE_BITS);
        below + usize::from(m > next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition itself: the unique index whose bucket holds `v`.
    fn reference_index(scale: i32, v: f64) -> i32 {
        let m = Mapping::new(scale);
        let estimate = (v.log2() * 2f64.powi(scale)).ceil() as i32 - 1;
        (estimate - 2..=estimate + 2)
            .find(|&i| m.lower_boundary(i) < v && v <= m.lower_boundary(i + 1))
            .expect("some bucket holds v")
    }

    #[test]
    fn table_and_log_paths_agree_with_the_definition() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for scale in MIN_SCALE..=MAX_SCALE {
            let m = Mapping::new(scale);
            for _ in 0..2_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let v = f64::from_bits((x >> 12) | ((1000 + (x % 60)) << MANTISSA_BITS));
                assert_eq!(
                    m.index(v),
                    reference_index(scale, v),
                    "scale {scale}, v {v}"
                );
            }
        }
    }

    #[test]
    fn every_boundary_closes_its_bucket() {
        for scale in [1, 4, 6, 10, 11, 16, 20] {
            let m = Mapping::new(scale);
            for (e, sub) in (-1000..1000).step_by(7).zip(0..) {
                let i = (e << scale) + (sub & ((1 << scale) - 1));
                let b = m.lower_boundary(i);
                assert_eq!(m.index(b), i - 1, "scale {scale}, index {i}");
                assert_eq!(
                    m.index(f64::from_bits(b.to_bits() + 1)),
                    i,
                    "scale {scale}, index {i}"
                );
            }
        }
    }

    #[test]
    fn downscaling_is_a_shift() {
        let values = [1e-300, 0.001, 0.75, 1.0, 3.0, 1000.0, 3.6e6, 1e300];
        for scale in MIN_SCALE + 1..=MAX_SCALE {
            for v in values {
                let fine = Mapping::new(scale).index(v);
                assert_eq!(fine >> 1, Mapping::new(scale - 1).index(v), "{scale} {v}");
            }
        }
    }

    #[test]
    fn relative_errors_follow_the_formula() {
        for scale in MIN_SCALE..=MAX_SCALE {
            // tanh stays finite where the base itself overflows.
            let formula = (std::f64::consts::LN_2 * 2f64.powi(-scale) / 2.0).tanh();
            let table = relative_error_at(scale);
            assert!(
                (table - formula).abs() <= 2.0 * f64::EPSILON * formula,
                "scale {scale}"
            );
        }
        assert_eq!(
            relative_error_at(MAX_SCALE + 5),
            relative_error_at(MAX_SCALE)
        );
    }

    #[test]
    fn extremes_stay_in_range() {
        for scale in MIN_SCALE..=MAX_SCALE {
            let m = Mapping::new(scale);
            assert_eq!(m.min_index(), m.index(f64::MIN_POSITIVE), "scale {scale}");
            assert_eq!(m.max_index(), m.index(f64::MAX), "scale {scale}");
            assert_eq!(m.index(5e-324), m.min_index());
            assert!(m.min_index() < m.max_index());
            assert!(m.lower_boundary(m.max_index() + 1) >= f64::MAX);
        }
    }
}
