//! Alerts: rules over per-route latency, error and cache figures, evaluated on a timer.
//!
//! [`RuleSpec`] is what JavaScript sends; [`AlertRule`] is its validated form;
//! [`AlertEngine`] holds the rules and turns per-route [`RouteMetrics`] into
//! [`AlertEvent`]s.
//!
//! ```
//! use apiscope::core::alerts::{AlertEngine, RuleSpec};
//! let mut engine = AlertEngine::default();
//! let spec: RuleSpec = serde_json::from_str(r#"{"name":"errors","metric":"errorRate","above":0.05,"windowMs":300000}"#).unwrap();
//! engine.add(spec).unwrap();
//! ```

mod evaluator;
mod rule;
pub mod trend;

pub use evaluator::{AlertEngine, AlertEvent, AlertKind, RouteMetrics};
pub use rule::{AlertRule, Metric, RuleSpec, Threshold};
