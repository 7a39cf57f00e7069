//! The decoders against bytes recorded from a real memcached 1.6.18
//! (`tests/interop/captures/memcache`, recorded by `tests/interop/mc_capture.py`): every
//! reply stream memcached sent decodes (one shot, at every split, byte by byte) and
//! re-encodes to the same replies; every request stream decodes the same every way, and
//! ends in a fatal rejection exactly where this decoder is meant to stop.

#[path = "memcache/feed.rs"]
mod feed;

use std::path::PathBuf;

use bytes::BytesMut;
use feed::{feed, requests, responses, Event};
use nagrel_protocols::memcache::{
    encode_response, RequestLimits, Response, ResponseDecoder, ResponseLimits,
};

fn captures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/captures/memcache")
}

/// The recorded scenarios with a file of `extension`, sorted, with their bytes.
fn recorded(extension: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(captures())
        .expect("the recorded memcached vectors")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .map(|p| {
            let name = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("a recorded file"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 20, "recorded scenarios are missing");
    files
}

#[test]
fn every_reply_memcached_sent_decodes_and_round_trips() {
    for (name, bytes) in recorded("resp") {
        // memcached answered a binary-protocol request in its binary protocol.
        if name == "binary_magic_first" {
            continue;
        }
        let events = responses(&name, ResponseLimits::default(), &bytes);
        let mut wire = BytesMut::new();
        for event in &events {
            let Event::Message(reply) = event else {
                panic!("{name}: memcached's reply rejected: {event:?}")
            };
            encode_response(&mut wire, reply).expect("a decoded reply re-encodes");
        }
        assert_eq!(
            feed(ResponseDecoder::default(), &wire, &[]),
            events,
            "{name}: re-encoded replies decode to the same"
        );
    }
}

#[test]
fn stats_from_memcached() {
    let (_, bytes) = recorded("resp")
        .into_iter()
        .find(|(name, _)| name == "stats")
        .expect("the stats scenario");
    let events = feed(ResponseDecoder::default(), &bytes, &[]);
    let Some(Event::Message(Response::Stats(stats))) = events.first() else {
        panic!("{events:?}")
    };
    let version = stats
        .iter()
        .find(|s| s.name == "version")
        .expect("a version stat");
    assert_eq!(version.value, "1.6.18");
    assert!(stats.len() > 50);
}

#[test]
fn every_request_stream_decodes_the_same_every_way() {
    // Where this decoder stops for good: memcached closed on the long lines without an
    // LF too; it read the others because their LF happened to arrive in the same read,
    // where this decoder holds every line to 2048 bytes however the bytes arrive. The
    // binary magic byte and the unterminated get line end the stream inside a command.
    let fatal = [
        "binary_magic_first",
        "long_get_line_nonl",
        "long_line_20k_nl",
        "long_line_garbage",
        "long_line_garbage_nl",
        "long_line_set",
    ];
    for (name, bytes) in recorded("req") {
        let events = requests(&name, RequestLimits::default(), &bytes);
        let stopped = matches!(events.last(), Some(Event::Rejected(kind, _)) if kind.is_fatal());
        assert_eq!(
            stopped,
            fatal.contains(&name.as_str()),
            "{name}: {events:?}"
        );
        // Every stream memcached kept reading ends with a command it answered.
        if !stopped {
            assert!(
                matches!(events.last(), Some(Event::Message(_))),
                "{name}: {events:?}"
            );
        }
    }
}
