//! Glob patterns over route strings, for the `route` field of alert rules.
//!
//! A pattern is split on `/` like the route it is matched against. Within a segment `*` matches
//! any run of characters (including none) but never a `/`; a segment that is exactly `**`
//! matches any number of whole segments, including none, so `/api/**` matches `/api`,
//! `/api/users` and `/api/users/:id`. Every other character matches itself. Because the split is
//! on `/` only, the same rules work for path-only routes (`/api/*`) and for routes with an origin
//! (`https://api.example.com/**`).

use crate::core::ascii::split;

/// A pre-parsed glob pattern.
///
/// ```
/// use apiscope::core::routes::glob::Glob;
/// let g = Glob::new("/api/*/items/**");
/// assert!(g.matches("/api/orders/items"));
/// assert!(g.matches("/api/orders/items/:id/notes"));
/// assert!(!g.matches("/api/items"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// `**`: any number of whole segments.
    Any,
    /// A segment pattern, possibly with `*` inside.
    Pattern(String),
}

impl Glob {
    /// Parses `pattern`. Every string is a valid pattern, so this cannot fail.
    ///
    /// ```
    /// use apiscope::core::routes::glob::Glob;
    /// assert_eq!(Glob::new("/api/**").as_str(), "/api/**");
    /// ```
    pub fn new(pattern: &str) -> Self {
        let mut segments = Vec::new();
        for s in split(pattern, b'/') {
            segments.push(match s {
                "**" => Segment::Any,
                _ => Segment::Pattern(s.to_owned()),
            });
        }
        Self {
            pattern: pattern.to_owned(),
            segments,
        }
    }

    /// The pattern as written.
    ///
    /// ```
    /// use apiscope::core::routes::glob::Glob;
    /// assert_eq!(Glob::new("*").as_str(), "*");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether `route` matches the whole pattern.
    ///
    /// ```
    /// use apiscope::core::routes::glob::Glob;
    /// assert!(Glob::new("/api/user*").matches("/api/users"));
    /// assert!(!Glob::new("/api/*").matches("/api/users/:id"));
    /// assert!(Glob::new("**").matches("https://x.example/anything/at/all"));
    /// ```
    pub fn matches(&self, route: &str) -> bool {
        let mut parts = Vec::new();
        for part in split(route, b'/') {
            parts.push(part);
        }
        star_match(
            &self.segments,
            &parts,
            |s| *s == Segment::Any,
            |s, part| match s {
                Segment::Any => true,
                Segment::Pattern(p) => {
                    star_match(p.as_bytes(), part.as_bytes(), |b| *b == b'*', |a, b| a == b)
                }
            },
        )
    }
}

/// Wildcard matching with backtracking to the last star only, which is enough (and linear in
/// practice) because a star absorbs any run. Used twice: stars over characters within a
/// segment, and `**` over whole segments.
fn star_match<P, T>(
    pattern: &[P],
    text: &[T],
    is_star: impl Fn(&P) -> bool,
    item_matches: impl Fn(&P, &T) -> bool,
) -> bool {
    let (mut p, mut t) = (0, 0);
    // (pattern index of the last star, text index it currently absorbs up to)
    let mut retry: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && is_star(&pattern[p]) {
            retry = Some((p, t));
            p += 1;
        } else if p < pattern.len() && item_matches(&pattern[p], &text[t]) {
            p += 1;
            t += 1;
        } else if let Some((star, absorbed)) = retry {
            // Let the star swallow one more item and retry what follows it.
            retry = Some((star, absorbed + 1));
            p = star + 1;
            t = absorbed + 1;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(is_star)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_star_within_segment() {
        assert!(Glob::new("/api/users").matches("/api/users"));
        assert!(!Glob::new("/api/users").matches("/api/user"));
        assert!(Glob::new("/api/*s").matches("/api/users"));
        assert!(Glob::new("/api/*").matches("/api/"));
        assert!(Glob::new("/a*b*c").matches("/aXbYbZc"));
        assert!(!Glob::new("/a*b*c").matches("/aXbYbZ"));
    }

    #[test]
    fn double_star_spans_segments() {
        let g = Glob::new("/api/**/items");
        assert!(g.matches("/api/items"));
        assert!(g.matches("/api/a/b/c/items"));
        assert!(!g.matches("/api/a/b/c/items/x"));
        assert!(Glob::new("**/:id").matches("https://x.example/users/:id"));
    }

    #[test]
    fn empty_pattern_matches_only_empty_route() {
        assert!(Glob::new("").matches(""));
        assert!(!Glob::new("").matches("/"));
    }
}
