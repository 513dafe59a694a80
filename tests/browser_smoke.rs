//! The first slice, in real Chromium: the facade's exported function answers from wasm.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(apiscope::api::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn the_performance_clock_reads_epoch_milliseconds() {
    use apiscope::core::clock::Clock;
    let clock = apiscope::browser::clock::PerformanceClock::from_global().expect("a window");
    let now = clock.now_ms();
    let date_now = js_sys::Date::now();
    assert!(
        (now - date_now).abs() < 1_000.0,
        "{now} vs Date.now() {date_now}"
    );
}
