//! One route's live windows: its durations and its times to first byte, kept apart by how the
//! responses were delivered, so that `snapshot({ delivery: "network" })` can leave 2 ms cache
//! hits out of a slow backend's figures, and every read can say what share came from where.
//!
//! Each delivery that occurs gets a pair of [`RollingWindows`] (durations, with errors; times to
//! first byte, with the calls timed only to their headers as the marked count). The route's
//! byte share is divided between the windows it holds, so a route stays within its share
//! however its calls are delivered. Protocol counts and the sums of the calls' Resource Timing
//! phases are kept since the route appeared, and the slowest recent calls beside them, so they
//! leave with the route (a stale one pruned, one beyond the cap filed in the overflow entry):
//! none of a route's state outlives it.

use crate::core::delivery::{Delivery, Protocol, Timing};
use crate::core::error::FieldError;
use crate::core::routes::slow_calls::{SlowCall, SlowCalls};
use crate::core::routes::windows::{RollingWindows, Window, WindowsConfig};

/// One call as the windows file it.
///
/// ```
/// use apiscope::core::delivery::{Delivery, Protocol, Timing};
/// use apiscope::core::routes::route_windows::Observation;
/// let call = Observation { duration_ms: 120.0, error: false, ttfb_ms: Some(40.0), timing: Timing::Full, delivery: Delivery::Network, protocol: Protocol::H2, phases: None, slow: None };
/// assert_eq!(Observation::duration(5.0, true).delivery, Delivery::Unknown);
/// # let _ = call;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// How long the call took, ms.
    pub duration_ms: f64,
    /// Whether it failed.
    pub error: bool,
    /// From the call to the first byte of the response, when known.
    pub ttfb_ms: Option<f64>,
    /// How far `duration_ms` reaches.
    pub timing: Timing,
    /// Where the response came from.
    pub delivery: Delivery,
    /// The HTTP version it came over.
    pub protocol: Protocol,
    /// Its Resource Timing phases (the caller decides which is which), each when known; `None`
    /// for a call no entry told about.
    pub phases: Option<Phases>,
    /// The call as the route's slow list would keep it (see [`SlowCalls`]); `None` for a call
    /// the app recorded itself.
    pub slow: Option<SlowCall>,
}

/// How many phases an [`Observation`] may carry.
pub const PHASES: usize = 7;

/// A call's phases, each when known.
pub type Phases = [Option<f64>; PHASES];

/// Running sums of the phases of a route's calls: each phase's sum and how many calls had it
/// (a phase a call did not expose is left out of its mean, never counted as 0), and how many
/// calls brought phases at all.
///
/// ```
/// use apiscope::core::routes::route_windows::PhaseSums;
/// let mut sums = PhaseSums::default();
/// sums.add(&[Some(2.0), None, None, None, None, None, None]);
/// sums.add(&[Some(4.0), Some(1.0), None, None, None, None, None]);
/// assert_eq!((sums.mean(0), sums.mean(1), sums.mean(2), sums.calls), (Some(3.0), Some(1.0), None, 2));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseSums {
    sums: [(f64, u64); PHASES],
    /// Calls that brought phases.
    pub calls: u64,
}

impl PhaseSums {
    /// Adds one call's phases.
    pub fn add(&mut self, phases: &Phases) {
        for (slot, value) in self.sums.iter_mut().zip(phases) {
            if let Some(v) = value {
                slot.0 += v;
                slot.1 += 1;
            }
        }
        self.calls += 1;
    }

    /// The mean of phase `i` over the calls that had it.
    pub fn mean(&self, i: usize) -> Option<f64> {
        let (sum, n) = self.sums[i];
        (n > 0).then(|| sum / n as f64)
    }
}

impl Observation {
    /// A call known only by its duration (what an app records itself).
    pub fn duration(duration_ms: f64, error: bool) -> Self {
        Self {
            duration_ms,
            error,
            ttfb_ms: None,
            timing: Timing::Full,
            delivery: Delivery::Unknown,
            protocol: Protocol::Unknown,
            phases: None,
            slow: None,
        }
    }
}

/// The windows of one delivery.
#[derive(Debug, Clone, PartialEq)]
struct DeliveryWindows {
    /// Durations; the marked count is the errors.
    latency: RollingWindows,
    /// Times to first byte; the marked count is the calls timed only to their headers.
    ttfb: RollingWindows,
}

/// What one read of a route's windows merged.
///
/// ```
/// use apiscope::core::routes::route_windows::{Observation, RouteWindows};
/// use apiscope::core::routes::windows::WindowsConfig;
/// let mut w = RouteWindows::new(WindowsConfig::default()).unwrap();
/// w.record(&Observation::duration(30.0, false), 1_000.0).unwrap();
/// let read = w.last(1_000.0, 60_000.0, None);
/// assert_eq!((read.latency.sketch.count(), read.ttfb.sketch.count()), (1, 0));
/// assert_eq!(read.deliveries, [1, 0, 0, 0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RouteRead {
    /// Durations and errors.
    pub latency: Window,
    /// Times to first byte; its `errors` are the calls timed only to their headers.
    pub ttfb: Window,
    /// Calls per delivery, in [`Delivery::ALL`] order.
    pub deliveries: [u64; 4],
}

/// A route's windows by delivery, within one byte share.
///
/// ```
/// use apiscope::core::delivery::Delivery;
/// use apiscope::core::routes::route_windows::{Observation, RouteWindows};
/// use apiscope::core::routes::windows::WindowsConfig;
/// let mut w = RouteWindows::new(WindowsConfig::default()).unwrap();
/// let network = Observation { delivery: Delivery::Network, ..Observation::duration(300.0, false) };
/// let cached = Observation { delivery: Delivery::Cache, ..Observation::duration(2.0, false) };
/// w.record(&network, 1_000.0).unwrap();
/// w.record(&cached, 2_000.0).unwrap();
/// assert_eq!(w.last(2_000.0, 60_000.0, None).latency.sketch.count(), 2);
/// let backend = w.last(2_000.0, 60_000.0, Some(Delivery::Network));
/// assert_eq!(backend.latency.sketch.max(), 300.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RouteWindows {
    config: WindowsConfig,
    /// By [`Delivery`] code; `None` until a call of that delivery arrives.
    by_delivery: [Option<Box<DeliveryWindows>>; 4],
    /// Calls per [`Protocol`] since the route appeared.
    protocols: [u64; Protocol::COUNT],
    /// The sums of its calls' phases since the route appeared; boxed, as most routes of a
    /// page without Resource Timing never have any.
    phases: Option<Box<PhaseSums>>,
    /// Its slowest recent calls.
    slow: SlowCalls,
}

impl RouteWindows {
    /// Empty windows with `config`'s layout, within `config.max_bytes` together.
    pub fn new(config: WindowsConfig) -> Result<Self, FieldError> {
        RollingWindows::new(config)?;
        Ok(Self {
            config,
            by_delivery: Default::default(),
            protocols: [0; Protocol::COUNT],
            phases: None,
            slow: SlowCalls::default(),
        })
    }

    /// Empty windows with this one's layout, its config already checked: what a new route
    /// starts from. Built, not cloned: a clone would bring the windows' `Clone` into the
    /// wasm (1.7 KB) to copy nothing.
    pub fn fresh(&self) -> Self {
        Self {
            config: self.config,
            by_delivery: Default::default(),
            protocols: [0; Protocol::COUNT],
            phases: None,
            slow: SlowCalls::default(),
        }
    }

    /// Files one call at `now_ms`; a bad duration or time is refused and changes nothing.
    pub fn record(&mut self, call: &Observation, now_ms: f64) -> Result<(), FieldError> {
        let code = call.delivery as usize;
        if self.by_delivery[code].is_none() {
            self.open(code)?;
        }
        let Some(windows) = self.by_delivery[code].as_deref_mut() else {
            return Ok(()); // not reached: opened just above
        };
        windows
            .latency
            .record(call.duration_ms, call.error, now_ms)?;
        if let Some(ttfb) = call.ttfb_ms {
            let headers_only = call.timing == Timing::Headers;
            // A bad ttfb (the browser's clocks can disagree by a hair) is no reason to lose
            // the call: it is left out of the ttfb figures only.
            let _ = windows.ttfb.record(ttfb.max(0.0), headers_only, now_ms);
        }
        self.protocols[call.protocol as usize] += 1;
        if let Some(phases) = &call.phases {
            self.phases.get_or_insert_default().add(phases);
        }
        if let Some(slow) = &call.slow {
            self.slow.insert(slow, now_ms);
        }
        Ok(())
    }

    /// Adds the windows of delivery `code`, dividing the byte share anew.
    fn open(&mut self, code: usize) -> Result<(), FieldError> {
        let open = 1 + self.by_delivery.iter().flatten().count();
        let share = self.config.max_bytes / (2 * open);
        let config = WindowsConfig {
            max_bytes: share,
            ..self.config
        };
        for windows in self.by_delivery.iter_mut().flatten() {
            windows.latency.set_max_bytes(share);
            windows.ttfb.set_max_bytes(share);
        }
        self.by_delivery[code] = Some(Box::new(DeliveryWindows {
            latency: RollingWindows::new(config)?,
            ttfb: RollingWindows::new(config)?,
        }));
        Ok(())
    }

    /// The last `window_ms` up to `now_ms` (see [`RollingWindows::last`]), of every delivery
    /// or of one.
    pub fn last(&self, now_ms: f64, window_ms: f64, only: Option<Delivery>) -> RouteRead {
        self.read(only, now_ms - window_ms, now_ms, |w| {
            w.last(now_ms, window_ms)
        })
    }

    /// The slots holding a time in `[from_ms, to_ms)` (see [`RollingWindows::between`]), of
    /// every delivery.
    pub fn between(&self, from_ms: f64, to_ms: f64) -> RouteRead {
        self.read(None, from_ms, to_ms, |w| w.between(from_ms, to_ms))
    }

    /// Merges `read` of every (or one) delivery's windows; `from_ms..to_ms` is what an empty
    /// read reports.
    fn read(
        &self,
        only: Option<Delivery>,
        from_ms: f64,
        to_ms: f64,
        read: impl Fn(&RollingWindows) -> Window,
    ) -> RouteRead {
        let mut latency: Option<Window> = None;
        let mut ttfb: Option<Window> = None;
        let mut deliveries = [0; 4];
        for (code, windows) in self.by_delivery.iter().enumerate() {
            let Some(windows) = windows.as_deref() else {
                continue;
            };
            if only.is_some_and(|d| d as usize != code) {
                continue;
            }
            let l = read(&windows.latency);
            deliveries[code] = l.sketch.count();
            merge(&mut latency, l);
            merge(&mut ttfb, read(&windows.ttfb));
        }
        let empty = || Window::empty(self.config.sketch, from_ms, to_ms);
        RouteRead {
            latency: latency.unwrap_or_else(empty),
            ttfb: ttfb.unwrap_or_else(empty),
            deliveries,
        }
    }

    /// Durations in consecutive steps of whole slots (see [`RollingWindows::steps`]), every
    /// delivery merged.
    pub fn steps(&self, now_ms: f64, window_ms: f64, step_ms: f64) -> Vec<Window> {
        let mut steps: Option<Vec<Window>> = None;
        for windows in self.by_delivery.iter().flatten() {
            let more = windows.latency.steps(now_ms, window_ms, step_ms);
            match &mut steps {
                None => steps = Some(more),
                Some(steps) => {
                    for (step, other) in steps.iter_mut().zip(more) {
                        merge_into(step, other);
                    }
                }
            }
        }
        steps.unwrap_or_else(|| {
            RollingWindows::new(self.config)
                .map(|empty| empty.steps(now_ms, window_ms, step_ms))
                .unwrap_or_default()
        })
    }

    /// Calls per [`Protocol`] since the route appeared.
    pub fn protocols(&self) -> [u64; Protocol::COUNT] {
        self.protocols
    }

    /// The sums of its calls' phases since the route appeared, once a call brought any.
    pub fn phases(&self) -> Option<&PhaseSums> {
        self.phases.as_deref()
    }

    /// Its slowest recent calls.
    pub fn slow_calls(&self) -> &SlowCalls {
        &self.slow
    }

    /// Whether every window is older than the retention at `now_ms`.
    pub fn is_stale(&self, now_ms: f64) -> bool {
        self.by_delivery
            .iter()
            .flatten()
            .all(|w| w.latency.is_stale(now_ms))
    }

    /// Heap bytes held: the windows' own accounting plus their boxes, the phase sums and the
    /// slow-call list (its URLs aside: the call sites share them).
    pub fn heap_bytes(&self) -> usize {
        self.by_delivery
            .iter()
            .flatten()
            .map(|w| {
                std::mem::size_of::<DeliveryWindows>()
                    + w.latency.heap_bytes()
                    + w.ttfb.heap_bytes()
            })
            .sum::<usize>()
            + self
                .phases
                .as_ref()
                .map_or(0, |_| std::mem::size_of::<PhaseSums>())
            + self.slow.heap_bytes()
    }
}

/// Adds `more` into the read gathered so far.
fn merge(into: &mut Option<Window>, more: Window) {
    match into {
        None => *into = Some(more),
        Some(w) => merge_into(w, more),
    }
}

fn merge_into(w: &mut Window, more: Window) {
    if more.sketch.count() > 0 {
        w.sketch.merge(&more.sketch);
        w.errors += more.errors;
        w.from_ms = w.from_ms.min(more.from_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_share_is_divided_between_deliveries() {
        let config = WindowsConfig {
            slot_ms: 1_000.0,
            max_bytes: 40_000,
            ..WindowsConfig::default()
        };
        let mut w = RouteWindows::new(config).unwrap();
        for t in 0..3_000 {
            for delivery in Delivery::ALL {
                let call = Observation {
                    ttfb_ms: Some(f64::from(t % 97)),
                    delivery,
                    ..Observation::duration(f64::from(t % 1_000) + 0.5, false)
                };
                w.record(&call, f64::from(t) * 1_000.0).unwrap();
            }
        }
        assert!(w.heap_bytes() <= 40_000 + 8 * 1_024, "{}", w.heap_bytes());
        let read = w.last(3_000_000.0, 3_600_000.0, None);
        assert_eq!(read.latency.sketch.count(), 12_000);
        assert_eq!(read.deliveries, [3_000; 4]);
    }

    #[test]
    fn headers_only_calls_are_the_ttfb_marks() {
        let mut w = RouteWindows::new(WindowsConfig::default()).unwrap();
        for (i, timing) in [Timing::Full, Timing::Headers, Timing::Headers]
            .into_iter()
            .enumerate()
        {
            let call = Observation {
                ttfb_ms: Some(10.0),
                timing,
                ..Observation::duration(50.0, i == 0)
            };
            w.record(&call, 1_000.0).unwrap();
        }
        let read = w.last(1_000.0, 60_000.0, None);
        assert_eq!(
            (
                read.latency.errors,
                read.ttfb.errors,
                read.ttfb.sketch.count()
            ),
            (1, 2, 3)
        );
    }
}
