//! The front of the receive buffer as the request decoder consumes it.
//!
//! The toolkit's [`Input`](nagrel_decoder::Input) defers discards so a chain of steps
//! settles them in one split; the request decoder consumes each command with at most one
//! split at the very front, and going straight to the `BytesMut` saves the bookkeeping
//! (and a call per command) on the path every `get` and `set` takes.

use bytes::{Buf, Bytes, BytesMut};

/// Most buffer space [`Cursor::reserve`] sets aside at once, as the toolkit's `Input`: a
/// length field costs the peer a few bytes and must not make a connection allocate a
/// large block before any of it arrives.
const MAX_RESERVE_AHEAD: usize = 64 * 1024;

/// The receive buffer, where its front sits in the stream, and whether more will come.
#[derive(Debug)]
pub(crate) struct Cursor<'a> {
    buf: &'a mut BytesMut,
    offset: u64,
    eof: bool,
}

impl<'a> Cursor<'a> {
    #[inline(always)]
    pub(crate) fn new(buf: &'a mut BytesMut, offset: u64, eof: bool) -> Self {
        Cursor { buf, offset, eof }
    }

    /// The unconsumed bytes.
    #[inline(always)]
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf
    }

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Whether nothing will follow the buffered bytes.
    #[inline(always)]
    pub(crate) fn is_eof(&self) -> bool {
        self.eof
    }

    /// Absolute stream offset of the first unconsumed byte.
    #[inline(always)]
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Discards the first `n` bytes (at most all of them).
    #[inline(always)]
    pub(crate) fn advance(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.advance(n);
        self.offset = self.offset.wrapping_add(n as u64);
    }

    /// Splits the first `n` bytes (at most all of them) off without copying.
    #[inline(always)]
    pub(crate) fn take(&mut self, n: usize) -> Bytes {
        let n = n.min(self.buf.len());
        self.offset = self.offset.wrapping_add(n as u64);
        self.buf.split_to(n).freeze()
    }

    /// Makes room for up to `additional` more bytes (at most 64 KiB at a time).
    #[inline]
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.buf.reserve(additional.min(MAX_RESERVE_AHEAD));
    }
}
