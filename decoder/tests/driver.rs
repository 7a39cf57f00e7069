//! Driver semantics: several messages per buffer, EOF handling, fused failure, recovery,
//! zero-byte messages, EOF-delimited messages.

mod common;

use bytes::BytesMut;
use common::*;
use nagrel_decoder::*;

fn blob() -> impl Step<Output = bytes::Bytes> {
    read_decimal().then_ignore(expect(b"\n")).then(read_bytes)
}

#[test]
fn several_messages_in_one_buffer_one_per_call() {
    let mut driver = Driver::new(blob);
    let mut buf = BytesMut::from(&b"5\nhello3\nabc0\n2\nx"[..]);
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"hello"[..])
    );
    assert_eq!(&buf[..], b"3\nabc0\n2\nx");
    assert_eq!(driver.offset(), 7);
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"abc"[..])
    );
    assert_eq!(driver.decode(&mut buf).unwrap().as_deref(), Some(&b""[..]));
    assert!(!driver.in_message());
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert!(driver.in_message());
    buf.extend_from_slice(b"y");
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"xy"[..])
    );
    assert!(!driver.in_message());
    assert_eq!(driver.offset(), 18);
    assert!(buf.is_empty());
}

#[test]
fn decode_eof_drains_buffered_messages_before_ending() {
    let mut driver = Driver::new(read_line);
    let mut buf = BytesMut::from(&b"a\nb\n"[..]);
    assert_eq!(
        driver.decode_eof(&mut buf).unwrap().as_deref(),
        Some(&b"a"[..])
    );
    assert_eq!(
        driver.decode_eof(&mut buf).unwrap().as_deref(),
        Some(&b"b"[..])
    );
    assert_eq!(driver.decode_eof(&mut buf).unwrap(), None);
}

#[test]
fn clean_eof_between_messages_is_not_an_error() {
    let mut driver = Driver::new(blob);
    let mut buf = BytesMut::new();
    // Before anything arrived.
    assert_eq!(driver.decode_eof(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"1\nx");
    assert_eq!(driver.decode(&mut buf).unwrap().as_deref(), Some(&b"x"[..]));
    // After a complete message, as often as asked.
    for _ in 0..3 {
        assert_eq!(driver.decode_eof(&mut buf).unwrap(), None);
        assert_eq!(driver.decode(&mut buf).unwrap(), None);
    }
    assert_eq!(driver.failed(), None);
}

#[test]
fn eof_inside_a_message_is_an_error_at_the_end_of_the_stream() {
    // Partly consumed (the length and LF are gone), after an earlier message.
    let mut driver = Driver::new(blob);
    let mut buf = BytesMut::from(&b"1\nx5\nhel"[..]);
    assert_eq!(driver.decode(&mut buf).unwrap().as_deref(), Some(&b"x"[..]));
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(8));
    assert_eq!(driver.failed(), Some(eof(8)));
    // Nothing consumed of the cut-off message.
    let mut driver = Driver::new(read_line);
    let mut buf = BytesMut::from(&b"ab\ncd"[..]);
    assert!(driver.decode_eof(&mut buf).unwrap().is_some());
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(5));
    // The message started in an earlier call that saw no EOF.
    let mut driver = Driver::new(read_u32_be);
    let mut buf = BytesMut::from(&[0u8, 0, 0, 1, 0, 0][..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), Some(1));
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(6));
}

#[test]
fn a_failed_driver_is_fused_and_interprets_nothing_more() {
    let mut driver = Driver::new(|| read_line().max_len(3));
    let mut buf = BytesMut::from(&b"ok\ntoolong\nfine\n"[..]);
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"ok"[..])
    );
    let e = driver.decode(&mut buf).unwrap_err();
    assert_eq!(e, limit("read_line", 3, 6));
    assert_eq!(driver.failed(), Some(e));
    let offset = driver.offset();
    // More bytes, and EOF: the same error, the buffer untouched.
    buf.extend_from_slice(b"more\n");
    let before = buf.clone();
    for _ in 0..3 {
        assert_eq!(driver.decode(&mut buf).unwrap_err(), e);
        assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), e);
    }
    assert_eq!(buf, before);
    assert_eq!(driver.offset(), offset);
    // Even an empty buffer does not look like a clean end any more.
    assert_eq!(driver.decode_eof(&mut BytesMut::new()).unwrap_err(), e);
}

#[test]
fn an_eof_error_is_fused_too() {
    let mut driver = Driver::new(read_line);
    let mut buf = BytesMut::from(&b"abc"[..]);
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(3));
    buf.extend_from_slice(b"\n");
    assert_eq!(driver.decode(&mut buf).unwrap_err(), eof(3));
    assert_eq!(&buf[..], b"abc\n");
}

// ---------------------------------------------------------------- recover_with

#[test]
fn recover_with_reports_each_error_once_and_resumes_after_the_recovery_step() {
    let mut driver =
        Driver::new(|| read_line().max_len(3)).recover_with(|_| Some(skip_through(b'\n').boxed()));
    let mut buf = BytesMut::from(&b"toolong\nok\nabcdefgh\nz\n"[..]);
    assert_eq!(
        driver.decode(&mut buf).unwrap_err(),
        limit("read_line", 3, 3)
    );
    assert_eq!(driver.failed(), None);
    assert!(driver.in_message());
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"ok"[..])
    );
    assert_eq!(
        driver.decode(&mut buf).unwrap_err(),
        limit("read_line", 3, 11 + 3)
    );
    assert_eq!(driver.decode(&mut buf).unwrap().as_deref(), Some(&b"z"[..]));
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert_eq!(driver.decode_eof(&mut buf).unwrap(), None);
    assert_eq!(driver.offset(), 22);
}

#[test]
fn recovery_waits_for_its_own_input() {
    let mut driver = Driver::new(|| expect(b"+").ignore_then(read_line()))
        .recover_with(|_| Some(skip_through(b'\n').boxed()));
    let mut buf = BytesMut::from(&b"-ERR"[..]);
    let mismatch = ErrorKind::Mismatch {
        expected: b'+',
        found: b'-',
    };
    assert_eq!(driver.decode(&mut buf).unwrap_err(), err(mismatch, 0));
    // The recovery step discards what it sees and waits for the LF.
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert!(buf.is_empty());
    buf.extend_from_slice(b" bad\r\n+OK\r");
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"\n");
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"OK"[..])
    );
    assert_eq!(driver.offset(), 15);
}

#[test]
fn recovery_sees_the_error_and_may_decline() {
    // Over-long lines are skipped; a bad line ending is fatal.
    let mut driver = Driver::new(|| read_line().max_len(3).crlf()).recover_with(|e| {
        matches!(e.kind(), ErrorKind::LimitExceeded { .. }).then(|| skip_through(b'\n').boxed())
    });
    let mut buf = BytesMut::from(&b"long line\r\nok\r\nab\nok\r\n"[..]);
    assert_eq!(
        driver.decode(&mut buf).unwrap_err(),
        limit("read_line", 3, 3)
    );
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"ok"[..])
    );
    let e = driver.decode(&mut buf).unwrap_err();
    assert_eq!(e, err(ErrorKind::BadLineEnding, 15 + 2));
    assert_eq!(driver.failed(), Some(e));
    assert_eq!(driver.decode(&mut buf).unwrap_err(), e);
    assert_eq!(&buf[..], b"ab\nok\r\n");
}

#[test]
fn recovery_declined_leaves_the_driver_failed() {
    let mut driver = Driver::new(|| read_line().crlf()).recover_with(|e| {
        matches!(e.kind(), ErrorKind::LimitExceeded { .. }).then(|| skip_through(b'\n').boxed())
    });
    let mut buf = BytesMut::from(&b"ok\r\nbare\nok\r\n"[..]);
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"ok"[..])
    );
    let e = driver.decode(&mut buf).unwrap_err();
    assert_eq!(e, err(ErrorKind::BadLineEnding, 8));
    assert_eq!(driver.failed(), Some(e));
    assert_eq!(driver.decode(&mut buf).unwrap_err(), e);
    assert_eq!(&buf[..], b"bare\nok\r\n");
}

#[test]
fn a_failing_recovery_step_fails_the_driver() {
    let mut driver = Driver::new(|| read_line().max_len(2))
        .recover_with(|_| Some(skip_through(b'\n').max_len(4).boxed()));
    let mut buf = BytesMut::from(&b"abcdefgh\nok\n"[..]);
    assert_eq!(
        driver.decode(&mut buf).unwrap_err(),
        limit("read_line", 2, 2)
    );
    // Recovery starts where the error was found (byte 2), so its own 4-byte limit ends
    // at byte 6.
    let e = driver.decode(&mut buf).unwrap_err();
    assert_eq!(e, limit("skip_through", 4, 6));
    assert_eq!(driver.failed(), Some(e));
    assert_eq!(driver.decode(&mut buf).unwrap_err(), e);
}

#[test]
fn recovery_cut_off_by_eof_ends_in_an_error() {
    let mut driver =
        Driver::new(|| read_line().max_len(3)).recover_with(|_| Some(skip_through(b'\n').boxed()));
    let mut buf = BytesMut::from(&b"ok\ntoolong"[..]);
    assert!(driver.decode_eof(&mut buf).unwrap().is_some());
    assert_eq!(
        driver.decode_eof(&mut buf).unwrap_err(),
        limit("read_line", 3, 6)
    );
    // The recovery cannot find its LF before the end of the stream.
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(10));
    assert_eq!(driver.failed(), Some(eof(10)));
}

#[test]
fn a_message_cut_off_by_eof_is_reported_once_even_with_recovery() {
    // Nothing follows the end of the stream, so there is nothing to recover on: the driver
    // reports the cut-off once and stays failed instead of reporting it again from the
    // recovery step.
    let mut driver =
        Driver::new(|| read_line().max_len(8)).recover_with(|_| Some(skip_through(b'\n').boxed()));
    let mut buf = BytesMut::from(&b"ok\npart"[..]);
    assert!(driver.decode_eof(&mut buf).unwrap().is_some());
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(7));
    assert_eq!(driver.failed(), Some(eof(7)));
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(7));
}

#[test]
fn recovery_works_on_bytes_buffered_at_eof() {
    // Everything arrives with the end of the stream: the error is reported, and the
    // messages after it are still decoded from the buffer.
    let mut driver =
        Driver::new(|| read_line().max_len(3)).recover_with(|_| Some(skip_through(b'\n').boxed()));
    let mut buf = BytesMut::from(&b"toolong\nok\n"[..]);
    assert_eq!(
        driver.decode_eof(&mut buf).unwrap_err(),
        limit("read_line", 3, 3)
    );
    assert_eq!(
        driver.decode_eof(&mut buf).unwrap().as_deref(),
        Some(&b"ok"[..])
    );
    assert_eq!(driver.decode_eof(&mut buf).unwrap(), None);
    assert_eq!(driver.failed(), None);
}

#[test]
fn recovery_after_partially_consumed_message() {
    // A u8 length then that many bytes, then ';'. A bad terminator is skipped through ';'.
    let make = || {
        read_u8()
            .then(|n| read_bytes(n.into()))
            .then_ignore(expect(b";"))
    };
    let mut driver = Driver::new(make).recover_with(|_| Some(skip_through(b';').boxed()));
    let mut buf = BytesMut::from(&b"\x02ab;\x01cX junk;\x01z;"[..]);
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"ab"[..])
    );
    let mismatch = ErrorKind::Mismatch {
        expected: b';',
        found: b'X',
    };
    assert_eq!(driver.decode(&mut buf).unwrap_err(), err(mismatch, 6));
    // Recovery starts at the X, where the failed message stopped consuming.
    assert_eq!(driver.decode(&mut buf).unwrap().as_deref(), Some(&b"z"[..]));
    assert!(buf.is_empty());
}

// ---------------------------------------------------------------- zero-byte messages

#[test]
fn a_message_of_zero_bytes_is_an_error_not_a_loop() {
    let zero = ErrorKind::Invalid("message consumed no input");
    let mut driver = Driver::new(|| done(()));
    // Nothing buffered: nothing to decode.
    assert_eq!(driver.decode(&mut BytesMut::new()).unwrap(), None);
    let mut buf = BytesMut::from(&b"x"[..]);
    assert_eq!(driver.decode(&mut buf).unwrap_err(), err(zero, 0));
    assert_eq!(driver.decode(&mut buf).unwrap_err(), err(zero, 0));
    assert_eq!(&buf[..], b"x");

    // A peek alone never consumes.
    let mut driver = Driver::new(|| peek(1, |b: &[u8]| b[0]));
    assert_eq!(
        driver.decode(&mut BytesMut::from(&b"y"[..])).unwrap_err(),
        err(zero, 0)
    );

    // After real messages, at the right offset, also at EOF.
    let (out, e) = one_shot(|| take_while(|b: u8| b == b'a'), b"aab");
    assert_eq!(out, bs(&[b"aa"]));
    assert_eq!(e, Some(err(zero, 2)));
    let (res, _) = decode_eof_once(|| take_while(|b: u8| b == b'a'), b"b");
    assert_eq!(res.unwrap_err(), err(zero, 0));
}

#[test]
fn a_zero_length_tail_is_fine_when_the_message_consumed_something() {
    let (out, e) = one_shot(
        || read_u8().then(|n| repeat(n.into(), || done(()))),
        &[0, 2],
    );
    assert_eq!(out, vec![vec![], vec![(), ()]]);
    assert_eq!(e, None);
}

// ---------------------------------------------------------------- EOF-delimited messages

#[test]
fn read_to_end_completes_only_at_eof() {
    let mut driver = Driver::new(|| expect(b">").ignore_then(read_to_end()));
    let mut buf = BytesMut::new();
    for piece in [&b">ab"[..], b"c", b"", b"\n\nd"] {
        buf.extend_from_slice(piece);
        assert_eq!(driver.decode(&mut buf).unwrap(), None);
        assert!(driver.in_message());
    }
    let all = driver.decode_eof(&mut buf).unwrap().unwrap();
    assert_eq!(&all[..], b"abc\n\nd");
    assert_eq!(driver.decode_eof(&mut buf).unwrap(), None);
    assert_eq!(driver.offset(), 7);
}

#[test]
fn driver_debug_shows_its_state() {
    let mut driver = Driver::new(read_line);
    let _ = driver.decode(&mut BytesMut::from(&b"ab"[..]));
    let s = format!("{driver:?}");
    assert!(s.contains("in_message: true"), "{s}");
}

/// Everything a driver with recovery reports, messages and errors alike, feeding `data`
/// in `piece`-byte pieces; stops at the first error that leaves the driver failed.
fn run_recovering<S, F>(make: F, data: &[u8], piece: usize) -> Vec<Result<S::Output, DecodeError>>
where
    F: FnMut() -> S,
    S: Step,
{
    let mut driver =
        Driver::new(make).recover_with(|_| Some(skip_through(b'\n').max_len(64).boxed()));
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut chunks = data.chunks(piece.max(1)).peekable();
    loop {
        let eof = chunks.peek().is_none();
        if let Some(chunk) = chunks.next() {
            buf.extend_from_slice(chunk);
        }
        loop {
            let result = if eof {
                driver.decode_eof(&mut buf)
            } else {
                driver.decode(&mut buf)
            };
            match result {
                Ok(Some(msg)) => out.push(Ok(msg)),
                Ok(None) => break,
                Err(e) => {
                    out.push(Err(e));
                    if driver.failed().is_some() {
                        return out;
                    }
                }
            }
        }
        if eof {
            return out;
        }
    }
}

#[test]
fn recovery_resumes_at_the_same_place_however_the_input_is_split() {
    // `expect` consumes matching bytes as they arrive, so how far it got before failing
    // depends on the split; where recovery starts must not.
    let data = b"A\nC\nA\nB";
    let make = || expect(b"A\nB");
    let whole = run_recovering(make, data, data.len());
    assert_eq!(whole, run_recovering(make, data, 1));
    assert_eq!(whole.len(), 2, "{whole:?}");
    assert_eq!(
        whole[0],
        Err(DecodeError::new(
            ErrorKind::Mismatch {
                expected: b'B',
                found: b'C'
            },
            2
        ))
    );
    assert_eq!(whole[1], Ok(()));
}

#[test]
fn a_recovery_that_makes_no_progress_fails_for_good() {
    let mut driver = Driver::new(|| expect(b"x")).recover_with(|_| Some(done(()).boxed()));
    let mut buf = BytesMut::from(&b"y"[..]);
    let first = driver.decode(&mut buf).unwrap_err();
    assert_eq!(first.offset(), 0);
    let again = driver.decode(&mut buf).unwrap_err();
    assert_eq!(
        again,
        DecodeError::new(ErrorKind::Invalid("recovery made no progress"), 0)
    );
    assert_eq!(driver.failed(), Some(again));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Line records `<digits>:<that many bytes>\n`; anything malformed is skipped to the next
    /// LF. One shot, every two-way split and one byte at a time report the same messages
    /// and errors.
    #[test]
    fn recovery_is_split_invariant(
        data in proptest::collection::vec(
            proptest::prop_oneof![4 => proptest::sample::select(b"0123456789:\nab".to_vec()), 1 => proptest::prelude::any::<u8>()],
            0..48,
        ),
        piece in 1usize..8,
    ) {
        let make = || {
            read_decimal()
                .max_digits(2)
                .then_ignore(expect(b":"))
                .then(|n| read_bytes(n).max_len(8))
                .then_ignore(expect(b"\n"))
        };
        let whole = run_recovering(make, &data, data.len().max(1));
        proptest::prop_assert_eq!(&whole, &run_recovering(make, &data, 1));
        proptest::prop_assert_eq!(&whole, &run_recovering(make, &data, piece));
    }
}
