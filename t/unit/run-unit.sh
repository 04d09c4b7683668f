#!/bin/sh
# run-unit.sh [TEST_BINARY] - run the core unit tests, with tokens made at
# test time by jsonwebtoken (node) and PyJWT (Debian's python3-jwt).
#
# TEST_BINARY defaults to t/unit/test_core (relative to the current
# directory, e.g. the build directory). NODE_PATH defaults to the repo's
# node/node_modules (cd node && npm ci).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${1:-t/unit/test_core}
NODE_PATH=${NODE_PATH:-$top/node/node_modules}
export NODE_PATH

if ! node -e "require('jsonwebtoken')" 2>/dev/null; then
    echo "run-unit.sh: jsonwebtoken not found in NODE_PATH=$NODE_PATH" \
         "(run: cd node && npm ci)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jwtsso-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

node "$here/mkfixtures.js" "$tmp"
# Debian's python3 and python3-jwt, not whatever python3 is first on PATH.
/usr/bin/python3 "$here/mkfixtures.py" "$tmp"

rc=0
"$bin" "$tmp" || rc=$?
exit $rc
