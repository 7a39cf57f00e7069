//! The configuration as typed records: what a Mongrel2 `.conf` file describes and what the
//! sled store holds. Parsing lives in `parse`, persistence in `store`; both produce and
//! consume these types.

use std::collections::BTreeMap;

use nagrel_protocols::mongrel2::HeaderFormat;

/// A whole configuration: the servers, the settings and the mimetype table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// Every server, in file order.
    pub servers: Vec<Server>,
    /// `settings = {...}`: key/value pairs, values kept as written (numbers as decimal text).
    pub settings: BTreeMap<String, String>,
    /// Extension (with its leading dot, lowercase) to MIME type. Imported with the standard
    /// table; a config's `mimetypes = {...}` adds to or overrides it.
    pub mimetypes: BTreeMap<String, String>,
    /// The target the maintenance filter sends HANDLER/PROXY/DIRECTORY requests to while
    /// maintenance is on (`maintenance = Dir(...)` in a config file). nagrel-only.
    pub maintenance: Option<Target>,
}

/// One server: a listening address and its virtual hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The server's UUID, `nagrel start --uuid` picks a server by it.
    pub uuid: String,
    /// A short name, `nagrel start --name` picks a server by it.
    pub name: String,
    /// The address to listen on (default `0.0.0.0`).
    pub bind_addr: String,
    /// The port to listen on.
    pub port: u16,
    /// The host name used when a request's Host matches no host.
    pub default_host: String,
    /// Access log path (relative to `chroot`).
    pub access_log: String,
    /// Error log path (relative to `chroot`).
    pub error_log: String,
    /// Mongrel2 chroots into this directory; nagrel resolves relative paths against it.
    pub chroot: String,
    /// Where the process id is written.
    pub pid_file: String,
    /// The control port endpoint (Mongrel2 default `ipc://run/control`).
    pub control_port: String,
    /// Whether TLS is on (nagrel does not terminate TLS; a server asking for it is refused).
    pub use_ssl: bool,
    /// The virtual hosts, in file order.
    pub hosts: Vec<Host>,
}

impl Server {
    /// The directory relative paths resolve against (Dir bases, upload files, `ipc://`
    /// endpoints): `chroot`, or the working directory when it is empty. nagrel does not
    /// chroot; it reads paths the way Mongrel2 sees them after it has.
    pub fn root(&self) -> &std::path::Path {
        std::path::Path::new(if self.chroot.is_empty() {
            "."
        } else {
            &self.chroot
        })
    }
}

/// A virtual host: a name, the pattern Host headers are matched with, and its routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// The host's name (what `default_host` refers to).
    pub name: String,
    /// The pattern matched against the request's Host (defaults to `name`); a leading
    /// `(...)` group such as `(.*)example.com` matches by suffix.
    pub matching: String,
    /// The routes, in file order.
    pub routes: Vec<Route>,
}

/// A route: a path (prefix, then an optional Lua-like pattern from the first `(`) and the
/// target it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The route path as written, e.g. `/static/` or `/users/(\d+)$`.
    pub path: String,
    /// Where matching requests go.
    pub target: Target,
}

/// What a route leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A handler process reached over ZeroMQ.
    Handler(Handler),
    /// A static directory.
    Dir(Dir),
    /// An HTTP backend.
    Proxy(Proxy),
}

/// A handler: the two ZeroMQ sockets the server binds and how requests are encoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handler {
    /// Where the server's PUSH socket binds; handlers connect a PULL here.
    pub send_spec: String,
    /// The PUSH socket's identity, sent as the sender in every request message.
    pub send_ident: String,
    /// Where the server's SUB socket binds; handlers connect a PUB here.
    pub recv_spec: String,
    /// The SUB subscription prefix (empty: everything).
    pub recv_ident: String,
    /// Mongrel2's `raw_payload` flag (WebSocket frames sent without reassembly); kept for
    /// compatibility.
    pub raw_payload: bool,
    /// Header encoding in request messages.
    pub protocol: HeaderFormat,
}

/// A static directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dir {
    /// The directory files are served from (relative to the server's `chroot`).
    pub base: String,
    /// The file served for a path ending in `/` (default `index.html`).
    pub index_file: String,
    /// The Content-Type for an unknown extension (default `text/plain`).
    pub default_ctype: String,
    /// Seconds clients may cache files (0: no Cache-Control max-age).
    pub cache_ttl: u32,
}

/// An HTTP backend.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Proxy {
    /// Backend host name or address.
    pub addr: String,
    /// Backend port.
    pub port: u16,
}
