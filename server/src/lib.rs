//! The nagrel front server: HTTP from clients, requests to handler processes over ZeroMQ
//! (wire-compatible with Mongrel2, so its handlers in any language work unchanged),
//! static directories and proxies, routes stored in sled.
//!
//! ```text
//!  client ──HTTP──▶ conn (one task per connection, driven by the fsm)
//!                    │ route table (config snapshot, swapped whole on reload)
//!                    ├─▶ Dir: files from disk
//!                    ├─▶ Proxy: an HTTP backend
//!                    └─▶ Handler: PUSH ──0MQ──▶ handler processes ──0MQ──▶ SUB
//!                                                                      │
//!  client ◀──────── conn queue ◀──── clients registry (by conn id) ◀───┘ dispatch
//! ```
//!
//! Start one with [`server::Server::bind`] and [`server::Server::run`] (what `nagrel
//! start` does), from a [`config::Config`] parsed from a Mongrel2 `.conf` file or loaded
//! from a [`config::Store`]:
//!
//! ```no_run
//! use nagrel_server::config::parse_config;
//! use nagrel_server::server::{Selector, Server};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = parse_config(&std::fs::read_to_string("mongrel2.conf")?)?;
//! let server = Server::bind(&config, Selector::Name("main".into())).await?;
//! println!("listening on {}", server.local_addr()?);
//! server.run(async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! - [`config`]: the configuration as typed records ([`config::model`]), the Mongrel2
//!   `.conf` parser ([`config::parse`], errors with line and column), the sled store with
//!   a schema version and a version key to watch ([`config::store`]), typed settings
//!   ([`config::settings`]) and the standard mimetype table.
//! - [`route`]: Lua-like patterns compiled to a small NFA ([`route::pattern`]) and the
//!   route table ([`route::table`]): hosts (exact or suffix), longest prefix, pattern.
//! - [`fsm`]: the connection state machine: events and states as enums, the transition
//!   table as data (`nagrel fsm --dot` draws it), event filters and the maintenance filter.
//! - [`conn`]: one client connection: reading requests, running them through the fsm and
//!   the routes, writing what comes back; request bodies inline or as uploads.
//! - [`target`]: what routes lead to: [`target::handler`] (the PUSH/SUB sockets, request
//!   messages, the reply dispatcher), [`target::dir`] (static files: conditionals,
//!   ranges, traversal-safe paths), [`target::proxy`] (HTTP backends, pooled).
//! - [`clients`]: live connections by id, each with a bounded outbound queue; where
//!   handler replies are delivered, with backpressure.
//! - [`server`]: the listener, the shared routing snapshot, reload and following the
//!   store.
//! - [`control`]: the control port (Mongrel2's protocol, plus `load`).
//! - [`respond`]: the responses the server writes itself (errors, 503, 504).
//! - [`demo`]: the demo `nagrel` runs without arguments.
//! - [`cli`]: the commands of the `nagrel` binary.

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
