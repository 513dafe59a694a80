//! How long to wait before retrying after consecutive failed sends.

/// The wait after the first failure, ms.
pub const RETRY_INITIAL_MS: f64 = 1_000.0;
/// The longest wait, ms.
pub const RETRY_MAX_MS: f64 = 60_000.0;

/// The wait before the next attempt after `failures` consecutive failures (`>= 1`): doubling
/// from [`RETRY_INITIAL_MS`] up to [`RETRY_MAX_MS`], then jittered into its upper half by
/// `random` (in `[0, 1)`) so that many tabs of a recovering collector do not retry in step.
///
/// ```
/// use apiscope::core::export::retry_delay_ms;
/// assert_eq!(retry_delay_ms(1, 0.0), 500.0);
/// assert_eq!(retry_delay_ms(2, 0.999_999).round(), 2_000.0);
/// assert_eq!(retry_delay_ms(40, 0.0), 30_000.0);
/// ```
pub fn retry_delay_ms(failures: u32, random: f64) -> f64 {
    let exponent = failures.saturating_sub(1).min(30) as i32;
    let base = (RETRY_INITIAL_MS * 2f64.powi(exponent)).min(RETRY_MAX_MS);
    base * (0.5 + 0.5 * random.clamp(0.0, 1.0))
}
