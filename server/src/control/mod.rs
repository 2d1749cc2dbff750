//! The control plane: Daytona's `/api/sandbox…` routes, the sandbox lifecycle behind them,
//! the auto-stop/archive/delete timers and the event socket the SDKs wait on.
//!
//! Owns what a sandbox *is* to a client (its DTO, state machine and intervals). May import
//! `app` (shared state, errors, extractors, auth), `store`, `jail` and `proxy::preview` (the
//! preview URLs a sandbox lists); nothing imports it but `app`'s wiring. A new control-plane
//! area (snapshots, volumes, SSH access) is a file here.

pub mod builds;
pub mod events;
pub mod lifecycle;
pub mod list;
pub mod organizations;
pub mod registries;
pub mod sandboxes;
pub mod snapshots;
pub mod ssh_access;
pub mod telemetry;
pub mod timers;
pub mod volumes;
