//! The control port: a ZeroMQ REP socket at the server's `control_port`, speaking
//! Mongrel2's control protocol, so a running server can be told things.
//!
//! A request is a tnetstring list `[command, {args}]`; the reply a tnetstring dict, either
//! a table `{"headers": [...], "rows": [[...], ...]}` or an error `{"code": ..., "error":
//! ...}`. Commands: `uuid`, `info`, `time`, `reload` (read the store again), `stop`,
//! `help`, and nagrel's `load` (`{"config": TEXT}`: apply a Mongrel2 config file's text,
//! then store it).
//!
//! `load` exists because sled allows one process per store: while a server runs, `nagrel
//! load` cannot open the store itself, so it finds the server's control endpoint in the
//! store directory ([`ENDPOINT_FILE`]) and sends the configuration there. The server
//! builds the new routing first (so a configuration that cannot be served is refused with
//! the reason, and nothing changes), swaps it in, then imports it into the store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use nagrel_handler::socket::{SocketBuilder, ZmqSender};
use nagrel_handler::zmq;
use nagrel_protocols::tnetstring::{
    decode_tnetstring, encode_tnetstring, Dict, TnetstringLimits, Value,
};

use crate::config::parse::parse_config;
use crate::config::store::Store;
use crate::server::Shared;

/// The file in the store directory that names a running server's control endpoint.
pub const ENDPOINT_FILE: &str = "nagrel-control";

/// Largest control request (a whole config file travels in `load`).
const MAX_REQUEST: usize = 16 * 1024 * 1024;

/// The absolute form of `endpoint`: relative `ipc://` paths resolve against `root` (the
/// server's chroot), as Mongrel2's do after it chroots.
pub fn resolve_endpoint(endpoint: &str, root: &Path) -> String {
    match endpoint.strip_prefix("ipc://") {
        Some(path) if !path.starts_with('/') && !path.starts_with('@') => {
            let absolute = std::path::absolute(root.join(path)).unwrap_or_else(|_| root.join(path));
            format!("ipc://{}", absolute.display())
        }
        _ => endpoint.to_string(),
    }
}

/// A running control port; dropping it removes the endpoint file.
#[derive(Debug)]
pub struct ControlPort {
    endpoint: String,
    marker: PathBuf,
}

impl ControlPort {
    /// The endpoint it is bound at.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl Drop for ControlPort {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.marker);
    }
}

/// Binds the control port at `endpoint` (creating the directory of an `ipc://` path),
/// writes the endpoint file into the store directory `db`, and serves commands on a task.
///
/// # Errors
///
/// The endpoint cannot be bound, or the endpoint file cannot be written.
pub fn start(
    ctx: &zmq::Context,
    endpoint: &str,
    db: &Path,
    store: Store,
    shared: Arc<Shared>,
) -> std::io::Result<ControlPort> {
    if let Some(path) = endpoint.strip_prefix("ipc://") {
        if let Some(dir) = Path::new(path).parent() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let (replies, requests) = SocketBuilder::new(zmq::REP)
        .bind(endpoint)
        .spawn(ctx)
        .map_err(|e| std::io::Error::new(e.kind(), format!("control port {endpoint}: {e}")))?;
    let marker = db.join(ENDPOINT_FILE);
    std::fs::write(&marker, endpoint)?;
    tokio::spawn(serve(requests, replies, store, shared));
    Ok(ControlPort {
        endpoint: endpoint.to_string(),
        marker,
    })
}

async fn serve(
    mut requests: nagrel_handler::ZmqReceiver,
    replies: ZmqSender,
    store: Store,
    shared: Arc<Shared>,
) {
    while let Some(Ok(frames)) = requests.recv().await {
        let request: Vec<u8> = frames.concat();
        let reply = answer(&request, &store, &shared);
        let mut wire = BytesMut::new();
        if encode_tnetstring(&reply, &mut wire).is_err() {
            wire.clear();
            let _ = encode_tnetstring(&error(500, "reply could not be encoded"), &mut wire);
        }
        if replies.send([&wire[..]]).await.is_err() {
            return;
        }
    }
}

/// The reply to one request.
fn answer(request: &[u8], store: &Store, shared: &Shared) -> Value {
    let limits = TnetstringLimits {
        max_size: MAX_REQUEST,
        ..TnetstringLimits::default()
    };
    let parsed = match decode_tnetstring(request, limits) {
        Ok(value) => value,
        Err(e) => return error(400, &format!("malformed request: {e}")),
    };
    let (command, args) = match parsed.as_list() {
        Some([Value::Bytes(name), Value::Dict(args)]) => (name.clone(), args.clone()),
        Some([Value::Bytes(name)]) => (name.clone(), Dict::default()),
        _ => return error(400, "expected [command, {args}]"),
    };
    tracing::info!(command = %String::from_utf8_lossy(&command), "control command");
    match &command[..] {
        b"uuid" => table(&["uuid"], vec![vec![text(&shared.server_uuid())]]),
        b"time" => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            table(
                &["time"],
                vec![vec![Value::Integer(i64::try_from(now).unwrap_or(i64::MAX))]],
            )
        }
        b"info" => {
            let routing = shared.routing();
            table(
                &["uuid", "connections", "default_host"],
                vec![vec![
                    text(&shared.server_uuid()),
                    Value::Integer(i64::try_from(shared.clients.len()).unwrap_or(i64::MAX)),
                    text(routing.table.default_host()),
                ]],
            )
        }
        b"reload" => match store.load() {
            Ok(config) => match shared.reload(&config) {
                Ok(()) => table(&["msg"], vec![vec![text("reloaded")]]),
                Err(e) => error(500, &e.to_string()),
            },
            Err(e) => error(500, &e.to_string()),
        },
        b"load" => load(&args, store, shared),
        b"stop" | b"terminate" => {
            shared.stop();
            table(&["msg"], vec![vec![text("stopping")]])
        }
        b"help" => table(
            &["name", "help"],
            [
                ("uuid", "the server's uuid"),
                ("info", "uuid, open connections, default host"),
                ("time", "the server's clock, unix seconds"),
                ("reload", "read the store again and serve what it holds"),
                (
                    "load",
                    "config=TEXT: serve a Mongrel2 config file's text and store it",
                ),
                ("stop", "stop accepting and exit"),
                ("help", "this list"),
            ]
            .iter()
            .map(|(name, help)| vec![text(name), text(help)])
            .collect(),
        ),
        _ => error(404, "unknown command; try help"),
    }
}

/// `load`: parse, build and swap the routing, then store the configuration.
fn load(args: &Dict, store: &Store, shared: &Shared) -> Value {
    let Some(Value::Bytes(config_text)) = args.get(b"config") else {
        return error(400, "load needs config=TEXT");
    };
    let Ok(config_text) = std::str::from_utf8(config_text) else {
        return error(400, "config is not UTF-8");
    };
    let config = match parse_config(config_text) {
        Ok(config) => config,
        Err(e) => return error(400, &e.to_string()),
    };
    if let Err(e) = shared.reload(&config) {
        return error(409, &format!("not served, nothing changed: {e}"));
    }
    match store.import(&config) {
        Ok(imported) => table(
            &["version"],
            vec![vec![Value::Integer(
                i64::try_from(imported.version).unwrap_or(i64::MAX),
            )]],
        ),
        Err(e) => error(500, &format!("served, but storing failed: {e}")),
    }
}

fn text(s: &str) -> Value {
    Value::Bytes(Bytes::copy_from_slice(s.as_bytes()))
}

fn table(headers: &[&str], rows: Vec<Vec<Value>>) -> Value {
    let mut dict = Dict::default();
    dict.push(
        "headers",
        Value::List(headers.iter().map(|h| text(h)).collect()),
    );
    dict.push(
        "rows",
        Value::List(rows.into_iter().map(Value::List).collect()),
    );
    Value::Dict(dict)
}

fn error(code: i64, message: &str) -> Value {
    let mut dict = Dict::default();
    dict.push("code", Value::Integer(code));
    dict.push("error", text(message));
    Value::Dict(dict)
}

/// Sends `[command, {args}]` to the control port at `endpoint` and waits up to `timeout`
/// for the reply. For `nagrel load` and tests; blocking.
///
/// # Errors
///
/// The endpoint cannot be reached in time, or the reply is not a tnetstring.
pub fn request(
    endpoint: &str,
    command: &str,
    args: Dict,
    timeout: std::time::Duration,
) -> Result<Value, String> {
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::REQ).map_err(|e| e.to_string())?;
    let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    socket.set_linger(0).map_err(|e| e.to_string())?;
    socket.set_rcvtimeo(millis).map_err(|e| e.to_string())?;
    socket.set_sndtimeo(millis).map_err(|e| e.to_string())?;
    socket
        .connect(endpoint)
        .map_err(|e| format!("{endpoint}: {e}"))?;
    let mut wire = BytesMut::new();
    let message = Value::List(vec![text(command), Value::Dict(args)]);
    encode_tnetstring(&message, &mut wire).map_err(|e| e.to_string())?;
    socket
        .send(&wire[..], 0)
        .map_err(|e| format!("sending to {endpoint}: {e}"))?;
    let reply = socket
        .recv_bytes(0)
        .map_err(|e| format!("no answer from {endpoint}: {e}"))?;
    let limits = TnetstringLimits {
        max_size: MAX_REQUEST,
        ..TnetstringLimits::default()
    };
    decode_tnetstring(&reply, limits).map_err(|e| format!("malformed reply: {e}"))
}
