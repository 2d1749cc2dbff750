//! Daytona's JSON wire models: one source of truth for `daytona-local` (server) and
//! `daytona-wasm` (browser SDK). Field names, casing and optionality follow the official
//! generated clients (see the wire-protocol reference, Appendix A).
//!
//! With the `ts` feature every model also derives `tsify::Tsify`, which emits the
//! TypeScript declarations of the SDK's npm package.

#[macro_use]
mod wire_enum;

mod allow_list;
mod build;
mod chart;
mod code_run;
mod computer_use;
mod config;
mod env_name;
mod error;
mod events;
mod files;
mod git;
mod image;
mod interpreter;
mod list;
mod log_demux;
mod lsp;
mod organization;
mod process;
mod pty;
mod quoted;
mod registry;
mod requests;
mod sandbox;
mod session;
mod signing;
mod snapshot;
mod ssh;
mod telemetry;
mod toolbox;
mod volume;

pub use allow_list::{parse_allow_list, MAX_ALLOWED_NETWORKS};
pub use build::{
    context_key, is_context_hash, BuildInfo, SnapshotBuildInfo, StorageAccess, MAX_CONTEXT_HASHES, MAX_DOCKERFILE_BYTES,
};
pub use chart::{Chart, ChartElement};
pub use code_run::{CodeRunArtifacts, CodeRunRequest, CodeRunResponse};
pub use computer_use::{
    AccessibilityBounds, AccessibilityNode, AccessibilityNodeRequest, AccessibilityNodesResponse,
    AccessibilityTreeQuery, AccessibilityTreeResponse, ComputerUseStartResponse, ComputerUseStatusResponse,
    DesktopProcess, DisplayInfo, DisplayInfoResponse, FindAccessibilityNodesRequest, KeyboardHotkeyRequest,
    KeyboardKeyRequest, KeyboardPressRequest, KeyboardTypeRequest, ListRecordingsResponse, MouseButtonRequest,
    MouseClickRequest, MouseDragRequest, MouseMoveRequest, MouseScrollRequest, Position, ProcessErrorsResponse,
    ProcessLogsResponse, ProcessRestartResponse, ProcessStatusResponse, Recording, ScreenshotQuery, ScreenshotResponse,
    ScrollResponse, StartRecordingRequest, StopRecordingRequest, WindowInfo, WindowsResponse,
};
pub use config::{DaytonaConfiguration, LocalIsolation, OidcConfig};
pub use env_name::is_env_name;
pub use error::ErrorResponse;
pub use events::{
    SandboxStateUpdated, SnapshotStateUpdated, VolumeStateUpdated, SANDBOX_CREATED_EVENT, SANDBOX_STATE_UPDATED_EVENT,
    SNAPSHOT_CREATED_EVENT, SNAPSHOT_REMOVED_EVENT, SNAPSHOT_STATE_UPDATED_EVENT, VOLUME_CREATED_EVENT,
    VOLUME_STATE_UPDATED_EVENT,
};
pub use files::{
    FileInfo, FilesDownloadRequest, Match, ReplaceRequest, ReplaceResult, SearchFilesResponse, UploadFilesFailure,
    UploadFilesResponse, UploadedFile,
};
pub use git::{
    file_status, FileStatus, GitAddRemoteRequest, GitAddRequest, GitAuthenticateRequest, GitBranchRequest,
    GitCheckoutRequest, GitCloneRequest, GitCommitInfo, GitCommitRequest, GitCommitResponse, GitConfigQuery,
    GitConfigResponse, GitConfigureUserRequest, GitErrorCode, GitInitRequest, GitPullRequest, GitPushRequest,
    GitRemote, GitRepoQuery, GitResetRequest, GitRestoreRequest, GitSetConfigRequest, GitShowQuery, GitShowSource,
    GitStatus, ListBranchResponse, ListRemotesResponse,
};
pub use image::{
    archive_base_path, json_string, shell_quote, Dockerfile, PipOptions, RunCommand, DEFAULT_PYTHON_SERIES,
    PYTHON_VERSIONS,
};
pub use interpreter::{
    ContextState, CreateContextRequest, InterpreterClientFrame, InterpreterContext, InterpreterExecuteRequest,
    InterpreterFrame, ListContextsResponse, MimeBundle, INTERPRETER_DEFAULT_TIMEOUT_SECS,
    INTERPRETER_TIMEOUT_CLOSE_CODE,
};
pub use list::{ListSandboxesQuery, ListSandboxesResponse, PaginatedSandboxes, SandboxSortField, SortOrder};
pub use log_demux::{LogDemux, LogStream, STDERR_MARKER, STDOUT_MARKER};
pub use lsp::{
    CompletionContext, CompletionItem, CompletionList, LspCompletionParams, LspDiagnostic, LspDocumentRequest,
    LspLocation, LspPosition, LspPositionRequest, LspRange, LspServerRequest, LspSymbol, LspWorkspaceSymbolsQuery,
};
pub use organization::{Organization, OrganizationRef, OrganizationUsageOverview, RegionUsageOverview};
pub use process::{ExecuteArtifacts, ExecuteRequest, ExecuteResponse};
pub use pty::{
    pty_envs_json, pty_envs_subprotocol, PtyCreateRequest, PtyCreateResponse, PtyListResponse, PtyResizeRequest,
    PtySessionInfo, PTY_ENVS_SUBPROTOCOL,
};
pub use quoted::Quoted;
pub use registry::{
    check_registry_fields, image_registry, is_loopback_registry, registry_address, CreateDockerRegistry,
    DockerRegistry, RegistryType, UpdateDockerRegistry, DOCKER_HUB,
};
pub use requests::{
    CreateSandbox, CreateSandboxSnapshot, ForkSandbox, NetworkSettings, ResizeSandbox, SandboxLabels,
    UpdateLastActivity,
};
pub use sandbox::{Sandbox, SandboxDesiredState, SandboxState, SandboxVolume};
pub use session::{
    Command, CreateSessionRequest, Session, SessionCommandLogsResponse, SessionExecuteRequest, SessionExecuteResponse,
    SessionSendInputRequest,
};
pub use signing::{base64url, hex, sign_file_url, verify_file_url};
pub use snapshot::{
    check_image_name, check_image_reference, CreateSnapshot, PaginatedSnapshots, Snapshot, SnapshotState,
};
pub use ssh::{SshAccess, SshAccessValidation};
pub use telemetry::{MetricDataPoint, MetricSeries, MetricsResponse, SandboxMetrics, SANDBOX_METRIC_NAMES};
pub use toolbox::{
    DirResponse, IsPortInUse, PortList, PortPreviewUrl, SignedPortPreviewUrl, SystemMetrics, UpdateEnvRequest, Url,
    VersionResponse, PREVIEW_TOKEN_HEADER, PTY_EXIT_CONTROL_SUBPROTOCOL, SANDBOX_TOKEN_QUERY, SDK_VERSION_HEADER,
    SDK_VERSION_SUBPROTOCOL,
};
pub use volume::{
    check_mount_path, check_volume_name, subpath_components, CreateVolume, Volume, VolumeState, MAX_VOLUME_MOUNTS,
};
