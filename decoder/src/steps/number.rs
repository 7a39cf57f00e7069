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

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<T>, DecodeError> {
        let bytes = input.bytes();
        if bytes.len() < T::SIZE {
            if input.is_eof() {
                return Err(input.out_of_input());
            }
            return Ok(Status::Pending);
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

    #[inline]
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
        if input.is_eof() {
            return Err(input.out_of_input());
        }
        Ok(Status::Pending)
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
///     read_decimal().then_ignore(expect(b"\n")).then(|n| read_bytes(n as usize))
/// });
/// let mut buf = BytesMut::from(&b"5\nhello"[..]);
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"hello");
/// ```
pub fn read_decimal() -> Digits {
    Digits {
        radix: 10,
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
pub fn read_hex() -> Digits {
    Digits {
        radix: 16,
        max_digits: 16,
        digits: 0,
        value: 0,
    }
}

/// See [`read_decimal`] and [`read_hex`].
#[derive(Debug, Clone)]
pub struct Digits {
    radix: u8,
    max_digits: usize,
    digits: usize,
    value: u64,
}

impl Digits {
    /// Sets the most digits accepted, leading zeros included.
    pub fn max_digits(mut self, max: usize) -> Self {
        self.max_digits = max;
        self
    }

    fn limit(&self) -> ErrorKind {
        let limit = if self.radix == 10 {
            "read_decimal"
        } else {
            "read_hex"
        };
        ErrorKind::LimitExceeded {
            limit,
            max: self.max_digits,
        }
    }
}

#[inline]
fn digit_value(b: u8, radix: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' if radix == 16 => Some(b - b'a' + 10),
        b'A'..=b'F' if radix == 16 => Some(b - b'A' + 10),
        _ => None,
    }
}

impl Step for Digits {
    type Output = u64;

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<u64>, DecodeError> {
        let bytes = input.bytes();
        let mut end = None;
        for (i, &b) in bytes.iter().enumerate() {
            let Some(d) = digit_value(b, self.radix) else {
                end = Some(i);
                break;
            };
            if self.digits == self.max_digits {
                return Err(input.error_at(i, self.limit()));
            }
            self.value = self
                .value
                .checked_mul(u64::from(self.radix))
                .and_then(|v| v.checked_add(u64::from(d)))
                .ok_or_else(|| input.error_at(i, ErrorKind::BadNumber))?;
            self.digits += 1;
        }
        let consumed = end.unwrap_or(bytes.len());
        input.advance(consumed)?;
        if end.is_none() {
            if !input.is_eof() {
                return Ok(Status::Pending);
            }
            if self.digits == 0 {
                return Err(input.out_of_input());
            }
        }
        if self.digits == 0 {
            return Err(input.error_at(0, ErrorKind::BadNumber));
        }
        Ok(Status::Ready(self.value))
    }
}
