//! Zero-copy: byte outputs are `Bytes` split off the receive buffer, pointing into the
//! very allocation the bytes arrived in, at the message's own position.

use std::ops::ControlFlow;

use bytes::{Bytes, BytesMut};
use nagrel_decoder::*;

/// The address range of a buffer's bytes.
fn range(buf: &BytesMut) -> (usize, usize) {
    let start = buf.as_ptr() as usize;
    (start, start + buf.len())
}

/// Asserts `out` is the `len` bytes at `at` of the allocation that started at `base`.
fn assert_points_into(out: &Bytes, base: usize, at: usize, len: usize) {
    assert_eq!(out.len(), len);
    assert_eq!(
        out.as_ptr() as usize,
        base + at,
        "output was copied out of the receive buffer"
    );
}

#[test]
fn read_line_outputs_are_slices_of_the_buffer() {
    let mut driver = Driver::new(read_line);
    let mut buf = BytesMut::from(&b"hello\r\nworld\n"[..]);
    let (base, end) = range(&buf);
    let a = driver.decode(&mut buf).unwrap().unwrap();
    let b = driver.decode(&mut buf).unwrap().unwrap();
    assert_points_into(&a, base, 0, 5);
    assert_points_into(&b, base, 7, 5);
    assert!(b.as_ptr() as usize + b.len() <= end);
}

#[test]
fn read_bytes_outputs_are_slices_of_the_buffer() {
    let blob = || read_decimal().then_ignore(expect(b"\n")).then(read_bytes);
    let mut driver = Driver::new(blob);
    let mut buf = BytesMut::from(&b"5\nhello3\nabc"[..]);
    let (base, _) = range(&buf);
    let a = driver.decode(&mut buf).unwrap().unwrap();
    let b = driver.decode(&mut buf).unwrap().unwrap();
    assert_points_into(&a, base, 2, 5);
    assert_points_into(&b, base, 9, 3);
    assert_eq!(&a[..], b"hello");
    assert_eq!(&b[..], b"abc");
}

#[test]
fn outputs_stay_in_place_when_fed_in_pieces() {
    // With room reserved up front, appending never moves the buffer, so every output must
    // sit at its absolute stream offset from the start of the allocation.
    let mut buf = BytesMut::with_capacity(4096);
    let base = buf.as_ptr() as usize;
    let mut driver = Driver::new(|| read_u8().then(|n| read_bytes(n.into())));
    let stream: &[u8] = b"\x03abc\x05hello\x00\x02hi";
    let mut outs = Vec::new();
    for &byte in stream {
        buf.extend_from_slice(&[byte]);
        while let Some(out) = driver.decode(&mut buf).unwrap() {
            outs.push(out);
        }
    }
    assert_eq!(outs.len(), 4);
    assert_points_into(&outs[0], base, 1, 3);
    assert_points_into(&outs[1], base, 5, 5);
    assert_eq!(outs[2].len(), 0);
    assert_points_into(&outs[3], base, 12, 2);
}

#[test]
fn every_bytes_producing_step_is_zero_copy() {
    let data = b"key:val;rest\r\n\r\nbody";
    let mut buf = BytesMut::from(&data[..]);
    let (base, _) = range(&buf);
    let mut driver = Driver::new(|| {
        read_until(b':')
            .and(take_until(|b| b == b';'))
            .then_ignore(expect(b";"))
            .and(read_until_seq(b"\r\n\r\n"))
            .and(read_to_end())
    });
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    let (((key, val), rest), body) = driver.decode_eof(&mut buf).unwrap().unwrap();
    assert_points_into(&key, base, 0, 3);
    assert_points_into(&val, base, 4, 3);
    assert_points_into(&rest, base, 8, 4);
    assert_points_into(&body, base, 16, 4);
}

#[test]
fn header_lines_collected_by_fold_are_zero_copy() {
    let mut buf = BytesMut::from(&b"a: 1\r\nbb: 22\r\n\r\n"[..]);
    let (base, _) = range(&buf);
    let mut driver = Driver::new(|| {
        fold(
            Vec::new(),
            |_| read_line(),
            |mut v: Vec<Bytes>, line| {
                if line.is_empty() {
                    ControlFlow::Break(v)
                } else {
                    v.push(line);
                    ControlFlow::Continue(v)
                }
            },
        )
    });
    let lines = driver.decode(&mut buf).unwrap().unwrap();
    assert_points_into(&lines[0], base, 0, 4);
    assert_points_into(&lines[1], base, 6, 6);
}
