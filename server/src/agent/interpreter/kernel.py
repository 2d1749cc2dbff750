"""The Python process of one interpreter context of daytona-local's toolbox agent.

It runs as the sandbox user in the context's cwd and keeps one namespace across executions.
The agent talks to it over the socket on fd 3, one JSON object per line:

  agent -> kernel  {"type": "execute", "code", "envs", "rich"}   {"type": "input_reply", "value" | "eof": true}
  kernel -> agent  {"type": "ready"}
                   {"type": "event", "seq", "frame": {...}}       a frame for the client
                   {"type": "done", "seq", "status": "ok"|"error"|"interrupted", "count"}

stdout and stderr stay the process's fds 1 and 2 (pipes the agent streams, so the output of
subprocesses and C code arrives too). Before each event the kernel writes a mark carrying the
event's `seq` to both, so the agent can keep frames in the order they happened.
"""

import ast
import base64
import builtins
import json
import os
import signal
import socket
import sys
import traceback
import types

# The mark: NUL, the nonce the agent chose, a colon; then the sequence number and NUL.
MARK = b"\x00" + os.environ.pop("DAYTONA_KERNEL_MARK").encode() + b":"
CELL = "<cell>"
HERE = os.path.abspath(__file__)

channel = socket.socket(fileno=3)
os.set_inheritable(3, False)
requests = channel.makefile("r", encoding="utf-8", newline="\n")

# The user's namespace is a real __main__ module (pickle and dataclasses look it up there).
main = types.ModuleType("__main__")
main.__dict__["__builtins__"] = builtins
sys.modules["__main__"] = main
sys.argv = [""]
sys.path[0] = ""
# Our matplotlib backend (Agg that shows figures as outputs) is found after the user's modules.
sys.path.append(os.path.dirname(HERE))
sys.stdin = open(os.devnull, encoding="utf-8")

seq = 0
count = 0
rich = False

# Interrupts (SIGINT from the agent) raise KeyboardInterrupt only while the cell's code runs
# (`armed`), and never half-way through a message to the agent (`shielded`: they wait for its
# end). An interrupt that lands anywhere else (between cells, or while an interrupted cell is
# being reported, as when a user presses interrupt twice) is dropped: it can no longer lose a
# request, a mark or the `done` the agent waits for.
armed = False
shielded = False
deferred = False


def on_interrupt(signum, frame):
    global deferred
    if not armed:
        return
    if shielded:
        deferred = True
        return
    raise KeyboardInterrupt


signal.signal(signal.SIGINT, on_interrupt)


def shield(function):
    """Runs `function` whole: an interrupt that comes meanwhile is raised when it returns."""

    def whole(*args):
        global shielded, deferred
        if shielded:
            return function(*args)
        shielded = True
        try:
            return function(*args)
        finally:
            shielded = False
            if deferred:
                deferred = False
                if armed:
                    raise KeyboardInterrupt

    return whole


@shield
def send(message):
    channel.sendall((json.dumps(message) + "\n").encode())


def next_mark():
    """Flushes stdout and stderr and marks both with the next sequence number."""
    global seq
    seq += 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    mark = MARK + str(seq).encode() + b"\x00"
    for fd in (1, 2):
        try:
            os.write(fd, mark)
        except OSError:
            pass  # the code closed it; the agent's timeout ends the wait
    return seq


@shield
def emit(frame):
    """Sends a frame for the client, ordered after the output written before it."""
    frame.setdefault("text", "")
    for key in ("name", "value", "traceback"):
        frame.setdefault(key, "")
    send({"type": "event", "seq": next_mark(), "frame": frame})


MIME_METHODS = (
    ("_repr_html_", "text/html"),
    ("_repr_markdown_", "text/markdown"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_png_", "image/png"),
    ("_repr_jpeg_", "image/jpeg"),
    ("_repr_json_", "application/json"),
    ("_repr_latex_", "text/latex"),
)


def figure_png(fig):
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def is_figure(obj):
    return type(obj).__module__.startswith("matplotlib.figure") and hasattr(obj, "savefig")


def bundle(obj):
    """The MIME bundle of an object, as Jupyter builds it from its _repr_*_ methods."""
    data = {}
    if not isinstance(obj, type):
        for method, mime in MIME_METHODS:
            try:
                render = getattr(obj, method, None)
                value = render() if callable(render) else None
            except Exception:
                continue
            if isinstance(value, tuple):
                value = value[0]
            if value is None:
                continue
            if isinstance(value, (bytes, bytearray)):
                value = base64.b64encode(value).decode()
            elif mime == "application/json":
                try:
                    value = json.dumps(value)
                except (TypeError, ValueError):
                    continue
            data[mime] = str(value)
        if is_figure(obj):
            data["image/png"] = figure_png(obj)
    try:
        data["text/plain"] = repr(obj)
    except Exception:
        data["text/plain"] = object.__repr__(obj)
    return data


def display(*objs, display_id=None, clear=False, update=False, raw=False, **_):
    """Shows objects as outputs of the running cell (IPython's display())."""
    if clear:
        clear_output(wait=True)
    for obj in objs:
        data = obj if raw and isinstance(obj, dict) else bundle(obj)
        if not rich:
            print(data.get("text/plain", ""))
            continue
        frame = {"type": "display", "data": data}
        if display_id is not None:
            frame["displayId"] = str(display_id)
            frame["update"] = bool(update)
        emit(frame)


def update_display(obj, *, display_id, **kwargs):
    """Replaces what a display() with the same display_id showed."""
    display(obj, display_id=display_id, update=True, **kwargs)


def clear_output(wait=False):
    """Clears the running cell's outputs (now, or when the next output arrives)."""
    if rich:
        emit({"type": "clear", "wait": bool(wait)})


def show_figures():
    """Shows every open matplotlib figure, then closes them (the inline backend's show())."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None or not rich:
        return
    for number in pyplot.get_fignums():
        figure = pyplot.figure(number)
        emit({"type": "display", "data": {"image/png": figure_png(figure), "text/plain": repr(figure)}})
    pyplot.close("all")


def read_input(prompt="", password=False):
    if not rich:
        raise EOFError("input() needs a client that answers input requests")
    emit({"type": "input", "text": str(prompt), "wait": bool(password)})
    while True:
        line = requests.readline()
        if not line:
            raise EOFError("the agent went away")
        message = json.loads(line)
        if message.get("type") == "input_reply":
            if message.get("eof"):
                raise EOFError("the client that would answer input() has gone")
            return str(message.get("value", ""))


def input(prompt=""):  # noqa: A001 - replaces the builtin
    return read_input(prompt)


def getpass(prompt="Password: ", stream=None):
    return read_input(prompt, password=True)


builtins.input = input
builtins.display = display
builtins.clear_output = clear_output
builtins.update_display = update_display
# `import daytona_kernel` gives the display functions to user code and to the backend.
api = types.ModuleType("daytona_kernel")
api.display, api.clear_output, api.update_display, api.show_figures = (
    display,
    clear_output,
    update_display,
    show_figures,
)
sys.modules["daytona_kernel"] = api
try:
    import getpass as getpass_module

    getpass_module.getpass = getpass
except ImportError:
    pass


# Files the running code opens for writing (Python's audit hook sees every open()): a rich
# client shows them as links. Recorded only while a cell runs.
written = None
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def audit(event, args):
    if event == "open" and written is not None and len(written) < 100:
        path, mode, flags = (list(args) + [None, None])[:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITE_FLAGS
        )
        if writes and isinstance(path, (str, bytes, os.PathLike)):
            try:
                written.add(os.path.abspath(os.fsdecode(path)))
            except (TypeError, ValueError):
                pass


sys.addaudithook(audit)


def emit_written(paths):
    skipped = ("/dev/", "/proc/", "/sys/", os.path.dirname(HERE) + os.sep)
    files = sorted(
        p for p in paths if not p.startswith(skipped) and "/.cache/" not in p and os.path.isfile(p)
    )
    if rich and files:
        emit({"type": "files", "files": files})


def report(error):
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == HERE:
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(error), error, tb))
    emit({"type": "error", "name": type(error).__name__, "value": str(error), "traceback": text})


def run_cell(code):
    """Runs a cell's code, interrupts armed while it runs; its status."""
    global armed
    try:
        tree = ast.parse(code, CELL, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        armed = True
        try:
            exec(compile(tree, CELL, "exec", dont_inherit=True), main.__dict__)
            if last is not None:
                value = eval(compile(last, CELL, "eval", dont_inherit=True), main.__dict__)
                if value is not None:
                    builtins._ = value
                    if rich:
                        emit({"type": "result", "data": bundle(value), "executionCount": count})
                    else:
                        print(repr(value))
            show_figures()
        finally:
            armed = False
        return "ok"
    except KeyboardInterrupt as error:
        armed = False
        report(error)
        return "interrupted"
    except BaseException as error:  # SystemExit too: the context lives on, as in Jupyter
        armed = False
        report(error)
        return "error"


def execute(request):
    global rich, count, written, owed
    rich = bool(request.get("rich"))
    written = set()
    count += 1
    owed = True
    envs = request.get("envs") or {}
    saved = {name: os.environ.get(name) for name in envs}
    os.environ.update(envs)
    try:
        status = run_cell(request.get("code", ""))
    finally:
        paths, written = written, None
        try:
            emit_written(paths)
        except Exception:
            pass
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    emit_done(status)


# Whether the agent still waits for the running request's `done`.
owed = False


@shield
def emit_done(status):
    global owed
    send({"type": "done", "seq": next_mark(), "status": status, "count": count})
    owed = False


def serve():
    global armed
    send({"type": "ready"})
    while True:
        try:
            line = requests.readline()
            if not line:
                return
            request = json.loads(line)
            if request.get("type") == "execute":
                execute(request)
        except KeyboardInterrupt:
            # One that slipped past a cell's edge: the agent still gets the cell's end.
            armed = False
            if owed:
                emit_done("interrupted")


serve()
