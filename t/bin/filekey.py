# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
"""The bytes of "file:PATH" for the token helpers of t/bin."""


def file_key(spec, alg):
    """For an HMAC secret, read as the module reads JWTSSOSecret file:PATH
    (src/core/secret.c): every trailing CR and LF byte dropped, so the file
    `echo`/`openssl rand` wrote gives the same key on both sides; a PEM key
    is left as it is."""
    with open(spec[5:], "rb") as fh:
        data = fh.read()
    return data.rstrip(b"\r\n") if alg.upper().startswith("HS") else data
