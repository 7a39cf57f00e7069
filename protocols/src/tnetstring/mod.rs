//! Tnetstrings: typed netstrings, `LEN:DATA` followed by one type byte.
//!
//! | type byte | value | data |
//! |---|---|---|
//! | `,` | bytes | the bytes |
//! | `#` | integer | `-?DIGITS`, a signed 64-bit value |
//! | `^` | float | decimal digits, `.`, exponent; finite |
//! | `!` | boolean | `true` or `false` |
//! | `~` | null | empty |
//! | `]` | list | the elements, each a tnetstring |
//! | `}` | dictionary | key, value, key, value...; keys are byte strings |
//!
//! The decoder waits for the outer length prefix and data like a netstring (zero-copy,
//! bounded by [`TnetstringLimits::max_size`] before anything is buffered), then parses the
//! complete data in memory. Nesting is bounded by [`TnetstringLimits::max_depth`], so a
//! hostile value cannot exhaust the stack. Byte strings inside are slices of the received
//! buffer, not copies. Dictionaries keep their keys in wire order.
//!
//! ```
//! use bytes::BytesMut;
//! use nagrel_protocols::tnetstring::{decode_tnetstring, encode_tnetstring, TnetstringLimits, Value};
//!
//! let value = Value::Dict(vec![
//!     ("ctl".into(), Value::List(vec![Value::Integer(1), Value::Bool(true)])),
//! ].into());
//! let mut wire = BytesMut::new();
//! encode_tnetstring(&value, &mut wire).unwrap();
//! assert_eq!(&wire[..], b"21:3:ctl,11:1:1#4:true!]}");
//! assert_eq!(decode_tnetstring(&wire, TnetstringLimits::default()).unwrap(), value);
//! ```
//!
//! # Layout
//!
//! - [`model`]: [`Value`] and [`Dict`].
//! - [`decode`]: the [`tnetstring`] step, [`decode_tnetstring`], [`parse_payload`] and
//!   [`TnetstringLimits`].
//! - [`encode`]: [`encode_tnetstring`], [`encoded_len`] and [`TnetstringEncoder`].
//! - [`error`]: [`TnetstringError`] and [`TnetstringErrorKind`].

pub mod decode;
pub mod encode;
pub mod error;
pub mod model;

pub use decode::{decode_tnetstring, parse_payload, tnetstring, Tnetstring, TnetstringLimits};
pub use encode::{encode_tnetstring, encoded_len, TnetstringEncoder};
pub use error::{TnetstringError, TnetstringErrorKind};
pub use model::{Dict, Value};
