//! The demo's in-process handler: `/handlertest` echoes the request back, `/chat/` is a
//! long-poll chat room.
//!
//! It is an ordinary handler built on `nagrel-handler`, talking to the server over
//! `inproc://` ZeroMQ sockets instead of TCP; nothing in it knows it shares a process
//! with the server.
//!
//! The chat keeps the last [`HISTORY`] messages. `GET /chat/poll?since=N` answers at once
//! with the messages numbered N and later, or, when there are none, is held until someone
//! posts (then every held poll gets the new message in one multi-id reply) or until
//! [`POLL_HOLD`] passes (then it gets an empty list, and the browser polls again).
//! `POST /chat/send` adds its body (at most [`MAX_MESSAGE`] bytes) as a message.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use nagrel_handler::{
    describe_request, http_response, Connection, HandlerConfig, RecvError, Replies, Request,
    RequestKind,
};
use tokio::time::Instant;

/// Messages kept for late pollers.
pub const HISTORY: usize = 100;
/// Longest chat message, in bytes.
pub const MAX_MESSAGE: usize = 500;
/// How long a poll is held without news (below the server's request deadline).
pub const POLL_HOLD: Duration = Duration::from_secs(20);

/// A poll waiting for news.
struct Waiting {
    sender: Bytes,
    conn_id: u64,
    since: Instant,
}

/// The chat room.
#[derive(Default)]
struct Chat {
    /// `(number, text)`, oldest first.
    messages: VecDeque<(u64, String)>,
    next: u64,
    waiting: Vec<Waiting>,
}

impl Chat {
    /// The poll answer for messages numbered `since` and later.
    fn page(&self, since: u64) -> Bytes {
        let messages: Vec<serde_json::Value> = self
            .messages
            .iter()
            .filter(|(n, _)| *n >= since)
            .map(|(n, text)| serde_json::json!({ "id": n, "text": text }))
            .collect();
        json_response(&serde_json::json!({ "next": self.next, "messages": messages }))
    }
}

fn json_response(value: &serde_json::Value) -> Bytes {
    http_response(
        200,
        &[
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
        ],
        value.to_string(),
    )
}

/// Connects to `send_spec`/`recv_spec` through `ctx` and serves requests until the
/// server's sockets go away.
///
/// # Errors
///
/// Connecting the sockets failed.
pub async fn run(
    ctx: &nagrel_handler::zmq::Context,
    send_spec: &str,
    recv_spec: &str,
) -> std::io::Result<()> {
    let mut conn = Connection::connect(ctx, &HandlerConfig::new(send_spec, recv_spec))?;
    let replies = conn.replies();
    let mut chat = Chat::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let req = tokio::select! {
            req = conn.recv() => req,
            _ = tick.tick() => {
                expire(&mut chat, &replies).await;
                continue;
            }
        };
        match req {
            None => return Ok(()),
            Some(Err(RecvError::Malformed(e))) => {
                tracing::warn!(error = %e, "demo handler: malformed request skipped");
            }
            Some(Err(e)) => {
                tracing::warn!(error = %e, "demo handler stopped");
                return Ok(());
            }
            Some(Ok(req)) => serve(&mut chat, &replies, req).await,
        }
    }
}

/// Answers one request.
async fn serve(chat: &mut Chat, replies: &Replies, req: Request) {
    match req.kind() {
        RequestKind::Disconnect => {
            chat.waiting
                .retain(|w| !(w.conn_id == req.conn_id && w.sender == req.sender));
            return;
        }
        RequestKind::Http => {}
        _ => return, // upload notices, WebSocket frames: not part of the demo
    }
    let path = &req.path[..];
    let method = req.method().map(|m| &m[..]).unwrap_or_default();
    let response = if path.starts_with(b"/handlertest") {
        http_response(
            200,
            &[("Content-Type", "text/plain; charset=utf-8")],
            describe_request(&req),
        )
    } else if path == b"/chat/poll" && method == b"GET" {
        let since = query_number(&req, "since").unwrap_or(0);
        if since < chat.next {
            chat.page(since)
        } else {
            chat.waiting.push(Waiting {
                sender: req.sender.clone(),
                conn_id: req.conn_id,
                since: Instant::now(),
            });
            return;
        }
    } else if path == b"/chat/send" && method == b"POST" {
        if req.body.is_empty() || req.body.len() > MAX_MESSAGE {
            http_response(
                400,
                &[("Content-Type", "text/plain")],
                "message must be 1-500 bytes\n",
            )
        } else {
            let text = String::from_utf8_lossy(&req.body).into_owned();
            post(chat, replies, text).await;
            http_response(204, &[], Bytes::new())
        }
    } else {
        http_response(
            404,
            &[("Content-Type", "text/plain")],
            "no such chat endpoint\n",
        )
    };
    if let Err(e) = replies.reply(&req, response).await {
        tracing::debug!(conn = req.conn_id, error = %e, "demo reply not sent");
    }
}

/// Adds a message and hands it to every held poll: one reply message per sender, listing
/// all its connection ids.
async fn post(chat: &mut Chat, replies: &Replies, text: String) {
    let number = chat.next;
    chat.next += 1;
    chat.messages.push_back((number, text));
    while chat.messages.len() > HISTORY {
        chat.messages.pop_front();
    }
    let page = chat.page(number);
    let waiting = std::mem::take(&mut chat.waiting);
    let mut senders: Vec<(Bytes, Vec<u64>)> = Vec::new();
    for w in waiting {
        match senders.iter_mut().find(|(s, _)| *s == w.sender) {
            Some((_, ids)) => ids.push(w.conn_id),
            None => senders.push((w.sender, vec![w.conn_id])),
        }
    }
    for (sender, ids) in senders {
        if let Err(e) = replies.deliver(sender, &ids, page.clone()).await {
            tracing::debug!(error = %e, "chat delivery failed");
        }
    }
}

/// Answers polls held longer than [`POLL_HOLD`] with an empty list.
async fn expire(chat: &mut Chat, replies: &Replies) {
    let now = Instant::now();
    let (expired, kept): (Vec<Waiting>, Vec<Waiting>) = std::mem::take(&mut chat.waiting)
        .into_iter()
        .partition(|w| now.duration_since(w.since) >= POLL_HOLD);
    chat.waiting = kept;
    let empty = json_response(&serde_json::json!({ "next": chat.next, "messages": [] }));
    for w in expired {
        let _ = replies.deliver(w.sender, &[w.conn_id], empty.clone()).await;
    }
}

/// The number in query parameter `name`, if present and valid.
fn query_number(req: &Request, name: &str) -> Option<u64> {
    let query = req.headers.get(b"QUERY")?;
    std::str::from_utf8(query)
        .ok()?
        .split('&')
        .find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.parse().ok()).flatten()
        })
}
