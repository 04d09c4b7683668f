#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
"""Usage: /usr/bin/python3 t/bin/mktoken.py SECRET 'PAYLOAD_JSON' [ALG]

Prints jwt.encode(payload, secret, algorithm=ALG) from PyJWT (Debian's
python3-jwt; run it with /usr/bin/python3, not a pyenv python). ALG defaults
to HS256. SECRET may be "file:PATH" to read a key (e.g. a PEM private key)
from a file; an HMAC secret's trailing newlines are dropped, as the module
does. No claim is added: PyJWT tokens typically carry {sub, exp} and
no iat, which is what the tests want to reproduce.
"""
import json
import sys

import jwt

from filekey import file_key




def main(argv):
    if len(argv) < 3 or len(argv) > 4:
        sys.stderr.write("usage: mktoken.py SECRET 'PAYLOAD_JSON' [ALG]\n")
        return 2
    secret = argv[1]
    try:
        payload = json.loads(argv[2])
    except ValueError as exc:
        sys.stderr.write("mktoken.py: bad JSON: %s\n" % exc)
        return 2
    alg = argv[3] if len(argv) == 4 else "HS256"
    if secret.startswith("file:"):
        secret = file_key(secret, alg)
    token = jwt.encode(payload, secret, algorithm=alg)
    if isinstance(token, bytes):  # PyJWT < 2
        token = token.decode("ascii")
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
