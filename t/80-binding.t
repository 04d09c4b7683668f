# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# What a session is bound to (issue 11 §1, §2; DESIGN §4), through a real
# httpd:
#   1. policy: a login at /app/nostate is no session at a section with the
#      same secret, realm and origin but another audience and issuer, user
#      claim, session max age, algorithm list or key set (and the other way
#      round); a nested section that changes none of that keeps it
#   2. .htaccess: a tenant's AuthType jwtsso (AllowOverride AuthConfig) with
#      its own user claim mints sessions the server's sections refuse
#   3. origin: never from the client's Host header: a cookie carried to the
#      other virtual host with the first one's Host is no session; a login
#      made with a forged Host holds under the real one; return_to is built
#      from the server's name, not Host
# Failed on main at 71eeb3d: 1 and 2 accepted the session (REMOTE_USER from
# the lenient section), 3 accepted the carried cookie and put Host into
# return_to.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use URI::Escape qw(uri_escape);

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $BASE = base_url();
my ($HP) = $BASE =~ m{^http://(.+)$};
my $VH2 = vhost_base_url('jwtsso_vh2');
my ($VH2_HP) = $VH2 =~ m{^http://(.+)$};
my $IDP_RE = qr{^https://idp\.example\.test/login\?client=t&return_to=};
my $COOKIE = 'jwtsso_session';
my $START = error_log_mark();

# The session is none at $url: a redirect to log in (or 401), the app not
# run, and the log line of a record refused with $why.
sub refused_at {
    my ($label, $url, $value, $why, @headers) = @_;
    my $mark = error_log_mark();
    my $res = cookie_get($url, $value, @headers);
    ok $res->code == 302 || $res->code == 401, "$label: no session (" . $res->code . ')'
        or diag $res->as_string;
    like $res->header('Location') // '', $IDP_RE, "$label: sent to log in" if $res->code == 302;
    unlike $res->content, qr/^REMOTE_USER=/m, "$label: the app did not run";
    log_like($mark, qr/JWTSSO00302: session record refused: \Q$why\E: /, "$label: log JWTSSO00302 $why");
}

sub accepted_at {
    my ($label, $url, $value, $user, @headers) = @_;
    my $res = cookie_get($url, $value, @headers);
    is $res->code, 200, "$label: 200" or diag $res->as_string;
    is app_vars($res)->{REMOTE_USER}, $user, "$label: REMOTE_USER $user";
}

# ================================================================ 1. policy
{
    my %claims = (sub => 'alice', email => 'mallory@example.test', aud => 'admin',
                  iss => 'https://idp.example.test');
    my $lenient = login_cookie($BASE, '/app/nostate/x', { sub => 'alice', email => 'mallory@example.test' });
    accepted_at('1: control, the session at /app/nostate', "$BASE/app/nostate/x", $lenient, 'alice');
    accepted_at('1: control, a nested section that changes no policy', "$BASE/app/nostate/nested/x",
                $lenient, 'alice');
    for my $p (['/app/polaud', 'JWTSSOAudience admin, JWTSSOIssuer'],
               ['/app/polclaim', 'JWTSSOUserClaim email'],
               ['/app/polsession', 'JWTSSOSessionMaxAge 60'],
               ['/app/polalg', 'JWTSSOAlgorithms HS512'],
               ['/app/polkeys', 'another key set (one more secret)']) {
        refused_at("1: /app/nostate's session at $p->[0] ($p->[1])", "$BASE$p->[0]/x", $lenient,
                   'record_bad_mac');
    }

    # the strict section's own login works there, and is no session at the
    # lenient one either (a session proves a login under one policy)
    my $strict = login_cookie($BASE, '/app/polaud/x', \%claims);
    accepted_at('1: the session at /app/polaud', "$BASE/app/polaud/x", $strict, 'alice');
    refused_at("1: /app/polaud's session at /app/nostate", "$BASE/app/nostate/x", $strict,
               'record_bad_mac');

    # the user claim: a login at /app/polclaim is mallory (email) there,
    # and never mallory at /app/nostate
    my $byemail = login_cookie($BASE, '/app/polclaim/x', { sub => 'alice', email => 'mallory' });
    accepted_at('1: /app/polclaim: REMOTE_USER from email', "$BASE/app/polclaim/x", $byemail, 'mallory');
    refused_at("1: /app/polclaim's session (user mallory) at /app/nostate", "$BASE/app/nostate/x",
               $byemail, 'record_bad_mac');
}

# ================================================================ 2. .htaccess
{
    my $ua = ua();
    my $res = $ua->get("$BASE/tenant/?jwt=" . uri_escape(fresh_token({ sub => 'alice', email => 'admin' })));
    is $res->code, 302, '2: login at the tenant directory (.htaccess AuthType jwtsso): 302'
        or diag $res->as_string;
    my $c = response_cookie($res, $COOKIE);
    ok $c && length $c->{value}, '2: the tenant wrote a session (user admin, from email)';
    $res = cookie_get("$BASE/tenant/", $c ? $c->{value} : '');
    is $res->code, 200, "2: the tenant's session holds in the tenant's directory";
    refused_at("2: the tenant's session at the server's /app/nostate", "$BASE/app/nostate/x",
               $c ? $c->{value} : '', 'record_bad_mac');
}

# ================================================================ 3. origin
{
    my $main = login_cookie($BASE, '/app/nostate/x', { sub => 'carol' });
    accepted_at('3: control, the session on the main server', "$BASE/app/nostate/x", $main, 'carol');
    refused_at('3: carried to the other virtual host', "$VH2/app/nostate/x", $main, 'record_bad_mac');
    refused_at("3: carried to the other virtual host with the main server's Host",
               "$VH2/app/nostate/x", $main, 'record_bad_mac', Host => $HP);
    my $vh2 = login_cookie($VH2, '/app/nostate/x', { sub => 'dave' });
    refused_at("3: the other virtual host's session at the main server with its Host",
               "$BASE/app/nostate/x", $vh2, 'record_bad_mac', Host => $VH2_HP);

    # a login with a forged Host is bound to the server, not to that Host
    my $forged = login_cookie($BASE, '/app/nostate/x', { sub => 'erin' }, headers => [Host => 'evil.example']);
    accepted_at('3: a login made with Host: evil.example holds under the real Host', "$BASE/app/nostate/x",
                $forged, 'erin');

    # return_to from the server's configured name, whatever Host says
    my $res = ua()->get("$BASE/app/always/y?a=1", Host => 'evil.example:1234');
    is $res->code, 302, '3: /app/always with Host: evil.example:1234: 302';
    my $ret = query_params($res->header('Location') // '')->{return_to} // '';
    like $ret, qr{^\Q$BASE\E/app/always/y\?a=1&jwtsso_state=[0-9a-f]{32}$},
        "3: return_to is built from the server's name ($BASE), not from Host";
}

# ================================================================ the log
{
    my $log = error_log_since($START);
    is scalar(crash_lines($log)), 0, 'no child crashed' or diag join "\n", crash_lines($log);
}

done_testing();
