//! JS exceptions that name what was wrong, so callers can fix their input.
//!
//! The three constructors are imported here rather than from js-sys: a build whose only JS
//! imports are these (the engine) then links no js-sys at all, whose futures and closure
//! exports would otherwise ship with it.

use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Error)]
    type JsError;
    #[wasm_bindgen(constructor, js_class = "Error")]
    fn new(message: &str) -> JsError;

    #[wasm_bindgen(js_name = RangeError)]
    type JsRangeError;
    #[wasm_bindgen(constructor, js_class = "RangeError")]
    fn new(message: &str) -> JsRangeError;

    #[wasm_bindgen(js_name = TypeError)]
    type JsTypeError;
    #[wasm_bindgen(constructor, js_class = "TypeError")]
    fn new(message: &str) -> JsTypeError;

    /// JavaScript's `String(n)`.
    #[wasm_bindgen(js_name = String)]
    fn js_string(n: f64) -> String;
}

/// A `RangeError` whose message starts with the offending field, e.g.
/// `RangeError: maxEntries: must be a positive integer, got 0`.
pub fn range_error(field: &str, problem: impl std::fmt::Display) -> JsValue {
    JsRangeError::new(&format!("{field}: {problem}")).into()
}

/// A `TypeError` whose message starts with the offending field.
pub fn type_error(field: &str, problem: impl std::fmt::Display) -> JsValue {
    JsTypeError::new(&format!("{field}: {problem}")).into()
}

/// A core [`FieldError`](crate::core::error::FieldError) as the JS exception to throw: the one
/// place core validation becomes a `RangeError` (corrupt data a plain `Error`).
pub fn field_error(e: crate::core::error::FieldError) -> JsValue {
    // JavaScript writes the numbers, exactly as its `String(n)` does (which `push_number`
    // imitates): the wasm then ships no number formatting.
    let message = e.message_with(|out, n| out.push_str(&js_string(n)));
    if e.is_corrupt() {
        JsError::new(&message).into()
    } else {
        JsRangeError::new(&message).into()
    }
}

/// A plain `Error` for failures that are not the caller's input (corrupt bytes, storage).
pub fn plain_error(message: impl std::fmt::Display) -> JsValue {
    JsError::new(&message.to_string()).into()
}
