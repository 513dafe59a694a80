//! Why the hooks or the Resource Timing observer could not be set up.

use std::fmt;

/// A setup failure; once installed, the hooks never fail the app (see `Hooks::errors`).
#[derive(Debug, Clone, PartialEq)]
pub enum HookError {
    /// `sample_rate` must be in (0, 1].
    SampleRate(f64),
    /// The global scope lacks an API the hooks need (e.g. `performance`).
    Unsupported(&'static str),
    /// The browser refused the patch or the observer; the JS error's message.
    Install(String),
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SampleRate(rate) => write!(f, "sampleRate: must be in (0, 1], got {rate}"),
            Self::Unsupported(api) => write!(f, "{api} is not available in this global scope"),
            Self::Install(message) => write!(f, "cannot install: {message}"),
        }
    }
}

impl std::error::Error for HookError {}

impl HookError {
    /// Wraps a JS exception thrown while installing.
    pub(super) fn from_js(error: wasm_bindgen::JsValue) -> Self {
        use wasm_bindgen::JsCast;
        let message = match error.dyn_ref::<js_sys::Error>() {
            Some(error) => error.message().into(),
            None => format!("{error:?}"),
        };
        Self::Install(message)
    }
}
