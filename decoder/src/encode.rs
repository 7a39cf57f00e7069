//! The encoding side: a sans-IO trait for writing messages and small helpers for the
//! textual pieces protocols share.

use bytes::{BufMut, BytesMut};
use core::fmt;

/// Writes messages of type `Item` to a send buffer.
///
/// The mirror of a decoder: pure, no I/O, appends to `dst`. With the `codec` feature,
/// [`Codec`](crate::Codec) turns a [`Driver`](crate::Driver) and an `Encode` into a
/// `tokio_util` codec for `Framed`.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::encode::{put_decimal, Encode, EncodeError};
///
/// /// Writes a length line and the bytes.
/// struct Blob;
///
/// impl Encode<&[u8]> for Blob {
///     fn encode(&mut self, item: &[u8], dst: &mut BytesMut) -> Result<(), EncodeError> {
///         put_decimal(dst, item.len() as u64);
///         dst.extend_from_slice(b"\n");
///         dst.extend_from_slice(item);
///         Ok(())
///     }
/// }
///
/// let mut out = BytesMut::new();
/// Blob.encode(b"hello", &mut out).unwrap();
/// assert_eq!(&out[..], b"5\nhello");
/// ```
pub trait Encode<Item> {
    /// Appends the wire form of `item` to `dst`.
    fn encode(&mut self, item: Item, dst: &mut BytesMut) -> Result<(), EncodeError>;
}

/// An item that cannot be put on the wire (too long, forbidden bytes, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeError {
    reason: &'static str,
}

impl EncodeError {
    /// An error explaining why the item cannot be encoded.
    pub const fn new(reason: &'static str) -> Self {
        EncodeError { reason }
    }

    /// Why the item cannot be encoded.
    pub const fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot encode: {}", self.reason)
    }
}

impl std::error::Error for EncodeError {}

/// Appends `n` in ASCII decimal, without going through `fmt`.
///
/// ```
/// let mut out = bytes::BytesMut::new();
/// nagrel_decoder::encode::put_decimal(&mut out, 1024);
/// assert_eq!(&out[..], b"1024");
/// ```
pub fn put_decimal(dst: &mut BytesMut, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    dst.put_slice(&digits[at..]);
}

/// Appends `n` in lowercase ASCII hexadecimal (as chunk sizes are written).
///
/// ```
/// let mut out = bytes::BytesMut::new();
/// nagrel_decoder::encode::put_hex(&mut out, 0x1af);
/// assert_eq!(&out[..], b"1af");
/// ```
pub fn put_hex(dst: &mut BytesMut, mut n: u64) {
    let mut digits = [0u8; 16];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b"0123456789abcdef"[(n & 0xF) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    dst.put_slice(&digits[at..]);
}

/// Appends `line` and a CRLF, refusing a line that contains CR or LF itself (which would
/// let a value inject a line of its own).
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::encode::put_crlf_line;
///
/// let mut out = BytesMut::new();
/// put_crlf_line(&mut out, b"STORED").unwrap();
/// assert_eq!(&out[..], b"STORED\r\n");
/// assert!(put_crlf_line(&mut out, b"a\r\nb").is_err());
/// ```
pub fn put_crlf_line(dst: &mut BytesMut, line: &[u8]) -> Result<(), EncodeError> {
    if memchr::memchr2(b'\r', b'\n', line).is_some() {
        return Err(EncodeError::new("line contains CR or LF"));
    }
    dst.reserve(line.len() + 2);
    dst.put_slice(line);
    dst.put_slice(b"\r\n");
    Ok(())
}
