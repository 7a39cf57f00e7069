//! Fuzzes a composite decoder (a tagged record stream mixing lines, length-prefixed blobs,
//! varint frames, header blocks and netstrings) and checks two invariants on any input:
//! nothing panics, and the results do not depend on how the input is split, both when the
//! first error ends decoding and when the driver recovers after each error.
//!
//! Run: `cargo fuzz run composite` from the repository root (nightly toolchain).

#![no_main]

use core::ops::ControlFlow;

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use nagrel_decoder::{
    expect, fail, fold, read_bytes, read_decimal, read_line, read_u16_be, read_u8, read_until,
    read_until_seq, read_varint, repeat, skip_through, DecodeError, Driver, Either, ErrorKind,
    Step, StepExt,
};

#[derive(Debug, PartialEq)]
enum Record {
    Line(Bytes),
    Blob(Bytes),
    Frame(Bytes),
    Headers(Vec<Bytes>),
    Netstring(Bytes),
    Pairs(Vec<(u8, u16)>),
    Head(Bytes),
}

fn record() -> impl Step<Output = Record> {
    read_u8()
        .then(|tag| match tag % 8 {
            0 => Either::Left(Either::Left(Either::Left(
                read_line().max_len(64).map(Record::Line),
            ))),
            1 => Either::Left(Either::Left(Either::Right(
                read_decimal()
                    .then_ignore(expect(b"\n"))
                    .then(|n| read_bytes(n).max_len(256))
                    .map(Record::Blob),
            ))),
            2 => Either::Left(Either::Right(Either::Left(
                read_varint()
                    .then(|n| read_bytes(n).max_len(256))
                    .map(Record::Frame),
            ))),
            3 => Either::Left(Either::Right(Either::Right(
                fold(
                    Vec::new(),
                    |_| read_line().crlf().max_len(32),
                    |mut lines, line| {
                        if line.is_empty() {
                            ControlFlow::Break(lines)
                        } else {
                            lines.push(line);
                            ControlFlow::Continue(lines)
                        }
                    },
                )
                .max_iterations(8)
                .map(Record::Headers),
            ))),
            4 => Either::Right(Either::Left(Either::Left(
                read_until(b':')
                    .max_len(4)
                    .try_map(|len| {
                        std::str::from_utf8(&len)
                            .ok()
                            .and_then(|s| s.parse::<u64>().ok())
                            .ok_or(ErrorKind::Invalid("bad netstring length"))
                    })
                    .then(|n| read_bytes(n).max_len(512))
                    .then_ignore(expect(b","))
                    .map(Record::Netstring),
            ))),
            5 => Either::Right(Either::Left(Either::Right(
                read_u8()
                    .then(|n| {
                        repeat(n as usize, || read_u8().and(read_u16_be())).max_iterations(16)
                    })
                    .map(Record::Pairs),
            ))),
            6 => Either::Right(Either::Right(Either::Left(
                read_until_seq(b"\r\n\r\n").max_len(128).map(Record::Head),
            ))),
            _ => Either::Right(Either::Right(Either::Right(fail(ErrorKind::Invalid(
                "unknown tag",
            ))))),
        })
        .limit(1024)
}

/// Every message and error, feeding `data` in pieces of `piece` bytes. With `recover`, the
/// driver skips to the next LF after an error and goes on; without, the first error ends
/// the run.
fn run(data: &[u8], piece: usize, recover: bool) -> Vec<Result<Record, DecodeError>> {
    let mut driver = Driver::new(record);
    if recover {
        driver = driver.recover_with(|_| Some(skip_through(b'\n').max_len(256).boxed()));
    }
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut chunks = data.chunks(piece.max(1)).peekable();
    loop {
        let eof = chunks.peek().is_none();
        if let Some(chunk) = chunks.next() {
            buf.extend_from_slice(chunk);
        }
        loop {
            let result = if eof {
                driver.decode_eof(&mut buf)
            } else {
                driver.decode(&mut buf)
            };
            match result {
                Ok(Some(r)) => out.push(Ok(r)),
                Ok(None) => break,
                Err(e) => {
                    out.push(Err(e));
                    if driver.failed().is_some() {
                        return out;
                    }
                }
            }
        }
        if eof {
            return out;
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&split, data)) = input.split_first() else {
        return;
    };
    for recover in [false, true] {
        let whole = run(data, data.len(), recover);
        assert_eq!(
            whole,
            run(data, split as usize, recover),
            "{split}-byte pieces, recover {recover}"
        );
        assert_eq!(
            whole,
            run(data, 1, recover),
            "one byte at a time, recover {recover}"
        );
    }
});
