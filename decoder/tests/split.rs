//! Split invariance, property-tested: for every primitive and for composite decoders, on
//! random valid streams and on random (mostly invalid) streams, one-shot feeding, every
//! two-way split, byte-at-a-time feeding and a random chunking all give the same messages
//! and the same final error (kind and offset). Valid streams are also checked against a
//! model of what they encode.

mod common;

use bytes::Bytes;
use common::composites::*;
use common::*;
use nagrel_decoder::encode::{put_decimal, put_hex};
use nagrel_decoder::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// Random bytes drawn from a small alphabet, so delimiters and edge bytes are common.
fn from(alphabet: &'static [u8], max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(select(alphabet), 0..max)
}

/// Arbitrary bytes.
fn any_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

/// Cut points for a multi-way chunking.
fn cuts() -> impl Strategy<Value = Vec<usize>> {
    vec(0usize..200, 0..8)
}

/// A valid stream with one byte replaced: errors deep inside otherwise valid input.
fn corrupt(mut data: Vec<u8>, at: usize, byte: u8) -> Vec<u8> {
    if !data.is_empty() {
        let i = at % data.len();
        data[i] = byte;
    }
    data
}

fn text(max: usize) -> impl Strategy<Value = Vec<u8>> {
    from(b"ab :-", max)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    // ------------------------------------------------------------ read_line

    #[test]
    fn read_line_valid(lines in vec((text(12), any::<bool>()), 0..6), c in cuts()) {
        let mut data = Vec::new();
        for (line, crlf) in &lines {
            data.extend_from_slice(line);
            data.extend_from_slice(if *crlf { b"\r\n" } else { b"\n" });
        }
        let (out, e) = check_splits_and_chunks(read_line, &data, &c);
        let expected: Vec<Bytes> = lines.iter().map(|(l, _)| Bytes::from(l.clone())).collect();
        prop_assert_eq!(out, expected);
        prop_assert_eq!(e, None);
        let (out, e) = check_splits(|| read_line().crlf(), &data);
        let good = lines.iter().take_while(|(_, crlf)| *crlf).count();
        prop_assert_eq!(out.len(), good);
        prop_assert_eq!(e.is_some(), good < lines.len());
    }

    #[test]
    fn read_line_random(data in from(b"ab\r\n", 40), c in cuts()) {
        check_splits_and_chunks(read_line, &data, &c);
        check_splits_and_chunks(|| read_line().max_len(3), &data, &c);
        check_splits_and_chunks(|| read_line().max_len(0), &data, &c);
        check_splits_and_chunks(|| read_line().crlf().max_len(5), &data, &c);
    }

    // ------------------------------------------------------------ counted steps

    #[test]
    fn read_bytes_against_model(data in any_bytes(40), n in 1usize..6, c in cuts()) {
        let (out, e) = check_splits_and_chunks(|| read_bytes(n as u64), &data, &c);
        let expected: Vec<Bytes> =
            data.chunks_exact(n).map(Bytes::copy_from_slice).collect();
        prop_assert_eq!(out, expected);
        let rem = data.len() % n;
        prop_assert_eq!(e, (rem != 0).then(|| eof(data.len() as u64)));
    }

    #[test]
    fn counted_steps_random(data in any_bytes(40), c in cuts()) {
        check_splits_and_chunks(|| ensure(3).ignore_then(read_bytes(2)), &data, &c);
        check_splits_and_chunks(|| peek(2, |b: &[u8]| b.to_vec()).and(read_u8()), &data, &c);
        check_splits_and_chunks(|| skip(2).ignore_then(read_u8()), &data, &c);
        check_splits_and_chunks(
            || read_u8().then(|n| read_bytes(u64::from(n % 8)).max_len(5)),
            &data,
            &c,
        );
        check_splits_and_chunks(
            || read_u8().then(|n| ensure(n as usize % 8).max_len(5)).ignore_then(read_u8()),
            &data,
            &c,
        );
    }

    #[test]
    fn expect_random(data in from(b"abc", 30), c in cuts()) {
        check_splits_and_chunks(|| expect(b"aab").ignore_then(read_u8()), &data, &c);
        check_splits_and_chunks(|| expect(b"a").and(expect(b"b")), &data, &c);
    }

    #[test]
    fn read_to_end_against_model(data in any_bytes(24), c in cuts()) {
        let (out, e) = check_splits_and_chunks(|| read_to_end().max_len(16), &data, &c);
        if data.len() > 16 {
            prop_assert!(out.is_empty());
            prop_assert_eq!(e, Some(limit("read_to_end", 16, 16)));
        } else {
            let expected: Vec<Bytes> =
                (!data.is_empty()).then(|| Bytes::from(data.clone())).into_iter().collect();
            prop_assert_eq!(out, expected);
            prop_assert_eq!(e, None);
        }
    }

    // ------------------------------------------------------------ numbers

    #[test]
    fn fixed_width_against_model(data in any_bytes(40)) {
        macro_rules! check {
            ($($step:expr, $size:expr, $conv:expr;)*) => {$(
                let (out, e) = check_splits($step, &data);
                let expected: Vec<_> = data.chunks_exact($size).map(|c| $conv(c.try_into().unwrap())).collect();
                prop_assert_eq!(out, expected);
                let whole = data.len() / $size * $size;
                prop_assert_eq!(e, (whole != data.len()).then(|| eof(data.len() as u64)));
            )*};
        }
        check! {
            read_u8, 1, u8::from_be_bytes;
            read_i8, 1, i8::from_be_bytes;
            read_u16_be, 2, u16::from_be_bytes;
            read_u16_le, 2, u16::from_le_bytes;
            read_i16_be, 2, i16::from_be_bytes;
            read_i16_le, 2, i16::from_le_bytes;
            read_u32_be, 4, u32::from_be_bytes;
            read_u32_le, 4, u32::from_le_bytes;
            read_i32_be, 4, i32::from_be_bytes;
            read_i32_le, 4, i32::from_le_bytes;
            read_u64_be, 8, u64::from_be_bytes;
            read_u64_le, 8, u64::from_le_bytes;
            read_i64_be, 8, i64::from_be_bytes;
            read_i64_le, 8, i64::from_le_bytes;
            || read_f32_be().map(f32::to_bits), 4, u32::from_be_bytes;
            || read_f32_le().map(f32::to_bits), 4, u32::from_le_bytes;
            || read_f64_be().map(f64::to_bits), 8, u64::from_be_bytes;
            || read_f64_le().map(f64::to_bits), 8, u64::from_le_bytes;
        }
    }

    #[test]
    fn varint_valid(values in vec(prop_oneof![any::<u64>(), 0u64..300], 0..8), c in cuts()) {
        let mut data = Vec::new();
        for &v in &values {
            varint_enc(v, &mut data);
        }
        let (out, e) = check_splits_and_chunks(read_varint, &data, &c);
        prop_assert_eq!(out, values);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn varint_random(data in from(&[0x00, 0x01, 0x02, 0x7F, 0x80, 0x81, 0xFF], 40), c in cuts()) {
        check_splits_and_chunks(read_varint, &data, &c);
    }

    #[test]
    fn decimal_and_hex_valid(values in vec(any::<u64>(), 0..6), c in cuts()) {
        let mut dec = bytes::BytesMut::new();
        let mut hex = bytes::BytesMut::new();
        for &v in &values {
            put_decimal(&mut dec, v);
            dec.extend_from_slice(b",");
            put_hex(&mut hex, v);
            hex.extend_from_slice(b",");
        }
        let (out, e) = check_splits_and_chunks(|| read_decimal().then_ignore(expect(b",")), &dec, &c);
        prop_assert_eq!(&out, &values);
        prop_assert_eq!(e, None);
        let (out, e) = check_splits_and_chunks(|| read_hex().then_ignore(expect(b",")), &hex, &c);
        prop_assert_eq!(&out, &values);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn decimal_and_hex_random(data in from(b"0129aF,x", 40), c in cuts()) {
        check_splits_and_chunks(read_decimal, &data, &c);
        check_splits_and_chunks(|| read_decimal().max_digits(3).then_ignore(expect(b",")), &data, &c);
        check_splits_and_chunks(read_hex, &data, &c);
        check_splits_and_chunks(|| read_hex().max_digits(2).then_ignore(expect(b",")), &data, &c);
    }

    #[test]
    fn decimal_overflow_region(digits in from(b"0123456789", 24)) {
        check_splits(read_decimal, &digits);
        check_splits(|| read_decimal().max_digits(30), &digits);
    }

    // ------------------------------------------------------------ scanning steps

    #[test]
    fn read_until_valid(fields in vec(text(6), 0..6), c in cuts()) {
        let mut data = Vec::new();
        for f in &fields {
            data.extend_from_slice(f);
            data.push(b',');
        }
        let (out, e) = check_splits_and_chunks(|| read_until(b','), &data, &c);
        let expected: Vec<Bytes> = fields.iter().map(|f| Bytes::from(f.clone())).collect();
        prop_assert_eq!(out, expected);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn read_until_random(data in from(b"ab,", 40), c in cuts()) {
        check_splits_and_chunks(|| read_until(b',').max_len(3), &data, &c);
        check_splits_and_chunks(|| read_until(b',').max_len(0).keep_delimiter(), &data, &c);
    }

    #[test]
    fn read_until_seq_random(data in from(b"a\r\n", 48), ab in from(b"ab", 40), c in cuts()) {
        check_splits_and_chunks(|| read_until_seq(b"\r\n\r\n").max_len(8), &data, &c);
        check_splits_and_chunks(|| read_until_seq(b"\r\n").keep_delimiter().max_len(3), &data, &c);
        check_splits_and_chunks(|| read_until_seq(b"aab").max_len(5), &ab, &c);
        check_splits_and_chunks(|| read_until_seq(b"abab"), &ab, &c);
    }

    #[test]
    fn take_while_random(data in from(b"ab", 40), c in cuts()) {
        check_splits_and_chunks(|| take_while(|b: u8| b == b'a').max_len(4).and(read_u8()), &data, &c);
        check_splits_and_chunks(|| take_until(|b: u8| b == b'b').max_len(3), &data, &c);
        check_splits_and_chunks(|| take_while(|b: u8| b == b'a'), &data, &c);
    }

    #[test]
    fn skip_through_random(data in from(b"ab\n", 40), c in cuts()) {
        check_splits_and_chunks(|| skip_through(b'\n').max_len(4).ignore_then(read_u8()), &data, &c);
        check_splits_and_chunks(|| skip_through(b'\n').ignore_then(read_line().max_len(2)), &data, &c);
    }

    // ------------------------------------------------------------ composites

    #[test]
    fn blob_valid(payloads in vec(any_bytes(20), 0..6), c in cuts()) {
        let mut data = Vec::new();
        for p in &payloads {
            blob_enc(p, &mut data);
        }
        let (out, e) = check_splits_and_chunks(blob, &data, &c);
        let expected: Vec<Bytes> = payloads.iter().map(|p| Bytes::from(p.clone())).collect();
        prop_assert_eq!(out, expected);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn blob_random(data in from(b"0123\nab", 48), c in cuts()) {
        check_splits_and_chunks(blob, &data, &c);
    }

    #[test]
    fn header_block_valid(
        blocks in vec((vec(text(10), 0..5), any::<bool>()), 0..4),
        c in cuts(),
    ) {
        let mut data = Vec::new();
        let mut expected = Vec::new();
        for (lines, crlf) in &blocks {
            // Header lines are never empty: an empty line ends the block.
            let lines: Vec<Vec<u8>> = lines.iter().filter(|l| !l.is_empty()).cloned().collect();
            headers_enc(&lines, *crlf, &mut data);
            expected.push(lines.into_iter().map(Bytes::from).collect::<Vec<_>>());
        }
        let (out, e) = check_splits_and_chunks(headers, &data, &c);
        prop_assert_eq!(out, expected);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn header_block_random(data in from(b"a:\r\n", 60), c in cuts()) {
        check_splits_and_chunks(headers, &data, &c);
    }

    #[test]
    fn binary_record_valid(
        records in vec((any::<u8>(), vec(any::<i16>(), 0..5)), 0..5),
        c in cuts(),
    ) {
        let mut data = Vec::new();
        for (tag, items) in &records {
            record_enc(*tag, items, &mut data);
        }
        let (out, e) = check_splits_and_chunks(record, &data, &c);
        prop_assert_eq!(out, records);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn binary_record_random(data in from(&[0, 1, 2, 3, 0xFF], 48), c in cuts()) {
        check_splits_and_chunks(record, &data, &c);
    }

    #[test]
    fn netstring_valid(payloads in vec(from(b"ab:,0", 12), 0..6), c in cuts()) {
        let mut data = Vec::new();
        for p in &payloads {
            netstring_enc(p, &mut data);
        }
        let (out, e) = check_splits_and_chunks(netstring, &data, &c);
        let expected: Vec<Bytes> = payloads.iter().map(|p| Bytes::from(p.clone())).collect();
        prop_assert_eq!(out, expected);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn netstring_random(data in from(b"0123:,ab", 48), c in cuts()) {
        check_splits_and_chunks(netstring, &data, &c);
    }

    #[test]
    fn varint_frame_valid(payloads in vec(any_bytes(150), 0..3), c in cuts()) {
        let mut data = Vec::new();
        for p in &payloads {
            varint_frame_enc(p, &mut data);
        }
        let (out, e) = check_splits_and_chunks(varint_frame, &data, &c);
        let expected: Vec<Bytes> = payloads.iter().map(|p| Bytes::from(p.clone())).collect();
        prop_assert_eq!(out, expected);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn varint_frame_random(data in any_bytes(48), c in cuts()) {
        check_splits_and_chunks(varint_frame, &data, &c);
    }

    #[test]
    fn http_head_valid(heads in vec(vec(text(10), 1..4), 0..4), c in cuts()) {
        let mut data = Vec::new();
        let mut expected = Vec::new();
        for lines in &heads {
            // Non-empty lines without CR or LF: the head cannot hold the delimiter.
            let lines: Vec<&Vec<u8>> = lines.iter().filter(|l| !l.is_empty()).collect();
            let head: Vec<u8> = lines
                .iter()
                .map(|l| l.as_slice())
                .collect::<Vec<_>>()
                .join(&b"\r\n"[..]);
            data.extend_from_slice(&head);
            data.extend_from_slice(b"\r\n\r\n");
            expected.push(Bytes::from(head));
        }
        let (out, e) = check_splits_and_chunks(http_head, &data, &c);
        prop_assert_eq!(out, expected);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn http_head_random(data in from(b"a\r\n", 80), c in cuts()) {
        check_splits_and_chunks(http_head, &data, &c);
    }

    #[test]
    fn hex_chunk_valid(payloads in vec(any_bytes(40), 0..4), c in cuts()) {
        let mut data = Vec::new();
        for p in &payloads {
            hex_chunk_enc(p, &mut data);
        }
        let (out, e) = check_splits_and_chunks(hex_chunk, &data, &c);
        let expected: Vec<Bytes> = payloads.iter().map(|p| Bytes::from(p.clone())).collect();
        prop_assert_eq!(out, expected);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn mixed_valid(items in vec(prop_oneof![
        any::<u32>().prop_map(Mixed::Bin),
        text(16).prop_map(|t| Mixed::Text(Bytes::from(t))),
    ], 0..6), c in cuts()) {
        let mut data = Vec::new();
        for m in &items {
            mixed_enc(m, &mut data);
        }
        let (out, e) = check_splits_and_chunks(mixed, &data, &c);
        prop_assert_eq!(out, items);
        prop_assert_eq!(e, None);
    }

    #[test]
    fn mixed_and_capped_random(data in from(&[0xFF, b'a', b'\r', b'\n', 0], 48), c in cuts()) {
        check_splits_and_chunks(mixed, &data, &c);
        check_splits_and_chunks(capped, &data, &c);
    }

    #[test]
    fn corrupted_valid_streams(
        payloads in vec(any_bytes(12), 1..5),
        at in any::<usize>(),
        byte in any::<u8>(),
        c in cuts(),
    ) {
        let mut blobs = Vec::new();
        let mut nets = Vec::new();
        let mut frames = Vec::new();
        let mut chunks = Vec::new();
        for p in &payloads {
            blob_enc(p, &mut blobs);
            netstring_enc(p, &mut nets);
            varint_frame_enc(p, &mut frames);
            hex_chunk_enc(p, &mut chunks);
        }
        check_splits_and_chunks(blob, &corrupt(blobs, at, byte), &c);
        check_splits_and_chunks(netstring, &corrupt(nets, at, byte), &c);
        check_splits_and_chunks(varint_frame, &corrupt(frames, at, byte), &c);
        check_splits_and_chunks(hex_chunk, &corrupt(chunks, at, byte), &c);
    }
}
