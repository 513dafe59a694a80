//! A route's Resource Timing breakdown: the means of each phase over the calls matched to an
//! entry. The route's windows keep the sums (`routes::route_windows::PhaseSums`), so they are
//! bounded by the route cap like every other per-route figure. A phase a call's entry did not
//! expose (cross-origin without `Timing-Allow-Origin`) is left out of that phase's mean, never
//! counted as 0.

use serde::Serialize;

use crate::core::profiler::timing::Breakdown;
use crate::core::routes::route_windows::{PhaseSums, Phases};

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

/// A breakdown as the phases a route's windows sum ([`Observation::phases`]), in the order
/// [`means`] reads them back.
///
/// [`Observation::phases`]: crate::core::routes::route_windows::Observation::phases
pub(crate) fn phases(b: &Breakdown) -> Phases {
    [
        b.dns,
        b.connect,
        b.tls,
        b.ttfb,
        b.download,
        b.server,
        b.transfer_size,
    ]
}

/// The mean of each phase over the calls that had it.
pub(crate) fn means(sums: &PhaseSums) -> BreakdownMeans {
    BreakdownMeans {
        dns: sums.mean(0),
        connect: sums.mean(1),
        tls: sums.mean(2),
        ttfb: sums.mean(3),
        download: sums.mean(4),
        server: sums.mean(5),
        transfer_size: sums.mean(6),
        matched: sums.calls,
    }
}
