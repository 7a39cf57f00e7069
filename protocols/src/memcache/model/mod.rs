//! The logical commands and replies, kept apart from their wire format.
//!
//! Decoded values hold zero-copy [`Bytes`](bytes::Bytes) of the receive buffer; values
//! built by hand for the encoders are checked on construction (keys, flags) or by the
//! encoders (everything else), so nothing invalid reaches the wire.

pub mod flags;
pub mod keys;
pub mod request;
pub mod response;
