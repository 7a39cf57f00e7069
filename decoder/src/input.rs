//! The window a step sees of the receive buffer.

use bytes::{Buf, Bytes, BytesMut};

use crate::error::{DecodeError, ErrorKind};

/// Most buffer space [`Input::reserve`] sets aside at once: 64 KiB.
pub const MAX_RESERVE_AHEAD: usize = 64 * 1024;

/// The bytes a step may look at and consume, plus where they sit in the stream.
///
/// A step only ever sees the front of the caller's `BytesMut`. It consumes by splitting
/// bytes off that front ([`take`](Input::take), zero-copy) or by discarding them
/// ([`advance`](Input::advance)); both move [`offset`](Input::offset) forward so errors can
/// name absolute positions. A step that has not found what it needs returns
/// [`Status::Pending`](crate::Status::Pending) and is resumed with the same front plus
/// whatever arrived since.
///
/// The [`limit`](crate::StepExt::limit) combinator narrows the window: a step inside it sees
/// at most the bytes it is still allowed to consume.
#[derive(Debug)]
pub struct Input<'a> {
    buf: &'a mut BytesMut,
    /// Bytes at the front of `buf` already consumed by [`advance`](Input::advance) but not
    /// yet removed from it. Discarding is deferred so that a length header and its
    /// terminator leave the buffer together with the value that follows, in one split,
    /// instead of one buffer operation per step. Settled by `take`, `reserve`, `narrow`
    /// and on drop.
    skip: usize,
    offset: u64,
    eof: bool,
    window: usize,
    cap: usize,
}

impl<'a> Input<'a> {
    /// Wraps `buf`, whose first byte sits at absolute `offset` in the stream. `eof` says no
    /// more bytes will follow those already in `buf`.
    ///
    /// Consumed bytes are removed from `buf` by the time the `Input` is dropped.
    pub fn new(buf: &'a mut BytesMut, offset: u64, eof: bool) -> Self {
        Input {
            buf,
            skip: 0,
            offset,
            eof,
            window: usize::MAX,
            cap: usize::MAX,
        }
    }

    /// The visible, unconsumed bytes.
    #[inline(always)]
    pub fn bytes(&self) -> &[u8] {
        let n = self.len();
        &self.buf[self.skip..self.skip + n]
    }

    /// How many unconsumed bytes are visible.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.buffered().min(self.window)
    }

    /// Whether no unconsumed byte is visible.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Absolute stream offset of the first visible byte.
    #[inline]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the stream has ended: nothing beyond the visible bytes will ever arrive.
    ///
    /// Inside a [`limit`](crate::StepExt::limit) window this is also true once the window
    /// is exhausted, so a step reading "to the end" stops at the window's end.
    #[inline]
    pub fn is_eof(&self) -> bool {
        self.eof || self.window_full()
    }

    /// Whether every byte the current [`limit`](crate::StepExt::limit) window allows is
    /// already buffered.
    #[inline]
    pub(crate) fn window_full(&self) -> bool {
        self.buffered() >= self.window
    }

    /// Splits the first `n` visible bytes off the buffer without copying.
    ///
    /// Asking for more than [`len`](Input::len) is reported as an error instead of a panic.
    #[inline(always)]
    pub fn take(&mut self, n: usize) -> Result<Bytes, DecodeError> {
        let len = self.len();
        self.take_available(n)
            .ok_or_else(|| self.error_at(len, ErrorKind::Invalid("step consumed past its input")))
    }

    /// Splits off the first `n` visible bytes if that many are visible: the check and the
    /// split of [`take`](Input::take) in one, for steps waiting for a known count.
    #[inline(always)]
    pub(crate) fn take_available(&mut self, n: usize) -> Option<Bytes> {
        if n > self.len() {
            return None;
        }
        let mut out = self.buf.split_to(self.skip + n).freeze();
        out.advance(self.skip);
        self.skip = 0;
        self.moved(n);
        Some(out)
    }

    /// Discards the first `n` visible bytes.
    #[inline(always)]
    pub fn advance(&mut self, n: usize) -> Result<(), DecodeError> {
        self.check(n)?;
        self.skip += n;
        self.moved(n);
        Ok(())
    }

    /// Makes room for up to `additional` more bytes, so a step that knows how much it
    /// waits for avoids growing the buffer piecemeal.
    ///
    /// At most [`MAX_RESERVE_AHEAD`] bytes are reserved at a time (and never past a
    /// [`limit`](crate::StepExt::limit) window): a length field costs the peer a few bytes,
    /// and must not make a connection allocate a large value before any of it arrives.
    #[inline]
    pub fn reserve(&mut self, additional: usize) {
        self.settle();
        let room = self.window.saturating_sub(self.buf.len());
        self.buf
            .reserve(additional.min(room).min(MAX_RESERVE_AHEAD));
    }

    /// An error of `kind` at `at` bytes past the current offset.
    #[inline]
    pub fn error_at(&self, at: usize, kind: ErrorKind) -> DecodeError {
        DecodeError::new(kind, self.offset.wrapping_add(at as u64))
    }

    /// The error for a step that needs more than the stream holds, or than a
    /// [`limit`](crate::StepExt::limit) window allows.
    pub(crate) fn out_of_input(&self) -> DecodeError {
        if self.window_full() {
            self.error_at(
                self.window,
                ErrorKind::LimitExceeded {
                    limit: "limit",
                    max: self.cap,
                },
            )
        } else {
            self.error_at(self.len(), ErrorKind::UnexpectedEof)
        }
    }

    /// The answer of a step that cannot finish with the visible bytes: `Pending`, or at the
    /// end of the input (or of a [`limit`](crate::StepExt::limit) window) the error saying
    /// so.
    #[inline]
    pub fn wait<T>(&self) -> Result<crate::Status<T>, DecodeError> {
        if self.is_eof() {
            return Err(self.out_of_input());
        }
        Ok(crate::Status::Pending)
    }

    /// A view of at most `window` of the visible bytes, for a step nested in a
    /// [`limit`](crate::StepExt::limit) of `cap` bytes.
    pub(crate) fn narrow(&mut self, window: usize, cap: usize) -> Input<'_> {
        self.settle();
        let (window, cap) = if window < self.window {
            (window, cap)
        } else {
            (self.window, self.cap)
        };
        Input {
            window,
            cap,
            skip: 0,
            offset: self.offset,
            eof: self.eof,
            buf: self.buf,
        }
    }

    /// Records that a nested view (now dropped, so settled) consumed up to `offset`.
    pub(crate) fn sync(&mut self, offset: u64) {
        let n = offset.wrapping_sub(self.offset) as usize;
        self.moved(n);
    }

    /// Unconsumed bytes in the buffer, visible or not.
    #[inline(always)]
    fn buffered(&self) -> usize {
        self.buf.len() - self.skip
    }

    /// Removes the deferred discards from the buffer.
    #[inline]
    fn settle(&mut self) {
        if self.skip > 0 {
            self.buf.advance(self.skip);
            self.skip = 0;
        }
    }

    #[inline(always)]
    fn moved(&mut self, n: usize) {
        // 2^64 bytes never pass through one stream; wrapping keeps this a plain add.
        self.offset = self.offset.wrapping_add(n as u64);
        // `n` never exceeds the visible length, which never exceeds the window; an
        // unlimited window stays effectively unlimited.
        self.window -= n;
    }

    #[inline(always)]
    fn check(&self, n: usize) -> Result<(), DecodeError> {
        if n <= self.len() {
            Ok(())
        } else {
            Err(self.error_at(
                self.len(),
                ErrorKind::Invalid("step consumed past its input"),
            ))
        }
    }
}

impl Drop for Input<'_> {
    #[inline]
    fn drop(&mut self) {
        self.settle();
    }
}
