use bytes::Bytes;
use memchr::memchr;
use memchr::memmem;

use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::step::{Status, Step};

/// Finds `needle` in `haystack`. Input trickling in byte by byte hands a scanning step a
/// window of one or two new bytes at a time; a plain loop answers those faster than
/// memchr's setup, which wins from a few words up.
#[inline(always)]
pub(crate) fn find_byte(needle: u8, haystack: &[u8]) -> Option<usize> {
    if haystack.len() < 16 {
        haystack.iter().position(|&b| b == needle)
    } else {
        memchr(needle, haystack)
    }
}

/// Default longest run the scanning steps buffer before giving up: 64 KiB.
pub const DEFAULT_MAX_SCAN: usize = 64 * 1024;

/// The limit error shared by the scanning steps.
fn too_long(input: &Input<'_>, limit: &'static str, max: usize) -> DecodeError {
    input.error_at(max, ErrorKind::LimitExceeded { limit, max })
}

/// Reads up to the byte `delim`, consumes the delimiter, and yields what came before it.
///
/// Like [`read_line`](crate::read_line) for any delimiter: resumable without rescanning,
/// zero-copy, bounded by [`ReadUntil::max_len`] (default [`DEFAULT_MAX_SCAN`], delimiter
/// excluded). [`ReadUntil::keep_delimiter`] leaves the delimiter at the end of the output.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_bytes, read_until, Driver, ErrorKind, StepExt};
///
/// // A netstring: "5:hello,".
/// let mut driver = Driver::new(|| {
///     read_until(b':')
///         .max_len(9)
///         .try_map(|len| {
///             std::str::from_utf8(&len).ok().and_then(|s| s.parse().ok())
///                 .ok_or(ErrorKind::Invalid("bad netstring length"))
///         })
///         .then(read_bytes)
///         .then_ignore(nagrel_decoder::expect(b","))
/// });
/// let mut buf = BytesMut::from(&b"5:hello,0:,"[..]);
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"hello");
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"");
/// ```
pub fn read_until(delim: u8) -> ReadUntil {
    ReadUntil {
        delim,
        max: DEFAULT_MAX_SCAN,
        keep: false,
        scanned: 0,
    }
}

/// See [`read_until`].
#[derive(Debug, Clone)]
pub struct ReadUntil {
    delim: u8,
    max: usize,
    keep: bool,
    scanned: usize,
}

impl ReadUntil {
    /// Sets the longest output accepted, delimiter excluded.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }

    /// Includes the delimiter at the end of the output.
    pub fn keep_delimiter(mut self) -> Self {
        self.keep = true;
        self
    }
}

impl Step for ReadUntil {
    type Output = Bytes;

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Bytes>, DecodeError> {
        let bytes = input.bytes();
        let horizon = bytes.len().min(self.max.saturating_add(1));
        let Some(found) = bytes
            .get(self.scanned..horizon)
            .and_then(|b| find_byte(self.delim, b))
        else {
            self.scanned = horizon;
            if horizon == self.max.saturating_add(1) {
                return Err(too_long(input, "read_until", self.max));
            }
            return input.wait();
        };
        let at = self.scanned + found;
        if self.keep {
            return input.take(at + 1).map(Status::Ready);
        }
        let out = input.take(at)?;
        input.advance(1)?;
        Ok(Status::Ready(out))
    }
}

/// Reads up to the byte sequence `delim` (such as `b"\r\n\r\n"`), consumes it, and yields
/// what came before it.
///
/// After each miss only the last `delim.len() - 1` bytes are searched again, since a
/// delimiter may straddle two arrivals. Bounded by [`ReadUntilSeq::max_len`] (default
/// [`DEFAULT_MAX_SCAN`], delimiter excluded).
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_until_seq, Driver};
///
/// let mut driver = Driver::new(|| read_until_seq(b"\r\n\r\n"));
/// let mut buf = BytesMut::from(&b"GET / HTTP/1.1\r\nHost: a\r\n\r"[..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), None);
/// buf.extend_from_slice(b"\nbody");
/// let head = driver.decode(&mut buf).unwrap().unwrap();
/// assert_eq!(&head[..], b"GET / HTTP/1.1\r\nHost: a");
/// assert_eq!(&buf[..], b"body");
/// ```
pub fn read_until_seq<L: AsRef<[u8]>>(delim: L) -> ReadUntilSeq<L> {
    ReadUntilSeq {
        delim,
        max: DEFAULT_MAX_SCAN,
        keep: false,
        scanned: 0,
    }
}

/// See [`read_until_seq`].
#[derive(Debug, Clone)]
pub struct ReadUntilSeq<L> {
    delim: L,
    max: usize,
    keep: bool,
    scanned: usize,
}

impl<L> ReadUntilSeq<L> {
    /// Sets the longest output accepted, delimiter excluded.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }

    /// Includes the delimiter at the end of the output.
    pub fn keep_delimiter(mut self) -> Self {
        self.keep = true;
        self
    }
}

impl<L: AsRef<[u8]>> Step for ReadUntilSeq<L> {
    type Output = Bytes;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Bytes>, DecodeError> {
        let delim = self.delim.as_ref();
        if delim.is_empty() {
            return Ok(Status::Ready(Bytes::new()));
        }
        let bytes = input.bytes();
        let horizon = bytes.len().min(self.max.saturating_add(delim.len()));
        let window = bytes.get(self.scanned..horizon).unwrap_or_default();
        let Some(found) = memmem::find(window, delim) else {
            // The tail shorter than the delimiter may be the start of one: search it again.
            self.scanned = self.scanned.max(horizon.saturating_sub(delim.len() - 1));
            if horizon == self.max.saturating_add(delim.len()) {
                return Err(too_long(input, "read_until_seq", self.max));
            }
            return input.wait();
        };
        let at = self.scanned + found;
        if self.keep {
            return input.take(at + delim.len()).map(Status::Ready);
        }
        let out = input.take(at)?;
        input.advance(delim.len())?;
        Ok(Status::Ready(out))
    }
}

/// Reads the longest run of bytes for which `pred` holds and yields it; the first byte
/// that fails `pred` stays in the input. At end of input the run read so far is complete.
///
/// Bounded by [`TakeWhile::max_len`] (default [`DEFAULT_MAX_SCAN`]).
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{take_until, take_while, Driver, StepExt};
///
/// let mut driver = Driver::new(|| {
///     take_while(|b| b.is_ascii_alphabetic()).and(take_until(|b| b == b';'))
/// });
/// let mut buf = BytesMut::from(&b"abc123;"[..]);
/// let (word, digits) = driver.decode(&mut buf).unwrap().unwrap();
/// assert_eq!((&word[..], &digits[..]), (&b"abc"[..], &b"123"[..]));
/// assert_eq!(&buf[..], b";");
/// ```
pub fn take_while<P: FnMut(u8) -> bool>(pred: P) -> TakeWhile<P> {
    TakeWhile {
        pred,
        stop_when: false,
        max: DEFAULT_MAX_SCAN,
        scanned: 0,
    }
}

/// Reads bytes up to (not including) the first one for which `pred` holds; the opposite
/// of [`take_while`], with the same limits.
pub fn take_until<P: FnMut(u8) -> bool>(pred: P) -> TakeWhile<P> {
    TakeWhile {
        pred,
        stop_when: true,
        max: DEFAULT_MAX_SCAN,
        scanned: 0,
    }
}

/// See [`take_while`] and [`take_until`].
#[derive(Debug, Clone)]
pub struct TakeWhile<P> {
    pred: P,
    stop_when: bool,
    max: usize,
    scanned: usize,
}

impl<P> TakeWhile<P> {
    /// Sets the longest run accepted.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

impl<P: FnMut(u8) -> bool> Step for TakeWhile<P> {
    type Output = Bytes;

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Bytes>, DecodeError> {
        let bytes = input.bytes();
        let horizon = bytes.len().min(self.max.saturating_add(1));
        let window = bytes.get(self.scanned..horizon).unwrap_or_default();
        let stop = window
            .iter()
            .position(|&b| (self.pred)(b) == self.stop_when);
        let end = match stop {
            Some(i) => self.scanned + i,
            None => {
                self.scanned = horizon;
                if horizon == self.max.saturating_add(1) {
                    return Err(too_long(input, "take_while", self.max));
                }
                if !input.is_eof() {
                    return Ok(Status::Pending);
                }
                horizon
            }
        };
        if end > self.max {
            return Err(too_long(input, "take_while", self.max));
        }
        input.take(end).map(Status::Ready)
    }
}

/// Discards bytes up to and including `delim` as they arrive, without buffering them:
/// resynchronising after an error, or ignoring the rest of a line of any length.
///
/// Bounded by [`SkipThrough::max_len`] (default 1 MiB) so that a peer that never sends the
/// delimiter is still cut off.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_line, skip_through, Driver, StepExt};
///
/// let mut driver = Driver::new(|| skip_through(b'\n').ignore_then(read_line()));
/// let mut buf = BytesMut::from(&b"junk junk\nkeep\n"[..]);
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"keep");
/// ```
pub fn skip_through(delim: u8) -> SkipThrough {
    SkipThrough {
        delim,
        max: 1024 * 1024,
        skipped: 0,
    }
}

/// See [`skip_through`].
#[derive(Debug, Clone)]
pub struct SkipThrough {
    delim: u8,
    max: usize,
    skipped: usize,
}

impl SkipThrough {
    /// Sets the most bytes discarded, delimiter included.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

impl Step for SkipThrough {
    type Output = ();

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<()>, DecodeError> {
        let found = find_byte(self.delim, input.bytes());
        let n = found.map_or(input.len(), |i| i + 1);
        let room = self.max - self.skipped;
        if n > room {
            let limit = ErrorKind::LimitExceeded {
                limit: "skip_through",
                max: self.max,
            };
            return Err(input.error_at(room, limit));
        }
        input.advance(n)?;
        self.skipped += n;
        if found.is_some() {
            return Ok(Status::Ready(()));
        }
        input.wait()
    }
}
