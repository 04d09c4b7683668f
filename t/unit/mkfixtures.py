#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
"""mkfixtures.py DIR - tokens made by PyJWT for test_core.

Run with Debian's /usr/bin/python3 and its python3-jwt. PyJWT adds no iat,
so these tokens only pass with JWTSSOMaxAge off. The secret is shared with
mkfixtures.js and t/unit/test_core.c.
"""
import os
import sys
import time

import jwt

SECRET = 'jwtsso-unit-test-secret-0123456789abcdef'


def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: mkfixtures.py DIR\n')
        return 2
    now = int(time.time())
    for alg in ('HS256', 'HS512'):
        token = jwt.encode({'sub': 'bob', 'exp': now + 3600}, SECRET,
                           algorithm=alg)
        if isinstance(token, bytes):
            token = token.decode('ascii')
        name = os.path.join(sys.argv[1], 'py_%s.jwt' % alg.lower())
        with open(name, 'w') as f:
            f.write(token + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
