//! Byte-class scans over header values and request targets, eight bytes at a time.
//!
//! Values are long and almost always plain text, so the common case is a word with no byte
//! to look at: one test per eight bytes. A word that has a suspect byte (a control byte,
//! DEL, or for values a tab, which is allowed) falls back to the exact byte test for that
//! word only.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

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

/// Whether some byte of `w` is below `n` (n <= 128). May flag extra bytes above a true
/// one, never misses one.
#[inline]
fn has_less(w: u64, n: u8) -> bool {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS != 0
}

/// Whether some byte of `w` is above `n` (n < 128).
#[inline]
fn has_more(w: u64, n: u8) -> bool {
    (w.wrapping_add(ONES * u64::from(127 - n)) | w) & HIGHS != 0
}

/// Whether some byte of `w` is `b`.
#[inline]
fn has_byte(w: u64, b: u8) -> bool {
    has_less(w ^ (ONES * u64::from(b)), 1)
}

/// The first byte of `s` that may not appear in a field value, if any.
#[inline]
pub(crate) fn first_non_text(s: &[u8]) -> Option<usize> {
    let mut words = s.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        // Control bytes (tab among them) and DEL need a closer look; obs-text does not.
        if has_less(w, 0x20) || has_byte(w, 0x7F) {
            if let Some(i) = word.iter().position(|&b| !is_text(b)) {
                return Some(at + i);
            }
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| !is_text(b))
        .map(|i| at + i)
}

/// The length of the run of visible ASCII at the start of `s`.
#[inline]
pub(crate) fn target_len(s: &[u8]) -> usize {
    let mut words = s.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        if has_less(w, 0x21) || has_more(w, 0x7E) {
            return at + word.iter().position(|&b| !is_target(b)).unwrap_or(8);
        }
        at += 8;
    }
    at + words
        .remainder()
        .iter()
        .position(|&b| !is_target(b))
        .unwrap_or(words.remainder().len())
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
        }

        #[test]
        fn target_scan_matches_the_byte_test(s in bytes()) {
            prop_assert_eq!(target_len(&s), s.iter().position(|&b| !is_target(b)).unwrap_or(s.len()));
        }
    }

    #[test]
    fn every_byte_in_every_position() {
        for b in 0..=255u8 {
            for pos in 0..17 {
                let mut s = vec![b'a'; 17];
                s[pos] = b;
                let want = s.iter().position(|&x| !is_text(x));
                assert_eq!(first_non_text(&s), want, "byte {b:#x} at {pos}");
                let want = s.iter().position(|&x| !is_target(x)).unwrap_or(17);
                assert_eq!(target_len(&s), want, "byte {b:#x} at {pos}");
            }
        }
    }
}
