//! Request heads on any input: nothing panics; whole, N-byte pieces and bytewise feeding
//! agree (every head, then the error); and a decoded head re-encodes to bytes that decode to
//! the same head.
//!
//! Run: `cargo fuzz run http_request_head` from the repository root (nightly toolchain).

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use nagrel_protocols::decoder::encode::Encode;
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{request_head, HeadEncoder, HeadLimits, HttpError, RequestHead};

fn limits(lenient: bool) -> HeadLimits {
    HeadLimits {
        max_head: 4096,
        max_fields: 16,
        allow_bare_lf: lenient,
        ..HeadLimits::default()
    }
}

fn run(data: &[u8], piece: usize, lenient: bool) -> (Vec<RequestHead>, Option<HttpError>) {
    let mut driver = Driver::new(|| request_head(limits(lenient)));
    let mut buf = BytesMut::new();
    let mut heads = Vec::new();
    for chunk in data.chunks(piece.max(1)).chain([&[][..]]) {
        buf.extend_from_slice(chunk);
        loop {
            let result = if chunk.is_empty() {
                driver.decode_eof(&mut buf)
            } else {
                driver.decode(&mut buf)
            };
            match result {
                Ok(Some(head)) => heads.push(head),
                Ok(None) => break,
                Err(e) => return (heads, Some(HttpError::from(e))),
            }
        }
    }
    (heads, None)
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, data)) = input.split_first() else {
        return;
    };
    let lenient = control & 0x80 != 0;
    let piece = usize::from(control & 0x7F) + 1;
    let whole = run(data, data.len(), lenient);
    assert_eq!(whole, run(data, piece, lenient));
    assert_eq!(whole, run(data, 1, lenient));
    for head in &whole.0 {
        let mut wire = BytesMut::new();
        HeadEncoder
            .encode(head, &mut wire)
            .expect("a decoded head re-encodes");
        let (again, err) = run(&wire, wire.len(), false);
        assert_eq!(err, None);
        assert_eq!(again.len(), 1);
        assert_eq!(
            (again[0].method(), again[0].target(), again[0].version()),
            (head.method(), head.target(), head.version())
        );
        assert!(again[0].fields().iter().eq(head.fields().iter()));
    }
});
