//! Feeding a step-built decoder in pieces, for the targets that check split invariance.

use bytes::BytesMut;
use nagrel_protocols::decoder::{DecodeError, Driver, Step};

/// Every message `make`'s decoder yields from `data` fed `piece` bytes at a time, then
/// the error that stopped it, if any.
pub fn decode_in_pieces<S: Step>(
    make: impl FnMut() -> S,
    data: &[u8],
    piece: usize,
) -> (Vec<S::Output>, Option<DecodeError>) {
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in data.chunks(piece.max(1)) {
        buf.extend_from_slice(chunk);
        loop {
            match driver.decode(&mut buf) {
                Ok(Some(m)) => out.push(m),
                Ok(None) => break,
                Err(e) => return (out, Some(e)),
            }
        }
    }
    loop {
        match driver.decode_eof(&mut buf) {
            Ok(Some(m)) => out.push(m),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

/// Decodes `data` whole, in pieces of a size taken from its first byte, and byte by
/// byte; asserts all three agree and returns the whole result.
pub fn decode_every_way<S, F>(make: F, data: &[u8]) -> (Vec<S::Output>, Option<DecodeError>)
where
    S: Step,
    S::Output: PartialEq + core::fmt::Debug,
    F: FnMut() -> S + Clone,
{
    let whole = decode_in_pieces(make.clone(), data, data.len().max(1));
    let piece = usize::from(data.first().copied().unwrap_or(1) % 16) + 1;
    assert_eq!(
        decode_in_pieces(make.clone(), data, piece),
        whole,
        "pieces of {piece}"
    );
    assert_eq!(decode_in_pieces(make, data, 1), whole, "byte by byte");
    whole
}
