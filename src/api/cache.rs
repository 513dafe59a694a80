//! `Cache`: the TTL + LRU cache for any JS value, and the option parsing it shares with
//! `ResponseCache`.

use crate::api::errors::{plain_error, type_error};
use crate::api::js_object::Fields;
use crate::browser::clock::PerformanceClock;
use crate::core::cache::config::{CacheConfig, CacheOptions, byte_count, duration_ms};
use crate::core::cache::{SetOptions, TtlLruCache};
use crate::core::clock::Clock;
use crate::core::error::FieldError;
use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// What an object, array or function counts against the byte budget when `set` gets no
/// `bytes`: walking or stringifying it on every `set` would cost more than caching saves.
const OBJECT_BYTES_ESTIMATE: f64 = 64.0;

/// A TTL + LRU cache of JS values with an entry limit and an optional byte budget.
///
/// ```js
/// const cache = new Cache({ maxEntries: 500, maxBytes: 1 << 20, ttlMs: 30_000 });
/// cache.set("user:1", { name: "Ada" }, { bytes: 200 });
/// cache.get("user:1"); // the same object, until it expires or is evicted
/// cache.stats();       // { hits, misses, evictions, expirations, rejected, hitRate, entries, bytes }
/// cache.free();
/// ```
///
/// Byte size when `set` has no `bytes` option: strings 2 per UTF-16 unit; ArrayBuffer, typed
/// arrays and DataView their `byteLength`; Blob its `size`; numbers and bigints 8; booleans 4;
/// `null`/`undefined` 0; any other object (plain objects, arrays, functions) a flat 64.
/// `get` returns values inside the stale-while-revalidate window too (there is nothing to
/// revalidate them with here); `has`/`peek` agree with `get` and touch neither recency nor stats.
#[wasm_bindgen]
pub struct Cache {
    entries: TtlLruCache<JsValue>,
    clock: PerformanceClock,
}

#[wasm_bindgen]
impl Cache {
    /// `new Cache({ maxEntries, maxBytes?, ttlMs?, staleWhileRevalidateMs? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<Cache, JsValue> {
        Ok(Cache {
            entries: TtlLruCache::new(parse_options(options, &[])?),
            clock: page_clock()?,
        })
    }

    /// The value under `key`, or `undefined`; counts a hit or a miss.
    pub fn get(&mut self, key: &str) -> JsValue {
        let now = self.now_ms(None);
        self.entries
            .get(key, now)
            .map_or(JsValue::UNDEFINED, |hit| hit.value.clone())
    }

    /// Stores `value`; options `{ ttlMs?, bytes? }`. Returns whether it was stored (`false`
    /// when it alone exceeds `maxBytes`).
    pub fn set(&mut self, key: &str, value: JsValue, options: &JsValue) -> Result<bool, JsValue> {
        // Most calls pass no options: one check for them instead of one per field.
        let (ttl_ms, bytes) = if options.is_undefined() || options.is_null() {
            (None, None)
        } else {
            let ttl_ms = number_option(options, "ttlMs")?
                .map(|v| duration_ms("ttlMs", v))
                .transpose()
                .map_err(config_error)?;
            (ttl_ms, number_option(options, "bytes")?)
        };
        let bytes = bytes.unwrap_or_else(|| estimate_bytes(&value, OBJECT_BYTES_ESTIMATE));
        let bytes = byte_count("bytes", bytes).map_err(config_error)?;
        let now = self.now_ms(ttl_ms);
        Ok(self
            .entries
            .set(key, value, SetOptions { bytes, ttl_ms }, now))
    }

    /// Whether `get(key)` would return a value.
    pub fn has(&self, key: &str) -> bool {
        self.entries.has(key, self.now_ms(None))
    }

    /// Like `get` without touching recency or stats.
    pub fn peek(&self, key: &str) -> JsValue {
        let now = self.now_ms(None);
        self.entries
            .peek(key, now)
            .map_or(JsValue::UNDEFINED, |hit| hit.value.clone())
    }

    /// Removes `key`; returns whether it was there.
    pub fn delete(&mut self, key: &str) -> bool {
        self.entries.delete(key)
    }

    /// Removes every entry (releasing the JS values).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// How many entries are held (expired ones count until touched or swept).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.entries.len()
    }

    /// `{ hits, misses, evictions, expirations, rejected, hitRate, entries, bytes }`.
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        to_plain_object(&self.entries.stats())
    }
}

impl Cache {
    /// The time for a call storing an entry with `ttl_ms` (or `None` for lookups). The clock
    /// is a call out to JS, so it is read only when some entry could expire: otherwise every
    /// deadline is infinite and the core never compares against the time.
    fn now_ms(&self, ttl_ms: Option<f64>) -> f64 {
        if self.entries.can_expire() || ttl_ms.is_some() {
            self.clock.now_ms()
        } else {
            0.0
        }
    }
}

/// The options `Cache` and `ResponseCache` share.
const CACHE_OPTIONS: &[&str] = &["maxEntries", "maxBytes", "ttlMs", "staleWhileRevalidateMs"];

/// Reads and validates the shared options `{ maxEntries, maxBytes?, ttlMs?, staleWhileRevalidateMs? }`.
/// `extra` names the options a caller reads itself (e.g. `onResult`); any other key is a
/// `TypeError`, so a misspelt option never passes unnoticed.
pub(crate) fn parse_options(options: &JsValue, extra: &[&str]) -> Result<CacheConfig, JsValue> {
    if !options.is_object() {
        return Err(type_error("options", "must be an object with maxEntries"));
    }
    let known: Vec<&str> = CACHE_OPTIONS.iter().chain(extra).copied().collect();
    let f = Fields::new(options, "", &known)?;
    let max_entries = f
        .number("maxEntries")?
        .ok_or_else(|| type_error("maxEntries", "is required (a positive integer)"))?;
    CacheOptions {
        max_entries,
        max_bytes: f.number("maxBytes")?,
        ttl_ms: f.number("ttlMs")?,
        stale_while_revalidate_ms: f.number("staleWhileRevalidateMs")?,
    }
    .validate()
    .map_err(config_error)
}

/// `options[name]` as a number; `None` when options or the field is `undefined`/`null`.
pub(crate) fn number_option(options: &JsValue, name: &'static str) -> Result<Option<f64>, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    let value = Reflect::get(options, &name.into())?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_f64()
        .map(Some)
        .ok_or_else(|| type_error(name, "must be a number"))
}

/// The page's clock; every browser global has one, but say so rather than panic if not.
pub(crate) fn page_clock() -> Result<PerformanceClock, JsValue> {
    PerformanceClock::from_global()
        .ok_or_else(|| plain_error("no performance clock in this global scope"))
}

/// A core validation error as the `RangeError` naming the option.
pub(crate) fn config_error(error: FieldError) -> JsValue {
    super::errors::field_error(error)
}

/// A stats struct as a plain JS object (not a `Map`).
pub(crate) fn to_plain_object(value: &impl Serialize) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| plain_error(format!("stats: {e}")))
}

#[wasm_bindgen(inline_js = r#"
export function estimate_bytes(value, other) {
    if (value === undefined || value === null) return 0;
    switch (typeof value) {
        case "string": return value.length * 2;
        case "number": case "bigint": return 8;
        case "boolean": return 4;
        case "object":
            if (value instanceof ArrayBuffer) return value.byteLength;
            if (ArrayBuffer.isView(value)) {
                const n = value.byteLength;
                return typeof n === "number" ? n : other;
            }
            if (typeof Blob === "function" && value instanceof Blob) return value.size;
    }
    return other;
}
"#)]
extern "C" {
    /// The documented size estimate, `other` for any object without a size of its own. In JS:
    /// one `typeof` switch costs one boundary crossing, where probing the type from Rust costs
    /// one per probe (up to nine for a plain object).
    fn estimate_bytes(value: &JsValue, other: f64) -> f64;
}
