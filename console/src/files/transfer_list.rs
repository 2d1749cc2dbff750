//! The transfers of the Files tab, each with a progress bar and a cancel button.

use leptos::prelude::*;

use crate::files::context::use_files;
use crate::files::format::human_size;
use crate::files::transfers::{Direction, Status, Transfer};

/// Percent done, when it can be told.
fn percent(status: &Status, loaded: u64, total: Option<u64>) -> Option<u64> {
    match (status, total) {
        (Status::Done, _) => Some(100),
        (_, Some(t)) if t > 0 => Some((loaded.min(t) * 100) / t),
        _ => None,
    }
}

/// "moved / size": the file's size when known (with the request's progress scaled to it),
/// else the bytes the transfer reports.
fn bytes_label(size: Option<u64>, loaded: u64, total: Option<u64>, done: bool) -> String {
    match (size, total) {
        (Some(s), _) if done => format!("{} / {}", human_size(s), human_size(s)),
        (Some(s), Some(t)) if t > 0 => {
            let moved = (u128::from(loaded.min(t)) * u128::from(s) / u128::from(t)) as u64;
            format!("{} / {}", human_size(moved), human_size(s))
        }
        (Some(s), _) => human_size(s),
        (None, Some(t)) => format!("{} / {}", human_size(loaded.min(t)), human_size(t)),
        (None, None) if loaded > 0 => human_size(loaded),
        (None, None) => String::new(),
    }
}

/// The transfers list, shown while it has entries.
#[component]
pub fn TransferList() -> impl IntoView {
    let transfers = use_files().transfers;
    view! {
        <Show when=move || !transfers.list().is_empty()>
            <section class="card transfers" aria-label="Transfers">
                <header class="transfers-head">
                    <h2>"Transfers"</h2>
                    <span class="spacer"></span>
                    <Show when=move || transfers.any_active()>
                        <button type="button" class="btn btn-small" on:click=move |_| transfers.cancel_all()>"Cancel all"</button>
                    </Show>
                    <Show when=move || transfers.any_finished()>
                        <button type="button" class="btn btn-small btn-ghost" on:click=move |_| transfers.clear_finished()>
                            "Clear finished"
                        </button>
                    </Show>
                </header>
                <ul class="transfer-list">
                    <For each=move || transfers.list() key=|t| t.id children=move |t| view! { <TransferRow transfer=t/> }/>
                </ul>
            </section>
        </Show>
    }
}

/// One transfer: direction, path, bar, bytes, status and cancel.
#[component]
fn TransferRow(transfer: Transfer) -> impl IntoView {
    let transfers = use_files().transfers;
    let Transfer { id, direction, path, size, progress, status } = transfer;
    let pct = {
        let (progress, status) = (progress.clone(), status.clone());
        move || {
            let p = progress.get();
            status.with(|s| percent(s, p.loaded, p.total))
        }
    };
    let bytes = {
        let (progress, status) = (progress.clone(), status.clone());
        move || {
            let p = progress.get();
            status.with(|s| bytes_label(size, p.loaded, p.total, s == &Status::Done))
        }
    };
    let status_key = {
        let status = status.clone();
        move || match status.get() {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed(_) => "failed",
            Status::Cancelled => "cancelled",
        }
    };
    let status_text = {
        let status = status.clone();
        move || match status.get() {
            Status::Queued => "Queued".to_owned(),
            Status::Running if direction == Direction::Download => "Downloading…".into(),
            Status::Running => "Uploading…".into(),
            Status::Done => "Done".into(),
            Status::Failed(why) => format!("Failed: {why}"),
            Status::Cancelled => "Cancelled".into(),
        }
    };
    let finished = move || status.with(Status::is_finished);
    let indeterminate = {
        let (pct, status_key) = (pct.clone(), status_key.clone());
        move || pct().is_none() && status_key() == "running"
    };
    let (pct_now, pct_width, key_class) = (pct.clone(), pct, status_key.clone());
    let (data_path, title) = (path.clone(), path.clone());
    view! {
        <li class="transfer" data-status=status_key data-path=data_path>
            <span class="transfer-dir" title=if direction == Direction::Upload { "Upload" } else { "Download" }>
                {if direction == Direction::Upload { "↑" } else { "↓" }}
            </span>
            <span class="transfer-path mono" title=title>{path}</span>
            <div
                class="bar"
                class:indeterminate=indeterminate
                role="progressbar"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || pct_now().map(|p| p.to_string())
            >
                <div class="bar-fill" style=move || format!("width: {}%", pct_width().unwrap_or(0))></div>
            </div>
            <span class="transfer-bytes">{bytes}</span>
            <span class=move || format!("transfer-status status-{}", key_class())>{status_text}</span>
            <button
                type="button"
                class="btn-icon"
                aria-label="Cancel transfer"
                title="Cancel"
                disabled=finished
                on:click=move |_| transfers.cancel(id)
            >
                "×"
            </button>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_done() {
        assert_eq!(percent(&Status::Running, 50, Some(200)), Some(25));
        assert_eq!(percent(&Status::Running, 5, None), None);
        assert_eq!(percent(&Status::Done, 0, None), Some(100));
        assert_eq!(percent(&Status::Running, 300, Some(200)), Some(100));
    }

    #[test]
    fn bytes_scaled_to_the_file() {
        assert_eq!(bytes_label(Some(1000), 600, Some(1200), false), "500 B / 1000 B");
        assert_eq!(bytes_label(Some(2048), 0, None, true), "2.0 KB / 2.0 KB");
        assert_eq!(bytes_label(None, 512, Some(1024), false), "512 B / 1.0 KB");
        assert_eq!(bytes_label(None, 0, None, false), "");
    }
}
