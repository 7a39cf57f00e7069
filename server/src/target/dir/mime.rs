//! Content-Type by file name, from the configuration's mimetype table.
//!
//! Mongrel2 (src/mime.c) looks the table up by the longest matching suffix of the path, so
//! an entry such as `.tar.gz` wins over `.gz`; that carries over, with the name compared
//! without regard to ASCII case (the table's keys are lowercase).

use std::collections::BTreeMap;
use std::ffi::OsStr;

use super::response::is_field_value;

/// The type for `file_name`: the table's entry for its longest dotted suffix, else
/// `default`. Entries that could not be sent as a field value are skipped.
pub(super) fn content_type<'a>(
    file_name: &OsStr,
    mimetypes: &'a BTreeMap<String, String>,
    default: &'a str,
) -> &'a str {
    let name = file_name.to_string_lossy().to_ascii_lowercase();
    name.match_indices('.')
        .filter_map(|(dot, _)| mimetypes.get(&name[dot..]))
        .find(|ctype| is_field_value(ctype))
        .map_or(default, String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> BTreeMap<String, String> {
        [
            (".html", "text/html"),
            (".gz", "application/gzip"),
            (".tar.gz", "application/x-tar+gzip"),
            (".bad", "text/plain\r\nX-Injected: 1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn lookup(name: &str) -> String {
        content_type(OsStr::new(name), &table(), "text/plain").to_owned()
    }

    #[test]
    fn by_extension_without_case() {
        assert_eq!(lookup("index.html"), "text/html");
        assert_eq!(lookup("INDEX.HTML"), "text/html");
        assert_eq!(lookup("a.b.HtMl"), "text/html");
    }

    #[test]
    fn longest_suffix_wins() {
        assert_eq!(lookup("x.tar.gz"), "application/x-tar+gzip");
        assert_eq!(lookup("x.gz"), "application/gzip");
    }

    #[test]
    fn default_otherwise() {
        assert_eq!(lookup("README"), "text/plain");
        assert_eq!(lookup("a.unknown"), "text/plain");
        assert_eq!(lookup("html"), "text/plain");
        assert_eq!(lookup("a.bad"), "text/plain");
    }
}
