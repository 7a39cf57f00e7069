//! The server end to end, on 127.0.0.1:0: real HTTP clients (`ureq`, raw TCP) on one side,
//! handlers written directly on the `zmq` crate on the other.

mod support;

use std::time::Duration;

use support::{agent, blocking, conf, conf_at, start, with_handler, Raw, RawHandler, Specs};

const WAIT: Duration = Duration::from_secs(10);

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_message_carries_mongrel2_headers_and_reply_reaches_client() {
    let (msg, answer) = with_handler("basic", "/app/", "json", "", move |addr, handler| {
        let client = std::thread::spawn(move || {
            let mut resp = agent()
                .get(format!("http://{addr}/app/items?x=1&y=2"))
                .header("X-Tag", "a")
                .header("X-Forwarded-For", "6.6.6.6")
                .call()
                .unwrap();
            (
                resp.status().as_u16(),
                resp.body_mut().read_to_string().unwrap(),
            )
        });
        let msg = handler.recv_request(WAIT);
        handler.respond(&msg, "hello from the handler");
        (msg, client.join().unwrap())
    })
    .await;
    assert_eq!(answer, (200, "hello from the handler".to_string()));
    assert_eq!(msg.path, "/app/items");
    assert_eq!(msg.sender, "54c6755b-9628-40a4-9a2d-cc82a816345e");
    assert_eq!(msg.header("PATH"), Some("/app/items"));
    assert_eq!(msg.header("METHOD"), Some("GET"));
    assert_eq!(msg.header("VERSION"), Some("HTTP/1.1"));
    assert_eq!(msg.header("URI"), Some("/app/items?x=1&y=2"));
    assert_eq!(msg.header("QUERY"), Some("x=1&y=2"));
    assert_eq!(msg.header("PATTERN"), Some("/app/"));
    assert_eq!(msg.header("URL_SCHEME"), Some("http"));
    assert_eq!(msg.header("REMOTE_ADDR"), Some("127.0.0.1"));
    assert_eq!(msg.header("x-tag"), Some("a"));
    // The client's x-forwarded-for is replaced by the peer address.
    assert_eq!(msg.header("x-forwarded-for"), Some("127.0.0.1"));
    assert!(msg.body.is_empty());
    // Mongrel2's order: PATH, x-forwarded-for, client headers, then the server's keys.
    let names: Vec<&str> = msg.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(&names[..2], ["PATH", "x-forwarded-for"]);
    assert_eq!(
        &names[names.len() - 7..],
        [
            "METHOD",
            "VERSION",
            "URI",
            "QUERY",
            "PATTERN",
            "URL_SCHEME",
            "REMOTE_ADDR"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tnetstring_handler_gets_reversed_dictionary_and_post_body() {
    let msg = with_handler("tnet", "/t", "tnetstring", "", move |addr, handler| {
        let client = std::thread::spawn(move || {
            agent()
                .post(format!("http://{addr}/t"))
                .send("posted body")
                .unwrap()
                .status()
                .as_u16()
        });
        let msg = handler.recv_request(WAIT);
        handler.respond(&msg, "ok");
        assert_eq!(client.join().unwrap(), 200);
        msg
    })
    .await;
    assert_eq!(msg.body, b"posted body");
    assert_eq!(msg.header("METHOD"), Some("POST"));
    assert_eq!(
        msg.headers.first().map(|(n, _)| n.as_str()),
        Some("REMOTE_ADDR")
    );
    assert_eq!(msg.headers.last().map(|(n, _)| n.as_str()), Some("PATH"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_and_pipelining_share_one_connection_id() {
    with_handler("pipe", "/", "json", "", move |addr, handler| {
        let mut client = Raw::connect(addr);
        // Keep-alive: one request, its response, then another on the same connection.
        client.send(&get("/one"));
        let first = handler.recv_request(WAIT);
        handler.respond(&first, "first");
        assert_eq!(client.response().2, b"first");
        client.send(&get("/two"));
        let second = handler.recv_request(WAIT);
        assert_eq!(second.conn_id, first.conn_id);
        handler.respond(&second, "second");
        assert_eq!(client.response().2, b"second");
        // Pipelining: three requests in one write. The handler gets them one at a time,
        // each after the previous one's reply, so responses keep their order.
        let mut batch = get("/a");
        batch.extend_from_slice(&get("/b"));
        batch.extend_from_slice(&get("/c"));
        client.send(&batch);
        for path in ["/a", "/b", "/c"] {
            let m = handler.recv_request(WAIT);
            assert_eq!((m.path.as_str(), m.conn_id), (path, first.conn_id));
            assert!(
                handler.recv(Duration::from_millis(100)).is_none(),
                "one request at a time"
            );
            handler.respond(&m, &m.path);
            assert_eq!(client.response().2, path.as_bytes());
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_reply_reaches_many_long_polling_clients() {
    with_handler("poll", "/poll", "json", "", move |addr, handler| {
        let mut clients: Vec<Raw> = (0..4).map(|_| Raw::connect(addr)).collect();
        // One at a time, so the i-th message is the i-th client's.
        let msgs: Vec<_> = clients
            .iter_mut()
            .map(|c| {
                c.send(&get("/poll"));
                handler.recv_request(WAIT)
            })
            .collect();
        let ids: Vec<u64> = msgs.iter().map(|m| m.conn_id).collect();
        let mut distinct = ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 4, "each client has its own connection id");
        let news = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnews";
        handler.reply(&msgs[0].sender, &ids, news.as_bytes());
        for c in &mut clients {
            let (status, _, body) = c.response();
            assert_eq!((status, &body[..]), (200, &b"news"[..]));
        }
        // Any connected client can be written to later, unasked, and closed by an empty
        // reply.
        handler.reply(
            &msgs[0].sender,
            &ids[..1],
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nlater",
        );
        handler.reply(&msgs[0].sender, &ids[..1], b"");
        assert_eq!(clients[0].response().2, b"later");
        assert!(clients[0].closed());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_notices_for_closed_clients_and_unknown_ids() {
    with_handler("disc", "/", "json", "", move |addr, handler| {
        let mut client = Raw::connect(addr);
        client.send(&get("/x"));
        let msg = handler.recv_request(WAIT);
        drop(client);
        let notice = handler.recv(WAIT).expect("a disconnect notice");
        assert!(notice.is_disconnect(), "{notice:?}");
        assert_eq!(notice.conn_id, msg.conn_id);
        assert_eq!(notice.body, br#"{"type":"disconnect"}"#);
        // A reply to a connection that does not exist is answered with a notice too.
        handler.reply(&msg.sender, &[987_654], b"hello?");
        let notice = handler.recv(WAIT).expect("a notice for the unknown id");
        assert!(notice.is_disconnect());
        assert_eq!(notice.conn_id, 987_654);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_handler_connected_is_503_and_a_silent_one_504() {
    let absent = Specs::new("absent");
    let silent = Specs::new("silent");
    let routes = format!(
        "'/absent': {}, '/silent': {}",
        absent.handler("json"),
        silent.handler("json")
    );
    let settings = "'limits.request_deadline_ms': 300";
    let server = start(&conf(&routes, settings, "")).await;
    let addr = server.addr;
    blocking(move || {
        let mut client = Raw::connect(addr);
        client.send(&get("/absent"));
        let (status, head, _) = client.response();
        assert_eq!(status, 503);
        assert!(head.contains("Retry-After"));
        // The connection survives a 503.
        client.send(&get("/absent"));
        assert_eq!(client.response().0, 503);

        let ctx = zmq::Context::new();
        let handler = RawHandler::connect(&ctx, &silent);
        let mut client = Raw::connect(addr);
        client.send(&get("/silent"));
        let _ignored = handler.recv_request(WAIT);
        let (status, _, _) = client.response();
        assert_eq!(status, 504);
        assert!(client.closed());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_body_is_decoded_and_sent_inline() {
    with_handler("chunk", "/", "json", "", move |addr, handler| {
        let mut client = Raw::connect(addr);
        client.send(
            b"POST /c HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n\
              5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        );
        let msg = handler.recv_request(WAIT);
        assert_eq!(msg.body, b"hello world");
        handler.respond(&msg, "got it");
        assert_eq!(client.response().2, b"got it");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_go_through_the_upload_protocol() {
    let specs = Specs::new("upload");
    let routes = format!("'/up': {}", specs.handler("json"));
    let store = std::env::temp_dir().join(format!("nagrel-upload-{}-XXXXXX", std::process::id()));
    let settings = format!(
        "'limits.content_length': 1024, 'upload.temp_store': '{}'",
        store.display()
    );
    let server = start(&conf(&routes, &settings, "")).await;
    let addr = server.addr;
    blocking(move || {
        let ctx = zmq::Context::new();
        let handler = RawHandler::connect(&ctx, &specs);
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let sent = body.clone();
        let client = std::thread::spawn(move || {
            let mut resp = agent()
                .post(format!("http://{addr}/up"))
                .send(&sent[..])
                .unwrap();
            (
                resp.status().as_u16(),
                resp.body_mut().read_to_string().unwrap(),
            )
        });
        let start = handler.recv_request(WAIT);
        let file = start
            .header("x-mongrel2-upload-start")
            .expect("upload start header")
            .to_string();
        assert!(start.body.is_empty());
        assert!(start.header("x-mongrel2-upload-done").is_none());
        let done = handler.recv_request(WAIT);
        assert_eq!(done.header("x-mongrel2-upload-done"), Some(file.as_str()));
        assert_eq!(done.header("x-mongrel2-upload-start"), Some(file.as_str()));
        assert_eq!(std::fs::read(&file).unwrap(), body);
        std::fs::remove_file(&file).unwrap();
        handler.respond(&done, "stored");
        assert_eq!(client.join().unwrap(), (200, "stored".to_string()));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_body_without_temp_store_is_413() {
    with_handler(
        "toolarge",
        "/",
        "json",
        "'limits.content_length': 100",
        move |addr, _handler| {
            let mut client = Raw::connect(addr);
            client.send(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500\r\n\r\n");
            client.send(&[b'x'; 500]);
            assert_eq!(client.response().0, 413);
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_400_and_unknown_routes_404() {
    let specs = Specs::new("bad");
    let routes = format!("'/app': {}", specs.handler("json"));
    let server = start(&conf(&routes, "", "")).await;
    let addr = server.addr;
    blocking(move || {
        let mut client = Raw::connect(addr);
        client.send(&get("/nowhere"));
        assert_eq!(client.response().0, 404);
        client.send(b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
        assert_eq!(client.response().0, 400);
        assert!(client.closed());
        let mut client = Raw::connect(addr);
        client.send(b"GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
        assert_eq!(client.response().0, 400);
    })
    .await;
}

/// A temp directory for one test, removed at the end.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("nagrel-server-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `Dir(...)` for `base`, relative to the server's chroot.
fn dir_target(base: &str) -> String {
    format!("Dir(base='{base}/', index_file='index.html', default_ctype='text/plain')")
}

impl TempDir {
    fn root(&self) -> String {
        self.0.display().to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_routes_serve_files_with_keep_alive() {
    let tmp = TempDir::new("dir");
    std::fs::create_dir_all(tmp.0.join("www/sub")).unwrap();
    std::fs::write(tmp.0.join("www/index.html"), "<p>home</p>").unwrap();
    std::fs::write(tmp.0.join("www/sub/a.css"), "p{}").unwrap();
    let routes = format!("'/static/': {}", dir_target("www"));
    let server = start(&conf_at(&tmp.root(), &routes, "", "")).await;
    let addr = server.addr;
    blocking(move || {
        let mut client = Raw::connect(addr);
        client.send(&get("/static/"));
        let (status, head, body) = client.response();
        assert_eq!((status, &body[..]), (200, &b"<p>home</p>"[..]));
        assert!(head.contains("Content-Type: text/html"), "{head}");
        client.send(&get("/static/sub/a.css"));
        let (status, head, body) = client.response();
        assert_eq!((status, &body[..]), (200, &b"p{}"[..]));
        assert!(head.contains("Content-Type: text/css"), "{head}");
        client.send(&get("/static/sub"));
        let (status, head, _) = client.response();
        assert_eq!(status, 301);
        assert!(head.contains("Location: /static/sub/"), "{head}");
        client.send(&get("/static/../../etc/passwd"));
        assert_eq!(client.response().0, 404);
        client.send(b"POST /static/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc");
        assert_eq!(client.response().0, 405);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_routes_forward_to_a_backend_with_x_forwarded_for() {
    // The backend: answers each request with what it received, over one kept connection.
    let backend = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = backend.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut s, _) = backend.accept().await.unwrap();
        let mut buf = Vec::new();
        loop {
            let mut chunk = [0u8; 4096];
            let n = s.read(&mut chunk).await.unwrap();
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
            while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                buf.drain(..end + 4);
                let body = format!("backend saw:\n{head}\n");
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nX-Backend: yes\r\n\r\n{body}",
                    body.len()
                );
                s.write_all(reply.as_bytes()).await.unwrap();
            }
        }
    });
    let routes = format!("'/api/': Proxy(addr='127.0.0.1', port={port})");
    let server = start(&conf(&routes, "", "")).await;
    let addr = server.addr;
    blocking(move || {
        let mut client = Raw::connect(addr);
        for path in ["/api/one", "/api/two"] {
            client.send(&get(path));
            let (status, head, body) = client.response();
            let body = String::from_utf8(body).unwrap();
            assert_eq!(status, 200);
            assert!(head.contains("X-Backend: yes"));
            assert!(body.contains(&format!("GET {path} HTTP/1.1")), "{body}");
            assert!(body.contains("X-Forwarded-For: 127.0.0.1"), "{body}");
        }
    })
    .await;
    // A backend that is not there: 502.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let routes = format!("'/': Proxy(addr='127.0.0.1', port={dead_port})");
    let server = start(&conf(&routes, "", "")).await;
    let addr = server.addr;
    blocking(move || {
        let mut client = Raw::connect(addr);
        client.send(&get("/x"));
        assert_eq!(client.response().0, 502);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_filter_diverts_every_target_while_on() {
    let tmp = TempDir::new("maint");
    std::fs::create_dir_all(tmp.0.join("maint")).unwrap();
    std::fs::create_dir_all(tmp.0.join("www")).unwrap();
    std::fs::write(tmp.0.join("maint/index.html"), "down for maintenance").unwrap();
    std::fs::write(tmp.0.join("www/index.html"), "normal page").unwrap();
    let specs = Specs::new("maint");
    let routes = format!(
        "'/www/': {}, '/app': {}",
        dir_target("www"),
        specs.handler("json")
    );
    let maintenance = format!("maintenance = {}", dir_target("maint"));
    let on = conf_at(
        &tmp.root(),
        &routes,
        "'maintenance.enabled': 1",
        &maintenance,
    );
    let off = conf_at(
        &tmp.root(),
        &routes,
        "'maintenance.enabled': 0",
        &maintenance,
    );
    let server = start(&on).await;
    let addr = server.addr;
    blocking(move || {
        let mut client = Raw::connect(addr);
        // The handler route goes to the maintenance directory: no handler is needed.
        client.send(&get("/app/"));
        assert_eq!(client.response().2, b"down for maintenance");
        client.send(&get("/www/"));
        assert_eq!(client.response().2, b"down for maintenance");
        // Unrouted requests are not diverted: the filter sees HANDLER/PROXY/DIRECTORY only.
        client.send(&get("/nowhere"));
        assert_eq!(client.response().0, 404);
    })
    .await;
    let config = nagrel_server::config::parse_config(&off).unwrap();
    server.shared.reload(&config).unwrap();
    blocking(move || {
        let mut client = Raw::connect(addr);
        client.send(&get("/www/"));
        assert_eq!(client.response().2, b"normal page");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_change_reroutes_new_requests_while_one_in_flight_finishes() {
    let tmp = TempDir::new("live");
    std::fs::create_dir_all(tmp.0.join("www")).unwrap();
    std::fs::write(tmp.0.join("www/index.html"), "static").unwrap();
    let specs = Specs::new("live");
    let before = conf_at(
        &tmp.root(),
        &format!("'/app': {}", specs.handler("json")),
        "",
        "",
    );
    let after = conf_at(
        &tmp.root(),
        &format!(
            "'/app': {}, '/www/': {}",
            specs.handler("json"),
            dir_target("www")
        ),
        "",
        "",
    );
    let store = nagrel_server::config::Store::open(tmp.0.join("db")).unwrap();
    store
        .import(&nagrel_server::config::parse_config(&before).unwrap())
        .unwrap();
    let server = start(&before).await;
    tokio::spawn(nagrel_server::server::follow_store(
        store.clone(),
        server.shared.clone(),
    ));
    let addr = server.addr;
    let handler_specs = Specs {
        send: specs.send.clone(),
        recv: specs.recv.clone(),
    };
    let ctx = zmq::Context::new();
    let handler_ctx = ctx.clone();
    // A request is with the handler when the configuration changes...
    let (handler, in_flight, msg) = blocking(move || {
        let handler = RawHandler::connect(&handler_ctx, &handler_specs);
        let mut client = Raw::connect(addr);
        client.send(&get("/app"));
        let msg = handler.recv_request(WAIT);
        let mut other = Raw::connect(addr);
        other.send(&get("/www/"));
        assert_eq!(other.response().0, 404, "not routed yet");
        (handler, client, msg)
    })
    .await;
    store
        .import(&nagrel_server::config::parse_config(&after).unwrap())
        .unwrap();
    blocking(move || {
        // ... new requests see the new table as soon as it is swapped in ...
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let mut client = Raw::connect(addr);
            client.send(&get("/www/"));
            let (status, _, body) = client.response();
            if status == 200 {
                assert_eq!(body, b"static");
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the new route never appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // ... and the one in flight still gets its handler's answer.
        let mut in_flight = in_flight;
        handler.respond(&msg, "finished on the old table");
        assert_eq!(in_flight.response().2, b"finished on the old table");
        drop(ctx);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_split_at_every_byte_reaches_the_handler_whole() {
    with_handler("split", "/", "json", "", move |addr, handler| {
        let request: &[u8] =
            b"POST /split?q=1 HTTP/1.1\r\nHost: localhost\r\nX-A: b\r\nContent-Length: 5\r\n\r\nhello";
        let mut client = Raw::connect(addr);
        // Every two-way split on one keep-alive connection...
        for at in 1..request.len() {
            client.send(&request[..at]);
            std::thread::sleep(Duration::from_millis(2));
            client.send(&request[at..]);
            let msg = handler.recv_request(WAIT);
            assert_eq!((msg.path.as_str(), &msg.body[..]), ("/split", &b"hello"[..]), "split at {at}");
            assert_eq!(msg.header("QUERY"), Some("q=1"));
            assert_eq!(msg.header("x-a"), Some("b"));
            handler.respond(&msg, "ok");
            assert_eq!(client.response().2, b"ok");
        }
        // ... and one byte per write.
        for byte in request {
            client.send(std::slice::from_ref(byte));
        }
        let msg = handler.recv_request(WAIT);
        assert_eq!(&msg.body[..], b"hello");
        handler.respond(&msg, "bytewise");
        assert_eq!(client.response().2, b"bytewise");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_gets_every_byte_and_a_stalled_one_is_cut_off_with_a_notice() {
    let specs = Specs::new("backpressure");
    let routes = format!("'/': {}", specs.handler("json"));
    let settings = "'limits.conn_queue': 4, 'limits.write_timeout_ms': 1500";
    let server = start(&conf(&routes, settings, "")).await;
    let addr = server.addr;
    blocking(move || {
        let ctx = zmq::Context::new();
        let handler = RawHandler::connect(&ctx, &specs);
        // 400 messages of 16 KiB (6.4 MB, far more than the socket buffers and the
        // 4-message queue hold) to a client that reads, slowly: every byte arrives, in
        // order.
        let mut slow = Raw::connect(addr);
        slow.send(&get("/slow"));
        let msg = handler.recv_request(WAIT);
        let chunk = 16 * 1024;
        let total = 400 * chunk;
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n");
        handler.reply(&msg.sender, &[msg.conn_id], head.as_bytes());
        let sender = msg.sender.clone();
        let id = msg.conn_id;
        let publisher = std::thread::spawn(move || {
            for i in 0..400u32 {
                let body: Vec<u8> = (0..chunk).map(|j| ((i as usize + j) % 251) as u8).collect();
                handler.reply(&sender, &[id], &body);
            }
            handler
        });
        let mut received = Vec::with_capacity(total);
        let mut buf = [0u8; 8192];
        let mut head_seen = false;
        while received.len() < total + head.len() {
            use std::io::Read;
            let n = slow
                .stream
                .read(&mut buf)
                .expect("the slow reader is never cut off");
            assert!(n > 0, "closed after {} bytes", received.len());
            received.extend_from_slice(&buf[..n]);
            if received.len() % (256 * 1024) < n {
                std::thread::sleep(Duration::from_millis(20));
            }
            head_seen |= received.starts_with(head.as_bytes());
        }
        assert!(head_seen);
        let body = &received[head.len()..];
        for (i, piece) in body.chunks(chunk).enumerate() {
            let expected: Vec<u8> = (0..chunk).map(|j| ((i + j) % 251) as u8).collect();
            assert!(piece == &expected[..], "chunk {i} differs");
        }
        let handler = publisher.join().unwrap();

        // A client that never reads: after the write timeout it is cut off, and the
        // handler hears of it.
        let mut stalled = Raw::connect(addr);
        stalled.send(&get("/stalled"));
        let msg = handler.recv_request(WAIT);
        let big = vec![b'x'; 256 * 1024];
        for _ in 0..64 {
            handler.reply(&msg.sender, &[msg.conn_id], &big);
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let notice = handler
                .recv(left)
                .expect("a disconnect notice for the stalled client");
            if notice.is_disconnect() && notice.conn_id == msg.conn_id {
                break;
            }
        }
    })
    .await;
}
