//! The handler library against a server played by plain `zmq` sockets (not this crate's
//! adapter): PUSH and SUB bound as Mongrel2 binds them, messages written and read as raw
//! bytes, the requests taken from what real Mongrel2 sent (`tests/interop/captures`).

use std::time::Duration;

use nagrel_handler::{http_response, Connection, HandlerConfig, RecvError, RequestKind};
use nagrel_protocols::mongrel2::Mongrel2Limits;

/// The server's two sockets, bound on free ports.
struct Server {
    push: zmq::Socket,
    sub: zmq::Socket,
    config: HandlerConfig,
}

fn server(ctx: &zmq::Context) -> Server {
    let push = ctx.socket(zmq::PUSH).unwrap();
    push.set_linger(0).unwrap();
    push.bind("tcp://127.0.0.1:*").unwrap();
    let sub = ctx.socket(zmq::SUB).unwrap();
    sub.set_linger(0).unwrap();
    sub.set_subscribe(b"").unwrap();
    sub.set_rcvtimeo(10_000).unwrap();
    sub.bind("tcp://127.0.0.1:*").unwrap();
    let config = HandlerConfig::new(
        push.get_last_endpoint().unwrap().unwrap(),
        sub.get_last_endpoint().unwrap().unwrap(),
    );
    Server { push, sub, config }
}

impl Server {
    /// Pushes one request message, waiting (bounded) for the handler to be connected.
    fn push(&self, message: &[u8]) {
        self.push.set_sndtimeo(10_000).unwrap();
        self.push
            .send(message, 0)
            .expect("a handler connected within 10 s");
    }

    /// The next reply the handler published, as raw bytes.
    fn reply(&self) -> Vec<u8> {
        self.sub.recv_bytes(0).expect("a reply within 10 s")
    }
}

fn capture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/interop/captures/mongrel2")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The server, shared with blocking tasks (a `zmq::Socket` is `Send` but not `Sync`).
type Shared = std::sync::Arc<std::sync::Mutex<Server>>;

/// Runs `f` with a server and a connected handler, under a time limit.
async fn with_handler<F, Fut>(f: F)
where
    F: FnOnce(Shared, Connection) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let ctx = zmq::Context::new();
    let server = server(&ctx);
    let conn = Connection::connect(&ctx, &server.config).unwrap();
    let server = std::sync::Arc::new(std::sync::Mutex::new(server));
    tokio::time::timeout(Duration::from_secs(30), f(server, conn))
        .await
        .expect("the test finished in time");
}

/// Runs blocking server-side work off the runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

/// The handler's PUB may connect after its first message is published (ZeroMQ drops it),
/// so the first reply of a test is sent until the server sees one.
async fn until_subscribed(server: &Shared, replies: &nagrel_handler::Replies) {
    server.lock().unwrap().sub.set_rcvtimeo(100).unwrap();
    for _ in 0..100 {
        replies.deliver("probe", &[0], "x").await.unwrap();
        let s = server.clone();
        if blocking(move || s.lock().unwrap().sub.recv_bytes(0).ok())
            .await
            .is_some()
        {
            server.lock().unwrap().sub.set_rcvtimeo(10_000).unwrap();
            return;
        }
    }
    panic!("the handler's PUB never reached the server's SUB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receives_mongrel2_requests_and_replies_with_http() {
    with_handler(|server, mut conn| async move {
        let replies = conn.replies();
        until_subscribed(&server, &replies).await;
        for (file, kind) in [
            ("json/curl_get.1.msg", RequestKind::Http),
            ("tnetstring/curl_get.1.msg", RequestKind::Http),
            ("json/curl_get.2.msg", RequestKind::Disconnect),
            ("tnetstring/curl_get.2.msg", RequestKind::Disconnect),
        ] {
            let message = capture(file);
            let s = server.clone();
            blocking(move || s.lock().unwrap().push(&message)).await;
            let req = conn.recv().await.unwrap().unwrap();
            assert_eq!(req.kind(), kind, "{file}");
            if kind == RequestKind::Http {
                assert_eq!(req.method().map(|m| &m[..]), Some(&b"GET"[..]));
                assert!(req.path[..] == *b"/handlertest" || req.path[..] == *b"/tnethandler");
                let page = http_response(200, &[("Content-Type", "text/plain")], "hi\n");
                replies.reply(&req, page).await.unwrap();
                let s = server.clone();
                let reply = blocking(move || s.lock().unwrap().reply()).await;
                let expected = format!(
                    "{} {}:{}, HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nhi\n",
                    String::from_utf8_lossy(&req.sender),
                    req.conn_id.to_string().len(),
                    req.conn_id
                );
                assert_eq!(String::from_utf8_lossy(&reply), expected);
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_to_many_ids_in_batches_and_closes() {
    with_handler(|server, conn| async move {
        let replies = conn.replies();
        until_subscribed(&server, &replies).await;
        let ids: Vec<u64> = (1..=300).collect();
        replies.deliver("h1", &ids, "tick").await.unwrap();
        let mut seen = Vec::new();
        for _ in 0..3 {
            let s = server.clone();
            let reply = blocking(move || s.lock().unwrap().reply()).await;
            let text = String::from_utf8(reply).unwrap();
            let (head, body) = text.split_once(", ").unwrap();
            assert_eq!(body, "tick");
            let (sender, ids) = head.split_once(' ').unwrap();
            assert_eq!(sender, "h1");
            let (len, list) = ids.split_once(':').unwrap();
            assert_eq!(len.parse::<usize>().unwrap(), list.len());
            let batch: Vec<u64> = list.split(' ').map(|id| id.parse().unwrap()).collect();
            assert!(batch.len() <= Mongrel2Limits::default().max_ids);
            seen.extend(batch);
        }
        assert_eq!(seen, ids);

        replies.close_ids("h1", &[7, 8]).await.unwrap();
        let s = server.clone();
        assert_eq!(
            blocking(move || s.lock().unwrap().reply()).await,
            b"h1 3:7 8, "
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_message_is_reported_and_skipped() {
    with_handler(|server, mut conn| async move {
        let s = server.clone();
        blocking(move || {
            let s = s.lock().unwrap();
            s.push(b"not a mongrel2 message");
            s.push(&capture("json/curl_get.1.msg"));
        })
        .await;
        match conn.recv().await {
            Some(Err(RecvError::Malformed(e))) => assert!(e.offset() > 0),
            other => panic!("expected a malformed message, got {other:?}"),
        }
        let req = conn.recv().await.unwrap().unwrap();
        assert_eq!(req.kind(), RequestKind::Http);
    })
    .await;
}
