//! Meta flags: single letters, each optionally followed by a token (`v`, `T30`, `Oabc`).

use core::fmt;

use bytes::Bytes;
use nagrel_decoder::encode::EncodeError;

use super::keys::is_key_byte;

/// The bit standing for flag `letter` in a presence mask: `A`-`Z` are bits 0-25, `a`-`z`
/// bits 26-51; anything else is not a flag.
#[inline(always)]
pub(crate) const fn flag_bit(letter: u8) -> Option<u32> {
    match letter {
        b'A'..=b'Z' => Some((letter - b'A') as u32),
        b'a'..=b'z' => Some((letter - b'a') as u32 + 26),
        _ => None,
    }
}

/// The flags of a meta command or meta reply, in order, each at most once.
///
/// A flag is one ASCII letter followed by an optional token of bytes that may appear in a
/// key (no space, no control byte). The decoder keeps the flags as received, one zero-copy
/// [`Bytes`], plus a bit mask of the letters present, so [`has`](MetaFlags::has) is one
/// test and nothing is allocated. Which flags a command understands is the server's
/// business; the decoder accepts any letter.
///
/// ```
/// use nagrel_protocols::memcache::MetaFlags;
///
/// let flags = MetaFlags::new([(b'v', ""), (b'T', "30"), (b'O', "opaque")]).unwrap();
/// assert!(flags.has(b'v') && !flags.has(b'q'));
/// assert_eq!(flags.get(b'T'), Some(&b"30"[..]));
/// assert_eq!(flags.as_bytes(), &b"v T30 Oopaque"[..]);
/// assert!(MetaFlags::new([(b'v', ""), (b'v', "")]).is_err()); // twice
/// assert!(MetaFlags::new([(b'1', "")]).is_err()); // not a letter
/// ```
#[derive(Clone, Default)]
pub struct MetaFlags {
    raw: Bytes,
    present: u64,
}

impl MetaFlags {
    /// No flags.
    #[inline]
    pub const fn empty() -> MetaFlags {
        MetaFlags {
            raw: Bytes::new(),
            present: 0,
        }
    }

    /// Flags from `(letter, token)` pairs, in order; an empty token is a bare letter.
    pub fn new<I, T>(flags: I) -> Result<MetaFlags, EncodeError>
    where
        I: IntoIterator<Item = (u8, T)>,
        T: AsRef<[u8]>,
    {
        let mut raw = Vec::new();
        let mut present = 0u64;
        for (letter, token) in flags {
            let token = token.as_ref();
            let bit = flag_bit(letter).ok_or(EncodeError::new("meta flag is not a letter"))?;
            if !token.iter().all(|&b| is_key_byte(b)) {
                return Err(EncodeError::new(
                    "meta flag token holds a space or control byte",
                ));
            }
            if present & (1 << bit) != 0 {
                return Err(EncodeError::new("meta flag given twice"));
            }
            present |= 1 << bit;
            if !raw.is_empty() {
                raw.push(b' ');
            }
            raw.push(letter);
            raw.extend_from_slice(token);
        }
        Ok(MetaFlags {
            raw: Bytes::from(raw),
            present,
        })
    }

    /// Flags the decoder has validated.
    #[inline]
    pub(crate) fn from_parts(raw: Bytes, present: u64) -> MetaFlags {
        MetaFlags { raw, present }
    }

    /// The presence mask: bit [`flag_bit`] of each letter present.
    #[inline]
    pub(crate) fn present(&self) -> u64 {
        self.present
    }

    /// Whether flag `letter` is present.
    #[inline]
    pub fn has(&self, letter: u8) -> bool {
        flag_bit(letter).is_some_and(|bit| self.present & (1 << bit) != 0)
    }

    /// The token of flag `letter` (empty for a bare letter), if the flag is present.
    #[inline]
    pub fn get(&self, letter: u8) -> Option<&[u8]> {
        if !self.has(letter) {
            return None;
        }
        self.iter()
            .find(|&(l, _)| l == letter)
            .map(|(_, token)| token)
    }

    /// The flags in order, as `(letter, token)`.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = (u8, &[u8])> + '_ {
        self.raw
            .split(|&b| b == b' ')
            .filter(|t| !t.is_empty())
            .map(|t| (t[0], &t[1..]))
    }

    /// How many flags there are.
    #[inline]
    pub fn len(&self) -> usize {
        self.present.count_ones() as usize
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.present == 0
    }

    /// The flags as received (separated by one or more spaces), or as built.
    #[inline]
    pub fn as_bytes(&self) -> &Bytes {
        &self.raw
    }
}

impl PartialEq for MetaFlags {
    /// Flags are equal when they are the same flags in the same order, however many spaces
    /// separated them on the wire.
    fn eq(&self, other: &Self) -> bool {
        self.present == other.present && self.iter().eq(other.iter())
    }
}

impl Eq for MetaFlags {}

impl fmt::Debug for MetaFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.iter()
                    .map(|(l, t)| format!("{}{}", char::from(l), String::from_utf8_lossy(t))),
            )
            .finish()
    }
}
