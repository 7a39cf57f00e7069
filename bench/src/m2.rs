//! The `m2` suite: a typical browser request as a Mongrel2 request message, built,
//! encoded and decoded, against the same message built and read with serde_json.
//!
//! The request is `http::req_720` (a 720-byte browser GET, 10 header fields), with the
//! keys a Mongrel2-style server adds (`PATH` first; `METHOD`, `VERSION`, `URI`, `QUERY`,
//! `PATTERN`, `URL_SCHEME`, `REMOTE_ADDR` after the client's headers, whose names are
//! lowercased). Each timed run starts from the parsed HTTP request, as a server has it.
//!
//! | case | ours | peer (`serde_json`) |
//! |---|---|---|
//! | `json` | build [`Headers`], [`encode_request`] with JSON headers, decode it back with the [`request`] step | build an ordered list of keys and values, serialize it with `serde_json::to_writer`, frame the message, then split it and read the headers with `serde_json::from_slice` into a `serde_json::Value` |
//! | `tnetstring` | the same with tnetstring headers | the same as for `json` |
//! | `json_encode` | building and encoding only | building, serializing and framing only |
//! | `json_decode` | decoding only (the message copied into the receive buffer before each run, off the clock) | reading only |
//!
//! Both sides produce byte-identical messages (checked before timing) and report the
//! same tally: header keys and message bytes.

use std::cell::RefCell;
use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{request_head, HeadLimits};
use nagrel_protocols::mongrel2::{
    encode_request, request, HeaderFormat, Headers, Mongrel2Limits, Request,
};
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

use crate::measure::{compare, compare_after, Comparison};
use crate::{Budget, Outcome, Tally};

/// The peer's name in `RESULT` lines.
pub const PEER: &str = "serde_json";

const SENDER: &str = "34f9ceee-cd52-4b7f-b197-88bf2f0ec378";
const CONN_ID: u64 = 1234;

/// A parsed browser request, as a server holds it before talking to a handler.
pub struct Browser {
    path: Bytes,
    method: Bytes,
    uri: Bytes,
    query: Option<Bytes>,
    fields: Vec<(Bytes, Bytes)>,
}

/// `http::req_720` parsed by our HTTP decoder.
pub fn browser() -> Browser {
    let mut buf = BytesMut::from(&crate::http::req_720()[..]);
    let head = Driver::new(|| request_head(HeadLimits::default()))
        .decode(&mut buf)
        .expect("req_720 is valid")
        .expect("req_720 is complete");
    let target = Bytes::copy_from_slice(head.target());
    let (path, query) = match target.iter().position(|&b| b == b'?') {
        Some(q) => (target.slice(..q), Some(target.slice(q + 1..))),
        None => (target.clone(), None),
    };
    Browser {
        path,
        method: Bytes::copy_from_slice(head.method()),
        uri: target,
        query,
        fields: head
            .fields()
            .iter()
            .map(|(n, v)| (Bytes::copy_from_slice(n), Bytes::copy_from_slice(v)))
            .collect(),
    }
}

/// The server's keys after the client's headers, in Mongrel2's order.
fn server_keys(b: &Browser) -> Vec<(&'static str, Bytes)> {
    let mut keys = vec![
        ("METHOD", b.method.clone()),
        ("VERSION", Bytes::from_static(b"HTTP/1.1")),
        ("URI", b.uri.clone()),
    ];
    if let Some(q) = &b.query {
        keys.push(("QUERY", q.clone()));
    }
    keys.extend([
        ("PATTERN", Bytes::from_static(b"/")),
        ("URL_SCHEME", Bytes::from_static(b"http")),
        ("REMOTE_ADDR", Bytes::from_static(b"127.0.0.1")),
    ]);
    keys
}

/// Ours: headers built from the parsed request, encoded into `buf`.
fn ours_encode(buf: &mut BytesMut, b: &Browser, format: HeaderFormat) {
    let mut headers = Headers::with_capacity(b.fields.len() + 8);
    headers.push_server("PATH", b.path.clone());
    for (name, value) in &b.fields {
        headers.push_client(name.clone(), value.clone());
    }
    for (key, value) in server_keys(b) {
        headers.push_server(key, value);
    }
    let req = Request {
        sender: Bytes::from_static(SENDER.as_bytes()),
        conn_id: CONN_ID,
        path: b.path.clone(),
        headers,
        format,
        body: Bytes::new(),
    };
    encode_request(&req, buf).expect("valid request");
}

/// Ours: the message in `buf` decoded.
fn ours_decode(buf: &mut BytesMut) -> Tally {
    let bytes = buf.len();
    let req = Driver::new(|| request(Mongrel2Limits::default()))
        .decode_eof(buf)
        .expect("valid message")
        .expect("complete message");
    Tally {
        items: black_box(req).headers.len(),
        bytes,
    }
}

/// The peer's ordered JSON object: serde_json's own map sorts its keys, so the entries
/// are serialized in order through a map serializer.
struct Ordered<'a>(&'a [(String, Value)]);

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The peer: the same headers as serde_json values (names lowercased, repeats grouped),
/// serialized and framed as a Mongrel2 message into `buf`.
fn peer_encode(buf: &mut BytesMut, json: &mut Vec<u8>, b: &Browser) {
    let text = |v: &Bytes| String::from_utf8_lossy(v).into_owned();
    let mut entries: Vec<(String, Value)> = Vec::with_capacity(b.fields.len() + 8);
    entries.push(("PATH".to_owned(), Value::String(text(&b.path))));
    for (name, value) in &b.fields {
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let value = Value::String(text(value));
        match entries.iter_mut().find(|(n, _)| *n == name) {
            Some((_, Value::Array(values))) => values.push(value),
            Some((_, first)) => *first = Value::Array(vec![first.take(), value]),
            None => entries.push((name, value)),
        }
    }
    for (key, value) in server_keys(b) {
        entries.push((key.to_owned(), Value::String(text(&value))));
    }
    json.clear();
    serde_json::to_writer(&mut *json, &Ordered(&entries)).expect("serializable");
    let head = format!("{SENDER} {CONN_ID} {} {}:", text(&b.path), json.len());
    buf.extend_from_slice(head.as_bytes());
    buf.extend_from_slice(json);
    buf.extend_from_slice(b",0:,");
}

/// The peer: the message in `buf` split at its spaces and netstrings, the headers read by
/// serde_json.
fn peer_decode(buf: &mut BytesMut) -> Tally {
    let msg = buf.split();
    let mut rest = &msg[..];
    for _ in 0..3 {
        let space = rest.iter().position(|&b| b == b' ').expect("space");
        black_box(&rest[..space]);
        rest = &rest[space + 1..];
    }
    let colon = rest.iter().position(|&b| b == b':').expect("colon");
    let len: usize = std::str::from_utf8(&rest[..colon])
        .unwrap()
        .parse()
        .unwrap();
    let json = &rest[colon + 1..colon + 1 + len];
    let headers: Value = serde_json::from_slice(json).expect("valid JSON");
    assert_eq!(rest[colon + 1 + len], b',');
    assert_eq!(&rest[colon + 2 + len..], b"0:,");
    Tally {
        items: headers.as_object().map_or(0, |o| o.len()),
        bytes: msg.len(),
    }
}

fn report_case(report: &mut dyn FnMut(Outcome), case: &'static str, comparison: Comparison) {
    let outcome = Outcome {
        case,
        peer: PEER,
        comparison,
    };
    eprintln!("m2: {outcome}");
    report(outcome);
}

/// Runs every case of the suite.
pub fn run(budget: &Budget, report: &mut dyn FnMut(Outcome)) {
    let b = browser();
    let buf = RefCell::new(BytesMut::with_capacity(4096));
    let json = RefCell::new(Vec::with_capacity(2048));

    // The two sides must write the same JSON message, byte for byte.
    let mut ours_wire = BytesMut::new();
    ours_encode(&mut ours_wire, &b, HeaderFormat::Json);
    let mut peer_wire = BytesMut::new();
    peer_encode(&mut peer_wire, &mut json.borrow_mut(), &b);
    assert_eq!(
        ours_wire, peer_wire,
        "both sides must write the same message"
    );
    let json_wire = ours_wire.clone().freeze();

    let peer_round_trip = || {
        let mut buf = buf.borrow_mut();
        peer_encode(&mut buf, &mut json.borrow_mut(), &b);
        peer_decode(&mut buf)
    };
    for (case, format) in [
        ("json", HeaderFormat::Json),
        ("tnetstring", HeaderFormat::Tnetstring),
    ] {
        eprintln!("m2: measuring {case}");
        let ours = || {
            let mut buf = buf.borrow_mut();
            ours_encode(&mut buf, &b, format);
            ours_decode(&mut buf)
        };
        let (o, p) = (ours(), peer_round_trip());
        assert_eq!(
            o.items, p.items,
            "{case}: both sides must decode the same headers"
        );
        let comparison = compare(budget, ours, peer_round_trip);
        report_case(report, case, comparison);
    }

    eprintln!("m2: measuring json_encode");
    let comparison = compare(
        budget,
        || {
            let mut buf = buf.borrow_mut();
            buf.clear();
            ours_encode(&mut buf, &b, HeaderFormat::Json);
            Tally {
                items: 1,
                bytes: buf.len(),
            }
        },
        || {
            let mut buf = buf.borrow_mut();
            buf.clear();
            peer_encode(&mut buf, &mut json.borrow_mut(), &b);
            Tally {
                items: 1,
                bytes: buf.len(),
            }
        },
    );
    report_case(report, "json_encode", comparison);

    eprintln!("m2: measuring json_decode");
    let receive = || {
        let mut buf = buf.borrow_mut();
        buf.clear();
        buf.extend_from_slice(&json_wire);
    };
    let comparison = compare_after(
        budget,
        (receive, || ours_decode(&mut buf.borrow_mut())),
        (receive, || peer_decode(&mut buf.borrow_mut())),
    );
    report_case(report, "json_decode", comparison);
}
