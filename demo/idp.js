#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// Demo identity provider for mod_auth_jwtsso (scripts/demo starts it).
//
//   JWTSSO_DEMO_SECRET=... node demo/idp.js
//
// GET  /login?return_to=URL  a login form (any non-empty user name and password)
// POST /login                signs jwt.sign({sub: username}, SECRET,
//                            {expiresIn: '1h', algorithm: 'HS256'}) and redirects
//                            to return_to + ('?' or '&') + 'jwt=' + token
// return_to must start with IDP_RETURN_TO_PREFIX (default
// http://127.0.0.1:8080/), else 400. Listens on 127.0.0.1:IDP_PORT (3000).
// This is the shape of the Express "jwtsso" IdP side; it is a demo: it
// checks no password and has no CSRF protection of its own.
'use strict';
const path = require('path');

function dep(name) {
  try {
    return require(name);
  } catch (e) {
    return require(path.join(__dirname, '..', 'node', 'node_modules', name));
  }
}
const express = dep('express');
const jwt = dep('jsonwebtoken');

const SECRET = process.env.JWTSSO_DEMO_SECRET;
if (!SECRET || SECRET.length < 32) {
  console.error('idp.js: set JWTSSO_DEMO_SECRET (32 characters or more)');
  process.exit(2);
}
const HOST = '127.0.0.1';
const PORT = parseInt(process.env.IDP_PORT || '3000', 10);
const PREFIX = process.env.IDP_RETURN_TO_PREFIX || 'http://127.0.0.1:8080/';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => (
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function returnToOk(rt) {
  return typeof rt === 'string' && rt.startsWith(PREFIX) && !/[\r\n]/.test(rt);
}

function page(title, body) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:28em;margin:3em auto}
label{display:block;margin:.6em 0}input{font-size:1em}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>
`;
}

function bad(res, msg) {
  res.status(400).type('html').send(page('Bad request', `<p>${esc(msg)}</p>`));
}

const app = express();
app.disable('x-powered-by');
app.use(express.urlencoded({ extended: false, limit: '8kb' }));
app.use((req, res, next) => {
  res.set('Cache-Control', 'no-store');
  console.log(`${new Date().toISOString()} ${req.method} ${req.path}`);
  next();
});

app.get('/', (req, res) => {
  res.type('html').send(page('Demo IdP', `<p>Log in through <a href="${esc(PREFIX)}app/">${esc(PREFIX)}app/</a>.</p>`));
});

app.get('/login', (req, res) => {
  const rt = req.query.return_to;
  if (!returnToOk(rt)) return bad(res, `return_to must start with ${PREFIX}`);
  res.type('html').send(page('Demo IdP: log in', `
<p>Any non-empty user name and password will do.</p>
<form method="post" action="/login">
<input type="hidden" name="return_to" value="${esc(rt)}">
<label>User name <input name="username" autofocus required></label>
<label>Password <input name="password" type="password" required></label>
<button type="submit">Log in</button>
</form>
<p><small>You will be sent back to ${esc(rt)}</small></p>`));
});

app.post('/login', (req, res) => {
  const { username, password, return_to: rt } = req.body || {};
  if (!returnToOk(rt)) return bad(res, `return_to must start with ${PREFIX}`);
  if (typeof username !== 'string' || !username.trim() || typeof password !== 'string' || !password) {
    return bad(res, 'user name and password are required');
  }
  const token = jwt.sign({ sub: username.trim() }, SECRET, { expiresIn: '1h', algorithm: 'HS256' });
  const sep = rt.includes('?') ? '&' : '?';
  console.log(`${new Date().toISOString()} issued a token for ${JSON.stringify(username.trim())}`);
  res.redirect(302, `${rt}${sep}jwt=${token}`);
});

const server = app.listen(PORT, HOST, () => {
  console.log(`demo IdP listening on http://${HOST}:${PORT}/ (return_to prefix ${PREFIX})`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
