//! The Dockerfile text of the SDKs' declarative `Image` builder: what each builder call adds,
//! byte for byte as the official Python SDK writes it (its `shlex.quote`, `json.dumps`,
//! sorting and spacing), so that the same chain of calls names the same build (`buildInfo`'s
//! hash, and with it the snapshot daytona-local or Daytona reuses). The SDK's `Image` keeps the
//! contexts beside it; this is the text alone.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::Quoted;

/// Python series the official SDK supports in `debian_slim`, each with its latest micro
/// version.
pub const PYTHON_VERSIONS: [&str; 5] = ["3.9.22", "3.10.17", "3.11.12", "3.12.10", "3.13.3"];

/// The series `debian_slim` uses when given none (the Python SDK takes its own interpreter's;
/// a browser has none).
pub const DEFAULT_PYTHON_SERIES: &str = "3.12";

/// Options of the pip-install calls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipOptions {
    /// `--find-links`, each.
    pub find_links: Vec<String>,
    /// `--index-url`.
    pub index_url: Option<String>,
    /// `--extra-index-url`, each.
    pub extra_index_urls: Vec<String>,
    /// `--pre`.
    pub pre: bool,
    /// Passed to pip as written (trimmed).
    pub extra_options: String,
}

impl PipOptions {
    /// The arguments after the packages, as the Python SDK formats them.
    fn args(&self) -> String {
        let mut out = String::new();
        for link in &self.find_links {
            out += &format!(" --find-links {}", shell_quote(link));
        }
        if let Some(url) = self.index_url.as_deref().filter(|u| !u.is_empty()) {
            out += &format!(" --index-url {}", shell_quote(url));
        }
        for url in &self.extra_index_urls {
            out += &format!(" --extra-index-url {}", shell_quote(url));
        }
        if self.pre {
            out += " --pre";
        }
        let extra = self.extra_options.trim();
        if !extra.is_empty() {
            out += &format!(" {extra}");
        }
        out
    }
}

/// A command of `run_commands`: a shell line, or an argument list (each argument quoted as
/// the Python SDK quotes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunCommand {
    /// `RUN <line>`.
    Shell(String),
    /// `RUN "a" "b"`.
    Args(Vec<String>),
}

/// A Dockerfile being built up by the `Image` builder's calls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dockerfile {
    text: String,
}

impl Dockerfile {
    /// `Image.base(image)`.
    pub fn base(image: &str) -> Self {
        Self { text: format!("FROM {image}\n") }
    }

    /// `Image.debian_slim(python_version)`: Debian's slim Python image of that version (a
    /// series gets its latest micro version), with build tools and an upgraded pip.
    pub fn debian_slim(python_version: Option<&str>) -> Result<Self, String> {
        let version = python_version_of(python_version.unwrap_or(DEFAULT_PYTHON_SERIES))?;
        let lines = [
            format!("FROM python:{version}-slim-bookworm"),
            "RUN apt-get update".into(),
            "RUN apt-get install -y gcc gfortran build-essential".into(),
            "RUN pip install --upgrade pip".into(),
            "RUN echo 'debconf debconf/frontend select Noninteractive' | debconf-set-selections".into(),
        ];
        Ok(Self { text: lines.join("\n") + "\n" })
    }

    /// `Image.from_dockerfile` / a Dockerfile's text as it is.
    pub fn from_text(text: &str) -> Self {
        Self { text: text.to_owned() }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `pip_install(*packages, …)`: nothing for no packages; else one `RUN`, packages sorted.
    pub fn pip_install(&mut self, packages: &[&str], options: &PipOptions) -> &mut Self {
        if packages.is_empty() {
            return self;
        }
        let mut sorted = packages.to_vec();
        sorted.sort_unstable();
        let joined: Vec<String> = sorted.iter().map(|p| shell_quote(p)).collect();
        self.text += &format!("RUN python -m pip install {}{}\n", joined.join(" "), options.args());
        self
    }

    /// `pip_install_from_pyproject(…)` of a `pyproject.toml`'s text: its `[project]`
    /// dependencies and those of the `optional` groups it has (one it lacks is skipped, as the
    /// official SDKs skip it), installed as [`Self::pip_install`] installs packages. The error
    /// says what the file lacks (in the official SDKs' words where they have them). It takes
    /// the file's text: a browser has no path to read.
    pub fn pip_install_from_pyproject(
        &mut self,
        pyproject: &str,
        optional: &[&str],
        options: &PipOptions,
    ) -> Result<&mut Self, String> {
        const GUIDE: &str = "See https://packaging.python.org/en/latest/guides/writing-pyproject-toml for further file format guidelines.";
        // toml's parsed document, read as it is (no serde Value: floats and dates stay text,
        // and the npm package carries no float parser or formatter for them).
        let doc =
            toml::de::DeTable::parse(pyproject).map_err(|e| format!("Invalid pyproject.toml file: {}", e.message()))?;
        let doc = doc.get_ref();
        let Some(project) = table_get(doc, "project").and_then(|v| as_table(v)) else {
            return Err(format!("No [project] section in pyproject.toml file. {GUIDE}"));
        };
        let Some(declared) = table_get(project, "dependencies").and_then(|v| as_array(v)) else {
            return Err(format!("No [project.dependencies] section in pyproject.toml file. {GUIDE}"));
        };
        // A requirement is a string (PEP 508); pip could install nothing else.
        fn text<'a>(v: &'a Spanned<DeValue<'_>>) -> Result<&'a str, &'static str> {
            match v.get_ref() {
                DeValue::String(s) => Ok(s),
                _ => Err("dependencies in pyproject.toml must be strings"),
            }
        }
        let mut packages: Vec<&str> = declared.iter().map(text).collect::<Result<_, _>>()?;
        if !optional.is_empty() {
            let groups = match table_get(project, "optional-dependencies") {
                None => None,
                Some(v) => Some(as_table(v).ok_or("optional-dependencies must be a mapping in pyproject.toml")?),
            };
            for name in optional {
                let Some(group) = groups.and_then(|g| table_get(g, name)) else { continue };
                let group = as_array(group).ok_or_else(|| format!("optional-dependencies.{name} must be an array"))?;
                for dep in group {
                    packages.push(text(dep)?);
                }
            }
        }
        Ok(self.pip_install(&packages, options))
    }

    /// `pip_install_from_requirements(path, …)`, the file at `archive_path` in the contexts.
    pub fn pip_install_from_requirements(&mut self, archive_path: &str, options: &PipOptions) -> &mut Self {
        self.text += &format!("COPY {archive_path} /.requirements.txt\n");
        self.text += &format!("RUN python -m pip install -r /.requirements.txt{}\n", options.args());
        self
    }

    /// `add_local_file` / `add_local_dir`: the context at `archive_path` copied to
    /// `remote_path` (for a file, a `remote_path` ending in `/` gets the file's name).
    pub fn copy(&mut self, archive_path: &str, remote_path: &str, is_file: bool) -> &mut Self {
        let remote = match remote_path.ends_with('/') && is_file {
            true => format!("{remote_path}{}", archive_path.rsplit('/').next().unwrap_or(archive_path)),
            false => remote_path.to_owned(),
        };
        self.text += &format!("COPY [{}, {}]\n", json_string(archive_path), json_string(&remote));
        self
    }

    /// `run_commands(*commands)`.
    pub fn run_commands(&mut self, commands: &[RunCommand]) -> &mut Self {
        for command in commands {
            match command {
                RunCommand::Shell(line) => self.text += &format!("RUN {line}\n"),
                RunCommand::Args(args) => {
                    let quoted: Vec<String> = args
                        .iter()
                        .map(|a| format!("\"{}\"", a.replace('"', "\\\\\\\"").replace('\'', "\\'")))
                        .collect();
                    self.text += &format!("RUN {}\n", quoted.join(" "));
                }
            }
        }
        self
    }

    /// `env({...})`, in the order given.
    pub fn env(&mut self, vars: &[(&str, &str)]) -> &mut Self {
        for (key, value) in vars {
            self.text += &format!("ENV {key}={}\n", shell_quote(value));
        }
        self
    }

    /// `workdir(path)`.
    pub fn workdir(&mut self, path: &str) -> &mut Self {
        self.text += &format!("WORKDIR {}\n", shell_quote(path));
        self
    }

    /// `entrypoint([...])`.
    pub fn entrypoint(&mut self, args: &[&str]) -> &mut Self {
        self.text += &format!("ENTRYPOINT [{}]\n", exec_form(args));
        self
    }

    /// `cmd([...])`.
    pub fn cmd(&mut self, args: &[&str]) -> &mut Self {
        self.text += &format!("CMD [{}]\n", exec_form(args));
        self
    }

    /// `dockerfile_commands([...])`: the lines as they are.
    pub fn dockerfile_commands(&mut self, lines: &[&str]) -> &mut Self {
        self.text += &(lines.join("\n") + "\n");
        self
    }
}

/// The exec form's inside as the Python SDK writes it: each argument in double quotes,
/// unescaped.
fn exec_form(args: &[&str]) -> String {
    match args.is_empty() {
        true => String::new(),
        false => format!("\"{}\"", args.join("\", \"")),
    }
}

/// `python_version` checked (`3.N` or `3.N.M`, a supported series) and completed to a micro
/// version.
fn python_version_of(version: &str) -> Result<String, String> {
    // `^3(?:\.\d{1,2}){1,2}(rc\d*)?$`, as the Python SDK checks it.
    let base = match version.find("rc") {
        Some(at) if version[at + 2..].bytes().all(|b| b.is_ascii_digit()) => &version[..at],
        _ => version,
    };
    let parts: Vec<&str> = base.split('.').collect();
    let well_formed = parts.first() == Some(&"3")
        && (2..=3).contains(&parts.len())
        && parts[1..].iter().all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(format!("Invalid Python version: {}", Quoted(version)));
    }
    let components: Vec<&str> = version.split('.').collect();
    let series = format!("{}.{}", components[0], components[1]);
    let latest = PYTHON_VERSIONS.iter().find(|v| v.rsplit_once('.').is_some_and(|(s, _)| s == series));
    let Some(latest) = latest else {
        let supported: Vec<&str> = PYTHON_VERSIONS.iter().filter_map(|v| v.rsplit_once('.').map(|(s, _)| s)).collect();
        return Err(format!(
            "Unsupported Python version: {}. Daytona supports the series {}.",
            Quoted(version),
            supported.join(", ")
        ));
    };
    match components.len() > 2 {
        true => Ok(version.to_owned()),
        false => Ok((*latest).to_owned()),
    }
}

/// The path a context has in its archive, as the official SDKs compute it from a local path:
/// normalised (`.` and `..` resolved, repeated `/` collapsed), without a leading `/`.
pub fn archive_base_path(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            other => parts.push(other),
        }
    }
    match parts.is_empty() {
        true if absolute => String::new(),
        true => ".".into(),
        false => parts.join("/"),
    }
}

/// `shlex.quote`: as it is when made only of letters, digits and `@%+=:,./-_`; else in single
/// quotes (a `'` inside written `'"'"'`); `''` for the empty string.
pub fn shell_quote(s: &str) -> String {
    if s.is_empty() {
        return "''".into();
    }
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./-_".contains(&b)) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

/// A string as Python's `json.dumps` writes it (ASCII only: other characters as `\uXXXX`,
/// surrogate pairs beyond the BMP).
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            '\u{8}' => out += "\\b",
            '\u{c}' => out += "\\f",
            c if (c as u32) < 0x20 || !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out += &format!("\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The value of `key` in a parsed TOML table.
fn table_get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
    table.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

/// `v` as a TOML table.
fn as_table<'t, 'i>(v: &'t Spanned<DeValue<'i>>) -> Option<&'t DeTable<'i>> {
    match v.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

/// `v` as a TOML array.
fn as_array<'t, 'i>(v: &'t Spanned<DeValue<'i>>) -> Option<&'t [Spanned<DeValue<'i>>]> {
    match v.get_ref() {
        DeValue::Array(a) => Some(a),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_python() {
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("requests==2.31"), "requests==2.31");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\"'\"'s'");
        assert_eq!(json_string("a\"b\\é😀\n"), "\"a\\\"b\\\\\\u00e9\\ud83d\\ude00\\n\"");
        assert_eq!(archive_base_path("/home/u/./a//b/../c.txt"), "home/u/a/c.txt");
        assert_eq!(archive_base_path("../x"), "../x");
        assert_eq!(archive_base_path("./"), ".");
    }

    #[test]
    fn python_versions_complete_to_their_latest_micro() {
        assert_eq!(python_version_of("3.12").unwrap(), "3.12.10");
        assert_eq!(python_version_of("3.11.4").unwrap(), "3.11.4");
        assert!(python_version_of("2.7").is_err());
        assert!(python_version_of("3.8").is_err());
        assert!(python_version_of("3.12; rm").is_err());
        assert!(python_version_of("3.12rc1").is_err(), "as the Python SDK: series 3.12rc1 is not supported");
        assert_eq!(python_version_of("3.12.0rc1").unwrap(), "3.12.0rc1");
    }
}
