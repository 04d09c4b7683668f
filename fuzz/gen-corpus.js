// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
// gen-corpus.js - (re)writes the seed corpora in fuzz/corpus/<target>/ and
// fuzz/tokens.h. Run from the top of the tree:
//
//     NODE_PATH=node/node_modules node fuzz/gen-corpus.js
//
// Needs node (crypto, jsonwebtoken from node/node_modules) and the openssl
// command. Tokens are made at FUZZ_NOW (fuzz/fuzz.h) with the secrets of
// fuzz.h and the test keys in fuzz/keys/ (made for the fuzzers only, never
// used anywhere else). ES and some PEM seeds come out different on each
// run; that is fine. fuzz/regressions/ is never touched.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const jwt = require('jsonwebtoken');

const NOW = 1700000000;
const SECRET = 'fuzz-secret-0123456789abcdef-0123456789abcdef';
const SECRET_K1 = 'fuzz-secret-k1-fedcba9876543210-fedcba98765432';
const MATERIAL = 'fuzz-record-material-0123456789abcdef';
const REALM = 'intranet';
const ORIGIN = 'https://www.example.com';
const ISS = 'https://idp.example.com';

const top = path.resolve(__dirname);
const keydir = path.join(top, 'keys');
const key = (n) => fs.readFileSync(path.join(keydir, n), 'utf8');

// Seeds written by hand (names starting "hand-" or "simd-") are kept; the
// rest of a target's corpus is made anew.
function target(name) {
    const dir = path.join(top, 'corpus', name);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(dir)) {
        if (!/^(hand|simd)-/.test(f)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    }
    return (file, data) => fs.writeFileSync(path.join(dir, file), data);
}

const b64 = (x) => Buffer.from(x).toString('base64url');
const js = (o) => (typeof o === 'string' ? o : JSON.stringify(o));

function hs(header, payload, secret = SECRET, alg = 'HS256') {
    const si = b64(js(header)) + '.' + b64(js(payload));
    const md = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
    return si + '.' + crypto.createHmac(md, secret).update(si).digest('base64url');
}

const claims = {
    sub: 'alice', email: 'alice@example.com', iss: ISS, aud: 'intranet',
    iat: NOW - 10, exp: NOW + 3600,
};
const H = { alg: 'HS256', typ: 'JWT' };

// ------------------------------------------------------------ b64url
{
    const put = target('b64url');
    const seeds = {
        'empty': '', 'one-char': 'A', 'two-chars': 'AA', 'two-unused-bits': 'AB',
        'three-chars': 'AAA', 'three-unused-bits': 'AAB', 'four-chars': 'AAAA',
        'alice': b64('alice'), 'jose-header': b64('{"alg":"HS256"}'),
        'padded': 'YQ==', 'padded-one': 'YWI=', 'space': 'YW x', 'newline': 'YWxp\nY2U',
        'std-alphabet': 'a+/b', 'url-alphabet': '-_-_', 'all-chars':
            'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
        'nul': 'AA\0A', 'high-bytes': Buffer.from([0xc3, 0xa9, 0xff, 0x80]),
        'hmac-256': b64(crypto.randomBytes(32)), 'hmac-384': b64(crypto.randomBytes(48)),
        'hmac-512': b64(crypto.randomBytes(64)), 'long': b64(crypto.randomBytes(3000)),
        'binary': crypto.randomBytes(48), 'dot': 'YWxp.Y2U', 'five-chars': 'AAAAA',
        'mod4-2-nonzero': 'YR', 'mod4-3-nonzero': 'YWJ',
    };
    for (const [n, v] of Object.entries(seeds)) put(n, v);
}

// ------------------------------------------------------------ jws
const rsa = key('rsa2048.key'), ec256 = key('ec-p256.key');
const ec384 = key('ec-p384.key'), ed = key('ed25519.key');

function eddsa(header, payload) {
    const si = b64(js(header)) + '.' + b64(js(payload));
    return si + '.' + crypto.sign(null, Buffer.from(si), ed).toString('base64url');
}
const pub = { sub: 'alice', iat: NOW - 10, exp: NOW + 3600 };
const rs256 = jwt.sign(pub, rsa, { algorithm: 'RS256', noTimestamp: true });
const es256 = jwt.sign(pub, ec256, { algorithm: 'ES256', noTimestamp: true, keyid: 'ec1' });
const edtok = eddsa({ alg: 'EdDSA', typ: 'JWT' }, pub);
{
    const put = target('jws');
    const seeds = {
        'hs256-valid': hs(H, claims),
        'hs384-valid': hs({ alg: 'HS384' }, claims, SECRET, 'HS384'),
        'hs512-valid': hs({ alg: 'HS512' }, claims, SECRET, 'HS512'),
        'hs256-jsonwebtoken': jwt.sign({ sub: 'alice', email: 'alice@example.com',
            iat: NOW - 5 }, SECRET, { algorithm: 'HS256', expiresIn: '1h',
            issuer: ISS, audience: ['intranet', 'other'] }),
        'hs512-jsonwebtoken-kid-k1': jwt.sign({ sub: 'bob', iat: NOW }, SECRET_K1,
            { algorithm: 'HS512', expiresIn: 600, keyid: 'k1' }),
        'hs256-pyjwt-style-no-iat': hs(H, { sub: 'alice', exp: NOW + 60 }),
        'hs256-kid-unknown': hs({ alg: 'HS256', kid: 'nope' }, claims),
        'hs256-kid-number': hs({ alg: 'HS256', kid: 7 }, claims),
        'hs256-bad-signature': hs(H, claims, 'wrong-secret'),
        'hs256-truncated-signature': hs(H, claims).slice(0, -2),
        'alg-none': b64('{"alg":"none"}') + '.' + b64(js(claims)) + '.',
        'alg-NoNe-signed': hs({ alg: 'NoNe' }, claims),
        'alg-missing': hs({ typ: 'JWT' }, claims),
        'alg-unknown': hs({ alg: 'HS999' }, claims),
        'crit': hs({ alg: 'HS256', crit: ['exp'] }, claims),
        'duplicate-alg': hs('{"alg":"HS256","alg":"none"}', claims),
        'duplicate-sub': hs(H, '{"sub":"alice","sub":"admin","iat":1699999990}'),
        'header-array': hs('["HS256"]', claims),
        'payload-string': hs(H, '"alice"'),
        'payload-trailing': hs(H, js(claims) + ' {}'),
        'exp-string': hs(H, { ...claims, exp: '1700003600' }),
        'exp-float': hs(H, { ...claims, exp: 1700003600.5 }),
        'exp-huge': hs(H, '{"sub":"alice","iat":1699999990,"exp":1e300}'),
        'exp-negative': hs(H, { ...claims, exp: -1 }),
        'iat-int-max': hs(H, '{"sub":"alice","iat":9223372036854775807}'),
        'iat-int-min': hs(H, '{"sub":"alice","iat":-9223372036854775808,"exp":1700003600}'),
        'expired': hs(H, { ...claims, exp: NOW - 10 }),
        'nbf-future': hs(H, { ...claims, nbf: NOW + 100 }),
        'iat-future': hs(H, { ...claims, iat: NOW + 100 }),
        'too-old': hs(H, { ...claims, iat: NOW - 3600 }),
        'sub-missing': hs(H, { iat: NOW, exp: NOW + 60 }),
        'sub-empty': hs(H, { ...claims, sub: '' }),
        'sub-control': hs(H, { ...claims, sub: 'al\u0001ice' }),
        'sub-nul': hs(H, '{"sub":"al\\u0000ice","iat":1699999990}'),
        'sub-long': hs(H, { ...claims, sub: 'a'.repeat(300) }),
        'sub-unicode': hs(H, { ...claims, sub: 'Zoë 山田' }),
        'iss-wrong': hs(H, { ...claims, iss: 'https://evil.example.com' }),
        'aud-array-without': hs(H, { ...claims, aud: ['a', 'b'] }),
        'deep-nesting': hs(H, '{"sub":"alice","iat":1699999990,"x":' + '['.repeat(200) + ']'.repeat(200) + '}'),
        'padding': hs(H, claims).replace(/\.([^.]*)$/, '.$1='),
        'four-parts': hs(H, claims) + '.AAAA',
        'two-parts': b64(js(H)) + '.' + b64(js(claims)),
        'empty-parts': '..',
        'empty-header': '.' + b64(js(claims)) + '.AAAA',
        'standard-base64': hs(H, claims).replace(/-/g, '+').replace(/_/g, '/'),
        'oversize-9k': hs(H, { ...claims, pad: 'x'.repeat(6800) }),
        'rs256': rs256,
        'ps256': jwt.sign(pub, rsa, { algorithm: 'PS256', noTimestamp: true }),
        'es256-kid-ec1': es256,
        'es384': jwt.sign(pub, ec384, { algorithm: 'ES384', noTimestamp: true }),
        'eddsa': edtok,
        'rs256-as-hs256-confusion': hs(H, claims, key('rsa2048.pub')),
        // JSON mode: the fuzz target encodes and signs these itself
        'json-payload': js(claims),
        'json-payload-min': '{"sub":"a","iat":1700000000}',
        'json-header-payload-hs384-k1': '{"alg":"HS384","kid":"k1"}\n' + js(claims),
        'json-header-payload-hs512': '{"alg":"HS512","typ":"JWT"}\n{"email":"a@b","sub":"x","exp":1700000001,"iat":1699999999,"iss":"https://idp.example.com","aud":["intranet"]}',
        'json-claims-mixed': '{"sub":"alice","iat":1699999990.999,"exp":17e8,"nbf":null,"groups":["a","b"],"n":{"x":[1,2.5,true,false,null]}}',
    };
    for (const [n, v] of Object.entries(seeds)) put(n, v);
}

// fixed tokens for fuzz_pem and fuzz_jwks (verified against fuzzed keys)
fs.writeFileSync(path.join(top, 'tokens.h'),
`/* tokens.h - fixed tokens that fuzz_pem and fuzz_jwks verify against the
 * key sets they build. Written by fuzz/gen-corpus.js with fuzz/keys/ at
 * FUZZ_NOW; do not edit. */
static const char *const fuzz_tokens[] = {
    "${hs(H, claims)}",
    "${rs256}",
    "${es256}",
    "${edtok}",
};
`);

// ------------------------------------------------------------ record
const mackey = crypto.createHmac('sha256', MATERIAL).update('jwtsso session record v1').digest();
const esc = (s) => Buffer.from(String(s), 'utf8').toString('latin1').replace(/[\x00-\x1f\x7f%=]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
// record.c's body: user, times, sid, then each claim once, typed
// (s string, n number/literal, z null, j array/object + an "=J" JSON line)
function body(user, at, end, sid, kept) {
    const fields = [esc(user), String(at), String(end), esc(sid)];
    for (const [n, v] of Object.entries(kept)) {
        if (v === null) {
            fields.push(esc(n) + '=z');
        } else if (typeof v === 'object') {
            const flat = Array.isArray(v) ? v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : x === null ? '' : String(x))).join(',')
                : JSON.stringify(v);
            fields.push(esc(n) + '=j' + esc(flat), '=J' + esc(JSON.stringify(v)));
        } else {
            fields.push(esc(n) + '=' + (typeof v === 'string' ? 's' : 'n') + esc(String(v)));
        }
    }
    return Buffer.from(fields.join('\n'), 'latin1');
}
function seal(b, realm = REALM, origin = ORIGIN) {
    const ctx = Buffer.from('jwtsso-record-v1\0' + realm + '\0' + origin + '\0');
    const mac = crypto.createHmac('sha256', mackey).update(ctx).update(b).digest();
    return 'j1.' + b.toString('base64url') + '.' + mac.toString('base64url');
}
{
    const put = target('record');
    const kept = { sub: 'alice', email: 'alice@example.com', groups: ['staff', 'dev'] };
    const b1 = body('alice', NOW - 100, NOW + 3600, 'sid_0123-abc', kept);
    const seeds = {
        'record-valid': seal(b1),
        'record-no-claims': seal(body('bob', NOW, NOW + 1, 'x', {})),
        'record-escapes': seal(body('a%b=c\nd', NOW, NOW + 60, 's', { 'x=y': 'v%w=z\n' })),
        'record-extreme-times': seal(body('alice', '-9223372036854775808', '9223372036854775807', 's', {})),
        'record-expired': seal(body('alice', NOW - 7200, NOW - 1, 's', kept)),
        'record-other-realm': seal(b1, 'other'),
        'record-other-origin': seal(b1, REALM, 'https://evil.example.com'),
        'record-truncated': seal(b1).slice(0, -5),
        'record-bad-prefix': 'j2.' + seal(b1).slice(3),
        'record-no-body': 'j1..' + 'A'.repeat(43),
        'record-padded-mac': seal(b1) + '=',
        'record-too-long': seal(body('alice', NOW, NOW + 60, 's', { pad: 'p'.repeat(2700) })),
        // bodies: the fuzz target MACs these itself
        'body-valid': b1,
        'body-minimal': 'u\n0\n1700000001\n',
        'body-claims': 'alice\n1699999900\n1700003600\nsid\na=s1\nb=j1,2\n=J[1,2]\nn=n1.5\nz=z',
        'body-escapes': 'a%25b%3Dc%0Ad\n1\n1700000001\ns%0A\nx%3Dy=sv%25w%3Dz%0A',
        'body-lowercase-hex': 'a%0ab\n1\n1700000001\ns',
        'body-needless-escape': 'a%41b\n1\n1700000001\ns',
        'body-escaped-nul': 'a%00b\n1\n1700000001\ns',
        'body-percent-at-end': 'alice\n1\n1700000001\ns\na=s%4',
        'body-raw-equals-in-user': 'a=b\n1\n1700000001\ns',
        'body-claim-without-equals': 'alice\n1\n1700000001\ns\nnoequals',
        'body-claim-two-equals': 'alice\n1\n1700000001\ns\na=sb=c',
        'body-claim-no-type': 'alice\n1\n1700000001\ns\na=',
        'body-claim-bad-type': 'alice\n1\n1700000001\ns\na=xv',
        'body-json-line-alone': 'alice\n1\n1700000001\ns\n=J[1]',
        'body-container-no-json': 'alice\n1\n1700000001\ns\na=j1',
        'body-minus-zero': 'alice\n-0\n1700000001\ns',
        'body-leading-zero': 'alice\n01\n1700000001\ns',
        'body-overflow': 'alice\n9223372036854775808\n1700000001\ns',
        'body-min': 'alice\n-9223372036854775808\n9223372036854775807\ns',
        'body-empty-user': '\n1\n1700000001\ns',
        'body-three-fields': 'alice\n1\n1700000001',
        'body-many-claims': 'alice\n1\n1700000001\ns' + '\n=s'.repeat(200),
        // "user NUL claims": the fuzz target makes records from these
        'make-simple': 'alice\0' + JSON.stringify(kept),
        'make-user-only': 'alice',
        'make-escapes': 'a%b=c\nd\0{"x=y":"v%w=z\\n","sub":"a%b=c\\nd"}',
        'make-types': 'alice\0{"n":1,"f":1.5,"t":true,"f2":false,"z":null,"a":[1,"x",[2],{"k":"v"}],"o":{"p":{}}}',
        'make-forced-user-late': 'alice\0{"big":"' + 'x'.repeat(2100) + '","sub":"alice"}',
        'make-drops': 'bob\0' + JSON.stringify(Object.fromEntries(
            Array.from({ length: 40 }, (_, i) => ['claim' + i, 'v'.repeat(60)]))),
        'make-unicode': 'Zoë\0{"name":"山田 太郎","sub":"Zoë"}',
        'make-odd-length-extreme-times': 'carol\0{"sub":"carol"} ',
    };
    for (const [n, v] of Object.entries(seeds)) put(n, v);
}

// ------------------------------------------------------------ jwks, pem
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jwtsso-gen-'));
function openssl(...args) {
    return execFileSync('openssl', args, { cwd: tmp, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
}
openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa1024.key');
openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1', '-out', 'k1.key');
openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-out', 'p521.key');
openssl('genpkey', '-algorithm', 'X25519', '-out', 'x25519.key');
openssl('genpkey', '-algorithm', 'ED448', '-out', 'ed448.key');
openssl('genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', 'dsa.param');
openssl('genpkey', '-paramfile', 'dsa.param', '-out', 'dsa.key');
const tkey = (n) => fs.readFileSync(path.join(tmp, n), 'utf8');
const pubOf = (pem) => crypto.createPublicKey(pem).export({ type: 'spki', format: 'pem' });

{
    const put = target('pem');
    const seeds = {
        'rsa2048-spki.pem': key('rsa2048.pub'),
        'rsa2048-private-pkcs8.pem': rsa,
        'rsa2048-pkcs1-public.pem': crypto.createPublicKey(rsa).export({ type: 'pkcs1', format: 'pem' }),
        'rsa2048-pkcs1-private.pem': crypto.createPrivateKey(rsa).export({ type: 'pkcs1', format: 'pem' }),
        'rsa2048-encrypted.pem': crypto.createPrivateKey(rsa).export({ type: 'pkcs8', format: 'pem',
            cipher: 'aes-128-cbc', passphrase: 'fuzz' }),
        'ec-p256-spki.pem': key('ec-p256.pub'),
        'ec-p256-private-sec1.pem': crypto.createPrivateKey(ec256).export({ type: 'sec1', format: 'pem' }),
        'ec-p384-private-pkcs8.pem': ec384,
        'ec-p521-spki.pem': pubOf(tkey('p521.key')),
        'ed25519-spki.pem': key('ed25519.pub'),
        'ed25519-private.pem': ed,
        'rsa1024-too-small.pem': pubOf(tkey('rsa1024.key')),
        'ec-secp256k1-bad-curve.pem': pubOf(tkey('k1.key')),
        'x25519-unsupported.pem': pubOf(tkey('x25519.key')),
        'ed448-unsupported.pem': pubOf(tkey('ed448.key')),
        'dsa-unsupported.pem': pubOf(tkey('dsa.key')),
        'certificate-rsa.pem': openssl('req', '-x509', '-key', path.join(keydir, 'rsa2048.key'),
            '-subj', '/CN=idp.example.com', '-days', '3650', '-set_serial', '1'),
        'certificate-ec.pem': openssl('req', '-x509', '-key', path.join(keydir, 'ec-p256.key'),
            '-subj', '/CN=idp.example.com', '-days', '3650', '-set_serial', '2'),
        'two-keys.pem': key('ec-p256.pub') + key('rsa2048.pub'),
        'leading-text.pem': 'Public key of the IdP:\n' + key('ed25519.pub'),
        'truncated.pem': key('rsa2048.pub').slice(0, 200),
        'bad-base64.pem': key('ec-p256.pub').replace('MFkw', 'M!kw'),
        'no-end-line.pem': key('ec-p256.pub').replace(/-----END[^\n]*\n/, ''),
        'wrong-label.pem': key('ec-p256.pub').replace(/PUBLIC KEY/g, 'PRIVATE KEY'),
        'der.bin': crypto.createPublicKey(ec256).export({ type: 'spki', format: 'der' }),
        'empty': '',
        'secret-text': SECRET,
    };
    for (const [n, v] of Object.entries(seeds)) put(n, v);
}
{
    const put = target('jwks');
    const jwk = (pem, extra = {}) => ({ ...crypto.createPublicKey(pem).export({ format: 'jwk' }), ...extra });
    const priv = (pem, extra = {}) => ({ ...crypto.createPrivateKey(pem).export({ format: 'jwk' }), ...extra });
    const oct = (bytes, extra = {}) => ({ kty: 'oct', k: b64(crypto.randomBytes(bytes)), ...extra });
    const doc = (...keys) => JSON.stringify({ keys });
    const r = jwk(rsa, { kid: 'rsa1', use: 'sig', alg: 'RS256' });
    const seeds = {
        'rsa.json': doc(r),
        'rsa-no-alg.json': doc(jwk(rsa)),
        'ec-p256.json': doc(jwk(ec256, { kid: 'ec1', alg: 'ES256' })),
        'ec-p384.json': doc(jwk(ec384, { kid: 'ec2' })),
        'ec-p521.json': doc(jwk(tkey('p521.key'))),
        'okp-ed25519.json': doc(jwk(ed, { alg: 'EdDSA', use: 'sig' })),
        'oct-32.json': doc(oct(32, { kid: 'h1', alg: 'HS256' })),
        'oct-16-short.json': doc(oct(16, { kid: 'h2' })),
        'all.json': doc(r, jwk(ec256, { kid: 'ec1' }), jwk(ed, { kid: 'ed1' }), oct(48, { kid: 'h1' })),
        'use-enc-skipped.json': doc(jwk(rsa, { use: 'enc' }), jwk(ec256, { use: 'sig' })),
        'alg-mismatch.json': doc(jwk(rsa, { alg: 'ES256' })),
        'alg-mismatch-curve.json': doc(jwk(ec256, { alg: 'ES384' })),
        'private-members.json': doc(priv(rsa, { kid: 'p1' }), priv(ec256), priv(ed)),
        'duplicate-kid.json': doc(jwk(ec256, { kid: 'x' }), jwk(rsa, { kid: 'x' })),
        'kid-pre.json': doc(jwk(ec256, { kid: 'pre' })),
        'rsa1024-too-small.json': doc(jwk(tkey('rsa1024.key'))),
        'ec-secp256k1.json': doc(jwk(tkey('k1.key'))),
        'okp-x25519.json': doc(jwk(tkey('x25519.key'))),
        'okp-ed448.json': doc(jwk(tkey('ed448.key'))),
        'rsa-missing-n.json': doc({ kty: 'RSA', e: 'AQAB' }),
        'rsa-e-number.json': doc({ ...jwk(rsa), e: 65537 }),
        'rsa-n-padded.json': doc({ ...jwk(rsa), n: jwk(rsa).n + '==' }),
        'ec-x-short.json': doc({ ...jwk(ec256), x: jwk(ec256).x.slice(4) }),
        'ec-not-on-curve.json': doc({ ...jwk(ec256), y: jwk(ec256).x }),
        'kty-unknown.json': doc({ kty: 'DSA', kid: 'd' }),
        'kty-missing.json': doc({ kid: 'nothing' }),
        'oct-empty-k.json': doc({ kty: 'oct', k: '' }),
        'key-not-object.json': '{"keys":["RSA",1,null]}',
        'keys-empty.json': '{"keys":[]}',
        'keys-object.json': '{"keys":{"kty":"RSA"}}',
        'no-keys.json': JSON.stringify(jwk(rsa)),
        'duplicate-member.json': '{"keys":[{"kty":"oct","k":"' + b64(crypto.randomBytes(32)) + '","kty":"RSA"}]}',
        'not-json.json': '{"keys":[',
        'array.json': '[]',
    };
    for (const [n, v] of Object.entries(seeds)) put(n, v);
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log('fuzz/gen-corpus.js: corpora written under ' + path.join(top, 'corpus'));
