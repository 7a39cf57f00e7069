//! HTTP/1.1 (RFC 9112): message heads, strict by default.
//!
//! # Layout
//!
//! - [`model`]: zero-copy [`RequestHead`], [`ResponseHead`], [`Fields`], [`Version`].
//! - [`head`]: the head decoders [`request_head`] and [`response_head`], and
//!   [`HeadLimits`].
//! - [`framing`]: how the body after a head is delimited ([`request_framing`],
//!   [`response_framing`]), with the smuggling rules.
//! - [`body`]: [`BodyDecoder`], streaming Content-Length, chunked and close-delimited
//!   bodies as zero-copy pieces, with [`BodyLimits`].
//! - [`error`]: [`HttpError`] and [`HttpErrorKind`], with the one mapping from rejection to
//!   status code.
//!
//! - [`encode`]: request and response heads, chunks and trailers, refusing anything the
//!   decoders would reject.
//! - [`interop`]: conversions to and from the `http` crate's request and response parts.

pub mod body;
pub mod encode;
pub mod error;
pub mod framing;
pub mod head;
pub mod interop;
pub mod model;
mod scan;
mod section;

pub use body::{BodyDecoder, BodyEvent, BodyLimits};
pub use encode::{
    encode_chunk, encode_last_chunk, encode_request_head, encode_response_head, HeadEncoder,
};
pub use error::{HttpError, HttpErrorKind};
pub use framing::{request_framing, response_framing, Framing};
pub use head::{request_head, response_head, Head, HeadLimits, HeadStep};
pub use interop::{encode_http_request, encode_http_response};
pub use model::{Fields, RequestHead, ResponseHead, Version};
