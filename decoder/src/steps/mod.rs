//! The primitive steps: everything a decoder reads is read by one of these.

mod bytes;
mod line;
mod number;
mod scan;

pub use self::bytes::{
    ensure, expect, peek, read_bytes, read_to_end, skip, Ensure, Expect, Peek, ReadBytes,
    ReadToEnd, Skip, DEFAULT_MAX_BYTES, DEFAULT_MAX_TO_END,
};
pub use self::line::{read_line, ReadLine, DEFAULT_MAX_LINE};
pub use self::number::{
    read_decimal, read_f32_be, read_f32_le, read_f64_be, read_f64_le, read_hex, read_i16_be,
    read_i16_le, read_i32_be, read_i32_le, read_i64_be, read_i64_le, read_i8, read_u16_be,
    read_u16_le, read_u32_be, read_u32_le, read_u64_be, read_u64_le, read_u8, read_varint, Digits,
    FixedNum, ReadFixed, Varint,
};
pub use self::scan::{
    read_until, read_until_seq, skip_through, take_until, take_while, ReadUntil, ReadUntilSeq,
    SkipThrough, TakeWhile, DEFAULT_MAX_SCAN,
};
