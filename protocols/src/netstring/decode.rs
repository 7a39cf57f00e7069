//! Decoding netstrings: the length prefix on its own, and whole netstrings.

use bytes::{Bytes, BytesMut};
use nagrel_decoder::{read_bytes, DecodeError, Driver, Input, ReadBytes, Status, Step};

use super::error::{NetstringError, NetstringErrorKind};
use crate::error::{Kind, ProtocolError};

/// Limits for [`netstring`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetstringLimits {
    /// Largest data length accepted, in bytes. Default 1 MiB.
    pub max_len: usize,
}

impl Default for NetstringLimits {
    fn default() -> Self {
        NetstringLimits {
            max_len: 1024 * 1024,
        }
    }
}

/// Reads a netstring length prefix, `LEN:`, and yields `LEN`.
///
/// Digits are consumed as they arrive. A leading zero (other than a lone `0`), a value
/// over `max` (reported at the digit that passes it, so at most as many digits as `max`
/// has are ever read), no digits, or a byte other than `:` after the digits are
/// [`NetstringErrorKind`] rejections at the offending byte.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::Driver;
/// use nagrel_protocols::netstring::length_prefix;
///
/// let mut driver = Driver::new(|| length_prefix(100));
/// let mut buf = BytesMut::from(&b"12:"[..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(12));
/// ```
pub fn length_prefix(max: usize) -> LengthPrefix {
    LengthPrefix {
        max,
        value: 0,
        digits: 0,
    }
}

/// See [`length_prefix`].
#[derive(Debug, Clone)]
pub struct LengthPrefix {
    max: usize,
    value: usize,
    digits: usize,
}

impl Step for LengthPrefix {
    type Output = usize;

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<usize>, DecodeError> {
        let bytes = input.bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let reject = |kind: NetstringErrorKind| Err(input.error_at(i, kind.into_decode()));
            match b {
                b'0'..=b'9' => {
                    if self.digits == 1 && self.value == 0 {
                        return reject(NetstringErrorKind::LeadingZero);
                    }
                    // Checked, so that `max` near usize::MAX cannot wrap.
                    let next = self
                        .value
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(usize::from(b - b'0')));
                    match next {
                        Some(v) if v <= self.max => self.value = v,
                        _ => return reject(NetstringErrorKind::TooLong),
                    }
                    self.digits += 1;
                }
                b':' if self.digits > 0 => {
                    input.advance(i + 1)?;
                    return Ok(Status::Ready(self.value));
                }
                _ if self.digits == 0 => return reject(NetstringErrorKind::BadLength),
                _ => return reject(NetstringErrorKind::MissingColon),
            }
        }
        let n = bytes.len();
        input.advance(n)?;
        input.wait()
    }
}

/// Reads one netstring and yields its data, split off the buffer without copying.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::Driver;
/// use nagrel_protocols::netstring::{netstring, NetstringErrorKind, NetstringError, NetstringLimits};
///
/// let mut driver = Driver::new(|| netstring(NetstringLimits { max_len: 4 }));
/// let mut buf = BytesMut::from(&b"4:abcd,5:abcde,"[..]);
/// assert_eq!(driver.decode(&mut buf).unwrap().as_deref(), Some(&b"abcd"[..]));
/// let err = NetstringError::from(driver.decode(&mut buf).unwrap_err());
/// assert_eq!(err.kind(), NetstringErrorKind::TooLong);
/// ```
pub fn netstring(limits: NetstringLimits) -> Netstring {
    Netstring {
        inner: tagged(limits.max_len),
    }
}

/// See [`netstring`].
#[derive(Debug)]
pub struct Netstring {
    inner: Tagged,
}

impl Step for Netstring {
    type Output = Bytes;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Bytes>, DecodeError> {
        let Status::Ready(value) = self.inner.resume(input)? else {
            return Ok(Status::Pending);
        };
        if value.tag != b',' {
            let kind = NetstringErrorKind::MissingComma.into_decode();
            return Err(DecodeError::new(kind, value.tag_offset()));
        }
        Ok(Status::Ready(value.data))
    }
}

/// `LEN:DATA` and the byte after it: the shape netstrings (`,`), tnetstrings (the type
/// byte) and Mongrel2's headers (`,` for JSON, `}` for a tnetstring dictionary) share.
#[derive(Debug)]
pub(crate) struct TaggedData {
    /// The data, split off the buffer without copying.
    pub(crate) data: Bytes,
    /// The byte after the data.
    pub(crate) tag: u8,
    /// Absolute offset of the data's first byte, so errors found inside it point into the
    /// stream.
    pub(crate) offset: u64,
}

impl TaggedData {
    /// Absolute offset of the tag byte.
    pub(crate) fn tag_offset(&self) -> u64 {
        self.offset + self.data.len() as u64
    }
}

/// Reads a length prefix of at most `max_len`, that many bytes, and the byte after them.
pub(crate) fn tagged(max_len: usize) -> Tagged {
    Tagged {
        state: TaggedState::Length(length_prefix(max_len)),
    }
}

/// See [`tagged`].
#[derive(Debug)]
pub(crate) struct Tagged {
    state: TaggedState,
}

#[derive(Debug)]
enum TaggedState {
    Length(LengthPrefix),
    /// The data, and its absolute offset.
    Data(ReadBytes, u64),
    Tag(Bytes, u64),
    Done,
}

impl Step for Tagged {
    type Output = TaggedData;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<TaggedData>, DecodeError> {
        loop {
            self.state = match &mut self.state {
                TaggedState::Length(length) => match length.resume(input)? {
                    // The prefix already bounded the length, so read_bytes' own (larger)
                    // default limit never applies.
                    Status::Ready(n) => {
                        TaggedState::Data(read_bytes(n as u64).max_len(usize::MAX), input.offset())
                    }
                    Status::Pending => return Ok(Status::Pending),
                },
                TaggedState::Data(data, offset) => match data.resume(input)? {
                    Status::Ready(data) => TaggedState::Tag(data, *offset),
                    Status::Pending => return Ok(Status::Pending),
                },
                TaggedState::Tag(..) => {
                    let Some(&tag) = input.bytes().first() else {
                        return input.wait();
                    };
                    input.advance(1)?;
                    match core::mem::replace(&mut self.state, TaggedState::Done) {
                        TaggedState::Tag(data, offset) => {
                            return Ok(Status::Ready(TaggedData { data, tag, offset }))
                        }
                        _ => unreachable_state(input)?,
                    }
                }
                TaggedState::Done => unreachable_state(input)?,
            };
        }
    }
}

/// A step resumed after it finished: reported, never a panic.
fn unreachable_state<T>(input: &Input<'_>) -> Result<T, DecodeError> {
    Err(input.error_at(0, nagrel_decoder::ErrorKind::Finished))
}

/// Decodes `bytes` as exactly one netstring.
///
/// ```
/// use nagrel_protocols::netstring::{decode_netstring, NetstringLimits};
///
/// let data = decode_netstring(b"3:abc,", NetstringLimits::default()).unwrap();
/// assert_eq!(&data[..], b"abc");
/// ```
pub fn decode_netstring(bytes: &[u8], limits: NetstringLimits) -> Result<Bytes, NetstringError> {
    decode_whole(Bytes::copy_from_slice(bytes), || netstring(limits))
}

/// Runs the step `make` builds over `bytes` as a complete input, requiring it to consume
/// everything: the shape of every "decode one message held in memory" helper. A `Vec` or
/// unshared `Bytes` is taken over without copying.
pub(crate) fn decode_whole<S, K>(
    bytes: impl Into<Bytes>,
    make: impl FnMut() -> S,
) -> Result<S::Output, ProtocolError<K>>
where
    S: Step,
    K: Kind + From<NetstringErrorKind>,
{
    let mut buf = BytesMut::from(bytes.into());
    let mut driver = Driver::new(make);
    match driver.decode_eof(&mut buf)? {
        Some(value) if buf.is_empty() => Ok(value),
        Some(_) => Err(ProtocolError::new(
            NetstringErrorKind::TrailingBytes.into(),
            driver.offset(),
        )),
        None => Err(ProtocolError::new(
            NetstringErrorKind::Incomplete.into(),
            driver.offset(),
        )),
    }
}
