//! `resize` of a running sandbox, with its effect checked where it matters: the memory limit
//! is enforced inside the sandbox before and after, the CPU quota holds the sandbox to its
//! cores, and the host's cgroup carries the new values.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Allocates and touches 1.5 GiB inside the sandbox: killed under 1 GiB, fine under 2 GiB.
const ALLOCATE: &str = "python3 -c \"b = b'x' * (1536 << 20); print(len(b))\"";

/// CPU seconds used by three busy processes in 1.5 s of wall time, as the sandbox measures it.
const SPIN: &str = "python3 -c \"
import os, time
pids = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        end = time.time() + 1.5
        while time.time() < end: pass
        os._exit(0)
    pids.append(pid)
for pid in pids: os.waitpid(pid, 0)
t = os.times()
print(round(t.children_user + t.children_system, 2))
\"";

/// The host directory of sandbox `id`'s cgroup in `controller`'s hierarchy (v1), or its one
/// v2 directory.
fn cgroup_dir(controller: &str, id: &str) -> Option<PathBuf> {
    let name = format!("daytona-{id}");
    let roots = [Path::new("/sys/fs/cgroup").join(controller), PathBuf::from("/sys/fs/cgroup")];
    roots.iter().find_map(|root| {
        walkdir::WalkDir::new(root)
            .max_depth(6)
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| e.file_type().is_dir() && e.file_name() == name.as_str())
            .map(|e| e.into_path())
    })
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_default().trim().to_owned()
}

#[tokio::test]
async fn resize_applies_cpu_and_memory_live_and_they_hold_inside() {
    let s = Server::start().await;
    let sb = s.create(json!({"cpu": 1, "memory": 1})).await;
    let id = id_of(&sb);
    let (status, config) = s.get("/config").await;
    assert_eq!(status, 200);
    let why_not = &config["localIsolation"]["resourceLimits"];
    assert!(why_not.is_null(), "this test needs enforced limits (daytona-local as root): {why_not}");

    // Before: 1 GiB kills the allocation; one core holds three busy processes to ~1.5 CPU s.
    let (code, out) = s.exec(&id, ALLOCATE).await;
    assert_eq!(code, 137, "1.5 GiB under a 1 GiB limit: {out}");
    let (code, used) = s.exec(&id, SPIN).await;
    assert_eq!(code, 0, "{used}");
    let used: f64 = used.trim().parse().unwrap();
    assert!(used < 2.1, "three busy processes used {used} CPU s in 1.5 s on one core");

    let (status, body) = s.post(&format!("/sandbox/{id}/resize"), json!({"cpu": 2, "memory": 2})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["cpu"].as_i64(), body["memory"].as_i64()), (Some(2), Some(2)), "{body}");
    assert_eq!(s.state(&id).await.as_deref(), Some("started"), "live: no restart");

    // After: the same allocation fits, in the same running sandbox.
    let (code, out) = s.exec(&id, ALLOCATE).await;
    assert_eq!((code, out.trim()), (0, "1610612736"), "1.5 GiB under 2 GiB");
    // The host's cgroup carries the new values (v1: quota per 100 ms period; v2: cpu.max).
    match (cgroup_dir("memory", &id), cgroup_dir("cpu", &id).or_else(|| cgroup_dir("cpu,cpuacct", &id))) {
        (Some(memory), Some(cpu)) if memory.join("memory.limit_in_bytes").exists() => {
            assert_eq!(read(&memory, "memory.limit_in_bytes"), (2u64 << 30).to_string());
            assert_eq!(read(&cpu, "cpu.cfs_quota_us"), "200000");
        }
        (Some(dir), _) => {
            assert_eq!(read(&dir, "memory.max"), (2u64 << 30).to_string());
            assert_eq!(read(&dir, "cpu.max"), "200000 100000");
        }
        other => panic!("no cgroup of sandbox {id} on the host: {other:?}"),
    }
    // And it persists: a stop and start keeps 2 cores and 2 GiB.
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/stop")).await.0, 200);
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/start")).await.0, 200);
    let (code, out) = s.exec(&id, ALLOCATE).await;
    assert_eq!((code, out.trim()), (0, "1610612736"), "after a restart");
}

#[tokio::test]
async fn a_refused_disk_grow_leaves_a_sandbox_that_starts_with_its_files() {
    let s = Server::start().await;
    let a = id_of(&s.create(json!({})).await);
    assert_eq!(s.exec(&a, "echo kept > keep.txt").await.0, 0);
    // A jail started while A's disk is mounted holds a copy of that mount (and its loop device).
    let b = id_of(&s.create(json!({})).await);
    assert_eq!(s.post_empty(&format!("/sandbox/{a}/stop")).await.0, 200);
    let (status, body) = s.post(&format!("/sandbox/{a}/resize"), json!({"disk": 5})).await;
    // Grown offline, or refused while B holds the disk: either way nothing may break.
    let grown = match status.as_u16() {
        200 => true,
        400 => {
            assert!(body["message"].as_str().unwrap().contains("in use"), "{body}");
            false
        }
        _ => panic!("resize: {status} {body}"),
    };
    let (status, body) = s.post_empty(&format!("/sandbox/{a}/start")).await;
    assert_eq!((status.as_u16(), body["state"].as_str()), (200, Some("started")), "{body}");
    assert_eq!(s.exec(&a, "cat keep.txt").await, (0, "kept\n".into()));
    let (_, size) = s.exec(&a, "df --output=size -B1G /home/daytona | tail -1").await;
    let gib: i64 = size.trim().parse().unwrap();
    assert!(if grown { gib >= 4 } else { gib < 4 }, "grown: {grown}, size {gib} GiB");
    // B's ending lets the grow through.
    assert_eq!(s.delete(&format!("/sandbox/{b}")).await.0, 200);
    assert_eq!(s.post_empty(&format!("/sandbox/{a}/stop")).await.0, 200);
    let mut last = (StatusCode::OK, Value::Null);
    for _ in 0..50 {
        last = s.post(&format!("/sandbox/{a}/resize"), json!({"disk": 5})).await;
        if last.0 == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(last.0, 200, "{}", last.1);
    assert_eq!(s.post_empty(&format!("/sandbox/{a}/start")).await.0, 200);
    assert_eq!(s.exec(&a, "cat keep.txt").await, (0, "kept\n".into()));
    let (_, size) = s.exec(&a, "df --output=size -B1G /home/daytona | tail -1").await;
    assert!(size.trim().parse::<i64>().unwrap() >= 4, "{size}");
}
