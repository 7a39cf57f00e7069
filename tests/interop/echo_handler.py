#!/usr/bin/env python3
"""Mongrel2 echo handler for the server comparison in tests/interop.sh.

Written for Mongrel2 and nothing else: it knows only the Mongrel2 wire protocol (PULL from
the server's send_spec, PUB to its recv_spec, both bound by the server), and is connected
unchanged to Mongrel2 and to nagrel in turn.

Every request is answered with 200 text/plain and a body derived from the request alone,
so the same request gives the same body whichever server forwarded it: the method, path,
query, body and the headers the server passed on (JSON, sorted), but never the connection
id, the sender, or the port in `host` (the two servers listen on different ports; the
port is replaced by PORT).

Paths ending in `/hold` get no reply (the client gives up; the server must then send the
disconnect notice). Every message is written raw to OUT_DIR/NNN.bin, and one line per
message is appended to OUT_DIR/events.log, flushed at once (NNN: the message's file):
  NNN request CONN_ID PATH   a request
  NNN disconnect CONN_ID     a disconnect notice (path @*, body {"type":"disconnect"})
  NNN other CONN_ID          any other @* message
Runs until SIGTERM or --idle seconds without a message; --ready FILE is created once both
sockets are connected.

Needs pyzmq (Debian: python3-zmq).
"""
import argparse
import json
import os
import re
import signal
import sys
import time

import zmq


def netstring(data):
    """LEN:BYTES, -> (BYTES, rest)."""
    length, rest = data.split(b":", 1)
    n = int(length)
    if rest[n:n + 1] != b",":
        raise ValueError("bad netstring")
    return rest[:n], rest[n + 1:]


def tnetstring(data):
    """One tnetstring -> (value, rest). Strings stay bytes."""
    length, rest = data.split(b":", 1)
    n = int(length)
    payload, tag, rest = rest[:n], rest[n:n + 1], rest[n + 1:]
    if tag == b",":
        return payload, rest
    if tag == b"#":
        return int(payload), rest
    if tag == b"!":
        return payload == b"true", rest
    if tag == b"~":
        return None, rest
    if tag == b"]":
        items = []
        while payload:
            item, payload = tnetstring(payload)
            items.append(item)
        return items, rest
    if tag == b"}":
        d = {}
        while payload:
            key, payload = tnetstring(payload)
            value, payload = tnetstring(payload)
            d[key] = value
        return d, rest
    raise ValueError("unknown tnetstring tag %r" % tag)


def text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, list):
        return [text(x) for x in v]
    if isinstance(v, dict):
        return {text(k): text(x) for k, x in v.items()}
    return v


def parse(msg):
    """SENDER SP CONN_ID SP PATH SP HEADERS BODY_NETSTRING."""
    sender, conn_id, path, rest = msg.split(b" ", 3)
    # JSON headers come as a netstring (a tnetstring string), tnetstring ones as a dict.
    raw_headers, rest = tnetstring(rest)
    body, _ = netstring(rest)
    if isinstance(raw_headers, dict):
        headers, encoding = text(raw_headers), "tnetstring"
    else:
        headers, encoding = json.loads(raw_headers.decode("utf-8", "replace")), "json"
    return sender, conn_id, path, headers, encoding, body


def describe(path, headers, encoding, body):
    """The reply body: only what the client sent and the server is expected to derive."""
    shown = dict(headers)
    if isinstance(shown.get("host"), str):
        shown["host"] = re.sub(r":[0-9]+$", ":PORT", shown["host"])
    lines = [
        "encoding: %s" % encoding,
        "method: %s" % headers.get("METHOD"),
        "path: %s" % path.decode("utf-8", "replace"),
        "query: %s" % headers.get("QUERY"),
        "body: %r" % body,
        "x-test: %s" % json.dumps(headers.get("x-test")),
        "headers: %s" % json.dumps(shown, sort_keys=True, indent=1),
    ]
    return ("\n".join(lines) + "\n").encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--send-spec", required=True, help="server send_spec (we PULL)")
    ap.add_argument("--recv-spec", required=True, help="server recv_spec (we PUB)")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--idle", type=float, default=60.0)
    ap.add_argument("--ready", default=None)
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    os.makedirs(args.out_dir, exist_ok=True)
    events = open(os.path.join(args.out_dir, "events.log"), "a")
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
    try:
        while True:
            if pull not in dict(poller.poll(int(args.idle * 1000))):
                print("echo_handler: idle timeout after %d messages" % n, file=sys.stderr)
                break
            msg = pull.recv()
            n += 1
            with open(os.path.join(args.out_dir, "%03d.bin" % n), "wb") as f:
                f.write(msg)
            try:
                sender, conn_id, path, headers, encoding, body = parse(msg)
            except (ValueError, UnicodeError) as e:
                print("echo_handler: malformed message (%s) %r" % (e, msg[:200]),
                      file=sys.stderr)
                continue
            cid = conn_id.decode()
            if path == b"@*":
                kind = "disconnect" if body == b'{"type":"disconnect"}' else "other"
                events.write("%03d %s %s\n" % (n, kind, cid))
                events.flush()
                continue
            events.write("%03d request %s %s\n" % (n, cid, path.decode("utf-8", "replace")))
            events.flush()
            if path.endswith(b"/hold"):
                continue
            out = describe(path, headers, encoding, body)
            resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                    + str(len(out)).encode() + b"\r\n\r\n" + out)
            pub.send(sender + b" " + str(len(conn_id)).encode() + b":" + conn_id + b", "
                     + resp)
    finally:
        events.close()
        pub.close()
        pull.close()
        ctx.term()


if __name__ == "__main__":
    main()
