//! The `nagrel` command. Until the server lands it describes what the workspace offers
//! and how to try it; see README.md.

use std::process::ExitCode;

const OVERVIEW: &str = "\
nagrel: declarative, resumable protocol decoders (and, soon, a Mongrel2-style server)

Available now:
  decoder toolkit   crate nagrel-decoder: steps such as read_line, read_bytes(n),
                    read_until, numbers, varints, chained with `then` into resumable,
                    zero-copy, bounded state machines; tokio-util codec glue.
                    Docs: cargo doc -p nagrel-decoder --features codec --open
  blob example      cargo run --example blob_server
                    then: printf '5\\nhello3\\nabc' | nc -q1 127.0.0.1 7878
  benchmarks        cargo run --release -p nagrel-bench -- core
  tests             cargo test --workspace

Coming: HTTP/1.1, netstring, tnetstring, SCGI, Mongrel2 and memcache protocols, and the
front server on 127.0.0.1:6767 (`cargo run --release` will start it).
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
            print!("{OVERVIEW}");
            ExitCode::SUCCESS
        }
        Some("-V" | "--version") => {
            println!("nagrel {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("nagrel: unknown command `{other}`; run `nagrel --help`");
            ExitCode::from(2)
        }
    }
}
