//! Paging raw samples out of stored batches with a resumable cursor.
//!
//! Batches are visited in `(min_start_ms, id)` order — the order of IndexedDB's start-time
//! index, whose ties fall back to the record key — and samples in their order within a batch,
//! so a cursor is a batch position plus an offset and every sample is returned exactly once.

use std::cmp::Ordering;

use crate::core::batch::columnar::ColumnarBatch;
use crate::core::batch::sample::Sample;

/// Where the next page starts.
///
/// ```
/// use apiscope::core::batch::page::SampleCursor;
/// let c = SampleCursor { min_start_ms: 5.0, batch_id: "b".into(), offset: 2 };
/// assert_eq!(c.offset, 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SampleCursor {
    /// `min_start_ms` of the batch to resume in (the index key to seek to).
    pub min_start_ms: f64,
    /// Id of that batch.
    pub batch_id: String,
    /// Samples of it already returned.
    pub offset: usize,
}

/// One page of samples; `next` is `None` when nothing follows. A full page may be followed by
/// an empty last one.
///
/// ```
/// use apiscope::core::batch::page::SamplePage;
/// let page = SamplePage { samples: vec![], next: None };
/// assert!(page.next.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SamplePage {
    /// Up to `limit` samples.
    pub samples: Vec<Sample>,
    /// Cursor for the following page.
    pub next: Option<SampleCursor>,
}

/// Fills a page from batches offered in `(min_start_ms, id)` order, starting at or after
/// [`PageBuilder::seek_ms`].
///
/// ```
/// use apiscope::core::{batch::columnar::ColumnarBatch, batch::sample::Sample, batch::page::PageBuilder};
/// let batch = ColumnarBatch::encode("b", &[
///     Sample::new(1.0, 1.0, "GET", "/", 200),
///     Sample::new(2.0, 1.0, "GET", "/", 200),
///     Sample::new(3.0, 1.0, "GET", "/", 200),
/// ]).unwrap();
/// let mut first = PageBuilder::new(None, 2);
/// assert!(!first.offer(&batch)); // full: stop scanning
/// let page = first.finish();
/// assert_eq!(page.samples.len(), 2);
/// let mut second = PageBuilder::new(page.next, 2);
/// assert_eq!(second.seek_ms(), Some(1.0));
/// assert!(second.offer(&batch));
/// assert_eq!(second.finish().samples[0].start_ms, 3.0);
/// ```
#[derive(Debug)]
pub struct PageBuilder {
    after: Option<SampleCursor>,
    limit: usize,
    samples: Vec<Sample>,
    next: Option<SampleCursor>,
}

impl PageBuilder {
    /// A page of at most `limit` samples (at least 1) resuming at `after`.
    pub fn new(after: Option<SampleCursor>, limit: usize) -> Self {
        let limit = limit.max(1);
        Self {
            after,
            limit,
            samples: Vec::with_capacity(limit.min(4096)),
            next: None,
        }
    }

    /// The smallest `min_start_ms` worth scanning from, if resuming.
    pub fn seek_ms(&self) -> Option<f64> {
        self.after.as_ref().map(|c| c.min_start_ms)
    }

    /// Takes what the page needs from the next batch; `false` once the page is full.
    pub fn offer(&mut self, batch: &ColumnarBatch) -> bool {
        let skip = match &self.after {
            None => 0,
            Some(after) => {
                match position(batch).partial_cmp(&(after.min_start_ms, &after.batch_id)) {
                    Some(Ordering::Less) => batch.len(),
                    Some(Ordering::Equal) => after.offset,
                    _ => 0,
                }
            }
        };
        let room = self.limit - self.samples.len();
        let end = batch.len().min(skip.saturating_add(room));
        self.samples.extend((skip..end).map(|i| batch.sample(i)));
        let full = self.samples.len() == self.limit;
        if full {
            self.next = Some(SampleCursor {
                min_start_ms: batch.min_start_ms(),
                batch_id: batch.id().to_owned(),
                offset: end,
            });
        }
        !full
    }

    /// The page.
    pub fn finish(self) -> SamplePage {
        SamplePage {
            samples: self.samples,
            next: self.next,
        }
    }
}

fn position(batch: &ColumnarBatch) -> (f64, &String) {
    (batch.min_start_ms(), &batch.columns().id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches() -> Vec<ColumnarBatch> {
        // Two batches share a min start: the id breaks the tie.
        [
            ("a", 0.0, 3),
            ("b", 10.0, 4),
            ("c", 10.0, 2),
            ("d", 20.0, 5),
        ]
        .iter()
        .map(|&(id, t0, n)| {
            let samples: Vec<Sample> = (0..n)
                .map(|i| Sample::new(t0 + i as f64, 1.0, "GET", id, 200))
                .collect();
            ColumnarBatch::encode(id, &samples).unwrap()
        })
        .collect()
    }

    #[test]
    fn pages_return_every_sample_once_in_order() {
        let all = batches();
        for limit in 1..=15 {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let mut page = PageBuilder::new(after, limit);
                let from = page.seek_ms().unwrap_or(f64::NEG_INFINITY);
                for batch in all.iter().filter(|b| b.min_start_ms() >= from) {
                    if !page.offer(batch) {
                        break;
                    }
                }
                let page = page.finish();
                assert!(page.samples.len() <= limit);
                seen.extend(page.samples);
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            let expected: Vec<Sample> = all.iter().flat_map(|b| b.samples()).collect();
            assert_eq!(seen, expected, "limit {limit}");
        }
    }
}
