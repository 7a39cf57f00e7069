//! Creating sockets with nagrel's defaults.

use std::io;
use std::time::Duration;

use super::{spawn_with_capacity, ZmqReceiver, ZmqSender, DEFAULT_INBOUND_CAPACITY};

/// LINGER unless told otherwise: unsent messages are kept this long after the socket closes.
/// ZeroMQ's default (forever) makes terminating the context hang while a peer is away.
pub const DEFAULT_LINGER: Duration = Duration::from_secs(1);

enum Endpoint {
    Bind(String),
    Connect(String),
}

/// Describes a socket: its type, options, subscriptions and endpoints. [`build`] creates it
/// with everything applied in the order ZeroMQ needs (options before endpoints, since HWMs and
/// `ZMQ_IMMEDIATE` are read when a connection's pipe is made); [`spawn`] also hands it to an
/// owner task.
///
/// Defaults:
/// - `ZMQ_LINGER` = [`DEFAULT_LINGER`] rather than forever;
/// - for PUSH, `ZMQ_IMMEDIATE` = 1: messages go only to completed connections, so a PUSH
///   whose peers are all absent reports [`SendError::WouldBlock`](super::SendError::WouldBlock)
///   instead of queueing into a pipe that may never be delivered. Other types keep ZeroMQ's
///   default (0); see [`immediate`](SocketBuilder::immediate) for why;
/// - for ROUTER, `ZMQ_ROUTER_MANDATORY` = 1: an unknown routing id is
///   [`SendError::Unroutable`](super::SendError::Unroutable) and a full peer `WouldBlock`,
///   where ZeroMQ would drop silently.
///
/// [`build`]: SocketBuilder::build
/// [`spawn`]: SocketBuilder::spawn
///
/// # Example
///
/// ```
/// use nagrel_handler::socket::SocketBuilder;
/// use nagrel_handler::zmq;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let ctx = zmq::Context::new();
/// let (publisher, _) =
///     SocketBuilder::new(zmq::PUB).bind("inproc://builder-example").spawn(&ctx)?;
/// // Connecting over inproc hands the subscription over before the first publish; over tcp
/// // or ipc it travels asynchronously, and early messages are missed.
/// let (_, mut news) = SocketBuilder::new(zmq::SUB)
///     .subscribe("news.")
///     .connect("inproc://builder-example")
///     .spawn(&ctx)?;
/// publisher.send([&b"weather. rain"[..]]).await.unwrap();
/// publisher.send([&b"news. nagrel ships"[..]]).await.unwrap();
/// assert_eq!(news.recv().await.unwrap()?, [&b"news. nagrel ships"[..]]);
/// # Ok(())
/// # }
/// ```
pub struct SocketBuilder {
    kind: zmq::SocketType,
    linger: Duration,
    sndhwm: Option<i32>,
    rcvhwm: Option<i32>,
    identity: Option<Vec<u8>>,
    immediate: bool,
    subscriptions: Vec<Vec<u8>>,
    endpoints: Vec<Endpoint>,
    inbound_capacity: usize,
}

impl SocketBuilder {
    /// A socket of type `kind` (`zmq::PUSH`, `zmq::SUB`, `zmq::ROUTER`, ...) with the defaults
    /// above and no endpoint yet.
    pub fn new(kind: zmq::SocketType) -> Self {
        SocketBuilder {
            kind,
            linger: DEFAULT_LINGER,
            sndhwm: None,
            rcvhwm: None,
            identity: None,
            immediate: kind == zmq::PUSH,
            subscriptions: Vec::new(),
            endpoints: Vec::new(),
            inbound_capacity: DEFAULT_INBOUND_CAPACITY,
        }
    }

    /// Binds to `endpoint` (e.g. `tcp://127.0.0.1:9997`, `ipc:///run/nagrel/h1`,
    /// `inproc://name`; `tcp://127.0.0.1:*` picks a free port, see
    /// `zmq::Socket::get_last_endpoint`). Endpoints are applied in the order given.
    pub fn bind(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoints.push(Endpoint::Bind(endpoint.into()));
        self
    }

    /// Connects to `endpoint`. ZeroMQ connects in the background and reconnects after a loss.
    pub fn connect(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoints.push(Endpoint::Connect(endpoint.into()));
        self
    }

    /// For SUB: receive messages whose first frame starts with `prefix` (empty = everything).
    /// May be given several times. A SUB without any subscription receives nothing.
    pub fn subscribe(mut self, prefix: impl AsRef<[u8]>) -> Self {
        self.subscriptions.push(prefix.as_ref().to_vec());
        self
    }

    /// The socket's routing id (`ZMQ_ROUTING_ID`, formerly `ZMQ_IDENTITY`), as a ROUTER peer
    /// sees it; 1 to 255 bytes, not starting with a zero byte.
    pub fn identity(mut self, identity: impl AsRef<[u8]>) -> Self {
        self.identity = Some(identity.as_ref().to_vec());
        self
    }

    /// `ZMQ_IMMEDIATE`: queue messages only to completed connections (on by default for PUSH
    /// only). Sends on a connecting socket whose connection is not up then report
    /// [`SendError::WouldBlock`](super::SendError::WouldBlock) instead of queueing.
    ///
    /// The price, in libzmq 4.3: when such a connection breaks, its pipe is torn down
    /// (`socket_base_t::hiccuped` terminates it without delay), discarding the messages queued
    /// for sending *and those already received but not yet read*. A DEALER, PAIR or REQ with
    /// this option loses the replies it had not read when its peer closes or restarts, which
    /// is why only PUSH, which receives nothing, gets it by default. It changes nothing on a
    /// bound socket.
    pub fn immediate(mut self, immediate: bool) -> Self {
        self.immediate = immediate;
        self
    }

    /// `ZMQ_LINGER`: how long unsent messages survive the socket's close (rounded down to
    /// milliseconds, at most `i32::MAX`).
    pub fn linger(mut self, linger: Duration) -> Self {
        self.linger = linger;
        self
    }

    /// `ZMQ_SNDHWM`: messages queued per peer before sends report backpressure (ZeroMQ's
    /// default is 1000; 0 means no limit).
    pub fn send_hwm(mut self, messages: i32) -> Self {
        self.sndhwm = Some(messages);
        self
    }

    /// `ZMQ_RCVHWM`: messages queued per peer on the receiving side before the peer's sends
    /// see backpressure (ZeroMQ's default is 1000; 0 means no limit).
    pub fn recv_hwm(mut self, messages: i32) -> Self {
        self.rcvhwm = Some(messages);
        self
    }

    /// Room for this many received messages (at least 1) between the owner task and the
    /// [`ZmqReceiver`] ([`DEFAULT_INBOUND_CAPACITY`](super::DEFAULT_INBOUND_CAPACITY) by
    /// default). Used by [`spawn`](SocketBuilder::spawn) only.
    pub fn inbound_capacity(mut self, messages: usize) -> Self {
        self.inbound_capacity = messages;
        self
    }

    /// Creates the socket in `ctx`, sets its options and subscriptions, then binds and
    /// connects.
    ///
    /// # Errors
    ///
    /// The first ZeroMQ error, e.g. `EADDRINUSE` from a bind or `EINVAL` for a malformed
    /// endpoint.
    pub fn build(&self, ctx: &zmq::Context) -> Result<zmq::Socket, zmq::Error> {
        let socket = ctx.socket(self.kind)?;
        let linger_ms = i32::try_from(self.linger.as_millis()).unwrap_or(i32::MAX);
        socket.set_linger(linger_ms)?;
        if self.immediate {
            socket.set_immediate(true)?;
        }
        if self.kind == zmq::ROUTER {
            socket.set_router_mandatory(true)?;
        }
        if let Some(messages) = self.sndhwm {
            socket.set_sndhwm(messages)?;
        }
        if let Some(messages) = self.rcvhwm {
            socket.set_rcvhwm(messages)?;
        }
        if let Some(identity) = &self.identity {
            socket.set_identity(identity)?;
        }
        for prefix in &self.subscriptions {
            socket.set_subscribe(prefix)?;
        }
        for endpoint in &self.endpoints {
            match endpoint {
                Endpoint::Bind(endpoint) => socket.bind(endpoint)?,
                Endpoint::Connect(endpoint) => socket.connect(endpoint)?,
            }
        }
        Ok(socket)
    }

    /// [`build`](SocketBuilder::build)s the socket and hands it to an owner task, as
    /// [`spawn`](super::spawn) does. Must be called within a tokio runtime.
    ///
    /// # Errors
    ///
    /// A ZeroMQ error from `build` (converted), or registering the socket with the reactor
    /// failed.
    pub fn spawn(&self, ctx: &zmq::Context) -> io::Result<(ZmqSender, ZmqReceiver)> {
        let socket = self.build(ctx)?;
        spawn_with_capacity(socket, self.inbound_capacity)
    }
}
