//! Bodies larger than `limits.content_length`: Mongrel2's upload protocol.
//!
//! The body goes to a new file made from the `upload.temp_store` pattern (a mkstemp
//! pattern: trailing `X`s become random characters). The handler gets the request
//! headers plus `x-mongrel2-upload-start: <file>` with an empty body before the body is
//! read, and the same headers plus `x-mongrel2-upload-done: <file>` once it is complete.
//! An empty reply in between (the handler refusing the upload) stops it: the file is
//! removed and the connection closed. Without a temp store the client gets 413, as from
//! Mongrel2. The handler owns a completed file (it moves or deletes it); the server
//! removes only the files of uploads that did not complete.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use nagrel_protocols::http::{BodyDecoder, BodyEvent, RequestHead};
use tokio::io::AsyncWriteExt;

use super::{Conn, End, Flow};
use crate::clients::Outbound;
use crate::server::Routing;
use crate::target::handler::message::{request_headers, RequestFacts, TargetParts};
use crate::target::handler::HandlerTarget;

/// Header naming the upload file in the first message.
const UPLOAD_START: &str = "x-mongrel2-upload-start";
/// Header naming the upload file in the last message.
const UPLOAD_DONE: &str = "x-mongrel2-upload-done";

impl Conn {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn upload(
        &mut self,
        handler: &Arc<HandlerTarget>,
        head: RequestHead,
        parts: TargetParts,
        pattern: &str,
        mut decoder: BodyDecoder,
        received: Vec<Bytes>,
        routing: &Routing,
    ) -> Flow {
        let Some(pattern_path) = routing.settings.temp_store.as_deref() else {
            return Err(self.reject(413).await);
        };
        let mode = routing.settings.temp_store_mode;
        let (mut file, name, path) = match create_temp(&routing.root, pattern_path, mode).await {
            Ok(created) => created,
            Err(e) => {
                tracing::error!(conn = self.id, error = %e, pattern = pattern_path, "cannot create upload file");
                return Err(self.reject(500).await);
            }
        };
        let guard = RemoveOnDrop(Some(path));
        let remote_addr = self.remote_addr.clone();
        let facts = RequestFacts {
            pattern,
            remote_addr: &remote_addr,
            no_clobber_xff: routing.settings.no_clobber_xff,
        };
        let start = [(UPLOAD_START, name.clone())];
        let headers = request_headers(&head, &parts, &facts, &start);
        let Some(message) = handler.encode(self.id, parts.path.clone(), headers, Bytes::new())
        else {
            return Err(self.reject(400).await);
        };
        if handler.send(&message).await.is_err() {
            return Err(self.reject(503).await);
        }
        self.event(crate::fsm::Event::ReqSent);
        self.talked_to(handler);
        for piece in received {
            if file.write_all(&piece).await.is_err() {
                return Err(self.reject(500).await);
            }
        }
        loop {
            // The handler may refuse the upload (an empty reply) at any point.
            while let Ok(msg) = self.reg.queue.try_recv() {
                match msg {
                    Outbound::Close => return Err(End::HandlerClosed),
                    Outbound::Cancel => return Err(End::Cancelled),
                    other => self.outbound(other).await?,
                }
            }
            let before = self.rbuf.len();
            let event = decoder.decode(&mut self.rbuf);
            self.consumed += (before - self.rbuf.len()) as u64;
            match event {
                Ok(Some(BodyEvent::Data(data))) => {
                    if file.write_all(&data).await.is_err() {
                        return Err(self.reject(500).await);
                    }
                }
                Ok(Some(BodyEvent::End(_))) => break,
                Ok(None) => self.fill(routing).await?,
                Err(e) => return Err(self.reject(e.status()).await),
            }
        }
        if file.flush().await.is_err() {
            return Err(self.reject(500).await);
        }
        drop(file);
        guard.keep();
        let done = [(UPLOAD_START, name.clone()), (UPLOAD_DONE, name)];
        let headers = request_headers(&head, &parts, &facts, &done);
        let Some(message) = handler.encode(self.id, parts.path.clone(), headers, Bytes::new())
        else {
            return Err(self.reject(400).await);
        };
        self.hand_over(handler, &message, super::wants_keep_alive(&head))
            .await
    }
}

/// Removes an unfinished upload file unless told to keep it.
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Creates a new file from a mkstemp `pattern` (relative patterns under `root`), with
/// permissions `mode`. Returns the file, its name as the handler is told it (the pattern
/// with its `X`s filled in) and the path it was opened at.
async fn create_temp(
    root: &Path,
    pattern: &str,
    mode: u32,
) -> std::io::Result<(tokio::fs::File, Bytes, PathBuf)> {
    let xs = pattern.len() - pattern.trim_end_matches('X').len();
    if xs < 6 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "upload.temp_store must end in at least six X characters",
        ));
    }
    let stem = &pattern[..pattern.len() - xs];
    for attempt in 0..64u32 {
        let name = format!("{stem}{}", random_suffix(xs, attempt));
        let path = root.join(&name);
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true).mode(mode);
        match options.open(&path).await {
            Ok(file) => return Ok((file, Bytes::from(name), path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "no free upload file name after 64 attempts",
    ))
}

/// `n` characters from `[A-Za-z0-9]`, different for every call: hashed from the clock, a
/// process-wide counter and the attempt number with std's randomly keyed hasher.
fn random_suffix(n: usize, attempt: u32) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(n);
    let mut round = 0u64;
    while out.len() < n {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_u32(attempt);
        hasher.write_u64(round);
        if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            hasher.write_u128(t.as_nanos());
        }
        let mut bits = hasher.finish();
        for _ in 0..10 {
            if out.len() == n {
                break;
            }
            out.push(ALPHABET[(bits % ALPHABET.len() as u64) as usize] as char);
            bits /= ALPHABET.len() as u64;
        }
        round += 1;
    }
    out
}
