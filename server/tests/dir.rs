//! The static directory target against a real directory tree: every status it answers,
//! the headers, ranges, conditionals, mimetypes, and every way out of the base we could
//! think of.
//!
//! Each test builds its own tree under the system temp directory (a unique name, removed
//! when the test ends), with `www/` as the served base and `outside.txt`, `www-private/`
//! beside it as the things that must never be served.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::BytesMut;
use nagrel_protocols::decoder::Driver;
use nagrel_protocols::http::{request_head, HeadLimits, RequestHead};
use nagrel_server::config::Dir;
use nagrel_server::target::dir::date::{DateErrorKind, HttpDate};
use nagrel_server::target::dir::{DirBody, DirRequest, DirTarget};
use tokio::io::AsyncReadExt;

/// Sun, 06 Nov 1994 08:49:37 GMT: the modification time of `hello.txt`.
const MTIME: u64 = 784_111_777;
/// Mon, 01 Jan 2024 00:00:00 GMT: the time every response is made at.
const NOW: u64 = 1_704_067_200;
const HELLO: &str = "hello world";
const HELLO_ETAG: &str = "\"2ebc98a1-b\"";
const SECRET: &str = "secret outside the base";
const PREFIX: &str = "/static/";
const MAX_PATH: usize = 256;

/// A directory tree for one test, removed on drop.
struct Fixture {
    root: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "nagrel-dir-test-{}-{}-{name}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&root);
        let www = root.join("www");
        fs::create_dir_all(www.join("sub")).unwrap();
        fs::create_dir_all(www.join("no-index")).unwrap();
        fs::create_dir_all(root.join("www-private")).unwrap();
        fs::write(root.join("outside.txt"), SECRET).unwrap();
        fs::write(root.join("www-private/secret.txt"), SECRET).unwrap();
        fs::write(www.join("hello.txt"), HELLO).unwrap();
        let hello = fs::File::options()
            .write(true)
            .open(www.join("hello.txt"))
            .unwrap();
        hello
            .set_modified(UNIX_EPOCH + Duration::from_secs(MTIME))
            .unwrap();
        fs::write(www.join("index.html"), "<h1>home</h1>").unwrap();
        fs::write(www.join("sub/index.html"), "<h1>sub</h1>").unwrap();
        fs::write(www.join("sub/page.html"), "<p>page</p>").unwrap();
        fs::write(www.join("style.CSS"), "body {}").unwrap();
        fs::write(www.join("bundle.tar.gz"), "tgz").unwrap();
        fs::write(www.join("data.gz"), "gz").unwrap();
        fs::write(www.join("README"), "readme").unwrap();
        fs::write(www.join("empty.txt"), "").unwrap();
        fs::write(www.join("a b.txt"), "spaced").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("../outside.txt", www.join("link-out")).unwrap();
            symlink("..", www.join("link-up")).unwrap();
            symlink(root.join("outside.txt"), www.join("link-absolute")).unwrap();
            symlink("../www-private/secret.txt", www.join("link-sibling")).unwrap();
            symlink("hello.txt", www.join("link-in.html")).unwrap();
            symlink("sub", www.join("link-sub")).unwrap();
        }
        Fixture { root }
    }

    fn www(&self) -> PathBuf {
        self.root.join("www")
    }

    fn target(&self) -> DirTarget {
        self.target_with(dir_config(0))
    }

    fn target_with(&self, dir: Dir) -> DirTarget {
        DirTarget::new(&dir, &self.root, MAX_PATH, 4096).unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            // A test may have locked a file away; give it back so it can be removed.
            use std::os::unix::fs::PermissionsExt;
            let locked = self.www().join("locked.txt");
            let _ = fs::set_permissions(locked, fs::Permissions::from_mode(0o644));
        }
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn dir_config(cache_ttl: u32) -> Dir {
    Dir {
        base: "www/".into(),
        index_file: "index.html".into(),
        default_ctype: "application/octet-stream".into(),
        cache_ttl,
    }
}

fn mimetypes() -> BTreeMap<String, String> {
    [
        (".txt", "text/plain"),
        (".html", "text/html"),
        (".css", "text/css"),
        (".gz", "application/gzip"),
        (".tar.gz", "application/x-tgz"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn decode_head(raw: &[u8]) -> RequestHead {
    let mut driver = Driver::new(|| request_head(HeadLimits::default()));
    let mut buf = BytesMut::from(raw);
    driver
        .decode(&mut buf)
        .expect("a valid request head")
        .expect("a complete request head")
}

/// A response with its body read out of the file.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: Option<Vec<u8>>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.split("\r\n").skip(1).find_map(|line| {
            let (n, v) = line.split_once(": ")?;
            n.eq_ignore_ascii_case(name).then_some(v)
        })
    }

    fn body_text(&self) -> String {
        String::from_utf8_lossy(self.body.as_deref().unwrap_or_default()).into_owned()
    }

    /// Checks what every response must have: status line, Date, Server, the blank line,
    /// and a body as long as Content-Length says (or none for HEAD and 304).
    fn assert_well_formed(&self, head_only: bool) {
        let status_line = self.head.split("\r\n").next().unwrap();
        assert!(
            status_line.starts_with(&format!("HTTP/1.1 {} ", self.status)),
            "{status_line}"
        );
        assert!(self.head.ends_with("\r\n\r\n"), "{:?}", self.head);
        assert_eq!(self.header("Date"), Some("Mon, 01 Jan 2024 00:00:00 GMT"));
        assert_eq!(self.header("Server"), Some("nagrel"));
        if head_only || self.status == 304 {
            assert_eq!(self.body, None);
        } else {
            let len: usize = self.header("Content-Length").unwrap().parse().unwrap();
            assert_eq!(self.body.as_ref().map_or(0, Vec::len), len);
        }
    }
}

async fn request_with(
    target: &DirTarget,
    prefix: &str,
    raw: &str,
    keep_alive: bool,
    query: bool,
) -> Reply {
    let head = decode_head(raw.as_bytes());
    let uri = head.target();
    let (path, q) = match uri.iter().position(|&b| b == b'?') {
        Some(at) => (&uri[..at], Some(&uri[at + 1..])),
        None => (uri, None),
    };
    let req = DirRequest {
        method: head.method(),
        path,
        query: if query { q } else { None },
        prefix,
        fields: head.fields(),
        keep_alive,
        now: UNIX_EPOCH + Duration::from_secs(NOW),
    };
    let response = target.respond(&req, &mimetypes()).await;
    let head_text = String::from_utf8(response.head.to_vec()).unwrap();
    let body = match response.body {
        DirBody::Empty => None,
        DirBody::Bytes(bytes) => Some(bytes.to_vec()),
        DirBody::File { mut file, len, .. } => {
            assert!(len > 0);
            let mut out = Vec::new();
            (&mut file).take(len).read_to_end(&mut out).await.unwrap();
            assert_eq!(out.len() as u64, len, "file shorter than promised");
            Some(out)
        }
    };
    let reply = Reply {
        status: response.status,
        head: head_text,
        body,
    };
    reply.assert_well_formed(req.method == b"HEAD");
    reply
}

/// `GET path` with extra header lines, on a kept-alive connection.
async fn get(target: &DirTarget, path: &str, headers: &str) -> Reply {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: example.com\r\n{headers}\r\n");
    request_with(target, PREFIX, &raw, true, true).await
}

async fn method(target: &DirTarget, method: &str, path: &str, headers: &str) -> Reply {
    let raw = format!("{method} {path} HTTP/1.1\r\nHost: example.com\r\n{headers}\r\n");
    request_with(target, PREFIX, &raw, true, true).await
}

fn http_date(secs: u64) -> String {
    HttpDate::from(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

// ---- success ----

#[tokio::test]
async fn get_serves_the_file_with_every_header() {
    let fx = Fixture::new("get");
    let reply = get(&fx.target(), "/static/hello.txt", "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.head,
        format!(
            "HTTP/1.1 200 OK\r\n\
             Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n\
             Server: nagrel\r\n\
             Content-Type: text/plain\r\n\
             Content-Length: 11\r\n\
             Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
             ETag: {HELLO_ETAG}\r\n\
             Accept-Ranges: bytes\r\n\
             \r\n"
        )
    );
    assert_eq!(reply.body_text(), HELLO);
}

#[tokio::test]
async fn head_has_the_same_head_and_no_body() {
    let fx = Fixture::new("head");
    let target = fx.target();
    let got = get(&target, "/static/hello.txt", "").await;
    let head = method(&target, "HEAD", "/static/hello.txt", "").await;
    assert_eq!(head.status, 200);
    assert_eq!(head.head, got.head);
    assert_eq!(head.body, None);
}

#[tokio::test]
async fn connection_close_when_not_kept_alive() {
    let fx = Fixture::new("close");
    let target = fx.target();
    let raw = "GET /static/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n";
    let reply = request_with(&target, PREFIX, raw, false, true).await;
    assert_eq!(reply.header("Connection"), Some("close"));
    let reply = request_with(
        &target,
        PREFIX,
        "GET /static/nope HTTP/1.1\r\nHost: x\r\n\r\n",
        false,
        true,
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("Connection"), Some("close"));
    let reply = get(&target, "/static/hello.txt", "").await;
    assert_eq!(reply.header("Connection"), None);
}

#[tokio::test]
async fn cache_control_only_with_a_ttl() {
    let fx = Fixture::new("cache");
    let cached = fx.target_with(dir_config(3600));
    let reply = get(&cached, "/static/hello.txt", "").await;
    assert_eq!(reply.header("Cache-Control"), Some("max-age=3600"));
    let reply = get(
        &cached,
        "/static/hello.txt",
        &format!("If-None-Match: {HELLO_ETAG}\r\n"),
    )
    .await;
    assert_eq!(reply.status, 304);
    assert_eq!(reply.header("Cache-Control"), Some("max-age=3600"));
    let reply = get(&fx.target(), "/static/hello.txt", "").await;
    assert_eq!(reply.header("Cache-Control"), None);
}

#[tokio::test]
async fn empty_file_has_no_body_to_send() {
    let fx = Fixture::new("empty");
    let reply = get(&fx.target(), "/static/empty.txt", "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Length"), Some("0"));
    assert_eq!(reply.body, None);
}

#[tokio::test]
async fn percent_encoded_names_are_decoded() {
    let fx = Fixture::new("encoded");
    let reply = get(&fx.target(), "/static/a%20b.txt", "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body_text(), "spaced");
    let reply = get(&fx.target(), "/static/%68ello.txt", "").await;
    assert_eq!(reply.body_text(), HELLO);
}

#[tokio::test]
async fn last_modified_is_never_after_date() {
    let fx = Fixture::new("future");
    let file = fx.www().join("future.txt");
    fs::write(&file, "later").unwrap();
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(NOW + 1000))
        .unwrap();
    let reply = get(&fx.target(), "/static/future.txt", "").await;
    assert_eq!(reply.header("Last-Modified"), Some(http_date(NOW).as_str()));
}

// ---- index files and redirects ----

#[tokio::test]
async fn trailing_slash_serves_the_index_file() {
    let fx = Fixture::new("index");
    let target = fx.target();
    let reply = get(&target, "/static/", "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body_text(), "<h1>home</h1>");
    assert_eq!(reply.header("Content-Type"), Some("text/html"));
    let reply = get(&target, "/static/sub/", "").await;
    assert_eq!(reply.body_text(), "<h1>sub</h1>");
    let reply = get(&target, "/static/no-index/", "").await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn custom_index_file() {
    let fx = Fixture::new("custom-index");
    let dir = Dir {
        index_file: "page.html".into(),
        ..dir_config(0)
    };
    let reply = get(&fx.target_with(dir), "/static/sub/", "").await;
    assert_eq!(reply.body_text(), "<p>page</p>");
}

#[tokio::test]
async fn directory_without_slash_is_redirected() {
    let fx = Fixture::new("redirect");
    let target = fx.target();
    let reply = get(&target, "/static/sub", "").await;
    assert_eq!(reply.status, 301);
    assert_eq!(reply.header("Location"), Some("/static/sub/"));
    assert!(reply.body_text().contains("301 Moved Permanently"));
    let reply = get(&target, "/static/sub?lang=en&x=%20", "").await;
    assert_eq!(reply.header("Location"), Some("/static/sub/?lang=en&x=%20"));
    let reply = get(&target, "/static/link-sub", "").await;
    assert_eq!(reply.header("Location"), Some("/static/link-sub/"));
    let reply = method(&target, "HEAD", "/static/sub", "").await;
    assert_eq!(reply.status, 301);
    assert_eq!(reply.body, None);
    // The route without its slash: the base itself is a directory.
    let raw = "GET /static HTTP/1.1\r\nHost: x\r\n\r\n";
    let reply = request_with(&target, "/static", raw, true, true).await;
    assert_eq!(
        reply.status, 404,
        "/static names www/static, which is missing"
    );
}

#[tokio::test]
async fn route_equal_to_the_path_serves_base_plus_path() {
    let fx = Fixture::new("one-file");
    let raw = "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n";
    let reply = request_with(&fx.target(), "/hello.txt", raw, true, true).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body_text(), HELLO);
}

// ---- refusals ----

#[tokio::test]
async fn missing_files_are_404() {
    let fx = Fixture::new("missing");
    let target = fx.target();
    for path in [
        "/static/nope.txt",
        "/static/sub/nope/",
        "/static/hello.txt/",
        "/other/hello.txt",
    ] {
        let reply = get(&target, path, "").await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
        assert!(reply.body_text().contains("404 Not Found"));
    }
    let reply = method(&target, "HEAD", "/static/nope.txt", "").await;
    assert_eq!(reply.status, 404);
    assert!(
        reply
            .header("Content-Length")
            .unwrap()
            .parse::<usize>()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn other_methods_are_405() {
    let fx = Fixture::new("methods");
    let target = fx.target();
    for m in ["POST", "PUT", "DELETE", "OPTIONS", "get", "PATCH"] {
        let reply = method(&target, m, "/static/hello.txt", "").await;
        assert_eq!(reply.status, 405, "{m}");
        assert_eq!(reply.header("Allow"), Some("GET, HEAD"));
        assert!(reply.body_text().contains("405 Method Not Allowed"));
    }
}

#[tokio::test]
async fn bad_encoding_nul_and_backslash_are_400() {
    let fx = Fixture::new("bad");
    let target = fx.target();
    for path in [
        "/static/%zz",
        "/static/hello%2",
        "/static/%",
        "/static/a%00.txt",
        "/static/..%5C..%5Coutside.txt",
        "/static/..%5coutside.txt",
        "/static/..\\outside.txt",
    ] {
        let reply = get(&target, path, "").await;
        assert_eq!(reply.status, 400, "{path}");
        assert!(reply.body_text().contains("400 Bad Request"));
    }
}

#[tokio::test]
async fn over_long_paths_are_414() {
    let fx = Fixture::new("long");
    let target = fx.target();
    let at_limit = format!("/static/{}", "a".repeat(MAX_PATH - PREFIX.len()));
    assert_eq!(get(&target, &at_limit, "").await.status, 404);
    let over = format!("{at_limit}a");
    let reply = get(&target, &over, "").await;
    assert_eq!(reply.status, 414);
    assert!(reply.body_text().contains("414 URI Too Long"));
}

// ---- never outside the base ----

#[tokio::test]
async fn traversal_attempts_never_leave_the_base() {
    let fx = Fixture::new("traversal");
    let target = fx.target();
    let absolute = fx.root.join("outside.txt");
    let absolute = absolute.to_str().unwrap();
    let attempts = [
        "/static/../outside.txt".to_owned(),
        "/static/sub/../../outside.txt".to_owned(),
        "/static/%2e%2e/outside.txt".to_owned(),
        "/static/%2E%2E/outside.txt".to_owned(),
        "/static/.%2e/outside.txt".to_owned(),
        "/static/%2e%2e%2foutside.txt".to_owned(),
        "/static/..%2Foutside.txt".to_owned(),
        "/static/sub%2f..%2f..%2foutside.txt".to_owned(),
        "/static/%2F..%2Foutside.txt".to_owned(),
        "/static/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd".to_owned(),
        "/static/../www-private/secret.txt".to_owned(),
        "/static/%252e%252e/outside.txt".to_owned(),
        format!("/static/{absolute}"),
        format!("/static/%2F{}", &absolute[1..]),
        "/static//etc/passwd".to_owned(),
        "/static/..".to_owned(),
        "/static/../".to_owned(),
    ];
    for path in &attempts {
        for verb in ["GET", "HEAD"] {
            let reply = method(&target, verb, path, "").await;
            assert_eq!(reply.status, 404, "{verb} {path}");
            assert!(!reply.body_text().contains(SECRET), "{path}");
        }
    }
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_out_of_the_base_are_404() {
    let fx = Fixture::new("symlinks");
    let target = fx.target();
    for path in [
        "/static/link-out",
        "/static/link-absolute",
        "/static/link-sibling",
        "/static/link-up/outside.txt",
        "/static/link-up/www-private/secret.txt",
        "/static/link-up/",
        "/static/link-up",
    ] {
        let reply = get(&target, path, "").await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(!reply.body_text().contains(SECRET));
    }
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_inside_the_base_are_served_as_their_target() {
    let fx = Fixture::new("symlink-in");
    let target = fx.target();
    let reply = get(&target, "/static/link-in.html", "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body_text(), HELLO);
    // Like Mongrel2, the type comes from the real file's name.
    assert_eq!(reply.header("Content-Type"), Some("text/plain"));
    let reply = get(&target, "/static/link-sub/page.html", "").await;
    assert_eq!(reply.body_text(), "<p>page</p>");
    // Out and back in: the real path is inside the base.
    let reply = get(&target, "/static/link-up/www/hello.txt", "").await;
    assert_eq!(reply.body_text(), HELLO);
}

#[cfg(unix)]
#[tokio::test]
async fn a_base_sharing_a_name_prefix_does_not_widen_it() {
    // www-private starts with "www"; a string-prefix check would let it through.
    let fx = Fixture::new("prefix-sibling");
    let reply = get(&fx.target(), "/static/link-sibling", "").await;
    assert_eq!(reply.status, 404);
}

#[cfg(unix)]
#[tokio::test]
async fn unreadable_files_are_403() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new("locked");
    let locked = fx.www().join("locked.txt");
    fs::write(&locked, "locked").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::File::open(&locked).is_ok() {
        // Running with privileges that ignore file modes: nothing to observe.
        return;
    }
    let reply = get(&fx.target(), "/static/locked.txt", "").await;
    assert_eq!(reply.status, 403);
    assert!(reply.body_text().contains("403 Forbidden"));
}

#[cfg(unix)]
#[tokio::test]
async fn special_files_are_not_served() {
    let fx = Fixture::new("fifo");
    let fifo = fx.www().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        return;
    }
    // Opening a FIFO for reading would block until a writer comes: it must not be tried.
    let reply = get(&fx.target(), "/static/pipe", "").await;
    assert_eq!(reply.status, 404);
}

// ---- ranges ----

#[tokio::test]
async fn single_ranges_are_206() {
    let fx = Fixture::new("ranges");
    let target = fx.target();
    let cases = [
        ("bytes=0-4", "hello", "bytes 0-4/11"),
        ("bytes=6-", "world", "bytes 6-10/11"),
        ("bytes=-5", "world", "bytes 6-10/11"),
        ("bytes=4-4", "o", "bytes 4-4/11"),
        ("bytes=6-1000", "world", "bytes 6-10/11"),
        ("bytes=-1000", HELLO, "bytes 0-10/11"),
    ];
    for (range, body, content_range) in cases {
        let reply = get(&target, "/static/hello.txt", &format!("Range: {range}\r\n")).await;
        assert_eq!(reply.status, 206, "{range}");
        assert_eq!(reply.body_text(), body, "{range}");
        assert_eq!(reply.header("Content-Range"), Some(content_range));
        assert_eq!(
            reply.header("Content-Length"),
            Some(body.len().to_string().as_str())
        );
        assert_eq!(reply.header("ETag"), Some(HELLO_ETAG));
        assert!(reply.head.starts_with("HTTP/1.1 206 Partial Content\r\n"));
    }
}

#[tokio::test]
async fn unsatisfiable_ranges_are_416() {
    let fx = Fixture::new("range-416");
    let target = fx.target();
    for (path, range, size) in [
        ("/static/hello.txt", "bytes=11-", 11),
        ("/static/hello.txt", "bytes=100-200", 11),
        ("/static/hello.txt", "bytes=-0", 11),
        ("/static/empty.txt", "bytes=0-", 0),
    ] {
        let reply = get(&target, path, &format!("Range: {range}\r\n")).await;
        assert_eq!(reply.status, 416, "{range}");
        assert_eq!(
            reply.header("Content-Range"),
            Some(format!("bytes */{size}").as_str())
        );
        assert!(reply.body_text().contains("416 Range Not Satisfiable"));
    }
}

#[tokio::test]
async fn ranges_that_are_ignored_get_the_whole_file() {
    let fx = Fixture::new("range-ignored");
    let target = fx.target();
    for range in [
        "bytes=0-1,3-4",
        "bytes=5-2",
        "bytes=x-y",
        "lines=1-2",
        "bytes=1",
    ] {
        let reply = get(&target, "/static/hello.txt", &format!("Range: {range}\r\n")).await;
        assert_eq!(reply.status, 200, "{range}");
        assert_eq!(reply.body_text(), HELLO);
        assert_eq!(reply.header("Content-Range"), None);
    }
    let reply = method(&target, "HEAD", "/static/hello.txt", "Range: bytes=0-4\r\n").await;
    assert_eq!(reply.status, 200, "Range is for GET only");
    assert_eq!(reply.header("Content-Length"), Some("11"));
}

#[tokio::test]
async fn if_range_decides_between_part_and_whole() {
    let fx = Fixture::new("if-range");
    let target = fx.target();
    let range = "Range: bytes=0-4\r\n";
    let reply = get(
        &target,
        "/static/hello.txt",
        &format!("{range}If-Range: {HELLO_ETAG}\r\n"),
    )
    .await;
    assert_eq!(reply.status, 206);
    let reply = get(
        &target,
        "/static/hello.txt",
        &format!("{range}If-Range: \"old\"\r\n"),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body_text(), HELLO);
    let reply = get(
        &target,
        "/static/hello.txt",
        &format!("{range}If-Range: W/{HELLO_ETAG}\r\n"),
    )
    .await;
    assert_eq!(reply.status, 200);
    let by_date = format!("{range}If-Range: {}\r\n", http_date(MTIME));
    assert_eq!(
        get(&target, "/static/hello.txt", &by_date).await.status,
        206
    );
    let other_date = format!("{range}If-Range: {}\r\n", http_date(MTIME + 1));
    assert_eq!(
        get(&target, "/static/hello.txt", &other_date).await.status,
        200
    );
}

// ---- conditionals ----

#[tokio::test]
async fn if_none_match_gives_304_with_validators() {
    let fx = Fixture::new("inm");
    let target = fx.target();
    for value in [
        HELLO_ETAG.to_owned(),
        format!("W/{HELLO_ETAG}"),
        "*".into(),
        format!("\"a\", {HELLO_ETAG}"),
        "2ebc98a1-b".into(),
    ] {
        let reply = get(
            &target,
            "/static/hello.txt",
            &format!("If-None-Match: {value}\r\n"),
        )
        .await;
        assert_eq!(reply.status, 304, "{value}");
        assert!(reply.head.starts_with("HTTP/1.1 304 Not Modified\r\n"));
        assert_eq!(reply.header("ETag"), Some(HELLO_ETAG));
        assert_eq!(
            reply.header("Last-Modified"),
            Some("Sun, 06 Nov 1994 08:49:37 GMT")
        );
        assert_eq!(reply.header("Content-Length"), None);
        assert_eq!(reply.body, None);
    }
    let reply = get(&target, "/static/hello.txt", "If-None-Match: \"other\"\r\n").await;
    assert_eq!(reply.status, 200);
    let reply = method(
        &target,
        "HEAD",
        "/static/hello.txt",
        &format!("If-None-Match: {HELLO_ETAG}\r\n"),
    )
    .await;
    assert_eq!(reply.status, 304);
}

#[tokio::test]
async fn if_modified_since_in_all_three_date_forms() {
    let fx = Fixture::new("ims");
    let target = fx.target();
    for date in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Mon, 07 Nov 1994 00:00:00 GMT",
    ] {
        let reply = get(
            &target,
            "/static/hello.txt",
            &format!("If-Modified-Since: {date}\r\n"),
        )
        .await;
        assert_eq!(reply.status, 304, "{date}");
    }
    for date in [
        "Sun, 06 Nov 1994 08:49:36 GMT",
        "not a date",
        // After the response's Date: invalid, ignored.
        "Tue, 01 Jan 2030 00:00:00 GMT",
    ] {
        let reply = get(
            &target,
            "/static/hello.txt",
            &format!("If-Modified-Since: {date}\r\n"),
        )
        .await;
        assert_eq!(reply.status, 200, "{date}");
    }
}

#[tokio::test]
async fn if_match_and_if_unmodified_since_give_412() {
    let fx = Fixture::new("412");
    let target = fx.target();
    let cases = [
        ("If-Match: \"other\"\r\n".to_owned(), 412),
        (format!("If-Match: W/{HELLO_ETAG}\r\n"), 412),
        (format!("If-Match: {HELLO_ETAG}\r\n"), 200),
        ("If-Match: *\r\n".to_owned(), 200),
        (
            format!("If-Unmodified-Since: {}\r\n", http_date(MTIME - 1)),
            412,
        ),
        (
            format!("If-Unmodified-Since: {}\r\n", http_date(MTIME)),
            200,
        ),
        ("If-Unmodified-Since: garbage\r\n".to_owned(), 200),
    ];
    for (headers, status) in cases {
        let reply = get(&target, "/static/hello.txt", &headers).await;
        assert_eq!(reply.status, status, "{headers}");
        if status == 412 {
            assert!(reply.body_text().contains("412 Precondition Failed"));
        }
    }
}

#[tokio::test]
async fn preconditions_are_evaluated_in_rfc_order() {
    let fx = Fixture::new("order");
    let target = fx.target();
    let cases = [
        // If-Match fails first, whatever If-None-Match says.
        (
            format!("If-Match: \"other\"\r\nIf-None-Match: {HELLO_ETAG}\r\n"),
            412,
        ),
        // If-Match passes, so If-Unmodified-Since is not looked at.
        (
            format!(
                "If-Match: {HELLO_ETAG}\r\nIf-Unmodified-Since: {}\r\n",
                http_date(MTIME - 1)
            ),
            200,
        ),
        // If-Unmodified-Since fails before If-None-Match is looked at.
        (
            format!(
                "If-Unmodified-Since: {}\r\nIf-None-Match: *\r\n",
                http_date(MTIME - 1)
            ),
            412,
        ),
        // If-None-Match present: If-Modified-Since is not looked at.
        (
            format!(
                "If-None-Match: \"other\"\r\nIf-Modified-Since: {}\r\n",
                http_date(MTIME)
            ),
            200,
        ),
        // A 304 wins over a Range.
        (
            format!("If-None-Match: {HELLO_ETAG}\r\nRange: bytes=0-1\r\n"),
            304,
        ),
        // A 412 wins over an unsatisfiable Range.
        (
            "If-Match: \"other\"\r\nRange: bytes=100-\r\n".to_owned(),
            412,
        ),
    ];
    for (headers, status) in cases {
        assert_eq!(
            get(&target, "/static/hello.txt", &headers).await.status,
            status,
            "{headers}"
        );
    }
}

// ---- mimetypes ----

#[tokio::test]
async fn content_type_by_extension() {
    let fx = Fixture::new("mime");
    let target = fx.target();
    let cases = [
        ("/static/style.CSS", "text/css"),
        ("/static/sub/page.html", "text/html"),
        ("/static/bundle.tar.gz", "application/x-tgz"),
        ("/static/data.gz", "application/gzip"),
        ("/static/README", "application/octet-stream"),
    ];
    for (path, ctype) in cases {
        let reply = get(&target, path, "").await;
        assert_eq!(reply.header("Content-Type"), Some(ctype), "{path}");
    }
}

// ---- construction ----

#[test]
fn bad_configurations_are_refused() {
    let fx = Fixture::new("config");
    let try_new = |dir: Dir, max_path: usize, send_buffer: usize| {
        DirTarget::new(&dir, &fx.root, max_path, send_buffer)
    };
    let missing = Dir {
        base: "nope/".into(),
        ..dir_config(0)
    };
    assert_eq!(
        try_new(missing, 256, 4096).unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
    let file = Dir {
        base: "outside.txt".into(),
        ..dir_config(0)
    };
    assert!(try_new(file, 256, 4096).is_err());
    let escaping_index = Dir {
        index_file: "../outside.txt".into(),
        ..dir_config(0)
    };
    assert!(try_new(escaping_index, 256, 4096).is_err());
    let injecting_ctype = Dir {
        default_ctype: "text/plain\r\nSet-Cookie: x=1".into(),
        ..dir_config(0)
    };
    assert!(try_new(injecting_ctype, 256, 4096).is_err());
    assert!(try_new(dir_config(0), 0, 4096).is_err());
    assert!(try_new(dir_config(0), 256, 0).is_err());

    let absolute = Dir {
        base: fx.www().to_str().unwrap().to_owned(),
        ..dir_config(0)
    };
    let target = DirTarget::new(&absolute, Path::new("/nonexistent-root"), 256, 4096).unwrap();
    assert_eq!(target.base(), fs::canonicalize(fx.www()).unwrap());
    assert_eq!(target.send_buffer(), 4096);
}

// ---- HTTP-dates ----

#[test]
fn http_dates_round_trip() {
    for secs in [
        0,
        1,
        MTIME,
        NOW,
        951_782_400,
        4_102_444_800,
        253_402_300_799,
    ] {
        let time = UNIX_EPOCH + Duration::from_secs(secs);
        let date = HttpDate::from(time);
        let text = date.to_string();
        assert_eq!(text.len(), 29, "{text}");
        assert_eq!(HttpDate::parse(text.as_bytes()), Ok(date));
        assert_eq!(SystemTime::from(date), time);
    }
    let before = UNIX_EPOCH - Duration::from_secs(86_400);
    assert_eq!(
        HttpDate::from(before).to_string(),
        "Wed, 31 Dec 1969 00:00:00 GMT"
    );
}

#[test]
fn http_dates_parse_in_three_forms() {
    let expected = HttpDate::from(UNIX_EPOCH + Duration::from_secs(MTIME));
    for text in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ] {
        assert_eq!(HttpDate::parse(text.as_bytes()), Ok(expected), "{text}");
    }
    assert_eq!(
        HttpDate::parse(b"Thu Feb 29 00:00:00 2024").map(|d| d.to_string()),
        Ok("Thu, 29 Feb 2024 00:00:00 GMT".to_owned())
    );
    let err = HttpDate::parse(b"Fri, 29 Feb 2023 00:00:00 GMT").unwrap_err();
    assert_eq!((err.kind(), err.position()), (DateErrorKind::Day, 5));
    let err = HttpDate::parse(b"Sun, 06 Nov 1994 08:49:37").unwrap_err();
    assert_eq!(err.kind(), DateErrorKind::Format);
}

// ---- the connection code's needs ----

#[test]
fn respond_can_run_on_a_spawned_task() {
    fn assert_send<T: Send>(_: &T) {}
    let fx = Fixture::new("send");
    let target = fx.target();
    let head = decode_head(b"GET /static/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    let req = DirRequest {
        method: head.method(),
        path: head.target(),
        query: None,
        prefix: PREFIX,
        fields: head.fields(),
        keep_alive: true,
        now: UNIX_EPOCH + Duration::from_secs(NOW),
    };
    let table = mimetypes();
    let future = target.respond(&req, &table);
    assert_send(&future);
}
