//! Typed settings: the `settings = {...}` key/value pairs as numbers, flags and durations.
//!
//! Mongrel2 keeps settings as text in its `setting` table and reads them with defaults
//! when it starts; [`Settings::from_map`] does the same once, checking every known key, so
//! a bad value is refused when a configuration is loaded rather than when a request needs
//! it. Keys nagrel does not know are kept in [`Settings::unknown`] without complaint
//! (Mongrel2 ignores them too). Some Mongrel2 settings are parsed for compatibility but
//! have no effect in nagrel; their docs say so.

use core::fmt;
use std::collections::BTreeMap;
use std::time::Duration;

/// Every setting nagrel knows, with Mongrel2's default unless the doc says otherwise.
///
/// Sizes and counts must be at least 1 (`limits.url_path` at least 16,
/// `limits.buffer_size` at least 64), durations at least 1 ms; `limits.content_length`,
/// `limits.upload_max` and the unused Mongrel2 reaper settings may be 0.
///
/// ```
/// use std::collections::BTreeMap;
/// use nagrel_server::config::Settings;
///
/// let mut map = BTreeMap::new();
/// map.insert("limits.content_length".to_string(), "65536".to_string());
/// map.insert("upload.temp_store".to_string(), "/tmp/upload.XXXXXX".to_string());
/// map.insert("zeromq.io_threads".to_string(), "2".to_string());
/// let settings = Settings::from_map(&map).unwrap();
/// assert_eq!(settings.content_length, 65536);
/// assert_eq!(settings.upload_temp_store.as_deref(), Some("/tmp/upload.XXXXXX"));
/// assert_eq!(settings.header_count, 100);
/// assert!(settings.unknown.contains_key("zeromq.io_threads"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `limits.content_length` (20480): request bodies up to this size go to handlers
    /// inline; larger ones go through the upload temp-file protocol.
    pub content_length: u64,
    /// `limits.header_count` (nagrel 100, Mongrel2 1280): most header lines in a request.
    pub header_count: usize,
    /// `limits.url_path` (nagrel 8192, Mongrel2 256): longest request line.
    pub url_path: usize,
    /// `limits.host_name` (256): longest Host header value.
    pub host_name: usize,
    /// `limits.buffer_size` (4096): the connection read buffer.
    pub buffer_size: usize,
    /// `limits.handler_targets` (128): most connection ids in one handler reply.
    pub handler_targets: usize,
    /// `limits.dir_send_buffer` (16384): chunk size when sending files.
    pub dir_send_buffer: usize,
    /// `limits.dir_max_path` (256): longest file path a directory target resolves.
    pub dir_max_path: usize,
    /// `limits.min_ping` (120, seconds): Mongrel2's idle-connection reaper; parsed, not
    /// used (nagrel has [`idle_timeout`](Settings::idle_timeout)).
    pub min_ping: u64,
    /// `limits.min_read_rate` (300, bytes/s): Mongrel2's slow-client reaper; parsed, not
    /// used.
    pub min_read_rate: u64,
    /// `limits.min_write_rate` (300, bytes/s): parsed, not used.
    pub min_write_rate: u64,
    /// `limits.kill_limit` (2): parsed, not used.
    pub kill_limit: u64,
    /// `limits.tick_timer` (10, seconds): parsed, not used.
    pub tick_timer: u64,
    /// `upload.temp_store` (none): the `mkstemp` pattern (ending in `XXXXXX`) large
    /// bodies are written to; without it they are refused with 413.
    pub upload_temp_store: Option<String>,
    /// `upload.temp_store_mode` (octal `0600`): permissions of the upload files.
    pub upload_temp_store_mode: u32,
    /// `upload.stream` (0): stream large bodies to the handler in chunks instead of a
    /// temp file.
    pub upload_stream: bool,
    /// `download.flow_control` (0): wait for handler credits before sending more.
    pub download_flow_control: bool,
    /// `no_clobber_xff` (0): keep the client's `x-forwarded-for` instead of setting it to
    /// the peer address.
    pub no_clobber_xff: bool,
    /// `disable.access_logging` (0): write no access log.
    pub disable_access_logging: bool,
    /// `server.daemonize` (1): parsed, ignored (nagrel stays in the foreground).
    pub daemonize: bool,
    /// `zeromq.threads` (1): ZeroMQ I/O threads (the context's `ZMQ_IO_THREADS`).
    pub zeromq_threads: u32,
    /// `server.threads` (nagrel only, 1): threads serving connections. With 1 (the
    /// default, Mongrel2's model) everything runs on one thread beside ZeroMQ's I/O
    /// thread, which costs the least CPU per request; more threads spread connections over
    /// more cores at some cost per request. Read when the server starts.
    pub threads: usize,
    /// `limits.request_deadline_ms` (nagrel only, 30000): a handler silent this long
    /// after a request gets the client a 504.
    pub request_deadline: Duration,
    /// `limits.header_timeout_ms` (nagrel only, 10000): time allowed for a request head.
    pub header_timeout: Duration,
    /// `limits.idle_timeout_ms` (nagrel only, 60000): a keep-alive connection idle this
    /// long is closed.
    pub idle_timeout: Duration,
    /// `limits.write_timeout_ms` (nagrel only, 10000): longest a write to a client may
    /// take, and longest a handler reply waits for room in a client's full queue; a
    /// client that stalls that long is disconnected (its handlers get a notice).
    pub write_timeout: Duration,
    /// `limits.conn_queue` (nagrel only, 256): outbound messages queued per connection.
    pub conn_queue: usize,
    /// `limits.upload_max` (nagrel only, 1 GiB): largest body through the upload
    /// temp-file protocol.
    pub upload_max: u64,
    /// `limits.proxy_max` (nagrel only, 16 MiB): largest request body, and largest
    /// response, a proxy target holds in memory (over it: 413 for a request, 502 for a
    /// response).
    pub proxy_max: u64,
    /// `limits.max_connections` (nagrel only, 10000): most client connections at once.
    pub max_connections: usize,
    /// `maintenance.enabled` (nagrel only, 0): send every handler, directory and proxy
    /// request to the configuration's maintenance target.
    pub maintenance: bool,
    /// Keys not listed above, with their values, kept but unused.
    pub unknown: BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            content_length: 20480,
            header_count: 100,
            url_path: 8192,
            host_name: 256,
            buffer_size: 4096,
            handler_targets: 128,
            dir_send_buffer: 16384,
            dir_max_path: 256,
            min_ping: 120,
            min_read_rate: 300,
            min_write_rate: 300,
            kill_limit: 2,
            tick_timer: 10,
            upload_temp_store: None,
            upload_temp_store_mode: 0o600,
            upload_stream: false,
            download_flow_control: false,
            no_clobber_xff: false,
            disable_access_logging: false,
            daemonize: true,
            zeromq_threads: 1,
            threads: 1,
            proxy_max: 16 * 1024 * 1024,
            request_deadline: Duration::from_millis(30_000),
            header_timeout: Duration::from_millis(10_000),
            idle_timeout: Duration::from_millis(60_000),
            write_timeout: Duration::from_millis(10_000),
            conn_queue: 256,
            upload_max: 1 << 30,
            max_connections: 10_000,
            maintenance: false,
            unknown: BTreeMap::new(),
        }
    }
}

/// Reads one setting's text into its field, or says why it cannot.
type Setter = fn(&mut Settings, &str) -> Result<(), String>;

/// Every known key and how it is read.
const KEYS: &[(&str, Setter)] = &[
    ("limits.content_length", |s, v| {
        set(&mut s.content_length, number(v, 0))
    }),
    ("limits.header_count", |s, v| {
        set(&mut s.header_count, number(v, 1))
    }),
    ("limits.url_path", |s, v| {
        set(&mut s.url_path, number(v, 16))
    }),
    ("limits.host_name", |s, v| {
        set(&mut s.host_name, number(v, 1))
    }),
    ("limits.buffer_size", |s, v| {
        set(&mut s.buffer_size, number(v, 64))
    }),
    ("limits.handler_targets", |s, v| {
        set(&mut s.handler_targets, number(v, 1))
    }),
    ("limits.dir_send_buffer", |s, v| {
        set(&mut s.dir_send_buffer, number(v, 1))
    }),
    ("limits.dir_max_path", |s, v| {
        set(&mut s.dir_max_path, number(v, 1))
    }),
    ("limits.min_ping", |s, v| set(&mut s.min_ping, number(v, 0))),
    ("limits.min_read_rate", |s, v| {
        set(&mut s.min_read_rate, number(v, 0))
    }),
    ("limits.min_write_rate", |s, v| {
        set(&mut s.min_write_rate, number(v, 0))
    }),
    ("limits.kill_limit", |s, v| {
        set(&mut s.kill_limit, number(v, 0))
    }),
    ("limits.tick_timer", |s, v| {
        set(&mut s.tick_timer, number(v, 0))
    }),
    ("upload.temp_store", |s, v| {
        set(&mut s.upload_temp_store, temp_store(v))
    }),
    ("upload.temp_store_mode", |s, v| {
        set(&mut s.upload_temp_store_mode, mode(v))
    }),
    ("upload.stream", |s, v| set(&mut s.upload_stream, flag(v))),
    ("download.flow_control", |s, v| {
        set(&mut s.download_flow_control, flag(v))
    }),
    ("no_clobber_xff", |s, v| set(&mut s.no_clobber_xff, flag(v))),
    ("disable.access_logging", |s, v| {
        set(&mut s.disable_access_logging, flag(v))
    }),
    ("server.daemonize", |s, v| set(&mut s.daemonize, flag(v))),
    ("server.threads", |s, v| set(&mut s.threads, number(v, 1))),
    ("limits.proxy_max", |s, v| {
        set(&mut s.proxy_max, number(v, 1))
    }),
    ("zeromq.threads", |s, v| {
        set(&mut s.zeromq_threads, number(v, 1))
    }),
    ("limits.request_deadline_ms", |s, v| {
        set(&mut s.request_deadline, millis(v))
    }),
    ("limits.header_timeout_ms", |s, v| {
        set(&mut s.header_timeout, millis(v))
    }),
    ("limits.write_timeout_ms", |s, v| {
        set(&mut s.write_timeout, millis(v))
    }),
    ("limits.idle_timeout_ms", |s, v| {
        set(&mut s.idle_timeout, millis(v))
    }),
    ("limits.conn_queue", |s, v| {
        set(&mut s.conn_queue, number(v, 1))
    }),
    ("limits.upload_max", |s, v| {
        set(&mut s.upload_max, number(v, 0))
    }),
    ("limits.max_connections", |s, v| {
        set(&mut s.max_connections, number(v, 1))
    }),
    ("maintenance.enabled", |s, v| {
        set(&mut s.maintenance, flag(v))
    }),
];

impl Settings {
    /// The settings a key/value map describes: defaults for absent keys, unknown keys kept
    /// in [`unknown`](Settings::unknown), a bad value of a known key refused.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use nagrel_server::config::Settings;
    ///
    /// let map = BTreeMap::from([("no_clobber_xff".to_string(), "yes".to_string())]);
    /// let err = Settings::from_map(&map).unwrap_err();
    /// assert_eq!(err.key(), "no_clobber_xff");
    /// assert_eq!(err.to_string(), "setting 'no_clobber_xff' = 'yes': expected 0 or 1");
    /// ```
    pub fn from_map(map: &BTreeMap<String, String>) -> Result<Settings, SettingsError> {
        let mut settings = Settings::default();
        for (key, value) in map {
            match KEYS.iter().find(|(name, _)| name == key) {
                Some((_, setter)) => {
                    setter(&mut settings, value).map_err(|reason| SettingsError {
                        key: key.clone(),
                        value: value.clone(),
                        reason,
                    })?
                }
                None => {
                    settings.unknown.insert(key.clone(), value.clone());
                }
            }
        }
        Ok(settings)
    }

    /// The keys [`from_map`](Settings::from_map) reads, Mongrel2's and nagrel's.
    ///
    /// ```
    /// use nagrel_server::config::Settings;
    ///
    /// assert!(Settings::known_keys().any(|key| key == "limits.request_deadline_ms"));
    /// ```
    pub fn known_keys() -> impl Iterator<Item = &'static str> {
        KEYS.iter().map(|&(name, _)| name)
    }
}

fn set<T>(field: &mut T, value: Result<T, String>) -> Result<(), String> {
    *field = value?;
    Ok(())
}

/// A decimal number of at least `min` that fits `T`.
fn number<T: TryFrom<u64>>(text: &str, min: u64) -> Result<T, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a whole number".into());
    }
    let n: u64 = text.parse().map_err(|_| "number too large".to_string())?;
    if n < min {
        return Err(format!("must be at least {min}"));
    }
    T::try_from(n).map_err(|_| "number too large".into())
}

/// Milliseconds, at least one.
fn millis(text: &str) -> Result<Duration, String> {
    number::<u64>(text, 1).map(Duration::from_millis)
}

/// Mongrel2 flags are numbers; `true` and `false` are accepted too.
fn flag(text: &str) -> Result<bool, String> {
    match text {
        "0" => Ok(false),
        "1" => Ok(true),
        _ if text.eq_ignore_ascii_case("false") => Ok(false),
        _ if text.eq_ignore_ascii_case("true") => Ok(true),
        _ => Err("expected 0 or 1".into()),
    }
}

/// File permissions in octal, such as `0600`.
fn mode(text: &str) -> Result<u32, String> {
    let bad = || "expected octal permissions such as 0600".to_string();
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return Err(bad());
    }
    match u32::from_str_radix(text, 8) {
        Ok(mode) if mode <= 0o7777 => Ok(mode),
        _ => Err(bad()),
    }
}

/// A `mkstemp` pattern.
fn temp_store(text: &str) -> Result<Option<String>, String> {
    if !text.ends_with("XXXXXX") {
        return Err(
            "expected a mkstemp pattern ending in XXXXXX, such as /tmp/upload.XXXXXX".into(),
        );
    }
    Ok(Some(text.to_owned()))
}

/// A setting with a value its key does not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    key: String,
    value: String,
    reason: String,
}

impl SettingsError {
    /// The setting's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The value refused.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Why it was refused.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "setting '{}' = '{}': {}",
            self.key, self.value, self.reason
        )
    }
}

impl std::error::Error for SettingsError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map = pairs
            .iter()
            .map(|&(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Settings::from_map(&map)
    }

    #[test]
    fn an_empty_map_gives_the_defaults() {
        assert_eq!(parse(&[]).unwrap(), Settings::default());
        let d = Settings::default();
        assert_eq!(
            (d.content_length, d.buffer_size, d.handler_targets),
            (20480, 4096, 128)
        );
        assert_eq!((d.dir_send_buffer, d.dir_max_path), (16384, 256));
        assert_eq!((d.header_count, d.url_path), (100, 8192));
        assert_eq!(d.upload_temp_store_mode, 0o600);
        assert_eq!(d.request_deadline, Duration::from_secs(30));
        assert_eq!(d.header_timeout, Duration::from_secs(10));
        assert_eq!(d.idle_timeout, Duration::from_secs(60));
        assert_eq!((d.conn_queue, d.max_connections), (256, 10_000));
        assert_eq!(d.upload_max, 1024 * 1024 * 1024);
        assert!(d.daemonize && !d.maintenance && !d.no_clobber_xff);
        assert!(!d.disable_access_logging && d.upload_temp_store.is_none());
    }

    #[test]
    fn every_key_is_read() {
        let s = parse(&[
            ("limits.content_length", "1"),
            ("limits.header_count", "2"),
            ("limits.url_path", "300"),
            ("limits.host_name", "4"),
            ("limits.buffer_size", "500"),
            ("limits.handler_targets", "6"),
            ("limits.dir_send_buffer", "7"),
            ("limits.dir_max_path", "8"),
            ("limits.min_ping", "9"),
            ("limits.min_read_rate", "10"),
            ("limits.min_write_rate", "11"),
            ("limits.kill_limit", "12"),
            ("limits.tick_timer", "13"),
            ("upload.temp_store", "/tmp/up.XXXXXX"),
            ("upload.temp_store_mode", "0666"),
            ("upload.stream", "1"),
            ("download.flow_control", "true"),
            ("no_clobber_xff", "1"),
            ("disable.access_logging", "1"),
            ("server.daemonize", "0"),
            ("zeromq.threads", "3"),
            ("limits.request_deadline_ms", "1500"),
            ("limits.header_timeout_ms", "2500"),
            ("limits.idle_timeout_ms", "3500"),
            ("limits.write_timeout_ms", "4500"),
            ("server.threads", "4"),
            ("limits.proxy_max", "17"),
            ("limits.conn_queue", "14"),
            ("limits.upload_max", "15"),
            ("limits.max_connections", "16"),
            ("maintenance.enabled", "1"),
        ])
        .unwrap();
        assert_eq!(Settings::known_keys().count(), 31);
        assert_eq!(
            (s.content_length, s.header_count, s.url_path, s.host_name),
            (1, 2, 300, 4)
        );
        assert_eq!(
            (s.buffer_size, s.handler_targets, s.dir_send_buffer),
            (500, 6, 7)
        );
        assert_eq!((s.dir_max_path, s.min_ping, s.min_read_rate), (8, 9, 10));
        assert_eq!((s.min_write_rate, s.kill_limit, s.tick_timer), (11, 12, 13));
        assert_eq!(s.upload_temp_store.as_deref(), Some("/tmp/up.XXXXXX"));
        assert_eq!(s.upload_temp_store_mode, 0o666);
        assert!(s.upload_stream && s.download_flow_control && s.no_clobber_xff);
        assert!(s.disable_access_logging && !s.daemonize && s.maintenance);
        assert_eq!(s.zeromq_threads, 3);
        assert_eq!(s.request_deadline, Duration::from_millis(1500));
        assert_eq!(s.header_timeout, Duration::from_millis(2500));
        assert_eq!(s.idle_timeout, Duration::from_millis(3500));
        assert_eq!(s.write_timeout, Duration::from_millis(4500));
        assert_eq!((s.threads, s.proxy_max), (4, 17));
        assert_eq!(
            (s.conn_queue, s.upload_max, s.max_connections),
            (14, 15, 16)
        );
        assert!(s.unknown.is_empty());
    }

    #[test]
    fn bad_values_name_key_value_and_reason() {
        for (key, value, reason) in [
            ("limits.content_length", "-1", "expected a whole number"),
            ("limits.content_length", "", "expected a whole number"),
            (
                "limits.content_length",
                "99999999999999999999",
                "number too large",
            ),
            ("zeromq.threads", "99999999999", "number too large"),
            ("limits.header_count", "0", "must be at least 1"),
            ("limits.idle_timeout_ms", "0", "must be at least 1"),
            (
                "upload.temp_store_mode",
                "0999",
                "expected octal permissions such as 0600",
            ),
            (
                "upload.temp_store_mode",
                "77777",
                "expected octal permissions such as 0600",
            ),
            (
                "upload.temp_store",
                "/tmp/upload",
                "expected a mkstemp pattern ending in XXXXXX, such as /tmp/upload.XXXXXX",
            ),
            ("maintenance.enabled", "2", "expected 0 or 1"),
        ] {
            let err = parse(&[(key, value)]).unwrap_err();
            assert_eq!((err.key(), err.value(), err.reason()), (key, value, reason));
        }
    }
}
