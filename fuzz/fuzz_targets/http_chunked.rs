//! Chunked bodies on any input: nothing panics; whole, N-byte pieces and bytewise feeding
//! give the same data, trailers or error; and a decoded body re-encodes to bytes that
//! decode to the same data and trailers.
//!
//! Run: `cargo fuzz run http_chunked` from the repository root (nightly toolchain).

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use nagrel_protocols::http::{
    encode_chunk, encode_last_chunk, BodyDecoder, BodyEvent, BodyLimits, Framing, HttpError,
};

type Trailers = Vec<(Vec<u8>, Vec<u8>)>;

fn limits() -> BodyLimits {
    BodyLimits {
        max_body: 1 << 16,
        max_chunk_extensions: 64,
        max_trailers: 256,
        max_trailer_fields: 8,
        gather_chunks_up_to: 16,
    }
}

fn run(data: &[u8], piece: usize) -> (Vec<u8>, Result<Trailers, HttpError>) {
    run_with(data, piece, limits())
}

fn run_with(
    data: &[u8],
    piece: usize,
    limits: BodyLimits,
) -> (Vec<u8>, Result<Trailers, HttpError>) {
    let mut body = BodyDecoder::new(Framing::Chunked, limits, 0);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in data.chunks(piece.max(1)).chain([&[][..]]) {
        buf.extend_from_slice(chunk);
        loop {
            let event = if chunk.is_empty() {
                body.decode_eof(&mut buf)
            } else {
                body.decode(&mut buf)
            };
            match event {
                Ok(Some(BodyEvent::Data(d))) => {
                    assert!(!d.is_empty());
                    out.extend_from_slice(&d);
                }
                Ok(Some(BodyEvent::End(t))) => {
                    return (
                        out,
                        Ok(t.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect()),
                    );
                }
                Ok(None) => break,
                Err(e) => return (out, Err(e)),
            }
        }
    }
    unreachable!("decode_eof ends or fails")
}

/// Like [`run`], through `decode_with`, which lends the data out instead.
fn run_borrowed(data: &[u8], piece: usize) -> (Vec<u8>, Result<Trailers, HttpError>) {
    let mut body = BodyDecoder::new(Framing::Chunked, limits(), 0);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in data.chunks(piece.max(1)).chain([&[][..]]) {
        buf.extend_from_slice(chunk);
        let on_data = |d: &[u8]| {
            assert!(!d.is_empty());
            out.extend_from_slice(d);
        };
        let result = if chunk.is_empty() {
            body.decode_eof_with(&mut buf, on_data)
        } else {
            body.decode_with(&mut buf, on_data)
        };
        match result {
            Ok(Some(t)) => {
                return (
                    out,
                    Ok(t.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect()),
                )
            }
            Ok(None) => {}
            Err(e) => return (out, Err(e)),
        }
    }
    unreachable!("decode_eof_with ends or fails")
}

fuzz_target!(|input: &[u8]| {
    let Some((&piece, data)) = input.split_first() else {
        return;
    };
    let whole = run(data, data.len());
    assert_eq!(whole, run(data, usize::from(piece)));
    assert_eq!(whole, run(data, 1));
    assert_eq!(whole, run_borrowed(data, data.len()));
    assert_eq!(whole, run_borrowed(data, usize::from(piece)));
    if let (body, Ok(trailers)) = &whole {
        let mut wire = BytesMut::new();
        encode_chunk(&mut wire, body);
        encode_last_chunk(&mut wire, trailers.iter().map(|(n, v)| (&n[..], &v[..]))).unwrap();
        // The encoder writes `name: value`, which can be longer than what was received
        // (`name:value`), so the re-encoded trailers get room for that.
        let roomy = BodyLimits {
            max_trailers: 4 * limits().max_trailers,
            ..limits()
        };
        assert_eq!(run_with(&wire, wire.len(), roomy), whole);
    }
});
