//! The panic hook of the engine and history parts. Without it a panic ends in the abort's
//! trap, a bare `RuntimeError: unreachable` that says neither where nor why (the release parts
//! carry no names section). With it the panic reaches JS as a `WebAssembly.RuntimeError`
//! whose message is the panic's own (`panicked at src/…:line:col: why`): the profiler's guard
//! contains it as it contains any trap, and `stats().failure` gives the reason. The hook
//! throws instead of returning, so nothing runs in the module after the panic; only the parts
//! behind the Profiler have it (a `Sketch` or `Cache` panic is a plain trap to its caller).

use wasm_bindgen::prelude::*;

// Imported here rather than from js-sys, for the reason src/api/errors.rs gives.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = WebAssembly, js_name = RuntimeError)]
    type RuntimeError;
    #[wasm_bindgen(constructor, js_namespace = WebAssembly, js_class = "RuntimeError")]
    fn new(message: &str) -> RuntimeError;
}

/// Installed once, when the module is instantiated.
#[wasm_bindgen(start)]
fn install() {
    std::panic::set_hook(Box::new(|info| {
        let error = RuntimeError::new(&info.to_string());
        wasm_bindgen::throw_val(error.into());
    }));
}
