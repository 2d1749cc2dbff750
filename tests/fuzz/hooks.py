"""schemathesis hooks of the toolbox run (run.sh sets SCHEMATHESIS_HOOKS to this file).

A session runs its commands one after the other, each reading its own input pipe (fed by
SendInput). A generated command that reads standard input (`cat`, `sh`, or values reused from
earlier responses, such as a listed session's `cat`) would therefore wait forever, and every
later command of that session behind it: the run would stall on timeouts instead of testing.
So commands sent to the session exec operation read /dev/null: the generated text still goes
to the server as generated, inside a `{ ...; }` group (an unbalanced quote or brace in it is
still a syntax error, answered like any other).
"""

import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.path != "/process/session/{sessionId}/exec" or not isinstance(case.body, dict):
        return
    command = case.body.get("command")
    if isinstance(command, str) and command.strip():
        case.body = {**case.body, "command": "{ " + command + "\n} </dev/null"}
