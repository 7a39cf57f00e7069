//! Recovery and limits: after every recoverable rejection the next command decodes as if
//! nothing happened; too-large items are discarded as they arrive, never buffered; every
//! limit is configurable, and each rejection names the right offset, however the input
//! is split.

#[path = "memcache/feed.rs"]
mod feed;

use bytes::BytesMut;
use feed::{feed, requests, responses, show_requests, show_responses, Event};
use nagrel_protocols::memcache::{
    MemcacheErrorKind, Request, RequestDecoder, RequestLimits, Response, ResponseDecoder,
    ResponseLimits,
};

/// A bad command, the kind it is rejected with, and where in it. (Too-large items have
/// tests of their own.)
const BAD: &[(&str, MemcacheErrorKind, u64)] = &[
    ("nope\r\n", MemcacheErrorKind::UnknownCommand, 0),
    ("get\r\n", MemcacheErrorKind::WrongArity, 3),
    ("get a\x7fb\r\n", MemcacheErrorKind::BadKey, 4),
    ("set k 0 0 2\r\nabXY", MemcacheErrorKind::BadDataChunk, 15),
    (
        "set k 0 x 2\r\nab\r\n",
        MemcacheErrorKind::BadCommandLine,
        8,
    ),
    ("incr k one\r\n", MemcacheErrorKind::BadDelta, 7),
    ("mg k !\r\n", MemcacheErrorKind::InvalidFlag, 5),
    ("md k q q\r\n", MemcacheErrorKind::DuplicateFlag, 7),
    ("ms k 2 q q\r\nab\r\n", MemcacheErrorKind::DuplicateFlag, 9),
    ("quit now\r\n", MemcacheErrorKind::WrongArity, 5),
];

#[test]
fn every_recoverable_rejection_leaves_the_stream_in_sync() {
    for &(bad, kind, at) in BAD {
        assert!(!kind.is_fatal() && kind.reply().is_some());
        let stream = format!("mn\r\n{bad}set next 0 0 1\r\nx\r\nget next\r\n");
        let got = show_requests(&requests(bad, RequestLimits::default(), stream.as_bytes()));
        let want = [
            r"mn\r\n".to_string(),
            format!("!{}@{}", kind.name(), at + 4),
            r"set next 0 0 1\r\nx\r\n".to_string(),
            r"get next\r\n".to_string(),
        ];
        assert_eq!(got, want, "after {bad:?}");
    }
}

#[test]
fn a_too_large_item_is_answered_at_once_and_swallowed() {
    let limits = RequestLimits {
        max_item: 8,
        ..RequestLimits::default()
    };
    let input = b"set k 0 0 20\r\n01234567890123456789\r\nget k\r\nset k 0 0 8\r\n01234567\r\n";
    let got = show_requests(&requests("too large", limits, input));
    assert_eq!(
        got,
        [
            "!too_large@10",
            r"get k\r\n",
            r"set k 0 0 8\r\n01234567\r\n"
        ]
    );
    // The rejection comes as soon as the line is in, before any of the data.
    let mut decoder = RequestDecoder::new(limits);
    let mut buf = BytesMut::from(&b"set k 0 0 20\r\n"[..]);
    let err = decoder.decode(&mut buf).unwrap_err();
    assert_eq!(err.reply(), Some("SERVER_ERROR object too large for cache"));
    assert!(decoder.in_command());
}

#[test]
fn a_huge_item_is_discarded_without_being_buffered() {
    let mut decoder = RequestDecoder::default();
    let mut buf = BytesMut::from(&b"set big 0 0 8388608\r\n"[..]);
    assert_eq!(
        decoder.decode(&mut buf).unwrap_err().kind(),
        MemcacheErrorKind::TooLarge
    );
    let piece = vec![b'z'; 64 * 1024];
    for _ in 0..128 {
        buf.extend_from_slice(&piece);
        assert_eq!(decoder.decode(&mut buf).unwrap(), None);
        assert!(buf.is_empty(), "swallowed bytes are not kept");
    }
    buf.extend_from_slice(b"\r\nversion\r\n");
    assert_eq!(decoder.decode(&mut buf).unwrap(), Some(Request::Version));
    assert_eq!(decoder.offset(), 21 + 8388608 + 2 + 9);
}

#[test]
fn a_bad_data_chunk_consumes_the_declared_block() {
    // Five bytes declared, three sent: the decoder takes five and the CRLF position, as
    // memcached does, and reads on from there.
    let got = show_requests(&requests(
        "short block",
        RequestLimits::default(),
        b"set k 0 0 5\r\nabc\r\nmn\r\nmn\r\n",
    ));
    assert_eq!(
        got,
        ["!bad_data_chunk@18", "!unknown_command@20", r"mn\r\n"]
    );
}

#[test]
fn command_lines_are_bounded() {
    let limits = RequestLimits {
        max_line: 16,
        max_retrieval_line: 40,
        ..RequestLimits::default()
    };
    // 16 bytes exactly is fine; 17 is fatal at the 16th byte of the line.
    let ok = b"delete abcdefghi\r\n";
    assert_eq!(ok.len(), 18);
    assert_eq!(
        show_requests(&requests("16", limits, ok)),
        [r"delete abcdefghi\r\n"]
    );
    let over = b"mn\r\ndelete abcdefghij\r\nmn\r\n";
    assert_eq!(
        show_requests(&requests("17", limits, over)),
        [r"mn\r\n", "!line_too_long@20"]
    );
    // Retrieval lines get their own bound, decided on the line's first bytes.
    let get = b"get aaaaaaaaaa bbbbbbbbbb cccccccccc d\r\n";
    assert_eq!(get.len(), 40);
    assert_eq!(
        show_requests(&requests("get 38", limits, get)),
        [r"get aaaaaaaaaa bbbbbbbbbb cccccccccc d\r\n"]
    );
    let get = b"gets aaaaaaaaaa bbbbbbbbbb cccccccccc dddd\r\n";
    assert_eq!(
        show_requests(&requests("gets 42", limits, get)),
        ["!line_too_long@40"]
    );
    // An endless line with no LF at all is caught at the limit, not buffered.
    let mut decoder = RequestDecoder::new(limits);
    let mut buf = BytesMut::from(&[b'x'; 18][..]);
    let err = decoder.decode(&mut buf).unwrap_err();
    assert!(err.is_fatal());
    assert_eq!(
        (err.kind(), err.offset()),
        (MemcacheErrorKind::LineTooLong, 16)
    );
    assert_eq!(err.reply(), Some("CLIENT_ERROR line too long"));
    assert_eq!(decoder.failed(), Some(err));
}

/// One shot and byte by byte (every two-way split of 60 KiB would take minutes).
fn requests_whole_and_bytewise(input: &[u8]) -> Vec<Event<Request>> {
    let whole = feed(RequestDecoder::default(), input, &[]);
    let bytewise: Vec<usize> = (1..input.len()).collect();
    assert_eq!(feed(RequestDecoder::default(), input, &bytewise), whole);
    whole
}

#[test]
fn default_line_limits_are_memcached_s() {
    let mut long_get = b"get ".to_vec();
    while long_get.len() < 60_000 {
        long_get.extend_from_slice(&[b'k'; 250]);
        long_get.push(b' ');
    }
    long_get.extend_from_slice(b"z\r\n");
    let events = requests_whole_and_bytewise(&long_get);
    let [Event::Message(Request::Retrieve(get))] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(get.keys.len(), 241);

    let mut too_long = b"get ".to_vec();
    too_long.extend(std::iter::repeat_n(b"k ", 40_000).flatten());
    too_long.extend_from_slice(b"\r\n");
    let events = requests_whole_and_bytewise(&too_long);
    assert_eq!(
        events,
        [Event::Rejected(MemcacheErrorKind::LineTooLong, 65536)]
    );
}

#[test]
fn key_length_is_configurable() {
    let limits = RequestLimits {
        max_key: 3,
        ..RequestLimits::default()
    };
    assert_eq!(
        show_requests(&requests(
            "key 4",
            limits,
            b"get abc abcd\r\ndelete abc\r\n"
        )),
        ["!bad_key@8", r"delete abc\r\n"]
    );
}

#[test]
fn strict_crlf_refuses_bare_lf_lines_only() {
    let limits = RequestLimits {
        strict_crlf: true,
        ..RequestLimits::default()
    };
    assert_eq!(
        show_requests(&requests("strict", limits, b"get a\nget b\r\n")),
        ["!bare_lf@5", r"get b\r\n"]
    );
}

#[test]
fn unknown_commands_can_be_passed_through() {
    let limits = RequestLimits {
        pass_unknown: true,
        ..RequestLimits::default()
    };
    let events = requests(
        "kestrel",
        limits,
        b"flush jobs\r\nshutdown\r\nget jobs/t=10\r\n",
    );
    assert_eq!(
        show_requests(&events),
        [r"flush jobs\r\n", r"shutdown\r\n", r"get jobs/t=10\r\n"]
    );
    assert!(matches!(&events[0], Event::Message(Request::Unknown(line)) if line == "flush jobs"));
    // Known commands with bad arguments are still rejected.
    assert_eq!(
        show_requests(&requests("kestrel", limits, b"get\r\n")),
        ["!wrong_arity@3"]
    );
}

#[test]
fn item_size_limit_applies_to_meta_set() {
    let limits = RequestLimits {
        max_item: 2,
        ..RequestLimits::default()
    };
    assert_eq!(
        show_requests(&requests(
            "ms",
            limits,
            b"ms k 3 T1\r\nabc\r\nms k 2\r\nab\r\n"
        )),
        ["!too_large@5", r"ms k 2\r\nab\r\n"]
    );
}

#[test]
fn offsets_count_from_where_the_decoder_started() {
    let mut decoder = RequestDecoder::default().starting_at(1000);
    let mut buf = BytesMut::from(&b"mn\r\nbad\r\n"[..]);
    assert_eq!(decoder.decode(&mut buf).unwrap(), Some(Request::MetaNoop));
    assert_eq!(decoder.decode(&mut buf).unwrap_err().offset(), 1004);
    assert_eq!(decoder.offset(), 1009);
}

#[test]
fn reply_limits() {
    let limits = ResponseLimits {
        max_line: 20,
        max_value: 4,
        max_response: 40,
        ..ResponseLimits::default()
    };
    assert_eq!(
        show_responses(&responses(
            "value 5",
            limits,
            b"VALUE k 0 5\r\nabcde\r\nEND\r\n"
        )),
        ["!value_too_large@10"]
    );
    assert_eq!(
        show_responses(&responses("va 5", limits, b"VA 5\r\nabcde\r\n")),
        ["!value_too_large@3"]
    );
    // Three values of 15 bytes on the wire: the third would end at 45, past 40.
    let three = b"VALUE a 0 2\r\nab\r\nVALUE b 0 2\r\nab\r\nVALUE c 0 2\r\nab\r\nEND\r\n";
    assert_eq!(
        show_responses(&responses("three", limits, three)),
        ["!reply_too_large@40"]
    );
    let long = b"CLIENT_ERROR abcdefghijklmnop\r\n";
    assert_eq!(
        show_responses(&responses("long line", limits, long)),
        ["!reply_line_too_long@20"]
    );
    let strict = ResponseLimits {
        strict_crlf: true,
        ..ResponseLimits::default()
    };
    assert_eq!(
        show_responses(&responses("strict", strict, b"STORED\n")),
        ["!bad_reply@6"]
    );
}

#[test]
fn a_failed_reply_decoder_stays_failed() {
    let mut decoder = ResponseDecoder::default();
    let mut buf = BytesMut::from(&b"BOGUS\r\nSTORED\r\n"[..]);
    let err = decoder.decode(&mut buf).unwrap_err();
    assert!(err.is_fatal() && err.reply().is_none());
    assert_eq!(decoder.decode(&mut buf), Err(err));
    assert_eq!(decoder.failed(), Some(err));
    // A good decoder reads the same STORED.
    let mut buf = BytesMut::from(&b"STORED\r\n"[..]);
    assert_eq!(
        ResponseDecoder::default().decode(&mut buf).unwrap(),
        Some(Response::Stored)
    );
}
