//! The nagrel front server: HTTP from clients, requests to handlers over ZeroMQ, static
//! directories and proxies, routes stored in sled.
//!
//! # Layout
//!
//! - [`config`]: the configuration as typed records, the Mongrel2 `.conf` parser, the
//!   sled store with live reload, settings and the mimetype table.
//! - [`route`]: Lua-like patterns and the route table (hosts, longest prefix, pattern).
//! - [`fsm`]: the connection state machine: events, states, the transition table as data,
//!   event filters (maintenance) and the Graphviz drawing.
//! - [`target`]: what a route leads to: handlers over ZeroMQ, static directories, proxies.
//! - [`cli`]: argument parsing and the commands of the `nagrel` binary.

#![deny(missing_docs)]

pub mod cli;
pub mod clients;
pub mod config;
pub mod conn;
pub mod control;
pub mod demo;
pub mod fsm;
pub mod respond;
pub mod route;
pub mod server;
pub mod target;
