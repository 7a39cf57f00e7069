//! A table of command streams and reply streams, good and bad, each decoded one shot, at
//! every two-way split and one byte at a time with identical results. Expected outcomes
//! are written compactly: each message as its canonical encoding (escaped, so `\r\n` is
//! the CRLF), each rejection as `!kind@offset`.

#[path = "memcache/feed.rs"]
mod feed;

use feed::{requests, responses, show_requests, show_responses};
use nagrel_protocols::memcache::{RequestLimits, ResponseLimits};

/// `(name, input, expected events)`.
type Case = (&'static str, Vec<u8>, &'static [&'static str]);

fn case(name: &'static str, input: &str, want: &'static [&'static str]) -> Case {
    (name, input.as_bytes().to_vec(), want)
}

fn request_cases() -> Vec<Case> {
    let key250 = "k".repeat(250);
    let key251 = "k".repeat(251);
    let long_get = format!("get {}\r\n", vec!["x".repeat(200); 15].join(" "));
    vec![
        // Retrieval.
        case("get", "get a\r\n", &[r"get a\r\n"]),
        case("get many", "get a b c\r\n", &[r"get a b c\r\n"]),
        case("gets", "gets a\r\n", &[r"gets a\r\n"]),
        case("gat", "gat 10 a b\r\n", &[r"gat 10 a b\r\n"]),
        case("gats negative", "gats -1 a\r\n", &[r"gats -1 a\r\n"]),
        case("spaces", "  get   a   b  \r\n", &[r"get a b\r\n"]),
        case("bare lf", "get a\nget b\r\n", &[r"get a\r\n", r"get b\r\n"]),
        case(
            "high bytes in key",
            "get \u{e9}\r\n",
            &[r"get \xc3\xa9\r\n"],
        ),
        (
            "250-byte key",
            format!("get {key250}\r\n").into_bytes(),
            &[],
        ),
        ("get over 2048 bytes", long_get.clone().into_bytes(), &[]),
        // Storage.
        case(
            "set",
            "set k 1 2 5\r\nhello\r\n",
            &[r"set k 1 2 5\r\nhello\r\n"],
        ),
        case(
            "add empty",
            "add k 0 0 0\r\n\r\n",
            &[r"add k 0 0 0\r\n\r\n"],
        ),
        case(
            "replace",
            "replace k 0 -1 1\r\nx\r\n",
            &[r"replace k 0 -1 1\r\nx\r\n"],
        ),
        case(
            "append",
            "append k 0 0 1 noreply\r\nx\r\n",
            &[r"append k 0 0 1 noreply\r\nx\r\n"],
        ),
        case(
            "prepend",
            "prepend k 4294967295 0 1\r\nx\r\n",
            &[r"prepend k 4294967295 0 1\r\nx\r\n"],
        ),
        case(
            "cas",
            "cas k 0 0 1 42 noreply\r\nx\r\n",
            &[r"cas k 0 0 1 42 noreply\r\nx\r\n"],
        ),
        case(
            "crlf inside data",
            "set k 0 0 4\r\n\r\n\r\n\r\n",
            &[r"set k 0 0 4\r\n\r\n\r\n\r\n"],
        ),
        case(
            "bare lf line, crlf data",
            "set k 0 0 1\nx\r\n",
            &[r"set k 0 0 1\r\nx\r\n"],
        ),
        // The rest of the text protocol.
        case(
            "delete",
            "delete k\r\ndelete k noreply\r\n",
            &[r"delete k\r\n", r"delete k noreply\r\n"],
        ),
        case(
            "delete hold 0",
            "delete k 0\r\ndelete k 0 noreply\r\n",
            &[r"delete k\r\n", r"delete k noreply\r\n"],
        ),
        case("incr", "incr k 5\r\n", &[r"incr k 5\r\n"]),
        case(
            "decr max",
            "decr k 18446744073709551615 noreply\r\n",
            &[r"decr k 18446744073709551615 noreply\r\n"],
        ),
        case("touch", "touch k -1\r\n", &[r"touch k -1\r\n"]),
        case(
            "stats",
            "stats\r\nstats items\r\nstats  slabs  detail \r\n",
            &[r"stats\r\n", r"stats items\r\n", r"stats slabs  detail\r\n"],
        ),
        case(
            "version quit",
            "version\r\nquit\r\n",
            &[r"version\r\n", r"quit\r\n"],
        ),
        case(
            "verbosity",
            "verbosity 1\r\nverbosity 2 noreply\r\n",
            &[r"verbosity 1\r\n", r"verbosity 2 noreply\r\n"],
        ),
        case(
            "flush_all",
            "flush_all\r\nflush_all 10\r\nflush_all noreply\r\nflush_all -1 noreply\r\n",
            &[
                r"flush_all\r\n",
                r"flush_all 10\r\n",
                r"flush_all noreply\r\n",
                r"flush_all -1 noreply\r\n",
            ],
        ),
        // Meta.
        case(
            "mg",
            "mg k v t  Oab\r\nmg k\r\n",
            &[r"mg k v t Oab\r\n", r"mg k\r\n"],
        ),
        case(
            "ms",
            "ms k 2 T60 F5\r\nhi\r\n",
            &[r"ms k 2 T60 F5\r\nhi\r\n"],
        ),
        case("ms no flags", "ms k 0\r\n\r\n", &[r"ms k 0\r\n\r\n"]),
        case(
            "md ma me mn",
            "md k q\r\nma k D5 MI\r\nme k\r\nmn\r\n",
            &[r"md k q\r\n", r"ma k D5 MI\r\n", r"me k\r\n", r"mn\r\n"],
        ),
        case(
            "pipeline",
            "get a\r\nset b 0 0 1\r\nx\r\nget b\r\n",
            &[r"get a\r\n", r"set b 0 0 1\r\nx\r\n", r"get b\r\n"],
        ),
        // Recoverable rejections: the next command still decodes.
        case(
            "unknown",
            "bogus\r\nget a\r\n",
            &["!unknown_command@0", r"get a\r\n"],
        ),
        case(
            "case-sensitive",
            "GET a\r\nget a\r\n",
            &["!unknown_command@0", r"get a\r\n"],
        ),
        case(
            "blank line",
            "\r\n  \r\nget a\r\n",
            &["!unknown_command@0", "!unknown_command@2", r"get a\r\n"],
        ),
        case(
            "get without key",
            "get\r\nget  \r\nmn\r\n",
            &["!wrong_arity@3", "!wrong_arity@10", r"mn\r\n"],
        ),
        case(
            "control byte in key",
            "get a\tb\r\nmn\r\n",
            &["!bad_key@4", r"mn\r\n"],
        ),
        case(
            "cr in key",
            "get a\rb\r\nmn\r\n",
            &["!bad_key@4", r"mn\r\n"],
        ),
        (
            "251-byte key",
            format!("get {key251}\r\nmn\r\n").into_bytes(),
            &["!bad_key@4", r"mn\r\n"],
        ),
        case(
            "bad data chunk",
            "set k 0 0 5\r\nhelloXXget a\r\n",
            &["!bad_data_chunk@18", r"get a\r\n"],
        ),
        case(
            "data too short",
            "set k 0 0 5\r\nhel\r\nget a\r\n",
            &["!bad_data_chunk@18", "!unknown_command@20"],
        ),
        case(
            "bad flags swallow",
            "set k x 0 1\r\nz\r\nget a\r\n",
            &["!bad_command_line@6", r"get a\r\n"],
        ),
        case(
            "bad key swallow",
            "set a\x01b 0 0 1\r\nz\r\nget a\r\n",
            &["!bad_key@4", r"get a\r\n"],
        ),
        case(
            "bad noreply swallow",
            "set k 0 0 1 norply\r\nz\r\nmn\r\n",
            &["!bad_command_line@12", r"mn\r\n"],
        ),
        case(
            "negative length",
            "set k 0 0 -1\r\nget a\r\n",
            &["!bad_command_line@10", r"get a\r\n"],
        ),
        case(
            "length over int",
            "set k 0 0 2147483646\r\nget a\r\n",
            &["!bad_command_line@10", r"get a\r\n"],
        ),
        case(
            "set arity",
            "set k 0 0\r\nset k 0 0 1 noreply x\r\nmn\r\n",
            &["!wrong_arity@9", "!wrong_arity@31", r"mn\r\n"],
        ),
        case(
            "cas without unique",
            "cas k 0 0 1\r\nmn\r\n",
            &["!wrong_arity@11", r"mn\r\n"],
        ),
        case(
            "bad cas unique",
            "cas k 0 0 1 x\r\nz\r\nmn\r\n",
            &["!bad_command_line@12", r"mn\r\n"],
        ),
        case(
            "incr not numeric",
            "incr k abc\r\nincr k -1\r\nmn\r\n",
            &["!bad_delta@7", "!bad_delta@19", r"mn\r\n"],
        ),
        case(
            "touch bad exptime",
            "touch k soon\r\nmn\r\n",
            &["!bad_command_line@8", r"mn\r\n"],
        ),
        case(
            "version with argument",
            "version x\r\nmn\r\n",
            &["!wrong_arity@8", r"mn\r\n"],
        ),
        case(
            "stats control byte",
            "stats a\tb\r\nmn\r\n",
            &["!bad_command_line@7", r"mn\r\n"],
        ),
        case(
            "mg duplicate flag",
            "mg k v v\r\nmn\r\n",
            &["!duplicate_flag@7", r"mn\r\n"],
        ),
        case(
            "mg flag not a letter",
            "mg k 1\r\nmn\r\n",
            &["!invalid_flag@5", r"mn\r\n"],
        ),
        case(
            "mg without key",
            "mg\r\nmn\r\n",
            &["!bad_command_line@2", r"mn\r\n"],
        ),
        case(
            "ms bad flag swallow",
            "ms k 2 v v\r\nhi\r\nmn\r\n",
            &["!duplicate_flag@9", r"mn\r\n"],
        ),
        case(
            "ms bad length",
            "ms k x\r\nmn\r\n",
            &["!bad_command_line@5", r"mn\r\n"],
        ),
        case(
            "verbosity bad",
            "verbosity loud\r\nmn\r\n",
            &["!bad_command_line@10", r"mn\r\n"],
        ),
        case(
            "flush_all bad",
            "flush_all soon\r\nmn\r\n",
            &["!bad_command_line@10", r"mn\r\n"],
        ),
        // Fatal: nothing after them is decoded.
        (
            "line too long",
            [vec![b'a'; 2049], b"\r\nget a\r\n".to_vec()].concat(),
            &["!line_too_long@2048"],
        ),
        (
            "line too long after a command",
            [b"mn\r\n".to_vec(), vec![b'a'; 3000]].concat(),
            &[r"mn\r\n", "!line_too_long@2052"],
        ),
        case("cut off line", "get a", &["!incomplete@5"]),
        case("cut off data", "set k 0 0 5\r\nhel", &["!incomplete@16"]),
        case(
            "cut off terminator",
            "set k 0 0 1\r\nx\r",
            &["!incomplete@15"],
        ),
    ]
}

/// Rows with no expected events expect their input back, as one command.
#[test]
fn request_streams() {
    let mut failures = Vec::new();
    for (name, input, want) in request_cases() {
        let got = show_requests(&requests(name, RequestLimits::default(), &input));
        let want: Vec<String> = if want.is_empty() {
            vec![input.escape_ascii().to_string()]
        } else {
            want.iter().map(|s| s.to_string()).collect()
        };
        if got != want {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn response_cases() -> Vec<Case> {
    vec![
        case(
            "words",
            "STORED\r\nNOT_STORED\r\nEXISTS\r\nNOT_FOUND\r\nDELETED\r\nTOUCHED\r\nOK\r\nRESET\r\n",
            &[r"STORED\r\n", r"NOT_STORED\r\n", r"EXISTS\r\n", r"NOT_FOUND\r\n", r"DELETED\r\n", r"TOUCHED\r\n", r"OK\r\n", r"RESET\r\n"],
        ),
        case("miss", "END\r\n", &[r"END\r\n"]),
        case(
            "values",
            "VALUE a 0 1\r\nx\r\nVALUE b 5 2 99\r\ny\n\r\nEND\r\n",
            &[r"VALUE a 0 1\r\nx\r\nVALUE b 5 2 99\r\ny\n\r\nEND\r\n"],
        ),
        case("empty value", "VALUE a 0 0\r\n\r\nEND\r\n", &[r"VALUE a 0 0\r\n\r\nEND\r\n"]),
        case(
            "stats",
            "STAT pid 1\r\nSTAT version 1.6.21\r\nSTAT empty\r\nSTAT spaced a b\r\nEND\r\n",
            &[r"STAT pid 1\r\nSTAT version 1.6.21\r\nSTAT empty\r\nSTAT spaced a b\r\nEND\r\n"],
        ),
        case("numbers", "42\r\n7  \r\n18446744073709551615\r\n", &[r"42\r\n", r"7\r\n", r"18446744073709551615\r\n"]),
        case(
            "texts",
            "VERSION 1.6.21\r\nERROR\r\nERROR bad thing\r\nCLIENT_ERROR bad data chunk\r\nSERVER_ERROR object too large for cache\r\n",
            &[r"VERSION 1.6.21\r\n", r"ERROR\r\n", r"ERROR bad thing\r\n", r"CLIENT_ERROR bad data chunk\r\n", r"SERVER_ERROR object too large for cache\r\n"],
        ),
        case(
            "meta",
            "HD\r\nHD c5 t-1\r\nEN\r\nNF Oab\r\nNS\r\nEX\r\nMN\r\n",
            &[r"HD\r\n", r"HD c5 t-1\r\n", r"EN\r\n", r"NF Oab\r\n", r"NS\r\n", r"EX\r\n", r"MN\r\n"],
        ),
        case("meta value", "VA 2 t5 f0\r\nhi\r\nVA 0\r\n\r\n", &[r"VA 2 t5 f0\r\nhi\r\n", r"VA 0\r\n\r\n"]),
        case("meta debug", "ME k exp=-1 la=3 cas=2\r\n", &[r"ME k exp=-1 la=3 cas=2\r\n"]),
        case("bare lf", "STORED\nVALUE a 0 1\nx\r\nEND\n", &[r"STORED\r\n", r"VALUE a 0 1\r\nx\r\nEND\r\n"]),
        // Rejections are fatal.
        case("unknown", "STORED\r\nFOO\r\nSTORED\r\n", &[r"STORED\r\n", "!bad_reply@8"]),
        case("trailing word", "STORED x\r\n", &["!bad_reply@7"]),
        case("reply inside values", "VALUE a 0 1\r\nx\r\nSTORED\r\n", &["!bad_reply@16"]),
        case("stat inside values", "VALUE a 0 1\r\nx\r\nSTAT a b\r\nEND\r\n", &["!bad_reply@16"]),
        case("bad value data", "VALUE a 0 1\r\nxy\r\n", &["!bad_value_data@14"]),
        case("bad va data", "VA 1\r\nxy\r\n", &["!bad_value_data@7"]),
        // memcached stores keys with control bytes other clients sent, and returns them.
        case("control bytes in reply keys", "VALUE a\tb 0 1\r\nx\r\nVALUE a\rb 0 1\r\ny\r\nEND\r\n", &[r"VALUE a\tb 0 1\r\nx\r\nVALUE a\rb 0 1\r\ny\r\nEND\r\n"]),
        case("error with a colon", "ERROR: shutdown not enabled\r\n", &[r"ERROR : shutdown not enabled\r\n"]),
        (
            "key too long",
            format!("VALUE {} 0 1\r\nx\r\nEND\r\n", "k".repeat(251)).into_bytes(),
            &["!bad_reply@6"],
        ),
        case("missing length", "VALUE a 0\r\n", &["!bad_reply@9"]),
        case("duplicate meta flag", "HD c1 c2\r\n", &["!bad_reply@6"]),
        case("cr in text", "SERVER_ERROR a\rb\r\n", &["!bad_reply@14"]),
        case("number overflow", "18446744073709551616\r\n", &["!bad_reply@0"]),
        case("cut off", "VALUE a 0 1\r\nx", &["!reply_incomplete@14"]),
        case("cut off line", "STOR", &["!reply_incomplete@4"]),
        (
            "line too long",
            [vec![b'S'; 8193], b"\r\n".to_vec()].concat(),
            &["!reply_line_too_long@8192"],
        ),
    ]
}

#[test]
fn response_streams() {
    let mut failures = Vec::new();
    for (name, input, want) in response_cases() {
        let got = show_responses(&responses(name, ResponseLimits::default(), &input));
        if got != want {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
