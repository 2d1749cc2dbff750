//! `FileSystem`: a sandbox's files through the toolbox, with streamed uploads and downloads.

use daytona_models::{FileInfo, Match, ReplaceRequest, ReplaceResult, SearchFilesResponse};
use wasm_bindgen::JsCast;
use web_sys::{Blob, FormData, ReadableStream};

use crate::http::{js_message, AbortGuard, CallOptions, Method};
use crate::streams::{stream_to_blob, with_progress};
use crate::toolbox::Toolbox;
use crate::transfer::TransferOptions;
use crate::{xhr, Call, DaytonaError};

/// Owner, group and mode changes for [`FileSystem::set_file_permissions`].
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, tsify::Tsify)]
pub struct FilePermissionsParams {
    /// Octal mode, e.g. `"644"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub mode: Option<String>,
    /// New owner (name or uid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub owner: Option<String>,
    /// New group (name or gid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub group: Option<String>,
}

/// A downloaded file as a stream, with its size when the server sent one.
#[derive(Debug)]
pub struct FileStream {
    /// The bytes (a WHATWG `ReadableStream<Uint8Array>`).
    pub stream: ReadableStream,
    /// Size in bytes.
    pub size: Option<u64>,
    /// MIME type.
    pub content_type: Option<String>,
}

/// File operations in a sandbox (`sandbox.fs`). Relative paths start at the work dir.
#[derive(Clone, Debug)]
pub struct FileSystem {
    toolbox: Toolbox,
}

impl FileSystem {
    pub(crate) fn new(toolbox: Toolbox) -> Self {
        Self { toolbox }
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let pairs: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.toolbox.url(path, &pairs)
    }

    fn call(&self, method: Method, path: &str, query: &[(&str, &str)]) -> Call<()> {
        Call::done(&self.toolbox.client, method, self.url(path, query))
    }

    fn get<T>(&self, path: &str, query: &[(&str, &str)]) -> Call<T> {
        Call::new(&self.toolbox.client, Method::Get, self.url(path, query))
    }

    /// Creates a folder (with parents) with an octal `mode` such as `"755"`.
    pub fn create_folder(&self, path: &str, mode: &str) -> Call<()> {
        self.call(Method::Post, "/files/folder", &[("path", path), ("mode", mode)])
    }

    /// Deletes a file, or a directory (`recursive` for a non-empty one).
    pub fn delete_file(&self, path: &str, recursive: bool) -> Call<()> {
        let recursive = if recursive { "true" } else { "false" };
        self.call(Method::Delete, "/files", &[("path", path), ("recursive", recursive)])
    }

    /// Details of a file or directory.
    pub fn get_file_details(&self, path: &str) -> Call<FileInfo> {
        self.get("/files/info", &[("path", path)])
    }

    /// The entries of a directory.
    pub fn list_files(&self, path: &str) -> Call<Vec<FileInfo>> {
        self.get("/files", &[("path", path)])
    }

    /// Moves or renames (fails with a conflict if the destination exists).
    pub fn move_files(&self, source: &str, destination: &str) -> Call<()> {
        self.call(Method::Post, "/files/move", &[("source", source), ("destination", destination)])
    }

    /// Changes mode, owner and/or group.
    pub fn set_file_permissions(&self, path: &str, params: &FilePermissionsParams) -> Call<()> {
        let mut q = vec![("path", path)];
        for (k, v) in [("mode", &params.mode), ("owner", &params.owner), ("group", &params.group)] {
            if let Some(v) = v {
                q.push((k, v.as_str()));
            }
        }
        self.call(Method::Post, "/files/permissions", &q)
    }

    /// Lines containing `pattern` in text files under `path`.
    pub fn find_files(&self, path: &str, pattern: &str) -> Call<Vec<Match>> {
        self.get("/files/find", &[("path", path), ("pattern", pattern)])
    }

    /// Paths under `path` whose names match the glob `pattern`.
    pub fn search_files(&self, path: &str, pattern: &str) -> Call<SearchFilesResponse> {
        self.get("/files/search", &[("path", path), ("pattern", pattern)])
    }

    /// Replaces every `pattern` with `new_value` in `files`; one result per file.
    pub fn replace_in_files(&self, files: Vec<String>, pattern: &str, new_value: &str) -> Call<Vec<ReplaceResult>> {
        let body = ReplaceRequest { files, pattern: pattern.into(), new_value: new_value.into() };
        Call::new(&self.toolbox.client, Method::Post, self.url("/files/replace", &[])).body(&body)
    }

    /// Uploads `blob` to `remote_path` (parents created, existing file replaced atomically).
    pub async fn upload_file(
        &self,
        blob: &Blob,
        remote_path: &str,
        opts: &TransferOptions,
    ) -> Result<(), DaytonaError> {
        self.upload_files(&[(blob.clone(), remote_path.to_owned())], opts).await
    }

    /// Uploads several files in one streamed multipart request; progress covers them all.
    pub async fn upload_files(&self, files: &[(Blob, String)], opts: &TransferOptions) -> Result<(), DaytonaError> {
        let form = FormData::new().map_err(|e| DaytonaError::Connection(js_message(&e)))?;
        for (i, (blob, dest)) in files.iter().enumerate() {
            let fail = |e: wasm_bindgen::JsValue| DaytonaError::InvalidArgument(js_message(&e));
            form.append_with_str(&format!("files[{i}].path"), dest).map_err(fail)?;
            form.append_with_blob_and_filename(&format!("files[{i}].file"), blob, dest).map_err(fail)?;
        }
        let url = self.url("/files/bulk-upload", &[]);
        let http = &self.toolbox.client.http;
        match opts.on_progress {
            // Only XMLHttpRequest reports an upload's progress; fetch is faster without it.
            Some(_) => xhr::post_form(&url, http.headers(), &form, opts).await.map(drop),
            None => {
                let call = CallOptions { timeout: Some(opts.timeout()), signal: opts.signal.clone(), keepalive: false };
                http.post_form(&url, form, &call).await.map(drop)
            }
        }
    }

    /// Streams `remote_path` from the sandbox without buffering it (progress reported per chunk).
    pub async fn download_file_stream(
        &self,
        remote_path: &str,
        opts: &TransferOptions,
    ) -> Result<FileStream, DaytonaError> {
        let guard = AbortGuard::new(opts.signal.as_ref(), Some(opts.timeout()))?;
        let call = CallOptions { signal: Some(guard.signal.clone()), ..CallOptions::default() };
        let url = self.url("/files/download", &[("path", remote_path)]);
        let resp = self.toolbox.client.http.send(Method::Get, &url, None::<&()>, &call).await.map_err(|e| match e {
            DaytonaError::Aborted(m) | DaytonaError::Connection(m) => guard.error(&m, &wasm_bindgen::JsValue::NULL),
            other => other,
        })?;
        let header = |name: &str| resp.headers().get(name).ok().flatten();
        let size = header("content-length").and_then(|v| v.parse().ok());
        let content_type = header("content-type");
        let body = resp.body().ok_or_else(|| DaytonaError::Decode(format!("{url}: empty body")))?;
        let stream = match opts.js_progress() {
            Some(report) => with_progress(&body, size.map(|s| s as f64), &report),
            None => body,
        };
        Ok(FileStream { stream, size, content_type })
    }

    /// Downloads `remote_path` into a `Blob` (held by the browser, not in wasm memory).
    pub async fn download_file(&self, remote_path: &str, opts: &TransferOptions) -> Result<Blob, DaytonaError> {
        let guard = AbortGuard::new(opts.signal.as_ref(), Some(opts.timeout()))?;
        let inner = TransferOptions { signal: Some(guard.signal.clone()), timeout: None, ..opts.clone() };
        let file = self.download_file_stream(remote_path, &inner).await?;
        let blob = stream_to_blob(&file.stream, file.content_type)
            .await
            .map_err(|e| guard.error(&format!("download of {remote_path}"), &e))?;
        Ok(blob.unchecked_into())
    }

    /// Downloads several files one after another; each gets its own result.
    pub async fn download_files(
        &self,
        remote_paths: &[String],
        opts: &TransferOptions,
    ) -> Vec<(String, Result<Blob, DaytonaError>)> {
        let mut out = Vec::with_capacity(remote_paths.len());
        for path in remote_paths {
            out.push((path.clone(), self.download_file(path, opts).await));
        }
        out
    }
}
