//! `nagrel decode`: decode captured bytes and print one JSON object per message.
//!
//! The same decoders the server uses run over the input fed whole, in N-byte pieces or one
//! byte at a time; the output is identical whatever the feeding, which makes the command
//! both an inspection tool and a check of split-invariance on real captures.

use std::io::{self, Write};

use bytes::BytesMut;
use nagrel_protocols::error::{Kind, ProtocolError};
use nagrel_protocols::http::{RequestHead, ResponseHead};
use serde_json::{json, Value};

mod http;
mod memcache;
mod netstrings;

/// What the input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// HTTP/1.1 requests (head and body), pipelined.
    HttpRequest,
    /// HTTP/1.1 responses (head and body), to requests other than HEAD.
    HttpResponse,
    /// Chunked bodies (RFC 9112 section 7.1), one after another.
    Chunked,
    /// Netstrings, one after another.
    Netstring,
    /// Tnetstrings, one after another.
    Tnetstring,
    /// SCGI requests, one after another.
    Scgi,
    /// Mongrel2 request messages (server to handler), one after another.
    M2Request,
    /// One Mongrel2 response message (handler to server): its body runs to the end of
    /// the input.
    M2Response,
    /// memcache commands (text and meta), as a server reads them; decoding goes on after
    /// a recoverable rejection, as memcached does.
    MemcacheRequest,
    /// memcache replies, as a client reads them.
    MemcacheResponse,
}

/// Decodes every message in `input`, fed `piece` bytes at a time, and writes one JSON line
/// per message to `out`. Returns whether the input decoded cleanly; after an error it
/// writes the error object and stops (memcache requests go on after recoverable ones).
pub fn decode(
    protocol: Protocol,
    input: &[u8],
    piece: usize,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let mut source: Box<dyn Source> = match protocol {
        Protocol::HttpRequest => Box::new(http::HttpSource::<RequestHead>::new()),
        Protocol::HttpResponse => Box::new(http::HttpSource::<ResponseHead>::new()),
        Protocol::Chunked => Box::new(http::ChunkedSource::new()),
        Protocol::Netstring => netstrings::netstring(),
        Protocol::Tnetstring => netstrings::tnetstring(),
        Protocol::Scgi => netstrings::scgi(),
        Protocol::M2Request => netstrings::m2_request(),
        Protocol::M2Response => netstrings::m2_response(),
        Protocol::MemcacheRequest => Box::new(memcache::RequestSource::new()),
        Protocol::MemcacheResponse => Box::new(memcache::ResponseSource::new()),
    };
    feed(source.as_mut(), input, piece, out)
}

/// Something that turns buffered bytes into JSON messages.
trait Source {
    /// The next message, `None` when more input is needed (or, at EOF, when the stream
    /// ended cleanly); an error is the JSON error object to print.
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, Value>;

    /// Whether everything so far decoded without a rejection (a source that goes on after
    /// recoverable ones says so here).
    fn clean(&self) -> bool {
        true
    }
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
            Ok(None) if eof => return Ok(source.clean()),
            Ok(None) => match pieces.next() {
                Some(p) => buf.extend_from_slice(p),
                None => eof = true,
            },
            Err(error) => {
                writeln!(out, "{error}")?;
                return Ok(false);
            }
        }
    }
}

/// The error object every protocol prints: `kind` `error`, the rejection's stable name,
/// the absolute byte offset and a message for people.
fn protocol_error_json<K: Kind>(e: &ProtocolError<K>) -> Value {
    json!({
        "kind": "error",
        "error": e.kind().name(),
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
