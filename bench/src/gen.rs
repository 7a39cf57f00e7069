//! Deterministic pseudo-random workloads: a tiny xorshift, so every run (and the criterion
//! benches) sees exactly the same bytes without depending on `rand`.

/// Marsaglia's xorshift64: fast, deterministic, good enough to vary lengths and bytes.
#[derive(Debug, Clone)]
pub struct XorShift64(u64);

impl XorShift64 {
    /// A generator starting from `seed` (zero is replaced, xorshift would stay at zero).
    pub fn new(seed: u64) -> Self {
        XorShift64(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 pseudo-random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `lo..=hi` (slightly biased, which does not matter here).
    #[inline]
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// A byte, any value.
    #[inline]
    pub fn byte(&mut self) -> u8 {
        (self.next_u64() >> 32) as u8
    }

    /// A printable ASCII byte (`' '..='~'`).
    #[inline]
    pub fn printable(&mut self) -> u8 {
        self.range(u64::from(b' '), u64::from(b'~')) as u8
    }

    /// Appends `n` arbitrary bytes to `out`.
    pub fn fill(&mut self, out: &mut Vec<u8>, n: usize) {
        out.extend((0..n).map(|_| self.byte()));
    }
}

#[cfg(test)]
mod tests {
    use super::XorShift64;

    #[test]
    fn deterministic_and_in_range() {
        let mut a = XorShift64::new(7);
        let mut b = XorShift64::new(7);
        for _ in 0..1000 {
            let (x, y) = (a.range(3, 9), b.range(3, 9));
            assert_eq!(x, y);
            assert!((3..=9).contains(&x));
            assert!((b' '..=b'~').contains(&a.printable()));
            b.printable();
        }
    }
}
