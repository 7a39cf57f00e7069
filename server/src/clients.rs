//! The live client connections, by id: where handler replies find their connection.
//!
//! Every accepted connection registers and gets an id (Mongrel2's CONN_ID,
//! stable for the life of the connection) and the receiving end of a bounded outbound
//! queue. Handler dispatchers look connections up by id and queue bytes for them; the
//! connection's own task writes them to the socket in order.
//!
//! # Backpressure
//!
//! Mongrel2 silently disconnects a client once 16 messages are queued for it. Here the
//! queue holds `limits.conn_queue` messages, and a dispatcher that finds it full waits for
//! room (the client is reading, just slowly), up to the server's write timeout. Only a
//! client that drains nothing for that long is cut off: it is taken out of the registry,
//! its queue closes, its task ends the connection and its handlers get a disconnect
//! notice, so nothing is dropped silently. While it waits the dispatcher
//! delivers nothing else: a stalled client slows its handler's other replies by at most
//! the write timeout, which is the price of never dropping bytes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;

/// Something a handler asks a connection's task to do, in queue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Bytes to write to the client as they are.
    Data(Bytes),
    /// Close once everything queued before is written (an empty reply body).
    Close,
    /// Close now, without a disconnect notice (the `cancel` control message).
    Cancel,
    /// The handler is alive and working on it (the `keep-alive` control message): restart
    /// the request deadline.
    KeepAlive,
}

/// What became of a message queued for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Queued for the connection's task.
    Queued,
    /// No such connection (never existed or already gone).
    Unknown,
    /// The queue stayed full past the timeout; the connection was killed.
    Stalled,
}

/// Registry of the live connections.
#[derive(Debug, Default)]
pub struct Clients {
    next_id: AtomicU64,
    queues: Mutex<HashMap<u64, mpsc::Sender<Outbound>>>,
}

/// A connection's registration: its id and queue. Dropping it unregisters the
/// connection, so a reply that comes later gets a disconnect notice.
#[derive(Debug)]
pub struct Registration {
    clients: Arc<Clients>,
    /// The connection id.
    pub id: u64,
    /// Messages from handlers, in order. It ends (`None`) when the connection was cut
    /// off for not reading.
    pub queue: mpsc::Receiver<Outbound>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.clients.lock().remove(&self.id);
    }
}

impl Clients {
    /// An empty registry. Ids start at 1 (0 is never handed out, which keeps it free as a
    /// sentinel in logs and tests).
    pub fn new() -> Arc<Self> {
        Arc::new(Clients {
            next_id: AtomicU64::new(1),
            queues: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, mpsc::Sender<Outbound>>> {
        // A panic while holding the lock cannot leave the map half-updated (every critical
        // section is a single insert, remove or get), so a poisoned lock is still usable.
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new connection with room for `capacity` queued messages (at least 1).
    pub fn register(self: &Arc<Self>, capacity: usize) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(capacity.max(1));
        self.lock().insert(id, tx);
        Registration {
            clients: self.clone(),
            id,
            queue: rx,
        }
    }

    /// How many connections are registered.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no connection is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether connection `id` is registered.
    pub fn contains(&self, id: u64) -> bool {
        self.lock().contains_key(&id)
    }

    /// Queues `msg` for connection `id`, waiting up to `timeout` for room if its queue is
    /// full (see the module docs for the policy).
    pub async fn deliver(&self, id: u64, msg: Outbound, timeout: Duration) -> Delivery {
        let msg = {
            let queues = self.lock();
            let Some(queue) = queues.get(&id) else {
                return Delivery::Unknown;
            };
            match queue.try_send(msg) {
                Ok(()) => return Delivery::Queued,
                Err(mpsc::error::TrySendError::Closed(_)) => return Delivery::Unknown,
                Err(mpsc::error::TrySendError::Full(msg)) => msg,
            }
        };
        // Full: wait for room outside the lock, on a clone of the sender.
        let Some(queue) = self.lock().get(&id).cloned() else {
            return Delivery::Unknown;
        };
        match tokio::time::timeout(timeout, queue.send(msg)).await {
            Ok(Ok(())) => Delivery::Queued,
            Ok(Err(_)) => Delivery::Unknown,
            Err(_) => {
                // Cut the connection off: with its sender gone from the registry (and
                // this clone dropped), its queue ends once drained and its task closes.
                let mut queues = self.lock();
                if queues.get(&id).is_some_and(|q| q.same_channel(&queue)) {
                    queues.remove(&id);
                }
                Delivery::Stalled
            }
        }
    }
}
