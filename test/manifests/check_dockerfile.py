#!/usr/bin/env python3
"""Static checks of the Dockerfile against the binary this build produced.

No Docker engine runs here, so the image itself cannot be built in CI. What can go wrong
without one showing it is checked instead: every shared library the binary links must come
from a package the runtime stage installs (or from debian:bookworm-slim itself), every COPY
source must exist, and the image must run the binary as a numeric non-root user.
"""

import argparse
import os
import re
import subprocess
import sys

# Packages debian:bookworm-slim already carries (apt itself depends on them).
BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}
# Runtimes of a --sanitized build (make asan-test); the image is built without sanitizers.
SANITIZER_PACKAGES = {"libasan8", "libubsan1", "libtsan2"}


def stages(text):
    """[(from_line, [instruction lines])] with continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            result.append((line, []))
        elif result:
            result[-1][1].append(line)
    return result


def package_of(path):
    real = os.path.realpath(path)
    for candidate in (path, real, "/usr" + real if not real.startswith("/usr/") else real[4:]):
        out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.split(":")[0].strip()
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--sanitized", action="store_true", help="the binary links sanitizer runtimes")
    args = parser.parse_args()
    errors = []
    with open(os.path.join(args.root, "Dockerfile")) as f:
        parsed = stages(f.read())
    if len(parsed) < 2:
        print("Dockerfile: expected a build stage and a runtime stage")
        return 1
    runtime_from, runtime = parsed[-1]
    if "bookworm" not in runtime_from:
        errors.append(f"runtime stage is not Debian bookworm: {runtime_from}")

    installed = set()
    for line in runtime:
        m = re.search(r"apt-get install (.*?)(?:&&|$)", line)
        if m:
            installed |= {w for w in m.group(1).split() if not w.startswith("-")}
    ldd = subprocess.run(["ldd", args.binary], capture_output=True, text=True, check=True).stdout
    for lib in re.findall(r"=> (/\S+)", ldd):
        package = package_of(lib)
        if package is None:
            errors.append(f"{lib}: no Debian package provides it")
        elif args.sanitized and package in SANITIZER_PACKAGES:
            continue
        elif package not in installed and package not in BASE_PACKAGES:
            errors.append(f"{lib} comes from {package}, which the runtime stage does not install")

    for _, instructions in parsed:
        for line in instructions:
            if line.upper().startswith("COPY ") and "--from=" not in line:
                for source in line.split()[1:-1]:
                    if source != "." and not os.path.exists(os.path.join(args.root, source)):
                        errors.append(f"COPY source {source} does not exist")
            m = re.search(r"bash (scripts/\S+)", line)
            if m and not os.path.exists(os.path.join(args.root, m.group(1))):
                errors.append(f"RUN uses {m.group(1)}, which does not exist")

    users = [line.split()[1] for line in runtime if line.upper().startswith("USER ")]
    if not users or not re.fullmatch(r"[1-9][0-9]*(:[0-9]+)?", users[-1]):
        errors.append("the runtime stage must end as a numeric non-root USER (runAsNonRoot)")
    entry = [line for line in runtime if line.upper().startswith("ENTRYPOINT")]
    copied = [line.split()[-1] for line in runtime if line.upper().startswith("COPY ") and "--from=" in line]
    if not entry or not any(dest in entry[-1] for dest in copied):
        errors.append("ENTRYPOINT does not run the binary copied from the build stage")

    for e in errors:
        print("Dockerfile:", e)
    print(f"Dockerfile: {len(re.findall(r'=> /', ldd))} linked libraries, runtime installs "
          f"{sorted(installed - {'ca-certificates'})}: {'OK' if not errors else 'FAILED'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
