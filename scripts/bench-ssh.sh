#!/usr/bin/env bash
# The SSH gateway, measured against references taken in the same run (BENCH lines):
#   - a login that runs one command (`ssh host true`: TCP connect, key exchange, the token's
#     login, a channel into the sandbox, exit) against OpenSSH's own sshd on a loopback port,
#     as root on the host (root only; skipped without /usr/sbin/sshd), medians of N rounds;
#   - the time to the first prompt of an interactive login (`ssh -tt`, until the shell's
#     prompt arrives) against the same sshd;
#   - `scp` of 100 MiB (SFTP) into and out of a sandbox against `cat` of the same file
#     through the toolbox's download (`GET /files/download`), and against scp with sshd.
#
#   bash scripts/bench-ssh.sh [BIN]      (default target/debug/daytona-local; N rounds, default 9)
source "$(dirname "$0")/lib.sh"
bin="${1:-target/debug/daytona-local}"
n=${N:-9}
mib=${MIB:-100}
tmp=$(mktemp -d)
server="" sshd=""
cleanup() {
  [ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  [ -z "$sshd" ] || kill "$sshd" 2>/dev/null || true
  findmnt -rn -o TARGET | grep "^$tmp/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port) ssh_port=$(free_port)
"$bin" serve --listen "127.0.0.1:$port" --ssh-listen "127.0.0.1:$ssh_port" --data-dir "$tmp/data" --api-key bench \
  --console-dir /nonexistent > "$tmp/log" 2>&1 &
server=$!
api="http://127.0.0.1:$port/api"
for _ in $(seq 150); do curl -fs -H "Authorization: Bearer bench" "$api/config" >/dev/null 2>&1 && break; sleep 0.1; done
call() { curl -fsS -H "Authorization: Bearer bench" -H 'Content-Type: application/json' "$@"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
id=$(call -X POST "$api/sandbox" -d '{"autoStopInterval":0}' | json "['id']")
token=$(call -X POST "$api/sandbox/$id/ssh-access?expiresInMinutes=60" | json "['token']")
opts=(-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR
  -o IdentityAgent=none)
gateway=(-p "$ssh_port" "$token@127.0.0.1")

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ms() { python3 -c 'import time; print(time.monotonic_ns() // 1000)'; }
# Wall time in ms of "$@" (its output discarded); a failing run fails the benchmark (set -e: a
# failed login must not pass for a fast one).
timed() {
  local a b
  a=$(ms)
  "$@" >/dev/null 2>"$tmp/timed.err" < /dev/null || { echo "bench-ssh: failed: $*" >&2; cat "$tmp/timed.err" >&2; return 1; }
  b=$(ms)
  echo $(( (b - a) / 1000 ))
}
# Time in ms from the start of an interactive login to the first prompt ($ PS1 set by -tt bash).
first_prompt() {
  python3 - "$@" <<'PY'
import os, pty, select, sys, time
start = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
buf = b""
deadline = start + 30
while time.monotonic() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if not r:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    buf += chunk
    if b"$ " in buf or b"# " in buf:
        print(int((time.monotonic() - start) * 1000))
        break
else:
    buf += b" (no prompt within 30 s)"
prompted = b"$ " in buf or b"# " in buf
try:
    os.write(fd, b"exit\n")
except OSError:
    pass
os.waitpid(pid, 0)
if not prompted:
    sys.exit(f"bench-ssh: no prompt from {' '.join(sys.argv[1:])}: {buf[-300:]!r}")
PY
}

reference=0
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ]; then
  ref_port=$(free_port)
  mkdir -p "$tmp/sshd" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$tmp/sshd/host"
  ssh-keygen -q -t ed25519 -N '' -f "$tmp/sshd/client"
  cp "$tmp/sshd/client.pub" "$tmp/sshd/authorized_keys"
  /usr/sbin/sshd -D -e -f /dev/null -p "$ref_port" -o ListenAddress=127.0.0.1 -h "$tmp/sshd/host" \
    -o AuthorizedKeysFile="$tmp/sshd/authorized_keys" -o StrictModes=no -o PermitRootLogin=prohibit-password \
    -o PidFile="$tmp/sshd/pid" -o UsePAM=no -o "Subsystem=sftp /usr/lib/openssh/sftp-server" \
    2> "$tmp/sshd/log" &
  sshd=$!
  plain=(-i "$tmp/sshd/client" -p "$ref_port" root@127.0.0.1)
  for _ in $(seq 50); do ssh "${opts[@]}" "${plain[@]}" true 2>/dev/null && { reference=1; break; }; sleep 0.1; done
  [ "$reference" = 1 ] || { echo "bench-ssh: the reference sshd did not start:"; cat "$tmp/sshd/log"; }
fi

# Warm both (caches, the sandbox's first shell).
ssh "${opts[@]}" "${gateway[@]}" true
g=() p=() gp=() pp=()
for _ in $(seq "$n"); do
  g+=("$(timed ssh "${opts[@]}" "${gateway[@]}" true)")
  gp+=("$(first_prompt ssh "${opts[@]}" -tt "${gateway[@]}")")
  if [ "$reference" = 1 ]; then
    p+=("$(timed ssh "${opts[@]}" "${plain[@]}" true)")
    pp+=("$(first_prompt ssh "${opts[@]}" -tt "${plain[@]}")")
  fi
done
gm=$(printf '%s\n' "${g[@]}" | median) gpm=$(printf '%s\n' "${gp[@]}" | median)
if [ "$reference" = 1 ]; then
  pm=$(printf '%s\n' "${p[@]}" | median) ppm=$(printf '%s\n' "${pp[@]}" | median)
  echo "BENCH ssh login+command: gateway ${gm} ms, sshd ${pm} ms (ratio $(python3 -c "print(round($gm/max($pm,1),2))"))"
  echo "BENCH ssh first prompt:  gateway ${gpm} ms, sshd ${ppm} ms (ratio $(python3 -c "print(round($gpm/max($ppm,1),2))"))"
else
  echo "BENCH ssh login+command: gateway ${gm} ms; first prompt ${gpm} ms (no sshd reference here)"
fi

# 100 MiB both ways.
head -c "$((mib << 20))" /dev/urandom > "$tmp/blob"
up=$(timed scp "${opts[@]}" -P "$ssh_port" "$tmp/blob" "$token@127.0.0.1:blob")
down=$(timed scp "${opts[@]}" -P "$ssh_port" "$token@127.0.0.1:blob" "$tmp/back")
cmp -s "$tmp/blob" "$tmp/back" || { echo "bench-ssh: the file came back different" >&2; exit 1; }
toolbox=$(timed curl -fsS -H "Authorization: Bearer bench" -o "$tmp/viatoolbox" \
  "http://127.0.0.1:$port/toolbox/$id/files/download?path=blob")
cmp -s "$tmp/blob" "$tmp/viatoolbox" || { echo "bench-ssh: the toolbox download differs" >&2; exit 1; }
rate() { python3 -c "print(round($mib / max($1, 1) * 1000))"; }
echo "BENCH scp ${mib} MiB: upload ${up} ms ($(rate "$up") MiB/s), download ${down} ms ($(rate "$down") MiB/s); toolbox download ${toolbox} ms ($(rate "$toolbox") MiB/s) (download ratio $(python3 -c "print(round($down/max($toolbox,1),2))"))"
if [ "$reference" = 1 ]; then
  ref_up=$(timed scp "${opts[@]}" -i "$tmp/sshd/client" -P "$ref_port" "$tmp/blob" root@127.0.0.1:"$tmp/sshd/copy")
  ref_down=$(timed scp "${opts[@]}" -i "$tmp/sshd/client" -P "$ref_port" root@127.0.0.1:"$tmp/sshd/copy" "$tmp/refback")
  cmp -s "$tmp/blob" "$tmp/refback" || { echo "bench-ssh: the reference copy came back different" >&2; exit 1; }
  echo "BENCH scp ${mib} MiB with sshd (reference): upload ${ref_up} ms ($(rate "$ref_up") MiB/s), download ${ref_down} ms ($(rate "$ref_down") MiB/s)"
fi
