//! `Profiler.start(options)`: every option read, checked and named in its error.

use js_sys::RegExp;
use wasm_bindgen::{JsCast, JsValue};

use super::errors::{range_error, type_error};
use super::js_object::{Fields, as_array, type_of};
use crate::browser::instrument::{HookOptions, IgnoreRules};
use crate::browser::runtime::{RuntimeOptions, page_origin};
use crate::core::alerts::{AlertRule, RuleSpec};
use crate::core::batch::batcher::BatcherConfig;
use crate::core::batch::retention::Retention;
use crate::core::error::FieldError;
use crate::core::export::ExportConfig;
use crate::core::profiler::ProfilerConfig;
use crate::core::routes::registry::RegistryConfig;

const TOP_LEVEL: &[&str] = &[
    "dbName",
    "batch",
    "retention",
    "alerts",
    "routes",
    "instrument",
    "sampleRate",
    "ignoreUrls",
    "export",
    "windows",
];

/// Everything `start` needs, validated.
pub struct StartOptions {
    pub config: ProfilerConfig,
    pub runtime: RuntimeOptions,
    /// The fetch/XHR hooks to install (sample rate and ignore rules included).
    pub hooks: HookOptions,
    /// Whether to break calls down with Resource Timing.
    pub resource_timing: bool,
    /// OTLP export, when configured (validated further by the exporter).
    pub export: Option<ExportConfig>,
}

/// Reads `Profiler.start`'s options; `undefined` means all defaults.
pub fn parse(options: &JsValue) -> Result<StartOptions, JsValue> {
    let top = Fields::new(options, "", TOP_LEVEL)?;
    let db_name = top.string("dbName")?.unwrap_or_else(|| "apiscope".into());
    if db_name.is_empty() {
        return Err(range_error("dbName", "must not be empty"));
    }
    let (fetch, xhr, resource_timing) = instrument(&top)?;
    let config = ProfilerConfig {
        resource_timing: resource_timing && (fetch || xhr),
        registry: windows(&top)?,
        batch: batch(&top)?,
        routes: top.strings("routes")?.unwrap_or_default(),
        alerts: alerts(&top)?,
        call_sites: 1024,
    };
    let sample_rate = top.number("sampleRate")?.unwrap_or(1.0);
    if !(sample_rate > 0.0 && sample_rate <= 1.0) {
        return Err(range_error(
            "sampleRate",
            format!("must be in (0, 1], got {sample_rate}"),
        ));
    }
    Ok(StartOptions {
        config,
        runtime: RuntimeOptions {
            db_name,
            retention: retention(&top)?,
        },
        hooks: HookOptions {
            fetch,
            xhr,
            sample_rate,
            ignore: ignore_urls(&top)?,
            ..HookOptions::default()
        },
        resource_timing,
        export: top
            .value("export")?
            .map(|v| deserialize::<ExportConfig>(&v, "export", EXPORT_FIELDS))
            .transpose()?,
    })
}

fn batch(top: &Fields) -> Result<BatcherConfig, JsValue> {
    let known = ["maxSize", "minSize", "maxDelayMs", "maxBuffered", "slowMs"];
    let f = Fields::new(&top.value("batch")?.unwrap_or_default(), "batch", &known)?;
    let mut config = BatcherConfig::default();
    if let Some(v) = f.integer("maxSize", 1e6)? {
        config.max_size = v as usize;
        // A small maxSize also caps where the adaptive size starts.
        config.min_size = config.min_size.min(config.max_size);
    }
    if let Some(v) = f.integer("minSize", 1e6)? {
        config.min_size = v as usize;
    }
    if let Some(v) = f.non_negative("maxDelayMs")? {
        config.max_delay_ms = v;
    }
    if let Some(v) = f.integer("maxBuffered", 1e8)? {
        config.max_buffered = v as usize;
    }
    if let Some(v) = f.non_negative("slowMs")? {
        config.slow_ms = v;
    }
    config.validate().map_err(|e| prefixed("batch", e))?;
    Ok(config)
}

/// `windows: { slotMs = 10000, fineMs = 180000, retentionMs = 3600000, maxRoutes = 500,
/// maxBytes = 12 MiB }`: the live rolling windows behind `snapshot()`, alerts and trends.
fn windows(top: &Fields) -> Result<RegistryConfig, JsValue> {
    let known = ["slotMs", "fineMs", "retentionMs", "maxRoutes", "maxBytes"];
    let f = Fields::new(
        &top.value("windows")?.unwrap_or_default(),
        "windows",
        &known,
    )?;
    let mut config = RegistryConfig::default();
    if let Some(v) = f.non_negative("slotMs")? {
        config.slot_ms = v;
    }
    if let Some(v) = f.non_negative("retentionMs")? {
        config.retention_ms = v;
    }
    if let Some(v) = f.integer("maxRoutes", 1e6)? {
        config.max_routes = v as usize;
    }
    if let Some(v) = f.non_negative("fineMs")? {
        config.fine_ms = v;
    }
    if let Some(v) = f.integer("maxBytes", 4e9)? {
        config.max_bytes = v as usize;
    }
    if !(config.slot_ms > 0.0 && config.retention_ms >= config.slot_ms) {
        return Err(range_error(
            "windows.slotMs",
            "must be > 0 and no larger than windows.retentionMs",
        ));
    }
    Ok(config)
}

fn retention(top: &Fields) -> Result<Retention, JsValue> {
    let known = ["maxAgeMs", "maxSamples"];
    let f = Fields::new(
        &top.value("retention")?.unwrap_or_default(),
        "retention",
        &known,
    )?;
    let defaults = crate::browser::idb_store::StoreOptions::default().retention;
    Ok(Retention {
        max_age_ms: f.non_negative("maxAgeMs")?.unwrap_or(defaults.max_age_ms),
        max_samples: f
            .integer("maxSamples", 1e12)?
            .map_or(defaults.max_samples, |v| v as u64),
    })
}

/// `(fetch, xhr, resourceTiming)`; `instrument: false` turns all three off.
fn instrument(top: &Fields) -> Result<(bool, bool, bool), JsValue> {
    match top.value("instrument")? {
        None => Ok((true, true, true)),
        Some(v) if v.as_bool().is_some() => {
            let on = v.as_bool() == Some(true);
            Ok((on, on, on))
        }
        Some(v) => {
            let f = Fields::new(&v, "instrument", &["fetch", "xhr", "resourceTiming"])?;
            Ok((
                f.boolean("fetch")?.unwrap_or(true),
                f.boolean("xhr")?.unwrap_or(true),
                f.boolean("resourceTiming")?.unwrap_or(true),
            ))
        }
    }
}

fn ignore_urls(top: &Fields) -> Result<IgnoreRules, JsValue> {
    let mut ignore = IgnoreRules::default();
    let Some(value) = top.value("ignoreUrls")? else {
        return Ok(ignore);
    };
    let array = as_array(&value).ok_or_else(|| {
        type_error(
            "ignoreUrls",
            format!("must be an array, got {}", type_of(&value)),
        )
    })?;
    let origin = page_origin();
    for (i, item) in array.iter().enumerate() {
        if let Some(prefix) = item.as_string() {
            // The hooks compare absolute URLs: a path is a prefix on the page's own origin.
            let absolute = if prefix.starts_with('/') && !prefix.starts_with("//") {
                format!("{origin}{prefix}")
            } else {
                prefix
            };
            ignore.prefixes.push(absolute);
        } else if let Some(pattern) = item.dyn_ref::<RegExp>() {
            ignore.patterns.push(pattern.clone());
        } else {
            return Err(type_error(
                &format!("ignoreUrls[{i}]"),
                format!("must be a string or a RegExp, got {}", type_of(&item)),
            ));
        }
    }
    Ok(ignore)
}

fn alerts(top: &Fields) -> Result<Vec<RuleSpec>, JsValue> {
    let Some(value) = top.value("alerts")? else {
        return Ok(Vec::new());
    };
    let array = as_array(&value).ok_or_else(|| {
        type_error(
            "alerts",
            format!("must be an array, got {}", type_of(&value)),
        )
    })?;
    let mut specs: Vec<RuleSpec> = Vec::new();
    for (i, rule) in array.iter().enumerate() {
        let path = format!("alerts[{i}]");
        let spec = rule_spec(&rule, &path)?;
        AlertRule::validate(spec.clone()).map_err(|e| prefixed(&path, e))?;
        if specs.iter().any(|s| s.name == spec.name) {
            return Err(range_error(
                &format!("{path}.name"),
                "duplicates another rule's name",
            ));
        }
        specs.push(spec);
    }
    Ok(specs)
}

const RULE_FIELDS: &[&str] = &[
    "name",
    "route",
    "method",
    "metric",
    "above",
    "below",
    "windowMs",
    "minSamples",
    "cooldownMs",
];

const EXPORT_FIELDS: &[&str] = &["url", "intervalMs", "headers", "resource", "maxOutbox"];

/// One alert rule object as a [`RuleSpec`]; errors name `path.field`.
pub fn rule_spec(rule: &JsValue, path: &str) -> Result<RuleSpec, JsValue> {
    deserialize(rule, path, RULE_FIELDS)
}

/// Reads `value` with serde after checking its keys: serde-wasm-bindgen skips unknown keys
/// silently, and a misspelt option must not pass unnoticed.
fn deserialize<T: serde::de::DeserializeOwned>(
    value: &JsValue,
    path: &str,
    known: &[&str],
) -> Result<T, JsValue> {
    if !value.is_object() {
        return Err(type_error(
            path,
            format!("must be an object, got {}", type_of(value)),
        ));
    }
    Fields::new(value, path, known)?;
    serde_wasm_bindgen::from_value(value.clone()).map_err(|e| {
        let text = e.to_string();
        type_error(path, text.trim_start_matches("Error: "))
    })
}

/// A core field error under `path` as a `RangeError`, e.g. `batch.maxSize: ...`.
pub fn prefixed(path: &str, e: FieldError) -> JsValue {
    super::errors::field_error(e.within(path))
}
