//! Daytona's JSON wire models: one source of truth for `daytona-local` (server) and
//! `daytona-wasm` (browser SDK). Field names, casing and optionality follow the official
//! generated clients (see the wire-protocol reference, Appendix A).
//!
//! With the `ts` feature every model also derives `tsify::Tsify`, which emits the
//! TypeScript declarations of the SDK's npm package.

mod config;
mod error;
mod files;
mod list;
mod process;
mod requests;
mod sandbox;
mod toolbox;

pub use config::{DaytonaConfiguration, OidcConfig};
pub use error::ErrorResponse;
pub use files::{
    FileInfo, FilesDownloadRequest, Match, ReplaceRequest, ReplaceResult, SearchFilesResponse, UploadFilesResponse,
    UploadedFile,
};
pub use list::{ListSandboxesQuery, ListSandboxesResponse, SandboxSortField, SortOrder};
pub use process::{ExecuteArtifacts, ExecuteRequest, ExecuteResponse};
pub use requests::{CreateSandbox, ResizeSandbox, SandboxLabels, UpdateLastActivity};
pub use sandbox::{Sandbox, SandboxDesiredState, SandboxState, SandboxVolume};
pub use toolbox::{DirResponse, PortPreviewUrl, Url, VersionResponse};
