//! Why a netstring was rejected.

use nagrel_decoder::ErrorKind;

use crate::error::{error_kinds, ProtocolError};

error_kinds! {
    /// Every way a netstring can be rejected. Codes 100 to 199.
    pub enum NetstringErrorKind from_toolkit(from_toolkit) {
        /// The length is not a decimal number (no digits before the colon).
        BadLength = 100, "bad_length", "netstring length is not a decimal number";
        /// The length has a leading zero (only `0:` may start with `0`).
        LeadingZero = 101, "leading_zero", "netstring length has a leading zero";
        /// The length is larger than the limit.
        TooLong = 102, "too_long", "netstring longer than the limit";
        /// The length's digits are not followed by `:`.
        MissingColon = 103, "missing_colon", "netstring length not followed by ':'";
        /// The data is not followed by `,`.
        MissingComma = 104, "missing_comma", "netstring data not followed by ','";
        /// The input ended inside the netstring.
        Incomplete = 105, "incomplete", "input ended inside a netstring";
        /// Bytes follow a netstring that was meant to be the whole input.
        TrailingBytes = 106, "trailing_bytes", "bytes after the netstring";
    }
}

/// A netstring rejected, with the offset of the offending byte.
pub type NetstringError = ProtocolError<NetstringErrorKind>;

fn from_toolkit(kind: ErrorKind) -> NetstringErrorKind {
    match kind {
        ErrorKind::LimitExceeded { .. } => NetstringErrorKind::TooLong,
        ErrorKind::UnexpectedEof => NetstringErrorKind::Incomplete,
        _ => NetstringErrorKind::BadLength,
    }
}
