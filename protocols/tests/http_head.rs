//! Request and response heads: a table of valid and invalid heads from RFC 9112 and the
//! smuggling classes in `http-rules.md`, each decoded one shot, at every two-way split and
//! one byte at a time, which must all agree.

use bytes::BytesMut;
use nagrel_protocols::decoder::{Driver, Step};
use nagrel_protocols::http::{
    request_head, response_head, HeadLimits, HttpError, HttpErrorKind, RequestHead, ResponseHead,
    Version,
};

/// Decodes `input` fed in the given pieces; the first head or the error.
fn decode_in_pieces<S: Step>(
    make: impl FnMut() -> S,
    input: &[u8],
    split: &[usize],
) -> Result<Option<S::Output>, HttpError> {
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::new();
    let mut at = 0;
    for &cut in split.iter().chain([&input.len()]) {
        buf.extend_from_slice(&input[at..cut]);
        at = cut;
        if let Some(head) = driver.decode(&mut buf).map_err(HttpError::from)? {
            return Ok(Some(head));
        }
    }
    driver.decode_eof(&mut buf).map_err(HttpError::from)
}

/// Decodes `input` one shot, at every two-way split and bytewise; asserts they agree.
fn decode_all_ways<S: Step>(
    mut make: impl FnMut() -> S,
    input: &[u8],
) -> Result<Option<S::Output>, HttpError>
where
    S::Output: PartialEq + std::fmt::Debug,
{
    let whole = decode_in_pieces(&mut make, input, &[]);
    for i in 1..input.len() {
        assert_eq!(
            decode_in_pieces(&mut make, input, &[i]),
            whole,
            "split at {i}: {input:?}"
        );
    }
    let bytewise: Vec<usize> = (1..input.len()).collect();
    assert_eq!(
        decode_in_pieces(&mut make, input, &bytewise),
        whole,
        "bytewise: {input:?}"
    );
    whole
}

fn request(input: &[u8]) -> Result<RequestHead, HttpError> {
    decode_all_ways(|| request_head(HeadLimits::default()), input)
        .map(|h| h.expect("a complete head"))
}

fn response(input: &[u8]) -> Result<ResponseHead, HttpError> {
    decode_all_ways(|| response_head(HeadLimits::default()), input)
        .map(|h| h.expect("a complete head"))
}

fn rejects(input: &[u8], kind: HttpErrorKind, offset: u64) {
    let err = request(input).expect_err("must be rejected");
    assert_eq!(
        (err.kind(), err.offset()),
        (kind, offset),
        "{:?}",
        String::from_utf8_lossy(input)
    );
}

#[test]
fn valid_requests() {
    let head =
        request(b"GET /index.html?q=1 HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n").unwrap();
    assert_eq!(head.method(), b"GET");
    assert_eq!(head.target(), b"/index.html?q=1");
    assert_eq!(head.version(), Version::Http11);
    let fields: Vec<_> = head.fields().iter().collect();
    assert_eq!(
        fields,
        vec![
            (&b"Host"[..], &b"a.example"[..]),
            (&b"Accept"[..], &b"*/*"[..])
        ]
    );

    // Forms of request-target (RFC 9112 3.2).
    for target in ["*", "http://a.example/x", "a.example:443", "/"] {
        let input = format!("OPTIONS {target} HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(
            request(input.as_bytes()).unwrap().target(),
            target.as_bytes()
        );
    }
    // Extension methods are tokens.
    assert_eq!(
        request(b"M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap()
            .method(),
        b"M-SEARCH"
    );
    // HTTP/1.0 needs no Host.
    assert_eq!(
        request(b"GET / HTTP/1.0\r\n\r\n").unwrap().version(),
        Version::Http10
    );
    // Later 1.x minor versions are treated as 1.1.
    assert_eq!(
        request(b"GET / HTTP/1.7\r\nHost: a\r\n\r\n")
            .unwrap()
            .version(),
        Version::Http11
    );
}

#[test]
fn field_values_are_trimmed_and_may_hold_obs_text() {
    let head =
        request(b"GET / HTTP/1.1\r\nHost:a\r\nX: \t v a l \t \r\nY:\r\nZ: caf\xc3\xa9\r\n\r\n")
            .unwrap();
    let f = head.fields();
    assert_eq!(f.get("host"), Some(&b"a"[..]));
    assert_eq!(f.get("x"), Some(&b"v a l"[..]));
    assert_eq!(f.get("y"), Some(&b""[..]));
    assert_eq!(f.get("Z"), Some(&b"caf\xc3\xa9"[..]));
    let (name, value) = f.field_bytes(1).unwrap();
    assert_eq!((&name[..], &value[..]), (&b"X"[..], &b"v a l"[..]));
}

#[test]
fn repeated_fields_keep_their_order() {
    let head = request(b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nA: 3\r\n\r\n").unwrap();
    assert_eq!(
        head.fields().get_all("a").collect::<Vec<_>>(),
        vec![&b"1"[..], &b"3"[..]]
    );
    assert_eq!(head.fields().len(), 4);
}

#[test]
fn request_line_rejections() {
    use HttpErrorKind::*;
    rejects(b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", BadRequestLine, 4);
    rejects(b"GET /  HTTP/1.1\r\nHost: a\r\n\r\n", BadVersion, 6);
    rejects(b" GET / HTTP/1.1\r\nHost: a\r\n\r\n", BadRequestLine, 0);
    rejects(b"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", BadMethod, 3);
    rejects(b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", BadMethod, 1);
    rejects(b"GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n", BadTarget, 6);
    rejects(b"GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n", BadTarget, 6);
    rejects(b"GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n", BadTarget, 5);
    rejects(b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", BadVersion, 6);
    rejects(b"GET / http/1.1\r\nHost: a\r\n\r\n", BadVersion, 6);
    rejects(b"GET / HTTP/1.\r\nHost: a\r\n\r\n", BadVersion, 6);
    rejects(b"GET / HTTP/11\r\nHost: a\r\n\r\n", BadVersion, 6);
    rejects(b"GET / HTTP/0.9\r\nHost: a\r\n\r\n", BadVersion, 6);
    rejects(b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", VersionNotSupported, 6);
    rejects(b"GET / HTTP/3.0\r\n\r\n", VersionNotSupported, 6);
    rejects(b"GET /\r\nHost: a\r\n\r\n", BadRequestLine, 4);
    rejects(b"GET\r\n\r\n", BadRequestLine, 3);
    rejects(b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", EmptyStartLine, 0);
}

#[test]
fn line_ending_rejections() {
    use HttpErrorKind::*;
    rejects(b"GET / HTTP/1.1\nHost: a\r\n\r\n", BareLf, 14);
    rejects(b"GET / HTTP/1.1\r\nHost: a\n\r\n", BareLf, 23);
    rejects(b"GET / HTTP/1.1\r\nHost: a\r\n\n", BareLf, 25);
    rejects(b"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", BareCr, 23);
    rejects(b"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", BareCr, 5);
    // `\r\n\rX` as the end of the head is not a blank line.
    rejects(b"GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n\r\n", BareCr, 25);
}

#[test]
fn bare_lf_is_accepted_only_when_asked() {
    let limits = HeadLimits {
        allow_bare_lf: true,
        ..HeadLimits::default()
    };
    let head = decode_all_ways(|| request_head(limits), b"GET / HTTP/1.1\nHost: a\n\n")
        .unwrap()
        .unwrap();
    assert_eq!(head.fields().get("host"), Some(&b"a"[..]));
    // A bare CR is still an error.
    let err =
        decode_all_ways(|| request_head(limits), b"GET / HTTP/1.1\nHost: a\rb\n\n").unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::BareCr);
}

#[test]
fn field_rejections() {
    use HttpErrorKind::*;
    // Whitespace between name and colon, including the TE.TE obfuscations.
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n",
        WhitespaceBeforeColon,
        42,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        WhitespaceBeforeColon,
        20,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost\t: a\r\n\r\n",
        WhitespaceBeforeColon,
        20,
    );
    // Obsolete line folding.
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n",
        ObsoleteFold,
        31,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
        ObsoleteFold,
        45,
    );
    // Control bytes in values and names.
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n",
        BadHeaderValue,
        29,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n",
        BadHeaderValue,
        29,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x1bb\r\n\r\n",
        BadHeaderValue,
        29,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \x0bchunked\r\n\r\n",
        BadHeaderValue,
        44,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\n\x00Transfer-Encoding: chunked\r\n\r\n",
        BadHeaderValue,
        25,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\x00: chunked\r\n\r\n",
        BadHeaderValue,
        42,
    );
    // Names must be tokens; a line without a colon is no field.
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n",
        BadHeaderName,
        26,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n",
        BadHeaderName,
        25,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
        MissingColon,
        32,
    );
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nX\xff: 1\r\n\r\n",
        BadHeaderName,
        26,
    );
}

#[test]
fn host_rules() {
    rejects(b"GET / HTTP/1.1\r\n\r\n", HttpErrorKind::BadHost, 0);
    rejects(
        b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
        HttpErrorKind::BadHost,
        0,
    );
    assert!(request(b"GET / HTTP/1.1\r\nHOST: a\r\n\r\n").is_ok());
}

#[test]
fn limits_name_the_right_status() {
    let limits = HeadLimits {
        max_start_line: 16,
        max_field_line: 12,
        max_head: 64,
        max_fields: 2,
        allow_bare_lf: false,
    };
    let run = |input: &[u8]| decode_all_ways(|| request_head(limits), input).unwrap_err();
    let e = run(b"GET /0123456789abcdef HTTP/1.1\r\n");
    assert_eq!(
        (e.kind(), e.offset(), e.status()),
        (HttpErrorKind::UriTooLong, 16, 414)
    );
    // Fails as soon as the line is certainly too long: no terminator needed.
    let e = run(b"GET /0123456789abcdef");
    assert_eq!((e.kind(), e.offset()), (HttpErrorKind::UriTooLong, 16));
    let e = run(b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: 0123456789\r\n\r\n");
    assert_eq!(
        (e.kind(), e.offset(), e.status()),
        (HttpErrorKind::HeaderLineTooLong, 37, 431)
    );
    // Two fields allowed: the third is refused where it starts.
    let e = run(b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n");
    assert_eq!(
        (e.kind(), e.offset(), e.status()),
        (HttpErrorKind::TooManyHeaders, 31, 431)
    );
    let big = b"GET / HTTP/1.1\r\nA: 12345678\r\nB: 12345678\r\nC: 1234567\r\n\r\n";
    let limits = HeadLimits {
        max_fields: 10,
        max_head: 48,
        ..limits
    };
    let e = decode_all_ways(|| request_head(limits), big).unwrap_err();
    assert_eq!(
        (e.kind(), e.offset(), e.status()),
        (HttpErrorKind::HeadTooLarge, 48, 431)
    );
}

#[test]
fn every_prefix_waits_and_eof_inside_is_incomplete() {
    let input = b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n";
    for n in 1..input.len() {
        let mut driver = Driver::new(|| request_head(HeadLimits::default()));
        let mut buf = BytesMut::from(&input[..n]);
        assert!(driver.decode(&mut buf).unwrap().is_none(), "prefix {n}");
        let err = HttpError::from(driver.decode_eof(&mut buf).unwrap_err());
        assert_eq!(
            (err.kind(), err.offset(), err.status()),
            (HttpErrorKind::Incomplete, n as u64, 400)
        );
    }
}

#[test]
fn pipelined_heads_decode_in_order_with_absolute_offsets() {
    let input = b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n";
    let mut driver = Driver::new(|| request_head(HeadLimits::default()));
    let mut buf = BytesMut::from(&input[..]);
    assert_eq!(driver.decode(&mut buf).unwrap().unwrap().target(), b"/1");
    assert_eq!(driver.decode(&mut buf).unwrap().unwrap().target(), b"/2");
    let err = HttpError::from(driver.decode(&mut buf).unwrap_err());
    assert_eq!(
        (err.kind(), err.offset()),
        (HttpErrorKind::BadHeaderValue, 56 + 26 + 3)
    );
}

#[test]
fn responses() {
    let head =
        response(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n")
            .unwrap();
    assert_eq!(
        (head.version(), head.status(), head.reason()),
        (Version::Http11, 200, &b"OK"[..])
    );
    assert_eq!(head.fields().get("content-length"), Some(&b"5"[..]));
    let head = response(b"HTTP/1.0 204 \r\n\r\n").unwrap();
    assert_eq!((head.status(), head.reason()), (204, &b""[..]));
    let head = response(b"HTTP/1.1 500\r\n\r\n").unwrap();
    assert_eq!((head.status(), head.reason()), (500, &b""[..]));
    assert_eq!(
        response(b"HTTP/1.1 2000 OK\r\n\r\n").unwrap_err().kind(),
        HttpErrorKind::BadStatusLine
    );
    assert_eq!(
        response(b"HTTP/1.1 20 OK\r\n\r\n").unwrap_err().kind(),
        HttpErrorKind::BadStatusLine
    );
    assert_eq!(
        response(b"HTTP/1.1 abc OK\r\n\r\n").unwrap_err().kind(),
        HttpErrorKind::BadStatusLine
    );
    assert_eq!(
        response(b"HTTP/2 200 OK\r\n\r\n").unwrap_err().kind(),
        HttpErrorKind::BadVersion
    );
    assert_eq!(
        response(b"HTTP/1.1 200 O\x00K\r\n\r\n")
            .unwrap_err()
            .offset(),
        14
    );
    // Responses need no Host.
    assert!(response(b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n").is_ok());
}

#[test]
fn every_kind_maps_to_one_status() {
    for code in 0..=u16::from(u8::MAX) {
        if let Some(kind) = HttpErrorKind::from_code(code) {
            assert_eq!(kind.code(), code);
            assert!(
                matches!(kind.status(), 400 | 413 | 414 | 431 | 501 | 505),
                "{kind:?}"
            );
            assert!(!kind.reason().is_empty() && !kind.name().is_empty());
        }
    }
}
