//! How a message's body is delimited (RFC 9112 section 6), decided from its head.
//!
//! Framing is where request smuggling lives, so every ambiguity is a rejection: both
//! Transfer-Encoding and Content-Length, disagreeing Content-Length copies, `chunked`
//! anywhere but last (or twice), malformed lists. Nothing is ever reinterpreted.

use super::error::HttpErrorKind;
use super::model::{Fields, RequestHead, ResponseHead, Version};

/// How the body that follows a head is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body.
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked transfer coding.
    Chunked,
    /// Everything until the connection closes (responses only).
    UntilClose,
}

/// The transfer codings a server may see before the final `chunked` (RFC 9110 registry).
const KNOWN_CODINGS: [&[u8]; 5] = [b"gzip", b"x-gzip", b"deflate", b"compress", b"x-compress"];

/// The body framing of a request.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::Driver;
/// use nagrel_protocols::http::{request_framing, request_head, Framing, HeadLimits, HttpErrorKind};
///
/// let head = |raw: &[u8]| {
///     let mut d = Driver::new(|| request_head(HeadLimits::default()));
///     d.decode(&mut BytesMut::from(raw)).unwrap().unwrap()
/// };
/// let post = head(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");
/// assert_eq!(request_framing(&post), Ok(Framing::Length(5)));
/// let smuggle =
///     head(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
/// assert_eq!(request_framing(&smuggle), Err(HttpErrorKind::LengthAndTransferEncoding));
/// ```
pub fn request_framing(head: &RequestHead) -> Result<Framing, HttpErrorKind> {
    let fields = head.fields();
    let has_te = fields.get("transfer-encoding").is_some();
    if has_te && head.version() == Version::Http10 {
        return Err(HttpErrorKind::TransferEncodingInHttp10);
    }
    match (has_te, content_length(fields)?) {
        (true, Some(_)) => Err(HttpErrorKind::LengthAndTransferEncoding),
        (true, None) => match transfer_coding(fields)? {
            Coding::Chunked => Ok(Framing::Chunked),
            // A request body must be chunked last, or its end cannot be found.
            Coding::NotChunked => Err(HttpErrorKind::BadTransferEncoding),
        },
        (false, Some(0)) | (false, None) => Ok(Framing::Empty),
        (false, Some(n)) => Ok(Framing::Length(n)),
    }
}

/// The body framing of a response to a request whose method was `HEAD` (`to_head`) or
/// not.
pub fn response_framing(head: &ResponseHead, to_head: bool) -> Result<Framing, HttpErrorKind> {
    let status = head.status();
    if to_head || (100..200).contains(&status) || status == 204 || status == 304 {
        return Ok(Framing::Empty);
    }
    let fields = head.fields();
    let has_te = fields.get("transfer-encoding").is_some();
    match (has_te, content_length(fields)?) {
        (true, Some(_)) => Err(HttpErrorKind::LengthAndTransferEncoding),
        (true, None) => match transfer_coding(fields)? {
            Coding::Chunked => Ok(Framing::Chunked),
            Coding::NotChunked => Ok(Framing::UntilClose),
        },
        (false, Some(0)) => Ok(Framing::Empty),
        (false, Some(n)) => Ok(Framing::Length(n)),
        (false, None) => Ok(Framing::UntilClose),
    }
}

/// The Content-Length, if any: `1*DIGIT` in every copy and every list element, all equal.
fn content_length(fields: &Fields) -> Result<Option<u64>, HttpErrorKind> {
    let mut length = None;
    for value in fields.get_all("content-length") {
        for element in value.split(|&b| b == b',') {
            let n = parse_digits(trim_ows(element)).ok_or(HttpErrorKind::BadContentLength)?;
            if length.is_some_and(|l| l != n) {
                return Err(HttpErrorKind::BadContentLength);
            }
            length = Some(n);
        }
    }
    Ok(length)
}

/// `1*DIGIT` as a u64; anything else (sign, space, hex, empty, overflow) is `None`.
pub(crate) fn parse_digits(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |n, &b| {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
}

fn trim_ows(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    &s[start..end]
}

enum Coding {
    Chunked,
    NotChunked,
}

/// Checks the Transfer-Encoding list (all its field lines, in order) and says whether
/// `chunked` is last.
fn transfer_coding(fields: &Fields) -> Result<Coding, HttpErrorKind> {
    let mut codings = Vec::new();
    for value in fields.get_all("transfer-encoding") {
        for element in value.split(|&b| b == b',') {
            let coding = trim_ows(element);
            // Parameters (`;q=...`) are not allowed on these codings; an empty element
            // or a non-token is an obfuscation attempt, not something to skip.
            if coding.is_empty()
                || !coding
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b"-._~!#$%&'*+^`|".contains(&b))
            {
                return Err(HttpErrorKind::BadTransferEncoding);
            }
            codings.push(coding);
        }
    }
    let chunked = |c: &[u8]| c.eq_ignore_ascii_case(b"chunked");
    let chunked_count = codings.iter().filter(|c| chunked(c)).count();
    let last_is_chunked = codings.last().is_some_and(|c| chunked(c));
    if chunked_count > 1 || (chunked_count == 1 && !last_is_chunked) {
        return Err(HttpErrorKind::BadTransferEncoding);
    }
    let known = |c: &[u8]| chunked(c) || KNOWN_CODINGS.iter().any(|k| c.eq_ignore_ascii_case(k));
    if !codings.iter().all(|c| known(c)) {
        return Err(if last_is_chunked {
            HttpErrorKind::UnknownTransferCoding
        } else {
            HttpErrorKind::BadTransferEncoding
        });
    }
    Ok(if last_is_chunked {
        Coding::Chunked
    } else {
        Coding::NotChunked
    })
}
