//! Proxy targets: requests forwarded to an HTTP/1.1 backend.
//!
//! Mongrel2 forwards the client's raw bytes, with no `x-forwarded-for`, no pooling across
//! clients and no timeouts. Here each request is re-encoded: hop-by-hop fields
//! (`Connection`, `Keep-Alive`, `TE`, `Upgrade`, ...) are dropped, the body is sent with a
//! `Content-Length`, `X-Forwarded-For` gets the client's address appended, and backend
//! connections are pooled per target across clients. The backend's response is decoded
//! with the same strict HTTP decoders as requests (a malformed one is a 502), read whole
//! up to a limit, and re-framed for the client with a `Content-Length`.
//!
//! Failures map to status codes: cannot connect or a bad response, 502; no response
//! within [`RESPONSE_TIMEOUT`], 504. A pooled connection that turns out to be closed is
//! retried once on a fresh one, before any response byte was seen.

use std::sync::Mutex;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{
    encode_request_head, encode_response_head, response_framing, response_head, BodyDecoder,
    BodyEvent, BodyLimits, Framing, HeadLimits, HeadStep, RequestHead, ResponseHead, Version,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::config;
use crate::respond;

/// Longest wait for a backend connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for the whole backend response.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);
/// Idle backend connections kept per target.
const POOL_SIZE: usize = 16;

/// Fields that describe one hop, not the message (RFC 9110 section 7.6.1), plus the
/// framing fields the proxy rewrites.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "proxy-authorization",
];

/// One backend.
#[derive(Debug)]
pub struct ProxyTarget {
    addr: String,
    max_response: u64,
    idle: Mutex<Vec<TcpStream>>,
}

/// Whether the backend answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forwarded {
    /// The response is the backend's.
    Answered,
    /// The response is the proxy's own 502 or 504.
    Failed,
}

/// What [`ProxyTarget::forward`] returns: the response to write, and whose it is.
#[derive(Debug, Clone)]
pub struct ProxyReply {
    /// Whether the backend answered.
    pub outcome: Forwarded,
    /// The complete response for the client.
    pub response: Bytes,
}

impl ProxyReply {
    fn failed(status: u16, keep_alive: bool) -> Self {
        ProxyReply {
            outcome: Forwarded::Failed,
            response: respond::simple(status, keep_alive, &[]),
        }
    }
}

/// Why forwarding failed.
enum Failure {
    /// Could not reach the backend, or it answered nonsense: 502.
    BadGateway,
    /// A pooled connection was closed before answering: try a fresh one.
    Stale,
}

impl ProxyTarget {
    /// A target for the backend in `proxy`; responses over `max_response` bytes are a 502.
    pub fn new(proxy: &config::Proxy, max_response: u64) -> Self {
        ProxyTarget {
            addr: format!("{}:{}", proxy.addr, proxy.port),
            max_response,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// The backend's address, `host:port`.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Forwards one request with its whole `body` and returns the complete response to
    /// write to the client (`Connection: close` in it unless `keep_alive`).
    pub async fn forward(
        &self,
        head: &RequestHead,
        remote_addr: &Bytes,
        body: Bytes,
        keep_alive: bool,
    ) -> ProxyReply {
        let Some(request) = encode_request(head, remote_addr, &body) else {
            return ProxyReply::failed(502, keep_alive);
        };
        let to_head = head.method() == b"HEAD";
        let mut pooled = self.take_idle();
        loop {
            let fresh = pooled.is_none();
            let stream = match pooled.take() {
                Some(stream) => stream,
                None => match self.connect().await {
                    Some(stream) => stream,
                    None => return ProxyReply::failed(502, keep_alive),
                },
            };
            let exchange = self.exchange(stream, &request, to_head);
            match tokio::time::timeout(RESPONSE_TIMEOUT, exchange).await {
                Ok(Ok((head, body, reusable))) => {
                    if let Some(stream) = reusable {
                        self.put_idle(stream);
                    }
                    return match client_response(&head, &body, keep_alive) {
                        Some(response) => ProxyReply {
                            outcome: Forwarded::Answered,
                            response,
                        },
                        None => ProxyReply::failed(502, keep_alive),
                    };
                }
                Ok(Err(Failure::Stale)) if !fresh => continue,
                Ok(Err(Failure::Stale | Failure::BadGateway)) => {
                    return ProxyReply::failed(502, keep_alive)
                }
                Err(_) => return ProxyReply::failed(504, keep_alive),
            }
        }
    }

    async fn connect(&self) -> Option<TcpStream> {
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&self.addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                Some(stream)
            }
            Ok(Err(e)) => {
                tracing::warn!(backend = %self.addr, error = %e, "proxy connect failed");
                None
            }
            Err(_) => {
                tracing::warn!(backend = %self.addr, "proxy connect timed out");
                None
            }
        }
    }

    fn take_idle(&self) -> Option<TcpStream> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn put_idle(&self, stream: TcpStream) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < POOL_SIZE {
            idle.push(stream);
        }
    }

    /// Writes the request and reads the whole response. Returns the stream too when it
    /// can carry another request.
    async fn exchange(
        &self,
        mut stream: TcpStream,
        request: &[u8],
        to_head: bool,
    ) -> Result<(ResponseHead, Bytes, Option<TcpStream>), Failure> {
        if stream.write_all(request).await.is_err() {
            return Err(Failure::Stale);
        }
        let mut buf = BytesMut::with_capacity(8 * 1024);
        let mut seen_any = false;
        let head = loop {
            let head = read_head(&mut stream, &mut buf, &mut seen_any).await?;
            match head.status() {
                // Upgrades cannot pass through a re-framing proxy.
                101 => return Err(Failure::BadGateway),
                // Interim responses (100 Continue, 103 Early Hints): the final one follows.
                100..=199 => continue,
                _ => break head,
            }
        };
        let framing = response_framing(&head, to_head).map_err(|_| Failure::BadGateway)?;
        let limits = BodyLimits {
            max_body: self.max_response,
            ..BodyLimits::default()
        };
        let mut decoder = BodyDecoder::new(framing, limits, 0);
        let mut body = BytesMut::new();
        let mut eof = false;
        loop {
            let event = if eof {
                decoder.decode_eof(&mut buf)
            } else {
                decoder.decode(&mut buf)
            };
            match event {
                Ok(Some(BodyEvent::Data(data))) => body.extend_from_slice(&data),
                Ok(Some(BodyEvent::End(_))) => break,
                Ok(None) if eof => return Err(Failure::BadGateway),
                Ok(None) => {
                    let n = stream
                        .read_buf(&mut buf)
                        .await
                        .map_err(|_| Failure::BadGateway)?;
                    eof = n == 0;
                }
                Err(_) => return Err(Failure::BadGateway),
            }
        }
        let reusable = framing != Framing::UntilClose
            && !eof
            && buf.is_empty()
            && !has_token(head.fields().get_all("connection"), b"close");
        Ok((head, body.freeze(), reusable.then_some(stream)))
    }
}

/// Reads one response head; a connection that closes before its first byte is `Stale`.
async fn read_head(
    stream: &mut TcpStream,
    buf: &mut BytesMut,
    seen_any: &mut bool,
) -> Result<ResponseHead, Failure> {
    let mut driver: Driver<_, HeadStep<ResponseHead>> =
        Driver::new(|| response_head(HeadLimits::default()));
    loop {
        match driver.decode(buf) {
            Ok(Some(head)) => return Ok(head),
            Ok(None) => {}
            Err(_) => return Err(Failure::BadGateway),
        }
        let closed = if *seen_any {
            Failure::BadGateway
        } else {
            Failure::Stale
        };
        match stream.read_buf(buf).await {
            Ok(0) | Err(_) => return Err(closed),
            Ok(_) => *seen_any = true,
        }
    }
}

/// Whether any comma-separated element of `values` is `token` (case-insensitively).
fn has_token<'a>(values: impl Iterator<Item = &'a [u8]>, token: &[u8]) -> bool {
    values
        .flat_map(|v| v.split(|&b| b == b','))
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token))
}

/// Whether a field is hop-by-hop: in the fixed list or named by the message's
/// `Connection` field.
fn is_hop_by_hop(name: &[u8], connection: &[&[u8]]) -> bool {
    HOP_BY_HOP
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h.as_bytes()))
        || connection
            .iter()
            .flat_map(|v| v.split(|&b| b == b','))
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(name))
}

/// The request as the backend gets it, or `None` if it cannot be encoded (which a
/// decoded head cannot cause).
fn encode_request(head: &RequestHead, remote_addr: &Bytes, body: &[u8]) -> Option<BytesMut> {
    let fields = head.fields();
    let connection: Vec<&[u8]> = fields.get_all("connection").collect();
    let mut xff = Vec::new();
    for value in fields.get_all("x-forwarded-for") {
        xff.extend_from_slice(value);
        xff.extend_from_slice(b", ");
    }
    xff.extend_from_slice(remote_addr);
    let length = body.len().to_string();
    let sends_body = !body.is_empty() || matches!(head.method(), b"POST" | b"PUT" | b"PATCH");
    let kept = fields.iter().filter(|(name, _)| {
        !is_hop_by_hop(name, &connection) && !name.eq_ignore_ascii_case(b"x-forwarded-for")
    });
    let added = [
        (&b"X-Forwarded-For"[..], &xff[..]),
        (&b"Content-Length"[..], length.as_bytes()),
    ];
    let added = &added[..if sends_body { 2 } else { 1 }];
    let mut out = BytesMut::with_capacity(head.raw().len() + body.len() + 64);
    encode_request_head(
        &mut out,
        head.method(),
        head.target(),
        Version::Http11,
        kept.chain(added.iter().copied()),
    )
    .ok()?;
    out.extend_from_slice(body);
    Some(out)
}

/// The backend's response re-framed for the client.
fn client_response(head: &ResponseHead, body: &[u8], keep_alive: bool) -> Option<Bytes> {
    let fields = head.fields();
    let connection: Vec<&[u8]> = fields.get_all("connection").collect();
    // A response to HEAD keeps the backend's Content-Length: it describes the GET body.
    let to_head_length = body
        .is_empty()
        .then(|| fields.get("content-length"))
        .flatten();
    let length = body.len().to_string();
    let status = head.status();
    let bodiless = (100..200).contains(&status) || status == 204 || status == 304;
    let mut added: Vec<(&[u8], &[u8])> = Vec::with_capacity(2);
    match to_head_length {
        Some(value) => added.push((b"Content-Length", value)),
        None if !bodiless => added.push((b"Content-Length", length.as_bytes())),
        None => {}
    }
    if !keep_alive {
        added.push((b"Connection", b"close"));
    }
    let kept = fields
        .iter()
        .filter(|(name, _)| !is_hop_by_hop(name, &connection));
    let mut out = BytesMut::with_capacity(head.raw().len() + body.len() + 64);
    encode_response_head(
        &mut out,
        Version::Http11,
        status,
        head.reason(),
        kept.chain(added.iter().copied()),
    )
    .ok()?;
    out.extend_from_slice(body);
    Some(out.freeze())
}
