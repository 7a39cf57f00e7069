//! HTTP/1.1 (RFC 9112): message heads, strict by default.
//!
//! # Layout
//!
//! - [`model`]: zero-copy [`RequestHead`], [`ResponseHead`], [`Fields`], [`Version`].
//! - [`head`]: the head decoders [`request_head`] and [`response_head`], and
//!   [`HeadLimits`].
//! - [`error`]: [`HttpError`] and [`HttpErrorKind`], with the one mapping from rejection to
//!   status code.
//!
//! Bodies (Content-Length, chunked, read-until-close), encoders and the conversions to the
//! `http` crate's types are still to come.

pub mod error;
pub mod head;
pub mod model;

pub use error::{HttpError, HttpErrorKind};
pub use head::{request_head, response_head, Head, HeadLimits, HeadStep};
pub use model::{Fields, RequestHead, ResponseHead, Version};
