//! Runs a decoder message after message over a receive buffer.

use bytes::BytesMut;

use crate::combinators::BoxedStep;
use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::step::{Status, Step};

type Recovery = Box<dyn FnMut(&DecodeError) -> Option<BoxedStep<'static, ()>> + Send>;

/// Decodes a stream of messages: builds a fresh step from `make` for every message and
/// resumes it as bytes arrive.
///
/// The driver is the bridge between a connection's receive buffer and a decoder. Call
/// [`decode`](Driver::decode) whenever bytes were appended; it returns one message per call
/// (call again: several may be buffered), or `None` when it needs more. At the end of the
/// stream call [`decode_eof`](Driver::decode_eof): it completes EOF-delimited steps and
/// reports a message cut off by the end as [`ErrorKind::UnexpectedEof`].
///
/// Errors carry absolute stream offsets. After an error the driver is failed: every later
/// call returns the same error, so no byte after a framing error is ever interpreted,
/// unless the protocol opted into [`recover_with`](Driver::recover_with).
///
/// With the `codec` feature the driver is a `tokio_util::codec::Decoder`.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_line, Driver, ErrorKind};
///
/// let mut driver = Driver::new(read_line);
/// let mut buf = BytesMut::new();
/// buf.extend_from_slice(b"one\ntw");
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"one");
/// assert_eq!(driver.decode(&mut buf).unwrap(), None);
/// buf.extend_from_slice(b"o\nthr");
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"two");
/// // The stream ends in the middle of "thr".
/// let err = driver.decode_eof(&mut buf).unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ErrorKind::UnexpectedEof, 11));
/// ```
pub struct Driver<F, S> {
    make: F,
    state: Option<S>,
    offset: u64,
    message_start: u64,
    failed: Option<DecodeError>,
    /// Set while `failed` or `recovering` is: one flag for the hot path to test.
    interrupted: bool,
    recovery: Option<Recovery>,
    recovering: Option<BoxedStep<'static, ()>>,
}

impl<F, S> core::fmt::Debug for Driver<F, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Driver")
            .field("offset", &self.offset)
            .field("in_message", &self.state.is_some())
            .field("failed", &self.failed)
            .field("recovering", &self.recovering.is_some())
            .finish_non_exhaustive()
    }
}

impl<F, S> Driver<F, S>
where
    F: FnMut() -> S,
    S: Step,
{
    /// A driver building each message's step with `make`.
    pub fn new(make: F) -> Self {
        Driver {
            make,
            state: None,
            offset: 0,
            message_start: 0,
            failed: None,
            interrupted: false,
            recovery: None,
            recovering: None,
        }
    }

    /// Lets the driver carry on after an error: `recover` sees the error and returns a step
    /// that skips to the next place a message can start (or `None` to stay failed). The
    /// error is still reported once; decoding resumes after the recovery step finishes.
    ///
    /// The recovery step starts where the error was found (or after the failed message's
    /// consumed bytes, if further), so the outcome does not depend on how the input was
    /// split. A recovery that leaves the driver where the failed message began fails for
    /// good instead of looping. Note that `tokio_util`'s `FramedRead` ends its stream after
    /// the first error; to recover there, keep polling after it or drive the decoder
    /// yourself.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use nagrel_decoder::{read_line, skip_through, Driver, StepExt};
    ///
    /// // Lines of at most 3 bytes; a longer one is reported and skipped.
    /// let mut driver = Driver::new(|| read_line().max_len(3))
    ///     .recover_with(|_| Some(skip_through(b'\n').boxed()));
    /// let mut buf = BytesMut::from(&b"toolong\nok\n"[..]);
    /// assert!(driver.decode(&mut buf).is_err());
    /// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"ok");
    /// ```
    pub fn recover_with<R>(mut self, recover: R) -> Self
    where
        R: FnMut(&DecodeError) -> Option<BoxedStep<'static, ()>> + Send + 'static,
    {
        self.recovery = Some(Box::new(recover));
        self
    }

    /// Starts counting offsets at `offset` instead of 0: for a stream whose first bytes
    /// were consumed by other code (a body decoder between two heads, say).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use nagrel_decoder::{expect, Driver};
    ///
    /// let mut driver = Driver::new(|| expect(b"x")).starting_at(100);
    /// let err = driver.decode(&mut BytesMut::from(&b"y"[..])).unwrap_err();
    /// assert_eq!(err.offset(), 100);
    /// ```
    pub fn starting_at(mut self, offset: u64) -> Self {
        self.offset = offset;
        self.message_start = offset;
        self
    }

    /// Absolute offset of the next unconsumed byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether a message has started and is waiting for the rest of its bytes.
    pub fn in_message(&self) -> bool {
        self.state.is_some() || self.recovering.is_some()
    }

    /// The error that stopped the driver, if it is failed.
    pub fn failed(&self) -> Option<DecodeError> {
        self.failed
    }

    /// Decodes the next message from the front of `buf`, consuming its bytes.
    ///
    /// `Ok(None)` means more bytes are needed.
    #[inline]
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<S::Output>, DecodeError> {
        self.run(buf, false)
    }

    /// Like [`decode`](Driver::decode), knowing that `buf` holds the last bytes of the
    /// stream. `Ok(None)` then means the stream ended cleanly between messages.
    #[inline]
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<S::Output>, DecodeError> {
        self.run(buf, true)
    }

    // Inlined: the driver is the per-message hot path, and a call boundary here costs as
    // much as a short line's whole scan.
    #[inline]
    fn run(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<S::Output>, DecodeError> {
        if self.interrupted && !self.resume_after_error(buf, eof)? {
            return Ok(None);
        }
        // Nothing buffered and no message under way: waiting costs nothing, and a clean end
        // of stream is not an error.
        if buf.is_empty() && self.state.is_none() {
            return Ok(None);
        }
        if self.state.is_none() {
            self.message_start = self.offset;
        }
        let step = self.state.get_or_insert_with(&mut self.make);
        let mut input = Input::new(buf, self.offset, eof);
        let result = step.resume(&mut input);
        self.offset = input.offset();
        drop(input);
        match result {
            Ok(Status::Ready(msg)) => {
                self.state = None;
                if self.offset == self.message_start && !buf.is_empty() {
                    // A message made of no bytes would be produced forever from the same
                    // input; refuse it instead of spinning the caller.
                    return self.fail(0, ErrorKind::Invalid("message consumed no input"));
                }
                Ok(Some(msg))
            }
            Ok(Status::Pending) if eof => self.fail(buf.len(), ErrorKind::UnexpectedEof),
            Ok(Status::Pending) => Ok(None),
            Err(err) => {
                self.state = None;
                self.error(err, eof, buf)
            }
        }
    }

    /// The rare path after an error: a failed driver repeats its error; a recovering one
    /// runs its recovery step. `Ok(true)` means decoding may go on.
    #[cold]
    #[inline(never)]
    fn resume_after_error(&mut self, buf: &mut BytesMut, eof: bool) -> Result<bool, DecodeError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let Some(recovery) = self.recovering.as_mut() else {
            self.interrupted = false;
            return Ok(true);
        };
        let mut input = Input::new(buf, self.offset, eof);
        let result = recovery.resume(&mut input);
        self.offset = input.offset();
        drop(input);
        match result {
            Ok(Status::Ready(())) if self.offset == self.message_start => {
                // Nothing of the failed message was skipped: decoding would fail at the
                // same place again, for ever.
                self.fail(0, ErrorKind::Invalid("recovery made no progress"))
            }
            Ok(Status::Ready(())) => {
                self.recovering = None;
                self.interrupted = false;
                Ok(true)
            }
            Ok(Status::Pending) if eof => self.fail(buf.len(), ErrorKind::UnexpectedEof),
            Ok(Status::Pending) => Ok(false),
            Err(err) => {
                self.recovering = None;
                self.failed = Some(err);
                Err(err)
            }
        }
    }

    /// Stops for good with an error found `at` bytes past the current offset: a message
    /// cut off by the end of the stream, a decoder that produced a message from no input,
    /// or a recovery that made no progress. None of them leaves anything a recovery step
    /// could resynchronise on.
    #[cold]
    fn fail<T>(&mut self, at: usize, kind: ErrorKind) -> Result<T, DecodeError> {
        self.state = None;
        self.recovering = None;
        let err = DecodeError::new(kind, self.offset.wrapping_add(at as u64));
        self.failed = Some(err);
        self.interrupted = true;
        Err(err)
    }

    /// Reports a step's error, then either starts the protocol's recovery step or stays
    /// failed. A message cut off by the end of the stream leaves nothing to resynchronise
    /// on, so it always stays failed (recovering would only report the same end again).
    #[cold]
    fn error<T>(
        &mut self,
        err: DecodeError,
        eof: bool,
        buf: &mut BytesMut,
    ) -> Result<T, DecodeError> {
        let cut_off = eof && err.kind() == ErrorKind::UnexpectedEof;
        let recovery = self.recovery.as_mut().filter(|_| !cut_off);
        match recovery.and_then(|recover| recover(&err)) {
            Some(step) => {
                // Recovery starts where the error was found, or after what the message
                // consumed if that is further. Both are the same however the input was
                // split; how far a step had consumed when it failed is not.
                // (An error before the consumed offset, as `try_map` reports where its value
                // started, wraps to a distance past the buffer: nothing to discard then.)
                let ahead = err.offset().wrapping_sub(self.offset);
                if ahead <= buf.len() as u64 {
                    bytes::Buf::advance(buf, ahead as usize);
                    self.offset = err.offset();
                }
                self.recovering = Some(step);
            }
            None => self.failed = Some(err),
        }
        self.interrupted = true;
        Err(err)
    }
}
