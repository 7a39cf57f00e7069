//! The HTTP sources: requests and responses (head and body), and bare chunked bodies.

use bytes::BytesMut;
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{
    request_framing, request_head, response_framing, response_head, BodyDecoder, BodyEvent,
    BodyLimits, Fields, Framing, Head, HeadLimits, HeadStep, HttpError, HttpErrorKind, RequestHead,
    ResponseHead, Version,
};
use serde_json::{json, Value};

use super::{body_json, latin1, snake_case, Source};

/// The error object for an HTTP rejection: the common fields plus the status code a
/// server answers with.
fn error_json(e: &HttpError) -> Value {
    json!({
        "kind": "error",
        "error": snake_case(e.kind().name()),
        "status": e.status(),
        "offset": e.offset(),
        "message": e.kind().reason(),
    })
}

fn fields_json(fields: &Fields) -> Value {
    fields
        .iter()
        .map(|(n, v)| json!([latin1(n), latin1(v)]))
        .collect()
}

/// Whether the connection stays open after this message (RFC 9112 section 9.3).
fn keep_alive(version: Version, fields: &Fields) -> bool {
    let has = |token: &str| {
        fields.get_all("connection").any(|v| {
            v.split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
        })
    };
    match version {
        Version::Http11 => !has("close"),
        Version::Http10 => has("keep-alive"),
    }
}

/// The HTTP head types the command prints.
pub(super) trait Printable: Head + Sized {
    fn head_step() -> HeadStep<Self>;
    fn framing(&self) -> Result<Framing, HttpErrorKind>;
    fn to_json(&self, body: &[u8]) -> Value;
}

impl Printable for RequestHead {
    fn head_step() -> HeadStep<Self> {
        request_head(HeadLimits::default())
    }
    fn framing(&self) -> Result<Framing, HttpErrorKind> {
        request_framing(self)
    }
    fn to_json(&self, body: &[u8]) -> Value {
        let (body, encoding) = body_json(body);
        json!({
            "kind": "request",
            "method": latin1(self.method()),
            "target": latin1(self.target()),
            "version": self.version().as_str(),
            "headers": fields_json(self.fields()),
            "body": body,
            "body_encoding": encoding,
            "keep_alive": keep_alive(self.version(), self.fields()),
        })
    }
}

impl Printable for ResponseHead {
    fn head_step() -> HeadStep<Self> {
        response_head(HeadLimits::default())
    }
    fn framing(&self) -> Result<Framing, HttpErrorKind> {
        response_framing(self, false)
    }
    fn to_json(&self, body: &[u8]) -> Value {
        let (body, encoding) = body_json(body);
        json!({
            "kind": "response",
            "status": self.status(),
            "reason": latin1(self.reason()),
            "version": self.version().as_str(),
            "headers": fields_json(self.fields()),
            "body": body,
            "body_encoding": encoding,
            "keep_alive": keep_alive(self.version(), self.fields()),
        })
    }
}

type HeadDriver<H> = Driver<fn() -> HeadStep<H>, HeadStep<H>>;

/// Heads and their bodies, message after message.
pub(super) enum HttpSource<H: Printable> {
    Head(HeadDriver<H>),
    Body {
        head: H,
        body: BodyDecoder,
        data: Vec<u8>,
    },
}

impl<H: Printable> HttpSource<H> {
    pub(super) fn new() -> Self {
        HttpSource::Head(Driver::new(H::head_step as fn() -> HeadStep<H>))
    }
}

impl<H: Printable> Source for HttpSource<H> {
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, Value> {
        self.advance(buf, eof).map_err(|e| error_json(&e))
    }
}

impl<H: Printable> HttpSource<H> {
    fn advance(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, HttpError> {
        loop {
            match self {
                HttpSource::Head(driver) => {
                    let start = driver.offset();
                    let head = if eof {
                        driver.decode_eof(buf)
                    } else {
                        driver.decode(buf)
                    };
                    let Some(head) = head? else { return Ok(None) };
                    let framing = head.framing().map_err(|kind| HttpError::new(kind, start))?;
                    let body = BodyDecoder::new(framing, BodyLimits::default(), driver.offset());
                    *self = HttpSource::Body {
                        head,
                        body,
                        data: Vec::new(),
                    };
                }
                HttpSource::Body { head, body, data } => {
                    let event = if eof {
                        body.decode_eof(buf)
                    } else {
                        body.decode(buf)
                    };
                    match event? {
                        None => return Ok(None),
                        Some(BodyEvent::Data(piece)) => data.extend_from_slice(&piece),
                        Some(BodyEvent::End(_)) => {
                            let message = head.to_json(data);
                            let next = Driver::new(H::head_step as fn() -> HeadStep<H>)
                                .starting_at(body.offset());
                            *self = HttpSource::Head(next);
                            return Ok(Some(message));
                        }
                    }
                }
            }
        }
    }
}

/// Chunked bodies, one after another.
pub(super) struct ChunkedSource {
    body: BodyDecoder,
    start: u64,
    data: Vec<u8>,
}

impl ChunkedSource {
    pub(super) fn new() -> Self {
        ChunkedSource {
            body: Self::body_at(0),
            start: 0,
            data: Vec::new(),
        }
    }

    fn body_at(offset: u64) -> BodyDecoder {
        BodyDecoder::new(Framing::Chunked, BodyLimits::default(), offset)
    }
}

impl Source for ChunkedSource {
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, Value> {
        self.advance(buf, eof).map_err(|e| error_json(&e))
    }
}

impl ChunkedSource {
    fn advance(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, HttpError> {
        // The stream may end cleanly between bodies.
        if eof && buf.is_empty() && self.body.offset() == self.start {
            return Ok(None);
        }
        loop {
            let event = if eof {
                self.body.decode_eof(buf)
            } else {
                self.body.decode(buf)
            };
            match event? {
                None => return Ok(None),
                Some(BodyEvent::Data(piece)) => self.data.extend_from_slice(&piece),
                Some(BodyEvent::End(trailers)) => {
                    let (body, encoding) = body_json(&self.data);
                    let message = json!({
                        "kind": "chunked",
                        "body": body,
                        "body_encoding": encoding,
                        "trailers": fields_json(&trailers),
                    });
                    self.start = self.body.offset();
                    self.body = Self::body_at(self.start);
                    self.data.clear();
                    return Ok(Some(message));
                }
            }
        }
    }
}
