//! A tokio adapter for `zmq` sockets: one task owns each socket, the rest of the program talks
//! to it through channels.
//!
//! [`spawn`] moves a configured [`zmq::Socket`] into a new task and returns a [`ZmqSender`]
//! (cheap to clone, usable from many tasks at once) and a [`ZmqReceiver`] (one consumer,
//! possibly in another task than the senders). [`SocketBuilder`] creates sockets with the
//! project's defaults and binds or connects them.
//!
//! # Behaviour
//!
//! - **Sends never block and never drop silently.** Each message is tried once with
//!   `ZMQ_DONTWAIT`; if ZeroMQ would have to wait (no peer to take it, or the HWM is reached)
//!   [`send`](ZmqSender::send) returns [`SendError::WouldBlock`] and the caller decides:
//!   retry later, answer 503, shed load. Note that a *connecting* socket has a queue for its
//!   connection as soon as it connects, and fills it up to the HWM while the peer is away,
//!   unless it has `ZMQ_IMMEDIATE` (PUSH does by default, see [`SocketBuilder::immediate`]).
//!   The exception is ZeroMQ's own policy: PUB drops messages for subscribers at their HWM,
//!   as it always does.
//! - **Receives are whole multipart messages**, as a [`Multipart`].
//! - **Backpressure flows through.** The receiver's channel is bounded; when it is full the
//!   owner stops reading, so messages wait in ZeroMQ's queue and its RCVHWM pushes back on the
//!   peer. Sends are still served meanwhile.
//! - **Shutdown follows the handles.** The owner runs while a sender or the receiver exists.
//!   Without senders it only receives; without the receiver it only sends (and no longer reads,
//!   so incoming messages back up to the HWM). When all are gone it closes the socket, whose
//!   LINGER then bounds how long unsent messages are kept. Delivery of what is still in
//!   flight at that moment is best effort: with a slow peer libzmq drops some of it (the
//!   stress test lost messages that way before it kept its sockets open), so keep a handle
//!   until the peer has confirmed what matters. If the socket fails (its context was terminated: `ETERM`) the
//!   receiver gets that error, then `None`, and sends get [`SendError::Closed`].
//!
//! # Example
//!
//! ```
//! use nagrel_handler::socket::SocketBuilder;
//! use nagrel_handler::zmq;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let ctx = zmq::Context::new();
//! let (_, mut pull) = SocketBuilder::new(zmq::PULL).bind("inproc://example").spawn(&ctx)?;
//! let (push, _) = SocketBuilder::new(zmq::PUSH).connect("inproc://example").spawn(&ctx)?;
//!
//! push.send([&b"hello"[..], b"world"]).await.expect("a peer is connected");
//! let message = pull.recv().await.expect("socket open")?;
//! assert_eq!(message, [&b"hello"[..], b"world"]);
//! # Ok(())
//! # }
//! ```

mod builder;
mod owner;

use std::fmt;
use std::io;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

pub use builder::{SocketBuilder, DEFAULT_LINGER};

use owner::{Inbound, Owned, SendRequest};

/// A received message: its frames, in order.
pub type Multipart = Vec<Bytes>;

/// How many received messages wait in the receiver's channel, by default, before the owner
/// stops reading from ZeroMQ. Kept small: ZeroMQ's RCVHWM is the real buffer.
pub const DEFAULT_INBOUND_CAPACITY: usize = 64;

/// How many send requests may be queued for the owner before [`ZmqSender::send`] waits for a
/// slot. Each queued request belongs to a caller awaiting its result, so this only bounds how
/// many concurrent callers are served per turn.
const REQUEST_CAPACITY: usize = 64;

/// Moves `socket` into a new task that owns it, with a receive channel of
/// [`DEFAULT_INBOUND_CAPACITY`] messages.
///
/// Set options, subscriptions, bind and connect before: the socket is not reachable afterwards.
/// Must be called within a tokio runtime (it registers `ZMQ_FD` with the reactor and spawns).
///
/// # Errors
///
/// Reading `ZMQ_FD` or registering it with the reactor failed.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use nagrel_handler::zmq;
///
/// let ctx = zmq::Context::new();
/// let socket = ctx.socket(zmq::PAIR)?;
/// socket.bind("inproc://spawn-example")?;
/// let (sender, receiver) = nagrel_handler::socket::spawn(socket)?;
/// # drop((sender, receiver));
/// # Ok(())
/// # }
/// ```
pub fn spawn(socket: zmq::Socket) -> io::Result<(ZmqSender, ZmqReceiver)> {
    spawn_with_capacity(socket, DEFAULT_INBOUND_CAPACITY)
}

/// Like [`spawn`], with room for `inbound_capacity` received messages (at least 1) between
/// the owner and the [`ZmqReceiver`].
///
/// # Errors
///
/// Reading `ZMQ_FD` or registering it with the reactor failed.
pub fn spawn_with_capacity(
    socket: zmq::Socket,
    inbound_capacity: usize,
) -> io::Result<(ZmqSender, ZmqReceiver)> {
    let owned = Owned::new(socket)?;
    let (request_tx, request_rx) = mpsc::channel(REQUEST_CAPACITY);
    let (inbound_tx, inbound_rx) = mpsc::channel(inbound_capacity.max(1));
    tokio::spawn(owner::run(owned, request_rx, inbound_tx));
    Ok((
        ZmqSender {
            requests: request_tx,
        },
        ZmqReceiver {
            inbound: inbound_rx,
        },
    ))
}

/// The sending side of an owned socket. Clone it freely; every clone sends on the same socket.
#[derive(Clone)]
pub struct ZmqSender {
    requests: mpsc::Sender<SendRequest>,
}

impl ZmqSender {
    /// Sends one message made of `parts` (one frame each, in order) without blocking on
    /// ZeroMQ, and reports what ZeroMQ did with it.
    ///
    /// Frames are copied into ZeroMQ messages in the calling task. The future waits only for
    /// the owner task's turn, never for a peer. If it is dropped after the request was queued,
    /// the message may still be sent. To retry after [`SendError::WouldBlock`], keep a copy of
    /// the parts (cloning [`Bytes`] is cheap).
    ///
    /// # Errors
    ///
    /// See [`SendError`]; an empty `parts` is `SendError::Zmq(zmq::Error::EINVAL)`.
    ///
    /// # Example
    ///
    /// ```
    /// use nagrel_handler::socket::{SendError, SocketBuilder};
    /// use nagrel_handler::zmq;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let ctx = zmq::Context::new();
    /// // Bound, nobody connected: PUSH has nowhere to put the message.
    /// let (push, _) = SocketBuilder::new(zmq::PUSH).bind("inproc://nobody").spawn(&ctx)?;
    /// assert_eq!(push.send([&b"job"[..]]).await, Err(SendError::WouldBlock));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send<I>(&self, parts: I) -> Result<(), SendError>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let frames: Vec<zmq::Message> = parts
            .into_iter()
            .map(|part| zmq::Message::from(part.as_ref()))
            .collect();
        if frames.is_empty() {
            return Err(SendError::Zmq(zmq::Error::EINVAL));
        }
        let (reply, outcome) = oneshot::channel();
        self.requests
            .send(SendRequest { frames, reply })
            .await
            .map_err(|_| SendError::Closed)?;
        outcome.await.unwrap_or(Err(SendError::Closed))
    }

    /// Whether the owner task has stopped (the socket failed); sends will return
    /// [`SendError::Closed`].
    pub fn is_closed(&self) -> bool {
        self.requests.is_closed()
    }
}

impl fmt::Debug for ZmqSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZmqSender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The receiving side of an owned socket: one consumer, which may live in another task than
/// the senders.
#[derive(Debug)]
pub struct ZmqReceiver {
    inbound: mpsc::Receiver<Inbound>,
}

impl ZmqReceiver {
    /// Waits for the next message.
    ///
    /// Returns `None` once the owner task has stopped and every received message was taken.
    /// `Some(Err(_))` is the error that stopped it (usually `ETERM`), and is followed by
    /// `None`. Cancel-safe: dropping the future loses no message.
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
    /// let (server, mut requests) =
    ///     SocketBuilder::new(zmq::ROUTER).bind("inproc://recv-example").spawn(&ctx)?;
    /// let (client, mut replies) = SocketBuilder::new(zmq::DEALER)
    ///     .identity("client-1")
    ///     .connect("inproc://recv-example")
    ///     .spawn(&ctx)?;
    ///
    /// client.send([&b"ping"[..]]).await.unwrap();
    /// // ROUTER prefixes the sender's identity...
    /// let request = requests.recv().await.unwrap()?;
    /// assert_eq!(request, [&b"client-1"[..], b"ping"]);
    /// // ... and routes a reply by it.
    /// server.send([&request[0][..], b"pong"]).await.unwrap();
    /// assert_eq!(replies.recv().await.unwrap()?, [&b"pong"[..]]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recv(&mut self) -> Option<Result<Multipart, zmq::Error>> {
        self.inbound.recv().await
    }
}

/// Why a message was not sent. Every variant means nothing of the message left.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// Backpressure: ZeroMQ would have to wait (`EAGAIN`): no peer is connected (on a bound
    /// socket, or with `ZMQ_IMMEDIATE`, where a connection still being set up counts as
    /// none), or the peers' HWMs are reached. Retry later or shed the load.
    WouldBlock,
    /// A ROUTER socket has no connected peer with the routing id in the first frame
    /// (`EHOSTUNREACH`, with `ZMQ_ROUTER_MANDATORY` as [`SocketBuilder`] sets it).
    Unroutable,
    /// The owner task has stopped, so the socket is gone.
    Closed,
    /// Any other ZeroMQ error, e.g. `EFSM` (REQ/REP out of turn) or `ENOTSUP` (a socket type
    /// that cannot send).
    Zmq(zmq::Error),
}

impl SendError {
    fn from_zmq(error: zmq::Error) -> Self {
        match error {
            zmq::Error::EAGAIN => SendError::WouldBlock,
            zmq::Error::EHOSTUNREACH => SendError::Unroutable,
            zmq::Error::ETERM => SendError::Closed,
            other => SendError::Zmq(other),
        }
    }
}

impl fmt::Debug for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::WouldBlock => f.write_str("WouldBlock"),
            SendError::Unroutable => f.write_str("Unroutable"),
            SendError::Closed => f.write_str("Closed"),
            // zmq::Error's own Debug prints only the message text; name the errno too.
            SendError::Zmq(error) => write!(f, "Zmq({} {:?})", error.to_raw(), error.message()),
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::WouldBlock => f.write_str("no ZeroMQ peer can take the message now"),
            SendError::Unroutable => f.write_str("no ZeroMQ peer has this routing id"),
            SendError::Closed => f.write_str("the ZeroMQ socket is closed"),
            SendError::Zmq(error) => write!(f, "ZeroMQ send failed: {error}"),
        }
    }
}

impl std::error::Error for SendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SendError::Zmq(error) => Some(error),
            _ => None,
        }
    }
}
