//! [`Clock`] over the page's high-resolution timer, on the main thread and in workers alike.

use crate::core::clock::Clock;
use wasm_bindgen::JsCast;

/// Reads `performance.timeOrigin + performance.now()`: epoch milliseconds that never jump
/// backwards within a page, unlike `Date.now()`.
#[derive(Debug, Clone)]
pub struct PerformanceClock {
    performance: web_sys::Performance,
    origin_ms: f64,
}

impl PerformanceClock {
    /// The clock of the current global scope (window or worker); `None` where it has no
    /// `performance` object.
    pub fn from_global() -> Option<Self> {
        let global = js_sys::global();
        let performance = if let Some(window) = global.dyn_ref::<web_sys::Window>() {
            window.performance()
        } else {
            global
                .dyn_ref::<web_sys::WorkerGlobalScope>()
                .and_then(|worker| worker.performance())
        }?;
        let origin_ms = performance.time_origin();
        Some(Self {
            performance,
            origin_ms,
        })
    }

    /// Converts a `performance.now()`-based timestamp (as in Resource Timing) to epoch ms.
    pub fn to_epoch_ms(&self, high_res_ms: f64) -> f64 {
        self.origin_ms + high_res_ms
    }
}

impl Clock for PerformanceClock {
    fn now_ms(&self) -> f64 {
        self.origin_ms + self.performance.now()
    }
}
