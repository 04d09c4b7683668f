# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
"""cli-interop.py JOBS - PyJWT's side of t/unit/test-cli.sh (Debian's
python3-jwt, run with /usr/bin/python3), one process for a batch. Each
line of the file JOBS is MODE<TAB>ALG<TAB>KEY<TAB>ARG:
    sign ALG KEY SUB      prints a token: {sub, exp in 1h}, no iat (PyJWT's)
    verify ALG KEY TOKEN  prints the token's sub
one output line per job, in order ("error: ..." for a failure). KEY is an
HMAC secret, or file:PATH of a PEM key.
"""
import sys
import time

import jwt


def job(mode, alg, key, arg):
    if key.startswith("file:"):
        with open(key[5:], "rb") as fh:
            key = fh.read()
    if mode == "sign":
        token = jwt.encode({"sub": arg, "exp": int(time.time()) + 3600}, key,
                           algorithm=alg)
        return token if isinstance(token, str) else token.decode()
    return jwt.decode(arg, key, algorithms=[alg])["sub"]


def main(path):
    with open(path) as fh:
        for line in fh.read().splitlines():
            if not line:
                continue
            try:
                print(job(*line.split("\t")))
            except Exception as exc:  # report, go on with the next job
                print("error: %s" % str(exc).replace("\n", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
