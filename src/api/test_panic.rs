//! Test builds only (feature `test-panic`, part `engine-test` of `scripts/build.sh`; no shipped
//! part has it): a panic inside the engine on demand, so that tests/browser-js/containment.test.js
//! can check what the page sees when apiscope fails inside.

use super::engine::Engine;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Engine {
    /// Panics, as a bug inside the engine would.
    #[wasm_bindgen(js_name = testPanic)]
    pub fn test_panic(&mut self) {
        panic!("apiscope test panic (feature test-panic)");
    }
}
