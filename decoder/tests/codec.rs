//! The `codec` feature: a `Driver` is a tokio-util `Decoder` (FramedRead), and `Codec`
//! pairs it with an `Encode` for `Framed`.
#![cfg(feature = "codec")]

use std::error::Error as _;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use nagrel_decoder::encode::{put_crlf_line, put_decimal, Encode, EncodeError};
use nagrel_decoder::*;
use tokio::io::AsyncWriteExt;
use tokio_util::codec::{Decoder, Encoder, Framed, FramedRead};

fn blob() -> impl Step<Output = Bytes> {
    read_decimal()
        .then_ignore(expect(b"\n"))
        .then(|n| read_bytes(n).max_len(1 << 20))
}

/// The encoder matching [`blob`].
struct BlobEncoder;

impl Encode<Bytes> for BlobEncoder {
    fn encode(&mut self, item: Bytes, dst: &mut BytesMut) -> Result<(), EncodeError> {
        put_decimal(dst, item.len() as u64);
        dst.extend_from_slice(b"\n");
        dst.extend_from_slice(&item);
        Ok(())
    }
}

/// CRLF lines; refuses items holding a line break.
struct Lines;

impl Encode<&'static str> for Lines {
    fn encode(&mut self, line: &'static str, dst: &mut BytesMut) -> Result<(), EncodeError> {
        put_crlf_line(dst, line.as_bytes())
    }
}

/// Collects a stream of results until it ends, with a deadline so a bug fails instead of
/// hanging.
async fn collect<S, T>(stream: S) -> Vec<Result<T, CodecError>>
where
    S: futures_util::Stream<Item = Result<T, CodecError>>,
{
    tokio::time::timeout(Duration::from_secs(10), stream.collect::<Vec<_>>())
        .await
        .expect("stream did not end")
}

fn decode_error<T: std::fmt::Debug>(r: &Result<T, CodecError>) -> DecodeError {
    match r {
        Err(CodecError::Decode(e)) => *e,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn framed_read_decodes_several_messages() {
    let input: &[u8] = b"5\nhello3\nabc0\n11\nhello world";
    let got = collect(FramedRead::new(input, Driver::new(blob))).await;
    let got: Vec<Bytes> = got.into_iter().map(Result::unwrap).collect();
    assert_eq!(got, vec![&b"hello"[..], b"abc", b"", b"hello world"]);
}

#[tokio::test]
async fn framed_read_over_a_one_byte_pipe() {
    // A 1-byte duplex: every read hands the decoder a single byte.
    let (mut tx, rx) = tokio::io::duplex(1);
    let writer = tokio::spawn(async move {
        tx.write_all(b"5\nhello3\nabc0\n").await.unwrap();
        tx.shutdown().await.unwrap();
    });
    let got = collect(FramedRead::new(rx, Driver::new(blob))).await;
    writer.await.unwrap();
    let got: Vec<Bytes> = got.into_iter().map(Result::unwrap).collect();
    assert_eq!(got, vec![&b"hello"[..], b"abc", b""]);
}

#[tokio::test]
async fn eof_mid_message_is_a_decode_error() {
    let input: &[u8] = b"5\nhello3\nab";
    let got = collect(FramedRead::new(input, Driver::new(blob))).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(&got[0].as_ref().unwrap()[..], b"hello");
    let e = decode_error(&got[1]);
    assert_eq!(e.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(e.offset(), 11);
}

#[tokio::test]
async fn eof_mid_message_over_a_pipe() {
    let (mut tx, rx) = tokio::io::duplex(3);
    tokio::spawn(async move {
        tx.write_all(b"3\nabc10\nshort").await.unwrap();
        // Dropping the writer ends the stream.
    });
    let got = collect(FramedRead::new(rx, Driver::new(blob))).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(&got[0].as_ref().unwrap()[..], b"abc");
    let e = decode_error(&got[1]);
    assert_eq!((e.kind(), e.offset()), (ErrorKind::UnexpectedEof, 13));
}

#[tokio::test]
async fn a_framing_error_ends_the_stream() {
    let input: &[u8] = b"2\nok2;xx1\ny";
    let got = collect(FramedRead::new(input, Driver::new(blob))).await;
    assert_eq!(got.len(), 2, "{got:?}");
    let e = decode_error(&got[1]);
    assert_eq!(
        e.kind(),
        ErrorKind::Mismatch {
            expected: b'\n',
            found: b';'
        }
    );
    assert_eq!(e.offset(), 5);
}

#[tokio::test]
async fn framed_round_trip_through_codec() {
    let (a, b) = tokio::io::duplex(64);
    let mut client = Framed::new(a, Codec::new(Driver::new(blob), BlobEncoder));
    let mut server = Framed::new(b, Codec::new(Driver::new(blob), BlobEncoder));
    let big = Bytes::from((0..5000u32).map(|i| (i % 251) as u8).collect::<Vec<_>>());
    let items = vec![
        Bytes::from_static(b"hello"),
        Bytes::new(),
        Bytes::from_static(b"12\n34"),
        big,
    ];
    let sent = items.clone();
    let client_task = tokio::spawn(async move {
        for item in sent {
            client.send(item).await.unwrap();
        }
        // Read the echoes back, then hang up.
        let mut echoes = Vec::new();
        for _ in 0..4 {
            echoes.push(client.next().await.unwrap().unwrap());
        }
        echoes
    });
    let mut received = Vec::new();
    for _ in 0..items.len() {
        let item = tokio::time::timeout(Duration::from_secs(10), server.next())
            .await
            .expect("server got nothing")
            .unwrap()
            .unwrap();
        received.push(item.clone());
        server.send(item).await.unwrap();
    }
    assert_eq!(received, items);
    let echoes = tokio::time::timeout(Duration::from_secs(10), client_task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(echoes, items);
    // The client is gone: a clean end between messages.
    assert!(server.next().await.is_none());
}

#[tokio::test]
async fn encode_errors_surface_from_the_sink() {
    let (a, b) = tokio::io::duplex(64);
    let mut client = Framed::new(a, Codec::new(Driver::new(read_line), Lines));
    let mut server = Framed::new(b, Codec::new(Driver::new(read_line), Lines));
    client.send("fine").await.unwrap();
    match client.send("two\r\nlines").await {
        Err(CodecError::Encode(e)) => assert_eq!(e.reason(), "line contains CR or LF"),
        other => panic!("expected an encode error, got {other:?}"),
    }
    client.send("after").await.unwrap();
    drop(client);
    let got = collect(&mut server).await;
    let got: Vec<Bytes> = got.into_iter().map(Result::unwrap).collect();
    assert_eq!(got, vec![&b"fine"[..], b"after"]);
}

#[test]
fn codec_delegates_to_its_halves() {
    let mut codec = Codec::new(Driver::new(read_line), Lines);
    let mut buf = BytesMut::new();
    codec.encode("one", &mut buf).unwrap();
    codec.encode("two", &mut buf).unwrap();
    buf.extend_from_slice(b"thr");
    assert_eq!(&buf[..], b"one\r\ntwo\r\nthr");
    assert_eq!(&codec.decode(&mut buf).unwrap().unwrap()[..], b"one");
    assert_eq!(codec.decoder_mut().offset(), 5);
    assert_eq!(&codec.decode(&mut buf).unwrap().unwrap()[..], b"two");
    assert!(codec.decode(&mut buf).unwrap().is_none());
    let e = codec.decode_eof(&mut buf).unwrap_err();
    assert!(
        matches!(e, CodecError::Decode(d) if d == DecodeError::new(ErrorKind::UnexpectedEof, 13))
    );
    let mut out = BytesMut::new();
    codec.encoder_mut().encode("x", &mut out).unwrap();
    assert_eq!(&out[..], b"x\r\n");
}

#[test]
fn driver_is_a_decoder() {
    let mut driver = Driver::new(read_u16_be);
    let mut buf = BytesMut::from(&[0u8, 1, 0][..]);
    assert_eq!(Decoder::decode(&mut driver, &mut buf).unwrap(), Some(1));
    assert_eq!(Decoder::decode(&mut driver, &mut buf).unwrap(), None);
    match Decoder::decode_eof(&mut driver, &mut buf) {
        Err(CodecError::Decode(e)) => assert_eq!(e, DecodeError::new(ErrorKind::UnexpectedEof, 3)),
        other => panic!("{other:?}"),
    }
    // Fused through the trait as well.
    assert!(matches!(
        Decoder::decode(&mut driver, &mut buf),
        Err(CodecError::Decode(_))
    ));
}

#[test]
fn codec_error_conversions_display_and_source() {
    let d = DecodeError::new(ErrorKind::BadNumber, 9);
    let e = CodecError::from(d);
    assert_eq!(e.to_string(), d.to_string());
    assert!(e.source().is_some());
    let e = CodecError::from(EncodeError::new("nope"));
    assert_eq!(e.to_string(), "cannot encode: nope");
    assert!(e.source().is_some());
    let e = CodecError::from(std::io::Error::other("boom"));
    assert_eq!(e.to_string(), "boom");
    assert!(matches!(e, CodecError::Io(_)));
}
