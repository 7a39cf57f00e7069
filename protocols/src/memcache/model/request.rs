//! Commands, as a server receives them and a client sends them.

use core::fmt;

use bytes::Bytes;
use nagrel_decoder::encode::EncodeError;

use super::flags::MetaFlags;
use super::keys::{check_key, Keys};

/// One command.
///
/// Keys and data blocks are zero-copy [`Bytes`] split off the receive buffer (for
/// [`Store`] and [`MetaSet`], one piece holding both, handed out by accessors).
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::memcache::{Request, RequestDecoder, StoreCommand};
///
/// let mut decoder = RequestDecoder::default();
/// let mut buf = BytesMut::from(&b"set greeting 5 0 5\r\nhello\r\nget greeting\r\n"[..]);
/// let Some(Request::Store(set)) = decoder.decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!(set.command(), StoreCommand::Set);
/// assert_eq!((set.key(), set.flags(), set.data()), (&b"greeting"[..], 5, &b"hello"[..]));
/// let Some(Request::Retrieve(get)) = decoder.decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!(get.keys.first(), b"greeting");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
// An explicit tag in front: left to itself the compiler tucks the tag into a spare byte of
// `Store`, and every move of a request then goes in odd-sized, misaligned pieces.
#[repr(u8)]
pub enum Request {
    /// `get`, `gets`, `gat` or `gats`.
    Retrieve(Retrieve),
    /// `set`, `add`, `replace`, `append`, `prepend` or `cas`, with its data block.
    Store(Store),
    /// `delete <key> [noreply]`.
    Delete(Delete),
    /// `incr` or `decr`.
    Arithmetic(Arithmetic),
    /// `touch <key> <exptime> [noreply]`.
    Touch(Touch),
    /// `stats [args]`.
    Stats(Stats),
    /// `version`.
    Version,
    /// `verbosity <level> [noreply]`.
    Verbosity(Verbosity),
    /// `flush_all [delay] [noreply]`.
    FlushAll(FlushAll),
    /// `quit`: the client asks the server to close the connection.
    Quit,
    /// `mg <key> <flags>*`.
    MetaGet(Meta),
    /// `ms <key> <datalen> <flags>*`, with its data block.
    MetaSet(MetaSet),
    /// `md <key> <flags>*`.
    MetaDelete(Meta),
    /// `ma <key> <flags>*`.
    MetaArithmetic(Meta),
    /// `me <key> <flags>*`.
    MetaDebug(Meta),
    /// `mn`.
    MetaNoop,
    /// A line whose command this decoder does not know, as received (terminator
    /// excluded). Only produced when
    /// [`RequestLimits::pass_unknown`](crate::memcache::RequestLimits::pass_unknown) is set;
    /// otherwise such a line is rejected with `ERROR`.
    Unknown(Bytes),
}

impl Request {
    /// The command's name as written on the wire (`"get"`, `"ms"`, ...); `"unknown"` for
    /// [`Request::Unknown`].
    pub fn name(&self) -> &'static str {
        match self {
            Request::Retrieve(r) => r.command.as_str(),
            Request::Store(s) => s.command().as_str(),
            Request::Delete(_) => "delete",
            Request::Arithmetic(a) => a.command.as_str(),
            Request::Touch(_) => "touch",
            Request::Stats(_) => "stats",
            Request::Version => "version",
            Request::Verbosity(_) => "verbosity",
            Request::FlushAll(_) => "flush_all",
            Request::Quit => "quit",
            Request::MetaGet(_) => "mg",
            Request::MetaSet(_) => "ms",
            Request::MetaDelete(_) => "md",
            Request::MetaArithmetic(_) => "ma",
            Request::MetaDebug(_) => "me",
            Request::MetaNoop => "mn",
            Request::Unknown(_) => "unknown",
        }
    }

    /// Whether the client asked not to be answered (`noreply`). Errors are answered all the
    /// same, as memcached does. Meta commands say so with their `q` flag instead, which
    /// only silences some replies; that is left to the server.
    pub fn noreply(&self) -> bool {
        match self {
            Request::Store(s) => s.noreply,
            Request::Delete(d) => d.noreply,
            Request::Arithmetic(a) => a.noreply,
            Request::Touch(t) => t.noreply,
            Request::Verbosity(v) => v.noreply,
            Request::FlushAll(f) => f.noreply,
            _ => false,
        }
    }
}

/// Which retrieval command, and for `gat`/`gats` the new expiration time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetrieveCommand {
    /// `get <key>*`.
    Get,
    /// `gets <key>*`: the values with their cas unique.
    Gets,
    /// `gat <exptime> <key>*`: get and touch.
    Gat(i64),
    /// `gats <exptime> <key>*`: get and touch, with cas uniques.
    Gats(i64),
}

impl RetrieveCommand {
    /// The command's name on the wire.
    #[inline]
    pub const fn as_str(self) -> &'static str {
        match self {
            RetrieveCommand::Get => "get",
            RetrieveCommand::Gets => "gets",
            RetrieveCommand::Gat(_) => "gat",
            RetrieveCommand::Gats(_) => "gats",
        }
    }

    /// Whether the reply carries cas uniques (`gets`, `gats`).
    #[inline]
    pub const fn with_cas(self) -> bool {
        matches!(self, RetrieveCommand::Gets | RetrieveCommand::Gats(_))
    }

    /// The new expiration time of `gat`/`gats`.
    #[inline]
    pub const fn exptime(self) -> Option<i64> {
        match self {
            RetrieveCommand::Gat(t) | RetrieveCommand::Gats(t) => Some(t),
            _ => None,
        }
    }
}

/// `get`, `gets`, `gat` or `gats` and its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retrieve {
    /// Which command.
    pub command: RetrieveCommand,
    /// The keys asked for, in order.
    pub keys: Keys,
}

/// Which storage command, and for `cas` the cas unique to compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreCommand {
    /// `set`: store.
    Set,
    /// `add`: store unless the key holds data.
    Add,
    /// `replace`: store only if the key holds data.
    Replace,
    /// `append`: add the data after the existing data.
    Append,
    /// `prepend`: add the data before the existing data.
    Prepend,
    /// `cas`: store only if the item's cas unique is still this one.
    Cas(u64),
}

impl StoreCommand {
    /// The command's name on the wire.
    #[inline]
    pub const fn as_str(self) -> &'static str {
        match self {
            StoreCommand::Set => "set",
            StoreCommand::Add => "add",
            StoreCommand::Replace => "replace",
            StoreCommand::Append => "append",
            StoreCommand::Prepend => "prepend",
            StoreCommand::Cas(_) => "cas",
        }
    }
}

/// A storage command: `<command> <key> <flags> <exptime> <bytes> [<cas unique>]
/// [noreply]`, then the data block.
///
/// The key and the data block share one zero-copy [`Bytes`] (one reference count per
/// command however it is used); [`key_bytes`](Store::key_bytes) and
/// [`data_bytes`](Store::data_bytes) hand them out as owned `Bytes` without copying.
#[derive(Clone)]
pub struct Store {
    /// The bytes holding key and data block (for a decoded command, the whole command).
    raw: Bytes,
    key: Span,
    data: Span,
    exptime: i64,
    /// The cas unique of a `cas` command; kept apart from `kind` so the command stays
    /// small.
    unique: u64,
    flags: u32,
    kind: StoreKind,
    noreply: bool,
}

/// Where a part lies in a command's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    /// `start..end`. Commands are bounded far below 4 GiB (a line by the limits, a data
    /// block by `INT_MAX - 2`), so positions fit a `u32`.
    #[inline(always)]
    pub(crate) const fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    #[inline(always)]
    pub(crate) const fn start(self) -> usize {
        self.start as usize
    }

    #[inline(always)]
    pub(crate) const fn end(self) -> usize {
        self.end as usize
    }

    #[inline(always)]
    pub(crate) fn of(raw: &Bytes, span: Span) -> &[u8] {
        raw.get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    #[inline(always)]
    pub(crate) fn bytes(raw: &Bytes, span: Span) -> Bytes {
        if span.start >= span.end {
            return Bytes::new();
        }
        raw.slice(span.start as usize..span.end as usize)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreKind {
    Set,
    Add,
    Replace,
    Append,
    Prepend,
    Cas,
}

impl Store {
    /// A storage command with flags 0, exptime 0 and a reply. The key must be valid (1 to
    /// 250 bytes, no space or control byte); key and data are copied.
    ///
    /// ```
    /// use nagrel_protocols::memcache::{Store, StoreCommand};
    ///
    /// let set = Store::new(StoreCommand::Set, b"k", b"value").unwrap().with_exptime(60);
    /// assert_eq!((set.key(), set.data(), set.exptime()), (&b"k"[..], &b"value"[..], 60));
    /// assert!(Store::new(StoreCommand::Set, b"bad key", b"").is_err());
    /// ```
    pub fn new(command: StoreCommand, key: &[u8], data: &[u8]) -> Result<Store, EncodeError> {
        check_key(key)?;
        let too_big = || EncodeError::new("data block too large");
        let total = key.len().checked_add(data.len()).ok_or_else(too_big)?;
        let total = u32::try_from(total).map_err(|_| too_big())?;
        let mut raw = Vec::with_capacity(total as usize);
        raw.extend_from_slice(key);
        raw.extend_from_slice(data);
        let key_end = key.len() as u32;
        Ok(Store::from_parts(
            command,
            Bytes::from(raw),
            Span {
                start: 0,
                end: key_end,
            },
            Span {
                start: key_end,
                end: total,
            },
            0,
            0,
            false,
        ))
    }

    /// A command the decoder has validated, its key and data block lying at `key` and
    /// `data` of `raw`.
    #[inline(always)]
    pub(crate) fn from_parts(
        command: StoreCommand,
        raw: Bytes,
        key: Span,
        data: Span,
        flags: u32,
        exptime: i64,
        noreply: bool,
    ) -> Store {
        let (kind, unique) = match command {
            StoreCommand::Set => (StoreKind::Set, 0),
            StoreCommand::Add => (StoreKind::Add, 0),
            StoreCommand::Replace => (StoreKind::Replace, 0),
            StoreCommand::Append => (StoreKind::Append, 0),
            StoreCommand::Prepend => (StoreKind::Prepend, 0),
            StoreCommand::Cas(unique) => (StoreKind::Cas, unique),
        };
        Store {
            raw,
            key,
            data,
            exptime,
            unique,
            flags,
            kind,
            noreply,
        }
    }

    /// With these client flags.
    #[inline]
    pub fn with_flags(mut self, flags: u32) -> Self {
        self.flags = flags;
        self
    }

    /// With this expiration time.
    #[inline]
    pub fn with_exptime(mut self, exptime: i64) -> Self {
        self.exptime = exptime;
        self
    }

    /// With or without `noreply`.
    #[inline]
    pub fn with_noreply(mut self, noreply: bool) -> Self {
        self.noreply = noreply;
        self
    }

    /// Which command.
    #[inline]
    pub fn command(&self) -> StoreCommand {
        match self.kind {
            StoreKind::Set => StoreCommand::Set,
            StoreKind::Add => StoreCommand::Add,
            StoreKind::Replace => StoreCommand::Replace,
            StoreKind::Append => StoreCommand::Append,
            StoreKind::Prepend => StoreCommand::Prepend,
            StoreKind::Cas => StoreCommand::Cas(self.unique),
        }
    }

    /// The key.
    #[inline]
    pub fn key(&self) -> &[u8] {
        Span::of(&self.raw, self.key)
    }

    /// The key as owned `Bytes`, sharing the command's memory.
    #[inline]
    pub fn key_bytes(&self) -> Bytes {
        Span::bytes(&self.raw, self.key)
    }

    /// The data block (without its CRLF).
    #[inline]
    pub fn data(&self) -> &[u8] {
        Span::of(&self.raw, self.data)
    }

    /// The data block as owned `Bytes`, sharing the command's memory.
    #[inline]
    pub fn data_bytes(&self) -> Bytes {
        Span::bytes(&self.raw, self.data)
    }

    /// The client flags, opaque to the server.
    #[inline]
    pub fn flags(&self) -> u32 {
        self.flags
    }

    /// The expiration time: 0 never, up to 30 days relative seconds, beyond that a unix
    /// time, negative already expired.
    #[inline]
    pub fn exptime(&self) -> i64 {
        self.exptime
    }

    /// Whether the client asked not to be answered.
    #[inline]
    pub fn noreply(&self) -> bool {
        self.noreply
    }

    /// The cas unique of a `cas` command.
    #[inline]
    pub fn cas(&self) -> Option<u64> {
        (self.kind == StoreKind::Cas).then_some(self.unique)
    }
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        (self.command(), self.flags, self.exptime, self.noreply)
            == (other.command(), other.flags, other.exptime, other.noreply)
            && self.key() == other.key()
            && self.data() == other.data()
    }
}

impl Eq for Store {}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("command", &self.command())
            .field("key", &String::from_utf8_lossy(self.key()))
            .field("flags", &self.flags)
            .field("exptime", &self.exptime)
            .field("noreply", &self.noreply)
            .field("data", &Bytes::copy_from_slice(self.data()))
            .finish()
    }
}

/// `delete <key> [noreply]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delete {
    /// The key.
    pub key: Bytes,
    /// Whether the client asked not to be answered.
    pub noreply: bool,
}

/// `incr` or `decr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithCommand {
    /// `incr`: add, wrapping at 2^64.
    Incr,
    /// `decr`: subtract, stopping at 0.
    Decr,
}

impl ArithCommand {
    /// The command's name on the wire.
    #[inline]
    pub const fn as_str(self) -> &'static str {
        match self {
            ArithCommand::Incr => "incr",
            ArithCommand::Decr => "decr",
        }
    }
}

/// `incr|decr <key> <value> [noreply]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arithmetic {
    /// Which command.
    pub command: ArithCommand,
    /// The key.
    pub key: Bytes,
    /// The amount to add or subtract.
    pub delta: u64,
    /// Whether the client asked not to be answered.
    pub noreply: bool,
}

/// `touch <key> <exptime> [noreply]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    /// The key.
    pub key: Bytes,
    /// The new expiration time.
    pub exptime: i64,
    /// Whether the client asked not to be answered.
    pub noreply: bool,
}

/// `stats [args]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// The arguments as received (space-separated tokens without control bytes; empty for
    /// plain `stats`), surrounding spaces removed.
    pub args: Bytes,
}

/// `verbosity <level> [noreply]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verbosity {
    /// The logging level.
    pub level: u32,
    /// Whether the client asked not to be answered.
    pub noreply: bool,
}

/// `flush_all [delay] [noreply]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlushAll {
    /// Seconds (or a unix time) before the flush takes effect; `None` for now.
    pub delay: Option<i64>,
    /// Whether the client asked not to be answered.
    pub noreply: bool,
}

/// A meta command without data: `mg`, `md`, `ma` or `me` with its key and flags.
///
/// Key and flags share one zero-copy [`Bytes`], like the other commands' parts.
///
/// ```
/// use nagrel_protocols::memcache::{Meta, MetaFlags};
///
/// let mg = Meta::new(b"k", MetaFlags::new([(b'v', ""), (b'T', "30")]).unwrap()).unwrap();
/// assert_eq!(mg.key(), b"k");
/// assert_eq!(mg.flags().get(b'T'), Some(&b"30"[..]));
/// ```
#[derive(Clone)]
pub struct Meta {
    raw: Bytes,
    key: Span,
    flags: Span,
    present: u64,
}

impl Meta {
    /// A meta command on a valid `key` (copied) with `flags`.
    pub fn new(key: &[u8], flags: MetaFlags) -> Result<Meta, EncodeError> {
        let store = Store::new(StoreCommand::Set, key, flags.as_bytes())?;
        Ok(Meta {
            raw: store.raw,
            key: store.key,
            flags: store.data,
            present: flags.present(),
        })
    }

    /// A command the decoder has validated.
    #[inline]
    pub(crate) fn from_parts(raw: Bytes, key: Span, flags: Span, present: u64) -> Self {
        Meta {
            raw,
            key,
            flags,
            present,
        }
    }

    /// The key (base64 when the `b` flag is present).
    #[inline]
    pub fn key(&self) -> &[u8] {
        Span::of(&self.raw, self.key)
    }

    /// The key as owned `Bytes`, sharing the command's memory.
    #[inline]
    pub fn key_bytes(&self) -> Bytes {
        Span::bytes(&self.raw, self.key)
    }

    /// The flags, in order (sharing the command's memory).
    #[inline]
    pub fn flags(&self) -> MetaFlags {
        MetaFlags::from_parts(Span::bytes(&self.raw, self.flags), self.present)
    }
}

impl PartialEq for Meta {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key() && self.flags() == other.flags()
    }
}

impl Eq for Meta {}

impl fmt::Debug for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Meta")
            .field("key", &String::from_utf8_lossy(self.key()))
            .field("flags", &self.flags())
            .finish()
    }
}

/// `ms <key> <datalen> <flags>*`, then the data block.
///
/// Like [`Store`], key, flags and data share one zero-copy [`Bytes`].
#[derive(Clone)]
pub struct MetaSet {
    raw: Bytes,
    key: Span,
    flags: Span,
    data: Span,
    present: u64,
}

impl MetaSet {
    /// A meta set of `data` under a valid `key` (copied) with `flags`.
    ///
    /// ```
    /// use nagrel_protocols::memcache::{MetaFlags, MetaSet};
    ///
    /// let flags = MetaFlags::new([(b'T', "60")]).unwrap();
    /// let ms = MetaSet::new(b"k", flags, b"hi").unwrap();
    /// assert_eq!((ms.key(), ms.data()), (&b"k"[..], &b"hi"[..]));
    /// assert!(ms.flags().has(b'T'));
    /// ```
    pub fn new(key: &[u8], flags: MetaFlags, data: &[u8]) -> Result<MetaSet, EncodeError> {
        let meta = Meta::new(key, flags)?;
        let too_big = || EncodeError::new("data block too large");
        let total = meta.raw.len().checked_add(data.len()).ok_or_else(too_big)?;
        let total = u32::try_from(total).map_err(|_| too_big())?;
        let mut raw = Vec::with_capacity(total as usize);
        raw.extend_from_slice(&meta.raw);
        raw.extend_from_slice(data);
        Ok(MetaSet {
            raw: Bytes::from(raw),
            key: meta.key,
            flags: meta.flags,
            data: Span {
                start: meta.flags.end,
                end: total,
            },
            present: meta.present,
        })
    }

    /// A command the decoder has validated.
    #[inline]
    pub(crate) fn from_parts(raw: Bytes, key: Span, flags: Span, data: Span, present: u64) -> Self {
        MetaSet {
            raw,
            key,
            flags,
            data,
            present,
        }
    }

    /// The key.
    #[inline]
    pub fn key(&self) -> &[u8] {
        Span::of(&self.raw, self.key)
    }

    /// The key as owned `Bytes`, sharing the command's memory.
    #[inline]
    pub fn key_bytes(&self) -> Bytes {
        Span::bytes(&self.raw, self.key)
    }

    /// The flags, in order (sharing the command's memory).
    #[inline]
    pub fn flags(&self) -> MetaFlags {
        MetaFlags::from_parts(Span::bytes(&self.raw, self.flags), self.present)
    }

    /// The data block (without its CRLF).
    #[inline]
    pub fn data(&self) -> &[u8] {
        Span::of(&self.raw, self.data)
    }

    /// The data block as owned `Bytes`, sharing the command's memory.
    #[inline]
    pub fn data_bytes(&self) -> Bytes {
        Span::bytes(&self.raw, self.data)
    }
}

impl PartialEq for MetaSet {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key() && self.flags() == other.flags() && self.data() == other.data()
    }
}

impl Eq for MetaSet {}

impl fmt::Debug for MetaSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetaSet")
            .field("key", &String::from_utf8_lossy(self.key()))
            .field("flags", &self.flags())
            .field("data", &Bytes::copy_from_slice(self.data()))
            .finish()
    }
}
