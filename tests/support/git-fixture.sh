#!/bin/sh
# A git server for the git tests, inside a sandbox (sandboxes cannot reach the host): bare
# repositories under ~/srv (private/app.git needs GIT_SERVER_USER/GIT_SERVER_PASSWORD, open.git
# has branches main and dev, locked.git refuses every push in a pre-receive hook), a seed clone
# in ~/seed, and git_http_server.py (next to this file) serving them on 127.0.0.1:$1.
# Usage: sh git-fixture.sh PORT, with the credentials in the environment.
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd ~
id="-c user.name=Seed -c user.email=seed@example.org"
mkdir -p srv/private
git init -q --bare -b main srv/private/app.git
git init -q --bare -b main srv/open.git
git init -q --bare -b main srv/locked.git
printf '#!/bin/sh\necho "locked by policy" >&2\nexit 1\n' > srv/locked.git/hooks/pre-receive
chmod +x srv/locked.git/hooks/pre-receive
git init -q -b main seed && cd seed
echo hello > README.md && git add . && git $id commit -qm init
git push -q ../srv/private/app.git main && git push -q ../srv/open.git main
git checkout -q -b dev && echo dev > dev.txt && git add . && git $id commit -qm dev
git push -q ../srv/open.git dev && git checkout -q main
cd ~
setsid python3 "$here/git_http_server.py" --root srv --port "$1" </dev/null >/dev/null 2>&1 &
for _ in $(seq 100); do
  git ls-remote "http://127.0.0.1:$1/open.git" >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "the git server did not start" >&2
exit 1
