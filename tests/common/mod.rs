//! Shared by the browser tests (`tests/browser_*.rs` include it with `mod common;`).

/// The origin of the local test server (`tests/server/server.mjs`).
///
/// Set `APISCOPE_TEST_ORIGIN` at build time to point the tests at a server on another port, so
/// that several checkouts can run their browser tests at once.
#[allow(dead_code)] // each test binary uses a different subset of these helpers
pub fn test_origin() -> &'static str {
    option_env!("APISCOPE_TEST_ORIGIN").unwrap_or("http://127.0.0.1:8787")
}

/// The same server's second port: a real cross-origin peer.
#[allow(dead_code)]
pub fn second_origin() -> String {
    let origin = test_origin();
    let (head, port) = origin.rsplit_once(':').expect("origin has a port");
    let port: u16 = port.parse().expect("numeric port");
    format!("{head}:{}", port + 1)
}

/// The origin of the OTLP receiver (`tests/otlp/receiver.py`); CI runs it on port 4318.
///
/// Set `APISCOPE_OTLP_ORIGIN` at build time to use a receiver on another port.
#[allow(dead_code)]
pub fn otlp_origin() -> &'static str {
    option_env!("APISCOPE_OTLP_ORIGIN").unwrap_or("http://127.0.0.1:4318")
}
