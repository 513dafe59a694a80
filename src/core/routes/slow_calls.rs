//! A route's slowest recent calls: at most [`SLOW_CALLS_KEPT`], slowest first, each within
//! [`SLOW_CALLS_WINDOW_MS`] of now. The list lives in the route's entry of the registry, so it is
//! bounded by the route cap and leaves with the route, like every other per-route figure; a
//! call too old for the window is dropped on every insert and left out of every read.

use std::sync::Arc;

/// How many slowest calls a route keeps.
pub const SLOW_CALLS_KEPT: usize = 10;

/// How recent a kept call is: within this many ms of now (an hour).
pub const SLOW_CALLS_WINDOW_MS: f64 = 3_600_000.0;

/// One call as the slow list keeps it: which call (the caller's id, to join in what it knows
/// of it), its URL and status, when it started and how long it took.
///
/// ```
/// use apiscope::core::routes::slow_calls::SlowCall;
/// let call = SlowCall { call_id: 7, url: "https://a.example/x".into(), status: 200, at_ms: 0.0, duration_ms: 950.0 };
/// assert_eq!(call.status, 200);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SlowCall {
    /// The caller's id of the call.
    pub call_id: u64,
    /// Its URL without query or fragment.
    pub url: Arc<str>,
    /// Its HTTP status; 0 without a response.
    pub status: u16,
    /// When it started, ms.
    pub at_ms: f64,
    /// How long it took, ms.
    pub duration_ms: f64,
}

/// A route's slowest recent calls.
///
/// ```
/// use apiscope::core::routes::slow_calls::{SlowCall, SlowCalls, SLOW_CALLS_WINDOW_MS};
/// let call = |call_id: u64, at_ms: f64, duration_ms: f64| SlowCall { call_id, url: "https://a.example/x".into(), status: 200, at_ms, duration_ms };
/// let mut slow = SlowCalls::default();
/// slow.insert(&call(1, 0.0, 30.0), 100.0);
/// slow.insert(&call(2, 50.0, 90.0), 100.0);
/// let ids: Vec<u64> = slow.recent(200.0).map(|c| c.call_id).collect();
/// assert_eq!(ids, [2, 1]); // slowest first
/// assert_eq!(slow.recent(50.0 + SLOW_CALLS_WINDOW_MS).count(), 1); // call 1 is too old
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlowCalls {
    /// Slowest first; equal durations in arrival order.
    calls: Vec<SlowCall>,
}

impl SlowCalls {
    /// Keeps `call` if it is recent at `now_ms` and among the slowest; a faster or older call
    /// is not even cloned.
    ///
    /// ```
    /// use apiscope::core::routes::slow_calls::{SlowCall, SlowCalls, SLOW_CALLS_KEPT};
    /// let call = |duration_ms: f64| SlowCall { call_id: 0, url: "https://a.example/x".into(), status: 200, at_ms: 0.0, duration_ms };
    /// let mut slow = SlowCalls::default();
    /// for i in 0..SLOW_CALLS_KEPT { slow.insert(&call(100.0 + i as f64), 1.0); }
    /// slow.insert(&call(50.0), 1.0); // full, and faster than every kept call
    /// assert_eq!(slow.recent(1.0).last().unwrap().duration_ms, 100.0);
    /// slow.insert(&call(f64::NAN), 1.0);
    /// assert_eq!(slow.recent(1.0).count(), SLOW_CALLS_KEPT);
    /// ```
    pub fn insert(&mut self, call: &SlowCall, now_ms: f64) {
        if !recent(call.at_ms, now_ms) || call.duration_ms.is_nan() {
            return;
        }
        self.calls.retain(|c| recent(c.at_ms, now_ms));
        // Sorted slowest first; an equal duration goes after those already kept.
        let at = self
            .calls
            .partition_point(|c| c.duration_ms >= call.duration_ms);
        if at == SLOW_CALLS_KEPT {
            return;
        }
        self.calls.truncate(SLOW_CALLS_KEPT - 1);
        self.calls.insert(at, call.clone());
    }

    /// The calls still recent at `now_ms`, slowest first.
    pub fn recent(&self, now_ms: f64) -> impl Iterator<Item = &SlowCall> {
        self.calls.iter().filter(move |c| recent(c.at_ms, now_ms))
    }

    /// Heap bytes held (the URLs aside: they are the call sites' too).
    pub fn heap_bytes(&self) -> usize {
        self.calls.capacity() * std::mem::size_of::<SlowCall>()
    }
}

fn recent(at_ms: f64, now_ms: f64) -> bool {
    now_ms - at_ms <= SLOW_CALLS_WINDOW_MS
}
