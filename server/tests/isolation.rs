//! Sandboxes are jails: no view of each other's files or processes, of the server's data
//! dir, or (with networkBlockAll) of the network.

mod common;

use common::*;
use std::time::Duration;

/// Held by the tests that fill a disk: one of them measures the host's free space.
static DISK_FILLERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

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
/// A machine of the test's own on the network: a network namespace joined to the host by a
/// veth pair (10.213.N.0/30), with a TCP listener on its side (10.213.N.2) that accepts one
/// connection and reports its peer. Removed on drop.
struct TestHost {
    ns: String,
    veth: String,
    addr: std::net::Ipv4Addr,
    port: u16,
    listener: std::process::Child,
    out: std::io::BufReader<std::process::ChildStdout>,
}

impl TestHost {
    fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        // `ip netns add` sets /run/netns up on first use: concurrent first uses race.
        static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        // Rarely (twice in full runs, never alone) the kernel refuses a step with EINVAL:
        // a fresh namespace and pair is tried then, up to three times, each failure named.
        let mut failures = Vec::new();
        loop {
            let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let n = (std::process::id() + k * 7) % 250 + 1;
            let (ns, veth, peer) = (format!("dlt-{}-{n}", std::process::id()), format!("dlt{n}h"), format!("dlt{n}n"));
            let _ = std::process::Command::new("ip").args(["link", "del", &veth]).output();
            // Removed again by the guard if anything fails on the way.
            let cleanup = Cleanup(ns.clone(), veth.clone());
            let steps = [
                format!("ip netns add {ns}"),
                format!("ip link add {veth} type veth peer name {peer}"),
                format!("ip link set {peer} netns {ns}"),
                format!("ip addr add 10.213.{n}.1/30 dev {veth}"),
                format!("ip link set {veth} up"),
                format!("ip netns exec {ns} ip addr add 10.213.{n}.2/30 dev {peer}"),
                format!("ip netns exec {ns} ip link set {peer} up"),
                format!("ip netns exec {ns} ip link set lo up"),
            ];
            let failed = steps.iter().find_map(|cmd| {
                let out = std::process::Command::new("sh").arg("-c").arg(cmd).output().expect("sh");
                (!out.status.success()).then(|| format!("{cmd}: {}", String::from_utf8_lossy(&out.stderr).trim()))
            });
            // The listener is part of the set-up: its `ip netns exec` can meet the same refusal.
            let started = match failed {
                None => listen_in(&ns),
                Some(why) => Err(why),
            };
            match started {
                Ok((listener, out, port)) => {
                    if !failures.is_empty() {
                        eprintln!("test host set up after failures:\n{}", failures.join("\n"));
                    }
                    std::mem::forget(cleanup);
                    return Self { ns, veth, addr: [10, 213, n as u8, 2].into(), port, listener, out };
                }
                Err(why) if failures.len() < 2 => {
                    failures.push(why);
                    drop(cleanup);
                }
                Err(why) => {
                    failures.push(why);
                    panic!("setting up a test host failed three times:\n{}", failures.join("\n"));
                }
            }
        }
    }

    /// The address the next connection came from.
    fn peer(&mut self) -> std::net::IpAddr {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut self.out, &mut line).unwrap();
        line.trim().parse().expect("peer address")
    }
}

/// Starts, in network namespace `ns`, a TCP listener that prints its port, then the peer of
/// every connection (it ends after 120 s idle); the listener, its output and its port.
fn listen_in(ns: &str) -> Result<(std::process::Child, std::io::BufReader<std::process::ChildStdout>, u16), String> {
    let script = "import socket; s=socket.socket(); s.bind(('0.0.0.0',0)); s.listen(); \
                  print(s.getsockname()[1], flush=True); s.settimeout(120)\nwhile True:\n c,a=s.accept(); print(a[0], flush=True); c.close()";
    let mut listener = std::process::Command::new("ip")
        .args(["netns", "exec", ns, "python3", "-c", script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("listener in {ns}: {e}"))?;
    let mut out = std::io::BufReader::new(listener.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    let _ = std::io::BufRead::read_line(&mut out, &mut line);
    match line.trim().parse() {
        Ok(port) => Ok((listener, out, port)),
        Err(_) => {
            let _ = listener.kill();
            let err = listener.wait_with_output().map(|o| String::from_utf8_lossy(&o.stderr).into_owned());
            Err(format!("listener in {ns}: {}", err.unwrap_or_default().trim()))
        }
    }
}

/// Removes a test host's namespace and veth pair.
struct Cleanup(String, String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip").args(["link", "del", &self.1]).output();
        let _ = std::process::Command::new("ip").args(["netns", "del", &self.0]).output();
    }
}

impl Drop for TestHost {
    fn drop(&mut self) {
        let _ = self.listener.kill();
        let _ = self.listener.wait();
        drop(Cleanup(self.ns.clone(), self.veth.clone()));
    }
}

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
    let (code, out) =
        s.exec(&blocked, &connect(&host_address().to_string(), outside.local_addr().unwrap().port())).await;
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

    // Out: a server on another machine of the network (a namespace of this test's own).
    let mut remote = TestHost::new();
    let (code, out) = s.exec(&a, &connect(&remote.addr.to_string(), remote.port)).await;
    assert_eq!((code, out.as_str()), (0, "connected\n"), "the sandbox cannot reach the outside");
    let peer = remote.peer();
    assert!(!peer.is_loopback(), "NAT'd connection came from {peer}");
    // Not the host itself, on any of its addresses (a service bound to 0.0.0.0 is there).
    let on_host = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = on_host.local_addr().unwrap().port();
    assert!(std::net::TcpStream::connect((host_address(), port)).is_ok(), "control: the host listener answers");
    let (code, out) = s.exec(&a, &connect(&host_address().to_string(), port)).await;
    assert_ne!(code, 0, "the sandbox reached a host service on the host's address: {out}");
    // DNS goes to slirp4netns's forwarder.
    let (_, resolv) = s.exec(&a, "cat /etc/resolv.conf").await;
    assert_eq!(resolv, "nameserver 10.0.2.3\n");

    // Not the host's loopback: neither 127.0.0.1 (its own lo) nor the gateway's alias for it.
    for host in ["127.0.0.1", "10.0.2.2"] {
        let (code, out) = s.exec(&a, &connect(host, s.port)).await;
        assert_ne!(code, 0, "the sandbox reached the API at {host}: {out}");
    }

    // A server in A, on all addresses, is out of B's reach; B may use the same port itself.
    let serve =
        "python3 -c \"import socket,time; s=socket.socket(); s.bind(('0.0.0.0',8123)); s.listen(); time.sleep(60)\"";
    let (status, _) = s.post_toolbox(&a, "/process/session", json!({"sessionId": "srv"})).await;
    assert!(status.is_success());
    let (status, body) =
        s.post_toolbox(&a, "/process/session/srv/exec", json!({"command": serve, "runAsync": true})).await;
    assert!(status.is_success(), "{body}");
    let up =
        eventually(Duration::from_secs(15), || async { s.exec(&a, &connect("127.0.0.1", 8123)).await.0 == 0 }).await;
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
    let (code, out) =
        s.exec(&id, "touch ~/h && touch /tmp/t && touch /dev/shm/s && stat -c '%U %a' /tmp /dev/shm ~").await;
    // Run by a normal user, the sandbox user is the only identity its namespace maps, so it
    // owns the jail's tmpfs mounts too (still sticky; there is nobody else).
    let owner = if test_runs_as_root() { "root" } else { "daytona" };
    let expected = format!("{owner} 1777\n{owner} 1777\ndaytona 755\n");
    assert_eq!((code, out.as_str()), (0, expected.as_str()), "{out}");
    let (code, out) = s
        .exec(
            &id,
            "python3 -c 'import multiprocessing as m, tempfile; m.Lock(); tempfile.mkstemp(); print(\"mp ok\")' 2>&1",
        )
        .await;
    assert_eq!((code, out.as_str()), (0, "mp ok\n"), "{out}");
    // Files the sandbox creates in its home belong to the sandbox user on the host too.
    use std::os::unix::fs::MetadataExt;
    // With id ranges, inner uid 1000 is host uid (first of the range) + 1000.
    let meta = std::fs::metadata(host_home(&s.data_dir(), &id).join("h")).unwrap();
    let (code, out) = s.exec(&id, "id -u; cat /proc/self/uid_map").await;
    assert_eq!(code, 0);
    let mut lines = out.lines();
    let inner: u32 = lines.next().unwrap().parse().unwrap();
    let map: Vec<u32> = lines.next().unwrap().split_whitespace().map(|n| n.parse().unwrap()).collect();
    if test_runs_as_root() {
        assert_eq!(meta.uid(), map[1] + inner - map[0], "host owner of a sandbox file");
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

/// A sandbox writes what it likes into a volume, symlinks included; another sandbox mounting a
/// subpath of it must never get what a link points to (the host's root, were the server to
/// follow it as root). Files keep sandbox ids on the host, never the server's root.
#[tokio::test]
async fn a_volume_subpath_never_follows_a_link_out_of_the_volume() {
    let s = Server::start().await;
    let (status, vol) = s.post("/volumes", json!({ "name": unique("trap") })).await;
    assert_eq!(status, StatusCode::OK, "{vol}");
    let vid = vol["id"].as_str().unwrap().to_owned();
    let planter = id_of(&s.create(json!({ "volumes": [{ "volumeId": vid, "mountPath": "/data" }] })).await);
    let plant = "ln -s / /data/root && ln -s ../.. /data/up && mkdir -p /data/ok && ln -s /etc /data/ok/etc && echo x > /data/file";
    assert_eq!(s.exec(&planter, plant).await.0, 0);
    for subpath in ["root", "up", "ok/etc", "root/etc", "file"] {
        let volumes = json!([{ "volumeId": vid, "mountPath": "/data", "subpath": subpath }]);
        let (status, sb) = s.post("/sandbox", json!({ "volumes": volumes })).await;
        assert_eq!(status, StatusCode::OK, "{sb}");
        assert_eq!(sb["state"], "error", "subpath {subpath} must not be mounted: {sb}");
        let why = sb["errorReason"].as_str().unwrap_or_default();
        assert!(why.contains("is not a directory"), "subpath {subpath}: {why}");
        assert_eq!(s.delete(&format!("/sandbox/{}", id_of(&sb))).await.0, StatusCode::OK);
    }
    // The volume's files on the host: the ids sandboxes see (1000) when the server is root,
    // else the server's own; never root's, so nothing in them is the host's root's to run.
    use std::os::unix::fs::MetadataExt;
    let host_file = s.data_dir().join("volumes").join(&vid).join("file");
    let owner = std::fs::metadata(&host_file).expect("the file on the host").uid();
    // SAFETY: geteuid has no preconditions.
    let expected = match unsafe { libc::geteuid() } {
        0 => 1000,
        me => me,
    };
    assert_eq!(owner, expected, "owner of a sandbox's volume file on the host");
    // The mount is nosuid and nodev in the sandbox.
    let (_, opts) = s.exec(&planter, "grep ' /data ' /proc/self/mounts").await;
    assert!(opts.contains("nosuid") && opts.contains("nodev"), "{opts}");
}

/// A sandbox on a pulled image sees the image and its own writable layer, never the host's
/// userland; the layer is on the sandbox's disk, so a filler outside the home stops at the
/// sandbox's `disk`; the agent's loader and libraries are read-only to it.
#[tokio::test]
async fn a_sandbox_on_an_image_sees_only_the_image_and_fills_only_its_disk() {
    let _alone = DISK_FILLERS.lock().await;
    let registry = Registry::start();
    let s = Server::start().await;
    let (status, snap) =
        s.post("/snapshots", json!({ "name": "iso", "imageName": registry.image("test/busybox:1.0") })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    assert_eq!(settled(&s, snap["id"].as_str().unwrap()).await["state"], "active");
    let id = id_of(&s.create(json!({ "snapshot": "iso", "disk": 1 })).await);
    let (_, out) = s.exec(&id, "ls /usr /lib 2>&1; cat /etc/os-release 2>&1; ls /opt/daytona").await;
    assert!(!out.contains("bin\n") && out.contains("No such file"), "host userland visible: {out}");
    let (code, out) = s.exec(&id, "touch /opt/daytona/lib/x 2>&1 || touch /opt/daytona/daytona-local 2>&1").await;
    assert_ne!(code, 0, "the agent's files must be read-only: {out}");
    // 1 GiB disk: writing 1.5 GiB into the image's /data (the writable layer) stops short.
    let (code, out) = s.exec(&id, "dd if=/dev/zero of=/data/fill bs=1M count=1536 2>&1; echo rc=$?").await;
    assert_eq!(code, 0);
    assert!(out.contains("No space left on device"), "{out}");
    let (_, size) = s.exec(&id, "du -m /data/fill | cut -f1").await;
    let mb: u64 = size.trim().parse().unwrap_or(u64::MAX);
    assert!(mb < 1100, "the layer grew past its disk: {mb} MB");
    assert_eq!(s.delete(&format!("/sandbox/{id}")).await.0, StatusCode::OK);
}

/// An image that runs as root (no `USER`, as most do) gets the sandbox's root: uid 0 of its own
/// namespace, its range's first host id on the host, with a container root's everyday
/// capabilities over the sandbox's own files and processes only (no mount, no device, no raw
/// socket, no leaving the jail through a chroot, the seccomp filter as for any sandbox user).
/// Its home is made in the jail: a link the sandbox leaves in place of it is never followed on
/// the host. What it writes into a volume is on disk as the volume's id (1000), never host
/// root's, and no other id can be given there; the next sandbox's user owns it.
#[tokio::test]
async fn an_image_running_as_root_is_root_of_its_sandbox_only() {
    if !test_runs_as_root() {
        return;
    }
    let registry = Registry::start_with(&[("OCI_ESCAPE", "1")]);
    let s = Server::start().await;
    let (status, vol) = s.post("/volumes", json!({ "name": unique("rootvol") })).await;
    assert_eq!(status, StatusCode::OK, "{vol}");
    let vid = vol["id"].as_str().unwrap().to_owned();
    let (status, snap) =
        s.post("/snapshots", json!({ "name": "rooted", "imageName": registry.image("test/escape:1.0") })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    assert_eq!(settled(&s, snap["id"].as_str().unwrap()).await["state"], "active");
    let volumes = json!([{ "volumeId": vid, "mountPath": "/vol" }]);
    let sb = s.create(json!({ "snapshot": "rooted", "volumes": volumes })).await;
    assert_eq!((sb["state"].as_str(), sb["user"].as_str()), (Some("started"), Some("root")), "{sb}");
    let id = id_of(&sb);

    // Root with CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, NET_BIND_SERVICE and
    // SYS_CHROOT (0x404fb), after an execve (each command is one) too, none inheritable.
    let (_, status) = s.exec(&id, "grep -E '^(Uid|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' /proc/self/status").await;
    let fields: Vec<(&str, &str)> =
        status.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k, v.trim())).collect();
    let (zero, kept) = ("0000000000000000", "00000000000404fb");
    let expected = [
        ("Uid", "0\t0\t0\t0"),
        ("CapInh", zero),
        ("CapPrm", kept),
        ("CapEff", kept),
        ("CapBnd", kept),
        ("CapAmb", zero),
        ("NoNewPrivs", "1"),
        ("Seccomp", "2"),
    ];
    assert_eq!(fields, expected, "{status}");
    // Its own files are its to change, whoever owns them (/data is daytona's); a user it
    // becomes loses every capability.
    let (code, out) = s.exec(&id, "echo x > /data/x && busybox chown 1234 /data/x && ls -ln /data/x").await;
    assert!(code == 0 && out.contains(" 1234 "), "{out}");
    let (_, out) = s.exec(&id, "busybox su -s /bin/sh daytona -c 'grep CapEff /proc/self/status' 2>&1").await;
    assert!(out.contains("CapEff:\t0000000000000000") || out.contains("denied"), "{out}");
    // Not mounts, devices, the kernel's refused calls, the agent's files, a way out of the jail.
    let tries = "busybox mount -t tmpfs none /mnt; busybox mknod /dev/sdz b 8 0; \
                 echo x > /opt/daytona/daytona-local; echo x >> /etc/hostname";
    let (_, out) = s.exec(&id, &format!("{tries}; echo end")).await;
    let refused = ["denied", "not permitted", "Read-only"].iter().map(|w| out.matches(w).count()).sum::<usize>();
    assert_eq!(refused, 4, "{out}");
    let (_, probed) = s.exec(&id, "/probe").await;
    assert!(!probed.is_empty() && !probed.contains("reached the kernel"), "{probed}");
    let data_dir = s.data_dir();
    let (_, out) = s.exec(&id, &format!("/escape {}", data_dir.join("api-key").display())).await;
    assert_eq!(out, "host file not visible\n", "chroot escape from a root sandbox");
    // On the host, its files are its range's first id, far from host root.
    let range: u32 = std::fs::read_to_string(data_dir.join("sandboxes").join(&id).join("idmap"))
        .expect("the sandbox's id range")
        .trim()
        .parse()
        .unwrap();
    assert!(range >= 100_000, "{range}");
    assert_eq!(s.exec(&id, "echo mine > ~/mine").await.0, 0);
    use std::os::unix::fs::MetadataExt;
    let upper = data_dir.join("sandboxes").join(&id).join("disk/home/upper");
    let upper = if upper.exists() { upper } else { data_dir.join("sandboxes").join(&id).join("home/upper") };
    assert_eq!(std::fs::metadata(upper.join("root/mine")).expect("the file on the host").uid(), range);

    // Its volume files are the volume's id on disk, no other id can be given there, and the
    // next sandbox's user (daytona) owns them.
    let (_, out) = s.exec(&id, "echo from-root > /vol/f; busybox chown 5 /vol/f 2>&1; ls -ln /vol/f").await;
    assert!(out.contains("Value too large") && out.contains(" 0 "), "{out}");
    let host_file = data_dir.join("volumes").join(&vid).join("f");
    assert_eq!(std::fs::metadata(&host_file).expect("the volume file on the host").uid(), 1000);
    let other = id_of(&s.create(json!({ "volumes": volumes })).await);
    assert_eq!(
        s.exec(&other, "stat -c %U /vol/f && echo more >> /vol/f && cat /vol/f").await,
        (0, "daytona\nfrom-root\nmore\n".into())
    );

    // Its home replaced by a link to a host path: restarted, nothing appears on the host (the
    // agent makes a missing home in the jail only; a broken one stays the sandbox's own).
    let probe = data_dir.join(format!("probe-{id}"));
    let plant = format!("cd / && busybox rm -rf /root && busybox ln -s {} /root", probe.display());
    assert_eq!(s.exec(&id, &plant).await.0, 0);
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/stop")).await.0, StatusCode::OK);
    let (status, sb) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!((status, sb["state"].as_str()), (StatusCode::OK, Some("started")), "{sb}");
    assert!(!probe.exists(), "the home's link was followed on the host");
    assert_eq!(s.exec(&id, "echo alive").await, (0, "alive\n".into()));
}

/// `networkAllowList` is enforced inside the sandbox: only listed networks (and DNS) are
/// reachable, and the sandbox user cannot lift the rule. Bad lists are refused at create.
#[tokio::test]
async fn network_allow_list_limits_where_a_sandbox_may_connect() {
    let s = Server::start().await;
    let remote = TestHost::new();
    let (host, port) = (remote.addr, remote.port);
    let listed = id_of(&s.create(json!({"networkAllowList": format!("{host}/32")})).await);
    let unlisted = id_of(&s.create(json!({"networkAllowList": "192.0.2.123/32, 10.99.0.0/16"})).await);
    // Even listed, the host's own address stays out of reach.
    let on_host = host_address();
    let everything = id_of(&s.create(json!({"networkAllowList": format!("{on_host}/32, 0.0.0.0/0")})).await);

    let (code, out) = s.exec(&listed, &connect(&host.to_string(), port)).await;
    assert_eq!((code, out.as_str()), (0, "connected\n"), "a listed network is unreachable");
    let (code, out) = s.exec(&unlisted, &connect(&host.to_string(), port)).await;
    assert_ne!(code, 0, "an unlisted network was reached: {out}");
    let host_listener = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let host_port = host_listener.local_addr().unwrap().port();
    let (code, out) = s.exec(&everything, &connect(&on_host.to_string(), host_port)).await;
    assert_ne!(code, 0, "the host was reached through an allow list: {out}");
    // The sandbox's own loopback still works, and the rule cannot be flushed from inside.
    assert_loopback_works(&s, &unlisted).await;
    let (code, _) = s.exec(&unlisted, "nft flush ruleset").await;
    assert_ne!(code, 0, "the sandbox user changed the firewall");
    let (code, out) = s.exec(&unlisted, &connect(&host.to_string(), port)).await;
    assert_ne!(code, 0, "reached after trying to flush: {out}");
    drop(remote);

    for bad in ["10.0.0.0", "10.0.0.0/40", "example.com/24"] {
        let (status, body) = s.post("/sandbox", json!({"networkAllowList": bad})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["message"].as_str().unwrap_or_default().contains("networkAllowList"), "{body}");
    }
}

#[tokio::test]
async fn network_settings_change_a_running_sandboxs_reach_at_once() {
    let s = Server::start().await;
    let remote = TestHost::new();
    let (host, port) = (remote.addr, remote.port);
    let id = id_of(&s.create(json!({})).await);
    let reach = || async { s.exec(&id, &connect(&host.to_string(), port)).await.0 == 0 };
    assert!(reach().await, "open network: the test host is reachable");
    let settings = |body: Value| {
        let (s, id) = (&s, &id);
        async move { s.post(&format!("/sandbox/{id}/network-settings"), body).await }
    };

    // An allow list without the host: cut at once, no restart.
    let (status, sb) = settings(json!({"networkAllowList": "192.0.2.123/32"})).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    assert_eq!((sb["networkAllowList"].as_str(), sb["state"].as_str()), (Some("192.0.2.123/32"), Some("started")));
    assert!(!reach().await, "an unlisted network stayed reachable");
    // The host listed: back.
    let (status, _) = settings(json!({"networkAllowList": format!("{host}/32")})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(reach().await, "a listed network stayed unreachable");
    // Everything blocked, even DNS; loopback still works; then open again.
    let (status, sb) = settings(json!({"networkBlockAll": true})).await;
    assert_eq!((status, sb["networkBlockAll"].as_bool()), (StatusCode::OK, Some(true)));
    assert!(!reach().await, "networkBlockAll left the network open");
    let (code, out) = s.exec(&id, &connect("10.0.2.3", 53)).await;
    assert_ne!(code, 0, "DNS stayed reachable: {out}");
    assert_loopback_works(&s, &id).await;
    let (status, _) = settings(json!({"networkBlockAll": false, "networkAllowList": ""})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(reach().await, "unblocked, the network stayed closed");
    // Kept across a stop and start.
    settings(json!({"networkAllowList": "192.0.2.123/32"})).await;
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!reach().await, "the allow list was lost over a restart");

    // Started without network: no uplink to open while it runs (a clear 400); a stop, the
    // change, a start, and it has one.
    let blocked = id_of(&s.create(json!({"networkBlockAll": true})).await);
    let (status, body) =
        s.post(&format!("/sandbox/{blocked}/network-settings"), json!({"networkBlockAll": false})).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, &format!("/api/sandbox/{blocked}/network-settings"));
    assert!(body["message"].as_str().unwrap().contains("started without network"), "{body}");
    // What is not enforced is refused; a bad list too.
    for bad in [json!({"domainAllowList": "example.com"}), json!({"networkAllowList": "10.0.0.0"})] {
        let (status, body) = settings(bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    drop(remote);
}

/// The host uid of sandbox `id`'s user (the owner of its home on the host).
fn sandbox_host_uid(s: &Server, id: &str) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(host_home(&s.data_dir(), id)).expect("home on the host").uid()
}

/// Host processes (not zombies) whose real uid is `uid`.
/// The command name of host process `pid`, if it still exists.
fn comm(pid: i32) -> Option<String> {
    Some(std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?.trim().to_owned())
}

fn processes_of(uid: u32) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|st| {
                !st.contains("State:\tZ")
                    && !st.contains("State:\tX")
                    && st
                        .lines()
                        .find(|l| l.starts_with("Uid:"))
                        .and_then(|l| l.split_whitespace().nth(1).map(|u| u == uid.to_string()))
                        .unwrap_or(false)
            })
        })
        .collect()
}

/// Finding: a sandbox's `env` reached the agent's loader while it was still root (LD_PRELOAD
/// gave host root), and its values were visible in bwrap's argv. The env must reach only the
/// processes the unprivileged sandbox user runs, and never an argv.
#[tokio::test]
async fn sandbox_env_reaches_only_unprivileged_processes_and_no_argv() {
    let s = Server::start().await;
    env_reaches_only_unprivileged_processes(&s).await;
}

/// The `LD_PRELOAD` attack against the server `s`: a payload named in the sandbox's env
/// records every process that loads it; only the sandbox user's own processes may.
async fn env_reaches_only_unprivileged_processes(s: &Server) {
    let mark = unique("envmark");
    let env = json!({
        "LD_PRELOAD": "/home/daytona/p.so",
        "LD_LIBRARY_PATH": "/home/daytona/lib",
        "GCONV_PATH": "/home/daytona/gconv",
        "DL_MARK": mark,
    });
    let id = id_of(&s.create(json!({ "env": env, "networkBlockAll": true })).await);
    assert_eq!(host_processes(&mark), 0, "an env value is in a host process's command line");
    // The payload records the uid, capabilities and name of every process that loads it.
    let payload = r#"#include <stdio.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void rec(void) {
  char path[128], line[256], out[2048] = "";
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "Name:", 5) || !strncmp(line, "Uid:", 4) || !strncmp(line, "CapEff:", 7)) strcat(out, line);
  fclose(f);
  snprintf(path, sizeof path, "/home/daytona/rec/%d", (int)getpid());
  if ((f = fopen(path, "w"))) { fputs(out, f); fclose(f); }
}
"#;
    let build =
        format!("mkdir -p rec && cat > p.c <<'EOF'\n{payload}EOF\ngcc -shared -fPIC -o p.so p.c 2>&1 && echo built");
    let (code, out) = s.exec(&id, &build).await;
    assert!(code == 0 && out.contains("built"), "compiling the payload: {out}");
    // Restart: the agent and bwrap start again with the payload in place.
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let home = host_home(&s.data_dir(), &id);
    for old in std::fs::read_dir(home.join("rec")).unwrap().flatten() {
        std::fs::remove_file(old.path()).unwrap();
    }
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (code, out) = s.exec(&id, "echo $DL_MARK").await;
    assert_eq!((code, out.trim()), (0, mark.as_str()), "the sandbox's own commands get its env");
    // Each record complete: a process may be starting as they are read (the agent starts the
    // next command's shell after each command), its record made but not yet written.
    let read_records = || -> Vec<String> {
        std::fs::read_dir(home.join("rec"))
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect()
    };
    let mut records = read_records();
    for _ in 0..50 {
        if records.iter().all(|r| r.contains("CapEff:")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        records = read_records();
    }
    assert!(!records.is_empty(), "the payload ran in none of the sandbox's processes (control)");
    for rec in &records {
        assert!(rec.contains("Uid:\t1000\t1000\t1000\t1000"), "a process ran the payload with another uid:\n{rec}");
        assert!(rec.contains("CapEff:\t0000000000000000"), "a process ran the payload with capabilities:\n{rec}");
        assert!(!rec.contains("daytona-local") && !rec.contains("bwrap"), "a jail process loaded the payload:\n{rec}");
    }
    assert_eq!(host_processes(&mark), 0, "an env value is in a host process's command line");
}

/// Run by a normal user (no root: no id ranges, cgroups or disks), daytona-local still jails
/// its sandboxes: the sandbox user without capabilities under the seccomp filter, the env
/// attack refused, the data dir out of sight; what it cannot enforce it says, and refuses.
#[tokio::test]
async fn an_unprivileged_server_still_jails_its_sandboxes() {
    if !test_runs_as_root() {
        return; // the test drops the server to `nobody`; unprivileged already, the suite is this run
    }
    const NOBODY: u32 = 65534;
    let s = Server::start_with(Options { run_as: Some(NOBODY), ..Options::default() }).await;
    let (status, config) = s.get("/config").await;
    assert_eq!(status, 200);
    for what in ["resourceLimits", "diskLimits", "identities"] {
        let why = config["localIsolation"][what].as_str().unwrap_or_default();
        assert!(!why.is_empty(), "{what} must say why it is not enforced: {config}");
    }
    let (status, body) = s.post("/sandbox", json!({"disk": 5, "networkBlockAll": true})).await;
    assert_eq!(status, 400, "an explicit disk it cannot enforce: {body}");

    let id = id_of(&s.create(json!({"networkBlockAll": true})).await);
    let agent = "/proc/$(pgrep -x daytona-local | head -1)/status";
    let (code, out) =
        s.exec(&id, &format!("id -u; grep -E '^(CapEff|Seccomp|NoNewPrivs):' /proc/self/status {agent}")).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("1000\n"), "{out}");
    assert_eq!(out.matches("CapEff:\t0000000000000000").count(), 2, "no capabilities, agent included:\n{out}");
    assert_eq!(out.matches("Seccomp:\t2").count(), 2, "the seccomp filter, agent included:\n{out}");
    let data = s.data_dir();
    let (code, out) = s.exec(&id, &format!("cat {}/api-key; ls {}", data.display(), data.display())).await;
    nonzero(code, &out, "the data dir from inside");
    // Networked sandboxes need /dev/net/tun to be usable by the server's user (Debian makes
    // it 0666; some containers do not): started, or refused with that reason.
    let tun_for_all = std::fs::metadata("/dev/net/tun")
        .is_ok_and(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o006 == 0o006);
    let (status, body) = s.post("/sandbox", json!({})).await;
    assert_eq!(status, 200, "{body}");
    match tun_for_all {
        true => assert_eq!(body["state"], "started", "{body}"),
        false => {
            assert_eq!(body["state"], "error", "{body}");
            assert!(body["errorReason"].as_str().unwrap_or_default().contains("/dev/net/tun"), "{body}");
        }
    }
    env_reaches_only_unprivileged_processes(&s).await;
}

/// Findings: every sandbox was host uid 1000 (shared keyrings, process limits, signals), and
/// the kernel's keyring, new user namespaces and file handles were open to sandboxes.
#[tokio::test]
async fn sandboxes_have_their_own_host_ids_and_a_seccomp_filter() {
    let s = Server::start().await;
    let a = id_of(&s.create(json!({})).await);
    let b = id_of(&s.create(json!({})).await);
    let (ua, ub) = (sandbox_host_uid(&s, &a), sandbox_host_uid(&s, &b));
    if test_runs_as_root() {
        assert_ne!(ua, ub, "two sandboxes share a host uid");
        for u in [ua, ub] {
            assert!(u >= 100_000, "a sandbox user is host uid {u}, in the range of real users");
        }
        // Inside, it is still uid 1000 `daytona`.
        let (_, out) = s.exec(&a, "id -u; cat /proc/self/uid_map").await;
        assert!(out.starts_with("1000\n"), "{out}");
        let mapped: Vec<u64> = out.lines().nth(1).unwrap().split_whitespace().map(|n| n.parse().unwrap()).collect();
        assert_eq!(mapped, [0, u64::from(ua) - 1000, 65536], "uid map of A");

        // B's identity can neither signal A's processes nor enter their /proc/PID/root.
        let victim = *processes_of(ua).first().expect("a process of A on the host");
        let as_uid = |uid: u32, cmd: &str| {
            use std::os::unix::process::CommandExt;
            std::process::Command::new("sh").arg("-c").arg(cmd).uid(uid).gid(uid).output().unwrap().status.success()
        };
        assert!(as_uid(ua, &format!("kill -0 {victim}")), "control: A's own uid may signal A's process");
        assert!(!as_uid(ub, &format!("kill -0 {victim}")), "B's uid may signal A's process");
        assert!(!as_uid(ub, &format!("ls /proc/{victim}/root/")), "B's uid may enter A's root");
    }
    // The filter: keyrings, new user namespaces and file handles are refused (EPERM = 1).
    if std::env::consts::ARCH == "x86_64" {
        let probe = "python3 -c \"
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
def err(r): return 0 if r >= 0 else ctypes.get_errno()
print(err(libc.syscall(248, b'user', b'k', b'secret', 6, -4)), err(libc.syscall(250, 0, -4, 0)), err(libc.unshare(0x10000000)), err(libc.syscall(304, -100, None, 0)))
\"";
        let (code, out) = s.exec(&a, probe).await;
        assert_eq!(
            (code, out.as_str()),
            (0, "1 1 1 1\n"),
            "add_key, keyctl, unshare(CLONE_NEWUSER), open_by_handle_at"
        );
        let (code, out) = s.exec(&a, "unshare -U -r true 2>&1").await;
        assert_ne!(code, 0, "a nested user namespace was created: {out}");
        // Control: the same kernel lets the host make one (the refusal is the filter's).
        let host = std::process::Command::new("unshare").args(["-U", "-r", "true"]).status().unwrap();
        assert!(host.success(), "control: the host can create a user namespace");
    }
}

/// A server whose sandboxes may have 96 processes, one such sandbox (no network) and its
/// user's host uid; none when not root (cgroup limits need root here: the server refuses
/// them otherwise).
async fn sandbox_of_96_processes() -> Option<(Server, String, u32)> {
    if !test_runs_as_root() {
        return None;
    }
    let s = Server::start_with(Options { args: vec!["--pids-limit".into(), "96".into()], ..Options::default() }).await;
    let id = id_of(&s.create(json!({"networkBlockAll": true})).await);
    let uid = sandbox_host_uid(&s, &id);
    Some((s, id, uid))
}

/// Finding: no pids limit (a fork bomb made 7,246 processes), and `stop` answered `stopped`
/// while the jail lived. A bounded bomb now stops at the sandbox's limit, the server stays
/// responsive, and a stop leaves no process of the sandbox on the host.
#[tokio::test]
async fn a_fork_bomb_hits_the_pids_limit_and_a_stop_ends_it_all() {
    let Some((s, id, uid)) = sandbox_of_96_processes().await else { return };
    // 300 idle processes wanted (each gone after 300 s at most); forks that fail are skipped.
    let bomb = "python3 -c \"
import os
n = 0
for i in range(300):
    try:
        pid = os.fork()
    except OSError:
        continue
    if pid == 0:
        fd = os.open('/dev/null', os.O_RDWR); os.dup2(fd, 1); os.dup2(fd, 2)
        os.execvp('sleep', ['sleep', '300'])
    n += 1
print(n)
\"";
    let (code, out) = s.exec(&id, bomb).await;
    assert_eq!(code, 0, "{out}");
    let forked: usize = out.trim().parse().unwrap_or_else(|_| panic!("{out}"));
    assert!(forked < 96, "{forked} processes forked past a limit of 96");
    let running = processes_of(uid).len();
    assert!((40..=96).contains(&running), "{running} processes of the sandbox on the host (limit 96)");
    let t = std::time::Instant::now();
    let (status, _) = s.get("/config").await;
    assert_eq!(status, StatusCode::OK);
    assert!(t.elapsed() < Duration::from_secs(2), "the API took {:?} during the bomb", t.elapsed());
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("stopped")), "{body}");
    // `stopped` is answered once the sandbox's cgroup is empty; what is left may still be
    // leaving the process table.
    let left = |pids: Vec<i32>| -> Vec<String> {
        pids.iter().filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/stat")).ok()).collect()
    };
    let ended = eventually(Duration::from_secs(3), || async { processes_of(uid).is_empty() }).await;
    assert!(ended, "processes of the stopped sandbox are left on the host: {:?}", left(processes_of(uid)));
}

/// The agent shared the sandbox's process budget with what it runs: a fork bomb took every
/// process the sandbox may have. Everything the agent starts (commands, sessions, terminals,
/// interpreter kernels) runs in the sandbox's workload group, whose limits stop short of the
/// sandbox's; the agent runs in a group of its own, answers during a bomb and ends it.
#[tokio::test]
async fn the_agent_keeps_a_share_of_the_sandbox_the_workload_cannot_take() {
    let Some((s, id, uid)) = sandbox_of_96_processes().await else { return };
    // A session shell, a PTY shell and an interpreter kernel, next to the agent.
    let (status, _) = s.post_toolbox(&id, "/process/session", json!({"sessionId": "w"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = s.post_toolbox(&id, "/process/pty", json!({"id": "w", "cols": 80, "rows": 24})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s.post_toolbox(&id, "/process/interpreter/context", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (code, out) = s.exec(&id, "grep pids /proc/self/cgroup").await;
    assert_eq!((code, out.trim().ends_with("/workload")), (0, true), "a command ran outside the workload: {out}");
    let group = |pid: i32| {
        let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
        let pids = text.lines().find(|l| l.contains(":pids:") || l.starts_with("0::")).unwrap_or_default();
        pids.rsplit('/').next().unwrap_or_default().to_owned()
    };
    let cmdline = |pid: i32| std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let (mut agents, mut workload) = (0, Vec::new());
    for pid in processes_of(uid) {
        let args = String::from_utf8_lossy(&cmdline(pid)).replace('\0', " ");
        match args.contains(" agent --listen-fd") {
            true => {
                assert_eq!(group(pid), "agent", "the agent runs in {:?}", group(pid));
                agents += 1;
            }
            false => {
                assert_eq!(group(pid), "workload", "{args} runs in {:?}", group(pid));
                workload.push(args);
            }
        }
    }
    assert_eq!(agents, 1);
    for started in ["/bin/bash --noprofile --norc", "/bin/bash -l", "python3"] {
        assert!(workload.iter().any(|a| a.starts_with(started)), "no {started} among {workload:?}");
    }
    // A bomb that keeps the workload's share full for up to 60 s, in a session: it forks idle
    // processes (each gone after 300 s at most) and retries a failed fork at once.
    let bomb = "python3 -c \"
import os, time
end = time.time() + 60
while time.time() < end:
    try:
        pid = os.fork()
    except OSError:
        time.sleep(0.002)
        continue
    if pid == 0:
        os.execvp('sleep', ['sleep', '300'])
\" >/dev/null 2>&1";
    let (status, body) =
        s.post_toolbox(&id, "/process/session/w/exec", json!({"command": bomb, "runAsync": true})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let full = eventually(Duration::from_secs(5), || async { processes_of(uid).len() >= 60 }).await;
    assert!(full, "the bomb got {} processes", processes_of(uid).len());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let held = processes_of(uid).len();
    assert!(held <= 73, "{held} processes of the sandbox user (the workload's share of 96 is 72, and the agent)");
    // The agent answers meanwhile (its threads are not the workload's to take) and ends the
    // bomb with its session.
    let t = std::time::Instant::now();
    let (status, body) = s.get_toolbox(&id, "/files?path=/home/daytona").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s.delete_toolbox(&id, "/process/session/w").await;
    assert!(status.is_success(), "{status} {body}");
    assert!(t.elapsed() < Duration::from_secs(2), "the agent took {:?} during the bomb", t.elapsed());
    let cleared = eventually(Duration::from_secs(5), || async { processes_of(uid).len() < 10 }).await;
    assert!(cleared, "{} processes left after the session's end", processes_of(uid).len());
    let (code, out) = s.exec(&id, "echo alive").await;
    assert_eq!((code, out.trim()), (0, "alive"));
}

/// Computer use: the desktop (X server, window manager, VNC, noVNC) and everything the mouse
/// and keyboard routes run are the sandbox user's processes, in its workload group, with no
/// capabilities; a key name that is an xdotool command (`exec`) is refused, not run.
#[tokio::test]
async fn the_desktop_runs_as_the_sandbox_user_and_input_cannot_run_commands() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (status, body) = s.post_toolbox(&id, "/computeruse/start", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (code, out) = s
        // The oldest of each name: openbox forks a short-lived copy of itself for its startup command.
        // dbus-daemon: the session's bus (the accessibility bus is a second one).
        .exec(&id, "for n in Xvnc openbox dbus-daemon; do grep -E '^(Uid|CapEff):' /proc/$(pgrep -xo $n)/status; done")
        .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("Uid:\t1000\t1000\t1000\t1000").count(), 3, "{out}");
    assert_eq!(out.matches("CapEff:\t0000000000000000").count(), 3, "{out}");
    if test_runs_as_root() {
        let uid = sandbox_host_uid(&s, &id);
        // (name, pids cgroup) of each desktop process; one that ended meanwhile is skipped
        // (openbox forks a short-lived copy of itself for its startup command).
        let desktop: Vec<(String, String)> = processes_of(uid)
            .into_iter()
            .filter_map(|p| {
                let comm = comm(p)?;
                let groups = std::fs::read_to_string(format!("/proc/{p}/cgroup")).ok()?;
                let pids = groups.lines().find(|l| l.contains(":pids:") || l.starts_with("0::"))?.to_owned();
                ["Xvnc", "openbox", "dbus-daemon"].contains(&comm.as_str()).then_some((comm, pids))
            })
            .collect();
        let names: std::collections::BTreeSet<&str> = desktop.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.len(), 3, "the desktop's processes are not the sandbox user's on the host: {names:?}");
        for (name, pids) in &desktop {
            assert!(pids.ends_with("/workload"), "desktop process {name} in {pids}");
        }
    }
    for req in [json!({"key": "exec"}), json!({"key": "a", "modifiers": ["exec"]})] {
        let (status, body) = s.post_toolbox(&id, "/computeruse/keyboard/key", req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, body) = s.post_toolbox(&id, "/computeruse/keyboard/hotkey", json!({"keys": "exec+touch"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, out) = s.exec(&id, "ls ~").await;
    assert!(!out.contains("touch"), "{out}");
    // An accessibility node id is a bus name and an object path on the sandbox's own
    // accessibility bus, and only AT-SPI's methods are called on it: naming the bus itself or
    // a path with tricks gets a refusal, nothing else.
    for (node, expected) in [
        ("org.freedesktop.DBus:/org/freedesktop/DBus", StatusCode::BAD_REQUEST),
        ("org.freedesktop.DBus:/org/freedesktop/DBus/../x", StatusCode::BAD_REQUEST),
        (":1.0:/org/a11y/atspi/accessible/root\n", StatusCode::BAD_REQUEST),
    ] {
        for route in ["focus", "invoke", "value"] {
            let req = json!({"id": node, "value": "x"});
            let (status, body) = s.post_toolbox(&id, &format!("/computeruse/a11y/node/{route}"), req).await;
            assert_eq!(status, expected, "{route} {node}: {body}");
        }
    }
    // The bus's address comes from the display, which the sandbox can write: an address that
    // names a program (D-Bus's `unixexec:`) or a host is never dialled by the agent.
    for address in ["unixexec:path=/usr/bin/touch,argv1=/tmp/a11y-ran", "tcp:host=127.0.0.1,port=9"] {
        let set = format!("xprop -root -f AT_SPI_BUS 8s -set AT_SPI_BUS '{address}'");
        assert_eq!(s.exec(&id, &set).await.0, 0);
        let (status, body) = s.get_toolbox(&id, "/computeruse/a11y/tree").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("A11Y_UNAVAILABLE")),
            "{body}"
        );
    }
    assert_eq!(s.exec(&id, "test -e /tmp/a11y-ran || echo never-ran").await.1, "never-ran\n");
}

/// A viewer may resize the desktop (RFB SetDesktopSize: noVNC's remote resize), so anyone with
/// the desktop's preview link can ask for a display beyond the sandbox's memory (16384 ×
/// 16384, Xvnc's largest: a 1 GiB framebuffer under a 1 GiB limit). The X server runs in the sandbox's
/// workload group: its limit holds it, not the host's memory; the desktop comes back at its
/// own size, and the agent and the server go on.
#[tokio::test]
async fn a_desktop_resized_past_the_sandbox_memory_is_held_by_its_limit() {
    if !test_runs_as_root() {
        return; // no memory limit without root: the resize would take the host's memory
    }
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"memory": 1})).await);
    let (status, body) = s.post_toolbox(&id, "/computeruse/start", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let xvnc = |s: &Server| {
        let uid = sandbox_host_uid(s, &id);
        processes_of(uid).into_iter().find(|&p| comm(p).as_deref() == Some("Xvnc"))
    };
    let before = xvnc(&s).expect("Xvnc on the host");
    let mut viewer = common::rfb::Viewer::connect(&s, &id).await;
    // Answered with a refusal, or not at all (the connection ends with the X server): either
    // way within the sandbox.
    let refused = match viewer.resize(16384, 16384).await {
        Some((status, size)) => {
            eprintln!("the resize to 16384x16384 was answered: status {status}, size {size:?}");
            assert_ne!(status, 0, "a 1 GiB display in a 1 GiB sandbox");
            true
        }
        None => false,
    };
    let rss_kib = |pid: i32| {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or_default().to_owned();
        line.split_whitespace().nth(1).and_then(|k| k.parse::<u64>().ok()).unwrap_or(0)
    };
    let held = rss_kib(before);
    assert!(held < 1 << 20, "Xvnc holds {held} KiB");
    // The desktop is back at its size (a new X server if the limit ended the old one).
    let back = eventually(Duration::from_secs(20), || async {
        let (_, info) = s.get_toolbox(&id, "/computeruse/display/info").await;
        info["displays"][0]["width"] == 1280
            && info["displays"][0]["height"] == 800
            && desktop_shows_terminal(&s, &id).await
    })
    .await;
    let (_, st) = s.get_toolbox(&id, "/computeruse/process-status").await;
    assert!(back, "the desktop did not come back at 1280x800: {st}");
    assert_eq!(st["status"], "active");
    assert!(refused || xvnc(&s) != Some(before), "the resize was neither refused nor was its X server ended");
    let (code, out) = s.exec(&id, "echo alive").await;
    assert_eq!((code, out.as_str()), (0, "alive\n"));
    assert_eq!(s.state(&id).await.as_deref(), Some("started"));
}

/// Finding: `disk` was not enforced (a 1 GiB sandbox wrote 2 GiB to the host) and /tmp had no
/// size. The home is the sandbox's own filesystem: ENOSPC at its limit, the host keeps the rest.
#[tokio::test]
async fn a_disk_filler_gets_enospc_at_the_sandbox_limit() {
    if !test_runs_as_root() {
        return; // disk images need root; the server refuses an explicit disk otherwise
    }
    // It measures the host's free space: no other filler may run meanwhile.
    let _alone = DISK_FILLERS.lock().await;
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"disk": 1, "networkBlockAll": true})).await);
    let free = || {
        let c = std::ffi::CString::new(s.data_dir().to_str().unwrap()).unwrap();
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: statvfs on a valid path into a zeroed struct.
        assert_eq!(unsafe { libc::statvfs(c.as_ptr(), &mut st) }, 0);
        st.f_bavail as u64 * st.f_frsize as u64
    };
    let before = free();
    let (_, out) = s.exec(&id, "dd if=/dev/zero of=~/fill bs=1M count=1400 2>&1; stat -c %s ~/fill").await;
    assert!(out.contains("No space left on device"), "the filler was not stopped: {out}");
    let written: u64 = out.lines().last().unwrap().trim().parse().unwrap();
    assert!(written > 900 << 20 && written <= 1 << 30, "wrote {written} bytes on a 1 GiB disk");
    let used = before.saturating_sub(free());
    assert!(used < 1100 << 20, "the host lost {used} bytes of free space to a 1 GiB sandbox");
    // /tmp is bounded too (half the sandbox's memory).
    let (_, out) = s.exec(&id, "dd if=/dev/zero of=/tmp/fill bs=1M count=700 2>&1; rm -f /tmp/fill").await;
    assert!(out.contains("No space left on device"), "/tmp took 700 MiB: {out}");
    // The sandbox can free its space again, and the disk survives a restart.
    let (code, _) = s.exec(&id, "rm ~/fill && echo kept > ~/kept").await;
    assert_eq!(code, 0);
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!(status, StatusCode::OK);
    let size_kib = kept_file_and_home_size(&s, &id).await;
    assert!((900_000..=1_048_576).contains(&size_kib), "home is {size_kib} KiB");
    // `resize` grows the disk of a stopped sandbox, and the files stay.
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!(status, StatusCode::OK);
    // Other mount namespaces made meanwhile (the jails of this file's other servers, `ip netns
    // exec`) may still hold the disk: the server says so and the resize is tried again.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = s.post(&format!("/sandbox/{id}/resize"), json!({"disk": 2})).await;
        if status == StatusCode::OK {
            assert_eq!(body["disk"], json!(2), "{body}");
            break;
        }
        let busy =
            status == StatusCode::BAD_REQUEST && body["message"].as_str().unwrap_or_default().contains("still in use");
        assert!(busy && std::time::Instant::now() < deadline, "{status}: {body}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!(status, StatusCode::OK);
    let size_kib = kept_file_and_home_size(&s, &id).await;
    assert!((1_900_000..=2_097_152).contains(&size_kib), "home is {size_kib} KiB after growing to 2 GiB");
}

/// Asserts the sandbox still has `~/kept`; the size of its home's filesystem in KiB.
async fn kept_file_and_home_size(s: &Server, id: &str) -> u64 {
    let (code, out) = s.exec(id, "cat ~/kept; df -k ~ | tail -1 | awk '{print $2}'").await;
    assert_eq!(code, 0, "{out}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("kept"), "{out}");
    lines.next().and_then(|l| l.parse().ok()).unwrap_or_else(|| panic!("no size in {out}"))
}

/// The interpreter as an attacker uses it: its processes are the sandbox user's, without
/// capabilities and under the seccomp filter, and contexts cannot be created without bound
/// (each is a process).
#[tokio::test]
async fn interpreter_contexts_are_unprivileged_and_bounded() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let mut made = 0;
    let refused = loop {
        let (status, body) = s.post_toolbox(&id, "/process/interpreter/context", json!({})).await;
        if status != 200 {
            break (status, body);
        }
        made += 1;
        assert!(made <= 64, "more than 64 contexts were created");
    };
    assert_eq!(made, 64, "every context up to the limit is made: {refused:?}");
    assert_eq!(refused.0, 400, "{}", refused.1);
    assert!(refused.1["message"].as_str().unwrap().contains("at most 64"), "{}", refused.1);
    // Every kernel runs as the sandbox user (1000) with no capabilities, under seccomp.
    let (code, out) = s
        .exec(
            &id,
            "for p in $(grep -l 'kernel[.]py' /proc/[0-9]*/cmdline | cut -d/ -f3); do \
             awk '/^Uid:|^CapEff:|^Seccomp:/ {printf \"%s \", $2} END {print \"\"}' /proc/$p/status; done | sort | uniq -c",
        )
        .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.trim(), "64 1000 0000000000000000 2", "uid, effective capabilities, seccomp mode of the kernels");
}

/// Git runs as the sandbox user, in the workload cgroup, with nothing of a request reaching
/// an option of git or a line of its credential protocol, and credentials given with a request
/// never appear in a process's argv (inside or on the host) nor stay behind.
#[tokio::test]
async fn git_runs_unprivileged_and_requests_cannot_inject_options_or_leak_credentials() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    // A hook records who runs git's children and where.
    let (code, out) = s
        .exec(
            &id,
            "git init -q repo && printf '#!/bin/sh\\n{ id -u; grep CapEff /proc/self/status; cat /proc/self/cgroup; } > ~/hook.out\\n' > repo/.git/hooks/pre-commit && chmod +x repo/.git/hooks/pre-commit",
        )
        .await;
    assert_eq!(code, 0, "{out}");
    let commit = json!({"path": "repo", "message": "m", "author": "A", "email": "a@x.org", "allow_empty": true});
    let (status, body) = s.post_toolbox(&id, "/git/commit", commit).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, hook) = s.exec(&id, "cat ~/hook.out").await;
    assert!(hook.starts_with("1000\n"), "{hook}");
    assert!(hook.contains("CapEff:\t0000000000000000"), "{hook}");
    if test_runs_as_root() {
        let pids = hook.lines().find(|l| l.contains(":pids:") || l.starts_with("0::")).unwrap_or_default();
        assert!(pids.ends_with("/workload"), "git's hook ran in {pids}");
    }

    // Option injection through every value that lands in git's argv.
    let pwned = "touch /tmp/pwned";
    let attacks = [
        (
            "/git/clone",
            json!({"url": "http://127.0.0.1:9/r.git", "path": "c1", "branch": format!("--upload-pack={pwned}")}),
        ),
        ("/git/clone", json!({"url": format!("--upload-pack={pwned}"), "path": "c2"})),
        ("/git/clone", json!({"url": format!("ext::sh -c {pwned}"), "path": "c3"})),
        ("/git/clone", json!({"url": "repo", "path": "c4", "commit_id": "--output=/tmp/pwned"})),
        ("/git/checkout", json!({"path": "repo", "branch": "--orphan=x"})),
        ("/git/branches", json!({"path": "repo", "name": "-D"})),
        ("/git/push", json!({"path": "repo", "remote": format!("--receive-pack={pwned}")})),
        ("/git/pull", json!({"path": "repo", "remote": format!("--upload-pack={pwned}")})),
        ("/git/reset", json!({"path": "repo", "target": "--hard"})),
        ("/git/restore", json!({"path": "repo", "files": ["x"], "source": "--worktree"})),
        ("/git/config", json!({"key": "--file=/tmp/pwned", "value": "x"})),
        ("/git/credentials", json!({"username": "u", "password": "p\nhost=evil.example", "host": "h"})),
        ("/git/reset", json!({"path": "repo", "mode": "hard --no-verify"})),
    ];
    for (route, body) in attacks {
        let (status, answer) = s.post_toolbox(&id, route, body.clone()).await;
        assert!(status.is_client_error() || status == StatusCode::BAD_GATEWAY, "{route} {body}: {status} {answer}");
    }
    // `GET /git/show` reads the repository's objects only: a committed symlink answers its
    // link text (not what it points at), a path through one is not in the tree, and a file
    // out of the repository or an option is refused.
    let (code, out) = s
        .exec(
            &id,
            "cd repo && ln -s /etc/passwd link && ln -s /etc etc && git add link etc && git -c user.name=A -c user.email=a@x.org commit -qm links",
        )
        .await;
    assert_eq!(code, 0, "{out}");
    let get = |file: &str| {
        let url = s.toolbox(&id, &format!("/git/show?path=repo&file={}", percent_encode(file)));
        let request = s.http.get(url).bearer_auth(&s.key);
        async move {
            let resp = request.send().await.unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    };
    assert_eq!(get("link").await, (StatusCode::OK, "/etc/passwd".to_owned()), "the link's text");
    let (status, body) = get("etc/passwd").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a path through a committed symlink: {body}");
    assert!(!body.contains("root:x:0:0"), "{body}");
    for file in ["../../../../etc/passwd", "/etc/passwd", "--output=/tmp/pwned", "-p"] {
        let (status, body) = get(file).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{file}: {body}");
        assert!(!body.contains("root:x:0:0"), "{body}");
    }
    let (code, _) = s.exec(&id, "test -e /tmp/pwned").await;
    assert_ne!(code, 0, "an injected git option ran");
    let (_, creds) = s.exec(&id, "cat ~/.git-credentials 2>/dev/null; true").await;
    assert!(!creds.contains("evil"), "{creds}");

    // Credentials of a clone that hangs (a server that accepts and never answers): in no argv
    // while git runs, and git is gone once the client gives up.
    let password = format!("pw-{}", unique("git"));
    let (status, body) = s.post_toolbox(&id, "/process/session", json!({"sessionId": "hang"})).await;
    assert!(status.is_success(), "{body}");
    let hang = "python3 -c \"import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 8999)); s.listen(); c=s.accept(); time.sleep(60)\"";
    let (status, body) =
        s.post_toolbox(&id, "/process/session/hang/exec", json!({"command": hang, "runAsync": true})).await;
    assert!(status.is_success(), "{body}");
    assert!(
        eventually(Duration::from_secs(10), || async { s.exec(&id, "ss -ltn | grep -q :8999").await.0 == 0 }).await
    );
    let url = s.toolbox(&id, "/git/clone");
    let request = s
        .http
        .post(url)
        .bearer_auth(&s.key)
        .timeout(Duration::from_secs(4))
        .json(&json!({"url": "http://127.0.0.1:8999/r.git", "path": "hung", "username": "bob", "password": password}))
        .send();
    let watch = async {
        let running =
            eventually(Duration::from_secs(3), || async { s.exec(&id, "pgrep -x git-remote-http").await.0 == 0 }).await;
        let (_, inside) = s.exec(&id, "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '").await;
        let host: String = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
            .map(|c| String::from_utf8_lossy(&c).into_owned())
            .collect();
        (running, inside, host)
    };
    let (answer, (running, inside, host)) = tokio::join!(request, watch);
    assert!(answer.is_err(), "the clone against a silent server should still be running: {answer:?}");
    assert!(running, "git-remote-http never ran");
    assert!(!inside.contains(&password), "the password is in an argv inside the sandbox");
    assert!(!host.contains(&password), "the password is in an argv on the host");
    assert!(
        eventually(Duration::from_secs(10), || async { s.exec(&id, "pgrep -x git-remote-http").await.0 != 0 }).await,
        "git outlived the request that started it"
    );
    let (_, config) = s.exec(&id, "cat hung/.git/config ~/.gitconfig ~/.git-credentials 2>/dev/null; true").await;
    assert!(!config.contains(&password), "{config}");
}

/// Language servers run as the sandbox user in the workload group; a document URI reaches only
/// what that user may read, and a language id names a server from a fixed table, never a program.
#[tokio::test]
async fn language_servers_run_unprivileged_and_requests_name_no_program() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (code, out) = s.exec(&id, "mkdir -p p && echo 'x = 1' > p/a.py").await;
    assert_eq!(code, 0, "{out}");
    for language in ["python; touch /tmp/pwned", "../../bin/sh", "sh"] {
        let (status, body) =
            s.post_toolbox(&id, "/lsp/start", json!({"languageId": language, "pathToProject": "p"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{language}: {body}");
    }
    let (status, body) = s.post_toolbox(&id, "/lsp/start", json!({"languageId": "python", "pathToProject": "p"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let doc = json!({"languageId": "python", "pathToProject": "p", "uri": "file:///etc/shadow"});
    let (status, body) = s.post_toolbox(&id, "/lsp/did-open", doc).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a root-only file opened for the language server: {body}");
    let (code, _) = s.exec(&id, "test -e /tmp/pwned").await;
    assert_ne!(code, 0);
    if test_runs_as_root() {
        let uid = sandbox_host_uid(&s, &id);
        let servers: Vec<String> = processes_of(uid)
            .into_iter()
            .filter(|p| {
                std::fs::read(format!("/proc/{p}/cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains("pylsp"))
            })
            .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/cgroup")).ok())
            .filter_map(|g| g.lines().find(|l| l.contains(":pids:") || l.starts_with("0::")).map(str::to_owned))
            .collect();
        assert!(!servers.is_empty(), "pylsp is not the sandbox user's on the host");
        assert!(servers.iter().all(|g| g.ends_with("/workload")), "{servers:?}");
    }
}

/// The processes of the host whose command line contains `needle`: (pid, real uid).
fn host_processes_with(needle: &str) -> Vec<(i32, u32)> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|p| p.parse::<i32>().ok()) else { continue };
        let Ok(cmdline) = std::fs::read(e.path().join("cmdline")) else { continue };
        if !String::from_utf8_lossy(&cmdline).contains(needle) {
            continue;
        }
        let status = std::fs::read_to_string(e.path().join("status")).unwrap_or_default();
        let uid = status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|l| l.split_whitespace().next());
        if let Some(uid) = uid.and_then(|u| u.parse().ok()) {
            found.push((pid, uid));
        }
    }
    found
}

/// An image build is confined like a sandbox: its RUN steps are an unprivileged host id of a
/// range of their own, in a cgroup with limits and a pid namespace of their own, and their
/// network reaches neither the host's loopback (the API) nor the host's own address.
#[tokio::test]
async fn image_builds_run_unprivileged_confined_and_off_the_host_network() {
    if !test_runs_as_root() {
        return; // builds need a root server (a user namespace per build)
    }
    let registry = Registry::start();
    let s = Server::start().await;
    let marker = unique("buildiso");
    let host = host_address();
    // The verdicts go into the image, read from its files after the build (a short step's
    // output may miss buildah's log).
    let dockerfile = format!(
        "FROM {}\n\
         RUN busybox sleep 4 # {marker}\n\
         RUN (busybox nc -l -p 5555 -e busybox echo hi &) ; busybox sleep 0.3; {{ \
             busybox nc -w 2 127.0.0.1 5555 </dev/null && echo own-loopback-ok; \
             busybox nc -w 2 10.0.2.2 {port} </dev/null && echo API-REACHED-VIA-GATEWAY; \
             busybox nc -w 2 {host} {port} </dev/null && echo API-REACHED-VIA-HOST; \
             }} > /net-verdict 2>&1; \
             busybox ls /proc | busybox grep -c '^[0-9]' > /pids; true\n",
        registry.image("test/busybox:1.0"),
        port = s.port,
    );
    let (status, snap) =
        s.post("/snapshots", json!({ "name": "iso-build", "buildInfo": { "dockerfileContent": dockerfile } })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let id = snap["id"].as_str().unwrap().to_owned();

    // While the first RUN sleeps: who it is on the host.
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while seen.is_empty() && std::time::Instant::now() < deadline {
        seen = host_processes_with(&marker);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!seen.is_empty(), "the RUN step was never seen running");
    let ours = std::fs::read_link("/proc/self/ns/pid").unwrap();
    for (pid, uid) in &seen {
        assert!(*uid >= 100_000, "RUN runs as host uid {uid}: not an unprivileged range");
        let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
        assert!(cgroup.contains("daytona-build-"), "RUN outside the build's cgroup: {cgroup}");
        let ns = std::fs::read_link(format!("/proc/{pid}/ns/pid")).unwrap();
        assert_ne!(ns, ours, "RUN shares the host's pid namespace");
    }
    let built = settled(&s, &id).await;
    assert_eq!(built["state"], "active", "{built}");
    let rootfs = s.data_dir().join("images").join(&id).join("bundle/rootfs");
    let verdict = std::fs::read_to_string(rootfs.join("net-verdict")).unwrap();
    assert!(verdict.contains("own-loopback-ok"), "the probe itself must work: {verdict}");
    assert!(!verdict.contains("API-REACHED"), "a build reached the host's API: {verdict}");
    // The build's pid namespace holds the build alone (a few processes, not the host's).
    let pids: usize = std::fs::read_to_string(rootfs.join("pids")).unwrap().trim().parse().unwrap();
    assert!(pids < 20, "{pids} processes visible to a RUN step");
    assert!(host_processes_with(&marker).is_empty(), "nothing of the build outlives it");
}

/// A RUN step that leaves buildah's chroot (as root of the build's namespace may) lands in the
/// build's own minimal root, not the host's filesystem: a world-readable file the test leaves in
/// the host's temporary directory is not there. And the kernel's attack surface a sandbox is
/// refused (keyrings, BPF, io_uring, perf events, userfaultfd, file handles) is refused to a
/// build's steps too.
#[tokio::test]
async fn a_build_step_neither_leaves_its_root_nor_reaches_the_kernels_surface() {
    if !test_runs_as_root() {
        return; // builds need a root server
    }
    let registry = Registry::start_with(&[("OCI_ESCAPE", "1")]);
    let s = Server::start().await;
    let marker = std::env::temp_dir().join(unique("escape-marker"));
    std::fs::write(&marker, "host\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&marker, std::fs::Permissions::from_mode(0o644)).unwrap();
    // The verdict goes into the image (the shell opens the file before the program leaves its
    // root), not only to the log: a very short step's output may miss buildah's log.
    let dockerfile = format!(
        "FROM {}\nRUN /escape {} > /escape-verdict\nRUN /probe > /probe-verdict\n",
        registry.image("test/escape:1.0"),
        marker.display()
    );
    let (status, snap) =
        s.post("/snapshots", json!({ "name": "escape", "buildInfo": { "dockerfileContent": dockerfile } })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let id = snap["id"].as_str().unwrap().to_owned();
    let built = settled(&s, &id).await;
    let (_, log) = s.get(&format!("/snapshots/{id}/build-logs")).await;
    let log = log.as_str().unwrap_or_default().to_owned();
    let _ = std::fs::remove_file(&marker);
    assert_eq!(built["state"], "active", "the escape program must run: {log}");
    let verdict = s.data_dir().join("images").join(&id).join("bundle/rootfs/escape-verdict");
    let verdict = std::fs::read_to_string(&verdict).unwrap_or_else(|e| panic!("{}: {e}\n{log}", verdict.display()));
    assert_eq!(verdict, "host file not visible\n", "a RUN step reached the host's files: {log}");
    let probed = std::fs::read_to_string(s.data_dir().join("images").join(&id).join("bundle/rootfs/probe-verdict"));
    let probed = probed.unwrap_or_else(|e| panic!("the probe's verdict: {e}\n{log}"));
    for call in ["keyctl", "bpf", "io_uring_setup", "perf_event_open", "userfaultfd", "open_by_handle_at"] {
        assert!(probed.contains(&format!("{call} refused\n")), "{call} reached the kernel from a build: {probed}");
    }
}

#[tokio::test]
async fn ssh_sessions_stay_in_the_sandbox_and_end_with_their_client() {
    use common::ssh::{login, run, text};
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let dir = tempfile::tempdir().expect("temp dir");
    let l = login(&s, &id, dir.path()).await;
    let target = format!("{}@127.0.0.1", l.token);

    // The same identity as the toolbox's commands: the sandbox user, in the jail's user namespace.
    let out = l.exec("id -u; cat /proc/self/uid_map");
    let (_, toolbox) = s.exec(&id, "id -u; cat /proc/self/uid_map").await;
    assert_eq!(text(&out.stdout), toolbox, "an SSH session runs as the toolbox's commands do");
    assert_ne!(toolbox.lines().next(), Some("0"));

    // Only locale variables pass: a client's LD_PRELOAD or PATH never reaches the shell.
    let out = l.ssh(
        &[
            "-o",
            "SetEnv=LD_PRELOAD=/tmp/evil.so PATH=/tmp/evil LANG=C.UTF-8",
            &target,
            "echo \"[$LD_PRELOAD][$PATH][$LANG]\"",
        ],
        b"",
    );
    let shown = text(&out.stdout);
    assert!(shown.starts_with("[][") && shown.ends_with("][C.UTF-8]\n") && !shown.contains("/tmp/evil"), "{shown}");

    // `ssh -L`/`-W` reach the sandbox's own loopback, not the host's: the API port is not there.
    let mut cmd = std::process::Command::new("ssh");
    cmd.args(l.options()).args(["-p", &l.port.to_string(), "-W", &format!("127.0.0.1:{}", s.port), &target]);
    let out = run(cmd, b"GET /api/config HTTP/1.0\r\n\r\n");
    assert!(!text(&out.stdout).contains("HTTP/1."), "the host's API answered through the gateway");
    assert!(text(&out.stderr).contains("nothing listens"), "{}", text(&out.stderr));
    // Remote forwarding (a listener on the host) and agent forwarding are refused.
    let out = l.ssh(&["-o", "ExitOnForwardFailure=yes", "-R", "0:localhost:22", &target, "true"], b"");
    assert_ne!(out.status.code(), Some(0), "remote forwarding: {}", text(&out.stderr));

    // A command whose client goes away is ended, with what it started.
    let tag = format!("{}", 700 + std::process::id() % 200);
    let mut cmd = std::process::Command::new("ssh");
    cmd.args(l.options())
        .args(["-p", &l.port.to_string(), &target, &format!("sleep 1{tag}.5 & sleep 1{tag}.6")])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut client = cmd.spawn().expect("ssh");
    let count = format!("pgrep -fc '^sleep 1{tag}' || true");
    assert!(eventually(Duration::from_secs(10), || async { s.exec(&id, &count).await.1.trim() == "2" }).await);
    let _ = client.kill();
    let _ = client.wait();
    let gone = eventually(Duration::from_secs(10), || async { s.exec(&id, &count).await.1.trim() == "0" }).await;
    assert!(gone, "the session's processes outlived their client");
}

/// Whether process `pid` sits in a frozen cgroup: v1's freezer hierarchy (`FROZEN`) or a v2
/// group whose `cgroup.events` says `frozen 1`.
fn frozen(pid: i32) -> bool {
    let groups = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
    if let Some(path) = groups.lines().find_map(|l| l.split_once(":freezer:").map(|(_, p)| p.to_owned())) {
        let state = std::fs::read_to_string(format!("/sys/fs/cgroup/freezer{path}/freezer.state")).unwrap_or_default();
        return state.trim() == "FROZEN";
    }
    groups.lines().find_map(|l| l.strip_prefix("0::")).is_some_and(|path| {
        std::fs::read_to_string(format!("/sys/fs/cgroup{path}/cgroup.events"))
            .is_ok_and(|events| events.lines().any(|l| l.trim() == "frozen 1"))
    })
}

/// Pausing freezes everything a sandbox runs, whatever its processes did to get away (a new
/// session, a double fork, nohup) and its agent; a toolbox call under way when it pauses holds
/// up neither the pause nor the API, and ends once the sandbox is resumed.
#[tokio::test]
async fn a_paused_sandbox_runs_nothing_and_holds_nothing_up() {
    let Some((s, id, uid)) = sandbox_of_96_processes().await else { return };
    let away =
        "setsid sh -c 'sleep 301 & sleep 311' >/dev/null 2>&1 & (sleep 302 &) ; nohup sleep 303 >/dev/null 2>&1 &";
    assert_eq!(s.exec(&id, away).await.0, 0);
    let slow = s.exec_req(&id, json!({"command": "sleep 1; echo late"}));
    let pause = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let t = std::time::Instant::now();
        let (status, body) = s.post_empty(&format!("/sandbox/{id}/pause")).await;
        assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("paused")), "{body}");
        assert!(t.elapsed() < Duration::from_secs(3), "pausing took {:?}", t.elapsed());
        let procs = processes_of(uid);
        assert!(procs.len() >= 6, "the sandbox's processes: {procs:?}");
        let running: Vec<i32> = procs.iter().copied().filter(|&p| !frozen(p)).collect();
        assert!(running.is_empty(), "processes of the paused sandbox left running: {running:?}");
        let t = std::time::Instant::now();
        assert_eq!(s.get("/config").await.0, StatusCode::OK);
        assert!(t.elapsed() < Duration::from_secs(1), "the API took {:?} while the sandbox was paused", t.elapsed());
        // Past the call's own second: it can only end once the sandbox runs again.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let (status, body) = s.post_empty(&format!("/sandbox/{id}/start")).await;
        assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("started")), "{body}");
        assert!(processes_of(uid).iter().all(|&p| !frozen(p)), "processes left frozen after the resume");
    };
    let ((status, body), ()) = tokio::join!(slow, pause);
    assert_eq!((status, body["result"].as_str()), (StatusCode::OK, Some("late\n")), "{body}");
}

/// A fork's files are moved to the fork's own host ids without following what the sandbox
/// left in them: a symlink to a host file gives that file to nobody, and a set-user-id file
/// stays set-user-id to its owner in the fork, not to anyone else.
#[tokio::test]
async fn a_fork_shifts_only_its_own_files() {
    if !test_runs_as_root() {
        return;
    }
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let host_file = std::env::temp_dir().join(unique("fork-target"));
    std::fs::write(&host_file, "host").unwrap();
    let before = std::fs::symlink_metadata(&host_file).unwrap();
    let plant = format!("ln -s {} to-host && cp /bin/true own-id && chmod 4755 own-id", host_file.display());
    assert_eq!(s.exec(&id, &plant).await.0, 0);
    // Both ways a sandbox gets another's files: a fork, and a sandbox made from a snapshot of it.
    let (status, fork) = s.post(&format!("/sandbox/{id}/fork"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{fork}");
    let (status, body) = s.post(&format!("/sandbox/{id}/snapshot"), json!({ "name": unique("kept") })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, snaps) = s.get("/snapshots").await;
    let kept = snaps["items"].as_array().unwrap().iter().find(|x| x["sourceSandboxId"] == id.as_str()).unwrap().clone();
    assert_eq!(settled(&s, kept["id"].as_str().unwrap()).await["state"], "active");
    let made = s.create(json!({ "snapshot": kept["name"] })).await;
    use std::os::unix::fs::MetadataExt;
    for f in [id_of(&fork), id_of(&made)] {
        let after = std::fs::symlink_metadata(&host_file).unwrap();
        assert_eq!(
            (after.uid(), after.gid(), after.mode()),
            (before.uid(), before.gid(), before.mode()),
            "the host file changed"
        );
        let (code, out) = s.exec(&f, "stat -c '%A %U' own-id; readlink to-host").await;
        assert_eq!(code, 0, "{out}");
        assert_eq!(out, format!("-rwsr-xr-x daytona\n{}\n", host_file.display()));
    }
    let _ = std::fs::remove_file(&host_file);
}
