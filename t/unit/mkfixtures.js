// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// mkfixtures.js DIR - tokens made by jsonwebtoken (node) for test_core and
// test_keys.
//
// Uses require('jsonwebtoken') from NODE_PATH (mkfixtures.sh points it at
// node/node_modules). The secret is shared with mkfixtures.py and
// t/unit/test_core.c.
'use strict';

const fs = require('fs');
const path = require('path');
const jwt = require('jsonwebtoken');

const SECRET = 'jwtsso-unit-test-secret-0123456789abcdef';
const dir = process.argv[2];

if (!dir) {
    console.error('usage: node mkfixtures.js DIR');
    process.exit(2);
}

function put(name, token) {
    fs.writeFileSync(path.join(dir, name), token + '\n');
}

for (const alg of ['HS256', 'HS384', 'HS512']) {
    put('node_' + alg.toLowerCase() + '.jwt',
        jwt.sign({ sub: 'alice' }, SECRET,
                 { expiresIn: '1h', algorithm: alg }));
}
// iat two hours ago, so exp (iat + 1h) is an hour in the past.
const now = Math.floor(Date.now() / 1000);
put('node_expired.jwt',
    jwt.sign({ sub: 'alice', iat: now - 7200 }, SECRET,
             { expiresIn: '1h', algorithm: 'HS256' }));

// Public-key tokens for test_keys, signed with the keys mkfixtures.sh made
// with openssl(1): RS*/PS* with rsa2048, ES256/384/512 with ec256/384/521.
const crypto = require('crypto');

function key(name) {
    return fs.readFileSync(path.join(dir, name));
}

const pub = [
    ['RS256', 'rsa2048'], ['RS384', 'rsa2048'], ['RS512', 'rsa2048'],
    ['PS256', 'rsa2048'], ['PS384', 'rsa2048'], ['PS512', 'rsa2048'],
    ['ES256', 'ec256'], ['ES384', 'ec384'], ['ES512', 'ec521'],
];
for (const [alg, name] of pub) {
    put('node_' + alg.toLowerCase() + '.jwt',
        jwt.sign({ sub: 'alice' }, key(name + '.key'),
                 { expiresIn: '1h', algorithm: alg }));
}

// jsonwebtoken has no EdDSA, and signs ECDSA only in JOSE form: make those
// JWS by hand with node's crypto.
function b64(data) {
    return Buffer.from(data).toString('base64url');
}

function handmade(header, sign) {
    const payload = { sub: 'alice', iat: now, exp: now + 3600 };
    const input = b64(JSON.stringify(header)) + '.'
                  + b64(JSON.stringify(payload));
    return input + '.' + b64(sign(Buffer.from(input)));
}

put('node_eddsa.jwt',
    handmade({ alg: 'EdDSA', typ: 'JWT' },
             (d) => crypto.sign(null, d, key('ed25519.key'))));
// ES256 with a DER signature instead of r || s: must not verify
put('node_es256_der.jwt',
    handmade({ alg: 'ES256', typ: 'JWT' },
             (d) => crypto.sign('sha256', d,
                                { key: key('ec256.key'),
                                  dsaEncoding: 'der' })));

// A JWK Set of three public keys with kids, as an IdP publishes it, and
// tokens naming them.
const jwks = { keys: [] };
for (const [kid, name] of [['rsa-1', 'rsa2048'], ['ec-1', 'ec256'],
                           ['ed-1', 'ed25519']]) {
    const jwk = crypto.createPublicKey(key(name + '.pub'))
                      .export({ format: 'jwk' });
    jwks.keys.push(Object.assign({ kid: kid, use: 'sig' }, jwk));
}
fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify(jwks));
put('node_kid_rs256.jwt',
    jwt.sign({ sub: 'alice' }, key('rsa2048.key'),
             { expiresIn: '1h', algorithm: 'RS256', keyid: 'rsa-1' }));
put('node_kid_es256.jwt',
    jwt.sign({ sub: 'alice' }, key('ec256.key'),
             { expiresIn: '1h', algorithm: 'ES256', keyid: 'ec-1' }));
put('node_kid_eddsa.jwt',
    handmade({ alg: 'EdDSA', kid: 'ed-1' },
             (d) => crypto.sign(null, d, key('ed25519.key'))));
// an ES256 token naming the RSA key's kid
put('node_kid_other_family.jwt',
    jwt.sign({ sub: 'alice' }, key('ec256.key'),
             { expiresIn: '1h', algorithm: 'ES256', keyid: 'rsa-1' }));
