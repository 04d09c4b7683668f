#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// Usage: node t/bin/jwks-server.js DIR
// A JWKS server for t/84-jwks-url.t: HTTPS on 127.0.0.1 (node's own https
// module) with DIR/server.key and DIR/server.crt (made by the test with
// openssl, signed by its own CA). It writes its port to DIR/port once it
// listens. Every GET /jwks.json rereads DIR/jwks.json and DIR/mode, so the
// test rotates keys or makes it fail by rewriting a file, and appends a
// line to DIR/hits (the test counts the fetches). DIR/mode, or the
// query's mode=, which wins (one URL per behaviour, for sections fetched at
// the same start-up):
//   ok (or no file)  200 with DIR/jwks.json
//   500              500 with a short text
//   garbage          200 with text that is not JSON (an error on line 2)
//   big              200 with 2 MiB of JSON whitespace and an object
//   slow             waits 10 s before answering (the fetch times out)
//   redirect-http    302 to http://127.0.0.1:PORT/jwks.json (another scheme)
//   oct              200 with a JWKS holding a shared secret (kty oct)
// Any other path: 404. SIGTERM stops it.
'use strict';
const fs = require('fs');
const https = require('https');
const path = require('path');

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: jwks-server.js DIR\n');
  process.exit(2);
}
const file = (name) => path.join(dir, name);
const read = (name, dflt) => {
  try {
    return fs.readFileSync(file(name), 'utf8');
  } catch (e) {
    return dflt;
  }
};

const server = https.createServer({
  key: fs.readFileSync(file('server.key')),
  cert: fs.readFileSync(file('server.crt')),
}, (req, res) => {
  const url = new URL(req.url, 'https://127.0.0.1');
  if (req.method !== 'GET' || url.pathname !== '/jwks.json') {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
    return;
  }
  fs.appendFileSync(file('hits'), `${Date.now()} ${req.headers['user-agent'] || ''}\n`);
  const mode = url.searchParams.get('mode') || read('mode', 'ok').trim();
  const json = { 'Content-Type': 'application/json' };
  switch (mode) {
    case '500':
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error\n');
      return;
    case 'garbage':
      res.writeHead(200, json);
      res.end('{"keys": [\n  this is not JSON\n');
      return;
    case 'big':
      res.writeHead(200, json);
      res.end(`${' '.repeat(2 * 1024 * 1024)}{"keys": []}`);
      return;
    case 'slow':
      setTimeout(() => {
        res.writeHead(200, json);
        res.end(read('jwks.json', '{"keys": []}'));
      }, 10000);
      return;
    case 'oct':
      res.writeHead(200, json);
      res.end(JSON.stringify({ keys: [{ kty: 'oct', kid: 's', k: Buffer.alloc(32, 7).toString('base64url') }] }));
      return;
    case 'redirect-http':
      res.writeHead(302, { Location: `http://127.0.0.1:${server.address().port}/jwks.json` });
      res.end();
      return;
    default:
      res.writeHead(200, json);
      res.end(read('jwks.json', '{"keys": []}'));
  }
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(file('port.tmp'), `${server.address().port}\n`);
  fs.renameSync(file('port.tmp'), file('port'));
});
process.on('SIGTERM', () => process.exit(0));
