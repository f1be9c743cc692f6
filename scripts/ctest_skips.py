#!/usr/bin/env python3
"""Says why each test of the last ctest run did not run, and fails CI on any of them.

ctest's summary lists skipped tests by name only ("The following tests did not run"); the
reason is in each test's output (`SKIPPED: <why>` from a test registered without its tool
or data, `[  SKIPPED ]` and the message from a GTEST_SKIP), kept in
Testing/Temporary/LastTest.log. With CI=true (or --strict) any test that did not run is an
error: CI runs on a machine that has everything.

Usage: ctest_skips.py BUILD_DIR CTEST_OUTPUT [--strict]
"""

import os
import re
import sys


def did_not_run(ctest_output):
    """(name, ctest's status word) for every test in the summary's "did not run" list."""
    found = []
    listing = False
    for line in ctest_output.splitlines():
        if line.startswith("The following tests did not run:"):
            listing = True
            continue
        if listing:
            m = re.match(r"\s+\d+ - (\S+) \((.+)\)\s*$", line)
            if not m:
                listing = False
                continue
            found.append((m.group(1), m.group(2)))
    return found


def reasons(last_test_log):
    """Test name -> the reason its output gives for skipping."""
    out = {}
    for block in re.split(r"^-{58}\n\n", last_test_log, flags=re.M):
        name = re.search(r"^\d+/\d+ Test: (\S+)$", block, re.M)
        output = re.search(r"^Output:\n-{58}\n(.*?)^<end of output>$", block, re.M | re.S)
        if not name or not output:
            continue
        text = output.group(1)
        m = re.search(r"SKIPPED: (.+)", text)
        if m:
            out[name.group(1)] = m.group(1).strip()
            continue
        # GTEST_SKIP: the message is printed just before the "[  SKIPPED ]" line.
        m = re.search(r"(?:^|\n)([^\n]*)\n\[  SKIPPED \]", text)
        if m:
            out[name.group(1)] = m.group(1).strip() or "GTEST_SKIP"
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    build_dir, ctest_output = argv[1], argv[2]
    strict = "--strict" in argv[3:] or os.environ.get("CI") == "true"
    with open(ctest_output, errors="replace") as f:
        skipped = did_not_run(f.read())
    if not skipped:
        return 0
    log_path = os.path.join(build_dir, "Testing", "Temporary", "LastTest.log")
    why = {}
    if os.path.exists(log_path):
        with open(log_path, errors="replace") as f:
            why = reasons(f.read())
    print(f"\n{len(skipped)} test(s) did not run:")
    for name, status in skipped:
        print(f"  {name} ({status}): {why.get(name, 'no reason printed')}")
    if strict:
        print("CI runs every test: a skipped test is a failure here (install what it needs).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
