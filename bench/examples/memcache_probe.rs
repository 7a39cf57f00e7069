//! Runs one side of one `memcache` suite case in a loop, for profilers:
//! `cargo build --release -p nagrel-bench --example memcache_probe` then
//! `perf record target/release/examples/memcache_probe set_1k ours` (or `nom`).

use bytes::BytesMut;
use nagrel_protocols::memcache::RequestDecoder;

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| "set_1k".into());
    let side = args.next().unwrap_or_else(|| "ours".into());
    let wire = match case.as_str() {
        "set_1k" => nagrel_bench::memcache::set(1024),
        "set_10b" => nagrel_bench::memcache::set(10),
        "get_1key" => nagrel_bench::memcache::get_1key(),
        other => panic!("unknown case {other}"),
    };
    let repeat: u64 = std::env::var("PROBE_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000_000);
    let mut buf = BytesMut::with_capacity(4096);
    let mut decoder = RequestDecoder::default();
    let mut total = 0usize;
    for _ in 0..repeat {
        let tally = match side.as_str() {
            "ours" => nagrel_bench::memcache::ours(&mut decoder, &mut buf, &wire, usize::MAX),
            "nom" => nagrel_bench::memcache::peer_nom(&mut buf, &wire, usize::MAX),
            other => panic!("unknown side {other}"),
        };
        total += tally.bytes;
    }
    println!("{total}");
}
