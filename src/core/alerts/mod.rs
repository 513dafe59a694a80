//! Alerts: rules over per-route latency, error and cache figures, evaluated on a timer, and
//! the trend tests behind the regression metrics.
//!
//! [`RuleSpec`] is what JavaScript sends; [`AlertRule`] is its validated form;
//! [`AlertEngine`] holds the rules and turns per-route [`RouteMetrics`] into
//! [`AlertEvent`]s; [`trend`] compares a window with the hour before it.
//!
//! Invariant: a rule fires once per breach and resolves once per recovery; the cooldown
//! only delays a refire, and a rule never reads state other than the metrics it is given.
//!
//! ```
//! use apiscope::core::alerts::{AlertEngine, RuleSpec};
//! let mut engine = AlertEngine::default();
//! let spec: RuleSpec = serde_json::from_str(r#"{"name":"errors","metric":"errorRate","above":0.05,"windowMs":300000}"#).unwrap();
//! engine.add(spec).unwrap();
//! ```

mod evaluator;
mod metrics;
mod rule;
pub mod trend;

pub use evaluator::{AlertEngine, AlertEvent, AlertKind};
pub use metrics::RouteMetrics;
pub use rule::{AlertRule, Metric, RuleSpec, Threshold};
