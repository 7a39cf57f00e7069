#!/usr/bin/env python3
"""Record the exact messages Mongrel2 sends to its handlers (test vectors for nagrel).

Run by tests/interop/capture_mongrel2.sh, which starts Mongrel2 from mongrel2.conf.in with a
JSON handler at /handlertest and a tnetstring handler at /tnethandler. This script is both
the HTTP client (raw sockets, so the request bytes are exact; one scenario uses real curl)
and the two handlers (PULL from send_spec, PUB to recv_spec).

For every scenario and protocol it writes, under OUT:
  requests/<scenario>.http        the exact client bytes (with {P} = the handler path);
                                  for curl_get, what curl sends (see README)
  <proto>/<scenario>.<n>.msg      every message Mongrel2 sent to the handler, in order
                                  (requests, then the disconnect notice)
  <proto>/<scenario>.response     the bytes the client got back
  INDEX.txt                       everything above, escaped, for reading
Handlers answer every request with:
  HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: N\r\n\r\nhandler ok <id>\n
Needs pyzmq (Debian: python3-zmq).
"""
import argparse
import base64
import hashlib
import os
import socket
import subprocess
import sys
import time

import zmq

PROTOS = {"json": "/handlertest", "tnetstring": "/tnethandler"}
# send_ident of the two handlers in mongrel2.conf.in
JSON_IDENT = b"34f9ceee-cd52-4b7f-b197-88bf2f0ec378"
TNET_IDENT = b"54c6755b-9628-40a4-9a2d-cc82a816345e"


def http(*lines, body=b""):
    return b"".join((l if isinstance(l, bytes) else l.encode()) + b"\r\n" for l in lines) \
        + b"\r\n" + body


WS_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="


def ws_frame(payload, opcode=1, mask=b"\x01\x02\x03\x04"):
    masked = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


# (name, [request chunks sent one after another on one connection, each waiting for the
# handler message(s) and reply before the next], note). {P} is replaced by the route path.
SCENARIOS = [
    ("get", [http("GET {P} HTTP/1.1", "Host: localhost", "User-Agent: curl/7.88.1",
                  "Accept: */*")], "curl-like GET"),
    ("header_order", [http("GET {P} HTTP/1.1", "Host: localhost", "A-One: 1", "B-Two: 2",
                           "C-Three: 3", "D-Four: 4", "E-Five: 5", "Accept: */*")],
     "order of header keys"),
    ("repeated_header", [http("GET {P} HTTP/1.1", "Host: localhost", "X-Test: one",
                              "X-Other: z", "X-Test: two", "x-test: three")],
     "repeated header, mixed case"),
    ("query_fragment", [http("GET {P}/sub/path?a=1&b=two%20words&c#frag-ment HTTP/1.1",
                             "Host: localhost")], "QUERY and FRAGMENT keys"),
    ("query_only", [http("GET {P}?x=1 HTTP/1.1", "Host: localhost")], "QUERY only"),
    ("path_encoding", [http("GET {P}/a%20b/%2e%2e/c%2Fd HTTP/1.1", "Host: localhost")],
     "percent-encoded PATH"),
    ("post_body", [http("POST {P} HTTP/1.1", "Host: localhost", "Content-Type: text/plain",
                        "Content-Length: 5", body=b"hello")], "small body"),
    ("post_binary", [http("POST {P} HTTP/1.1", "Host: localhost",
                          "Content-Type: application/octet-stream", "Content-Length: 8",
                          body=b"a\x00b\r\nc,:")], "binary body"),
    ("odd_header_value", [http("GET {P} HTTP/1.1", "Host: localhost",
                               b'X-Odd: caf\xc3\xa9 "quoted" back\\slash \xff end',
                               "X-Json: {\"a\":[1,2]}", "X-Tab: a\tb")],
     "UTF-8, invalid UTF-8, quote, backslash, tab in values"),
    ("ctl_header_value", [http("GET {P} HTTP/1.1", "Host: localhost", b"X-Ctl: a\x01b\x7fc")],
     "control characters in a value"),
    ("spoof", [http("GET {P} HTTP/1.1", "Host: localhost", "METHOD: EVIL", "PATH: /evil",
                    "URI: /spoof", "X-Forwarded-For: 10.9.8.7")],
     "client headers named like server keys"),
    ("mixed_case", [http("GET {P} HTTP/1.1", "HOST: localhost", "X-MiXeD-CaSe: Value")],
     "header name case"),
    ("empty_value", [http("GET {P} HTTP/1.1", "Host: localhost", "X-Empty:",
                          "X-Space:   padded   ")], "empty and padded values"),
    ("keepalive", [http("GET {P}/one HTTP/1.1", "Host: localhost"),
                   http("GET {P}/two HTTP/1.1", "Host: localhost")],
     "two requests on one connection: same conn id"),
    ("http10", [http("GET {P} HTTP/1.0", "Host: localhost")], "HTTP/1.0"),
    ("http10_no_host", [http("GET {P} HTTP/1.0")], "HTTP/1.0 without Host"),
    ("head", [http("HEAD {P} HTTP/1.1", "Host: localhost")], "HEAD"),
    ("chunked_post", [http("POST {P} HTTP/1.1", "Host: localhost",
                           "Transfer-Encoding: chunked", body=b"5\r\nhello\r\n0\r\n\r\n")],
     "chunked request body (no upload.temp_store configured)"),
    ("large_body", [http("POST {P} HTTP/1.1", "Host: localhost", "Content-Length: 30000",
                         body=b"L" * 30000)],
     "body above limits.content_length (20480), no upload.temp_store"),
    ("websocket", [http("GET {P} HTTP/1.1", "Host: localhost", "Upgrade: websocket",
                        "Connection: Upgrade", b"Sec-WebSocket-Key: " + WS_KEY,
                        "Sec-WebSocket-Version: 13"),
                   ws_frame(b"hi")],
     "WebSocket handshake, then one masked text frame 'hi'"),
]


def esc(b):
    return "".join(
        {0x0d: "\\r", 0x0a: "\\n", 0x09: "\\t", 0x5c: "\\\\"}.get(c)
        or (chr(c) if 0x20 <= c < 0x7f else "\\x%02x" % c)
        for c in b)


def short(b, limit=600):
    if len(b) <= limit:
        return esc(b)
    return esc(b[:300]) + " ... [%d bytes elided] ... " % (len(b) - 500) + esc(b[-200:])


class Handler:
    def __init__(self, ctx, send_spec, recv_spec, ident):
        self.ident = ident
        self.pull = ctx.socket(zmq.PULL)
        self.pull.setsockopt(zmq.LINGER, 0)
        self.pull.connect(send_spec)
        self.pub = ctx.socket(zmq.PUB)
        self.pub.setsockopt(zmq.LINGER, 1000)
        self.pub.connect(recv_spec)

    def recv(self, timeout):
        if self.pull.poll(int(timeout * 1000)):
            return self.pull.recv()
        return None

    def reply(self, msg, body=None):
        sender, conn_id, path, rest = msg.split(b" ", 3)
        if body is None:
            text = b"handler ok " + conn_id + b"\n"
            body = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                    + str(len(text)).encode() + b"\r\n\r\n" + text)
        self.pub.send(sender + b" " + str(len(conn_id)).encode() + b":" + conn_id + b", "
                      + body)

    def drain(self):
        while self.pull.poll(0):
            self.pull.recv()


def is_disconnect(msg):
    return msg.split(b" ", 3)[2] == b"@*"


def is_ws_handshake(msg):
    return b"WEBSOCKET_HANDSHAKE" in msg.split(b" ", 3)[3][:4000]


def is_ws_frame(msg):
    head = msg.split(b" ", 3)[3][:4000]
    return b'"METHOD":"WEBSOCKET"' in head or b"6:METHOD,9:WEBSOCKET," in head


def read_available(sock, wait):
    sock.settimeout(wait)
    out = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
            sock.settimeout(0.2)
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def run_scenario(port, handler, path, chunks):
    """Returns (messages, response bytes)."""
    msgs = []
    resp = b""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    for chunk in chunks:
        sock.sendall(chunk.replace(b"{P}", path.encode()))
        got_request = False
        deadline = time.time() + 3
        while time.time() < deadline:
            msg = handler.recv(0.5 if got_request else 3)
            if msg is None:
                break
            msgs.append(msg)
            if is_disconnect(msg):
                break
            got_request = True
            if is_ws_handshake(msg):
                handler.reply(msg, ws_accept_response())
            elif is_ws_frame(msg):
                handler.reply(msg, b"\x81\x02ok")
            else:
                handler.reply(msg)
            break
        resp += read_available(sock, 1.0)
    sock.close()
    # the disconnect notice (if the client ever reached the handler)
    if msgs and not is_disconnect(msgs[-1]):
        msg = handler.recv(3)
        if msg is not None:
            msgs.append(msg)
    return msgs, resp


def ws_accept_response():
    acc = base64.b64encode(hashlib.sha1(WS_KEY + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                           .digest())
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")


def run_curl(port, handler, path):
    """Real curl, so the capture shows what Mongrel2 makes of an actual curl request."""
    proc = subprocess.Popen(["curl", "-sS", "--max-time", "5", "-D", "-",
                             "http://127.0.0.1:%d%s" % (port, path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    msgs = []
    msg = handler.recv(5)
    if msg is not None:
        msgs.append(msg)
        handler.reply(msg)
    out, _ = proc.communicate(timeout=10)
    msg = handler.recv(3)
    if msg is not None:
        msgs.append(msg)
    return msgs, out


def run_close_before_reply(port, handler, path):
    """Client sends a request and closes before the handler answers; the handler answers
    anyway (to a now closed connection id)."""
    msgs = []
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(http("GET %s HTTP/1.1" % path, "Host: localhost"))
    msg = handler.recv(3)
    sock.close()
    if msg is not None:
        msgs.append(msg)
        m = handler.recv(2)  # disconnect notice for the close
        if m is not None:
            msgs.append(m)
        handler.reply(msg)
        while True:
            m = handler.recv(1.5)  # whatever the late reply provokes
            if m is None:
                break
            msgs.append(m)
    return msgs, b""


def run_reply_unknown_id(port, handler, path):
    """Handler sends a reply to a connection id that never existed (99999) without any
    request; records what Mongrel2 sends back."""
    sender = handler.ident
    handler.pub.send(sender + b" 5:99999, HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    msgs = []
    while True:
        m = handler.recv(1.5)
        if m is None:
            break
        msgs.append(m)
    return msgs, b""


SPECIAL = [
    ("close_before_reply", run_close_before_reply,
     "client closes before the handler replies; handler replies to the closed id"),
    ("reply_unknown_id", run_reply_unknown_id,
     "handler replies to connection id 99999 that never existed"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--http-port", type=int, required=True)
    ap.add_argument("--json-send", required=True)
    ap.add_argument("--json-recv", required=True)
    ap.add_argument("--tnet-send", required=True)
    ap.add_argument("--tnet-recv", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    ctx = zmq.Context()
    handlers = {"json": Handler(ctx, args.json_send, args.json_recv, JSON_IDENT),
                "tnetstring": Handler(ctx, args.tnet_send, args.tnet_recv, TNET_IDENT)}
    time.sleep(0.5)  # let the PUB/SUB and PUSH/PULL connections settle
    for h in handlers.values():
        h.drain()
    curl_version = subprocess.run(["curl", "--version"], capture_output=True).stdout \
        .split(b"\n")[0].decode()

    os.makedirs(os.path.join(args.out, "requests"), exist_ok=True)
    index = ["# Mongrel2 -> handler messages, recorded by tests/interop/m2_capture.py",
             "# escaped: \\r \\n \\t \\\\ \\xNN; {P} in requests = the route path",
             "# curl: " + curl_version, ""]
    all_scenarios = [("curl_get", None, "real curl, default options")] + SCENARIOS + \
        [(name, None, note) for name, _fn, note in SPECIAL]
    special = {name: fn for name, fn, _note in SPECIAL}
    for name, chunks, note in all_scenarios:
        if chunks is not None:
            with open(os.path.join(args.out, "requests", name + ".http"), "wb") as f:
                f.write(b"".join(chunks))
        index += ["=" * 72, "## %s: %s" % (name, note)]
        if chunks is not None:
            for c in chunks:
                index.append(">>> " + short(c))
        for proto, path in PROTOS.items():
            d = os.path.join(args.out, proto)
            os.makedirs(d, exist_ok=True)
            handler = handlers[proto]
            if name in special:
                msgs, resp = special[name](args.http_port, handler, path)
            elif chunks is None:
                msgs, resp = run_curl(args.http_port, handler, path)
            else:
                msgs, resp = run_scenario(args.http_port, handler, path, chunks)
            for i, m in enumerate(msgs, 1):
                with open(os.path.join(d, "%s.%d.msg" % (name, i)), "wb") as f:
                    f.write(m)
            with open(os.path.join(d, name + ".response"), "wb") as f:
                f.write(resp)
            index.append("-- %s (%s): %d message(s)" % (proto, path, len(msgs)))
            for i, m in enumerate(msgs, 1):
                index.append("  msg %d: %s" % (i, short(m)))
            index.append("  client got: %s" % short(resp, 300))
            print("%-18s %-10s msgs=%d resp=%d" % (name, proto, len(msgs), len(resp)))
            time.sleep(0.1)
            handler.drain()
        index.append("")
    with open(os.path.join(args.out, "INDEX.txt"), "w") as f:
        f.write("\n".join(index) + "\n")
    for h in handlers.values():
        h.pull.close()
        h.pub.close()
    ctx.term()


if __name__ == "__main__":
    sys.exit(main())
