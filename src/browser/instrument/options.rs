//! What to hook and which requests to observe.

/// Requests the hooks must not observe, e.g. apiscope's own exporter. Each rule is tested
/// against the request's full absolute URL, query included.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    /// URL prefixes, e.g. `"https://collector.example/v1/"`.
    pub prefixes: Vec<String>,
    /// JS regular expressions; a match anywhere in the URL ignores the request.
    pub patterns: Vec<js_sys::RegExp>,
}

/// Options for [`super::Hooks::install`].
#[derive(Debug, Clone)]
pub struct HookOptions {
    /// Hook `fetch` (where the global scope has it).
    pub fetch: bool,
    /// Hook `XMLHttpRequest` (where the global scope has it; not in service workers).
    pub xhr: bool,
    /// The share of requests observed, in (0, 1]; decided per request before any other work.
    pub sample_rate: f64,
    /// Requests never observed.
    pub ignore: IgnoreRules,
    /// How many distinct (method, URL) pairs the hooks remember, so that a repeated call
    /// crosses into wasm without its strings. Any value works; a small one only costs speed.
    pub call_sites: u32,
}

impl Default for HookOptions {
    /// Both transports, every request, nothing ignored.
    fn default() -> Self {
        Self {
            fetch: true,
            xhr: true,
            sample_rate: 1.0,
            ignore: IgnoreRules::default(),
            call_sites: 1024,
        }
    }
}
