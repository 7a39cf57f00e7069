//! A length-prefixed blob service: each request is a decimal length line and that many
//! bytes; the server answers every blob with its length on a line of its own.
//!
//! Run it:
//!
//! ```text
//! cargo run --example blob_server            # listens on 127.0.0.1:7878
//! cargo run --example blob_server -- 127.0.0.1:9000
//! ```
//!
//! Try it from another terminal (two blobs in one write, then a malformed one):
//!
//! ```text
//! printf '5\nhello3\nabc' | nc -q1 127.0.0.1 7878      # prints 5 and 3
//! printf 'x\n' | nc -q1 127.0.0.1 7878                 # ERR malformed ... at byte 0
//! python3 -c 'import socket; s=socket.create_connection(("127.0.0.1",7878)); \
//!   s.sendall(b"11\nhello world"); print(s.recv(64))'
//! ```
//!
//! The decoder is the one the `nagrel-decoder` guide builds: `read_decimal`, a literal LF,
//! then `read_bytes(n)`, run through `Framed` by the toolkit's `codec` feature. Blobs are
//! capped at [`MAX_BLOB`]; a bad request gets an `ERR` line naming what was wrong and the
//! byte offset, and the connection is closed.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use nagrel::decoder::encode::{put_decimal, Encode, EncodeError};
use nagrel::decoder::{expect, read_bytes, read_decimal, Codec, CodecError, Driver, Step, StepExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::codec::Framed;

/// Largest blob accepted, in bytes.
pub const MAX_BLOB: usize = 1024 * 1024;

/// Most connections served at once; further clients wait in the accept queue.
pub const MAX_CONNECTIONS: usize = 256;

/// One request: `<decimal length>\n<length bytes>`.
pub fn blob() -> impl Step<Output = Bytes> {
    read_decimal()
        .then_ignore(expect(b"\n"))
        .then(|n| read_bytes(n).max_len(MAX_BLOB))
}

/// What the server writes back.
pub enum Reply {
    /// The length of a blob that was received.
    Length(usize),
    /// Why the request was rejected.
    Error(String),
}

/// Writes replies as lines: `5\n` or `ERR <why>\n`.
pub struct ReplyEncoder;

impl Encode<Reply> for ReplyEncoder {
    fn encode(&mut self, reply: Reply, dst: &mut BytesMut) -> Result<(), EncodeError> {
        match reply {
            Reply::Length(n) => {
                put_decimal(dst, n as u64);
                dst.extend_from_slice(b"\n");
                Ok(())
            }
            Reply::Error(why) if !why.contains('\n') => {
                dst.extend_from_slice(b"ERR ");
                dst.extend_from_slice(why.as_bytes());
                dst.extend_from_slice(b"\n");
                Ok(())
            }
            Reply::Error(_) => Err(EncodeError::new("error text contains a line break")),
        }
    }
}

/// Accepts connections until the listener fails, serving each on its own task.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = slots
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore never closed");
        let (stream, peer) = listener.accept().await?;
        tokio::spawn(async move {
            if let Err(e) = handle(stream).await {
                eprintln!("{peer}: {e}");
            }
            drop(permit);
        });
    }
}

/// Serves one connection: a reply per blob, an `ERR` line and close on bad input.
pub async fn handle(stream: TcpStream) -> Result<(), CodecError> {
    let mut framed = Framed::new(stream, Codec::new(Driver::new(blob), ReplyEncoder));
    while let Some(request) = framed.next().await {
        match request {
            Ok(blob) => framed.send(Reply::Length(blob.len())).await?,
            Err(CodecError::Decode(e)) => {
                framed.send(Reply::Error(e.to_string())).await?;
                break;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("bad address {arg}: {e}"),
            )
        })?,
        None => SocketAddr::from(([127, 0, 0, 1], 7878)),
    };
    let listener = TcpListener::bind(addr).await?;
    eprintln!("blob_server listening on {}", listener.local_addr()?);
    tokio::select! {
        result = serve(listener) => result,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("shutting down");
            Ok(())
        }
    }
}
