//! The Rust facade of `Sketch` in a real browser: what crosses the boundary and in which layout.
//! The JS class that pages use (js/sketch/sketch.js) is tested in
//! tests/browser-js/sketch*.test.js: values, errors as callers read them, buffering, bytes, OTLP.
#![cfg(target_arch = "wasm32")]

use apiscope::api::sketch::JsSketch;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The message of a thrown JS error, after checking its class.
fn message_of<E: JsCast + AsRef<js_sys::Error>>(err: wasm_bindgen::JsValue) -> String {
    let typed = err.dyn_ref::<E>().expect("error of the expected class");
    String::from(AsRef::<js_sys::Error>::as_ref(typed).message())
}

/// How the facade leaves a number for JS to write: `\u{1}` and the hex digits of its bits.
fn mark(v: f64) -> String {
    format!("\u{1}{:016x}", v.to_bits())
}

#[wasm_bindgen_test]
fn options_arrive_as_numbers_and_absent_ones_keep_their_defaults() {
    let default = JsSketch::new(None, None).unwrap();
    assert_eq!(default.scale(), 6);
    assert_eq!(JsSketch::new(Some(0.02), None).unwrap().scale(), 5);
    let err = JsSketch::new(None, Some(3.5)).err().unwrap();
    assert_eq!(
        message_of::<js_sys::RangeError>(err),
        format!(
            "maxBuckets: must be an integer in [{}, {}], got {}",
            mark(2.0),
            mark(65536.0),
            mark(3.5)
        )
    );
}

#[wasm_bindgen_test]
fn errors_leave_their_numbers_marked_and_change_nothing() {
    let mut sketch = JsSketch::new(None, None).unwrap();
    let err = sketch.record(f64::NAN).unwrap_err();
    assert_eq!(
        message_of::<js_sys::RangeError>(err),
        format!(
            "value: must be a finite number >= 0, got {}",
            mark(f64::NAN)
        )
    );
    let err = sketch.record_many(&[1.0, -5.0]).unwrap_err();
    assert!(message_of::<js_sys::RangeError>(err).starts_with("values[1]: "));
    let err = sketch.quantile(1.5).unwrap_err();
    assert!(message_of::<js_sys::RangeError>(err).starts_with("q: "));
    assert_eq!(sketch.count(), 0.0);
    let err = JsSketch::from_bytes(&[9, 9, 9]).err().unwrap();
    assert!(err.dyn_ref::<js_sys::RangeError>().is_none());
    assert!(message_of::<js_sys::Error>(err).starts_with("bytes: does not decode: "));
}

#[wasm_bindgen_test]
fn otlp_integers_are_count_zeros_offset_then_buckets() {
    let mut sketch = JsSketch::new(None, None).unwrap();
    assert_eq!(sketch.otlp_integers(), [0, 0, 0]);
    sketch.record_many(&[0.0, 0.75, 0.75, 1.0]).unwrap();
    let integers = sketch.otlp_integers();
    assert_eq!(&integers[..2], [4, 1]);
    // 0.75 and 1.0 sit below 2^0: negative indices, in two's complement.
    let offset = integers[2] as i64;
    assert!(offset < 0);
    assert_eq!(integers[3..].iter().sum::<u64>(), 3);
    assert_eq!((integers[3], *integers.last().unwrap()), (2, 1));
}

#[wasm_bindgen_test]
fn bucket_columns_are_lower_bounds_upper_bounds_then_counts() {
    let mut sketch = JsSketch::new(None, None).unwrap();
    sketch.record_many(&[0.0, 2.0, 2.0, 64.0]).unwrap();
    let columns = sketch.bucket_columns();
    assert_eq!(columns.len(), 9);
    let (lower, rest) = columns.split_at(3);
    let (upper, counts) = rest.split_at(3);
    assert_eq!(counts, [1.0, 2.0, 1.0]);
    assert_eq!(
        (lower[0], upper[0], upper[1], upper[2]),
        (0.0, 0.0, 2.0, 64.0)
    );
    assert!(lower[1] < 2.0 && lower[2] < 64.0);
}

#[wasm_bindgen_test]
fn merge_and_bytes_cross_as_handles_and_byte_arrays() {
    let mut a = JsSketch::new(None, None).unwrap();
    let mut b = JsSketch::new(Some(0.05), None).unwrap();
    a.record(1.0).unwrap();
    b.record(2.0).unwrap();
    a.merge(&b);
    assert_eq!((a.count(), a.scale()), (2.0, b.scale()));
    let copy = JsSketch::from_bytes(&a.to_bytes()).unwrap();
    assert_eq!(copy.to_bytes(), a.to_bytes());
    assert_eq!((copy.sum(), copy.min(), copy.max()), (3.0, 1.0, 2.0));
}
