//! Why an SCGI request was rejected.

use nagrel_decoder::ErrorKind;

use crate::error::{error_kinds, ProtocolError};
use crate::netstring::NetstringErrorKind;

error_kinds! {
    /// Every way an SCGI request can be rejected. Codes 300 to 399; errors in the header
    /// netstring itself are the netstring kinds.
    pub enum ScgiErrorKind from_toolkit(from_toolkit) {
        /// The header block is not a sequence of NUL-terminated name and value pairs.
        BadHeaderBlock = 300, "bad_header_block", "SCGI headers are not NUL-terminated pairs";
        /// A header name is empty.
        EmptyName = 301, "empty_name", "empty SCGI header name";
        /// The first header is not CONTENT_LENGTH.
        ContentLengthNotFirst = 302, "content_length_not_first", "SCGI headers must start with CONTENT_LENGTH";
        /// CONTENT_LENGTH is not a decimal number.
        BadContentLength = 303, "bad_content_length", "SCGI CONTENT_LENGTH is not a decimal number";
        /// There is no `SCGI` header, or its value is not `1`.
        BadScgiHeader = 304, "bad_scgi_header", "SCGI header missing or not 1";
        /// A header name appears twice.
        DuplicateHeader = 305, "duplicate_header", "SCGI header name repeated";
        /// More headers than the limit.
        TooManyHeaders = 306, "too_many_headers", "too many SCGI headers";
        /// CONTENT_LENGTH is larger than the body limit.
        BodyTooLarge = 307, "body_too_large", "SCGI body larger than the limit";
        /// The input ended inside the request.
        Incomplete = 308, "incomplete", "input ended inside an SCGI request";
    }
    wraps {
        /// The header netstring rejected: its length, colon or comma.
        Netstring(NetstringErrorKind),
    }
}

/// An SCGI request rejected, with the offset of the offending byte.
pub type ScgiError = ProtocolError<ScgiErrorKind>;

impl From<NetstringErrorKind> for ScgiErrorKind {
    fn from(kind: NetstringErrorKind) -> Self {
        ScgiErrorKind::Netstring(kind)
    }
}

fn from_toolkit(kind: ErrorKind) -> ScgiErrorKind {
    match kind {
        ErrorKind::LimitExceeded { .. } => ScgiErrorKind::BodyTooLarge,
        ErrorKind::UnexpectedEof => ScgiErrorKind::Incomplete,
        _ => ScgiErrorKind::BadHeaderBlock,
    }
}
