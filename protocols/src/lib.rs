//! Protocols built from `nagrel-decoder` steps: each one a decoder and an encoder.
//!
//! This crate is where HTTP/1.1, netstring, tnetstring, SCGI, the Mongrel2 handler protocol
//! and memcache live, one module per protocol, each split into model, decode and encode.
//! The decoder toolkit they stand on is [`nagrel_decoder`], re-exported here as
//! [`decoder`] so protocol code and its users name one crate.
//!
//! # Layout
//!
//! - [`http`]: HTTP/1.1 heads, framing, bodies (chunked included) and encoders.
//! - [`netstring`]: `LEN:BYTES,`, and the length prefix the next three share.
//! - [`tnetstring`]: typed netstrings into a [`tnetstring::Value`].
//! - [`scgi`]: SCGI requests.
//! - [`mongrel2`]: the Mongrel2 handler protocol, requests and responses.
//! - [`memcache`]: the memcache text and meta protocol, both directions.
//! - [`error`]: the typed error the netstring family shares.
//! - [`decoder`]: the toolkit every protocol module is written with.

#![deny(missing_docs)]

pub mod error;
pub mod http;
pub mod memcache;
pub mod mongrel2;
pub mod netstring;
pub mod scgi;
pub mod tnetstring;

pub use nagrel_decoder as decoder;
