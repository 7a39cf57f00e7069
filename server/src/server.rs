//! The server: the listener, the shared state every connection reads, and live reload.
//!
//! Everything a request needs from the configuration (route table, targets, settings,
//! mimetypes, filters) is one immutable [`Routing`] value behind an `Arc`. A connection
//! takes the current one for each request, so a reload builds a complete new `Routing`
//! and swaps the pointer: requests in flight finish on the one they started with, new
//! ones see the new table, and a configuration that fails to build (a bad pattern, a
//! handler endpoint that cannot bind) leaves the old one serving.
//!
//! Handler sockets outlive reloads when a handler keeps its endpoints (see
//! [`HandlerSet`]), so connected handler processes are not disturbed.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use nagrel_handler::zmq;
use nagrel_protocols::http::HeadLimits;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use crate::clients::Clients;
use crate::config::store::{changed, Store};
use crate::config::{self, Config, Settings};
use crate::fsm::{Divert, Event, EventFilter, Filters, MaintenanceFilter};
use crate::route::{HostRoutes, RouteTable};
use crate::target::dir::DirTarget;
use crate::target::handler::{HandlerParams, HandlerSet, HandlerTarget};
use crate::target::proxy::ProxyTarget;

/// What a route leads to, ready to serve.
#[derive(Debug)]
pub enum RouteTarget {
    /// A handler's sockets.
    Handler(Arc<HandlerTarget>),
    /// A static directory.
    Dir(Arc<DirTarget>),
    /// An HTTP backend.
    Proxy(Arc<ProxyTarget>),
}

impl RouteTarget {
    /// The state machine event for a request routed here.
    pub fn event(&self) -> Event {
        match self {
            RouteTarget::Handler(_) => Event::Handler,
            RouteTarget::Dir(_) => Event::Directory,
            RouteTarget::Proxy(_) => Event::Proxy,
        }
    }
}

/// A request's routing decision as the event filters see it: the filters may swap the
/// target (the maintenance filter sends it to the maintenance target).
#[derive(Debug)]
pub struct Routed {
    /// Where the request goes.
    pub target: Arc<RouteTarget>,
    /// The configured maintenance target, if any.
    pub maintenance: Option<Arc<RouteTarget>>,
}

impl Divert for Routed {
    fn divert_to_maintenance(&mut self) -> Option<Event> {
        let maintenance = self.maintenance.clone()?;
        self.target = maintenance;
        Some(self.target.event())
    }
}

/// The settings the connections use, in the types they use them in.
#[derive(Debug, Clone)]
pub struct RuntimeSettings {
    /// Bodies up to this many bytes go to handlers inline (`limits.content_length`).
    pub content_length: u64,
    /// Largest body accepted at all, through the upload protocol (`limits.upload_max`).
    pub upload_max: u64,
    /// Receive buffer growth step (`limits.buffer_size`).
    pub buffer_size: usize,
    /// Messages queued per connection (`limits.conn_queue`).
    pub conn_queue: usize,
    /// A handler silent this long after a request gets the client a 504.
    pub request_deadline: Duration,
    /// Longest wait for a whole request head (then 408).
    pub header_timeout: Duration,
    /// Longest keep-alive idle time.
    pub idle_timeout: Duration,
    /// Longest a write to a client (or a wait for room in its queue) may take.
    pub write_timeout: Duration,
    /// Keep a client's `x-forwarded-for` (`no_clobber_xff`).
    pub no_clobber_xff: bool,
    /// mkstemp pattern for upload files (`upload.temp_store`); none: 413 for large bodies.
    pub temp_store: Option<String>,
    /// Permissions of upload files (`upload.temp_store_mode`).
    pub temp_store_mode: u32,
    /// Most connection ids in one handler reply (`limits.handler_targets`).
    pub handler_targets: usize,
    /// Most connections served at once (`limits.max_connections`).
    pub max_connections: usize,
    /// Longest Host header value (`limits.host_name`; longer: 400).
    pub host_name: usize,
    /// Largest body a proxy target buffers, each way (`limits.proxy_max`).
    pub proxy_max: u64,
}

impl RuntimeSettings {
    fn from_settings(s: &Settings) -> Self {
        RuntimeSettings {
            content_length: s.content_length,
            upload_max: s.upload_max,
            buffer_size: s.buffer_size,
            conn_queue: s.conn_queue,
            request_deadline: s.request_deadline,
            header_timeout: s.header_timeout,
            idle_timeout: s.idle_timeout,
            write_timeout: s.write_timeout,
            no_clobber_xff: s.no_clobber_xff,
            temp_store: s.upload_temp_store.clone(),
            temp_store_mode: s.upload_temp_store_mode,
            handler_targets: s.handler_targets,
            max_connections: s.max_connections,
            host_name: s.host_name,
            proxy_max: s.proxy_max,
        }
    }
}

/// One immutable snapshot of everything configured, swapped whole on reload.
pub struct Routing {
    /// Hosts and routes.
    pub table: RouteTable<Arc<RouteTarget>>,
    /// Where the maintenance filter sends requests.
    pub maintenance: Option<Arc<RouteTarget>>,
    /// Event filters, by event.
    pub filters: Filters<Routed>,
    /// Settings.
    pub settings: RuntimeSettings,
    /// Extension (with dot) to MIME type.
    pub mimetypes: BTreeMap<String, String>,
    /// Request head limits.
    pub head_limits: HeadLimits,
    /// The directory relative paths (directories, upload files) resolve against: the
    /// server's `chroot`.
    pub root: PathBuf,
    /// The maintenance switch (`maintenance.enabled`).
    pub maintenance_on: Arc<AtomicBool>,
}

impl fmt::Debug for Routing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Routing")
            .field("settings", &self.settings)
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// Which server of a configuration to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The only server (an error when there are several).
    Only,
    /// By `name`.
    Name(String),
    /// By `uuid`.
    Uuid(String),
}

/// Why a configuration cannot be served.
#[derive(Debug)]
pub enum ServeError {
    /// No server matches the selector (or several do, for [`Selector::Only`]).
    NoServer(String),
    /// The configuration is unusable: bad route pattern, missing default host, ...
    Config(String),
    /// Binding a socket or opening a directory failed.
    Io(io::Error),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::NoServer(why) | ServeError::Config(why) => f.write_str(why),
            ServeError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ServeError {}

impl From<io::Error> for ServeError {
    fn from(e: io::Error) -> Self {
        ServeError::Io(e)
    }
}

/// Finds the server `selector` names in `config`.
pub fn select<'a>(
    config: &'a Config,
    selector: &Selector,
) -> Result<&'a config::Server, ServeError> {
    let found: Vec<&config::Server> = config
        .servers
        .iter()
        .filter(|s| match selector {
            Selector::Only => true,
            Selector::Name(name) => &s.name == name,
            Selector::Uuid(uuid) => &s.uuid == uuid,
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(ServeError::NoServer(format!(
            "no server matches {selector:?}; servers: {}",
            names(config)
        ))),
        _ => Err(ServeError::NoServer(format!(
            "several servers configured ({}): pick one with --name or --uuid",
            names(config)
        ))),
    }
}

fn names(config: &Config) -> String {
    let names: Vec<String> = config
        .servers
        .iter()
        .map(|s| format!("{} ({})", s.name, s.uuid))
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// The state shared by the listener, every connection and the reload task.
pub struct Shared {
    /// Live connections, by id.
    pub clients: Arc<Clients>,
    routing: RwLock<Arc<Routing>>,
    handlers: HandlerSet,
    ctx: zmq::Context,
    selector: Selector,
    /// The configuration being served, to skip reloads that change nothing.
    applied: Mutex<Config>,
    /// Set to stop the server (the control port's `stop`).
    stop: watch::Sender<bool>,
}

impl Shared {
    /// The routing snapshot to serve the next request with.
    pub fn routing(&self) -> Arc<Routing> {
        self.routing
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Rebuilds the routing from `config` and swaps it in; on error the old one stays.
    ///
    /// # Errors
    ///
    /// The selected server is gone from `config`, or its routing cannot be built.
    pub fn reload(&self, config: &Config) -> Result<(), ServeError> {
        let mut applied = self.applied.lock().unwrap_or_else(|e| e.into_inner());
        if *applied == *config {
            return Ok(());
        }
        let server = select(config, &self.selector)?;
        let routing = Arc::new(build(
            &self.clients,
            &self.handlers,
            &self.ctx,
            config,
            server,
        )?);
        *self.routing.write().unwrap_or_else(|e| e.into_inner()) = routing;
        *applied = config.clone();
        Ok(())
    }

    /// The uuid of the server being served.
    pub fn server_uuid(&self) -> String {
        let applied = self.applied.lock().unwrap_or_else(|e| e.into_inner());
        select(&applied, &self.selector)
            .map(|s| s.uuid.clone())
            .unwrap_or_default()
    }

    /// Asks [`Server::run`] to return.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Resolves once [`stop`](Shared::stop) was called.
    pub async fn stopped(&self) {
        let mut rx = self.stop.subscribe();
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

/// Builds the routing for `server` of `config`, binding (or reusing) handler sockets.
fn build(
    clients: &Arc<Clients>,
    handlers: &HandlerSet,
    ctx: &zmq::Context,
    config: &Config,
    server: &config::Server,
) -> Result<Routing, ServeError> {
    let settings =
        Settings::from_map(&config.settings).map_err(|e| ServeError::Config(e.to_string()))?;
    let runtime = RuntimeSettings::from_settings(&settings);
    let root = server.root().to_path_buf();
    let mut targets: Vec<(config::Target, Arc<RouteTarget>)> = Vec::new();
    let mut target_for = |t: &config::Target| -> Result<Arc<RouteTarget>, ServeError> {
        if let Some((_, built)) = targets.iter().find(|(spec, _)| spec == t) {
            return Ok(built.clone());
        }
        let built = Arc::new(match t {
            config::Target::Handler(h) => {
                let params = HandlerParams {
                    sender: bytes::Bytes::from(h.send_ident.clone()),
                    format: h.protocol,
                    max_ids: runtime.handler_targets,
                    write_timeout: runtime.write_timeout,
                };
                RouteTarget::Handler(handlers.get_or_bind(ctx, h, params, clients)?)
            }
            config::Target::Dir(d) => RouteTarget::Dir(Arc::new(
                DirTarget::new(d, &root, settings.dir_max_path, settings.dir_send_buffer)
                    .map_err(|e| ServeError::Config(format!("directory {:?}: {e}", d.base)))?,
            )),
            config::Target::Proxy(p) => {
                RouteTarget::Proxy(Arc::new(ProxyTarget::new(p, runtime.proxy_max)))
            }
        });
        targets.push((t.clone(), built.clone()));
        Ok(built)
    };
    let mut hosts = Vec::with_capacity(server.hosts.len());
    for host in &server.hosts {
        let mut routes = Vec::with_capacity(host.routes.len());
        for route in &host.routes {
            routes.push((route.path.clone(), target_for(&route.target)?));
        }
        hosts.push(HostRoutes {
            name: host.name.clone(),
            matching: host.matching.clone(),
            routes,
        });
    }
    let maintenance = config
        .maintenance
        .as_ref()
        .map(&mut target_for)
        .transpose()?;
    let table = RouteTable::new(hosts, &server.default_host)
        .map_err(|e| ServeError::Config(e.to_string()))?;
    let maintenance_on = Arc::new(AtomicBool::new(settings.maintenance));
    let mut filters = Filters::new();
    let filter: Arc<dyn EventFilter<Routed>> =
        Arc::new(MaintenanceFilter::new(maintenance_on.clone()));
    filters.register(&[Event::Handler, Event::Proxy, Event::Directory], filter);
    let head_limits = HeadLimits {
        max_start_line: settings.url_path,
        max_fields: settings.header_count,
        ..HeadLimits::default()
    };
    Ok(Routing {
        table,
        maintenance,
        filters,
        settings: runtime,
        mimetypes: config.mimetypes.clone(),
        head_limits,
        root,
        maintenance_on,
    })
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("clients", &self.clients.len())
            .field("selector", &self.selector)
            .finish_non_exhaustive()
    }
}

/// A bound server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    listener: TcpListener,
}

impl Server {
    /// Builds the routing for the server `selector` picks from `config` (binding its
    /// handler sockets) and binds its listener at `bind_addr:port` (port 0: any free one).
    ///
    /// # Errors
    ///
    /// See [`ServeError`].
    pub async fn bind(config: &Config, selector: Selector) -> Result<Server, ServeError> {
        let server = select(config, &selector)?;
        if server.use_ssl {
            return Err(ServeError::Config(format!(
                "server {}: use_ssl is set, and nagrel does not terminate TLS",
                server.name
            )));
        }
        let addr = format!("{}:{}", server.bind_addr, server.port);
        let clients = Clients::new();
        let handlers = HandlerSet::default();
        let ctx = zmq::Context::new();
        if let Ok(settings) = Settings::from_map(&config.settings) {
            let threads = i32::try_from(settings.zeromq_threads).unwrap_or(1);
            ctx.set_io_threads(threads)
                .map_err(|e| ServeError::Config(format!("zeromq.threads: {e}")))?;
        }
        let routing = build(&clients, &handlers, &ctx, config, server)?;
        let shared = Arc::new(Shared {
            clients,
            routing: RwLock::new(Arc::new(routing)),
            handlers,
            ctx,
            selector,
            applied: Mutex::new(config.clone()),
            stop: watch::channel(false).0,
        });
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("listening on {addr}: {e}")))?;
        Ok(Server { shared, listener })
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state, to reload it or look at live connections.
    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }

    /// The ZeroMQ context the handler sockets live in (an in-process handler can connect
    /// to `inproc://` endpoints through it).
    pub fn zmq_context(&self) -> zmq::Context {
        self.shared.ctx.clone()
    }

    /// Accepts connections until `shutdown` resolves, each served on its own task.
    /// Connections beyond `limits.max_connections` wait in the accept queue.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let max = self.shared.routing().settings.max_connections.max(1);
        let slots = Arc::new(Semaphore::new(max));
        let shared = self.shared.clone();
        let shutdown = async move {
            tokio::select! {
                () = shutdown => {}
                () = shared.stopped() => {}
            }
        };
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                _ = &mut shutdown => return Ok(()),
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => return Ok(()),
                },
            };
            let (stream, peer) = tokio::select! {
                _ = &mut shutdown => return Ok(()),
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of
                        // spinning, and keep serving the connections we have.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let shared = self.shared.clone();
            tokio::spawn(async move {
                crate::conn::serve(stream, peer, shared).await;
                drop(permit);
            });
        }
    }
}

/// Follows `store`: whenever its version changes (a `nagrel load`, a setting changed), the
/// configuration is read again and the routing rebuilt and swapped in. A configuration
/// that cannot be served is logged and the old routing stays. Returns when the store is
/// closed.
pub async fn follow_store(store: Store, shared: Arc<Shared>) {
    // Subscribe before reading the version, so no change falls between the two.
    let mut changes = store.subscribe();
    let mut seen = store.version().unwrap_or(0);
    while changed(&mut changes).await.is_some() {
        // Several events may be queued for one import: the snapshot is read once per wake
        // and a version already served is skipped.
        match store.snapshot() {
            Ok((version, _)) if version == seen => {}
            Ok((version, config)) => {
                seen = version;
                match shared.reload(&config) {
                    Ok(()) => tracing::info!(version, "configuration reloaded"),
                    Err(e) => tracing::error!(
                        version,
                        error = %e,
                        "new configuration refused; still serving the old one"
                    ),
                }
            }
            Err(e) => tracing::error!(error = %e, "reading the changed store failed"),
        }
    }
}
