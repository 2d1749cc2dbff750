//! The Files tab's pieces: paths and URLs, the folder tree, listing, transfers (upload by
//! picker or drop, download), previews with an editor, and search.

pub mod breadcrumbs;
pub mod context;
pub mod dialogs;
pub mod download;
pub mod format;
pub mod listing;
pub mod location;
pub mod path;
pub mod picked;
pub mod search;
pub mod text;
pub mod transfer_list;
pub mod transfers;
pub mod tree;
pub mod upload;
pub mod viewer;
