//! When to write buffered samples, and how many at once.
//!
//! The batcher is a pure state machine driven by the edge: it never reads a clock or starts a
//! timer. The edge pushes samples, takes due batches with [`Batcher::poll`], reports the write's
//! outcome with [`Batcher::complete`] or [`Batcher::fail`], and arms one timer for
//! [`Batcher::next_deadline`]. On `flush()`/`stop()`/`pagehide` it takes everything with
//! [`Batcher::drain_all`].
//!
//! Every accepted sample is accounted for exactly once:
//! `accepted == persisted + dropped + handed_off + buffered + in_flight`.

use std::collections::VecDeque;
use std::fmt;

use crate::core::batch::sample::Sample;
use crate::core::error::{FieldError, Rule};

/// Tuning of a [`Batcher`]. All times are milliseconds.
///
/// ```
/// use apiscope::core::batch::batcher::BatcherConfig;
/// let config = BatcherConfig { max_delay_ms: 500.0, ..BatcherConfig::default() };
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatcherConfig {
    /// Smallest adaptive batch size.
    pub min_size: usize,
    /// Largest adaptive batch size (`maxSize`); IndexedDB does best at 500–1000 per transaction.
    pub max_size: usize,
    /// Flush once the oldest buffered sample has waited this long.
    pub max_delay_ms: f64,
    /// Samples slower than this are written at once, like errors.
    pub slow_ms: f64,
    /// Hard bound on buffered samples; beyond it the oldest are dropped and counted.
    pub max_buffered: usize,
    /// Flushes slower than this halve the batch size; full flushes under a quarter of it double it.
    pub target_flush_ms: f64,
    /// First retry delay after a failed flush; doubles per consecutive failure.
    pub retry_base_ms: f64,
    /// Cap on the retry delay.
    pub retry_max_ms: f64,
}

impl Default for BatcherConfig {
    fn default() -> Self {
        Self {
            min_size: 50,
            max_size: 1000,
            max_delay_ms: 2_000.0,
            slow_ms: 3_000.0,
            max_buffered: 100_000,
            target_flush_ms: 50.0,
            retry_base_ms: 500.0,
            retry_max_ms: 60_000.0,
        }
    }
}

impl BatcherConfig {
    /// Checks the bounds; the error names the first bad field.
    ///
    /// ```
    /// use apiscope::core::batch::batcher::BatcherConfig;
    /// let bad = BatcherConfig { min_size: 0, ..BatcherConfig::default() };
    /// assert_eq!(bad.validate().unwrap_err().field, "minSize");
    /// ```
    pub fn validate(&self) -> Result<(), FieldError> {
        let at_least = |field, other, bound: usize, value: usize| {
            let rule = Rule::AtLeastField {
                other,
                value: bound as f64,
            };
            rule.check(value as f64).map_err(|p| p.of(field))
        };
        let one = Rule::Integer {
            min: 1.0,
            max: f64::INFINITY,
        };
        one.check(self.min_size as f64)
            .map_err(|p| p.of("minSize"))?;
        at_least("maxSize", "minSize", self.min_size, self.max_size)?;
        at_least("maxBuffered", "maxSize", self.max_size, self.max_buffered)?;
        let times = [
            ("maxDelayMs", self.max_delay_ms),
            ("slowMs", self.slow_ms),
            ("targetFlushMs", self.target_flush_ms),
            ("retryBaseMs", self.retry_base_ms),
            ("retryMaxMs", self.retry_max_ms),
        ];
        for (field, value) in times {
            Rule::FiniteNotNegative
                .check(value)
                .map_err(|p| p.of(field))?;
        }
        Ok(())
    }
}

/// A batch's identity: unique across tabs and page loads when `session` is random, so a
/// replayed write overwrites instead of duplicating.
///
/// ```
/// use apiscope::core::batch::batcher::BatchId;
/// let id = BatchId { session: 0xab, seq: 3 };
/// assert_eq!(id.to_string(), "00000000000000ab-000000000003");
/// let wide = BatchId { session: u64::MAX, seq: 1 << 52 };
/// assert_eq!(wide.to_string(), "ffffffffffffffff-10000000000000");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchId {
    /// Random per batcher (per tab and page load).
    pub session: u64,
    /// Sequence number within the session.
    pub seq: u64,
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:016x}-{:012x}` by hand: the engine wasm then links no integer padding.
        let mut id = String::with_capacity(29);
        push_hex(&mut id, self.session, 16);
        id.push('-');
        push_hex(&mut id, self.seq, 12);
        f.write_str(&id)
    }
}

/// `v` in lower-case hex, zero-padded to `width` (at most 16) digits.
fn push_hex(out: &mut String, v: u64, width: usize) {
    let digits = (64 - v.leading_zeros() as usize).div_ceil(4).max(width);
    for i in (0..digits).rev() {
        out.push(char::from(
            b"0123456789abcdef"[(v >> (4 * i)) as usize & 0xf],
        ));
    }
}

/// Samples to write together, oldest first.
///
/// ```
/// use apiscope::core::batch::batcher::{Batch, BatchId};
/// let batch = Batch { id: BatchId { session: 1, seq: 0 }, samples: vec![] };
/// assert!(batch.samples.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Identity for idempotent writes.
    pub id: BatchId,
    /// The samples, in push order.
    pub samples: Vec<Sample>,
}

/// What the edge should do after telling the batcher something.
///
/// ```
/// use apiscope::core::batch::batcher::{Batcher, BatcherConfig, FlushDecision};
/// use apiscope::core::batch::sample::Sample;
/// let mut b = Batcher::new(BatcherConfig::default(), 1).unwrap();
/// let decision = b.push(Sample::new(0.0, 5.0, "GET", "/", 200), 0.0);
/// assert_eq!(decision, FlushDecision::At(2_000.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FlushDecision {
    /// A batch is due: call [`Batcher::poll`] now.
    Now,
    /// Nothing is due before this epoch-ms time: (re)arm one timer for it.
    At(f64),
    /// Nothing to schedule: the buffer is empty or a flush is in flight (its outcome decides).
    Idle,
}

/// Counters for observability; see the module doc for the invariant they keep.
///
/// ```
/// use apiscope::core::batch::batcher::{Batcher, BatcherConfig};
/// let b = Batcher::new(BatcherConfig::default(), 1).unwrap();
/// assert_eq!(b.stats().accepted, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatcherStats {
    /// Samples pushed.
    pub accepted: u64,
    /// Samples in batches reported complete.
    pub persisted: u64,
    /// Samples dropped because the buffer overflowed.
    pub dropped: u64,
    /// Samples handed to the edge by [`Batcher::drain_all`].
    pub handed_off: u64,
    /// Samples waiting in the buffer.
    pub buffered: usize,
    /// Samples in the batch being written.
    pub in_flight: usize,
    /// Failed flushes so far.
    pub failed_flushes: u64,
    /// The current adaptive batch size.
    pub batch_size: usize,
}

#[derive(Debug)]
struct Queued {
    sample: Sample,
    arrived_ms: f64,
    priority: bool,
}

#[derive(Debug)]
struct InFlight {
    id: BatchId,
    items: Vec<Queued>,
}

/// The flush policy; see the module doc for how the edge drives it.
///
/// ```
/// use apiscope::core::batch::batcher::{Batcher, BatcherConfig, FlushDecision};
/// use apiscope::core::batch::sample::Sample;
/// let mut b = Batcher::new(BatcherConfig::default(), 7).unwrap();
/// // An error is a priority sample: it is due at once.
/// assert_eq!(b.push(Sample::new(0.0, 5.0, "GET", "/", 500), 0.0), FlushDecision::Now);
/// let batch = b.poll(0.0).unwrap();
/// assert_eq!(b.poll(0.0), None); // one flush in flight at a time
/// b.complete(batch.id, 3.0, 1.0);
/// assert_eq!(b.stats().persisted, 1);
/// ```
#[derive(Debug)]
pub struct Batcher {
    config: BatcherConfig,
    session: u64,
    next_seq: u64,
    queue: VecDeque<Queued>,
    in_flight: Option<InFlight>,
    priority_queued: bool,
    batch_size: usize,
    consecutive_failures: u32,
    retry_at_ms: Option<f64>,
    stats: BatcherStats,
}

impl Batcher {
    /// A batcher whose batch ids carry `session` (pick it at random per page load).
    /// The adaptive batch size starts at `min_size` and doubles while flushes are cheap.
    ///
    /// ```
    /// use apiscope::core::batch::batcher::{Batcher, BatcherConfig};
    /// let bad = BatcherConfig { max_size: 10, min_size: 20, ..BatcherConfig::default() };
    /// assert_eq!(Batcher::new(bad, 1).unwrap_err().field, "maxSize");
    /// ```
    pub fn new(config: BatcherConfig, session: u64) -> Result<Self, FieldError> {
        config.validate()?;
        Ok(Self {
            batch_size: config.min_size,
            config,
            session,
            next_seq: 0,
            queue: VecDeque::new(),
            in_flight: None,
            priority_queued: false,
            consecutive_failures: 0,
            retry_at_ms: None,
            stats: BatcherStats::default(),
        })
    }

    /// Buffers a sample that arrived at `now_ms`. Errors and slow samples make a flush due at
    /// once; past `max_buffered` the oldest sample is dropped and counted.
    ///
    /// ```
    /// use apiscope::core::batch::batcher::{Batcher, BatcherConfig, FlushDecision};
    /// use apiscope::core::batch::sample::Sample;
    /// let config = BatcherConfig { min_size: 2, ..BatcherConfig::default() };
    /// let mut b = Batcher::new(config, 1).unwrap();
    /// let s = Sample::new(0.0, 5.0, "GET", "/", 200);
    /// assert_eq!(b.push(s.clone(), 0.0), FlushDecision::At(2_000.0));
    /// assert_eq!(b.push(s, 1.0), FlushDecision::Now); // reached the batch size
    /// ```
    pub fn push(&mut self, sample: Sample, now_ms: f64) -> FlushDecision {
        let priority = !sample.ok || sample.duration_ms > self.config.slow_ms;
        self.queue.push_back(Queued {
            sample,
            arrived_ms: now_ms,
            priority,
        });
        self.priority_queued |= priority;
        self.stats.accepted += 1;
        self.enforce_bound();
        self.decision(now_ms)
    }

    /// Takes the next batch to write if one is due at `now_ms`, no flush is in flight and no
    /// retry backoff is pending.
    ///
    /// ```
    /// use apiscope::core::batch::batcher::{Batcher, BatcherConfig};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut b = Batcher::new(BatcherConfig::default(), 1).unwrap();
    /// b.push(Sample::new(0.0, 5.0, "GET", "/", 200), 0.0);
    /// assert!(b.poll(1_999.0).is_none());
    /// assert_eq!(b.poll(2_000.0).unwrap().samples.len(), 1); // oldest waited maxDelayMs
    /// ```
    pub fn poll(&mut self, now_ms: f64) -> Option<Batch> {
        let due = self.next_deadline()? <= now_ms;
        if !due {
            return None;
        }
        let take = self.batch_size.min(self.queue.len());
        let items = self.take_oldest(take);
        self.refresh_priority();
        let id = self.next_id();
        let batch = Batch {
            id,
            samples: samples_of(&items),
        };
        self.in_flight = Some(InFlight { id, items });
        Some(batch)
    }

    /// The `n` oldest queued items, popped one by one: a `VecDeque::drain` would bring its
    /// own drop of the drained range (1.5 KB of wasm).
    fn take_oldest(&mut self, n: usize) -> Vec<Queued> {
        let mut items = Vec::with_capacity(n);
        while items.len() < n {
            let Some(q) = self.queue.pop_front() else {
                break;
            };
            items.push(q);
        }
        items
    }

    /// Reports that batch `id` was written, taking `cost_ms`; adapts the batch size to the cost.
    /// Unknown ids (e.g. after [`Batcher::drain_all`]) are ignored.
    ///
    /// ```
    /// use apiscope::core::batch::batcher::{Batcher, BatcherConfig};
    /// use apiscope::core::batch::sample::Sample;
    /// let config = BatcherConfig { min_size: 1, ..BatcherConfig::default() };
    /// let mut b = Batcher::new(config, 1).unwrap();
    /// b.push(Sample::new(0.0, 5.0, "GET", "/", 200), 0.0);
    /// let batch = b.poll(0.0).unwrap();
    /// b.complete(batch.id, 1.0, 1.0); // a cheap full batch: grow
    /// assert_eq!(b.stats().batch_size, 2);
    /// ```
    pub fn complete(&mut self, id: BatchId, cost_ms: f64, now_ms: f64) -> FlushDecision {
        if let Some(flight) = self.take_in_flight(id) {
            self.stats.persisted += flight.items.len() as u64;
            self.consecutive_failures = 0;
            self.retry_at_ms = None;
            self.adapt(flight.items.len(), cost_ms);
        }
        self.decision(now_ms)
    }

    /// Reports that writing batch `id` failed: its samples go back to the front of the buffer
    /// in order, and the next flush waits an exponentially growing backoff.
    ///
    /// ```
    /// use apiscope::core::batch::batcher::{Batcher, BatcherConfig, FlushDecision};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut b = Batcher::new(BatcherConfig::default(), 1).unwrap();
    /// b.push(Sample::new(0.0, 5.0, "GET", "/", 500), 0.0);
    /// let batch = b.poll(0.0).unwrap();
    /// assert_eq!(b.fail(batch.id, 10.0), FlushDecision::At(510.0));
    /// assert_eq!(b.poll(510.0).unwrap().samples, batch.samples);
    /// ```
    pub fn fail(&mut self, id: BatchId, now_ms: f64) -> FlushDecision {
        if let Some(flight) = self.take_in_flight(id) {
            for item in flight.items.into_iter().rev() {
                self.queue.push_front(item);
            }
            self.refresh_priority();
            self.enforce_bound();
            self.stats.failed_flushes += 1;
            self.consecutive_failures = self.consecutive_failures.saturating_add(1);
            let exponent = (self.consecutive_failures - 1).min(30) as i32;
            let delay =
                (self.config.retry_base_ms * 2f64.powi(exponent)).min(self.config.retry_max_ms);
            self.retry_at_ms = Some(now_ms + delay);
        }
        self.decision(now_ms)
    }

    /// Epoch ms at which [`Batcher::poll`] will next return a batch; at or before now when one
    /// is due already. `None` while a flush is in flight or the buffer is empty.
    ///
    /// ```
    /// use apiscope::core::batch::batcher::{Batcher, BatcherConfig};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut b = Batcher::new(BatcherConfig::default(), 1).unwrap();
    /// assert_eq!(b.next_deadline(), None);
    /// b.push(Sample::new(0.0, 5.0, "GET", "/", 200), 100.0);
    /// assert_eq!(b.next_deadline(), Some(2_100.0));
    /// ```
    pub fn next_deadline(&self) -> Option<f64> {
        if self.in_flight.is_some() {
            return None;
        }
        let oldest = self.queue.front()?.arrived_ms;
        let due_now = self.priority_queued || self.queue.len() >= self.batch_size;
        let trigger = if due_now {
            oldest
        } else {
            oldest + self.config.max_delay_ms
        };
        Some(self.retry_at_ms.map_or(trigger, |retry| trigger.max(retry)))
    }

    /// Hands every unconfirmed sample to the edge — the in-flight batch (same id, so writing it
    /// again is harmless) and the buffer in `max_size` batches — for `flush()`, `stop()` or
    /// `pagehide`. The edge owns them afterwards; late outcomes for them are ignored.
    ///
    /// ```
    /// use apiscope::core::batch::batcher::{Batcher, BatcherConfig};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut b = Batcher::new(BatcherConfig::default(), 1).unwrap();
    /// for i in 0..3 {
    ///     b.push(Sample::new(i as f64, 5.0, "GET", "/", 200), 0.0);
    /// }
    /// let batches = b.drain_all();
    /// assert_eq!(batches.len(), 1);
    /// assert_eq!(b.stats().handed_off, 3);
    /// ```
    pub fn drain_all(&mut self) -> Vec<Batch> {
        let mut batches = Vec::new();
        if let Some(flight) = self.in_flight.take() {
            batches.push(Batch {
                id: flight.id,
                samples: samples_of(&flight.items),
            });
        }
        while !self.queue.is_empty() {
            let take = self.config.max_size.min(self.queue.len());
            let samples = samples_of(&self.take_oldest(take));
            batches.push(Batch {
                id: self.next_id(),
                samples,
            });
        }
        self.stats.handed_off += batches.iter().map(|b| b.samples.len() as u64).sum::<u64>();
        self.priority_queued = false;
        self.retry_at_ms = None;
        self.consecutive_failures = 0;
        batches
    }

    /// A snapshot of the counters.
    ///
    /// ```
    /// use apiscope::core::batch::batcher::{Batcher, BatcherConfig};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut b = Batcher::new(BatcherConfig::default(), 1).unwrap();
    /// b.push(Sample::new(0.0, 5.0, "GET", "/", 200), 0.0);
    /// assert_eq!(b.stats().buffered, 1);
    /// ```
    pub fn stats(&self) -> BatcherStats {
        BatcherStats {
            buffered: self.queue.len(),
            in_flight: self.in_flight.as_ref().map_or(0, |f| f.items.len()),
            batch_size: self.batch_size,
            ..self.stats.clone()
        }
    }

    fn decision(&self, now_ms: f64) -> FlushDecision {
        match self.next_deadline() {
            None => FlushDecision::Idle,
            Some(at) if at <= now_ms => FlushDecision::Now,
            Some(at) => FlushDecision::At(at),
        }
    }

    fn next_id(&mut self) -> BatchId {
        let id = BatchId {
            session: self.session,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        id
    }

    fn take_in_flight(&mut self, id: BatchId) -> Option<InFlight> {
        match &self.in_flight {
            Some(flight) if flight.id == id => self.in_flight.take(),
            _ => None,
        }
    }

    fn enforce_bound(&mut self) {
        let mut dropped_priority = false;
        while self.queue.len() > self.config.max_buffered {
            if let Some(oldest) = self.queue.pop_front() {
                dropped_priority |= oldest.priority;
                self.stats.dropped += 1;
            }
        }
        if dropped_priority {
            self.refresh_priority();
        }
    }

    fn refresh_priority(&mut self) {
        self.priority_queued = self.queue.iter().any(|q| q.priority);
    }

    /// Halve after a slow flush; double after a cheap one that was full, since a cheap small
    /// flush says nothing about the cost of a larger one.
    fn adapt(&mut self, flushed: usize, cost_ms: f64) {
        let target = self.config.target_flush_ms;
        if cost_ms > target {
            self.batch_size = (self.batch_size / 2).max(self.config.min_size);
        } else if cost_ms < target / 4.0 && flushed >= self.batch_size {
            self.batch_size = (self.batch_size * 2).min(self.config.max_size);
        }
    }
}

/// The samples of `items`, in order. (A loop, not a chain: ARCHITECTURE.md, "Bytes".)
fn samples_of(items: &[Queued]) -> Vec<Sample> {
    let mut samples = Vec::with_capacity(items.len());
    for q in items {
        samples.push(q.sample.clone());
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(i: usize) -> Sample {
        Sample::new(i as f64, 5.0, "GET", "/a", 200)
    }

    fn config() -> BatcherConfig {
        BatcherConfig {
            min_size: 4,
            max_size: 16,
            max_delay_ms: 100.0,
            slow_ms: 1_000.0,
            max_buffered: 32,
            target_flush_ms: 40.0,
            retry_base_ms: 10.0,
            retry_max_ms: 35.0,
        }
    }

    fn starts(batch: &Batch) -> Vec<f64> {
        batch.samples.iter().map(|s| s.start_ms).collect()
    }

    fn assert_accounted(b: &Batcher) {
        let s = b.stats();
        assert_eq!(
            s.accepted,
            s.persisted + s.dropped + s.handed_off + s.buffered as u64 + s.in_flight as u64
        );
    }

    #[test]
    fn flushes_when_the_batch_size_is_reached() {
        let mut b = Batcher::new(config(), 1).unwrap();
        for i in 0..3 {
            assert_eq!(b.push(sample(i), 0.0), FlushDecision::At(100.0));
        }
        assert_eq!(b.push(sample(3), 0.0), FlushDecision::Now);
        assert_eq!(starts(&b.poll(0.0).unwrap()), vec![0.0, 1.0, 2.0, 3.0]);
        assert_accounted(&b);
    }

    #[test]
    fn flushes_when_the_oldest_sample_is_old_enough() {
        let mut b = Batcher::new(config(), 1).unwrap();
        b.push(sample(0), 10.0);
        b.push(sample(1), 50.0);
        assert_eq!(b.next_deadline(), Some(110.0));
        assert!(b.poll(109.9).is_none());
        assert_eq!(b.poll(110.0).unwrap().samples.len(), 2);
    }

    #[test]
    fn errors_and_slow_samples_are_due_at_once() {
        let mut b = Batcher::new(config(), 1).unwrap();
        let mut slow = sample(0);
        slow.duration_ms = 1_001.0;
        assert_eq!(b.push(slow, 0.0), FlushDecision::Now);
        b.poll(0.0).unwrap();
        let mut failed = sample(1);
        failed.ok = false;
        // In flight: nothing to schedule until the outcome is known.
        assert_eq!(b.push(failed, 0.0), FlushDecision::Idle);
        let first = BatchId { session: 1, seq: 0 };
        assert_eq!(b.complete(first, 1.0, 1.0), FlushDecision::Now);
    }

    #[test]
    fn priority_left_behind_a_full_batch_stays_due() {
        let mut b = Batcher::new(config(), 1).unwrap();
        for i in 0..4 {
            b.push(sample(i), 0.0);
        }
        let mut failed = sample(4);
        failed.ok = false;
        b.push(failed, 0.0);
        let batch = b.poll(0.0).unwrap();
        assert_eq!(batch.samples.len(), 4);
        assert_eq!(b.complete(batch.id, 50.0, 1.0), FlushDecision::Now);
    }

    #[test]
    fn batch_size_adapts_between_bounds() {
        fn flush_full(b: &mut Batcher, cost: f64) -> usize {
            let size = b.stats().batch_size;
            for i in 0..size {
                b.push(sample(i), 0.0);
            }
            let batch = b.poll(0.0).unwrap();
            assert_eq!(batch.samples.len(), size);
            b.complete(batch.id, cost, 0.0);
            b.stats().batch_size
        }
        let mut b = Batcher::new(config(), 1).unwrap();
        assert_eq!(flush_full(&mut b, 1.0), 8);
        assert_eq!(flush_full(&mut b, 1.0), 16);
        assert_eq!(flush_full(&mut b, 1.0), 16, "capped at max_size");
        assert_eq!(flush_full(&mut b, 20.0), 16, "within target: unchanged");
        assert_eq!(flush_full(&mut b, 41.0), 8);
        assert_eq!(flush_full(&mut b, 100.0), 4);
        assert_eq!(flush_full(&mut b, 100.0), 4, "floored at min_size");
    }

    #[test]
    fn cheap_partial_flush_does_not_grow() {
        let mut b = Batcher::new(config(), 1).unwrap();
        b.push(sample(0), 0.0);
        let batch = b.poll(100.0).unwrap();
        b.complete(batch.id, 0.0, 100.0);
        assert_eq!(b.stats().batch_size, 4);
    }

    #[test]
    fn failed_batch_is_requeued_in_order_with_exponential_backoff() {
        let mut b = Batcher::new(config(), 1).unwrap();
        for i in 0..6 {
            b.push(sample(i), 0.0);
        }
        let batch = b.poll(0.0).unwrap();
        assert_eq!(starts(&batch), vec![0.0, 1.0, 2.0, 3.0]);
        b.push(sample(6), 0.0);
        assert_eq!(b.fail(batch.id, 0.0), FlushDecision::At(10.0));
        assert!(b.poll(9.0).is_none());
        let retry = b.poll(10.0).unwrap();
        assert_eq!(retry.samples, batch.samples, "same samples, same order");
        assert_ne!(retry.id, batch.id);
        assert_eq!(b.fail(retry.id, 10.0), FlushDecision::At(30.0));
        let third = b.poll(30.0).unwrap();
        assert_eq!(b.fail(third.id, 30.0), FlushDecision::At(65.0), "capped");
        let fourth = b.poll(65.0).unwrap();
        b.complete(fourth.id, 1.0, 70.0);
        assert!(
            b.poll(70.0).is_none(),
            "backoff over: back to the age trigger"
        );
        let rest = b.poll(100.0).unwrap();
        assert_eq!(starts(&rest), vec![4.0, 5.0, 6.0]);
        b.complete(rest.id, 1.0, 101.0);
        assert_eq!(b.stats().persisted, 7);
        assert_eq!(b.stats().failed_flushes, 3);
        assert_accounted(&b);
    }

    #[test]
    fn overflow_drops_the_oldest_and_counts_each() {
        let mut b = Batcher::new(config(), 1).unwrap();
        b.push(sample(0), 0.0);
        let batch = b.poll(100.0).unwrap();
        for i in 1..=40 {
            b.push(sample(i), 100.0);
        }
        assert_eq!(b.stats().dropped, 8);
        assert_eq!(b.stats().buffered, 32);
        // Re-queueing the failed sample overflows again: the oldest (it) goes, counted.
        b.fail(batch.id, 100.0);
        assert_eq!(b.stats().dropped, 9);
        let next = b.poll(200.0).unwrap();
        assert_eq!(next.samples[0].start_ms, 9.0);
        assert_accounted(&b);
    }

    #[test]
    fn drain_all_hands_off_everything_once() {
        let mut b = Batcher::new(config(), 9).unwrap();
        for i in 0..40 {
            b.push(sample(i), 0.0);
        }
        let in_flight = b.poll(0.0).unwrap();
        let batches = b.drain_all();
        assert_eq!(
            batches[0].id, in_flight.id,
            "same id: rewriting is idempotent"
        );
        let all: Vec<f64> = batches.iter().flat_map(starts).collect();
        assert_eq!(all, (8..40).map(|i| i as f64).collect::<Vec<_>>());
        assert!(batches.iter().all(|b| b.samples.len() <= 16));
        // A late outcome for the handed-off batch changes nothing.
        b.complete(in_flight.id, 1.0, 1.0);
        assert_eq!(b.stats().persisted, 0);
        assert_eq!(b.next_deadline(), None);
        assert_accounted(&b);
    }

    #[test]
    fn stale_outcomes_are_ignored() {
        let mut b = Batcher::new(config(), 1).unwrap();
        let ghost = BatchId {
            session: 1,
            seq: 99,
        };
        assert_eq!(b.fail(ghost, 0.0), FlushDecision::Idle);
        assert_eq!(b.complete(ghost, 1.0, 0.0), FlushDecision::Idle);
        assert_eq!(b.stats(), Batcher::new(config(), 1).unwrap().stats());
    }
}
