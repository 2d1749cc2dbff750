//! Computer use against a real desktop in a sandbox: the desktop's processes, mouse and
//! keyboard driving a terminal window, screenshots in every variant (decoded), displays and
//! windows, recordings (a playable MP4), noVNC through the preview proxy, and the refusals.

mod common;

use std::time::Duration;

use base64::Engine;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The image of a screenshot answer: (format, width, height, distinct colours seen).
fn decode(body: &Value) -> (&'static str, u32, u32, usize) {
    let b64 = body["screenshot"].as_str().unwrap_or_else(|| panic!("no screenshot: {body}"));
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
    assert_eq!(body["sizeBytes"].as_u64(), Some(bytes.len() as u64), "sizeBytes");
    if bytes.starts_with(&[0xff, 0xd8]) {
        // JPEG: the size from the SOF0 marker.
        let sof = bytes.windows(2).position(|w| w == [0xff, 0xc0]).expect("SOF0");
        let h = u16::from_be_bytes([bytes[sof + 5], bytes[sof + 6]]) as u32;
        let w = u16::from_be_bytes([bytes[sof + 7], bytes[sof + 8]]) as u32;
        return ("jpeg", w, h, 0);
    }
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let colours: std::collections::HashSet<&[u8]> = pixels[..info.buffer_size()].chunks(3).collect();
    ("png", info.width, info.height, colours.len())
}

async fn started_desktop(s: &Server) -> String {
    let id = id_of(&s.create(json!({})).await);
    let t = std::time::Instant::now();
    let (status, body) = s.post_toolbox(&id, "/computeruse/start", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eprintln!("BENCH desktop start: {} ms", t.elapsed().as_millis());
    for name in ["xvfb", "xfce4", "x11vnc", "novnc"] {
        assert_eq!(body["status"][name]["running"], true, "{name}: {body}");
        assert!(body["status"][name]["pid"].as_i64().is_some_and(|p| p > 0), "{body}");
    }
    // The terminal openbox starts is mapped a moment later.
    let up = eventually(Duration::from_secs(10), || desktop_shows_terminal(s, &id)).await;
    assert!(up, "no terminal window");
    id
}

#[tokio::test]
async fn the_desktop_is_driven_like_a_user_would_and_seen_in_every_screenshot() {
    let s = Server::start().await;
    let id = started_desktop(&s).await;
    let (_, status) = s.get_toolbox(&id, "/computeruse/process-status").await;
    assert_eq!(status["status"], "active");
    let (_, info) = s.get_toolbox(&id, "/computeruse/display/info").await;
    assert_eq!(info["displays"][0]["width"], 1280, "{info}");
    assert_eq!(info["displays"][0]["height"], 800, "{info}");
    let (_, windows) = s.get_toolbox(&id, "/computeruse/display/windows").await;
    let xterm = windows["windows"].as_array().unwrap().iter().find(|w| w["title"] == "xterm").unwrap().clone();
    let (x, y) = (xterm["x"].as_i64().unwrap() + 100, xterm["y"].as_i64().unwrap() + 100);

    // Click into the terminal, type a command, press Return: the file appears.
    let (status, body) = s.post_toolbox(&id, "/computeruse/mouse/click", json!({"x": x, "y": y})).await;
    assert_eq!((status, body.clone()), (StatusCode::OK, json!({"x": x, "y": y})), "{body}");
    let (status, body) = s.post_toolbox(&id, "/computeruse/mouse/position", json!({})).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    let (_, pos) = s.get_toolbox(&id, "/computeruse/mouse/position").await;
    assert_eq!(pos, json!({"x": x, "y": y}));
    let typed = "echo 'typed é ü 漢' > ~/from-keyboard.txt";
    let (status, body) = s.post_toolbox(&id, "/computeruse/keyboard/type", json!({"text": typed, "delay": 2})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s.post_toolbox(&id, "/computeruse/keyboard/key", json!({"key": "Return"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let written = eventually(Duration::from_secs(5), || async {
        s.exec(&id, "cat ~/from-keyboard.txt 2>/dev/null").await.1 == "typed é ü 漢\n"
    })
    .await;
    assert!(written, "the typed command did not run: {:?}", s.exec(&id, "ls ~").await);
    // A hotkey and a key with modifiers reach the terminal too: Ctrl+U clears the line typed,
    // so only the second command runs.
    s.post_toolbox(&id, "/computeruse/keyboard/type", json!({"text": "touch ~/not-run"})).await;
    let (status, _) = s.post_toolbox(&id, "/computeruse/keyboard/hotkey", json!({"keys": "ctrl+u"})).await;
    assert_eq!(status, StatusCode::OK);
    s.post_toolbox(&id, "/computeruse/keyboard/type", json!({"text": "touch ~/was-run"})).await;
    let (status, _) =
        s.post_toolbox(&id, "/computeruse/keyboard/key", json!({"key": "m", "modifiers": ["ctrl"]})).await;
    assert_eq!(status, StatusCode::OK, "Ctrl+M is Return in a terminal");
    let ran = eventually(Duration::from_secs(5), || async { s.exec(&id, "ls ~").await.1.contains("was-run") }).await;
    assert!(ran);
    assert!(!s.exec(&id, "ls ~").await.1.contains("not-run"), "Ctrl+U did not clear the line");
    // Drag, scroll, down/up answer with where the pointer is.
    let (status, body) = s
        .post_toolbox(&id, "/computeruse/mouse/drag", json!({"startX": x, "startY": y, "endX": x + 50, "endY": y + 20}))
        .await;
    assert_eq!((status, body.clone()), (StatusCode::OK, json!({"x": x + 50, "y": y + 20})), "{body}");
    let (status, body) = s
        .post_toolbox(&id, "/computeruse/mouse/scroll", json!({"x": x, "y": y, "direction": "down", "amount": 3}))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({"success": true})));
    let (status, body) =
        s.post_toolbox(&id, "/computeruse/mouse/down", json!({"x": 5, "y": 6, "button": "left"})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"x": 5, "y": 6})));
    let (status, body) = s.post_toolbox(&id, "/computeruse/mouse/up", json!({})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"x": 5, "y": 6})));

    // Screenshots: the screen as it is (not blank: the terminal's text has several colours).
    let shot = |q: &'static str| {
        let s = &s;
        let id = id.clone();
        async move {
            let (status, body) = s.get_toolbox(&id, &format!("/computeruse/{q}")).await;
            assert_eq!(status, StatusCode::OK, "{q}: {body}");
            assert_eq!(body["cursorPosition"], json!({"x": 5, "y": 6}), "{q}");
            decode(&body)
        }
    };
    let (kind, w, h, colours) = shot("screenshot").await;
    assert_eq!((kind, w, h), ("png", 1280, 800));
    assert!(colours >= 3, "a blank screen ({colours} colours)");
    let (_, _, _, with_cursor) = shot("screenshot?showCursor=true").await;
    assert!(with_cursor >= 3);
    let region = shot("screenshot/region?x=40&y=40&width=300&height=200").await;
    assert_eq!((region.0, region.1, region.2), ("png", 300, 200));
    assert!(region.3 >= 2, "the region over the terminal is blank");
    let jpeg = shot("screenshot/compressed?format=jpeg&quality=50&scale=0.5").await;
    assert_eq!((jpeg.0, jpeg.1, jpeg.2), ("jpeg", 640, 400));
    let scaled = shot("screenshot/region/compressed?x=0&y=0&width=640&height=400&format=png&scale=0.25").await;
    assert_eq!((scaled.0, scaled.1, scaled.2), ("png", 160, 100));

    // The processes: logs, restart, and one killed from inside comes back by itself.
    let (_, st) = s.get_toolbox(&id, "/computeruse/process/x11vnc/status").await;
    assert_eq!(st, json!({"processName": "x11vnc", "running": true}));
    // x11vnc is Xvnc's VNC server: its errors are Xvnc's, which say where VNC listens.
    let (_, errors) = s.get_toolbox(&id, "/computeruse/process/x11vnc/errors").await;
    assert!(
        errors["errors"].as_str().unwrap().contains("VNC connections on local interface(s), port 5901"),
        "{errors}"
    );
    let (_, logs) = s.get_toolbox(&id, "/computeruse/process/novnc/logs").await;
    assert_eq!(logs["processName"], "novnc");
    let (status, body) = s.post_toolbox(&id, "/computeruse/process/x11vnc/restart", json!({})).await;
    assert_eq!((status, body["processName"].as_str()), (StatusCode::OK, Some("x11vnc")), "{body}");
    let (code, _) = s.exec(&id, "pkill -x Xvnc").await;
    assert_eq!(code, 0, "Xvnc was not running after its restart");
    // The X server and its clients (openbox, its terminal) come back by themselves.
    let back = eventually(Duration::from_secs(10), || desktop_shows_terminal(&s, &id)).await;
    assert!(back, "the desktop was not started again after Xvnc died");
    let (_, st) = s.get_toolbox(&id, "/computeruse/status").await;
    assert_eq!(st["status"], "active");
    let (status, body) = s.get_toolbox(&id, "/computeruse/process/gnome/status").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // Everything of the desktop runs as the sandbox user.
    let (_, users) = s.exec(&id, "ps -o user= -C Xvnc,openbox,xterm | sort -u").await;
    assert_eq!(users, "daytona\n");

    // Stop: nothing of it is left, and the status says so.
    let (status, body) = s.post_toolbox(&id, "/computeruse/stop", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"]["xvfb"]["running"], false);
    let (_, status) = s.get_toolbox(&id, "/computeruse/status").await;
    assert_eq!(status["status"], "inactive");
    let gone = eventually(Duration::from_secs(5), || async {
        let left = "ps -eo stat=,comm=,args= | awk '$1 !~ /Z/ && ($2 ~ /^(Xvnc|openbox|xterm)$/ || /[w]ebsockify/)'";
        s.exec(&id, &format!("{left} | grep . || echo none")).await.1 == "none\n"
    })
    .await;
    assert!(gone, "desktop processes left: {}", s.exec(&id, "ps -eo pid,stat,args").await.1);
    let (status, body) = s.get_toolbox(&id, "/computeruse/screenshot").await;
    assert_eq!(status, StatusCode::CONFLICT, "a screenshot of a stopped desktop: {body}");
}

#[tokio::test]
async fn a_recording_is_a_playable_mp4_and_cannot_be_deleted_while_it_records() {
    let s = Server::start().await;
    let id = started_desktop(&s).await;
    let (status, rec) = s.post_toolbox(&id, "/computeruse/recordings/start", json!({"label": "demo run"})).await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["status"], "recording");
    let rid = rec["id"].as_str().unwrap().to_owned();
    assert!(rec["fileName"].as_str().unwrap().starts_with("demorun_"), "{rec}");
    s.post_toolbox(&id, "/computeruse/mouse/move", json!({"x": 600, "y": 300})).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, body) = s.delete_toolbox(&id, &format!("/computeruse/recordings/{rid}")).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("RECORDING_STILL_ACTIVE")), "{body}");
    let (status, done) = s.post_toolbox(&id, "/computeruse/recordings/stop", json!({"id": rid})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "completed", "{done}");
    assert!(done["durationSeconds"].as_f64().unwrap() >= 1.0, "{done}");
    let size = done["sizeBytes"].as_u64().unwrap();
    let (_, list) = s.get_toolbox(&id, "/computeruse/recordings").await;
    assert!(list["recordings"].as_array().unwrap().iter().any(|r| r["id"] == rid.as_str()), "{list}");
    // The download is the whole file, an MP4 with its index (ffprobe reads its duration).
    let (bytes, (w, h, duration)) = downloaded_mp4(&s, &id, &rid).await;
    assert_eq!(bytes, size);
    assert_eq!((w, h), (1280, 800));
    assert!((1.0..10.0).contains(&duration), "ffprobe: {duration} s");
    let (status, _) = s.delete_toolbox(&id, &format!("/computeruse/recordings/{rid}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.get_toolbox(&id, &format!("/computeruse/recordings/{rid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Recording `rid` downloaded and read by ffprobe: its size in bytes, and its video's width,
/// height and duration (0 where ffprobe finds none: not a playable MP4).
async fn downloaded_mp4(s: &Server, id: &str, rid: &str) -> (u64, (u64, u64, f64)) {
    let url = s.toolbox(id, &format!("/computeruse/recordings/{rid}/download"));
    let resp = reqwest::Client::new().get(url).bearer_auth(&s.key).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[4..8], b"ftyp", "not an MP4");
    let file = s.data_dir().join(format!("{rid}.mp4"));
    std::fs::write(&file, &bytes).unwrap();
    let probe = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height:format=duration"])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(&file)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&probe.stdout);
    let field = |name: &str| {
        let line = out.lines().find_map(|l| l.strip_prefix(&format!("{name}=")));
        line.and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(0.0)
    };
    (bytes.len() as u64, (field("width") as u64, field("height") as u64, field("duration")))
}

/// A viewer resized the display to odd sides: a recording then has the display's size (made
/// even for H.264), and a resize while it records ends it by itself, its file finalized and
/// playable, listed as completed; a stop after that answers with it.
#[tokio::test]
async fn a_recording_has_the_display_size_and_ends_when_the_display_is_resized() {
    let s = Server::start().await;
    let id = started_desktop(&s).await;
    let mut viewer = common::rfb::Viewer::connect(&s, &id).await;
    assert_eq!(viewer.resize(1001, 641).await, Some((0, (1001, 641))));
    let (status, rec) = s.post_toolbox(&id, "/computeruse/recordings/start", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    let rid = rec["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, rec) = s.get_toolbox(&id, &format!("/computeruse/recordings/{rid}")).await;
    assert_eq!(rec["status"], "recording", "{rec}");
    assert_eq!(viewer.resize(900, 600).await, Some((0, (900, 600))));
    let ended = eventually(Duration::from_secs(10), || async {
        s.get_toolbox(&id, &format!("/computeruse/recordings/{rid}")).await.1["status"] == "completed"
    })
    .await;
    assert!(ended, "the recording did not end with the resize");
    let (status, done) = s.post_toolbox(&id, "/computeruse/recordings/stop", json!({"id": rid})).await;
    assert_eq!((status, done["status"].as_str()), (StatusCode::OK, Some("completed")), "{done}");
    let seconds = done["durationSeconds"].as_f64().unwrap();
    assert!((1.0..5.0).contains(&seconds), "{done}");
    let (bytes, (w, h, duration)) = downloaded_mp4(&s, &id, &rid).await;
    assert_eq!(Some(bytes), done["sizeBytes"].as_u64());
    assert_eq!((w, h), (1000, 640), "the odd display made even");
    assert!((1.0..5.0).contains(&duration), "ffprobe: {duration} s");
    let (status, body) = s.post_toolbox(&id, "/computeruse/recordings/stop", json!({"id": rid})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a second stop: {body}");
}

#[tokio::test]
async fn novnc_is_reached_through_the_preview_proxy() {
    let s = Server::start().await;
    let id = started_desktop(&s).await;
    let (status, preview) = s.get(&format!("/sandbox/{id}/ports/6080/preview-url")).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let (url, token) = (preview["url"].as_str().unwrap(), preview["token"].as_str().unwrap());
    let host = url.trim_start_matches("http://").to_owned();
    // The web client.
    let page = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{}/vnc.html", s.port))
        .header("Host", &host)
        .header("X-Daytona-Preview-Token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("noVNC"));
    // Its WebSocket bridge speaks RFB; a viewer resizes the display to its own size (what
    // noVNC's remote resize sends), and the computer-use routes see the new size.
    let mut viewer = common::rfb::Viewer::connect(&s, &id).await;
    assert_eq!(viewer.size, (1280, 800));
    assert_eq!(viewer.resize(1000, 640).await, Some((0, (1000, 640))), "the resize was refused");
    let (_, info) = s.get_toolbox(&id, "/computeruse/display/info").await;
    assert_eq!(
        (info["displays"][0]["width"].as_u64(), info["displays"][0]["height"].as_u64()),
        (Some(1000), Some(640))
    );
    let (_, shot) = s.get_toolbox(&id, "/computeruse/screenshot").await;
    let (_, w, h, _) = decode(&shot);
    assert_eq!((w, h), (1000, 640));
}

#[tokio::test]
async fn computer_use_refuses_what_it_cannot_do_with_clear_errors() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"networkBlockAll": true})).await);
    // Not started yet.
    let (status, body) = s.get_toolbox(&id, "/computeruse/screenshot").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("CONFLICT")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("POST /computeruse/start"), "{body}");
    let (_, status) = s.get_toolbox(&id, "/computeruse/status").await;
    assert_eq!(status["status"], "inactive");
    // No desktop, no accessibility bus: Daytona's 503.
    let (status, body) = s.get_toolbox(&id, "/computeruse/a11y/tree").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("A11Y_UNAVAILABLE")));
    let (status, body) = s.post_toolbox(&id, "/computeruse/start", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (path, req) in [
        ("/computeruse/keyboard/key", json!({"key": "exec"})),
        ("/computeruse/keyboard/key", json!({"key": "--window"})),
        ("/computeruse/keyboard/hotkey", json!({"keys": "ctrl+type echo"})),
        ("/computeruse/keyboard/key", json!({"key": "a", "modifiers": ["hyper"]})),
        ("/computeruse/mouse/click", json!({"x": 1, "y": 1, "button": "side"})),
        ("/computeruse/mouse/click", json!({"x": -5, "y": 1})),
        ("/computeruse/mouse/scroll", json!({"x": 1, "y": 1, "direction": "sideways"})),
        ("/computeruse/keyboard/type", json!({"text": "x", "delay": 60000})),
    ] {
        let (status, body) = s.post_toolbox(&id, path, req.clone()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("BAD_REQUEST")),
            "{path} {req}: {body}"
        );
        assert_eq!(body["source"], "DAYTONA_DAEMON");
    }
    for q in [
        "screenshot/region?x=1200&y=0&width=200&height=10",
        "screenshot/region?x=0&y=0&width=0&height=10",
        "screenshot/compressed?quality=101",
        "screenshot/compressed?scale=2",
        "screenshot/compressed?format=gif",
    ] {
        let (status, body) = s.get_toolbox(&id, &format!("/computeruse/{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
    }
    // The accessibility routes: a bad scope, filter or node id is the client's; a node of no
    // application is not found.
    for q in ["scope=window", "scope=pid", "scope=pid&pid=-3"] {
        let (status, body) = s.get_toolbox(&id, &format!("/computeruse/a11y/tree?{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
    }
    for req in [json!({"nameMatch": "fuzzy", "name": "x"}), json!({"nameMatch": "regex", "name": "("})] {
        let (status, body) = s.post_toolbox(&id, "/computeruse/a11y/find", req.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{req}: {body}");
    }
    for bad in ["", "nope", ":1.5", "/org/x", ":1.5:/a b"] {
        let (status, body) = s.post_toolbox(&id, "/computeruse/a11y/node/focus", json!({"id": bad})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let gone = json!({"id": ":1.9999:/org/a11y/atspi/accessible/1"});
    let (status, body) = s.post_toolbox(&id, "/computeruse/a11y/node/invoke", gone).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = s.post_toolbox(&id, "/computeruse/recordings/stop", json!({"id": "nope"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // Screenshots racing a stop: each is an image or the desktop's 409, never a 500 (found by
    // the fuzz run: the X connection closed under a screenshot).
    let shots = async {
        // Shots until the stop has landed (one answers 409), within a bound.
        let mut statuses = Vec::new();
        for _ in 0..300 {
            let shot = s.get_toolbox(&id, "/computeruse/screenshot/compressed?format=jpeg").await;
            let landed = shot.0 == StatusCode::CONFLICT;
            statuses.push(shot);
            if landed {
                break;
            }
        }
        statuses
    };
    let stop = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        s.post_toolbox(&id, "/computeruse/stop", json!({})).await
    };
    let (statuses, (stopped, _)) = tokio::join!(shots, stop);
    assert_eq!(stopped, StatusCode::OK);
    for (status, body) in &statuses {
        assert!([StatusCode::OK, StatusCode::CONFLICT].contains(status), "{status}: {body}");
    }
    assert!(statuses.iter().any(|(st, _)| *st == StatusCode::CONFLICT), "the stop did not land among the shots");
    // Starts and stops at once take turns (found by the fuzz run: a stop under a start's wait
    // for the X server made that start fail with 500).
    let (a, b, c) = tokio::join!(
        s.post_toolbox(&id, "/computeruse/start", json!({})),
        s.post_toolbox(&id, "/computeruse/stop", json!({})),
        s.post_toolbox(&id, "/computeruse/start", json!({})),
    );
    for (status, body) in [a, b, c] {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// The accessibility tree of a GTK dialog (yad) started in the sandbox: found in the tree of
/// every scope, its entry filled and its button pressed through AT-SPI, as an agent that reads
/// the screen semantically would, and the dialog's answer is what was typed.
#[tokio::test]
async fn the_accessibility_tree_fills_and_presses_a_dialog() {
    let s = Server::start().await;
    let id = started_desktop(&s).await;
    let (status, _) = s.post_toolbox(&id, "/process/session", json!({"sessionId": "dlg"})).await;
    assert!(status.is_success());
    let dialog = "yad --entry --title=Greeting --text='Your name' --button=Send:0 --button=Cancel:1";
    let (status, cmd) =
        s.post_toolbox(&id, "/process/session/dlg/exec", json!({"command": dialog, "runAsync": true})).await;
    assert!(status.is_success(), "{cmd}");
    let cmd_id = cmd["cmdId"].as_str().unwrap().to_owned();
    let find = |req: Value| {
        let (s, id) = (&s, &id);
        async move {
            let (status, body) = s.post_toolbox(id, "/computeruse/a11y/find", req.clone()).await;
            assert_eq!(status, StatusCode::OK, "{req}: {body}");
            body["matches"].as_array().cloned().unwrap_or_default()
        }
    };
    let shown = eventually(Duration::from_secs(20), || async {
        !find(json!({"scope": "all", "role": "push button", "name": "Send", "nameMatch": "exact"})).await.is_empty()
    })
    .await;
    assert!(shown, "the dialog's button never showed in the accessibility tree");

    // The focused application's tree is the dialog's: its frame, its entry, its buttons.
    let (status, tree) = s.get_toolbox(&id, "/computeruse/a11y/tree").await;
    assert_eq!(status, StatusCode::OK, "{tree}");
    assert_eq!((tree["root"]["role"].as_str(), tree["root"]["name"].as_str()), (Some("application"), Some("yad")));
    assert_eq!(tree["truncated"], false);
    let frame = &tree["root"]["children"][0];
    assert_eq!((frame["role"].as_str(), frame["name"].as_str()), (Some("frame"), Some("Greeting")), "{tree}");
    let text = tree.to_string();
    assert!(text.contains("\"Your name\"") && text.contains("\"Cancel\""), "{tree}");
    // Depth-bounded, by pid, everything.
    let (_, shallow) = s.get_toolbox(&id, "/computeruse/a11y/tree?maxDepth=1").await;
    assert!(shallow["root"]["children"][0]["children"].is_null(), "{shallow}");
    let (_, pid) = s.exec(&id, "pgrep -xo yad").await;
    let (status, by_pid) = s.get_toolbox(&id, &format!("/computeruse/a11y/tree?scope=pid&pid={}", pid.trim())).await;
    assert_eq!((status, by_pid["root"]["name"].as_str()), (StatusCode::OK, Some("yad")), "{by_pid}");
    let (status, all) = s.get_toolbox(&id, "/computeruse/a11y/tree?scope=all&maxDepth=1").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert!(all["root"]["children"].as_array().is_some_and(|apps| apps.iter().any(|a| a["name"] == "yad")), "{all}");

    // The button: where it is on the screen, what it does.
    let send = find(json!({"role": "Push Button", "name": "Send", "nameMatch": "exact", "states": ["showing"]})).await;
    assert_eq!(send.len(), 1, "{send:?}");
    let send = &send[0];
    assert!(send["actions"].as_array().is_some_and(|a| a.iter().any(|a| a == "click")), "{send}");
    let b = &send["bounds"];
    let (x, y, w) = (b["x"].as_i64().unwrap(), b["y"].as_i64().unwrap(), b["width"].as_i64().unwrap());
    assert!(w > 0 && (0..1280).contains(&x) && (0..800).contains(&y), "{send}");
    assert!(send["children"].is_null(), "find results have no children: {send}");

    // The entry: focused, filled, and the button pressed.
    let entry = find(json!({"role": "text", "states": ["editable"]})).await;
    assert_eq!(entry.len(), 1, "{entry:?}");
    let entry_id = entry[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = s.post_toolbox(&id, "/computeruse/a11y/node/focus", json!({"id": entry_id})).await;
    assert_eq!((status, body.clone()), (StatusCode::OK, json!({})), "{body}");
    let focused = eventually(Duration::from_secs(5), || async {
        !find(json!({"role": "text", "states": ["focused"]})).await.is_empty()
    })
    .await;
    assert!(focused, "the entry did not take the focus");
    let (status, body) =
        s.post_toolbox(&id, "/computeruse/a11y/node/value", json!({"id": entry_id, "value": "Ada Lovelace"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let send_id = send["id"].as_str().unwrap().to_owned();
    let (status, body) =
        s.post_toolbox(&id, "/computeruse/a11y/node/invoke", json!({"id": send_id, "action": "fly"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an action the button lacks: {body}");
    let (status, body) =
        s.post_toolbox(&id, "/computeruse/a11y/node/invoke", json!({"id": send_id, "action": "Click"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answered = eventually(Duration::from_secs(10), || async {
        let (_, c) = s.get_toolbox(&id, &format!("/process/session/dlg/command/{cmd_id}")).await;
        c["exitCode"] == 0
    })
    .await;
    assert!(answered, "the dialog did not end with its button");
    let (_, logs) = s.get_toolbox(&id, &format!("/process/session/dlg/command/{cmd_id}/logs")).await;
    assert!(logs.to_string().contains("Ada Lovelace"), "the dialog's answer: {logs}");
    // Its application gone, its nodes are not found.
    let (status, body) = s.post_toolbox(&id, "/computeruse/a11y/node/focus", json!({"id": entry_id})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}
