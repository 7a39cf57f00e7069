//! One client connection: reads requests, runs them through the state machine and the
//! route table, hands them to their targets, and writes what comes back.
//!
//! A connection is one task. It waits on four things at once: bytes from the client, its
//! outbound queue (handler replies, which may come at any time: long poll, streaming, one
//! message to many clients), a kill signal (its queue stayed full too long), and the next
//! deadline (head, idle, handler). Requests are parsed straight out of the receive buffer
//! with the `nagrel-protocols` HTTP decoders; bodies are read inline or, when large,
//! streamed to an upload file.
//!
//! Requests are taken one at a time, as the state machine says: a request sent to a
//! handler leaves the connection in `Queueing` until the handler's first reply message is
//! written (`RESP_SENT`), and only then is the next pipelined request parsed, so responses
//! can never overtake each other. While a request waits, the connection keeps reading (up
//! to the head limit) so a client that hangs up is noticed and its handler told. The
//! handler writes whole HTTP responses, in as many messages as it likes, and may write to
//! the connection at any other time too (long poll, streaming); the connection stays open
//! whatever it writes, and only an empty reply (or `cancel`) closes it.
//!
//! # Layout
//!
//! - `body.rs`: reading a request body into memory.
//! - `upload.rs`: bodies over `limits.content_length`, through the upload temp-file
//!   protocol.

mod body;
mod upload;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{
    request_framing, request_head, Framing, HeadLimits, HeadStep, HttpError, RequestHead, Version,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::clients::{Outbound, Registration};
use crate::fsm::{Event, Machine, State};
use crate::respond;
use crate::server::{RouteTarget, Routed, Routing, Shared};
use crate::target::dir::{DirBody, DirRequest};
use crate::target::handler::message::{request_headers, split_target, RequestFacts, TargetParts};
use crate::target::handler::HandlerTarget;
use crate::target::proxy::Forwarded;

/// Largest write gathered from queued handler replies before it goes to the socket.
const GATHER: usize = 64 * 1024;

/// Builds the request head step for each request.
type HeadMaker = Box<dyn FnMut() -> HeadStep<RequestHead> + Send>;

/// A request head decoder with `limits`, counting offsets from `offset`.
fn head_decoder(limits: HeadLimits, offset: u64) -> Driver<HeadMaker, HeadStep<RequestHead>> {
    let make: HeadMaker = Box::new(move || request_head(limits));
    Driver::new(make).starting_at(offset)
}

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The client closed its side.
    ClientClosed,
    /// A handler closed it (empty reply), after everything queued was written.
    HandlerClosed,
    /// A handler cancelled it (no disconnect notice).
    Cancelled,
    /// The server answered an error and closed (bad request, 504, ...), or the client
    /// asked for `Connection: close`.
    ServerClosed,
    /// A deadline passed (head, idle, handler).
    TimedOut,
    /// Writing to the client failed or stalled.
    WriteFailed,
    /// The connection's queue stayed full past the write timeout.
    Stalled,
}

/// What to do after a request was handled.
type Flow = Result<(), End>;

/// Serves one accepted connection until it ends.
pub async fn serve(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let routing = shared.routing();
    let registration = shared.clients.register(routing.settings.conn_queue);
    let mut conn = Conn {
        id: registration.id,
        remote_addr: Bytes::from(peer.ip().to_string()),
        stream,
        rbuf: BytesMut::with_capacity(routing.settings.buffer_size.max(512)),
        consumed: 0,
        head: head_decoder(routing.head_limits, 0),
        head_limits: routing.head_limits,
        eof: false,
        reg: registration,
        fsm: Machine::new(0),
        talked_to: Vec::new(),
        awaiting: None,
        head_started: None,
        last_active: Instant::now(),
        continue_pending: false,
        write_timeout: routing.settings.write_timeout,
        timer: Box::pin(tokio::time::sleep_until(
            Instant::now() + routing.settings.idle_timeout,
        )),
        shared,
    };
    conn.fsm = Machine::new(conn.id);
    tracing::debug!(conn = conn.id, %peer, "accepted");
    let end = conn.run().await;
    conn.finish(end).await;
}

/// A connection's state between requests.
struct Conn {
    id: u64,
    remote_addr: Bytes,
    stream: TcpStream,
    /// Received bytes not consumed yet.
    rbuf: BytesMut,
    /// Bytes of the stream consumed so far: error offsets are absolute.
    consumed: u64,
    /// The head decoder, resumed as bytes arrive.
    head: Driver<HeadMaker, HeadStep<RequestHead>>,
    /// The limits `head` was built with.
    head_limits: HeadLimits,
    /// The client closed its sending side.
    eof: bool,
    reg: Registration,
    fsm: Machine,
    /// Handlers this connection sent requests to: they get its disconnect notice.
    talked_to: Vec<Arc<HandlerTarget>>,
    /// Since when a handler owes a reply (the request deadline runs from here); set exactly
    /// while the machine is in `Queueing`.
    awaiting: Option<Instant>,
    /// When the first byte of the request being read arrived (the head deadline).
    head_started: Option<Instant>,
    /// Last read or write, for the idle deadline.
    last_active: Instant,
    /// The request said `Expect: 100-continue` and its body has not been asked for yet.
    continue_pending: bool,
    /// Longest a write may take (`limits.write_timeout_ms` when the connection started).
    write_timeout: Duration,
    /// The deadline timer. It is re-armed lazily: a deadline that moves later leaves it
    /// where it is (it fires early, the connection finds nothing due and re-arms it), so a
    /// busy connection does not touch the timer wheel on every request.
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
    shared: Arc<Shared>,
}

/// What woke a waiting connection.
enum Wake {
    Outbound(Option<Outbound>),
    Read(std::io::Result<usize>),
    Deadline,
}

impl Conn {
    async fn run(&mut self) -> End {
        self.event(Event::Open);
        self.event(Event::Accept);
        loop {
            let routing = self.shared.routing();
            let head = if self.awaiting.is_some() {
                Ok(None) // one request at a time: the next waits for this one's reply
            } else {
                self.next_head(&routing)
            };
            match head {
                Ok(Some(head)) => {
                    if let Err(end) = self.handle(head, &routing).await {
                        return end;
                    }
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!(conn = self.id, error = %e, "bad request");
                    let _ = self.write(&respond::simple(e.status(), false, &[])).await;
                    return End::ServerClosed;
                }
            }
            if self.eof {
                // A request cut off by the client closing: nothing to answer.
                return End::ClientClosed;
            }
            if let Err(end) = self.wait(&routing).await {
                return end;
            }
        }
    }

    /// Decodes the next request head from the buffered bytes, if they hold a whole one.
    fn next_head(&mut self, routing: &Routing) -> Result<Option<RequestHead>, HttpError> {
        if self.rbuf.is_empty() {
            return Ok(None);
        }
        if self.head_started.is_none() {
            self.head_started = Some(Instant::now());
        }
        // The head decoder keeps its place across reads, so a head arriving a byte at a
        // time is still scanned once. Between requests (the body was read outside it, or
        // a reload changed the limits) a fresh one starts where the stream stands.
        if !self.head.in_message()
            && (self.head.offset() != self.consumed || self.head_limits != routing.head_limits)
        {
            self.head_limits = routing.head_limits;
            self.head = head_decoder(routing.head_limits, self.consumed);
        }
        let head = if self.eof {
            self.head.decode_eof(&mut self.rbuf)
        } else {
            self.head.decode(&mut self.rbuf)
        }
        .map_err(HttpError::from)?;
        if let Some(head) = &head {
            self.consumed += head.raw().len() as u64;
            self.head_started = None;
        }
        Ok(head)
    }

    /// Waits for input, a handler reply, a kill or a deadline, and deals with it.
    async fn wait(&mut self, routing: &Routing) -> Flow {
        let deadline = self.next_deadline(routing);
        if deadline < self.timer.deadline() {
            self.timer.as_mut().reset(deadline);
        }
        // While a reply is owed, keep reading (to notice a client hanging up) but only up
        // to the head limit: what a pipelining client sends beyond it waits in its socket.
        let can_read = self.awaiting.is_none() || self.rbuf.len() < routing.head_limits.max_head;
        let wake = {
            let Conn {
                stream,
                rbuf,
                reg,
                timer,
                ..
            } = self;
            if rbuf.capacity() - rbuf.len() < 512 {
                rbuf.reserve(routing.settings.buffer_size.max(512));
            }
            tokio::select! {
                biased;
                msg = reg.queue.recv() => Wake::Outbound(msg),
                n = stream.read_buf(rbuf), if can_read => Wake::Read(n),
                () = timer.as_mut() => Wake::Deadline,
            }
        };
        match wake {
            Wake::Outbound(Some(msg)) => self.outbound(msg).await,
            // The registry cut us off: the queue stayed full past the write timeout.
            Wake::Outbound(None) => Err(End::Stalled),
            Wake::Read(Ok(0)) => {
                self.eof = true;
                if self.rbuf.is_empty() || self.awaiting.is_some() {
                    Err(End::ClientClosed)
                } else {
                    Ok(())
                }
            }
            Wake::Read(Ok(_)) => {
                self.last_active = Instant::now();
                Ok(())
            }
            Wake::Read(Err(_)) => Err(End::ClientClosed),
            Wake::Deadline => self.deadline_passed(routing).await,
        }
    }

    /// The earliest deadline that applies now.
    fn next_deadline(&self, routing: &Routing) -> Instant {
        let s = &routing.settings;
        if let Some(since) = self.awaiting {
            return since + s.request_deadline;
        }
        if let Some(since) = self.head_started {
            return since + s.header_timeout;
        }
        self.last_active + s.idle_timeout
    }

    async fn deadline_passed(&mut self, routing: &Routing) -> Flow {
        let now = Instant::now();
        let deadline = self.next_deadline(routing);
        if now < deadline {
            // The deadline moved later since the timer was armed: re-arm and go on.
            self.timer.as_mut().reset(deadline);
            return Ok(());
        }
        self.event(Event::Timeout);
        if self.awaiting.is_some() {
            tracing::info!(
                conn = self.id,
                "handler silent past the request deadline: 504"
            );
            if self.write(&respond::simple(504, false, &[])).await.is_ok() {
                self.event(Event::RespSent);
            }
            Err(End::TimedOut)
        } else if self.head_started.is_some() {
            let _ = self.write(&respond::simple(408, false, &[])).await;
            Err(End::TimedOut)
        } else {
            Err(End::TimedOut)
        }
    }

    /// Carries out one message from a handler.
    async fn outbound(&mut self, msg: Outbound) -> Flow {
        match msg {
            Outbound::Data(data) => {
                self.replied();
                let mut gathered: Option<BytesMut> = None;
                let mut close = false;
                // Write what else is already queued in the same syscall.
                while gathered.as_ref().map_or(data.len(), BytesMut::len) < GATHER {
                    match self.reg.queue.try_recv() {
                        Ok(Outbound::Data(more)) => {
                            self.replied();
                            let buf = gathered.get_or_insert_with(|| {
                                let mut b = BytesMut::with_capacity(data.len() + more.len());
                                b.extend_from_slice(&data);
                                b
                            });
                            buf.extend_from_slice(&more);
                        }
                        Ok(Outbound::KeepAlive) => self.keep_alive(),
                        Ok(Outbound::Close) => {
                            close = true;
                            break;
                        }
                        Ok(Outbound::Cancel) => return Err(End::Cancelled),
                        Err(_) => break,
                    }
                }
                match gathered {
                    Some(buf) => self.write(&buf).await?,
                    None => self.write(&data).await?,
                }
                if close {
                    return Err(End::HandlerClosed);
                }
                Ok(())
            }
            Outbound::Close => Err(End::HandlerClosed),
            Outbound::Cancel => Err(End::Cancelled),
            Outbound::KeepAlive => {
                self.keep_alive();
                Ok(())
            }
        }
    }

    /// A handler wrote to this connection: if it owed a reply, this is it.
    fn replied(&mut self) {
        if self.awaiting.take().is_some() && self.fsm.state() == State::Queueing {
            self.event(Event::RespSent);
        }
    }

    /// A handler said it is still working: restart the request deadline.
    fn keep_alive(&mut self) {
        if self.awaiting.is_some() {
            self.awaiting = Some(Instant::now());
        }
    }

    /// Writes `bytes` to the client within the write timeout.
    async fn write(&mut self, bytes: &[u8]) -> Flow {
        self.last_active = Instant::now();
        // Fast path: the socket buffer almost always takes a response whole, and then no
        // timer is needed.
        let written = match self.stream.try_write(bytes) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
            Err(_) => return Err(End::WriteFailed),
        };
        if written == bytes.len() {
            return Ok(());
        }
        let rest = &bytes[written..];
        match tokio::time::timeout(self.write_timeout, self.stream.write_all(rest)).await {
            Ok(Ok(())) => {
                self.last_active = Instant::now();
                Ok(())
            }
            Ok(Err(_)) | Err(_) => Err(End::WriteFailed),
        }
    }

    /// Feeds the state machine; an impossible event is a bug, logged by the machine.
    fn event(&mut self, event: Event) {
        let _ = self.fsm.handle(event);
    }

    /// Routes one request and hands it to its target.
    async fn handle(&mut self, head: RequestHead, routing: &Routing) -> Flow {
        self.event(Event::ReqRecv);
        let keep_alive = wants_keep_alive(&head);
        self.continue_pending = head
            .fields()
            .get("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"));
        let framing = match request_framing(&head) {
            Ok(framing) => framing,
            Err(kind) => {
                let _ = self
                    .write(&respond::simple(kind.status(), false, &[]))
                    .await;
                return Err(End::ServerClosed);
            }
        };
        self.event(Event::HttpReq);
        let target = head.raw().slice_ref(head.target());
        let parts = split_target(&target);
        let host = head.fields().get("host");
        if host.is_some_and(|h| h.len() > routing.settings.host_name) {
            return Err(self.reject(400).await);
        }
        let Some(matched) = routing.table.lookup(host, &parts.path) else {
            self.event(Event::Failed);
            self.discard_body(framing, routing).await?;
            return self
                .respond(respond::simple(404, keep_alive, &[]), keep_alive)
                .await;
        };
        let mut routed = Routed {
            target: matched.target.clone(),
            maintenance: routing.maintenance.clone(),
        };
        let pattern = matched.route;
        let prefix = matched.prefix;
        let event = routed.target.event();
        let _ = self
            .fsm
            .handle_filtered(event, &routing.filters, &mut routed);
        match &*routed.target {
            RouteTarget::Handler(handler) => {
                let handler = handler.clone();
                self.send_to_handler(&handler, head, parts, pattern, framing, routing)
                    .await
            }
            RouteTarget::Dir(dir) => {
                let dir = dir.clone();
                self.discard_body(framing, routing).await?;
                let request = DirRequest {
                    method: head.method(),
                    path: &parts.path,
                    query: parts.query.as_deref(),
                    prefix,
                    fields: head.fields(),
                    keep_alive,
                    now: SystemTime::now(),
                };
                let response = dir.respond(&request, &routing.mimetypes).await;
                self.write(&response.head).await?;
                match response.body {
                    DirBody::Empty => {}
                    DirBody::Bytes(bytes) => self.write(&bytes).await?,
                    DirBody::File { file, len, .. } => {
                        self.send_file(file, len, dir.send_buffer()).await?
                    }
                }
                self.event(Event::RespSent);
                if keep_alive {
                    Ok(())
                } else {
                    Err(End::ServerClosed)
                }
            }
            RouteTarget::Proxy(proxy) => {
                let proxy = proxy.clone();
                let proxy_max = routing.settings.proxy_max;
                let body = match self.read_body(framing, routing, proxy_max).await? {
                    body::BodyRead::Inline(body) => body,
                    body::BodyRead::TooLarge { .. } => {
                        let _ = self.write(&respond::simple(413, false, &[])).await;
                        return Err(End::ServerClosed);
                    }
                };
                let forwarded = proxy
                    .forward(&head, &self.remote_addr, body, keep_alive)
                    .await;
                // The machine's proxy states in order, or FAILED for a 502/504.
                match forwarded.outcome {
                    Forwarded::Answered => {
                        self.event(Event::Connect);
                        self.event(Event::ReqSent);
                    }
                    Forwarded::Failed => self.event(Event::Failed),
                }
                self.respond(forwarded.response, keep_alive).await
            }
        }
    }

    /// Sends a request to a handler: the body inline when it is small, else through the
    /// upload protocol.
    async fn send_to_handler(
        &mut self,
        handler: &Arc<HandlerTarget>,
        head: RequestHead,
        parts: TargetParts,
        pattern: &str,
        framing: Framing,
        routing: &Routing,
    ) -> Flow {
        let inline_limit = routing.settings.content_length;
        let body = match self.read_body(framing, routing, inline_limit).await? {
            body::BodyRead::Inline(body) => body,
            body::BodyRead::TooLarge { decoder, received } => {
                return self
                    .upload(handler, head, parts, pattern, decoder, received, routing)
                    .await;
            }
        };
        let facts = RequestFacts {
            pattern,
            remote_addr: &self.remote_addr,
            no_clobber_xff: routing.settings.no_clobber_xff,
        };
        let headers = request_headers(&head, &parts, &facts, &[]);
        let Some(message) = handler.encode(self.id, parts.path.clone(), headers, body) else {
            let _ = self.write(&respond::simple(400, false, &[])).await;
            return Err(End::ServerClosed);
        };
        self.hand_over(handler, &message, wants_keep_alive(&head))
            .await
    }

    /// Writes a response the server made itself (`RESP_SENT`), then keeps the connection
    /// or ends it.
    async fn respond(&mut self, response: Bytes, keep_alive: bool) -> Flow {
        self.write(&response).await?;
        self.event(Event::RespSent);
        if keep_alive {
            Ok(())
        } else {
            Err(End::ServerClosed)
        }
    }

    /// Sends one message to `handler`; 503 when no handler takes it.
    async fn hand_over(
        &mut self,
        handler: &Arc<HandlerTarget>,
        message: &[u8],
        keep_alive: bool,
    ) -> Flow {
        match handler.send(message).await {
            Ok(()) => {
                self.event(Event::ReqSent);
                self.talked_to(handler);
                self.awaiting = Some(Instant::now());
                Ok(())
            }
            Err(why) => {
                tracing::info!(
                    conn = self.id,
                    spec = handler.send_spec(),
                    ?why,
                    "no handler: 503"
                );
                self.event(Event::Failed);
                let busy = respond::simple(503, keep_alive, &["Retry-After: 1"]);
                self.respond(busy, keep_alive).await
            }
        }
    }

    /// Remembers that `handler` has seen this connection: it gets the disconnect notice.
    fn talked_to(&mut self, handler: &Arc<HandlerTarget>) {
        if !self.talked_to.iter().any(|h| Arc::ptr_eq(h, handler)) {
            self.talked_to.push(handler.clone());
        }
    }

    /// Streams the next `len` bytes of `file` (already at the range's start) to the
    /// client.
    async fn send_file(&mut self, mut file: tokio::fs::File, len: u64, piece: usize) -> Flow {
        let mut left = len;
        let mut buf = vec![0u8; piece.max(512)];
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = match file.read(&mut buf[..want]).await {
                Ok(0) | Err(_) => return Err(End::WriteFailed), // file shrank: cut off
                Ok(n) => n,
            };
            self.write(&buf[..n]).await?;
            left -= n as u64;
        }
        Ok(())
    }

    /// Cleans up: the final state machine event and the handlers' disconnect notices.
    async fn finish(&mut self, end: End) {
        tracing::debug!(conn = self.id, ?end, "closed");
        self.event(Event::Close);
        let _ = self.stream.shutdown().await;
        if end == End::Cancelled || end == End::HandlerClosed {
            return; // the handler closed it; it knows
        }
        for handler in std::mem::take(&mut self.talked_to) {
            handler.notify_disconnect(self.id).await;
        }
    }
}

/// Whether the client wants the connection kept open after this request (HTTP/1.1 unless
/// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`).
fn wants_keep_alive(head: &RequestHead) -> bool {
    let mut close = false;
    let mut keep = false;
    for value in head.fields().get_all("connection") {
        for token in value.split(|&b| b == b',') {
            let token = token.trim_ascii();
            close |= token.eq_ignore_ascii_case(b"close");
            keep |= token.eq_ignore_ascii_case(b"keep-alive");
        }
    }
    match head.version() {
        Version::Http11 => !close,
        Version::Http10 => keep && !close,
    }
}

/// How long to wait for more of a request body before giving up on the client.
fn body_timeout(routing: &Routing) -> Duration {
    routing
        .settings
        .header_timeout
        .max(routing.settings.idle_timeout)
}
