// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// cli-interop.js JOBS - jsonwebtoken's side of t/unit/test-cli.sh, one
// process for a batch (node starts slowly on a loaded machine). Each line
// of the file JOBS is MODE<TAB>ALG<TAB>KEY<TAB>ARG:
//   sign ALG KEY SUB       prints a token {sub, iat, exp in 1h}
//   verify ALG KEY TOKEN   prints the token's sub
// one output line per job, in order ("error: ..." for a failure). KEY is
// an HMAC secret, or file:PATH of a PEM key. EdDSA goes through jose
// (jsonwebtoken 9 does not implement it). NODE_PATH finds both.
'use strict';

const fs = require('fs');
const crypto = require('crypto');
const jwt = require('jsonwebtoken');

async function eddsa(mode, key, arg) {
    const jose = require('jose');
    if (mode === 'sign') {
        return new jose.SignJWT({ sub: arg })
            .setProtectedHeader({ alg: 'EdDSA' })
            .setIssuedAt().setExpirationTime('1h')
            .sign(crypto.createPrivateKey(key));
    }
    const { payload } = await jose.jwtVerify(arg, crypto.createPublicKey(key),
                                             { algorithms: ['EdDSA'] });
    return payload.sub;
}

async function job(mode, alg, keyArg, arg) {
    const key = keyArg.startsWith('file:') ? fs.readFileSync(keyArg.slice(5))
                                           : keyArg;
    if (alg === 'EdDSA') {
        return eddsa(mode, key, arg);
    }
    if (mode === 'sign') {
        return jwt.sign({ sub: arg }, key, { algorithm: alg, expiresIn: '1h' });
    }
    return jwt.verify(arg, key, { algorithms: [alg] }).sub;
}

async function main() {
    const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
    for (const line of lines.filter((l) => l !== '')) {
        try {
            console.log(await job(...line.split('\t')));
        } catch (err) {
            console.log('error: ' + String(err).replace(/\n/g, ' '));
        }
    }
}

main();
