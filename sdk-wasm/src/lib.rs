//! Daytona SDK for the browser, in Rust compiled to WebAssembly.
//!
//! Speaks Daytona's wire protocol (control plane and toolbox) with the browser's own
//! `fetch`, so it needs no Node polyfills. Two faces:
//! - an idiomatic async Rust API ([`Daytona`], [`Sandbox`], [`Process`]), and
//! - a JS/TS API (module `js`, exported by wasm-bindgen) whose names follow the official
//!   `@daytonaio/sdk`, so browser code can switch to it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), daytona_wasm::DaytonaError> {
//! use daytona_wasm::{Daytona, DaytonaConfig, CreateSandboxParams};
//! let daytona = Daytona::new(DaytonaConfig::with_api_key("http://127.0.0.1:3000/api", "key"))?;
//! let sandbox = daytona.create(CreateSandboxParams::default(), None).await?;
//! let out = sandbox.process().exec("echo hi", None, None, None).await?;
//! assert_eq!(out.result, "hi\n");
//! sandbox.delete(None).await?;
//! # Ok(()) }
//! ```

mod build;
mod call;
mod client;
mod computer_use;
mod config;
mod daytona;
mod demux;
mod error;
mod events;
mod fs;
mod git;
mod http;
mod image;
mod interpreter;
mod json;
mod lsp;
mod object_storage;
mod params;
mod process;
mod pty;
mod registry;
mod sandbox;
mod snapshot;
mod streams;
mod toolbox;
mod transfer;
mod volume;
mod wait;
mod ws;
mod xhr;

#[cfg(any(feature = "js", feature = "js-image"))]
pub mod js;

pub use build::{ImageBuildOptions, LogFn, DEFAULT_BUILD_TIMEOUT};
pub use call::Call;
pub use computer_use::{
    screenshot_blob, screenshot_bytes, Accessibility, ComputerUse, Display, Keyboard, Mouse, Recordings, Region,
    Screenshot,
};
pub use config::DaytonaConfig;
pub use daytona::{Daytona, NumberedPage, SandboxPage};
pub use daytona_models as models;
pub use daytona_models::{PipOptions, RunCommand};
pub use demux::{Channel, Demux};
pub use error::{DaytonaError, ErrorKind};
pub use events::{SandboxEvent, SandboxEvents};
pub use fs::{FilePermissionsParams, FileStream, FileSystem};
pub use git::Git;
pub use http::CallOptions;
pub use image::Image;
pub use interpreter::{
    CodeInterpreter, Execution, ExecutionError, ExecutionResult, Output, RichOutput, RunCodeOptions,
};
pub use lsp::{LspSender, LspServer, LspSocket};
pub use object_storage::PART_SIZE;
pub use params::{CreateSandboxParams, Resources, CODE_TOOLBOX_LANGUAGE_LABEL};
pub use process::{CodeRunParams, Process};
pub use pty::{PtyCreateOptions, PtyDataFn, PtyHandle, PtyState, PtyStateFn};
pub use registry::RegistryService;
pub use sandbox::{Sandbox, Step};
pub use snapshot::SnapshotService;
pub use transfer::{ProgressFn, TransferOptions, TransferProgress, DEFAULT_TRANSFER_TIMEOUT};
pub use volume::VolumeService;

/// The `@daytonaio/sdk` version whose wire behaviour this SDK follows; sent as
/// `X-Daytona-SDK-Version` because daemons pick response formats by it.
pub const COMPATIBLE_SDK_VERSION: &str = "0.218.0";
