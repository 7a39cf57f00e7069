//! Writing Mongrel2 messages, byte for byte as Mongrel2 1.12 does (except that the JSON
//! is always valid).

use bytes::BytesMut;
use nagrel_decoder::encode::{put_decimal, EncodeError};

use super::json;
use super::model::{HeaderFormat, HeaderValue, Headers, Request, Response, ResponseBody};
use crate::netstring::encode_netstring;
use crate::tnetstring::encode_tnetstring;

/// Room left for a netstring length written in front of data whose length is not known
/// yet; lengths needing more digits move the data once.
const LENGTH_SLOT: usize = 6;

/// Appends a request message: `SENDER SP CONN_ID SP PATH SP HEADERS BODY`, the headers in
/// the request's [`HeaderFormat`].
///
/// The sender and path must be non-empty and hold no space (the decoder splits on it).
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use nagrel_protocols::mongrel2::{encode_request, HeaderFormat, Headers, Request};
///
/// let mut headers = Headers::default();
/// headers.push_server("PATH", "/");
/// headers.push_client("Host", "example.com");
/// headers.push_server("METHOD", "GET");
/// let req = Request {
///     sender: Bytes::from("h1"),
///     conn_id: 3,
///     path: Bytes::from("/"),
///     headers,
///     format: HeaderFormat::Json,
///     body: Bytes::new(),
/// };
/// let mut out = BytesMut::new();
/// encode_request(&req, &mut out).unwrap();
/// assert_eq!(&out[..], &br#"h1 3 / 48:{"PATH":"/","host":"example.com","METHOD":"GET"},0:,"#[..]);
/// ```
pub fn encode_request(request: &Request, dst: &mut BytesMut) -> Result<(), EncodeError> {
    check_word(&request.sender, "sender empty or holding a space")?;
    check_word(&request.path, "path empty or holding a space")?;
    // Room for everything up front (JSON adds quotes, separators and the odd escape), so
    // the message is written without reallocating.
    let headers: usize = request
        .headers
        .iter()
        .map(|(n, v)| n.len() + v.iter().map(|v| v.len() + 3).sum::<usize>() + 4)
        .sum();
    dst.reserve(
        request.sender.len() + request.path.len() + request.body.len() + headers + headers / 8 + 64,
    );
    dst.extend_from_slice(&request.sender);
    dst.extend_from_slice(b" ");
    put_decimal(dst, request.conn_id);
    dst.extend_from_slice(b" ");
    dst.extend_from_slice(&request.path);
    dst.extend_from_slice(b" ");
    match request.format {
        HeaderFormat::Json => put_json_headers(dst, &request.headers),
        HeaderFormat::Tnetstring => put_tnetstring_headers(dst, &request.headers),
    }
    encode_netstring(&request.body, dst);
    Ok(())
}

/// A space-delimited field: non-empty and without a space, else `why`.
fn check_word(word: &[u8], why: &'static str) -> Result<(), EncodeError> {
    if word.is_empty() || word.contains(&b' ') {
        return Err(EncodeError::new(why));
    }
    Ok(())
}

/// The headers as a netstring of JSON, written in place: the JSON goes after a slot for
/// its length, which is then filled in (moving the JSON only if the slot was too small
/// or too large).
fn put_json_headers(dst: &mut BytesMut, headers: &Headers) {
    let slot = dst.len();
    dst.extend_from_slice(&[0; LENGTH_SLOT]);
    json::put_headers(dst, headers);
    let len = dst.len() - slot - LENGTH_SLOT;
    dst.extend_from_slice(b",");
    let mut digits = [0u8; 24];
    let prefix = length_prefix(len, &mut digits);
    if prefix.len() <= LENGTH_SLOT {
        // Close the gap: move the JSON left so it follows the prefix directly.
        let shift = LENGTH_SLOT - prefix.len();
        let data = slot + LENGTH_SLOT;
        dst[slot..slot + prefix.len()].copy_from_slice(prefix);
        dst.copy_within(data..data + len + 1, data - shift);
        dst.truncate(dst.len() - shift);
    } else {
        let grow = prefix.len() - LENGTH_SLOT;
        let end = dst.len();
        dst.resize(end + grow, 0);
        dst.copy_within(slot + LENGTH_SLOT..end, slot + prefix.len());
        dst[slot..slot + prefix.len()].copy_from_slice(prefix);
    }
}

/// `len` in decimal followed by `:`, written into `buf` (no allocation on the hot path).
fn length_prefix(mut len: usize, buf: &mut [u8; 24]) -> &[u8] {
    let mut at = buf.len() - 1;
    buf[at] = b':';
    loop {
        at -= 1;
        buf[at] = b'0' + (len % 10) as u8;
        len /= 10;
        if len == 0 {
            return &buf[at..];
        }
    }
}

/// The headers as a tnetstring dictionary, sized first so it is written in one pass.
fn put_tnetstring_headers(dst: &mut BytesMut, headers: &Headers) {
    let string_len = |s: &[u8]| decimal_len(s.len()) + s.len() + 2;
    let value_len = |v: &HeaderValue| match v {
        HeaderValue::One(v) => string_len(v),
        HeaderValue::Many(vs) => {
            let data: usize = vs.iter().map(|v| string_len(v)).sum();
            decimal_len(data) + data + 2
        }
    };
    let data: usize = headers
        .iter()
        .map(|(n, v)| string_len(n) + value_len(v))
        .sum();
    dst.reserve(data + 24);
    put_decimal(dst, data as u64);
    dst.extend_from_slice(b":");
    let put_string = |dst: &mut BytesMut, s: &[u8]| {
        put_decimal(dst, s.len() as u64);
        dst.extend_from_slice(b":");
        dst.extend_from_slice(s);
        dst.extend_from_slice(b",");
    };
    for (name, value) in headers.iter() {
        put_string(dst, name);
        match value {
            HeaderValue::One(v) => put_string(dst, v),
            HeaderValue::Many(vs) => {
                let list: usize = vs.iter().map(|v| string_len(v)).sum();
                put_decimal(dst, list as u64);
                dst.extend_from_slice(b":");
                vs.iter().for_each(|v| put_string(dst, v));
                dst.extend_from_slice(b"]");
            }
        }
    }
    dst.extend_from_slice(b"}");
}

fn decimal_len(mut n: usize) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// Appends a response message: `SENDER SP IDS SP BODY`, with `X ` before the ids of a
/// control message and the control value as a tnetstring.
///
/// Refuses an empty id list, and a sender that is empty or holds a space.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::mongrel2::{encode_response, Response};
///
/// let mut out = BytesMut::new();
/// encode_response(&Response::data("h1", vec![4, 10], "hi"), &mut out).unwrap();
/// assert_eq!(&out[..], b"h1 4:4 10, hi");
/// ```
pub fn encode_response(response: &Response, dst: &mut BytesMut) -> Result<(), EncodeError> {
    check_word(&response.sender, "sender empty or holding a space")?;
    if response.ids.is_empty() {
        return Err(EncodeError::new(
            "a response needs at least one connection id",
        ));
    }
    let mut ids = BytesMut::with_capacity(response.ids.len() * 8 + 2);
    if matches!(response.body, ResponseBody::Control(_)) {
        ids.extend_from_slice(b"X ");
    }
    for (i, id) in response.ids.iter().enumerate() {
        if i > 0 {
            ids.extend_from_slice(b" ");
        }
        put_decimal(&mut ids, *id);
    }
    let mut body = BytesMut::new();
    let body: &[u8] = match &response.body {
        ResponseBody::Data(data) => data,
        ResponseBody::Control(value) => {
            encode_tnetstring(value, &mut body)?;
            &body
        }
    };
    dst.reserve(response.sender.len() + ids.len() + body.len() + 8);
    dst.extend_from_slice(&response.sender);
    dst.extend_from_slice(b" ");
    encode_netstring(&ids, dst);
    dst.extend_from_slice(b" ");
    dst.extend_from_slice(body);
    Ok(())
}
