//! The JSON Mongrel2 headers use: an object whose values are strings or arrays of
//! strings. Written so that any header bytes give valid JSON, and read back without
//! copying strings that hold no escapes.

use bytes::{Bytes, BytesMut};

use super::error::Mongrel2ErrorKind;
use super::model::{HeaderValue, Headers};

/// What each byte needs inside a JSON string: 0 = copy as is, 1 = escape, 2 = part of a
/// multi-byte UTF-8 sequence (checked before copying).
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if i < 0x20 || i == b'"' as usize || i == b'\\' as usize || i == 0x7f {
            1
        } else if i >= 0x80 {
            2
        } else {
            0
        };
        i += 1;
    }
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `text` as a JSON string, quotes included.
///
/// Valid UTF-8 is copied as it is; `"`, `\` and control bytes are escaped; a byte that
/// is not part of valid UTF-8 is written as `\u00XX`, the character with that number
/// (reading the bytes as Latin-1), so the output is always valid JSON. Mongrel2 escapes
/// only `"` and `\`.
pub(crate) fn put_string(dst: &mut BytesMut, text: &[u8]) {
    dst.reserve(text.len() + 2);
    dst.extend_from_slice(b"\"");
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        // Skip eight plain bytes at a time: header text is almost all plain ASCII.
        if let Some(word) = text.get(i..i + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            if is_plain_word(word) {
                i += 8;
                continue;
            }
        }
        match CLASS[usize::from(text[i])] {
            0 => i += 1,
            1 => {
                dst.extend_from_slice(&text[start..i]);
                put_escape(dst, text[i]);
                i += 1;
                start = i;
            }
            _ => {
                // Copy the longest valid UTF-8 run from here; escape a byte that starts
                // no valid sequence.
                let valid = utf8_prefix(&text[i..]);
                if valid > 0 {
                    i += valid;
                } else {
                    dst.extend_from_slice(&text[start..i]);
                    put_unicode_escape(dst, text[i]);
                    i += 1;
                    start = i;
                }
            }
        }
    }
    dst.extend_from_slice(&text[start..]);
    dst.extend_from_slice(b"\"");
}

/// Whether none of the eight bytes in `w` needs attention in a JSON string: no control
/// byte or DEL, no `"` or `\\`, nothing from 0x80 up.
fn is_plain_word(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero exactly when the high bit of this is set for it (the classic
    // "has zero byte" test, exact for the first zero and never missing one).
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let quote = has_zero(w ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(w ^ (ONES * u64::from(b'\\')));
    let del = has_zero(w ^ (ONES * 0x7f));
    (below_space | quote | backslash | del | (w & HIGH)) == 0
}

/// The length of the valid UTF-8 sequence of non-ASCII characters at the start of
/// `bytes` (stopping at the first ASCII byte or invalid sequence).
fn utf8_prefix(bytes: &[u8]) -> usize {
    let end = bytes.iter().position(|&b| b < 0x80).unwrap_or(bytes.len());
    match core::str::from_utf8(&bytes[..end]) {
        Ok(_) => end,
        Err(e) => e.valid_up_to(),
    }
}

fn put_escape(dst: &mut BytesMut, b: u8) {
    match b {
        b'"' => dst.extend_from_slice(b"\\\""),
        b'\\' => dst.extend_from_slice(b"\\\\"),
        b'\n' => dst.extend_from_slice(b"\\n"),
        b'\r' => dst.extend_from_slice(b"\\r"),
        b'\t' => dst.extend_from_slice(b"\\t"),
        _ => put_unicode_escape(dst, b),
    }
}

fn put_unicode_escape(dst: &mut BytesMut, b: u8) {
    dst.extend_from_slice(&[
        b'\\',
        b'u',
        b'0',
        b'0',
        HEX[usize::from(b >> 4)],
        HEX[usize::from(b & 15)],
    ]);
}

/// Appends `headers` as a JSON object: one string per value, an array for a repeated
/// name, keys in order.
pub(crate) fn put_headers(dst: &mut BytesMut, headers: &Headers) {
    dst.extend_from_slice(b"{");
    for (i, (name, value)) in headers.iter().enumerate() {
        if i > 0 {
            dst.extend_from_slice(b",");
        }
        put_string(dst, name);
        dst.extend_from_slice(b":");
        match value {
            HeaderValue::One(v) => put_string(dst, v),
            HeaderValue::Many(vs) => {
                dst.extend_from_slice(b"[");
                for (j, v) in vs.iter().enumerate() {
                    if j > 0 {
                        dst.extend_from_slice(b",");
                    }
                    put_string(dst, v);
                }
                dst.extend_from_slice(b"]");
            }
        }
    }
    dst.extend_from_slice(b"}");
}

/// A failed parse: the kind and the position in the parsed buffer.
pub(crate) type Failure = (Mongrel2ErrorKind, usize);

/// Reads a headers object from `data`: keys and values are strings, or a value is an
/// array of strings. Whitespace between tokens is allowed; nothing may follow the object.
///
/// Strings are read as Mongrel2 writes them: it escapes only `"` and `\` and copies
/// every other header byte raw (tabs, invalid UTF-8), so raw control bytes and bytes that
/// are not UTF-8 are accepted inside strings and kept as they are. A handler should not
/// drop a request for what its server wrote.
pub(crate) fn parse_headers(data: &Bytes) -> Result<Headers, Failure> {
    let mut p = Parser { data, at: 0 };
    let mut headers = Headers::default();
    p.skip_space();
    p.expect(b'{')?;
    p.skip_space();
    if !p.eat(b'}') {
        loop {
            p.skip_space();
            let name = p.string()?;
            p.skip_space();
            p.expect(b':')?;
            p.skip_space();
            let value = if p.eat(b'[') {
                let mut values = Vec::new();
                p.skip_space();
                if !p.eat(b']') {
                    loop {
                        p.skip_space();
                        values.push(p.string()?);
                        p.skip_space();
                        if p.eat(b']') {
                            break;
                        }
                        p.expect(b',')?;
                    }
                }
                HeaderValue::Many(values)
            } else {
                HeaderValue::One(p.string()?)
            };
            headers.push_entry(name, value);
            p.skip_space();
            if p.eat(b'}') {
                break;
            }
            p.expect(b',')?;
        }
    }
    p.skip_space();
    if p.at != data.len() {
        return Err(p.fail());
    }
    Ok(headers)
}

struct Parser<'a> {
    data: &'a Bytes,
    at: usize,
}

impl Parser<'_> {
    fn fail(&self) -> Failure {
        (Mongrel2ErrorKind::BadJson, self.at)
    }

    fn skip_space(&mut self) {
        while matches!(self.data.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.data.get(self.at) == Some(&b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), Failure> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.fail())
        }
    }

    /// A string: a slice of the input when it holds no escape, else the unescaped copy.
    fn string(&mut self) -> Result<Bytes, Failure> {
        self.expect(b'"')?;
        let start = self.at;
        let rest = &self.data[start..];
        let Some(end) = memchr::memchr2(b'"', b'\\', rest) else {
            self.at = self.data.len();
            return Err(self.fail());
        };
        if rest[end] == b'"' {
            self.at = start + end + 1;
            return Ok(self.data.slice(start..start + end));
        }
        let mut out = Vec::with_capacity(end + 16);
        out.extend_from_slice(&rest[..end]);
        self.at = start + end;
        loop {
            match self.data.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Bytes::from(out));
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(&mut out)?;
                }
                Some(&b) => {
                    out.push(b);
                    self.at += 1;
                }
                None => return Err(self.fail()),
            }
        }
    }

    /// One escape after its backslash, appended to `out` as UTF-8.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), Failure> {
        let Some(&b) = self.data.get(self.at) else {
            return Err(self.fail());
        };
        self.at += 1;
        let simple = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let unit = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate must be followed by an escaped low one.
                    if !(self.eat(b'\\') && self.eat(b'u')) {
                        return Err(self.fail());
                    }
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.fail());
                    }
                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    unit
                };
                let c = char::from_u32(c).ok_or_else(|| self.fail())?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                return Ok(());
            }
            _ => {
                self.at -= 1;
                return Err(self.fail());
            }
        };
        out.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Failure> {
        let digits = self
            .data
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.fail())?;
        let mut n = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.fail()),
            };
            n = n * 16 + u32::from(v);
        }
        self.at += 4;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_word_agrees_with_the_byte_table_for_every_byte_and_position() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut word = [b'a'; 8];
                word[at] = b;
                assert_eq!(
                    is_plain_word(u64::from_le_bytes(word)),
                    CLASS[usize::from(b)] == 0,
                    "byte {b:#04x} at {at}"
                );
            }
        }
        // Mixed words: several special bytes at once are still caught.
        assert!(!is_plain_word(u64::from_le_bytes(*b"\x00\x7f\"\\\xff ab")));
        assert!(is_plain_word(u64::from_le_bytes(*b"/a/b?c=d")));
    }
}
