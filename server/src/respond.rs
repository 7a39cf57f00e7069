//! The responses the server writes itself: errors, 503/504, `100 Continue`.
//!
//! Every one is complete (status line, `Content-Type`, `Content-Length`, `Server`, a short
//! text body) so a client can always frame it, and says `Connection: close` when the
//! server closes after it.

use bytes::{BufMut, Bytes, BytesMut};
use std::time::SystemTime;

use nagrel_protocols::decoder::encode::put_decimal;

use crate::target::dir::date::HttpDate;

/// `100 Continue`, for a request that said `Expect: 100-continue`.
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// The standard reason phrase of `status` (`"Unknown"` for codes without one).
pub fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown")
}

/// A small complete response: `status`, a one-line text body naming it, and
/// `Connection: close` unless `keep_alive`. `extra` header lines (`Name: value`, no CRLF)
/// go after the standard ones.
///
/// ```
/// use nagrel_server::respond::simple;
///
/// let r = simple(404, true, &[]);
/// assert!(r.starts_with(b"HTTP/1.1 404 Not Found\r\n"));
/// assert!(r.ends_with(b"\r\n\r\nNot Found\n"));
/// ```
pub fn simple(status: u16, keep_alive: bool, extra: &[&str]) -> Bytes {
    let reason = reason(status);
    let mut out = BytesMut::with_capacity(160 + reason.len());
    out.put_slice(b"HTTP/1.1 ");
    put_decimal(&mut out, u64::from(status));
    out.put_u8(b' ');
    out.put_slice(reason.as_bytes());
    out.put_slice(b"\r\nServer: nagrel\r\nDate: ");
    out.put_slice(HttpDate::from(SystemTime::now()).to_string().as_bytes());
    out.put_slice(b"\r\nContent-Type: text/plain\r\nContent-Length: ");
    put_decimal(&mut out, reason.len() as u64 + 1);
    out.put_slice(b"\r\n");
    if !keep_alive {
        out.put_slice(b"Connection: close\r\n");
    }
    for line in extra {
        out.put_slice(line.as_bytes());
        out.put_slice(b"\r\n");
    }
    out.put_slice(b"\r\n");
    out.put_slice(reason.as_bytes());
    out.put_u8(b'\n');
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_and_extra_headers() {
        let r = simple(503, false, &["Retry-After: 1"]);
        let text = std::str::from_utf8(&r).unwrap();
        assert!(text.contains("\r\nConnection: close\r\n"));
        assert!(text.contains("\r\nRetry-After: 1\r\n\r\nService Unavailable\n"));
        assert!(text.contains("Content-Length: 20\r\n"));
    }
}
