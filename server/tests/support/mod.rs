//! Shared pieces of the server tests: starting a server from a config text, a handler
//! written directly on the `zmq` crate (with its own message parser, so the server's
//! encoder is checked by independent code), and raw HTTP over TCP.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nagrel_server::config::parse_config;
use nagrel_server::server::{Selector, Server, Shared};

/// A unique `ipc://` endpoint for this test process.
pub fn endpoint(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir();
    format!(
        "ipc://{}/nagrel-test-{}-{tag}-{n}",
        dir.display(),
        std::process::id()
    )
}

/// Handler endpoints for one test.
pub struct Specs {
    pub send: String,
    pub recv: String,
}

impl Specs {
    pub fn new(tag: &str) -> Self {
        Specs {
            send: endpoint(&format!("{tag}-send")),
            recv: endpoint(&format!("{tag}-recv")),
        }
    }

    /// A `Handler(...)` expression for a config file.
    pub fn handler(&self, protocol: &str) -> String {
        format!(
            "Handler(send_spec='{}', send_ident='54c6755b-9628-40a4-9a2d-cc82a816345e', \
             recv_spec='{}', recv_ident='', protocol='{protocol}')",
            self.send, self.recv
        )
    }
}

/// A config with one server on 127.0.0.1:0, host `localhost`, the given routes
/// (`'path': target` lines) and settings (`"key": value` lines).
pub fn conf(routes: &str, settings: &str, extra: &str) -> String {
    conf_at("./", routes, settings, extra)
}

/// Like [`conf`], with the server's chroot (where relative directory bases resolve) at
/// `root`.
pub fn conf_at(root: &str, routes: &str, settings: &str, extra: &str) -> String {
    format!(
        "{extra}\nmain = Server(uuid='f400bf85-4538-4f7a-8908-67e313d515c2', name='main', \
         bind_addr='127.0.0.1', port=0, chroot='{root}', access_log='/logs/access.log', \
         error_log='/logs/error.log', pid_file='/run/test.pid', default_host='localhost', \
         hosts=[Host(name='localhost', routes={{ {routes} }})])\n\
         settings = {{ {settings} }}\nservers = [main]\n"
    )
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
}

/// Parses `conf`, binds it on 127.0.0.1:0 and serves it on a task.
pub async fn start(conf: &str) -> Running {
    let config = parse_config(conf).expect("test config parses");
    let server = Server::bind(&config, Selector::Only)
        .await
        .expect("server binds");
    let running = Running {
        addr: server.local_addr().expect("local addr"),
        shared: server.shared(),
    };
    tokio::spawn(server.run(std::future::pending()));
    running
}

/// Serves one handler route `path` (headers in `protocol`) with `settings` on a new server,
/// connects a [`RawHandler`] to it and runs `test` with the server's address and the
/// handler, off the runtime's workers.
pub async fn with_handler<T: Send + 'static>(
    tag: &str,
    path: &str,
    protocol: &str,
    settings: &str,
    test: impl FnOnce(SocketAddr, &RawHandler) -> T + Send + 'static,
) -> T {
    let specs = Specs::new(tag);
    let routes = format!("'{path}': {}", specs.handler(protocol));
    let server = start(&conf(&routes, settings, "")).await;
    let addr = server.addr;
    blocking(move || {
        let ctx = zmq::Context::new();
        let handler = RawHandler::connect(&ctx, &specs);
        test(addr, &handler)
    })
    .await
}

/// One request message as a handler sees it.
#[derive(Debug, Clone)]
pub struct Msg {
    pub sender: String,
    pub conn_id: u64,
    pub path: String,
    /// Header names and values in wire order (a repeated header: each value in turn).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub raw: Vec<u8>,
}

impl Msg {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_disconnect(&self) -> bool {
        self.path == "@*" && self.header("METHOD") == Some("JSON")
    }
}

/// Splits `LEN:DATA,` off the front of `input`.
fn netstring(input: &[u8]) -> (&[u8], &[u8]) {
    let colon = input
        .iter()
        .position(|&b| b == b':')
        .expect("netstring length");
    let len: usize = std::str::from_utf8(&input[..colon])
        .unwrap()
        .parse()
        .unwrap();
    let data = &input[colon + 1..colon + 1 + len];
    assert_eq!(input[colon + 1 + len], b',', "netstring terminator");
    (data, &input[colon + 2 + len..])
}

/// Splits a tnetstring off the front: `(payload, tag, rest)`.
fn tnetstring(input: &[u8]) -> (&[u8], u8, &[u8]) {
    let colon = input
        .iter()
        .position(|&b| b == b':')
        .expect("tnetstring length");
    let len: usize = std::str::from_utf8(&input[..colon])
        .unwrap()
        .parse()
        .unwrap();
    let data = &input[colon + 1..colon + 1 + len];
    (data, input[colon + 1 + len], &input[colon + 2 + len..])
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Parses a request message: `SENDER ID PATH HEADERS BODY`, JSON or tnetstring headers.
pub fn parse_request(raw: &[u8]) -> Msg {
    let mut parts = raw.splitn(4, |&b| b == b' ');
    let sender = text(parts.next().unwrap());
    let conn_id = text(parts.next().unwrap()).parse().unwrap();
    let path = text(parts.next().unwrap());
    let rest = parts.next().unwrap();
    let mut headers = Vec::new();
    let (_, tag, _) = tnetstring(rest);
    let body_part = if tag == b',' {
        let (json, rest) = netstring(rest);
        let value: serde_json::Value = serde_json::from_slice(json).expect("headers are JSON");
        // serde_json's map sorts keys: recover wire order from the raw text instead.
        let obj = value.as_object().expect("headers are an object");
        let mut names: Vec<(&String, usize)> = obj
            .keys()
            .map(|k| {
                let quoted = serde_json::to_string(k).unwrap() + ":";
                let at = find(json, quoted.as_bytes()).expect("key in raw JSON");
                (k, at)
            })
            .collect();
        names.sort_by_key(|(_, at)| *at);
        for (name, _) in names {
            match &obj[name] {
                serde_json::Value::String(s) => headers.push((name.clone(), s.clone())),
                serde_json::Value::Array(list) => {
                    for v in list {
                        headers.push((name.clone(), v.as_str().unwrap_or_default().to_string()));
                    }
                }
                other => headers.push((name.clone(), other.to_string())),
            }
        }
        rest
    } else {
        let (mut dict, _, rest) = tnetstring(rest);
        while !dict.is_empty() {
            let (key, _, after_key) = tnetstring(dict);
            let (value, tag, after_value) = tnetstring(after_key);
            if tag == b']' {
                let mut list = value;
                while !list.is_empty() {
                    let (v, _, after) = tnetstring(list);
                    headers.push((text(key), text(v)));
                    list = after;
                }
            } else {
                headers.push((text(key), text(value)));
            }
            dict = after_value;
        }
        rest
    };
    let (body, rest) = netstring(body_part);
    assert!(rest.is_empty(), "bytes after the body netstring");
    Msg {
        sender,
        conn_id,
        path,
        headers,
        body: body.to_vec(),
        raw: raw.to_vec(),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A handler on plain `zmq` sockets: PULL from the server's PUSH, PUB to its SUB.
pub struct RawHandler {
    pull: zmq::Socket,
    publ: zmq::Socket,
}

impl RawHandler {
    /// Connects to `specs` in `ctx` (a fresh context, so it behaves like another process).
    pub fn connect(ctx: &zmq::Context, specs: &Specs) -> Self {
        let pull = ctx.socket(zmq::PULL).unwrap();
        pull.set_linger(0).unwrap();
        pull.connect(&specs.send).unwrap();
        let publ = ctx.socket(zmq::PUB).unwrap();
        publ.set_linger(1000).unwrap();
        publ.connect(&specs.recv).unwrap();
        // PUB/SUB and PUSH/PULL join asynchronously: let both connections settle.
        std::thread::sleep(Duration::from_millis(300));
        RawHandler { pull, publ }
    }

    /// The next message within `timeout`.
    pub fn recv(&self, timeout: Duration) -> Option<Msg> {
        let mut items = [self.pull.as_poll_item(zmq::POLLIN)];
        let n = zmq::poll(&mut items, timeout.as_millis() as i64).unwrap();
        if n == 0 {
            return None;
        }
        let raw = self.pull.recv_bytes(0).unwrap();
        Some(parse_request(&raw))
    }

    /// The next message that is not a disconnect notice.
    pub fn recv_request(&self, timeout: Duration) -> Msg {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self.recv(left).expect("a request within the timeout");
            if !msg.is_disconnect() {
                return msg;
            }
        }
    }

    /// Sends `body` to connections `ids`: `SENDER LEN:IDS, BODY`.
    pub fn reply(&self, sender: &str, ids: &[u64], body: &[u8]) {
        let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
        let ids = ids.join(" ");
        let mut wire = format!("{sender} {}:{ids}, ", ids.len()).into_bytes();
        wire.extend_from_slice(body);
        self.publ.send(wire, 0).unwrap();
    }

    /// Replies with a whole HTTP response carrying `body`.
    pub fn respond(&self, msg: &Msg, body: &str) {
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.reply(&msg.sender, &[msg.conn_id], response.as_bytes());
    }
}

/// A raw HTTP client connection.
pub struct Raw {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Raw {
    pub fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Raw {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Reads one response framed by Content-Length: `(status, head, body)`.
    pub fn response(&mut self) -> (u16, String, Vec<u8>) {
        let head_end = loop {
            if let Some(at) = find(&self.buf, b"\r\n\r\n") {
                break at + 4;
            }
            self.fill();
        };
        let head = text(&self.buf[..head_end]);
        let status = head[9..12].parse().unwrap();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())
                    .flatten()
            })
            .unwrap_or(0);
        while self.buf.len() < head_end + length {
            self.fill();
        }
        let body = self.buf[head_end..head_end + length].to_vec();
        self.buf.drain(..head_end + length);
        (status, head, body)
    }

    fn fill(&mut self) {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).expect("read from server");
        assert!(
            n > 0,
            "server closed the connection; buffered: {:?}",
            text(&self.buf)
        );
        self.buf.extend_from_slice(&chunk[..n]);
    }

    /// Whether the server closed the connection (reads EOF within the timeout).
    pub fn closed(&mut self) -> bool {
        let mut chunk = [0u8; 1024];
        matches!(self.stream.read(&mut chunk), Ok(0))
    }
}

/// A `ureq` agent that reports statuses instead of failing on them.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// Runs blocking test code (zmq, ureq, raw TCP) off the runtime's workers.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking part")
}
