#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// A real browser through the jwtsso login: headless Chromium (Debian's
// /usr/bin/chromium) driven by playwright-core.
//
//   node t/bin/browser-login.js START_URL USER
//
// Opens START_URL, expects the IdP's login form (demo/idp.js), submits USER
// with a password, waits for the way back, then opens START_URL once more.
// Prints JSON: {login_url, after_login_url, body, again_url, again_body,
// cookies: [{name, httpOnly, sameSite, secure}]}.
'use strict';
const path = require('path');

function dep(name) {
  try {
    return require(name);
  } catch (e) {
    return require(path.join(__dirname, '..', '..', 'node', 'node_modules', name));
  }
}
const { chromium } = dep('playwright-core');

(async () => {
  const [start, user] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync'],
  });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const out = {};
    await page.goto(start);
    out.login_url = page.url();
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', 'any password');
    await Promise.all([
      page.waitForURL((u) => u.toString().startsWith(start.split('?')[0])),
      page.click('button[type=submit], input[type=submit]'),
    ]);
    out.after_login_url = page.url();
    out.body = await page.textContent('body');
    await page.goto(start);
    out.again_url = page.url();
    out.again_body = await page.textContent('body');
    out.cookies = (await context.cookies()).map((c) => (
      { name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite, secure: c.secure }));
    console.log(JSON.stringify(out));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
