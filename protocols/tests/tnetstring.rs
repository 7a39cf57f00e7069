//! Tnetstrings: every type, nesting and its limit, errors with offsets, each stream decoded
//! one shot, at every split and byte by byte; encode-then-decode round trips.

mod support;

use bytes::{Bytes, BytesMut};
use nagrel_protocols::netstring::NetstringErrorKind;
use nagrel_protocols::tnetstring::{
    decode_tnetstring, encode_tnetstring, tnetstring, Dict, TnetstringError, TnetstringErrorKind,
    TnetstringErrorKind::*, TnetstringLimits, Value,
};
use proptest::prelude::*;
use support::decode_every_way;

fn limits() -> TnetstringLimits {
    TnetstringLimits {
        max_size: 64,
        max_depth: 3,
    }
}

fn decode(input: &[u8]) -> (Vec<Value>, Option<(TnetstringErrorKind, u64)>) {
    let (out, err) = decode_every_way(|| tnetstring(limits()), input);
    (
        out,
        err.map(|e| (TnetstringError::from(e).kind(), e.offset())),
    )
}

fn dict(entries: &[(&'static str, Value)]) -> Value {
    let mut d = Dict::default();
    for (k, v) in entries {
        d.push(*k, v.clone());
    }
    Value::Dict(d)
}

fn bytes(s: &'static str) -> Value {
    Value::Bytes(Bytes::from_static(s.as_bytes()))
}

#[test]
fn every_type() {
    let rows: &[(&[u8], Value)] = &[
        (b"5:hello,", bytes("hello")),
        (b"0:,", bytes("")),
        (b"1:0#", Value::Integer(0)),
        (b"3:-42#", Value::Integer(-42)),
        (b"19:9223372036854775807#", Value::Integer(i64::MAX)),
        (b"20:-9223372036854775808#", Value::Integer(i64::MIN)),
        (b"3:007#", Value::Integer(7)),
        (b"3:1.5^", Value::Float(1.5)),
        (b"5:-2e10^", Value::Float(-2e10)),
        (b"4:true!", Value::Bool(true)),
        (b"5:false!", Value::Bool(false)),
        (b"0:~", Value::Null),
        (b"0:]", Value::List(vec![])),
        (b"0:}", Value::Dict(Dict::default())),
        (
            b"8:1:a,1:1#]",
            Value::List(vec![bytes("a"), Value::Integer(1)]),
        ),
        (
            b"21:3:ctl,11:1:1#4:true!]}",
            dict(&[(
                "ctl",
                Value::List(vec![Value::Integer(1), Value::Bool(true)]),
            )]),
        ),
        // Keys keep wire order and repeats.
        (
            b"21:1:b,0:~1:a,0:~1:b,0:~}",
            dict(&[("b", Value::Null), ("a", Value::Null), ("b", Value::Null)]),
        ),
        // Depth 3 is the limit here: a list in a list in a list.
        (
            b"6:3:0:]]]",
            Value::List(vec![Value::List(vec![Value::List(vec![])])]),
        ),
    ];
    for (input, value) in rows {
        let (out, err) = decode(input);
        assert_eq!(err, None, "{:?}", String::from_utf8_lossy(input));
        assert_eq!(
            out,
            vec![value.clone()],
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn rejections() {
    let ns = TnetstringErrorKind::Netstring;
    let rows: &[(&[u8], TnetstringErrorKind, u64)] = &[
        (b"3:abc?", UnknownType, 5),
        (b"1:x#", BadInteger, 2),
        (b"0:#", BadInteger, 2),
        (b"2:+1#", BadInteger, 2),
        (b"19:9223372036854775808#", BadInteger, 3),
        (b"3:inf^", BadFloat, 2),
        (b"3:nan^", BadFloat, 2),
        (b"1:.^", BadFloat, 2),
        (b"4:True!", BadBool, 2),
        (b"1:x~", BadNull, 2),
        // Depth 4 is one too deep; reported where the fourth container's data starts.
        (b"9:6:3:0:]]]]", TooDeep, 8),
        (b"7:1:1#0:~}", BadKey, 2),
        (b"4:1:a,}", MissingValue, 6),
        (b"5:5:ab,]", ElementOverrun, 2),
        (b"3:1:a]", ElementOverrun, 2),
        (b"2:12]", ElementOverrun, 3),
        (b"4:01:a]", ns(NetstringErrorKind::LeadingZero), 3),
        (b"2::,]", ns(NetstringErrorKind::BadLength), 2),
        (b"3:1x,]", ns(NetstringErrorKind::MissingColon), 3),
        (b"65:", ns(NetstringErrorKind::TooLong), 1),
        (b"01:a,", ns(NetstringErrorKind::LeadingZero), 1),
        (b"3:abc", ns(NetstringErrorKind::Incomplete), 5),
        (b"3:a", ns(NetstringErrorKind::Incomplete), 3),
    ];
    for &(input, kind, offset) in rows {
        let (out, err) = decode(input);
        assert!(out.is_empty(), "{:?}", String::from_utf8_lossy(input));
        assert_eq!(
            err,
            Some((kind, offset)),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn a_stream_of_values_then_an_error() {
    let (out, err) = decode(b"1:a,0:~1:x!");
    assert_eq!(out, vec![bytes("a"), Value::Null]);
    assert_eq!(err, Some((BadBool, 9)));
}

#[test]
fn whole_message_helper_refuses_trailing_bytes() {
    let err = decode_tnetstring(b"0:~x", TnetstringLimits::default()).unwrap_err();
    assert_eq!(
        err.kind(),
        TnetstringErrorKind::Netstring(NetstringErrorKind::TrailingBytes)
    );
    assert_eq!(err.offset(), 3);
}

#[test]
fn encoder_refuses_non_finite_floats() {
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut out = BytesMut::new();
        assert!(encode_tnetstring(&Value::List(vec![Value::Float(x)]), &mut out).is_err());
        assert!(out.is_empty());
    }
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(|b| Value::Bytes(b.into())),
        any::<i64>().prop_map(Value::Integer),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Value::Float),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..6), inner), 0..4)
                .prop_map(|entries| {
                    let entries: Vec<(Bytes, Value)> = entries
                        .into_iter()
                        .map(|(k, v)| (Bytes::from(k), v))
                        .collect();
                    Value::Dict(entries.into())
                }),
        ]
    })
}

proptest! {
    #[test]
    fn round_trip(v in value()) {
        let mut wire = BytesMut::new();
        encode_tnetstring(&v, &mut wire).unwrap();
        prop_assert_eq!(wire.len(), nagrel_protocols::tnetstring::encoded_len(&v));
        let limits = TnetstringLimits { max_size: 1 << 20, max_depth: 4 };
        let (out, err) = decode_every_way(|| tnetstring(limits), &wire);
        prop_assert_eq!(err, None);
        prop_assert_eq!(out, vec![v]);
    }

    #[test]
    fn any_input_decodes_the_same_every_way(input in proptest::collection::vec(prop_oneof![
        Just(b'0'), Just(b'1'), Just(b'2'), Just(b':'), Just(b','), Just(b']'), Just(b'}'), Just(b'#'), any::<u8>()
    ], 0..20)) {
        decode(&input);
    }
}
