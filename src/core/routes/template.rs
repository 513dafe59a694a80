//! URL → route template, so that `/api/users/123?x=1` and `/api/users/456` are one route,
//! `/api/users/:id`.
//!
//! Runs once per request, so it parses by hand (no regex, no URL crate) and allocates only the
//! output string. User templates are parsed into segments once, at construction.
//!
//! What is kept: the origin (`scheme://host[:port]`, lower-cased, default port and any
//! `user:password@` dropped) and the templated path. What is never kept: the query string and
//! the fragment (they carry personal data), and the raw value of any templated segment.
//!
//! Per path segment, the first rule that applies wins:
//! 1. a user template matching the whole path (first registered wins) — its literal segments
//!    must match exactly, `:name` and `*` match any one segment and are written as themselves;
//! 2. digits only: `:date` if it is a plausible `YYYYMMDD`, else `:id`;
//! 3. a UUID (`8-4-4-4-12` hex digits): `:uuid`;
//! 4. `YYYY-MM-DD`: `:date`;
//! 5. at least 16 hex digits: `:hash`;
//! 6. an id-like token: only ASCII letters and digits, at least 10 long, with at least one
//!    letter and two digits (`a1b2c3d4e5`, `Xk9fQ2mZ7pLw`): `:hash`. The two-digit floor
//!    keeps words like `oauth2callback` literal.
//!
//! Every replacement starts with `:`, which no rule matches, so templating is idempotent.

use crate::core::ascii::{cut, first_of, split, trim_end, trim_start};
use crate::core::error::{FieldError, Problem, Rule, indexed};

/// A templated route: one string `origin + template`, e.g.
/// `https://api.example.com/users/:id`, with accessors for each part.
///
/// One string rather than two keeps the per-request cost to a single allocation.
///
/// ```
/// use apiscope::core::routes::Templater;
/// let t = Templater::default();
/// let key = t.route("https://api.example.com/users/42?x=1", "https://app.example.com").unwrap();
/// assert_eq!(key.origin(), "https://api.example.com");
/// assert_eq!(key.template(), "/users/:id");
/// assert_eq!(key.full(), "https://api.example.com/users/:id");
/// assert!(!key.same_origin());
/// assert_eq!(key.label(), "https://api.example.com/users/:id");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteKey {
    full: String,
    origin_len: usize,
    same_origin: bool,
}

impl RouteKey {
    /// `scheme://host[:port]`.
    ///
    /// ```
    /// # use apiscope::core::routes::Templater;
    /// let key = Templater::default().route("https://a.example/u/1?q", "https://a.example").unwrap();
    /// assert_eq!(key.origin(), "https://a.example");
    /// ```
    pub fn origin(&self) -> &str {
        self.split().0
    }

    /// The templated path, always starting with `/`.
    ///
    /// ```
    /// # use apiscope::core::routes::Templater;
    /// let key = Templater::default().route("https://a.example/u/1?q", "https://a.example").unwrap();
    /// assert_eq!(key.template(), "/u/:id");
    /// ```
    pub fn template(&self) -> &str {
        self.split().1
    }

    /// Origin and template. `origin_len` always falls after an ASCII character, so the split
    /// cannot fail; the checked split keeps str slicing's panic out of the wasm (its message
    /// formats chars, which links `Debug` for them and Unicode tables: 3 KB gzipped). Hence
    /// this file and the engine's other per-request text code split with `split`,
    /// `split_once(char)` and checked `get`, and test bytes rather than `&str` or `char`
    /// patterns (their searchers slice str).
    fn split(&self) -> (&str, &str) {
        self.full
            .split_at_checked(self.origin_len)
            .unwrap_or_default()
    }

    /// Origin and template together.
    ///
    /// ```
    /// # use apiscope::core::routes::Templater;
    /// let key = Templater::default().route("https://a.example/u/1?q", "https://a.example").unwrap();
    /// assert_eq!(key.full(), "https://a.example/u/:id");
    /// ```
    pub fn full(&self) -> &str {
        &self.full
    }

    /// Whether the origin is the page's own.
    ///
    /// ```
    /// # use apiscope::core::routes::Templater;
    /// let key = Templater::default().route("https://a.example/u/1?q", "https://a.example").unwrap();
    /// assert_eq!(key.same_origin(), true);
    /// ```
    pub fn same_origin(&self) -> bool {
        self.same_origin
    }

    /// What to show and group by: the template alone for the page's own origin, else the full
    /// route.
    ///
    /// ```
    /// use apiscope::core::routes::Templater;
    /// let key = Templater::default()
    ///     .route("https://app.example.com/api/users/7", "https://app.example.com")
    ///     .unwrap();
    /// assert_eq!(key.label(), "/api/users/:id");
    /// ```
    pub fn label(&self) -> &str {
        if self.same_origin {
            self.template()
        } else {
            self.full()
        }
    }
}

#[derive(Debug, Clone)]
enum TemplateSegment {
    Literal(String),
    /// `:name` or `*`, written to the output as given.
    Placeholder(String),
}

/// Turns URLs into [`RouteKey`]s, applying user templates before the built-in rules.
///
/// ```
/// use apiscope::core::routes::Templater;
/// let t = Templater::new(&["/api/orders/:orderId/items/:itemId"]).unwrap();
/// let key = t.route("https://a.example/api/orders/A-17/items/9#top", "https://a.example").unwrap();
/// assert_eq!(key.label(), "/api/orders/:orderId/items/:itemId");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Templater {
    templates: Vec<Vec<TemplateSegment>>,
}

impl Templater {
    /// Parses user templates: each must start with `/`; a segment `:name` (non-empty name) or
    /// `*` matches any one segment, anything else must match literally.
    ///
    /// ```
    /// use apiscope::core::routes::Templater;
    /// assert!(Templater::new(&["/api/*/status"]).is_ok());
    /// assert!(Templater::new(&["api/:id"]).is_err());
    /// assert!(Templater::new(&["/api/:"]).is_err());
    /// ```
    pub fn new<S: AsRef<str>>(templates: &[S]) -> Result<Self, FieldError> {
        // Loops rather than collects into `Result`: the collects' adapters cost 1.4 KB of wasm.
        let mut parsed = Vec::with_capacity(templates.len());
        for (i, t) in templates.iter().enumerate() {
            parsed.push(parse_template(t.as_ref()).map_err(|p| p.of(indexed("", i)))?);
        }
        Ok(Self { templates: parsed })
    }

    /// Templates an absolute URL. `page_origin` is the page's `location.origin`, used only to
    /// tell same-origin routes apart ([`RouteKey::label`]).
    ///
    /// ```
    /// use apiscope::core::routes::Templater;
    /// let t = Templater::default();
    /// let key = t
    ///     .route("HTTPS://user:pw@Shop.Example:443/p/550e8400-e29b-41d4-a716-446655440000/2024-01-31?q", "https://shop.example")
    ///     .unwrap();
    /// assert_eq!(key.full(), "https://shop.example/p/:uuid/:date");
    /// assert!(key.same_origin());
    /// ```
    pub fn route(&self, url: &str, page_origin: &str) -> Result<RouteKey, FieldError> {
        let parts = split_url(url)?;
        let mut full = String::with_capacity(url.len());
        push_lowercase(&mut full, parts.scheme);
        full.push_str("://");
        push_lowercase(&mut full, parts.host);
        if let Some(port) = parts.port.filter(|p| !is_default_port(parts.scheme, p)) {
            full.push(':');
            full.push_str(port);
        }
        let origin_len = full.len();
        let same_origin = full.eq_ignore_ascii_case(trim_end(page_origin, b'/'));
        self.push_template(&mut full, parts.path);
        Ok(RouteKey {
            full,
            origin_len,
            same_origin,
        })
    }

    fn push_template(&self, out: &mut String, path: &str) {
        if path.is_empty() {
            out.push('/');
            return;
        }
        let segment_count = split(path, b'/').count();
        let user = self.templates.iter().find(|t| {
            t.len() == segment_count
                && t.iter().zip(split(path, b'/')).all(|(ts, seg)| match ts {
                    TemplateSegment::Literal(l) => l == seg,
                    TemplateSegment::Placeholder(_) => true,
                })
        });
        for (i, seg) in split(path, b'/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            let written = match user.map(|t| &t[i]) {
                Some(TemplateSegment::Placeholder(p)) => p.as_str(),
                _ => builtin_placeholder(seg).unwrap_or(seg),
            };
            out.push_str(written);
        }
    }
}

fn parse_template(template: &str) -> Result<Vec<TemplateSegment>, Problem> {
    let invalid = |form| Problem::text(Rule::Form(form), template);
    if !template.starts_with('/') {
        return Err(invalid("a path starting with '/'"));
    }
    if template.bytes().any(|b| b == b'?' || b == b'#') {
        return Err(invalid("a path without '?' or '#'"));
    }
    let mut segments = Vec::new();
    for seg in split(template, b'/') {
        segments.push(match seg {
            ":" => return Err(invalid("a path whose ':' segments have names")),
            "*" => TemplateSegment::Placeholder(seg.to_owned()),
            _ if seg.starts_with(':') => TemplateSegment::Placeholder(seg.to_owned()),
            _ => TemplateSegment::Literal(seg.to_owned()),
        });
    }
    Ok(segments)
}

struct UrlParts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    /// Empty or starting with `/`; no query, no fragment.
    path: &'a str,
}

fn split_url(url: &str) -> Result<UrlParts<'_>, FieldError> {
    let invalid_url = |form| FieldError::new("url", Rule::Form(form));
    if url
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'\\')
    {
        return Err(invalid_url(
            "a URL without whitespace, control characters or '\\'",
        ));
    }
    // Byte scans for the ASCII delimiters throughout (see `core::ascii`).
    let (scheme, rest) = url
        .as_bytes()
        .windows(3)
        .position(|w| w == b"://")
        .and_then(|at| Some((url.get(..at)?, url.get(at + 3..)?)))
        .ok_or_else(|| invalid_url("an absolute URL"))?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !scheme_ok {
        return Err(invalid_url("a URL with a valid scheme"));
    }
    let (authority, rest) = cut(rest, first_of(rest, b"/?#"));
    // Credentials are never kept.
    let host_port = match authority.bytes().rposition(|b| b == b'@') {
        Some(at) => cut(authority, at + 1).1,
        None => authority,
    };
    let (host, port) = split_port(host_port)?;
    if host.is_empty() {
        return Err(invalid_url("a URL with a host"));
    }
    if host.as_bytes().contains(&b':') && !(host.starts_with('[') && host.ends_with(']')) {
        return Err(invalid_url("a URL with a valid host"));
    }
    Ok(UrlParts {
        scheme,
        host,
        port,
        path: cut(rest, first_of(rest, b"?#")).0,
    })
}

/// Splits `host:port`, minding IPv6 literals (`[::1]:8080`).
fn split_port(host_port: &str) -> Result<(&str, Option<&str>), FieldError> {
    let Some(at) = host_port.bytes().rposition(|b| b == b':') else {
        return Ok((host_port, None));
    };
    let (host, port) = cut(host_port, at);
    let port = cut(port, 1).1;
    if port.as_bytes().contains(&b']') {
        return Ok((host_port, None));
    }
    if port.is_empty() {
        return Ok((host, None));
    }
    // Digits only, at most 65535 (leading zeros allowed, as URL parsers do).
    let value = port.bytes().try_fold(0u32, |acc, b| {
        b.is_ascii_digit()
            .then(|| acc.saturating_mul(10).saturating_add(u32::from(b - b'0')))
    });
    match value {
        Some(v) if v <= u32::from(u16::MAX) => Ok((host, Some(port))),
        _ => Err(FieldError::new(
            "url",
            Rule::Form("a URL with a valid port"),
        )),
    }
}

fn is_default_port(scheme: &str, port: &str) -> bool {
    let port = trim_start(port, b'0');
    (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("ws")) && port == "80"
        || (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("wss"))
            && port == "443"
}

// Bytes in place rather than `extend` over chars: at the engine's low inlining threshold each
// char was a call to `String::push` (a sampling profile blamed it for much of a new call
// site's ingest, but timed directly the change is within noise; it saves 60 bytes gzipped).
// ASCII case only, so any non-ASCII byte is left as it was.
fn push_lowercase(out: &mut String, s: &str) {
    let start = out.len();
    out.push_str(s);
    // (`get_mut`, not indexing: `start` is a boundary, and indexing would link in its panic.)
    if let Some(added) = out.get_mut(start..) {
        added.make_ascii_lowercase();
    }
}

/// The built-in replacement for one path segment, if any rule applies.
fn builtin_placeholder(seg: &str) -> Option<&'static str> {
    let b = seg.as_bytes();
    if b.is_empty() {
        None
    } else if b.iter().all(u8::is_ascii_digit) {
        Some(if is_compact_date(b) { ":date" } else { ":id" })
    } else if is_uuid(b) {
        Some(":uuid")
    } else if is_dashed_date(b) {
        Some(":date")
    } else if b.len() >= 16 && b.iter().all(u8::is_ascii_hexdigit) || is_id_token(b) {
        Some(":hash")
    } else {
        None
    }
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `YYYY-MM-DD`.
fn is_dashed_date(b: &[u8]) -> bool {
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && is_date_digits(&b[..4], &b[5..7], &b[8..10])
}

/// `YYYYMMDD` (already known to be all digits).
fn is_compact_date(b: &[u8]) -> bool {
    b.len() == 8 && is_date_digits(&b[..4], &b[4..6], &b[6..8])
}

fn is_date_digits(year: &[u8], month: &[u8], day: &[u8]) -> bool {
    let num = |d: &[u8]| {
        d.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    matches!(
        (num(year), num(month), num(day)),
        (Some(1900..=2199), Some(1..=12), Some(1..=31))
    )
}

fn is_id_token(b: &[u8]) -> bool {
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    b.len() >= 10 && digits >= 2 && digits < b.len() && b.iter().all(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(url: &str) -> String {
        Templater::default()
            .route(url, "https://a.example")
            .unwrap()
            .label()
            .to_owned()
    }

    #[test]
    fn origin_lower_cases_ascii_only() {
        let key = Templater::default()
            .route("HTTPS://ÄPI.Example:8443/x", "https://a.example")
            .unwrap();
        assert_eq!(key.origin(), "https://Äpi.example:8443");
    }

    #[test]
    fn builtin_rules() {
        assert_eq!(label("https://a.example/api/users/123"), "/api/users/:id");
        assert_eq!(
            label("https://a.example/d/20240131/19991301"),
            "/d/:date/:id"
        );
        assert_eq!(
            label("https://a.example/d/2024-01-31/2024-13-01"),
            "/d/:date/2024-13-01"
        );
        assert_eq!(label("https://a.example/c/0123456789abcdef0"), "/c/:hash");
        assert_eq!(label("https://a.example/c/deadbeef"), "/c/deadbeef");
        assert_eq!(
            label("https://a.example/t/a1b2c3d4e5/oauth2callback"),
            "/t/:hash/oauth2callback"
        );
        assert_eq!(label("https://a.example/v2/users/"), "/v2/users/");
    }

    #[test]
    fn origin_is_normalised() {
        let key = Templater::default()
            .route("http://U@Host.Example:80", "https://a.example")
            .unwrap();
        assert_eq!(key.full(), "http://host.example/");
        let key = Templater::default()
            .route("http://[::1]:8080/x?y", "http://[::1]:8080")
            .unwrap();
        assert_eq!((key.origin(), key.label()), ("http://[::1]:8080", "/x"));
    }
}
