//! The `nagrel` command line: argument parsing and the commands behind it. The binary in
//! the root package only calls [`run`].
//!
//! # Layout
//!
//! - [`start`]: `nagrel start` and the demo (no arguments).
//! - [`store`]: `nagrel load`, `servers`, `hosts`, `routes`.
//! - [`decode`]: `nagrel decode`.

pub mod decode;
pub mod start;
pub mod store;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::server::Selector;

/// The store `nagrel` uses when `--db` is not given.
pub const DEFAULT_DB: &str = "nagrel.db";

/// nagrel: declarative, resumable protocol decoders and a Mongrel2-style front server.
#[derive(Debug, Parser)]
#[command(name = "nagrel", version, about, after_help = OVERVIEW)]
pub struct Cli {
    /// What to do; without a command, `nagrel` runs the demo: the server on
    /// 127.0.0.1:6767 with a demo config in ./nagrel.db and an in-process handler.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Which server of the store to start.
#[derive(Debug, Clone, clap::Args)]
#[group(multiple = false)]
pub struct Which {
    /// The server's name.
    #[arg(long)]
    pub name: Option<String>,
    /// The server's uuid.
    #[arg(long)]
    pub uuid: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a configuration from the store (and follow it: `nagrel load` while it runs
    /// takes effect without a restart).
    Start {
        /// The config store.
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// The server to start (needed when the store holds several).
        #[command(flatten)]
        which: Which,
    },
    /// Import a Mongrel2 config file into the store, replacing what it held.
    Load {
        /// The config file (Mongrel2's syntax, as `m2sh load -config` reads).
        config: PathBuf,
        /// The config store (created if missing).
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
    },
    /// List the servers in the store.
    Servers {
        /// The config store.
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
    },
    /// List the hosts in the store.
    Hosts {
        /// The config store.
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
    },
    /// List the routes in the store.
    Routes {
        /// The config store.
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
    },
    /// Print the connection state machine.
    Fsm {
        /// As a Graphviz digraph (`nagrel fsm --dot | dot -Tsvg > fsm.svg`); without it,
        /// the transition table as text.
        #[arg(long)]
        dot: bool,
    },
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
Without a command, nagrel runs its demo: the server on http://127.0.0.1:6767/ with
a static page, /handlertest (a handler echoing the request over ZeroMQ) and a
long-poll chat; the config lives in ./nagrel.db, created on first run.

Serving your own config (a Mongrel2 .conf file):
  nagrel load mongrel2.conf --db app.db
  nagrel start --db app.db --name main
  nagrel routes --db app.db

The crates behind it: nagrel-decoder (resumable decoders), nagrel-protocols
(HTTP/1.1, netstring, tnetstring, SCGI, Mongrel2, memcache), nagrel-handler
(writing handlers), nagrel-server. Logs: RUST_LOG=nagrel_server=debug.";

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
        None => start::run(
            std::path::Path::new(DEFAULT_DB),
            Selector::Name("main".into()),
            true,
        ),
        Some(Command::Start { db, which }) => {
            let selector = match (which.name, which.uuid) {
                (Some(name), _) => Selector::Name(name),
                (None, Some(uuid)) => Selector::Uuid(uuid),
                (None, None) => Selector::Only,
            };
            start::run(&db, selector, false)
        }
        Some(Command::Load { config, db }) => {
            report(store::load(&config, &db, &mut std::io::stdout()))
        }
        Some(Command::Servers { db }) => report(store::list(
            store::Listing::Servers,
            &db,
            &mut std::io::stdout(),
        )),
        Some(Command::Hosts { db }) => report(store::list(
            store::Listing::Hosts,
            &db,
            &mut std::io::stdout(),
        )),
        Some(Command::Routes { db }) => report(store::list(
            store::Listing::Routes,
            &db,
            &mut std::io::stdout(),
        )),
        Some(Command::Fsm { dot }) => {
            if dot {
                print!("{}", crate::fsm::dot());
            } else {
                for transition in crate::fsm::TRANSITIONS {
                    println!("{transition}");
                }
            }
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

/// Exit status for a store command: errors go to stderr.
fn report(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nagrel: {e}");
            ExitCode::from(1)
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
