//! The composite decoders the property and prefix tests share, with encoders that build
//! valid streams for them.

use std::ops::ControlFlow;

use bytes::Bytes;
use nagrel_decoder::encode::{put_decimal, put_hex};
use nagrel_decoder::*;

/// `<decimal length>\n<bytes>`: naggati's classic.
pub fn blob() -> impl Step<Output = Bytes> {
    read_decimal().then_ignore(expect(b"\n")).then(read_bytes)
}

pub fn blob_enc(payload: &[u8], out: &mut Vec<u8>) {
    let mut len = bytes::BytesMut::new();
    put_decimal(&mut len, payload.len() as u64);
    out.extend_from_slice(&len);
    out.push(b'\n');
    out.extend_from_slice(payload);
}

/// Header lines (at most 16 of at most 32 bytes) up to an empty line.
pub fn headers() -> impl Step<Output = Vec<Bytes>> {
    fold(
        Vec::new(),
        |_| read_line().max_len(32),
        |mut lines, line| {
            if line.is_empty() {
                ControlFlow::Break(lines)
            } else {
                lines.push(line);
                ControlFlow::Continue(lines)
            }
        },
    )
    .max_iterations(16)
}

pub fn headers_enc(lines: &[Vec<u8>], crlf: bool, out: &mut Vec<u8>) {
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    for line in lines {
        out.extend_from_slice(line);
        out.extend_from_slice(eol);
    }
    out.extend_from_slice(eol);
}

/// A tag byte, a big-endian u16 count, then that many little-endian i16 (at most 16).
pub fn record() -> impl Step<Output = (u8, Vec<i16>)> {
    read_u8().and(read_u16_be()).then(|(tag, n)| {
        repeat(n as usize, read_i16_le)
            .max_iterations(16)
            .map(move |items| (tag, items))
    })
}

pub fn record_enc(tag: u8, items: &[i16], out: &mut Vec<u8>) {
    out.push(tag);
    out.extend_from_slice(&(items.len() as u16).to_be_bytes());
    for i in items {
        out.extend_from_slice(&i.to_le_bytes());
    }
}

/// A netstring, `5:hello,`.
pub fn netstring() -> impl Step<Output = Bytes> {
    read_until(b':')
        .max_len(9)
        .try_map(|len| {
            std::str::from_utf8(&len)
                .ok()
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or(ErrorKind::Invalid("bad netstring length"))
        })
        .then(|n| read_bytes(n).max_len(1024))
        .then_ignore(expect(b","))
}

pub fn netstring_enc(payload: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(payload);
    out.push(b',');
}

/// A LEB128 length, then that many bytes (at most 1024).
pub fn varint_frame() -> impl Step<Output = Bytes> {
    read_varint().then(|n| read_bytes(n).max_len(1024))
}

pub fn varint_enc(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let low = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

pub fn varint_frame_enc(payload: &[u8], out: &mut Vec<u8>) {
    varint_enc(payload.len() as u64, out);
    out.extend_from_slice(payload);
}

/// An HTTP-style head: everything up to the blank line (at most 256 bytes).
pub fn http_head() -> impl Step<Output = Bytes> {
    read_until_seq(b"\r\n\r\n").max_len(256)
}

/// One chunk of a chunked body: `<hex size>\r\n<data>\r\n`.
pub fn hex_chunk() -> impl Step<Output = Bytes> {
    read_hex()
        .max_digits(8)
        .then_ignore(expect(b"\r\n"))
        .then(|n| read_bytes(n).max_len(1024))
        .then_ignore(expect(b"\r\n"))
}

pub fn hex_chunk_enc(payload: &[u8], out: &mut Vec<u8>) {
    let mut size = bytes::BytesMut::new();
    put_hex(&mut size, payload.len() as u64);
    out.extend_from_slice(&size);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(payload);
    out.extend_from_slice(b"\r\n");
}

/// Text or binary, told apart by peeking at the first byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mixed {
    Text(Bytes),
    Bin(u32),
}

pub fn mixed() -> impl Step<Output = Mixed> {
    peek(1, |b: &[u8]| b[0] == 0xFF).then(|binary| {
        if binary {
            Either::Left(skip(1).ignore_then(read_u32_le()).map(Mixed::Bin))
        } else {
            Either::Right(read_line().crlf().max_len(16).map(Mixed::Text))
        }
    })
}

pub fn mixed_enc(m: &Mixed, out: &mut Vec<u8>) {
    match m {
        Mixed::Text(line) => {
            out.extend_from_slice(line);
            out.extend_from_slice(b"\r\n");
        }
        Mixed::Bin(v) => {
            out.push(0xFF);
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// A capped record: a short line, then whatever is left of 12 bytes.
pub fn capped() -> impl Step<Output = (Bytes, Bytes)> {
    read_line().max_len(8).and(read_to_end()).limit(12)
}
