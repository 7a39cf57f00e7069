//! The ZeroMQ adapter against real sockets: patterns, framing, backpressure and shutdown.
//!
//! Run with `cargo test -p nagrel-handler --test socket`. Every test is bounded by a timeout
//! so a lost wakeup fails instead of hanging.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use nagrel_handler::socket::{self, SendError, SocketBuilder, ZmqReceiver, ZmqSender};
use nagrel_handler::zmq;

/// Fails the test if `future` takes longer than `secs` seconds.
async fn within<T>(secs: u64, what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(secs), future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out after {secs} s: {what}"),
    }
}

/// Sends, retrying while the connection is being set up (ZMQ_IMMEDIATE makes that
/// `WouldBlock`).
async fn send_when_connected(sender: &ZmqSender, parts: &[&[u8]]) {
    within(10, "waiting for a peer", async {
        loop {
            match sender.send(parts).await {
                Ok(()) => return,
                Err(SendError::WouldBlock) => tokio::time::sleep(Duration::from_millis(5)).await,
                Err(error) => panic!("send failed: {error:?}"),
            }
        }
    })
    .await;
}

async fn recv(receiver: &mut ZmqReceiver) -> Vec<Bytes> {
    within(10, "receiving", receiver.recv())
        .await
        .expect("owner task still running")
        .expect("no socket error")
}

/// Builds and binds `builder` at `tcp://127.0.0.1:*`, returns the socket and the real endpoint.
fn bind_tcp(ctx: &zmq::Context, builder: SocketBuilder) -> (zmq::Socket, String) {
    let socket = builder.bind("tcp://127.0.0.1:*").build(ctx).expect("bind");
    let endpoint = socket
        .get_last_endpoint()
        .expect("endpoint")
        .expect("utf-8");
    (socket, endpoint)
}

fn frames(message: &[Bytes]) -> Vec<&[u8]> {
    message.iter().map(|part| &part[..]).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_pull_over_tcp() {
    let ctx = zmq::Context::new();
    let (pull, endpoint) = bind_tcp(&ctx, SocketBuilder::new(zmq::PULL));
    let (_, mut pull) = socket::spawn(pull).unwrap();
    let (push, _) = SocketBuilder::new(zmq::PUSH)
        .connect(&endpoint)
        .spawn(&ctx)
        .unwrap();

    send_when_connected(&push, &[&b"first"[..]]).await;
    for n in 0..100u32 {
        push.send([n.to_be_bytes()]).await.unwrap();
    }
    assert_eq!(frames(&recv(&mut pull).await), [b"first"]);
    for n in 0..100u32 {
        assert_eq!(frames(&recv(&mut pull).await), [n.to_be_bytes()]);
    }
}

#[tokio::test]
async fn pub_sub_delivers_only_the_subscribed_prefix() {
    let ctx = zmq::Context::new();
    let (publisher, endpoint) = bind_tcp(&ctx, SocketBuilder::new(zmq::PUB));
    let (publisher, _) = socket::spawn(publisher).unwrap();
    let (_, mut subscriber) = SocketBuilder::new(zmq::SUB)
        .subscribe("a.")
        .subscribe("c.")
        .connect(&endpoint)
        .spawn(&ctx)
        .unwrap();

    // The subscription reaches the publisher asynchronously over tcp: PUB drops what it sends
    // before that, so publish until something arrives.
    let first = within(10, "subscription to take effect", async {
        loop {
            publisher.send([&b"b. skipped"[..]]).await.unwrap();
            publisher
                .send([&b"a. hello"[..], b"second frame"])
                .await
                .unwrap();
            if let Ok(message) =
                tokio::time::timeout(Duration::from_millis(20), subscriber.recv()).await
            {
                return message.unwrap().unwrap();
            }
        }
    })
    .await;
    assert_eq!(frames(&first), [&b"a. hello"[..], b"second frame"]);

    publisher.send([&b"b. not for us"[..]]).await.unwrap();
    publisher.send([&b"c. marker"[..]]).await.unwrap();
    // Everything up to the marker is a retry of the first message, never a `b.` one.
    loop {
        let message = recv(&mut subscriber).await;
        if message[0] == b"c. marker"[..] {
            break;
        }
        assert_eq!(frames(&message), [&b"a. hello"[..], b"second frame"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dealer_router_request_reply() {
    let ctx = zmq::Context::new();
    let (router, endpoint) = bind_tcp(&ctx, SocketBuilder::new(zmq::ROUTER));
    let (router_tx, mut router_rx) = socket::spawn(router).unwrap();
    let (dealer_tx, mut dealer_rx) = SocketBuilder::new(zmq::DEALER)
        .identity("worker-7")
        .connect(&endpoint)
        .spawn(&ctx)
        .unwrap();

    // The server side answers from its own task, with the handles split across tasks.
    let server = tokio::spawn(async move {
        for _ in 0..10 {
            let request = recv(&mut router_rx).await;
            assert_eq!(&request[0][..], b"worker-7");
            let mut reply: Vec<&[u8]> = frames(&request);
            reply.push(b"done");
            router_tx.send(reply).await.unwrap();
        }
    });

    send_when_connected(&dealer_tx, &[&b"req"[..], b"0"]).await;
    for n in 1..10u8 {
        dealer_tx.send([&b"req"[..], &[b'0' + n]]).await.unwrap();
    }
    for n in 0..10u8 {
        let reply = recv(&mut dealer_rx).await;
        assert_eq!(frames(&reply), [&b"req"[..], &[b'0' + n], b"done"]);
    }
    within(10, "server task", server).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_messages_survive_the_peer_closing() {
    let ctx = zmq::Context::new();
    let (router, endpoint) = bind_tcp(&ctx, SocketBuilder::new(zmq::ROUTER));
    let (router_tx, mut router_rx) = socket::spawn(router).unwrap();
    let (dealer_tx, mut dealer_rx) = SocketBuilder::new(zmq::DEALER)
        .identity("d")
        .connect(&endpoint)
        .spawn(&ctx)
        .unwrap();

    send_when_connected(&dealer_tx, &[&b"hello"[..]]).await;
    assert_eq!(frames(&recv(&mut router_rx).await), [&b"d"[..], b"hello"]);
    for n in 0..200u32 {
        router_tx.send([&b"d"[..], &n.to_be_bytes()]).await.unwrap();
    }
    // Let the replies reach the DEALER's queue (within its HWM), then close the ROUTER while
    // they wait there unread. Without ZMQ_IMMEDIATE they stay readable; with it, libzmq drops
    // them with the broken connection.
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop((router_tx, router_rx));
    tokio::time::sleep(Duration::from_millis(200)).await;
    for n in 0..200u32 {
        assert_eq!(frames(&recv(&mut dealer_rx).await), [n.to_be_bytes()]);
    }
}

#[tokio::test]
async fn router_reports_an_unknown_peer() {
    let ctx = zmq::Context::new();
    let (router, _) = SocketBuilder::new(zmq::ROUTER)
        .bind("inproc://unroutable")
        .spawn(&ctx)
        .unwrap();
    let outcome = within(10, "send", router.send([&b"nobody"[..], b"hello"])).await;
    assert_eq!(outcome, Err(SendError::Unroutable));
}

#[tokio::test]
async fn req_rep_round_trip_and_out_of_turn_send() {
    let ctx = zmq::Context::new();
    let (rep_tx, mut rep_rx) = SocketBuilder::new(zmq::REP)
        .bind("inproc://req-rep")
        .spawn(&ctx)
        .unwrap();
    let (req_tx, mut req_rx) = SocketBuilder::new(zmq::REQ)
        .connect("inproc://req-rep")
        .spawn(&ctx)
        .unwrap();

    for n in 0..3u8 {
        req_tx.send([[n]]).await.unwrap();
        // REQ must wait for the reply before sending again.
        let early = req_tx.send([&b"again"[..]]).await;
        assert!(
            matches!(early, Err(SendError::Zmq(zmq::Error::EFSM))),
            "{early:?}"
        );
        assert_eq!(frames(&recv(&mut rep_rx).await), [[n]]);
        rep_tx.send([[n + 100]]).await.unwrap();
        assert_eq!(frames(&recv(&mut req_rx).await), [[n + 100]]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_messages_keep_their_frames() {
    let ctx = zmq::Context::new();
    let (a, mut a_rx) = SocketBuilder::new(zmq::PAIR)
        .bind("inproc://multipart")
        .spawn(&ctx)
        .unwrap();
    let (b, mut b_rx) = SocketBuilder::new(zmq::PAIR)
        .connect("inproc://multipart")
        .spawn(&ctx)
        .unwrap();

    let big = Bytes::from(vec![7u8; 1 << 20]);
    let message = vec![
        Bytes::new(),
        Bytes::from_static(b"header"),
        Bytes::new(),
        big.clone(),
        Bytes::from_static(b"x"),
    ];
    a.send(message.clone()).await.unwrap();
    a.send([&b"single"[..]]).await.unwrap();
    assert_eq!(recv(&mut b_rx).await, message);
    assert_eq!(frames(&recv(&mut b_rx).await), [b"single"]);

    b.send(vec![big.clone(); 3]).await.unwrap();
    assert_eq!(recv(&mut a_rx).await, vec![big; 3]);

    let empty: [&[u8]; 0] = [];
    assert_eq!(
        b.send(empty).await,
        Err(SendError::Zmq(zmq::Error::EINVAL)),
        "a message has at least one frame"
    );
    assert_eq!(
        SocketBuilder::new(zmq::PULL)
            .bind("inproc://cannot-send")
            .spawn(&ctx)
            .unwrap()
            .0
            .send([&b"x"[..]])
            .await,
        Err(SendError::Zmq(zmq::Error::ENOTSUP))
    );
}

#[tokio::test]
async fn no_peer_is_backpressure_not_a_hang() {
    let ctx = zmq::Context::new();

    // Connecting to a port nobody listens on: with ZMQ_IMMEDIATE there is no pipe to queue in.
    let (nobody, endpoint) = bind_tcp(&ctx, SocketBuilder::new(zmq::PULL));
    drop(nobody);
    let (push, _) = SocketBuilder::new(zmq::PUSH)
        .connect(&endpoint)
        .spawn(&ctx)
        .unwrap();
    for _ in 0..3 {
        let outcome = within(5, "send without a peer", push.send([&b"job"[..]])).await;
        assert_eq!(outcome, Err(SendError::WouldBlock));
    }

    // Bound, nobody connected.
    let (push, _) = SocketBuilder::new(zmq::PUSH)
        .bind("tcp://127.0.0.1:*")
        .spawn(&ctx)
        .unwrap();
    let outcome = within(5, "send without a peer", push.send([&b"job"[..]])).await;
    assert_eq!(outcome, Err(SendError::WouldBlock));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_hwm_is_backpressure_and_recovers() {
    let ctx = zmq::Context::new();
    let (_, mut pull) = SocketBuilder::new(zmq::PULL)
        .recv_hwm(4)
        .inbound_capacity(2)
        .bind("inproc://hwm")
        .spawn(&ctx)
        .unwrap();
    let (push, _) = SocketBuilder::new(zmq::PUSH)
        .send_hwm(4)
        .connect("inproc://hwm")
        .spawn(&ctx)
        .unwrap();

    // Nobody calls recv: the owner fills the 2-slot channel, stops reading, ZeroMQ's queue
    // (send HWM + receive HWM over inproc) fills, and sends must then report backpressure.
    let mut accepted = 0u32;
    within(10, "filling the HWM", async {
        loop {
            match push.send([accepted.to_be_bytes()]).await {
                Ok(()) => accepted += 1,
                Err(SendError::WouldBlock) => break,
                Err(error) => panic!("{error:?}"),
            }
            assert!(
                accepted < 1000,
                "HWM never reported: {accepted} messages accepted"
            );
        }
    })
    .await;
    assert!(accepted >= 4, "only {accepted} accepted");

    // Reading releases the pressure; nothing was lost or reordered.
    for n in 0..accepted {
        assert_eq!(frames(&recv(&mut pull).await), [n.to_be_bytes()]);
    }
    within(10, "sending after the reader caught up", async {
        loop {
            match push.send([&b"after"[..]]).await {
                Ok(()) => break,
                Err(SendError::WouldBlock) => tokio::time::sleep(Duration::from_millis(1)).await,
                Err(error) => panic!("{error:?}"),
            }
        }
    })
    .await;
    assert_eq!(frames(&recv(&mut pull).await), [b"after"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_receiver_does_not_stop_sends() {
    let ctx = zmq::Context::new();
    let (a, mut a_rx) = SocketBuilder::new(zmq::PAIR)
        .send_hwm(2)
        .recv_hwm(2)
        .bind("inproc://full-receiver")
        .spawn(&ctx)
        .unwrap();
    let (b, mut b_rx) = SocketBuilder::new(zmq::PAIR)
        .send_hwm(2)
        .recv_hwm(2)
        .inbound_capacity(1)
        .connect("inproc://full-receiver")
        .spawn(&ctx)
        .unwrap();

    // Fill b's inbound side completely.
    let mut flood = 0u32;
    within(10, "filling b", async {
        while a.send([flood.to_be_bytes()]).await.is_ok() {
            flood += 1;
            assert!(flood < 1000, "never saw backpressure");
        }
    })
    .await;

    // b's owner has stopped reading but still sends.
    for n in 0..2u8 {
        within(5, "b sends while its inbound is full", b.send([[n]]))
            .await
            .unwrap();
        assert_eq!(frames(&recv(&mut a_rx).await), [[n]]);
    }
    for n in 0..flood {
        assert_eq!(frames(&recv(&mut b_rx).await), [n.to_be_bytes()]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiving_continues_without_senders() {
    let ctx = zmq::Context::new();
    let (pull_tx, mut pull) = SocketBuilder::new(zmq::PULL)
        .bind("inproc://no-senders")
        .spawn(&ctx)
        .unwrap();
    drop(pull_tx);
    let (push, push_rx) = SocketBuilder::new(zmq::PUSH)
        .connect("inproc://no-senders")
        .spawn(&ctx)
        .unwrap();
    drop(push_rx);
    tokio::task::yield_now().await;
    push.send([&b"still here"[..]]).await.unwrap();
    assert_eq!(frames(&recv(&mut pull).await), [b"still here"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_every_handle_closes_the_socket() {
    let ctx = zmq::Context::new();
    let (socket, endpoint) = bind_tcp(&ctx, SocketBuilder::new(zmq::PULL));
    let (sender, receiver) = socket::spawn(socket).unwrap();
    let clone = sender.clone();

    // While the socket lives its port is taken.
    let again = SocketBuilder::new(zmq::PULL).bind(&endpoint).build(&ctx);
    assert!(
        matches!(again, Err(zmq::Error::EADDRINUSE)),
        "port still free?"
    );

    drop(sender);
    drop(receiver);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let again = SocketBuilder::new(zmq::PULL).bind(&endpoint).build(&ctx);
    assert!(
        matches!(again, Err(zmq::Error::EADDRINUSE)),
        "a clone of the sender keeps the socket open"
    );

    drop(clone);
    // The owner task ends and closes the socket; libzmq then releases the port.
    let rebound = within(10, "the port to be released", async {
        loop {
            match SocketBuilder::new(zmq::PULL).bind(&endpoint).build(&ctx) {
                Ok(socket) => return socket,
                Err(zmq::Error::EADDRINUSE) => tokio::time::sleep(Duration::from_millis(10)).await,
                Err(error) => panic!("{error:?}"),
            }
        }
    })
    .await;
    drop(rebound);
}

#[test]
fn senders_see_closed_when_the_owner_is_gone() {
    let ctx = zmq::Context::new();
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    // Dropping the runtime drops the owner task with it: a stand-in for an owner that stopped.
    let first = runtime();
    let (push, mut pull) = first.block_on(async {
        SocketBuilder::new(zmq::PUSH)
            .bind("inproc://gone")
            .spawn(&ctx)
            .unwrap()
    });
    drop(first);

    runtime().block_on(async {
        assert!(push.is_closed());
        let outcome = within(5, "send to a stopped owner", push.send([&b"x"[..]])).await;
        assert_eq!(outcome, Err(SendError::Closed));
        assert!(within(5, "recv from a stopped owner", pull.recv())
            .await
            .is_none());
    });
}
