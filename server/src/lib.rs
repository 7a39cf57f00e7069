//! The nagrel front server: HTTP from clients, requests to handlers over ZeroMQ, static
//! directories and proxies, routes stored in sled.
//!
//! The server itself has not landed yet; today this crate holds the command line the
//! `nagrel` binary runs.
//!
//! # Layout
//!
//! - [`cli`]: argument parsing and the commands (`nagrel decode`, the overview).

#![deny(missing_docs)]

pub mod cli;
