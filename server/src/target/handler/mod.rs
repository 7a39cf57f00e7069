//! Handler targets: the two ZeroMQ sockets the server binds for each handler, and the task
//! that routes the handlers' replies to client connections.
//!
//! Requests leave on a PUSH socket bound at `send_spec` (ZeroMQ hands them round-robin to
//! the connected handler processes); replies arrive on a SUB socket bound at `recv_spec`,
//! subscribed to `recv_ident`. Both sockets are owned by tasks of the `nagrel-handler`
//! adapter, so nothing here blocks on ZeroMQ.
//!
//! Mongrel2 blocks forever when no handler can take a request. Here a send that ZeroMQ
//! cannot place (no handler connected, or every handler's queue full) is retried for
//! [`NO_HANDLER_WAIT`] and then reported, and the connection answers 503.
//!
//! # Layout
//!
//! - [`message`]: request messages and disconnect notices, in Mongrel2's layout.
//! - [`dispatch`]: the reply task: response messages to connection queues.

pub mod dispatch;
pub mod message;

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use nagrel_handler::socket::{SendError, SocketBuilder, ZmqSender};
use nagrel_handler::zmq;
use nagrel_protocols::mongrel2::HeaderFormat;
use tokio::sync::oneshot;

use crate::clients::Clients;
use crate::config;

/// How long a request waits for ZeroMQ to accept it before the client gets 503.
pub const NO_HANDLER_WAIT: Duration = Duration::from_millis(80);

/// Messages the server keeps per handler socket before ZeroMQ pushes back (ZMQ_SNDHWM /
/// ZMQ_RCVHWM).
const HWM: i32 = 10_000;

/// What a handler's messages carry that a reload may change without rebinding sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerParams {
    /// The `send_ident` written as the sender of every request message.
    pub sender: Bytes,
    /// Header encoding.
    pub format: HeaderFormat,
    /// Most connection ids accepted in one reply (`limits.handler_targets`).
    pub max_ids: usize,
    /// How long a reply waits for room in a connection's queue (see
    /// [`clients`](crate::clients)).
    pub write_timeout: Duration,
}

/// Why a request could not be handed to a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// No handler took it within [`NO_HANDLER_WAIT`]: none connected, or all saturated.
    NoHandler,
    /// The socket is gone (the server is shutting down or the socket failed).
    Closed,
}

/// The sockets of one handler and the reply task serving them.
#[derive(Debug)]
pub struct HandlerTarget {
    key: SocketKey,
    push: ZmqSender,
    params: RwLock<HandlerParams>,
    /// Dropping it stops the reply task, which releases both sockets.
    _stop: oneshot::Sender<()>,
}

/// What identifies a handler's sockets: the endpoints and the subscription.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SocketKey {
    send_spec: String,
    recv_spec: String,
    recv_ident: String,
}

impl SocketKey {
    fn of(spec: &config::Handler) -> Self {
        SocketKey {
            send_spec: spec.send_spec.clone(),
            recv_spec: spec.recv_spec.clone(),
            recv_ident: spec.recv_ident.clone(),
        }
    }
}

impl HandlerTarget {
    /// Binds the PUSH and SUB sockets for `spec` and starts its reply task.
    ///
    /// # Errors
    ///
    /// A bind failed (endpoint in use or malformed), or the sockets could not be registered
    /// with the runtime.
    pub fn bind(
        ctx: &zmq::Context,
        spec: &config::Handler,
        params: HandlerParams,
        clients: Arc<Clients>,
    ) -> io::Result<Arc<HandlerTarget>> {
        let key = SocketKey::of(spec);
        // IMMEDIATE: with no handler connected, a send fails at once instead of queueing
        // for a handler that may never come.
        let (push, _no_inbound) = SocketBuilder::new(zmq::PUSH)
            .identity(spec.send_ident.as_bytes())
            .immediate(true)
            .send_hwm(HWM)
            .bind(&spec.send_spec)
            .spawn(ctx)
            .map_err(|e| bind_error(&spec.send_spec, e))?;
        let (_no_outbound, replies) = SocketBuilder::new(zmq::SUB)
            .subscribe(spec.recv_ident.as_bytes())
            .recv_hwm(HWM)
            .bind(&spec.recv_spec)
            .spawn(ctx)
            .map_err(|e| bind_error(&spec.recv_spec, e))?;
        let (stop, stopped) = oneshot::channel();
        let target = Arc::new(HandlerTarget {
            key,
            push,
            params: RwLock::new(params),
            _stop: stop,
        });
        tokio::spawn(dispatch::run(
            Arc::downgrade(&target),
            replies,
            clients,
            stopped,
        ));
        Ok(target)
    }

    /// The current message parameters.
    pub fn params(&self) -> HandlerParams {
        self.params
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What the reply task needs per message, read without cloning the rest:
    /// `(max_ids, write_timeout)`.
    pub(crate) fn delivery_limits(&self) -> (usize, Duration) {
        let params = self.params.read().unwrap_or_else(|e| e.into_inner());
        (params.max_ids, params.write_timeout)
    }

    fn set_params(&self, params: HandlerParams) {
        *self.params.write().unwrap_or_else(|e| e.into_inner()) = params;
    }

    /// Where requests go (`send_spec`), for logs.
    pub fn send_spec(&self) -> &str {
        &self.key.send_spec
    }

    /// Hands one request message to a handler, retrying while ZeroMQ pushes back, for at
    /// most [`NO_HANDLER_WAIT`].
    ///
    /// # Errors
    ///
    /// [`Unavailable`]: the client should get 503.
    pub async fn send(&self, message: &[u8]) -> Result<(), Unavailable> {
        let give_up = tokio::time::Instant::now() + NO_HANDLER_WAIT;
        let mut pause = Duration::from_millis(1);
        loop {
            match self.push.send([message]).await {
                Ok(()) => return Ok(()),
                Err(SendError::WouldBlock) => {
                    let now = tokio::time::Instant::now();
                    if now >= give_up {
                        return Err(Unavailable::NoHandler);
                    }
                    tokio::time::sleep(pause.min(give_up - now)).await;
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(SendError::Closed) => return Err(Unavailable::Closed),
                Err(e) => {
                    tracing::warn!(spec = %self.key.send_spec, error = ?e, "handler send failed");
                    return Err(Unavailable::Closed);
                }
            }
        }
    }

    /// Tells the handlers that connection `conn_id` is gone. Best effort: with no handler
    /// connected there is nobody to tell.
    pub async fn notify_disconnect(&self, conn_id: u64) {
        let params = self.params();
        let notice = message::disconnect(&params.sender, conn_id, params.format);
        if let Err(e) = self.push.send([&notice[..]]).await {
            tracing::debug!(conn = conn_id, spec = %self.key.send_spec, error = ?e,
                "disconnect notice not sent");
        }
    }

    /// Builds the request message for connection `conn_id` (see [`message::encode`]).
    pub fn encode(
        &self,
        conn_id: u64,
        path: Bytes,
        headers: nagrel_protocols::mongrel2::Headers,
        body: Bytes,
    ) -> Option<BytesMut> {
        let params = self.params.read().unwrap_or_else(|e| e.into_inner());
        message::encode(&params.sender, conn_id, path, headers, params.format, body).ok()
    }
}

fn bind_error(endpoint: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("binding {endpoint}: {e}"))
}

/// The handler targets alive in the server, by their sockets: a reload that keeps a
/// handler keeps its sockets (and the handler processes connected to them).
#[derive(Debug, Default)]
pub struct HandlerSet {
    targets: Mutex<HashMap<SocketKey, Weak<HandlerTarget>>>,
}

impl HandlerSet {
    /// The target for `spec`: the live one with the same sockets (its message parameters
    /// updated to `params`), or newly bound ones.
    ///
    /// # Errors
    ///
    /// See [`HandlerTarget::bind`].
    pub fn get_or_bind(
        &self,
        ctx: &zmq::Context,
        spec: &config::Handler,
        params: HandlerParams,
        clients: &Arc<Clients>,
    ) -> io::Result<Arc<HandlerTarget>> {
        let key = SocketKey::of(spec);
        let mut targets = self.targets.lock().unwrap_or_else(|e| e.into_inner());
        targets.retain(|_, t| t.strong_count() > 0);
        if let Some(live) = targets.get(&key).and_then(Weak::upgrade) {
            live.set_params(params);
            return Ok(live);
        }
        let target = HandlerTarget::bind(ctx, spec, params, clients.clone())?;
        targets.insert(key, Arc::downgrade(&target));
        Ok(target)
    }
}
