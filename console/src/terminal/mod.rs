//! The Terminal tab's pieces: one xterm.js screen attached to a PTY session, its status
//! line and the font-size setting.

pub mod font_size;
pub mod pane;
pub mod status;
