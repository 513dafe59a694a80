//! Observes every fetch and XHR call of the page (or worker) transparently, and the Resource
//! Timing entries that break them down. The patches themselves are in `hooks.js`.

mod error;
mod hooks;
mod observed;
mod options;
pub mod resource_timing;

pub use error::HookError;
pub use hooks::Hooks;
pub use observed::{Observed, Outcome, Transport};
pub use options::{HookOptions, IgnoreRules};
