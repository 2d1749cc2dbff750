#!/usr/bin/env python3
"""A real git server for the tests: git's own smart-HTTP backend (`git http-backend`) behind
a small HTTP server with Basic authentication.

Repositories live under --root; those under `private/` need the user and password given in
the environment (GIT_SERVER_USER, GIT_SERVER_PASSWORD, never on the command line), the others
are open. Pushes are accepted from anyone who may read. Run inside a sandbox (a sandbox cannot
reach the host), e.g. `python3 git_http_server.py --root ~/srv --port 8417 &`.
"""

import argparse
import base64
import os
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def read_chunked(rfile):
    body = bytearray()
    while True:
        size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            rfile.readline()
            return bytes(body)
        body += rfile.read(size)
        rfile.readline()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the tests read their own output
        pass

    def authorized(self, path):
        if not path.startswith("/private/"):
            return "anonymous"
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode("utf-8", "replace").partition(":")
            if user == os.environ["GIT_SERVER_USER"] and password == os.environ["GIT_SERVER_PASSWORD"]:
                return user
        return None

    def handle_any(self):
        path, _, query = self.path.partition("?")
        user = self.authorized(path)
        if user is None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = read_chunked(self.rfile)
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.server.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": user,
            "REMOTE_ADDR": self.client_address[0],
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
        }
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = handle_any
    do_POST = handle_any


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.root = os.path.abspath(args.root)
    print(f"git server on 127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
