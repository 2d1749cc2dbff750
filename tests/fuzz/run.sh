#!/usr/bin/env bash
# Bounded property-based fuzzing of daytona-local with schemathesis (see README.md here).
#
#   bash tests/fuzz/run.sh [SERVER_BINARY]      (default: target/debug/daytona-local)
#
# Starts its own server (free port, temporary data dir, random API key), makes the sandboxes,
# sessions and PTYs the fixed ids in api.toml/toolbox.toml name, then runs schemathesis on the
# control plane (specs/api.json at /api) and on the toolbox (specs/toolbox.json at
# /toolbox/{id}) with a fixed seed and a bounded number of examples per operation. Fails on
# any 5xx, network error (connection refused/reset, timeout) or response that breaks its
# documented schema or content type. Everything it started is gone when it exits.
# Environment: FUZZ_SEED (default fixed), FUZZ_MAX_EXAMPLES (default 100), FUZZ_WORKERS
# (default 1), FUZZ_AREA_TIMEOUT (seconds, default 420), FUZZ_REPORT_DIR (default target/fuzz:
# JUnit and HAR of each area).
source "$(dirname "$0")/../../scripts/lib.sh"

bin="${1:-target/debug/daytona-local}"
[ -x "$bin" ] || { echo "fuzz: no server binary at $bin (cargo build -p daytona-local)" >&2; exit 1; }
st="$ROOT/.venv/bin/st"
[ -x "$st" ] || { echo "fuzz: schemathesis missing (bash scripts/setup.sh --python)" >&2; exit 1; }
seed="${FUZZ_SEED:-20260801}"
examples="${FUZZ_MAX_EXAMPLES:-100}"
# One worker: with two, hypothesis parses lambda sources in two threads at once, which CPython
# 3.11 (this venv) can fail with "AST constructor recursion depth mismatch" (cpython#106905).
workers="${FUZZ_WORKERS:-1}"
reports="${FUZZ_REPORT_DIR:-$ROOT/target/fuzz}"
here="$ROOT/tests/fuzz"

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key="fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
base="http://127.0.0.1:$port"
DAYTONA_LOCAL_LOG="${DAYTONA_LOCAL_LOG:-warn}" "$bin" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data" \
  --api-key "$key" > "$tmp/server.log" 2>&1 &
server=$!

# The server's processes (its jails) as pid:start-time (a pid alone may be reused later).
descendants() {
  local p
  for p in $(ps -eo pid=,ppid= | awk -v root="$1" '
      { parent[$1] = $2 }
      END { for (p in parent) { q = p; while (q in parent && q != root && q > 1) q = parent[q]; if (q == root) print p } }'); do
    echo "$p:$(proc_start "$p")"
  done
}
# Start time of a live (not zombie) process, empty if there is none.
proc_start() {
  local stat
  stat=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
  case "$stat" in Z*) return 0 ;; esac
  echo "$stat" | cut -d' ' -f20
}
seen="" fuzzer=""
note_processes() { kill -0 "$server" 2>/dev/null && seen="$seen $(descendants "$server")" || true; }
api() { curl -sS --max-time 60 -H "Authorization: Bearer $key" "$@"; }
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

cleanup() {
  local rc=$? entry left=""
  trap - EXIT INT TERM
  if [ -n "$fuzzer" ]; then kill -TERM "$fuzzer" 2>/dev/null || true; wait "$fuzzer" 2>/dev/null || true; fi
  if kill -0 "$server" 2>/dev/null; then
    # Delete what the run made (creates of the fuzzing included), then stop the server: a
    # clean shutdown stops any sandbox still there (SIGKILL would leave its jail running).
    for id in $(api "$base/api/sandbox" 2>/dev/null | json '" ".join(s["id"] for s in d.get("items", d))' 2>/dev/null); do
      api -o /dev/null -X DELETE "$base/api/sandbox/$id" || true
    done
    note_processes
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server" 2>/dev/null || true
  fi
  wait "$server" 2>/dev/null || true
  # Nothing the server started may outlive it (jails take a moment to go after it).
  for _ in $(seq 50); do
    left=""
    for entry in $seen; do
      if [ -n "${entry#*:}" ] && [ "$(proc_start "${entry%%:*}")" = "${entry#*:}" ]; then left="$left ${entry%%:*}"; fi
    done
    [ -n "$left" ] || break
    sleep 0.1
  done
  if [ -n "$left" ]; then
    echo "fuzz: processes outlived the server:$left (killing them)" >&2
    ps -o pid,uid,stat,cmd -p "${left# }" >&2 || true
    kill -KILL $left 2>/dev/null || true
    [ $rc -ne 0 ] || rc=1
  fi
  if [ $rc -ne 0 ] && [ -s "$tmp/server.log" ]; then
    echo "fuzz: last lines of the server's log:" >&2
    tail -n 20 "$tmp/server.log" >&2
  fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Ready means *this* server answers with *this* key (not some other process on the port).
for i in $(seq 151); do
  curl -fs -H "Authorization: Bearer $key" "$base/api/config" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null && [ "$i" -le 150 ] || { cat "$tmp/server.log" >&2; echo "fuzz: daytona-local did not start" >&2; exit 1; }
  sleep 0.1
done

new_sandbox() {
  api -f -H 'Content-Type: application/json' -d "{\"labels\":{\"fuzz\":\"$1\"}}" "$base/api/sandbox" | json 'd["id"]'
}

# One run of schemathesis on one area; its request count from the HAR report.
# Sets $requests, $creates (sandboxes it created) and $seconds; returns schemathesis's exit code.
run_area() {
  local name="$1" config="$2" spec="$3" url="$4" start rc=0
  mkdir -p "$reports"
  rm -f "$reports/$name.har" "$reports/$name.xml"
  start=$(date +%s)
  # The hard bound of an area (requests time out after 30 s, but many could). In the
  # background and waited for, so that INT/TERM reach the traps at once (cleanup stops it).
  timeout --kill-after=10 "${FUZZ_AREA_TIMEOUT:-420}" \
  "$st" --config-file "$config" run "$spec" --url "$url" \
    --header "Authorization: Bearer $key" \
    --seed "$seed" --max-examples "$examples" --workers "$workers" \
    --request-timeout 30 --generation-database none --no-color \
    --report junit,har --report-junit-path "$reports/$name.xml" --report-har-path "$reports/$name.har" &
  fuzzer=$!
  wait "$fuzzer" || rc=$?
  fuzzer=""
  seconds=$(( $(date +%s) - start ))
  case $rc in 124 | 137) echo "fuzz: the $name run was stopped after ${FUZZ_AREA_TIMEOUT:-420} s" >&2 ;; esac
  read -r requests creates < <(python3 - "$reports/$name.har" <<'PY' 2>/dev/null || echo "? ?"
import json, sys, urllib.parse
entries = json.load(open(sys.argv[1]))["log"]["entries"]
creates = sum(1 for e in entries if e["request"]["method"] == "POST" and e["response"]["status"] == 200
              and urllib.parse.urlparse(e["request"]["url"]).path.endswith("/api/sandbox"))
print(len(entries), creates)
PY
)
  return $rc
}

failed=0

log "fuzz: control plane ($base/api, seed $seed, $examples examples per operation)"
FUZZ_SANDBOX=$(new_sandbox control-plane)
FUZZ_DELETE_SANDBOX=$(new_sandbox delete)
FUZZ_AUTODELETE_SANDBOX=$(new_sandbox autodelete)
FUZZ_VOLUME=$(api -X POST -H 'Content-Type: application/json' -d '{"name":"fuzz-volume"}' "$base/api/volumes" | json 'd["id"]')
FUZZ_DELETE_VOLUME=$(api -X POST -H 'Content-Type: application/json' -d '{"name":"fuzz-delete-volume"}' "$base/api/volumes" | json 'd["id"]')
export FUZZ_SANDBOX FUZZ_DELETE_SANDBOX FUZZ_AUTODELETE_SANDBOX FUZZ_VOLUME FUZZ_DELETE_VOLUME
SCHEMATHESIS_HOOKS="$here/hooks.py" run_area api "$here/api.toml" "$here/specs/api.json" "$base/api" || failed=1
note_processes
api_requests=$requests api_seconds=$seconds api_creates=$creates
# What the control-plane run created goes before the toolbox run (its jails would slow it).
for id in $(api "$base/api/sandbox" | json '" ".join(s["id"] for s in d.get("items", d))'); do
  api -o /dev/null -X DELETE "$base/api/sandbox/$id" || true
done

log "fuzz: toolbox ($base/toolbox/{id})"
box=$(new_sandbox toolbox)
tb="$base/toolbox/$box"
for s in fuzz-session fuzz-input fuzz-session-delete; do
  api -f -o /dev/null -H 'Content-Type: application/json' -d "{\"sessionId\":\"$s\"}" "$tb/process/session"
done
FUZZ_COMMAND=$(api -f -H 'Content-Type: application/json' -d '{"command":"echo fuzz"}' \
  "$tb/process/session/fuzz-session/exec" | json 'd["cmdId"]')
FUZZ_INPUT_COMMAND=$(api -f -H 'Content-Type: application/json' -d '{"command":"cat","runAsync":true}' \
  "$tb/process/session/fuzz-input/exec" | json 'd["cmdId"]')
export FUZZ_COMMAND FUZZ_INPUT_COMMAND
for p in fuzz-pty fuzz-pty-delete; do
  api -f -o /dev/null -H 'Content-Type: application/json' -d "{\"id\":\"$p\"}" "$tb/process/pty"
done
# A few files for listing, search, find and download to see.
api -f -o /dev/null -X POST "$tb/files/folder?path=fuzz&mode=755"
printf 'hello fuzz\n' | api -f -o /dev/null -F "file=@-;filename=a.txt" "$tb/files/upload-v2?path=fuzz/a.txt"
SCHEMATHESIS_HOOKS="$here/hooks.py" run_area toolbox "$here/toolbox.toml" "$here/specs/toolbox.json" "$tb" || failed=1
tb_requests=$requests tb_seconds=$seconds
note_processes
# The toolbox must still answer: a run that broke its sandbox early would have tested little.
api -f -o /dev/null "$tb/version" || { echo "fuzz: the toolbox no longer answers after the run" >&2; failed=1; }

# Errors the server only logged (no 5xx reached a client): shown, not failed on.
sed 's/\x1b\[[0-9;]*m//g' "$tmp/server.log" | grep ' ERROR ' > "$tmp/errors.log" || true
if [ -s "$tmp/errors.log" ]; then
  echo "fuzz: the server logged $(wc -l < "$tmp/errors.log") errors; the first ones:" >&2
  head -n 5 "$tmp/errors.log" >&2
fi
echo "fuzz: control plane $api_requests requests in $api_seconds s (it created $api_creates sandboxes); toolbox $tb_requests requests in $tb_seconds s"
[ $failed -eq 0 ] || { echo "fuzz: FAILED (reports in $reports)" >&2; exit 1; }
