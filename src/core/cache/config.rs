//! Validated cache settings. Raw options arrive as `f64` (as JavaScript numbers do) and are
//! checked here, once, so both facades and native callers share one set of rules.

use crate::core::error::{FieldError, Problem, Rule};
use std::num::NonZeroU32;

/// The most entries one cache may hold. Every per-entry column is allocated up front (about
/// 50 bytes an entry), so the bound keeps a typo from asking for gigabytes.
///
/// ```
/// assert_eq!(apiscope::core::cache::config::MAX_ENTRIES, 1 << 24);
/// ```
pub const MAX_ENTRIES: u32 = 1 << 24;

/// Which entry goes when the cache is full.
///
/// ```
/// use apiscope::core::cache::config::Policy;
/// assert_eq!(Policy::parse("lru"), Ok(Policy::Lru));
/// assert_eq!(Policy::default(), Policy::S3Fifo);
/// assert_eq!(Policy::parse("LFU").unwrap_err().field, "policy");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Policy {
    /// S3-FIFO (SOSP'23): a small FIFO that new entries pass through, a main FIFO for those
    /// used again, a ghost list of keys recently let go. A hit only bumps a 2-bit counter.
    #[default]
    S3Fifo,
    /// Exact least recently used (the `lru` crate); a hit reorders.
    Lru,
}

impl Policy {
    /// The names `policy` accepts, in the order of [`Policy`]'s variants.
    pub const NAMES: &'static [&'static str] = &["s3-fifo", "lru"];

    /// The policy called `name`, or the error naming the `policy` option.
    pub fn parse(name: &str) -> Result<Self, FieldError> {
        match name {
            "s3-fifo" => Ok(Self::S3Fifo),
            "lru" => Ok(Self::Lru),
            _ => Err(Problem::text(Rule::OneOf(Self::NAMES), name).of("policy")),
        }
    }

    /// The name JavaScript uses.
    ///
    /// ```
    /// use apiscope::core::cache::config::Policy;
    /// assert_eq!(Policy::Lru.name(), "lru");
    /// ```
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Cache options as a caller supplies them; `None` means "not given".
///
/// ```
/// use apiscope::core::cache::config::CacheOptions;
/// let config = CacheOptions { max_entries: 100.0, ttl_ms: Some(5_000.0), ..Default::default() }
///     .validate()
///     .unwrap();
/// assert_eq!(config.max_entries.get(), 100);
/// assert_eq!(config.ttl_ms, Some(5_000.0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CacheOptions {
    /// How many entries the cache holds at most (a positive integer).
    pub max_entries: f64,
    /// Byte budget across all entries; unbounded when `None`.
    pub max_bytes: Option<f64>,
    /// Default time to live; entries never expire when `None`.
    pub ttl_ms: Option<f64>,
    /// How long past its TTL an entry may still be served as stale; 0 when `None`.
    pub stale_while_revalidate_ms: Option<f64>,
    /// The eviction policy.
    pub policy: Policy,
}

/// Settings that passed validation.
///
/// ```
/// use apiscope::core::cache::config::CacheConfig;
/// let config = CacheConfig::with_max_entries(10);
/// assert_eq!(config.max_bytes, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CacheConfig {
    /// Entry limit.
    pub max_entries: NonZeroU32,
    /// Byte budget, if any.
    pub max_bytes: Option<u64>,
    /// Default TTL in milliseconds (`None`: no expiry; `0`: expires at once).
    pub ttl_ms: Option<f64>,
    /// Stale-while-revalidate window in milliseconds.
    pub stale_while_revalidate_ms: f64,
    /// The eviction policy.
    pub policy: Policy,
}

impl CacheOptions {
    /// Checks every option, naming the first bad one.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheOptions;
    /// let bad = CacheOptions { max_entries: 5.0, ttl_ms: Some(-1.0), ..Default::default() };
    /// assert_eq!(bad.validate().unwrap_err().field, "ttlMs");
    /// ```
    pub fn validate(&self) -> Result<CacheConfig, FieldError> {
        let rule = Rule::Integer {
            min: 1.0,
            max: f64::from(MAX_ENTRIES),
        };
        let whole = rule
            .check(self.max_entries)
            .map_err(|p| p.of("maxEntries"))?;
        // In [1, MAX_ENTRIES] and whole, so the cast is exact and never zero.
        let max_entries = NonZeroU32::new(whole as u32).unwrap_or(NonZeroU32::MIN);
        let max_bytes = match self.max_bytes {
            Some(v) if v == 0.0 => return Err(FieldError::new("maxBytes", Rule::Positive).got(v)),
            Some(v) => Some(byte_count("maxBytes", v)?),
            None => None,
        };
        let ttl_ms = self.ttl_ms.map(|v| duration_ms("ttlMs", v)).transpose()?;
        let stale_while_revalidate_ms = self
            .stale_while_revalidate_ms
            .map(|v| duration_ms("staleWhileRevalidateMs", v))
            .transpose()?
            .unwrap_or(0.0);
        Ok(CacheConfig {
            max_entries,
            max_bytes,
            ttl_ms,
            stale_while_revalidate_ms,
            policy: self.policy,
        })
    }
}

impl CacheConfig {
    /// An entry limit (at least 1) with no byte budget, no TTL, no stale window, the default
    /// policy.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheConfig;
    /// assert_eq!(CacheConfig::with_max_entries(0).max_entries.get(), 1);
    /// ```
    pub fn with_max_entries(max_entries: u32) -> Self {
        Self {
            max_entries: NonZeroU32::new(max_entries.min(MAX_ENTRIES)).unwrap_or(NonZeroU32::MIN),
            max_bytes: None,
            ttl_ms: None,
            stale_while_revalidate_ms: 0.0,
            policy: Policy::default(),
        }
    }
}

/// A duration in milliseconds: not negative, not NaN (`Infinity` means "forever").
///
/// ```
/// use apiscope::core::cache::config::duration_ms;
/// assert_eq!(duration_ms("ttlMs", 250.0), Ok(250.0));
/// assert!(duration_ms("ttlMs", f64::NAN).is_err());
/// ```
pub fn duration_ms(option: &'static str, value: f64) -> Result<f64, FieldError> {
    Rule::NotNegative.check(value).map_err(|p| p.of(option))
}

/// A byte size: finite and not negative, rounded up to whole bytes.
///
/// ```
/// use apiscope::core::cache::config::byte_count;
/// assert_eq!(byte_count("bytes", 10.5), Ok(11));
/// assert!(byte_count("bytes", -1.0).is_err());
/// ```
pub fn byte_count(option: &'static str, value: f64) -> Result<u64, FieldError> {
    // Saturating float-to-int cast: sizes beyond u64 cannot occur in a browser anyway.
    Rule::FiniteNotNegative
        .check(value)
        .map(|v| v.ceil() as u64)
        .map_err(|p| p.of(option))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(max_entries: f64) -> CacheOptions {
        CacheOptions {
            max_entries,
            ..Default::default()
        }
    }

    #[test]
    fn max_entries_must_be_a_positive_integer_within_the_bound() {
        for bad in [
            0.0,
            -1.0,
            1.5,
            f64::NAN,
            f64::INFINITY,
            2.0 * f64::from(MAX_ENTRIES),
        ] {
            assert_eq!(options(bad).validate().unwrap_err().field, "maxEntries");
        }
        assert!(options(1.0).validate().is_ok());
        assert!(options(f64::from(MAX_ENTRIES)).validate().is_ok());
    }

    #[test]
    fn each_bad_option_is_named() {
        let cases = [
            (
                CacheOptions {
                    max_bytes: Some(-5.0),
                    ..options(1.0)
                },
                "maxBytes",
            ),
            (
                CacheOptions {
                    max_bytes: Some(0.0),
                    ..options(1.0)
                },
                "maxBytes",
            ),
            (
                CacheOptions {
                    ttl_ms: Some(-1.0),
                    ..options(1.0)
                },
                "ttlMs",
            ),
            (
                CacheOptions {
                    stale_while_revalidate_ms: Some(-1.0),
                    ..options(1.0)
                },
                "staleWhileRevalidateMs",
            ),
        ];
        for (opts, name) in cases {
            let err = opts.validate().unwrap_err();
            assert_eq!(err.field, name);
            assert!(err.to_string().starts_with(name));
        }
    }

    #[test]
    fn infinite_ttl_is_allowed() {
        let config = CacheOptions {
            ttl_ms: Some(f64::INFINITY),
            ..options(2.0)
        }
        .validate();
        assert_eq!(config.unwrap().ttl_ms, Some(f64::INFINITY));
    }

    #[test]
    fn policy_names_round_trip() {
        for name in Policy::NAMES {
            assert_eq!(Policy::parse(name).unwrap().name(), *name);
        }
        let err = Policy::parse("fifo").unwrap_err();
        assert_eq!(
            err.to_string(),
            "policy: must be one of s3-fifo, lru, got \"fifo\""
        );
    }
}
