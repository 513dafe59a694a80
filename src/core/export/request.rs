//! The OTLP/HTTP JSON `ExportMetricsServiceRequest` built from export points.
//!
//! OTLP/JSON is the protobuf JSON mapping with lowerCamelCase names: 64-bit integers (counts,
//! timestamps) are decimal strings, enums are numbers.

use std::collections::BTreeMap;

use serde::Serialize;

use super::config::{AttributeValue, ExportConfig};
use super::delta::ExportPoint;
use crate::core::sketch::OtlpExponentialHistogram;

/// `service.name` when the `resource` option does not set one.
pub const DEFAULT_SERVICE_NAME: &str = "apiscope-browser";
/// The latency histogram metric (milliseconds, since bucket bounds cannot be rescaled).
pub const DURATION_METRIC: &str = "apiscope.http.client.request.duration";
/// The per-route failed-call count metric.
pub const ERRORS_METRIC: &str = "apiscope.http.client.errors";
/// Resource attribute holding the origin of the page that made the calls.
pub const PAGE_ORIGIN_ATTRIBUTE: &str = "apiscope.page.origin";
/// `AGGREGATION_TEMPORALITY_DELTA`.
const DELTA: u8 = 1;

/// An OTLP `AnyValue` of the kinds apiscope emits.
#[derive(Debug, Clone, PartialEq, Serialize)]
enum AnyValue {
    #[serde(rename = "stringValue")]
    String(String),
    #[serde(rename = "boolValue")]
    Bool(bool),
    /// int64, hence a string.
    #[serde(rename = "intValue")]
    Int(String),
    #[serde(rename = "doubleValue")]
    Double(f64),
}

impl From<&AttributeValue> for AnyValue {
    fn from(value: &AttributeValue) -> Self {
        /// Integers JavaScript numbers hold exactly.
        const SAFE: f64 = 9_007_199_254_740_991.0;
        match value {
            AttributeValue::String(s) => Self::String(s.clone()),
            AttributeValue::Bool(b) => Self::Bool(*b),
            AttributeValue::Number(n) if n.fract() == 0.0 && n.abs() <= SAFE => {
                Self::Int((*n as i64).to_string())
            }
            AttributeValue::Number(n) => Self::Double(*n),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct KeyValue {
    key: String,
    value: AnyValue,
}

fn string_attribute(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: AnyValue::String(value.to_owned()),
    }
}

/// The resource attributes every request carries.
///
/// ```
/// use apiscope::core::export::{ExportConfig, OtlpResource};
/// let config = ExportConfig::new("https://otel.example/v1/metrics");
/// let resource = OtlpResource::new(&config, "https://shop.example");
/// assert_eq!(resource.get("service.name"), Some("apiscope-browser"));
/// assert_eq!(resource.get("apiscope.page.origin"), Some("https://shop.example"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtlpResource {
    attributes: Vec<KeyValue>,
}

impl OtlpResource {
    /// `service.name`, the page origin and the SDK name/version, then the user's `resource`
    /// entries, which win over those defaults.
    pub fn new(config: &ExportConfig, page_origin: &str) -> Self {
        let mut attributes: BTreeMap<String, AnyValue> = [
            ("service.name", DEFAULT_SERVICE_NAME),
            (PAGE_ORIGIN_ATTRIBUTE, page_origin),
            ("telemetry.sdk.name", "apiscope"),
            ("telemetry.sdk.language", "webjs"),
            ("telemetry.sdk.version", crate::version()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), AnyValue::String(v.to_owned())))
        .collect();
        for (key, value) in &config.resource {
            attributes.insert(key.clone(), value.into());
        }
        let attributes = attributes
            .into_iter()
            .map(|(key, value)| KeyValue { key, value })
            .collect();
        Self { attributes }
    }

    /// A string attribute's value, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find_map(|kv| match &kv.value {
            AnyValue::String(s) if kv.key == key => Some(s.as_str()),
            _ => None,
        })
    }
}

/// `{ resourceMetrics: [...] }`, one resource and one scope.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MetricsRequest<'a> {
    resource_metrics: [ResourceMetrics<'a>; 1],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceMetrics<'a> {
    resource: &'a OtlpResource,
    scope_metrics: [ScopeMetrics; 1],
}

#[derive(Debug, Serialize)]
struct ScopeMetrics {
    scope: Scope,
    metrics: [Metric; 2],
}

#[derive(Debug, Serialize)]
struct Scope {
    name: &'static str,
    version: &'static str,
}

#[derive(Debug, Serialize)]
struct Metric {
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    #[serde(flatten)]
    data: MetricData,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
enum MetricData {
    #[serde(rename_all = "camelCase")]
    ExponentialHistogram {
        data_points: Vec<HistogramPoint>,
        aggregation_temporality: u8,
    },
    #[serde(rename_all = "camelCase")]
    Sum {
        data_points: Vec<NumberPoint>,
        aggregation_temporality: u8,
        is_monotonic: bool,
    },
}

/// The attributes and interval every data point of a route shares.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct PointHead {
    attributes: [KeyValue; 2],
    start_time_unix_nano: String,
    time_unix_nano: String,
}

#[derive(Debug, Serialize)]
pub(super) struct HistogramPoint {
    #[serde(flatten)]
    head: PointHead,
    #[serde(flatten)]
    histogram: OtlpExponentialHistogram,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NumberPoint {
    #[serde(flatten)]
    head: PointHead,
    /// int64, hence a string.
    as_int: String,
}

/// Epoch ms as the decimal nanoseconds OTLP wants, whole milliseconds converted exactly.
fn unix_nanos(ms: f64) -> String {
    let ms = ms.max(0.0);
    let whole = ms.trunc() as u64;
    let nanos = ((ms - ms.trunc()) * 1e6).round() as u64;
    whole
        .saturating_mul(1_000_000)
        .saturating_add(nanos)
        .to_string()
}

/// A route's histogram point and error-count point.
pub(super) fn data_points(point: &ExportPoint) -> (HistogramPoint, NumberPoint) {
    let head = PointHead {
        attributes: [
            string_attribute("http.request.method", &point.method),
            string_attribute("http.route", &point.route),
        ],
        start_time_unix_nano: unix_nanos(point.start_ms),
        time_unix_nano: unix_nanos(point.end_ms),
    };
    let errors = NumberPoint {
        head: head.clone(),
        as_int: point.errors.to_string(),
    };
    let histogram = HistogramPoint {
        head,
        histogram: point.sketch.to_otlp(),
    };
    (histogram, errors)
}

impl<'a> MetricsRequest<'a> {
    /// A request carrying the given data points (index `i` of both lists: the same route).
    pub(super) fn new(
        resource: &'a OtlpResource,
        histograms: Vec<HistogramPoint>,
        errors: Vec<NumberPoint>,
    ) -> Self {
        let duration = Metric {
            name: DURATION_METRIC,
            unit: "ms",
            description: "Duration of HTTP client requests made by the page.",
            data: MetricData::ExponentialHistogram {
                data_points: histograms,
                aggregation_temporality: DELTA,
            },
        };
        let failed = Metric {
            name: ERRORS_METRIC,
            unit: "{request}",
            description: "HTTP client requests that failed (network error or status >= 400).",
            data: MetricData::Sum {
                data_points: errors,
                aggregation_temporality: DELTA,
                is_monotonic: true,
            },
        };
        Self {
            resource_metrics: [ResourceMetrics {
                resource,
                scope_metrics: [ScopeMetrics {
                    scope: Scope {
                        name: "apiscope",
                        version: crate::version(),
                    },
                    metrics: [duration, failed],
                }],
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanos_are_exact_for_whole_milliseconds() {
        assert_eq!(unix_nanos(1_700_000_000_123.0), "1700000000123000000");
        assert_eq!(unix_nanos(1.5), "1500000");
        assert_eq!(unix_nanos(-4.0), "0");
        assert_eq!(unix_nanos(f64::NAN), "0");
    }

    #[test]
    fn user_resource_values_override_and_keep_their_types() {
        let mut config = ExportConfig::new("https://o.example/v1/metrics");
        config.resource.extend([
            ("service.name".into(), AttributeValue::String("shop".into())),
            ("build".into(), AttributeValue::Number(42.0)),
            ("ratio".into(), AttributeValue::Number(0.5)),
            ("canary".into(), AttributeValue::Bool(true)),
        ]);
        let resource = OtlpResource::new(&config, "https://shop.example");
        let json = serde_json::to_value(&resource).unwrap();
        let value = |key: &str| {
            json["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|kv| kv["key"] == key)
                .map(|kv| kv["value"].clone())
                .unwrap()
        };
        assert_eq!(
            value("service.name"),
            serde_json::json!({"stringValue": "shop"})
        );
        assert_eq!(value("build"), serde_json::json!({"intValue": "42"}));
        assert_eq!(value("ratio"), serde_json::json!({"doubleValue": 0.5}));
        assert_eq!(value("canary"), serde_json::json!({"boolValue": true}));
    }
}
