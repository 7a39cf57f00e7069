use bytes::Bytes;

use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::step::{Status, Step};
use crate::steps::scan::find_byte;

/// Default longest line [`read_line`] accepts, terminator excluded: 8 KiB.
pub const DEFAULT_MAX_LINE: usize = 8 * 1024;

/// Reads one line ended by LF or CRLF and yields it without its terminator.
///
/// The line is split off the input without copying. Bytes already searched are never
/// searched again when more input arrives. A line longer than [`ReadLine::max_len`]
/// (default [`DEFAULT_MAX_LINE`]) fails once `max + 2` bytes (room for the longest line and
/// its CRLF) have arrived without an LF, without waiting for the line's end;
/// [`ReadLine::crlf`] rejects bare LF endings. Input that ends before the LF is
/// [`ErrorKind::UnexpectedEof`].
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_line, Driver, ErrorKind};
///
/// let mut driver = Driver::new(read_line);
/// let mut buf = BytesMut::from(&b"unix\nwindows\r\npart"[..]);
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"unix");
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"windows");
/// assert_eq!(driver.decode(&mut buf).unwrap(), None); // "part" waits for its LF
///
/// let mut strict = Driver::new(|| read_line().crlf());
/// let err = strict.decode(&mut BytesMut::from(&b"bare\n"[..])).unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ErrorKind::BadLineEnding, 4));
/// ```
pub fn read_line() -> ReadLine {
    ReadLine {
        max: DEFAULT_MAX_LINE,
        crlf: false,
        scanned: 0,
    }
}

/// See [`read_line`].
#[derive(Debug, Clone)]
pub struct ReadLine {
    max: usize,
    crlf: bool,
    scanned: usize,
}

impl ReadLine {
    /// Sets the longest line accepted, terminator excluded.
    pub fn max_len(mut self, max: usize) -> Self {
        self.max = max;
        self
    }

    /// Requires CRLF: a bare LF is [`ErrorKind::BadLineEnding`].
    pub fn crlf(mut self) -> Self {
        self.crlf = true;
        self
    }
}

impl Step for ReadLine {
    type Output = Bytes;

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Bytes>, DecodeError> {
        let bytes = input.bytes();
        // Past `max + 2` bytes no terminator could end a line short enough.
        let horizon = bytes.len().min(self.max.saturating_add(2));
        let Some(found) = bytes
            .get(self.scanned..horizon)
            .and_then(|b| find_byte(b'\n', b))
        else {
            self.scanned = horizon;
            if horizon == self.max.saturating_add(2) {
                let limit = ErrorKind::LimitExceeded {
                    limit: "read_line",
                    max: self.max,
                };
                return Err(input.error_at(self.max, limit));
            }
            return input.wait();
        };
        let lf = self.scanned + found;
        let end = if lf > 0 && bytes[lf - 1] == b'\r' {
            lf - 1
        } else if self.crlf {
            return Err(input.error_at(lf, ErrorKind::BadLineEnding));
        } else {
            lf
        };
        if end > self.max {
            let limit = ErrorKind::LimitExceeded {
                limit: "read_line",
                max: self.max,
            };
            return Err(input.error_at(self.max, limit));
        }
        let line = input.take(end)?;
        input.advance(lf + 1 - end)?;
        Ok(Status::Ready(line))
    }
}
