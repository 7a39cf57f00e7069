# shellcheck shell=bash
# Helpers shared by tests/interop.sh and tests/interop/capture_*.sh.
# Source it from a bash script that runs with `set -euo pipefail`, then call it_setup.
#
# Everything lives in one temp dir ($IT_TMP); every background process started with it_bg
# is killed on exit (EXIT/INT/TERM trap); every wait has a timeout.

IT_TMP=""
IT_PIDS=()
IT_PASS=0
IT_FAIL=0
IT_LOGS=()          # files whose tail is shown when the script fails
IT_LAST_PID=""

it_log() { printf '[interop %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
it_pass() { IT_PASS=$((IT_PASS + 1)); printf 'PASS: %s\n' "$*"; }
it_fail() { IT_FAIL=$((IT_FAIL + 1)); printf 'FAIL: %s\n' "$*"; }
# A check that could not run here (not counted as passed or failed).
it_skip() { printf 'SKIP: %s\n' "$*"; }
# Fatal: setup could not be done; the EXIT trap cleans up.
it_die() { printf 'FAIL: %s\n' "$*"; exit 1; }

# it_setup NAME: make the temp dir and install the cleanup trap.
it_setup() {
  IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nagrel-${1:-interop}.XXXXXX")
  trap it_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# it_kill_pid PID [GRACE_SECONDS]: TERM, wait up to GRACE (default 5 s), then KILL; reap.
it_kill_pid() {
  local pid=$1 grace=${2:-5} i
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      it_log "pid $pid ignored SIGTERM for ${grace}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

it_cleanup() {
  local rc=$? i f
  trap - EXIT INT TERM
  for ((i = ${#IT_PIDS[@]} - 1; i >= 0; i--)); do
    it_kill_pid "${IT_PIDS[i]}" 5
  done
  if [ "$rc" -ne 0 ] && [ "${#IT_LOGS[@]}" -gt 0 ]; then
    for f in "${IT_LOGS[@]}"; do
      [ -s "$f" ] || continue
      printf -- '--- last lines of %s\n' "$f"
      tail -n 25 "$f" || true
    done
  fi
  if [ -n "$IT_TMP" ] && [ -d "$IT_TMP" ]; then
    if [ "${INTEROP_KEEP_TMP:-0}" = 1 ]; then
      it_log "kept temp dir $IT_TMP"
    else
      rm -rf "$IT_TMP"
    fi
  fi
  exit "$rc"
}

# it_bg LOGFILE CMD ARGS...: start CMD in the background (stdout+stderr to LOGFILE),
# remember its pid for cleanup; the pid is left in IT_LAST_PID. Must not run in a subshell.
it_bg() {
  local logfile=$1
  shift
  "$@" >"$logfile" 2>&1 </dev/null &
  IT_LAST_PID=$!
  IT_PIDS+=("$IT_LAST_PID")
  IT_LOGS+=("$logfile")
}

# it_forget_pid PID: after stopping it yourself.
it_forget_pid() {
  local pid=$1 i keep=()
  for i in "${IT_PIDS[@]}"; do [ "$i" = "$pid" ] || keep+=("$i"); done
  IT_PIDS=("${keep[@]+"${keep[@]}"}")
}

# it_need_pkgs CHECK:PACKAGE...: CHECK is a command name, or py:MODULE for a module of
# Debian's /usr/bin/python3. Missing packages are installed with apt-get when running as
# root (or with passwordless sudo); otherwise this fails with the command to run.
it_need_pkgs() {
  local spec check pkg missing=() sudo=""
  for spec in "$@"; do
    check=${spec%%:*}
    pkg=${spec#*:}
    if [ "$check" = py ]; then
      pkg=${spec#py:}
      check=${pkg%%:*}
      pkg=${pkg#*:}
      /usr/bin/python3 -c "import $check" >/dev/null 2>&1 && continue
    else
      command -v "$check" >/dev/null 2>&1 && continue
    fi
    case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      it_die "missing Debian packages: ${missing[*]} (not root; run: apt-get install ${missing[*]})"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || it_die "missing packages ${missing[*]} and no apt-get"
  it_log "installing Debian packages: ${missing[*]}"
  local aptlog
  aptlog=$(mktemp "${TMPDIR:-/tmp}/nagrel-apt.XXXXXX")
  if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } >"$aptlog" 2>&1; then
    tail -n 30 "$aptlog"
    rm -f "$aptlog"
    it_die "apt-get install ${missing[*]} failed"
  fi
  rm -f "$aptlog"
}

# it_free_ports N: print N distinct free TCP ports on 127.0.0.1, one per line.
it_free_ports() {
  local n=$1 py
  py=$(command -v python3 || true)
  if [ -n "$py" ]; then
    "$py" - "$n" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
EOF
    return
  fi
  # Fallback without python: random ports nobody answers on.
  local got=() p
  while [ "${#got[@]}" -lt "$n" ]; do
    p=$((20000 + RANDOM % 30000))
    case " ${got[*]-} " in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then got+=("$p"); fi
  done
  printf '%s\n' "${got[@]}"
}

# it_port_open HOST PORT: true when something accepts TCP connections there.
it_port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# it_wait_port HOST PORT TIMEOUT_S [PID]: wait until the port accepts connections;
# fails early if PID is given and dies.
it_wait_port() {
  local host=$1 port=$2 limit=$3 pid=${4:-} deadline
  deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      it_log "process $pid exited while waiting for $host:$port"
      return 1
    fi
    it_port_open "$host" "$port" && return 0
    sleep 0.1
  done
  it_log "timed out after ${limit}s waiting for $host:$port"
  return 1
}

# it_wait_file FILE TIMEOUT_S: wait until FILE exists.
it_wait_file() {
  local f=$1 limit=$2 deadline
  deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    [ -e "$f" ] && return 0
    sleep 0.1
  done
  return 1
}

# it_render TEMPLATE OUT NAME=VALUE...: copy TEMPLATE to OUT replacing each @NAME@.
it_render() {
  local tpl=$1 out=$2 kv text
  shift 2
  text=$(<"$tpl")
  for kv in "$@"; do
    text=${text//"@${kv%%=*}@"/"${kv#*=}"}
  done
  printf '%s\n' "$text" >"$out"
  if grep -q '@[A-Z_]*@' "$out"; then
    it_die "unreplaced placeholder in $out: $(grep -o '@[A-Z_]*@' "$out" | head -n 1)"
  fi
}

# --- Mongrel2 ---------------------------------------------------------------------------
# it_m2_start DIR CONF_TEMPLATE SERVER_UUID WAIT_PORTS NAME=VALUE...
# Builds a sandbox in DIR (run/ logs/ tmp/ static/ are required by mongrel2: it chroots into
# the current directory when root, then checks /run and /tmp exist, writes /run/<pid file>
# and /logs/error.log inside it), loads the rendered config with m2sh, starts
# `mongrel2 config.sqlite UUID` in the foreground (settings server.daemonize=0) from DIR,
# and waits until every port in WAIT_PORTS (space separated: HTTP and handler ports) accepts
# connections. Sets M2_PID. static/ is filled by the caller before or after.
M2_PID=""
it_m2_start() {
  local dir=$1 tpl=$2 uuid=$3 ports=$4 p
  shift 4
  mkdir -p "$dir/run" "$dir/logs" "$dir/tmp" "$dir/static"
  it_render "$tpl" "$dir/mongrel2.conf" "$@"
  # m2sh records who loaded the config and complains without a login name.
  if ! (cd "$dir" && LOGNAME=${LOGNAME:-nagrel} m2sh load -config mongrel2.conf \
    -db config.sqlite) >"$dir/m2sh-load.log" 2>&1; then
    cat "$dir/m2sh-load.log"
    it_die "m2sh load failed for $dir/mongrel2.conf"
  fi
  IT_LOGS+=("$dir/logs/error.log")
  # shellcheck disable=SC2016 # $1/$2 expand in the inner shell
  it_bg "$dir/mongrel2.out" bash -c 'cd "$1" && exec mongrel2 config.sqlite "$2"' m2 "$dir" "$uuid"
  M2_PID=$IT_LAST_PID
  for p in $ports; do
    it_wait_port 127.0.0.1 "$p" 15 "$M2_PID" || it_die "mongrel2 did not come up (port $p)"
  done
}

# it_m2_stop: SIGTERM makes mongrel2 exit at once (about 1 s) and remove its pid file.
it_m2_stop() {
  [ -n "$M2_PID" ] || return 0
  it_kill_pid "$M2_PID" 5
  it_forget_pid "$M2_PID"
  M2_PID=""
}

# --- nagrel -----------------------------------------------------------------------------
# it_nagrel_build ROOT: `cargo build -p nagrel --bin nagrel` (debug) in ROOT, the way the
# tests are built (CARGO_TARGET_DIR respected); sets NAGREL_BIN. Bounded like it_cargo_test.
NAGREL_BIN=""
it_nagrel_build() {
  local root=$1 target=${CARGO_TARGET_DIR:-target}
  case $target in /*) ;; *) target=$root/$target ;; esac
  (cd "$root" && timeout "${INTEROP_CARGO_TIMEOUT:-1200}" \
    cargo build -p nagrel --bin nagrel) || return 1
  NAGREL_BIN=$target/debug/nagrel
  [ -x "$NAGREL_BIN" ]
}

# it_nagrel_start DIR CONF SERVER_NAME WAIT_PORTS: a nagrel sandbox laid out like
# it_m2_start's (run/ logs/ tmp/ static/; relative paths in the config, such as Dir bases
# and the default control port ipc://run/control, resolve against chroot="./", i.e. DIR),
# `nagrel load CONF --db config.db`, then `nagrel start --db config.db --name SERVER_NAME`
# in the foreground from DIR (log: DIR/nagrel.log), waiting until every port in WAIT_PORTS
# accepts connections. Sets NAGREL_PID.
NAGREL_PID=""
it_nagrel_start() {
  local dir=$1 conf=$2 name=$3 ports=$4 p
  mkdir -p "$dir/run" "$dir/logs" "$dir/tmp" "$dir/static"
  if ! (cd "$dir" && "$NAGREL_BIN" load "$conf" --db config.db) >"$dir/nagrel-load.log" 2>&1
  then
    cat "$dir/nagrel-load.log"
    it_die "nagrel load failed for $conf"
  fi
  # shellcheck disable=SC2016 # $1.. expand in the inner shell
  it_bg "$dir/nagrel.log" bash -c 'cd "$1" && exec "$2" start --db config.db --name "$3"' \
    nagrel "$dir" "$NAGREL_BIN" "$name"
  NAGREL_PID=$IT_LAST_PID
  for p in $ports; do
    it_wait_port 127.0.0.1 "$p" 15 "$NAGREL_PID" || it_die "nagrel did not come up (port $p)"
  done
}

# it_nagrel_stop: SIGTERM; nagrel drains and exits.
it_nagrel_stop() {
  [ -n "$NAGREL_PID" ] || return 0
  it_kill_pid "$NAGREL_PID" 5
  it_forget_pid "$NAGREL_PID"
  NAGREL_PID=""
}

# --- memcached --------------------------------------------------------------------------
# it_mc_start PORT [EXTRA ARGS...]: memcached in the foreground on 127.0.0.1:PORT, TCP only,
# one worker thread. Sets MC_PID.
MC_PID=""
it_mc_start() {
  local port=$1 user=()
  shift
  # memcached refuses to run as root unless told which user to be.
  [ "$(id -u)" -eq 0 ] && user=(-u root)
  it_bg "$IT_TMP/memcached-$port.log" memcached "${user[@]}" -l 127.0.0.1 -p "$port" -U 0 \
    -t 1 -m 16 "$@"
  MC_PID=$IT_LAST_PID
  it_wait_port 127.0.0.1 "$port" 10 "$MC_PID" || it_die "memcached did not come up on $port"
}

it_mc_stop() {
  [ -n "$MC_PID" ] || return 0
  it_kill_pid "$MC_PID" 5
  it_forget_pid "$MC_PID"
  MC_PID=""
}

# it_mc_cmd PORT REQUEST: send REQUEST (printf format, e.g. 'version\r\n') and print the
# first reply line, CR stripped. Bounded by a 5 s timeout.
it_mc_cmd() {
  # shellcheck disable=SC2016 # $1/$2 expand in the inner shell
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "$2" >&3
    IFS= read -r line <&3 || exit 1
    printf "%s\n" "${line%$'"'"'\r'"'"'}"
  ' mc "$1" "$2"
}
