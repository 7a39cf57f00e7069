#!/usr/bin/env bash
# nagrel against real peer programs, whole programs side by side (the in-process decoder
# suites are `cargo run --release -p nagrel-bench`). Usage: bench/compare.sh SUITE
#
# Suites:
#   server   nagrel and Mongrel2 1.12 (Debian mongrel2-core) serving the same config: one
#            route to the same fast handler (bench/src/bin/m2_echo.rs), loaded by wrk with
#            keep-alive at 32 and 256 connections. See bench/README.md, "The server suite".
#
# Each suite prints one `RESULT suite=... case=...` line per case on stdout and a human
# table plus progress on stderr. It installs missing Debian packages itself (apt-get, as
# root or with passwordless sudo), builds what it runs, works in one temp dir, kills every
# process it started on exit and bounds every wait. Exit status: 0 when every measured run
# was clean, 1 when one failed (errors or non-2xx responses), 2 for a bad command line.
#
# Environment (every suite): NAGREL_BENCH_SECS (default 10) seconds per measured run;
# NAGREL_BENCH_KEEP_TMP=1 keeps the temp dir; CARGO_TARGET_DIR is honoured. The server
# suite's own knobs are listed in bench/server/suite.sh.
#
# A new suite is a file bench/<suite>/suite.sh defining `suite_<suite>` and one line in
# SUITES below.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench_dir/.." && pwd)

# name|description, one per suite; the suite's code is bench/<name>/suite.sh.
SUITES=(
  "server|nagrel vs Mongrel2 1.12 behind the same handler, wrk at 32 and 256 connections"
)

usage() {
  local row
  printf 'usage: bench/compare.sh SUITE\nsuites:\n' >&2
  for row in "${SUITES[@]}"; do
    printf '  %-8s %s\n' "${row%%|*}" "${row#*|}" >&2
  done
  printf 'environment: NAGREL_BENCH_SECS=<seconds> per measured run (default 10)\n' >&2
}

if [ "$#" -ne 1 ]; then
  usage
  exit 2
fi
case $1 in
-h | --help)
  usage
  exit 0
  ;;
esac
suite=""
for row in "${SUITES[@]}"; do
  [ "${row%%|*}" = "$1" ] && suite=$1
done
if [ -z "$suite" ]; then
  printf "compare.sh: unknown suite '%s'\n" "$1" >&2
  usage
  exit 2
fi

# Process and temp-dir plumbing shared with the interop checks: it_setup, it_bg,
# it_kill_pid, it_need_pkgs, it_free_ports, it_wait_port, it_render.
# shellcheck source=SCRIPTDIR/../tests/interop/lib.sh
. "$root/tests/interop/lib.sh"
# shellcheck source=SCRIPTDIR/server/suite.sh
. "$bench_dir/$suite/suite.sh"

[ "${NAGREL_BENCH_KEEP_TMP:-0}" = 1 ] && export INTEROP_KEEP_TMP=1
it_setup "bench-$suite"
"suite_$suite"
