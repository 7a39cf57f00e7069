//! Body framing from heads: every Content-Length and Transfer-Encoding rule in
//! `http-rules.md`, including each smuggling class, which must be rejected and never
//! reinterpreted.

use bytes::BytesMut;
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{
    request_framing, request_head, response_framing, response_head, Framing, HeadLimits,
    HttpErrorKind,
};

fn request(fields: &str) -> Result<Framing, HttpErrorKind> {
    request_with("HTTP/1.1", fields)
}

fn request_with(version: &str, fields: &str) -> Result<Framing, HttpErrorKind> {
    let raw = format!("POST /x {version}\r\nHost: a\r\n{fields}\r\n");
    let mut driver = Driver::new(|| request_head(HeadLimits::default()));
    let head = driver
        .decode(&mut BytesMut::from(raw.as_bytes()))
        .unwrap()
        .unwrap();
    request_framing(&head)
}

fn response(status: u16, fields: &str, to_head: bool) -> Result<Framing, HttpErrorKind> {
    let raw = format!("HTTP/1.1 {status} X\r\n{fields}\r\n");
    let mut driver = Driver::new(|| response_head(HeadLimits::default()));
    let head = driver
        .decode(&mut BytesMut::from(raw.as_bytes()))
        .unwrap()
        .unwrap();
    response_framing(&head, to_head)
}

#[test]
fn requests_without_length_or_coding_have_no_body() {
    assert_eq!(request(""), Ok(Framing::Empty));
    assert_eq!(request("Content-Length: 0\r\n"), Ok(Framing::Empty));
    assert_eq!(request_with("HTTP/1.0", ""), Ok(Framing::Empty));
}

#[test]
fn content_length_is_digits_only() {
    use HttpErrorKind::BadContentLength as Bad;
    assert_eq!(request("Content-Length: 42\r\n"), Ok(Framing::Length(42)));
    assert_eq!(request("Content-Length: 05\r\n"), Ok(Framing::Length(5)));
    assert_eq!(request("Content-Length:5\r\n"), Ok(Framing::Length(5)));
    assert_eq!(
        request(&format!("Content-Length: {}\r\n", u64::MAX)),
        Ok(Framing::Length(u64::MAX))
    );
    for bad in [
        "+5", "-5", "5.0", "0x5", "5 5", "12abc", "", " ", "1_0", "٣",
    ] {
        assert_eq!(
            request(&format!("Content-Length: {bad}\r\n")),
            Err(Bad),
            "{bad:?}"
        );
    }
    // 25 digits overflow a u64.
    assert_eq!(
        request("Content-Length: 1234567890123456789012345\r\n"),
        Err(Bad)
    );
}

#[test]
fn repeated_content_lengths_must_agree() {
    use HttpErrorKind::BadContentLength as Bad;
    assert_eq!(
        request("Content-Length: 5\r\nContent-Length: 5\r\n"),
        Ok(Framing::Length(5))
    );
    assert_eq!(request("Content-Length: 5, 5\r\n"), Ok(Framing::Length(5)));
    assert_eq!(
        request("Content-Length: 5\r\nContent-Length: 6\r\n"),
        Err(Bad)
    );
    assert_eq!(request("Content-Length: 5, 6\r\n"), Err(Bad));
    assert_eq!(request("Content-Length: 5,\r\n"), Err(Bad));
    assert_eq!(request("Content-Length: ,5\r\n"), Err(Bad));
}

#[test]
fn chunked_must_be_last_and_once() {
    use HttpErrorKind::*;
    assert_eq!(
        request("Transfer-Encoding: chunked\r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        request("Transfer-Encoding: CHUNKED\r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        request("Transfer-Encoding: gzip, chunked\r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        request("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
        Ok(Framing::Chunked)
    );
    // TE.TE obfuscations.
    for bad in [
        "Transfer-Encoding: chunked, identity\r\n",
        "Transfer-Encoding: ,chunked\r\n",
        "Transfer-Encoding: chunked,\r\n",
        "Transfer-Encoding: chunked, chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
        "Transfer-Encoding: gzip\r\n",
        "Transfer-Encoding: \"chunked\"\r\n",
        "Transfer-Encoding: chunked;q=1\r\n",
        "Transfer-Encoding: xchunked\r\n",
        "Transfer-Encoding:\r\n",
    ] {
        assert_eq!(request(bad), Err(BadTransferEncoding), "{bad:?}");
    }
    assert_eq!(
        request("Transfer-Encoding: foo, chunked\r\n"),
        Err(UnknownTransferCoding)
    );
    assert_eq!(HttpErrorKind::UnknownTransferCoding.status(), 501);
}

#[test]
fn cl_te_and_te_in_http10_are_rejected() {
    use HttpErrorKind::*;
    assert_eq!(
        request("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        Err(LengthAndTransferEncoding)
    );
    assert_eq!(
        request("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"),
        Err(LengthAndTransferEncoding)
    );
    assert_eq!(
        request_with("HTTP/1.0", "Transfer-Encoding: chunked\r\n"),
        Err(TransferEncodingInHttp10)
    );
}

#[test]
fn response_framing_rules() {
    assert_eq!(
        response(200, "Content-Length: 3\r\n", false),
        Ok(Framing::Length(3))
    );
    assert_eq!(
        response(200, "Transfer-Encoding: chunked\r\n", false),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        response(200, "Transfer-Encoding: gzip\r\n", false),
        Ok(Framing::UntilClose)
    );
    assert_eq!(response(200, "", false), Ok(Framing::UntilClose));
    // No body for HEAD, 1xx, 204, 304, whatever the fields say.
    assert_eq!(
        response(200, "Content-Length: 3\r\n", true),
        Ok(Framing::Empty)
    );
    for status in [100, 101, 199, 204, 304] {
        assert_eq!(
            response(status, "Content-Length: 3\r\n", false),
            Ok(Framing::Empty),
            "{status}"
        );
    }
    assert_eq!(
        response(
            200,
            "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
            false
        ),
        Err(HttpErrorKind::LengthAndTransferEncoding)
    );
}
