//! Writing SCGI requests.

use bytes::BytesMut;
use nagrel_decoder::encode::{put_decimal, EncodeError};

use super::model::ScgiRequest;

/// Appends `request` in SCGI form: `CONTENT_LENGTH` (the body's length) and `SCGI` `1`
/// first, then the request's other headers in order, then the body.
///
/// Copies of `CONTENT_LENGTH` and `SCGI` in the request's headers are skipped, since the
/// encoder writes them. A name that is empty or repeated, or a name or value holding a
/// NUL byte, is refused before anything is written, so the decoder always accepts what
/// this writes.
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use nagrel_protocols::scgi::{encode_scgi_request, ScgiRequest};
///
/// let bad = ScgiRequest::new(vec![(Bytes::from("A\0B"), Bytes::new())], Bytes::new());
/// assert!(encode_scgi_request(&bad, &mut BytesMut::new()).is_err());
/// ```
pub fn encode_scgi_request(request: &ScgiRequest, dst: &mut BytesMut) -> Result<(), EncodeError> {
    let derived = |name: &[u8]| name == b"CONTENT_LENGTH" || name == b"SCGI";
    let headers: Vec<_> = request
        .headers()
        .iter()
        .filter(|(n, _)| !derived(n))
        .collect();
    for (i, (name, value)) in headers.iter().enumerate() {
        if name.is_empty() {
            return Err(EncodeError::new("empty SCGI header name"));
        }
        if name.contains(&0) || value.contains(&0) {
            return Err(EncodeError::new("NUL byte in an SCGI header"));
        }
        if headers[..i].iter().any(|(n, _)| n == name) {
            return Err(EncodeError::new("SCGI header name repeated"));
        }
    }

    let mut length = BytesMut::with_capacity(20);
    put_decimal(&mut length, request.body().len() as u64);
    let block_len = b"CONTENT_LENGTH\0".len()
        + length.len()
        + 1
        + b"SCGI\x001\0".len()
        + headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum::<usize>();
    dst.reserve(block_len + 22 + request.body().len());
    put_decimal(dst, block_len as u64);
    dst.extend_from_slice(b":CONTENT_LENGTH\0");
    dst.extend_from_slice(&length);
    dst.extend_from_slice(b"\0SCGI\x001\0");
    for (name, value) in headers {
        dst.extend_from_slice(name);
        dst.extend_from_slice(b"\0");
        dst.extend_from_slice(value);
        dst.extend_from_slice(b"\0");
    }
    dst.extend_from_slice(b",");
    dst.extend_from_slice(request.body());
    Ok(())
}
