"""The official Python SDK's stateful code interpreter (sandbox.code_interpreter) against
daytona-local: streaming callbacks, state in the default context, isolated contexts, listing
and deleting them, and a timeout that keeps the context's variables."""

import threading
import uuid

import pytest
from daytona import CreateSandboxFromSnapshotParams, DaytonaError, DaytonaNotFoundError, DaytonaTimeoutError


@pytest.fixture(scope="module")
def sandbox(daytona):
    sb = daytona.create(CreateSandboxFromSnapshotParams(name=f"py-interp-{uuid.uuid4().hex[:10]}"))
    yield sb
    try:
        daytona.delete(sb)
    except DaytonaNotFoundError:
        pass


def test_run_code_streams_and_keeps_state_in_the_default_context(sandbox):
    ci = sandbox.code_interpreter
    seen = []
    proceed = threading.Event()

    # The callback gets the first line while the code still waits for a file the callback
    # itself creates: output streams as it is written, not at the end.
    gate = f"/tmp/gate-{uuid.uuid4().hex}"

    def on_stdout(msg):
        seen.append(msg.output)
        if "first" in msg.output and not proceed.is_set():
            proceed.set()
            sandbox.fs.upload_file(b"go", gate)

    code = (
        "import os, time\n"
        "print('first', flush=True)\n"
        f"for _ in range(400):\n    if os.path.exists({gate!r}): break\n    time.sleep(0.05)\n"
        f"print('second', os.path.exists({gate!r}))\n"
        "counter = 41"
    )
    result = ci.run_code(code, on_stdout=on_stdout)
    assert result.error is None, result.error
    assert "".join(seen) == result.stdout == "first\nsecond True\n"

    result = ci.run_code("counter += 1\ncounter")
    assert result.stdout == "42\n"

    errors = []
    result = ci.run_code("import sys\nprint('oops', file=sys.stderr)\n1/0", on_error=errors.append)
    assert result.stderr == "oops\n"
    assert result.error.name == "ZeroDivisionError"
    assert "division by zero" in result.error.value
    assert "Traceback" in result.error.traceback
    assert errors and errors[0].name == "ZeroDivisionError"


def test_contexts_are_isolated_listed_and_deleted(sandbox):
    ci = sandbox.code_interpreter
    ci.run_code("shared_name = 'default'")
    ctx = ci.create_context(cwd="/tmp")
    assert ctx.cwd == "/tmp" and ctx.language == "python" and ctx.active

    result = ci.run_code("shared_name", context=ctx)
    assert result.error is not None and result.error.name == "NameError"
    result = ci.run_code("import os\nshared_name = os.getcwd()\nshared_name", context=ctx)
    assert result.stdout == "'/tmp'\n"
    assert ci.run_code("shared_name").stdout == "'default'\n"

    assert [c.id for c in ci.list_contexts()] == [ctx.id]
    ci.delete_context(ctx)
    assert ci.list_contexts() == []
    with pytest.raises(DaytonaError):
        ci.delete_context(ctx)


def test_timeout_raises_and_keeps_the_context(sandbox):
    ci = sandbox.code_interpreter
    ci.run_code("survivor = 'kept'")
    with pytest.raises(DaytonaTimeoutError):
        ci.run_code("while True:\n    pass", timeout=1)
    assert ci.run_code("survivor").stdout == "'kept'\n"


def test_envs_apply_to_one_run(sandbox):
    ci = sandbox.code_interpreter
    result = ci.run_code("import os\nprint(os.environ['RUN_ONLY'])", envs={"RUN_ONLY": "here"})
    assert result.stdout == "here\n"
    assert ci.run_code("print(os.environ.get('RUN_ONLY'))").stdout == "None\n"
