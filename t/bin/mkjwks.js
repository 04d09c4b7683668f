#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// Usage: node t/bin/mkjwks.js OUT.json KID=PUBLIC.pem [KID=PUBLIC.pem ...]
// Writes a JWKS (RFC 7517 §5) holding the public key of each PEM file, its
// members made by node itself (crypto.createPublicKey(pem).export({format:
// 'jwk'})), plus "kid" and "use": "sig". Used by t/TEST.PL for t/keys/jwks.json.
'use strict';
const crypto = require('crypto');
const fs = require('fs');

const [out, ...pairs] = process.argv.slice(2);
if (!out || pairs.length === 0) {
  process.stderr.write('usage: mkjwks.js OUT.json KID=PUBLIC.pem ...\n');
  process.exit(2);
}
const keys = pairs.map((pair) => {
  const eq = pair.indexOf('=');
  if (eq <= 0) {
    process.stderr.write(`mkjwks.js: '${pair}' is not KID=PATH\n`);
    process.exit(2);
  }
  const kid = pair.slice(0, eq);
  const jwk = crypto.createPublicKey(fs.readFileSync(pair.slice(eq + 1))).export({ format: 'jwk' });
  return { kid, use: 'sig', ...jwk };
});
fs.writeFileSync(out, JSON.stringify({ keys }, null, 2) + '\n');
