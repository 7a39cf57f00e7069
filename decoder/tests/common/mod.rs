//! Feeding helpers shared by the integration tests.
//!
//! Every test crate includes this module with `mod common;`, and not every crate uses every
//! helper.
#![allow(dead_code)]

use std::fmt::Debug;

use bytes::BytesMut;
use nagrel_decoder::{DecodeError, Driver, ErrorKind, Step};

/// Everything a driver produced for a stream: the messages, then the error that stopped it
/// (if any).
pub type Outcome<T> = (Vec<T>, Option<DecodeError>);

/// Runs a fresh [`Driver`] over `chunks`: after each chunk is appended, `decode` is called
/// until it returns `None`; after the last chunk, `decode_eof` is called until it returns
/// `None`. Stops at the first error.
///
/// Along the way it checks the driver's contracts that hold for every decoder:
/// - the driver is fused: after an error, `decode` and `decode_eof` return the same error
///   and leave the buffer alone;
/// - no message is made of zero bytes (so the drain loops terminate).
pub fn run<'a, F, S>(make: F, chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome<S::Output>
where
    F: FnMut() -> S,
    S: Step,
{
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut fed = 0usize;
    let mut start = 0u64;
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        fed += chunk.len();
        loop {
            if !driver.in_message() {
                start = driver.offset();
            }
            match driver.decode(&mut buf) {
                Ok(Some(msg)) => {
                    assert!(
                        driver.offset() > start,
                        "a message was produced from zero bytes"
                    );
                    out.push(msg);
                }
                Ok(None) => break,
                Err(err) => return (out, Some(fused(&mut driver, &mut buf, err))),
            }
            assert!(out.len() <= fed, "more messages than bytes fed");
        }
    }
    loop {
        if !driver.in_message() {
            start = driver.offset();
        }
        match driver.decode_eof(&mut buf) {
            Ok(Some(msg)) => {
                assert!(
                    driver.offset() > start,
                    "a message was produced from zero bytes"
                );
                out.push(msg);
            }
            Ok(None) => break,
            Err(err) => return (out, Some(fused(&mut driver, &mut buf, err))),
        }
        assert!(out.len() <= fed, "more messages than bytes fed");
    }
    assert_eq!(driver.offset(), fed as u64, "clean end left bytes unread");
    assert!(buf.is_empty(), "clean end left bytes in the buffer");
    (out, None)
}

/// Checks that a failed driver stays failed with the same error and interprets nothing.
fn fused<F, S>(driver: &mut Driver<F, S>, buf: &mut BytesMut, err: DecodeError) -> DecodeError
where
    F: FnMut() -> S,
    S: Step,
{
    assert_eq!(driver.failed(), Some(err));
    let left = buf.clone();
    let offset = driver.offset();
    for _ in 0..2 {
        assert!(matches!(driver.decode(buf), Err(e) if e == err));
        assert!(matches!(driver.decode_eof(buf), Err(e) if e == err));
    }
    assert_eq!(*buf, left, "a failed driver consumed bytes");
    assert_eq!(driver.offset(), offset);
    err
}

/// The whole input in one chunk.
pub fn one_shot<F, S>(make: F, data: &[u8]) -> Outcome<S::Output>
where
    F: FnMut() -> S,
    S: Step,
{
    run(make, [data])
}

/// One byte at a time.
pub fn bytewise<F, S>(make: F, data: &[u8]) -> Outcome<S::Output>
where
    F: FnMut() -> S,
    S: Step,
{
    run(make, data.chunks(1))
}

/// Cuts `data` at the given points (sorted and clamped here) and feeds the pieces.
pub fn chunked<F, S>(make: F, data: &[u8], cuts: &[usize]) -> Outcome<S::Output>
where
    F: FnMut() -> S,
    S: Step,
{
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    cuts.sort_unstable();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut at = 0;
    for c in cuts {
        pieces.push(&data[at..c]);
        at = c;
    }
    pieces.push(&data[at..]);
    run(make, pieces)
}

/// Asserts that one-shot, every two-way split and byte-at-a-time feeding give the same
/// messages and the same final error; returns the one-shot outcome.
pub fn check_splits<F, S>(make: F, data: &[u8]) -> Outcome<S::Output>
where
    F: FnMut() -> S + Clone,
    S: Step,
    S::Output: PartialEq + Debug,
{
    let whole = one_shot(make.clone(), data);
    for i in 0..=data.len() {
        let split = run(make.clone(), [&data[..i], &data[i..]]);
        assert_eq!(
            split, whole,
            "split at {i} differs from one shot; input {data:?}"
        );
    }
    let bytes = bytewise(make, data);
    assert_eq!(
        bytes, whole,
        "byte-at-a-time differs from one shot; input {data:?}"
    );
    whole
}

/// [`check_splits`] plus an arbitrary multi-way chunking.
pub fn check_splits_and_chunks<F, S>(make: F, data: &[u8], cuts: &[usize]) -> Outcome<S::Output>
where
    F: FnMut() -> S + Clone,
    S: Step,
    S::Output: PartialEq + Debug,
{
    let whole = check_splits(make.clone(), data);
    let pieces = chunked(make, data, cuts);
    assert_eq!(
        pieces, whole,
        "chunking at {cuts:?} differs; input {data:?}"
    );
    whole
}

/// Asserts the httparse-style prefix property for one complete message `msg`:
/// - every strict prefix given to `decode` is `Ok(None)`, whether fed at once or byte by
///   byte;
/// - every strict non-empty prefix given to `decode_eof` is an error: `UnexpectedEof` at the
///   end of the prefix, unless `also_ok` accepts the error (for limits that fire first);
/// - the empty prefix at EOF is a clean end (`Ok(None)`);
/// - the whole message decodes to exactly one message and consumes everything.
///
/// Returns the decoded message.
pub fn check_prefixes<F, S>(
    mut make: F,
    msg: &[u8],
    also_ok: impl Fn(usize, DecodeError) -> bool,
) -> S::Output
where
    F: FnMut() -> S,
    S: Step,
    S::Output: Debug,
{
    for i in 0..msg.len() {
        let prefix = &msg[..i];

        let mut driver = Driver::new(&mut make);
        let mut buf = BytesMut::from(prefix);
        match driver.decode(&mut buf) {
            Ok(None) => {}
            other => panic!("prefix {prefix:?} of {msg:?}: decode gave {other:?}"),
        }
        assert_eq!(driver.in_message(), i > 0, "prefix {prefix:?}");

        let mut driver = Driver::new(&mut make);
        let mut buf = BytesMut::new();
        for &b in prefix {
            buf.extend_from_slice(&[b]);
            match driver.decode(&mut buf) {
                Ok(None) => {}
                other => panic!("prefix {prefix:?} bytewise: decode gave {other:?}"),
            }
        }

        let mut driver = Driver::new(&mut make);
        let mut buf = BytesMut::from(prefix);
        match driver.decode_eof(&mut buf) {
            Ok(None) if i == 0 => {}
            Err(e) if i > 0 => {
                let eof_at_end = e.kind() == ErrorKind::UnexpectedEof && e.offset() == i as u64;
                assert!(
                    eof_at_end || also_ok(i, e),
                    "prefix {prefix:?} of {msg:?}: decode_eof gave {e:?}"
                );
            }
            other => panic!("prefix {prefix:?} of {msg:?}: decode_eof gave {other:?}"),
        }
    }
    let mut driver = Driver::new(&mut make);
    let mut buf = BytesMut::from(msg);
    let out = match driver.decode(&mut buf) {
        Ok(Some(out)) => out,
        other => panic!("whole message {msg:?}: decode gave {other:?}"),
    };
    assert!(buf.is_empty(), "whole message {msg:?} left {buf:?}");
    assert!(!driver.in_message());
    assert!(matches!(driver.decode_eof(&mut buf), Ok(None)));
    out
}

/// Decodes one message from the front of `data` (not at EOF) and returns it with what is
/// left in the buffer.
pub fn decode_once<F, S>(make: F, data: &[u8]) -> (Result<Option<S::Output>, DecodeError>, Vec<u8>)
where
    F: FnMut() -> S,
    S: Step,
{
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::from(data);
    let res = driver.decode(&mut buf);
    (res, buf.to_vec())
}

/// Like [`decode_once`] but at EOF.
pub fn decode_eof_once<F, S>(
    make: F,
    data: &[u8],
) -> (Result<Option<S::Output>, DecodeError>, Vec<u8>)
where
    F: FnMut() -> S,
    S: Step,
{
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::from(data);
    let res = driver.decode_eof(&mut buf);
    (res, buf.to_vec())
}

/// Shorthand for an expected error.
pub fn err(kind: ErrorKind, offset: u64) -> DecodeError {
    DecodeError::new(kind, offset)
}

/// Shorthand for an expected limit error.
pub fn limit(name: &'static str, max: usize, offset: u64) -> DecodeError {
    DecodeError::new(ErrorKind::LimitExceeded { limit: name, max }, offset)
}

/// Shorthand for an expected end-of-input error.
pub fn eof(offset: u64) -> DecodeError {
    DecodeError::new(ErrorKind::UnexpectedEof, offset)
}

/// `&'static [u8]` literals as `Bytes`-comparable vectors, for outcome assertions.
pub fn bs(items: &[&[u8]]) -> Vec<bytes::Bytes> {
    items
        .iter()
        .map(|b| bytes::Bytes::copy_from_slice(b))
        .collect()
}

pub mod composites;
