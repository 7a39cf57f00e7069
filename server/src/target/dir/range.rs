//! Byte ranges (RFC 9110 section 14): which part of a file a `Range` header asks for.
//!
//! Mongrel2 has no range support; nagrel answers one range with 206 and leaves
//! multipart/byteranges out: a request for several ranges gets the whole file with 200,
//! which RFC 9110 allows (a server may ignore Range). A Range that does not parse, or
//! uses another unit, is ignored the same way.
//!
//! ```text
//! bytes=0-499     the first 500 bytes
//! bytes=500-      from byte 500 to the end
//! bytes=-500      the last 500 bytes
//! ```

/// What to send for a Range header, given the file's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ByteRange {
    /// The whole file, 200.
    Full,
    /// `len` bytes from `start`, 206; `len` is at least 1 and the part lies in the file.
    Part { start: u64, len: u64 },
    /// Nothing of the file can be sent, 416.
    Unsatisfiable,
}

/// Reads a Range field value against a file of `size` bytes.
pub(super) fn byte_range(value: &[u8], size: u64) -> ByteRange {
    let Some(eq) = value.iter().position(|&b| b == b'=') else {
        return ByteRange::Full;
    };
    if !trim(&value[..eq]).eq_ignore_ascii_case(b"bytes") {
        return ByteRange::Full;
    }
    let mut specs = value[eq + 1..]
        .split(|&b| b == b',')
        .map(trim)
        .filter(|spec| !spec.is_empty());
    let (Some(spec), None) = (specs.next(), specs.next()) else {
        return ByteRange::Full;
    };
    let Some(dash) = spec.iter().position(|&b| b == b'-') else {
        return ByteRange::Full;
    };
    let (first, last) = (&spec[..dash], &spec[dash + 1..]);

    if first.is_empty() {
        // A suffix: the last `n` bytes.
        let Some(n) = number(last) else {
            return ByteRange::Full;
        };
        if n == 0 || size == 0 {
            return ByteRange::Unsatisfiable;
        }
        let len = n.min(size);
        return ByteRange::Part {
            start: size - len,
            len,
        };
    }

    let Some(start) = number(first) else {
        return ByteRange::Full;
    };
    let end = if last.is_empty() {
        None
    } else {
        match number(last) {
            Some(end) if end >= start => Some(end),
            // `a-b` with b < a, or not a number: an invalid range, ignored.
            _ => return ByteRange::Full,
        }
    };
    if start >= size {
        return ByteRange::Unsatisfiable;
    }
    let end = end.map_or(size - 1, |end| end.min(size - 1));
    ByteRange::Part {
        start,
        len: end - start + 1,
    }
}

/// One or more ASCII digits, saturating at `u64::MAX` (a position past any file).
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

fn trim(bytes: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !is_ows(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &str, size: u64) -> ByteRange {
        byte_range(value.as_bytes(), size)
    }

    fn part(start: u64, len: u64) -> ByteRange {
        ByteRange::Part { start, len }
    }

    #[test]
    fn the_three_forms() {
        assert_eq!(range("bytes=0-4", 10), part(0, 5));
        assert_eq!(range("bytes=3-", 10), part(3, 7));
        assert_eq!(range("bytes=-3", 10), part(7, 3));
        assert_eq!(range("bytes=9-9", 10), part(9, 1));
    }

    #[test]
    fn ends_past_the_file_are_clamped() {
        assert_eq!(range("bytes=5-100", 10), part(5, 5));
        assert_eq!(range("bytes=-100", 10), part(0, 10));
        assert_eq!(range("bytes=0-99999999999999999999999", 10), part(0, 10));
    }

    #[test]
    fn unsatisfiable() {
        assert_eq!(range("bytes=10-", 10), ByteRange::Unsatisfiable);
        assert_eq!(range("bytes=10-20", 10), ByteRange::Unsatisfiable);
        assert_eq!(range("bytes=-0", 10), ByteRange::Unsatisfiable);
        assert_eq!(range("bytes=0-", 0), ByteRange::Unsatisfiable);
        assert_eq!(range("bytes=-5", 0), ByteRange::Unsatisfiable);
        assert_eq!(
            range("bytes=99999999999999999999999-", 10),
            ByteRange::Unsatisfiable
        );
    }

    #[test]
    fn ignored_means_full() {
        for value in [
            "bytes=5-2",
            "bytes=0-1,3-4",
            "bytes=",
            "bytes=-",
            "bytes=a-b",
            "bytes=1",
            "bytes=--1",
            "bytes=+1-2",
            "items=0-1",
            "0-1",
            "",
        ] {
            assert_eq!(range(value, 10), ByteRange::Full, "{value:?}");
        }
    }

    #[test]
    fn whitespace_and_case_are_tolerated() {
        assert_eq!(range("Bytes = 1-2 ", 10), part(1, 2));
        assert_eq!(range("bytes=1-2,", 10), part(1, 2));
    }
}
