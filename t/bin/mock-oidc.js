// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// mock-oidc.js PORT USER - a minimal OpenID Connect provider on
// 127.0.0.1:PORT for t/58-oidc-bridge.t (the README's mod_auth_openidc
// bridge): discovery, an authorize endpoint that logs USER in at once
// (as preferred_username), the token endpoint and the JWKS. ID tokens are
// RS256 with a key made at start; node's crypto only, no npm package.
// Prints one line per request ("GET /auth") for the test to read.
const http = require('http'), crypto = require('crypto'), qs = require('querystring');
const PORT = Number(process.argv[2]), USER = process.argv[3] || 'alice';
const ISS = 'http://127.0.0.1:' + PORT;
const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'op1', alg: 'RS256', use: 'sig' };
const codes = new Map();
const b64 = (o) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
function idToken(aud, nonce) {
  const now = Math.floor(Date.now() / 1000);
  const input = b64({ alg: 'RS256', typ: 'JWT', kid: 'op1' }) + '.' +
    b64({ iss: ISS, sub: 'u-123', aud, iat: now, exp: now + 300, nonce, preferred_username: USER });
  return input + '.' + crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url');
}
http.createServer((req, res) => {
  const u = new URL(req.url, ISS);
  const json = (o) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(o)); };
  console.log(req.method, u.pathname);
  if (u.pathname === '/.well-known/openid-configuration') return json({
    issuer: ISS, authorization_endpoint: ISS + '/auth', token_endpoint: ISS + '/token',
    jwks_uri: ISS + '/jwks', response_types_supported: ['code'], subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'] });
  if (u.pathname === '/jwks') return json({ keys: [jwk] });
  if (u.pathname === '/auth') {
    const p = u.searchParams, code = crypto.randomBytes(8).toString('hex');
    codes.set(code, { aud: p.get('client_id'), nonce: p.get('nonce') });
    res.writeHead(302, { Location: p.get('redirect_uri') + '?code=' + code + '&state=' + encodeURIComponent(p.get('state')) });
    return res.end();
  }
  if (u.pathname === '/token' && req.method === 'POST') {
    let body = ''; req.on('data', (d) => body += d);
    return req.on('end', () => {
      const c = codes.get(qs.parse(body).code);
      if (!c) { res.writeHead(400); return res.end('{"error":"invalid_grant"}'); }
      codes.delete(qs.parse(body).code);
      json({ access_token: 'at-' + Date.now(), token_type: 'Bearer', expires_in: 300, id_token: idToken(c.aud, c.nonce) });
    });
  }
  res.writeHead(404); res.end();
}).listen(PORT, '127.0.0.1');
