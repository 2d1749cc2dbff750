//! The ports a sandbox listens on, each with a link to its preview (`{port}-{id}.localhost`
//! on daytona-local, Daytona's proxy elsewhere), and a field to preview any other port.

use daytona_wasm::models::SandboxState;
use leptos::prelude::*;

use crate::components::error_alert::ErrorAlert;
use crate::components::field::select_all;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::task::Task;

/// Lists the TCP ports in LISTEN state of the sandbox's network namespace.
const LIST_PORTS: &str = "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null";

/// The listening ports in `/proc/net/tcp{,6}` text, sorted, without duplicates.
fn listening_ports(proc_net_tcp: &str) -> Vec<u16> {
    let mut ports: Vec<u16> = proc_net_tcp
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let local = fields.nth(1)?;
            let state = fields.nth(1)?;
            (state == "0A").then_some(())?;
            u16::from_str_radix(local.rsplit_once(':')?.1, 16).ok()
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// One port's preview link (the URL opens the preview already signed in).
#[derive(Clone, PartialEq)]
struct Preview {
    port: u16,
    shown: String,
    href: String,
    /// Added by hand (kept by a rescan that does not find it listening).
    by_hand: bool,
}

/// `found` merged into `all`, sorted by port: a scan (`rescan`) replaces what it scanned
/// before but keeps the ports added by hand; a port added by hand joins the list once.
fn merge(all: &mut Vec<Preview>, found: Vec<Preview>, rescan: bool) {
    if rescan {
        all.retain(|p| p.by_hand && !found.iter().any(|f| f.port == p.port));
    }
    for p in found {
        if !all.iter().any(|q| q.port == p.port) {
            all.push(p);
        }
    }
    all.sort_by_key(|p| p.port);
}

/// How long a shared (signed) preview link works.
const SHARE_SECONDS: u32 = 3600;

/// The "Ports" card of the overview.
#[component]
pub fn PortPreviews() -> impl IntoView {
    let current = use_current_sandbox();
    let previews = RwSignal::new(Vec::<Preview>::new());
    let scan = Task::new();
    let open = Task::new();
    let port = RwSignal::new(String::new());
    let started = move || current.state() == SandboxState::Started;

    let links = move |ports: Vec<u16>| async move {
        let sandbox = current.sandbox()?;
        let mut found = Vec::with_capacity(ports.len());
        for port in ports {
            let link = sandbox.get_preview_link(port).await?;
            let href = link.browser_url();
            found.push(Preview { port, shown: link.url, href, by_hand: false });
        }
        Ok(found)
    };
    let refresh = move || {
        scan.latest(
            async move {
                let output = current.sandbox()?.process().exec(LIST_PORTS, None, None, Some(10)).await?;
                links(listening_ports(&output.result)).await
            },
            // Ports added by hand stay (a server may listen only later, or elsewhere).
            move |found| previews.update(|all| merge(all, found, true)),
        );
    };
    // Scan when the sandbox starts (not on every other update of its data, such as an
    // interval being set, which would also drop the ports added by hand).
    Effect::new(move |was: Option<bool>| {
        let now = started();
        if now && was != Some(true) {
            refresh();
        }
        now
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(wanted) = port.get_untracked().trim().parse::<u16>().ok().filter(|p| *p > 0) else {
            return open.fail("A port is a number from 1 to 65535.");
        };
        open.run(links(vec![wanted]), move |found| {
            let by_hand = found.into_iter().map(|p| Preview { by_hand: true, ..p }).collect();
            previews.update(|all| merge(all, by_hand, false));
            port.set(String::new());
        });
    };

    // A signed preview URL to share: it opens the port alone, without credentials, for an hour.
    let share = Task::new();
    let shared = RwSignal::new(None::<(u16, String)>);
    let share_port = move |number: u16| {
        let Ok(sandbox) = current.sandbox() else { return };
        share.run(async move { sandbox.create_signed_preview_url(number, Some(SHARE_SECONDS)).await }, move |signed| {
            shared.set(Some((signed.port, signed.url)))
        });
    };

    view! {
        <section class="card ports">
            <h2>
                "Ports"
                <button
                    class="btn btn-small"
                    type="button"
                    title="Look for listening ports again"
                    disabled=move || !started() || scan.busy()
                    on:click=move |_| refresh()
                >
                    {move || if scan.busy() { view! { <Spinner/> }.into_any() } else { "Rescan".into_any() }}
                </button>
            </h2>
            <ErrorAlert error=Signal::derive(move || scan.error().or_else(|| open.error()))/>
            {move || {
                let list = previews.get();
                if !started() {
                    view! { <p class="muted">"Previews need a started sandbox."</p> }.into_any()
                } else if list.is_empty() {
                    view! { <p class="muted">"Nothing listens on a port yet. Start a server, then rescan."</p> }
                        .into_any()
                } else {
                    view! {
                        <ul class="port-list">
                            {list
                                .into_iter()
                                .map(|p| {
                                    let title = p.shown.clone();
                                    let number = p.port;
                                    view! {
                                        <li data-port=p.port>
                                            <span class="port mono">{p.port}</span>
                                            <a href=p.href target="_blank" rel="noopener noreferrer" class="mono" title=title>
                                                {p.shown}
                                            </a>
                                            <button
                                                class="btn btn-small"
                                                type="button"
                                                title="A link anyone can open for an hour, with no key or token"
                                                disabled=move || share.busy()
                                                on:click=move |_| share_port(number)
                                            >
                                                "Share link"
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <ErrorAlert error=Signal::derive(move || share.error())/>
            {move || shared.get().map(|(number, url)| view! {
                <p class="share-link" data-shared-port=number>
                    {format!("Anyone with this link can open port {number} for an hour: ")}
                    <input class="mono" readonly prop:value=url.clone() aria-label="Shared link" on:focus=select_all/>
                </p>
            })}
            <form class="inline-form" on:submit=add>
                <input
                    type="number"
                    min="1"
                    max="65535"
                    placeholder="Port"
                    aria-label="Port to preview"
                    prop:value=port
                    on:input=move |ev| port.set(event_target_value(&ev))
                />
                <button class="btn" type="submit" disabled=move || !started() || open.busy()>
                    "Preview port"
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(port: u16, by_hand: bool) -> Preview {
        Preview { port, shown: format!("p{port}"), href: String::new(), by_hand }
    }

    #[test]
    fn a_rescan_keeps_the_ports_added_by_hand_and_drops_closed_ones() {
        let mut all = vec![preview(3000, false), preview(9000, true)];
        merge(&mut all, vec![preview(8000, false)], true);
        let ports: Vec<(u16, bool)> = all.iter().map(|p| (p.port, p.by_hand)).collect();
        assert_eq!(ports, [(8000, false), (9000, true)], "3000 stopped listening; 9000 was added by hand");
        // Found listening later, a port added by hand is a scanned one again.
        merge(&mut all, vec![preview(8000, false), preview(9000, false)], true);
        assert_eq!(all.iter().map(|p| (p.port, p.by_hand)).collect::<Vec<_>>(), [(8000, false), (9000, false)]);
        // Adding a listed port again changes nothing.
        merge(&mut all, vec![preview(8000, true)], false);
        assert_eq!(all.len(), 2);
        assert!(!all[0].by_hand);
    }
}
