//! The global allocator of the parts built with feature `talc` (see `scripts/build.sh`: the
//! sketch and engine parts): talc instead of the default dlmalloc, 2.4 KB gzipped less in the
//! sketch part and 1 KB in the engine.

#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
