use bytes::Bytes;

use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::step::{Status, Step};

/// Default largest count [`read_bytes`] and [`ensure`] accept: 16 MiB.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Default largest input [`read_to_end`] buffers: 1 MiB.
pub const DEFAULT_MAX_TO_END: usize = 1024 * 1024;

/// Waits for exactly `n` bytes and yields them, split off without copying.
///
/// `n` is a `u64` so that a length parsed from the wire (by [`read_decimal`](crate::read_decimal),
/// say) chains straight in, `.then(read_bytes)`, with no cast that could truncate. It is
/// checked against
/// [`ReadBytes::max_len`] (default [`DEFAULT_MAX_BYTES`]) before anything is buffered,
/// and buffer room is reserved ahead of the value (up to 64 KiB at a time) instead of
/// growing the buffer byte by byte.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_bytes, read_u8, Driver, ErrorKind, StepExt};
///
/// // A length byte, then that many bytes; lengths above 3 are refused up front.
/// let mut driver = Driver::new(|| read_u8().then(|n| read_bytes(n.into()).max_len(3)));
/// let mut buf = BytesMut::from(&[2u8, b'h', b'i', 9][..]);
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"hi");
/// let err = driver.decode(&mut buf).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::LimitExceeded { limit: "read_bytes", max: 3 });
/// ```
pub fn read_bytes(n: u64) -> ReadBytes {
    ReadBytes {
        n,
        max: DEFAULT_MAX_BYTES,
    }
}

/// See [`read_bytes`].
#[derive(Debug, Clone)]
pub struct ReadBytes {
    n: u64,
    max: usize,
}

impl ReadBytes {
    /// Sets the largest `n` accepted.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

impl Step for ReadBytes {
    type Output = Bytes;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Bytes>, DecodeError> {
        // Checked as a u64 so that a length read from the wire cannot wrap on a 32-bit
        // target; under the limit it fits a usize.
        let n = match usize::try_from(self.n) {
            Ok(n) if n <= self.max => n,
            _ => {
                let limit = ErrorKind::LimitExceeded {
                    limit: "read_bytes",
                    max: self.max,
                };
                return Err(input.error_at(0, limit));
            }
        };
        match input.take_available(n) {
            Some(bytes) => Ok(Status::Ready(bytes)),
            None => pending_for(input, n),
        }
    }
}

/// Checks `n` against its limit: the one check every "wait for n bytes" step shares.
#[inline]
fn wait_for(
    input: &Input<'_>,
    n: usize,
    max: usize,
    limit: &'static str,
) -> Result<(), DecodeError> {
    if n > max {
        return Err(input.error_at(0, ErrorKind::LimitExceeded { limit, max }));
    }
    Ok(())
}

/// The "not enough yet" answer of a step waiting for `n` buffered bytes.
#[inline]
fn pending_for<T>(input: &mut Input<'_>, n: usize) -> Result<Status<T>, DecodeError> {
    if input.is_eof() {
        return Err(input.out_of_input());
    }
    input.reserve(n - input.len());
    Ok(Status::Pending)
}

/// Waits until `n` bytes are buffered without consuming them (naggati's peek-style
/// `readBytes`). Use it to make sure a following step finds its input in one piece.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{ensure, read_to_end, Driver, StepExt};
///
/// let mut driver = Driver::new(|| ensure(3).ignore_then(read_to_end()));
/// let mut buf = BytesMut::from(&b"ab"[..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), None);
/// buf.extend_from_slice(b"c");
/// assert_eq!(driver.decode_eof(&mut buf).unwrap().as_deref(), Some(&b"abc"[..]));
/// ```
pub fn ensure(n: usize) -> Ensure {
    Ensure {
        n,
        max: DEFAULT_MAX_BYTES,
    }
}

/// See [`ensure`].
#[derive(Debug, Clone)]
pub struct Ensure {
    n: usize,
    max: usize,
}

impl Ensure {
    /// Sets the largest `n` accepted.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

impl Step for Ensure {
    type Output = ();

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<()>, DecodeError> {
        wait_for(input, self.n, self.max, "ensure")?;
        if input.len() >= self.n {
            return Ok(Status::Ready(()));
        }
        pending_for(input, self.n)
    }
}

/// Waits until `n` bytes are buffered and yields `f` applied to them, without consuming
/// them: look at a tag before deciding how to read what follows.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{peek, read_line, read_u8, Driver, Either, StepExt};
///
/// // Text lines, unless the first byte is 0xFF: then a single binary byte follows it.
/// let mut driver = Driver::new(|| {
///     peek(1, |b| b[0] == 0xFF).then(|binary| {
///         if binary {
///             Either::Left(read_u8().ignore_then(read_u8()).map(|b| vec![b]))
///         } else {
///             Either::Right(read_line().map(|l| l.to_vec()))
///         }
///     })
/// });
/// let mut buf = BytesMut::from(&b"hi\n\xFF\x07"[..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(b"hi".to_vec()));
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(vec![7]));
/// ```
pub fn peek<T, F: FnOnce(&[u8]) -> T>(n: usize, f: F) -> Peek<F> {
    Peek {
        n,
        max: DEFAULT_MAX_BYTES,
        f: Some(f),
    }
}

/// See [`peek`].
#[derive(Debug, Clone)]
pub struct Peek<F> {
    n: usize,
    max: usize,
    f: Option<F>,
}

impl<F> Peek<F> {
    /// Sets the largest `n` accepted.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

impl<T, F: FnOnce(&[u8]) -> T> Step for Peek<F> {
    type Output = T;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<T>, DecodeError> {
        wait_for(input, self.n, self.max, "peek")?;
        if input.len() >= self.n {
            let f = self
                .f
                .take()
                .ok_or_else(|| input.error_at(0, ErrorKind::Finished))?;
            return Ok(Status::Ready(f(&input.bytes()[..self.n])));
        }
        pending_for(input, self.n)
    }
}

/// Discards exactly `n` bytes as they arrive, without buffering them.
///
/// `n` usually comes from the input, so it is checked against [`Skip::max_len`] (default
/// [`DEFAULT_MAX_BYTES`]) first: a hostile length must not keep a connection busy
/// discarding for ever.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_u8, skip, Driver, StepExt};
///
/// let mut driver = Driver::new(|| skip(2).ignore_then(read_u8()));
/// let mut buf = BytesMut::from(&[1u8, 2, 3][..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(3));
/// ```
pub fn skip(n: u64) -> Skip {
    Skip {
        remaining: n,
        max: DEFAULT_MAX_BYTES,
    }
}

/// See [`skip`].
#[derive(Debug, Clone)]
pub struct Skip {
    remaining: u64,
    max: usize,
}

impl Skip {
    /// Sets the largest `n` accepted.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

impl Step for Skip {
    type Output = ();

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<()>, DecodeError> {
        if self.remaining > self.max as u64 {
            let limit = ErrorKind::LimitExceeded {
                limit: "skip",
                max: self.max,
            };
            return Err(input.error_at(0, limit));
        }
        let now = (input.len() as u64).min(self.remaining) as usize;
        input.advance(now)?;
        self.remaining -= now as u64;
        if self.remaining == 0 {
            return Ok(Status::Ready(()));
        }
        input.wait()
    }
}

/// Requires the literal bytes `expected` next and consumes them.
///
/// Each byte is checked as soon as it arrives, so a wrong byte fails at once with
/// [`ErrorKind::Mismatch`] at its own offset.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{expect, read_line, Driver, ErrorKind, StepExt};
///
/// let mut driver = Driver::new(|| expect(b"+").ignore_then(read_line()));
/// let mut buf = BytesMut::from(&b"+OK\r\n-ERR\r\n"[..]);
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"OK");
/// let err = driver.decode(&mut buf).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Mismatch { expected: b'+', found: b'-' });
/// assert_eq!(err.offset(), 5);
/// ```
pub fn expect<L: AsRef<[u8]>>(expected: L) -> Expect<L> {
    Expect {
        expected,
        matched: 0,
    }
}

/// See [`expect`].
#[derive(Debug, Clone)]
pub struct Expect<L> {
    expected: L,
    matched: usize,
}

impl<L: AsRef<[u8]>> Step for Expect<L> {
    type Output = ();

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<()>, DecodeError> {
        let want = self
            .expected
            .as_ref()
            .get(self.matched..)
            .unwrap_or_default();
        let have = input.bytes();
        let n = want.len().min(have.len());
        if let Some(i) = (0..n).find(|&i| want[i] != have[i]) {
            let kind = ErrorKind::Mismatch {
                expected: want[i],
                found: have[i],
            };
            return Err(input.error_at(i, kind));
        }
        input.advance(n)?;
        self.matched += n;
        if n == want.len() {
            return Ok(Status::Ready(()));
        }
        input.wait()
    }
}

/// Reads everything up to the end of the stream (or of the enclosing
/// [`limit`](crate::StepExt::limit)) and yields it, for EOF-delimited messages.
///
/// Bounded by [`ReadToEnd::max_len`] (default [`DEFAULT_MAX_TO_END`]).
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_to_end, Driver};
///
/// let mut driver = Driver::new(read_to_end);
/// let mut buf = BytesMut::from(&b"until the peer closes"[..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), None);
/// let all = driver.decode_eof(&mut buf).unwrap().unwrap();
/// assert_eq!(&all[..], b"until the peer closes");
/// ```
pub fn read_to_end() -> ReadToEnd {
    ReadToEnd {
        max: DEFAULT_MAX_TO_END,
    }
}

/// See [`read_to_end`].
#[derive(Debug, Clone)]
pub struct ReadToEnd {
    max: usize,
}

impl ReadToEnd {
    /// Sets the most bytes buffered before giving up.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

impl Step for ReadToEnd {
    type Output = Bytes;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Bytes>, DecodeError> {
        if input.len() > self.max {
            let limit = ErrorKind::LimitExceeded {
                limit: "read_to_end",
                max: self.max,
            };
            return Err(input.error_at(self.max, limit));
        }
        if input.is_eof() {
            let n = input.len();
            return input.take(n).map(Status::Ready);
        }
        Ok(Status::Pending)
    }
}
