//! The driving loop shared by every decoder, ours and the peers'.

use std::hint::black_box;

use bytes::BytesMut;

/// Piece size meaning "feed the whole input in one piece".
pub const WHOLE: usize = usize::MAX;

/// What a run decoded: how many messages and how many payload bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Messages decoded.
    pub items: usize,
    /// Payload bytes in those messages (framing excluded).
    pub bytes: usize,
}

/// Feeds `input` to a decoder `piece` bytes at a time, as a connection would: append the
/// piece to the receive buffer, then call `decode` until it returns `None`.
///
/// Every message is measured with `size`, counted, and passed through
/// [`black_box`] before it is dropped, so neither side's work can be optimised away.
/// `decode` panics on a decoding error: the workloads are valid by construction.
#[inline]
pub fn drive<T>(
    input: &[u8],
    piece: usize,
    mut decode: impl FnMut(&mut BytesMut) -> Option<T>,
    mut size: impl FnMut(&T) -> usize,
) -> Tally {
    let mut buf = BytesMut::new();
    let mut tally = Tally::default();
    for chunk in input.chunks(piece) {
        buf.extend_from_slice(chunk);
        while let Some(item) = decode(&mut buf) {
            tally.items += 1;
            tally.bytes += size(&item);
            black_box(item);
        }
    }
    assert!(buf.is_empty(), "input left undecoded: {} bytes", buf.len());
    tally
}

/// Feeds `input` like [`drive`] and keeps every message, to compare two decoders'
/// outputs exactly before they are timed.
pub fn collect<T>(
    input: &[u8],
    piece: usize,
    mut decode: impl FnMut(&mut BytesMut) -> Option<T>,
) -> Vec<T> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in input.chunks(piece) {
        buf.extend_from_slice(chunk);
        while let Some(item) = decode(&mut buf) {
            out.push(item);
        }
    }
    assert!(buf.is_empty(), "input left undecoded: {} bytes", buf.len());
    out
}
