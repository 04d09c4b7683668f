# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Identity headers and claims on every path (issue 11 §3), through a real
# httpd and mod_proxy:
#   1. an AuthType None sub-path of a proxied app (/app/proxied/public):
#      client-sent X-JWTSSO-* headers, in every spelling, never reach the
#      backend
#   2. a Connection header naming X-JWTSSO-* headers does not make
#      mod_proxy drop the module's own claim headers
#   3. a large claim a user can set, placed before iss in the token, does
#      not push iss and aud out of the session: they are kept first, and
#      the app is told claims were left out (JWTSSO_CLAIMS_TRUNCATED=1)
# Failed on main at 71eeb3d: 1 passed X-JWTSSO-Claim-sub: admin to the
# backend, 2 lost the claim headers, 3 dropped iss silently.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use URI::Escape qw(uri_escape);

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $BASE = base_url();
my ($HP) = $BASE =~ m{^http://(.+)$};
my $COOKIE = 'jwtsso_session';
my $START = error_log_mark();

sub raw_get {
    my ($target, @lines) = @_;
    return raw_http($HP, "GET $target HTTP/1.0\r\nHost: $HP\r\n" . join('', map { "$_\r\n" } @lines) . "\r\n");
}

# ================================================================ 1. AuthType None under a proxied app
{
    # /echo's SetEnvIf catches any x[-_]jwtsso[-_] header whose value is "spoofed"
    my @spoof = ('X-JWTSSO-Claim-sub: spoofed', 'x-jwtsso-claim-role: spoofed', 'X_JWTSSO_CLAIM_GROUPS: spoofed',
                 'X-Jwtsso-User: spoofed');
    my $res = raw_get('/app/proxied/public/p', @spoof);
    ok $res, '1: /app/proxied/public (AuthType None) answered';
    is $res && $res->code, 200, '1: 200 from the backend' or diag $res ? $res->as_string : 'no answer';
    my $v = app_vars($res);
    is $v->{PATH_INFO}, '/public/p', '1: the backend ran (/echo/public/p)';
    is $v->{REMOTE_USER}, '', '1: no user';
    is_deeply [sort grep { /^HTTP_.*JWTSSO/i } keys %$v], [], '1: no HTTP_*JWTSSO* variable reached the backend'
        or diag explain $v;
    ok !exists $v->{JWTSSO_ECHO_SPOOFED}, '1: no x[-_]jwtsso[-_] header in any spelling reached the backend';

    # control: the same headers straight to the backend, which keeps them
    # (JWTSSOStripHeaders Off there), so the check above can fail
    $res = raw_get('/echo/x', @spoof);
    $v = app_vars($res);
    is $v->{HTTP_X_JWTSSO_CLAIM_SUB}, 'spoofed', '1: control: /echo itself keeps X-JWTSSO-Claim-sub (JWTSSOStripHeaders Off)';
    is $v->{JWTSSO_ECHO_SPOOFED}, '1', '1: control: /echo sees the underscore spelling';

    # and a path with no auth at all on this server strips them too
    $res = raw_get('/cgi/app.cgi', @spoof);
    $v = app_vars($res);
    is $res && $res->code, 200, '1: /cgi/app.cgi (no AuthType): 200';
    ok !exists $v->{HTTP_X_JWTSSO_CLAIM_SUB} && !exists $v->{HTTP_X_JWTSSO_CLAIM_ROLE},
        '1: /cgi/app.cgi: no X-JWTSSO-* header reached the app' or diag explain $v;
}

# ================================================================ 2. Connection: X-JWTSSO-...
{
    my $value = login_cookie($BASE, '/app/proxied/x', { sub => 'alice', role => 'reader' });
    my $res = raw_get('/app/proxied/x', "Cookie: $COOKIE=$value");
    my $v = app_vars($res);
    is $v->{HTTP_X_JWTSSO_CLAIM_SUB}, 'alice', '2: control: the backend gets X-JWTSSO-Claim-sub';
    for my $conn ('X-JWTSSO-Claim-sub', 'close, x-jwtsso-claim-sub, X-JWTSSO-Claim-Role',
                  'X_JWTSSO_CLAIM_SUB,keep-alive') {
        my $mark = error_log_mark();
        $res = raw_get('/app/proxied/x', "Cookie: $COOKIE=$value", "Connection: $conn");
        is $res && $res->code, 200, "2: Connection: $conn: 200" or diag $res ? $res->as_string : 'no answer';
        $v = app_vars($res);
        is $v->{HTTP_X_JWTSSO_CLAIM_SUB}, 'alice', "2: Connection: $conn: the backend still gets X-JWTSSO-Claim-sub";
        is $v->{HTTP_X_JWTSSO_CLAIM_ROLE}, 'reader', "2: Connection: $conn: ... and X-JWTSSO-Claim-Role";
        like scalar(error_log_since($mark, qr/JWTSSO00423/)), qr/JWTSSO00423: Connection header named X-JWTSSO-\*/,
            "2: Connection: $conn: log JWTSSO00423";
    }
}

# ================================================================ 3. claims budget
{
    my %claims = (sub => 'alice', a1 => 'x' x 1000, a2 => 'y' x 1000, iss => 'https://idp.example.test',
                  aud => 'web', zz => 'last');
    my $mark = error_log_mark();
    my $value = login_cookie($BASE, '/app/nostate/x', \%claims);
    my $res = ua(cookie_jar => undef)->get("$BASE/app/nostate/x", Cookie => "$COOKIE=$value");
    is $res->code, 200, '3: the session with oversized claims works';
    my $v = app_vars($res);
    is $v->{REMOTE_USER}, 'alice', '3: REMOTE_USER alice';
    is $v->{JWTSSO_CLAIM_ISS}, 'https://idp.example.test', '3: iss kept although two 1000-byte claims come before it';
    is $v->{JWTSSO_CLAIM_AUD}, 'web', '3: aud kept';
    is $v->{JWTSSO_CLAIMS_TRUNCATED}, '1', '3: JWTSSO_CLAIMS_TRUNCATED=1 tells the app claims were left out';
    ok !(exists $v->{JWTSSO_CLAIM_A1} && exists $v->{JWTSSO_CLAIM_A2}), '3: not both large claims kept';
    like scalar(error_log_since($mark, qr/JWTSSO00406/)),
        qr/JWTSSO00406: claims not kept in the session \(over 2048 bytes; JWTSSO_CLAIMS_TRUNCATED=1\): a2/,
        '3: log JWTSSO00406 names the claim left out';

    # a token whose claims all fit: no flag
    $value = login_cookie($BASE, '/app/nostate/x', { sub => 'bob', iss => 'https://idp.example.test' });
    $v = app_vars(ua(cookie_jar => undef)->get("$BASE/app/nostate/x", Cookie => "$COOKIE=$value"));
    is $v->{REMOTE_USER}, 'bob', '3: control: bob';
    ok !exists $v->{JWTSSO_CLAIMS_TRUNCATED}, '3: control: no JWTSSO_CLAIMS_TRUNCATED when all claims fit';

    # headers mode says it too
    $value = login_cookie($BASE, '/app/both/x', \%claims);
    $v = app_vars(ua(cookie_jar => undef)->get("$BASE/app/both/x", Cookie => "$COOKIE=$value"));
    is $v->{HTTP_X_JWTSSO_CLAIMS_TRUNCATED}, '1', '3: JWTSSOPassClaims both: X-JWTSSO-Claims-Truncated: 1';
    is $v->{HTTP_X_JWTSSO_CLAIM_ISS}, 'https://idp.example.test', '3: ... and X-JWTSSO-Claim-iss';
}

{
    my $log = error_log_since($START);
    is scalar(crash_lines($log)), 0, 'no child crashed' or diag join "\n", crash_lines($log);
}

done_testing();
