//! A Mongrel2/nagrel handler that answers every request with a page showing what it
//! received: sender, connection id, path, headers and body.
//!
//! Run it beside a server whose handler has `send_spec='tcp://127.0.0.1:9997'` and
//! `recv_spec='tcp://127.0.0.1:9996'` (the Mongrel2 manual's example config):
//!
//! ```sh
//! cargo run --example echo_handler                      # or give the two specs:
//! cargo run --example echo_handler -- tcp://127.0.0.1:9997 tcp://127.0.0.1:9996
//! curl http://localhost:6767/handlertest
//! ```
//!
//! It works unchanged against Mongrel2 1.12 and against nagrel, with JSON or tnetstring
//! headers. Disconnect notices are logged, not answered.

use nagrel_handler::{
    describe_request, http_response, Connection, HandlerConfig, RecvError, RequestKind,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let send_spec = args.next().unwrap_or_else(|| "tcp://127.0.0.1:9997".into());
    let recv_spec = args.next().unwrap_or_else(|| "tcp://127.0.0.1:9996".into());
    let ctx = nagrel_handler::zmq::Context::new();
    let mut conn = Connection::connect(&ctx, &HandlerConfig::new(&send_spec, &recv_spec))?;
    let replies = conn.replies();
    eprintln!("echo_handler: requests from {send_spec}, replies to {recv_spec}");
    while let Some(req) = conn.recv().await {
        let req = match req {
            Ok(req) => req,
            Err(RecvError::Malformed(e)) => {
                eprintln!("echo_handler: skipping a malformed message: {e}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        match req.kind() {
            RequestKind::Disconnect => eprintln!("echo_handler: connection {} closed", req.conn_id),
            _ => {
                let page = http_response(
                    200,
                    &[("Content-Type", "text/plain")],
                    describe_request(&req),
                );
                if let Err(e) = replies.reply(&req, page).await {
                    eprintln!("echo_handler: reply to {} failed: {e}", req.conn_id);
                }
            }
        }
    }
    Ok(())
}
