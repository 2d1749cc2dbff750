"""Volumes through the official Python SDK, unmodified: get(create=True), one volume mounted in
two sandboxes (one of them a subpath), delete refused while mounted and allowed after."""

import time
import uuid

import pytest
from daytona import CreateSandboxFromSnapshotParams, DaytonaError, DaytonaNotFoundError, VolumeMount


def test_a_volume_shared_by_two_sandboxes(daytona):
    name = f"py-vol-{uuid.uuid4().hex[:10]}"
    with pytest.raises(DaytonaNotFoundError):
        daytona.volume.get(name)
    vol = daytona.volume.get(name, create=True)
    assert vol.name == name and vol.state == "ready"
    assert daytona.volume.get(name).id == vol.id
    assert vol.id in {v.id for v in daytona.volume.list()}

    whole = daytona.create(CreateSandboxFromSnapshotParams(volumes=[VolumeMount(volume_id=vol.id, mount_path="/data")]))
    part = daytona.create(
        CreateSandboxFromSnapshotParams(
            volumes=[VolumeMount(volume_id=vol.id, mount_path="/home/daytona/work", subpath="projects/one")]
        )
    )
    try:
        assert part.volumes[0].subpath == "projects/one"
        whole.fs.upload_file(b"written in the first\n", "/data/projects/one/note.txt")
        assert part.fs.download_file("/home/daytona/work/note.txt") == b"written in the first\n"
        assert part.process.exec("echo back > work/reply.txt").exit_code == 0
        assert whole.process.exec("cat /data/projects/one/reply.txt").result == "back\n"

        with pytest.raises(DaytonaError, match="in use") as refused:
            daytona.volume.delete(vol)
        assert refused.value.status_code == 409
        assert daytona.volume.get(name).id == vol.id, "still there"
    finally:
        daytona.delete(whole, wait=True)
        daytona.delete(part, wait=True)

    daytona.volume.delete(vol)
    deadline = time.monotonic() + 20
    while vol.id in {v.id for v in daytona.volume.list()}:
        assert time.monotonic() < deadline, "the deleted volume stays listed"
        time.sleep(0.2)
    with pytest.raises(DaytonaNotFoundError):
        daytona.volume.get(name)
