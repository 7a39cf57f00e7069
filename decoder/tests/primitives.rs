//! Every primitive step: outputs, exactly what stays in the buffer, and error kinds at
//! absolute offsets (also after earlier messages).

mod common;

use bytes::{Bytes, BytesMut};
use common::*;
use nagrel_decoder::*;

// ---------------------------------------------------------------- read_line

#[test]
fn read_line_lf_crlf_and_empty_lines() {
    let (out, e) = one_shot(read_line, b"unix\nwindows\r\n\n\r\nlast\n");
    assert_eq!(out, bs(&[b"unix", b"windows", b"", b"", b"last"]));
    assert_eq!(e, None);
}

#[test]
fn read_line_keeps_bare_cr_inside_the_line() {
    let (out, e) = one_shot(read_line, b"a\rb\n\r\r\n");
    assert_eq!(out, bs(&[b"a\rb", b"\r"]));
    assert_eq!(e, None);
}

#[test]
fn read_line_leaves_the_rest_in_the_buffer() {
    let (res, rest) = decode_once(read_line, b"one\r\ntwo");
    assert_eq!(res.unwrap().as_deref(), Some(&b"one"[..]));
    assert_eq!(rest, b"two");
    // A partial line is left untouched.
    let (res, rest) = decode_once(read_line, b"partial\r");
    assert_eq!(res.unwrap(), None);
    assert_eq!(rest, b"partial\r");
}

#[test]
fn read_line_eof_inside_a_line_is_an_error_at_the_end() {
    let (out, e) = one_shot(read_line, b"one\ntwo\nthr");
    assert_eq!(out, bs(&[b"one", b"two"]));
    assert_eq!(e, Some(eof(11)));
    // A CR without its LF at EOF is also cut off.
    let (out, e) = one_shot(read_line, b"x\r");
    assert!(out.is_empty());
    assert_eq!(e, Some(eof(2)));
}

#[test]
fn read_line_crlf_rejects_bare_lf_at_the_lf() {
    let (out, e) = one_shot(|| read_line().crlf(), b"ok\r\nbare\n");
    assert_eq!(out, bs(&[b"ok"]));
    assert_eq!(e, Some(err(ErrorKind::BadLineEnding, 8)));
    // An empty bare line.
    let (out, e) = one_shot(|| read_line().crlf(), b"\r\n\n");
    assert_eq!(out, bs(&[b""]));
    assert_eq!(e, Some(err(ErrorKind::BadLineEnding, 2)));
    // CR in the middle followed by a bare LF later: the LF is what is reported.
    let (out, e) = one_shot(|| read_line().crlf(), b"a\rb\n");
    assert!(out.is_empty());
    assert_eq!(e, Some(err(ErrorKind::BadLineEnding, 3)));
}

#[test]
fn read_line_max_len_boundaries_and_offsets() {
    // Exactly max bytes, with either terminator, is fine.
    let (out, e) = one_shot(|| read_line().max_len(4), b"abcd\nabcd\r\n");
    assert_eq!(out, bs(&[b"abcd", b"abcd"]));
    assert_eq!(e, None);
    // One more is not, reported at line start + max, after earlier messages.
    let (out, e) = one_shot(|| read_line().max_len(4), b"ab\nabcde\n");
    assert_eq!(out, bs(&[b"ab"]));
    assert_eq!(e, Some(limit("read_line", 4, 3 + 4)));
    let (out, e) = one_shot(|| read_line().max_len(4), b"ab\nabcde\r\n");
    assert_eq!(out, bs(&[b"ab"]));
    assert_eq!(e, Some(limit("read_line", 4, 7)));
    // max 0 accepts only empty lines.
    let (out, e) = one_shot(|| read_line().max_len(0), b"\n\r\nx\n");
    assert_eq!(out, bs(&[b"", b""]));
    assert_eq!(e, Some(limit("read_line", 0, 3)));
}

// ---------------------------------------------------------------- read_bytes

#[test]
fn read_bytes_takes_exactly_n() {
    let (res, rest) = decode_once(|| read_bytes(3), b"abcdefg");
    assert_eq!(res.unwrap().as_deref(), Some(&b"abc"[..]));
    assert_eq!(rest, b"defg");
    let (out, e) = one_shot(|| read_bytes(3), b"abcdefg");
    assert_eq!(out, bs(&[b"abc", b"def"]));
    assert_eq!(e, Some(eof(7)));
}

#[test]
fn read_bytes_zero_inside_a_message() {
    let (out, e) = one_shot(
        || read_u8().then(|n| read_bytes(n.into())),
        b"\x00\x02hi\x00",
    );
    assert_eq!(out, bs(&[b"", b"hi", b""]));
    assert_eq!(e, None);
}

#[test]
fn read_bytes_waits_then_errors_at_eof() {
    let (res, rest) = decode_once(|| read_bytes(5), b"abc");
    assert_eq!(res.unwrap(), None);
    assert_eq!(rest, b"abc");
    let (res, rest) = decode_eof_once(|| read_bytes(5), b"abc");
    assert_eq!(res.unwrap_err(), eof(3));
    assert_eq!(rest, b"abc");
}

#[test]
fn read_bytes_max_len_is_checked_before_buffering() {
    let make = || read_u8().then(|n| read_bytes(n.into()).max_len(3));
    let (out, e) = one_shot(make, &[3, b'a', b'b', b'c', 4]);
    assert_eq!(out, bs(&[b"abc"]));
    // The length byte is at 4; read_bytes starts (and fails) at 5, with nothing buffered.
    assert_eq!(e, Some(limit("read_bytes", 3, 5)));
}

// ---------------------------------------------------------------- ensure / peek

#[test]
fn ensure_waits_without_consuming() {
    let make = || ensure(3).ignore_then(read_bytes(1));
    let (res, rest) = decode_once(make, b"ab");
    assert_eq!(res.unwrap(), None);
    assert_eq!(rest, b"ab");
    let (res, rest) = decode_once(make, b"abc");
    assert_eq!(res.unwrap().as_deref(), Some(&b"a"[..]));
    assert_eq!(rest, b"bc");
    let (res, _) = decode_eof_once(make, b"ab");
    assert_eq!(res.unwrap_err(), eof(2));
}

#[test]
fn ensure_max_len() {
    let make = || {
        read_u8()
            .then(|n| ensure(n.into()).max_len(2))
            .ignore_then(read_u8())
    };
    // 2 then 7 (ensure(2) sees 7, 0); 0 then 3; 3: over the limit, where ensure starts.
    let (out, e) = one_shot(make, &[2, 7, 0, 3, 3, 1, 1, 1]);
    assert_eq!(out, vec![7, 3]);
    assert_eq!(e, Some(limit("ensure", 2, 5)));
}

#[test]
fn peek_sees_exactly_n_bytes_and_consumes_nothing() {
    let make = || peek(2, |b: &[u8]| b.to_vec()).and(read_bytes(3));
    let (res, rest) = decode_once(make, b"abcd");
    let (peeked, read) = res.unwrap().unwrap();
    assert_eq!(peeked, b"ab");
    assert_eq!(&read[..], b"abc");
    assert_eq!(rest, b"d");
    let (res, rest) = decode_once(make, b"a");
    assert!(res.unwrap().is_none());
    assert_eq!(rest, b"a");
    let (res, _) = decode_eof_once(make, b"a");
    assert_eq!(res.unwrap_err(), eof(1));
}

#[test]
fn peek_max_len() {
    let make = || read_u8().then(|n| peek(n.into(), |b: &[u8]| b.len()).max_len(1));
    let (out, e) = one_shot(
        || make().then(|n| read_bytes(n as u64)),
        &[1, b'x', 2, b'y', b'z'],
    );
    assert_eq!(out, bs(&[b"x"]));
    assert_eq!(e, Some(limit("peek", 1, 3)));
}

// ---------------------------------------------------------------- skip

#[test]
fn skip_discards_exactly_n() {
    let (res, rest) = decode_once(|| skip(3).ignore_then(read_u8()), &[1, 2, 3, 4, 5]);
    assert_eq!(res.unwrap(), Some(4));
    assert_eq!(rest, [5]);
    // Skipped bytes are consumed as they arrive, so EOF is reported at the stream end.
    let (out, e) = one_shot(|| skip(10).ignore_then(read_u8()), &[0; 4]);
    assert!(out.is_empty());
    assert_eq!(e, Some(eof(4)));
}

#[test]
fn skip_consumes_what_it_can_while_pending() {
    let mut driver = Driver::new(|| skip(4).ignore_then(read_u8()));
    let mut buf = BytesMut::from(&[1u8, 2][..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert!(buf.is_empty());
    assert_eq!(driver.offset(), 2);
    buf.extend_from_slice(&[3, 4, 9, 8]);
    assert_eq!(driver.decode(&mut buf).unwrap(), Some(9));
    assert_eq!(&buf[..], [8]);
}

// ---------------------------------------------------------------- expect

#[test]
fn expect_matches_and_consumes_the_literal() {
    let (res, rest) = decode_once(|| expect(b"GET ").ignore_then(read_u8()), b"GET /x");
    assert_eq!(res.unwrap(), Some(b'/'));
    assert_eq!(rest, b"x");
}

#[test]
fn expect_reports_the_first_wrong_byte_at_its_offset() {
    let make = || expect(b"abc").ignore_then(read_u8());
    let (out, e) = one_shot(make, b"abcXabX");
    assert_eq!(out, vec![b'X']);
    assert_eq!(
        e,
        Some(err(
            ErrorKind::Mismatch {
                expected: b'c',
                found: b'X'
            },
            6
        ))
    );
    // The same when the literal arrives in pieces: the wrong byte fails at once.
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::from(&b"a"[..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"Z");
    assert_eq!(
        driver.decode(&mut buf).unwrap_err(),
        err(
            ErrorKind::Mismatch {
                expected: b'b',
                found: b'Z'
            },
            1
        )
    );
}

#[test]
fn expect_eof_and_empty_literal() {
    let (res, _) = decode_eof_once(|| expect(b"abc"), b"ab");
    assert_eq!(res.unwrap_err(), eof(2));
    let (res, rest) = decode_once(|| expect(b"").ignore_then(read_u8()), b"q");
    assert_eq!(res.unwrap(), Some(b'q'));
    assert!(rest.is_empty());
}

// ---------------------------------------------------------------- read_to_end

#[test]
fn read_to_end_completes_only_at_eof() {
    let mut driver = Driver::new(read_to_end);
    let mut buf = BytesMut::new();
    for piece in [&b"ab"[..], b"", b"cd"] {
        buf.extend_from_slice(piece);
        assert_eq!(driver.decode(&mut buf).unwrap(), None);
    }
    assert_eq!(&buf[..], b"abcd");
    assert_eq!(
        driver.decode_eof(&mut buf).unwrap().as_deref(),
        Some(&b"abcd"[..])
    );
    assert!(buf.is_empty());
    assert_eq!(driver.decode_eof(&mut buf).unwrap(), None);
}

#[test]
fn read_to_end_after_a_header_may_be_empty() {
    let make = || read_u8().and(read_to_end());
    let (out, e) = one_shot(make, &[7]);
    assert_eq!(out, vec![(7, Bytes::new())]);
    assert_eq!(e, None);
}

#[test]
fn read_to_end_max_len() {
    let make = || read_to_end().max_len(4);
    let (res, _) = decode_eof_once(make, b"abcd");
    assert_eq!(res.unwrap().as_deref(), Some(&b"abcd"[..]));
    // One byte over fails without waiting for EOF, at start + max.
    let (res, rest) = decode_once(make, b"abcde");
    assert_eq!(res.unwrap_err(), limit("read_to_end", 4, 4));
    assert_eq!(rest, b"abcde");
    let (out, e) = one_shot(
        || read_u8().ignore_then(read_to_end().max_len(2)),
        &[0, 1, 2, 3],
    );
    assert!(out.is_empty());
    assert_eq!(e, Some(limit("read_to_end", 2, 3)));
}

// ---------------------------------------------------------------- fixed-width numbers

#[test]
fn fixed_width_numbers_both_byte_orders() {
    macro_rules! check {
        ($($step:ident, $t:ty, $v:expr, $to:ident;)*) => {$(
            let v: $t = $v;
            let mut data = v.$to().to_vec();
            data.push(0xAA);
            let (res, rest) = decode_once($step, &data);
            assert_eq!(res.unwrap(), Some(v), stringify!($step));
            assert_eq!(rest, [0xAA], stringify!($step));
        )*};
    }
    check! {
        read_u8, u8, 0xFE, to_be_bytes;
        read_i8, i8, -2, to_be_bytes;
        read_u16_be, u16, 0x0102, to_be_bytes;
        read_u16_le, u16, 0x0102, to_le_bytes;
        read_i16_be, i16, -300, to_be_bytes;
        read_i16_le, i16, -300, to_le_bytes;
        read_u32_be, u32, 0x0102_0304, to_be_bytes;
        read_u32_le, u32, 0x0102_0304, to_le_bytes;
        read_i32_be, i32, -70_000, to_be_bytes;
        read_i32_le, i32, -70_000, to_le_bytes;
        read_u64_be, u64, 0x0102_0304_0506_0708, to_be_bytes;
        read_u64_le, u64, 0x0102_0304_0506_0708, to_le_bytes;
        read_i64_be, i64, i64::MIN + 5, to_be_bytes;
        read_i64_le, i64, i64::MIN + 5, to_le_bytes;
        read_f32_be, f32, -1.25, to_be_bytes;
        read_f32_le, f32, -1.25, to_le_bytes;
        read_f64_be, f64, 1e300, to_be_bytes;
        read_f64_le, f64, 1e300, to_le_bytes;
    }
}

#[test]
fn fixed_width_byte_order_is_not_swapped() {
    let data = [1u8, 2, 3, 4, 5, 6, 7, 8];
    assert_eq!(decode_once(read_u16_be, &data).0.unwrap(), Some(0x0102));
    assert_eq!(decode_once(read_u16_le, &data).0.unwrap(), Some(0x0201));
    assert_eq!(
        decode_once(read_u32_le, &data).0.unwrap(),
        Some(0x0403_0201)
    );
    assert_eq!(
        decode_once(read_u64_le, &data).0.unwrap(),
        Some(0x0807_0605_0403_0201)
    );
}

#[test]
fn fixed_width_numbers_wait_and_fail_at_eof() {
    let (res, rest) = decode_once(read_u32_be, &[1, 2, 3]);
    assert_eq!(res.unwrap(), None);
    assert_eq!(rest, [1, 2, 3]);
    // Two u16 then a cut-off one: the error is at the end of the stream.
    let (out, e) = one_shot(read_u16_le, &[1, 0, 2, 0, 3]);
    assert_eq!(out, vec![1, 2]);
    assert_eq!(e, Some(eof(5)));
    let (out, e) = one_shot(read_f64_be, &[0; 7]);
    assert!(out.is_empty());
    assert_eq!(e, Some(eof(7)));
}

// ---------------------------------------------------------------- varint

#[test]
fn varint_values() {
    let (out, e) = one_shot(read_varint, &[0x00, 0x7F, 0x80, 0x01, 0xE5, 0x8E, 0x26]);
    assert_eq!(out, vec![0, 127, 128, 624_485]);
    assert_eq!(e, None);
    let mut max = vec![0xFF; 9];
    max.push(0x01);
    max.push(0x05);
    let (res, rest) = decode_once(read_varint, &max);
    assert_eq!(res.unwrap(), Some(u64::MAX));
    assert_eq!(rest, [0x05]);
}

#[test]
fn varint_overflow_is_bad_number_at_the_offending_byte() {
    // The tenth byte may only be 0 or 1.
    let mut data = vec![
        0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02,
    ];
    let (out, e) = one_shot(read_varint, &data);
    assert_eq!(out, vec![1]);
    assert_eq!(e, Some(err(ErrorKind::BadNumber, 1 + 9)));
    // An eleventh byte is too long whatever the tenth carried.
    data[10] = 0x80;
    data.push(0x00);
    let (out, e) = one_shot(read_varint, &data);
    assert_eq!(out, vec![1]);
    assert_eq!(e, Some(err(ErrorKind::BadNumber, 1 + 10)));
}

#[test]
fn varint_consumes_while_pending_and_fails_at_eof() {
    let mut driver = Driver::new(read_varint);
    let mut buf = BytesMut::from(&[0x80u8, 0x80][..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert!(buf.is_empty());
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(2));
}

// ---------------------------------------------------------------- read_decimal / read_hex

#[test]
fn read_decimal_stops_at_the_first_non_digit() {
    let (res, rest) = decode_once(read_decimal, b"0123x9");
    assert_eq!(res.unwrap(), Some(123));
    assert_eq!(rest, b"x9");
    let (res, rest) = decode_once(read_decimal, b"18446744073709551615\n");
    assert_eq!(res.unwrap(), Some(u64::MAX));
    assert_eq!(rest, b"\n");
}

#[test]
fn read_decimal_needs_the_end_of_the_number() {
    // Digits may continue: wait.
    let (res, rest) = decode_once(read_decimal, b"42");
    assert_eq!(res.unwrap(), None);
    assert!(rest.is_empty(), "digits are consumed as they arrive");
    // At EOF the digits so far are the number.
    let (res, _) = decode_eof_once(read_decimal, b"42");
    assert_eq!(res.unwrap(), Some(42));
}

#[test]
fn read_decimal_errors() {
    // No digits at all: BadNumber where the number should start.
    let make = || read_decimal().then_ignore(expect(b";"));
    let (out, e) = one_shot(make, b"1;;");
    assert_eq!(out, vec![1]);
    assert_eq!(e, Some(err(ErrorKind::BadNumber, 2)));
    // Overflow: reported at the digit that does not fit.
    let (out, e) = one_shot(make, b"7;18446744073709551616;");
    assert_eq!(out, vec![7]);
    assert_eq!(e, Some(err(ErrorKind::BadNumber, 2 + 19)));
    // Empty at EOF is a cut-off message.
    let (out, e) = one_shot(|| expect(b"#").ignore_then(read_decimal()), b"#");
    assert!(out.is_empty());
    assert_eq!(e, Some(eof(1)));
}

#[test]
fn read_decimal_max_digits_counts_leading_zeros() {
    let (out, e) = one_shot(
        || read_decimal().max_digits(3).then_ignore(expect(b" ")),
        b"007 0007 ",
    );
    assert_eq!(out, vec![7]);
    assert_eq!(e, Some(limit("read_decimal", 3, 4 + 3)));
    // The default is 20.
    let (res, _) = decode_once(read_decimal, format!("{}1", "0".repeat(20)).as_bytes());
    assert_eq!(res.unwrap_err(), limit("read_decimal", 20, 20));
}

#[test]
fn read_hex_either_case() {
    let (res, rest) = decode_once(read_hex, b"1aF;");
    assert_eq!(res.unwrap(), Some(0x1AF));
    assert_eq!(rest, b";");
    let (res, rest) = decode_once(read_hex, b"ffffffffffffffffg");
    assert_eq!(res.unwrap(), Some(u64::MAX));
    assert_eq!(rest, b"g");
    let (res, _) = decode_once(read_hex, b"xyz");
    assert_eq!(res.unwrap_err(), err(ErrorKind::BadNumber, 0));
}

#[test]
fn read_hex_max_digits() {
    let (res, _) = decode_once(read_hex, format!("{}1;", "0".repeat(16)).as_bytes());
    assert_eq!(res.unwrap_err(), limit("read_hex", 16, 16));
    let (out, e) = one_shot(
        || read_hex().max_digits(2).then_ignore(expect(b";")),
        b"ff;abc;",
    );
    assert_eq!(out, vec![0xFF]);
    assert_eq!(e, Some(limit("read_hex", 2, 3 + 2)));
}

// ---------------------------------------------------------------- read_until

#[test]
fn read_until_drops_or_keeps_the_delimiter() {
    let (res, rest) = decode_once(|| read_until(b':'), b"key:value");
    assert_eq!(res.unwrap().as_deref(), Some(&b"key"[..]));
    assert_eq!(rest, b"value");
    let (res, rest) = decode_once(|| read_until(b':').keep_delimiter(), b"key:value");
    assert_eq!(res.unwrap().as_deref(), Some(&b"key:"[..]));
    assert_eq!(rest, b"value");
    let (out, e) = one_shot(|| read_until(b','), b",a,,b");
    assert_eq!(out, bs(&[b"", b"a", b""]));
    assert_eq!(e, Some(eof(5)));
}

#[test]
fn read_until_max_len_excludes_the_delimiter() {
    let make = || read_until(b':').max_len(3);
    let (out, e) = one_shot(make, b"abc:abcd:");
    assert_eq!(out, bs(&[b"abc"]));
    assert_eq!(e, Some(limit("read_until", 3, 4 + 3)));
    let make = || read_until(b':').max_len(3).keep_delimiter();
    let (out, e) = one_shot(make, b"abc:");
    assert_eq!(out, bs(&[b"abc:"]));
    assert_eq!(e, None);
}

// ---------------------------------------------------------------- read_until_seq

#[test]
fn read_until_seq_finds_a_delimiter_straddling_arrivals() {
    let mut driver = Driver::new(|| read_until_seq(b"\r\n\r\n"));
    let mut buf = BytesMut::new();
    for piece in [&b"GET / HTTP/1.1\r"[..], b"\n", b"Host: a\r\n\r"] {
        buf.extend_from_slice(piece);
        assert_eq!(driver.decode(&mut buf).unwrap(), None);
    }
    buf.extend_from_slice(b"\nbody");
    let head = driver.decode(&mut buf).unwrap().unwrap();
    assert_eq!(&head[..], b"GET / HTTP/1.1\r\nHost: a");
    assert_eq!(&buf[..], b"body");
}

#[test]
fn read_until_seq_self_overlapping_delimiter() {
    // "\r\n\r\r\n\r\n": the first "\r\n\r" is a false start.
    let (res, rest) = decode_once(|| read_until_seq(b"\r\n\r\n"), b"a\r\n\r\r\n\r\nz");
    assert_eq!(res.unwrap().as_deref(), Some(&b"a\r\n\r"[..]));
    assert_eq!(rest, b"z");
    let (res, rest) = decode_once(|| read_until_seq(b"aab"), b"aaab!");
    assert_eq!(res.unwrap().as_deref(), Some(&b"a"[..]));
    assert_eq!(rest, b"!");
}

#[test]
fn read_until_seq_keep_delimiter_and_eof() {
    let (out, e) = one_shot(|| read_until_seq(b"--").keep_delimiter(), b"a--b--c-");
    assert_eq!(out, bs(&[b"a--", b"b--"]));
    assert_eq!(e, Some(eof(8)));
}

#[test]
fn read_until_seq_max_len() {
    let make = || read_until_seq(b"\r\n").max_len(3);
    let (out, e) = one_shot(make, b"abc\r\nabcd\r\n");
    assert_eq!(out, bs(&[b"abc"]));
    assert_eq!(e, Some(limit("read_until_seq", 3, 5 + 3)));
}

// ---------------------------------------------------------------- take_while / take_until

#[test]
fn take_while_and_take_until_leave_the_stop_byte() {
    let make = || take_while(|b: u8| b.is_ascii_digit()).then_ignore(expect(b","));
    let (out, e) = one_shot(make, b"12,,345,");
    assert_eq!(out, bs(&[b"12", b"", b"345"]));
    assert_eq!(e, None);
    let (res, rest) = decode_once(|| take_until(|b| b == b';'), b"abc;def");
    assert_eq!(res.unwrap().as_deref(), Some(&b"abc"[..]));
    assert_eq!(rest, b";def");
}

#[test]
fn take_while_waits_for_its_end_and_completes_at_eof() {
    let (res, rest) = decode_once(|| take_while(|b: u8| b == b'a'), b"aaa");
    assert_eq!(res.unwrap(), None);
    assert_eq!(rest, b"aaa");
    let (res, rest) = decode_eof_once(|| take_while(|b: u8| b == b'a'), b"aaa");
    assert_eq!(res.unwrap().as_deref(), Some(&b"aaa"[..]));
    assert!(rest.is_empty());
}

#[test]
fn take_while_max_len() {
    let make = || {
        take_until(|b| b == b';')
            .max_len(3)
            .then_ignore(expect(b";"))
    };
    let (out, e) = one_shot(make, b"abc;abcd;");
    assert_eq!(out, bs(&[b"abc"]));
    assert_eq!(e, Some(limit("take_while", 3, 4 + 3)));
}

// ---------------------------------------------------------------- skip_through

#[test]
fn skip_through_discards_through_the_delimiter() {
    let (res, rest) = decode_once(|| skip_through(b'\n').ignore_then(read_u8()), b"junk\nXY");
    assert_eq!(res.unwrap(), Some(b'X'));
    assert_eq!(rest, b"Y");
    // Discards as it goes, so a pending skip holds nothing.
    let mut driver = Driver::new(|| skip_through(b'\n').ignore_then(read_u8()));
    let mut buf = BytesMut::from(&b"junk"[..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert!(buf.is_empty());
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(4));
}

#[test]
fn skip_through_max_len_includes_the_delimiter() {
    let make = || skip_through(b'\n').max_len(5).ignore_then(read_u8());
    let (out, e) = one_shot(make, b"abcd\nXabcde\nY");
    assert_eq!(out, vec![b'X']);
    assert_eq!(e, Some(limit("skip_through", 5, 6 + 5)));
}

// ---------------------------------------------------------------- offsets across messages

#[test]
fn error_offsets_are_absolute_across_many_messages() {
    let mut data = Vec::new();
    for _ in 0..100 {
        data.extend_from_slice(b"line\r\n");
    }
    data.extend_from_slice(b"bad\n");
    let (out, e) = one_shot(|| read_line().crlf(), &data);
    assert_eq!(out.len(), 100);
    assert_eq!(e, Some(err(ErrorKind::BadLineEnding, 600 + 3)));
}

#[test]
fn input_starting_offset_is_honoured() {
    // A step driven by hand over an Input that starts deep in a stream.
    let mut buf = BytesMut::from(&b"abX"[..]);
    let mut input = Input::new(&mut buf, 1_000, false);
    let mut step = expect(b"abc");
    let e = step.resume(&mut input).unwrap_err();
    assert_eq!(
        e,
        err(
            ErrorKind::Mismatch {
                expected: b'c',
                found: b'X'
            },
            1_002
        )
    );
}
