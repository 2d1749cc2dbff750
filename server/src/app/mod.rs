//! `daytona-local serve`: its options, startup and the router that puts the control plane
//! (`/api`), the toolbox proxy (`/toolbox/{id}/…`), previews and the console together; plus
//! what every route kind shares: the state ([`state::AppState`]), the API's error type, the
//! extractors, authentication and URL signing, CORS and the accept loop.
//!
//! May import every other module; `control` and `proxy` import its shared parts.

pub mod auth;
pub mod console;
pub mod cors;
pub mod error;
pub mod extract;
pub mod forwarded;
pub mod listen;
pub mod signing;
pub mod state;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::{any, get};
use axum::{middleware, Json, Router};
use daytona_models::{DaytonaConfiguration, OidcConfig};

use crate::control::{
    builds, events, lifecycle, organizations, registries, sandboxes, snapshots, ssh_access, telemetry, timers, volumes,
};
use crate::jail::{identity, runtime};
use crate::proxy::{preview, toolbox};
use crate::store;
use error::ApiError;
use state::AppState;

/// Options of `daytona-local serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000", value_parser = listen::parse_listen)]
    listen: SocketAddr,
    /// Directory for the database, API key and sandbox files.
    #[arg(long, default_value = ".data")]
    data_dir: PathBuf,
    /// Address of the HTTPS port (the same routes; port 0: any free one). For clients that
    /// refuse plain HTTP, such as the Python SDK's uploads of image contexts.
    #[arg(long, value_parser = listen::parse_listen)]
    tls_listen: Option<SocketAddr>,
    /// Directory of the local certificate authority that issues the HTTPS port's certificate
    /// (made if missing; `daytona-local trust-ca` adds it to the host's trusted ones).
    #[arg(long)]
    ca_dir: Option<PathBuf>,
    /// A further name (DNS name or IP address) the HTTPS certificate covers (repeatable;
    /// localhost, the loopback addresses, the host's name and the listen address always are).
    #[arg(long = "tls-name", value_name = "NAME")]
    tls_names: Vec<String>,
    /// Address of the SSH gateway (`ssh -p <port> <token>@<host>` with a token of
    /// `POST /sandbox/{id}/ssh-access`; port 0: any free one). Default: the listen address's
    /// host, port 2222, or any free port if that one is taken.
    #[arg(long, value_parser = listen::parse_listen)]
    ssh_listen: Option<SocketAddr>,
    /// API key clients must send (default: $DAYTONA_LOCAL_API_KEY, else stored/generated).
    #[arg(long, env = "DAYTONA_LOCAL_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Directory of the built console.
    #[arg(long, default_value = "dist/console")]
    console_dir: PathBuf,
    /// Seconds between two samples of each started sandbox's resource use (the history
    /// `getMetrics` reads; the last 5760 samples of each are kept).
    #[arg(long, default_value_t = 15.0, value_parser = parse_interval)]
    metrics_interval: f64,
    /// Seconds in a "minute" of auto-stop/archive/delete intervals (for tests).
    #[arg(long, default_value_t = 60.0, hide = true)]
    minute_seconds: f64,
    /// A reverse proxy (IP address or CIDR network; repeatable) whose X-Forwarded-Host and
    /// X-Forwarded-Proto headers count for the URLs the API hands out. Default: nobody's.
    #[arg(long = "trusted-proxy", value_name = "IP|CIDR", value_parser = forwarded::Cidr::parse)]
    trusted_proxies: Vec<forwarded::Cidr>,
    /// Most connections open at once (WebSockets included); further clients wait to be
    /// accepted until one closes.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Seconds a client may take to send a request's headers (hidden: for tests).
    #[arg(long, default_value_t = 30, hide = true, value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout_secs: u64,
    /// First host uid/gid of the sandboxes' id ranges (65536 ids each; as root).
    #[arg(long, default_value_t = identity::DEFAULT_BASE)]
    id_base: u32,
    /// Most processes and threads one sandbox may run at once.
    #[arg(long, default_value_t = 4096)]
    pids_limit: u32,
    /// How many formatted disks of the default size to keep ready for new sandboxes.
    #[arg(long, default_value_t = 2)]
    disk_pool: usize,
    /// MiB of the host's filesystem that new sandboxes, forks and snapshots must leave free
    /// (they are refused with the reason otherwise), so that the host and daytona-local's own
    /// records never run out of room.
    #[arg(long, default_value_t = 1024)]
    disk_reserve_mib: u64,
    /// A registry (`host[:port]`) that images may be pulled from over plain HTTP (repeatable;
    /// those on a loopback address always may). Everything else is HTTPS only.
    #[arg(long = "insecure-registry", value_name = "HOST[:PORT]", value_parser = parse_registry)]
    insecure_registries: Vec<String>,
}

/// A registry's address (`host[:port]`) from the command line.
fn parse_registry(s: &str) -> Result<String, String> {
    daytona_models::registry_address(s).map(|(address, _)| address)
}

/// Runs the server until it is killed.
pub async fn serve(args: ServeArgs) -> Result<(), String> {
    create_data_dir(&args.data_dir).map_err(|e| format!("creating data dir: {e}"))?;
    let data_dir = args.data_dir.canonicalize().map_err(|e| format!("data dir: {e}"))?;
    make_data_dir_private(&data_dir).map_err(|e| format!("data dir {}: {e}", data_dir.display()))?;
    let (api_key, generated) =
        auth::load_or_create_key(args.api_key, &data_dir).map_err(|e| format!("API key: {e}"))?;
    let store = store::Store::open(&data_dir.join("daytona.db")).map_err(|e| format!("database: {e}"))?;
    let options = runtime::RuntimeOptions {
        id_base: args.id_base,
        pids_limit: args.pids_limit,
        disk_pool_gib: lifecycle::DEFAULT_DISK_GIB,
        disk_pool_size: args.disk_pool,
        disk_reserve: args.disk_reserve_mib.saturating_mul(1 << 20),
        insecure_registries: args.insecure_registries.clone(),
    };
    let runtime = runtime::Runtime::new(&data_dir, &options).map_err(|e| format!("runtime: {e}"))?;
    if let Some(why) = runtime.limits_unavailable() {
        tracing::warn!("CPU, memory and process limits are not enforced: {why}");
    }
    if let Some(why) = runtime.disks.unavailable() {
        tracing::warn!("disk limits are not enforced: {why}");
    }
    if let Some(why) = runtime.identities_unavailable() {
        tracing::warn!("sandboxes share one host identity: {why}");
    }
    tokio::spawn(Arc::clone(&runtime.disks).refill());
    let minute_ms = (args.minute_seconds * 1000.0).max(1.0) as i64;
    let objects = crate::objects::ObjectStorage::new(&data_dir).map_err(|e| format!("object storage: {e}"))?;
    let st = Arc::new(
        AppState::new(api_key.clone(), minute_ms, store, runtime, objects).map_err(|e| format!("database: {e}"))?,
    );

    let listener =
        tokio::net::TcpListener::bind(args.listen).await.map_err(|e| format!("listening on {}: {e}", args.listen))?;
    let tls_addr = args.tls_listen.unwrap_or(SocketAddr::new(args.listen.ip(), 0));
    let tls_listener =
        tokio::net::TcpListener::bind(tls_addr).await.map_err(|e| format!("listening on {tls_addr}: {e}"))?;
    // The host-wide CA unless told otherwise; one in the data dir if that one is out of reach.
    let (ca_dir, ca) = match &args.ca_dir {
        Some(dir) => (dir.clone(), tls::LocalCa::load_or_create(dir)),
        None => match tls::LocalCa::load_or_create(&tls::default_ca_dir()) {
            Ok(ca) => (tls::default_ca_dir(), Ok(ca)),
            Err(e) => {
                tracing::warn!("the local CA: {e}; using one in the data dir");
                (data_dir.join("ca"), tls::LocalCa::load_or_create(&data_dir.join("ca")))
            }
        },
    };
    let ca = ca.map_err(|e| format!("the local CA in {}: {e}", ca_dir.display()))?;
    let names = tls::certificate_names(args.listen.ip(), &args.tls_names);
    let acceptor = tokio_rustls::TlsAcceptor::from(ca.server_config(&names).map_err(|e| format!("TLS: {e}"))?);
    let tls_port = tls_listener.local_addr().map_err(|e| e.to_string())?.port();
    st.tls_port.store(tls_port, std::sync::atomic::Ordering::Relaxed);
    let ssh_listener = match args.ssh_listen {
        Some(addr) => tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("listening on {addr}: {e}"))?,
        None => {
            match tokio::net::TcpListener::bind(SocketAddr::new(args.listen.ip(), crate::ssh::DEFAULT_PORT)).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(
                        "SSH gateway: port {} is not free ({e}); using another one",
                        crate::ssh::DEFAULT_PORT
                    );
                    let any = SocketAddr::new(args.listen.ip(), 0);
                    tokio::net::TcpListener::bind(any).await.map_err(|e| format!("listening on {any}: {e}"))?
                }
            }
        }
    };
    let host_key = crate::ssh::load_or_create_host_key(&data_dir).map_err(|e| format!("SSH host key: {e}"))?;
    let ssh_port = ssh_listener.local_addr().map_err(|e| e.to_string())?.port();
    let gateway = crate::ssh::info(ssh_port, &host_key);
    let ssh_fingerprint = gateway.fingerprint.clone();
    let _ = st.ssh.set(gateway);
    tokio::spawn(crate::ssh::serve(Arc::clone(&st), ssh_listener, host_key));
    let app = router(Arc::clone(&st), args.console_dir);
    st.adopt_surviving_jails().await;
    st.mark_restarting();
    tokio::spawn(Arc::clone(&st).recover_after_restart());
    tokio::spawn(timers::run(Arc::clone(&st)));
    tokio::spawn(telemetry::sample(Arc::clone(&st), std::time::Duration::from_secs_f64(args.metrics_interval)));
    st.resume_pulls();
    tokio::spawn(Arc::clone(&st).resume_builds());

    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("daytona-local listening on http://{addr}");
    println!("  console:  http://{addr}/#apiKey={api_key}");
    println!("  API URL:  http://{addr}/api");
    println!("  HTTPS:    port {tls_port} (certificates from the CA in {})", ca_dir.display());
    println!("  SSH:      port {ssh_port} (host key {ssh_fingerprint})");
    if generated {
        println!("  API key:  {api_key}  (new; stored in {}/api-key)", data_dir.display());
    } else {
        println!("  API key:  stored in {}/api-key or given by --api-key", data_dir.display());
    }
    let limits = listen::Limits {
        header_read_timeout: std::time::Duration::from_secs(args.header_read_timeout_secs),
        max_connections: args.max_connections as usize,
    };
    // One signal stops both ports.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let trusted: std::sync::Arc<[forwarded::Cidr]> = args.trusted_proxies.into();
    tokio::join!(
        listen::serve(
            listener,
            app.clone(),
            limits,
            trusted.clone(),
            None,
            until_stopped(stopped.clone()),
            SHUTDOWN_GRACE
        ),
        listen::serve(tls_listener, app, limits, trusted, Some(acceptor), until_stopped(stopped), SHUTDOWN_GRACE),
    );
    // A clean shutdown stops the jails (a crash leaves them to be adopted on restart).
    st.runtime.stop_all().await;
    Ok(())
}

/// Creates the data dir (and missing parents) unless it exists; the data dir itself 0700 from
/// the start.
fn create_data_dir(data_dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if let Some(parent) = data_dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    match std::fs::DirBuilder::new().mode(0o700).create(data_dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && data_dir.is_dir() => Ok(()),
        other => other,
    }
}

/// The data dir holds the API key, the database and every sandbox's files: only the server's
/// user may enter it (0700, also when it existed with a wider mode), and a stored API key is
/// 0600 even if it was written by hand.
fn make_data_dir_private(data_dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(data_dir)?.permissions().mode() & 0o7777;
    if mode != 0o700 {
        if mode & 0o077 != 0 {
            tracing::warn!("data dir {} had mode {mode:o}: making it 0700", data_dir.display());
        }
        std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700))?;
    }
    match std::fs::set_permissions(data_dir.join("api-key"), std::fs::Permissions::from_mode(0o600)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// How long open requests may take to finish after SIGINT/SIGTERM.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Resolves on SIGINT or SIGTERM.
/// A `--metrics-interval`: seconds, at least 0.1, at most a day.
fn parse_interval(v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| (0.1..=86_400.0).contains(s))
        .ok_or_else(|| format!("{v:?} is not a number of seconds between 0.1 and 86400"))
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}

fn router(st: Arc<AppState>, console_dir: PathBuf) -> Router {
    let api = Router::new()
        .merge(sandboxes::routes())
        .merge(volumes::routes())
        .merge(snapshots::routes())
        .merge(builds::routes())
        .merge(ssh_access::routes())
        .merge(telemetry::routes())
        .merge(organizations::routes())
        .merge(registries::routes())
        .route("/config", get(config))
        .fallback(|| async { ApiError::NotFound("Cannot find this API route".into()) })
        .route_layer(middleware::from_fn_with_state(Arc::clone(&st), auth::require_api_key))
        // After the bearer check: the event socket's key comes in its CONNECT packet.
        .route("/socket.io/", get(events::socket_io));
    // S3, path-style: the bucket is the first path component (s3s checks the signature over
    // the whole path, so the request reaches it unchanged).
    let objects = Router::new()
        .route(&format!("/{}", crate::objects::BUCKET), any(object_storage))
        .route(&format!("/{}/", crate::objects::BUCKET), any(object_storage))
        .route(&format!("/{}/{{*key}}", crate::objects::BUCKET), any(object_storage));
    let toolbox = Router::new()
        .route("/toolbox/{id}", any(toolbox::toolbox))
        .route("/toolbox/{id}/{*path}", any(toolbox::toolbox));
    Router::new()
        .nest("/api", api)
        .merge(toolbox)
        .merge(objects)
        .with_state(Arc::clone(&st))
        .merge(console::routes(console_dir))
        .layer(middleware::from_fn(crate::http::envelope::fill_request))
        .layer(middleware::from_fn(cors::by_path))
        // Outermost: previews are other origins, answered before the API's CORS applies.
        .layer(middleware::from_fn_with_state(st, preview::by_host))
        .layer(middleware::from_fn(crate::http::drain::unread_bodies))
}

async fn object_storage(
    axum::extract::State(st): axum::extract::State<Arc<AppState>>,
    req: axum::extract::Request,
) -> axum::response::Response {
    st.objects.serve(req).await
}

async fn config(
    axum::extract::State(st): axum::extract::State<Arc<AppState>>,
    url: extract::ToolboxUrl,
) -> Json<DaytonaConfiguration> {
    let origin = url.0.trim_end_matches("/toolbox").to_owned();
    let gateway = st.ssh.get();
    let host = ssh_access::host_of(&url.0);
    Json(DaytonaConfiguration {
        version: env!("CARGO_PKG_VERSION").into(),
        oidc: OidcConfig {
            issuer: origin.clone(),
            client_id: "daytona-local".into(),
            audience: "daytona-local".into(),
            provider: "none".into(),
        },
        linked_accounts_enabled: false,
        announcements: Default::default(),
        proxy_template_url: preview::url(&origin, "{{PORT}}", "{{sandboxId}}"),
        proxy_toolbox_url: url.0,
        default_snapshot: crate::control::lifecycle::DEFAULT_SNAPSHOT.into(),
        dashboard_url: format!("{origin}/"),
        max_auto_archive_interval: lifecycle::MAX_AUTO_ARCHIVE,
        maintanance_mode: false,
        environment: "local".into(),
        analytics_api_url: None,
        ssh_gateway_command: gateway.map(|g| ssh_access::ssh_command(&host, g.port, "<token>")),
        ssh_gateway_host: gateway.map(|_| host.clone()),
        ssh_gateway_port: gateway.map(|g| g.port),
        ssh_gateway_host_keys: gateway.map(|g| vec![g.host_key.clone()]),
        ssh_gateway_host_key_fingerprints: gateway.map(|g| vec![g.fingerprint.clone()]),
        local_isolation: Some(daytona_models::LocalIsolation {
            resource_limits: st.runtime.limits_unavailable(),
            disk_limits: st.runtime.disks.unavailable().map(str::to_owned),
            identities: st.runtime.identities_unavailable(),
        }),
    })
}
