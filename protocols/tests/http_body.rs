//! Streaming bodies: Content-Length, chunked and close-delimited, each input decoded one
//! shot, at every two-way split and one byte at a time, which must agree; and the chunked
//! smuggling classes from `http-rules.md`, each rejected at the right offset.

use bytes::BytesMut;
use nagrel_protocols::http::{
    BodyDecoder, BodyEvent, BodyLimits, Fields, Framing, HttpError, HttpErrorKind,
};

/// Trailer fields as owned `(name, value)` pairs.
type Trailers = Vec<(Vec<u8>, Vec<u8>)>;

/// What decoding a body produced: its data, its trailers or error, and what was left.
#[derive(Debug, PartialEq)]
struct Outcome {
    data: Vec<u8>,
    end: Result<Trailers, (HttpErrorKind, u64)>,
    rest: Vec<u8>,
}

/// What one call to the decoder did.
enum Progress {
    /// Data was handed over (appended to the output).
    Data,
    /// The body ended with these trailers.
    End(Fields),
    /// More bytes are needed.
    More,
}

/// One call through `decode` (owned pieces, `lent: false`) or `decode_with` (data lent
/// out of the buffer).
fn step(
    body: &mut BodyDecoder,
    buf: &mut BytesMut,
    eof: bool,
    lent: bool,
    data: &mut Vec<u8>,
) -> Result<Progress, HttpError> {
    if lent {
        let on_data = |d: &[u8]| {
            assert!(!d.is_empty(), "empty data slice");
            data.extend_from_slice(d);
        };
        let end = if eof {
            body.decode_eof_with(buf, on_data)?
        } else {
            body.decode_with(buf, on_data)?
        };
        return Ok(end.map_or(Progress::More, Progress::End));
    }
    let event = if eof {
        body.decode_eof(buf)?
    } else {
        body.decode(buf)?
    };
    Ok(match event {
        Some(BodyEvent::Data(piece)) => {
            assert!(!piece.is_empty(), "empty data piece");
            data.extend_from_slice(&piece);
            Progress::Data
        }
        Some(BodyEvent::End(trailers)) => Progress::End(trailers),
        None => Progress::More,
    })
}

/// Decodes `input` fed in pieces ending at `cuts`, through `decode` or (`lent`)
/// `decode_with`.
fn run_via(
    lent: bool,
    framing: Framing,
    limits: BodyLimits,
    input: &[u8],
    cuts: &[usize],
) -> Outcome {
    let mut body = BodyDecoder::new(framing, limits, 0);
    let mut buf = BytesMut::new();
    let mut data = Vec::new();
    let mut at = 0;
    let mut eof = false;
    let cuts: Vec<usize> = cuts.iter().copied().chain([input.len()]).collect();
    let mut next_cut = cuts.iter();
    loop {
        match step(&mut body, &mut buf, eof, lent, &mut data) {
            Ok(Progress::Data) => {}
            Ok(Progress::End(trailers)) => {
                let trailers = trailers
                    .iter()
                    .map(|(n, v)| (n.to_vec(), v.to_vec()))
                    .collect();
                buf.extend_from_slice(&input[at..]);
                return Outcome {
                    data,
                    end: Ok(trailers),
                    rest: buf.to_vec(),
                };
            }
            Ok(Progress::More) => match next_cut.next() {
                Some(&cut) => {
                    buf.extend_from_slice(&input[at..cut]);
                    at = cut;
                }
                None => eof = true,
            },
            Err(e) => {
                return Outcome {
                    data,
                    end: Err((e.kind(), e.offset())),
                    rest: vec![],
                }
            }
        }
    }
}

fn run(framing: Framing, limits: BodyLimits, input: &[u8], cuts: &[usize]) -> Outcome {
    run_via(false, framing, limits, input, cuts)
}

fn run_borrowed(framing: Framing, limits: BodyLimits, input: &[u8], cuts: &[usize]) -> Outcome {
    run_via(true, framing, limits, input, cuts)
}

/// Decodes `input` whole, at every two-way split and byte by byte, through both APIs,
/// and checks every way gives the same outcome.
fn all_ways(framing: Framing, limits: BodyLimits, input: &[u8]) -> Outcome {
    let whole = run(framing, limits, input, &[]);
    let bytewise: Vec<usize> = (1..input.len()).collect();
    for decode in [run, run_borrowed] {
        assert_eq!(decode(framing, limits, input, &[]), whole, "whole");
        for i in 1..input.len() {
            assert_eq!(decode(framing, limits, input, &[i]), whole, "split at {i}");
        }
        assert_eq!(decode(framing, limits, input, &bytewise), whole, "bytewise");
    }
    whole
}

fn chunked(input: &[u8]) -> Outcome {
    all_ways(Framing::Chunked, BodyLimits::default(), input)
}

fn chunked_rejects(input: &[u8], kind: HttpErrorKind, offset: u64) {
    let out = chunked(input);
    assert_eq!(
        out.end,
        Err((kind, offset)),
        "{:?}",
        String::from_utf8_lossy(input)
    );
}

#[test]
fn content_length_bodies() {
    let out = all_ways(Framing::Length(5), BodyLimits::default(), b"helloGET");
    assert_eq!(
        (out.data, out.end, out.rest),
        (b"hello".to_vec(), Ok(vec![]), b"GET".to_vec())
    );
    let out = all_ways(Framing::Empty, BodyLimits::default(), b"GET");
    assert_eq!((out.data, out.rest), (vec![], b"GET".to_vec()));
    let out = all_ways(Framing::Length(5), BodyLimits::default(), b"hel");
    assert_eq!(out.end, Err((HttpErrorKind::IncompleteBody, 3)));
}

#[test]
fn close_delimited_bodies_end_at_eof() {
    let out = all_ways(Framing::UntilClose, BodyLimits::default(), b"all of it");
    assert_eq!((out.data, out.end), (b"all of it".to_vec(), Ok(vec![])));
}

#[test]
fn body_limit_is_413() {
    let limits = BodyLimits {
        max_body: 4,
        ..BodyLimits::default()
    };
    let out = all_ways(Framing::Length(5), limits, b"hello");
    assert_eq!(out.end, Err((HttpErrorKind::BodyTooLarge, 0)));
    assert_eq!(HttpErrorKind::BodyTooLarge.status(), 413);
    let out = all_ways(
        Framing::Chunked,
        limits,
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        // A chunk whose declared size would pass the limit is refused where its data starts,
        // before any of it is read.
    );
    assert_eq!(out.end, Err((HttpErrorKind::BodyTooLarge, 11)));
    // A close-delimited body is delivered up to the limit, then refused at the first byte
    // past it, however the input arrives.
    let out = all_ways(Framing::UntilClose, limits, b"hello");
    assert_eq!(
        (out.data, out.end),
        (b"hell".to_vec(), Err((HttpErrorKind::BodyTooLarge, 4)))
    );
}

#[test]
fn valid_chunked_bodies() {
    let out = chunked(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT");
    assert_eq!(
        (out.data, out.end, out.rest),
        (b"hello world".to_vec(), Ok(vec![]), b"NEXT".to_vec())
    );
    // Hex in either case, leading zeros, 16 digits.
    let out = chunked(b"A\r\n0123456789\r\n00000000000000a\r\n0123456789\r\n0\r\n\r\n");
    assert_eq!(out.data.len(), 20);
    // Extensions are ignored, with or without values, and may follow whitespace.
    let out = chunked(b"3;name=value;flag\r\nabc\r\n2 ;x=\"q s\"\r\nde\r\n0;last\r\n\r\n");
    assert_eq!((out.data, out.end), (b"abcde".to_vec(), Ok(vec![])));
    // Trailers.
    let out = chunked(b"1\r\nx\r\n0\r\nX-Checksum: abc\r\nX-More:  1 \r\n\r\n");
    assert_eq!(
        out.end,
        Ok(vec![
            (b"X-Checksum".to_vec(), b"abc".to_vec()),
            (b"X-More".to_vec(), b"1".to_vec())
        ])
    );
    // An empty body.
    assert_eq!(chunked(b"0\r\n\r\n").end, Ok(vec![]));
}

#[test]
fn chunk_size_smuggling_is_rejected() {
    use HttpErrorKind::*;
    chunked_rejects(b"0x5\r\nhello\r\n0\r\n\r\n", BadChunkSize, 1);
    chunked_rejects(b"+5\r\nhello\r\n0\r\n\r\n", BadChunkSize, 0);
    chunked_rejects(b"-5\r\nhello\r\n0\r\n\r\n", BadChunkSize, 0);
    chunked_rejects(b"5_0\r\nhello\r\n0\r\n\r\n", BadChunkSize, 1);
    chunked_rejects(b"\r\nhello\r\n0\r\n\r\n", BadChunkSize, 0);
    chunked_rejects(b" 5\r\nhello\r\n0\r\n\r\n", BadChunkSize, 0);
    chunked_rejects(b"5 \r\nhello\r\n0\r\n\r\n", BadChunkSize, 2);
    // 17 hex digits, even as leading zeros.
    chunked_rejects(b"00000000000000005\r\nhello\r\n0\r\n\r\n", BadChunkSize, 16);
    chunked_rejects(b"fffffffffffffffff\r\n", BadChunkSize, 16);
    // Size lines ended by bare LF or bare CR.
    chunked_rejects(b"5\nhello\r\n0\r\n\r\n", BadChunkSize, 1);
    chunked_rejects(b"5\rhello\r\n0\r\n\r\n", BadChunkSize, 2);
    chunked_rejects(b"5;ext\nhello\r\n0\r\n\r\n", BadChunkExtension, 5);
}

#[test]
fn chunk_data_must_end_in_crlf() {
    use HttpErrorKind::*;
    chunked_rejects(b"5\r\nhelloX\r\n0\r\n\r\n", MissingChunkCrlf, 8);
    chunked_rejects(b"5\r\nhello\n0\r\n\r\n", MissingChunkCrlf, 8);
    chunked_rejects(b"5\r\nhello\r0\r\n\r\n", MissingChunkCrlf, 9);
    chunked_rejects(b"3\r\nhello\r\n0\r\n\r\n", MissingChunkCrlf, 6);
    // The last chunk's line and the trailer section need CRLF too.
    chunked_rejects(b"0\r\n\n", BareLf, 3);
    chunked_rejects(b"0\r\nX: 1\n\r\n", BareLf, 7);
}

#[test]
fn extensions_are_bounded_and_clean() {
    let limits = BodyLimits {
        max_chunk_extensions: 8,
        ..BodyLimits::default()
    };
    let ok = all_ways(Framing::Chunked, limits, b"1;abcdefg\r\nx\r\n0\r\n\r\n");
    assert_eq!(ok.data, b"x".to_vec());
    let out = all_ways(Framing::Chunked, limits, b"1;abcdefghi\r\nx\r\n0\r\n\r\n");
    assert_eq!(out.end, Err((HttpErrorKind::ChunkExtensionTooLong, 10)));
    // The default bound is 16 KiB: a 20 KiB extension is refused without waiting for its end.
    let mut long = b"1;".to_vec();
    long.extend(std::iter::repeat_n(b'a', 20 * 1024));
    let out = run(Framing::Chunked, BodyLimits::default(), &long, &[]);
    assert_eq!(
        out.end,
        Err((HttpErrorKind::ChunkExtensionTooLong, 2 + 16 * 1024))
    );
    chunked_rejects(
        b"1;a\x00b\r\nx\r\n0\r\n\r\n",
        HttpErrorKind::BadChunkExtension,
        3,
    );
}

#[test]
fn trailers_may_not_carry_framing_fields() {
    use HttpErrorKind::*;
    for name in [
        "Content-Length",
        "transfer-encoding",
        "Host",
        "Trailer",
        "Content-Type",
    ] {
        let input = format!("1\r\nx\r\n0\r\nX: 1\r\n{name}: 5\r\n\r\n");
        chunked_rejects(input.as_bytes(), ForbiddenTrailer, 15);
    }
    chunked_rejects(b"0\r\nX : 1\r\n\r\n", WhitespaceBeforeColon, 4);
    chunked_rejects(b"0\r\n folded\r\n\r\n", ObsoleteFold, 3);
    let limits = BodyLimits {
        max_trailers: 16,
        max_trailer_fields: 10,
        ..BodyLimits::default()
    };
    let out = all_ways(
        Framing::Chunked,
        limits,
        b"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
    );
    assert_eq!(out.end, Err((TrailersTooLarge, 16 + 3)));
    let limits = BodyLimits {
        max_trailers: 64,
        max_trailer_fields: 2,
        ..BodyLimits::default()
    };
    let out = all_ways(
        Framing::Chunked,
        limits,
        b"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
    );
    assert_eq!(out.end, Err((TrailersTooLarge, 15)));
    assert_eq!(TrailersTooLarge.status(), 431);
}

#[test]
fn a_body_cut_off_by_eof_is_incomplete() {
    let input = b"5\r\nhello\r\n0\r\nX: 1\r\n\r\n";
    for n in 0..input.len() {
        let out = run(Framing::Chunked, BodyLimits::default(), &input[..n], &[]);
        assert_eq!(
            out.end,
            Err((HttpErrorKind::IncompleteBody, n as u64)),
            "prefix {n}"
        );
    }
}

/// The pieces a chunked body comes out in when it is buffered whole.
fn pieces(limits: BodyLimits, input: &[u8]) -> Vec<Vec<u8>> {
    let mut body = BodyDecoder::new(Framing::Chunked, limits, 0);
    let mut buf = BytesMut::from(input);
    let mut out = Vec::new();
    while let Some(BodyEvent::Data(piece)) = body.decode(&mut buf).unwrap() {
        out.push(piece.to_vec());
    }
    assert!(body.is_done());
    out
}

#[test]
fn buffered_small_chunks_come_out_as_one_piece() {
    let wire = b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    assert_eq!(pieces(BodyLimits::default(), wire), vec![b"abcde".to_vec()]);
    let off = BodyLimits {
        gather_chunks_up_to: 0,
        ..BodyLimits::default()
    };
    assert_eq!(pieces(off, wire), vec![b"abc".to_vec(), b"de".to_vec()]);
    // A chunk over the threshold is its own zero-copy piece, between gathered runs.
    let three = BodyLimits {
        gather_chunks_up_to: 3,
        ..BodyLimits::default()
    };
    let wire = b"1\r\na\r\n1\r\nb\r\n4\r\nwxyz\r\n2\r\ncd\r\n0\r\n\r\n";
    assert_eq!(
        pieces(three, wire),
        vec![b"ab".to_vec(), b"wxyz".to_vec(), b"cd".to_vec()]
    );
    // A gathered piece stops at 64 KiB.
    let mut wire = Vec::new();
    for _ in 0..2000 {
        wire.extend_from_slice(b"40\r\n");
        wire.extend_from_slice(&[b'x'; 64]);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    let out = pieces(BodyLimits::default(), &wire);
    assert_eq!(
        out.iter().map(Vec::len).collect::<Vec<_>>(),
        [65536, 2000 * 64 - 65536]
    );
    // The body limit still holds for gathered chunks, at the same offset as unbuffered.
    let small = BodyLimits {
        max_body: 4,
        ..BodyLimits::default()
    };
    let out = all_ways(
        Framing::Chunked,
        small,
        b"2\r\nab\r\n2\r\ncd\r\n1\r\ne\r\n0\r\n\r\n",
    );
    assert_eq!(out.data, b"abcd");
    assert_eq!(out.end, Err((HttpErrorKind::BodyTooLarge, 17)));
}
