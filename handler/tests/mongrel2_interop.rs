//! The handler library against the real Mongrel2 1.12 (Debian `mongrel2-core`), with a real
//! HTTP client (`ureq`) and raw TCP clients. `tests/interop.sh` starts Mongrel2 with a JSON
//! and a tnetstring handler route and runs this binary with `--ignored`; the environment
//! names the endpoints (`NAGREL_M2_URL`, `NAGREL_M2_SEND_SPEC`, ...).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bytes::Bytes;
use nagrel_handler::{http_response, Connection, HandlerConfig, Request, RequestKind};
use tokio::sync::mpsc;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run tests/interop.sh"))
}

/// One handler route of the running Mongrel2.
struct Route {
    url: String,
    path: String,
    config: HandlerConfig,
}

fn route(prefix: &str) -> Route {
    Route {
        url: env("NAGREL_M2_URL"),
        path: env(&format!("NAGREL_M2_{prefix}HANDLER_PATH")),
        config: HandlerConfig::new(
            env(&format!("NAGREL_M2_{prefix}SEND_SPEC")),
            env(&format!("NAGREL_M2_{prefix}RECV_SPEC")),
        ),
    }
}

/// What the handler answers: the request as text, so the client can check what Mongrel2
/// passed on. A target containing `hold` is not answered; once two are held, one message
/// goes to both connections and then both are closed.
fn answer(req: &Request) -> String {
    let text = |b: &Bytes| String::from_utf8_lossy(b).into_owned();
    let all = |name: &[u8]| {
        req.headers
            .get_all(name)
            .map(text)
            .collect::<Vec<_>>()
            .join("|")
    };
    format!(
        "method={} uri={} query={} x-test={} body={}\n",
        all(b"METHOD"),
        all(b"URI"),
        all(b"QUERY"),
        all(b"x-test"),
        text(&req.body)
    )
}

/// Runs a handler on `config` until the test ends, reporting every request it receives.
async fn handler(config: HandlerConfig) -> mpsc::UnboundedReceiver<Request> {
    let ctx = nagrel_handler::zmq::Context::new();
    let mut conn = Connection::connect(&ctx, &config).unwrap();
    let replies = conn.replies();
    let (seen, requests) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let _ctx = ctx;
        let mut held: Vec<u64> = Vec::new();
        while let Some(req) = conn.recv().await {
            let req = req.expect("Mongrel2 sends valid requests");
            if req.kind() == RequestKind::Http {
                let uri = req.headers.get(b"URI").cloned().unwrap_or_default();
                if uri.windows(4).any(|w| w == b"hold") {
                    held.push(req.conn_id);
                    if held.len() == 2 {
                        let page =
                            http_response(200, &[("Content-Type", "text/plain")], "to both\n");
                        replies
                            .deliver(req.sender.clone(), &held, page)
                            .await
                            .unwrap();
                        replies.close_ids(req.sender.clone(), &held).await.unwrap();
                        held.clear();
                    }
                } else {
                    let page = http_response(200, &[("Content-Type", "text/plain")], answer(&req));
                    replies.reply(&req, page).await.unwrap();
                }
            }
            if seen.send(req).is_err() {
                break;
            }
        }
    });
    requests
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// GET and POST through Mongrel2 with a real client; the handler sees what was sent.
async fn round_trips(prefix: &str) {
    let route = route(prefix);
    let mut requests = handler(route.config.clone()).await;
    let url = format!("{}{}/sub?a=1&b=two", route.url, route.path);
    let body = tokio::task::spawn_blocking(move || {
        let agent = agent();
        // The handler's sockets connect in the background: retry until one answers.
        let mut last = String::new();
        for _ in 0..50 {
            match agent
                .get(&url)
                .header("X-Test", "one")
                .header("X-Test", "two")
                .call()
            {
                Ok(mut resp) if resp.status() == 200 => {
                    return resp.body_mut().read_to_string().unwrap();
                }
                Ok(resp) => last = format!("status {}", resp.status()),
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("no answer through Mongrel2: {last}");
    })
    .await
    .unwrap();
    assert_eq!(
        body,
        format!(
            "method=GET uri={}/sub?a=1&b=two query=a=1&b=two x-test=one|two body=\n",
            route.path
        )
    );
    let req = requests.recv().await.unwrap();
    assert_eq!(req.kind(), RequestKind::Http);
    assert_eq!(
        req.sender[..],
        *env(&format!("NAGREL_M2_{prefix}SEND_IDENT")).as_bytes()
    );

    let url = format!("{}{}", route.url, route.path);
    let body = tokio::task::spawn_blocking(move || {
        let mut resp = agent().post(&url).send("hello handler").unwrap();
        assert_eq!(resp.status(), 200);
        resp.body_mut().read_to_string().unwrap()
    })
    .await
    .unwrap();
    assert!(body.starts_with("method=POST"), "{body}");
    assert!(body.ends_with("body=hello handler\n"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Mongrel2: run tests/interop.sh"]
async fn json_handler_round_trips() {
    tokio::time::timeout(Duration::from_secs(60), round_trips(""))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Mongrel2: run tests/interop.sh"]
async fn tnetstring_handler_round_trips() {
    tokio::time::timeout(Duration::from_secs(60), round_trips("TNET_"))
        .await
        .unwrap();
}

/// A raw client: sends `request`, reads until Mongrel2 closes.
fn raw_exchange(url: &str, request: &str) -> String {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Waits until the handler at `route` answers, so later requests are not queued behind a
/// handler that is still connecting.
async fn until_answered(route: &Route) {
    let url = format!("{}{}", route.url, route.path);
    tokio::task::spawn_blocking(move || {
        for _ in 0..50 {
            if let Ok(resp) = agent().get(&url).call() {
                if resp.status() == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("handler never answered");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Mongrel2: run tests/interop.sh"]
async fn delivers_one_message_to_several_clients_then_closes_them() {
    let test = async {
        let route = route("");
        let mut requests = handler(route.config.clone()).await;
        until_answered(&route).await;
        let clients: Vec<_> = (0..2)
            .map(|i| {
                let url = route.url.clone();
                let request = format!(
                    "GET {}?hold={i} HTTP/1.1\r\nHost: localhost\r\n\r\n",
                    route.path
                );
                tokio::task::spawn_blocking(move || raw_exchange(&url, &request))
            })
            .collect();
        for client in clients {
            // Mongrel2 closing the connection is what ends the read.
            let answer = client.await.unwrap();
            assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
            assert!(answer.ends_with("\r\n\r\nto both\n"), "{answer}");
        }
        let mut held = 0;
        while held < 2 {
            let req = requests.recv().await.unwrap();
            let uri = req.headers.get(b"URI").cloned().unwrap_or_default();
            held += usize::from(uri.windows(4).any(|w| w == b"hold"));
        }
    };
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Mongrel2: run tests/interop.sh"]
async fn a_client_that_goes_away_is_reported() {
    let test = async {
        let route = route("");
        let mut requests = handler(route.config.clone()).await;
        until_answered(&route).await;
        // A keep-alive request answered, then the client hangs up.
        let (url, path) = (route.url.clone(), route.path.clone());
        tokio::task::spawn_blocking(move || {
            let mut stream = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let request = format!("GET {path}?bye HTTP/1.1\r\nHost: localhost\r\n\r\n");
            stream.write_all(request.as_bytes()).unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !got.ends_with(b"body=\n") {
                let n = stream.read(&mut buf).unwrap();
                assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&got));
                got.extend_from_slice(&buf[..n]);
            }
        })
        .await
        .unwrap();
        let mut id = None;
        loop {
            let req = requests.recv().await.unwrap();
            let uri = req.headers.get(b"URI").cloned().unwrap_or_default();
            match req.kind() {
                RequestKind::Http if uri.ends_with(b"?bye") => id = Some(req.conn_id),
                RequestKind::Disconnect if Some(req.conn_id) == id => break,
                _ => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .unwrap();
}
