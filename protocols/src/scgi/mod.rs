//! SCGI requests (the Simple Common Gateway Interface protocol): a netstring of headers,
//! then the body.
//!
//! The headers are `name NUL value NUL` pairs inside one netstring. The first must be
//! `CONTENT_LENGTH` (the body's length in decimal, `0` when there is none), `SCGI` with the
//! value `1` must be present, and no name may appear twice. The body, exactly
//! `CONTENT_LENGTH` bytes, follows the netstring's comma. The decoder checks all of it,
//! bounds the header block, the header count and the body, and hands out the names,
//! values and body as slices of the received buffer.
//!
//! ```
//! use bytes::{Bytes, BytesMut};
//! use nagrel_protocols::decoder::Driver;
//! use nagrel_protocols::scgi::{encode_scgi_request, scgi_request, ScgiLimits, ScgiRequest};
//!
//! let request = ScgiRequest::new(
//!     vec![(Bytes::from("REQUEST_METHOD"), Bytes::from("POST"))],
//!     Bytes::from("hello"),
//! );
//! let mut wire = BytesMut::new();
//! encode_scgi_request(&request, &mut wire).unwrap();
//! assert_eq!(&wire[..], &b"44:CONTENT_LENGTH\x005\x00SCGI\x001\x00REQUEST_METHOD\x00POST\x00,hello"[..]);
//!
//! let mut driver = Driver::new(|| scgi_request(ScgiLimits::default()));
//! let decoded = driver.decode(&mut wire).unwrap().unwrap();
//! assert_eq!(decoded.header(b"REQUEST_METHOD").map(|v| &v[..]), Some(&b"POST"[..]));
//! assert_eq!(&decoded.body()[..], b"hello");
//! ```
//!
//! # Layout
//!
//! - [`model`]: the request, [`ScgiRequest`].
//! - [`decode`]: the [`scgi_request`] step and [`ScgiLimits`].
//! - [`encode`]: the encoder, [`encode_scgi_request`].
//! - [`error`]: [`ScgiError`] and [`ScgiErrorKind`].

pub mod decode;
pub mod encode;
pub mod error;
pub mod model;

pub use decode::{scgi_request, ScgiLimits, ScgiRequestStep};
pub use encode::encode_scgi_request;
pub use error::{ScgiError, ScgiErrorKind};
pub use model::ScgiRequest;
