//! nagrel: declarative, resumable protocol decoders, the protocols built from them, and a
//! Mongrel2-style front server.
//!
//! This facade re-exports the workspace's crates so an application can depend on one
//! crate:
//!
//! ```
//! use nagrel::decoder::{read_line, Driver};
//!
//! let mut driver = Driver::new(read_line);
//! let mut buf = bytes::BytesMut::from(&b"hello\n"[..]);
//! assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"hello");
//! ```
//!
//! # Layout
//!
//! - [`decoder`]: `nagrel-decoder`, the sans-IO step toolkit (with its `codec` feature).
//! - [`protocols`]: `nagrel-protocols`, protocol decoders and encoders.
//! - [`handler`]: `nagrel-handler`, the ZeroMQ adapter and handler library.
//! - [`server`]: `nagrel-server`, the front server.

#![deny(missing_docs)]

pub use nagrel_decoder as decoder;
pub use nagrel_handler as handler;
pub use nagrel_protocols as protocols;
pub use nagrel_server as server;

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
