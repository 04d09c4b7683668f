#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// Usage: node t/bin/mktoken-jose.mjs JOBS.json
// Signs a batch of tokens with the npm package jose (6.x), one process for
// all of them, the way a jose-based IdP does:
//   new SignJWT(payload).setProtectedHeader({alg, ...header})
//       .setIssuedAt().setExpirationTime('1h').sign(key)
// JOBS.json is an array of {alg, key, payload, header?, iat?, exp?}: key is
// an HMAC secret (text) or "file:PATH" of a PKCS#8 private key in PEM;
// header adds protected header members (e.g. kid); iat: false leaves out
// setIssuedAt(); exp: a jose duration (default '1h') or false. Prints a
// JSON array with, for each job, the token or {"error": MESSAGE}.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// ESM ignores NODE_PATH: resolve jose from it, else from <top>/node.
const require = createRequire(import.meta.url);
const fileKey = require('./filekey.js');
const paths = [...(process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean),
               path.join(here, '..', '..', 'node', 'node_modules')];
const jose = await import(pathToFileURL(require.resolve('jose', { paths })).href);

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: mktoken-jose.mjs JOBS.json\n');
  process.exit(2);
}
const jobs = JSON.parse(readFileSync(file, 'utf8'));

const keys = new Map();

async function keyFor(alg, spec) {
  if (/^HS/.test(alg)) {
    const secret = spec.startsWith('file:') ? fileKey(spec, alg) : Buffer.from(spec, 'utf8');
    return new Uint8Array(secret);
  }
  const id = `${alg} ${spec}`;
  if (!keys.has(id)) {
    if (!spec.startsWith('file:')) throw new Error(`${alg} needs a key "file:PATH"`);
    keys.set(id, await jose.importPKCS8(readFileSync(spec.slice(5), 'utf8'), alg));
  }
  return keys.get(id);
}

const out = [];
for (const job of jobs) {
  try {
    let jwt = new jose.SignJWT(job.payload || {})
      .setProtectedHeader({ ...(job.header || {}), alg: job.alg });
    if (job.iat !== false) jwt = jwt.setIssuedAt();
    if (job.exp !== false) jwt = jwt.setExpirationTime(job.exp || '1h');
    out.push(await jwt.sign(await keyFor(job.alg, job.key)));
  } catch (e) {
    out.push({ error: `jose ${job.alg}: ${e.message}` });
  }
}
process.stdout.write(JSON.stringify(out) + '\n');
