//! Lifecycle actions on a sandbox: which apply in which state, and how to run them.

use daytona_wasm::models::SandboxState;
use daytona_wasm::{Daytona, DaytonaError};

/// A lifecycle action offered on rows, in bulk and on the detail page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Start a stopped or archived sandbox, or resume a paused one.
    Start,
    /// Pause a running sandbox: everything it runs frozen, its memory kept.
    Pause,
    /// Stop a running or paused sandbox.
    Stop,
    /// Archive a stopped sandbox.
    Archive,
    /// Restart a sandbox in the `error` state.
    Recover,
    /// Delete the sandbox and its files.
    Delete,
}

impl Action {
    /// Every action, in button order.
    pub const ALL: [Action; 6] =
        [Action::Start, Action::Pause, Action::Stop, Action::Archive, Action::Recover, Action::Delete];

    /// Button text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Start => "Start",
            Self::Pause => "Pause",
            Self::Stop => "Stop",
            Self::Archive => "Archive",
            Self::Recover => "Recover",
            Self::Delete => "Delete",
        }
    }

    /// Text shown while the action runs.
    pub fn progress(self) -> &'static str {
        match self {
            Self::Start => "Starting…",
            Self::Pause => "Pausing…",
            Self::Stop => "Stopping…",
            Self::Archive => "Archiving…",
            Self::Recover => "Recovering…",
            Self::Delete => "Deleting…",
        }
    }

    /// What the action did, as a verb in the past tense ("Stopped").
    pub fn done(self) -> &'static str {
        match self {
            Self::Start => "Started",
            Self::Pause => "Paused",
            Self::Stop => "Stopped",
            Self::Archive => "Archived",
            Self::Recover => "Recovered",
            Self::Delete => "Deleted",
        }
    }

    /// Whether the action loses something for good (its buttons are red).
    pub fn is_destructive(self) -> bool {
        self == Self::Delete
    }

    /// Whether the action asks before it runs: a deletion and an archive (slow to undo)
    /// always, a stop when it is for several sandboxes at once (`bulk`).
    pub fn asks_first(self, bulk: bool) -> bool {
        match self {
            Self::Delete | Self::Archive => true,
            Self::Stop => bulk,
            Self::Start | Self::Pause | Self::Recover => false,
        }
    }

    /// Whether the action makes sense for a sandbox in `state`.
    pub fn allowed(self, state: SandboxState) -> bool {
        use SandboxState::*;
        match self {
            Self::Start => matches!(state, Stopped | Archived | Paused),
            Self::Pause => state == Started,
            Self::Stop => matches!(state, Started | Paused),
            Self::Archive => state == Stopped,
            Self::Recover => state == Error,
            Self::Delete => !matches!(state, Destroying | Destroyed),
        }
    }

    /// Runs the action on sandbox `id` and waits until it has taken effect.
    pub async fn run(self, daytona: &Daytona, id: &str) -> Result<(), DaytonaError> {
        let sandbox = daytona.get(id).await?;
        match self {
            Self::Start => sandbox.start(None).await,
            Self::Pause => sandbox.pause(None).await,
            Self::Stop => sandbox.stop(None, false).await,
            Self::Archive => sandbox.archive().await,
            Self::Recover => sandbox.recover(None).await,
            Self::Delete => sandbox.delete(None).await,
        }
    }
}
