//! The `http` suite: HTTP/1.1 heads and chunked bodies against httparse.
//!
//! - Whole-buffer heads (`req_720`, `req_68`, `req_2k`, `resp_700`): each side receives the
//!   head into the reused receive buffer (one copy each) and decodes it: ours with a
//!   [`Driver`] over [`request_head`], the peer with `httparse::Request::parse` (or
//!   `Response::parse`) into a stack array of 100 headers.
//! - Trickled heads (`req_720_1`, `req_720_16`, `req_8k_1`): the head arrives 1 or 16 bytes
//!   at a time. Ours resumes where it stopped; the peer re-parses the growing buffer on
//!   every arrival, as a server built on a stateless parser does.
//! - Chunked bodies (`chunked_16k`, `chunked_64`): 1 MiB of data in 16 KiB or 64-byte
//!   chunks, received whole before each run, off the clock; only decoding is timed. The
//!   peer is the decoding loop a server writes around `httparse::parse_chunk_size`,
//!   checking each chunk's CRLF, which borrows each chunk's data from its buffer; ours,
//!   like for like, is [`BodyDecoder::decode_with`], which lends the data out of the
//!   buffer the same way. `chunked_16k_owned` and `chunked_64_owned` (no target) time ours
//!   handing out owned `Bytes` pieces instead.

use std::cell::RefCell;
use std::hint::black_box;

use bytes::BytesMut;
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{
    encode_chunk, encode_last_chunk, request_head, response_head, BodyDecoder, BodyEvent,
    BodyLimits, Framing, HeadLimits,
};

use crate::gen::XorShift64;
use crate::measure::{compare, compare_after, Comparison};
use crate::{Budget, Outcome, Tally};

/// The peer's name in `RESULT` lines.
pub const PEER: &str = "httparse";

/// A short GET: request line, Host, User-Agent and Accept (68 bytes).
pub fn req_68() -> Vec<u8> {
    b"GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl\r\nAccept: */*\r\n\r\n".to_vec()
}

/// A browser-like GET of about 720 bytes.
pub fn req_720() -> Vec<u8> {
    let head = "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral\r\n\
\r\n";
    head.as_bytes().to_vec()
}

/// A GET with 40 header fields, about 2 KB.
pub fn req_2k() -> Vec<u8> {
    let mut head =
        b"GET /api/v2/items?page=3&sort=desc HTTP/1.1\r\nHost: api.example.com\r\n".to_vec();
    let mut rng = XorShift64::new(0x2b2b_2b2b);
    for i in 1..40 {
        head.extend_from_slice(format!("X-Field-{i:02}: ").as_bytes());
        for _ in 0..(30 + rng.range(0, 12)) {
            head.push(b'a' + (rng.next_u64() % 26) as u8);
        }
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// A response head of about 700 bytes.
pub fn resp_700() -> Vec<u8> {
    let head = "HTTP/1.1 200 OK\r\n\
Date: Sun, 22 Nov 2026 19:22:01 GMT\r\n\
Server: Apache/2.4.57 (Debian)\r\n\
Last-Modified: Sat, 21 Nov 2026 11:02:49 GMT\r\n\
ETag: \"3f80f-1b6-3e1cb03b\"\r\n\
Accept-Ranges: bytes\r\n\
Content-Length: 438\r\n\
Cache-Control: public, max-age=3600, stale-while-revalidate=60\r\n\
Vary: Accept-Encoding, Origin\r\n\
Content-Type: text/html; charset=UTF-8\r\n\
Strict-Transport-Security: max-age=63072000; includeSubDomains; preload\r\n\
X-Content-Type-Options: nosniff\r\n\
X-Frame-Options: SAMEORIGIN\r\n\
Referrer-Policy: strict-origin-when-cross-origin\r\n\
Content-Security-Policy: default-src 'self'; img-src 'self' data: https:; script-src 'self'\r\n\
Set-Cookie: session=0123456789abcdef0123456789abcdef; Path=/; HttpOnly; Secure; SameSite=Lax\r\n\
Connection: keep-alive\r\n\
\r\n";
    head.as_bytes().to_vec()
}

/// A GET whose head is about 8 KB: 67 fields of about 120 bytes.
pub fn req_8k() -> Vec<u8> {
    let mut head = b"GET /big HTTP/1.1\r\nHost: example.com\r\n".to_vec();
    let mut rng = XorShift64::new(0x8888);
    for i in 0..66 {
        head.extend_from_slice(format!("X-Large-Header-{i:02}: ").as_bytes());
        for _ in 0..100 {
            head.push(b'a' + (rng.next_u64() % 26) as u8);
        }
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// Ours: receive `head` into `buf` `piece` bytes at a time, decoding after each arrival.
/// Returns the number of fields and the head's length.
pub fn request_ours(buf: &mut BytesMut, head: &[u8], piece: usize) -> Tally {
    buf.clear();
    let mut driver = Driver::new(|| request_head(HeadLimits::default()));
    for chunk in head.chunks(piece) {
        buf.extend_from_slice(chunk);
        if let Some(h) = driver.decode(buf).expect("valid head") {
            let tally = Tally {
                items: h.fields().len(),
                bytes: h.raw().len(),
            };
            black_box(h);
            return tally;
        }
    }
    panic!("incomplete head")
}

/// The peer: receive `head` into `buf` `piece` bytes at a time and parse the whole buffer
/// after each arrival.
pub fn request_peer(buf: &mut BytesMut, head: &[u8], piece: usize) -> Tally {
    buf.clear();
    for chunk in head.chunks(piece) {
        buf.extend_from_slice(chunk);
        let mut fields = [httparse::EMPTY_HEADER; 100];
        let mut req = httparse::Request::new(&mut fields);
        if let httparse::Status::Complete(len) = req.parse(buf).expect("valid head") {
            let tally = Tally {
                items: req.headers.len(),
                bytes: len,
            };
            black_box(&req);
            return tally;
        }
    }
    panic!("incomplete head")
}

/// Ours, for a response head received whole.
pub fn response_ours(buf: &mut BytesMut, head: &[u8]) -> Tally {
    let mut driver = Driver::new(|| response_head(HeadLimits::default()));
    buf.clear();
    buf.extend_from_slice(head);
    let h = driver
        .decode(buf)
        .expect("valid head")
        .expect("complete head");
    let tally = Tally {
        items: h.fields().len(),
        bytes: h.raw().len(),
    };
    black_box(h);
    tally
}

/// The peer, for a response head received whole.
pub fn response_peer(buf: &mut BytesMut, head: &[u8]) -> Tally {
    buf.clear();
    buf.extend_from_slice(head);
    let mut fields = [httparse::EMPTY_HEADER; 100];
    let mut res = httparse::Response::new(&mut fields);
    let httparse::Status::Complete(len) = res.parse(buf).expect("valid head") else {
        panic!("incomplete head")
    };
    let tally = Tally {
        items: res.headers.len(),
        bytes: len,
    };
    black_box(&res);
    tally
}

/// 1 MiB of data encoded in `chunk`-byte chunks, then the last chunk.
pub fn chunked_body(chunk: usize) -> Vec<u8> {
    let mut rng = XorShift64::new(0xc4c4);
    let mut data = Vec::new();
    rng.fill(&mut data, 1 << 20);
    let mut wire = BytesMut::new();
    for piece in data.chunks(chunk) {
        encode_chunk(&mut wire, piece);
    }
    encode_last_chunk(&mut wire, []).expect("no trailers");
    wire.to_vec()
}

/// The limits both of ours use: the defaults, with room for the 1 MiB body.
fn body_limits() -> BodyLimits {
    BodyLimits {
        max_body: 2 << 20,
        ..BodyLimits::default()
    }
}

/// Receives `bytes` into `buf`, emptied first: the untimed setup of the chunked cases.
pub fn receive(buf: &mut BytesMut, bytes: &[u8]) {
    buf.clear();
    buf.extend_from_slice(bytes);
}

/// Ours, like for like with the peer: [`BodyDecoder::decode_with`] over a body received
/// whole into `buf`, lending each chunk's data out of the buffer. Counts the body (one
/// item) and its data bytes; the tests check both sides decode the same data.
pub fn chunked_ours(buf: &mut BytesMut) -> Tally {
    chunked_ours_with(buf, |_| {})
}

fn chunked_ours_with(buf: &mut BytesMut, mut each: impl FnMut(&[u8])) -> Tally {
    let mut decoder = BodyDecoder::new(Framing::Chunked, body_limits(), 0);
    let mut tally = Tally { items: 1, bytes: 0 };
    let trailers = decoder
        .decode_with(buf, |data| {
            tally.bytes += data.len();
            each(data);
            black_box(data);
        })
        .expect("valid body")
        .expect("complete body");
    black_box(trailers);
    tally
}

/// Ours with owned data: [`BodyDecoder::decode`]'s events over the body received whole,
/// 16 KiB chunks split off as `Bytes` (a reference count each), 64-byte ones gathered by
/// copying into pieces of up to 64 KiB.
pub fn chunked_ours_owned(buf: &mut BytesMut) -> Tally {
    chunked_ours_owned_with(buf, |_| {})
}

fn chunked_ours_owned_with(buf: &mut BytesMut, mut each: impl FnMut(&[u8])) -> Tally {
    let mut decoder = BodyDecoder::new(Framing::Chunked, body_limits(), 0);
    let mut tally = Tally { items: 1, bytes: 0 };
    loop {
        match decoder.decode(buf).expect("valid body") {
            Some(BodyEvent::Data(piece)) => {
                tally.bytes += piece.len();
                each(&piece);
                black_box(piece);
            }
            Some(BodyEvent::End(trailers)) => {
                black_box(trailers);
                return tally;
            }
            None => panic!("incomplete body"),
        }
    }
}

/// The peer: the loop around `httparse::parse_chunk_size`, with the CRLF after each chunk
/// checked and the empty trailer section required, over a body received whole into `buf`.
pub fn chunked_peer(buf: &mut BytesMut) -> Tally {
    chunked_peer_with(buf, |_| {})
}

fn chunked_peer_with(buf: &mut BytesMut, mut each: impl FnMut(&[u8])) -> Tally {
    let mut tally = Tally { items: 1, bytes: 0 };
    let mut at = 0;
    loop {
        let httparse::Status::Complete((used, size)) =
            httparse::parse_chunk_size(&buf[at..]).expect("valid chunk size")
        else {
            panic!("incomplete chunk size")
        };
        at += used;
        if size == 0 {
            assert_eq!(&buf[at..at + 2], b"\r\n", "no trailers");
            return tally;
        }
        let size = size as usize;
        let piece = &buf[at..at + size];
        tally.bytes += piece.len();
        each(piece);
        black_box(piece);
        at += size;
        assert_eq!(&buf[at..at + 2], b"\r\n", "chunk data ends in CRLF");
        at += 2;
    }
}

fn checked(got: Tally, want: Tally) -> Tally {
    assert_eq!(got, want, "decoder output changed between runs");
    got
}

fn report_case(report: &mut dyn FnMut(Outcome), case: &'static str, comparison: Comparison) {
    let outcome = Outcome {
        case,
        peer: PEER,
        comparison,
    };
    eprintln!("http: {outcome}");
    report(outcome);
}

/// Runs every case of the suite.
pub fn run(budget: &Budget, report: &mut dyn FnMut(Outcome)) {
    // Both sides receive into the same buffer, so the copy into it lands on the same
    // memory for both.
    let buf = RefCell::new(BytesMut::new());
    let mut measure =
        |case: &'static str, ours: &mut dyn FnMut() -> Tally, peer: &mut dyn FnMut() -> Tally| {
            eprintln!("http: measuring {case}");
            let want = peer();
            assert_eq!(
                ours(),
                want,
                "{case}: both sides must decode the same thing"
            );
            let comparison = compare(budget, || checked(ours(), want), || checked(peer(), want));
            report_case(report, case, comparison);
        };
    for (case, head, piece) in [
        ("req_720", req_720(), usize::MAX),
        ("req_68", req_68(), usize::MAX),
        ("req_2k", req_2k(), usize::MAX),
        ("req_720_1", req_720(), 1),
        ("req_720_16", req_720(), 16),
        ("req_8k_1", req_8k(), 1),
    ] {
        measure(
            case,
            &mut || request_ours(&mut buf.borrow_mut(), &head, piece),
            &mut || request_peer(&mut buf.borrow_mut(), &head, piece),
        );
    }
    let head = resp_700();
    measure(
        "resp_700",
        &mut || response_ours(&mut buf.borrow_mut(), &head),
        &mut || response_peer(&mut buf.borrow_mut(), &head),
    );
    // A chunked body is 1 MiB: copying it into the receive buffer would be about 95% of
    // either side's time, so it is received before each run, off the clock, and only
    // the decoding is timed.
    type Decode = fn(&mut BytesMut) -> Tally;
    let mut measure_decode = |case: &'static str, body: &[u8], ours: Decode, peer: Decode| {
        eprintln!("http: measuring {case}");
        let mut buf = buf.borrow_mut();
        receive(&mut buf, body);
        let want = peer(&mut buf);
        receive(&mut buf, body);
        assert_eq!(
            ours(&mut buf),
            want,
            "{case}: both sides must decode the same thing"
        );
        let buf = RefCell::new(buf);
        let comparison = compare_after(
            budget,
            (
                || receive(&mut buf.borrow_mut(), body),
                || checked(ours(&mut buf.borrow_mut()), want),
            ),
            (
                || receive(&mut buf.borrow_mut(), body),
                || checked(peer(&mut buf.borrow_mut()), want),
            ),
        );
        report_case(report, case, comparison);
    };
    for (case, owned_case, chunk) in [
        ("chunked_16k", "chunked_16k_owned", 16 * 1024),
        ("chunked_64", "chunked_64_owned", 64),
    ] {
        let body = chunked_body(chunk);
        measure_decode(case, &body, chunked_ours, chunked_peer);
        measure_decode(owned_case, &body, chunked_ours_owned, chunked_peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_have_the_advertised_sizes() {
        assert_eq!(req_68().len(), 68);
        assert!((700..760).contains(&req_720().len()), "{}", req_720().len());
        assert!((1900..2300).contains(&req_2k().len()), "{}", req_2k().len());
        assert!(
            (650..760).contains(&resp_700().len()),
            "{}",
            resp_700().len()
        );
        assert!((8000..8600).contains(&req_8k().len()), "{}", req_8k().len());
    }

    #[test]
    fn both_sides_agree_on_every_workload() {
        let (mut a, mut b) = (BytesMut::new(), BytesMut::new());
        for head in [req_68(), req_720(), req_2k(), req_8k()] {
            for piece in [usize::MAX, 16, 1] {
                assert_eq!(
                    request_ours(&mut a, &head, piece),
                    request_peer(&mut b, &head, piece)
                );
            }
        }
        assert_eq!(
            response_ours(&mut a, &resp_700()),
            response_peer(&mut b, &resp_700())
        );
        for chunk in [16 * 1024, 64] {
            let body = chunked_body(chunk);
            let (mut ours, mut peer) = (Vec::new(), Vec::new());
            let mut owned = Vec::new();
            receive(&mut a, &body);
            let t = chunked_ours_with(&mut a, |p| ours.extend_from_slice(p));
            receive(&mut b, &body);
            assert_eq!(t, chunked_peer_with(&mut b, |p| peer.extend_from_slice(p)));
            receive(&mut a, &body);
            let t_owned = chunked_ours_owned_with(&mut a, |p| owned.extend_from_slice(p));
            assert_eq!(t, t_owned);
            assert_eq!(t.bytes, 1 << 20);
            assert!(
                ours == peer && owned == peer,
                "every side decodes the same data"
            );
        }
    }
}
