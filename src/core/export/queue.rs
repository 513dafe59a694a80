//! The outbox policy: which request body to send next, what a response means for it, what a
//! page hide may send with `keepalive`, and which bodies to drop when the outbox is full.
//!
//! The JS exporter keeps the bodies and mirrors every change into IndexedDB so that the outbox
//! survives reloads (and is shared by the tabs of an origin); this type holds the decisions and
//! the counters. It needs only each body's size ([`BodyBytes`]): bodies never cross into wasm.

use std::collections::VecDeque;

use serde::Serialize;

/// The body budget of one request: under the 64 KiB that all of a page's pending
/// `keepalive` requests may hold together, leaving room for headers.
pub const KEEPALIVE_BODY_BUDGET: usize = 60 * 1024;

/// Most `keepalive` requests in flight at once (their bodies share one 64 KiB quota).
pub const MAX_KEEPALIVE_REQUESTS: usize = 4;

/// An outbox entry's identity: creation time first so keys sort oldest first, then the
/// creating page's random session and its sequence number, so tabs never collide.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryKey {
    /// Epoch ms the body was created.
    pub created_ms: f64,
    /// Random id of the page session that created it.
    pub session: u32,
    /// Its number within that session.
    pub seq: u32,
}

impl EntryKey {
    /// The idempotency key sent as `X-Apiscope-Batch`, so that a collector can drop a
    /// body it already has (a page that dies between a send and its deletion resends it).
    ///
    /// ```
    /// use apiscope::core::export::EntryKey;
    /// let key = EntryKey { created_ms: 0.0, session: 0xbeef, seq: 7 };
    /// assert_eq!(key.batch_id(), "0000beef-7");
    /// ```
    pub fn batch_id(&self) -> String {
        format!("{:08x}-{}", self.session, self.seq)
    }

    /// Oldest first: by creation time, then session, then sequence number.
    ///
    /// ```
    /// use apiscope::core::export::EntryKey;
    /// let key = |created_ms, seq| EntryKey { created_ms, session: 1, seq };
    /// assert!(key(1.0, 9).order(&key(2.0, 0)).is_lt());
    /// assert!(key(2.0, 1).order(&key(2.0, 0)).is_gt());
    /// ```
    pub fn order(&self, other: &EntryKey) -> std::cmp::Ordering {
        self.created_ms
            .total_cmp(&other.created_ms)
            .then(self.session.cmp(&other.session))
            .then(self.seq.cmp(&other.seq))
    }
}

/// A body the edge keeps itself, known to the queue by its size in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyBytes(pub usize);

/// A request body waiting to be delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Where it is kept in the outbox.
    pub key: EntryKey,
    /// The size of the OTLP/JSON request the edge keeps.
    pub body: BodyBytes,
    /// Routes it carries.
    pub points: u32,
    /// Failed attempts so far.
    pub attempts: u32,
}

/// What one attempt to send an entry came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// 2xx: delete it.
    Delivered,
    /// A 4xx other than 408/429: the collector will never take it; delete and count it.
    Rejected(String),
    /// Network error, 408, 429 or any other status: keep it and retry later.
    Failed(String),
}

impl SendOutcome {
    /// Classifies an HTTP status; `detail` (e.g. the response text) goes into the message.
    ///
    /// ```
    /// use apiscope::core::export::SendOutcome;
    /// assert_eq!(SendOutcome::from_status(204, ""), SendOutcome::Delivered);
    /// assert!(matches!(SendOutcome::from_status(400, "bad"), SendOutcome::Rejected(_)));
    /// assert!(matches!(SendOutcome::from_status(429, ""), SendOutcome::Failed(_)));
    /// assert!(matches!(SendOutcome::from_status(503, ""), SendOutcome::Failed(_)));
    /// ```
    pub fn from_status(status: u16, detail: &str) -> Self {
        let message = format!("HTTP {status} {}", detail.trim()).trim().to_owned();
        match Self::of_status(status) {
            Self::Delivered => Self::Delivered,
            Self::Rejected(_) => Self::Rejected(message),
            Self::Failed(_) => Self::Failed(message),
        }
    }

    /// Classifies an HTTP status without a message (an edge that words failures itself);
    /// status 0 stands for a network error.
    ///
    /// ```
    /// use apiscope::core::export::SendOutcome;
    /// assert_eq!(SendOutcome::of_status(0), SendOutcome::Failed(String::new()));
    /// assert_eq!(SendOutcome::of_status(404), SendOutcome::Rejected(String::new()));
    /// ```
    pub fn of_status(status: u16) -> Self {
        match status {
            200..=299 => Self::Delivered,
            408 | 429 => Self::Failed(String::new()),
            400..=499 => Self::Rejected(String::new()),
            _ => Self::Failed(String::new()),
        }
    }
}

/// What the edge must mirror into storage after [`ExportQueue::settle`].
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// Delete the entry.
    Remove,
    /// Store the entry again (its attempt count went up) and retry after a backoff.
    Retry(OutboxEntry),
    /// The entry was no longer queued.
    Unknown,
}

/// Counters for `stats()`; serialises camelCase for the facade.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportStats {
    /// Routes (histogram points) the collector accepted.
    pub exported_points: u64,
    /// Requests answered with a 2xx.
    pub requests_sent: u64,
    /// Attempts that failed (network error or non-2xx).
    pub requests_failed: u64,
    /// Attempts that were retries of an entry.
    pub retries: u64,
    /// Entries dropped because the outbox was full (oldest first).
    pub dropped: u64,
    /// Entries the collector rejected for good (4xx other than 408/429).
    pub rejected: u64,
    /// Entries waiting.
    pub outbox_len: u64,
    /// The most recent failure, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flight {
    Idle,
    Sending,
    Keepalive,
}

#[derive(Debug, Clone)]
struct Slot {
    entry: OutboxEntry,
    flight: Flight,
}

/// Bodies waiting for delivery, oldest first, at most `max_len` of them idle.
///
/// ```
/// use apiscope::core::export::{BodyBytes, EntryKey, ExportQueue, OutboxEntry, SendOutcome, Settled};
/// let mut queue = ExportQueue::new(200);
/// let key = EntryKey { created_ms: 1_000.0, session: 1, seq: 0 };
/// let body = OutboxEntry { key, body: BodyBytes(2), points: 3, attempts: 0 };
/// assert!(queue.restore(vec![body]).is_empty());
/// let entry = queue.next_send().unwrap();
/// assert!(queue.next_send().is_none()); // one chain: nothing else idle
/// assert_eq!(queue.settle(&entry.key, SendOutcome::Delivered), Settled::Remove);
/// assert_eq!((queue.stats().exported_points, queue.stats().outbox_len), (3, 0));
/// ```
#[derive(Debug, Clone)]
pub struct ExportQueue {
    slots: VecDeque<Slot>,
    max_len: usize,
    failures: u32,
    keepalive_bytes: usize,
    keepalive_requests: usize,
    stats: ExportStats,
}

impl ExportQueue {
    /// An empty queue keeping at most `max_len` (>= 1) entries.
    pub fn new(max_len: usize) -> Self {
        Self {
            slots: VecDeque::new(),
            max_len: max_len.max(1),
            failures: 0,
            keepalive_bytes: 0,
            keepalive_requests: 0,
            stats: ExportStats::default(),
        }
    }

    /// Adds entries (new ones, or kept in storage by earlier pages or by other tabs of the
    /// origin) in key order,
    /// skipping those already queued. Returns the keys dropped to respect the bound
    /// (count them out of storage too).
    ///
    /// ```
    /// use apiscope::core::export::{BodyBytes, EntryKey, ExportQueue, OutboxEntry};
    /// let entry = |ms| OutboxEntry {
    ///     key: EntryKey { created_ms: ms, session: 9, seq: 0 },
    ///     body: BodyBytes(2), points: 1, attempts: 2,
    /// };
    /// let mut queue = ExportQueue::new(1);
    /// let dropped = queue.restore(vec![entry(2.0), entry(1.0)]);
    /// assert_eq!(dropped[0].created_ms, 1.0);
    /// assert!(queue.restore(vec![entry(2.0)]).is_empty()); // already queued
    /// assert_eq!(queue.next_send().unwrap().key.created_ms, 2.0);
    /// ```
    pub fn restore(&mut self, entries: Vec<OutboxEntry>) -> Vec<EntryKey> {
        for entry in entries {
            let at = self
                .slots
                .partition_point(|s| s.entry.key.order(&entry.key).is_lt());
            if self.slots.get(at).is_some_and(|s| s.entry.key == entry.key) {
                continue;
            }
            self.slots.insert(
                at,
                Slot {
                    entry,
                    flight: Flight::Idle,
                },
            );
        }
        self.trim()
    }

    /// Drops the oldest idle entries beyond `max_len` (in-flight ones finish first).
    fn trim(&mut self) -> Vec<EntryKey> {
        let mut dropped = Vec::new();
        while self.slots.len() > self.max_len {
            let Some(pos) = self.slots.iter().position(|s| s.flight == Flight::Idle) else {
                break;
            };
            if let Some(slot) = self.slots.remove(pos) {
                dropped.push(slot.entry.key);
            }
        }
        self.stats.dropped += dropped.len() as u64;
        dropped
    }

    /// The oldest idle entry, now marked as being sent.
    pub fn next_send(&mut self) -> Option<OutboxEntry> {
        let slot = self.slots.iter_mut().find(|s| s.flight == Flight::Idle)?;
        slot.flight = Flight::Sending;
        if slot.entry.attempts > 0 {
            self.stats.retries += 1;
        }
        Some(slot.entry.clone())
    }

    /// For a page hide: idle entries, newest first (the oldest are already in storage), that
    /// fit together with the `keepalive` requests still in flight into
    /// [`KEEPALIVE_BODY_BUDGET`] bytes and [`MAX_KEEPALIVE_REQUESTS`] requests.
    ///
    /// ```
    /// use apiscope::core::export::{BodyBytes, EntryKey, ExportQueue, OutboxEntry};
    /// let mut queue = ExportQueue::new(200);
    /// let entry = |seq, kib: usize| OutboxEntry {
    ///     key: EntryKey { created_ms: 0.0, session: 1, seq },
    ///     body: BodyBytes(kib * 1024), points: 1, attempts: 0,
    /// };
    /// queue.restore(vec![entry(0, 20), entry(1, 50), entry(2, 30), entry(3, 5)]);
    /// let sizes: Vec<usize> = queue.keepalive_sends().iter().map(|e| e.body.0 / 1024).collect();
    /// assert_eq!(sizes, [5, 30, 20]);
    /// assert!(queue.keepalive_sends().is_empty()); // the budget is in use
    /// ```
    pub fn keepalive_sends(&mut self) -> Vec<OutboxEntry> {
        let mut sends = Vec::new();
        for slot in self.slots.iter_mut().rev() {
            let bytes = slot.entry.body.0;
            if self.keepalive_requests >= MAX_KEEPALIVE_REQUESTS {
                break;
            }
            if slot.flight != Flight::Idle || self.keepalive_bytes + bytes > KEEPALIVE_BODY_BUDGET {
                continue;
            }
            slot.flight = Flight::Keepalive;
            self.keepalive_bytes += bytes;
            self.keepalive_requests += 1;
            if slot.entry.attempts > 0 {
                self.stats.retries += 1;
            }
            sends.push(slot.entry.clone());
        }
        sends
    }

    /// Records how sending `key` went and says what storage must do about it.
    pub fn settle(&mut self, key: &EntryKey, outcome: SendOutcome) -> Settled {
        let Some(pos) = self.slots.iter().position(|s| s.entry.key == *key) else {
            return Settled::Unknown;
        };
        let slot = &mut self.slots[pos];
        if slot.flight == Flight::Keepalive {
            self.keepalive_bytes -= slot.entry.body.0;
            self.keepalive_requests -= 1;
        }
        slot.flight = Flight::Idle;
        match outcome {
            SendOutcome::Delivered => {
                self.failures = 0;
                self.stats.requests_sent += 1;
                self.stats.exported_points += u64::from(slot.entry.points);
                self.slots.remove(pos);
                Settled::Remove
            }
            SendOutcome::Rejected(why) => {
                self.failures = 0;
                self.stats.requests_failed += 1;
                self.stats.rejected += 1;
                self.stats.last_error = Some(why);
                self.slots.remove(pos);
                Settled::Remove
            }
            SendOutcome::Failed(why) => {
                self.failures = self.failures.saturating_add(1);
                self.stats.requests_failed += 1;
                self.stats.last_error = Some(why);
                slot.entry.attempts = slot.entry.attempts.saturating_add(1);
                Settled::Retry(slot.entry.clone())
            }
        }
    }

    /// Forgets the idle entries, keeping those being sent, and returns their keys: for a page
    /// that let another tab drain the outbox for a while (which may have sent and deleted
    /// them), before it reads the outbox again.
    ///
    /// ```
    /// use apiscope::core::export::{BodyBytes, EntryKey, ExportQueue, OutboxEntry};
    /// let mut queue = ExportQueue::new(10);
    /// let body = |seq| OutboxEntry {
    ///     key: EntryKey { created_ms: 0.0, session: 1, seq }, body: BodyBytes(2), points: 1, attempts: 0,
    /// };
    /// queue.restore(vec![body(0), body(1)]);
    /// let sending = queue.next_send().unwrap();
    /// assert_eq!(queue.forget_idle().len(), 1);
    /// assert_eq!(queue.stats().outbox_len, 1); // the one in flight
    /// assert!(queue.next_send().is_none());
    /// # let _ = sending;
    /// ```
    pub fn forget_idle(&mut self) -> Vec<EntryKey> {
        let idle = self
            .slots
            .iter()
            .filter(|s| s.flight == Flight::Idle)
            .map(|s| s.entry.key)
            .collect();
        self.slots.retain(|s| s.flight != Flight::Idle);
        idle
    }

    /// Consecutive failed attempts since the last answer from the collector.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Whether the bodies a page sends with `keepalive` as it goes away (their answer comes
    /// after the page is gone) count as delivered, so that the next page does not send them
    /// again: yes while the browser is `online` and the collector answered the last attempt
    /// (a collector up a moment ago takes them; sending again would count every sample of
    /// the last interval twice at each navigation), no while it was failing (the next page
    /// sends them again: a keepalive that got through then is the rare duplicate).
    ///
    /// ```
    /// use apiscope::core::export::{BodyBytes, EntryKey, ExportQueue, OutboxEntry, SendOutcome};
    /// let mut queue = ExportQueue::new(10);
    /// assert!(queue.exit_sends_delivered(true));
    /// assert!(!queue.exit_sends_delivered(false));
    /// let key = EntryKey { created_ms: 0.0, session: 1, seq: 0 };
    /// queue.restore(vec![OutboxEntry { key, body: BodyBytes(2), points: 1, attempts: 0 }]);
    /// let entry = queue.next_send().unwrap();
    /// queue.settle(&entry.key, SendOutcome::of_status(503));
    /// assert!(!queue.exit_sends_delivered(true));
    /// ```
    pub fn exit_sends_delivered(&self, online: bool) -> bool {
        online && self.failures == 0
    }

    /// Forgets the failure streak (the network came back: retry at once, from the start).
    pub fn reset_failures(&mut self) {
        self.failures = 0;
    }

    /// Records a failure outside sending (e.g. storage) for `stats().last_error`.
    pub fn note_error(&mut self, error: String) {
        self.stats.last_error = Some(error);
    }

    /// The counters, with the current outbox length.
    pub fn stats(&self) -> ExportStats {
        ExportStats {
            outbox_len: self.slots.len() as u64,
            ..self.stats.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Queues one entry per `(bytes, points)`, created at `created_ms` and numbered on from
    /// `first`; returns the keys the bound dropped.
    fn push(
        queue: &mut ExportQueue,
        created_ms: f64,
        first: u32,
        bodies: &[(usize, u32)],
    ) -> Vec<EntryKey> {
        let entries = (first..)
            .zip(bodies)
            .map(|(seq, &(bytes, points))| OutboxEntry {
                key: EntryKey {
                    created_ms,
                    session: 7,
                    seq,
                },
                body: BodyBytes(bytes),
                points,
                attempts: 0,
            });
        queue.restore(entries.collect())
    }

    #[test]
    fn failures_retry_and_rejections_drop() {
        let mut queue = ExportQueue::new(10);
        push(&mut queue, 5.0, 0, &[(10, 1), (10, 2)]);
        let first = queue.next_send().unwrap();
        let retry = queue.settle(&first.key, SendOutcome::from_status(503, "down"));
        let Settled::Retry(stored) = retry else {
            panic!("{retry:?}")
        };
        assert_eq!((stored.attempts, queue.failures()), (1, 1));
        // Retried in order: the failed entry is still the oldest.
        assert_eq!(queue.next_send().unwrap().key, first.key);
        let rejected = queue.settle(&first.key, SendOutcome::from_status(413, "too big"));
        assert_eq!(rejected, Settled::Remove);
        let second = queue.next_send().unwrap();
        assert_eq!(
            queue.settle(&second.key, SendOutcome::Delivered),
            Settled::Remove
        );
        assert_eq!(
            queue.settle(&second.key, SendOutcome::Delivered),
            Settled::Unknown
        );
        let stats = queue.stats();
        assert_eq!(
            (
                stats.exported_points,
                stats.requests_sent,
                stats.requests_failed
            ),
            (2, 1, 2)
        );
        assert_eq!((stats.retries, stats.rejected, stats.outbox_len), (1, 1, 0));
        assert_eq!(stats.last_error.as_deref(), Some("HTTP 413 too big"));
        assert_eq!(queue.failures(), 0);
    }

    #[test]
    fn the_bound_drops_the_oldest_idle_entries() {
        let mut queue = ExportQueue::new(2);
        push(&mut queue, 1.0, 0, &[(10, 1)]);
        let sending = queue.next_send().unwrap();
        let dropped = push(&mut queue, 2.0, 1, &[(10, 1), (10, 1), (10, 1)]);
        // The entry in flight is kept; the oldest idle ones go, even new ones.
        assert_eq!(dropped.iter().map(|k| k.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(queue.stats().dropped, 2);
        assert_eq!(
            queue.settle(&sending.key, SendOutcome::Delivered),
            Settled::Remove
        );
        assert_eq!(queue.stats().outbox_len, 1);
        assert_eq!(queue.next_send().unwrap().key.seq, 3);
    }

    #[test]
    fn keepalive_budget_is_released_when_sends_settle() {
        let mut queue = ExportQueue::new(100);
        push(&mut queue, 0.0, 0, &[(10, 1); 6]);
        let small = queue.keepalive_sends();
        assert_eq!(small.len(), MAX_KEEPALIVE_REQUESTS);
        assert!(queue.keepalive_sends().is_empty());
        for entry in &small {
            queue.settle(&entry.key, SendOutcome::Failed("offline".into()));
        }
        push(&mut queue, 1.0, 6, &[(KEEPALIVE_BODY_BUDGET, 1)]);
        assert_eq!(
            queue.keepalive_sends()[0].body,
            BodyBytes(KEEPALIVE_BODY_BUDGET)
        );
        assert!(queue.keepalive_sends().is_empty());
    }
}
