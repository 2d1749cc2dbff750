//! File transfers (uploads and downloads): a queue running a few at a time, each transfer
//! with its own progress and its own `AbortController` to cancel it.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use daytona_wasm::{DaytonaError, TransferOptions, TransferProgress};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use crate::errors::describe;

/// Transfers running at once.
const PARALLEL: usize = 3;

/// Which way the bytes go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Direction {
    /// From this computer into the sandbox.
    Upload,
    /// From the sandbox onto this computer.
    Download,
}

/// Where a transfer is.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Waiting for a free slot.
    Queued,
    /// Moving bytes.
    Running,
    /// Finished.
    Done,
    /// Failed with this message.
    Failed(String),
    /// Cancelled by the user.
    Cancelled,
}

impl Status {
    /// Whether the transfer is over, one way or another.
    pub fn is_finished(&self) -> bool {
        matches!(self, Self::Done | Self::Failed(_) | Self::Cancelled)
    }
}

/// One transfer as the list shows it.
#[derive(Clone)]
pub struct Transfer {
    /// Unique within the page.
    pub id: u32,
    /// Upload or download.
    pub direction: Direction,
    /// The path in the sandbox.
    pub path: String,
    /// The file's size, when known before the transfer.
    pub size: Option<u64>,
    /// Bytes moved so far and the total, when known (an upload's request is a little
    /// larger than its file).
    pub progress: ArcRwSignal<TransferProgress>,
    /// Where it is.
    pub status: ArcRwSignal<Status>,
}

/// The work of one transfer, given its options (progress callback and abort signal).
type Job = Box<dyn FnOnce(TransferOptions) -> Pin<Box<dyn Future<Output = Result<(), DaytonaError>>>>>;

/// The transfers of a page. Copy it freely.
#[derive(Clone, Copy)]
pub struct Transfers {
    list: RwSignal<Vec<Transfer>>,
    queue: StoredValue<VecDeque<(u32, Job)>, LocalStorage>,
    running: StoredValue<HashMap<u32, AbortController>, LocalStorage>,
    next_id: StoredValue<u32>,
    drained: RwSignal<u32>,
}

impl Transfers {
    /// No transfers yet (call in a component body).
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            queue: StoredValue::new_local(VecDeque::new()),
            running: StoredValue::new_local(HashMap::new()),
            next_id: StoredValue::new(0),
            drained: RwSignal::new(0),
        }
    }

    /// Every transfer, oldest first (reactive).
    pub fn list(&self) -> Vec<Transfer> {
        self.list.get()
    }

    /// Counts the times the queue ran empty (reactive: track it to refresh after uploads).
    pub fn drained(&self) -> u32 {
        self.drained.get()
    }

    /// Whether some transfer is queued or running (reactive).
    pub fn any_active(&self) -> bool {
        self.list.with(|l| l.iter().any(|t| !t.status.with(Status::is_finished)))
    }

    /// Whether some transfer is over (reactive).
    pub fn any_finished(&self) -> bool {
        self.list.with(|l| l.iter().any(|t| t.status.with(Status::is_finished)))
    }

    /// Queues a transfer of `path` (`size` bytes, if known) that `job` performs.
    pub fn add<F>(
        &self,
        direction: Direction,
        path: String,
        size: Option<u64>,
        job: impl FnOnce(TransferOptions) -> F + 'static,
    ) where
        F: Future<Output = Result<(), DaytonaError>> + 'static,
    {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.list.update(|l| {
            l.push(Transfer {
                id,
                direction,
                path,
                size,
                progress: ArcRwSignal::new(TransferProgress { loaded: 0, total: None }),
                status: ArcRwSignal::new(Status::Queued),
            })
        });
        let job: Job = Box::new(move |opts| Box::pin(job(opts)) as Pin<Box<dyn Future<Output = _>>>);
        self.queue.update_value(|q| q.push_back((id, job)));
        self.pump();
    }

    /// Cancels transfer `id`: a queued one never starts, a running one is aborted.
    pub fn cancel(&self, id: u32) {
        let was_queued = self
            .queue
            .try_update_value(|q| {
                let before = q.len();
                q.retain(|(queued, _)| *queued != id);
                q.len() != before
            })
            .unwrap_or(false);
        if was_queued {
            if let Some(t) = self.find(id) {
                t.status.set(Status::Cancelled);
            }
        } else if let Some(Some(controller)) = self.running.try_with_value(|r| r.get(&id).cloned()) {
            controller.abort();
        }
    }

    /// Cancels every transfer not yet over.
    pub fn cancel_all(&self) {
        let ids: Vec<u32> = self.list.with_untracked(|l| l.iter().map(|t| t.id).collect());
        ids.into_iter().for_each(|id| self.cancel(id));
    }

    /// Removes the transfers that are over from the list.
    pub fn clear_finished(&self) {
        self.list.update(|l| l.retain(|t| !t.status.with_untracked(Status::is_finished)));
    }

    fn find(&self, id: u32) -> Option<Transfer> {
        self.list.try_with_untracked(|l| l.iter().find(|t| t.id == id).cloned()).flatten()
    }

    fn idle(&self) -> bool {
        self.queue.try_with_value(VecDeque::is_empty).unwrap_or(true)
            && self.running.try_with_value(HashMap::is_empty).unwrap_or(true)
    }

    /// Starts queued transfers while slots are free.
    fn pump(&self) {
        while self.running.try_with_value(HashMap::len).is_some_and(|n| n < PARALLEL) {
            let Some(Some((id, job))) = self.queue.try_update_value(VecDeque::pop_front) else {
                return;
            };
            let Some(transfer) = self.find(id) else {
                continue;
            };
            let Ok(controller) = AbortController::new() else {
                transfer.status.set(Status::Failed("this browser cannot cancel transfers".into()));
                continue;
            };
            let progress = transfer.progress.clone();
            let opts = TransferOptions {
                on_progress: Some(Rc::new(move |p| progress.set(p))),
                signal: Some(controller.signal()),
                timeout: None,
            };
            self.running.update_value(|r| {
                r.insert(id, controller);
            });
            transfer.status.set(Status::Running);
            let this = *self;
            spawn_local(async move {
                let outcome = job(opts).await;
                this.running.try_update_value(|r| r.remove(&id));
                transfer.status.set(match outcome {
                    Ok(()) => {
                        transfer.progress.update(|p| p.loaded = p.total.unwrap_or(p.loaded).max(p.loaded));
                        Status::Done
                    }
                    Err(DaytonaError::Aborted(_)) => Status::Cancelled,
                    Err(e) => Status::Failed(describe(&e)),
                });
                this.pump();
                if this.idle() {
                    this.drained.update(|n| *n += 1);
                }
            });
        }
    }
}
