//! `new Engine(config, text)`: the profiler's options as the JS edge hands them over, one
//! `Float64Array` of numbers (NaN = the default) and one string of lines. The JS side
//! (js/engine/options.js) checks types, refuses a NaN the user gives, and builds both; ranges
//! are the core's to judge.

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

const fn integer(min: f64, max: f64) -> Rule {
    Rule::Integer { min, max }
}

/// Each number's option and the rule it must follow, by position (`None`: taken as given).
/// `windows.retentionMs`'s floor is the `windows.slotMs` in force, filled in by `read`.
const FIELDS: [Option<(&str, Rule)>; at::LEN] = [
    None,
    None,
    Some(("windows.slotMs", Rule::Positive)),
    Some((
        "windows.retentionMs",
        Rule::AtLeastField {
            other: "windows.slotMs",
            value: 0.0,
        },
    )),
    Some(("windows.maxRoutes", integer(1.0, 1e6))),
    Some(("batch.maxSize", integer(1.0, 1e6))),
    Some(("batch.minSize", integer(1.0, 1e6))),
    Some(("batch.maxDelayMs", Rule::FiniteNotNegative)),
    Some(("batch.maxBuffered", integer(1.0, 1e8))),
    Some(("batch.slowMs", Rule::FiniteNotNegative)),
    None,
    Some(("callSites", integer(1.0, 1e6))),
    Some(("retention.maxAgeMs", Rule::FiniteNotNegative)),
    Some(("retention.maxSamples", integer(0.0, 1e12))),
    Some(("windows.fineMs", Rule::FiniteNotNegative)),
    Some(("windows.maxBytes", integer(0.0, 4e9))),
];

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
        let rule = integer(at::LEN as f64, at::LEN as f64);
        return Err(FieldError::new("config.length", rule).got(numbers.len() as f64));
    }
    let mut registry = RegistryConfig::default();
    // Checked in position order, through one call site: each inlined check is its own code.
    let mut checked = [None; at::LEN];
    for (i, &v) in numbers.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        checked[i] = Some(match FIELDS[i] {
            Some((field, rule)) => {
                let rule = match rule {
                    Rule::AtLeastField { other, .. } => Rule::AtLeastField {
                        other,
                        value: checked[at::SLOT_MS].unwrap_or(registry.slot_ms),
                    },
                    rule => rule,
                };
                rule.check(v).map_err(|p| p.of(field))?
            }
            None => v,
        });
    }
    let value = |i: usize, default: f64| checked[i].unwrap_or(default);

    registry.slot_ms = value(at::SLOT_MS, registry.slot_ms);
    registry.retention_ms = value(at::WINDOW_RETENTION_MS, registry.retention_ms);
    registry.max_routes = value(at::MAX_ROUTES, registry.max_routes as f64) as usize;
    registry.fine_ms = value(at::FINE_MS, registry.fine_ms);
    // Its floor depends on maxRoutes: the registry judges it.
    registry.max_bytes = value(at::MAX_BYTES, registry.max_bytes as f64) as usize;

    let mut batch = BatcherConfig::default();
    if let Some(v) = checked[at::BATCH_MAX_SIZE] {
        batch.max_size = v as usize;
        // A small maxSize also caps where the adaptive size starts.
        batch.min_size = batch.min_size.min(batch.max_size);
    }
    batch.min_size = value(at::BATCH_MIN_SIZE, batch.min_size as f64) as usize;
    batch.max_delay_ms = value(at::BATCH_MAX_DELAY_MS, batch.max_delay_ms);
    batch.max_buffered = value(at::BATCH_MAX_BUFFERED, batch.max_buffered as f64) as usize;
    batch.slow_ms = value(at::BATCH_SLOW_MS, batch.slow_ms);
    batch.validate().map_err(|e| e.within("batch"))?;

    let defaults = Retention::default();
    let retention = Retention {
        max_age_ms: value(at::MAX_AGE_MS, defaults.max_age_ms),
        max_samples: checked[at::MAX_SAMPLES].map_or(defaults.max_samples, |v| v as u64),
    };

    let (page_origin, routes) = match split_once(text, b'\n') {
        Some((origin, templates)) => (origin, split_owned(templates, b'\n')),
        None => (text, Vec::new()),
    };
    let page_origin = page_origin.to_owned();
    Ok(EngineConfig {
        profiler: ProfilerConfig {
            registry,
            batch,
            routes,
            alerts: Vec::new(),
            resource_timing: checked[at::RESOURCE_TIMING].is_some_and(|v| v != 0.0),
            call_sites: value(at::CALL_SITES, 1024.0) as usize,
        },
        retention,
        time_origin: value(at::TIME_ORIGIN, 0.0),
        session: value(at::SESSION, 0.0) as u64,
        page_origin,
    })
}
