#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// Usage: node t/bin/mktoken.js SECRET 'PAYLOAD_JSON' ['OPTIONS_JSON']
// Prints jwt.sign(payload, secret, options) from jsonwebtoken (the token a
// Node IdP using the jwtsso middleware would produce). OPTIONS_JSON defaults
// to {"algorithm":"HS256"}; an "algorithm" is added when not given, so
// '{"expiresIn":"1h"}' works as is. SECRET may be "file:PATH" to read a key
// (e.g. a PEM private key for RS/ES/PS/EdDSA) from a file; an HMAC
// secret's trailing newlines are dropped, as the module does.
'use strict';
const path = require('path');
const fs = require('fs');
const fileKey = require('./filekey.js');


let jwt;
try {
  jwt = require('jsonwebtoken');
} catch (e) {
  // Fall back to the repository's node/node_modules when NODE_PATH is unset.
  jwt = require(path.join(__dirname, '..', '..', 'node', 'node_modules', 'jsonwebtoken'));
}

const [secretArg, payloadArg, optionsArg] = process.argv.slice(2);
if (secretArg === undefined || payloadArg === undefined) {
  process.stderr.write("usage: mktoken.js SECRET 'PAYLOAD_JSON' ['OPTIONS_JSON']\n");
  process.exit(2);
}

let secret = secretArg;

let payload, options;
try {
  payload = JSON.parse(payloadArg);
  options = optionsArg ? JSON.parse(optionsArg) : {};
} catch (e) {
  process.stderr.write(`mktoken.js: bad JSON: ${e.message}\n`);
  process.exit(2);
}
if (!options.algorithm) options.algorithm = 'HS256';
if (secret.startsWith('file:')) secret = fileKey(secret, options.algorithm);

try {
  process.stdout.write(jwt.sign(payload, secret, options) + '\n');
} catch (e) {
  process.stderr.write(`mktoken.js: ${e.message}\n`);
  process.exit(1);
}
