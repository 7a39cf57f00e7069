//! The `core` suite: the decoder's basic framings against `tokio_util`'s codecs, and a
//! step chain against the same decoder written by hand.
//!
//! | case          | ours                                      | peer                           |
//! |---------------|-------------------------------------------|--------------------------------|
//! | `lines_whole` | `Driver::new(read_line)`, input whole     | `LinesCodec`, input whole      |
//! | `lines_64`    | same, 64-byte pieces                      | same, 64-byte pieces           |
//! | `lines_1`     | same, one byte at a time                  | same, one byte at a time       |
//! | `blob`        | [`blob_decoder`]: `"<len>\n" <bytes>`     | `LengthDelimitedCodec`         |
//! | `chain`       | [`record_decoder`], five chained steps    | [`HandRecordDecoder`], an enum |
//! | `chain_64`    | same, 64-byte pieces                      | same, 64-byte pieces           |
//!
//! Every workload is about [`INPUT_BYTES`] of deterministic pseudo-random messages. Both
//! sides of a case are run by [`drive`] over the same bytes (for `blob`, the same payloads
//! in each codec's own framing) and must decode the same messages: the runner compares
//! the outputs in full before timing, and every timed run checks its [`Tally`].

use std::mem;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use nagrel_decoder::encode::put_decimal;
use nagrel_decoder::{
    expect, read_bytes, read_decimal, read_line, read_u16_be, read_u32_le, read_u8, DecodeError,
    Driver, ErrorKind, Step, StepExt,
};
use tokio_util::codec::{Decoder, Encoder, LengthDelimitedCodec, LinesCodec};

use crate::drive::{collect, drive, Tally, WHOLE};
use crate::gen::XorShift64;
use crate::measure::{compare, Budget};
use crate::report::Outcome;

/// Approximate size of every workload: 1 MiB.
pub const INPUT_BYTES: usize = 1 << 20;

/// The piece size of the fragmented cases.
pub const PIECE: usize = 64;

const LINES_SEED: u64 = 0x6C69_6E65_735F_7365;
const BLOB_SEED: u64 = 0x626C_6F62_5F73_6565;
const CHAIN_SEED: u64 = 0x6368_6169_6E5F_7365;

/// Panics unless a timed run decoded what the workload holds; returns the tally.
#[inline]
fn checked(got: Tally, want: Tally) -> Tally {
    assert_eq!(got, want, "decoder output changed between runs");
    got
}

// ---------------------------------------------------------------------------------------
// lines_*

/// About [`INPUT_BYTES`] of lines of 0 to 199 printable ASCII bytes; one line in four
/// ends in CRLF, the others in LF.
pub fn lines_input() -> Vec<u8> {
    let mut rng = XorShift64::new(LINES_SEED);
    let mut out = Vec::with_capacity(INPUT_BYTES + 256);
    while out.len() < INPUT_BYTES {
        let len = rng.range(0, 199) as usize;
        out.extend((0..len).map(|_| rng.printable()));
        if rng.range(0, 3) == 0 {
            out.push(b'\r');
        }
        out.push(b'\n');
    }
    out
}

/// Our side of `lines_*`: `Driver::new(read_line)` fed `piece` bytes at a time.
pub fn lines_ours(input: &[u8], piece: usize) -> Tally {
    let mut driver = Driver::new(read_line);
    drive(
        input,
        piece,
        |buf| driver.decode(buf).expect("valid lines"),
        |line| line.len(),
    )
}

/// The peer side of `lines_*`: `tokio_util::codec::LinesCodec` fed `piece` bytes at a
/// time.
pub fn lines_peer(input: &[u8], piece: usize) -> Tally {
    let mut codec = LinesCodec::new();
    drive(
        input,
        piece,
        |buf| codec.decode(buf).expect("valid lines"),
        |line| line.len(),
    )
}

/// Checks that both sides decode exactly the same lines from `input` in `piece`-byte
/// pieces, and returns their tally.
pub fn check_lines(input: &[u8], piece: usize) -> Tally {
    let mut driver = Driver::new(read_line);
    let ours = collect(input, piece, |buf| driver.decode(buf).expect("valid lines"));
    let mut codec = LinesCodec::new();
    let peer = collect(input, piece, |buf| codec.decode(buf).expect("valid lines"));
    assert_eq!(ours.len(), peer.len(), "line counts differ");
    for (a, b) in ours.iter().zip(&peer) {
        assert_eq!(&a[..], b.as_bytes(), "lines differ");
    }
    let bytes = ours.iter().map(|l| l.len()).sum();
    let tally = Tally {
        items: ours.len(),
        bytes,
    };
    assert_eq!(lines_ours(input, piece), tally);
    assert_eq!(lines_peer(input, piece), tally);
    tally
}

// ---------------------------------------------------------------------------------------
// blob

/// The same payloads framed for each side of `blob`.
#[derive(Debug, Clone)]
pub struct BlobInputs {
    /// `"<decimal length>\n" <payload>`, payload after payload.
    pub ours: Vec<u8>,
    /// `LengthDelimitedCodec`'s framing: a 4-byte big-endian length, then the payload.
    pub peer: Vec<u8>,
    /// How many payloads, and their total size.
    pub expected: Tally,
}

/// About [`INPUT_BYTES`] of payloads of 1 to 4096 arbitrary bytes, each framed by each
/// side's own encoder (`put_decimal` for ours, `LengthDelimitedCodec::encode` for the
/// peer).
pub fn blob_inputs() -> BlobInputs {
    let mut rng = XorShift64::new(BLOB_SEED);
    let mut ours = BytesMut::new();
    let mut peer = BytesMut::new();
    let mut codec = LengthDelimitedCodec::new();
    let mut expected = Tally::default();
    let mut payload = Vec::new();
    while expected.bytes < INPUT_BYTES {
        let n = rng.range(1, 4096) as usize;
        payload.clear();
        rng.fill(&mut payload, n);
        put_decimal(&mut ours, n as u64);
        ours.put_u8(b'\n');
        ours.put_slice(&payload);
        codec
            .encode(Bytes::copy_from_slice(&payload), &mut peer)
            .expect("payload fits the default frame limit");
        expected.items += 1;
        expected.bytes += n;
    }
    BlobInputs {
        ours: ours.to_vec(),
        peer: peer.to_vec(),
        expected,
    }
}

/// A decimal length line, then that many bytes: the crate's own doc example.
pub fn blob_decoder() -> impl Step<Output = Bytes> + Send {
    read_decimal().then_ignore(expect(b"\n")).then(read_bytes)
}

/// Our side of `blob`: `Driver::new(blob_decoder)`.
pub fn blob_ours(input: &[u8], piece: usize) -> Tally {
    let mut driver = Driver::new(blob_decoder);
    drive(
        input,
        piece,
        |buf| driver.decode(buf).expect("valid blobs"),
        |blob| blob.len(),
    )
}

/// The peer side of `blob`: `tokio_util::codec::LengthDelimitedCodec::new()`.
pub fn blob_peer(input: &[u8], piece: usize) -> Tally {
    let mut codec = LengthDelimitedCodec::new();
    drive(
        input,
        piece,
        |buf| codec.decode(buf).expect("valid frames"),
        |blob| blob.len(),
    )
}

/// Checks that both sides decode exactly the same payloads in `piece`-byte pieces.
pub fn check_blob(inputs: &BlobInputs, piece: usize) {
    let mut driver = Driver::new(blob_decoder);
    let ours = collect(&inputs.ours, piece, |buf| {
        driver.decode(buf).expect("valid blobs")
    });
    let mut codec = LengthDelimitedCodec::new();
    let peer = collect(&inputs.peer, piece, |buf| {
        codec.decode(buf).expect("valid frames")
    });
    assert_eq!(ours.len(), peer.len(), "payload counts differ");
    for (a, b) in ours.iter().zip(&peer) {
        assert_eq!(&a[..], &b[..], "payloads differ");
    }
    assert_eq!(blob_ours(&inputs.ours, piece), inputs.expected);
    assert_eq!(blob_peer(&inputs.peer, piece), inputs.expected);
}

// ---------------------------------------------------------------------------------------
// chain

/// The binary record of `chain`: `tag:u8 len:u16be payload[len] checksum:u32le '\n'`.
///
/// The checksum is carried, not verified, by both decoders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record type.
    pub tag: u8,
    /// The payload, split off the receive buffer without copying.
    pub payload: Bytes,
    /// The trailing checksum field.
    pub checksum: u32,
}

/// About [`INPUT_BYTES`] of records with payloads of 0 to 255 bytes, and their tally
/// (records, payload bytes).
pub fn chain_input() -> (Vec<u8>, Tally) {
    let mut rng = XorShift64::new(CHAIN_SEED);
    let mut out = Vec::with_capacity(INPUT_BYTES + 512);
    let mut tally = Tally::default();
    while out.len() < INPUT_BYTES {
        let len = rng.range(0, 255) as usize;
        out.push(rng.byte());
        out.extend_from_slice(&(len as u16).to_be_bytes());
        rng.fill(&mut out, len);
        out.extend_from_slice(&(rng.next_u64() as u32).to_le_bytes());
        out.push(b'\n');
        tally.items += 1;
        tally.bytes += len;
    }
    (out, tally)
}

/// The record as a chain of five steps: `read_u8` -> `read_u16_be` -> `read_bytes` ->
/// `read_u32_le` -> `expect(b"\n")`.
pub fn record_decoder() -> impl Step<Output = Record> + Send {
    read_u8().then(|tag| {
        read_u16_be().then(move |len| {
            read_bytes(u64::from(len)).then(move |payload| {
                read_u32_le()
                    .then_ignore(expect(b"\n"))
                    .map(move |checksum| Record {
                        tag,
                        payload,
                        checksum,
                    })
            })
        })
    })
}

/// Where [`HandRecordDecoder`] is in the current record.
#[derive(Debug)]
enum State {
    Tag,
    Len {
        tag: u8,
    },
    Payload {
        tag: u8,
        len: usize,
    },
    Checksum {
        tag: u8,
        payload: Bytes,
    },
    Term {
        tag: u8,
        payload: Bytes,
        checksum: u32,
    },
}

/// The record decoder of `chain` written by hand as an enum state machine: the same
/// resumability, the same zero-copy payload (`split_to(..).freeze()`), the same
/// terminator check and the same error (kind and absolute offset) as [`record_decoder`]
/// under a [`Driver`].
#[derive(Debug)]
pub struct HandRecordDecoder {
    state: State,
    offset: u64,
}

impl Default for HandRecordDecoder {
    fn default() -> Self {
        HandRecordDecoder::new()
    }
}

impl HandRecordDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        HandRecordDecoder {
            state: State::Tag,
            offset: 0,
        }
    }

    /// Decodes the next record from the front of `buf`; `Ok(None)` means more bytes are
    /// needed.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Record>, DecodeError> {
        loop {
            self.state = match mem::replace(&mut self.state, State::Tag) {
                State::Tag => {
                    if buf.is_empty() {
                        return Ok(None);
                    }
                    let tag = buf.get_u8();
                    self.offset += 1;
                    State::Len { tag }
                }
                State::Len { tag } => {
                    if buf.len() < 2 {
                        self.state = State::Len { tag };
                        return Ok(None);
                    }
                    let len = usize::from(buf.get_u16());
                    self.offset += 2;
                    State::Payload { tag, len }
                }
                State::Payload { tag, len } => {
                    if buf.len() < len {
                        buf.reserve(len - buf.len());
                        self.state = State::Payload { tag, len };
                        return Ok(None);
                    }
                    let payload = buf.split_to(len).freeze();
                    self.offset += len as u64;
                    State::Checksum { tag, payload }
                }
                State::Checksum { tag, payload } => {
                    if buf.len() < 4 {
                        self.state = State::Checksum { tag, payload };
                        return Ok(None);
                    }
                    let checksum = buf.get_u32_le();
                    self.offset += 4;
                    State::Term {
                        tag,
                        payload,
                        checksum,
                    }
                }
                State::Term {
                    tag,
                    payload,
                    checksum,
                } => {
                    let Some(&found) = buf.first() else {
                        self.state = State::Term {
                            tag,
                            payload,
                            checksum,
                        };
                        return Ok(None);
                    };
                    if found != b'\n' {
                        let kind = ErrorKind::Mismatch {
                            expected: b'\n',
                            found,
                        };
                        self.state = State::Term {
                            tag,
                            payload,
                            checksum,
                        };
                        return Err(DecodeError::new(kind, self.offset));
                    }
                    buf.advance(1);
                    self.offset += 1;
                    return Ok(Some(Record {
                        tag,
                        payload,
                        checksum,
                    }));
                }
            };
        }
    }
}

/// Our side of `chain`: `Driver::new(record_decoder)`.
pub fn chain_ours(input: &[u8], piece: usize) -> Tally {
    let mut driver = Driver::new(record_decoder);
    drive(
        input,
        piece,
        |buf| driver.decode(buf).expect("valid records"),
        |r| r.payload.len(),
    )
}

/// The peer side of `chain`: [`HandRecordDecoder`].
pub fn chain_peer(input: &[u8], piece: usize) -> Tally {
    let mut decoder = HandRecordDecoder::new();
    drive(
        input,
        piece,
        |buf| decoder.decode(buf).expect("valid records"),
        |r| r.payload.len(),
    )
}

/// Checks that both sides decode exactly the same records in `piece`-byte pieces.
pub fn check_chain(input: &[u8], expected: Tally, piece: usize) {
    let mut driver = Driver::new(record_decoder);
    let ours = collect(input, piece, |buf| {
        driver.decode(buf).expect("valid records")
    });
    let mut hand = HandRecordDecoder::new();
    let peer = collect(input, piece, |buf| hand.decode(buf).expect("valid records"));
    assert!(ours == peer, "records differ");
    assert_eq!(chain_ours(input, piece), expected);
    assert_eq!(chain_peer(input, piece), expected);
}

// ---------------------------------------------------------------------------------------
// the suite

/// Peer name of the `lines_*` cases.
pub const LINES_PEER: &str = "tokio-util-LinesCodec";
/// Peer name of the `blob` case.
pub const BLOB_PEER: &str = "tokio-util-LengthDelimitedCodec";
/// Peer name of the `chain` cases.
pub const CHAIN_PEER: &str = "hand-written-enum";

/// Runs every case of the suite, verifying outputs first, and reports each comparison.
pub fn run(budget: &Budget, report: &mut dyn FnMut(Outcome)) {
    eprintln!("core: generating workloads");
    let lines = lines_input();
    let blobs = blob_inputs();
    let (chain, chain_expected) = chain_input();

    let mut measure = |case: &'static str,
                       peer: &'static str,
                       ours: &mut dyn FnMut() -> Tally,
                       theirs: &mut dyn FnMut() -> Tally| {
        eprintln!("core: measuring {case}");
        let comparison = compare(budget, ours, theirs);
        let outcome = Outcome {
            case,
            peer,
            comparison,
        };
        eprintln!("core: {outcome}");
        report(outcome);
    };

    for (case, piece) in [("lines_whole", WHOLE), ("lines_64", PIECE), ("lines_1", 1)] {
        let expected = check_lines(&lines, piece);
        measure(
            case,
            LINES_PEER,
            &mut || checked(lines_ours(&lines, piece), expected),
            &mut || checked(lines_peer(&lines, piece), expected),
        );
    }

    check_blob(&blobs, WHOLE);
    measure(
        "blob",
        BLOB_PEER,
        &mut || checked(blob_ours(&blobs.ours, WHOLE), blobs.expected),
        &mut || checked(blob_peer(&blobs.peer, WHOLE), blobs.expected),
    );

    for (case, piece) in [("chain", WHOLE), ("chain_64", PIECE)] {
        check_chain(&chain, chain_expected, piece);
        measure(
            case,
            CHAIN_PEER,
            &mut || checked(chain_ours(&chain, piece), chain_expected),
            &mut || checked(chain_peer(&chain, piece), chain_expected),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_agree_in_any_piece_size() {
        let input = &lines_input()[..20_000];
        let cut = input.iter().rposition(|&b| b == b'\n').unwrap() + 1;
        for piece in [WHOLE, 64, 7, 1] {
            let t = check_lines(&input[..cut], piece);
            assert!(t.items > 100);
        }
    }

    #[test]
    fn blobs_agree() {
        let inputs = blob_inputs();
        assert!(inputs.expected.items > 200);
        for piece in [WHOLE, 4096, 13] {
            check_blob(&inputs, piece);
        }
    }

    #[test]
    fn records_agree_in_any_piece_size() {
        let (input, expected) = chain_input();
        for piece in [WHOLE, 64, 3] {
            check_chain(&input, expected, piece);
        }
    }

    #[test]
    fn hand_decoder_reports_the_same_error() {
        let bad = [1u8, 0, 1, b'x', 1, 2, 3, 4, b'?'];
        let mut driver = Driver::new(record_decoder);
        let ours = driver.decode(&mut BytesMut::from(&bad[..])).unwrap_err();
        let mut hand = HandRecordDecoder::new();
        let theirs = hand.decode(&mut BytesMut::from(&bad[..])).unwrap_err();
        assert_eq!(ours, theirs);
        assert_eq!(ours.offset(), 8);
    }
}
