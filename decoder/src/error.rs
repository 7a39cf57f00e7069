//! The error every step reports: a small `Copy` value with a kind and an absolute offset.

use core::fmt;

/// What went wrong while decoding.
///
/// Kept small and `Copy` because it travels through every step on the hot path; protocols
/// map it into their own richer error types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A step waited for more bytes than its configured maximum allows.
    ///
    /// `limit` names the limit (for example `"read_line"`), `max` is its value in bytes (or
    /// items, for loops).
    LimitExceeded {
        /// Name of the limit that was hit.
        limit: &'static str,
        /// The configured maximum.
        max: usize,
    },
    /// The input ended inside a message.
    UnexpectedEof,
    /// A literal was expected and a different byte was found.
    Mismatch {
        /// The byte that was expected at the error offset.
        expected: u8,
        /// The byte that was found instead.
        found: u8,
    },
    /// A line ended with a bare LF where CRLF is required.
    BadLineEnding,
    /// A number did not fit its type, or had no digits.
    BadNumber,
    /// A value was rejected by a validation step ([`try_map`](crate::StepExt::try_map) or
    /// [`fail`](crate::fail)); the message says why.
    Invalid(&'static str),
    /// A protocol's own rejection, raised by a step written for that protocol: `code` is
    /// the protocol's error number (its own error enum, as an integer) and `reason` says
    /// what was wrong. The protocol maps it back into its typed error.
    Protocol {
        /// The protocol's error number.
        code: u16,
        /// What was wrong, for people.
        reason: &'static str,
    },
    /// A step was resumed after it had already produced its output. This is a bug in the
    /// code driving the step, reported instead of panicking.
    Finished,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ErrorKind::LimitExceeded { limit, max } => {
                write!(f, "limit `{limit}` exceeded (max {max})")
            }
            ErrorKind::UnexpectedEof => f.write_str("input ended inside a message"),
            ErrorKind::Mismatch { expected, found } => write!(
                f,
                "expected byte {:?}, found {:?}",
                char::from(expected),
                char::from(found)
            ),
            ErrorKind::BadLineEnding => f.write_str("bad line ending"),
            ErrorKind::BadNumber => f.write_str("malformed or overflowing number"),
            ErrorKind::Invalid(why) => f.write_str(why),
            ErrorKind::Protocol { reason, .. } => f.write_str(reason),
            ErrorKind::Finished => f.write_str("step resumed after it finished"),
        }
    }
}

/// A decoding failure: what went wrong and where.
///
/// `offset` counts bytes from the start of the stream the [`Driver`](crate::Driver) was
/// given (or from where the caller's [`Input`](crate::Input) said it starts), so it points
/// into a capture file directly.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_line, Driver, ErrorKind};
///
/// let mut driver = Driver::new(|| read_line().max_len(4));
/// let mut buf = BytesMut::from(&b"ok\ntoo long\n"[..]);
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"ok");
/// let err = driver.decode(&mut buf).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::LimitExceeded { limit: "read_line", max: 4 });
/// assert_eq!(err.offset(), 3 + 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    kind: ErrorKind,
    offset: u64,
}

impl DecodeError {
    /// An error of `kind` found at absolute byte `offset`.
    pub const fn new(kind: ErrorKind, offset: u64) -> Self {
        DecodeError { kind, offset }
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Absolute byte offset in the stream where the problem was found.
    pub const fn offset(&self) -> u64 {
        self.offset
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl std::error::Error for DecodeError {}
