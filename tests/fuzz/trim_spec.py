#!/usr/bin/env python3
"""Cuts Daytona's published OpenAPI specs down to the operations daytona-local serves.

    python3 tests/fuzz/trim_spec.py [--api PATH] [--toolbox PATH]

reads the two specs (default: ../shared/reference/openapi/ beside the repo) and writes
tests/fuzz/specs/api.json and tests/fuzz/specs/toolbox.json: each keeps the operations listed in
SERVED below, every schema/definition/parameter/response they reference (transitively), and the
spec's own header (info, servers, security schemes). Nothing else is rewritten except the few
CORRECTIONS below, each where the published file disagrees with Daytona's own behaviour and
SDK. The fuzz run (tests/fuzz/run.sh) takes these files as its input.

SERVED is the one list of what is fuzzed: when an area lands in the server, add its operations
here (method, path exactly as the spec spells it) and run this script again. An operation named
here that the spec lacks is an error, so a typo cannot silently drop one.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REFERENCE = os.path.join(os.path.dirname(ROOT), "shared", "reference", "openapi")

# Operations served by daytona-local that Daytona's specs also describe, per area.
# Left out on purpose (see README.md): WebSocket-only operations (101), routes that exist only
# in daytona-local (PTY create-connect, tunnel, /project-dir), and spec operations that the
# server's routes would match under another meaning.
SERVED = {
    "api": [
        # server/src/app/mod.rs (router)
        ("get", "/config"),
        # server/src/control/sandboxes.rs (routes)
        ("post", "/sandbox"),
        ("get", "/sandbox"),
        ("get", "/sandbox/paginated"),
        ("get", "/sandbox/{sandboxIdOrName}"),
        ("delete", "/sandbox/{sandboxIdOrName}"),
        ("post", "/sandbox/{sandboxIdOrName}/start"),
        ("post", "/sandbox/{sandboxIdOrName}/stop"),
        ("post", "/sandbox/{sandboxIdOrName}/archive"),
        ("post", "/sandbox/{sandboxIdOrName}/pause"),
        ("post", "/sandbox/{sandboxIdOrName}/fork"),
        ("post", "/sandbox/{sandboxIdOrName}/snapshot"),
        ("post", "/sandbox/{sandboxIdOrName}/recover"),
        ("post", "/sandbox/{sandboxIdOrName}/resize"),
        ("post", "/sandbox/{sandboxIdOrName}/network-settings"),
        ("put", "/sandbox/{sandboxIdOrName}/labels"),
        ("post", "/sandbox/{sandboxIdOrName}/public/{isPublic}"),
        ("post", "/sandbox/{sandboxIdOrName}/autostop/{interval}"),
        ("post", "/sandbox/{sandboxIdOrName}/autopause/{interval}"),
        ("post", "/sandbox/{sandboxIdOrName}/autoarchive/{interval}"),
        ("post", "/sandbox/{sandboxIdOrName}/autodelete/{interval}"),
        ("post", "/sandbox/{sandboxIdOrName}/ttl/{ttlMinutes}"),
        ("post", "/sandbox/{sandboxId}/last-activity"),
        ("get", "/sandbox/{sandboxId}/toolbox-proxy-url"),
        ("get", "/sandbox/{sandboxIdOrName}/ports/{port}/preview-url"),
        ("get", "/sandbox/{sandboxIdOrName}/ports/{port}/signed-preview-url"),
        ("post", "/sandbox/{sandboxIdOrName}/ports/{port}/signed-preview-url/{token}/expire"),
        ("get", "/sandbox/{sandboxId}/signing-key"),
        ("post", "/sandbox/{sandboxId}/signing-key/rotate"),
        # server/src/control/ssh_access.rs (routes)
        ("post", "/sandbox/{sandboxIdOrName}/ssh-access"),
        ("delete", "/sandbox/{sandboxIdOrName}/ssh-access"),
        ("get", "/sandbox/ssh-access/validate"),
        # server/src/control/telemetry.rs (routes)
        ("get", "/sandbox/{sandboxId}/telemetry/metrics"),
        ("get", "/sandbox/{sandboxId}/telemetry/logs"),
        ("get", "/sandbox/{sandboxId}/telemetry/traces"),
        # server/src/control/volumes.rs (routes)
        ("get", "/volumes"),
        ("post", "/volumes"),
        ("get", "/volumes/{volumeId}"),
        ("delete", "/volumes/{volumeId}"),
        ("get", "/volumes/by-name/{name}"),
        # server/src/control/snapshots.rs (routes). POST /snapshots with hooks.py pointing
        # what it would pull or build at a closed loopback port (no network here).
        ("get", "/snapshots"),
        ("post", "/snapshots"),
        ("get", "/snapshots/{id}"),
        ("delete", "/snapshots/{id}"),
        ("post", "/snapshots/{id}/activate"),
        ("post", "/snapshots/{id}/deactivate"),
        # server/src/control/organizations.rs (routes)
        ("get", "/organizations"),
        ("get", "/organizations/{organizationId}"),
        ("get", "/organizations/{organizationId}/usage"),
        # server/src/control/registries.rs (routes)
        ("get", "/docker-registry"),
        ("post", "/docker-registry"),
        ("get", "/docker-registry/registry-push-access"),
        ("get", "/docker-registry/{id}"),
        ("patch", "/docker-registry/{id}"),
        ("delete", "/docker-registry/{id}"),
        # server/src/control/builds.rs (routes)
        ("get", "/object-storage/push-access"),
        ("get", "/snapshots/{id}/build-logs-url"),
        ("get", "/snapshots/{id}/build-logs"),
        ("get", "/sandbox/{sandboxIdOrName}/build-logs-url"),
        ("get", "/sandbox/{sandboxIdOrName}/build-logs"),
    ],
    "toolbox": [
        # server/src/agent/mod.rs (run)
        ("get", "/version"),
        ("get", "/user-home-dir"),
        ("get", "/work-dir"),
        ("post", "/process/execute"),
        ("post", "/process/code-run"),
        # server/src/agent/ports.rs, env.rs; server/src/proxy/metrics.rs
        ("get", "/port"),
        ("get", "/port/{port}/in-use"),
        ("post", "/env"),
        ("get", "/system/metrics"),
        # server/src/agent/session/mod.rs
        ("post", "/process/session"),
        ("get", "/process/session"),
        ("get", "/process/session/entrypoint/logs"),
        ("get", "/process/session/{sessionId}"),
        ("delete", "/process/session/{sessionId}"),
        ("post", "/process/session/{sessionId}/exec"),
        ("get", "/process/session/{sessionId}/command/{commandId}"),
        ("get", "/process/session/{sessionId}/command/{commandId}/logs"),
        ("post", "/process/session/{sessionId}/command/{commandId}/input"),
        # server/src/agent/pty/mod.rs (connect is a WebSocket: left out)
        ("post", "/process/pty"),
        ("get", "/process/pty"),
        ("get", "/process/pty/{sessionId}"),
        ("delete", "/process/pty/{sessionId}"),
        ("post", "/process/pty/{sessionId}/resize"),
        # server/src/agent/interpreter/mod.rs (execute is a WebSocket: left out)
        ("post", "/process/interpreter/context"),
        ("get", "/process/interpreter/context"),
        ("delete", "/process/interpreter/context/{id}"),
        # server/src/agent/computer_use/mod.rs (left out: recordings/start, as every example
        # would leave a recording ffmpeg running; the a11y routes, which answer 503 by design)
        ("post", "/computeruse/start"),
        ("post", "/computeruse/stop"),
        ("get", "/computeruse/status"),
        ("get", "/computeruse/process-status"),
        ("get", "/computeruse/process/{processName}/status"),
        ("get", "/computeruse/process/{processName}/logs"),
        ("get", "/computeruse/process/{processName}/errors"),
        ("get", "/computeruse/mouse/position"),
        ("post", "/computeruse/mouse/move"),
        ("post", "/computeruse/mouse/click"),
        ("post", "/computeruse/mouse/drag"),
        ("post", "/computeruse/mouse/scroll"),
        ("post", "/computeruse/keyboard/type"),
        ("post", "/computeruse/keyboard/key"),
        ("post", "/computeruse/keyboard/hotkey"),
        ("get", "/computeruse/screenshot"),
        ("get", "/computeruse/screenshot/region"),
        ("get", "/computeruse/screenshot/compressed"),
        ("get", "/computeruse/screenshot/region/compressed"),
        ("get", "/computeruse/display/info"),
        ("get", "/computeruse/display/windows"),
        ("get", "/computeruse/recordings"),
        ("post", "/computeruse/recordings/stop"),
        ("get", "/computeruse/recordings/{id}"),
        ("delete", "/computeruse/recordings/{id}"),
        ("get", "/computeruse/recordings/{id}/download"),
        # server/src/agent/git/mod.rs (left out: clone, pull and push, which would reach out to
        # whatever host an example names and wait on it)
        ("post", "/git/add"),
        ("get", "/git/branches"),
        ("post", "/git/branches"),
        ("delete", "/git/branches"),
        ("post", "/git/checkout"),
        ("post", "/git/commit"),
        ("get", "/git/config"),
        ("post", "/git/config"),
        ("post", "/git/config/user"),
        ("post", "/git/credentials"),
        ("get", "/git/history"),
        ("post", "/git/init"),
        ("get", "/git/remotes"),
        ("post", "/git/remotes"),
        ("post", "/git/reset"),
        ("post", "/git/restore"),
        ("get", "/git/status"),
        # server/src/agent/lsp/mod.rs (the socket is a WebSocket: left out)
        ("post", "/lsp/start"),
        ("post", "/lsp/stop"),
        ("post", "/lsp/did-open"),
        ("post", "/lsp/did-close"),
        ("get", "/lsp/document-symbols"),
        ("get", "/lsp/workspacesymbols"),
        ("post", "/lsp/completions"),
        # server/src/agent/files/mod.rs
        ("get", "/files"),
        ("delete", "/files"),
        ("get", "/files/info"),
        ("get", "/files/find"),
        ("get", "/files/search"),
        ("post", "/files/folder"),
        ("post", "/files/move"),
        ("post", "/files/permissions"),
        ("post", "/files/replace"),
        ("post", "/files/bulk-download"),
        ("post", "/files/bulk-upload"),
        ("get", "/files/download"),
        ("post", "/files/upload-v2"),
    ],
}

# Where the published spec file is wrong about Daytona itself. Each is applied to the trimmed
# output; keep them few and say why.
CORRECTIONS = {
    "api": [
        # An organization that is not suspended has no suspension time or reason: the spec
        # marks the three required and not nullable, which no server can answer truthfully.
        ("nullable", "#/components/schemas/Organization/properties/suspendedAt", None),
        ("nullable", "#/components/schemas/Organization/properties/suspensionReason", None),
        ("nullable", "#/components/schemas/Organization/properties/suspendedUntil", None),
    ],
    "toolbox": [
        # The daemon's error codes: the generated toolbox client of the pinned SDK
        # (daytona-toolbox-api-client 0.226.1, DaemonErrorCode) and the SDK's error mapping
        # (daytona.common.errors: DaytonaInvalidFilePathError, DaytonaFileReadFailedError) have
        # these two; the spec file at clients@d94a128 lacks them.
        ("enum-add", "#/definitions/DaemonErrorCode", ["INVALID_FILE_PATH", "FILE_READ_FAILED"]),
        # Errors are ErrorResponse JSON on every operation (the spec documents the schema for
        # their 4xx/5xx) but Swagger 2 has one `produces` per operation: add JSON where it is
        # missing, so an error's content type is not taken for a violation.
        ("produces-add", ("post", "/files/bulk-download"), ["application/json"]),
        # GET /git/config answers `{"value": null}` for a key that is not set, as the spec's own
        # description says ("null when the key is not set") and the SDKs read it; Swagger 2
        # cannot say nullable but for the `x-nullable` extension.
        ("nullable", "#/definitions/GitConfigResponse/properties/value", None),
    ],
}

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def refs(node):
    """Every local $ref string inside node."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def resolve(spec, ref):
    if not ref.startswith("#/"):
        sys.exit(f"external $ref not supported: {ref}")
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def trim(spec, served):
    out = {k: v for k, v in spec.items() if k not in ("paths", "components", "definitions", "parameters",
                                                       "responses", "tags")}
    paths = {}
    for method, path in served:
        item = spec["paths"].get(path, {})
        if method not in item:
            sys.exit(f"{method.upper()} {path} is not in the spec")
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k not in METHODS})
        kept[method] = item[method]
    # Keep the spec's path order (stable output, easy diffs).
    out["paths"] = {p: {m: paths[p][m] for m in spec["paths"][p] if m in paths[p]}
                    for p in spec["paths"] if p in paths}

    # Transitive closure of the references, starting from the kept operations.
    seen, todo = set(), list(refs(out["paths"]))
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        todo.extend(refs(resolve(spec, ref)))

    def keep(section):
        """A component section (e.g. components/schemas) with only the referenced entries."""
        node = resolve(spec, "#/" + section)
        prefix = "#/" + section + "/"
        return {k: v for k, v in node.items() if prefix + k.replace("~", "~0").replace("/", "~1") in seen}

    if "openapi" in spec:
        comps = {}
        for section in spec.get("components", {}):
            if section == "securitySchemes":
                comps[section] = spec["components"][section]
            else:
                kept = keep("components/" + section)
                if kept:
                    comps[section] = kept
        out["components"] = comps
    else:
        for section in ("definitions", "parameters", "responses"):
            if section in spec:
                kept = keep(section)
                if kept:
                    out[section] = kept
    used_tags = {t for item in out["paths"].values() for m, op in item.items() if m in METHODS
                 for t in op.get("tags", [])}
    if "tags" in spec:
        out["tags"] = [t for t in spec["tags"] if t.get("name") in used_tags]
    return out


def correct(spec, corrections):
    for kind, where, values in corrections:
        if kind == "enum-add":
            node = resolve(spec, where)
            node["enum"] = node["enum"] + [v for v in values if v not in node["enum"]]
            if "x-enum-varnames" in node:
                # Keep the generator's names list as long as the enum (names in Go style).
                names = ["Code" + "".join(w.capitalize() for w in v.lower().split("_")) for v in values]
                node["x-enum-varnames"] = node["x-enum-varnames"] + names[: len(node["enum"]) - len(node["x-enum-varnames"])]
        elif kind == "produces-add":
            method, path = where
            op = spec["paths"][path][method]
            op["produces"] = op.get("produces", []) + [v for v in values if v not in op.get("produces", [])]
        elif kind == "nullable":
            # OpenAPI 3's keyword, or Swagger 2's extension.
            resolve(spec, where)["nullable" if "openapi" in spec else "x-nullable"] = True
        else:
            sys.exit(f"unknown correction {kind}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--api", default=os.path.join(REFERENCE, "daytona-api.openapi.json"))
    ap.add_argument("--toolbox", default=os.path.join(REFERENCE, "daytona-toolbox.swagger.json"))
    ap.add_argument("--out", default=os.path.join(HERE, "specs"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for area, src in (("api", args.api), ("toolbox", args.toolbox)):
        with open(src, encoding="utf-8") as f:
            spec = json.load(f)
        out = trim(spec, SERVED[area])
        correct(out, CORRECTIONS.get(area, []))
        dst = os.path.join(args.out, area + ".json")
        with open(dst, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2, ensure_ascii=False)
            f.write("\n")
        n_ops = sum(1 for item in out["paths"].values() for m in item if m in METHODS)
        print(f"{dst}: {n_ops} operations", file=sys.stderr)


if __name__ == "__main__":
    main()
