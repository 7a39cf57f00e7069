//! Why a tnetstring was rejected.

use nagrel_decoder::ErrorKind;

use crate::error::{error_kinds, ProtocolError};
use crate::netstring::NetstringErrorKind;

error_kinds! {
    /// Every way a tnetstring can be rejected. Codes 200 to 299; errors in a length prefix
    /// are the netstring kinds.
    pub enum TnetstringErrorKind from_toolkit(from_toolkit) {
        /// The type byte is not one of `, # ^ ! ~ ] }`.
        UnknownType = 200, "unknown_type", "unknown tnetstring type byte";
        /// An integer is not `-?DIGITS` or does not fit 64 bits.
        BadInteger = 201, "bad_integer", "invalid tnetstring integer";
        /// A float is not a finite decimal number.
        BadFloat = 202, "bad_float", "invalid tnetstring float";
        /// A boolean is not `true` or `false`.
        BadBool = 203, "bad_bool", "tnetstring boolean is not true or false";
        /// A null has data.
        BadNull = 204, "bad_null", "tnetstring null with data";
        /// Lists and dictionaries nest deeper than the limit.
        TooDeep = 205, "too_deep", "tnetstring nested deeper than the limit";
        /// A dictionary key is not a byte string.
        BadKey = 206, "bad_key", "tnetstring dictionary key is not a byte string";
        /// A dictionary key has no value.
        MissingValue = 207, "missing_value", "tnetstring dictionary key without a value";
        /// An element's length runs past the end of its list or dictionary.
        ElementOverrun = 208, "element_overrun", "tnetstring element runs past its container";
    }
    wraps {
        /// A length prefix rejected, the input ended, or trailing bytes.
        Netstring(NetstringErrorKind),
    }
}

/// A tnetstring rejected, with the offset of the offending byte.
pub type TnetstringError = ProtocolError<TnetstringErrorKind>;

impl From<NetstringErrorKind> for TnetstringErrorKind {
    fn from(kind: NetstringErrorKind) -> Self {
        TnetstringErrorKind::Netstring(kind)
    }
}

fn from_toolkit(kind: ErrorKind) -> TnetstringErrorKind {
    match kind {
        ErrorKind::LimitExceeded { .. } => NetstringErrorKind::TooLong.into(),
        ErrorKind::UnexpectedEof => NetstringErrorKind::Incomplete.into(),
        _ => NetstringErrorKind::BadLength.into(),
    }
}
