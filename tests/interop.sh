#!/usr/bin/env bash
# nagrel interop checks against the real peers: Mongrel2 1.12 (Debian mongrel2-core) and
# memcached 1.6 (Debian memcached, libmemcached-tools). Run by .ci/run when executable;
# run it by hand the same way: tests/interop.sh
#
# It installs missing Debian packages itself (apt-get; needs root or passwordless sudo),
# works in one temp dir, kills every process it started on exit, bounds every wait, prints
# PASS:/FAIL: lines and a closing "interop: N passed, N failed" line, and exits non-zero on
# any failure.
#
# Environment exported to the nagrel checks (Rust test binaries run with `-- --ignored`):
#   NAGREL_M2_URL             Mongrel2 base URL, e.g. http://127.0.0.1:41234
#   NAGREL_M2_SEND_SPEC       JSON handler send_spec (Mongrel2 binds PUSH; handler PULLs)
#   NAGREL_M2_RECV_SPEC       JSON handler recv_spec (Mongrel2 binds SUB; handler PUBs)
#   NAGREL_M2_SEND_IDENT      JSON handler send_ident (= sender uuid in its messages)
#   NAGREL_M2_HANDLER_PATH    route of the JSON handler: /handlertest
#   NAGREL_M2_TNET_SEND_SPEC  tnetstring handler send_spec
#   NAGREL_M2_TNET_RECV_SPEC  tnetstring handler recv_spec
#   NAGREL_M2_TNET_SEND_IDENT tnetstring handler send_ident
#   NAGREL_M2_TNET_HANDLER_PATH route of the tnetstring handler: /tnethandler
#   NAGREL_M2_STATIC_URL      URL of a static file Mongrel2 serves (content in NAGREL_M2_STATIC_FILE)
#   NAGREL_M2_STATIC_FILE     local path of that file
#   NAGREL_M2_CONTROL_SPEC    Mongrel2 control port (ipc://.../run/control, tnetstring REP)
#   NAGREL_M2_SANDBOX         Mongrel2 sandbox dir (mongrel2.conf, config.sqlite, logs/)
#   NAGREL_MEMCACHED_ADDR     memcached address, e.g. 127.0.0.1:41235
#   NAGREL_INTEROP_CAPTURES   tests/interop/captures (recorded Mongrel2/memcached vectors)
#   NAGREL_INTEROP_TMP        the temp dir (scratch space for the tests; removed on exit)
#
# Server comparison (issue 5): one rendered mongrel2.conf loaded with `m2sh load` into
# Mongrel2 and with `nagrel load` into nagrel (debug binary built here with
# `cargo build -p nagrel --bin nagrel`), each run in turn from its own sandbox on the same
# ports with the same Mongrel2 handler (interop/echo_handler.py); the same curl requests
# must get the same normalized answers (interop/server_compare.sh says what is left out and
# why). Then nagrel's own behaviour: disconnect notices, 503 without a handler, the demo.
# Knobs: INTEROP_KEEP_TMP=1 keeps the temp dir; INTEROP_CARGO_TIMEOUT (default 1200 s)
# bounds each cargo test run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/tests/interop
# shellcheck source=tests/interop/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/interop/server_compare.sh
. "$here/server_compare.sh"

it_setup interop
it_need_pkgs mongrel2:mongrel2-core m2sh:mongrel2-core memcached:memcached \
  memccapable:libmemcached-tools curl:curl timeout:coreutils py:zmq:python3-zmq
t0=$SECONDS
it_log "peers: $(m2sh version 2>&1 | head -n 1 || true), $(memcached -V 2>&1 || true)"

# it_cargo_test NAME CARGO-TEST-ARGS...: run one nagrel interop test binary (its tests are
# #[ignore]d so plain `cargo test` skips them) and count it as one check.
it_cargo_test() {
  local name=$1
  shift
  if (cd "$root" && timeout "${INTEROP_CARGO_TIMEOUT:-1200}" \
    cargo test "$@" -- --ignored --test-threads=1); then
    it_pass "$name"
  else
    it_fail "$name"
  fi
}

mapfile -t ports < <(it_free_ports 11)
[ "${#ports[@]}" -eq 11 ] || it_die "could not pick free ports"
m2_http=${ports[0]}
m2_json_send=${ports[1]}
m2_json_recv=${ports[2]}
m2_tnet_send=${ports[3]}
m2_tnet_recv=${ports[4]}
mc_port=${ports[5]}
# the server comparison: one config, so Mongrel2 and nagrel (in turn) use the same ports
cmp_http=${ports[6]}
cmp_json_send=${ports[7]}
cmp_json_recv=${ports[8]}
cmp_tnet_send=${ports[9]}
cmp_tnet_recv=${ports[10]}

###########################################################################################
# Mongrel2
###########################################################################################
m2_uuid=f400bf85-4538-4f7a-8908-67e313d515c2 # server uuid in mongrel2.conf.in
json_ident=34f9ceee-cd52-4b7f-b197-88bf2f0ec378
tnet_ident=54c6755b-9628-40a4-9a2d-cc82a816345e
sandbox=$IT_TMP/mongrel2
mkdir -p "$sandbox/static"
printf 'nagrel interop index\n' >"$sandbox/static/index.html"
printf 'hello from mongrel2 static\n' >"$sandbox/static/hello.txt"

it_log "starting Mongrel2 on 127.0.0.1:$m2_http (sandbox $sandbox)"
it_m2_start "$sandbox" "$here/mongrel2.conf.in" "$m2_uuid" \
  "$m2_http $m2_json_send $m2_json_recv $m2_tnet_send $m2_tnet_recv" \
  HTTP_PORT="$m2_http" JSON_SEND_PORT="$m2_json_send" JSON_RECV_PORT="$m2_json_recv" \
  TNET_SEND_PORT="$m2_tnet_send" TNET_RECV_PORT="$m2_tnet_recv"
m2_url=http://127.0.0.1:$m2_http

# check_static PATH EXPECTED_FILE EXPECTED_CONTENT_TYPE
check_static() {
  local path=$1 want=$2 ctype=$3 got
  got=$(curl -sS --max-time 5 -o "$IT_TMP/body" -w '%{http_code} %{content_type}' \
    "$m2_url$path" 2>&1) || true
  if [ "$got" = "200 $ctype" ] && cmp -s "$IT_TMP/body" "$want"; then
    it_pass "Mongrel2 serves static $path ($got)"
  else
    it_fail "Mongrel2 static $path: got '$got', body '$(head -c 200 "$IT_TMP/body" 2>/dev/null)'"
  fi
}
check_static /static/hello.txt "$sandbox/static/hello.txt" text/plain
check_static /static/ "$sandbox/static/index.html" text/html

code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$m2_url/no/such/route" 2>&1) || true
if [ "$code" = 404 ]; then it_pass "Mongrel2 404 for an unknown route"; else
  it_fail "Mongrel2 unknown route: got '$code', want 404"
fi

# check_handler PROTO ROUTE SEND RECV IDENT: a Python handler (m2_handler.py) answers one
# request; checks the reply reaches curl and the request + disconnect messages look right.
check_handler() {
  local proto=$1 route=$2 send=$3 recv=$4 ident=$5 dir pid body i first second
  dir=$IT_TMP/handler-$proto
  it_bg "$IT_TMP/handler-$proto.log" /usr/bin/python3 "$here/m2_handler.py" \
    --send-spec "tcp://127.0.0.1:$send" --recv-spec "tcp://127.0.0.1:$recv" \
    --out-dir "$dir" --count 2 --idle 10 --ready "$dir.ready"
  pid=$IT_LAST_PID
  if ! it_wait_file "$dir.ready" 10; then
    it_fail "$proto handler did not connect"
    it_kill_pid "$pid" 2
    it_forget_pid "$pid"
    return
  fi
  body=$(curl -sS --max-time 10 "$m2_url$route" 2>&1) || true
  # the handler exits after the request and the disconnect notice
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  it_kill_pid "$pid" 2
  it_forget_pid "$pid"
  first=$(head -c 300 "$dir/001.bin" 2>/dev/null | tr -d '\0' || true)
  second=$(tr -d '\0' <"$dir/002.bin" 2>/dev/null || true)
  if [[ $body == "handler ok "*" $route" ]] &&
    [[ $first == "$ident "[0-9]*" $route "[0-9]*:* ]] &&
    [[ $second == "$ident "[0-9]*" @* "* && $second == *'{"type":"disconnect"},' ]]; then
    it_pass "Mongrel2 -> $proto handler -> client round trip"
  else
    it_fail "Mongrel2 $proto handler: client got '$body'; request '${first:0:120}'; second '${second:0:120}'"
  fi
}
check_handler json /handlertest "$m2_json_send" "$m2_json_recv" "$json_ident"
check_handler tnetstring /tnethandler "$m2_tnet_send" "$m2_tnet_recv" "$tnet_ident"

export NAGREL_M2_URL=$m2_url
export NAGREL_M2_SEND_SPEC=tcp://127.0.0.1:$m2_json_send
export NAGREL_M2_RECV_SPEC=tcp://127.0.0.1:$m2_json_recv
export NAGREL_M2_SEND_IDENT=$json_ident
export NAGREL_M2_HANDLER_PATH=/handlertest
export NAGREL_M2_TNET_SEND_SPEC=tcp://127.0.0.1:$m2_tnet_send
export NAGREL_M2_TNET_RECV_SPEC=tcp://127.0.0.1:$m2_tnet_recv
export NAGREL_M2_TNET_SEND_IDENT=$tnet_ident
export NAGREL_M2_TNET_HANDLER_PATH=/tnethandler
export NAGREL_M2_STATIC_URL=$m2_url/static/hello.txt
export NAGREL_M2_STATIC_FILE=$sandbox/static/hello.txt
export NAGREL_M2_CONTROL_SPEC=ipc://$sandbox/run/control
export NAGREL_M2_SANDBOX=$sandbox
export NAGREL_INTEROP_CAPTURES=$here/captures
export NAGREL_INTEROP_TMP=$IT_TMP

# ---- nagrel checks (Mongrel2) ------------------------------------------------------------
# Mongrel2 is up with no handler connected: nagrel's handler library connects to the specs
# above, answers through Mongrel2 to a real HTTP client, long-polls and sees disconnects.
it_cargo_test "nagrel handler library vs Mongrel2" -p nagrel-handler --test mongrel2_interop
# -----------------------------------------------------------------------------------------

it_m2_stop
if pgrep -x mongrel2 -P $$ >/dev/null 2>&1; then it_fail "mongrel2 still running after stop"; fi

###########################################################################################
# Mongrel2 vs nagrel: the same config, handler and requests (issue 5)
###########################################################################################
cmp_dir=$IT_TMP/compare
cmp_conf=$cmp_dir/mongrel2.conf # rendered once, loaded by m2sh and by nagrel
cmp_ports="$cmp_http $cmp_json_send $cmp_json_recv $cmp_tnet_send $cmp_tnet_recv"
cmp_url=http://127.0.0.1:$cmp_http
mkdir -p "$cmp_dir"
it_render "$here/mongrel2.conf.in" "$cmp_conf" HTTP_PORT="$cmp_http" \
  JSON_SEND_PORT="$cmp_json_send" JSON_RECV_PORT="$cmp_json_recv" \
  TNET_SEND_PORT="$cmp_tnet_send" TNET_RECV_PORT="$cmp_tnet_recv"

it_log "building nagrel (cargo build -p nagrel --bin nagrel)"
if ! it_nagrel_build "$root"; then
  it_fail "cargo build -p nagrel --bin nagrel"
else
  t1=$SECONDS
  # Mongrel2, from its own sandbox (it_render of an already rendered file copies it).
  m2_cmp=$cmp_dir/mongrel2
  cmp_static_files "$m2_cmp"
  it_m2_start "$m2_cmp" "$cmp_conf" "$m2_uuid" "$cmp_ports"
  if cmp_handlers_start "$m2_cmp" "$cmp_json_send" "$cmp_json_recv" "$cmp_tnet_send" \
    "$cmp_tnet_recv"; then
    cmp_requests "$cmp_url" "$m2_cmp/answers" "$m2_cmp"
    cmp_disconnect Mongrel2 "$cmp_url" /handlertest "$m2_cmp/echo-json" "$m2_cmp/answers/40"
    cmp_disconnect Mongrel2 "$cmp_url" /tnethandler "$m2_cmp/echo-tnet" "$m2_cmp/answers/41"
  else
    it_fail "echo_handler.py did not connect to Mongrel2"
  fi
  cmp_handlers_stop
  it_m2_stop

  # nagrel, from its own sandbox, same config file and ports.
  nagrel_cmp=$cmp_dir/nagrel
  cmp_static_files "$nagrel_cmp"
  it_log "starting nagrel on $cmp_url (sandbox $nagrel_cmp)"
  it_nagrel_start "$nagrel_cmp" "$cmp_conf" nagrel-interop "$cmp_ports"

  # check_503 WHEN ROUTE: no handler connected -> 503 at once (Mongrel2 hangs instead).
  check_503() {
    local got
    got=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{time_total}' \
      "$cmp_url$2" 2>&1) || true
    if [[ $got == "503 "[0-1].* ]]; then
      it_pass "nagrel: $2 with no handler connected $1 -> 503 in ${got#* }s"
    else
      it_fail "nagrel: $2 with no handler connected $1: got '$got', want 503 within 2 s"
    fi
  }
  check_503 "(none ever)" /handlertest
  check_503 "(none ever)" /tnethandler/x

  if cmp_handlers_start "$nagrel_cmp" "$cmp_json_send" "$cmp_json_recv" "$cmp_tnet_send" \
    "$cmp_tnet_recv"; then
    cmp_requests "$cmp_url" "$nagrel_cmp/answers" "$nagrel_cmp"
    cmp_disconnect nagrel "$cmp_url" /handlertest "$nagrel_cmp/echo-json" \
      "$nagrel_cmp/answers/40"
    cmp_disconnect nagrel "$cmp_url" /tnethandler "$nagrel_cmp/echo-tnet" \
      "$nagrel_cmp/answers/41"
  else
    it_fail "echo_handler.py did not connect to nagrel"
  fi
  cmp_handlers_stop
  check_503 "(handler gone)" /handlertest/after
  if ! kill -0 "$NAGREL_PID" 2>/dev/null; then
    nagrel_rc=0
    wait "$NAGREL_PID" || nagrel_rc=$?
    it_fail "nagrel exited during the checks (status $nagrel_rc): $(tail -n 5 \
      "$nagrel_cmp/nagrel.log" | tr '\n' ' ')"
  fi
  it_nagrel_stop

  cmp_diff "$m2_cmp/answers" "$nagrel_cmp/answers"

  # The demo: `nagrel` without arguments serves 127.0.0.1:6767 (fixed) from an empty dir.
  if it_port_open 127.0.0.1 6767; then
    it_skip "nagrel demo: 127.0.0.1:6767 is in use"
  else
    demo_dir=$IT_TMP/demo
    mkdir -p "$demo_dir"
    # shellcheck disable=SC2016 # $1/$2 expand in the inner shell
    it_bg "$demo_dir/nagrel.log" bash -c 'cd "$1" && exec "$2"' demo "$demo_dir" "$NAGREL_BIN"
    demo_pid=$IT_LAST_PID
    if it_wait_port 127.0.0.1 6767 15 "$demo_pid"; then
      got=$(curl -sS --max-time 5 -o "$demo_dir/index" -w '%{http_code} %{content_type}' \
        http://127.0.0.1:6767/ 2>&1) || true
      if [[ $got == "200 text/html"* ]] && grep -qi '<html' "$demo_dir/index"; then
        it_pass "nagrel demo: GET / is an HTML page ($got)"
      else
        it_fail "nagrel demo: GET / got '$got'"
      fi
      got=$(curl -sS --max-time 5 -w '%{http_code}' -H 'X-Demo: yes' \
        'http://127.0.0.1:6767/handlertest?demo=1' 2>&1) || true
      if [[ $got == *"PATH: /handlertest"* && $got == *"x-demo: yes"* && $got == *200 ]]
      then
        it_pass "nagrel demo: /handlertest echoes the request"
      else
        it_fail "nagrel demo: /handlertest got '${got:0:300}'"
      fi
    else
      it_fail "nagrel demo did not listen on 127.0.0.1:6767"
    fi
    it_kill_pid "$demo_pid" 5
    it_forget_pid "$demo_pid"
  fi
  it_log "server comparison took $((SECONDS - t1)) s (build not counted)"
fi

###########################################################################################
# memcached
###########################################################################################
it_log "starting memcached on 127.0.0.1:$mc_port"
it_mc_start "$mc_port"

reply=$(it_mc_cmd "$mc_port" 'version\r\n' 2>&1) || true
if [[ $reply =~ ^VERSION\ 1\.6\.[0-9]+$ ]]; then
  it_pass "memcached answers version ($reply)"
else
  it_fail "memcached version: got '$reply'"
fi

# libmemcached's protocol checker (ASCII protocol), so we know it works against the
# reference before pointing it at nagrel's memcache server.
if timeout 60 memccapable -h 127.0.0.1 -p "$mc_port" -a >"$IT_TMP/memccapable.log" 2>&1; then
  it_pass "memccapable -a against memcached ($(grep -c '\[pass\]' "$IT_TMP/memccapable.log") tests)"
else
  it_fail "memccapable -a against memcached: $(grep -v '\[pass\]' "$IT_TMP/memccapable.log" | head -n 5)"
fi

export NAGREL_MEMCACHED_ADDR=127.0.0.1:$mc_port

# ---- nagrel checks (memcache) ------------------------------------------------------------
# memcached is up: nagrel's decoders reach its verdicts command by command and read all its
# replies. (Once nagrel has a memcache server, memccapable -a runs against it here too.)
it_cargo_test "nagrel memcache decoders vs memcached" -p nagrel-protocols --test memcached_interop
# -----------------------------------------------------------------------------------------

it_mc_stop

it_log "checks took $((SECONDS - t0)) s (package installs not counted)"
printf 'interop: %d passed, %d failed\n' "$IT_PASS" "$IT_FAIL"
[ "$IT_FAIL" -eq 0 ]
