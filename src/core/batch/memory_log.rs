//! Stored batches kept in memory: the store's fallback when IndexedDB is unavailable, with the
//! same semantics (idempotent by batch id, time-range reads, paging, retention) and a hard cap.

use std::collections::BTreeMap;

use crate::core::batch::columnar::ColumnarBatch;
use crate::core::batch::page::{PageBuilder, SampleCursor, SamplePage};
use crate::core::batch::retention::{BatchExtent, Retention};

/// Batches by id, bounded by `max_samples` (the oldest batches go first, counted).
///
/// ```
/// use apiscope::core::{batch::columnar::ColumnarBatch, batch::memory_log::MemoryLog, batch::sample::Sample};
/// let mut log = MemoryLog::new(1_000);
/// let batch = ColumnarBatch::encode("b", &[Sample::new(5.0, 1.0, "GET", "/", 200)]).unwrap();
/// log.put(batch.clone());
/// log.put(batch); // a replay overwrites
/// assert_eq!(log.count_samples(), 1);
/// assert_eq!(log.read_range(0.0, 10.0).len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct MemoryLog {
    batches: BTreeMap<String, ColumnarBatch>,
    max_samples: u64,
    evicted: u64,
}

impl MemoryLog {
    /// An empty log holding at most `max_samples` samples.
    pub fn new(max_samples: u64) -> Self {
        Self {
            batches: BTreeMap::new(),
            max_samples,
            evicted: 0,
        }
    }

    /// Stores a batch (replacing one with the same id), then evicts the oldest batches beyond
    /// the cap.
    pub fn put(&mut self, batch: ColumnarBatch) {
        self.batches.insert(batch.id().to_owned(), batch);
        let cap = Retention {
            max_age_ms: f64::INFINITY,
            max_samples: self.max_samples,
        };
        self.evicted += self.apply_retention(&cap, 0.0);
    }

    /// Batches with a sample starting in `[from_ms, to_ms]`, in time order.
    pub fn read_range(&self, from_ms: f64, to_ms: f64) -> Vec<ColumnarBatch> {
        self.in_order()
            .filter(|b| b.min_start_ms() <= to_ms && b.max_start_ms() >= from_ms)
            .cloned()
            .collect()
    }

    /// Up to `limit` samples after `after`.
    pub fn read_page(&self, after: Option<SampleCursor>, limit: usize) -> SamplePage {
        let mut page = PageBuilder::new(after, limit);
        let from = page.seek_ms().unwrap_or(f64::NEG_INFINITY);
        for batch in self.in_order().filter(|b| b.min_start_ms() >= from) {
            if !page.offer(batch) {
                break;
            }
        }
        page.finish()
    }

    /// Samples stored.
    pub fn count_samples(&self) -> u64 {
        self.batches.values().map(|b| b.len() as u64).sum()
    }

    /// Deletes what `retention` expires at `now_ms`; returns the samples deleted.
    pub fn apply_retention(&mut self, retention: &Retention, now_ms: f64) -> u64 {
        let extents: Vec<BatchExtent> = self.batches.values().map(extent).collect();
        retention
            .expired(&extents, now_ms)
            .iter()
            .filter_map(|id| self.batches.remove(id))
            .map(|b| b.len() as u64)
            .sum()
    }

    /// Deletes everything.
    pub fn clear(&mut self) {
        self.batches.clear();
    }

    /// Samples evicted by the cap so far.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    fn in_order(&self) -> impl Iterator<Item = &ColumnarBatch> {
        let mut ordered: Vec<&ColumnarBatch> = self.batches.values().collect();
        ordered.sort_by(|a, b| {
            a.min_start_ms()
                .total_cmp(&b.min_start_ms())
                .then_with(|| a.id().cmp(b.id()))
        });
        ordered.into_iter()
    }
}

/// The retention view of a batch.
///
/// ```
/// use apiscope::core::{batch::columnar::ColumnarBatch, batch::memory_log::extent, batch::sample::Sample};
/// let batch = ColumnarBatch::encode("b", &[Sample::new(5.0, 1.0, "GET", "/", 200)]).unwrap();
/// assert_eq!(extent(&batch).max_start_ms, 5.0);
/// ```
pub fn extent(batch: &ColumnarBatch) -> BatchExtent {
    BatchExtent {
        id: batch.id().to_owned(),
        max_start_ms: batch.max_start_ms(),
        count: batch.len() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::batch::sample::Sample;

    fn batch(id: &str, t0: f64, n: usize) -> ColumnarBatch {
        let samples: Vec<Sample> = (0..n)
            .map(|i| Sample::new(t0 + i as f64, 1.0, "GET", "/", 200))
            .collect();
        ColumnarBatch::encode(id, &samples).unwrap()
    }

    #[test]
    fn cap_evicts_oldest_and_counts() {
        let mut log = MemoryLog::new(10);
        log.put(batch("a", 0.0, 4));
        log.put(batch("b", 10.0, 4));
        log.put(batch("c", 20.0, 4));
        assert_eq!(log.count_samples(), 8);
        assert_eq!(log.evicted(), 4);
        assert!(log.read_range(0.0, 5.0).is_empty());
    }

    #[test]
    fn range_reads_overlapping_batches_in_time_order() {
        let mut log = MemoryLog::new(100);
        log.put(batch("z", 0.0, 5));
        log.put(batch("y", 10.0, 5));
        log.put(batch("x", 20.0, 5));
        let ids: Vec<String> = log
            .read_range(4.0, 10.0)
            .iter()
            .map(|b| b.id().to_owned())
            .collect();
        assert_eq!(ids, ["z", "y"]);
        let page = log.read_page(None, 7);
        assert_eq!(page.samples.len(), 7);
        assert_eq!(log.read_page(page.next, 100).samples.len(), 8);
    }

    #[test]
    fn retention_and_clear() {
        let mut log = MemoryLog::new(100);
        log.put(batch("a", 0.0, 5));
        log.put(batch("b", 100.0, 5));
        let r = Retention {
            max_age_ms: 50.0,
            max_samples: 100,
        };
        assert_eq!(log.apply_retention(&r, 120.0), 5);
        log.clear();
        assert_eq!(log.count_samples(), 0);
    }
}
