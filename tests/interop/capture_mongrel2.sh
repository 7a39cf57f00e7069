#!/usr/bin/env bash
# Re-record the Mongrel2 test vectors in tests/interop/captures/mongrel2/ (see README.md).
# Starts Mongrel2 (Debian mongrel2-core) in a temp sandbox from mongrel2.conf.in and runs
# m2_capture.py as client and as both handlers. Needs root for apt-get if packages are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/interop/lib.sh
. "$here/lib.sh"
it_setup m2capture
it_need_pkgs mongrel2:mongrel2-core m2sh:mongrel2-core curl:curl py:zmq:python3-zmq

mapfile -t ports < <(it_free_ports 5)
http=${ports[0]} js=${ports[1]} jr=${ports[2]} ts=${ports[3]} tr=${ports[4]}
sandbox=$IT_TMP/m2
mkdir -p "$sandbox/static"
echo "static ok" >"$sandbox/static/index.html"
it_m2_start "$sandbox" "$here/mongrel2.conf.in" f400bf85-4538-4f7a-8908-67e313d515c2 \
  "$http $js $jr $ts $tr" \
  HTTP_PORT="$http" JSON_SEND_PORT="$js" JSON_RECV_PORT="$jr" TNET_SEND_PORT="$ts" \
  TNET_RECV_PORT="$tr"

out=${1:-$here/captures/mongrel2}
rm -rf "$out.new"
timeout 300 /usr/bin/python3 "$here/m2_capture.py" --http-port "$http" \
  --json-send "tcp://127.0.0.1:$js" --json-recv "tcp://127.0.0.1:$jr" \
  --tnet-send "tcp://127.0.0.1:$ts" --tnet-recv "tcp://127.0.0.1:$tr" --out "$out.new"
it_m2_stop
rm -rf "$out"
mv "$out.new" "$out"
echo "captures written to $out"
