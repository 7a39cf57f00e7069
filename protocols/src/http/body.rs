//! Streaming message bodies: Content-Length, chunked (RFC 9112 section 7.1) and
//! close-delimited, handed out as zero-copy pieces as they arrive.
//!
//! The chunked decoder is an enum of states with one small function per state, so every
//! byte is looked at once whatever the fragmentation. Chunk sizes are overflow-checked
//! (at most 16 hex digits), extensions and trailers are bounded, chunk data must be
//! followed by exactly CRLF, and trailers may not carry framing fields.

use bytes::{Buf, Bytes, BytesMut};
use nagrel_decoder::{DecodeError, Input, Status};

use super::error::{HttpError, HttpErrorKind};
use super::framing::Framing;
use super::model::Fields;
use super::section::{FieldScanner, SectionRules};

/// Limits on a body, with safe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    /// Largest body, in bytes of data (default 1 MiB, as nginx; over it: 413).
    pub max_body: u64,
    /// Longest run of chunk extensions on one chunk-size line (default 16 KiB; over it: 400).
    pub max_chunk_extensions: usize,
    /// Largest trailer section in bytes (default 16 KiB; over it: 431).
    pub max_trailers: usize,
    /// Most trailer fields (default 100; over it: 431).
    pub max_trailer_fields: usize,
    /// Chunks of at most this many data bytes that are buffered back to back are copied
    /// into one [`BodyEvent::Data`] piece of up to 64 KiB, since copying a few bytes costs
    /// less than a reference-counted piece per chunk (default 1 KiB; 0 hands every chunk
    /// out on its own, zero-copy). Larger chunks are always split off without copying.
    pub gather_chunks_up_to: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits {
            max_body: 1024 * 1024,
            max_chunk_extensions: 16 * 1024,
            max_trailers: 16 * 1024,
            max_trailer_fields: 100,
            gather_chunks_up_to: 1024,
        }
    }
}

/// One piece of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyEvent {
    /// The next bytes of the body, split off the receive buffer without copying (or, for
    /// runs of small chunks, gathered into one piece: see
    /// [`BodyLimits::gather_chunks_up_to`]).
    Data(Bytes),
    /// The body is complete; chunked bodies may carry trailer fields (otherwise empty).
    End(Fields),
}

/// Decodes one message body as a stream of [`BodyEvent`]s.
///
/// Feed it the bytes after the head (the same receive buffer): each call returns the next
/// event, or `None` when it needs more bytes. After [`BodyEvent::End`] the bytes left in
/// the buffer belong to the next message. Errors carry absolute stream offsets; after one
/// the decoder is failed and repeats it.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::http::{BodyDecoder, BodyEvent, BodyLimits, Framing};
///
/// let mut body = BodyDecoder::new(Framing::Chunked, BodyLimits::default(), 0);
/// let mut buf = BytesMut::from(&b"5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\nNEXT"[..]);
/// assert_eq!(body.decode(&mut buf).unwrap(), Some(BodyEvent::Data("hello".into())));
/// let Some(BodyEvent::End(trailers)) = body.decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!(trailers.get("x-sum"), Some(&b"1"[..]));
/// assert_eq!(&buf[..], b"NEXT");
/// ```
#[derive(Debug)]
pub struct BodyDecoder {
    state: State,
    limits: BodyLimits,
    /// Data bytes delivered so far.
    received: u64,
    offset: u64,
    failed: Option<HttpError>,
}

#[derive(Debug)]
enum State {
    /// Content-Length: this many bytes left.
    Length(u64),
    /// Everything until EOF.
    UntilClose,
    /// Reading a chunk size: the digits so far and their value.
    Size { digits: u8, value: u64 },
    /// Whitespace after the size, before `;`.
    SizeSpace { value: u64 },
    /// Inside chunk extensions; `len` bytes of them so far on this line.
    Extension { value: u64, len: usize },
    /// The LF ending a chunk-size line.
    SizeLf { value: u64 },
    /// Chunk data left in the current chunk.
    Data(u64),
    /// The CR after chunk data.
    DataCr,
    /// The LF after chunk data.
    DataLf,
    /// Trailer lines up to the blank line.
    Trailers(FieldScanner),
    /// Done: the end was reported.
    Done,
}

impl BodyDecoder {
    /// A decoder for a body framed as `framing`, whose first byte sits at absolute
    /// `offset` in the stream.
    pub fn new(framing: Framing, limits: BodyLimits, offset: u64) -> Self {
        let state = match framing {
            Framing::Empty | Framing::Length(0) => State::Length(0),
            Framing::Length(n) => State::Length(n),
            Framing::Chunked => State::Size {
                digits: 0,
                value: 0,
            },
            Framing::UntilClose => State::UntilClose,
        };
        BodyDecoder {
            state,
            limits,
            received: 0,
            offset,
            failed: None,
        }
    }

    /// Absolute offset of the next unconsumed byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the end of the body has been reported.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// The next event from the front of `buf`, or `None` when more bytes are needed.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<BodyEvent>, HttpError> {
        self.run(buf, false)
    }

    /// Like [`decode`](BodyDecoder::decode), knowing the stream ends after `buf`: a
    /// close-delimited body ends here, any other body cut off here is an error.
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<BodyEvent>, HttpError> {
        self.run(buf, true)
    }

    /// Decodes everything buffered in `buf`, handing the body's data to `on_data` as
    /// slices borrowed from the buffer instead of owned pieces. For a caller that copies
    /// or writes the data out anyway (to a file, a socket, a hash), this saves the
    /// reference count an owned piece costs; whole chunks are handed over straight from
    /// the buffer, without being gathered. Returns the trailers once the body is complete
    /// (what is left in `buf` then belongs to the next message), or `None` when every
    /// buffered byte was used and more are needed.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use nagrel_protocols::http::{BodyDecoder, BodyLimits, Framing};
    ///
    /// let mut body = BodyDecoder::new(Framing::Chunked, BodyLimits::default(), 0);
    /// let mut buf = BytesMut::from(&b"3\r\nabc\r\n2\r\nde\r\n"[..]);
    /// let mut data = Vec::new();
    /// assert!(body.decode_with(&mut buf, |d| data.extend_from_slice(d)).unwrap().is_none());
    /// buf.extend_from_slice(b"0\r\n\r\n");
    /// let trailers = body.decode_with(&mut buf, |d| data.extend_from_slice(d)).unwrap();
    /// assert!(trailers.is_some_and(|t| t.is_empty()));
    /// assert_eq!(data, b"abcde");
    /// ```
    pub fn decode_with(
        &mut self,
        buf: &mut BytesMut,
        on_data: impl FnMut(&[u8]),
    ) -> Result<Option<Fields>, HttpError> {
        self.run_with(buf, false, on_data)
    }

    /// Like [`decode_with`](BodyDecoder::decode_with), knowing the stream ends after
    /// `buf` (see [`decode_eof`](BodyDecoder::decode_eof)).
    pub fn decode_eof_with(
        &mut self,
        buf: &mut BytesMut,
        on_data: impl FnMut(&[u8]),
    ) -> Result<Option<Fields>, HttpError> {
        self.run_with(buf, true, on_data)
    }

    fn run_with(
        &mut self,
        buf: &mut BytesMut,
        eof: bool,
        mut on_data: impl FnMut(&[u8]),
    ) -> Result<Option<Fields>, HttpError> {
        loop {
            if self.failed.is_none() && matches!(self.state, State::Size { digits: 0, .. }) {
                let mut at = 0;
                while let Some((header, len)) =
                    whole_chunk(&buf[at..], self.received, self.limits.max_body)
                {
                    on_data(&buf[at + header..at + header + len]);
                    self.received += len as u64;
                    at += header + len + 2;
                }
                // The usual end: the last chunk and no trailers.
                let end = buf[at..].starts_with(b"0\r\n\r\n");
                let used = if end { at + 5 } else { at };
                buf.advance(used);
                self.offset = self.offset.wrapping_add(used as u64);
                if end {
                    self.state = State::Done;
                    return Ok(Some(no_trailers()));
                }
            }
            // Everything else (a partial chunk, the last chunk, other framings, errors)
            // goes through the event path, which decides the same way.
            match self.run(buf, eof)? {
                Some(BodyEvent::Data(piece)) => on_data(&piece),
                Some(BodyEvent::End(trailers)) => return Ok(Some(trailers)),
                None => return Ok(None),
            }
        }
    }

    fn run(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<BodyEvent>, HttpError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if let State::Length(n) = self.state {
            if n > self.limits.max_body {
                return self.fail(HttpError::new(HttpErrorKind::BodyTooLarge, self.offset));
            }
        }
        let whole = match self.state {
            State::Size { digits: 0, .. } => whole_chunk(buf, self.received, self.limits.max_body),
            _ => None,
        };
        if let Some((header, len)) = whole {
            if len > self.limits.gather_chunks_up_to {
                // A whole large chunk, the common case, straight off the buffer.
                buf.advance(header);
                let data = buf.split_to(len).freeze();
                buf.advance(2);
                self.received += len as u64;
                self.offset = self.offset.wrapping_add((header + len + 2) as u64);
                return Ok(Some(BodyEvent::Data(data)));
            }
        }
        let mut input = Input::new(buf, self.offset, eof);
        let result = match whole {
            Some((header, len)) => self.gather(&mut input, header, len),
            None => self.step(&mut input),
        };
        self.offset = input.offset();
        let end = input.offset().wrapping_add(input.len() as u64);
        drop(input);
        match result {
            Ok(Status::Ready(event)) => Ok(Some(event)),
            Ok(Status::Pending) if eof && !self.is_done() => {
                self.fail(HttpError::new(HttpErrorKind::IncompleteBody, end))
            }
            Ok(Status::Pending) => Ok(None),
            Err(e) => self.fail(HttpError::from(e)),
        }
    }

    fn fail<T>(&mut self, e: HttpError) -> Result<T, HttpError> {
        self.failed = Some(e);
        Err(e)
    }

    fn step(&mut self, input: &mut Input<'_>) -> Result<Status<BodyEvent>, DecodeError> {
        loop {
            let next = match &mut self.state {
                State::Done => return Ok(Status::Pending),
                State::Length(0) => {
                    self.state = State::Done;
                    return Ok(Status::Ready(BodyEvent::End(no_trailers())));
                }
                State::Length(left) => {
                    let n = (*left).min(input.len() as u64) as usize;
                    if n == 0 {
                        return Ok(Status::Pending);
                    }
                    *left -= n as u64;
                    return self.data(input, n);
                }
                State::UntilClose => {
                    let n = input.len();
                    if n > 0 {
                        // Deliver up to the limit and fail on the first byte past it, so
                        // the data handed out does not depend on how the input arrived.
                        let room = self.limits.max_body.saturating_sub(self.received);
                        if room == 0 {
                            return Err(protocol(input, HttpErrorKind::BodyTooLarge, 0));
                        }
                        return self.data(input, n.min(usize::try_from(room).unwrap_or(n)));
                    }
                    if input.is_eof() {
                        self.state = State::Done;
                        return Ok(Status::Ready(BodyEvent::End(no_trailers())));
                    }
                    return Ok(Status::Pending);
                }
                State::Size { digits, value } => match size(input, digits, value)? {
                    Some(next) => next,
                    None => return Ok(Status::Pending),
                },
                State::SizeSpace { value } => match after_size(input, *value, true)? {
                    Some(next) => next,
                    None => return Ok(Status::Pending),
                },
                State::Extension { value, len } => {
                    match extension(input, *value, len, self.limits.max_chunk_extensions)? {
                        Some(next) => next,
                        None => return Ok(Status::Pending),
                    }
                }
                State::SizeLf { value } => {
                    let value = *value;
                    if !expect_byte(input, b'\n', HttpErrorKind::BadChunkSize)? {
                        return Ok(Status::Pending);
                    }
                    if value == 0 {
                        State::Trailers(FieldScanner::default())
                    } else if self.received.saturating_add(value) > self.limits.max_body {
                        return Err(protocol(input, HttpErrorKind::BodyTooLarge, 0));
                    } else {
                        State::Data(value)
                    }
                }
                State::Data(left) => {
                    let n = (*left).min(input.len() as u64) as usize;
                    if n == 0 {
                        return Ok(Status::Pending);
                    }
                    *left -= n as u64;
                    if *left == 0 {
                        self.state = State::DataCr;
                    }
                    return self.data(input, n);
                }
                State::DataCr => {
                    if !expect_byte(input, b'\r', HttpErrorKind::MissingChunkCrlf)? {
                        return Ok(Status::Pending);
                    }
                    State::DataLf
                }
                State::DataLf => {
                    if !expect_byte(input, b'\n', HttpErrorKind::MissingChunkCrlf)? {
                        return Ok(Status::Pending);
                    }
                    State::Size {
                        digits: 0,
                        value: 0,
                    }
                }
                State::Trailers(scanner) => match trailers(input, scanner, &self.limits)? {
                    Some(fields) => {
                        self.state = State::Done;
                        return Ok(Status::Ready(BodyEvent::End(fields)));
                    }
                    None => return Ok(Status::Pending),
                },
            };
            self.state = next;
        }
    }

    /// Copies the data of the whole small chunks buffered back to back, starting with one
    /// whose size line is `header` bytes and data `len`, into one piece.
    fn gather(
        &mut self,
        input: &mut Input<'_>,
        mut header: usize,
        mut len: usize,
    ) -> Result<Status<BodyEvent>, DecodeError> {
        const MAX_PIECE: usize = 64 * 1024;
        let bytes = input.bytes();
        // The buffered bytes bound the data they hold, so one allocation is enough.
        let mut piece = BytesMut::with_capacity(bytes.len().min(MAX_PIECE));
        let mut at = 0;
        loop {
            let data = at + header;
            piece.extend_from_slice(&bytes[data..data + len]);
            self.received += len as u64;
            at = data + len + 2;
            let next = match bytes.get(at..) {
                Some(rest) if piece.len() < MAX_PIECE => {
                    whole_chunk(rest, self.received, self.limits.max_body)
                }
                _ => None,
            };
            match next {
                Some((h, l))
                    if l <= self.limits.gather_chunks_up_to && piece.len() + l <= MAX_PIECE =>
                {
                    (header, len) = (h, l)
                }
                _ => break,
            }
        }
        input.advance(at)?;
        Ok(Status::Ready(BodyEvent::Data(piece.freeze())))
    }

    /// Hands out the next `n` bytes as data, counting them against the body limit.
    fn data(&mut self, input: &mut Input<'_>, n: usize) -> Result<Status<BodyEvent>, DecodeError> {
        self.received = self.received.saturating_add(n as u64);
        if self.received > self.limits.max_body {
            let over = (self.received - self.limits.max_body) as usize;
            return Err(protocol(input, HttpErrorKind::BodyTooLarge, n - over));
        }
        Ok(Status::Ready(BodyEvent::Data(input.take(n)?)))
    }
}

/// The common case, a whole chunk already buffered at the front of `bytes`:
/// `size CRLF data CRLF` with no extension, within `max_body` after `received` bytes.
/// Returns the size line's length and the data's. Anything else (extensions, the last
/// chunk, an error, a partial chunk) is left to the state machine, which hands out the same
/// data, so the result does not depend on which path ran.
#[inline]
fn whole_chunk(bytes: &[u8], received: u64, max_body: u64) -> Option<(usize, usize)> {
    let mut value = 0u64;
    let mut digits = 0;
    while let Some(d) = bytes.get(digits).map(|&b| HEX[usize::from(b)]) {
        if d > 15 || digits == 16 {
            break;
        }
        value = value << 4 | u64::from(d);
        digits += 1;
    }
    if digits == 0 || value == 0 || bytes.get(digits..digits + 2) != Some(b"\r\n") {
        return None;
    }
    if received.checked_add(value)? > max_body {
        return None;
    }
    let len = usize::try_from(value).ok()?;
    let end = (digits + 2).checked_add(len)?;
    (bytes.get(end..end.checked_add(2)?)? == b"\r\n").then_some((digits + 2, len))
}

/// Hex digit values; 0xFF for anything else.
const HEX: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0xFF,
        };
        b += 1;
    }
    t
};

fn no_trailers() -> Fields {
    Fields::new(Bytes::new(), Vec::new())
}

fn protocol(input: &Input<'_>, kind: HttpErrorKind, at: usize) -> DecodeError {
    input.error_at(at, kind.into_decode())
}

/// Consumes `byte` if it is next; `false` when no byte is buffered yet; anything else is
/// a `kind` rejection.
fn expect_byte(input: &mut Input<'_>, byte: u8, kind: HttpErrorKind) -> Result<bool, DecodeError> {
    match input.bytes().first() {
        None => Ok(false),
        Some(&b) if b == byte => input.advance(1).map(|()| true),
        Some(_) => Err(protocol(input, kind, 0)),
    }
}

/// `chunk-size = 1*HEXDIG`, at most 16 digits, consumed as they arrive.
fn size(
    input: &mut Input<'_>,
    digits: &mut u8,
    value: &mut u64,
) -> Result<Option<State>, DecodeError> {
    let bytes = input.bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => {
                input.advance(i)?;
                if *digits == 0 {
                    return Err(protocol(input, HttpErrorKind::BadChunkSize, 0));
                }
                return after_size(input, *value, false);
            }
        };
        if *digits == 16 {
            return Err(protocol(input, HttpErrorKind::BadChunkSize, i));
        }
        // 16 hex digits always fit a u64: no overflow is possible below the cap.
        *value = (*value << 4) | u64::from(d);
        *digits += 1;
    }
    let n = bytes.len();
    input.advance(n)?;
    Ok(None)
}

/// After the size: CR, `;` starting extensions, or whitespace that must lead to `;`
/// (`in_space`: some was seen already). `None` while no byte is buffered.
fn after_size(
    input: &mut Input<'_>,
    value: u64,
    in_space: bool,
) -> Result<Option<State>, DecodeError> {
    let Some(&b) = input.bytes().first() else {
        return Ok(None);
    };
    let next = match b {
        b'\r' if !in_space => State::SizeLf { value },
        b' ' | b'\t' => State::SizeSpace { value },
        b';' => State::Extension { value, len: 0 },
        _ => return Err(protocol(input, HttpErrorKind::BadChunkSize, 0)),
    };
    input.advance(1)?;
    Ok(Some(next))
}

/// Chunk extensions up to the CR: ignored, but bounded and free of control bytes.
fn extension(
    input: &mut Input<'_>,
    value: u64,
    len: &mut usize,
    max: usize,
) -> Result<Option<State>, DecodeError> {
    let bytes = input.bytes();
    let room = max - *len;
    let end = bytes
        .iter()
        .position(|&b| b == b'\r' || (b < 0x20 && b != b'\t') || b == 0x7F);
    match end {
        Some(i) if i <= room => {
            if bytes[i] != b'\r' {
                return Err(protocol(input, HttpErrorKind::BadChunkExtension, i));
            }
            input.advance(i + 1)?;
            Ok(Some(State::SizeLf { value }))
        }
        _ if bytes.len() > room => Err(protocol(input, HttpErrorKind::ChunkExtensionTooLong, room)),
        _ => {
            let n = bytes.len();
            *len += n;
            input.advance(n)?;
            Ok(None)
        }
    }
}

/// Trailer lines (strict CRLF) up to the blank line, then the trailer fields.
fn trailers(
    input: &mut Input<'_>,
    scanner: &mut FieldScanner,
    limits: &BodyLimits,
) -> Result<Option<Fields>, DecodeError> {
    let rules = SectionRules {
        max_line: limits.max_trailers,
        max_end: limits.max_trailers,
        max_fields: limits.max_trailer_fields,
        allow_bare_lf: false,
        line_too_long: HttpErrorKind::TrailersTooLarge,
        too_large: HttpErrorKind::TrailersTooLarge,
        too_many: HttpErrorKind::TrailersTooLarge,
    };
    let end = match scanner.scan(input.bytes(), &rules) {
        Ok(Some(end)) => end,
        Ok(None) => return Ok(None),
        Err((kind, at)) => return Err(protocol(input, kind, at)),
    };
    let spans = scanner.take_fields();
    let bytes = input.bytes();
    if let Some(f) = spans
        .iter()
        .find(|f| forbidden_trailer(&bytes[f.name.range()]))
    {
        return Err(protocol(
            input,
            HttpErrorKind::ForbiddenTrailer,
            f.name.start as usize,
        ));
    }
    let raw = input.take(end)?;
    Ok(Some(Fields::new(raw, spans)))
}

/// Fields that would change how the message is framed, routed or authenticated, and so
/// may not arrive after the body (RFC 9110 section 6.5.1).
fn forbidden_trailer(name: &[u8]) -> bool {
    const FORBIDDEN: [&[u8]; 10] = [
        b"content-length",
        b"transfer-encoding",
        b"host",
        b"trailer",
        b"content-encoding",
        b"content-type",
        b"content-range",
        b"te",
        b"authorization",
        b"set-cookie",
    ];
    FORBIDDEN.iter().any(|f| name.eq_ignore_ascii_case(f))
}
