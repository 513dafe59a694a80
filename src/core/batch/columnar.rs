//! A batch as one storage record: typed columns plus a route dictionary.
//!
//! One record per batch keeps IndexedDB cost per transaction, not per sample, and typed
//! columns are structured-cloned as flat buffers instead of thousands of small objects.
//! Every column is `f64` where exactness matters, so encode → decode is lossless.

use std::sync::Arc;

use crate::core::ascii::split_once;
use crate::core::batch::sample::Sample;
use crate::core::delivery::{Protocol, pack, unpack};
use crate::core::error::{FieldError, Rule, indexed};
use crate::core::map::Map;

/// The `bytes` and `ttfb` columns' marker for an unknown value.
const UNKNOWN: f64 = -1.0;

/// The raw columns of a batch, as stored. Column `i` of every vector belongs to sample `i`.
///
/// ```
/// use apiscope::core::batch::columnar::{ColumnarBatch, Columns};
/// use apiscope::core::batch::sample::Sample;
/// let batch = ColumnarBatch::encode("b1", &[Sample::new(5.0, 1.0, "GET", "/a", 200)]).unwrap();
/// let columns: &Columns = batch.columns();
/// assert_eq!(columns.routes, vec!["GET /a".to_string()]);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Columns {
    /// Batch id: the record key, which makes a replayed write overwrite, not duplicate.
    pub id: String,
    /// Start times, epoch ms.
    pub start_ms: Vec<f64>,
    /// Durations, ms.
    pub duration_ms: Vec<f64>,
    /// HTTP statuses.
    pub status: Vec<u16>,
    /// 1 for ok, 0 for not ok.
    pub ok: Vec<u8>,
    /// Body sizes; -1 when unknown (not `NaN`, so batches compare equal to themselves).
    pub bytes: Vec<f64>,
    /// Index into `routes` per sample.
    pub route_id: Vec<u32>,
    /// Route dictionary: `"METHOD route"` per id.
    pub routes: Vec<String>,
    /// Times to first byte; -1 when unknown. Records written before round 2 have none: read
    /// back, the column is all -1.
    pub ttfb_ms: Vec<f64>,
    /// Timing and delivery per sample ([`crate::core::delivery::pack`]); all 0 in records
    /// written before round 2.
    pub flags: Vec<u8>,
}

/// A validated batch record: columns of equal length, route ids in range, at least one sample.
///
/// ```
/// use apiscope::core::batch::columnar::ColumnarBatch;
/// use apiscope::core::batch::sample::Sample;
/// let samples = vec![
///     Sample::new(20.0, 1.0, "GET", "/a", 200),
///     Sample::new(10.0, 2.0, "POST", "/a", 201),
/// ];
/// let batch = ColumnarBatch::encode("b1", &samples).unwrap();
/// assert_eq!((batch.min_start_ms(), batch.max_start_ms(), batch.len()), (10.0, 20.0, 2));
/// assert_eq!(batch.samples(), samples);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnarBatch {
    columns: Columns,
    min_start_ms: f64,
    max_start_ms: f64,
}

impl ColumnarBatch {
    /// Encodes valid samples under `id`. Fails on an empty batch or an invalid sample (the error
    /// names its field and index).
    ///
    /// ```
    /// use apiscope::core::batch::columnar::ColumnarBatch;
    /// use apiscope::core::batch::sample::Sample;
    /// assert_eq!(ColumnarBatch::encode("b", &[]).unwrap_err().field, "samples");
    /// let bad = Sample::new(0.0, -1.0, "GET", "/", 200);
    /// let err = ColumnarBatch::encode("b", &[bad]).unwrap_err();
    /// assert_eq!(err.to_string(), "samples[0].durationMs: must be a finite number >= 0, got -1");
    /// ```
    pub fn encode(id: impl Into<String>, samples: &[Sample]) -> Result<Self, FieldError> {
        let mut columns = Columns {
            id: id.into(),
            ..Columns::default()
        };
        // Dictionary ids in first-seen order, found by route, then among that route's methods
        // (each entry links the route's previous one): a `Map<&str, u32>`, the map type the
        // history summary uses, rather than one of its own.
        let mut by_route: Map<&str, u32> = Map::default();
        let mut keys: Vec<(&str, Option<u32>)> = Vec::new();
        for (index, sample) in samples.iter().enumerate() {
            sample
                .validate()
                .map_err(|e| e.within(&indexed("samples", index)))?;
            let (method, route) = (&*sample.method, &*sample.route);
            let mut known = by_route.get(route).copied();
            while let Some(id) = known.filter(|&id| keys[id as usize].0 != method) {
                known = keys[id as usize].1;
            }
            let route_id = known.unwrap_or_else(|| {
                let id = keys.len() as u32;
                keys.push((method, by_route.insert(route, id)));
                let mut joined = String::with_capacity(method.len() + 1 + route.len());
                joined.push_str(method);
                joined.push(' ');
                joined.push_str(route);
                columns.routes.push(joined);
                id
            });
            columns.start_ms.push(sample.start_ms);
            columns.duration_ms.push(sample.duration_ms);
            columns.status.push(sample.status);
            columns.ok.push(u8::from(sample.ok));
            columns.bytes.push(sample.bytes.map_or(UNKNOWN, f64::from));
            columns.route_id.push(route_id);
            columns.ttfb_ms.push(sample.ttfb_ms.unwrap_or(UNKNOWN));
            columns.flags.push(pack(sample.timing, sample.delivery));
        }
        Self::from_columns(columns)
    }

    /// Validates columns read back from storage, which may be corrupt or from another version.
    ///
    /// ```
    /// use apiscope::core::batch::columnar::{ColumnarBatch, Columns};
    /// let columns = Columns {
    ///     id: "b".into(),
    ///     start_ms: vec![1.0],
    ///     duration_ms: vec![],
    ///     ..Columns::default()
    /// };
    /// assert_eq!(ColumnarBatch::from_columns(columns).unwrap_err().field, "durationMs");
    /// ```
    pub fn from_columns(mut columns: Columns) -> Result<Self, FieldError> {
        let len = columns.start_ms.len();
        // Records from before round 2 have neither column: every value unknown.
        if columns.ttfb_ms.is_empty() {
            columns.ttfb_ms = vec![UNKNOWN; len];
        }
        if columns.flags.is_empty() {
            columns.flags = vec![0; len];
        }
        if len == 0 {
            return Err(FieldError::new("samples", Rule::NotEmpty));
        }
        let lengths = [
            ("durationMs", columns.duration_ms.len()),
            ("status", columns.status.len()),
            ("ok", columns.ok.len()),
            ("bytes", columns.bytes.len()),
            ("routeId", columns.route_id.len()),
            ("ttfb", columns.ttfb_ms.len()),
            ("flags", columns.flags.len()),
        ];
        for (field, got) in lengths {
            if got != len {
                let rule = Rule::Form("as long as the startMs column");
                return Err(FieldError::new(field, rule).got(got as f64));
            }
        }
        let routes = columns.routes.len();
        if let Some(bad) = columns.route_id.iter().find(|&&id| id as usize >= routes) {
            let rule = Rule::Form("an index of the route dictionary");
            return Err(FieldError::new("routeId", rule).got(f64::from(*bad)));
        }
        // Bytes, not a char pattern: that links a `&str` searcher (see `RouteKey::split`).
        if let Some(bad) = columns
            .routes
            .iter()
            .find(|r| !r.as_bytes().contains(&b' '))
        {
            let rule = Rule::Form("\"METHOD route\"");
            return Err(FieldError::new("routes", rule).got_text(bad));
        }
        if columns.start_ms.iter().any(|t| !t.is_finite()) {
            return Err(FieldError::new("startMs", Rule::Form("finite start times")));
        }
        let (min_start_ms, max_start_ms) = columns
            .start_ms
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &t| {
                (lo.min(t), hi.max(t))
            });
        Ok(Self {
            columns,
            min_start_ms,
            max_start_ms,
        })
    }

    /// Decodes the samples, in their original order.
    ///
    /// ```
    /// use apiscope::core::batch::columnar::ColumnarBatch;
    /// use apiscope::core::batch::sample::Sample;
    /// let mut s = Sample::new(1.0, 2.0, "GET", "/with space", 0);
    /// s.bytes = Some(512);
    /// let batch = ColumnarBatch::encode("b", &[s.clone()]).unwrap();
    /// assert_eq!(batch.samples(), vec![s]);
    /// ```
    pub fn samples(&self) -> Vec<Sample> {
        // One shared method and route per dictionary entry, not one copy per sample.
        let mut names: Vec<(Arc<str>, Arc<str>)> = Vec::with_capacity(self.columns.routes.len());
        for id in 0..self.columns.routes.len() {
            let (method, route) = self.names(id);
            names.push((method.into(), route.into()));
        }
        let mut samples = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            let (method, route) = &names[self.columns.route_id[i] as usize];
            samples.push(self.sample_named(i, method.clone(), route.clone()));
        }
        samples
    }

    /// Decodes sample `index` (which must be below [`ColumnarBatch::len`]).
    ///
    /// ```
    /// use apiscope::core::batch::columnar::ColumnarBatch;
    /// use apiscope::core::batch::sample::Sample;
    /// let batch = ColumnarBatch::encode("b", &[Sample::new(1.0, 2.0, "PUT", "/x", 204)]).unwrap();
    /// assert_eq!(&*batch.sample(0).method, "PUT");
    /// ```
    pub fn sample(&self, index: usize) -> Sample {
        let (method, route) = self.names(self.columns.route_id[index] as usize);
        self.sample_named(index, method.into(), route.into())
    }

    /// The method and route of dictionary entry `id`.
    fn names(&self, id: usize) -> (&str, &str) {
        // Validated in from_columns: the id is in range and the entry has a space.
        let entry = &self.columns.routes[id];
        split_once(entry, b' ').unwrap_or((entry, ""))
    }

    fn sample_named(&self, index: usize, method: Arc<str>, route: Arc<str>) -> Sample {
        let c = &self.columns;
        let bytes = c.bytes[index];
        let (timing, delivery) = unpack(c.flags[index]);
        Sample {
            start_ms: c.start_ms[index],
            duration_ms: c.duration_ms[index],
            method,
            route,
            status: c.status[index],
            ok: c.ok[index] != 0,
            bytes: (bytes >= 0.0).then_some(bytes as u32),
            ttfb_ms: Some(c.ttfb_ms[index]).filter(|&t| t >= 0.0),
            timing,
            delivery,
            protocol: Protocol::Unknown,
        }
    }

    /// The batch id (the record key).
    ///
    /// ```
    /// # use apiscope::core::{batch::columnar::ColumnarBatch, batch::sample::Sample};
    /// let batch = ColumnarBatch::encode("b7", &[Sample::new(1.0, 2.0, "GET", "/", 200)]).unwrap();
    /// assert_eq!(batch.id(), "b7");
    /// ```
    pub fn id(&self) -> &str {
        &self.columns.id
    }

    /// How many samples the batch holds (at least 1).
    ///
    /// ```
    /// # use apiscope::core::{batch::columnar::ColumnarBatch, batch::sample::Sample};
    /// let batch = ColumnarBatch::encode("b", &[Sample::new(1.0, 2.0, "GET", "/", 200)]).unwrap();
    /// assert_eq!(batch.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.columns.start_ms.len()
    }

    /// Always false: a batch holds at least one sample. (Here for clippy's `len_without_is_empty`.)
    ///
    /// ```
    /// # use apiscope::core::{batch::columnar::ColumnarBatch, batch::sample::Sample};
    /// let batch = ColumnarBatch::encode("b", &[Sample::new(1.0, 2.0, "GET", "/", 200)]).unwrap();
    /// assert!(!batch.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Earliest start time, epoch ms (indexed, for time-range reads).
    ///
    /// ```
    /// # use apiscope::core::{batch::columnar::ColumnarBatch, batch::sample::Sample};
    /// let batch = ColumnarBatch::encode("b", &[Sample::new(4.0, 2.0, "GET", "/", 200)]).unwrap();
    /// assert_eq!(batch.min_start_ms(), 4.0);
    /// ```
    pub fn min_start_ms(&self) -> f64 {
        self.min_start_ms
    }

    /// Latest start time, epoch ms (indexed, for retention by age).
    ///
    /// ```
    /// # use apiscope::core::{batch::columnar::ColumnarBatch, batch::sample::Sample};
    /// let batch = ColumnarBatch::encode("b", &[Sample::new(4.0, 2.0, "GET", "/", 200)]).unwrap();
    /// assert_eq!(batch.max_start_ms(), 4.0);
    /// ```
    pub fn max_start_ms(&self) -> f64 {
        self.max_start_ms
    }

    /// The raw columns, for writing.
    ///
    /// ```
    /// # use apiscope::core::{batch::columnar::ColumnarBatch, batch::sample::Sample};
    /// let batch = ColumnarBatch::encode("b", &[Sample::new(4.0, 2.0, "GET", "/", 200)]).unwrap();
    /// assert_eq!(batch.columns().status, vec![200]);
    /// ```
    pub fn columns(&self) -> &Columns {
        &self.columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varied(n: usize) -> Vec<Sample> {
        (0..n)
            .map(|i| {
                let mut s = Sample::new(
                    1.7e12 + i as f64 * 0.125,
                    (i as f64).sqrt() / 3.0,
                    ["GET", "POST", "DELETE"][i % 3],
                    ["/a", "/b/:id", "/c d"][i % 5 % 3],
                    [200, 404, 0, 503][i % 4],
                );
                s.ok = i % 7 != 0;
                s.bytes = (i % 2 == 0).then_some(i as u32 * 1_000_003);
                s
            })
            .collect()
    }

    #[test]
    fn round_trip_is_exact() {
        let samples = varied(1_000);
        let batch = ColumnarBatch::encode("x", &samples).unwrap();
        assert_eq!(batch.samples(), samples);
        assert_eq!(batch.columns().routes.len(), 9);
        let again = ColumnarBatch::from_columns(batch.columns().clone()).unwrap();
        assert_eq!(again, batch);
    }

    #[test]
    fn extreme_values_round_trip() {
        let mut s = Sample::new(f64::MAX, f64::MIN_POSITIVE, "GET", "/", u16::MIN);
        s.bytes = Some(u32::MAX);
        let batch = ColumnarBatch::encode("x", &[s.clone()]).unwrap();
        assert_eq!(batch.samples(), vec![s]);
    }

    #[test]
    fn corrupt_columns_are_rejected_by_field() {
        let good = ColumnarBatch::encode("x", &varied(4))
            .unwrap()
            .columns()
            .clone();
        type Spoil = fn(&mut Columns);
        let cases: [(&str, Spoil); 4] = [
            ("routeId", |c| c.route_id[0] = 99),
            ("routes", |c| c.routes[0] = "GET".into()),
            ("startMs", |c| c.start_ms[1] = f64::NAN),
            ("ok", |c| c.ok.clear()),
        ];
        for (field, spoil) in cases {
            let mut c = good.clone();
            spoil(&mut c);
            assert_eq!(ColumnarBatch::from_columns(c).unwrap_err().field, field);
        }
    }
}
