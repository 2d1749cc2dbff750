//! HTTP/1.1 over a sandbox's Unix socket: how the server reaches the toolbox agent.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper::upgrade::Upgraded;
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::UnixStream;

/// How long a connection to an agent may stay unused before it is closed.
const IDLE_FOR: Duration = Duration::from_secs(60);

/// The socket on which the agent of sandbox `id` listens, under the runtime's `run_dir`.
pub fn socket_path(run_dir: &Path, id: &str) -> PathBuf {
    run_dir.join(id).join("toolbox.sock")
}

/// The agents' connections, kept alive between the toolbox proxy's requests: a request reuses
/// an idle connection to its sandbox's agent (a new socket and handshake per request cost
/// about a tenth of a `true` command's round trip). A connection closes when its agent ends
/// (the sandbox stops), after [`IDLE_FOR`] unused, or when a request upgrades it.
#[derive(Clone)]
pub struct Agents {
    client: Client<Sockets, Body>,
}

impl Agents {
    /// Connections to the agents whose sockets are under `run_dir`.
    pub fn new(run_dir: &Path) -> Self {
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE_FOR)
            // The proxy sets the agent's `Host` itself.
            .set_host(false)
            .build(Sockets { run_dir: run_dir.into() });
        Self { client }
    }

    /// Sends `req` (its URI a path and query) to the agent of sandbox `id` (a UUID) over a
    /// kept-alive connection; upgrades are supported.
    pub async fn send(&self, id: &str, mut req: Request<Body>) -> Result<Response<Incoming>, String> {
        // The pool's key is the URI's authority: the sandbox's id.
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        *req.uri_mut() = Uri::builder()
            .scheme("http")
            .authority(id)
            .path_and_query(path)
            .build()
            .map_err(|e| format!("toolbox request: {e}"))?;
        // What the agent speaks, whatever the client spoke to the server.
        *req.version_mut() = hyper::Version::HTTP_11;
        self.client.request(req).await.map_err(|e| match std::error::Error::source(&e) {
            Some(cause) => format!("toolbox agent: {e}: {cause}"),
            None => format!("toolbox agent: {e}"),
        })
    }
}

/// Connects to a sandbox's agent socket, the sandbox named by the URI's authority.
#[derive(Clone)]
struct Sockets {
    run_dir: Arc<Path>,
}

impl tower::Service<Uri> for Sockets {
    type Response = TokioIo<UnixStream>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        // Only a sandbox id names a socket (never a path of the client's making).
        let socket = uri.host().filter(|id| uuid::Uuid::try_parse(id).is_ok()).map(|id| socket_path(&self.run_dir, id));
        Box::pin(async move {
            let socket = socket.ok_or_else(|| std::io::Error::other("not a sandbox id"))?;
            Ok(TokioIo::new(UnixStream::connect(socket).await?))
        })
    }
}

/// Sends one request to the agent listening on `socket` over a new connection (upgrades are
/// supported).
pub async fn send(socket: &Path, req: Request<Body>) -> Result<Response<Incoming>, String> {
    let stream = UnixStream::connect(socket).await.map_err(|e| format!("toolbox agent unreachable: {e}"))?;
    send_over(TokioIo::new(stream), req, "toolbox agent").await
}

/// Sends one HTTP/1.1 request over the connection `io` to `peer` (named in errors);
/// upgrades are supported.
pub async fn send_over<IO>(io: IO, req: Request<Body>, peer: &str) -> Result<Response<Incoming>, String>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(io).await.map_err(|e| format!("{peer} handshake: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = conn.with_upgrades().await {
            tracing::debug!("connection: {e}");
        }
    });
    sender.send_request(req).await.map_err(|e| format!("{peer} request: {e}"))
}

/// A byte stream to `localhost:{port}` inside the sandbox whose agent listens on `socket`
/// (the agent's `/tunnel/{port}`); why not, when nothing listens there.
pub async fn tunnel(socket: &Path, port: u16) -> Result<Upgraded, String> {
    upgrade(socket, &format!("/tunnel/{port}"), "tcp").await
}

/// The connection of `GET path` with `Upgrade: protocol` to the agent listening on `socket`,
/// once switched; the agent's message when it refuses.
pub async fn upgrade(socket: &Path, path: &str, protocol: &'static str) -> Result<Upgraded, String> {
    let req = Request::get(path)
        .header("host", "toolbox")
        .header("connection", "upgrade")
        .header("upgrade", protocol)
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let mut resp = send(socket, req).await?;
    if resp.status() != hyper::StatusCode::SWITCHING_PROTOCOLS {
        let body = axum::body::to_bytes(Body::new(resp.into_body()), 64 * 1024).await.unwrap_or_default();
        let message = serde_json::from_slice::<daytona_models::ErrorResponse>(&body)
            .map(|envelope| envelope.message)
            .unwrap_or_else(|_| String::from_utf8_lossy(&body).into_owned());
        return Err(message);
    }
    hyper::upgrade::on(&mut resp).await.map_err(|e| e.to_string())
}

/// Whether the agent answers `GET /version` with 200.
pub async fn is_ready(socket: &Path) -> bool {
    let req = Request::get("/version").header("host", "toolbox").body(Body::empty()).expect("static request");
    matches!(send(socket, req).await, Ok(resp) if resp.status().is_success())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A stand-in agent on `run_dir/{id}/toolbox.sock` that answers each request with the
    /// number of the connection it came on; `close_after` requests close a connection.
    async fn agent(run_dir: &Path, id: &str, close_after: usize) -> Arc<AtomicUsize> {
        std::fs::create_dir_all(run_dir.join(id)).unwrap();
        let listener = tokio::net::UnixListener::bind(socket_path(run_dir, id)).unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                let served = Arc::new(AtomicUsize::new(0));
                let service = hyper::service::service_fn(move |_req: Request<Incoming>| {
                    let served = served.fetch_add(1, Ordering::SeqCst) + 1;
                    let mut resp = Response::new(Body::from(n.to_string()));
                    if served == close_after {
                        resp.headers_mut().insert("connection", "close".parse().unwrap());
                    }
                    async move { Ok::<_, std::convert::Infallible>(resp) }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        accepted
    }

    async fn get(agents: &Agents, id: &str) -> Result<String, String> {
        let resp = agents.send(id, Request::get("/version").body(Body::empty()).unwrap()).await?;
        let body = axum::body::to_bytes(Body::new(resp.into_body()), 1024).await.map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn requests_reuse_a_connection_until_the_agent_closes_it() {
        let dir = tempfile::tempdir().unwrap();
        let id = uuid::Uuid::new_v4().to_string();
        let accepted = agent(dir.path(), &id, 3).await;
        let agents = Agents::new(dir.path());
        // Three requests on the first connection (its third answer closes it), then a new one.
        for expected in ["1", "1", "1", "2", "2"] {
            assert_eq!(get(&agents, &id).await.unwrap(), expected);
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
        // Each sandbox has connections of its own.
        let other = uuid::Uuid::new_v4().to_string();
        let other_accepted = agent(dir.path(), &other, usize::MAX).await;
        assert_eq!(get(&agents, &other).await.unwrap(), "1");
        assert_eq!((accepted.load(Ordering::SeqCst), other_accepted.load(Ordering::SeqCst)), (2, 1));
    }

    #[tokio::test]
    async fn only_a_sandbox_id_names_a_socket() {
        let dir = tempfile::tempdir().unwrap();
        let agents = Agents::new(dir.path());
        for id in ["..", "x", "a:1"] {
            let err = get(&agents, id).await.unwrap_err();
            assert!(err.contains("toolbox"), "{id}: {err}");
        }
        // A sandbox whose agent is not there: an error, no panic.
        let err = get(&agents, &uuid::Uuid::new_v4().to_string()).await.unwrap_err();
        assert!(err.contains("toolbox agent"), "{err}");
    }
}
