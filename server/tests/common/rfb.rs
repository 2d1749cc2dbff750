//! A VNC viewer in a few lines: RFB 3.8 over the noVNC WebSocket bridge of a sandbox's
//! desktop (port 6080 through the preview proxy), enough to connect as noVNC does and to
//! resize the display as noVNC's remote resize does (SetDesktopSize).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use super::Server;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// ExtendedDesktopSize, the pseudo-encoding that carries desktop sizes and resize answers.
const EXTENDED_DESKTOP_SIZE: i32 = -308;

/// A connected viewer.
pub struct Viewer {
    ws: Ws,
    buf: Vec<u8>,
    /// The desktop's size when the viewer connected.
    pub size: (u16, u16),
    screen_id: u32,
}

/// One ExtendedDesktopSize rectangle: why it was sent (0 a change, 1 this viewer's request),
/// its status (0 done), the size, and the first screen's id.
struct DesktopSize {
    reason: u16,
    status: u16,
    size: (u16, u16),
    screen_id: u32,
}

impl Viewer {
    /// Connects to sandbox `id`'s desktop through its preview link of port 6080.
    pub async fn connect(s: &Server, id: &str) -> Self {
        let (status, preview) = s.get(&format!("/sandbox/{id}/ports/6080/preview-url")).await;
        assert_eq!(status, 200, "{preview}");
        let (url, token) = (preview["url"].as_str().unwrap(), preview["token"].as_str().unwrap());
        let mut req = format!("ws://127.0.0.1:{}/websockify?DAYTONA_SANDBOX_AUTH_KEY={token}", s.port)
            .into_client_request()
            .unwrap();
        req.headers_mut().insert("Host", url.trim_start_matches("http://").parse().unwrap());
        req.headers_mut().insert("Sec-WebSocket-Protocol", "binary".parse().unwrap());
        // websockify (Python) listens a moment after the desktop's start answered.
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        let ws = loop {
            match tokio_tungstenite::connect_async(req.clone()).await {
                Ok((ws, _)) => break ws,
                Err(e) if std::time::Instant::now() > deadline => panic!("no upgrade through the preview: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        let mut v = Viewer { ws, buf: Vec::new(), size: (0, 0), screen_id: 0 };
        assert!(v.read(12).await.starts_with(b"RFB 003.008"), "no RFB 3.8 greeting");
        v.send(b"RFB 003.008\n").await;
        let types = v.read(1).await[0] as usize;
        assert!(v.read(types).await.contains(&1), "no security type None");
        v.send(&[1]).await;
        assert_eq!(v.read(4).await, [0; 4], "security refused");
        v.send(&[1]).await; // shared
        let init = v.read(24).await;
        v.size = (u16::from_be_bytes([init[0], init[1]]), u16::from_be_bytes([init[2], init[3]]));
        let name_len = u32::from_be_bytes(init[20..24].try_into().unwrap()) as usize;
        v.read(name_len).await;
        // SetEncodings: ExtendedDesktopSize only (pixels come Raw), then a full update, which
        // starts with the desktop's layout.
        v.send(&[&[2u8, 0, 0, 1][..], &EXTENDED_DESKTOP_SIZE.to_be_bytes()].concat()).await;
        v.request_update(false).await;
        v.screen_id = loop {
            if let Some(d) = v.update().await.expect("the connection open").first() {
                break d.screen_id;
            }
        };
        v
    }

    /// Asks for the desktop to be `width`×`height` (one screen), as noVNC's remote resize
    /// does; returns the server's answer: its status (0 done) and the size then, or none if
    /// the connection ended first.
    pub async fn resize(&mut self, width: u16, height: u16) -> Option<(u16, (u16, u16))> {
        let size = [width.to_be_bytes(), height.to_be_bytes()].concat();
        let screen = [&self.screen_id.to_be_bytes()[..], &[0; 4], &size, &[0; 4]].concat();
        self.send(&[&[251u8, 0][..], &size, &[1, 0], &screen].concat()).await;
        // The answer comes in an update: ask for one.
        self.request_update(true).await;
        loop {
            if let Some(d) = self.update().await?.into_iter().find(|d| d.reason == 1) {
                return Some((d.status, d.size));
            }
            self.request_update(true).await;
        }
    }

    async fn request_update(&mut self, incremental: bool) {
        let (w, h) = (self.size.0.to_be_bytes(), self.size.1.to_be_bytes());
        self.send(&[3, incremental as u8, 0, 0, 0, 0, w[0], w[1], h[0], h[1]]).await;
    }

    async fn read(&mut self, n: usize) -> Vec<u8> {
        self.try_read(n).await.expect("the bridge ended the connection")
    }

    /// `n` bytes, or none if the connection ended first.
    async fn try_read(&mut self, n: usize) -> Option<Vec<u8>> {
        while self.buf.len() < n {
            let frame = tokio::time::timeout(Duration::from_secs(20), self.ws.next()).await.expect("RFB bytes in time");
            match frame {
                Some(Ok(Message::Binary(b))) => self.buf.extend_from_slice(&b),
                Some(Ok(Message::Close(_)) | Err(_)) | None => return None,
                Some(Ok(_)) => {}
            }
        }
        Some(self.buf.drain(..n).collect())
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.ws.send(Message::binary(bytes.to_vec())).await.unwrap();
    }

    /// Reads server messages up to the next framebuffer update and returns its desktop sizes
    /// (pixels, Raw, are skipped; a bell is ignored); none if the connection ended.
    async fn update(&mut self) -> Option<Vec<DesktopSize>> {
        loop {
            match self.try_read(1).await?[0] {
                0 => break,
                2 => continue, // bell
                other => panic!("a server message not expected: {other}"),
            }
        }
        let head = self.try_read(3).await?;
        let mut sizes = Vec::new();
        for _ in 0..u16::from_be_bytes([head[1], head[2]]) {
            let r = self.try_read(12).await?;
            let be = |i: usize| u16::from_be_bytes([r[i], r[i + 1]]);
            match i32::from_be_bytes(r[8..12].try_into().unwrap()) {
                EXTENDED_DESKTOP_SIZE => {
                    let screens = self.try_read(4).await?[0] as usize;
                    let layout = self.try_read(16 * screens).await?;
                    let screen_id = u32::from_be_bytes(layout[0..4].try_into().unwrap());
                    let size = (be(4), be(6));
                    self.size = size;
                    sizes.push(DesktopSize { reason: be(0), status: be(2), size, screen_id });
                }
                0 => drop(self.try_read(be(4) as usize * be(6) as usize * 4).await?),
                other => panic!("an encoding not asked for: {other}"),
            }
        }
        Some(sizes)
    }
}
