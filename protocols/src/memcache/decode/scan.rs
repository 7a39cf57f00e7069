//! Finding bytes eight at a time.
//!
//! Keys and short lines are a few dozen bytes: too short for memchr's vector setup to pay
//! off, long enough that a byte-at-a-time loop (with a branch per byte) shows. These scans
//! test a whole `u64` per step with the classic bit tricks: `x - 0x01..01` borrows out of
//! exactly the bytes that are zero (or, with another constant, below a bound), and the
//! lowest flagged byte is always a true match, since a borrow only moves upwards from one.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `x` that is zero (exact for the lowest one).
#[inline(always)]
const fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// High bit set in each byte of `x` below `n` (`n` at most 128; exact for the lowest).
#[inline(always)]
const fn bytes_below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * n as u64) & !x & HIGHS
}

/// Loads eight bytes as a little-endian word.
#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

/// Runs `flag` over `bytes` a word at a time and gives the index of the first flagged
/// byte, or `bytes.len()`. A partial last word is read as the last eight bytes,
/// overlapping bytes already found clean, which are then never flagged (no true match
/// there, and a false flag only ever sits above a true one). Fewer than eight bytes go
/// through `slow` one at a time: copying them into a word would cost a call and a stalled
/// load.
#[inline(always)]
fn first(bytes: &[u8], flag: impl Fn(u64) -> u64, slow: impl Fn(u8) -> bool) -> usize {
    let len = bytes.len();
    if len < 8 {
        return bytes.iter().position(|&b| slow(b)).unwrap_or(len);
    }
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for w in words.by_ref() {
        let found = flag(word(w));
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    if words.remainder().is_empty() {
        return len;
    }
    let found = flag(word(&bytes[len - 8..]));
    if found != 0 {
        return len - 8 + (found.trailing_zeros() / 8) as usize;
    }
    len
}

/// The index of the first byte that cannot be in a key (a space, a control byte or DEL),
/// or `bytes.len()`.
#[inline(always)]
pub(crate) fn non_key_byte(bytes: &[u8]) -> usize {
    first(
        bytes,
        |x| bytes_below(x, 0x21) | zero_bytes(x ^ (ONES * 0x7F)),
        |b| b <= b' ' || b == 0x7F,
    )
}

/// The index of the first `needle`, or `bytes.len()`.
#[inline(always)]
pub(crate) fn find(needle: u8, bytes: &[u8]) -> usize {
    first(
        bytes,
        |x| zero_bytes(x ^ (ONES * needle as u64)),
        |b| b == needle,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_plain_loops() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for len in 0..70 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        // Mostly key bytes, sometimes a space, control byte, DEL or LF.
                        match x % 40 {
                            0 => b' ',
                            1 => 0x7F,
                            2 => b'\n',
                            3 => (x >> 8) as u8 % 0x20,
                            _ => 0x21 + (x >> 8) as u8 % 0xDE,
                        }
                    })
                    .collect();
                let key_end = bytes
                    .iter()
                    .position(|&b| b <= b' ' || b == 0x7F)
                    .unwrap_or(len);
                assert_eq!(non_key_byte(&bytes), key_end, "{bytes:?}");
                for needle in [b' ', b'\n', 0x7F] {
                    let at = bytes.iter().position(|&b| b == needle).unwrap_or(len);
                    assert_eq!(find(needle, &bytes), at, "{needle} in {bytes:?}");
                }
            }
        }
    }
}
