"""The official Python SDK (daytona==0.226.1), unmodified, against daytona-local."""

import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime

import pytest
from daytona import (
    CreateSandboxFromSnapshotParams,
    Daytona,
    DaytonaAuthenticationError,
    DaytonaConfig,
    DaytonaError,
    DaytonaNotFoundError,
    DaytonaProcessExecutionTimeoutError,
    ListSandboxesQuery,
    SandboxState,
    SessionExecuteRequest,
)


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def sandbox(daytona):
    """A fresh started sandbox with labels and env; deleted afterwards."""
    sb = daytona.create(
        CreateSandboxFromSnapshotParams(
            name=_unique("py"),
            labels={"suite": "python-sdk", "case": _unique("c")},
            env_vars={"GREETING": "hello from env"},
        )
    )
    yield sb
    try:
        daytona.delete(sb)
    except DaytonaNotFoundError:
        pass


def test_create_with_labels_and_env(sandbox):
    assert sandbox.state == SandboxState.STARTED
    assert sandbox.labels["suite"] == "python-sdk"
    # The SDK adds its language label.
    assert sandbox.labels["code-toolbox-language"] == "python"
    assert sandbox.env == {"GREETING": "hello from env"}
    assert sandbox.user == "daytona"
    assert isinstance(sandbox.cpu, int) and sandbox.cpu >= 1
    resp = sandbox.process.exec("echo $GREETING")
    assert resp.exit_code == 0
    assert resp.result == "hello from env\n"


def test_get_by_id_and_by_name(daytona, sandbox):
    by_id = daytona.get(sandbox.id)
    by_name = daytona.get(sandbox.name)
    assert by_id.id == sandbox.id
    assert by_name.id == sandbox.id
    assert by_name.name == sandbox.name
    assert by_id.labels == sandbox.labels
    assert by_id.state == SandboxState.STARTED
    # A sandbox fetched with get() is fully usable.
    assert by_name.process.exec("echo via-get").result == "via-get\n"


def test_list_with_label_filter_and_pagination(daytona):
    tag = _unique("list")
    created = [
        daytona.create(CreateSandboxFromSnapshotParams(labels={"listtag": tag, "n": str(i)})) for i in range(3)
    ]
    other = daytona.create(CreateSandboxFromSnapshotParams(labels={"listtag": "someone-else"}))
    try:
        listed = list(daytona.list(ListSandboxesQuery(labels={"listtag": tag})))
        assert sorted(s.id for s in listed) == sorted(s.id for s in created)
        assert all(s.labels["listtag"] == tag for s in listed)

        # limit=1 makes the SDK follow nextCursor page by page.
        paged = list(daytona.list(ListSandboxesQuery(labels={"listtag": tag}, limit=1)))
        assert sorted(s.id for s in paged) == sorted(s.id for s in created)

        two = list(daytona.list(ListSandboxesQuery(labels={"listtag": tag, "n": "2"})))
        assert [s.id for s in two] == [created[2].id]

        created[0].stop()
        stopped = list(daytona.list(ListSandboxesQuery(labels={"listtag": tag}, states=[SandboxState.STOPPED])))
        assert [s.id for s in stopped] == [created[0].id]

        by_name = list(daytona.list(ListSandboxesQuery(name=created[1].name[:12].upper())))
        assert created[1].id in {s.id for s in by_name}

        everything = {s.id for s in daytona.list()}
        assert {s.id for s in created} | {other.id} <= everything
    finally:
        for sb in created + [other]:
            daytona.delete(sb)


def test_exec(sandbox):
    resp = sandbox.process.exec("echo hi")
    assert resp.exit_code == 0
    assert resp.result == "hi\n"
    assert resp.artifacts.stdout == "hi\n"

    resp = sandbox.process.exec("echo out; echo err >&2; exit 3")
    assert resp.exit_code == 3
    assert resp.result == "out\nerr\n"


def test_exec_with_cwd_and_env(sandbox):
    assert sandbox.process.exec("mkdir -p work/sub && echo data > work/sub/f").exit_code == 0
    resp = sandbox.process.exec('pwd; cat f; echo "$FOO|$GREETING"', cwd="work/sub", env={"FOO": "bar baz"})
    assert resp.exit_code == 0
    assert resp.result == "/home/daytona/work/sub\ndata\nbar baz|hello from env\n"
    assert sandbox.process.exec("pwd", cwd="/tmp").result == "/tmp\n"


def test_exec_timeout_raises_timeout_error(sandbox):
    # The daemon's 408 PROCESS_EXECUTION_TIMEOUT maps to the SDK's typed error.
    with pytest.raises(DaytonaProcessExecutionTimeoutError):
        sandbox.process.exec("sleep 20", timeout=1)
    # The sandbox keeps working.
    assert sandbox.process.exec("echo after").result == "after\n"


def test_stop_and_start(daytona, sandbox):
    sandbox.process.exec("echo persisted > keep.txt")
    sandbox.stop()
    assert sandbox.state == SandboxState.STOPPED
    assert daytona.get(sandbox.id).state == SandboxState.STOPPED
    with pytest.raises(DaytonaError):
        sandbox.process.exec("true")

    sandbox.start()
    assert sandbox.state == SandboxState.STARTED
    assert daytona.get(sandbox.id).state == SandboxState.STARTED
    assert sandbox.process.exec("cat keep.txt").result == "persisted\n"


def test_pause_and_resume(daytona, sandbox):
    sandbox.process.exec("nohup sleep 5432 >/dev/null 2>&1 &")
    sandbox.pause()
    assert sandbox.state == SandboxState.PAUSED
    assert daytona.get(sandbox.id).state == SandboxState.PAUSED
    # Frozen: the toolbox answers nothing until it is resumed.
    with pytest.raises(DaytonaError):
        sandbox.process.exec("true")
    sandbox.start()
    assert sandbox.state == SandboxState.STARTED
    assert sandbox.process.exec("pgrep -c -f 'sleep 5432'").result == "1\n"
    # Automatic pausing is refused with the reason (0, none, is taken).
    with pytest.raises(DaytonaError, match="pause"):
        sandbox.set_auto_pause_interval(5)
    sandbox.set_auto_pause_interval(0)


def test_fork(daytona, sandbox):
    sandbox.process.exec("echo from-source > forked.txt")
    name = _unique("py-fork")
    fork = sandbox.fork(name=name)
    try:
        assert fork.id != sandbox.id
        assert fork.name == name
        assert fork.state == SandboxState.STARTED
        assert fork.labels == sandbox.labels
        assert fork.process.exec("cat forked.txt; echo $GREETING").result == "from-source\nhello from env\n"
        # Each goes its own way.
        fork.process.exec("echo changed > forked.txt")
        assert sandbox.process.exec("cat forked.txt").result == "from-source\n"
    finally:
        daytona.delete(fork)


def test_create_snapshot_then_sandboxes_from_it(daytona, sandbox):
    sandbox.process.exec("echo kept-by-snapshot > snap.txt")
    name = _unique("py-snap")
    sandbox.create_snapshot(name)
    assert sandbox.state == SandboxState.STARTED
    snap = daytona.snapshot.get(name)
    assert snap.state == "active" or str(snap.state).endswith("ACTIVE"), snap.state
    made = daytona.create(CreateSandboxFromSnapshotParams(snapshot=name))
    try:
        assert made.process.exec("cat snap.txt").result == "kept-by-snapshot\n"
    finally:
        daytona.delete(made)
    # Deletable once no sandbox runs on it (the deleted one may still be going).
    for _ in range(50):
        try:
            daytona.snapshot.delete(snap)
            break
        except DaytonaError:
            time.sleep(0.2)
    else:
        pytest.fail("the snapshot could not be deleted")


def test_archive_and_start_again(daytona, sandbox):
    sandbox.process.exec("echo cold > cold.txt")
    sandbox.stop()
    sandbox.archive()
    assert daytona.get(sandbox.id).state == SandboxState.ARCHIVED
    sandbox.start()
    assert sandbox.state == SandboxState.STARTED
    assert sandbox.process.exec("cat cold.txt").result == "cold\n"


def test_set_labels(daytona, sandbox):
    labels = sandbox.set_labels({"stage": "two", "owner": "py"})
    assert labels == {"stage": "two", "owner": "py"}
    assert sandbox.labels == {"stage": "two", "owner": "py"}
    assert daytona.get(sandbox.id).labels == {"stage": "two", "owner": "py"}
    # The new labels are what the list filter sees.
    assert [s.id for s in daytona.list(ListSandboxesQuery(labels={"stage": "two", "owner": "py"}))] == [sandbox.id]


def test_set_autostop_interval(daytona, sandbox):
    sandbox.set_autostop_interval(42)
    assert sandbox.auto_stop_interval == 42
    assert daytona.get(sandbox.id).auto_stop_interval == 42
    sandbox.set_autostop_interval(0)
    assert daytona.get(sandbox.id).auto_stop_interval == 0
    sandbox.set_auto_archive_interval(60)
    sandbox.set_auto_delete_interval(120)
    fresh = daytona.get(sandbox.id)
    assert fresh.auto_archive_interval == 60
    assert fresh.auto_delete_interval == 120


def _minutes_from(at: str, since: float) -> float:
    """Minutes between `since` (epoch seconds) and ISO-8601 time `at`."""
    return (datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() - since) / 60


def test_ttl(daytona):
    made = daytona.create(CreateSandboxFromSnapshotParams(name=_unique("py-ttl"), ttl_minutes=30))
    try:
        # Counted from the creation, shown as auto_destroy_at.
        created = datetime.fromisoformat(made.created_at.replace("Z", "+00:00")).timestamp()
        assert made.auto_destroy_at is not None
        assert abs(_minutes_from(made.auto_destroy_at, created) - 30) < 0.01
        # Set again: from now. 0 clears it.
        now = time.time()
        made.set_ttl(5)
        fresh = daytona.get(made.id)
        assert 4.9 < _minutes_from(fresh.auto_destroy_at, now) < 5.1
        made.set_ttl(0)
        assert daytona.get(made.id).auto_destroy_at is None
        with pytest.raises(DaytonaError):
            made.set_ttl(-1)
    finally:
        daytona.delete(made)


def test_home_and_work_dir(sandbox):
    assert sandbox.get_user_home_dir() == "/home/daytona"
    assert sandbox.get_work_dir() == "/home/daytona"


def test_refresh_data_and_preview_link(sandbox, server):
    sandbox.refresh_data()
    assert sandbox.state == SandboxState.STARTED
    sandbox.fs.create_folder("site", "755")
    sandbox.fs.upload_file(f"served from {sandbox.id}".encode(), "site/index.html")
    sandbox.process.create_session("web")
    sandbox.process.execute_session_command(
        "web",
        SessionExecuteRequest(command="python3 -m http.server 8080 --bind 127.0.0.1 --directory site", run_async=True),
    )
    link = sandbox.get_preview_link(8080)
    assert link.token
    host = urllib.parse.urlsplit(link.url).netloc
    assert host == f"8080-{sandbox.id}.localhost:{urllib.parse.urlsplit(server).port}"

    # *.localhost resolves to loopback in browsers; here the Host header says which preview.
    def get(headers):
        origin = server.removesuffix("/api")
        req = urllib.request.Request(origin + "/index.html", headers={"Host": host, **headers})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    deadline = time.time() + 10
    while (got := get({"x-daytona-preview-token": link.token}))[0] == 502 and time.time() < deadline:
        time.sleep(0.1)
    assert got == (200, f"served from {sandbox.id}")
    assert get({})[0] == 401

    # A signed preview URL: its host alone opens the port, until it is expired.
    signed = sandbox.create_signed_preview_url(8080, expires_in_seconds=120)
    assert signed.port == 8080 and len(signed.token) == 16
    host = urllib.parse.urlsplit(signed.url).netloc
    assert host == f"8080-{signed.token}.localhost:{urllib.parse.urlsplit(server).port}"
    assert get({}) == (200, f"served from {sandbox.id}")
    sandbox.expire_signed_preview_url(8080, signed.token)
    assert get({})[0] == 401


def test_delete_then_get_raises_not_found(daytona):
    sb = daytona.create(CreateSandboxFromSnapshotParams(name=_unique("gone")))
    sb_id, sb_name = sb.id, sb.name
    daytona.delete(sb, wait=True)
    with pytest.raises(DaytonaNotFoundError):
        daytona.get(sb_id)
    with pytest.raises(DaytonaNotFoundError):
        daytona.get(sb_name)
    assert sb_id not in {s.id for s in daytona.list()}


def test_wrong_api_key_is_rejected(server):
    bad = Daytona(DaytonaConfig(api_key="not-the-key", api_url=server))
    with pytest.raises(DaytonaAuthenticationError):
        bad.get("anything")
    with pytest.raises(DaytonaAuthenticationError):
        list(bad.list())


def test_state_waits_ride_the_event_socket(daytona):
    """The SDK connects to daytona-local's Socket.IO gateway and its waits end on pushed events."""
    dispatcher = daytona._event_dispatcher  # the SDK's own connection, made at construction
    sb = daytona.create(CreateSandboxFromSnapshotParams(name=_unique("events")))
    try:
        assert dispatcher._connected, "the SDK did not connect to the event socket"
        seen = []
        unsubscribe = dispatcher.subscribe(sb.id, lambda name, data: seen.append((name, data)), ["sandbox.state.updated"])
        try:
            sb.stop()
            assert sb.state == SandboxState.STOPPED
            deadline = time.time() + 5
            while ("stopped" not in [d["newState"] for _, d in seen]) and time.time() < deadline:
                time.sleep(0.05)
            # (The create's own "started" may still arrive after subscribing.)
            assert [d["newState"] for _, d in seen if d["newState"] != "started"] == ["stopping", "stopped"]
            assert all(d["sandbox"]["id"] == sb.id for _, d in seen)
        finally:
            unsubscribe()
    finally:
        daytona.delete(sb)


def test_what_daytona_local_cannot_honour_is_refused(daytona):
    """A snapshot it does not have, an image it cannot build, a volume that does not exist: a clear
    error, never a default sandbox."""
    from daytona import CreateSandboxFromImageParams, VolumeMount

    before = {s.id for s in daytona.list()}
    with pytest.raises(DaytonaError, match="Snapshot no-such-snapshot not found") as refused:
        daytona.create(CreateSandboxFromSnapshotParams(snapshot="no-such-snapshot"))
    assert refused.value.status_code == 400
    with pytest.raises(DaytonaError, match="images named by build arguments") as refused:
        daytona.create(CreateSandboxFromImageParams(image="$BASE_IMAGE"))
    assert refused.value.status_code == 400
    with pytest.raises(DaytonaNotFoundError, match="Volume 0b7c1e9e-0000-4000-8000-000000000000 not found"):
        daytona.create(
            CreateSandboxFromSnapshotParams(
                volumes=[VolumeMount(volume_id="0b7c1e9e-0000-4000-8000-000000000000", mount_path="/home/daytona/v")]
            )
        )
    assert {s.id for s in daytona.list()} <= before, "no sandbox was made"
    # The default snapshot by its name is what a plain create runs.
    sb = daytona.create(CreateSandboxFromSnapshotParams(snapshot="daytona-local"))
    try:
        assert sb.snapshot == "daytona-local"
        assert sb.process.exec("echo ok").result == "ok\n"
    finally:
        daytona.delete(sb)
