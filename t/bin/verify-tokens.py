#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
"""Usage: /usr/bin/python3 t/bin/verify-tokens.py JOBS.json

Verifies a batch of tokens with PyJWT (Debian's python3-jwt, with
python3-cryptography for RS/PS/ES/EdDSA): jwt.decode(token, key,
algorithms=[alg], audience=aud, issuer=iss). JOBS.json: an array of
{token, alg, key?, jwks?, aud?, iss?} as for t/bin/verify-tokens.mjs; key is
a secret or "file:PATH" of a PEM public key, jwks "file:PATH" of a JWK Set
(the key whose kid is the token's, else the only one). Prints a JSON array
with, for each job, the payload or {"error": MESSAGE}.
"""
import json
import sys

import jwt

from filekey import file_key




def key_of(job, token):
    if job.get("jwks"):
        with open(job["jwks"][5:], encoding="utf-8") as fh:
            keys = jwt.PyJWKSet.from_dict(json.load(fh)).keys
        kid = jwt.get_unverified_header(token).get("kid")
        match = [k for k in keys if k.key_id == kid] if kid else keys
        if len(match) != 1:
            raise ValueError("no single JWK for kid %r" % kid)
        return match[0].key
    key = job["key"]
    if key.startswith("file:"):
        return file_key(key, job["alg"])
    return key


def verify(job):
    token = job["token"]
    return jwt.decode(token, key_of(job, token), algorithms=[job["alg"]],
                      audience=job.get("aud"), issuer=job.get("iss"))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: verify-tokens.py JOBS.json\n")
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        jobs = json.load(fh)
    out = []
    for job in jobs:
        try:
            out.append(verify(job))
        except Exception as exc:  # one bad job is one failed check
            out.append({"error": "PyJWT %s %s: %s: %s" % (
                jwt.__version__, job.get("alg"), type(exc).__name__, exc)})
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
