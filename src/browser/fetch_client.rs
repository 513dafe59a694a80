//! The global `fetch` and `Request` constructor, in a window or a worker.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Request;

/// `new Request(input, init)`: exactly what `fetch(input, init)` builds first, so the URL is
/// resolved against the page base and bad input fails with the same error fetch would give.
pub fn new_request(input: &JsValue, init: &JsValue) -> Result<Request, JsValue> {
    let constructor: Function = Reflect::get(&js_sys::global(), &"Request".into())?.dyn_into()?;
    Ok(Reflect::construct(&constructor, &Array::of2(input, init))?.unchecked_into())
}

/// `fetch(request)` on the current global. It calls the global's current `fetch` property, so
/// instrumentation wrapped around fetch still sees every network call.
pub fn send(request: &Request) -> Result<Promise, JsValue> {
    let global = js_sys::global();
    if let Some(window) = global.dyn_ref::<web_sys::Window>() {
        Ok(window.fetch_with_request(request))
    } else if let Some(worker) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        Ok(worker.fetch_with_request(request))
    } else {
        Err(js_sys::TypeError::new("fetch is not available in this global scope").into())
    }
}
