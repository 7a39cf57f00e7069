//! Stress: two DEALER sockets talk both ways at full speed, each socket used at once by two
//! sender tasks and one receiver task, on a multi-thread runtime.
//!
//! Run with `cargo test -p nagrel-handler --test stress -- --nocapture` (the rate is printed).
//! `NAGREL_ZMQ_STRESS_SECS` sets how long senders run (default 3). Small HWMs and a small
//! inbound channel keep backpressure (`WouldBlock`, a full receiver) happening all the time.
//!
//! Checked: every message arrives exactly once, in order per sender, with its frames intact;
//! and something moves at least every 2 s (a watchdog), so a lost wakeup in the owner task
//! fails with a report instead of hanging.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use nagrel_handler::socket::{self, SendError, SocketBuilder, ZmqReceiver, ZmqSender};
use nagrel_handler::zmq;
use tokio::sync::oneshot;

/// Sender tasks per socket.
const STREAMS: u8 = 2;
/// How long nothing may move before the test fails.
const STALL: Duration = Duration::from_secs(2);

fn run_time() -> Duration {
    let secs = std::env::var("NAGREL_ZMQ_STRESS_SECS")
        .ok()
        .and_then(|value| value.parse::<f64>().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(secs)
}

/// Progress shared with the watchdog.
#[derive(Default)]
struct Progress {
    sent: AtomicU64,
    received: AtomicU64,
    would_block: AtomicU64,
}

impl Progress {
    fn moved(&self) -> u64 {
        self.sent.load(Ordering::Relaxed) + self.received.load(Ordering::Relaxed)
    }

    fn report(&self) -> String {
        format!(
            "sent {}, received {}, WouldBlock {}",
            self.sent.load(Ordering::Relaxed),
            self.received.load(Ordering::Relaxed),
            self.would_block.load(Ordering::Relaxed)
        )
    }
}

/// Frames of message `seq` from `stream`: a header, a payload whose length and bytes depend on
/// `seq` (sometimes empty), and a trailer.
fn message(stream: u8, seq: u64) -> [Bytes; 3] {
    let mut header = vec![stream];
    header.extend_from_slice(&seq.to_be_bytes());
    let payload = vec![seq as u8; (seq % 300) as usize];
    [
        Bytes::from(header),
        Bytes::from(payload),
        Bytes::from_static(b"end"),
    ]
}

/// Sends numbered messages until `deadline`, retrying on backpressure; returns how many.
async fn sender(
    tx: ZmqSender,
    stream: u8,
    deadline: Instant,
    progress: Arc<Progress>,
) -> Result<u64, String> {
    let mut seq = 0u64;
    while Instant::now() < deadline {
        let parts = message(stream, seq);
        let mut retries = 0u32;
        loop {
            match tx.send(parts.clone()).await {
                Ok(()) => break,
                Err(SendError::WouldBlock) => {
                    progress.would_block.fetch_add(1, Ordering::Relaxed);
                    retries += 1;
                    // A short yield first; if the peer stays full, let it breathe.
                    if retries < 16 {
                        tokio::task::yield_now().await;
                    } else {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
                Err(error) => return Err(format!("stream {stream} seq {seq}: {error:?}")),
            }
        }
        progress.sent.fetch_add(1, Ordering::Relaxed);
        seq += 1;
    }
    Ok(seq)
}

/// Receives until every stream's final count (known once the senders stop) has arrived,
/// checking order and content of each message.
async fn receiver(
    mut rx: ZmqReceiver,
    totals: oneshot::Receiver<Vec<u64>>,
    progress: Arc<Progress>,
) -> Result<(), String> {
    let mut next = vec![0u64; STREAMS as usize];
    let mut totals = totals;
    let mut expected: Option<Vec<u64>> = None;
    loop {
        if expected.as_ref() == Some(&next) {
            return Ok(());
        }
        tokio::select! {
            received = rx.recv() => {
                let parts = match received {
                    Some(Ok(parts)) => parts,
                    Some(Err(error)) => return Err(format!("socket failed: {error:?}")),
                    None => return Err("receiver closed".into()),
                };
                let [header, payload, trailer] = &parts[..] else {
                    return Err(format!("{} frames instead of 3", parts.len()));
                };
                if header.len() != 9 || usize::from(header[0]) >= next.len() {
                    return Err(format!("bad header {header:?}"));
                }
                let stream = header[0];
                let seq = u64::from_be_bytes(header[1..].try_into().unwrap());
                let want = next[usize::from(stream)];
                if seq != want {
                    let what = if seq < want { "duplicate or reordered" } else { "lost" };
                    return Err(format!("stream {stream}: got {seq}, expected {want} ({what})"));
                }
                if [payload.clone(), trailer.clone()] != message(stream, seq)[1..] {
                    return Err(format!("stream {stream} seq {seq}: frames corrupted"));
                }
                next[usize::from(stream)] += 1;
                progress.received.fetch_add(1, Ordering::Relaxed);
            }
            counts = &mut totals, if expected.is_none() => {
                expected = Some(counts.map_err(|_| "totals never came".to_string())?);
            }
        }
    }
}

/// Fails when nothing moved for `STALL`.
async fn watchdog(progress: Arc<Progress>) -> String {
    let mut last = progress.moved();
    let mut since = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = progress.moved();
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= STALL {
            return format!(
                "stall: no message moved for {STALL:?} ({})",
                progress.report()
            );
        }
    }
}

/// One side: its sender tasks and its receiver task, all on the same socket.
struct Side {
    senders: Vec<tokio::task::JoinHandle<Result<u64, String>>>,
    receiver: tokio::task::JoinHandle<Result<(), String>>,
    /// Where to tell the *other* side's receiver how many messages this side sent.
    totals: oneshot::Sender<Vec<u64>>,
    /// Keeps the socket open until the peer has received everything: closing it earlier
    /// leaves the messages still in flight to LINGER, and ZeroMQ does not promise to deliver
    /// those (a slow peer loses them).
    keep_open: ZmqSender,
}

fn start_side(
    tx: ZmqSender,
    rx: ZmqReceiver,
    peer_totals: oneshot::Receiver<Vec<u64>>,
    totals: oneshot::Sender<Vec<u64>>,
    deadline: Instant,
    progress: &Arc<Progress>,
) -> Side {
    let senders = (0..STREAMS)
        .map(|stream| tokio::spawn(sender(tx.clone(), stream, deadline, progress.clone())))
        .collect();
    let receiver = tokio::spawn(receiver(rx, peer_totals, progress.clone()));
    Side {
        senders,
        receiver,
        totals,
        keep_open: tx,
    }
}

async fn stress(bind_endpoint: &str) {
    let ctx = zmq::Context::new();
    let builder = || SocketBuilder::new(zmq::DEALER).send_hwm(50).recv_hwm(50);
    let a = builder().bind(bind_endpoint).build(&ctx).expect("bind");
    let endpoint = a.get_last_endpoint().unwrap().unwrap();
    let b = builder().connect(&endpoint).build(&ctx).expect("connect");
    let (a_tx, a_rx) = socket::spawn_with_capacity(a, 8).unwrap();
    let (b_tx, b_rx) = socket::spawn_with_capacity(b, 8).unwrap();

    let run_time = run_time();
    let progress = Arc::new(Progress::default());
    let started = Instant::now();
    let deadline = started + run_time;
    let (to_b, b_totals) = oneshot::channel();
    let (to_a, a_totals) = oneshot::channel();
    let side_a = start_side(a_tx, a_rx, a_totals, to_b, deadline, &progress);
    let side_b = start_side(b_tx, b_rx, b_totals, to_a, deadline, &progress);

    let work = async {
        let mut receivers = Vec::new();
        let mut open = Vec::new();
        for side in [side_a, side_b] {
            let mut counts = Vec::new();
            for sender in side.senders {
                counts.push(sender.await.expect("sender task")?);
            }
            let _ = side.totals.send(counts);
            receivers.push(side.receiver);
            open.push(side.keep_open);
        }
        for receiver in receivers {
            receiver.await.expect("receiver task")?;
        }
        drop(open);
        Ok::<_, String>(())
    };

    let limit = run_time + Duration::from_secs(60);
    tokio::select! {
        outcome = tokio::time::timeout(limit, work) => match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => panic!("{bind_endpoint}: {error} ({})", progress.report()),
            Err(_) => panic!("{bind_endpoint}: not done after {limit:?} ({})", progress.report()),
        },
        stall = watchdog(progress.clone()) => panic!("{bind_endpoint}: {stall}"),
    }

    let elapsed = started.elapsed();
    let received = progress.received.load(Ordering::Relaxed);
    eprintln!(
        "stress {bind_endpoint}: {received} messages in {elapsed:.2?} = {:.0} msg/s both ways, \
         {} WouldBlock retries",
        received as f64 / elapsed.as_secs_f64(),
        progress.would_block.load(Ordering::Relaxed)
    );
    assert!(received > 0, "nothing was exchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stress_dealers_over_tcp() {
    stress("tcp://127.0.0.1:*").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stress_dealers_over_ipc() {
    /// Removes the socket file even when the test fails.
    struct Remove(std::path::PathBuf);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let path = std::env::temp_dir().join(format!("nagrel-zmq-stress-{}.ipc", std::process::id()));
    let endpoint = format!("ipc://{}", path.display());
    let _remove = Remove(path);
    stress(&endpoint).await;
}
