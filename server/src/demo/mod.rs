//! The demo `nagrel` runs with no arguments (what `cargo run --release` starts): a store
//! at `./nagrel.db` holding [`DEMO_CONF`] (created on first run), a static page, and an
//! in-process handler serving `/handlertest` and a long-poll chat.
//!
//! # Layout
//!
//! - `demo.conf`: the configuration, in Mongrel2's config language.
//! - `static/index.html`: the page (with the chat's script), written to
//!   `./nagrel-demo/` when missing.
//! - [`handler`]: the echo and chat handler.

pub mod handler;

use std::io;
use std::path::Path;

use crate::config::{parse_config, Config, ConfigError, Target};

/// The demo configuration (a Mongrel2 config file).
pub const DEMO_CONF: &str = include_str!("demo.conf");

/// The demo's static page.
pub const INDEX_HTML: &str = include_str!("static/index.html");

/// The directory the demo page is written to, relative to the working directory.
pub const STATIC_DIR: &str = "nagrel-demo";

/// The demo configuration, parsed.
///
/// # Errors
///
/// Only if [`DEMO_CONF`] were malformed (a test keeps it parsing).
///
/// ```
/// let config = nagrel_server::demo::config().unwrap();
/// assert_eq!(config.servers[0].port, 6767);
/// ```
pub fn config() -> Result<Config, ConfigError> {
    parse_config(DEMO_CONF)
}

/// Writes the demo page under `root` (as `nagrel-demo/index.html`) unless it exists, so
/// an edited page survives restarts.
///
/// # Errors
///
/// The directory or file cannot be created.
pub fn write_static(root: &Path) -> io::Result<()> {
    let dir = root.join(STATIC_DIR);
    std::fs::create_dir_all(&dir)?;
    let index = dir.join("index.html");
    if !index.exists() {
        std::fs::write(index, INDEX_HTML)?;
    }
    Ok(())
}

/// The demo handler's `(send_spec, recv_spec)` in `config`: the first handler whose
/// endpoints are `inproc://` (only an in-process handler can reach those).
pub fn inproc_handler(config: &Config) -> Option<(String, String)> {
    let mut targets = config
        .servers
        .iter()
        .flat_map(|s| &s.hosts)
        .flat_map(|h| &h.routes)
        .map(|r| &r.target);
    targets.find_map(|t| match t {
        Target::Handler(h) if h.send_spec.starts_with("inproc://") => {
            Some((h.send_spec.clone(), h.recv_spec.clone()))
        }
        _ => None,
    })
}
