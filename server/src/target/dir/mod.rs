//! Static directory targets: a route such as `'/static/': Dir(base='static/')` serves the
//! files under `base`.
//!
//! [`DirTarget::respond`] turns one GET or HEAD into a complete response head and a body to
//! send: nothing here writes to a socket, so the connection code decides how to send (it
//! reads a [`DirBody::File`] in [`DirTarget::send_buffer`] pieces) and the behaviour is
//! testable without one. File system access is the little needed to answer, through
//! `tokio::fs`: canonicalise, stat, open.
//!
//! # Behaviour
//!
//! Compatible with Mongrel2's `src/dir.c`:
//! - Only GET and HEAD; anything else is 405 with `Allow: GET, HEAD`.
//! - The route prefix is cut off the path; a path ending in `/` serves `index_file`; a
//!   directory named without the slash is redirected (301) to the slash form; a path equal
//!   to the prefix (no slash) serves `base + path`, for one-file routes like `/favicon.ico`.
//! - The path is percent-decoded once and must stay inside `base` after `..` and symlinks.
//! - Content-Type by the longest extension in the mimetype table, else `default_ctype`.
//! - Date, Content-Type, Content-Length, Last-Modified, ETag (modification time and size in
//!   hex), Server.
//! - Conditionals: If-Match and If-Unmodified-Since (412), If-None-Match and
//!   If-Modified-Since (304).
//!
//! Better than Mongrel2:
//! - Single byte ranges (`bytes=a-b`, `a-`, `-n`) with 206 and Content-Range; 416 when
//!   unsatisfiable; several ranges get the whole file with 200. `If-Range` is honoured.
//!   `Accept-Ranges: bytes` on every file response.
//! - `Cache-Control: max-age=<cache_ttl>` when `cache_ttl` is above 0.
//! - ETags are quoted and compared as RFC 9110 says; preconditions follow its order.
//! - Malformed escapes, NUL and backslashes are 400 instead of being passed through;
//!   paths over `limits.dir_max_path` are 414; the containment check compares path
//!   components, not string prefixes.
//! - Every error is a complete small response with Content-Length, and `Connection: close`
//!   when the connection will not be kept.
//!
//! Anything that would lead outside the base (`..` above it, a symlink pointing out) is
//! answered 404, exactly like a missing file, so probes cannot tell what exists outside.
//! A file inside the base that cannot be opened for lack of permission is 403.
//!
//! The base is canonicalised once, when the target is built; a request path is resolved
//! lexically first (see `path`), then the joined path is canonicalised and checked to lie
//! under the base, and the canonical path is what gets opened. Someone able to swap files
//! inside the base between that check and the open could still redirect it: the base is
//! trusted, the request is not.

pub mod date;

mod conditional;
mod mime;
mod path;
mod range;
mod response;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bytes::Bytes;
use nagrel_protocols::http::Fields;
use tokio::io::AsyncSeekExt;

use self::conditional::{Precondition, Validators};
use self::date::HttpDate;
use self::range::ByteRange;
use self::response::Head;

/// A static directory ready to serve: the configured [`Dir`](crate::config::Dir) with its
/// base resolved, its strings checked and the limits that apply.
///
/// ```
/// use std::path::Path;
/// use nagrel_server::config::Dir;
/// use nagrel_server::target::dir::DirTarget;
///
/// let root = std::env::temp_dir().join(format!("nagrel-dir-doc-new-{}", std::process::id()));
/// std::fs::create_dir_all(root.join("static"))?;
/// let dir = Dir {
///     base: "static/".into(),
///     index_file: "index.html".into(),
///     default_ctype: "text/plain".into(),
///     cache_ttl: 60,
/// };
/// let target = DirTarget::new(&dir, &root, 256, 16 * 1024)?;
/// assert_eq!(target.send_buffer(), 16 * 1024);
/// assert!(target.base().ends_with("static"));
///
/// let missing = Dir { base: "no-such-directory/".into(), ..dir };
/// assert!(DirTarget::new(&missing, &root, 256, 16 * 1024).is_err());
/// # std::fs::remove_dir_all(&root)?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug, Clone)]
pub struct DirTarget {
    /// Canonical, absolute.
    base: PathBuf,
    /// Plain components only.
    index_file: PathBuf,
    default_ctype: String,
    cache_ttl: u32,
    max_path: usize,
    send_buffer: usize,
}

/// One request to a directory target: the parts of the request head it looks at.
#[derive(Debug, Clone, Copy)]
pub struct DirRequest<'a> {
    /// The method, as received (compared case-sensitively, as HTTP methods are).
    pub method: &'a [u8],
    /// The request path as received: no query, not yet percent-decoded.
    pub path: &'a [u8],
    /// The query after `?` as received (without the `?`), if any; kept on redirects.
    pub query: Option<&'a [u8]>,
    /// The route prefix that matched (the route path before any pattern), cut off `path`.
    pub prefix: &'a str,
    /// The request's header fields (conditionals, Range).
    pub fields: &'a Fields,
    /// Whether the connection stays open after this response; if not, the response carries
    /// `Connection: close`.
    pub keep_alive: bool,
    /// The time of the response, sent as `Date` and the reference for date conditionals.
    pub now: SystemTime,
}

/// What to send back: the status (for logs), the whole head, and the body.
#[derive(Debug)]
pub struct DirResponse {
    /// The status code, also written in `head`.
    pub status: u16,
    /// Status line, header fields and the blank line that ends them.
    pub head: Bytes,
    /// What follows the head.
    pub body: DirBody,
}

/// The body of a [`DirResponse`].
#[derive(Debug)]
pub enum DirBody {
    /// Nothing (HEAD, 304, an empty file).
    Empty,
    /// A small body held in memory (error pages).
    Bytes(Bytes),
    /// `len` bytes of `file` from `offset`. The file is already positioned at `offset`, so
    /// the sender reads `len` bytes from where it stands; `len` is at least 1.
    File {
        /// The open file.
        file: tokio::fs::File,
        /// Where the bytes to send start (the file is positioned there).
        offset: u64,
        /// How many bytes to send.
        len: u64,
    },
}

/// Why [`DirTarget::new`] refused a configuration (wrapped in an [`io::Error`] of kind
/// `InvalidInput`, or of the kind the file system reported for the base).
#[derive(Debug)]
struct ConfigError {
    what: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for ConfigError {}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, ConfigError { what })
}

impl DirTarget {
    /// Builds a target from its configuration. A relative `base` is taken relative to
    /// `root` (the server's `chroot`), an absolute one as is; it must exist and be a
    /// directory, and is canonicalised here, once. `max_path` is `limits.dir_max_path`
    /// (the longest request path accepted) and `send_buffer` is `limits.dir_send_buffer`.
    ///
    /// Errors: the base is missing or not a directory; `index_file` is empty or holds
    /// anything but plain names (`..`, absolute); `default_ctype` is not a valid header
    /// value; `max_path` or `send_buffer` is 0.
    pub fn new(
        dir: &crate::config::Dir,
        root: &Path,
        max_path: usize,
        send_buffer: usize,
    ) -> io::Result<DirTarget> {
        if max_path == 0 || send_buffer == 0 {
            return Err(invalid(format!(
                "directory limits must be above 0 (dir_max_path={max_path}, \
                 dir_send_buffer={send_buffer})"
            )));
        }
        let configured = root.join(&dir.base);
        let base = std::fs::canonicalize(&configured).map_err(|e| {
            io::Error::new(
                e.kind(),
                ConfigError {
                    what: format!("directory base {}: {e}", configured.display()),
                },
            )
        })?;
        if !base.is_dir() {
            return Err(invalid(format!(
                "directory base {} is not a directory",
                configured.display()
            )));
        }
        let index_file = index_file(&dir.index_file)?;
        if !response::is_field_value(&dir.default_ctype) {
            return Err(invalid(format!(
                "default_ctype {:?} is not a valid Content-Type value",
                dir.default_ctype
            )));
        }
        Ok(DirTarget {
            base,
            index_file,
            default_ctype: dir.default_ctype.clone(),
            cache_ttl: dir.cache_ttl,
            max_path,
            send_buffer,
        })
    }

    /// The canonical base directory.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// How many bytes of a file to read and send at a time (`limits.dir_send_buffer`).
    pub fn send_buffer(&self) -> usize {
        self.send_buffer
    }

    /// Answers one request: the response head and the body to send after it.
    ///
    /// Never fails: every problem is a response (400, 403, 404, 405, 412, 414, 416, 500),
    /// complete with Content-Length.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use std::time::SystemTime;
    /// use bytes::BytesMut;
    /// use nagrel_protocols::decoder::Driver;
    /// use nagrel_protocols::http::{request_head, HeadLimits};
    /// use nagrel_server::config::Dir;
    /// use nagrel_server::target::dir::{DirBody, DirRequest, DirTarget};
    ///
    /// let root = std::env::temp_dir().join(format!("nagrel-dir-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&root)?;
    /// std::fs::write(root.join("hello.txt"), "hello")?;
    /// let dir = Dir {
    ///     base: ".".into(),
    ///     index_file: "index.html".into(),
    ///     default_ctype: "text/plain".into(),
    ///     cache_ttl: 0,
    /// };
    /// let target = DirTarget::new(&dir, &root, 256, 16 * 1024)?;
    ///
    /// let mut wire = BytesMut::from(
    ///     &b"GET /files/hello.txt HTTP/1.1\r\nHost: example.com\r\nRange: bytes=1-3\r\n\r\n"[..],
    /// );
    /// let head = Driver::new(|| request_head(HeadLimits::default()))
    ///     .decode(&mut wire)
    ///     .unwrap()
    ///     .unwrap();
    /// let request = DirRequest {
    ///     method: head.method(),
    ///     path: head.target(),
    ///     query: None,
    ///     prefix: "/files/",
    ///     fields: head.fields(),
    ///     keep_alive: true,
    ///     now: SystemTime::now(),
    /// };
    /// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    /// let response = runtime.block_on(target.respond(&request, &BTreeMap::new()));
    /// assert_eq!(response.status, 206);
    /// let head = String::from_utf8_lossy(&response.head);
    /// assert!(head.contains("Content-Range: bytes 1-3/5\r\n"));
    /// assert!(matches!(response.body, DirBody::File { offset: 1, len: 3, .. }));
    /// # std::fs::remove_dir_all(&root)?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn respond(
        &self,
        req: &DirRequest<'_>,
        mimetypes: &BTreeMap<String, String>,
    ) -> DirResponse {
        let now = HttpDate::from(req.now);
        let head_only = match req.method {
            b"GET" => false,
            b"HEAD" => true,
            _ => {
                return response::small(405, now, req.keep_alive, false, &[("Allow", "GET, HEAD")])
            }
        };
        let refuse = |status: u16| response::small(status, now, req.keep_alive, head_only, &[]);

        let resolved = match path::resolve(req.path, req.prefix, &self.index_file, self.max_path) {
            Ok(resolved) => resolved,
            Err(e) => {
                tracing::debug!(error = %e, "directory request refused");
                return refuse(e.status());
            }
        };
        let joined = self.base.join(&resolved.relative);
        let Ok(real) = tokio::fs::canonicalize(&joined).await else {
            return refuse(404);
        };
        if !real.starts_with(&self.base) {
            tracing::debug!(path = %joined.display(), "directory request leads outside its base");
            return refuse(404);
        }
        let Ok(meta) = tokio::fs::metadata(&real).await else {
            return refuse(404);
        };
        if meta.is_dir() {
            if resolved.index {
                return refuse(404);
            }
            return self.redirect_to_slash(req, now, head_only);
        }
        if !meta.is_file() {
            return refuse(404);
        }

        let (file, meta) = if head_only {
            (None, meta)
        } else {
            match open(&real).await {
                Ok((file, meta)) => (Some(file), meta),
                Err(status) => return refuse(status),
            }
        };
        if !meta.is_file() {
            return refuse(404);
        }

        let size = meta.len();
        let modified = meta.modified().map_or(now, HttpDate::from);
        let validators = Validators::new(modified, size, now);
        match conditional::evaluate(req.fields, &validators) {
            Precondition::Proceed => {}
            Precondition::NotModified => return self.not_modified(req, &validators),
            Precondition::Failed => return refuse(412),
        }

        // Range is defined for GET only (RFC 9110 section 14.2); HEAD gets the 200 head.
        let wanted = match (head_only, range_value(req.fields)) {
            (false, Some(value)) if conditional::range_allowed(req.fields, &validators) => {
                range::byte_range(value, size)
            }
            _ => ByteRange::Full,
        };
        let (status, start, len) = match wanted {
            ByteRange::Full => (200, 0, size),
            ByteRange::Part { start, len } => (206, start, len),
            ByteRange::Unsatisfiable => {
                let content_range = format!("bytes */{size}");
                return response::small(
                    416,
                    now,
                    req.keep_alive,
                    head_only,
                    &[("Content-Range", &content_range)],
                );
            }
        };

        let name = real.file_name().unwrap_or_default();
        let ctype = mime::content_type(name, mimetypes, &self.default_ctype);
        let mut head = Head::new(status, now);
        head.field("Content-Type", ctype);
        head.field("Content-Length", len);
        if status == 206 {
            head.field(
                "Content-Range",
                format_args!("bytes {start}-{}/{size}", start + len - 1),
            );
        }
        self.validator_fields(&mut head, &validators);
        head.field("Accept-Ranges", "bytes");
        let head = head.finish(req.keep_alive);

        let body = match file {
            Some(mut file) if len > 0 => {
                if start > 0 {
                    if let Err(e) = file.seek(io::SeekFrom::Start(start)).await {
                        tracing::warn!(error = %e, path = %real.display(), "seek failed");
                        return refuse(500);
                    }
                }
                DirBody::File {
                    file,
                    offset: start,
                    len,
                }
            }
            _ => DirBody::Empty,
        };
        DirResponse { status, head, body }
    }

    /// Last-Modified, ETag and Cache-Control: what 200, 206 and 304 share.
    fn validator_fields(&self, head: &mut Head, validators: &Validators) {
        head.field("Last-Modified", validators.last_modified);
        head.field("ETag", validators.etag());
        if self.cache_ttl > 0 {
            head.field("Cache-Control", format_args!("max-age={}", self.cache_ttl));
        }
    }

    fn not_modified(&self, req: &DirRequest<'_>, validators: &Validators) -> DirResponse {
        let mut head = Head::new(304, validators.now);
        self.validator_fields(&mut head, validators);
        DirResponse {
            status: 304,
            head: head.finish(req.keep_alive),
            body: DirBody::Empty,
        }
    }

    /// 301 to the same path with a `/` added (and the query kept). Mongrel2 sends
    /// `//host/path/`; a path-absolute reference needs no Host and means the same.
    fn redirect_to_slash(
        &self,
        req: &DirRequest<'_>,
        now: HttpDate,
        head_only: bool,
    ) -> DirResponse {
        let mut location = String::with_capacity(req.path.len() + 2);
        response::push_header_safe(&mut location, req.path);
        location.push('/');
        if let Some(query) = req.query {
            location.push('?');
            response::push_header_safe(&mut location, query);
        }
        response::small(
            301,
            now,
            req.keep_alive,
            head_only,
            &[("Location", &location)],
        )
    }
}

/// The one Range field; repeated Range fields are ignored as malformed.
fn range_value(fields: &Fields) -> Option<&[u8]> {
    let mut values = fields.get_all("range");
    let value = values.next()?;
    values.next().is_none().then_some(value)
}

/// Opens the file and reads its metadata from the open handle, so what is described is
/// what is sent. Errors are the status to answer.
async fn open(real: &Path) -> Result<(tokio::fs::File, std::fs::Metadata), u16> {
    let file = match tokio::fs::File::open(real).await {
        Ok(file) => file,
        Err(e) => {
            return Err(match e.kind() {
                io::ErrorKind::NotFound => 404,
                io::ErrorKind::PermissionDenied => 403,
                _ => {
                    tracing::warn!(error = %e, path = %real.display(), "open failed");
                    500
                }
            })
        }
    };
    match file.metadata().await {
        Ok(meta) => Ok((file, meta)),
        Err(e) => {
            tracing::warn!(error = %e, path = %real.display(), "fstat failed");
            Err(500)
        }
    }
}

/// The index file as plain path components: `index.html`, or `sub/index.html`.
fn index_file(configured: &str) -> io::Result<PathBuf> {
    let mut index = PathBuf::new();
    for part in configured.split('/').filter(|p| !p.is_empty()) {
        if part == "." || part == ".." || part.contains(['\\', '\0']) {
            return Err(invalid(format!(
                "index_file {configured:?} must be a file name under the directory"
            )));
        }
        index.push(part);
    }
    if index.as_os_str().is_empty() || configured.starts_with('/') {
        return Err(invalid(format!(
            "index_file {configured:?} must be a file name under the directory"
        )));
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_file_must_be_plain_names() {
        assert_eq!(index_file("index.html").unwrap(), Path::new("index.html"));
        assert_eq!(index_file("a/b.html").unwrap(), Path::new("a/b.html"));
        for bad in [
            "",
            "/",
            "/etc/passwd",
            "../x",
            "a/../../x",
            ".",
            "a\\b",
            "a\0",
        ] {
            let err = index_file(bad).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
    }

    #[test]
    fn config_errors_read_well() {
        let err = index_file("../x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "index_file \"../x\" must be a file name under the directory"
        );
    }
}
