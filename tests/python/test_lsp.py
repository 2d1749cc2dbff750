"""The official Python SDK (daytona==0.226.1) LSP API against daytona-local: a real pylsp started
as the sandbox user on a small project; completions after `os.pa`, document symbols, workspace
symbols (pylsp has no workspace search: daytona-local asks each file of the project), the typed
error before start and after stop."""

import uuid

import pytest
from daytona import CreateSandboxFromSnapshotParams, DaytonaError, LspCompletionPosition

MAIN = """import os


def greet(name):
    return "hi " + name


class Greeter:
    def hello(self):
        return greet("x")


os.pa
"""
UTIL = """def greeting_count():
    return 2
"""


@pytest.fixture(scope="module")
def sandbox(daytona):
    sb = daytona.create(CreateSandboxFromSnapshotParams(name=f"py-lsp-{uuid.uuid4().hex[:8]}"))
    sb.fs.upload_file(MAIN.encode(), "proj/main.py")
    sb.fs.upload_file(UTIL.encode(), "proj/pkg/util.py")
    yield sb
    daytona.delete(sb)


def test_every_lsp_call_on_pylsp(sandbox):
    main = "/home/daytona/proj/main.py"
    lsp = sandbox.create_lsp_server("python", "/home/daytona/proj")
    with pytest.raises(DaytonaError) as not_started:
        lsp.did_open(main)
    assert not_started.value.code == "LSP_SERVER_NOT_INITIALIZED"

    lsp.start()
    lsp.start()  # a second start keeps the running server
    lsp.did_open(main)
    completions = lsp.completions(main, LspCompletionPosition(line=12, character=5))
    labels = [item.label for item in completions.items]
    assert "path" in labels and "pathsep" in labels, labels
    assert all(label.lower().startswith("pa") for label in labels), labels

    symbols = {(s.name, s.kind) for s in lsp.document_symbols(main)}
    assert {("greet", 12), ("Greeter", 5), ("hello", 6)} <= symbols, symbols  # 6: a method
    greet = next(s for s in lsp.document_symbols(main) if s.name == "greet")
    assert (greet.location.uri, greet.location.range.start.line) == (f"file://{main}", 3)

    found = {(s.name, s.location.uri.rsplit("/", 1)[-1]) for s in lsp.sandbox_symbols("greet")}
    assert {("greet", "main.py"), ("Greeter", "main.py"), ("greeting_count", "util.py")} <= found, found
    assert all("greet" in name.lower() for name, _ in found)

    lsp.did_close(main)
    lsp.stop()
    with pytest.raises(DaytonaError) as stopped:
        lsp.completions(main, LspCompletionPosition(line=12, character=5))
    assert stopped.value.code == "LSP_SERVER_NOT_INITIALIZED"
    # The server process is gone with the stop.
    assert sandbox.process.exec("pgrep -f pylsp || true").result.strip() == ""
