//! Decoding Mongrel2 messages: requests (server to handler) and responses (handler to
//! server).
//!
//! Both are steps, so a message can be decoded from a stream in any fragmentation; a
//! handler that receives whole ZeroMQ messages uses [`decode_request`] and
//! [`decode_response`], which take a `Vec<u8>` or `Bytes` over without copying.

use bytes::Bytes;
use nagrel_decoder::{
    read_decimal, read_to_end, read_until, DecodeError, Digits, ErrorKind, Input, ReadToEnd,
    ReadUntil, Status, Step,
};

use super::error::{Mongrel2Error, Mongrel2ErrorKind};
use super::json;
use super::model::{HeaderFormat, HeaderValue, Headers, Request, Response, ResponseBody};
use crate::error::Kind;
use crate::netstring::decode::{decode_whole, tagged, Tagged};
use crate::netstring::{netstring, Netstring, NetstringLimits};
use crate::tnetstring::{parse_payload, tnetstring, TnetstringErrorKind, TnetstringLimits, Value};

/// Limits for [`request`] and [`response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mongrel2Limits {
    /// Longest sender (`send_ident` or handler identity). Default 256 bytes.
    pub max_sender: usize,
    /// Longest path. Default 8 KiB.
    pub max_path: usize,
    /// Largest encoded headers. Default 128 KiB.
    pub max_headers: usize,
    /// Largest body. Default 16 MiB.
    pub max_body: usize,
    /// Most connection ids in one response (Mongrel2's `limits.handler_targets`).
    /// Default 128.
    pub max_ids: usize,
}

impl Default for Mongrel2Limits {
    fn default() -> Self {
        Mongrel2Limits {
            max_sender: 256,
            max_path: 8 * 1024,
            max_headers: 128 * 1024,
            max_body: 16 * 1024 * 1024,
            max_ids: 128,
        }
    }
}

/// Deepest tnetstring header dictionary: the dictionary, then a list of values.
const HEADER_DEPTH: usize = 2;

/// Reads one request message: `SENDER SP CONN_ID SP PATH SP HEADERS BODY`, where
/// HEADERS is a netstring of JSON or a tnetstring dictionary and BODY a netstring.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::Driver;
/// use nagrel_protocols::mongrel2::{request, Mongrel2Limits, RequestKind};
///
/// let mut driver = Driver::new(|| request(Mongrel2Limits::default()));
/// let mut buf = BytesMut::from(&br#"h1 7 /chat 31:{"PATH":"/chat","METHOD":"GET"},0:,"#[..]);
/// let req = driver.decode(&mut buf).unwrap().unwrap();
/// assert_eq!(req.conn_id, 7);
/// assert_eq!(req.method().map(|m| &m[..]), Some(&b"GET"[..]));
/// assert_eq!(req.kind(), RequestKind::Http);
/// ```
pub fn request(limits: Mongrel2Limits) -> RequestStep {
    RequestStep {
        limits,
        sender: Bytes::new(),
        conn_id: 0,
        path: Bytes::new(),
        headers: None,
        state: RequestState::Sender(read_until(b' ').max_len(limits.max_sender)),
    }
}

/// See [`request`].
#[derive(Debug)]
pub struct RequestStep {
    limits: Mongrel2Limits,
    sender: Bytes,
    conn_id: u64,
    path: Bytes,
    headers: Option<(Headers, HeaderFormat)>,
    state: RequestState,
}

#[derive(Debug)]
enum RequestState {
    Sender(ReadUntil),
    ConnId(Digits<10>),
    ConnIdSpace,
    Path(ReadUntil),
    /// The encoded headers and the byte after them, which says their format.
    Headers(Tagged),
    Body(Netstring),
}

/// Turns a generic toolkit error of one field into that field's kind; protocol errors
/// and the end of input pass through.
fn relabel<T>(
    result: Result<Status<T>, DecodeError>,
    kind: Mongrel2ErrorKind,
) -> Result<Status<T>, DecodeError> {
    result.map_err(|e| match e.kind() {
        ErrorKind::Protocol { .. } | ErrorKind::UnexpectedEof => e,
        _ => DecodeError::new(kind.into_decode(), e.offset()),
    })
}

macro_rules! ready_or_pending {
    ($e:expr) => {
        match $e? {
            Status::Ready(v) => v,
            Status::Pending => return Ok(Status::Pending),
        }
    };
}

impl Step for RequestStep {
    type Output = Request;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Request>, DecodeError> {
        use Mongrel2ErrorKind as K;
        loop {
            self.state = match &mut self.state {
                RequestState::Sender(step) => {
                    let start = input.offset();
                    self.sender = ready_or_pending!(relabel(step.resume(input), K::BadSender));
                    if self.sender.is_empty() {
                        return Err(DecodeError::new(K::BadSender.into_decode(), start));
                    }
                    RequestState::ConnId(read_decimal())
                }
                RequestState::ConnId(step) => {
                    self.conn_id = ready_or_pending!(relabel(step.resume(input), K::BadConnId));
                    RequestState::ConnIdSpace
                }
                RequestState::ConnIdSpace => match input.bytes().first() {
                    Some(b' ') => {
                        input.advance(1)?;
                        RequestState::Path(read_until(b' ').max_len(self.limits.max_path))
                    }
                    Some(_) => return Err(input.error_at(0, K::BadConnId.into_decode())),
                    None => return input.wait(),
                },
                RequestState::Path(step) => {
                    let start = input.offset();
                    self.path = ready_or_pending!(relabel(step.resume(input), K::BadPath));
                    if self.path.is_empty() {
                        return Err(DecodeError::new(K::BadPath.into_decode(), start));
                    }
                    RequestState::Headers(tagged(self.limits.max_headers))
                }
                RequestState::Headers(step) => {
                    let encoded = ready_or_pending!(step.resume(input));
                    let at = encoded.offset;
                    let headers =
                        parse_headers(&encoded.data, encoded.tag).map_err(|(kind, pos)| {
                            DecodeError::new(kind.into_decode(), at + pos as u64)
                        })?;
                    self.headers = Some(headers);
                    RequestState::Body(netstring(NetstringLimits {
                        max_len: self.limits.max_body,
                    }))
                }
                RequestState::Body(step) => {
                    let body = ready_or_pending!(step.resume(input));
                    let (headers, format) = self.headers.take().unwrap_or_default();
                    return Ok(Status::Ready(Request {
                        sender: core::mem::take(&mut self.sender),
                        conn_id: self.conn_id,
                        path: core::mem::take(&mut self.path),
                        headers,
                        format,
                        body,
                    }));
                }
            };
        }
    }
}

/// Parses encoded headers whose netstring or tnetstring type byte is `tag`.
fn parse_headers(data: &Bytes, tag: u8) -> Result<(Headers, HeaderFormat), json::Failure> {
    match tag {
        b',' => Ok((json::parse_headers(data)?, HeaderFormat::Json)),
        b'}' => {
            let value = parse_payload(data.clone(), tag, HEADER_DEPTH)
                .map_err(|(kind, at)| (kind.into(), at))?;
            Ok((headers_from_dict(value)?, HeaderFormat::Tnetstring))
        }
        _ => Err((Mongrel2ErrorKind::BadHeadersType, data.len())),
    }
}

/// A tnetstring dictionary of strings (or lists of strings) as headers.
fn headers_from_dict(value: Value) -> Result<Headers, json::Failure> {
    let Value::Dict(dict) = value else {
        return Err((Mongrel2ErrorKind::BadHeadersType, 0));
    };
    let entries: Vec<(Bytes, Value)> = dict.into();
    let mut headers = Headers::with_capacity(entries.len());
    for (name, value) in entries {
        let value = match value {
            Value::Bytes(v) => HeaderValue::One(v),
            Value::List(items) => HeaderValue::Many(
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::Bytes(v) => Ok(v),
                        _ => Err((Mongrel2ErrorKind::BadHeaderValue, 0)),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err((Mongrel2ErrorKind::BadHeaderValue, 0)),
        };
        headers.push_entry(name, value);
    }
    Ok(headers)
}

/// Decodes one whole request message (a ZeroMQ message's bytes).
///
/// ```
/// use nagrel_protocols::mongrel2::{decode_request, Mongrel2Limits, RequestKind};
///
/// let msg = br#"h1 7 @* 17:{"METHOD":"JSON"},21:{"type":"disconnect"},"#.to_vec();
/// let req = decode_request(msg, Mongrel2Limits::default()).unwrap();
/// assert_eq!(req.kind(), RequestKind::Disconnect);
/// ```
pub fn decode_request(
    msg: impl Into<Bytes>,
    limits: Mongrel2Limits,
) -> Result<Request, Mongrel2Error> {
    decode_whole(msg, || request(limits))
}

/// Reads one response message: `SENDER SP IDS SP BODY`, where IDS is a netstring of
/// space-separated connection ids (prefixed `X ` for a control message) and BODY runs to
/// the end of the input, so the step needs the end of input to finish.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::Driver;
/// use nagrel_protocols::mongrel2::{response, Mongrel2Limits, ResponseBody};
///
/// let mut driver = Driver::new(|| response(Mongrel2Limits::default()));
/// let mut buf = BytesMut::from(&b"h1 3:1 2, HTTP/1.1 204 No Content\r\n\r\n"[..]);
/// let resp = driver.decode_eof(&mut buf).unwrap().unwrap();
/// assert_eq!(resp.ids, [1, 2]);
/// assert!(matches!(resp.body, ResponseBody::Data(b) if b.starts_with(b"HTTP/1.1 204")));
/// ```
pub fn response(limits: Mongrel2Limits) -> ResponseStep {
    ResponseStep {
        limits,
        sender: Bytes::new(),
        ids: None,
        state: ResponseState::Sender(read_until(b' ').max_len(limits.max_sender)),
    }
}

/// See [`response`].
#[derive(Debug)]
pub struct ResponseStep {
    limits: Mongrel2Limits,
    sender: Bytes,
    ids: Option<(Vec<u64>, bool)>,
    state: ResponseState,
}

#[derive(Debug)]
enum ResponseState {
    Sender(ReadUntil),
    Ids(Netstring),
    Space,
    /// The body and the offset where it starts.
    Body(ReadToEnd, u64),
}

impl Step for ResponseStep {
    type Output = Response;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Response>, DecodeError> {
        use Mongrel2ErrorKind as K;
        loop {
            self.state = match &mut self.state {
                ResponseState::Sender(step) => {
                    let start = input.offset();
                    self.sender = ready_or_pending!(relabel(step.resume(input), K::BadSender));
                    if self.sender.is_empty() {
                        return Err(DecodeError::new(K::BadSender.into_decode(), start));
                    }
                    // Each id costs at least two bytes ("1 "), plus an "X " prefix.
                    let max_len = 2 + self.limits.max_ids.saturating_mul(21);
                    ResponseState::Ids(netstring(NetstringLimits { max_len }))
                }
                ResponseState::Ids(step) => {
                    let ids = ready_or_pending!(relabel(step.resume(input), K::BadIds));
                    let at = input.offset() - 1 - ids.len() as u64;
                    let parsed = parse_ids(&ids, self.limits.max_ids).map_err(|(kind, pos)| {
                        DecodeError::new(kind.into_decode(), at + pos as u64)
                    })?;
                    self.ids = Some(parsed);
                    ResponseState::Space
                }
                ResponseState::Space => match input.bytes().first() {
                    Some(b' ') => {
                        input.advance(1)?;
                        let body = read_to_end().max_len(self.limits.max_body);
                        ResponseState::Body(body, input.offset())
                    }
                    Some(_) => return Err(input.error_at(0, K::MissingSpace.into_decode())),
                    None => return input.wait(),
                },
                ResponseState::Body(step, at) => {
                    let at = *at;
                    let body = ready_or_pending!(relabel(step.resume(input), K::BodyTooLarge));
                    let (ids, control) = self.ids.take().unwrap_or_default();
                    let body = if control {
                        ResponseBody::Control(parse_control(&body).map_err(|(kind, pos)| {
                            DecodeError::new(kind.into_decode(), at + pos as u64)
                        })?)
                    } else {
                        ResponseBody::Data(body)
                    };
                    return Ok(Status::Ready(Response {
                        sender: core::mem::take(&mut self.sender),
                        ids,
                        body,
                    }));
                }
            };
        }
    }
}

/// Space-separated decimal ids, after an optional `X ` control prefix.
fn parse_ids(text: &[u8], max_ids: usize) -> Result<(Vec<u64>, bool), json::Failure> {
    let (control, list, skip) = match text.strip_prefix(b"X ") {
        Some(rest) => (true, rest, 2),
        None => (false, text, 0),
    };
    let mut ids = Vec::new();
    let mut at = skip;
    for word in list.split(|&b| b == b' ') {
        if !word.is_empty() {
            if ids.len() == max_ids {
                return Err((Mongrel2ErrorKind::TooManyIds, at));
            }
            let id = parse_id(word).ok_or((Mongrel2ErrorKind::BadIds, at))?;
            ids.push(id);
        }
        at += word.len() + 1;
    }
    if ids.is_empty() {
        return Err((Mongrel2ErrorKind::BadIds, 0));
    }
    Ok((ids, control))
}

/// `1*DIGIT` into a u64, refusing overflow.
fn parse_id(word: &[u8]) -> Option<u64> {
    word.iter().try_fold(0u64, |n, &d| {
        let digit = d.is_ascii_digit().then(|| u64::from(d - b'0'))?;
        n.checked_mul(10)?.checked_add(digit)
    })
}

/// A control body: a tnetstring list of a key and a value.
fn parse_control(body: &Bytes) -> Result<Value, json::Failure> {
    // Parsed in place: the control value's strings are slices of the message.
    let value = decode_whole::<_, TnetstringErrorKind>(body.clone(), || {
        tnetstring(TnetstringLimits::default())
    })
    .map_err(|e| (e.kind().into(), e.offset() as usize))?;
    match value.as_list() {
        Some([Value::Bytes(_), _]) => Ok(value),
        _ => Err((Mongrel2ErrorKind::BadControl, 0)),
    }
}

/// Decodes one whole response message (a ZeroMQ message's bytes).
///
/// ```
/// use nagrel_protocols::mongrel2::{decode_response, Mongrel2Limits};
///
/// let resp = decode_response(b"h1 1:5, ".to_vec(), Mongrel2Limits::default()).unwrap();
/// assert!(resp.is_close());
/// ```
pub fn decode_response(
    msg: impl Into<Bytes>,
    limits: Mongrel2Limits,
) -> Result<Response, Mongrel2Error> {
    decode_whole(msg, || response(limits))
}
