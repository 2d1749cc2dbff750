//! `daytona-local`: a single-machine backend wire-compatible with Daytona.
//!
//! `serve` runs the control plane (`/api`), the toolbox proxy (`/toolbox/{id}/…`) and the
//! console (`/`). Each sandbox is a bubblewrap jail whose main process is this same binary
//! running `agent`, which serves the toolbox API on a Unix socket.

mod agent;
mod app;
mod control;
mod http;
mod jail;
mod objects;
mod proxy;
mod ssh;
mod store;
mod time;
mod wait;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Command line of `daytona-local`.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the control plane, toolbox proxy and console.
    Serve(Box<app::ServeArgs>),
    /// Make the local certificate authority of `serve`'s HTTPS port (if there is none yet) and
    /// add it to this host's trusted certificates (root).
    TrustCa {
        /// Directory of the authority (default: /var/lib/daytona-local/ca for root, else
        /// ~/.local/share/daytona-local/ca).
        #[arg(long)]
        ca_dir: Option<PathBuf>,
    },
    /// Run the toolbox agent inside a sandbox (started by `serve`).
    Agent {
        /// Inherited file descriptor of the listening Unix socket (bound by the server).
        #[arg(long)]
        listen_fd: i32,
        /// The home of `daytona`, the sandbox user unless its image names another (also the
        /// work dir).
        #[arg(long)]
        home: PathBuf,
        /// Inherited descriptor kept open for as long as the agent runs: the sandbox's
        /// network helper ends when it closes.
        #[arg(long)]
        lifeline_fd: Option<i32>,
        /// Inherited descriptor holding the sandbox's `env` as JSON (read, then closed).
        #[arg(long)]
        env_fd: Option<i32>,
        /// Inherited descriptors of the sandbox's workload cgroup (`tasks` or `cgroup.procs`,
        /// one per hierarchy), which every process the agent starts joins.
        #[arg(long)]
        workload_fd: Vec<i32>,
        /// How what the agent starts joins the workload group (see `agent::workload`).
        #[arg(long, value_enum, default_value = "process")]
        workload_join: agent::workload::Join,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DAYTONA_LOCAL_LOG").unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => runtime().block_on(app::serve(*args)),
        Command::TrustCa { ca_dir } => app::tls::trust(&ca_dir.unwrap_or_else(app::tls::default_ca_dir)),
        Command::Agent { listen_fd, home, lifeline_fd, env_fd, workload_fd, workload_join } => {
            let input = env_fd.map(agent::read_jail_input).transpose().map(Option::unwrap_or_default);
            let keep: Vec<i32> = lifeline_fd.into_iter().chain(workload_fd.iter().copied()).collect();
            // An image's user (made a home first, while the agent may: a home the sandbox
            // broke, e.g. a dangling link, is its own, logged, and the toolbox serves anyway),
            // else `daytona`.
            let user = |input: &agent::JailInput| match &input.user {
                Some(user) => {
                    if let Err(e) = user.make_home() {
                        eprintln!("daytona-local agent: {e}");
                    }
                    user.clone()
                }
                None => agent::JailUser::daytona(home.clone()),
            };
            input
                .map(|i| (user(&i), i))
                .and_then(|(user, i)| agent::drop_privileges(&user, listen_fd, &keep).map(|()| (i, user)))
                .and_then(|(input, user)| {
                    // A jail on an image without a WORKDIR starts at `/`: its work dir is the home.
                    if std::env::current_dir().is_ok_and(|d| d == std::path::Path::new("/")) {
                        let _ = std::env::set_current_dir(&user.home);
                    }
                    // What the sandbox runs finds the computer-use desktop (unless its env says otherwise).
                    std::env::set_var("DISPLAY", agent::DESKTOP_DISPLAY);
                    // Only now, unprivileged and filtered: the sandbox's env reaches what the agent
                    // starts (commands, sessions, terminals), never a privileged process's loader.
                    for (k, v) in input.env {
                        std::env::set_var(k, v);
                    }
                    agent::workload::adopt(workload_fd, workload_join);
                    runtime().block_on(agent::run(listen_fd, user.home, input.entrypoint))
                })
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("daytona-local: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("tokio runtime")
}
