"""The official Python SDK's computer use (sandbox.computer_use) against daytona-local: the
desktop's processes, a terminal window driven with the mouse and keyboard until a typed
command writes a file, screenshots in every variant (decoded: sizes, not blank), display
info and windows, a recording downloaded and checked with ffprobe, a dialog filled and answered
through the accessibility tree, and stop."""

import base64
import json
import shutil
import struct
import subprocess
import time
import uuid
import zlib

import pytest
from daytona import CreateSandboxFromSnapshotParams, DaytonaNotFoundError, SessionExecuteRequest
from daytona.common.computer_use import ScreenshotOptions, ScreenshotRegion


@pytest.fixture(scope="module")
def sandbox(daytona):
    sb = daytona.create(CreateSandboxFromSnapshotParams(name=f"py-desktop-{uuid.uuid4().hex[:10]}"))
    yield sb
    try:
        daytona.delete(sb)
    except DaytonaNotFoundError:
        pass


def png_size_and_colours(data: bytes):
    """Width, height and the number of distinct RGB pixels of an 8-bit RGB PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 2), (depth, colour)
    idat, at = b"", 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == b"IDAT":
            idat += data[at + 8 : at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3 + 1
    # Filtered rows: distinct filtered pixels are a lower bound of distinct colours > 1.
    pixels = {raw[r * stride + 1 + c * 3 : r * stride + 4 + c * 3] for r in range(0, height, 4) for c in range(0, width, 4)}
    return width, height, len(pixels)


def jpeg_size(data: bytes):
    assert data[:2] == b"\xff\xd8"
    sof = data.index(b"\xff\xc0")
    height, width = struct.unpack(">HH", data[sof + 5 : sof + 9])
    return width, height


def wait_for(check, within=10.0):
    deadline = time.time() + within
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_a_terminal_is_driven_and_seen(sandbox):
    cu = sandbox.computer_use
    started = cu.start()
    assert all(started.status[name].running for name in ("xvfb", "xfce4", "x11vnc", "novnc")), started
    assert cu.get_status().status == "active"
    assert cu.get_process_status("xvfb").running is True
    # x11vnc is the VNC server inside Xvnc, whose stderr says where VNC listens (a moment after it starts).
    assert wait_for(lambda: "port 5901" in cu.get_process_errors("x11vnc").errors)
    assert cu.get_process_logs("novnc").process_name == "novnc"

    assert wait_for(lambda: any(w.title == "xterm" for w in cu.display.get_windows().windows))
    xterm = next(w for w in cu.display.get_windows().windows if w.title == "xterm")
    info = cu.display.get_info()
    assert (info.displays[0].width, info.displays[0].height) == (1280, 800)

    x, y = xterm.x + 100, xterm.y + 100
    moved = cu.mouse.move(x, y)
    assert (moved.x, moved.y) == (x, y)
    clicked = cu.mouse.click(x, y)
    assert (clicked.x, clicked.y) == (x, y)
    position = cu.mouse.get_position()
    assert (position.x, position.y) == (x, y)
    cu.keyboard.type("echo 'from python' > ~/py-typed.txt")
    cu.keyboard.press("Return")
    assert wait_for(lambda: sandbox.process.exec("cat ~/py-typed.txt 2>/dev/null").result == "from python\n")
    cu.keyboard.type("touch ~/py-not-run")
    cu.keyboard.hotkey("ctrl+u")
    cu.keyboard.type("touch ~/py-run")
    cu.keyboard.press("m", ["ctrl"])
    assert wait_for(lambda: "py-run" in sandbox.process.exec("ls ~").result)
    assert "py-not-run" not in sandbox.process.exec("ls ~").result
    dragged = cu.mouse.drag(x, y, x + 40, y + 10)
    assert (dragged.x, dragged.y) == (x + 40, y + 10)
    assert cu.mouse.scroll(x, y, "down", 2) is True

    full = cu.screenshot.take_full_screen()
    w, h, colours = png_size_and_colours(base64.b64decode(full.screenshot))
    assert (w, h) == (1280, 800) and colours > 2, (w, h, colours)
    assert full.size_bytes == len(base64.b64decode(full.screenshot))
    region = cu.screenshot.take_region(ScreenshotRegion(x=xterm.x, y=xterm.y, width=320, height=200), show_cursor=True)
    w, h, colours = png_size_and_colours(base64.b64decode(region.screenshot))
    assert (w, h) == (320, 200) and colours > 1, (w, h, colours)
    jpeg = cu.screenshot.take_compressed(ScreenshotOptions(fmt="jpeg", quality=60, scale=0.5))
    assert jpeg_size(base64.b64decode(jpeg.screenshot)) == (640, 400)
    small = cu.screenshot.take_compressed_region(
        ScreenshotRegion(x=0, y=0, width=400, height=200), ScreenshotOptions(fmt="png", scale=0.5)
    )
    assert png_size_and_colours(base64.b64decode(small.screenshot))[:2] == (200, 100)

    restarted = cu.restart_process("x11vnc")
    assert restarted.process_name == "x11vnc"
    assert cu.get_process_status("x11vnc").running is True
    # Restarting the VNC server restarts the display (one Xvnc): its terminal comes back.
    assert wait_for(lambda: any(w.title == "xterm" for w in cu.display.get_windows().windows))


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (ffmpeg) is installed by scripts/setup.sh")
def test_a_recording_downloads_as_a_playable_mp4(sandbox, tmp_path):
    cu = sandbox.computer_use
    cu.start()
    rec = cu.recording.start("py")
    assert rec.status == "recording"
    cu.mouse.move(200, 200)
    time.sleep(1.5)
    cu.mouse.move(400, 300)
    done = cu.recording.stop(rec.id)
    assert done.status == "completed" and done.duration_seconds >= 1.0, done
    assert any(r.id == rec.id for r in cu.recording.list().recordings)
    assert cu.recording.get(rec.id).size_bytes == done.size_bytes
    target = tmp_path / "rec.mp4"
    cu.recording.download(rec.id, str(target))
    assert target.stat().st_size == done.size_bytes
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(target)],
        capture_output=True, text=True, check=True,
    )
    assert 1.0 <= float(json.loads(probe.stdout)["format"]["duration"]) < 10
    cu.recording.delete(rec.id)
    with pytest.raises(DaytonaNotFoundError):
        cu.recording.get(rec.id)


def test_a_dialog_is_filled_and_answered_through_the_accessibility_tree(sandbox):
    cu = sandbox.computer_use
    cu.start()
    a11y = cu.accessibility
    sandbox.process.create_session("a11y")
    run = sandbox.process.execute_session_command(
        "a11y",
        SessionExecuteRequest(command="yad --entry --title=Py --text=Project --button=Save:0", run_async=True),
    )
    assert wait_for(lambda: a11y.find_nodes(scope="all", role="push button", name="Save").matches, within=20)

    tree = a11y.get_tree(max_depth=2)
    assert tree.root.role == "application" and tree.root.name == "yad"
    assert tree.root.children[0].role == "frame" and tree.root.children[0].name == "Py"
    entry = a11y.find_nodes(role="text", states=["editable"]).matches
    assert len(entry) == 1, entry
    a11y.focus_node(entry[0].id)
    a11y.set_node_value(entry[0].id, "orbit")
    save = a11y.find_nodes(role="push button", name="Save", name_match="exact").matches[0]
    assert "click" in save.actions and save.bounds.width > 0
    a11y.invoke_node(save.id)
    assert wait_for(lambda: sandbox.process.get_session_command("a11y", run.cmd_id).exit_code == 0)
    logs = sandbox.process.get_session_command_logs("a11y", run.cmd_id)
    assert "orbit" in (logs.output or logs.stdout or ""), logs


def test_stop_ends_the_desktop(sandbox):
    cu = sandbox.computer_use
    cu.start()
    stopped = cu.stop()
    assert not any(p.running for p in stopped.status.values()), stopped
    assert cu.get_status().status == "inactive"
