//! Live updates: the control plane's event socket (sandbox creations and state changes as
//! they happen), reconnected after a pause while the page that asked for it is open.

use std::time::Duration;

use daytona_wasm::SandboxEvent;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;

use crate::connection::use_connection;

/// Pause before connecting again after the socket closed or could not open.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Calls `on_event` for every event of the control plane while the calling component lives
/// (sandbox events decoded; a snapshot's or a volume's by name); `live` says whether the
/// socket is connected (pages keep polling as the fallback).
pub fn use_sandbox_events(live: RwSignal<bool>, on_event: impl Fn(&SandboxEvent) + 'static) {
    let conn = use_connection();
    spawn_local_scoped_with_cancellation(async move {
        loop {
            if let Ok(daytona) = conn.with_untracked(|c| c.client()) {
                if let Ok(mut events) = daytona.events().await {
                    live.set(true);
                    while let Some(event) = events.next().await {
                        on_event(&event);
                    }
                    live.set(false);
                }
            }
            gloo_timers::future::sleep(RETRY_AFTER).await;
        }
    });
}

/// Calls `reload` whenever the event socket tells of a change to a thing of `kind`
/// (`snapshot`, `volume`: the prefix of its events' names) while the calling component lives.
/// Reloads too whenever the socket (re)connects: what changed while it was down told nobody.
pub fn reload_on_events_of(kind: &'static str, reload: impl Fn() + Clone + 'static) {
    let live = RwSignal::new(false);
    let on_connect = reload.clone();
    Effect::watch(
        move || live.get(),
        move |connected, _, _| {
            if *connected {
                on_connect()
            }
        },
        false,
    );
    use_sandbox_events(live, move |event| {
        if let SandboxEvent::Other(name) = event {
            if name.strip_prefix(kind).is_some_and(|rest| rest.starts_with('.')) {
                reload();
            }
        }
    });
}
