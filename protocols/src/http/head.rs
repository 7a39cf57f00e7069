//! Decoding request and response heads.
//!
//! Two passes, each linear. While bytes arrive, a resumable scan finds the line ends (never
//! rescanning) and enforces the line, head and field-count limits before anything is
//! parsed. Once the blank line is in, one pass over the complete head parses the start line
//! and the fields at the line bounds the scan recorded.

use core::marker::PhantomData;

use bytes::Bytes;
use memchr::memchr;
use nagrel_decoder::{DecodeError, Input, Status, Step};

use super::error::HttpErrorKind;
use super::model::{FieldSpan, Fields, RequestHead, ResponseHead, Span, Version};

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
pub struct HeadStep<H> {
    limits: HeadLimits,
    /// Where the line being scanned starts, relative to the head's first byte.
    line_start: usize,
    /// How far the current line has been searched for its LF.
    scanned: usize,
    /// Content bounds (line end excluded) of the lines seen so far.
    lines: Vec<(u32, u32)>,
    _head: PhantomData<fn() -> H>,
}

impl<H> HeadStep<H> {
    fn new(limits: HeadLimits) -> Self {
        HeadStep {
            limits,
            line_start: 0,
            scanned: 0,
            lines: Vec::new(),
            _head: PhantomData,
        }
    }
}

/// A head type: how to parse the complete head once its lines are known.
pub trait Head: Sized {
    /// The rejection for a start line over its limit.
    const START_LINE_TOO_LONG: HttpErrorKind;

    /// Parses a complete head. Errors carry offsets relative to the head's first byte.
    fn parse(raw: Bytes, lines: &[(u32, u32)]) -> Result<Self, (HttpErrorKind, usize)>;
}

impl<H: Head> Step for HeadStep<H> {
    type Output = H;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<H>, DecodeError> {
        let fail = |input: &Input<'_>, kind: HttpErrorKind, at: usize| {
            Err(input.error_at(at, kind.into_decode()))
        };
        loop {
            let bytes = input.bytes();
            let first = self.lines.is_empty();
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
                if first {
                    return fail(input, HttpErrorKind::EmptyStartLine, self.line_start);
                }
                let base = input.offset();
                let raw = input.take(lf + 1)?;
                return match H::parse(raw, &self.lines) {
                    Ok(head) => Ok(Status::Ready(head)),
                    Err((kind, at)) => Err(DecodeError::new(
                        kind.into_decode(),
                        base.wrapping_add(at as u64),
                    )),
                };
            }
            if self.lines.len() > self.limits.max_fields {
                return fail(input, HttpErrorKind::TooManyHeaders, self.line_start);
            }
            self.lines.push((self.line_start as u32, end as u32));
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

/// A field value or reason phrase byte: HTAB, SP, visible ASCII or obs-text.
#[inline]
fn is_text(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7F)
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

/// Parses the header lines (all but the start line).
pub(crate) fn parse_fields(
    raw: &[u8],
    lines: &[(u32, u32)],
) -> Result<Vec<FieldSpan>, (HttpErrorKind, usize)> {
    let mut fields = Vec::with_capacity(lines.len());
    for &(start, end) in lines {
        let (start, end) = (start as usize, end as usize);
        let line = &raw[start..end];
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
        if let Some(i) = value.iter().position(|&b| !is_text(b)) {
            return Err((bad_text(value[i]), start + name_len + 1 + i));
        }
        let lead = value
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let trail = value[lead..]
            .iter()
            .rev()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let value_start = start + name_len + 1 + lead;
        fields.push(FieldSpan {
            name: Span::new(start..start + name_len),
            value: Span::new(value_start..end - trail),
        });
    }
    Ok(fields)
}

impl Head for RequestHead {
    const START_LINE_TOO_LONG: HttpErrorKind = HttpErrorKind::UriTooLong;

    fn parse(raw: Bytes, lines: &[(u32, u32)]) -> Result<Self, (HttpErrorKind, usize)> {
        let (start, end) = (lines[0].0 as usize, lines[0].1 as usize);
        let line = &raw[start..end];
        // method SP request-target SP HTTP-version, single spaces.
        let method_len = token_len(line);
        match line.get(method_len) {
            Some(b' ') if method_len > 0 => {}
            Some(&b) if !is_text(b) => return Err((bad_text(b), method_len)),
            Some(_) if method_len > 0 => return Err((HttpErrorKind::BadMethod, method_len)),
            _ => return Err((HttpErrorKind::BadRequestLine, method_len)),
        }
        let target_start = method_len + 1;
        let target_len = line[target_start..]
            .iter()
            .position(|&b| !(0x21..=0x7E).contains(&b));
        let target_len = match target_len {
            Some(n) if n > 0 && line[target_start + n] == b' ' => n,
            Some(n) if line[target_start + n] == b'\r' => {
                return Err((HttpErrorKind::BareCr, target_start + n))
            }
            Some(n) if n > 0 && line[target_start + n] != b' ' => {
                return Err((HttpErrorKind::BadTarget, target_start + n))
            }
            _ => return Err((HttpErrorKind::BadRequestLine, target_start)),
        };
        let version_start = target_start + target_len + 1;
        let version =
            parse_version(&line[version_start..]).map_err(|kind| (kind, version_start))?;
        let fields = parse_fields(&raw, &lines[1..])?;
        let head = RequestHead {
            method: Span::new(start..start + method_len),
            target: Span::new(target_start..target_start + target_len),
            version,
            fields: Fields::new(raw, fields),
        };
        if version == Version::Http11 && head.fields.get_all("host").count() != 1 {
            return Err((HttpErrorKind::BadHost, 0));
        }
        Ok(head)
    }
}

impl Head for ResponseHead {
    const START_LINE_TOO_LONG: HttpErrorKind = HttpErrorKind::BadStatusLine;

    fn parse(raw: Bytes, lines: &[(u32, u32)]) -> Result<Self, (HttpErrorKind, usize)> {
        let (start, end) = (lines[0].0 as usize, lines[0].1 as usize);
        let line = &raw[start..end];
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
                if let Some(i) = line[13..].iter().position(|&b| !is_text(b)) {
                    return Err((bad_text(line[13 + i]), 13 + i));
                }
                Span::new(13..end)
            }
            Some(_) => return Err((HttpErrorKind::BadStatusLine, 12)),
        };
        let fields = parse_fields(&raw, &lines[1..])?;
        Ok(ResponseHead {
            version,
            status,
            reason,
            fields: Fields::new(raw, fields),
        })
    }
}
