//! Replies, as a client receives them and a server sends them.

use bytes::Bytes;

use super::flags::MetaFlags;

/// One reply.
///
/// A client decodes replies without knowing which request each answers, which the text
/// protocol allows with two conventions (see the [`ResponseDecoder`](crate::memcache::ResponseDecoder)):
/// `VALUE` blocks up to `END` are one [`Response::Values`], and an `END` with nothing
/// before it is an empty `Values`, whether it answers a `get` that found nothing or a
/// `stats` with nothing to report.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::memcache::{Response, ResponseDecoder};
///
/// let mut decoder = ResponseDecoder::default();
/// let mut buf = BytesMut::from(&b"VALUE k 0 2 7\r\nhi\r\nEND\r\nSTORED\r\n"[..]);
/// let Some(Response::Values(values)) = decoder.decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!((&values[0].key[..], &values[0].data[..], values[0].cas), (&b"k"[..], &b"hi"[..], Some(7)));
/// assert_eq!(decoder.decode(&mut buf).unwrap(), Some(Response::Stored));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// `VALUE` blocks then `END`: the reply to `get`, `gets`, `gat`, `gats` (empty when
    /// nothing was found).
    Values(Vec<Value>),
    /// `STAT` lines then `END` (at least one line; see [`Response`] for the empty case).
    Stats(Vec<Stat>),
    /// `STORED`.
    Stored,
    /// `NOT_STORED`.
    NotStored,
    /// `EXISTS`.
    Exists,
    /// `NOT_FOUND`.
    NotFound,
    /// `DELETED`.
    Deleted,
    /// `TOUCHED`.
    Touched,
    /// `OK`.
    Ok,
    /// `RESET` (the reply to `stats reset`).
    Reset,
    /// A decimal number: the new value after `incr` or `decr`.
    Number(u64),
    /// `VERSION <text>`.
    Version(Bytes),
    /// `ERROR [message]`: unknown command (memcached sends a message for a few admin
    /// commands; usually empty).
    Error(Bytes),
    /// `CLIENT_ERROR <message>`.
    ClientError(Bytes),
    /// `SERVER_ERROR <message>`.
    ServerError(Bytes),
    /// A meta status without data: `HD`, `EN`, `NF`, `NS` or `EX`, with the returned flags.
    Meta(MetaReply),
    /// `VA <size> <flags>*`, then the data block: a meta reply with a value.
    MetaValue(MetaValue),
    /// `MN`: the end of a pipeline of quiet meta commands.
    MetaNoop,
    /// `ME <key> <information>`: the reply to `me`.
    MetaDebug(MetaDebug),
}

/// One item of a retrieval reply: `VALUE <key> <flags> <bytes> [<cas unique>]`, then the
/// data block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The key (1 to 250 bytes without space or LF: memcached returns keys with control
    /// bytes other clients stored).
    pub key: Bytes,
    /// The client flags stored with the item.
    pub flags: u32,
    /// The cas unique (sent for `gets` and `gats`).
    pub cas: Option<u64>,
    /// The data block (without its CRLF).
    pub data: Bytes,
}

/// One `STAT <name> <value>` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// The statistic's name (a token: no space or control byte).
    pub name: Bytes,
    /// Its value: the rest of the line (may hold spaces; may be empty).
    pub value: Bytes,
}

/// The status of a meta reply without data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetaStatus {
    /// `HD`: success, no value.
    Hd,
    /// `EN`: miss.
    En,
    /// `NF`: not found.
    Nf,
    /// `NS`: not stored.
    Ns,
    /// `EX`: exists (cas mismatch).
    Ex,
}

impl MetaStatus {
    /// The two-letter code on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            MetaStatus::Hd => "HD",
            MetaStatus::En => "EN",
            MetaStatus::Nf => "NF",
            MetaStatus::Ns => "NS",
            MetaStatus::Ex => "EX",
        }
    }
}

/// `HD`, `EN`, `NF`, `NS` or `EX` with the returned flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaReply {
    /// The status.
    pub status: MetaStatus,
    /// The returned flags (opaque `O`, key `k`, ...), in order.
    pub flags: MetaFlags,
}

/// `VA <size> <flags>*` and its data block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaValue {
    /// The returned flags, in order.
    pub flags: MetaFlags,
    /// The data block (without its CRLF).
    pub data: Bytes,
}

/// `ME <key> <information>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaDebug {
    /// The key.
    pub key: Bytes,
    /// The rest of the line (`exp=... la=... cas=...`), may be empty.
    pub info: Bytes,
}
