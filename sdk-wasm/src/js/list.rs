//! The JS face of sandbox listings: an async iterator fetching page after page.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use daytona_models::ListSandboxesQuery;
use wasm_bindgen::prelude::*;

use super::{promise, JsSandbox};
use crate::{Daytona, Sandbox};

#[derive(Debug)]
struct Cursor {
    query: ListSandboxesQuery,
    buffer: VecDeque<Sandbox>,
    done: bool,
}

/// Async iterator over a sandbox listing (`AsyncIterableIterator<Sandbox>`): each page is
/// fetched when the previous one is used up.
#[wasm_bindgen(js_name = SandboxIterator)]
pub struct JsSandboxIterator {
    daytona: Daytona,
    cursor: Rc<RefCell<Cursor>>,
}

impl JsSandboxIterator {
    pub(crate) fn new(daytona: Daytona, query: ListSandboxesQuery) -> Self {
        Self { daytona, cursor: Rc::new(RefCell::new(Cursor { query, buffer: VecDeque::new(), done: false })) }
    }
}

fn step(value: Option<Sandbox>) -> JsValue {
    let out = js_sys::Object::new();
    let done = value.is_none();
    let _ = js_sys::Reflect::set(&out, &"done".into(), &done.into());
    let value = value.map(|s| JsValue::from(JsSandbox::from(s))).unwrap_or(JsValue::UNDEFINED);
    let _ = js_sys::Reflect::set(&out, &"value".into(), &value);
    out.into()
}

#[wasm_bindgen(js_class = SandboxIterator)]
impl JsSandboxIterator {
    /// The next sandbox: `{ value, done }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<Sandbox, undefined>>")]
    pub fn next(&self) -> js_sys::Promise {
        let daytona = self.daytona.clone();
        let cursor = Rc::clone(&self.cursor);
        promise(async move {
            loop {
                let query = {
                    let mut c = cursor.borrow_mut();
                    if let Some(sb) = c.buffer.pop_front() {
                        return Ok(step(Some(sb)));
                    }
                    if c.done {
                        return Ok(step(None));
                    }
                    c.query.clone()
                };
                let page = daytona.list_page(&query).await?;
                let mut c = cursor.borrow_mut();
                c.buffer.extend(page.items);
                match page.next_cursor {
                    Some(next) => c.query.cursor = Some(next),
                    None => c.done = true,
                }
            }
        })
    }
}
