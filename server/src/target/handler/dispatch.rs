//! The reply task of one handler target: reads response messages from the SUB socket and
//! queues their bodies for the listed connections.
//!
//! - Data goes to every listed connection, in message order; an empty body closes them
//!   once what was queued before is written.
//! - A reply to a connection that is gone (or never was) gets a disconnect notice back,
//!   as Mongrel2 does, so the handler can forget it.
//! - `X ` control messages (`["ctl", {...}]`): `cancel` closes without a notice,
//!   `keep-alive` counts as the handler being alive for the request deadline. Upload
//!   `credits` only matter with `upload.stream`, which nagrel does not implement; they are
//!   ignored.
//! - A malformed message is logged and dropped; it never takes the task down.

use std::sync::{Arc, Weak};

use bytes::{Bytes, BytesMut};
use nagrel_handler::socket::ZmqReceiver;
use nagrel_protocols::mongrel2::{decode_response, Mongrel2Limits, Response, ResponseBody};
use nagrel_protocols::tnetstring::Value;
use tokio::sync::oneshot;

use super::HandlerTarget;
use crate::clients::{Clients, Delivery, Outbound};

/// Runs until the target is dropped (`stop` resolves) or its socket fails.
pub(super) async fn run(
    target: Weak<HandlerTarget>,
    mut replies: ZmqReceiver,
    clients: Arc<Clients>,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        let message = tokio::select! {
            biased;
            _ = &mut stop => return,
            message = replies.recv() => message,
        };
        let frames = match message {
            Some(Ok(frames)) => frames,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "handler reply socket failed");
                return;
            }
            None => return,
        };
        let Some(target) = target.upgrade() else {
            return;
        };
        let (max_ids, write_timeout) = target.delivery_limits();
        let limits = Mongrel2Limits {
            max_ids,
            ..Mongrel2Limits::default()
        };
        let response = match decode_response(join(frames), limits) {
            Ok(response) => response,
            Err(e) => {
                tracing::warn!(spec = %target.send_spec(), error = %e, "malformed handler reply dropped");
                continue;
            }
        };
        deliver(&target, &clients, response, write_timeout).await;
    }
}

/// A message's frames as one byte string (handlers send one frame; more are joined).
fn join(mut frames: Vec<Bytes>) -> Bytes {
    if frames.len() == 1 {
        return frames.pop().unwrap_or_default();
    }
    let mut all = BytesMut::with_capacity(frames.iter().map(Bytes::len).sum());
    for frame in frames {
        all.extend_from_slice(&frame);
    }
    all.freeze()
}

async fn deliver(
    target: &HandlerTarget,
    clients: &Clients,
    response: Response,
    write_timeout: std::time::Duration,
) {
    let outbound = match response.body {
        ResponseBody::Data(data) if data.is_empty() => Outbound::Close,
        ResponseBody::Data(data) => Outbound::Data(data),
        ResponseBody::Control(control) => match control_action(&control) {
            Some(action) => action,
            None => {
                tracing::debug!(?control, "control message ignored");
                return;
            }
        },
    };
    for id in response.ids {
        match clients.deliver(id, outbound.clone(), write_timeout).await {
            Delivery::Queued => {}
            Delivery::Unknown => target.notify_disconnect(id).await,
            Delivery::Stalled => {
                tracing::warn!(conn = id, "client stopped reading; closed");
            }
        }
    }
}

/// What a `["ctl", {...}]` control message asks of its connections.
fn control_action(control: &Value) -> Option<Outbound> {
    let [Value::Bytes(key), Value::Dict(args)] = control.as_list()? else {
        return None;
    };
    if &key[..] != b"ctl" {
        return None;
    }
    if args.get(b"cancel").is_some() {
        Some(Outbound::Cancel)
    } else if args.get(b"keep-alive").is_some() {
        Some(Outbound::KeepAlive)
    } else {
        None
    }
}
