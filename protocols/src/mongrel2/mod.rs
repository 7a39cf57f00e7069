//! The Mongrel2 handler protocol: the messages a Mongrel2-style server and its handler
//! processes exchange over ZeroMQ, byte-compatible with Mongrel2 1.12.
//!
//! - A **request** (server to handler, on the server's PUSH socket):
//!   `SENDER SP CONN_ID SP PATH SP HEADERS BODY`. HEADERS is a netstring of JSON or a
//!   tnetstring dictionary, by the handler's `protocol` setting ([`HeaderFormat`]); client
//!   header names are lowercase and a repeated header is an array; the server's keys
//!   (`PATH`, `METHOD`, `VERSION`, `URI`, `QUERY`, `FRAGMENT`, `PATTERN`, `URL_SCHEME`,
//!   `REMOTE_ADDR`) are uppercase. BODY is a netstring. Disconnect notices
//!   (`@*` path, `METHOD` `JSON`, body `{"type":"disconnect"}`) and upload notices
//!   (`x-mongrel2-upload-start` / `-done` headers) are requests too: [`Request::kind`].
//! - A **response** (handler to server, on the server's SUB socket):
//!   `SENDER SP IDS SP BODY`. IDS is a netstring of space-separated connection ids; BODY
//!   is written raw to each of them, and an empty BODY closes them. Ids prefixed `X ` make
//!   it a control message whose body is a tnetstring `[key, value]` ([`ResponseBody`]).
//!
//! JSON is written valid for any header bytes (Mongrel2 escapes only `"` and `\`): valid
//! UTF-8 is kept, control bytes are escaped, and a byte outside valid UTF-8 becomes
//! `\u00XX`. The reader accepts what Mongrel2 writes, raw bytes included.
//!
//! ```
//! use bytes::{Bytes, BytesMut};
//! use nagrel_protocols::mongrel2::{
//!     decode_request, encode_request, HeaderFormat, Headers, Mongrel2Limits, Request,
//! };
//!
//! let mut headers = Headers::default();
//! headers.push_server("PATH", "/handlertest");
//! headers.push_client("Accept", "*/*");
//! headers.push_server("METHOD", "GET");
//! for format in [HeaderFormat::Json, HeaderFormat::Tnetstring] {
//!     let req = Request {
//!         sender: Bytes::from("34f9ceee-cd52-4b7f-b197-88bf2f0ec378"),
//!         conn_id: 12,
//!         path: Bytes::from("/handlertest"),
//!         headers: headers.clone(),
//!         format,
//!         body: Bytes::new(),
//!     };
//!     let mut wire = BytesMut::new();
//!     encode_request(&req, &mut wire).unwrap();
//!     assert_eq!(decode_request(wire.freeze(), Mongrel2Limits::default()).unwrap(), req);
//! }
//! ```
//!
//! # Layout
//!
//! - [`model`]: [`Request`], [`Headers`], [`RequestKind`], [`Response`],
//!   [`ResponseBody`].
//! - [`decode`]: the [`request`] and [`response`] steps, [`decode_request`],
//!   [`decode_response`] and [`Mongrel2Limits`].
//! - [`encode`]: [`encode_request`] and [`encode_response`].
//! - [`error`]: [`Mongrel2Error`] and [`Mongrel2ErrorKind`].
//! - `json`: the headers object, written and read.

pub mod decode;
pub mod encode;
pub mod error;
mod json;
pub mod model;

pub use decode::{
    decode_request, decode_response, request, response, Mongrel2Limits, RequestStep, ResponseStep,
};
pub use encode::{encode_request, encode_response};
pub use error::{Mongrel2Error, Mongrel2ErrorKind};
pub use model::{HeaderFormat, HeaderValue, Headers, Request, RequestKind, Response, ResponseBody};
