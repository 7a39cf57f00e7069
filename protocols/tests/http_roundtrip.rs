//! Encode, then decode at any split: random valid heads and chunked bodies come back equal.

use bytes::BytesMut;
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{
    encode_chunk, encode_last_chunk, encode_request_head, encode_response_head, request_head,
    response_head, BodyDecoder, BodyEvent, BodyLimits, Framing, HeadLimits, Version,
};
use proptest::prelude::*;

fn token() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        proptest::sample::select(b"abcxyzABCXYZ0189!#$%&'*+-.^_`|~".to_vec()),
        1..12,
    )
}

/// A field value as the decoder returns it: text, no leading or trailing whitespace.
fn value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![8 => 0x21u8..0x7F, 1 => Just(b' '), 1 => Just(b'\t'), 1 => 0x80u8..=0xFF],
        0..24,
    )
    .prop_map(|v| {
        let ws = |b: &u8| *b == b' ' || *b == b'\t';
        let start = v.iter().position(|b| !ws(b)).unwrap_or(v.len());
        let end = v.iter().rposition(|b| !ws(b)).map_or(start, |i| i + 1);
        v[start..end].to_vec()
    })
}

fn fields() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>)>> {
    proptest::collection::vec((token(), value()), 0..8).prop_map(|fields| {
        // Exactly one Host, as HTTP/1.1 requests need.
        let mut fields: Vec<_> = fields
            .into_iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(b"host"))
            .collect();
        fields.push((b"Host".to_vec(), b"example.com".to_vec()));
        fields
    })
}

/// Decodes with `driver`, feeding `input` split at `cut`.
fn decode_split<S: nagrel_protocols::decoder::Step>(
    make: impl FnMut() -> S,
    input: &[u8],
    cut: usize,
) -> S::Output {
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::from(&input[..cut.min(input.len())]);
    if let Some(out) = driver.decode(&mut buf).unwrap() {
        return out;
    }
    buf.extend_from_slice(&input[cut.min(input.len())..]);
    let out = driver.decode(&mut buf).unwrap().expect("complete");
    assert!(buf.is_empty());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn request_heads_round_trip(
        method in token(),
        target in proptest::collection::vec(0x21u8..0x7F, 1..40),
        http10 in any::<bool>(),
        fields in fields(),
        cut in any::<usize>(),
    ) {
        let version = if http10 { Version::Http10 } else { Version::Http11 };
        let mut wire = BytesMut::new();
        encode_request_head(&mut wire, &method, &target, version,
            fields.iter().map(|(n, v)| (&n[..], &v[..]))).unwrap();
        let head = decode_split(|| request_head(HeadLimits::default()), &wire, cut % (wire.len() + 1));
        prop_assert_eq!(head.method(), &method[..]);
        prop_assert_eq!(head.target(), &target[..]);
        prop_assert_eq!(head.version(), version);
        let back: Vec<_> = head.fields().iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
        prop_assert_eq!(back, fields);
    }

    #[test]
    fn response_heads_round_trip(
        status in 100u16..=999,
        reason in value(),
        fields in fields(),
        cut in any::<usize>(),
    ) {
        let mut wire = BytesMut::new();
        encode_response_head(&mut wire, Version::Http11, status, &reason,
            fields.iter().map(|(n, v)| (&n[..], &v[..]))).unwrap();
        let head = decode_split(|| response_head(HeadLimits::default()), &wire, cut % (wire.len() + 1));
        prop_assert_eq!(head.status(), status);
        prop_assert_eq!(head.reason(), &reason[..]);
        prop_assert_eq!(head.fields().len(), fields.len());
    }

    #[test]
    fn chunked_bodies_round_trip(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..6),
        trailer_values in proptest::collection::vec(value(), 0..3),
        piece in 1usize..64,
    ) {
        let trailers: Vec<(Vec<u8>, Vec<u8>)> = trailer_values.into_iter().enumerate()
            .map(|(i, v)| (format!("X-T{i}").into_bytes(), v)).collect();
        let mut wire = BytesMut::new();
        for chunk in &chunks {
            encode_chunk(&mut wire, chunk);
        }
        encode_last_chunk(&mut wire, trailers.iter().map(|(n, v)| (&n[..], &v[..]))).unwrap();
        wire.extend_from_slice(b"NEXT");
        let mut body = BodyDecoder::new(Framing::Chunked, BodyLimits::default(), 0);
        let mut buf = BytesMut::new();
        let mut data = Vec::new();
        let mut rest = wire.chunks(piece);
        let got = loop {
            match body.decode(&mut buf).unwrap() {
                Some(BodyEvent::Data(d)) => data.extend_from_slice(&d),
                Some(BodyEvent::End(t)) => break t,
                None => buf.extend_from_slice(rest.next().expect("body ends before input")),
            }
        };
        for more in rest {
            buf.extend_from_slice(more);
        }
        prop_assert_eq!(data, chunks.concat());
        let got: Vec<_> = got.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
        prop_assert_eq!(got, trailers);
        prop_assert_eq!(&buf[..], b"NEXT");
    }
}

#[test]
fn encoders_refuse_what_decoders_reject() {
    let mut out = BytesMut::new();
    let host = [(&b"Host"[..], &b"a"[..])];
    assert!(encode_request_head(&mut out, b"G T", b"/", Version::Http11, host).is_err());
    assert!(encode_request_head(&mut out, b"GET", b"/a b", Version::Http11, host).is_err());
    assert!(encode_request_head(&mut out, b"GET", b"", Version::Http11, host).is_err());
    let smuggle = [(&b"X"[..], &b"1\r\nTransfer-Encoding: chunked"[..])];
    assert!(encode_request_head(&mut out, b"GET", b"/", Version::Http11, smuggle).is_err());
    assert!(encode_request_head(
        &mut out,
        b"GET",
        b"/",
        Version::Http11,
        [(&b"A B"[..], &b""[..])]
    )
    .is_err());
    assert!(encode_response_head(&mut out, Version::Http11, 99, b"", []).is_err());
    assert!(encode_response_head(&mut out, Version::Http11, 200, b"O\nK", []).is_err());
    // Nothing half-written is left behind.
    assert!(out.is_empty());
}
