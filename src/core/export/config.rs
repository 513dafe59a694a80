//! The `export` option of `Profiler.start`, as JavaScript passes it, and its validation.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::core::error::{FieldError, Problem, Rule};

/// How often pending histograms are exported when `intervalMs` is not given.
pub const DEFAULT_INTERVAL_MS: f64 = 10_000.0;
/// Request bodies kept for retry when `maxOutbox` is not given.
pub const DEFAULT_MAX_OUTBOX: f64 = 200.0;
/// Shortest accepted interval: more often would compete with the app for the network.
pub const MIN_INTERVAL_MS: f64 = 1_000.0;
/// Largest accepted outbox, so that a long offline spell has bounded storage.
pub const MAX_OUTBOX: f64 = 10_000.0;

/// A resource attribute value: a string, a boolean or a number.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum AttributeValue {
    /// `true` / `false`.
    Bool(bool),
    /// A finite number.
    Number(f64),
    /// A string.
    String(String),
}

/// `{ url, intervalMs, headers, resource, maxOutbox }`; the facade deserialises it directly.
///
/// ```
/// use apiscope::core::export::ExportConfig;
/// let config: ExportConfig =
///     serde_json::from_str(r#"{ "url": "https://otel.example/v1/metrics" }"#).unwrap();
/// assert_eq!((config.interval_ms, config.max_outbox), (10_000.0, 200.0));
/// assert!(config.validate().is_ok());
/// assert!(serde_json::from_str::<ExportConfig>(r#"{ "url": "x", "typo": 1 }"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportConfig {
    /// The OTLP/HTTP metrics endpoint, e.g. `https://collector.example/v1/metrics`.
    pub url: String,
    /// Milliseconds between exports.
    #[serde(default = "default_interval_ms")]
    pub interval_ms: f64,
    /// Extra request headers (e.g. an API key).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Resource attributes added to (and overriding) `service.name` and the page origin.
    #[serde(default)]
    pub resource: BTreeMap<String, AttributeValue>,
    /// Request bodies kept for retry; beyond it the oldest are dropped (and counted).
    #[serde(default = "default_max_outbox")]
    pub max_outbox: f64,
}

fn default_interval_ms() -> f64 {
    DEFAULT_INTERVAL_MS
}

fn default_max_outbox() -> f64 {
    DEFAULT_MAX_OUTBOX
}

impl ExportConfig {
    /// A config for `url` with every other option at its default.
    ///
    /// ```
    /// use apiscope::core::export::ExportConfig;
    /// assert_eq!(ExportConfig::new("http://127.0.0.1:4318/v1/metrics").interval_ms, 10_000.0);
    /// ```
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            interval_ms: DEFAULT_INTERVAL_MS,
            headers: BTreeMap::new(),
            resource: BTreeMap::new(),
            max_outbox: DEFAULT_MAX_OUTBOX,
        }
    }

    /// Checks every option; the error names the first bad one as `export.<option>`.
    ///
    /// ```
    /// use apiscope::core::export::ExportConfig;
    /// let err = ExportConfig::new("/v1/metrics").validate().unwrap_err();
    /// assert_eq!(err.field, "export.url");
    /// let mut config = ExportConfig::new("https://otel.example/v1/metrics");
    /// config.headers.insert("bad name".into(), "x".into());
    /// assert_eq!(config.validate().unwrap_err().field, "export.headers");
    /// ```
    pub fn validate(&self) -> Result<(), FieldError> {
        check_export_url(&self.url)?;
        check_interval_ms(self.interval_ms)?;
        check_max_outbox(self.max_outbox)?;
        for (name, value) in &self.headers {
            check_export_header(name, value)?;
        }
        for (key, value) in &self.resource {
            check_resource_attribute(key, value)?;
        }
        Ok(())
    }
}

/// `export.url`: an absolute `http(s)` URL with a host and no credentials.
///
/// ```
/// use apiscope::core::export::check_export_url;
/// assert!(check_export_url("https://otel.example/v1/metrics").is_ok());
/// assert_eq!(check_export_url("/v1/metrics").unwrap_err().field, "export.url");
/// ```
pub fn check_export_url(url: &str) -> Result<(), FieldError> {
    check_url(url).map_err(|p| p.of("export.url"))
}

/// The error for an `export.url` that passed [`check_export_url`] but that the browser's URL
/// parser (the one `fetch` uses) refused.
///
/// ```
/// use apiscope::core::export::unparsable_export_url;
/// let err = unparsable_export_url("http://[::1/v1/metrics");
/// assert_eq!(err.to_string(), "export.url: must be an absolute http(s) URL, got \"http://[::1/v1/metrics\"");
/// ```
pub fn unparsable_export_url(url: &str) -> FieldError {
    Problem::text(Rule::Form("an absolute http(s) URL"), url).of("export.url")
}

/// `export.intervalMs`: at least [`MIN_INTERVAL_MS`], at most `2^32 - 1`.
///
/// ```
/// use apiscope::core::export::check_interval_ms;
/// assert_eq!(check_interval_ms(5_000.0), Ok(5_000.0));
/// assert_eq!(check_interval_ms(999.0).unwrap_err().field, "export.intervalMs");
/// ```
pub fn check_interval_ms(interval_ms: f64) -> Result<f64, FieldError> {
    let rule = Rule::Between {
        min: MIN_INTERVAL_MS,
        min_closed: true,
        max: f64::from(u32::MAX),
        max_closed: true,
    };
    rule.check(interval_ms)
        .map_err(|p| p.of("export.intervalMs"))
}

/// `export.maxOutbox`: an integer in `[1, MAX_OUTBOX]`.
///
/// ```
/// use apiscope::core::export::check_max_outbox;
/// assert_eq!(check_max_outbox(3.0), Ok(3.0));
/// assert_eq!(check_max_outbox(2.5).unwrap_err().field, "export.maxOutbox");
/// ```
pub fn check_max_outbox(max_outbox: f64) -> Result<f64, FieldError> {
    let rule = Rule::Integer {
        min: 1.0,
        max: MAX_OUTBOX,
    };
    rule.check(max_outbox).map_err(|p| p.of("export.maxOutbox"))
}

/// One of `export.headers`: an RFC 9110 token name and a value without line breaks or NUL,
/// as `Headers.set` requires.
///
/// ```
/// use apiscope::core::export::check_export_header;
/// assert!(check_export_header("x-api-key", "k").is_ok());
/// assert_eq!(check_export_header("x-key", "a\nb").unwrap_err().field, "export.headers");
/// ```
pub fn check_export_header(name: &str, value: &str) -> Result<(), FieldError> {
    check_header(name, value).map_err(|p| p.of("export.headers"))
}

/// One of `export.resource`: a non-empty key; numbers finite.
///
/// ```
/// use apiscope::core::export::{AttributeValue, check_resource_attribute};
/// assert!(check_resource_attribute("build", &AttributeValue::Number(42.0)).is_ok());
/// let nan = AttributeValue::Number(f64::NAN);
/// assert_eq!(check_resource_attribute("n", &nan).unwrap_err().field, "export.resource");
/// ```
pub fn check_resource_attribute(key: &str, value: &AttributeValue) -> Result<(), FieldError> {
    check_attribute(key, value).map_err(|p| p.of("export.resource"))
}

/// An absolute `http(s)` URL with a host and no credentials (fetch refuses those). The browser
/// edge parses it again with the URL parser fetch uses.
fn check_url(url: &str) -> Result<(), Problem> {
    let bad = |form| Err(Problem::text(Rule::Form(form), url));
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("free of whitespace");
    }
    let scheme_end = url.find("://").unwrap_or(0);
    let scheme = url[..scheme_end].to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return bad("an absolute http(s) URL");
    }
    let rest = &url[scheme_end + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return bad("free of credentials");
    }
    if authority.is_empty() || authority.starts_with(':') {
        return bad("a URL with a host");
    }
    Ok(())
}

/// An RFC 9110 token name and a value without line breaks, as `Headers.set` requires.
fn check_header(name: &str, value: &str) -> Result<(), Problem> {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(tchar) {
        return Err(Problem::text(Rule::Form("valid header names"), name));
    }
    if value.contains(['\r', '\n', '\0']) {
        let rule = Rule::Form("header values without line breaks or NUL");
        return Err(Problem::text(rule, name));
    }
    Ok(())
}

fn check_attribute(key: &str, value: &AttributeValue) -> Result<(), Problem> {
    if key.is_empty() {
        return Err(Problem::new(Rule::Form("attributes with non-empty names")));
    }
    match value {
        AttributeValue::Number(n) if !n.is_finite() => Err(Problem::text(
            Rule::Form("attributes with finite numbers"),
            key,
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_problem(url: &str) -> Option<String> {
        ExportConfig::new(url)
            .validate()
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn urls() {
        for good in [
            "http://127.0.0.1:4318/v1/metrics",
            "HTTPS://otel.example/v1/metrics?k=v",
            "https://[::1]:4318/v1/metrics",
        ] {
            assert_eq!(url_problem(good), None, "{good}");
        }
        for (bad, why) in [
            ("", "absolute http(s)"),
            ("/v1/metrics", "absolute http(s)"),
            ("ftp://otel.example/", "absolute http(s)"),
            ("https:///v1/metrics", "host"),
            ("https://:4318/v1/metrics", "host"),
            ("https://user:pw@otel.example/", "credentials"),
            ("https://otel example/", "whitespace"),
        ] {
            let problem = url_problem(bad).unwrap();
            assert!(problem.starts_with("export.url: "), "{problem}");
            assert!(problem.contains(why), "{bad}: {problem}");
        }
    }

    #[test]
    fn numbers_and_maps() {
        let field = |edit: fn(&mut ExportConfig)| {
            let mut config = ExportConfig::new("https://otel.example/v1/metrics");
            edit(&mut config);
            config.validate().err().map(|e| e.field).unwrap_or_default()
        };
        assert_eq!(field(|c| c.interval_ms = 999.0), "export.intervalMs");
        assert_eq!(field(|c| c.interval_ms = f64::NAN), "export.intervalMs");
        assert_eq!(field(|c| c.max_outbox = 0.0), "export.maxOutbox");
        assert_eq!(field(|c| c.max_outbox = 2.5), "export.maxOutbox");
        let newline = |c: &mut ExportConfig| {
            c.headers.insert("x-key".into(), "a\r\nb".into());
        };
        assert_eq!(field(newline), "export.headers");
        let nan = |c: &mut ExportConfig| {
            c.resource
                .insert("n".into(), AttributeValue::Number(f64::NAN));
        };
        assert_eq!(field(nan), "export.resource");
        assert_eq!(field(|c| c.max_outbox = 1.0), "");
    }

    #[test]
    fn deserialises_camel_case_with_mixed_resource_values() {
        let config: ExportConfig = serde_json::from_str(
            r#"{ "url": "https://o.example/v1/metrics", "intervalMs": 5000, "maxOutbox": 3,
                 "headers": { "x-api-key": "k" },
                 "resource": { "service.name": "shop", "canary": true, "build": 42 } }"#,
        )
        .unwrap();
        assert_eq!((config.interval_ms, config.max_outbox), (5_000.0, 3.0));
        assert_eq!(config.resource["canary"], AttributeValue::Bool(true));
        assert_eq!(config.resource["build"], AttributeValue::Number(42.0));
        assert!(config.validate().is_ok());
    }
}
