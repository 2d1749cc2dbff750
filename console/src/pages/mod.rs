//! One module per route.

pub mod dashboard;
pub mod sandbox;
pub mod settings;
pub mod snapshots;
pub mod volumes;
