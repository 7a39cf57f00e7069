//! Reading request bodies out of the connection's receive buffer.

use bytes::{Bytes, BytesMut};
use nagrel_protocols::http::{BodyDecoder, BodyEvent, BodyLimits, Framing, HttpError};
use tokio::io::AsyncReadExt;

use super::{body_timeout, Conn, End, Flow};
use crate::respond;
use crate::server::Routing;

/// A request body, read up to a limit.
pub(super) enum BodyRead {
    /// The whole body (empty when there is none).
    Inline(Bytes),
    /// The body is larger than the inline limit: what was read so far, and the decoder to
    /// read the rest with.
    TooLarge {
        decoder: BodyDecoder,
        received: Vec<Bytes>,
    },
}

impl Conn {
    /// The body decoder for `framing`, bounded by `limits.upload_max` (over it: 413).
    fn body_decoder(&self, framing: Framing, routing: &Routing) -> BodyDecoder {
        let limits = BodyLimits {
            max_body: routing.settings.upload_max,
            ..BodyLimits::default()
        };
        BodyDecoder::new(framing, limits, self.consumed)
    }

    /// Reads the body that follows the head just decoded, keeping at most `inline_limit`
    /// bytes in memory.
    pub(super) async fn read_body(
        &mut self,
        framing: Framing,
        routing: &Routing,
        inline_limit: u64,
    ) -> Result<BodyRead, End> {
        if framing == Framing::Empty {
            return Ok(BodyRead::Inline(Bytes::new()));
        }
        if let Framing::Length(n) = framing {
            if n > routing.settings.upload_max {
                return Err(self.reject(413).await);
            }
        }
        let mut decoder = self.body_decoder(framing, routing);
        let mut received: Vec<Bytes> = Vec::new();
        let mut size: u64 = 0;
        loop {
            let before = self.rbuf.len();
            let event = decoder.decode(&mut self.rbuf);
            self.consumed += (before - self.rbuf.len()) as u64;
            match event {
                Ok(Some(BodyEvent::Data(data))) => {
                    size += data.len() as u64;
                    received.push(data);
                    if size > inline_limit {
                        return Ok(BodyRead::TooLarge { decoder, received });
                    }
                }
                Ok(Some(BodyEvent::End(_trailers))) => return Ok(BodyRead::Inline(join(received))),
                Ok(None) => self.fill(routing).await?,
                Err(e) => return Err(self.reject_body(e).await),
            }
        }
    }

    /// Reads and drops the body of a request whose target does not want it.
    pub(super) async fn discard_body(&mut self, framing: Framing, routing: &Routing) -> Flow {
        if framing == Framing::Empty {
            return Ok(());
        }
        let mut decoder = self.body_decoder(framing, routing);
        loop {
            let before = self.rbuf.len();
            let done = decoder.decode_with(&mut self.rbuf, |_| {});
            self.consumed += (before - self.rbuf.len()) as u64;
            match done {
                Ok(Some(_trailers)) => return Ok(()),
                Ok(None) => self.fill(routing).await?,
                Err(e) => return Err(self.reject_body(e).await),
            }
        }
    }

    /// Reads more of a body into the buffer, sending `100 Continue` first if the client
    /// is waiting for it.
    pub(super) async fn fill(&mut self, routing: &Routing) -> Flow {
        if self.eof {
            return Err(End::ClientClosed);
        }
        if std::mem::take(&mut self.continue_pending) {
            self.write(respond::CONTINUE).await?;
        }
        if self.rbuf.capacity() - self.rbuf.len() < 4096 {
            self.rbuf
                .reserve(routing.settings.buffer_size.max(16 * 1024));
        }
        let read =
            tokio::time::timeout(body_timeout(routing), self.stream.read_buf(&mut self.rbuf));
        match read.await {
            Ok(Ok(0)) => {
                self.eof = true;
                Err(End::ClientClosed)
            }
            Ok(Ok(_)) => {
                self.last_active = tokio::time::Instant::now();
                Ok(())
            }
            Ok(Err(_)) => Err(End::ClientClosed),
            Err(_) => Err(self.reject(408).await),
        }
    }

    /// Answers a malformed body and ends the connection.
    async fn reject_body(&mut self, e: HttpError) -> End {
        tracing::debug!(conn = self.id, error = %e, "bad request body");
        self.reject(e.status()).await
    }

    /// Answers `status` with `Connection: close` and ends the connection.
    pub(super) async fn reject(&mut self, status: u16) -> End {
        let _ = self.write(&respond::simple(status, false, &[])).await;
        End::ServerClosed
    }
}

/// The pieces of a body as one `Bytes` (without copying when there is one piece).
pub(super) fn join(mut pieces: Vec<Bytes>) -> Bytes {
    match pieces.len() {
        0 => Bytes::new(),
        1 => pieces.pop().unwrap_or_default(),
        _ => {
            let mut all = BytesMut::with_capacity(pieces.iter().map(Bytes::len).sum());
            for piece in pieces {
                all.extend_from_slice(&piece);
            }
            all.freeze()
        }
    }
}
