//! Feeding a stream decoder in pieces, shared by the netstring-family tests.

use bytes::BytesMut;
use nagrel_protocols::decoder::{DecodeError, Driver, Step};

/// Decodes `input` with a fresh driver over `make`, fed in pieces ending at `cuts` (then
/// the rest): every message, then the error that stopped decoding, if any.
pub fn decode_in_pieces<S, F>(
    make: F,
    input: &[u8],
    cuts: &[usize],
) -> (Vec<S::Output>, Option<DecodeError>)
where
    S: Step,
    F: FnMut() -> S,
{
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut at = 0;
    for &cut in cuts.iter().chain([&input.len()]) {
        buf.extend_from_slice(&input[at..cut]);
        at = cut;
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

/// Decodes `input` one shot, at every two-way split and one byte at a time, asserts that
/// all agree, and returns the one-shot result.
pub fn decode_every_way<S, F>(make: F, input: &[u8]) -> (Vec<S::Output>, Option<DecodeError>)
where
    S: Step,
    S::Output: PartialEq + core::fmt::Debug,
    F: FnMut() -> S + Clone,
{
    let whole = decode_in_pieces(make.clone(), input, &[]);
    for split in 1..input.len() {
        let split_result = decode_in_pieces(make.clone(), input, &[split]);
        assert_eq!(
            split_result,
            whole,
            "split at {split} of {:?}",
            String::from_utf8_lossy(input)
        );
    }
    let cuts: Vec<usize> = (1..input.len()).collect();
    let bytewise = decode_in_pieces(make, input, &cuts);
    assert_eq!(
        bytewise,
        whole,
        "byte at a time: {:?}",
        String::from_utf8_lossy(input)
    );
    whole
}
