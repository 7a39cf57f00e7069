//! Zero-copy HTTP/1.1 message heads.
//!
//! A decoded head keeps the head's bytes as one [`Bytes`] and records where each part
//! lies in it, so decoding costs one reference count for the whole head instead of one
//! per header. Accessors hand out `&[u8]` slices; [`Fields::field_bytes`] makes an owned
//! `Bytes` of any part without copying.

use core::ops::Range;

use bytes::Bytes;

/// The HTTP version of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `HTTP/1.0`.
    Http10,
    /// `HTTP/1.1` (and any later `HTTP/1.x`, which RFC 9110 says to treat as 1.1).
    Http11,
}

impl Version {
    /// The version as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// Where a part of the head lies in its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) fn new(range: Range<usize>) -> Self {
        // Heads are capped far below 4 GiB by their limit, so offsets fit a u32.
        Span {
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    pub(crate) fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Where one header field's name and value lie in its head. Opaque: only this crate's
/// decoders make them, which also keeps [`Head`](super::Head) implemented by this crate's
/// heads alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpan {
    pub(crate) name: Span,
    pub(crate) value: Span,
}

/// The header fields of a head, in order, names and values as received (values without
/// their surrounding whitespace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    raw: Bytes,
    fields: Vec<FieldSpan>,
}

std::thread_local! {
    /// The span vector of the last head dropped on this thread, kept for the next head
    /// decoded here: a connection decodes a head, serves it, drops it and decodes the
    /// next, so this saves an allocation and a free per head.
    static SPARE_SPANS: core::cell::Cell<Vec<FieldSpan>> = const { core::cell::Cell::new(Vec::new()) };
}

/// The most spans a kept vector may have room for (2 KiB), so a huge head's vector is
/// not held on to.
const MAX_SPARE_SPANS: usize = 128;

/// An empty span vector with room for at least `capacity` spans, reusing this thread's
/// spare one when it is big enough.
pub(crate) fn span_vec(capacity: usize) -> Vec<FieldSpan> {
    let spare = SPARE_SPANS
        .try_with(|spare| spare.take())
        .unwrap_or_default();
    if spare.capacity() >= capacity {
        spare
    } else {
        Vec::with_capacity(capacity)
    }
}

impl Drop for Fields {
    fn drop(&mut self) {
        let cap = self.fields.capacity();
        if cap == 0 || cap > MAX_SPARE_SPANS {
            return;
        }
        let mut spans = core::mem::take(&mut self.fields);
        spans.clear();
        // During thread teardown the slot may be gone; the vector is then just freed.
        let _ = SPARE_SPANS.try_with(|spare| {
            let old = spare.replace(spans);
            drop(old);
        });
    }
}

impl Fields {
    pub(crate) fn new(raw: Bytes, fields: Vec<FieldSpan>) -> Self {
        Fields { raw, fields }
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields in order, as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.fields
            .iter()
            .map(|f| (&self.raw[f.name.range()], &self.raw[f.value.range()]))
    }

    /// The value of the first field named `name` (compared without regard to ASCII case).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// The values of every field named `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// The `i`th field as owned `Bytes`, sharing the head's memory.
    pub fn field_bytes(&self, i: usize) -> Option<(Bytes, Bytes)> {
        let f = self.fields.get(i)?;
        Some((
            self.raw.slice(f.name.range()),
            self.raw.slice(f.value.range()),
        ))
    }
}

/// A decoded request head: request line and header fields.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::Driver;
/// use nagrel_protocols::http::{request_head, HeadLimits, Version};
///
/// let mut driver = Driver::new(|| request_head(HeadLimits::default()));
/// let mut buf = BytesMut::from(&b"GET /a?b HTTP/1.1\r\nHost: example.com\r\n\r\n"[..]);
/// let head = driver.decode(&mut buf).unwrap().unwrap();
/// assert_eq!(head.method(), b"GET");
/// assert_eq!(head.target(), b"/a?b");
/// assert_eq!(head.version(), Version::Http11);
/// assert_eq!(head.fields().get("host"), Some(&b"example.com"[..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub(crate) method: Span,
    pub(crate) target: Span,
    pub(crate) version: Version,
    pub(crate) fields: Fields,
}

impl RequestHead {
    /// The method, a token (`GET`, `POST`, ...), case as received.
    pub fn method(&self) -> &[u8] {
        &self.fields.raw[self.method.range()]
    }

    /// The request target exactly as received (origin form `/path?query`, absolute form,
    /// authority form or `*`).
    pub fn target(&self) -> &[u8] {
        &self.fields.raw[self.target.range()]
    }

    /// The protocol version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The header fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The whole head as received, request line to blank line inclusive.
    pub fn raw(&self) -> &Bytes {
        &self.fields.raw
    }
}

/// A decoded response head: status line and header fields.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::Driver;
/// use nagrel_protocols::http::{response_head, HeadLimits};
///
/// let mut driver = Driver::new(|| response_head(HeadLimits::default()));
/// let mut buf = BytesMut::from(&b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"[..]);
/// let head = driver.decode(&mut buf).unwrap().unwrap();
/// assert_eq!((head.status(), head.reason()), (404, &b"Not Found"[..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub(crate) version: Version,
    pub(crate) status: u16,
    pub(crate) reason: Span,
    pub(crate) fields: Fields,
}

impl ResponseHead {
    /// The protocol version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The three-digit status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase as received (may be empty).
    pub fn reason(&self) -> &[u8] {
        &self.fields.raw[self.reason.range()]
    }

    /// The header fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The whole head as received, status line to blank line inclusive.
    pub fn raw(&self) -> &Bytes {
        &self.fields.raw
    }
}
