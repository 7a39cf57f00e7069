//! The stored form of each record: a tnetstring dictionary per value, big-endian ids as
//! keys so a tree iterates in insertion (file) order.
//!
//! The layout is tabled in the [`store`](super) module docs.

use bytes::{Bytes, BytesMut};
use nagrel_protocols::mongrel2::HeaderFormat;
use nagrel_protocols::tnetstring::{
    decode_tnetstring, encode_tnetstring, Dict, TnetstringLimits, Value,
};

use super::error::StoreError;
use crate::config::model::{Dir, Handler, Host, Proxy, Server};

/// Records are small; this only bounds what a damaged store can make the decoder do.
const LIMITS: TnetstringLimits = TnetstringLimits {
    max_size: 64 << 20,
    max_depth: 4,
};

/// The key of record `id`.
pub(crate) fn id_key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

/// A record's id from its key.
pub(crate) fn parse_id(tree: &'static str, key: &[u8]) -> Result<u64, StoreError> {
    <[u8; 8]>::try_from(key)
        .map(u64::from_be_bytes)
        .map_err(|_| corrupt(tree, key, "the key is not an 8-byte id"))
}

/// A corrupt-record error for `key` in `tree`.
pub(crate) fn corrupt(tree: &'static str, key: &[u8], reason: impl Into<String>) -> StoreError {
    let key = match <[u8; 8]>::try_from(key) {
        Ok(id) if !key.iter().all(u8::is_ascii_graphic) => u64::from_be_bytes(id).to_string(),
        _ => String::from_utf8_lossy(key).into_owned(),
    };
    StoreError::Corrupt {
        tree,
        key,
        reason: reason.into(),
    }
}

/// `value` as tnetstring bytes.
pub(crate) fn encode(tree: &'static str, key: &[u8], value: &Value) -> Result<Vec<u8>, StoreError> {
    let mut out = BytesMut::new();
    encode_tnetstring(value, &mut out).map_err(|err| corrupt(tree, key, err.to_string()))?;
    Ok(out.to_vec())
}

fn text(s: &str) -> Value {
    Value::Bytes(Bytes::copy_from_slice(s.as_bytes()))
}

fn int(n: u64) -> Value {
    // Every number stored (ports, ttls, ids, versions) is far below i64::MAX.
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

fn dict(fields: Vec<(&str, Value)>) -> Value {
    let mut d = Dict::default();
    for (name, value) in fields {
        d.push(name, value);
    }
    Value::Dict(d)
}

/// A byte string record (a setting value, a mimetype) or an integer (`meta` counters).
pub(crate) fn text_value(s: &str) -> Value {
    text(s)
}

/// See [`text_value`].
pub(crate) fn int_value(n: u64) -> Value {
    int(n)
}

/// A stored byte string, as text.
pub(crate) fn text_from(
    tree: &'static str,
    key: &[u8],
    bytes: &[u8],
) -> Result<String, StoreError> {
    match decode_tnetstring(bytes, LIMITS) {
        Ok(Value::Bytes(b)) => {
            String::from_utf8(b.to_vec()).map_err(|_| corrupt(tree, key, "the text is not UTF-8"))
        }
        Ok(_) => Err(corrupt(tree, key, "expected a byte string")),
        Err(err) => Err(corrupt(tree, key, err.to_string())),
    }
}

/// A stored non-negative integer.
pub(crate) fn int_from(tree: &'static str, key: &[u8], bytes: &[u8]) -> Result<u64, StoreError> {
    match decode_tnetstring(bytes, LIMITS) {
        Ok(Value::Integer(n)) => {
            u64::try_from(n).map_err(|_| corrupt(tree, key, "negative number"))
        }
        Ok(_) => Err(corrupt(tree, key, "expected an integer")),
        Err(err) => Err(corrupt(tree, key, err.to_string())),
    }
}

/// What a route or the maintenance filter points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetKind {
    Handler,
    Dir,
    Proxy,
}

impl TargetKind {
    /// The `target_type` text, as in Mongrel2's `route` table.
    fn name(self) -> &'static str {
        match self {
            TargetKind::Handler => "handler",
            TargetKind::Dir => "dir",
            TargetKind::Proxy => "proxy",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "handler" => Some(TargetKind::Handler),
            "dir" => Some(TargetKind::Dir),
            "proxy" => Some(TargetKind::Proxy),
            _ => None,
        }
    }
}

/// A decoded dictionary record and where it came from, for typed field access.
pub(crate) struct Record<'k> {
    tree: &'static str,
    key: &'k [u8],
    dict: Dict,
}

impl<'k> Record<'k> {
    /// Decodes the record at `key` in `tree`.
    pub(crate) fn decode(
        tree: &'static str,
        key: &'k [u8],
        bytes: &[u8],
    ) -> Result<Self, StoreError> {
        match decode_tnetstring(bytes, LIMITS) {
            Ok(Value::Dict(dict)) => Ok(Record { tree, key, dict }),
            Ok(_) => Err(corrupt(tree, key, "expected a dictionary")),
            Err(err) => Err(corrupt(tree, key, err.to_string())),
        }
    }

    fn error(&self, reason: String) -> StoreError {
        corrupt(self.tree, self.key, reason)
    }

    fn field(&self, name: &str) -> Result<&Value, StoreError> {
        self.dict
            .get(name.as_bytes())
            .ok_or_else(|| self.error(format!("field '{name}' is missing")))
    }

    fn str(&self, name: &str) -> Result<String, StoreError> {
        match self.field(name)? {
            Value::Bytes(b) => String::from_utf8(b.to_vec())
                .map_err(|_| self.error(format!("field '{name}' is not UTF-8"))),
            _ => Err(self.error(format!("field '{name}' is not a string"))),
        }
    }

    fn uint<T: TryFrom<i64>>(&self, name: &str) -> Result<T, StoreError> {
        match self.field(name)? {
            Value::Integer(n) => {
                T::try_from(*n).map_err(|_| self.error(format!("field '{name}' is out of range")))
            }
            _ => Err(self.error(format!("field '{name}' is not an integer"))),
        }
    }

    fn bool(&self, name: &str) -> Result<bool, StoreError> {
        match self.field(name)? {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.error(format!("field '{name}' is not a boolean"))),
        }
    }

    fn target_kind(&self) -> Result<TargetKind, StoreError> {
        let name = self.str("target_type")?;
        TargetKind::from_name(&name)
            .ok_or_else(|| self.error(format!("unknown target_type '{name}'")))
    }
}

pub(crate) fn server_value(server: &Server) -> Value {
    dict(vec![
        ("uuid", text(&server.uuid)),
        ("name", text(&server.name)),
        ("bind_addr", text(&server.bind_addr)),
        ("port", int(server.port.into())),
        ("default_host", text(&server.default_host)),
        ("access_log", text(&server.access_log)),
        ("error_log", text(&server.error_log)),
        ("chroot", text(&server.chroot)),
        ("pid_file", text(&server.pid_file)),
        ("control_port", text(&server.control_port)),
        ("use_ssl", Value::Bool(server.use_ssl)),
    ])
}

/// A server without its hosts.
pub(crate) fn server_from(record: &Record<'_>) -> Result<Server, StoreError> {
    Ok(Server {
        uuid: record.str("uuid")?,
        name: record.str("name")?,
        bind_addr: record.str("bind_addr")?,
        port: record.uint("port")?,
        default_host: record.str("default_host")?,
        access_log: record.str("access_log")?,
        error_log: record.str("error_log")?,
        chroot: record.str("chroot")?,
        pid_file: record.str("pid_file")?,
        control_port: record.str("control_port")?,
        use_ssl: record.bool("use_ssl")?,
        hosts: Vec::new(),
    })
}

pub(crate) fn host_value(server_id: u64, host: &Host) -> Value {
    dict(vec![
        ("server", int(server_id)),
        ("name", text(&host.name)),
        ("matching", text(&host.matching)),
    ])
}

/// A host without its routes, and its server's id.
pub(crate) fn host_from(record: &Record<'_>) -> Result<(u64, Host), StoreError> {
    Ok((
        record.uint("server")?,
        Host {
            name: record.str("name")?,
            matching: record.str("matching")?,
            routes: Vec::new(),
        },
    ))
}

/// A route's fields: its host, path and target reference.
pub(crate) struct RouteRecord {
    pub(crate) host: u64,
    pub(crate) path: String,
    pub(crate) target: (TargetKind, u64),
}

pub(crate) fn route_value(host_id: u64, path: &str, target: (TargetKind, u64)) -> Value {
    dict(vec![
        ("host", int(host_id)),
        ("path", text(path)),
        ("target_type", text(target.0.name())),
        ("target", int(target.1)),
    ])
}

pub(crate) fn route_from(record: &Record<'_>) -> Result<RouteRecord, StoreError> {
    Ok(RouteRecord {
        host: record.uint("host")?,
        path: record.str("path")?,
        target: (record.target_kind()?, record.uint("target")?),
    })
}

/// The maintenance target reference kept in `meta`.
pub(crate) fn target_ref_value(target: (TargetKind, u64)) -> Value {
    dict(vec![
        ("target_type", text(target.0.name())),
        ("target", int(target.1)),
    ])
}

pub(crate) fn target_ref_from(record: &Record<'_>) -> Result<(TargetKind, u64), StoreError> {
    Ok((record.target_kind()?, record.uint("target")?))
}

pub(crate) fn handler_value(handler: &Handler) -> Value {
    let protocol = match handler.protocol {
        HeaderFormat::Json => "json",
        HeaderFormat::Tnetstring => "tnetstring",
    };
    dict(vec![
        ("send_spec", text(&handler.send_spec)),
        ("send_ident", text(&handler.send_ident)),
        ("recv_spec", text(&handler.recv_spec)),
        ("recv_ident", text(&handler.recv_ident)),
        ("raw_payload", Value::Bool(handler.raw_payload)),
        ("protocol", text(protocol)),
    ])
}

pub(crate) fn handler_from(record: &Record<'_>) -> Result<Handler, StoreError> {
    let protocol = match record.str("protocol")?.as_str() {
        "json" => HeaderFormat::Json,
        "tnetstring" => HeaderFormat::Tnetstring,
        other => return Err(record.error(format!("unknown protocol '{other}'"))),
    };
    Ok(Handler {
        send_spec: record.str("send_spec")?,
        send_ident: record.str("send_ident")?,
        recv_spec: record.str("recv_spec")?,
        recv_ident: record.str("recv_ident")?,
        raw_payload: record.bool("raw_payload")?,
        protocol,
    })
}

pub(crate) fn dir_value(dir: &Dir) -> Value {
    dict(vec![
        ("base", text(&dir.base)),
        ("index_file", text(&dir.index_file)),
        ("default_ctype", text(&dir.default_ctype)),
        ("cache_ttl", int(dir.cache_ttl.into())),
    ])
}

pub(crate) fn dir_from(record: &Record<'_>) -> Result<Dir, StoreError> {
    Ok(Dir {
        base: record.str("base")?,
        index_file: record.str("index_file")?,
        default_ctype: record.str("default_ctype")?,
        cache_ttl: record.uint("cache_ttl")?,
    })
}

pub(crate) fn proxy_value(proxy: &Proxy) -> Value {
    dict(vec![
        ("addr", text(&proxy.addr)),
        ("port", int(proxy.port.into())),
    ])
}

pub(crate) fn proxy_from(record: &Record<'_>) -> Result<Proxy, StoreError> {
    Ok(Proxy {
        addr: record.str("addr")?,
        port: record.uint("port")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let handler = Handler {
            send_spec: "tcp://127.0.0.1:9997".into(),
            send_ident: "id".into(),
            recv_spec: "tcp://127.0.0.1:9996".into(),
            recv_ident: String::new(),
            raw_payload: true,
            protocol: HeaderFormat::Tnetstring,
        };
        let bytes = encode("handlers", b"k", &handler_value(&handler)).unwrap();
        let record = Record::decode("handlers", b"k", &bytes).unwrap();
        assert_eq!(handler_from(&record).unwrap(), handler);

        let bytes = encode("routes", b"k", &route_value(3, "/x/", (TargetKind::Dir, 9))).unwrap();
        let route = route_from(&Record::decode("routes", b"k", &bytes).unwrap()).unwrap();
        assert_eq!(
            (route.host, route.path.as_str(), route.target),
            (3, "/x/", (TargetKind::Dir, 9))
        );
    }

    #[test]
    fn damaged_records_are_typed_errors() {
        let key = id_key(7);
        let err = Record::decode("proxies", &key, b"3:abc,").err().unwrap();
        assert_eq!(
            err.to_string(),
            "config store record proxies/7 is corrupt: expected a dictionary"
        );
        let bytes = encode("proxies", &key, &dict(vec![("addr", text("h"))])).unwrap();
        let record = Record::decode("proxies", &key, &bytes).unwrap();
        let err = proxy_from(&record).unwrap_err();
        assert!(
            err.to_string().ends_with("field 'port' is missing"),
            "{err}"
        );
        let bytes = encode(
            "proxies",
            &key,
            &dict(vec![("addr", text("h")), ("port", int(70_000))]),
        )
        .unwrap();
        let record = Record::decode("proxies", &key, &bytes).unwrap();
        assert!(proxy_from(&record)
            .unwrap_err()
            .to_string()
            .ends_with("out of range"));
        assert!(Record::decode("proxies", &key, b"garbage").is_err());
        assert!(parse_id("hosts", b"short").is_err());
        assert!(int_from("meta", b"version", b"2:-1#").is_err());
        assert_eq!(text_from("settings", b"k", b"1:x,").unwrap(), "x");
    }
}
