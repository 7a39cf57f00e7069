//! Never rescanning, shown by counting, not timing: a scanning step fed n bytes in any
//! fragmentation looks at each byte a bounded number of times, so the total work is O(n)
//! rather than O(n^2).

mod common;

use std::cell::Cell;
use std::rc::Rc;

use bytes::BytesMut;
use common::*;
use nagrel_decoder::*;
use proptest::prelude::*;

/// A predicate that counts its calls.
fn counting(calls: &Rc<Cell<usize>>, pred: fn(u8) -> bool) -> impl FnMut(u8) -> bool {
    let calls = calls.clone();
    move |b| {
        calls.set(calls.get() + 1);
        pred(b)
    }
}

/// Feeds `data` one byte at a time and returns all messages.
fn feed_bytewise<F, S>(make: F, data: &[u8]) -> Vec<S::Output>
where
    F: FnMut() -> S,
    S: Step,
{
    let (out, e) = bytewise(make, data);
    assert_eq!(e, None);
    out
}

#[test]
fn take_while_fed_bytewise_calls_its_predicate_once_per_byte() {
    let n = 10_000;
    let calls = Rc::new(Cell::new(0));
    let mut data = vec![b'a'; n];
    data.push(b';');
    let c = calls.clone();
    let out = feed_bytewise(
        move || {
            take_while(counting(&c, |b| b == b'a'))
                .max_len(n)
                .then_ignore(expect(b";"))
        },
        &data,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].len(), n);
    // n bytes of the run plus the stop byte; a rescan would cost about n^2 / 2.
    assert!(
        calls.get() <= n + 2,
        "{} predicate calls for {n} bytes",
        calls.get()
    );
    assert!(calls.get() > n, "the predicate must see every byte");
}

#[test]
fn take_until_fed_bytewise_calls_its_predicate_once_per_byte() {
    let n = 10_000;
    let calls = Rc::new(Cell::new(0));
    let mut data = vec![b'x'; n];
    data.push(b'\n');
    let c = calls.clone();
    let out = feed_bytewise(
        move || {
            take_until(counting(&c, |b| b == b'\n'))
                .max_len(n)
                .then_ignore(expect(b"\n"))
        },
        &data,
    );
    assert_eq!(out[0].len(), n);
    assert!(
        calls.get() <= n + 2,
        "{} predicate calls for {n} bytes",
        calls.get()
    );
}

#[test]
fn scanning_inside_combinators_and_limits_does_not_rescan() {
    // The scan position survives being nested in a sequence and a cap.
    let n = 5_000;
    let calls = Rc::new(Cell::new(0));
    let mut data = vec![b'#'];
    data.resize(1 + n, b'7');
    data.push(b'.');
    let c = calls.clone();
    let out = feed_bytewise(
        move || {
            expect(b"#")
                .ignore_then(take_while(counting(&c, |b| b.is_ascii_digit())).max_len(n))
                .then_ignore(expect(b"."))
                .limit(n + 2)
        },
        &data,
    );
    assert_eq!(out[0].len(), n);
    assert!(
        calls.get() <= n + 2,
        "{} predicate calls for {n} bytes",
        calls.get()
    );
}

#[test]
fn many_messages_bytewise_cost_linear_total() {
    // 1000 messages of 10 digits each: about 11 calls per message, not 11^2 / 2.
    let calls = Rc::new(Cell::new(0));
    let data: Vec<u8> = b"0123456789;".repeat(1000);
    let c = calls.clone();
    let out = feed_bytewise(
        move || take_while(counting(&c, |b| b.is_ascii_digit())).then_ignore(expect(b";")),
        &data,
    );
    assert_eq!(out.len(), 1000);
    assert!(calls.get() <= data.len() + 1000, "{} calls", calls.get());
}

#[test]
fn pending_scans_consume_nothing_and_keep_the_buffer_intact() {
    // The other side of "never rescanning": a pending read_line/read_until holds its
    // bytes in the caller's buffer (it copies nothing aside) and completes from there.
    let mut driver = Driver::new(|| read_until_seq(b"\r\n\r\n"));
    let mut buf = BytesMut::new();
    let head = b"GET / HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n";
    for (i, &b) in head.iter().enumerate() {
        buf.extend_from_slice(&[b]);
        let out = driver.decode(&mut buf).unwrap();
        if i + 1 < head.len() {
            assert!(out.is_none());
            assert_eq!(&buf[..], &head[..=i]);
        } else {
            assert_eq!(&out.unwrap()[..], &head[..head.len() - 4]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the fragmentation, the predicate sees each byte at most once (plus the
    /// stop byte once per message).
    #[test]
    fn predicate_calls_are_linear_in_any_fragmentation(
        runs in proptest::collection::vec(0usize..50, 1..10),
        cuts in proptest::collection::vec(0usize..500, 0..40),
    ) {
        let calls = Rc::new(Cell::new(0));
        let mut data = Vec::new();
        for &r in &runs {
            data.resize(data.len() + r, b'a');
            data.push(b';');
        }
        let c = calls.clone();
        let (out, e) = chunked(
            move || take_while(counting(&c, |b| b == b'a')).then_ignore(expect(b";")),
            &data,
            &cuts,
        );
        prop_assert_eq!(e, None);
        prop_assert_eq!(out.len(), runs.len());
        prop_assert!(calls.get() <= data.len(), "{} calls for {} bytes", calls.get(), data.len());
    }
}
