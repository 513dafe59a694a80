//! What crosses from JS into the engine besides plain arguments: Resource Timing entries as
//! one observer callback packed them, app-reported sample columns, and stored records.

use std::sync::Arc;

use crate::core::ascii::{cut, first_of, split};
use crate::core::batch::sample::Sample;
use crate::core::error::{FieldError, Rule, indexed};
use crate::core::profiler::timing::{ResourceTiming, ServerTiming};

/// Numbers per entry before its Server-Timing durations: initiator, 14 timing fields,
/// workerStart, the deliveryType code, the Server-Timing count (js/engine/timing.js writes
/// them in this order).
const FIXED: usize = 18;

/// Unpacks one callback's entries: per entry `FIXED` numbers, then that many Server-Timing
/// durations; strings the entry name, its `nextHopProtocol`, then the Server-Timing names, one
/// per line. Times move from `performance.now()` to epoch ms by `time_origin` (a 0, which
/// means "not exposed", stays 0). A malformed batch yields what decoded before the problem.
pub fn resource_timings(numbers: &[f64], strings: &str, time_origin: f64) -> Vec<ResourceTiming> {
    let mut strings = split(strings, b'\n');
    let mut entries = Vec::new();
    let mut rest = numbers;
    let epoch = |t: f64| if t > 0.0 { t + time_origin } else { t };
    while rest.len() >= FIXED {
        let (fixed, tail) = rest.split_at(FIXED);
        let server_count = fixed[17] as usize;
        let (Some(name), Some(protocol)) = (strings.next(), strings.next()) else {
            break;
        };
        if tail.len() < server_count {
            break;
        }
        let (durations, tail) = tail.split_at(server_count);
        // A loop rather than a zip of the durations and the names (smaller wasm).
        let mut server_timing = Vec::with_capacity(server_count);
        for &duration in durations {
            let Some(name) = strings.next() else { break };
            server_timing.push(ServerTiming {
                name: name.to_owned(),
                duration,
            });
        }
        entries.push(ResourceTiming {
            name: without_query(name).to_owned(),
            // The start is always exposed, and may be 0 itself (the page's first request).
            start_time: fixed[1] + time_origin,
            redirect_start: epoch(fixed[2]),
            redirect_end: epoch(fixed[3]),
            domain_lookup_start: epoch(fixed[4]),
            domain_lookup_end: epoch(fixed[5]),
            connect_start: epoch(fixed[6]),
            connect_end: epoch(fixed[7]),
            secure_connection_start: epoch(fixed[8]),
            request_start: epoch(fixed[9]),
            response_start: epoch(fixed[10]),
            response_end: epoch(fixed[11]),
            transfer_size: fixed[12],
            encoded_body_size: fixed[13],
            decoded_body_size: fixed[14],
            worker_start: epoch(fixed[15]),
            delivery_type: fixed[16] as u8,
            next_hop_protocol: protocol.to_owned(),
            server_timing,
        });
        rest = tail;
    }
    entries
}

/// Entry names are already absolute and normalised, so the query starts at the first `?`.
fn without_query(url: &str) -> &str {
    cut(url, first_of(url, b"?#")).0
}

/// The columns of `recordMany`.
pub struct SampleColumns<'a> {
    pub durations: &'a [f64],
    pub starts: Option<&'a [f64]>,
    pub status: Option<&'a [u16]>,
    pub route_index: Option<&'a [u32]>,
    /// Route templates, one per line.
    pub routes: &'a str,
    /// Upper-case methods, one per route line.
    pub methods: Option<&'a str>,
    /// Epoch ms.
    pub now: f64,
}

/// The samples of `recordMany`, all checked first; errors name the column and index.
pub fn sample_batch(c: SampleColumns) -> Result<Vec<Sample>, FieldError> {
    let n = c.durations.len();
    for (name, len) in [
        ("routeIndex", c.route_index.map(<[u32]>::len)),
        ("status", c.status.map(<[u16]>::len)),
        ("startTime", c.starts.map(<[f64]>::len)),
    ] {
        if let Some(len) = len.filter(|&len| len != n) {
            let rule = Rule::Form("as long as durationMs");
            return Err(FieldError::new(name, rule).got(len as f64));
        }
    }
    // Shared by every sample that names them: no copy per sample.
    let mut routes: Vec<Arc<str>> = Vec::new();
    for route in split(c.routes, b'\n') {
        routes.push(route.into());
    }
    if routes.iter().any(|r| r.is_empty()) {
        return Err(FieldError::new("routes", Rule::NotEmpty));
    }
    let get: Arc<str> = "GET".into();
    let mut methods: Vec<Arc<str>> = Vec::new();
    if let Some(lines) = c.methods {
        for m in split(lines, b'\n') {
            methods.push(m.to_ascii_uppercase().into());
        }
    }
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let r = c.route_index.map_or(0, |ix| ix[i] as usize);
        let route = routes.get(r).ok_or_else(|| {
            let rule = Rule::Integer {
                min: 0.0,
                max: (routes.len() - 1) as f64,
            };
            FieldError::new(indexed("routeIndex", i), rule).got(r as f64)
        })?;
        let method = methods.get(r).unwrap_or(&get).clone();
        // The duration first: a bad one would otherwise show as a bad default start time.
        let duration = Rule::FiniteNotNegative
            .check(c.durations[i])
            .map_err(|p| p.of(indexed("durationMs", i)))?;
        let start = c.starts.map_or(c.now - duration, |s| s[i]);
        let code = c.status.map_or(200, |s| s[i]);
        let sample = Sample::new(start, duration, method, route.clone(), code);
        sample.validate().map_err(|e| {
            // The sample's own field names, as the batch's column names.
            let column = match e.field.as_str() {
                "startTime" => "startTime",
                "durationMs" => "durationMs",
                "method" => "methods",
                "route" => "routes",
                _ => "status",
            };
            FieldError {
                field: indexed(column, i),
                problem: e.problem,
            }
        })?;
        samples.push(sample);
    }
    Ok(samples)
}
