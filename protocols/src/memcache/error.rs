//! Why a memcache command or reply was rejected, where, what a server answers, and whether
//! the connection can go on.
//!
//! Request rejections come in two classes. Recoverable ones (an unknown command, a bad key,
//! a wrong data terminator, an item over the size limit, ...) leave the stream in sync: the
//! decoder has consumed the offending line (and data block, or arranged to discard it), the
//! server writes [`MemcacheError::reply`] and decodes the next command. Fatal ones (a line
//! over the length limit, the stream ending inside a command) leave nothing to
//! resynchronise on: the server writes the reply, if there is one, and closes.
//!
//! Every response rejection is fatal for the client: a reply it cannot frame leaves it
//! unable to tell which reply belongs to which request.

use core::fmt;

use bytes::{BufMut, BytesMut};
use nagrel_decoder::{DecodeError, ErrorKind};

macro_rules! memcache_error_kinds {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $snake:literal, $fatal:literal,
        $reply:expr, $reason:literal;)*) => {
        /// Every way a memcache command or reply can be rejected.
        ///
        /// Each kind has its reply line ([`reply`](MemcacheErrorKind::reply), the text
        /// memcached answers with) and says whether the connection can go on
        /// ([`is_fatal`](MemcacheErrorKind::is_fatal)): this is the one place where
        /// rejections are mapped to answers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum MemcacheErrorKind {
            $($(#[$doc])* $name = $code,)*
        }

        impl MemcacheErrorKind {
            /// The line a server answers this rejection with, without its CRLF; `None` for
            /// rejections nobody is left to answer (the stream ended) and for every
            /// response-side rejection (clients do not answer replies).
            pub const fn reply(self) -> Option<&'static str> {
                match self { $(MemcacheErrorKind::$name => $reply,)* }
            }

            /// Whether the connection must close: nothing after this rejection can be
            /// framed reliably.
            pub const fn is_fatal(self) -> bool {
                match self { $(MemcacheErrorKind::$name => $fatal,)* }
            }

            /// A short explanation for people.
            pub const fn reason(self) -> &'static str {
                match self { $(MemcacheErrorKind::$name => $reason,)* }
            }

            /// A stable name in snake case, as `nagrel decode` prints it.
            pub const fn name(self) -> &'static str {
                match self { $(MemcacheErrorKind::$name => $snake,)* }
            }

            /// The kind whose [`code`](MemcacheErrorKind::code) is `code`.
            pub const fn from_code(code: u16) -> Option<Self> {
                match code { $($code => Some(MemcacheErrorKind::$name),)* _ => None }
            }
        }
    };
}

const BAD_FORMAT: Option<&str> = Some("CLIENT_ERROR bad command line format");

memcache_error_kinds! {
    /// The command name is not one this decoder knows (names are case-sensitive), or the
    /// line is blank.
    UnknownCommand = 600, "unknown_command", false, Some("ERROR"), "unknown command";
    /// A known command with too few or too many arguments (memcached answers `ERROR`).
    WrongArity = 601, "wrong_arity", false, Some("ERROR"), "wrong number of arguments";
    /// An argument is malformed: a number that is not one or does not fit, an optional
    /// argument that is not `noreply`, a meta command without its key.
    BadCommandLine = 602, "bad_command_line", false, BAD_FORMAT, "malformed command line";
    /// A key is longer than the limit or holds a control byte.
    BadKey = 603, "bad_key", false, BAD_FORMAT, "key too long or holding a control byte";
    /// The `incr`/`decr` amount is not a 64-bit unsigned decimal number.
    BadDelta = 604, "bad_delta", false, Some("CLIENT_ERROR invalid numeric delta argument"),
        "incr/decr amount is not a 64-bit unsigned number";
    /// A data block is not followed by CRLF. The block (its declared length plus two
    /// bytes) was consumed, as memcached does.
    BadDataChunk = 605, "bad_data_chunk", false, Some("CLIENT_ERROR bad data chunk"),
        "data block not followed by CRLF";
    /// A data block is larger than the item size limit; the decoder discards it.
    TooLarge = 606, "too_large", false, Some("SERVER_ERROR object too large for cache"),
        "data block larger than the item size limit";
    /// A meta flag does not start with a letter, or its token holds a control byte.
    InvalidFlag = 607, "invalid_flag", false, Some("CLIENT_ERROR invalid flag"),
        "meta flag is not a letter and a token";
    /// A meta flag appears twice.
    DuplicateFlag = 608, "duplicate_flag", false, Some("CLIENT_ERROR duplicate flag"),
        "meta flag given twice";
    /// A command line ends with a bare LF where [`strict_crlf`] asks for CRLF.
    ///
    /// [`strict_crlf`]: super::RequestLimits::strict_crlf
    BareLf = 609, "bare_lf", false, BAD_FORMAT, "command line ends with a bare LF";
    /// A command line is longer than its limit: no LF within
    /// [`max_line`](super::RequestLimits::max_line) bytes (or
    /// [`max_retrieval_line`](super::RequestLimits::max_retrieval_line) for
    /// `get`/`gets`/`gat`/`gats`). memcached closes silently; the reply is offered for
    /// servers that prefer to say why.
    LineTooLong = 610, "line_too_long", true, Some("CLIENT_ERROR line too long"),
        "command line longer than the limit";
    /// The stream ended inside a command.
    Incomplete = 611, "incomplete", true, None, "stream ended inside a command";
    /// A reply line is not one of the replies this decoder knows, is malformed, or does
    /// not belong where it is (a `STAT` among `VALUE`s, ...).
    BadReply = 620, "bad_reply", true, None, "malformed or unknown reply line";
    /// A value's data block (after `VALUE` or `VA`) is not followed by CRLF.
    BadValueData = 621, "bad_value_data", true, None, "value data not followed by CRLF";
    /// A value is larger than [`ResponseLimits::max_value`](super::ResponseLimits::max_value).
    ValueTooLarge = 622, "value_too_large", true, None, "value larger than the limit";
    /// A reply (all its `VALUE` or `STAT` lines together) is larger than
    /// [`ResponseLimits::max_response`](super::ResponseLimits::max_response).
    ReplyTooLarge = 623, "reply_too_large", true, None, "reply larger than the limit";
    /// A reply line is longer than
    /// [`ResponseLimits::max_line`](super::ResponseLimits::max_line).
    ReplyLineTooLong = 624, "reply_line_too_long", true, None, "reply line longer than the limit";
    /// The stream ended inside a reply.
    ReplyIncomplete = 625, "reply_incomplete", true, None, "stream ended inside a reply";
}

impl MemcacheErrorKind {
    /// The protocol code carried through the decoder toolkit's [`ErrorKind::Protocol`]
    /// (memcache owns codes 600 to 699).
    pub const fn code(self) -> u16 {
        self as u16
    }

    /// This rejection as a toolkit error kind.
    pub const fn into_decode(self) -> ErrorKind {
        ErrorKind::Protocol {
            code: self.code(),
            reason: self.reason(),
        }
    }
}

/// A memcache command or reply rejected: what was wrong and the absolute byte offset in the
/// stream where it was found.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::memcache::{MemcacheErrorKind, RequestDecoder};
///
/// let mut decoder = RequestDecoder::default();
/// let mut buf = BytesMut::from(&b"bogus\r\nversion\r\n"[..]);
/// let err = decoder.decode(&mut buf).unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (MemcacheErrorKind::UnknownCommand, 0));
/// assert_eq!(err.reply(), Some("ERROR"));
/// assert!(!err.is_fatal()); // the next command decodes
/// assert!(decoder.decode(&mut buf).unwrap().is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemcacheError {
    kind: MemcacheErrorKind,
    offset: u64,
}

impl MemcacheError {
    /// A rejection of `kind` at absolute byte `offset`.
    pub const fn new(kind: MemcacheErrorKind, offset: u64) -> Self {
        MemcacheError { kind, offset }
    }

    /// What was wrong.
    pub const fn kind(&self) -> MemcacheErrorKind {
        self.kind
    }

    /// Absolute offset in the stream where it was found.
    pub const fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the connection must close after answering.
    pub const fn is_fatal(&self) -> bool {
        self.kind.is_fatal()
    }

    /// The reply line a server sends, without CRLF (see [`MemcacheErrorKind::reply`]).
    pub const fn reply(&self) -> Option<&'static str> {
        self.kind.reply()
    }

    /// Appends the reply line and its CRLF to `dst`; returns whether there was one.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use nagrel_protocols::memcache::{MemcacheError, MemcacheErrorKind};
    ///
    /// let mut out = BytesMut::new();
    /// MemcacheError::new(MemcacheErrorKind::TooLarge, 0).write_reply(&mut out);
    /// assert_eq!(&out[..], b"SERVER_ERROR object too large for cache\r\n");
    /// ```
    pub fn write_reply(&self, dst: &mut BytesMut) -> bool {
        match self.reply() {
            Some(line) => {
                dst.reserve(line.len() + 2);
                dst.put_slice(line.as_bytes());
                dst.put_slice(b"\r\n");
                true
            }
            None => false,
        }
    }
}

impl fmt::Display for MemcacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.reason(), self.offset)?;
        if self.is_fatal() {
            f.write_str(" (connection must close)")?;
        }
        Ok(())
    }
}

impl std::error::Error for MemcacheError {}

impl From<DecodeError> for MemcacheError {
    /// Maps a toolkit error back into the memcache kind it stands for; errors raised by the
    /// generic steps become the closest memcache rejection.
    fn from(e: DecodeError) -> Self {
        let kind = match e.kind() {
            ErrorKind::Protocol { code, .. } => {
                MemcacheErrorKind::from_code(code).unwrap_or(MemcacheErrorKind::BadCommandLine)
            }
            ErrorKind::UnexpectedEof => MemcacheErrorKind::Incomplete,
            ErrorKind::LimitExceeded { .. } => MemcacheErrorKind::LineTooLong,
            ErrorKind::BadLineEnding => MemcacheErrorKind::BareLf,
            _ => MemcacheErrorKind::BadCommandLine,
        };
        MemcacheError::new(kind, e.offset())
    }
}
