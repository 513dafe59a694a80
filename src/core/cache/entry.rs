//! An entry's two deadlines, and what they make of it at a given moment.

/// How usable an entry is at a given moment.
///
/// ```
/// use apiscope::core::cache::entry::Freshness;
/// assert_ne!(Freshness::Fresh, Freshness::Stale);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Within its TTL.
    Fresh,
    /// Past its TTL but inside the stale-while-revalidate window: servable while a refresh runs.
    Stale,
    /// Past both: gone.
    Expired,
}

/// When an entry turns stale and when it expires (epoch ms; infinite when it never does).
///
/// ```
/// use apiscope::core::cache::entry::{Deadlines, Freshness};
/// let d = Deadlines::new(1_000.0, Some(100.0), 50.0);
/// assert_eq!((d.fresh_until, d.stale_until), (1_100.0, 1_150.0));
/// assert_eq!(d.freshness(1_120.0), Freshness::Stale);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deadlines {
    /// Fresh before this moment.
    pub fresh_until: f64,
    /// Servable (fresh or stale) before this moment.
    pub stale_until: f64,
}

impl Deadlines {
    /// Deadlines of an entry stored at `now_ms`; a `ttl_ms` of `None` never expires, and
    /// infinite deadlines make that fall out of every comparison.
    pub fn new(now_ms: f64, ttl_ms: Option<f64>, swr_ms: f64) -> Self {
        let fresh_until = ttl_ms.map_or(f64::INFINITY, |ttl| now_ms + ttl);
        Self {
            fresh_until,
            stale_until: fresh_until + swr_ms,
        }
    }

    /// The entry's state at `now_ms`.
    pub fn freshness(&self, now_ms: f64) -> Freshness {
        freshness(self.fresh_until, self.stale_until, now_ms)
    }
}

/// The state of an entry with these deadlines at `now_ms`.
///
/// ```
/// use apiscope::core::cache::entry::{freshness, Freshness};
/// assert_eq!(freshness(10.0, 20.0, 20.0), Freshness::Expired);
/// ```
pub fn freshness(fresh_until: f64, stale_until: f64, now_ms: f64) -> Freshness {
    if now_ms < fresh_until {
        Freshness::Fresh
    } else if now_ms < stale_until {
        Freshness::Stale
    } else {
        Freshness::Expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_follow_ttl_and_window() {
        let d = Deadlines::new(1_000.0, Some(100.0), 50.0);
        assert_eq!(d.freshness(1_099.0), Freshness::Fresh);
        assert_eq!(d.freshness(1_100.0), Freshness::Stale);
        assert_eq!(d.freshness(1_150.0), Freshness::Expired);
        let forever = Deadlines::new(0.0, None, 0.0);
        assert_eq!(forever.freshness(f64::MAX), Freshness::Fresh);
    }

    #[test]
    fn zero_ttl_without_window_expires_at_once() {
        assert_eq!(
            Deadlines::new(5.0, Some(0.0), 0.0).freshness(5.0),
            Freshness::Expired
        );
    }
}
