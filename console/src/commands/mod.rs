//! The Commands tab's pieces: sessions (list, a session's commands, a command's live log
//! with input) and code runs with their charts.

pub mod code_run;
pub mod command_log;
pub mod location;
pub mod session_list;
pub mod session_panel;
