"""The official Python SDK (daytona==0.226.1) file API against daytona-local: every call,
typed errors from the daemon, streaming download, and pre-signed URLs used without credentials."""

import urllib.error
import urllib.request
import uuid

import pytest
from daytona import (
    CreateSandboxFromSnapshotParams,
    DaytonaError,
    DaytonaNotFoundError,
    FileDownloadRequest,
    FileUpload,
)


@pytest.fixture(scope="module")
def sandbox(daytona):
    sb = daytona.create(CreateSandboxFromSnapshotParams(name=f"py-files-{uuid.uuid4().hex[:8]}"))
    yield sb
    daytona.delete(sb)


def test_every_file_call(sandbox, tmp_path):
    fs = sandbox.fs
    fs.create_folder("work/src", "750")
    assert fs.get_file_info("work/src").permissions == "0750"
    fs.upload_file(b"print('hi')\n", "work/src/main.py")
    local = tmp_path / "notes.txt"
    local.write_text("first line\nneedle here\n")
    fs.upload_file(str(local), "work/notes.txt")  # streamed from a local path
    fs.upload_files([FileUpload(source=b"a", destination="work/tree/a.txt"), FileUpload(source=b"bb", destination="work/tree/sub/b.txt")])

    names = sorted((f.name, f.is_dir) for f in fs.list_files("work"))
    assert names == [("notes.txt", False), ("src", True), ("tree", True)]
    info = fs.get_file_info("work/notes.txt")
    assert (info.size, info.is_dir, info.mode) == (23, False, "-rw-r--r--")

    assert fs.download_file("work/src/main.py") == b"print('hi')\n"
    target = tmp_path / "back.txt"
    fs.download_file("work/notes.txt", str(target))
    assert target.read_text() == "first line\nneedle here\n"
    chunks = b"".join(fs.download_file_stream("work/notes.txt"))
    assert chunks == b"first line\nneedle here\n"
    many = fs.download_files(
        [FileDownloadRequest(source="work/tree/a.txt"), FileDownloadRequest(source="work/tree/sub/b.txt"), FileDownloadRequest(source="work/none.txt")]
    )
    assert [m.result for m in many[:2]] == [b"a", b"bb"]
    assert many[2].error and "not found" in many[2].error.lower()

    matches = fs.find_files("work", "needle")
    assert [(m.file, m.line, m.content) for m in matches] == [("/home/daytona/work/notes.txt", 2, "needle here")]
    found = fs.search_files("work", "*.txt")
    assert sorted(found.files) == ["/home/daytona/work/notes.txt", "/home/daytona/work/tree/a.txt", "/home/daytona/work/tree/sub/b.txt"]
    results = fs.replace_in_files(["work/notes.txt"], "needle", "pin")
    assert results[0].success is True
    assert fs.download_file("work/notes.txt") == b"first line\npin here\n"

    fs.move_files("work/notes.txt", "work/moved.txt")
    fs.set_file_permissions("work/moved.txt", mode="600")
    assert fs.get_file_info("work/moved.txt").permissions == "0600"
    fs.delete_file("work/tree", recursive=True)
    assert sorted(f.name for f in fs.list_files("work")) == ["moved.txt", "src"]

    with pytest.raises(DaytonaNotFoundError):
        fs.get_file_info("work/missing.txt")
    with pytest.raises(DaytonaNotFoundError):
        fs.download_file("work/missing.txt")
    with pytest.raises(DaytonaError):
        fs.delete_file("work")  # not empty without recursive


def test_presigned_urls(sandbox):
    sandbox.fs.upload_file(b"shared bytes", "share/doc.txt")
    url = sandbox.download_url("share/doc.txt")
    with urllib.request.urlopen(url, timeout=10) as resp:  # no credentials at all
        assert resp.read() == b"shared bytes"

    up = sandbox.upload_url("share/new.bin", ttl_seconds=120)
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"new.bin\"\r\n\r\n").encode() + b"\x00\x01payload" + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(up, data=body, method="POST", headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
    assert sandbox.fs.download_file("share/new.bin") == b"\x00\x01payload"

    sandbox.rotate_signing_key()
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=10)
    assert err.value.code == 401
