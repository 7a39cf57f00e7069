//! Response heads and the small complete responses the directory target answers with when
//! it does not send a file.

use core::fmt::{self, Write as _};

use bytes::Bytes;

use super::date::HttpDate;
use super::{DirBody, DirResponse};

/// The `Server` field value.
pub(super) const SERVER: &str = "nagrel";

/// The reason phrase sent for each status this target uses.
pub(super) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        412 => "Precondition Failed",
        414 => "URI Too Long",
        416 => "Range Not Satisfiable",
        _ => "Internal Server Error",
    }
}

/// A response head being written: status line, then fields, then the blank line.
pub(super) struct Head {
    text: String,
}

impl Head {
    /// Starts a head with the status line and the fields every response carries.
    pub(super) fn new(status: u16, now: HttpDate) -> Head {
        let mut head = Head {
            text: String::with_capacity(256),
        };
        head.line(format_args!("HTTP/1.1 {status} {}", reason(status)));
        head.field("Date", now);
        head.field("Server", SERVER);
        head
    }

    /// Adds a field. Values come from this module's callers, which only pass numbers,
    /// dates, checked config strings and percent-encoded paths.
    pub(super) fn field(&mut self, name: &str, value: impl fmt::Display) {
        self.line(format_args!("{name}: {value}"));
    }

    fn line(&mut self, args: fmt::Arguments<'_>) {
        // Writing into a String cannot fail.
        let _ = self.text.write_fmt(args);
        self.text.push_str("\r\n");
    }

    /// Ends the head, adding `Connection: close` when the connection will not be kept.
    pub(super) fn finish(mut self, keep_alive: bool) -> Bytes {
        if !keep_alive {
            self.field("Connection", "close");
        }
        self.text.push_str("\r\n");
        Bytes::from(self.text)
    }
}

/// A complete small HTML response for a status without a file: the head (with
/// `Content-Length`, and `extra` fields such as `Allow` or `Location`) and, unless the
/// request was HEAD, the body.
pub(super) fn small(
    status: u16,
    now: HttpDate,
    keep_alive: bool,
    head_only: bool,
    extra: &[(&str, &str)],
) -> DirResponse {
    let reason = reason(status);
    let body = format!(
        "<html><head><title>{status} {reason}</title></head>\
         <body><h1>{status} {reason}</h1></body></html>\n"
    );
    let mut head = Head::new(status, now);
    head.field("Content-Type", "text/html; charset=utf-8");
    head.field("Content-Length", body.len());
    for (name, value) in extra {
        head.field(name, value);
    }
    DirResponse {
        status,
        head: head.finish(keep_alive),
        body: if head_only {
            DirBody::Empty
        } else {
            DirBody::Bytes(Bytes::from(body))
        },
    }
}

/// Appends `bytes` to `out`, percent-encoding every byte that is not visible ASCII
/// (controls, spaces, non-ASCII). `%` itself is kept: the input is an already-encoded
/// request path, and only bytes that could break a header are touched.
pub(super) fn push_header_safe(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        if (0x21..=0x7e).contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Whether `value` may be sent as a field value as is: visible ASCII, spaces and tabs, not
/// empty, no leading or trailing whitespace.
pub(super) fn is_field_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| b == b'\t' || (0x20..=0x7e).contains(&b))
        && !bytes[0].is_ascii_whitespace()
        && !bytes[bytes.len() - 1].is_ascii_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_layout() {
        let mut head = Head::new(200, HttpDate::from_unix_secs(0));
        head.field("Content-Length", 5);
        assert_eq!(
            head.finish(false),
            "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nServer: nagrel\r\n\
             Content-Length: 5\r\nConnection: close\r\n\r\n"
        );
    }

    #[test]
    fn small_responses_are_complete() {
        let r = small(
            404,
            HttpDate::from_unix_secs(0),
            true,
            false,
            &[("Allow", "GET")],
        );
        let DirBody::Bytes(body) = &r.body else {
            panic!("no body");
        };
        let head = std::str::from_utf8(&r.head).unwrap();
        assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())));
        assert!(head.contains("Allow: GET\r\n"));
        assert!(!head.contains("Connection"));
        let r = small(404, HttpDate::from_unix_secs(0), true, true, &[]);
        assert!(matches!(r.body, DirBody::Empty));
    }

    #[test]
    fn header_safe_escapes_controls_and_spaces() {
        let mut out = String::new();
        push_header_safe(&mut out, b"/a b\r\n\xff%20");
        assert_eq!(out, "/a%20b%0D%0A%FF%20");
    }

    #[test]
    fn field_values() {
        assert!(is_field_value("text/html; charset=utf-8"));
        assert!(!is_field_value(""));
        assert!(!is_field_value("text/html\r\nX: y"));
        assert!(!is_field_value(" text/html"));
        assert!(!is_field_value("tëxt"));
    }
}
