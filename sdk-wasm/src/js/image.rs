//! The JS face of `Image` (`Image.debianSlim().pipInstall(['numpy']).addLocalFile(file, '/app/')`),
//! named and shaped as `@daytonaio/sdk`'s: the builder methods change the image and return it,
//! so a chain and separate statements both work. Browsers have no local paths, so the methods
//! that name local files in the official SDK take the files themselves (`File`, `Blob`, the
//! `FileList` of a folder picker) and `fromDockerfile` takes the Dockerfile's text.
//!
//! It is a WebAssembly module of its own, `daytona-wasm/image` (this crate built with the
//! `js-image` feature, `image.js`): the builder, its TOML parser (`pipInstallFromPyproject`) and
//! the uploads of local files (MD5, tar, SigV4) are a third of the main module's size, so only
//! the pages that import `Image` download them. The main module's `create({ image })` and
//! `snapshot.create({ image })` use an image through its `dockerfile`, `_contextCount` and
//! `_uploadContexts(pushAccess, options)` (see `super::build`).
//!
//! Size: the builder methods are rows of one table ([`STEPS`]) called through a single export
//! (`_post(index, args)`, defined on the prototype by image.js), each argument read with
//! `Reflect` (no serde decoder per options type).

use daytona_models::{PipOptions, RunCommand, StorageAccess};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use super::{error, invalid, option, promise, strings, transfer_options};
use crate::http::js_message;
use crate::object_storage::upload_with;
use crate::{DaytonaError, Image};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of the `pipInstall…` methods of `Image`. */
export interface PipInstallOptions {
  /** `--find-links`, each. */
  findLinks?: string[];
  /** `--index-url`. */
  indexUrl?: string;
  /** `--extra-index-url`, each. */
  extraIndexUrls?: string[];
  /** `--pre`. */
  pre?: boolean;
  /** Passed to pip as written. */
  extraOptions?: string;
}
/** Options of `Image.pipInstallFromPyproject`. */
export interface PyprojectOptions extends PipInstallOptions {
  /** Groups of `[project.optional-dependencies]` installed too. */
  optionalDependencies?: string[];
}
/**
 * A local directory: a `FileSystemDirectoryHandle` (`showDirectoryPicker()`'s, a dropped
 * folder's, the origin private file system's; named by its name, its files read when the
 * image is built), the `FileList` of `<input type="file" webkitdirectory>` (each file's
 * `webkitRelativePath` names the directory and its place in it), or `[path, file]` pairs,
 * paths relative to the directory (named by `remotePath`'s last part).
 */
export type LocalDirectory = FileSystemDirectoryHandle | FileList | File[] | [string, Blob][];
export interface Image {
  /** `pip install` of `packages` (sorted, as the official SDKs write them). */
  pipInstall(packages: string | string[], options?: PipInstallOptions): Image;
  /** `pip install -r` of a requirements file: a `File`, or the file's text. */
  pipInstallFromRequirements(requirements: File | string, options?: PipInstallOptions): Image;
  /** `pip install` of a `pyproject.toml`'s dependencies (its text, e.g. `await file.text()`). */
  pipInstallFromPyproject(pyprojectToml: string, options?: PyprojectOptions): Image;
  /** Copies a file into the image at `remotePath` (ending in `/`: into that directory). */
  addLocalFile(file: File | Blob, remotePath: string): Image;
  /** Copies a directory's files into the image at `remotePath`. */
  addLocalDir(directory: LocalDirectory, remotePath: string): Image;
  /**
   * Sends `file` with the build at `path` without a `COPY` of its own: a source the
   * Dockerfile of `Image.fromDockerfile` copies.
   */
  addContextFile(path: string, file: Blob): Image;
  /** `RUN` lines: a shell line, or an argument list. */
  runCommands(...commands: (string | string[])[]): Image;
  /** `ENV` lines, in the object's order. */
  env(envVars: Record<string, string>): Image;
  /** `WORKDIR`. */
  workdir(dirPath: string): Image;
  /** `ENTRYPOINT`. */
  entrypoint(entrypointCommands: string[]): Image;
  /** `CMD`. */
  cmd(cmd: string[]): Image;
  /** Dockerfile lines as they are. */
  dockerfileCommands(dockerfileCommands: string[]): Image;
}
// (end of daytona-wasm/image's own types: scripts/build-sdk.sh keeps these and the class)
"#;

/// The builder methods, in the order [`step`] matches them (and the .d.ts declares them).
pub(crate) const STEPS: [&str; 12] = [
    "pipInstall",
    "pipInstallFromRequirements",
    "pipInstallFromPyproject",
    "addLocalFile",
    "addLocalDir",
    "addContextFile",
    "runCommands",
    "env",
    "workdir",
    "entrypoint",
    "cmd",
    "dockerfileCommands",
];

/// A declarative image (`Image.base(…)`, `Image.debianSlim(…)`, `Image.fromDockerfile(…)`),
/// built into a snapshot by `daytona.create({ image })` or `daytona.snapshot.create`.
#[wasm_bindgen(js_name = Image)]
pub struct JsImage {
    inner: Image,
    /// The `FileSystemDirectoryHandle`s given to `addLocalDir`, by their context's index: their
    /// files are read when the contexts are uploaded, so a build sends them as they are then.
    handles: Vec<(usize, JsValue)>,
}

impl From<Image> for JsImage {
    fn from(inner: Image) -> Self {
        Self { inner, handles: Vec::new() }
    }
}

#[wasm_bindgen(js_class = Image)]
impl JsImage {
    /// An image from `image` (a registry reference).
    pub fn base(image: String) -> JsImage {
        Image::base(&image).into()
    }

    /// Debian's slim Python image of `pythonVersion` (`3.9` to `3.13`, default `3.12`) with
    /// build tools and an upgraded pip.
    #[wasm_bindgen(js_name = debianSlim)]
    pub fn debian_slim(
        #[wasm_bindgen(js_name = pythonVersion)] python_version: Option<String>,
    ) -> Result<JsImage, JsValue> {
        Image::debian_slim(python_version.as_deref()).map(Self::from).map_err(error::to_js)
    }

    /// An image from a Dockerfile's text (what it copies is sent with `addContextFile`).
    #[wasm_bindgen(js_name = fromDockerfile)]
    pub fn from_dockerfile(dockerfile: String) -> JsImage {
        Image::from_dockerfile(&dockerfile).into()
    }

    /// The Dockerfile the image is built from.
    #[wasm_bindgen(getter)]
    pub fn dockerfile(&self) -> String {
        self.inner.dockerfile().to_owned()
    }

    /// The builder methods' names, in [`STEPS`]'s order (image.js defines them).
    #[wasm_bindgen(js_name = _steps, skip_typescript)]
    pub fn steps() -> String {
        STEPS.join(" ")
    }

    /// Builder method `index` of [`STEPS`] with its arguments (image.js's methods return the
    /// image); a bad argument throws `DaytonaInvalidArgumentError` and leaves the image as it was.
    #[wasm_bindgen(js_name = _post, skip_typescript)]
    pub fn post(&mut self, index: usize, args: js_sys::Array) -> Result<(), JsValue> {
        self.inner = step(self.inner.clone(), index, &args)?;
        let handle = args.get(0);
        if STEPS.get(index) == Some(&"addLocalDir") && directory_handle(&handle).is_some() {
            self.handles.push((self.inner.contexts.len() - 1, handle));
        }
        Ok(())
    }

    /// How many local contexts (files and directories) the build sends.
    #[wasm_bindgen(getter, js_name = _contextCount, skip_typescript)]
    pub fn context_count(&self) -> usize {
        self.inner.contexts.len()
    }

    /// Uploads the local contexts the storage lacks with the push access `access` (what
    /// `GET /object-storage/push-access` answers; the main module fetches it) and `options`
    /// (`{ onProgress, signal }`); resolves to their hashes, in order (`buildInfo.contextHashes`).
    /// The directories given as handles are read first with `read_directory` (image.js passes
    /// its `readDirectory`).
    #[wasm_bindgen(js_name = _uploadContexts, skip_typescript)]
    pub fn upload_contexts(
        &self,
        access: JsValue,
        options: JsValue,
        read_directory: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let access: StorageAccess = super::from_js("push access", access)?;
        let opts = transfer_options(&options)?;
        let mut image = self.inner.clone();
        let handles = self.handles.clone();
        Ok(promise(async move {
            for (index, handle) in handles {
                let files = read_handle(&read_directory, &handle).await.map_err(|e| {
                    let name = directory_handle(&handle).unwrap_or_default();
                    DaytonaError::InvalidArgument(format!(
                        "addLocalDir: the folder \"{name}\" could not be read: {}",
                        js_message(&e)
                    ))
                })?;
                image.set_dir_files(index, files);
            }
            let hashes = upload_with(&access, &image, &opts).await?;
            Ok(JsValue::from(hashes.into_iter().map(JsValue::from).collect::<js_sys::Array>()))
        }))
    }
}

/// Applies builder method `index` to `image`.
fn step(image: Image, index: usize, args: &js_sys::Array) -> Result<Image, JsValue> {
    let (a, b) = (args.get(0), args.get(1));
    Ok(match STEPS.get(index).copied().unwrap_or_default() {
        "pipInstall" => {
            let packages = match a.as_string() {
                Some(one) => vec![one],
                None => strings(&a, "packages")?,
            };
            image.pip_install(&refs(&packages), &pip_options(&b)?)
        }
        "pipInstallFromRequirements" => match a.as_string() {
            Some(text) => image.pip_install_from_requirements("requirements.txt", text_blob(&text)?, &pip_options(&b)?),
            None => {
                let file = file(&a, "requirements")?;
                image.pip_install_from_requirements(&file.name(), file.into(), &pip_options(&b)?)
            }
        },
        "pipInstallFromPyproject" => {
            let text = string(&a, "pyprojectToml")?;
            let optional = optional_strings(&b, "optionalDependencies")?;
            image.pip_install_from_pyproject(&text, &refs(&optional), &pip_options(&b)?).map_err(error::to_js)?
        }
        "addLocalFile" => {
            let blob: Blob = a.clone().dyn_into().map_err(|_| invalid("file must be a File or Blob"))?;
            let remote = string(&b, "remotePath")?;
            // A File is named by its name; a Blob by where it goes.
            let name = a.dyn_ref::<web_sys::File>().map(|f| f.name()).unwrap_or_else(|| basename(&remote));
            image.add_local_file(&name, blob, &remote)
        }
        "addLocalDir" => {
            let remote = string(&b, "remotePath")?;
            // A handle's files are read at the upload (`JsImage::upload_contexts`).
            let (name, files) = match directory_handle(&a) {
                Some(name) => (name, Vec::new()),
                None => directory(&a, &remote)?,
            };
            image.add_local_dir(&name, files, &remote)
        }
        "addContextFile" => {
            let blob: Blob = b.dyn_into().map_err(|_| invalid("file must be a File or Blob"))?;
            image.add_context_file(&string(&a, "path")?, blob)
        }
        "runCommands" => {
            let commands = args
                .iter()
                .map(|c| match c.as_string() {
                    Some(line) => Ok(RunCommand::Shell(line)),
                    None => strings(&c, "each command").map(RunCommand::Args),
                })
                .collect::<Result<Vec<_>, _>>()?;
            image.run_commands(&commands)
        }
        "env" => {
            if !a.is_object() {
                return Err(invalid("envVars must be an object of strings"));
            }
            let mut vars = Vec::new();
            for pair in js_sys::Object::entries(a.unchecked_ref()).iter() {
                let pair: js_sys::Array = pair.unchecked_into();
                let (key, value) = (pair.get(0).as_string().unwrap_or_default(), pair.get(1));
                let value = value.as_string().ok_or_else(|| invalid(&format!("envVars.{key} must be a string")))?;
                vars.push((key, value));
            }
            let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            image.env(&vars)
        }
        "workdir" => image.workdir(&string(&a, "dirPath")?),
        "entrypoint" => image.entrypoint(&refs(&strings(&a, "entrypointCommands")?)),
        "cmd" => image.cmd(&refs(&strings(&a, "cmd")?)),
        "dockerfileCommands" => image.dockerfile_commands(&refs(&strings(&a, "dockerfileCommands")?)),
        _ => return Err(invalid("no such method")),
    })
}

/// `v` as a string (`what` must be a string otherwise).
fn string(v: &JsValue, what: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| invalid(&format!("{what} must be a string")))
}

/// Field `key` of an options object as an array of strings (none when absent).
fn optional_strings(options: &JsValue, key: &str) -> Result<Vec<String>, JsValue> {
    match option(options, key) {
        v if v.is_undefined() || v.is_null() => Ok(Vec::new()),
        v => strings(&v, &format!("options.{key}")),
    }
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `{ findLinks, indexUrl, extraIndexUrls, pre, extraOptions }`.
fn pip_options(v: &JsValue) -> Result<PipOptions, JsValue> {
    Ok(PipOptions {
        find_links: optional_strings(v, "findLinks")?,
        index_url: option(v, "indexUrl").as_string(),
        extra_index_urls: optional_strings(v, "extraIndexUrls")?,
        pre: option(v, "pre").is_truthy(),
        extra_options: option(v, "extraOptions").as_string().unwrap_or_default(),
    })
}

/// `v` as a `File` (its name names it in the build).
fn file(v: &JsValue, what: &str) -> Result<web_sys::File, JsValue> {
    v.clone().dyn_into().map_err(|_| invalid(&format!("{what} must be a File or the file's text")))
}

/// A Blob of `text`.
fn text_blob(text: &str) -> Result<Blob, JsValue> {
    Blob::new_with_str_sequence(&js_sys::Array::of1(&JsValue::from_str(text)))
}

/// The name of `v` if it is a `FileSystemDirectoryHandle` (a picked, dropped or origin-private
/// folder); its name is the folder's, as a picked folder's `webkitRelativePath` names it.
fn directory_handle(v: &JsValue) -> Option<String> {
    let is_handle = option(v, "kind").as_string().as_deref() == Some("directory") && option(v, "entries").is_function();
    is_handle.then(|| option(v, "name").as_string().filter(|n| !n.is_empty()).unwrap_or_else(|| "context".to_owned()))
}

/// The files of directory `handle` by relative path, read by `read_directory` (image.js's
/// `readDirectory`: `[path, File]` pairs).
async fn read_handle(read_directory: &JsValue, handle: &JsValue) -> Result<Vec<(String, Blob)>, JsValue> {
    let read: &js_sys::Function = read_directory.dyn_ref().ok_or_else(|| invalid("no directory reader"))?;
    let pairs = JsFuture::from(js_sys::Promise::resolve(&read.call1(&JsValue::NULL, handle)?)).await?;
    Ok(directory(&pairs, "")?.1)
}

/// The last component of `path` (`context` if it has none).
fn basename(path: &str) -> String {
    path.rsplit('/').find(|p| !p.is_empty()).unwrap_or("context").to_owned()
}

#[wasm_bindgen]
extern "C" {
    /// A `File` with its (non-standard but universal) `webkitRelativePath`.
    #[wasm_bindgen(extends = web_sys::File)]
    type RelativeFile;
    #[wasm_bindgen(method, getter, js_name = webkitRelativePath)]
    fn webkit_relative_path(this: &RelativeFile) -> Option<String>;
}

/// The name and files (by relative path) of a local directory: a folder picker's files (the
/// first component of their `webkitRelativePath` names the directory), loose files (each at its
/// name) or `[path, blob]` pairs; those two are named after `remote`.
fn directory(v: &JsValue, remote: &str) -> Result<(String, Vec<(String, Blob)>), JsValue> {
    let bad = || {
        invalid("directory must be a FileSystemDirectoryHandle, a FileList, an array of Files or of [path, Blob] pairs")
    };
    let items: js_sys::Array = js_sys::Array::from(v);
    if !js_sys::Array::is_array(v) && !v.is_instance_of::<web_sys::FileList>() {
        return Err(bad());
    }
    let mut name = None;
    let mut files = Vec::new();
    for item in items.iter() {
        if js_sys::Array::is_array(&item) {
            let pair = js_sys::Array::from(&item);
            let path = pair.get(0).as_string().ok_or_else(bad)?;
            files.push((path, pair.get(1).dyn_into::<Blob>().map_err(|_| bad())?));
            continue;
        }
        let file: web_sys::File = item.dyn_into().map_err(|_| bad())?;
        let relative = file.unchecked_ref::<RelativeFile>().webkit_relative_path().unwrap_or_default();
        match relative.split_once('/') {
            Some((dir, path)) => {
                name.get_or_insert_with(|| dir.to_owned());
                files.push((path.to_owned(), file.into()));
            }
            None => files.push((file.name(), file.into())),
        }
    }
    Ok((name.unwrap_or_else(|| basename(remote)), files))
}
