//! What the Files tab shows, as kept in its URL: `?path=DIR`, or `?file=FILE[&line=N]`.

use crate::files::path;

/// A directory listing, or a file (scrolled to a line).
#[derive(Clone, Debug, PartialEq)]
pub enum FilesView {
    /// The listing of this directory.
    Dir(String),
    /// This file, with `line` (1-based) marked.
    File {
        /// The file.
        path: String,
        /// A line to scroll to.
        line: Option<u32>,
    },
}

impl FilesView {
    /// The view a URL's query asks for (`param(key)` reads it); `None` without a path.
    pub fn from_query(param: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let given = |k: &str| param(k).filter(|v| !v.trim().is_empty());
        if let Some(file) = given("file") {
            let line = given("line").and_then(|l| l.parse().ok()).filter(|&l| l > 0);
            return Some(Self::File { path: path::normalize(&file), line });
        }
        given("path").map(|d| Self::Dir(path::normalize(&d)))
    }

    /// The directory shown or holding the file shown.
    pub fn dir(&self) -> String {
        match self {
            Self::Dir(d) => d.clone(),
            Self::File { path: p, .. } => path::parent(p),
        }
    }

    /// The path shown (directory or file).
    pub fn path(&self) -> &str {
        match self {
            Self::Dir(p) | Self::File { path: p, .. } => p,
        }
    }

    /// The URL of this view in the Files tab of sandbox `sandbox`.
    pub fn href(&self, sandbox: &str) -> String {
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        let query = match self {
            Self::Dir(d) => format!("path={}", enc(d)),
            Self::File { path: p, line: None } => format!("file={}", enc(p)),
            Self::File { path: p, line: Some(l) } => format!("file={}&line={l}", enc(p)),
        };
        format!("/sandboxes/{sandbox}/files?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_query() {
        let q = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(FilesView::from_query(q(&[])), None);
        assert_eq!(
            FilesView::from_query(q(&[("path", "/home/daytona/")])),
            Some(FilesView::Dir("/home/daytona".into()))
        );
        assert_eq!(
            FilesView::from_query(q(&[("path", "/x"), ("file", "/a/b.rs"), ("line", "7")])),
            Some(FilesView::File { path: "/a/b.rs".into(), line: Some(7) })
        );
        assert_eq!(FilesView::File { path: "/a/b.rs".into(), line: Some(0) }.dir(), "/a");
    }
}
