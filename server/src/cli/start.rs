//! `nagrel start` and the demo: open the store, bind the server, follow the store for
//! changes, serve until Ctrl-C (or SIGTERM).

use std::path::Path;
use std::process::ExitCode;

use crate::config::store::Store;
use crate::config::{Config, Settings};
use crate::demo;
use crate::server::{Selector, Server};

/// Runs `nagrel start` (or, with `demo`, the demo) to the end, on a multi-threaded
/// runtime; errors are printed and give exit status 1.
pub fn run(db: &Path, selector: Selector, demo: bool) -> ExitCode {
    init_tracing();
    match open(db, demo).and_then(|(store, config)| {
        let threads = Settings::from_map(&config.settings)
            .map(|s| s.threads)
            .unwrap_or(1);
        let runtime = runtime(threads).map_err(|e| format!("cannot start the runtime: {e}"))?;
        runtime.block_on(serve(db, store, config, selector, demo))
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nagrel: {e}");
            ExitCode::from(1)
        }
    }
}

/// One thread (`server.threads = 1`): a current-thread runtime, no work stealing and no
/// cross-thread wake-ups. More: a multi-threaded one with that many workers.
fn runtime(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
}

/// Opens the store (creating the demo one on first run) and reads the configuration.
fn open(db: &Path, demo: bool) -> Result<(Store, Config), String> {
    let shown = db.display();
    let store = if demo {
        Store::open_or_init(db, || demo::config().unwrap_or_default())
    } else {
        Store::open(db)
    }
    .map_err(|e| format!("opening the store {shown}: {e}"))?;
    let config = store
        .load()
        .map_err(|e| format!("reading the store {shown}: {e}"))?;
    if config.servers.is_empty() {
        return Err(format!(
            "the store {shown} holds no server: import a config first with `nagrel load CONFIG --db {shown}`"
        ));
    }
    Ok((store, config))
}

/// Logs to stderr, filtered by `RUST_LOG` (default: `info`; `RUST_LOG=nagrel_server=debug`
/// shows every connection state transition).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

async fn serve(
    db: &Path,
    store: Store,
    config: Config,
    selector: Selector,
    demo: bool,
) -> Result<(), String> {
    if demo {
        demo::write_static(Path::new("."))
            .map_err(|e| format!("writing the demo page under ./{}: {e}", demo::STATIC_DIR))?;
    }
    let server = Server::bind(&config, selector.clone())
        .await
        .map_err(|e| format!("starting the server: {e}"))?;
    let addr = server
        .local_addr()
        .map_err(|e| format!("reading the listening address: {e}"))?;
    if demo {
        match demo::inproc_handler(&config) {
            Some((send_spec, recv_spec)) => {
                let ctx = server.zmq_context();
                tokio::spawn(async move {
                    if let Err(e) = demo::handler::run(&ctx, &send_spec, &recv_spec).await {
                        tracing::error!(error = %e, "demo handler failed to start");
                    }
                });
            }
            None => tracing::warn!(
                "the demo config has no inproc handler; /handlertest will answer 503"
            ),
        }
    }
    let record = crate::server::select(&config, &selector).map_err(|e| e.to_string())?;
    let endpoint = crate::control::resolve_endpoint(&record.control_port, record.root());
    let _control = match crate::control::start(
        &server.zmq_context(),
        &endpoint,
        db,
        store.clone(),
        server.shared(),
    ) {
        Ok(port) => Some(port),
        Err(e) => {
            tracing::warn!(error = %e, "no control port: `nagrel load` cannot reach this server");
            None
        }
    };
    tokio::spawn(crate::server::follow_store(store, server.shared()));
    print_banner(&config, addr, demo);
    server
        .run(shutdown_signal())
        .await
        .map_err(|e| format!("serving: {e}"))?;
    eprintln!("nagrel: stopped");
    Ok(())
}

fn print_banner(config: &Config, addr: std::net::SocketAddr, demo: bool) {
    if demo {
        println!("nagrel demo listening on http://{addr}/");
        println!("  http://{addr}/             a static page (nagrel-demo/index.html)");
        println!("  http://{addr}/handlertest  a handler echoing your request over ZeroMQ");
        println!(
            "  http://{addr}/             also holds the long-poll chat: open it in two browsers"
        );
        println!(
            "config store: ./nagrel.db (change it live with `nagrel load FILE`); Ctrl-C stops"
        );
    } else {
        let names: Vec<&str> = config.servers.iter().map(|s| s.name.as_str()).collect();
        println!(
            "nagrel listening on http://{addr}/ (servers in store: {})",
            names.join(", ")
        );
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
