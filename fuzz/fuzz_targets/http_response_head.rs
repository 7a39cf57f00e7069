//! Response heads on any input; see `common/heads.rs` for what is checked.
//!
//! Run: `cargo fuzz run http_response_head` from the repository root (nightly toolchain).

#![no_main]

use libfuzzer_sys::fuzz_target;
use nagrel_protocols::http::{response_head, ResponseHead};

#[path = "common/heads.rs"]
mod heads;

fn same(a: &ResponseHead, b: &ResponseHead) -> bool {
    (a.status(), a.reason(), a.version()) == (b.status(), b.reason(), b.version())
        && a.fields().iter().eq(b.fields().iter())
}

fuzz_target!(|input: &[u8]| heads::check(response_head, same, input));
