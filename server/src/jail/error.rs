//! The jail layer's one error type; `app::error` turns it into the API's envelope, once.

/// What went wrong starting, stopping or changing a sandbox's jail. Every message says what
/// was being done and why, ready for a client or a sandbox's `errorReason`.
#[derive(Debug, thiserror::Error)]
pub enum JailError {
    /// This host cannot do it (no writable cgroups, no loop devices, a mounted disk that may not
    /// grow): what asks for it is refused, never silently dropped.
    #[error("{0}")]
    Unsupported(String),
    /// Something still holds what is needed (a disk in use elsewhere): the same request may
    /// succeed later.
    #[error("{0}")]
    Busy(String),
    /// A step on the host failed (a mount, a helper program, a cgroup write, the agent not
    /// coming up, a process that would not end).
    #[error("{0}")]
    Failed(String),
}

/// The helpers of the layer describe their failures in words: each is a failed step.
impl From<String> for JailError {
    fn from(why: String) -> Self {
        Self::Failed(why)
    }
}

impl From<&str> for JailError {
    fn from(why: &str) -> Self {
        Self::Failed(why.to_owned())
    }
}

/// The last `n` non-blank lines of `text`, in order, joined with `sep`: a failed helper's
/// output, shortened for a reason.
pub fn last_lines(text: &str, n: usize, sep: &str) -> String {
    let tail: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).rev().take(n).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join(sep)
}
