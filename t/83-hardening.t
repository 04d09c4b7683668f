# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The smaller items of issue 11 §9, through a real httpd:
#   1. the state cookie is __Host-jwtsso_state (Secure, Path=/, no Domain)
#      where the public URL is https, and a login completes with it
#   2. a logout another site starts (Sec-Fetch-Site: cross-site) is not
#      done: a same-origin confirmation page whose form logs out
#   3. the default session key is not derivable from JWTSSOSecret alone: a
#      second httpd with the same secret, realm, origin and policy but its
#      own installation key file (ServerRoot/jwtsso-session.key) makes
#      records this server refuses; with a copy of this server's file, it
#      makes records this server accepts
# Failed on main at 71eeb3d: 1 set jwtsso_state, 2 logged out, 3 accepted
# the second server's record without the key file.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use URI::Escape qw(uri_escape uri_unescape);
use File::Spec;

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $BASE = base_url();
my $COOKIE = 'jwtsso_session';
my $START = error_log_mark();

# ================================================================ 1. __Host- state cookie
{
    # /app/public: JWTSSOPublicURL https://public.example.test:8443/mount/
    my $res = ua()->get("$BASE/app/public/p");
    is $res->code, 302, '1: /app/public (https public URL): 302 to log in';
    my $c = response_cookie($res, '__Host-jwtsso_state');
    ok $c, '1: the state cookie is __Host-jwtsso_state' or diag $res->as_string;
    ok !response_cookie($res, 'jwtsso_state'), '1: no plain jwtsso_state cookie';
    ok $c && $c->{attr}{secure} && ($c->{attr}{path} // '') eq '/' && !exists $c->{attr}{domain},
        '1: Secure, Path=/, no Domain (what __Host- requires)';
    my ($state) = (query_params($res->header('Location') // '')->{next} // '') =~ /[?&]jwtsso_state=([0-9a-f]{32})$/;
    ok $state && $c && $c->{value} eq $state, '1: the cookie holds the state of the return URL'
        or diag $res->header('Location');
    $state //= '';

    # the login completes with the prefixed cookie, and not with a planted
    # unprefixed one (what a sibling subdomain could set)
    my $tok = fresh_token({ sub => 'alice' });
    my $q = "token=" . uri_escape($tok) . "&jwtsso_state=$state";
    my $mark = error_log_mark();
    $res = ua(cookie_jar => undef)->get("$BASE/app/public/p?$q", Cookie => "jwtsso_state=$state");
    is $res->code, 401, '1: only a jwtsso_state cookie (no prefix): 401';
    log_like($mark, qr/JWTSSO00402: token refused: state_missing: no __Host-jwtsso_state cookie/,
             '1: log JWTSSO00402 names __Host-jwtsso_state');
    $tok = fresh_token({ sub => 'alice' });
    $q = "token=" . uri_escape($tok) . "&jwtsso_state=$state";
    $res = ua(cookie_jar => undef)->get("$BASE/app/public/p?$q", Cookie => "__Host-jwtsso_state=$state");
    is $res->code, 302, '1: with __Host-jwtsso_state: the login completes (302)' or diag $res->as_string;
    ok response_cookie($res, $COOKIE), '1: ... a session cookie';
    my $cleared = response_cookie($res, '__Host-jwtsso_state');
    ok $cleared && $cleared->{value} eq '', '1: ... and the state cookie cleared (single use)';

    # plain http keeps the plain name (browsers refuse __Host- without Secure)
    $res = ua()->get("$BASE/app/sso/x");
    ok response_cookie($res, 'jwtsso_state'), '1: http site: jwtsso_state';
}

# ================================================================ 2. cross-site logout
{
    my $value = login_cookie($BASE, '/app/nostate/x', { sub => 'bob' });
    my $mark = error_log_mark();
    my $res = ua(cookie_jar => undef)->get("$BASE/logout?return_to=/app/nostate/x", Cookie => "$COOKIE=$value",
                                           'Sec-Fetch-Site' => 'cross-site');
    is $res->code, 200, '2: a cross-site GET /logout: 200, a page' or diag $res->as_string;
    like $res->content, qr{<form method="post" action="/logout\?return_to=/app/nostate/x">},
        '2: the page posts to the same logout URL';
    ok !response_cookie($res, $COOKIE), '2: the session is not touched';
    log_like($mark, qr/JWTSSO00603: logout not done: another site started it/, '2: log JWTSSO00603');
    $res = cookie_get("$BASE/app/nostate/x", $value);
    is app_vars($res)->{REMOTE_USER}, 'bob', '2: still logged in after the cross-site logout';

    $res = ua(cookie_jar => undef)->post("$BASE/logout", Cookie => "$COOKIE=$value",
                                         'Sec-Fetch-Site' => 'cross-site');
    is $res->code, 200, '2: a cross-site POST /logout: the page too';
    ok !response_cookie($res, $COOKIE), '2: ... session not touched';

    for my $site ('same-origin', undef) {
        my @h = defined $site ? ('Sec-Fetch-Site' => $site) : ();
        $res = ua(cookie_jar => undef)->post("$BASE/logout", Cookie => "$COOKIE=$value", @h);
        my $c = response_cookie($res, $COOKIE);
        ok $c && cookie_cleared($c) || ($c && $c->{value} eq ''),
            '2: POST /logout ' . ($site ? "Sec-Fetch-Site: $site" : 'without Sec-Fetch-Site') . ': session cleared'
            or diag $res->as_string;
    }
}

# ================================================================ 3. the installation's session key
{
    my $root = eval { Apache::Test::config()->{vars}{serverroot} } || File::Spec->catdir(top_dir(), 't');
    my $keyfile = File::Spec->catfile($root, 'jwtsso-session.key');
    ok -f $keyfile, "3: the server made its session key file $keyfile";
    is -s $keyfile, 32, '3: 32 bytes';
    is((stat $keyfile)[2] & 0777, 0600, '3: mode 0600');
    my $own = -f $keyfile ? slurp($keyfile) : '';

    my $loc = jwtsso_location(path => '/app/pubsame', extra => "    JWTSSOPublicURL http://sso.example.test\n");
    for my $case (['its own key file', undef, 0], ["a copy of this server's key file", $own, 1]) {
        my ($label, $key, $accepted) = @$case;
        my $h = eval { httpd_start($loc, $key ? (files => { 'jwtsso-session.key' => $key }) : ()) };
        ok $h, "3: a second httpd with $label" or diag $@;
        next unless $h;
        my $v = login_cookie($h->{base}, '/app/pubsame/x', { sub => 'mallory' });
        my $res = cookie_get("$h->{base}/app/pubsame/x", $v);
        is app_vars($res)->{REMOTE_USER}, 'mallory', "3: $label: the session holds there";
        my $mark = error_log_mark();
        $res = cookie_get("$BASE/app/pubsame/x", $v);
        if ($accepted) {
            is $res->code, 200, "3: $label: its record is a session here (same key, origin, policy)";
            is app_vars($res)->{REMOTE_USER}, 'mallory', "3: $label: REMOTE_USER mallory";
        }
        else {
            is $res->code, 302, "3: $label: its record is no session here" or diag $res->as_string;
            log_like($mark, qr/JWTSSO00302: session record refused: record_bad_mac/, "3: $label: log record_bad_mac");
        }
        ok httpd_stop($h), "3: the second httpd stopped";
    }
}

{
    my $log = error_log_since($START);
    is scalar(crash_lines($log)), 0, 'no child crashed' or diag join "\n", crash_lines($log);
}

done_testing();
