#!/usr/bin/env bash
# create -> started latency of daytona-local builds, measured in the same run (alternating
# rounds, median of N per build): `scripts/bench-create.sh BIN [BIN...]` prints one BENCH line
# per build and the ratio of each to the first. Used to price isolation changes
# (e.g. a build of the previous commit against this one). BODY sets the create request
# (default `{}`), ARGS more `serve` flags for every build.
set -euo pipefail
n=${N:-20}
bins=("$@")
[ ${#bins[@]} -ge 1 ] || { echo "usage: $0 BIN [BIN...]" >&2; exit 2; }
tmp=$(mktemp -d)
declare -a pids ports
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  awk -v t="$tmp" '$5 ~ t {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
  rm -rf "$tmp"
}
trap cleanup EXIT
for i in "${!bins[@]}"; do
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # shellcheck disable=SC2086
  "${bins[$i]}" serve ${ARGS:-} --listen "127.0.0.1:$port" --data-dir "$tmp/d$i" --api-key bench --console-dir /nonexistent \
    > "$tmp/log$i" 2>&1 &
  pids[$i]=$!; ports[$i]=$port
done
for i in "${!bins[@]}"; do
  for _ in $(seq 100); do curl -fs -H 'Authorization: Bearer bench' "http://127.0.0.1:${ports[$i]}/api/config" >/dev/null && break; sleep 0.1; done
done
sleep 2  # let servers fill their pools of ready disks
for round in $(seq "$n"); do
  for i in "${!bins[@]}"; do
    out=$(curl -s -o "$tmp/sb" -w '%{time_total}' -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' \
      -d "${BODY:-{\}}" "http://127.0.0.1:${ports[$i]}/api/sandbox")
    grep -q '"state":"started"' "$tmp/sb" || { echo "create failed on ${bins[$i]}: $(cat "$tmp/sb")" >&2; exit 1; }
    echo "$out" >> "$tmp/t$i"
    id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/sb")
    curl -s -o /dev/null -X DELETE -H 'Authorization: Bearer bench' "http://127.0.0.1:${ports[$i]}/api/sandbox/$id"
    sleep 0.2
  done
done
first=""
for i in "${!bins[@]}"; do
  med=$(sort -n "$tmp/t$i" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]*1000}')
  p90=$(sort -n "$tmp/t$i" | awk '{a[NR]=$1} END {print a[int(NR*0.9+0.5)]*1000}')
  [ -z "$first" ] && first=$med
  echo "BENCH create->started ${bins[$i]}: median ${med} ms, p90 ${p90} ms (n=$n), ratio to first $(python3 -c "print(round($med/$first, 2))")"
done
