//! PTY sessions through the proxy: REST management, the WebSocket framing the official SDKs
//! expect, scrollback replay with offsets, and flow control between a fast and a slow client.

mod common;

use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

/// Reads until the connected control frame; returns its JSON.
async fn connected(ws: &mut Ws) -> serde_json::Value {
    match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str(&t).unwrap(),
        other => panic!("expected the connected control frame, got {other:?}"),
    }
}

/// Reads binary output until `needle` appears (or the socket ends); returns all bytes.
async fn read_until(ws: &mut Ws, needle: &[u8]) -> Vec<u8> {
    let mut got: Vec<u8> = Vec::new();
    loop {
        // Only the new bytes (and a needle's length before them) can complete a match.
        let from = got.len().saturating_sub(needle.len());
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await {
            Ok(Some(Ok(Message::Binary(b)))) => got.extend_from_slice(&b),
            Ok(Some(Ok(Message::Close(f)))) => panic!("closed before {:?}: {f:?}", String::from_utf8_lossy(needle)),
            Ok(Some(Ok(_))) => continue,
            other => panic!("stream ended before {:?}: {other:?}", String::from_utf8_lossy(needle)),
        }
        if got[from..].windows(needle.len()).any(|w| w == needle) {
            return got;
        }
    }
}

#[tokio::test]
async fn framing_replay_offsets_and_exit() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (status, body) = s.post_toolbox(&id, "/process/pty", json!({"id": "t1", "cols": 90, "rows": 20})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body, json!({"sessionId": "t1"}));
    let (status, _) = s.post_toolbox(&id, "/process/pty", json!({"id": "t1"})).await;
    assert_eq!(status, 409);

    let mut a = s.ws(&id, "/process/pty/t1/connect", "X-Daytona-Pty-Exit-Control").await;
    let hello = connected(&mut a).await;
    assert_eq!((hello["type"].as_str(), hello["status"].as_str()), (Some("control"), Some("connected")));
    a.send(Message::Binary(b"echo first-$((2+3))\n".to_vec().into())).await.unwrap();
    let seen = read_until(&mut a, b"first-5").await;

    // A second client replays the scrollback from the start, or from the offset it names.
    let mut b = s.ws(&id, "/process/pty/t1/connect", "X-Daytona-SDK-Version~0.218.0, X-Daytona-Pty-Exit-Control").await;
    let hello = connected(&mut b).await;
    assert_eq!(hello["offset"], json!(0));
    read_until(&mut b, b"first-5").await;
    let offset = seen.len();
    let mut c = s.ws(&id, &format!("/process/pty/t1/connect?offset={offset}"), "X-Daytona-Pty-Exit-Control").await;
    assert_eq!(connected(&mut c).await["offset"], json!(offset));
    a.send(Message::Text("echo second\n".into())).await.unwrap();
    let resumed = read_until(&mut c, b"second\r\n").await;
    assert!(!resumed.windows(7).any(|w| w == b"first-5"), "resume skips what the client had");

    let (status, info) = s.post_toolbox(&id, "/process/pty/t1/resize", json!({"cols": 0, "rows": 5})).await;
    assert_eq!(status, 400, "{info}");
    a.send(Message::Binary(b"exit 7\n".to_vec().into())).await.unwrap();
    let mut exited = None;
    while let Some(Ok(msg)) =
        tokio::time::timeout(Duration::from_secs(20), a.next()).await.expect("the exit within 20 s")
    {
        match msg {
            Message::Text(t) if t.contains("exited") => {
                exited = Some(serde_json::from_str::<serde_json::Value>(&t).unwrap())
            }
            Message::Close(frame) => {
                let frame = frame.expect("close frame");
                assert_eq!(u16::from(frame.code), 1011);
                assert!(frame.reason.contains("\"exitCode\":7"), "{}", frame.reason);
                break;
            }
            _ => {}
        }
    }
    assert_eq!(exited.expect("exited control")["exitCode"], json!(7));
    let (status, _) = s.get_toolbox(&id, "/process/pty/t1").await;
    assert_eq!(status, 404, "an exited PTY is cleaned up");
}

#[tokio::test]
async fn a_slow_client_is_cut_while_a_fast_one_gets_everything() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (status, _) = s.post_toolbox(&id, "/process/pty", json!({"id": "flow"})).await;
    assert_eq!(status, 201);
    let mut fast = s.ws(&id, "/process/pty/flow/connect", "X-Daytona-Pty-Exit-Control").await;
    connected(&mut fast).await;
    let mut slow = s.ws(&id, "/process/pty/flow/connect", "X-Daytona-Pty-Exit-Control").await;
    connected(&mut slow).await;
    // 64 MiB of output; the slow client reads nothing meanwhile.
    fast.send(Message::Binary(b"head -c 67108864 /dev/zero | tr '\\0' 'x'; echo; echo END-''MARK\n".to_vec().into()))
        .await
        .unwrap();
    let got = read_until(&mut fast, b"END-MARK").await;
    assert!(got.iter().filter(|&&b| b == b'x').count() >= 64 << 20, "the fast client got every byte");
    let mut close = None;
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(10), slow.next()).await {
        if let Ok(Message::Close(frame)) = msg {
            close = frame.map(|f| (u16::from(f.code), f.reason.to_string()));
            break;
        }
    }
    assert_eq!(close, Some((1008, "slow consumer".to_owned())));
}
