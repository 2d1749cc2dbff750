#!/usr/bin/env bash
# Snapshots and volumes, measured against references taken in the same run (BENCH lines):
#   - create -> started of a sandbox on a pulled snapshot (busybox) against the default
#     snapshot (the host's userland), alternating rounds, medians (issue goal: ratio <= 1.5);
#   - pulling an image of about 50 MB (one incompressible layer) from a registry on 127.0.0.1
#     into a snapshot (download and unpack) against `skopeo copy` of the same image;
#   - sequential write and read (dd, 1 MiB blocks) on a volume against the sandbox's own disk;
#   - an image build (buildInfo) against `buildah bud` run directly, and a build's cache hit
#     against the default create (root only: builds need it).
#
#   bash scripts/bench-images.sh [BIN]      (default target/debug/daytona-local; N rounds, default 7)
source "$(dirname "$0")/lib.sh"
bin="${1:-target/debug/daytona-local}"
n=${N:-7}
mb=${BIG_MB:-50}
tmp=$(mktemp -d)
server="" registry=""
cleanup() {
  [ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  [ -z "$registry" ] || kill "$registry" 2>/dev/null || true
  findmnt -rn -o TARGET | grep "^$tmp/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
read -r rport registry < <(OCI_BIG_MB=$mb bash tests/support/oci-registry.sh "$tmp/registry")
reg="127.0.0.1:$rport"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data" --api-key bench --console-dir /nonexistent > "$tmp/log" 2>&1 &
server=$!
api="http://127.0.0.1:$port/api"
call() { curl -s -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' "$@"; }
for _ in $(seq 100); do call -f "$api/config" > /dev/null && break; sleep 0.1; done
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
wait_active() {
  local state
  for _ in $(seq 6000); do
    state=$(call "$api/snapshots/$1" | json 'd["state"]')
    case $state in active) return 0 ;; error) call "$api/snapshots/$1" >&2; return 1 ;; esac
    sleep 0.02
  done
  return 1
}

# Pull: the server's (download + unpack) against skopeo's download alone, alternating.
skopeo copy -q --src-tls-verify=false "docker://$reg/test/big:1.0" "oci:$tmp/warm:x"  # the registry's cache warm
for round in $(seq 3); do
  t0=$(now)
  skopeo copy -q --src-tls-verify=false "docker://$reg/test/big:1.0" "oci:$tmp/skopeo$round:x"
  ms "$t0" "$(now)" >> "$tmp/skopeo"
  t0=$(now)
  id=$(call -d "{\"name\":\"big$round\",\"imageName\":\"$reg/test/big:1.0\"}" "$api/snapshots" | json 'd["id"]')
  wait_active "$id"
  ms "$t0" "$(now)" >> "$tmp/pull"
done
sk=$(median < "$tmp/skopeo"); pl=$(median < "$tmp/pull")
echo "BENCH image pull (${mb} MB layer, 127.0.0.1 registry): snapshot active in ${pl} ms (download + unpack), skopeo copy ${sk} ms, ratio $(python3 -c "print(round($pl/$sk, 2))")"

# create -> started: on the busybox snapshot against the default, alternating.
id=$(call -d "{\"name\":\"bb\",\"imageName\":\"$reg/test/busybox:1.0\"}" "$api/snapshots" | json 'd["id"]')
wait_active "$id"
sleep 2  # the pool of ready disks refills
for round in $(seq "$n"); do
  for kind in default image; do
    body='{}'; [ $kind = image ] && body='{"snapshot":"bb"}'
    t=$(curl -s -o "$tmp/sb" -w '%{time_total}' -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' -d "$body" "$api/sandbox")
    grep -q '"state":"started"' "$tmp/sb" || { echo "create failed: $(cat "$tmp/sb")" >&2; exit 1; }
    python3 -c "print(round($t * 1000))" >> "$tmp/create-$kind"
    sid=$(json 'd["id"]' < "$tmp/sb")
    call -o /dev/null -X DELETE "$api/sandbox/$sid"
    sleep 0.3
  done
done
d=$(median < "$tmp/create-default"); i=$(median < "$tmp/create-image")
echo "BENCH create->started on a snapshot: image ${i} ms, default ${d} ms (medians of $n), ratio $(python3 -c "print(round($i/$d, 2))") (goal <= 1.5)"

# Volume throughput against the sandbox's own disk (256 MiB, fsync'd writes; reads as cached).
vid=$(call -d '{"name":"bench"}' "$api/volumes" | json 'd["id"]')
sid=$(call -d "{\"volumes\":[{\"volumeId\":\"$vid\",\"mountPath\":\"/data\"}]}" "$api/sandbox" | json 'd["id"]')
exec_in() { call -d "$(python3 -c 'import json, sys; print(json.dumps({"command": sys.argv[1], "timeout": 120}))' "$1")" "http://127.0.0.1:$port/toolbox/$sid/process/execute" | json 'd["result"]'; }
rate() {  # MB/s of: write or read, at path
  local script
  case $1 in
    write) script="s=\$(date +%s%N); dd if=/dev/zero of=$2 bs=1M count=256 conv=fsync 2>/dev/null; e=\$(date +%s%N); echo \$(( 256 * 1000000000 / (e - s) ))" ;;
    read) script="s=\$(date +%s%N); dd if=$2 of=/dev/null bs=1M 2>/dev/null; e=\$(date +%s%N); echo \$(( 256 * 1000000000 / (e - s) ))" ;;
  esac
  exec_in "sh -c '$script'" | tr -d '\n'
}
for round in $(seq 3); do
  rate write /data/f >> "$tmp/vw"; echo >> "$tmp/vw"
  rate write /home/daytona/f >> "$tmp/hw"; echo >> "$tmp/hw"
  rate read /data/f >> "$tmp/vr"; echo >> "$tmp/vr"
  rate read /home/daytona/f >> "$tmp/hr"; echo >> "$tmp/hr"
done
vw=$(median < "$tmp/vw"); hw=$(median < "$tmp/hw"); vr=$(median < "$tmp/vr"); hr=$(median < "$tmp/hr")
echo "BENCH volume sequential write: ${vw} MB/s, the sandbox's disk ${hw} MB/s, ratio $(python3 -c "print(round($vw/max($hw,1), 2))")"
echo "BENCH volume sequential read (cached): ${vr} MB/s, the sandbox's disk ${hr} MB/s, ratio $(python3 -c "print(round($vr/max($hr,1), 2))")"

# Builds: the server's build of a small Dockerfile (a base pulled from the registry, RUN, ENV)
# into an active snapshot, against `buildah bud` run directly on the same Dockerfile (vfs,
# chroot isolation, pulling the base itself into fresh storage), alternating; then a cache hit:
# create -> started of a sandbox from a buildInfo already built, against the default create.
if [ "$(id -u)" = 0 ] && command -v buildah > /dev/null; then
  mkdir -p "$tmp/ctx"
  for round in $(seq 3); do
    printf 'FROM %s/test/busybox:1.0\nRUN echo %s > /round && mkdir -p /opt/app\nENV ROUND=%s\nWORKDIR /opt/app\n' \
      "$reg" "$round" "$round" > "$tmp/Dockerfile$round"
    t0=$(now)
    buildah --root "$tmp/bs$round" --runroot "$tmp/br$round" --storage-driver vfs bud -q --isolation chroot \
      --tls-verify=false -f "$tmp/Dockerfile$round" -t "bench$round" "$tmp/ctx" > /dev/null
    ms "$t0" "$(now)" >> "$tmp/bud"
    buildah --root "$tmp/bs$round" --runroot "$tmp/br$round" --storage-driver vfs rmi -a -f > /dev/null 2>&1 || true
    rm -rf "$tmp/bs$round" "$tmp/br$round"
    body=$(python3 -c 'import json, sys; print(json.dumps({"name": sys.argv[1], "buildInfo": {"dockerfileContent": open(sys.argv[2]).read()}}))' "built$round" "$tmp/Dockerfile$round")
    t0=$(now)
    id=$(call -d "$body" "$api/snapshots" | json 'd["id"]')
    for _ in $(seq 6000); do
      state=$(call "$api/snapshots/$id" | json 'd["state"]')
      [ "$state" = building ] || break
      sleep 0.02
    done
    [ "$state" = active ] || { call "$api/snapshots/$id" >&2; exit 1; }
    ms "$t0" "$(now)" >> "$tmp/build"
  done
  bd=$(median < "$tmp/bud"); bl=$(median < "$tmp/build")
  echo "BENCH image build (pull + RUN + ENV): snapshot active in ${bl} ms, buildah bud directly ${bd} ms, ratio $(python3 -c "print(round($bl/$bd, 2))")"
  body=$(python3 -c 'import json, sys; print(json.dumps({"buildInfo": {"dockerfileContent": open(sys.argv[1]).read()}}))' "$tmp/Dockerfile1")
  sid=$(call -d "$body" "$api/sandbox" | json 'd["id"]')
  for _ in $(seq 3000); do
    [ "$(call "$api/sandbox/$sid" | json 'd["state"]')" = started ] && break
    sleep 0.05
  done
  call -o /dev/null -X DELETE "$api/sandbox/$sid"
  for round in $(seq "$n"); do
    t=$(curl -s -o "$tmp/sb" -w '%{time_total}' -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' -d "$body" "$api/sandbox")
    grep -q '"state":"started"' "$tmp/sb" || { echo "cached build create failed: $(cat "$tmp/sb")" >&2; exit 1; }
    python3 -c "print(round($t * 1000))" >> "$tmp/create-cached"
    call -o /dev/null -X DELETE "$api/sandbox/$(json 'd["id"]' < "$tmp/sb")"
    sleep 0.3
  done
  c=$(median < "$tmp/create-cached")
  echo "BENCH create->started from an image already built (cache hit): ${c} ms, default create ${d} ms, ratio $(python3 -c "print(round($c/$d, 2))")"
fi
