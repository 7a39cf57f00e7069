//! The error shape the netstring family of protocols shares: a typed kind per protocol and
//! the absolute byte offset where it was found.
//!
//! Steps report a protocol's rejection through the toolkit as
//! [`ErrorKind::Protocol`] carrying the kind's numeric code; [`ProtocolError`] maps it back.
//! Each protocol owns a disjoint range of codes, so a decoder built from another
//! protocol's steps (SCGI from netstrings, Mongrel2 from netstrings and tnetstrings) reports
//! the inner protocol's kind unchanged.

use core::fmt;

use nagrel_decoder::{DecodeError, ErrorKind};

/// What a protocol's error-kind enum provides so [`ProtocolError`] can carry it.
pub trait Kind: Copy + fmt::Debug + PartialEq + 'static {
    /// The kind whose [`code`](Kind::code) is `code`, if it is one of this protocol's.
    fn from_code(code: u16) -> Option<Self>;
    /// This kind's number, carried through [`ErrorKind::Protocol`].
    fn code(self) -> u16;
    /// A stable snake-case name, as `nagrel decode` prints it.
    fn name(self) -> &'static str;
    /// A short explanation for people.
    fn reason(self) -> &'static str;
    /// The kind a generic toolkit error (a limit, the end of input, a wrong literal) stands
    /// for in this protocol.
    fn from_toolkit(kind: ErrorKind) -> Self;

    /// This kind as a toolkit error, for steps to return.
    fn into_decode(self) -> ErrorKind {
        ErrorKind::Protocol {
            code: self.code(),
            reason: self.reason(),
        }
    }
}

/// Declares a protocol's error-kind enum with its codes, names and reasons, and implements
/// [`Kind`] for it. Toolkit errors map through the given function. `wraps` lists other
/// protocols' kinds this one can carry unchanged (their codes are disjoint from ours).
macro_rules! error_kinds {
    (
        $(#[$meta:meta])*
        pub enum $kind:ident from_toolkit($toolkit:path) {
            $($(#[$doc:meta])* $name:ident = $code:literal, $snake:literal, $reason:literal;)*
        }
        $(wraps { $($(#[$wdoc:meta])* $wrap:ident($inner:ty),)* })?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $kind {
            $($(#[$doc])* $name,)*
            $($($(#[$wdoc])* $wrap($inner),)*)?
        }

        impl $crate::error::Kind for $kind {
            fn from_code(code: u16) -> Option<Self> {
                match code {
                    $($code => Some($kind::$name),)*
                    _ => {
                        $($(if let Some(inner) = <$inner as $crate::error::Kind>::from_code(code) {
                            return Some($kind::$wrap(inner));
                        })*)?
                        None
                    }
                }
            }
            fn code(self) -> u16 {
                match self {
                    $($kind::$name => $code,)*
                    $($($kind::$wrap(inner) => $crate::error::Kind::code(inner),)*)?
                }
            }
            fn name(self) -> &'static str {
                match self {
                    $($kind::$name => $snake,)*
                    $($($kind::$wrap(inner) => $crate::error::Kind::name(inner),)*)?
                }
            }
            fn reason(self) -> &'static str {
                match self {
                    $($kind::$name => $reason,)*
                    $($($kind::$wrap(inner) => $crate::error::Kind::reason(inner),)*)?
                }
            }
            fn from_toolkit(kind: nagrel_decoder::ErrorKind) -> Self {
                $toolkit(kind)
            }
        }

        impl core::fmt::Display for $kind {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str($crate::error::Kind::reason(*self))
            }
        }
    };
}
pub(crate) use error_kinds;

/// A message rejected: what was wrong (`K`, the protocol's kind) and the absolute byte
/// offset in the stream where it was found.
///
/// ```
/// use nagrel_protocols::error::Kind;
/// use nagrel_protocols::netstring::{decode_netstring, NetstringErrorKind, NetstringLimits};
///
/// let err = decode_netstring(b"3:abc;", NetstringLimits::default()).unwrap_err();
/// assert_eq!(err.kind(), NetstringErrorKind::MissingComma);
/// assert_eq!(err.offset(), 5);
/// assert_eq!(err.kind().name(), "missing_comma");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ProtocolError<K> {
    kind: K,
    offset: u64,
}

impl<K: Kind> ProtocolError<K> {
    /// A rejection of `kind` at absolute byte `offset`.
    pub const fn new(kind: K, offset: u64) -> Self {
        ProtocolError { kind, offset }
    }

    /// What was wrong.
    pub fn kind(&self) -> K {
        self.kind
    }

    /// Absolute offset in the stream where it was found.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The same rejection as a toolkit error, to return from a step.
    pub fn into_decode(self) -> DecodeError {
        DecodeError::new(self.kind.into_decode(), self.offset)
    }
}

impl<K: Kind> From<DecodeError> for ProtocolError<K> {
    fn from(e: DecodeError) -> Self {
        let kind = match e.kind() {
            ErrorKind::Protocol { code, .. } => {
                K::from_code(code).unwrap_or_else(|| K::from_toolkit(e.kind()))
            }
            other => K::from_toolkit(other),
        };
        ProtocolError::new(kind, e.offset())
    }
}

impl<K: Kind> fmt::Debug for ProtocolError<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtocolError")
            .field("kind", &self.kind)
            .field("offset", &self.offset)
            .finish()
    }
}

impl<K: Kind> fmt::Display for ProtocolError<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.reason(), self.offset)
    }
}

impl<K: Kind> std::error::Error for ProtocolError<K> {}
