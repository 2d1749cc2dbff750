//! Lifecycle actions in flight, per sandbox: what is running and what failed, so rows,
//! the bulk bar and the detail page show spinners and inline errors.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::connection::{use_connection, Connection};
use crate::errors::describe;
use crate::lifecycle::Action;

/// The status of the last action on one sandbox.
#[derive(Clone, Debug, PartialEq)]
pub enum OpStatus {
    /// The action is running.
    Running(Action),
    /// The action failed with this message.
    Failed(String),
}

/// Tracks actions per sandbox id and runs new ones (make one with [`use_operations`]).
#[derive(Clone, Copy)]
pub struct Operations {
    conn: RwSignal<Connection>,
    status: RwSignal<HashMap<String, OpStatus>>,
    settled: RwSignal<Option<(String, Action)>>,
}

/// A new, empty tracker using the current connection (call in a component body).
pub fn use_operations() -> Operations {
    Operations { conn: use_connection(), status: RwSignal::new(HashMap::new()), settled: RwSignal::new(None) }
}

impl Operations {
    /// The sandbox id and action that ended last, either way (reactive: track it to
    /// reload after actions).
    pub fn last_settled(&self) -> Option<(String, Action)> {
        self.settled.get()
    }

    /// The status of sandbox `id` (reactive).
    pub fn status(&self, id: &str) -> Option<OpStatus> {
        self.status.with(|m| m.get(id).cloned())
    }

    /// Whether an action is running on sandbox `id` (reactive).
    pub fn is_running(&self, id: &str) -> bool {
        matches!(self.status(id), Some(OpStatus::Running(_)))
    }

    /// Forgets the error shown for sandbox `id`.
    pub fn dismiss(&self, id: &str) {
        self.status.update(|m| {
            m.remove(id);
        });
    }

    /// Starts `action` on sandbox `id` unless one is already running there.
    pub fn run(&self, id: String, action: Action) {
        if self.status.with_untracked(|m| matches!(m.get(&id), Some(OpStatus::Running(_)))) {
            return;
        }
        let this = *self;
        let conn = self.conn.get_untracked();
        this.status.update(|m| {
            m.insert(id.clone(), OpStatus::Running(action));
        });
        spawn_local(async move {
            let result = match conn.client() {
                Ok(daytona) => action.run(&daytona, &id).await,
                Err(e) => Err(e),
            };
            // Only `update`/`set` here: they are no-ops if the page has gone meanwhile.
            this.status.update(|m| match result {
                Ok(()) => {
                    m.remove(&id);
                }
                Err(e) => {
                    m.insert(id.clone(), OpStatus::Failed(format!("{} failed: {}", action.label(), describe(&e))));
                }
            });
            this.settled.set(Some((id, action)));
        });
    }
}
