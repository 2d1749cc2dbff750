"""SSH access, numbered listing, recover without start, metrics, env and public previews with
the official Python SDK (daytona==0.226.1), unmodified, against daytona-local."""

import json
import shlex
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from daytona import CreateSandboxFromSnapshotParams, DaytonaNotFoundError

from conftest import API_KEY


@pytest.fixture
def sandbox(daytona):
    sb = daytona.create(CreateSandboxFromSnapshotParams(labels={"suite": "py-ssh"}))
    yield sb
    try:
        daytona.delete(sb)
    except DaytonaNotFoundError:
        pass


def _ssh(command: str, remote: str) -> subprocess.CompletedProcess:
    """Runs the API's `sshCommand` with OpenSSH as a user would paste it (host key not pinned)."""
    argv = shlex.split(command)
    options = ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]
    return subprocess.run([argv[0], *options, *argv[1:], remote], capture_output=True, text=True, timeout=60)


def test_ssh_access_create_validate_log_in_and_revoke(sandbox):
    access = sandbox.create_ssh_access(expires_in_minutes=5)
    assert access.sandbox_id == sandbox.id
    assert access.token in access.ssh_command and access.ssh_command.startswith("ssh ")
    assert access.expires_at > access.created_at

    valid = sandbox.validate_ssh_access(access.token)
    assert valid.valid and valid.sandbox_id == sandbox.id

    sandbox.process.exec("echo from-the-toolbox > seen.txt")
    out = _ssh(access.ssh_command, "cat seen.txt; exit 4")
    assert out.returncode == 4, out.stderr
    assert out.stdout == "from-the-toolbox\n"

    sandbox.revoke_ssh_access(access.token)
    assert not sandbox.validate_ssh_access(access.token).valid
    assert _ssh(access.ssh_command, "true").returncode == 255


def test_metrics_env_and_public(sandbox):
    m = sandbox.get_metrics_latest()
    assert m.cpu_count == sandbox.cpu
    assert m.mem_total == sandbox.memory << 30
    assert 0 < m.disk_used < m.disk_total
    assert 0.0 <= m.cpu_used_pct <= 100.0

    # The history (the suite's server samples every second): oldest first, the sandbox's limits.
    samples = []
    for _ in range(20):
        samples = sandbox.get_metrics()
        if len(samples) >= 2:
            break
        time.sleep(0.5)
    assert len(samples) >= 2, samples
    assert all(a.timestamp < b.timestamp for a, b in zip(samples, samples[1:]))
    assert samples[-1].cpu_count == sandbox.cpu and samples[-1].mem_total == sandbox.memory << 30
    assert 0 < samples[-1].disk_used < samples[-1].disk_total
    before = datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert sandbox.get_metrics(start=before, end=before + timedelta(days=1)) == []

    sandbox.update_env({"PY_SDK_VAR": "set-by-update-env"})
    assert sandbox.process.exec("echo $PY_SDK_VAR").result.strip() == "set-by-update-env"
    sandbox.update_env({}, unset=["PY_SDK_VAR"])
    assert sandbox.process.exec('echo "[$PY_SDK_VAR]"').result.strip() == "[]"

    sandbox.set_public(True)
    assert sandbox.public is True


def _get(api_url: str, path: str):
    req = urllib.request.Request(api_url + path, headers={"Authorization": f"Bearer {API_KEY}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_numbered_pages_count_every_match_across_pages(daytona, server):
    tag = f"pages-{uuid.uuid4().hex[:8]}"
    created = [daytona.create(CreateSandboxFromSnapshotParams(labels={"pagetag": tag})) for _ in range(3)]
    try:
        labels = urllib.parse.quote(json.dumps({"pagetag": tag}))
        seen = []
        for page in (1, 2):
            body = _get(server, f"/sandbox/paginated?labels={labels}&page={page}&limit=2")
            assert (body["total"], body["page"], body["totalPages"]) == (3, page, 2)
            seen += [item["id"] for item in body["items"]]
        assert sorted(seen) == sorted(s.id for s in created)
    finally:
        for sb in created:
            daytona.delete(sb)


def test_recover_with_skip_start_leaves_it_stopped(daytona, sandbox):
    sandbox.process.exec("echo kept > kept.txt")
    # The toolbox agent is the jail's main process: killing it errors the sandbox.
    try:
        sandbox.process.exec("kill -9 2", timeout=5)
    except Exception:  # the connection may drop with it
        pass
    for _ in range(100):
        sandbox.refresh_data()
        if sandbox.state.value == "error":
            break
        time.sleep(0.1)
    assert sandbox.state.value == "error"
    recovered = daytona._sandbox_api.recover_sandbox(sandbox.id, skip_start=True)
    assert recovered.state.value == "stopped"
    sandbox.start()
    assert sandbox.process.exec("cat kept.txt").result.strip() == "kept"
