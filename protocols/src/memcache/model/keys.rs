//! Keys: what makes one valid, and the key list of a retrieval command.

use core::fmt;

use bytes::Bytes;
use nagrel_decoder::encode::EncodeError;

use crate::memcache::decode::scan::{find, non_key_byte};
use crate::memcache::limits::MAX_KEY_LEN;

/// Whether `b` may appear in a key: anything but space and the ASCII control bytes
/// (bytes from 0x80 up are allowed, as memcached does).
#[inline(always)]
pub(crate) const fn is_key_byte(b: u8) -> bool {
    b > b' ' && b != 0x7F
}

/// Whether `key` is a valid key of at most `max` bytes.
#[inline]
pub(crate) fn key_ok(key: &[u8], max: usize) -> bool {
    !key.is_empty() && key.len() <= max && non_key_byte(key) == key.len()
}

/// Whether `key` is a key memcached accepts: 1 to 250 bytes, no space, no control byte.
///
/// ```
/// use nagrel_protocols::memcache::is_valid_key;
///
/// assert!(is_valid_key(b"user:42"));
/// assert!(!is_valid_key(b"two words"));
/// assert!(!is_valid_key(b"tab\there"));
/// assert!(!is_valid_key(&[b'k'; 251]));
/// ```
#[inline]
pub fn is_valid_key(key: &[u8]) -> bool {
    key_ok(key, MAX_KEY_LEN)
}

/// Whether `key` is acceptable in a reply (`VALUE`, `ME`): 1 to 250 bytes without space
/// or LF. Laxer than [`is_valid_key`] on purpose: memcached stores keys with control bytes
/// (tabs, even CRs) that other clients sent, and answers with them; a client must still
/// read such replies, which frame unambiguously since the key is followed by more
/// tokens or ends the line before its LF.
#[inline]
pub(crate) fn reply_key_ok(key: &[u8]) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_LEN && memchr::memchr2(b' ', b'\n', key).is_none()
}

/// Checks a reply's key for an encoder (see [`reply_key_ok`]).
pub(crate) fn check_reply_key(key: &[u8]) -> Result<(), EncodeError> {
    if reply_key_ok(key) {
        Ok(())
    } else {
        Err(EncodeError::new(
            "key in a reply must be 1 to 250 bytes without space or LF",
        ))
    }
}

/// Checks a key for an encoder.
#[inline]
pub(crate) fn check_key(key: &[u8]) -> Result<(), EncodeError> {
    if is_valid_key(key) {
        Ok(())
    } else {
        Err(EncodeError::new(
            "key must be 1 to 250 bytes without space or control bytes",
        ))
    }
}

/// The keys of a `get`, `gets`, `gat` or `gats` command: one or more valid keys.
///
/// Decoded key lists keep the command as received, one zero-copy [`Bytes`] for all keys;
/// [`iter`](Keys::iter) splits them on demand, so a multi-get of many keys costs no
/// allocation.
///
/// ```
/// use nagrel_protocols::memcache::Keys;
///
/// let keys = Keys::new(["a", "bb", "ccc"]).unwrap();
/// assert_eq!(keys.len(), 3);
/// assert_eq!(keys.iter().collect::<Vec<_>>(), [&b"a"[..], b"bb", b"ccc"]);
/// assert!(Keys::new(["bad key"]).is_err());
/// assert!(Keys::new(Vec::<&str>::new()).is_err());
/// ```
#[derive(Clone)]
pub struct Keys {
    /// The bytes holding the list (for a decoded list, the whole command line).
    raw: Bytes,
    /// Where the list lies in `raw`: keys separated by runs of spaces, no space at either
    /// end.
    start: u32,
    end: u32,
    count: u32,
}

impl Keys {
    /// A key list from valid keys (1 to 250 bytes, no space or control byte), at least one.
    pub fn new<I, K>(keys: I) -> Result<Keys, EncodeError>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        let mut list = Vec::new();
        let mut count: u32 = 0;
        for key in keys {
            let key = key.as_ref();
            check_key(key)?;
            if count > 0 {
                list.push(b' ');
            }
            list.extend_from_slice(key);
            count = count
                .checked_add(1)
                .ok_or(EncodeError::new("too many keys"))?;
        }
        if count == 0 {
            return Err(EncodeError::new("a retrieval needs at least one key"));
        }
        let end = u32::try_from(list.len()).map_err(|_| EncodeError::new("key list too long"))?;
        Ok(Keys {
            raw: Bytes::from(list),
            start: 0,
            end,
            count,
        })
    }

    /// A list of one key, without copying it.
    pub fn one(key: Bytes) -> Result<Keys, EncodeError> {
        check_key(&key)?;
        Ok(Keys {
            end: key.len() as u32,
            raw: key,
            start: 0,
            count: 1,
        })
    }

    /// A list the decoder has validated, lying at `start..end` of `raw`.
    #[inline]
    pub(crate) fn from_parts(raw: Bytes, start: u32, end: u32, count: u32) -> Keys {
        Keys {
            raw,
            start,
            end,
            count,
        }
    }

    /// How many keys there are (at least one).
    #[inline]
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Always false: a key list holds at least one key.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The keys in order.
    #[inline]
    pub fn iter(&self) -> KeysIter<'_> {
        KeysIter {
            rest: self.as_slice(),
            single: self.count == 1,
        }
    }

    /// The keys in order as owned `Bytes`, sharing the command's memory.
    pub fn iter_bytes(&self) -> impl Iterator<Item = Bytes> + '_ {
        self.iter().map(|k| self.raw.slice_ref(k))
    }

    /// The first key.
    #[inline]
    pub fn first(&self) -> &[u8] {
        self.iter().next().unwrap_or_default()
    }

    /// The key list as received (keys separated by one or more spaces).
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        self.raw
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

impl PartialEq for Keys {
    /// Key lists are equal when they hold the same keys in the same order, however many
    /// spaces separated them on the wire.
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count && self.iter().eq(other.iter())
    }
}

impl Eq for Keys {}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|k| String::from_utf8_lossy(k)))
            .finish()
    }
}

/// The keys of a [`Keys`], in order.
#[derive(Debug, Clone)]
pub struct KeysIter<'a> {
    rest: &'a [u8],
    /// The list is one key, with no space to look for.
    single: bool,
}

impl<'a> Iterator for KeysIter<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.single {
            self.single = false;
            return Some(core::mem::take(&mut self.rest)).filter(|k| !k.is_empty());
        }
        let start = self.rest.iter().position(|&b| b != b' ')?;
        let rest = &self.rest[start..];
        let end = find(b' ', rest);
        self.rest = &rest[end..];
        Some(&rest[..end])
    }
}
