//! memcache replies on any input: nothing panics; whole, N-byte pieces and bytewise
//! feeding give the same replies, then the same rejection (kind and offset); and every
//! decoded reply re-encodes to bytes that decode to the same reply.
//!
//! The first input byte picks the piece size and strict CRLF; the limits are small so the
//! fuzzer reaches all of them.
//!
//! Run: `cargo fuzz run memcache_response` from the repository root (nightly toolchain).

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use nagrel_protocols::memcache::{
    encode_response, MemcacheError, Response, ResponseDecoder, ResponseLimits,
};

fn limits(control: u8) -> ResponseLimits {
    ResponseLimits {
        max_line: 96,
        max_value: 48,
        max_response: 256,
        strict_crlf: control & 0x80 != 0,
    }
}

fn run(
    data: &[u8],
    piece: usize,
    limits: ResponseLimits,
) -> (Vec<Response>, Option<MemcacheError>) {
    let mut decoder = ResponseDecoder::new(limits);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in data.chunks(piece.max(1)).chain([&[][..]]) {
        let eof = chunk.is_empty();
        buf.extend_from_slice(chunk);
        loop {
            let result = if eof {
                decoder.decode_eof(&mut buf)
            } else {
                decoder.decode(&mut buf)
            };
            match result {
                Ok(Some(reply)) => out.push(reply),
                Ok(None) => break,
                Err(e) => {
                    // Every reply rejection is fatal, and a failed decoder repeats it.
                    assert!(e.is_fatal() && e.reply().is_none());
                    assert_eq!(decoder.decode(&mut buf), Err(e));
                    return (out, Some(e));
                }
            }
        }
    }
    (out, None)
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, data)) = input.split_first() else {
        return;
    };
    let piece = usize::from(control & 0x7F) + 1;
    let limits = limits(control);
    let whole = run(data, data.len(), limits);
    assert_eq!(whole, run(data, piece, limits));
    assert_eq!(whole, run(data, 1, limits));
    for reply in &whole.0 {
        let mut wire = BytesMut::new();
        encode_response(&mut wire, reply).expect("a decoded reply re-encodes");
        let again = run(&wire, wire.len(), ResponseLimits::default());
        assert_eq!(again, (vec![reply.clone()], None), "{wire:?}");
    }
});
