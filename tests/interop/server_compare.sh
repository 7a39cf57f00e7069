# shellcheck shell=bash
# The Mongrel2-vs-nagrel server comparison of tests/interop.sh (sourced after lib.sh).
#
# cmp_requests sends the same request list with curl to one server and writes one
# normalized record per request (label, status line, chosen headers, body) to a directory;
# run against Mongrel2 and against nagrel (same rendered config, same echo_handler.py),
# cmp_diff then compares the two directories record by record.
#
# What is left out of the records, and why (everything else must be byte-identical):
# - Date, Server, Last-Modified: the clock and the product; nagrel also adds Date and Server
#   to its own error responses, Mongrel2 does not.
# - ETag: Mongrel2 sends it unquoted (`6b03b30b-6`), nagrel quoted (`"6b03b30b-6"`, as RFC
#   9110 wants). Each server gets its own ETag back in If-None-Match; only the 304 is compared.
# - Connection: Mongrel2 adds `Connection: close` to 304s and errors (and closes), nagrel
#   keeps the connection after them; keep-alive itself is compared through curl's
#   num_connects on successful requests.
# - Content-Length of a 304: Mongrel2 sends `Content-Length: 0`, nagrel none (RFC 9110
#   8.6: a 304 may only carry the length the 200 would have had). Status and (empty) body
#   are compared.
# - Accept-Ranges, Cache-Control: nagrel only (it has Range support; Mongrel2 has neither).
# - Error bodies (404, 405) and the body of the 301: each server's own page (Mongrel2:
#   `Not Found`, nagrel: an HTML page for the directory 404 and the 301, `Not Found\n` for
#   an unknown route); only the status line (and the 301's Location) is compared.
# - Location of the 301: Mongrel2 sends a network-path reference (`//127.0.0.1:PORT/p/`),
#   nagrel a path-absolute one (`/p/`); both mean the same URL, so the record holds the URL
#   curl resolves it to (`%{redirect_url}`).
# - The echo handler's body never holds the connection id (servers number connections
#   differently) nor the port of Host (replaced by PORT).

# cmp_rec OUT BASE HEADERS BODY CURL-ARGS...: one request; OUT gets the status line, each
# header named in HEADERS (lowercase, space separated; `location` = the resolved redirect
# URL) as "name: value" for every occurrence, then the body when BODY is `body`.
cmp_rec() {
  local out=$1 base=$2 hdrs=$3 want_body=$4 redirect rc name
  shift 4
  rm -f "$out.h" "$out.b" "$out.e"
  rc=0
  redirect=$(curl -sS --max-time 5 -D "$out.h" -o "$out.b" -w '%{redirect_url}' "$@" \
    2>"$out.e") || rc=$?
  touch "$out.h" "$out.b"
  {
    [ "$rc" -eq 0 ] || printf 'curl failed (exit %s): %s\n' "$rc" "$(head -c 200 "$out.e")"
    head -n 1 "$out.h" | tr -d '\r'
    for name in $hdrs; do
      if [ "$name" = location ]; then
        printf 'location -> %s\n' "${redirect/#"$base"/BASE}"
      else
        tr -d '\r' <"$out.h" | awk -v n="$name" '{
          i = index($0, ":")
          if (i > 1 && tolower(substr($0, 1, i - 1)) == n) {
            v = substr($0, i + 1); sub(/^[ \t]+/, "", v); print n ": " v
          }
        }'
      fi
    done
    if [ "$want_body" = body ]; then
      printf 'body (%s bytes):\n' "$(wc -c <"$out.b" | tr -d ' ')"
      cat "$out.b"
    fi
  } >>"$out"
  rm -f "$out.h" "$out.b" "$out.e"
}

# cmp_header URL NAME: the value of response header NAME for a GET of URL.
cmp_header() {
  curl -sS --max-time 5 -D - -o /dev/null "$1" 2>/dev/null | tr -d '\r' |
    awk -v n="$2" '{ i = index($0, ":"); if (i > 1 && tolower(substr($0, 1, i - 1)) == n) {
      v = substr($0, i + 1); sub(/^[ \t]+/, "", v); print v; exit } }' || true
}

# cmp_new OUT LABEL: start a record.
cmp_new() { printf '# %s\n' "$2" >"$1"; }

# cmp_requests BASE OUT_DIR SANDBOX: the request list (static files, handler routes,
# keep-alive). Needs SANDBOX/static/ as made by cmp_static_files and echo_handler.py on both
# handler routes (cmp_handlers_start SANDBOX ...).
cmp_requests() {
  local base=$1 d=$2 sandbox=$3 etag lm i ids
  mkdir -p "$d"
  local ct="content-type content-length"

  cmp_new "$d/01" "GET static file"
  cmp_rec "$d/01" "$base" "$ct" body "$base/static/hello.txt"
  cmp_new "$d/02" "GET static file in a subdirectory (mimetype .json)"
  cmp_rec "$d/02" "$base" "$ct" body "$base/static/sub/data.json"
  cmp_new "$d/03" "GET static dir index (trailing slash)"
  cmp_rec "$d/03" "$base" "$ct" body "$base/static/"
  cmp_new "$d/04" "GET static subdir index (trailing slash)"
  cmp_rec "$d/04" "$base" "$ct" body "$base/static/sub/"
  cmp_new "$d/05" "GET static subdir without trailing slash (301 + Location)"
  cmp_rec "$d/05" "$base" "location" nobody "$base/static/sub"
  cmp_new "$d/06" "GET missing static file (404, status only)"
  cmp_rec "$d/06" "$base" "" nobody "$base/static/missing.txt"
  cmp_new "$d/07" "HEAD static file"
  cmp_rec "$d/07" "$base" "$ct" nobody --head "$base/static/hello.txt"
  cmp_new "$d/08" "POST to a static file (405, status only)"
  cmp_rec "$d/08" "$base" "" nobody --data-binary x "$base/static/hello.txt"
  cmp_new "$d/09" "GET unknown route (404, status only)"
  cmp_rec "$d/09" "$base" "" nobody "$base/no/such/route"

  # Conditionals with the validators this server sent (their format differs, see above).
  etag=$(cmp_header "$base/static/hello.txt" etag)
  cmp_new "$d/10" "If-None-Match with the ETag just received (304)"
  [ -n "$etag" ] || printf 'no ETag on GET /static/hello.txt\n' >>"$d/10"
  cmp_rec "$d/10" "$base" "" body -H "If-None-Match: $etag" \
    "$base/static/hello.txt"
  cmp_new "$d/11" "If-None-Match with another ETag (200)"
  cmp_rec "$d/11" "$base" "$ct" body -H 'If-None-Match: "0-0"' "$base/static/hello.txt"
  lm=$(cmp_header "$base/static/hello.txt" last-modified)
  cmp_new "$d/12" "If-Modified-Since with the Last-Modified just received (304)"
  [ -n "$lm" ] || printf 'no Last-Modified on GET /static/hello.txt\n' >>"$d/12"
  cmp_rec "$d/12" "$base" "" body -H "If-Modified-Since: $lm" \
    "$base/static/hello.txt"

  # Handler routes: echo_handler.py answers with what it was told about the request.
  cmp_new "$d/20" "JSON handler: GET with a query and a header"
  cmp_rec "$d/20" "$base" "$ct" body -H 'X-Test: one' "$base/handlertest/echo?a=1&b=two"
  cmp_new "$d/21" "JSON handler: POST with a small body"
  cmp_rec "$d/21" "$base" "$ct" body --data-binary 'name=nagrel&n=1' \
    "$base/handlertest/form"
  cmp_new "$d/22" "JSON handler: repeated headers"
  cmp_rec "$d/22" "$base" "$ct" body -H 'X-Test: one' -H 'X-Test: two' -H 'x-test: three' \
    "$base/handlertest/repeat"
  cmp_new "$d/23" "tnetstring handler: GET with a query and repeated headers"
  cmp_rec "$d/23" "$base" "$ct" body -H 'X-Test: one' -H 'X-Test: two' \
    "$base/tnethandler/echo?q=tnet"
  cmp_new "$d/24" "tnetstring handler: POST with a small body"
  cmp_rec "$d/24" "$base" "$ct" body --data-binary 'tnet body' "$base/tnethandler/form"

  # Keep-alive: curl reuses its connection for the next URL (num_connects 1, then 0), and
  # the handler sees one connection id for both of its requests.
  cmp_new "$d/30" "keep-alive: handler, static file, handler on one connection"
  {
    curl -sS --max-time 5 -w 'num_connects=%{num_connects} status=%{http_code}\n' \
      -o "$d/30.b1" -o "$d/30.b2" -o "$d/30.b3" "$base/handlertest/ka1?n=1" \
      "$base/static/hello.txt" "$base/handlertest/ka2?n=2" 2>&1 || echo "curl failed"
    for i in 1 2 3; do
      printf -- '--- body %s\n' "$i"
      cat "$d/30.b$i" 2>/dev/null || true
      rm -f "$d/30.b$i"
    done
    ids=$(awk '$2 == "request" && ($4 == "/handlertest/ka1" || $4 == "/handlertest/ka2") {
      print $3 }' "$sandbox/echo-json/events.log" 2>/dev/null | sort -u | wc -l || true)
    printf -- '--- connection ids the handler saw for ka1 and ka2: %s\n' "$ids"
  } >>"$d/30"
}

# cmp_static_files DIR: the files both servers serve under /static/.
cmp_static_files() {
  mkdir -p "$1/static/sub"
  printf 'nagrel interop index\n' >"$1/static/index.html"
  printf 'hello from the static dir\n' >"$1/static/hello.txt"
  printf 'subdirectory index\n' >"$1/static/sub/index.html"
  printf '{"nagrel": "interop"}\n' >"$1/static/sub/data.json"
}

# cmp_handlers_start SANDBOX JSON_SEND JSON_RECV TNET_SEND TNET_RECV: echo_handler.py on
# both handler routes (out dirs SANDBOX/echo-json, SANDBOX/echo-tnet); sets CMP_HANDLER_PIDS.
# Fails when a handler does not connect within 10 s.
CMP_HANDLER_PIDS=()
cmp_handlers_start() {
  local dir=$1 kind send recv
  CMP_HANDLER_PIDS=()
  for kind in json tnet; do
    if [ "$kind" = json ]; then send=$2 recv=$3; else send=$4 recv=$5; fi
    # shellcheck disable=SC2154 # here (tests/interop) is set by interop.sh
    it_bg "$dir/echo-$kind.log" /usr/bin/python3 "$here/echo_handler.py" \
      --send-spec "tcp://127.0.0.1:$send" --recv-spec "tcp://127.0.0.1:$recv" \
      --out-dir "$dir/echo-$kind" --idle 60 --ready "$dir/echo-$kind.ready"
    CMP_HANDLER_PIDS+=("$IT_LAST_PID")
  done
  for kind in json tnet; do
    it_wait_file "$dir/echo-$kind.ready" 10 || return 1
  done
}

cmp_handlers_stop() {
  local pid
  for pid in "${CMP_HANDLER_PIDS[@]}"; do
    it_kill_pid "$pid" 3
    it_forget_pid "$pid"
  done
  CMP_HANDLER_PIDS=()
}

# cmp_disconnect SERVER BASE ROUTE HANDLER_DIR OUT: the client asks ROUTE/hold (the echo
# handler never answers it) and gives up after 1 s; the handler must then get the
# disconnect notice for that connection id within 5 s. PASS/FAIL line for SERVER; OUT gets
# the notice with the id replaced by ID, for comparing the two servers byte for byte.
cmp_disconnect() {
  local server=$1 base=$2 route=$3 hdir=$4 out=$5 id="" num="" i
  curl -sS --max-time 1 -o /dev/null "$base$route/hold" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    id=$(awk -v p="$route/hold" '$2 == "request" && $4 == p { id = $3 } END { print id }' \
      "$hdir/events.log" 2>/dev/null || true)
    if [ -n "$id" ]; then
      num=$(awk -v id="$id" '$2 == "disconnect" && $3 == id { print $1; exit }' \
        "$hdir/events.log" 2>/dev/null || true)
      [ -n "$num" ] && break
    fi
    sleep 0.1
  done
  printf '# %s: disconnect notice after the client gave up\n' "$route" >"$out"
  if [ -n "$num" ]; then
    it_pass "$server: $route handler gets the disconnect notice when the client goes away"
    sed "s/^\([^ ]*\) $id @\* /\1 ID @* /" "$hdir/$num.bin" >>"$out"
  else
    it_fail "$server: $route handler got no disconnect notice in 5 s (events: $(tr '\n' ';' \
      <"$hdir/events.log" 2>/dev/null | tail -c 300))"
    printf 'no disconnect notice\n' >>"$out"
  fi
}

# cmp_diff M2_DIR NAGREL_DIR: one PASS/FAIL per record.
cmp_diff() {
  local f name label
  if ! [ -d "$1" ] || ! [ -d "$2" ]; then
    it_fail "Mongrel2/nagrel comparison: no answers recorded ($1, $2)"
    return
  fi
  for f in "$1"/*; do
    name=${f##*/}
    label=$(head -n 1 "$f")
    label=${label#\# }
    if diff -u --label "Mongrel2 $name" --label "nagrel $name" "$f" "$2/$name" \
      >"$f.diff" 2>&1; then
      it_pass "Mongrel2 and nagrel agree: $label"
    else
      it_fail "Mongrel2 and nagrel differ: $label"
      sed 's/^/    /' "$f.diff"
    fi
    rm -f "$f.diff"
  done
}
