//! Netstrings (`LEN:BYTES,`), D. J. Bernstein's self-delimiting byte strings, strict.
//!
//! A netstring is a decimal length, a colon, exactly that many bytes and a comma:
//! `5:hello,`. The decoder refuses leading zeros (only `0:,` may start with `0`), a length
//! over [`NetstringLimits::max_len`] as soon as its digits pass it (so a hostile length
//! never makes the decoder wait or buffer), a missing colon and a missing comma, each with
//! the offset of the offending byte. The data is split off the receive buffer without
//! copying.
//!
//! The length prefix is its own step, [`length_prefix`], because tnetstrings, SCGI and the
//! Mongrel2 handler protocol start their values the same way.
//!
//! ```
//! use bytes::BytesMut;
//! use nagrel_protocols::decoder::Driver;
//! use nagrel_protocols::netstring::{encode_netstring, netstring, NetstringLimits};
//!
//! let mut wire = BytesMut::new();
//! encode_netstring(b"hello", &mut wire);
//! encode_netstring(b"", &mut wire);
//! assert_eq!(&wire[..], b"5:hello,0:,");
//!
//! let mut driver = Driver::new(|| netstring(NetstringLimits::default()));
//! assert_eq!(driver.decode(&mut wire).unwrap().as_deref(), Some(&b"hello"[..]));
//! assert_eq!(driver.decode(&mut wire).unwrap().as_deref(), Some(&b""[..]));
//! ```
//!
//! # Layout
//!
//! The model is a plain [`bytes::Bytes`]; there is nothing more to a netstring.
//!
//! - [`decode`]: [`length_prefix`], [`netstring`], [`decode_netstring`] and
//!   [`NetstringLimits`].
//! - [`encode`]: [`encode_netstring`] and [`NetstringEncoder`].
//! - [`error`]: [`NetstringError`] and [`NetstringErrorKind`].

pub mod decode;
pub mod encode;
pub mod error;

pub use decode::{
    decode_netstring, length_prefix, netstring, LengthPrefix, Netstring, NetstringLimits,
};
pub use encode::{encode_netstring, NetstringEncoder};
pub use error::{NetstringError, NetstringErrorKind};
