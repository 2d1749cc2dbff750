"""Runs daytona-local for the official Python SDK compatibility tests.

The server binary comes from $DAYTONA_LOCAL_BIN (default: the workspace's debug build).
It listens on a free port with a temporary data dir; the SDK is pointed at it through
DAYTONA_API_URL / DAYTONA_API_KEY, as a user would; the SDK's Socket.IO event stream is
daytona-local's own, so state waits end on pushed events (polling only as the SDK's fallback).
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_BIN = os.path.join(ROOT, "target", "debug", "daytona-local")
API_KEY = "py-sdk-test-" + uuid.uuid4().hex
# The running server's data dir (set by the `server` fixture).
_DATA_DIR = {}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, log_path: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            with open(log_path, encoding="utf-8", errors="replace") as f:
                raise RuntimeError(f"daytona-local exited with {proc.returncode}:\n{f.read()}")
        try:
            req = urllib.request.Request(url, headers={"Authorization": f"Bearer {API_KEY}"})
            with urllib.request.urlopen(req, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"daytona-local did not answer {url} within {timeout} s")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def server():
    """A running daytona-local; yields its API URL."""
    binary = os.environ.get("DAYTONA_LOCAL_BIN", DEFAULT_BIN)
    if not os.path.exists(binary):
        pytest.fail(f"daytona-local binary not found at {binary} (build it: cargo build -p daytona-local)")
    tmp = tempfile.mkdtemp(prefix="dl-py")
    _DATA_DIR["path"] = os.path.join(tmp, "data")
    log_path = os.path.join(tmp, "server.log")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DAYTONA_LOCAL_API_KEY"}
    env.setdefault("DAYTONA_LOCAL_LOG", "warn")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", os.path.join(tmp, "data"),
             "--api-key", API_KEY, "--metrics-interval", "1"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    api_url = f"http://127.0.0.1:{port}/api"
    saved = {k: os.environ.get(k) for k in ("DAYTONA_API_URL", "DAYTONA_API_KEY", "DAYTONA_USE_DEPRECATED_POLLING")}
    try:
        _wait_ready(f"{api_url}/config", proc, log_path)
        os.environ["DAYTONA_API_URL"] = api_url
        os.environ["DAYTONA_API_KEY"] = API_KEY
        os.environ.pop("DAYTONA_USE_DEPRECATED_POLLING", None)
        yield api_url
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        # A clean shutdown stops the sandboxes (SIGKILL would leave their jails running).
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if os.environ.get("DAYTONA_LOCAL_KEEP_LOG"):
            print(open(log_path, encoding="utf-8", errors="replace").read())
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def daytona(server):
    """An SDK client configured purely from the environment."""
    from daytona import Daytona

    client = Daytona()
    yield client
    close = getattr(client, "close", None)
    if callable(close):
        close()


@pytest.fixture(scope="session")
def data_dir(server):
    """The running server's data dir (to look at what it stored)."""
    return _DATA_DIR["path"]


def start_registry(**env):
    """Runs tests/support/oci-registry.sh (with `env`, e.g. OCI_AUTH) in a temporary directory:
    yields `127.0.0.1:PORT` of a registry holding test/busybox:1.0, then stops it."""
    tmp = tempfile.mkdtemp(prefix="dl-registry")
    out = subprocess.run(
        ["bash", os.path.join(ROOT, "tests/support/oci-registry.sh"), tmp],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    port, pid = out.stdout.split()
    yield f"127.0.0.1:{port}"
    os.kill(int(pid), signal.SIGKILL)
    subprocess.run(["rm", "-rf", tmp], check=False)


@pytest.fixture(scope="session")
def registry():
    """`127.0.0.1:PORT` of a registry holding test/busybox:1.0 (tests/support/oci-registry.sh)."""
    yield from start_registry()
