//! The JS face of `FileSystem`: Blobs, ArrayBuffers and ReadableStreams in and out, with
//! progress and `AbortSignal`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::lazy::{self, lazy_methods, string_arg, Task};
use super::{check_object, error, promise, send, sending, set, string_field, strings, task, transfer_options};
use crate::streams::to_blob;
use crate::{DaytonaError, FilePermissionsParams, FileSystem};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Progress of a transfer. */
export interface TransferProgress { loaded: number; total?: number }
/** Options of uploads and downloads. */
export interface TransferOptions {
  /** Called as bytes move. */
  onProgress?: (progress: TransferProgress) => void;
  /** Cancels the transfer (an upload then leaves no partial file behind). */
  signal?: AbortSignal;
  /** Seconds before giving up (default 1800, 0 = none). */
  timeout?: number;
}
/** Something to upload. Browsers have no local paths: pass the data itself. */
export type UploadSource = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;
/** One file of `uploadFiles`. */
export interface FileUpload { source: UploadSource; destination: string }
/** One result of `downloadFiles`. */
export interface FileDownloadResponse { source: string; result?: Blob; error?: Error }
export interface FileSystem {
  /** Moves or renames (rejects with `DaytonaConflictError` if the destination exists). */
  moveFiles(source: string, destination: string): Promise<void>;
  /** Changes `{ mode, owner, group }`. */
  setFilePermissions(path: string, permissions: FilePermissionsParams): Promise<void>;
  /** Lines containing `pattern` in text files under `path`. */
  findFiles(path: string, pattern: string): Promise<Match[]>;
  /** Paths under `path` whose names match the glob `pattern`. */
  searchFiles(path: string, pattern: string): Promise<SearchFilesResponse>;
  /** Replaces every `pattern` with `newValue` in `files`. */
  replaceInFiles(files: string[], pattern: string, newValue: string): Promise<ReplaceResult[]>;
  /** Uploads several files in one request (folder trees keep their paths). */
  uploadFiles(files: FileUpload[], options?: TransferOptions): Promise<void>;
  /**
   * `uploadFile` under @daytonaio/sdk's name for uploads from a `ReadableStream`, with the same
   * progress and cancel. Browsers send no streamed request body over HTTP/1.1, so a stream is
   * first gathered into a `Blob` (which the browser keeps on disk when it is large), then sent
   * as the browser streams a Blob.
   */
  uploadFileStream(source: UploadSource, remotePath: string, options?: TransferOptions): Promise<void>;
  /** Downloads several files; each result has `result` (a Blob) or `error`. */
  downloadFiles(remotePaths: string[], options?: TransferOptions): Promise<FileDownloadResponse[]>;
}
"#;

async fn blob_of(source: &JsValue) -> Result<web_sys::Blob, DaytonaError> {
    match to_blob(source).await {
        Ok(b) => Ok(b.unchecked_into()),
        Err(e) => Err(DaytonaError::InvalidArgument(crate::http::js_message(&e))),
    }
}

/// File operations in a sandbox (`sandbox.fs`); relative paths start at the work dir.
#[wasm_bindgen(js_name = FileSystem)]
pub struct JsFileSystem {
    inner: FileSystem,
}

impl From<FileSystem> for JsFileSystem {
    fn from(inner: FileSystem) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen(js_class = FileSystem)]
impl JsFileSystem {
    /// Creates a folder (with parents) with an octal `mode` such as `"755"`.
    #[wasm_bindgen(js_name = createFolder, unchecked_return_type = "Promise<void>")]
    pub fn create_folder(&self, path: String, mode: String) -> js_sys::Promise {
        send(self.inner.create_folder(&path, &mode))
    }

    /// Deletes a file, or a directory (`recursive` for a non-empty one).
    #[wasm_bindgen(js_name = deleteFile, unchecked_return_type = "Promise<void>")]
    pub fn delete_file(&self, path: String, recursive: Option<bool>) -> js_sys::Promise {
        send(self.inner.delete_file(&path, recursive.unwrap_or(false)))
    }

    /// Details of a file or directory.
    #[wasm_bindgen(js_name = getFileDetails, unchecked_return_type = "Promise<FileInfo>")]
    pub fn get_file_details(&self, path: String) -> js_sys::Promise {
        send(self.inner.get_file_details(&path))
    }

    /// The entries of a directory.
    #[wasm_bindgen(js_name = listFiles, unchecked_return_type = "Promise<FileInfo[]>")]
    pub fn list_files(&self, path: String) -> js_sys::Promise {
        send(self.inner.list_files(&path))
    }

    /// Uploads `file` to `remotePath`, streamed by the browser, with progress and cancel.
    #[wasm_bindgen(js_name = uploadFile, unchecked_return_type = "Promise<void>")]
    pub fn upload_file(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UploadSource")] file: JsValue,
        #[wasm_bindgen(js_name = "remotePath")] remote_path: String,
        #[wasm_bindgen(unchecked_optional_param_type = "TransferOptions")] options: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let opts = transfer_options(&options)?;
        let fs = self.inner.clone();
        Ok(promise(async move {
            let blob = blob_of(&file).await?;
            fs.upload_file(&blob, &remote_path, &opts).await
        }))
    }

    /// Downloads `remotePath` into a `Blob`.
    #[wasm_bindgen(js_name = downloadFile, unchecked_return_type = "Promise<Blob>")]
    pub fn download_file(
        &self,
        #[wasm_bindgen(js_name = "remotePath")] remote_path: String,
        #[wasm_bindgen(unchecked_optional_param_type = "TransferOptions")] options: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let opts = transfer_options(&options)?;
        let fs = self.inner.clone();
        Ok(promise(async move { Ok(JsValue::from(fs.download_file(&remote_path, &opts).await?)) }))
    }

    /// Streams `remotePath` without buffering it.
    #[wasm_bindgen(js_name = downloadFileStream, unchecked_return_type = "Promise<ReadableStream<Uint8Array>>")]
    pub fn download_file_stream(
        &self,
        #[wasm_bindgen(js_name = "remotePath")] remote_path: String,
        #[wasm_bindgen(unchecked_optional_param_type = "TransferOptions")] options: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let opts = transfer_options(&options)?;
        let fs = self.inner.clone();
        Ok(promise(async move { Ok(JsValue::from(fs.download_file_stream(&remote_path, &opts).await?.stream)) }))
    }

    /// Method `index` of [`LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(file_methods((self.inner.clone(), index, args)))
    }
}

/// `setFilePermissions(path, { mode?, owner?, group? })`.
fn set_file_permissions(fs: &FileSystem, args: &js_sys::Array) -> Result<Task, JsValue> {
    let p = &args.get(1);
    check_object(p, "permissions", true, Some(&["mode", "owner", "group"]), "")?;
    let params = FilePermissionsParams {
        mode: string_field(p, "mode", "permissions")?,
        owner: string_field(p, "owner", "permissions")?,
        group: string_field(p, "group", "permissions")?,
    };
    Ok(sending(fs.set_file_permissions(&string_arg(args, 0, "path")?, &params)))
}

/// `uploadFiles(files, options?)`: several files in one request (folder trees keep their
/// paths).
fn upload_files(fs: &FileSystem, args: &js_sys::Array) -> Result<Task, JsValue> {
    if !js_sys::Array::is_array(&args.get(0)) {
        return Err(super::invalid("files must be an array of { source, destination }"));
    }
    let (files, opts) = (js_sys::Array::from(&args.get(0)), transfer_options(&args.get(1))?);
    let fs = fs.clone();
    Ok(task(async move {
        let mut blobs = Vec::with_capacity(files.length() as usize);
        for f in files.iter() {
            let get = |k: &str| js_sys::Reflect::get(&f, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
            let dest = get("destination")
                .as_string()
                .ok_or_else(|| DaytonaError::InvalidArgument("each upload needs a `destination` string".into()))?;
            blobs.push((blob_of(&get("source")).await?, dest));
        }
        fs.upload_files(&blobs, &opts).await
    }))
}

/// `downloadFiles(remotePaths, options?)`: each result has `result` (a Blob) or `error`.
fn download_files(fs: &FileSystem, args: &js_sys::Array) -> Result<Task, JsValue> {
    let (paths, opts) = (strings(&args.get(0), "remotePaths")?, transfer_options(&args.get(1))?);
    let fs = fs.clone();
    Ok(task(async move {
        let out = js_sys::Array::new();
        for (source, result) in fs.download_files(&paths, &opts).await {
            let item = js_sys::Object::new();
            set(&item, "source", &source.into());
            let (key, value) = match result {
                Ok(blob) => ("result", JsValue::from(blob)),
                Err(e) => ("error", error::to_js(e)),
            };
            set(&item, key, &value);
            out.push(&item);
        }
        Ok(JsValue::from(out))
    }))
}

lazy_methods!(manage: LAZY, file_methods(FileSystem) = [
    "moveFiles" => |fs, args| {
        Ok(sending(fs.move_files(&string_arg(args, 0, "source")?, &string_arg(args, 1, "destination")?)))
    },
    "setFilePermissions" => set_file_permissions,
    "findFiles" => |fs, args| Ok(sending(fs.find_files(&string_arg(args, 0, "path")?, &string_arg(args, 1, "pattern")?))),
    "searchFiles" => |fs, args| {
        Ok(sending(fs.search_files(&string_arg(args, 0, "path")?, &string_arg(args, 1, "pattern")?)))
    },
    "replaceInFiles" => |fs, args| {
        let (files, pattern) = (strings(&args.get(0), "files")?, string_arg(args, 1, "pattern")?);
        Ok(sending(fs.replace_in_files(files, &pattern, &string_arg(args, 2, "newValue")?)))
    },
    "uploadFiles" => upload_files,
    "downloadFiles" => download_files,
    "uploadFileStream" => |fs, args| {
        let (source, path, opts) = (args.get(0), string_arg(args, 1, "remotePath")?, transfer_options(&args.get(2))?);
        let fs = fs.clone();
        Ok(task(async move { fs.upload_file(&blob_of(&source).await?, &path, &opts).await }))
    },
]);
