//! Protocol decoders written as a sequence of steps, compiled into resumable state
//! machines.
//!
//! A decoder reads like the protocol's grammar: "read a line; with that line, read N bytes;
//! with those bytes, emit a message". Each step ([`read_line`], [`read_bytes`],
//! [`read_until`], [`read_u32_be`], ...) is a small state machine that buffers nothing of
//! its own: it looks at the front of the receive buffer, consumes what it has finished
//! with, remembers how far it scanned, and says [`Status::Pending`] until it can finish.
//! Chaining steps with [`StepExt::then`] and friends builds a bigger state machine whose type
//! is the chain itself, so the compiler monomorphises it like a hand-written enum: no
//! allocation and no dynamic dispatch on the hot path.
//!
//! ```
//! use bytes::BytesMut;
//! use nagrel_decoder::{read_bytes, read_decimal, expect, Driver, StepExt};
//!
//! // "<decimal length>\n<that many bytes>", message after message.
//! let blob = || read_decimal().then_ignore(expect(b"\n")).then(read_bytes);
//! let mut driver = Driver::new(blob);
//!
//! let mut buf = BytesMut::new();
//! for piece in [&b"5\nhel"[..], b"lo3", b"\nabc"] {
//!     buf.extend_from_slice(piece);
//!     while let Some(blob) = driver.decode(&mut buf).unwrap() {
//!         println!("got {:?}", blob);
//!     }
//! }
//! ```
//!
//! The promises, each tested:
//!
//! - **Resumable in any fragmentation.** One shot, every two-way split and one byte at a
//!   time give the same messages.
//! - **Never rescanning.** Scanning steps keep their scan position, so feeding n bytes in
//!   any fragmentation costs O(n) in total.
//! - **Zero-copy.** Byte outputs are [`bytes::Bytes`] split off the receive buffer.
//! - **Bounded.** Every step that waits for an unknown amount has a safe default maximum;
//!   exceeding it is [`ErrorKind::LimitExceeded`] naming the limit, at an absolute offset.
//! - **Total.** No input makes a step panic, overflow or allocate without bound.
//! - **Sans-IO.** The core depends on `bytes` and `memchr`; the feature `codec` adds the
//!   `tokio_util::codec` glue ([`Codec`], and `Decoder` for [`Driver`]).
//!
//! The [`guide`] builds a decoder step by step.
//!
//! # Layout
//!
//! - [`step`]: the [`Step`] trait, [`Status`], and [`StepExt`] with the combinators.
//! - [`steps`]: the primitives: lines, counted bytes, delimiters, predicates, literals,
//!   peeking, skipping, fixed-width numbers, varints, decimal and hex numbers, read-to-EOF.
//! - [`combinators`]: the types behind [`StepExt`], plus [`done`], [`fail`], [`repeat`],
//!   [`fold`] and [`Either`].
//! - [`input`]: [`Input`], the window a step sees of the buffer.
//! - [`driver`]: [`Driver`], which runs a decoder message after message and handles EOF
//!   and errors.
//! - [`error`]: [`DecodeError`] and [`ErrorKind`].
//! - [`encode`]: the [`Encode`](encode::Encode) trait and helpers for writers.
//! - `codec` (feature `codec`): [`Codec`] and [`CodecError`].
//! - [`guide`]: a walk-through, documentation only.

#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]

pub mod combinators;
pub mod driver;
pub mod encode;
pub mod error;
pub mod guide;
pub mod input;
pub mod step;
pub mod steps;

#[cfg(feature = "codec")]
mod codec;

#[cfg(feature = "codec")]
pub use codec::{Codec, CodecError};
pub use combinators::*;
pub use driver::Driver;
pub use error::{DecodeError, ErrorKind};
pub use input::Input;
pub use step::{Status, Step, StepExt};
pub use steps::*;
