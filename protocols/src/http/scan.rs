//! Byte-class scans over field names, field values and request targets, sixteen bytes at a time.
//!
//! Values and targets are long and almost always plain text, so the common case is a block
//! with no byte to stop at: one test per sixteen bytes. Each scan reduces a block to a bit
//! mask of the bytes it stops at and takes the lowest bit. On x86-64 the mask comes from
//! SSE2, which every x86-64 processor has; elsewhere from a plain loop.
//!
//! Blocks never reach past the slice: the bytes after the last whole block are tested one
//! by one.

/// A byte allowed in a field value or reason phrase: HTAB, SP, visible ASCII, obs-text.
#[inline]
pub(crate) fn is_text(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7F)
}

/// A byte allowed in a request target: visible ASCII.
#[inline]
pub(crate) fn is_target(b: u8) -> bool {
    (0x21..=0x7E).contains(&b)
}

/// A control byte (HTAB, CR and LF among them) or DEL: where a value scan stops.
#[inline]
fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7F
}

/// `tchar` from RFC 9110 section 5.6.2, as a lookup table.
const TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    t
};

/// A byte of nearly every field name and method: an ASCII letter, a digit or `-`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn is_common_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

type Block = [u8; 16];

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod block {
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8, _mm_sub_epi8,
    };

    use super::Block;

    #[inline(always)]
    fn load(block: &Block) -> __m128i {
        // SAFETY: `block` is 16 readable bytes and `loadu` has no alignment requirement.
        unsafe { _mm_loadu_si128(block.as_ptr().cast()) }
    }

    /// Bit i set when byte i is a control byte or DEL.
    #[inline(always)]
    pub(super) fn controls(block: &Block) -> u32 {
        // SAFETY: SSE2 is enabled for this target (the cfg above), and these intrinsics
        // only compute on registers.
        unsafe {
            let v = load(block);
            let low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
            let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F));
            _mm_movemask_epi8(_mm_or_si128(low, del)) as u32
        }
    }

    /// Bit i set when byte i is not an ASCII letter, a digit or `-`.
    #[inline(always)]
    pub(super) fn uncommon_name_bytes(block: &Block) -> u32 {
        // SAFETY: as in `controls`.
        unsafe {
            let v = load(block);
            // `x - lo <= hi - lo`, unsigned, is `lo <= x <= hi`; setting bit 5 folds
            // capitals onto small letters and moves no other byte into `a..=z`.
            let in_range = |x: __m128i, lo: u8, hi: u8| {
                let d = _mm_sub_epi8(x, _mm_set1_epi8(lo as i8));
                _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8((hi - lo) as i8)), d)
            };
            let letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'z');
            let digit = in_range(v, b'0', b'9');
            let hyphen = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8));
            let common = _mm_or_si128(_mm_or_si128(letter, digit), hyphen);
            !(_mm_movemask_epi8(common) as u32) & 0xFFFF
        }
    }

    /// Bit i set when byte i is not visible ASCII.
    #[inline(always)]
    pub(super) fn non_visible(block: &Block) -> u32 {
        // SAFETY: as in `controls`.
        unsafe {
            let v = load(block);
            // A signed compare: 0x21..=0x7F are above 0x20, bytes from 0x80 are negative.
            let above_space = _mm_cmpgt_epi8(v, _mm_set1_epi8(0x20));
            let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F));
            (!_mm_movemask_epi8(above_space) | _mm_movemask_epi8(del)) as u32 & 0xFFFF
        }
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
mod block {
    use super::{is_common_name_byte, is_control, is_target, Block};

    fn mask(block: &Block, stop: impl Fn(u8) -> bool) -> u32 {
        block
            .iter()
            .enumerate()
            .fold(0, |m, (i, &b)| m | u32::from(stop(b)) << i)
    }

    pub(super) fn controls(block: &Block) -> u32 {
        mask(block, is_control)
    }

    pub(super) fn non_visible(block: &Block) -> u32 {
        mask(block, |b| !is_target(b))
    }

    pub(super) fn uncommon_name_bytes(block: &Block) -> u32 {
        mask(block, |b| !is_common_name_byte(b))
    }
}

/// The index of the first byte of `s` whose bit `mask` sets (`stop` is the same test for
/// one byte).
#[inline(always)]
fn first_stop(s: &[u8], mask: fn(&Block) -> u32, stop: fn(u8) -> bool) -> Option<usize> {
    let mut at = 0;
    let mut blocks = s.chunks_exact(16);
    for block in blocks.by_ref() {
        let m = mask(block.try_into().unwrap_or(&[0; 16]));
        if m != 0 {
            return Some(at + m.trailing_zeros() as usize);
        }
        at += 16;
    }
    // The tail is short: at the end of a buffer, or a byte that just trickled in.
    blocks
        .remainder()
        .iter()
        .position(|&b| stop(b))
        .map(|i| at + i)
}

/// The first control byte or DEL in `s`: the end of a value's plain text.
#[inline]
pub(crate) fn find_control(s: &[u8]) -> Option<usize> {
    first_stop(s, block::controls, is_control)
}

/// The first byte of `s` that may not appear in a field value, if any.
#[inline]
pub(crate) fn first_non_text(s: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(i) = find_control(&s[at..]) {
        if s[at + i] != b'\t' {
            return Some(at + i);
        }
        at += i + 1;
    }
    None
}

/// The length of the run of `tchar` at the start of `s`: a field name or method. Runs of
/// letters, digits and `-` go sixteen bytes at a time; any other byte is looked up.
#[inline(always)]
pub(crate) fn token_len(s: &[u8]) -> usize {
    if s.len() >= 16 {
        return token_len_in_blocks(s);
    }
    // A few bytes: at the end of a buffer, or trickling in.
    s.iter()
        .position(|&b| !TCHAR[usize::from(b)])
        .unwrap_or(s.len())
}

/// [`token_len`] sixteen bytes at a time, kept out of line so that callers resuming on a
/// byte or two stay small.
#[inline(never)]
fn token_len_in_blocks(s: &[u8]) -> usize {
    let mut at = 0;
    while let Some(block) = s.get(at..at + 16) {
        let m = block::uncommon_name_bytes(block.try_into().unwrap_or(&[0; 16]));
        if m == 0 {
            at += 16;
            continue;
        }
        let i = at + m.trailing_zeros() as usize;
        if !TCHAR[usize::from(s[i])] {
            return i;
        }
        at = i + 1;
    }
    let rest = &s[at.min(s.len())..];
    at + rest
        .iter()
        .position(|&b| !TCHAR[usize::from(b)])
        .unwrap_or(rest.len())
}

/// The length of the run of visible ASCII at the start of `s`.
#[inline]
pub(crate) fn target_len(s: &[u8]) -> usize {
    first_stop(s, block::non_visible, |b| !is_target(b)).unwrap_or(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![6 => 0x21u8..0x7F, 1 => any::<u8>(), 1 => Just(b'\t'), 1 => Just(0x7F)],
            0..40,
        )
    }

    proptest! {
        #[test]
        fn value_scan_matches_the_byte_test(s in bytes()) {
            prop_assert_eq!(first_non_text(&s), s.iter().position(|&b| !is_text(b)));
            prop_assert_eq!(find_control(&s), s.iter().position(|&b| is_control(b)));
        }

        #[test]
        fn token_scan_matches_the_table(s in bytes()) {
            prop_assert_eq!(token_len(&s), s.iter().position(|&b| !TCHAR[usize::from(b)]).unwrap_or(s.len()));
        }

        #[test]
        fn target_scan_matches_the_byte_test(s in bytes()) {
            prop_assert_eq!(target_len(&s), s.iter().position(|&b| !is_target(b)).unwrap_or(s.len()));
        }
    }

    #[test]
    fn every_byte_in_every_position() {
        for len in [1, 15, 16, 17, 33] {
            for b in 0..=255u8 {
                for pos in 0..len {
                    let mut s = vec![b'a'; len];
                    s[pos] = b;
                    let want = s.iter().position(|&x| !is_text(x));
                    assert_eq!(first_non_text(&s), want, "byte {b:#x} at {pos} of {len}");
                    let want = s.iter().position(|&x| is_control(x));
                    assert_eq!(find_control(&s), want, "byte {b:#x} at {pos} of {len}");
                    let want = s.iter().position(|&x| !is_target(x)).unwrap_or(len);
                    assert_eq!(target_len(&s), want, "byte {b:#x} at {pos} of {len}");
                    let want = s
                        .iter()
                        .position(|&x| !TCHAR[usize::from(x)])
                        .unwrap_or(len);
                    assert_eq!(token_len(&s), want, "byte {b:#x} at {pos} of {len}");
                }
            }
        }
    }
}
