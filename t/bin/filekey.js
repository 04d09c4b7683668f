// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
'use strict';
// The bytes of "file:PATH" for the token helpers of t/bin. For an HMAC
// secret (alg HS*), read as the module reads JWTSSOSecret file:PATH
// (src/core/secret.c): every trailing CR and LF byte dropped; a PEM key is
// left as it is.
const fs = require('fs');

module.exports = function fileKey(spec, alg) {
  const data = fs.readFileSync(spec.slice(5));
  if (!/^HS/i.test(alg || '')) return data;
  let n = data.length;
  while (n > 0 && (data[n - 1] === 0x0a || data[n - 1] === 0x0d)) n--;
  return data.subarray(0, n);
};
