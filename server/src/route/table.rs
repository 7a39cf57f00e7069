//! The route table: from a request's Host header and path to the target of one route.
//!
//! Built once per configuration (every pattern compiled, every conflict reported), then
//! shared by all connections: a lookup never locks, and never allocates unless a pattern
//! has more than 255 items.
//!
//! # Hosts
//!
//! A host's `matching` (its `name` when empty) is compared with the request's Host header,
//! port removed (`example.com:8080`, `[::1]:8080`), one trailing dot removed, ASCII case
//! ignored. Mongrel2's rule:
//!
//! - `matching` without parentheses is a name: the Host must equal it.
//! - With parentheses, it splits at the last `)`: what follows is a literal suffix, and the
//!   part up to the `)` is a pattern that must match all of the Host before that suffix.
//!   `(.*)example.com` takes `example.com` and every name ending in it (`.` is literal in
//!   the suffix); `(.+)\.example.com` only its subdomains. A `\` in the suffix stands for
//!   the byte after it (Mongrel2 compares it literally, so such a host never matched there).
//! - Exact names win. Otherwise the pattern hosts whose suffix ends the Host are
//!   narrowed to the longest such suffix, and their patterns are tried in configuration
//!   order; if none matches, the Host is unknown.
//! - An unknown or missing Host goes to the server's default host.
//!
//! Mongrel2 (`RouteMap_match_suffix`, `tst_search_suffix`) also lets a name without
//! parentheses match as a suffix (`localhost` takes `evil-localhost`): nagrel does not.
//!
//! # Routes
//!
//! A route path splits at its first `(`: the part before is a literal prefix, the part from
//! the `(` on a [`Pattern`] matched against the rest of the request path (anchored at its
//! start, at its end only by `$`). `/users/(\d+)$` has prefix `/users/`; `/users()$` is
//! exactly `/users`; `/static/` is every path starting with `/static/`.
//!
//! The longest prefix that starts the request path selects the candidates: every route
//! with that prefix, those with a pattern first in configuration order, then the route
//! without one. The first candidate whose pattern matches wins. If none does, the lookup
//! fails (Mongrel2 answers 404): a shorter prefix is **not** tried, as in Mongrel2's
//! `RouteMap_simple_prefix_match`, so `/img/(.*).jpg$` next to `/` makes `/img/x.png` a 404.
//!
//! Two Mongrel2 accidents are not reproduced: its tree search also hands a path that is
//! a proper prefix of a route to that route (`/us` reaches `/users`, see its
//! `tests/routing_tests.c`), and among routes sharing a prefix it tries the first one
//! configured, then the others in reverse order, returning the first one alone when it
//! has no pattern.
//!
//! # Cost
//!
//! Prefixes live in a radix tree (edges labelled with byte strings, children sorted by
//! first byte), walked once along the path: `O(path length + depth × log fan-out)`,
//! independent of the number of routes. Then each candidate costs one pattern match,
//! `O(rest of path × pattern items)`. Exact host names are a sorted array searched with a
//! case-folding comparison (`O(host length × log hosts)`); host suffixes are a second radix
//! tree walked from the Host's last byte.
//!
//! ```
//! use nagrel_server::route::{HostRoutes, RouteTable};
//!
//! let table = RouteTable::new(
//!     vec![
//!         HostRoutes {
//!             name: "main".to_string(),
//!             matching: "(.*)example.com".to_string(),
//!             routes: vec![
//!                 ("/".to_string(), "home"),
//!                 (r"/users/(\d+)$".to_string(), "user"),
//!                 ("/users()$".to_string(), "users"),
//!             ],
//!         },
//!         HostRoutes {
//!             name: "other".to_string(),
//!             matching: "other.org".to_string(),
//!             routes: vec![("/".to_string(), "other home")],
//!         },
//!     ],
//!     "main",
//! )?;
//!
//! let found = table.lookup(Some(b"WWW.Example.com:8080"), b"/users/42").unwrap();
//! assert_eq!((found.host, found.route, found.prefix, *found.target), ("main", r"/users/(\d+)$", "/users/", "user"));
//! assert_eq!(*table.lookup(Some(b"example.com"), b"/users").unwrap().target, "users");
//! // The longest prefix `/users/` is chosen and its pattern fails: no fallback to `/`.
//! assert!(table.lookup(Some(b"example.com"), b"/users/bob").is_none());
//! assert_eq!(*table.lookup(Some(b"other.org"), b"/x").unwrap().target, "other home");
//! // Unknown or missing Host: the default host.
//! assert_eq!(*table.lookup(Some(b"nowhere.net"), b"/users").unwrap().target, "users");
//! assert_eq!(*table.lookup(None, b"/about").unwrap().target, "home");
//! # Ok::<(), nagrel_server::route::RouteError>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::pattern::{Pattern, PatternError, PatternOptions, DEFAULT_MAX_PATTERN_LEN};
use prefix_tree::PrefixTree;

/// One virtual host as the table is built from it: its name, what its Host headers look
/// like, and its routes in configuration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRoutes<T> {
    /// The host's name, what the server's `default_host` refers to.
    pub name: String,
    /// The Host header pattern (see the [module docs](self)); empty means `name`.
    pub matching: String,
    /// Route paths as written (e.g. `/static/`, `/users/(\d+)$`) and their targets.
    pub routes: Vec<(String, T)>,
}

/// A successful lookup: the route that matched and its target.
#[derive(Debug, PartialEq, Eq)]
pub struct Matched<'a, T> {
    /// The name of the host the request went to.
    pub host: &'a str,
    /// The route path as written: what handlers receive as the `PATTERN` header.
    pub route: &'a str,
    /// The literal prefix of the route (the route up to its first `(`).
    pub prefix: &'a str,
    /// The route's target.
    pub target: &'a T,
}

impl<T> Clone for Matched<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Matched<'_, T> {}

/// Why a route table could not be built.
///
/// Pattern errors carry positions relative to the whole route path or `matching` string.
///
/// ```
/// use nagrel_server::route::{HostRoutes, RouteError, RouteTable};
///
/// let host = HostRoutes {
///     name: "main".to_string(),
///     matching: "localhost".to_string(),
///     routes: vec![(r"/users/(\d+".to_string(), ())],
/// };
/// let err = RouteTable::new(vec![host], "main").unwrap_err();
/// assert!(matches!(err, RouteError::BadRoute { .. }));
/// assert_eq!(err.to_string(), r"host `main`, route `/users/(\d+`: unclosed `(` at byte 7");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// A route's pattern does not compile.
    BadRoute {
        /// The host's name.
        host: String,
        /// The route path as written.
        route: String,
        /// What is wrong, positioned in the route path.
        error: PatternError,
    },
    /// A host's `matching` does not compile.
    BadHost {
        /// The host's name.
        host: String,
        /// The `matching` string as written.
        matching: String,
        /// What is wrong, positioned in `matching`.
        error: PatternError,
    },
    /// The same route path appears twice in one host.
    DuplicateRoute {
        /// The host's name.
        host: String,
        /// The repeated route path.
        route: String,
    },
    /// Two hosts have the same name.
    DuplicateHostName {
        /// The repeated name.
        name: String,
    },
    /// Two hosts have the same `matching` (ignoring ASCII case): the second could never be
    /// chosen.
    DuplicateHostMatching {
        /// The first host's name.
        first: String,
        /// The second host's name.
        second: String,
        /// The shared `matching`.
        matching: String,
    },
    /// No host has the server's `default_host` name.
    MissingDefaultHost {
        /// The name looked for.
        name: String,
    },
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::BadRoute { host, route, error } => {
                write!(f, "host `{host}`, route `{route}`: {error}")
            }
            RouteError::BadHost {
                host,
                matching,
                error,
            } => write!(f, "host `{host}`, matching `{matching}`: {error}"),
            RouteError::DuplicateRoute { host, route } => {
                write!(f, "host `{host}`: route `{route}` appears twice")
            }
            RouteError::DuplicateHostName { name } => {
                write!(f, "two hosts are named `{name}`")
            }
            RouteError::DuplicateHostMatching {
                first,
                second,
                matching,
            } => write!(f, "hosts `{first}` and `{second}` both match `{matching}`"),
            RouteError::MissingDefaultHost { name } => {
                write!(
                    f,
                    "the default host `{name}` is not among the server's hosts"
                )
            }
        }
    }
}

impl std::error::Error for RouteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RouteError::BadRoute { error, .. } | RouteError::BadHost { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Hosts and their routes, compiled for lookups (see the [module docs](self) for the
/// rules and their cost).
///
/// `T` is whatever a route leads to; the server stores an `Arc` of its target there.
pub struct RouteTable<T> {
    hosts: Box<[HostTable<T>]>,
    host_index: HostIndex,
    default_host: usize,
}

/// Which host a Host header names: exact names, then suffixes with patterns.
struct HostIndex {
    /// Lowercase names of the hosts matched by name, with the host index; sorted.
    exact: Box<[(Box<[u8]>, usize)]>,
    /// Reversed lowercase suffixes of the pattern hosts, each leading to a group in
    /// `suffix_groups`.
    suffixes: PrefixTree,
    /// Pattern hosts sharing a suffix, in configuration order.
    suffix_groups: Box<[Box<[SuffixHost]>]>,
}

/// A host with a pattern: its index and the pattern for the Host before the suffix.
struct SuffixHost {
    host: usize,
    pattern: Pattern,
}

/// One host's routes.
struct HostTable<T> {
    name: String,
    routes: Box<[RouteEntry<T>]>,
    /// Route prefixes, each leading to a group in `groups`.
    prefixes: PrefixTree,
    /// Indices into `routes` sharing a prefix, in trial order.
    groups: Box<[Box<[usize]>]>,
}

struct RouteEntry<T> {
    path: String,
    prefix_len: usize,
    pattern: Option<Pattern>,
    target: T,
}

impl<T> fmt::Debug for RouteTable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut hosts = f.debug_map();
        for host in self.hosts.iter() {
            let routes: Vec<&str> = host.routes.iter().map(|r| r.path.as_str()).collect();
            hosts.entry(&host.name, &routes);
        }
        hosts.finish()
    }
}

impl<T> RouteTable<T> {
    /// Builds the table, refusing bad patterns, duplicates and a `default_host` naming no
    /// host. Patterns may be up to [`DEFAULT_MAX_PATTERN_LEN`] bytes.
    ///
    /// ```
    /// use nagrel_server::route::{HostRoutes, RouteError, RouteTable};
    ///
    /// let hosts = vec![HostRoutes { name: "a".to_string(), matching: String::new(), routes: vec![("/".to_string(), 1)] }];
    /// let err = RouteTable::new(hosts, "b").unwrap_err();
    /// assert_eq!(err, RouteError::MissingDefaultHost { name: "b".to_string() });
    /// ```
    pub fn new(hosts: Vec<HostRoutes<T>>, default_host: &str) -> Result<Self, RouteError> {
        RouteTable::with_max_pattern_len(hosts, default_host, DEFAULT_MAX_PATTERN_LEN)
    }

    /// [`new`](RouteTable::new) with another limit on pattern length (in bytes, for the
    /// pattern part of a route path and for a host's `matching`).
    ///
    /// ```
    /// use nagrel_server::route::{HostRoutes, RouteError, RouteTable};
    ///
    /// let hosts = vec![HostRoutes {
    ///     name: "a".to_string(),
    ///     matching: String::new(),
    ///     routes: vec![(r"/n/(\d+)$".to_string(), 1)],
    /// }];
    /// assert!(matches!(
    ///     RouteTable::with_max_pattern_len(hosts, "a", 4),
    ///     Err(RouteError::BadRoute { .. })
    /// ));
    /// ```
    pub fn with_max_pattern_len(
        hosts: Vec<HostRoutes<T>>,
        default_host: &str,
        max_pattern_len: usize,
    ) -> Result<Self, RouteError> {
        let Some(default_index) = hosts.iter().position(|h| h.name == default_host) else {
            return Err(RouteError::MissingDefaultHost {
                name: default_host.to_string(),
            });
        };
        let mut names = HashSet::with_capacity(hosts.len());
        if let Some(twice) = hosts.iter().find(|h| !names.insert(h.name.as_str())) {
            return Err(RouteError::DuplicateHostName {
                name: twice.name.clone(),
            });
        }
        let host_index = HostIndex::build(&hosts, max_pattern_len)?;
        let hosts = hosts
            .into_iter()
            .map(|host| HostTable::build(host.name, host.routes, max_pattern_len))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RouteTable {
            hosts: hosts.into_boxed_slice(),
            host_index,
            default_host: default_index,
        })
    }

    /// Finds the route for a request: `host` is the Host header's value (`None` when the
    /// request has none), `path` the request path (no query string).
    ///
    /// `None` means no route of the chosen host matches: Mongrel2 answers 404.
    ///
    /// ```
    /// use nagrel_server::route::{HostRoutes, RouteTable};
    ///
    /// let table = RouteTable::new(
    ///     vec![HostRoutes {
    ///         name: "localhost".to_string(),
    ///         matching: "localhost".to_string(),
    ///         routes: vec![("/static/".to_string(), 'S'), ("/handlertest".to_string(), 'H')],
    ///     }],
    ///     "localhost",
    /// )?;
    /// let hit = table.lookup(Some(b"localhost:6767"), b"/static/css/site.css").unwrap();
    /// assert_eq!((hit.prefix, *hit.target), ("/static/", 'S'));
    /// assert!(table.lookup(Some(b"localhost"), b"/nothing").is_none());
    /// # Ok::<(), nagrel_server::route::RouteError>(())
    /// ```
    pub fn lookup(&self, host: Option<&[u8]>, path: &[u8]) -> Option<Matched<'_, T>> {
        self.host_table(host).route(path)
    }

    /// The name of the host a request with this Host header goes to.
    ///
    /// ```
    /// use nagrel_server::route::{HostRoutes, RouteTable};
    ///
    /// let host = |name: &str, matching: &str| HostRoutes::<()> {
    ///     name: name.to_string(),
    ///     matching: matching.to_string(),
    ///     routes: Vec::new(),
    /// };
    /// let table = RouteTable::new(vec![host("main", "example.com"), host("api", "(.+)api.example.com")], "main")?;
    /// assert_eq!(table.resolve_host(Some(b"v2.api.example.com")), "api");
    /// assert_eq!(table.resolve_host(Some(b"api.example.com")), "main");
    /// assert_eq!(table.resolve_host(None), "main");
    /// # Ok::<(), nagrel_server::route::RouteError>(())
    /// ```
    pub fn resolve_host(&self, host: Option<&[u8]>) -> &str {
        &self.host_table(host).name
    }

    /// The default host's name.
    pub fn default_host(&self) -> &str {
        self.hosts
            .get(self.default_host)
            .map_or("", |host| host.name.as_str())
    }

    /// Every route as `(host name, route path, target)`, hosts and routes in configuration
    /// order (to start the handlers the routes lead to, for instance).
    ///
    /// ```
    /// use nagrel_server::route::{HostRoutes, RouteTable};
    ///
    /// let table = RouteTable::new(
    ///     vec![HostRoutes { name: "h".to_string(), matching: String::new(), routes: vec![("/a".to_string(), 1), ("/b".to_string(), 2)] }],
    ///     "h",
    /// )?;
    /// let all: Vec<_> = table.routes().collect();
    /// assert_eq!(all, [("h", "/a", &1), ("h", "/b", &2)]);
    /// # Ok::<(), nagrel_server::route::RouteError>(())
    /// ```
    pub fn routes(&self) -> impl Iterator<Item = (&str, &str, &T)> + '_ {
        self.hosts.iter().flat_map(|host| {
            host.routes
                .iter()
                .map(move |route| (host.name.as_str(), route.path.as_str(), &route.target))
        })
    }

    fn host_table(&self, host: Option<&[u8]>) -> &HostTable<T> {
        let index = host
            .map(host_name)
            .filter(|name| !name.is_empty())
            .and_then(|name| self.host_index.find(name))
            .unwrap_or(self.default_host);
        // Every index comes from the build, the default's included.
        &self.hosts[index]
    }
}

impl HostIndex {
    fn build<T>(hosts: &[HostRoutes<T>], max_pattern_len: usize) -> Result<Self, RouteError> {
        let options = PatternOptions::new()
            .ignore_ascii_case(true)
            .max_len(max_pattern_len);
        // Lowercase name to host index.
        let mut exact: HashMap<Box<[u8]>, usize> = HashMap::new();
        let mut suffixes = PrefixTree::new();
        let mut group_of: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut groups: Vec<Vec<SuffixHost>> = Vec::new();
        for (index, host) in hosts.iter().enumerate() {
            let matching = host.matching();
            let bad = |error: PatternError| RouteError::BadHost {
                host: host.name.clone(),
                matching: matching.to_string(),
                error,
            };
            let duplicate = |first: usize| RouteError::DuplicateHostMatching {
                first: hosts
                    .get(first)
                    .map_or_else(String::new, |h| h.name.clone()),
                second: host.name.clone(),
                matching: matching.to_string(),
            };
            if matching.contains(['(', ')']) {
                // Validate the whole string first: unbalanced groups, a `(` in the suffix.
                Pattern::compile_with(matching, options).map_err(bad)?;
            }
            let Some(last_paren) = matching.rfind(')') else {
                let key = matching
                    .to_ascii_lowercase()
                    .into_bytes()
                    .into_boxed_slice();
                if let Some(&first) = exact.get(&key) {
                    return Err(duplicate(first));
                }
                exact.insert(key, index);
                continue;
            };
            // The part up to the last `)`, anchored, must match the rest of the Host.
            let (head, suffix) = matching.split_at(last_paren + 1);
            let pattern = Pattern::compile_with(
                &format!("{head}$"),
                options.max_len(max_pattern_len.saturating_add(1)),
            )
            .map_err(bad)?;
            let key: Vec<u8> = unescape(suffix)
                .into_iter()
                .rev()
                .map(|b| b.to_ascii_lowercase())
                .collect();
            let group = match group_of.get(&key) {
                Some(&group) => group,
                None => {
                    groups.push(Vec::new());
                    suffixes.insert(&key, groups.len() - 1);
                    group_of.insert(key, groups.len() - 1);
                    groups.len() - 1
                }
            };
            let members = &mut groups[group];
            let same = members.iter().find(|other| {
                hosts
                    .get(other.host)
                    .is_some_and(|h| h.matching().eq_ignore_ascii_case(matching))
            });
            if let Some(other) = same {
                return Err(duplicate(other.host));
            }
            members.push(SuffixHost {
                host: index,
                pattern,
            });
        }
        let mut exact: Vec<(Box<[u8]>, usize)> = exact.into_iter().collect();
        exact.sort();
        Ok(HostIndex {
            exact: exact.into_boxed_slice(),
            suffixes,
            suffix_groups: groups.into_iter().map(Vec::into_boxed_slice).collect(),
        })
    }

    /// The index of the host `name` (port already removed) designates, if any.
    fn find(&self, name: &[u8]) -> Option<usize> {
        if let Ok(found) = self.exact.binary_search_by(|(key, _)| {
            key.iter()
                .copied()
                .cmp(name.iter().map(u8::to_ascii_lowercase))
        }) {
            return self.exact.get(found).map(|(_, host)| *host);
        }
        // Walk the name backwards, lowercased, through the reversed suffixes.
        let (group, suffix_len) = self.suffixes.longest(|i| {
            let at = name.len().checked_sub(i + 1)?;
            name.get(at).map(u8::to_ascii_lowercase)
        })?;
        let rest = name.get(..name.len().checked_sub(suffix_len)?)?;
        self.suffix_groups
            .get(group)?
            .iter()
            .find(|candidate| candidate.pattern.matches(rest))
            .map(|candidate| candidate.host)
    }
}

impl<T> HostRoutes<T> {
    /// What Host headers are matched against: `matching`, or `name` when it is empty.
    fn matching(&self) -> &str {
        if self.matching.is_empty() {
            &self.name
        } else {
            &self.matching
        }
    }
}

impl<T> HostTable<T> {
    fn build(
        name: String,
        routes: Vec<(String, T)>,
        max_pattern_len: usize,
    ) -> Result<Self, RouteError> {
        let options = PatternOptions::new().max_len(max_pattern_len);
        let mut entries: Vec<RouteEntry<T>> = Vec::with_capacity(routes.len());
        let mut group_of: HashMap<String, usize> = HashMap::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (path, target) in routes {
            let (prefix_len, pattern) = match path.find('(') {
                Some(paren) => {
                    let source = path.get(paren..).unwrap_or_default();
                    let pattern = Pattern::compile_with(source, options).map_err(|error| {
                        RouteError::BadRoute {
                            host: name.clone(),
                            route: path.clone(),
                            error: error.shifted(paren),
                        }
                    })?;
                    (paren, Some(pattern))
                }
                None => (path.len(), None),
            };
            let prefix = path.get(..prefix_len).unwrap_or_default();
            let group = match group_of.get(prefix) {
                Some(&group) => group,
                None => {
                    groups.push(Vec::new());
                    group_of.insert(prefix.to_string(), groups.len() - 1);
                    groups.len() - 1
                }
            };
            let members = &mut groups[group];
            if members.iter().any(|&other| entries[other].path == path) {
                return Err(RouteError::DuplicateRoute {
                    host: name,
                    route: path,
                });
            }
            members.push(entries.len());
            entries.push(RouteEntry {
                path,
                prefix_len,
                pattern,
                target,
            });
        }
        let mut prefixes = PrefixTree::new();
        for (prefix, &group) in &group_of {
            prefixes.insert(prefix.as_bytes(), group);
        }
        let groups = groups
            .into_iter()
            .map(|mut members| {
                // Patterns first (stable: configuration order), the plain prefix last, so
                // a catch-all written before a pattern does not hide it.
                members.sort_by_key(|&r| entries[r].pattern.is_none());
                members.into_boxed_slice()
            })
            .collect();
        Ok(HostTable {
            name,
            routes: entries.into_boxed_slice(),
            prefixes,
            groups,
        })
    }

    fn route(&self, path: &[u8]) -> Option<Matched<'_, T>> {
        let (group, _) = self.prefixes.longest(|i| path.get(i).copied())?;
        self.groups.get(group)?.iter().find_map(|&index| {
            let route = self.routes.get(index)?;
            let rest = path.get(route.prefix_len..)?;
            if route.pattern.as_ref().is_some_and(|p| !p.matches(rest)) {
                return None;
            }
            Some(Matched {
                host: &self.name,
                route: &route.path,
                prefix: route.path.get(..route.prefix_len).unwrap_or_default(),
                target: &route.target,
            })
        })
    }
}

/// A host suffix as bytes, each `\x` replaced by `x`.
fn unescape(suffix: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(suffix.len());
    let mut bytes = suffix.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'\\' => out.extend(bytes.next()),
            _ => out.push(b),
        }
    }
    out
}

/// The host name in a Host header value: surrounding spaces, the port (after the first
/// `:`, or after the `]` of an IPv6 literal) and one trailing dot removed.
fn host_name(raw: &[u8]) -> &[u8] {
    let raw = raw.trim_ascii();
    let name = if raw.first() == Some(&b'[') {
        match raw.iter().position(|&b| b == b']') {
            Some(close) => raw.get(..=close).unwrap_or(raw),
            None => raw,
        }
    } else {
        match raw.iter().position(|&b| b == b':') {
            Some(colon) => raw.get(..colon).unwrap_or(raw),
            None => raw,
        }
    };
    name.strip_suffix(b".").unwrap_or(name)
}

mod prefix_tree {
    //! A radix tree from byte strings to group indices, answering "which stored key is the
    //! longest prefix of this sequence" in one walk.

    /// Node 0 is the root, with an empty label.
    pub(super) struct PrefixTree {
        nodes: Vec<Node>,
    }

    struct Node {
        /// The bytes on the edge into this node (never empty except at the root).
        label: Box<[u8]>,
        /// First byte of each child's label, sorted; `children` in the same order.
        first_bytes: Vec<u8>,
        children: Vec<usize>,
        value: Option<usize>,
    }

    impl Node {
        fn new(label: Box<[u8]>, value: Option<usize>) -> Self {
            Node {
                label,
                first_bytes: Vec::new(),
                children: Vec::new(),
                value,
            }
        }
    }

    impl PrefixTree {
        pub(super) fn new() -> Self {
            PrefixTree {
                nodes: vec![Node::new(Box::default(), None)],
            }
        }

        /// Stores `value` under `key`, replacing any value already there.
        pub(super) fn insert(&mut self, key: &[u8], value: usize) {
            let mut node = 0;
            let mut pos = 0;
            loop {
                let Some(&byte) = key.get(pos) else {
                    self.nodes[node].value = Some(value);
                    return;
                };
                match self.nodes[node].first_bytes.binary_search(&byte) {
                    Err(slot) => {
                        let leaf = self.nodes.len();
                        let label = key.get(pos..).unwrap_or_default().into();
                        self.nodes.push(Node::new(label, Some(value)));
                        self.nodes[node].first_bytes.insert(slot, byte);
                        self.nodes[node].children.insert(slot, leaf);
                        return;
                    }
                    Ok(slot) => {
                        let child = self.nodes[node].children[slot];
                        let rest = key.get(pos..).unwrap_or_default();
                        let label = &self.nodes[child].label;
                        let common = label.iter().zip(rest).take_while(|(a, b)| a == b).count();
                        if common < label.len() {
                            // Split the edge: a new node for the shared part, the old
                            // child below it with the remainder of its label.
                            let (head, tail) = label.split_at(common);
                            let (head, tail): (Box<[u8]>, Box<[u8]>) = (head.into(), tail.into());
                            let middle = self.nodes.len();
                            let mut split = Node::new(head, None);
                            split
                                .first_bytes
                                .push(tail.first().copied().unwrap_or_default());
                            split.children.push(child);
                            self.nodes.push(split);
                            self.nodes[child].label = tail;
                            self.nodes[node].children[slot] = middle;
                            node = middle;
                        } else {
                            node = child;
                        }
                        pos += common;
                    }
                }
            }
        }

        /// The value of the longest stored key that is a prefix of the sequence
        /// `byte_at(0), byte_at(1), ...` (ending at the first `None`), with that key's
        /// length.
        pub(super) fn longest(
            &self,
            byte_at: impl Fn(usize) -> Option<u8>,
        ) -> Option<(usize, usize)> {
            let mut node = self.nodes.first()?;
            let mut best = node.value.map(|value| (value, 0));
            let mut pos = 0;
            while let Some(byte) = byte_at(pos) {
                let Ok(slot) = node.first_bytes.binary_search(&byte) else {
                    break;
                };
                let Some(child) = node.children.get(slot).and_then(|&c| self.nodes.get(c)) else {
                    break;
                };
                let label_matches = child
                    .label
                    .iter()
                    .enumerate()
                    .skip(1)
                    .all(|(k, &b)| byte_at(pos + k) == Some(b));
                if !label_matches {
                    break;
                }
                pos += child.label.len();
                node = child;
                if let Some(value) = node.value {
                    best = Some((value, pos));
                }
            }
            best
        }
    }

    #[cfg(test)]
    mod tests {
        use super::PrefixTree;

        fn longest(tree: &PrefixTree, s: &str) -> Option<(usize, usize)> {
            tree.longest(|i| s.as_bytes().get(i).copied())
        }

        #[test]
        fn splits_edges_and_finds_the_longest_key() {
            let mut tree = PrefixTree::new();
            for (i, key) in [
                "/users/people/",
                "/users",
                "/",
                "/users/",
                "/cars-fast/",
                "/us",
            ]
            .into_iter()
            .enumerate()
            {
                tree.insert(key.as_bytes(), i);
            }
            assert_eq!(longest(&tree, "/users/people/12"), Some((0, 14)));
            assert_eq!(longest(&tree, "/users/peop"), Some((3, 7)));
            assert_eq!(longest(&tree, "/users"), Some((1, 6)));
            assert_eq!(longest(&tree, "/usersX"), Some((1, 6)));
            assert_eq!(longest(&tree, "/use"), Some((5, 3)));
            assert_eq!(longest(&tree, "/u"), Some((2, 1)));
            assert_eq!(longest(&tree, "/cars-fast"), Some((2, 1)));
            assert_eq!(longest(&tree, "x"), None);
            assert_eq!(longest(&tree, ""), None);
        }

        #[test]
        fn empty_key_is_the_root() {
            let mut tree = PrefixTree::new();
            tree.insert(b"", 7);
            tree.insert(b"ab", 8);
            assert_eq!(longest(&tree, ""), Some((7, 0)));
            assert_eq!(longest(&tree, "a"), Some((7, 0)));
            assert_eq!(longest(&tree, "abc"), Some((8, 2)));
            tree.insert(b"ab", 9);
            assert_eq!(longest(&tree, "ab"), Some((9, 2)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_drops_backslashes() {
        assert_eq!(unescape(r"\.example.com"), b".example.com");
        assert_eq!(unescape(r"a\\b\"), b"a\\b");
        assert_eq!(unescape(""), b"");
    }

    #[test]
    fn host_name_strips_port_dot_and_spaces() {
        assert_eq!(host_name(b"example.com"), b"example.com");
        assert_eq!(host_name(b"example.com:8080"), b"example.com");
        assert_eq!(host_name(b" Example.com. "), b"Example.com");
        assert_eq!(host_name(b"example.com.:80"), b"example.com");
        assert_eq!(host_name(b"[::1]:8080"), b"[::1]");
        assert_eq!(host_name(b"[::1]"), b"[::1]");
        assert_eq!(host_name(b"[::1"), b"[::1");
        assert_eq!(host_name(b":80"), b"");
        assert_eq!(host_name(b""), b"");
    }
}
