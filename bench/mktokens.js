#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// bench/mktokens.js KEYDIR: the tokens of a scripts/bench run, made with
// jsonwebtoken (node/node_modules) the way a Node IdP makes them. Prints
// NAME=TOKEN lines:
//   login_session, login_crypto, login_memory: HS256 login tokens (iat now,
//     a 60-second max age applies; distinct jti, since each logs in once);
//   hs256, rs256, es256: API (bearer) tokens, typ at+jwt (RFC 9068: never a
//     login, alive until their exp), expiresIn 1h, over KEYDIR/secret,
//     KEYDIR/rsa.key, KEYDIR/ec.key;
//   oidc_hs256: the same HS256 bearer without the typ, for mod_auth_openidc.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

let jwt;
try {
  jwt = require('jsonwebtoken');
} catch (e) {
  jwt = require(path.join(__dirname, '..', 'node', 'node_modules', 'jsonwebtoken'));
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: mktokens.js KEYDIR\n');
  process.exit(2);
}
const secret = fs.readFileSync(path.join(dir, 'secret'), 'utf8').trim();
const rsa = fs.readFileSync(path.join(dir, 'rsa.key'));
const ec = fs.readFileSync(path.join(dir, 'ec.key'));
const claims = () => ({ sub: 'bench', name: 'Bench User', jti: crypto.randomBytes(9).toString('base64url') });

const api = { typ: 'at+jwt' };
const out = {
  login_session: jwt.sign(claims(), secret, { algorithm: 'HS256', expiresIn: '1h' }),
  login_crypto: jwt.sign(claims(), secret, { algorithm: 'HS256', expiresIn: '1h' }),
  login_memory: jwt.sign(claims(), secret, { algorithm: 'HS256', expiresIn: '1h' }),
  hs256: jwt.sign(claims(), secret, { algorithm: 'HS256', expiresIn: '1h', header: api }),
  rs256: jwt.sign(claims(), rsa, { algorithm: 'RS256', expiresIn: '1h', header: api }),
  es256: jwt.sign(claims(), ec, { algorithm: 'ES256', expiresIn: '1h', header: api }),
  oidc_hs256: jwt.sign(claims(), secret, { algorithm: 'HS256', expiresIn: '1h' }),
};
for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}=${v}\n`);
