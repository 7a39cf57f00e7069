//! The Mongrel2 `.conf` language: the small Python-like files `m2sh load` reads, parsed
//! into a [`Config`].
//!
//! ```text
//! # comments run to the end of the line
//! handler = Handler(send_spec='tcp://127.0.0.1:9997', send_ident='34f9ceee-...',
//!                   recv_spec='tcp://127.0.0.1:9996', recv_ident='')
//! main = Server(uuid="f400bf85-...", name="main", port=6767, default_host="localhost",
//!     hosts=[Host(name="localhost", routes={'/handler': handler,
//!                                           '/static/': Dir(base='static/')})])
//! settings = {"limits.content_length": 65536}
//! mimetypes = {".wasm": "application/wasm"}
//! servers = [main]
//! ```
//!
//! A file is a list of `name = value` assignments. Values are strings (`'...'`, `"..."`
//! or `` `...` ``, kept exactly as written, backslashes included), decimal numbers,
//! references to other variables (defined anywhere in the file), lists `[...]`, dicts
//! `{'key': value}` and constructor calls `Type(arg=value, ...)`; commas between items are
//! optional and may trail. The names with a meaning are `servers` (required: the servers
//! to load), `settings`, `mimetypes` (added on top of Mongrel2's standard table) and
//! nagrel's `maintenance` (the target the maintenance filter sends requests to); any
//! other variable is just a definition.
//!
//! Constructors, their arguments and what m2sh fills in for the ones left out:
//!
//! | constructor | required | optional (default) |
//! |---|---|---|
//! | `Server` | `uuid`, `port`, `default_host`, `hosts` | `name` (''), `bind_addr` ('0.0.0.0'), `access_log`, `error_log`, `chroot`, `pid_file` (''), `control_port` ('ipc://run/control'), `use_ssl` (0), `filters`/`xrequests` (must be empty) |
//! | `Host` | `name`, `routes` | `matching` (the name) |
//! | `Handler` | `send_spec`, `send_ident`, `recv_spec` | `recv_ident` (''), `raw_payload` (0), `protocol` ('json' or 'tnetstring') |
//! | `Dir` | `base` (relative, ending in `/`) | `index_file` ('index.html'), `default_ctype` ('text/plain'), `cache_ttl` (0) |
//! | `Proxy` | `addr`, `port` | |
//!
//! Errors are [`ConfigError`]s with a line and column, and nothing in a file, however
//! malformed or hostile, makes the parser panic, recurse without bound or allocate beyond
//! [`ParseLimits`].
//!
//! # Layout
//!
//! - `lex`: the tokens.
//! - `syntax`: the grammar, into a tree of assignments.
//! - `build`: variables, constructors and defaults, into a [`Config`].
//! - `error`: [`ConfigError`] and [`ConfigErrorKind`].

mod build;
mod error;
mod lex;
mod syntax;

pub use error::{ConfigError, ConfigErrorKind};

use crate::config::model::Config;

/// Bounds on what a configuration file may make the parser do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Deepest nesting of lists, dicts and constructor calls; a top-level value is depth
    /// 1. Default 32 (Mongrel2 configurations nest about 5 deep).
    pub max_depth: usize,
    /// Most values visited while building, variables counted each time they are used.
    /// Default 1,000,000.
    pub max_expansion: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_depth: 32,
            max_expansion: 1_000_000,
        }
    }
}

/// Parses a configuration file with the default [`ParseLimits`].
///
/// The result's mimetype table is Mongrel2's standard one with the file's `mimetypes`
/// applied on top; its settings are checked by
/// [`Settings::from_map`](crate::config::Settings::from_map).
///
/// ```
/// use nagrel_server::config::parse::parse_config;
/// use nagrel_server::config::Target;
///
/// let config = parse_config(r#"
///     main = Server(uuid="f400bf85-4538-4f7a-8908-67e313d515c2", port=6767,
///         default_host="localhost",
///         hosts=[Host(name="localhost", routes={'/static/': Dir(base='static/')})])
///     servers = [main]
/// "#).unwrap();
/// let server = &config.servers[0];
/// assert_eq!((server.bind_addr.as_str(), server.port), ("0.0.0.0", 6767));
/// let Target::Dir(dir) = &server.hosts[0].routes[0].target else { unreachable!() };
/// assert_eq!(dir.index_file, "index.html");
/// assert_eq!(config.mimetypes[".css"], "text/css");
///
/// let err = parse_config("main = Server(uuid='x' port=1]").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "line 1, column 30: expected ')' after argument list, found ']'"
/// );
/// ```
pub fn parse_config(text: &str) -> Result<Config, ConfigError> {
    parse_config_with(text, &ParseLimits::default())
}

/// Parses a configuration file within `limits`.
///
/// ```
/// use nagrel_server::config::parse::{parse_config_with, ConfigErrorKind, ParseLimits};
///
/// let limits = ParseLimits { max_depth: 2, ..ParseLimits::default() };
/// let err = parse_config_with("x = [[[1]]]", &limits).unwrap_err();
/// assert_eq!(err.kind(), ConfigErrorKind::TooDeep);
/// ```
pub fn parse_config_with(text: &str, limits: &ParseLimits) -> Result<Config, ConfigError> {
    let assignments = syntax::parse_assignments(text, limits.max_depth)?;
    build::build(text, &assignments, limits)
}

/// Parses a configuration file given as bytes: text that is not UTF-8 is a
/// [`ConfigErrorKind::Syntax`] error at the first bad byte.
///
/// ```
/// use nagrel_server::config::parse::{parse_config_bytes, ConfigErrorKind};
///
/// let err = parse_config_bytes(b"# caf\xe9\nservers = []").unwrap_err();
/// assert_eq!(err.kind(), ConfigErrorKind::Syntax);
/// assert_eq!((err.line(), err.column()), (1, 6));
/// ```
pub fn parse_config_bytes(bytes: &[u8]) -> Result<Config, ConfigError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_config(text),
        Err(err) => {
            let valid = &bytes[..err.valid_up_to()];
            // The prefix was checked valid by the same call.
            let text = std::str::from_utf8(valid).unwrap_or_default();
            Err(ConfigError::at(
                text,
                text.len(),
                ConfigErrorKind::Syntax,
                "the file is not valid UTF-8",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = include_str!("../../tests/data/mongrel2.conf");

    /// Checks that an outcome is well formed: an error points inside the input.
    fn check(input: &[u8]) {
        if let Err(err) = parse_config_bytes(input) {
            assert!(err.offset() <= input.len());
            assert!(err.line() >= 1 && err.column() >= 1);
            assert!(!err.message().is_empty());
        }
    }

    #[test]
    fn the_real_config_parses() {
        let config = parse_config(REAL).unwrap();
        assert_eq!(config.servers[0].hosts.len(), 2);
    }

    #[test]
    fn every_prefix_is_handled() {
        for end in 0..=REAL.len() {
            check(&REAL.as_bytes()[..end]);
        }
    }

    /// xorshift64*: deterministic, dependency-free randomness for the mutations.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    #[test]
    fn random_mutations_never_panic() {
        const INTERESTING: &[u8] = b"'\"`\\#\n()[]{},:=0_aZ\xff\xc3";
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let mut input = REAL.as_bytes().to_vec();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(input.len());
                match rng.below(4) {
                    0 => input[at] = INTERESTING[rng.below(INTERESTING.len())],
                    1 => input[at] = rng.next() as u8,
                    2 => {
                        input.remove(at);
                    }
                    _ => {
                        // Duplicate a slice: repeats brackets, strings, whole calls.
                        let end = (at + rng.below(64)).min(input.len());
                        let slice = input[at..end].to_vec();
                        input.splice(at..at, slice);
                    }
                }
            }
            check(&input);
        }
    }

    #[test]
    fn hostile_shapes_are_bounded() {
        check("x = ".repeat(10_000).as_bytes());
        check("[".repeat(100_000).as_bytes());
        check("x = Dir(".repeat(10_000).as_bytes());
        check(format!("servers = [{}]", "a, ".repeat(100_000)).as_bytes());
        // A long chain of variables costs budget per step instead of quadratic time.
        let mut chain: String = (0..20_000)
            .map(|i| format!("v{i} = v{}\n", i + 1))
            .collect();
        chain.push_str("v20000 = 1\nservers = []\n");
        let limits = ParseLimits {
            max_expansion: 100_000,
            ..ParseLimits::default()
        };
        let err = parse_config_with(&chain, &limits).unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::TooLarge);
    }
}
