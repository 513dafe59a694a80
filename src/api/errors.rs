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

/// A plain `Error` for failures that are not the caller's input (corrupt bytes, storage).
pub fn plain_error(message: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}
