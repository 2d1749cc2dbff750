//! The toolbox proxy (`/toolbox/{id}/…` → the sandbox's agent) and previews (a sandbox's
//! ports on their own origins).
//!
//! Owns who may reach a sandbox's toolbox and ports, and the relaying of bodies and
//! upgrades. May import `app` (state, errors, auth), `store` (records) and `jail` (the agent's
//! socket); the toolbox API itself lives in `agent`.

pub mod metrics;
pub mod preview;
pub mod toolbox;
