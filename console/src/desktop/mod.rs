//! `/sandboxes/:id/desktop`: the sandbox's desktop (computer use). Start and stop it; watch
//! and drive it live over noVNC (loaded when this tab first opens), with view-only, Ctrl+Alt+Del,
//! clipboard both ways, full screen and automatic reconnects; or in screenshot mode, where
//! compressed screenshots refresh and clicks and keys on the image become computer-use calls
//! (for when VNC is unwanted). The accessibility tree of its applications (see [`a11y`]),
//! recordings (start, stop, play in the page, download) and the desktop's processes with their
//! logs.

mod a11y;
mod vnc;

use std::time::Duration;

use daytona_wasm::models::{MouseClickRequest, Recording, ScreenshotQuery};
use daytona_wasm::{screenshot_blob, TransferOptions};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Url;

use crate::components::error_alert::ErrorAlert;
use crate::components::requires_started::RequiresStarted;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::files::download::save_blob;
use crate::polling::use_interval;
use crate::task::Task;
use vnc::{Vnc, VncEvent};

/// The port noVNC's WebSocket bridge listens on in the sandbox.
const NOVNC_PORT: u16 = 6080;
/// How often the status (and processes) are read while the tab is open.
const STATUS_PERIOD: Duration = Duration::from_secs(3);
/// How often screenshot mode refreshes the image.
const SHOT_PERIOD: Duration = Duration::from_millis(700);
/// Reconnects after an unexpected disconnect before giving up.
const RECONNECTS: u32 = 5;
/// Where the choice to resize the desktop to the view is kept (`1` or `0`).
const FIT_KEY: &str = "daytona.desktop.resize";
/// The desktop's processes, by Daytona's names.
const PROCESSES: [&str; 4] = ["xvfb", "xfce4", "x11vnc", "novnc"];

/// The Desktop tab.
#[component]
pub fn DesktopTab() -> impl IntoView {
    view! {
        <RequiresStarted feature="The desktop">
            <Desktop/>
        </RequiresStarted>
    }
}

/// How the desktop is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// noVNC.
    Live,
    /// Refreshing screenshots.
    Screenshots,
}

#[component]
fn Desktop() -> impl IntoView {
    let current = use_current_sandbox();
    let status = RwSignal::new(None::<String>);
    let lifecycle = Task::new();
    let mode = RwSignal::new(Mode::Live);
    let view_only = RwSignal::new(false);
    let fit = RwSignal::new(crate::storage::get(FIT_KEY).as_deref() == Some("1"));
    let link = RwSignal::new("not connected".to_owned());
    let remote_clip = RwSignal::new(String::new());
    let local_clip = RwSignal::new(String::new());
    let vnc = StoredValue::new_local(None::<Vnc>);
    let reconnects = StoredValue::new(0u32);
    let dropped = StoredValue::new(false);
    let screen = NodeRef::<html::Div>::new();
    let stage = NodeRef::<html::Div>::new();
    let highlight = RwSignal::new(None::<String>);
    let active = move || status.get().as_deref() == Some("active");

    let refresh = move || {
        spawn_local(async move {
            let Ok(sb) = current.sandbox() else { return };
            if let Ok(s) = sb.computer_use().get_status().await {
                status.set(Some(s.status));
            }
        })
    };
    refresh();
    use_interval(STATUS_PERIOD, refresh);

    // The live view: connected while the desktop is active and the mode is Live.
    let connect = move || {
        spawn_local(async move {
            let (Ok(sb), Some(target)) = (current.sandbox(), screen.get_untracked()) else { return };
            link.set("connecting…".into());
            let preview = match sb.get_preview_link(NOVNC_PORT).await {
                Ok(p) => p,
                Err(e) => return link.set(format!("no preview of port {NOVNC_PORT}: {e}")),
            };
            let ws = format!(
                "{}/websockify?{}={}",
                preview.url.replacen("http", "ws", 1).trim_end_matches('/'),
                daytona_wasm::models::SANDBOX_TOKEN_QUERY,
                preview.token
            );
            let on_event = move |e: VncEvent| match e {
                VncEvent::Connected => {
                    reconnects.set_value(0);
                    link.set("connected".into());
                }
                VncEvent::Clipboard(text) => remote_clip.set(text),
                VncEvent::Disconnected { clean } => {
                    link.set("disconnected".into());
                    dropped.set_value(!clean);
                }
            };
            match Vnc::connect(&target, &ws, on_event).await {
                Ok(v) => {
                    // The tab may be gone meanwhile: then `v` is dropped (disconnected) here.
                    v.set_view_only(view_only.try_get_untracked().unwrap_or(false));
                    v.set_resize_remote(fit.try_get_untracked().unwrap_or(false));
                    vnc.set_value(Some(v));
                }
                Err(e) => link.set(e),
            }
        })
    };
    Effect::new(move |_| {
        let want = active() && mode.get() == Mode::Live;
        let has = vnc.with_value(Option::is_some);
        match (want, has) {
            (true, false) => connect(),
            (false, true) => {
                vnc.set_value(None);
                link.set("not connected".into());
            }
            _ => {}
        }
    });
    // A connection that dropped unasked is made again a second later, a few times.
    use_interval(Duration::from_secs(1), move || {
        let want = status.get_untracked().as_deref() == Some("active") && mode.get_untracked() == Mode::Live;
        let tries = reconnects.get_value();
        if want && dropped.get_value() && tries < RECONNECTS {
            dropped.set_value(false);
            reconnects.set_value(tries + 1);
            vnc.set_value(None);
            link.set(format!("reconnecting ({}/{RECONNECTS})…", tries + 1));
            connect();
        }
    });
    Effect::new(move |_| {
        let on = view_only.get();
        vnc.with_value(|v| {
            if let Some(v) = v {
                v.set_view_only(on)
            }
        });
    });
    Effect::watch(
        move || fit.get(),
        move |on, _, _| {
            crate::storage::set(FIT_KEY, if *on { "1" } else { "0" });
            vnc.with_value(|v| {
                if let Some(v) = v {
                    v.set_resize_remote(*on)
                }
            });
        },
        false,
    );
    on_cleanup(move || vnc.set_value(None));

    let start = move |_| {
        let Ok(sb) = current.sandbox() else { return };
        lifecycle.run(async move { sb.computer_use().start().await }, move |_| status.set(Some("active".into())));
    };
    let stop = move |_| {
        let Ok(sb) = current.sandbox() else { return };
        vnc.set_value(None);
        lifecycle.run(async move { sb.computer_use().stop().await }, move |_| status.set(Some("inactive".into())));
    };
    let full_screen = move |_| {
        if let Some(el) = screen.get_untracked() {
            let _ = el.request_fullscreen();
        }
    };

    view! {
        <div class="desktop">
            <section class="card desktop-bar">
                <span class="desktop-status" data-status=move || status.get().unwrap_or_default()>
                    {move || match status.get() {
                        None => "checking…".to_owned(),
                        Some(s) => format!("Desktop {s}"),
                    }}
                </span>
                <Show
                    when=active
                    fallback=move || view! {
                        <button class="btn btn-primary" on:click=start disabled=move || lifecycle.busy()>
                            {move || if lifecycle.busy() { "Starting…" } else { "Start desktop" }}
                        </button>
                    }
                >
                    <button class="btn" on:click=stop disabled=move || lifecycle.busy()>"Stop desktop"</button>
                </Show>
                {move || lifecycle.busy().then(|| view! { <Spinner/> })}
                <div class="segmented" role="group" aria-label="View">
                    <button class="btn btn-small" aria-pressed=move || (mode.get() == Mode::Live).to_string()
                        on:click=move |_| mode.set(Mode::Live)>"Live"</button>
                    <button class="btn btn-small" aria-pressed=move || (mode.get() == Mode::Screenshots).to_string()
                        on:click=move |_| mode.set(Mode::Screenshots)>"Screenshots"</button>
                </div>
                <Show when=move || mode.get() == Mode::Live>
                    <label class="check">
                        <input type="checkbox" prop:checked=view_only on:change=move |ev| view_only.set(event_target_checked(&ev))/>
                        "View only"
                    </label>
                    <label class="check" title="Resize the sandbox's display to this view (screenshots and recordings follow it)">
                        <input type="checkbox" prop:checked=fit on:change=move |ev| fit.set(event_target_checked(&ev))/>
                        "Resize desktop to view"
                    </label>
                    <button class="btn btn-small" on:click=move |_| vnc.with_value(|v| if let Some(v) = v { v.ctrl_alt_del() })>
                        "Ctrl+Alt+Del"
                    </button>
                    <span class="muted desktop-link" data-link=move || link.get()>{move || link.get()}</span>
                </Show>
                <button class="btn btn-small" on:click=full_screen>"Full screen"</button>
            </section>
            <ErrorAlert error=Signal::derive(move || lifecycle.error())/>
            <div class="desktop-stage" node_ref=stage>
                <div class="desktop-screen" node_ref=screen hidden=move || mode.get() != Mode::Live || !active()></div>
                {move || (mode.get() == Mode::Live && active()).then(|| highlight.get()).flatten().map(|style| view! {
                    <div class="a11y-outline" style=style aria-hidden="true"></div>
                })}
            </div>
            <Show when=move || mode.get() == Mode::Live && status.get().is_some() && !active()>
                <section class="card empty">
                    <p class="muted">"The desktop is not running. Start it to see and use it here."</p>
                </section>
            </Show>
            <Show when=move || mode.get() == Mode::Screenshots>
                <ScreenshotView active=Signal::derive(active)/>
            </Show>
            <Show when=move || mode.get() == Mode::Live && active()>
                <section class="card desktop-clipboard">
                    <h2>"Clipboard"</h2>
                    <label>"From the desktop" <textarea readonly rows="2" prop:value=remote_clip></textarea></label>
                    <label>"To the desktop"
                        <textarea rows="2" prop:value=local_clip on:input=move |ev| local_clip.set(event_target_value(&ev))></textarea>
                    </label>
                    <button class="btn btn-small" on:click=move |_| {
                        let text = local_clip.get_untracked();
                        vnc.with_value(|v| if let Some(v) = v { v.paste(&text); v.focus() });
                    }>"Send"</button>
                </section>
            </Show>
            <Show when=active>
                <a11y::Accessibility active=Signal::derive(active) stage highlight/>
            </Show>
            <Recordings active=Signal::derive(active)/>
            <Processes active=Signal::derive(active)/>
        </div>
    }
}

/// Screenshot mode: a compressed screenshot refreshed while the desktop runs; clicks and keys
/// on it are sent as mouse and keyboard calls.
#[component]
fn ScreenshotView(active: Signal<bool>) -> impl IntoView {
    let current = use_current_sandbox();
    let url = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = StoredValue::new(false);
    let img = NodeRef::<html::Img>::new();
    let take = move || {
        if !active.get_untracked() || busy.get_value() {
            return;
        }
        let Ok(sb) = current.sandbox() else { return };
        busy.set_value(true);
        spawn_local(async move {
            let q = ScreenshotQuery { format: Some("jpeg".into()), quality: Some(70), ..Default::default() };
            let shot = sb.computer_use().screenshot().take_compressed(&q).await;
            busy.set_value(false);
            match shot.and_then(|s| screenshot_blob(&s)) {
                Ok(blob) => {
                    if let Ok(next) = Url::create_object_url_with_blob(&blob) {
                        if let Some(old) = url.try_get_untracked().flatten() {
                            let _ = Url::revoke_object_url(&old);
                        }
                        url.set(Some(next));
                        error.set(None);
                    }
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    take();
    use_interval(SHOT_PERIOD, take);
    on_cleanup(move || {
        if let Some(old) = url.get_untracked() {
            let _ = Url::revoke_object_url(&old);
        }
    });
    // Clicks and keys are sent one call after the other, in the order they happened (runs of
    // characters as one `type`): a key typed right after a click reaches the window the click
    // chose, however slow the calls are.
    let keys = StoredValue::new_local(std::collections::VecDeque::<Key>::new());
    let sending = StoredValue::new(false);
    let drain = move || {
        let Ok(sb) = current.sandbox() else { return };
        sending.set_value(true);
        spawn_local(async move {
            let cu = sb.computer_use();
            while let Some(next) = keys.try_update_value(|q| q.pop_front()).flatten() {
                let clicked = matches!(next, Key::Click(_));
                let sent = match next {
                    Key::Click(req) => cu.mouse().click(&req).await.map(drop),
                    // xdotool's own pace between characters (a delay of 0 can drop keys).
                    Key::Text(text) => cu.keyboard().type_text(&text, None).await,
                    Key::Press(name, mods) => cu.keyboard().press(&name, &mods).await,
                };
                match sent {
                    Err(e) => error.set(Some(e.to_string())),
                    Ok(()) if clicked => take(),
                    Ok(()) => {}
                }
            }
            sending.set_value(false);
        });
    };
    let send = move |next: Key| {
        keys.update_value(|q| match (q.back_mut(), next) {
            (Some(Key::Text(run)), Key::Text(more)) => run.push_str(&more),
            (_, next) => q.push_back(next),
        });
        if !sending.get_value() {
            drain();
        }
    };
    let click = move |ev: web_sys::MouseEvent| {
        let Some(el) = img.get_untracked() else { return };
        let scale = |offset: i32, shown: u32, natural: u32| {
            (f64::from(offset) * f64::from(natural) / f64::from(shown.max(1))) as i32
        };
        let x = scale(ev.offset_x(), el.client_width() as u32, el.natural_width());
        let y = scale(ev.offset_y(), el.client_height() as u32, el.natural_height());
        let button = match ev.button() {
            1 => "middle",
            2 => "right",
            _ => "left",
        };
        let req = MouseClickRequest {
            x,
            y,
            button: Some(button.into()),
            double: Some(ev.detail() == 2),
            ..Default::default()
        };
        let _ = el.focus();
        send(Key::Click(req));
    };
    let key = move |ev: web_sys::KeyboardEvent| {
        let name = ev.key();
        if ["Control", "Alt", "Shift", "Meta"].contains(&name.as_str()) {
            return;
        }
        ev.prevent_default();
        let mods: Vec<&'static str> = [(ev.ctrl_key(), "ctrl"), (ev.alt_key(), "alt"), (ev.meta_key(), "super")]
            .into_iter()
            .filter_map(|(on, m)| on.then_some(m))
            .collect();
        let next = match (name.chars().count(), mods.is_empty()) {
            (1, true) => Key::Text(name),
            (1, false) => Key::Press(name.to_lowercase(), mods),
            _ => Key::Press(x_key(&name).to_owned(), mods),
        };
        send(next);
    };
    view! {
        <ErrorAlert error=error/>
        <div class="desktop-shot">
            <img node_ref=img tabindex="0" alt="The desktop (click and type here)"
                src=move || url.get().unwrap_or_default() hidden=move || url.with(Option::is_none)
                on:mousedown=|ev: web_sys::MouseEvent| ev.prevent_default()
                on:click=click on:contextmenu=move |ev: web_sys::MouseEvent| { ev.prevent_default(); click(ev) }
                on:keydown=key/>
            {move || url.with(Option::is_none).then(|| view! {
                <p class="muted">{move || if active.get() { "Taking a screenshot…" } else { "Start the desktop to see it." }}</p>
            })}
        </div>
    }
}

/// A click or keystroke of screenshot mode, queued.
enum Key {
    /// A mouse click.
    Click(MouseClickRequest),
    /// Characters typed as they are.
    Text(String),
    /// A key (X name) with modifiers.
    Press(String, Vec<&'static str>),
}

/// The X key name for a browser `KeyboardEvent.key` that is not a character.
fn x_key(key: &str) -> &str {
    match key {
        "Enter" => "Return",
        "Backspace" => "BackSpace",
        "ArrowUp" => "Up",
        "ArrowDown" => "Down",
        "ArrowLeft" => "Left",
        "ArrowRight" => "Right",
        "PageUp" => "Page_Up",
        "PageDown" => "Page_Down",
        " " => "space",
        other => other,
    }
}

/// Recordings: start and stop, the list, play in the page, download.
#[component]
fn Recordings(active: Signal<bool>) -> impl IntoView {
    let current = use_current_sandbox();
    let list = RwSignal::new(Vec::<Recording>::new());
    let task = Task::new();
    let playing = RwSignal::new(None::<String>);
    let load = move || {
        let Ok(sb) = current.sandbox() else { return };
        task.latest(async move { sb.computer_use().recording().list().await }, move |all| list.set(all.recordings));
    };
    load();
    let recording = move || list.with(|l| l.iter().find(|r| r.status == "recording").map(|r| r.id.clone()));
    let start = move |_| {
        let Ok(sb) = current.sandbox() else { return };
        task.run(async move { sb.computer_use().recording().start(Some("console")).await }, move |_| load());
    };
    let stop = move |_| {
        let (Ok(sb), Some(id)) = (current.sandbox(), recording()) else { return };
        task.run(async move { sb.computer_use().recording().stop(&id).await }, move |_| load());
    };
    let fetch = move |id: String, play: bool| {
        let Ok(sb) = current.sandbox() else { return };
        task.run(
            async move {
                let blob = sb.computer_use().recording().download(&id, &TransferOptions::default()).await?;
                Ok((id, blob))
            },
            move |(id, blob)| match play {
                true => {
                    if let Some(old) = playing.try_get_untracked().flatten() {
                        let _ = Url::revoke_object_url(&old);
                    }
                    playing.set(Url::create_object_url_with_blob(&blob).ok());
                }
                false => {
                    let _ = save_blob(&blob, &format!("{id}.mp4"));
                }
            },
        );
    };
    view! {
        <section class="card desktop-recordings">
            <h2>"Recordings"</h2>
            <div class="row">
                <Show
                    when=move || recording().is_some()
                    fallback=move || view! {
                        <button class="btn btn-small" on:click=start disabled=move || !active.get() || task.busy()>"Start recording"</button>
                    }
                >
                    <button class="btn btn-small btn-danger" on:click=stop disabled=move || task.busy()>"Stop recording"</button>
                    <span class="rec-dot" aria-label="recording"></span>
                </Show>
                <button class="btn btn-small" on:click=move |_| load()>"Refresh"</button>
            </div>
            <ErrorAlert error=Signal::derive(move || task.error())/>
            <table class="table">
                <thead><tr><th>"Name"</th><th>"Started"</th><th>"Length"</th><th>"Size"</th><th></th></tr></thead>
                <tbody>
                    {move || list.get().into_iter().rev().map(|r| {
                        let (id, id2) = (r.id.clone(), r.id.clone());
                        let done = r.status == "completed";
                        view! {
                            <tr data-recording=r.id.clone()>
                                <td>{r.file_name.clone()}</td>
                                <td>{r.start_time.clone()}</td>
                                <td>{r.duration_seconds.map(|d| format!("{d:.1} s")).unwrap_or_else(|| r.status.clone())}</td>
                                <td>{r.size_bytes.map(|b| format!("{:.1} MB", b as f64 / 1e6)).unwrap_or_default()}</td>
                                <td>
                                    <button class="btn btn-small" disabled=!done on:click=move |_| fetch(id.clone(), true)>"Play"</button>
                                    <button class="btn btn-small" disabled=!done on:click=move |_| fetch(id2.clone(), false)>"Download"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || playing.get().map(|src| view! { <video class="desktop-video" controls autoplay src=src></video> })}
        </section>
    }
}

/// The desktop's processes: running or not, restart, and their output.
#[component]
fn Processes(active: Signal<bool>) -> impl IntoView {
    let current = use_current_sandbox();
    let running = RwSignal::new(Vec::<(String, bool)>::new());
    let output = RwSignal::new(None::<(String, String)>);
    let task = Task::new();
    let load = move || {
        let Ok(sb) = current.sandbox() else { return };
        spawn_local(async move {
            let cu = sb.computer_use();
            let mut all = Vec::new();
            for name in PROCESSES {
                if let Ok(s) = cu.get_process_status(name).await {
                    all.push((name.to_owned(), s.running));
                }
            }
            running.set(all);
        });
    };
    Effect::new(move |_| {
        active.track();
        load();
    });
    let show = move |name: String| {
        let Ok(sb) = current.sandbox() else { return };
        task.run(
            async move {
                let cu = sb.computer_use();
                let logs = cu.get_process_logs(&name).await?.logs;
                let errors = cu.get_process_errors(&name).await?.errors;
                Ok((name, format!("{logs}{errors}")))
            },
            move |shown| output.set(Some(shown)),
        );
    };
    let restart = move |name: String| {
        let Ok(sb) = current.sandbox() else { return };
        task.run(async move { sb.computer_use().restart_process(&name).await }, move |_| load());
    };
    view! {
        <section class="card desktop-processes">
            <h2>"Processes"</h2>
            <ErrorAlert error=Signal::derive(move || task.error())/>
            <table class="table">
                <tbody>
                    {move || running.get().into_iter().map(|(name, on)| {
                        let (n1, n2) = (name.clone(), name.clone());
                        view! {
                            <tr>
                                <td>{name.clone()}</td>
                                <td>{if on { "running" } else { "stopped" }}</td>
                                <td>
                                    <button class="btn btn-small" on:click=move |_| show(n1.clone())>"Logs"</button>
                                    <button class="btn btn-small" on:click=move |_| restart(n2.clone())>"Restart"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || output.get().map(|(name, text)| view! {
                <h3>{format!("Output of {name}")}</h3>
                <pre class="desktop-log">{text}</pre>
            })}
        </section>
    }
}
