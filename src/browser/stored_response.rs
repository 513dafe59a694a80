//! A response kept as data (body Blob, status, headers, URL) from which a new `Response` is
//! built for every hit.
//!
//! Why rebuild rather than keep one pristine `Response` and hand out `.clone()`s: each clone
//! tees the body stream, so a hot entry would grow a chain of tees and buffers; the byte size
//! of a streamed body is unknown until read, so the byte budget could not be enforced; and a
//! Blob lives outside wasm memory and backs any number of new Responses without copying.
//! The cost: `type` reads `"default"` and `redirected` false on a hit; `url` is restored.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Headers, Response, ResponseInit};

/// Bytes charged per entry beyond the body, for status, headers and bookkeeping: the header
/// block is not measured (that would mean walking it on every store).
const OVERHEAD_BYTES: u64 = 512;

/// The parts of a response a cache hit needs.
#[derive(Debug)]
pub struct StoredResponse {
    body: Blob,
    status: u16,
    status_text: String,
    headers: Headers,
    url: String,
}

impl StoredResponse {
    /// Reads `response` to the end (its body is consumed) and keeps what a rebuild needs.
    pub async fn read(response: &Response) -> Result<Self, JsValue> {
        let body: Blob = JsFuture::from(response.blob()?).await?.dyn_into()?;
        Ok(Self {
            body,
            status: response.status(),
            status_text: response.status_text(),
            // A response's headers are immutable, so holding the object itself is safe.
            headers: response.headers(),
            url: response.url(),
        })
    }

    /// What the entry costs against the byte budget: body, URL and a flat overhead.
    pub fn byte_size(&self) -> u64 {
        // Saturating cast; Blob sizes are whole bytes.
        self.body.size() as u64 + self.url.len() as u64 + OVERHEAD_BYTES
    }

    /// A new, unread `Response` with the same status, headers, body and `url`.
    pub fn to_response(&self) -> Result<Response, JsValue> {
        let init = ResponseInit::new();
        init.set_status(self.status);
        init.set_status_text(&self.status_text);
        init.set_headers_headers(&self.headers);
        // Null-body statuses (204, 205) must not get a body, even an empty one.
        let body = (self.body.size() > 0.0).then_some(&self.body);
        let response = Response::new_with_opt_blob_and_init(body, &init)?;
        let url = Object::new();
        Reflect::set(&url, &"value".into(), &self.url.as_str().into())?;
        Reflect::define_property(&response, &"url".into(), &url)?;
        Ok(response)
    }
}
