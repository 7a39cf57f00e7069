//! A walk-through: naggati's classic example, a decimal length line followed by that many
//! bytes, built step by step.
//!
//! # 1. One step
//!
//! [`read_line`](crate::read_line) waits for a line and yields it as `Bytes` sliced out of
//! the receive buffer. A [`Driver`](crate::Driver) runs a fresh step for every message:
//!
//! ```
//! use bytes::BytesMut;
//! use nagrel_decoder::{read_line, Driver};
//!
//! let mut driver = Driver::new(read_line);
//! let mut buf = BytesMut::from(&b"12\n"[..]);
//! assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"12");
//! ```
//!
//! # 2. Validate what the step read
//!
//! The line must be a decimal number. [`try_map`](crate::StepExt::try_map) converts it and
//! turns a rejection into an error located where the line started:
//!
//! ```
//! use bytes::BytesMut;
//! use nagrel_decoder::{read_line, Driver, ErrorKind, StepExt};
//!
//! fn length_line() -> impl nagrel_decoder::Step<Output = u64> {
//!     read_line().max_len(20).try_map(|line| {
//!         std::str::from_utf8(&line)
//!             .ok()
//!             .and_then(|s| s.parse::<u64>().ok())
//!             .ok_or(ErrorKind::Invalid("length line is not a decimal number"))
//!     })
//! }
//!
//! let mut driver = Driver::new(length_line);
//! let err = driver.decode(&mut BytesMut::from(&b"twelve\n"[..])).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Invalid("length line is not a decimal number"));
//! assert_eq!(err.offset(), 0);
//! ```
//!
//! # 3. Continue with what was read
//!
//! [`then`](crate::StepExt::then) hands the number to a closure that builds the next step.
//! `read_bytes(n)` checks `n` against its limit before buffering anything, so a hostile
//! length cannot make the decoder hoard memory:
//!
//! ```
//! use bytes::BytesMut;
//! use nagrel_decoder::{read_bytes, read_line, Driver, ErrorKind, StepExt};
//!
//! fn blob(max: usize) -> impl nagrel_decoder::Step<Output = bytes::Bytes> {
//!     read_line()
//!         .max_len(20)
//!         .try_map(|line| {
//!             std::str::from_utf8(&line)
//!                 .ok()
//!                 .and_then(|s| s.parse::<u64>().ok())
//!                 .ok_or(ErrorKind::Invalid("length line is not a decimal number"))
//!         })
//!         .then(move |n| read_bytes(n).max_len(max))
//! }
//!
//! let mut driver = Driver::new(|| blob(1024));
//! let mut buf = BytesMut::from(&b"5\nhello99999\n"[..]);
//! assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"hello");
//! let err = driver.decode(&mut buf).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::LimitExceeded { limit: "read_bytes", max: 1024 });
//! ```
//!
//! # 4. Feed it any way you like
//!
//! Bytes may arrive in any pieces. Each step remembers what it learned, so the result is
//! the same, and the line is scanned once in total, however the input is split:
//!
//! ```
//! use bytes::BytesMut;
//! use nagrel_decoder::{expect, read_bytes, read_decimal, Driver, StepExt};
//!
//! let blob = || read_decimal().then_ignore(expect(b"\n")).then(read_bytes);
//! let mut driver = Driver::new(blob);
//! let mut buf = BytesMut::new();
//! let mut out = Vec::new();
//! for &byte in b"5\nhello3\nabc" {
//!     buf.extend_from_slice(&[byte]);
//!     while let Some(blob) = driver.decode(&mut buf).unwrap() {
//!         out.push(blob);
//!     }
//! }
//! assert_eq!(out, vec![&b"hello"[..], &b"abc"[..]]);
//! ```
//!
//! This version also swaps the line for [`read_decimal`](crate::read_decimal) and
//! [`expect`](crate::expect): the digits are parsed as they arrive and no line is split
//! off, the fastest way to read a length header.
//!
//! # 5. Serve it with tokio
//!
//! With the feature `codec` a [`Driver`](crate::Driver) is a `tokio_util::codec::Decoder`
//! and [`Codec`](crate::Codec) pairs it with an [`Encode`](crate::encode::Encode) for
//! `Framed`. `examples/blob_server.rs` in the repository is a complete TCP service built
//! from this decoder.
//!
//! # 6. Branches, loops and recursion
//!
//! A continuation that picks between two different steps returns
//! [`Either`](crate::Either); [`repeat`](crate::repeat) and [`fold`](crate::fold) loop
//! without boxing; [`boxed`](crate::StepExt::boxed) erases a type where a grammar is
//! recursive (a nested list, say):
//!
//! ```
//! use bytes::BytesMut;
//! use nagrel_decoder::{read_u8, repeat, BoxedStep, Driver, StepExt};
//!
//! /// A tree: a byte `n`, then `n` subtrees; yields the number of nodes.
//! fn tree(depth: usize) -> BoxedStep<'static, usize> {
//!     read_u8()
//!         .try_map(move |n| {
//!             if n > 0 && depth == 0 {
//!                 Err(nagrel_decoder::ErrorKind::Invalid("tree too deep"))
//!             } else {
//!                 Ok(n)
//!             }
//!         })
//!         .then(move |n| repeat(n as usize, move || tree(depth.saturating_sub(1))))
//!         .map(|children| 1 + children.iter().sum::<usize>())
//!         .boxed()
//! }
//!
//! let mut driver = Driver::new(|| tree(8));
//! let mut buf = BytesMut::from(&[2u8, 0, 1, 0][..]);
//! assert_eq!(driver.decode(&mut buf).unwrap(), Some(4));
//! ```
