//! Scanning a field section (a head's header fields, or a chunked body's trailers) as its
//! bytes arrive.
//!
//! The scanner walks each line once, byte class by byte class: the name through the
//! `tchar` table, the value sixteen bytes at a time up to its first control byte. It stops
//! wherever the input runs out and resumes there, so a section is scanned exactly once
//! whether it arrives whole or one byte at a time, and a bad byte is refused as soon as it
//! arrives. Positions are relative to the start of the bytes the caller passes, which must
//! stay the same (only grow) between calls.

use super::error::HttpErrorKind;
use super::model::{span_vec, FieldSpan, Span};
use super::scan::{find_control, is_text, token_len};

/// A rejection: its kind and where, relative to the scanned bytes.
pub(crate) type Rejection = (HttpErrorKind, usize);

/// The bounds a section is scanned under, and how each is reported.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SectionRules {
    /// Longest line, line end excluded.
    pub(crate) max_line: usize,
    /// No byte at or past this index belongs to the section.
    pub(crate) max_end: usize,
    /// Most fields.
    pub(crate) max_fields: usize,
    /// Accept a bare LF as a line end.
    pub(crate) allow_bare_lf: bool,
    /// The rejection for a line over `max_line`.
    pub(crate) line_too_long: HttpErrorKind,
    /// The rejection for a section reaching `max_end`.
    pub(crate) too_large: HttpErrorKind,
    /// The rejection for a field past `max_fields`.
    pub(crate) too_many: HttpErrorKind,
}

/// The rejection for a byte that is not [`is_text`].
pub(crate) fn bad_text(b: u8) -> HttpErrorKind {
    if b == b'\r' {
        HttpErrorKind::BareCr
    } else {
        HttpErrorKind::BadHeaderValue
    }
}

/// A field section being scanned: where the current line stands, and the fields so far.
#[derive(Debug, Default)]
pub(crate) struct FieldScanner {
    /// Where the current line starts.
    line_start: usize,
    /// How far the current line has been scanned.
    pos: usize,
    /// Where the current line's colon is once its name is complete; 0 while in the name
    /// (a colon follows a non-empty name, so it is never at 0).
    colon: usize,
    fields: Vec<FieldSpan>,
    /// How many of the fields are named Host (HTTP/1.1 requests need exactly one),
    /// counted here so that no second pass over the fields is needed.
    hosts: usize,
}

impl FieldScanner {
    /// A scanner whose section starts at `start`.
    pub(crate) fn starting_at(start: usize) -> Self {
        FieldScanner {
            line_start: start,
            pos: start,
            colon: 0,
            fields: Vec::new(),
            hosts: 0,
        }
    }

    /// The fields found, leaving none behind.
    pub(crate) fn take_fields(&mut self) -> Vec<FieldSpan> {
        core::mem::take(&mut self.fields)
    }

    /// How many fields so far are named Host, in any case.
    pub(crate) fn hosts(&self) -> usize {
        self.hosts
    }

    /// Scans on through `bytes`. Returns the index just past the blank line that ends the
    /// section once it is in, `None` while more bytes are needed.
    #[inline(always)]
    pub(crate) fn scan(
        &mut self,
        bytes: &[u8],
        rules: &SectionRules,
    ) -> Result<Option<usize>, Rejection> {
        // Work on locals and store them back only when stopping, so the loop keeps its
        // state in registers.
        let (mut line_start, mut p, mut colon) = (self.line_start, self.pos, self.colon);
        let stop = |this: &mut Self, line_start, p, colon| {
            (this.line_start, this.pos, this.colon) = (line_start, p, colon);
        };
        loop {
            // The line's content may fill [line_start, line_end); the byte at line_end
            // must end it.
            let line_end = line_start.saturating_add(rules.max_line);
            let limit = bytes
                .len()
                .min(line_end.saturating_add(1))
                .min(rules.max_end);
            if colon == 0 {
                p += token_len(bytes.get(p..limit).unwrap_or_default());
                if p >= limit {
                    stop(self, line_start, p, colon);
                    return out_of_room(limit, line_end, rules);
                }
                match bytes[p] {
                    b':' if p > line_start => {
                        if self.fields.len() == rules.max_fields {
                            return Err((rules.too_many, line_start));
                        }
                        colon = p;
                        p += 1;
                    }
                    b'\r' | b'\n' => {
                        let Some(next) = line_break(bytes, p, rules)? else {
                            stop(self, line_start, p, colon);
                            return Ok(None);
                        };
                        if p == line_start {
                            return Ok(Some(next));
                        }
                        return Err((HttpErrorKind::MissingColon, p));
                    }
                    b' ' | b'\t' if p == line_start => {
                        return Err((HttpErrorKind::ObsoleteFold, p))
                    }
                    b' ' | b'\t' => return Err((HttpErrorKind::WhitespaceBeforeColon, p)),
                    b if !is_text(b) => return Err((bad_text(b), p)),
                    _ => return Err((HttpErrorKind::BadHeaderName, p)),
                }
            }
            // The value: plain text up to the first control byte; tabs are allowed.
            loop {
                match bytes.get(p..limit).and_then(find_control) {
                    Some(i) => p += i,
                    None => {
                        stop(self, line_start, limit.max(p), colon);
                        return out_of_room(limit, line_end, rules);
                    }
                }
                if bytes[p] != b'\t' {
                    break;
                }
                p += 1;
            }
            if !matches!(bytes[p], b'\r' | b'\n') {
                return Err((HttpErrorKind::BadHeaderValue, p));
            }
            let Some(next) = line_break(bytes, p, rules)? else {
                stop(self, line_start, p, colon);
                return Ok(None);
            };
            self.push_field(bytes, line_start, colon, p);
            (line_start, p, colon) = (next, next, 0);
        }
    }

    /// Records a field: its name is `line_start..colon`, its value ends at `end`.
    #[inline(always)]
    fn push_field(&mut self, bytes: &[u8], line_start: usize, colon: usize, end: usize) {
        let is_ows = |b: u8| b == b' ' || b == b'\t';
        let (mut start, mut end) = (colon + 1, end);
        while start < end && is_ows(bytes[start]) {
            start += 1;
        }
        while end > start && is_ows(bytes[end - 1]) {
            end -= 1;
        }
        if let Some(&[h, o, s, t]) = bytes.get(line_start..colon) {
            // ASCII letters only differ from their capitals in bit 5.
            let lower = u32::from_le_bytes([h, o, s, t]) | 0x2020_2020;
            self.hosts += usize::from(lower == u32::from_le_bytes(*b"host"));
        }
        if self.fields.capacity() == 0 {
            self.first_allocation(bytes.len() - line_start);
        }
        self.fields.push(FieldSpan {
            name: Span::new(line_start..colon),
            value: Span::new(start..end),
        });
    }

    /// Allocates room for the fields, guessing their number from the `ahead` bytes at
    /// hand (header lines average well over 24 bytes), so one allocation covers a typical
    /// section instead of growing step by step.
    #[cold]
    #[inline(never)]
    fn first_allocation(&mut self, ahead: usize) {
        self.fields = span_vec((ahead / 24).clamp(8, 128));
    }
}

/// At the CR or LF at `p`: the index past the line break, or `None` while the LF after a
/// CR has not arrived.
#[inline]
fn line_break(bytes: &[u8], p: usize, rules: &SectionRules) -> Result<Option<usize>, Rejection> {
    if bytes[p] == b'\n' {
        return if rules.allow_bare_lf {
            Ok(Some(p + 1))
        } else {
            Err((HttpErrorKind::BareLf, p))
        };
    }
    if p + 1 >= rules.max_end {
        return Err((rules.too_large, rules.max_end));
    }
    match bytes.get(p + 1) {
        None => Ok(None),
        Some(b'\n') => Ok(Some(p + 2)),
        Some(_) => Err((HttpErrorKind::BareCr, p)),
    }
}

/// A scan that reached `limit` without finding where the line ends: the line is too long,
/// the section too large, or the input ran out.
#[cold]
fn out_of_room(
    limit: usize,
    line_end: usize,
    rules: &SectionRules,
) -> Result<Option<usize>, Rejection> {
    if limit > line_end {
        Err((rules.line_too_long, line_end))
    } else if limit == rules.max_end {
        Err((rules.too_large, rules.max_end))
    } else {
        Ok(None)
    }
}
