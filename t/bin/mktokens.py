#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
"""Usage: /usr/bin/python3 t/bin/mktokens.py JOBS.json

Signs a batch of tokens with PyJWT (Debian's python3-jwt, with
python3-cryptography for RS/PS/ES/EdDSA), one process for all of them:
jwt.encode(payload, key, algorithm=alg, headers=header). JOBS.json: an array
of {alg, key, payload, header?, iat?, exp?} as for t/bin/mktoken-jose.mjs;
key is a secret or "file:PATH" of a PEM private key. Unlike PyJWT itself
this adds iat (now) unless "iat": false, and exp (now + 3600, or "exp"
seconds when it is a number) unless "exp": false. Prints a JSON array with,
for each job, the token or {"error": MESSAGE}.
"""
import json
import sys
import time

import jwt

from filekey import file_key




def sign(job, now):
    key = job["key"]
    if key.startswith("file:"):
        key = file_key(key, job["alg"])
    payload = dict(job.get("payload") or {})
    if job.get("iat", True) is not False:
        payload.setdefault("iat", now)
    exp = job.get("exp", 3600)
    if exp is not False:
        payload.setdefault("exp", now + (exp if isinstance(exp, int) else 3600))
    token = jwt.encode(payload, key, algorithm=job["alg"],
                       headers=job.get("header") or None)
    if isinstance(token, bytes):  # PyJWT < 2
        token = token.decode("ascii")
    return token


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: mktokens.py JOBS.json\n")
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        jobs = json.load(fh)
    now = int(time.time())
    out = []
    for job in jobs:
        try:
            out.append(sign(job, now))
        except Exception as exc:  # one bad job is one FAIL cell, not a crash
            out.append({"error": "PyJWT %s %s: %s: %s" % (
                jwt.__version__, job.get("alg"), type(exc).__name__, exc)})
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
