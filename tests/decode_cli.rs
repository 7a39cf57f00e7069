//! `nagrel decode` run as a program: one JSON object per message, the same output however
//! the input is fed, exit 1 after an error.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

fn decode(args: &[&str], input: &[u8]) -> (Vec<Value>, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nagrel"))
        .arg("decode")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8(out.stdout).unwrap();
    let values = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (values, out.status.code().unwrap())
}

/// Decodes whole, in 1-, 2-, 5- and 64-byte pieces; all must agree.
fn decode_every_way(protocol: &str, input: &[u8]) -> (Vec<Value>, i32) {
    let whole = decode(&[protocol], input);
    assert_eq!(decode(&[protocol, "--bytewise"], input), whole);
    for n in ["2", "5", "64"] {
        assert_eq!(
            decode(&[protocol, "--split", n], input),
            whole,
            "--split {n}"
        );
    }
    whole
}

#[test]
fn pipelined_requests_with_bodies() {
    let input = b"GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n\
POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\n\r\n\
PUT /bin HTTP/1.0\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n\x00\x01\xff";
    let (messages, code) = decode_every_way("http-request", input);
    assert_eq!(code, 0);
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["kind"], "request");
    assert_eq!(messages[0]["method"], "GET");
    assert_eq!(messages[0]["target"], "/a?x=1");
    assert_eq!(messages[0]["headers"], serde_json::json!([["Host", "h"]]));
    assert_eq!(messages[0]["keep_alive"], true);
    assert_eq!(messages[1]["body"], "wiki");
    assert_eq!(messages[1]["body_encoding"], "utf8");
    assert_eq!(messages[2]["version"], "HTTP/1.0");
    assert_eq!(messages[2]["body"], "AAH/");
    assert_eq!(messages[2]["body_encoding"], "base64");
    assert_eq!(messages[2]["keep_alive"], true);
}

#[test]
fn an_error_stops_with_its_kind_status_and_offset() {
    let input = b"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    let (messages, code) = decode_every_way("http-request", input);
    assert_eq!(code, 1);
    assert_eq!(
        messages.len(),
        2,
        "the request after the error is never decoded"
    );
    assert_eq!(messages[1]["kind"], "error");
    assert_eq!(messages[1]["error"], "length_and_transfer_encoding");
    assert_eq!(messages[1]["status"], 400);
    assert_eq!(messages[1]["offset"], 27);
    // Input that ends inside a message is an error too.
    let (messages, code) = decode_every_way("http-request", b"GET / HTTP/1.1\r\nHo");
    assert_eq!(
        (code, messages[0]["error"].as_str()),
        (1, Some("incomplete"))
    );
    assert_eq!(messages[0]["offset"], 18);
}

#[test]
fn responses_and_chunked_bodies() {
    let (messages, code) = decode_every_way(
        "http-response",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\nHTTP/1.1 200 OK\r\n\r\nto the end",
    );
    assert_eq!(code, 0);
    let statuses: Vec<_> = messages.iter().map(|m| m["status"].clone()).collect();
    assert_eq!(statuses, [200, 304, 200]);
    assert_eq!(messages[2]["body"], "to the end");
    assert_eq!(messages[2]["reason"], "OK");

    let (messages, code) = decode_every_way("chunked", b"3\r\nabc\r\n0\r\nX: y\r\n\r\n0\r\n\r\n");
    assert_eq!(code, 0);
    assert_eq!(messages[0]["kind"], "chunked");
    assert_eq!(messages[0]["trailers"], serde_json::json!([["X", "y"]]));
    assert_eq!(messages[1]["body"], "");
    let (messages, code) = decode_every_way("chunked", b"0x3\r\nabc\r\n");
    assert_eq!(
        (code, messages[0]["error"].as_str()),
        (1, Some("bad_chunk_size"))
    );
}

#[test]
fn empty_input_is_clean() {
    assert_eq!(decode(&["http-request"], b""), (vec![], 0));
    assert_eq!(decode(&["chunked"], b""), (vec![], 0));
}
