//! The encoding helpers: exact output at the edges, rejection of line breaks, and
//! round trips through the matching decoders.

mod common;

use bytes::BytesMut;
use common::*;
use nagrel_decoder::encode::{put_crlf_line, put_decimal, put_hex, Encode, EncodeError};
use nagrel_decoder::*;
use proptest::prelude::*;

fn decimal(n: u64) -> Vec<u8> {
    let mut out = BytesMut::new();
    put_decimal(&mut out, n);
    out.to_vec()
}

fn hex(n: u64) -> Vec<u8> {
    let mut out = BytesMut::new();
    put_hex(&mut out, n);
    out.to_vec()
}

#[test]
fn put_decimal_edges() {
    assert_eq!(decimal(0), b"0");
    assert_eq!(decimal(9), b"9");
    assert_eq!(decimal(10), b"10");
    assert_eq!(decimal(1024), b"1024");
    assert_eq!(decimal(u64::MAX), b"18446744073709551615");
}

#[test]
fn put_hex_edges() {
    assert_eq!(hex(0), b"0");
    assert_eq!(hex(0xF), b"f");
    assert_eq!(hex(0x10), b"10");
    assert_eq!(hex(0x1AF), b"1af");
    assert_eq!(hex(u64::MAX), b"ffffffffffffffff");
}

#[test]
fn helpers_append() {
    let mut out = BytesMut::from(&b">"[..]);
    put_decimal(&mut out, 42);
    put_hex(&mut out, 255);
    put_crlf_line(&mut out, b"!").unwrap();
    assert_eq!(&out[..], b">42ff!\r\n");
}

#[test]
fn put_crlf_line_accepts_plain_lines() {
    let mut out = BytesMut::new();
    put_crlf_line(&mut out, b"STORED").unwrap();
    put_crlf_line(&mut out, b"").unwrap();
    assert_eq!(&out[..], b"STORED\r\n\r\n");
}

#[test]
fn put_crlf_line_rejects_line_breaks_and_writes_nothing() {
    for bad in [&b"a\r\nb"[..], b"\n", b"\r", b"tail\n", b"\rhead", b"a\rb"] {
        let mut out = BytesMut::from(&b"kept"[..]);
        let e = put_crlf_line(&mut out, bad).unwrap_err();
        assert_eq!(e, EncodeError::new("line contains CR or LF"));
        assert_eq!(e.reason(), "line contains CR or LF");
        assert_eq!(e.to_string(), "cannot encode: line contains CR or LF");
        assert_eq!(&out[..], b"kept", "{bad:?}");
    }
}

/// A user-written encoder, as the trait's docs show.
struct Blob;

impl Encode<&[u8]> for Blob {
    fn encode(&mut self, item: &[u8], dst: &mut BytesMut) -> Result<(), EncodeError> {
        put_decimal(dst, item.len() as u64);
        dst.extend_from_slice(b"\n");
        dst.extend_from_slice(item);
        Ok(())
    }
}

#[test]
fn encode_then_decode_round_trips() {
    let items: [&[u8]; 4] = [b"hello", b"", b"\n\n", b"12345678901"];
    let mut wire = BytesMut::new();
    for item in items {
        Blob.encode(item, &mut wire).unwrap();
    }
    let (out, e) = check_splits(common::composites::blob, &wire);
    assert_eq!(out, bs(&items));
    assert_eq!(e, None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn put_decimal_matches_format_and_read_decimal(n in any::<u64>()) {
        let d = decimal(n);
        prop_assert_eq!(d.clone(), n.to_string().into_bytes());
        let (out, e) = one_shot(read_decimal, &d);
        prop_assert_eq!(out, vec![n]);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn put_hex_matches_format_and_read_hex(n in any::<u64>()) {
        let h = hex(n);
        prop_assert_eq!(h.clone(), format!("{n:x}").into_bytes());
        let (out, e) = one_shot(read_hex, &h);
        prop_assert_eq!(out, vec![n]);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn put_crlf_line_round_trips_or_refuses(line in proptest::collection::vec(
        proptest::sample::select(&b"ab \r\n"[..]), 0..20)
    ) {
        let mut out = BytesMut::new();
        let res = put_crlf_line(&mut out, &line);
        let has_break = line.iter().any(|&b| b == b'\r' || b == b'\n');
        prop_assert_eq!(res.is_err(), has_break);
        if has_break {
            prop_assert!(out.is_empty());
        } else {
            let (got, e) = one_shot(|| read_line().crlf(), &out);
            prop_assert_eq!(got, bs(&[&line[..]]));
            prop_assert_eq!(e, None);
        }
    }
}
