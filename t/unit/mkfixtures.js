// mkfixtures.js DIR - tokens made by jsonwebtoken (node) for test_core.
//
// Uses require('jsonwebtoken') from NODE_PATH (run-unit.sh points it at
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
