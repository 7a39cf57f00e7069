//! The memcache text protocol and its meta commands (memcached 1.6), both ways.
//!
//! A server decodes commands with [`RequestDecoder`] and writes replies with
//! [`encode_response`] (or [`encode_value`] and [`encode_end`] for retrievals); a client
//! writes commands with [`encode_request`] and decodes replies with [`ResponseDecoder`].
//!
//! ```
//! use bytes::BytesMut;
//! use nagrel_protocols::memcache::{encode_response, Request, RequestDecoder, Response};
//!
//! let mut decoder = RequestDecoder::default();
//! let mut buf = BytesMut::from(&b"incr hits 1\r\nincr hits x\r\ndelete hits\r\n"[..]);
//! let mut out = BytesMut::new();
//! loop {
//!     match decoder.decode(&mut buf) {
//!         Ok(Some(Request::Arithmetic(a))) => {
//!             encode_response(&mut out, &Response::Number(a.delta)).unwrap()
//!         }
//!         Ok(Some(Request::Delete(_))) => encode_response(&mut out, &Response::Deleted).unwrap(),
//!         Ok(Some(other)) => panic!("not sent in this example: {other:?}"),
//!         Ok(None) => break, // wait for more bytes
//!         Err(e) => {
//!             e.write_reply(&mut out); // the exact line memcached would send
//!             if e.is_fatal() {
//!                 break; // and close the connection
//!             }
//!         }
//!     }
//! }
//! assert_eq!(&out[..], b"1\r\nCLIENT_ERROR invalid numeric delta argument\r\nDELETED\r\n");
//! ```
//!
//! # Decisions
//!
//! - **Line ends.** Command and reply lines end in CRLF; a bare LF is accepted too, as
//!   memcached does (what `nc` and hand-typed sessions send), unless `strict_crlf` is set
//!   in the limits. Data blocks must end in exactly CRLF, always: a wrong terminator is
//!   `CLIENT_ERROR bad data chunk`.
//! - **Tokens.** Separated by runs of spaces; leading and trailing spaces allowed on
//!   command lines. Command names are case-sensitive. Keys in commands are 1 to 250 bytes
//!   with no space or control byte (memcached 1.6 itself takes tabs and other control
//!   bytes; this decoder answers them with `CLIENT_ERROR`). Keys in replies only exclude
//!   space and LF, since memcached returns whatever keys other clients stored.
//! - **Line length.** A command line longer than 2048 bytes is fatal however its bytes
//!   arrive. memcached only closes when 2048 bytes are buffered without an LF, so it reads a
//!   longer line that happens to arrive in one piece; here the outcome never depends on how
//!   the stream was split.
//! - **Recovery.** After a recoverable rejection the stream stays in sync: the bad line is
//!   consumed, a wrong data block too, and a storage command whose byte count parsed has
//!   its data block discarded as it arrives (so a too-large item never gets buffered). A
//!   line over its length limit is fatal.
//! - **Replies without requests.** See [`ResponseDecoder`] for how replies are told apart
//!   without knowing the requests.
//!
//! # Layout
//!
//! - [`model`]: [`Request`] and its commands ([`Retrieve`] with [`Keys`], [`Store`],
//!   [`MetaSet`], [`Meta`] with [`MetaFlags`], ...), [`Response`] and its parts.
//! - [`decode`]: [`RequestDecoder`] (server side) and [`ResponseDecoder`] (client side).
//! - [`encode`]: [`encode_request`], [`encode_store`], [`encode_response`],
//!   [`encode_value`], [`encode_end`], and the [`Encode`](crate::decoder::encode::Encode)
//!   implementations [`RequestEncoder`] and [`ResponseEncoder`].
//! - [`error`]: [`MemcacheError`] and [`MemcacheErrorKind`], with the reply each rejection
//!   is answered with and whether the connection can go on.
//! - [`limits`]: [`RequestLimits`] and [`ResponseLimits`], memcached's defaults.

pub mod decode;
pub mod encode;
pub mod error;
pub mod limits;
pub mod model;

pub use decode::{RequestDecoder, ResponseDecoder, MAX_REPLY_ITEMS};
pub use encode::{
    encode_end, encode_request, encode_response, encode_store, encode_value, RequestEncoder,
    ResponseEncoder,
};
pub use error::{MemcacheError, MemcacheErrorKind};
pub use limits::{RequestLimits, ResponseLimits, MAX_KEY_LEN};
pub use model::flags::MetaFlags;
pub use model::keys::{is_valid_key, Keys, KeysIter};
pub use model::request::{
    ArithCommand, Arithmetic, Delete, FlushAll, Meta, MetaSet, Request, Retrieve, RetrieveCommand,
    Stats, Store, StoreCommand, Touch, Verbosity,
};
pub use model::response::{MetaDebug, MetaReply, MetaStatus, MetaValue, Response, Stat, Value};
