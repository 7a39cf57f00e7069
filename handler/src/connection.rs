//! The handler side of the Mongrel2 protocol: a program connects to a Mongrel2-style server
//! (Mongrel2 itself, or nagrel), receives typed requests and answers them.
//!
//! The server binds two sockets per handler: a PUSH at `send_spec` that hands out requests
//! (several handler processes connected to it share the load) and a SUB at `recv_spec` that
//! takes replies from every handler. [`Connection::connect`] connects a PULL and a PUB to
//! them. Replies are addressed by the sender id and connection ids a request carried, so any
//! task holding a [`Replies`] can write to any client at any time: streaming, long poll,
//! chat rooms.
//!
//! ```no_run
//! use nagrel_handler::{http_response, Connection, HandlerConfig, RequestKind};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ctx = nagrel_handler::zmq::Context::new();
//! let config = HandlerConfig::new("tcp://127.0.0.1:9997", "tcp://127.0.0.1:9996");
//! let mut conn = Connection::connect(&ctx, &config)?;
//! let replies = conn.replies();
//! while let Some(req) = conn.recv().await {
//!     let req = req?;
//!     if req.kind() == RequestKind::Disconnect {
//!         continue;
//!     }
//!     let body = format!("hello from {}\n", String::from_utf8_lossy(&req.path));
//!     replies.reply(&req, http_response(200, &[("Content-Type", "text/plain")], body)).await?;
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::io;

use bytes::{Bytes, BytesMut};
use nagrel_protocols::http::{encode_response_head, Version};
use nagrel_protocols::mongrel2::{
    decode_request, encode_response, Mongrel2Error, Mongrel2Limits, Request, Response,
};

use crate::socket::{SendError, SocketBuilder, ZmqReceiver, ZmqSender};

/// Where a handler connects, and the limits its requests are decoded with.
#[derive(Debug, Clone)]
pub struct HandlerConfig {
    /// The server's `send_spec` (its PUSH socket); the handler connects a PULL to it.
    pub send_spec: String,
    /// The server's `recv_spec` (its SUB socket); the handler connects a PUB to it.
    pub recv_spec: String,
    /// Limits for decoding requests; `max_ids` also splits large deliveries into several
    /// messages (Mongrel2 accepts at most 128 ids per message).
    pub limits: Mongrel2Limits,
}

impl HandlerConfig {
    /// The config for a server's `send_spec` and `recv_spec`, with default limits.
    pub fn new(send_spec: impl Into<String>, recv_spec: impl Into<String>) -> Self {
        HandlerConfig {
            send_spec: send_spec.into(),
            recv_spec: recv_spec.into(),
            limits: Mongrel2Limits::default(),
        }
    }
}

/// A handler's connection to a server: requests in, replies out.
#[derive(Debug)]
pub struct Connection {
    requests: ZmqReceiver,
    replies: Replies,
    limits: Mongrel2Limits,
}

/// Why a request could not be received.
#[derive(Debug)]
pub enum RecvError {
    /// The PULL socket failed (its context was terminated).
    Zmq(zmq::Error),
    /// A message was not a valid Mongrel2 request; it is skipped and the connection stays
    /// usable.
    Malformed(Mongrel2Error),
    /// A message had more than one frame; Mongrel2 requests are single-frame.
    Multipart(usize),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Zmq(e) => write!(f, "receiving requests failed: {e}"),
            RecvError::Malformed(e) => write!(f, "malformed request message: {e}"),
            RecvError::Multipart(n) => write!(f, "request message of {n} frames, expected 1"),
        }
    }
}

impl std::error::Error for RecvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecvError::Zmq(e) => Some(e),
            RecvError::Malformed(e) => Some(e),
            RecvError::Multipart(_) => None,
        }
    }
}

impl Connection {
    /// Connects a PULL to `config.send_spec` and a PUB to `config.recv_spec`. ZeroMQ
    /// connects in the background (and reconnects after a server restart), so this
    /// succeeds before the server is up.
    ///
    /// Must be called within a tokio runtime.
    ///
    /// # Errors
    ///
    /// Creating or connecting a socket failed (a malformed endpoint, say).
    pub fn connect(ctx: &zmq::Context, config: &HandlerConfig) -> io::Result<Connection> {
        let (_, requests) = SocketBuilder::new(zmq::PULL)
            .connect(config.send_spec.clone())
            .spawn(ctx)?;
        let (socket, _) = SocketBuilder::new(zmq::PUB)
            .connect(config.recv_spec.clone())
            .spawn(ctx)?;
        Ok(Connection {
            requests,
            replies: Replies {
                socket,
                max_ids: config.limits.max_ids.max(1),
            },
            limits: config.limits,
        })
    }

    /// Waits for the next request (disconnect and upload notices included; see
    /// [`Request::kind`](nagrel_protocols::mongrel2::Request::kind)).
    ///
    /// `None` once the socket is closed. A malformed message is reported as
    /// [`RecvError::Malformed`] and the next call goes on with the next message.
    pub async fn recv(&mut self) -> Option<Result<Request, RecvError>> {
        let mut message = match self.requests.recv().await? {
            Ok(message) => message,
            Err(e) => return Some(Err(RecvError::Zmq(e))),
        };
        if message.len() != 1 {
            return Some(Err(RecvError::Multipart(message.len())));
        }
        let frame = message.pop()?;
        Some(decode_request(frame, self.limits).map_err(RecvError::Malformed))
    }

    /// A handle for replying, cheap to clone and usable from any task.
    pub fn replies(&self) -> Replies {
        self.replies.clone()
    }
}

/// Sends replies to a server: to the client behind a request, or to any connection ids.
///
/// Every method writes one or more response messages on the PUB socket; what the body
/// holds is written raw to the clients, so it is a whole HTTP response (see
/// [`http_response`]), a part of one (streaming), or nothing (close).
#[derive(Debug, Clone)]
pub struct Replies {
    socket: ZmqSender,
    max_ids: usize,
}

impl Replies {
    /// Sends `data` to the client that made `req`.
    ///
    /// # Errors
    ///
    /// The PUB socket is closed ([`SendError::Closed`]).
    pub async fn reply(&self, req: &Request, data: impl Into<Bytes>) -> Result<(), SendError> {
        self.deliver(req.sender.clone(), &[req.conn_id], data).await
    }

    /// Sends `data` to every connection in `ids` of the server whose handler identity is
    /// `sender` (the `sender` of the requests it sent). More ids than the server takes in
    /// one message go as several messages.
    ///
    /// # Errors
    ///
    /// The PUB socket is closed ([`SendError::Closed`]), or `sender` is empty or holds a
    /// space (`SendError::Zmq(EINVAL)`, nothing sent).
    pub async fn deliver(
        &self,
        sender: impl Into<Bytes>,
        ids: &[u64],
        data: impl Into<Bytes>,
    ) -> Result<(), SendError> {
        let sender = sender.into();
        let data = data.into();
        for batch in ids.chunks(self.max_ids) {
            let response = Response::data(sender.clone(), batch.to_vec(), data.clone());
            let mut wire = BytesMut::new();
            encode_response(&response, &mut wire)
                .map_err(|_| SendError::Zmq(zmq::Error::EINVAL))?;
            self.socket.send([wire]).await?;
        }
        Ok(())
    }

    /// Closes the connection that made `req`, once what was sent to it is written.
    ///
    /// # Errors
    ///
    /// The PUB socket is closed.
    pub async fn close(&self, req: &Request) -> Result<(), SendError> {
        self.deliver(req.sender.clone(), &[req.conn_id], Bytes::new())
            .await
    }

    /// Closes every connection in `ids`.
    ///
    /// # Errors
    ///
    /// The PUB socket is closed, or `sender` is empty or holds a space.
    pub async fn close_ids(&self, sender: impl Into<Bytes>, ids: &[u64]) -> Result<(), SendError> {
        self.deliver(sender, ids, Bytes::new()).await
    }
}

/// A whole HTTP/1.1 response: status line (with the standard reason phrase), the given
/// header fields, `Content-Length` (left out for 1xx, 204 and 304, which have no body),
/// and the body.
///
/// Fields holding bytes HTTP forbids (CR, LF, NUL) are left out rather than written.
///
/// ```
/// use nagrel_handler::http_response;
///
/// let wire = http_response(404, &[("Content-Type", "text/plain")], "no such thing\n");
/// assert_eq!(
///     &wire[..],
///     b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\nno such thing\n"
/// );
/// ```
pub fn http_response(status: u16, fields: &[(&str, &str)], body: impl Into<Bytes>) -> Bytes {
    let body = body.into();
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let length = body.len().to_string();
    // 1xx, 204 and 304 responses carry no body and must not announce one (RFC 9110
    // section 8.6).
    let bodiless = (100..200).contains(&status) || status == 204 || status == 304;
    let allowed = |s: &str| !s.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0);
    let fields = fields
        .iter()
        .filter(|(n, v)| allowed(n) && allowed(v) && !n.eq_ignore_ascii_case("content-length"))
        .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
        .chain((!bodiless).then_some((&b"Content-Length"[..], length.as_bytes())));
    let mut out = BytesMut::with_capacity(128 + body.len());
    let status = if (100..=999).contains(&status) {
        status
    } else {
        500
    };
    if encode_response_head(&mut out, Version::Http11, status, reason.as_bytes(), fields).is_err() {
        // Only names that are not tokens get here; answer without the caller's fields.
        out.clear();
        let length = [(&b"Content-Length"[..], length.as_bytes())];
        let _ = encode_response_head(&mut out, Version::Http11, status, reason.as_bytes(), length);
    }
    out.extend_from_slice(&body);
    out.freeze()
}

/// A plain-text page describing `req`: sender, connection id, path, every header and the
/// body, like the echo handler of Mongrel2's examples. Handy as a first handler, and what
/// `examples/echo_handler.rs` and nagrel's demo `/handlertest` answer with.
///
/// ```
/// use bytes::Bytes;
/// use nagrel_handler::{describe_request, Request};
///
/// let notice = Request::disconnect(Bytes::from("h1"), 7);
/// let page = describe_request(&notice);
/// assert!(page.starts_with("SENDER: h1\nIDENT: 7\nPATH: @*\nHEADERS:\n  METHOD: JSON\n"));
/// ```
pub fn describe_request(req: &Request) -> String {
    use std::fmt::Write as _;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut page = String::new();
    let _ = writeln!(page, "SENDER: {}", text(&req.sender));
    let _ = writeln!(page, "IDENT: {}", req.conn_id);
    let _ = writeln!(page, "PATH: {}", text(&req.path));
    let _ = writeln!(page, "HEADERS:");
    for (name, value) in req.headers.iter() {
        let values: Vec<String> = value.iter().map(|v| text(v)).collect();
        let _ = writeln!(page, "  {}: {}", text(name), values.join(", "));
    }
    let _ = writeln!(page, "BODY: {}", text(&req.body));
    page
}
