//! Which requests a response cache may answer, which responses it may keep and for how long,
//! and the key they are kept under. Pure: headers come in as plain strings.
//!
//! Rules (a private, in-page cache, so `private` responses are fine to keep):
//! - Only `GET` and `HEAD` use the cache. A request with `Range`, `Cache-Control: no-store` or
//!   fetch's `cache: "no-store"`/`"only-if-cached"` bypasses it; `Cache-Control: no-cache` /
//!   `max-age=0` or `cache: "reload"`/`"no-cache"` skip the lookup but may store the answer.
//! - A response is kept only when it is 2xx (not 206), not opaque, has no visible
//!   `Set-Cookie` (browsers never show it to fetch, so in a page this rule never fires; Node's
//!   fetch does show it), no `no-store`, no `no-cache` (we never revalidate conditionally, so
//!   "must revalidate" means "don't keep"), and no `Vary: *`.
//! - TTL: the cache's default, capped by `max-age`; with neither, the response is not kept
//!   (no explicit freshness). A TTL of 0 means not kept.

use sha2::{Digest, Sha256};

/// The directives of a `Cache-Control` header that this cache acts on.
///
/// ```
/// use apiscope::core::cache::http_policy::CacheControl;
/// let cc = CacheControl::parse("public, Max-Age=\"60\", no-cache");
/// assert_eq!(cc.max_age_s, Some(60.0));
/// assert!(cc.no_cache && !cc.no_store);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CacheControl {
    /// `no-store`.
    pub no_store: bool,
    /// `no-cache` (with or without field names).
    pub no_cache: bool,
    /// `private`: recorded for completeness; an in-page cache is private by nature.
    pub private: bool,
    /// `max-age` in seconds; a malformed value (not digits only) reads as 0 (stale), as RFC
    /// 9111 advises.
    pub max_age_s: Option<f64>,
}

impl CacheControl {
    /// Parses a header value; unknown directives are ignored.
    pub fn parse(header: &str) -> Self {
        let mut cc = Self::default();
        for directive in header.split(',') {
            let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
            // Compared in place, not lower-cased into a new string for a match.
            let name = name.trim();
            if name.eq_ignore_ascii_case("no-store") {
                cc.no_store = true;
            } else if name.eq_ignore_ascii_case("no-cache") {
                cc.no_cache = true;
            } else if name.eq_ignore_ascii_case("private") {
                cc.private = true;
            } else if name.eq_ignore_ascii_case("max-age") {
                cc.max_age_s = Some(delta_seconds(value.trim().trim_matches('"')));
            }
        }
        cc
    }

    fn of(header: Option<&str>) -> Self {
        header.map(Self::parse).unwrap_or_default()
    }
}

/// RFC 9111's `delta-seconds` (digits only), read by hand so that no float parser is linked;
/// anything else is 0, and very large values saturate (they mean "for ever" anyway).
fn delta_seconds(text: &str) -> f64 {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return 0.0;
    }
    text.bytes().fold(0.0, |seconds, digit| {
        seconds * 10.0 + f64::from(digit - b'0')
    })
}

/// What a request needs to be judged.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RequestFacts<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// fetch's `Request.cache` mode (`"default"`, `"no-store"`, `"reload"`, ...).
    pub cache_mode: &'a str,
    /// The request's `Cache-Control` header.
    pub cache_control: Option<&'a str>,
    /// Whether a `Range` header is present (partial answers are never cached).
    pub has_range: bool,
}

/// What the cache does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestPlan {
    /// Answer from the cache when possible, else fetch and store.
    Lookup,
    /// Skip the lookup, fetch, and store the answer if allowed.
    Refresh,
    /// Plain network fetch; nothing read or written.
    Bypass,
}

/// Decides how to handle a request.
///
/// ```
/// use apiscope::core::cache::http_policy::{plan_request, RequestFacts, RequestPlan};
/// let get = RequestFacts { method: "GET", cache_mode: "default", ..Default::default() };
/// assert_eq!(plan_request(&get), RequestPlan::Lookup);
/// let post = RequestFacts { method: "POST", ..get };
/// assert_eq!(plan_request(&post), RequestPlan::Bypass);
/// ```
pub fn plan_request(request: &RequestFacts<'_>) -> RequestPlan {
    let method = request.method;
    let cacheable_method =
        method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD");
    let cc = CacheControl::of(request.cache_control);
    if !cacheable_method
        || request.has_range
        || cc.no_store
        || matches!(request.cache_mode, "no-store" | "only-if-cached")
    {
        RequestPlan::Bypass
    } else if cc.no_cache
        || cc.max_age_s == Some(0.0)
        || matches!(request.cache_mode, "reload" | "no-cache")
    {
        RequestPlan::Refresh
    } else {
        RequestPlan::Lookup
    }
}

/// What a response needs to be judged.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ResponseFacts<'a> {
    /// HTTP status (0 for opaque responses).
    pub status: u16,
    /// `opaque` or `opaqueredirect` response type: unreadable, so never kept.
    pub opaque: bool,
    /// The response's `Cache-Control` header.
    pub cache_control: Option<&'a str>,
    /// Whether a `Set-Cookie` header is visible (browsers hide it from fetch; other hosts may not).
    pub has_set_cookie: bool,
    /// The response's `Vary` header.
    pub vary: Option<&'a str>,
}

/// How long a response may be kept, in ms, or `None` when it must not be kept.
///
/// ```
/// use apiscope::core::cache::http_policy::{storable_ttl_ms, ResponseFacts};
/// let ok = ResponseFacts { status: 200, cache_control: Some("max-age=5"), ..Default::default() };
/// assert_eq!(storable_ttl_ms(&ok, Some(60_000.0)), Some(5_000.0));
/// assert_eq!(storable_ttl_ms(&ResponseFacts { status: 500, ..ok }, Some(60_000.0)), None);
/// ```
pub fn storable_ttl_ms(response: &ResponseFacts<'_>, default_ttl_ms: Option<f64>) -> Option<f64> {
    let cc = CacheControl::of(response.cache_control);
    let success = (200..300).contains(&response.status) && response.status != 206;
    if !success
        || response.opaque
        || response.has_set_cookie
        || cc.no_store
        || cc.no_cache
        || vary_names(response.vary).is_none()
    {
        return None;
    }
    let max_age_ms = cc.max_age_s.map(|s| s * 1_000.0);
    let ttl = match (default_ttl_ms, max_age_ms) {
        (Some(default), Some(max_age)) => default.min(max_age),
        (Some(ttl), None) | (None, Some(ttl)) => ttl,
        (None, None) => return None,
    };
    (ttl > 0.0).then_some(ttl)
}

/// The request header names a `Vary` value lists, lower-cased, sorted and deduplicated;
/// `None` for `Vary: *` (the answer depends on something unknowable: don't cache).
///
/// ```
/// use apiscope::core::cache::http_policy::vary_names;
/// assert_eq!(vary_names(Some("Accept, accept-language ,Accept")).unwrap(), ["accept", "accept-language"]);
/// assert_eq!(vary_names(None).unwrap().len(), 0);
/// assert!(vary_names(Some("*")).is_none());
/// ```
pub fn vary_names(vary: Option<&str>) -> Option<Vec<String>> {
    // A loop, not a filtered collect: no iterator adapters are linked for it.
    let mut names: Vec<String> = Vec::new();
    for name in vary.unwrap_or("").split(',') {
        let name = name.trim();
        if name == "*" {
            return None;
        }
        if !name.is_empty() {
            names.push(name.to_ascii_lowercase());
        }
    }
    // An insertion sort, written out: a response names a handful of headers, and a library
    // sort would link tens of KB of generic code into the wasm for it.
    for i in 1..names.len() {
        let mut j = i;
        while j > 0 && names[j - 1] > names[j] {
            names.swap(j - 1, j);
            j -= 1;
        }
    }
    names.dedup();
    Some(names)
}

/// The URL as a key part: the fragment never reaches the server, so it never splits entries.
/// Callers pass URLs already resolved against the page base (the browser's `Request` does it).
///
/// ```
/// use apiscope::core::cache::http_policy::normalize_url;
/// assert_eq!(normalize_url("https://a.test/x?q=1#top"), "https://a.test/x?q=1");
/// ```
pub fn normalize_url(url: &str) -> &str {
    url.split_once('#').map_or(url, |(before, _)| before)
}

/// Who is asking: SHA-256 of the `Authorization` value (hex), or `-` without one. A strong hash
/// because a collision would serve one identity's data to another; hashing also keeps tokens
/// out of the key.
///
/// ```
/// use apiscope::core::cache::http_policy::auth_fingerprint;
/// assert_eq!(auth_fingerprint(None), "-");
/// assert_eq!(auth_fingerprint(Some("Bearer a")).len(), 64);
/// assert_ne!(auth_fingerprint(Some("Bearer a")), auth_fingerprint(Some("Bearer b")));
/// ```
pub fn auth_fingerprint(authorization: Option<&str>) -> String {
    let Some(value) = authorization else {
        return NO_AUTHORIZATION.to_owned();
    };
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for byte in Sha256::digest(value.as_bytes()) {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 15)]));
    }
    out
}

/// The fingerprint of a request without `Authorization`.
///
/// ```
/// assert_eq!(apiscope::core::cache::http_policy::NO_AUTHORIZATION, "-");
/// ```
pub const NO_AUTHORIZATION: &str = "-";

/// The part of the key known before any response: URL, method, identity. The URL comes first
/// so that invalidation by URL prefix is a prefix test on keys. Parts are joined by `\n`,
/// which a serialised URL, a method and a hex hash never contain.
///
/// ```
/// use apiscope::core::cache::http_policy::identity_key;
/// let k = identity_key("get", "https://a.test/x#frag", None);
/// assert_eq!(k, "https://a.test/x\nGET\n-");
/// ```
pub fn identity_key(method: &str, url: &str, authorization: Option<&str>) -> String {
    let url = normalize_url(url);
    let auth = auth_fingerprint(authorization);
    let mut key = String::with_capacity(url.len() + method.len() + auth.len() + 2);
    key.push_str(url);
    key.push('\n');
    key.push_str(&method.to_ascii_uppercase());
    key.push('\n');
    key.push_str(&auth);
    key
}

/// The identity part of a full key (see [`cache_key`]): everything before its third `\n`.
///
/// ```
/// use apiscope::core::cache::http_policy::{cache_key, identity_key, identity_of};
/// let id = identity_key("GET", "https://a.test/x", None);
/// assert_eq!(identity_of(&cache_key(&id, [("accept", Some("a/b"))])), id);
/// assert_eq!(identity_of(&id), id);
/// ```
pub fn identity_of(key: &str) -> &str {
    let end = key
        .match_indices('\n')
        .nth(2)
        .map_or(key.len(), |(at, _)| at);
    // Checked, though `end` is a char boundary: see `RouteKey::split`.
    key.get(..end).unwrap_or(key)
}

/// Whether the request behind a key (or identity) carried `Authorization`.
///
/// ```
/// use apiscope::core::cache::http_policy::{identity_key, is_authorized};
/// assert!(is_authorized(&identity_key("GET", "https://a.test/me", Some("Bearer t"))));
/// assert!(!is_authorized(&identity_key("GET", "https://a.test/me", None)));
/// ```
pub fn is_authorized(key: &str) -> bool {
    !identity_of(key).ends_with(NO_AUTHORIZATION)
}

/// Request headers as they cross from JavaScript in one string: `name\nvalue\n` per header,
/// names lower-cased (as `Headers` iterates them), repeated names already joined by `, `.
///
/// ```
/// use apiscope::core::cache::http_policy::HeaderList;
/// let h = HeaderList("accept\ntext/html\nx-lang\nfr\n");
/// assert_eq!(h.get("x-lang"), Some("fr"));
/// assert_eq!(h.get("authorization"), None);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HeaderList<'a>(pub &'a str);

impl<'a> HeaderList<'a> {
    /// The value of header `name` (lower case), if present.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        let mut lines = self.0.split('\n');
        while let (Some(n), Some(v)) = (lines.next(), lines.next()) {
            if n == name {
                return Some(v);
            }
        }
        None
    }
}

/// The full key: the identity plus the value of each varied request header (absent and empty
/// differ). Header values cannot contain `\n`, so no two different lists give one key.
/// The pairs come as an iterator, so a caller reading them from headers collects nothing.
///
/// ```
/// use apiscope::core::cache::http_policy::cache_key;
/// let en = cache_key("id", [("accept-language", Some("en"))]);
/// let fr = cache_key("id", [("accept-language", Some("fr"))]);
/// assert_ne!(en, fr);
/// assert_eq!(cache_key("id", []), "id");
/// ```
pub fn cache_key<'a>(
    identity: &str,
    varied: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> String {
    varied
        .into_iter()
        .fold(identity.to_owned(), |mut key, (name, value)| {
            key.push('\n');
            key.push_str(name);
            match value {
                Some(v) => {
                    key.push('=');
                    key.push_str(v);
                }
                None => key.push('!'),
            }
            key
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get() -> RequestFacts<'static> {
        RequestFacts {
            method: "GET",
            cache_mode: "default",
            ..Default::default()
        }
    }

    fn ok() -> ResponseFacts<'static> {
        ResponseFacts {
            status: 200,
            ..Default::default()
        }
    }

    #[test]
    fn request_plans() {
        assert_eq!(
            plan_request(&RequestFacts {
                method: "head",
                ..get()
            }),
            RequestPlan::Lookup
        );
        assert_eq!(
            plan_request(&RequestFacts {
                has_range: true,
                ..get()
            }),
            RequestPlan::Bypass
        );
        let no_store = RequestFacts {
            cache_control: Some("no-store"),
            ..get()
        };
        assert_eq!(plan_request(&no_store), RequestPlan::Bypass);
        assert_eq!(
            plan_request(&RequestFacts {
                cache_mode: "no-store",
                ..get()
            }),
            RequestPlan::Bypass
        );
        let no_cache = RequestFacts {
            cache_control: Some("no-cache"),
            ..get()
        };
        assert_eq!(plan_request(&no_cache), RequestPlan::Refresh);
        let max_age_0 = RequestFacts {
            cache_control: Some("max-age=0"),
            ..get()
        };
        assert_eq!(plan_request(&max_age_0), RequestPlan::Refresh);
        assert_eq!(
            plan_request(&RequestFacts {
                cache_mode: "reload",
                ..get()
            }),
            RequestPlan::Refresh
        );
    }

    #[test]
    fn only_clean_successes_are_stored() {
        let ttl = Some(1_000.0);
        assert_eq!(storable_ttl_ms(&ok(), ttl), Some(1_000.0));
        assert_eq!(
            storable_ttl_ms(
                &ResponseFacts {
                    status: 204,
                    ..ok()
                },
                ttl
            ),
            Some(1_000.0)
        );
        let refused = [
            ResponseFacts {
                status: 206,
                ..ok()
            },
            ResponseFacts {
                status: 304,
                ..ok()
            },
            ResponseFacts {
                status: 404,
                ..ok()
            },
            ResponseFacts {
                opaque: true,
                ..ok()
            },
            ResponseFacts {
                has_set_cookie: true,
                ..ok()
            },
            ResponseFacts {
                cache_control: Some("no-store"),
                ..ok()
            },
            ResponseFacts {
                cache_control: Some("no-cache"),
                ..ok()
            },
            ResponseFacts {
                cache_control: Some("max-age=0"),
                ..ok()
            },
            ResponseFacts {
                vary: Some("Accept, *"),
                ..ok()
            },
        ];
        for response in refused {
            assert_eq!(storable_ttl_ms(&response, ttl), None, "{response:?}");
        }
    }

    #[test]
    fn max_age_caps_the_default_and_private_is_kept() {
        let long = ResponseFacts {
            cache_control: Some("private, max-age=3600"),
            ..ok()
        };
        assert_eq!(storable_ttl_ms(&long, Some(1_000.0)), Some(1_000.0));
        assert_eq!(storable_ttl_ms(&long, None), Some(3_600_000.0));
        assert_eq!(storable_ttl_ms(&ok(), None), None, "no explicit freshness");
        for garbage in ["max-age=soon", "max-age=1.5", "max-age=-3", "max-age="] {
            let garbage = ResponseFacts {
                cache_control: Some(garbage),
                ..ok()
            };
            assert_eq!(
                storable_ttl_ms(&garbage, Some(1_000.0)),
                None,
                "{garbage:?}"
            );
        }
        let quoted = CacheControl::parse("max-age=\"120\"");
        assert_eq!(quoted.max_age_s, Some(120.0));
    }

    #[test]
    fn an_empty_header_reads_as_an_absent_one() {
        // The wasm facade passes an absent `Cache-Control` or `Vary` as "".
        assert_eq!(CacheControl::parse(""), CacheControl::default());
        assert_eq!(vary_names(Some("")), Some(Vec::new()));
        for default_ttl in [None, Some(1_000.0)] {
            let absent = storable_ttl_ms(&ok(), default_ttl);
            let empty = ResponseFacts {
                cache_control: Some(""),
                vary: Some(""),
                ..ok()
            };
            assert_eq!(storable_ttl_ms(&empty, default_ttl), absent);
        }
    }

    #[test]
    fn keys_separate_identities_and_vary_values() {
        let alice = identity_key("GET", "https://a.test/me", Some("Bearer alice"));
        let bob = identity_key("GET", "https://a.test/me", Some("Bearer bob"));
        let anonymous = identity_key("GET", "https://a.test/me", None);
        assert!(alice != bob && bob != anonymous && alice != anonymous);
        assert!(!alice.contains("alice"), "tokens never appear in keys");
        assert_ne!(identity_key("HEAD", "https://a.test/me", None), anonymous);
        assert_ne!(
            identity_key("GET", "https://a.test/me?x=1", None),
            anonymous
        );
        assert_eq!(identity_key("GET", "https://a.test/me#a", None), anonymous);
        assert_ne!(
            cache_key(&anonymous, [("x", None)]),
            cache_key(&anonymous, [("x", Some(""))])
        );
        assert!(cache_key(&anonymous, [("x", None)]).starts_with("https://a.test/me"));
    }
}
