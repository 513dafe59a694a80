//! Reading plain JS objects (options, samples, rules) field by field, so that every error
//! names the field as the caller wrote it (`batch.maxSize`, `alerts[1].metric`) and unknown
//! keys are rejected instead of silently ignored.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::{range_error, type_error};

/// The fields of one JS object at `path`.
pub struct Fields {
    object: Option<Object>,
    path: String,
}

impl Fields {
    /// Reads `value` as an object whose keys must all be in `known`. `undefined` and `null`
    /// read as an empty object.
    pub fn new(value: &JsValue, path: &str, known: &[&str]) -> Result<Self, JsValue> {
        let fields = Self {
            object: None,
            path: path.to_owned(),
        };
        if value.is_undefined() || value.is_null() {
            return Ok(fields);
        }
        if !value.is_object() || Array::is_array(value) {
            let name = if path.is_empty() { "options" } else { path };
            return Err(type_error(
                name,
                format!("must be an object, got {}", type_of(value)),
            ));
        }
        let object: Object = value.clone().unchecked_into();
        for key in Object::keys(&object) {
            let key = key.as_string().unwrap_or_default();
            if !known.contains(&key.as_str()) {
                return Err(type_error(
                    &fields.name(&key),
                    format!("unknown field (expected one of: {})", known.join(", ")),
                ));
            }
        }
        Ok(Self {
            object: Some(object),
            ..fields
        })
    }

    /// The full name of `key`, e.g. `batch.maxSize`.
    pub fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value of `key`; `None` when absent, `undefined` or `null`.
    pub fn value(&self, key: &str) -> Result<Option<JsValue>, JsValue> {
        let Some(object) = &self.object else {
            return Ok(None);
        };
        let value = Reflect::get(object, &key.into())?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }

    /// `key` as a number (NaN and infinities are the caller's to judge).
    pub fn number(&self, key: &str) -> Result<Option<f64>, JsValue> {
        self.typed(key, "a number", JsValue::as_f64)
    }

    /// `key` as a string.
    pub fn string(&self, key: &str) -> Result<Option<String>, JsValue> {
        self.typed(key, "a string", JsValue::as_string)
    }

    /// `key` as a boolean.
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, JsValue> {
        self.typed(key, "a boolean", JsValue::as_bool)
    }

    /// `key` as a non-negative integer no larger than `max`.
    pub fn integer(&self, key: &str, max: f64) -> Result<Option<f64>, JsValue> {
        match self.number(key)? {
            Some(v) if v.fract() != 0.0 || !(0.0..=max).contains(&v) => Err(range_error(
                &self.name(key),
                format!("must be an integer from 0 to {max}, got {v}"),
            )),
            other => Ok(other),
        }
    }

    /// `key` as a finite number ≥ 0.
    pub fn non_negative(&self, key: &str) -> Result<Option<f64>, JsValue> {
        match self.number(key)? {
            Some(v) if !(v.is_finite() && v >= 0.0) => Err(range_error(
                &self.name(key),
                format!("must be a finite number >= 0, got {v}"),
            )),
            other => Ok(other),
        }
    }

    /// `key` as an array of strings.
    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, JsValue> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        let array = as_array(&value).ok_or_else(|| {
            type_error(
                &self.name(key),
                format!("must be an array, got {}", type_of(&value)),
            )
        })?;
        array
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_string().ok_or_else(|| {
                    let name = format!("{}[{i}]", self.name(key));
                    type_error(&name, format!("must be a string, got {}", type_of(&item)))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn typed<T>(
        &self,
        key: &str,
        expected: &str,
        read: impl Fn(&JsValue) -> Option<T>,
    ) -> Result<Option<T>, JsValue> {
        match self.value(key)? {
            None => Ok(None),
            Some(value) => read(&value).map(Some).ok_or_else(|| {
                type_error(
                    &self.name(key),
                    format!("must be {expected}, got {}", type_of(&value)),
                )
            }),
        }
    }
}

/// `value` as an array, if it is one.
pub fn as_array(value: &JsValue) -> Option<Array> {
    Array::is_array(value).then(|| value.clone().unchecked_into())
}

/// `typeof value`, with `null` and arrays told apart, for error messages.
pub fn type_of(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if Array::is_array(value) {
        "array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}
