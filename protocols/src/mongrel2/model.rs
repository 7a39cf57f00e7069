//! The messages of the Mongrel2 handler protocol.

use bytes::Bytes;

use crate::tnetstring::Value;

/// How a request's headers are encoded, the handler's `protocol` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HeaderFormat {
    /// A JSON object inside a netstring (Mongrel2's default).
    #[default]
    Json,
    /// A tnetstring dictionary.
    Tnetstring,
}

/// One header's value: a single string, or every value of a repeated header in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// The header appeared once.
    One(Bytes),
    /// The header appeared more than once.
    Many(Vec<Bytes>),
}

impl HeaderValue {
    /// The first value.
    pub fn first(&self) -> Option<&Bytes> {
        match self {
            HeaderValue::One(v) => Some(v),
            HeaderValue::Many(vs) => vs.first(),
        }
    }

    /// Every value in order.
    pub fn iter(&self) -> impl Iterator<Item = &Bytes> {
        let (one, many) = match self {
            HeaderValue::One(v) => (Some(v), &[][..]),
            HeaderValue::Many(vs) => (None, &vs[..]),
        };
        one.into_iter().chain(many)
    }
}

/// The headers of a request message, in order: the client's (names in lowercase, a
/// repeated name once with all its values) and the server's (`PATH`, `METHOD`, ...).
///
/// ```
/// use nagrel_protocols::mongrel2::{Headers, HeaderValue};
///
/// let mut h = Headers::default();
/// h.push_client("Accept", "text/html");
/// h.push_client("X-Tag", "a");
/// h.push_client("x-tag", "b");
/// h.push_server("METHOD", "GET");
/// assert_eq!(h.get(b"accept").map(|v| &v[..]), Some(&b"text/html"[..]));
/// assert_eq!(h.get_all(b"x-tag").count(), 2);
/// assert_eq!(h.get(b"METHOD").map(|v| &v[..]), Some(&b"GET"[..]));
/// assert_eq!(h.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers {
    entries: Vec<(Bytes, HeaderValue)>,
}

impl Headers {
    /// Headers with room for `n` names.
    pub fn with_capacity(n: usize) -> Self {
        Headers {
            entries: Vec::with_capacity(n),
        }
    }

    /// Adds a client header: the name is lowercased (copied only if it has capitals), and
    /// a name already present gets this value appended to its list.
    pub fn push_client(&mut self, name: impl Into<Bytes>, value: impl Into<Bytes>) {
        let name = lowercase(name.into());
        let value = value.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => match existing {
                HeaderValue::One(first) => {
                    *existing = HeaderValue::Many(vec![core::mem::take(first), value]);
                }
                HeaderValue::Many(values) => values.push(value),
            },
            None => self.entries.push((name, HeaderValue::One(value))),
        }
    }

    /// Adds a key the server writes (`PATH`, `METHOD`, ...) as it is, after the client's.
    pub fn push_server(&mut self, name: impl Into<Bytes>, value: impl Into<Bytes>) {
        self.entries
            .push((name.into(), HeaderValue::One(value.into())));
    }

    /// Adds an entry as it is, after the others: no lowercasing, no grouping (for
    /// decoders, and for servers reordering a built set of headers).
    pub fn push_entry(&mut self, name: Bytes, value: HeaderValue) {
        self.entries.push((name, value));
    }

    /// Reverses the entries' order: Mongrel2 writes its tnetstring headers in the reverse
    /// of its JSON order.
    pub fn reverse(&mut self) {
        self.entries.reverse();
    }

    /// The first value of the first entry named `name` (exactly; client names are
    /// lowercase, server keys uppercase).
    pub fn get(&self, name: &[u8]) -> Option<&Bytes> {
        self.find(name).and_then(HeaderValue::first)
    }

    /// Every value of the entry named `name`.
    pub fn get_all<'a>(&'a self, name: &[u8]) -> impl Iterator<Item = &'a Bytes> + 'a {
        self.find(name).into_iter().flat_map(HeaderValue::iter)
    }

    /// The entry named `name`.
    pub fn find(&self, name: &[u8]) -> Option<&HeaderValue> {
        self.entries
            .iter()
            .find(|(n, _)| n[..] == *name)
            .map(|(_, v)| v)
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, &HeaderValue)> {
        self.entries.iter().map(|(n, v)| (n, v))
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Header names common enough that their lowercase form is kept as a static string
/// instead of being allocated for every request.
const COMMON_NAMES: [&str; 24] = [
    "accept",
    "accept-encoding",
    "accept-language",
    "authorization",
    "cache-control",
    "connection",
    "content-length",
    "content-type",
    "cookie",
    "dnt",
    "expect",
    "host",
    "if-modified-since",
    "if-none-match",
    "origin",
    "pragma",
    "range",
    "referer",
    "sec-fetch-dest",
    "sec-fetch-mode",
    "sec-fetch-site",
    "transfer-encoding",
    "upgrade-insecure-requests",
    "user-agent",
];

/// `name` in ASCII lowercase, copied only when it has an uppercase letter and is not
/// one of the common names.
fn lowercase(name: Bytes) -> Bytes {
    if !name.iter().any(u8::is_ascii_uppercase) {
        return name;
    }
    match COMMON_NAMES
        .iter()
        .find(|common| common.as_bytes().eq_ignore_ascii_case(&name))
    {
        Some(common) => Bytes::from_static(common.as_bytes()),
        None => Bytes::from(name.to_ascii_lowercase()),
    }
}

/// A request message, server to handler: `SENDER CONN_ID PATH HEADERS BODY`.
///
/// Disconnect notices and upload notices are requests too; [`Request::kind`] tells them
/// apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The handler's `send_ident`, as the server wrote it.
    pub sender: Bytes,
    /// The client connection's id.
    pub conn_id: u64,
    /// The request path (`@*` for a disconnect notice).
    pub path: Bytes,
    /// The headers.
    pub headers: Headers,
    /// How the headers were (or are to be) encoded.
    pub format: HeaderFormat,
    /// The body (empty for an upload notice).
    pub body: Bytes,
}

/// What a request message is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestKind {
    /// An HTTP request to answer.
    Http,
    /// The client connection closed (`METHOD` `JSON`, body `{"type":"disconnect"}`).
    Disconnect,
    /// A large body is being written to this temp file; the request's headers come now.
    UploadStarted(Bytes),
    /// The body is complete in this temp file.
    UploadDone(Bytes),
    /// A WebSocket handshake (`METHOD` `WEBSOCKET_HANDSHAKE`); the body is the accept key.
    WebSocketHandshake,
    /// A WebSocket frame (`METHOD` `WEBSOCKET`); `FLAGS` holds the frame's first byte.
    WebSocketFrame,
    /// Another JSON message from the server (`METHOD` `JSON`).
    Json,
}

/// The body of a disconnect notice.
pub(crate) const DISCONNECT_BODY: &[u8] = br#"{"type":"disconnect"}"#;

impl Request {
    /// The request's `METHOD`.
    pub fn method(&self) -> Option<&Bytes> {
        self.headers.get(b"METHOD")
    }

    /// What this message is for.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use nagrel_protocols::mongrel2::{Request, RequestKind};
    ///
    /// let notice = Request::disconnect(Bytes::from("handler-1"), 7);
    /// assert_eq!(notice.kind(), RequestKind::Disconnect);
    /// ```
    pub fn kind(&self) -> RequestKind {
        let method = self.method().map(|m| &m[..]);
        match method {
            Some(b"JSON") if self.body[..] == *DISCONNECT_BODY => RequestKind::Disconnect,
            Some(b"JSON") if is_disconnect_json(&self.body) => RequestKind::Disconnect,
            Some(b"JSON") => RequestKind::Json,
            Some(b"WEBSOCKET_HANDSHAKE") => RequestKind::WebSocketHandshake,
            Some(b"WEBSOCKET") => RequestKind::WebSocketFrame,
            _ => {
                if let Some(file) = self.headers.get(b"x-mongrel2-upload-done") {
                    RequestKind::UploadDone(file.clone())
                } else if let Some(file) = self.headers.get(b"x-mongrel2-upload-start") {
                    RequestKind::UploadStarted(file.clone())
                } else {
                    RequestKind::Http
                }
            }
        }
    }

    /// The disconnect notice for connection `conn_id`, as Mongrel2 sends it.
    pub fn disconnect(sender: Bytes, conn_id: u64) -> Request {
        let mut headers = Headers::with_capacity(1);
        headers.push_server("METHOD", "JSON");
        Request {
            sender,
            conn_id,
            path: Bytes::from_static(b"@*"),
            headers,
            format: HeaderFormat::Json,
            body: Bytes::from_static(DISCONNECT_BODY),
        }
    }
}

/// Whether a JSON body says `"type":"disconnect"`, allowing other spacing than
/// Mongrel2's.
fn is_disconnect_json(body: &[u8]) -> bool {
    let squeezed: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    squeezed == DISCONNECT_BODY
}

/// What a response message carries.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// Bytes to write to every listed connection as they are; empty means "close them
    /// once what is queued is written".
    Data(Bytes),
    /// A control message (ids prefixed `X `): a tnetstring list `[key, value]`, such as
    /// `["ctl", {"credits": 4096}]`.
    Control(Value),
}

/// A response message, handler to server: `SENDER IDS BODY`.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The handler's identity (the server's `recv_ident` subscription prefix).
    pub sender: Bytes,
    /// The connections it goes to.
    pub ids: Vec<u64>,
    /// What to do with them.
    pub body: ResponseBody,
}

impl Response {
    /// Data for the connections `ids`.
    pub fn data(sender: impl Into<Bytes>, ids: Vec<u64>, body: impl Into<Bytes>) -> Self {
        Response {
            sender: sender.into(),
            ids,
            body: ResponseBody::Data(body.into()),
        }
    }

    /// Closes the connections `ids` (an empty body).
    pub fn close(sender: impl Into<Bytes>, ids: Vec<u64>) -> Self {
        Response::data(sender, ids, Bytes::new())
    }

    /// Whether this closes its connections.
    pub fn is_close(&self) -> bool {
        matches!(&self.body, ResponseBody::Data(b) if b.is_empty())
    }
}
