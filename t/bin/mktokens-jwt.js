#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// Usage: node t/bin/mktokens-jwt.js JOBS.json
// Signs a batch of tokens with the npm package jsonwebtoken (9.x), one
// process for all of them: jwt.sign(payload, key, {algorithm, expiresIn:
// '1h', header}). JOBS.json: an array of {alg, key, payload, header?, iat?,
// exp?} as for t/bin/mktoken-jose.mjs (key: a secret, or "file:PATH" of a
// PEM private key; iat: false sets noTimestamp; exp: a duration or false).
// Prints a JSON array with, for each job, the token or {"error": MESSAGE}.
'use strict';
const fs = require('fs');
const fileKey = require('./filekey.js');
const path = require('path');

let jwt;
try {
  jwt = require('jsonwebtoken');
} catch (e) {
  jwt = require(path.join(__dirname, '..', '..', 'node', 'node_modules', 'jsonwebtoken'));
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: mktokens-jwt.js JOBS.json\n');
  process.exit(2);
}

const jobs = JSON.parse(fs.readFileSync(file, 'utf8'));
const out = jobs.map((job) => {
  try {
    const key = job.key.startsWith('file:') ? fileKey(job.key, job.alg) : job.key;
    const opts = { algorithm: job.alg };
    if (job.exp !== false) opts.expiresIn = job.exp || '1h';
    if (job.iat === false) opts.noTimestamp = true;
    if (job.header) opts.header = job.header;
    return jwt.sign(job.payload || {}, key, opts);
  } catch (e) {
    return { error: `jsonwebtoken ${job.alg}: ${e.message}` };
  }
});
process.stdout.write(JSON.stringify(out) + '\n');
