"""Snapshots through the official Python SDK, unmodified: pulled from a real registry on
127.0.0.1 (tests/support/oci-registry.sh), listed, got, deactivated and activated, deleted; a
`:latest` image refused as Daytona does; a sandbox running on one (its ENV, WORKDIR, USER and
files)."""

import time
import uuid

import pytest
from daytona import CreateSandboxFromSnapshotParams, CreateSnapshotParams, DaytonaError, DaytonaNotFoundError


def test_snapshot_pulled_listed_toggled_deleted(daytona, registry):
    name = f"py-snap-{uuid.uuid4().hex[:8]}"
    logs = []
    snap = daytona.snapshot.create(
        CreateSnapshotParams(name=name, image=f"{registry}/test/busybox:1.0"), on_logs=logs.append
    )
    assert snap.state == "active" and snap.name == name
    assert snap.entrypoint == ["/bin/sh"]
    assert logs[-1].startswith(f"Created snapshot {name}"), logs

    assert daytona.snapshot.get(name).id == snap.id
    listed = daytona.snapshot.list()
    assert {s.name for s in listed.items} >= {name, "daytona-local"}
    assert listed.total == len(listed.items)

    sb = daytona.create(CreateSandboxFromSnapshotParams(snapshot=name, env_vars={"MINE": "yes"}))
    try:
        assert sb.snapshot == name
        # The image names no USER: root of the sandbox, at home in /root, as on Daytona.
        assert sb.user == "root"
        assert sb.get_user_home_dir() == "/root"
        run = sb.process.exec("echo $GREETING $MINE; pwd; test -e /usr/bin/python3 || echo image-only")
        assert run.result == "hello yes\n/work\nimage-only\n"
        sb.fs.upload_file(b"uploaded\n", "/data/up.txt")
        assert sb.fs.download_file("/data/up.txt") == b"uploaded\n"
        assert sb.process.exec("cat /data/up.txt").result == "uploaded\n"
        with pytest.raises(DaytonaError) as in_use:
            daytona.snapshot.delete(snap)
        assert in_use.value.status_code == 409
    finally:
        daytona.delete(sb, wait=True)

    daytona.snapshot.activate(snap)  # already active: answered as it is
    daytona.snapshot.delete(snap)
    deadline = time.monotonic() + 20
    while True:
        try:
            daytona.snapshot.get(snap.id)
        except DaytonaNotFoundError:
            break
        assert time.monotonic() < deadline, "the deleted snapshot stays"
        time.sleep(0.2)


def test_latest_and_missing_images_are_refused(daytona, registry):
    with pytest.raises(DaytonaError, match="latest tag or no tag is not allowed") as refused:
        daytona.snapshot.create(CreateSnapshotParams(name=f"py-{uuid.uuid4().hex[:8]}", image="busybox:latest"))
    assert refused.value.status_code == 400
    name = f"py-missing-{uuid.uuid4().hex[:8]}"
    with pytest.raises(DaytonaError, match=r"pulling \S+/test/none:1.0 failed"):
        daytona.snapshot.create(CreateSnapshotParams(name=name, image=f"{registry}/test/none:1.0"))
    daytona.snapshot.delete(daytona.snapshot.get(name))
