//! `nagrel decode`: decode captured bytes and print one JSON object per message.
//!
//! The same decoders the server uses run over the input fed whole, in N-byte pieces or one
//! byte at a time; the output is identical whatever the feeding, which makes the command
//! both an inspection tool and a check of split-invariance on real captures.

use std::io::{self, Write};

use bytes::BytesMut;
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{
    request_framing, request_head, response_framing, response_head, BodyDecoder, BodyEvent,
    BodyLimits, Fields, Framing, Head, HeadLimits, HeadStep, HttpError, HttpErrorKind, RequestHead,
    ResponseHead, Version,
};
use serde_json::{json, Value};

/// What the input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// HTTP/1.1 requests (head and body), pipelined.
    HttpRequest,
    /// HTTP/1.1 responses (head and body), to requests other than HEAD.
    HttpResponse,
    /// Chunked bodies (RFC 9112 section 7.1), one after another.
    Chunked,
}

/// Decodes every message in `input`, fed `piece` bytes at a time, and writes one JSON line
/// per message to `out`. Returns whether the input decoded cleanly; after an error it
/// writes the error object and stops.
pub fn decode(
    protocol: Protocol,
    input: &[u8],
    piece: usize,
    out: &mut dyn Write,
) -> io::Result<bool> {
    match protocol {
        Protocol::HttpRequest => feed(&mut HttpSource::<RequestHead>::new(), input, piece, out),
        Protocol::HttpResponse => feed(&mut HttpSource::<ResponseHead>::new(), input, piece, out),
        Protocol::Chunked => feed(&mut ChunkedSource::new(), input, piece, out),
    }
}

/// Something that turns buffered bytes into JSON messages.
trait Source {
    /// The next message, `None` when more input is needed (or, at EOF, when the stream
    /// ended cleanly).
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, HttpError>;
}

fn feed(
    source: &mut dyn Source,
    input: &[u8],
    piece: usize,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let mut buf = BytesMut::new();
    let mut pieces = input.chunks(piece.max(1));
    let mut eof = false;
    loop {
        match source.next(&mut buf, eof) {
            Ok(Some(message)) => writeln!(out, "{message}")?,
            Ok(None) if eof => return Ok(true),
            Ok(None) => match pieces.next() {
                Some(p) => buf.extend_from_slice(p),
                None => eof = true,
            },
            Err(e) => {
                writeln!(out, "{}", error_json(&e))?;
                return Ok(false);
            }
        }
    }
}

fn error_json(e: &HttpError) -> Value {
    json!({
        "kind": "error",
        "error": snake_case(e.kind().name()),
        "status": e.status(),
        "offset": e.offset(),
        "message": e.kind().reason(),
    })
}

fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Header bytes as a string, one character per byte (ISO-8859-1): lossless for any byte,
/// and plain ASCII stays as it is.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn fields_json(fields: &Fields) -> Value {
    fields
        .iter()
        .map(|(n, v)| json!([latin1(n), latin1(v)]))
        .collect()
}

/// A body as UTF-8 text when it is valid UTF-8, else base64.
fn body_json(body: &[u8]) -> (Value, &'static str) {
    match std::str::from_utf8(body) {
        Ok(text) => (json!(text), "utf8"),
        Err(_) => (json!(base64(body)), "base64"),
    }
}

/// Standard base64 with padding (RFC 4648 section 4).
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for group in data.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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
trait Printable: Head + Sized {
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
enum HttpSource<H: Printable> {
    Head(HeadDriver<H>),
    Body {
        head: H,
        body: BodyDecoder,
        data: Vec<u8>,
    },
}

impl<H: Printable> HttpSource<H> {
    fn new() -> Self {
        HttpSource::Head(Driver::new(H::head_step as fn() -> HeadStep<H>))
    }
}

impl<H: Printable> Source for HttpSource<H> {
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, HttpError> {
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
struct ChunkedSource {
    body: BodyDecoder,
    start: u64,
    data: Vec<u8>,
}

impl ChunkedSource {
    fn new() -> Self {
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
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, HttpError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(base64(&[0xFF, 0xFE, 0x00]), "//4A");
    }

    #[test]
    fn kind_names_are_snake_case() {
        assert_eq!(snake_case("BadChunkSize"), "bad_chunk_size");
        assert_eq!(snake_case("UriTooLong"), "uri_too_long");
    }
}
