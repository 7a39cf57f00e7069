//! The check both head fuzz targets run, generic over the head type: on any input nothing
//! panics; whole, N-byte pieces and bytewise feeding agree (every head, then the error);
//! and a decoded head re-encodes to bytes that decode to the same head.

use bytes::BytesMut;
use nagrel_protocols::decoder::encode::Encode;
use nagrel_protocols::decoder::{Driver, Step};
use nagrel_protocols::http::{HeadEncoder, HeadLimits, HttpError};

/// Head decoders small enough for the fuzzer to reach every limit.
pub fn limits(lenient: bool) -> HeadLimits {
    HeadLimits {
        max_head: 4096,
        max_fields: 16,
        allow_bare_lf: lenient,
        ..HeadLimits::default()
    }
}

fn run<S: Step>(
    make: impl Fn() -> S,
    data: &[u8],
    piece: usize,
) -> (Vec<S::Output>, Option<HttpError>) {
    let mut driver = Driver::new(make);
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

/// Runs the check on `input`: its first byte picks leniency and the piece size.
/// `same` says whether a re-decoded head matches the original (the raw bytes may differ).
pub fn check<S, H>(make: fn(HeadLimits) -> S, same: fn(&H, &H) -> bool, input: &[u8])
where
    S: Step<Output = H>,
    H: PartialEq + core::fmt::Debug,
    for<'a> HeadEncoder: Encode<&'a H>,
{
    let Some((&control, data)) = input.split_first() else {
        return;
    };
    let lenient = control & 0x80 != 0;
    let piece = usize::from(control & 0x7F) + 1;
    let whole = run(|| make(limits(lenient)), data, data.len());
    assert_eq!(whole, run(|| make(limits(lenient)), data, piece));
    assert_eq!(whole, run(|| make(limits(lenient)), data, 1));
    for head in &whole.0 {
        let mut wire = BytesMut::new();
        HeadEncoder
            .encode(head, &mut wire)
            .expect("a decoded head re-encodes");
        let (again, err) = run(|| make(limits(false)), &wire, wire.len());
        assert_eq!(err, None);
        assert_eq!(again.len(), 1);
        assert!(
            same(&again[0], head),
            "{:?} re-decoded as {:?}",
            head,
            again[0]
        );
    }
}
