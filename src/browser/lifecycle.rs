//! Calls back when the page may be about to go away, the last moment to save buffered data.
//!
//! Hidden tabs get their timers throttled to once a minute and may be discarded without
//! another event, so `visibilitychange` to hidden matters as much as `pagehide`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Document, EventTarget, VisibilityState, Window};

/// Why the callback ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageExit {
    /// The document became hidden (tab switch, minimise, or the start of unloading).
    Hidden,
    /// `pagehide`: the page is unloading or entering the back/forward cache.
    PageHide,
}

/// Listens while alive; dropping it removes both listeners (like gloo's timers).
#[must_use = "the listeners are removed when this handle is dropped"]
pub struct PageExitListener {
    window: Window,
    document: Document,
    on_visibility: Closure<dyn FnMut()>,
    on_pagehide: Closure<dyn FnMut()>,
}

impl PageExitListener {
    /// Calls `callback` on `visibilitychange` to hidden and on `pagehide`; `None` outside a
    /// window (workers).
    pub fn new(callback: impl FnMut(PageExit) + 'static) -> Option<Self> {
        let window = web_sys::window()?;
        let document = window.document()?;
        let callback: Callback = Rc::new(RefCell::new(callback));
        let (cb, doc) = (callback.clone(), document.clone());
        let on_visibility = Closure::<dyn FnMut()>::new(move || {
            if doc.visibility_state() == VisibilityState::Hidden {
                notify(&cb, PageExit::Hidden);
            }
        });
        let on_pagehide =
            Closure::<dyn FnMut()>::new(move || notify(&callback, PageExit::PageHide));
        listen(&document, "visibilitychange", &on_visibility);
        listen(&window, "pagehide", &on_pagehide);
        Some(Self {
            window,
            document,
            on_visibility,
            on_pagehide,
        })
    }
}

impl Drop for PageExitListener {
    fn drop(&mut self) {
        unlisten(&self.document, "visibilitychange", &self.on_visibility);
        unlisten(&self.window, "pagehide", &self.on_pagehide);
    }
}

type Callback = Rc<RefCell<dyn FnMut(PageExit)>>;

fn notify(callback: &Callback, exit: PageExit) {
    // A callback that somehow re-enters is skipped rather than panicking.
    if let Ok(mut f) = callback.try_borrow_mut() {
        f(exit);
    }
}

fn listen(target: &EventTarget, event: &str, handler: &Closure<dyn FnMut()>) {
    // Only fails for a non-callable handler, which a Closure never is.
    let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
}

fn unlisten(target: &EventTarget, event: &str, handler: &Closure<dyn FnMut()>) {
    let _ = target.remove_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
}
