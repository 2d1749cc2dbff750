//! The sandboxes' runtime: bubblewrap jails in their own user namespace, with cgroup limits,
//! a disk each, a network namespace (slirp4netns and a firewall), volumes and the agent's socket.
//!
//! Owns every host-side privilege the server uses for sandboxes. Imports nothing of the
//! HTTP layers (`app`, `control`, `proxy`) nor the `store`: it is given what a jail needs;
//! of the agent it knows only its command line (`agent::workload::Join`), what it reads
//! from its input descriptor (`agent::JailInput`) and the seccomp profiles (`agent::seccomp`).
//! A new area that runs something in a sandbox (a desktop, an LSP server) starts it here or
//! through the agent, always under the sandbox's own identity and limits.

pub mod agent_client;
pub mod build;
pub mod disk;
pub mod error;
pub mod firewall;
pub mod identity;
pub mod images;
pub mod limits;
pub mod network;
pub mod runtime;
pub mod volume;

pub use error::JailError;
pub use runtime::SANDBOX_UID;
