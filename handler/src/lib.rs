//! Handlers for nagrel and Mongrel2: programs that receive HTTP requests over ZeroMQ and
//! send back responses.
//!
//! A handler is a few lines (see [`connection`] and `examples/echo_handler.rs`): connect to
//! the server's two sockets, receive typed requests, answer with HTTP responses, write to
//! any connection at any time. The crate depends on neither sled nor the server, so a
//! handler program stays small; it works unchanged against Mongrel2 1.12 and nagrel.
//!
//! # Layout
//!
//! - [`socket`]: the ZeroMQ adapter. [`socket::spawn`] gives a `zmq::Socket` to a task that
//!   owns it and returns a cloneable [`ZmqSender`] and a [`ZmqReceiver`]; sends are
//!   non-blocking and report backpressure ([`SendError::WouldBlock`]); receives are whole
//!   multipart messages. [`SocketBuilder`] creates sockets with the project's defaults
//!   (finite LINGER, `ZMQ_IMMEDIATE` for PUSH, `ZMQ_ROUTER_MANDATORY`). Files:
//!   `socket/mod.rs` (handles and errors), `socket/owner.rs` (the owner task and its
//!   `ZMQ_FD` loop), `socket/builder.rs`. Tests: `tests/socket.rs`, `tests/stress.rs`.
//! - [`connection`]: the handler library on the adapter. [`Connection::connect`] connects a
//!   PULL and a PUB to a server's `send_spec` and `recv_spec`; [`Connection::recv`] yields
//!   [`Request`]s (HTTP requests, disconnect and upload notices: [`RequestKind`]);
//!   [`Replies`] answers one request, delivers to many connection ids or closes them;
//!   [`http_response`] builds a whole HTTP/1.1 response; [`describe_request`] a page
//!   showing a request. Tests:
//!   `tests/handler_library.rs` (a server played by plain `zmq` sockets) and
//!   `tests/mongrel2_interop.rs` (real Mongrel2, run by `tests/interop.sh`).
//!
//! The `zmq` crate is re-exported so callers name the same version of its types.

#![deny(missing_docs)]

pub mod connection;
pub mod socket;

pub use connection::{
    describe_request, http_response, Connection, HandlerConfig, RecvError, Replies,
};
pub use nagrel_protocols::mongrel2::{Request, RequestKind};
pub use socket::{Multipart, SendError, SocketBuilder, ZmqReceiver, ZmqSender};
pub use zmq;
