//! Test builds only (feature `test-panic`, parts `engine-test`, `engine-export-test` and
//! `history-test` of `scripts/build.sh`; no shipped part has it): a panic inside the part on
//! demand, so that tests/browser-js/containment*.test.js can check what the page sees when
//! apiscope fails inside.

use wasm_bindgen::prelude::*;

#[cfg(feature = "engine")]
use super::engine::Engine;
#[cfg(feature = "history")]
use super::history::History;

#[cfg(feature = "engine")]
#[wasm_bindgen]
impl Engine {
    /// Panics, as a bug inside the engine would.
    #[wasm_bindgen(js_name = testPanic)]
    pub fn test_panic(&mut self) {
        panic!("apiscope test panic (feature test-panic)");
    }
}

#[cfg(feature = "history")]
#[wasm_bindgen]
impl History {
    /// Panics, as a bug inside the history part would.
    #[wasm_bindgen(js_name = testPanic)]
    pub fn test_panic(&mut self) {
        panic!("apiscope test panic (feature test-panic)");
    }
}
