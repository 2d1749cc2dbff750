//! The Socket.IO event socket: Engine.IO open, CONNECT with the key, then `sandbox.created`
//! and `sandbox.state.updated` as they happen; a wrong key gets CONNECT_ERROR.

mod common;

use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text frame (answering nothing), within 10 s.
async fn text(ws: &mut Socket) -> String {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("the socket open")
            .expect("a frame");
        if let Message::Text(t) = msg {
            return t.to_string();
        }
    }
}

/// Connects and sends CONNECT with `token`; returns the socket and the server's answer.
async fn connect(s: &Server, token: &str) -> (Socket, String) {
    let url = format!("ws://127.0.0.1:{}/api/socket.io/?EIO=4&transport=websocket&source=test", s.port);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("websocket");
    let open = text(&mut ws).await;
    let open: Value = serde_json::from_str(open.strip_prefix('0').expect("Engine.IO OPEN")).unwrap();
    assert!(open["sid"].is_string() && open["pingInterval"].is_number(), "{open}");
    assert_eq!(open["upgrades"], json!([]));
    ws.send(Message::Text(format!("40{}", json!({"token": token})).into())).await.unwrap();
    let answer = text(&mut ws).await;
    (ws, answer)
}

/// The next EVENT packet as `(name, payload)`.
async fn event(ws: &mut Socket) -> (String, Value) {
    let packet = text(ws).await;
    let body: Value =
        serde_json::from_str(packet.strip_prefix("42").unwrap_or_else(|| panic!("not an event: {packet}"))).unwrap();
    (body[0].as_str().unwrap().to_owned(), body[1].clone())
}

#[tokio::test]
async fn state_changes_are_pushed_to_connected_clients() {
    let s = Server::start().await;
    let (mut ws, ack) = connect(&s, &s.key).await;
    assert!(ack.starts_with("40{") && ack.contains("\"sid\""), "{ack}");

    let sb = s.create(json!({"name": "evented"})).await;
    let id = id_of(&sb);
    let (name, created) = event(&mut ws).await;
    assert_eq!(name, "sandbox.created");
    assert_eq!(created["id"], json!(id));
    assert_eq!(created["state"], "creating");
    assert_eq!(created["toolboxProxyUrl"], json!(format!("http://127.0.0.1:{}/toolbox", s.port)));
    let (name, started) = event(&mut ws).await;
    assert_eq!(name, "sandbox.state.updated");
    assert_eq!((&started["oldState"], &started["newState"]), (&json!("creating"), &json!("started")));
    assert_eq!(started["sandbox"]["id"], json!(id));

    let (status, _) = s.post(&format!("/sandbox/{id}/stop"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("stopped") {
        let (name, e) = event(&mut ws).await;
        assert_eq!(name, "sandbox.state.updated");
        seen.push(e["newState"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen, ["stopping", "stopped"]);

    let (status, _) = s.delete(&format!("/sandbox/{id}")).await;
    assert!(status.is_success());
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("destroyed") {
        seen.push(event(&mut ws).await.1["newState"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen, ["destroying", "destroyed"]);
    // A disconnect packet ends the socket: the server closes it.
    ws.send(Message::Text("41".into())).await.unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("closed within 5 s") {
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(Message::Text(t))) => panic!("{t} after the disconnect packet"),
            Some(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn a_wrong_key_gets_connect_error_and_no_events() {
    let s = Server::start().await;
    let (mut ws, answer) = connect(&s, "not-the-key").await;
    assert_eq!(answer, r#"44{"message":"Unauthorized"}"#);
    s.create(json!({})).await;
    // The server closes: no event ever reaches this client.
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("closed within 5 s") {
            Some(Ok(Message::Text(t))) => panic!("got {t} after a refused CONNECT"),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(_)) => {}
        }
    }
}

/// Snapshots and volumes are pushed too (the console's lists follow them): a snapshot's
/// creation, its pull to `active` and its removal; a volume's creation and deletion.
#[tokio::test]
async fn snapshot_and_volume_changes_are_pushed() {
    let registry = Registry::start();
    let s = Server::start().await;
    let (mut ws, _) = connect(&s, &s.key).await;

    let (status, snap) =
        s.post("/snapshots", json!({"name": "pushed", "imageName": registry.image("test/busybox:1.0")})).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let id = snap["id"].as_str().unwrap().to_owned();
    let (name, created) = event(&mut ws).await;
    assert_eq!((name.as_str(), &created["id"], &created["name"]), ("snapshot.created", &json!(id), &json!("pushed")));
    let mut states = vec![created["state"].as_str().unwrap().to_owned()];
    while states.last().map(String::as_str) != Some("active") {
        let (name, e) = tokio::time::timeout(Duration::from_secs(120), event(&mut ws)).await.expect("the pull's end");
        assert_eq!(name, "snapshot.state.updated", "{e}");
        assert_eq!((&e["snapshot"]["id"], &e["oldState"]), (&json!(id), &json!(states.last().unwrap())), "{e}");
        assert_eq!(e["newState"], e["snapshot"]["state"], "{e}");
        states.push(e["newState"].as_str().unwrap().to_owned());
        assert!(states.len() < 8, "{states:?}");
    }
    let (status, _) = s.delete(&format!("/snapshots/{id}")).await;
    assert!(status.is_success());
    let (name, e) = event(&mut ws).await;
    assert_eq!((name.as_str(), &e["newState"]), ("snapshot.state.updated", &json!("removing")), "{e}");
    let (name, e) = event(&mut ws).await;
    assert_eq!((name.as_str(), &e["id"]), ("snapshot.removed", &json!(id)), "{e}");

    let (status, vol) = s.post("/volumes", json!({"name": "pushed-volume"})).await;
    assert_eq!(status, StatusCode::OK, "{vol}");
    let (name, e) = event(&mut ws).await;
    assert_eq!((name.as_str(), &e["id"], &e["state"]), ("volume.created", &vol["id"], &json!("ready")), "{e}");
    let (status, _) = s.delete(&format!("/volumes/{}", vol["id"].as_str().unwrap())).await;
    assert!(status.is_success());
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("deleted") {
        let (name, e) = event(&mut ws).await;
        assert_eq!((name.as_str(), &e["volume"]["id"]), ("volume.state.updated", &vol["id"]), "{e}");
        seen.push(e["newState"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen, ["deleting", "deleted"]);
}
