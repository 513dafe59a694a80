//! Profiler events for the app: `profiler.on(name, cb)` listeners, plus a DOM `CustomEvent`
//! named `apiscope:<name>` on the global scope, so code that never held the profiler can
//! listen too. A listener that throws is contained: it never breaks the profiler or the page.

use std::cell::{Cell, RefCell};

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};

/// The event names a listener may subscribe to.
pub const EVENT_NAMES: [&str; 4] = ["alert", "resolved", "error", "flush"];

/// Listeners by event name, each with an id for unsubscribing.
#[derive(Default)]
pub struct Emitter {
    listeners: RefCell<Vec<(u32, String, Function)>>,
    next_id: Cell<u32>,
    listener_errors: Cell<u64>,
}

impl Emitter {
    /// Adds `callback` for `event`; returns the id that [`Emitter::off`] takes.
    pub fn on(&self, event: &str, callback: Function) -> u32 {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        self.listeners
            .borrow_mut()
            .push((id, event.to_owned(), callback));
        id
    }

    /// Removes the listener `id`; unknown ids are ignored.
    pub fn off(&self, id: u32) {
        self.listeners.borrow_mut().retain(|(i, _, _)| *i != id);
    }

    /// Calls every listener of `event` with `detail`, then dispatches the DOM event.
    pub fn emit(&self, event: &str, detail: &JsValue) {
        // Listeners may subscribe or unsubscribe while being called: iterate over a copy.
        let targets: Vec<Function> = self
            .listeners
            .borrow()
            .iter()
            .filter(|(_, name, _)| name == event)
            .map(|(_, _, f)| f.clone())
            .collect();
        for listener in targets {
            if listener.call1(&JsValue::UNDEFINED, detail).is_err() {
                self.listener_errors.set(self.listener_errors.get() + 1);
            }
        }
        dispatch_dom_event(event, detail);
    }

    /// How many listener calls threw.
    pub fn listener_errors(&self) -> u64 {
        self.listener_errors.get()
    }
}

fn dispatch_dom_event(event: &str, detail: &JsValue) {
    let Ok(target) = js_sys::global().dyn_into::<web_sys::EventTarget>() else {
        return;
    };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(custom) =
        web_sys::CustomEvent::new_with_event_init_dict(&format!("apiscope:{event}"), &init)
    {
        // dispatchEvent reports listener exceptions to the console itself; it never throws.
        let _ = target.dispatch_event(&custom);
    }
}
