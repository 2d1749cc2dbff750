//! An async SDK call as the UI sees it: whether it runs, and how it failed.

use std::future::Future;

use daytona_wasm::DaytonaError;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::errors::describe;

/// Busy flag and last error of one kind of action (a button, a dialog). Copy it freely.
#[derive(Clone, Copy)]
pub struct Task {
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    /// Counts starts, so a run can tell whether a newer one superseded it.
    generation: StoredValue<u32>,
}

impl Task {
    /// An idle task (call in a component body).
    pub fn new() -> Self {
        Self { busy: RwSignal::new(false), error: RwSignal::new(None), generation: StoredValue::new(0) }
    }

    /// Whether it is running (reactive).
    pub fn busy(&self) -> bool {
        self.busy.get()
    }

    /// Whether it is running, without subscribing (timers, event handlers).
    pub fn busy_untracked(&self) -> bool {
        self.busy.get_untracked()
    }

    /// The last failure, described for people (reactive).
    pub fn error(&self) -> Option<String> {
        self.error.get()
    }

    /// Forgets the last failure.
    pub fn clear(&self) {
        self.error.set(None);
    }

    /// Reports `message` as a failure without running anything.
    pub fn fail(&self, message: impl Into<String>) {
        self.error.set(Some(message.into()));
    }

    /// Runs `work` unless already running; `done` gets its value on success. Signals are
    /// only written afterwards, so a task whose component has gone is harmless.
    pub fn run<T: 'static>(
        &self,
        work: impl Future<Output = Result<T, DaytonaError>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        if !self.busy.get_untracked() {
            self.start(work, done);
        }
    }

    /// Runs `work` even if an earlier run is still going; that earlier run's outcome is then
    /// ignored (for loads whose input changed meanwhile).
    pub fn latest<T: 'static>(
        &self,
        work: impl Future<Output = Result<T, DaytonaError>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        self.start(work, done);
    }

    fn start<T: 'static>(
        &self,
        work: impl Future<Output = Result<T, DaytonaError>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        let this = *self;
        let generation = this.generation.get_value().wrapping_add(1);
        this.generation.set_value(generation);
        this.busy.set(true);
        this.error.set(None);
        spawn_local(async move {
            let outcome = work.await;
            if this.generation.try_get_value() != Some(generation) {
                return;
            }
            this.busy.set(false);
            match outcome {
                Ok(value) => done(value),
                Err(e) => this.error.set(Some(describe(&e))),
            }
        });
    }
}
