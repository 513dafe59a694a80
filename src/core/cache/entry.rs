//! One stored value with its size and its two deadlines.

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

/// A value, its byte size, and when it turns stale and then expires (epoch ms).
#[derive(Debug)]
pub(crate) struct Entry<V> {
    pub(crate) value: V,
    pub(crate) bytes: u64,
    fresh_until: f64,
    stale_until: f64,
}

impl<V> Entry<V> {
    /// `ttl_ms` of `None` never expires; infinite deadlines make that fall out naturally.
    pub(crate) fn new(value: V, bytes: u64, now_ms: f64, ttl_ms: Option<f64>, swr_ms: f64) -> Self {
        let fresh_until = ttl_ms.map_or(f64::INFINITY, |ttl| now_ms + ttl);
        Self {
            value,
            bytes,
            fresh_until,
            stale_until: fresh_until + swr_ms,
        }
    }

    pub(crate) fn freshness(&self, now_ms: f64) -> Freshness {
        if now_ms < self.fresh_until {
            Freshness::Fresh
        } else if now_ms < self.stale_until {
            Freshness::Stale
        } else {
            Freshness::Expired
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_follow_ttl_and_window() {
        let e = Entry::new((), 1, 1_000.0, Some(100.0), 50.0);
        assert_eq!(e.freshness(1_099.0), Freshness::Fresh);
        assert_eq!(e.freshness(1_100.0), Freshness::Stale);
        assert_eq!(e.freshness(1_150.0), Freshness::Expired);
        let forever = Entry::new((), 1, 0.0, None, 0.0);
        assert_eq!(forever.freshness(f64::MAX), Freshness::Fresh);
    }

    #[test]
    fn zero_ttl_without_window_expires_at_once() {
        assert_eq!(
            Entry::new((), 1, 5.0, Some(0.0), 0.0).freshness(5.0),
            Freshness::Expired
        );
    }
}
