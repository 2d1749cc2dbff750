"""Declarative image builds through the official Python SDK, unmodified: an `Image` chain with
local files, uploaded by the SDK to daytona-local's object storage (obstore over HTTPS, SigV4,
a multipart upload for the large file, HEAD before each upload), built with buildah; the build
log streamed to the callback; the same image again reusing its snapshot and its uploads; a
failing RUN reported as build_failed with the log, nothing registered active; snapshot.create
from an Image."""

import glob
import hashlib
import os
import uuid

import pytest
from daytona import (
    CreateSandboxFromImageParams,
    CreateSandboxFromSnapshotParams,
    CreateSnapshotParams,
    DaytonaError,
    Image,
)


def _contexts(data_dir):
    """mtime of every stored build context."""
    return {p: os.stat(p).st_mtime_ns for p in glob.glob(f"{data_dir}/objects/data/*/*/context.tar")}


def test_image_with_local_files_builds_runs_and_is_reused(daytona, registry, data_dir, tmp_path):
    (tmp_path / "hello.txt").write_text("hello from the context\n")
    blob = os.urandom(6 * 1024 * 1024)  # more than one 5 MiB part: a multipart upload
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "blob.bin").write_bytes(blob)
    marker = uuid.uuid4().hex
    image = (
        Image.base(f"{registry}/test/busybox:1.0")
        .run_commands(f"echo {marker} > /built.txt")
        .env({"BUILT_WITH": "daytona-local"})
        .workdir("/app")
        .add_local_file(str(tmp_path / "hello.txt"), "/app/hello.txt")
        .add_local_dir(str(tmp_path / "data"), "/data-dir")
    )
    logs = []
    sb = daytona.create(CreateSandboxFromImageParams(image=image), on_snapshot_create_logs=logs.append, timeout=300)
    again = None
    try:
        assert sb.state == "started"
        text = "\n".join(logs)
        assert f"RUN echo {marker} > /built.txt" in text, text
        assert "Build succeeded" in text, text
        run = sb.process.exec("cat /built.txt /app/hello.txt; echo $BUILT_WITH; pwd; md5sum /data-dir/blob.bin")
        md5 = hashlib.md5(blob).hexdigest()
        assert run.result == f"{marker}\nhello from the context\ndaytona-local\n/app\n{md5}  /data-dir/blob.bin\n"
        stored = _contexts(data_dir)
        assert len(stored) >= 2, stored

        # The same image again: its snapshot is reused (no build, so no log), and the SDK's HEAD
        # finds the contexts already stored (none is written again).
        again_logs = []
        again = daytona.create(
            CreateSandboxFromImageParams(image=image), on_snapshot_create_logs=again_logs.append, timeout=60
        )
        assert again.state == "started" and again.snapshot == sb.snapshot
        assert again_logs == []
        assert _contexts(data_dir) == stored
        assert again.process.exec("cat /built.txt").result == f"{marker}\n"
    finally:
        for s in (sb, again):
            if s is not None:
                daytona.delete(s)


def test_failing_run_is_build_failed_with_its_log(daytona, registry):
    marker = uuid.uuid4().hex
    bad = Image.base(f"{registry}/test/busybox:1.0").run_commands(f"echo before-{marker}", "exit 3")
    with pytest.raises(DaytonaError) as failed:
        daytona.create(CreateSandboxFromImageParams(image=bad), timeout=120)
    message = str(failed.value)
    assert "build_failed" in message.lower(), message
    # The reason, with the log's end, is the sandbox's errorReason (the SDK's message names it
    # only when its last refresh came after the failure: state events carry no reason).
    broken = [s for s in daytona.list() if s.state == "build_failed"]
    assert broken, "the sandbox should stay, in state build_failed"
    for s in broken:
        assert f"before-{marker}" in (s.error_reason or "") and "exit status 3" in s.error_reason, s.error_reason
        # Nothing half-registered: the build's snapshot is build_failed, not active.
        snap = daytona.snapshot.get(s.snapshot)
        assert snap.state == "build_failed"
        daytona.delete(s)


def test_snapshot_created_from_an_image(daytona, registry):
    name = f"py-built-{uuid.uuid4().hex[:8]}"
    logs = []
    image = Image.base(f"{registry}/test/busybox:1.0").run_commands("mkdir -p /opt/made && echo ok > /opt/made/it")
    snap = daytona.snapshot.create(CreateSnapshotParams(name=name, image=image), on_logs=logs.append)
    assert snap.state == "active"
    assert any("STEP 2/2: RUN mkdir -p /opt/made" in line for line in logs), logs
    sb = daytona.create(CreateSandboxFromSnapshotParams(snapshot=name))
    try:
        assert sb.process.exec("cat /opt/made/it").result == "ok\n"
    finally:
        daytona.delete(sb, wait=True)
    daytona.snapshot.delete(daytona.snapshot.get(name))
