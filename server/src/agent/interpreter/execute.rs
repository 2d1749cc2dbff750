//! `GET /process/interpreter/execute` (WebSocket): the first text frame is the request;
//! output streams back as frames while the code runs; close 1000 when it ends, 4008 after
//! its timeout (the code gets KeyboardInterrupt and the context keeps its state), 1002/1008/
//! 1011 for the early failures Daytona's daemon reports. With `keepOpen` (daytona-local) the
//! socket stays open after the `control` frame for the next request, saving a handshake per run.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use daytona_models::{
    InterpreterClientFrame, InterpreterExecuteRequest, InterpreterFrame, INTERPRETER_DEFAULT_TIMEOUT_SECS,
    INTERPRETER_TIMEOUT_CLOSE_CODE,
};
use tokio::time::Instant;

use super::kernel::{Item, Message, Stream};
use super::Context;
use crate::agent::process::check_env_names;
use crate::agent::{closing, subprotocol, Agent};

/// How long a client has to send its request.
const REQUEST_WITHIN: Duration = Duration::from_secs(30);
/// How long a socket kept open (`keepOpen`) waits for its next request.
const KEEP_OPEN_IDLE: Duration = Duration::from_secs(300);
/// How long interrupted code has to stop before its process is killed and replaced.
const INTERRUPT_GRACE: Duration = Duration::from_secs(3);

/// Handler of the execute WebSocket.
pub async fn execute(State(agent): State<Arc<Agent>>, mut ws: WebSocketUpgrade) -> Response {
    subprotocol::select(&mut ws);
    ws.on_upgrade(move |socket| serve(agent, socket))
}

async fn send(socket: &mut WebSocket, frame: &InterpreterFrame) -> bool {
    match serde_json::to_string(frame) {
        Ok(text) => socket.send(WsMessage::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

async fn serve(agent: Arc<Agent>, mut socket: WebSocket) {
    let mut first = true;
    loop {
        let request = match read_request(&mut socket, first).await {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err((code, reason)) => {
                closing::close(&mut socket, code, &reason).await;
                return;
            }
        };
        let keep_open = request.keep_open == Some(true);
        let context = match &request.context_id {
            Some(id) => match agent.interpreter.get(id) {
                Ok(c) => c,
                Err(_) => {
                    closing::close(&mut socket, 1008, &format!("context not found: {id}")).await;
                    return;
                }
            },
            None => agent.interpreter.default_context(),
        };
        let (code, reason) = run(&agent, &context, request, &mut socket).await;
        if code != 1000 || !keep_open {
            closing::close(&mut socket, code, &reason).await;
            return;
        }
        first = false;
    }
}

/// The next request on the socket, or the close code and reason to answer with. After the
/// first (on a socket kept open), `None` when the client has gone, and late `input` or
/// `interrupt` frames of the run before are skipped.
async fn read_request(socket: &mut WebSocket, first: bool) -> Result<Option<InterpreterExecuteRequest>, (u16, String)> {
    let wait = if first { REQUEST_WITHIN } else { KEEP_OPEN_IDLE };
    let text = loop {
        match tokio::time::timeout(wait, socket.recv()).await {
            Ok(Some(Ok(WsMessage::Text(t)))) => {
                if !first && serde_json::from_str::<InterpreterClientFrame>(&t).is_ok_and(|f| f.kind != "execute") {
                    continue;
                }
                break t.to_string();
            }
            Ok(Some(Ok(WsMessage::Binary(b)))) => break String::from_utf8_lossy(&b).into_owned(),
            Ok(Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_)))) => continue,
            Err(_) if !first => return Err((1000, "idle".into())),
            _ if !first => return Ok(None),
            _ => return Err((1002, "failed to read first message".into())),
        }
    };
    let request: InterpreterExecuteRequest =
        serde_json::from_str(&text).map_err(|_| (1002, "invalid JSON payload".to_owned()))?;
    if request.code.is_empty() {
        return Err((1008, "code is required".into()));
    }
    if request.timeout.is_some_and(|t| t < 0) {
        return Err((1008, "timeout must not be negative".into()));
    }
    if let Some(envs) = &request.envs {
        check_env_names(envs).map_err(|e| (1008, e.to_string()))?;
    }
    Ok(Some(request))
}

/// Why an execution is being interrupted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Interrupted {
    No,
    ByClient,
    ByTimeout,
}

/// Runs the request on the context (after the executions queued before it); returns the
/// close code and reason.
async fn run(
    agent: &Agent,
    context: &Context,
    request: InterpreterExecuteRequest,
    socket: &mut WebSocket,
) -> (u16, String) {
    let mut slot = context.kernel.lock().await;
    if context.deleted.load(Ordering::Relaxed) {
        return (1008, "context is not active".into());
    }
    if let Err(e) = context.ensure_started(&agent.interpreter.dir, &mut slot).await {
        tracing::warn!(error = %e, "interpreter start");
        return (1011, e);
    }
    let kernel = slot.as_mut().expect("started");
    let rich = request.rich_outputs.unwrap_or(false);
    // A kept-open socket's runs end with `control` while it stays usable; a timeout closes it
    // (4008) with no `control` first, so its client cannot take the interrupted run for its end.
    let keep_open = request.keep_open == Some(true);
    let command = serde_json::json!({
        "type": "execute",
        "code": request.code,
        "envs": request.envs.unwrap_or_default(),
        "rich": rich,
    });
    if let Err(e) = kernel.send(&command).await {
        *slot = None;
        return (1011, e);
    }
    context.busy.store(true, Ordering::Relaxed);
    let mut deadline = run_limit(request.timeout).map(|limit| Instant::now() + limit);
    let mut interrupted = Interrupted::No;
    let mut client_open = true;
    // An `input()` waiting for the client's answer: with the client gone, it gets end of file.
    let mut asking = false;
    let mut order = Order::after(kernel.last_seq);
    let outcome = loop {
        if asking && !client_open {
            asking = false;
            let _ = kernel.send(&serde_json::json!({ "type": "input_reply", "eof": true })).await;
        }
        tokio::select! {
            item = kernel.items.recv() => {
                let Some(item) = item else { break None };
                let (frames, end) = order.take(item);
                for frame in frames {
                    asking |= frame.kind == "input";
                    if client_open && !send(socket, &frame).await {
                        client_open = false;
                    }
                }
                match end {
                    Some(End::Done { status, count, seq }) => {
                        kernel.last_seq = seq;
                        context.count.store(count, Ordering::Relaxed);
                        break Some((status, count));
                    }
                    Some(End::Exited) => break None,
                    None => {}
                }
            }
            incoming = socket.recv(), if client_open => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    let Ok(frame) = serde_json::from_str::<InterpreterClientFrame>(&text) else { continue };
                    match frame.kind.as_str() {
                        "input" if rich => {
                            asking = false;
                            let reply = serde_json::json!({ "type": "input_reply", "value": frame.value.unwrap_or_default() });
                            let _ = kernel.send(&reply).await;
                        }
                        "interrupt" => {
                            interrupted = Interrupted::ByClient;
                            context.interrupt();
                        }
                        _ => {}
                    }
                }
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => {
                    // The client left: as in Daytona's daemon, its run goes on to its end or its
                    // timeout (the context's interrupt, restart or delete end it sooner), its
                    // output going nowhere; the next run's client gets only its own.
                    client_open = false;
                }
                Some(Ok(_)) => {}
            },
            _ = sleep_until(deadline) => {
                if interrupted == Interrupted::ByTimeout {
                    // It did not stop: the process goes; the next execution gets a fresh one.
                    break None;
                }
                interrupted = Interrupted::ByTimeout;
                context.interrupt();
                deadline = Some(Instant::now() + INTERRUPT_GRACE);
            }
        }
    };
    context.busy.store(false, Ordering::Relaxed);
    let Some((status, count)) = outcome else {
        // The process died, was killed (delete, restart) or did not stop when interrupted.
        let why = if context.deleted.load(Ordering::Relaxed) {
            ("ContextDeleted", "the context was deleted while the code ran".to_owned())
        } else if context.restarting.load(Ordering::Relaxed) {
            ("ContextRestarted", "the context was restarted: its state is gone".to_owned())
        } else if interrupted == Interrupted::ByTimeout {
            ("TimeoutError", "the code did not stop when interrupted: the context restarted, its state is gone".into())
        } else {
            let status = kernel.exit_status().await.unwrap_or_else(|| "killed".into());
            (
                "KernelDied",
                format!("the interpreter process ended ({status}): the context restarted, its state is gone"),
            )
        };
        *slot = None;
        context.pgid.store(0, Ordering::Relaxed);
        context.count.store(0, Ordering::Relaxed);
        if client_open {
            let frame =
                InterpreterFrame { kind: "error".into(), name: why.0.into(), value: why.1, ..Default::default() };
            send(socket, &frame).await;
        }
        return match interrupted {
            Interrupted::ByTimeout => (INTERPRETER_TIMEOUT_CLOSE_CODE, "execution timed out".into()),
            _ => {
                if client_open {
                    send(socket, &control("completed", None)).await;
                }
                (1000, String::new())
            }
        };
    };
    let (state, code, reason) = match interrupted {
        Interrupted::ByTimeout => ("interrupted", INTERPRETER_TIMEOUT_CLOSE_CODE, "execution timed out"),
        _ if status == "interrupted" => ("interrupted", 1000, ""),
        _ => ("completed", 1000, ""),
    };
    if client_open && !(keep_open && code == INTERPRETER_TIMEOUT_CLOSE_CODE) {
        send(socket, &control(state, Some(count))).await;
    }
    (code, reason.into())
}

fn control(text: &str, count: Option<u64>) -> InterpreterFrame {
    InterpreterFrame { execution_count: count, ..InterpreterFrame::text("control", text) }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Puts frames in the order the kernel produced them: an event goes out once both streams
/// have shown its mark, and text a stream wrote after a mark waits for that mark's event.
/// The kernel numbers its events (and the end of each execution) one by one.
struct Order {
    held: [VecDeque<Held>; 2],
    passed: [u64; 2],
    emitted: u64,
    events: BTreeMap<u64, Message>,
    /// The sequence number of the run's `done`, once it came: events before it that never
    /// came are skipped rather than waited for.
    done: Option<u64>,
}

enum Held {
    Text(String),
    Mark(u64),
}

/// How a run ended, when an item ends it.
enum End {
    /// The kernel's `done`: its status, the execution count, its sequence number.
    Done { status: String, count: u64, seq: u64 },
    /// The kernel's socket closed.
    Exited,
}

impl Order {
    /// Order for a kernel whose last event was `seq`.
    fn after(seq: u64) -> Self {
        Self { held: Default::default(), passed: [seq; 2], emitted: seq, events: BTreeMap::new(), done: None }
    }

    /// Takes one item: the frames it lets out, in order, and the end of the run if it came.
    fn take(&mut self, item: Item) -> (Vec<InterpreterFrame>, Option<End>) {
        match item {
            Item::Text(stream, text) => self.held[stream as usize].push_back(Held::Text(text)),
            Item::Mark(stream, seq) => self.held[stream as usize].push_back(Held::Mark(seq)),
            Item::Message(message) => match *message {
                Message::Event { seq, .. } | Message::Done { seq, .. } => {
                    if matches!(*message, Message::Done { .. }) {
                        self.done = Some(seq);
                    }
                    self.events.insert(seq, *message);
                }
                Message::Ready => {}
            },
            Item::Exited => return (Vec::new(), Some(End::Exited)),
        }
        let mut frames: Vec<InterpreterFrame> = Vec::new();
        loop {
            let mut progress = false;
            for stream in [Stream::Stdout, Stream::Stderr] {
                let s = stream as usize;
                while let Some(front) = self.held[s].front() {
                    match front {
                        Held::Text(_) if self.passed[s] > self.emitted => break,
                        Held::Text(_) => {
                            if let Some(Held::Text(text)) = self.held[s].pop_front() {
                                match frames.last_mut() {
                                    Some(last) if last.kind == stream.kind() => last.text.push_str(&text),
                                    _ => frames.push(InterpreterFrame::text(stream.kind(), text)),
                                }
                            }
                        }
                        Held::Mark(seq) => {
                            self.passed[s] = self.passed[s].max(*seq);
                            self.held[s].pop_front();
                        }
                    }
                    progress = true;
                }
            }
            let next = self.emitted + 1;
            if self.passed.iter().all(|&p| p >= next) {
                if !self.events.contains_key(&next) && self.done.is_some_and(|done| done > next) {
                    // Its message never came (the kernel sends them in order, `done` last).
                    self.emitted = next;
                    progress = true;
                } else if let Some(message) = self.events.remove(&next) {
                    self.emitted = next;
                    progress = true;
                    match message {
                        Message::Event { frame, .. } => frames.push(frame),
                        Message::Done { status, count, seq } => {
                            return (frames, Some(End::Done { status, count, seq }));
                        }
                        Message::Ready => {}
                    }
                }
            }
            if !progress {
                return (frames, None);
            }
        }
    }
}

/// How long a run may take: `timeout` seconds as the request says (checked not negative),
/// 10 minutes without one, no limit for 0.
fn run_limit(timeout: Option<i64>) -> Option<Duration> {
    let seconds = timeout.map_or(INTERPRETER_DEFAULT_TIMEOUT_SECS, |t| t.max(0) as u64);
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_without_a_timeout_may_take_ten_minutes_and_zero_means_no_limit() {
        assert_eq!(run_limit(None), Some(Duration::from_secs(600)));
        assert_eq!(run_limit(Some(0)), None);
        assert_eq!(run_limit(Some(5)), Some(Duration::from_secs(5)));
    }

    fn event(seq: u64, text: &str) -> Item {
        Item::Message(Box::new(Message::Event { seq, frame: InterpreterFrame::text("display", text) }))
    }

    fn kinds((frames, end): (Vec<InterpreterFrame>, Option<End>)) -> Vec<String> {
        let mut out: Vec<String> = frames.into_iter().map(|f| format!("{}:{}", f.kind, f.text)).collect();
        match end {
            Some(End::Done { status, .. }) => out.push(format!("done:{status}")),
            Some(End::Exited) => out.push("exited".into()),
            None => {}
        }
        out
    }

    #[test]
    fn an_event_waits_for_the_output_written_before_it_and_holds_what_came_after() {
        let mut order = Order::after(10);
        assert!(kinds(order.take(event(11, "figure"))).is_empty(), "no stream has reached mark 11 yet");
        assert_eq!(kinds(order.take(Item::Text(Stream::Stdout, "before".into()))), ["stdout:before"]);
        assert!(kinds(order.take(Item::Mark(Stream::Stdout, 11))).is_empty(), "stderr has not reached it");
        assert!(
            kinds(order.take(Item::Text(Stream::Stdout, "after".into()))).is_empty(),
            "text written after the mark waits for the event"
        );
        assert_eq!(kinds(order.take(Item::Mark(Stream::Stderr, 11))), ["display:figure", "stdout:after"]);
        order.take(Item::Message(Box::new(Message::Done { seq: 12, status: "ok".into(), count: 1 })));
        order.take(Item::Mark(Stream::Stderr, 12));
        assert_eq!(kinds(order.take(Item::Mark(Stream::Stdout, 12))), ["done:ok"]);
    }

    #[test]
    fn an_event_whose_message_is_late_holds_the_text_after_its_mark() {
        let mut order = Order::after(0);
        order.take(Item::Mark(Stream::Stdout, 1));
        order.take(Item::Mark(Stream::Stderr, 1));
        assert!(kinds(order.take(Item::Text(Stream::Stdout, "late".into()))).is_empty());
        assert_eq!(kinds(order.take(event(1, "shown"))), ["display:shown", "stdout:late"]);
    }

    #[test]
    fn an_event_that_never_came_does_not_hold_the_end_of_the_run() {
        let mut order = Order::after(0);
        for stream in [Stream::Stdout, Stream::Stderr] {
            order.take(Item::Mark(stream, 1));
        }
        order.take(Item::Text(Stream::Stdout, "after the lost one".into()));
        order.take(Item::Mark(Stream::Stdout, 2));
        order.take(Item::Mark(Stream::Stderr, 2));
        let end = order.take(Item::Message(Box::new(Message::Done { seq: 2, status: "interrupted".into(), count: 1 })));
        assert_eq!(kinds(end), ["stdout:after the lost one", "done:interrupted"]);
    }

    #[test]
    fn text_of_one_stream_in_one_step_is_one_frame() {
        let mut order = Order::after(0);
        order.take(Item::Mark(Stream::Stdout, 1));
        order.take(Item::Text(Stream::Stdout, "a".into()));
        order.take(Item::Text(Stream::Stdout, "b\n".into()));
        order.take(Item::Mark(Stream::Stderr, 1));
        assert_eq!(kinds(order.take(event(1, "x"))), ["display:x", "stdout:ab\n"]);
    }
}
