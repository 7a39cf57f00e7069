//! The client side: replies out of a receive buffer.

use core::ops::Range;

use bytes::{Bytes, BytesMut};
use nagrel_decoder::Input;

use super::line::{scan_line, Scan};
use super::reply::{parse_reply, BadLine, ReplyLine, Single, TextKind};
use crate::memcache::error::{MemcacheError, MemcacheErrorKind};
use crate::memcache::limits::ResponseLimits;
use crate::memcache::model::flags::MetaFlags;
use crate::memcache::model::response::{MetaDebug, MetaReply, MetaValue, Response, Stat, Value};

/// Most lines one multi-line reply may hold (`VALUE` blocks or `STAT` lines), so the
/// bookkeeping for a reply stays a small multiple of its bytes.
pub const MAX_REPLY_ITEMS: usize = 64 * 1024;

/// Decodes the replies a server sends, one per call, resuming where it stopped.
///
/// Replies are framed without knowing the requests they answer:
///
/// - `VALUE` blocks up to `END` make one [`Response::Values`]; `STAT` lines up to `END` one
///   [`Response::Stats`]. A lone `END` is an empty `Values`: the text protocol does not
///   say whether it ends a retrieval that found nothing or a `stats` with nothing to
///   report, and both mean "nothing".
/// - A line that is only a decimal number is [`Response::Number`] (the result of `incr`
///   and `decr`); no other reply starts with a digit.
/// - Every other reply is one line (`VA` and its data block) named by its first word;
///   `ERROR:` with a message glued to it (memcached's answer to a disabled `shutdown`) is
///   [`Response::Error`] too.
///
/// Keys in replies may hold control bytes (only space and LF are excluded), since
/// memcached returns whatever keys clients stored.
///
/// A multi-line reply is buffered until its `END` (bounded by
/// [`ResponseLimits::max_response`] and [`MAX_REPLY_ITEMS`]), then split off in one piece
/// that keys and data share, zero-copy. Lines are found with a scan that keeps its
/// position, so no byte is searched twice however the reply trickles in.
///
/// Every rejection is fatal: a client that cannot frame a reply cannot tell which request
/// the following ones answer. The decoder repeats the error from then on.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::memcache::{MetaStatus, Response, ResponseDecoder};
///
/// let mut decoder = ResponseDecoder::default();
/// let mut buf = BytesMut::from(&b"STAT pid 7\r\nSTAT uptime 9\r\nEND\r\nHD Oab\r\n42\r\n"[..]);
/// let Some(Response::Stats(stats)) = decoder.decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!((&stats[1].name[..], &stats[1].value[..]), (&b"uptime"[..], &b"9"[..]));
/// let Some(Response::Meta(hd)) = decoder.decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!((hd.status, hd.flags.get(b'O')), (MetaStatus::Hd, Some(&b"ab"[..])));
/// assert_eq!(decoder.decode(&mut buf).unwrap(), Some(Response::Number(42)));
/// ```
#[derive(Debug)]
pub struct ResponseDecoder {
    limits: ResponseLimits,
    offset: u64,
    state: State,
    failed: Option<MemcacheError>,
}

/// Where in a reply the decoder is. Positions count from the reply's first byte, which
/// stays at the front of the buffer until the reply is complete.
#[derive(Debug, Default)]
struct State {
    /// Where the next line starts.
    pos: usize,
    /// How far past `pos` that line has been searched for its LF.
    scanned: usize,
    /// What the reply has collected so far.
    block: Block,
    /// A data block awaited at `pos`.
    data: Option<Data>,
}

/// The lines of a multi-line reply so far.
#[derive(Debug, Default)]
enum Block {
    /// No multi-line reply has started.
    #[default]
    None,
    Values(Vec<ValueSpan>),
    Stats(Vec<(Range<usize>, Range<usize>)>),
}

/// Where a value's parts lie in its reply.
#[derive(Debug)]
struct ValueSpan {
    key: Range<usize>,
    flags: u32,
    cas: Option<u64>,
    data: Range<usize>,
}

/// A data block the decoder waits for.
#[derive(Debug)]
enum Data {
    /// The data of the last `VALUE` line (its span is already recorded).
    Value { len: usize },
    /// The data of a `VA` line, whose flags lie here.
    Meta {
        len: usize,
        flags: Range<usize>,
        present: u64,
    },
}

impl Default for ResponseDecoder {
    fn default() -> Self {
        ResponseDecoder::new(ResponseLimits::default())
    }
}

impl ResponseDecoder {
    /// A decoder with these limits, at the start of a stream.
    pub fn new(limits: ResponseLimits) -> Self {
        ResponseDecoder {
            limits,
            offset: 0,
            state: State::default(),
            failed: None,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &ResponseLimits {
        &self.limits
    }

    /// Absolute offset of the next unconsumed byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether a reply has started and waits for the rest of its bytes.
    pub fn in_reply(&self) -> bool {
        self.state.pos > 0 || self.state.scanned > 0 || self.state.data.is_some()
    }

    /// The error that stopped the decoder, if any.
    pub fn failed(&self) -> Option<MemcacheError> {
        self.failed
    }

    /// Decodes the next reply from the front of `buf`, consuming its bytes. `Ok(None)`
    /// means more bytes are needed.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Response>, MemcacheError> {
        self.run(buf, false)
    }

    /// Like [`decode`](ResponseDecoder::decode), knowing that `buf` holds the last bytes
    /// of the stream: a reply cut off is [`MemcacheErrorKind::ReplyIncomplete`].
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Response>, MemcacheError> {
        self.run(buf, true)
    }

    fn run(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Response>, MemcacheError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let mut input = Input::new(buf, self.offset, eof);
        let result = self.step(&mut input);
        self.offset = input.offset();
        drop(input);
        match result {
            Ok(Some(reply)) => {
                self.state = State::default();
                Ok(Some(reply))
            }
            Ok(None) => Ok(None),
            Err(err) => {
                self.state = State::default();
                self.failed = Some(err);
                Err(err)
            }
        }
    }

    fn fail<T>(
        &self,
        input: &Input<'_>,
        kind: MemcacheErrorKind,
        at: usize,
    ) -> Result<T, MemcacheError> {
        Err(MemcacheError::new(
            kind,
            input.offset().saturating_add(at as u64),
        ))
    }

    /// Nothing more to do with the visible bytes: wait, or at the end of the stream report
    /// the reply cut off.
    fn wait(&self, input: &Input<'_>) -> Result<Option<Response>, MemcacheError> {
        if input.is_eof() && (self.in_reply() || !input.is_empty()) {
            return self.fail(input, MemcacheErrorKind::ReplyIncomplete, input.len());
        }
        Ok(None)
    }

    fn step(&mut self, input: &mut Input<'_>) -> Result<Option<Response>, MemcacheError> {
        loop {
            if let Some(data) = &self.state.data {
                let (len, meta) = match data {
                    Data::Value { len } => (*len, false),
                    Data::Meta { len, .. } => (*len, true),
                };
                let pos = self.state.pos;
                // No overflow: `pos` is bounded by the limits, `len` by `max_value`.
                let needed = pos + len + 2;
                let have = input.len();
                if have < needed {
                    input.reserve(needed - have);
                    return self.wait(input);
                }
                if input.bytes().get(pos + len..needed) != Some(b"\r\n") {
                    return self.fail(input, MemcacheErrorKind::BadValueData, pos + len);
                }
                if meta {
                    return self.meta_value(input, pos, len, needed).map(Some);
                }
                self.state.data = None;
                self.state.pos = needed;
                self.state.scanned = 0;
                continue;
            }
            let pos = self.state.pos;
            let bytes = input.bytes().get(pos..).unwrap_or_default();
            let end = match scan_line(bytes, &mut self.state.scanned, self.limits.max_line) {
                Ok(end) => end,
                Err(Scan::Pending) => return self.wait(input),
                Err(Scan::TooLong) => {
                    let at = pos.saturating_add(self.limits.max_line);
                    return self.fail(input, MemcacheErrorKind::ReplyLineTooLong, at);
                }
            };
            if self.limits.strict_crlf && end.bare_lf() {
                return self.fail(input, MemcacheErrorKind::BadReply, pos + end.end);
            }
            let line = match parse_reply(&bytes[..end.end], self.limits.max_value) {
                Ok(line) => line,
                Err(BadLine { kind, at }) => return self.fail(input, kind, pos + at),
            };
            let next = pos + end.next;
            let shift = |r: Range<usize>| r.start + pos..r.end + pos;
            match (&mut self.state.block, line) {
                (
                    Block::None,
                    ReplyLine::Value {
                        key,
                        flags,
                        len,
                        cas,
                    },
                )
                | (
                    Block::Values(_),
                    ReplyLine::Value {
                        key,
                        flags,
                        len,
                        cas,
                    },
                ) => {
                    let span = ValueSpan {
                        key: shift(key),
                        flags,
                        cas,
                        data: next..next + len,
                    };
                    match &mut self.state.block {
                        Block::Values(values) => values.push(span),
                        block => *block = Block::Values(vec![span]),
                    }
                    self.grown(input, next + len + 2)?;
                    self.state.data = Some(Data::Value { len });
                }
                (Block::None, ReplyLine::Stat { name, value })
                | (Block::Stats(_), ReplyLine::Stat { name, value }) => {
                    let stat = (shift(name), shift(value));
                    match &mut self.state.block {
                        Block::Stats(stats) => stats.push(stat),
                        block => *block = Block::Stats(vec![stat]),
                    }
                    self.grown(input, next)?;
                }
                (Block::None, ReplyLine::End) | (Block::Values(_), ReplyLine::End) => {
                    let raw = input.take(next)?;
                    let Block::Values(spans) = core::mem::take(&mut self.state.block) else {
                        return Ok(Some(Response::Values(Vec::new())));
                    };
                    let values = spans
                        .into_iter()
                        .map(|v| Value {
                            key: raw.slice(v.key),
                            flags: v.flags,
                            cas: v.cas,
                            data: raw.slice(v.data),
                        })
                        .collect();
                    return Ok(Some(Response::Values(values)));
                }
                (Block::Stats(stats), ReplyLine::End) => {
                    let stats = core::mem::take(stats);
                    let raw = input.take(next)?;
                    let stats = stats
                        .into_iter()
                        .map(|(name, value)| Stat {
                            name: raw.slice(name),
                            value: raw.slice(value),
                        })
                        .collect();
                    return Ok(Some(Response::Stats(stats)));
                }
                (
                    Block::None,
                    ReplyLine::MetaValue {
                        len,
                        flags,
                        present,
                    },
                ) => {
                    self.state.pos = next;
                    self.state.scanned = 0;
                    self.state.data = Some(Data::Meta {
                        len,
                        flags,
                        present,
                    });
                    continue;
                }
                (Block::None, ReplyLine::Single(single)) => {
                    let raw = input.take(end.end)?;
                    input.advance(end.next - end.end)?;
                    return Ok(Some(single_line(single, &raw)));
                }
                (_, _) => return self.fail(input, MemcacheErrorKind::BadReply, pos),
            }
            self.state.pos = next;
            self.state.scanned = 0;
        }
    }

    /// A multi-line reply now reaches `end` bytes: refuse it past the limits.
    fn grown(&self, input: &Input<'_>, end: usize) -> Result<(), MemcacheError> {
        let items = match &self.state.block {
            Block::Values(v) => v.len(),
            Block::Stats(s) => s.len(),
            Block::None => 0,
        };
        if end > self.limits.max_response || items > MAX_REPLY_ITEMS {
            return self.fail(
                input,
                MemcacheErrorKind::ReplyTooLarge,
                self.limits.max_response.min(end),
            );
        }
        Ok(())
    }

    /// Splits off a `VA` reply whose data block is in.
    fn meta_value(
        &mut self,
        input: &mut Input<'_>,
        pos: usize,
        len: usize,
        needed: usize,
    ) -> Result<Response, MemcacheError> {
        let Some(Data::Meta { flags, present, .. }) = self.state.data.take() else {
            return self.fail(input, MemcacheErrorKind::BadReply, pos);
        };
        let raw = input.take(pos + len)?;
        input.advance(needed - (pos + len))?;
        Ok(Response::MetaValue(MetaValue {
            flags: flags_of(&raw, flags, present),
            data: raw.slice(pos..pos + len),
        }))
    }
}

/// The flags lying at `span` of a reply's bytes.
fn flags_of(raw: &Bytes, span: Range<usize>, present: u64) -> MetaFlags {
    if span.is_empty() {
        MetaFlags::empty()
    } else {
        MetaFlags::from_parts(raw.slice(span), present)
    }
}

/// A one-line reply from its parsed line and its bytes.
fn single_line(line: Single, raw: &Bytes) -> Response {
    let text = |r: Range<usize>| {
        if r.is_empty() {
            Bytes::new()
        } else {
            raw.slice(r)
        }
    };
    match line {
        Single::Whole(reply) => reply,
        Single::Text { kind, text: t } => {
            let t = text(t);
            match kind {
                TextKind::Version => Response::Version(t),
                TextKind::Error => Response::Error(t),
                TextKind::ClientError => Response::ClientError(t),
                TextKind::ServerError => Response::ServerError(t),
            }
        }
        Single::Meta {
            status,
            flags,
            present,
        } => Response::Meta(MetaReply {
            status,
            flags: flags_of(raw, flags, present),
        }),
        Single::MetaDebug { key, info } => Response::MetaDebug(MetaDebug {
            key: raw.slice(key),
            info: text(info),
        }),
    }
}
