//! Runs one side of one `core` case a fixed number of times, for instruction counting:
//! timings on a shared machine are noisy, callgrind's counts are not.
//!
//! ```text
//! cargo build --release -p nagrel-bench --example callgrind_probe
//! valgrind --tool=callgrind target/release/examples/callgrind_probe blob ours
//! valgrind --tool=callgrind target/release/examples/callgrind_probe blob peer
//! valgrind --tool=callgrind target/release/examples/callgrind_probe chain ours 64
//! ```
//!
//! Arguments: case (`lines`, `blob`, `chain`, or an http workload: `req_68`, `req_720`,
//! `req_2k`, `req_8k`, `resp_700`, `chunked_64`, `chunked_16k`), side (`ours`, `peer`), optional piece size
//! (default: the whole input at once). Compare the two sides' `I refs` totals; both
//! include the same input generation.

use std::hint::black_box;
use std::process::ExitCode;

use nagrel_bench::core::{
    blob_inputs, blob_ours, blob_peer, chain_input, chain_ours, chain_peer, lines_input,
    lines_ours, lines_peer,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(case), Some(side)) = (args.first(), args.get(1)) else {
        eprintln!("usage: callgrind_probe <lines|blob|chain> <ours|peer> [piece]");
        return ExitCode::from(2);
    };
    let piece = match args.get(2).map(|p| p.parse::<usize>()) {
        None => usize::MAX,
        Some(Ok(p)) if p > 0 => p,
        Some(_) => {
            eprintln!("piece must be a positive number");
            return ExitCode::from(2);
        }
    };
    let ours = side == "ours";
    // For sampling profilers, which need longer runs: `PROBE_REPEAT=1000 perf record ...`.
    let repeat: usize = std::env::var("PROBE_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    match case.as_str() {
        "lines" => {
            let input = lines_input();
            let run = if ours { lines_ours } else { lines_peer };
            black_box(run(&input, piece));
        }
        "blob" => {
            let inputs = blob_inputs();
            for _ in 0..20 {
                if ours {
                    black_box(blob_ours(&inputs.ours, piece));
                } else {
                    black_box(blob_peer(&inputs.peer, piece));
                }
            }
        }
        "chain" => {
            let (input, _) = chain_input();
            let run = if ours { chain_ours } else { chain_peer };
            for _ in 0..5 {
                black_box(run(&input, piece));
            }
        }
        "resp_700" => {
            use nagrel_bench::http;
            let head = http::resp_700();
            let (mut a, mut b) = (bytes::BytesMut::new(), bytes::BytesMut::new());
            for _ in 0..1000 * repeat {
                if ours {
                    black_box(http::response_ours(&mut a, &head));
                } else {
                    black_box(http::response_peer(&mut b, &head));
                }
            }
        }
        "req_68" | "req_720" | "req_2k" | "req_8k" => {
            use nagrel_bench::http;
            let head = match case.as_str() {
                "req_68" => http::req_68(),
                "req_720" => http::req_720(),
                "req_2k" => http::req_2k(),
                _ => http::req_8k(),
            };
            let (mut a, mut b) = (bytes::BytesMut::new(), bytes::BytesMut::new());
            for _ in 0..1000 * repeat {
                if ours {
                    black_box(http::request_ours(&mut a, &head, piece));
                } else {
                    black_box(http::request_peer(&mut b, &head, piece));
                }
            }
        }
        "chunked_64" | "chunked_16k" => {
            use nagrel_bench::http;
            let body = http::chunked_body(if case == "chunked_64" { 64 } else { 16 * 1024 });
            let (mut a, mut b) = (bytes::BytesMut::new(), bytes::BytesMut::new());
            for _ in 0..5 * repeat {
                if ours {
                    http::receive(&mut a, &body);
                    black_box(http::chunked_ours(&mut a));
                } else {
                    http::receive(&mut b, &body);
                    black_box(http::chunked_peer(&mut b));
                }
            }
        }
        other => {
            eprintln!("unknown case {other}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
