//! The sketch as an OTLP JSON `ExponentialHistogramDataPoint` (without attributes and
//! timestamps, which an exporter adds around it).

use super::Sketch;
use serde::{Serialize, Serializer};

/// An OTLP/JSON exponential histogram data point. 64-bit integers serialise as decimal strings,
/// as OTLP/JSON requires; `min`/`max` are left out of empty histograms.
///
/// ```
/// use apiscope::core::sketch::Sketch;
/// let mut sketch = Sketch::default();
/// sketch.record_many(&[0.0, 2.0]).unwrap();
/// let point = sketch.to_otlp();
/// assert_eq!((point.count, point.zero_count, point.scale), (2, 1, 6));
/// assert_eq!(point.positive.offset, (1 << 6) - 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtlpExponentialHistogram {
    /// Values recorded, the zero bucket included.
    #[serde(serialize_with = "decimal")]
    pub count: u64,
    /// Sum of the values.
    pub sum: f64,
    /// Resolution: `base = 2^(2^-scale)`.
    pub scale: i32,
    /// Values equal to 0.
    #[serde(serialize_with = "decimal")]
    pub zero_count: u64,
    /// Buckets of the positive values.
    pub positive: OtlpBuckets,
    /// Smallest value; absent when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest value; absent when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Always 0: only exact zeros go in the zero bucket.
    pub zero_threshold: f64,
}

/// Dense bucket counts: `bucket_counts[i]` counts `(base^(offset+i), base^(offset+i+1)]`.
///
/// ```
/// use apiscope::core::sketch::Sketch;
/// let mut sketch = Sketch::default();
/// sketch.record_many(&[1.0, 1.01]).unwrap();
/// assert_eq!(sketch.to_otlp().positive.bucket_counts, [1, 1]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtlpBuckets {
    /// Index of the first bucket.
    pub offset: i32,
    /// Counts from `offset` on, empty buckets in between included.
    #[serde(serialize_with = "decimals")]
    pub bucket_counts: Vec<u64>,
}

fn decimal<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(n)
}

fn decimals<S: Serializer>(ns: &[u64], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ns.iter().map(u64::to_string))
}

impl Sketch {
    /// This sketch as an OTLP exponential histogram data point.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let point = Sketch::default().to_otlp();
    /// assert_eq!((point.count, point.min), (0, None));
    /// ```
    pub fn to_otlp(&self) -> OtlpExponentialHistogram {
        let present = |v: f64| (self.count > 0).then_some(v);
        OtlpExponentialHistogram {
            count: self.count,
            sum: self.sum,
            scale: self.scale(),
            zero_count: self.zero_count,
            positive: OtlpBuckets {
                offset: if self.buckets.is_empty() {
                    0
                } else {
                    self.buckets.offset()
                },
                bucket_counts: self.buckets.counts().collect(),
            },
            min: present(self.min),
            max: present(self.max),
            zero_threshold: 0.0,
        }
    }
}
