//! memcache commands on any input: nothing panics; whole, N-byte pieces and bytewise
//! feeding give the same commands and rejections (kind and offset), recovering after each
//! recoverable one; and every decoded command re-encodes to bytes that decode to the same
//! command.
//!
//! The first input byte picks the piece size and the leniency (strict CRLF, unknown
//! commands passed through); the limits are small so the fuzzer reaches all of them.
//!
//! Run: `cargo fuzz run memcache_request` from the repository root (nightly toolchain).

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use nagrel_protocols::memcache::{
    encode_request, MemcacheErrorKind, Request, RequestDecoder, RequestLimits,
};

#[derive(Debug, PartialEq)]
enum Event {
    Request(Request),
    Rejected(MemcacheErrorKind, u64),
}

fn limits(control: u8) -> RequestLimits {
    RequestLimits {
        max_key: 16,
        max_line: 64,
        max_retrieval_line: 200,
        max_item: 48,
        strict_crlf: control & 0x80 != 0,
        pass_unknown: control & 0x40 != 0,
    }
}

fn run(data: &[u8], piece: usize, limits: RequestLimits) -> Vec<Event> {
    let mut decoder = RequestDecoder::new(limits);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in data.chunks(piece.max(1)).chain([&[][..]]) {
        let eof = chunk.is_empty();
        buf.extend_from_slice(chunk);
        loop {
            let before = decoder.offset();
            let result = if eof {
                decoder.decode_eof(&mut buf)
            } else {
                decoder.decode(&mut buf)
            };
            match result {
                Ok(Some(request)) => {
                    assert!(decoder.offset() > before, "a command made of no bytes");
                    out.push(Event::Request(request));
                }
                Ok(None) => break,
                Err(e) => {
                    assert_eq!(e.is_fatal(), e.kind().is_fatal());
                    assert!(
                        e.offset() <= data.len() as u64
                            || e.kind() == MemcacheErrorKind::LineTooLong
                    );
                    out.push(Event::Rejected(e.kind(), e.offset()));
                    if e.is_fatal() {
                        // A failed decoder repeats itself and reads nothing more.
                        assert_eq!(decoder.decode(&mut buf), Err(e));
                        return out;
                    }
                }
            }
        }
        // Nothing is held back beyond what the limits allow.
        assert!(buf.len() <= data.len());
    }
    out
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, data)) = input.split_first() else {
        return;
    };
    let piece = usize::from(control & 0x3F) + 1;
    let limits = limits(control);
    let whole = run(data, data.len(), limits);
    assert_eq!(whole, run(data, piece, limits));
    assert_eq!(whole, run(data, 1, limits));
    for event in &whole {
        let Event::Request(request) = event else {
            continue;
        };
        let mut wire = BytesMut::new();
        encode_request(&mut wire, request).expect("a decoded command re-encodes");
        let again = run(
            &wire,
            wire.len(),
            RequestLimits {
                pass_unknown: limits.pass_unknown,
                ..RequestLimits::default()
            },
        );
        assert_eq!(again, [Event::Request(request.clone())], "{wire:?}");
    }
});
