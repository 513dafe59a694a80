//! The exported `Sketch` class in a real browser: values, bulk calls, bytes, OTLP objects and
//! the JS errors bad input throws.
#![cfg(target_arch = "wasm32")]

use apiscope::api::sketch::JsSketch;
use js_sys::{Float64Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    object.into()
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap()
}

/// The message of a thrown JS error, after checking its class.
fn message_of<E: JsCast + AsRef<js_sys::Error>>(err: JsValue) -> String {
    let typed = err.dyn_ref::<E>().expect("error of the expected class");
    String::from(AsRef::<js_sys::Error>::as_ref(typed).message())
}

#[wasm_bindgen_test]
fn records_and_reads_quantiles() {
    let mut sketch = JsSketch::new(JsValue::UNDEFINED).unwrap();
    assert!(sketch.quantile(0.5).unwrap().is_nan());
    sketch.record_many(&[1.0, 10.0, 100.0, 1000.0]).unwrap();
    sketch.record(0.0).unwrap();
    assert_eq!(
        (sketch.count(), sketch.min(), sketch.max()),
        (5.0, 0.0, 1000.0)
    );
    assert_eq!(sketch.sum(), 1111.0);
    assert_eq!(sketch.scale(), 6);
    let qs = sketch.quantiles(&[0.0, 0.5, 1.0]).unwrap();
    assert_eq!((qs[0], qs[2]), (0.0, 1000.0));
    assert!((qs[1] / 10.0 - 1.0).abs() <= sketch.relative_error());
}

#[wasm_bindgen_test]
fn bad_values_throw_range_errors_naming_the_value() {
    let mut sketch = JsSketch::new(JsValue::NULL).unwrap();
    let message = message_of::<js_sys::RangeError>(sketch.record(f64::NAN).unwrap_err());
    assert_eq!(message, "value: must be a finite number >= 0, got NaN");
    let message = message_of::<js_sys::RangeError>(sketch.record_many(&[1.0, -5.0]).unwrap_err());
    assert_eq!(message, "values[1]: must be a finite number >= 0, got -5");
    let message = message_of::<js_sys::RangeError>(sketch.quantile(1.5).unwrap_err());
    assert!(message.starts_with("q: "), "{message}");
    assert_eq!(sketch.count(), 0.0);
}

#[wasm_bindgen_test]
fn options_are_validated_by_name() {
    let coarse = JsSketch::new(options(&[("maxRelativeError", 0.02.into())])).unwrap();
    assert_eq!(coarse.scale(), 5);
    let err = JsSketch::new(options(&[("maxBuckets", 1.into())]))
        .err()
        .unwrap();
    assert!(message_of::<js_sys::RangeError>(err).starts_with("maxBuckets: "));
    let err = JsSketch::new(options(&[("maxBuckets", 3.5.into())]))
        .err()
        .unwrap();
    assert!(message_of::<js_sys::RangeError>(err).starts_with("maxBuckets: "));
    let err = JsSketch::new(options(&[("maxRelativeError", 0.into())]))
        .err()
        .unwrap();
    assert!(message_of::<js_sys::RangeError>(err).starts_with("maxRelativeError: "));
    let err = JsSketch::new(options(&[("accuracy", 0.01.into())]))
        .err()
        .unwrap();
    assert!(message_of::<js_sys::TypeError>(err).starts_with("accuracy: unknown option"));
    let err = JsSketch::new(options(&[("maxBuckets", "many".into())]))
        .err()
        .unwrap();
    assert!(message_of::<js_sys::TypeError>(err).starts_with("maxBuckets: must be a number"));
}

#[wasm_bindgen_test]
fn bytes_round_trip_and_garbage_is_an_error() {
    let mut sketch = JsSketch::new(JsValue::UNDEFINED).unwrap();
    sketch.record_many(&[3.0, 4.0, 5000.0]).unwrap();
    let copy = JsSketch::from_bytes(&sketch.to_bytes()).unwrap();
    assert_eq!(copy.to_bytes(), sketch.to_bytes());
    assert_eq!(
        (copy.count(), copy.sum(), copy.max()),
        (3.0, 5007.0, 5000.0)
    );
    let err = JsSketch::from_bytes(&[9, 9, 9]).err().unwrap();
    assert!(err.dyn_ref::<js_sys::RangeError>().is_none());
    assert!(message_of::<js_sys::Error>(err).starts_with("bytes: "));
    assert!(JsSketch::from_bytes(&[]).is_err());
}

#[wasm_bindgen_test]
fn merges() {
    let mut a = JsSketch::new(JsValue::UNDEFINED).unwrap();
    let mut b = JsSketch::new(options(&[("maxRelativeError", 0.05.into())])).unwrap();
    a.record(1.0).unwrap();
    b.record(2.0).unwrap();
    a.merge(&b);
    assert_eq!((a.count(), a.scale()), (2.0, b.scale()));
}

#[wasm_bindgen_test]
fn otlp_is_a_plain_object_with_string_integers() {
    let mut sketch = JsSketch::new(JsValue::UNDEFINED).unwrap();
    sketch.record_many(&[0.0, 1.0, 1.0]).unwrap();
    let point = sketch.to_otlp().unwrap();
    assert_eq!(get(&point, "count"), JsValue::from("3"));
    assert_eq!(get(&point, "zeroCount"), JsValue::from("1"));
    assert_eq!(get(&point, "scale"), JsValue::from(6));
    let positive = get(&point, "positive");
    assert_eq!(get(&positive, "offset"), JsValue::from(-1));
    let counts: js_sys::Array = get(&positive, "bucketCounts").dyn_into().unwrap();
    assert_eq!(counts.get(0), JsValue::from("2"));
    assert_eq!(get(&point, "max"), JsValue::from(1.0));
    let json = String::from(js_sys::JSON::stringify(&point).unwrap());
    assert!(json.contains(r#""zeroThreshold":0"#), "{json}");
}

#[wasm_bindgen_test]
fn buckets_are_parallel_float64_arrays() {
    let mut sketch = JsSketch::new(JsValue::UNDEFINED).unwrap();
    sketch.record_many(&[0.0, 2.0, 2.0, 64.0]).unwrap();
    let buckets = sketch.buckets().unwrap();
    let column = |key| {
        get(&buckets, key)
            .dyn_into::<Float64Array>()
            .unwrap()
            .to_vec()
    };
    assert_eq!(column("counts"), [1.0, 2.0, 1.0]);
    assert_eq!(column("upper")[..2], [0.0, 2.0]);
    assert!(column("lower")[2] < 64.0);
}

#[wasm_bindgen_test]
fn quantiles_in_any_order_match_single_queries() {
    let mut sketch = JsSketch::new(JsValue::UNDEFINED).unwrap();
    let values: Vec<f64> = (0..2_000).map(|i| 0.5 * 1.003f64.powi(i)).collect();
    sketch.record_many(&values).unwrap();
    sketch.record_many(&[0.0, -0.0]).unwrap();
    for qs in [[0.5, 0.9, 0.99, 0.999], [0.999, 0.001, 0.5, 0.0]] {
        let all = sketch.quantiles(&qs).unwrap();
        let one: Vec<f64> = qs.iter().map(|&q| sketch.quantile(q).unwrap()).collect();
        assert_eq!(all, one);
    }
    assert_eq!(sketch.quantile(0.0).unwrap(), 0.0);
    let before = sketch.to_bytes();
    let err = sketch
        .record_many(&[1.0, -0.0, f64::NAN, -1.0])
        .unwrap_err();
    assert_eq!(
        message_of::<js_sys::RangeError>(err),
        "values[2]: must be a finite number >= 0, got NaN"
    );
    assert_eq!(sketch.to_bytes(), before);
}
