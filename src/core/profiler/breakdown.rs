//! A route's Resource Timing breakdown: running sums of each phase over the calls matched to an
//! entry, and their means. A phase a call's entry did not expose (cross-origin without
//! `Timing-Allow-Origin`) is left out of that phase's mean, never counted as 0.

use serde::Serialize;

use crate::core::profiler::timing::Breakdown;

/// Per-route means of the timing phases of the calls that had a Resource Timing entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownMeans {
    /// Mean DNS lookup, ms.
    pub dns: Option<f64>,
    /// Mean connection set-up (TLS included), ms.
    pub connect: Option<f64>,
    /// Mean TLS handshake, ms.
    pub tls: Option<f64>,
    /// Mean request-to-first-byte, ms.
    pub ttfb: Option<f64>,
    /// Mean download, ms.
    pub download: Option<f64>,
    /// Mean server time (`Server-Timing`), ms.
    pub server: Option<f64>,
    /// Mean bytes on the wire.
    pub transfer_size: Option<f64>,
    /// How many calls contributed.
    pub matched: u64,
}

/// Running sums behind [`BreakdownMeans`]; unknown phases are left out, not counted as 0.
#[derive(Debug, Clone, Default)]
pub(crate) struct BreakdownSums {
    phases: [(f64, u64); 7],
    matched: u64,
}

impl BreakdownSums {
    /// Adds one matched call.
    pub(crate) fn add(&mut self, b: &Breakdown) {
        let values = [
            b.dns,
            b.connect,
            b.tls,
            b.ttfb,
            b.download,
            b.server,
            b.transfer_size,
        ];
        for (slot, value) in self.phases.iter_mut().zip(values) {
            if let Some(v) = value {
                slot.0 += v;
                slot.1 += 1;
            }
        }
        self.matched += 1;
    }

    /// The mean of each phase over the calls that had it.
    pub(crate) fn means(&self) -> BreakdownMeans {
        let mean = |i: usize| {
            let (sum, n) = self.phases[i];
            (n > 0).then(|| sum / n as f64)
        };
        BreakdownMeans {
            dns: mean(0),
            connect: mean(1),
            tls: mean(2),
            ttfb: mean(3),
            download: mean(4),
            server: mean(5),
            transfer_size: mean(6),
            matched: self.matched,
        }
    }
}
