//! `new Engine(config, text)`: the profiler's options as the JS edge hands them over, one
//! `Float64Array` of numbers (NaN = the default) and one string of lines. The JS side
//! (js/engine/options.js) checks types and builds both; ranges are the core's to judge.

use crate::core::ascii::{split_once, split_owned};
use crate::core::batch::batcher::BatcherConfig;
use crate::core::batch::retention::Retention;
use crate::core::error::{FieldError, Rule};
use crate::core::profiler::ProfilerConfig;
use crate::core::routes::registry::RegistryConfig;

/// Positions in the config array; js/engine/options.js writes the same order.
pub mod at {
    /// `performance.timeOrigin`: epoch ms of `performance.now() == 0`.
    pub const TIME_ORIGIN: usize = 0;
    /// A random session id below 2^53 (batch ids are unique across tabs and loads).
    pub const SESSION: usize = 1;
    /// `windows.slotMs`.
    pub const SLOT_MS: usize = 2;
    /// `windows.retentionMs`.
    pub const WINDOW_RETENTION_MS: usize = 3;
    /// `windows.maxRoutes`.
    pub const MAX_ROUTES: usize = 4;
    /// `batch.maxSize`.
    pub const BATCH_MAX_SIZE: usize = 5;
    /// `batch.minSize`.
    pub const BATCH_MIN_SIZE: usize = 6;
    /// `batch.maxDelayMs`.
    pub const BATCH_MAX_DELAY_MS: usize = 7;
    /// `batch.maxBuffered`.
    pub const BATCH_MAX_BUFFERED: usize = 8;
    /// `batch.slowMs`.
    pub const BATCH_SLOW_MS: usize = 9;
    /// 1 when Resource Timing entries will be offered.
    pub const RESOURCE_TIMING: usize = 10;
    /// How many call sites the hooks number at once.
    pub const CALL_SITES: usize = 11;
    /// `retention.maxAgeMs`.
    pub const MAX_AGE_MS: usize = 12;
    /// `retention.maxSamples`.
    pub const MAX_SAMPLES: usize = 13;
    /// `windows.fineMs`.
    pub const FINE_MS: usize = 14;
    /// `windows.maxBytes`.
    pub const MAX_BYTES: usize = 15;
    /// How many numbers the array holds.
    pub const LEN: usize = 16;
}

/// What `new Engine` starts from.
pub struct EngineConfig {
    /// The core's configuration.
    pub profiler: ProfilerConfig,
    /// What stored history keeps.
    pub retention: Retention,
    /// Epoch ms of `performance.now() == 0`.
    pub time_origin: f64,
    /// Batch id session.
    pub session: u64,
    /// The page's `location.origin` (its own routes are shown path-only).
    pub page_origin: String,
}

/// Reads the config array and the text lines (line 0 the page origin, then one route template
/// per line). Errors name the JS option (`batch.maxSize`).
pub fn read(numbers: &[f64], text: &str) -> Result<EngineConfig, FieldError> {
    if numbers.len() != at::LEN {
        let rule = Rule::Integer {
            min: at::LEN as f64,
            max: at::LEN as f64,
        };
        return Err(FieldError::new("config.length", rule).got(numbers.len() as f64));
    }
    let given = |i: usize| Some(numbers[i]).filter(|v| !v.is_nan());
    let integer = |i: usize, field: &str, min: f64, max: f64| -> Result<Option<f64>, FieldError> {
        given(i)
            .map(|v| Rule::Integer { min, max }.check(v).map_err(|p| p.of(field)))
            .transpose()
    };
    let not_negative = |i: usize, field: &str| -> Result<Option<f64>, FieldError> {
        given(i)
            .map(|v| Rule::FiniteNotNegative.check(v).map_err(|p| p.of(field)))
            .transpose()
    };

    let mut registry = RegistryConfig::default();
    if let Some(v) = given(at::SLOT_MS) {
        registry.slot_ms = Rule::Positive
            .check(v)
            .map_err(|p| p.of("windows.slotMs"))?;
    }
    if let Some(v) = given(at::WINDOW_RETENTION_MS) {
        let rule = Rule::AtLeastField {
            other: "windows.slotMs",
            value: registry.slot_ms,
        };
        registry.retention_ms = rule.check(v).map_err(|p| p.of("windows.retentionMs"))?;
    }
    if let Some(v) = integer(at::MAX_ROUTES, "windows.maxRoutes", 1.0, 1e6)? {
        registry.max_routes = v as usize;
    }
    if let Some(v) = not_negative(at::FINE_MS, "windows.fineMs")? {
        registry.fine_ms = v;
    }
    // Its floor depends on maxRoutes: the registry judges it.
    if let Some(v) = integer(at::MAX_BYTES, "windows.maxBytes", 0.0, 4e9)? {
        registry.max_bytes = v as usize;
    }

    let mut batch = BatcherConfig::default();
    if let Some(v) = integer(at::BATCH_MAX_SIZE, "batch.maxSize", 1.0, 1e6)? {
        batch.max_size = v as usize;
        // A small maxSize also caps where the adaptive size starts.
        batch.min_size = batch.min_size.min(batch.max_size);
    }
    if let Some(v) = integer(at::BATCH_MIN_SIZE, "batch.minSize", 1.0, 1e6)? {
        batch.min_size = v as usize;
    }
    if let Some(v) = not_negative(at::BATCH_MAX_DELAY_MS, "batch.maxDelayMs")? {
        batch.max_delay_ms = v;
    }
    if let Some(v) = integer(at::BATCH_MAX_BUFFERED, "batch.maxBuffered", 1.0, 1e8)? {
        batch.max_buffered = v as usize;
    }
    if let Some(v) = not_negative(at::BATCH_SLOW_MS, "batch.slowMs")? {
        batch.slow_ms = v;
    }
    batch.validate().map_err(|e| e.within("batch"))?;

    let defaults = Retention::default();
    let retention = Retention {
        max_age_ms: not_negative(at::MAX_AGE_MS, "retention.maxAgeMs")?
            .unwrap_or(defaults.max_age_ms),
        max_samples: integer(at::MAX_SAMPLES, "retention.maxSamples", 0.0, 1e12)?
            .map_or(defaults.max_samples, |v| v as u64),
    };

    let (page_origin, routes) = match split_once(text, b'\n') {
        Some((origin, templates)) => (origin, split_owned(templates, b'\n')),
        None => (text, Vec::new()),
    };
    let page_origin = page_origin.to_owned();
    let call_sites = integer(at::CALL_SITES, "callSites", 1.0, 1e6)?.unwrap_or(1024.0);
    Ok(EngineConfig {
        profiler: ProfilerConfig {
            registry,
            batch,
            routes,
            alerts: Vec::new(),
            resource_timing: given(at::RESOURCE_TIMING).is_some_and(|v| v != 0.0),
            call_sites: call_sites as usize,
        },
        retention,
        time_origin: given(at::TIME_ORIGIN).unwrap_or(0.0),
        session: given(at::SESSION).unwrap_or(0.0) as u64,
        page_origin,
    })
}
