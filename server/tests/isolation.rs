//! Sandboxes are jails: no view of each other's files or processes, of the server's data
//! dir, or (with networkBlockAll) of the network.

mod common;

use common::*;
use std::time::Duration;

fn nonzero(code: i64, out: &str, what: &str) {
    assert_ne!(code, 0, "{what} should fail inside the sandbox, got: {out}");
}

fn interfaces(proc_net_dev: &str) -> Vec<String> {
    let mut v: Vec<String> = proc_net_dev
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn sandboxes_cannot_see_each_other_or_the_data_dir() {
    let s = Server::start_with(Options { key_in_file: true, ..Options::default() }).await;
    let a = id_of(&s.create(json!({})).await);
    let b = id_of(&s.create(json!({})).await);
    let data = s.data_dir();
    let data = data.display();
    let tag = unique("iso").replace('-', "_");
    let secret = format!("SECRET_{tag}");
    let marker = format!("marker_{tag}.txt");
    // A unique, long-running process in A: `sleep 1000.<digits>` shows up as such in ps.
    let digits: String = tag.chars().filter(char::is_ascii_digit).take(9).collect();
    let sleeper = format!("sleep 1000.{digits}");

    let (code, _) = s.exec(&a, &format!("echo {secret} > {marker} && ({sleeper} > /dev/null 2>&1 &)")).await;
    assert_eq!(code, 0);
    // Controls: the marker is on the host where we expect, and A itself sees its process.
    let host_marker = host_home(&s.data_dir(), &a).join(&marker);
    assert_eq!(std::fs::read_to_string(&host_marker).expect("marker on host").trim(), secret);
    let (_, ps_a) = s.exec(&a, "ps -eo args").await;
    assert!(ps_a.contains(&sleeper), "A should see its own process:\n{ps_a}");
    assert!(data.to_string().len() > 5 && std::path::Path::new(&data.to_string()).join("daytona.db").exists());
    let api_key_file = format!("{data}/api-key");
    assert!(std::path::Path::new(&api_key_file).exists());

    // B sees none of A's processes, and few processes at all (its own pid namespace).
    let (code, ps_b) = s.exec(&b, "ps -eo pid,args").await;
    assert_eq!(code, 0, "{ps_b}");
    assert!(!ps_b.contains(&sleeper), "B must not see A's process:\n{ps_b}");
    assert!(ps_b.lines().count() < 10, "B sees too many processes:\n{ps_b}");
    assert!(!ps_b.contains("daytona-local serve"), "B must not see the server:\n{ps_b}");

    // B cannot reach A's files through the host paths, nor through its own /home.
    for (what, cmd) in [
        ("ls data dir", format!("ls {data}")),
        ("ls sandboxes dir", format!("ls {data}/sandboxes")),
        ("ls A's host home", format!("ls {data}/sandboxes/{a}/home")),
        ("cat A's marker via host path", format!("cat {}", host_marker.display())),
        ("cat A's marker in /home", format!("cat /home/daytona/{marker}")),
        ("cat daytona.db", format!("cat {data}/daytona.db")),
        ("cat api-key", format!("cat {api_key_file}")),
        ("ls /root", "ls /root".to_owned()),
        ("ls A's agent socket dir", format!("ls {data}/run/{a}")),
    ] {
        let (code, out) = s.exec(&b, &cmd).await;
        nonzero(code, &out, what);
        assert!(!out.contains(&secret), "{what} leaked A's marker: {out}");
        assert!(!out.contains(&s.key), "{what} leaked the API key: {out}");
    }
    let (code, homes) = s.exec(&b, "ls -A /home").await;
    assert_eq!((code, homes.as_str()), (0, "daytona\n"), "only B's own home is visible");
    let (_, own) = s.exec(&b, "ls -A /home/daytona /run/daytona").await;
    assert!(!own.contains(&marker), "B's home must not contain A's files: {own}");
    let (_, found) = s.exec(&b, &format!("find / -xdev -name '{marker}' 2>/dev/null; find /home /tmp /run /opt /dev -name '*{tag}*' 2>/dev/null; echo done")).await;
    assert_eq!(found, "done\n", "A's marker found from B");
    let (_, grep) = s.exec(&b, &format!("grep -rs {secret} /home /tmp /run /opt 2>/dev/null; echo done")).await;
    assert_eq!(grep, "done\n");

    // /tmp is private per sandbox too.
    assert_eq!(s.exec(&b, &format!("echo x > /tmp/b_{tag}")).await.0, 0);
    let (_, tmp_a) = s.exec(&a, "ls -A /tmp").await;
    assert!(!tmp_a.contains(&format!("b_{tag}")), "A sees B's /tmp: {tmp_a}");

    // A's process is still alive (B could not have killed it) and only A can see it.
    let (_, ps_a) = s.exec(&a, "ps -eo args").await;
    assert!(ps_a.contains(&sleeper));
    let (code, out) = s.exec(&b, &format!("pkill -f '{sleeper}'; echo rc=$?")).await;
    assert_eq!(code, 0);
    assert!(out.contains("rc=1"), "pkill in B must find nothing: {out}");
}

#[tokio::test]
async fn server_environment_does_not_leak_into_sandboxes() {
    let s = Server::start_with(Options { key_in_env: true, ..Options::default() }).await;
    let id = id_of(&s.create(json!({"env": {"MINE": "visible"}})).await);
    // Every process's environment and command line in the jail.
    let (code, out) = s
        .exec(&id, "for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ; tr '\\0' ' ' < $p/cmdline; echo; done 2>/dev/null; echo end")
        .await;
    assert_eq!(code, 0);
    // Control: the environments were readable at all.
    assert!(out.contains("MINE=visible") && out.contains("DAYTONA_SANDBOX_ID="), "environ not readable:\n{out}");
    assert!(!out.contains(KEY), "the API key is visible inside the sandbox:\n{out}");
    assert!(!out.contains("DAYTONA_LOCAL_API_KEY"), "server env leaked:\n{out}");
    let (_, env) = s.exec(&id, "env").await;
    assert!(!env.contains(KEY) && !env.contains("CARGO"), "server env leaked into commands:\n{env}");
}

/// A Python one-liner connecting to `host:port`; prints `connected` on success.
fn connect(host: &str, port: u16) -> String {
    format!("python3 -c \"import socket; socket.create_connection(('{host}', {port}), 2); print('connected')\"")
}

/// Asserts that sandbox `id` can connect to a server on its own loopback.
async fn assert_loopback_works(s: &Server, id: &str) {
    let script = "python3 -c \"import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); \
                  socket.create_connection(s.getsockname(),2); print('lo ok')\"";
    assert_eq!(s.exec(id, script).await, (0, "lo ok\n".to_owned()), "loopback in {id}");
}

/// The host's address on its default route (not loopback), as a sandbox would reach it.
fn host_address() -> std::net::IpAddr {
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    // connect(2) on UDP sends nothing: it only picks the route and the source address.
    probe.connect("192.0.2.200:9").or_else(|_| probe.connect("10.255.255.254:9")).expect("a default route");
    probe.local_addr().unwrap().ip()
}

#[tokio::test]
async fn network_block_all_leaves_only_loopback() {
    let s = Server::start().await;
    let blocked = s.create(json!({"networkBlockAll": true})).await;
    assert_eq!(blocked["networkBlockAll"], json!(true));
    let blocked = id_of(&blocked);

    let (code, dev) = s.exec(&blocked, "cat /proc/net/dev").await;
    assert_eq!(code, 0, "{dev}");
    assert_eq!(interfaces(&dev), vec!["lo".to_owned()], "blocked sandbox interfaces:\n{dev}");
    let (code, out) = s.exec(&blocked, &connect("127.0.0.1", s.port)).await;
    assert_ne!(code, 0, "blocked sandbox reached the server: {out}");
    // An outside listener (not on loopback) is out of reach too.
    let outside = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let (code, out) = s.exec(&blocked, &connect(&host_address().to_string(), outside.local_addr().unwrap().port())).await;
    assert_ne!(code, 0, "blocked sandbox reached the host: {out}");
    // Loopback inside the blocked sandbox still works (its own lo).
    assert_loopback_works(&s, &blocked).await;
}

/// A sandbox with network has its own namespace: it reaches the outside through NAT, but
/// not the host's loopback (the API, anything bound to 127.0.0.1) nor another sandbox's
/// servers; and the same port may be used in two sandboxes at once.
#[tokio::test]
async fn sandboxes_with_network_reach_out_but_not_the_host_loopback_or_each_other() {
    let s = Server::start().await;
    let a = id_of(&s.create(json!({})).await);
    let b = id_of(&s.create(json!({})).await);

    let (_, dev) = s.exec(&a, "cat /proc/net/dev").await;
    assert_eq!(interfaces(&dev), vec!["lo".to_owned(), "tap0".to_owned()], "sandbox interfaces:\n{dev}");

    // Out: a listener on the host's own address, as a server on the network would be.
    let outside = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = outside.local_addr().unwrap().port();
    let (code, out) = s.exec(&a, &connect(&host_address().to_string(), port)).await;
    assert_eq!((code, out.as_str()), (0, "connected\n"), "the sandbox cannot reach the outside");
    let peer = tokio::task::spawn_blocking(move || outside.accept().map(|(_, addr)| addr)).await.unwrap().unwrap();
    assert!(!peer.ip().is_loopback(), "NAT'd connection came from {peer}");
    // DNS goes to slirp4netns's forwarder.
    let (_, resolv) = s.exec(&a, "cat /etc/resolv.conf").await;
    assert_eq!(resolv, "nameserver 10.0.2.3\n");

    // Not the host's loopback: neither 127.0.0.1 (its own lo) nor the gateway's alias for it.
    for host in ["127.0.0.1", "10.0.2.2"] {
        let (code, out) = s.exec(&a, &connect(host, s.port)).await;
        assert_ne!(code, 0, "the sandbox reached the API at {host}: {out}");
    }

    // A server in A, on all addresses, is out of B's reach; B may use the same port itself.
    let serve = "python3 -c \"import socket,time; s=socket.socket(); s.bind(('0.0.0.0',8123)); s.listen(); time.sleep(60)\"";
    let (status, _) = s.post_toolbox(&a, "/process/session", json!({"sessionId": "srv"})).await;
    assert!(status.is_success());
    let (status, body) = s
        .post_toolbox(&a, "/process/session/srv/exec", json!({"command": serve, "runAsync": true}))
        .await;
    assert!(status.is_success(), "{body}");
    let up = eventually(Duration::from_secs(15), || async { s.exec(&a, &connect("127.0.0.1", 8123)).await.0 == 0 }).await;
    assert!(up, "the server in A did not come up");
    for host in ["127.0.0.1", "10.0.2.2", "10.0.2.100"] {
        let (code, out) = s.exec(&b, &connect(host, 8123)).await;
        assert_ne!(code, 0, "B reached A's server at {host}: {out}");
    }
    let (code, out) = s.exec(&b, &serve.replace("time.sleep(60)", "print('bound')")).await;
    assert_eq!((code, out.as_str()), (0, "bound\n"), "B cannot use the port A uses");
}

/// The sandbox user must not own host files: when the server runs as root, a user namespace
/// mapping it onto host root would make root-only files (e.g. /etc/shadow, root:shadow 0640)
/// readable through the read-only /etc bind.
#[tokio::test]
async fn sandbox_user_cannot_read_root_only_host_files() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (code, out) = s.exec(&id, "id -u; id -un").await;
    assert_eq!((code, out.as_str()), (0, "1000\ndaytona\n"));
    for file in ["/etc/shadow", "/etc/gshadow"] {
        if !std::path::Path::new(file).exists() {
            continue;
        }
        let (code, out) = s.exec(&id, &format!("head -c 40 {file}")).await;
        assert_ne!(code, 0, "{file} is readable inside the sandbox: {out}");
    }
    // Nor can it write the system directories or gain privileges.
    for dir in ["/usr", "/etc", "/"] {
        let (code, out) = s.exec(&id, &format!("touch {dir}/pwned_by_sandbox")).await;
        assert_ne!(code, 0, "{dir} is writable: {out}");
    }
    let (_, caps) = s.exec(&id, "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status").await;
    assert!(caps.contains("CapEff:\t0000000000000000"), "sandbox commands have capabilities: {caps}");
}

/// What a normal unprivileged user expects to be writable: home, /tmp and /dev/shm
/// (POSIX semaphores: Python multiprocessing).
#[tokio::test]
async fn sandbox_user_can_write_home_tmp_and_shm() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (code, out) = s.exec(&id, "touch ~/h && touch /tmp/t && touch /dev/shm/s && stat -c '%U %a' /tmp /dev/shm ~").await;
    assert_eq!((code, out.as_str()), (0, "root 1777\nroot 1777\ndaytona 755\n"), "{out}");
    let (code, out) = s.exec(&id, "python3 -c 'import multiprocessing as m, tempfile; m.Lock(); tempfile.mkstemp(); print(\"mp ok\")' 2>&1").await;
    assert_eq!((code, out.as_str()), (0, "mp ok\n"), "{out}");
    // Files the sandbox creates in its home belong to the sandbox user on the host too.
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(host_home(&s.data_dir(), &id).join("h")).unwrap();
    let (code, uid) = s.exec(&id, "id -u").await;
    assert_eq!(code, 0);
    if test_runs_as_root() {
        assert_eq!(meta.uid().to_string(), uid.trim(), "host owner of a sandbox file");
    }
}

fn test_runs_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(2) == Some("0")))
        .unwrap_or(false)
}

#[tokio::test]
async fn server_side_files_of_a_sandbox_are_out_of_its_reach() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    // The toolbox socket, the jail's pid file and the agent log live outside the jail: nothing
    // the sandbox could replace with a symlink for the server to follow.
    let (_, out) = s.exec(&id, "test -e /run/daytona && echo run-visible; find / -xdev \\( -name jail.pid -o -name toolbox.sock -o -name agent.log \\) 2>/dev/null; echo end").await;
    assert_eq!(out, "end\n", "server-side files visible in the jail: {out}");
    let host = s.data_dir().join("sandboxes").join(&id);
    assert!(host.join("jail.pid").exists(), "the pid file is kept by the server");
}

/// `networkAllowList` is enforced inside the sandbox: only listed networks (and DNS) are
/// reachable, and the sandbox user cannot lift the rule. Bad lists are refused at create.
#[tokio::test]
async fn network_allow_list_limits_where_a_sandbox_may_connect() {
    let s = Server::start().await;
    let host = host_address();
    let outside = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = outside.local_addr().unwrap().port();
    let listed = id_of(&s.create(json!({"networkAllowList": format!("{host}/32")})).await);
    let unlisted = id_of(&s.create(json!({"networkAllowList": "192.0.2.123/32, 10.99.0.0/16"})).await);

    let (code, out) = s.exec(&listed, &connect(&host.to_string(), port)).await;
    assert_eq!((code, out.as_str()), (0, "connected\n"), "a listed network is unreachable");
    let (code, out) = s.exec(&unlisted, &connect(&host.to_string(), port)).await;
    assert_ne!(code, 0, "an unlisted network was reached: {out}");
    // The sandbox's own loopback still works, and the rule cannot be flushed from inside.
    assert_loopback_works(&s, &unlisted).await;
    let (code, _) = s.exec(&unlisted, "nft flush ruleset").await;
    assert_ne!(code, 0, "the sandbox user changed the firewall");
    let (code, out) = s.exec(&unlisted, &connect(&host.to_string(), port)).await;
    assert_ne!(code, 0, "reached after trying to flush: {out}");

    for bad in ["10.0.0.0", "10.0.0.0/40", "example.com/24"] {
        let (status, body) = s.post("/sandbox", json!({"networkAllowList": bad})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["message"].as_str().unwrap_or_default().contains("networkAllowList"), "{body}");
    }
}
