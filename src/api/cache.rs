//! `CachePolicy`: the wasm half of the JS `Cache` (js/cache/cache.js). JavaScript keeps the
//! keys (a `Map` from key to slot) and the values (an array by slot); this holds the
//! [`SlotPolicy`] and hands out the addresses of its columns, which JS reads and bumps in
//! place through typed-array views. Every call takes and returns numbers only.

use crate::api::errors::field_error;
use crate::core::cache::config::{CacheOptions, Policy, byte_count, duration_ms};
use crate::core::cache::slots::{Held, SlotPolicy, Stored};
use wasm_bindgen::prelude::*;

// Where each figure sits in the header JS reads after a call; js/cache/layout.js mirrors it.
const LEN: usize = 0;
const BYTES: usize = 1;
const EVICTIONS: usize = 2;
const EXPIRATIONS: usize = 3;
const REJECTED: usize = 4;
const RELEASED: usize = 5;
const CAN_EXPIRE: usize = 6;
const HEADER_LEN: usize = 7;

/// What `store` returns instead of a slot.
const REFUSED: f64 = -1.0;
const INVALID: f64 = -2.0;

/// The policy of one JS `Cache`; see [`crate::core::cache::slots`] for the protocol.
#[wasm_bindgen]
pub struct CachePolicy {
    policy: SlotPolicy,
    /// `[len, bytes, evictions, expirations, rejected, released slots, can expire]`, current
    /// after every call that changes them.
    header: [f64; HEADER_LEN],
}

#[wasm_bindgen]
impl CachePolicy {
    /// Checks the options (a `RangeError` naming the first bad one) and allocates every
    /// column. JS has checked their types.
    #[wasm_bindgen(constructor)]
    pub fn new(
        max_entries: f64,
        max_bytes: Option<f64>,
        ttl_ms: Option<f64>,
        stale_while_revalidate_ms: Option<f64>,
        policy: &str,
    ) -> Result<CachePolicy, JsValue> {
        let config = CacheOptions {
            max_entries,
            max_bytes,
            ttl_ms,
            stale_while_revalidate_ms,
            policy: Policy::parse(policy).map_err(field_error)?,
        }
        .validate()
        .map_err(field_error)?;
        let mut cache = CachePolicy {
            policy: SlotPolicy::new(config).map_err(field_error)?,
            header: [0.0; HEADER_LEN],
        };
        cache.sync();
        Ok(cache)
    }

    /// Stores a value of `bytes` with the default TTL for a key held as `held` (its slot, or
    /// -1 for a new key, which comes with its `fingerprint`). Returns the slot, -1 when
    /// refused (too big), -2 for a bad `bytes` (then nothing changed; `explain` says why).
    /// The header says how many slots went, the released list which.
    pub fn store(&mut self, held: f64, bytes: f64, now_ms: f64, fingerprint: u32) -> f64 {
        self.store_with(held, bytes, None, now_ms, fingerprint)
    }

    /// `store` with a TTL of its own.
    #[wasm_bindgen(js_name = storeFor)]
    pub fn store_for(
        &mut self,
        held: f64,
        bytes: f64,
        ttl_ms: f64,
        now_ms: f64,
        fingerprint: u32,
    ) -> f64 {
        self.store_with(held, bytes, Some(ttl_ms), now_ms, fingerprint)
    }

    /// The `RangeError` a store answered -2 for (`undefined` when the values are fine).
    pub fn explain(&self, bytes: f64, ttl_ms: Option<f64>) -> JsValue {
        let checked = byte_count("bytes", bytes)
            .and_then(|_| ttl_ms.map(|v| duration_ms("ttlMs", v)).transpose());
        checked.err().map_or(JsValue::UNDEFINED, field_error)
    }

    /// A hit on a slot under LRU (S3-FIFO hits bump the marks column instead).
    pub fn touch(&mut self, slot: u32) {
        self.policy.touch(slot);
    }

    /// Lets a slot go that JS found past its deadlines (counted as an expiration).
    pub fn expire(&mut self, slot: u32) {
        self.policy.expire(slot);
        self.sync();
    }

    /// Lets a slot go at the app's request; whether it was live.
    pub fn remove(&mut self, slot: u32) -> bool {
        let live = self.policy.remove(slot);
        self.sync();
        live
    }

    /// Lets every entry go.
    pub fn clear(&mut self) {
        self.policy.clear();
        self.sync();
    }

    /// How many slots there are (the entry limit).
    pub fn capacity(&self) -> u32 {
        self.policy.capacity()
    }

    /// The header's address (`HEADER_LEN` f64s).
    #[wasm_bindgen(js_name = headerPtr)]
    pub fn header_ptr(&self) -> *const f64 {
        self.header.as_ptr()
    }

    /// The use counters' address (`capacity` bytes), which JS bumps on hits.
    #[wasm_bindgen(js_name = marksPtr)]
    pub fn marks_ptr(&mut self) -> *mut u8 {
        self.policy.marks_mut().as_mut_ptr()
    }

    /// The fresh-until deadlines' address (`capacity` f64s).
    #[wasm_bindgen(js_name = freshPtr)]
    pub fn fresh_ptr(&self) -> *const f64 {
        self.policy.fresh_until().as_ptr()
    }

    /// The stale-until deadlines' address (`capacity` f64s).
    #[wasm_bindgen(js_name = stalePtr)]
    pub fn stale_ptr(&self) -> *const f64 {
        self.policy.stale_until().as_ptr()
    }

    /// The sizes' address (`capacity` f64s).
    #[wasm_bindgen(js_name = sizesPtr)]
    pub fn sizes_ptr(&self) -> *const f64 {
        self.policy.sizes().as_ptr()
    }

    /// The released slots' address (room for `capacity + 6` u32s; the header says how many
    /// the last store wrote).
    #[wasm_bindgen(js_name = releasedPtr)]
    pub fn released_ptr(&self) -> *const u32 {
        self.policy.released().as_ptr()
    }
}

impl CachePolicy {
    fn store_with(
        &mut self,
        held: f64,
        bytes: f64,
        ttl_ms: Option<f64>,
        now_ms: f64,
        fingerprint: u32,
    ) -> f64 {
        let held = Held::from_code(held);
        let answer = match self.policy.store(held, bytes, ttl_ms, now_ms, fingerprint) {
            Ok(Stored::At(slot)) => f64::from(slot),
            Ok(Stored::Rejected) => REFUSED,
            Err(_) => INVALID,
        };
        self.sync();
        answer
    }

    fn sync(&mut self) {
        let counts = self.policy.counts();
        self.header[LEN] = f64::from(self.policy.len());
        self.header[BYTES] = self.policy.bytes() as f64;
        self.header[EVICTIONS] = counts.evictions as f64;
        self.header[EXPIRATIONS] = counts.expirations as f64;
        self.header[REJECTED] = counts.rejected as f64;
        self.header[RELEASED] = self.policy.released().len() as f64;
        self.header[CAN_EXPIRE] = f64::from(u8::from(self.policy.can_expire()));
    }
}
