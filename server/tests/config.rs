//! The configuration layer end to end: `.conf` files parsed, imported into the sled
//! store, loaded back, watched, listed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nagrel_protocols::mongrel2::HeaderFormat;
use nagrel_server::cli::store::{list, load, Listing};
use nagrel_server::config::parse::{parse_config, ConfigErrorKind};
use nagrel_server::config::store::changed;
use nagrel_server::config::{Config, Settings, Store, StoreError, Target};

/// A directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("nagrel-config-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The example in docs/mongrel2-compat.md, verbatim.
const COMPAT_EXAMPLE: &str = r#"
h = Handler(send_spec='tcp://127.0.0.1:9997', send_ident='34f9ceee-cd52-4b7f-b197-88bf2f0ec378',
            recv_spec='tcp://127.0.0.1:9996', recv_ident='')
main = Server(uuid="f400bf85-4538-4f7a-8908-67e313d515c2", access_log="/logs/access.log",
    error_log="/logs/error.log", chroot="./", default_host="localhost", name="test",
    pid_file="/run/mongrel2.pid", port=6767,
    hosts=[Host(name="localhost", routes={
        '/static/': Dir(base='static/', index_file='index.html', default_ctype='text/plain'),
        '/handlertest': h})])
settings = {"disable.access_logging": 1}
servers = [main]
"#;

fn interop_conf() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mongrel2.conf");
    std::fs::read_to_string(path).unwrap()
}

fn handler(target: &Target) -> &nagrel_server::config::Handler {
    match target {
        Target::Handler(h) => h,
        other => panic!("not a handler: {other:?}"),
    }
}

#[test]
fn the_compat_doc_example_parses_with_mongrel2_defaults() {
    let config = parse_config(COMPAT_EXAMPLE).unwrap();
    assert_eq!(config.servers.len(), 1);
    let server = &config.servers[0];
    assert_eq!(server.uuid, "f400bf85-4538-4f7a-8908-67e313d515c2");
    assert_eq!(server.name, "test");
    assert_eq!(server.bind_addr, "0.0.0.0");
    assert_eq!(server.port, 6767);
    assert_eq!(server.chroot, "./");
    assert_eq!(server.control_port, "ipc://run/control");
    assert!(!server.use_ssl);
    let host = &server.hosts[0];
    assert_eq!(
        (host.name.as_str(), host.matching.as_str()),
        ("localhost", "localhost")
    );
    assert_eq!(host.routes.len(), 2);
    assert_eq!(host.routes[0].path, "/static/");
    let Target::Dir(dir) = &host.routes[0].target else {
        panic!("not a dir")
    };
    assert_eq!(dir.cache_ttl, 0);
    let h = handler(&host.routes[1].target);
    assert_eq!(h.protocol, HeaderFormat::Json);
    assert_eq!(h.recv_ident, "");
    assert!(!h.raw_payload);
    assert_eq!(config.settings["disable.access_logging"], "1");
    assert_eq!(config.mimetypes.len(), 857);
    assert!(config.maintenance.is_none());
}

#[test]
fn the_interop_conf_has_every_target_kind() {
    let config = parse_config(&interop_conf()).unwrap();
    let server = &config.servers[0];
    assert_eq!(server.bind_addr, "127.0.0.1");
    assert_eq!(server.hosts.len(), 2);
    let localhost = &server.hosts[0];
    let paths: Vec<&str> = localhost.routes.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/handler", "/tns", "/static/", "/proxy/", r"/users/(\d+)$"]
    );
    assert_eq!(
        handler(&localhost.routes[1].target).protocol,
        HeaderFormat::Tnetstring
    );
    assert_eq!(server.hosts[1].matching, "(.*)example.com");
    assert_eq!(config.mimetypes[".wasm"], "application/wasm");
    assert_eq!(
        Settings::from_map(&config.settings)
            .unwrap()
            .upload_temp_store
            .as_deref(),
        Some("/tmp/nagrel-upload.XXXXXX")
    );
}

/// Every construct: comments, references before definition, variable chains, shared
/// dicts, optional and trailing commas, all three quotes, every argument, settings,
/// mimetypes, maintenance.
const EVERYTHING: &str = r#"
# Variables can be used before they are defined.
servers = [main, admin]

base = 'public/'           # a plain string variable
alias = base                # a chain of variables
port_number = 6767

main = Server(uuid="u-main" name="main" bind_addr="127.0.0.1" port=port_number
    default_host="localhost" access_log="/logs/a.log" error_log="/logs/e.log"
    chroot="/srv/" pid_file="/run/m.pid" control_port="ipc://run/ctl" use_ssl=0
    filters=[] xrequests=[]
    hosts=[
        Host(name="localhost", routes=shared),
        Host(name=`other`, matching='(.*)\.other\.org', routes=shared,),
    ],
)

shared = {
    '/': Dir(base=alias, index_file="home.html", default_ctype='application/octet-stream',
             cache_ttl=3600),
    "/app": app,
    `/ws/(\d+)$`: Handler(send_spec='tcp://127.0.0.1:9001', send_ident="ws",
                          recv_spec='tcp://127.0.0.1:9002', recv_ident='ws-',
                          raw_payload=1, protocol='tnetstring'),
    '/backend/': PROXY(addr="10.0.0.2", port=80),
    '@chat': app,
}

app = handler(send_spec='ipc://run/app-send', send_ident='app', recv_spec='ipc://run/app-recv')

admin = Server(uuid='u-admin', port=0, default_host='admin',
    hosts=[Host(name='admin', routes={'/': app})])

unused_filter = Filter(name="/usr/lib/null.so", settings={"extensions": ["*.html"], "min": 1})

settings = {"limits.content_length": 65536, 'upload.temp_store_mode': '0640',
            "custom.key": "kept",}
mimetypes = {'.WASM': 'application/wasm', ".txt": "text/x-plain"}
maintenance = Dir(base='maintenance/')
"#;

#[test]
fn a_file_with_every_construct() {
    let config = parse_config(EVERYTHING).unwrap();
    assert_eq!(config.servers.len(), 2);
    let main = &config.servers[0];
    assert_eq!(main.port, 6767);
    assert_eq!(main.control_port, "ipc://run/ctl");
    assert_eq!(main.chroot, "/srv/");
    assert_eq!(main.hosts[1].name, "other");
    assert_eq!(main.hosts[1].matching, r"(.*)\.other\.org");
    assert_eq!(main.hosts[0].routes, main.hosts[1].routes);
    let routes = &main.hosts[0].routes;
    assert_eq!(routes.len(), 5);
    let Target::Dir(dir) = &routes[0].target else {
        panic!("not a dir")
    };
    assert_eq!(dir.base, "public/");
    assert_eq!(
        (dir.index_file.as_str(), dir.cache_ttl),
        ("home.html", 3600)
    );
    assert_eq!(handler(&routes[1].target).send_spec, "ipc://run/app-send");
    assert_eq!(routes[2].path, r"/ws/(\d+)$");
    let ws = handler(&routes[2].target);
    assert!(ws.raw_payload);
    assert_eq!(
        (ws.recv_ident.as_str(), ws.protocol),
        ("ws-", HeaderFormat::Tnetstring)
    );
    let Target::Proxy(proxy) = &routes[3].target else {
        panic!("not a proxy")
    };
    assert_eq!((proxy.addr.as_str(), proxy.port), ("10.0.0.2", 80));
    assert_eq!(routes[4].path, "@chat");
    let admin = &config.servers[1];
    assert_eq!(
        (admin.name.as_str(), admin.port, admin.bind_addr.as_str()),
        ("", 0, "0.0.0.0")
    );
    assert_eq!(config.settings["limits.content_length"], "65536");
    assert_eq!(config.settings["custom.key"], "kept");
    assert_eq!(config.mimetypes[".wasm"], "application/wasm");
    assert_eq!(config.mimetypes[".txt"], "text/x-plain");
    assert_eq!(config.mimetypes[".html"], "text/html");
    let Some(Target::Dir(maintenance)) = &config.maintenance else {
        panic!("no maintenance dir")
    };
    assert_eq!(maintenance.base, "maintenance/");
    let settings = Settings::from_map(&config.settings).unwrap();
    assert_eq!(settings.content_length, 65536);
    assert_eq!(settings.upload_temp_store_mode, 0o640);
    assert_eq!(settings.unknown["custom.key"], "kept");
}

/// `text` fails with `kind` at `line`:`column` and `message`.
#[track_caller]
fn fails(text: &str, kind: ConfigErrorKind, line: usize, column: usize, message: &str) {
    let Err(err) = parse_config(text) else {
        panic!("parsed: {text}");
    };
    assert_eq!(
        (err.kind(), err.line(), err.column(), err.message()),
        (kind, line, column, message),
        "{text}"
    );
    assert_eq!(
        err.to_string(),
        format!("line {line}, column {column}: {message}")
    );
}

const HOST: &str = "Host(name='h', routes={})";

#[test]
fn every_error_class_has_its_place() {
    use ConfigErrorKind::*;
    fails(
        "main = Server(uuid='u', port=1,\n   hosts=[], default_host='h']",
        Syntax,
        2,
        30,
        "expected ')' after argument list, found ']'",
    );
    fails(
        "x = 'open",
        Syntax,
        1,
        5,
        "unterminated string (no closing ')",
    );
    fails("x = 1\ny = $", Syntax, 2, 5, "unexpected character '$'");
    fails(
        "servers = [main]\nmain = Server(uuid='u', port=1, default_host='h', hosts=[ghost])",
        UnknownVariable,
        2,
        58,
        "unknown variable 'ghost'",
    );
    fails(
        "servers = []\nx = Srv(a=1)",
        UnknownConstructor,
        2,
        5,
        "unknown type 'Srv' (known: Server, Host, Handler, Dir, Proxy, Filter, Xrequest)",
    );
    fails(
        "servers = []\nd = Dir(base='a/', index='x')",
        UnknownArgument,
        2,
        20,
        "unknown argument 'index' for Dir (it takes base, index_file, default_ctype, cache_ttl)",
    );
    fails(
        &format!("servers = [Server(uuid=1, port=1, default_host='h', hosts=[{HOST}])]"),
        WrongType,
        1,
        24,
        "expected a string for argument 'uuid' of Server, found a number",
    );
    fails(
        "servers = [Dir(base='a/')]",
        WrongType,
        1,
        12,
        "expected a Server(...) in the servers list, found a Dir(...)",
    );
    fails(
        "servers = []\nh = Host(name='h', routes={'/': 'nowhere'})",
        WrongType,
        2,
        33,
        "expected a Handler(...), Dir(...) or Proxy(...) as the target of route '/', found a string",
    );
    fails(
        &format!("servers = [\n  Server(port=1, default_host='h', hosts=[{HOST}])]"),
        MissingArgument,
        2,
        3,
        "Server(...) is missing the required argument 'uuid'",
    );
    fails(
        "servers = []\nh = Handler(send_ident='i', recv_spec='r')",
        MissingArgument,
        2,
        5,
        "Handler(...) is missing the required argument 'send_spec'",
    );
    fails(
        "x = 1",
        MissingArgument,
        1,
        6,
        "no servers to load: the file must set `servers = [...]`",
    );
    fails(
        "servers = []\nd = Dir(base='a/',\n  base='b/')",
        Duplicate,
        3,
        3,
        "duplicate argument 'base' (first given at line 2, column 9)",
    );
    fails(
        "servers = []\nr = {'/a': 1, '/a': 2}",
        Duplicate,
        2,
        15,
        "duplicate key '/a' (first given at line 2, column 6)",
    );
    fails(
        "servers = []\nservers = []",
        Duplicate,
        2,
        1,
        "duplicate variable 'servers' (first given at line 1, column 1)",
    );
    fails(
        &format!(
            "s = Server(uuid='u', port=1, default_host='h', hosts=[{HOST}])\nservers = [s, s]"
        ),
        Duplicate,
        2,
        15,
        "duplicate server uuid 'u' (first given at line 2, column 12)",
    );
    fails(
        &format!("servers = [Server(uuid='u', port=1, default_host='h', hosts=[{HOST}, {HOST}])]"),
        Duplicate,
        1,
        89,
        "duplicate host name 'h' (first given at line 1, column 62)",
    );
    fails(
        &format!("servers = [Server(uuid='u', port=65536, default_host='h', hosts=[{HOST}])]"),
        InvalidValue,
        1,
        34,
        "argument 'port' of Server must be at most 65535, found 65536",
    );
    fails(
        "servers = []\nd = Dir(base='/abs/')",
        InvalidValue,
        2,
        14,
        "Dir base '/abs/' must not start with '/': it is relative to the server's chroot",
    );
    fails(
        "servers = []\nd = Dir(base='rel')",
        InvalidValue,
        2,
        14,
        "Dir base 'rel' must end with '/'",
    );
    fails(
        "servers = []\nh = Handler(send_spec='s', send_ident='i', recv_spec='r', protocol='xml')",
        InvalidValue,
        2,
        68,
        "Handler protocol must be 'json' or 'tnetstring', found 'xml'",
    );
    fails(
        "servers = []\nh = Handler(send_spec='s', send_ident='i', recv_spec='r', raw_payload=2)",
        InvalidValue,
        2,
        71,
        "argument 'raw_payload' of Handler must be 0 or 1",
    );
    fails(
        "servers = []\nsettings = {'limits.content_length': 'lots'}",
        InvalidValue,
        2,
        38,
        "setting 'limits.content_length' = 'lots': expected a whole number",
    );
    fails(
        "servers = []\nmimetypes = {'wasm': 'application/wasm'}",
        InvalidValue,
        2,
        14,
        "mimetype extension 'wasm' must be a '.' followed by the extension",
    );
    fails(
        "servers = [a]\na = b\nb = c\nc = a",
        CyclicReference,
        1,
        12,
        "variables refer to each other in a cycle: b -> c -> a -> b",
    );
    fails(
        "x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\nservers = []",
        TooDeep,
        1,
        37,
        "nested deeper than 32 levels",
    );
    fails(
        &format!(
            "servers = [Server(uuid='u', port=1, default_host='h', hosts=[{HOST}],\n  filters=[Filter(name='f', settings={{}})])]"
        ),
        Unsupported,
        2,
        12,
        "Mongrel2 filters (loadable plugins) are not supported by nagrel; remove them (the \
         maintenance filter is set with `maintenance = ...`)",
    );
}

#[test]
fn a_billion_laughs_is_refused() {
    // 100 servers of 100 hosts sharing one dict of 10,000 routes: 10^8 routes from
    // half a megabyte of text.
    let routes = (0..10_000)
        .map(|i| format!("'/{i}': p"))
        .collect::<Vec<_>>()
        .join(", ");
    let hosts = (0..100)
        .map(|i| format!("Host(name='h{i}', routes=big)"))
        .collect::<Vec<_>>()
        .join(", ");
    let servers = (0..100)
        .map(|i| format!("Server(uuid='u{i}', port=1, default_host='h', hosts=[{hosts}])"))
        .collect::<Vec<_>>()
        .join(",\n");
    let text = format!("p = Proxy(addr='a', port=1)\nbig = {{{routes}}}\nservers = [{servers}]\n");
    let err = parse_config(&text).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::TooLarge);
    assert!(err
        .message()
        .starts_with("the configuration expands to more than 1000000 values"));
}

#[test]
fn import_then_load_gives_the_same_config() {
    let dir = TempDir::new("round-trip");
    let store = Store::open(dir.join("db")).unwrap();
    assert_eq!(store.version().unwrap(), 0);
    for text in [
        COMPAT_EXAMPLE.to_owned(),
        interop_conf(),
        EVERYTHING.to_owned(),
    ] {
        let config = parse_config(&text).unwrap();
        store.import(&config).unwrap();
        assert_eq!(store.load().unwrap(), config);
    }
    assert_eq!(store.version().unwrap(), 3);
}

#[test]
fn shared_targets_are_stored_once() {
    let dir = TempDir::new("shared");
    let store = Store::open(dir.join("db")).unwrap();
    let imported = store.import(&parse_config(EVERYTHING).unwrap()).unwrap();
    // Two servers, three hosts; main's ten routes and admin's one share five targets
    // (one Dir for '/', the app handler, the ws handler, the proxy) plus the maintenance
    // Dir.
    assert_eq!(
        (imported.servers, imported.hosts, imported.routes),
        (2, 3, 11)
    );
    assert_eq!(
        (imported.handlers, imported.directories, imported.proxies),
        (2, 2, 1)
    );
    assert_eq!(imported.settings, 3);
    assert_eq!(imported.mimetypes, 858);
}

#[test]
fn an_import_replaces_everything() {
    let dir = TempDir::new("replace");
    let store = Store::open(dir.join("db")).unwrap();
    store.import(&parse_config(EVERYTHING).unwrap()).unwrap();
    let smaller = parse_config(COMPAT_EXAMPLE).unwrap();
    let imported = store.import(&smaller).unwrap();
    assert_eq!(imported.version, 2);
    let loaded = store.load().unwrap();
    assert_eq!(loaded, smaller);
    assert!(loaded.maintenance.is_none());
    assert!(!loaded.settings.contains_key("custom.key"));
    assert!(!loaded.mimetypes.contains_key(".wasm"));
    assert_eq!(store.hosts().unwrap().len(), 1);
    assert_eq!(store.routes().unwrap().len(), 2);

    store.import(&Config::default()).unwrap();
    assert_eq!(store.load().unwrap(), Config::default());
}

#[tokio::test]
async fn subscribers_see_every_version_bump() {
    let dir = TempDir::new("watch");
    let store = Store::open(dir.join("db")).unwrap();
    let mut sub = store.subscribe();
    let writer = store.clone();
    let config = parse_config(COMPAT_EXAMPLE).unwrap();
    let task = tokio::task::spawn_blocking(move || {
        writer.import(&config).unwrap();
        writer.set_setting("maintenance.enabled", "1").unwrap()
    });
    assert_eq!(changed(&mut sub).await, Some(1));
    assert_eq!(changed(&mut sub).await, Some(2));
    assert_eq!(task.await.unwrap(), 2);
    let (version, config) = store.snapshot().unwrap();
    assert_eq!(version, 2);
    assert_eq!(config.settings["maintenance.enabled"], "1");
    assert!(store.settings().unwrap().maintenance);
}

#[test]
fn an_import_with_a_bad_setting_changes_nothing() {
    let dir = TempDir::new("bad-setting");
    let store = Store::open(dir.join("db")).unwrap();
    let mut config = parse_config(COMPAT_EXAMPLE).unwrap();
    config
        .settings
        .insert("limits.conn_queue".into(), "none".into());
    let err = store.import(&config).unwrap_err();
    assert!(matches!(err, StoreError::Setting(_)), "{err:?}");
    assert_eq!(store.version().unwrap(), 0);
    assert_eq!(store.load().unwrap(), Config::default());
}

#[test]
fn set_setting_checks_the_value_and_keeps_the_rest() {
    let dir = TempDir::new("set");
    let store = Store::open(dir.join("db")).unwrap();
    store
        .import(&parse_config(COMPAT_EXAMPLE).unwrap())
        .unwrap();
    let err = store
        .set_setting("limits.idle_timeout_ms", "0")
        .unwrap_err();
    assert!(matches!(err, StoreError::Setting(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "setting 'limits.idle_timeout_ms' = '0': must be at least 1"
    );
    assert_eq!(store.version().unwrap(), 1);
    assert_eq!(
        store.set_setting("limits.idle_timeout_ms", "5000").unwrap(),
        2
    );
    let settings = store.settings().unwrap();
    assert_eq!(settings.idle_timeout.as_millis(), 5000);
    assert!(settings.disable_access_logging);
    assert_eq!(store.load().unwrap().servers.len(), 1);
}

#[test]
fn a_reopened_store_keeps_its_config() {
    let dir = TempDir::new("reopen");
    let config = parse_config(&interop_conf()).unwrap();
    {
        let store = Store::open_or_init(dir.join("db"), || config.clone()).unwrap();
        assert_eq!(store.version().unwrap(), 1);
        store.set_setting("no_clobber_xff", "1").unwrap();
    }
    let store = Store::open_or_init(dir.join("db"), Config::default).unwrap();
    assert_eq!(store.version().unwrap(), 2);
    let loaded = store.load().unwrap();
    assert_eq!(loaded.servers, config.servers);
    assert_eq!(loaded.settings["no_clobber_xff"], "1");
}

#[test]
fn a_store_open_elsewhere_is_reported_as_locked() {
    let dir = TempDir::new("locked");
    let _held = Store::open(dir.join("db")).unwrap();
    let err = Store::open(dir.join("db")).unwrap_err();
    assert!(matches!(err, StoreError::Locked(_)), "{err:?}");
    assert!(err
        .to_string()
        .ends_with("is in use by another process (a running nagrel?)"));
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = TempDir::new("schema");
    {
        // A store as a newer nagrel would leave it, written with sled directly.
        let db = sled::open(dir.join("db")).unwrap();
        let meta = db.open_tree("meta").unwrap();
        let newer = Store::SCHEMA_VERSION + 1;
        let encoded = format!("{}:{newer}#", newer.to_string().len());
        meta.insert("schema", encoded.as_bytes()).unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(dir.join("db")).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 2,
                supported: 1
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("schema version 2, newer than the 1"),
        "{err}"
    );
}

#[test]
fn the_cli_loads_and_lists() {
    let dir = TempDir::new("cli");
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mongrel2.conf");
    let db = dir.join("db");
    let mut out = Vec::new();
    load(&conf, &db, &mut out).unwrap();
    let summary = String::from_utf8(out).unwrap();
    assert!(
        summary.ends_with(
            "(version 1): 1 server, 2 hosts, 7 routes, 2 handlers, 1 directory, 1 proxy, \
             3 settings, 858 mimetypes\n"
        ),
        "{summary}"
    );

    let listing = |what| {
        let mut out = Vec::new();
        list(what, &db, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(
        listing(Listing::Servers),
        "NAME  UUID                                  BIND            DEFAULT HOST\n\
         main  f400bf85-4538-4f7a-8908-67e313d515c2  127.0.0.1:6767  localhost\n"
    );
    assert_eq!(
        listing(Listing::Hosts),
        "SERVER  NAME         MATCHING\n\
         main    localhost    localhost\n\
         main    example.com  (.*)example.com\n"
    );
    let routes = listing(Listing::Routes);
    let lines: Vec<&str> = routes.lines().collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(
        lines[0],
        "SERVER  HOST         PATH           TARGET   DETAIL"
    );
    assert_eq!(
        lines[2],
        "main    localhost    /tns           handler  send tcp://127.0.0.1:9995 recv tcp://127.0.0.1:9994 (tnetstring)"
    );
    assert_eq!(
        lines[3],
        "main    localhost    /static/       dir      static/ (index index.html, default text/plain)"
    );
    assert_eq!(
        lines[6],
        "main    example.com  /              proxy    127.0.0.1:8080"
    );

    let bad = dir.join("bad.conf");
    std::fs::write(&bad, "servers = [\n  nope]\n").unwrap();
    let err = load(&bad, &db, &mut Vec::new()).unwrap_err();
    assert_eq!(
        err,
        format!("{}:2:3: unknown variable 'nope'", bad.display())
    );
    std::fs::write(&bad, b"servers = []\n# \xff\n").unwrap();
    let err = load(&bad, &db, &mut Vec::new()).unwrap_err();
    assert_eq!(
        err,
        format!("{}:2:3: the file is not valid UTF-8", bad.display())
    );
    let err = load(&dir.join("missing.conf"), &db, &mut Vec::new()).unwrap_err();
    assert!(
        err.starts_with(&dir.join("missing.conf").display().to_string()),
        "{err}"
    );
    // A failed load leaves the store as it was.
    assert_eq!(Store::open(&db).unwrap().version().unwrap(), 1);

    let missing = dir.join("no-db");
    let err = list(Listing::Servers, &missing, &mut Vec::new()).unwrap_err();
    assert!(
        err.ends_with("no config store here (create one with `nagrel load`)"),
        "{err}"
    );
    assert!(!missing.exists());
}

#[test]
fn settings_defaults_and_unknown_keys() {
    let settings = Settings::from_map(&BTreeMap::new()).unwrap();
    assert_eq!(settings, Settings::default());
    assert_eq!(settings.content_length, 20480);
    assert_eq!(settings.url_path, 8192);
    let map = BTreeMap::from([
        ("limits.url_path".to_owned(), "1024".to_owned()),
        ("something.else".to_owned(), "x".to_owned()),
    ]);
    let settings = Settings::from_map(&map).unwrap();
    assert_eq!(settings.url_path, 1024);
    assert_eq!(settings.unknown["something.else"], "x");
}
