//! Noticing when an element changes size.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, ResizeObserver};

/// Calls a function whenever an element's size changes, until dropped.
pub struct ResizeWatch {
    observer: ResizeObserver,
    _callback: Closure<dyn FnMut(JsValue)>,
}

impl ResizeWatch {
    /// Watches `element`, calling `f` after each size change (and once at the start, as
    /// `ResizeObserver` does). `None` if the browser has no `ResizeObserver`.
    pub fn new(element: &Element, f: impl Fn() + 'static) -> Option<Self> {
        let callback = Closure::<dyn FnMut(JsValue)>::new(move |_| f());
        let observer = ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(element);
        Some(Self { observer, _callback: callback })
    }
}

impl Drop for ResizeWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
