//! Decoding request and response heads.
//!
//! While bytes arrive, a resumable search finds the start line's end, which is then parsed
//! whole; the header section after it goes through the resumable field scanner
//! (`section.rs`), which walks every byte once however the input is split. Parts are
//! recorded as spans; the head's bytes are split off in one piece at the blank line.

use core::marker::PhantomData;

use bytes::Bytes;
use memchr::memchr;
use nagrel_decoder::{DecodeError, Input, Status, Step};

use super::error::HttpErrorKind;
use super::model::{FieldSpan, Fields, RequestHead, ResponseHead, Span, Version};
use super::scan::{find_control, first_non_text, is_text, target_len, token_len};
use super::section::{bad_text, FieldScanner, Rejection, SectionRules};

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
    /// How far the start line has been searched for its LF.
    scanned: usize,
    /// The parsed start line, once it is complete.
    start: Option<H::Start>,
    /// The header section after the start line.
    fields: FieldScanner,
    /// The limits, as the field scanner takes them.
    rules: SectionRules,
    _head: PhantomData<fn() -> H>,
}

impl<H: Head> HeadStep<H> {
    fn new(limits: HeadLimits) -> Self {
        HeadStep {
            limits,
            scanned: 0,
            start: None,
            fields: FieldScanner::default(),
            rules: SectionRules {
                max_line: limits.max_field_line,
                max_end: limits.max_head,
                max_fields: limits.max_fields,
                allow_bare_lf: limits.allow_bare_lf,
                line_too_long: HttpErrorKind::HeaderLineTooLong,
                too_large: HttpErrorKind::HeadTooLarge,
                too_many: HttpErrorKind::TooManyHeaders,
            },
            _head: PhantomData,
        }
    }

    /// Finds and parses the start line; `None` while its end has not arrived.
    #[inline(never)]
    fn start_line(&mut self, bytes: &[u8]) -> Result<Option<H::Start>, Rejection> {
        let line_max = self.limits.max_start_line;
        let line_horizon = line_max.saturating_add(2);
        let horizon = bytes.len().min(line_horizon).min(self.limits.max_head);
        let window = bytes.get(self.scanned..horizon).unwrap_or_default();
        // A start line holds no control byte but its CRLF, so the block scan for the first
        // control byte usually lands on the CR. Anything else falls back to a plain search
        // for the LF, which is what decides where the line ends either way.
        let found = match find_control(window) {
            Some(i) if window.get(i..i + 2) == Some(b"\r\n") => Some(i + 1),
            Some(i) if window.len() == i + 1 && window[i] == b'\r' => {
                self.scanned += i;
                return self.out_of_room(horizon, line_horizon);
            }
            Some(i) => memchr(b'\n', &window[i..]).map(|j| i + j),
            None => None,
        };
        let Some(found) = found else {
            self.scanned = horizon.max(self.scanned);
            return self.out_of_room(horizon, line_horizon);
        };
        let lf = self.scanned + found;
        let end = if lf > 0 && bytes[lf - 1] == b'\r' {
            lf - 1
        } else if self.limits.allow_bare_lf {
            lf
        } else {
            return Err((HttpErrorKind::BareLf, lf));
        };
        if end > line_max {
            return Err((H::START_LINE_TOO_LONG, line_max));
        }
        if end == 0 {
            return Err((HttpErrorKind::EmptyStartLine, 0));
        }
        let start = H::parse_start(&bytes[..end])?;
        self.fields = FieldScanner::starting_at(lf + 1);
        Ok(Some(start))
    }

    /// The start line's end is not within `horizon`: a limit was reached, or more bytes
    /// are needed.
    fn out_of_room(
        &self,
        horizon: usize,
        line_horizon: usize,
    ) -> Result<Option<H::Start>, Rejection> {
        if horizon == line_horizon {
            return Err((H::START_LINE_TOO_LONG, self.limits.max_start_line));
        }
        if horizon == self.limits.max_head {
            return Err((HttpErrorKind::HeadTooLarge, self.limits.max_head));
        }
        Ok(None)
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

    /// Assembles the head from its parts once the blank line is in; `hosts` is how many
    /// of the fields are named Host.
    fn finish(
        start: Self::Start,
        raw: Bytes,
        fields: Vec<FieldSpan>,
        hosts: usize,
    ) -> Result<Self, (HttpErrorKind, usize)>;
}

impl<H: Head> Step for HeadStep<H> {
    type Output = H;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<H>, DecodeError> {
        let fail =
            |input: &Input<'_>, (kind, at): Rejection| Err(input.error_at(at, kind.into_decode()));
        let bytes = input.bytes();
        // A start line parsed in this call stays a local while the head completes, and is
        // stored only to wait for more bytes: storing it field by field and loading it
        // back whole would stall the load on the stores.
        let parsed = match self.start {
            Some(_) => None,
            None => match self.start_line(bytes) {
                Ok(Some(start)) => Some(start),
                Ok(None) => return input.wait(),
                Err(rejection) => return fail(input, rejection),
            },
        };
        let end = match self.fields.scan(bytes, &self.rules) {
            Ok(Some(end)) => end,
            Ok(None) => {
                if parsed.is_some() {
                    self.start = parsed;
                }
                return input.wait();
            }
            Err(rejection) => return fail(input, rejection),
        };
        let Some(start) = parsed.or_else(|| self.start.take()) else {
            return input.wait();
        };
        let hosts = self.fields.hosts();
        let fields = self.fields.take_fields();
        let base = input.offset();
        let raw = input.take(end)?;
        match H::finish(start, raw, fields, hosts) {
            Ok(head) => Ok(Status::Ready(head)),
            Err((kind, at)) => Err(DecodeError::new(
                kind.into_decode(),
                base.wrapping_add(at as u64),
            )),
        }
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

    #[inline(always)]
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
        let version = parse_version(&line[version_start..]).map_err(|kind| {
            // A bare CR or other control byte after the target is the real fault.
            match first_non_text(&line[version_start..]) {
                Some(i) => (bad_text(line[version_start + i]), version_start + i),
                None => (kind, version_start),
            }
        })?;
        Ok(RequestLine {
            method: Span::new(0..method_len),
            target: Span::new(target_start..target_start + target_len),
            version,
        })
    }

    #[inline(always)]
    fn finish(
        start: RequestLine,
        raw: Bytes,
        fields: Vec<FieldSpan>,
        hosts: usize,
    ) -> Result<Self, (HttpErrorKind, usize)> {
        if start.version == Version::Http11 && hosts != 1 {
            return Err((HttpErrorKind::BadHost, 0));
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

    #[inline(always)]
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

    #[inline(always)]
    fn finish(
        start: StatusLine,
        raw: Bytes,
        fields: Vec<FieldSpan>,
        _hosts: usize,
    ) -> Result<Self, (HttpErrorKind, usize)> {
        Ok(ResponseHead {
            version: start.version,
            status: start.status,
            reason: start.reason,
            fields: Fields::new(raw, fields),
        })
    }
}
