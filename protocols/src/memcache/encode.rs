//! Writing commands (for clients) and replies (for servers).
//!
//! The encoders refuse what the decoders would reject, so everything they write decodes
//! back to what was encoded: keys must be valid (in replies: no space or LF, see
//! [`ResponseDecoder`](super::ResponseDecoder)), text may not hold CR or LF (a reply could
//! otherwise smuggle a line of its own), and no line may be longer than the default
//! limits (2048 bytes for a command line, 64 KiB for a retrieval line, 8 KiB for a reply
//! line). Data block sizes are not limited here: the item size limit is a server's policy,
//! answered with `SERVER_ERROR`, not a framing error. On an error nothing is written.

use bytes::{BufMut, BytesMut};
use nagrel_decoder::encode::{put_decimal, Encode, EncodeError};

use super::decode::command::is_known_command;
use super::limits::{RequestLimits, ResponseLimits};
use super::model::flags::MetaFlags;
use super::model::keys::{check_key, check_reply_key, is_key_byte};
use super::model::request::{Request, StoreCommand};
use super::model::response::Response;

/// Runs `write`, undoing whatever it wrote if it fails.
fn atomically(
    dst: &mut BytesMut,
    write: impl FnOnce(&mut BytesMut) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    let start = dst.len();
    let result = write(dst);
    if result.is_err() {
        dst.truncate(start);
    }
    result
}

/// Ends the line that started at `start` with CRLF, refusing it if longer than `max`.
fn end_line(dst: &mut BytesMut, start: usize, max: usize) -> Result<(), EncodeError> {
    if dst.len() - start > max {
        return Err(EncodeError::new("line longer than the default limit"));
    }
    dst.put_slice(b"\r\n");
    Ok(())
}

fn put_i64(dst: &mut BytesMut, n: i64) {
    if n < 0 {
        dst.put_u8(b'-');
    }
    put_decimal(dst, n.unsigned_abs());
}

fn put_noreply(dst: &mut BytesMut, noreply: bool) {
    if noreply {
        dst.put_slice(b" noreply");
    }
}

/// `" " key`, the key checked.
fn put_key(dst: &mut BytesMut, key: &[u8]) -> Result<(), EncodeError> {
    check_key(key)?;
    dst.put_u8(b' ');
    dst.put_slice(key);
    Ok(())
}

/// `" " key` in a reply, the key checked as replies allow (no space or LF).
fn put_reply_key(dst: &mut BytesMut, key: &[u8]) -> Result<(), EncodeError> {
    check_reply_key(key)?;
    dst.put_u8(b' ');
    dst.put_slice(key);
    Ok(())
}

/// The flags, one space before each: decoded flags may have been separated by runs of
/// spaces, written back they are canonical.
fn put_flags(dst: &mut BytesMut, flags: &MetaFlags) {
    for (letter, token) in flags.iter() {
        dst.put_u8(b' ');
        dst.put_u8(letter);
        dst.put_slice(token);
    }
}

/// `" " text` unless empty; the text may not hold CR or LF.
fn put_text(dst: &mut BytesMut, text: &[u8]) -> Result<(), EncodeError> {
    if memchr::memchr2(b'\r', b'\n', text).is_some() {
        return Err(EncodeError::new("text holds CR or LF"));
    }
    if !text.is_empty() {
        dst.put_u8(b' ');
        dst.put_slice(text);
    }
    Ok(())
}

/// The data block and its CRLF.
fn put_data(dst: &mut BytesMut, data: &[u8]) {
    dst.reserve(data.len() + 2);
    dst.put_slice(data);
    dst.put_slice(b"\r\n");
}

fn max_line() -> usize {
    RequestLimits::default().max_line
}

fn max_reply_line() -> usize {
    ResponseLimits::default().max_line
}

/// Appends a storage command (line and data block) without building a
/// [`Store`](super::Store) first.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::memcache::{encode_store, StoreCommand};
///
/// let mut out = BytesMut::new();
/// encode_store(&mut out, StoreCommand::Cas(9), b"k", 3, -1, b"hi", true).unwrap();
/// assert_eq!(&out[..], b"cas k 3 -1 2 9 noreply\r\nhi\r\n");
/// assert!(encode_store(&mut out, StoreCommand::Set, b"", 0, 0, b"", false).is_err());
/// ```
pub fn encode_store(
    dst: &mut BytesMut,
    command: StoreCommand,
    key: &[u8],
    flags: u32,
    exptime: i64,
    data: &[u8],
    noreply: bool,
) -> Result<(), EncodeError> {
    atomically(dst, |dst| {
        write_store(dst, command, key, flags, exptime, data, noreply)
    })
}

fn write_store(
    dst: &mut BytesMut,
    command: StoreCommand,
    key: &[u8],
    flags: u32,
    exptime: i64,
    data: &[u8],
    noreply: bool,
) -> Result<(), EncodeError> {
    let start = dst.len();
    dst.put_slice(command.as_str().as_bytes());
    put_key(dst, key)?;
    dst.put_u8(b' ');
    put_decimal(dst, u64::from(flags));
    dst.put_u8(b' ');
    put_i64(dst, exptime);
    dst.put_u8(b' ');
    put_decimal(dst, data.len() as u64);
    if let StoreCommand::Cas(unique) = command {
        dst.put_u8(b' ');
        put_decimal(dst, unique);
    }
    put_noreply(dst, noreply);
    end_line(dst, start, max_line())?;
    put_data(dst, data);
    Ok(())
}

/// Appends a command.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::memcache::{encode_request, Keys, Request, Retrieve, RetrieveCommand};
///
/// let mut out = BytesMut::new();
/// let get = Retrieve { command: RetrieveCommand::Gat(30), keys: Keys::new(["a", "b"]).unwrap() };
/// encode_request(&mut out, &Request::Retrieve(get)).unwrap();
/// encode_request(&mut out, &Request::MetaNoop).unwrap();
/// assert_eq!(&out[..], b"gat 30 a b\r\nmn\r\n");
/// ```
pub fn encode_request(dst: &mut BytesMut, request: &Request) -> Result<(), EncodeError> {
    atomically(dst, |dst| write_request(dst, request))
}

fn write_request(dst: &mut BytesMut, request: &Request) -> Result<(), EncodeError> {
    let start = dst.len();
    match request {
        Request::Store(s) => {
            let (key, data) = (s.key(), s.data());
            return write_store(
                dst,
                s.command(),
                key,
                s.flags(),
                s.exptime(),
                data,
                s.noreply(),
            );
        }
        Request::Unknown(line) => {
            let name = line.split(|&b| b == b' ').find(|t| !t.is_empty());
            match name {
                None => return Err(EncodeError::new("blank command line")),
                Some(name) if is_known_command(name) => {
                    return Err(EncodeError::new(
                        "an unknown command may not use a known name",
                    ))
                }
                Some(_) => {}
            }
            if memchr::memchr2(b'\r', b'\n', line).is_some() {
                return Err(EncodeError::new("command line holds CR or LF"));
            }
            dst.put_slice(line);
            return end_line(dst, start, max_line());
        }
        _ => {}
    }
    let mut max = max_line();
    dst.put_slice(request.name().as_bytes());
    match request {
        Request::Retrieve(r) => {
            if let Some(exptime) = r.command.exptime() {
                dst.put_u8(b' ');
                put_i64(dst, exptime);
            }
            for key in r.keys.iter() {
                dst.put_u8(b' ');
                dst.put_slice(key);
            }
            max = RequestLimits::default().max_retrieval_line;
        }
        Request::Delete(d) => {
            put_key(dst, &d.key)?;
            put_noreply(dst, d.noreply);
        }
        Request::Arithmetic(a) => {
            put_key(dst, &a.key)?;
            dst.put_u8(b' ');
            put_decimal(dst, a.delta);
            put_noreply(dst, a.noreply);
        }
        Request::Touch(t) => {
            put_key(dst, &t.key)?;
            dst.put_u8(b' ');
            put_i64(dst, t.exptime);
            put_noreply(dst, t.noreply);
        }
        Request::Stats(s) => {
            let args = &s.args[..];
            let edge_space = args.first() == Some(&b' ') || args.last() == Some(&b' ');
            if edge_space || !args.iter().all(|&b| b == b' ' || is_key_byte(b)) {
                return Err(EncodeError::new(
                    "stats arguments must be tokens without control bytes",
                ));
            }
            if !args.is_empty() {
                dst.put_u8(b' ');
                dst.put_slice(args);
            }
        }
        Request::Version | Request::Quit | Request::MetaNoop => {}
        Request::Verbosity(v) => {
            dst.put_u8(b' ');
            put_decimal(dst, u64::from(v.level));
            put_noreply(dst, v.noreply);
        }
        Request::FlushAll(f) => {
            if let Some(delay) = f.delay {
                dst.put_u8(b' ');
                put_i64(dst, delay);
            }
            put_noreply(dst, f.noreply);
        }
        Request::MetaGet(m)
        | Request::MetaDelete(m)
        | Request::MetaArithmetic(m)
        | Request::MetaDebug(m) => {
            put_key(dst, m.key())?;
            put_flags(dst, &m.flags());
        }
        Request::MetaSet(m) => {
            put_key(dst, m.key())?;
            dst.put_u8(b' ');
            put_decimal(dst, m.data().len() as u64);
            put_flags(dst, &m.flags());
            end_line(dst, start, max)?;
            put_data(dst, m.data());
            return Ok(());
        }
        // Written whole above.
        Request::Store(_) | Request::Unknown(_) => {}
    }
    end_line(dst, start, max)
}

/// Appends one `VALUE` block of a retrieval reply; a server writes one per hit, then
/// [`encode_end`].
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::memcache::{encode_end, encode_value};
///
/// let mut out = BytesMut::new();
/// encode_value(&mut out, b"k", 0, Some(12), b"hi").unwrap();
/// encode_end(&mut out);
/// assert_eq!(&out[..], b"VALUE k 0 2 12\r\nhi\r\nEND\r\n");
/// ```
pub fn encode_value(
    dst: &mut BytesMut,
    key: &[u8],
    flags: u32,
    cas: Option<u64>,
    data: &[u8],
) -> Result<(), EncodeError> {
    atomically(dst, |dst| {
        let start = dst.len();
        dst.put_slice(b"VALUE");
        put_reply_key(dst, key)?;
        dst.put_u8(b' ');
        put_decimal(dst, u64::from(flags));
        dst.put_u8(b' ');
        put_decimal(dst, data.len() as u64);
        if let Some(cas) = cas {
            dst.put_u8(b' ');
            put_decimal(dst, cas);
        }
        end_line(dst, start, max_reply_line())?;
        put_data(dst, data);
        Ok(())
    })
}

/// Appends `END`: the end of a retrieval or stats reply.
pub fn encode_end(dst: &mut BytesMut) {
    dst.put_slice(b"END\r\n");
}

/// Appends a reply.
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use nagrel_protocols::memcache::{encode_response, Response};
///
/// let mut out = BytesMut::new();
/// encode_response(&mut out, &Response::Stored).unwrap();
/// encode_response(&mut out, &Response::Number(7)).unwrap();
/// assert_eq!(&out[..], b"STORED\r\n7\r\n");
/// let smuggling = Response::ServerError(Bytes::from_static(b"x\r\nSTORED"));
/// assert!(encode_response(&mut out, &smuggling).is_err());
/// ```
pub fn encode_response(dst: &mut BytesMut, response: &Response) -> Result<(), EncodeError> {
    atomically(dst, |dst| write_response(dst, response))
}

fn write_response(dst: &mut BytesMut, response: &Response) -> Result<(), EncodeError> {
    let max = max_reply_line();
    let start = dst.len();
    let word: &[u8] = match response {
        Response::Values(values) => {
            for v in values {
                encode_value(dst, &v.key, v.flags, v.cas, &v.data)?;
            }
            encode_end(dst);
            return Ok(());
        }
        Response::Stats(stats) => {
            for stat in stats {
                let line = dst.len();
                let name = &stat.name[..];
                if name.is_empty() || !name.iter().all(|&b| is_key_byte(b)) {
                    return Err(EncodeError::new(
                        "stat name must be a token without control bytes",
                    ));
                }
                dst.put_slice(b"STAT ");
                dst.put_slice(name);
                put_text(dst, &stat.value)?;
                end_line(dst, line, max)?;
            }
            encode_end(dst);
            return Ok(());
        }
        Response::Stored => b"STORED",
        Response::NotStored => b"NOT_STORED",
        Response::Exists => b"EXISTS",
        Response::NotFound => b"NOT_FOUND",
        Response::Deleted => b"DELETED",
        Response::Touched => b"TOUCHED",
        Response::Ok => b"OK",
        Response::Reset => b"RESET",
        Response::MetaNoop => b"MN",
        Response::Number(n) => {
            put_decimal(dst, *n);
            return end_line(dst, start, max);
        }
        Response::Version(text)
        | Response::Error(text)
        | Response::ClientError(text)
        | Response::ServerError(text) => {
            dst.put_slice(match response {
                Response::Version(_) => b"VERSION",
                Response::Error(_) => b"ERROR",
                Response::ClientError(_) => b"CLIENT_ERROR",
                _ => b"SERVER_ERROR",
            });
            put_text(dst, text)?;
            return end_line(dst, start, max);
        }
        Response::Meta(m) => {
            dst.put_slice(m.status.as_str().as_bytes());
            put_flags(dst, &m.flags);
            return end_line(dst, start, max);
        }
        Response::MetaValue(m) => {
            dst.put_slice(b"VA ");
            put_decimal(dst, m.data.len() as u64);
            put_flags(dst, &m.flags);
            end_line(dst, start, max)?;
            put_data(dst, &m.data);
            return Ok(());
        }
        Response::MetaDebug(m) => {
            dst.put_slice(b"ME");
            put_reply_key(dst, &m.key)?;
            put_text(dst, &m.info)?;
            return end_line(dst, start, max);
        }
    };
    dst.put_slice(word);
    end_line(dst, start, max)
}

/// Writes [`Request`]s: [`encode_request`] as an [`Encode`] implementation.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestEncoder;

impl Encode<&Request> for RequestEncoder {
    fn encode(&mut self, item: &Request, dst: &mut BytesMut) -> Result<(), EncodeError> {
        encode_request(dst, item)
    }
}

impl Encode<Request> for RequestEncoder {
    fn encode(&mut self, item: Request, dst: &mut BytesMut) -> Result<(), EncodeError> {
        encode_request(dst, &item)
    }
}

/// Writes [`Response`]s: [`encode_response`] as an [`Encode`] implementation.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResponseEncoder;

impl Encode<&Response> for ResponseEncoder {
    fn encode(&mut self, item: &Response, dst: &mut BytesMut) -> Result<(), EncodeError> {
        encode_response(dst, item)
    }
}

impl Encode<Response> for ResponseEncoder {
    fn encode(&mut self, item: Response, dst: &mut BytesMut) -> Result<(), EncodeError> {
        encode_response(dst, &item)
    }
}
