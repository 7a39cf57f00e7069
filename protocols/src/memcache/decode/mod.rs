//! Decoding: commands on the server side, replies on the client side.
//!
//! Both decoders frame lines with a resumable scan (`line.rs`, which keeps how far it
//! searched), parse each complete line with nom (`command.rs`, `reply.rs`), then split the
//! parts off the receive buffer without copying.

pub(crate) mod command;
mod cursor;
mod line;
mod reply;
pub mod request;
pub mod response;
pub(crate) mod scan;
mod tokens;

pub use request::RequestDecoder;
pub use response::{ResponseDecoder, MAX_REPLY_ITEMS};
