//! A table of request streams through the whole pipeline a server runs (head, framing,
//! body), each decoded one shot, at every two-way split and one byte at a time. The table
//! holds RFC 9112's rules and the smuggling classes of `http-rules.md` as data: what each
//! stream must decode to, or the rejection (kind and offset) it must end in. Earlier
//! requests of a pipeline decode before a rejection; nothing after it is interpreted.

use bytes::BytesMut;
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{
    request_framing, request_head, BodyDecoder, BodyEvent, BodyLimits, HeadLimits, HttpError,
    HttpErrorKind, HttpErrorKind::*,
};

/// What one request decoded to: method, target and body.
type Request = (String, String, Vec<u8>);

/// The input arriving piece by piece, as a connection receives it.
struct Feed<'a> {
    input: &'a [u8],
    /// Where each piece ends.
    cuts: Vec<usize>,
    next: usize,
    at: usize,
    /// Set once every piece has arrived.
    eof: bool,
}

impl Feed<'_> {
    /// Appends the next piece to `buf`, or marks the end of input.
    fn more(&mut self, buf: &mut BytesMut) {
        match self.cuts.get(self.next) {
            Some(&cut) => {
                buf.extend_from_slice(&self.input[self.at..cut]);
                self.at = cut;
                self.next += 1;
            }
            None => self.eof = true,
        }
    }
}

/// Decodes a stream of requests fed in the given pieces: the requests, then the first
/// rejection if any.
fn pipeline(input: &[u8], cuts: &[usize]) -> (Vec<Request>, Option<(HttpErrorKind, u64)>) {
    let mut buf = BytesMut::new();
    let mut feed = Feed {
        input,
        cuts: cuts.iter().copied().chain([input.len()]).collect(),
        next: 0,
        at: 0,
        eof: false,
    };
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        // One request: its head, then its body.
        let mut head_driver =
            Driver::new(|| request_head(HeadLimits::default())).starting_at(offset);
        let head = loop {
            let r = if feed.eof {
                head_driver.decode_eof(&mut buf)
            } else {
                head_driver.decode(&mut buf)
            };
            match r.map_err(HttpError::from) {
                Ok(Some(head)) => break head,
                Ok(None) if feed.eof => return (out, None),
                Ok(None) => feed.more(&mut buf),
                Err(e) => return (out, Some((e.kind(), e.offset()))),
            }
        };
        let framing = match request_framing(&head) {
            Ok(f) => f,
            Err(kind) => return (out, Some((kind, offset))),
        };
        let mut body = BodyDecoder::new(framing, BodyLimits::default(), head_driver.offset());
        let mut data = Vec::new();
        loop {
            let r = if feed.eof {
                body.decode_eof(&mut buf)
            } else {
                body.decode(&mut buf)
            };
            match r {
                Ok(Some(BodyEvent::Data(d))) => data.extend_from_slice(&d),
                Ok(Some(BodyEvent::End(_))) => break,
                Ok(None) => feed.more(&mut buf),
                Err(e) => return (out, Some((e.kind(), e.offset()))),
            }
        }
        let method = String::from_utf8_lossy(head.method()).into_owned();
        let target = String::from_utf8_lossy(head.target()).into_owned();
        out.push((method, target, data));
        offset = body.offset();
    }
}

/// Runs one case every way; describes what went wrong, if anything.
fn check(
    name: &str,
    input: &[u8],
    requests: &[(&str, &str, &str)],
    error: Option<(HttpErrorKind, u64)>,
) -> Option<String> {
    let whole = pipeline(input, &[]);
    for i in 1..input.len() {
        if pipeline(input, &[i]) != whole {
            return Some(format!("{name}: split at {i} differs from one shot"));
        }
    }
    let bytewise: Vec<usize> = (1..input.len()).collect();
    if pipeline(input, &bytewise) != whole {
        return Some(format!("{name}: bytewise differs from one shot"));
    }
    let want: Vec<Request> = requests
        .iter()
        .map(|(m, t, b)| (m.to_string(), t.to_string(), b.as_bytes().to_vec()))
        .collect();
    (whole != (want.clone(), error))
        .then(|| format!("{name}: got {whole:?}, want {:?}", (want, error)))
}

/// `(name, input, requests decoded, rejection)`.
type Case = (
    &'static str,
    &'static [u8],
    &'static [(&'static str, &'static str, &'static str)],
    Option<(HttpErrorKind, u64)>,
);

const H: &str = "Host: h\r\n";

#[test]
fn the_case_table() {
    let cases: &[Case] = &[
        // --- valid requests and pipelines
        ("simple get", b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", &[("GET", "/", "")], None),
        ("two pipelined", b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n", &[("GET", "/1", ""), ("GET", "/2", "")], None),
        ("post with length", b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", &[("POST", "/p", "abc")], None),
        ("post then get", b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /g HTTP/1.1\r\nHost: h\r\n\r\n", &[("POST", "/p", "abc"), ("GET", "/g", "")], None),
        ("chunked post", b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", &[("POST", "/c", "abc")], None),
        ("chunked then get", b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nGET /g HTTP/1.1\r\nHost: h\r\n\r\n", &[("POST", "/c", "x"), ("GET", "/g", "")], None),
        ("chunked with trailers", b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Sum: 9\r\n\r\n", &[("POST", "/c", "hi")], None),
        ("chunked with extensions", b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b\r\nhi\r\n0;c\r\n\r\n", &[("POST", "/c", "hi")], None),
        ("gzip then chunked", b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n", &[("POST", "/c", "z")], None),
        ("zero length body", b"POST /z HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", &[("POST", "/z", "")], None),
        ("leading zeros in length", b"POST /z HTTP/1.1\r\nHost: h\r\nContent-Length: 002\r\n\r\nok", &[("POST", "/z", "ok")], None),
        ("same length twice", b"POST /z HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", &[("POST", "/z", "ok")], None),
        ("same length listed", b"POST /z HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\n\r\nok", &[("POST", "/z", "ok")], None),
        ("http/1.0 without host", b"GET / HTTP/1.0\r\n\r\n", &[("GET", "/", "")], None),
        ("http/1.0 with length", b"POST / HTTP/1.0\r\nContent-Length: 1\r\n\r\nx", &[("POST", "/", "x")], None),
        ("absolute form", b"GET http://h/x?y HTTP/1.1\r\nHost: h\r\n\r\n", &[("GET", "http://h/x?y", "")], None),
        ("authority form", b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", &[("CONNECT", "h:443", "")], None),
        ("asterisk form", b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", &[("OPTIONS", "*", "")], None),
        ("extension method", b"PROPFIND /d HTTP/1.1\r\nHost: h\r\n\r\n", &[("PROPFIND", "/d", "")], None),
        ("lowercase method is a token", b"get / HTTP/1.1\r\nHost: h\r\n\r\n", &[("get", "/", "")], None),
        ("obs-text in value", b"GET / HTTP/1.1\r\nHost: h\r\nX: \xe9t\xe9\r\n\r\n", &[("GET", "/", "")], None),
        ("empty value", b"GET / HTTP/1.1\r\nHost: h\r\nX:\r\n\r\n", &[("GET", "/", "")], None),
        ("tab in value", b"GET / HTTP/1.1\r\nHost: h\r\nX: a\tb\r\n\r\n", &[("GET", "/", "")], None),
        ("percent target", b"GET /a%20b HTTP/1.1\r\nHost: h\r\n\r\n", &[("GET", "/a%20b", "")], None),
        ("minor version 1.9", b"GET / HTTP/1.9\r\nHost: h\r\n\r\n", &[("GET", "/", "")], None),
        ("get with body length", b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbodyGET /n HTTP/1.1\r\nHost: h\r\n\r\n", &[("GET", "/", "body"), ("GET", "/n", "")], None),
        ("head with body length", b"HEAD / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx", &[("HEAD", "/", "x")], None),
        // --- request line
        ("double space after method", b"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadRequestLine, 4))),
        ("tab after method", b"GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadMethod, 3))),
        ("missing version", b"GET /\r\nHost: h\r\n\r\n", &[], Some((BadRequestLine, 4))),
        ("http/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", &[], Some((VersionNotSupported, 6))),
        ("http/0.9 style", b"GET /\r\n\r\n", &[], Some((BadRequestLine, 4))),
        ("lowercase version", b"GET / Http/1.1\r\nHost: h\r\n\r\n", &[], Some((BadVersion, 6))),
        ("space in target", b"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadVersion, 7))),
        ("nul in target", b"GET /\x00 HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadTarget, 5))),
        ("del in target", b"GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadTarget, 5))),
        ("high byte in target", b"GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadTarget, 5))),
        ("trailing space in line", b"GET / HTTP/1.1 \r\nHost: h\r\n\r\n", &[], Some((BadVersion, 6))),
        ("leading empty line", b"\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((EmptyStartLine, 0))),
        ("method with slash", b"GE/T / HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadMethod, 2))),
        ("method with nul", b"G\x00T / HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadHeaderValue, 1))),
        // --- line endings
        ("bare lf after request line", b"GET / HTTP/1.1\nHost: h\r\n\r\n", &[], Some((BareLf, 14))),
        ("bare lf after field", b"GET / HTTP/1.1\r\nHost: h\n\r\n", &[], Some((BareLf, 23))),
        ("bare lf blank line", b"GET / HTTP/1.1\r\nHost: h\r\n\n", &[], Some((BareLf, 25))),
        ("bare cr in value", b"GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", &[], Some((BareCr, 29))),
        ("bare cr ends head", b"GET / HTTP/1.1\r\nHost: h\r\n\rX\r\n\r\n", &[], Some((BareCr, 25))),
        ("bare cr before lf pair", b"GET / HTTP/1.1\r\nHost: h\r\n\r\r\n", &[], Some((BareCr, 25))),
        // --- fields
        ("space before colon", b"GET / HTTP/1.1\r\nHost : h\r\n\r\n", &[], Some((WhitespaceBeforeColon, 20))),
        ("te space before colon", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", &[], Some((WhitespaceBeforeColon, 43))),
        ("te tab before colon", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n", &[], Some((WhitespaceBeforeColon, 43))),
        ("folded value", b"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", &[], Some((ObsoleteFold, 31))),
        ("folded te", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", &[], Some((ObsoleteFold, 46))),
        ("tab folded", b"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", &[], Some((ObsoleteFold, 31))),
        ("nul in value", b"GET / HTTP/1.1\r\nHost: h\r\nX: a\x00\r\n\r\n", &[], Some((BadHeaderValue, 29))),
        ("vertical tab in te", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\x0bchunked\r\n\r\n", &[], Some((BadHeaderValue, 44))),
        ("control before name", b"GET / HTTP/1.1\r\nHost: h\r\n\x01X: 1\r\n\r\n", &[], Some((BadHeaderValue, 25))),
        ("no colon", b"GET / HTTP/1.1\r\nHost: h\r\nJunk\r\n\r\n", &[], Some((MissingColon, 29))),
        ("empty name", b"GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", &[], Some((BadHeaderName, 25))),
        ("bracket in name", b"GET / HTTP/1.1\r\nHost: h\r\nX[1]: v\r\n\r\n", &[], Some((BadHeaderName, 26))),
        ("utf8 in name", b"GET / HTTP/1.1\r\nHost: h\r\nX\xc3\xa9: v\r\n\r\n", &[], Some((BadHeaderName, 26))),
        ("missing host", b"GET / HTTP/1.1\r\n\r\n", &[], Some((BadHost, 0))),
        ("two hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &[], Some((BadHost, 0))),
        ("second request without host", b"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\n\r\n", &[("GET", "/", "")], Some((BadHost, 27))),
        // --- content-length
        ("cl plus", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\nhello", &[], Some((BadContentLength, 0))),
        ("cl minus", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\nhello", &[], Some((BadContentLength, 0))),
        ("cl decimal point", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5.0\r\n\r\nhello", &[], Some((BadContentLength, 0))),
        ("cl hex", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x5\r\n\r\nhello", &[], Some((BadContentLength, 0))),
        ("cl inner space", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5 5\r\n\r\nhello", &[], Some((BadContentLength, 0))),
        ("cl trailing junk", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12abc\r\n\r\nhello", &[], Some((BadContentLength, 0))),
        ("cl empty", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\nhello", &[], Some((BadContentLength, 0))),
        ("cl 25 digits", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1234567890123456789012345\r\n\r\n", &[], Some((BadContentLength, 0))),
        ("cl disagree", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", &[], Some((BadContentLength, 0))),
        ("cl list disagree", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\nhello!", &[], Some((BadContentLength, 0))),
        ("cl too large", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999\r\n\r\n", &[], Some((BodyTooLarge, 54))),
        ("cl body cut short", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhel", &[], Some((IncompleteBody, 50))),
        ("cl rejected after good one", b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n", &[("GET", "/1", "")], Some((BadContentLength, 28))),
        // --- transfer-encoding
        ("cl.te", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", &[], Some((LengthAndTransferEncoding, 0))),
        ("te.cl", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", &[], Some((LengthAndTransferEncoding, 0))),
        ("te in http/1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", &[], Some((TransferEncodingInHttp10, 0))),
        ("te xchunked", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("te chunked then identity", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("te leading comma", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ,chunked\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("te twice", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("te quoted", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("te gzip only", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("te unknown coding", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: foo, chunked\r\n\r\n", &[], Some((UnknownTransferCoding, 0))),
        ("te empty", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("te with parameter", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        // --- chunked bodies (the head is 56 bytes)
        ("chunk size 0x", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", &[], Some((BadChunkSize, 57))),
        ("chunk size plus", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", &[], Some((BadChunkSize, 56))),
        ("chunk size minus", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", &[], Some((BadChunkSize, 56))),
        ("chunk size underscore", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5_0\r\nhello\r\n0\r\n\r\n", &[], Some((BadChunkSize, 57))),
        ("chunk size empty", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n", &[], Some((BadChunkSize, 56))),
        ("chunk size 17 digits", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nx\r\n0\r\n\r\n", &[], Some((BadChunkSize, 72))),
        ("chunk size bare lf", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", &[], Some((BadChunkSize, 57))),
        ("chunk size bare cr", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n", &[], Some((BadChunkSize, 58))),
        ("chunk data no crlf", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", &[], Some((MissingChunkCrlf, 64))),
        ("chunk data bare lf", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n", &[], Some((MissingChunkCrlf, 64))),
        ("chunk shorter than size", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n", &[], Some((MissingChunkCrlf, 61))),
        ("trailer content-length", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n", &[], Some((ForbiddenTrailer, 59))),
        ("trailer transfer-encoding", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n", &[], Some((ForbiddenTrailer, 59))),
        ("trailer host", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: evil\r\n\r\n", &[], Some((ForbiddenTrailer, 59))),
        ("chunked cut short", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", &[], Some((IncompleteBody, 62))),
        ("chunked missing last chunk", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", &[], Some((IncompleteBody, 66))),
        // --- more of the same classes: valid forms, then rejections
        ("lowercase field names", b"GET / HTTP/1.1\r\nhost: h\r\naccept: */*\r\n\r\n", &[("GET", "/", "")], None),
        ("mixed case host", b"GET / HTTP/1.1\r\nhOsT: h\r\n\r\n", &[("GET", "/", "")], None),
        ("ows around value", b"GET / HTTP/1.1\r\nHost: h\r\nX: \t v \t\r\n\r\n", &[("GET", "/", "")], None),
        ("value of spaces only", b"GET / HTTP/1.1\r\nHost: h\r\nX:    \r\n\r\n", &[("GET", "/", "")], None),
        ("colon in value", b"GET / HTTP/1.1\r\nHost: h\r\nX: a:b::c\r\n\r\n", &[("GET", "/", "")], None),
        ("symbols in field name", b"GET / HTTP/1.1\r\nHost: h\r\nX-1_a.b~c!#$%&'*+^`|: v\r\n\r\n", &[("GET", "/", "")], None),
        ("sub-delims in target", b"GET /@:!$&'()*+,;=?q=[x] HTTP/1.1\r\nHost: h\r\n\r\n", &[("GET", "/@:!$&'()*+,;=?q=[x]", "")], None),
        ("empty host value", b"GET / HTTP/1.1\r\nHost:\r\n\r\n", &[("GET", "/", "")], None),
        ("twenty fields", b"GET / HTTP/1.1\r\nHost: h\r\nX-0: 0\r\nX-1: 1\r\nX-2: 2\r\nX-3: 3\r\nX-4: 4\r\nX-5: 5\r\nX-6: 6\r\nX-7: 7\r\nX-8: 8\r\nX-9: 9\r\nX-10: 10\r\nX-11: 11\r\nX-12: 12\r\nX-13: 13\r\nX-14: 14\r\nX-15: 15\r\nX-16: 16\r\nX-17: 17\r\nX-18: 18\r\nX-19: 19\r\n\r\n", &[("GET", "/", "")], None),
        ("three pipelined", b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n", &[("GET", "/1", ""), ("GET", "/2", ""), ("GET", "/3", "")], None),
        ("http/1.0 then http/1.1", b"GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", &[("GET", "/a", ""), ("GET", "/b", "")], None),
        ("delete without body", b"DELETE /r HTTP/1.1\r\nHost: h\r\n\r\n", &[("DELETE", "/r", "")], None),
        ("content-length with ows", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length:  3 \r\n\r\nabc", &[("POST", "/", "abc")], None),
        ("content-length name upper case", b"POST / HTTP/1.1\r\nHost: h\r\nCONTENT-LENGTH: 2\r\n\r\nok", &[("POST", "/", "ok")], None),
        ("te name upper case", b"POST / HTTP/1.1\r\nHost: h\r\nTRANSFER-ENCODING: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", &[("POST", "/", "ok")], None),
        ("te value mixed case", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ChUnKeD\r\n\r\n2\r\nok\r\n0\r\n\r\n", &[("POST", "/", "ok")], None),
        ("te list without space", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip,chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n", &[("POST", "/", "z")], None),
        ("te over two lines", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n", &[("POST", "/", "z")], None),
        ("chunk size upper hex", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", &[("POST", "/", "0123456789")], None),
        ("chunk size lower hex", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n", &[("POST", "/", "0123456789")], None),
        ("chunk size leading zeros", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0005\r\nhello\r\n0\r\n\r\n", &[("POST", "/", "hello")], None),
        ("last chunk 000", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n000\r\n\r\n", &[("POST", "/", "x")], None),
        ("empty chunked body", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", &[("POST", "/", "")], None),
        ("many small chunks", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n1\r\nb\r\n1\r\nc\r\n2\r\nde\r\n0\r\n\r\n", &[("POST", "/", "abcde")], None),
        ("extension with quoted value", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;name=\"a b\"\r\nhello\r\n0\r\n\r\n", &[("POST", "/", "hello")], None),
        ("whitespace before extension", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5 ;x\r\nhello\r\n0\r\n\r\n", &[("POST", "/", "hello")], None),
        ("two trailers", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n", &[("POST", "/", "x")], None),
        ("chunked then chunked", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nPOST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\ny\r\n0\r\n\r\n", &[("POST", "/", "x"), ("POST", "/", "y")], None),
        ("binary body", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n\x00\r\n\x7f", &[("POST", "/", "\x00\r\n\x7f")], None),
        ("empty method", b" / HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadRequestLine, 0))),
        ("no target", b"GET HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadRequestLine, 4))),
        ("version with extra digit", b"GET / HTTP/1.10\r\nHost: h\r\n\r\n", &[], Some((BadVersion, 6))),
        ("version without minor", b"GET / HTTP/1\r\nHost: h\r\n\r\n", &[], Some((BadVersion, 6))),
        ("http/3", b"GET / HTTP/3.0\r\nHost: h\r\n\r\n", &[], Some((VersionNotSupported, 6))),
        ("http/0.9 version", b"GET / HTTP/0.9\r\nHost: h\r\n\r\n", &[], Some((BadVersion, 6))),
        ("cr inside target", b"GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BareCr, 6))),
        ("tab inside target", b"GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadTarget, 6))),
        ("nul before method", b"\x00GET / HTTP/1.1\r\nHost: h\r\n\r\n", &[], Some((BadHeaderValue, 0))),
        ("request line ends in cr only", b"GET / HTTP/1.1\rHost: h\r\n\r\n", &[], Some((BareCr, 14))),
        ("space inside name", b"GET / HTTP/1.1\r\nHost: h\r\nX Y: v\r\n\r\n", &[], Some((WhitespaceBeforeColon, 26))),
        ("line of spaces", b"GET / HTTP/1.1\r\nHost: h\r\n   \r\n\r\n", &[], Some((ObsoleteFold, 25))),
        ("colon only", b"GET / HTTP/1.1\r\nHost: h\r\n:\r\n\r\n", &[], Some((BadHeaderName, 25))),
        ("del in value", b"GET / HTTP/1.1\r\nHost: h\r\nX: a\x7fb\r\n\r\n", &[], Some((BadHeaderValue, 29))),
        ("del in name", b"GET / HTTP/1.1\r\nHost: h\r\nX\x7f: v\r\n\r\n", &[], Some((BadHeaderValue, 26))),
        ("escape byte in value", b"GET / HTTP/1.1\r\nHost: h\r\nX: \x1b[0m\r\n\r\n", &[], Some((BadHeaderValue, 28))),
        ("quote in name", b"GET / HTTP/1.1\r\nHost: h\r\nX\"y: v\r\n\r\n", &[], Some((BadHeaderName, 26))),
        ("three hosts", b"GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\nHost: h\r\n\r\n", &[], Some((BadHost, 0))),
        ("host with space before colon", b"GET / HTTP/1.1\r\nHost : h\r\n\r\n", &[], Some((WhitespaceBeforeColon, 20))),
        ("folded host", b"GET / HTTP/1.1\r\nHost:\r\n h\r\n\r\n", &[], Some((ObsoleteFold, 23))),
        ("cl tab inside", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\t5\r\n\r\n", &[], Some((BadContentLength, 0))),
        ("cl over u64", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551616\r\n\r\n", &[], Some((BadContentLength, 0))),
        ("cl empty list element", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5,\r\n\r\nhello", &[], Some((BadContentLength, 0))),
        ("te chunked twice in list", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("te trailing comma", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked,\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("te chunked then gzip lines", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", &[], Some((BadTransferEncoding, 0))),
        ("cl.te on second request", b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", &[("GET", "/1", "")], Some((LengthAndTransferEncoding, 28))),
        ("chunk size then space then cr", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", &[], Some((BadChunkSize, 58))),
        ("control byte in extension", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;a\x01\r\nhello\r\n0\r\n\r\n", &[], Some((BadChunkExtension, 59))),
        ("chunk data one too long", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", &[], Some((MissingChunkCrlf, 62))),
        ("bad size after good chunk", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\nzz\r\n", &[], Some((BadChunkSize, 62))),
        ("trailer bare lf", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\n\r\n", &[], Some((BareLf, 63))),
        ("trailer folded", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n 2\r\n\r\n", &[], Some((ObsoleteFold, 65))),
        ("trailer without colon", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nJunk\r\n\r\n", &[], Some((MissingColon, 63))),
        ("trailer te", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nTE: trailers\r\n\r\n", &[], Some((ForbiddenTrailer, 59))),
        ("trailer authorization", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nAuthorization: x\r\n\r\n", &[], Some((ForbiddenTrailer, 59))),
        ("trailer set-cookie", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nSet-Cookie: a=b\r\n\r\n", &[], Some((ForbiddenTrailer, 59))),
        ("trailer content-type", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Type: x\r\n\r\n", &[], Some((ForbiddenTrailer, 59))),
        ("trailer cut short", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n", &[], Some((IncompleteBody, 65))),
        ("good good bad", b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\n\r\n", &[("GET", "/1", ""), ("GET", "/2", "")], Some((BadHost, 56))),
        // --- limits
        ("head cut short", b"GET / HTTP/1.1\r\nHost: h\r\n", &[], Some((Incomplete, 25))),
        ("head cut mid line", b"GET / HTTP/1.1\r\nHo", &[], Some((Incomplete, 18))),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, input, requests, error)| check(name, input, requests, *error))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(cases.len() >= 150, "{} cases", cases.len());
}

#[test]
fn long_lines_hit_their_limits_with_the_right_status() {
    let long_target = format!("GET /{} HTTP/1.1\r\n{H}\r\n", "a".repeat(9000));
    let (_, err) = pipeline(long_target.as_bytes(), &[]);
    assert_eq!(err, Some((UriTooLong, 8192)));
    let long_field = format!("GET / HTTP/1.1\r\n{H}X: {}\r\n\r\n", "b".repeat(9000));
    let (_, err) = pipeline(long_field.as_bytes(), &[]);
    assert_eq!(err, Some((HeaderLineTooLong, 25 + 8192)));
    let many = format!("GET / HTTP/1.1\r\n{H}{}\r\n", "X: 1\r\n".repeat(100));
    let (_, err) = pipeline(many.as_bytes(), &[]);
    assert_eq!(err, Some((TooManyHeaders, 25 + 99 * 6)));
    assert_eq!(UriTooLong.status(), 414);
    assert_eq!(HeaderLineTooLong.status(), 431);
    assert_eq!(TooManyHeaders.status(), 431);
}
