"""The official Python SDK (daytona==0.226.1) against daytona-local: code_run with matplotlib
charts, and sessions (stateful exec, async commands with streamed logs, input, delete)."""

import asyncio
import base64
import threading
import time
import uuid

import pytest
from daytona import (
    BarChart,
    ChartType,
    CodeRunParams,
    CreateSandboxFromSnapshotParams,
    DaytonaCommandAlreadyCompletedError,
    DaytonaNotFoundError,
    LineChart,
    SessionExecuteRequest,
)
from daytona_toolbox_api_client.exceptions import ApiException

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def sandbox(daytona):
    """One started sandbox (the SDK's default language, python) for the module."""
    sb = daytona.create(CreateSandboxFromSnapshotParams(name=_unique("py-proc")))
    yield sb
    try:
        daytona.delete(sb)
    except DaytonaNotFoundError:
        pass


def _wait_exit_code(sandbox, session_id, cmd_id, within=15.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        cmd = sandbox.process.get_session_command(session_id, cmd_id)
        if cmd.exit_code is not None:
            return cmd.exit_code
        time.sleep(0.05)
    raise AssertionError(f"command {cmd_id} did not finish within {within} s")


CHART_CODE = """
import sys
import matplotlib.pyplot as plt
import numpy as np

print("args:", " ".join(sys.argv[1:]))
x = np.linspace(0, 10, 30)
plt.figure(figsize=(6, 4))
plt.plot(x, np.sin(x), "b-", label="sin")
plt.title("Line Chart")
plt.xlabel("time (s)")
plt.ylabel("amplitude")
plt.grid(True)
plt.show()

fig, ax = plt.subplots()
ax.bar(["apples", "pears", "plums"], [3, 7, 5], label="fruit")
ax.set_title("Bar Chart")
ax.set_ylabel("count")
plt.show()
print("after charts")
"""


def test_code_run_prints_and_returns_charts(sandbox):
    resp = sandbox.process.code_run(CHART_CODE, params=CodeRunParams(argv=["one", "two words"]))
    assert resp.exit_code == 0, resp.result
    # The artifact lines are gone from the output; the printed lines stay, in order.
    assert resp.result == "args: one two words\nafter charts\n"
    assert "dtn_artifact" not in resp.artifacts.stdout

    charts = resp.artifacts.charts
    assert [c.type for c in charts] == [ChartType.LINE, ChartType.BAR]

    line = charts[0]
    assert isinstance(line, LineChart)
    assert line.title == "Line Chart"
    assert line.x_label == "time (s)" and line.y_label == "amplitude"
    assert line.x_scale == "linear"
    assert line.x_ticks and all(isinstance(t, float) for t in line.x_ticks)
    assert len(line.elements) == 1
    assert line.elements[0].label == "sin"
    points = line.elements[0].points
    assert len(points) == 30
    assert points[0] == [0.0, 0.0] and points[-1][0] == pytest.approx(10.0)
    assert base64.b64decode(line.png).startswith(PNG_MAGIC)

    bar = charts[1]
    assert isinstance(bar, BarChart)
    assert bar.title == "Bar Chart"
    assert bar.y_label == "count"
    assert bar.x_scale == "categorical"
    assert [(e.label, e.value, e.group) for e in bar.elements] == [
        ("apples", "3", "fruit"),
        ("pears", "7", "fruit"),
        ("plums", "5", "fruit"),
    ]
    assert base64.b64decode(bar.png).startswith(PNG_MAGIC)


def test_code_run_env_exit_code_and_timeout(sandbox):
    resp = sandbox.process.code_run(
        "import os, sys\nprint(os.environ['GREETING'])\nsys.exit(4)\n",
        params=CodeRunParams(env={"GREETING": "hi there"}),
    )
    assert (resp.exit_code, resp.result) == (4, "hi there\n")
    assert resp.artifacts.charts == []

    resp = sandbox.process.code_run("raise ValueError('boom')\n")
    assert resp.exit_code == 1
    assert "ValueError: boom" in resp.result

    # code_run (unlike exec) does not map errors: the generated client's exception carries the 408.
    started = time.monotonic()
    with pytest.raises(ApiException) as timed_out:
        sandbox.process.code_run("import time\ntime.sleep(30)\n", timeout=1)
    assert timed_out.value.status == 408
    assert timed_out.value.data.code == "PROCESS_EXECUTION_TIMEOUT"
    assert time.monotonic() - started < 10


def test_code_run_typescript(daytona):
    sb = daytona.create(CreateSandboxFromSnapshotParams(name=_unique("py-ts"), language="typescript"))
    try:
        code = "const n: number = 6 * 7;\nconsole.log(`answer ${n}`, process.argv.slice(2).join(','));\n"
        resp = sb.process.code_run(code, params=CodeRunParams(argv=["a", "b"]))
        assert (resp.exit_code, resp.result) == (0, "answer 42 a,b\n")
    finally:
        daytona.delete(sb)


def test_session_keeps_shell_state(sandbox):
    sid = _unique("state")
    sandbox.process.create_session(sid)
    try:
        first = sandbox.process.execute_session_command(
            sid, SessionExecuteRequest(command="mkdir -p work/dir && cd work/dir && export FRUIT=mango")
        )
        assert first.exit_code == 0
        second = sandbox.process.execute_session_command(
            sid, SessionExecuteRequest(command='pwd; echo "fruit=$FRUIT"; echo oops >&2; false')
        )
        assert second.exit_code == 1
        assert second.stdout == "/home/daytona/work/dir\nfruit=mango\n"
        assert second.stderr == "oops\n"
        # `output` keeps the stream markers, one per line.
        assert "\x01\x01\x01fruit=mango\n" in second.output and "\x02\x02\x02oops\n" in second.output

        logs = sandbox.process.get_session_command_logs(sid, second.cmd_id)
        assert (logs.stdout, logs.stderr) == (second.stdout, second.stderr)

        session = sandbox.process.get_session(sid)
        assert session.session_id == sid
        assert [(c.id, c.exit_code) for c in session.commands] == [(first.cmd_id, 0), (second.cmd_id, 1)]
        assert sid in [s.session_id for s in sandbox.process.list_sessions()]
    finally:
        sandbox.process.delete_session(sid)
    with pytest.raises(DaytonaNotFoundError):
        sandbox.process.get_session(sid)


def test_async_command_streams_stdout_and_stderr_separately(sandbox):
    sid = _unique("stream")
    sandbox.process.create_session(sid)
    try:
        command = "sleep 1; for i in 1 2 3; do echo out-$i; echo err-$i >&2; sleep 0.5; done; exit 7"
        started = sandbox.process.execute_session_command(sid, SessionExecuteRequest(command=command, run_async=True))
        assert started.exit_code is None
        # Running: no exit code yet.
        assert sandbox.process.get_session_command(sid, started.cmd_id).exit_code is None

        stdout, stderr = [], []
        asyncio.run(
            sandbox.process.get_session_command_logs_async(sid, started.cmd_id, stdout.append, stderr.append)
        )
        # The stream ended because the command did: its exit code is known.
        assert sandbox.process.get_session_command(sid, started.cmd_id).exit_code == 7
        assert "".join(stdout) == "out-1\nout-2\nout-3\n"
        assert "".join(stderr) == "err-1\nerr-2\nerr-3\n"
        assert len(stdout) >= 2, "the output arrived in one piece instead of being streamed"
    finally:
        sandbox.process.delete_session(sid)


def test_send_input_to_a_reading_command(sandbox):
    sid = _unique("input")
    sandbox.process.create_session(sid)
    try:
        started = sandbox.process.execute_session_command(
            sid, SessionExecuteRequest(command='read -r name; echo "hello $name"', run_async=True)
        )
        assert sandbox.process.get_session_command(sid, started.cmd_id).exit_code is None
        sandbox.process.send_session_command_input(sid, started.cmd_id, "Ada")
        assert _wait_exit_code(sandbox, sid, started.cmd_id) == 0
        logs = sandbox.process.get_session_command_logs(sid, started.cmd_id)
        # The input is echoed into the log as stdout.
        assert logs.stdout == "Ada\nhello Ada\n"
        with pytest.raises(DaytonaCommandAlreadyCompletedError):
            sandbox.process.send_session_command_input(sid, started.cmd_id, "late")

        quiet = sandbox.process.execute_session_command(
            sid, SessionExecuteRequest(command="read -r secret; echo got ${#secret}", run_async=True,
                                       suppress_input_echo=True)
        )
        sandbox.process.send_session_command_input(sid, quiet.cmd_id, "hunter2")
        assert _wait_exit_code(sandbox, sid, quiet.cmd_id) == 0
        assert sandbox.process.get_session_command_logs(sid, quiet.cmd_id).stdout == "got 7\n"
    finally:
        sandbox.process.delete_session(sid)


def test_delete_session_kills_its_processes(sandbox):
    sid = _unique("kill")
    marker = f"sleep 3{uuid.uuid4().int % 1000}.5"
    sandbox.process.create_session(sid)
    started = sandbox.process.execute_session_command(
        sid, SessionExecuteRequest(command=f"echo ready; {marker}", run_async=True)
    )
    deadline = time.time() + 10
    while marker not in sandbox.process.exec("ps -eo args").result and time.time() < deadline:
        time.sleep(0.1)
    assert marker in sandbox.process.exec("ps -eo args").result

    # A log follower of the running command is released (cleanly) when the session goes away.
    streaming = threading.Event()
    errors = []

    def follow():
        try:
            asyncio.run(
                sandbox.process.get_session_command_logs_async(
                    sid, started.cmd_id, lambda _: streaming.set(), lambda _: None
                )
            )
        except Exception as e:  # reported by the assertion below
            errors.append(e)

    follower = threading.Thread(target=follow)
    follower.start()
    assert streaming.wait(timeout=10), "the follower received nothing"
    sandbox.process.delete_session(sid)
    follower.join(timeout=10)
    assert not follower.is_alive(), "the log stream did not end when the session was deleted"
    assert errors == []

    deadline = time.monotonic() + 5
    while marker in sandbox.process.exec("ps -eo args").result:
        assert time.monotonic() < deadline, "the session's command survived delete_session"
        time.sleep(0.1)
    with pytest.raises(DaytonaNotFoundError):
        sandbox.process.get_session_command(sid, started.cmd_id)
    assert sid not in [s.session_id for s in sandbox.process.list_sessions()]


def test_entrypoint_session_is_empty_and_read_only(sandbox):
    session = sandbox.process.get_entrypoint_session()
    assert session.commands == []
    logs = sandbox.process.get_entrypoint_logs()
    assert (logs.output, logs.stdout, logs.stderr) == ("", "", "")
