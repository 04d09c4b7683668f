#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// Usage: node t/bin/verify-tokens.mjs JOBS.json
// Verifies a batch of tokens (e.g. the issuer's) with the npm packages
// jsonwebtoken (9.x: jwt.verify; HS/RS/PS/ES, no EdDSA) and jose (6.x:
// jwtVerify, with a key or a local JWK Set), one process for all of them.
// JOBS.json: an array of {token, alg, key?, jwks?, aud?, iss?}: key is an
// HMAC secret (text) or "file:PATH" of a PEM public key; jwks is
// "file:PATH" of a JWK Set (jose only: createLocalJWKSet, picked by kid);
// aud / iss are required when given. Prints a JSON array with, for each
// job, {jsonwebtoken: PAYLOAD | {error}, jose: PAYLOAD | {error}}
// (jsonwebtoken is {skipped} for EdDSA and for jwks jobs).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPublicKey } from 'node:crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const fileKey = require('./filekey.js');
const paths = [...(process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean),
               path.join(here, '..', '..', 'node', 'node_modules')];
const jose = await import(pathToFileURL(require.resolve('jose', { paths })).href);
const jwt = require(require.resolve('jsonwebtoken', { paths }));

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: verify-tokens.mjs JOBS.json\n');
  process.exit(2);
}
const jobs = JSON.parse(readFileSync(file, 'utf8'));


function material(spec, alg) {
  return spec.startsWith('file:') ? fileKey(spec, alg) : Buffer.from(spec, 'utf8');
}

function viaJsonwebtoken(job) {
  if (job.jwks || job.alg === 'EdDSA') return { skipped: 'not supported' };
  const opts = { algorithms: [job.alg] };
  if (job.aud) opts.audience = job.aud;
  if (job.iss) opts.issuer = job.iss;
  try {
    return jwt.verify(job.token, material(job.key, job.alg), opts);
  } catch (e) {
    return { error: `jsonwebtoken: ${e.message}` };
  }
}

async function viaJose(job) {
  const opts = { algorithms: [job.alg] };
  if (job.aud) opts.audience = job.aud;
  if (job.iss) opts.issuer = job.iss;
  try {
    let key;
    if (job.jwks) {
      key = jose.createLocalJWKSet(JSON.parse(material(job.jwks).toString('utf8')));
    } else if (/^HS/.test(job.alg)) {
      key = new Uint8Array(material(job.key, job.alg));
    } else {
      key = createPublicKey(material(job.key));
    }
    const { payload } = await jose.jwtVerify(job.token, key, opts);
    return payload;
  } catch (e) {
    return { error: `jose: ${e.code || ''} ${e.message}` };
  }
}

const out = [];
for (const job of jobs) {
  out.push({ jsonwebtoken: viaJsonwebtoken(job), jose: await viaJose(job) });
}
process.stdout.write(JSON.stringify(out) + '\n');
