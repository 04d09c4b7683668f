#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// Usage: node t/bin/mkmanykeys.js DIR [N] [KEEP]
// Writes DIR/jwks-ec100.json, a JWKS of N (default 100) EC P-256 public
// keys with kids "ec-00", "ec-01", ... and "use": "sig" (members by node's
// crypto), and DIR/jwks-ec100-KEEP.pem, the private key of kid "ec-KEEP"
// (default 57) in PKCS#8 PEM. Run once to make the committed fixtures of
// t/46-bounds.t (t/data/); the keys protect nothing.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const [dir, nArg, keepArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: mkmanykeys.js DIR [N] [KEEP]\n');
  process.exit(2);
}
const n = Number(nArg || 100);
const keep = Number(keepArg || 57);
const kid = (i) => `ec-${String(i).padStart(2, '0')}`;
const keys = [];
for (let i = 0; i < n; i++) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  keys.push({ kid: kid(i), use: 'sig', ...publicKey.export({ format: 'jwk' }) });
  if (i === keep) {
    fs.writeFileSync(path.join(dir, `jwks-ec100-${keep}.pem`),
                     privateKey.export({ format: 'pem', type: 'pkcs8' }));
  }
}
fs.writeFileSync(path.join(dir, 'jwks-ec100.json'), JSON.stringify({ keys }) + '\n');
