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

#[test]
fn netstrings_and_tnetstrings() {
    let (messages, code) = decode_every_way("netstring", b"5:hello,0:,2:\xff\x00,");
    assert_eq!(code, 0);
    assert_eq!(messages[0]["kind"], "netstring");
    assert_eq!(messages[0]["data"], "hello");
    assert_eq!(messages[2]["data"], "/wA=");
    assert_eq!(messages[2]["data_encoding"], "base64");

    let (messages, code) =
        decode_every_way("tnetstring", b"31:3:key,5:value,4:list,7:1:1#0:~]}3:2.5^");
    assert_eq!(code, 0);
    assert_eq!(
        messages[0]["value"],
        serde_json::json!({"dict": [["key", "value"], ["list", [1, null]]]})
    );
    assert_eq!(messages[1]["value"], 2.5);

    let (messages, code) = decode_every_way("netstring", b"3:abc,01:x,");
    assert_eq!(code, 1);
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["kind"], "error");
    assert_eq!(messages[1]["error"], "leading_zero");
    assert_eq!(messages[1]["offset"], 7);
}

#[test]
fn scgi_requests() {
    let input = b"24:CONTENT_LENGTH\x002\x00SCGI\x001\x00,hi";
    let (messages, code) = decode_every_way("scgi", input);
    assert_eq!(code, 0);
    assert_eq!(messages[0]["kind"], "request");
    assert_eq!(
        messages[0]["headers"],
        serde_json::json!([["CONTENT_LENGTH", "2"], ["SCGI", "1"]])
    );
    assert_eq!(messages[0]["body"], "hi");

    let (messages, code) = decode_every_way("scgi", b"11:SCGI\x001\x00A\x00b\x00,");
    assert_eq!(code, 1);
    assert_eq!(messages[0]["error"], "content_length_not_first");
    assert_eq!(messages[0]["offset"], 3);
}

#[test]
fn mongrel2_messages() {
    let input = concat!(
        r#"h1 7 /chat 47:{"PATH":"/chat","x-a":["1","2"],"METHOD":"GET"},0:,"#,
        r#"h1 7 @* 17:{"METHOD":"JSON"},21:{"type":"disconnect"},"#
    );
    let (messages, code) = decode_every_way("m2-request", input.as_bytes());
    assert_eq!(code, 0);
    assert_eq!(messages[0]["kind"], "request");
    assert_eq!(messages[0]["conn_id"], 7);
    assert_eq!(messages[0]["header_format"], "json");
    assert_eq!(
        messages[0]["headers"][1],
        serde_json::json!(["x-a", ["1", "2"]])
    );
    assert_eq!(messages[1]["kind"], "disconnect");

    let (messages, code) = decode_every_way("m2-response", b"h1 3:1 2, HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(code, 0);
    assert_eq!(messages[0]["kind"], "response");
    assert_eq!(messages[0]["ids"], serde_json::json!([1, 2]));
    let (messages, _) = decode_every_way("m2-response", b"h1 1:1, ");
    assert_eq!(messages[0]["kind"], "close");
    let (messages, _) =
        decode_every_way("m2-response", b"h1 3:X 1, 27:3:ctl,17:10:keep-alive,0:,}]");
    assert_eq!(messages[0]["kind"], "control");
    assert_eq!(
        messages[0]["value"],
        serde_json::json!(["ctl", {"dict": [["keep-alive", ""]]}])
    );

    let (messages, code) = decode_every_way("m2-response", b"h1 0:, x");
    assert_eq!(code, 1);
    assert_eq!(messages[0]["error"], "bad_ids");
}

#[test]
fn memcache_requests_go_on_after_recoverable_rejections() {
    let input = b"get a b\r\nset k 1 0 3\r\nabc\r\nincr k x\r\nmg k v T30\r\nGET k\r\n";
    let (messages, code) = decode_every_way("memcache-request", input);
    assert_eq!(code, 1, "a rejection makes the exit status 1");
    let kinds: Vec<&str> = messages
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["get", "set", "error", "mg", "error"]);
    assert_eq!(messages[0]["keys"], serde_json::json!(["a", "b"]));
    assert_eq!(messages[1]["data"], "abc");
    assert_eq!(
        messages[2]["reply"],
        "CLIENT_ERROR invalid numeric delta argument"
    );
    assert_eq!(messages[2]["fatal"], false);
    assert_eq!(messages[3]["flags"], serde_json::json!(["v", "T30"]));
    assert_eq!(messages[4]["reply"], "ERROR");

    let (messages, code) = decode_every_way("memcache-request", &[b'x'; 3000]);
    assert_eq!(code, 1);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["fatal"], true);
}

#[test]
fn memcache_responses() {
    let input = b"VALUE k 1 3 9\r\nabc\r\nEND\r\nSTORED\r\n42\r\nHD c2\r\nVA 2 f0\r\nhi\r\nEN\r\n";
    let (messages, code) = decode_every_way("memcache-response", input);
    assert_eq!(code, 0);
    let kinds: Vec<&str> = messages
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["values", "stored", "number", "hd", "va", "en"]);
    assert_eq!(messages[0]["items"][0]["cas_unique"], 9);
    assert_eq!(messages[2]["value"], 42);
    assert_eq!(messages[4]["data"], "hi");
}
