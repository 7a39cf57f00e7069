use core::marker::PhantomData;

use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::step::{Status, Step};

/// A fixed-width number that can be read from its byte representation.
///
/// Implemented for every integer from `u8`/`i8` to `u64`/`i64` and for `f32`/`f64`.
pub trait FixedNum: Copy {
    /// Width in bytes.
    const SIZE: usize;
    /// Reads the value from exactly [`SIZE`](FixedNum::SIZE) big-endian bytes.
    fn from_be(bytes: &[u8]) -> Self;
    /// Reads the value from exactly [`SIZE`](FixedNum::SIZE) little-endian bytes.
    fn from_le(bytes: &[u8]) -> Self;
}

macro_rules! fixed_num {
    ($($t:ty),*) => {$(
        impl FixedNum for $t {
            const SIZE: usize = core::mem::size_of::<$t>();
            #[inline]
            fn from_be(bytes: &[u8]) -> Self {
                let mut raw = [0u8; core::mem::size_of::<$t>()];
                raw.copy_from_slice(&bytes[..Self::SIZE]);
                <$t>::from_be_bytes(raw)
            }
            #[inline]
            fn from_le(bytes: &[u8]) -> Self {
                let mut raw = [0u8; core::mem::size_of::<$t>()];
                raw.copy_from_slice(&bytes[..Self::SIZE]);
                <$t>::from_le_bytes(raw)
            }
        }
    )*};
}
fixed_num!(u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);

/// Reads one fixed-width number in a given byte order. Built by [`read_u8`],
/// [`read_u32_be`], [`read_f64_le`] and their siblings.
#[derive(Debug, Clone)]
pub struct ReadFixed<T> {
    little_endian: bool,
    _type: PhantomData<fn() -> T>,
}

impl<T> ReadFixed<T> {
    const fn new(little_endian: bool) -> Self {
        ReadFixed {
            little_endian,
            _type: PhantomData,
        }
    }
}

impl<T: FixedNum> Step for ReadFixed<T> {
    type Output = T;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<T>, DecodeError> {
        let bytes = input.bytes();
        if bytes.len() < T::SIZE {
            return input.wait();
        }
        let value = if self.little_endian {
            T::from_le(bytes)
        } else {
            T::from_be(bytes)
        };
        input.advance(T::SIZE)?;
        Ok(Status::Ready(value))
    }
}

macro_rules! fixed_readers {
    ($($(#[$doc:meta])* $name:ident -> $t:ty, $le:expr;)*) => {$(
        $(#[$doc])*
        #[inline]
        pub const fn $name() -> ReadFixed<$t> {
            ReadFixed::new($le)
        }
    )*};
}

fixed_readers! {
    /// Reads one byte.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use nagrel_decoder::{read_u8, read_u16_be, read_u32_le, Driver, StepExt};
    ///
    /// let mut driver = Driver::new(|| read_u8().and(read_u16_be()).and(read_u32_le()));
    /// let mut buf = BytesMut::from(&[7u8, 1, 2, 4, 3, 2, 1][..]);
    /// assert_eq!(driver.decode(&mut buf).unwrap(), Some(((7, 0x0102), 0x0102_0304)));
    /// ```
    read_u8 -> u8, false;
    /// Reads one byte as a signed integer.
    read_i8 -> i8, false;
    /// Reads a big-endian `u16`.
    read_u16_be -> u16, false;
    /// Reads a little-endian `u16`.
    read_u16_le -> u16, true;
    /// Reads a big-endian `i16`.
    read_i16_be -> i16, false;
    /// Reads a little-endian `i16`.
    read_i16_le -> i16, true;
    /// Reads a big-endian `u32`.
    read_u32_be -> u32, false;
    /// Reads a little-endian `u32`.
    read_u32_le -> u32, true;
    /// Reads a big-endian `i32`.
    read_i32_be -> i32, false;
    /// Reads a little-endian `i32`.
    read_i32_le -> i32, true;
    /// Reads a big-endian `u64`.
    read_u64_be -> u64, false;
    /// Reads a little-endian `u64`.
    read_u64_le -> u64, true;
    /// Reads a big-endian `i64`.
    read_i64_be -> i64, false;
    /// Reads a little-endian `i64`.
    read_i64_le -> i64, true;
    /// Reads a big-endian IEEE 754 `f32`.
    read_f32_be -> f32, false;
    /// Reads a little-endian IEEE 754 `f32`.
    read_f32_le -> f32, true;
    /// Reads a big-endian IEEE 754 `f64`.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use nagrel_decoder::{read_f64_be, Driver};
    ///
    /// let mut driver = Driver::new(read_f64_be);
    /// let mut buf = BytesMut::from(&1.5f64.to_be_bytes()[..]);
    /// assert_eq!(driver.decode(&mut buf).unwrap(), Some(1.5));
    /// ```
    read_f64_be -> f64, false;
    /// Reads a little-endian IEEE 754 `f64`.
    read_f64_le -> f64, true;
}

/// Reads an unsigned LEB128 varint into a `u64`, consuming bytes as they arrive.
///
/// At most 10 bytes; an encoding longer than that or whose value does not fit 64 bits is
/// [`ErrorKind::BadNumber`].
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_varint, Driver};
///
/// let mut driver = Driver::new(read_varint);
/// let mut buf = BytesMut::from(&[0xE5u8, 0x8E, 0x26, 0x01][..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(624_485));
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(1));
/// ```
pub fn read_varint() -> Varint {
    Varint { value: 0, shift: 0 }
}

/// See [`read_varint`].
#[derive(Debug, Clone)]
pub struct Varint {
    value: u64,
    shift: u32,
}

impl Step for Varint {
    type Output = u64;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<u64>, DecodeError> {
        let bytes = input.bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let low = u64::from(b & 0x7F);
            // The tenth byte may only carry the single top bit.
            if self.shift == 63 && low > 1 || self.shift > 63 {
                return Err(input.error_at(i, ErrorKind::BadNumber));
            }
            self.value |= low << self.shift;
            self.shift += 7;
            if b & 0x80 == 0 {
                input.advance(i + 1)?;
                return Ok(Status::Ready(self.value));
            }
        }
        let n = bytes.len();
        input.advance(n)?;
        input.wait()
    }
}

/// Reads an ASCII decimal number (`1*DIGIT`) into a `u64`, consuming digits as they
/// arrive; the first non-digit ends it and stays in the input.
///
/// No digits, or a value over `u64::MAX`, is [`ErrorKind::BadNumber`]; more than
/// [`Digits::max_digits`] digits (default 20, leading zeros included) is
/// [`ErrorKind::LimitExceeded`]. At end of input the digits read so far are the number.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{expect, read_bytes, read_decimal, Driver, StepExt};
///
/// // A length line "5\n" then five bytes, without splitting the line off.
/// let mut driver = Driver::new(|| {
///     read_decimal().then_ignore(expect(b"\n")).then(read_bytes)
/// });
/// let mut buf = BytesMut::from(&b"5\nhello"[..]);
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"hello");
/// ```
pub fn read_decimal() -> Digits<10> {
    Digits {
        max_digits: 20,
        digits: 0,
        value: 0,
    }
}

/// Reads an ASCII hexadecimal number (`1*HEXDIG`, either case) into a `u64`, like
/// [`read_decimal`]; at most 16 digits by default.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_hex, Driver};
///
/// let mut driver = Driver::new(read_hex);
/// assert_eq!(driver.decode_eof(&mut BytesMut::from(&b"1aF"[..])).unwrap(), Some(0x1AF));
/// ```
pub fn read_hex() -> Digits<16> {
    Digits {
        max_digits: 16,
        digits: 0,
        value: 0,
    }
}

/// See [`read_decimal`] (`RADIX` 10) and [`read_hex`] (`RADIX` 16).
#[derive(Debug, Clone)]
pub struct Digits<const RADIX: u8> {
    max_digits: usize,
    digits: usize,
    value: u64,
}

impl<const RADIX: u8> Digits<RADIX> {
    /// Below this many digits the value cannot overflow (10^19 - 1 and 16^16 - 1 both fit
    /// a u64), so the common short number skips the checked arithmetic.
    const UNCHECKED_DIGITS: usize = if RADIX == 10 { 19 } else { 16 };

    /// Sets the most digits accepted, leading zeros included.
    pub fn max_digits(mut self, max: usize) -> Self {
        self.max_digits = max;
        self
    }

    fn limit(&self) -> ErrorKind {
        let limit = if RADIX == 10 {
            "read_decimal"
        } else {
            "read_hex"
        };
        ErrorKind::LimitExceeded {
            limit,
            max: self.max_digits,
        }
    }

    #[inline]
    fn digit_value(b: u8) -> Option<u8> {
        let decimal = b.wrapping_sub(b'0');
        if decimal < 10 {
            return Some(decimal);
        }
        let letter = (b | 0x20).wrapping_sub(b'a');
        if RADIX == 16 && letter < 6 {
            Some(letter + 10)
        } else {
            None
        }
    }
}

impl<const RADIX: u8> Step for Digits<RADIX> {
    type Output = u64;

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<u64>, DecodeError> {
        let bytes = input.bytes();
        if RADIX == 10 && self.digits == 0 && self.max_digits >= 7 {
            if let Some((digits, value)) = bytes.first_chunk::<8>().and_then(short_decimal) {
                if digits == 0 {
                    return Err(input.error_at(0, ErrorKind::BadNumber));
                }
                input.advance(digits)?;
                return Ok(Status::Ready(value));
            }
        }
        let (mut value, mut digits) = (self.value, self.digits);
        let mut end = None;
        for (i, &b) in bytes.iter().enumerate() {
            let Some(d) = Self::digit_value(b) else {
                end = Some(i);
                break;
            };
            if digits == self.max_digits {
                return Err(input.error_at(i, self.limit()));
            }
            value = if digits < Self::UNCHECKED_DIGITS {
                value * u64::from(RADIX) + u64::from(d)
            } else {
                value
                    .checked_mul(u64::from(RADIX))
                    .and_then(|v| v.checked_add(u64::from(d)))
                    .ok_or_else(|| input.error_at(i, ErrorKind::BadNumber))?
            };
            digits += 1;
        }
        (self.value, self.digits) = (value, digits);
        let consumed = end.unwrap_or(bytes.len());
        input.advance(consumed)?;
        if end.is_none() {
            if !input.is_eof() {
                return Ok(Status::Pending);
            }
            if digits == 0 {
                return Err(input.out_of_input());
            }
        }
        if digits == 0 {
            return Err(input.error_at(0, ErrorKind::BadNumber));
        }
        Ok(Status::Ready(value))
    }
}

/// Parses a decimal number of at most 7 digits that ends inside `chunk`, eight bytes at
/// once (SWAR): the common length header, without a loop.
///
/// Returns how many digits lead `chunk` and their value, or `None` when all eight bytes
/// are digits (the number may go on: the byte loop handles it).
#[inline]
fn short_decimal(chunk: &[u8; 8]) -> Option<(usize, u64)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let word = u64::from_le_bytes(*chunk);
    // A byte is a digit when its high nibble is 3 and adding 6 leaves it 3 (low nibble
    // <= 9). Carries only ever run from a non-digit into later bytes, so the first
    // non-zero byte of `bad` is exactly the first non-digit.
    let high = word & (0xF0 * ONES);
    let bumped = word.wrapping_add(0x06 * ONES) & (0xF0 * ONES);
    let bad = (high ^ (0x30 * ONES)) | (bumped ^ (0x30 * ONES));
    if bad == 0 {
        return None;
    }
    let digits = (bad.trailing_zeros() / 8) as usize;
    if digits == 0 {
        return Some((0, 0));
    }
    // Keep the digit bytes, moved to the top so the bytes below read as leading zeros,
    // then combine pairs, quads and octets of digits with three multiplications.
    let values = (word & (0x0F * ONES)) << (8 * (8 - digits));
    let pairs = (values.wrapping_mul(10 * 256 + 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let quads = (pairs.wrapping_mul(100 * 65_536 + 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    let octet = quads.wrapping_mul(10_000 * (1 << 32) + 1) >> 32;
    Some((digits, octet))
}
#[cfg(test)]
mod tests {
    use super::short_decimal;
    use proptest::prelude::*;

    /// The obvious byte loop `short_decimal` must agree with.
    fn naive(chunk: &[u8; 8]) -> Option<(usize, u64)> {
        let digits = chunk.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 8 {
            return None;
        }
        let value = chunk[..digits]
            .iter()
            .fold(0, |v, &b| v * 10 + u64::from(b - b'0'));
        Some((digits, value))
    }

    #[test]
    fn every_digit_count_and_every_terminator() {
        for digits in 0..8 {
            for end in 0..=255u8 {
                let mut chunk = [0xFFu8; 8];
                for (i, b) in chunk.iter_mut().enumerate().take(digits) {
                    *b = b"9876543210"[(i * 7 + digits) % 10];
                }
                chunk[digits] = end;
                assert_eq!(short_decimal(&chunk), naive(&chunk), "{chunk:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_byte_loop(
            chunk in prop::array::uniform8(prop_oneof![3 => b'0'..=b'9', 1 => any::<u8>()])
        ) {
            prop_assert_eq!(short_decimal(&chunk), naive(&chunk));
        }
    }
}
