#!/bin/sh
# run-unit.sh [TEST_BINARY...] - run the core unit tests, with keys made at
# test time by openssl(1) and tokens by jsonwebtoken (node) and PyJWT
# (Debian's python3-jwt): mkfixtures.sh, which `make check` runs too.
#
# TEST_BINARY defaults to t/unit/test_core and t/unit/test_keys (relative
# to the current directory, e.g. the build directory); each gets the
# fixture directory and prints its own "unit: N passed, M failed" line.
# NODE_PATH defaults to the repo's node/node_modules (cd node && npm ci).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
    set -- t/unit/test_core t/unit/test_keys t/unit/test_jscan t/unit/test_b64
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jwtsso-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Here the fixtures are required: a missing tool (exit 77) fails the run.
if ! sh "$here/mkfixtures.sh" "$tmp"; then
    echo "run-unit.sh: making the fixtures failed (above)" >&2
    exit 1
fi

rc=0
for bin in "$@"; do
    "$bin" "$tmp" || rc=1
done
exit $rc
