//! The `nagrel` command line: argument parsing and the commands behind it. The binary in
//! the root package only calls [`run`].

pub mod decode;
pub mod store;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// nagrel: declarative, resumable protocol decoders and a Mongrel2-style front server.
#[derive(Debug, Parser)]
#[command(name = "nagrel", version, about)]
pub struct Cli {
    /// What to do; without a command, `nagrel` describes what is available.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode raw protocol bytes (a capture, a file, stdin) and print one JSON object per
    /// message; exits 1 after the first error.
    Decode {
        /// What the bytes are.
        #[arg(value_enum)]
        protocol: decode::Protocol,
        /// The file to read; standard input when absent.
        file: Option<PathBuf>,
        /// Feed the decoder N bytes at a time.
        #[arg(long, value_name = "N", conflicts_with = "bytewise", value_parser = clap::value_parser!(u64).range(1..))]
        split: Option<u64>,
        /// Feed the decoder one byte at a time.
        #[arg(long)]
        bytewise: bool,
    },
}

const OVERVIEW: &str = "\
nagrel: declarative, resumable protocol decoders (and, soon, a Mongrel2-style server)

Available now:
  decoder toolkit   crate nagrel-decoder: steps such as read_line, read_bytes(n),
                    read_until, numbers, varints, chained with `then` into resumable,
                    zero-copy, bounded state machines; tokio-util codec glue.
                    Docs: cargo doc -p nagrel-decoder --features codec --open
  protocols         crate nagrel-protocols: HTTP/1.1 (strict heads, framing, chunked
                    bodies), netstring, tnetstring, SCGI, the Mongrel2 handler
                    protocol, memcache (text and meta); each with decoder and encoder.
  decode tool       nagrel decode <PROTOCOL> [FILE] [--split N | --bytewise]
                    (one JSON object per message; `nagrel decode --help` lists them)
  handlers          crate nagrel-handler: ZeroMQ adapter + Mongrel2 handler library;
                    cargo run --example echo_handler
  blob example      cargo run --example blob_server
                    then: printf '5\\nhello3\\nabc' | nc -q1 127.0.0.1 7878
  benchmarks        cargo run --release -p nagrel-bench -- core
  tests             cargo test --workspace

Coming: the front server on
127.0.0.1:6767 (`cargo run --release` will start it).
";

/// Runs the command line given in `args` (program name first).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        None => {
            print!("{OVERVIEW}");
            ExitCode::SUCCESS
        }
        Some(Command::Decode {
            protocol,
            file,
            split,
            bytewise,
        }) => {
            let input = match read_input(file.as_deref()) {
                Ok(input) => input,
                Err(e) => {
                    eprintln!("nagrel decode: {e}");
                    return ExitCode::from(2);
                }
            };
            let piece = if bytewise {
                1
            } else {
                split.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX))
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let clean = decode::decode(protocol, &input, piece, &mut out);
            match clean.and_then(|clean| out.flush().map(|()| clean)) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::from(1),
                Err(e) => {
                    eprintln!("nagrel decode: writing output: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn read_input(file: Option<&std::path::Path>) -> std::io::Result<Vec<u8>> {
    match file {
        Some(path) => std::fs::read(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        None => {
            let mut input = Vec::new();
            std::io::stdin().read_to_end(&mut input)?;
            Ok(input)
        }
    }
}
