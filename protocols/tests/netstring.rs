//! Netstrings: a table of streams, each decoded one shot, at every split and byte by byte,
//! and encode-then-decode round trips.

mod support;

use bytes::{Bytes, BytesMut};
use nagrel_protocols::netstring::{
    encode_netstring, netstring, NetstringError, NetstringErrorKind, NetstringErrorKind::*,
    NetstringLimits,
};
use proptest::prelude::*;
use support::decode_every_way;

fn decode(input: &[u8], max_len: usize) -> (Vec<Bytes>, Option<(NetstringErrorKind, u64)>) {
    let (out, err) = decode_every_way(|| netstring(NetstringLimits { max_len }), input);
    let err = err.map(|e| {
        let e = NetstringError::from(e);
        (e.kind(), e.offset())
    });
    (out, err)
}

#[test]
fn table() {
    type Row = (
        &'static [u8],
        &'static [&'static [u8]],
        Option<(NetstringErrorKind, u64)>,
    );
    let rows: &[Row] = &[
        (b"5:hello,", &[b"hello"], None),
        (b"0:,", &[b""], None),
        (b"3:a,b,1:,,", &[b"a,b", b","], None),
        (b"2:\r\n,2:\0\xff,", &[b"\r\n", b"\0\xff"], None),
        (b"", &[], None),
        // Exactly at the limit, then one over: refused at the digit that passes it.
        (b"10:0123456789,", &[b"0123456789"], None),
        (b"11:01234567890,", &[], Some((TooLong, 1))),
        (b"99999999999999999999999:", &[], Some((TooLong, 1))),
        (b"01:a,", &[], Some((LeadingZero, 1))),
        (b"00:,", &[], Some((LeadingZero, 1))),
        (b":a,", &[], Some((BadLength, 0))),
        (b"a:,", &[], Some((BadLength, 0))),
        (b"-1:a,", &[], Some((BadLength, 0))),
        (b" 1:a,", &[], Some((BadLength, 0))),
        (b"1 :a,", &[], Some((MissingColon, 1))),
        (b"1;a,", &[], Some((MissingColon, 1))),
        (b"3:abc;", &[], Some((MissingComma, 5))),
        (b"3:abcd,", &[], Some((MissingComma, 5))),
        (b"1:a,1:bc", &[b"a"], Some((MissingComma, 7))),
        // Truncated anywhere: the end of input is reported where it happened.
        (b"3", &[], Some((Incomplete, 1))),
        (b"3:", &[], Some((Incomplete, 2))),
        (b"3:ab", &[], Some((Incomplete, 4))),
        (b"3:abc", &[], Some((Incomplete, 5))),
        (b"1:a,2", &[b"a"], Some((Incomplete, 5))),
    ];
    for &(input, messages, error) in rows {
        let (out, err) = decode(input, 10);
        let out: Vec<&[u8]> = out.iter().map(|b| &b[..]).collect();
        assert_eq!(out, messages, "{:?}", String::from_utf8_lossy(input));
        assert_eq!(err, error, "{:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn default_limit_is_one_mebibyte() {
    assert_eq!(NetstringLimits::default().max_len, 1 << 20);
    let (_, err) = decode_every_way(|| netstring(NetstringLimits::default()), b"1048577:");
    assert_eq!(NetstringError::from(err.unwrap()).kind(), TooLong);
}

proptest! {
    #[test]
    fn round_trip(items in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..6)) {
        let mut wire = BytesMut::new();
        for item in &items {
            encode_netstring(item, &mut wire);
        }
        let (out, err) = decode(&wire, 64);
        prop_assert_eq!(err, None);
        let out: Vec<Vec<u8>> = out.iter().map(|b| b.to_vec()).collect();
        prop_assert_eq!(out, items);
    }

    #[test]
    fn any_input_decodes_the_same_every_way(input in proptest::collection::vec(prop_oneof![
        Just(b'0'), Just(b'1'), Just(b'3'), Just(b':'), Just(b','), any::<u8>()
    ], 0..24)) {
        decode(&input, 8);
    }
}
