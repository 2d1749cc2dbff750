"""The official Python SDK (daytona==0.226.1) driving PTY sessions on daytona-local:
create over the create-connect WebSocket, input/output, resize checked with `stty size`,
a second handle on the same session, kill, and exit codes."""

import time
import uuid

import pytest
from daytona import CreateSandboxFromSnapshotParams, PtySize


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def sandbox(daytona):
    sb = daytona.create(CreateSandboxFromSnapshotParams(labels={"suite": "pty"}))
    yield sb
    daytona.delete(sb)


class Screen:
    """Collects PTY output and waits for text to appear."""

    def __init__(self):
        self.data = b""

    def __call__(self, chunk: bytes):
        self.data += chunk

    def wait_for(self, handle, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.data:
            assert time.monotonic() < deadline, f"{text!r} not seen in {self.data[-500:]!r}"
            time.sleep(0.05)
        return self.data.decode(errors="replace")


def _reader(handle, screen):
    """Feeds `handle`'s output to `screen` in a thread; what ended the stream is kept in
    `thread.error` (None when it ended cleanly)."""
    import threading

    def run():
        try:
            for chunk in handle:
                screen(chunk)
        except Exception as e:  # kept for the test to assert on
            t.error = e

    t = threading.Thread(target=run, daemon=True)
    t.error = None
    t.start()
    return t


def test_input_output_resize_second_handle_and_kill(sandbox):
    pid = _unique("pty")
    handle = sandbox.process.create_pty_session(id=pid, envs={"PTY_GREETING": "hola"}, pty_size=PtySize(cols=100, rows=30))
    handle.wait_for_connection()
    screen = Screen()
    reader = _reader(handle, screen)

    handle.send_input("echo marker-$PTY_GREETING-$((6*7))\n")
    screen.wait_for(handle, "marker-hola-42")

    handle.send_input("stty size\n")
    screen.wait_for(handle, "30 100")
    handle.resize(PtySize(cols=120, rows=40))
    handle.send_input("stty size\n")
    screen.wait_for(handle, "40 120")
    info = sandbox.process.get_pty_session_info(pid)
    assert (info.cols, info.rows, info.active) == (120, 40, True)
    assert pid in [s.id for s in sandbox.process.list_pty_sessions()]

    second = sandbox.process.connect_pty_session(pid)
    second.wait_for_connection()
    other = Screen()
    _reader(second, other)
    # The second client first sees the scrollback, then live output typed by either client.
    other.wait_for(second, "marker-hola-42")
    second.send_input("echo from-second\n")
    screen.wait_for(handle, "from-second")
    other.wait_for(second, "from-second")

    sandbox.process.kill_pty_session(pid)
    result = handle.wait(timeout=10)
    # A hang-up, as when a terminal closes: 128 + 1, reported to every client (wait() gives
    # None if no exit came in time).
    assert (result.exit_code, result.error) == (129, "SIGHUP"), result
    assert handle.exit_code == 129
    second.wait(timeout=10)
    assert second.exit_code == 129
    # The reader shares the socket with wait() (whichever reads the close ends): it may still
    # be waiting, but it must not have failed.
    assert reader.error is None, reader.error
    assert pid not in [s.id for s in sandbox.process.list_pty_sessions()]


def test_exit_code_of_the_shell(sandbox):
    pid = _unique("pty-exit")
    handle = sandbox.process.create_pty_session(id=pid)
    handle.wait_for_connection()
    handle.send_input("exit 3\n")
    result = handle.wait(timeout=10)
    assert result.exit_code == 3
    assert handle.exit_code == 3


def test_duplicate_id_is_refused(sandbox):
    pid = _unique("pty-dup")
    first = sandbox.process.create_pty_session(id=pid)
    first.wait_for_connection()
    with pytest.raises(Exception) as err:
        sandbox.process.create_pty_session(id=pid).wait_for_connection()
    assert "409" in str(err.value) or "exists" in str(err.value).lower()
    sandbox.process.kill_pty_session(pid)
