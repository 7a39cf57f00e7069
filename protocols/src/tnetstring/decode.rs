//! Decoding tnetstrings: a streaming step for the outer value, then an in-memory parse of
//! its data.

use bytes::Bytes;
use nagrel_decoder::{DecodeError, Input, Status, Step};

use super::error::{TnetstringError, TnetstringErrorKind};
use super::model::{Dict, Value};
use crate::error::Kind;
use crate::netstring::decode::{decode_whole, tagged, Tagged};
use crate::netstring::NetstringErrorKind;

/// Limits for [`tnetstring`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TnetstringLimits {
    /// Largest data length of the outer value, in bytes. Default 1 MiB.
    pub max_size: usize,
    /// Deepest nesting of lists and dictionaries: the outer container is depth 1, a
    /// container inside it depth 2. Default 32.
    pub max_depth: usize,
}

impl Default for TnetstringLimits {
    fn default() -> Self {
        TnetstringLimits {
            max_size: 1024 * 1024,
            max_depth: 32,
        }
    }
}

/// Reads one tnetstring from a stream and yields its [`Value`].
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_protocols::decoder::Driver;
/// use nagrel_protocols::tnetstring::{tnetstring, TnetstringLimits, Value};
///
/// let mut driver = Driver::new(|| tnetstring(TnetstringLimits::default()));
/// let mut buf = BytesMut::from(&b"2:42#0:~"[..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(Value::Integer(42)));
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(Value::Null));
/// ```
pub fn tnetstring(limits: TnetstringLimits) -> Tnetstring {
    Tnetstring {
        max_depth: limits.max_depth,
        inner: tagged(limits.max_size),
    }
}

/// See [`tnetstring`].
#[derive(Debug)]
pub struct Tnetstring {
    max_depth: usize,
    inner: Tagged,
}

impl Step for Tnetstring {
    type Output = Value;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Value>, DecodeError> {
        let Status::Ready(value) = self.inner.resume(input)? else {
            return Ok(Status::Pending);
        };
        let at = value.offset;
        parse_payload(value.data, value.tag, self.max_depth)
            .map(Status::Ready)
            .map_err(|(kind, pos)| DecodeError::new(kind.into_decode(), at + pos as u64))
    }
}

/// Decodes `bytes` as exactly one tnetstring.
///
/// ```
/// use nagrel_protocols::tnetstring::{decode_tnetstring, TnetstringErrorKind, TnetstringLimits, Value};
///
/// let limits = TnetstringLimits::default();
/// assert_eq!(decode_tnetstring(b"4:true!", limits).unwrap(), Value::Bool(true));
/// let err = decode_tnetstring(b"3:abc?", limits).unwrap_err();
/// assert_eq!(err.kind(), TnetstringErrorKind::UnknownType);
/// assert_eq!(err.offset(), 5);
/// ```
pub fn decode_tnetstring(bytes: &[u8], limits: TnetstringLimits) -> Result<Value, TnetstringError> {
    decode_whole(Bytes::copy_from_slice(bytes), || tnetstring(limits))
}

/// Parses the complete data of a tnetstring whose type byte is `tag`, nested at most
/// `max_depth` deep (counting this value).
///
/// On error, gives the kind and the position in `data` of the offending byte (the type
/// byte itself is position `data.len()`).
///
/// ```
/// use bytes::Bytes;
/// use nagrel_protocols::tnetstring::{parse_payload, Value};
///
/// let items = parse_payload(Bytes::from_static(b"1:a,1:b,"), b']', 32).unwrap();
/// assert_eq!(items, Value::List(vec!["a".into(), "b".into()]));
/// ```
pub fn parse_payload(
    data: Bytes,
    tag: u8,
    max_depth: usize,
) -> Result<Value, (TnetstringErrorKind, usize)> {
    Parser {
        data: &data,
        max_depth,
    }
    .value(0, data.len(), tag, 1)
}

/// A recursive-descent parse over one complete buffer; positions are indices into it.
struct Parser<'a> {
    data: &'a Bytes,
    max_depth: usize,
}

type Parsed<T> = Result<T, (TnetstringErrorKind, usize)>;

impl Parser<'_> {
    /// The value whose data is `data[start..end]` and type byte is at `end`.
    fn value(&self, start: usize, end: usize, tag: u8, depth: usize) -> Parsed<Value> {
        let text = &self.data[start..end];
        let bad = |kind: TnetstringErrorKind| Err((kind, start));
        match tag {
            b',' => Ok(Value::Bytes(self.data.slice(start..end))),
            b'#' => match parse_integer(text) {
                Some(n) => Ok(Value::Integer(n)),
                None => bad(TnetstringErrorKind::BadInteger),
            },
            b'^' => match parse_float(text) {
                Some(x) => Ok(Value::Float(x)),
                None => bad(TnetstringErrorKind::BadFloat),
            },
            b'!' => match text {
                b"true" => Ok(Value::Bool(true)),
                b"false" => Ok(Value::Bool(false)),
                _ => bad(TnetstringErrorKind::BadBool),
            },
            b'~' if text.is_empty() => Ok(Value::Null),
            b'~' => bad(TnetstringErrorKind::BadNull),
            b']' | b'}' if depth > self.max_depth => Err((TnetstringErrorKind::TooDeep, start)),
            b']' => {
                let mut items = Vec::new();
                let mut at = start;
                while at < end {
                    let (item_start, item_end, tag) = self.element(at, end)?;
                    items.push(self.value(item_start, item_end, tag, depth + 1)?);
                    at = item_end + 1;
                }
                Ok(Value::List(items))
            }
            b'}' => {
                let mut entries = Vec::new();
                let mut at = start;
                while at < end {
                    let (key_start, key_end, key_tag) = self.element(at, end)?;
                    if key_tag != b',' {
                        return Err((TnetstringErrorKind::BadKey, at));
                    }
                    at = key_end + 1;
                    if at == end {
                        return Err((TnetstringErrorKind::MissingValue, at));
                    }
                    let (value_start, value_end, tag) = self.element(at, end)?;
                    let value = self.value(value_start, value_end, tag, depth + 1)?;
                    entries.push((self.data.slice(key_start..key_end), value));
                    at = value_end + 1;
                }
                Ok(Value::Dict(Dict::from(entries)))
            }
            _ => Err((TnetstringErrorKind::UnknownType, end)),
        }
    }

    /// The element starting at `at` inside a container ending at `end`: where its data
    /// starts and ends, and its type byte.
    fn element(&self, at: usize, end: usize) -> Parsed<(usize, usize, u8)> {
        let bytes = &self.data[..end];
        let mut i = at;
        let mut len: usize = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'0'..=b'9' => {
                    if i == at + 1 && bytes[at] == b'0' {
                        return Err((NetstringErrorKind::LeadingZero.into(), i));
                    }
                    len = match len
                        .checked_mul(10)
                        .and_then(|l| l.checked_add(usize::from(b - b'0')))
                    {
                        // An element can never be longer than what is left of its container.
                        Some(l) if l < end => l,
                        _ => return Err((TnetstringErrorKind::ElementOverrun, i)),
                    };
                }
                b':' if i > at => break,
                _ if i == at => return Err((NetstringErrorKind::BadLength.into(), i)),
                _ => return Err((NetstringErrorKind::MissingColon.into(), i)),
            }
            i += 1;
        }
        if i == end {
            // Digits ran into the end of the container.
            return Err((TnetstringErrorKind::ElementOverrun, i));
        }
        let data_start = i + 1;
        match data_start.checked_add(len) {
            Some(data_end) if data_end < end => Ok((data_start, data_end, bytes[data_end])),
            _ => Err((TnetstringErrorKind::ElementOverrun, at)),
        }
    }
}

/// `-?DIGITS` into an i64.
fn parse_integer(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Accumulate negatively so that i64::MIN parses.
    let mut n: i64 = 0;
    for &d in digits {
        n = n.checked_mul(10)?.checked_sub(i64::from(d - b'0'))?;
    }
    if negative {
        Some(n)
    } else {
        n.checked_neg()
    }
}

/// A finite decimal float: digits, sign, point and exponent only (no `inf` or `nan`).
fn parse_float(text: &[u8]) -> Option<f64> {
    let allowed = |b: &u8| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E');
    if text.is_empty() || !text.iter().all(allowed) {
        return None;
    }
    let x: f64 = core::str::from_utf8(text).ok()?.parse().ok()?;
    x.is_finite().then_some(x)
}
