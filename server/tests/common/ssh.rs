//! OpenSSH's clients against the SSH gateway of a test server.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use super::*;

/// What `ssh` needs to log into one sandbox.
pub struct Login {
    /// The gateway's port.
    pub port: u16,
    /// The access token (the user name).
    pub token: String,
    /// A `known_hosts` file with the gateway's key.
    pub known_hosts: PathBuf,
}

impl Login {
    /// Options every OpenSSH client here gets: the gateway's host key from `GET /config`
    /// must match (strict checking), no agent, no config of the host's user.
    pub fn options(&self) -> Vec<String> {
        [
            "-F",
            "/dev/null",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            &format!("UserKnownHostsFile={}", self.known_hosts.display()),
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
            "-o",
            "IdentityAgent=none",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// `ssh` with `args` after the options and `-p`, fed `stdin`.
    pub fn ssh(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut cmd = Command::new("ssh");
        cmd.args(self.options()).arg("-p").arg(self.port.to_string()).args(args).env("TERM", "xterm-256color");
        run(cmd, stdin)
    }

    /// `ssh token@127.0.0.1 command`.
    pub fn exec(&self, command: &str) -> Output {
        self.ssh(&[&format!("{}@127.0.0.1", self.token), command], b"")
    }

    /// `scp` with `args` after the options and `-P`.
    pub fn scp(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("scp");
        cmd.args(self.options()).arg("-P").arg(self.port.to_string()).args(args);
        run(cmd, b"")
    }

    /// OpenSSH's `sftp` client running the commands of `batch` (`-b -`: it stops at the first
    /// that fails).
    pub fn sftp(&self, batch: &str) -> Output {
        let mut cmd = Command::new("sftp");
        cmd.args(self.options()).arg("-P").arg(self.port.to_string()).args(["-b", "-"]);
        cmd.arg(format!("{}@127.0.0.1", self.token));
        run(cmd, batch.as_bytes())
    }

    pub fn remote(&self, path: &str) -> String {
        format!("{}@127.0.0.1:{path}", self.token)
    }
}

/// Runs `cmd` with `stdin`, within 60 s.
pub fn run(mut cmd: Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("starting an OpenSSH client");
    let mut input = child.stdin.take().expect("stdin");
    let bytes = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(60));
        // SAFETY: kill(2) of our own child if it is still there after 60 s.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    });
    let out = child.wait_with_output().expect("waiting for the OpenSSH client");
    let _ = feeder.join();
    drop(watchdog);
    out
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The gateway's port and a `known_hosts` file with its host key, from `GET /config`.
pub async fn gateway(s: &Server, dir: &Path) -> (u16, PathBuf) {
    let (status, config) = s.get("/config").await;
    assert_eq!(status, StatusCode::OK);
    let port = config["sshGatewayPort"].as_u64().expect("sshGatewayPort") as u16;
    let key = config["sshGatewayHostKeys"][0].as_str().expect("sshGatewayHostKeys").to_owned();
    assert!(key.starts_with("ssh-ed25519 "), "{key}");
    assert!(config["sshGatewayHostKeyFingerprints"][0].as_str().is_some_and(|f| f.starts_with("SHA256:")));
    let known_hosts = dir.join("known_hosts");
    std::fs::write(&known_hosts, format!("[127.0.0.1]:{port} {key}\n")).expect("known_hosts");
    (port, known_hosts)
}

/// A new SSH access of sandbox `id`, valid for `minutes`.
pub async fn access(s: &Server, id: &str, minutes: u32) -> Value {
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/ssh-access?expiresInMinutes={minutes}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sandboxId"], id);
    body
}

pub async fn login(s: &Server, id: &str, dir: &Path) -> Login {
    let (port, known_hosts) = gateway(s, dir).await;
    let body = access(s, id, 60).await;
    let token = body["token"].as_str().expect("token").to_owned();
    assert_eq!(body["sshCommand"], format!("ssh -p {port} {token}@127.0.0.1"));
    Login { port, token, known_hosts }
}
