//! The global allocator of the parts built with feature `talc` (see `scripts/build.sh`: every
//! shipped part): talc instead of the default dlmalloc, 2.4 KB gzipped less in the sketch part,
//! 1 KB in the engine and 2.3 KB in the cache part (whose get/set speed it leaves unchanged).

#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
