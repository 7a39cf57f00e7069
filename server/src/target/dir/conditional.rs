//! Conditional requests (RFC 9110 section 13): entity tags, the four preconditions in their
//! specified order, and `If-Range`.
//!
//! Mongrel2 checks If-Match only against the shape of its tags and lets
//! If-Unmodified-Since be overruled by a failing If-None-Match; here the steps of RFC 9110
//! section 13.2.2 are followed as written: If-Match, else If-Unmodified-Since (412 when
//! they fail), then If-None-Match, else If-Modified-Since (304 when they fail).
//!
//! The entity tag keeps Mongrel2's recipe, modification time and size in hex
//! (`mtime-size`), but is sent quoted as RFC 9110 requires; unquoted tags from clients
//! that stored Mongrel2's bare form still compare equal.

use nagrel_protocols::http::Fields;

use super::date::HttpDate;

/// The validators of one file version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Validators {
    /// The entity tag's opaque part, without quotes.
    pub(super) opaque: String,
    /// Modification time in whole seconds (used for the date preconditions).
    pub(super) modified: HttpDate,
    /// The `Last-Modified` sent: the modification time, but never later than `Date`.
    pub(super) last_modified: HttpDate,
    /// The `Date` of this response.
    pub(super) now: HttpDate,
}

impl Validators {
    /// The validators for a file of `size` bytes last modified at `modified`, in a response
    /// dated `now`.
    pub(super) fn new(modified: HttpDate, size: u64, now: HttpDate) -> Validators {
        Validators {
            opaque: format!("{:x}-{:x}", modified.unix_secs(), size),
            modified,
            last_modified: modified.min(now),
            now,
        }
    }

    /// The `ETag` field value, quoted.
    pub(super) fn etag(&self) -> String {
        format!("\"{}\"", self.opaque)
    }
}

/// What the preconditions decide for a GET or HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Precondition {
    /// Serve the file.
    Proceed,
    /// 304 Not Modified.
    NotModified,
    /// 412 Precondition Failed.
    Failed,
}

/// Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since in the
/// order of RFC 9110 section 13.2.2, for a GET or HEAD of an existing file.
pub(super) fn evaluate(fields: &Fields, v: &Validators) -> Precondition {
    if fields.get("if-match").is_some() {
        let matched = fields
            .get_all("if-match")
            .any(|value| list_matches(value, v.opaque.as_bytes(), Comparison::Strong));
        if !matched {
            return Precondition::Failed;
        }
    } else if let Some(date) = single_date(fields, "if-unmodified-since") {
        if v.modified > date {
            return Precondition::Failed;
        }
    }

    if fields.get("if-none-match").is_some() {
        let matched = fields
            .get_all("if-none-match")
            .any(|value| list_matches(value, v.opaque.as_bytes(), Comparison::Weak));
        if matched {
            return Precondition::NotModified;
        }
    } else if let Some(date) = single_date(fields, "if-modified-since") {
        // A date later than ours is invalid (RFC 7232, and Mongrel2 agrees): ignore it.
        if date <= v.now && v.modified <= date {
            return Precondition::NotModified;
        }
    }
    Precondition::Proceed
}

/// Whether a Range header may be honoured under `If-Range` (RFC 9110 section 13.1.5):
/// yes without one; with one, only if it names this version by a strong entity tag or by
/// exactly its Last-Modified date, and that date is strong (a second or more before Date).
pub(super) fn range_allowed(fields: &Fields, v: &Validators) -> bool {
    let mut values = fields.get_all("if-range");
    let Some(value) = values.next() else {
        return true;
    };
    if values.next().is_some() {
        return false;
    }
    if value.starts_with(b"\"") {
        return list_matches(value, v.opaque.as_bytes(), Comparison::Strong);
    }
    if value.starts_with(b"W/") {
        return false;
    }
    match HttpDate::parse(value) {
        Ok(date) => date == v.last_modified && v.last_modified < v.now,
        // Mongrel2's bare tag form.
        Err(_) => value == v.opaque.as_bytes(),
    }
}

/// The one date in a field that may appear once; absent, repeated or malformed: none
/// (RFC 9110 says to ignore such a field).
fn single_date(fields: &Fields, name: &str) -> Option<HttpDate> {
    let mut values = fields.get_all(name);
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    HttpDate::parse(value).ok()
}

/// How two entity tags are compared (RFC 9110 section 8.8.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    /// Both strong, same opaque part.
    Strong,
    /// Same opaque part.
    Weak,
}

/// Whether an `If-Match`/`If-None-Match` list (`*`, or entity tags separated by commas)
/// matches our strong tag `opaque`. Members that do not parse end the scan unmatched.
fn list_matches(value: &[u8], opaque: &[u8], comparison: Comparison) -> bool {
    let mut rest = value;
    loop {
        rest = trim_start(rest, |b| b == b',' || b == b' ' || b == b'\t');
        if rest.is_empty() {
            return false;
        }
        if rest[0] == b'*' {
            return true;
        }
        let weak = rest.starts_with(b"W/");
        if weak {
            rest = &rest[2..];
        }
        let tag;
        if let Some(quoted) = rest.strip_prefix(b"\"") {
            let Some(end) = quoted.iter().position(|&b| b == b'"') else {
                return false;
            };
            tag = &quoted[..end];
            rest = &quoted[end + 1..];
        } else {
            // Mongrel2's unquoted form: a bare token up to the next separator.
            let end = rest
                .iter()
                .position(|&b| b == b',' || b == b' ' || b == b'\t')
                .unwrap_or(rest.len());
            tag = &rest[..end];
            rest = &rest[end..];
        }
        let comparable = comparison == Comparison::Weak || !weak;
        if comparable && tag == opaque {
            return true;
        }
    }
}

fn trim_start(bytes: &[u8], skip: impl Fn(u8) -> bool) -> &[u8] {
    let start = bytes.iter().position(|&b| !skip(b)).unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;
    use nagrel_protocols::decoder::Driver;
    use nagrel_protocols::http::{request_head, HeadLimits};

    use super::*;

    const OPAQUE: &str = "2ebc1b1-a";

    fn fields(headers: &str) -> Fields {
        let raw = format!("GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n");
        let mut driver = Driver::new(|| request_head(HeadLimits::default()));
        let mut buf = BytesMut::from(raw.as_bytes());
        let head = driver.decode(&mut buf).unwrap().unwrap();
        head.fields().clone()
    }

    fn validators() -> Validators {
        // Modified at 49004977 (0x2ebc1b1), 10 bytes, served a day later.
        let modified = HttpDate::from_unix_secs(0x2ebc1b1);
        Validators::new(modified, 10, HttpDate::from_unix_secs(0x2ebc1b1 + 86_400))
    }

    fn date(secs: i64) -> String {
        HttpDate::from_unix_secs(secs).to_string()
    }

    fn decide(headers: &str) -> Precondition {
        evaluate(&fields(headers), &validators())
    }

    #[test]
    fn etag_is_quoted_hex_mtime_and_size() {
        assert_eq!(validators().opaque, OPAQUE);
        assert_eq!(validators().etag(), format!("\"{OPAQUE}\""));
    }

    #[test]
    fn last_modified_is_never_after_date() {
        let v = Validators::new(
            HttpDate::from_unix_secs(100),
            1,
            HttpDate::from_unix_secs(50),
        );
        assert_eq!(v.last_modified, HttpDate::from_unix_secs(50));
        assert_eq!(v.modified, HttpDate::from_unix_secs(100));
    }

    #[test]
    fn list_parsing() {
        let o = OPAQUE.as_bytes();
        assert!(list_matches(b"*", o, Comparison::Strong));
        assert!(list_matches(b"\"x\", \"2ebc1b1-a\"", o, Comparison::Strong));
        assert!(list_matches(b"\"x\",W/\"2ebc1b1-a\"", o, Comparison::Weak));
        assert!(!list_matches(b"W/\"2ebc1b1-a\"", o, Comparison::Strong));
        assert!(list_matches(b"2ebc1b1-a", o, Comparison::Strong));
        assert!(!list_matches(b"\"2ebc1b1-a", o, Comparison::Weak));
        assert!(!list_matches(b"", o, Comparison::Weak));
        assert!(!list_matches(b" , ,", o, Comparison::Weak));
        assert!(!list_matches(b"\"2ebc1b1-b\"", o, Comparison::Weak));
    }

    #[test]
    fn if_match() {
        assert_eq!(decide("If-Match: \"2ebc1b1-a\"\r\n"), Precondition::Proceed);
        assert_eq!(decide("If-Match: *\r\n"), Precondition::Proceed);
        assert_eq!(decide("If-Match: \"nope\"\r\n"), Precondition::Failed);
        assert_eq!(
            decide("If-Match: W/\"2ebc1b1-a\"\r\n"),
            Precondition::Failed
        );
        assert_eq!(
            decide("If-Match: \"nope\"\r\nIf-Match: \"2ebc1b1-a\"\r\n"),
            Precondition::Proceed
        );
    }

    #[test]
    fn if_unmodified_since() {
        let at = 0x2ebc1b1;
        let h = |secs| format!("If-Unmodified-Since: {}\r\n", date(secs));
        assert_eq!(decide(&h(at)), Precondition::Proceed);
        assert_eq!(decide(&h(at + 1)), Precondition::Proceed);
        assert_eq!(decide(&h(at - 1)), Precondition::Failed);
        assert_eq!(
            decide("If-Unmodified-Since: yesterday\r\n"),
            Precondition::Proceed
        );
        // If-Match present: If-Unmodified-Since is not evaluated.
        let both = format!("If-Match: *\r\n{}", h(at - 1));
        assert_eq!(decide(&both), Precondition::Proceed);
    }

    #[test]
    fn if_none_match() {
        assert_eq!(
            decide("If-None-Match: \"2ebc1b1-a\"\r\n"),
            Precondition::NotModified
        );
        assert_eq!(
            decide("If-None-Match: W/\"2ebc1b1-a\"\r\n"),
            Precondition::NotModified
        );
        assert_eq!(decide("If-None-Match: *\r\n"), Precondition::NotModified);
        assert_eq!(decide("If-None-Match: \"old\"\r\n"), Precondition::Proceed);
    }

    #[test]
    fn if_modified_since() {
        let at = 0x2ebc1b1;
        let h = |secs| format!("If-Modified-Since: {}\r\n", date(secs));
        assert_eq!(decide(&h(at)), Precondition::NotModified);
        assert_eq!(decide(&h(at + 5)), Precondition::NotModified);
        assert_eq!(decide(&h(at - 1)), Precondition::Proceed);
        // Later than Date: invalid, ignored.
        assert_eq!(decide(&h(at + 86_401)), Precondition::Proceed);
        // Repeated: ignored.
        assert_eq!(
            decide(&format!("{}{}", h(at), h(at))),
            Precondition::Proceed
        );
    }

    #[test]
    fn precedence() {
        let at = 0x2ebc1b1;
        // If-None-Match overrides If-Modified-Since.
        let h = format!(
            "If-None-Match: \"old\"\r\nIf-Modified-Since: {}\r\n",
            date(at)
        );
        assert_eq!(decide(&h), Precondition::Proceed);
        // A failing If-Match wins over a matching If-None-Match.
        let h = "If-Match: \"old\"\r\nIf-None-Match: \"2ebc1b1-a\"\r\n";
        assert_eq!(decide(h), Precondition::Failed);
        // A failing If-Unmodified-Since wins too.
        let h = format!(
            "If-Unmodified-Since: {}\r\nIf-None-Match: *\r\n",
            date(at - 1)
        );
        assert_eq!(decide(&h), Precondition::Failed);
    }

    #[test]
    fn if_range() {
        let v = validators();
        let allowed = |h: &str| range_allowed(&fields(h), &v);
        assert!(allowed(""));
        assert!(allowed("If-Range: \"2ebc1b1-a\"\r\n"));
        assert!(allowed("If-Range: 2ebc1b1-a\r\n"));
        assert!(!allowed("If-Range: W/\"2ebc1b1-a\"\r\n"));
        assert!(!allowed("If-Range: \"old\"\r\n"));
        assert!(allowed(&format!("If-Range: {}\r\n", date(0x2ebc1b1))));
        assert!(!allowed(&format!("If-Range: {}\r\n", date(0x2ebc1b1 + 1))));
        assert!(!allowed("If-Range: garbage\r\n"));
        // A Last-Modified in the same second as Date is weak: no range by date.
        let same_second =
            Validators::new(HttpDate::from_unix_secs(7), 10, HttpDate::from_unix_secs(7));
        let h = fields(&format!("If-Range: {}\r\n", date(7)));
        assert!(!range_allowed(&h, &same_second));
    }
}
