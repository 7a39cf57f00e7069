//! `zmq_floor`: the least work per request a server built like nagrel can do, to put the
//! `server` suite's CPU figures in proportion.
//!
//! It is the skeleton of nagrel's handler path and nothing else: one tokio thread, the
//! `nagrel-handler` ZeroMQ adapter with a PUSH bound at the send spec and a SUB at the
//! receive spec, and for each request (anything ending in a blank line) one fixed
//! Mongrel2 request message out and the handler's reply bytes back to the client. No HTTP
//! parsing beyond finding the blank line, no routing, no headers, no state machine, no
//! timeouts, no limits: not a server anyone should run, just the floor under one.
//!
//! ```sh
//! cargo build --release -p nagrel-bench --example zmq_floor --bin m2_echo
//! target/release/examples/zmq_floor 127.0.0.1:18080 tcp://127.0.0.1:19997 tcp://127.0.0.1:19996 &
//! target/release/m2_echo --send-spec tcp://127.0.0.1:19997 --recv-spec tcp://127.0.0.1:19996 &
//! wrk -t2 -c32 -d10s http://127.0.0.1:18080/   # and read utime+stime from /proc/PID/stat
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use nagrel_handler::socket::SocketBuilder;
use nagrel_handler::zmq;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

type Conns = Arc<Mutex<HashMap<u64, mpsc::Sender<Bytes>>>>;

/// `SENDER LEN:ID, BODY` -> (id, body) for a single-id reply.
fn parse_reply(msg: &Bytes) -> Option<(u64, Bytes)> {
    let space = msg.iter().position(|&b| b == b' ')?;
    let rest = &msg[space + 1..];
    let colon = rest.iter().position(|&b| b == b':')?;
    let len: usize = std::str::from_utf8(&rest[..colon]).ok()?.parse().ok()?;
    let ids = std::str::from_utf8(rest.get(colon + 1..colon + 1 + len)?).ok()?;
    let id = ids.split(' ').next()?.parse().ok()?;
    let body_at = space + 1 + colon + 1 + len + 2; // ", "
    Some((id, msg.slice(body_at.min(msg.len())..)))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, send_spec, recv_spec] = &args[..] else {
        return Err("usage: zmq_floor ADDR SEND_SPEC RECV_SPEC".into());
    };
    let ctx = zmq::Context::new();
    let (push, _) = SocketBuilder::new(zmq::PUSH)
        .immediate(true)
        .bind(send_spec)
        .spawn(&ctx)?;
    let (_, mut sub) = SocketBuilder::new(zmq::SUB)
        .subscribe("")
        .bind(recv_spec)
        .spawn(&ctx)?;
    let conns: Conns = Arc::default();
    let routes = conns.clone();
    tokio::spawn(async move {
        while let Some(Ok(frames)) = sub.recv().await {
            let Some(frame) = frames.into_iter().next() else {
                continue;
            };
            if let Some((id, body)) = parse_reply(&frame) {
                let queue = routes.lock().unwrap().get(&id).cloned();
                if let Some(queue) = queue {
                    let _ = queue.try_send(body);
                }
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let mut next_id = 0u64;
    loop {
        let (mut stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        next_id += 1;
        let id = next_id;
        let (tx, mut rx) = mpsc::channel(16);
        conns.lock().unwrap().insert(id, tx);
        let push = push.clone();
        let conns = conns.clone();
        tokio::spawn(async move {
            let message = format!("floor {id} / 2:{{}},0:,");
            let mut buf = BytesMut::with_capacity(4096);
            'conn: loop {
                match stream.read_buf(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let _ = buf.split_to(end + 4);
                    if push.send([message.as_bytes()]).await.is_err() {
                        break 'conn;
                    }
                    let Some(reply) = rx.recv().await else {
                        break 'conn;
                    };
                    if stream.write_all(&reply).await.is_err() {
                        break 'conn;
                    }
                }
            }
            conns.lock().unwrap().remove(&id);
        });
    }
}
