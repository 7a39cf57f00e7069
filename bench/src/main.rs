//! The benchmark runner: `nagrel-bench [SUITE...]`.
//!
//! Runs the named suites (all of them without arguments) and prints one line per
//! comparison on stdout:
//!
//! ```text
//! RESULT suite=core case=lines_whole ours_ns=412345 peer=tokio-util-LinesCodec peer_ns=812345 ratio=0.508
//! ```
//!
//! Progress and details go to stderr. An unknown suite prints the usage and exits with 2.

use std::io::Write;
use std::process::ExitCode;

use nagrel_bench::{Budget, SUITES};

fn usage() {
    eprintln!("usage: nagrel-bench [SUITE...]   (no SUITE: run them all)");
    eprintln!("suites:");
    for suite in SUITES {
        eprintln!("  {:<10} {}", suite.name, suite.about);
    }
    eprintln!("environment: NAGREL_BENCH_SECS=<seconds> measuring time per case (default 6)");
    eprintln!("build with --release: `cargo run --release -p nagrel-bench -- core`");
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        usage();
        return ExitCode::SUCCESS;
    }
    let mut suites = Vec::new();
    for arg in &args {
        match nagrel_bench::suite(arg) {
            Some(suite) => suites.push(suite),
            None => {
                eprintln!("nagrel-bench: unknown suite `{arg}`");
                usage();
                return ExitCode::from(2);
            }
        }
    }
    if suites.is_empty() {
        suites.extend(SUITES);
    }
    if cfg!(debug_assertions) {
        eprintln!("nagrel-bench: warning: debug build, numbers are meaningless; use --release");
    }

    let budget = Budget::from_env();
    for suite in suites {
        (suite.run)(&budget, &mut |outcome| {
            let mut out = std::io::stdout().lock();
            // A closed stdout (say, piped into `head`) is not worth a panic mid-run.
            let _ = writeln!(out, "{}", outcome.result_line(suite.name));
            let _ = out.flush();
        });
    }
    ExitCode::SUCCESS
}
