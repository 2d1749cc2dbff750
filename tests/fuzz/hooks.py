"""schemathesis hooks of both runs (run.sh sets SCHEMATHESIS_HOOKS to this file).

A session runs its commands one after the other, each reading its own input pipe (fed by
SendInput). A generated command that reads standard input (`cat`, `sh`, or values reused from
earlier responses, such as a listed session's `cat`) would therefore wait forever, and every
later command of that session behind it: the run would stall on timeouts instead of testing.
So commands sent to the session exec operation read /dev/null: the generated text still goes
to the server as generated, inside a `{ ...; }` group (an unbalanced quote or brace in it is
still a syntax error, answered like any other).

The control-plane run uses this file too. An accepted snapshot (`POST /snapshots`) or sandbox
with `buildInfo` would pull its image or build its Dockerfile from whatever registry the
generated text names; this machine has no network, so each pull would hang until its timeout.
So the image a body names is put behind `127.0.0.1:9/` (a closed loopback port: the pull fails
at once) and a Dockerfile starts with `FROM 127.0.0.1:9/fuzz:1` (its first pull fails as fast);
the generated text is kept after that prefix, so the server still checks it as generated. A
blank name or Dockerfile is sent as generated: the server refuses it (400) before any pull.
"""

import schemathesis


# A registry that refuses every connection at once.
CLOSED = "127.0.0.1:9"


@schemathesis.hook
def before_call(context, case, kwargs):
    if not isinstance(case.body, dict):
        return
    path = case.operation.path
    if path == "/process/session/{sessionId}/exec":
        command = case.body.get("command")
        if isinstance(command, str) and command.strip():
            case.body = {**case.body, "command": "{ " + command + "\n} </dev/null"}
    elif path in ("/snapshots", "/sandbox") and case.operation.method.upper() == "POST":
        body = dict(case.body)
        if isinstance(body.get("imageName"), str) and body["imageName"].strip():
            body["imageName"] = f"{CLOSED}/{body['imageName']}"
        build = body.get("buildInfo")
        if isinstance(build, dict) and isinstance(build.get("dockerfileContent"), str) and build["dockerfileContent"].strip():
            body["buildInfo"] = {**build, "dockerfileContent": f"FROM {CLOSED}/fuzz:1\n{build['dockerfileContent']}"}
        case.body = body
