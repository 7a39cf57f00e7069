#!/usr/bin/env python3
"""Record memcached's exact replies to request streams (test vectors for nagrel's decoders).

For each scenario below a fresh memcached is started on a free 127.0.0.1 port (fresh, so
CAS values are reproducible), the whole request stream is written in one go, and the reply
bytes are read until the server closes or stays quiet for --quiet seconds. Writes
  OUT/<name>.req    exact request bytes sent
  OUT/<name>.resp   exact reply bytes received
  OUT/scenarios.tsv name, memcached extra args, closed-by-server (yes/no), reply bytes,
                    variable (yes when replies contain run-dependent values, e.g. stats)
  OUT/INDEX.txt     human-readable escaped dump of every pair
Usage: mc_capture.py [--memcached /usr/bin/memcached] [--out DIR]
"""
import argparse
import os
import socket
import subprocess
import sys
import time

CRLF = b"\r\n"


def b(x):
    return x if isinstance(x, bytes) else x.encode()


def C(*lines):
    """One step: a command line and (optionally) its data block, each line + CRLF."""
    return b"".join(b(l) + CRLF for l in lines)


K250 = b"k" * 250
K251 = b"k" * 251
I1K = ["-I", "1k", "-o", "slab_chunk_max=1024"]  # smallest item size memcached accepts

# (name, extra memcached args, steps, kind); kind: "" | "variable" (replies hold run-dependent
# values, e.g. stats) | "nosteps" (no .steps transcript: the sentinel would change the case). A step is the bytes of one client request
# (command line + data block); the pipelined .req file is all steps concatenated.
SCENARIOS = [
    ("storage", [], [
        C("set a 5 0 3", "abc"), C("get a"), C("gets a"),
        C("add a 0 0 1", "x"), C("add b 7 0 2", "bb"),
        C("replace a 1 0 4", "AAAA"), C("replace nope 0 0 1", "x"),
        C("append a 0 0 2", "++"), C("prepend a 0 0 2", "--"),
        C("append nope 0 0 1", "x"), C("prepend nope 0 0 1", "x"),
        C("get a b nope"), C("gets a b"),
        C("cas a 9 0 3 999", "cas"), C("cas nope 0 0 1 1", "x"), C("gets a"),
        C("cas a 9 0 3 5", "cas"), C("gets a"),
        C("set q 0 0 1 noreply", "q"), C("get q"),
        C("delete a"), C("delete a"), C("delete q noreply"), C("get a q"),
        C("set empty 0 0 0", ""), C("get empty"),
        C("set flags 4294967295 0 1", "f"), C("get flags"),
        C("set flags 4294967296 0 1", "f"), C("get flags"), C("set flags -1 0 1", "f"),
        C("set flags 99999999999999999999 0 1", "f"),
        C("set neg 0 -1 1", "n"), C("get neg"),
        C("set rel 0 2592000 1", "r"), C("set abs 0 2592001 1", "a"), C("get rel abs"),
        C("add a 0 0 1 noreply", "x"), C("add a 0 0 1 noreply", "y"), C("get a"),
        C("cas a 0 0 1 1 noreply", "z"), C("get a"),
        C("version"),
    ], ""),
    ("incr_decr", [], [
        C("set n 0 0 2", "10"), C("incr n 5"), C("decr n 3"), C("decr n 100"),
        C("incr n 18446744073709551615"), C("incr n 1"),
        C("set big 0 0 20", "18446744073709551615"), C("incr big 1"), C("get big"),
        C("incr nope 1"), C("decr nope 1"),
        C("incr n abc"), C("incr n -1"), C("incr n 18446744073709551616"),
        C("set s 0 0 3", "abc"), C("incr s 1"),
        C("set sp 0 0 3", "12 "), C("incr sp 1"),
        C("set w 0 0 3", "100"), C("decr w 1"), C("get w"),
        C("incr n 1 noreply"), C("get n"), C("incr n"), C("incr"),
        C("version"),
    ], ""),
    ("touch_gat", [], [
        C("set t 3 0 2", "tt"), C("touch t 100"), C("touch nope 100"), C("touch t abc"),
        C("touch t"), C("gat 100 t"), C("gats 100 t nope"), C("gat 100 nope"),
        C("gat t"), C("gat abc t"), C("touch t 100 noreply"), C("gat"),
        C("version"),
    ], ""),
    # memcached reads exactly <bytes>+2 bytes as the data block and only then checks that the
    # last two are CRLF: no resynchronisation, left-over bytes are parsed as the next line.
    ("bad_chunk", [], [
        C("set k 0 0 3", "abcd"), C("get k"),
        C("set k 0 0 3") + b"abc\n", C("get k"),
        C("set k 0 0 3") + b"abcXY", C("get k"),
        C("set k 0 0 1 noreply", "xx"), C("get k"),
        C("version"),
    ], ""),
    # -I 1k: largest value for a 1-byte key is 964 bytes (965 with -C); larger values get
    # SERVER_ERROR and the data block (<bytes>+2) is swallowed; the key is also deleted.
    ("too_large", I1K, [
        C("set big 0 0 2000", "x" * 2000), C("get big"),
        C("set f 0 0 1", "1"), C("set f 0 0 965", "z" * 965), C("get f"),
        C("set f 0 0 964", "y" * 964), C("get f"),
        C("set q 0 0 2000 noreply", "q" * 2000), C("get q"),
        C("set k 0 0 1", "v"), C("get k"),
        C("version"),
    ], ""),
    ("unknown_command", [], [
        C("foo bar"), C("GET a"), C("Set a 0 0 1"), C("x"), C("VERSION"), C(""),
        C(" version"), C("version "), C("get"), C("gets"), C("set a 0 0"),
        C("set a abc 0 1", "x"), C("set a 0 0 -1"), C("set a 0 0 abc"),
        C("set a 0 0 1 2 3 4 5", "x"),
        C("delete a 0"), C("delete a 5"), C("delete a noreply extra"), C("delete"),
        C("shutdown"), C("version"),
    ], ""),
    # Each bad command is followed by mn so the pipelined replies stay aligned (see the
    # long_key_pipeline_quirk scenario for why).
    ("long_key", [], [
        C(b"set " + K250 + b" 0 0 1", "x"), C(b"get " + K250), C("mn"),
        C(b"set " + K251 + b" 0 0 1", "x"), C("mn"),
        C(b"get " + K251), C("mn"),
        C(b"get a " + K251 + b" b"), C("mn"),
        C(b"delete " + K251), C("mn"),
        C(b"incr " + K251 + b" 1"), C("mn"),
        C(b"touch " + K251 + b" 1"), C("mn"),
        C(b"mg " + K251 + b" v"), C("mn"),
        C(b"ms " + K251 + b" 1", "x"), C("mn"),
        C("version"),
    ], ""),
    # memcached 1.6.18 quirk: a get rejected for a too-long key drops the error replies
    # (ERROR / CLIENT_ERROR) queued directly before it in the same pipeline.
    ("long_key_pipeline_quirk", [], [
        C("foo"), C("foo"), C(b"get " + K251), C("set a 0 0 abc"), C(b"get " + K251),
        C(b"get " + K251), C("version"),
    ], ""),
    # Keys are only split on ' '; control characters, tabs, CR and UTF-8 are all accepted.
    ("key_chars", [], [
        C("set a\x01b 0 0 1", "x"), C("get a\x01b"),
        C(b"set caf\xc3\xa9 0 0 1", "x"), C(b"get caf\xc3\xa9"),
        C("set a\tb 0 0 1", "x"), C("get a\tb"),
        C("set a\rb 0 0 1", "x"), C("get a\rb"),
        C("set  two  0  0  1", "x"), C("get   two  "),
        C("version"),
    ], ""),
    # Command lines may end in LF alone; the data block must end in CRLF.
    ("lf_only", [], [
        b"version\n", b"set k 0 0 2\nhi\r\n", b"get k\n", b"set j 0 0 2\r\nhi\n",
        b"get j\n", b"mn\n", b"version\n",
    ], ""),
    ("cr_inside", [], [b"ver\rsion\r\n", b"get k\rx\r\n", b"version\r\r\n", b"version\r\n"],
     ""),
    # No LF within the first 2048 buffered bytes: connection closed (unless the line starts
    # with "get " / "gets ").
    ("long_line_garbage", [], [b"x" * 3000], "nosteps"),
    # A long line whose LF arrives in the same read is parsed normally...
    ("long_line_garbage_nl", [], [b"x" * 3000 + CRLF, C("version")], ""),
    ("long_line_set", [], [b"set " + b"k" * 3000 + b" 0 0 1\r\nx\r\n", C("version")], ""),
    # ...but not when the read buffer fills first.
    ("long_line_20k_nl", [], [b"x" * 20000 + CRLF, C("version")], ""),
    ("long_get_line", [], [
        C("set a 0 0 1", "1"),
        C(b"get " + b" ".join(b"key%04d" % i for i in range(400)) + b" a"),
        C("version"),
    ], ""),
    ("long_get_line_nonl", [], [b"get " + b" ".join(b"key%04d" % i for i in range(400))], "nosteps"),
    ("meta", [], [
        C("mn"), C("mn foo"),
        C("ms m 2", "hi"), C("ms m2 2 T60 F5 c", "hi"),
        C("mg m"), C("mg m v"), C("mg m v f t s c k"), C("mg m k v Oopaque123"),
        C("mg nope v"), C("mg nope v q"), C("mg nope v k Oxyz"), C("mn"),
        C("mg m2 s v f t"), C("mg m q"), C("mg m v q"), C("mn"),
        C("ms m 3 MA", "+++"), C("mg m v"), C("ms m 1 MP", "<"), C("mg m v"),
        C("ms nope 1 ME", "x"), C("ms m 1 ME", "x"), C("ms m 1 MR", "R"),
        C("ms gone 1 MR", "x"), C("ms m 1 MX", "x"), C("ms m 1 C999", "x"),
        C("ms m 2 I", "xx"), C("ms m abc"), C("x"), C("ms m 1 q", "Q"), C("mg m v"),
        C("ms m 1 S1", "x"), C("ms m 1 T", "x"), C("ms m 1 c k Oo1 b", "x"),
        C("md m"), C("md m"), C("md m q"), C("md m2 q"), C("mn"),
        C("ma c"), C("ma c N0 J13"), C("ma c"), C("ma c v"), C("ma c MD D5 v"),
        C("ma c MD D100 v"), C("ma c MI D7 v t c"), C("ma c q"), C("ma nope q"), C("mn"),
        C("ms s 3", "abc"), C("ma s"), C("ma c D-1"), C("ma c MX"), C("ma n N0 J5 v"),
        C("mg c"), C("me c"), C("me nope"), C("me"),
        C("ms Yw== 1 b", "z"), C("mg c v k"), C("mg Yw== k b v"), C("mg bTQ== v b"),
        C("mg m v Z"), C("mg m v T"), C("mg m v k v"), C("mg m O" + "o" * 33), C("mg"), C("ms m"),
        C("version"),
    ], ""),
    ("meta_bad_chunk", [], [C("ms k 2", "abc"), C("mg k v"), C("mn")], ""),
    ("misc", [], [
        C("version"), C("verbosity 1"), C("verbosity"), C("verbosity 1 noreply"),
        C("verbosity abc"), C("verbosity 1 2 3"),
        C("set a 0 0 1", "a"), C("flush_all"), C("get a"), C("flush_all 0"),
        C("flush_all noreply"), C("flush_all 10 noreply"), C("flush_all abc"),
        C("flush_all -1"), C("quit"), C("version"),
    ], ""),
    ("stats", [], [C("stats"), C("stats settings"), C("stats nonsense"), C("stats detail"),
                   C("version")], "variable"),
    ("binary_magic_first", [], [b"\x80" + b"\x00" * 23], "nosteps"),
]

def sentinel(n):
    """Sent after step n; memcached answers a miss with 'EN k<key> O<opaque>'."""
    return b"mg __sentinel__ k O%d\r\n" % n, b"EN k__sentinel__ O%d\r\n" % n


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_memcached(binary, extra):
    port = free_port()
    cmd = [binary, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-t", "1", "-m", "8"]
    if os.geteuid() == 0:
        cmd += ["-u", "root"]
    cmd += extra
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 5
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("memcached exited: %r" % proc.stderr.read())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError("memcached did not start listening")


def stop_memcached(proc):
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def exchange(port, req, quiet):
    """Send the whole stream at once; read until closed or quiet."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(req)
    s.settimeout(quiet)
    out = b""
    closed = False
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        out += chunk
    s.close()
    return out, closed


def stepwise(port, steps, quiet):
    """Send each step followed by a sentinel request (see sentinel()); the step's reply is
    everything before the sentinel's answer. Returns [(step, reply, note)], note one of
    '' / 'no-sentinel' (the answer never came: memcached still waiting for data, or it took
    the sentinel bytes as data or as part of a broken line) / 'closed' / 'not-sent'."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    out = []
    closed = False
    for n, step in enumerate(steps, 1):
        if closed:
            out.append((step, b"", "not-sent"))
            continue
        req, answer = sentinel(n)
        try:
            s.sendall(step + req)
        except OSError:
            closed = True
            out.append((step, b"", "closed"))
            continue
        s.settimeout(quiet)
        note = "no-sentinel"
        buf = b""
        deadline = time.time() + 5
        while time.time() < deadline:
            if buf.endswith(answer):
                buf = buf[:-len(answer)]
                note = ""
                break
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                closed = True
                note = "closed"
                break
            buf += chunk
        out.append((step, buf, note))
    s.close()
    return out


def esc(b):
    return "".join(
        {0x0d: "\\r", 0x0a: "\\n", 0x09: "\\t", 0x5c: "\\\\"}.get(c)
        or (chr(c) if 0x20 <= c < 0x7f else "\\x%02x" % c)
        for c in b)


def esc_lines(b):
    return esc(b).replace("\\n", "\\n\n")


def shorten(b, limit=400):
    if len(b) <= limit:
        return esc_lines(b)
    return (esc_lines(b[:200]) + "\n... [%d bytes elided] ...\n" % (len(b) - 400)
            + esc_lines(b[-200:]))


STEPS_HEADER = """\
# memcached per-step transcript, recorded by tests/interop/mc_capture.py against {version}
# (memcached args: {args}). Step N was sent followed by the sentinel request
# "mg __sentinel__ k O<N>\\r\\n"; the reply is everything memcached sent before the sentinel's
# answer "EN k__sentinel__ O<N>\\r\\n" (fresh connection, fresh memcached per scenario).
# Format: '>>> ' escaped request bytes; '<<< ' escaped reply bytes (may be empty);
# optional '!!! no-sentinel' (no answer: memcached still reading a data block / swallowing,
# or it took the sentinel bytes as data or as part of a broken line), '!!! closed' (server closed the connection),
# '!!! not-sent'. Escapes: \\r \\n \\t \\\\ \\xNN; everything else is literal ASCII.
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--memcached", default="memcached")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "captures", "memcache"))
    ap.add_argument("--quiet", type=float, default=0.4)
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    version = subprocess.run([args.memcached, "-V"], capture_output=True).stdout.decode().strip()
    rows = ["name\tmemcached_args\tclosed_by_server\treply_bytes\tvariable"]
    index = ["# memcached replies to pipelined request streams, recorded by",
             "# tests/interop/mc_capture.py against %s" % version,
             "# (escaped: \\r \\n \\t \\\\ \\xNN; a newline follows every \\n)", ""]
    for name, extra, steps, kind in SCENARIOS:
        if args.only and name != args.only:
            continue
        req = b"".join(steps)
        proc, port = start_memcached(args.memcached, extra)
        try:
            resp, closed = exchange(port, req, args.quiet)
        finally:
            stop_memcached(proc)
        transcript = None
        if kind != "nosteps":
            proc, port = start_memcached(args.memcached, extra)
            try:
                transcript = stepwise(port, steps, args.quiet)
            finally:
                stop_memcached(proc)
        with open(os.path.join(args.out, name + ".req"), "wb") as f:
            f.write(req)
        with open(os.path.join(args.out, name + ".resp"), "wb") as f:
            f.write(resp)
        if transcript is not None:
            with open(os.path.join(args.out, name + ".steps"), "w") as f:
                f.write(STEPS_HEADER.format(version=version, args=" ".join(extra) or "default"))
                for step, reply, note in transcript:
                    f.write(">>> %s\n<<< %s\n" % (esc(step), esc(reply)))
                    if note:
                        f.write("!!! %s\n" % note)
        rows.append("%s\t%s\t%s\t%d\t%s" % (name, " ".join(extra) or "-", "yes" if closed else "no",
                                           len(resp), "yes" if kind == "variable" else "no"))
        index += ["=" * 72, "## %s  (memcached %s; closed by server: %s)" % (
            name, " ".join(extra) or "default args", "yes" if closed else "no"),
            "--- request (%d bytes)" % len(req), shorten(req),
            "--- reply (%d bytes)" % len(resp), shorten(resp, 4000), ""]
        print("%-24s req=%5d resp=%5d closed=%s" % (name, len(req), len(resp), closed))
    if not args.only:
        with open(os.path.join(args.out, "scenarios.tsv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        with open(os.path.join(args.out, "INDEX.txt"), "w") as f:
            f.write("\n".join(index) + "\n")


if __name__ == "__main__":
    sys.exit(main())
