#!/bin/sh
# run-unit.sh [TEST_BINARY...] - run the core unit tests, with keys made at
# test time by openssl(1) and tokens by jsonwebtoken (node) and PyJWT
# (Debian's python3-jwt).
#
# TEST_BINARY defaults to t/unit/test_core and t/unit/test_keys (relative
# to the current directory, e.g. the build directory); each gets the
# fixture directory and prints its own "unit: N passed, M failed" line.
# NODE_PATH defaults to the repo's node/node_modules (cd node && npm ci).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
if [ $# -eq 0 ]; then
    set -- t/unit/test_core t/unit/test_keys t/unit/test_jscan t/unit/test_vcache t/unit/test_b64
fi
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

# Keys for test_keys (PEM loading) and for mkfixtures.js to sign with.
# OpenSSL 3's openssl(1); -quiet keeps genpkey's progress dots away.
k=$tmp
gen() {      # gen NAME ALGORITHM [-pkeyopt ...]: NAME.key and NAME.pub
    name=$1
    shift
    openssl genpkey -quiet -algorithm "$@" -out "$k/$name.key"
    openssl pkey -in "$k/$name.key" -pubout -out "$k/$name.pub"
}
gen rsa2048 RSA -pkeyopt rsa_keygen_bits:2048
gen rsa1024 RSA -pkeyopt rsa_keygen_bits:1024
gen rsapss RSA-PSS -pkeyopt rsa_keygen_bits:2048
gen ec256 EC -pkeyopt ec_paramgen_curve:P-256
gen ec384 EC -pkeyopt ec_paramgen_curve:P-384
gen ec521 EC -pkeyopt ec_paramgen_curve:P-521
gen secp256k1 EC -pkeyopt ec_paramgen_curve:secp256k1
gen ed25519 ED25519
gen ed448 ED448
gen x25519 X25519
# PKCS#1 "RSA PUBLIC KEY", traditional "RSA PRIVATE KEY", a certificate
openssl rsa -in "$k/rsa2048.key" -RSAPublicKey_out -out "$k/rsa2048.pkcs1" \
    2>/dev/null
openssl pkey -in "$k/rsa2048.key" -traditional -out "$k/rsa2048.trad"
openssl req -x509 -new -key "$k/rsa2048.key" -subj /CN=jwtsso-unit -days 2 \
    -out "$k/rsa2048.crt"
# "EC PARAMETERS" then "EC PRIVATE KEY"; a P-256 key with explicit curve
# parameters; an encrypted private key (must fail, never prompt)
openssl ecparam -name prime256v1 -genkey -out "$k/ecparam.key"
openssl ecparam -name prime256v1 -param_enc explicit -genkey \
    -out "$k/explicit.key"
openssl pkey -in "$k/explicit.key" -pubout -out "$k/explicit.pub"
openssl pkey -in "$k/ed25519.key" -aes256 -passout pass:unit \
    -out "$k/encrypted.key"
printf 'this is not a key\n' >"$k/garbage.pem"
printf -- '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' \
    >"$k/badder.pem"

node "$here/mkfixtures.js" "$tmp"
# Debian's python3 and python3-jwt, not whatever python3 is first on PATH.
/usr/bin/python3 "$here/mkfixtures.py" "$tmp"

rc=0
for bin in "$@"; do
    "$bin" "$tmp" || rc=1
done
exit $rc
