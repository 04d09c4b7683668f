# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Login tokens and API tokens (issue 11 §4; RFC 8725 §3.11-3.12, RFC 9068),
# through a real httpd, each rule both ways:
#   1. nothing declared (/app/kinds): a token consumed by a login is refused
#      as a bearer token; a bearer token passes the login rules (max age,
#      and an exp); a valid bearer token is reusable on every request; an
#      at+jwt token is never a login
#   2. JWTSSOBearerAudience api (/app/api): only tokens naming it are bearer
#      tokens, alive until their exp (no max age), reusable; a login refuses
#      them and accepts the others
# Failed on main at 71eeb3d: a consumed login token was a bearer until its
# exp, a 2-minute-old token too, and API tokens logged in.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use URI::Escape qw(uri_escape);

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $BASE = base_url();
my $COOKIE = 'jwtsso_session';
my $START = error_log_mark();
my $AT_JWT = { alg => 'HS256', typ => 'at+jwt' };

sub bearer_get {
    my ($path, $token) = @_;
    return req(ua(), GET => "$BASE$path", Authorization => "Bearer $token");
}

sub bearer_ok {
    my ($label, $path, $token, $user, $times) = @_;
    for my $i (1 .. ($times // 1)) {
        my $res = bearer_get($path, $token);
        is $res->code, 200, "$label: bearer request $i: 200" or diag $res->as_string;
        is app_vars($res)->{REMOTE_USER}, $user, "$label: bearer request $i: REMOTE_USER $user";
    }
}

sub bearer_no {
    my ($label, $path, $token, $log_re) = @_;
    my $mark = error_log_mark();
    my $res = bearer_get($path, $token);
    is $res->code, 401, "$label: 401" or diag $res->as_string;
    like $res->header('WWW-Authenticate') // '', qr/^Bearer realm="jwtsso-test", error="invalid_token"$/,
        "$label: WWW-Authenticate error=invalid_token";
    unlike $res->content, qr/^REMOTE_USER=/m, "$label: the app did not run";
    log_like($mark, $log_re, "$label: log $log_re");
}

sub login {
    my ($path, $token) = @_;
    return ua()->get("$BASE$path?jwt=" . uri_escape($token));
}

sub login_ok {
    my ($label, $path, $token) = @_;
    my $res = login($path, $token);
    is $res->code, 302, "$label: login 302" or diag $res->as_string;
    my $c = response_cookie($res, $COOKIE);
    ok $c && length $c->{value}, "$label: a session cookie";
}

sub login_no {
    my ($label, $path, $token, $reason) = @_;
    my $mark = error_log_mark();
    my $res = login($path, $token);
    is $res->code, 401, "$label: 401" or diag $res->as_string;
    ok !response_cookie($res, $COOKIE), "$label: no session cookie";
    my $tag = reason_tag($reason);
    log_like($mark, qr/JWTSSO$tag: token refused: \Q$reason\E: /, "$label: log JWTSSO$tag $reason");
}

my $now = time;

# ================================================================ 1. nothing declared
{
    my $t = fresh_token({ sub => 'alice' });
    login_ok('1: a login token at /app/kinds', '/app/kinds/x', $t);
    bearer_no('1: the same token, consumed, as a bearer', '/app/kinds/x', $t,
              qr/JWTSSO00424: bearer token refused: consumed: /);

    my $u = fresh_token({ sub => 'bob' });
    bearer_ok('1: a fresh token as a bearer, three times (the bearer path never consumes)',
              '/app/kinds/x', $u, 'bob', 3);
    login_ok('1: ... and it still logs in once (bearer use did not consume it)', '/app/kinds/x', $u);
    # each child that served it above may have cached it: consumed now, it
    # is refused all the same
    for my $i (1 .. 3) {
        bearer_no("1: ... then as a bearer again ($i), cached or not", '/app/kinds/x', $u,
                  qr/JWTSSO00424: bearer token refused: consumed: /);
    }

    my $old = fresh_token({ sub => 'carol', iat => $now - 120, exp => $now + 3600 });
    bearer_no('1: a token 120 s old (JWTSSOMaxAge 60 applies to bearers too)', '/app/kinds/x', $old,
              qr/JWTSSO00218: bearer token refused: too_old: /);
    my $noexp = fresh_token({ sub => 'carol', exp => undef });
    bearer_no('1: a bearer token without exp', '/app/kinds/x', $noexp,
              qr/JWTSSO00219: bearer token refused: no_lifetime: /);

    my $at = fresh_token({ sub => 'dan' }, header => $AT_JWT);
    login_no('1: an at+jwt token as a login', '/app/kinds/x', $at, 'token_type');
    bearer_ok('1: the at+jwt token as a bearer', '/app/kinds/x', $at, 'dan');
    my $at_old = fresh_token({ sub => 'dan', iat => $now - 1800, exp => $now + 3600 }, header => $AT_JWT);
    bearer_ok('1: a 30-minute-old at+jwt token as a bearer (an API token lives until its exp)',
              '/app/kinds/x', $at_old, 'dan');
}

# ================================================================ 2. JWTSSOBearerAudience api
{
    my $api = fresh_token({ sub => 'svc', aud => 'api', iat => $now - 1800, exp => $now + 3600 });
    bearer_ok('2: an API token (aud api, 30 min old: no max age) at /app/api, three times',
              '/app/api/x', $api, 'svc', 3);
    login_no('2: an API token (aud api, fresh) as a login at /app/api', '/app/api/x',
             fresh_token({ sub => 'svc', aud => 'api' }), 'token_type');
    my $api2 = fresh_token({ sub => 'svc', aud => ['web', 'api'] });
    login_no('2: a token whose aud array names api, as a login', '/app/api/x', $api2, 'token_type');

    my $web = fresh_token({ sub => 'erin', aud => 'web' });
    bearer_no('2: a login token (aud web) as a bearer at /app/api', '/app/api/x', $web,
              qr/JWTSSO00230: bearer token refused: token_type: /);
    login_ok('2: ... and it logs in at /app/api', '/app/api/x', $web);
    my $plain = fresh_token({ sub => 'erin' });
    bearer_no('2: a token without aud as a bearer at /app/api', '/app/api/x', $plain,
              qr/JWTSSO00230: bearer token refused: token_type: /);
}

{
    my $log = error_log_since($START);
    is scalar(crash_lines($log)), 0, 'no child crashed' or diag join "\n", crash_lines($log);
}

done_testing();
