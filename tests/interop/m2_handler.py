#!/usr/bin/env python3
"""Tiny Mongrel2 handler used by tests/interop.sh and to record test vectors.

Connects PULL to Mongrel2's send_spec and PUB to its recv_spec (Mongrel2 binds both).
Every message received is written raw (exact bytes) to OUT_DIR/NNN.bin. Requests
(any PATH other than '@*', which marks a disconnect notice) get a small HTTP/1.1 reply:
  200, Content-Type text/plain, body "handler ok <conn_id> <path>\n".
Exits after --count messages or after --idle seconds with nothing received, whichever
comes first; --ready FILE is created once both sockets are connected.

Needs pyzmq (Debian: python3-zmq).
"""
import argparse
import os
import sys
import time

import zmq


def split_message(msg):
    """SENDER SP CONN_ID SP PATH SP rest -> (sender, conn_id, path, rest)."""
    sender, conn_id, path, rest = msg.split(b" ", 3)
    return sender, conn_id, path, rest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--send-spec", required=True, help="Mongrel2 send_spec (we PULL)")
    ap.add_argument("--recv-spec", required=True, help="Mongrel2 recv_spec (we PUB)")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--idle", type=float, default=30.0)
    ap.add_argument("--ready", default=None)
    ap.add_argument("--no-reply", action="store_true", help="record only, never answer")
    args = ap.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.setsockopt(zmq.LINGER, 0)
    pull.connect(args.send_spec)
    pub = ctx.socket(zmq.PUB)
    pub.setsockopt(zmq.LINGER, 1000)
    pub.connect(args.recv_spec)
    # PUB/SUB joins asynchronously: give the subscription a moment to arrive.
    time.sleep(0.3)
    if args.ready:
        with open(args.ready, "w") as f:
            f.write(str(os.getpid()))

    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    n = 0
    while n < args.count:
        events = dict(poller.poll(int(args.idle * 1000)))
        if pull not in events:
            print("m2_handler: idle timeout after %d messages" % n, file=sys.stderr)
            break
        msg = pull.recv()
        n += 1
        with open(os.path.join(args.out_dir, "%03d.bin" % n), "wb") as f:
            f.write(msg)
        try:
            sender, conn_id, path, _rest = split_message(msg)
        except ValueError:
            print("m2_handler: malformed message %r" % msg[:200], file=sys.stderr)
            continue
        if path == b"@*" or args.no_reply:
            continue
        body = b"handler ok " + conn_id + b" " + path + b"\n"
        resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n" + body)
        ids = conn_id
        pub.send(sender + b" " + str(len(ids)).encode() + b":" + ids + b", " + resp)
    pub.close()
    pull.close()
    ctx.term()


if __name__ == "__main__":
    main()
