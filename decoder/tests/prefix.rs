//! httparse-style prefix tests: every strict prefix of a valid message is "incomplete"
//! (`Ok(None)` from `decode`, never an error or a message), and at EOF a non-empty strict
//! prefix is an error at the end of the stream.

mod common;

use std::fmt::Debug;

use bytes::Bytes;
use common::composites::*;
use common::*;
use nagrel_decoder::*;

fn no_other(_: usize, _: DecodeError) -> bool {
    false
}

/// For a stream of whole messages: every prefix decodes to the messages it holds in full,
/// then a clean end if it stops on a boundary and `UnexpectedEof` at its end otherwise.
fn check_stream_prefixes<F, S>(make: F, msgs: &[Vec<u8>])
where
    F: FnMut() -> S + Clone,
    S: Step,
    S::Output: Debug,
{
    let data: Vec<u8> = msgs.concat();
    let mut bounds = vec![0];
    for m in msgs {
        bounds.push(bounds.last().unwrap() + m.len());
    }
    for i in 0..=data.len() {
        let (out, e) = one_shot(make.clone(), &data[..i]);
        let complete = bounds.iter().filter(|&&b| b > 0 && b <= i).count();
        assert_eq!(out.len(), complete, "prefix of {i} bytes: {out:?}");
        if bounds.contains(&i) {
            assert_eq!(e, None, "prefix of {i} bytes");
        } else {
            assert_eq!(e, Some(eof(i as u64)), "prefix of {i} bytes");
        }
    }
}

#[test]
fn blob_prefixes() {
    for payload in [&b"hello"[..], b"", b"x", b"twelve bytes", b"\n\n5\n"] {
        let mut msg = Vec::new();
        blob_enc(payload, &mut msg);
        let out = check_prefixes(blob, &msg, no_other);
        assert_eq!(&out[..], payload);
    }
}

#[test]
fn header_block_prefixes() {
    for crlf in [true, false] {
        let lines = vec![b"Host: a".to_vec(), b"X-Y: 1".to_vec(), b":".to_vec()];
        let mut msg = Vec::new();
        headers_enc(&lines, crlf, &mut msg);
        let out = check_prefixes(headers, &msg, no_other);
        assert_eq!(out, lines);
        let mut msg = Vec::new();
        headers_enc(&[], crlf, &mut msg);
        assert!(check_prefixes(headers, &msg, no_other).is_empty());
    }
}

#[test]
fn binary_record_prefixes() {
    for items in [&[][..], &[1, -1], &[i16::MIN, 0, i16::MAX, 7]] {
        let mut msg = Vec::new();
        record_enc(9, items, &mut msg);
        let out = check_prefixes(record, &msg, no_other);
        assert_eq!(out, (9, items.to_vec()));
    }
}

#[test]
fn netstring_prefixes() {
    for payload in [&b"hello"[..], b"", b"a,b:c", b"0123456789"] {
        let mut msg = Vec::new();
        netstring_enc(payload, &mut msg);
        let out = check_prefixes(netstring, &msg, no_other);
        assert_eq!(&out[..], payload);
    }
}

#[test]
fn varint_frame_prefixes() {
    for len in [0usize, 1, 127, 128, 300] {
        let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let mut msg = Vec::new();
        varint_frame_enc(&payload, &mut msg);
        let out = check_prefixes(varint_frame, &msg, no_other);
        assert_eq!(out, payload);
    }
}

#[test]
fn http_head_prefixes() {
    let msg = b"GET /a HTTP/1.1\r\nHost: x\r\nAccept: \r\n\r\n";
    let out = check_prefixes(http_head, msg, no_other);
    assert_eq!(&out[..], &msg[..msg.len() - 4]);
    let out = check_prefixes(http_head, b"\r\n\r\n", no_other);
    assert!(out.is_empty());
}

#[test]
fn hex_chunk_prefixes() {
    for payload in [&b"hello world"[..], b"", b"\r\n"] {
        let mut msg = Vec::new();
        hex_chunk_enc(payload, &mut msg);
        let out = check_prefixes(hex_chunk, &msg, no_other);
        assert_eq!(&out[..], payload);
    }
}

#[test]
fn peeked_branch_prefixes() {
    for m in [
        Mixed::Bin(0xDEAD_BEEF),
        Mixed::Text(Bytes::from_static(b"hi there")),
    ] {
        let mut msg = Vec::new();
        mixed_enc(&m, &mut msg);
        let out = check_prefixes(mixed, &msg, no_other);
        assert_eq!(out, m);
    }
}

#[test]
fn primitive_prefixes() {
    check_prefixes(read_line, b"abc\r\n", no_other);
    check_prefixes(|| read_line().crlf(), b"abc\r\n", no_other);
    check_prefixes(|| read_bytes(4), b"abcd", no_other);
    check_prefixes(|| read_until(b';'), b"abc;", no_other);
    check_prefixes(|| read_until_seq(b"--"), b"a-b--", no_other);
    check_prefixes(|| expect(b"HELLO"), b"HELLO", no_other);
    check_prefixes(|| skip(3), b"abc", no_other);
    check_prefixes(|| skip_through(b'\n'), b"abc\n", no_other);
    check_prefixes(|| ensure(3).ignore_then(read_bytes(3)), b"abc", no_other);
    check_prefixes(read_u64_le, &[1, 2, 3, 4, 5, 6, 7, 8], no_other);
    check_prefixes(read_f32_be, &[1, 2, 3, 4], no_other);
    check_prefixes(read_varint, &[0x80, 0x80, 0x80, 0x01], no_other);
    check_prefixes(
        || read_decimal().then_ignore(expect(b" ")),
        b"12345 ",
        no_other,
    );
    check_prefixes(|| read_hex().then_ignore(expect(b";")), b"fF0;", no_other);
    check_prefixes(
        || take_while(|b: u8| b.is_ascii_digit()).and(read_u8()),
        b"123x",
        no_other,
    );
}

#[test]
fn limited_prefixes() {
    // Inside a cap, a strict prefix is still incomplete and still ends in UnexpectedEof.
    check_prefixes(|| read_line().limit(6), b"abcd\r\n", no_other);
    check_prefixes(
        || read_u8().then(|n| read_bytes(n.into())).limit(4),
        &[3, 1, 2, 3],
        no_other,
    );
    check_prefixes(|| skip(5).limit(5), b"12345", no_other);
}

#[test]
fn stream_prefixes() {
    let mut msgs = Vec::new();
    for p in [&b"hello"[..], b"", b"ab\ncd"] {
        let mut m = Vec::new();
        blob_enc(p, &mut m);
        msgs.push(m);
    }
    check_stream_prefixes(blob, &msgs);

    let mut msgs = Vec::new();
    for items in [&[1i16][..], &[], &[-2, 3]] {
        let mut m = Vec::new();
        record_enc(1, items, &mut m);
        msgs.push(m);
    }
    check_stream_prefixes(record, &msgs);

    let msgs: Vec<Vec<u8>> = [
        Mixed::Text(Bytes::from_static(b"a")),
        Mixed::Bin(7),
        Mixed::Text(Bytes::new()),
    ]
    .iter()
    .map(|m| {
        let mut v = Vec::new();
        mixed_enc(m, &mut v);
        v
    })
    .collect();
    check_stream_prefixes(mixed, &msgs);

    let msgs = vec![b"h1\r\n\r\n".to_vec(), b"h2\r\nx\r\n\r\n".to_vec()];
    check_stream_prefixes(http_head, &msgs);
}
