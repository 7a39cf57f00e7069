//! Parsing one complete reply line with nom.
//!
//! Replies start with their keyword at the first byte. Tokens after it are separated by
//! runs of spaces and trailing spaces are allowed (memcached may pad an `incr` result with
//! spaces); text after `VERSION`, `ERROR`, `CLIENT_ERROR`, `SERVER_ERROR`, a `STAT` name
//! and an `ME` key is everything after the one space that follows it, and may not hold a
//! CR.

use core::ops::Range;

use nom::character::complete::{u32 as decimal_u32, u64 as decimal_u64};
use nom::combinator::all_consuming;
use nom::Parser;

use super::tokens::{till_space1, token, Res};
use crate::memcache::error::MemcacheErrorKind::{self, BadReply, ValueTooLarge};
use crate::memcache::model::flags::flag_bit;
use crate::memcache::model::keys::{is_key_byte, reply_key_ok};
use crate::memcache::model::response::{MetaStatus, Response};

/// The text-carrying replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    Version,
    Error,
    ClientError,
    ServerError,
}

/// What a reply line says. Ranges are byte positions in the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReplyLine {
    Value {
        key: Range<usize>,
        flags: u32,
        len: usize,
        cas: Option<u64>,
    },
    End,
    Stat {
        name: Range<usize>,
        value: Range<usize>,
    },
    MetaValue {
        len: usize,
        flags: Range<usize>,
        present: u64,
    },
    /// A reply complete in this line.
    Single(Single),
}

/// A reply that is one line and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Single {
    /// Its keyword alone (or a number).
    Whole(Response),
    Text {
        kind: TextKind,
        text: Range<usize>,
    },
    Meta {
        status: MetaStatus,
        flags: Range<usize>,
        present: u64,
    },
    MetaDebug {
        key: Range<usize>,
        info: Range<usize>,
    },
}

/// A rejected line: the kind and where in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadLine {
    pub(crate) kind: MemcacheErrorKind,
    pub(crate) at: usize,
}

struct Line<'a> {
    line: &'a [u8],
    max_value: usize,
}

impl<'a> Line<'a> {
    #[inline(always)]
    fn at(&self, part: &[u8]) -> usize {
        part.as_ptr() as usize - self.line.as_ptr() as usize
    }

    #[inline(always)]
    fn span(&self, part: &[u8]) -> Range<usize> {
        let start = self.at(part);
        start..start + part.len()
    }

    #[inline(always)]
    fn bad(&self, part: &[u8]) -> BadLine {
        BadLine {
            kind: BadReply,
            at: self.at(part),
        }
    }

    /// The next token, or a rejection at the line's end.
    #[inline(always)]
    fn next(&self, rest: &'a [u8]) -> Result<(&'a [u8], &'a [u8]), BadLine> {
        token(rest).map_err(|_| BadLine {
            kind: BadReply,
            at: self.line.len(),
        })
    }

    /// Nothing may follow (but spaces): a rejection names the first extra token.
    #[inline(always)]
    fn done(&self, rest: &'a [u8], reply: ReplyLine) -> Result<ReplyLine, BadLine> {
        match token(rest) {
            Ok((_, extra)) => Err(self.bad(extra)),
            Err(_) => Ok(reply),
        }
    }

    #[inline(always)]
    fn number<T>(&self, t: &'a [u8], parser: fn(&'a [u8]) -> Res<'a, T>) -> Result<T, BadLine> {
        all_consuming(parser)
            .parse(t)
            .map(|(_, n)| n)
            .map_err(|_| self.bad(t))
    }

    #[inline(always)]
    fn key(&self, key: &'a [u8]) -> Result<Range<usize>, BadLine> {
        if reply_key_ok(key) {
            Ok(self.span(key))
        } else {
            Err(self.bad(key))
        }
    }

    /// A value's length: at most `max_value`.
    #[inline(always)]
    fn len(&self, t: &'a [u8]) -> Result<usize, BadLine> {
        let n = self.number(t, decimal_u64)?;
        if n > self.max_value as u64 {
            return Err(BadLine {
                kind: ValueTooLarge,
                at: self.at(t),
            });
        }
        Ok(n as usize)
    }

    /// The text after one space (none for an empty `rest`).
    #[inline(always)]
    fn text(&self, rest: &'a [u8]) -> Result<Range<usize>, BadLine> {
        match rest.split_first() {
            None => Ok(self.line.len()..self.line.len()),
            Some((b' ', text)) => self.text_to_end(text),
            Some(_) => Err(self.bad(rest)),
        }
    }

    /// `text` (the rest of the line) as text: anything but a CR.
    #[inline(always)]
    fn text_to_end(&self, text: &'a [u8]) -> Result<Range<usize>, BadLine> {
        match text.iter().position(|&b| b == b'\r') {
            Some(cr) => Err(BadLine {
                kind: BadReply,
                at: self.at(text) + cr,
            }),
            None => Ok(self.span(text)),
        }
    }

    /// `VALUE <key> <flags> <bytes> [<cas unique>]`.
    fn value(&self, rest: &'a [u8]) -> Result<ReplyLine, BadLine> {
        let (rest, key) = self.next(rest)?;
        let key = self.key(key)?;
        let (rest, flags) = self.next(rest)?;
        let flags = self.number(flags, decimal_u32)?;
        let (rest, len) = self.next(rest)?;
        let len = self.len(len)?;
        let (rest, cas) = match token(rest) {
            Ok((rest, cas)) => (rest, Some(self.number(cas, decimal_u64)?)),
            Err(_) => (rest, None),
        };
        self.done(
            rest,
            ReplyLine::Value {
                key,
                flags,
                len,
                cas,
            },
        )
    }

    /// `STAT <name> <value>`.
    fn stat(&self, rest: &'a [u8]) -> Result<ReplyLine, BadLine> {
        let (rest, name) = self.next(rest)?;
        if let Some(bad) = name.iter().position(|&b| !is_key_byte(b)) {
            return Err(BadLine {
                kind: BadReply,
                at: self.at(name) + bad,
            });
        }
        Ok(ReplyLine::Stat {
            name: self.span(name),
            value: self.text(rest)?,
        })
    }

    /// Meta flags to the end of the line.
    fn flags(&self, mut rest: &'a [u8], after: usize) -> Result<(Range<usize>, u64), BadLine> {
        let mut span = after..after;
        let mut present = 0u64;
        while let Ok((next, flag)) = token(rest) {
            let bit = flag_bit(flag[0]).ok_or(self.bad(flag))?;
            if present & (1 << bit) != 0 || !flag[1..].iter().all(|&b| is_key_byte(b)) {
                return Err(self.bad(flag));
            }
            let s = self.span(flag);
            if present == 0 {
                span.start = s.start;
            }
            present |= 1 << bit;
            span.end = s.end;
            rest = next;
        }
        Ok((span, present))
    }

    /// `ME <key> <information>`.
    fn debug(&self, rest: &'a [u8]) -> Result<ReplyLine, BadLine> {
        let (rest, key) = self.next(rest)?;
        // The key must come right after one space, as it is written.
        if self.at(key) != 3 {
            return Err(self.bad(key));
        }
        Ok(ReplyLine::Single(Single::MetaDebug {
            key: self.key(key)?,
            info: self.text(rest)?,
        }))
    }
}

/// Parses one reply line (terminator excluded). `max_value` bounds value lengths.
pub(crate) fn parse_reply(line: &[u8], max_value: usize) -> Result<ReplyLine, BadLine> {
    let p = Line { line, max_value };
    let Ok((rest, name)) = till_space1(line) else {
        return Err(BadLine {
            kind: BadReply,
            at: 0,
        });
    };
    let whole = |r: Response| p.done(rest, ReplyLine::Single(Single::Whole(r)));
    let text = |kind| {
        Ok(ReplyLine::Single(Single::Text {
            kind,
            text: p.text(rest)?,
        }))
    };
    let meta = |status| {
        let (flags, present) = p.flags(rest, name.len())?;
        Ok(ReplyLine::Single(Single::Meta {
            status,
            flags,
            present,
        }))
    };
    match name {
        b"VALUE" => p.value(rest),
        b"END" => p.done(rest, ReplyLine::End),
        b"STAT" => p.stat(rest),
        b"STORED" => whole(Response::Stored),
        b"NOT_STORED" => whole(Response::NotStored),
        b"EXISTS" => whole(Response::Exists),
        b"NOT_FOUND" => whole(Response::NotFound),
        b"DELETED" => whole(Response::Deleted),
        b"TOUCHED" => whole(Response::Touched),
        b"OK" => whole(Response::Ok),
        b"RESET" => whole(Response::Reset),
        b"MN" => whole(Response::MetaNoop),
        b"VERSION" => text(TextKind::Version),
        b"ERROR" => text(TextKind::Error),
        b"CLIENT_ERROR" => text(TextKind::ClientError),
        b"SERVER_ERROR" => text(TextKind::ServerError),
        b"HD" => meta(MetaStatus::Hd),
        b"EN" => meta(MetaStatus::En),
        b"NF" => meta(MetaStatus::Nf),
        b"NS" => meta(MetaStatus::Ns),
        b"EX" => meta(MetaStatus::Ex),
        b"VA" => {
            let (rest, len) = p.next(rest)?;
            let len = p.len(len)?;
            let (flags, present) = p.flags(rest, p.at(rest))?;
            Ok(ReplyLine::MetaValue {
                len,
                flags,
                present,
            })
        }
        b"ME" => p.debug(rest),
        digits if digits[0].is_ascii_digit() => {
            whole(Response::Number(p.number(digits, decimal_u64)?))
        }
        _ => error_without_space(&p, name).unwrap_or(Err(BadLine {
            kind: BadReply,
            at: 0,
        })),
    }
}

/// `ERROR: shutdown not enabled`: memcached answers some commands with an error keyword
/// and a message after a colon, no space between. The message is everything after the
/// keyword.
fn error_without_space(p: &Line<'_>, name: &[u8]) -> Option<Result<ReplyLine, BadLine>> {
    let keywords: [(&[u8], TextKind); 3] = [
        (b"ERROR:", TextKind::Error),
        (b"CLIENT_ERROR:", TextKind::ClientError),
        (b"SERVER_ERROR:", TextKind::ServerError),
    ];
    let (keyword, kind) = keywords.into_iter().find(|(k, _)| name.starts_with(k))?;
    let text = p.line.get(keyword.len() - 1..).unwrap_or_default();
    Some(
        p.text_to_end(text)
            .map(|text| ReplyLine::Single(Single::Text { kind, text })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<ReplyLine, BadLine> {
        parse_reply(line.as_bytes(), 1 << 20)
    }

    #[test]
    fn keywords_and_numbers() {
        let whole = |r| Ok(ReplyLine::Single(Single::Whole(r)));
        assert_eq!(parse("STORED"), whole(Response::Stored));
        assert_eq!(parse("42  "), whole(Response::Number(42)));
        assert_eq!(parse("STORED x").unwrap_err().at, 7);
        assert_eq!(parse(" STORED").unwrap_err().at, 0);
        assert!(parse("18446744073709551616").is_err());
    }

    #[test]
    fn values_and_texts() {
        assert_eq!(
            parse("VALUE k 3 10 77"),
            Ok(ReplyLine::Value {
                key: 6..7,
                flags: 3,
                len: 10,
                cas: Some(77)
            })
        );
        assert_eq!(
            parse("CLIENT_ERROR bad  data"),
            Ok(ReplyLine::Single(Single::Text {
                kind: TextKind::ClientError,
                text: 13..22
            }))
        );
        assert_eq!(
            parse("VALUE k 0 2000000").unwrap_err().kind,
            MemcacheErrorKind::ValueTooLarge
        );
    }

    #[test]
    fn meta_flags() {
        assert_eq!(
            parse("HD c5 Oab"),
            Ok(ReplyLine::Single(Single::Meta {
                status: MetaStatus::Hd,
                flags: 3..9,
                present: (1 << (26 + 2)) | (1 << 14)
            }))
        );
        assert!(parse("HD c5 c6").is_err());
        assert!(parse("EN 5").is_err());
    }
}
