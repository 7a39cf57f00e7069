//! The text protocol's commands besides retrieval and storage: `delete`, `incr`/`decr`,
//! `touch`, `stats`, `version`, `verbosity`, `flush_all`, `quit`, and the dispatch of
//! every command that is not on the hot path (meta commands included).
//!
//! These are parsed argument by argument from a small array of tokens, so a wrong count
//! is told apart from a malformed value as memcached does.

use super::super::tokens::{decimal_i64, decimal_u32, decimal_u64, token};
use super::{number, Line, MetaCommand, Parsed, Reject, DECR, INCR, MA, MD, ME, MG, MN, MS, QUIT};
use crate::memcache::error::MemcacheErrorKind::*;
use crate::memcache::model::keys::is_key_byte;
use crate::memcache::model::request::{ArithCommand, FlushAll, Span, Verbosity};

/// Most arguments any fixed-arity command takes, plus one to notice an extra one.
const MAX_ARGS: usize = 7;

/// The arguments after the command name: up to [`MAX_ARGS`] tokens.
struct Args<'a> {
    tokens: [&'a [u8]; MAX_ARGS],
    len: usize,
}

impl<'a> Args<'a> {
    #[inline(always)]
    fn parse(mut rest: &'a [u8]) -> Args<'a> {
        let mut args = Args {
            tokens: [&[]; MAX_ARGS],
            len: 0,
        };
        while args.len < MAX_ARGS {
            match token(rest) {
                Ok((after, t)) => {
                    args.tokens[args.len] = t;
                    args.len += 1;
                    rest = after;
                }
                Err(_) => break,
            }
        }
        args
    }
}

impl<'a> Line<'a> {
    /// `delete <key> [0] [noreply]` (the `0` is the hold time old clients still send).
    #[inline(never)]
    fn delete(&self, rest: &'a [u8]) -> Result<Parsed, Reject> {
        let mut args = Args::parse(rest);
        if args.len == 0 || args.len > 3 {
            return Err(self.arity(&args, 3));
        }
        let key = self.key(args.tokens[0])?;
        if args.len >= 2 && args.tokens[1] == b"0" {
            args.tokens.copy_within(2.., 1);
            args.len -= 1;
        }
        if args.len > 2 {
            return Err(self.reject(BadCommandLine, args.tokens[2]));
        }
        let noreply = self.noreply(&args, 1)?;
        Ok(Parsed::Delete { key, noreply })
    }

    /// `incr|decr <key> <value> [noreply]`.
    #[inline(never)]
    fn arithmetic(&self, rest: &'a [u8], command: ArithCommand) -> Result<Parsed, Reject> {
        let args = Args::parse(rest);
        if !(2..=3).contains(&args.len) {
            return Err(self.arity(&args, 3));
        }
        let key = self.key(args.tokens[0])?;
        let t = args.tokens[1];
        let delta = number(t, decimal_u64).ok_or_else(|| self.reject(BadDelta, t))?;
        let noreply = self.noreply(&args, 2)?;
        Ok(Parsed::Arithmetic {
            command,
            key,
            delta,
            noreply,
        })
    }

    /// `touch <key> <exptime> [noreply]`.
    #[inline(never)]
    fn touch(&self, rest: &'a [u8]) -> Result<Parsed, Reject> {
        let args = Args::parse(rest);
        if !(2..=3).contains(&args.len) {
            return Err(self.arity(&args, 3));
        }
        let key = self.key(args.tokens[0])?;
        let t = args.tokens[1];
        let exptime = number(t, decimal_i64).ok_or_else(|| self.reject(BadCommandLine, t))?;
        let noreply = self.noreply(&args, 2)?;
        Ok(Parsed::Touch {
            key,
            exptime,
            noreply,
        })
    }

    /// `stats [args]`: any tokens without control bytes.
    #[inline(never)]
    fn stats(&self, mut rest: &'a [u8]) -> Result<Parsed, Reject> {
        let mut args: Option<Span> = None;
        while let Ok((after, t)) = token(rest) {
            if let Some(bad) = t.iter().position(|&b| !is_key_byte(b)) {
                return Err(Reject {
                    kind: BadCommandLine,
                    at: self.at(t) + bad,
                    swallow: None,
                });
            }
            let span = self.span(t);
            args = Some(args.map_or(span, |a| Span::new(a.start(), span.end())));
            rest = after;
        }
        let end = self.line.len();
        Ok(Parsed::Stats {
            args: args.unwrap_or(Span::new(end, end)),
        })
    }

    /// A command without arguments.
    #[inline(never)]
    fn bare(&self, rest: &'a [u8], parsed: Parsed) -> Result<Parsed, Reject> {
        match token(rest) {
            Ok((_, extra)) => Err(self.reject(WrongArity, extra)),
            Err(_) => Ok(parsed),
        }
    }

    /// `verbosity <level> [noreply]`.
    #[inline(never)]
    fn verbosity(&self, rest: &'a [u8]) -> Result<Parsed, Reject> {
        let args = Args::parse(rest);
        if !(1..=2).contains(&args.len) {
            return Err(self.arity(&args, 2));
        }
        let t = args.tokens[0];
        let level = number(t, decimal_u32).ok_or_else(|| self.reject(BadCommandLine, t))?;
        let noreply = self.noreply(&args, 1)?;
        Ok(Parsed::Verbosity(Verbosity { level, noreply }))
    }

    /// `flush_all [delay] [noreply]`.
    #[inline(never)]
    fn flush_all(&self, rest: &'a [u8]) -> Result<Parsed, Reject> {
        let args = Args::parse(rest);
        if args.len > 2 {
            return Err(self.arity(&args, 2));
        }
        let (delay, noreply_at) = match args.tokens[..args.len] {
            [] | [b"noreply"] => (None, 0),
            [t, ..] => (
                Some(number(t, decimal_i64).ok_or_else(|| self.reject(BadCommandLine, t))?),
                1,
            ),
        };
        let noreply = self.noreply(&args, noreply_at)?;
        Ok(Parsed::FlushAll(FlushAll { delay, noreply }))
    }

    /// Every command but the retrieval and storage ones.
    #[inline(never)]
    pub(crate) fn other(&self, name: &'a [u8], rest: &'a [u8]) -> Result<Parsed, Reject> {
        let known = match *name {
            [a, b] => match u32::from_le_bytes([a, b, 0, 0]) {
                MG => Some(self.meta(rest, MetaCommand::Get)),
                MS => Some(self.meta_set(rest)),
                MD => Some(self.meta(rest, MetaCommand::Delete)),
                MA => Some(self.meta(rest, MetaCommand::Arithmetic)),
                ME => Some(self.meta(rest, MetaCommand::Debug)),
                MN => Some(self.bare(rest, Parsed::MetaNoop)),
                _ => None,
            },
            [a, b, c, d] => match u32::from_le_bytes([a, b, c, d]) {
                INCR => Some(self.arithmetic(rest, ArithCommand::Incr)),
                DECR => Some(self.arithmetic(rest, ArithCommand::Decr)),
                QUIT => Some(self.bare(rest, Parsed::Quit)),
                _ => None,
            },
            _ => match name {
                b"delete" => Some(self.delete(rest)),
                b"touch" => Some(self.touch(rest)),
                b"stats" => Some(self.stats(rest)),
                b"version" => Some(self.bare(rest, Parsed::Version)),
                b"verbosity" => Some(self.verbosity(rest)),
                b"flush_all" => Some(self.flush_all(rest)),
                _ => None,
            },
        };
        if let Some(parsed) = known {
            return parsed;
        }
        if !self.limits.pass_unknown {
            return Err(self.reject(UnknownCommand, name));
        }
        match self.line.iter().position(|&b| b == b'\r') {
            // A CR inside a line could not be written back unambiguously.
            Some(cr) => Err(Reject {
                kind: BadCommandLine,
                at: cr,
                swallow: None,
            }),
            None => Ok(Parsed::Unknown),
        }
    }

    /// `ERROR` for a missing argument (reported at the line's end) or an extra one.
    #[cold]
    fn arity(&self, args: &Args<'a>, max: usize) -> Reject {
        let at = if args.len > max {
            self.at(args.tokens[max])
        } else {
            self.line.len()
        };
        Reject {
            kind: WrongArity,
            at,
            swallow: None,
        }
    }

    /// The optional last argument, which must be `noreply` when present.
    #[inline(always)]
    fn noreply(&self, args: &Args<'a>, at: usize) -> Result<bool, Reject> {
        match args.tokens[..args.len].get(at) {
            None => Ok(false),
            Some(&b"noreply") => Ok(true),
            Some(t) => Err(self.reject(BadCommandLine, t)),
        }
    }
}
