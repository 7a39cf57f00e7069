//! `nagrel load` and `nagrel list`: a Mongrel2 `.conf` file into the config store, and
//! the store's servers, hosts and routes as tables.
//!
//! These are the counterparts of `m2sh load -config FILE -db DB` and `m2sh servers`,
//! `m2sh hosts`, `m2sh routes`. Errors come back as one line of text, configuration
//! errors in the `FILE:LINE:COLUMN: message` form editors and terminals link to.

use std::io::Write;
use std::path::Path;

use crate::config::parse::parse_config_bytes;
use std::time::Duration;

use bytes::Bytes;
use nagrel_protocols::tnetstring::{Dict, Value};

use crate::config::store::StoreError;
use crate::config::{Store, Target};

/// What `nagrel list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Listing {
    /// Name, uuid, listening address and default host of each server.
    Servers,
    /// Server, name and matching pattern of each host.
    Hosts,
    /// Server, host, path and target of each route.
    Routes,
}

/// Parses the configuration file `config`, imports it into the store at `db`
/// (replacing what was there) and writes a one-line summary to `out`.
///
/// ```
/// use nagrel_server::cli::store::load;
///
/// let dir = std::env::temp_dir().join(format!("nagrel-cli-load-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let conf = dir.join("bad.conf");
/// std::fs::write(&conf, "main = Server(\n  uuid='x' port=1]\n").unwrap();
/// let err = load(&conf, &dir.join("db"), &mut Vec::new()).unwrap_err();
/// assert_eq!(
///     err,
///     format!("{}:2:18: expected ')' after argument list, found ']'", conf.display())
/// );
/// # let _ = std::fs::remove_dir_all(&dir);
/// ```
pub fn load(config: &Path, db: &Path, out: &mut impl Write) -> Result<(), String> {
    let bytes = std::fs::read(config).map_err(|e| format!("{}: {e}", config.display()))?;
    let parsed = parse_config_bytes(&bytes).map_err(|e| {
        format!(
            "{}:{}:{}: {}",
            config.display(),
            e.line(),
            e.column(),
            e.message()
        )
    })?;
    let store = match Store::open(db) {
        Ok(store) => store,
        // A running server holds the store: hand the configuration to it.
        Err(StoreError::Locked(_)) => return load_into_running(config, &bytes, db, out),
        Err(e) => return Err(format!("{}: {e}", db.display())),
    };
    let imported = store
        .import(&parsed)
        .map_err(|e| format!("{}: {e}", db.display()))?;
    writeln!(
        out,
        "loaded {} into {} (version {}): {}, {}, {}, {}, {}, {}, {}, {}",
        config.display(),
        db.display(),
        imported.version,
        count(imported.servers, "server", "servers"),
        count(imported.hosts, "host", "hosts"),
        count(imported.routes, "route", "routes"),
        count(imported.handlers, "handler", "handlers"),
        count(imported.directories, "directory", "directories"),
        count(imported.proxies, "proxy", "proxies"),
        count(imported.settings, "setting", "settings"),
        count(imported.mimetypes, "mimetype", "mimetypes"),
    )
    .map_err(|e| format!("writing output: {e}"))
}

/// `nagrel load` while a server runs on `db`: sends the configuration to the server's
/// control port (named in the store directory), which serves it and stores it.
fn load_into_running(
    config: &Path,
    text: &[u8],
    db: &Path,
    out: &mut impl Write,
) -> Result<(), String> {
    let marker = db.join(crate::control::ENDPOINT_FILE);
    let endpoint = std::fs::read_to_string(&marker).map_err(|_| {
        format!(
            "{}: the store is in use by another process, and no control port is recorded in {}",
            db.display(),
            marker.display()
        )
    })?;
    let mut args = Dict::default();
    args.push("config", Value::Bytes(Bytes::copy_from_slice(text)));
    let reply = crate::control::request(endpoint.trim(), "load", args, Duration::from_secs(30))?;
    let dict = reply.as_dict().ok_or("malformed reply from the server")?;
    if let Some(error) = dict.get(b"error").and_then(Value::as_bytes) {
        return Err(format!(
            "{}: the running server refused it: {}",
            config.display(),
            String::from_utf8_lossy(error)
        ));
    }
    let version = dict
        .get(b"rows")
        .and_then(Value::as_list)
        .and_then(|rows| rows.first())
        .and_then(Value::as_list)
        .and_then(|row| row.first())
        .and_then(Value::as_integer)
        .unwrap_or_default();
    writeln!(
        out,
        "loaded {} into the running server on {} (version {version}); it serves it now",
        config.display(),
        db.display()
    )
    .map_err(|e| format!("writing output: {e}"))
}

/// Writes the servers, hosts or routes of the store at `db` to `out` as an aligned
/// table with a header line.
///
/// ```
/// use nagrel_server::cli::store::{list, Listing};
/// use nagrel_server::config::{parse_config, Store};
///
/// let dir = std::env::temp_dir().join(format!("nagrel-cli-list-doc-{}", std::process::id()));
/// let config = parse_config(r#"
///     main = Server(uuid="u-1", name="main", port=6767, default_host="localhost",
///         hosts=[Host(name="localhost", routes={'/': Proxy(addr='127.0.0.1', port=8080)})])
///     servers = [main]
/// "#).unwrap();
/// Store::open(&dir).unwrap().import(&config).unwrap();
/// let mut out = Vec::new();
/// list(Listing::Servers, &dir, &mut out).unwrap();
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "NAME  UUID  BIND          DEFAULT HOST\n\
///      main  u-1   0.0.0.0:6767  localhost\n"
/// );
/// # let _ = std::fs::remove_dir_all(&dir);
/// ```
pub fn list(what: Listing, db: &Path, out: &mut impl Write) -> Result<(), String> {
    // Opening creates a store; listing one that is not there is a mistake to report.
    if !db.exists() {
        return Err(format!(
            "{}: no config store here (create one with `nagrel load`)",
            db.display()
        ));
    }
    let store = Store::open(db).map_err(|e| format!("{}: {e}", db.display()))?;
    let fail = |e: crate::config::StoreError| format!("{}: {e}", db.display());
    let mut table = match what {
        Listing::Servers => {
            let mut table = Table::new(&["NAME", "UUID", "BIND", "DEFAULT HOST"]);
            for server in store.servers().map_err(fail)? {
                let bind = format!("{}:{}", server.bind_addr, server.port);
                table.row(vec![server.name, server.uuid, bind, server.default_host]);
            }
            table
        }
        Listing::Hosts => {
            let mut table = Table::new(&["SERVER", "NAME", "MATCHING"]);
            for row in store.hosts().map_err(fail)? {
                table.row(vec![row.server, row.host.name, row.host.matching]);
            }
            table
        }
        Listing::Routes => {
            let mut table = Table::new(&["SERVER", "HOST", "PATH", "TARGET", "DETAIL"]);
            for row in store.routes().map_err(fail)? {
                let (kind, detail) = describe(&row.route.target);
                table.row(vec![
                    row.server,
                    row.host,
                    row.route.path,
                    kind.into(),
                    detail,
                ]);
            }
            table
        }
    };
    table.write(out).map_err(|e| format!("writing output: {e}"))
}

/// A target's kind and a one-line summary.
fn describe(target: &Target) -> (&'static str, String) {
    match target {
        Target::Handler(h) => (
            "handler",
            format!(
                "send {} recv {} ({})",
                h.send_spec,
                h.recv_spec,
                match h.protocol {
                    nagrel_protocols::mongrel2::HeaderFormat::Json => "json",
                    nagrel_protocols::mongrel2::HeaderFormat::Tnetstring => "tnetstring",
                }
            ),
        ),
        Target::Dir(d) => (
            "dir",
            format!(
                "{} (index {}, default {})",
                d.base, d.index_file, d.default_ctype
            ),
        ),
        Target::Proxy(p) => ("proxy", format!("{}:{}", p.addr, p.port)),
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Columns padded to their widest cell, two spaces apart, no trailing spaces.
struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&str]) -> Self {
        Table {
            rows: vec![header.iter().map(|h| (*h).to_owned()).collect()],
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn write(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &self.rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let pad = widths[c] - cell.chars().count();
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad + 2));
                }
            }
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_by_characters() {
        let mut table = Table::new(&["A", "BB", "C"]);
        table.row(vec!["héllo".into(), "x".into(), "last".into()]);
        let mut out = Vec::new();
        table.write(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "A      BB  C\nhéllo  x   last\n"
        );
    }

    #[test]
    fn counts_pluralize() {
        assert_eq!(count(1, "proxy", "proxies"), "1 proxy");
        assert_eq!(count(0, "proxy", "proxies"), "0 proxies");
    }
}
