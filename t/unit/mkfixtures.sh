#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# mkfixtures.sh DIR - the unit tests' fixtures in DIR: keys made by
# openssl(1), tokens by jsonwebtoken (node, mkfixtures.js) and PyJWT
# (Debian's python3-jwt, mkfixtures.py).
#
# Exit 0: all made. Exit 77, with the reason as the last line on stderr:
# node's jsonwebtoken (NODE_PATH, default the repo's node/node_modules) or
# PyJWT is missing, so the tokens are not made (make check then reports
# the programs that need them as SKIP). Anything else: an error.
# JWTSSO_PYTHON (default Debian's /usr/bin/python3) and JWTSSO_NODE
# (default node from PATH) name the interpreters: =/nonexistent shows
# what a machine without them reports.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
k=${1:?usage: mkfixtures.sh DIR}
mkdir -p "$k"
NODE_PATH=${NODE_PATH:-$top/node/node_modules}
export NODE_PATH

node=${JWTSSO_NODE:-node}
python=${JWTSSO_PYTHON:-/usr/bin/python3}

# The tools first, so a skip costs no key generation.
if ! command -v "$node" >/dev/null 2>&1; then
    echo "mkfixtures.sh: $node not found (apt-get install nodejs npm)" >&2
    exit 77
fi
if ! "$node" -e "require('jsonwebtoken')" 2>/dev/null; then
    echo "mkfixtures.sh: jsonwebtoken not found in NODE_PATH=$NODE_PATH" \
         "(run: cd node && npm ci)" >&2
    exit 77
fi
# Debian's python3 and python3-jwt, not whatever python3 is first on PATH.
if ! "$python" -c 'import jwt' 2>/dev/null; then
    echo "mkfixtures.sh: PyJWT not found for $python" \
         "(apt-get install python3-jwt)" >&2
    exit 77
fi

# Keys for test_keys (PEM loading) and for mkfixtures.js to sign with.
# OpenSSL 3's openssl(1); -quiet keeps genpkey's progress dots away.
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

"$node" "$here/mkfixtures.js" "$k"
"$python" "$here/mkfixtures.py" "$k"
