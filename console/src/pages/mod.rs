//! One module per route.

pub mod dashboard;
pub mod sandbox_detail;
pub mod settings;
