"""Prints, as JSON, the Dockerfile the official Python SDK's `Image` writes for each chain of
builder calls in the file named by argv[1] (tests/support/image-chains.json): the reference the
models' `Dockerfile` builder must equal byte for byte (models/tests/image_dockerfile.rs).

Local files a chain names are made first, in a temporary working directory."""

import json
import os
import sys
import tempfile

from daytona import Image


def make(path, directory=False):
    target = os.path.join(path, "x.txt") if directory else path
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        f.write("requests\n")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        chains = json.load(f)
    os.chdir(tempfile.mkdtemp(prefix="dl-image-"))
    out = []
    for n, chain in enumerate(chains):
        img = None
        for op, *args in chain:
            if op == "base":
                img = Image.base(args[0])
            elif op == "debian_slim":
                img = Image.debian_slim(args[0])
            elif op == "from_dockerfile_text":
                path = f"Dockerfile.{n}"
                with open(path, "w", encoding="utf-8") as f:
                    f.write(args[0])
                img = Image.from_dockerfile(path)
            elif op == "pip_install":
                img = img.pip_install(*args[0], **args[1])
            elif op == "pip_install_from_requirements":
                make(args[0])
                img = img.pip_install_from_requirements(args[0], **args[1])
            elif op == "pip_install_from_pyproject":
                path = f"pyproject.{n}.toml"
                with open(path, "w", encoding="utf-8") as f:
                    f.write(args[0])
                img = img.pip_install_from_pyproject(path, args[1], **args[2])
            elif op == "add_local_file":
                make(args[0])
                img = img.add_local_file(args[0], args[1])
            elif op == "add_local_dir":
                make(args[0], directory=True)
                img = img.add_local_dir(args[0], args[1])
            elif op == "run_commands":
                img = img.run_commands(*args[0])
            elif op == "env":
                img = img.env(dict(args[0]))
            elif op in ("workdir", "entrypoint", "cmd", "dockerfile_commands"):
                img = getattr(img, op)(args[0])
            else:
                raise SystemExit(f"unknown op {op}")
        out.append(img.dockerfile())
    print(json.dumps(out))


main()
