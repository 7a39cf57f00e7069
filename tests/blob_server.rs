//! The blob example served over real TCP and spoken to with raw bytes.

#[allow(dead_code)]
#[path = "../examples/blob_server.rs"]
mod blob_server;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn start() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(blob_server::serve(listener));
    addr
}

/// Reads until the server closes the connection (bounded by a generous deadline so a bug
/// fails the test instead of hanging it).
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out))
        .await
        .expect("server did not close")
        .unwrap();
    out
}

#[tokio::test]
async fn answers_each_blob_with_its_length_whatever_the_fragmentation() {
    let addr = start().await;
    let request = b"5\nhello3\nabc0\n11\nhello world";
    for piece in [request.len(), 7, 1] {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        for chunk in request.chunks(piece) {
            stream.write_all(chunk).await.unwrap();
            stream.flush().await.unwrap();
            tokio::task::yield_now().await;
        }
        stream.shutdown().await.unwrap();
        assert_eq!(
            read_to_close(&mut stream).await,
            b"5\n3\n0\n11\n",
            "piece size {piece}"
        );
    }
}

#[tokio::test]
async fn rejects_bad_input_with_offset_and_closes() {
    let addr = start().await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"2\nok5x\nnever read").await.unwrap();
    let reply = String::from_utf8(read_to_close(&mut stream).await).unwrap();
    assert!(reply.starts_with("2\nERR "), "{reply:?}");
    assert!(reply.contains("at byte 5"), "{reply:?}");
}

#[tokio::test]
async fn refuses_oversized_blobs_before_buffering_them() {
    let addr = start().await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let too_big = blob_server::MAX_BLOB + 1;
    stream
        .write_all(format!("{too_big}\n").as_bytes())
        .await
        .unwrap();
    let reply = String::from_utf8(read_to_close(&mut stream).await).unwrap();
    assert!(reply.contains("limit `read_bytes` exceeded"), "{reply:?}");
}

#[tokio::test]
async fn a_blob_cut_off_by_eof_is_reported() {
    let addr = start().await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"10\nabc").await.unwrap();
    stream.shutdown().await.unwrap();
    let reply = String::from_utf8(read_to_close(&mut stream).await).unwrap();
    assert!(
        reply.starts_with("ERR input ended inside a message"),
        "{reply:?}"
    );
}
