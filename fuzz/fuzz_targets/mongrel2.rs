//! Mongrel2 handler messages on any input: nothing panics; whole, N-byte pieces and
//! bytewise feeding agree for requests and responses; a decoded request or response
//! re-encodes to bytes that decode to the same message.
//!
//! Run: `cargo fuzz run mongrel2` from the repository root (nightly toolchain).

#![no_main]

#[path = "common/pieces.rs"]
mod pieces;

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use nagrel_protocols::mongrel2::{
    encode_request, encode_response, request, response, Mongrel2Limits, Request,
};
use pieces::decode_every_way;

fn limits() -> Mongrel2Limits {
    Mongrel2Limits {
        max_sender: 64,
        max_path: 256,
        max_headers: 4096,
        max_body: 4096,
        max_ids: 16,
    }
}

/// Whether re-encoding keeps the message as it is: JSON re-encodes raw non-UTF-8 bytes as
/// escapes, which read back as other bytes (by design), so those requests are skipped.
fn json_stable(req: &Request) -> bool {
    req.headers.iter().all(|(n, v)| {
        std::str::from_utf8(n).is_ok() && v.iter().all(|v| std::str::from_utf8(v).is_ok())
    })
}

fuzz_target!(|data: &[u8]| {
    let (out, _) = decode_every_way(|| request(limits()), data);
    let mut wire = BytesMut::new();
    let stable: Vec<Request> = out.into_iter().filter(json_stable).collect();
    stable
        .iter()
        .for_each(|r| encode_request(r, &mut wire).unwrap());
    let (again, err) = decode_every_way(|| request(limits()), &wire);
    assert_eq!((again, err), (stable, None));

    let (out, _) = decode_every_way(|| response(limits()), data);
    for resp in out {
        let mut wire = BytesMut::new();
        encode_response(&resp, &mut wire).unwrap();
        let (again, err) = decode_every_way(|| response(limits()), &wire);
        assert_eq!((again, err), (vec![resp], None));
    }
});
