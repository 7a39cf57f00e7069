//! Side-by-side benchmarks of nagrel's decoders against peer implementations.
//!
//! Every case runs the same workload through two decoders, "ours" (a
//! [`nagrel_decoder::Driver`] over a step chain) and a "peer" (a `tokio_util` codec, or
//! the same decoder written by hand), driven by the same loop over the same bytes, and
//! checks that both produce the same messages. The runner (`cargo run --release -p
//! nagrel-bench -- core`) times both sides interleaved and prints one `RESULT` line per
//! comparison; the criterion benches (`cargo bench -p nagrel-bench`) time the same
//! functions. See `bench/README.md`.
//!
//! # Layout
//!
//! - [`SUITES`]: the table of suite name to suite function the runner dispatches on. A
//!   new suite (`http`, `memcache`, `m2`, ...) is a new module with a `run` function and
//!   one more row in the table.
//! - [`core`]: the `core` suite: line framing (`lines_*`), length-prefixed
//!   blobs (`blob`) and a five-step binary record chain against a hand-written state
//!   machine (`chain`, `chain_64`). Its workload generators and decoders are public so
//!   the criterion benches share them.
//! - [`http`]: the `http` suite: request and response heads whole and trickled, and
//!   chunked bodies, against httparse.
//! - [`m2`]: the `m2` suite: a browser request built, encoded and decoded as a Mongrel2
//!   request message, JSON and tnetstring headers, against serde_json.
//! - [`memcache`]: the `memcache` suite: commands received whole and trickled, against
//!   the `memcache-proto` crate and a re-parsing nom parser.
//! - [`drive`](mod@drive): the one driving loop every decoder is run by, and its [`Tally`].
//! - [`gen`]: the deterministic xorshift generator behind every workload.
//! - [`measure`]: warm-up, calibration, interleaved sampling and medians.
//! - [`report`]: [`Outcome`] and its `RESULT` line.

#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]

pub mod core;
pub mod drive;
pub mod gen;
pub mod http;
pub mod m2;
pub mod measure;
pub mod memcache;
pub mod report;

pub use drive::{drive, Tally, WHOLE};
pub use measure::Budget;
pub use report::Outcome;

/// A benchmark suite: a name for the command line and the function running its cases.
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    /// The name given on the command line and printed as `suite=<name>`.
    pub name: &'static str,
    /// One line saying what the suite compares, for the usage text.
    pub about: &'static str,
    /// Runs every case of the suite within `budget`, handing each finished comparison to
    /// the callback as soon as it is measured.
    pub run: fn(&Budget, &mut dyn FnMut(Outcome)),
}

/// Every suite the runner knows, in the order a run without arguments runs them.
pub const SUITES: &[Suite] = &[
    Suite {
        name: "core",
        about:
            "line framing, length-prefixed blobs and a 5-step chain vs tokio-util / hand-written",
        run: crate::core::run,
    },
    Suite {
        name: "http",
        about: "HTTP/1.1 heads (whole and trickled) and chunked bodies vs httparse",
        run: crate::http::run,
    },
    Suite {
        name: "m2",
        about: "a browser request as a Mongrel2 message, JSON and tnetstring, vs serde_json",
        run: crate::m2::run,
    },
    Suite {
        name: "memcache",
        about: "memcache command decoding (whole and trickled) vs memcache-proto / nom",
        run: crate::memcache::run,
    },
];

/// The suite called `name`, if there is one.
pub fn suite(name: &str) -> Option<&'static Suite> {
    SUITES.iter().find(|s| s.name == name)
}
