//! The server side: commands out of a receive buffer, with recovery after client errors.

use bytes::{Bytes, BytesMut};

use super::command::{is_retrieval, DataCommand, Line, MetaCommand, Name, Parsed, Reject};
use super::cursor::Cursor;
use super::line::{scan_line, LineEnd, Scan};
use crate::memcache::error::{MemcacheError, MemcacheErrorKind};
use crate::memcache::limits::RequestLimits;
use crate::memcache::model::keys::Keys;
use crate::memcache::model::request::{
    Arithmetic, Delete, Meta, MetaSet, Request, Retrieve, Span, Stats, Store, StoreCommand, Touch,
};

/// Decodes the commands a client sends, one per call, resuming where it stopped as bytes
/// arrive.
///
/// Call [`decode`](RequestDecoder::decode) whenever bytes were appended to the receive
/// buffer; it returns the next command, `Ok(None)` when more bytes are needed, or a
/// rejection. At the end of the stream call [`decode_eof`](RequestDecoder::decode_eof),
/// which reports a command cut off by the end.
///
/// A rejection is a [`MemcacheError`] carrying the reply to write
/// ([`reply`](MemcacheError::reply)) and the absolute offset of the offending bytes:
///
/// - **Recoverable** (`!is_fatal()`): the offending line has been consumed, and so has its
///   data block, or the decoder discards the block as it arrives (a too-large item, a
///   storage command with a bad argument after its byte count). Write the reply and call
///   `decode` again: the next command decodes as if nothing happened.
/// - **Fatal** (`is_fatal()`: a line over its length limit, the stream ending inside a
///   command): nothing after it can be framed. Write the reply if there is one and close;
///   the decoder repeats the error from then on.
///
/// Command lines are found with a scan that keeps its position, so a command trickling in
/// byte by byte costs no more than one arriving whole; they are parsed whole with nom.
/// Nothing is buffered beyond one command line (bounded by the limits) and, for a storage
/// command, its data block (bounded by [`RequestLimits::max_item`]).
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::memcache::{MemcacheErrorKind, Request, RequestDecoder, RequestLimits};
///
/// let limits = RequestLimits { max_item: 4, ..RequestLimits::default() };
/// let mut decoder = RequestDecoder::new(limits);
/// let mut buf = BytesMut::from(&b"set k 0 0 5\r\nhel"[..]);
/// // Too large: answered at once; the data block is discarded as it arrives.
/// let err = decoder.decode(&mut buf).unwrap_err();
/// assert_eq!(err.kind(), MemcacheErrorKind::TooLarge);
/// assert_eq!(err.reply(), Some("SERVER_ERROR object too large for cache"));
/// assert_eq!(decoder.decode(&mut buf).unwrap(), None);
/// buf.extend_from_slice(b"lo\r\ndelete k\r\n");
/// assert!(matches!(decoder.decode(&mut buf).unwrap(), Some(Request::Delete(_))));
/// ```
#[derive(Debug)]
pub struct RequestDecoder {
    limits: RequestLimits,
    offset: u64,
    state: State,
    failed: Option<MemcacheError>,
}

#[derive(Debug)]
enum State {
    /// Looking for the end of the command line at the front of the buffer.
    Line(LineScan),
    /// A storage command's line is parsed (and still at the front of the buffer); its data
    /// block has not all arrived.
    Data(Pending),
    /// Discarding the data block of a rejected storage command: this many bytes left.
    Swallow(u64),
}

/// How far the search for the command line's end has got.
#[derive(Debug, Clone, Copy, Default)]
struct LineScan {
    /// How far the line has been searched for its LF.
    scanned: usize,
    /// Whether the line is a retrieval command over `max_line`, held to
    /// `max_retrieval_line` instead.
    long: bool,
}

const NEW_LINE: State = State::Line(LineScan {
    scanned: 0,
    long: false,
});

/// A storage command waiting for its data block.
#[derive(Debug, Clone, Copy)]
struct Pending {
    command: DataCommand,
    /// Length of the command line with its terminator: where the data block starts.
    line: usize,
    /// Length of the data block, its CRLF excluded.
    len: usize,
}

impl Default for RequestDecoder {
    fn default() -> Self {
        RequestDecoder::new(RequestLimits::default())
    }
}

impl RequestDecoder {
    /// A decoder with these limits, at the start of a stream.
    pub fn new(limits: RequestLimits) -> Self {
        RequestDecoder {
            limits,
            offset: 0,
            state: NEW_LINE,
            failed: None,
        }
    }

    /// Starts counting offsets at `offset` instead of 0.
    pub fn starting_at(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> &RequestLimits {
        &self.limits
    }

    /// Absolute offset of the next unconsumed byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether a command has started and waits for the rest of its bytes (or a rejected
    /// data block is being discarded).
    pub fn in_command(&self) -> bool {
        !matches!(self.state, State::Line(LineScan { scanned: 0, .. }))
    }

    /// The fatal error that stopped the decoder, if any.
    pub fn failed(&self) -> Option<MemcacheError> {
        self.failed
    }

    /// Decodes the next command from the front of `buf`, consuming its bytes. `Ok(None)`
    /// means more bytes are needed.
    #[inline]
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Request>, MemcacheError> {
        self.run(buf, false)
    }

    /// Like [`decode`](RequestDecoder::decode), knowing that `buf` holds the last bytes of
    /// the stream: `Ok(None)` then means the stream ended cleanly between commands, and a
    /// command cut off is [`MemcacheErrorKind::Incomplete`].
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Request>, MemcacheError> {
        self.run(buf, true)
    }

    #[inline(always)]
    fn run(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Request>, MemcacheError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let mut input = Cursor::new(buf, self.offset, eof);
        // Fatal errors record themselves where they arise (`fatal`), so the result passes
        // straight through.
        let result = self.step(&mut input);
        self.offset = input.offset();
        result
    }

    /// Stops for good with `err`: the decoder repeats it from now on.
    #[cold]
    #[inline(never)]
    fn fatal<T>(&mut self, err: MemcacheError) -> Result<T, MemcacheError> {
        self.failed = Some(err);
        self.state = NEW_LINE;
        Err(err)
    }

    /// Waits for more bytes, or at the end of the stream stops with the command cut off.
    #[inline(always)]
    fn wait(&mut self, input: &Cursor<'_>) -> Result<Option<Request>, MemcacheError> {
        if input.is_eof() {
            let at = input.offset() + input.len() as u64;
            return self.fatal(MemcacheError::new(MemcacheErrorKind::Incomplete, at));
        }
        Ok(None)
    }

    /// Makes what progress the visible bytes allow: a command line, which every command
    /// starts with, in place; the rarer states out of line.
    #[inline(always)]
    fn step(&mut self, input: &mut Cursor<'_>) -> Result<Option<Request>, MemcacheError> {
        if let State::Line(scan) = self.state {
            return self.line(input, scan);
        }
        self.resume(input)
    }

    /// Resumes a storage command waiting for its data block, or a discard under way:
    /// the rare states, kept out of the path every command takes.
    #[inline(never)]
    fn resume(&mut self, input: &mut Cursor<'_>) -> Result<Option<Request>, MemcacheError> {
        // A data block trickling in is looked at once per arrival: answered in place,
        // without moving the state out and back.
        if let State::Data(pending) = self.state {
            let needed = pending.line + pending.len + 2;
            let have = input.len();
            if have < needed && !input.is_eof() {
                input.reserve(needed - have);
                return Ok(None);
            }
        }
        match core::mem::replace(&mut self.state, NEW_LINE) {
            State::Line(scan) => self.line(input, scan),
            State::Data(pending) => self.store(input, pending),
            State::Swallow(left) => {
                let n = left.min(input.len() as u64);
                input.advance(n as usize);
                if left > n {
                    self.state = State::Swallow(left - n);
                    return self.wait(input);
                }
                self.line(input, LineScan::default())
            }
        }
    }

    /// Finds, parses and acts on the command line at the front of the buffer.
    #[inline(always)]
    fn line(
        &mut self,
        input: &mut Cursor<'_>,
        mut scan: LineScan,
    ) -> Result<Option<Request>, MemcacheError> {
        let end = match self.find_line(input.bytes(), &mut scan) {
            Ok(end) => end,
            Err(scanned) => return self.no_line(input, scan, scanned),
        };
        if scan.scanned != 0 || scan.long {
            // The line is complete; the next one starts a new search.
            self.state = NEW_LINE;
        }
        if self.limits.strict_crlf && end.bare_lf() {
            return bare_lf(input, end);
        }
        let line = input.bytes().get(..end.end).unwrap_or_default();
        let p = Line::new(line, &self.limits);
        let name = match p.name() {
            Ok(name) => name,
            Err(reject) => return self.reject(input, reject, end),
        };
        // The hot kinds are turned into requests right here, from the parsers' small
        // results; everything else goes through `Parsed` and `build_any`, out of line.
        match name {
            Name::Retrieve(command, rest) => match p.retrieve_usual(rest, command) {
                Some(r) => {
                    // The whole line in one piece, split off the front: the cheapest split.
                    let raw = input.take(end.next);
                    Ok(Some(Request::Retrieve(Retrieve {
                        command: r.command,
                        keys: Keys::from_parts(raw, r.keys.start, r.keys.end, r.count),
                    })))
                }
                None => {
                    // Rejected: parsed again, out of line, for the exact rejection.
                    let reject = p.retrieve(rest, command).err();
                    self.rejected_retrieval(input, reject, end)
                }
            },
            // The usual shape of a storage line is parsed here; anything unusual (and every
            // error) goes through the careful parser, out of line.
            Name::Store(cas, command, rest) => match p.store_usual(rest, cas, command) {
                Ok((_, (command, len))) => {
                    let pending = Pending {
                        command,
                        line: end.next,
                        len,
                    };
                    self.store(input, pending)
                }
                Err(_) => {
                    let rest_at = line.len() - rest.len();
                    self.store_unusual(input, (cas, command, rest_at), end)
                }
            },
            Name::Other(name, rest) => match p.other(name, rest) {
                Ok(parsed) => self.build_any(input, parsed, end),
                Err(reject) => self.reject(input, reject, end),
            },
        }
    }

    /// A storage line [`store_usual`](Line::store_usual) did not take: checked argument
    /// by argument, then stored or rejected.
    #[cold]
    #[inline(never)]
    fn store_unusual(
        &mut self,
        input: &mut Cursor<'_>,
        (cas, command, rest_at): (bool, StoreCommand, usize),
        end: LineEnd,
    ) -> Result<Option<Request>, MemcacheError> {
        let line = input.bytes().get(..end.end).unwrap_or_default();
        let rest = line.get(rest_at..).unwrap_or_default();
        let checked = Line::new(line, &self.limits).store_checked(rest, cas, command);
        match checked {
            Ok((command, len)) => {
                let pending = Pending {
                    command,
                    line: end.next,
                    len,
                };
                self.store(input, pending)
            }
            Err(reject) => self.reject(input, reject, end),
        }
    }

    /// A retrieval line [`retrieve_usual`](Line::retrieve_usual) refused, with the
    /// careful parser's rejection.
    #[cold]
    #[inline(never)]
    fn rejected_retrieval(
        &mut self,
        input: &mut Cursor<'_>,
        reject: Option<Reject>,
        end: LineEnd,
    ) -> Result<Option<Request>, MemcacheError> {
        // Both parsers follow one grammar, so the careful one always rejects too.
        let reject = reject.unwrap_or(Reject {
            kind: MemcacheErrorKind::BadCommandLine,
            at: 0,
            swallow: None,
        });
        self.reject(input, reject, end)
    }

    /// No complete line at the front of the buffer: wait for more, or stop at a line over
    /// its limit or cut off by the end of the stream.
    #[cold]
    #[inline(never)]
    fn no_line(
        &mut self,
        input: &mut Cursor<'_>,
        scan: LineScan,
        why: Scan,
    ) -> Result<Option<Request>, MemcacheError> {
        match why {
            Scan::Pending => {
                self.state = State::Line(scan);
                // A clean end of stream between commands is no error.
                if input.is_empty() {
                    return Ok(None);
                }
                self.wait(input)
            }
            Scan::TooLong => {
                let limit = if scan.long {
                    self.retrieval_limit()
                } else {
                    self.limits.max_line
                };
                let at = input.offset().saturating_add(limit as u64);
                self.fatal(MemcacheError::new(MemcacheErrorKind::LineTooLong, at))
            }
        }
    }

    /// The longest retrieval line: never shorter than other lines.
    #[inline(always)]
    fn retrieval_limit(&self) -> usize {
        self.limits.max_retrieval_line.max(self.limits.max_line)
    }

    /// Looks for the end of the line, switching to the retrieval limit when a line over
    /// `max_line` turns out to be a retrieval command.
    #[inline(always)]
    fn find_line(&self, bytes: &[u8], scan: &mut LineScan) -> Result<LineEnd, Scan> {
        let max_line = self.limits.max_line;
        let retrieval_limit = self.retrieval_limit();
        let limit = if scan.long { retrieval_limit } else { max_line };
        match scan_line(bytes, &mut scan.scanned, limit) {
            Err(Scan::TooLong) if !scan.long && retrieval_limit > max_line => {
                // Decided on the same first `max_line + 1` bytes however the line arrived.
                let prefix = bytes.get(..max_line.saturating_add(1)).unwrap_or(bytes);
                if !is_retrieval(prefix) {
                    return Err(Scan::TooLong);
                }
                scan.long = true;
                scan_line(bytes, &mut scan.scanned, retrieval_limit)
            }
            other => other,
        }
    }

    /// Consumes a rejected line (and what it declared, where known) and reports it.
    #[cold]
    #[inline(never)]
    fn reject(
        &mut self,
        input: &mut Cursor<'_>,
        reject: Reject,
        end: LineEnd,
    ) -> Result<Option<Request>, MemcacheError> {
        let err = MemcacheError::new(reject.kind, input.offset() + reject.at as u64);
        input.advance(end.next);
        if let Some(len) = reject.swallow {
            self.state = State::Swallow(len as u64 + 2);
        }
        Err(err)
    }

    /// Turns a parsed line other than a retrieval or storage one into a request,
    /// splitting its parts off the buffer; out of the hot path.
    #[inline(never)]
    fn build_any(
        &mut self,
        input: &mut Cursor<'_>,
        parsed: Parsed,
        end: LineEnd,
    ) -> Result<Option<Request>, MemcacheError> {
        let request = match parsed {
            Parsed::Data { command, len } => {
                let pending = Pending {
                    command,
                    line: end.next,
                    len,
                };
                return self.store(input, pending);
            }
            Parsed::Delete { key, noreply } => Request::Delete(Delete {
                key: take_span(input, key.start(), key.end(), end.next),
                noreply,
            }),
            Parsed::Arithmetic {
                command,
                key,
                delta,
                noreply,
            } => Request::Arithmetic(Arithmetic {
                command,
                key: take_span(input, key.start(), key.end(), end.next),
                delta,
                noreply,
            }),
            Parsed::Touch {
                key,
                exptime,
                noreply,
            } => Request::Touch(Touch {
                key: take_span(input, key.start(), key.end(), end.next),
                exptime,
                noreply,
            }),
            Parsed::Stats { args } => Request::Stats(Stats {
                args: take_span(input, args.start(), args.end(), end.next),
            }),
            Parsed::Version => skip_then(input, end, Request::Version),
            Parsed::Quit => skip_then(input, end, Request::Quit),
            Parsed::MetaNoop => skip_then(input, end, Request::MetaNoop),
            Parsed::Verbosity(v) => skip_then(input, end, Request::Verbosity(v)),
            Parsed::FlushAll(f) => skip_then(input, end, Request::FlushAll(f)),
            Parsed::Meta {
                command,
                key,
                flags,
                present,
            } => {
                // The whole line in one piece; key and flags are positions in it.
                let raw = input.take(end.next);
                let meta = Meta::from_parts(raw, key, flags, present);
                match command {
                    MetaCommand::Get => Request::MetaGet(meta),
                    MetaCommand::Delete => Request::MetaDelete(meta),
                    MetaCommand::Arithmetic => Request::MetaArithmetic(meta),
                    MetaCommand::Debug => Request::MetaDebug(meta),
                }
            }
            Parsed::Unknown => Request::Unknown(take_span(input, 0, end.end, end.next)),
        };
        Ok(Some(request))
    }

    /// A storage command whose line is parsed: finish it if its data block is in,
    /// otherwise wait for it with the line still in the buffer.
    #[inline(always)]
    fn store(
        &mut self,
        input: &mut Cursor<'_>,
        pending: Pending,
    ) -> Result<Option<Request>, MemcacheError> {
        // No overflow: the line is bounded and the length at most INT_MAX - 2.
        let needed = pending.line + pending.len + 2;
        let have = input.len();
        if have < needed {
            return self.await_data(input, pending, needed - have);
        }
        self.finish(input, &pending)
    }

    /// The data block has not all arrived: make room for it and wait.
    #[cold]
    #[inline(never)]
    fn await_data(
        &mut self,
        input: &mut Cursor<'_>,
        pending: Pending,
        missing: usize,
    ) -> Result<Option<Request>, MemcacheError> {
        if input.is_eof() {
            return self.wait(input);
        }
        input.reserve(missing);
        self.state = State::Data(pending);
        Ok(None)
    }

    /// The data block is in: check its CRLF and split the command off.
    #[inline(always)]
    fn finish(
        &mut self,
        input: &mut Cursor<'_>,
        pending: &Pending,
    ) -> Result<Option<Request>, MemcacheError> {
        let data_end = pending.line + pending.len;
        if input.bytes().get(data_end..data_end + 2) != Some(b"\r\n") {
            return bad_data_chunk(input, data_end);
        }
        let request = match pending.command {
            DataCommand::Store {
                command,
                key,
                flags,
                exptime,
                noreply,
            } => {
                // The whole command, line and block, in one piece from the front.
                let raw = input.take(data_end + 2);
                return Ok(Some(Request::Store(Store::from_parts(
                    command,
                    raw,
                    key,
                    Span::new(pending.line, data_end),
                    flags,
                    exptime,
                    noreply,
                ))));
            }
            DataCommand::MetaSet {
                key,
                flags,
                present,
            } => {
                let raw = input.take(data_end + 2);
                Request::MetaSet(MetaSet::from_parts(
                    raw,
                    key,
                    flags,
                    Span::new(pending.line, data_end),
                    present,
                ))
            }
        };
        Ok(Some(request))
    }
}

/// A line ending in a bare LF where CRLF is required: consumed and reported.
#[cold]
#[inline(never)]
fn bare_lf(input: &mut Cursor<'_>, end: LineEnd) -> Result<Option<Request>, MemcacheError> {
    let at = input.offset() + end.end as u64;
    input.advance(end.next);
    Err(MemcacheError::new(MemcacheErrorKind::BareLf, at))
}

/// A data block ending at `data_end` not followed by CRLF: the block and the two bytes
/// after it are consumed, as memcached does, and the command is reported.
#[cold]
#[inline(never)]
fn bad_data_chunk(
    input: &mut Cursor<'_>,
    data_end: usize,
) -> Result<Option<Request>, MemcacheError> {
    let at = input.offset() + data_end as u64;
    input.advance(data_end + 2);
    Err(MemcacheError::new(MemcacheErrorKind::BadDataChunk, at))
}

/// Splits `start..end` of the visible bytes off as one piece and discards everything up
/// to `next`: one reference count, whatever else the command line holds.
#[inline(always)]
fn take_span(input: &mut Cursor<'_>, start: usize, end: usize, next: usize) -> Bytes {
    if start == end {
        input.advance(next);
        return Bytes::new();
    }
    input.advance(start);
    let part = input.take(end - start);
    input.advance(next - end);
    part
}

/// Consumes a line that carries nothing to split off.
#[inline(always)]
fn skip_then(input: &mut Cursor<'_>, end: LineEnd, request: Request) -> Request {
    input.advance(end.next);
    request
}
