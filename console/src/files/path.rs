//! Absolute paths inside a sandbox, handled as text (`/`-separated, no trailing slash).

/// `name` inside directory `dir`; an absolute `name` stands for itself.
pub fn join(dir: &str, name: &str) -> String {
    if name.starts_with('/') {
        normalize(name)
    } else {
        normalize(&format!("{dir}/{name}"))
    }
}

/// `path` with `.` and empty segments removed and `..` resolved; always absolute.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The directory containing `path` (`/` for `/` itself).
pub fn parent(path: &str) -> String {
    match normalize(path).rsplit_once('/') {
        Some(("", _)) | None => "/".into(),
        Some((dir, _)) => dir.into(),
    }
}

/// The last segment of `path` (`/` for the root).
pub fn base_name(path: &str) -> String {
    let path = normalize(path);
    match path.rsplit_once('/') {
        Some((_, "")) | None => "/".into(),
        Some((_, name)) => name.into(),
    }
}

/// `path` and every directory above it, root first: `/a/b` → `/`, `/a`, `/a/b`.
pub fn ancestors(path: &str) -> Vec<String> {
    let path = normalize(path);
    let mut out = vec!["/".to_owned()];
    let mut at = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        at.push('/');
        at.push_str(part);
        out.push(at.clone());
    }
    out
}

/// The extension of `name`, lower-cased (`None` for none or a dot file).
pub fn extension(name: &str) -> Option<String> {
    let name = base_name(name);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => Some(ext.to_ascii_lowercase()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_normalizes() {
        assert_eq!(join("/home/daytona", "src"), "/home/daytona/src");
        assert_eq!(join("/home/daytona/", "../x/./y/"), "/home/x/y");
        assert_eq!(join("/a", "/etc"), "/etc");
        assert_eq!(normalize("/../.."), "/");
    }

    #[test]
    fn splits_paths() {
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(parent("/"), "/");
        assert_eq!(base_name("/a/b.txt"), "b.txt");
        assert_eq!(base_name("/"), "/");
        assert_eq!(ancestors("/a/b"), ["/", "/a", "/a/b"]);
        assert_eq!(ancestors("/"), ["/"]);
    }

    #[test]
    fn extensions() {
        assert_eq!(extension("/p/Main.RS").as_deref(), Some("rs"));
        assert_eq!(extension("/p/.bashrc"), None);
        assert_eq!(extension("/p/Makefile"), None);
    }
}
