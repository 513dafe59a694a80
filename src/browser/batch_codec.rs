//! A [`ColumnarBatch`] as a plain JS object: what IndexedDB stores and the journal serialises.
//!
//! Columns are typed arrays for IndexedDB (structured clone copies them as flat buffers) and
//! plain arrays for JSON. Decoding copies through the typed-array constructors, which accept
//! both, so one reader serves both forms.

use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array, Uint16Array, Uint32Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::batch::columnar::{ColumnarBatch, Columns};

/// Record field names; `minStart` and `maxStart`/`count` are the index key paths.
pub const ID: &str = "id";
pub const MIN_START: &str = "minStart";
pub const MAX_START: &str = "maxStart";
pub const COUNT: &str = "count";

/// Which array type the columns take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnForm {
    /// Typed arrays, for IndexedDB.
    Typed,
    /// Plain arrays, for `JSON.stringify`.
    Plain,
}

/// Builds the record for `batch`.
pub fn encode(batch: &ColumnarBatch, form: ColumnForm) -> Object {
    let c = batch.columns();
    let column = |typed: JsValue| -> JsValue {
        match form {
            ColumnForm::Typed => typed,
            ColumnForm::Plain => Array::from(&typed).into(),
        }
    };
    let routes: Array = c.routes.iter().map(|r| JsValue::from_str(r)).collect();
    let fields: [(&str, JsValue); 11] = [
        (ID, c.id.as_str().into()),
        (MIN_START, batch.min_start_ms().into()),
        (MAX_START, batch.max_start_ms().into()),
        (COUNT, (batch.len() as u32).into()),
        (
            "start",
            column(Float64Array::from(c.start_ms.as_slice()).into()),
        ),
        (
            "duration",
            column(Float64Array::from(c.duration_ms.as_slice()).into()),
        ),
        (
            "status",
            column(Uint16Array::from(c.status.as_slice()).into()),
        ),
        ("ok", column(Uint8Array::from(c.ok.as_slice()).into())),
        (
            "bytes",
            column(Float64Array::from(c.bytes.as_slice()).into()),
        ),
        (
            "routeId",
            column(Uint32Array::from(c.route_id.as_slice()).into()),
        ),
        ("routes", routes.into()),
    ];
    let record = Object::new();
    for (key, value) in fields {
        // Setting a data property on a fresh plain object cannot fail.
        let _ = Reflect::set(&record, &key.into(), &value);
    }
    record
}

/// Reads a record back, validating it; the error names the bad field.
pub fn decode(record: &JsValue) -> Result<ColumnarBatch, String> {
    if !record.is_object() {
        return Err("record: not an object".into());
    }
    let columns = Columns {
        id: field(record, ID)?.as_string().ok_or("id: not a string")?,
        start_ms: Float64Array::new(&array_like(record, "start")?).to_vec(),
        duration_ms: Float64Array::new(&array_like(record, "duration")?).to_vec(),
        status: Uint16Array::new(&array_like(record, "status")?).to_vec(),
        ok: Uint8Array::new(&array_like(record, "ok")?).to_vec(),
        bytes: Float64Array::new(&array_like(record, "bytes")?).to_vec(),
        route_id: Uint32Array::new(&array_like(record, "routeId")?).to_vec(),
        routes: array_like(record, "routes")?
            .unchecked_into::<Array>()
            .iter()
            .map(|r| r.as_string().ok_or("routes: an entry is not a string"))
            .collect::<Result<_, _>>()?,
    };
    ColumnarBatch::from_columns(columns).map_err(|e| e.to_string())
}

fn field(record: &JsValue, name: &str) -> Result<JsValue, String> {
    Reflect::get(record, &name.into()).map_err(|_| format!("{name}: unreadable"))
}

/// A typed or plain array; anything else would make the typed-array constructors throw or
/// read garbage.
fn array_like(record: &JsValue, name: &str) -> Result<JsValue, String> {
    let value = field(record, name)?;
    let is_typed = value.is_instance_of::<Float64Array>()
        || value.is_instance_of::<Uint16Array>()
        || value.is_instance_of::<Uint8Array>()
        || value.is_instance_of::<Uint32Array>();
    if is_typed || Array::is_array(&value) {
        Ok(value)
    } else {
        Err(format!("{name}: not an array"))
    }
}
