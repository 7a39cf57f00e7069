//! Writing HTTP/1.1 heads and chunked bodies.
//!
//! Encoders refuse what the decoders would reject (a method that is not a token, a CR or
//! LF in a value, ...), so nothing they write can be read back differently: a value
//! cannot smuggle a header line of its own.

use bytes::{BufMut, BytesMut};
use nagrel_decoder::encode::{put_decimal, put_hex, Encode, EncodeError};

use super::model::{RequestHead, ResponseHead, Version};

fn is_token(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_text(s: &[u8]) -> bool {
    s.iter().all(|&b| b == b'\t' || (b >= 0x20 && b != 0x7F))
}

/// Appends header fields and the blank line that ends a head.
fn put_fields<'a>(
    dst: &mut BytesMut,
    fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Result<(), EncodeError> {
    for (name, value) in fields {
        if !is_token(name) {
            return Err(EncodeError::new("header name is not a token"));
        }
        if !is_text(value) {
            return Err(EncodeError::new("control byte in header value"));
        }
        dst.reserve(name.len() + value.len() + 4);
        dst.put_slice(name);
        dst.put_slice(b": ");
        dst.put_slice(value);
        dst.put_slice(b"\r\n");
    }
    dst.put_slice(b"\r\n");
    Ok(())
}

/// Appends a request head: request line, fields, blank line.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::http::{encode_request_head, Version};
///
/// let mut out = BytesMut::new();
/// encode_request_head(&mut out, b"GET", b"/", Version::Http11, [(&b"Host"[..], &b"a"[..])])
///     .unwrap();
/// assert_eq!(&out[..], b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
/// ```
pub fn encode_request_head<'a>(
    dst: &mut BytesMut,
    method: &[u8],
    target: &[u8],
    version: Version,
    fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Result<(), EncodeError> {
    if !is_token(method) {
        return Err(EncodeError::new("method is not a token"));
    }
    if target.is_empty() || !target.iter().all(|b| (0x21..=0x7E).contains(b)) {
        return Err(EncodeError::new("request target must be visible ASCII"));
    }
    let start = dst.len();
    dst.put_slice(method);
    dst.put_u8(b' ');
    dst.put_slice(target);
    dst.put_u8(b' ');
    dst.put_slice(version.as_str().as_bytes());
    dst.put_slice(b"\r\n");
    put_fields(dst, fields).inspect_err(|_| dst.truncate(start))
}

/// Appends a response head: status line, fields, blank line.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::http::{encode_response_head, Version};
///
/// let mut out = BytesMut::new();
/// encode_response_head(&mut out, Version::Http11, 200, b"OK", [(&b"Content-Length"[..], &b"0"[..])])
///     .unwrap();
/// assert_eq!(&out[..], b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
/// ```
pub fn encode_response_head<'a>(
    dst: &mut BytesMut,
    version: Version,
    status: u16,
    reason: &[u8],
    fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Result<(), EncodeError> {
    if !(100..=999).contains(&status) {
        return Err(EncodeError::new("status code must have three digits"));
    }
    if !is_text(reason) {
        return Err(EncodeError::new("control byte in reason phrase"));
    }
    let start = dst.len();
    dst.put_slice(version.as_str().as_bytes());
    dst.put_u8(b' ');
    put_decimal(dst, u64::from(status));
    dst.put_u8(b' ');
    dst.put_slice(reason);
    dst.put_slice(b"\r\n");
    put_fields(dst, fields).inspect_err(|_| dst.truncate(start))
}

/// Appends one chunk of a chunked body. An empty `data` writes nothing: a zero-size chunk
/// would end the body ([`encode_last_chunk`] does that).
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::http::{encode_chunk, encode_last_chunk};
///
/// let mut out = BytesMut::new();
/// encode_chunk(&mut out, b"hello world!!!!!");
/// encode_last_chunk(&mut out, []).unwrap();
/// assert_eq!(&out[..], b"10\r\nhello world!!!!!\r\n0\r\n\r\n");
/// ```
pub fn encode_chunk(dst: &mut BytesMut, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    dst.reserve(data.len() + 20);
    put_hex(dst, data.len() as u64);
    dst.put_slice(b"\r\n");
    dst.put_slice(data);
    dst.put_slice(b"\r\n");
}

/// Appends the last chunk and the trailer section (possibly empty).
pub fn encode_last_chunk<'a>(
    dst: &mut BytesMut,
    trailers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Result<(), EncodeError> {
    let start = dst.len();
    dst.put_slice(b"0\r\n");
    put_fields(dst, trailers).inspect_err(|_| dst.truncate(start))
}

/// Writes decoded heads back out, for `Framed` and for proxies.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeadEncoder;

impl Encode<&RequestHead> for HeadEncoder {
    fn encode(&mut self, head: &RequestHead, dst: &mut BytesMut) -> Result<(), EncodeError> {
        encode_request_head(
            dst,
            head.method(),
            head.target(),
            head.version(),
            head.fields().iter(),
        )
    }
}

impl Encode<&ResponseHead> for HeadEncoder {
    fn encode(&mut self, head: &ResponseHead, dst: &mut BytesMut) -> Result<(), EncodeError> {
        encode_response_head(
            dst,
            head.version(),
            head.status(),
            head.reason(),
            head.fields().iter(),
        )
    }
}
