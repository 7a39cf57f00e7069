//! Why a Mongrel2 handler message was rejected.

use nagrel_decoder::ErrorKind;

use crate::error::{error_kinds, ProtocolError};
use crate::netstring::NetstringErrorKind;
use crate::tnetstring::TnetstringErrorKind;

error_kinds! {
    /// Every way a Mongrel2 message can be rejected. Codes 400 to 499; errors inside its
    /// netstrings and tnetstrings are those protocols' kinds.
    pub enum Mongrel2ErrorKind from_toolkit(from_toolkit) {
        /// The sender is empty or longer than the limit.
        BadSender = 400, "bad_sender", "missing or too long sender";
        /// The connection id is not a decimal number followed by a space.
        BadConnId = 401, "bad_conn_id", "connection id is not a decimal number";
        /// The path is empty or longer than the limit.
        BadPath = 402, "bad_path", "missing or too long path";
        /// The headers are neither a netstring of JSON (`,`) nor a tnetstring dictionary (`}`).
        BadHeadersType = 403, "bad_headers_type", "headers are neither JSON nor a tnetstring dictionary";
        /// The JSON headers are malformed or not an object of strings.
        BadJson = 404, "bad_json", "malformed JSON headers";
        /// A tnetstring header value is not a byte string or a list of them.
        BadHeaderValue = 405, "bad_header_value", "header value is not a string or a list of strings";
        /// The id list is empty or holds something other than decimal ids.
        BadIds = 406, "bad_ids", "connection id list is malformed";
        /// More ids than the limit.
        TooManyIds = 407, "too_many_ids", "more connection ids than the limit";
        /// The id netstring is not followed by a space.
        MissingSpace = 408, "missing_space", "connection ids not followed by a space";
        /// The body is larger than the limit.
        BodyTooLarge = 409, "body_too_large", "body larger than the limit";
        /// A control message (`X ` ids) is not a tnetstring list `[key, value]`.
        BadControl = 410, "bad_control", "control message is not a [key, value] tnetstring";
        /// The input ended inside the message.
        Incomplete = 411, "incomplete", "input ended inside a Mongrel2 message";
    }
    wraps {
        /// A netstring (headers, body or ids) rejected.
        Netstring(NetstringErrorKind),
        /// A tnetstring (headers or a control message) rejected.
        Tnetstring(TnetstringErrorKind),
    }
}

/// A Mongrel2 message rejected, with the offset of the offending byte.
pub type Mongrel2Error = ProtocolError<Mongrel2ErrorKind>;

impl From<NetstringErrorKind> for Mongrel2ErrorKind {
    fn from(kind: NetstringErrorKind) -> Self {
        Mongrel2ErrorKind::Netstring(kind)
    }
}

impl From<TnetstringErrorKind> for Mongrel2ErrorKind {
    fn from(kind: TnetstringErrorKind) -> Self {
        match kind {
            TnetstringErrorKind::Netstring(inner) => Mongrel2ErrorKind::Netstring(inner),
            other => Mongrel2ErrorKind::Tnetstring(other),
        }
    }
}

fn from_toolkit(kind: ErrorKind) -> Mongrel2ErrorKind {
    match kind {
        ErrorKind::UnexpectedEof => Mongrel2ErrorKind::Incomplete,
        ErrorKind::LimitExceeded { .. } => Mongrel2ErrorKind::BodyTooLarge,
        _ => Mongrel2ErrorKind::BadIds,
    }
}
