//! The meta commands' arguments: `mg`, `md`, `ma`, `me` (a key and flags) and `ms` (a key,
//! a data length and flags).

use super::super::tokens::token;
use super::{DataCommand, Line, MetaCommand, Parsed, Reject};
use crate::memcache::error::MemcacheErrorKind::*;
use crate::memcache::model::flags::flag_bit;
use crate::memcache::model::keys::is_key_byte;
use crate::memcache::model::request::Span;

impl<'a> Line<'a> {
    /// The flags after a meta command's key (and length): each a letter and an optional
    /// token, each letter once. Returns where they lie and which letters are present.
    #[inline(never)]
    fn meta_flags(&self, mut rest: &'a [u8], after: usize) -> Result<(Span, u64), Reject> {
        let mut span = Span::new(after, after);
        let mut present = 0u64;
        let mut first = true;
        while let Ok((next, flag)) = token(rest) {
            let Some(bit) = flag_bit(flag[0]) else {
                return Err(self.reject(InvalidFlag, flag));
            };
            if let Some(bad) = flag[1..].iter().position(|&b| !is_key_byte(b)) {
                return Err(Reject {
                    kind: InvalidFlag,
                    at: self.at(flag) + 1 + bad,
                    swallow: None,
                });
            }
            if present & (1 << bit) != 0 {
                return Err(self.reject(DuplicateFlag, flag));
            }
            present |= 1 << bit;
            let s = self.span(flag);
            if first {
                span.start = s.start;
                first = false;
            }
            span.end = s.end;
            rest = next;
        }
        Ok((span, present))
    }

    /// `mg|md|ma|me <key> <flags>*`.
    #[inline(never)]
    pub(super) fn meta(&self, rest: &'a [u8], command: MetaCommand) -> Result<Parsed, Reject> {
        let Ok((rest, key)) = token(rest) else {
            return Err(Reject {
                kind: BadCommandLine,
                at: self.line.len(),
                swallow: None,
            });
        };
        let key = self.key(key)?;
        let (flags, present) = self.meta_flags(rest, key.end())?;
        Ok(Parsed::Meta {
            command,
            key,
            flags,
            present,
        })
    }

    /// `ms <key> <datalen> <flags>*`.
    #[inline(never)]
    pub(super) fn meta_set(&self, rest: &'a [u8]) -> Result<Parsed, Reject> {
        let missing = Reject {
            kind: BadCommandLine,
            at: self.line.len(),
            swallow: None,
        };
        let Ok((rest, key)) = token(rest) else {
            return Err(missing);
        };
        let Ok((rest, len_token)) = token(rest) else {
            return Err(missing);
        };
        let len = self.declared_len(len_token)?;
        let swallowing = |r: Reject| Reject {
            swallow: Some(len),
            ..r
        };
        let key = self.key(key).map_err(swallowing)?;
        let (flags, present) = self
            .meta_flags(rest, self.at(len_token) + len_token.len())
            .map_err(swallowing)?;
        if len > self.limits.max_item {
            return Err(swallowing(self.reject(TooLarge, len_token)));
        }
        Ok(Parsed::Data {
            command: DataCommand::MetaSet {
                key,
                flags,
                present,
            },
            len,
        })
    }
}
