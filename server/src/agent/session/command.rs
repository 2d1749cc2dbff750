//! A command submitted to a session: its log and, while it runs, the writing end of its stdin.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::unix::pipe;

use super::logs::{Log, Stream};
use crate::agent::error::ToolboxError;

/// How long input may wait for a command that does not read its stdin.
const INPUT_WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// A command of a session.
pub struct Command {
    /// The command's id (`cmdId`).
    pub id: String,
    /// The command line as submitted.
    pub command: String,
    /// Its output and progress.
    pub log: Log,
    /// Whether input is kept out of the log.
    suppress_input_echo: bool,
    /// Writing end of the command's stdin FIFO; dropped when the command exits.
    input: tokio::sync::Mutex<Option<pipe::Sender>>,
}

impl Command {
    /// A command that has not been handed to the shell yet.
    pub fn new(id: String, command: String, log: Log, suppress_input_echo: bool) -> Self {
        Self { id, command, log, suppress_input_echo, input: tokio::sync::Mutex::new(None) }
    }

    /// The wire form (`exitCode` absent while running).
    pub fn dto(&self) -> daytona_models::Command {
        daytona_models::Command {
            id: self.id.clone(),
            command: self.command.clone(),
            exit_code: self.log.progress().exit_code,
        }
    }

    /// Connects the command's stdin.
    pub async fn attach_input(&self, input: pipe::Sender) {
        *self.input.lock().await = Some(input);
    }

    /// Disconnects the command's stdin (it has exited).
    pub async fn detach_input(&self) {
        self.input.lock().await.take();
    }

    /// Writes `data` (plus a newline when missing) to the running command's stdin and, unless
    /// the command was started with `suppressInputEcho`, into its log as stdout.
    pub async fn send_input(&self, data: &str) -> Result<(), ToolboxError> {
        let mut data = data.to_owned();
        if !data.ends_with('\n') {
            data.push('\n');
        }
        let mut input = self.input.lock().await;
        let Some(pipe) = input.as_mut().filter(|_| self.log.progress().exit_code.is_none()) else {
            return Err(ToolboxError::Gone("COMMAND_ALREADY_COMPLETED", "command has already completed".into()));
        };
        // Echoed first, so that it precedes whatever the command answers.
        if !self.suppress_input_echo {
            self.log.write(Stream::Stdout, data.as_bytes());
        }
        match tokio::time::timeout(INPUT_WRITE_TIMEOUT, pipe.write_all(data.as_bytes())).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ToolboxError::Io(format!("writing the command's input: {e}"))),
            Err(_) => Err(ToolboxError::Io("the command is not reading its input".into())),
        }
    }
}
