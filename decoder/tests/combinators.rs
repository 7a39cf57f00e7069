//! Every combinator: outputs, what stays in the buffer, error kinds and absolute offsets.

mod common;

use std::cell::Cell;
use std::ops::ControlFlow;
use std::rc::Rc;

use bytes::{Bytes, BytesMut};
use common::*;
use nagrel_decoder::*;

fn parse_usize(line: Bytes) -> Result<usize, ErrorKind> {
    std::str::from_utf8(&line)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(ErrorKind::Invalid("not a number"))
}

// ---------------------------------------------------------------- then

#[test]
fn then_feeds_the_output_to_the_continuation() {
    let make = || read_decimal().then_ignore(expect(b"\n")).then(read_bytes);
    let (out, e) = check_splits(make, b"5\nhello0\n3\nabc");
    assert_eq!(out, bs(&[b"hello", b"", b"abc"]));
    assert_eq!(e, None);
}

#[test]
fn then_builds_the_continuation_once_and_only_when_the_first_step_is_done() {
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    let mut driver = Driver::new(move || {
        let c = c.clone();
        read_u16_be().then(move |n| {
            c.set(c.get() + 1);
            read_bytes(n.into())
        })
    });
    let mut buf = BytesMut::from(&[0u8][..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert_eq!(calls.get(), 0);
    buf.extend_from_slice(&[3, b'a']);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert_eq!(calls.get(), 1);
    buf.extend_from_slice(b"b");
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"c");
    assert_eq!(
        driver.decode(&mut buf).unwrap().as_deref(),
        Some(&b"abc"[..])
    );
    assert_eq!(calls.get(), 1);
}

#[test]
fn then_errors_in_the_second_step_have_absolute_offsets() {
    let make = || read_u8().then(|n| expect(vec![n; 2]));
    // [1: 1 1] then [2: 2 3].
    let (out, e) = one_shot(make, &[1, 1, 1, 2, 2, 3]);
    assert_eq!(out, vec![()]);
    assert_eq!(
        e,
        Some(err(
            ErrorKind::Mismatch {
                expected: 2,
                found: 3
            },
            5
        ))
    );
}

// ---------------------------------------------------------------- map / try_map

#[test]
fn map_transforms_the_output() {
    let (out, e) = one_shot(|| read_line().map(|l| l.len()), b"abc\n\nxy\n");
    assert_eq!(out, vec![3, 0, 2]);
    assert_eq!(e, None);
}

#[test]
fn try_map_rejects_at_the_offset_where_the_value_started() {
    let make = || read_line().try_map(parse_usize);
    let (out, e) = check_splits(make, b"12\nxx\n7\n");
    assert_eq!(out, vec![12]);
    assert_eq!(e, Some(err(ErrorKind::Invalid("not a number"), 3)));
    // The start is where the inner step started, even if it consumed several pieces and a
    // prefix of the message came before it.
    let make = || {
        expect(b">")
            .ignore_then(read_u8().and(read_u8()))
            .then(|_| read_varint().try_map(|v| u8::try_from(v).map_err(|_| ErrorKind::BadNumber)))
    };
    let (out, e) = check_splits(make, &[b'>', 1, 2, 0x05, b'>', 3, 4, 0x80, 0x02]);
    assert_eq!(out, vec![5]);
    assert_eq!(e, Some(err(ErrorKind::BadNumber, 4 + 3)));
}

#[test]
fn try_map_passes_inner_errors_through_unchanged() {
    let make = || read_line().max_len(2).try_map(parse_usize);
    let (out, e) = one_shot(make, b"1\nabcd\n");
    assert_eq!(out, vec![1]);
    assert_eq!(e, Some(limit("read_line", 2, 4)));
}

// ---------------------------------------------------------------- and / then_ignore / ignore_then

#[test]
fn and_yields_both_outputs() {
    let make = || read_u8().and(read_u16_be()).and(read_line());
    let (out, e) = check_splits(make, b"\x07\x01\x02hi\n\x00\x00\x00\n");
    assert_eq!(
        out,
        vec![
            ((7, 0x0102), Bytes::from_static(b"hi")),
            ((0, 0), Bytes::new())
        ]
    );
    assert_eq!(e, None);
}

#[test]
fn then_ignore_and_ignore_then_keep_one_side_but_consume_both() {
    let (res, rest) = decode_once(|| read_u8().then_ignore(expect(b"!")), b"a!b");
    assert_eq!(res.unwrap(), Some(b'a'));
    assert_eq!(rest, b"b");
    let (res, rest) = decode_once(|| expect(b"!").ignore_then(read_u8()), b"!ab");
    assert_eq!(res.unwrap(), Some(b'a'));
    assert_eq!(rest, b"b");
    // The ignored side still fails the message.
    let (out, e) = one_shot(|| read_u8().then_ignore(expect(b"!")), b"a!b?");
    assert_eq!(out, vec![b'a']);
    assert_eq!(
        e,
        Some(err(
            ErrorKind::Mismatch {
                expected: b'!',
                found: b'?'
            },
            3
        ))
    );
    let (out, e) = one_shot(|| expect(b"!").ignore_then(read_u8()), b"!a?b");
    assert_eq!(out, vec![b'a']);
    assert_eq!(
        e,
        Some(err(
            ErrorKind::Mismatch {
                expected: b'!',
                found: b'?'
            },
            2
        ))
    );
}

// ---------------------------------------------------------------- limit

#[test]
fn limit_window_end_counts_as_end_of_input() {
    let make = || read_line().and(read_to_end()).limit(6);
    let (res, rest) = decode_once(make, b"ab\ncdeNEXT");
    let (line, tail) = res.unwrap().unwrap();
    assert_eq!((&line[..], &tail[..]), (&b"ab"[..], &b"cde"[..]));
    assert_eq!(rest, b"NEXT");
    let (out, e) = check_splits(make, b"ab\ncdex\nyzw");
    assert_eq!(
        out,
        vec![
            (Bytes::from_static(b"ab"), Bytes::from_static(b"cde")),
            (Bytes::from_static(b"x"), Bytes::from_static(b"yzw")),
        ]
    );
    assert_eq!(e, None);
}

#[test]
fn limit_fails_where_the_cap_ends_without_waiting() {
    let make = || read_line().limit(4);
    let (out, e) = one_shot(make, b"ab\nabcdef\n");
    assert_eq!(out, bs(&[b"ab"]));
    assert_eq!(e, Some(limit("limit", 4, 3 + 4)));
    // The fourth byte is enough to know: no LF yet, and no end-of-stream needed.
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::from(&b"abc"[..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"d");
    assert_eq!(driver.decode(&mut buf).unwrap_err(), limit("limit", 4, 4));
    // The terminator counts against the cap.
    let (out, e) = one_shot(make, b"abc\nab\r\nabc\r\n");
    assert_eq!(out, bs(&[b"abc", b"ab"]));
    assert_eq!(e, Some(limit("limit", 4, 8 + 4)));
}

#[test]
fn limit_on_counted_steps() {
    // read_bytes asking for more than the cap fails once the cap is buffered.
    let mut driver = Driver::new(|| read_bytes(5).limit(3));
    let mut buf = BytesMut::from(&b"ab"[..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"c");
    assert_eq!(driver.decode(&mut buf).unwrap_err(), limit("limit", 3, 3));
    // skip discards up to the cap, then fails there.
    let (out, e) = one_shot(|| skip(10).limit(4), &[0; 20]);
    assert!(out.is_empty());
    assert_eq!(e, Some(limit("limit", 4, 4)));
    // A sequence whose second step runs out of room.
    let (out, e) = one_shot(|| read_u8().and(read_u8()).limit(1), &[1, 2]);
    assert!(out.is_empty());
    assert_eq!(e, Some(limit("limit", 1, 1)));
    // limit(0) allows nothing.
    let (out, e) = one_shot(|| read_u8().limit(0), &[1]);
    assert!(out.is_empty());
    assert_eq!(e, Some(limit("limit", 0, 0)));
}

#[test]
fn limit_leaves_bytes_beyond_a_finished_step() {
    let (res, rest) = decode_once(|| read_u8().limit(4), &[1, 2, 3]);
    assert_eq!(res.unwrap(), Some(1));
    assert_eq!(rest, [2, 3]);
}

#[test]
fn limit_stops_open_ended_steps_at_the_cap() {
    // take_while and read_decimal treat the cap like the end of input.
    let (res, rest) = decode_once(|| take_while(|b: u8| b == b'a').limit(3), b"aaaaa");
    assert_eq!(res.unwrap().as_deref(), Some(&b"aaa"[..]));
    assert_eq!(rest, b"aa");
    let (out, e) = check_splits(|| read_decimal().limit(3), b"12345");
    assert_eq!(out, vec![123, 45]);
    assert_eq!(e, None);
}

#[test]
fn nested_limits_the_tighter_cap_wins() {
    let (res, _) = decode_once(|| read_line().limit(10).limit(4), b"abcdefgh\n");
    assert_eq!(res.unwrap_err(), limit("limit", 4, 4));
    let (res, _) = decode_once(|| read_line().limit(2).limit(10), b"abcdefgh\n");
    assert_eq!(res.unwrap_err(), limit("limit", 2, 2));
    // The inner cap starts where the inner step starts.
    let make = || read_u8().and(read_line().limit(3)).limit(5);
    let (out, e) = one_shot(make, b"Xab\nYabc\n");
    assert_eq!(out, vec![(b'X', Bytes::from_static(b"ab"))]);
    assert_eq!(e, Some(limit("limit", 3, 4 + 1 + 3)));
}

#[test]
fn limit_also_reports_plain_eof_inside_the_cap() {
    let (res, _) = decode_eof_once(|| read_line().limit(10), b"abc");
    assert_eq!(res.unwrap_err(), eof(3));
}

// ---------------------------------------------------------------- boxed

#[test]
fn boxed_allows_recursion() {
    fn tree(depth: usize) -> BoxedStep<'static, usize> {
        read_u8()
            .try_map(move |n| {
                if n > 0 && depth == 0 {
                    Err(ErrorKind::Invalid("tree too deep"))
                } else {
                    Ok(n)
                }
            })
            .then(move |n| repeat(n as usize, move || tree(depth.saturating_sub(1))))
            .map(|children| 1 + children.iter().sum::<usize>())
            .boxed()
    }
    let (out, e) = check_splits(|| tree(2), &[2, 0, 1, 0, 0, 1, 1, 1]);
    assert_eq!(out, vec![4, 1]);
    // The third level of nesting is refused where its count byte is.
    assert_eq!(e, Some(err(ErrorKind::Invalid("tree too deep"), 7)));
}

#[test]
fn boxed_unifies_branches_of_different_types() {
    let make = || {
        read_u8().then(|tag| -> BoxedStep<'static, u32> {
            if tag == 0 {
                read_u8().map(u32::from).boxed()
            } else {
                read_u32_be().boxed()
            }
        })
    };
    let (out, e) = check_splits(make, &[0, 9, 1, 0, 0, 1, 0]);
    assert_eq!(out, vec![9, 256]);
    assert_eq!(e, None);
}

#[test]
fn steps_behind_box_and_mut_references_are_steps() {
    let (out, _) = one_shot(|| Box::new(read_u8()), &[1, 2]);
    assert_eq!(out, vec![1, 2]);
    fn resume_once<S: Step>(mut step: S, buf: &mut BytesMut) -> Status<S::Output> {
        step.resume(&mut Input::new(buf, 0, false)).unwrap()
    }
    // A step resumed through a `&mut` keeps its state in the original.
    let mut inner = read_bytes(3);
    let mut buf = BytesMut::from(&b"xy"[..]);
    assert_eq!(resume_once(&mut inner, &mut buf), Status::Pending);
    buf.extend_from_slice(b"z!");
    let out = resume_once(&mut inner, &mut buf);
    assert_eq!(out, Status::Ready(Bytes::from_static(b"xyz")));
    assert_eq!(&buf[..], b"!");
}

// ---------------------------------------------------------------- done / fail / Either

#[test]
fn done_and_either_pick_a_branch() {
    let make = || {
        read_u8().then(|tag| match tag {
            0 => Either::Left(done(None)),
            _ => Either::Right(read_u8().map(Some)),
        })
    };
    let (out, e) = check_splits(make, &[0, 1, 42, 0, 7]);
    assert_eq!(out, vec![None, Some(42), None]);
    assert_eq!(e, Some(eof(5)));
}

#[test]
fn fail_reports_at_the_current_offset() {
    let make = || {
        read_u8().then(|version| match version {
            1 => Either::Left(read_u8()),
            _ => Either::Right(fail(ErrorKind::Invalid("unsupported version"))),
        })
    };
    let (out, e) = check_splits(make, &[1, 5, 1, 6, 2, 0]);
    assert_eq!(out, vec![5, 6]);
    assert_eq!(e, Some(err(ErrorKind::Invalid("unsupported version"), 5)));
}

// ---------------------------------------------------------------- repeat / fold

#[test]
fn repeat_collects_n_items() {
    let make = || read_u8().then(|n| repeat(n as usize, read_u16_be));
    let (out, e) = check_splits(make, &[2, 0, 1, 1, 0, 0, 1, 0, 5]);
    assert_eq!(out, vec![vec![1, 256], vec![], vec![5]]);
    assert_eq!(e, None);
    // EOF inside the second item.
    let (out, e) = one_shot(make, &[2, 0, 1, 1]);
    assert!(out.is_empty());
    assert_eq!(e, Some(eof(4)));
}

#[test]
fn repeat_max_iterations_is_checked_up_front() {
    let make = || read_u8().then(|n| repeat(n as usize, read_u8).max_iterations(2));
    let mut driver = Driver::new(make);
    let mut buf = BytesMut::from(&[2u8, 1, 1, 3][..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), Some(vec![1, 1]));
    // Refused on the count byte alone, before any item arrives.
    assert_eq!(driver.decode(&mut buf).unwrap_err(), limit("repeat", 2, 4));
}

#[test]
fn fold_reads_a_header_block() {
    let headers = || {
        fold(
            Vec::new(),
            |_| read_line(),
            |mut lines, line| {
                if line.is_empty() {
                    ControlFlow::Break(lines)
                } else {
                    lines.push(line);
                    ControlFlow::Continue(lines)
                }
            },
        )
    };
    let (out, e) = check_splits(headers, b"a: 1\r\nb: 2\r\n\r\n\nc: 3\n\n");
    assert_eq!(out, vec![bs(&[b"a: 1", b"b: 2"]), vec![], bs(&[b"c: 3"])]);
    assert_eq!(e, None);
}

#[test]
fn fold_make_sees_the_accumulator() {
    // Item i is i + 1 bytes long; three items make a message.
    let make = || {
        fold(
            Vec::new(),
            |items: &Vec<Bytes>| read_bytes(items.len() as u64 + 1),
            |mut items, item| {
                items.push(item);
                if items.len() == 3 {
                    ControlFlow::Break(items)
                } else {
                    ControlFlow::Continue(items)
                }
            },
        )
    };
    let (out, e) = check_splits(make, b"abbcccxyyzzz");
    assert_eq!(
        out,
        vec![bs(&[b"a", b"bb", b"ccc"]), bs(&[b"x", b"yy", b"zzz"])]
    );
    assert_eq!(e, None);
}

#[test]
fn fold_max_iterations_fails_where_the_next_item_would_start() {
    let make = || {
        fold(
            0usize,
            |_| read_line(),
            |n, line| {
                if line.is_empty() {
                    ControlFlow::Break(n)
                } else {
                    ControlFlow::Continue(n + 1)
                }
            },
        )
        .max_iterations(3)
    };
    // Two lines and the empty one: three iterations, fine. Three lines: the fourth
    // iteration is refused at its start.
    let (out, e) = one_shot(make, b"a\nb\n\na\nb\nc\n\n");
    assert_eq!(out, vec![2]);
    assert_eq!(e, Some(limit("fold", 3, 5 + 6)));
}

// ---------------------------------------------------------------- spent steps and Input

#[test]
fn resuming_a_spent_step_is_reported_not_a_panic() {
    fn twice<S: Step>(mut step: S, data: &[u8]) -> Result<Status<S::Output>, DecodeError> {
        let mut buf = BytesMut::from(data);
        let mut input = Input::new(&mut buf, 10, false);
        assert!(step.resume(&mut input).unwrap().is_ready());
        step.resume(&mut input)
    }
    let finished = err(ErrorKind::Finished, 10);
    assert_eq!(twice(done(1), b""), Err(finished));
    assert_eq!(twice(done(1).map(|x| x + 1), b""), Err(finished));
    assert_eq!(twice(done(1).and(done(2)), b""), Err(finished));
    assert_eq!(twice(peek(1, |b: &[u8]| b[0]), b"ab"), Err(finished));
    let f = fold(0, |_| done(()), |n, ()| ControlFlow::<i32, i32>::Break(n));
    assert_eq!(twice(f, b""), Err(finished));
}

#[test]
fn input_reports_overreach_as_an_error() {
    let mut buf = BytesMut::from(&b"abc"[..]);
    let mut input = Input::new(&mut buf, 100, false);
    assert_eq!(
        (input.len(), input.offset(), input.is_eof()),
        (3, 100, false)
    );
    let e = input.take(4).unwrap_err();
    assert_eq!(e.offset(), 103);
    assert!(matches!(e.kind(), ErrorKind::Invalid(_)));
    assert!(input.advance(5).is_err());
    assert_eq!(&input.take(2).unwrap()[..], b"ab");
    input.advance(1).unwrap();
    assert!(input.is_empty());
    assert_eq!(input.offset(), 103);
    assert_eq!(input.error_at(2, ErrorKind::BadNumber).offset(), 105);
}

// ---------------------------------------------------------------- the ready! macro, Status

struct Swapped(ReadBytes);

impl Step for Swapped {
    type Output = [u8; 2];
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<[u8; 2]>, DecodeError> {
        let b = ready!(self.0.resume(input)?);
        Ok(Status::Ready([b[1], b[0]]))
    }
}

#[test]
fn hand_written_steps_compose() {
    let (out, e) = check_splits(
        || Swapped(read_bytes(2)).and(read_u8()),
        &[1, 2, 3, 4, 5, 6],
    );
    assert_eq!(out, vec![([2, 1], 3), ([5, 4], 6)]);
    assert_eq!(e, None);
}

#[test]
fn status_helpers() {
    assert_eq!(Status::Ready(2).map(|x| x * 2), Status::Ready(4));
    assert_eq!(Status::<i32>::Pending.map(|x| x * 2), Status::Pending);
    assert!(Status::Ready(()).is_ready());
    assert!(!Status::<()>::Pending.is_ready());
}

#[test]
fn errors_display_their_kind_and_offset() {
    assert_eq!(
        limit("read_line", 4, 7).to_string(),
        "limit `read_line` exceeded (max 4) at byte 7"
    );
    assert_eq!(eof(3).to_string(), "input ended inside a message at byte 3");
    let mismatch = ErrorKind::Mismatch {
        expected: b'a',
        found: b'b',
    };
    assert_eq!(mismatch.to_string(), "expected byte 'a', found 'b'");
    assert_eq!(
        err(ErrorKind::Invalid("nope"), 0).to_string(),
        "nope at byte 0"
    );
}

/// A hand-written step that never finishes and never looks at EOF.
struct Never;

impl Step for Never {
    type Output = ();
    fn resume(&mut self, _: &mut Input<'_>) -> Result<Status<()>, DecodeError> {
        Ok(Status::Pending)
    }
}

#[test]
fn limit_stops_a_step_that_ignores_its_window() {
    // The step itself never fails; the cap does, once the whole window is buffered.
    let mut driver = Driver::new(|| read_u8().ignore_then(Never).limit(3));
    let mut buf = BytesMut::from(&[1u8, 2][..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(&[3]);
    assert_eq!(driver.decode(&mut buf).unwrap_err(), limit("limit", 3, 3));
}

#[test]
fn driver_reports_eof_for_a_step_that_ignores_it() {
    let mut driver = Driver::new(|| read_u8().ignore_then(Never));
    let mut buf = BytesMut::from(&[1u8, 2, 3][..]);
    assert_eq!(driver.decode(&mut buf).unwrap(), None);
    assert_eq!(driver.decode_eof(&mut buf).unwrap_err(), eof(3));
    assert_eq!(driver.failed(), Some(eof(3)));
}
