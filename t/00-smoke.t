# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);      # its plan() knows need_module()
use Test::More import => ['!plan'];
use Apache::TestRequest qw(GET);
use JWTSSOTest;

plan tests => 12;

# The server is up and serves a static file.
my $res = GET '/index.html';
is $res->code, 200, 'server answers a static file';

# The test CGI echoes what the app would see (/cgi/ is not protected;
# /app/... runs the same CGI under the module's scenarios).
my $mark = access_log_mark();
my $ua = ua();
$res = $ua->get(url('/cgi/app.cgi/smoke/x?a=1&b=two'), 'X-Smoke-JWTSSO' => 'shown');
is $res->code, 200, '/cgi/app.cgi runs the test CGI' or diag $res->as_string;
like $res->header('Content-Type'), qr{^text/plain}, 'CGI answers text/plain';
my $v = app_vars($res);
is $v->{REMOTE_USER}, '', 'no REMOTE_USER without auth';
is $v->{QUERY_STRING}, 'a=1&b=two', 'QUERY_STRING passed';
is $v->{REQUEST_URI}, '/cgi/app.cgi/smoke/x?a=1&b=two', 'REQUEST_URI passed';
is $v->{HTTP_X_SMOKE_JWTSSO}, 'shown', 'HTTP_*JWTSSO* headers are shown';
ok exists $v->{AUTH_TYPE}, 'AUTH_TYPE line present';

is $v->{PATH_INFO}, '/smoke/x', 'PATH_INFO passed';

# Our access log records request line and query string.
my $log = access_log_since($mark, qr{GET /cgi/app.cgi/smoke/x\?a=1&b=two});
like $log, qr{"GET /cgi/app.cgi/smoke/x\?a=1&b=two HTTP/1\.1" q="\?a=1&b=two" 200}, 'jwtsso_access_log has %r and %q';

# Token helpers work (Node jsonwebtoken and PyJWT).
my $secret = 'x' x 32;
like node_token($secret, { sub => 'alice' }, { expiresIn => '1h' }),
    qr/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, 'node_token';

# The module itself.
SKIP: {
    skip 'mod_auth_jwtsso.so not built (' . module_path() . '): module not loaded', 1
        unless -e module_path();
    ok have_jwtsso(), 'mod_auth_jwtsso is loaded by the test server'
        or diag 'the .so exists but the server was configured without it: run t/TEST -clean';
}
