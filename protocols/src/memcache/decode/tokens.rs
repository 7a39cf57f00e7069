//! The nom parsers both line parsers build on: spaces and space-separated tokens.

use nom::IResult;

use super::scan::{find, non_key_byte};

/// A parser's result; errors carry nothing, the callers say what was wrong and where.
pub(crate) type Res<'a, T> = IResult<&'a [u8], T, ()>;

/// Leading spaces (possibly none): nom's `take_while` for spaces, with the usual case of
/// one space or none answered before any loop.
#[inline(always)]
pub(crate) fn spaces(input: &[u8]) -> Res<'_, &[u8]> {
    let mut n = 0;
    if input.first() == Some(&b' ') {
        n = 1;
        if input.get(1) == Some(&b' ') {
            n = input.iter().position(|&b| b != b' ').unwrap_or(input.len());
        }
    }
    let (spaces, rest) = input.split_at(n);
    Ok((rest, spaces))
}

/// Exactly one space (nom's `char(' ')`).
#[inline(always)]
pub(crate) fn space(input: &[u8]) -> Res<'_, ()> {
    match input {
        [b' ', rest @ ..] => Ok((rest, ())),
        _ => Err(nom::Err::Error(())),
    }
}

/// The longest run of bytes that may be in a key, at least one byte; what stops it is left
/// for the caller to judge.
#[inline(always)]
pub(crate) fn key_bytes(input: &[u8]) -> Res<'_, &[u8]> {
    match non_key_byte(input) {
        0 => Err(nom::Err::Error(())),
        end => Ok((&input[end..], &input[..end])),
    }
}

/// Bytes up to the next space, at least one: nom's `take_till1`, eight bytes at a time.
#[inline(always)]
pub(crate) fn till_space1(input: &[u8]) -> Res<'_, &[u8]> {
    match find(b' ', input) {
        0 => Err(nom::Err::Error(())),
        end => Ok((&input[end..], &input[..end])),
    }
}

/// The next space-separated token, leading spaces skipped; an error when only spaces
/// remain. (nom's `preceded(spaces, till_space1)`, sequenced by hand: on the hot path the
/// combinator's generic machinery is not always inlined, and a call per token shows.)
#[inline(always)]
pub(crate) fn token(input: &[u8]) -> Res<'_, &[u8]> {
    let (rest, _) = spaces(input)?;
    till_space1(rest)
}

/// Decimal digits as a `u64`, at least one, no overflow: nom's `u64` without its
/// conversions through `char` on every digit.
#[inline(always)]
pub(crate) fn decimal_u64(input: &[u8]) -> Res<'_, u64> {
    if let Some(parsed) = eight_digits(input) {
        return Ok(parsed);
    }
    let mut value: u64 = 0;
    let mut n = 0;
    while let Some(&b) = input.get(n) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        // Nineteen digits cannot overflow; only a twentieth is checked.
        value = if n < 19 {
            value * 10 + u64::from(digit)
        } else {
            value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(digit)))
                .ok_or(nom::Err::Error(()))?
        };
        n += 1;
    }
    if n == 0 {
        return Err(nom::Err::Error(()));
    }
    Ok((&input[n..], value))
}

/// A run of one to seven digits followed by a non-digit, all within the next eight bytes
/// of `input`, converted a word at a time: the digits are found with the same bit tricks
/// as in `scan.rs`, moved to the top of the word (leading zeros), and combined pairwise in
/// three multiplications. `None` when the input is shorter than eight bytes or the run is
/// longer: the digit loop handles those.
#[inline(always)]
fn eight_digits(input: &[u8]) -> Option<(&[u8], u64)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let bytes = input.get(..8)?;
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    let word = u64::from_le_bytes(w);
    let digits = word.wrapping_sub(ONES * u64::from(b'0'));
    // High bit of each byte that is not a digit: below '0' wraps past 0x80, above '9'
    // reaches it when 0x76 is added. Exact for the lowest such byte.
    let not_digit = (digits | digits.wrapping_add(ONES * 0x76)) & (ONES * 0x80);
    let n = (not_digit.trailing_zeros() / 8) as usize;
    if n == 0 || n == 8 {
        return None;
    }
    // The n digits (first digit in the lowest byte) moved to the top bytes; the bytes
    // below become zeros, which are leading zeros of the number.
    let mut v = digits << (8 * (8 - n));
    v = (v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    v = (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32;
    Some((&input[n..], v))
}

/// Decimal digits as a `u32`.
#[inline(always)]
pub(crate) fn decimal_u32(input: &[u8]) -> Res<'_, u32> {
    let (rest, value) = decimal_u64(input)?;
    let value = u32::try_from(value).map_err(|_| nom::Err::Error(()))?;
    Ok((rest, value))
}

/// An optionally signed (`-` or `+`) decimal number as an `i64`.
#[inline(always)]
pub(crate) fn decimal_i64(input: &[u8]) -> Res<'_, i64> {
    let (negative, digits) = match input {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, input),
    };
    let (rest, magnitude) = decimal_u64(digits)?;
    let value = if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    };
    value.map(|v| (rest, v)).ok_or(nom::Err::Error(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_agree_with_std() {
        for text in [
            "0",
            "7",
            "42",
            "3600",
            "1234567",
            "12345678",
            "123456789",
            "007",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
            "",
            "x",
            "4x",
            "-1",
            "12 34",
            "1234567 ",
            "1234567\r",
            "9/",
            "9:",
            "0000000",
            "00000000",
            "1234567a",
        ] {
            for suffix in ["", " 1", "\r\nabcdefgh"] {
                let input = format!("{text}{suffix}");
                let digits = input.bytes().take_while(u8::is_ascii_digit).count();
                let want = input[..digits].parse::<u64>().ok().filter(|_| digits > 0);
                let got = decimal_u64(input.as_bytes()).ok();
                assert_eq!(got.map(|(_, v)| v), want, "{input:?}");
                if let Some((rest, _)) = got {
                    assert_eq!(rest, &input.as_bytes()[digits..], "{input:?}");
                }
            }
        }
    }
}
