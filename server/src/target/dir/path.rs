//! From a request path to a file path relative to the directory's base, without touching
//! the file system.
//!
//! The steps follow Mongrel2's `Dir_resolve_file` (src/dir.c) where they are sound:
//! the route prefix is cut off the raw path; a path ending in `/` names the index file; a
//! request for exactly the prefix (no trailing `/`) names `base + path`, so a route such as
//! `/favicon.ico` serves that one file; the rest is percent-decoded once.
//!
//! Where Mongrel2 is lax this is strict. It passes malformed escapes through and leaves
//! `..` to `realpath`, then compares the result with the base as a string prefix (so
//! `/srv/static` admits `/srv/static-private`). Here a malformed escape, a NUL or a
//! backslash is a bad request, `..` is resolved on the segments and may never climb above
//! the base, and the result holds only plain file-name components. The caller still
//! canonicalises the joined path and checks it component-wise against the canonical base,
//! which is what catches symlinks leading out.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// A request path resolved against the route, ready to join to the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Resolved {
    /// Plain file-name components only; empty means the base itself.
    pub(super) relative: PathBuf,
    /// Whether the request path ended in `/`, so `relative` ends with the index file.
    pub(super) index: bool,
}

/// Why a request path names no file under the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PathError {
    /// The raw path is longer than `limits.dir_max_path`.
    TooLong { len: usize, max: usize },
    /// The path does not start with the route's prefix.
    OutsidePrefix,
    /// A `%` not followed by two hex digits, at this byte of the raw path.
    BadEscape { at: usize },
    /// A NUL byte (raw or `%00`), at this byte of the raw path.
    Nul { at: usize },
    /// A backslash (raw or `%5C`), at this byte of the raw path: a separator on some
    /// systems, so never part of a name here.
    Backslash { at: usize },
    /// More `..` segments than there are segments before them.
    AboveBase,
    /// A name this platform cannot represent (non-UTF-8 outside Unix; never on Unix).
    #[cfg_attr(unix, allow(dead_code))]
    Unrepresentable,
}

impl PathError {
    /// The status a client gets for this refusal. Escapes answer 404 like missing files,
    /// so a probe learns nothing about what lies outside the base.
    pub(super) fn status(self) -> u16 {
        match self {
            PathError::TooLong { .. } => 414,
            PathError::BadEscape { .. } | PathError::Nul { .. } | PathError::Backslash { .. } => {
                400
            }
            PathError::OutsidePrefix | PathError::AboveBase | PathError::Unrepresentable => 404,
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::TooLong { len, max } => {
                write!(
                    f,
                    "request path of {len} bytes is over the {max}-byte limit"
                )
            }
            PathError::OutsidePrefix => f.write_str("request path does not start with the route"),
            PathError::BadEscape { at } => write!(f, "malformed percent-escape at byte {at}"),
            PathError::Nul { at } => write!(f, "NUL in the request path at byte {at}"),
            PathError::Backslash { at } => write!(f, "backslash in the request path at byte {at}"),
            PathError::AboveBase => f.write_str("request path climbs above the directory base"),
            PathError::Unrepresentable => {
                f.write_str("request path names a file this platform cannot represent")
            }
        }
    }
}

impl std::error::Error for PathError {}

/// Resolves the raw request `path` (no query, not decoded) under the route `prefix`.
/// `index` is the index file as plain components (checked when the target was built).
pub(super) fn resolve(
    path: &[u8],
    prefix: &str,
    index: &Path,
    max_path: usize,
) -> Result<Resolved, PathError> {
    if path.len() > max_path {
        return Err(PathError::TooLong {
            len: path.len(),
            max: max_path,
        });
    }
    let prefix = prefix.as_bytes();
    let Some(after_prefix) = path.strip_prefix(prefix) else {
        return Err(PathError::OutsidePrefix);
    };
    let trailing_slash = path.last() == Some(&b'/');
    // Mongrel2: exactly the prefix, without a trailing slash, names `base + path`.
    let (rest, rest_at) = if after_prefix.is_empty() && !trailing_slash {
        (path, 0)
    } else {
        (after_prefix, prefix.len())
    };
    let decoded = percent_decode(rest, rest_at)?;

    let mut segments: Vec<&[u8]> = Vec::new();
    for segment in decoded.split(|&b| b == b'/') {
        match segment {
            b"" | b"." => {}
            b".." => {
                if segments.pop().is_none() {
                    return Err(PathError::AboveBase);
                }
            }
            name => segments.push(name),
        }
    }
    let mut relative = PathBuf::new();
    for segment in segments {
        relative.push(os_str(segment)?);
    }
    if trailing_slash {
        relative.push(index);
    }
    // Belt and braces: whatever a platform reads into a name (drive letters, roots), only
    // plain names may reach the join with the base.
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(PathError::AboveBase);
    }
    Ok(Resolved {
        relative,
        index: trailing_slash,
    })
}

/// Decodes `%XX` escapes once. `offset` is where `raw` starts in the request path, for
/// error positions.
fn percent_decode(raw: &[u8], offset: usize) -> Result<Vec<u8>, PathError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&byte) = raw.get(i) {
        let at = offset + i;
        let decoded = if byte == b'%' {
            let high = raw.get(i + 1).and_then(|&b| hex_value(b));
            let low = raw.get(i + 2).and_then(|&b| hex_value(b));
            let (Some(high), Some(low)) = (high, low) else {
                return Err(PathError::BadEscape { at });
            };
            i += 3;
            high << 4 | low
        } else {
            i += 1;
            byte
        };
        match decoded {
            0 => return Err(PathError::Nul { at }),
            b'\\' => return Err(PathError::Backslash { at }),
            other => out.push(other),
        }
    }
    Ok(out)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(unix)]
fn os_str(bytes: &[u8]) -> Result<&OsStr, PathError> {
    use std::os::unix::ffi::OsStrExt;
    Ok(OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn os_str(bytes: &[u8]) -> Result<&OsStr, PathError> {
    std::str::from_utf8(bytes)
        .map(OsStr::new)
        .map_err(|_| PathError::Unrepresentable)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 256;

    fn ok(path: &str, prefix: &str) -> (String, bool) {
        let resolved = resolve(path.as_bytes(), prefix, Path::new("index.html"), MAX)
            .unwrap_or_else(|e| panic!("{path:?}: {e}"));
        (
            resolved.relative.to_string_lossy().into_owned(),
            resolved.index,
        )
    }

    fn err(path: &str, prefix: &str) -> PathError {
        resolve(path.as_bytes(), prefix, Path::new("index.html"), MAX).unwrap_err()
    }

    #[test]
    fn prefix_is_cut_and_the_rest_joined() {
        assert_eq!(ok("/static/a/b.css", "/static/"), ("a/b.css".into(), false));
        assert_eq!(ok("/static/a/b.css", "/static"), ("a/b.css".into(), false));
        assert_eq!(ok("/a.txt", "/"), ("a.txt".into(), false));
    }

    #[test]
    fn trailing_slash_names_the_index_file() {
        assert_eq!(ok("/static/", "/static/"), ("index.html".into(), true));
        assert_eq!(
            ok("/static/sub/", "/static/"),
            ("sub/index.html".into(), true)
        );
        assert_eq!(ok("/", "/"), ("index.html".into(), true));
    }

    #[test]
    fn exactly_the_prefix_names_the_whole_path() {
        assert_eq!(
            ok("/favicon.ico", "/favicon.ico"),
            ("favicon.ico".into(), false)
        );
        assert_eq!(ok("/docs", "/docs"), ("docs".into(), false));
    }

    #[test]
    fn no_trailing_slash_leaves_a_directory_for_the_caller() {
        assert_eq!(ok("/static/sub", "/static/"), ("sub".into(), false));
        assert_eq!(ok("/static/.", "/static/"), (String::new(), false));
    }

    #[test]
    fn percent_decoding_happens_once() {
        assert_eq!(ok("/s/a%20b.txt", "/s/"), ("a b.txt".into(), false));
        assert_eq!(ok("/s/100%2525", "/s/"), ("100%25".into(), false));
        assert_eq!(ok("/s/a%2Fb", "/s/"), ("a/b".into(), false));
        assert_eq!(ok("/s/%C3%A9", "/s/"), ("é".into(), false));
    }

    #[test]
    fn dot_segments_resolve_inside_the_base() {
        assert_eq!(ok("/s/a/../b", "/s/"), ("b".into(), false));
        assert_eq!(ok("/s/a/./b", "/s/"), ("a/b".into(), false));
        assert_eq!(ok("/s//a///b", "/s/"), ("a/b".into(), false));
        assert_eq!(ok("/s/a/%2e%2e/b", "/s/"), ("b".into(), false));
    }

    #[test]
    fn climbing_above_the_base_is_refused() {
        for path in [
            "/s/..",
            "/s/../etc/passwd",
            "/s/a/../../x",
            "/s/%2e%2e/x",
            "/s/%2E%2E%2Fx",
            "/s/..%2fx",
            "/s/.%2e/x",
        ] {
            assert_eq!(err(path, "/s/"), PathError::AboveBase, "{path}");
        }
    }

    #[test]
    fn absolute_looking_paths_stay_under_the_base() {
        assert_eq!(ok("/s//etc/passwd", "/s/"), ("etc/passwd".into(), false));
        assert_eq!(ok("/s/%2Fetc/passwd", "/s/"), ("etc/passwd".into(), false));
    }

    #[test]
    fn bad_bytes_are_bad_requests_with_positions() {
        assert_eq!(err("/s/a%2", "/s/"), PathError::BadEscape { at: 4 });
        assert_eq!(err("/s/a%zz", "/s/"), PathError::BadEscape { at: 4 });
        assert_eq!(err("/s/%", "/s/"), PathError::BadEscape { at: 3 });
        assert_eq!(err("/s/a%00b", "/s/"), PathError::Nul { at: 4 });
        assert_eq!(err("/s/a\0b", "/s/"), PathError::Nul { at: 4 });
        assert_eq!(err("/s/..\\x", "/s/"), PathError::Backslash { at: 5 });
        assert_eq!(err("/s/..%5cx", "/s/"), PathError::Backslash { at: 5 });
        for e in [
            PathError::BadEscape { at: 0 },
            PathError::Nul { at: 0 },
            PathError::Backslash { at: 0 },
        ] {
            assert_eq!(e.status(), 400);
        }
    }

    #[test]
    fn outside_the_prefix_is_not_found() {
        assert_eq!(err("/other/a", "/s/"), PathError::OutsidePrefix);
        assert_eq!(err("/s", "/s/"), PathError::OutsidePrefix);
        assert_eq!(PathError::OutsidePrefix.status(), 404);
        assert_eq!(PathError::AboveBase.status(), 404);
    }

    #[test]
    fn length_limit_applies_to_the_raw_path() {
        let long = format!("/s/{}", "a".repeat(MAX - 3));
        assert!(resolve(long.as_bytes(), "/s/", Path::new("i"), MAX).is_ok());
        let longer = format!("{long}a");
        let e = resolve(longer.as_bytes(), "/s/", Path::new("i"), MAX).unwrap_err();
        assert_eq!(
            e,
            PathError::TooLong {
                len: MAX + 1,
                max: MAX
            }
        );
        assert_eq!(e.status(), 414);
    }

    #[test]
    fn errors_read_well() {
        assert_eq!(
            PathError::BadEscape { at: 7 }.to_string(),
            "malformed percent-escape at byte 7"
        );
        assert_eq!(
            PathError::TooLong { len: 300, max: 256 }.to_string(),
            "request path of 300 bytes is over the 256-byte limit"
        );
    }
}
