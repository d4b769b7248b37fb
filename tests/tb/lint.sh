#!/usr/bin/env bash
# Lint every template with verilator --lint-only -Wall (other templates on
# the include path); exits non-zero on any warning or error.
set -u
cd "$(dirname "$0")/../.." || exit 2
rc=0
for f in templates/*.v; do
    if out=$(verilator --lint-only -Wall -Itemplates "$f" 2>&1) && [ -z "$out" ]; then
        echo "lint ok   $f"
    else
        echo "$out"
        echo "lint FAIL $f"
        rc=1
    fi
done
exit $rc
