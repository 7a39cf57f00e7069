//! Decoding request and response heads.
//!
//! While bytes arrive, a resumable scan finds the line ends (never rescanning) and enforces
//! the line, head and field-count limits; each line is parsed the moment its end arrives,
//! so a head is walked once in all and a bad line is refused as soon as it is complete.
//! Parts are recorded as spans; the head's bytes are split off in one piece at the blank
//! line.

use core::marker::PhantomData;

use bytes::Bytes;
use memchr::memchr;
use nagrel_decoder::{DecodeError, Input, Status, Step};

use super::error::HttpErrorKind;
use super::model::{FieldSpan, Fields, RequestHead, ResponseHead, Span, Version};
use super::scan::{first_non_text, is_text, target_len};

/// Size limits for a head, with the defaults from `http-rules.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadLimits {
    /// Longest request line or status line, CRLF excluded (default 8 KiB; over it: 414).
    pub max_start_line: usize,
    /// Longest header line, CRLF excluded (default 8 KiB; over it: 431).
    pub max_field_line: usize,
    /// Largest whole head, blank line included (default 64 KiB; over it: 431).
    pub max_head: usize,
    /// Most header fields (default 100; over it: 431).
    pub max_fields: usize,
    /// Accept a bare LF as a line end in the start line and header section (RFC 9112
    /// allows it as leniency). Off by default: a bare LF is a 400.
    pub allow_bare_lf: bool,
}

impl Default for HeadLimits {
    fn default() -> Self {
        HeadLimits {
            max_start_line: 8 * 1024,
            max_field_line: 8 * 1024,
            max_head: 64 * 1024,
            max_fields: 100,
            allow_bare_lf: false,
        }
    }
}

/// Decodes one request head (request line, fields, blank line) and consumes it.
///
/// Strict by default (see `http-rules.md`): CRLF line ends, single spaces in the request
/// line, token method and field names, no whitespace before a colon, no obsolete folding,
/// no control bytes in values, exactly one Host in HTTP/1.1. Every rejection is an
/// [`HttpErrorKind`] carried in the toolkit error; convert with
/// [`HttpError::from`](super::HttpError).
pub fn request_head(limits: HeadLimits) -> HeadStep<RequestHead> {
    HeadStep::new(limits)
}

/// Decodes one response head (status line, fields, blank line) and consumes it.
pub fn response_head(limits: HeadLimits) -> HeadStep<ResponseHead> {
    HeadStep::new(limits)
}

/// The step behind [`request_head`] and [`response_head`].
#[derive(Debug)]
pub struct HeadStep<H: Head> {
    limits: HeadLimits,
    /// Where the line being scanned starts, relative to the head's first byte.
    line_start: usize,
    /// How far the current line has been searched for its LF.
    scanned: usize,
    /// The parsed start line, once it is complete.
    start: Option<H::Start>,
    /// The fields parsed so far.
    fields: Vec<FieldSpan>,
    _head: PhantomData<fn() -> H>,
}

impl<H: Head> HeadStep<H> {
    fn new(limits: HeadLimits) -> Self {
        HeadStep {
            limits,
            line_start: 0,
            scanned: 0,
            start: None,
            fields: Vec::new(),
            _head: PhantomData,
        }
    }
}

/// A head type: how to parse its start line, and how to assemble the head.
pub trait Head: Sized {
    /// The parsed start line.
    type Start: core::fmt::Debug;

    /// The rejection for a start line over its limit.
    const START_LINE_TOO_LONG: HttpErrorKind;

    /// Parses the start line (`line` is the head's first line, CRLF excluded). Errors carry
    /// offsets relative to the head's first byte.
    fn parse_start(line: &[u8]) -> Result<Self::Start, (HttpErrorKind, usize)>;

    /// Assembles the head from its parts once the blank line is in.
    fn finish(
        start: Self::Start,
        raw: Bytes,
        fields: Vec<FieldSpan>,
    ) -> Result<Self, (HttpErrorKind, usize)>;
}

impl<H: Head> Step for HeadStep<H> {
    type Output = H;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<H>, DecodeError> {
        let fail = |input: &Input<'_>, kind: HttpErrorKind, at: usize| {
            Err(input.error_at(at, kind.into_decode()))
        };
        loop {
            let bytes = input.bytes();
            let first = self.start.is_none();
            let line_max = if first {
                self.limits.max_start_line
            } else {
                self.limits.max_field_line
            };
            let line_horizon = self.line_start.saturating_add(line_max).saturating_add(2);
            let horizon = bytes.len().min(line_horizon).min(self.limits.max_head);
            let Some(found) = bytes
                .get(self.scanned..horizon)
                .and_then(|b| memchr(b'\n', b))
            else {
                self.scanned = horizon.max(self.scanned);
                if horizon == line_horizon {
                    let kind = if first {
                        H::START_LINE_TOO_LONG
                    } else {
                        HttpErrorKind::HeaderLineTooLong
                    };
                    return fail(input, kind, self.line_start + line_max);
                }
                if horizon == self.limits.max_head {
                    return fail(input, HttpErrorKind::HeadTooLarge, self.limits.max_head);
                }
                return input.wait();
            };
            let lf = self.scanned + found;
            let end = if lf > self.line_start && bytes[lf - 1] == b'\r' {
                lf - 1
            } else if self.limits.allow_bare_lf {
                lf
            } else {
                return fail(input, HttpErrorKind::BareLf, lf);
            };
            if end - self.line_start > line_max {
                let kind = if first {
                    H::START_LINE_TOO_LONG
                } else {
                    HttpErrorKind::HeaderLineTooLong
                };
                return fail(input, kind, self.line_start + line_max);
            }
            if end == self.line_start {
                let Some(start) = self.start.take() else {
                    return fail(input, HttpErrorKind::EmptyStartLine, self.line_start);
                };
                let base = input.offset();
                let raw = input.take(lf + 1)?;
                let fields = core::mem::take(&mut self.fields);
                return match H::finish(start, raw, fields) {
                    Ok(head) => Ok(Status::Ready(head)),
                    Err((kind, at)) => Err(DecodeError::new(
                        kind.into_decode(),
                        base.wrapping_add(at as u64),
                    )),
                };
            }
            let line = &bytes[self.line_start..end];
            let parsed = if first {
                H::parse_start(line).map(|start| self.start = Some(start))
            } else if self.fields.len() == self.limits.max_fields {
                return fail(input, HttpErrorKind::TooManyHeaders, self.line_start);
            } else {
                if self.fields.is_empty() {
                    // One allocation covers a typical head instead of growing step by step.
                    self.fields.reserve(16.min(self.limits.max_fields));
                }
                parse_field(line, self.line_start).map(|field| self.fields.push(field))
            };
            if let Err((kind, at)) = parsed {
                return fail(input, kind, at);
            }
            self.line_start = lf + 1;
            self.scanned = lf + 1;
        }
    }
}

/// `tchar` from RFC 9110 section 5.6.2, as a lookup table.
const TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    t
};

#[inline]
fn token_len(s: &[u8]) -> usize {
    s.iter()
        .position(|&b| !TCHAR[b as usize])
        .unwrap_or(s.len())
}

/// The rejection for a byte that is not [`is_text`].
fn bad_text(b: u8) -> HttpErrorKind {
    if b == b'\r' {
        HttpErrorKind::BareCr
    } else {
        HttpErrorKind::BadHeaderValue
    }
}

/// `HTTP/<digit>.<digit>`: 1.0, 1.1 (and other 1.x, treated as 1.1); 2 and later are not
/// spoken here (505).
fn parse_version(v: &[u8]) -> Result<Version, HttpErrorKind> {
    match *v {
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            match (major, minor) {
                (b'1', b'0') => Ok(Version::Http10),
                (b'1', _) => Ok(Version::Http11),
                (b'0', _) => Err(HttpErrorKind::BadVersion),
                _ => Err(HttpErrorKind::VersionNotSupported),
            }
        }
        _ => Err(HttpErrorKind::BadVersion),
    }
}

/// Parses one header line, `line` (CRLF excluded), which starts `start` bytes into its
/// section.
#[inline]
fn parse_field(line: &[u8], start: usize) -> Result<FieldSpan, (HttpErrorKind, usize)> {
    let end = start + line.len();
    if matches!(line[0], b' ' | b'\t') {
        return Err((HttpErrorKind::ObsoleteFold, start));
    }
    let name_len = token_len(line);
    match line.get(name_len) {
        Some(b':') if name_len > 0 => {}
        Some(b' ' | b'\t') if name_len > 0 => {
            return Err((HttpErrorKind::WhitespaceBeforeColon, start + name_len))
        }
        None => return Err((HttpErrorKind::MissingColon, end)),
        Some(&b) if name_len > 0 && !TCHAR[b as usize] && is_text(b) => {
            return Err((HttpErrorKind::BadHeaderName, start + name_len))
        }
        Some(&b) if !is_text(b) => return Err((bad_text(b), start + name_len)),
        Some(_) => return Err((HttpErrorKind::BadHeaderName, start + name_len)),
    }
    let value = &line[name_len + 1..];
    if let Some(i) = first_non_text(value) {
        return Err((bad_text(value[i]), start + name_len + 1 + i));
    }
    let is_ows = |b: &&u8| **b == b' ' || **b == b'\t';
    let lead = value.iter().take_while(is_ows).count();
    let trail = value[lead..].iter().rev().take_while(is_ows).count();
    Ok(FieldSpan {
        name: Span::new(start..start + name_len),
        value: Span::new(start + name_len + 1 + lead..end - trail),
    })
}

/// Parses header lines at the given bounds of `raw` (for trailer sections).
pub(crate) fn parse_fields(
    raw: &[u8],
    lines: &[(u32, u32)],
) -> Result<Vec<FieldSpan>, (HttpErrorKind, usize)> {
    lines
        .iter()
        .map(|&(start, end)| parse_field(&raw[start as usize..end as usize], start as usize))
        .collect()
}

/// A parsed request line.
#[derive(Debug)]
pub struct RequestLine {
    method: Span,
    target: Span,
    version: Version,
}

impl Head for RequestHead {
    type Start = RequestLine;
    const START_LINE_TOO_LONG: HttpErrorKind = HttpErrorKind::UriTooLong;

    fn parse_start(line: &[u8]) -> Result<RequestLine, (HttpErrorKind, usize)> {
        // method SP request-target SP HTTP-version, single spaces.
        let method_len = token_len(line);
        match line.get(method_len) {
            Some(b' ') if method_len > 0 => {}
            Some(&b) if !is_text(b) => return Err((bad_text(b), method_len)),
            Some(_) if method_len > 0 => return Err((HttpErrorKind::BadMethod, method_len)),
            _ => return Err((HttpErrorKind::BadRequestLine, method_len)),
        }
        let target_start = method_len + 1;
        let target_len = target_len(&line[target_start..]);
        let target_len = match line.get(target_start + target_len) {
            Some(b' ') if target_len > 0 => target_len,
            Some(b'\r') => return Err((HttpErrorKind::BareCr, target_start + target_len)),
            Some(_) if target_len > 0 => {
                return Err((HttpErrorKind::BadTarget, target_start + target_len))
            }
            _ => return Err((HttpErrorKind::BadRequestLine, target_start)),
        };
        let version_start = target_start + target_len + 1;
        let version =
            parse_version(&line[version_start..]).map_err(|kind| (kind, version_start))?;
        Ok(RequestLine {
            method: Span::new(0..method_len),
            target: Span::new(target_start..target_start + target_len),
            version,
        })
    }

    fn finish(
        start: RequestLine,
        raw: Bytes,
        fields: Vec<FieldSpan>,
    ) -> Result<Self, (HttpErrorKind, usize)> {
        if start.version == Version::Http11 {
            let is_host = |f: &&FieldSpan| {
                f.name.end - f.name.start == 4
                    && raw[f.name.start as usize..f.name.end as usize].eq_ignore_ascii_case(b"host")
            };
            if fields.iter().filter(is_host).count() != 1 {
                return Err((HttpErrorKind::BadHost, 0));
            }
        }
        Ok(RequestHead {
            method: start.method,
            target: start.target,
            version: start.version,
            fields: Fields::new(raw, fields),
        })
    }
}

/// A parsed status line.
#[derive(Debug)]
pub struct StatusLine {
    version: Version,
    status: u16,
    reason: Span,
}

impl Head for ResponseHead {
    type Start = StatusLine;
    const START_LINE_TOO_LONG: HttpErrorKind = HttpErrorKind::BadStatusLine;

    fn parse_start(line: &[u8]) -> Result<StatusLine, (HttpErrorKind, usize)> {
        // HTTP-version SP 3DIGIT [SP reason-phrase]; the reason (and its space) may be
        // missing, as servers in the wild omit it.
        let version = match line.get(..8) {
            Some(v) => parse_version(v).map_err(|kind| (kind, 0))?,
            None => return Err((HttpErrorKind::BadStatusLine, 0)),
        };
        let status = match line.get(8..12) {
            Some([b' ', a, b, c]) if [a, b, c].iter().all(|d| d.is_ascii_digit()) => {
                u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0')
            }
            _ => return Err((HttpErrorKind::BadStatusLine, 8)),
        };
        let reason = match line.get(12) {
            None => Span::new(12..12),
            Some(b' ') => {
                if let Some(i) = first_non_text(&line[13..]) {
                    return Err((bad_text(line[13 + i]), 13 + i));
                }
                Span::new(13..line.len())
            }
            Some(_) => return Err((HttpErrorKind::BadStatusLine, 12)),
        };
        Ok(StatusLine {
            version,
            status,
            reason,
        })
    }

    fn finish(
        start: StatusLine,
        raw: Bytes,
        fields: Vec<FieldSpan>,
    ) -> Result<Self, (HttpErrorKind, usize)> {
        Ok(ResponseHead {
            version: start.version,
            status: start.status,
            reason: start.reason,
            fields: Fields::new(raw, fields),
        })
    }
}
