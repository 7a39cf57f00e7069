//! Totality: arbitrary bytes, cut anywhere, never make a primitive or a composite panic;
//! the driver just returns messages and at most one (fused) error. Steps driven by hand,
//! even resumed after they finished or failed, report errors instead of panicking.

mod common;

use std::ops::ControlFlow;

use bytes::BytesMut;
use common::composites::*;
use common::*;
use nagrel_decoder::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

fn any_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

/// Bytes that matter to the steps under test: delimiters, digits, varint bits.
fn edgy(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let alphabet: &'static [u8] = b"\r\n0:,;9aF-\x00\x01\x7f\x80\xff";
    vec(select(alphabet), 0..max)
}

fn cuts() -> impl Strategy<Value = Vec<usize>> {
    vec(0usize..100, 0..8)
}

/// Runs each decoder over `data` cut at `cuts`; `run` itself checks fusing and progress.
macro_rules! feed_all {
    ($data:expr, $cuts:expr; $($make:expr),* $(,)?) => {$(
        let _ = chunked($make, $data, $cuts);
        let _ = bytewise($make, $data);
    )*};
}

/// Resumes `step` by hand over `data` cut at `cuts`, several times per arrival, carrying
/// on after it finished or failed, then a few times at EOF. Only a panic fails.
fn hammer<S: Step>(mut step: S, data: &[u8], cuts: &[usize], offset: u64) {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    cuts.sort_unstable();
    cuts.push(data.len());
    let mut buf = BytesMut::new();
    let mut at = 0;
    let mut pos = offset;
    for c in cuts {
        buf.extend_from_slice(&data[at..c]);
        at = c;
        for _ in 0..3 {
            let mut input = Input::new(&mut buf, pos, false);
            let _ = step.resume(&mut input);
            pos = input.offset();
        }
    }
    for _ in 0..3 {
        let mut input = Input::new(&mut buf, pos, true);
        let _ = step.resume(&mut input);
        pos = input.offset();
    }
    assert_eq!(pos - offset, (data.len() - buf.len()) as u64);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn primitives_never_panic(data in prop_oneof![any_bytes(64), edgy(64)], c in cuts()) {
        let d = &data[..];
        feed_all!(d, &c;
            read_line,
            || read_line().crlf().max_len(4),
            || read_bytes(3),
            || read_u8().then(|n| read_bytes(n.into())),
            || read_u8().then(|n| ensure(n.into()).max_len(40)).ignore_then(read_u8()),
            || read_u8().then(|n| peek(n.into(), |b: &[u8]| b.len())),
            || read_u8().then(|n| skip(n.into())),
            || expect(b"\r\n"),
            read_to_end,
            || read_to_end().max_len(5),
            read_u8, read_i8, read_u16_be, read_u16_le, read_i16_be, read_i16_le,
            read_u32_be, read_u32_le, read_i32_be, read_i32_le,
            read_u64_be, read_u64_le, read_i64_be, read_i64_le,
            read_f32_be, read_f32_le, read_f64_be, read_f64_le,
            read_varint,
            read_decimal,
            || read_decimal().max_digits(2),
            read_hex,
            || read_until(b','),
            || read_until(b',').max_len(2).keep_delimiter(),
            || read_until_seq(b"\r\n\r\n").max_len(6),
            || read_until_seq(b"").max_len(6),
            || take_while(|b: u8| b.is_ascii_digit()),
            || take_until(|b: u8| b == b';').max_len(3),
            || skip_through(b'\n').max_len(7),
        );
    }

    #[test]
    fn combinators_never_panic(data in prop_oneof![any_bytes(64), edgy(64)], c in cuts()) {
        let d = &data[..];
        feed_all!(d, &c;
            || read_u8().and(read_u16_le()).limit(2),
            || read_line().and(read_to_end()).limit(5),
            || read_u8().then(|n| repeat(n as usize % 5, read_u16_be).max_iterations(3)),
            || read_line().try_map(|l| if l.is_empty() { Err(ErrorKind::Invalid("empty")) } else { Ok(l) }),
            || read_u8().then(|t| if t % 2 == 0 {
                Either::Left(read_u8().map(u32::from))
            } else {
                Either::Right(fail(ErrorKind::Invalid("odd")))
            }),
            || read_u8().then(|t| if t > 128 { read_u32_le().boxed() } else { done(0).boxed() }),
            || fold(0u8, |n| read_bytes((usize::from(*n % 4)) as u64), |n, b| {
                if b.is_empty() { ControlFlow::Break(n) } else { ControlFlow::Continue(n.wrapping_add(b[0])) }
            }).max_iterations(6),
            || read_varint().limit(3).then_ignore(expect(b";")),
            || peek(2, |b: &[u8]| b[0] ^ b[1]).ignore_then(read_line().limit(4).limit(6)),
        );
    }

    #[test]
    fn composites_never_panic(data in prop_oneof![any_bytes(96), edgy(96)], c in cuts()) {
        let d = &data[..];
        feed_all!(d, &c;
            blob, headers, record, netstring, varint_frame, http_head, hex_chunk, mixed, capped,
        );
    }

    #[test]
    fn extreme_settings_never_panic(data in prop_oneof![any_bytes(48), edgy(48)], c in cuts()) {
        let d = &data[..];
        feed_all!(d, &c;
            || read_line().max_len(usize::MAX),
            || read_until(b',').max_len(usize::MAX),
            || read_until_seq(b"\r\n").max_len(usize::MAX),
            || take_while(|b: u8| b != 0).max_len(usize::MAX),
            || read_to_end().max_len(usize::MAX),
            || skip_through(b'\n').max_len(usize::MAX),
            || skip_through(b'\n').max_len(0),
            || read_decimal().max_digits(usize::MAX),
            || read_hex().max_digits(usize::MAX),
            || read_decimal().max_digits(0),
            || skip(u64::MAX),
            || read_bytes((usize::MAX) as u64),
            || ensure(usize::MAX),
            || read_line().limit(usize::MAX),
            || read_line().limit(0),
            || read_u8().limit(usize::MAX).limit(0).limit(usize::MAX),
            || repeat(usize::MAX, read_u8),
            || repeat(3, read_u8).max_iterations(0),
            || fold((), |_| read_u8(), |(), b| if b == 0 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }).max_iterations(usize::MAX),
            || fold((), |_| read_u8(), |(), _| ControlFlow::<(), ()>::Continue(())).max_iterations(0),
        );
    }

    #[test]
    fn steps_resumed_by_hand_never_panic(
        data in prop_oneof![any_bytes(48), edgy(48)],
        c in cuts(),
        offset in 0u64..(1 << 62),
    ) {
        let d = &data[..];
        hammer(read_line().max_len(3), d, &c, offset);
        hammer(read_line().crlf(), d, &c, offset);
        hammer(read_bytes(2), d, &c, offset);
        hammer(ensure(2), d, &c, offset);
        hammer(peek(2, |b: &[u8]| b.to_vec()), d, &c, offset);
        hammer(skip(5), d, &c, offset);
        hammer(expect(b"\r\n"), d, &c, offset);
        hammer(read_to_end().max_len(4), d, &c, offset);
        hammer(read_u32_le(), d, &c, offset);
        hammer(read_varint(), d, &c, offset);
        hammer(read_decimal().max_digits(3), d, &c, offset);
        hammer(read_hex(), d, &c, offset);
        hammer(read_until(b',').max_len(3), d, &c, offset);
        hammer(read_until_seq(b"\r\n\r\n").max_len(5), d, &c, offset);
        hammer(take_while(|b: u8| b.is_ascii_digit()).max_len(3), d, &c, offset);
        hammer(skip_through(b'\n').max_len(4), d, &c, offset);
        hammer(read_u8().then(|n| read_bytes(n.into())), d, &c, offset);
        hammer(read_line().and(read_u8()).limit(4), d, &c, offset);
        hammer(read_u8().try_map(|b| if b == 0 { Err(ErrorKind::BadNumber) } else { Ok(b) }), d, &c, offset);
        hammer(done(1).map(|x| x + 1), d, &c, offset);
        hammer(fail::<u8>(ErrorKind::Invalid("no")), d, &c, offset);
        hammer(repeat(2, read_u8), d, &c, offset);
        hammer(fold(0u32, |_| read_u8(), |n, b| if b == 0 { ControlFlow::Break(n) } else { ControlFlow::Continue(n + 1) }), d, &c, offset);
        hammer(expect(b"x").ignore_then(read_u8()).then_ignore(expect(b"y")), d, &c, offset);
        hammer(blob(), d, &c, offset);
        hammer(headers(), d, &c, offset);
        hammer(record(), d, &c, offset);
        hammer(netstring(), d, &c, offset);
        hammer(mixed(), d, &c, offset);
        hammer(capped(), d, &c, offset);
    }
}
