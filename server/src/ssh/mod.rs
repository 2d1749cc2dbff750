//! The SSH gateway: `ssh -p <port> <token>@<host>` logs into the sandbox that the SSH access
//! `token` opens (`POST /sandbox/{id}/ssh-access`), with OpenSSH's clients as they are:
//! interactive logins on a terminal with window changes, commands with their exit codes,
//! `sftp` and `scp` (through the image's `sftp-server`), and `ssh -L` into the sandbox's own
//! `localhost` (what VS Code's Remote-SSH uses).
//!
//! The SSH protocol ends here, on the host (russh): host key, key exchange, encryption, the
//! token check. Nothing of it reaches the sandbox: each session channel becomes a framed
//! stream to the sandbox's agent, which runs the shell or command as the sandbox user inside
//! the jail (`agent::ssh`), and each forwarded connection a tunnel to the sandbox's port
//! (`agent::tunnel`), as for previews. A channel counts as activity for auto-stop while open.

mod channel;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use russh::keys::{HashAlg, PrivateKey};
use russh::server::{Auth, Msg, Session};
use russh::{Channel, ChannelId, MethodKind, MethodSet};

use crate::app::state::AppState;

/// The gateway's default port.
pub const DEFAULT_PORT: u16 = 2222;

/// What clients learn of the gateway (`GET /config`, `sshCommand`).
#[derive(Clone, Debug)]
pub struct GatewayInfo {
    /// The port it listens on.
    pub port: u16,
    /// Its host key in `known_hosts` form (`ssh-ed25519 AAAA…`).
    pub host_key: String,
    /// The host key's SHA-256 fingerprint (`SHA256:…`).
    pub fingerprint: String,
}

/// Loads the gateway's Ed25519 host key from `dir` (its 32-byte seed, hex), making one the
/// first time: the key stays the same across restarts, so `known_hosts` entries do too.
pub fn load_or_create_host_key(dir: &Path) -> Result<PrivateKey, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join("ssh-host-ed25519.seed");
    let hex = match std::fs::read_to_string(&path) {
        Ok(hex) => hex,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed: [u8; 32] = rand::random();
            let hex = daytona_models::hex(&seed);
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            std::io::Write::write_all(&mut file, hex.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
            hex
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let bytes: Vec<u8> = (0..hex.trim().len())
        .step_by(2)
        .filter_map(|i| hex.trim().get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect();
    let seed: [u8; 32] = bytes.try_into().map_err(|_| format!("{}: not a 32-byte hex seed", path.display()))?;
    let keypair = russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&seed);
    PrivateKey::new(keypair.into(), "daytona-local").map_err(|e| e.to_string())
}

/// Most SSH connections open at once; further clients wait to be accepted until one closes.
const MAX_CONNECTIONS: usize = 512;
/// How long a new connection may take to say which SSH it speaks.
const HELLO_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves the gateway on `listener` with `host_key` until the process ends.
pub async fn serve(st: Arc<AppState>, listener: tokio::net::TcpListener, host_key: PrivateKey) {
    let config = Arc::new(russh::server::Config {
        server_id: russh::SshId::Standard("SSH-2.0-daytona-local".into()),
        methods: MethodSet::from(&[MethodKind::PublicKey][..]),
        // The first `none` probe of a client is answered at once; a wrong token slowly.
        auth_rejection_time: std::time::Duration::from_millis(500),
        auth_rejection_time_initial: Some(std::time::Duration::ZERO),
        keys: vec![host_key],
        // A client that answers nothing, not even keepalives, for 5 minutes is gone; an idle
        // shell whose client answers the keepalives stays.
        inactivity_timeout: Some(std::time::Duration::from_secs(300)),
        keepalive_interval: Some(std::time::Duration::from_secs(30)),
        nodelay: true,
        ..Default::default()
    });
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else { return };
        let (socket, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors, a connection reset before it was accepted: not the end.
                tracing::warn!("SSH gateway: accepting a connection: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        let handler = Connection { st: Arc::clone(&st), peer: Some(peer), token: None };
        let config = Arc::clone(&config);
        tokio::spawn(async move {
            let _permit = permit;
            match tokio::time::timeout(HELLO_WITHIN, russh::server::run_stream(config, socket, handler)).await {
                Ok(Ok(session)) => {
                    if let Err(e) = session.await {
                        tracing::debug!("ssh session of {peer}: {e:?}");
                    }
                }
                Ok(Err(e)) => tracing::debug!("ssh handshake with {peer}: {e:?}"),
                Err(_) => tracing::debug!("ssh: {peer} said nothing within {HELLO_WITHIN:?}"),
            }
        });
    }
}

/// Describes the gateway listening on `port` with `key`.
pub fn info(port: u16, key: &PrivateKey) -> GatewayInfo {
    let public = key.public_key();
    GatewayInfo {
        port,
        host_key: public.to_openssh().map(|k| k.trim_end_matches(" daytona-local").to_owned()).unwrap_or_default(),
        fingerprint: public.fingerprint(HashAlg::Sha256).to_string(),
    }
}

/// One client's connection.
pub struct Connection {
    st: Arc<AppState>,
    peer: Option<SocketAddr>,
    /// The access token it logged in with.
    token: Option<String>,
}

impl Connection {
    /// Accepts `user` if it is an unexpired access token.
    fn check(&mut self, user: &str) -> Auth {
        match self.st.find_ssh_access(user, crate::time::now_ms()) {
            Some(rec) => {
                tracing::info!("ssh: {:?} logs into sandbox {}", self.peer, rec.dto.id);
                self.token = Some(user.to_owned());
                Auth::Accept
            }
            None => Auth::reject(),
        }
    }

    /// The sandbox the connection's token opens now (it may have expired or been revoked since
    /// the login).
    fn sandbox(&self) -> Result<String, String> {
        let token = self.token.as_deref().ok_or("not logged in")?;
        self.st
            .find_ssh_access(token, crate::time::now_ms())
            .map(|rec| rec.dto.id)
            .ok_or_else(|| "this SSH access token has expired or was revoked".into())
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_none(&mut self, user: &str) -> Result<Auth, Self::Error> {
        Ok(self.check(user))
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        _offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(self.check(user))
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        _key: russh::server::VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(self.check(user))
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let sandbox = self.sandbox();
        reply.accept().await;
        let st = Arc::clone(&self.st);
        tokio::spawn(async move { channel::session(st, sandbox, channel).await });
        Ok(())
    }

    async fn channel_open_direct_tcpip(
        &mut self,
        channel: Channel<Msg>,
        host: &str,
        port: u32,
        _originator_address: &str,
        _originator_port: u32,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let opened = match self.sandbox() {
            Ok(id) => channel::open_tunnel(&self.st, &id, host, port).await.map(|t| (id, t)),
            Err(e) => Err(e),
        };
        match opened {
            Ok((id, tunnel)) => {
                reply.accept().await;
                let st = Arc::clone(&self.st);
                tokio::spawn(async move { channel::relay(st, id, channel, tunnel).await });
            }
            Err(why) => {
                tracing::debug!("ssh: forwarding to {host}:{port} refused: {why}");
                reply.reject(russh::ChannelOpenFailure::Other { code: 2, reason: why }).await;
            }
        }
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _cols: u32,
        _rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if channel::accepts_env(name) {
            session.channel_success(channel)
        } else {
            session.channel_failure(channel)
        }
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if name == "sftp" {
            session.channel_success(channel)
        } else {
            session.channel_failure(channel)
        }
    }
}
