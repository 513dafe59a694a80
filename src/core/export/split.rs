//! Export points as OTLP/JSON request bodies that each stay within a byte budget.
//!
//! A request's size is exactly its envelope (the request with no data points) plus each
//! route's two data points plus a comma per extra element in each of the two arrays, so the
//! split measures every data point once and never re-serialises to check.

use std::io;

use serde::Serialize;

use super::delta::ExportPoint;
use super::request::{HistogramPoint, MetricsRequest, NumberPoint, OtlpResource, data_points};

/// The body budget of one request: under the 64 KiB that all of a page's pending
/// `keepalive` requests may hold together, leaving room for headers.
pub const KEEPALIVE_BODY_BUDGET: usize = 60 * 1024;

/// One request body, ready to POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportBody {
    /// The `ExportMetricsServiceRequest` JSON.
    pub json: String,
    /// Routes (histogram points) it carries.
    pub points: usize,
}

/// Counts bytes instead of storing them.
struct ByteCount(usize);

impl io::Write for ByteCount {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// These structs hold only strings, numbers and sequences, which serde_json always writes
// (non-finite floats become null), and neither sink can fail.
const INFALLIBLE: &str = "OTLP structs always serialise";

fn json_len(value: &impl Serialize) -> usize {
    let mut count = ByteCount(0);
    serde_json::to_writer(&mut count, value).expect(INFALLIBLE);
    count.0
}

/// The points as request bodies of at most `budget` bytes each, routes in order; a route
/// whose two data points alone exceed the budget goes alone in its request.
///
/// ```
/// use apiscope::core::export::{DeltaAggregator, ExportConfig, OtlpResource, encode_requests};
/// use apiscope::core::routes::registry::RegistryConfig;
/// let mut agg = DeltaAggregator::new(&RegistryConfig::default(), 0.0).unwrap();
/// for i in 0..100 {
///     agg.record("GET", &format!("/api/r{i}"), 10.0 + f64::from(i), false).unwrap();
/// }
/// let resource = OtlpResource::new(&ExportConfig::new("https://o.example/v1/metrics"), "https://a.example");
/// let bodies = encode_requests(&agg.take(1.0).unwrap(), &resource, 8 * 1024);
/// assert!(bodies.len() > 1 && bodies.iter().all(|b| b.json.len() <= 8 * 1024));
/// assert_eq!(bodies.iter().map(|b| b.points).sum::<usize>(), 100);
/// ```
pub fn encode_requests(
    points: &[ExportPoint],
    resource: &OtlpResource,
    budget: usize,
) -> Vec<ExportBody> {
    let envelope = json_len(&MetricsRequest::new(resource, Vec::new(), Vec::new()));
    let mut bodies = Vec::new();
    let (mut histograms, mut errors) = (Vec::new(), Vec::new());
    let mut size = envelope;
    for point in points {
        let (histogram, error) = data_points(point);
        let own = json_len(&histogram) + json_len(&error);
        if !histograms.is_empty() && size + own + 2 > budget {
            bodies.push(encode(resource, &mut histograms, &mut errors));
            size = envelope;
        }
        size += own + if histograms.is_empty() { 0 } else { 2 };
        histograms.push(histogram);
        errors.push(error);
    }
    if !histograms.is_empty() {
        bodies.push(encode(resource, &mut histograms, &mut errors));
    }
    bodies
}

fn encode(
    resource: &OtlpResource,
    histograms: &mut Vec<HistogramPoint>,
    errors: &mut Vec<NumberPoint>,
) -> ExportBody {
    let histograms = std::mem::take(histograms);
    let points = histograms.len();
    let request = MetricsRequest::new(resource, histograms, std::mem::take(errors));
    ExportBody {
        json: serde_json::to_string(&request).expect(INFALLIBLE),
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::export::{DURATION_METRIC as DURATION, ERRORS_METRIC as ERRORS, ExportConfig};
    use crate::core::sketch::Sketch;
    use serde_json::Value;

    fn points(n: usize, route_len: usize) -> Vec<ExportPoint> {
        (0..n)
            .map(|i| {
                let mut sketch = Sketch::default();
                let values: Vec<f64> = (0..=i % 40).map(|k| (k * k + i) as f64 * 0.7).collect();
                sketch.record_many(&values).unwrap();
                ExportPoint {
                    method: ["GET", "POST", "DELETE"][i % 3].to_owned(),
                    route: format!("/api/{i}/{}", "x".repeat(route_len)),
                    start_ms: 1_700_000_000_000.0,
                    end_ms: 1_700_000_010_000.0,
                    sketch,
                    errors: (i % 5) as u64,
                }
            })
            .collect()
    }

    fn resource() -> OtlpResource {
        OtlpResource::new(
            &ExportConfig::new("https://o.example/v1/metrics"),
            "https://a.example",
        )
    }

    /// Every data point of every metric in the bodies, tagged with the metric name.
    fn data_points_of(bodies: &[ExportBody]) -> Vec<(String, Value)> {
        let mut all = Vec::new();
        for body in bodies {
            let request: Value = serde_json::from_str(&body.json).unwrap();
            for metric in request["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]
                .as_array()
                .unwrap()
            {
                let data = metric
                    .get("exponentialHistogram")
                    .or_else(|| metric.get("sum"))
                    .unwrap();
                for point in data["dataPoints"].as_array().unwrap() {
                    all.push((metric["name"].as_str().unwrap().to_owned(), point.clone()));
                }
            }
        }
        all.sort_by_key(|(name, point)| (name.clone(), point["attributes"].to_string()));
        all
    }

    #[test]
    fn splits_within_budget_and_loses_nothing() {
        let points = points(300, 20);
        let whole = encode_requests(&points, &resource(), usize::MAX);
        assert_eq!(whole.len(), 1);
        for budget in [8_000, 20_000, KEEPALIVE_BODY_BUDGET] {
            let bodies = encode_requests(&points, &resource(), budget);
            assert!(bodies.len() > 1, "{budget}");
            assert!(bodies.iter().all(|b| b.json.len() <= budget), "{budget}");
            assert_eq!(bodies.iter().map(|b| b.points).sum::<usize>(), 300);
            assert_eq!(data_points_of(&bodies), data_points_of(&whole));
        }
    }

    #[test]
    fn request_fields_follow_otlp_json() {
        let mut sketch = Sketch::default();
        sketch.record_many(&[0.0, 1.0, 1.01]).unwrap();
        let point = ExportPoint {
            method: "GET".into(),
            route: "/api/users/:id".into(),
            start_ms: 1_700_000_000_000.0,
            end_ms: 1_700_000_010_000.5,
            sketch,
            errors: 1,
        };
        let bodies = encode_requests(&[point], &resource(), KEEPALIVE_BODY_BUDGET);
        let request: Value = serde_json::from_str(&bodies[0].json).unwrap();
        let rm = &request["resourceMetrics"][0];
        let service = &rm["resource"]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|kv| kv["key"] == "service.name")
            .unwrap()["value"];
        assert_eq!(
            service,
            &serde_json::json!({"stringValue": "apiscope-browser"})
        );
        let scope = &rm["scopeMetrics"][0];
        assert_eq!(scope["scope"]["name"], "apiscope");
        let [duration, errors] = [&scope["metrics"][0], &scope["metrics"][1]];
        assert_eq!(
            (&duration["name"], &duration["unit"]),
            (&Value::from(DURATION), &"ms".into())
        );
        let histogram = &duration["exponentialHistogram"];
        assert_eq!(histogram["aggregationTemporality"], 1);
        let dp = &histogram["dataPoints"][0];
        let attributes = serde_json::json!([
            {"key": "http.request.method", "value": {"stringValue": "GET"}},
            {"key": "http.route", "value": {"stringValue": "/api/users/:id"}},
        ]);
        assert_eq!(dp["attributes"], attributes);
        assert_eq!(dp["startTimeUnixNano"], "1700000000000000000");
        assert_eq!(dp["timeUnixNano"], "1700000010000500000");
        assert_eq!((&dp["count"], &dp["zeroCount"]), (&"3".into(), &"1".into()));
        assert_eq!(
            (&dp["sum"], &dp["scale"]),
            (&Value::from(2.01), &Value::from(6))
        );
        assert_eq!(
            dp["positive"]["bucketCounts"],
            serde_json::json!(["1", "1"])
        );
        assert_eq!(
            (&dp["min"], &dp["max"]),
            (&Value::from(0.0), &Value::from(1.01))
        );
        assert_eq!(dp["zeroThreshold"], 0.0);
        assert_eq!(errors["name"], ERRORS);
        let sum = &errors["sum"];
        assert_eq!(
            (&sum["aggregationTemporality"], &sum["isMonotonic"]),
            (&1.into(), &true.into())
        );
        assert_eq!(sum["dataPoints"][0]["attributes"], attributes);
        assert_eq!(sum["dataPoints"][0]["asInt"], "1");
        assert_eq!(sum["dataPoints"][0]["timeUnixNano"], dp["timeUnixNano"]);
    }

    #[test]
    fn the_size_estimate_is_exact() {
        let points = points(40, 5);
        let bodies = encode_requests(&points, &resource(), usize::MAX);
        let envelope = json_len(&MetricsRequest::new(&resource(), Vec::new(), Vec::new()));
        let own: usize = points
            .iter()
            .map(|p| {
                let (h, e) = data_points(p);
                json_len(&h) + json_len(&e)
            })
            .sum();
        assert_eq!(
            bodies[0].json.len(),
            envelope + own + 2 * (points.len() - 1)
        );
    }

    #[test]
    fn an_oversized_point_goes_alone() {
        let mut points = points(3, 10);
        points[1].route = "y".repeat(5_000);
        let bodies = encode_requests(&points, &resource(), 3_000);
        assert_eq!(
            bodies.iter().map(|b| b.points).collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert!(bodies[1].json.len() > 3_000);
        assert!(encode_requests(&[], &resource(), 3_000).is_empty());
    }
}
