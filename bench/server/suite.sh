# shellcheck shell=bash disable=SC2154 # root and bench_dir are set by compare.sh
# The `server` suite of bench/compare.sh: nagrel and Mongrel2 1.12 each serve the same
# config (server.conf.in beside this file: one route `/` to one handler), with the same
# handler behind them (m2_echo, bench/src/bin/m2_echo.rs), and wrk loads each with
# keep-alive connections. The figure that tells the servers apart on a small machine is the
# server's own CPU time per request: utime+stime of the server process (all its threads)
# from /proc/<pid>/stat before and after a run, divided by the requests wrk completed.
#
# Sourced by compare.sh after tests/interop/lib.sh and it_setup; runs as `suite_server`.
# Knobs (environment):
#   NAGREL_BENCH_SECS          seconds per measured wrk run (default 10)
#   NAGREL_BENCH_ROUNDS        rounds, alternating the two servers (default 3); each figure
#                              printed is the median over the rounds
#   NAGREL_BENCH_WARMUP_SECS   seconds of unmeasured load before a server's runs (default 2)
#   NAGREL_BENCH_CONNS         connection counts, one case each (default "32 256")
#   NAGREL_BENCH_WRK_THREADS   wrk threads (default 2)
#   NAGREL_BENCH_REQUIRE_OURS  1: fail when nagrel cannot be built or load the config,
#                              instead of skipping it and printing Mongrel2's figures only
#   NAGREL_BENCH_BUILD_TIMEOUT bound on each cargo build, seconds (default 1800)
#   NAGREL_BENCH_NAGREL        a nagrel binary to run instead of building one
#   M2_ECHO_THREADS            handler worker threads (default 1)

SV_HANDLER_BODY=$'hello, world\n'
SV_SERVER_NAME=nagrel-bench                       # name= in server.conf.in
SV_SERVER_UUID=3c9e6b0a-5f1d-4c27-8e43-b2a7d9f05e61 # uuid= in server.conf.in

sv_log() { printf '[compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
sv_die() {
  sv_log "error: $*"
  exit 1
}

# sv_uint NAME VALUE: VALUE must be a positive integer.
sv_uint() {
  [[ $2 =~ ^[1-9][0-9]*$ ]] || sv_die "$1 must be a positive integer, got '$2'"
}

# sv_cpu_ticks PID: utime+stime of the whole process (every thread, live or exited) in
# clock ticks, fields 14 and 15 of /proc/PID/stat. The command name (field 2) may hold
# spaces and parentheses, so the fields are counted after its last ')'.
sv_cpu_ticks() {
  local stat fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  read -r -a fields <<<"${stat##*) }"
  # fields[0] is field 3 (state): utime is field 14, stime field 15.
  printf '%d\n' $((fields[11] + fields[12]))
}

# sv_to_ms TIME: wrk's time (e.g. 812.00us, 1.23ms, 2.01s, 1.50m) in milliseconds, 2 decimals.
sv_to_ms() {
  awk -v t="$1" 'BEGIN {
    if (!match(t, /^[0-9]+(\.[0-9]+)?/)) exit 1
    n = substr(t, 1, RLENGTH) + 0; u = substr(t, RLENGTH + 1)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000
    else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000
    else if (u != "ms") exit 1
    printf "%.2f\n", n }'
}

# sv_parse_wrk FILE: reads wrk --latency output; sets W_REQUESTS, W_RPS (integer), W_P99_MS
# and W_ERROR (empty for a clean run: no socket errors, no non-2xx/3xx response, some
# requests, a 99th percentile).
sv_parse_wrk() {
  local line errors non2xx p99
  line=$(awk '
    / requests in / { req = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /^[ \t]*99%[ \t]/ { p99 = $2 }
    /Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10; detail = $0 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    END { printf "%d %.0f %s %d %d\n", req, rps, (p99 == "" ? "-" : p99), err, bad }
  ' "$1")
  read -r W_REQUESTS W_RPS p99 errors non2xx <<<"$line"
  W_ERROR=""
  W_P99_MS=$(sv_to_ms "$p99") || W_P99_MS=""
  if [ "$non2xx" -gt 0 ]; then
    W_ERROR="$non2xx responses were not 2xx/3xx"
  elif [ "$errors" -gt 0 ]; then
    W_ERROR="$(grep -m1 'Socket errors:' "$1" | sed 's/^ *//')"
  elif [ "$W_REQUESTS" -le 0 ]; then
    W_ERROR="wrk completed no request"
  elif [ -z "$W_P99_MS" ]; then
    W_ERROR="no 99% latency in wrk's output"
  fi
}

# sv_per_request TICKS REQUESTS: CPU microseconds per request, 2 decimals.
sv_per_request() {
  awk -v d="$1" -v hz="$SV_CLK_TCK" -v n="$2" 'BEGIN { printf "%.2f\n", d / hz * 1e6 / n }'
}

# sv_wrk CONNS SECS OUT: one wrk run against the current server, bounded in time.
sv_wrk() {
  timeout $(($2 + 60)) wrk -t"$SV_WRK_THREADS" -c"$1" -d"$2"s --latency "$SV_URL/" >"$3" 2>&1
}

# sv_ready: the handler answers through the server (exact status and body), within 20 s;
# then two requests on one connection must reuse it (keep-alive). Sets SV_REASON on failure.
sv_ready() {
  local deadline=$((SECONDS + 20)) got="" body=$IT_TMP/ready-body connects
  while ((SECONDS < deadline)); do
    if ! kill -0 "$SV_SERVER_PID" 2>/dev/null; then
      SV_REASON="server exited while starting (see $SV_DIR/server.out)"
      return 1
    fi
    if ! kill -0 "$SV_HANDLER_PID" 2>/dev/null; then
      SV_REASON="m2_echo exited (see $SV_DIR/m2_echo.log)"
      return 1
    fi
    # The first requests may be lost while the handler's sockets connect: retry.
    got=$(curl -sS --max-time 2 -o "$body" -w '%{http_code}' "$SV_URL/ready" 2>&1) || true
    if [ "$got" = 200 ] && [ "$(cat "$body"; printf x)" = "${SV_HANDLER_BODY}x" ]; then
      connects=$(curl -sS --max-time 5 -o /dev/null -o /dev/null -w '%{num_connects} ' \
        "$SV_URL/a" "$SV_URL/b" 2>&1) || true
      if [ "$connects" = "1 0 " ]; then return 0; fi
      SV_REASON="the connection was not kept alive (curl connects per request: '$connects')"
      return 1
    fi
    sleep 0.2
  done
  SV_REASON="no 200 '${SV_HANDLER_BODY%$'\n'}\\n' from $SV_URL/ within 20 s (last: '$got')"
  return 1
}

# sv_start_handler: m2_echo connected to the config's handler sockets. Sets SV_HANDLER_PID.
sv_start_handler() {
  it_bg "$SV_DIR/m2_echo.log" "$SV_M2_ECHO" \
    --send-spec "tcp://127.0.0.1:$SV_SEND_PORT" --recv-spec "tcp://127.0.0.1:$SV_RECV_PORT" \
    --body "$SV_HANDLER_BODY"
  SV_HANDLER_PID=$IT_LAST_PID
}

# sv_start_mongrel2: load the config with m2sh and run `mongrel2 DB UUID` in the sandbox.
sv_start_mongrel2() {
  # m2sh records who loaded the config and complains without a login name.
  if ! (cd "$SV_DIR" && LOGNAME=${LOGNAME:-nagrel} timeout 60 m2sh load -config "$SV_CONF" \
    -db config.sqlite) >"$SV_DIR/load.log" 2>&1; then
    cat "$SV_DIR/load.log" >&2
    sv_die "m2sh load failed for $SV_CONF"
  fi
  IT_LOGS+=("$SV_DIR/logs/error.log")
  # shellcheck disable=SC2016 # $1/$2 expand in the inner shell
  it_bg "$SV_DIR/server.out" bash -c 'cd "$1" && exec mongrel2 config.sqlite "$2"' \
    mongrel2 "$SV_DIR" "$SV_SERVER_UUID"
  SV_SERVER_PID=$IT_LAST_PID
}

# sv_load_nagrel: `nagrel load CONF --db DB`; false (log kept) when nagrel cannot.
sv_load_nagrel() {
  [ -n "$SV_NAGREL" ] || return 1
  (cd "$SV_DIR" && timeout 60 "$SV_NAGREL" load "$SV_CONF" --db "$SV_DIR/nagrel.db") \
    >"$SV_DIR/load.log" 2>&1
}

# sv_start_nagrel: `nagrel start --db DB --name NAME` in the sandbox.
sv_start_nagrel() {
  # shellcheck disable=SC2016 # $1..$4 expand in the inner shell
  it_bg "$SV_DIR/server.out" bash -c 'cd "$1" && exec "$2" start --db "$3" --name "$4"' \
    nagrel "$SV_DIR" "$SV_NAGREL" "$SV_DIR/nagrel.db" "$SV_SERVER_NAME"
  SV_SERVER_PID=$IT_LAST_PID
}

# sv_fail_all SIDE REASON: every case of SIDE (ours|peer) failed for REASON.
sv_fail_all() {
  local conns
  for conns in $SV_CONNS; do R_STATUS[$1:$conns]="failed: $2"; done
  sv_log "$1: $2"
  SV_FAILED=1
}

# sv_bench SIDE NAME: start server NAME (mongrel2|nagrel) and its handler in a fresh
# sandbox, wait until it answers, warm up, measure every case, stop both.
sv_bench() {
  local side=$1 name=$2 conns out s0 s1 h0 h1 p
  SV_DIR=$IT_TMP/$name
  mkdir -p "$SV_DIR/run" "$SV_DIR/logs" "$SV_DIR/tmp"
  if [ "$name" = mongrel2 ]; then
    sv_start_mongrel2
  else
    sv_start_nagrel
  fi
  for p in "$SV_HTTP_PORT" "$SV_SEND_PORT" "$SV_RECV_PORT"; do
    if ! it_wait_port 127.0.0.1 "$p" 15 "$SV_SERVER_PID"; then
      if kill -0 "$SV_SERVER_PID" 2>/dev/null; then
        SV_REASON="did not listen on 127.0.0.1:$p within 15 s"
      else
        SV_REASON="exited before listening on 127.0.0.1:$p"
      fi
      sv_fail_all "$side" "$name $SV_REASON (see $SV_DIR/server.out)"
      sv_stop
      return 0
    fi
  done
  sv_start_handler
  if ! sv_ready; then
    sv_fail_all "$side" "$name: $SV_REASON"
    sv_stop
    return 0
  fi
  sv_log "$name up on $SV_URL (pid $SV_SERVER_PID, handler pid $SV_HANDLER_PID); warming up ${SV_WARMUP}s"
  sv_wrk 32 "$SV_WARMUP" "$SV_DIR/wrk-warmup.txt" || true
  sv_parse_wrk "$SV_DIR/wrk-warmup.txt"
  [ -z "$W_ERROR" ] || sv_log "$name warm-up was not clean: $W_ERROR"

  for conns in $SV_CONNS; do
    out=$SV_DIR/wrk-c$conns.txt
    sv_log "$name: wrk -t$SV_WRK_THREADS -c$conns -d${SV_SECS}s"
    s0=$(sv_cpu_ticks "$SV_SERVER_PID") || { sv_fail_all "$side" "$name exited"; break; }
    h0=$(sv_cpu_ticks "$SV_HANDLER_PID") || h0=""
    if ! sv_wrk "$conns" "$SV_SECS" "$out"; then
      R_STATUS[$side:$conns]="failed: wrk did not finish cleanly ($(tail -n 1 "$out"))"
      SV_FAILED=1
      continue
    fi
    if ! s1=$(sv_cpu_ticks "$SV_SERVER_PID"); then
      R_STATUS[$side:$conns]="failed: $name exited during the run"
      SV_FAILED=1
      break
    fi
    h1=$(sv_cpu_ticks "$SV_HANDLER_PID") || h1=""
    sv_parse_wrk "$out"
    if [ -n "$W_ERROR" ]; then
      R_STATUS[$side:$conns]="failed: $W_ERROR"
      SV_FAILED=1
      continue
    fi
    # A failure in any round sticks; figures of clean rounds accumulate for the medians.
    [ "${R_STATUS[$side:$conns]:-ok}" = ok ] && R_STATUS[$side:$conns]=ok
    R_REQ[$side:$conns]+="$W_REQUESTS "
    R_RPS[$side:$conns]+="$W_RPS "
    R_P99[$side:$conns]+="$W_P99_MS "
    R_CPU[$side:$conns]+="$(sv_per_request $((s1 - s0)) "$W_REQUESTS") "
    if [ -n "$h0" ] && [ -n "$h1" ]; then
      R_HCPU[$side:$conns]+="$(sv_per_request $((h1 - h0)) "$W_REQUESTS") "
    fi
  done
  sv_stop
}

# sv_stop: stop the handler and the server of the last sv_bench.
sv_stop() {
  local pid
  for pid in "${SV_HANDLER_PID:-}" "${SV_SERVER_PID:-}"; do
    [ -n "$pid" ] || continue
    it_kill_pid "$pid" 5
    it_forget_pid "$pid"
  done
  SV_HANDLER_PID=""
  SV_SERVER_PID=""
}

# sv_build: m2_echo (required) and the nagrel binary (skippable; NAGREL_BENCH_NAGREL names
# one to use instead). Sets SV_M2_ECHO, SV_NAGREL.
sv_build() {
  local target=${CARGO_TARGET_DIR:-target} limit=${NAGREL_BENCH_BUILD_TIMEOUT:-1800}
  sv_uint NAGREL_BENCH_BUILD_TIMEOUT "$limit"
  # cargo resolves a relative target dir against its working directory: the repo root here.
  case $target in /*) ;; *) target=$root/$target ;; esac
  command -v cargo >/dev/null 2>&1 || sv_die "cargo not found"
  sv_log "building m2_echo (cargo build --release -p nagrel-bench --bin m2_echo)"
  if ! (cd "$root" && timeout "$limit" cargo build --release -p nagrel-bench --bin m2_echo) \
    >"$IT_TMP/build-m2_echo.log" 2>&1; then
    tail -n 30 "$IT_TMP/build-m2_echo.log" >&2
    sv_die "building m2_echo failed"
  fi
  SV_M2_ECHO=$target/release/m2_echo
  [ -x "$SV_M2_ECHO" ] || sv_die "built m2_echo not found at $SV_M2_ECHO"
  SV_NAGREL=""
  if [ -n "${NAGREL_BENCH_NAGREL:-}" ]; then
    [ -x "$NAGREL_BENCH_NAGREL" ] || sv_die "NAGREL_BENCH_NAGREL=$NAGREL_BENCH_NAGREL is not executable"
    SV_NAGREL=$(cd "$(dirname "$NAGREL_BENCH_NAGREL")" && pwd)/$(basename "$NAGREL_BENCH_NAGREL")
    sv_log "using nagrel binary $SV_NAGREL (NAGREL_BENCH_NAGREL, not built)"
    return 0
  fi
  sv_log "building nagrel (cargo build --release -p nagrel --bin nagrel)"
  if (cd "$root" && timeout "$limit" cargo build --release -p nagrel --bin nagrel) \
    >"$IT_TMP/build-nagrel.log" 2>&1 && [ -x "$target/release/nagrel" ]; then
    SV_NAGREL=$target/release/nagrel
  else
    tail -n 15 "$IT_TMP/build-nagrel.log" >&2
    SV_SKIP_REASON="building the nagrel binary failed"
  fi
}

# sv_fields SIDE CONNS: the `<side>_rps= <side>_p99_ms= <side>_cpu_us=` part of a line.
# sv_median "N N N ...": the median (mean of the middle two for an even count), in the
# precision of the inputs' widest fraction; "-" for none.
sv_median() {
  printf '%s\n' $1 | sort -g | awk '
    { v[NR] = $1; if (index($1, ".")) { d = length($1) - index($1, "."); if (d > p) p = d } }
    END {
      if (NR == 0) { print "-"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.*f\n", p, m
    }'
}

# sv_finish: turn the per-round lists into medians (R_REQ: the total).
sv_finish() {
  local k
  for k in "${!R_STATUS[@]}"; do
    [ "${R_STATUS[$k]}" = ok ] || continue
    R_ROUNDS[$k]=$(printf '%s\n' ${R_RPS[$k]} | wc -l)
    R_REQ[$k]=$(printf '%s\n' ${R_REQ[$k]} | awk '{ s += $1 } END { print s }')
    R_RPS[$k]=$(sv_median "${R_RPS[$k]}")
    R_P99[$k]=$(sv_median "${R_P99[$k]}")
    R_CPU[$k]=$(sv_median "${R_CPU[$k]}")
    R_HCPU[$k]=$(sv_median "${R_HCPU[$k]:-}")
  done
}

sv_fields() {
  local k=$1:$2 prefix=$1
  if [ "${R_STATUS[$k]}" = ok ]; then
    printf '%s_rps=%s %s_p99_ms=%s %s_cpu_us=%s' "$prefix" "${R_RPS[$k]}" \
      "$prefix" "${R_P99[$k]}" "$prefix" "${R_CPU[$k]}"
  else
    printf '%s_rps=failed %s_p99_ms=failed %s_cpu_us=failed' "$prefix" "$prefix" "$prefix"
  fi
}

# sv_report: RESULT lines on stdout, the human table and every failure on stderr.
sv_report() {
  local conns side name k ratio line
  for conns in $SV_CONNS; do
    line="RESULT suite=server case=handler_c$conns"
    if [ -z "$SV_SKIP_REASON" ]; then line+=" $(sv_fields ours "$conns")"; fi
    line+=" peer=mongrel2 $(sv_fields peer "$conns")"
    if [ -z "$SV_SKIP_REASON" ]; then
      if [ "${R_STATUS[ours:$conns]}" = ok ] && [ "${R_STATUS[peer:$conns]}" = ok ]; then
        ratio=$(awk -v a="${R_CPU[ours:$conns]}" -v b="${R_CPU[peer:$conns]}" \
          'BEGIN { if (b > 0) printf "%.3f", a / b; else print "failed" }')
      else
        ratio=failed
      fi
      line+=" ratio=$ratio"
    fi
    printf '%s\n' "$line"
  done

  {
    printf '\nserver suite: %s round(s) of %ss per server and case, alternating; wrk -t%s,' \
      "$SV_ROUNDS" "$SV_SECS" "$SV_WRK_THREADS"
    printf ' keep-alive, handler m2_echo (%s thread(s)); figures are medians over rounds,' \
      "${M2_ECHO_THREADS:-1}"
    printf ' requests the total\n'
    for k in "${!R_CPU[@]}"; do
      [ "${R_STATUS[$k]}" = ok ] && printf '  %s rounds: cpu_us %s\n' "$k" "${R_RAW_CPU[$k]}"
    done
    printf '%-9s %-13s %10s %9s %8s %14s %15s  %s\n' server case requests req/s p99_ms \
      server_cpu_us handler_cpu_us status
    for conns in $SV_CONNS; do
      for side in ours peer; do
        k=$side:$conns
        name=nagrel
        [ "$side" = peer ] && name=mongrel2
        if [ "$side" = ours ] && [ -n "$SV_SKIP_REASON" ]; then
          printf '%-9s %-13s %10s %9s %8s %14s %15s  %s\n' "$name" "handler_c$conns" \
            - - - - - "skipped: $SV_SKIP_REASON"
        elif [ "${R_STATUS[$k]}" = ok ]; then
          printf '%-9s %-13s %10s %9s %8s %14s %15s  ok\n' "$name" "handler_c$conns" \
            "${R_REQ[$k]}" "${R_RPS[$k]}" "${R_P99[$k]}" "${R_CPU[$k]}" "${R_HCPU[$k]}"
        else
          printf '%-9s %-13s %10s %9s %8s %14s %15s  %s\n' "$name" "handler_c$conns" \
            - - - - - "${R_STATUS[$k]}"
        fi
      done
    done
    printf 'cpu_us: utime+stime of the process (all threads) per completed request; '
    printf 'ratio = nagrel/mongrel2 server cpu_us\n'
  } >&2
}

suite_server() {
  SV_SECS=${NAGREL_BENCH_SECS:-10}
  SV_WARMUP=${NAGREL_BENCH_WARMUP_SECS:-2}
  SV_WRK_THREADS=${NAGREL_BENCH_WRK_THREADS:-2}
  SV_CONNS=${NAGREL_BENCH_CONNS:-32 256}
  local conns
  SV_ROUNDS=${NAGREL_BENCH_ROUNDS:-3}
  sv_uint NAGREL_BENCH_ROUNDS "$SV_ROUNDS"
  ((SV_ROUNDS >= 1)) || sv_die "NAGREL_BENCH_ROUNDS must be at least 1"
  sv_uint NAGREL_BENCH_SECS "$SV_SECS"
  sv_uint NAGREL_BENCH_WARMUP_SECS "$SV_WARMUP"
  sv_uint NAGREL_BENCH_WRK_THREADS "$SV_WRK_THREADS"
  for conns in $SV_CONNS; do
    sv_uint NAGREL_BENCH_CONNS "$conns"
    ((conns >= SV_WRK_THREADS)) || sv_die "NAGREL_BENCH_CONNS: $conns is fewer than $SV_WRK_THREADS wrk threads"
  done
  [ -r /proc/self/stat ] || sv_die "no /proc: the CPU figures need /proc/<pid>/stat"

  it_need_pkgs wrk:wrk mongrel2:mongrel2-core m2sh:mongrel2-core curl:curl timeout:coreutils
  SV_CLK_TCK=$(getconf CLK_TCK)
  sv_uint CLK_TCK "$SV_CLK_TCK"
  sv_log "peers: $(wrk -v 2>&1 | head -n 1 || true); $(m2sh version 2>&1 | head -n 1 || true)"

  SV_SKIP_REASON=""
  SV_FAILED=0
  SV_HANDLER_PID=""
  SV_SERVER_PID=""
  declare -gA R_STATUS=() R_REQ=() R_RPS=() R_P99=() R_CPU=() R_HCPU=() R_ROUNDS=() R_RAW_CPU=()
  sv_build

  local ports
  mapfile -t ports < <(it_free_ports 3)
  [ "${#ports[@]}" -eq 3 ] || sv_die "could not pick free ports"
  SV_HTTP_PORT=${ports[0]}
  SV_SEND_PORT=${ports[1]}
  SV_RECV_PORT=${ports[2]}
  SV_URL=http://127.0.0.1:$SV_HTTP_PORT
  # One rendered config for both servers: the servers run one after the other on the same
  # ports.
  SV_CONF=$IT_TMP/server.conf
  it_render "$bench_dir/server/server.conf.in" "$SV_CONF" HTTP_PORT="$SV_HTTP_PORT" \
    SEND_PORT="$SV_SEND_PORT" RECV_PORT="$SV_RECV_PORT"

  # ours: nagrel, unless it cannot be built or cannot load the config yet.
  if [ -z "$SV_SKIP_REASON" ]; then
    SV_DIR=$IT_TMP/nagrel
    mkdir -p "$SV_DIR/run" "$SV_DIR/logs" "$SV_DIR/tmp"
    if ! sv_load_nagrel; then
      sed 's/^/  nagrel load: /' "$SV_DIR/load.log" | tail -n 10 >&2
      SV_SKIP_REASON="\`nagrel load CONF --db DB\` failed"
    fi
  fi
  if [ -n "$SV_SKIP_REASON" ]; then
    if [ "${NAGREL_BENCH_REQUIRE_OURS:-0}" = 1 ]; then
      sv_die "$SV_SKIP_REASON (NAGREL_BENCH_REQUIRE_OURS=1)"
    fi
    sv_log "SKIPPING nagrel: $SV_SKIP_REASON; measuring Mongrel2 only (peer-only RESULT lines)"
  fi
  # Rounds alternate the servers, so a burst of noise from the shared machine lands on
  # both sides rather than on one; the medians then drop the outlying rounds.
  local round
  for ((round = 1; round <= SV_ROUNDS; round++)); do
    sv_log "round $round of $SV_ROUNDS"
    [ -n "$SV_SKIP_REASON" ] || sv_bench ours nagrel
    # peer: Mongrel2 on the same config.
    sv_bench peer mongrel2
  done
  local k
  for k in "${!R_CPU[@]}"; do R_RAW_CPU[$k]=${R_CPU[$k]}; done
  sv_finish

  sv_report
  if [ "$SV_FAILED" -ne 0 ]; then
    sv_log "some runs failed (status column above; wrk outputs and logs in the temp dir," \
      "kept with NAGREL_BENCH_KEEP_TMP=1)"
    return 1
  fi
}
