//! Netstrings, tnetstrings and SCGI requests on any input: nothing panics; whole, N-byte
//! pieces and bytewise feeding agree; whatever decodes re-encodes to bytes that decode to
//! the same value.
//!
//! Run: `cargo fuzz run netstring_family` from the repository root (nightly toolchain).

#![no_main]

#[path = "common/pieces.rs"]
mod pieces;

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use nagrel_protocols::netstring::{encode_netstring, netstring, NetstringLimits};
use nagrel_protocols::scgi::{encode_scgi_request, scgi_request, ScgiLimits};
use nagrel_protocols::tnetstring::{encode_tnetstring, tnetstring, TnetstringLimits};
use pieces::decode_every_way;

fuzz_target!(|data: &[u8]| {
    let netstrings = NetstringLimits { max_len: 4096 };
    let (out, _) = decode_every_way(|| netstring(netstrings), data);
    let mut wire = BytesMut::new();
    out.iter().for_each(|d| encode_netstring(d, &mut wire));
    let (again, err) = decode_every_way(|| netstring(netstrings), &wire);
    assert_eq!((again, err), (out, None));

    let tnetstrings = TnetstringLimits {
        max_size: 4096,
        max_depth: 8,
    };
    let (out, _) = decode_every_way(|| tnetstring(tnetstrings), data);
    let mut wire = BytesMut::new();
    out.iter()
        .for_each(|v| encode_tnetstring(v, &mut wire).unwrap());
    let (again, err) = decode_every_way(|| tnetstring(tnetstrings), &wire);
    assert_eq!((again, err), (out, None));

    let scgi = ScgiLimits {
        max_headers_len: 4096,
        max_headers: 32,
        max_body: 4096,
    };
    let (out, _) = decode_every_way(|| scgi_request(scgi), data);
    let mut wire = BytesMut::new();
    out.iter()
        .for_each(|r| encode_scgi_request(r, &mut wire).unwrap());
    let (again, err) = decode_every_way(|| scgi_request(scgi), &wire);
    assert_eq!((again, err), (out, None));
});
