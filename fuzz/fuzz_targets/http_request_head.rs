//! Request heads on any input; see `common/heads.rs` for what is checked.
//!
//! Run: `cargo fuzz run http_request_head` from the repository root (nightly toolchain).

#![no_main]

use libfuzzer_sys::fuzz_target;
use nagrel_protocols::http::{request_head, RequestHead};

#[path = "common/heads.rs"]
mod heads;

fn same(a: &RequestHead, b: &RequestHead) -> bool {
    (a.method(), a.target(), a.version()) == (b.method(), b.target(), b.version())
        && a.fields().iter().eq(b.fields().iter())
}

fuzz_target!(|input: &[u8]| heads::check(request_head, same, input));
