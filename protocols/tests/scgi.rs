//! SCGI requests: the spec's example, every rule with its offset, each stream decoded one
//! shot, at every split and byte by byte; encode-then-decode round trips.

mod support;

use bytes::{Bytes, BytesMut};
use nagrel_protocols::netstring::NetstringErrorKind;
use nagrel_protocols::scgi::{
    encode_scgi_request, scgi_request, ScgiError, ScgiErrorKind, ScgiErrorKind::*, ScgiLimits,
    ScgiRequest,
};
use proptest::prelude::*;
use support::decode_every_way;

fn limits() -> ScgiLimits {
    ScgiLimits {
        max_headers_len: 128,
        max_headers: 4,
        max_body: 16,
    }
}

fn decode(input: &[u8]) -> (Vec<ScgiRequest>, Option<(ScgiErrorKind, u64)>) {
    let (out, err) = decode_every_way(|| scgi_request(limits()), input);
    (out, err.map(|e| (ScgiError::from(e).kind(), e.offset())))
}

/// A header netstring around `block`, then `body`.
fn wire(block: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{}:", block.len()).into_bytes();
    out.extend_from_slice(block);
    out.push(b',');
    out.extend_from_slice(body);
    out
}

#[test]
fn the_specs_example() {
    // The example request of the SCGI specification, body included.
    let block = b"CONTENT_LENGTH\x0027\x00SCGI\x001\x00REQUEST_METHOD\x00POST\x00REQUEST_URI\x00/deepthought\x00";
    let input = wire(block, b"What is the answer to life?");
    assert!(input.starts_with(b"70:CONTENT_LENGTH"));
    let limits = ScgiLimits::default();
    let (out, err) = decode_every_way(|| scgi_request(limits), &input);
    assert_eq!(err, None);
    let request = &out[0];
    let names: Vec<&[u8]> = request.headers().iter().map(|(n, _)| &n[..]).collect();
    assert_eq!(
        names,
        [
            &b"CONTENT_LENGTH"[..],
            b"SCGI",
            b"REQUEST_METHOD",
            b"REQUEST_URI"
        ]
    );
    assert_eq!(
        &request.header(b"REQUEST_URI").unwrap()[..],
        b"/deepthought"
    );
    assert_eq!(&request.body()[..], b"What is the answer to life?");
}

#[test]
fn pipelined_requests_and_empty_bodies() {
    let mut input = wire(b"CONTENT_LENGTH\x000\x00SCGI\x001\x00", b"");
    input.extend(wire(
        b"CONTENT_LENGTH\x002\x00SCGI\x001\x00A\x00\x00",
        b"hi",
    ));
    let (out, err) = decode(&input);
    assert_eq!(err, None);
    assert_eq!(out.len(), 2);
    assert_eq!(&out[0].body()[..], b"");
    assert_eq!(
        &out[1].header(b"A").unwrap()[..],
        b"",
        "empty values are allowed"
    );
    assert_eq!(&out[1].body()[..], b"hi");
}

#[test]
fn rejections() {
    let ns = ScgiErrorKind::Netstring;
    // Offsets are absolute; header blocks here start at byte 3 ("NN:").
    let rows: Vec<(Vec<u8>, ScgiErrorKind, u64)> = vec![
        (
            wire(b"SCGI\x001\x00CONTENT_LENGTH\x000\x00", b""),
            ContentLengthNotFirst,
            3,
        ),
        (
            wire(b"CONTENT_LENGTH\x00x\x00SCGI\x001\x00", b""),
            BadContentLength,
            3 + 15,
        ),
        (
            wire(b"CONTENT_LENGTH\x00\x00SCGI\x001\x00", b""),
            BadContentLength,
            3 + 15,
        ),
        (
            wire(b"CONTENT_LENGTH\x00-1\x00SCGI\x001\x00", b""),
            BadContentLength,
            3 + 15,
        ),
        (wire(b"CONTENT_LENGTH\x000\x00", b""), BadScgiHeader, 3),
        (
            wire(b"CONTENT_LENGTH\x000\x00SCGI\x002\x00", b""),
            BadScgiHeader,
            3,
        ),
        (
            wire(b"CONTENT_LENGTH\x000\x00SCGI\x001\x00SCGI\x001\x00", b""),
            DuplicateHeader,
            3 + 24,
        ),
        (
            wire(b"CONTENT_LENGTH\x000\x00SCGI\x001\x00\x00v\x00", b""),
            EmptyName,
            3 + 24,
        ),
        (
            wire(b"CONTENT_LENGTH\x000\x00SCGI\x001", b""),
            BadHeaderBlock,
            3 + 23,
        ),
        (
            wire(b"CONTENT_LENGTH\x000\x00SCGI\x001\x00X", b""),
            BadHeaderBlock,
            3 + 25,
        ),
        (
            wire(
                b"CONTENT_LENGTH\x000\x00SCGI\x001\x00A\x00\x00B\x00\x00C\x00\x00",
                b"",
            ),
            TooManyHeaders,
            3 + 30,
        ),
        (
            wire(b"CONTENT_LENGTH\x0017\x00SCGI\x001\x00", b""),
            BodyTooLarge,
            3 + 15,
        ),
        (wire(b"", b""), ContentLengthNotFirst, 2),
        (b"129:".to_vec(), ns(NetstringErrorKind::TooLong), 2),
        (
            b"22:CONTENT_LENGTH\x000\x00SCGI\x001\x00;".to_vec(),
            ns(NetstringErrorKind::MissingComma),
            25,
        ),
        (
            wire(b"CONTENT_LENGTH\x003\x00SCGI\x001\x00", b"ab"),
            Incomplete,
            30,
        ),
        (b"24:CONTENT_LEN".to_vec(), Incomplete, 14),
    ];
    for (input, kind, offset) in rows {
        let (out, err) = decode(&input);
        assert!(out.is_empty(), "{:?}", String::from_utf8_lossy(&input));
        assert_eq!(
            err,
            Some((kind, offset)),
            "{:?}",
            String::from_utf8_lossy(&input)
        );
    }
}

#[test]
fn encoder_writes_the_derived_headers_itself() {
    let request = ScgiRequest::new(
        vec![
            (Bytes::from("SCGI"), Bytes::from("9")),
            (Bytes::from("CONTENT_LENGTH"), Bytes::from("999")),
            (Bytes::from("X"), Bytes::from("y")),
        ],
        Bytes::from("body"),
    );
    let mut out = BytesMut::new();
    encode_scgi_request(&request, &mut out).unwrap();
    assert_eq!(
        &out[..],
        &b"28:CONTENT_LENGTH\x004\x00SCGI\x001\x00X\x00y\x00,body"[..]
    );
}

#[test]
fn encoder_refuses_what_the_decoder_would() {
    let cases = [
        vec![(Bytes::new(), Bytes::from("v"))],
        vec![(Bytes::from("A"), Bytes::from("v\0"))],
        vec![
            (Bytes::from("A"), Bytes::new()),
            (Bytes::from("A"), Bytes::new()),
        ],
    ];
    for headers in cases {
        let mut out = BytesMut::new();
        assert!(encode_scgi_request(&ScgiRequest::new(headers, Bytes::new()), &mut out).is_err());
        assert!(out.is_empty());
    }
}

proptest! {
    #[test]
    fn round_trip(
        headers in proptest::collection::btree_map("[A-Z_]{1,8}", proptest::collection::vec(1u8..=255, 0..8), 0..4),
        body in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let headers: Vec<(Bytes, Bytes)> = headers
            .into_iter()
            .filter(|(n, _)| n != "SCGI" && n != "CONTENT_LENGTH")
            .map(|(n, v)| (Bytes::from(n), Bytes::from(v)))
            .collect();
        let request = ScgiRequest::new(headers.clone(), Bytes::from(body.clone()));
        let mut wire = BytesMut::new();
        encode_scgi_request(&request, &mut wire).unwrap();
        let (out, err) = decode_every_way(|| scgi_request(ScgiLimits::default()), &wire);
        prop_assert_eq!(err, None);
        let decoded = &out[0];
        prop_assert_eq!(&decoded.headers()[2..], &headers[..]);
        prop_assert_eq!(&decoded.body()[..], &body[..]);
    }

    #[test]
    fn any_input_decodes_the_same_every_way(input in proptest::collection::vec(prop_oneof![
        Just(b'0'), Just(b'2'), Just(b':'), Just(b','), Just(0u8), any::<u8>()
    ], 0..24)) {
        decode(&input);
    }
}
