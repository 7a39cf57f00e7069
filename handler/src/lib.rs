//! Handlers for nagrel and Mongrel2: programs that receive HTTP requests over ZeroMQ and
//! send back responses.
//!
//! This crate will hold the tokio adapter for ZeroMQ sockets and the handler library; it
//! depends on neither sled nor the server, so a handler program stays small. Nothing has
//! landed in it yet.
//!
//! # Layout
//!
//! Empty for now: the socket adapter and the handler API arrive with the Mongrel2 protocol.

#![deny(missing_docs)]
