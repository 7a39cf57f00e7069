//! The configuration store: typed records in sled, replaced atomically, watched for
//! changes.
//!
//! Mongrel2 keeps its configuration in sqlite tables that `m2sh load` rewrites and the
//! server reads at start and on `reload`. nagrel keeps the same tables as sled trees and
//! adds a `version` counter that every write bumps in the same transaction as the records
//! it changes. A running server [`subscribe`](Store::subscribe)s to that key and reloads
//! when it moves; readers take a consistent [`snapshot`](Store::snapshot) by reading the
//! version before and after the records and retrying if it changed.
//!
//! sled runs a transaction under an exclusive lock against every other operation on the
//! database, so an import is all-or-nothing for any reader, and a version read inside the
//! transaction is the current one: writers check it against what they saw when they
//! listed the old records, and start over if another writer came in between.
//!
//! Records are tnetstring dictionaries; id keys are 8-byte big-endian numbers, so a tree
//! iterates in file order. Handlers, directories and proxies are records of their own that
//! routes refer to by id, so a handler shared by several routes is stored once. Schema 1:
//!
//! | tree | key | value |
//! |---|---|---|
//! | `servers` | id | `{uuid, name, bind_addr, port#, default_host, access_log, error_log, chroot, pid_file, control_port, use_ssl!}` |
//! | `hosts` | id | `{server#, name, matching}` |
//! | `routes` | id | `{host#, path, target_type, target#}`, `target_type` one of `handler`, `dir`, `proxy` |
//! | `handlers` | id | `{send_spec, send_ident, recv_spec, recv_ident, raw_payload!, protocol}` |
//! | `directories` | id | `{base, index_file, default_ctype, cache_ttl#}` |
//! | `proxies` | id | `{addr, port#}` |
//! | `settings` | key | the value, a byte string |
//! | `mimetypes` | extension | the type, a byte string |
//! | `meta` | `schema`, `version` | integers |
//! | `meta` | `maintenance` | `{target_type, target#}`, when a maintenance target is set |
//!
//! The store carries a schema version; a store written by a newer layout is refused with
//! [`StoreError::NewerSchema`] rather than misread.
//!
//! ```
//! use nagrel_server::config::{parse::parse_config, Store};
//!
//! let dir = std::env::temp_dir().join(format!("nagrel-store-doc-{}", std::process::id()));
//! let store = Store::open(&dir).unwrap();
//! let config = parse_config(r#"
//!     main = Server(uuid="u-1", name="main", port=6767, default_host="localhost",
//!         hosts=[Host(name="localhost", routes={'/': Proxy(addr='127.0.0.1', port=8080)})])
//!     servers = [main]
//! "#).unwrap();
//! let imported = store.import(&config).unwrap();
//! assert_eq!(imported.version, 1);
//! assert_eq!(store.load().unwrap(), config);
//! # drop(store);
//! # let _ = std::fs::remove_dir_all(&dir);
//! ```

mod error;
mod records;

pub use error::StoreError;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use sled::{IVec, Subscriber};

use self::records::{corrupt, id_key, parse_id, Record, TargetKind};
use crate::config::model::{Config, Dir, Handler, Host, Proxy, Route, Server, Target};
use crate::config::settings::Settings;

/// The trees, in the order [`Store`] keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Servers,
    Hosts,
    Routes,
    Handlers,
    Directories,
    Proxies,
    Settings,
    Mimetypes,
    Meta,
}

impl Table {
    const ALL: [Table; 9] = [
        Table::Servers,
        Table::Hosts,
        Table::Routes,
        Table::Handlers,
        Table::Directories,
        Table::Proxies,
        Table::Settings,
        Table::Mimetypes,
        Table::Meta,
    ];

    /// The trees an import replaces entirely (all but `meta`).
    const DATA: [Table; 8] = [
        Table::Servers,
        Table::Hosts,
        Table::Routes,
        Table::Handlers,
        Table::Directories,
        Table::Proxies,
        Table::Settings,
        Table::Mimetypes,
    ];

    fn name(self) -> &'static str {
        match self {
            Table::Servers => "servers",
            Table::Hosts => "hosts",
            Table::Routes => "routes",
            Table::Handlers => "handlers",
            Table::Directories => "directories",
            Table::Proxies => "proxies",
            Table::Settings => "settings",
            Table::Mimetypes => "mimetypes",
            Table::Meta => "meta",
        }
    }
}

const SCHEMA_KEY: &[u8] = b"schema";
const VERSION_KEY: &[u8] = b"version";
const MAINTENANCE_KEY: &[u8] = b"maintenance";

/// How many times a write or a snapshot starts over when other writers get in the way.
const ATTEMPTS: usize = 64;

/// What [`Store::import`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// The store's version after the import.
    pub version: u64,
    /// Servers written.
    pub servers: usize,
    /// Hosts written.
    pub hosts: usize,
    /// Routes written.
    pub routes: usize,
    /// Distinct handlers written (one record however many routes share it).
    pub handlers: usize,
    /// Distinct directories written.
    pub directories: usize,
    /// Distinct proxies written.
    pub proxies: usize,
    /// Settings written.
    pub settings: usize,
    /// Mimetypes written.
    pub mimetypes: usize,
}

/// One row of a host listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRow {
    /// The server's name.
    pub server: String,
    /// The host.
    pub host: Host,
}

/// One row of a route listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRow {
    /// The server's name.
    pub server: String,
    /// The host's name.
    pub host: String,
    /// The route.
    pub route: Route,
}

/// A sled database holding one configuration.
///
/// Cloning is cheap and every clone sees the same data. sled locks the database
/// directory, so one process at a time can open it.
#[derive(Debug, Clone)]
pub struct Store {
    db: sled::Db,
    trees: Vec<sled::Tree>,
}

/// The writes of one transaction, prepared outside it.
#[derive(Default)]
struct Writes {
    /// Records to insert, per tree.
    puts: Vec<(Table, Vec<u8>, Vec<u8>)>,
    /// Whether to empty the data trees first.
    replace: bool,
    /// What to do with `meta/maintenance`.
    maintenance: Maintenance,
}

#[derive(Default)]
enum Maintenance {
    #[default]
    Keep,
    Set(Vec<u8>),
    Clear,
}

/// Why a transaction gave up.
enum Abort {
    /// The version moved since the old keys were listed.
    Changed,
    Error(StoreError),
}

impl Store {
    /// The newest record layout this build reads and writes.
    pub const SCHEMA_VERSION: u64 = 1;

    /// Opens (or creates) the store in directory `path`.
    ///
    /// A new store gets the current schema version and version 0 (nothing imported); a
    /// store with a newer schema is refused.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let db = open_db(path.as_ref())?;
        let trees = Table::ALL
            .iter()
            .map(|table| db.open_tree(table.name()))
            .collect::<Result<Vec<_>, _>>()?;
        let store = Store { db, trees };
        store.check_schema()?;
        Ok(store)
    }

    /// Opens the store in `path`, importing `default()` if nothing was ever imported
    /// into it.
    ///
    /// ```
    /// use nagrel_server::config::{Config, Store};
    ///
    /// let dir = std::env::temp_dir().join(format!("nagrel-init-doc-{}", std::process::id()));
    /// let store = Store::open_or_init(&dir, Config::default).unwrap();
    /// assert_eq!(store.version().unwrap(), 1);
    /// drop(store);
    /// let store = Store::open_or_init(&dir, || unreachable!("not new")).unwrap();
    /// assert_eq!(store.version().unwrap(), 1);
    /// # drop(store);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// ```
    pub fn open_or_init(
        path: impl AsRef<Path>,
        default: impl FnOnce() -> Config,
    ) -> Result<Store, StoreError> {
        let store = Store::open(path)?;
        if store.tree(Table::Meta).get(VERSION_KEY)?.is_none() {
            store.import(&default())?;
        }
        Ok(store)
    }

    fn tree(&self, table: Table) -> &sled::Tree {
        &self.trees[table as usize]
    }

    fn check_schema(&self) -> Result<(), StoreError> {
        let meta = self.tree(Table::Meta);
        match meta.get(SCHEMA_KEY)? {
            Some(bytes) => {
                let found = records::int_from("meta", SCHEMA_KEY, &bytes)?;
                if found > Self::SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        found,
                        supported: Self::SCHEMA_VERSION,
                    });
                }
                if found == 0 {
                    return Err(corrupt("meta", SCHEMA_KEY, "schema version 0"));
                }
                Ok(())
            }
            None => {
                if let Some(table) = Table::ALL.iter().find(|t| !self.tree(**t).is_empty()) {
                    return Err(corrupt(
                        table.name(),
                        b"",
                        "the store has records but no schema version",
                    ));
                }
                let schema = records::encode(
                    "meta",
                    SCHEMA_KEY,
                    &records::int_value(Self::SCHEMA_VERSION),
                )?;
                meta.insert(SCHEMA_KEY, schema)?;
                meta.flush()?;
                Ok(())
            }
        }
    }

    /// The current version: 0 before the first import, then one more for every write.
    pub fn version(&self) -> Result<u64, StoreError> {
        match self.tree(Table::Meta).get(VERSION_KEY)? {
            Some(bytes) => records::int_from("meta", VERSION_KEY, &bytes),
            None => Ok(0),
        }
    }

    /// A subscription to version changes: every write the store commits from now on
    /// shows up as one event. Await it with [`changed`].
    pub fn subscribe(&self) -> Subscriber {
        self.tree(Table::Meta).watch_prefix(VERSION_KEY)
    }

    /// Replaces the whole configuration with `config` in one transaction that also bumps
    /// the version, then flushes to disk.
    ///
    /// Handlers, directories and proxies are stored once each however many routes (or the
    /// maintenance target) use them. Settings are checked against [`Settings`] first, so
    /// a store never holds a value the server would refuse.
    pub fn import(&self, config: &Config) -> Result<Imported, StoreError> {
        Settings::from_map(&config.settings)?;
        let (writes, mut imported) = plan(config)?;
        imported.version = self.commit(&writes)?;
        Ok(imported)
    }

    /// Sets one setting (checked against [`Settings`] first) and bumps the version.
    /// Returns the new version.
    ///
    /// ```
    /// use nagrel_server::config::{Config, Store};
    ///
    /// let dir = std::env::temp_dir().join(format!("nagrel-set-doc-{}", std::process::id()));
    /// let store = Store::open_or_init(&dir, Config::default).unwrap();
    /// assert_eq!(store.set_setting("maintenance.enabled", "1").unwrap(), 2);
    /// assert!(store.settings().unwrap().maintenance);
    /// assert!(store.set_setting("maintenance.enabled", "maybe").is_err());
    /// # drop(store);
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// ```
    pub fn set_setting(&self, key: &str, value: &str) -> Result<u64, StoreError> {
        let mut map = self.setting_map()?;
        map.insert(key.to_owned(), value.to_owned());
        Settings::from_map(&map)?;
        let bytes = records::encode("settings", key.as_bytes(), &records::text_value(value))?;
        let writes = Writes {
            puts: vec![(Table::Settings, key.as_bytes().to_vec(), bytes)],
            ..Writes::default()
        };
        self.commit(&writes)
    }

    /// The typed settings stored now.
    pub fn settings(&self) -> Result<Settings, StoreError> {
        Ok(Settings::from_map(&self.setting_map()?)?)
    }

    fn setting_map(&self) -> Result<BTreeMap<String, String>, StoreError> {
        self.text_tree(Table::Settings)
    }

    /// Runs `writes` in one transaction with a version bump; returns the new version.
    fn commit(&self, writes: &Writes) -> Result<u64, StoreError> {
        for _ in 0..ATTEMPTS {
            let before = self.version()?;
            let mut stale: Vec<(Table, IVec)> = Vec::new();
            if writes.replace {
                for table in Table::DATA {
                    for key in self.tree(table).iter().keys() {
                        stale.push((table, key?));
                    }
                }
            }
            let after = before
                .checked_add(1)
                .filter(|&v| i64::try_from(v).is_ok())
                .ok_or_else(|| corrupt("meta", VERSION_KEY, "the version counter is exhausted"))?;
            let version = records::encode("meta", VERSION_KEY, &records::int_value(after))?;
            let result = self.trees[..].transaction(|trees| {
                let current = match trees[Table::Meta as usize].get(VERSION_KEY)? {
                    Some(bytes) => records::int_from("meta", VERSION_KEY, &bytes)
                        .map_err(|err| ConflictableTransactionError::Abort(Abort::Error(err)))?,
                    None => 0,
                };
                if current != before {
                    return Err(ConflictableTransactionError::Abort(Abort::Changed));
                }
                for (table, key) in &stale {
                    trees[*table as usize].remove(key)?;
                }
                for (table, key, value) in &writes.puts {
                    trees[*table as usize].insert(key.as_slice(), value.as_slice())?;
                }
                let meta = &trees[Table::Meta as usize];
                match &writes.maintenance {
                    Maintenance::Keep => {}
                    Maintenance::Set(value) => {
                        meta.insert(MAINTENANCE_KEY, value.as_slice())?;
                    }
                    Maintenance::Clear => {
                        meta.remove(MAINTENANCE_KEY)?;
                    }
                }
                meta.insert(VERSION_KEY, version.as_slice())?;
                Ok(after)
            });
            match result {
                Ok(version) => {
                    self.db.flush()?;
                    return Ok(version);
                }
                Err(TransactionError::Abort(Abort::Changed)) => continue,
                Err(TransactionError::Abort(Abort::Error(err))) => return Err(err),
                Err(TransactionError::Storage(err)) => return Err(err.into()),
            }
        }
        Err(StoreError::Busy)
    }

    /// The stored configuration.
    pub fn load(&self) -> Result<Config, StoreError> {
        self.snapshot().map(|(_, config)| config)
    }

    /// The stored configuration and the version it is: the version is read before and
    /// after the records, and the read starts over if a write came in between.
    pub fn snapshot(&self) -> Result<(u64, Config), StoreError> {
        for _ in 0..ATTEMPTS {
            let before = self.version()?;
            let config = self.read_config();
            if self.version()? == before {
                return config.map(|config| (before, config));
            }
        }
        Err(StoreError::Busy)
    }

    fn read_config(&self) -> Result<Config, StoreError> {
        let handlers = self.id_tree(Table::Handlers, records::handler_from)?;
        let directories = self.id_tree(Table::Directories, records::dir_from)?;
        let proxies = self.id_tree(Table::Proxies, records::proxy_from)?;
        let target = |tree: &'static str, key: &[u8], (kind, id): (TargetKind, u64)| {
            let found = match kind {
                TargetKind::Handler => handlers.get(&id).cloned().map(Target::Handler),
                TargetKind::Dir => directories.get(&id).cloned().map(Target::Dir),
                TargetKind::Proxy => proxies.get(&id).cloned().map(Target::Proxy),
            };
            found.ok_or_else(|| corrupt(tree, key, format!("no {kind:?} record {id}")))
        };

        let mut servers: Vec<Server> = Vec::new();
        let mut server_index = HashMap::new();
        for (id, server) in self.id_tree(Table::Servers, records::server_from)? {
            server_index.insert(id, servers.len());
            servers.push(server);
        }
        let mut host_index = HashMap::new();
        for entry in self.tree(Table::Hosts).iter() {
            let (key, bytes) = entry?;
            let id = parse_id("hosts", &key)?;
            let (server_id, host) = records::host_from(&Record::decode("hosts", &key, &bytes)?)?;
            let Some(&s) = server_index.get(&server_id) else {
                return Err(corrupt(
                    "hosts",
                    &key,
                    format!("no server record {server_id}"),
                ));
            };
            host_index.insert(id, (s, servers[s].hosts.len()));
            servers[s].hosts.push(host);
        }
        for entry in self.tree(Table::Routes).iter() {
            let (key, bytes) = entry?;
            let route = records::route_from(&Record::decode("routes", &key, &bytes)?)?;
            let Some(&(s, h)) = host_index.get(&route.host) else {
                return Err(corrupt(
                    "routes",
                    &key,
                    format!("no host record {}", route.host),
                ));
            };
            let target = target("routes", &key, route.target)?;
            servers[s].hosts[h].routes.push(Route {
                path: route.path,
                target,
            });
        }
        let maintenance = match self.tree(Table::Meta).get(MAINTENANCE_KEY)? {
            Some(bytes) => {
                let record = Record::decode("meta", MAINTENANCE_KEY, &bytes)?;
                let reference = records::target_ref_from(&record)?;
                Some(target("meta", MAINTENANCE_KEY, reference)?)
            }
            None => None,
        };
        Ok(Config {
            servers,
            settings: self.text_tree(Table::Settings)?,
            mimetypes: self.text_tree(Table::Mimetypes)?,
            maintenance,
        })
    }

    /// Every record of an id-keyed tree, decoded with `from`.
    fn id_tree<T>(
        &self,
        table: Table,
        from: fn(&Record<'_>) -> Result<T, StoreError>,
    ) -> Result<BTreeMap<u64, T>, StoreError> {
        let mut out = BTreeMap::new();
        for entry in self.tree(table).iter() {
            let (key, bytes) = entry?;
            let id = parse_id(table.name(), &key)?;
            out.insert(id, from(&Record::decode(table.name(), &key, &bytes)?)?);
        }
        Ok(out)
    }

    /// A text-keyed tree of text values.
    fn text_tree(&self, table: Table) -> Result<BTreeMap<String, String>, StoreError> {
        let mut out = BTreeMap::new();
        for entry in self.tree(table).iter() {
            let (key, bytes) = entry?;
            let name = String::from_utf8(key.to_vec())
                .map_err(|_| corrupt(table.name(), &key, "the key is not UTF-8"))?;
            out.insert(name, records::text_from(table.name(), &key, &bytes)?);
        }
        Ok(out)
    }

    /// The servers, with their hosts and routes, from a snapshot.
    pub fn servers(&self) -> Result<Vec<Server>, StoreError> {
        Ok(self.load()?.servers)
    }

    /// Every host with its server's name, in order.
    pub fn hosts(&self) -> Result<Vec<HostRow>, StoreError> {
        let mut rows = Vec::new();
        for server in self.servers()? {
            for host in server.hosts {
                rows.push(HostRow {
                    server: server.name.clone(),
                    host,
                });
            }
        }
        Ok(rows)
    }

    /// Every route with its server's and host's names, in order.
    pub fn routes(&self) -> Result<Vec<RouteRow>, StoreError> {
        let mut rows = Vec::new();
        for server in self.servers()? {
            for host in server.hosts {
                for route in host.routes {
                    rows.push(RouteRow {
                        server: server.name.clone(),
                        host: host.name.clone(),
                        route,
                    });
                }
            }
        }
        Ok(rows)
    }
}

/// Opens the sled database at `path`, waiting a little for its lock.
///
/// sled releases a database's lock file from background threads shortly after the last
/// handle is dropped, so a store closed and reopened at once (a CLI command right after
/// another) can find it still held; beyond that short wait the holder is another process.
fn open_db(path: &Path) -> Result<sled::Db, StoreError> {
    const LOCK_WAITS: u32 = 40;
    const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(25);
    let mut waits = 0;
    loop {
        match sled::Config::new().path(path).open() {
            Err(sled::Error::Io(err)) if is_lock_error(&err) => {
                if waits == LOCK_WAITS {
                    return Err(StoreError::Locked(path.to_path_buf()));
                }
                waits += 1;
                std::thread::sleep(LOCK_WAIT);
            }
            other => return Ok(other?),
        }
    }
}

/// sled reports a held lock only as an `Other` I/O error with this message.
fn is_lock_error(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::Other && err.to_string().starts_with("could not acquire lock")
}

/// Waits for the next version change `sub` reports and returns the new version; `None`
/// once the store is closed.
///
/// Several writes may be queued by the time the caller looks: a server reloading on each
/// event should take a [`Store::snapshot`] and skip events for versions it already has.
///
/// ```
/// use nagrel_server::config::{store::changed, Config, Store};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("nagrel-watch-doc-{}", std::process::id()));
/// let store = Store::open(&dir).unwrap();
/// let mut sub = store.subscribe();
/// store.import(&Config::default()).unwrap();
/// assert_eq!(changed(&mut sub).await, Some(1));
/// # drop(store);
/// # let _ = std::fs::remove_dir_all(&dir);
/// # });
/// ```
pub async fn changed(sub: &mut Subscriber) -> Option<u64> {
    loop {
        match (&mut *sub).await? {
            sled::Event::Insert { key, value } if &*key == VERSION_KEY => {
                if let Ok(version) = records::int_from("meta", VERSION_KEY, &value) {
                    return Some(version);
                }
            }
            // Only versions are watched and the store never removes it; anything else
            // is not a change worth reporting.
            _ => {}
        }
    }
}

/// Assigns ids in file order and encodes every record of `config`.
fn plan(config: &Config) -> Result<(Writes, Imported), StoreError> {
    let mut writes = Writes {
        replace: true,
        maintenance: Maintenance::Clear,
        ..Writes::default()
    };
    let mut targets = Targets::default();
    let mut imported = Imported {
        version: 0,
        servers: config.servers.len(),
        hosts: 0,
        routes: 0,
        handlers: 0,
        directories: 0,
        proxies: 0,
        settings: config.settings.len(),
        mimetypes: config.mimetypes.len(),
    };
    let mut host_id = 0u64;
    let mut route_id = 0u64;
    for (server_id, server) in (1u64..).zip(&config.servers) {
        put(
            &mut writes,
            Table::Servers,
            &id_key(server_id),
            &records::server_value(server),
        )?;
        for host in &server.hosts {
            host_id += 1;
            imported.hosts += 1;
            put(
                &mut writes,
                Table::Hosts,
                &id_key(host_id),
                &records::host_value(server_id, host),
            )?;
            for route in &host.routes {
                route_id += 1;
                imported.routes += 1;
                let target = targets.id(&mut writes, &route.target)?;
                let value = records::route_value(host_id, &route.path, target);
                put(&mut writes, Table::Routes, &id_key(route_id), &value)?;
            }
        }
    }
    if let Some(target) = &config.maintenance {
        let reference = targets.id(&mut writes, target)?;
        let value = records::target_ref_value(reference);
        writes.maintenance = Maintenance::Set(records::encode("meta", MAINTENANCE_KEY, &value)?);
    }
    for (key, value) in &config.settings {
        put(
            &mut writes,
            Table::Settings,
            key.as_bytes(),
            &records::text_value(value),
        )?;
    }
    for (ext, mimetype) in &config.mimetypes {
        put(
            &mut writes,
            Table::Mimetypes,
            ext.as_bytes(),
            &records::text_value(mimetype),
        )?;
    }
    imported.handlers = targets.handlers.len();
    imported.directories = targets.dirs.len();
    imported.proxies = targets.proxies.len();
    Ok((writes, imported))
}

fn put(
    writes: &mut Writes,
    table: Table,
    key: &[u8],
    value: &nagrel_protocols::tnetstring::Value,
) -> Result<(), StoreError> {
    let bytes = records::encode(table.name(), key, value)?;
    writes.puts.push((table, key.to_vec(), bytes));
    Ok(())
}

/// Target records written so far, so equal targets share one record.
#[derive(Default)]
struct Targets<'c> {
    handlers: HashMap<&'c Handler, u64>,
    dirs: HashMap<&'c Dir, u64>,
    proxies: HashMap<&'c Proxy, u64>,
}

impl<'c> Targets<'c> {
    /// The reference to `target`, writing its record the first time.
    fn id(
        &mut self,
        writes: &mut Writes,
        target: &'c Target,
    ) -> Result<(TargetKind, u64), StoreError> {
        match target {
            Target::Handler(h) => Self::record(
                &mut self.handlers,
                writes,
                Table::Handlers,
                h,
                records::handler_value,
            )
            .map(|id| (TargetKind::Handler, id)),
            Target::Dir(d) => Self::record(
                &mut self.dirs,
                writes,
                Table::Directories,
                d,
                records::dir_value,
            )
            .map(|id| (TargetKind::Dir, id)),
            Target::Proxy(p) => Self::record(
                &mut self.proxies,
                writes,
                Table::Proxies,
                p,
                records::proxy_value,
            )
            .map(|id| (TargetKind::Proxy, id)),
        }
    }

    fn record<T: Eq + std::hash::Hash>(
        seen: &mut HashMap<&'c T, u64>,
        writes: &mut Writes,
        table: Table,
        item: &'c T,
        value: fn(&T) -> nagrel_protocols::tnetstring::Value,
    ) -> Result<u64, StoreError> {
        if let Some(&id) = seen.get(item) {
            return Ok(id);
        }
        let id = u64::try_from(seen.len())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        put(writes, table, &id_key(id), &value(item))?;
        seen.insert(item, id);
        Ok(id)
    }
}
