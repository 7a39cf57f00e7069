//! From the syntax tree to [`Config`]: variables resolved, constructors checked against
//! their arguments, Mongrel2's defaults filled in.
//!
//! Every top-level definition is checked, used or not, so a typo in a spare handler is
//! reported at once rather than when a route starts using it. Variables may be used before
//! they are defined (m2sh looks them up in a table after parsing). Each value visited costs
//! one unit of an expansion budget, so a small file that references one big variable many
//! times over (a "billion laughs") is refused instead of exhausting memory.

use std::collections::{BTreeMap, HashMap, HashSet};

use nagrel_protocols::mongrel2::HeaderFormat;

use super::error::{describe_position, ConfigError, ConfigErrorKind};
use super::syntax::{Assignment, Expr, ExprKind, Named};
use super::ParseLimits;
use crate::config::mimetypes;
use crate::config::model::{Config, Dir, Handler, Host, Proxy, Route, Server, Target};
use crate::config::settings::Settings;

/// Mongrel2's defaults for what a file leaves out.
const DEFAULT_BIND_ADDR: &str = "0.0.0.0";
const DEFAULT_CONTROL_PORT: &str = "ipc://run/control";
const DEFAULT_INDEX_FILE: &str = "index.html";
const DEFAULT_CTYPE: &str = "text/plain";

/// The constructors a file may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctor {
    Server,
    Host,
    Handler,
    Dir,
    Proxy,
    /// A Mongrel2 filter plugin: accepted as a definition, refused in a server.
    Filter,
    /// A Mongrel2 xrequest plugin: accepted as a definition, refused in a server.
    Xrequest,
}

impl Ctor {
    /// The constructor called `name`. Route targets are matched without regard to case,
    /// as m2sh lowercases them; the others must be written exactly.
    fn named(name: &str) -> Option<Ctor> {
        match name {
            "Server" => Some(Ctor::Server),
            "Host" => Some(Ctor::Host),
            "Filter" => Some(Ctor::Filter),
            "Xrequest" => Some(Ctor::Xrequest),
            _ if name.eq_ignore_ascii_case("handler") => Some(Ctor::Handler),
            _ if name.eq_ignore_ascii_case("dir") => Some(Ctor::Dir),
            _ if name.eq_ignore_ascii_case("proxy") => Some(Ctor::Proxy),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Ctor::Server => "Server",
            Ctor::Host => "Host",
            Ctor::Handler => "Handler",
            Ctor::Dir => "Dir",
            Ctor::Proxy => "Proxy",
            Ctor::Filter => "Filter",
            Ctor::Xrequest => "Xrequest",
        }
    }

    /// The keyword arguments it takes.
    fn arguments(self) -> &'static [&'static str] {
        match self {
            Ctor::Server => &[
                "uuid",
                "name",
                "bind_addr",
                "port",
                "default_host",
                "access_log",
                "error_log",
                "chroot",
                "pid_file",
                "control_port",
                "use_ssl",
                "hosts",
                "filters",
                "xrequests",
            ],
            Ctor::Host => &["name", "matching", "routes"],
            Ctor::Handler => &[
                "send_spec",
                "send_ident",
                "recv_spec",
                "recv_ident",
                "raw_payload",
                "protocol",
            ],
            Ctor::Dir => &["base", "index_file", "default_ctype", "cache_ttl"],
            Ctor::Proxy => &["addr", "port"],
            Ctor::Filter | Ctor::Xrequest => &["name", "settings"],
        }
    }
}

/// What a checked constructor call produced.
enum Built {
    Server(Server),
    Host(Host),
    Target(Target),
    /// A filter or xrequest plugin definition.
    Plugin,
}

/// The arguments of one call, checked against what its constructor takes.
struct Args<'a> {
    ctor: Ctor,
    at: usize,
    args: &'a [Named<'a>],
}

impl<'a> Args<'a> {
    fn get(&self, name: &str) -> Option<&'a Named<'a>> {
        self.args.iter().find(|arg| arg.name == name)
    }
}

/// Converts the parsed assignments of `text` into a [`Config`].
pub(crate) fn build<'a>(
    text: &'a str,
    assignments: &'a [Assignment<'a>],
    limits: &ParseLimits,
) -> Result<Config, ConfigError> {
    let mut builder = Builder {
        text,
        defs: assignments.iter().map(|a| (a.name, &a.value)).collect(),
        budget: limits.max_expansion,
        max_expansion: limits.max_expansion,
    };
    for assignment in assignments {
        builder.check(&assignment.value)?;
    }
    builder.config()
}

struct Builder<'a> {
    text: &'a str,
    defs: HashMap<&'a str, &'a Expr<'a>>,
    budget: usize,
    max_expansion: usize,
}

impl<'a> Builder<'a> {
    fn error(&self, at: usize, kind: ConfigErrorKind, message: String) -> ConfigError {
        ConfigError::at(self.text, at, kind, message)
    }

    /// `expr` with variable references followed; the value and every reference cost one
    /// unit of budget.
    fn resolve(&mut self, expr: &'a Expr<'a>) -> Result<&'a Expr<'a>, ConfigError> {
        self.spend(expr.at)?;
        let mut current = expr;
        let mut steps = 0;
        while let ExprKind::Ref(name) = current.kind {
            // A chain longer than the number of variables must revisit one.
            if steps == self.defs.len() {
                return Err(self.error(
                    expr.at,
                    ConfigErrorKind::CyclicReference,
                    format!(
                        "variables refer to each other in a cycle: {}",
                        self.cycle_from(name)
                    ),
                ));
            }
            let Some(&target) = self.defs.get(name) else {
                return Err(self.error(
                    current.at,
                    ConfigErrorKind::UnknownVariable,
                    format!("unknown variable '{name}'"),
                ));
            };
            self.spend(current.at)?;
            steps += 1;
            current = target;
        }
        Ok(current)
    }

    fn spend(&mut self, at: usize) -> Result<(), ConfigError> {
        if self.budget == 0 {
            return Err(self.error(
                at,
                ConfigErrorKind::TooLarge,
                format!(
                    "the configuration expands to more than {} values (a variable used \
                     too many times over?)",
                    self.max_expansion
                ),
            ));
        }
        self.budget -= 1;
        Ok(())
    }

    /// "a -> b -> a": the cycle reached from variable `start`, which is on one.
    fn cycle_from(&self, start: &str) -> String {
        let mut seen = HashSet::new();
        let mut chain = Vec::new();
        let mut name = start;
        while seen.insert(name) {
            chain.push(name);
            match self.defs.get(name).map(|expr| &expr.kind) {
                Some(ExprKind::Ref(next)) => name = next,
                _ => break,
            }
        }
        let first = chain.iter().position(|n| *n == name).unwrap_or(0);
        let mut names: Vec<&str> = chain[first..].to_vec();
        names.push(name);
        names.join(" -> ")
    }

    /// Checks a definition: every call in it is built, every reference resolved.
    fn check(&mut self, expr: &'a Expr<'a>) -> Result<(), ConfigError> {
        match &expr.kind {
            ExprKind::Call { .. } => self.call(expr).map(drop),
            ExprKind::List(items) => items.iter().try_for_each(|item| self.check(item)),
            ExprKind::Dict(entries) => entries.iter().try_for_each(|e| self.check(&e.value)),
            ExprKind::Ref(_) => self.resolve(expr).map(drop),
            ExprKind::Str(_) | ExprKind::Number(_) => Ok(()),
        }
    }

    /// Builds the call `expr` (already resolved).
    fn call(&mut self, expr: &'a Expr<'a>) -> Result<Built, ConfigError> {
        let ExprKind::Call { name, args } = &expr.kind else {
            return Err(self.wrong_type(expr, "a constructor call"));
        };
        let Some(ctor) = Ctor::named(name) else {
            return Err(self.error(
                expr.at,
                ConfigErrorKind::UnknownConstructor,
                format!(
                    "unknown type '{name}' (known: Server, Host, Handler, Dir, Proxy, Filter, \
                     Xrequest)"
                ),
            ));
        };
        let known = ctor.arguments();
        if let Some(arg) = args.iter().find(|arg| !known.contains(&arg.name)) {
            return Err(self.error(
                arg.at,
                ConfigErrorKind::UnknownArgument,
                format!(
                    "unknown argument '{}' for {} (it takes {})",
                    arg.name,
                    ctor.name(),
                    known.join(", ")
                ),
            ));
        }
        let args = Args {
            ctor,
            at: expr.at,
            args,
        };
        Ok(match ctor {
            Ctor::Server => Built::Server(self.server(&args)?),
            Ctor::Host => Built::Host(self.host(&args)?),
            Ctor::Handler => Built::Target(Target::Handler(self.handler(&args)?)),
            Ctor::Dir => Built::Target(Target::Dir(self.dir(&args)?)),
            Ctor::Proxy => Built::Target(Target::Proxy(self.proxy(&args)?)),
            Ctor::Filter | Ctor::Xrequest => {
                self.required_str(&args, "name")?;
                let settings = self.required(&args, "settings")?;
                self.dict(settings, &format!("argument 'settings' of {}", ctor.name()))?;
                Built::Plugin
            }
        })
    }

    fn server(&mut self, args: &Args<'a>) -> Result<Server, ConfigError> {
        let mut server = Server {
            uuid: self.required_str(args, "uuid")?,
            name: self.optional_str(args, "name")?.unwrap_or_default(),
            bind_addr: self
                .optional_str(args, "bind_addr")?
                .unwrap_or_else(|| DEFAULT_BIND_ADDR.into()),
            port: self.required_int(args, "port", u16::MAX)?,
            default_host: self.required_str(args, "default_host")?,
            access_log: self.optional_str(args, "access_log")?.unwrap_or_default(),
            error_log: self.optional_str(args, "error_log")?.unwrap_or_default(),
            chroot: self.optional_str(args, "chroot")?.unwrap_or_default(),
            pid_file: self.optional_str(args, "pid_file")?.unwrap_or_default(),
            control_port: self
                .optional_str(args, "control_port")?
                .unwrap_or_else(|| DEFAULT_CONTROL_PORT.into()),
            use_ssl: self.optional_flag(args, "use_ssl")?.unwrap_or(false),
            hosts: Vec::new(),
        };
        for plugins in ["filters", "xrequests"] {
            if let Some(arg) = args.get(plugins) {
                let what = format!("argument '{plugins}' of Server");
                let items = self.list(&arg.value, &what)?;
                if let Some(first) = items.first() {
                    return Err(self.error(
                        first.at,
                        ConfigErrorKind::Unsupported,
                        format!(
                            "Mongrel2 {plugins} (loadable plugins) are not supported by nagrel; \
                             remove them (the maintenance filter is set with `maintenance = ...`)"
                        ),
                    ));
                }
            }
        }
        let hosts = self.required(args, "hosts")?;
        let mut names: HashMap<String, usize> = HashMap::new();
        for written in self.list(hosts, "argument 'hosts' of Server")? {
            let item = self.resolve(written)?;
            let host = match self.call(item)? {
                Built::Host(host) => host,
                _ => return Err(self.wrong_type(item, "a Host(...) in the hosts list")),
            };
            if let Some(first) = names.insert(host.name.clone(), written.at) {
                return Err(self.duplicate(written.at, "host name", &host.name, first));
            }
            server.hosts.push(host);
        }
        Ok(server)
    }

    fn host(&mut self, args: &Args<'a>) -> Result<Host, ConfigError> {
        let name = self.required_str(args, "name")?;
        let matching = self
            .optional_str(args, "matching")?
            .unwrap_or_else(|| name.clone());
        let routes_arg = self.required(args, "routes")?;
        let mut routes = Vec::new();
        for entry in self.dict(routes_arg, "argument 'routes' of Host")? {
            if entry.name.is_empty() {
                return Err(self.error(
                    entry.at,
                    ConfigErrorKind::InvalidValue,
                    "a route path cannot be empty".into(),
                ));
            }
            let target = self.target(
                &entry.value,
                &format!("the target of route '{}'", entry.name),
            )?;
            routes.push(Route {
                path: entry.name.to_owned(),
                target,
            });
        }
        Ok(Host {
            name,
            matching,
            routes,
        })
    }

    fn handler(&mut self, args: &Args<'a>) -> Result<Handler, ConfigError> {
        let protocol = match self.optional_arg_str(args, "protocol")? {
            None => HeaderFormat::Json,
            Some((_, "json")) => HeaderFormat::Json,
            Some((_, "tnetstring")) => HeaderFormat::Tnetstring,
            Some((at, other)) => {
                return Err(self.error(
                    at,
                    ConfigErrorKind::InvalidValue,
                    format!("Handler protocol must be 'json' or 'tnetstring', found '{other}'"),
                ))
            }
        };
        Ok(Handler {
            send_spec: self.required_str(args, "send_spec")?,
            send_ident: self.required_str(args, "send_ident")?,
            recv_spec: self.required_str(args, "recv_spec")?,
            recv_ident: self.optional_str(args, "recv_ident")?.unwrap_or_default(),
            raw_payload: self.optional_flag(args, "raw_payload")?.unwrap_or(false),
            protocol,
        })
    }

    fn dir(&mut self, args: &Args<'a>) -> Result<Dir, ConfigError> {
        let Some((at, base)) = self.optional_arg_str(args, "base")? else {
            return Err(self.missing(args, "base"));
        };
        // m2sh refuses both: the base is joined to the chroot, and the file path is
        // appended to the base as is.
        if base.starts_with('/') {
            return Err(self.error(
                at,
                ConfigErrorKind::InvalidValue,
                format!("Dir base '{base}' must not start with '/': it is relative to the server's chroot"),
            ));
        }
        if !base.ends_with('/') {
            return Err(self.error(
                at,
                ConfigErrorKind::InvalidValue,
                format!("Dir base '{base}' must end with '/'"),
            ));
        }
        Ok(Dir {
            base: base.to_owned(),
            index_file: self
                .optional_str(args, "index_file")?
                .unwrap_or_else(|| DEFAULT_INDEX_FILE.into()),
            default_ctype: self
                .optional_str(args, "default_ctype")?
                .unwrap_or_else(|| DEFAULT_CTYPE.into()),
            cache_ttl: self.optional_int(args, "cache_ttl", u32::MAX)?.unwrap_or(0),
        })
    }

    fn proxy(&mut self, args: &Args<'a>) -> Result<Proxy, ConfigError> {
        Ok(Proxy {
            addr: self.required_str(args, "addr")?,
            port: self.required_int(args, "port", u16::MAX)?,
        })
    }

    /// A route target (or the maintenance target): a Handler, Dir or Proxy.
    fn target(&mut self, expr: &'a Expr<'a>, what: &str) -> Result<Target, ConfigError> {
        let expr = self.resolve(expr)?;
        if let ExprKind::Call { .. } = expr.kind {
            if let Built::Target(target) = self.call(expr)? {
                return Ok(target);
            }
        }
        Err(self.wrong_type(
            expr,
            &format!("a Handler(...), Dir(...) or Proxy(...) as {what}"),
        ))
    }

    /// The whole configuration from its top-level variables.
    fn config(&mut self) -> Result<Config, ConfigError> {
        let Some(&servers) = self.defs.get("servers") else {
            return Err(self.error(
                self.text.len(),
                ConfigErrorKind::MissingArgument,
                "no servers to load: the file must set `servers = [...]`".into(),
            ));
        };
        let mut config = Config {
            mimetypes: mimetypes::standard(),
            ..Config::default()
        };
        let mut uuids: HashMap<String, usize> = HashMap::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        for written in self.list(servers, "'servers'")? {
            let item = self.resolve(written)?;
            let server = match self.call(item)? {
                Built::Server(server) => server,
                _ => return Err(self.wrong_type(item, "a Server(...) in the servers list")),
            };
            if let Some(first) = uuids.insert(server.uuid.clone(), written.at) {
                return Err(self.duplicate(written.at, "server uuid", &server.uuid, first));
            }
            if !server.name.is_empty() {
                if let Some(first) = names.insert(server.name.clone(), written.at) {
                    return Err(self.duplicate(written.at, "server name", &server.name, first));
                }
            }
            config.servers.push(server);
        }
        if let Some(&settings) = self.defs.get("settings") {
            config.settings = self.settings(settings)?;
        }
        if let Some(&mimetypes) = self.defs.get("mimetypes") {
            for entry in self.dict(mimetypes, "'mimetypes'")? {
                let (ext, mimetype) = self.mimetype(entry)?;
                config.mimetypes.insert(ext, mimetype);
            }
        }
        if let Some(&maintenance) = self.defs.get("maintenance") {
            config.maintenance = Some(self.target(maintenance, "'maintenance'")?);
        }
        Ok(config)
    }

    /// `settings = {...}`: values kept as text, checked by [`Settings::from_map`].
    fn settings(&mut self, expr: &'a Expr<'a>) -> Result<BTreeMap<String, String>, ConfigError> {
        let mut map = BTreeMap::new();
        let mut places = HashMap::new();
        for entry in self.dict(expr, "'settings'")? {
            let value = self.resolve(&entry.value)?;
            let text = match value.kind {
                ExprKind::Str(text) | ExprKind::Number(text) => text,
                _ => {
                    return Err(self.wrong_type(
                        value,
                        &format!("a string or a number for setting '{}'", entry.name),
                    ))
                }
            };
            places.insert(entry.name, value.at);
            map.insert(entry.name.to_owned(), text.to_owned());
        }
        if let Err(err) = Settings::from_map(&map) {
            let at = places.get(err.key()).copied().unwrap_or(expr.at);
            return Err(self.error(at, ConfigErrorKind::InvalidValue, err.to_string()));
        }
        Ok(map)
    }

    /// One `'.ext': 'type'` entry, the extension lowercased.
    fn mimetype(&mut self, entry: &'a Named<'a>) -> Result<(String, String), ConfigError> {
        let ext = entry.name;
        if ext.len() < 2 || !ext.starts_with('.') || ext.contains('/') {
            return Err(self.error(
                entry.at,
                ConfigErrorKind::InvalidValue,
                format!("mimetype extension '{ext}' must be a '.' followed by the extension"),
            ));
        }
        let what = format!("the mimetype of '{ext}'");
        let (at, mimetype) = self.string(&entry.value, &what)?;
        if mimetype.is_empty() {
            return Err(self.error(
                at,
                ConfigErrorKind::InvalidValue,
                format!("{what} cannot be empty"),
            ));
        }
        Ok((ext.to_ascii_lowercase(), mimetype.to_owned()))
    }

    fn list(&mut self, expr: &'a Expr<'a>, what: &str) -> Result<&'a [Expr<'a>], ConfigError> {
        let expr = self.resolve(expr)?;
        match &expr.kind {
            ExprKind::List(items) => Ok(items),
            _ => Err(self.wrong_type(expr, &format!("a list [...] for {what}"))),
        }
    }

    fn dict(&mut self, expr: &'a Expr<'a>, what: &str) -> Result<&'a [Named<'a>], ConfigError> {
        let expr = self.resolve(expr)?;
        match &expr.kind {
            ExprKind::Dict(entries) => Ok(entries),
            _ => Err(self.wrong_type(expr, &format!("a dict {{...}} for {what}"))),
        }
    }

    /// A string value and where it is.
    fn string(&mut self, expr: &'a Expr<'a>, what: &str) -> Result<(usize, &'a str), ConfigError> {
        let expr = self.resolve(expr)?;
        match expr.kind {
            ExprKind::Str(text) => Ok((expr.at, text)),
            _ => Err(self.wrong_type(expr, &format!("a string for {what}"))),
        }
    }

    /// A number no larger than `max`.
    fn int<T>(&mut self, expr: &'a Expr<'a>, what: &str, max: T) -> Result<T, ConfigError>
    where
        T: TryFrom<u64> + Into<u64> + Copy + std::fmt::Display,
    {
        let expr = self.resolve(expr)?;
        let ExprKind::Number(digits) = expr.kind else {
            return Err(self.wrong_type(expr, &format!("a number for {what}")));
        };
        digits
            .parse::<u64>()
            .ok()
            .filter(|&n| n <= max.into())
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| {
                self.error(
                    expr.at,
                    ConfigErrorKind::InvalidValue,
                    format!("{what} must be at most {max}, found {digits}"),
                )
            })
    }

    fn required(&self, args: &Args<'a>, name: &str) -> Result<&'a Expr<'a>, ConfigError> {
        match args.get(name) {
            Some(arg) => Ok(&arg.value),
            None => Err(self.missing(args, name)),
        }
    }

    fn missing(&self, args: &Args<'a>, name: &str) -> ConfigError {
        self.error(
            args.at,
            ConfigErrorKind::MissingArgument,
            format!(
                "{}(...) is missing the required argument '{name}'",
                args.ctor.name()
            ),
        )
    }

    fn optional_arg_str(
        &mut self,
        args: &Args<'a>,
        name: &str,
    ) -> Result<Option<(usize, &'a str)>, ConfigError> {
        match args.get(name) {
            Some(arg) => {
                let what = format!("argument '{name}' of {}", args.ctor.name());
                self.string(&arg.value, &what).map(Some)
            }
            None => Ok(None),
        }
    }

    fn optional_str(&mut self, args: &Args<'a>, name: &str) -> Result<Option<String>, ConfigError> {
        Ok(self
            .optional_arg_str(args, name)?
            .map(|(_, text)| text.to_owned()))
    }

    fn required_str(&mut self, args: &Args<'a>, name: &str) -> Result<String, ConfigError> {
        self.optional_str(args, name)?
            .ok_or_else(|| self.missing(args, name))
    }

    fn optional_int<T>(
        &mut self,
        args: &Args<'a>,
        name: &str,
        max: T,
    ) -> Result<Option<T>, ConfigError>
    where
        T: TryFrom<u64> + Into<u64> + Copy + std::fmt::Display,
    {
        match args.get(name) {
            Some(arg) => {
                let what = format!("argument '{name}' of {}", args.ctor.name());
                self.int(&arg.value, &what, max).map(Some)
            }
            None => Ok(None),
        }
    }

    fn required_int<T>(&mut self, args: &Args<'a>, name: &str, max: T) -> Result<T, ConfigError>
    where
        T: TryFrom<u64> + Into<u64> + Copy + std::fmt::Display,
    {
        self.optional_int(args, name, max)?
            .ok_or_else(|| self.missing(args, name))
    }

    /// A 0/1 flag (Mongrel2 has no booleans).
    fn optional_flag(&mut self, args: &Args<'a>, name: &str) -> Result<Option<bool>, ConfigError> {
        let Some(arg) = args.get(name) else {
            return Ok(None);
        };
        let what = format!("argument '{name}' of {}", args.ctor.name());
        match self.int(&arg.value, &what, 1u8) {
            Ok(n) => Ok(Some(n == 1)),
            Err(err) if err.kind() == ConfigErrorKind::InvalidValue => Err(self.error(
                err.offset(),
                ConfigErrorKind::InvalidValue,
                format!("{what} must be 0 or 1"),
            )),
            Err(err) => Err(err),
        }
    }

    fn wrong_type(&self, found: &Expr<'_>, expected: &str) -> ConfigError {
        self.error(
            found.at,
            ConfigErrorKind::WrongType,
            format!("expected {expected}, found {}", describe(found)),
        )
    }

    fn duplicate(&self, at: usize, what: &str, name: &str, first: usize) -> ConfigError {
        self.error(
            at,
            ConfigErrorKind::Duplicate,
            format!(
                "duplicate {what} '{name}' (first given at {})",
                describe_position(self.text, first)
            ),
        )
    }
}

/// How a value reads in a message.
fn describe(expr: &Expr<'_>) -> String {
    match &expr.kind {
        ExprKind::Str(_) => "a string".into(),
        ExprKind::Number(_) => "a number".into(),
        ExprKind::Ref(name) => format!("variable '{name}'"),
        ExprKind::Call { name, .. } => format!("a {name}(...)"),
        ExprKind::List(_) => "a list".into(),
        ExprKind::Dict(_) => "a dict".into(),
    }
}
