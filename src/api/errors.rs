//! JS exceptions that name what was wrong, so callers can fix their input.

use wasm_bindgen::JsValue;

/// A `RangeError` whose message starts with the offending field, e.g.
/// `RangeError: maxEntries: must be a positive integer, got 0`.
pub fn range_error(field: &str, problem: impl std::fmt::Display) -> JsValue {
    js_sys::RangeError::new(&format!("{field}: {problem}")).into()
}

/// A `TypeError` whose message starts with the offending field.
pub fn type_error(field: &str, problem: impl std::fmt::Display) -> JsValue {
    js_sys::TypeError::new(&format!("{field}: {problem}")).into()
}

/// A core [`FieldError`](crate::core::error::FieldError) as the JS exception to throw: the one
/// place core validation becomes a `RangeError` (corrupt data a plain `Error`).
pub fn field_error(e: crate::core::error::FieldError) -> JsValue {
    let message = e.message();
    if e.is_corrupt() {
        js_sys::Error::new(&message).into()
    } else {
        js_sys::RangeError::new(&message).into()
    }
}

/// A plain `Error` for failures that are not the caller's input (corrupt bytes, storage).
pub fn plain_error(message: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}
