//! Container registries an organization pulls images from with its own credentials
//! (`/docker-registry`), and the registry an image reference names.

use crate::Quoted;
use serde::{Deserialize, Serialize};

/// What a registry is for (`registryType` in Daytona's API). Registries users add are
/// `organization` ones; the others are Daytona's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum RegistryType {
    /// Daytona's internal registry.
    Internal,
    /// One of the organization's.
    Organization,
    /// A short-lived one of Daytona's.
    Transient,
    /// Daytona's backup registry.
    Backup,
}

/// A registry as the control plane describes it (`DockerRegistry`): never its password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct DockerRegistry {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its URL (`https://ghcr.io`, `registry.example.com:5000`).
    pub url: String,
    /// The user its credentials are of.
    pub username: String,
    /// Project (a path prefix of the images it serves, as Harbor's), or empty.
    #[serde(default)]
    pub project: String,
    /// What it is for.
    pub registry_type: RegistryType,
    /// Creation time (ISO 8601).
    pub created_at: String,
    /// Last change (ISO 8601).
    pub updated_at: String,
}

/// Body of `POST /docker-registry`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct CreateDockerRegistry {
    /// Display name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// User name.
    pub username: String,
    /// Password or access token.
    pub password: String,
    /// Project (path prefix), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub project: Option<String>,
}

/// Body of `PATCH /docker-registry/{id}`: a password or project left out keeps the stored one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct UpdateDockerRegistry {
    /// Display name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// User name.
    pub username: String,
    /// A new password, or none to keep the stored one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub password: Option<String>,
    /// A new project (path prefix), or none to keep the stored one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub project: Option<String>,
}

/// Docker Hub's canonical host, as image references without a registry name it.
pub const DOCKER_HUB: &str = "docker.io";

/// The names Docker Hub goes by (all mean [`DOCKER_HUB`]).
const DOCKER_HUB_ALIASES: [&str; 5] =
    ["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com"];

/// A registry host as compared: lowercase, Docker Hub's aliases as [`DOCKER_HUB`].
fn canonical_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    if DOCKER_HUB_ALIASES.contains(&host.as_str()) {
        DOCKER_HUB.into()
    } else {
        host
    }
}

/// `host[:port]` split into its name and port (a last `:` followed by digits only).
fn split_port(address: &str) -> (&str, Option<&str>) {
    match address.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => (name, Some(port)),
        _ => (address, None),
    }
}

/// A registry's address from a registry URL as users write it: `host[:port]` (Docker Hub's
/// aliases as [`DOCKER_HUB`], HTTPS's own port 443 left out, as image references write it)
/// and whether it named plain `http://`. The API path Docker's own settings end with (`/v1/`,
/// `/v2/`) is allowed; a scheme other than `http`/`https`, another path, credentials or
/// characters a host name has not are refused.
pub fn registry_address(url: &str) -> Result<(String, bool), String> {
    let bad = || {
        Err(format!(
            "Invalid registry URL {}: give host[:port], optionally after https:// (e.g. https://ghcr.io)",
            Quoted(url)
        ))
    };
    let trimmed = url.trim();
    let (rest, plain) = match trimmed.split_once("://") {
        None => (trimmed, false),
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => (rest, false),
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => (rest, true),
        Some(_) => return bad(),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let host = ["/v1", "/v2"].iter().find_map(|api| rest.strip_suffix(api)).unwrap_or(rest);
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    if !name_ok || !port_ok {
        return bad();
    }
    let host = if !plain && port == Some("443") { name } else { host };
    Ok((canonical_host(host), plain))
}

/// The registry an image reference names, `host[:port]` ([`DOCKER_HUB`] for references such
/// as `python:3.12` or `library/python:3.12`), and the path within it.
pub fn image_registry(image: &str) -> (String, &str) {
    match image.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (canonical_host(first), rest),
        _ => (DOCKER_HUB.into(), image),
    }
}

/// Whether a registry address (`host[:port]`) is on a loopback address.
pub fn is_loopback_registry(address: &str) -> bool {
    let (name, _) = split_port(address);
    name == "localhost" || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks a registry's fields: a name of 1–255 characters, a user name, and a project of
/// path characters (it prefixes image paths).
pub fn check_registry_fields(name: &str, username: &str, project: Option<&str>) -> Result<(), String> {
    if name.trim().is_empty() || name.len() > 255 {
        return Err("A registry needs a name of 1-255 characters".into());
    }
    // Basic auth joins user and password with ':', so a user name cannot hold one.
    let bad_char = |c: char| c.is_control() || c.is_whitespace() || c == ':';
    if username.is_empty() || username.len() > 255 || username.chars().any(bad_char) {
        return Err("A registry needs a user name of 1-255 characters, without spaces or ':'".into());
    }
    let project_ok = |p: &str| {
        p.len() <= 255 && !p.starts_with('/') && p.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
    };
    match project {
        Some(p) if !project_ok(p) => Err(format!("Invalid registry project {}", Quoted(p))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_urls_become_addresses() {
        let ok = |u: &str| registry_address(u).unwrap();
        assert_eq!(ok("https://ghcr.io"), ("ghcr.io".into(), false));
        assert_eq!(ok("ghcr.io/"), ("ghcr.io".into(), false));
        assert_eq!(ok("HTTP://127.0.0.1:5000"), ("127.0.0.1:5000".into(), true));
        assert_eq!(ok("https://registry.hub.docker.com"), (DOCKER_HUB.into(), false));
        assert_eq!(ok("Index.Docker.io"), (DOCKER_HUB.into(), false));
        assert_eq!(ok("https://index.docker.io/v1/"), (DOCKER_HUB.into(), false), "Docker's own config key");
        assert_eq!(ok("https://ghcr.io:443"), ("ghcr.io".into(), false), "as image references write it");
        assert_eq!(ok("ghcr.io/v2"), ("ghcr.io".into(), false));
        assert_eq!(ok("http://127.0.0.1:443"), ("127.0.0.1:443".into(), true));
        for bad in [
            "",
            "ftp://x.io",
            "https://u:p@x.io",
            "x.io/path",
            "x.io/v3",
            "x.io:0",
            "x.io:99999",
            "-x.io",
            "x..io",
            "x.io;rm",
            "[::1]:5000",
        ] {
            assert!(registry_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn images_name_their_registry() {
        assert_eq!(image_registry("python:3.12"), (DOCKER_HUB.into(), "python:3.12"));
        assert_eq!(image_registry("library/python:3.12"), (DOCKER_HUB.into(), "library/python:3.12"));
        assert_eq!(image_registry("ghcr.io/a/b:1"), ("ghcr.io".into(), "a/b:1"));
        assert_eq!(image_registry("localhost/x:1"), ("localhost".into(), "x:1"));
        assert_eq!(image_registry("127.0.0.1:5000/t/b:1"), ("127.0.0.1:5000".into(), "t/b:1"));
        assert_eq!(image_registry("index.docker.io/library/x:1"), (DOCKER_HUB.into(), "library/x:1"));
    }

    #[test]
    fn only_loopback_registries_are_loopback() {
        assert!(is_loopback_registry("127.0.0.1:5000"));
        assert!(is_loopback_registry("localhost:5000"));
        assert!(is_loopback_registry("localhost"));
        assert!(!is_loopback_registry("docker.io"));
        assert!(!is_loopback_registry("10.0.0.1:5000"));
        assert!(!is_loopback_registry("localhost.evil.com"));
    }

    #[test]
    fn registry_fields_are_checked() {
        assert!(check_registry_fields("hub", "me", None).is_ok());
        assert!(check_registry_fields("hub", "me", Some("team/x")).is_ok());
        assert!(check_registry_fields(" ", "me", None).is_err());
        assert!(check_registry_fields("hub", "", None).is_err());
        assert!(check_registry_fields("hub", "a\nb", None).is_err());
        assert!(check_registry_fields("hub", "a:b", None).is_err());
        assert!(check_registry_fields("hub", "me", Some("/x")).is_err());
        assert!(check_registry_fields("hub", "me", Some("a b")).is_err());
    }
}
