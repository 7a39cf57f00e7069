//! Parsing one complete command line with nom.
//!
//! The line has been framed already (its terminator found by the resumable scan and
//! removed), so these are nom parsers in complete mode over a bounded slice: functions
//! from input to [`nom::IResult`]. The leaf parsers live in `tokens.rs` (spaces, tokens,
//! key bytes, decimal numbers, each the nom primitive it stands for, specialised); this
//! module sequences them into each command's grammar with `?`, as nom's own combinators
//! do, and uses the combinators themselves (`all_consuming`) off the hot path. On the hot
//! path the combinators' generic machinery was not always inlined, and on a 30-byte `get`
//! a call per token showed in the benchmarks.
//!
//! Tokens are separated by runs of spaces and the line may start or end with spaces, as
//! memcached's tokenizer allows; only the space separates (a tab is a control byte, not
//! allowed in keys). The result records where each part lies in the line, so the caller
//! can split the parts off the receive buffer without copying.
//!
//! Arguments are checked as memcached does: a known command with too few or too many
//! arguments is `ERROR`; a malformed argument is `CLIENT_ERROR`. Once a storage command's
//! byte count has parsed, every later rejection carries it, so the decoder discards the
//! data block the client sends anyway and the stream stays in sync (memcached only does
//! this for `ms` and for items that are too large).
//!
//! `get` and the storage commands have two parsers sharing one grammar: a fast one that
//! takes the usual shape and says only "no", and a careful one, out of line, that runs
//! when the fast one says no and finds the exact rejection. The other commands live in
//! `text.rs` and `meta.rs`.

mod meta;
mod text;

use nom::combinator::all_consuming;
use nom::Parser;

use super::scan::non_key_byte;
use super::tokens::{decimal_i64, decimal_u32, decimal_u64, key_bytes, space, spaces, token, Res};
use crate::memcache::error::MemcacheErrorKind::{self, *};
use crate::memcache::limits::RequestLimits;
use crate::memcache::model::keys::key_ok;
use crate::memcache::model::request::{
    ArithCommand, FlushAll, RetrieveCommand, Span, StoreCommand, Verbosity,
};

/// Largest data block length a command may declare, as memcached (`INT_MAX - 2`); a
/// larger one is a malformed line, not a too-large item.
const MAX_DECLARED_LEN: u64 = i32::MAX as u64 - 2;

/// Which meta command without data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetaCommand {
    Get,
    Delete,
    Arithmetic,
    Debug,
}

/// What a command line asks for. Ranges are byte positions in the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// A storage command (`set`, ..., `ms`), whose data block follows the line.
    Data {
        command: DataCommand,
        /// Length of the data block, its CRLF excluded.
        len: usize,
    },
    Delete {
        key: Span,
        noreply: bool,
    },
    Arithmetic {
        command: ArithCommand,
        key: Span,
        delta: u64,
        noreply: bool,
    },
    Touch {
        key: Span,
        exptime: i64,
        noreply: bool,
    },
    Stats {
        args: Span,
    },
    Version,
    Verbosity(Verbosity),
    FlushAll(FlushAll),
    Quit,
    Meta {
        command: MetaCommand,
        key: Span,
        flags: Span,
        present: u64,
    },
    MetaNoop,
    Unknown,
}

/// A command line followed by a data block: what it says apart from the block's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataCommand {
    Store {
        command: StoreCommand,
        key: Span,
        flags: u32,
        exptime: i64,
        noreply: bool,
    },
    MetaSet {
        key: Span,
        flags: Span,
        present: u64,
    },
}

/// A retrieval command's line: the keys lie at `keys` of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retrieval {
    pub(crate) command: RetrieveCommand,
    pub(crate) keys: Span,
    pub(crate) count: u32,
}

/// A rejected line: the kind, where in the line, and for a storage command whose byte
/// count parsed, that count (the data block to discard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reject {
    pub(crate) kind: MemcacheErrorKind,
    pub(crate) at: usize,
    pub(crate) swallow: Option<usize>,
}

/// A whole token as a number of the parser's type: digits only (a sign for signed
/// types), no overflow.
fn number<'a, T>(token: &'a [u8], parser: fn(&'a [u8]) -> Res<'a, T>) -> Option<T> {
    all_consuming(parser).parse(token).ok().map(|(_, n)| n)
}

/// The parser of one line: the line, for positions, and the limits.
pub(crate) struct Line<'a> {
    line: &'a [u8],
    limits: &'a RequestLimits,
}

impl<'a> Line<'a> {
    /// Where `part` (a subslice of the line) starts.
    #[inline(always)]
    fn at(&self, part: &[u8]) -> usize {
        part.as_ptr() as usize - self.line.as_ptr() as usize
    }

    /// Where `part` lies in the line.
    #[inline(always)]
    fn span(&self, part: &[u8]) -> Span {
        let start = self.at(part);
        Span::new(start, start + part.len())
    }

    #[inline(always)]
    fn reject(&self, kind: MemcacheErrorKind, part: &[u8]) -> Reject {
        Reject {
            kind,
            at: self.at(part),
            swallow: None,
        }
    }

    /// Checks a key token.
    #[inline(always)]
    fn key(&self, key: &'a [u8]) -> Result<Span, Reject> {
        if key_ok(key, self.limits.max_key) {
            Ok(self.span(key))
        } else {
            Err(self.reject(BadKey, key))
        }
    }

    /// `get|gets <key>*`, `gat|gats <exptime> <key>*`, as
    /// [`retrieve_with`](Line::retrieve_with) with errors that say nothing: on the hot path
    /// a small result stays in registers. A `None` is answered by
    /// [`retrieve`](Line::retrieve).
    #[inline(always)]
    pub(crate) fn retrieve_usual(
        &self,
        rest: &'a [u8],
        command: RetrieveCommand,
    ) -> Option<Retrieval> {
        self.retrieve_with(rest, command, |_, _| ()).ok()
    }

    /// `get|gets <key>*`, `gat|gats <exptime> <key>*`, with the exact rejection.
    #[cold]
    #[inline(never)]
    pub(crate) fn retrieve(
        &self,
        rest: &'a [u8],
        command: RetrieveCommand,
    ) -> Result<Retrieval, Reject> {
        self.retrieve_with(rest, command, |kind, at| Reject {
            kind,
            at,
            swallow: None,
        })
    }

    /// The retrieval grammar, reporting a rejection of `kind` at `at` through `reject`.
    #[inline(always)]
    fn retrieve_with<E>(
        &self,
        mut rest: &'a [u8],
        command: RetrieveCommand,
        reject: impl Fn(MemcacheErrorKind, usize) -> E,
    ) -> Result<Retrieval, E> {
        let command = match command {
            RetrieveCommand::Gat(_) | RetrieveCommand::Gats(_) => {
                let Ok((after, t)) = token(rest) else {
                    return Err(reject(WrongArity, self.line.len()));
                };
                rest = after;
                let Some(exptime) = number(t, decimal_i64) else {
                    return Err(reject(BadCommandLine, self.at(t)));
                };
                match command {
                    RetrieveCommand::Gat(_) => RetrieveCommand::Gat(exptime),
                    _ => RetrieveCommand::Gats(exptime),
                }
            }
            other => other,
        };
        // One pass per key finds its end and checks its bytes: the first byte that may not
        // be in a key must be the separating space (or the end of the line).
        let mut count: u32 = 0;
        let mut keys = Span::new(0, 0);
        loop {
            let after = spaces(rest).map_or(rest, |(after, _)| after);
            if after.is_empty() {
                break;
            }
            let len = non_key_byte(after);
            let valid = len > 0 && len <= self.limits.max_key;
            if !valid || after.get(len).is_some_and(|&b| b != b' ') {
                return Err(reject(BadKey, self.at(after)));
            }
            let start = self.at(after);
            if count == 0 {
                keys.start = start as u32;
            }
            keys.end = (start + len) as u32;
            // A line is at most a few hundred KiB, far fewer keys than a u32 counts.
            count += 1;
            rest = &after[len..];
        }
        if count == 0 {
            return Err(reject(WrongArity, self.line.len()));
        }
        Ok(Retrieval {
            command,
            keys,
            count,
        })
    }

    /// `set|add|replace|append|prepend <key> <flags> <exptime> <bytes> [noreply]` and
    /// `cas <key> <flags> <exptime> <bytes> <cas unique> [noreply]`, as clients write it:
    /// single spaces, every argument well-formed, the item within the size limit. One
    /// pass, each number parsed where it stands; any surprise (and every error) is left
    /// to [`store_checked`](Line::store_checked), which tells exactly what is wrong.
    #[inline(always)]
    pub(crate) fn store_usual(
        &self,
        rest: &'a [u8],
        cas: bool,
        command: StoreCommand,
    ) -> Res<'a, (DataCommand, usize)> {
        let fail = || nom::Err::Error(());
        let (rest, ()) = space(rest)?;
        let (rest, key) = key_bytes(rest)?;
        let (rest, ()) = space(rest)?;
        let (rest, flags) = decimal_u32(rest)?;
        let (rest, ()) = space(rest)?;
        let (rest, exptime) = decimal_i64(rest)?;
        let (rest, ()) = space(rest)?;
        let (rest, len) = decimal_u64(rest)?;
        let (rest, command) = if cas {
            let (rest, ()) = space(rest)?;
            let (rest, unique) = decimal_u64(rest)?;
            (rest, StoreCommand::Cas(unique))
        } else {
            (rest, command)
        };
        let noreply = match rest {
            [] => false,
            b" noreply" => true,
            _ => return Err(fail()),
        };
        if key.len() > self.limits.max_key || len > self.limits.max_item as u64 {
            return Err(fail());
        }
        let command = DataCommand::Store {
            command,
            key: self.span(key),
            flags,
            exptime,
            noreply,
        };
        // At most `max_item`, a usize.
        Ok((&[], (command, len as usize)))
    }

    /// A storage line checked argument by argument, for the exact rejection.
    #[cold]
    #[inline(never)]
    pub(crate) fn store_checked(
        &self,
        rest: &'a [u8],
        cas: bool,
        command: StoreCommand,
    ) -> Result<(DataCommand, usize), Reject> {
        // The tokens first, so a wrong count is `ERROR` whatever they hold, as memcached.
        let missing = || Reject {
            kind: WrongArity,
            at: self.line.len(),
            swallow: None,
        };
        let (rest, key) = token(rest).map_err(|_| missing())?;
        let (rest, flags) = token(rest).map_err(|_| missing())?;
        let (rest, exptime) = token(rest).map_err(|_| missing())?;
        let (rest, len_token) = token(rest).map_err(|_| missing())?;
        let (rest, unique) = if cas {
            let (rest, unique) = token(rest).map_err(|_| missing())?;
            (rest, Some(unique))
        } else {
            (rest, None)
        };
        let (rest, noreply) = match token(rest) {
            Ok((rest, t)) => (rest, Some(t)),
            Err(_) => (rest, None),
        };
        if let Ok((_, extra)) = token(rest) {
            return Err(self.reject(WrongArity, extra));
        }
        // The byte count next: once it is known, the data block can be discarded
        // whatever else is wrong.
        let len = self.declared_len(len_token)?;
        let swallowing = |r: Reject| Reject {
            swallow: Some(len),
            ..r
        };
        let key = self.key(key).map_err(swallowing)?;
        let flags = number(flags, decimal_u32)
            .ok_or_else(|| swallowing(self.reject(BadCommandLine, flags)))?;
        let exptime = number(exptime, decimal_i64)
            .ok_or_else(|| swallowing(self.reject(BadCommandLine, exptime)))?;
        let command = match unique {
            Some(t) => StoreCommand::Cas(
                number(t, decimal_u64).ok_or_else(|| swallowing(self.reject(BadCommandLine, t)))?,
            ),
            None => command,
        };
        let noreply = match noreply {
            None => false,
            Some(b"noreply") => true,
            Some(t) => return Err(swallowing(self.reject(BadCommandLine, t))),
        };
        if len > self.limits.max_item {
            return Err(swallowing(self.reject(TooLarge, len_token)));
        }
        Ok((
            DataCommand::Store {
                command,
                key,
                flags,
                exptime,
                noreply,
            },
            len,
        ))
    }

    /// A data block length: decimal, at most `INT_MAX - 2` as memcached.
    #[inline(always)]
    fn declared_len(&self, t: &'a [u8]) -> Result<usize, Reject> {
        match number(t, decimal_u64) {
            Some(n) if n <= MAX_DECLARED_LEN => Ok(n as usize),
            _ => Err(self.reject(BadCommandLine, t)),
        }
    }
}

/// What a command line's name asks for, with the bytes after the name: the two kinds
/// every cache serves most, parsed on the hot path, or anything else, parsed out of line
/// (so the hot parsers are inlined once, not once per command name).
#[derive(Clone, Copy)]
pub(crate) enum Name<'a> {
    Retrieve(RetrieveCommand, &'a [u8]),
    Store(bool, StoreCommand, &'a [u8]),
    /// The name itself, then the rest.
    Other(&'a [u8], &'a [u8]),
}

impl<'a> Line<'a> {
    /// The parser of `line` (terminator excluded).
    #[inline(always)]
    pub(crate) fn new(line: &'a [u8], limits: &'a RequestLimits) -> Self {
        Line { line, limits }
    }

    /// The command name, classified.
    #[inline(always)]
    pub(crate) fn name(&self) -> Result<Name<'a>, Reject> {
        let Ok((rest, name)) = token(self.line) else {
            return Err(Reject {
                kind: UnknownCommand,
                at: 0,
                swallow: None,
            });
        };
        // Dispatch on the length, then on the name packed into an integer: a few integer
        // compares rather than a chain of slice comparisons.
        Ok(match *name {
            [a, b, c] => match u32::from_le_bytes([a, b, c, 0]) {
                GET => Name::Retrieve(RetrieveCommand::Get, rest),
                SET => Name::Store(false, StoreCommand::Set, rest),
                ADD => Name::Store(false, StoreCommand::Add, rest),
                CAS => Name::Store(true, StoreCommand::Set, rest),
                GAT => Name::Retrieve(RetrieveCommand::Gat(0), rest),
                _ => Name::Other(name, rest),
            },
            [a, b, c, d] => match u32::from_le_bytes([a, b, c, d]) {
                GETS => Name::Retrieve(RetrieveCommand::Gets, rest),
                GATS => Name::Retrieve(RetrieveCommand::Gats(0), rest),
                _ => Name::Other(name, rest),
            },
            _ => match name {
                b"replace" => Name::Store(false, StoreCommand::Replace, rest),
                b"append" => Name::Store(false, StoreCommand::Append, rest),
                b"prepend" => Name::Store(false, StoreCommand::Prepend, rest),
                _ => Name::Other(name, rest),
            },
        })
    }
}

/// What a whole line parses to, for the tests: the hot kinds and the others together.
#[cfg(test)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Retrieve(Retrieval),
    Data(DataCommand, usize),
    Other(Parsed),
}

/// Parses one command line (terminator excluded), as the request decoder does.
#[cfg(test)]
pub(crate) fn parse_command(line: &[u8], limits: &RequestLimits) -> Result<Outcome, Reject> {
    let p = Line::new(line, limits);
    match p.name()? {
        Name::Retrieve(command, rest) => p.retrieve(rest, command).map(Outcome::Retrieve),
        Name::Store(cas, command, rest) => match p.store_usual(rest, cas, command) {
            Ok((_, (command, len))) => Ok(Outcome::Data(command, len)),
            Err(_) => p
                .store_checked(rest, cas, command)
                .map(|(command, len)| Outcome::Data(command, len)),
        },
        Name::Other(name, rest) => p.other(name, rest).map(Outcome::Other),
    }
}

/// A name of up to four bytes packed as `parse_command` dispatches on it.
const fn packed(name: &[u8]) -> u32 {
    let mut w = [0u8; 4];
    let mut i = 0;
    while i < name.len() {
        w[i] = name[i];
        i += 1;
    }
    u32::from_le_bytes(w)
}

const MG: u32 = packed(b"mg");
const MS: u32 = packed(b"ms");
const MD: u32 = packed(b"md");
const MA: u32 = packed(b"ma");
const ME: u32 = packed(b"me");
const MN: u32 = packed(b"mn");
const GET: u32 = packed(b"get");
const SET: u32 = packed(b"set");
const ADD: u32 = packed(b"add");
const CAS: u32 = packed(b"cas");
const GAT: u32 = packed(b"gat");
const GETS: u32 = packed(b"gets");
const GATS: u32 = packed(b"gats");
const INCR: u32 = packed(b"incr");
const DECR: u32 = packed(b"decr");
const QUIT: u32 = packed(b"quit");

/// Whether a command name is one this decoder knows.
pub(crate) fn is_known_command(name: &[u8]) -> bool {
    matches!(
        name,
        b"get"
            | b"gets"
            | b"gat"
            | b"gats"
            | b"set"
            | b"add"
            | b"replace"
            | b"append"
            | b"prepend"
            | b"cas"
            | b"delete"
            | b"incr"
            | b"decr"
            | b"touch"
            | b"stats"
            | b"version"
            | b"verbosity"
            | b"flush_all"
            | b"quit"
            | b"mg"
            | b"ms"
            | b"md"
            | b"ma"
            | b"me"
            | b"mn"
    )
}

/// Whether a line (or its first bytes) is a retrieval command, which may be longer than
/// other lines: after any leading spaces, `get `, `gets `, `gat ` or `gats `.
pub(crate) fn is_retrieval(prefix: &[u8]) -> bool {
    let start = prefix
        .iter()
        .position(|&b| b != b' ')
        .unwrap_or(prefix.len());
    let rest = &prefix[start..];
    [&b"get "[..], b"gets ", b"gat ", b"gats "]
        .iter()
        .any(|name| rest.starts_with(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Outcome, Reject> {
        parse_command(line.as_bytes(), &RequestLimits::default())
    }

    fn rejected(line: &str) -> (MemcacheErrorKind, usize, Option<usize>) {
        let r = parse(line).unwrap_err();
        (r.kind, r.at, r.swallow)
    }

    #[test]
    fn storage_lines() {
        assert_eq!(
            parse("set k 1 -2 3 noreply"),
            Ok(Outcome::Data(
                DataCommand::Store {
                    command: StoreCommand::Set,
                    key: Span::new(4, 5),
                    flags: 1,
                    exptime: -2,
                    noreply: true
                },
                3
            ))
        );
        assert!(matches!(
            parse("cas k 0 0 3 99"),
            Ok(Outcome::Data(
                DataCommand::Store {
                    command: StoreCommand::Cas(99),
                    ..
                },
                3
            ))
        ));
        assert_eq!(rejected("set k 0 0"), (WrongArity, 9, None));
        assert_eq!(rejected("set k x 0 3"), (BadCommandLine, 6, Some(3)));
        assert_eq!(rejected("set k 0 0 -3"), (BadCommandLine, 10, None));
        assert_eq!(
            rejected("set k 0 0 3 norply"),
            (BadCommandLine, 12, Some(3))
        );
        assert_eq!(rejected("set k 0 0 4294967296"), (BadCommandLine, 10, None));
    }

    #[test]
    fn runs_of_spaces_separate() {
        assert!(matches!(
            parse("  get   a  b  "),
            Ok(Outcome::Retrieve(Retrieval { keys, count: 2, .. })) if keys == Span::new(8, 12)
        ));
    }

    #[test]
    fn retrieval_prefixes() {
        assert!(is_retrieval(b"get a"));
        assert!(is_retrieval(b"  gats 1"));
        assert!(!is_retrieval(b"getx"));
        assert!(!is_retrieval(b"set "));
    }

    #[test]
    fn numbers_are_whole_tokens() {
        assert_eq!(rejected("incr k 1x"), (BadDelta, 7, None));
        assert_eq!(rejected("incr k -1"), (BadDelta, 7, None));
        assert_eq!(rejected("incr k 18446744073709551616"), (BadDelta, 7, None));
        assert!(parse("incr k 18446744073709551615").is_ok());
    }
}
