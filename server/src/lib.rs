//! The nagrel front server: HTTP from clients, requests to handlers over ZeroMQ, static
//! directories and proxies, routes stored in sled.
//!
//! Nothing has landed in it yet; the `nagrel` binary lists what is available today.
//!
//! # Layout
//!
//! Empty for now: the connection state machine, router, store and targets arrive with the
//! server.

#![deny(missing_docs)]
