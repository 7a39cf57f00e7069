//! The `memcache` suite: decoding memcache commands on the server side, against two peers.
//!
//! - Whole buffers (`get_1key`, `get_10keys`, `set_10b`, `set_1k`): one command received
//!   whole into the reused receive buffer (one copy each side, timed, as the `http` suite
//!   does for heads) and decoded. Ours is [`RequestDecoder`], handing out the keys and the
//!   data block as zero-copy `Bytes`; one decoder is kept across runs, as a server keeps
//!   one per connection (the peers keep no state at all). The peers:
//!   - `memcache-proto`: the crates.io crate's server-side parser (`Command::parse`),
//!     which borrows the keys and data from the buffer; the buffer is then advanced past
//!     the command.
//!   - `nom-reparse`: a streaming nom parser of whole commands written here as nom users
//!     commonly write one (`alt` of command tags, `many1` keys, numbers with nom's
//!     parsers, `take(n)` for the data block, the data's CRLF checked), borrowing from the
//!     buffer.
//! - Trickled (`set_1k_1`): the `set_1k` command arriving one byte at a time. Ours resumes
//!   where it stopped; `nom-reparse` parses the buffer from its start on every arrival, as
//!   a server built on a stateless parser does. The runner also prints, on stderr, what
//!   `set_1k_1` costs ours relative to `set_1k`.
//!
//! Every side counts the commands and the key and data bytes it decoded, and both sides
//! must agree before anything is timed. Every side looks at its result where it was
//! returned (by reference), passes it through `black_box` and drops it.

use std::cell::RefCell;
use std::hint::black_box;

use bytes::{Buf, BytesMut};
use nagrel_protocols::memcache::{Request, RequestDecoder};

use crate::gen::XorShift64;
use crate::measure::{compare, Comparison};
use crate::{Budget, Outcome, Tally};

/// The crates.io peer's name in `RESULT` lines.
pub const PEER_CRATE: &str = "memcache-proto";
/// The re-parsing nom peer's name in `RESULT` lines.
pub const PEER_NOM: &str = "nom-reparse";

/// A key like the ones applications use.
fn key(rng: &mut XorShift64) -> String {
    format!("user:profile:{:010}", rng.next_u64() % 10_000_000_000)
}

/// `get <key>`, 29 bytes.
pub fn get_1key() -> Vec<u8> {
    let mut rng = XorShift64::new(0x6e7);
    format!("get {}\r\n", key(&mut rng)).into_bytes()
}

/// `get` with ten keys, 245 bytes.
pub fn get_10keys() -> Vec<u8> {
    let mut rng = XorShift64::new(0x10);
    let keys: Vec<String> = (0..10).map(|_| key(&mut rng)).collect();
    format!("get {}\r\n", keys.join(" ")).into_bytes()
}

/// `set` of `len` random bytes under a key, with flags and an expiration time.
pub fn set(len: usize) -> Vec<u8> {
    let mut rng = XorShift64::new(0x5e7 + len as u64);
    let mut wire = format!("set {} 42 3600 {len}\r\n", key(&mut rng)).into_bytes();
    rng.fill(&mut wire, len);
    wire.extend_from_slice(b"\r\n");
    wire
}

/// What a decoded command amounts to: one item, its keys' and data's bytes.
fn tally_ours(request: &Request) -> Tally {
    let bytes = match request {
        Request::Retrieve(r) => r.keys.iter().map(<[u8]>::len).sum(),
        Request::Store(s) => s.key().len() + s.data().len(),
        other => panic!("not in the workload: {other:?}"),
    };
    Tally { items: 1, bytes }
}

/// Ours: receive `wire` into `buf` `piece` bytes at a time, decoding after each arrival
/// with `decoder`, which is between commands (a server keeps one per connection, as the
/// peers keep none).
pub fn ours(decoder: &mut RequestDecoder, buf: &mut BytesMut, wire: &[u8], piece: usize) -> Tally {
    buf.clear();
    for chunk in wire.chunks(piece) {
        buf.extend_from_slice(chunk);
        // Looked at where it was returned, as the peers' commands are.
        match &decoder.decode(buf) {
            Ok(Some(request)) => {
                black_box(request);
                return tally_ours(request);
            }
            Ok(None) => {}
            Err(e) => panic!("invalid command: {e}"),
        }
    }
    panic!("incomplete command")
}

/// The crates.io peer on a command received whole.
pub fn peer_crate(buf: &mut BytesMut, wire: &[u8]) -> Tally {
    use memcache_proto::Command;
    buf.clear();
    buf.extend_from_slice(wire);
    // Looked at where it was returned, as ours is.
    let parsed = Command::parse(buf);
    let Ok((command, used)) = &parsed else {
        panic!("invalid or incomplete command: {parsed:?}")
    };
    let bytes = match command {
        Command::Get { key } => key.len(),
        Command::Gets { keys } => keys.iter().map(|k| k.len()).sum(),
        Command::Set { key, data, .. } => key.len() + data.len(),
        other => panic!("not in the workload: {other:?}"),
    };
    black_box(command);
    let used = *used;
    drop(parsed);
    buf.advance(used);
    Tally { items: 1, bytes }
}

/// The nom peer: receive `wire` into `buf` `piece` bytes at a time and parse the buffer
/// from its start after each arrival.
pub fn peer_nom(buf: &mut BytesMut, wire: &[u8], piece: usize) -> Tally {
    buf.clear();
    for chunk in wire.chunks(piece) {
        buf.extend_from_slice(chunk);
        // Looked at where it was returned, as ours is.
        let used = match &nom_peer::command(buf) {
            Ok((rest, command)) => {
                black_box(command);
                Some((buf.len() - rest.len(), command.bytes()))
            }
            Err(nom::Err::Incomplete(_)) => None,
            Err(e) => panic!("invalid command: {e:?}"),
        };
        if let Some((used, bytes)) = used {
            buf.advance(used);
            return Tally { items: 1, bytes };
        }
    }
    panic!("incomplete command")
}

/// A streaming nom parser of the commands in the workloads, written the way nom parsers
/// usually are: it parses a whole command from the front of the buffer or says
/// `Incomplete`, and is called again from the start when more bytes arrive.
pub mod nom_peer {
    use nom::branch::alt;
    use nom::bytes::streaming::{tag, take, take_while1};
    use nom::character::streaming::{i64 as dec_i64, u32 as dec_u32, usize as dec_usize};
    use nom::combinator::{opt, verify};
    use nom::multi::many1;
    use nom::sequence::{preceded, terminated};
    use nom::{IResult, Parser};

    /// A parsed command, borrowing from the buffer.
    #[derive(Debug)]
    pub enum Command<'a> {
        /// `get` or `gets`.
        Retrieve {
            /// Whether it was `gets`.
            cas: bool,
            /// The keys.
            keys: Vec<&'a [u8]>,
        },
        /// A storage command (not `cas`).
        Store {
            /// The command name.
            name: &'a [u8],
            /// The key.
            key: &'a [u8],
            /// Client flags.
            flags: u32,
            /// Expiration time.
            exptime: i64,
            /// `noreply` given.
            noreply: bool,
            /// The data block.
            data: &'a [u8],
        },
    }

    impl Command<'_> {
        /// Key and data bytes.
        pub fn bytes(&self) -> usize {
            match self {
                Command::Retrieve { keys, .. } => keys.iter().map(|k| k.len()).sum(),
                Command::Store { key, data, .. } => key.len() + data.len(),
            }
        }
    }

    fn space(i: &[u8]) -> IResult<&[u8], &[u8]> {
        take_while1(|b| b == b' ').parse(i)
    }

    fn key(i: &[u8]) -> IResult<&[u8], &[u8]> {
        verify(take_while1(|b: u8| b > b' ' && b != 0x7F), |k: &[u8]| {
            k.len() <= 250
        })
        .parse(i)
    }

    fn retrieve(i: &[u8]) -> IResult<&[u8], Command<'_>> {
        let (i, name) = alt((tag("gets"), tag("get"))).parse(i)?;
        let (i, keys) = terminated(many1(preceded(space, key)), tag("\r\n")).parse(i)?;
        Ok((
            i,
            Command::Retrieve {
                cas: name == b"gets",
                keys,
            },
        ))
    }

    fn store(i: &[u8]) -> IResult<&[u8], Command<'_>> {
        let (i, name) = alt((
            tag("set"),
            tag("add"),
            tag("replace"),
            tag("append"),
            tag("prepend"),
        ))
        .parse(i)?;
        let (i, (key, flags, exptime, len, noreply)) = terminated(
            (
                preceded(space, key),
                preceded(space, dec_u32),
                preceded(space, dec_i64),
                preceded(space, dec_usize),
                opt(preceded(space, tag("noreply"))),
            ),
            tag("\r\n"),
        )
        .parse(i)?;
        let (i, data) = terminated(take(len), tag("\r\n")).parse(i)?;
        Ok((
            i,
            Command::Store {
                name,
                key,
                flags,
                exptime,
                noreply: noreply.is_some(),
                data,
            },
        ))
    }

    /// One command from the front of `i`.
    pub fn command(i: &[u8]) -> IResult<&[u8], Command<'_>> {
        alt((retrieve, store)).parse(i)
    }
}

fn checked(got: Tally, want: Tally) -> Tally {
    assert_eq!(got, want, "decoder output changed between runs");
    got
}

fn report_case(
    report: &mut dyn FnMut(Outcome),
    case: &'static str,
    peer: &'static str,
    comparison: Comparison,
) {
    let outcome = Outcome {
        case,
        peer,
        comparison,
    };
    eprintln!("memcache: {outcome}");
    report(outcome);
}

/// Runs every case of the suite.
pub fn run(budget: &Budget, report: &mut dyn FnMut(Outcome)) {
    // Every side receives into the same buffer, so the copy into it lands on the same
    // memory for all.
    let buf = RefCell::new(BytesMut::new());
    let decoder = RefCell::new(RequestDecoder::default());
    let mut measure = |case: &'static str,
                       peer: &'static str,
                       ours: &mut dyn FnMut() -> Tally,
                       theirs: &mut dyn FnMut() -> Tally|
     -> Comparison {
        eprintln!("memcache: measuring {case} against {peer}");
        let want = theirs();
        assert_eq!(
            ours(),
            want,
            "{case}: both sides must decode the same thing"
        );
        let comparison = compare(budget, || checked(ours(), want), || checked(theirs(), want));
        report_case(report, case, peer, comparison);
        comparison
    };
    let whole = usize::MAX;
    let mut set_1k_ns = 0.0;
    for (case, wire) in [
        ("get_1key", get_1key()),
        ("get_10keys", get_10keys()),
        ("set_10b", set(10)),
        ("set_1k", set(1024)),
    ] {
        let c = measure(
            case,
            PEER_CRATE,
            &mut || {
                ours(
                    &mut decoder.borrow_mut(),
                    &mut buf.borrow_mut(),
                    &wire,
                    whole,
                )
            },
            &mut || peer_crate(&mut buf.borrow_mut(), &wire),
        );
        if case == "set_1k" {
            set_1k_ns = c.ours.median_ns;
        }
        measure(
            case,
            PEER_NOM,
            &mut || {
                ours(
                    &mut decoder.borrow_mut(),
                    &mut buf.borrow_mut(),
                    &wire,
                    whole,
                )
            },
            &mut || peer_nom(&mut buf.borrow_mut(), &wire, whole),
        );
    }
    let wire = set(1024);
    let trickled = measure(
        "set_1k_1",
        PEER_NOM,
        &mut || ours(&mut decoder.borrow_mut(), &mut buf.borrow_mut(), &wire, 1),
        &mut || peer_nom(&mut buf.borrow_mut(), &wire, 1),
    );
    eprintln!(
        "memcache: set_1k_1 / set_1k for ours: {:.1} ({} bytes fed one at a time cost {:.1} ns per byte)",
        trickled.ours.median_ns / set_1k_ns,
        wire.len(),
        trickled.ours.median_ns / wire.len() as f64
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_have_the_advertised_sizes() {
        assert_eq!(get_1key().len(), 29);
        assert_eq!(get_10keys().len(), 245);
        // "set user:profile:NNNNNNNNNN 42 3600 <len>\r\n<data>\r\n"
        assert_eq!(set(10).len(), 40 + 10 + 2);
        assert_eq!(set(1024).len(), 42 + 1024 + 2);
    }

    #[test]
    fn every_side_agrees_on_every_workload() {
        let mut buf = BytesMut::new();
        let mut decoder = RequestDecoder::default();
        for wire in [get_1key(), get_10keys(), set(10), set(1024)] {
            let want = ours(&mut decoder, &mut buf, &wire, usize::MAX);
            assert_eq!(peer_crate(&mut buf, &wire), want);
            assert_eq!(peer_nom(&mut buf, &wire, usize::MAX), want);
            assert_eq!(ours(&mut decoder, &mut buf, &wire, 1), want);
            assert_eq!(peer_nom(&mut buf, &wire, 1), want);
            assert!(want.bytes > 0);
        }
    }
}
