//! The netstring family's sources: netstrings, tnetstrings, SCGI requests and Mongrel2
//! messages, each a toolkit step run by a [`Driver`].
//!
//! Field names follow each protocol's own terms:
//!
//! | protocol | `kind` | fields |
//! |---|---|---|
//! | netstring | `netstring` | `data`, `data_encoding` |
//! | tnetstring | `tnetstring` | `value` (see [`value_json`]) |
//! | SCGI | `request` | `headers` (`[name, value]` pairs in order), `content_length`, `body`, `body_encoding` |
//! | Mongrel2 request | `request`, `disconnect`, `upload_start`, `upload_done`, `websocket_handshake`, `websocket_frame` or `json` | `sender`, `conn_id`, `path`, `header_format` (`json` or `tnetstring`), `headers` (`[name, value]` pairs in order, a repeated header's value an array), `body`, `body_encoding` (and `file` for uploads) |
//! | Mongrel2 response | `response`, `close` or `control` | `sender`, `ids`, then `body` and `body_encoding`, or `value` for control |
//!
//! Byte strings print as UTF-8 text when they are valid UTF-8; otherwise header-like
//! strings print one character per byte (Latin-1) and bodies and data as base64, said by
//! the `*_encoding` field.

use bytes::{Bytes, BytesMut};
use nagrel_protocols::decoder::{Driver, Step};
use nagrel_protocols::error::{Kind, ProtocolError};
use nagrel_protocols::mongrel2::{
    request, response, HeaderFormat, HeaderValue, Mongrel2ErrorKind, Mongrel2Limits, Request,
    RequestKind, Response, ResponseBody,
};
use nagrel_protocols::netstring::{
    netstring as netstring_step, NetstringErrorKind, NetstringLimits,
};
use nagrel_protocols::scgi::{scgi_request, ScgiErrorKind, ScgiLimits, ScgiRequest};
use nagrel_protocols::tnetstring::{
    tnetstring as tnetstring_step, TnetstringErrorKind, TnetstringLimits, Value as Tnet,
};
use serde_json::{json, Value};

use super::{base64, body_json, latin1, protocol_error_json, Source};

/// A step-built decoder, its protocol's error kind, and how a message prints.
struct StepSource<F, S: Step, K> {
    driver: Driver<F, S>,
    to_json: fn(S::Output) -> Value,
    kind: core::marker::PhantomData<K>,
}

impl<F, S, K> Source for StepSource<F, S, K>
where
    F: FnMut() -> S,
    S: Step,
    K: Kind,
{
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, Value> {
        let message = if eof {
            self.driver.decode_eof(buf)
        } else {
            self.driver.decode(buf)
        };
        match message {
            Ok(message) => Ok(message.map(self.to_json)),
            Err(e) => Err(protocol_error_json(&ProtocolError::<K>::from(e))),
        }
    }
}

fn boxed<F, S, K>(make: F, to_json: fn(S::Output) -> Value) -> Box<dyn Source>
where
    F: FnMut() -> S + 'static,
    S: Step + 'static,
    K: Kind,
{
    Box::new(StepSource::<F, S, K> {
        driver: Driver::new(make),
        to_json,
        kind: core::marker::PhantomData,
    })
}

pub(super) fn netstring() -> Box<dyn Source> {
    boxed::<_, _, NetstringErrorKind>(
        || netstring_step(NetstringLimits::default()),
        |data: Bytes| {
            let (data, encoding) = body_json(&data);
            json!({ "kind": "netstring", "data": data, "data_encoding": encoding })
        },
    )
}

pub(super) fn tnetstring() -> Box<dyn Source> {
    boxed::<_, _, TnetstringErrorKind>(
        || tnetstring_step(TnetstringLimits::default()),
        |value: Tnet| json!({ "kind": "tnetstring", "value": value_json(&value) }),
    )
}

/// A tnetstring value as JSON: byte strings as text (or `{"base64": ...}` when not
/// UTF-8), numbers, booleans, null and lists as themselves, and a dictionary as
/// `{"dict": [[key, value], ...]}` so that its order and any repeated keys survive.
pub(super) fn value_json(value: &Tnet) -> Value {
    match value {
        Tnet::Bytes(b) => match std::str::from_utf8(b) {
            Ok(text) => json!(text),
            Err(_) => json!({ "base64": base64(b) }),
        },
        Tnet::Integer(n) => json!(n),
        Tnet::Float(x) => json!(x),
        Tnet::Bool(b) => json!(b),
        Tnet::Null => Value::Null,
        Tnet::List(items) => items.iter().map(value_json).collect(),
        Tnet::Dict(d) => {
            let entries: Vec<Value> = d
                .iter()
                .map(|(k, v)| json!([value_json(&Tnet::Bytes(k.clone())), value_json(v)]))
                .collect();
            json!({ "dict": entries })
        }
    }
}

pub(super) fn scgi() -> Box<dyn Source> {
    boxed::<_, _, ScgiErrorKind>(
        || scgi_request(ScgiLimits::default()),
        |req: ScgiRequest| {
            let headers: Vec<Value> = req
                .headers()
                .iter()
                .map(|(n, v)| json!([text(n), text(v)]))
                .collect();
            let (body, encoding) = body_json(req.body());
            json!({
                "kind": "request",
                "headers": headers,
                "content_length": req.body().len(),
                "body": body,
                "body_encoding": encoding,
            })
        },
    )
}

/// Header-like bytes: UTF-8 text when valid, else one character per byte.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => latin1(bytes),
    }
}

pub(super) fn m2_request() -> Box<dyn Source> {
    boxed::<_, _, Mongrel2ErrorKind>(|| request(Mongrel2Limits::default()), request_json)
}

fn request_json(req: Request) -> Value {
    let (kind, file) = match req.kind() {
        RequestKind::Http => ("request", None),
        RequestKind::Disconnect => ("disconnect", None),
        RequestKind::UploadStarted(f) => ("upload_start", Some(f)),
        RequestKind::UploadDone(f) => ("upload_done", Some(f)),
        RequestKind::WebSocketHandshake => ("websocket_handshake", None),
        RequestKind::WebSocketFrame => ("websocket_frame", None),
        RequestKind::Json => ("json", None),
    };
    let headers: Vec<Value> = req
        .headers
        .iter()
        .map(|(n, v)| match v {
            HeaderValue::One(v) => json!([text(n), text(v)]),
            HeaderValue::Many(vs) => {
                json!([text(n), vs.iter().map(|v| text(v)).collect::<Vec<_>>()])
            }
        })
        .collect();
    let (body, encoding) = body_json(&req.body);
    let mut out = json!({
        "kind": kind,
        "sender": text(&req.sender),
        "conn_id": req.conn_id,
        "path": text(&req.path),
        "header_format": match req.format {
            HeaderFormat::Json => "json",
            HeaderFormat::Tnetstring => "tnetstring",
        },
        "headers": headers,
        "body": body,
        "body_encoding": encoding,
    });
    if let Some(file) = file {
        out["file"] = json!(text(&file));
    }
    out
}

pub(super) fn m2_response() -> Box<dyn Source> {
    boxed::<_, _, Mongrel2ErrorKind>(|| response(Mongrel2Limits::default()), response_json)
}

fn response_json(resp: Response) -> Value {
    let close = resp.is_close();
    let mut out = json!({ "sender": text(&resp.sender), "ids": resp.ids });
    match resp.body {
        ResponseBody::Control(value) => {
            out["kind"] = json!("control");
            out["value"] = value_json(&value);
        }
        ResponseBody::Data(data) => {
            out["kind"] = json!(if close { "close" } else { "response" });
            let (body, encoding) = body_json(&data);
            out["body"] = body;
            out["body_encoding"] = json!(encoding);
        }
    }
    out
}
