//! Feeding the memcache decoders in pieces, shared by the `memcache_*` tests: a stream is
//! decoded into events (each message, or each rejection with its offset), one shot, at
//! every two-way split and one byte at a time, and all must agree.

#![allow(dead_code)]

use bytes::BytesMut;
use nagrel_protocols::memcache::{
    encode_request, encode_response, MemcacheError, MemcacheErrorKind, Request, RequestDecoder,
    RequestLimits, Response, ResponseDecoder, ResponseLimits,
};

/// One thing a decoder produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<T> {
    /// A message.
    Message(T),
    /// A rejection: its kind and absolute offset.
    Rejected(MemcacheErrorKind, u64),
}

/// A decoder of either direction, as the harness drives it.
pub trait Decode {
    type Message: core::fmt::Debug + PartialEq;
    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Message>, MemcacheError>;
    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Message>, MemcacheError>;
}

impl Decode for RequestDecoder {
    type Message = Request;
    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Request>, MemcacheError> {
        RequestDecoder::decode(self, buf)
    }
    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Request>, MemcacheError> {
        RequestDecoder::decode_eof(self, buf)
    }
}

impl Decode for ResponseDecoder {
    type Message = Response;
    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Response>, MemcacheError> {
        ResponseDecoder::decode(self, buf)
    }
    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Response>, MemcacheError> {
        ResponseDecoder::decode_eof(self, buf)
    }
}

/// Drains what `decoder` can produce from `buf`; false once a fatal rejection ended it.
fn drain<D: Decode>(
    decoder: &mut D,
    buf: &mut BytesMut,
    eof: bool,
    out: &mut Vec<Event<D::Message>>,
) -> bool {
    loop {
        let result = if eof {
            decoder.decode_eof(buf)
        } else {
            decoder.decode(buf)
        };
        match result {
            Ok(Some(m)) => out.push(Event::Message(m)),
            Ok(None) => return true,
            Err(e) => {
                out.push(Event::Rejected(e.kind(), e.offset()));
                if e.is_fatal() {
                    // A failed decoder repeats its error.
                    assert_eq!(decoder.decode(buf).unwrap_err(), e);
                    return false;
                }
            }
        }
    }
}

/// Decodes `input` fed in pieces ending at `cuts` (then the rest, then the end of stream).
pub fn feed<D: Decode>(mut decoder: D, input: &[u8], cuts: &[usize]) -> Vec<Event<D::Message>> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut at = 0;
    for &cut in cuts.iter().chain([&input.len()]) {
        buf.extend_from_slice(&input[at..cut]);
        at = cut;
        if !drain(&mut decoder, &mut buf, false, &mut out) {
            return out;
        }
    }
    drain(&mut decoder, &mut buf, true, &mut out);
    out
}

/// Decodes `input` one shot, at every two-way split and one byte at a time; panics
/// (naming `name`) unless all agree, and returns the one-shot events.
pub fn every_way<D: Decode>(
    name: &str,
    make: impl Fn() -> D,
    input: &[u8],
) -> Vec<Event<D::Message>>
where
    D::Message: PartialEq + core::fmt::Debug,
{
    let whole = feed(make(), input, &[]);
    for i in 1..input.len() {
        let split = feed(make(), input, &[i]);
        assert_eq!(split, whole, "{name}: split at {i} differs from one shot");
    }
    let bytewise: Vec<usize> = (1..input.len()).collect();
    assert_eq!(
        feed(make(), input, &bytewise),
        whole,
        "{name}: bytewise differs from one shot"
    );
    whole
}

/// Requests with these limits, every way.
pub fn requests(name: &str, limits: RequestLimits, input: &[u8]) -> Vec<Event<Request>> {
    every_way(name, || RequestDecoder::new(limits), input)
}

/// Responses with these limits, every way.
pub fn responses(name: &str, limits: ResponseLimits, input: &[u8]) -> Vec<Event<Response>> {
    every_way(name, || ResponseDecoder::new(limits), input)
}

/// Events written compactly: a message as its canonical encoding (escaped), a rejection as
/// `!name@offset`.
pub fn show<T>(events: &[Event<T>], encode: impl Fn(&mut BytesMut, &T)) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::Message(m) => {
                let mut out = BytesMut::new();
                encode(&mut out, m);
                out.escape_ascii().to_string()
            }
            Event::Rejected(kind, at) => format!("!{}@{at}", kind.name()),
        })
        .collect()
}

/// [`show`] for requests.
pub fn show_requests(events: &[Event<Request>]) -> Vec<String> {
    show(events, |out, r| {
        encode_request(out, r).expect("decoded requests re-encode")
    })
}

/// [`show`] for responses.
pub fn show_responses(events: &[Event<Response>]) -> Vec<String> {
    show(events, |out, r| {
        encode_response(out, r).expect("decoded responses re-encode")
    })
}
