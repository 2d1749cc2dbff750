//! Reusable pieces of the console's pages.

pub mod action_buttons;
pub mod bulk_bar;
pub mod confirm;
pub mod connect_prompt;
pub mod copy_id;
pub mod create_dialog;
pub mod error_alert;
pub mod exit_badge;
pub mod field;
pub mod filter_bar;
pub mod form_dialog;
pub mod interval_setting;
pub mod kv_editor;
pub mod label_editor;
pub mod labels;
pub mod modal;
pub mod pager;
pub mod port_previews;
pub mod relative_time;
pub mod requires_started;
pub mod rows;
pub mod run_command;
pub mod sandbox_table;
pub mod spinner;
pub mod state_badge;
pub mod volume_mounts;
