//! The task that owns one ZeroMQ socket.
//!
//! A `zmq::Socket` is not thread-safe, so exactly one task touches it: this one. Senders reach
//! it through a request channel (each request carries a oneshot for the result) and received
//! messages leave through a bounded channel to the single [`ZmqReceiver`](super::ZmqReceiver).
//!
//! # Waiting on `ZMQ_FD`
//!
//! `ZMQ_FD` is not a data socket: it is the signalling fd of the socket's command mailbox (a
//! socketpair in the libzmq that zeromq-src builds, an eventfd elsewhere). libzmq writes to it
//! only when a command arrives while the mailbox is drained, and reads it itself while
//! processing commands, so it says *edge-triggered* that `ZMQ_EVENTS` may have changed.
//! Three consequences shape [`run`]:
//!
//! 1. After the fd fires, readiness is cleared *before* `ZMQ_EVENTS` is read. A signal that
//!    arrives after that read produces a new edge and sets readiness again (tokio's
//!    `clear_ready` also keeps an edge newer than the one it was handed); clearing after the
//!    read could erase such an edge and sleep forever with a message waiting.
//! 2. An edge only says "something changed", not "one message arrived": once `ZMQ_EVENTS`
//!    reports `POLLIN`, the loop receives as long as it keeps reporting it (or until the
//!    inbound channel is full), since further messages on an already active pipe signal
//!    nothing.
//! 3. Every `zmq_send`/`zmq_recv` (and `ZMQ_EVENTS` itself) processes pending mailbox
//!    commands, which reads the fd and so may consume an edge meant for us (a peer
//!    connecting, a pipe becoming readable or writable again). Hence the loop re-reads
//!    `ZMQ_EVENTS` after every socket operation and only waits on the fd when the last thing
//!    it did was such a read, and it acted on all that read reported.
//!
//! Sends never wait for `POLLOUT`: they are tried once with `DONTWAIT` and `EAGAIN` goes back
//! to the caller as [`SendError::WouldBlock`], so a slow or absent peer costs the caller a
//! decision rather than a stuck task.
//!
//! # Two cheaper loops
//!
//! Every `ZMQ_EVENTS` read costs a `poll` system call on the mailbox, which at tens of
//! thousands of messages a second is a large share of a server's CPU. Two socket kinds
//! need fewer of them, and get their own loops:
//!
//! - **Send-only** (PUSH, PUB, RADIO): nothing is ever received and sends never wait for
//!   `POLLOUT`, so `ZMQ_EVENTS` answers no question the loop asks. It only serves send
//!   requests; pending commands (a peer attaching) are processed by the sends themselves.
//! - **Receive-only** (PULL, SUB, DISH): nothing makes a second receive fail the way REQ/REP
//!   do, so after the fd fires the loop clears readiness, then receives until `EAGAIN`. That
//!   last, failing receive processes the mailbox exactly as a `ZMQ_EVENTS` read would (rule
//!   3), so one `poll` per wake-up is paid instead of one per message plus one.

use std::io;
use std::os::fd::{AsRawFd, RawFd};

use bytes::Bytes;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::sync::mpsc::error::{TryRecvError, TrySendError};
use tokio::sync::{mpsc, oneshot};

use super::{Multipart, SendError};

/// At most this many receives, and this many sends, per loop iteration; after a full batch the
/// task yields so one busy socket cannot monopolise a runtime worker, and so reads and sends
/// take turns when both are saturated.
const BATCH: usize = 64;

/// One message to send, already converted to ZeroMQ frames by the caller's task, and where to
/// report the outcome.
pub(super) struct SendRequest {
    pub(super) frames: Vec<zmq::Message>,
    pub(super) reply: oneshot::Sender<Result<(), SendError>>,
}

/// What the owner hands to the receiver: a message, or the error that stopped the socket.
pub(super) type Inbound = Result<Multipart, zmq::Error>;

/// `ZMQ_FD` for `AsyncFd`. The fd belongs to libzmq: this wrapper never closes it.
struct MailboxFd(RawFd);

impl AsRawFd for MailboxFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// The socket and its registration. Fields drop in order, so the fd is deregistered from the
/// reactor before libzmq closes it (and possibly reuses the number).
pub(super) struct Owned {
    fd: AsyncFd<MailboxFd>,
    socket: zmq::Socket,
    role: Role,
}

/// Which loop serves a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// PUSH, PUB, RADIO: sends only.
    SendOnly,
    /// PULL, SUB, DISH: receives only, repeatable.
    ReceiveOnly,
    /// Everything else (REQ, REP, DEALER, ROUTER, PAIR, ...).
    General,
}

impl Role {
    fn of(socket: &zmq::Socket) -> io::Result<Role> {
        use zmq::SocketType::*;
        Ok(match socket.get_socket_type()? {
            PUSH | PUB => Role::SendOnly,
            PULL | SUB => Role::ReceiveOnly,
            _ => Role::General,
        })
    }
}

impl Owned {
    /// Registers the socket's `ZMQ_FD` with the current tokio reactor.
    pub(super) fn new(socket: zmq::Socket) -> io::Result<Self> {
        let raw = socket.get_fd()?;
        // READABLE only: the fd is practically always writable, which means nothing here.
        // SAFETY: `raw` is the open mailbox fd of `socket`, which libzmq closes only in
        // `zmq_close`, i.e. when `socket` drops. The `AsyncFd` is stored beside the socket and
        // dropped before it (field order here, explicit drops in `run`), and `MailboxFd`
        // always returns that same fd.
        let fd = unsafe { AsyncFd::register_with_interest(MailboxFd(raw), Interest::READABLE) }?;
        let role = Role::of(&socket)?;
        Ok(Owned { fd, socket, role })
    }
}

/// Why the loop stopped.
enum Exit {
    /// Every sender and the receiver are gone.
    Unused,
    /// The socket failed (usually `ETERM`: its context was terminated).
    Failed(zmq::Error),
    /// The reactor is gone (runtime shutting down).
    Reactor,
}

/// Serves the socket until every handle is dropped or the socket fails, then closes it.
pub(super) async fn run(
    mut owned: Owned,
    mut requests: mpsc::Receiver<SendRequest>,
    inbound: mpsc::Sender<Inbound>,
) {
    // `owned` stays whole while serving: if the runtime drops this task mid-await, its fields
    // still drop in the safe order.
    let exit = match owned.role {
        Role::SendOnly => serve_sends(&mut owned.socket, &mut requests, &inbound).await,
        Role::ReceiveOnly => {
            serve_receives(&owned.fd, &mut owned.socket, &mut requests, &inbound).await
        }
        Role::General => serve(&owned.fd, &mut owned.socket, &mut requests, &inbound).await,
    };
    if let Exit::Failed(error) = exit {
        // Best effort: a receiver that is not reading has no use for the reason either.
        let _ = inbound.try_send(Err(error));
    }
    // Queued requests must learn they will not be served: dropping them drops their oneshot
    // senders, which their callers see as `Closed`.
    drop(requests);
    let Owned { fd, socket, .. } = owned;
    drop(fd);
    // Closing the socket is cheap, but if it holds the last reference to its context the drop
    // runs `zmq_ctx_term`, which blocks for up to LINGER while unsent messages drain. Keep that
    // off the runtime's workers.
    drop(tokio::task::spawn_blocking(move || drop(socket)));
}

/// `socket` is borrowed `&mut` although only `&self` methods are called: `zmq::Socket` is
/// `Send` but not `Sync`, so only a unique borrow may be held across `.await` in a task that
/// can move between threads.
async fn serve(
    fd: &AsyncFd<MailboxFd>,
    socket: &mut zmq::Socket,
    requests: &mut mpsc::Receiver<SendRequest>,
    inbound: &mpsc::Sender<Inbound>,
) -> Exit {
    let mut senders_open = true;
    let mut receiver_open = true;
    loop {
        if !senders_open && !receiver_open {
            return Exit::Unused;
        }

        // Rule 3: this read comes after every socket operation of the previous iteration.
        let mut events = match poll_events(socket) {
            Ok(events) => events,
            Err(error) => return Exit::Failed(error),
        };

        // Receive while ZeroMQ has a message and the receiver has room (rule 2). ZMQ_EVENTS is
        // read again after each message instead of receiving until EAGAIN: REQ and REP answer
        // a second receive with EFSM until they have sent, and the re-read keeps rule 3 too.
        let mut attempts = 0;
        let mut inbound_full = false;
        while receiver_open && attempts < BATCH && events.contains(zmq::POLLIN) {
            let permit = match inbound.try_reserve() {
                Ok(permit) => permit,
                Err(TrySendError::Full(())) => {
                    // Stop reading: messages stay in ZeroMQ's queue, its HWM fills, and the
                    // peer sees backpressure. Sends are still served below.
                    inbound_full = true;
                    break;
                }
                Err(TrySendError::Closed(())) => {
                    receiver_open = false;
                    break;
                }
            };
            attempts += 1;
            match recv_multipart(socket) {
                Ok(Some(message)) => permit.send(Ok(message)),
                Ok(None) => {}
                Err(error) => return Exit::Failed(error),
            }
            events = match poll_events(socket) {
                Ok(events) => events,
                Err(error) => return Exit::Failed(error),
            };
        }

        // Serve the senders that are already queued.
        let mut served = 0;
        while senders_open && served < BATCH {
            match requests.try_recv() {
                Ok(request) => {
                    if let Err(error) = serve_one(socket, request) {
                        return Exit::Failed(error);
                    }
                    served += 1;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => senders_open = false,
            }
        }

        if attempts == BATCH || served == BATCH {
            tokio::task::yield_now().await;
            continue;
        }
        if served > 0 {
            // Rule 3: a send may have eaten the edge; look at ZMQ_EVENTS again.
            continue;
        }

        // The last socket operation was a ZMQ_EVENTS read and all it reported is handled (no
        // POLLIN, or no room for it), so any later change raises the fd.
        tokio::select! {
            ready = fd.readable() => match ready {
                // Rule 1: clear first, the next iteration reads ZMQ_EVENTS.
                Ok(mut guard) => guard.clear_ready(),
                Err(_) => return Exit::Reactor,
            },
            request = requests.recv(), if senders_open => match request {
                Some(request) => {
                    if let Err(error) = serve_one(socket, request) {
                        return Exit::Failed(error);
                    }
                }
                None => senders_open = false,
            },
            permit = inbound.reserve(), if receiver_open && inbound_full => match permit {
                // Room again: drop the permit and let the next iteration receive.
                Ok(_permit) => {}
                Err(_) => receiver_open = false,
            },
            () = inbound.closed(), if receiver_open && !inbound_full => receiver_open = false,
        }
    }
}

/// The loop of a send-only socket: serve send requests until every handle is gone.
async fn serve_sends(
    socket: &mut zmq::Socket,
    requests: &mut mpsc::Receiver<SendRequest>,
    inbound: &mpsc::Sender<Inbound>,
) -> Exit {
    while let Some(request) = requests.recv().await {
        if let Err(error) = serve_one(socket, request) {
            return Exit::Failed(error);
        }
        // Serve what else is queued without going back to the scheduler each time.
        let mut served = 1;
        while served < BATCH {
            match requests.try_recv() {
                Ok(request) => {
                    if let Err(error) = serve_one(socket, request) {
                        return Exit::Failed(error);
                    }
                    served += 1;
                }
                Err(_) => break,
            }
        }
        if served == BATCH {
            tokio::task::yield_now().await;
        }
    }
    // Every sender is gone; the socket lives as long as its (idle) receiver does.
    inbound.closed().await;
    Exit::Unused
}

/// The loop of a receive-only socket: after each edge, clear readiness and receive until
/// `EAGAIN` (see the module docs), so one mailbox `poll` is paid per wake-up.
async fn serve_receives(
    fd: &AsyncFd<MailboxFd>,
    socket: &mut zmq::Socket,
    requests: &mut mpsc::Receiver<SendRequest>,
    inbound: &mpsc::Sender<Inbound>,
) -> Exit {
    let mut senders_open = true;
    loop {
        if inbound.is_closed() {
            // Only stray send requests are left to answer, until their senders go too.
            while let Some(request) = requests.recv().await {
                if let Err(error) = serve_one(socket, request) {
                    return Exit::Failed(error);
                }
            }
            return Exit::Unused;
        }
        let mut drained = false;
        let mut received = 0;
        while received < BATCH {
            let permit = match inbound.try_reserve() {
                Ok(permit) => permit,
                Err(TrySendError::Full(())) => break,
                Err(TrySendError::Closed(())) => break,
            };
            match recv_multipart(socket) {
                Ok(Some(message)) => {
                    permit.send(Ok(message));
                    received += 1;
                }
                Ok(None) => {
                    drained = true;
                    break;
                }
                Err(error) => return Exit::Failed(error),
            }
        }
        if received == BATCH {
            tokio::task::yield_now().await;
            continue;
        }
        if inbound.is_closed() {
            continue;
        }
        if !drained {
            // The receiver is full: wait for room, then receive again. Messages wait in
            // ZeroMQ's queue meanwhile (backpressure up to its HWM).
            let _room = inbound.reserve().await;
            continue;
        }
        // The failed receive processed the mailbox: any later change raises the fd.
        tokio::select! {
            ready = fd.readable() => match ready {
                // Rule 1: clear before the next receives look at the socket.
                Ok(mut guard) => guard.clear_ready(),
                Err(_) => return Exit::Reactor,
            },
            () = inbound.closed() => {}
            // A send on a receive-only socket: ZeroMQ refuses it (ENOTSUP), and the caller
            // is told so rather than left waiting.
            request = requests.recv(), if senders_open => match request {
                Some(request) => {
                    if let Err(error) = serve_one(socket, request) {
                        return Exit::Failed(error);
                    }
                }
                None => senders_open = false,
            },
        }
    }
}

/// Reads `ZMQ_EVENTS`, which also processes the socket's pending commands.
fn poll_events(socket: &zmq::Socket) -> Result<zmq::PollEvents, zmq::Error> {
    loop {
        match socket.get_events() {
            Err(zmq::Error::EINTR) => continue,
            other => return other,
        }
    }
}

/// Sends one request and reports the outcome to its caller. Returns an error only when the
/// socket itself is finished.
fn serve_one(socket: &zmq::Socket, request: SendRequest) -> Result<(), zmq::Error> {
    let outcome = send_multipart(socket, request.frames);
    // The caller may have given up waiting; the message was handled either way.
    let _ = request.reply.send(outcome.map_err(SendError::from_zmq));
    match outcome {
        Err(zmq::Error::ETERM) => Err(zmq::Error::ETERM),
        _ => Ok(()),
    }
}

/// Sends the frames as one message without blocking.
///
/// ZeroMQ accepts or refuses a multipart message as a whole at its first frame (HWMs count
/// whole messages), so `EAGAIN` comes from the first frame and nothing was queued. Should a
/// later frame fail anyway (the pipe died in between), libzmq drops what it had and discards
/// frames until the end of that message: the rest is still sent, into the void, so the next
/// message starts on a frame boundary instead of being glued to this one.
fn send_multipart(socket: &zmq::Socket, frames: Vec<zmq::Message>) -> Result<(), zmq::Error> {
    let last = frames.len().saturating_sub(1);
    let mut failed = None;
    for (index, frame) in frames.into_iter().enumerate() {
        let more = if index < last { zmq::SNDMORE } else { 0 };
        let result = socket.send(frame, zmq::DONTWAIT | more);
        match (result, failed) {
            (Ok(()), _) => {}
            (Err(error), None) if index == 0 => return Err(error),
            (Err(error), None) => failed = Some(error),
            (Err(_), Some(_)) => {}
        }
    }
    failed.map_or(Ok(()), Err)
}

/// Receives one whole message, or `None` when none is waiting.
fn recv_multipart(socket: &zmq::Socket) -> Result<Option<Multipart>, zmq::Error> {
    let mut parts = Vec::new();
    loop {
        let mut frame = zmq::Message::new();
        match socket.recv(&mut frame, zmq::DONTWAIT) {
            Ok(()) => {}
            // Only possible on the first frame: the rest of a message arrives with it. The
            // caller reads ZMQ_EVENTS again before deciding anything.
            Err(zmq::Error::EAGAIN | zmq::Error::EINTR) if parts.is_empty() => return Ok(None),
            // A signal in the middle of a message: the remaining frames are still there.
            Err(zmq::Error::EINTR) => continue,
            Err(error) => return Err(error),
        }
        let more = frame.get_more();
        parts.push(Bytes::copy_from_slice(&frame));
        if !more {
            return Ok(Some(parts));
        }
    }
}
