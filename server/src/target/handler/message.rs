//! Building request messages for handlers, as Mongrel2 1.12 lays them out.
//!
//! JSON headers go in Mongrel2's order: `PATH`, `x-forwarded-for`, the client's headers
//! (names lowercased, repeats as a list), then `METHOD`, `VERSION`, `URI`, `QUERY`,
//! `FRAGMENT`, `PATTERN`, `URL_SCHEME`, `REMOTE_ADDR`. Mongrel2 writes its tnetstring
//! dictionary in exactly the reverse order, and so do we, so a handler comparing raw
//! messages sees the same bytes from either server (client headers aside, which Mongrel2
//! orders by its hash table).
//!
//! Server keys are uppercase and client names lowercase, so a client cannot spoof `PATH`
//! or `REMOTE_ADDR`; a client's `x-forwarded-for` is replaced by the peer address unless
//! `no_clobber_xff` is set.

use bytes::{Bytes, BytesMut};
use nagrel_protocols::http::RequestHead;
use nagrel_protocols::mongrel2::{encode_request, HeaderFormat, Headers, Request};

/// What a request message says about one HTTP request, besides its head.
#[derive(Debug, Clone)]
pub struct RequestFacts<'a> {
    /// The matched route as written in the config (`PATTERN`).
    pub pattern: &'a str,
    /// The client's IP address as text (`REMOTE_ADDR`, `x-forwarded-for`).
    pub remote_addr: &'a Bytes,
    /// Keep a client's `x-forwarded-for` instead of writing the peer address.
    pub no_clobber_xff: bool,
}

/// The request target split into path, query and fragment (each without its `?`/`#`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetParts {
    /// Everything before `?` or `#`.
    pub path: Bytes,
    /// After `?`, up to `#`, when there is a `?`.
    pub query: Option<Bytes>,
    /// After `#`, when there is one.
    pub fragment: Option<Bytes>,
}

/// Splits a raw request target (a slice of `head`'s bytes) without copying.
///
/// ```
/// use bytes::Bytes;
/// use nagrel_server::target::handler::message::split_target;
///
/// let t = split_target(&Bytes::from_static(b"/a/b?x=1#top"));
/// assert_eq!(&t.path[..], b"/a/b");
/// assert_eq!(t.query.as_deref(), Some(&b"x=1"[..]));
/// assert_eq!(t.fragment.as_deref(), Some(&b"top"[..]));
/// ```
pub fn split_target(target: &Bytes) -> TargetParts {
    let hash = memchr::memchr(b'#', target);
    let before_hash = hash.unwrap_or(target.len());
    let question = memchr::memchr(b'?', &target[..before_hash]);
    let path_end = question.unwrap_or(before_hash);
    TargetParts {
        path: target.slice(..path_end),
        query: question.map(|q| target.slice(q + 1..before_hash)),
        fragment: hash.map(|h| target.slice(h + 1..)),
    }
}

/// The headers of the request message for `head`, plus `extra` client-style headers
/// (the upload notices' `x-mongrel2-upload-*`), in JSON order.
pub fn request_headers(
    head: &RequestHead,
    target: &TargetParts,
    facts: &RequestFacts<'_>,
    extra: &[(&'static str, Bytes)],
) -> Headers {
    let fields = head.fields();
    let mut headers = Headers::with_capacity(fields.len() + extra.len() + 10);
    headers.push_server("PATH", target.path.clone());
    let keep_client_xff = facts.no_clobber_xff && fields.get("x-forwarded-for").is_some();
    if !keep_client_xff {
        headers.push_server("x-forwarded-for", facts.remote_addr.clone());
    }
    for i in 0..fields.len() {
        let Some((name, value)) = fields.field_bytes(i) else {
            break;
        };
        if !keep_client_xff && name.eq_ignore_ascii_case(b"x-forwarded-for") {
            continue;
        }
        headers.push_client(name, value);
    }
    for (name, value) in extra {
        headers.push_client(Bytes::from_static(name.as_bytes()), value.clone());
    }
    let raw = head.raw();
    headers.push_server("METHOD", raw.slice_ref(head.method()));
    headers.push_server("VERSION", head.version().as_str());
    headers.push_server("URI", raw.slice_ref(head.target()));
    if let Some(query) = &target.query {
        headers.push_server("QUERY", query.clone());
    }
    if let Some(fragment) = &target.fragment {
        headers.push_server("FRAGMENT", fragment.clone());
    }
    headers.push_server("PATTERN", Bytes::copy_from_slice(facts.pattern.as_bytes()));
    headers.push_server("URL_SCHEME", "http");
    headers.push_server("REMOTE_ADDR", facts.remote_addr.clone());
    headers
}

/// One whole request message: `SENDER CONN_ID PATH HEADERS BODY`.
///
/// Fails only when the path is empty or holds a space, which a decoded HTTP request
/// target cannot.
pub fn encode(
    sender: &Bytes,
    conn_id: u64,
    path: Bytes,
    headers: Headers,
    format: HeaderFormat,
    body: Bytes,
) -> Result<BytesMut, nagrel_protocols::decoder::encode::EncodeError> {
    let mut headers = headers;
    if format == HeaderFormat::Tnetstring {
        headers.reverse();
    }
    let request = Request {
        sender: sender.clone(),
        conn_id,
        path,
        headers,
        format,
        body,
    };
    let mut out = BytesMut::new();
    encode_request(&request, &mut out)?;
    Ok(out)
}

/// The disconnect notice for `conn_id`, in `format`.
pub fn disconnect(sender: &Bytes, conn_id: u64, format: HeaderFormat) -> BytesMut {
    let mut notice = Request::disconnect(sender.clone(), conn_id);
    notice.format = format;
    let mut out = BytesMut::new();
    // The notice's fixed path and the handler's non-empty ident always encode.
    if encode_request(&notice, &mut out).is_err() {
        out.clear();
    }
    out
}
