//! Encode, then decode at any split: random valid commands and replies come back equal,
//! pipelined several at a time.

#[path = "memcache/feed.rs"]
mod feed;

use bytes::{Bytes, BytesMut};
use feed::{feed, Event};
use nagrel_protocols::memcache::{
    encode_request, encode_response, ArithCommand, Arithmetic, Delete, FlushAll, Keys, Meta,
    MetaDebug, MetaFlags, MetaReply, MetaSet, MetaStatus, MetaValue, Request, RequestDecoder,
    RequestLimits, Response, ResponseDecoder, Retrieve, RetrieveCommand, Stat, Stats, Store,
    StoreCommand, Touch, Value, Verbosity,
};
use proptest::prelude::*;

fn key() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => proptest::collection::vec(
            prop_oneof![0x21u8..0x7F, 0x80u8..=0xFF],
            1..16,
        ),
        1 => proptest::collection::vec(0x21u8..0x7F, 250..=250),
    ]
}

fn key_bytes() -> impl Strategy<Value = Bytes> {
    key().prop_map(Bytes::from)
}

fn data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..48),
        1 => proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n')], 0..8),
    ]
}

/// Text with no CR or LF (spaces included), as messages and stat values may hold.
fn text() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(prop_oneof![0x20u8..0x7F, Just(b'\t'), 0x80u8..=0xFF], 0..24)
        .prop_map(Bytes::from)
}

fn flags() -> impl Strategy<Value = MetaFlags> {
    proptest::collection::vec(
        (
            prop_oneof![b'a'..=b'z', b'A'..=b'Z'],
            proptest::collection::vec(0x21u8..0x7F, 0..6),
        ),
        0..6,
    )
    .prop_map(|flags| {
        let mut seen = Vec::new();
        let unique: Vec<_> = flags
            .into_iter()
            .filter(|(l, _)| {
                let new = !seen.contains(l);
                seen.push(*l);
                new
            })
            .collect();
        MetaFlags::new(unique).expect("valid flags")
    })
}

fn store_command() -> impl Strategy<Value = StoreCommand> {
    prop_oneof![
        Just(StoreCommand::Set),
        Just(StoreCommand::Add),
        Just(StoreCommand::Replace),
        Just(StoreCommand::Append),
        Just(StoreCommand::Prepend),
        any::<u64>().prop_map(StoreCommand::Cas),
    ]
}

fn retrieve_command() -> impl Strategy<Value = RetrieveCommand> {
    prop_oneof![
        Just(RetrieveCommand::Get),
        Just(RetrieveCommand::Gets),
        any::<i64>().prop_map(RetrieveCommand::Gat),
        any::<i64>().prop_map(RetrieveCommand::Gats),
    ]
}

fn stats_args() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(proptest::collection::vec(0x21u8..0x7F, 1..8), 0..3)
        .prop_map(|tokens| Bytes::from(tokens.join(&b' ')))
}

fn meta() -> impl Strategy<Value = Meta> {
    (key(), flags()).prop_map(|(key, flags)| Meta::new(&key, flags).unwrap())
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        (retrieve_command(), proptest::collection::vec(key(), 1..6)).prop_map(|(command, keys)| {
            Request::Retrieve(Retrieve {
                command,
                keys: Keys::new(keys).unwrap(),
            })
        }),
        (
            store_command(),
            key(),
            any::<u32>(),
            any::<i64>(),
            data(),
            any::<bool>()
        )
            .prop_map(|(command, key, flags, exptime, data, noreply)| {
                Request::Store(
                    Store::new(command, &key, &data)
                        .unwrap()
                        .with_flags(flags)
                        .with_exptime(exptime)
                        .with_noreply(noreply),
                )
            }),
        (key_bytes(), any::<bool>())
            .prop_map(|(key, noreply)| Request::Delete(Delete { key, noreply })),
        (
            prop_oneof![Just(ArithCommand::Incr), Just(ArithCommand::Decr)],
            key_bytes(),
            any::<u64>(),
            any::<bool>()
        )
            .prop_map(|(command, key, delta, noreply)| {
                Request::Arithmetic(Arithmetic {
                    command,
                    key,
                    delta,
                    noreply,
                })
            }),
        (key_bytes(), any::<i64>(), any::<bool>()).prop_map(|(key, exptime, noreply)| {
            Request::Touch(Touch {
                key,
                exptime,
                noreply,
            })
        }),
        stats_args().prop_map(|args| Request::Stats(Stats { args })),
        Just(Request::Version),
        Just(Request::Quit),
        (any::<u32>(), any::<bool>())
            .prop_map(|(level, noreply)| Request::Verbosity(Verbosity { level, noreply })),
        (proptest::option::of(any::<i64>()), any::<bool>())
            .prop_map(|(delay, noreply)| Request::FlushAll(FlushAll { delay, noreply })),
        meta().prop_map(Request::MetaGet),
        meta().prop_map(Request::MetaDelete),
        meta().prop_map(Request::MetaArithmetic),
        meta().prop_map(Request::MetaDebug),
        (key(), flags(), data()).prop_map(|(key, flags, data)| Request::MetaSet(
            MetaSet::new(&key, flags, &data).unwrap()
        )),
        Just(Request::MetaNoop),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    (
        key_bytes(),
        any::<u32>(),
        proptest::option::of(any::<u64>()),
        data(),
    )
        .prop_map(|(key, flags, cas, data)| Value {
            key,
            flags,
            cas,
            data: Bytes::from(data),
        })
}

fn meta_status() -> impl Strategy<Value = MetaStatus> {
    prop_oneof![
        Just(MetaStatus::Hd),
        Just(MetaStatus::En),
        Just(MetaStatus::Nf),
        Just(MetaStatus::Ns),
        Just(MetaStatus::Ex),
    ]
}

fn response() -> impl Strategy<Value = Response> {
    prop_oneof![
        proptest::collection::vec(value(), 0..4).prop_map(Response::Values),
        proptest::collection::vec(
            (proptest::collection::vec(0x21u8..0x7F, 1..12), text()),
            1..5
        )
        .prop_map(|stats| Response::Stats(
            stats
                .into_iter()
                .map(|(name, value)| Stat {
                    name: Bytes::from(name),
                    value
                })
                .collect()
        )),
        Just(Response::Stored),
        Just(Response::NotStored),
        Just(Response::Exists),
        Just(Response::NotFound),
        Just(Response::Deleted),
        Just(Response::Touched),
        Just(Response::Ok),
        Just(Response::Reset),
        any::<u64>().prop_map(Response::Number),
        text().prop_map(Response::Version),
        text().prop_map(Response::Error),
        text().prop_map(Response::ClientError),
        text().prop_map(Response::ServerError),
        (meta_status(), flags())
            .prop_map(|(status, flags)| Response::Meta(MetaReply { status, flags })),
        (flags(), data()).prop_map(|(flags, data)| Response::MetaValue(MetaValue {
            flags,
            data: Bytes::from(data)
        })),
        Just(Response::MetaNoop),
        (key_bytes(), text()).prop_map(|(key, info)| Response::MetaDebug(MetaDebug { key, info })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn requests_round_trip(
        requests in proptest::collection::vec(request(), 1..5),
        cut in any::<usize>(),
    ) {
        let mut wire = BytesMut::new();
        for r in &requests {
            encode_request(&mut wire, r).unwrap();
        }
        let cut = cut % (wire.len() + 1);
        let got = feed(RequestDecoder::new(RequestLimits::default()), &wire, &[cut]);
        let want: Vec<_> = requests.into_iter().map(Event::Message).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn responses_round_trip(
        responses in proptest::collection::vec(response(), 1..5),
        cut in any::<usize>(),
    ) {
        let mut wire = BytesMut::new();
        for r in &responses {
            encode_response(&mut wire, r).unwrap();
        }
        let cut = cut % (wire.len() + 1);
        let got = feed(ResponseDecoder::default(), &wire, &[cut]);
        let want: Vec<_> = responses.into_iter().map(Event::Message).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn requests_round_trip_bytewise(request in request()) {
        let mut wire = BytesMut::new();
        encode_request(&mut wire, &request).unwrap();
        let cuts: Vec<usize> = (1..wire.len()).collect();
        let got = feed(RequestDecoder::default(), &wire, &cuts);
        prop_assert_eq!(got, vec![Event::Message(request)]);
    }

    #[test]
    fn responses_round_trip_bytewise(response in response()) {
        let mut wire = BytesMut::new();
        encode_response(&mut wire, &response).unwrap();
        let cuts: Vec<usize> = (1..wire.len()).collect();
        let got = feed(ResponseDecoder::default(), &wire, &cuts);
        prop_assert_eq!(got, vec![Event::Message(response)]);
    }
}
