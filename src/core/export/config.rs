//! The `export` option of `start()`: its limits and the validation of each field, as the
//! facade checks what js/export/options.js hands over.

use crate::core::ascii::{cut, first_of};
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
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    /// `true` / `false`.
    Bool(bool),
    /// A finite number.
    Number(f64),
    /// A string.
    String(String),
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
    // Split at the first `:` (an http(s) scheme has no `:`, so its `://` is the first `:`).
    let (scheme, rest) = cut(url, first_of(url, b":"));
    let rest = cut(rest, 1).1;
    let http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let Some(rest) = rest.strip_prefix("//").filter(|_| http) else {
        return bad("an absolute http(s) URL");
    };
    let authority = cut(rest, first_of(rest, b"/?#")).0;
    if authority.as_bytes().contains(&b'@') {
        return bad("free of credentials");
    }
    if authority.is_empty() || authority.starts_with(':') {
        return bad("a URL with a host");
    }
    Ok(())
}

/// An RFC 9110 token name and a value without line breaks, as `Headers.set` requires.
fn check_header(name: &str, value: &str) -> Result<(), Problem> {
    // Bytes, not chars in a `&str` (see `RouteKey::split`); a non-ASCII byte is no tchar.
    let tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(tchar) {
        return Err(Problem::text(Rule::Form("valid header names"), name));
    }
    if first_of(value, b"\r\n\0") < value.len() {
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

    #[test]
    fn urls() {
        for good in [
            "http://127.0.0.1:4318/v1/metrics",
            "HTTPS://otel.example/v1/metrics?k=v",
            "https://[::1]:4318/v1/metrics",
        ] {
            assert!(check_export_url(good).is_ok(), "{good}");
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
            let problem = check_export_url(bad).unwrap_err().to_string();
            assert!(problem.starts_with("export.url: "), "{problem}");
            assert!(problem.contains(why), "{bad}: {problem}");
        }
    }

    #[test]
    fn numbers_and_maps() {
        let field = |r: Result<f64, FieldError>| r.err().map(|e| e.field).unwrap_or_default();
        assert_eq!(field(check_interval_ms(999.0)), "export.intervalMs");
        assert_eq!(field(check_interval_ms(f64::NAN)), "export.intervalMs");
        assert_eq!(field(check_max_outbox(0.0)), "export.maxOutbox");
        assert_eq!(field(check_max_outbox(2.5)), "export.maxOutbox");
        assert_eq!(field(check_max_outbox(1.0)), "");
        let header = check_export_header("x-key", "a\r\nb").unwrap_err();
        assert_eq!(header.field, "export.headers");
        assert!(check_export_header("bad name", "x").is_err());
        let nan = AttributeValue::Number(f64::NAN);
        assert_eq!(
            check_resource_attribute("n", &nan).unwrap_err().field,
            "export.resource"
        );
        assert!(check_resource_attribute("", &AttributeValue::Bool(true)).is_err());
    }
}
