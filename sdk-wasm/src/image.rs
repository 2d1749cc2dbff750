//! `Image`: a declarative image, built by the control plane into the snapshot a sandbox runs
//! on. Its Dockerfile text is [`daytona_models::Dockerfile`]'s, byte for byte the official
//! SDKs' for the same calls (so the same image names the same build); its local contexts are
//! browser `Blob`s (a `File` from an input or a drop, or the files of a directory picked with
//! their relative paths), uploaded by [`crate::object_storage`] when a sandbox or snapshot is
//! created from it.

use daytona_models::{archive_base_path, Dockerfile, PipOptions, RunCommand};
use web_sys::Blob;

use crate::DaytonaError;

/// One local context: what the Dockerfile's `COPY` names as `archive_path`.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    /// Its path in the archive (and in the Dockerfile).
    pub archive_path: String,
    /// A file (one entry, no relative path) or a directory's files (relative paths).
    pub files: Vec<(String, Blob)>,
    /// Whether it is a directory.
    pub is_dir: bool,
}

/// A declarative image (`Image` in `@daytonaio/sdk`).
#[derive(Clone, Debug)]
pub struct Image {
    dockerfile: Dockerfile,
    pub(crate) contexts: Vec<Context>,
}

impl Image {
    fn of(dockerfile: Dockerfile) -> Self {
        Self { dockerfile, contexts: Vec::new() }
    }

    /// An image from `image` (a registry reference).
    pub fn base(image: &str) -> Self {
        Self::of(Dockerfile::base(image))
    }

    /// Debian's slim Python image of `python_version` (`3.9` to `3.13`, or a micro version;
    /// default [`daytona_models::DEFAULT_PYTHON_SERIES`]) with build tools and an upgraded pip.
    pub fn debian_slim(python_version: Option<&str>) -> Result<Self, DaytonaError> {
        Dockerfile::debian_slim(python_version).map(Self::of).map_err(DaytonaError::InvalidArgument)
    }

    /// An image from a Dockerfile's text (its `COPY` sources are not uploaded: add them with
    /// [`Self::add_local_file`] or [`Self::add_local_dir`]).
    pub fn from_dockerfile(text: &str) -> Self {
        Self::of(Dockerfile::from_text(text))
    }

    /// The Dockerfile.
    pub fn dockerfile(&self) -> &str {
        self.dockerfile.as_str()
    }

    /// `pip install` of `packages` (sorted, as the official SDKs write them).
    pub fn pip_install(mut self, packages: &[&str], options: &PipOptions) -> Self {
        self.dockerfile.pip_install(packages, options);
        self
    }

    /// `pip install` of a `pyproject.toml`'s `[project]` dependencies and those of its
    /// `optional` groups (`pyproject`: the file's text, e.g. from `File.text()`); an error says
    /// what the file lacks.
    pub fn pip_install_from_pyproject(
        mut self,
        pyproject: &str,
        optional: &[&str],
        options: &PipOptions,
    ) -> Result<Self, DaytonaError> {
        self.dockerfile
            .pip_install_from_pyproject(pyproject, optional, options)
            .map_err(DaytonaError::InvalidArgument)?;
        Ok(self)
    }

    /// `pip install -r` of a requirements file (`name`: its local path or file name).
    pub fn pip_install_from_requirements(mut self, name: &str, requirements: Blob, options: &PipOptions) -> Self {
        let archive_path = archive_base_path(name);
        self.dockerfile.pip_install_from_requirements(&archive_path, options);
        self.contexts.push(Context { archive_path, files: vec![(String::new(), requirements)], is_dir: false });
        self
    }

    /// Copies a local file (`name`: its local path or file name) to `remote_path` (ending in
    /// `/`: into that directory).
    pub fn add_local_file(mut self, name: &str, file: Blob, remote_path: &str) -> Self {
        let archive_path = archive_base_path(name);
        self.dockerfile.copy(&archive_path, remote_path, true);
        self.contexts.push(Context { archive_path, files: vec![(String::new(), file)], is_dir: false });
        self
    }

    /// Copies a local directory (`name`, with `files` under it by relative path) to
    /// `remote_path`.
    pub fn add_local_dir(mut self, name: &str, files: Vec<(String, Blob)>, remote_path: &str) -> Self {
        let archive_path = archive_base_path(name);
        self.dockerfile.copy(&archive_path, remote_path, false);
        self.contexts.push(Context { archive_path, files: Vec::new(), is_dir: true });
        self.set_dir_files(self.contexts.len() - 1, files);
        self
    }

    /// Sets the files of directory context `index` (paths relative to it, as
    /// [`Self::add_local_dir`] takes them): the JS face reads a `FileSystemDirectoryHandle`'s
    /// files only when the image's contexts are uploaded.
    pub(crate) fn set_dir_files(&mut self, index: usize, files: Vec<(String, Blob)>) {
        let mut files: Vec<(String, Blob)> =
            files.into_iter().map(|(path, blob)| (archive_base_path(&path), blob)).collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(context) = self.contexts.get_mut(index) {
            context.files = files;
        }
    }

    /// A local file sent with the image's contexts without a `COPY` of its own: a source the
    /// Dockerfile of [`Self::from_dockerfile`] copies (`name`: its path there).
    pub fn add_context_file(mut self, name: &str, file: Blob) -> Self {
        self.contexts.push(Context {
            archive_path: archive_base_path(name),
            files: vec![(String::new(), file)],
            is_dir: false,
        });
        self
    }

    /// `RUN` lines.
    pub fn run_commands(mut self, commands: &[RunCommand]) -> Self {
        self.dockerfile.run_commands(commands);
        self
    }

    /// `ENV` lines, in the order given.
    pub fn env(mut self, vars: &[(&str, &str)]) -> Self {
        self.dockerfile.env(vars);
        self
    }

    /// `WORKDIR`.
    pub fn workdir(mut self, path: &str) -> Self {
        self.dockerfile.workdir(path);
        self
    }

    /// `ENTRYPOINT`.
    pub fn entrypoint(mut self, args: &[&str]) -> Self {
        self.dockerfile.entrypoint(args);
        self
    }

    /// `CMD`.
    pub fn cmd(mut self, args: &[&str]) -> Self {
        self.dockerfile.cmd(args);
        self
    }

    /// Dockerfile lines as they are.
    pub fn dockerfile_commands(mut self, lines: &[&str]) -> Self {
        self.dockerfile.dockerfile_commands(lines);
        self
    }
}
