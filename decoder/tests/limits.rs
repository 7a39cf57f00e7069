//! Every step that waits for an unknown amount is bounded: the error names the limit, sits
//! at the documented offset, fires as soon as the limit is certain to be exceeded (not when
//! a terminator or EOF finally arrives), and the defaults are finite.

mod common;

use std::ops::ControlFlow;

use bytes::BytesMut;
use common::*;
use nagrel_decoder::*;

/// Feeds `data` with `decode` only (no EOF) and returns the first call's result.
fn decode_now<F, S>(make: F, data: &[u8]) -> Result<Option<S::Output>, DecodeError>
where
    F: FnMut() -> S,
    S: Step,
{
    decode_once(make, data).0
}

/// Asserts `make` is still pending on `below`, and fails with `expected` as soon as `at`
/// is appended, without EOF.
fn pending_then_fails<F, S>(make: F, below: &[u8], at: &[u8], expected: DecodeError)
where
    F: FnMut() -> S,
    S: Step,
    S::Output: std::fmt::Debug,
{
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::new();
    for &b in below {
        buf.extend_from_slice(&[b]);
        match driver.decode(&mut buf) {
            Ok(None) => {}
            other => panic!("pending expected below the limit, got {other:?}"),
        }
    }
    buf.extend_from_slice(at);
    match driver.decode(&mut buf) {
        Err(e) => assert_eq!(e, expected),
        other => panic!("limit error expected, got {other:?}"),
    }
}

// ---------------------------------------------------------------- read_line

#[test]
fn read_line_limit_fires_without_waiting_for_the_lf() {
    // max + 2 bytes without a LF cannot be a line of at most max bytes.
    let r = decode_now(|| read_line().max_len(4), b"abcdef");
    assert_eq!(r.unwrap_err(), limit("read_line", 4, 4));
    // Byte by byte: pending until that byte arrives.
    pending_then_fails(
        || read_line().max_len(4),
        b"abcde",
        b"f",
        limit("read_line", 4, 4),
    );
    // After earlier messages, at line start + max.
    let (out, e) = one_shot(|| read_line().max_len(4), b"one\ntwo\nthree\n");
    assert_eq!(out, bs(&[b"one", b"two"]));
    assert_eq!(e, Some(limit("read_line", 4, 8 + 4)));
}

#[test]
fn read_line_at_max_plus_cr_may_still_be_a_line() {
    let mut driver = Driver::new(|| read_line().max_len(4));
    let mut buf = BytesMut::from(&b"abcd\r"[..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"\n");
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"abcd"[..])
    );
}

#[test]
fn read_line_default_limit_is_finite() {
    assert_eq!(DEFAULT_MAX_LINE, 8 * 1024);
    let long = vec![b'a'; 100 * 1024];
    let r = decode_now(read_line, &long);
    assert_eq!(r.unwrap_err(), limit("read_line", DEFAULT_MAX_LINE, 8192));
    // Fed in 1 KiB pieces the error comes with the piece that crosses max + 2.
    let mut driver = Driver::new(read_line);
    let mut buf = BytesMut::new();
    for (i, piece) in long.chunks(1024).enumerate() {
        buf.extend_from_slice(piece);
        match driver.decode(&mut buf) {
            Ok(None) if i < 8 => {}
            Err(e) if i == 8 => {
                assert_eq!(e, limit("read_line", DEFAULT_MAX_LINE, 8192));
                return;
            }
            other => panic!("piece {i}: {other:?}"),
        }
    }
    unreachable!();
}

// ---------------------------------------------------------------- read_until / read_until_seq / take_while

#[test]
fn read_until_limit_fires_without_the_delimiter() {
    pending_then_fails(
        || read_until(b':').max_len(3),
        b"abc",
        b"d",
        limit("read_until", 3, 3),
    );
    let (out, e) = one_shot(|| read_until(b':').max_len(3), b"ab:cdefg");
    assert_eq!(out, bs(&[b"ab"]));
    assert_eq!(e, Some(limit("read_until", 3, 3 + 3)));
    assert_eq!(DEFAULT_MAX_SCAN, 64 * 1024);
    let r = decode_now(|| read_until(b':'), &vec![b'a'; 100 * 1024]);
    assert_eq!(r.unwrap_err(), limit("read_until", DEFAULT_MAX_SCAN, 65536));
}

#[test]
fn read_until_seq_limit_fires_without_the_delimiter() {
    // max + len - 1 bytes may still end with the start of the delimiter.
    pending_then_fails(
        || read_until_seq(b"\r\n\r\n").max_len(4),
        b"abcd\r\n\r",
        b"x",
        limit("read_until_seq", 4, 4),
    );
    let mut driver = Driver::new(|| read_until_seq(b"\r\n\r\n").max_len(4));
    let mut buf = BytesMut::from(&b"abcd\r\n\r"[..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"\n");
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"abcd"[..])
    );
    let (out, e) = one_shot(|| read_until_seq(b"--").max_len(2), b"ab--abc--");
    assert_eq!(out, bs(&[b"ab"]));
    assert_eq!(e, Some(limit("read_until_seq", 2, 4 + 2)));
    let r = decode_now(|| read_until_seq(b"\r\n\r\n"), &vec![b'a'; 100 * 1024]);
    assert_eq!(
        r.unwrap_err(),
        limit("read_until_seq", DEFAULT_MAX_SCAN, 65536)
    );
}

#[test]
fn take_while_limit_fires_without_the_stop_byte() {
    pending_then_fails(
        || take_while(|b: u8| b.is_ascii_digit()).max_len(3),
        b"123",
        b"4",
        limit("take_while", 3, 3),
    );
    pending_then_fails(
        || take_until(|b| b == b';').max_len(3),
        b"abc",
        b"d",
        limit("take_while", 3, 3),
    );
    let r = decode_now(|| take_while(|_| true), &vec![b'a'; 100 * 1024]);
    assert_eq!(r.unwrap_err(), limit("take_while", DEFAULT_MAX_SCAN, 65536));
}

// ---------------------------------------------------------------- counted steps

#[test]
fn read_bytes_ensure_peek_refuse_oversized_counts_before_any_byte_arrives() {
    // The count is the only thing buffered: the error is immediate, at the step's start.
    let r = decode_now(
        || read_u32_be().then(|n| read_bytes(n.into()).max_len(10)),
        &[0, 0, 0, 11],
    );
    assert_eq!(r.unwrap_err(), limit("read_bytes", 10, 4));
    let r = decode_now(
        || read_u32_be().then(|n| ensure(n as usize).max_len(10)),
        &[0, 0, 0, 11],
    );
    assert_eq!(r.unwrap_err(), limit("ensure", 10, 4));
    let r = decode_now(
        || read_u32_be().then(|n| peek(n as usize, |_| ()).max_len(10)),
        &[0, 0, 0, 11],
    );
    assert_eq!(r.unwrap_err(), limit("peek", 10, 4));
    // Exactly max is fine: it waits.
    let r = decode_now(
        || read_u32_be().then(|n| read_bytes(n.into()).max_len(10)),
        &[0, 0, 0, 10],
    );
    assert_eq!(r.unwrap(), None);
}

#[test]
fn counted_steps_default_limits_are_finite() {
    assert_eq!(DEFAULT_MAX_BYTES, 16 * 1024 * 1024);
    let huge = (DEFAULT_MAX_BYTES as u64 + 1).to_be_bytes();
    let r = decode_now(|| read_u64_be().then(read_bytes), &huge);
    assert_eq!(r.unwrap_err(), limit("read_bytes", DEFAULT_MAX_BYTES, 8));
    let r = decode_now(|| read_u64_be().then(|n| ensure(n as usize)), &huge);
    assert_eq!(r.unwrap_err(), limit("ensure", DEFAULT_MAX_BYTES, 8));
    let r = decode_now(|| read_u64_be().then(|n| peek(n as usize, |_| ())), &huge);
    assert_eq!(r.unwrap_err(), limit("peek", DEFAULT_MAX_BYTES, 8));
    let r = decode_now(|| read_u64_be().then(read_bytes), &u64::MAX.to_be_bytes());
    assert_eq!(r.unwrap_err(), limit("read_bytes", DEFAULT_MAX_BYTES, 8));
}

// ---------------------------------------------------------------- read_to_end

#[test]
fn read_to_end_limit_fires_before_eof() {
    pending_then_fails(
        || read_to_end().max_len(3),
        b"abc",
        b"d",
        limit("read_to_end", 3, 3),
    );
    assert_eq!(DEFAULT_MAX_TO_END, 1024 * 1024);
    let mut data = vec![b'a'; DEFAULT_MAX_TO_END];
    let (res, _) = decode_eof_once(read_to_end, &data);
    assert_eq!(res.unwrap().map(|b| b.len()), Some(DEFAULT_MAX_TO_END));
    data.push(b'b');
    let r = decode_now(read_to_end, &data);
    assert_eq!(
        r.unwrap_err(),
        limit("read_to_end", DEFAULT_MAX_TO_END, DEFAULT_MAX_TO_END as u64)
    );
}

// ---------------------------------------------------------------- skip_through

#[test]
fn skip_through_limit_fires_without_the_delimiter() {
    pending_then_fails(
        || skip_through(b'\n').max_len(3),
        b"abc",
        b"d",
        limit("skip_through", 3, 3),
    );
    // The bytes skipped while pending count too: the error is at start + max.
    let (out, e) = chunked(
        || skip_through(b'\n').max_len(5).ignore_then(read_u8()),
        b"ab\nXabcdefgh",
        &[5, 8],
    );
    assert_eq!(out, vec![b'X']);
    assert_eq!(e, Some(limit("skip_through", 5, 4 + 5)));
    let mut driver = Driver::new(|| skip_through(b'\n'));
    let mut buf = BytesMut::new();
    let piece = vec![b'a'; 64 * 1024];
    for i in 0.. {
        buf.extend_from_slice(&piece);
        match driver.decode(&mut buf) {
            Ok(None) => assert!(i < 16, "still pending after {} KiB", (i + 1) * 64),
            Err(e) => {
                assert_eq!(e, limit("skip_through", 1024 * 1024, 1024 * 1024));
                assert_eq!(i, 16);
                break;
            }
            Ok(Some(())) => panic!("no delimiter was sent"),
        }
    }
}

// ---------------------------------------------------------------- numbers

#[test]
fn digit_limits_fire_at_the_first_extra_digit() {
    pending_then_fails(
        || read_decimal().max_digits(3),
        b"123",
        b"4",
        limit("read_decimal", 3, 3),
    );
    pending_then_fails(
        || read_hex().max_digits(3),
        b"abc",
        b"d",
        limit("read_hex", 3, 3),
    );
    // Defaults: 20 decimal digits, 16 hex digits, however many leading zeros.
    let r = decode_now(read_decimal, &[b'0'; 100]);
    assert_eq!(r.unwrap_err(), limit("read_decimal", 20, 20));
    let r = decode_now(read_hex, &[b'0'; 100]);
    assert_eq!(r.unwrap_err(), limit("read_hex", 16, 16));
}

#[test]
fn varint_is_bounded_at_ten_bytes() {
    let r = decode_now(read_varint, &[0x80; 100]);
    assert_eq!(r.unwrap_err(), err(ErrorKind::BadNumber, 10));
}

// ---------------------------------------------------------------- loops

#[test]
fn repeat_limit_is_checked_before_any_item() {
    let make = || read_u16_be().then(|n| repeat(n.into(), read_u8).max_iterations(3));
    let r = decode_now(make, &[0, 4]);
    assert_eq!(r.unwrap_err(), limit("repeat", 3, 2));
    assert_eq!(DEFAULT_MAX_ITERATIONS, 65_536);
    let make = || read_u32_be().then(|n| repeat(n as usize, || done(())));
    let r = decode_now(make, &65_536u32.to_be_bytes());
    assert_eq!(r.unwrap().map(|v| v.len()), Some(65_536));
    let r = decode_now(make, &65_537u32.to_be_bytes());
    assert_eq!(r.unwrap_err(), limit("repeat", DEFAULT_MAX_ITERATIONS, 4));
}

#[test]
fn fold_limit_stops_an_endless_loop() {
    // A fold whose items consume nothing would loop forever; the cap ends it.
    let make = || {
        read_u8().ignore_then(fold(
            0u64,
            |_| done(()),
            |n, ()| ControlFlow::<u64, u64>::Continue(n + 1),
        ))
    };
    let r = decode_now(make, b"x");
    assert_eq!(r.unwrap_err(), limit("fold", DEFAULT_MAX_ITERATIONS, 1));
    // Lines fed one at a time: the error comes with the line that would exceed the cap.
    let make = || {
        fold(
            (),
            |_| read_line(),
            |(), line| {
                if line.is_empty() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .max_iterations(2)
    };
    pending_then_fails(make, b"a\nb", b"\n", limit("fold", 2, 4));
}

// ---------------------------------------------------------------- .limit(n)

#[test]
fn limit_combinator_fires_without_waiting() {
    pending_then_fails(|| read_line().limit(4), b"abc", b"d", limit("limit", 4, 4));
    pending_then_fails(
        || read_until_seq(b"\r\n\r\n").limit(6),
        b"abc\r\n",
        b"\r",
        limit("limit", 6, 6),
    );
    pending_then_fails(
        || read_u8().then(|n| read_bytes(n.into())).limit(3),
        &[200, 1],
        &[2],
        limit("limit", 3, 3),
    );
    // After earlier messages.
    let (out, e) = one_shot(|| read_until(b',').limit(3), b"ab,x,abcd,");
    assert_eq!(out, bs(&[b"ab", b"x"]));
    assert_eq!(e, Some(limit("limit", 3, 5 + 3)));
}

#[test]
fn limit_bounds_a_step_whose_own_limit_is_larger() {
    // The step would accept 100 bytes; the cap says 10.
    let r = decode_now(|| read_line().max_len(100).limit(10), &[b'a'; 50]);
    assert_eq!(r.unwrap_err(), limit("limit", 10, 10));
    // And the other way round: the step's own limit fires first.
    let r = decode_now(|| read_line().max_len(3).limit(10), &[b'a'; 50]);
    assert_eq!(r.unwrap_err(), limit("read_line", 3, 3));
}
