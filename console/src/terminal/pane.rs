//! One terminal: an xterm.js screen attached to a PTY session, sized to its element.
//!
//! Attaching replays the session's scrollback, so a reload shows the previous screen. The
//! SDK's handle reconnects by itself; its state is shown in the status line. Unmounting
//! only detaches: the shell keeps running.

use std::rc::Rc;
use std::time::Duration;

use daytona_wasm::{PtyCreateOptions, PtyDataFn, PtyHandle, PtyState, PtyStateFn};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::KeyboardEvent;

use crate::components::relative_time::RelativeTime;
use crate::current_sandbox::use_current_sandbox;
use crate::errors::describe;
use crate::resize_watch::ResizeWatch;
use crate::terminal::status;
use crate::xterm::Xterm;

/// Size changes settle this long before the PTY is resized (window drags send many).
const RESIZE_DEBOUNCE: Duration = Duration::from_millis(80);
/// How long copy/paste feedback stays.
const NOTICE_FOR: Duration = Duration::from_millis(2000);

/// The terminal of PTY session `id`, created first when `create` is set. `on_close` is
/// offered once the shell has exited.
#[component]
pub fn TerminalPane(
    id: String,
    create: bool,
    #[prop(into)] font_size: Signal<u16>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let current = use_current_sandbox();
    let host = NodeRef::<Div>::new();
    let state = RwSignal::new(PtyState::Connecting);
    // The PTY's size as the server last confirmed it.
    let size = RwSignal::new(None::<(u16, u16)>);
    let notice = RwSignal::new(None::<String>);
    // Where the shell runs and since when (folder, ISO time), as the sandbox says once attached.
    let info = RwSignal::new(None::<(String, String)>);
    let term = StoredValue::new_local(None::<Xterm>);
    let watch = StoredValue::new_local(None::<ResizeWatch>);
    let handle = StoredValue::new_local(None::<PtyHandle>);
    let resize_generation = StoredValue::new(0u32);
    let session_id = StoredValue::new(id.clone());

    let with_term = move |f: &dyn Fn(&Xterm)| {
        term.try_with_value(|t| t.as_ref().map(f));
    };
    let attached = move || handle.try_get_value().flatten();
    let show_notice = move |text: String| {
        notice.set(Some(text.clone()));
        set_timeout(
            move || {
                notice.update(|n| {
                    if n.as_deref() == Some(text.as_str()) {
                        *n = None
                    }
                })
            },
            NOTICE_FOR,
        );
    };

    // Resizes the PTY to `cols`×`rows` once the size has settled.
    let resize_pty = move |cols: u16, rows: u16| {
        let generation = resize_generation.get_value().wrapping_add(1);
        resize_generation.set_value(generation);
        set_timeout(
            move || {
                if resize_generation.try_get_value() != Some(generation) {
                    return;
                }
                let Some(h) = attached() else { return };
                spawn_local(async move {
                    match h.resize(cols, rows).await {
                        Ok(info) => size.set(Some((info.cols, info.rows))),
                        // An exited shell cannot be resized; its status says so already.
                        Err(e) if h.state() == PtyState::Connected => {
                            show_notice(format!("Resize failed: {}", describe(&e)))
                        }
                        Err(_) => {}
                    }
                });
            },
            RESIZE_DEBOUNCE,
        );
    };

    // Creates or attaches to the session and keeps the handle.
    let connect = move |create: bool| {
        if let Some(old) = handle.try_update_value(Option::take).flatten() {
            old.disconnect();
        }
        state.set(PtyState::Connecting);
        let sandbox = match current.sandbox() {
            Ok(s) => s,
            Err(e) => return state.set(PtyState::Failed(describe(&e))),
        };
        let on_data: PtyDataFn = Rc::new(move |bytes| with_term(&|t| t.write(bytes)));
        let on_state: PtyStateFn = Rc::new(move |s| state.set(s.clone()));
        let id = session_id.get_value();
        let (cols, rows) = term.with_value(|t| t.as_ref().map(Xterm::size)).unwrap_or((80, 24));
        spawn_local(async move {
            let process = sandbox.process();
            let result = if create {
                let opts = PtyCreateOptions { id: Some(id), cols: Some(cols), rows: Some(rows), ..Default::default() };
                process.create_pty(opts, on_data, Some(on_state)).await
            } else {
                process.connect_pty(&id, on_data, Some(on_state)).await
            };
            match result {
                Ok(h) => {
                    // The pane may have gone while connecting.
                    if let Some(Some(h)) = handle.try_set_value(Some(h)) {
                        h.disconnect();
                        return;
                    }
                    if create {
                        size.set(Some((cols, rows)));
                    } else if let Some(Some((cols, rows))) = term.try_with_value(|t| t.as_ref().map(Xterm::size)) {
                        // The session may have another size from an earlier screen.
                        resize_pty(cols, rows);
                    }
                    with_term(&Xterm::focus);
                    let Some(id) = session_id.try_get_value() else { return };
                    if let Ok(i) = process.get_pty_session_info(&id).await {
                        let _ = info.try_set(Some((i.cwd, i.created_at)));
                    }
                }
                Err(e) => state.set(PtyState::Failed(describe(&e))),
            }
        });
    };

    let copy = move || {
        let Some(text) = term.with_value(|t| t.as_ref().and_then(Xterm::selection)) else {
            return show_notice("Select text in the terminal first".into());
        };
        let promise = window().navigator().clipboard().write_text(&text);
        spawn_local(async move {
            let ok = JsFuture::from(promise).await.is_ok();
            show_notice(if ok { "Copied" } else { "Copy failed: no clipboard access" }.into());
        });
    };
    let paste = move || {
        let promise = window().navigator().clipboard().read_text();
        spawn_local(async move {
            match JsFuture::from(promise).await.ok().and_then(|v| v.as_string()) {
                Some(text) => with_term(&|t| {
                    t.paste(&text);
                    t.focus();
                }),
                None => show_notice("Paste failed: no clipboard access (try Ctrl+Shift+V)".into()),
            }
        });
    };
    // Ctrl+Shift+C copies; Ctrl+Shift+V is left to the browser, whose paste event xterm reads.
    let clipboard_keys = move |ev: &KeyboardEvent| {
        if !(ev.ctrl_key() && ev.shift_key()) {
            return false;
        }
        match ev.key().to_lowercase().as_str() {
            "c" => {
                if ev.type_() == "keydown" {
                    copy();
                }
                true
            }
            "v" => true,
            _ => false,
        }
    };

    let attach = move |xterm: &mut Xterm| {
        xterm.on_input(move |text| {
            if let Some(h) = attached() {
                spawn_local(async move {
                    // Typing while disconnected goes nowhere; the status line shows why.
                    let _ = h.send_input(text.as_bytes()).await;
                });
            }
        });
        xterm.on_resize(resize_pty);
        xterm.intercept_keys(clipboard_keys);
    };

    host.on_load(move |el| {
        let px = font_size.get_untracked();
        spawn_local(async move {
            let opened = Xterm::open(&el, px).await;
            // The pane may have been closed while xterm.js loaded.
            if term.is_disposed() {
                return;
            }
            let mut xterm = match opened {
                Ok(x) => x,
                Err(e) => {
                    let why = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message()));
                    return show_notice(format!("The terminal could not load: {}", why.unwrap_or_default()));
                }
            };
            attach(&mut xterm);
            term.set_value(Some(xterm));
            watch.set_value(ResizeWatch::new(&el, move || with_term(&Xterm::fit)));
            connect(create);
        });
    });
    Effect::watch(move || font_size.get(), move |px, _, _| with_term(&|t| t.set_font_size(*px)), false);
    on_cleanup(move || {
        if let Some(h) = handle.try_get_value().flatten() {
            h.disconnect();
        }
    });

    let ended = move || matches!(state.get(), PtyState::Exited(_) | PtyState::Failed(_) | PtyState::Disconnected);
    let exited = move || matches!(state.get(), PtyState::Exited(_));
    view! {
        <div class="term-pane" data-pty=id data-state=move || state.get().as_str()>
            <div class="term-host" node_ref=host></div>
            <div class="term-bar">
                <span class=move || format!("term-state tone-{}", status::tone(&state.get()))>
                    <span class="badge-dot"></span>
                    {move || status::label(&state.get())}
                </span>
                <span class="term-info" title="The shell's working folder and start">
                    {move || info.get().map(|(cwd, at)| view! { {cwd} " · started " <RelativeTime iso=Some(at)/> })}
                </span>
                <span class="term-size" title="Columns × rows of the PTY">
                    {move || size.get().map(|(c, r)| format!("{c}×{r}"))}
                </span>
                <span class="term-notice" role="status">{move || notice.get()}</span>
                <span class="spacer"></span>
                <Show when=move || ended() && !exited()>
                    <button type="button" class="btn btn-small" on:click=move |_| connect(false)>"Reconnect"</button>
                </Show>
                <Show when=exited>
                    <button type="button" class="btn btn-small" on:click=move |_| on_close.run(())>"Close tab"</button>
                </Show>
                <button type="button" class="btn btn-small btn-dark" title="Copy the selection (Ctrl+Shift+C)" on:click=move |_| copy()>
                    "Copy"
                </button>
                <button type="button" class="btn btn-small btn-dark" title="Paste (Ctrl+Shift+V)" on:click=move |_| paste()>
                    "Paste"
                </button>
            </div>
        </div>
    }
}
