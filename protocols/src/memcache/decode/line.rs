//! Finding the end of a line without ever searching the same byte twice.

use memchr::memchr;

use super::scan::find;

/// Finds the first LF. Command lines are mostly short, and input trickling in byte by
/// byte hands the scan a window of a byte or two at a time: for a few words a word-wise
/// scan answers faster than memchr's vector setup, which wins on long lines.
#[inline(always)]
pub(crate) fn find_lf(haystack: &[u8]) -> Option<usize> {
    // A window may be long (a data block already in behind the line) while the line in it
    // is short: the first 64 bytes word-wise, the rest with memchr.
    let head = haystack.get(..64).unwrap_or(haystack);
    let at = find(b'\n', head);
    if at < head.len() {
        return Some(at);
    }
    let rest = &haystack[head.len()..];
    memchr(b'\n', rest).map(|i| head.len() + i)
}

/// Where a line ends, relative to where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineEnd {
    /// Length of the line's content: the terminator (LF or CRLF) excluded.
    pub(crate) end: usize,
    /// Length with the terminator: where the next line starts.
    pub(crate) next: usize,
}

impl LineEnd {
    /// Whether the line ended with a bare LF.
    #[inline]
    pub(crate) fn bare_lf(self) -> bool {
        self.next - self.end == 1
    }
}

/// Why a line could not be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// More bytes are needed.
    Pending,
    /// `max + 2` bytes arrived without an LF (or the line is longer than `max`): the line
    /// is over its limit.
    TooLong,
}

/// Looks for the LF ending the line at the front of `bytes`, starting from `*scanned`
/// (everything before it is known to hold no LF) and never looking past `max + 2` bytes,
/// room for the longest allowed line and its CRLF. Updates `*scanned`.
#[inline(always)]
pub(crate) fn scan_line(bytes: &[u8], scanned: &mut usize, max: usize) -> Result<LineEnd, Scan> {
    let horizon = bytes.len().min(max.saturating_add(2));
    let window = bytes.get(*scanned..horizon).unwrap_or_default();
    let Some(found) = find_lf(window) else {
        *scanned = horizon.max(*scanned);
        return Err(if horizon == max.saturating_add(2) {
            Scan::TooLong
        } else {
            Scan::Pending
        });
    };
    let lf = *scanned + found;
    let end = if lf > 0 && bytes[lf - 1] == b'\r' {
        lf - 1
    } else {
        lf
    };
    if end > max {
        return Err(Scan::TooLong);
    }
    Ok(LineEnd { end, next: lf + 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lf_and_crlf_ends() {
        let mut scanned = 0;
        assert_eq!(
            scan_line(b"ab\r\ncd", &mut scanned, 10),
            Ok(LineEnd { end: 2, next: 4 })
        );
        let mut scanned = 0;
        let bare = scan_line(b"ab\ncd", &mut scanned, 10).unwrap();
        assert!(bare.bare_lf() && bare.end == 2);
    }

    #[test]
    fn resumes_where_it_stopped() {
        let mut scanned = 0;
        assert_eq!(scan_line(b"abc", &mut scanned, 10), Err(Scan::Pending));
        assert_eq!(scanned, 3);
        assert_eq!(
            scan_line(b"abc\n", &mut scanned, 10),
            Ok(LineEnd { end: 3, next: 4 })
        );
    }

    #[test]
    fn stops_at_the_horizon() {
        let mut scanned = 0;
        assert_eq!(scan_line(b"abcdef", &mut scanned, 4), Err(Scan::TooLong));
        let mut scanned = 0;
        // Five bytes then a bare LF: one byte over, caught although the LF is in sight.
        assert_eq!(scan_line(b"abcde\n", &mut scanned, 4), Err(Scan::TooLong));
        let mut scanned = 0;
        assert!(scan_line(b"abcd\r\n", &mut scanned, 4).is_ok());
    }
}
