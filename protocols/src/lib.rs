//! Protocols built from `nagrel-decoder` steps: each one a decoder and an encoder.
//!
//! This crate is where HTTP/1.1, netstring, tnetstring, SCGI, the Mongrel2 handler protocol
//! and memcache live, one module per protocol, each split into model, decode and encode.
//! The decoder toolkit they stand on is [`nagrel_decoder`], re-exported here as
//! [`decoder`] so protocol code and its users name one crate.
//!
//! # Layout
//!
//! - [`http`]: HTTP/1.1 message heads (bodies and encoders to follow).
//! - [`decoder`]: the toolkit every protocol module is written with.

#![deny(missing_docs)]

pub mod error;
pub mod http;
pub mod memcache;
pub mod netstring;
pub mod scgi;
pub mod tnetstring;

pub use nagrel_decoder as decoder;
