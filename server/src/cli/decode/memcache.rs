//! The memcache sources: requests (as a server reads them) and responses (as a client
//! reads them).
//!
//! | input | `kind` | fields |
//! |---|---|---|
//! | requests | the command name (`get`, `gets`, `gat`, `gats`, `set`, `add`, `replace`, `append`, `prepend`, `cas`, `delete`, `incr`, `decr`, `touch`, `stats`, `version`, `verbosity`, `flush_all`, `quit`, `mg`, `ms`, `md`, `ma`, `me`, `mn`) | as in memcached's protocol.txt: `key` or `keys`, `flags`, `exptime`, `bytes`, `cas_unique`, `value` (incr/decr), `level`, `delay`, `args`, `noreply`, and `data` with `data_encoding`; meta commands have `key`, `flags` (each flag as written, e.g. `"T30"`) and, for `ms`, `datalen` and `data` |
//! | responses | `values` (`items`: `key`, `flags`, `cas_unique`, `data`, `data_encoding`), `stats` (`stats`: `[name, value]` pairs), `stored`, `not_stored`, `exists`, `not_found`, `deleted`, `touched`, `ok`, `reset`, `number` (`value`), `version` (`version`), `error_reply`, `client_error`, `server_error` (`message`), `hd`, `en`, `nf`, `ns`, `ex` (`flags`), `va` (`flags`, `data`), `mn`, `me` (`key`, `info`) |
//!
//! A request the server would reject prints the common error object plus `reply` (what
//! memcached answers, or null when it closes without one) and `fatal`. After a
//! recoverable rejection decoding goes on, as a memcached connection does; the command
//! still exits 1. A fatal one (a line over its limit, input ending inside a command)
//! stops.

use bytes::BytesMut;
use nagrel_protocols::memcache::{
    MemcacheError, MetaFlags, Request, RequestDecoder, Response, ResponseDecoder,
};
use serde_json::{json, Value};

use super::{body_json, latin1, Source};

fn error_json(e: &MemcacheError) -> Value {
    json!({
        "kind": "error",
        "error": e.kind().name(),
        "offset": e.offset(),
        "message": e.kind().reason(),
        "reply": e.kind().reply(),
        "fatal": e.is_fatal(),
    })
}

/// Text fields (keys, names): each byte one character, so any byte survives.
fn text(bytes: &[u8]) -> String {
    latin1(bytes)
}

fn flags_json(flags: &MetaFlags) -> Value {
    flags
        .iter()
        .map(|(letter, token)| {
            let mut flag = String::from(char::from(letter));
            flag.push_str(&text(token));
            Value::String(flag)
        })
        .collect()
}

/// Adds `data` and `data_encoding` to `out`.
fn with_data(mut out: Value, data: &[u8]) -> Value {
    let (data, encoding) = body_json(data);
    out["data"] = data;
    out["data_encoding"] = json!(encoding);
    out
}

fn request_json(req: &Request) -> Value {
    let kind = req.name();
    match req {
        Request::Retrieve(r) => {
            let keys: Vec<String> = r.keys.iter().map(text).collect();
            let mut out = json!({ "kind": kind, "keys": keys });
            if let Some(exptime) = r.command.exptime() {
                out["exptime"] = json!(exptime);
            }
            out
        }
        Request::Store(s) => {
            let mut out = json!({
                "kind": kind,
                "key": text(s.key()),
                "flags": s.flags(),
                "exptime": s.exptime(),
                "bytes": s.data().len(),
                "noreply": s.noreply(),
            });
            if let Some(cas) = s.cas() {
                out["cas_unique"] = json!(cas);
            }
            with_data(out, s.data())
        }
        Request::Delete(d) => json!({ "kind": kind, "key": text(&d.key), "noreply": d.noreply }),
        Request::Arithmetic(a) => json!({
            "kind": kind, "key": text(&a.key), "value": a.delta, "noreply": a.noreply,
        }),
        Request::Touch(t) => json!({
            "kind": kind, "key": text(&t.key), "exptime": t.exptime, "noreply": t.noreply,
        }),
        Request::Stats(s) => json!({ "kind": kind, "args": text(&s.args) }),
        Request::Verbosity(v) => json!({ "kind": kind, "level": v.level, "noreply": v.noreply }),
        Request::FlushAll(f) => json!({ "kind": kind, "delay": f.delay, "noreply": f.noreply }),
        Request::MetaGet(m)
        | Request::MetaDelete(m)
        | Request::MetaArithmetic(m)
        | Request::MetaDebug(m) => {
            json!({ "kind": kind, "key": text(m.key()), "flags": flags_json(&m.flags()) })
        }
        Request::MetaSet(m) => {
            let out = json!({
                "kind": kind,
                "key": text(m.key()),
                "datalen": m.data().len(),
                "flags": flags_json(&m.flags()),
            });
            with_data(out, m.data())
        }
        Request::Unknown(line) => json!({ "kind": kind, "line": text(line) }),
        // Version, quit, mn, and commands added to the model later: the name says it all.
        _ => json!({ "kind": kind }),
    }
}

fn response_json(resp: &Response) -> Value {
    let simple = |kind: &str| json!({ "kind": kind });
    let message = |kind: &str, m: &[u8]| json!({ "kind": kind, "message": text(m) });
    match resp {
        Response::Values(values) => {
            let items: Vec<Value> = values
                .iter()
                .map(|v| {
                    let mut item = json!({ "key": text(&v.key), "flags": v.flags });
                    if let Some(cas) = v.cas {
                        item["cas_unique"] = json!(cas);
                    }
                    with_data(item, &v.data)
                })
                .collect();
            json!({ "kind": "values", "items": items })
        }
        Response::Stats(stats) => {
            let stats: Vec<Value> = stats
                .iter()
                .map(|s| json!([text(&s.name), text(&s.value)]))
                .collect();
            json!({ "kind": "stats", "stats": stats })
        }
        Response::Stored => simple("stored"),
        Response::NotStored => simple("not_stored"),
        Response::Exists => simple("exists"),
        Response::NotFound => simple("not_found"),
        Response::Deleted => simple("deleted"),
        Response::Touched => simple("touched"),
        Response::Ok => simple("ok"),
        Response::Reset => simple("reset"),
        Response::Number(n) => json!({ "kind": "number", "value": n }),
        Response::Version(v) => json!({ "kind": "version", "version": text(v) }),
        Response::Error(m) => message("error_reply", m),
        Response::ClientError(m) => message("client_error", m),
        Response::ServerError(m) => message("server_error", m),
        Response::Meta(m) => json!({
            "kind": m.status.as_str().to_ascii_lowercase(),
            "flags": flags_json(&m.flags),
        }),
        Response::MetaValue(v) => with_data(
            json!({ "kind": "va", "flags": flags_json(&v.flags) }),
            &v.data,
        ),
        Response::MetaNoop => simple("mn"),
        Response::MetaDebug(d) => {
            json!({ "kind": "me", "key": text(&d.key), "info": text(&d.info) })
        }
        // Replies added to the model later print as their debug form until named here.
        other => json!({ "kind": "other", "debug": format!("{other:?}") }),
    }
}

/// Requests, going on after recoverable rejections.
pub(super) struct RequestSource {
    decoder: RequestDecoder,
    rejected: bool,
}

impl RequestSource {
    pub(super) fn new() -> Self {
        RequestSource {
            decoder: RequestDecoder::default(),
            rejected: false,
        }
    }
}

impl Source for RequestSource {
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, Value> {
        let request = if eof {
            self.decoder.decode_eof(buf)
        } else {
            self.decoder.decode(buf)
        };
        match request {
            Ok(request) => Ok(request.as_ref().map(request_json)),
            Err(e) if e.is_fatal() => Err(error_json(&e)),
            Err(e) => {
                self.rejected = true;
                Ok(Some(error_json(&e)))
            }
        }
    }

    fn clean(&self) -> bool {
        !self.rejected
    }
}

/// Responses; any error stops.
pub(super) struct ResponseSource {
    decoder: ResponseDecoder,
}

impl ResponseSource {
    pub(super) fn new() -> Self {
        ResponseSource {
            decoder: ResponseDecoder::default(),
        }
    }
}

impl Source for ResponseSource {
    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Value>, Value> {
        let response = if eof {
            self.decoder.decode_eof(buf)
        } else {
            self.decoder.decode(buf)
        };
        response
            .map(|r| r.as_ref().map(response_json))
            .map_err(|e| error_json(&e))
    }
}
