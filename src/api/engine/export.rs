//! The export variant's half of the facade (cargo feature `export`, wasm part
//! pkg/engine-export): `Engine.exportStart` checks the `export` options and turns the core's
//! delta aggregation on, `Engine.exportTake` hands the deltas out (layout: [`otlp_points`]),
//! and [`OutboxQueue`] is the core's outbox policy for js/export/exporter.js. Request bodies
//! never cross: JS writes and keeps them, the queue knows each one by its size.
//!
//! [`otlp_points`]: super::otlp_points

use wasm_bindgen::prelude::*;

use super::Engine;
use super::otlp_points::points;
use crate::api::errors::field_error;
use crate::core::export::{
    AttributeValue, BodyBytes, EntryKey, ExportQueue, KEEPALIVE_BODY_BUDGET, OutboxEntry,
    SendOutcome, Settled, check_export_header, check_export_url, check_interval_ms,
    check_max_outbox, check_resource_attribute, retry_delay_ms, unparsable_export_url,
};

/// `exportStart`'s numbers: intervalMs, maxOutbox, whether the browser's URL parser took the
/// URL (1/0), the header count, then per resource attribute its kind and number.
mod at {
    pub const INTERVAL_MS: usize = 0;
    pub const MAX_OUTBOX: usize = 1;
    pub const URL_PARSED: usize = 2;
    pub const HEADERS: usize = 3;
    pub const RESOURCE: usize = 4;
}

/// Resource attribute kinds (js/export/options.js writes the same).
const KIND_STRING: f64 = 0.0;
const KIND_BOOL: f64 = 1.0;

/// `text` cut into consecutive pieces of the given UTF-16 lengths (as JS counts them), so
/// strings cross in one piece without a separator they might contain.
fn split_utf16<'a>(text: &'a str, lengths: &[f64]) -> Vec<&'a str> {
    let mut pieces = Vec::with_capacity(lengths.len());
    let mut chars = text.char_indices().peekable();
    for &length in lengths {
        let start = chars.peek().map_or(text.len(), |&(i, _)| i);
        let mut units = 0.0;
        while units < length {
            let Some((_, c)) = chars.next() else { break };
            units += c.len_utf16() as f64;
        }
        let end = chars.peek().map_or(text.len(), |&(i, _)| i);
        // Checked, though char boundaries: see `RouteKey::split`.
        pieces.push(text.get(start..end).unwrap_or_default());
    }
    pieces
}

#[wasm_bindgen]
impl Engine {
    /// Checks the `export` options (a bad one is a RangeError naming `export.<option>`) and
    /// turns export on at `now`: from then on every sample the engine accepts also goes into
    /// the deltas `exportTake` hands out. `numbers` as [`at`]; `strings` the URL, the header
    /// names and values, then each resource key (and string value), cut by `lengths`.
    #[wasm_bindgen(js_name = exportStart)]
    pub fn export_start(
        &mut self,
        numbers: &[f64],
        strings: &str,
        lengths: &[f64],
        now: f64,
    ) -> Result<(), JsValue> {
        let number = |i: usize| numbers.get(i).copied().unwrap_or(f64::NAN);
        let strings = split_utf16(strings, lengths);
        let mut text = strings.iter().copied();
        let mut next = || text.next().unwrap_or_default();
        let url = next();
        check_export_url(url).map_err(field_error)?;
        if number(at::URL_PARSED) != 1.0 {
            return Err(field_error(unparsable_export_url(url)));
        }
        check_interval_ms(number(at::INTERVAL_MS)).map_err(field_error)?;
        check_max_outbox(number(at::MAX_OUTBOX)).map_err(field_error)?;
        for _ in 0..number(at::HEADERS) as usize {
            let (name, value) = (next(), next());
            check_export_header(name, value).map_err(field_error)?;
        }
        for kind in numbers
            .get(at::RESOURCE..)
            .unwrap_or_default()
            .chunks_exact(2)
        {
            let key = next();
            let value = if kind[0] == KIND_STRING {
                AttributeValue::String(next().to_owned())
            } else if kind[0] == KIND_BOOL {
                AttributeValue::Bool(kind[1] != 0.0)
            } else {
                AttributeValue::Number(kind[1])
            };
            check_resource_attribute(key, &value).map_err(field_error)?;
        }
        let now = self.epoch(now);
        self.core.enable_export(now).map_err(field_error)
    }

    /// The samples accepted since the last take, as export points ([`super::otlp_points`]
    /// layout, labels in `labels()`); `undefined` when there were none. Either way the next
    /// interval starts at `now`.
    #[wasm_bindgen(js_name = exportTake)]
    pub fn export_take(&mut self, now: f64) -> Option<Vec<f64>> {
        let taken = self.core.take_export(self.epoch(now))?;
        Some(self.rows(points(&taken)))
    }
}

/// The outbox policy (core `ExportQueue`) for the JS exporter: which body to send next,
/// what an answer means for it, what a page hide may send with `keepalive`, which bodies to
/// drop beyond `maxOutbox`, and how long to back off. Keys cross as `[createdMs, session,
/// seq]` triples of numbers.
#[wasm_bindgen]
pub struct OutboxQueue {
    queue: ExportQueue,
}

fn key_of(triple: &[f64]) -> EntryKey {
    EntryKey {
        created_ms: triple[0],
        session: triple[1] as u32,
        seq: triple[2] as u32,
    }
}

fn push_key(out: &mut Vec<f64>, key: &EntryKey) {
    out.extend_from_slice(&[key.created_ms, f64::from(key.session), f64::from(key.seq)]);
}

fn keys(keys: &[EntryKey]) -> Vec<f64> {
    let mut out = Vec::with_capacity(3 * keys.len());
    for key in keys {
        push_key(&mut out, key);
    }
    out
}

#[wasm_bindgen]
impl OutboxQueue {
    /// An empty queue holding at most `max_outbox` bodies (checked by `exportStart`).
    #[wasm_bindgen(constructor)]
    pub fn new(max_outbox: f64) -> OutboxQueue {
        OutboxQueue {
            queue: ExportQueue::new(max_outbox as usize),
        }
    }

    /// The most bytes one request body should have: the `keepalive` quota, less room for
    /// headers.
    #[wasm_bindgen(js_name = bodyBudget)]
    pub fn body_budget() -> f64 {
        KEEPALIVE_BODY_BUDGET as f64
    }

    /// Adds bodies (new ones, or ones read from the outbox database) by their keys (triples)
    /// and `[bytes, points, attempts]` triples, in key order, skipping those already queued.
    /// Returns the keys dropped to stay within `maxOutbox` (oldest first; delete them).
    pub fn add(&mut self, keys_in: &[f64], sizes: &[f64]) -> Vec<f64> {
        let entries = keys_in
            .chunks_exact(3)
            .zip(sizes.chunks_exact(3))
            .map(|(key, size)| OutboxEntry {
                key: key_of(key),
                body: BodyBytes(size[0] as usize),
                points: size[1] as u32,
                attempts: size[2] as u32,
            })
            .collect();
        keys(&self.queue.restore(entries))
    }

    /// The oldest idle body, now marked as being sent: `[createdMs, session, seq,
    /// attempts]`, or `undefined`.
    pub fn next(&mut self) -> Option<Vec<f64>> {
        let entry = self.queue.next_send()?;
        let mut out = Vec::with_capacity(4);
        push_key(&mut out, &entry.key);
        out.push(f64::from(entry.attempts));
        Some(out)
    }

    /// For a page hide: the keys (triples) to send now with `keepalive`, newest first, within
    /// the quota that keepalive requests still in flight leave.
    pub fn keepalive(&mut self) -> Vec<f64> {
        let sends = self.queue.keepalive_sends();
        let mut out = Vec::with_capacity(3 * sends.len());
        for entry in &sends {
            push_key(&mut out, &entry.key);
        }
        out
    }

    /// Whether the `keepalive` sends of a page that goes away count as delivered without an
    /// answer (core `ExportQueue::exit_sends_delivered`): mark them so in the outbox.
    #[wasm_bindgen(js_name = exitSendsDelivered)]
    pub fn exit_sends_delivered(&self, online: bool) -> bool {
        self.queue.exit_sends_delivered(online)
    }

    /// How sending a body went: its HTTP `status`, 0 for a network error. Returns -1 when the
    /// body was not queued, 0 when it goes (delivered, or refused for good), else its attempt
    /// count: keep it (store the count) and retry after `retryDelay`.
    pub fn settle(&mut self, created_ms: f64, session: f64, seq: f64, status: f64) -> f64 {
        let key = key_of(&[created_ms, session, seq]);
        let outcome = SendOutcome::of_status(status.clamp(0.0, 999.0) as u16);
        match self.queue.settle(&key, outcome) {
            Settled::Remove => 0.0,
            Settled::Retry(entry) => f64::from(entry.attempts),
            Settled::Unknown => -1.0,
        }
    }

    /// Forgets the idle bodies (another tab drained the outbox meanwhile) and returns their
    /// keys (triples); the ones being sent stay.
    #[wasm_bindgen(js_name = forgetIdle)]
    pub fn forget_idle(&mut self) -> Vec<f64> {
        keys(&self.queue.forget_idle())
    }

    /// How long to wait before the next attempt after the current failure streak, with
    /// `random` in [0, 1) as jitter.
    #[wasm_bindgen(js_name = retryDelay)]
    pub fn retry_delay(&self, random: f64) -> f64 {
        retry_delay_ms(self.queue.failures().max(1), random)
    }

    /// Forgets the failure streak (the network came back: retry at once).
    #[wasm_bindgen(js_name = resetFailures)]
    pub fn reset_failures(&mut self) {
        self.queue.reset_failures();
    }

    /// `[exportedPoints, requestsSent, requestsFailed, retries, dropped, rejected,
    /// outboxLen]`.
    pub fn stats(&self) -> Vec<f64> {
        let s = self.queue.stats();
        [
            s.exported_points,
            s.requests_sent,
            s.requests_failed,
            s.retries,
            s.dropped,
            s.rejected,
            s.outbox_len,
        ]
        .map(|n| n as f64)
        .to_vec()
    }
}
