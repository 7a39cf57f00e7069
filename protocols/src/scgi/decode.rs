//! Decoding SCGI requests.

use bytes::Bytes;
use nagrel_decoder::{read_bytes, DecodeError, Input, ReadBytes, Status, Step};

use super::error::ScgiErrorKind;
use super::model::ScgiRequest;
use crate::error::Kind;
use crate::netstring::{netstring, Netstring, NetstringLimits};

/// Limits for [`scgi_request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScgiLimits {
    /// Largest header block (the netstring's data), in bytes. Default 64 KiB.
    pub max_headers_len: usize,
    /// Most header pairs. Default 256.
    pub max_headers: usize,
    /// Largest body, in bytes. Default 8 MiB.
    pub max_body: usize,
}

impl Default for ScgiLimits {
    fn default() -> Self {
        ScgiLimits {
            max_headers_len: 64 * 1024,
            max_headers: 256,
            max_body: 8 * 1024 * 1024,
        }
    }
}

/// Reads one SCGI request: the header netstring, checked, then the body.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::Driver;
/// use nagrel_protocols::scgi::{scgi_request, ScgiError, ScgiErrorKind, ScgiLimits};
///
/// let mut driver = Driver::new(|| scgi_request(ScgiLimits::default()));
/// let mut buf = BytesMut::from(&b"11:SCGI\x001\x00X\x00y\x00,"[..]);
/// let err = ScgiError::from(driver.decode(&mut buf).unwrap_err());
/// assert_eq!(err.kind(), ScgiErrorKind::ContentLengthNotFirst);
/// assert_eq!(err.offset(), 3);
/// ```
pub fn scgi_request(limits: ScgiLimits) -> ScgiRequestStep {
    let headers = NetstringLimits {
        max_len: limits.max_headers_len,
    };
    ScgiRequestStep {
        limits,
        state: State::Headers(netstring(headers)),
    }
}

/// See [`scgi_request`].
#[derive(Debug)]
pub struct ScgiRequestStep {
    limits: ScgiLimits,
    state: State,
}

#[derive(Debug)]
enum State {
    Headers(Netstring),
    Body(Vec<(Bytes, Bytes)>, ReadBytes),
}

impl Step for ScgiRequestStep {
    type Output = ScgiRequest;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<ScgiRequest>, DecodeError> {
        if let State::Headers(headers) = &mut self.state {
            let Status::Ready(block) = headers.resume(input)? else {
                return Ok(Status::Pending);
            };
            // The block ended just before the comma the offset now stands after.
            let block_at = input.offset() - 1 - block.len() as u64;
            let (headers, content_length) = parse_headers(block, &self.limits)
                .map_err(|(kind, at)| DecodeError::new(kind.into_decode(), block_at + at as u64))?;
            if content_length > self.limits.max_body as u64 {
                // Reported where the CONTENT_LENGTH value starts.
                let at = block_at + b"CONTENT_LENGTH\0".len() as u64;
                return Err(DecodeError::new(
                    ScgiErrorKind::BodyTooLarge.into_decode(),
                    at,
                ));
            }
            let body = read_bytes(content_length).max_len(self.limits.max_body);
            self.state = State::Body(headers, body);
        }
        match &mut self.state {
            State::Body(headers, body) => {
                let Status::Ready(body) = body.resume(input)? else {
                    return Ok(Status::Pending);
                };
                Ok(Status::Ready(ScgiRequest::new(
                    core::mem::take(headers),
                    body,
                )))
            }
            State::Headers(_) => Ok(Status::Pending),
        }
    }
}

/// Header pairs in wire order.
type Headers = Vec<(Bytes, Bytes)>;

/// Splits and checks a complete header block; yields the pairs and CONTENT_LENGTH, or the
/// rejection and its position in the block.
fn parse_headers(
    block: Bytes,
    limits: &ScgiLimits,
) -> Result<(Headers, u64), (ScgiErrorKind, usize)> {
    let mut pairs: Vec<(Bytes, Bytes)> = Vec::new();
    let mut at = 0;
    while at < block.len() {
        let name_end = nul_after(&block, at).ok_or((ScgiErrorKind::BadHeaderBlock, block.len()))?;
        let value_end =
            nul_after(&block, name_end + 1).ok_or((ScgiErrorKind::BadHeaderBlock, block.len()))?;
        let name = &block[at..name_end];
        if name.is_empty() {
            return Err((ScgiErrorKind::EmptyName, at));
        }
        if pairs.is_empty() && name != b"CONTENT_LENGTH" {
            return Err((ScgiErrorKind::ContentLengthNotFirst, at));
        }
        if pairs.len() == limits.max_headers {
            return Err((ScgiErrorKind::TooManyHeaders, at));
        }
        if pairs.iter().any(|(n, _)| n[..] == *name) {
            return Err((ScgiErrorKind::DuplicateHeader, at));
        }
        pairs.push((
            block.slice(at..name_end),
            block.slice(name_end + 1..value_end),
        ));
        at = value_end + 1;
    }
    let Some((_, length)) = pairs.first() else {
        return Err((ScgiErrorKind::ContentLengthNotFirst, 0));
    };
    let length_at = b"CONTENT_LENGTH\0".len();
    let content_length =
        parse_decimal(length).ok_or((ScgiErrorKind::BadContentLength, length_at))?;
    match pairs.iter().find(|(n, _)| n[..] == *b"SCGI") {
        Some((_, v)) if v[..] == *b"1" => Ok((pairs, content_length)),
        _ => Err((ScgiErrorKind::BadScgiHeader, 0)),
    }
}

/// The index of the first NUL at or after `from`.
fn nul_after(block: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(0, block.get(from..)?).map(|i| from + i)
}

/// `1*DIGIT` into a u64 (at most 19 digits, so no overflow is possible).
fn parse_decimal(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0, |n, &d| n * 10 + u64::from(d - b'0')))
}
